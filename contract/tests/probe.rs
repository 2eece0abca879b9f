//! The generated probe forwards every contract function unchanged: a call through the
//! probe returns exactly what the host function returns, for every function, with large
//! arguments, and without leaking guest memory across calls. A probe of the 0.1 track, on a
//! linker serving every track, reaches the same host through the 0.1 bindings and gets its
//! answers in the 0.1 shapes.
//!
//! The host here is a recording stand-in that derives its answers from its inputs: this
//! tests the probe generator and the dynamic caller, not a host's behaviour.

use alga_extension_contract::host::{self, ReadHost, dynamic};
use alga_extension_contract::probe;
use alga_extension_contract::types::*;
use serde_json::{Value, json};
use wasmtime::component::{Component, Linker};
use wasmtime::{Config, Engine, Store};

#[derive(Default)]
struct Echo {
    calls: Vec<String>,
    peak_memory: usize,
}

fn summary(id: &str, name: &str) -> ClientSummary {
    ClientSummary {
        client_id: id.to_string(),
        client_name: name.to_string(),
        client_type: Some(ClientType::Individual),
        is_inactive: name.len().is_multiple_of(2),
        default_currency_code: "EUR".into(),
        account_manager_id: None,
        account_manager_name: Some("Ünïcødé Name — 日本".into()),
        billing_email: Some(String::new()),
        tags: vec!["a".into(), "b".into()],
    }
}

impl ReadHost for Echo {
    fn list_clients(&mut self, input: ClientListInput) -> Result<ClientPage, ReadError> {
        self.calls.push("list-clients".into());
        if input.page == Some(0) {
            return Err(ReadError::InvalidInput("page must be between 1 and 10000, got 0".into()));
        }
        let search = input.search.unwrap_or_default();
        let n = input.page_size.unwrap_or(3) as usize;
        Ok(ClientPage {
            items: (0..n)
                .map(|i| summary(&format!("id-{i}"), &format!("{i}:{}", &search[..search.len().min(50)])))
                .collect(),
            total_count: search.chars().count() as u32,
            page: input.page.unwrap_or(1),
            page_size: n as u32,
        })
    }
    fn get_client(&mut self, client_id: String) -> Result<Option<ClientSummary>, ReadError> {
        self.calls.push("get-client".into());
        match client_id.as_str() {
            "none" => Ok(None),
            "denied" => Err(ReadError::NotAllowed),
            "boom" => Err(ReadError::Internal),
            id => Ok(Some(summary(id, &id.repeat(2)))),
        }
    }
    fn list_services(&mut self, input: ServiceListInput) -> Result<ServicePage, ReadError> {
        self.calls.push("list-services".into());
        Ok(ServicePage {
            items: vec![ServiceSummary {
                service_id: "s-1".into(),
                service_name: input.search.unwrap_or_else(|| "none".into()),
                item_kind: input.item_kind.unwrap_or(ItemKind::Product),
                billing_method: input.billing_method.unwrap_or(BillingMethod::Usage),
                service_type_id: None,
                service_type_name: Some("Managed".into()),
                default_rate: 123_456.0,
                prices: match input.currency_code {
                    Some(code) => vec![ServicePrice { currency_code: code, rate: 99.0 }],
                    None => vec![
                        ServicePrice { currency_code: "EUR".into(), rate: 100_000.0 },
                        ServicePrice { currency_code: "USD".into(), rate: 123_456.0 },
                    ],
                },
                unit_of_measure: "GB".into(),
                is_active: input.is_active.unwrap_or(true),
                sku: Some("SKU-1".into()),
            }],
            total_count: 1,
            page: input.page.unwrap_or(1),
            page_size: input.page_size.unwrap_or(25),
        })
    }
    fn get_service(&mut self, service_id: String) -> Result<Option<ServiceSummary>, ReadError> {
        self.calls.push("get-service".into());
        if service_id.is_empty() {
            Err(ReadError::InvalidInput("service-id must be a UUID".into()))
        } else {
            Ok(None)
        }
    }
}

