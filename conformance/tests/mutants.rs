//! The suite has teeth, on every seed: for every deliberately broken variant of the
//! reference host (`alga_reference_store::mutation::Mutation::ALL`), a run at the default
//! case count fails on what the mutation breaks (`Mutation::breaks`: rule IDs, or a check id
//! such as `ISO-1.concurrent`) for each of the fixed seeds below and one new random seed per
//! run, so a broken host cannot pass by luck. The test also reports which other rules each
//! mutant fails (at the first seed, at [`COLLATERAL_CASES`] random cases per check), and
//! checks that every rule of SPEC.md and every check of the registry has a mutant.
//!
//! Each check draws its cases from its own seed (the run's seed and the check's id), so a
//! check finds exactly the same cases whether the run selects it alone or with every other
//! check (`tests/machinery.rs` proves it); the seeds' runs select only what the mutation
//! breaks. Shrinking is cut short: what is tested is that the failure is found.
//!
//! Each mutant runs at the newest contract version at which the checks of what it breaks
//! apply ([`version_for`]): the current one, or `0.1.0` for a mutant caught through 0.1
//! guests (VER-1, `old-guest-wrong-rate`).
//!
//! Seeds: [`FIXED_SEEDS`], plus `ALGA_CONFORMANCE_MUTANT_RANDOM_SEED` when set (CI sets it
//! to a new value every run and prints it), else a seed drawn from the clock (printed in the
//! failure message). To reproduce a failure at seed N:
//! `ALGA_CONFORMANCE_MUTANT_SEEDS=N cargo test -p alga-conformance --test mutants`.

use alga_conformance::checks::REGISTRY;
use alga_conformance::runner::{self, CheckResult, CheckStatus, DEFAULT_CASES, RunConfig, RunResult};
use alga_conformance::{checks, spec, versions};
use alga_conformance_protocol::Testee;
use alga_reference_host::testee::ReferenceTestee;
use alga_reference_store::ReadServices;
use alga_reference_store::mutation::Mutation;
use alga_reference_store::sqlite::SqliteStore;
use std::collections::BTreeSet;
use std::sync::Mutex;
use std::time::Instant;

/// The seeds every mutant must be caught on (any seed should do; these are fixed so that
/// a failure in CI is reproducible without the log).
const FIXED_SEEDS: [u64; 10] = [20_261_125, 1, 2, 3, 7, 11, 19, 23, 101, 103];

/// Random cases per check when looking for the other rules a mutant fails.
const COLLATERAL_CASES: u32 = 16;

/// The seeds of this run: `ALGA_CONFORMANCE_MUTANT_SEEDS` (comma-separated) alone when set,
/// else the fixed seeds and one random seed.
fn seeds() -> Vec<u64> {
    if let Ok(list) = std::env::var("ALGA_CONFORMANCE_MUTANT_SEEDS") {
        let seeds: Vec<u64> = list.split(',').filter_map(|s| s.trim().parse().ok()).collect();
        assert!(!seeds.is_empty(), "ALGA_CONFORMANCE_MUTANT_SEEDS={list:?} holds no seed");
        return seeds;
    }
    let random = std::env::var("ALGA_CONFORMANCE_MUTANT_RANDOM_SEED")
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or_else(|| {
            let nanos = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or(0);
            (nanos as u64) % 10_000_000_000
        });
    FIXED_SEEDS.iter().copied().chain([random]).collect()
}

/// The newest contract version, among those the testee serves, at which every entry of
/// `breaks` has a check that applies: the current one for most mutants, `0.1.0` for those
/// caught through 0.1 guests (VER-1).
fn version_for(breaks: &[&str], served: &[String]) -> String {
    let mut newest_first: Vec<&String> =
        served.iter().filter(|v| versions::available().contains(v)).collect();
    newest_first.sort_by(|a, b| versions::compare(b, a));
    newest_first
        .into_iter()
        .find(|version| {
            breaks.iter().all(|b| {
                REGISTRY.iter().any(|c| {
                    (c.id == *b || (!b.contains('.') && c.rules.contains(b)))
                        && checks::applicability(c, version, served).is_ok()
                })
            })
        })
        .cloned()
        .unwrap_or_else(|| {
            panic!("no version the reference host serves ({served:?}) runs checks of {breaks:?}")
        })
}

