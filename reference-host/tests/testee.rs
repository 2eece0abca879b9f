//! [`ReferenceTestee`] in process, on the embedded store and on PostgreSQL: the probe's
//! calls run through real executions and agree with the read services, concurrent calls
//! come back in order, a store outage is `internal` and ends cleanly, and bad input to the
//! testee itself is rejected with a reason.

mod support;

use alga_conformance_protocol::fixture::Tenant;
use alga_conformance_protocol::{Call, ExecutionContext, Fixture, Outcome, Testee, TesteeError};
use alga_extension_contract::types::{ClientListInput, ReadError, ServiceListInput};
use alga_reference_host::ReferenceTestee;
use alga_reference_store::demo::{self, Demo, DemoConfig};
use serde_json::json;

fn demo_data() -> Demo {
    demo::build(&DemoConfig {
        seed: 3,
        tenants: 3,
        clients_per_tenant: 25,
        services_per_tenant: 15,
        ..Default::default()
    })
}

fn prepared(mut testee: ReferenceTestee, demo: &Demo) -> ReferenceTestee {
    let probe = alga_extension_contract::probe::generate_for_contract().unwrap();
    testee.load_probe(&probe.component).expect("the probe loads");
    testee.load_fixture(&demo.fixture).expect("the demo data loads");
    testee
}

/// Every function in every demo context, with a few inputs each.
fn calls(demo: &Demo) -> Vec<(ExecutionContext, Call)> {
    let tenant = &demo.fixture.tenants[0];
    let client_id = tenant.clients[3].client_id.clone();
    let service_id = tenant.services[2].service_id.clone();
    let mut calls = Vec::new();
    for named in &demo.contexts {
        for call in [
            Call::list_clients(&ClientListInput::default()),
            Call::list_clients(&ClientListInput {
                search: Some("acme".into()),
                include_inactive: Some(true),
                ..Default::default()
            }),
            Call::list_clients(&ClientListInput { page_size: Some(500), ..Default::default() }),
            Call::get_client(&client_id),
            Call::get_client(&client_id.to_ascii_uppercase()),
            Call::get_client("not-a-uuid"),
            Call::list_services(&ServiceListInput { page_size: Some(100), ..Default::default() }),
            Call::get_service(&service_id),
        ] {
            calls.push((named.context.clone(), call));
        }
    }
    calls
}

/// What the read services answer directly for `call` in `context`.
fn direct(testee: &ReferenceTestee, context: &ExecutionContext, call: &Call) -> Outcome {
    let services = testee.runtime().services();
    let actor = match services.actor(context) {
        Ok(actor) => actor,
        Err(err) => return Outcome::from_result::<()>(&Err(err)),
    };
    let arg = &call.args[0];
    match call.function.as_str() {
        "list-clients" => Outcome::from_result(
            &services.list_clients(&actor, &serde_json::from_value(arg.clone()).unwrap()),
        ),
        "get-client" => Outcome::from_result(&services.get_client(&actor, arg.as_str().unwrap())),
        "list-services" => Outcome::from_result(
            &services.list_services(&actor, &serde_json::from_value(arg.clone()).unwrap()),
        ),
        "get-service" => Outcome::from_result(&services.get_service(&actor, arg.as_str().unwrap())),
        other => panic!("unknown function {other}"),
    }
}

/// The JSON of an outcome with `null` fields dropped and integral floats as integers, so
/// that values through the component and values from serde compare.
fn normal(outcome: Outcome) -> Outcome {
    fn clean(json: serde_json::Value) -> serde_json::Value {
        use serde_json::Value;
        match json {
            Value::Object(o) => Value::Object(
                o.into_iter().filter(|(_, v)| !v.is_null()).map(|(k, v)| (k, clean(v))).collect(),
            ),
            Value::Array(a) => Value::Array(a.into_iter().map(clean).collect()),
            Value::Number(n) if n.is_f64() && n.as_f64().unwrap().fract() == 0.0 => {
                json!(n.as_f64().unwrap() as i64)
            }
            other => other,
        }
    }
    match outcome {
        Outcome::Value { value } => Outcome::Value { value: clean(value) },
        other => other,
    }
}

