//! Getting a PostgreSQL for tests, benchmarks and the CLI, always by the same ladder:
//!
//! 1. `DATABASE_URL`, when set (an explicit choice: if it does not answer, that is the
//!    error, with no fallback that would hide it);
//! 2. a throwaway container through `testcontainers` (cargo feature `testcontainers`), only
//!    when a Docker engine answers;
//! 3. a throwaway cluster from the local PostgreSQL binaries (`initdb` + `pg_ctl` in a
//!    temporary directory, on a free port; as root they run as the `postgres` user, since
//!    PostgreSQL refuses to run as root);
//! 4. otherwise a [`ProvisionError`] that lists what was tried and says how to get one.
//!
//! Never a silent skip: a test that needs PostgreSQL fails with that error.
//!
//! A Citus cluster (a coordinator and two workers) comes from [`citus_server`] by a ladder
//! of its own: `CITUS_URL` (the maintenance database of an existing coordinator with its
//! workers registered), else a throwaway cluster built from three local clusters like rung
//! 3, with `shared_preload_libraries = 'citus'` (Citus must be installed:
//! `scripts/citus.sh` builds it).
//!
//! Each test takes a database of its own from [`PostgresServer::fresh_database`] and the
//! database is dropped with the returned [`TestDatabase`], so concurrent runs never see
//! each other's data. On Citus a fresh database exists on every node, has the extension on
//! every node, and knows its workers, as a new Citus database must.

use crate::postgres::error_text;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// Why no PostgreSQL could be provided, or a database could not be created.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ProvisionError(pub String);

/// Where a [`PostgresServer`] came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServerSource {
    /// The server `DATABASE_URL` names.
    EnvironmentUrl,
    /// A container started through testcontainers.
    Container,
    /// A throwaway cluster from the local PostgreSQL binaries.
    LocalCluster,
    /// The Citus coordinator `CITUS_URL` names.
    CitusUrl,
    /// A throwaway Citus cluster: a coordinator and two workers from the local binaries.
    CitusCluster,
}

/// A PostgreSQL server to create databases on. A throwaway cluster or container is
/// stopped and removed when this and every [`TestDatabase`] created on it are dropped (a
/// database keeps its server alive, so dropping the server first is safe).
pub struct PostgresServer {
    admin_url: String,
    source: ServerSource,
    /// On Citus: where the coordinator and the workers are, as the coordinator names them.
    citus: Option<CitusNodes>,
    owned: std::sync::Arc<OwnedServer>,
}

/// The nodes of a Citus cluster: `host:port` as registered with the coordinator, and the
/// URL of each worker's maintenance database.
#[derive(Debug, Clone)]
struct CitusNodes {
    coordinator: (String, u16),
    workers: Vec<(String, u16, String)>,
}

/// What a throwaway server consists of; shared by the server and its databases.
#[derive(Default)]
struct OwnedServer {
    cluster: Option<LocalCluster>,
    /// The workers of a throwaway Citus cluster (`cluster` is its coordinator).
    workers: Vec<LocalCluster>,
    #[cfg(feature = "testcontainers")]
    _container: Option<testcontainers::Container<testcontainers::GenericImage>>,
}

impl std::fmt::Debug for PostgresServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresServer").field("url", &self.admin_url).field("source", &self.source).finish()
    }
}

impl PostgresServer {
    fn new(admin_url: String, source: ServerSource, owned: OwnedServer) -> Self {
        PostgresServer { admin_url, source, citus: None, owned: std::sync::Arc::new(owned) }
    }

    /// URL of the server's maintenance database (the one `DATABASE_URL` names, or
    /// `postgres` on a throwaway server).
    pub fn url(&self) -> &str {
        &self.admin_url
    }

    /// Where the server came from.
    pub fn source(&self) -> ServerSource {
        self.source
    }

    /// The throwaway local cluster behind this server, when that is where it came from
    /// (tests stop and restart it to simulate a database crash).
    pub fn local_cluster(&self) -> Option<&LocalCluster> {
        self.owned.cluster.as_ref()
    }

    /// The workers of a throwaway Citus cluster (tests stop and restart one); empty for
    /// any other server.
    pub fn citus_workers(&self) -> &[LocalCluster] {
        &self.owned.workers
    }

    /// Whether this is a Citus cluster (fresh databases are Citus databases).
    pub fn is_citus(&self) -> bool {
        self.citus.is_some()
    }

