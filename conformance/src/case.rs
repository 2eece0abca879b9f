//! A conformance case: a fixture and the steps run against it (calls, concurrent batches,
//! store outages), and running one against a [`Testee`]. A case is plain data: the shrunk
//! counterexample of a failed check is saved as one and replayed exactly (`--replay`).

use alga_conformance_protocol::wire::ContextCall;
use alga_conformance_protocol::{Call, ExecutionContext, Fixture, Outcome, Testee, TesteeError};
use serde::{Deserialize, Serialize};

/// A fixture and what is done with it, in order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Case {
    /// The data loaded before the first step.
    pub fixture: Fixture,
    /// The steps.
    pub steps: Vec<Step>,
}

/// One step of a case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "kebab-case", deny_unknown_fields)]
pub enum Step {
    /// One call.
    Call {
        /// The execution context.
        context: ExecutionContext,
        /// The call.
        call: Call,
    },
    /// Calls run at the same time ([`Testee::call_concurrently`]).
    Concurrent {
        /// The calls, each with its context.
        calls: Vec<ContextCall>,
    },
    /// Start (`down: true`) or end a simulated outage of the host's store.
    StoreOutage {
        /// Whether the store is down from now on.
        down: bool,
    },
}

impl Step {
    /// A call step.
    pub fn call(context: &ExecutionContext, call: Call) -> Step {
        Step::Call { context: context.clone(), call }
    }
}

/// What came of one step.
#[derive(Debug, Clone, PartialEq)]
pub enum StepResult {
    /// The outcome of a [`Step::Call`].
    Call(Outcome),
    /// The outcomes of a [`Step::Concurrent`], in step order.
    Concurrent(Vec<Outcome>),
    /// Whether the testee could start or end the outage.
    StoreOutage(Result<(), TesteeError>),
}

/// Why a case could not be carried out at all: an error of the run, never a result of a
/// check (a fixture that fails to load is never skipped).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CaseError {
    /// The testee did not load the case's fixture.
    #[error("the testee did not load a valid fixture: {0}")]
    FixtureLoad(TesteeError),
    /// The case's fixture is invalid (a bug of the suite or of a hand-edited case file).
    #[error("the case's fixture is invalid: {0}")]
    InvalidFixture(String),
    /// A call of the case cannot be made at the contract version under test (it sets an
    /// input field that version does not have: a bug of the suite's selection).
    #[error("{0}")]
    NotInVersion(String),
    /// A concurrent batch came back with the wrong number of outcomes.
    #[error("the testee answered a batch of {sent} calls with {got} outcomes")]
    BatchSize {
        /// Calls sent.
        sent: usize,
        /// Outcomes received.
        got: usize,
    },
}

/// Every call of a case with its position: `(step, index inside a batch, context, call)`.
pub fn calls_of(case: &Case) -> impl Iterator<Item = (usize, Option<usize>, &ExecutionContext, &Call)> {
    case.steps.iter().enumerate().flat_map(|(step, s)| -> Vec<_> {
        match s {
            Step::Call { context, call } => vec![(step, None, context, call)],
            Step::Concurrent { calls } => {
                calls.iter().enumerate().map(|(i, c)| (step, Some(i), &c.context, &c.call)).collect()
            }
            Step::StoreOutage { .. } => Vec::new(),
        }
    })
}

/// The outcome of the call at `(step, index)` in `results`.
pub fn outcome_at(results: &[StepResult], step: usize, index: Option<usize>) -> Option<&Outcome> {
    match (results.get(step)?, index) {
        (StepResult::Call(outcome), None) => Some(outcome),
        (StepResult::Concurrent(outcomes), Some(i)) => outcomes.get(i),
        _ => None,
    }
}

/// `call` aimed at contract version `version` (`alga:extension/clients@<version>`, the
/// arguments in that version's shapes, [`crate::shapes`]): cases are written for the
/// suite's contract version and run against the probe of the version under test.
pub fn retarget(call: &Call, version: &str) -> Result<Call, CaseError> {
    let package = call.interface.split_once('/').map_or("alga:extension", |(package, _)| package);
    Ok(Call {
        interface: format!("{package}/{}@{version}", call.interface_name()),
        function: call.function.clone(),
        args: crate::shapes::args_for_version(call, version).map_err(CaseError::NotInVersion)?,
    })
}

