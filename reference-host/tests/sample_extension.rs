//! The sample TypeScript extension (`examples/clients-report`, built for real with npm and
//! componentize-js) run through the reference host against real data, on the embedded
//! SQLite store and on PostgreSQL:
//!
//! - every route answers what the read services hold, and contract errors become the
//!   documented HTTP statuses (403, 400, 502);
//! - 64 concurrent executions across 8 tenants with different users never see a record
//!   outside their tenant or their user's scope;
//! - a PostgreSQL killed mid-run gives the guest `internal` (502), the host keeps serving,
//!   and calls succeed once the database is back; a locked table gives `internal` within the
//!   execution's time limit;
//! - the sample as deployed at contract 0.1.0 (built once from its frozen sources against
//!   the frozen 0.1.0 WIT) answers byte for byte what it answered on the 0.1.0 host, on the
//!   data `seed` loads, on both stores, and one `serve` process runs it beside the 0.2 build,
//!   saying which contract version each imports.

mod support;

use alga_conformance_protocol::ExecutionContext;
use alga_extension_contract::types::{ClientListInput, ServiceListInput};
use alga_reference_host::limits::Limits;
use alga_reference_host::{Extension, HttpRequest, Runtime};
use alga_reference_store::ReadServices;
use alga_reference_store::demo::{self, Demo, DemoConfig};
use alga_reference_store::postgres::{PostgresOptions, PostgresStore};
use alga_reference_store::provision::{self, PostgresServer, TestDatabase};
use serde_json::{Value as Json, json};
use std::collections::BTreeSet;
use std::sync::{Arc, Barrier, OnceLock};
use std::time::Duration;
use support::visibility::{self, Visible};

fn demo_data(tenants: usize) -> Demo {
    demo::build(&DemoConfig {
        seed: 7,
        tenants,
        clients_per_tenant: 30,
        services_per_tenant: 20,
        first_tenant_clients: None,
    })
}

fn postgres_server() -> &'static PostgresServer {
    static SERVER: OnceLock<PostgresServer> = OnceLock::new();
    SERVER.get_or_init(|| provision::postgres_server().unwrap_or_else(|err| panic!("{err}")))
}

/// Read services over a fresh PostgreSQL database (dropped with the returned guard).
fn postgres_services() -> (ReadServices, TestDatabase) {
    let database = postgres_server().fresh_database("alga_host_sample").unwrap_or_else(|err| panic!("{err}"));
    let store = PostgresStore::connect(database.url()).unwrap_or_else(|err| panic!("{err}"));
    (ReadServices::new(Arc::new(store)), database)
}

/// One engine for the whole test binary, so the 12 MB sample is compiled once.
fn shared_runtime() -> &'static Runtime {
    static RUNTIME: OnceLock<Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| support::runtime_with(support::sqlite_services(), Limits::default()))
}

/// A runtime over `services` loaded with `demo`, and the sample extension in it.
fn host(services: ReadServices, demo: &Demo) -> (Runtime, Extension) {
    services.store().load_fixture(&demo.fixture).expect("the demo data loads");
    let runtime = shared_runtime().with_services(services);
    let extension = runtime.load_extension(support::sample::sample_extension()).expect("the sample loads");
    (runtime, extension)
}

fn context<'a>(demo: &'a Demo, name: &str) -> &'a ExecutionContext {
    &demo.contexts.iter().find(|c| c.name == name).unwrap_or_else(|| panic!("no demo context {name}")).context
}

/// Runs `GET target` and returns the status and the JSON body.
fn get(runtime: &Runtime, extension: &Extension, context: &ExecutionContext, target: &str) -> (u16, Json) {
    request(runtime, extension, context, "GET", target)
}

fn request(
    runtime: &Runtime,
    extension: &Extension,
    context: &ExecutionContext,
    method: &str,
    target: &str,
) -> (u16, Json) {
    let request = HttpRequest::new(method, target).unwrap();
    let response = runtime
        .execute(extension, context, &request)
        .unwrap_or_else(|err| panic!("{method} {target} did not run: {err}"));
    assert_eq!(response.header("content-type"), Some("application/json"));
    let body = serde_json::from_slice(&response.body)
        .unwrap_or_else(|err| panic!("{target}: the body is not JSON ({err}): {:?}", response.body));
    (response.status, body)
}

