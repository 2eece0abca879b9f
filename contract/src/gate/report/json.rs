//! The JSON report: the [`Report`] serialised as it is, pretty-printed.
//!
//! Shape (schema_version 1): `baseline`/`current` (`source`, `package`, `version`),
//! `findings` (each `rule`, `impact`, `required_bump`, `satisfied`, `path`, `message`,
//! `flow`, `worlds`, `baseline`/`current` locations `{file, line, column}`, `diff`,
//! `notes`), `semver_check` (`world`, `outcome`, `message`), `policy` (`impact`,
//! `required_bump`, `actual_bump`, `suggested_version`, `checks`, `violations`), `unstable`
//! (`features`, `all_features`, `skipped_baseline`/`skipped_current` counts per feature,
//! `unknown_features`) and `verdict` (`pass`/`fail`; `error` with an `error` object when
//! the gate could not run). A `semver_check` entry has `baseline_world` when
//! `--world-map` paired it with another name, and `outcome` `error` (with the reason as
//! `message`) when semver_check could not check the world. The JSON is never filtered or
//! summarised: `--verbose`, `--min-impact` and `--rule` only change the other formats.

use super::Report;

/// The report as pretty-printed JSON, ending in a newline.
pub fn render(report: &Report) -> String {
    serde_json::to_string_pretty(report).expect("the report serialises") + "\n"
}
