//! Hostile guests (hand-written WAT components of the host's world): an infinite loop, a
//! memory bomb, a memory too large to start, a trap, a stack overflow, a bad response and
//! a guest that calls the contract without end each end their own execution with an error
//! that names the cause, and the next execution on the same runtime succeeds.

mod support;

use alga_reference_host::limits::{Limits, MIB};
use alga_reference_host::{ExecutionError, HttpRequest, Runtime};
use std::time::{Duration, Instant};
use support::guests;

const TENANT: &str = "00000000-0000-4000-8000-000000000001";
const INSTALL: &str = "00000000-0000-4000-8000-000000000002";

fn runtime() -> Runtime {
    let limits = Limits { memory_bytes: 8 * MIB, time: Duration::from_millis(300), ..Limits::default() };
    support::runtime_with(support::sqlite_services(), limits)
}

fn run(runtime: &Runtime, component: &[u8]) -> Result<alga_reference_host::HttpResponse, ExecutionError> {
    let extension = runtime.load_extension(component).expect("the guest loads");
    let request = HttpRequest::new("GET", "/anything?x=1").unwrap();
    runtime.execute(&extension, &support::context(TENANT, INSTALL), &request)
}

/// The well-behaved guest answers on `runtime`: the host is still serving.
fn assert_still_serving(runtime: &Runtime) {
    let response = run(runtime, &guests::well_behaved()).expect("a well-behaved guest runs");
    assert_eq!((response.status, response.body.as_slice()), (200, b"ok".as_slice()));
}

#[test]
fn a_well_behaved_guest_answers() {
    assert_still_serving(&runtime());
}

#[test]
fn an_infinite_loop_ends_at_the_time_limit() {
    let runtime = runtime();
    let started = Instant::now();
    let err = run(&runtime, &guests::infinite_loop()).unwrap_err();
    let elapsed = started.elapsed();
    assert_eq!(err.to_string(), "the extension exceeded its time limit of 300ms");
    assert_eq!(err.kind(), "time-limit");
    assert!(elapsed >= Duration::from_millis(300), "ended early: {elapsed:?}");
    assert!(elapsed < Duration::from_millis(1000), "ended long after the deadline: {elapsed:?}");
    assert_still_serving(&runtime);
}

#[test]
fn a_memory_bomb_is_refused_past_the_cap() {
    let runtime = runtime();
    let err = run(&runtime, &guests::memory_bomb()).unwrap_err();
    assert_eq!(err.kind(), "memory-limit", "{err}");
    assert!(err.to_string().starts_with("the extension tried to grow memory past 8 MiB"), "{err}");
    assert_still_serving(&runtime);
}

#[test]
fn a_memory_too_large_to_start_is_refused() {
    let runtime = runtime();
    // 200 pages of 64 KiB: 12.5 MiB, past the 8 MiB cap.
    let err = run(&runtime, &guests::huge_initial_memory(200)).unwrap_err();
    assert_eq!(err.kind(), "memory-limit", "{err}");
    assert!(err.to_string().contains("(it asked for 12.5 MiB in total)"), "{err}");
    assert_still_serving(&runtime);
}

#[test]
fn a_trap_is_reported_with_its_cause() {
    let runtime = runtime();
    let err = run(&runtime, &guests::trap()).unwrap_err();
    assert_eq!(err.kind(), "trap");
    assert!(err.to_string().starts_with("the extension trapped: wasm trap: wasm `unreachable`"), "{err}");
    assert_still_serving(&runtime);
}

#[test]
fn a_stack_overflow_is_a_trap() {
    let runtime = runtime();
    let err = run(&runtime, &guests::stack_overflow()).unwrap_err();
    assert_eq!(err.kind(), "trap");
    assert!(err.to_string().contains("call stack exhausted"), "{err}");
    assert_still_serving(&runtime);
}

#[test]
fn a_response_that_is_not_http_is_refused() {
    let runtime = runtime();
    let err = run(&runtime, &guests::bad_status()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "the extension returned an invalid response: status 42 is not an HTTP status code (100 to 599)"
    );
    assert_still_serving(&runtime);
}