    /// Creates a database named `<prefix>_<pid>_<n>_<time>` (the prefix reduced to
    /// `[a-z0-9_]`); it is dropped, with any connection still open on it, when the returned
    /// [`TestDatabase`] is dropped.
    pub fn fresh_database(&self, prefix: &str) -> Result<TestDatabase, ProvisionError> {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let clean: String = prefix
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '_' })
            .take(30)
            .collect();
        let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
        let name = format!(
            "{}_{}_{}_{nanos}",
            if clean.is_empty() { "alga" } else { &clean },
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        );
        let workers: Vec<String> =
            self.citus.iter().flat_map(|c| c.workers.iter().map(|(_, _, url)| url.clone())).collect();
        let database = TestDatabase {
            url: url_with_database(&self.admin_url, &name),
            name,
            admin_url: self.admin_url.clone(),
            worker_admin_urls: Vec::new(),
            _server: self.owned.clone(),
        };
        create_database(&self.admin_url, &database.name)?;
        let Some(citus) = &self.citus else { return Ok(database) };
        // Dropped on every node it was created on, whatever fails next.
        let mut database = database;
        for url in &workers {
            create_database(url, &database.name)?;
            database.worker_admin_urls.push(url.clone());
        }
        for url in workers.iter().chain([&self.admin_url]) {
            let mut client = admin_client(&url_with_database(url, &database.name))?;
            client.batch_execute("CREATE EXTENSION citus").map_err(|err| {
                ProvisionError(format!(
                    "cannot create the citus extension in {}: {}",
                    database.name,
                    error_text(&err)
                ))
            })?;
        }
        let mut coordinator = admin_client(&database.url)?;
        // Registering activates the workers for this database, which makes Citus re-create
        // the cluster-wide roles there: registrations (and migrations) of other databases of
        // the cluster do the same at the same time, and the loser is tried again as the
        // store's migrations are. Both functions are idempotent.
        let registered = crate::postgres::retry_catalog_races(|| {
            let (host, port) = &citus.coordinator;
            coordinator.execute("SELECT citus_set_coordinator_host($1, $2)", &[host, &i32::from(*port)])?;
            for (host, port, _) in &citus.workers {
                coordinator.execute("SELECT citus_add_node($1, $2)", &[host, &i32::from(*port)])?;
            }
            Ok(())
        });
        registered.map_err(|err| {
            ProvisionError(format!(
                "cannot register the Citus nodes in {}: {}",
                database.name,
                error_text(&err)
            ))
        })?;
        Ok(database)
    }
}

/// `CREATE DATABASE name` on the server at `admin_url`.
fn create_database(admin_url: &str, name: &str) -> Result<(), ProvisionError> {
    let mut admin = admin_client(admin_url)?;
    // `name` is [a-z0-9_] only, and quoted: no injection through a prefix.
    admin.batch_execute(&format!("CREATE DATABASE \"{name}\"")).map_err(|err| {
        ProvisionError(format!("cannot create database {name} on {admin_url}: {}", error_text(&err)))
    })
}

/// A database of its own for one test or run, dropped (with any open connections) when
/// this is dropped. It keeps its server running until then.
pub struct TestDatabase {
    url: String,
    name: String,
    admin_url: String,
    /// On Citus: the workers' maintenance databases, where the database exists too.
    worker_admin_urls: Vec<String>,
    // Dropped after `Drop::drop` has dropped the database.
    _server: std::sync::Arc<OwnedServer>,
}

impl std::fmt::Debug for TestDatabase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestDatabase").field("url", &self.url).finish_non_exhaustive()
    }
}

impl TestDatabase {
    /// The database's URL.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The database's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// On Citus: the port of the worker holding tenant `tenant_id`'s shards (those of
    /// `clients`; every table is co-located with it). An error when the database is not a
    /// Citus database or the tenant's shards are on the coordinator.
    pub fn worker_of_tenant(&self, tenant_id: &str) -> Result<u16, ProvisionError> {
        let mut client = admin_client(&self.url)?;
        let row = client
            .query_one(
                "SELECT s.nodeport, n.groupid <> 0 FROM citus_shards s
                 JOIN pg_dist_node n ON n.nodename = s.nodename AND n.nodeport = s.nodeport
                 WHERE s.shardid = get_shard_id_for_distribution_column('clients', $1::text::uuid)",
                &[&tenant_id],
            )
            .map_err(|err| {
                ProvisionError(format!(
                    "cannot find tenant {tenant_id}'s shard in {}: {}",
                    self.name,
                    error_text(&err)
                ))
            })?;
        let (port, on_worker): (i32, bool) = (row.get(0), row.get(1));
        if !on_worker {
            return Err(ProvisionError(format!("tenant {tenant_id}'s shard is on the coordinator")));
        }
        u16::try_from(port).map_err(|_| ProvisionError(format!("node port {port} out of range")))
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        // The coordinator first: its connections to the workers end with it.
        for url in std::iter::once(&self.admin_url).chain(&self.worker_admin_urls) {
            let dropped = admin_client(url).and_then(|mut admin| {
                admin
                    .batch_execute(&format!("DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)", self.name))
                    .map_err(|err| ProvisionError(err.to_string()))
            });
            if let Err(err) = dropped {
                // Drop cannot fail; say what is left behind rather than hide it.
                eprintln!("warning: could not drop test database {} on {url}: {err}", self.name);
            }
        }
    }
}

