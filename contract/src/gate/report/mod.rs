//! The gate's report and its output formats.
//!
//! | format | module | for |
//! |---|---|---|
//! | human | [`human`] | people: findings grouped by impact, each with a unified diff |
//! | json | [`json`] | tools: the whole report, with `schema_version` |
//! | junit | [`junit`] | CI test views: one test case per finding and per policy check |
//! | github | [`github`] | GitHub Actions workflow commands (`::error file=...,line=...::`) |

pub mod github;
pub mod human;
pub mod json;
pub mod junit;

use super::finding::Finding;
use super::ground_truth::WorldCheck;
use super::load::WitTree;
use super::policy::PolicyOutcome;
use serde::Serialize;

/// Version of the JSON report's shape; bumped on any incompatible change to it.
pub const SCHEMA_VERSION: u32 = 1;

/// Exit code: the gate passed.
pub const EXIT_PASS: u8 = 0;
/// Exit code: the policy is violated.
pub const EXIT_VIOLATIONS: u8 = 100;
/// Exit code: the gate could not run.
pub const EXIT_ERROR: u8 = 101;

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
    ) -> Report {
        let verdict = if policy.violations.is_empty() { Verdict::Pass } else { Verdict::Fail };
        Report {
            schema_version: SCHEMA_VERSION,
            baseline: SideSummary::of(baseline),
            current: SideSummary::of(current),
            findings,
            semver_check,
            policy,
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

    /// The report in `format`.
    pub fn render(&self, format: Format) -> String {
        match format {
            Format::Human => human::render(self),
            Format::Json => json::render(self),
            Format::Junit => junit::render(self),
            Format::Github => github::render(self),
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
