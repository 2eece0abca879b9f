//! Every [`Mutation`] really breaks the rule it names, on the store the conformance suite's
//! mutant test uses (SQLite), and on PostgreSQL too: a detector per mutation passes on the
//! correct services and fails on the mutated ones. (The suite proves it catches them end to
//! end; this proves there is something to catch.)
//!
//! On PostgreSQL, row-level security stops the mutations whose query forgets the tenant
//! ([`STOPPED_BY_ROW_LEVEL_SECURITY`]): the policy does not forget it. That is the second
//! line of defence working, and the test says so.

mod common;

use alga_conformance_protocol::fixture::{Client, Install, Permission, Role, Tenant, User};
use alga_conformance_protocol::{ExecutionContext, Fixture, UserType};
use alga_extension_contract::types::{ClientListInput, ReadError, ServiceListInput};
use alga_reference_store::{Mutation, ReadServices};
use common::world::{self, *};

fn client_ids(
    rs: &ReadServices,
    context: &ExecutionContext,
    input: ClientListInput,
) -> Result<(Vec<String>, u32), ReadError> {
    let actor = rs.actor(context)?;
    rs.list_clients(&actor, &input)
        .map(|page| (page.items.into_iter().map(|c| c.client_id).collect(), page.total_count))
}

/// Whether `rs` keeps the rule `mutation` breaks, on the world.
fn conforms(rs: &ReadServices, mutation: Mutation) -> bool {
    let scheduled_actor = rs.actor(&scheduled()).unwrap();
    let search = |text: String| ClientListInput {
        search: Some(text),
        include_inactive: Some(true),
        ..Default::default()
    };
    match mutation {
        Mutation::PaginationOffByOne => {
            let page = ClientListInput { page_size: Some(5), ..Default::default() };
            client_ids(rs, &scheduled(), page).map(|(ids, _)| ids)
                == Ok(vec![fifty_percent(), five_hundred(), a_underscore_b(), acme_upper(), acme_lower()])
        }
        Mutation::TotalCountIgnoresFilter => {
            client_ids(rs, &scheduled(), search("acme".into())).map(|(_, total)| total) == Ok(3)
        }
        Mutation::GetIgnoresTenant => rs.get_client(&scheduled_actor, &t2_only_client()) == Ok(None),
        Mutation::NotFoundIsError => {
            rs.get_service(&scheduled_actor, "00000000-0000-0000-0000-000000000000") == Ok(None)
        }
        Mutation::CapabilityNotChecked => {
            client_ids(rs, &ctx(install_services(), None), ClientListInput::default())
                == Err(ReadError::NotAllowed)
        }
        Mutation::ValidationBeforeCapability => {
            let invalid = ServiceListInput { page_size: Some(0), ..Default::default() };
            let actor = rs.actor(&ctx(install_none(), None)).unwrap();
            rs.list_services(&actor, &invalid) == Err(ReadError::NotAllowed)
        }
        Mutation::UserPermissionIgnored => {
            let desk = ctx(install_both(), Some((service_reader(), UserType::Internal)));
            client_ids(rs, &desk, ClientListInput::default()) == Err(ReadError::NotAllowed)
        }
        Mutation::PortalUserSeesEveryClient => {
            let pat = ctx(install_both(), Some((portal(), UserType::Client)));
            client_ids(rs, &pat, ClientListInput::default()) == Ok((vec![acme_title()], 1))
        }
        Mutation::SearchWildcardsNotEscaped => {
            client_ids(rs, &scheduled(), search("50%".into())).map(|(ids, _)| ids)
                == Ok(vec![fifty_percent()])
        }
        Mutation::NoTieBreaker => {
            // Stored as Acme (c3), ACME (c1), acme (c2): PAGE-4 orders them by id.
            client_ids(rs, &scheduled(), search("acme".into())).map(|(ids, _)| ids)
                == Ok(vec![acme_upper(), acme_lower(), acme_title()])
        }
        Mutation::UuidSearchFailsInternal => {
            client_ids(rs, &scheduled(), search(axb().to_uppercase())) == Ok((vec![axb()], 1))
        }
        Mutation::InternalForInvalidInput => {
            matches!(rs.get_client(&scheduled_actor, "not-a-uuid"), Err(ReadError::InvalidInput(_)))
        }
        Mutation::InactiveClientsIncludedByDefault => {
            client_ids(rs, &scheduled(), ClientListInput::default()).map(|(_, total)| total) == Ok(12)
        }
        Mutation::InternalUserLookupIgnoresTenant => {
            let stranger = ctx(install_both(), Some((t2_admin(), UserType::Internal)));
            client_ids(rs, &stranger, ClientListInput::default()) == Err(ReadError::NotAllowed)
        }
        Mutation::PortalUserLookupIgnoresTenant => {
            let stranger = ctx(install_both(), Some((t2_portal(), UserType::Client)));
            client_ids(rs, &stranger, ClientListInput::default()) == Err(ReadError::NotAllowed)
        }
        Mutation::InstallLookupIgnoresTenant => {
            client_ids(rs, &ctx(install_t2(), None), ClientListInput::default()) == Err(ReadError::NotAllowed)
        }
        Mutation::InactiveUserAccepted => {
            let gone = ctx(install_both(), Some((inactive_admin(), UserType::Internal)));
            client_ids(rs, &gone, ClientListInput::default()) == Err(ReadError::NotAllowed)
        }
        Mutation::UserTypeNotChecked => {
            let claimed = ctx(install_both(), Some((admin(), UserType::Client)));
            client_ids(rs, &claimed, ClientListInput::default()) == Err(ReadError::NotAllowed)
        }
        Mutation::IdSearchEscapesTenant => {
            client_ids(rs, &scheduled(), search(t2_only_client())) == Ok((vec![], 0))
        }
        Mutation::CapabilityComparedExactly => {
            client_ids(rs, &ctx(install_clients_spelled_loosely(), None), ClientListInput::default()).is_ok()
        }
        Mutation::UserPermissionReplacesCapability => {
            let admin_without_capability = ctx(install_services(), Some((admin(), UserType::Internal)));
            client_ids(rs, &admin_without_capability, ClientListInput::default())
                == Err(ReadError::NotAllowed)
        }
        Mutation::NoUserIsRefused => client_ids(rs, &scheduled(), ClientListInput::default()).is_ok(),
        Mutation::TotalCountFromPageRows => {
            let past_the_end = ClientListInput { page: Some(100), page_size: Some(5), ..Default::default() };
            client_ids(rs, &scheduled(), past_the_end) == Ok((vec![], 12))
        }
        Mutation::IsActiveFalseIgnored => {
            let retired =
                ServiceListInput { is_active: Some(false), page_size: Some(100), ..Default::default() };
            rs.list_services(&scheduled_actor, &retired)
                .is_ok_and(|page| page.total_count == 2 && page.items.iter().all(|s| !s.is_active))
        }
        Mutation::CurrencyCodeUpperCased => {
            let actor = rs.actor(&t3_scheduled()).unwrap();
            rs.get_client(&actor, &t3_wave())
                .is_ok_and(|c| c.is_some_and(|c| c.default_currency_code == "usd"))
        }
        Mutation::GetClientWithoutTags => rs
            .get_client(&scheduled_actor, &acme_title())
            .is_ok_and(|c| c.is_some_and(|c| c.tags == ["VIP", "b", "vip"])),
        Mutation::StoreFailureIsNotAllowed => {
            rs.store().set_outage(true);
            let during = rs.actor(&scheduled());
            rs.store().set_outage(false);
            during == Err(ReadError::Internal)
        }
        Mutation::ConcurrentCallsLoseTenantScope => {
            // Served on another thread, as concurrent executions are.
            let everything = ClientListInput { page_size: Some(100), ..Default::default() };
            let elsewhere =
                std::thread::scope(|s| s.spawn(|| client_ids(rs, &scheduled(), everything)).join().unwrap());
            elsewhere.map(|(_, total)| total) == Ok(12)
        }
        Mutation::SearchTrimsMoreThanWhiteSpace => {
            client_ids(rs, &scheduled(), search("\u{feff}acme".into())) == Ok((vec![], 0))
                && matches!(
                    client_ids(rs, &scheduled(), search("acme\u{1f}".into())),
                    Err(ReadError::InvalidInput(_))
                )
        }
        Mutation::NamesOrderedByUtf16 => {
            let actor = rs.actor(&t3_scheduled()).unwrap();
            rs.list_clients(&actor, &ClientListInput::default())
                .map(|page| page.items.into_iter().map(|c| c.client_id).collect::<Vec<_>>())
                == Ok(vec![t3_wave(), t3_smile()])
        }
        Mutation::TagsOrderedByUtf16 => {
            let actor = rs.actor(&t3_scheduled()).unwrap();
            rs.get_client(&actor, &t3_wave())
                .is_ok_and(|c| c.is_some_and(|c| c.tags == ["\u{ff5e}", "\u{1f600}"]))
        }
        Mutation::ClientIdMatchedAsSubstring => {
            client_ids(rs, &scheduled(), search(axb()[24..].to_string())) == Ok((vec![], 0))
        }
        // Tenant 2's item with the id of tenant 1's first item is priced in CHF; tenant 1's
        // prices are stored USD, EUR, JPY.
        Mutation::PricesOfAnotherTenant | Mutation::PricesUnsorted => {
            rs.get_service(&scheduled_actor, &onsite_1()).is_ok_and(|item| {
                item.is_some_and(|item| {
                    item.prices.iter().map(|p| p.currency_code.as_str()).collect::<Vec<_>>()
                        == ["EUR", "JPY", "USD"]
                })
            })
        }
        // Three of tenant 1's items have a EUR price.
        Mutation::CurrencyFilterIgnored => in_currency(rs, "EUR") == Ok(3),
        Mutation::CurrencyCodeCaseSensitive => in_currency(rs, "eur") == Ok(3),
        Mutation::CurrencyCodeNotTrimmed => in_currency(rs, " EUR ") == Ok(3),
        // A fault of the host's contract functions (they alone know a guest's contract
        // version): the read services are unaffected, see HOST_FAULTS.
        Mutation::OldGuestWrongRate => true,
    }
}

