//! The report for people.
//!
//! By default a summary that fits a screen on real releases: the verdict on the first
//! line, the findings counted per impact and rule (no-bump findings only as counts), the
//! findings that decide the verdict one line each with file:line, semver_check's verdict
//! per world, the policy checks and what to do. `--verbose` lists every selected finding
//! in full (locations, notes, unified diff) instead of the one-line list; `--rule` and
//! `--min-impact` select the findings listed (the verdict and the counts always cover
//! everything).

use super::{RenderOptions, Report, Verdict};
use crate::gate::finding::{Bump, Finding};
use crate::gate::ground_truth::WorldOutcome;
use crate::gate::policy::{self, Violation};
use crate::gate::rules::Impact;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// How many deciding findings the summary lists before pointing at the filters.
pub const SUMMARY_FINDINGS: usize = 15;

/// The report as text.
pub fn render(report: &Report, options: &RenderOptions) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}", verdict_line(report));
    let _ = writeln!(
        out,
        "  {} ({}) against baseline {} ({})",
        report.current.package, report.current.source, report.baseline.package, report.baseline.source
    );
    unstable_lines(report, &mut out);
    counts(report, &mut out);
    if options.verbose {
        verbose_findings(report, options, &mut out);
    } else {
        summary_findings(report, options, &mut out);
    }
    semver_check_lines(report, &mut out);
    policy_lines(report, &mut out);
    closing(report, options, &mut out);
    out
}

/// The first line: PASS or FAIL and why, in one sentence; a pass says when semver_check
/// could not check a world, so that it never rests on that silently.
fn verdict_line(report: &Report) -> String {
    let unchecked: Vec<String> = report
        .semver_check
        .iter()
        .filter(|c| c.outcome == WorldOutcome::Error)
        .map(|c| format!("`{}`", c.world))
        .collect();
    let line = verdict(report);
    if unchecked.is_empty() || report.verdict == Verdict::Fail {
        line
    } else {
        format!("{line}; semver_check could not check world(s) {} (see below)", unchecked.join(", "))
    }
}

fn verdict(report: &Report) -> String {
    let policy = &report.policy;
    let versions = format!(
        "{} -> {}",
        report.baseline.version.as_deref().unwrap_or("(unversioned)"),
        report.current.version.as_deref().unwrap_or("(unversioned)")
    );
    match report.verdict {
        Verdict::Pass if report.findings.is_empty() => {
            format!("PASS: no differences ({versions})")
        }
        Verdict::Pass if policy.required_bump == Bump::None => {
            format!("PASS: {} finding(s), none needs a version bump ({versions})", report.findings.len())
        }
        Verdict::Pass => format!(
            "PASS: {versions} is a {} bump and the changes need a {} bump (largest impact: {})",
            policy.actual_bump.unwrap_or(Bump::None).as_str(),
            policy.required_bump.as_str(),
            policy.impact.as_str()
        ),
        Verdict::Fail => {
            let first = &policy.violations[0];
            let more = match policy.violations.len() {
                1 => String::new(),
                n => format!(" (and {} more violation(s))", n - 1),
            };
            format!("FAIL: {}{more}", first.message)
        }
    }
}

/// How many `@unstable` items were left out, and features that gate nothing.
fn unstable_lines(report: &Report, out: &mut String) {
    let unstable = &report.unstable;
    let skipped = unstable.skipped_features();
    if !skipped.is_empty() {
        let features: Vec<String> = skipped.iter().map(|(f, n)| format!("`{f}` ({n})")).collect();
        let _ = writeln!(
            out,
            "  skipped {} `@unstable` item(s) behind feature(s) not enabled: {}; compare them with \
             --features NAME or --all-features",
            unstable.skipped(),
            features.join(", ")
        );
    }
    if !unstable.unknown_features.is_empty() {
        let _ = writeln!(
            out,
            "  warning: no `@unstable` gate of either version names feature(s) {}",
            unstable.unknown_features.iter().map(|f| format!("`{f}`")).collect::<Vec<_>>().join(", ")
        );
    }
}

