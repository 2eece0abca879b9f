//! The breaking-change gate: compares a WIT package with a baseline version of it and
//! says whether the version change matches what changed.
//!
//! | module | what it owns |
//! |---|---|
//! | [`rules`] | the rule table: every kind of difference, its impact and direction |
//! | [`finding`] | findings, locations, flows and bumps |
//! | [`load`] | parsing one side (a directory with `*.wit` files and `deps/`), `@unstable` features, type depth |
//! | [`baseline`] | resolving `--baseline DIR|VERSION|GIT-REV` |
//! | `differ` | the structural differ over two [`wit_parser::Resolve`]s |
//! | [`ground_truth`] | `wit_component::semver_check` for every world both sides have |
//! | [`policy`] | the bump rules ([`policy::BUMP_RULES`]), required versus actual bump, CHANGELOG, crate version, frozen releases |
//! | [`release`] | the released versions in `compat/` and CHANGELOG entries |
//! | [`snippet`] | source snippets and unified diffs of changed items |
//! | [`report`] | the report and its formats (human, JSON, JUnit, GitHub annotations) |
//!
//! The differ decides *what* changed; `semver_check` decides whether the result still
//! links. The gate never calls a change compatible that `semver_check` rejects: when it
//! rejects a world in which the differ found nothing breaking, the gate adds a
//! `semver-check-rejected` finding. The corpus test (`compat/tests/corpus.rs`) proves the
//! differ alone already agrees with `semver_check` on every case. semver_check cannot check
//! a world that uses one package at two versions (it removes every version, so the two
//! imports collide): such a world is reported as not checked, with a warning, and the
//! differ's findings (which compare dependencies version by version) decide for it.

pub mod baseline;
pub(crate) mod differ;
pub mod finding;
pub mod ground_truth;
pub mod load;
pub mod policy;
pub mod release;
pub mod report;
pub mod rules;
pub mod snippet;

pub use finding::{Bump, Finding, Flow, Location};
pub use load::Features;
pub use report::{Format, Report, Verdict};
pub use rules::{Impact, RULES, Rule};

use ground_truth::WorldOutcome;
use load::WitTree;
use rules::SemverCheckView;
use std::path::{Path, PathBuf};

/// Why the gate could not run (exit code 101).
#[derive(Debug, thiserror::Error)]
pub enum GateError {
    /// A WIT file does not parse or resolve.
    #[error("the WIT in {side} does not parse:\n{message}")]
    InvalidWit {
        /// Which side: the label of the baseline or current tree.
        side: String,
        /// Where the parser stopped, when it says.
        location: Option<Location>,
        /// wit-parser's message, rendered with file, line, column and the source line.
        message: String,
    },
    /// The inputs are unusable: a missing directory, an unknown baseline, no repository.
    #[error("{0}")]
    Input(String),
    /// Reading a file failed.
    #[error("reading {path}: {source}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
}

/// What to compare, and where the repository's policy files are.
#[derive(Debug, Clone, Default)]
pub struct CheckOptions {
    /// The repository (holding `wit/`, `compat/`, `CHANGELOG.md`, `contract/Cargo.toml`).
    /// When `None`, the nearest ancestor of the working directory holding `wit/` and
    /// `compat/` is used, if any.
    pub repository: Option<PathBuf>,
    /// The WIT package to check; default `<repository>/wit`. Giving it switches off the
    /// repository checks (crate version, frozen releases): the package may be anything.
    pub current: Option<PathBuf>,
    /// The baseline: a directory, a released version in `compat/`, or a git revision;
    /// default: the newest version in `<repository>/compat/`.
    pub baseline: Option<String>,
    /// The changelog that must have an entry for a new version; default
    /// `<repository>/CHANGELOG.md` when checking the repository's own `wit/`.
    pub changelog: Option<PathBuf>,
    /// The `@unstable` feature gates to open on both sides (`--features`, `--all-features`);
    /// items behind closed gates are left out and counted.
    pub features: Features,
    /// Renamed worlds (`--world-map old=new`): (baseline name, current name) pairs, so that
    /// the differ and semver_check compare a world with its successor.
    pub world_map: Vec<(String, String)>,
}

