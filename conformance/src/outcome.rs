//! What a host actually returned for a call, typed: the testee's [`Outcome`] with its
//! value deserialised into the contract's types of the function called, so that results
//! are compared as values (a host may print the rate `1250.0` as `1250`), never as text.

use crate::oracle::Answer;
use alga_conformance_protocol::{Call, Outcome};
use alga_extension_contract::types::{ClientPage, ClientSummary, ReadError, ServicePage, ServiceSummary};
use serde_json::{Value as Json, json};

/// A call's outcome, typed.
#[derive(Debug, Clone, PartialEq)]
pub enum Actual {
    /// `ok(answer)`.
    Ok(Answer),
    /// `err(read-error)`.
    Err(ReadError),
    /// The guest trapped.
    GuestTrap(String),
    /// The host could not carry out the call (crashed, timed out, failed to instantiate).
    HostFailure(String),
    /// The host answered a value that is not of the function's result type.
    Malformed {
        /// What it answered.
        answer: Json,
        /// Why that is not the contract's shape.
        problem: String,
    },
}

impl Actual {
    /// Types the outcome of `call`.
    pub fn from_outcome(call: &Call, outcome: &Outcome) -> Actual {
        match outcome {
            Outcome::Value { value } => typed_answer(&call.function, value),
            Outcome::ContractError { error } => match serde_json::from_value::<ReadError>(error.clone()) {
                Ok(error) => Actual::Err(error),
                Err(e) => Actual::Malformed {
                    answer: json!({ "err": error }),
                    problem: format!("not a read-error: {e}"),
                },
            },
            Outcome::GuestTrap { message } => Actual::GuestTrap(message.clone()),
            Outcome::HostFailure { message } => Actual::HostFailure(message.clone()),
        }
    }

    /// The outcome class as the oracle's expectations name them: `ok`, `not-allowed`,
    /// `invalid-input`, `internal`, `guest-trap`, `host-failure` or `malformed`.
    pub fn class(&self) -> &'static str {
        match self {
            Actual::Ok(_) => "ok",
            Actual::Err(error) => error.case_name(),
            Actual::GuestTrap(_) => "guest-trap",
            Actual::HostFailure(_) => "host-failure",
            Actual::Malformed { .. } => "malformed",
        }
    }

    /// The answer, when the call returned `ok`.
    pub fn answer(&self) -> Option<&Answer> {
        match self {
            Actual::Ok(answer) => Some(answer),
            _ => None,
        }
    }

    /// The outcome as JSON in the contract's result form, for reports.
    pub fn to_json(&self) -> Json {
        match self {
            Actual::Ok(answer) => json!({ "ok": answer.to_json() }),
            Actual::Err(error) => json!({ "err": error }),
            Actual::GuestTrap(message) => json!({ "guest-trap": message }),
            Actual::HostFailure(message) => json!({ "host-failure": message }),
            Actual::Malformed { answer, problem } => {
                json!({ "malformed": { "answer": answer, "problem": problem } })
            }
        }
    }
}

fn typed_answer(function: &str, value: &Json) -> Actual {
    fn parse<T: serde::de::DeserializeOwned>(value: &Json, wrap: fn(T) -> Answer) -> Actual {
        match serde_json::from_value::<T>(value.clone()) {
            Ok(typed) => Actual::Ok(wrap(typed)),
            Err(e) => Actual::Malformed {
                answer: json!({ "ok": value }),
                problem: format!(
                    "not a {}: {e}",
                    std::any::type_name::<T>().rsplit("::").next().unwrap_or("")
                ),
            },
        }
    }
    match function {
        "list-clients" => parse::<ClientPage>(value, Answer::ClientPage),
        "get-client" => parse::<Option<ClientSummary>>(value, Answer::Client),
        "list-services" => parse::<ServicePage>(value, Answer::ServicePage),
        "get-service" => parse::<Option<ServiceSummary>>(value, Answer::Service),
        other => Actual::Malformed {
            answer: json!({ "ok": value }),
            problem: format!("`{other}` is not a function of the contract"),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oracle::Answer;

    #[test]
    fn integral_rates_compare_as_numbers() {
        let call = Call::get_service("00000000-0000-4000-8000-000000000001");
        let summary = json!({
            "serviceId": "00000000-0000-4000-8000-000000000001", "serviceName": "x",
            "itemKind": "service", "billingMethod": "hourly", "serviceTypeId": null,
            "serviceTypeName": null, "defaultRate": 1250, "prices": [], "unitOfMeasure": "hour",
            "isActive": true, "sku": null
        });
        let mut as_float = summary.clone();
        as_float["defaultRate"] = json!(1250.0);
        let a = Actual::from_outcome(&call, &Outcome::Value { value: summary });
        let b = Actual::from_outcome(&call, &Outcome::Value { value: as_float });
        assert_eq!(a, b);
        assert_eq!(a.class(), "ok");
    }

    #[test]
    fn the_largest_rate_reads_back_exactly_from_protocol_text() {
        // A testee that prints the rate as a float (serde does) must not lose the last unit.
        let line = r#"{"class":"value","value":{"serviceId":"00000000-0000-4000-8000-000000000001","serviceName":"x","itemKind":"service","billingMethod":"hourly","serviceTypeId":null,"serviceTypeName":null,"defaultRate":9007199254740991.0,"prices":[],"unitOfMeasure":"","isActive":true,"sku":null}}"#;
        let outcome: Outcome = serde_json::from_str(line).unwrap();
        let call = Call::get_service("00000000-0000-4000-8000-000000000001");
        let Actual::Ok(Answer::Service(Some(summary))) = Actual::from_outcome(&call, &outcome) else {
            panic!()
        };
        assert_eq!(summary.default_rate, ((1u64 << 53) - 1) as f64);
    }

    #[test]
    fn wrong_shapes_are_malformed() {
        let call = Call::get_client("00000000-0000-4000-8000-000000000001");
        let actual = Actual::from_outcome(&call, &Outcome::Value { value: json!({"clientId": 3}) });
        assert_eq!(actual.class(), "malformed");
        let error = Actual::from_outcome(&call, &Outcome::ContractError { error: json!({"tag": "nope"}) });
        assert_eq!(error.class(), "malformed");
    }
}
