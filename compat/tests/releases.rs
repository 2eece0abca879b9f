//! Released versions are frozen: their WIT never changes, each has a CHANGELOG.md section,
//! and `wit/` declaring a released version is byte-for-byte that release's frozen copy.

use alga_compat::{compat_dir, recorded_releases, releases, repository_dir, tree_sha256, wit_files};
use alga_extension_contract::gate::release::{changelog_entry_line, tree_difference};

#[test]
fn frozen_wit_of_every_release_is_unchanged() {
    let recorded = recorded_releases();
    let on_disk = releases();
    assert!(!on_disk.is_empty(), "compat/ holds no release (compat/<version>/wit/)");
    for release in &on_disk {
        let actual = tree_sha256(&release.wit_dir);
        let entry = recorded.iter().find(|r| r.version == release.version).unwrap_or_else(|| {
            panic!(
                "compat/{v}/wit/ has no entry in compat/releases.toml; add:\n\n[[release]]\nversion = \"{v}\"\nwit-sha256 = \"{actual}\"\n",
                v = release.version
            )
        });
        assert_eq!(
            entry.wit_sha256, actual,
            "the frozen WIT of released version {} (compat/{}/wit/) changed; a release is never edited. \
             Restore it (git checkout -- compat/{}/wit) and put the change into a new version.",
            release.version, release.version, release.version
        );
    }
    for entry in &recorded {
        assert!(
            on_disk.iter().any(|r| r.version == entry.version),
            "compat/releases.toml records {} but compat/{}/wit/ does not exist",
            entry.version,
            entry.version
        );
    }
}

#[test]
fn every_release_has_a_changelog_section() {
    let path = repository_dir().join("CHANGELOG.md");
    let changelog =
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    for release in releases() {
        assert!(
            changelog_entry_line(&changelog, &release.version).is_some(),
            "released version {} has no section `## [{}]` in CHANGELOG.md",
            release.version,
            release.version
        );
    }
}

#[test]
fn wit_declaring_a_released_version_is_that_release() {
    let contract = alga_extension_contract::wit::contract().expect("the contract's WIT parses");
    let version = contract.resolve.packages[contract.package].name.version.clone().expect("versioned");
    let wit = repository_dir().join("wit");
    match releases().into_iter().find(|r| r.version == version) {
        Some(release) => {
            let difference = tree_difference(&wit, &release.wit_dir).expect("both trees are readable");
            assert_eq!(
                difference, None,
                "wit/ declares the released version {version} but differs from compat/{version}/wit/; \
                 give the change a new version (see docs/changing-the-contract.md)"
            );
        }
        None => {
            // An unreleased version must be newer than every release.
            let newest = releases().pop().expect("at least one release").version;
            assert!(
                version > newest,
                "wit/ declares {version}, which is neither released nor newer than {newest}"
            );
        }
    }
}

#[test]
fn tree_hash_covers_names_and_contents() {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path();
    std::fs::write(dir.join("a.wit"), "package a:b;\ninterface i {}\n").unwrap();
    let original = tree_sha256(dir);
    std::fs::write(dir.join("a.wit"), "package a:b;\ninterface j {}\n").unwrap();
    let edited = tree_sha256(dir);
    assert_ne!(original, edited, "editing a file changes the hash");
    std::fs::rename(dir.join("a.wit"), dir.join("b.wit")).unwrap();
    assert_ne!(edited, tree_sha256(dir), "renaming a file changes the hash");
    // Files that are not WIT do not count.
    std::fs::write(dir.join("notes.txt"), "x").unwrap();
    assert_eq!(wit_files(dir).unwrap().len(), 1);
    assert!(compat_dir().join("releases.toml").is_file());
}
