//! Embeds the frozen WIT of every released contract version (`../compat/<version>/wit/`)
//! so that `alga-conformance probe --version V` and `run --version V` work from an
//! installed binary, with no checkout at hand. The files are embedded unchanged
//! (`include_str!`), not copied: `compat/` stays their only home. Without a `compat/`
//! directory (a packaged crate) only the current contract version is available.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn main() {
    let manifest_dir = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let out_dir = PathBuf::from(std::env::var("OUT_DIR").expect("set by cargo"));
    let compat = manifest_dir.join("..").join("compat");
    println!("cargo:rerun-if-changed={}", compat.display());

    let mut code = String::from(
        "/// Every frozen version under `compat/`, sorted by directory name.\npub static FROZEN: &[FrozenVersion] = &[\n",
    );
    for (version, wit_dir) in frozen_versions(&compat) {
        println!("cargo:rerun-if-changed={}", wit_dir.display());
        let _ = writeln!(code, "    FrozenVersion {{ version: {version:?}, files: &[");
        for file in wit_files(&wit_dir) {
            println!("cargo:rerun-if-changed={}", file.display());
            let name = file.file_name().and_then(|n| n.to_str()).expect("utf-8 file name");
            let _ = writeln!(code, "        ({name:?}, include_str!({:?})),", file.display().to_string());
        }
        code.push_str("    ] },\n");
    }
    code.push_str("];\n");
    std::fs::write(out_dir.join("frozen_wit.rs"), code).expect("write frozen_wit.rs");
}

/// `(version, wit dir)` for every `compat/<version>/wit` directory.
fn frozen_versions(compat: &Path) -> Vec<(String, PathBuf)> {
    let Ok(entries) = std::fs::read_dir(compat) else { return Vec::new() };
    let mut versions: Vec<(String, PathBuf)> = entries
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let name = entry.file_name().to_str()?.to_string();
            let wit = entry.path().join("wit");
            let looks_like_version =
                name.split('.').count() == 3 && name.split('.').all(|p| p.parse::<u64>().is_ok());
            (looks_like_version && wit.is_dir()).then_some((name, wit))
        })
        .collect();
    versions.sort();
    versions
}

fn wit_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == "wit"))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}