fn admin_client(url: &str) -> Result<postgres::Client, ProvisionError> {
    let mut config: postgres::Config =
        url.parse().map_err(|err| ProvisionError(format!("{url:?} is not a PostgreSQL URL: {err}")))?;
    config.connect_timeout(Duration::from_secs(5));
    config
        .connect(postgres::NoTls)
        .map_err(|err| ProvisionError(format!("cannot connect to {url}: {}", error_text(&err))))
}

/// `url` with its host and port replaced (URL form or `key=value` form).
fn url_with_host(url: &str, host: &str, port: u16) -> String {
    if let Some(rest) = url.strip_prefix("postgres://").or_else(|| url.strip_prefix("postgresql://")) {
        let scheme = &url[..url.len() - rest.len()];
        let end = rest.find(['/', '?']).unwrap_or(rest.len());
        let (authority, tail) = rest.split_at(end);
        let user = authority.rsplit_once('@').map(|(user, _)| format!("{user}@")).unwrap_or_default();
        format!("{scheme}{user}{host}:{port}{tail}")
    } else {
        format!("{url} host={host} port={port}")
    }
}

/// `url` with its database replaced by `database` (URL form or `key=value` form).
fn url_with_database(url: &str, database: &str) -> String {
    if let Some(rest) = url.strip_prefix("postgres://").or_else(|| url.strip_prefix("postgresql://")) {
        let scheme = &url[..url.len() - rest.len()];
        let (before_query, query) = match rest.split_once('?') {
            Some((before, query)) => (before, Some(query)),
            None => (rest, None),
        };
        let authority = before_query.split_once('/').map_or(before_query, |(authority, _)| authority);
        let query = query.map(|q| format!("?{q}")).unwrap_or_default();
        format!("{scheme}{authority}/{database}{query}")
    } else {
        format!("{url} dbname={database}")
    }
}

/// Finds a PostgreSQL by the ladder of this module's documentation.
pub fn postgres_server() -> Result<PostgresServer, ProvisionError> {
    let mut tried = Vec::new();
    match std::env::var("DATABASE_URL") {
        Ok(url) if !url.trim().is_empty() => return environment_server(url.trim()),
        _ => tried.push("DATABASE_URL: not set".to_string()),
    }
    #[cfg(feature = "testcontainers")]
    match container_server() {
        Ok(server) => return Ok(server),
        Err(err) => tried.push(format!("testcontainers: {err}")),
    }
    #[cfg(not(feature = "testcontainers"))]
    tried.push(
        "testcontainers: not compiled in (build with `--features testcontainers` to use Docker)".into(),
    );
    match local_cluster() {
        Ok(server) => return Ok(server),
        Err(err) => tried.push(format!("local cluster: {err}")),
    }
    Err(ProvisionError(no_server_message(&tried)))
}

/// The error of the last rung: what was tried, and every way to get a PostgreSQL.
fn no_server_message(tried: &[String]) -> String {
    format!(
        "no PostgreSQL is available. Tried:\n  - {}\n\
         To get one, do any of:\n  \
         - set DATABASE_URL to a server you may create databases on, e.g. \
           DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres\n  \
         - install the PostgreSQL server binaries (Debian/Ubuntu: `apt-get install postgresql`; \
           macOS: `brew install postgresql@15`) so that initdb and pg_ctl are found \
           (set PG_BIN to their directory if they are not on PATH)\n  \
         - start a Docker engine and build with `--features testcontainers`",
        tried.join("\n  - ")
    )
}

