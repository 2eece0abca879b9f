//! Checks of SPEC.md section 4: capabilities (CAP-1 to CAP-3), then the user (AUTH-1 to
//! AUTH-3), then the input, and what a portal user sees (AUTH-4).

use super::judge::{Projection, Scope, each_call};
use super::scenario::{calls, calls_in_prepared, pairs};
use super::{Check, Guests, Level, Needs};
use crate::case::{Case, Step};
use crate::named;
use crate::oracle::Reading;
use crate::strategy::ids::{Spelling, unused_id};
use crate::strategy::picks::{self, ContextPick, IdPick, InstallPick, Kind, SearchPick, UserPick};
use crate::strategy::world::{WorldSize, world};
use crate::strategy::{CallPick, any_call, any_call_or_invalid, get_pick};
use alga_conformance_protocol::fixture::{Install, Permission, Role, Tenant, User};
use alga_conformance_protocol::{ContextUser, ExecutionContext, Fixture, UserType};
use proptest::prelude::*;
use proptest::sample::{Index, select};

/// Calls whose input is invalid in some way (VAL-1 to VAL-3).
pub fn invalid_call() -> impl Strategy<Value = CallPick> {
    let bad_page = select(&[Some(0), Some(10_001), Some(u32::MAX)][..]);
    let bad_size = select(&[Some(0), Some(101), Some(u32::MAX)][..]);
    let bad_search = select(&["a\0b", "a\tb", "\u{7}"][..]).prop_map(|s| SearchPick::Text(s.to_string()));
    let bad_id = (any::<Index>(), select(&Spelling::ALL[3..])).prop_map(|(i, s)| IdPick::Own(i, s));
    prop_oneof![
        (picks::kind(), bad_page).prop_map(|(kind, page)| CallPick::List {
            kind,
            search: SearchPick::Absent,
            include_inactive: None,
            service_filters: (None, None, None),
            page,
            page_size: None,
        }),
        (picks::kind(), bad_size).prop_map(|(kind, page_size)| CallPick::List {
            kind,
            search: SearchPick::Absent,
            include_inactive: None,
            service_filters: (None, None, None),
            page: None,
            page_size,
        }),
        (picks::kind(), bad_search).prop_map(|(kind, search)| CallPick::List {
            kind,
            search,
            include_inactive: None,
            service_filters: (None, None, None),
            page: None,
            page_size: None,
        }),
        get_pick(bad_id),
    ]
}

/// Contexts through one of the tenant's generated installs (any capability set), with no
/// user.
fn own_install_context() -> impl Strategy<Value = ContextPick> {
    (any::<Index>(), any::<Index>()).prop_map(|(tenant, install)| ContextPick {
        tenant,
        install: InstallPick::Own(install),
        user: UserPick::None,
    })
}

/// CAP-1.
pub const CAP_1: Check = Check {
    id: "CAP-1",
    rules: &["CAP-1"],
    level: Level::Required,
    description: "client functions need cap:client.read and service functions cap:service.read; one grants nothing of the other",
    needs: Needs::Calls,
    guests: Guests::OfItsVersion,
    named: named::access::CAP_1,
    cases: || {
        // The tenant's own installs (any capability set), without a user and with a user
        // who holds both permissions: the permission never stands in for the capability.
        let with_reader =
            (any::<Index>(), any::<Index>(), any::<Index>()).prop_map(|(tenant, install, user)| {
                ContextPick { tenant, install: InstallPick::Own(install), user: UserPick::Own(user, false) }
            });
        let context = prop_oneof![3 => own_install_context(), 3 => with_reader, 1 => picks::admin_context()];
        calls_in_prepared(WorldSize::DEFAULT, |f| with_readers(f, false), pairs(context, any_call(), 1..8))
    },
    verify: |case, results| {
        each_call(case, results, Reading::Required, Scope::All, Projection::Decision, "CAP-1")
    },
};

/// CAP-2.
pub const CAP_2: Check = Check {
    id: "CAP-2",
    rules: &["CAP-2"],
    level: Level::Required,
    description: "a call without the capability is not-allowed even when its input is invalid (capability before input)",
    needs: Needs::Calls,
    guests: Guests::OfItsVersion,
    named: named::access::CAP_2,
    cases: || calls(WorldSize::DEFAULT, pairs(own_install_context(), invalid_call(), 1..8)),
    verify: |case, results| {
        each_call(case, results, Reading::Required, Scope::All, Projection::Decision, "CAP-2")
    },
};

/// CAP-3.
pub const CAP_3: Check = Check {
    id: "CAP-3",
    rules: &["CAP-3"],
    level: Level::Recommended,
    description: "a capability stored with white space around it or in other ASCII letter case grants it; other spellings grant nothing",
    needs: Needs::Calls,
    guests: Guests::OfItsVersion,
    named: named::access::CAP_3,
    cases: cap_3_cases,
    verify: |case, results| {
        each_call(case, results, Reading::Recommended, Scope::All, Projection::Decision, "CAP-3")
    },
};

