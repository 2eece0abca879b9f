//! The serde types of `alga_extension_contract::types` are generated from the WIT; this test
//! walks the WIT independently with `wit-parser` and checks, type by type, that the JSON of
//! the Rust types has exactly the WIT's fields (in camelCase) and cases, no more and no less.
//! The same holds for the types of every older track served (`v0_1::types` against the
//! frozen 0.1.0 WIT), and the conversions between the tracks carry every field they share.

use alga_extension_contract::types::*;
use alga_extension_contract::{FUNCTIONS, wit};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use wit_parser::{Resolve, Type, TypeDefKind};

/// Deserialises `json` as `T` and serialises it again.
fn round_trip<T: Serialize + DeserializeOwned>(json: &Value) -> Result<Value, String> {
    let value: T = serde_json::from_value(json.clone()).map_err(|e| e.to_string())?;
    serde_json::to_value(value).map_err(|e| e.to_string())
}

/// The Rust type mirroring each WIT type. A WIT type missing here fails the test.
fn round_trip_as(wit_name: &str, json: &Value) -> Option<Result<Value, String>> {
    Some(match wit_name {
        "client-type" => round_trip::<ClientType>(json),
        "client-summary" => round_trip::<ClientSummary>(json),
        "client-list-input" => round_trip::<ClientListInput>(json),
        "client-page" => round_trip::<ClientPage>(json),
        "item-kind" => round_trip::<ItemKind>(json),
        "billing-method" => round_trip::<BillingMethod>(json),
        "service-summary" => round_trip::<ServiceSummary>(json),
        "service-list-input" => round_trip::<ServiceListInput>(json),
        "service-page" => round_trip::<ServicePage>(json),
        "read-error" => round_trip::<ReadError>(json),
        "service-price" => round_trip::<ServicePrice>(json),
        _ => return None,
    })
}

/// The same for the 0.1 track's types.
fn round_trip_as_v0_1(wit_name: &str, json: &Value) -> Option<Result<Value, String>> {
    use alga_extension_contract::v0_1::types as old;
    Some(match wit_name {
        "client-type" => round_trip::<old::ClientType>(json),
        "client-summary" => round_trip::<old::ClientSummary>(json),
        "client-list-input" => round_trip::<old::ClientListInput>(json),
        "client-page" => round_trip::<old::ClientPage>(json),
        "item-kind" => round_trip::<old::ItemKind>(json),
        "billing-method" => round_trip::<old::BillingMethod>(json),
        "service-summary" => round_trip::<old::ServiceSummary>(json),
        "service-list-input" => round_trip::<old::ServiceListInput>(json),
        "service-page" => round_trip::<old::ServicePage>(json),
        "read-error" => round_trip::<old::ReadError>(json),
        _ => return None,
    })
}

/// The JSON of `json` (a value of type `wit_name` of the newest contract) after converting
/// it to the 0.1 track, or of a 0.1 value after converting it to the newest.
fn converted(wit_name: &str, json: &Value, to_old: bool) -> Option<Value> {
    use alga_extension_contract::v0_1::types as old;
    fn via<A: DeserializeOwned, B: Serialize + From<A>>(json: &Value) -> Value {
        let value: A = serde_json::from_value(json.clone()).expect("a sample of the type");
        serde_json::to_value(B::from(value)).unwrap()
    }
    Some(match (wit_name, to_old) {
        ("client-page", true) => via::<ClientPage, old::ClientPage>(json),
        ("service-page", true) => via::<ServicePage, old::ServicePage>(json),
        ("read-error", true) => via::<ReadError, old::ReadError>(json),
        ("client-list-input", false) => via::<old::ClientListInput, ClientListInput>(json),
        ("service-list-input", false) => via::<old::ServiceListInput, ServiceListInput>(json),
        _ => return None,
    })
}

fn camel(name: &str) -> String {
    let mut out = String::new();
    let mut upper = false;
    for c in name.chars() {
        match (c, upper) {
            ('-', _) => upper = true,
            (c, true) => {
                out.push(c.to_ascii_uppercase());
                upper = false
            }
            (c, false) => out.push(c),
        }
    }
    out
}