/// The JSON a JavaScript extension writes for `value`: `JSON.stringify` leaves out the
/// fields that are `undefined` (the WIT's `none`) where serde writes `null`, and writes an
/// integral `number` without a fraction (`1250`, where serde writes `1250.0` for an `f64`).
fn to_json<T: serde::Serialize>(value: T) -> Json {
    fn as_javascript(json: Json) -> Json {
        match json {
            Json::Object(object) => Json::Object(
                object
                    .into_iter()
                    .filter(|(_, v)| !v.is_null())
                    .map(|(k, v)| (k, as_javascript(v)))
                    .collect(),
            ),
            Json::Array(items) => Json::Array(items.into_iter().map(as_javascript).collect()),
            Json::Number(n) => match n.as_f64() {
                Some(f) if n.is_f64() && f.fract() == 0.0 && f.abs() < 9e15 => Json::from(f as i64),
                _ => Json::Number(n),
            },
            other => other,
        }
    }
    as_javascript(serde_json::to_value(value).unwrap())
}

fn every_route_answers_from_the_store(services: ReadServices) {
    let demo = demo_data(2);
    let (runtime, extension) = host(services.clone(), &demo);
    let admin = context(&demo, "t1-admin");
    let actor = services.actor(admin).unwrap();

    let (status, page) = get(&runtime, &extension, admin, "/clients");
    assert_eq!(status, 200);
    assert_eq!(page, to_json(services.list_clients(&actor, &ClientListInput::default()).unwrap()));

    let (status, page) =
        get(&runtime, &extension, admin, "/clients?search=acme&pageSize=5&includeInactive=true");
    assert_eq!(status, 200);
    let input = ClientListInput {
        search: Some("acme".into()),
        page_size: Some(5),
        include_inactive: Some(true),
        ..Default::default()
    };
    assert_eq!(page, to_json(services.list_clients(&actor, &input).unwrap()));
    assert!(page["totalCount"].as_u64().unwrap() >= 3, "Acme, ACME and acme: {page}");

    let first = page["items"][0].clone();
    let id = first["clientId"].as_str().unwrap();
    assert_eq!(get(&runtime, &extension, admin, &format!("/clients/{id}")), (200, first.clone()));
    let upper = id.to_ascii_uppercase();
    assert_eq!(get(&runtime, &extension, admin, &format!("/clients/{upper}")), (200, first));
    let (status, body) = get(&runtime, &extension, admin, "/clients/00000000-0000-0000-0000-000000000000");
    assert_eq!((status, body["error"].as_str()), (404, Some("not-found")));

    let (status, body) = get(&runtime, &extension, admin, "/clients/not-a-uuid");
    assert_eq!((status, body["error"].as_str()), (400, Some("invalid-input")));
    assert!(body["message"].as_str().unwrap().starts_with("client-id must be a UUID"), "{body}");
    assert_eq!(
        get(&runtime, &extension, admin, "/clients?page=0"),
        (400, json!({"error": "invalid-input", "message": "page must be between 1 and 10000, got 0"}))
    );
    assert_eq!(
        get(&runtime, &extension, admin, "/clients?pageSize=101").1["message"],
        "page-size must be between 1 and 100, got 101"
    );
    let megabyte = "x".repeat(1 << 20);
    let (status, body) = get(&runtime, &extension, admin, &format!("/clients?search={megabyte}"));
    assert_eq!((status, body["error"].as_str()), (400, Some("invalid-input")), "a 1 MB search");
    let (status, body) = get(&runtime, &extension, admin, "/clients?search=a%00b");
    assert_eq!((status, body["error"].as_str()), (400, Some("invalid-input")), "a NUL in the search");
    assert_eq!(
        get(&runtime, &extension, admin, "/clients?page=abc"),
        (400, json!({"error": "bad-query", "message": "page must be a whole number, got \"abc\""}))
    );
    let (status, body) = get(&runtime, &extension, admin, "/clients?pagesize=5");
    assert_eq!(status, 400);
    assert!(body["message"].as_str().unwrap().starts_with("unknown query parameter pagesize"), "{body}");

    let (status, page) = get(&runtime, &extension, admin, "/services?billingMethod=hourly&pageSize=100");
    assert_eq!(status, 200);
    let input = ServiceListInput {
        billing_method: Some(alga_extension_contract::types::BillingMethod::Hourly),
        page_size: Some(100),
        ..Default::default()
    };
    assert_eq!(page, to_json(services.list_services(&actor, &input).unwrap()));
    assert!(page["items"].as_array().unwrap().iter().all(|s| s["billingMethod"] == "hourly"));
    let item = page["items"][0].clone();
    let id = item["serviceId"].as_str().unwrap();
    assert_eq!(get(&runtime, &extension, admin, &format!("/services/{id}")), (200, item));

    // Prices (contract 0.2.0): every item carries them, the currency filter selects by them.
    assert!(page["items"].as_array().unwrap().iter().all(|s| s["prices"].is_array()), "{page}");
    let (status, page) = get(&runtime, &extension, admin, "/services?currencyCode=%20eur%20&pageSize=100");
    assert_eq!(status, 200);
    let input =
        ServiceListInput { currency_code: Some(" eur ".into()), page_size: Some(100), ..Default::default() };
    assert_eq!(page, to_json(services.list_services(&actor, &input).unwrap()));
    assert!(page["totalCount"].as_u64().unwrap() > 0, "the demo data prices items in EUR: {page}");
    for item in page["items"].as_array().unwrap() {
        assert!(item["prices"].as_array().unwrap().iter().any(|p| p["currencyCode"] == "EUR"), "{item}");
    }
    let (status, body) = get(&runtime, &extension, admin, "/services?currencyCode=euro");
    assert_eq!((status, body["error"].as_str()), (400, Some("invalid-input")));
    assert!(
        body["message"].as_str().unwrap().starts_with("currency-code must be three ASCII letters"),
        "{body}"
    );

    // A quote in the client's currency: the item's price in it, or 409 when it has none.
    let tenant = &demo.fixture.tenants[0];
    let quote = |client: &str, service: &str| {
        get(&runtime, &extension, admin, &format!("/quote?clientId={client}&serviceId={service}"))
    };
    let mut answered = std::collections::BTreeSet::new();
    for client in &tenant.clients[..6] {
        for item in &tenant.services[..10] {
            let (status, body) = quote(&client.client_id, &item.service_id);
            let price = item.prices.iter().find(|p| p.currency_code == client.default_currency_code);
            match price {
                Some(price) => {
                    assert_eq!(status, 200, "{body}");
                    assert_eq!(body["currencyCode"], client.default_currency_code.as_str());
                    assert_eq!(body["rate"], price.rate_minor_units, "{body}");
                }
                None => assert_eq!((status, body["error"].as_str()), (409, Some("no-price")), "{body}"),
            }
            answered.insert(status);
        }
    }
    assert_eq!(answered, [200, 409].into(), "quotes with and without a price in the client's currency");
    let (status, body) = quote(&tenant.clients[0].client_id, "00000000-0000-0000-0000-000000000000");
    assert_eq!((status, body["error"].as_str()), (404, Some("not-found")));

    let (status, report) = get(&runtime, &extension, admin, "/report");
    assert_eq!(status, 200);
    let all = ClientListInput { include_inactive: Some(true), ..Default::default() };
    let total = services.list_clients(&actor, &all).unwrap().total_count;
    let active = services.list_clients(&actor, &ClientListInput::default()).unwrap().total_count;
    assert_eq!(report["clients"], json!({"active": active, "inactive": total - active}));

    assert_eq!(request(&runtime, &extension, admin, "POST", "/clients").0, 405);
    assert_eq!(get(&runtime, &extension, admin, "/nowhere").0, 404);
    assert_eq!(get(&runtime, &extension, admin, "/").0, 200);

    let denied = context(&demo, "t1-no-capability");
    assert_eq!(get(&runtime, &extension, denied, "/clients").1["error"], "not-allowed");
    assert_eq!(get(&runtime, &extension, denied, "/clients").0, 403);

    services.store().set_outage(true);
    assert_eq!(
        get(&runtime, &extension, admin, "/clients"),
        (502, json!({"error": "internal", "message": "the host failed; try again later"}))
    );
    services.store().set_outage(false);
    assert_eq!(get(&runtime, &extension, admin, "/clients").0, 200);
}

