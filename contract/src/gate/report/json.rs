//! The JSON report: the [`Report`] serialised as it is, pretty-printed.
//!
//! Shape (schema_version 1): `baseline`/`current` (`source`, `package`, `version`),
//! `findings` (each `rule`, `impact`, `required_bump`, `satisfied`, `path`, `message`,
//! `flow`, `worlds`, `baseline`/`current` locations `{file, line, column}`, `diff`,
//! `notes`), `semver_check` (`world`, `outcome`, `message`), `policy` (`impact`,
//! `required_bump`, `actual_bump`, `suggested_version`, `checks`, `violations`) and
//! `verdict` (`pass`/`fail`; `error` with an `error` object when the gate could not run).

use super::Report;

/// The report as pretty-printed JSON, ending in a newline.
pub fn render(report: &Report) -> String {
    serde_json::to_string_pretty(report).expect("the report serialises") + "\n"
}