/// A JSON sample of WIT type `ty` with every option present (`variant` picks the case of
/// each enum/variant to use).
fn sample(resolve: &Resolve, ty: &Type, variant: usize) -> Value {
    match ty {
        Type::Bool => json!(true),
        Type::U8 | Type::U16 | Type::U32 | Type::U64 | Type::S8 | Type::S16 | Type::S32 | Type::S64 => {
            json!(7)
        }
        Type::F32 | Type::F64 => json!(12.5),
        Type::Char => json!("x"),
        Type::String => json!("text"),
        Type::Id(id) => match &resolve.types[*id].kind {
            TypeDefKind::Record(r) => Value::Object(
                r.fields.iter().map(|f| (camel(&f.name), sample(resolve, &f.ty, variant))).collect(),
            ),
            TypeDefKind::Enum(e) => json!(e.cases[variant % e.cases.len()].name),
            TypeDefKind::Variant(v) => {
                let case = &v.cases[variant % v.cases.len()];
                match &case.ty {
                    Some(t) => json!({"tag": case.name, "val": sample(resolve, t, variant)}),
                    None => json!({"tag": case.name}),
                }
            }
            TypeDefKind::Option(t) => sample(resolve, t, variant),
            TypeDefKind::List(t) => json!([sample(resolve, t, variant)]),
            TypeDefKind::Type(t) => sample(resolve, t, variant),
            other => panic!("the mirror test does not know WIT {}", other.as_str()),
        },
        Type::ErrorContext => panic!("error-context is not used by the contract"),
    }
}

#[test]
fn every_wit_type_has_a_rust_mirror_with_the_same_fields_and_cases() {
    let checked = mirror(&wit::contract().unwrap(), round_trip_as);
    assert_eq!(checked, 17, "cases checked: update this count when the WIT grows");
}

#[test]
fn every_wit_type_of_0_1_has_a_rust_mirror_with_the_same_fields_and_cases() {
    let checked = mirror(&alga_extension_contract::v0_1::wit().unwrap(), round_trip_as_v0_1);
    assert_eq!(checked, 16, "cases checked in the frozen 0.1.0 WIT");
}

/// Every function result of the 0.1 track converted from the newest has exactly the 0.1
/// WIT's fields, and every 0.1 input converted to the newest keeps its values, the fields
/// 0.1 lacks being `none`.
#[test]
fn conversions_between_the_tracks_follow_the_wit() {
    let newest = wit::contract().unwrap();
    let old = alga_extension_contract::v0_1::wit().unwrap();
    let types_of = |c: &wit::ContractWit| {
        c.resolve.interfaces[c.resolve.packages[c.package].interfaces["types"]].types.clone()
    };
    let (new_types, old_types) = (types_of(&newest), types_of(&old));
    let mut checked = 0;
    for name in ["client-page", "service-page", "read-error"] {
        let newest_value = sample(&newest.resolve, &Type::Id(new_types[name]), 1);
        let expected = sample(&old.resolve, &Type::Id(old_types[name]), 1);
        assert_eq!(
            converted(name, &newest_value, true).unwrap(),
            expected,
            "`{name}` from the newest to 0.1"
        );
        checked += 1;
    }
    for name in ["client-list-input", "service-list-input"] {
        let sample_old = sample(&old.resolve, &Type::Id(old_types[name]), 1);
        let got = converted(name, &sample_old, false).unwrap();
        let TypeDefKind::Record(record) = &newest.resolve.types[new_types[name]].kind else { panic!() };
        for field in &record.fields {
            let key = camel(&field.name);
            match sample_old.get(&key) {
                Some(value) => assert_eq!(&got[&key], value, "`{name}.{}` keeps its value", field.name),
                None => assert_eq!(got[&key], Value::Null, "`{name}.{}` is none for a 0.1 guest", field.name),
            }
        }
        checked += 1;
    }
    assert_eq!(checked, 5);
}

/// Checks every type of `contract`'s interface `types` against `round_trip_as`; returns the
/// number of cases checked.
fn mirror(
    contract: &wit::ContractWit,
    round_trip_as: fn(&str, &Value) -> Option<Result<Value, String>>,
) -> usize {
    let resolve = &contract.resolve;
    let types = resolve.packages[contract.package].interfaces["types"];
    let mut checked = 0;
    for (name, id) in &resolve.interfaces[types].types {
        let def = &resolve.types[*id];
        let cases = match &def.kind {
            TypeDefKind::Enum(e) => e.cases.len(),
            TypeDefKind::Variant(v) => v.cases.len(),
            _ => 1,
        };
        for variant in 0..cases {
            let json = sample(resolve, &Type::Id(*id), variant);
            let back = round_trip_as(name, &json)
                .unwrap_or_else(|| panic!("WIT type `{name}` has no Rust mirror in the test table"))
                .unwrap_or_else(|e| panic!("WIT type `{name}`: {json} does not deserialise: {e}"));
            assert_eq!(back, json, "WIT type `{name}`: the Rust type's JSON differs from the WIT's");
            checked += 1;
        }
        if let TypeDefKind::Record(r) = &def.kind {
            // A record whose options are all absent must still deserialise (absent = none).
            let required: serde_json::Map<String, Value> = r
                .fields
                .iter()
                .filter(|f| !matches!(f.ty, Type::Id(t) if matches!(resolve.types[t].kind, TypeDefKind::Option(_))))
                .map(|f| (camel(&f.name), sample(resolve, &f.ty, 0)))
                .collect();
            round_trip_as(name, &Value::Object(required))
                .unwrap()
                .unwrap_or_else(|e| panic!("WIT type `{name}`: leaving out its options fails: {e}"));
        }
    }
    checked
}

