//! The versioning policy (SPEC.md section 10): the bump the changes require against the
//! bump the version made, the CHANGELOG entry of a new version, and, in this repository,
//! the crate version and the frozen released versions.
//!
//! The bump a change needs is decided by the baseline's version, row by row of
//! [`BUMP_RULES`]: the one statement of these rules. SPEC.md section 10 holds the table
//! [`bump_rules_markdown`] renders, `alga-contract check --help` the one
//! [`bump_rules_text`] renders, and tests compare both with this table.
//!
//! Changes with impact `none` (documentation, annotations) need no bump. A bigger bump than
//! required is fine. The bump made is the most significant number that grew; a new
//! pre-release of the same numbers (`-rc.1` to `-rc.2`, or `-rc.2` to the release) counts as
//! a patch bump because it is another track; a version lower by semver precedence is an
//! error. Build metadata is ignored.

use super::finding::{Bump, Finding, Location};
use super::load::WitTree;
use super::rules::Impact;
use super::{GateError, display_path, release};
use semver::Version;
use serde::Serialize;
use std::path::Path;

/// One rule of the policy (as opposed to a rule of the differ).
#[derive(Debug, Clone, Copy)]
pub struct PolicyRule {
    /// Stable identifier.
    pub id: &'static str,
    /// What the rule demands.
    pub summary: &'static str,
}

/// Every policy rule.
pub const POLICY_RULES: &[PolicyRule] = &[
    PolicyRule { id: "version-not-bumped", summary: "changes that need a bump come with a new version" },
    PolicyRule {
        id: "version-bump-too-small",
        summary: "the new version is at least the bump the changes need",
    },
    PolicyRule { id: "version-decreased", summary: "the version never goes down or disappears" },
    PolicyRule {
        id: "changelog-entry-missing",
        summary: "a new version has a CHANGELOG.md section `## [X.Y.Z]`",
    },
    PolicyRule {
        id: "crate-version-mismatch",
        summary: "contract/Cargo.toml has the same version as the WIT package",
    },
    PolicyRule {
        id: "released-version-edited",
        summary: "WIT declaring a released version equals that release's frozen copy in compat/",
    },
];

/// A broken policy rule.
#[derive(Debug, Clone, Serialize)]
pub struct Violation {
    /// The policy rule's id.
    pub rule: &'static str,
    /// What is wrong and what to do.
    pub message: String,
    /// Where to fix it.
    pub location: Option<Location>,
}

/// A policy check that ran or could not run.
#[derive(Debug, Clone, Serialize)]
pub struct PolicyCheck {
    /// The check: `version-bump`, `changelog`, `crate-version`, `frozen-release`.
    pub check: &'static str,
    /// `passed`, `failed` or `not-run`.
    pub status: &'static str,
    /// Why it did not run, or what it compared.
    pub detail: String,
}

/// The policy's verdict.
#[derive(Debug, Clone, Serialize)]
pub struct PolicyOutcome {
    /// The largest impact among the findings.
    pub impact: Impact,
    /// The bump that impact requires from the baseline version.
    pub required_bump: Bump,
    /// The bump the version made (`None` when it went down or disappeared).
    pub actual_bump: Option<Bump>,
    /// The smallest version that would satisfy the policy, when the version is too small.
    pub suggested_version: Option<String>,
    /// The changelog a new version needs a section in (as shown), when one is checked.
    pub changelog: Option<String>,
    /// Every check, passed or not.
    pub checks: Vec<PolicyCheck>,
    /// The broken rules; empty means the gate passes.
    pub violations: Vec<Violation>,
}

/// What the policy looks at.
pub struct PolicyInputs<'a> {
    /// The baseline tree.
    pub baseline: &'a WitTree,
    /// The current tree.
    pub current: &'a WitTree,
    /// The changelog to look for a new version's section in.
    pub changelog: Option<&'a Path>,
    /// The repository, when checking its own `wit/` (crate version, frozen releases).
    pub repository: Option<&'a Path>,
    /// Files are shown relative to this directory.
    pub display_root: &'a Path,
}

