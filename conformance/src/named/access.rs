//! Named cases of SPEC.md section 4: capabilities held, missing and misspelled (CAP-1 to
//! CAP-3), users without the permission, of another tenant, inactive or of another type
//! (AUTH-1 to AUTH-3), and what portal users see (AUTH-4).

use super::NamedCase;
use super::build::*;
use crate::case::Case;
use alga_conformance_protocol::{Call, UserType};
use alga_extension_contract::{CAP_CLIENT_READ, CAP_SERVICE_READ};

/// A tenant A with one client and one catalog item; returns their ids.
fn one_of_each(w: &mut World) -> (String, String) {
    (w.clients(A, &["Alpha"]).remove(0), w.services(A, &["Plan"]).remove(0))
}

/// One install per capability set of `sets` (stored exactly as given), each with no user
/// making `calls` in a tenant with one client and one catalog item.
fn installs_trying(sets: &[&[&str]], calls: fn(&str, &str) -> Vec<Call>) -> Case {
    let mut w = World::new(1);
    let (client, service) = one_of_each(&mut w);
    let mut steps = Vec::new();
    for (n, capabilities) in sets.iter().enumerate() {
        let install = w.install(A, n as u64 + 1, capabilities);
        steps.extend(calls_in(&through(A, install, None), calls(&client, &service)));
    }
    w.case(steps)
}

/// Calls of every function whose input is invalid: page 0, page-size 101, a 1 MB search,
/// a control character, ids that are not canonical UUIDs.
fn invalid_calls() -> Vec<Call> {
    vec![
        clients().page(0).call(),
        services().size(101).call(),
        clients().search(&"x".repeat(1 << 20)).call(),
        services().search("a\u{0}b").call(),
        get_client("abc"),
        get_service("{00000000-0000-0000-0000-000000000000}"),
    ]
}

/// CAP-1.
pub const CAP_1: &[NamedCase] = &[
    NamedCase {
        name: "CAP-1.one-capability-each",
        description: "an install holding only cap:client.read reads clients and not services, and the other way round; one holding neither reads nothing",
        build: || {
            let sets: &[&[&str]] =
                &[&[CAP_CLIENT_READ], &[CAP_SERVICE_READ], &[], &["cap:context.read", "cap:log.emit"]];
            installs_trying(sets, every_function)
        },
    },
    NamedCase {
        name: "CAP-1.near-miss-capability-names",
        description: "cap:clients.read, cap:client.*, cap:client.readx and cap:service grant nothing",
        build: || {
            let near_misses =
                ["cap:clients.read", "cap:client.*", "cap:client.readx", "cap:service", "cap:services.read"];
            installs_trying(&[&near_misses], every_function)
        },
    },
    NamedCase {
        name: "CAP-1.user-holds-permission-install-lacks-capability",
        description: "an install without cap:client.read refuses client calls although its user (internal or portal) holds client:read",
        build: || {
            let mut w = World::new(1);
            let (client, service) = one_of_each(&mut w);
            let staff = w.user(A, 1, UserType::Internal).user_id.clone();
            let portal = w.user(A, 2, UserType::Client);
            portal.client_id = Some(client.clone());
            let portal = portal.user_id.clone();
            let services_only = w.install(A, 1, &[CAP_SERVICE_READ]);
            let clients_only = w.install(A, 2, &[CAP_CLIENT_READ]);
            let mut steps = Vec::new();
            for install in [services_only, clients_only] {
                for (user, user_type) in [(&staff, UserType::Internal), (&portal, UserType::Client)] {
                    let context = through(A, install.clone(), Some((user, user_type)));
                    steps.extend(calls_in(&context, every_function(&client, &service)));
                }
            }
            w.case(steps)
        },
    },
];

/// CAP-2.
pub const CAP_2: &[NamedCase] = &[NamedCase {
    name: "CAP-2.invalid-input-without-capability",
    description: "invalid pages, page sizes, searches and ids are not-allowed when the install lacks the capability",
    build: || installs_trying(&[&[], &[CAP_CLIENT_READ], &[CAP_SERVICE_READ]], |_, _| invalid_calls()),
}];

