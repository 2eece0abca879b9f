//! Checks of SPEC.md section 3: the tenant comes from the context only (CTX-1, CTX-2), no
//! call returns another tenant's record (ISO-1, alone and under concurrent calls), and
//! other tenants' ids are not found (ISO-2).

use super::judge::{Projection, Scope, class_as_specified, each_call, each_ok_answer, judged_calls};
use super::scenario::{calls, pairs};
use super::{Check, Guests, Level, Mismatch, Needs, Tally};
use crate::case::{Case, Step, StepResult};
use crate::named;
use crate::oracle::records::{client_summary, service_summary};
use crate::oracle::{Answer, Reading};
use crate::outcome::Actual;
use crate::strategy::ids::Spelling;
use crate::strategy::picks::{self, ContextPick, IdPick, InstallPick, Kind, SearchPick};
use crate::strategy::world::{WorldSize, world};
use crate::strategy::{CallPick, any_call, any_call_or_invalid, get_pick};
use alga_conformance_protocol::Fixture;
use alga_conformance_protocol::fixture::Tenant;
use alga_conformance_protocol::wire::ContextCall;
use proptest::prelude::*;
use proptest::sample::{Index, select};

/// CTX-1.
pub const CTX_1: Check = Check {
    id: "CTX-1",
    rules: &["CTX-1"],
    level: Level::Required,
    description: "searches and ids equal to another tenant's record names, record ids or tenant id read only the context's tenant",
    needs: Needs::Calls,
    guests: Guests::OfItsVersion,
    named: named::tenancy::CTX_1,
    cases: ctx_1_cases,
    verify: |case, results| {
        each_call(case, results, Reading::Required, Scope::Answered, Projection::Members, "CTX-1")
    },
};

fn ctx_1_cases() -> BoxedStrategy<Case> {
    let call = prop_oneof![
        3 => (picks::kind(), any::<Index>()).prop_map(|(kind, i)| CallPick::List {
            kind,
            search: SearchPick::Foreign(i),
            include_inactive: Some(true),
            service_filters: (None, None, None),
            page: None,
            page_size: Some(100),
        }),
        1 => get_pick((any::<Index>(), select(Spelling::CANONICAL)).prop_map(|(i, s)| IdPick::Foreign(i, s))),
    ];
    calls(WorldSize::MULTI_TENANT, pairs(picks::admin_context(), call, 1..5))
}

/// CTX-2.
pub const CTX_2: Check = Check {
    id: "CTX-2",
    rules: &["CTX-2"],
    level: Level::Required,
    description: "an install id of another tenant, or of no install at all, grants nothing: every call is not-allowed",
    needs: Needs::Calls,
    guests: Guests::OfItsVersion,
    named: named::tenancy::CTX_2,
    cases: ctx_2_cases,
    verify: |case, results| {
        each_call(case, results, Reading::Required, Scope::All, Projection::Decision, "CTX-2")
    },
};

fn ctx_2_cases() -> BoxedStrategy<Case> {
    let install = prop_oneof![
        3 => any::<Index>().prop_map(InstallPick::Foreign),
        2 => (0usize..4).prop_map(InstallPick::Unknown),
        // The tenant's own installs, so that a host refusing everything fails too.
        1 => Just(InstallPick::Admin),
    ];
    let context = (any::<Index>(), install, picks::any_user())
        .prop_map(|(tenant, install, user)| ContextPick { tenant, install, user });
    calls(WorldSize::MULTI_TENANT, pairs(context, any_call_or_invalid(), 1..6))
}

/// ISO-1, one call at a time.
pub const ISO_1: Check = Check {
    id: "ISO-1",
    rules: &["ISO-1"],
    level: Level::Required,
    description: "no call, in any context and with any input, returns a record (or a joined manager name, type name or tag) of another tenant",
    needs: Needs::Calls,
    guests: Guests::OfItsVersion,
    named: named::tenancy::ISO_1,
    cases: || calls(WorldSize::MULTI_TENANT, pairs(picks::any_context(), any_call(), 1..8)),
    verify: verify_no_leak,
};

/// ISO-1 under concurrent calls.
pub const ISO_1_CONCURRENT: Check = Check {
    id: "ISO-1.concurrent",
    rules: &["ISO-1"],
    level: Level::Required,
    description: "calls across tenants and users run concurrently return exactly what each returns alone, and nothing of another tenant",
    needs: Needs::Calls,
    guests: Guests::OfItsVersion,
    named: named::tenancy::ISO_1_CONCURRENT,
    cases: concurrent_cases,
    verify: verify_concurrent,
};

