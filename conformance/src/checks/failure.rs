//! Checks of SPEC.md section 8: a store outage is `internal`, never a trap or a crash, and
//! calls work again afterwards (ERR-1, a state sequence); `internal` is reserved for host
//! failures (ERR-2).
//!
//! ERR-1 follows the note under the rule in SPEC.md: a host may decide a call from cached
//! install and user records (or from the input alone) while its store is down, so a call
//! refused or invalid before the outage and answered during it exactly as before is
//! *discarded* (the outage did not affect it), not failed; a call that returns data must
//! return `internal`. A run in which the outage affected no call at all is reported
//! unverified (see [`super::judge::Tally`]), never as a pass.

use super::judge::{call_line, class_as_specified, judged_calls};
use super::scenario::resolve;
use super::{Check, Guests, Level, Mismatch, Needs, Tally};
use crate::case::{Case, Step, StepResult};
use crate::named;
use crate::oracle::Reading;
use crate::outcome::Actual;
use crate::strategy::picks::{self, SearchPick};
use crate::strategy::world::{WorldSize, world};
use crate::strategy::{any_call, any_call_or_invalid, get_pick, list_pick, text};
use alga_extension_contract::types::ReadError;
use proptest::prelude::*;
use serde_json::json;

/// ERR-1.
pub const ERR_1: Check = Check {
    id: "ERR-1",
    rules: &["ERR-1"],
    level: Level::Required,
    description: "load, calls, store outage, the same calls, recovery, the same calls: during the outage they return internal (never a trap or a crash), afterwards exactly what they returned before",
    needs: Needs::StoreOutage,
    guests: Guests::OfItsVersion,
    named: named::failure::ERR_1,
    cases: || {
        let context = prop_oneof![3 => picks::admin_context(), 1 => picks::user_context()];
        (world(WorldSize::DEFAULT), prop::collection::vec((context, any_call()), 1..5))
            .prop_map(|(fixture, picks)| {
                let calls: Vec<Step> = picks.iter().map(|(c, p)| resolve(&fixture, c, p)).collect();
                let mut steps = calls.clone();
                steps.push(Step::StoreOutage { down: true });
                steps.extend(calls.iter().cloned());
                steps.push(Step::StoreOutage { down: false });
                steps.extend(calls);
                Case { fixture, steps }
            })
            .boxed()
    },
    verify: verify_outage_sequence,
};

/// The outcomes of the three phases of an ERR-1 case (before, during, after the outage),
/// or the mismatch of an outage the testee could not start or end.
fn phases(case: &Case, results: &[StepResult]) -> Result<[Vec<(usize, Actual)>; 3], Mismatch> {
    let mut phases: [Vec<(usize, Actual)>; 3] = Default::default();
    let mut phase = 0;
    for (step, (spec, result)) in case.steps.iter().zip(results).enumerate() {
        match (spec, result) {
            (Step::StoreOutage { down }, StepResult::StoreOutage(answer)) => {
                if let Err(err) = answer {
                    let what = if *down { "start" } else { "end" };
                    return Err(Mismatch {
                        step,
                        index: None,
                        message: format!("ERR-1: the testee could not {what} the store outage: {err}"),
                        expected: json!(null),
                        actual: json!(err.to_string()),
                    });
                }
                phase = (phase + 1).min(2);
            }
            (Step::Call { call, .. }, StepResult::Call(outcome)) => {
                phases[phase].push((step, Actual::from_outcome(call, outcome)));
            }
            _ => {}
        }
    }
    Ok(phases)
}

