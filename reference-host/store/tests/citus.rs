//! The store on a Citus cluster, for what only a cluster has: a worker that dies while
//! executions run. Calls for the tenants it holds answer `internal` (ERR-1) while it is
//! down, nothing panics, and the store serves again once the worker is back. (The rules of
//! SPEC.md run on Citus in `rules.rs`; router plans, row-level security on the workers and
//! the schema's distribution are the crate's own tests, `src/postgres/citus_tests.rs`.)
//! A throwaway cluster of the provisioning ladder: Citus must be installed
//! (`scripts/citus.sh`); never a skip.

mod common;

use alga_extension_contract::types::{ClientListInput, ReadError, ServiceListInput};
use alga_reference_store::postgres::PostgresStore;
use alga_reference_store::{DataStore, ReadServices, provision};
use common::world::{self, *};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// One call of each function; `Ok` carries a short description of the answer.
fn every_function(rs: &ReadServices) -> Vec<Result<String, ReadError>> {
    let actor = match rs.actor(&scheduled()) {
        Ok(actor) => actor,
        Err(err) => return vec![Err(err)],
    };
    vec![
        rs.list_clients(&actor, &ClientListInput::default()).map(|p| format!("{} clients", p.total_count)),
        rs.get_client(&actor, &acme_title()).map(|c| format!("{:?}", c.map(|c| c.client_name))),
        rs.list_services(&actor, &ServiceListInput::default()).map(|p| format!("{} services", p.total_count)),
        rs.get_service(&actor, &onsite_1()).map(|s| format!("{:?}", s.map(|s| s.service_name))),
    ]
}

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

    let stop = Arc::new(AtomicBool::new(false));
    let (answered, failed) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let callers: Vec<_> = (0..4)
        .map(|_| {
            let (rs, stop, answered, failed) = (rs.clone(), stop.clone(), answered.clone(), failed.clone());
            let expected = healthy.clone();
            std::thread::spawn(move || {
                while !stop.load(Ordering::SeqCst) {
                    for (result, want) in every_function(&rs).into_iter().zip(&expected) {
                        match result {
                            Ok(answer) => {
                                assert_eq!(Ok(&answer), want.as_ref(), "a wrong answer, not just a failure");
                                answered.fetch_add(1, Ordering::SeqCst);
                            }
                            Err(ReadError::Internal) => {
                                failed.fetch_add(1, Ordering::SeqCst);
                            }
                            Err(other) => panic!("an outage must be internal, got {other:?}"),
                        }
                    }
                }
            })
        })
        .collect();
    std::thread::sleep(Duration::from_millis(300));
    worker.stop_immediately().unwrap();
    std::thread::sleep(Duration::from_millis(500));

    // While it is down: internal, including resolving a context.
    assert_eq!(rs.actor(&scheduled()), Err(ReadError::Internal));
    assert!(failed.load(Ordering::SeqCst) > 0, "the callers saw the outage");

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
    let answered_before = answered.load(Ordering::SeqCst);
    std::thread::sleep(Duration::from_millis(300));
    stop.store(true, Ordering::SeqCst);
    for caller in callers {
        caller.join().expect("no caller panicked");
    }
    assert!(answered.load(Ordering::SeqCst) > answered_before, "the callers recovered too");
    drop(rs);
    drop(store);
    drop(database);
}