/// The same calls one at a time, then all at once.
fn concurrent_cases() -> BoxedStrategy<Case> {
    let context = prop_oneof![
        2 => picks::admin_context(),
        2 => picks::user_context(),
        1 => picks::any_context(),
    ];
    (world(WorldSize::MULTI_TENANT), prop::collection::vec((context, any_call()), 8..24))
        .prop_map(|(fixture, picks)| {
            let calls: Vec<ContextCall> = picks
                .iter()
                .map(|(context, call)| ContextCall {
                    context: context.resolve(&fixture),
                    call: call.resolve(&fixture, context.tenant(&fixture)),
                })
                .collect();
            let mut steps: Vec<Step> = calls.iter().map(|c| Step::call(&c.context, c.call.clone())).collect();
            steps.push(Step::Concurrent { calls });
            Case { fixture, steps }
        })
        .boxed()
}

fn verify_concurrent(case: &Case, results: &[StepResult]) -> Result<Tally, Mismatch> {
    let mut tally = verify_no_leak(case, results)?;
    let Some((Step::Concurrent { calls }, StepResult::Concurrent(together))) =
        case.steps.last().zip(results.last())
    else {
        return Ok(tally);
    };
    let judged = judged_calls(case, results, Reading::Required)?;
    for (index, (call, outcome)) in calls.iter().zip(together).enumerate() {
        let Some(alone_call) = judged.iter().find(|j| j.step == index && j.index.is_none()) else { continue };
        let alone = &alone_call.actual;
        let concurrently = Actual::from_outcome(&call.call, outcome);
        if *alone != concurrently {
            return Err(Mismatch {
                step: calls.len(),
                index: Some(index),
                message: format!(
                    "ISO-1: call {index} ({}) returns another result when run concurrently with the others than alone",
                    call.call.function
                ),
                expected: alone.to_json(),
                actual: concurrently.to_json(),
            });
        }
        // The comparison means something only when the call alone was answered as SPEC.md says.
        if class_as_specified(alone_call) {
            tally.judge();
        } else {
            tally.could_not_judge(alone_call);
        }
    }
    Ok(tally)
}

/// ISO-2.
pub const ISO_2: Check = Check {
    id: "ISO-2",
    rules: &["ISO-2"],
    level: Level::Required,
    description: "get-client / get-service of an id that exists only in another tenant returns ok(none), as for an id that exists nowhere",
    needs: Needs::Calls,
    guests: Guests::OfItsVersion,
    named: named::tenancy::ISO_2,
    cases: iso_2_cases,
    verify: |case, results| {
        each_call(case, results, Reading::Required, Scope::Answered, Projection::Members, "ISO-2")
    },
};

fn iso_2_cases() -> BoxedStrategy<Case> {
    let id = prop_oneof![
        4 => (any::<Index>(), select(Spelling::CANONICAL)).prop_map(|(i, s)| IdPick::Foreign(i, s)),
        1 => (0usize..3, select(Spelling::CANONICAL)).prop_map(|(n, s)| IdPick::Nowhere(n, s)),
        1 => Just(IdPick::Nil),
    ];
    let context = prop_oneof![3 => picks::admin_context(), 1 => picks::user_context()];
    calls(WorldSize::MULTI_TENANT, pairs(context, get_pick(id), 1..6))
}

/// Fails when an `ok` answer holds anything that belongs to another tenant: a record whose
/// id exists only there, that tenant's record with the same id, or a field joined from
/// that tenant (manager name, service type name, tags). Judges every `ok` answer; a call
/// SPEC.md answers `ok` that was refused or failed leaves nothing to judge.
fn verify_no_leak(case: &Case, results: &[StepResult]) -> Result<Tally, Mismatch> {
    each_ok_answer(case, results, Reading::Required, |judged, answer| {
        let own = case.fixture.tenant(&judged.context.tenant_id);
        match leak_in(&case.fixture, own, answer) {
            Some(leak) => Err(judged.mismatch(format!("ISO-1: {leak}"))),
            None => Ok(()),
        }
    })
}