/// The kinds of baseline version that need different bumps (a row of [`BUMP_RULES`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum VersionClass {
    /// `x.y.z` with `x >= 1` and no pre-release.
    Stable,
    /// `0.y.z` with `y >= 1` and no pre-release.
    Initial,
    /// `0.0.z` without pre-release.
    ZeroMinor,
    /// Any version with a pre-release part (`0.2.0-rc.1`).
    PreRelease,
    /// The package declares no version.
    Unversioned,
}

impl VersionClass {
    /// The class of `version`.
    pub fn of(version: Option<&Version>) -> VersionClass {
        match version {
            None => VersionClass::Unversioned,
            Some(v) if !v.pre.is_empty() => VersionClass::PreRelease,
            Some(v) if v.major >= 1 => VersionClass::Stable,
            Some(v) if v.minor >= 1 => VersionClass::Initial,
            Some(_) => VersionClass::ZeroMinor,
        }
    }
}

/// One row of the bump rules: what a baseline version of one class needs.
#[derive(Debug, Clone, Copy)]
pub struct BumpRule {
    /// The versions the row is for.
    pub class: VersionClass,
    /// How the rules name those versions, e.g. `0.y.z with y >= 1`.
    pub baseline: &'static str,
    /// The bump a compatible change needs.
    pub compatible: Bump,
    /// The bump a breaking change needs.
    pub breaking: Bump,
    /// Why, in terms of the semver tracks runtimes match imports by.
    pub why: &'static str,
}

/// The bump rules, one row per kind of baseline version. The only statement of them:
/// [`required_bump`] reads it, and SPEC.md section 10 and `check --help` show it.
pub const BUMP_RULES: &[BumpRule] = &[
    BumpRule {
        class: VersionClass::Stable,
        baseline: "x.y.z with x >= 1",
        compatible: Bump::Minor,
        breaking: Bump::Major,
        why: "imports match by major version: `@1.2.0` links to `@1.4.1`, not to `@2.0.0`",
    },
    BumpRule {
        class: VersionClass::Initial,
        baseline: "0.y.z with y >= 1",
        compatible: Bump::Patch,
        breaking: Bump::Minor,
        why: "imports match by `0.y`: `@0.2.1` links to `@0.2.3`, not to `@0.3.0`",
    },
    BumpRule {
        class: VersionClass::ZeroMinor,
        baseline: "0.0.z",
        compatible: Bump::Patch,
        breaking: Bump::Patch,
        why: "every `0.0.z` is its own track, so any newer version is a new track",
    },
    BumpRule {
        class: VersionClass::PreRelease,
        baseline: "x.y.z-pre",
        compatible: Bump::Patch,
        breaking: Bump::Patch,
        why: "every pre-release (`0.2.0-rc.1`) is its own track: a newer pre-release (`-rc.2`) or the release counts as a patch",
    },
    BumpRule {
        class: VersionClass::Unversioned,
        baseline: "no version",
        compatible: Bump::Patch,
        breaking: Bump::Patch,
        why: "any version will do: giving the package a version counts as a major bump",
    },
];

/// The row of [`BUMP_RULES`] for a baseline version.
pub fn bump_rule(baseline: Option<&Version>) -> &'static BumpRule {
    let class = VersionClass::of(baseline);
    BUMP_RULES.iter().find(|r| r.class == class).expect("BUMP_RULES has a row for every version class")
}

/// The bump a change of `impact` needs from `baseline`.
pub fn required_bump(impact: Impact, baseline: Option<&Version>) -> Bump {
    let rule = bump_rule(baseline);
    match impact {
        Impact::None => Bump::None,
        Impact::Compatible => rule.compatible,
        Impact::Breaking => rule.breaking,
    }
}

/// [`BUMP_RULES`] as the Markdown table of SPEC.md section 10.
pub fn bump_rules_markdown() -> String {
    let mut out =
        String::from("| baseline version | compatible change | breaking change | why |\n|---|---|---|---|\n");
    for rule in BUMP_RULES {
        // `0.y.z with y >= 1` is shown as `0.y.z` in code and its condition in words.
        let baseline = match rule.baseline.split_once(' ') {
            _ if rule.class == VersionClass::Unversioned => rule.baseline.to_string(),
            Some((version, condition)) => format!("`{version}` {condition}"),
            None => format!("`{}`", rule.baseline),
        };
        out += &format!(
            "| {baseline} | {} | {} | {} |\n",
            rule.compatible.as_str(),
            rule.breaking.as_str(),
            rule.why
        );
    }
    out
}

