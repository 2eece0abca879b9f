//! Named cases of SPEC.md section 3: inputs that name another tenant's data (CTX-1),
//! installs of another tenant (CTX-2), records and joined names of another tenant (ISO-1,
//! alone and concurrently), and other tenants' ids (ISO-2).

use super::NamedCase;
use super::build::*;
use crate::case::Case;
use alga_conformance_protocol::{Call, ExecutionContext, UserType};

/// Tenant A asks for a client (in lower and upper case) and a catalog item that exist only
/// in tenant B: CTX-1 and ISO-1 both judge it.
fn other_tenants_records_by_id() -> Case {
    let mut w = World::new(2);
    w.clients(A, &["Alpha"]);
    let theirs = w.clients(B, &["Bravo"]).remove(0);
    let their_service = w.services(B, &["Bravo plan"]).remove(0);
    let calls = [get_client(&theirs), get_client(&upper(&theirs)), get_service(&their_service)];
    w.case(calls_in(&admin(A), calls))
}

/// CTX-1.
pub const CTX_1: &[NamedCase] = &[
    NamedCase {
        name: "CTX-1.search-other-tenants-names",
        description: "searches equal to another tenant's client names, billing email and service name find nothing of it",
        build: || {
            let mut w = World::new(2);
            w.clients(A, &["Alpha Works", "Acme"]);
            w.client(A, 3, "Ops desk").billing_email = Some("ops@alpha.example".into());
            w.clients(B, &["Bravo Ltd", "Acme Global"]);
            w.client(B, 3, "Bravo Ops").billing_email = Some("ops@bravo.example".into());
            w.services(A, &["Onsite"]);
            w.services(B, &["Backup Pro"]);
            let searches = ["Bravo Ltd", "Acme Global", "bravo", "ops@bravo.example", "Backup Pro"];
            let calls =
                searches.iter().flat_map(|s| [clients().search(s).call(), services().search(s).call()]);
            w.case(calls_in(&admin(A), calls))
        },
    },
    NamedCase {
        name: "CTX-1.search-other-tenants-ids",
        description: "searches equal to another tenant's client id (any letter case), service id or tenant id find nothing of it",
        build: || {
            let mut w = World::new(2);
            w.clients(A, &["Alpha"]);
            let theirs = w.clients(B, &["Bravo"]).remove(0);
            let their_service = w.services(B, &["Bravo plan"]).remove(0);
            w.services(A, &["Alpha plan"]);
            let searches = [theirs.clone(), upper(&theirs), their_service, tenant_id(B), admin_install(B)];
            let calls = searches
                .iter()
                .flat_map(|s| [clients().search(s).inactive(true).call(), services().search(s).call()]);
            w.case(calls_in(&admin(A), calls))
        },
    },
    NamedCase {
        name: "CTX-1.get-other-tenants-ids",
        description: "get-client and get-service of ids that exist only in another tenant find nothing",
        build: other_tenants_records_by_id,
    },
];

/// CTX-2.
pub const CTX_2: &[NamedCase] = &[
    NamedCase {
        name: "CTX-2.install-of-other-tenant",
        description: "an install id of another tenant (granting both capabilities there) grants nothing; the tenant's own install does",
        build: || {
            let mut w = World::new(2);
            let client = w.clients(A, &["Alpha"]).remove(0);
            let service = w.services(A, &["Plan"]).remove(0);
            let theirs = w.install(B, 1, BOTH);
            let mut steps = calls_in(&through(A, theirs, None), every_function(&client, &service));
            steps.extend(calls_in(&through(A, admin_install(B), None), every_function(&client, &service)));
            steps.extend(calls_in(&admin(A), every_function(&client, &service)));
            w.case(steps)
        },
    },
    NamedCase {
        name: "CTX-2.install-id-shared-by-two-tenants",
        description: "install ids both tenants use, granting in one tenant only: each tenant's own record decides",
        build: || {
            let mut w = World::new(2);
            let client = w.clients(A, &["Alpha"]).remove(0);
            w.clients(B, &["Bravo"]);
            let service = w.services(A, &["Plan"]).remove(0);
            let first = id(Kind::Install, SHARED, 1);
            let second = id(Kind::Install, SHARED, 2);
            w.install_with_id(A, first.clone(), &[]);
            w.install_with_id(B, first.clone(), BOTH);
            w.install_with_id(A, second.clone(), BOTH);
            w.install_with_id(B, second.clone(), &["cap:log.emit"]);
            let mut steps = Vec::new();
            for (t, install) in [(A, &first), (B, &first), (A, &second), (B, &second)] {
                steps.extend(calls_in(&through(t, install.clone(), None), every_function(&client, &service)));
            }
            w.case(steps)
        },
    },
    NamedCase {
        name: "CTX-2.unknown-installs",
        description: "an install id that is no install, a client id, the tenant's id: no capability",
        build: || {
            let mut w = World::new(1);
            let client = w.clients(A, &["Alpha"]).remove(0);
            let service = w.services(A, &["Plan"]).remove(0);
            let mut steps = Vec::new();
            for install in
                [id(Kind::Install, A, 9), client.clone(), tenant_id(A), upper(&id(Kind::Install, A, 9))]
            {
                steps.extend(calls_in(&through(A, install, None), every_function(&client, &service)));
            }
            steps.extend(calls_in(&admin(A), every_function(&client, &service)));
            w.case(steps)
        },
    },
];