/// The reference host on a fresh in-memory SQLite store with `mutation`, the probe of the
/// version its rules are judged at loaded.
fn mutated_host(mutation: Mutation) -> (ReferenceTestee, alga_conformance_protocol::TesteeInfo, String) {
    let store = SqliteStore::in_memory().expect("in-memory SQLite");
    let services = ReadServices::new(std::sync::Arc::new(store)).with_mutation(Some(mutation));
    let mut testee = ReferenceTestee::new(services).expect("reference host");
    let served = testee.info().expect("the reference host describes itself").contract_versions;
    let version = version_for(mutation.breaks(), &served);
    let probe = versions::probe_for_version(Some(&version)).expect("probe");
    let info = runner::prepare(&mut testee, &probe.probe.component, &probe.version).expect("prepare");
    (testee, info, version)
}

fn run(
    testee: &mut dyn Testee,
    info: &alga_conformance_protocol::TesteeInfo,
    config: &RunConfig,
) -> RunResult {
    runner::run(testee, info.clone(), config, &mut runner::Quiet).expect("the run is carried out")
}

/// Whether the run fails `what`: a rule ID (a check of the rule fails) or a check id.
fn fails(run: &RunResult, what: &str) -> bool {
    run.checks
        .iter()
        .filter(|c| matches!(c.status, CheckStatus::Fail(_)))
        .any(|c| c.check.id == what || (!what.contains('.') && c.check.rules.contains(&what)))
}

/// The first failure's message among the checks of `what`, for the log.
fn finding<'r>(run: &'r RunResult, what: &str) -> Option<(&'r CheckResult, String)> {
    run.checks.iter().find_map(|c| match &c.status {
        CheckStatus::Fail(failure) if c.check.id == what || c.check.rules.contains(&what) => {
            let named = failure.named_case.map(|n| format!(" [{n}]")).unwrap_or_default();
            Some((c, format!("{}{named}", failure.mismatch.message)))
        }
        _ => None,
    })
}