fn others<'a>(fixture: &'a Fixture, own: Option<&'a Tenant>) -> impl Iterator<Item = &'a Tenant> {
    let own_id = own.map(|t| t.tenant_id.clone());
    fixture.tenants.iter().filter(move |t| Some(&t.tenant_id) != own_id.as_ref())
}

/// A description of the first foreign item in `answer`, if any.
pub fn leak_in(fixture: &Fixture, own: Option<&Tenant>, answer: &Answer) -> Option<String> {
    match answer {
        Answer::ClientPage(page) => page.items.iter().find_map(|item| client_leak(fixture, own, item)),
        Answer::Client(found) => found.as_ref().and_then(|item| client_leak(fixture, own, item)),
        Answer::ServicePage(page) => page.items.iter().find_map(|item| service_leak(fixture, own, item)),
        Answer::Service(found) => found.as_ref().and_then(|item| service_leak(fixture, own, item)),
    }
}

pub(crate) fn client_leak(
    fixture: &Fixture,
    own: Option<&Tenant>,
    item: &alga_extension_contract::types::ClientSummary,
) -> Option<String> {
    let id = item.client_id.to_ascii_lowercase();
    let own_record = own.and_then(|t| t.clients.iter().find(|c| c.client_id == id));
    for other in others(fixture, own) {
        let foreign_record = other.clients.iter().find(|c| c.client_id == id);
        match (own_record, foreign_record) {
            (None, Some(_)) => {
                return Some(format!("client {id} exists only in tenant {}", other.tenant_id));
            }
            (Some(mine), foreign) => {
                let expected = client_summary(mine, own.expect("own record implies own tenant"));
                if *item == expected {
                    return None;
                }
                if foreign.is_some_and(|f| client_summary(f, other) == *item) {
                    return Some(format!(
                        "client {id} is tenant {}'s record with the same id",
                        other.tenant_id
                    ));
                }
                let joined_elsewhere = client_summary(mine, other);
                if item.account_manager_name != expected.account_manager_name
                    && item.account_manager_name.is_some()
                    && item.account_manager_name == joined_elsewhere.account_manager_name
                {
                    return Some(format!(
                        "client {id} carries the account manager name of user {:?} of tenant {}",
                        mine.account_manager_id, other.tenant_id
                    ));
                }
                let foreign_tags: Vec<&String> = item
                    .tags
                    .iter()
                    .filter(|tag| !mine.tags.contains(tag))
                    .filter(|tag| foreign.is_some_and(|f| f.tags.contains(tag)))
                    .collect();
                if !foreign_tags.is_empty() {
                    return Some(format!(
                        "client {id} carries tags {foreign_tags:?} of tenant {}",
                        other.tenant_id
                    ));
                }
            }
            (None, None) => {}
        }
    }
    None
}

pub(crate) fn service_leak(
    fixture: &Fixture,
    own: Option<&Tenant>,
    item: &alga_extension_contract::types::ServiceSummary,
) -> Option<String> {
    let id = item.service_id.to_ascii_lowercase();
    let own_record = own.and_then(|t| t.services.iter().find(|s| s.service_id == id));
    for other in others(fixture, own) {
        let foreign_record = other.services.iter().find(|s| s.service_id == id);
        match (own_record, foreign_record) {
            (None, Some(_)) => {
                return Some(format!("service {id} exists only in tenant {}", other.tenant_id));
            }
            (Some(mine), foreign) => {
                let expected = service_summary(mine, own.expect("own record implies own tenant"));
                if *item == expected {
                    return None;
                }
                if foreign.is_some_and(|f| service_summary(f, other) == *item) {
                    return Some(format!(
                        "service {id} is tenant {}'s record with the same id",
                        other.tenant_id
                    ));
                }
                let joined_elsewhere = service_summary(mine, other);
                if item.service_type_name != expected.service_type_name
                    && item.service_type_name.is_some()
                    && item.service_type_name == joined_elsewhere.service_type_name
                {
                    return Some(format!(
                        "service {id} carries the service type name of type {:?} of tenant {}",
                        mine.service_type_id, other.tenant_id
                    ));
                }
            }
            (None, None) => {}
        }
    }
    None
}

/// The kind of a `get-*`/`list-*` function, for checks that need it.
pub fn kind_of(function: &str) -> Option<Kind> {
    match function {
        "list-clients" | "get-client" => Some(Kind::Clients),
        "list-services" | "get-service" => Some(Kind::Services),
        _ => None,
    }
}