/// Two tenants that use the same ids for different records: a client (with tags and an
/// account manager whose id both use), a catalog item with a service type whose id both
/// use, and a portal user of the shared client in each.
fn twin_tenants() -> (World, String, String) {
    let mut w = World::new(2);
    let client = id(Kind::Client, SHARED, 1);
    let service = id(Kind::Service, SHARED, 1);
    let manager = id(Kind::User, SHARED, 1);
    let portal = id(Kind::User, SHARED, 2);
    let service_type = id(Kind::ServiceType, SHARED, 1);
    for (t, name, first, tag, type_name) in
        [(A, "Alpha", "Ann", "alpha-tag", "Managed"), (B, "Bravo", "Bob", "bravo-tag", "Labor")]
    {
        let manager_user = w.user_with_id(t, manager.clone(), UserType::Internal);
        manager_user.first_name = first.into();
        manager_user.last_name = name.into();
        let c = w.client_with_id(t, client.clone(), &format!("{name} shared"));
        c.account_manager_id = Some(manager.clone());
        c.tags = vec![tag.into(), "common".into()];
        c.billing_email = Some(format!("billing@{}.example", name.to_ascii_lowercase()));
        w.client(t, 2, &format!("{name} own"));
        w.user_with_id(t, portal.clone(), UserType::Client).client_id = Some(client.clone());
        w.service_type(t, service_type.clone(), type_name);
        w.service_with_id(t, service.clone(), &format!("{name} plan")).service_type_id =
            Some(service_type.clone());
        w.service(t, 2, &format!("{name} extra")).default_rate_cents = if t == A { 100 } else { 200 };
    }
    (w, client, service)
}

/// ISO-1.
pub const ISO_1: &[NamedCase] = &[
    NamedCase {
        name: "ISO-1.get-other-tenants-records",
        description: "get-client and get-service of ids that exist only in another tenant return nothing of it",
        build: other_tenants_records_by_id,
    },
    NamedCase {
        name: "ISO-1.same-ids-in-two-tenants",
        description: "ids of a client, its manager and tags, a catalog item and its type that both tenants use: each tenant gets its own",
        build: || {
            let (w, client, service) = twin_tenants();
            let portal = id(Kind::User, SHARED, 2);
            let mut steps = Vec::new();
            for t in [A, B] {
                steps.extend(calls_in(&admin(t), every_function(&client, &service)));
                steps.extend(calls_in(
                    &as_user(t, &portal, UserType::Client),
                    every_function(&client, &service),
                ));
            }
            w.case(steps)
        },
    },
    NamedCase {
        name: "ISO-1.search-for-other-tenants-ids-and-names",
        description: "searches equal to another tenant's client id, name and email return nothing of it",
        build: || {
            let mut w = World::new(2);
            w.clients(A, &["Alpha"]);
            let theirs = w.clients(B, &["Bravo"]).remove(0);
            w.tenant(B).clients[0].billing_email = Some("billing@bravo.example".into());
            let searches =
                [theirs.clone(), upper(&theirs), "Bravo".to_string(), "billing@bravo.example".into()];
            let calls = searches.iter().map(|s| clients().search(s).inactive(true).size(100).call());
            w.case(calls_in(&admin(A), calls))
        },
    },
];

/// ISO-1.concurrent.
pub const ISO_1_CONCURRENT: &[NamedCase] = &[NamedCase {
    name: "ISO-1.concurrent.two-tenants-at-once",
    description: "lists, gets and id searches of two tenants that share ids, run one at a time and then all at once",
    build: || {
        let (w, client, service) = twin_tenants();
        let only_b = id(Kind::Client, B, 2);
        let mut calls: Vec<(ExecutionContext, Call)> = Vec::new();
        for round in 0..3 {
            for t in [A, B] {
                let context = admin(t);
                calls.push((context.clone(), clients().size(100).call()));
                calls.push((context.clone(), services().size(100).call()));
                calls.push((context.clone(), get_client(if round == 1 { &only_b } else { &client })));
                calls.push((context.clone(), get_service(&service)));
                calls.push((context, clients().search(&only_b).inactive(true).call()));
            }
        }
        w.case(alone_then_together(calls))
    },
}];

/// ISO-2.
pub const ISO_2: &[NamedCase] = &[
    NamedCase {
        name: "ISO-2.client-of-other-tenant",
        description: "get-client of a client id that exists only in another tenant, in any letter case and as any caller, is ok(none)",
        build: || {
            let mut w = World::new(2);
            let own = w.clients(A, &["Alpha"]).remove(0);
            let theirs = w.clients(B, &["Bravo"]).remove(0);
            let staff = w.user(A, 1, UserType::Internal).user_id.clone();
            let portal = w.user(A, 2, UserType::Client);
            portal.client_id = Some(own);
            let portal = portal.user_id.clone();
            let mut steps = Vec::new();
            for context in
                [admin(A), as_user(A, &staff, UserType::Internal), as_user(A, &portal, UserType::Client)]
            {
                steps.extend(calls_in(
                    &context,
                    [get_client(&theirs), get_client(&upper(&theirs)), get_client(&mixed(&theirs))],
                ));
            }
            w.case(steps)
        },
    },
    NamedCase {
        name: "ISO-2.service-of-other-tenant",
        description: "get-service of a service id that exists only in another tenant is ok(none)",
        build: || {
            let mut w = World::new(2);
            w.services(A, &["Alpha plan"]);
            let theirs = w.services(B, &["Bravo plan"]).remove(0);
            w.case(calls_in(&admin(A), [get_service(&theirs), get_service(&upper(&theirs))]))
        },
    },
    NamedCase {
        name: "ISO-2.id-of-no-record",
        description: "an id that exists nowhere is answered exactly as another tenant's id",
        build: || {
            let mut w = World::new(2);
            w.clients(A, &["Alpha"]);
            w.clients(B, &["Bravo"]);
            let nowhere = id(Kind::Client, C, 1);
            w.case(calls_in(&admin(A), [get_client(&nowhere), get_service(&nowhere)]))
        },
    },
];