impl wasmtime::ResourceLimiter for Echo {
    fn memory_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _max: Option<usize>,
    ) -> wasmtime::Result<bool> {
        self.peak_memory = self.peak_memory.max(desired);
        Ok(true)
    }
    fn table_growing(
        &mut self,
        _current: usize,
        _desired: usize,
        _max: Option<usize>,
    ) -> wasmtime::Result<bool> {
        Ok(true)
    }
}

fn direct(host: &mut Echo, function: &str, arg: &Value) -> Value {
    let json = |v: Result<Value, ReadError>| match v {
        Ok(v) => json!({"ok": v}),
        Err(e) => json!({"err": serde_json::to_value(e).unwrap()}),
    };
    match function {
        "list-clients" => json(
            host.list_clients(serde_json::from_value(arg.clone()).unwrap())
                .map(|v| serde_json::to_value(v).unwrap()),
        ),
        "get-client" => {
            json(host.get_client(arg.as_str().unwrap().into()).map(|v| serde_json::to_value(v).unwrap()))
        }
        "list-services" => json(
            host.list_services(serde_json::from_value(arg.clone()).unwrap())
                .map(|v| serde_json::to_value(v).unwrap()),
        ),
        "get-service" => {
            json(host.get_service(arg.as_str().unwrap().into()).map(|v| serde_json::to_value(v).unwrap()))
        }
        other => panic!("unknown {other}"),
    }
}

/// Compares two JSON values, treating numbers as equal when their f64 values are (the
/// dynamic caller prints integral floats without a fraction, as JavaScript does).
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same(a, b)),
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}

#[test]
fn probe_forwards_every_function_exactly() {
    let generated = probe::generate_for_contract().unwrap();
    assert_eq!(
        generated.functions.iter().map(|f| f.function.as_str()).collect::<Vec<_>>(),
        ["list-clients", "get-client", "list-services", "get-service"]
    );
    for f in &generated.functions {
        assert_eq!(probe::probe_export_name(&f.interface).as_deref(), Some(f.export.as_str()));
    }

    let engine = Engine::new(&Config::new()).unwrap();
    let component = Component::new(&engine, &generated.component).unwrap();
    let mut linker: Linker<Echo> = Linker::new(&engine);
    host::add_to_linker(&mut linker).unwrap();
    let mut store = Store::new(&engine, Echo::default());
    store.limiter(|s| s);
    let instance = linker.instantiate(&mut store, &component).unwrap();

    let huge = "ü".repeat(300_000);
    let cases: Vec<(&str, Value)> = vec![
        ("list-clients", json!({})),
        ("list-clients", json!({"search": "Acme", "includeInactive": true, "page": 2, "pageSize": 4})),
        ("list-clients", json!({"page": 0})),
        ("list-clients", json!({"search": huge, "pageSize": 1})),
        ("get-client", json!("3f2504e0-4f89-11d3-9a0c-0305e82c3301")),
        ("get-client", json!("none")),
        ("get-client", json!("denied")),
        ("get-client", json!("boom")),
        ("get-client", json!(huge)),
        (
            "list-services",
            json!({"itemKind": "service", "isActive": false, "billingMethod": "hourly", "search": "x"}),
        ),
        ("list-services", json!({})),
        ("list-services", json!({"currencyCode": "JPY"})),
        ("get-service", json!("")),
        ("get-service", json!("anything")),
    ];
    for (function, arg) in &cases {
        let f = generated.functions.iter().find(|f| f.function == *function).unwrap();
        let via_probe =
            dynamic::call_json(&mut store, &instance, &f.export, function, std::slice::from_ref(arg))
                .unwrap();
        let expected = direct(&mut Echo::default(), function, arg);
        assert!(
            same(&via_probe, &expected),
            "{function}: probe returned {via_probe}, host returned {expected}"
        );
    }
    assert_eq!(store.data().calls.len(), cases.len(), "every probe call reached the host exactly once");

    // The bump allocator is reset after each call: repeated calls do not grow memory.
    let f = &generated.functions[0];
    let before = store.data().peak_memory;
    for _ in 0..2_000 {
        dynamic::call_json(&mut store, &instance, &f.export, "list-clients", &[json!({"pageSize": 50})])
            .unwrap();
    }
    assert_eq!(store.data().peak_memory, before, "guest memory grew across calls");
}

