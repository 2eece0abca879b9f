//! `serve` under load and faults, with bounded time (issue 13): the TypeScript sample over
//! HTTP from a client in the test, with
//!
//! - 1,000 requests at concurrency 32: no errors; p50 and p99 printed;
//! - the same again while 50 slow clients trickle their bodies: no errors;
//! - resident memory after 10,000 executions within [`RSS_GROWTH_BOUND_MIB`] of what it was
//!   after a warm-up;
//! - PostgreSQL (a throwaway cluster of the test's own) stopped and restarted mid-load:
//!   `503 store-unavailable` or the extension's `internal` (502) while it is down, full
//!   service once it is back, `/healthz` up throughout, and no SQL, connection string or
//!   password in any response or log line; then the database frozen (SIGSTOP): executions
//!   end within their time limit (`503 store-unavailable` or `internal`), `/healthz` and
//!   `/v1/components` still answer at once, and service resumes after the thaw.
//!
//! The figures are printed (run with `--nocapture`); BENCHMARKS.md records them from a
//! release build on an idle machine:
//! `cargo test --release -p alga-reference-host --test serve_load -- --nocapture --test-threads 1`.

mod support;

use serde_json::{Value as Json, json};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use std::time::{Duration, Instant};
use support::cli::{Seeded, bearer};
use support::http_client::{Connection, SlowBody, request};

/// How much resident memory may grow from after the warm-up to after 10,000 executions.
/// What stays resident is the engine, the compiled sample (mapped once) and the allocator's
/// high-water mark; executions leave nothing behind, so growth beyond this is a leak.
const RSS_GROWTH_BOUND_MIB: f64 = 16.0;

/// The body of an execution request of the sample (`report`) at `path` in `context`.
fn execution(context: &Json, path: &str) -> String {
    json!({"context": context, "component": "report", "request": {"path": path}}).to_string()
}

/// Resident memory of process `pid`, in MiB.
fn rss_mib(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let kib: f64 = status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmRSS in /proc/PID/status");
    kib / 1024.0
}

/// The `p`th percentile (0..=100) of sorted `values`.
fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let rank = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    sorted[rank]
}

fn millis(duration: Duration) -> String {
    format!("{:.2} ms", duration.as_secs_f64() * 1000.0)
}

/// What one load run gave.
struct Run {
    latencies: Vec<Duration>,
    errors: Vec<String>,
    elapsed: Duration,
}

impl Run {
    fn summary(&self) -> String {
        let mut sorted = self.latencies.clone();
        sorted.sort();
        format!(
            "{} requests, {} errors, p50 {}, p99 {}, {:.0} requests/s",
            sorted.len(),
            self.errors.len(),
            millis(percentile(&sorted, 50.0)),
            millis(percentile(&sorted, 99.0)),
            sorted.len() as f64 / self.elapsed.as_secs_f64()
        )
    }
}

/// Sends `requests` execution requests with `body` from `concurrency` clients, each on a
/// kept-alive connection; a response other than 200 with the extension's 200 is an error.
fn load(address: &str, body: &str, requests: usize, concurrency: usize) -> Run {
    let started = Instant::now();
    let results: Vec<(Vec<Duration>, Vec<String>)> = std::thread::scope(|scope| {
        let clients: Vec<_> = (0..concurrency)
            .map(|n| {
                let share = requests / concurrency + usize::from(n < requests % concurrency);
                scope.spawn(move || {
                    let (mut latencies, mut errors) = (Vec::with_capacity(share), Vec::new());
                    let mut connection = Connection::open(address).unwrap();
                    let auth = bearer();
                    for _ in 0..share {
                        let sent = Instant::now();
                        match connection.send(
                            "POST",
                            "/v1/execute",
                            &[("authorization", &auth)],
                            body.as_bytes(),
                        ) {
                            Ok(response) if response.status == 200 && response.json()["status"] == 200 => {
                                latencies.push(sent.elapsed());
                            }
                            Ok(response) => errors.push(format!("{}: {}", response.status, response.text())),
                            Err(err) => {
                                errors.push(err.to_string());
                                connection = Connection::open(address).unwrap();
                            }
                        }
                    }
                    (latencies, errors)
                })
            })
            .collect();
        clients.into_iter().map(|client| client.join().unwrap()).collect()
    });
    let elapsed = started.elapsed();
    let (mut latencies, mut errors) = (Vec::new(), Vec::new());
    for (l, e) in results {
        latencies.extend(l);
        errors.extend(e);
    }
    Run { latencies, errors, elapsed }
}

