//! Running checks against a testee: for every check, its named edge cases first (the same
//! on every seed), then `cases` random cases that proptest draws from the check's strategy
//! (seeded from the run's seed and the check id, so every check is reproducible alone).
//! Each case runs through the testee and is verified; a failing random case is shrunk to a
//! minimal counterexample. The runner adds up what each check judged ([`Tally`]) and which
//! categories of input its random cases touched ([`Counts`]), and reports a check that
//! judged too little as unverified rather than passed.

use crate::case::{Case, CaseError, StepResult, run_case};
use crate::checks::{Check, Mismatch, Needs, REGISTRY, Tally};
use crate::coverage::Counts;
use crate::named::NamedCase;
use alga_conformance_protocol::{PROTOCOL_VERSION, Testee, TesteeError, TesteeInfo};
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestError, TestRng, TestRunner};
use std::cell::RefCell;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::{Duration, Instant};

/// Cases per check when the command line does not say (`--cases`).
pub const DEFAULT_CASES: u32 = 128;

/// Shrinking stops after this many steps by default: enough to trim a world to the few
/// records that matter, bounded for hosts that answer slowly.
pub const DEFAULT_SHRINK_ITERATIONS: u32 = 2048;

/// How a run is carried out.
#[derive(Debug, Clone)]
pub struct RunConfig {
    /// The run's seed; each check derives its own from it and its id.
    pub seed: u64,
    /// Generated cases per check.
    pub cases: u32,
    /// The contract version under test: calls are aimed at it and the probe is built
    /// from its WIT.
    pub contract_version: String,
    /// What to run: check ids, rule IDs (every check of the rule) or names of named cases
    /// (that case alone, no random cases); empty means every check.
    pub only: Vec<String>,
    /// Skip RECOMMENDED checks.
    pub required_only: bool,
    /// Stop after the first check that fails (the rest are reported as not run).
    pub fail_fast: bool,
    /// Largest number of shrinking steps per failure (0: report the case as found).
    pub shrink_iterations: u32,
    /// Run each check's named edge cases before its random ones (the default, and what
    /// the command line always does). Off only to study the random cases alone, as the
    /// suite's own tests of shrinking do.
    pub named_cases: bool,
}

impl RunConfig {
    /// The defaults for `seed`: every check, [`DEFAULT_CASES`] cases, the suite's
    /// contract version.
    pub fn new(seed: u64) -> Self {
        RunConfig {
            seed,
            cases: DEFAULT_CASES,
            contract_version: alga_extension_contract::CONTRACT_VERSION.to_string(),
            only: Vec::new(),
            required_only: false,
            fail_fast: false,
            shrink_iterations: DEFAULT_SHRINK_ITERATIONS,
            named_cases: true,
        }
    }

    /// Whether `check` is selected by [`RunConfig::only`] and [`RunConfig::required_only`].
    pub fn selects(&self, check: &'static Check) -> bool {
        self.selection(check).is_some()
    }

    /// What of `check` runs: everything, some of its named cases only, or nothing (`None`).
    pub fn selection(&self, check: &'static Check) -> Option<Selection> {
        if self.required_only && check.level == crate::checks::Level::Recommended {
            return None;
        }
        let whole = self.only.is_empty()
            || self.only.iter().any(|name| name == check.id || check.rules.contains(&name.as_str()));
        if whole {
            return Some(Selection::Whole);
        }
        let named: Vec<&'static NamedCase> =
            check.named.iter().filter(|n| self.only.iter().any(|name| name == n.name)).collect();
        (!named.is_empty()).then_some(Selection::Named(named))
    }
}

/// What of a check a run runs.
#[derive(Debug, Clone)]
pub enum Selection {
    /// Its named cases, then its random cases.
    Whole,
    /// These of its named cases only.
    Named(Vec<&'static NamedCase>),
}

/// The shrunk counterexample of a failed check.
#[derive(Debug, Clone)]
pub struct Failure {
    /// The minimal case found.
    pub case: Case,
    /// What the testee returned for it.
    pub results: Vec<StepResult>,
    /// Why it fails.
    pub mismatch: Mismatch,
    /// Shrinking steps run.
    pub shrink_steps: u32,
    /// Set when the minimal case passed when run again (the host is not deterministic).
    pub flaky: bool,
    /// The named case that failed, when it was one (named cases are not shrunk).
    pub named_case: Option<&'static str>,
}

/// A named case that ran, and whether it passed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NamedRun {
    /// Its name.
    pub name: &'static str,
    /// Whether the host passed it.
    pub passed: bool,
}