#[test]
fn every_route_answers_from_the_embedded_store() {
    every_route_answers_from_the_store(support::sqlite_services());
}

#[test]
fn every_route_answers_from_postgres() {
    let (services, _database) = postgres_services();
    every_route_answers_from_the_store(services);
}

/// The ids of the items of a page body.
fn ids(page: &Json, key: &str) -> BTreeSet<String> {
    page["items"].as_array().unwrap().iter().map(|item| item[key].as_str().unwrap().to_string()).collect()
}

/// Checks one answer against what the context may see.
fn check_scope(what: &str, visible: Visible, (status, body): (u16, Json), key: &str) {
    match visible {
        Visible::NotAllowed => assert_eq!((status, &body["error"]), (403, &json!("not-allowed")), "{what}"),
        Visible::Ids(expected) => {
            assert_eq!(status, 200, "{what}: {body}");
            assert_eq!(body["totalCount"].as_u64(), Some(expected.len() as u64), "{what}");
            assert_eq!(ids(&body, key), expected, "{what}");
        }
    }
}

fn concurrent_executions_stay_in_scope(services: ReadServices) {
    let demo = demo_data(8);
    let (runtime, extension) = host(services, &demo);
    // Eight contexts of each tenant, rotated so that every kind of context appears.
    let per_tenant = demo.contexts.len() / 8;
    let contexts: Vec<(&str, &ExecutionContext)> = (0..8)
        .flat_map(|tenant| {
            let demo = &demo;
            (0..8).map(move |k| {
                let named = &demo.contexts[tenant * per_tenant + (tenant * 3 + k) % per_tenant];
                (named.name.as_str(), &named.context)
            })
        })
        .collect();
    assert_eq!(contexts.len(), 64);
    let kinds: BTreeSet<&str> = contexts.iter().map(|(name, _)| name.split_once('-').unwrap().1).collect();
    assert_eq!(kinds.len(), per_tenant, "every kind of context takes part: {kinds:?}");

    for (target, key) in
        [("/clients?includeInactive=true&pageSize=100", "clientId"), ("/services?pageSize=100", "serviceId")]
    {
        let start = Barrier::new(contexts.len());
        let answers: Vec<(u16, Json)> = std::thread::scope(|scope| {
            let workers: Vec<_> = contexts
                .iter()
                .map(|(_, context)| {
                    let (runtime, extension, start) = (&runtime, &extension, &start);
                    scope.spawn(move || {
                        start.wait();
                        get(runtime, extension, context, target)
                    })
                })
                .collect();
            workers.into_iter().map(|w| w.join().expect("an execution thread panicked")).collect()
        });
        for ((name, context), answer) in contexts.iter().zip(answers) {
            let visible = if key == "clientId" {
                visibility::clients(&demo.fixture, context)
            } else {
                visibility::services(&demo.fixture, context)
            };
            check_scope(&format!("{name} GET {target}"), visible, answer, key);
        }
    }
}

