//! The provisioning ladder's local-cluster rung, for real: it is what every machine without
//! `DATABASE_URL` and Docker runs on, so it must start a cluster (as the `postgres` user
//! when root), serve fresh databases, and leave nothing behind.

use alga_reference_store::postgres::PostgresStore;
use alga_reference_store::provision::{self, ServerSource};
use alga_reference_store::{DataStore, demo};
use std::time::Duration;

fn answers(url: &str) -> bool {
    let mut config: postgres::Config = url.parse().unwrap();
    config.connect_timeout(Duration::from_secs(1));
    config.connect(postgres::NoTls).is_ok()
}

#[test]
fn the_local_cluster_rung_starts_serves_and_cleans_up() {
    // Called directly, so DATABASE_URL (set in CI) does not short-cut the rung.
    let server = provision::local_cluster().unwrap_or_else(|err| panic!("{err}"));
    assert_eq!(server.source(), ServerSource::LocalCluster);
    let admin_url = server.url().to_string();
    let directory = server.local_cluster().expect("the cluster").directory().to_path_buf();
    assert!(directory.join("data").join("PG_VERSION").is_file());
    assert!(answers(&admin_url));

    let first = server.fresh_database("ladder test!").unwrap();
    let second = server.fresh_database("ladder test!").unwrap();
    assert_ne!(first.name(), second.name(), "fresh databases are unique");
    assert!(first.name().starts_with("ladder_test__"), "{}", first.name());

    let store = PostgresStore::connect(first.url()).unwrap();
    let fixture = demo::generate(&demo::DemoConfig::default());
    store.load_fixture(&fixture).unwrap();
    assert!(store.describe().contains(first.name()), "{}", store.describe());
    drop(store);

    let name = first.name().to_string();
    drop(first);
    let mut admin = admin_url.parse::<postgres::Config>().unwrap().connect(postgres::NoTls).unwrap();
    let left: i64 =
        admin.query_one("SELECT count(*) FROM pg_database WHERE datname = $1", &[&name]).unwrap().get(0);
    assert_eq!(left, 0, "a dropped TestDatabase is gone from the server");
    drop(admin);

    drop(server);
    assert!(answers(second.url()), "a database keeps its server running");
    drop(second);
    assert!(!answers(&admin_url), "dropping the server and its last database stops the cluster");
    assert!(!directory.exists(), "and deletes its directory");
}

/// Set in the child process of the test below.
const CHILD: &str = "ALGA_STORE_TEST_LEAKED_CLUSTER_CHILD";

#[test]
fn a_cluster_whose_owner_exits_without_dropping_it_is_stopped_and_removed() {
    if std::env::var_os(CHILD).is_some() {
        // The child: start a cluster, say where it is, and exit without running a single
        // destructor, as a test binary holding its server in a static does.
        let server = provision::local_cluster().unwrap_or_else(|err| panic!("{err}"));
        let directory = server.local_cluster().unwrap().directory().display().to_string();
        println!("CLUSTER {} {directory}", server.url());
        std::process::exit(0);
    }
    let output = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "a_cluster_whose_owner_exits_without_dropping_it_is_stopped_and_removed",
            "--nocapture",
        ])
        .env(CHILD, "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let line = stdout.lines().find_map(|l| l.strip_prefix("CLUSTER ")).unwrap_or_else(|| {
        panic!("the child printed no cluster: {stdout}\n{}", String::from_utf8_lossy(&output.stderr))
    });
    let (url, directory) = line.split_once(' ').unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(15);
    while (answers(url) || std::path::Path::new(directory).exists()) && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(200));
    }
    assert!(!answers(url), "the orphaned cluster at {url} was stopped");
    assert!(!std::path::Path::new(directory).exists(), "and {directory} was removed");
}
