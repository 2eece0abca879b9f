//! Checks of SPEC.md section 7: a summary equals the stored record (DATA-1), `get-*`
//! agrees with `list-*` (DATA-2), and not finding is `ok(none)` (DATA-3).

use super::judge::{Projection, Scope, class_as_specified, each_call, each_ok_answer, judged_calls, to_json};
use super::scenario::{calls, pairs};
use super::{Check, Guests, Level, Mismatch, Needs, Tally};
use crate::case::{Case, Step, StepResult, calls_of, outcome_at};
use crate::named;
use crate::oracle::records::{client_summary, service_summary};
use crate::oracle::{Answer, Reading};
use crate::outcome::Actual;
use crate::strategy::ids::Spelling;
use crate::strategy::picks::{self, IdPick, Kind};
use crate::strategy::world::{WorldSize, world};
use crate::strategy::{any_call, get_pick, list_call, list_pick};
use alga_conformance_protocol::Call;
use alga_conformance_protocol::fixture::Tenant;
use proptest::prelude::*;
use proptest::sample::{Index, select};
use serde_json::Value as Json;

/// DATA-1.
pub const DATA_1: Check = Check {
    id: "DATA-1",
    rules: &["DATA-1"],
    level: Level::Required,
    description: "every summary equals its stored record: lower-case ids, texts as stored, tags deduplicated and sorted, manager name joined and trimmed, type name, integer rate",
    needs: Needs::Calls,
    guests: Guests::OfItsVersion,
    named: named::data::DATA_1,
    cases: || {
        let call = prop_oneof![
            2 => list_pick(picks::search(), Just(None), Just(Some(100))),
            1 => get_pick(picks::canonical_id()),
            1 => any_call(),
        ];
        let context = prop_oneof![3 => picks::admin_context(), 1 => picks::user_context()];
        calls(WorldSize::DEFAULT, pairs(context, call, 1..6))
    },
    verify: verify_summaries,
};

/// The summaries of an answer as `(id, JSON)`.
fn summaries(answer: &Answer) -> Vec<(String, Json)> {
    match answer {
        Answer::ClientPage(page) => page.items.iter().map(|c| (c.client_id.clone(), to_json(c))).collect(),
        Answer::Client(found) => found.iter().map(|c| (c.client_id.clone(), to_json(c))).collect(),
        Answer::ServicePage(page) => page.items.iter().map(|s| (s.service_id.clone(), to_json(s))).collect(),
        Answer::Service(found) => found.iter().map(|s| (s.service_id.clone(), to_json(s))).collect(),
    }
}

/// The summary the tenant's record with this id must have.
fn stored_summary(tenant: &Tenant, kind: Kind, id: &str) -> Option<Json> {
    let id = id.to_ascii_lowercase();
    match kind {
        Kind::Clients => {
            tenant.clients.iter().find(|c| c.client_id == id).map(|c| to_json(&client_summary(c, tenant)))
        }
        Kind::Services => {
            tenant.services.iter().find(|s| s.service_id == id).map(|s| to_json(&service_summary(s, tenant)))
        }
    }
}

fn kind_of(call: &Call) -> Kind {
    Kind::of_interface(call.interface_name())
}

/// Compares typed summaries through their JSON (numbers compare as numbers: `1250` and
/// `1250.0` are equal), naming the fields that differ.
fn differing_fields(expected: &Json, actual: &Json) -> Vec<String> {
    let (Some(expected), Some(actual)) = (expected.as_object(), actual.as_object()) else {
        return vec!["<whole summary>".into()];
    };
    expected
        .iter()
        .filter(|(key, value)| match (value, actual.get(*key)) {
            (Json::Number(a), Some(Json::Number(b))) => a.as_f64() != b.as_f64(),
            (a, b) => Some(*a) != b,
        })
        .map(|(key, _)| key.clone())
        .collect()
}

/// Whether the summary (JSON) shows another tenant's data (see ISO-1).
fn leaks(fixture: &alga_conformance_protocol::Fixture, tenant: &Tenant, summary: &Json) -> bool {
    if let Ok(client) = serde_json::from_value(summary.clone()) {
        return super::tenancy::client_leak(fixture, Some(tenant), &client).is_some();
    }
    if let Ok(service) = serde_json::from_value(summary.clone()) {
        return super::tenancy::service_leak(fixture, Some(tenant), &service).is_some();
    }
    false
}

