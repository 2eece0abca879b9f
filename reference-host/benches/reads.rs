//! The same reads four ways, in one run, on PostgreSQL and on the embedded SQLite store
//! (issue 11), a plain binary (`harness = false`):
//!
//! 1. **raw**: the statement the store sends, same text and parameters, on the same driver
//!    (`tokio-postgres` / `rusqlite`), as the tables' owner: no transaction, no tenant
//!    setting, no row-level security, no decoding (`PostgresStore::raw_reads`,
//!    `SqliteStore::raw_get_client`);
//! 2. **store**: the read services (`ReadServices`) with an already-resolved actor: checks,
//!    the tenant's transaction, decoding into the contract's types;
//! 3. **probe**: a whole execution of the generated probe component per call (a new
//!    `Store`, instantiation, resolving the actor, the call, lifting and lowering);
//! 4. **sample**: a whole execution of the TypeScript sample per request (the same, plus
//!    its routing and `JSON.stringify`).
//!
//! Reads: `get-client`, and `list-clients` page 1 of 25 (active clients, with tags), in a
//! tenant of 100,000 clients, the four ways interleaved in ten rounds (so that autovacuum after
//! the load, or a neighbour, weighs on all four alike). Printed: median, p99 and the ratio of
//! each median to raw's.
//! Then a substring search through the store at 100,000 clients (on PostgreSQL also against
//! its baseline, the policy-bound scan the store ran before, interleaved), and the resident memory of
//! this process (the host) over 10,000 executions of the sample on PostgreSQL, every 1,000.
//! Last, the same reads and searches on Citus (a coordinator and two workers) when it is
//! available: `CITUS_URL`, or the extension installed by `scripts/citus.sh` for a throwaway
//! cluster; otherwise the output says it was not measured and why.
//!
//! Run: `cargo bench -p alga-reference-host --bench reads` (PostgreSQL from `DATABASE_URL`,
//! else a throwaway local cluster; npm and Node 20 build the sample); `-- --quick` runs a
//! tenth of the iterations. Results are recorded in `BENCHMARKS.md` and
//! `store/BENCHMARKS.md`, with the machine's load (`uptime`), printed at start and end.

#[allow(dead_code)] // the sample's file helpers serve the CLI tests
#[path = "../tests/support/sample.rs"]
mod sample;

use alga_conformance_protocol::{Call, ExecutionContext};
use alga_extension_contract::input;
use alga_extension_contract::types::ClientListInput;
use alga_reference_host::engine::EngineConfig;
use alga_reference_host::{HttpRequest, Runtime, RuntimeConfig};
use alga_reference_store::demo::{self, Demo, DemoConfig};
use alga_reference_store::postgres::PostgresStore;
use alga_reference_store::provision;
use alga_reference_store::sqlite::SqliteStore;
use alga_reference_store::store::{ClientListQuery, Faults, RecordQuery};
use alga_reference_store::{DataStore, Deadline, ReadServices};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Clients in the first tenant (the search goal of issue 11 is stated at this size).
const CLIENTS: usize = 100_000;

/// Sorted latency samples.
struct Stats(Vec<Duration>);

impl Stats {
    fn median(&self) -> Duration {
        self.0[self.0.len() / 2]
    }
    fn p99(&self) -> Duration {
        self.0[(self.0.len() * 99 / 100).min(self.0.len() - 1)]
    }
}

fn measure(n: usize, mut f: impl FnMut()) -> Stats {
    let mut way: [(usize, &mut dyn FnMut()); 1] = [(n, &mut f)];
    measure_interleaved(&mut way).pop().expect("one way")
}

/// Rounds in which every way runs a tenth of its iterations in turn.
const ROUNDS: usize = 10;

/// Times several ways of one read, `n` calls each, interleaved: each of [`ROUNDS`] rounds
/// runs a tenth of every way's calls in turn, so that what disturbs the machine for a while
/// (autovacuum after the fixture's load, the page cache, a neighbour) falls on every way
/// alike, not on whichever was measured first. Each way is warmed up first.
fn measure_interleaved(ways: &mut [(usize, &mut dyn FnMut())]) -> Vec<Stats> {
    for (n, f) in ways.iter_mut() {
        for _ in 0..n.div_ceil(10).max(3) {
            f(); // warm up: prepared statements, caches, the page cache
        }
    }
    let mut times: Vec<Vec<Duration>> = ways.iter().map(|(n, _)| Vec::with_capacity(*n)).collect();
    for round in 0..ROUNDS {
        for ((n, f), samples) in ways.iter_mut().zip(&mut times) {
            let calls = *n * (round + 1) / ROUNDS - *n * round / ROUNDS;
            for _ in 0..calls {
                let started = Instant::now();
                f();
                samples.push(started.elapsed());
            }
        }
    }
    times
        .into_iter()
        .map(|mut samples| {
            samples.sort();
            Stats(samples)
        })
        .collect()
}