fn the_testee_agrees_with_the_read_services(testee: ReferenceTestee) {
    let demo = demo_data();
    let mut testee = prepared(testee, &demo);
    let info = testee.info().unwrap();
    assert!(info.name.starts_with("alga-reference-host ("), "{}", info.name);
    assert_eq!(info.contract_versions, [alga_extension_contract::CONTRACT_VERSION, "0.1.0"]);
    assert!(info.store_outage);

    let calls = calls(&demo);
    let mut classes = std::collections::BTreeSet::new();
    let sequential: Vec<Outcome> = calls.iter().map(|(context, call)| testee.call(context, call)).collect();
    for ((context, call), outcome) in calls.iter().zip(&sequential) {
        classes.insert(outcome.read_error().map_or("value".to_string(), |e| e.case_name().to_string()));
        assert_eq!(normal(outcome.clone()), normal(direct(&testee, context, call)), "{}", call.display());
    }
    assert_eq!(
        classes.into_iter().collect::<Vec<_>>(),
        ["invalid-input", "not-allowed", "value"],
        "the calls cover values and both caller errors"
    );

    let concurrent = testee.call_concurrently(&calls);
    assert_eq!(concurrent, sequential, "concurrent calls come back in order, with the same outcomes");

    testee.set_store_outage(true).unwrap();
    let (context, call) = &calls[0];
    assert_eq!(testee.call(context, call).read_error(), Some(ReadError::Internal));
    testee.set_store_outage(false).unwrap();
    assert_eq!(testee.call(context, call), sequential[0]);

    testee.reset().unwrap();
    assert_eq!(
        testee.call(context, call).read_error(),
        Some(ReadError::NotAllowed),
        "no installs after reset"
    );
}

#[test]
fn the_testee_agrees_with_the_read_services_on_the_embedded_store() {
    the_testee_agrees_with_the_read_services(ReferenceTestee::in_memory_sqlite().unwrap());
}

#[test]
fn the_testee_agrees_with_the_read_services_on_postgres() {
    the_testee_agrees_with_the_read_services(
        ReferenceTestee::fresh_postgres().unwrap_or_else(|err| panic!("{err:#}")),
    );
}

#[test]
fn the_testee_rejects_what_it_cannot_use() {
    let mut testee = ReferenceTestee::in_memory_sqlite().unwrap();
    let call = Call::list_clients(&ClientListInput::default());
    let context =
        support::context("00000000-0000-4000-8000-000000000001", "00000000-0000-4000-8000-000000000002");
    match testee.call(&context, &call) {
        Outcome::HostFailure { message } => {
            assert!(message.contains("no probe component is loaded"), "{message}")
        }
        other => panic!("{other:?}"),
    }
    match testee.load_probe(b"not a component") {
        Err(TesteeError::Rejected(message)) => {
            assert!(
                message.starts_with("the probe cannot be loaded: the file is not a WebAssembly component"),
                "{message}"
            )
        }
        other => panic!("{other:?}"),
    }
    let bad = Fixture { tenants: vec![Tenant { tenant_id: "NOT-A-UUID".into(), ..Default::default() }] };
    assert!(matches!(testee.load_fixture(&bad), Err(TesteeError::Rejected(_))));

    let probe = alga_extension_contract::probe::generate_for_contract().unwrap();
    testee.load_probe(&probe.component).unwrap();
    let mut wrong = call.clone();
    wrong.interface = "alga:extension/tickets@0.1.0".into();
    match testee.call(&context, &wrong) {
        Outcome::HostFailure { message } => assert!(message.contains("probe-tickets"), "{message}"),
        other => panic!("{other:?}"),
    }
}
