//! Expectations files: the rules a host is known to fail, each with a reason, in TOML.
//!
//! ```toml
//! # alga-conformance expectations for my-host
//! [[expected-failure]]
//! rule = "ERR-1"
//! reason = "the testee cannot simulate a store outage yet (issue #12)"
//! ```
//!
//! Semantics are exact, as in the protobuf conformance runner's failure lists: a listed
//! rule that fails (or cannot be verified) is an expected failure and does not fail the
//! run; a listed rule that passes is an *unexpected pass* and fails the run (the list must
//! shrink as the host improves); a failing rule that is not listed fails the run
//! (RECOMMENDED rules only with `--enforce-recommended`). A file naming a rule that SPEC.md
//! does not have is rejected. `--update-expectations FILE` rewrites the file from a run.

use crate::spec;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

/// One expected failure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExpectedFailure {
    /// The rule ID, e.g. `ERR-1`.
    pub rule: String,
    /// Why the host fails it (a link to an issue, a plan).
    pub reason: String,
}

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct File {
    #[serde(default)]
    expected_failure: Vec<ExpectedFailure>,
}

/// The expected failures of a host, by rule ID.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Expectations {
    /// Rule ID to reason.
    pub failures: BTreeMap<String, String>,
}

/// Why an expectations file cannot be used (exit code 2: fix the file).
#[derive(Debug, thiserror::Error)]
pub enum ExpectationsError {
    /// The file cannot be read.
    #[error("cannot read the expectations file {path}: {error}")]
    Read {
        /// The file.
        path: String,
        /// The error.
        error: std::io::Error,
    },
    /// The file is not valid TOML of the expected shape.
    #[error("the expectations file {path} is not valid: {message}")]
    Parse {
        /// The file.
        path: String,
        /// The TOML parser's message (with line and column).
        message: String,
    },
    /// The file names a rule twice or a rule SPEC.md does not have.
    #[error("the expectations file {path}: {message}")]
    Content {
        /// The file.
        path: String,
        /// What is wrong.
        message: String,
    },
}

impl Expectations {
    /// Reads and checks an expectations file.
    pub fn load(path: &Path) -> Result<Expectations, ExpectationsError> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path)
            .map_err(|error| ExpectationsError::Read { path: shown.clone(), error })?;
        Expectations::parse(&text).map_err(|e| match e {
            ExpectationsError::Parse { message, .. } => {
                ExpectationsError::Parse { path: shown.clone(), message }
            }
            ExpectationsError::Content { message, .. } => {
                ExpectationsError::Content { path: shown.clone(), message }
            }
            other => other,
        })
    }

    /// Parses the TOML text of an expectations file.
    pub fn parse(text: &str) -> Result<Expectations, ExpectationsError> {
        let file: File = toml::from_str(text)
            .map_err(|e| ExpectationsError::Parse { path: String::new(), message: e.to_string() })?;
        let known = spec::rules();
        let mut failures = BTreeMap::new();
        for entry in file.expected_failure {
            if !known.iter().any(|r| r.id == entry.rule) {
                return Err(ExpectationsError::Content {
                    path: String::new(),
                    message: format!("rule {:?} is not a rule of SPEC.md", entry.rule),
                });
            }
            if entry.reason.trim().is_empty() {
                return Err(ExpectationsError::Content {
                    path: String::new(),
                    message: format!("rule {} has no reason; say why the host fails it", entry.rule),
                });
            }
            if failures.insert(entry.rule.clone(), entry.reason).is_some() {
                return Err(ExpectationsError::Content {
                    path: String::new(),
                    message: format!("rule {} is listed twice", entry.rule),
                });
            }
        }
        Ok(Expectations { failures })
    }

    /// The reason `rule` is expected to fail, if it is.
    pub fn reason(&self, rule: &str) -> Option<&str> {
        self.failures.get(rule).map(String::as_str)
    }

    /// The file's TOML text, with a header saying how it was made.
    pub fn to_toml(&self, header: &str) -> String {
        let file = File {
            expected_failure: self
                .failures
                .iter()
                .map(|(rule, reason)| ExpectedFailure { rule: rule.clone(), reason: reason.clone() })
                .collect(),
        };
        let body = toml::to_string_pretty(&file).expect("expectations serialise to TOML");
        let header: String = header.lines().map(|line| format!("# {line}\n")).collect();
        format!("{header}\n{body}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_errors() {
        let text = "[[expected-failure]]\nrule = \"ERR-1\"\nreason = \"no outage simulation\"\n";
        let expectations = Expectations::parse(text).unwrap();
        assert_eq!(expectations.reason("ERR-1"), Some("no outage simulation"));
        assert_eq!(Expectations::parse(&expectations.to_toml("made by a test")).unwrap(), expectations);

        let unknown =
            Expectations::parse("[[expected-failure]]\nrule = \"ERR-9\"\nreason = \"x\"\n").unwrap_err();
        assert!(unknown.to_string().contains("\"ERR-9\" is not a rule of SPEC.md"), "{unknown}");
        let twice = format!("{text}{text}");
        assert!(Expectations::parse(&twice).unwrap_err().to_string().contains("listed twice"));
        let no_reason =
            Expectations::parse("[[expected-failure]]\nrule = \"ERR-1\"\nreason = \" \"\n").unwrap_err();
        assert!(no_reason.to_string().contains("no reason"));
        let typo = Expectations::parse("[[expected-failures]]\nrule = \"ERR-1\"\n").unwrap_err();
        assert!(typo.to_string().contains("expected-failures"), "{typo}");
        assert_eq!(Expectations::parse("").unwrap(), Expectations::default());
    }
}
