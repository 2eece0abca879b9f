//! A small two-tenant world written by hand, so that every expected answer in the tests can
//! be read off it. Ids are readable UUIDs: `...-0000000000c1` is client 1 of tenant 1,
//! `...-0000000002c1` client 1 of tenant 2, and so on.

use alga_conformance_protocol::fixture::{
    Client, Install, Permission, Price, Role, Service, ServiceType, Tenant, User,
};
use alga_conformance_protocol::{ContextUser, ExecutionContext, Fixture, UserType};
use alga_extension_contract::types::{BillingMethod, ClientType, ItemKind};

/// A readable UUID: `00000000-0000-4000-8000-` followed by 12 hex digits of `suffix`.
pub fn id(suffix: &str) -> String {
    format!("00000000-0000-4000-8000-{suffix:0>12}")
}

pub const T1: &str = "00000000-0000-4000-8000-000000000001";
pub const T2: &str = "00000000-0000-4000-8000-000000000002";

// Installs of tenant 1.
pub fn install_both() -> String {
    id("1a1")
}
pub fn install_clients_spelled_loosely() -> String {
    id("1a2")
}
pub fn install_services() -> String {
    id("1a3")
}
pub fn install_none() -> String {
    id("1a4")
}
pub fn install_t2() -> String {
    id("2a1")
}

// Users of tenant 1.
pub fn admin() -> String {
    id("1b1")
}
pub fn service_reader() -> String {
    id("1b2")
}
pub fn inactive_admin() -> String {
    id("1b3")
}
pub fn portal() -> String {
    id("1b4")
}
pub fn portal_without_client() -> String {
    id("1b5")
}
pub fn portal_with_msp_only_services() -> String {
    id("1b6")
}
pub fn manager() -> String {
    id("1b7")
}
pub fn blank_manager() -> String {
    id("1b8")
}

// Clients of tenant 1, in the order they are stored (not the listing order).
pub fn acme_title() -> String {
    id("c3")
} // "Acme"
pub fn acme_upper() -> String {
    id("c1")
} // "ACME"
pub fn acme_lower() -> String {
    id("c2")
} // "acme"
pub fn muller() -> String {
    id("c4")
} // "Müller"
pub fn muller_upper() -> String {
    id("c5")
} // "MÜLLER"
pub fn muller_mixed() -> String {
    id("c6")
} // "MüLLER GmbH"
pub fn fifty_percent() -> String {
    id("c7")
} // "50% Off"
pub fn five_hundred() -> String {
    id("c8")
} // "500 Club"
pub fn a_underscore_b() -> String {
    id("c9")
} // "a_b"
pub fn axb() -> String {
    id("ca")
} // "axb"
pub fn backslash() -> String {
    id("cb")
} // "back\slash"
pub fn inactive_client() -> String {
    id("cc")
} // "Zeta (inactive)"
pub fn no_email() -> String {
    id("cd")
} // "No Email"

// Clients of tenant 2: one shares an id with tenant 1's "Acme".
pub fn t2_only_client() -> String {
    id("2c1")
}

// Services of tenant 1.
pub fn onsite_1() -> String {
    id("5b")
}
pub fn onsite_2() -> String {
    id("5a")
}
pub fn onsite_lower() -> String {
    id("59")
}
pub fn backup_pct() -> String {
    id("58")
}
pub fn backup_1000() -> String {
    id("57")
}
pub fn zeta_service() -> String {
    id("56")
}
pub fn t2_only_service() -> String {
    id("2e1")
}
pub fn service_type() -> String {
    id("1d1")
}

/// A context in tenant 1 through `install`, with an optional user.
pub fn ctx(install: String, user: Option<(String, UserType)>) -> ExecutionContext {
    ExecutionContext {
        tenant_id: T1.into(),
        install_id: install,
        user: user.map(|(user_id, user_type)| ContextUser { user_id, user_type }),
    }
}

/// Tenant 1, install with both capabilities, no user: the context of SPEC.md section 9.
pub fn scheduled() -> ExecutionContext {
    ctx(install_both(), None)
}

fn permission(suffix: &str, resource: &str, action: &str, msp: bool, client: bool) -> Permission {
    Permission { permission_id: id(suffix), resource: resource.into(), action: action.into(), msp, client }
}