#[test]
fn a_probe_of_the_0_1_track_is_served_by_the_same_host_in_the_0_1_shapes() {
    let old = alga_extension_contract::v0_1::wit().unwrap();
    let generated = probe::generate(&old.resolve, old.reader).unwrap();
    let engine = Engine::new(&Config::new()).unwrap();
    let component = Component::new(&engine, &generated.component).unwrap();
    let mut linker: Linker<Echo> = Linker::new(&engine);
    host::add_to_linker_every_track(&mut linker).unwrap();
    let mut store = Store::new(&engine, Echo::default());
    let instance = linker.instantiate(&mut store, &component).unwrap();
    let export = |function: &str| {
        let f = generated.functions.iter().find(|f| f.function == function).unwrap();
        assert!(f.interface.ends_with("@0.1.0"), "{}", f.interface);
        f.export.clone()
    };

    let input = json!({"itemKind": "service", "billingMethod": "hourly", "search": "x", "page": 2});
    let via_probe = dynamic::call_json(
        &mut store,
        &instance,
        &export("list-services"),
        "list-services",
        std::slice::from_ref(&input),
    )
    .unwrap();
    let mut expected = direct(&mut Echo::default(), "list-services", &input);
    expected["ok"]["items"][0].as_object_mut().unwrap().remove("prices");
    assert!(same(&via_probe, &expected), "probe returned {via_probe}, expected {expected}");
    assert!(via_probe["ok"]["items"][0].get("prices").is_none(), "a 0.1 guest sees no prices");

    for (function, arg) in [
        ("list-clients", json!({"search": "Acme", "pageSize": 2})),
        ("list-clients", json!({"page": 0})),
        ("get-client", json!("3f2504e0-4f89-11d3-9a0c-0305e82c3301")),
        ("get-client", json!("denied")),
        ("get-service", json!("")),
    ] {
        let via_probe = dynamic::call_json(
            &mut store,
            &instance,
            &export(function),
            function,
            std::slice::from_ref(&arg),
        )
        .unwrap();
        let expected = direct(&mut Echo::default(), function, &arg);
        assert!(
            same(&via_probe, &expected),
            "{function}: probe returned {via_probe}, host returned {expected}"
        );
    }
    assert_eq!(store.data().calls.len(), 6, "every call reached the one host implementation");
}

#[test]
fn dynamic_caller_reports_bad_calls_precisely() {
    let generated = probe::generate_for_contract().unwrap();
    let engine = Engine::new(&Config::new()).unwrap();
    let component = Component::new(&engine, &generated.component).unwrap();
    let mut linker: Linker<Echo> = Linker::new(&engine);
    host::add_to_linker(&mut linker).unwrap();
    let mut store = Store::new(&engine, Echo::default());
    let instance = linker.instantiate(&mut store, &component).unwrap();
    let export = &generated.functions[0].export;

    let err = dynamic::call_json(&mut store, &instance, export, "list-clients", &[json!({"pageSize": -1})])
        .unwrap_err();
    assert!(err.to_string().contains("pageSize"), "{err}");
    let err = dynamic::call_json(&mut store, &instance, export, "list-clients", &[json!({"tenant": "x"})])
        .unwrap_err();
    assert!(err.to_string().contains("unknown field `tenant`"), "{err}");
    let err = dynamic::call_json(&mut store, &instance, export, "list-clients", &[]).unwrap_err();
    assert!(matches!(err, dynamic::CallError::ArgumentCount { expected: 1, got: 0, .. }), "{err}");
    let err = dynamic::call_json(&mut store, &instance, export, "drop-tables", &[]).unwrap_err();
    assert!(matches!(err, dynamic::CallError::NoSuchFunction { .. }), "{err}");
}
