//! The suite has teeth: for every deliberately broken variant of the reference host
//! (`alga_reference_store::mutation::Mutation::ALL`), a run at the default case count fails
//! on the rule the mutation breaks (its primary rule ID).
//!
//! Each check draws its cases from its own seed (the run's seed and the check's id), so a
//! check finds exactly the same cases whether the run selects it alone or with every other
//! check (`tests/machinery.rs` proves it). This test therefore runs only the checks of the
//! rules the mutation breaks: the result is the full suite's result for those rules, at a
//! fraction of the time. Every rule the mutation is documented to break must fail. Set `ALGA_CONFORMANCE_MUTANT_FULL=1` to run every check per mutant
//! and print every rule each mutant fails. Shrinking is cut short: what is tested is that the
//! failure is found, not how small it gets.

use alga_conformance::report::{Report, ReportOptions, RuleStatus};
use alga_conformance::runner::{self, CheckStatus, DEFAULT_CASES, RunConfig};
use alga_conformance::versions;
use alga_reference_host::testee::ReferenceTestee;
use alga_reference_store::ReadServices;
use alga_reference_store::mutation::Mutation;
use alga_reference_store::sqlite::SqliteStore;
use std::sync::{Arc, Mutex};

/// The seed of these runs: fixed, so CI is deterministic. Any seed should do; try another
/// with `ALGA_CONFORMANCE_MUTANT_SEED=N cargo test -p alga-conformance --test mutants`.
const SEED: u64 = 20_261_125;

fn seed() -> u64 {
    std::env::var("ALGA_CONFORMANCE_MUTANT_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(SEED)
}

/// Runs the whole suite against the reference host on SQLite with `mutation`; returns the
/// rules that failed. (`tests/reference_host.rs` shows that the unmutated host passes.)
fn failing_rules(mutation: Mutation) -> Vec<String> {
    let store = SqliteStore::in_memory().expect("in-memory SQLite");
    let services = ReadServices::new(Arc::new(store)).with_mutation(Some(mutation));
    let mut testee = ReferenceTestee::new(services).expect("reference host");
    let probe = versions::probe_for_version(None).expect("probe");
    let info = runner::prepare(&mut testee, &probe.probe.component, &probe.version).expect("prepare");
    let mut config = RunConfig::new(seed());
    assert_eq!(config.cases, DEFAULT_CASES);
    if std::env::var_os("ALGA_CONFORMANCE_MUTANT_FULL").is_none() {
        config.only = mutation.breaks().iter().map(|rule| rule.to_string()).collect();
    }
    config.shrink_iterations = 16;
    let run = runner::run(&mut testee, info, &config, &mut runner::Quiet).expect("the run is carried out");
    let report = Report::new(&run, ReportOptions::default());
    for result in &run.checks {
        if let CheckStatus::Fail(failure) = &result.status {
            let name = mutation.name();
            eprintln!("  [{name}] {}: {}", result.check.id, failure.mismatch.message);
        }
    }
    report.rules.iter().filter(|r| r.status == RuleStatus::Fail).map(|r| r.rule.id.clone()).collect()
}

#[test]
fn every_mutant_fails_on_the_rules_it_breaks() {
    let pending = Mutex::new(Mutation::ALL.to_vec());
    let findings = Mutex::new(Vec::new());
    // Two workers: the machine has two cores and each run is single-threaded.
    std::thread::scope(|scope| {
        for _ in 0..2 {
            scope.spawn(|| {
                loop {
                    let Some(mutation) = pending.lock().unwrap().pop() else { break };
                    let failing = failing_rules(mutation);
                    findings.lock().unwrap().push((mutation, failing));
                }
            });
        }
    });
    let mut missed = Vec::new();
    for (mutation, failing) in findings.into_inner().unwrap() {
        let broken = mutation.breaks();
        eprintln!("{:<38} breaks {broken:?}, the suite fails {failing:?}", mutation.name());
        let not_failing: Vec<&&str> =
            broken.iter().filter(|rule| !failing.iter().any(|f| f == *rule)).collect();
        if !not_failing.is_empty() {
            missed.push(format!(
                "{} breaks {broken:?}; the suite did not fail {not_failing:?}",
                mutation.name()
            ));
        }
    }
    assert!(missed.is_empty(), "mutants not caught on their rule: {missed:#?}");
}
