//! The WIT ships inside the published crate, and the shipped copy is the one in `wit/`:
//! `contract/wit` is a symlink that `cargo package` follows, so there is no second copy in
//! the repository to keep in step, and this test proves the packaged bytes equal `wit/`
//! (and those of `wit-0.1.0`, the older track served, equal `compat/0.1.0/wit`).

use std::path::{Path, PathBuf};
use std::process::Command;

fn workspace_wit() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join("wit")
}

fn wit_files(dir: &Path) -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "wit"))
        .map(|p| {
            (p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read_to_string(&p).unwrap())
        })
        .collect();
    files.sort();
    files
}

#[test]
fn embedded_sources_equal_wit_dir() {
    let on_disk = wit_files(&workspace_wit());
    let embedded: Vec<(String, String)> = alga_extension_contract::wit::WIT_FILES
        .iter()
        .map(|f| (f.name.to_string(), f.source.to_string()))
        .collect();
    assert_eq!(embedded, on_disk, "the crate embeds a WIT different from wit/ (rebuild?)");
}

#[test]
fn packaged_crate_carries_exactly_the_wit_of_wit_dir() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let target = tempfile::tempdir().unwrap();
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml");
    let output = Command::new(&cargo)
        .args(["package", "--no-verify", "--allow-dirty", "--offline", "--manifest-path"])
        .arg(&manifest)
        .arg("--target-dir")
        .arg(target.path())
        .output()
        .unwrap();
    assert!(output.status.success(), "cargo package failed:\n{}", String::from_utf8_lossy(&output.stderr));

    let crate_file = target
        .path()
        .join("package")
        .join(format!("alga-extension-contract-{}.crate", env!("CARGO_PKG_VERSION")));
    let unpacked = tempfile::tempdir().unwrap();
    let status =
        Command::new("tar").arg("-xzf").arg(&crate_file).arg("-C").arg(unpacked.path()).status().unwrap();
    assert!(status.success(), "unpacking {}", crate_file.display());
    let root = unpacked.path().join(format!("alga-extension-contract-{}", env!("CARGO_PKG_VERSION")));

    let packaged = wit_files(&root.join("wit"));
    assert!(!packaged.is_empty(), "the packaged crate has no wit/*.wit");
    assert_eq!(packaged, wit_files(&workspace_wit()), "the packaged WIT differs from wit/");
    assert!(!root.join("wit").is_symlink(), "the package holds real files, not a symlink");
    // The older track the crate serves (its bindings are generated from it at build time).
    let frozen = Path::new(env!("CARGO_MANIFEST_DIR")).join("../compat/0.1.0/wit");
    assert_eq!(wit_files(&root.join("wit-0.1.0")), wit_files(&frozen), "the packaged 0.1.0 WIT");
    assert!(!root.join("wit-0.1.0").is_symlink(), "the package holds real files, not a symlink");
    assert_eq!(
        std::fs::read_to_string(root.join("SPEC.md")).unwrap(),
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../SPEC.md")).unwrap()
    );
}