/// [`BUMP_RULES`] as the plain-text table of `alga-contract check --help`.
pub fn bump_rules_text() -> String {
    let mut out = format!("  {:<28} {:<12} {}\n", "baseline version", "compatible", "breaking");
    for rule in BUMP_RULES {
        out +=
            &format!("  {:<28} {:<12} {}\n", rule.baseline, rule.compatible.as_str(), rule.breaking.as_str());
    }
    out
}

/// The bump from `baseline` to `current`; `Err` says why it is no bump at all.
pub fn actual_bump(baseline: Option<&Version>, current: Option<&Version>) -> Result<Bump, String> {
    match (baseline, current) {
        (None, None) => Ok(Bump::None),
        (None, Some(_)) => Ok(Bump::Major),
        (Some(b), None) => Err(format!("the package lost its version (was {b})")),
        (Some(b), Some(c)) => {
            if c.cmp_precedence(b) == std::cmp::Ordering::Less {
                Err(format!("the version went down from {b} to {c}"))
            } else if c.major > b.major {
                Ok(Bump::Major)
            } else if c.minor > b.minor {
                Ok(Bump::Minor)
            } else if c.patch > b.patch || c.pre != b.pre {
                Ok(Bump::Patch)
            } else {
                Ok(Bump::None)
            }
        }
    }
}

/// The smallest version `bump` away from `version`.
pub fn bumped(version: &Version, bump: Bump) -> Version {
    match bump {
        Bump::None => version.clone(),
        Bump::Patch => Version::new(version.major, version.minor, version.patch + 1),
        Bump::Minor => Version::new(version.major, version.minor + 1, 0),
        Bump::Major => Version::new(version.major + 1, 0, 0),
    }
}