/// Runs the gate.
pub fn check(options: &CheckOptions) -> Result<Report, GateError> {
    let cwd = std::env::current_dir().map_err(|source| GateError::Io { path: ".".into(), source })?;
    let repository = match &options.repository {
        Some(dir) if dir.is_dir() => Some(absolute(&cwd, dir)),
        Some(dir) => return Err(GateError::Input(format!("--repo {}: no such directory", dir.display()))),
        None => release::find_repository(&cwd),
    };
    let repository_mode = options.current.is_none();
    let current_dir = match (&options.current, &repository) {
        (Some(dir), _) => absolute(&cwd, dir),
        (None, Some(repo)) => repo.join("wit"),
        (None, None) => {
            return Err(GateError::Input(
                "no repository found (a directory holding `wit/` and `compat/`) above the working directory; \
                 pass --repo DIR, or --current DIR --baseline DIR"
                    .into(),
            ));
        }
    };
    let display_root = repository.clone().unwrap_or_else(|| cwd.clone());
    let base = baseline::resolve(options.baseline.as_deref(), repository.as_deref(), &cwd)?;
    let base_tree = WitTree::load(&base.dir, &base.label, &base.display_prefix, &options.features)?;
    let current_prefix = display_path(&display_root, &current_dir);
    let cur_tree = WitTree::load(&current_dir, &current_prefix, &current_prefix, &options.features)?;
    check_world_map(&options.world_map, &base_tree, &cur_tree)?;

    let mut findings = differ::diff(&base_tree, &cur_tree, &options.world_map);
    let world_checks = ground_truth::check_worlds(&base_tree, &cur_tree, &options.world_map);
    escalate(&mut findings, &world_checks, &cur_tree);
    explain(&mut findings, &world_checks);

    let changelog = options
        .changelog
        .clone()
        .or_else(|| repository.as_ref().filter(|_| repository_mode).map(|r| r.join("CHANGELOG.md")));
    let inputs = policy::PolicyInputs {
        baseline: &base_tree,
        current: &cur_tree,
        changelog: changelog.as_deref(),
        repository: repository.as_deref().filter(|_| repository_mode),
        display_root: &display_root,
    };
    let policy = policy::evaluate(&inputs, &mut findings)?;
    snippet::attach_diffs(&mut findings, &base_tree, &cur_tree);
    sort(&mut findings);
    let unstable = report::UnstableSummary::of(&options.features, &base_tree, &cur_tree);
    Ok(Report::new(&base_tree, &cur_tree, findings, world_checks, policy, unstable))
}

/// The current name of baseline world `name`: its successor by `--world-map`, else itself.
pub(crate) fn successor(world_map: &[(String, String)], name: &str) -> String {
    world_map
        .iter()
        .find(|(old, _)| old == name)
        .map(|(_, new)| new.clone())
        .unwrap_or_else(|| name.to_string())
}

/// Every `--world-map old=new` names a world of the baseline and one of the current side,
/// each at most once.
fn check_world_map(map: &[(String, String)], baseline: &WitTree, current: &WitTree) -> Result<(), GateError> {
    let worlds = |tree: &WitTree| -> Vec<String> {
        tree.resolve.packages[tree.package].worlds.keys().cloned().collect()
    };
    let (base_worlds, cur_worlds) = (worlds(baseline), worlds(current));
    for (index, (old, new)) in map.iter().enumerate() {
        for (name, side, names) in [(old, "baseline", &base_worlds), (new, "current", &cur_worlds)] {
            if !names.contains(name) {
                return Err(GateError::Input(format!(
                    "--world-map {old}={new}: the {side} package has no world `{name}` (its worlds: {})",
                    if names.is_empty() { "none".to_string() } else { names.join(", ") }
                )));
            }
        }
        if map[..index].iter().any(|(o, n)| o == old || n == new) {
            return Err(GateError::Input(format!("--world-map {old}={new}: each world may be mapped once")));
        }
    }
    Ok(())
}

/// Adds `semver-check-rejected` for every world semver_check rejects while the differ
/// found nothing breaking that reaches it.
fn escalate(findings: &mut Vec<Finding>, checks: &[ground_truth::WorldCheck], current: &WitTree) {
    for check in checks {
        if check.outcome != WorldOutcome::Incompatible {
            continue;
        }
        let explained = findings
            .iter()
            .any(|f| f.impact == Impact::Breaking && f.worlds.iter().any(|w| w == &check.world));
        if explained {
            continue;
        }
        let package = &current.resolve.packages[current.package].name;
        let path = format!("{}:{}/{}", package.namespace, package.name, check.world);
        let mut finding = Finding::new(
            "semver-check-rejected",
            path,
            format!(
                "semver_check rejects world `{}` but the differ found no breaking change in it: {}",
                check.world,
                check.message.as_deref().unwrap_or("(no message)")
            ),
        );
        finding.worlds = vec![check.world.clone()];
        findings.push(finding);
    }
}

