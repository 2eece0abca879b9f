//! Named cases of SPEC.md section 7: texts returned exactly as stored, tags, manager names
//! that need trimming or vanish, rates at their limits (DATA-1), get and list agreeing
//! (DATA-2), and ids that find nothing (DATA-3).

use super::NamedCase;
use super::build::*;
use alga_conformance_protocol::fixture::MAX_RATE_CENTS;
use alga_conformance_protocol::{Call, UserType};
use alga_extension_contract::types::{ClientType, ItemKind};

/// Clients with tags, managers, emails and types, one inactive; catalog items with types,
/// SKUs and rates at their limits. Returns (client ids, service ids).
fn rich_world() -> (World, Vec<String>, Vec<String>) {
    let mut w = World::new(1);
    let managers: Vec<String> =
        [(" Lee", "Kim "), ("", ""), (" ", "\t"), ("Ann", ""), ("\u{a0}Zoë", "Ö\u{a0}")]
            .iter()
            .enumerate()
            .map(|(n, (first, last))| {
                let user = w.user(A, n as u64 + 1, UserType::Internal);
                user.first_name = first.to_string();
                user.last_name = last.to_string();
                user.role_ids.clear();
                user.user_id.clone()
            })
            .collect();
    let names = [" Padded ", "MiXeD Case", "tagged", "usd payer", "no manager", "Gone"];
    let client_ids = w.clients(A, &names);
    {
        let tenant = w.tenant(A);
        for (n, client) in tenant.clients.iter_mut().enumerate() {
            client.account_manager_id = managers.get(n).cloned();
        }
        tenant.clients[0].billing_email = Some("Billing@ACME.example".into());
        tenant.clients[0].client_type = Some(ClientType::Company);
        tenant.clients[1].billing_email = Some(String::new());
        tenant.clients[1].client_type = Some(ClientType::Individual);
        tenant.clients[2].tags = ["vip", "VIP", "\u{1f600}", "b", "a", "vip", "é", "\u{ff5e}", "a b", "Zeta"]
            .map(String::from)
            .to_vec();
        tenant.clients[3].default_currency_code = "usd".into();
        tenant.clients[4].default_currency_code = "jpy".into();
        tenant.clients[4].account_manager_id = None;
        tenant.clients[5].is_inactive = true;
        tenant.clients[5].tags = vec!["gone".into()];
    }
    let type_id = w.service_type(A, id(Kind::ServiceType, A, 1), "Managed ");
    let service_ids = w.services(A, &["Onsite", " Backup ", "Credit", "Huge"]);
    {
        let tenant = w.tenant(A);
        tenant.services[0].service_type_id = Some(type_id);
        tenant.services[0].sku = Some("sku-1".into());
        tenant.services[0].unit_of_measure = "Stück".into();
        tenant.services[1].unit_of_measure = String::new();
        tenant.services[1].description = Some("not in the summary".into());
        tenant.services[1].item_kind = ItemKind::Product;
        tenant.services[2].default_rate_cents = -500;
        tenant.services[2].is_active = false;
        tenant.services[3].default_rate_cents = MAX_RATE_CENTS;
        tenant.services[3].sku = Some(String::new());
    }
    (w, client_ids, service_ids)
}

/// Both lists whole, then a get of every id.
fn list_and_get_everything(client_ids: &[String], service_ids: &[String]) -> Vec<Call> {
    let mut calls = vec![clients().inactive(true).size(100).call(), services().size(100).call()];
    calls.extend(client_ids.iter().map(|id| get_client(id)));
    calls.extend(service_ids.iter().map(|id| get_service(id)));
    calls
}