fn role(suffix: &str, name: &str, permissions: &[&str]) -> Role {
    Role {
        role_id: id(suffix),
        role_name: name.into(),
        permission_ids: permissions.iter().map(|p| id(p)).collect(),
    }
}

#[allow(clippy::too_many_arguments)]
fn user(
    user_id: String,
    first: &str,
    last: &str,
    user_type: UserType,
    inactive: bool,
    client: Option<String>,
    roles: &[&str],
) -> User {
    User {
        email: format!("{user_id}@example.com"),
        user_id,
        first_name: first.into(),
        last_name: last.into(),
        user_type,
        is_inactive: inactive,
        client_id: client,
        role_ids: roles.iter().map(|r| id(r)).collect(),
    }
}

fn client(
    client_id: String,
    name: &str,
    kind: Option<ClientType>,
    email: Option<&str>,
    manager: Option<String>,
    tags: &[&str],
) -> Client {
    Client {
        client_id,
        client_name: name.into(),
        client_type: kind,
        is_inactive: false,
        default_currency_code: "USD".into(),
        account_manager_id: manager,
        billing_email: email.map(Into::into),
        tags: tags.iter().map(|t| (*t).to_string()).collect(),
    }
}

#[allow(clippy::too_many_arguments)]
fn service(
    service_id: String,
    name: &str,
    kind: ItemKind,
    method: BillingMethod,
    active: bool,
    sku: Option<&str>,
    description: Option<&str>,
    typed: bool,
) -> Service {
    Service {
        service_id,
        service_name: name.into(),
        description: description.map(Into::into),
        item_kind: kind,
        billing_method: method,
        service_type_id: typed.then(service_type),
        default_rate_cents: 12_345,
        unit_of_measure: "hour".into(),
        is_active: active,
        sku: sku.map(Into::into),
        prices: Vec::new(),
    }
}

/// Prices in the order given (the stores sort them).
pub fn prices(list: &[(&str, i64)]) -> Vec<Price> {
    list.iter().map(|(code, rate)| Price { currency_code: (*code).into(), rate_minor_units: *rate }).collect()
}

