//! Case files: a failed check's shrunk counterexample saved as JSON, with everything needed
//! to run exactly it again (`alga-conformance run --replay FILE`). Replaying does not
//! depend on seeds or generators, so a case file keeps reproducing after the suite's
//! strategies change (proptest's seed files do not).

use crate::case::Case;
use crate::checks::{self, Check, Level};
use crate::runner::{CheckResult, Failure, RunResult};
use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};
use serde_json::Value as Json;
use std::path::{Path, PathBuf};

/// Version of the case file's shape.
pub const CASE_FILE_VERSION: u32 = 1;

/// A saved counterexample.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CaseFile {
    /// [`CASE_FILE_VERSION`].
    pub schema_version: u32,
    /// The check that failed.
    pub check: String,
    /// The rules it decides.
    pub rules: Vec<String>,
    /// Their level.
    pub level: Level,
    /// The contract version the case ran against.
    pub contract_version: String,
    /// The run's seed (for reference; replaying does not use it).
    pub seed: u64,
    /// The testee that failed it.
    pub testee: String,
    /// The named edge case it is, when the failure was one (`AUTH-2.user-of-other-tenant`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub named_case: Option<String>,
    /// Why it failed.
    pub message: String,
    /// What a conforming host returns (as in the report's diff).
    pub expected: Json,
    /// What the testee returned.
    pub actual: Json,
    /// The case: fixture and steps.
    pub case: Case,
}

impl CaseFile {
    /// The case file of a failed check.
    pub fn new(run: &RunResult, result: &CheckResult, failure: &Failure) -> CaseFile {
        CaseFile {
            schema_version: CASE_FILE_VERSION,
            check: result.check.id.to_string(),
            rules: result.check.rules.iter().map(|r| r.to_string()).collect(),
            level: result.check.level,
            contract_version: run.config.contract_version.clone(),
            seed: run.config.seed,
            testee: format!("{} {}", run.testee.name, run.testee.version),
            named_case: failure.named_case.map(str::to_string),
            message: failure.mismatch.message.clone(),
            expected: failure.mismatch.expected.clone(),
            actual: failure.mismatch.actual.clone(),
            case: failure.case.clone(),
        }
    }

    /// Writes the file into `dir` (created if needed) as `<check id>.json`.
    pub fn save(&self, dir: &Path) -> Result<PathBuf> {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        let path = dir.join(format!("{}.json", self.check));
        let json = serde_json::to_string_pretty(self).expect("case files serialise");
        std::fs::write(&path, json + "\n").with_context(|| format!("writing {}", path.display()))?;
        Ok(path)
    }

    /// Reads a case file.
    pub fn load(path: &Path) -> Result<CaseFile> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("reading the case file {}", path.display()))?;
        let file: CaseFile =
            serde_json::from_str(&text).with_context(|| format!("{} is not a case file", path.display()))?;
        if file.schema_version != CASE_FILE_VERSION {
            bail!(
                "{} is a case file of schema version {}, this suite reads version {CASE_FILE_VERSION}",
                path.display(),
                file.schema_version
            );
        }
        file.case.fixture.validate().with_context(|| format!("the fixture in {}", path.display()))?;
        Ok(file)
    }

    /// The check the file names.
    pub fn check(&self) -> Result<&'static Check> {
        checks::by_id(&self.check).with_context(|| {
            format!("the case file names check {:?}, which this suite does not have", self.check)
        })
    }
}