fn environment_server(url: &str) -> Result<PostgresServer, ProvisionError> {
    admin_client(url).map_err(|err| {
        ProvisionError(format!("DATABASE_URL is set but does not answer ({err}); fix or unset it"))
    })?;
    Ok(PostgresServer::new(url.to_string(), ServerSource::EnvironmentUrl, OwnedServer::default()))
}

#[cfg(feature = "testcontainers")]
fn container_server() -> Result<PostgresServer, String> {
    use testcontainers::core::{IntoContainerPort, WaitFor};
    use testcontainers::runners::SyncRunner;
    use testcontainers::{GenericImage, ImageExt};
    docker_answers()?;
    let container = GenericImage::new("postgres", "15-alpine")
        .with_exposed_port(5432.tcp())
        .with_wait_for(WaitFor::message_on_stderr("database system is ready to accept connections"))
        .with_env_var("POSTGRES_HOST_AUTH_METHOD", "trust")
        .start()
        .map_err(|err| format!("cannot start a postgres:15-alpine container: {err}"))?;
    let port = container.get_host_port_ipv4(5432.tcp()).map_err(|err| err.to_string())?;
    let host = container.get_host().map_err(|err| err.to_string())?;
    let url = format!("postgres://postgres@{host}:{port}/postgres");
    // The image restarts the server once after initialising; wait until it answers.
    wait_until_answers(&url, Duration::from_secs(30))?;
    Ok(PostgresServer::new(
        url,
        ServerSource::Container,
        OwnedServer { _container: Some(container), cluster: None, workers: Vec::new() },
    ))
}

/// Whether a Docker engine answers a ping on `DOCKER_HOST` or the default socket.
#[cfg(feature = "testcontainers")]
fn docker_answers() -> Result<(), String> {
    use std::io::{Read, Write};
    let host = std::env::var("DOCKER_HOST").unwrap_or_else(|_| "unix:///var/run/docker.sock".into());
    let ping = b"GET /_ping HTTP/1.0\r\n\r\n";
    let mut answer = String::new();
    let result = if let Some(path) = host.strip_prefix("unix://") {
        std::os::unix::net::UnixStream::connect(path).and_then(|mut s| {
            s.set_read_timeout(Some(Duration::from_secs(2)))?;
            s.write_all(ping)?;
            s.read_to_string(&mut answer)
        })
    } else if let Some(address) = host.strip_prefix("tcp://") {
        std::net::TcpStream::connect(address).and_then(|mut s| {
            s.set_read_timeout(Some(Duration::from_secs(2)))?;
            s.write_all(ping)?;
            s.read_to_string(&mut answer)
        })
    } else {
        return Err(format!("DOCKER_HOST={host} is neither unix:// nor tcp://"));
    };
    match result {
        Ok(_) if answer.ends_with("OK") => Ok(()),
        Ok(_) => Err(format!("the Docker engine at {host} did not answer a ping")),
        Err(err) => Err(format!("no Docker engine answers at {host}: {err}")),
    }
}

#[cfg_attr(not(feature = "testcontainers"), allow(dead_code))]
fn wait_until_answers(url: &str, limit: Duration) -> Result<(), String> {
    let deadline = Instant::now() + limit;
    loop {
        match admin_client(url) {
            Ok(_) => return Ok(()),
            Err(err) if Instant::now() >= deadline => {
                return Err(format!("the server never answered: {err}"));
            }
            Err(_) => std::thread::sleep(Duration::from_millis(100)),
        }
    }
}

/// Rung 3 alone: starts a throwaway cluster from the local PostgreSQL binaries, whatever
/// `DATABASE_URL` says. Used by [`postgres_server`], and by tests of the rung itself.
pub fn local_cluster() -> Result<PostgresServer, ProvisionError> {
    let cluster = LocalCluster::create().map_err(ProvisionError)?;
    Ok(PostgresServer::new(
        cluster.url(),
        ServerSource::LocalCluster,
        OwnedServer {
            cluster: Some(cluster),
            workers: Vec::new(),
            #[cfg(feature = "testcontainers")]
            _container: None,
        },
    ))
}

/// The Citus ladder: `CITUS_URL` when set (an explicit choice: if it is not a coordinator
/// with workers, that is the error), else [`citus_cluster`].
pub fn citus_server() -> Result<PostgresServer, ProvisionError> {
    match std::env::var("CITUS_URL") {
        Ok(url) if !url.trim().is_empty() => {
            let url = url.trim();
            let citus = citus_nodes(url).map_err(|err| {
                ProvisionError(format!("CITUS_URL is set but is not a Citus coordinator with workers: {err}"))
            })?;
            let mut server =
                PostgresServer::new(url.to_string(), ServerSource::CitusUrl, OwnedServer::default());
            server.citus = Some(citus);
            Ok(server)
        }
        _ => citus_cluster(),
    }
}