#[test]
fn sixty_four_concurrent_executions_stay_in_scope_on_the_embedded_store() {
    concurrent_executions_stay_in_scope(support::sqlite_services());
}

#[test]
fn sixty_four_concurrent_executions_stay_in_scope_on_postgres() {
    let (services, _database) = postgres_services();
    concurrent_executions_stay_in_scope(services);
}

#[test]
fn a_database_killed_mid_run_is_internal_and_the_host_recovers() {
    // A cluster of this test's own, so that stopping it harms nobody else.
    let server = provision::local_cluster().unwrap_or_else(|err| panic!("{err}"));
    let cluster = server.local_cluster().expect("a local cluster");
    let database = server.fresh_database("alga_host_kill").unwrap_or_else(|err| panic!("{err}"));
    let options = PostgresOptions {
        connect_timeout: Duration::from_secs(2),
        checkout_timeout: Duration::from_secs(2),
        ..PostgresOptions::default()
    };
    let store = PostgresStore::connect_with(database.url(), options).unwrap_or_else(|err| panic!("{err}"));
    let demo = demo_data(1);
    let (runtime, extension) = host(ReadServices::new(Arc::new(store)), &demo);
    let admin = context(&demo, "t1-admin");
    assert_eq!(get(&runtime, &extension, admin, "/report").0, 200);

    cluster.stop_immediately().unwrap_or_else(|err| panic!("{err}"));
    // The first call finds its pooled connections dead, the second finds nothing listening.
    for _ in 0..2 {
        let (status, body) = get(&runtime, &extension, admin, "/clients");
        assert_eq!((status, &body["error"]), (502, &json!("internal")), "{body}");
    }
    // A multi-call execution while the database is down fails on its first call, cleanly.
    assert_eq!(get(&runtime, &extension, admin, "/report").0, 502);

    cluster.start().unwrap_or_else(|err| panic!("{err}"));
    let (status, body) = get(&runtime, &extension, admin, "/clients?includeInactive=true&pageSize=100");
    assert_eq!(status, 200, "{body}");
    check_scope("after recovery", visibility::clients(&demo.fixture, admin), (status, body), "clientId");
}