/// CAP-3.
pub const CAP_3: &[NamedCase] = &[
    NamedCase {
        name: "CAP-3.odd-case-and-white-space",
        description: "capability names stored with white space around them (space, tab, NBSP, line feed) or in other ASCII letter case grant",
        build: || {
            let sets: &[&[&str]] = &[
                &[" CAP:Client.Read ", "Cap:Service.Read\t"],
                &["\u{a0}cap:client.read\n", "CAP:SERVICE.READ"],
                &["\u{2003}cap:CLIENT.read\u{3000}", " cap:service.READ\r\n"],
            ];
            installs_trying(sets, every_function)
        },
    },
    NamedCase {
        name: "CAP-3.characters-that-are-not-white-space",
        description: "U+FEFF (which JavaScript's trim removes), U+001C-U+001F (which Python's strip removes) and U+200B around a name: no grant",
        build: || {
            let sets: &[&[&str]] = &[
                &["\u{feff}cap:client.read", "cap:service.read\u{1f}"],
                &["\u{1c}cap:client.read", "\u{200b}cap:service.read"],
                &["cap:client.read\u{1e}", "\u{feff}cap:service.read\u{feff}"],
            ];
            installs_trying(sets, every_function)
        },
    },
    NamedCase {
        name: "CAP-3.near-misses",
        description: "names that differ by more than white space and ASCII case grant nothing: a dotted capital I, a space inside, a suffix",
        build: || {
            let near_misses =
                ["CAP:CL\u{130}ENT.READ", "cap: service.read", "cap:client.read.all", "cap:service.reads"];
            installs_trying(&[&near_misses], every_function)
        },
    },
];

/// AUTH-1.
pub const AUTH_1: &[NamedCase] = &[
    NamedCase {
        name: "AUTH-1.users-without-roles",
        description: "an internal and a portal user with no role are refused; a reader is not",
        build: || {
            let mut w = World::new(1);
            let (client, service) = one_of_each(&mut w);
            let mut steps = Vec::new();
            for (n, user_type) in [(1, UserType::Internal), (2, UserType::Client)] {
                let user = w.user(A, n, user_type);
                user.role_ids.clear();
                user.client_id = (user_type == UserType::Client).then(|| client.clone());
                let user_id = user.user_id.clone();
                steps.extend(calls_in(&as_user(A, &user_id, user_type), every_function(&client, &service)));
            }
            let reader = w.user(A, 3, UserType::Internal).user_id.clone();
            steps.extend(calls_in(
                &as_user(A, &reader, UserType::Internal),
                every_function(&client, &service),
            ));
            w.case(steps)
        },
    },
    NamedCase {
        name: "AUTH-1.permission-for-the-other-kind-of-user",
        description: "client:read flagged for portal users only does not count for staff, and flagged msp only does not count for portal users",
        build: || {
            let mut w = World::new(1);
            let (client, service) = one_of_each(&mut w);
            let portal_only = [
                w.role_with(A, 1, "client", "read", false, true),
                w.role_with(A, 2, "service", "read", false, true),
            ];
            let staff_only = [
                w.role_with(A, 3, "client", "read", true, false),
                w.role_with(A, 4, "service", "read", true, false),
            ];
            let staff = w.user(A, 1, UserType::Internal);
            staff.role_ids = portal_only.to_vec();
            let staff = staff.user_id.clone();
            let portal = w.user(A, 2, UserType::Client);
            portal.role_ids = staff_only.to_vec();
            portal.client_id = Some(client.clone());
            let portal = portal.user_id.clone();
            let mut steps =
                calls_in(&as_user(A, &staff, UserType::Internal), every_function(&client, &service));
            steps.extend(calls_in(&as_user(A, &portal, UserType::Client), every_function(&client, &service)));
            w.case(steps)
        },
    },
    NamedCase {
        name: "AUTH-1.one-permission-only",
        description: "client:read alone reads clients and not services; service:read alone the other way round",
        build: || {
            let mut w = World::new(1);
            let (client, service) = one_of_each(&mut w);
            let roles = [
                w.role_with(A, 1, "client", "read", true, true),
                w.role_with(A, 2, "service", "read", true, true),
            ];
            let mut steps = Vec::new();
            for (n, role) in roles.iter().enumerate() {
                let user = w.user(A, n as u64 + 1, UserType::Internal);
                user.role_ids = vec![role.clone()];
                let user = user.user_id.clone();
                steps.extend(calls_in(
                    &as_user(A, &user, UserType::Internal),
                    every_function(&client, &service),
                ));
            }
            w.case(steps)
        },
    },
    NamedCase {
        name: "AUTH-1.other-resources-and-actions",
        description: "client:update, service:delete and ticket:read do not grant reading",
        build: || {
            let mut w = World::new(1);
            let (client, service) = one_of_each(&mut w);
            let roles = vec![
                w.role_with(A, 1, "client", "update", true, true),
                w.role_with(A, 2, "service", "delete", true, true),
                w.role_with(A, 3, "ticket", "read", true, true),
                w.role_with(A, 4, "Client", "Read", true, true),
            ];
            let user = w.user(A, 1, UserType::Internal);
            user.role_ids = roles;
            let user = user.user_id.clone();
            w.case(calls_in(&as_user(A, &user, UserType::Internal), every_function(&client, &service)))
        },
    },
    NamedCase {
        name: "AUTH-1.invalid-input-without-permission",
        description: "a user without the permission is refused even when the input is invalid",
        build: || {
            let mut w = World::new(1);
            one_of_each(&mut w);
            let user = w.user(A, 1, UserType::Internal);
            user.role_ids.clear();
            let user = user.user_id.clone();
            w.case(calls_in(&as_user(A, &user, UserType::Internal), invalid_calls()))
        },
    },
];