/// `total-count` of tenant 1's catalog filtered by currency `code`.
fn in_currency(rs: &ReadServices, code: &str) -> Result<u32, ReadError> {
    let actor = rs.actor(&scheduled())?;
    let input =
        ServiceListInput { currency_code: Some(code.into()), page_size: Some(100), ..Default::default() };
    rs.list_services(&actor, &input).map(|page| page.total_count)
}

/// Mutations that live in the host crate (`alga-reference-host`), not in the read services:
/// nothing here can catch them; the conformance suite's mutant test catches them end to end.
const HOST_FAULTS: &[Mutation] = &[Mutation::OldGuestWrongRate];

// Tenant 2's users and a third tenant, for the detectors only (the shared world stays as the
// other tests know it).
fn t2_admin() -> String {
    id("2b1")
}
fn t2_portal() -> String {
    id("2b2")
}
const T3: &str = "00000000-0000-4000-8000-000000000003";
fn t3_install() -> String {
    id("3a1")
}
/// "～ wave" (U+FF5E: below U+FFFF, above the surrogates), currency "usd".
fn t3_wave() -> String {
    id("3c1")
}
/// "😀 smile" (U+1F600: above U+FFFF, two UTF-16 surrogates that sort before U+FF5E).
fn t3_smile() -> String {
    id("3c2")
}
fn t3_scheduled() -> ExecutionContext {
    ExecutionContext { tenant_id: T3.into(), install_id: t3_install(), user: None }
}