/// A client id of the tenant of `context` in the default demo (what `seed` loads).
fn demo_client_id(context: &Json) -> String {
    let demo = alga_reference_store::demo::build(&alga_reference_store::demo::DemoConfig::default());
    let tenant = demo.fixture.tenants.iter().find(|t| t.tenant_id == context["tenantId"]).unwrap();
    tenant.clients[0].client_id.clone()
}

#[test]
fn load_slow_clients_and_memory_on_the_embedded_store() {
    let seeded = Seeded::new();
    let server = support::cli::serve_sample(seeded.path(), "sqlite", &["--workers", "4"]);
    let admin = seeded.context_json("t1-admin");
    let body = execution(&admin, &format!("/clients/{}", demo_client_id(&admin)));

    let warm_up = load(&server.address, &body, 500, 32);
    assert!(warm_up.errors.is_empty(), "{:?}", &warm_up.errors[..warm_up.errors.len().min(5)]);
    let rss_warm = rss_mib(server.pid());

    let plain = load(&server.address, &body, 1000, 32);
    assert!(plain.errors.is_empty(), "{:?}", &plain.errors[..plain.errors.len().min(5)]);

    // 50 clients that send headers and then a byte of body a second (the client timeout,
    // 10 s, ends them after this run).
    let slow: Vec<SlowBody> =
        (0..50).map(|_| SlowBody::start(&server.address, &bearer(), Duration::from_secs(1))).collect();
    let with_slow = load(&server.address, &body, 1000, 32);
    assert!(with_slow.errors.is_empty(), "{:?}", &with_slow.errors[..with_slow.errors.len().min(5)]);

    // 10,000 executions since the warm-up in all.
    let rest = load(&server.address, &body, 8000, 32);
    assert!(rest.errors.is_empty(), "{:?}", &rest.errors[..rest.errors.len().min(5)]);
    let rss_after = rss_mib(server.pid());
    for connection in slow {
        match connection.ended() {
            Ok(response) => assert_eq!(response.status, 408, "{}", response.text()),
            Err(err) => panic!("a slow client was not answered 408: {err}"),
        }
    }

    println!("\n| figure (TypeScript sample, GET /clients/:id, embedded store, 4 workers) | value |");
    println!("|---|---|");
    println!("| concurrency 32 | {} |", plain.summary());
    println!("| concurrency 32 with 50 slow clients holding connections | {} |", with_slow.summary());
    println!(
        "| resident memory after a warm-up of 500 / after 10,000 more executions | {rss_warm:.1} MiB / {rss_after:.1} MiB ({:+.1} MiB; bound +{RSS_GROWTH_BOUND_MIB} MiB) |",
        rss_after - rss_warm
    );
    assert!(
        rss_after <= rss_warm + RSS_GROWTH_BOUND_MIB,
        "resident memory grew from {rss_warm:.1} MiB to {rss_after:.1} MiB over 10,000 executions"
    );
}

/// Which part of the outage a request belongs to.
const BEFORE: u8 = 0;
const DOWN: u8 = 1;
const RESTARTING: u8 = 2;
const AFTER: u8 = 3;
/// While `pg_ctl stop` runs: requests started then may still be answered (not judged).
const STOPPING: u8 = 4;

/// What the outage test's clients saw, per phase (a request counts for a phase when it
/// started and ended in it).
#[derive(Default)]
struct Seen {
    ok: [usize; 5],
    store_unavailable: [usize; 5],
    internal: [usize; 5],
    other: Vec<(u8, String)>,
    leaks: Vec<String>,
}