/// Applies the policy: fills in each finding's required bump and whether it is
/// satisfied, and returns the verdict.
pub fn evaluate(inputs: &PolicyInputs, findings: &mut [Finding]) -> Result<PolicyOutcome, GateError> {
    let base_version = inputs.baseline.resolve.packages[inputs.baseline.package].name.version.clone();
    let cur_version = inputs.current.resolve.packages[inputs.current.package].name.version.clone();
    let package_line = package_declaration(inputs.current);
    let actual = actual_bump(base_version.as_ref(), cur_version.as_ref());
    let mut violations = Vec::new();
    let mut checks = Vec::new();

    let impact = findings.iter().map(|f| f.impact).max().unwrap_or(Impact::None);
    let required = required_bump(impact, base_version.as_ref());
    for finding in findings.iter_mut() {
        finding.required_bump = required_bump(finding.impact, base_version.as_ref());
        // A finding that needs no bump is covered by any version, even one that went down
        // (that is a violation of its own).
        finding.satisfied =
            finding.required_bump == Bump::None || actual.as_ref().is_ok_and(|a| *a >= finding.required_bump);
    }
    let show =
        |v: &Option<Version>| v.as_ref().map(|v| v.to_string()).unwrap_or_else(|| "(unversioned)".into());
    let suggested = match (&base_version, &actual) {
        (Some(b), Ok(a)) if *a < required => Some(bumped(b, required).to_string()),
        (Some(b), Err(_)) if required > Bump::None => Some(bumped(b, required).to_string()),
        _ => None,
    };
    let need = |required: Bump| match &suggested {
        Some(s) => format!("a {} bump (to {s} or later)", required.as_str()),
        None => format!("a {} bump", required.as_str()),
    };
    match &actual {
        Err(why) => violations.push(Violation {
            rule: "version-decreased",
            message: format!("{why}; versions only move forward"),
            location: package_line.clone(),
        }),
        Ok(Bump::None) if required > Bump::None => violations.push(Violation {
            rule: "version-not-bumped",
            message: format!(
                "the changes need {} (largest impact: {}), but the version is still {}{}",
                need(required),
                impact.as_str(),
                show(&cur_version),
                unreleased_baseline_hint(inputs, base_version.as_ref())
            ),
            location: package_line.clone(),
        }),
        Ok(bump) if *bump < required => violations.push(Violation {
            rule: "version-bump-too-small",
            message: format!(
                "the changes need {} (largest impact: {}), but {} to {} is a {} bump",
                need(required),
                impact.as_str(),
                show(&base_version),
                show(&cur_version),
                bump.as_str()
            ),
            location: package_line.clone(),
        }),
        Ok(_) => {}
    }
    checks.push(PolicyCheck {
        check: "version-bump",
        status: if violations.is_empty() { "passed" } else { "failed" },
        detail: format!(
            "{} to {}: required {}, made {}",
            show(&base_version),
            show(&cur_version),
            required.as_str(),
            actual.as_ref().map(|b| b.as_str()).unwrap_or("none (invalid)")
        ),
    });

    let version_changed = base_version != cur_version;
    match (inputs.changelog, &cur_version) {
        (_, _) if !version_changed => checks.push(PolicyCheck {
            check: "changelog",
            status: "not-run",
            detail: "the version did not change".into(),
        }),
        (None, _) => checks.push(PolicyCheck {
            check: "changelog",
            status: "not-run",
            detail: "no changelog given (--changelog FILE)".into(),
        }),
        (Some(_), None) => checks.push(PolicyCheck {
            check: "changelog",
            status: "not-run",
            detail: "the package has no version".into(),
        }),
        (Some(path), Some(version)) => {
            let shown = display_path(inputs.display_root, path);
            let text = std::fs::read_to_string(path)
                .map_err(|source| GateError::Io { path: path.to_path_buf(), source })?;
            if release::changelog_has_entry(&text, version) {
                checks.push(PolicyCheck {
                    check: "changelog",
                    status: "passed",
                    detail: format!("{shown} has a section for {version}"),
                });
            } else {
                checks.push(PolicyCheck {
                    check: "changelog",
                    status: "failed",
                    detail: format!("{shown} has no section for {version}"),
                });
                violations.push(Violation {
                    rule: "changelog-entry-missing",
                    message: format!("{shown} has no section `## [{version}]` for the new version {version}"),
                    location: Some(Location { file: shown, line: 1, column: 1 }),
                });
            }
        }
    }

    match inputs.repository {
        None => {
            for check in ["crate-version", "frozen-release"] {
                checks.push(PolicyCheck {
                    check,
                    status: "not-run",
                    detail: "only when checking the repository's own wit/".into(),
                });
            }
        }
        Some(repository) => {
            crate_version(inputs, repository, cur_version.as_ref(), &mut checks, &mut violations)?;
            frozen_release(inputs, repository, cur_version.as_ref(), &mut checks, &mut violations)?;
        }
    }

    Ok(PolicyOutcome {
        impact,
        required_bump: required,
        actual_bump: actual.ok(),
        suggested_version: suggested,
        changelog: inputs.changelog.map(|path| display_path(inputs.display_root, path)),
        checks,
        violations,
    })
}

/// When the baseline (say a git revision) declares a version that was never released,
/// changes may accumulate under it until the release; the hint points to the check that
/// matters, against the newest release.
fn unreleased_baseline_hint(inputs: &PolicyInputs, base_version: Option<&Version>) -> String {
    let (Some(repository), Some(version)) = (inputs.repository, base_version) else { return String::new() };
    let released = release::released_versions(&repository.join("compat"))
        .map(|releases| releases.iter().any(|r| &r.version == version))
        .unwrap_or(true);
    if released {
        String::new()
    } else {
        format!(
            " (the baseline's version {version} is not released: changes may accumulate under an unreleased \
             version, so check against the newest release, the default baseline, to decide the bump)"
        )
    }
}