fn show(d: Duration) -> String {
    let micros = d.as_secs_f64() * 1e6;
    if micros >= 1e3 { format!("{:.3} ms", micros / 1e3) } else { format!("{micros:.1} µs") }
}

fn uptime() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|text| text.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

/// Resident memory of this process, in MiB.
fn rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let kib: f64 = status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .expect("VmRSS");
    kib / 1024.0
}

/// The raw statement runner of one store.
enum Raw {
    Sqlite(Arc<SqliteStore>),
    Postgres(Box<alga_reference_store::postgres::RawReads>),
}

impl Raw {
    fn get_client(&mut self, query: &RecordQuery<'_>) -> usize {
        match self {
            Raw::Sqlite(store) => store.raw_get_client(query).unwrap(),
            Raw::Postgres(raw) => raw.get_client(query).unwrap(),
        }
    }
    fn list_clients(&mut self, query: &ClientListQuery<'_>) -> usize {
        match self {
            Raw::Sqlite(store) => store.raw_list_clients(query).unwrap(),
            Raw::Postgres(raw) => raw.list_clients(query).unwrap(),
        }
    }
}

struct Setup<'a> {
    label: &'a str,
    services: ReadServices,
    raw: Raw,
    demo: &'a Demo,
    sample_bytes: &'a [u8],
    scale: usize,
}

/// The four ways' names, in the order they are measured.
const WAYS: [&str; 4] =
    ["raw SQL", "store (`ReadServices`)", "probe execution", "TypeScript sample execution"];

fn named(stats: Vec<Stats>) -> Vec<(&'static str, Stats)> {
    WAYS.into_iter().zip(stats).collect()
}

fn ratio_rows(read: &str, ways: &[(&str, Stats)]) {
    let raw = ways[0].1.median().as_secs_f64();
    for (way, stats) in ways {
        println!(
            "| {read} | {way} | {} | {} | {:.2}x |",
            show(stats.median()),
            show(stats.p99()),
            stats.median().as_secs_f64() / raw
        );
    }
}