/// Whether [`citus_cluster`] can start a cluster: the Citus extension is installed for the
/// PostgreSQL whose `initdb` the throwaway clusters use (what `scripts/citus.sh` does).
pub fn citus_installed() -> bool {
    postgres_bin_dir().is_ok_and(|bin| citus_library_in(&bin))
}

/// Whether `lib/citus.so` sits beside the PostgreSQL binaries in `bin`.
fn citus_library_in(bin: &Path) -> bool {
    bin.parent().is_some_and(|dir| dir.join("lib").join("citus.so").is_file())
}

/// The coordinator and workers registered in the database at `url`.
fn citus_nodes(url: &str) -> Result<CitusNodes, ProvisionError> {
    let mut client = admin_client(url)?;
    let rows = client
        .query(
            "SELECT nodename, nodeport, groupid = 0 FROM pg_dist_node WHERE noderole = 'primary' ORDER BY groupid",
            &[],
        )
        .map_err(|err| ProvisionError(format!("cannot read pg_dist_node at {url}: {}", error_text(&err))))?;
    let mut coordinator = None;
    let mut workers = Vec::new();
    for row in rows {
        let (host, port, is_coordinator): (String, i32, bool) = (row.get(0), row.get(1), row.get(2));
        let port =
            u16::try_from(port).map_err(|_| ProvisionError(format!("node port {port} out of range")))?;
        if is_coordinator {
            coordinator = Some((host, port));
        } else {
            workers.push((host.clone(), port, url_with_host(url, &host, port)));
        }
    }
    let coordinator = coordinator.ok_or_else(|| {
        ProvisionError(format!("{url} has no coordinator registered (citus_set_coordinator_host)"))
    })?;
    if workers.is_empty() {
        return Err(ProvisionError(format!("{url} has no worker nodes (citus_add_node)")));
    }
    Ok(CitusNodes { coordinator, workers })
}

/// Settings of every node of a throwaway Citus cluster. Four shards per table instead of
/// Citus's 32: the tests' databases hold a few tenants, and a fresh database distributes
/// 16 tables eight times faster; two workers still hold two shards each.
const CITUS_SETTINGS: &[&str] = &["shared_preload_libraries=citus", "citus.shard_count=4"];

/// Starts a throwaway Citus cluster, whatever `CITUS_URL` says: a coordinator and two
/// workers, each a [`LocalCluster`] (same watchdog, same cleanup), with the extension in
/// their maintenance databases and the workers registered, so that `citus_nodes` reads
/// them back as it would from `CITUS_URL`.
pub fn citus_cluster() -> Result<PostgresServer, ProvisionError> {
    let bin = postgres_bin_dir().map_err(ProvisionError)?;
    if !citus_library_in(&bin) {
        return Err(ProvisionError(format!(
            "Citus is not installed for the PostgreSQL in {} (no lib/citus.so): run scripts/citus.sh, \
             or set CITUS_URL to an existing coordinator",
            bin.display()
        )));
    }
    let coordinator = LocalCluster::create_with(CITUS_SETTINGS).map_err(ProvisionError)?;
    let workers = (0..2)
        .map(|_| LocalCluster::create_with(CITUS_SETTINGS))
        .collect::<Result<Vec<_>, _>>()
        .map_err(ProvisionError)?;
    for node in std::iter::once(&coordinator).chain(&workers) {
        admin_client(&node.url())?.batch_execute("CREATE EXTENSION citus").map_err(|err| {
            ProvisionError(format!("cannot create the citus extension: {}", error_text(&err)))
        })?;
    }
    let mut admin = admin_client(&coordinator.url())?;
    let port = |cluster: &LocalCluster| i32::from(cluster.port());
    let registered = admin
        .execute("SELECT citus_set_coordinator_host('127.0.0.1', $1)", &[&port(&coordinator)])
        .and_then(|_| {
            workers.iter().try_for_each(|worker| {
                admin.execute("SELECT citus_add_node('127.0.0.1', $1)", &[&port(worker)]).map(drop)
            })
        });
    registered
        .map_err(|err| ProvisionError(format!("cannot register the Citus workers: {}", error_text(&err))))?;
    let url = coordinator.url();
    let citus = citus_nodes(&url)?;
    let mut server = PostgresServer::new(
        url,
        ServerSource::CitusCluster,
        OwnedServer {
            cluster: Some(coordinator),
            workers,
            #[cfg(feature = "testcontainers")]
            _container: None,
        },
    );
    server.citus = Some(citus);
    Ok(server)
}