/// How a check ended.
#[derive(Debug, Clone)]
pub enum CheckStatus {
    /// Every case conformed.
    Pass,
    /// A case did not; the shrunk counterexample.
    Fail(Box<Failure>),
    /// The check could not be carried out on this testee (e.g. no outage simulation).
    Unverified(String),
    /// Its rules do not bind the contract version under test (a rule `since X` of SPEC.md
    /// in a run of an older version), or bind only hosts this testee is not: why.
    NotApplicable(String),
    /// Not selected, or not reached because an earlier check failed with `fail_fast`.
    NotRun,
}

/// The result of one check.
#[derive(Debug, Clone)]
pub struct CheckResult {
    /// The check.
    pub check: &'static Check,
    /// How it ended.
    pub status: CheckStatus,
    /// Random cases run (the failing one included, shrinking steps not).
    pub cases: u32,
    /// Every case run: named, random and shrinking steps.
    pub executions: u32,
    /// The named cases that ran, in order.
    pub named: Vec<NamedRun>,
    /// What the check judged over its named and random cases.
    pub tally: Tally,
    /// Random cases per category of input they touched.
    pub categories: Counts,
    /// Wall time.
    pub duration: Duration,
}

impl CheckResult {
    fn not_run(check: &'static Check, status: CheckStatus) -> CheckResult {
        CheckResult {
            check,
            status,
            cases: 0,
            executions: 0,
            named: Vec::new(),
            tally: Tally::default(),
            categories: Counts::default(),
            duration: Duration::ZERO,
        }
    }
}

/// The result of a run.
#[derive(Debug, Clone)]
pub struct RunResult {
    /// What the testee said about itself.
    pub testee: TesteeInfo,
    /// The configuration.
    pub config: RunConfig,
    /// One result per check of the registry, in registry order.
    pub checks: Vec<CheckResult>,
    /// Wall time of the whole run.
    pub duration: Duration,
}

impl RunResult {
    /// Cases run, shrinking steps included.
    pub fn executions(&self) -> u64 {
        self.checks.iter().map(|c| u64::from(c.executions)).sum()
    }

    /// Cases run per second of wall time.
    pub fn cases_per_second(&self) -> f64 {
        self.executions() as f64 / self.duration.as_secs_f64().max(1e-9)
    }
}

/// Why a run could not be carried out (exit code 3).
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// The testee failed to describe itself, or speaks another protocol.
    #[error("the testee could not start the run: {0}")]
    Testee(String),
    /// The testee did not load the probe.
    #[error("the testee did not load the probe component: {0}")]
    Probe(TesteeError),
    /// A case could not be carried out (a fixture that failed to load is never skipped).
    #[error("check {check}: {error}")]
    Case {
        /// The check that was running.
        check: &'static str,
        /// What went wrong.
        error: CaseError,
        /// The case (its fixture is what failed to load).
        case: Box<Case>,
    },
    /// proptest gave up (a bug of the suite's strategies).
    #[error("check {check}: the case generator gave up: {reason}")]
    Generator {
        /// The check.
        check: &'static str,
        /// proptest's reason.
        reason: String,
    },
}

/// Receives progress while a run goes on.
pub trait Progress {
    /// A check starts (`index` counts from 0 among the `total` selected ones).
    fn check_started(&mut self, index: usize, total: usize, check: &Check) {
        let _ = (index, total, check);
    }
    /// A check ended.
    fn check_finished(&mut self, index: usize, total: usize, result: &CheckResult) {
        let _ = (index, total, result);
    }
}

/// Progress that goes nowhere.
pub struct Quiet;

impl Progress for Quiet {}

/// Describes the testee and loads the probe: what every run and replay does first.
pub fn prepare(
    testee: &mut dyn Testee,
    probe: &[u8],
    contract_version: &str,
) -> Result<TesteeInfo, RunError> {
    let info = testee.info().map_err(|e| RunError::Testee(e.to_string()))?;
    if info.protocol_version != PROTOCOL_VERSION {
        return Err(RunError::Testee(format!(
            "it speaks protocol version {}, this runner speaks {PROTOCOL_VERSION}",
            info.protocol_version
        )));
    }
    if !info.contract_versions.iter().any(|v| v == contract_version) {
        return Err(RunError::Testee(format!(
            "it does not serve contract version {contract_version} (it serves {})",
            info.contract_versions.join(", ")
        )));
    }
    testee.load_probe(probe).map_err(RunError::Probe)?;
    Ok(info)
}