/// Adds the notes that explain a finding: what it means for the way its data flows, and
/// where semver_check's view differs from the policy.
fn explain(findings: &mut [Finding], checks: &[ground_truth::WorldCheck]) {
    for finding in findings.iter_mut() {
        let rule = finding.rule();
        match finding.flow {
            Some(Flow::GuestSends) => {
                if let Some(text) = rule.when_guest_sends {
                    finding.notes.push(format!("Guests send this data: {text}"));
                }
            }
            Some(Flow::HostReturns) => {
                if let Some(text) = rule.when_host_returns {
                    finding.notes.push(format!("Hosts send this data: {text}"));
                }
            }
            Some(Flow::Both) => {
                for (who, text) in [("Guests", rule.when_guest_sends), ("Hosts", rule.when_host_returns)] {
                    if let Some(text) = text {
                        finding.notes.push(format!("{who} send this data too: {text}"));
                    }
                }
            }
            None => {}
        }
        if finding.impact != Impact::Breaking {
            continue;
        }
        let accepted: Vec<&str> = checks
            .iter()
            .filter(|c| c.outcome == WorldOutcome::Compatible && finding.worlds.contains(&c.world))
            .map(|c| c.world.as_str())
            .collect();
        if finding.worlds.is_empty() && finding.rule != "package-renamed" {
            finding.notes.push(
                "No world of the package carries this item, so semver_check (which checks worlds) cannot \
                 see the change; the policy counts it because the item is part of the published package."
                    .to_string(),
            );
        } else if !accepted.is_empty() {
            let why = match rule.semver_check {
                SemverCheckView::Accepts(why) | SemverCheckView::Depends(why) => why,
                SemverCheckView::Rejects => "it does not see this change in those worlds.",
            };
            finding.notes.push(format!(
                "semver_check accepts world(s) {} with this change: {why} The policy is stricter here: {}",
                accepted.iter().map(|w| format!("`{w}`")).collect::<Vec<_>>().join(", "),
                rule.rationale
            ));
        }
    }
}

/// Orders findings by impact (breaking first), then by path.
fn sort(findings: &mut [Finding]) {
    findings
        .sort_by(|a, b| b.impact.cmp(&a.impact).then_with(|| a.path.cmp(&b.path)).then(a.rule.cmp(b.rule)));
}

fn absolute(cwd: &Path, path: &Path) -> PathBuf {
    let joined = if path.is_absolute() { path.to_path_buf() } else { cwd.join(path) };
    joined.canonicalize().unwrap_or(joined)
}

/// `path` relative to `root` when inside it, else as given.
pub(crate) fn display_path(root: &Path, path: &Path) -> String {
    match path.strip_prefix(root) {
        Ok(relative) if relative.as_os_str().is_empty() => ".".to_string(),
        Ok(relative) => relative.display().to_string(),
        Err(_) => path.display().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ground_truth::WorldCheck;

    fn rejected(world: &str) -> WorldCheck {
        WorldCheck {
            world: world.into(),
            baseline_world: None,
            outcome: WorldOutcome::Incompatible,
            message: Some("type mismatch".into()),
        }
    }

    #[test]
    fn a_rejection_the_differ_did_not_explain_becomes_a_breaking_finding() {
        let mut compatible = Finding::new("function-added", "a:b/i.f", "added");
        compatible.worlds = vec!["w".into()];
        let mut findings = vec![compatible];
        let tree_dir = tempfile::tempdir().unwrap();
        std::fs::write(
            tree_dir.path().join("a.wit"),
            "package a:b@1.0.0;\ninterface i { f: func(); }\nworld w { import i; }\n",
        )
        .unwrap();
        let tree = WitTree::load(tree_dir.path(), "t", "t", &Features::default()).unwrap();
        escalate(&mut findings, &[rejected("w")], &tree);
        assert_eq!(findings.len(), 2);
        assert_eq!(findings[1].rule, "semver-check-rejected");
        assert_eq!(findings[1].impact, Impact::Breaking);
        assert!(findings[1].message.contains("type mismatch"));

        // A breaking finding reaching the world explains the rejection.
        let mut breaking = Finding::new("function-removed", "a:b/i.g", "removed");
        breaking.worlds = vec!["w".into()];
        let mut findings = vec![breaking];
        escalate(&mut findings, &[rejected("w")], &tree);
        assert_eq!(findings.len(), 1);
    }
}