/// Capability spellings CAP-3 grants, and near misses it does not.
const CAP_3_SPELLINGS: &[&[&str]] = &[
    &[" CAP:Client.Read ", "Cap:Service.Read\t"],
    &["CAP:CLIENT.READ", "\u{a0}cap:service.read"],
    &["cap:client.read ", " cap:SERVICE.read"],
    &["cap:client.*", "cap:service.read.all"],
    &["cap: client.read", "capservice.read"],
];

fn cap_3_cases() -> BoxedStrategy<Case> {
    (
        world(WorldSize::DEFAULT),
        select(CAP_3_SPELLINGS),
        prop::collection::vec((any::<Index>(), any_call()), 1..8),
    )
        .prop_map(|(mut fixture, spelling, picks)| {
            let install_id = unused_id(19);
            for tenant in &mut fixture.tenants {
                tenant.installs.push(Install {
                    install_id: install_id.clone(),
                    granted_capabilities: spelling.iter().map(|s| s.to_string()).collect(),
                });
            }
            let steps = picks
                .iter()
                .map(|(tenant_index, call)| {
                    let tenant = picks::tenant_of(&fixture, tenant_index);
                    let context = ExecutionContext {
                        tenant_id: tenant.map(|t| t.tenant_id.clone()).unwrap_or_default(),
                        install_id: install_id.clone(),
                        user: None,
                    };
                    Step::call(&context, call.resolve(&fixture, tenant))
                })
                .collect();
            Case { fixture, steps }
        })
        .boxed()
}

/// AUTH-1.
pub const AUTH_1: Check = Check {
    id: "AUTH-1",
    rules: &["AUTH-1"],
    level: Level::Required,
    description: "with a user, client functions need client:read and service functions service:read through the user's roles (msp flag for staff, client flag for portal users), checked before the input",
    needs: Needs::Calls,
    guests: Guests::OfItsVersion,
    named: named::access::AUTH_1,
    cases: || calls(WorldSize::DEFAULT, pairs(picks::user_context(), any_call_or_invalid(), 1..8)),
    verify: |case, results| {
        each_call(case, results, Reading::Required, Scope::All, Projection::Decision, "AUTH-1")
    },
};

/// AUTH-2.
pub const AUTH_2: Check = Check {
    id: "AUTH-2",
    rules: &["AUTH-2"],
    level: Level::Required,
    description: "a user unknown in the tenant (or another tenant's), inactive, or claimed with the wrong type is not-allowed",
    needs: Needs::Calls,
    guests: Guests::OfItsVersion,
    named: named::access::AUTH_2,
    cases: || {
        let user = prop_oneof![
            2 => any::<Index>().prop_map(|i| UserPick::Own(i, true)),
            2 => any::<Index>().prop_map(|i| UserPick::Own(i, false)),
            3 => any::<Index>().prop_map(UserPick::Foreign),
            2 => any::<Index>().prop_map(UserPick::Inactive),
            1 => (0usize..4).prop_map(UserPick::Unknown),
        ];
        let context = (any::<Index>(), user).prop_map(|(tenant, user)| ContextPick {
            tenant,
            install: InstallPick::Admin,
            user,
        });
        // Every user holds both permissions, so a host that confuses users (another
        // tenant's, an inactive one, the other type) lets the call through.
        calls_in_prepared(
            WorldSize::MULTI_TENANT,
            |f| with_readers(f, true),
            pairs(context, any_call_or_invalid(), 1..8),
        )
    },
    verify: |case, results| {
        each_call(case, results, Reading::Required, Scope::All, Projection::Decision, "AUTH-2")
    },
};

/// AUTH-3.
pub const AUTH_3: Check = Check {
    id: "AUTH-3",
    rules: &["AUTH-3"],
    level: Level::Required,
    description: "without a user (a scheduled job) the capability alone decides: every record is visible, no permission is checked",
    needs: Needs::Calls,
    guests: Guests::OfItsVersion,
    named: named::access::AUTH_3,
    cases: || {
        let context = prop_oneof![3 => picks::admin_context(), 1 => own_install_context()];
        calls(WorldSize::DEFAULT, pairs(context, any_call(), 1..8))
    },
    verify: |case, results| {
        each_call(case, results, Reading::Required, Scope::All, Projection::Decision, "AUTH-3")
    },
};

/// AUTH-4.
pub const AUTH_4: Check = Check {
    id: "AUTH-4",
    rules: &["AUTH-4"],
    level: Level::Required,
    description: "a portal user holding client:read lists at most their own client and gets none for every other client id",
    needs: Needs::Calls,
    guests: Guests::OfItsVersion,
    named: named::access::AUTH_4,
    cases: auth_4_cases,
    verify: |case, results| {
        each_call(case, results, Reading::Required, Scope::Answered, Projection::Members, "AUTH-4")
    },
};

