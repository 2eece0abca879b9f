//! What the oracle says a conforming host returns: [`Expected`], possibly a set of
//! acceptable outcomes, and the typed [`Answer`] of a successful call.

use alga_extension_contract::types::{ClientPage, ClientSummary, ServicePage, ServiceSummary};
use serde::Serialize;
use serde_json::{Value as Json, json};

/// The `ok` value of a call, typed by the function that was called.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Answer {
    /// `list-clients`.
    ClientPage(ClientPage),
    /// `get-client`.
    Client(Option<ClientSummary>),
    /// `list-services`.
    ServicePage(ServicePage),
    /// `get-service`.
    Service(Option<ServiceSummary>),
}

impl Answer {
    /// The ids of the records in the answer, in answer order (`get-*`: zero or one).
    pub fn ids(&self) -> Vec<&str> {
        match self {
            Answer::ClientPage(page) => page.items.iter().map(|c| c.client_id.as_str()).collect(),
            Answer::Client(found) => found.iter().map(|c| c.client_id.as_str()).collect(),
            Answer::ServicePage(page) => page.items.iter().map(|s| s.service_id.as_str()).collect(),
            Answer::Service(found) => found.iter().map(|s| s.service_id.as_str()).collect(),
        }
    }

    /// `(total-count, page, page-size)` of a list answer; `None` for `get-*`.
    pub fn paging(&self) -> Option<(u32, u32, u32)> {
        match self {
            Answer::ClientPage(p) => Some((p.total_count, p.page, p.page_size)),
            Answer::ServicePage(p) => Some((p.total_count, p.page, p.page_size)),
            Answer::Client(_) | Answer::Service(_) => None,
        }
    }

    /// The answer as the contract's JSON.
    pub fn to_json(&self) -> Json {
        serde_json::to_value(self).expect("contract types serialise")
    }
}

/// Why an input is invalid, in terms of the bound it breaks (VAL-1 to VAL-3). VAL-4 asks
/// the message to state the bound; [`InvalidField::bound_words`] says what that means.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "problem")]
pub enum Problem {
    /// A number below its minimum.
    BelowMin {
        /// The minimum.
        min: u32,
        /// The value given.
        got: u32,
    },
    /// A number above its maximum.
    AboveMax {
        /// The maximum.
        max: u32,
        /// The value given.
        got: u32,
    },
    /// A search longer than its maximum after trimming.
    TooLong {
        /// The maximum in characters.
        max: usize,
        /// The length after trimming.
        got: usize,
    },
    /// A search with a control character inside.
    ControlCharacter,
    /// An id that is not a UUID in canonical text form.
    NotCanonicalUuid,
    /// A currency code that is not three ASCII letters after trimming (VAL-5).
    NotCurrencyCode,
}

/// One invalid field of an input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InvalidField {
    /// The field's WIT name: `page`, `page-size`, `search`, `client-id`, `service-id`,
    /// `currency-code`.
    pub field: &'static str,
    /// What is wrong with it.
    #[serde(flatten)]
    pub problem: Problem,
}

impl InvalidField {
    /// What the message must contain to "state the bound", exactly as VAL-4 defines it,
    /// compared ASCII case-insensitively: any one of these words (folded): the broken
    /// bound as a decimal number (`1`, `10000`, `100`, `200`), `control`, `uuid`, and for
    /// a currency code `three` or `3`.
    pub fn bound_words(&self) -> Vec<String> {
        match &self.problem {
            Problem::BelowMin { min, .. } => vec![min.to_string()],
            Problem::AboveMax { max, .. } => vec![max.to_string()],
            Problem::TooLong { max, .. } => vec![max.to_string()],
            Problem::ControlCharacter => vec!["control".to_string()],
            Problem::NotCanonicalUuid => vec!["uuid".to_string()],
            Problem::NotCurrencyCode => vec!["three".to_string(), "3".to_string()],
        }
    }

    /// Whether `message` states the bound this field breaks (VAL-4): it contains one of
    /// [`InvalidField::bound_words`], in any ASCII letter case.
    pub fn states_bound(&self, message: &str) -> bool {
        let folded = message.to_ascii_lowercase();
        self.bound_words().iter().any(|word| folded.contains(word.as_str()))
    }
}

/// What a conforming host returns for one call.
#[derive(Debug, Clone, PartialEq)]
pub enum Expected {
    /// `ok(answer)`, exactly.
    Ok(Answer),
    /// `err(not-allowed)`.
    NotAllowed,
    /// `err(invalid-input(..))` naming any one of these fields (VAL-4: with several
    /// invalid fields, the message may name any of them).
    InvalidInput(Vec<InvalidField>),
    /// Any one of these outcomes (SPEC.md allows several answers, e.g. CAP-3 under the
    /// REQUIRED rules only).
    AnyOf(Vec<Expected>),
}

impl Expected {
    /// The alternatives this expectation admits (itself, unless it is [`Expected::AnyOf`]).
    pub fn alternatives(&self) -> Vec<&Expected> {
        match self {
            Expected::AnyOf(all) => all.iter().flat_map(Expected::alternatives).collect(),
            single => vec![single],
        }
    }

    /// The answer, when the only acceptable outcome is `ok`.
    pub fn answer(&self) -> Option<&Answer> {
        match self.alternatives().as_slice() {
            [Expected::Ok(answer)] => Some(answer),
            _ => None,
        }
    }

    /// The expectation as JSON in the contract's result form, for reports: `{"ok": ..}`,
    /// `{"err": ..}`, or `{"any-of": [..]}`.
    pub fn to_json(&self) -> Json {
        match self {
            Expected::Ok(answer) => json!({ "ok": answer.to_json() }),
            Expected::NotAllowed => json!({ "err": { "tag": "not-allowed" } }),
            Expected::InvalidInput(fields) => {
                let names: Vec<&str> = fields.iter().map(|f| f.field).collect();
                json!({ "err": { "tag": "invalid-input", "val": format!("<a message naming {}>", names.join(" or ")) } })
            }
            Expected::AnyOf(all) => {
                json!({ "any-of": all.iter().map(Expected::to_json).collect::<Vec<_>>() })
            }
        }
    }
}