/// The findings counted per impact and rule; the bump each impact needs, by the rule row of
/// the baseline's version.
fn counts(report: &Report, out: &mut String) {
    if report.findings.is_empty() {
        let _ = writeln!(out, "\nNo differences.");
        return;
    }
    let _ = writeln!(out, "\n{} finding(s):", report.findings.len());
    for impact in [Impact::Breaking, Impact::Compatible, Impact::None] {
        let group: Vec<&Finding> = report.findings.iter().filter(|f| f.impact == impact).collect();
        if group.is_empty() {
            continue;
        }
        let _ = match impact {
            Impact::None => writeln!(out, "  {} {}", group.len(), bump_clause(report, impact)),
            _ => writeln!(out, "  {} {}, {}", group.len(), impact.as_str(), bump_clause(report, impact)),
        };
        let mut per_rule: BTreeMap<&str, usize> = BTreeMap::new();
        for finding in &group {
            *per_rule.entry(finding.rule).or_insert(0) += 1;
        }
        let mut per_rule: Vec<(&str, usize)> = per_rule.into_iter().collect();
        per_rule.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        for (rule, count) in per_rule {
            let _ = writeln!(out, "    {count:>5}  {rule}");
        }
    }
}

/// `each needs a minor bump from 0.2.0 (the rule for 0.y.z with y >= 1, SPEC.md section
/// 10)`: the row of the policy's bump table for the baseline version.
pub fn bump_clause(report: &Report, impact: Impact) -> String {
    let baseline = report.baseline.version.as_ref().and_then(|v| semver::Version::parse(v).ok());
    let rule = policy::bump_rule(baseline.as_ref());
    let bump = policy::required_bump(impact, baseline.as_ref());
    let from = report.baseline.version.as_deref().unwrap_or("(unversioned)");
    match impact {
        Impact::None => "need no bump (documentation, annotations, the version itself)".to_string(),
        _ => format!(
            "each needs a {} bump from {from} (the rule for {}, SPEC.md section 10)",
            bump.as_str(),
            rule.baseline
        ),
    }
}

/// One line per finding that decides the verdict (or per selected finding).
fn summary_findings(report: &Report, options: &RenderOptions, out: &mut String) {
    let (heading, list): (String, Vec<&Finding>) = if options.filters() {
        let selected: Vec<&Finding> = report.findings.iter().filter(|f| options.selects(f)).collect();
        (format!("{} finding(s) selected by {}:", selected.len(), options.describe_filters()), selected)
    } else {
        let deciding = deciding(report);
        let heading = match report.verdict {
            Verdict::Fail => "Not covered by the version:".to_string(),
            Verdict::Pass => format!("What needs the {} bump:", report.policy.required_bump.as_str()),
        };
        (heading, deciding)
    };
    let violations = &report.policy.violations;
    if list.is_empty() && violations.is_empty() {
        return;
    }
    if !violations.is_empty() {
        let _ = writeln!(out, "\nViolations:");
        for violation in violations {
            let _ = writeln!(out, "  {}", violation_line(violation));
        }
    }
    if list.is_empty() {
        return;
    }
    let _ = writeln!(out, "\n{heading}");
    let shown = if options.filters() { list.len() } else { list.len().min(SUMMARY_FINDINGS) };
    for finding in &list[..shown] {
        // A removed item is shown where it was.
        let (first, second) = if finding.rule.ends_with("-removed") {
            (&finding.baseline, &finding.current)
        } else {
            (&finding.current, &finding.baseline)
        };
        let location = first.as_ref().or(second.as_ref()).map(|l| format!("{l}: ")).unwrap_or_default();
        let _ = writeln!(out, "  {location}[{}] {}", finding.rule, finding.message);
    }
    if shown < list.len() {
        let _ = writeln!(
            out,
            "  ... and {} more: --min-impact {} lists them all, --verbose with diffs",
            list.len() - shown,
            list[shown].impact.as_str()
        );
    }
}

/// The findings that decide the verdict: those the version does not cover when the gate
/// fails, else those of the largest impact (they set the required bump).
pub fn deciding(report: &Report) -> Vec<&Finding> {
    match report.verdict {
        Verdict::Fail => report.findings.iter().filter(|f| !f.satisfied).collect(),
        Verdict::Pass => report
            .findings
            .iter()
            .filter(|f| f.impact > Impact::None && f.impact == report.policy.impact)
            .collect(),
    }
}