/// A throwaway PostgreSQL cluster in a temporary directory, listening on 127.0.0.1 on a
/// free port. Stopped (immediately) and deleted when dropped.
#[derive(Debug)]
pub struct LocalCluster {
    dir: tempfile::TempDir,
    bin: PathBuf,
    port: u16,
    /// Set when this process runs as root: every command runs as the `postgres` user.
    run_as_postgres: bool,
    /// `name=value` server settings given at every start (`-c`).
    settings: Vec<String>,
}

impl LocalCluster {
    fn create() -> Result<LocalCluster, String> {
        Self::create_with(&[])
    }

    fn create_with(settings: &[&str]) -> Result<LocalCluster, String> {
        let bin = postgres_bin_dir()?;
        let run_as_postgres = running_as_root();
        let dir = tempfile::Builder::new()
            .prefix("alga-pg-")
            .tempdir()
            .map_err(|err| format!("cannot create a temporary directory: {err}"))?;
        if run_as_postgres {
            chown_to_postgres(dir.path())?;
        }
        let settings = settings.iter().map(|setting| setting.to_string()).collect();
        let mut cluster = LocalCluster { dir, bin, port: 0, run_as_postgres, settings };
        let data = cluster.data_dir();
        let initdb = cluster.run(
            "initdb",
            &[
                "-D".as_ref(),
                data.as_os_str(),
                "-U".as_ref(),
                "postgres".as_ref(),
                "-A".as_ref(),
                "trust".as_ref(),
                "-E".as_ref(),
                "UTF8".as_ref(),
                "--locale=C.UTF-8".as_ref(),
                "--no-sync".as_ref(),
            ],
        )?;
        if !initdb.status.success() {
            return Err(format!("initdb failed: {}", output_text(&initdb)));
        }
        // A port that is free now may be taken before the server binds it: try a few.
        let mut last_error = String::new();
        for _ in 0..5 {
            cluster.port = free_port()?;
            match cluster.start() {
                Ok(()) => {
                    cluster.spawn_watchdog()?;
                    return Ok(cluster);
                }
                Err(err) => last_error = err,
            }
        }
        Err(last_error)
    }

    fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    /// The maintenance database's URL.
    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    /// The temporary directory holding the cluster (deleted on drop).
    pub fn directory(&self) -> &Path {
        self.dir.path()
    }

    /// The port the cluster listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Starts the (stopped) cluster on its port and waits until it accepts connections.
    pub fn start(&self) -> Result<(), String> {
        // fsync off: a throwaway cluster need not survive the machine crashing, and a killed
        // server's writes are still in the OS cache. synchronous_commit stays on: a commit
        // must survive `stop_immediately`, which tests use to simulate a crash.
        let mut options = format!(
            "-p {} -c listen_addresses=127.0.0.1 -k {} -c fsync=off -c full_page_writes=off",
            self.port,
            self.dir.path().display()
        );
        for setting in &self.settings {
            options.push_str(&format!(" -c {setting}"));
        }
        let log = self.dir.path().join("server.log");
        let data = self.data_dir();
        let output = self.run(
            "pg_ctl",
            &[
                "-D".as_ref(),
                data.as_os_str(),
                "-l".as_ref(),
                log.as_os_str(),
                "-o".as_ref(),
                options.as_ref(),
                "-w".as_ref(),
                "-t".as_ref(),
                "30".as_ref(),
                "start".as_ref(),
            ],
        )?;
        if output.status.success() {
            Ok(())
        } else {
            let log = std::fs::read_to_string(&log).unwrap_or_default();
            Err(format!("pg_ctl start failed: {}\nserver log:\n{log}", output_text(&output)))
        }
    }

    /// Stops the cluster at once (`pg_ctl stop -m immediate`): what a crash looks like to
    /// clients — every connection drops mid-transaction.
    pub fn stop_immediately(&self) -> Result<(), String> {
        let data = self.data_dir();
        let output = self.run(
            "pg_ctl",
            &[
                "-D".as_ref(),
                data.as_os_str(),
                "-m".as_ref(),
                "immediate".as_ref(),
                "-w".as_ref(),
                "stop".as_ref(),
            ],
        )?;
        if output.status.success() {
            Ok(())
        } else {
            Err(format!("pg_ctl stop failed: {}", output_text(&output)))
        }
    }