/// contract/Cargo.toml carries the WIT package's version.
fn crate_version(
    inputs: &PolicyInputs,
    repository: &Path,
    wit_version: Option<&Version>,
    checks: &mut Vec<PolicyCheck>,
    violations: &mut Vec<Violation>,
) -> Result<(), GateError> {
    let manifest = repository.join("contract/Cargo.toml");
    let shown = display_path(inputs.display_root, &manifest);
    if !manifest.is_file() {
        checks.push(PolicyCheck { check: "crate-version", status: "not-run", detail: format!("no {shown}") });
        return Ok(());
    }
    let text = std::fs::read_to_string(&manifest)
        .map_err(|source| GateError::Io { path: manifest.clone(), source })?;
    let parsed: toml::Value =
        toml::from_str(&text).map_err(|e| GateError::Input(format!("{shown} is not valid TOML: {e}")))?;
    let crate_version = parsed.get("package").and_then(|p| p.get("version")).and_then(|v| v.as_str());
    let wit_version = wit_version.map(|v| v.to_string());
    if crate_version.is_some() && crate_version == wit_version.as_deref() {
        checks.push(PolicyCheck {
            check: "crate-version",
            status: "passed",
            detail: format!("{shown} and the WIT package are both {}", crate_version.unwrap_or_default()),
        });
        return Ok(());
    }
    let line = text.lines().position(|l| l.trim_start().starts_with("version")).map(|i| i + 1).unwrap_or(1);
    let message = format!(
        "{shown} has version {} but the WIT package has {}; the two are always equal",
        crate_version.unwrap_or("(none)"),
        wit_version.as_deref().unwrap_or("(none)")
    );
    checks.push(PolicyCheck { check: "crate-version", status: "failed", detail: message.clone() });
    violations.push(Violation {
        rule: "crate-version-mismatch",
        message,
        location: Some(Location { file: shown, line: line as u32, column: 1 }),
    });
    Ok(())
}

/// WIT that declares a released version is that release's frozen copy.
fn frozen_release(
    inputs: &PolicyInputs,
    repository: &Path,
    version: Option<&Version>,
    checks: &mut Vec<PolicyCheck>,
    violations: &mut Vec<Violation>,
) -> Result<(), GateError> {
    let releases = release::released_versions(&repository.join("compat"))?;
    let Some(release) = version.and_then(|v| releases.iter().find(|r| &r.version == v)) else {
        checks.push(PolicyCheck {
            check: "frozen-release",
            status: "passed",
            detail: "the WIT declares an unreleased version".into(),
        });
        return Ok(());
    };
    let frozen = display_path(inputs.display_root, &release.wit_dir);
    match release::tree_difference(&inputs.current.dir, &release.wit_dir)? {
        None => checks.push(PolicyCheck {
            check: "frozen-release",
            status: "passed",
            detail: format!("the WIT equals the frozen copy of {} in {frozen}", release.version),
        }),
        Some(difference) => {
            let message = format!(
                "the WIT declares the released version {} but differs from its frozen copy in {frozen} \
                 ({difference}); a release is never edited: give the change a new version",
                release.version
            );
            checks.push(PolicyCheck { check: "frozen-release", status: "failed", detail: message.clone() });
            violations.push(Violation {
                rule: "released-version-edited",
                message,
                location: package_declaration(inputs.current),
            });
        }
    }
    Ok(())
}