/// Gives every tenant a role granting `client:read` and `service:read` to both kinds of
/// user, and assigns it to every user. With `inactive`, each tenant also gets an inactive
/// staff reader and an inactive portal reader (AUTH-2: a host that forgets to check
/// activity lets them through).
fn with_readers(fixture: &mut Fixture, inactive: bool) {
    for tenant in &mut fixture.tenants {
        let role_id = add_reader_role(tenant, "Reader", true);
        if inactive {
            for (n, user_type) in [(20, UserType::Internal), (21, UserType::Client)] {
                let client_id = match user_type {
                    UserType::Client => tenant.clients.first().map(|c| c.client_id.clone()),
                    UserType::Internal => None,
                };
                tenant.users.push(generated_user(n, user_type, true, client_id));
            }
        }
        for user in &mut tenant.users {
            user.role_ids.push(role_id.clone());
        }
    }
}

/// Adds to `tenant` the permissions `client:read` and `service:read` (for portal users,
/// and for staff too when `msp`) and a role named `name` granting both; returns the role's id.
fn add_reader_role(tenant: &mut Tenant, name: &str, msp: bool) -> String {
    let permission_ids = [unused_id(16), unused_id(17)];
    for (id, resource) in permission_ids.iter().zip(["client", "service"]) {
        tenant.permissions.push(Permission {
            permission_id: id.clone(),
            resource: resource.to_string(),
            action: "read".to_string(),
            msp,
            client: true,
        });
    }
    let role_id = unused_id(18);
    tenant.roles.push(Role {
        role_id: role_id.clone(),
        role_name: name.to_string(),
        permission_ids: permission_ids.to_vec(),
    });
    role_id
}

/// A user with the unused id `n`, no role.
fn generated_user(n: usize, user_type: UserType, inactive: bool, client_id: Option<String>) -> User {
    User {
        user_id: unused_id(n),
        first_name: "Gen".to_string(),
        last_name: format!("User {n}"),
        email: format!("user-{n}@example.com"),
        user_type,
        is_inactive: inactive,
        client_id,
        role_ids: Vec::new(),
    }
}

/// Gives every tenant a role granting `client:read` and `service:read` to portal users,
/// assigns it to every portal user, and makes sure each tenant has at least one portal
/// user (belonging to the tenant's first client, if any).
fn with_portal_readers(fixture: &mut Fixture) {
    for tenant in &mut fixture.tenants {
        let role_id = add_reader_role(tenant, "Portal reader", false);
        if !tenant.users.iter().any(|u| u.user_type == UserType::Client) {
            let client_id = tenant.clients.first().map(|c| c.client_id.clone());
            tenant.users.push(generated_user(15, UserType::Client, false, client_id));
        }
        for user in tenant.users.iter_mut().filter(|u| u.user_type == UserType::Client) {
            user.is_inactive = false;
            user.role_ids.push(role_id.clone());
        }
    }
}

fn auth_4_cases() -> BoxedStrategy<Case> {
    let call = prop_oneof![
        2 => (picks::search(), prop::option::of(any::<bool>())).prop_map(|(search, include_inactive)| CallPick::List {
            kind: Kind::Clients,
            search,
            include_inactive,
            service_filters: (None, None, None),
            page: None,
            page_size: Some(100),
        }),
        2 => picks::canonical_id().prop_map(|id| CallPick::Get { kind: Kind::Clients, id }),
        1 => any_call(),
    ];
    (world(WorldSize::DEFAULT), prop::collection::vec((any::<Index>(), any::<Index>(), call), 1..8))
        .prop_map(|(mut fixture, picks)| {
            with_portal_readers(&mut fixture);
            let steps = picks
                .iter()
                .map(|(tenant_index, user_index, call)| {
                    let tenant = picks::tenant_of(&fixture, tenant_index);
                    let portal_users: Vec<&User> = tenant
                        .map(|t| t.users.iter().filter(|u| u.user_type == UserType::Client).collect())
                        .unwrap_or_default();
                    let context = ExecutionContext {
                        tenant_id: tenant.map(|t| t.tenant_id.clone()).unwrap_or_default(),
                        install_id: tenant
                            .map(|t| crate::strategy::world::admin_install_id(&t.tenant_id))
                            .unwrap_or_default(),
                        user: (!portal_users.is_empty()).then(|| ContextUser {
                            user_id: user_index.get(&portal_users).user_id.clone(),
                            user_type: UserType::Client,
                        }),
                    };
                    Step::call(&context, call.resolve(&fixture, tenant))
                })
                .collect();
            Case { fixture, steps }
        })
        .boxed()
}
