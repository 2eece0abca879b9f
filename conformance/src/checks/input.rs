//! Checks of SPEC.md section 5: defaults and bounds of paging (VAL-1), the search text
//! (VAL-2), the ids of `get-*` (VAL-3), and the text of `invalid-input` (VAL-4).

use super::access::invalid_call;
use super::judge::{Projection, Scope, each_call, judge, judged_calls};
use super::scenario::{calls, pairs};
use super::{Check, Guests, Level, Mismatch, Needs, Tally};
use crate::case::{Case, StepResult};
use crate::named;
use crate::oracle::validation::MAX_ECHOED_CHARS;
use crate::oracle::{Answer, Expected, Reading};
use crate::outcome::Actual;
use crate::strategy::picks::{self, IdPick, SearchPick};
use crate::strategy::world::WorldSize;
use crate::strategy::{CallPick, get_pick, list_pick, text};
use alga_extension_contract::types::ReadError;
use proptest::prelude::*;

/// VAL-1.
pub const VAL_1: Check = Check {
    id: "VAL-1",
    rules: &["VAL-1"],
    level: Level::Required,
    description: "page defaults to 1 and page-size to 25; 1 <= page <= 10000 and 1 <= page-size <= 100, otherwise invalid-input; the page echoes the effective values",
    needs: Needs::Calls,
    guests: Guests::OfItsVersion,
    named: named::input::VAL_1,
    cases: || {
        let call = list_pick(Just(SearchPick::Absent), picks::bound_page(), picks::bound_page_size());
        calls(WorldSize::DEFAULT, pairs(picks::admin_context(), call, 1..8))
    },
    verify: |case, results| {
        each_call(case, results, Reading::Required, Scope::Allowed, Projection::Echo, "VAL-1")
    },
};

/// VAL-2.
pub const VAL_2: Check = Check {
    id: "VAL-2",
    rules: &["VAL-2"],
    level: Level::Required,
    description: "search is trimmed; empty means no filter; over 200 characters after trimming or with a control character inside is invalid-input",
    needs: Needs::Calls,
    guests: Guests::OfItsVersion,
    named: named::input::VAL_2,
    cases: || {
        let search = prop_oneof![
            2 => text::bound_search().prop_map(SearchPick::Text),
            1 => text::search_text().prop_map(SearchPick::Text),
        ];
        let call = list_pick(search, Just(None), Just(Some(100)));
        calls(WorldSize::DEFAULT, pairs(picks::admin_context(), call, 1..6))
    },
    verify: |case, results| {
        each_call(case, results, Reading::Required, Scope::Allowed, Projection::Members, "VAL-2")
    },
};

/// VAL-3.
pub const VAL_3: Check = Check {
    id: "VAL-3",
    rules: &["VAL-3"],
    level: Level::Required,
    description: "get-* ids must be canonical UUIDs (else invalid-input), match in any letter case, and come back lower-case",
    needs: Needs::Calls,
    guests: Guests::OfItsVersion,
    named: named::input::VAL_3,
    cases: || {
        let context = prop_oneof![3 => picks::admin_context(), 1 => picks::user_context()];
        calls(WorldSize::DEFAULT, pairs(context, get_pick(picks::any_id()), 1..8))
    },
    verify: |case, results| {
        let tally =
            each_call(case, results, Reading::Required, Scope::Allowed, Projection::Members, "VAL-3")?;
        lower_case_ids(case, results)?;
        Ok(tally)
    },
};

/// Fails when an `ok` answer holds an id that is not lower-case.
fn lower_case_ids(case: &Case, results: &[StepResult]) -> Result<(), Mismatch> {
    for judged in judged_calls(case, results, Reading::Required)? {
        let Actual::Ok(answer) = &judged.actual else { continue };
        let ids: Vec<&str> = match answer {
            Answer::Client(found) => found
                .iter()
                .flat_map(|c| std::iter::once(c.client_id.as_str()).chain(c.account_manager_id.as_deref()))
                .collect(),
            Answer::Service(found) => found
                .iter()
                .flat_map(|s| std::iter::once(s.service_id.as_str()).chain(s.service_type_id.as_deref()))
                .collect(),
            Answer::ClientPage(_) | Answer::ServicePage(_) => Vec::new(),
        };
        if let Some(id) = ids.iter().find(|id| id.chars().any(|c| c.is_ascii_uppercase())) {
            return Err(judged.mismatch(format!("VAL-3: the result holds the id {id:?}, not in lower case")));
        }
    }
    Ok(())
}

