//! Released versions: the frozen WIT trees in `compat/<version>/wit/`, the files that make
//! up a WIT tree, and CHANGELOG entries.

use super::GateError;
use std::path::{Path, PathBuf};

/// The nearest ancestor of `start` (itself included) that holds `wit/` and `compat/`.
pub fn find_repository(start: &Path) -> Option<PathBuf> {
    start
        .ancestors()
        .find(|dir| dir.join("wit").is_dir() && dir.join("compat").is_dir())
        .map(Path::to_path_buf)
}

/// A released version and the directory of its frozen WIT.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Release {
    /// The version.
    pub version: semver::Version,
    /// `compat/<version>/wit`.
    pub wit_dir: PathBuf,
}

/// Every `compat/<version>/wit` under `compat_dir`, oldest first. Entries whose name is not
/// a version (e.g. `cases`, `src`) are not releases.
pub fn released_versions(compat_dir: &Path) -> Result<Vec<Release>, GateError> {
    let io = |source| GateError::Io { path: compat_dir.to_path_buf(), source };
    let mut releases = Vec::new();
    for entry in std::fs::read_dir(compat_dir).map_err(io)? {
        let entry = entry.map_err(io)?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let Ok(version) = semver::Version::parse(&name) else { continue };
        let wit_dir = entry.path().join("wit");
        if wit_dir.is_dir() {
            releases.push(Release { version, wit_dir });
        }
    }
    releases.sort_by(|a, b| a.version.cmp(&b.version));
    Ok(releases)
}

/// Whether a Keep a Changelog file has a section for `version`: a line `## [X.Y.Z]`,
/// optionally followed by ` - date` (or `## X.Y.Z`).
pub fn changelog_has_entry(changelog: &str, version: &semver::Version) -> bool {
    changelog_entry_line(changelog, version).is_some()
}

/// The 1-based line of the CHANGELOG section for `version`, if any.
pub fn changelog_entry_line(changelog: &str, version: &semver::Version) -> Option<usize> {
    let version = version.to_string();
    changelog
        .lines()
        .position(|line| {
            let Some(heading) = line.strip_prefix("## ") else { return false };
            let heading = heading.trim();
            let name = match heading.strip_prefix('[') {
                Some(rest) => rest.split(']').next().unwrap_or(""),
                None => heading.split_whitespace().next().unwrap_or(""),
            };
            name == version
        })
        .map(|index| index + 1)
}

/// The files of a WIT tree: every `*.wit` file in `dir` and, recursively, in `dir/deps/`
/// (plus `*.wasm`/`*.wat` packages there), as paths relative to `dir` with `/`
/// separators, sorted, with their bytes. This is what "the WIT of a version" means when
/// trees are compared or hashed.
pub fn wit_files(dir: &Path) -> Result<Vec<(String, Vec<u8>)>, GateError> {
    let mut files = Vec::new();
    collect(dir, dir, &mut files)?;
    files.sort();
    Ok(files)
}

fn collect(root: &Path, dir: &Path, files: &mut Vec<(String, Vec<u8>)>) -> Result<(), GateError> {
    fn io(path: &Path) -> impl FnOnce(std::io::Error) -> GateError + '_ {
        move |source| GateError::Io { path: path.to_path_buf(), source }
    }
    for entry in std::fs::read_dir(dir).map_err(io(dir))? {
        let path = entry.map_err(io(dir))?.path();
        if path.is_dir() {
            // Only `deps/` (and what is under it) holds more of the tree.
            let under_deps = path.strip_prefix(root).is_ok_and(|r| r.starts_with("deps"));
            if under_deps {
                collect(root, &path, files)?;
            }
            continue;
        }
        let wanted = match path.extension().and_then(|e| e.to_str()) {
            Some("wit") => true,
            Some("wasm" | "wat") => path.strip_prefix(root).is_ok_and(|r| r.starts_with("deps")),
            _ => false,
        };
        if wanted {
            let bytes = std::fs::read(&path).map_err(io(&path))?;
            let relative = path.strip_prefix(root).expect("under root").to_string_lossy().replace('\\', "/");
            files.push((relative, bytes));
        }
    }
    Ok(())
}

/// How two WIT trees differ, in words (every file that differs or exists on one side only,
/// e.g. `services.wit, types.wit differ`), or `None` when they are byte-for-byte the same.
pub fn tree_difference(a: &Path, b: &Path) -> Result<Option<String>, GateError> {
    let (left, right) = (wit_files(a)?, wit_files(b)?);
    let mut differ = Vec::new();
    let mut only = Vec::new();
    for (name, bytes) in &left {
        match right.iter().find(|(n, _)| n == name) {
            None => only.push(format!("{name} exists only in {}", a.display())),
            Some((_, other)) if other != bytes => differ.push(name.as_str()),
            Some(_) => {}
        }
    }
    for (name, _) in &right {
        if !left.iter().any(|(n, _)| n == name) {
            only.push(format!("{name} exists only in {}", b.display()));
        }
    }
    let mut parts = Vec::new();
    match differ.as_slice() {
        [] => {}
        [one] => parts.push(format!("{one} differs")),
        many => parts.push(format!("{} differ", many.join(", "))),
    }
    parts.extend(only);
    Ok((!parts.is_empty()).then(|| parts.join("; ")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changelog_sections_are_found_by_version() {
        let text = "# Changelog\n\n## [Unreleased]\n\n## [0.2.0] - 2026-12-01\n\n## [0.1.0]\n## 0.0.9\n";
        let v = |s: &str| semver::Version::parse(s).unwrap();
        assert_eq!(changelog_entry_line(text, &v("0.2.0")), Some(5));
        assert_eq!(changelog_entry_line(text, &v("0.1.0")), Some(7));
        assert_eq!(changelog_entry_line(text, &v("0.0.9")), Some(8));
        assert!(!changelog_has_entry(text, &v("0.1.1")));
        // A link reference at the bottom is not a section.
        assert!(!changelog_has_entry("[0.3.0]: https://example.com\n", &v("0.3.0")));
    }

    #[test]
    fn a_tree_difference_names_every_file() {
        let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        for (dir, text) in [(&a, "a"), (&b, "b")] {
            for name in ["types.wit", "services.wit", "world.wit"] {
                let body = if name == "world.wit" { "same" } else { text };
                std::fs::write(dir.path().join(name), body).unwrap();
            }
        }
        std::fs::write(a.path().join("extra.wit"), "x").unwrap();
        let text = tree_difference(a.path(), b.path()).unwrap().unwrap();
        assert!(text.starts_with("services.wit, types.wit differ; extra.wit exists only in"), "{text}");
        assert_eq!(tree_difference(b.path(), b.path()).unwrap(), None);
    }
}
