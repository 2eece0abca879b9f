//! Benchmarks of the reference host's runtime (a plain binary, `harness = false`):
//!
//! - loading a component: compiling it vs deserializing it from the disk cache (and a hit of
//!   the in-memory cache), for the generated probe and the TypeScript sample extension;
//! - starting an execution (pooling allocator, `InstancePre`, a new `Store`);
//! - a whole execution per call, for `get` and for lists of 25 and 100 items, through the
//!   probe and through the sample extension, on the embedded SQLite store and on
//!   PostgreSQL, next to the read services called directly (the host's own share).
//!
//! Run: `cargo bench -p alga-reference-host --bench runtime` (PostgreSQL from
//! `DATABASE_URL`, else a throwaway local cluster; npm and Node 20 build the sample).
//! `-- --quick` runs fewer iterations. Results are recorded in `BENCHMARKS.md`.

#[allow(dead_code)] // the sample's file helpers serve the CLI tests
#[path = "../tests/support/sample.rs"]
mod sample;

use alga_conformance_protocol::{Call, ExecutionContext};
use alga_extension_contract::types::ClientListInput;
use alga_reference_host::cache::CacheSource;
use alga_reference_host::engine::EngineConfig;
use alga_reference_host::{HttpRequest, Runtime, RuntimeConfig};
use alga_reference_store::demo::{self, Demo, DemoConfig};
use alga_reference_store::postgres::PostgresStore;
use alga_reference_store::provision;
use alga_reference_store::sqlite::SqliteStore;
use alga_reference_store::{DataStore, ReadServices};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Clients in the first tenant: enough that every list reads a real index.
const CLIENTS: usize = 10_000;

struct Stats {
    median: Duration,
    p99: Duration,
    n: usize,
}

fn measure(n: usize, mut f: impl FnMut()) -> Stats {
    f(); // warm up (first execution, page cache, prepared statements)
    let mut times: Vec<Duration> = (0..n)
        .map(|_| {
            let started = Instant::now();
            f();
            started.elapsed()
        })
        .collect();
    times.sort();
    Stats { median: times[n / 2], p99: times[(n * 99 / 100).min(n - 1)], n }
}

fn show(d: Duration) -> String {
    let micros = d.as_secs_f64() * 1e6;
    if micros >= 1e6 {
        format!("{:.2} s", micros / 1e6)
    } else if micros >= 1e3 {
        format!("{:.2} ms", micros / 1e3)
    } else {
        format!("{micros:.1} µs")
    }
}

fn row(what: &str, stats: &Stats) {
    println!("| {what} | {} | {} | {} |", show(stats.median), show(stats.p99), stats.n);
}

fn config(disk_cache: Option<&std::path::Path>) -> RuntimeConfig {
    RuntimeConfig { engine: EngineConfig::default(), disk_cache: disk_cache.map(|p| p.to_path_buf()) }
}

/// Loads `bytes` as a probe or as an extension and says where its code came from.
fn load(runtime: &Runtime, bytes: &[u8], probe: bool) -> CacheSource {
    if probe {
        runtime.load_probe(bytes).unwrap().source()
    } else {
        runtime.load_extension(bytes).unwrap().source()
    }
}

fn loading(name: &str, bytes: &[u8], probe: bool, compiles: usize, services: &ReadServices) {
    let cache = tempfile::tempdir().unwrap();
    let compile = measure(compiles, || {
        let runtime = Runtime::new(services.clone(), &config(None)).unwrap();
        assert_eq!(load(&runtime, bytes, probe), CacheSource::Compiled);
    });
    row(&format!("{name}: compile (`Component::new`, no cache)"), &compile);
    load(&Runtime::new(services.clone(), &config(Some(cache.path()))).unwrap(), bytes, probe);
    let disk = measure(compiles.max(5), || {
        let runtime = Runtime::new(services.clone(), &config(Some(cache.path()))).unwrap();
        assert_eq!(load(&runtime, bytes, probe), CacheSource::Disk);
    });
    row(&format!("{name}: load from the disk cache (digest check + `deserialize_file`)"), &disk);
    let runtime = Runtime::new(services.clone(), &config(None)).unwrap();
    load(&runtime, bytes, probe);
    let memory = measure(1000, || {
        load(&runtime, bytes, probe);
    });
    row(&format!("{name}: load again in the same process (SHA-256 of the bytes + map)"), &memory);
}

