//! The released versions of `alga:extension` and the breaking-change corpus, with the
//! helpers the compatibility tests share.
//!
//! | path | what it holds |
//! |---|---|
//! | `compat/<version>/wit/` | the frozen WIT of each release, never edited |
//! | `compat/releases.toml` | one entry per release: the SHA-256 of its frozen WIT ([`tree_sha256`]) |
//! | `compat/cases/<case>/` | a WIT change: `before/`, `after/`, `expected.toml` ([`Expected`]), optionally `CHANGELOG.md` |
//! | `compat/real-world/` | releases of packages this project does not own (WASI's `wasi:http` 0.2.0, 0.2.12, 0.3.0) |
//!
//! The tests: `releases` (frozen trees unchanged, every release in CHANGELOG.md, `wit/`
//! equal to its release's copy), `corpus` (the gate on every case, the differential test
//! against `semver_check`, every rule covered), `real_world` (the gate on `wasi:http`
//! releases with their `deps/`, and the length of the default report), `self_comparison`
//! (every package here, and generated ones, compared with itself gives no finding),
//! `old_guests` (each release's probe guest
//! on the current reference host) and `version_matching` (wasmtime's linker matches
//! versions the way SPEC.md section 10 relies on).

use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub use alga_extension_contract::gate::release::{Release, released_versions, wit_files};

/// The `compat/` directory.
pub fn compat_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The repository root (holding `wit/`, `compat/`, `CHANGELOG.md`).
pub fn repository_dir() -> PathBuf {
    compat_dir().parent().expect("compat/ lies in the repository").to_path_buf()
}

/// Every released version, oldest first.
pub fn releases() -> Vec<Release> {
    released_versions(&compat_dir()).expect("compat/ is readable")
}

/// One entry of `compat/releases.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RecordedRelease {
    /// The released version.
    pub version: semver::Version,
    /// [`tree_sha256`] of `compat/<version>/wit/` when it was released.
    pub wit_sha256: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ReleasesFile {
    release: Vec<RecordedRelease>,
}

/// The entries of `compat/releases.toml`.
pub fn recorded_releases() -> Vec<RecordedRelease> {
    let path = compat_dir().join("releases.toml");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    let file: ReleasesFile =
        toml::from_str(&text).unwrap_or_else(|e| panic!("{} is malformed: {e}", path.display()));
    file.release
}

/// The SHA-256 of a WIT tree, in hex: over the files [`wit_files`] lists (sorted relative
/// paths), each fed as its path, a NUL byte, its length in decimal, a NUL byte and its
/// bytes. Renaming, adding, removing or editing any file changes it.
pub fn tree_sha256(dir: &Path) -> String {
    let mut hasher = Sha256::new();
    for (name, bytes) in wit_files(dir).unwrap_or_else(|e| panic!("reading {}: {e}", dir.display())) {
        hasher.update(name.as_bytes());
        hasher.update([0]);
        hasher.update(bytes.len().to_string().as_bytes());
        hasher.update([0]);
        hasher.update(&bytes);
    }
    hasher.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// What the gate must report for one corpus case (`compat/cases/<case>/expected.toml`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Expected {
    /// What the case changes.
    pub description: String,
    /// The rule id of every finding, sorted (with repetitions).
    pub rules: Vec<String>,
    /// The bump the changes need: `none`, `patch`, `minor`, `major`.
    pub required_bump: String,
    /// `pass` or `fail`.
    pub verdict: String,
    /// The policy rules broken, in the gate's order.
    pub violations: Vec<String>,
    /// semver_check's verdict per world (by its current name): `compatible`,
    /// `incompatible`, or `error` when semver_check cannot check the world.
    pub semver_check: BTreeMap<String, String>,
    /// `--world-map OLD=NEW` arguments the case is checked with.
    #[serde(default)]
    pub world_map: Vec<String>,
    /// `--features NAME` arguments the case is checked with.
    #[serde(default)]
    pub features: Vec<String>,
}

impl Expected {
    /// [`Expected::world_map`] as (baseline name, current name) pairs.
    ///
    /// # Panics
    ///
    /// When an entry is not `OLD=NEW`.
    pub fn world_pairs(&self) -> Vec<(String, String)> {
        self.world_map
            .iter()
            .map(|entry| {
                let (old, new) =
                    entry.split_once('=').unwrap_or_else(|| panic!("world-map `{entry}` is not OLD=NEW"));
                (old.to_string(), new.to_string())
            })
            .collect()
    }
}

/// One corpus case.
#[derive(Debug, Clone)]
pub struct Case {
    /// The directory name.
    pub name: String,
    /// `compat/cases/<name>`.
    pub dir: PathBuf,
    /// Its expectations.
    pub expected: Expected,
}

impl Case {
    /// The WIT before the change.
    pub fn before(&self) -> PathBuf {
        self.dir.join("before")
    }

    /// The WIT after the change.
    pub fn after(&self) -> PathBuf {
        self.dir.join("after")
    }

    /// The case's CHANGELOG, if it has one.
    pub fn changelog(&self) -> Option<PathBuf> {
        Some(self.dir.join("CHANGELOG.md")).filter(|p| p.is_file())
    }
}

/// Every case of the corpus, by name.
pub fn cases() -> Vec<Case> {
    let root = compat_dir().join("cases");
    let mut cases: Vec<Case> = std::fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("reading {}: {e}", root.display()))
        .map(|entry| entry.expect("a readable directory entry").path())
        .filter(|path| path.is_dir())
        .map(|dir| {
            let name = dir.file_name().expect("a named directory").to_string_lossy().into_owned();
            let file = dir.join("expected.toml");
            let text =
                std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("reading {}: {e}", file.display()));
            let expected =
                toml::from_str(&text).unwrap_or_else(|e| panic!("{} is malformed: {e}", file.display()));
            Case { name, dir, expected }
        })
        .collect();
    cases.sort_by(|a, b| a.name.cmp(&b.name));
    cases
}
