//! Latency of the read services on every store with 100,000 clients in one tenant, the
//! time to load that fixture, and what `tags` cost: SQLite (memory and file), PostgreSQL,
//! and PostgreSQL on Citus (a coordinator and two workers), side by side from one run. A
//! plain binary (`harness = false`):
//!
//! ```sh
//! cargo bench -p alga-reference-store --bench store            # 100,000 clients
//! cargo bench -p alga-reference-store --bench store -- 20000    # another size
//! ```
//!
//! PostgreSQL comes from the provisioning ladder (`DATABASE_URL`, else a throwaway local
//! cluster) and Citus from its own (`CITUS_URL`, else a throwaway coordinator and two
//! workers; Citus must be installed, `scripts/citus.sh`), each on a database of its own.
//! Results go to stdout as Markdown tables; the numbers recorded in BENCHMARKS.md come from
//! this binary.

use alga_conformance_protocol::{ExecutionContext, Fixture};
use alga_extension_contract::types::{ClientListInput, ServiceListInput};
use alga_reference_store::demo::{self, DemoConfig};
use alga_reference_store::postgres::PostgresStore;
use alga_reference_store::provision;
use alga_reference_store::sqlite::SqliteStore;
use alga_reference_store::{Actor, DataStore, ReadServices};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Latency samples of one operation.
struct Samples(Vec<Duration>);

impl Samples {
    fn of(iterations: usize, mut operation: impl FnMut()) -> Samples {
        for _ in 0..iterations.div_ceil(10) {
            operation();
        }
        let mut samples = Vec::with_capacity(iterations);
        for _ in 0..iterations {
            let started = Instant::now();
            operation();
            samples.push(started.elapsed());
        }
        samples.sort();
        Samples(samples)
    }

    fn quantile(&self, q: f64) -> Duration {
        self.0[((self.0.len() - 1) as f64 * q).round() as usize]
    }
}

fn ms(d: Duration) -> String {
    format!("{:.3}", d.as_secs_f64() * 1e3)
}

/// The operations measured on one store, each with its label.
fn measure(
    rs: &ReadServices,
    actor: &Actor,
    context: &ExecutionContext,
    fixture: &Fixture,
    iterations: usize,
) -> Vec<(String, Samples)> {
    let tenant = &fixture.tenants[0];
    let clients = tenant.clients.len() as u32;
    let deep_page = (clients / 100).max(1);
    let list = |input: ClientListInput| {
        let rs = rs.clone();
        let actor = actor.clone();
        move || {
            rs.list_clients(&actor, &input).expect("list-clients");
        }
    };
    let some_id = tenant.clients[tenant.clients.len() / 2].client_id.clone();
    let some_service = tenant.services[tenant.services.len() / 2].service_id.clone();
    let search = |text: &str| ClientListInput { search: Some(text.into()), ..Default::default() };
    vec![
        (
            "resolve the actor (install + user)".into(),
            Samples::of(iterations, || {
                rs.actor(context).expect("actor");
            }),
        ),
        ("list-clients page 1 (25)".into(), Samples::of(iterations, list(ClientListInput::default()))),
        (
            "list-clients page 1 (100), include-inactive".into(),
            Samples::of(
                iterations,
                list(ClientListInput {
                    page_size: Some(100),
                    include_inactive: Some(true),
                    ..Default::default()
                }),
            ),
        ),
        (
            format!("list-clients deep page {deep_page} (100)"),
            Samples::of(
                iterations,
                list(ClientListInput { page: Some(deep_page), page_size: Some(100), ..Default::default() }),
            ),
        ),
        (
            "list-clients search \"zenith\" (~5% match)".into(),
            Samples::of(iterations, list(search("zenith"))),
        ),
        ("list-clients search \"99999\" (1 match)".into(), Samples::of(iterations, list(search("99999")))),
        ("list-clients search \"qqqq\" (no match)".into(), Samples::of(iterations, list(search("qqqq")))),
        (
            "list-clients search by UUID".into(),
            Samples::of(iterations, list(search(&some_id.to_uppercase()))),
        ),
        (
            "get-client".into(),
            Samples::of(iterations, || {
                rs.get_client(actor, &some_id).expect("get-client").expect("found");
            }),
        ),
        (
            "list-services page 1 (25)".into(),
            Samples::of(iterations, || {
                rs.list_services(actor, &ServiceListInput::default()).expect("list-services");
            }),
        ),
        (
            "list-services currency EUR (25, with prices)".into(),
            Samples::of(iterations, || {
                let input = ServiceListInput { currency_code: Some("EUR".into()), ..Default::default() };
                rs.list_services(actor, &input).expect("list-services");
            }),
        ),
        (
            "get-service".into(),
            Samples::of(iterations, || {
                rs.get_service(actor, &some_service).expect("get-service").expect("found");
            }),
        ),
    ]
}