/// Where the current package declares its name and version (`package a:b@1.2.3;`): the
/// statement found from the package's items, else the first line of its own files (not
/// `deps/`) that declares exactly this package.
fn package_declaration(tree: &WitTree) -> Option<Location> {
    if let Some(location) = tree.package_statement(tree.package).and_then(|span| tree.location(span)) {
        return Some(location);
    }
    let name = &tree.resolve.packages[tree.package].name;
    let wanted = format!("{}:{}", name.namespace, name.name);
    let files = release::wit_files(&tree.dir).ok()?;
    files.iter().filter(|(file, _)| !file.starts_with("deps/")).find_map(|(file, bytes)| {
        let text = String::from_utf8_lossy(bytes);
        let line = text.lines().position(|l| {
            l.trim_start()
                .strip_prefix("package ")
                .is_some_and(|rest| rest.split(['@', ';', '{']).next().unwrap_or("").trim() == wanted)
        })?;
        let file = if tree.display_prefix.is_empty() {
            file.clone()
        } else {
            format!("{}/{file}", tree.display_prefix)
        };
        Some(Location { file, line: line as u32 + 1, column: 1 })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Version {
        Version::parse(s).unwrap()
    }

    #[test]
    fn required_bumps_follow_the_zero_major_rules() {
        assert_eq!(required_bump(Impact::None, Some(&v("0.1.0"))), Bump::None);
        assert_eq!(required_bump(Impact::Compatible, Some(&v("0.1.0"))), Bump::Patch);
        assert_eq!(required_bump(Impact::Breaking, Some(&v("0.1.0"))), Bump::Minor);
        assert_eq!(required_bump(Impact::Compatible, Some(&v("1.4.2"))), Bump::Minor);
        assert_eq!(required_bump(Impact::Breaking, Some(&v("1.4.2"))), Bump::Major);
        assert_eq!(required_bump(Impact::Breaking, Some(&v("0.0.3"))), Bump::Patch);
        assert_eq!(required_bump(Impact::Compatible, None), Bump::Patch);
        assert_eq!(required_bump(Impact::Breaking, Some(&v("0.2.0-rc.1"))), Bump::Patch);
        assert_eq!(required_bump(Impact::Breaking, Some(&v("1.0.0-rc.1"))), Bump::Patch);
        assert_eq!(required_bump(Impact::Compatible, Some(&v("0.0.3"))), Bump::Patch);
        assert_eq!(required_bump(Impact::None, Some(&v("0.0.3"))), Bump::None);
    }

    #[test]
    fn every_version_class_has_exactly_one_row() {
        for version in [None, Some(v("1.2.3")), Some(v("0.3.1")), Some(v("0.0.7")), Some(v("2.0.0-rc.1"))] {
            let class = VersionClass::of(version.as_ref());
            assert_eq!(BUMP_RULES.iter().filter(|r| r.class == class).count(), 1, "{version:?}");
        }
        assert_eq!(BUMP_RULES.len(), 5);
    }

    /// SPEC.md section 10 states the bump rules with the table this module renders from
    /// [`BUMP_RULES`]: one statement, so the two cannot disagree.
    #[test]
    fn spec_section_10_states_the_bump_rules_of_the_table() {
        let spec = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/SPEC.md")).unwrap();
        let section = spec.split("## 10. Versioning").nth(1).expect("SPEC.md has section 10");
        let start = "<!-- BUMP_RULES: generated from alga_extension_contract::gate::policy::bump_rules_markdown() -->\n";
        let table = section
            .split_once(start)
            .and_then(|(_, rest)| rest.split_once("<!-- /BUMP_RULES -->"))
            .map(|(table, _)| table)
            .expect("SPEC.md section 10 has the BUMP_RULES markers");
        assert_eq!(
            table,
            bump_rules_markdown(),
            "regenerate the table in SPEC.md section 10 from BUMP_RULES"
        );
    }

    #[test]
    fn actual_bumps_compare_numbers() {
        assert_eq!(actual_bump(Some(&v("0.1.0")), Some(&v("0.1.0"))), Ok(Bump::None));
        assert_eq!(actual_bump(Some(&v("0.1.0")), Some(&v("0.1.1"))), Ok(Bump::Patch));
        assert_eq!(actual_bump(Some(&v("0.1.3")), Some(&v("0.2.0"))), Ok(Bump::Minor));
        assert_eq!(actual_bump(Some(&v("0.9.0")), Some(&v("1.0.0"))), Ok(Bump::Major));
        assert_eq!(actual_bump(Some(&v("0.2.0-rc.1")), Some(&v("0.2.0"))), Ok(Bump::Patch));
        assert_eq!(actual_bump(Some(&v("0.2.0-rc.1")), Some(&v("0.2.0-rc.2"))), Ok(Bump::Patch));
        assert!(actual_bump(Some(&v("0.2.0")), Some(&v("0.2.0-rc.9"))).is_err());
        assert_eq!(actual_bump(Some(&v("0.2.0")), Some(&v("0.2.0+build.7"))), Ok(Bump::None));
        assert!(actual_bump(Some(&v("0.2.0")), Some(&v("0.1.9"))).is_err());
        assert!(actual_bump(Some(&v("0.2.0")), None).is_err());
        assert_eq!(bumped(&v("0.1.4"), Bump::Minor), v("0.2.0"));
        assert_eq!(bumped(&v("1.1.4"), Bump::Patch), v("1.1.5"));
    }
}
