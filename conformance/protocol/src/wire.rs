//! The line-delimited JSON protocol between the conformance runner and an out-of-process
//! testee (`conformance/PROTOCOL.md` is the normative description).
//!
//! The runner writes one [`Request`] per line to the testee's standard input; the testee
//! writes exactly one [`Response`] per request, as one line on its standard output, with
//! the same `id`. Anything the testee wants to log goes to standard error.

use crate::call::{Call, Outcome};
use crate::context::ExecutionContext;
use crate::fixture::Fixture;
use crate::testee::{Testee, TesteeError};
use serde::{Deserialize, Serialize};

/// A request from the runner.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Request {
    /// Chosen by the runner; echoed in the response.
    pub id: u64,
    /// What to do.
    #[serde(flatten)]
    pub op: Op,
}

/// The operations of the protocol.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "kebab-case")]
pub enum Op {
    /// Describe yourself. Answer: [`TesteeInfo`].
    Describe,
    /// Load the probe component from this file. Answer: `null`.
    LoadProbe {
        /// Path of the probe's `.wasm` file.
        path: String,
    },
    /// Replace all data with this fixture. Answer: `null`.
    LoadFixture {
        /// The data.
        fixture: Fixture,
    },
    /// Run one call. Answer: an [`Outcome`].
    Call {
        /// The execution context.
        context: ExecutionContext,
        /// The call.
        call: Call,
    },
    /// Run several calls, concurrently if `concurrent`. Answer: a list of [`Outcome`]s in
    /// request order.
    CallBatch {
        /// Whether the testee should run them at the same time.
        #[serde(default)]
        concurrent: bool,
        /// The calls.
        calls: Vec<ContextCall>,
    },
    /// Start or end a simulated store outage. Answer: `null`, or error `unsupported`.
    StoreOutage {
        /// `true` to start, `false` to end.
        down: bool,
    },
    /// Drop all data and any outage. Answer: `null`.
    Reset,
    /// Answer `null`, then exit with status 0.
    Shutdown,
}

/// A call with its context.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ContextCall {
    /// The execution context.
    pub context: ExecutionContext,
    /// The call.
    pub call: Call,
}

/// A response of the testee.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Response {
    /// The request's id.
    pub id: u64,
    /// The answer, or why there is none.
    #[serde(flatten)]
    pub body: Body,
}

/// The answer to a request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Body {
    /// The request succeeded; the answer's shape depends on the operation.
    Result(serde_json::Value),
    /// The request failed.
    Error(TesteeError),
}

/// Serves the protocol for `testee`: reads requests from `input` until end of input or
/// `shutdown`, writes responses to `output`. Returns when the runner is done.
///
/// A line that is not a request gets a response with id 0 and a `rejected` error; the
/// testee keeps serving.
pub fn serve<T: Testee + ?Sized>(
    testee: &mut T,
    input: impl std::io::BufRead,
    mut output: impl std::io::Write,
) -> std::io::Result<()> {
    for line in input.lines() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let (response, stop) = match serde_json::from_str::<Request>(&line) {
            Ok(request) => {
                let stop = matches!(request.op, Op::Shutdown);
                (Response { id: request.id, body: handle(testee, request.op) }, stop)
            }
            Err(err) => (
                Response {
                    id: 0,
                    body: Body::Error(TesteeError::Rejected(format!("not a protocol request: {err}"))),
                },
                false,
            ),
        };
        serde_json::to_writer(&mut output, &response)?;
        output.write_all(b"\n")?;
        output.flush()?;
        if stop {
            break;
        }
    }
    Ok(())
}

fn handle<T: Testee + ?Sized>(testee: &mut T, op: Op) -> Body {
    fn unit(result: Result<(), TesteeError>) -> Body {
        match result {
            Ok(()) => Body::Result(serde_json::Value::Null),
            Err(err) => Body::Error(err),
        }
    }
    fn json<V: Serialize>(value: V) -> Body {
        Body::Result(serde_json::to_value(value).expect("protocol values serialise"))
    }
    match op {
        Op::Describe => match testee.info() {
            Ok(info) => json(info),
            Err(err) => Body::Error(err),
        },
        Op::LoadProbe { path } => unit(
            std::fs::read(&path)
                .map_err(|e| TesteeError::Rejected(format!("cannot read the probe {path}: {e}")))
                .and_then(|bytes| testee.load_probe(&bytes)),
        ),
        Op::LoadFixture { fixture } => unit(testee.load_fixture(&fixture)),
        Op::Call { context, call } => json(testee.call(&context, &call)),
        Op::CallBatch { concurrent, calls } => {
            let pairs: Vec<(ExecutionContext, Call)> =
                calls.into_iter().map(|c| (c.context, c.call)).collect();
            let outcomes: Vec<Outcome> = if concurrent {
                testee.call_concurrently(&pairs)
            } else {
                pairs.iter().map(|(context, call)| testee.call(context, call)).collect()
            };
            json(outcomes)
        }
        Op::StoreOutage { down } => unit(testee.set_store_outage(down)),
        Op::Reset => unit(testee.reset()),
        Op::Shutdown => Body::Result(serde_json::Value::Null),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_and_responses_have_the_documented_shape() {
        let request: Request = serde_json::from_str(r#"{"id":7,"op":"store-outage","down":true}"#).unwrap();
        assert_eq!(request, Request { id: 7, op: Op::StoreOutage { down: true } });
        let response = Response { id: 7, body: Body::Error(TesteeError::Unsupported("outage".into())) };
        assert_eq!(
            serde_json::to_string(&response).unwrap(),
            r#"{"id":7,"error":{"kind":"unsupported","message":"outage"}}"#
        );
        let ok = Response { id: 1, body: Body::Result(serde_json::Value::Null) };
        assert_eq!(serde_json::to_string(&ok).unwrap(), r#"{"id":1,"result":null}"#);
    }
}
