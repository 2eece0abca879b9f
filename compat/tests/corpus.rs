//! The breaking-change corpus (`compat/cases/`): the gate reports exactly what each case
//! expects, and never calls compatible what `wit_component::semver_check` rejects.
//!
//! The differential test runs semver_check itself, independently of the gate's own
//! ground-truth module: both versions go into one `Resolve` (the current side's packages
//! get a version no baseline package has), and each world both sides have is checked.

mod support;

use alga_compat::{Case, cases};
use alga_extension_contract::gate::ground_truth::WorldOutcome;
use alga_extension_contract::gate::rules::SemverCheckView;
use alga_extension_contract::gate::{self, CheckOptions, Impact, RULES, Report};
use std::collections::{BTreeMap, BTreeSet};

/// The gate on a case, as `alga-contract check --current after --baseline before` runs it
/// (with the case's `--world-map` and `--features`).
fn gate(case: &Case) -> Report {
    let options = CheckOptions {
        repository: None,
        current: Some(case.after()),
        baseline: Some(case.before().display().to_string()),
        changelog: case.changelog(),
        features: gate::Features { names: case.expected.features.clone(), all: false },
        world_map: case.expected.world_pairs(),
    };
    gate::check(&options).unwrap_or_else(|e| panic!("case {}: the gate could not run: {e}", case.name))
}

/// semver_check called directly on a case, with the case's options.
fn semver_check(case: &Case) -> BTreeMap<String, Option<bool>> {
    let options =
        support::Options { features: case.expected.features.clone(), world_map: case.expected.world_pairs() };
    support::semver_check(&case.before(), &case.after(), &options)
}

#[test]
fn the_corpus_has_at_least_thirty_cases() {
    let cases = cases();
    assert!(cases.len() >= 30, "the corpus has only {} cases", cases.len());
}

#[test]
fn the_gate_reports_what_every_case_expects() {
    let mut mismatches = Vec::new();
    for case in cases() {
        let report = gate(&case);
        let mut rules: Vec<String> = report.findings.iter().map(|f| f.rule.to_string()).collect();
        rules.sort();
        let expected = &case.expected;
        let semver: BTreeMap<String, String> = report
            .semver_check
            .iter()
            .map(|c| {
                (c.world.clone(), serde_json::to_value(c.outcome).unwrap().as_str().unwrap().to_string())
            })
            .collect();
        let violations: Vec<String> = report.policy.violations.iter().map(|v| v.rule.to_string()).collect();
        let verdict = serde_json::to_value(report.verdict).unwrap().as_str().unwrap().to_string();
        let actual = (rules, report.policy.required_bump.as_str().to_string(), verdict, violations, semver);
        let wanted = (
            expected.rules.clone(),
            expected.required_bump.clone(),
            expected.verdict.clone(),
            expected.violations.clone(),
            expected.semver_check.clone(),
        );
        if actual != wanted {
            mismatches.push(format!(
                "case {} ({}):\n  expected (rules, bump, verdict, violations, semver_check) = {wanted:?}\n  actual = {actual:?}\n  see: cargo run -p alga-extension-contract -- check --current {} --baseline {}",
                case.name,
                expected.description,
                case.after().display(),
                case.before().display()
            ));
        }
    }
    assert!(mismatches.is_empty(), "{} case(s) differ:\n{}", mismatches.len(), mismatches.join("\n"));
}

