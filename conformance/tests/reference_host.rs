//! The suite passes on the reference host: with both stores, in process and through the
//! testee protocol (the `alga-reference-host testee` binary), at the default case count
//! (PostgreSQL through the protocol at a quarter of it).
//!
//! PostgreSQL comes from the reference store's provisioning ladder (`DATABASE_URL`, a
//! throwaway local cluster, ...); each run gets a fresh database of its own, dropped
//! afterwards. Without a PostgreSQL these tests fail with the ladder's explanation.
//!
//! The binary is found as PROTOCOL.md describes: `ALGA_REFERENCE_HOST_BIN`, else built with
//! `cargo build -p alga-reference-host`.

use alga_conformance::driver::process::ProcessTestee;
use alga_conformance::runner::{self, CheckStatus, DEFAULT_CASES, RunConfig};
use alga_conformance::versions;
use alga_conformance_protocol::Testee;
use alga_reference_host::testee::ReferenceTestee;
use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;
use std::time::Duration;

/// Runs every check (at `cases` per check) and fails with each failure's report.
fn assert_conforms(testee: &mut dyn Testee, seed: u64, cases: u32) {
    let probe = versions::probe_for_version(None).expect("probe");
    let info = runner::prepare(testee, &probe.probe.component, &probe.version).expect("the testee starts");
    let name = info.name.clone();
    let config = RunConfig { cases, ..RunConfig::new(seed) };
    let run = runner::run(testee, info, &config, &mut runner::Quiet).expect("the run is carried out");
    let mut failures = String::new();
    for result in &run.checks {
        match &result.status {
            CheckStatus::Pass => assert!(result.cases > 0),
            // A rule that does not bind the current version (VER-1 is judged through 0.1
            // guests: CI's main job runs `--version 0.1.0`).
            CheckStatus::NotApplicable(_) => assert!(
                result.check.rules.contains(&"VER-1"),
                "{} is not applicable to the current version",
                result.check.id
            ),
            CheckStatus::Fail(failure) => failures.push_str(&alga_conformance::report::human::failure_text(
                result.check,
                failure,
                Some(result.cases),
                None,
            )),
            other => failures.push_str(&format!("\n{}: {other:?}", result.check.id)),
        }
    }
    assert!(failures.is_empty(), "{name} does not conform:{failures}");
    eprintln!(
        "{name}: {} cases in {:.1}s ({:.0}/s)",
        run.executions(),
        run.duration.as_secs_f64(),
        run.cases_per_second()
    );
}

#[test]
fn in_process_on_sqlite() {
    let mut testee = ReferenceTestee::in_memory_sqlite().expect("the reference host on SQLite");
    assert_conforms(&mut testee, 0xa1_6a, DEFAULT_CASES);
}

#[test]
fn in_process_on_postgres() {
    let mut testee =
        ReferenceTestee::fresh_postgres().expect("the reference host on a fresh PostgreSQL database");
    assert_conforms(&mut testee, 0xa1_6b, DEFAULT_CASES);
}

/// The `alga-reference-host` executable (see the module documentation).
fn reference_host_binary() -> PathBuf {
    static BINARY: OnceLock<PathBuf> = OnceLock::new();
    BINARY
        .get_or_init(|| {
            if let Ok(path) = std::env::var("ALGA_REFERENCE_HOST_BIN") {
                return PathBuf::from(path);
            }
            let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
            let mut command = Command::new(cargo);
            command
                .current_dir(env!("CARGO_MANIFEST_DIR"))
                .args(["build", "--quiet", "-p", "alga-reference-host", "--bin", "alga-reference-host"])
                .args(["--message-format", "json"]);
            if !cfg!(debug_assertions) {
                command.arg("--release");
            }
            let output = command.output().expect("running cargo build for alga-reference-host");
            assert!(
                output.status.success(),
                "cargo build -p alga-reference-host failed (set ALGA_REFERENCE_HOST_BIN to use a built binary):\n{}",
                String::from_utf8_lossy(&output.stderr)
            );
            String::from_utf8_lossy(&output.stdout)
                .lines()
                .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
                .find_map(|message| {
                    let is_binary = message["target"]["name"] == "alga-reference-host"
                        && message["target"]["kind"].as_array().is_some_and(|k| k.iter().any(|k| k == "bin"));
                    is_binary.then(|| message["executable"].as_str().map(PathBuf::from)).flatten()
                })
                .expect("cargo reported no alga-reference-host executable")
        })
        .clone()
}

fn through_protocol(store: &str, seed: u64, cases: u32) {
    let binary = reference_host_binary();
    let command = format!("'{}' testee --store {store}", binary.display());
    let mut testee = ProcessTestee::new(command, Duration::from_secs(30));
    assert_conforms(&mut testee, seed, cases);
    assert_eq!(testee.starts(), 1, "the testee crashed or hung and was restarted");
}

#[test]
fn through_the_testee_protocol_on_sqlite() {
    through_protocol("sqlite", 0xa1_6c, DEFAULT_CASES);
}

/// At a quarter of the default case count: the protocol path is covered at the full count on
/// SQLite and the PostgreSQL store at the full count in process, and every case here costs
/// a fixture load into PostgreSQL (about 30 ms in a debug build).
#[test]
fn through_the_testee_protocol_on_postgres() {
    through_protocol("postgres", 0xa1_6d, DEFAULT_CASES / 4);
}