/// What one mutant showed: per seed the entries of `breaks()` not failed, and the other
/// rules failed at the first seed.
struct Findings {
    mutation: Mutation,
    version: String,
    missed: Vec<(u64, Vec<&'static str>)>,
    caught_by: Vec<String>,
    collateral: Vec<String>,
    seconds: f64,
    collateral_seconds: f64,
}

fn examine(mutation: Mutation, seeds: &[u64]) -> Findings {
    let started = Instant::now();
    let (mut testee, info, version) = mutated_host(mutation);
    let broken = mutation.breaks();
    let mut missed = Vec::new();
    let mut caught_by = Vec::new();
    for (n, &seed) in seeds.iter().enumerate() {
        let mut config = RunConfig::new(seed);
        config.contract_version = version.clone();
        assert_eq!(config.cases, DEFAULT_CASES);
        config.only = broken.iter().map(|b| b.to_string()).collect();
        config.shrink_iterations = 16;
        let result = run(&mut testee, &info, &config);
        let not_failed: Vec<&'static str> = broken.iter().copied().filter(|b| !fails(&result, b)).collect();
        if n == 0 {
            caught_by = broken
                .iter()
                .filter_map(|b| finding(&result, b).map(|(c, message)| format!("{}: {message}", c.check.id)))
                .collect();
        }
        if !not_failed.is_empty() {
            missed.push((seed, not_failed));
        }
    }
    // The other rules it fails, at the first seed and fewer random cases.
    let collateral_started = Instant::now();
    let mut config = RunConfig::new(seeds[0]);
    config.contract_version = version.clone();
    config.cases = COLLATERAL_CASES;
    config.shrink_iterations = 0;
    config.only = REGISTRY
        .iter()
        .filter(|c| !broken.iter().any(|b| *b == c.id || c.rules.contains(b)))
        .map(|c| c.id.to_string())
        .collect();
    let result = run(&mut testee, &info, &config);
    // Selecting a check by a rule ID selects every check of the rule: count only the checks
    // `breaks()` does not name.
    let mut collateral: Vec<String> = Vec::new();
    for check in
        result.checks.iter().filter(|c| !broken.iter().any(|b| *b == c.check.id || c.check.rules.contains(b)))
    {
        let label = match &check.status {
            CheckStatus::Fail(_) => check.check.rules.join(","),
            CheckStatus::Unverified(_) => format!("{} (unverified)", check.check.rules.join(",")),
            _ => continue,
        };
        if !collateral.contains(&label) {
            collateral.push(label);
        }
    }
    Findings {
        mutation,
        version,
        missed,
        caught_by,
        collateral,
        seconds: started.elapsed().as_secs_f64(),
        collateral_seconds: collateral_started.elapsed().as_secs_f64(),
    }
}

#[test]
fn every_mutant_fails_on_what_it_breaks_on_every_seed() {
    let seeds = seeds();
    eprintln!("seeds: {seeds:?} (reproduce one with ALGA_CONFORMANCE_MUTANT_SEEDS=N)");
    let started = Instant::now();
    let pending = Mutex::new(Mutation::ALL.to_vec());
    let findings = Mutex::new(Vec::new());
    // Two workers: the machine has two cores and each run is single-threaded.
    std::thread::scope(|scope| {
        for _ in 0..2 {
            scope.spawn(|| {
                loop {
                    let Some(mutation) = pending.lock().unwrap().pop() else { break };
                    let found = examine(mutation, &seeds);
                    findings.lock().unwrap().push(found);
                }
            });
        }
    });
    let mut findings = findings.into_inner().unwrap();
    findings.sort_by_key(|f| Mutation::ALL.iter().position(|m| *m == f.mutation));
    let mut missed = Vec::new();
    for found in &findings {
        let mutation = found.mutation;
        let caught_on = seeds.len() - found.missed.len();
        eprintln!(
            "{:<38} breaks {:?} (contract {}): caught on {caught_on} of {} seeds ({:.1}s, {:.1}s of it for the other rules); also fails {:?}",
            mutation.name(),
            mutation.breaks(),
            found.version,
            seeds.len(),
            found.seconds,
            found.collateral_seconds,
            found.collateral
        );
        for line in &found.caught_by {
            eprintln!("    {line}");
        }
        for (seed, not_failed) in &found.missed {
            missed.push(format!("{mutation} at seed {seed}: the suite did not fail {not_failed:?}"));
        }
    }
    eprintln!(
        "{} mutants x {} seeds in {:.1}s",
        findings.len(),
        seeds.len(),
        started.elapsed().as_secs_f64()
    );
    assert!(missed.is_empty(), "mutants not caught (seeds {seeds:?}): {missed:#?}");
}

#[test]
fn every_rule_and_every_check_has_a_mutant() {
    let named: BTreeSet<&str> = Mutation::ALL.iter().flat_map(|m| m.breaks().iter().copied()).collect();
    let rules: Vec<String> = spec::rules().into_iter().map(|r| r.id).collect();
    let mut problems = Vec::new();
    for what in &named {
        let known = rules.iter().any(|r| r == what) || REGISTRY.iter().any(|c| c.id == *what);
        if !known {
            problems.push(format!("a mutant breaks {what}, which is neither a rule of SPEC.md nor a check"));
        }
    }
    for rule in &rules {
        if !named.iter().any(|b| b == rule || b.starts_with(&format!("{rule}."))) {
            problems.push(format!("no mutant breaks {rule}"));
        }
    }
    for check in REGISTRY.iter().filter(|c| !c.rules.contains(&c.id)) {
        if !named.contains(check.id) {
            problems.push(format!("no mutant is caught by check {} in particular", check.id));
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
}
