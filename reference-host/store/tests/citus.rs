//! The store on a Citus cluster, for what only a cluster has: a worker that dies while
//! executions run. Calls for the tenants it holds answer `internal` (ERR-1) while it is
//! down, nothing panics, and the store serves again once the worker is back. (The rules of
//! SPEC.md run on Citus in `rules.rs`; router plans, row-level security on the workers and
//! the schema's distribution are the crate's own tests, `src/postgres/citus_tests.rs`.)
//! A throwaway cluster of the provisioning ladder: Citus must be installed
//! (`scripts/citus.sh`); never a skip.

mod common;

use alga_extension_contract::types::ReadError;
use alga_reference_store::postgres::{PostgresOptions, PostgresStore};
use alga_reference_store::{DataStore, ReadServices, provision};
use common::outage::{Callers, every_function};
use common::world::{self, *};
use std::sync::Arc;
use std::time::{Duration, Instant};

#[test]
fn a_worker_killed_mid_run_answers_internal_then_recovers() {
    let server = provision::citus_cluster().unwrap_or_else(|err| panic!("{err}"));
    let database = server.fresh_database("citus_kill").unwrap();
    let store = Arc::new(PostgresStore::connect(database.url()).unwrap());
    store.load_fixture(&world::fixture()).unwrap();
    let rs = ReadServices::new(store.clone());
    let healthy = every_function(&rs);
    assert!(healthy.iter().all(Result::is_ok), "{healthy:?}");

    // The worker holding tenant 1 (every table of a tenant is on one worker).
    let port = database.worker_of_tenant(T1).unwrap_or_else(|err| panic!("{err}"));
    let worker = server
        .citus_workers()
        .iter()
        .find(|w| w.port() == port)
        .unwrap_or_else(|| panic!("tenant 1 is on port {port}, which is no worker"));

    let callers = Callers::start(&rs, &healthy, 4);
    std::thread::sleep(Duration::from_millis(300));
    worker.stop_immediately().unwrap();
    // Execution contexts read before the stop may be reused for `context_ttl` (SPEC's note
    // on CAP-1, AUTH-1 and AUTH-2; a failed read is never cached), so wait that long: after
    // it every context must be read again, from the dead worker.
    std::thread::sleep(PostgresOptions::default().context_ttl + Duration::from_millis(500));

    // While it is down: internal, including resolving a context.
    assert_eq!(rs.actor(&scheduled()), Err(ReadError::Internal));
    assert!(callers.failed() > 0, "the callers saw the outage");

    worker.start().unwrap();
    let back = Instant::now();
    // Back: the coordinator's connections to the worker died with it, and Citus replaces
    // them on the next queries; within seconds every call answers again, and keeps doing so.
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut recovered = every_function(&rs);
    while recovered != healthy && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
        recovered = every_function(&rs);
    }
    assert_eq!(recovered, healthy, "the store recovered after the worker came back");
    eprintln!("every function answered again {:?} after the worker was back", back.elapsed());
    for _ in 0..20 {
        assert_eq!(every_function(&rs), healthy);
    }
    let answered_before = callers.answered();
    std::thread::sleep(Duration::from_millis(300));
    let answered_after = callers.answered();
    callers.finish();
    assert!(answered_after > answered_before, "the callers recovered too");
    drop(rs);
    drop(store);
    drop(database);
}
