//! The crate version, the WIT package version and the constants are one fact.

use alga_extension_contract::{CONTRACT_VERSION, WIT_PACKAGE, wit};
use std::path::Path;

#[test]
fn crate_version_wit_version_and_constants_agree() {
    let contract = wit::contract().unwrap();
    let name = &contract.resolve.packages[contract.package].name;
    let wit_version = name.version.as_ref().expect("the WIT package is versioned").to_string();
    assert_eq!(
        wit_version,
        env!("CARGO_PKG_VERSION"),
        "wit/ and contract/Cargo.toml disagree on the version"
    );
    assert_eq!(CONTRACT_VERSION, wit_version);
    assert_eq!(wit::WIT_PACKAGE_VERSION, wit_version);
    assert_eq!(WIT_PACKAGE, name.to_string());
    assert_eq!(format!("{}@{}", wit::WIT_PACKAGE_NAME, wit::WIT_PACKAGE_VERSION), WIT_PACKAGE);
}

#[test]
fn the_version_is_declared_once_in_the_wit() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../wit");
    let declaring: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "wit"))
        .filter(|p| {
            std::fs::read_to_string(p).unwrap().lines().any(|l| l.trim_start().starts_with("package "))
        })
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(declaring, vec!["world.wit".to_string()], "exactly one file declares `package ...@version;`");
}