/// AUTH-2.
pub const AUTH_2: &[NamedCase] = &[
    NamedCase {
        name: "AUTH-2.user-of-other-tenant",
        description: "an internal user who exists (active, holding both permissions) only in another tenant is refused",
        build: || {
            let mut w = World::new(2);
            let (client, service) = one_of_each(&mut w);
            let stranger = w.user(B, 1, UserType::Internal).user_id.clone();
            let own = w.user(A, 1, UserType::Internal).user_id.clone();
            let mut steps =
                calls_in(&as_user(A, &stranger, UserType::Internal), every_function(&client, &service));
            steps.extend(calls_in(&as_user(A, &own, UserType::Internal), every_function(&client, &service)));
            w.case(steps)
        },
    },
    NamedCase {
        name: "AUTH-2.portal-user-of-other-tenant",
        description: "a portal user who exists (active, holding both permissions, with a client) only in another tenant is refused",
        build: || {
            let mut w = World::new(2);
            let (client, service) = one_of_each(&mut w);
            let theirs = w.clients(B, &["Bravo"]).remove(0);
            let stranger = w.user(B, 1, UserType::Client);
            stranger.client_id = Some(theirs);
            let stranger = stranger.user_id.clone();
            let own = w.user(A, 1, UserType::Client);
            own.client_id = Some(client.clone());
            let own = own.user_id.clone();
            let mut steps =
                calls_in(&as_user(A, &stranger, UserType::Client), every_function(&client, &service));
            steps.extend(calls_in(&as_user(A, &own, UserType::Client), every_function(&client, &service)));
            w.case(steps)
        },
    },
    NamedCase {
        name: "AUTH-2.user-id-shared-by-two-tenants",
        description: "user ids both tenants use, active and holding the permission in one tenant only: each tenant's own record decides",
        build: || {
            let mut w = World::new(2);
            let (client, service) = one_of_each(&mut w);
            w.clients(B, &["Bravo"]);
            w.services(B, &["Bravo plan"]);
            let inactive_in_a = id(Kind::User, SHARED, 1);
            let inactive_in_b = id(Kind::User, SHARED, 2);
            let roleless_portal_in_a = id(Kind::User, SHARED, 3);
            w.user_with_id(A, inactive_in_a.clone(), UserType::Internal).is_inactive = true;
            w.user_with_id(B, inactive_in_a.clone(), UserType::Internal);
            w.user_with_id(A, inactive_in_b.clone(), UserType::Internal);
            w.user_with_id(B, inactive_in_b.clone(), UserType::Internal).is_inactive = true;
            w.user_with_id(A, roleless_portal_in_a.clone(), UserType::Client).role_ids.clear();
            w.user_with_id(B, roleless_portal_in_a.clone(), UserType::Client);
            let mut steps = Vec::new();
            for (user, user_type) in [
                (&inactive_in_a, UserType::Internal),
                (&inactive_in_b, UserType::Internal),
                (&roleless_portal_in_a, UserType::Client),
            ] {
                for t in [A, B] {
                    steps.extend(calls_in(&as_user(t, user, user_type), every_function(&client, &service)));
                }
            }
            w.case(steps)
        },
    },
    NamedCase {
        name: "AUTH-2.inactive-user-holding-the-permission",
        description: "an inactive internal user and an inactive portal user who hold both permissions are refused",
        build: || {
            let mut w = World::new(1);
            let (client, service) = one_of_each(&mut w);
            let staff = w.user(A, 1, UserType::Internal);
            staff.is_inactive = true;
            let staff = staff.user_id.clone();
            let portal = w.user(A, 2, UserType::Client);
            portal.is_inactive = true;
            portal.client_id = Some(client.clone());
            let portal = portal.user_id.clone();
            let mut steps =
                calls_in(&as_user(A, &staff, UserType::Internal), every_function(&client, &service));
            steps.extend(calls_in(&as_user(A, &portal, UserType::Client), every_function(&client, &service)));
            w.case(steps)
        },
    },
    NamedCase {
        name: "AUTH-2.user-claimed-with-the-other-type",
        description: "a staff reader claimed as a portal user, and a portal reader claimed as staff, are refused",
        build: || {
            let mut w = World::new(1);
            let (client, service) = one_of_each(&mut w);
            let staff = w.user(A, 1, UserType::Internal).user_id.clone();
            let portal = w.user(A, 2, UserType::Client);
            portal.client_id = Some(client.clone());
            let portal = portal.user_id.clone();
            let mut steps =
                calls_in(&as_user(A, &staff, UserType::Client), every_function(&client, &service));
            steps.extend(calls_in(
                &as_user(A, &portal, UserType::Internal),
                every_function(&client, &service),
            ));
            w.case(steps)
        },
    },
    NamedCase {
        name: "AUTH-2.unknown-users",
        description: "a user id that is no user, a client's id and the install's id as user ids are refused",
        build: || {
            let mut w = World::new(1);
            let (client, service) = one_of_each(&mut w);
            let mut steps = Vec::new();
            for (user, user_type) in [
                (id(Kind::User, A, 9), UserType::Internal),
                (id(Kind::User, A, 9), UserType::Client),
                (client.clone(), UserType::Client),
                (admin_install(A), UserType::Internal),
            ] {
                steps.extend(calls_in(&as_user(A, &user, user_type), every_function(&client, &service)));
            }
            w.case(steps)
        },
    },
];

