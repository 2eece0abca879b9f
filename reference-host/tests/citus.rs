//! The reference host on a Citus cluster (a coordinator and two workers), as a user runs
//! it: `seed --store postgres=URL` loads the demo data through the coordinator's URL, and
//! `serve --store postgres=URL` answers the TypeScript sample extension
//! (`examples/clients-report`, built with npm) for tenants whose shards are on either
//! worker. Nothing but the URL is needed: the store distributes its schema by tenant
//! itself.
//!
//! The cluster comes from the store's provisioning ladder: `CITUS_URL`, else a throwaway
//! coordinator and two workers from the local binaries (Citus must be installed:
//! `scripts/citus.sh`); without one the test fails with the ladder's explanation.

mod support;

use serde_json::{Value as Json, json};
use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};

/// The host's command in `dir`. A token is set for `serve`: hosts that require one get it,
/// and requests carry it.
fn command(dir: &std::path::Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_alga-reference-host"));
    let cache = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("cli-cache");
    command
        .current_dir(dir)
        .env_remove("DATABASE_URL")
        .env("XDG_CACHE_HOME", cache)
        .env("ALGA_HOST_TOKEN", TOKEN);
    command
}

const TOKEN: &str = "citus-test-token-2f6c1e0a9b7d4e3c";

/// A child process killed when dropped.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// One HTTP/1.1 request with the token; returns the status and the JSON body.
fn http(address: &str, method: &str, path: &str, body: &str) -> (u16, Json) {
    let mut stream = TcpStream::connect(address).expect("the server accepts connections");
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {TOKEN}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let (head, body) = response.split_once("\r\n\r\n").expect("an HTTP response");
    let status = head.split(' ').nth(1).and_then(|s| s.parse().ok()).expect("a status line");
    (status, serde_json::from_str(body).unwrap_or_else(|_| panic!("not JSON: {body}")))
}

#[test]
fn seed_and_serve_the_sample_extension_on_citus() {
    let server = alga_reference_store::provision::citus_server().unwrap_or_else(|err| panic!("{err}"));
    let database = server.fresh_database("alga_host_citus").unwrap_or_else(|err| panic!("{err}"));
    let store = format!("postgres={}", database.url());
    let dir = tempfile::tempdir().unwrap();

    let seeded = command(dir.path())
        .args(["seed", "--store", &store, "--tenants", "4", "--format", "json"])
        .output()
        .unwrap();
    assert!(seeded.status.success(), "{}", String::from_utf8_lossy(&seeded.stderr));
    let summary: Json = serde_json::from_slice(&seeded.stdout).unwrap();
    let contexts = summary["contexts"].as_array().unwrap().clone();
    let context = |name: &str| {
        contexts.iter().find(|c| c["name"] == name).unwrap_or_else(|| panic!("{name}"))["context"].clone()
    };

    // Which worker holds each tenant, read from the coordinator.
    let workers: std::collections::BTreeMap<&str, u16> =
        ["t1-admin", "t2-scheduled", "t3-scheduled", "t4-scheduled"]
            .into_iter()
            .map(|name| {
                let tenant = context(name)["tenantId"].as_str().unwrap().to_string();
                (name, database.worker_of_tenant(&tenant).unwrap_or_else(|err| panic!("{err}")))
            })
            .collect();

    let sample = support::sample::sample_extension_file().to_str().unwrap().to_string();
    let mut child = command(dir.path())
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--store",
            &store,
            "--component",
            &format!("report={sample}"),
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut first_line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut first_line).unwrap();
    let _server = Running(child);
    let address = first_line
        .strip_prefix("listening on http://")
        .and_then(|rest| rest.split(' ').next())
        .unwrap_or_else(|| panic!("unexpected first line: {first_line}"))
        .to_string();
    let execute = |context: &Json, path: &str| {
        let body = json!({"context": context, "component": "report", "request": {"path": path}});
        http(&address, "POST", "/v1/execute", &body.to_string())
    };

    for (name, port) in &workers {
        let (status, response) = execute(&context(name), "/report");
        assert_eq!((status, &response["status"]), (200, &json!(200)), "{name} on worker {port}: {response}");
        let report: Json = serde_json::from_str(response["body"].as_str().unwrap()).unwrap();
        let clients =
            report["clients"]["active"].as_u64().unwrap() + report["clients"]["inactive"].as_u64().unwrap();
        assert!(clients > 0, "{name}: {report}");
    }
    let (status, response) = execute(&context("t1-admin"), "/clients?pageSize=5");
    assert_eq!((status, &response["status"]), (200, &json!(200)), "{response}");
    let page: Json = serde_json::from_str(response["body"].as_str().unwrap()).unwrap();
    assert_eq!(page["items"].as_array().unwrap().len(), 5);
    let (_, response) = execute(&context("t1-portal-user"), "/clients?includeInactive=true");
    let page: Json = serde_json::from_str(response["body"].as_str().unwrap()).unwrap();
    assert_eq!(page["totalCount"], 1, "a portal user sees their own client only");
    assert_eq!(execute(&context("t1-no-capability"), "/clients").1["status"], 403);
}
