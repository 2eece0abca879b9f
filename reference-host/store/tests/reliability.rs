//! ERR-1 against a real database: PostgreSQL killed mid-run and frozen mid-run (a throwaway
//! local cluster, never the shared server), unreachable from the start, and many executions
//! at once on a small pool. Calls must return `internal` while the database is gone — by
//! their deadline when it does not answer at all — nothing may panic, and the first call
//! after it is back must succeed.

mod common;

use alga_extension_contract::types::{ClientListInput, ReadError};
use alga_reference_store::postgres::{PostgresOptions, PostgresStore};
use alga_reference_store::{DataStore, Deadline, ReadServices, StoreError, provision};
use common::outage::{Callers, every_function};
use common::world::{self, *};
use std::sync::Arc;
use std::time::{Duration, Instant};

#[test]
fn postgres_killed_mid_run_answers_internal_then_recovers() {
    let server = provision::local_cluster().unwrap_or_else(|err| panic!("{err}"));
    let cluster = server.local_cluster().expect("a local cluster");
    let database = server.fresh_database("store_kill").unwrap();
    // No reuse of context records: resolving a context must reach the dead database here
    // (with reuse it may be answered from records read less than the TTL ago, as SPEC.md's
    // note on ERR-1 allows).
    let options = PostgresOptions {
        connect_timeout: Duration::from_secs(2),
        context_ttl: Duration::ZERO,
        ..PostgresOptions::default()
    };
    let store = Arc::new(PostgresStore::connect_with(database.url(), options).unwrap());
    store.load_fixture(&world::fixture()).unwrap();
    let rs = ReadServices::new(store.clone());
    let healthy = every_function(&rs);
    assert!(healthy.iter().all(Result::is_ok), "{healthy:?}");

    // Executions keep calling while the database dies and comes back.
    let callers = Callers::start(&rs, &healthy, 4);
    std::thread::sleep(Duration::from_millis(300));
    cluster.stop_immediately().unwrap();
    std::thread::sleep(Duration::from_millis(500));

    // While it is down: internal everywhere, including resolving a context.
    assert_eq!(rs.actor(&scheduled()), Err(ReadError::Internal));
    let actor = rs.actor(&world::ctx(install_both(), None));
    assert_eq!(actor, Err(ReadError::Internal));
    assert!(callers.failed() > 0, "the callers saw the outage");

    cluster.start().unwrap();
    // The very first call after the restart succeeds: dead pooled connections are retried.
    assert_eq!(every_function(&rs), healthy);
    let answered_before = callers.answered();
    std::thread::sleep(Duration::from_millis(300));
    let answered_after = callers.answered();
    callers.finish();
    assert!(answered_after > answered_before, "the callers recovered too");
    drop(rs);
    drop(store);
    drop(database);
}

/// Issue 13: a frozen database (SIGSTOP) held every caller for the whole freeze. Now each
/// wait — a read on a pooled connection whose server never answers, a new connection whose
/// handshake never completes, a caller queued for a pooled connection — ends at the call's
/// deadline as `internal`, and the store serves again as soon as the database thaws.
#[test]
fn a_frozen_postgres_ends_every_call_at_its_deadline_then_recovers() {
    let server = provision::local_cluster().unwrap_or_else(|err| panic!("{err}"));
    let cluster = server.local_cluster().expect("a local cluster");
    let database = server.fresh_database("store_freeze").unwrap();
    let options = PostgresOptions { pool_size: 2, context_ttl: Duration::ZERO, ..PostgresOptions::default() };
    let store = Arc::new(PostgresStore::connect_with(database.url(), options).unwrap());
    store.load_fixture(&world::fixture()).unwrap();
    let rs = ReadServices::new(store.clone());
    let healthy = every_function(&rs);
    assert!(healthy.iter().all(Result::is_ok), "{healthy:?}");

    let frozen = cluster.freeze().unwrap_or_else(|err| panic!("{err}"));
    let deadline = Duration::from_millis(500);
    // Four callers on a pool of two: two read on pooled connections, two wait for one (or
    // open a new one once a timed-out connection is dropped).
    let callers: Vec<_> = (0..4)
        .map(|_| {
            let rs = rs.clone().until(Deadline::after(deadline));
            std::thread::spawn(move || {
                let started = Instant::now();
                let answers = every_function(&rs);
                (started.elapsed(), answers)
            })
        })
        .collect();
    for caller in callers {
        let (took, answers) = caller.join().unwrap();
        assert!(answers.iter().all(|answer| *answer == Err(ReadError::Internal)), "{answers:?}");
        assert!(took >= deadline - Duration::from_millis(50), "ended by the deadline, not before: {took:?}");
        assert!(took < deadline + Duration::from_millis(700), "ended at the deadline: {took:?}");
    }
    drop(frozen);
    assert_eq!(every_function(&rs), healthy, "the first calls after the thaw succeed");
    drop(rs);
    drop(store);
    drop(database);
}

#[test]
fn postgres_unreachable_from_the_start_is_a_clear_error() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let url = format!("postgres://postgres@127.0.0.1:{port}/nothing");
    let options = PostgresOptions { connect_timeout: Duration::from_secs(1), ..PostgresOptions::default() };
    let err = PostgresStore::connect_with(&url, options).unwrap_err();
    assert!(matches!(&err, StoreError::Unavailable(text) if text.contains("cannot connect")), "{err}");
    let err = PostgresStore::connect("this is not a url").unwrap_err();
    assert!(matches!(&err, StoreError::Rejected(text) if text.contains("not a PostgreSQL")), "{err}");
}

#[test]
fn many_executions_share_a_small_pool_without_crossing_tenants() {
    let server = provision::postgres_server().unwrap_or_else(|err| panic!("{err}"));
    let database = server.fresh_database("store_small_pool").unwrap();
    // A pool of 3 for 24 threads: most calls wait for a connection.
    let options = PostgresOptions { pool_size: 3, ..PostgresOptions::default() };
    let small = Arc::new(PostgresStore::connect_with(database.url(), options).unwrap());
    small.load_fixture(&world::fixture()).unwrap();
    let rs = ReadServices::new(small.clone());
    let t1 = rs.actor(&scheduled()).unwrap();
    let t2 = rs
        .actor(&alga_conformance_protocol::ExecutionContext {
            tenant_id: T2.into(),
            install_id: install_t2(),
            user: None,
        })
        .unwrap();
    let expected_t1 = rs.get_client(&t1, &acme_title()).unwrap();
    let expected_t2 = rs.get_client(&t2, &acme_title()).unwrap();
    assert_ne!(expected_t1, expected_t2, "the shared id names different clients");
    let threads: Vec<_> = (0..24)
        .map(|i| {
            let (rs, t1, t2, e1, e2) =
                (rs.clone(), t1.clone(), t2.clone(), expected_t1.clone(), expected_t2.clone());
            std::thread::spawn(move || {
                for _ in 0..10 {
                    let (actor, expected) = if i % 2 == 0 { (&t1, &e1) } else { (&t2, &e2) };
                    assert_eq!(&rs.get_client(actor, &acme_title()).unwrap(), expected);
                    let page = rs.list_clients(actor, &ClientListInput::default()).unwrap();
                    assert_eq!(page.total_count, if i % 2 == 0 { 12 } else { 2 });
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().expect("no thread panicked or saw another tenant's data");
    }
}
