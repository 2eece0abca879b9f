//! The report for people: progress while running, then per rule its verdict and cases,
//! what was tried (the named edge cases run, and the categories of input the random cases
//! touched), each failure's counterexample (fixture, context, call, expected vs actual as a
//! diff), and a summary with the seed, cases per second and the commands to replay a
//! failure or update the expectations file.

use super::text::{compact, context_line, diff, fixture_lines, shell_quote};
use super::{Report, RuleStatus, Verdict};
use crate::case::{Step, StepResult};
use crate::checks::Check;
use crate::runner::{CheckResult, CheckStatus, Failure, Progress};
use alga_conformance_protocol::TesteeInfo;
use std::fmt::Write as _;
use std::io::Write;
use std::path::Path;

/// Most fixture lines printed for one counterexample (the case file has them all).
const MAX_FIXTURE_LINES: usize = 40;

/// Where the lists of what was tried wrap.
const REPORT_WIDTH: usize = 100;

/// Progress lines on a writer (standard error, normally).
pub struct HumanProgress<W: Write> {
    out: W,
}

impl<W: Write> HumanProgress<W> {
    /// Progress written to `out`.
    pub fn new(out: W) -> Self {
        HumanProgress { out }
    }
}

impl<W: Write> Progress for HumanProgress<W> {
    fn check_started(&mut self, index: usize, total: usize, check: &Check) {
        let _ = write!(self.out, "[{:>2}/{total}] {:<18} ", index + 1, check.id);
        let _ = self.out.flush();
    }

    fn check_finished(&mut self, _index: usize, _total: usize, result: &CheckResult) {
        let status = match &result.status {
            CheckStatus::Pass => "pass".to_string(),
            CheckStatus::Fail(f) => match f.named_case {
                Some(_) => "FAIL (a named case)".to_string(),
                None => format!("FAIL (shrunk in {} steps)", f.shrink_steps),
            },
            CheckStatus::Unverified(_) => "unverified".to_string(),
            CheckStatus::NotRun => "not run".to_string(),
            CheckStatus::NotApplicable(_) => "not applicable".to_string(),
        };
        let _ = writeln!(
            self.out,
            "{status:<28} {:>3} named + {:>4} random {:>7.2}s",
            result.named.len(),
            result.cases,
            result.duration.as_secs_f64()
        );
    }
}

/// The testee in one line.
pub fn testee_line(info: &TesteeInfo) -> String {
    format!(
        "{} {} (protocol {}, serves {}, store outage simulation: {})",
        info.name,
        info.version,
        info.protocol_version,
        info.contract_versions.join(", "),
        if info.store_outage { "yes" } else { "no" }
    )
}

/// The header printed before the progress lines.
pub fn header(info: &TesteeInfo, seed: u64, cases: u32, version: &str) -> String {
    format!(
        "alga-conformance {} against contract alga:extension@{version}\ntestee: {}\nseed: {seed} (repeat with --seed {seed}), {cases} cases per check\n",
        env!("CARGO_PKG_VERSION"),
        testee_line(info),
    )
}