    /// Freezes the cluster: the postmaster and every process it started get SIGSTOP, so
    /// connections stay open and nothing answers (what a hung host or a network that drops
    /// packets looks like to clients). They get SIGCONT when the returned guard is dropped.
    pub fn freeze(&self) -> Result<Frozen, String> {
        let pid_file = self.data_dir().join("postmaster.pid");
        let text =
            std::fs::read_to_string(&pid_file).map_err(|err| format!("{}: {err}", pid_file.display()))?;
        let postmaster = text.lines().next().unwrap_or_default().trim().to_string();
        let mut pids = vec![postmaster.clone()];
        let processes = std::fs::read_dir("/proc").map_err(|err| format!("/proc: {err}"))?;
        for entry in processes.flatten() {
            let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else { continue };
            // pid (comm) state ppid ...: the fields after the command's closing parenthesis.
            let ppid = stat.rsplit_once(')').and_then(|(_, rest)| rest.split_whitespace().nth(1));
            if ppid == Some(postmaster.as_str()) {
                pids.push(entry.file_name().to_string_lossy().into_owned());
            }
        }
        signal("-STOP", &pids)?;
        Ok(Frozen { pids })
    }

    /// Starts a watchdog process that stops the cluster and deletes its directory once this
    /// process is gone, so that a cluster outlives its owner by a second at most even when
    /// no destructor runs: a `PostgresServer` kept in a `static`, `process::exit`, a panic
    /// with `panic = "abort"`, a killed test binary. The watchdog ends by itself when the
    /// directory is removed (the normal drop).
    fn spawn_watchdog(&self) -> Result<(), String> {
        let quote = |path: &Path| -> Result<String, String> {
            let text = path.to_str().ok_or_else(|| format!("{} is not UTF-8", path.display()))?;
            if text.contains('\'') {
                return Err(format!("{text} contains a quote"));
            }
            Ok(format!("'{text}'"))
        };
        let dir = quote(self.dir.path())?;
        let pg_ctl = quote(&self.bin.join("pg_ctl"))?;
        let data = quote(&self.data_dir())?;
        let as_postgres = if self.run_as_postgres { "runuser -u postgres -- " } else { "" };
        let script = format!(
            "while kill -0 {pid} 2>/dev/null && [ -d {dir} ]; do sleep 1; done; \
             if [ -d {dir} ]; then {as_postgres}{pg_ctl} -D {data} -m immediate -w stop; rm -rf {dir}; fi",
            pid = std::process::id(),
        );
        Command::new("sh")
            .args(["-c", &script])
            .current_dir(self.dir.path())
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .map(drop)
            .map_err(|err| format!("cannot start the cluster's watchdog: {err}"))
    }

    /// Runs PostgreSQL program `program` with `args` (as `postgres` when we are root), in
    /// the cluster's directory (which that user can enter).
    fn run(&self, program: &str, args: &[&std::ffi::OsStr]) -> Result<Output, String> {
        let path = self.bin.join(program);
        let mut command = if self.run_as_postgres {
            let mut command = Command::new("runuser");
            command.args(["-u", "postgres", "--"]).arg(&path);
            command
        } else {
            Command::new(&path)
        };
        command.args(args).current_dir(self.dir.path()).env_remove("PGDATA");
        command.output().map_err(|err| format!("cannot run {}: {err}", path.display()))
    }
}

impl Drop for LocalCluster {
    fn drop(&mut self) {
        // Ignore the result: the cluster may already be stopped (a test stopped it).
        let _ = self.stop_immediately();
    }
}

/// A frozen cluster ([`LocalCluster::freeze`]); dropping it lets the cluster run again.
#[derive(Debug)]
pub struct Frozen {
    pids: Vec<String>,
}

impl Drop for Frozen {
    fn drop(&mut self) {
        if let Err(err) = signal("-CONT", &self.pids) {
            eprintln!("cannot thaw the cluster: {err}");
        }
    }
}

fn signal(which: &str, pids: &[String]) -> Result<(), String> {
    let status = Command::new("kill")
        .arg(which)
        .args(pids)
        .status()
        .map_err(|err| format!("cannot run kill: {err}"))?;
    if status.success() { Ok(()) } else { Err(format!("kill {which} {pids:?} failed: {status}")) }
}