/// DATA-1.
pub const DATA_1: &[NamedCase] = &[
    NamedCase {
        name: "DATA-1.summaries-as-stored",
        description: "names with white space, mixed case, lower-case currency codes, empty emails and units, SKUs and types come back exactly as stored",
        build: || {
            let (w, client_ids, service_ids) = rich_world();
            w.case(calls_in(&admin(A), list_and_get_everything(&client_ids, &service_ids)))
        },
    },
    NamedCase {
        name: "DATA-1.tags-deduplicated-and-sorted",
        description: "tags vip, VIP, 😀, b, a, vip, é, U+FF5E, \"a b\", Zeta come back once each in code point order (U+FF5E before 😀, which UTF-16 comparison reverses), from list and from get",
        build: || {
            let (w, ids, _) = rich_world();
            w.case(calls_in(&admin(A), [clients_call(), get_client(&ids[2]), get_client(&upper(&ids[2]))]))
        },
    },
    NamedCase {
        name: "DATA-1.account-manager-names",
        description: "the manager's first and last name joined by a space and trimmed; none when that leaves nothing or there is no manager",
        build: || {
            let (w, ids, _) = rich_world();
            let mut calls = vec![clients_call()];
            calls.extend(ids.iter().map(|id| get_client(id)));
            w.case(calls_in(&admin(A), calls))
        },
    },
];

fn clients_call() -> Call {
    clients().inactive(true).size(100).call()
}

/// DATA-2.
pub const DATA_2: &[NamedCase] = &[
    NamedCase {
        name: "DATA-2.get-client-equals-list-client",
        description: "get-client of each listed client (with tags, managers, emails, inactive) returns the summary the list did",
        build: || {
            let (w, ids, _) = rich_world();
            let mut calls = vec![clients_call()];
            calls.extend(ids.iter().map(|id| get_client(id)));
            calls.extend(ids.iter().map(|id| get_client(&upper(id))));
            w.case(calls_in(&admin(A), calls))
        },
    },
    NamedCase {
        name: "DATA-2.get-service-equals-list-service",
        description: "get-service of each listed catalog item (types, SKUs, rates at their limits) returns the summary the list did",
        build: || {
            let (w, _, items) = rich_world();
            let mut calls = vec![services().size(100).call()];
            calls.extend(items.iter().map(|id| get_service(id)));
            calls.extend(items.iter().map(|id| get_service(&mixed(id))));
            w.case(calls_in(&admin(A), calls))
        },
    },
];

/// DATA-3.
pub const DATA_3: &[NamedCase] = &[
    NamedCase {
        name: "DATA-3.ids-of-no-record",
        description: "ids that exist nowhere, and the nil UUID, are ok(none)",
        build: || {
            let mut w = World::new(1);
            w.clients(A, &["Acme"]);
            w.services(A, &["Plan"]);
            let nowhere = id(Kind::Client, A, 99);
            let nil = "00000000-0000-0000-0000-000000000000";
            let calls =
                [get_client(&nowhere), get_client(nil), get_service(&upper(&nowhere)), get_service(nil)];
            w.case(calls_in(&admin(A), calls))
        },
    },
    NamedCase {
        name: "DATA-3.ids-of-other-kinds",
        description: "get-client of a service's, user's, install's or tenant's id (and the reverse) is ok(none)",
        build: || {
            let mut w = World::new(1);
            let client = w.clients(A, &["Acme"]).remove(0);
            let service = w.services(A, &["Plan"]).remove(0);
            let user = w.user(A, 1, UserType::Internal).user_id.clone();
            let calls = [
                get_client(&service),
                get_client(&user),
                get_client(&admin_install(A)),
                get_client(&tenant_id(A)),
                get_service(&client),
                get_service(&user),
            ];
            w.case(calls_in(&admin(A), calls))
        },
    },
    NamedCase {
        name: "DATA-3.clients-a-portal-user-does-not-see",
        description: "a portal user's get-client of the tenant's other clients is ok(none), not an error",
        build: || {
            let mut w = World::new(1);
            let ids = w.clients(A, &["Acme", "Beta"]);
            let portal = w.user(A, 1, UserType::Client);
            portal.client_id = Some(ids[0].clone());
            let portal = portal.user_id.clone();
            w.case(calls_in(
                &as_user(A, &portal, UserType::Client),
                [get_client(&ids[1]), get_client(&ids[0])],
            ))
        },
    },
];