/// The whole report after the run.
pub fn render(report: &Report<'_>) -> String {
    let mut out = String::new();
    let run = report.run;
    let _ = writeln!(out, "\nRULES");
    for rule in &report.rules {
        let verdict = match &rule.verdict {
            Verdict::Pass => "pass".to_string(),
            Verdict::Fail if rule.status == RuleStatus::Fail => "FAIL".to_string(),
            Verdict::Fail => format!("FAIL ({})", rule.status.name()),
            Verdict::Warning => format!("warning ({}, not enforced)", rule.status.name()),
            Verdict::ExpectedFailure(reason) => {
                format!("expected failure ({}): {reason}", rule.status.name())
            }
            Verdict::UnexpectedPass(reason) => format!("UNEXPECTED PASS (listed as failing: {reason})"),
            Verdict::NotRun => "not run".to_string(),
            Verdict::NotApplicable(why) => format!("not applicable: {why}"),
        };
        let _ = writeln!(
            out,
            "  {:<8} {:<12} {:>3} named + {:>5} random  {verdict}",
            rule.rule.id,
            rule.rule.level.spec_name(),
            rule.named.len(),
            rule.cases
        );
    }
    out.push_str(&tried(report));

    let failed: Vec<&CheckResult> = run
        .checks
        .iter()
        .filter(|c| matches!(c.status, CheckStatus::Fail(_) | CheckStatus::Unverified(_)))
        .collect();
    if !failed.is_empty() {
        let _ = writeln!(out, "\nFAILURES");
    }
    for result in failed {
        match &result.status {
            CheckStatus::Fail(failure) => {
                let file = report.options.case_files.get(result.check.id).map(|p| p.as_path());
                let replay = file.map(|path| (report.options.replay_command.as_str(), path));
                out.push_str(&failure_text(result.check, failure, Some(result.cases), replay));
            }
            CheckStatus::Unverified(why) => {
                let _ = writeln!(
                    out,
                    "\n{} ({}) unverified: {why}",
                    result.check.id,
                    result.check.level.spec_name()
                );
            }
            _ => {}
        }
    }

    let _ = writeln!(out, "\nSUMMARY");
    let names = |verdict: &str| -> Vec<String> {
        report.with_verdict(verdict).iter().map(|r| r.rule.id.clone()).collect()
    };
    let (fails, unexpected, expected, warnings) =
        (names("fail"), names("unexpected-pass"), names("expected-failure"), names("warning"));
    let passed = report.rules.iter().filter(|r| r.status == RuleStatus::Pass).count();
    let ran = report
        .rules
        .iter()
        .filter(|r| !matches!(r.status, RuleStatus::NotRun | RuleStatus::NotApplicable))
        .count();
    let version = &run.config.contract_version;
    let not_applicable = names("not-applicable");
    if report.conforms() {
        let _ = writeln!(out, "  CONFORMS to contract {version}: {passed} of {ran} rules run pass");
    } else {
        let _ = writeln!(out, "  DOES NOT CONFORM to contract {version}: {passed} of {ran} rules run pass");
    }
    if !not_applicable.is_empty() {
        let _ = writeln!(out, "  not applicable to contract {version}: {}", not_applicable.join(", "));
    }
    if !fails.is_empty() {
        let _ = writeln!(out, "  failing: {}", fails.join(", "));
    }
    if !unexpected.is_empty() {
        let _ = writeln!(
            out,
            "  listed as expected failures but passing: {} (update the expectations file)",
            unexpected.join(", ")
        );
    }
    if !expected.is_empty() {
        let _ = writeln!(out, "  expected failures: {}", expected.join(", "));
    }
    if !warnings.is_empty() {
        let _ = writeln!(
            out,
            "  RECOMMENDED rules failing (not enforced; --enforce-recommended fails on them): {}",
            warnings.join(", ")
        );
    }
    let _ = writeln!(
        out,
        "  {} cases in {:.2}s: {:.0} cases per second; seed {}",
        run.executions(),
        run.duration.as_secs_f64(),
        run.cases_per_second(),
        run.config.seed
    );
    if !fails.is_empty() || !unexpected.is_empty() {
        let _ = writeln!(out, "  to accept the current failures as expected: {}", report.update_command());
    }
    out
}

/// What was tried, per rule: the named cases run (and which failed), the random cases and
/// the categories of input they touched, the calls judged.
fn tried(report: &Report<'_>) -> String {
    let mut out = String::from(
        "\nWHAT WAS TRIED (named edge cases run first on every seed; random cases per category of input)\n",
    );
    for rule in
        report.rules.iter().filter(|r| !matches!(r.status, RuleStatus::NotRun | RuleStatus::NotApplicable))
    {
        let failed: Vec<&str> = rule.named.iter().filter(|n| !n.passed).map(|n| n.name).collect();
        let slugs: Vec<&str> =
            rule.named.iter().map(|n| n.name.rsplit_once('.').map_or(n.name, |(_, slug)| slug)).collect();
        let named: Vec<String> = if slugs.is_empty() {
            vec!["none".into()]
        } else {
            slugs.iter().map(|s| s.to_string()).collect()
        };
        out.push_str(&wrapped(&format!("  {:<8} named: ", rule.rule.id), &named));
        if !failed.is_empty() {
            let failed: Vec<String> = failed.iter().map(|s| s.to_string()).collect();
            out.push_str(&wrapped("           named cases failing: ", &failed));
        }
        let mut touched: Vec<String> =
            rule.categories.in_order().iter().map(|(name, n)| format!("{name} {n}")).collect();
        touched.push(format!("{} calls judged", rule.tally.judged));
        out.push_str(&wrapped(&format!("           random {}: ", rule.cases), &touched));
    }
    out
}

/// `items` after `lead`, comma-separated, wrapped at [`REPORT_WIDTH`] columns under the
/// first item.
fn wrapped(lead: &str, items: &[String]) -> String {
    let indent = " ".repeat(lead.chars().count());
    let mut out = String::from(lead);
    let mut column = indent.len();
    for (n, item) in items.iter().enumerate() {
        let piece = if n + 1 < items.len() { format!("{item},") } else { item.clone() };
        if n > 0 {
            if column + 1 + piece.chars().count() > REPORT_WIDTH {
                out.push('\n');
                out.push_str(&indent);
                column = indent.len();
            } else {
                out.push(' ');
                column += 1;
            }
        }
        column += piece.chars().count();
        out.push_str(&piece);
    }
    out.push('\n');
    out
}