/// The cost of tags: the same pages with and without tags in the data.
fn tag_cost(rs: &ReadServices, actor: &Actor, iterations: usize) -> Samples {
    Samples::of(iterations, || {
        rs.list_clients(actor, &ClientListInput { page_size: Some(100), ..Default::default() })
            .expect("list-clients");
    })
}

fn without_tags(fixture: &Fixture) -> Fixture {
    let mut bare = fixture.clone();
    for tenant in &mut bare.tenants {
        for client in &mut tenant.clients {
            client.tags.clear();
        }
    }
    bare
}

fn main() {
    // `cargo bench` passes `--bench`; a number sets the size.
    let clients: usize = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(100_000);
    let iterations = 200;
    let config = DemoConfig {
        seed: 42,
        tenants: 3,
        clients_per_tenant: 1_000,
        services_per_tenant: 2_000,
        first_tenant_clients: Some(clients),
    };
    let demo = demo::build(&config);
    let fixture = &demo.fixture;
    let tags: usize = fixture.tenants[0].clients.iter().map(|c| c.tags.len()).sum();
    let context = demo
        .contexts
        .iter()
        .find(|c| c.name == "t1-admin")
        .expect("the demo's admin context")
        .context
        .clone();
    println!(
        "data: {} tenants, first tenant {} clients ({} tag mappings), {} services per tenant; {iterations} iterations per row\n",
        fixture.tenants.len(),
        clients,
        tags,
        config.services_per_tenant
    );

    let server = provision::postgres_server().unwrap_or_else(|err| panic!("{err}"));
    let database = server.fresh_database("store_bench").unwrap_or_else(|err| panic!("{err}"));
    let citus = provision::citus_server().unwrap_or_else(|err| panic!("{err}"));
    let citus_database = citus.fresh_database("store_bench_citus").unwrap_or_else(|err| panic!("{err}"));
    let dir = tempfile::tempdir().expect("a temporary directory");
    let stores: Vec<(String, Arc<dyn DataStore>)> = vec![
        ("sqlite (memory)".into(), Arc::new(SqliteStore::in_memory().expect("sqlite"))),
        (
            "sqlite (file)".into(),
            Arc::new(SqliteStore::open(&dir.path().join("bench.sqlite")).expect("sqlite file")),
        ),
        (
            format!("postgres ({:?})", server.source()),
            Arc::new(PostgresStore::connect(database.url()).expect("postgres")),
        ),
        (
            format!("citus ({:?}, 2 workers)", citus.source()),
            Arc::new(PostgresStore::connect(citus_database.url()).expect("citus")),
        ),
    ];

    println!("| store | load {clients} clients (s) |\n|---|---|");
    for (name, store) in &stores {
        let started = Instant::now();
        store.load_fixture(fixture).expect("load");
        println!("| {name} | {:.2} |", started.elapsed().as_secs_f64());
    }

    let mut rows: Vec<(String, Vec<(String, Samples)>)> = Vec::new();
    for (name, store) in &stores {
        let rs = ReadServices::new(store.clone());
        let actor = rs.actor(&context).expect("actor");
        rows.push((name.clone(), measure(&rs, &actor, &context, fixture, iterations)));
    }
    println!("\nmedian / p95 in milliseconds\n");
    print!("| operation |");
    for (name, _) in &rows {
        print!(" {name} |");
    }
    print!("\n|---|");
    for _ in &rows {
        print!("---|");
    }
    println!();
    for index in 0..rows[0].1.len() {
        print!("| {} |", rows[0].1[index].0);
        for (_, samples) in &rows {
            let s = &samples[index].1;
            print!(" {} / {} |", ms(s.quantile(0.5)), ms(s.quantile(0.95)));
        }
        println!();
    }

    println!("\nwhat tags cost: list-clients page 1 (100), median / p95 ms\n");
    println!("| store | with tags | without tags |\n|---|---|---|");
    let bare = without_tags(fixture);
    for (name, store) in &stores {
        let rs = ReadServices::new(store.clone());
        let actor = rs.actor(&context).expect("actor");
        let with = tag_cost(&rs, &actor, iterations);
        store.load_fixture(&bare).expect("load without tags");
        let without = tag_cost(&rs, &actor, iterations);
        println!(
            "| {name} | {} / {} | {} / {} |",
            ms(with.quantile(0.5)),
            ms(with.quantile(0.95)),
            ms(without.quantile(0.5)),
            ms(without.quantile(0.95))
        );
    }
    drop(stores);
    drop(database);
    drop(citus_database);
}
