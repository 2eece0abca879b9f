//! The oracle reads SPEC.md on its own: no file under `src/oracle/` may use the reference
//! host or store, nor the contract crate's `input` and `summary` modules (the host-side
//! readings of the same rules). From the contract crate only the serde types (`types`),
//! the names of functions, capabilities and permissions, and the version are allowed.

use std::path::{Path, PathBuf};

/// What the oracle may name inside `alga_extension_contract`.
const ALLOWED: &[&str] = &[
    "types",
    "CONTRACT_VERSION",
    "CAP_CLIENT_READ",
    "CAP_SERVICE_READ",
    "PERMISSION_CLIENT_READ",
    "PERMISSION_SERVICE_READ",
    "Permission",
    "ContractFunction",
    "FUNCTIONS",
    "function",
];

/// Crates the oracle must never use.
const FORBIDDEN_CRATES: &[&str] = &["alga_reference_host", "alga_reference_store"];

fn rust_files(dir: &Path, into: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, into);
        } else if path.extension().is_some_and(|e| e == "rs") {
            into.push(path);
        }
    }
}

/// The names used right after `alga_extension_contract::` in `source`, including each
/// name of a `{...}` group (nested groups flattened), plus `as` renames of the crate.
fn contract_names(source: &str) -> Vec<String> {
    let mut names = Vec::new();
    let needle = "alga_extension_contract";
    let mut rest = source;
    while let Some(at) = rest.find(needle) {
        rest = &rest[at + needle.len()..];
        let after = rest.trim_start();
        if let Some(path) = after.strip_prefix("::") {
            let path = path.trim_start();
            if let Some(group) = path.strip_prefix('{') {
                // Split the group's top-level items; each item's first segment is the name
                // used inside the crate.
                let mut depth = 0;
                let mut item = String::new();
                for c in group.chars() {
                    match c {
                        '{' => depth += 1,
                        '}' if depth == 0 => break,
                        '}' => depth -= 1,
                        ',' if depth == 0 => {
                            names.extend(first_segment(&item));
                            item.clear();
                            continue;
                        }
                        _ => {}
                    }
                    item.push(c);
                }
                names.extend(first_segment(&item));
            } else {
                let name: String = path.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
                names.push(name);
            }
        } else if after.starts_with("as ") {
            names.push("<the crate renamed with `as`>".to_string());
        } else if after.starts_with(';') || after.starts_with(',') {
            names.push("<the crate imported whole>".to_string());
        }
    }
    names
}

/// The first path segment of a use-tree item (`types::{A, B}` gives `types`); nothing for
/// `self` or an empty item.
fn first_segment(item: &str) -> Option<String> {
    let name: String = item.trim().chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
    (!name.is_empty() && name != "self").then_some(name)
}

#[test]
fn the_oracle_reads_spec_md_on_its_own() {
    let oracle_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/oracle");
    let mut files = Vec::new();
    rust_files(&oracle_dir, &mut files);
    assert!(files.len() >= 5, "expected the oracle's files under {}", oracle_dir.display());
    let mut problems = Vec::new();
    for file in &files {
        let source = std::fs::read_to_string(file).unwrap();
        for name in FORBIDDEN_CRATES {
            if source.contains(name) {
                problems.push(format!("{} uses {name}", file.display()));
            }
        }
        for name in contract_names(&source) {
            if !ALLOWED.contains(&name.as_str()) {
                problems.push(format!("{} uses alga_extension_contract::{name}", file.display()));
            }
        }
    }
    assert!(problems.is_empty(), "the oracle must not use the host-side readings of SPEC.md: {problems:#?}");
}

#[test]
fn the_scanner_sees_every_form_of_import() {
    let sneaky = "use alga_extension_contract::input::trim;\nuse alga_extension_contract::{types::X, summary};\nuse alga_extension_contract as c;\nfn f() { alga_extension_contract :: summary::tag_list(x) }\nuse alga_extension_contract::{types::{A, B}, input::{self, trim}};";
    assert_eq!(
        contract_names(sneaky),
        ["input", "types", "summary", "<the crate renamed with `as`>", "summary", "types", "input"]
    );
}