/// Runs every selected check of the registry against `testee`, which must already be
/// [`prepare`]d (`info` is what it said).
pub fn run(
    testee: &mut dyn Testee,
    info: TesteeInfo,
    config: &RunConfig,
    progress: &mut dyn Progress,
) -> Result<RunResult, RunError> {
    let started = Instant::now();
    let applies = |check: &Check| {
        crate::checks::applicability(check, &config.contract_version, &info.contract_versions)
    };
    let selected: Vec<&'static Check> =
        REGISTRY.iter().filter(|c| config.selects(c) && applies(c).is_ok()).collect();
    let mut results = Vec::with_capacity(REGISTRY.len());
    let mut stop = false;
    let mut position = 0;
    for check in REGISTRY {
        let selection = if stop { None } else { config.selection(check) };
        let Some(selection) = selection else {
            results.push(CheckResult::not_run(check, CheckStatus::NotRun));
            continue;
        };
        if let Err(reason) = applies(check) {
            results.push(CheckResult::not_run(check, CheckStatus::NotApplicable(reason)));
            continue;
        }
        progress.check_started(position, selected.len(), check);
        let result = if check.needs == Needs::StoreOutage && !info.store_outage {
            CheckResult::not_run(
                check,
                CheckStatus::Unverified(
                    "the testee cannot simulate a store outage (its describe answer says storeOutage: false)"
                        .into(),
                ),
            )
        } else {
            run_check(testee, check, &selection, config, &info.contract_versions)?
        };
        progress.check_finished(position, selected.len(), &result);
        position += 1;
        stop = config.fail_fast && matches!(result.status, CheckStatus::Fail(_));
        results.push(result);
    }
    Ok(RunResult { testee: info, config: config.clone(), checks: results, duration: started.elapsed() })
}

/// The seed of `check` in a run seeded `seed`: 32 bytes for ChaCha, from splitmix64 over
/// the seed and the check id.
pub fn check_seed(seed: u64, check_id: &str) -> [u8; 32] {
    let mut state = seed ^ 0x243f_6a88_85a3_08d3;
    for byte in check_id.bytes() {
        state = splitmix(state ^ u64::from(byte));
    }
    let mut out = [0u8; 32];
    for chunk in out.chunks_mut(8) {
        state = splitmix(state);
        chunk.copy_from_slice(&state.to_le_bytes());
    }
    out
}

fn splitmix(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Runs one case at contract `version` against a testee serving `served` (what its
/// `describe` said) and verifies it; a panic in the suite's own code becomes a mismatch
/// rather than tearing down the run.
pub fn run_and_verify(
    testee: &mut dyn Testee,
    check: &Check,
    case: &Case,
    version: &str,
    served: &[String],
) -> Result<(Vec<StepResult>, Result<Tally, Mismatch>), CaseError> {
    let results = run_case(testee, case, version, served)?;
    let seen = crate::case::seen_by(case, version);
    let verdict =
        catch_unwind(AssertUnwindSafe(|| (check.verify)(&seen, &results))).unwrap_or_else(|panic| {
            let what = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            Err(Mismatch {
                step: 0,
                index: None,
                message: format!(
                    "bug in the conformance suite: the verification of {} panicked: {what}",
                    check.id
                ),
                expected: serde_json::Value::Null,
                actual: serde_json::Value::Null,
            })
        });
    Ok((results, verdict))
}

struct CheckState<'t> {
    testee: &'t mut dyn Testee,
    executions: u32,
    cases_before_failure: u32,
    failing: bool,
    fatal: Option<(CaseError, Case)>,
    last_failure: Option<(Case, Vec<StepResult>, Mismatch)>,
    tally: Tally,
    categories: Counts,
}

/// The named cases `selection` runs, each verified; the failure of the first that failed.
fn run_named(
    testee: &mut dyn Testee,
    check: &'static Check,
    selection: &Selection,
    run_named_cases: bool,
    (version, served): (&str, &[String]),
    tally: &mut Tally,
) -> Result<(Vec<NamedRun>, Option<Failure>), RunError> {
    let named: Vec<&'static NamedCase> = match selection {
        Selection::Whole if !run_named_cases => Vec::new(),
        Selection::Whole => check.named.iter().collect(),
        Selection::Named(some) => some.clone(),
    };
    let mut runs = Vec::with_capacity(named.len());
    let mut first_failure = None;
    for named_case in named {
        let case = (named_case.build)();
        let (results, verdict) = run_and_verify(testee, check, &case, version, served)
            .map_err(|error| RunError::Case { check: check.id, error, case: Box::new(case.clone()) })?;
        match verdict {
            Ok(judged) => {
                tally.add(judged);
                runs.push(NamedRun { name: named_case.name, passed: true });
            }
            Err(mismatch) => {
                runs.push(NamedRun { name: named_case.name, passed: false });
                if first_failure.is_none() {
                    first_failure = Some(Failure {
                        case,
                        results,
                        mismatch,
                        shrink_steps: 0,
                        flaky: false,
                        named_case: Some(named_case.name),
                    });
                }
            }
        }
    }
    Ok((runs, first_failure))
}