#[test]
fn hostile_and_good_guests_interleave_on_several_threads() {
    let runtime = runtime();
    let hostile = [guests::infinite_loop(), guests::memory_bomb(), guests::trap()];
    std::thread::scope(|scope| {
        for guest in &hostile {
            let runtime = &runtime;
            scope.spawn(move || assert!(run(runtime, guest).is_err()));
        }
        for _ in 0..4 {
            let runtime = &runtime;
            scope.spawn(move || assert_still_serving(runtime));
        }
    });
    assert_still_serving(&runtime);
}

#[test]
fn executions_beyond_the_pool_wait_for_a_slot_instead_of_failing() {
    let config = alga_reference_host::RuntimeConfig {
        engine: alga_reference_host::engine::EngineConfig {
            limits: Limits { time: Duration::from_millis(300), ..Limits::default() },
            max_concurrent_executions: 2,
            ..Default::default()
        },
        disk_cache: None,
    };
    let runtime = Runtime::new(support::sqlite_services(), &config).unwrap();
    let (spin, good) = (guests::infinite_loop(), guests::well_behaved());
    std::thread::scope(|scope| {
        let loops: Vec<_> =
            (0..2).map(|_| scope.spawn(|| run(&runtime, &spin).unwrap_err().kind())).collect();
        std::thread::sleep(Duration::from_millis(50));
        // Both slots are taken by the loops: these wait until the deadline frees them.
        let goods: Vec<_> = (0..2).map(|_| scope.spawn(|| run(&runtime, &good).map(|r| r.status))).collect();
        for handle in loops {
            assert_eq!(handle.join().unwrap(), "time-limit");
        }
        for handle in goods {
            assert_eq!(handle.join().unwrap(), Ok(200));
        }
    });
}

/// A store with one tenant, one install granted `cap:client.read` and one client; returns
/// the services and the client's id.
fn store_with_a_client() -> (alga_reference_store::ReadServices, String) {
    let client_id = "00000000-0000-4000-8000-0000000000c1";
    let fixture: alga_conformance_protocol::Fixture = serde_json::from_value(serde_json::json!({
        "tenants": [{
            "tenantId": TENANT,
            "installs": [{"installId": INSTALL, "grantedCapabilities": ["cap:client.read"]}],
            "clients": [{"clientId": client_id, "clientName": "Acme", "defaultCurrencyCode": "USD"}],
        }]
    }))
    .expect("a valid fixture");
    let services = support::sqlite_services();
    services.store().load_fixture(&fixture).expect("the fixture loads");
    (services, client_id.to_string())
}

#[test]
fn a_guest_calling_the_contract_without_end_stops_at_the_call_limit() {
    let (services, client_id) = store_with_a_client();
    // A time limit far beyond what 50 calls take: the call limit, not the clock, ends it.
    let limits = Limits { time: Duration::from_secs(20), host_calls: 50, ..Limits::default() };
    let runtime = support::runtime_with(services, limits);
    let err = run(&runtime, &guests::get_client_forever(&client_id)).unwrap_err();
    assert_eq!(err.kind(), "host-call-limit", "{err}");
    assert_eq!(err.to_string(), "the extension exceeded its limit of 50 contract calls per execution");
    assert_still_serving(&runtime);
}

#[test]
fn a_guest_reading_rows_without_end_stops_at_the_row_limit() {
    let (services, client_id) = store_with_a_client();
    let limits = Limits { time: Duration::from_secs(20), rows: 10, ..Limits::default() };
    let runtime = support::runtime_with(services, limits);
    let err = run(&runtime, &guests::get_client_forever(&client_id)).unwrap_err();
    assert_eq!(err.kind(), "row-limit", "{err}");
    assert_eq!(
        err.to_string(),
        "the extension exceeded its limit of 10 rows read per execution (this call would have made it 11)"
    );
    assert_still_serving(&runtime);
}