fn output_text(output: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr))
        .trim()
        .to_string()
}

/// Where `initdb` and `pg_ctl` are: `PG_BIN`, `pg_config --bindir`, the newest
/// `/usr/lib/postgresql/*/bin`, or `PATH`.
fn postgres_bin_dir() -> Result<PathBuf, String> {
    let has_tools = |dir: &Path| dir.join("initdb").is_file() && dir.join("pg_ctl").is_file();
    let mut candidates: Vec<PathBuf> = Vec::new();
    if let Ok(dir) = std::env::var("PG_BIN") {
        candidates.push(dir.into());
    }
    if let Ok(output) = Command::new("pg_config").arg("--bindir").output()
        && output.status.success()
    {
        candidates.push(String::from_utf8_lossy(&output.stdout).trim().into());
    }
    if let Ok(entries) = std::fs::read_dir("/usr/lib/postgresql") {
        let mut versions: Vec<(u32, PathBuf)> = entries
            .filter_map(Result::ok)
            .filter_map(|e| Some((e.file_name().to_str()?.parse().ok()?, e.path().join("bin"))))
            .collect();
        versions.sort();
        candidates.extend(versions.into_iter().rev().map(|(_, dir)| dir));
    }
    if let Some(path) = std::env::var_os("PATH") {
        candidates.extend(std::env::split_paths(&path));
    }
    candidates.iter().find(|dir| has_tools(dir)).cloned().ok_or_else(|| {
        "initdb and pg_ctl were not found (looked in PG_BIN, `pg_config --bindir`, /usr/lib/postgresql/*/bin and PATH)"
            .to_string()
    })
}

fn running_as_root() -> bool {
    Command::new("id").arg("-u").output().is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

fn chown_to_postgres(dir: &Path) -> Result<(), String> {
    let id = |flag: &str| -> Result<u32, String> {
        let output = Command::new("id")
            .args([flag, "postgres"])
            .output()
            .map_err(|err| format!("cannot run id: {err}"))?;
        String::from_utf8_lossy(&output.stdout).trim().parse().map_err(|_| {
            "running as root, but there is no `postgres` user to run PostgreSQL as (PostgreSQL refuses root); \
             create one (`useradd postgres`) or run as another user"
                .to_string()
        })
    };
    std::os::unix::fs::chown(dir, Some(id("-u")?), Some(id("-g")?))
        .map_err(|err| format!("cannot hand {} to the postgres user: {err}", dir.display()))
}

fn free_port() -> Result<u16, String> {
    let listener =
        std::net::TcpListener::bind("127.0.0.1:0").map_err(|err| format!("no free port: {err}"))?;
    listener.local_addr().map(|a| a.port()).map_err(|err| format!("no free port: {err}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_urls_are_rewritten_in_both_forms() {
        assert_eq!(url_with_database("postgres://u@h:5/test", "x"), "postgres://u@h:5/x");
        assert_eq!(
            url_with_database("postgresql://u@h/test?sslmode=disable", "x"),
            "postgresql://u@h/x?sslmode=disable"
        );
        assert_eq!(url_with_database("postgres://u@h:5", "x"), "postgres://u@h:5/x");
        assert_eq!(url_with_database("host=h user=u dbname=test", "x"), "host=h user=u dbname=test dbname=x");
    }

    #[test]
    fn worker_urls_keep_user_database_and_query() {
        assert_eq!(url_with_host("postgres://u:p@h:5/db?x=1", "w", 7), "postgres://u:p@w:7/db?x=1");
        assert_eq!(url_with_host("postgresql://h/db", "w", 7), "postgresql://w:7/db");
        assert_eq!(url_with_host("postgres://u@h", "w", 7), "postgres://u@w:7");
        assert_eq!(url_with_host("host=h user=u", "w", 7), "host=h user=u host=w port=7");
    }

    #[test]
    fn the_last_rung_says_what_was_tried_and_how_to_get_a_postgres() {
        let message =
            no_server_message(&["DATABASE_URL: not set".into(), "local cluster: initdb not found".into()]);
        assert!(
            message.contains("  - DATABASE_URL: not set\n  - local cluster: initdb not found\n"),
            "{message}"
        );
        for hint in
            ["DATABASE_URL=postgres://", "apt-get install postgresql", "PG_BIN", "--features testcontainers"]
        {
            assert!(message.contains(hint), "{hint}: {message}");
        }
    }
}
