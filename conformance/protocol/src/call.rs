//! A call of a contract function, written as JSON so that it serves every contract version,
//! and the class of its outcome.
//!
//! Arguments and values use the JSON form of the contract's serde types (camelCase record
//! keys, enum case names, `{"tag", "val"}` variants, `null` for `none`).

use alga_extension_contract::types::{ClientListInput, ReadError, ServiceListInput};
use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

/// One call of a contract function.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Call {
    /// The imported interface, versioned: `alga:extension/clients@0.1.0`.
    pub interface: String,
    /// The function: `list-clients`.
    pub function: String,
    /// The arguments in parameter order.
    pub args: Vec<Json>,
}

impl Call {
    /// A call of `function` in interface `interface` (a name inside the contract package,
    /// such as `clients`) of the contract version this crate was built with.
    pub fn new(interface: &str, function: &str, args: Vec<Json>) -> Self {
        Call {
            interface: format!("alga:extension/{interface}@{}", alga_extension_contract::CONTRACT_VERSION),
            function: function.to_string(),
            args,
        }
    }

    /// `list-clients(input)`.
    pub fn list_clients(input: &ClientListInput) -> Self {
        Call::new("clients", "list-clients", vec![to_json(input)])
    }

    /// `get-client(client-id)`.
    pub fn get_client(client_id: &str) -> Self {
        Call::new("clients", "get-client", vec![Json::String(client_id.to_string())])
    }

    /// `list-services(input)`.
    pub fn list_services(input: &ServiceListInput) -> Self {
        Call::new("services", "list-services", vec![to_json(input)])
    }

    /// `get-service(service-id)`.
    pub fn get_service(service_id: &str) -> Self {
        Call::new("services", "get-service", vec![Json::String(service_id.to_string())])
    }

    /// The interface's name inside its package (`clients` for
    /// `alga:extension/clients@0.1.0`).
    pub fn interface_name(&self) -> &str {
        let after_slash = self.interface.split_once('/').map_or(self.interface.as_str(), |(_, rest)| rest);
        after_slash.split_once('@').map_or(after_slash, |(name, _)| name)
    }

    /// A short human form: `list-clients({"page":0})`.
    pub fn display(&self) -> String {
        let args: Vec<String> = self.args.iter().map(Json::to_string).collect();
        format!("{}({})", self.function, args.join(", "))
    }
}

fn to_json<T: Serialize>(value: &T) -> Json {
    serde_json::to_value(value).expect("contract types serialise to JSON")
}

/// What came of a call. The classes are what conformance decides on; a testee never
/// answers a call by crashing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "class", rename_all = "kebab-case", deny_unknown_fields)]
pub enum Outcome {
    /// The function returned `ok(value)`.
    Value {
        /// The `ok` payload as JSON (`null` for `ok(none)`).
        value: Json,
    },
    /// The function returned `err(error)`: a contract error.
    ContractError {
        /// The `read-error` as JSON: `{"tag": "invalid-input", "val": "..."}`.
        error: Json,
    },
    /// The guest trapped (including a host function that trapped it, a deadline or a
    /// memory limit).
    GuestTrap {
        /// What the host reported.
        message: String,
    },
    /// The host could not carry out the call at all (it crashed, could not instantiate
    /// the probe, lost its store outside a simulated outage, or answered garbage).
    HostFailure {
        /// What went wrong.
        message: String,
    },
}

impl Outcome {
    /// The outcome of a call that returned the WIT `result` `json` (`{"ok": ...}` or
    /// `{"err": ...}`).
    pub fn from_result_json(json: Json) -> Outcome {
        match json {
            Json::Object(mut object) if object.len() == 1 && object.contains_key("ok") => {
                Outcome::Value { value: object.remove("ok").unwrap_or(Json::Null) }
            }
            Json::Object(mut object) if object.len() == 1 && object.contains_key("err") => {
                Outcome::ContractError { error: object.remove("err").unwrap_or(Json::Null) }
            }
            other => Outcome::HostFailure { message: format!("the call returned no WIT result: {other}") },
        }
    }

    /// The outcome of a contract result.
    pub fn from_result<T: Serialize>(result: &Result<T, ReadError>) -> Outcome {
        match result {
            Ok(value) => Outcome::Value { value: to_json(value) },
            Err(error) => Outcome::ContractError { error: to_json(error) },
        }
    }

    /// The contract error, when the outcome is one and it parses as a `read-error` of this
    /// contract version.
    pub fn read_error(&self) -> Option<ReadError> {
        match self {
            Outcome::ContractError { error } => serde_json::from_value(error.clone()).ok(),
            _ => None,
        }
    }

    /// The class name: `value`, `contract-error`, `guest-trap` or `host-failure`.
    pub fn class(&self) -> &'static str {
        match self {
            Outcome::Value { .. } => "value",
            Outcome::ContractError { .. } => "contract-error",
            Outcome::GuestTrap { .. } => "guest-trap",
            Outcome::HostFailure { .. } => "host-failure",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calls_serialise_with_the_contract_json() {
        let call = Call::list_clients(&ClientListInput { page_size: Some(5), ..Default::default() });
        let json = serde_json::to_value(&call).unwrap();
        assert_eq!(
            json["interface"],
            format!("alga:extension/clients@{}", alga_extension_contract::CONTRACT_VERSION)
        );
        assert_eq!(json["args"][0]["pageSize"], 5);
        assert_eq!(json["args"][0]["search"], Json::Null);
        assert_eq!(call.interface_name(), "clients");
    }

    #[test]
    fn outcomes_classify_results() {
        let ok = Outcome::from_result_json(serde_json::json!({"ok": null}));
        assert_eq!(ok, Outcome::Value { value: Json::Null });
        let err = Outcome::from_result_json(
            serde_json::json!({"err": {"tag": "invalid-input", "val": "page must"}}),
        );
        assert_eq!(err.read_error(), Some(ReadError::InvalidInput("page must".into())));
        assert_eq!(err.class(), "contract-error");
        assert_eq!(Outcome::from_result_json(serde_json::json!(3)).class(), "host-failure");
        let json = serde_json::to_string(&Outcome::GuestTrap { message: "x".into() }).unwrap();
        assert_eq!(json, r#"{"class":"guest-trap","message":"x"}"#);
    }
}