fn run_check(
    testee: &mut dyn Testee,
    check: &'static Check,
    selection: &Selection,
    config: &RunConfig,
    served: &[String],
) -> Result<CheckResult, RunError> {
    let started = Instant::now();
    let version = config.contract_version.as_str();
    let mut tally = Tally::default();
    let (named, named_failure) =
        run_named(testee, check, selection, config.named_cases, (version, served), &mut tally)?;
    let named_executions = u32::try_from(named.len()).unwrap_or(u32::MAX);
    let finished = |status, cases, executions, tally, categories| CheckResult {
        check,
        status,
        cases,
        executions: named_executions + executions,
        named: named.clone(),
        tally,
        categories,
        duration: started.elapsed(),
    };
    if let Some(failure) = named_failure {
        // The random cases would only find what a named case already shows.
        return Ok(finished(CheckStatus::Fail(Box::new(failure)), 0, 0, tally, Counts::default()));
    }
    if let Selection::Named(_) = selection {
        return Ok(finished(CheckStatus::Pass, 0, 0, tally, Counts::default()));
    }
    if config.cases == 0 {
        let status = CheckStatus::Unverified(format!(
            "no random cases were run (--cases 0); only the {} named cases",
            named.len()
        ));
        return Ok(finished(status, 0, 0, tally, Counts::default()));
    }
    let proptest_config = Config {
        cases: config.cases,
        failure_persistence: None,
        // The budget of shrinking steps that run a case is kept below (proptest's own limit
        // would also count steps answered without running anything, and prints when hit).
        max_shrink_iters: if config.shrink_iterations == 0 { 0 } else { 10_000_000 },
        max_shrink_time: 120_000,
        fork: false,
        timeout: 0,
        verbose: 0,
        rng_algorithm: RngAlgorithm::ChaCha,
        ..Config::default()
    };
    let rng = TestRng::from_seed(RngAlgorithm::ChaCha, &check_seed(config.seed, check.id));
    let mut runner = TestRunner::new_with_rng(proptest_config, rng);
    let strategy = (check.cases)();
    let state = RefCell::new(CheckState {
        testee,
        executions: 0,
        cases_before_failure: 0,
        failing: false,
        fatal: None,
        last_failure: None,
        tally,
        categories: Counts::default(),
    });
    let outcome = runner.run(&strategy, |case: Case| {
        let mut state = state.borrow_mut();
        let budget_spent =
            state.failing && state.executions - state.cases_before_failure >= config.shrink_iterations;
        if state.fatal.is_some() || budget_spent {
            // Not run: proptest takes it as a passing simplification and keeps the
            // smallest failure found so far.
            return Ok(());
        }
        state.executions += 1;
        if !state.failing {
            state.cases_before_failure += 1;
            state.categories.add_case(&case);
        }
        match run_and_verify(&mut *state.testee, check, &case, version, served) {
            Err(error) => {
                state.fatal = Some((error, case));
                Ok(())
            }
            Ok((_, Ok(judged))) => {
                if !state.failing {
                    state.tally.add(judged);
                }
                Ok(())
            }
            Ok((results, Err(mismatch))) => {
                state.failing = true;
                let reason = mismatch.message.clone();
                state.last_failure = Some((case, results, mismatch));
                Err(TestCaseError::fail(reason))
            }
        }
    });
    let mut state = state.into_inner();
    if let Some((error, case)) = state.fatal.take() {
        return Err(RunError::Case { check: check.id, error, case: Box::new(case) });
    }
    let shrink_steps = state.executions - state.cases_before_failure;
    let status = match outcome {
        Ok(()) => match state.tally.shortfall(check.id) {
            Some(reason) => CheckStatus::Unverified(reason),
            None => CheckStatus::Pass,
        },
        Err(TestError::Abort(reason)) => {
            return Err(RunError::Generator { check: check.id, reason: reason.to_string() });
        }
        Err(TestError::Fail(_, minimal)) => {
            // Run the minimal case once more to capture its outcomes; a host whose answer
            // changes is reported as flaky with the last failure seen.
            let rerun = run_and_verify(state.testee, check, &minimal, version, served).map_err(|error| {
                RunError::Case { check: check.id, error, case: Box::new(minimal.clone()) }
            })?;
            let failure = match rerun {
                (results, Err(mismatch)) => {
                    Failure { case: minimal, results, mismatch, shrink_steps, flaky: false, named_case: None }
                }
                (_, Ok(_)) => {
                    let (case, results, mismatch) =
                        state.last_failure.take().expect("a failing run saw a failure");
                    Failure { case, results, mismatch, shrink_steps, flaky: true, named_case: None }
                }
            };
            CheckStatus::Fail(Box::new(failure))
        }
    };
    Ok(finished(status, state.cases_before_failure, state.executions, state.tally, state.categories))
}