/// The shared world, with users in tenant 2 (active, holding both permissions) and a
/// third tenant whose client names and currency codes the detectors need.
fn detector_fixture() -> Fixture {
    let mut fixture = world::fixture();
    let t2 = &mut fixture.tenants[1];
    t2.permissions = vec![
        Permission {
            permission_id: id("2e2"),
            resource: "client".into(),
            action: "read".into(),
            msp: true,
            client: true,
        },
        Permission {
            permission_id: id("2e3"),
            resource: "service".into(),
            action: "read".into(),
            msp: true,
            client: true,
        },
    ];
    t2.roles = vec![Role {
        role_id: id("2f1"),
        role_name: "Reader".into(),
        permission_ids: vec![id("2e2"), id("2e3")],
    }];
    for (user_id, user_type, client_id) in
        [(t2_admin(), UserType::Internal, None), (t2_portal(), UserType::Client, Some(t2_only_client()))]
    {
        t2.users.push(User {
            email: format!("{user_id}@t2.example"),
            user_id,
            first_name: "Tess".into(),
            last_name: "Two".into(),
            user_type,
            is_inactive: false,
            client_id,
            role_ids: vec![id("2f1")],
        });
    }
    let client = |client_id: String, name: &str, currency: &str| Client {
        client_id,
        client_name: name.into(),
        client_type: None,
        is_inactive: false,
        default_currency_code: currency.into(),
        account_manager_id: None,
        billing_email: None,
        tags: vec![],
    };
    fixture.tenants.push(Tenant {
        tenant_id: T3.into(),
        clients: vec![
            client(t3_smile(), "\u{1f600} smile", "EUR"),
            Client {
                // Code point order: U+FF5E, then the emoji; UTF-16 units reverse them.
                tags: vec!["\u{1f600}".into(), "\u{ff5e}".into()],
                ..client(t3_wave(), "\u{ff5e} wave", "usd")
            },
        ],
        installs: vec![Install {
            install_id: t3_install(),
            granted_capabilities: vec!["cap:client.read".into()],
        }],
        ..Tenant::default()
    });
    fixture
}

