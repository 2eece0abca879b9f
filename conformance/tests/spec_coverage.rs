//! Every rule of SPEC.md has a check, every check names rules SPEC.md has, and their levels
//! agree (as wasmtime fails its build when a guest test has no host test). SPEC.md is read
//! from the repository, not from the copy embedded in the suite, so an edit to SPEC.md
//! fails this test until the registry follows.

use alga_conformance::checks::REGISTRY;
use alga_conformance::spec;
use std::collections::{BTreeMap, BTreeSet};

fn spec_rules() -> Vec<spec::Rule> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../SPEC.md");
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"));
    let rules = spec::parse(&text);
    assert!(
        rules.len() >= 20,
        "SPEC.md yields only {} rule headings; has the heading format changed?",
        rules.len()
    );
    rules
}

#[test]
fn every_rule_has_a_check() {
    let checked: BTreeSet<&str> = REGISTRY.iter().flat_map(|c| c.rules.iter().copied()).collect();
    let missing: Vec<String> =
        spec_rules().into_iter().map(|r| r.id).filter(|id| !checked.contains(id.as_str())).collect();
    assert!(missing.is_empty(), "SPEC.md rules without a conformance check: {missing:?}");
}

#[test]
fn every_check_names_known_rules_at_their_level() {
    let rules: BTreeMap<String, spec::Rule> = spec_rules().into_iter().map(|r| (r.id.clone(), r)).collect();
    let mut problems = Vec::new();
    for check in REGISTRY {
        if check.rules.is_empty() {
            problems.push(format!("check {} names no rule", check.id));
        }
        for rule in check.rules {
            match rules.get(*rule) {
                None => {
                    problems.push(format!("check {} names {rule}, which SPEC.md does not have", check.id))
                }
                Some(r) if r.level != check.level => problems.push(format!(
                    "check {} is {} but {rule} is {} in SPEC.md",
                    check.id,
                    check.level.spec_name(),
                    r.level.spec_name()
                )),
                Some(_) => {}
            }
        }
        if !check.rules.iter().any(|rule| check.id == *rule || check.id.starts_with(&format!("{rule}."))) {
            problems.push(format!(
                "check id {} does not start with one of its rules {:?}",
                check.id, check.rules
            ));
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn check_ids_are_unique_and_rule_ids_unique_in_spec() {
    let ids: BTreeSet<&str> = REGISTRY.iter().map(|c| c.id).collect();
    assert_eq!(ids.len(), REGISTRY.len(), "duplicate check ids");
    let rules = spec_rules();
    let unique: BTreeSet<&str> = rules.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(unique.len(), rules.len(), "SPEC.md defines a rule ID twice");
}

#[test]
fn the_embedded_spec_is_the_repository_spec() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../SPEC.md");
    assert_eq!(
        spec::SPEC_MD,
        std::fs::read_to_string(path).unwrap(),
        "rebuild the suite after editing SPEC.md"
    );
}
