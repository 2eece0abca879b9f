//! Finding the baseline: `--baseline DIR|VERSION|GIT-REV`, or by default the newest
//! released version in `compat/`.
//!
//! A git revision is read with the `git` command (`ls-tree` and `cat-file`, no checkout):
//! the revision's `wit/` tree is written into a temporary directory that lives as long as
//! the [`ResolvedBaseline`].

use super::{GateError, display_path, release};
use std::path::{Path, PathBuf};
use std::process::Command;

/// A baseline ready to load.
#[derive(Debug)]
pub struct ResolvedBaseline {
    /// The directory holding the baseline's WIT package.
    pub dir: PathBuf,
    /// What reports call it: `compat/0.1.0/wit`, `HEAD~1:wit`, a path.
    pub label: String,
    /// How its file names are shown.
    pub display_prefix: String,
    /// Keeps a git baseline's temporary directory alive.
    _temp: Option<tempfile::TempDir>,
}

/// Resolves `spec` (or the default) to a directory. `repository` is needed for versions,
/// git revisions and the default.
pub fn resolve(
    spec: Option<&str>,
    repository: Option<&Path>,
    cwd: &Path,
) -> Result<ResolvedBaseline, GateError> {
    let display_root = repository.unwrap_or(cwd);
    let from_dir = |dir: PathBuf| {
        let shown = display_path(display_root, &dir);
        ResolvedBaseline { label: shown.clone(), display_prefix: shown, dir, _temp: None }
    };
    let Some(spec) = spec else {
        let repository = repository.ok_or_else(|| {
            GateError::Input(
                "no baseline: pass --baseline DIR|VERSION|GIT-REV, or run inside the repository (which holds \
                 compat/)"
                    .into(),
            )
        })?;
        let newest = release::released_versions(&repository.join("compat"))?.pop().ok_or_else(|| {
            GateError::Input(format!(
                "{} holds no released version (compat/<version>/wit/); pass --baseline",
                repository.join("compat").display()
            ))
        })?;
        return Ok(from_dir(newest.wit_dir));
    };

    // A relative directory is looked up from the working directory, then from the
    // repository (so `compat/0.1.0/wit` works from anywhere inside it).
    let as_path = if Path::new(spec).is_absolute() {
        PathBuf::from(spec)
    } else {
        match repository.map(|r| r.join(spec)) {
            Some(in_repo) if !cwd.join(spec).is_dir() && in_repo.is_dir() => in_repo,
            _ => cwd.join(spec),
        }
    };
    if as_path.is_dir() {
        let has_wit_files = std::fs::read_dir(&as_path)
            .map_err(|source| GateError::Io { path: as_path.clone(), source })?
            .filter_map(Result::ok)
            .any(|e| e.path().extension().is_some_and(|x| x == "wit"));
        let dir = if !has_wit_files && as_path.join("wit").is_dir() { as_path.join("wit") } else { as_path };
        return Ok(from_dir(dir.canonicalize().unwrap_or(dir)));
    }

    let released = match repository {
        Some(repo) => release::released_versions(&repo.join("compat"))?,
        None => Vec::new(),
    };
    if let Ok(version) = semver::Version::parse(spec.trim_start_matches('v')) {
        return match released.into_iter().find(|r| r.version == version) {
            Some(release) => Ok(from_dir(release.wit_dir)),
            None => Err(GateError::Input(format!(
                "--baseline {spec}: no released version {version} in compat/ ({})",
                released_list(repository)
            ))),
        };
    }

    let git_dir = repository.unwrap_or(cwd);
    match git_tree(git_dir, spec) {
        Ok((temp, dir)) => {
            let label = format!("{spec}:wit");
            Ok(ResolvedBaseline { dir, label: label.clone(), display_prefix: label, _temp: Some(temp) })
        }
        Err(git_message) => Err(GateError::Input(format!(
            "--baseline {spec}: not a directory, not a released version ({}), and not a git revision of {}: \
             {git_message}",
            released_list(repository),
            git_dir.display()
        ))),
    }
}

fn released_list(repository: Option<&Path>) -> String {
    let versions = repository
        .and_then(|r| release::released_versions(&r.join("compat")).ok())
        .unwrap_or_default()
        .into_iter()
        .map(|r| r.version.to_string())
        .collect::<Vec<_>>();
    if versions.is_empty() {
        "none released".to_string()
    } else {
        format!("released: {}", versions.join(", "))
    }
}

/// Writes the `wit/` tree of git revision `rev` of the repository at `dir` into a new
/// temporary directory; returns it and the `wit` directory inside it.
fn git_tree(dir: &Path, rev: &str) -> Result<(tempfile::TempDir, PathBuf), String> {
    let commit = git(dir, &["rev-parse", "--verify", "--quiet", &format!("{rev}^{{commit}}")])
        .map_err(|e| if e.is_empty() { "git does not know this revision".to_string() } else { e })?;
    let commit = String::from_utf8_lossy(&commit).trim().to_string();
    let listing = git(dir, &["ls-tree", "-r", "-z", "--name-only", &commit, "--", "wit"])?;
    let files: Vec<String> = listing
        .split(|b| *b == 0)
        .filter(|p| !p.is_empty())
        .map(|p| String::from_utf8_lossy(p).into_owned())
        .collect();
    if files.is_empty() {
        return Err(format!("revision {rev} has no wit/ directory"));
    }
    let temp = tempfile::Builder::new().prefix("alga-gate-baseline-").tempdir().map_err(|e| e.to_string())?;
    for file in &files {
        let bytes = git(dir, &["cat-file", "blob", &format!("{commit}:./{file}")])?;
        let target = temp.path().join(file);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(|e| format!("creating {}: {e}", parent.display()))?;
        }
        std::fs::write(&target, bytes).map_err(|e| format!("writing {}: {e}", target.display()))?;
    }
    let wit = temp.path().join("wit");
    Ok((temp, wit))
}

/// Runs git in `dir`; returns its standard output, or its standard error as the error.
fn git(dir: &Path, args: &[&str]) -> Result<Vec<u8>, String> {
    let output = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if output.status.success() {
        Ok(output.stdout)
    } else {
        Err(String::from_utf8_lossy(&output.stderr).trim().to_string())
    }
}
