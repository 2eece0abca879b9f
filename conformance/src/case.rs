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

/// `call` aimed at contract version `version` (`alga:extension/clients@<version>`): cases
/// are written for the suite's contract version and run against the probe of the version
/// under test.
pub fn retarget(call: &Call, version: &str) -> Call {
    let package = call.interface.split_once('/').map_or("alga:extension", |(package, _)| package);
    Call {
        interface: format!("{package}/{}@{version}", call.interface_name()),
        function: call.function.clone(),
        args: call.args.clone(),
    }
}

/// Loads the case's fixture into `testee` and runs its steps, calls aimed at contract
/// `version`. An outage the case leaves on is ended afterwards.
pub fn run_case(testee: &mut dyn Testee, case: &Case, version: &str) -> Result<Vec<StepResult>, CaseError> {
    case.fixture.validate().map_err(|e| CaseError::InvalidFixture(e.to_string()))?;
    testee.load_fixture(&case.fixture).map_err(CaseError::FixtureLoad)?;
    let mut results = Vec::with_capacity(case.steps.len());
    let mut outage_on = false;
    for step in &case.steps {
        results.push(match step {
            Step::Call { context, call } => StepResult::Call(testee.call(context, &retarget(call, version))),
            Step::Concurrent { calls } => {
                let pairs: Vec<(ExecutionContext, Call)> =
                    calls.iter().map(|c| (c.context.clone(), retarget(&c.call, version))).collect();
                let outcomes = testee.call_concurrently(&pairs);
                if outcomes.len() != pairs.len() {
                    return Err(CaseError::BatchSize { sent: pairs.len(), got: outcomes.len() });
                }
                StepResult::Concurrent(outcomes)
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
