//! The suite passes on the reference host over a Citus cluster (a coordinator and two
//! workers), run exactly as a user runs it: `alga-conformance run --store postgres=URL
//! --enforce-recommended` with the URL of a fresh database on the coordinator. Nothing else
//! is needed: the store sees the `citus` extension and its workers and distributes its
//! schema by tenant itself (`reference-host/store`, docs/scaling.md).
//!
//! The cluster comes from the store's provisioning ladder: `CITUS_URL`, else a throwaway
//! coordinator and two workers from the local binaries (Citus must be installed:
//! `scripts/citus.sh`); without one the test fails with the ladder's explanation.
//!
//! Every check runs, REQUIRED and RECOMMENDED, at 8 cases each instead of the default
//! 128: each case loads its fixture into the cluster (about 0.2 s there, most of it the
//! distributed transaction across both workers), and the rules are covered at the full
//! count on SQLite and PostgreSQL by `reference_host.rs`.

use alga_reference_store::provision;
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_alga-conformance");

#[test]
fn the_suite_passes_on_citus_through_the_coordinators_url() {
    let server = provision::citus_server().unwrap_or_else(|err| panic!("{err}"));
    let database = server.fresh_database("conformance_citus").unwrap_or_else(|err| panic!("{err}"));
    // Every served contract version: a rule that does not bind a version (since 0.2.0 at
    // 0.1.0, VER-1 at 0.2.0) is `not-applicable` there and must pass at the other.
    let mut passed = std::collections::BTreeSet::new();
    let mut every_rule = std::collections::BTreeSet::new();
    for version in ["0.2.0", "0.1.0"] {
        let output = Command::new(BIN)
            .args(["run", "--store", &format!("postgres={}", database.url()), "--enforce-recommended"])
            .args(["--version", version, "--seed", "20261129", "--cases", "8", "--format", "json"])
            .current_dir(tempfile::tempdir().unwrap().path())
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success(), "{version}: exit {:?}\n{stdout}\n{stderr}", output.status.code());
        let report: serde_json::Value =
            serde_json::from_str(&stdout).unwrap_or_else(|err| panic!("{err}: {stdout}"));
        let rules = report["rules"].as_array().unwrap_or_else(|| panic!("no rules in {report}"));
        for rule in rules {
            let id =
                rule["id"].as_str().unwrap_or_else(|| panic!("a rule without an id: {rule}")).to_string();
            match rule["status"].as_str() {
                Some("pass") => {
                    passed.insert(id.clone());
                }
                Some("not-applicable") => {}
                _ => panic!("{version}: {rule}"),
            }
            every_rule.insert(id);
        }
    }
    assert!(every_rule.len() >= 32, "every rule ran: {every_rule:?}");
    let never_passed: Vec<_> = every_rule.difference(&passed).collect();
    assert!(never_passed.is_empty(), "rules that passed at no version: {never_passed:?}");
}
