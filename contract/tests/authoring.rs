//! What extension authors get from the contract, checked against the WIT it comes from:
//!
//! - the typed packages `packages/extension-types/<version>/` (npm `@alga-psa/extension-types`,
//!   one per released contract version): `index.d.ts` equals `alga-contract types --wit
//!   compat/<version>/wit`, `package.json` names the version, and `npm pack` accepts the
//!   directory with the declarations and README in it;
//! - the generated reference `docs/reference/<version>.md`: equals `alga-contract reference`
//!   of that version's WIT.
//!
//! Every released version in `compat/` must have both. To update the files after a WIT or
//! SPEC.md change:
//!
//! ```sh
//! ALGA_UPDATE_TYPES=1 ALGA_UPDATE_REFERENCE=1 cargo test -p alga-extension-contract --test authoring
//! ```

use std::path::{Path, PathBuf};
use std::process::Command;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").canonicalize().unwrap()
}

/// Every released version frozen in `compat/`, oldest first.
fn released_versions() -> Vec<String> {
    let mut versions: Vec<String> = std::fs::read_dir(repo().join("compat"))
        .unwrap()
        .map(|entry| entry.unwrap())
        .filter(|entry| entry.path().join("wit").is_dir())
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .collect();
    versions.sort_by_key(|v| semver::Version::parse(v).unwrap_or_else(|_| panic!("compat/{v} is a version")));
    assert!(versions.len() >= 2, "compat/ holds the releases: {versions:?}");
    versions
}

/// Runs `alga-contract` in the repository root and returns its standard output.
fn alga_contract(args: &[&str]) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_alga-contract"))
        .current_dir(repo())
        .args(args)
        .output()
        .expect("alga-contract runs");
    assert!(
        output.status.success(),
        "alga-contract {args:?} failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("UTF-8 output")
}

/// Compares `generated` with the committed `path`, or writes it when `update` is set;
/// returns a diff when they differ.
fn compare(path: &Path, generated: &str, update: bool) -> Option<String> {
    if update {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, generated).unwrap();
        return None;
    }
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    (committed != generated).then(|| {
        let diff = similar::TextDiff::from_lines(committed.as_str(), generated)
            .unified_diff()
            .header("committed", "generated from the WIT")
            .to_string();
        format!("{}:\n{diff}", path.display())
    })
}

#[test]
fn every_typed_package_matches_the_wit_of_its_version() {
    let update = std::env::var_os("ALGA_UPDATE_TYPES").is_some();
    let mut stale = Vec::new();
    for version in released_versions() {
        let dir = repo().join("packages/extension-types").join(&version);
        let wit = format!("compat/{version}/wit");
        let generated = alga_contract(&["types", "--wit", &wit]);
        assert!(
            generated.contains(&format!("declare module 'alga:extension/clients@{version}'")),
            "{version}"
        );
        assert!(generated.contains("export function listClients("), "{version}");
        stale.extend(compare(&dir.join("index.d.ts"), &generated, update));

        let package: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join("package.json")).unwrap()).unwrap();
        assert_eq!(package["name"], "@alga-psa/extension-types", "{version}");
        assert_eq!(package["version"], version.as_str(), "the package's version is the contract's");
        assert_eq!(package["types"], "index.d.ts", "{version}");
        let readme = std::fs::read_to_string(dir.join("README.md")).unwrap();
        assert!(readme.starts_with(&format!("# @alga-psa/extension-types {version}\n")), "{version}");
    }
    assert!(
        stale.is_empty(),
        "typed packages out of date with their WIT; regenerate them with\n  ALGA_UPDATE_TYPES=1 cargo test -p \
         alga-extension-contract --test authoring\n\n{}",
        stale.join("\n")
    );
}

#[test]
fn the_newest_typed_package_is_the_current_contract() {
    // The package of the version in wit/ is generated from compat/<version>/wit: the two
    // must be the same release (the gate refuses edits of a released version).
    let newest = released_versions().pop().unwrap();
    assert_eq!(newest, alga_extension_contract::CONTRACT_VERSION);
    assert_eq!(
        alga_contract(&["types", "--wit", &format!("compat/{newest}/wit")])
            .lines()
            .skip(3)
            .collect::<Vec<_>>(),
        alga_contract(&["types", "--wit", "wit"]).lines().skip(3).collect::<Vec<_>>(),
        "the declarations (after the header naming the source) of wit/ and compat/{newest}/wit"
    );
}

#[test]
fn npm_pack_accepts_every_typed_package() {
    for version in released_versions() {
        let dir = repo().join("packages/extension-types").join(&version);
        let output = Command::new("npm")
            .args(["pack", "--dry-run", "--json"])
            .current_dir(&dir)
            .output()
            .expect("npm runs (Node 20 and npm are required to test the packages)");
        assert!(
            output.status.success(),
            "npm pack in {}:\n{}",
            dir.display(),
            String::from_utf8_lossy(&output.stderr)
        );
        let packed: serde_json::Value = serde_json::from_slice(&output.stdout).expect("npm pack --json");
        let packed = &packed[0];
        assert_eq!(packed["name"], "@alga-psa/extension-types");
        assert_eq!(packed["version"], version.as_str());
        let mut files: Vec<&str> =
            packed["files"].as_array().unwrap().iter().map(|f| f["path"].as_str().unwrap()).collect();
        files.sort();
        assert_eq!(files, ["README.md", "index.d.ts", "package.json"], "{version}");
    }
}

#[test]
fn the_reference_of_every_version_matches_its_wit_and_spec() {
    let update = std::env::var_os("ALGA_UPDATE_REFERENCE").is_some();
    let mut stale = Vec::new();
    for version in released_versions() {
        let generated = alga_contract(&["reference", "--wit", &format!("compat/{version}/wit")]);
        assert!(generated.starts_with(&format!("# `alga:extension@{version}` reference\n")), "{version}");
        for function in alga_extension_contract::FUNCTIONS {
            assert!(generated.contains(&format!("### function `{}`", function.name)), "{version}");
        }
        assert!(generated.contains("[PAGE-1](../../SPEC.md#6-listing)"), "rule IDs are linked:\n{generated}");
        stale.extend(compare(
            &repo().join("docs/reference").join(format!("{version}.md")),
            &generated,
            update,
        ));
    }
    assert!(
        stale.is_empty(),
        "the reference is out of date with the WIT or SPEC.md; regenerate it with\n  ALGA_UPDATE_REFERENCE=1 \
         cargo test -p alga-extension-contract --test authoring\n\n{}",
        stale.join("\n")
    );
}

#[test]
fn types_and_reference_name_what_is_wrong_with_their_input() {
    let run = |args: &[&str]| {
        let output = Command::new(env!("CARGO_BIN_EXE_alga-contract"))
            .current_dir(repo())
            .args(args)
            .output()
            .unwrap();
        (output.status.code().unwrap(), String::from_utf8_lossy(&output.stderr).into_owned())
    };
    let (code, stderr) = run(&["types", "--wit", "no/such/dir"]);
    assert_eq!(code, 101);
    assert!(stderr.contains("no/such/dir is not a directory of .wit files"), "{stderr}");

    let (code, stderr) = run(&["types", "--wit", "reference-host/wit", "--world", "nope"]);
    assert_eq!(code, 101);
    assert!(stderr.contains("its worlds: extension"), "{stderr}");

    let (code, stderr) = run(&["reference", "--spec", "README.md"]);
    assert_eq!(code, 101);
    assert!(stderr.contains("README.md states no rule"), "{stderr}");
}
