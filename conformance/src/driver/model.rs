//! The model testee: a [`Testee`] that answers every call from the oracle, with optional
//! deliberate faults. It is not a host (it runs no component) and proves nothing about
//! hosts; it exists to test the suite's own machinery without a host: the runner, the
//! reports, replay, expectations, and the out-of-process driver (through the hidden
//! `alga-conformance model-testee` command, which serves it over the JSON-lines protocol,
//! and whose faults make it hang, crash or print garbage on purpose).

use crate::oracle::{self, Expected, Problem, Reading};
use alga_conformance_protocol::{
    Call, ExecutionContext, Fixture, Outcome, PROTOCOL_VERSION, Testee, TesteeError, TesteeInfo,
};
use alga_extension_contract::types::ReadError;
use serde_json::json;

/// Deliberate faults of the model testee.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Faults {
    /// Sleep forever on the n-th call (1-based).
    pub hang_on_call: Option<u64>,
    /// Exit the process with status 3 on the n-th call.
    pub crash_on_call: Option<u64>,
    /// Print a line that is not JSON on standard output before answering the n-th call.
    pub garbage_on_call: Option<u64>,
    /// Report no outage simulation.
    pub no_outage: bool,
    /// Answer `get-*` of any id with `internal` (a broken host, for reports).
    pub get_is_internal: bool,
    /// Reject every fixture.
    pub reject_fixtures: bool,
    /// Answer every call with this, whatever the oracle says (a host that refuses or fails
    /// everything, which must not pass the checks that look at `ok` answers).
    pub answer_all: Option<Answer>,
}

/// A fixed answer of the model testee to every call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// `err(not-allowed)`.
    NotAllowed,
    /// `err(internal)`.
    Internal,
    /// A host failure.
    HostFailure,
}

/// A testee answering from the oracle.
#[derive(Debug, Default)]
pub struct ModelTestee {
    fixture: Fixture,
    outage: bool,
    calls: u64,
    faults: Faults,
}

impl ModelTestee {
    /// A model testee with these faults.
    pub fn new(faults: Faults) -> Self {
        ModelTestee { faults, ..ModelTestee::default() }
    }
}

/// The `invalid-input` message the model gives: field, bound, never the input itself.
fn message(field: &str, problem: &Problem) -> String {
    match problem {
        Problem::BelowMin { min, got } => format!("{field} must be at least {min}, got {got}"),
        Problem::AboveMax { max, got } => format!("{field} must be at most {max}, got {got}"),
        Problem::TooLong { max, got } => {
            format!("{field} must be at most {max} characters after trimming, got {got}")
        }
        Problem::ControlCharacter => format!("{field} must not contain control characters"),
        Problem::NotCanonicalUuid => format!("{field} must be a UUID in canonical text form"),
        Problem::NotCurrencyCode => format!("{field} must be three ASCII letters after trimming"),
    }
}

fn outcome(expected: &Expected) -> Outcome {
    match expected {
        Expected::Ok(answer) => Outcome::Value { value: answer.to_json() },
        Expected::NotAllowed => Outcome::from_result::<()>(&Err(ReadError::NotAllowed)),
        Expected::InvalidInput(fields) => {
            let first = &fields[0];
            Outcome::from_result::<()>(&Err(ReadError::InvalidInput(message(first.field, &first.problem))))
        }
        Expected::AnyOf(all) => outcome(&all[0]),
    }
}

impl Testee for ModelTestee {
    fn info(&mut self) -> Result<TesteeInfo, TesteeError> {
        Ok(TesteeInfo {
            name: "alga-conformance model testee (the oracle, not a host)".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            protocol_version: PROTOCOL_VERSION,
            contract_versions: crate::versions::available(),
            store_outage: !self.faults.no_outage,
        })
    }

    fn load_probe(&mut self, component: &[u8]) -> Result<(), TesteeError> {
        // The model runs no component; it checks only that it was given one.
        if component.starts_with(b"\0asm") {
            Ok(())
        } else {
            Err(TesteeError::Rejected("the probe is not a WebAssembly binary".into()))
        }
    }

    fn load_fixture(&mut self, fixture: &Fixture) -> Result<(), TesteeError> {
        if self.faults.reject_fixtures {
            return Err(TesteeError::Failed("this model testee rejects every fixture (fault)".into()));
        }
        fixture.validate().map_err(|e| TesteeError::Rejected(e.to_string()))?;
        self.fixture = fixture.clone();
        Ok(())
    }

    fn call(&mut self, context: &ExecutionContext, call: &Call) -> Outcome {
        self.calls += 1;
        let n = Some(self.calls);
        if self.faults.crash_on_call == n {
            eprintln!("model testee: crashing on call {} as asked", self.calls);
            std::process::exit(3);
        }
        if self.faults.hang_on_call == n {
            eprintln!("model testee: hanging on call {} as asked", self.calls);
            loop {
                std::thread::sleep(std::time::Duration::from_secs(3600));
            }
        }
        if self.faults.garbage_on_call == n {
            println!("this line is not a protocol response");
        }
        match self.faults.answer_all {
            Some(Answer::NotAllowed) => {
                return Outcome::ContractError { error: json!({ "tag": "not-allowed" }) };
            }
            Some(Answer::Internal) => return Outcome::ContractError { error: json!({ "tag": "internal" }) },
            Some(Answer::HostFailure) => {
                return Outcome::HostFailure { message: "this model testee fails every call (fault)".into() };
            }
            None => {}
        }
        if self.outage {
            return Outcome::ContractError { error: json!({ "tag": "internal" }) };
        }
        if self.faults.get_is_internal && call.function.starts_with("get-") {
            return Outcome::ContractError { error: json!({ "tag": "internal" }) };
        }
        // A guest of an older contract version (the call's interface says which) is
        // answered as a host serving both gives it: on the data it sees, in its shapes.
        let version = call.interface.rsplit_once('@').map_or(crate::versions::current(), |(_, v)| v);
        let fixture = crate::case::fixture_seen_by(&self.fixture, version);
        match oracle::expect(&fixture, context, call, Reading::Recommended) {
            Ok(expected) => match outcome(&expected) {
                Outcome::Value { value } => {
                    Outcome::Value { value: crate::shapes::answer_for_version(call, value, version) }
                }
                other => other,
            },
            Err(e) => Outcome::HostFailure { message: e.to_string() },
        }
    }

    fn set_store_outage(&mut self, down: bool) -> Result<(), TesteeError> {
        if self.faults.no_outage {
            return Err(TesteeError::Unsupported("store outage simulation".into()));
        }
        self.outage = down;
        Ok(())
    }

    fn reset(&mut self) -> Result<(), TesteeError> {
        self.outage = false;
        self.fixture = Fixture::default();
        Ok(())
    }
}
