//! The oracle: an independent model of SPEC.md. Given a [`Fixture`], an
//! [`ExecutionContext`] and a [`Call`], it says what a conforming host must return.
//!
//! It is written from SPEC.md alone. It never uses the reference host or store, nor the
//! contract crate's `input` and `summary` modules (those are the host-side readings of the
//! same rules: sharing them would make the suite test itself); `tests/oracle_independence.rs`
//! fails the build if a file here imports any of them. From the contract crate it uses the
//! serde types (the WIT's shapes) and the table of functions, capabilities and permissions
//! (names).
//!
//! | module | SPEC.md | what it owns |
//! |---|---|---|
//! | [`text`] | 2 | fold, trim, control characters, canonical UUIDs, substring match, order |
//! | [`access`] | 3, 4 | tenant, install capability, user and permission, portal scope |
//! | [`validation`] | 5 | defaults and bounds of inputs, the currency code (VAL-5) |
//! | [`query`] | 6, DATA-3 | filtered sets (the currency filter, PRICE-2), order, pages, lookups |
//! | [`records`] | 7 | summaries of stored records, their prices (PRICE-1) |
//! | [`expected`] | | the oracle's answer: one outcome or a set of acceptable ones |

pub mod access;
pub mod expected;
pub mod query;
pub mod records;
pub mod text;
pub mod validation;

#[cfg(test)]
mod tests;

use access::{Access, Scope};
pub use expected::{Answer, Expected, InvalidField, Problem};

use alga_conformance_protocol::{Call, ExecutionContext, Fixture};
use alga_extension_contract::types::{ClientListInput, ServiceListInput};
use alga_extension_contract::{ContractFunction, function};

/// Which rules decide where SPEC.md leaves a choice to the host.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reading {
    /// The REQUIRED rules only: where a RECOMMENDED rule narrows the answer (CAP-3), every
    /// answer the REQUIRED rules allow is acceptable.
    Required,
    /// REQUIRED and RECOMMENDED rules together: the narrowest answer.
    Recommended,
}

/// A call the oracle cannot judge: not a function of this contract version, or arguments
/// that do not have the function's parameter types.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the oracle cannot judge {call}: {problem}")]
pub struct UnjudgeableCall {
    /// The call, in short form.
    pub call: String,
    /// What is wrong with it.
    pub problem: String,
}

/// What a conforming host returns for `call` in `context`, with `fixture` loaded.
pub fn expect(
    fixture: &Fixture,
    context: &ExecutionContext,
    call: &Call,
    reading: Reading,
) -> Result<Expected, UnjudgeableCall> {
    let unjudgeable = |problem: String| UnjudgeableCall { call: call.display(), problem };
    let contract_function = function(&call.function)
        .filter(|f| f.interface == call.interface_name())
        .ok_or_else(|| unjudgeable(format!("no function `{}` in `{}`", call.function, call.interface)))?;
    let [argument] = call.args.as_slice() else {
        return Err(unjudgeable(format!("{} argument(s) given, 1 expected", call.args.len())));
    };
    let argument = Argument::parse(contract_function, argument).map_err(unjudgeable)?;
    Ok(match access::decide(fixture, context, contract_function, reading) {
        Access::Denied => Expected::NotAllowed,
        Access::Granted(scope) => after_access(&scope, &argument),
        Access::GrantedOrDenied(scope) => {
            Expected::AnyOf(vec![after_access(&scope, &argument), Expected::NotAllowed])
        }
    })
}

/// The typed argument of a contract function.
enum Argument {
    ListClients(ClientListInput),
    GetClient(String),
    ListServices(ServiceListInput),
    GetService(String),
}

impl Argument {
    fn parse(function: &ContractFunction, json: &serde_json::Value) -> Result<Argument, String> {
        let text =
            || json.as_str().map(str::to_string).ok_or_else(|| format!("expected a string, got {json}"));
        let typed = |what: &str| format!("the argument is not a {what}");
        Ok(match function.name {
            "list-clients" => Argument::ListClients(
                serde_json::from_value(json.clone())
                    .map_err(|e| format!("{}: {e}", typed("client-list-input")))?,
            ),
            "get-client" => Argument::GetClient(text()?),
            "list-services" => Argument::ListServices(
                serde_json::from_value(json.clone())
                    .map_err(|e| format!("{}: {e}", typed("service-list-input")))?,
            ),
            "get-service" => Argument::GetService(text()?),
            other => return Err(format!("the oracle does not model `{other}`")),
        })
    }
}

/// Steps 3 and 4 of SPEC.md section 4: the input, then the query.
fn after_access(scope: &Scope<'_>, argument: &Argument) -> Expected {
    let outcome = match argument {
        Argument::ListClients(input) => {
            validation::list_input(input.page, input.page_size, input.search.as_deref())
                .map(|effective| Answer::ClientPage(query::list_clients(scope, input, &effective)))
        }
        Argument::ListServices(input) => {
            // Every invalid field is collected: VAL-4 lets the message name any of them.
            let listing = validation::list_input(input.page, input.page_size, input.search.as_deref());
            let currency = validation::currency_code(input.currency_code.as_deref());
            match (listing, currency) {
                (Ok(effective), Ok(currency)) => Ok(Answer::ServicePage(query::list_services(
                    scope,
                    input,
                    &effective,
                    currency.as_deref(),
                ))),
                (Err(mut fields), Err(field)) => {
                    fields.push(field);
                    Err(fields)
                }
                (Err(fields), Ok(_)) => Err(fields),
                (Ok(_), Err(field)) => Err(vec![field]),
            }
        }
        Argument::GetClient(id) => {
            validation::record_id("client-id", id).map(|()| Answer::Client(query::get_client(scope, id)))
        }
        Argument::GetService(id) => {
            validation::record_id("service-id", id).map(|()| Answer::Service(query::get_service(scope, id)))
        }
    };
    match outcome {
        Ok(answer) => Expected::Ok(answer),
        Err(fields) => Expected::InvalidInput(fields),
    }
}