/// The world.
pub fn fixture() -> Fixture {
    let permissions = vec![
        permission("1e1", "client", "read", true, true),
        permission("1e2", "service", "read", true, false),
        permission("1e3", "ticket", "read", true, true),
    ];
    let roles = vec![
        role("1f1", "Admin", &["1e1", "1e2", "1e3"]),
        role("1f2", "Service desk", &["1e2"]),
        role("1f3", "Portal", &["1e1", "1e3"]),
    ];
    let users = vec![
        user(admin(), "Ada", "Admin", UserType::Internal, false, None, &["1f1"]),
        user(service_reader(), "Sam", "Desk", UserType::Internal, false, None, &["1f2"]),
        user(inactive_admin(), "Ina", "Gone", UserType::Internal, true, None, &["1f1"]),
        user(portal(), "Pat", "Portal", UserType::Client, false, Some(acme_title()), &["1f3"]),
        user(portal_without_client(), "Pia", "Nobody", UserType::Client, false, None, &["1f3"]),
        user(portal_with_msp_only_services(), "Pol", "Admin", UserType::Client, false, Some(axb()), &["1f1"]),
        user(manager(), "  Ann ", "Lee", UserType::Internal, false, None, &[]),
        user(blank_manager(), " ", "\t", UserType::Internal, false, None, &[]),
    ];
    let mut clients = vec![
        client(
            acme_title(),
            "Acme",
            Some(ClientType::Company),
            Some("billing@acme.example"),
            Some(manager()),
            &["vip", "VIP", "vip", "b"],
        ),
        client(acme_upper(), "ACME", Some(ClientType::Individual), None, None, &[]),
        client(acme_lower(), "acme", None, Some("ACCOUNTS@Acme.Example"), None, &["Zürich"]),
        client(muller(), "Müller", Some(ClientType::Company), None, None, &[]),
        client(muller_upper(), "MÜLLER", Some(ClientType::Company), None, None, &[]),
        client(muller_mixed(), "MüLLER GmbH", Some(ClientType::Company), None, None, &[]),
        client(fifty_percent(), "50% Off", None, None, None, &[]),
        client(five_hundred(), "500 Club", None, None, None, &[]),
        client(a_underscore_b(), "a_b", None, None, None, &[]),
        client(axb(), "axb", None, None, None, &[]),
        client(backslash(), r"back\slash", None, None, None, &[]),
        client(inactive_client(), "Zeta (inactive)", None, Some("zeta@example.com"), None, &[]),
        client(no_email(), "No Email", None, None, Some(blank_manager()), &[]),
    ];
    clients[11].is_inactive = true;
    let services = vec![
        service(
            onsite_1(),
            "Onsite Support",
            ItemKind::Service,
            BillingMethod::Hourly,
            true,
            Some("ONS-1"),
            Some("Technician on site"),
            true,
        ),
        service(
            onsite_2(),
            "Onsite Support",
            ItemKind::Product,
            BillingMethod::Fixed,
            false,
            None,
            None,
            false,
        ),
        service(
            onsite_lower(),
            "onsite support",
            ItemKind::Service,
            BillingMethod::Usage,
            true,
            None,
            Some("per visit"),
            true,
        ),
        service(
            backup_pct(),
            "Backup 100%",
            ItemKind::Product,
            BillingMethod::Usage,
            true,
            Some("BK_1"),
            Some("100% of data"),
            true,
        ),
        service(
            backup_1000(),
            "Backup 1000",
            ItemKind::Product,
            BillingMethod::Fixed,
            true,
            Some("BKX1"),
            None,
            false,
        ),
        service(
            zeta_service(),
            "Zeta",
            ItemKind::Service,
            BillingMethod::Hourly,
            false,
            None,
            Some(r"a\b"),
            true,
        ),
    ];
    // Prices: three currencies, listed unordered; one; one on a retired item; none.
    let mut services = services;
    services[0].prices = prices(&[("USD", 15_000), ("EUR", 14_000), ("JPY", 2_000_000)]);
    services[3].prices = prices(&[("EUR", 999)]);
    services[5].prices = prices(&[("EUR", 1)]);
    let t1 = Tenant {
        tenant_id: T1.into(),
        tenant_name: "Tenant one".into(),
        users,
        roles,
        permissions,
        clients,
        service_types: vec![ServiceType { service_type_id: service_type(), name: "Managed".into() }],
        services,
        installs: vec![
            Install {
                install_id: install_both(),
                granted_capabilities: vec!["cap:client.read".into(), "cap:service.read".into()],
            },
            Install {
                install_id: install_clients_spelled_loosely(),
                granted_capabilities: vec![" CAP:Client.Read ".into()],
            },
            Install { install_id: install_services(), granted_capabilities: vec!["cap:service.read".into()] },
            Install {
                install_id: install_none(),
                granted_capabilities: vec![
                    "cap:clients.read".into(),
                    "cap:client.*".into(),
                    "cap:log.emit".into(),
                ],
            },
        ],
    };
    let t2 = Tenant {
        tenant_id: T2.into(),
        tenant_name: "Tenant two".into(),
        clients: vec![
            // The same id as tenant 1's "Acme": ids are unique per tenant only.
            client(acme_title(), "Other tenant's Acme", None, Some("acme@t2.example"), None, &["t2-tag"]),
            client(t2_only_client(), "Acme of tenant two", None, None, None, &[]),
        ],
        services: vec![
            Service {
                prices: prices(&[("GBP", 5), ("EUR", 7_777)]),
                ..service(
                    t2_only_service(),
                    "Onsite Support",
                    ItemKind::Service,
                    BillingMethod::Hourly,
                    true,
                    None,
                    None,
                    false,
                )
            },
            // The same id as tenant 1's first "Onsite Support", with prices of its own.
            Service {
                prices: prices(&[("CHF", 42)]),
                ..service(
                    onsite_1(),
                    "Other tenant's onsite",
                    ItemKind::Service,
                    BillingMethod::Fixed,
                    true,
                    None,
                    None,
                    false,
                )
            },
        ],
        installs: vec![Install {
            install_id: install_t2(),
            granted_capabilities: vec!["cap:client.read".into(), "cap:service.read".into()],
        }],
        ..Tenant::default()
    };
    Fixture { tenants: vec![t1, t2] }
}
