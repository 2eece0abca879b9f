//! The gate's report and its output formats.
//!
//! | format | module | for |
//! |---|---|---|
//! | human | [`human`] | people: a summary with the verdict first; `--verbose` for every finding with its diff |
//! | json | [`json`] | tools: the whole report, with `schema_version` (never filtered) |
//! | junit | [`junit`] | CI test views: one test case per finding and per policy check |
//! | github | [`github`] | GitHub Actions workflow commands (`::error file=...,line=...::`) |
//!
//! [`RenderOptions`] select what the human, JUnit and GitHub formats show (`--verbose`,
//! `--min-impact`, `--rule`); they never change the verdict, the counts or the exit code.

pub mod github;
pub mod human;
pub mod json;
pub mod junit;

use super::finding::Finding;
use super::ground_truth::WorldCheck;
use super::load::{Features, WitTree};
use super::policy::PolicyOutcome;
use super::rules::Impact;
use serde::Serialize;
use std::collections::BTreeMap;

/// Version of the JSON report's shape; bumped on any incompatible change to it.
pub const SCHEMA_VERSION: u32 = 1;

/// Exit code: the gate passed.
pub const EXIT_PASS: u8 = 0;
/// Exit code: the policy is violated.
pub const EXIT_VIOLATIONS: u8 = 100;
/// Exit code: the gate could not run.
pub const EXIT_ERROR: u8 = 101;

/// What the human, JUnit and GitHub formats show; JSON always carries everything.
#[derive(Debug, Clone, Default)]
pub struct RenderOptions {
    /// Every selected finding in full (locations, notes, diff) instead of the summary.
    pub verbose: bool,
    /// Only findings of at least this impact.
    pub min_impact: Option<Impact>,
    /// Only findings of these rules (any of them); empty selects every rule.
    pub rules: Vec<String>,
}

impl RenderOptions {
    /// Whether a filter (`--min-impact`, `--rule`) is set.
    pub fn filters(&self) -> bool {
        self.min_impact.is_some() || !self.rules.is_empty()
    }

    /// Whether the filters select `finding`.
    pub fn selects(&self, finding: &Finding) -> bool {
        self.min_impact.is_none_or(|min| finding.impact >= min)
            && (self.rules.is_empty() || self.rules.iter().any(|r| r == finding.rule))
    }

    /// The filters as the command line spells them, e.g. `--min-impact breaking`.
    pub fn describe_filters(&self) -> String {
        let mut parts: Vec<String> = self.rules.iter().map(|r| format!("--rule {r}")).collect();
        if let Some(min) = self.min_impact {
            parts.push(format!("--min-impact {}", min.as_str()));
        }
        parts.join(" ")
    }
}

/// The `@unstable` feature gates: which were open and what closed ones left out.
#[derive(Debug, Clone, Default, Serialize)]
pub struct UnstableSummary {
    /// Features enabled by name (`--features`).
    pub features: Vec<String>,
    /// Whether every feature was enabled (`--all-features`).
    pub all_features: bool,
    /// Items left out of the baseline, per feature.
    pub skipped_baseline: BTreeMap<String, usize>,
    /// Items left out of the current WIT, per feature.
    pub skipped_current: BTreeMap<String, usize>,
    /// Features enabled by name that no gate of either side names.
    pub unknown_features: Vec<String>,
}

impl UnstableSummary {
    pub(crate) fn of(features: &Features, baseline: &WitTree, current: &WitTree) -> UnstableSummary {
        let unknown_features = features
            .names
            .iter()
            .filter(|n| !baseline.unstable_features.contains(*n) && !current.unstable_features.contains(*n))
            .cloned()
            .collect();
        UnstableSummary {
            features: features.names.clone(),
            all_features: features.all,
            skipped_baseline: baseline.unstable_skipped.clone(),
            skipped_current: current.unstable_skipped.clone(),
            unknown_features,
        }
    }

    /// How many items were left out on either side (the larger count per feature).
    pub fn skipped(&self) -> usize {
        self.skipped_features().iter().map(|(_, n)| n).sum()
    }