/// The case as the oracle judges it for guests of contract `version`: data that a rule
/// `since X` of SPEC.md introduced does not exist for guests older than X (section 11,
/// VER-1: a 0.1 guest gets what a 0.2 guest gets with the prices left out, and no currency
/// filter). Today that is the prices of catalog items (PRICE-1), hidden from guests
/// before the version PRICE-1 holds since.
pub fn seen_by<'c>(case: &'c Case, version: &str) -> std::borrow::Cow<'c, Case> {
    match fixture_seen_by(&case.fixture, version) {
        std::borrow::Cow::Borrowed(_) => std::borrow::Cow::Borrowed(case),
        std::borrow::Cow::Owned(fixture) => {
            std::borrow::Cow::Owned(Case { fixture, steps: case.steps.clone() })
        }
    }
}

/// The fixture as guests of contract `version` see it (see [`seen_by`]).
pub fn fixture_seen_by<'f>(fixture: &'f Fixture, version: &str) -> std::borrow::Cow<'f, Fixture> {
    let sees_prices = crate::spec::rule("PRICE-1").is_none_or(|rule| rule.binds_version(version));
    if sees_prices {
        return std::borrow::Cow::Borrowed(fixture);
    }
    let mut seen = fixture.clone();
    for service in seen.tenants.iter_mut().flat_map(|t| t.services.iter_mut()) {
        service.prices.clear();
    }
    std::borrow::Cow::Owned(seen)
}

/// Loads the case's fixture into `testee` and runs its steps, calls aimed at contract
/// `version`. An outage the case leaves on is ended afterwards.
///
/// `served` is what the testee serves. A testee that serves no version newer than the one
/// under test is sent the fixture as those versions' guests see it ([`seen_by`]: no prices
/// for a testee of 0.1 only), so that it never receives data its contract does not have;
/// a testee that also serves newer versions gets all of it (VER-1 is about what it hides).
pub fn run_case(
    testee: &mut dyn Testee,
    case: &Case,
    version: &str,
    served: &[String],
) -> Result<Vec<StepResult>, CaseError> {
    case.fixture.validate().map_err(|e| CaseError::InvalidFixture(e.to_string()))?;
    let newest_served =
        served.iter().max_by(|a, b| crate::versions::compare(a, b)).map_or(version, String::as_str);
    let newest = if crate::versions::at_least(newest_served, version) { newest_served } else { version };
    testee.load_fixture(&seen_by(case, newest).fixture).map_err(CaseError::FixtureLoad)?;
    let mut results = Vec::with_capacity(case.steps.len());
    let mut outage_on = false;
    for step in &case.steps {
        results.push(match step {
            Step::Call { context, call } => {
                let outcome = testee.call(context, &retarget(call, version)?);
                StepResult::Call(crate::shapes::outcome_from_version(call, outcome, version))
            }
            Step::Concurrent { calls } => {
                let pairs = calls
                    .iter()
                    .map(|c| Ok((c.context.clone(), retarget(&c.call, version)?)))
                    .collect::<Result<Vec<(ExecutionContext, Call)>, CaseError>>()?;
                let outcomes = testee.call_concurrently(&pairs);
                if outcomes.len() != pairs.len() {
                    return Err(CaseError::BatchSize { sent: pairs.len(), got: outcomes.len() });
                }
                StepResult::Concurrent(
                    calls
                        .iter()
                        .zip(outcomes)
                        .map(|(c, outcome)| crate::shapes::outcome_from_version(&c.call, outcome, version))
                        .collect(),
                )
            }
            Step::StoreOutage { down } => {
                let result = testee.set_store_outage(*down);
                if result.is_ok() {
                    outage_on = *down;
                }
                StepResult::StoreOutage(result)
            }
        });
    }
    if outage_on {
        // Best effort: the next case's fixture load would fail otherwise, and that is
        // reported there.
        let _ = testee.set_store_outage(false);
    }
    Ok(results)
}
