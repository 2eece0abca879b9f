//! GitHub Actions workflow commands: one annotation per finding and per violation, so
//! the findings appear on the changed lines of a pull request.
//!
//! Violations and findings whose bump the version does not cover are `::error`; breaking
//! findings that the version covers are `::warning`; the rest `::notice`. `--rule` and
//! `--min-impact` select the findings annotated; violations are always annotated, and so is
//! (as a `::warning`) every world semver_check could not check.

use super::{RenderOptions, Report};
use crate::gate::Location;
use crate::gate::ground_truth::WorldOutcome;
use crate::gate::rules::Impact;

/// Every annotation, one per line, then a one-line summary.
pub fn render(report: &Report, options: &RenderOptions) -> String {
    let mut out = String::new();
    for violation in &report.policy.violations {
        out += &annotation("error", violation.location.as_ref(), violation.rule, &violation.message);
    }
    for check in report.semver_check.iter().filter(|c| c.outcome == WorldOutcome::Error) {
        let title = format!("semver_check could not check world {}", check.world);
        let message = format!(
            "only the differ's findings decide for this world: {}",
            check.message.as_deref().unwrap_or("(no message)")
        );
        out += &annotation("warning", None, &title, &message);
    }
    for finding in report.findings.iter().filter(|f| options.selects(f)) {
        let level = if !finding.satisfied {
            "error"
        } else if finding.impact == Impact::Breaking {
            "warning"
        } else {
            "notice"
        };
        let bump = match finding.required_bump {
            crate::gate::Bump::None => "no bump needed".to_string(),
            bump => format!("needs a {} bump", bump.as_str()),
        };
        let title = format!("{} ({}, {bump})", finding.rule, finding.impact.as_str());
        let mut message = finding.message.clone();
        for note in &finding.notes {
            message.push('\n');
            message.push_str(note);
        }
        out += &annotation(level, finding.current.as_ref().or(finding.baseline.as_ref()), &title, &message);
    }
    out += &format!(
        "alga-contract check: {} ({} finding(s), {} violation(s))\n",
        match report.verdict {
            super::Verdict::Pass => "pass",
            super::Verdict::Fail => "fail",
        },
        report.findings.len(),
        report.policy.violations.len()
    );
    out
}

/// One workflow command: `::level file=F,line=L,col=C,title=T::message`.
pub fn annotation(level: &str, location: Option<&Location>, title: &str, message: &str) -> String {
    let mut properties = Vec::new();
    if let Some(location) = location {
        properties.push(format!("file={}", escape_property(&location.file)));
        properties.push(format!("line={}", location.line));
        properties.push(format!("col={}", location.column));
    }
    properties.push(format!("title={}", escape_property(title)));
    format!("::{level} {}::{}\n", properties.join(","), escape_data(message))
}

/// Escapes a command's message (GitHub's `escapeData`).
fn escape_data(text: &str) -> String {
    text.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// Escapes a command's property value (GitHub's `escapeProperty`).
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn annotations_escape_properties_and_data() {
        let location = Location { file: "wit/a,b.wit".into(), line: 3, column: 7 };
        let line = annotation("error", Some(&location), "rule: x", "50% done\nnext");
        assert_eq!(line, "::error file=wit/a%2Cb.wit,line=3,col=7,title=rule%3A x::50%25 done%0Anext\n");
    }
}
