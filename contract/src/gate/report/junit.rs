//! JUnit XML: one test suite for the gate; one test case per policy check (failing when
//! the check failed) and one per finding (failing when the version does not cover its
//! bump), and one per world semver_check looked at (skipped when it could not check the
//! world; it is the differ's findings that fail or pass). `--rule` and `--min-impact` select
//! the findings listed; the policy checks and worlds are always there.

use super::{RenderOptions, Report};
use crate::gate::ground_truth::WorldOutcome;

/// The report as a JUnit XML document.
pub fn render(report: &Report, options: &RenderOptions) -> String {
    let mut cases = Vec::new();
    for check in &report.policy.checks {
        let body = match check.status {
            "failed" => {
                let messages: Vec<&str> = report
                    .policy
                    .violations
                    .iter()
                    .filter(|v| violation_check(v.rule) == check.check)
                    .map(|v| v.message.as_str())
                    .collect();
                let text = if messages.is_empty() { check.detail.clone() } else { messages.join("\n") };
                format!("<failure message=\"{}\">{}</failure>", escape(&text), escape(&text))
            }
            "not-run" => format!("<skipped message=\"{}\"/>", escape(&check.detail)),
            _ => format!("<system-out>{}</system-out>", escape(&check.detail)),
        };
        cases.push(format!(
            "    <testcase classname=\"policy\" name=\"{}\">{body}</testcase>",
            escape(check.check)
        ));
    }
    for check in &report.semver_check {
        let text = check.message.clone().unwrap_or_default();
        let body = match check.outcome {
            WorldOutcome::Error => {
                format!("<skipped message=\"{}\"/>", escape(&format!("not checked: {text}")))
            }
            WorldOutcome::Compatible => "<system-out>compatible</system-out>".to_string(),
            WorldOutcome::Incompatible => {
                format!("<system-out>{}</system-out>", escape(&format!("incompatible: {text}")))
            }
        };
        cases.push(format!(
            "    <testcase classname=\"semver_check\" name=\"world {}\">{body}</testcase>",
            escape(&check.world)
        ));
    }
    for finding in report.findings.iter().filter(|f| options.selects(f)) {
        let name = format!("{} {}", finding.rule, finding.path);
        let mut text = finding.message.clone();
        if let Some(location) = finding.current.as_ref().or(finding.baseline.as_ref()) {
            text = format!("{location}: {text}");
        }
        for note in &finding.notes {
            text.push('\n');
            text.push_str(note);
        }
        if let Some(diff) = &finding.diff {
            text.push('\n');
            text.push_str(diff);
        }
        let body = if finding.satisfied {
            format!("<system-out>{}</system-out>", escape(&text))
        } else {
            format!(
                "<failure message=\"needs a {} bump\" type=\"{}\">{}</failure>",
                finding.required_bump.as_str(),
                finding.rule,
                escape(&text)
            )
        };
        cases.push(format!(
            "    <testcase classname=\"finding.{}\" name=\"{}\">{body}</testcase>",
            finding.impact.as_str(),
            escape(&name)
        ));
    }
    let failures = report.policy.checks.iter().filter(|c| c.status == "failed").count()
        + report.findings.iter().filter(|f| options.selects(f) && !f.satisfied).count();
    let skipped = report.policy.checks.iter().filter(|c| c.status == "not-run").count()
        + report.semver_check.iter().filter(|c| c.outcome == WorldOutcome::Error).count();
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n  <testsuite name=\"alga-contract check {} against {}\" tests=\"{}\" failures=\"{failures}\" skipped=\"{skipped}\" errors=\"0\">\n{}\n  </testsuite>\n</testsuites>\n",
        escape(&report.current.package),
        escape(&report.baseline.package),
        cases.len(),
        cases.join("\n")
    )
}

/// A document with one erroring test case, for a gate that could not run.
pub fn render_error(message: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n  <testsuite name=\"alga-contract check\" tests=\"1\" failures=\"0\" errors=\"1\">\n    <testcase classname=\"gate\" name=\"run\"><error message=\"the gate could not run\">{}</error></testcase>\n  </testsuite>\n</testsuites>\n",
        escape(message)
    )
}

/// The policy check a violation belongs to.
fn violation_check(rule: &str) -> &'static str {
    match rule {
        "changelog-entry-missing" => "changelog",
        "crate-version-mismatch" => "crate-version",
        "released-version-edited" => "frozen-release",
        _ => "version-bump",
    }
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Characters XML 1.0 cannot carry at all.
            c if (c as u32) < 0x20 && !matches!(c, '\n' | '\r' | '\t') => {
                out.push_str(&format!("\\u{{{:x}}}", c as u32))
            }
            c => out.push(c),
        }
    }
    out
}