fn store_run(setup: Setup<'_>) -> Runtime {
    let Setup { label, services, mut raw, demo, sample_bytes, scale } = setup;
    let runtime =
        Runtime::new(services.clone(), &RuntimeConfig { engine: EngineConfig::default(), disk_cache: None })
            .unwrap();
    let context: &ExecutionContext = &demo.contexts.iter().find(|c| c.name == "t1-admin").unwrap().context;
    let actor = services.actor(context).unwrap();
    let tenant = &demo.fixture.tenants[0];
    let client_id = tenant.clients[CLIENTS / 2].client_id.clone();
    let paging = input::paging(Some(1), Some(25)).unwrap();
    let record = RecordQuery {
        tenant_id: &tenant.tenant_id,
        id: &client_id,
        faults: Faults::NONE,
        deadline: Deadline::NONE,
    };
    let listing = ClientListQuery {
        tenant_id: &tenant.tenant_id,
        only_client_id: None,
        search: None,
        include_inactive: false,
        paging,
        faults: Faults::NONE,
        deadline: Deadline::NONE,
    };
    let list_input = ClientListInput { page_size: Some(25), ..Default::default() };
    let probe = alga_extension_contract::probe::generate_for_contract().unwrap();
    let probe = runtime.load_probe(&probe.component).unwrap();
    let extension = runtime.load_extension(sample_bytes).unwrap();
    let probe_call = |call: &Call| {
        let outcome = runtime.call_probe(&probe, context, call);
        assert_eq!(outcome.class(), "value", "{outcome:?}");
    };
    let sample = |target: String| {
        let request = HttpRequest::new("GET", &target).unwrap();
        let (runtime, extension) = (&runtime, &extension);
        move || {
            let response = runtime.execute(extension, context, &request).unwrap();
            assert_eq!(response.status, 200);
        }
    };

    println!("\n### {label}\n");
    println!("| read | way | median | p99 | median / raw |\n|---|---|---|---|---|");
    let get = Call::get_client(&client_id);
    let (mut raw_get, mut store_get, mut probe_get, mut sample_get) = (
        || assert_eq!(raw.get_client(&record), 1),
        || {
            services.get_client(&actor, &client_id).unwrap().unwrap();
        },
        || probe_call(&get),
        sample(format!("/clients/{client_id}")),
    );
    let stats = measure_interleaved(&mut [
        (2000 / scale, &mut raw_get),
        (2000 / scale, &mut store_get),
        (2000 / scale, &mut probe_get),
        (500 / scale, &mut sample_get),
    ]);
    ratio_rows("get-client", &named(stats));
    let list = Call::list_clients(&list_input);
    let (mut raw_list, mut store_list, mut probe_list, mut sample_list) = (
        || assert_eq!(raw.list_clients(&listing), 25),
        || {
            assert_eq!(services.list_clients(&actor, &list_input).unwrap().items.len(), 25);
        },
        || probe_call(&list),
        sample("/clients?pageSize=25".into()),
    );
    let stats = measure_interleaved(&mut [
        (1000 / scale, &mut raw_list),
        (1000 / scale, &mut store_list),
        (1000 / scale, &mut probe_list),
        (300 / scale, &mut sample_list),
    ]);
    let ways = named(stats);
    ratio_rows("list-clients, 25 with tags", &ways);

    println!(
        "\n| search through the store ({CLIENTS} clients) | median | p99 | matches |\n|---|---|---|---|"
    );
    for text in ["zenith", "99999", "qqqq"] {
        let input =
            ClientListInput { search: Some(text.into()), include_inactive: Some(true), ..Default::default() };
        let total = services.list_clients(&actor, &input).unwrap().total_count;
        let stats = measure(200 / scale, || {
            services.list_clients(&actor, &input).unwrap();
        });
        println!("| \"{text}\" | {} | {} | {total} |", show(stats.median()), show(stats.p99()));
    }
    runtime
}

