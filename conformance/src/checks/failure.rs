//! Checks of SPEC.md section 8: a store outage is `internal`, never a trap or a crash, and
//! calls work again afterwards (ERR-1, a state sequence); `internal` is reserved for host
//! failures (ERR-2).

use super::judge::{Projection, judge, judged_calls};
use super::scenario::resolve;
use super::{Check, Level, Mismatch, Needs};
use crate::case::{Case, Step, StepResult};
use crate::oracle::Reading;
use crate::outcome::Actual;
use crate::strategy::picks::{self, ContextPick, SearchPick};
use crate::strategy::world::{WorldSize, world};
use crate::strategy::{CallPick, any_call, any_call_or_invalid, get_pick, list_pick, text};
use alga_extension_contract::types::ReadError;
use proptest::prelude::*;
use serde_json::json;

/// ERR-1.
pub const ERR_1: Check = Check {
    id: "ERR-1",
    rules: &["ERR-1"],
    level: Level::Required,
    description: "load, calls, store outage, calls, recovery, calls: during the outage calls return internal (never a trap or a crash), afterwards they answer correctly again",
    needs: Needs::StoreOutage,
    cases: || {
        let context = || prop_oneof![3 => picks::admin_context(), 1 => picks::user_context()];
        let phase = move || prop::collection::vec((context(), any_call()), 1..4);
        (world(WorldSize::DEFAULT), phase(), phase(), phase())
            .prop_map(|(fixture, before, during, after)| {
                let step = |picks: &Vec<(ContextPick, CallPick)>| -> Vec<Step> {
                    picks.iter().map(|(c, p)| resolve(&fixture, c, p)).collect()
                };
                let mut steps = step(&before);
                steps.push(Step::StoreOutage { down: true });
                steps.extend(step(&during));
                steps.push(Step::StoreOutage { down: false });
                steps.extend(step(&after));
                Case { fixture, steps }
            })
            .boxed()
    },
    verify: verify_outage_sequence,
};

fn verify_outage_sequence(case: &Case, results: &[StepResult]) -> Result<(), Mismatch> {
    let mut down = false;
    let mut outage_steps = Vec::new();
    for (step, (spec, result)) in case.steps.iter().zip(results).enumerate() {
        if let (Step::StoreOutage { down: now }, StepResult::StoreOutage(answer)) = (spec, result) {
            if let Err(err) = answer {
                return Err(Mismatch {
                    step,
                    index: None,
                    message: format!(
                        "ERR-1: the testee could not {} the store outage: {err}",
                        if *now { "start" } else { "end" }
                    ),
                    expected: json!(null),
                    actual: json!(err.to_string()),
                });
            }
            down = *now;
        } else if down {
            outage_steps.push(step);
        }
    }
    let mut internal_seen = false;
    for judged in judged_calls(case, results, Reading::Required)? {
        let during = outage_steps.contains(&judged.step);
        if during {
            // A host failure is `internal`; a host that can answer without its store (from
            // a cache) may answer correctly instead. Anything else breaks ERR-1.
            if judged.actual == Actual::Err(ReadError::Internal) {
                internal_seen = true;
                continue;
            }
            if let Err(why) = judge(Projection::Full, &judged.expected, &judged.actual) {
                return Err(
                    judged.mismatch(format!("ERR-1: while the store is down, expected internal: {why}"))
                );
            }
        } else {
            let phase = if judged.step < outage_steps.first().copied().unwrap_or(usize::MAX) {
                "before"
            } else {
                "after"
            };
            if let Err(why) = judge(Projection::Members, &judged.expected, &judged.actual) {
                return Err(judged.mismatch(format!("ERR-1: {phase} the store outage: {why}")));
            }
        }
    }
    if !outage_steps.is_empty() && !internal_seen {
        return Err(Mismatch {
            step: outage_steps[0],
            index: None,
            message: "ERR-1: no call returned internal while the store was down: the outage had no effect, so ERR-1 was not exercised".into(),
            expected: json!({ "err": { "tag": "internal" } }),
            actual: json!("every call answered as if the store were up"),
        });
    }
    Ok(())
}

/// ERR-2.
pub const ERR_2: Check = Check {
    id: "ERR-2",
    rules: &["ERR-2"],
    level: Level::Recommended,
    description: "with a working store, no input a guest can send (1 MB searches, control characters, malformed ids, extreme pages) returns internal",
    needs: Needs::Calls,
    cases: || {
        let hostile = prop_oneof![
            2 => any_call_or_invalid(),
            1 => list_pick(text::bound_search().prop_map(SearchPick::Text), picks::bound_page(), picks::bound_page_size()),
            1 => get_pick(picks::any_id()),
        ];
        let context = prop_oneof![2 => picks::admin_context(), 1 => picks::any_context()];
        super::scenario::calls(WorldSize::DEFAULT, super::scenario::pairs(context, hostile, 1..8))
    },
    verify: |case, results| {
        for judged in judged_calls(case, results, Reading::Recommended)? {
            if judged.actual == Actual::Err(ReadError::Internal) {
                return Err(
                    judged.mismatch("ERR-2: internal for an input a guest can send, with the store working")
                );
            }
        }
        Ok(())
    },
};
