//! PROTOCOL.md defines the fixture JSON itself, in a table; this test holds the table and
//! the Rust type (`alga_conformance_protocol::fixture::Fixture`) to the same keys, so that
//! a field added to one is added to the other.

use alga_conformance_protocol::fixture::{
    Client, Install, Permission, Price, Role, Service, ServiceType, Tenant, User,
};
use alga_conformance_protocol::{Fixture, UserType};
use alga_extension_contract::types::{BillingMethod, ItemKind};
use serde_json::Value;
use std::collections::BTreeSet;

const ID: &str = "00000000-0000-4000-8000-000000000001";

/// A fixture with one object of every kind, every option set.
fn one_of_each() -> Fixture {
    Fixture {
        tenants: vec![Tenant {
            tenant_id: ID.into(),
            tenant_name: "T".into(),
            users: vec![User {
                user_id: ID.into(),
                first_name: "A".into(),
                last_name: "B".into(),
                email: "a@b".into(),
                user_type: UserType::Client,
                is_inactive: false,
                client_id: Some(ID.into()),
                role_ids: vec![ID.into()],
            }],
            roles: vec![Role { role_id: ID.into(), role_name: "R".into(), permission_ids: vec![ID.into()] }],
            permissions: vec![Permission {
                permission_id: ID.into(),
                resource: "client".into(),
                action: "read".into(),
                msp: true,
                client: true,
            }],
            clients: vec![Client {
                client_id: ID.into(),
                client_name: "C".into(),
                client_type: None,
                is_inactive: false,
                default_currency_code: "USD".into(),
                account_manager_id: None,
                billing_email: None,
                tags: vec![],
            }],
            service_types: vec![ServiceType { service_type_id: ID.into(), name: "S".into() }],
            services: vec![Service {
                service_id: ID.into(),
                service_name: "S".into(),
                description: None,
                item_kind: ItemKind::Service,
                billing_method: BillingMethod::Fixed,
                service_type_id: None,
                default_rate_cents: 1,
                unit_of_measure: "h".into(),
                is_active: true,
                sku: None,
                prices: vec![Price { currency_code: "EUR".into(), rate_minor_units: 1 }],
            }],
            installs: vec![Install { install_id: ID.into(), granted_capabilities: vec![] }],
        }],
    }
}

/// `(object, key)` of every key the Rust type writes.
fn written_keys() -> BTreeSet<(String, String)> {
    let json = serde_json::to_value(one_of_each()).unwrap();
    let mut keys = BTreeSet::new();
    let mut add = |object: &str, value: &Value| {
        for key in value.as_object().unwrap().keys() {
            keys.insert((object.to_string(), key.clone()));
        }
    };
    add("fixture", &json);
    let tenant = &json["tenants"][0];
    add("tenant", tenant);
    for (object, array) in [
        ("user", "users"),
        ("role", "roles"),
        ("permission", "permissions"),
        ("client", "clients"),
        ("service type", "serviceTypes"),
        ("service", "services"),
        ("install", "installs"),
    ] {
        add(object, &tenant[array][0]);
    }
    add("price", &tenant["services"][0]["prices"][0]);
    keys
}

/// `(object, key)` of every key PROTOCOL.md's fixture table lists.
fn documented_keys() -> BTreeSet<(String, String)> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/PROTOCOL.md");
    let text = std::fs::read_to_string(path).unwrap();
    let section = text.split("\n## Fixtures\n").nth(1).expect("PROTOCOL.md has a Fixtures section");
    let section = section.split("\n## ").next().unwrap();
    let mut keys = BTreeSet::new();
    let mut object = String::new();
    for row in section
        .lines()
        .filter(|l| l.starts_with("| ") && !l.starts_with("| object") && !l.starts_with("|---"))
    {
        let cells: Vec<&str> = row.split(" | ").collect();
        let first = cells[0].trim_start_matches('|').trim();
        if !first.is_empty() {
            object = first.to_string();
        }
        for key in cells[1].split(", ") {
            keys.insert((object.clone(), key.trim().trim_matches('`').to_string()));
        }
    }
    keys
}

#[test]
fn protocol_md_documents_every_fixture_key_and_no_other() {
    let written = written_keys();
    let documented = documented_keys();
    let undocumented: Vec<_> = written.difference(&documented).collect();
    let unknown: Vec<_> = documented.difference(&written).collect();
    assert!(
        undocumented.is_empty() && unknown.is_empty(),
        "PROTOCOL.md's fixture table and the Fixture type disagree: written but not documented {undocumented:?}, documented but not written {unknown:?}"
    );
}
