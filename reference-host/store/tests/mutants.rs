//! Every [`Mutation`] really breaks the rule it names, on the store the conformance suite's
//! mutant test uses (SQLite), and on PostgreSQL too: a detector per mutation passes on the
//! correct services and fails on the mutated ones. (The suite proves it catches them end to
//! end; this proves there is something to catch.)
//!
//! On PostgreSQL, row-level security stops [`Mutation::GetIgnoresTenant`]: the query forgets
//! the tenant, the policy does not. That is the second line of defence working, and the
//! test says so.

mod common;

use alga_conformance_protocol::{ExecutionContext, UserType};
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
    }
}

fn check_every_mutation(backend: &common::Backend, shielded: &[Mutation]) {
    backend.store.load_fixture(&world::fixture()).unwrap();
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
        let expected = !shielded.contains(&mutation);
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

#[test]
fn every_mutation_but_the_one_rls_stops_breaks_its_rule_on_postgres() {
    check_every_mutation(&common::postgres("store_mutants"), &[Mutation::GetIgnoresTenant]);
}
