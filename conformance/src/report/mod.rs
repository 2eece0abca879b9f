//! The verdict of a run and its reports: per rule, the checks' results combined with the
//! host's expectations file into a verdict; the run conforms when no verdict fails.
//! Formats: [`human`] (for people, with counterexamples and diffs), [`json`] (with a
//! `schema_version`) and [`junit`].

pub mod human;
pub mod json;
pub mod junit;
pub mod text;

use crate::checks::{Level, Tally};
use crate::coverage::Counts;
use crate::expectations::Expectations;
use crate::runner::{CheckResult, CheckStatus, NamedRun, RunResult};
use crate::spec::{self, Rule};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// What the checks of one rule found, before expectations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleStatus {
    /// Every check of the rule passed.
    Pass,
    /// A check failed.
    Fail,
    /// No check failed, but one could not be carried out on this testee.
    Unverified,
    /// No check of the rule ran.
    NotRun,
    /// The rule does not bind the contract version under test (SPEC.md `since`).
    NotApplicable,
}

impl RuleStatus {
    /// `pass`, `fail`, `unverified`, `not-run` or `not-applicable`.
    pub fn name(self) -> &'static str {
        match self {
            RuleStatus::Pass => "pass",
            RuleStatus::Fail => "fail",
            RuleStatus::Unverified => "unverified",
            RuleStatus::NotRun => "not-run",
            RuleStatus::NotApplicable => "not-applicable",
        }
    }
}

/// A rule's status judged with its level and the expectations file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Passed and not expected to fail.
    Pass,
    /// Failed (or unverified) and not expected to: fails the run.
    Fail,
    /// A RECOMMENDED rule failed, not enforced: reported only.
    Warning,
    /// Failed (or unverified) and listed in the expectations file with this reason.
    ExpectedFailure(String),
    /// Listed in the expectations file (with this reason) but passed: fails the run until
    /// the file is updated.
    UnexpectedPass(String),
    /// Not run.
    NotRun,
    /// The rule does not bind the contract version under test: why.
    NotApplicable(String),
}

impl Verdict {
    /// `pass`, `fail`, `warning`, `expected-failure`, `unexpected-pass`, `not-run` or
    /// `not-applicable`.
    pub fn name(&self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Fail => "fail",
            Verdict::Warning => "warning",
            Verdict::ExpectedFailure(_) => "expected-failure",
            Verdict::UnexpectedPass(_) => "unexpected-pass",
            Verdict::NotRun => "not-run",
            Verdict::NotApplicable(_) => "not-applicable",
        }
    }

    /// Whether the verdict fails the run.
    pub fn fails_run(&self) -> bool {
        matches!(self, Verdict::Fail | Verdict::UnexpectedPass(_))
    }
}

/// One rule in the report.
#[derive(Debug, Clone)]
pub struct RuleReport<'r> {
    /// The rule as SPEC.md states it.
    pub rule: Rule,
    /// What its checks found.
    pub status: RuleStatus,
    /// With level and expectations.
    pub verdict: Verdict,
    /// Random cases run by its checks.
    pub cases: u32,
    /// The named cases its checks ran.
    pub named: Vec<NamedRun>,
    /// Its checks' random cases per category of input.
    pub categories: Counts,
    /// What its checks judged.
    pub tally: Tally,
    /// Its checks' results.
    pub checks: Vec<&'r CheckResult>,
}

/// Options that shape the verdict and the report.
#[derive(Debug, Clone, Default)]
pub struct ReportOptions {
    /// RECOMMENDED failures fail the run.
    pub enforce_recommended: bool,
    /// The host's expected failures.
    pub expectations: Expectations,
    /// Where each failed check's counterexample was saved.
    pub case_files: BTreeMap<String, PathBuf>,
    /// The command that re-runs this run, for the hints in the report.
    pub command: String,
    /// The command that replays a case file against this run's testee, without the file
    /// (`alga-conformance run --testee '…' --replay`).
    pub replay_command: String,
    /// The expectations file given, if any (for the update hint).
    pub expectations_path: Option<PathBuf>,
}

/// A run judged: what every report format prints.
#[derive(Debug)]
pub struct Report<'r> {
    /// The run.
    pub run: &'r RunResult,
    /// One entry per rule of SPEC.md, in document order.
    pub rules: Vec<RuleReport<'r>>,
    /// The options.
    pub options: ReportOptions,
}