/// The reads on a PostgreSQL server (plain or a Citus coordinator), in a fresh database
/// loaded with the demo, then the search's plans. Returns the runtime (for the memory run)
/// and the database, which is dropped with it.
fn postgres_run(
    server: &provision::PostgresServer,
    label: &str,
    demo: &Demo,
    sample_bytes: &[u8],
    scale: usize,
) -> (Runtime, provision::TestDatabase) {
    let database = server.fresh_database("alga_host_reads").unwrap_or_else(|err| panic!("{err}"));
    let postgres = Arc::new(PostgresStore::connect(database.url()).unwrap_or_else(|err| panic!("{err}")));
    let loading = Instant::now();
    postgres.load_fixture(&demo.fixture).unwrap();
    let label = format!(
        "{label} ({}; fixture loaded in {:.1} s)",
        postgres.describe(),
        loading.elapsed().as_secs_f64()
    );
    let raw = Raw::Postgres(Box::new(postgres.raw_reads().unwrap()));
    let runtime = store_run(Setup {
        label: &label,
        services: ReadServices::new(postgres.clone()),
        raw,
        demo,
        sample_bytes,
        scale,
    });

    // The search against its baseline in this run: the statement the store sent before the
    // trigram indexes served the reader (every client of the tenant tested under the
    // policy), interleaved with the store's indexed search.
    let tenant = &demo.fixture.tenants[0].tenant_id;
    println!(
        "\n| search, page 1 of 25 ({CLIENTS} clients) | way | median | p99 | median / scan |\n|---|---|---|---|---|"
    );
    for text in ["zenith", "99999", "qqqq"] {
        let search = input::search(Some(text)).unwrap();
        let query = ClientListQuery {
            tenant_id: tenant,
            only_client_id: None,
            search: search.as_ref(),
            include_inactive: true,
            paging: input::paging(Some(1), Some(25)).unwrap(),
            faults: Faults::NONE,
            deadline: Deadline::NONE,
        };
        let indexed_total = postgres.list_clients(&query).unwrap().total;
        assert_eq!(postgres.scanned_search_total(&query).unwrap(), indexed_total, "both ways find the same");
        let mut scan = || {
            postgres.scanned_search_total(&query).unwrap();
        };
        let mut indexed = || {
            postgres.list_clients(&query).unwrap();
        };
        let stats = measure_interleaved(&mut [(100 / scale, &mut scan), (100 / scale, &mut indexed)]);
        let baseline = stats[0].median().as_secs_f64();
        for (way, stats) in ["scan under the policy (before migration 8)", "trigram function (migration 9)"]
            .into_iter()
            .zip(&stats)
        {
            println!(
                "| \"{text}\" (matches: {indexed_total}) | {way} | {} | {} | {:.2}x |",
                show(stats.median()),
                show(stats.p99()),
                stats.median().as_secs_f64() / baseline
            );
        }
    }

    // The search's plans: the reader's statement, and the query of the function it calls.
    let search = input::search(Some("zenith")).unwrap();
    let query = ClientListQuery {
        tenant_id: tenant,
        only_client_id: None,
        search: search.as_ref(),
        include_inactive: true,
        paging: input::paging(None, None).unwrap(),
        faults: Faults::NONE,
        deadline: Deadline::NONE,
    };
    println!("\nplan of list-clients search \"zenith\" (the reader, in the tenant's transaction):\n```");
    println!("{}\n```", postgres.explain_list_clients(&query).unwrap());
    let mut raw = postgres.raw_reads().unwrap();
    println!("\nplan of the query alga_client_search runs for it (as the owner):\n```");
    println!("{}\n```", raw.explain_client_search(tenant, "zenith", true).unwrap());
    (runtime, database)
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let scale = if quick { 10 } else { 1 };
    println!("load average at start: {}", uptime());
    let demo = demo::build(&DemoConfig {
        seed: 11,
        tenants: 2,
        clients_per_tenant: 200,
        services_per_tenant: 50,
        first_tenant_clients: Some(CLIENTS),
    });
    let sample_bytes = sample::sample_extension();

    let sqlite = Arc::new(SqliteStore::in_memory().expect("in-memory SQLite"));
    sqlite.load_fixture(&demo.fixture).unwrap();
    let services = ReadServices::new(sqlite.clone());
    store_run(Setup {
        label: "Embedded SQLite (in memory)",
        services,
        raw: Raw::Sqlite(sqlite.clone()),
        demo: &demo,
        sample_bytes,
        scale,
    });
    drop(sqlite);

    let server =
        provision::postgres_server().unwrap_or_else(|err| panic!("no PostgreSQL for the benchmarks: {err}"));
    let (runtime, _postgres_database) = postgres_run(&server, "PostgreSQL", &demo, sample_bytes, scale);

    // Memory: the sample's list of 25 on PostgreSQL, 10,000 executions after a warm-up.
    let context: &ExecutionContext = &demo.contexts.iter().find(|c| c.name == "t1-admin").unwrap().context;
    let extension = runtime.load_extension(sample_bytes).unwrap();
    let request = HttpRequest::new("GET", "/clients?pageSize=25").unwrap();
    let run = |n: usize| {
        for _ in 0..n {
            assert_eq!(runtime.execute(&extension, context, &request).unwrap().status, 200);
        }
    };
    run(1000);
    let warm = rss_mib();
    let mut series = vec![format!("{warm:.1}")];
    let mut peak = warm;
    for _ in 0..10 {
        run(1000 / scale);
        let now = rss_mib();
        peak = peak.max(now);
        series.push(format!("{now:.1}"));
    }
    println!(
        "\nresident memory (MiB) after a warm-up of 1,000 sample executions, then every {}: {}",
        1000 / scale,
        series.join(", ")
    );
    println!("peak {peak:.1} MiB, growth after warm-up {:.1} MiB", peak - warm);

    // Citus when available: `CITUS_URL`, or a throwaway coordinator with two workers when
    // the extension is installed (`scripts/citus.sh`). The same reads, now routed by the
    // coordinator to the worker holding the tenant's shard.
    let citus_url_set = std::env::var("CITUS_URL").is_ok_and(|url| !url.trim().is_empty());
    if provision::citus_installed() || citus_url_set {
        let citus =
            provision::citus_server().unwrap_or_else(|err| panic!("no Citus for the benchmarks: {err}"));
        let (_citus_runtime, citus_database) = postgres_run(&citus, "Citus", &demo, sample_bytes, scale);
        drop(citus_database);
        drop(citus);
    } else {
        println!(
            "\n### Citus\n\nnot measured: Citus is not installed (`scripts/citus.sh`) and `CITUS_URL` is not set"
        );
    }

    println!("\nload average at end: {}", uptime());
}