fn violation_line(violation: &Violation) -> String {
    let at = violation.location.as_ref().map(|l| format!("{l}: ")).unwrap_or_default();
    format!("{at}[{}] {}", violation.rule, violation.message)
}

/// Every selected finding in full, grouped by impact.
fn verbose_findings(report: &Report, options: &RenderOptions, out: &mut String) {
    let selected: Vec<&Finding> = report.findings.iter().filter(|f| options.selects(f)).collect();
    if options.filters() {
        let _ = writeln!(
            out,
            "\nshowing {} of {} finding(s) ({})",
            selected.len(),
            report.findings.len(),
            options.describe_filters()
        );
    }
    for (impact, heading) in
        [(Impact::Breaking, "BREAKING"), (Impact::Compatible, "COMPATIBLE"), (Impact::None, "NO BUMP")]
    {
        let group: Vec<&&Finding> = selected.iter().filter(|f| f.impact == impact).collect();
        if group.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\n{heading}: {} finding(s), {}", group.len(), bump_clause(report, impact));
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
    if !report.policy.violations.is_empty() {
        let _ = writeln!(out, "\nViolations:");
        for violation in &report.policy.violations {
            let _ = writeln!(out, "  {}", violation_line(violation));
        }
    }
}

/// semver_check's verdict per world on one line; a warning per world it could not check.
fn semver_check_lines(report: &Report, out: &mut String) {
    if report.semver_check.is_empty() {
        let _ = writeln!(out, "\nsemver_check (ground truth for linking): no world exists in both versions");
        return;
    }
    let verdicts: Vec<String> = report
        .semver_check
        .iter()
        .map(|check| {
            let outcome = match check.outcome {
                WorldOutcome::Compatible => "compatible",
                WorldOutcome::Incompatible => "incompatible",
                WorldOutcome::Error => "NOT CHECKED",
            };
            match &check.baseline_world {
                Some(old) => format!("{old} -> {} {outcome}", check.world),
                None => format!("{} {outcome}", check.world),
            }
        })
        .collect();
    let _ = writeln!(out, "\nsemver_check (ground truth for linking): {}", verdicts.join(", "));
    for check in &report.semver_check {
        let message = check.message.as_deref().unwrap_or("(no message)").replace('\n', " ");
        match check.outcome {
            WorldOutcome::Error => {
                let _ = writeln!(
                    out,
                    "  warning: world `{}` was not checked by semver_check, so only the differ's findings \
                     decide for it: {message}",
                    check.world
                );
            }
            WorldOutcome::Incompatible => {
                let _ = writeln!(out, "  {}: {message}", check.world);
            }
            WorldOutcome::Compatible => {}
        }
    }
}

fn policy_lines(report: &Report, out: &mut String) {
    let _ = writeln!(out, "\npolicy (SPEC.md section 10):");
    for check in &report.policy.checks {
        let _ = writeln!(out, "  {:<15} {:<8} {}", check.check, check.status, check.detail);
    }
}

/// What to do next.
fn closing(report: &Report, options: &RenderOptions, out: &mut String) {
    let policy = &report.policy;
    match report.verdict {
        Verdict::Pass => {
            let more = if options.verbose || report.findings.is_empty() {
                String::new()
            } else {
                " --verbose shows every finding with its diff; --rule RULE and --min-impact IMPACT select \
                 findings."
                    .to_string()
            };
            let _ = writeln!(out, "\nresult: pass (exit code 0).{more}");
        }
        Verdict::Fail => {
            let checked = |name: &str| policy.checks.iter().any(|c| c.check == name && c.status != "not-run");
            let version = policy.suggested_version.clone().or_else(|| report.current.version.clone());
            let version = version.as_deref().unwrap_or("a new version");
            // Only a changelog the gate checks (the repository's, or --changelog) is asked for.
            let changelog = match &policy.changelog {
                Some(file) => format!(" and add a section `## [{version}]` to {file}"),
                None => String::new(),
            };
            let _ = writeln!(
                out,
                "\nresult: FAIL, {} violation(s) (exit code 100). The gate passes exactly when the version says \
                 what changed: give the WIT package{} version {version}{changelog}.",
                policy.violations.len(),
                if checked("crate-version") { " and contract/Cargo.toml" } else { "" },
            );
        }
    }
}