    /// The features that left something out, with the larger of the two sides' counts.
    pub fn skipped_features(&self) -> Vec<(String, usize)> {
        let mut features: BTreeMap<String, usize> = self.skipped_baseline.clone();
        for (feature, count) in &self.skipped_current {
            let entry = features.entry(feature.clone()).or_insert(0);
            *entry = (*entry).max(*count);
        }
        features.into_iter().collect()
    }
}

/// Whether the gate passes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// No policy violation.
    Pass,
    /// At least one policy violation.
    Fail,
}

/// One side of the comparison.
#[derive(Debug, Clone, Serialize)]
pub struct SideSummary {
    /// Where it came from: `wit`, `compat/0.1.0/wit`, `HEAD~1:wit`.
    pub source: String,
    /// The package with its version: `alga:extension@0.1.0`.
    pub package: String,
    /// The package version, if any.
    pub version: Option<String>,
}

impl SideSummary {
    fn of(tree: &WitTree) -> SideSummary {
        let name = &tree.resolve.packages[tree.package].name;
        SideSummary {
            source: tree.label.clone(),
            package: name.to_string(),
            version: name.version.as_ref().map(|v| v.to_string()),
        }
    }
}

/// Everything the gate found and decided.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// [`SCHEMA_VERSION`].
    pub schema_version: u32,
    /// The baseline.
    pub baseline: SideSummary,
    /// The WIT checked.
    pub current: SideSummary,
    /// Every difference, breaking first.
    pub findings: Vec<Finding>,
    /// semver_check's verdict for every world both sides have.
    pub semver_check: Vec<WorldCheck>,
    /// The policy's verdict.
    pub policy: PolicyOutcome,
    /// `@unstable` feature gates: enabled features and the items closed ones left out.
    pub unstable: UnstableSummary,
    /// Pass or fail.
    pub verdict: Verdict,
}

impl Report {
    pub(crate) fn new(
        baseline: &WitTree,
        current: &WitTree,
        findings: Vec<Finding>,
        semver_check: Vec<WorldCheck>,
        policy: PolicyOutcome,
        unstable: UnstableSummary,
    ) -> Report {
        let verdict = if policy.violations.is_empty() { Verdict::Pass } else { Verdict::Fail };
        Report {
            schema_version: SCHEMA_VERSION,
            baseline: SideSummary::of(baseline),
            current: SideSummary::of(current),
            findings,
            semver_check,
            policy,
            unstable,
            verdict,
        }
    }

    /// The process exit code: [`EXIT_PASS`] or [`EXIT_VIOLATIONS`].
    pub fn exit_code(&self) -> u8 {
        match self.verdict {
            Verdict::Pass => EXIT_PASS,
            Verdict::Fail => EXIT_VIOLATIONS,
        }
    }

    /// The report in `format`; `options` select what the human, JUnit and GitHub formats
    /// show (JSON is always complete).
    pub fn render(&self, format: Format, options: &RenderOptions) -> String {
        match format {
            Format::Human => human::render(self, options),
            Format::Json => json::render(self),
            Format::Junit => junit::render(self, options),
            Format::Github => github::render(self, options),
        }
    }
}

/// An output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Text for people.
    Human,
    /// JSON with `schema_version`.
    Json,
    /// JUnit XML.
    Junit,
    /// GitHub Actions workflow commands.
    Github,
}

/// How a gate error is shown in `format` (exit code [`EXIT_ERROR`]).
pub fn render_error(error: &super::GateError, format: Format) -> String {
    let location = match error {
        super::GateError::InvalidWit { location, .. } => location.clone(),
        _ => None,
    };
    match format {
        Format::Human => format!("error: the gate could not run: {error}\n"),
        Format::Json => {
            let doc = serde_json::json!({
                "schema_version": SCHEMA_VERSION,
                "verdict": "error",
                "error": { "message": error.to_string(), "location": location },
            });
            serde_json::to_string_pretty(&doc).expect("JSON values serialise") + "\n"
        }
        Format::Junit => junit::render_error(&error.to_string()),
        Format::Github => {
            github::annotation("error", location.as_ref(), "the gate could not run", &error.to_string())
        }
    }
}
