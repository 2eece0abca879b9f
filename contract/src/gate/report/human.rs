//! The report for people: findings grouped by impact (breaking, compatible,
//! documentation), each with its locations, notes and a unified diff of the item; then
//! semver_check's verdicts, the policy checks and the verdict.

use super::{Report, Verdict};
use crate::gate::rules::Impact;
use std::fmt::Write as _;

/// The report as text.
pub fn render(report: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "alga-contract check: {} ({}) against baseline {} ({})",
        report.current.source, report.current.package, report.baseline.source, report.baseline.package
    );
    if report.findings.is_empty() {
        let _ = writeln!(out, "\nNo differences.");
    }
    for (impact, heading) in [
        (Impact::Breaking, "BREAKING"),
        (Impact::Compatible, "COMPATIBLE"),
        (Impact::None, "NO BUMP NEEDED (documentation, annotations, version)"),
    ] {
        let group: Vec<_> = report.findings.iter().filter(|f| f.impact == impact).collect();
        if group.is_empty() {
            continue;
        }
        let bump = match group[0].required_bump {
            crate::gate::Bump::None => "no bump needed".to_string(),
            bump => format!("each needs a {} bump", bump.as_str()),
        };
        let _ = writeln!(out, "\n{heading}: {} finding(s), {bump}", group.len());
        for finding in group {
            let mark = if finding.satisfied { "ok" } else { "NOT COVERED BY THE VERSION" };
            let _ = writeln!(out, "\n  [{}] {}  ({mark})", finding.rule, finding.path);
            let _ = writeln!(out, "    {}", finding.message);
            if let Some(location) = &finding.current {
                let _ = writeln!(out, "    current:  {location}");
            }
            if let Some(location) = &finding.baseline {
                let _ = writeln!(out, "    baseline: {location}");
            }
            let mut facts = Vec::new();
            if let Some(flow) = finding.flow {
                facts.push(format!("data flow: {}", flow.as_str()));
            }
            if !finding.worlds.is_empty() {
                facts.push(format!("worlds: {}", finding.worlds.join(", ")));
            }
            if !facts.is_empty() {
                let _ = writeln!(out, "    {}", facts.join("; "));
            }
            for note in &finding.notes {
                let _ = writeln!(out, "    note: {note}");
            }
            if let Some(diff) = &finding.diff {
                for line in diff.lines() {
                    let _ = writeln!(out, "    {line}");
                }
            }
        }
    }

    let _ = writeln!(out, "\nsemver_check (ground truth for linking), per world:");
    if report.semver_check.is_empty() {
        let _ = writeln!(out, "  (no world exists in both versions)");
    }
    for check in &report.semver_check {
        let outcome = match check.outcome {
            crate::gate::ground_truth::WorldOutcome::Compatible => "compatible",
            crate::gate::ground_truth::WorldOutcome::Incompatible => "incompatible",
            crate::gate::ground_truth::WorldOutcome::Error => "could not check",
        };
        match &check.message {
            Some(message) => {
                let _ = writeln!(out, "  {}: {outcome}: {}", check.world, message.replace('\n', " "));
            }
            None => {
                let _ = writeln!(out, "  {}: {outcome}", check.world);
            }
        }
    }

    let policy = &report.policy;
    let _ = writeln!(out, "\npolicy (SPEC.md section 10):");
    for check in &policy.checks {
        let _ = writeln!(out, "  {:<15} {:<8} {}", check.check, check.status, check.detail);
    }
    for violation in &policy.violations {
        let at = violation.location.as_ref().map(|l| format!("{l}: ")).unwrap_or_default();
        let _ = writeln!(out, "  violation [{}] {at}{}", violation.rule, violation.message);
    }
    match report.verdict {
        Verdict::Pass => {
            let _ = writeln!(out, "\nresult: pass (exit code 0)");
        }
        Verdict::Fail => {
            let crate_checked =
                policy.checks.iter().any(|c| c.check == "crate-version" && c.status != "not-run");
            let version = policy.suggested_version.clone().or_else(|| report.current.version.clone());
            let _ = writeln!(
                out,
                "\nresult: FAIL, {} violation(s) (exit code 100). The gate passes exactly when the version says \
                 what changed: give the WIT package{} version {} and add a CHANGELOG.md section `## [{}]`.",
                policy.violations.len(),
                if crate_checked { " and contract/Cargo.toml" } else { "" },
                version.as_deref().unwrap_or("a version"),
                version.as_deref().unwrap_or("X.Y.Z"),
            );
        }
    }
    out
}