#[test]
fn the_differ_never_calls_compatible_what_semver_check_rejects() {
    for case in cases() {
        let verdicts = semver_check(&case);
        let report = gate(&case);
        // The gate's own ground truth agrees with this independent call, including on the
        // worlds semver_check cannot check.
        assert_eq!(report.semver_check.len(), verdicts.len(), "case {}: worlds checked", case.name);
        for check in &report.semver_check {
            let verdict = match check.outcome {
                WorldOutcome::Compatible => Some(true),
                WorldOutcome::Incompatible => Some(false),
                WorldOutcome::Error => None,
            };
            assert_eq!(
                Some(&verdict),
                verdicts.get(&check.world),
                "case {}: the gate's semver_check of world {} differs from a direct call: {:?}",
                case.name,
                check.world,
                check.message
            );
        }
        // The differ alone explained every rejection: no escalation was needed ...
        assert!(
            !report.findings.iter().any(|f| f.rule == "semver-check-rejected"),
            "case {}: semver_check rejected a world in which the differ found nothing breaking",
            case.name
        );
        for (world, verdict) in &verdicts {
            if *verdict != Some(false) {
                continue;
            }
            // ... by a breaking finding that reaches the rejected world.
            let explained = report.findings.iter().any(|f| {
                f.impact == Impact::Breaking && (f.worlds.contains(world) || f.rule == "package-renamed")
            });
            assert!(
                explained,
                "case {}: semver_check rejects world {world}, but no breaking finding reaches it: {:#?}",
                case.name, report.findings
            );
            assert_eq!(report.policy.impact, Impact::Breaking, "case {}", case.name);
        }
    }
}

#[test]
fn the_rule_table_says_how_semver_check_sees_each_rule() {
    for case in cases() {
        let verdicts = semver_check(&case);
        let report = gate(&case);
        for finding in &report.findings {
            if finding.rule().semver_check == SemverCheckView::Rejects {
                for world in finding.worlds.iter().filter(|w| verdicts.contains_key(*w)) {
                    assert!(
                        verdicts[world] != Some(true),
                        "case {}: rule {} claims semver_check rejects it, but semver_check accepts world {world}",
                        case.name,
                        finding.rule
                    );
                }
            }
        }
        let only_accepted = report.findings.iter().all(|f| {
            matches!(f.rule().semver_check, SemverCheckView::Accepts(_)) || f.impact == Impact::None
        });
        if only_accepted {
            assert!(
                verdicts.values().all(|verdict| *verdict != Some(false)),
                "case {}: every finding's rule claims semver_check accepts it, but it rejects {verdicts:?}",
                case.name
            );
        }
    }
}

#[test]
fn every_rule_has_a_case() {
    let covered: BTreeSet<String> = cases().into_iter().flat_map(|c| c.expected.rules).collect();
    // `semver-check-rejected` marks a bug of the differ; the differential test proves the
    // corpus never needs it.
    let missing: Vec<&str> = RULES
        .iter()
        .map(|r| r.id)
        .filter(|id| *id != "semver-check-rejected" && !covered.contains(*id))
        .collect();
    assert!(missing.is_empty(), "rules without a case under compat/cases/: {missing:?}");
    for rule in &covered {
        assert!(RULES.iter().any(|r| r.id == rule), "a case expects unknown rule `{rule}`");
    }
}

#[test]
fn findings_point_at_the_changed_lines() {
    let repository = alga_compat::repository_dir();
    for case in cases() {
        let report = gate(&case);
        for finding in &report.findings {
            // The side where the item itself exists: the baseline for removals.
            let location = if finding.rule.ends_with("-removed") {
                finding.baseline.as_ref()
            } else {
                finding.current.as_ref().or(finding.baseline.as_ref())
            };
            let Some(location) = location else {
                panic!(
                    "case {}: finding {} [{}] names no file and line",
                    case.name, finding.path, finding.rule
                )
            };
            let text = std::fs::read_to_string(repository.join(&location.file))
                .unwrap_or_else(|e| panic!("case {}: {} is not a file: {e}", case.name, location.file));
            let line = text.lines().nth(location.line as usize - 1).unwrap_or_else(|| {
                panic!("case {}: {} has no line {}", case.name, location.file, location.line)
            });
            let path = finding.path.trim_end_matches("->result").trim_end_matches(')');
            let name = path.rsplit(['.', '(', '/']).find(|s| !s.is_empty()).unwrap_or(path);
            // An import implied by a `use` is spelled nowhere: it points at its world.
            let implied_import =
                finding.rule.starts_with("world-import") && line.trim_start().starts_with("world ");
            assert!(
                line.contains(name) || implied_import,
                "case {}: finding {} at {location} should point at `{name}`, but the line is `{line}`",
                case.name,
                finding.rule
            );
        }
    }
}