/// VAL-4.
pub const VAL_4: Check = Check {
    id: "VAL-4",
    rules: &["VAL-4"],
    level: Level::Required,
    description: "an invalid-input message starts with the name of an offending field and a space, states the bound, and repeats at most 64 characters of the input",
    needs: Needs::Calls,
    guests: Guests::OfItsVersion,
    named: named::input::VAL_4,
    cases: || {
        let long_id = prop_oneof![
            Just("x".repeat(1000)),
            Just(format!("{}-", "0".repeat(100))),
            Just("ünïcödé-ïd".repeat(20)),
        ];
        let call = prop_oneof![
            4 => invalid_call(),
            2 => list_pick(text::bound_search().prop_map(SearchPick::Text), picks::bound_page(), picks::bound_page_size()),
            1 => (picks::kind(), long_id).prop_map(|(kind, id)| CallPick::Get { kind, id: IdPick::Raw(id) }),
        ];
        calls(WorldSize::DEFAULT, pairs(picks::admin_context(), call, 1..6))
    },
    verify: verify_messages,
};

/// VAL-4's verification.
pub(super) fn verify_messages(case: &Case, results: &[StepResult]) -> Result<Tally, Mismatch> {
    verify_messages_of(case, results, "VAL-4")
}

/// The VAL-4 judgement of every `invalid-input` answer of the case; `rule` prefixes the
/// mismatch (VAL-5 judges the messages about `currency-code` with it).
pub(super) fn verify_messages_of(case: &Case, results: &[StepResult], rule: &str) -> Result<Tally, Mismatch> {
    let mut tally = Tally::default();
    for judged in judged_calls(case, results, Reading::Required)? {
        let Expected::InvalidInput(fields) = &judged.expected else { continue };
        if let Err(why) = judge(Projection::Class, &judged.expected, &judged.actual) {
            return Err(judged.mismatch(format!("{rule}: {why}")));
        }
        let Actual::Err(ReadError::InvalidInput(message)) = &judged.actual else { continue };
        let named =
            fields.iter().filter(|f| message.starts_with(&format!("{} ", f.field))).collect::<Vec<_>>();
        if named.is_empty() {
            let names: Vec<String> = fields.iter().map(|f| format!("`{} `", f.field)).collect();
            return Err(judged.mismatch(format!(
                "{rule}: the message {message:?} does not start with {}",
                names.join(" or ")
            )));
        }
        if !named.iter().any(|f| f.states_bound(message)) {
            let words: Vec<Vec<String>> = named.iter().map(|f| f.bound_words()).collect();
            return Err(judged
                .mismatch(format!("{rule}: the message {message:?} does not state the bound {words:?}")));
        }
        let inputs = input_texts(&judged.call.args);
        if let Some(echoed) = inputs.iter().find_map(|input| longest_echo(message, input)) {
            return Err(judged.mismatch(format!(
                "{rule}: the message repeats {echoed} characters of the input, more than {MAX_ECHOED_CHARS}"
            )));
        }
        tally.judge();
    }
    Ok(tally)
}

/// The string values among a call's arguments (the search, the id).
fn input_texts(args: &[serde_json::Value]) -> Vec<String> {
    args.iter()
        .flat_map(|arg| match arg {
            serde_json::Value::String(s) => vec![s.clone()],
            serde_json::Value::Object(fields) => {
                fields.values().filter_map(|v| v.as_str().map(str::to_string)).collect()
            }
            _ => Vec::new(),
        })
        .collect()
}

/// Whether `message` contains more than [`MAX_ECHOED_CHARS`] consecutive characters of
/// `input`; if so, the length of the first such run found (at least 65).
fn longest_echo(message: &str, input: &str) -> Option<usize> {
    let window = MAX_ECHOED_CHARS + 1;
    let message_chars: Vec<char> = message.chars().collect();
    if message_chars.len() < window {
        return None;
    }
    // Windows of the message (short) are looked up in the input (possibly 1 MB).
    (0..=message_chars.len() - window)
        .any(|start| input.contains(&message_chars[start..start + window].iter().collect::<String>()))
        .then_some(window)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn echo_detection() {
        let input = "y".repeat(300);
        assert_eq!(
            longest_echo("search must be at most 200 characters after trimming, got 300", &input),
            None
        );
        let echoing = format!("search {:?} is too long", input);
        assert_eq!(longest_echo(&echoing, &input), Some(65));
        assert_eq!(longest_echo(&"y".repeat(64), &input), None);
    }
}