/// AUTH-3.
pub const AUTH_3: &[NamedCase] = &[NamedCase {
    name: "AUTH-3.no-user-needs-no-permission",
    description: "without a user the capability alone decides, in a tenant that defines no permission, role or user at all",
    build: || {
        let mut w = World::new(1);
        let (client, service) = one_of_each(&mut w);
        let tenant = w.tenant(A);
        tenant.roles.clear();
        tenant.permissions.clear();
        let clients_only = w.install(A, 1, &[CAP_CLIENT_READ]);
        let mut steps = calls_in(&admin(A), every_function(&client, &service));
        steps.extend(calls_in(&through(A, clients_only, None), every_function(&client, &service)));
        w.case(steps)
    },
}];

/// AUTH-4.
pub const AUTH_4: &[NamedCase] = &[
    NamedCase {
        name: "AUTH-4.portal-user-sees-own-client-only",
        description: "a portal user lists only their client (whatever the search or filter) and gets none for the tenant's other clients",
        build: || {
            let mut w = World::new(1);
            let ids = w.clients(A, &["Acme One", "Acme Two", "Acme Three"]);
            w.tenant(A).clients[2].is_inactive = true;
            let portal = w.user(A, 1, UserType::Client);
            portal.client_id = Some(ids[1].clone());
            let portal = portal.user_id.clone();
            let mut calls = vec![
                clients().size(100).call(),
                clients().inactive(true).size(100).call(),
                clients().search("acme").call(),
                clients().search("One").call(),
                clients().search(&ids[0]).call(),
            ];
            calls.extend(ids.iter().map(|id| get_client(id)));
            calls.push(get_client(&upper(&ids[1])));
            w.case(calls_in(&as_user(A, &portal, UserType::Client), calls))
        },
    },
    NamedCase {
        name: "AUTH-4.portal-user-without-client",
        description: "a portal user who belongs to no client sees no client",
        build: || {
            let mut w = World::new(1);
            let ids = w.clients(A, &["Acme", "Beta"]);
            let portal = w.user(A, 1, UserType::Client).user_id.clone();
            let mut calls = vec![clients().inactive(true).size(100).call(), clients().search("a").call()];
            calls.extend(ids.iter().map(|id| get_client(id)));
            w.case(calls_in(&as_user(A, &portal, UserType::Client), calls))
        },
    },
    NamedCase {
        name: "AUTH-4.portal-user-of-inactive-client",
        description: "a portal user whose client is inactive lists it only with include-inactive, and gets it",
        build: || {
            let mut w = World::new(1);
            let ids = w.clients(A, &["Gone", "Other"]);
            w.tenant(A).clients[0].is_inactive = true;
            let portal = w.user(A, 1, UserType::Client);
            portal.client_id = Some(ids[0].clone());
            let portal = portal.user_id.clone();
            let calls = [clients().call(), clients().inactive(true).call(), get_client(&ids[0])];
            w.case(calls_in(&as_user(A, &portal, UserType::Client), calls))
        },
    },
    NamedCase {
        name: "AUTH-4.services-are-not-restricted",
        description: "a portal user lists and gets every catalog item; staff see every client",
        build: || {
            let mut w = World::new(1);
            let ids = w.clients(A, &["Acme", "Beta"]);
            let items = w.services(A, &["Plan", "Backup"]);
            let portal = w.user(A, 1, UserType::Client);
            portal.client_id = Some(ids[0].clone());
            let portal = portal.user_id.clone();
            let staff = w.user(A, 2, UserType::Internal).user_id.clone();
            let mut steps = calls_in(
                &as_user(A, &portal, UserType::Client),
                [services().call(), get_service(&items[0]), get_service(&items[1])],
            );
            steps.extend(calls_in(
                &as_user(A, &staff, UserType::Internal),
                [clients().call(), get_client(&ids[1])],
            ));
            w.case(steps)
        },
    },
];