/// Issue 13: a locked table held a 2 s execution for 5 s. Now every store call of an
/// execution ends before its time limit does, so the guest gets `internal` (the sample answers
/// 502) within the limit, and the next execution after the lock is gone is served.
#[test]
fn a_locked_table_is_internal_within_the_time_limit() {
    let (services, database) = postgres_services();
    let demo = demo_data(1);
    let (runtime, extension) = host(services, &demo);
    let admin = context(&demo, "t1-admin");
    assert_eq!(get(&runtime, &extension, admin, "/clients").0, 200);

    let mut locker: postgres::Client =
        database.url().parse::<postgres::Config>().unwrap().connect(postgres::NoTls).unwrap();
    let mut lock = locker.transaction().unwrap();
    lock.batch_execute("LOCK TABLE clients IN ACCESS EXCLUSIVE MODE").unwrap();
    let limit = Limits::default().time;
    let started = std::time::Instant::now();
    let (status, body) = get(&runtime, &extension, admin, "/clients");
    let took = started.elapsed();
    assert_eq!((status, &body["error"]), (502, &json!("internal")), "{body}");
    assert!(took >= Limits::default().store_time(), "the store waited until its deadline: {took:?}");
    assert!(took < limit + Duration::from_millis(300), "answered within the time limit: {took:?}");
    lock.rollback().unwrap();
    assert_eq!(get(&runtime, &extension, admin, "/clients").0, 200, "served once the lock is gone");
}

/// The demo data `alga-reference-host seed` loads (its default options).
fn seeded_demo() -> Demo {
    demo::build(&DemoConfig::default())
}

/// The requests whose answers the deployed 0.1.0 build must keep: `(file name, context
/// name, target)`. Ids come from the seeded data (the same on every machine).
fn deployed_requests(demo: &Demo) -> Vec<(String, &'static str, String)> {
    let tenant = &demo.fixture.tenants[0];
    let client = &tenant.clients[0].client_id;
    let service = |i: usize| tenant.services[i].service_id.clone();
    let requests: Vec<(&str, &str, String)> = vec![
        ("index", "t1-admin", "/".into()),
        ("clients", "t1-admin", "/clients".into()),
        ("clients-search", "t1-admin", "/clients?search=acme&includeInactive=true&pageSize=5".into()),
        ("clients-search-percent", "t1-admin", "/clients?search=50%25".into()),
        ("client", "t1-admin", format!("/clients/{client}")),
        ("client-upper-case-id", "t1-admin", format!("/clients/{}", client.to_ascii_uppercase())),
        ("client-not-found", "t1-admin", "/clients/00000000-0000-0000-0000-000000000000".into()),
        ("client-bad-id", "t1-admin", "/clients/not-a-uuid".into()),
        ("clients-page-0", "t1-admin", "/clients?page=0".into()),
        ("services", "t1-admin", "/services".into()),
        ("services-all", "t1-admin", "/services?pageSize=100".into()),
        ("services-hourly-active", "t1-admin", "/services?billingMethod=hourly&isActive=true".into()),
        ("services-search", "t1-admin", "/services?search=onsite".into()),
        ("services-currency", "t1-admin", "/services?currencyCode=EUR".into()),
        ("services-past-the-end", "t1-admin", "/services?page=10000".into()),
        ("service-0", "t1-admin", format!("/services/{}", service(0))),
        ("service-3", "t1-admin", format!("/services/{}", service(3))),
        ("service-7", "t1-admin", format!("/services/{}", service(7))),
        ("report", "t1-admin", "/report".into()),
        ("portal-clients", "t1-portal-user", "/clients".into()),
        ("technician-clients", "t1-technician", "/clients".into()),
        ("services-only-page-2", "t1-services-only", "/services?page=2&pageSize=10".into()),
        ("no-capability-services", "t1-no-capability", "/services".into()),
        ("tenant-2-products", "t2-scheduled", "/services?itemKind=product".into()),
    ];
    requests
        .into_iter()
        .enumerate()
        .map(|(n, (name, context, target))| (format!("{:02}-{name}.http", n + 1), context, target))
        .collect()
}