fn verify_outage_sequence(case: &Case, results: &[StepResult]) -> Result<Tally, Mismatch> {
    let [before, during, after] = phases(case, results)?;
    let mismatch = |step: usize, message: String, expected: &Actual, actual: &Actual| Mismatch {
        step,
        index: None,
        message,
        expected: expected.to_json(),
        actual: actual.to_json(),
    };
    let internal = Actual::Err(ReadError::Internal);
    let spec = judged_calls(case, results, Reading::Required)?;
    let mut tally = Tally::default();
    for (((first_step, first), (step, down)), (after_step, again)) in before.iter().zip(&during).zip(&after) {
        // A trap or a crash never conforms, whatever the call.
        if matches!(down, Actual::GuestTrap(_) | Actual::HostFailure(_) | Actual::Malformed { .. }) {
            return Err(mismatch(
                *step,
                format!("ERR-1: while the store is down, expected internal, got {}", down.class()),
                &internal,
                down,
            ));
        }
        let Some(as_before) = spec.iter().find(|j| j.step == *first_step) else { continue };
        if !class_as_specified(as_before) {
            // Not answered as SPEC.md says with the store working: what the outage changes
            // about it says nothing about ERR-1.
            tally.could_not_judge(as_before);
            continue;
        }
        // A host failure is `internal`; a call decided without the store (SPEC.md's note
        // under ERR-1: refused from cached install and user records, or an invalid input)
        // may be answered as before. A call that returns data needs the store.
        let affected = *down == internal;
        let decided_without_store = !matches!(first, Actual::Ok(_));
        let unaffected_as_allowed = decided_without_store && down == first;
        if !affected && !unaffected_as_allowed {
            let allowed = if decided_without_store {
                format!("internal, or the {} it returned before (decided without the store)", first.class())
            } else {
                "internal (the call returns data, which needs the store)".to_string()
            };
            return Err(mismatch(
                *step,
                format!("ERR-1: while the store is down, expected {allowed}, got {}", down.class()),
                &internal,
                down,
            ));
        }
        if again != first {
            return Err(mismatch(
                *after_step,
                format!(
                    "ERR-1: after the store is back, the call returns {} where it returned {} before the outage",
                    again.class(),
                    first.class()
                ),
                first,
                again,
            ));
        }
        if affected {
            tally.judge();
        } else if tally.example.is_none() {
            tally.example = Some(format!(
                "step {step}: {} answered {} during the outage as before it, so the outage did not touch it",
                call_line(as_before.call),
                down.class()
            ));
        }
    }
    Ok(tally)
}

/// ERR-2.
pub const ERR_2: Check = Check {
    id: "ERR-2",
    rules: &["ERR-2"],
    level: Level::Recommended,
    description: "with a working store, no input a guest can send (1 MB searches, control characters, malformed ids, extreme pages) returns internal",
    needs: Needs::Calls,
    guests: Guests::OfItsVersion,
    named: named::failure::ERR_2,
    cases: || {
        let hostile = prop_oneof![
            2 => any_call_or_invalid(),
            1 => list_pick(text::bound_search().prop_map(SearchPick::Text), picks::bound_page(), picks::bound_page_size()),
            1 => get_pick(picks::any_id()),
            1 => list_pick(
                (any::<proptest::sample::Index>(), proptest::sample::select(crate::strategy::ids::Spelling::CANONICAL))
                    .prop_map(|(i, s)| SearchPick::OwnId(i, s)),
                Just(None),
                Just(None),
            ),
        ];
        let context = prop_oneof![2 => picks::admin_context(), 1 => picks::any_context()];
        super::scenario::calls(WorldSize::DEFAULT, super::scenario::pairs(context, hostile, 1..8))
    },
    verify: |case, results| {
        let mut tally = Tally::default();
        for judged in judged_calls(case, results, Reading::Recommended)? {
            if judged.actual == Actual::Err(ReadError::Internal) {
                return Err(
                    judged.mismatch("ERR-2: internal for an input a guest can send, with the store working")
                );
            }
            // A call refused or failed where SPEC.md says otherwise never reached the code
            // that could answer internal: nothing to judge.
            if class_as_specified(&judged) {
                tally.judge();
            } else {
                tally.could_not_judge(&judged);
            }
        }
        Ok(tally)
    },
};