/// What no response may contain: SQL, connection details, the password.
fn leaked(text: &str, port: u16) -> Option<&'static str> {
    let lower = text.to_ascii_lowercase();
    let port = format!(":{port}");
    // None of these words is in the demo data, so their presence can only be a leak.
    [
        ("select ", "SQL"),
        ("sqlstate", "a database error"),
        ("postgres", "the database's name or URL"),
        ("connect", "a connection error"),
        ("hunter2", "the password"),
        ("127.0.0.1", "the database's address"),
    ]
    .into_iter()
    .find(|(needle, _)| lower.contains(needle))
    .map(|(_, what)| what)
    .or_else(|| text.contains(&port).then_some("the database's port"))
}

#[test]
fn a_database_stopped_and_restarted_mid_load() {
    // A cluster of this test's own, so that stopping it harms nobody else.
    let cluster_server =
        alga_reference_store::provision::local_cluster().unwrap_or_else(|err| panic!("{err}"));
    let cluster = cluster_server.local_cluster().expect("a local cluster");
    let database = cluster_server.fresh_database("alga_serve_outage").unwrap_or_else(|err| panic!("{err}"));
    // The cluster trusts local connections; the password is there to prove it is never echoed.
    let url = database.url().replacen("postgres://postgres@", "postgres://postgres:hunter2-SECRET@", 1);
    assert!(url.contains("hunter2"), "{url}");
    let store = format!("postgres={url}");
    let dir = tempfile::tempdir().unwrap();
    let admin = support::cli::seed_one_tenant(dir.path(), &store);
    let server = support::cli::serve_sample(dir.path(), &store, &["--workers", "4"]);
    let body = execution(&admin, "/clients?pageSize=5");

    let phase = AtomicU8::new(BEFORE);
    let stop = AtomicBool::new(false);
    let seen = Mutex::new(Seen::default());
    let port = cluster.port();
    let mut recovered_after = None;
    std::thread::scope(|scope| {
        for _ in 0..8 {
            let (phase, stop, seen, address, body) = (&phase, &stop, &seen, &server.address, &body);
            scope.spawn(move || {
                let auth = bearer();
                let mut connection = Connection::open(address).unwrap();
                while !stop.load(Ordering::SeqCst) {
                    let started_in = phase.load(Ordering::SeqCst);
                    let response =
                        connection.send("POST", "/v1/execute", &[("authorization", &auth)], body.as_bytes());
                    let ended_in = phase.load(Ordering::SeqCst);
                    let mut seen = seen.lock().unwrap();
                    let response = match response {
                        Ok(response) => response,
                        Err(err) => {
                            seen.other.push((started_in, format!("connection: {err}")));
                            connection = Connection::open(address).unwrap();
                            continue;
                        }
                    };
                    let text = response.text();
                    if let Some(what) = leaked(&text, port) {
                        seen.leaks.push(format!("{what}: {text}"));
                    }
                    if started_in != ended_in {
                        continue;
                    }
                    let json = response.json();
                    let p = usize::from(started_in);
                    match (response.status, json["error"].as_str(), &json["status"]) {
                        (200, _, status) if *status == 200 => seen.ok[p] += 1,
                        (503, Some("store-unavailable"), _) => seen.store_unavailable[p] += 1,
                        (200, _, status) if *status == 502 && text.contains("internal") => {
                            seen.internal[p] += 1
                        }
                        _ => seen.other.push((started_in, text)),
                    }
                }
            });
        }
        std::thread::sleep(Duration::from_secs(2));
        phase.store(STOPPING, Ordering::SeqCst);
        cluster.stop_immediately().unwrap_or_else(|err| panic!("{err}"));
        phase.store(DOWN, Ordering::SeqCst);
        for _ in 0..10 {
            assert_eq!(request(&server.address, "GET", "/healthz", &[], b"").status, 200);
            std::thread::sleep(Duration::from_millis(200));
        }
        phase.store(RESTARTING, Ordering::SeqCst);
        let restarting = Instant::now();
        cluster.start().unwrap_or_else(|err| panic!("{err}"));
        phase.store(AFTER, Ordering::SeqCst);
        recovered_after = Some(restarting.elapsed());
        std::thread::sleep(Duration::from_secs(2));
        stop.store(true, Ordering::SeqCst);
    });

    let seen = seen.into_inner().unwrap();
    let log = server.log();
    println!(
        "\n| PostgreSQL outage (8 clients, GET /clients?pageSize=5) | ok | 503 store-unavailable | extension `internal` (502) |"
    );
    println!("|---|---|---|---|");
    for (name, p) in [("before", BEFORE), ("stopped", DOWN), ("after the restart", AFTER)] {
        let p = usize::from(p);
        println!("| {name} | {} | {} | {} |", seen.ok[p], seen.store_unavailable[p], seen.internal[p]);
    }
    println!("(pg_ctl start took {:?})", recovered_after.unwrap());
    assert!(seen.leaks.is_empty(), "responses leaked: {:?}", &seen.leaks[..seen.leaks.len().min(3)]);
    let unexpected: Vec<_> = seen.other.iter().filter(|(p, _)| *p != RESTARTING && *p != STOPPING).collect();
    assert!(unexpected.is_empty(), "unexpected answers: {:?}", &unexpected[..unexpected.len().min(5)]);
    let (before, down, after) = (usize::from(BEFORE), usize::from(DOWN), usize::from(AFTER));
    assert!(seen.ok[before] > 0 && seen.store_unavailable[before] + seen.internal[before] == 0);
    assert!(seen.store_unavailable[down] + seen.internal[down] > 0, "requests were made while it was down");
    assert_eq!(seen.ok[down], 0, "nothing answers from a stopped database");
    assert!(seen.ok[after] > 0, "full service after the restart");
    assert_eq!(seen.store_unavailable[after] + seen.internal[after], 0, "full service after the restart");
    assert!(log.contains("warning: the store failed during"), "store errors are logged:\n{log}");
    assert!(!log.contains("hunter2"), "the password is never logged:\n{log}");

    // Frozen (issue 13: executions waited for the whole freeze, 15-61 s): every request ends
    // within the time limit (2 s) and a margin, as `503 store-unavailable` (the check of the
    // context's install) or the extension's `internal`; what does not need the database
    // answers at once; after the thaw, full service.
    let frozen = cluster.freeze().unwrap_or_else(|err| panic!("{err}"));
    std::thread::scope(|scope| {
        let waiting: Vec<_> = (0..4)
            .map(|_| {
                let (address, body) = (&server.address, &body);
                scope.spawn(move || {
                    let started = Instant::now();
                    let response = request(
                        address,
                        "POST",
                        "/v1/execute",
                        &[("authorization", &bearer())],
                        body.as_bytes(),
                    );
                    (started.elapsed(), response)
                })
            })
            .collect();
        std::thread::sleep(Duration::from_millis(300));
        for _ in 0..5 {
            assert_eq!(request(&server.address, "GET", "/healthz", &[], b"").status, 200);
            let components =
                request(&server.address, "GET", "/v1/components", &[("authorization", &bearer())], b"");
            assert_eq!(components.status, 200);
        }
        for handle in waiting {
            let (took, response) = handle.join().unwrap();
            let text = response.text();
            let json = response.json();
            let expected = match (response.status, json["error"].as_str()) {
                (503, Some("store-unavailable")) => true,
                (200, _) => json["status"] == 502 && text.contains("internal"),
                _ => false,
            };
            assert!(expected, "while frozen: {text}");
            assert!(took < Duration::from_millis(2_500), "ended within the time limit: {took:?}");
            println!("frozen database: answered {} after {took:?}", response.status);
        }
    });
    drop(frozen);
    let thawed =
        request(&server.address, "POST", "/v1/execute", &[("authorization", &bearer())], body.as_bytes());
    assert_eq!(
        (thawed.status, &thawed.json()["status"]),
        (200, &json!(200)),
        "served once the database thaws"
    );
}