/// An answer as its golden file holds it: the request line, then the response as
/// `alga-reference-host run` prints it (status line, headers, blank line, body bytes).
fn rendered(context: &str, target: &str, response: &alga_reference_host::HttpResponse) -> Vec<u8> {
    let mut out = format!("{context} GET {target}\nHTTP {}\n", response.status);
    for (name, value) in &response.headers {
        out.push_str(&format!("{name}: {value}\n"));
    }
    out.push('\n');
    let mut bytes = out.into_bytes();
    bytes.extend_from_slice(&response.body);
    bytes
}

/// The golden answers were captured on the 0.1.0 host (before contract 0.2.0 existed) with
/// `ALGA_CAPTURE_GOLDEN=1`, which only ever writes a file that is missing: a golden file is
/// never regenerated, since a difference means deployed extensions broke.
fn deployed_build_answers_as_on_the_0_1_0_host(services: ReadServices) {
    let demo = seeded_demo();
    services.store().load_fixture(&demo.fixture).expect("the demo data loads");
    let runtime = shared_runtime().with_services(services);
    let extension = runtime
        .load_extension(support::sample::deployed_sample_0_1_0())
        .expect("the 0.1.0 build of the sample loads on the current host");
    let golden = support::sample::deployed_0_1_0_dir().join("answers");
    let capture = std::env::var_os("ALGA_CAPTURE_GOLDEN").is_some();
    let mut differences = Vec::new();
    for (file, context_name, target) in deployed_requests(&demo) {
        let request = HttpRequest::new("GET", &target).unwrap();
        let response = runtime
            .execute(&extension, context(&demo, context_name), &request)
            .unwrap_or_else(|err| panic!("GET {target} did not run: {err}"));
        let answer = rendered(context_name, &target, &response);
        let path = golden.join(&file);
        match std::fs::read(&path) {
            Ok(expected) if expected == answer => {}
            Ok(expected) => differences.push(format!(
                "{file} ({context_name} GET {target}):\n{}",
                similar::TextDiff::from_lines(
                    &String::from_utf8_lossy(&expected),
                    &String::from_utf8_lossy(&answer)
                )
                .unified_diff()
                .header("answer on the 0.1.0 host", "answer now")
            )),
            Err(_) if capture => {
                std::fs::create_dir_all(&golden).unwrap();
                std::fs::write(&path, &answer).unwrap();
            }
            Err(err) => differences.push(format!("{}: {err}", path.display())),
        }
    }
    assert!(
        differences.is_empty(),
        "the sample as deployed at 0.1.0 no longer answers as it did on the 0.1.0 host:\n{}",
        differences.join("\n")
    );
}

#[test]
fn the_deployed_0_1_0_build_answers_byte_for_byte_as_before_on_the_embedded_store() {
    deployed_build_answers_as_on_the_0_1_0_host(support::sqlite_services());
}

#[test]
fn the_deployed_0_1_0_build_answers_byte_for_byte_as_before_on_postgres() {
    let (services, _database) = postgres_services();
    deployed_build_answers_as_on_the_0_1_0_host(services);
}