#[test]
fn unknown_fields_and_cases_are_rejected() {
    assert!(round_trip::<ClientListInput>(&json!({"tenantId": "x"})).is_err());
    assert!(round_trip::<ItemKind>(&json!("bundle")).is_err());
    assert!(round_trip::<ReadError>(&json!({"tag": "not-found"})).is_err());
}

#[test]
fn enum_helpers_match_the_wit_cases() {
    let contract = wit::contract().unwrap();
    let resolve = &contract.resolve;
    let types = resolve.packages[contract.package].interfaces["types"];
    let case_names = |name: &str| -> Vec<String> {
        let id = resolve.interfaces[types].types[name];
        match &resolve.types[id].kind {
            TypeDefKind::Enum(e) => e.cases.iter().map(|c| c.name.clone()).collect(),
            TypeDefKind::Variant(v) => v.cases.iter().map(|c| c.name.clone()).collect(),
            _ => panic!("{name} is not an enum or variant"),
        }
    };
    let names = |all: Vec<&'static str>| all.into_iter().map(String::from).collect::<Vec<_>>();
    assert_eq!(names(ClientType::ALL.iter().map(|c| c.wit_name()).collect()), case_names("client-type"));
    assert_eq!(names(ItemKind::ALL.iter().map(|c| c.wit_name()).collect()), case_names("item-kind"));
    assert_eq!(
        names(BillingMethod::ALL.iter().map(|c| c.wit_name()).collect()),
        case_names("billing-method")
    );
    assert_eq!(names(ReadError::CASES.to_vec()), case_names("read-error"));
    assert_eq!(BillingMethod::from_wit_name("hourly"), Some(BillingMethod::Hourly));
    assert_eq!(ReadError::InvalidInput("x".into()).case_name(), "invalid-input");
}

#[test]
fn the_function_table_lists_exactly_the_functions_of_world_reader() {
    let contract = wit::contract().unwrap();
    let resolve = &contract.resolve;
    let mut in_wit = Vec::new();
    for item in resolve.worlds[contract.reader].imports.values() {
        if let wit_parser::WorldItem::Interface { id, .. } = item {
            let iface = &resolve.interfaces[*id];
            for name in iface.functions.keys() {
                in_wit.push((iface.name.clone().unwrap(), name.clone()));
                // The interface's documentation names the capability the table gives.
                let entry = alga_extension_contract::function(name).expect("function in table");
                let docs = iface.docs.contents.as_deref().unwrap_or_default();
                assert!(
                    docs.contains(entry.capability),
                    "interface docs of `{}` omit `{}`",
                    entry.interface,
                    entry.capability
                );
                assert!(
                    docs.contains(&entry.permission.to_string()),
                    "interface docs omit `{}`",
                    entry.permission
                );
            }
        }
    }
    let mut in_table: Vec<(String, String)> =
        FUNCTIONS.iter().map(|f| (f.interface.to_string(), f.name.to_string())).collect();
    in_wit.sort();
    in_table.sort();
    assert_eq!(in_table, in_wit);
}

#[test]
fn every_wit_item_has_documentation() {
    let contract = wit::contract().unwrap();
    let resolve = &contract.resolve;
    let mut missing = Vec::new();
    for (_, iface) in resolve.interfaces.iter() {
        let name = iface.name.clone().unwrap_or_default();
        if iface.docs.contents.is_none() {
            missing.push(format!("interface {name}"));
        }
        for (fname, f) in &iface.functions {
            if f.docs.contents.is_none() {
                missing.push(format!("{name}.{fname}"));
            }
        }
        for (tname, id) in &iface.types {
            let def = &resolve.types[*id];
            if matches!(def.kind, TypeDefKind::Type(_)) {
                continue; // `use` aliases carry no docs of their own
            }
            if def.docs.contents.is_none() {
                missing.push(format!("{name}.{tname}"));
            }
            match &def.kind {
                TypeDefKind::Record(r) => missing.extend(
                    r.fields
                        .iter()
                        .filter(|f| f.docs.contents.is_none())
                        .map(|f| format!("{name}.{tname}.{}", f.name)),
                ),
                TypeDefKind::Enum(e) => missing.extend(
                    e.cases
                        .iter()
                        .filter(|c| c.docs.contents.is_none())
                        .map(|c| format!("{name}.{tname}.{}", c.name)),
                ),
                TypeDefKind::Variant(v) => missing.extend(
                    v.cases
                        .iter()
                        .filter(|c| c.docs.contents.is_none())
                        .map(|c| format!("{name}.{tname}.{}", c.name)),
                ),
                _ => {}
            }
        }
    }
    for (_, world) in resolve.worlds.iter() {
        if world.docs.contents.is_none() {
            missing.push(format!("world {}", world.name));
        }
    }
    assert!(missing.is_empty(), "WIT items without a doc comment: {missing:?}");
}