fn verify_summaries(case: &Case, results: &[StepResult]) -> Result<Tally, Mismatch> {
    each_ok_answer(case, results, Reading::Required, |judged, answer| {
        let Some(tenant) = case.fixture.tenant(&judged.context.tenant_id) else { return Ok(()) };
        for (id, actual) in summaries(answer) {
            // A record that is not the tenant's, or shows another tenant's data, is ISO-1's
            // business.
            let Some(expected) = stored_summary(tenant, kind_of(judged.call), &id) else { continue };
            if leaks(&case.fixture, tenant, &actual) {
                continue;
            }
            let fields = differing_fields(&expected, &actual);
            if !fields.is_empty() {
                let mut mismatch =
                    judged.mismatch(format!("DATA-1: the summary of {id} differs in {}", fields.join(", ")));
                mismatch.expected = expected;
                mismatch.actual = actual;
                return Err(mismatch);
            }
        }
        Ok(())
    })
}

/// DATA-2.
pub const DATA_2: Check = Check {
    id: "DATA-2",
    rules: &["DATA-2"],
    level: Level::Required,
    description: "get-client / get-service of a listed record returns the same summary list-clients / list-services returned",
    needs: Needs::Calls,
    guests: Guests::OfItsVersion,
    named: named::data::DATA_2,
    cases: || {
        let context = prop_oneof![3 => picks::admin_context(), 1 => picks::user_context()];
        (world(WorldSize::DEFAULT), context, picks::kind(), select(Spelling::CANONICAL))
            .prop_map(|(fixture, context, kind, spelling)| {
                let resolved = context.resolve(&fixture);
                let tenant = context.tenant(&fixture);
                let list = list_call(kind, None, Some(true), (None, None, None), None, Some(100));
                let mut steps = vec![Step::call(&resolved, list)];
                for id in tenant.map(|t| kind.ids(t)).unwrap_or_default() {
                    let id = spelling.apply(id);
                    let get = match kind {
                        Kind::Clients => Call::get_client(&id),
                        Kind::Services => Call::get_service(&id),
                    };
                    steps.push(Step::call(&resolved, get));
                }
                Case { fixture, steps }
            })
            .boxed()
    },
    verify: verify_get_matches_list,
};

fn verify_get_matches_list(case: &Case, results: &[StepResult]) -> Result<Tally, Mismatch> {
    let calls: Vec<_> = calls_of(case).collect();
    let Some(&(list_step, _, _, list_call)) = calls.first() else { return Ok(Tally::default()) };
    let listed = match outcome_at(results, list_step, None).map(|o| Actual::from_outcome(list_call, o)) {
        Some(Actual::Ok(answer)) => summaries(&answer),
        // A refused or failed list is other rules' business; nothing to compare, and when
        // SPEC.md says the list is ok, nothing could be judged.
        _ => {
            let mut tally = Tally::default();
            if let Some(list) = judged_calls(case, results, Reading::Required)?.first()
                && !class_as_specified(list)
            {
                tally.could_not_judge(list);
            }
            return Ok(tally);
        }
    };
    let mut tally = Tally::default();
    for &(step, _, _, call) in &calls[1..] {
        let Some(outcome) = outcome_at(results, step, None) else { continue };
        let requested = call.args[0].as_str().unwrap_or_default().to_ascii_lowercase();
        let Some((_, from_list)) = listed.iter().find(|(id, _)| id.to_ascii_lowercase() == requested) else {
            continue;
        };
        let got = match Actual::from_outcome(call, outcome) {
            Actual::Ok(answer) => {
                summaries(&answer).into_iter().next().map(|(_, json)| json).unwrap_or(Json::Null)
            }
            other => other.to_json(),
        };
        if differing_fields(from_list, &got).is_empty() && got.is_object() {
            tally.judge();
            continue;
        }
        return Err(Mismatch {
            step,
            index: None,
            message: format!("DATA-2: {} returns another summary than the list did", call.display()),
            expected: from_list.clone(),
            actual: got,
        });
    }
    Ok(tally)
}

/// DATA-3.
pub const DATA_3: Check = Check {
    id: "DATA-3",
    rules: &["DATA-3"],
    level: Level::Required,
    description: "get-* of a canonical UUID that matches no visible record returns ok(none), never an error",
    needs: Needs::Calls,
    guests: Guests::OfItsVersion,
    named: named::data::DATA_3,
    cases: || {
        let id = prop_oneof![
            3 => (0usize..3, select(Spelling::CANONICAL)).prop_map(|(n, s)| IdPick::Nowhere(n, s)),
            1 => Just(IdPick::Nil),
            1 => (any::<Index>(), select(Spelling::CANONICAL)).prop_map(|(i, s)| IdPick::Foreign(i, s)),
            1 => (any::<Index>(), select(Spelling::CANONICAL)).prop_map(|(i, s)| IdPick::Own(i, s)),
        ];
        let context = prop_oneof![3 => picks::admin_context(), 1 => picks::user_context()];
        calls(WorldSize::DEFAULT, pairs(context, get_pick(id), 1..6))
    },
    verify: |case, results| {
        each_call(case, results, Reading::Required, Scope::Answered, Projection::Members, "DATA-3")
    },
};
