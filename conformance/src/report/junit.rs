//! The JUnit XML report (`--format junit`): one test suite, one test case per check
//! (class name: the rule ID). A failing verdict is a `<failure>` with the counterexample;
//! an expected failure is `<skipped>` with its reason; an unexpected pass is a `<failure>`
//! saying to update the expectations file; a RECOMMENDED failure that is not enforced
//! passes with the finding in `<system-out>`.

use super::text::{compact, diff};
use super::{Report, Verdict};
use crate::runner::CheckStatus;
use std::fmt::Write as _;

/// The report as JUnit XML.
pub fn render(report: &Report<'_>) -> String {
    let run = report.run;
    let mut cases = String::new();
    let (mut tests, mut failures, mut skipped) = (0, 0, 0);
    for rule in &report.rules {
        for check in &rule.checks {
            if matches!(check.status, CheckStatus::NotRun | CheckStatus::NotApplicable(_)) {
                continue;
            }
            tests += 1;
            let _ = writeln!(
                cases,
                "    <testcase classname=\"{}\" name=\"{}\" time=\"{:.3}\">",
                escape(&rule.rule.id),
                escape(check.check.id),
                check.duration.as_secs_f64()
            );
            let finding = match &check.status {
                CheckStatus::Fail(f) => Some(format!(
                    "{}{}\ncall: {}\n{}",
                    f.mismatch.message,
                    f.named_case.map(|name| format!(" (named case {name})")).unwrap_or_default(),
                    f.case
                        .steps
                        .get(f.mismatch.step)
                        .map(|s| compact(&serde_json::to_value(s).unwrap_or_default()))
                        .unwrap_or_default(),
                    diff(&f.mismatch.expected, &f.mismatch.actual)
                )),
                CheckStatus::Unverified(why) => Some(format!("unverified: {why}")),
                _ => None,
            };
            let mut system_out = Vec::new();
            match (&rule.verdict, finding) {
                (Verdict::Fail, Some(text)) => {
                    failures += 1;
                    let message = text.lines().next().unwrap_or_default().to_string();
                    let _ = writeln!(
                        cases,
                        "      <failure message=\"{}\" type=\"{}\">{}</failure>",
                        escape(&message),
                        rule.rule.level.spec_name(),
                        escape(&text)
                    );
                }
                (Verdict::ExpectedFailure(reason), _) => {
                    skipped += 1;
                    let _ =
                        writeln!(cases, "      <skipped message=\"expected failure: {}\"/>", escape(reason));
                }
                (Verdict::UnexpectedPass(reason), _) => {
                    failures += 1;
                    let _ = writeln!(
                        cases,
                        "      <failure message=\"listed as an expected failure ({}) but passes: update the expectations file\" type=\"unexpected-pass\"/>",
                        escape(reason)
                    );
                }
                (Verdict::Warning, Some(text)) => {
                    system_out.push(format!("RECOMMENDED, not enforced: {text}"))
                }
                _ => {}
            }
            let named: Vec<&str> = check.named.iter().map(|n| n.name).collect();
            let touched: Vec<String> =
                check.categories.in_order().iter().map(|(name, n)| format!("{name} {n}")).collect();
            system_out.push(format!(
                "named cases: {}\nrandom cases: {} ({})\ncalls judged: {}",
                named.join(", "),
                check.cases,
                touched.join(", "),
                check.tally.judged
            ));
            let _ = writeln!(cases, "      <system-out>{}</system-out>", escape(&system_out.join("\n")));
            cases.push_str("    </testcase>\n");
        }
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"alga-conformance\" tests=\"{tests}\" failures=\"{failures}\" skipped=\"{skipped}\" time=\"{:.3}\">\n  <testsuite name=\"alga-conformance: {}\" tests=\"{tests}\" failures=\"{failures}\" skipped=\"{skipped}\" time=\"{:.3}\">\n    <properties>\n      <property name=\"seed\" value=\"{}\"/>\n      <property name=\"contract_version\" value=\"{}\"/>\n      <property name=\"cases_per_check\" value=\"{}\"/>\n    </properties>\n{cases}  </testsuite>\n</testsuites>\n",
        run.duration.as_secs_f64(),
        escape(&run.testee.name),
        run.duration.as_secs_f64(),
        run.config.seed,
        escape(&run.config.contract_version),
        run.config.cases,
    )
}

/// XML text and attribute escaping; characters XML 1.0 cannot hold become `\u{..}`.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn escaping() {
        assert_eq!(super::escape("a<b & \"c\"\0"), "a&lt;b &amp; &quot;c&quot;\\u{0}");
    }
}