impl<'r> Report<'r> {
    /// Judges `run`.
    pub fn new(run: &'r RunResult, options: ReportOptions) -> Report<'r> {
        let rules = spec::rules()
            .into_iter()
            .map(|rule| {
                let checks: Vec<&CheckResult> =
                    run.checks.iter().filter(|c| c.check.rules.contains(&rule.id.as_str())).collect();
                let status = rule_status(&checks);
                let listed = options.expectations.reason(&rule.id).map(str::to_string);
                let verdict = match (status, listed) {
                    (RuleStatus::NotRun, _) => Verdict::NotRun,
                    // Listed or not: a rule that does not bind the version tested is neither
                    // passed nor failed.
                    (RuleStatus::NotApplicable, _) => Verdict::NotApplicable(
                        checks
                            .iter()
                            .find_map(|c| match &c.status {
                                CheckStatus::NotApplicable(why) => Some(why.clone()),
                                _ => None,
                            })
                            .unwrap_or_default(),
                    ),
                    (RuleStatus::Pass, Some(reason)) => Verdict::UnexpectedPass(reason),
                    (RuleStatus::Pass, None) => Verdict::Pass,
                    (RuleStatus::Fail | RuleStatus::Unverified, Some(reason)) => {
                        Verdict::ExpectedFailure(reason)
                    }
                    (RuleStatus::Fail | RuleStatus::Unverified, None) => {
                        if rule.level == Level::Required || options.enforce_recommended {
                            Verdict::Fail
                        } else {
                            Verdict::Warning
                        }
                    }
                };
                let cases = checks.iter().map(|c| c.cases).sum();
                let named = checks.iter().flat_map(|c| c.named.iter().copied()).collect();
                let mut categories = Counts::default();
                let mut tally = Tally::default();
                for check in &checks {
                    categories.add(&check.categories);
                    tally.add(check.tally.clone());
                }
                RuleReport { rule, status, verdict, cases, named, categories, tally, checks }
            })
            .collect();
        Report { run, rules, options }
    }

    /// Whether the host conforms (as far as the run went): no verdict fails the run.
    pub fn conforms(&self) -> bool {
        !self.rules.iter().any(|r| r.verdict.fails_run())
    }

    /// The process exit code: 0 conforms, 1 does not.
    pub fn exit_code(&self) -> i32 {
        if self.conforms() { 0 } else { 1 }
    }

    /// The rules with this verdict name.
    pub fn with_verdict(&self, name: &str) -> Vec<&RuleReport<'r>> {
        self.rules.iter().filter(|r| r.verdict.name() == name).collect()
    }

    /// The expectations that make this run's failures expected: every failing or
    /// unverified rule, keeping the reasons already written.
    pub fn updated_expectations(&self) -> Expectations {
        let failures = self
            .rules
            .iter()
            .filter(|r| matches!(r.status, RuleStatus::Fail | RuleStatus::Unverified))
            .map(|r| {
                let reason =
                    self.options.expectations.reason(&r.rule.id).map(str::to_string).unwrap_or_else(|| {
                        format!("TODO: say why this host fails {} ({})", r.rule.id, r.status.name())
                    });
                (r.rule.id.clone(), reason)
            })
            .collect();
        Expectations { failures }
    }

    /// The command that rewrites the expectations file from this run's results.
    pub fn update_command(&self) -> String {
        let path = self
            .options
            .expectations_path
            .as_ref()
            .map_or_else(|| "expectations.toml".to_string(), |p| p.display().to_string());
        format!("{} --update-expectations {}", self.options.command, text::shell_quote(&path))
    }
}

fn rule_status(checks: &[&CheckResult]) -> RuleStatus {
    let ran: Vec<&&CheckResult> = checks
        .iter()
        .filter(|c| !matches!(c.status, CheckStatus::NotRun | CheckStatus::NotApplicable(_)))
        .collect();
    if ran.is_empty() && checks.iter().any(|c| matches!(c.status, CheckStatus::NotApplicable(_))) {
        RuleStatus::NotApplicable
    } else if ran.is_empty() {
        RuleStatus::NotRun
    } else if ran.iter().any(|c| matches!(c.status, CheckStatus::Fail(_))) {
        RuleStatus::Fail
    } else if ran.iter().any(|c| matches!(c.status, CheckStatus::Unverified(_))) {
        RuleStatus::Unverified
    } else {
        RuleStatus::Pass
    }
}