fn check_every_mutation(backend: &common::Backend, shielded: &[Mutation]) {
    backend.store.load_fixture(&detector_fixture()).unwrap();
    let correct = backend.services();
    for &mutation in Mutation::ALL {
        assert!(
            conforms(&correct, mutation),
            "{}: the correct services fail the detector of {mutation}",
            backend.name
        );
        let mutated = backend.services().with_mutation(Some(mutation));
        assert_eq!(mutated.mutation(), Some(mutation));
        let caught = !conforms(&mutated, mutation);
        let expected = !shielded.contains(&mutation) && !HOST_FAULTS.contains(&mutation);
        assert_eq!(
            caught,
            expected,
            "{}: mutation {mutation} (breaks {:?})",
            backend.name,
            mutation.breaks()
        );
    }
}

#[test]
fn every_mutation_breaks_its_rule_on_sqlite() {
    check_every_mutation(&common::sqlite(), &[]);
}

/// The mutations whose fault is a query that forgets the tenant: on PostgreSQL, row-level
/// security hides the other tenants' rows anyway.
const STOPPED_BY_ROW_LEVEL_SECURITY: &[Mutation] = &[
    Mutation::GetIgnoresTenant,
    Mutation::InternalUserLookupIgnoresTenant,
    Mutation::PortalUserLookupIgnoresTenant,
    Mutation::InstallLookupIgnoresTenant,
    Mutation::IdSearchEscapesTenant,
    Mutation::ConcurrentCallsLoseTenantScope,
    Mutation::PricesOfAnotherTenant,
];

#[test]
fn every_mutation_but_those_rls_stops_breaks_its_rule_on_postgres() {
    check_every_mutation(&common::postgres("store_mutants"), STOPPED_BY_ROW_LEVEL_SECURITY);
}