/// A child process killed when dropped.
struct Running(std::process::Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// One HTTP/1.1 request to `serve`; returns the status and the JSON body.
fn http(address: &str, method: &str, path: &str, body: &str) -> (u16, Json) {
    use std::io::{Read as _, Write as _};
    let mut stream = std::net::TcpStream::connect(address).expect("the server accepts connections");
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\nContent-Length: \
         {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let (head, body) = response.split_once("\r\n\r\n").expect("an HTTP response");
    let status = head.split(' ').nth(1).and_then(|s| s.parse().ok()).expect("a status line");
    (status, serde_json::from_str(body).unwrap_or_else(|_| panic!("not JSON: {body}")))
}

/// The host's command in `dir` (no `DATABASE_URL`; precompiled components shared by the
/// test processes).
fn host_command(dir: &std::path::Path) -> std::process::Command {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_alga-reference-host"));
    let cache = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("cli-cache");
    command.current_dir(dir).env_remove("DATABASE_URL").env("XDG_CACHE_HOME", cache);
    command
}

#[test]
fn one_serve_process_runs_the_0_1_and_the_0_2_build_side_by_side() {
    let dir = tempfile::tempdir().unwrap();
    let seeded = host_command(dir.path()).args(["seed"]).output().unwrap();
    assert!(seeded.status.success(), "{}", String::from_utf8_lossy(&seeded.stderr));
    let current = support::sample::sample_extension_file().to_str().unwrap().to_string();
    let deployed = support::sample::deployed_sample_0_1_0_file().to_str().unwrap().to_string();

    // `run` says which contract each build imports.
    let demo = seeded_demo();
    let admin = context(&demo, "t1-admin");
    for (component, note) in [
        (&current, "contract: alga:extension@0.2.0 (this host serves 0.2.0, 0.1.0)"),
        (&deployed, "contract: alga:extension@0.1.0 (this host serves 0.2.0, 0.1.0)"),
    ] {
        let out = host_command(dir.path())
            .args(["run", "--component", component, "--tenant", &admin.tenant_id])
            .args(["--install", &admin.install_id, "GET", "/"])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        assert!(
            String::from_utf8_lossy(&out.stderr).contains(note),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    let mut child = host_command(dir.path())
        .args(["serve", "--listen", "127.0.0.1:0", "--workers", "4"])
        .args(["--component", &format!("report={current}"), "--component", &format!("report-0.1={deployed}")])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut first_line = String::new();
    std::io::BufRead::read_line(&mut std::io::BufReader::new(child.stdout.take().unwrap()), &mut first_line)
        .unwrap();
    let _server = Running(child);
    let address = first_line
        .strip_prefix("listening on http://")
        .and_then(|rest| rest.split(' ').next())
        .unwrap_or_else(|| panic!("unexpected first line: {first_line}"))
        .to_string();

    let (status, listed) = http(&address, "GET", "/v1/components", "");
    assert_eq!(status, 200);
    let versions: Vec<(Json, Json)> = listed["components"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["id"].clone(), c["contractVersions"].clone()))
        .collect();
    assert_eq!(versions, [(json!("report"), json!(["0.2.0"])), (json!("report-0.1"), json!(["0.1.0"]))]);

    let execute = |component: &str, context_name: &str, path: &str| {
        let context = serde_json::to_value(context(&demo, context_name)).unwrap();
        let body = json!({"context": context, "component": component, "request": {"path": path}});
        let (status, response) = http(&address, "POST", "/v1/execute", &body.to_string());
        assert_eq!(status, 200, "{response}");
        response
    };
    // Both builds at once, on the same store: the 0.1 build's every answer is the one it
    // gave on the 0.1.0 host, the 0.2 build's items carry prices.
    let golden = support::sample::deployed_0_1_0_dir().join("answers");
    std::thread::scope(|scope| {
        let old: Vec<_> = deployed_requests(&demo)
            .into_iter()
            .map(|(file, context_name, target)| {
                let (execute, golden) = (&execute, &golden);
                scope.spawn(move || {
                    let expected = std::fs::read_to_string(golden.join(&file)).unwrap();
                    let (_, response) = expected.split_once('\n').unwrap();
                    let (head, body) = response.split_once("\n\n").unwrap();
                    let status: u64 = head.lines().next().unwrap()["HTTP ".len()..].parse().unwrap();
                    let answer = execute("report-0.1", context_name, &target);
                    assert_eq!(answer["status"], status, "{file}");
                    assert_eq!(answer["body"].as_str(), Some(body), "{file}: the 0.1 build's body changed");
                })
            })
            .collect();
        let new: Vec<_> = (0..4)
            .map(|page| {
                let execute = &execute;
                scope.spawn(move || {
                    let answer =
                        execute("report", "t1-admin", &format!("/services?page={}&pageSize=10", page + 1));
                    let page: Json = serde_json::from_str(answer["body"].as_str().unwrap()).unwrap();
                    let items = page["items"].as_array().unwrap();
                    assert!(items.iter().all(|item| item["prices"].is_array()), "{page}");
                })
            })
            .collect();
        for thread in old.into_iter().chain(new) {
            thread.join().expect("a request thread panicked");
        }
    });
}
