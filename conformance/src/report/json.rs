//! The JSON report (`--format json`): one object with `schema_version`, the testee, the
//! run's parameters, one entry per rule (verdict, named edge cases run, random cases and
//! the categories of input they touched, calls judged, checks, counterexamples) and the
//! overall verdict. Field names are snake_case, except inside the objects of the testee
//! protocol (`case`: fixture and steps; `outcomes`), which keep the protocol's camelCase
//! form (PROTOCOL.md) so that they can be fed back to a testee. `contract_version` is the
//! version the run tested; a rule's `since` is the version that introduced it (`null`:
//! 0.1.0), and a rule that does not bind the version tested has verdict `not-applicable`. `schema_version` changes
//! when a field is removed or changes meaning (new fields do not change it).

use super::Report;
use crate::case::StepResult;
use crate::coverage::Counts;
use crate::runner::{CheckStatus, NamedRun};
use serde_json::{Value as Json, json};

/// Version of the JSON report's shape.
pub const SCHEMA_VERSION: u32 = 1;

/// The report as JSON.
pub fn render(report: &Report<'_>) -> Json {
    let run = report.run;
    let rules: Vec<Json> = report
        .rules
        .iter()
        .map(|rule| {
            let checks: Vec<Json> = rule
                .checks
                .iter()
                .map(|c| {
                    let (status, detail) = match &c.status {
                        CheckStatus::Pass => ("pass", Json::Null),
                        CheckStatus::NotRun => ("not-run", Json::Null),
                        CheckStatus::NotApplicable(why) => ("not-applicable", json!({ "reason": why })),
                        CheckStatus::Unverified(why) => ("unverified", json!({ "reason": why })),
                        CheckStatus::Fail(failure) => (
                            "fail",
                            json!({
                                "named_case": failure.named_case,
                                "message": failure.mismatch.message,
                                "step": failure.mismatch.step,
                                "batch_index": failure.mismatch.index,
                                "expected": failure.mismatch.expected,
                                "actual": failure.mismatch.actual,
                                "shrink_steps": failure.shrink_steps,
                                "flaky": failure.flaky,
                                "case": failure.case,
                                "outcomes": failure.results.iter().map(result_json).collect::<Vec<_>>(),
                                "case_file": report.options.case_files.get(c.check.id).map(|p| p.display().to_string()),
                            }),
                        ),
                    };
                    json!({
                        "id": c.check.id,
                        "description": c.check.description,
                        "status": status,
                        "cases": c.cases,
                        "named_cases": named_json(&c.named),
                        "categories": categories_json(&c.categories),
                        "calls_judged": c.tally.judged,
                        "calls_not_judged": c.tally.unjudged,
                        "executions": c.executions,
                        "duration_seconds": c.duration.as_secs_f64(),
                        "failure": if status == "fail" { detail.clone() } else { Json::Null },
                        "unverified": if status == "unverified" { detail.clone() } else { Json::Null },
                        "not_applicable": if status == "not-applicable" { detail } else { Json::Null },
                    })
                })
                .collect();
            let reason = match &rule.verdict {
                super::Verdict::ExpectedFailure(r) | super::Verdict::UnexpectedPass(r) => Some(r.clone()),
                _ => None,
            };
            json!({
                "id": rule.rule.id,
                "level": rule.rule.level,
                "since": rule.rule.since,
                "summary": rule.rule.summary,
                "status": rule.status.name(),
                "verdict": rule.verdict.name(),
                "expected_failure_reason": reason,
                "cases": rule.cases,
                "named_cases": named_json(&rule.named),
                "categories": categories_json(&rule.categories),
                "calls_judged": rule.tally.judged,
                "calls_not_judged": rule.tally.unjudged,
                "checks": checks,
            })
        })
        .collect();
    let count = |name: &str| report.rules.iter().filter(|r| r.verdict.name() == name).count();
    json!({
        "schema_version": SCHEMA_VERSION,
        "tool": { "name": "alga-conformance", "version": env!("CARGO_PKG_VERSION") },
        // The contract version under test: the probe's WIT, the shapes of calls and answers,
        // and which rules apply (a rule `since X` of SPEC.md only from X on).
        "contract_version": run.config.contract_version,
        "testee": {
            "name": run.testee.name,
            "version": run.testee.version,
            "protocol_version": run.testee.protocol_version,
            "contract_versions": run.testee.contract_versions,
            "store_outage": run.testee.store_outage,
        },
        // A string: seeds may exceed 2^53, beyond what JSON readers hold exactly.
        "seed": run.config.seed.to_string(),
        "cases_per_check": run.config.cases,
        "enforce_recommended": report.options.enforce_recommended,
        "duration_seconds": run.duration.as_secs_f64(),
        "cases_run": run.executions(),
        "cases_per_second": run.cases_per_second(),
        "rules": rules,
        "totals": {
            "pass": count("pass"),
            "fail": count("fail"),
            "warning": count("warning"),
            "expected_failure": count("expected-failure"),
            "unexpected_pass": count("unexpected-pass"),
            "not_run": count("not-run"),
            "not_applicable": count("not-applicable"),
        },
        "conforms": report.conforms(),
        "exit_code": report.exit_code(),
    })
}

/// The named cases run: `[{"name": "AUTH-2.user-of-other-tenant", "passed": true}, ...]`.
fn named_json(named: &[NamedRun]) -> Json {
    Json::Array(named.iter().map(|n| json!({ "name": n.name, "passed": n.passed })).collect())
}

/// Random cases per category touched: `{"cross-tenant-id": 61, ...}` in category order.
fn categories_json(counts: &Counts) -> Json {
    Json::Object(counts.in_order().into_iter().map(|(name, n)| (name.to_string(), json!(n))).collect())
}

fn result_json(result: &StepResult) -> Json {
    match result {
        StepResult::Call(outcome) => json!(outcome),
        StepResult::Concurrent(outcomes) => json!(outcomes),
        StepResult::StoreOutage(Ok(())) => Json::Null,
        StepResult::StoreOutage(Err(e)) => json!({ "error": e }),
    }
}