fn store_benches(label: &str, services: ReadServices, demo: &Demo, sample_bytes: &[u8], quick: bool) {
    let scale = if quick { 10 } else { 1 };
    services.store().load_fixture(&demo.fixture).unwrap();
    let runtime = Runtime::new(services.clone(), &config(None)).unwrap();
    let context: &ExecutionContext = &demo.contexts.iter().find(|c| c.name == "t1-admin").unwrap().context;
    let actor = services.actor(context).unwrap();
    let client_id = demo.fixture.tenants[0].clients[CLIENTS / 2].client_id.clone();
    let list = |size: u32| ClientListInput { page_size: Some(size), page: Some(3), ..Default::default() };

    println!(
        "\n**{label}** (tenant of {CLIENTS} clients; an admin user, so capability and permission are checked)\n"
    );
    println!("| what | median | p99 | n |\n|---|---|---|---|");
    row(
        "read services alone: get-client",
        &measure(2000 / scale, || {
            services.get_client(&actor, &client_id).unwrap().unwrap();
        }),
    );
    for size in [25, 100] {
        row(
            &format!("read services alone: list-clients, {size} items"),
            &measure(1000 / scale, || {
                assert_eq!(services.list_clients(&actor, &list(size)).unwrap().items.len(), size as usize);
            }),
        );
    }

    let probe = alga_extension_contract::probe::generate_for_contract().unwrap();
    let probe = runtime.load_probe(&probe.component).unwrap();
    let call = |call: &Call| {
        let outcome = runtime.call_probe(&probe, context, call);
        assert_eq!(outcome.class(), "value", "{outcome:?}");
    };
    let get = Call::get_client(&client_id);
    row("probe: get-client (new execution per call)", &measure(2000 / scale, || call(&get)));
    for size in [25, 100] {
        let call_list = Call::list_clients(&list(size));
        row(
            &format!("probe: list-clients, {size} items (new execution per call)"),
            &measure(1000 / scale, || call(&call_list)),
        );
    }

    let extension = runtime.load_extension(sample_bytes).unwrap();
    let (runtime, extension) = (&runtime, &extension);
    let request = |target: &str| {
        let request = HttpRequest::new("GET", target).unwrap();
        move || {
            let response = runtime.execute(extension, context, &request).unwrap();
            assert_eq!(response.status, 200);
        }
    };
    row(
        "TypeScript sample: start an execution only (pooling, `InstancePre`)",
        &measure(1000 / scale, || {
            runtime.start(extension, context).unwrap();
        }),
    );
    row(
        "TypeScript sample: GET /clients/:id (get-client + JSON)",
        &measure(500 / scale, request(&format!("/clients/{client_id}"))),
    );
    for size in [25, 100] {
        row(
            &format!("TypeScript sample: GET /clients?pageSize={size} (list-clients + JSON)"),
            &measure(300 / scale, request(&format!("/clients?pageSize={size}&page=3"))),
        );
    }
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let demo = demo::build(&DemoConfig {
        seed: 11,
        tenants: 2,
        clients_per_tenant: 200,
        services_per_tenant: 50,
        first_tenant_clients: Some(CLIENTS),
    });
    let sample_bytes = sample::sample_extension();
    let sqlite = ReadServices::new(Arc::new(SqliteStore::in_memory().expect("in-memory SQLite")));

    println!("## Loading components\n");
    println!("| what | median | p99 | n |\n|---|---|---|---|");
    let probe = alga_extension_contract::probe::generate_for_contract().unwrap();
    loading(&format!("probe ({} KiB)", probe.component.len() / 1024), &probe.component, true, 20, &sqlite);
    let sample_name = format!("TypeScript sample ({:.1} MiB)", sample_bytes.len() as f64 / (1 << 20) as f64);
    loading(&sample_name, sample_bytes, false, if quick { 1 } else { 3 }, &sqlite);
    let wat_start = {
        let runtime = Runtime::new(sqlite.clone(), &config(None)).unwrap();
        let context: &ExecutionContext = &demo.contexts[0].context;
        let probe = alga_extension_contract::probe::generate_for_contract().unwrap();
        let probe = runtime.load_probe(&probe.component).unwrap();
        let call = Call::get_client("not-a-uuid");
        measure(2000, || {
            runtime.call_probe(&probe, context, &call);
        })
    };
    println!("\n## Executions\n");
    println!("| what | median | p99 | n |\n|---|---|---|---|");
    row("probe: an execution whose call fails validation before any query (start + call)", &wat_start);

    store_benches("Embedded SQLite (in memory)", sqlite, &demo, sample_bytes, quick);
    let server =
        provision::postgres_server().unwrap_or_else(|err| panic!("no PostgreSQL for the benchmarks: {err}"));
    let database = server.fresh_database("alga_host_bench").unwrap_or_else(|err| panic!("{err}"));
    let postgres = PostgresStore::connect(database.url()).unwrap_or_else(|err| panic!("{err}"));
    let label = format!("PostgreSQL ({})", postgres.describe());
    store_benches(&label, ReadServices::new(Arc::new(postgres)), &demo, sample_bytes, quick);
}