/// A failed check's counterexample: message, fixture, steps with outcomes, the diff of
/// expected and actual, and how to replay it (`replay`: the replay command without the
/// file, and the case file). `cases` is how many random cases ran before it was found
/// (unknown for a replay).
pub fn failure_text(
    check: &Check,
    failure: &Failure,
    cases: Option<u32>,
    replay: Option<(&str, &Path)>,
) -> String {
    let mut text = String::new();
    let out = &mut text;
    let _ = writeln!(out, "\n{} ({}): {}", check.id, check.level.spec_name(), check.description);
    let _ = writeln!(out, "  {}", failure.mismatch.message);
    if failure.flaky {
        let _ = writeln!(
            out,
            "  (the host answered differently when the case was run again: it is not deterministic)"
        );
    }
    match (failure.named_case, cases) {
        (Some(name), _) => {
            let _ = writeln!(out, "  named case {name}:");
        }
        (None, Some(cases)) => {
            let _ = writeln!(
                out,
                "  counterexample after {cases} random cases, shrunk in {} steps:",
                failure.shrink_steps
            );
        }
        (None, None) => {
            let _ = writeln!(out, "  counterexample:");
        }
    }
    let lines = fixture_lines(&failure.case.fixture);
    let _ = writeln!(out, "  fixture:");
    for line in lines.iter().take(MAX_FIXTURE_LINES) {
        let _ = writeln!(out, "    {line}");
    }
    if lines.len() > MAX_FIXTURE_LINES {
        let _ = writeln!(out, "    ... {} more lines in the case file", lines.len() - MAX_FIXTURE_LINES);
    }
    let _ = writeln!(out, "  steps:");
    for (index, step) in failure.case.steps.iter().enumerate() {
        let marker = if index == failure.mismatch.step { ">" } else { " " };
        let outcome = failure.results.get(index).map(result_line).unwrap_or_default();
        match step {
            Step::Call { context, call } => {
                let _ = writeln!(out, "   {marker}{index:>2}. {}", context_line(context));
                let _ = writeln!(out, "        {}({})", call.function, args_line(&call.args));
                let _ = writeln!(out, "        -> {outcome}");
            }
            Step::Concurrent { calls } => {
                let _ = writeln!(out, "   {marker}{index:>2}. {} calls at once", calls.len());
                let failing = failure.mismatch.index.filter(|_| index == failure.mismatch.step);
                if let Some((i, c)) = failing.and_then(|i| calls.get(i).map(|c| (i, c))) {
                    let _ = writeln!(out, "        call {i}: {}", context_line(&c.context));
                    let _ = writeln!(out, "        {}({})", c.call.function, args_line(&c.call.args));
                }
            }
            Step::StoreOutage { down } => {
                let _ = writeln!(
                    out,
                    "   {marker}{index:>2}. store outage {}  -> {outcome}",
                    if *down { "starts" } else { "ends" }
                );
            }
        }
    }
    if !(failure.mismatch.expected.is_null() && failure.mismatch.actual.is_null()) {
        let _ = writeln!(out, "  difference:");
        for line in diff(&failure.mismatch.expected, &failure.mismatch.actual).lines() {
            let _ = writeln!(out, "    {line}");
        }
    }
    if let Some((command, path)) = replay {
        let command = if command.is_empty() { "alga-conformance run --replay" } else { command };
        let _ = writeln!(out, "  case file: {}", path.display());
        let _ = writeln!(out, "  replay:    {command} {}", shell_quote(&path.display().to_string()));
    }
    text
}

fn args_line(args: &[serde_json::Value]) -> String {
    args.iter().map(compact).collect::<Vec<_>>().join(", ")
}

fn result_line(result: &StepResult) -> String {
    match result {
        StepResult::Call(outcome) => {
            let json = serde_json::to_value(outcome).unwrap_or_default();
            let text = compact(&json);
            if text.chars().count() > 160 {
                format!("{}…", text.chars().take(160).collect::<String>())
            } else {
                text
            }
        }
        StepResult::Concurrent(outcomes) => format!("{} outcomes", outcomes.len()),
        StepResult::StoreOutage(Ok(())) => "done".to_string(),
        StepResult::StoreOutage(Err(e)) => e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_wrap_under_their_first_item() {
        let items: Vec<String> = (0..30).map(|n| format!("category-{n} {n}")).collect();
        let text = wrapped("  AUTH-2   named: ", &items);
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines.len() > 1, "{text}");
        assert!(lines.iter().all(|l| l.chars().count() <= REPORT_WIDTH), "{text}");
        assert!(lines[1].starts_with(&" ".repeat("  AUTH-2   named: ".len())), "{text}");
        assert_eq!(text.matches("category-").count(), 30);
        assert_eq!(wrapped("x: ", &["a".into(), "b".into()]), "x: a, b\n");
    }
}
