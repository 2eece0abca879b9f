//! Comparing what a host returned with what the oracle expects, through a projection:
//! each check looks at the aspect its rule is about (the outcome class, which records,
//! the page, the order, the whole value), so that a broken host fails on the rule it
//! breaks rather than on every rule at once.
//!
//! A check also counts what it judged ([`Tally`]): a check that looks only at `ok` answers
//! (ISO-1, PAGE-4, DATA-1, ...) has nothing to judge when a host refuses every call, and
//! must not pass for that. The runner adds up the tallies of a check's cases and reports
//! the check *unverified* when it could judge too little ([`Tally::shortfall`]).

use crate::case::{Case, StepResult, calls_of, outcome_at};
use crate::oracle::{self, Answer, Expected, Reading};
use crate::outcome::Actual;
use alga_conformance_protocol::{Call, ExecutionContext};
use alga_extension_contract::types::ReadError;
use serde_json::{Value as Json, json};
use std::collections::BTreeSet;

/// What a check found wrong: where, what, and the two sides for a diff.
#[derive(Debug, Clone, PartialEq)]
pub struct Mismatch {
    /// Index of the step in the case.
    pub step: usize,
    /// Index of the call inside a concurrent batch.
    pub index: Option<usize>,
    /// What is wrong, in words, naming the rule.
    pub message: String,
    /// What a conforming host returns (JSON for the diff).
    pub expected: Json,
    /// What the host returned.
    pub actual: Json,
}

/// What a check judged in a case (or, added up, in a run).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally {
    /// Calls the check judged.
    pub judged: u32,
    /// Calls the check should have judged but could not, because the host answered
    /// something that leaves nothing to judge (`not-allowed`, `internal` or a host failure
    /// where SPEC.md says `ok`, for a check of the records an `ok` returns).
    pub unjudged: u32,
    /// The first call that could not be judged, in words.
    pub example: Option<String>,
}

impl Tally {
    /// `n` calls judged.
    pub fn judged(n: usize) -> Tally {
        Tally { judged: u32::try_from(n).unwrap_or(u32::MAX), ..Tally::default() }
    }

    /// Counts one judged call.
    pub fn judge(&mut self) {
        self.judged = self.judged.saturating_add(1);
    }

    /// Counts a call that could not be judged: SPEC.md says `expected`, the host answered
    /// `actual`.
    pub fn could_not_judge(&mut self, call: &JudgedCall<'_>) {
        self.unjudged = self.unjudged.saturating_add(1);
        if self.example.is_none() {
            self.example = Some(format!(
                "step {}: {} answered {} where SPEC.md says {}",
                call.step,
                call_line(call.call),
                call.actual.class(),
                expected_classes(&call.expected)
            ));
        }
    }

    /// Adds `other` (keeping the first example).
    pub fn add(&mut self, other: Tally) {
        self.judged = self.judged.saturating_add(other.judged);
        self.unjudged = self.unjudged.saturating_add(other.unjudged);
        if self.example.is_none() {
            self.example = other.example;
        }
    }

    /// Why the calls judged are too few for a verdict, if they are: none at all, or fewer
    /// than the calls that could not be judged (the host answered most calls in a way
    /// that leaves the check nothing to look at).
    pub fn shortfall(&self, check: &str) -> Option<String> {
        let example = self.example.as_ref().map(|e| format!(" (first: {e})")).unwrap_or_default();
        if self.judged == 0 && self.unjudged == 0 {
            Some(format!("{check} found nothing to judge{example}"))
        } else if self.judged == 0 {
            Some(format!("{check} could judge no call: {} could not be judged{example}", self.unjudged))
        } else if self.unjudged > self.judged {
            Some(format!(
                "{check} could judge only {} calls and not {} others, so its pass would mean little{example}",
                self.judged, self.unjudged
            ))
        } else {
            None
        }
    }
}

/// A call in one line, long texts cut short: `list-clients({"search":"xxxx… (1048576 characters)"})`.
pub fn call_line(call: &Call) -> String {
    let args: Vec<String> = call.args.iter().map(crate::report::text::compact).collect();
    format!("{}({})", call.function, args.join(", "))
}

/// The outcome classes an expectation admits, for messages: `ok`, `not-allowed or ok`, ...
pub fn expected_classes(expected: &Expected) -> String {
    let mut classes: Vec<&str> = expected
        .alternatives()
        .iter()
        .map(|alternative| match alternative {
            Expected::Ok(_) => "ok",
            Expected::NotAllowed => "not-allowed",
            Expected::InvalidInput(_) => "invalid-input",
            Expected::AnyOf(_) => "any of several",
        })
        .collect();
    classes.dedup();
    classes.join(" or ")
}

/// Whether the host answered `judged` with an outcome class SPEC.md allows for it.
pub fn class_as_specified(judged: &JudgedCall<'_>) -> bool {
    judge(Projection::Class, &judged.expected, &judged.actual).is_ok()
}

/// The aspect of an outcome a check compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Projection {
    /// Whether the call was refused (`not-allowed`) or let through (anything else): what
    /// the capability and user rules decide.
    Decision,
    /// `ok`, `not-allowed`, `invalid-input`, `internal`, a trap, ...
    Class,
    /// The class, and for `ok` the effective `page` and `page-size`.
    Echo,
    /// The class, and for `ok` which records (ids folded, order ignored).
    Members,
    /// The class, and for `ok` the ids in order and the paging numbers.
    Page,
}

/// Which calls of a case a check judges: a check judges only what its rule decides and
/// leaves other differences to the checks of the rules that decide them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Every call.
    All,
    /// Calls the oracle lets through the capability and user checks (no alternative is
    /// `not-allowed`): input rules.
    Allowed,
    /// Calls the oracle answers with `ok` (every alternative): data and listing rules.
    Answered,
}

impl Scope {
    fn covers(self, expected: &Expected) -> bool {
        let alternatives = expected.alternatives();
        match self {
            Scope::All => true,
            Scope::Allowed => !alternatives.iter().any(|a| matches!(a, Expected::NotAllowed)),
            Scope::Answered => alternatives.iter().all(|a| matches!(a, Expected::Ok(_))),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
enum View {
    Class(&'static str),
    Echo { page: u32, page_size: u32 },
    Members(BTreeSet<String>),
    Page { ids: Vec<String>, total: u32, page: u32, page_size: u32 },
}

fn view_of_answer(projection: Projection, answer: &Answer) -> View {
    let folded = || answer.ids().into_iter().map(|id| id.to_ascii_lowercase());
    match (projection, answer.paging()) {
        (Projection::Decision, _) => View::Class("let through"),
        (Projection::Class, _) | (Projection::Echo, None) => View::Class("ok"),
        (Projection::Echo, Some((_, page, page_size))) => View::Echo { page, page_size },
        (Projection::Members, _) | (Projection::Page, None) => View::Members(folded().collect()),
        (Projection::Page, Some((total, page, page_size))) => {
            View::Page { ids: folded().collect(), total, page, page_size }
        }
    }
}

fn view_of_expected(projection: Projection, expected: &Expected) -> View {
    match (expected, projection) {
        (Expected::NotAllowed, _) => View::Class("not-allowed"),
        (_, Projection::Decision) => View::Class("let through"),
        (Expected::Ok(answer), _) => view_of_answer(projection, answer),
        (Expected::InvalidInput(_), _) => View::Class("invalid-input"),
        (Expected::AnyOf(_), _) => unreachable!("alternatives are flattened before viewing"),
    }
}

fn view_of_actual(projection: Projection, actual: &Actual) -> View {
    match (actual, projection) {
        (Actual::Err(ReadError::NotAllowed), _) => View::Class("not-allowed"),
        (_, Projection::Decision) => View::Class("let through"),
        (Actual::Ok(answer), _) => view_of_answer(projection, answer),
        (other, _) => View::Class(other.class()),
    }
}

/// Whether `actual` matches `expected` (any alternative) under `projection`; if not, a
/// sentence saying how it differs.
pub fn judge(projection: Projection, expected: &Expected, actual: &Actual) -> Result<(), String> {
    let got = view_of_actual(projection, actual);
    let alternatives = expected.alternatives();
    if alternatives.iter().any(|alt| view_of_expected(projection, alt) == got) {
        return Ok(());
    }
    let wanted: Vec<View> = alternatives.iter().map(|alt| view_of_expected(projection, alt)).collect();
    Err(describe(&wanted, &got, actual))
}

fn class_of(view: &View) -> &'static str {
    match view {
        View::Class(class) => class,
        _ => "ok",
    }
}

fn describe(wanted: &[View], got: &View, actual: &Actual) -> String {
    let got_class = class_of(got);
    let mut classes: Vec<&str> = wanted.iter().map(class_of).collect();
    classes.dedup();
    let detail = match actual {
        Actual::GuestTrap(message) | Actual::HostFailure(message) => format!(": {message}"),
        Actual::Malformed { problem, .. } => format!(": {problem}"),
        _ => String::new(),
    };
    if !classes.contains(&got_class) {
        let got_class = if got_class == "let through" { actual.class() } else { got_class };
        return format!("expected {}, got {got_class}{detail}", classes.join(" or "));
    }
    let same_class = wanted.iter().find(|w| class_of(w) == got_class);
    match (same_class, got) {
        (Some(View::Members(want)), View::Members(have)) => {
            let missing: Vec<&String> = want.difference(have).collect();
            let extra: Vec<&String> = have.difference(want).collect();
            format!("the records differ: missing {missing:?}, not expected {extra:?}")
        }
        (
            Some(View::Page { ids, total, page, page_size }),
            View::Page { ids: got_ids, total: t, page: p, page_size: s },
        ) => {
            let mut parts = Vec::new();
            if total != t {
                parts.push(format!("total-count {t}, expected {total}"));
            }
            if (page, page_size) != (p, s) {
                parts.push(format!("page {p} page-size {s}, expected page {page} page-size {page_size}"));
            }
            if ids != got_ids {
                parts.push(format!("items {got_ids:?}, expected {ids:?}"));
            }
            format!("the page differs: {}", parts.join("; "))
        }
        (Some(View::Echo { page, page_size }), View::Echo { page: p, page_size: s }) => {
            format!("the page echoes page {p} page-size {s}, expected page {page} page-size {page_size}")
        }
        _ => "the value differs from the expected one".to_string(),
    }
}

/// One judged call of a case.
pub struct JudgedCall<'a> {
    /// Index of the step.
    pub step: usize,
    /// Index inside a concurrent batch.
    pub index: Option<usize>,
    /// The context.
    pub context: &'a ExecutionContext,
    /// The call.
    pub call: &'a Call,
    /// The oracle's expectation.
    pub expected: Expected,
    /// What the host returned.
    pub actual: Actual,
}

impl JudgedCall<'_> {
    /// A mismatch at this call, with the full expected and actual outcomes.
    pub fn mismatch(&self, message: impl Into<String>) -> Mismatch {
        Mismatch {
            step: self.step,
            index: self.index,
            message: message.into(),
            expected: self.expected.to_json(),
            actual: self.actual.to_json(),
        }
    }
}

/// Every call of the case with the oracle's expectation and the host's outcome.
/// A call the oracle cannot judge is a bug of the suite; it is reported as a mismatch.
pub fn judged_calls<'a>(
    case: &'a Case,
    results: &'a [StepResult],
    reading: Reading,
) -> Result<Vec<JudgedCall<'a>>, Mismatch> {
    let mut judged = Vec::new();
    for (step, index, context, call) in calls_of(case) {
        let expected = oracle::expect(&case.fixture, context, call, reading).map_err(|e| Mismatch {
            step,
            index,
            message: format!("bug in the conformance suite: {e}"),
            expected: Json::Null,
            actual: Json::Null,
        })?;
        let actual = match outcome_at(results, step, index) {
            Some(outcome) => Actual::from_outcome(call, outcome),
            None => Actual::HostFailure("the step has no outcome".into()),
        };
        judged.push(JudgedCall { step, index, context, call, expected, actual });
    }
    Ok(judged)
}

/// Judges every call of the case in `scope` under `projection`; `rule` prefixes the
/// message. Every call in scope is judged (an answer of the wrong class is a mismatch).
pub fn each_call(
    case: &Case,
    results: &[StepResult],
    reading: Reading,
    scope: Scope,
    projection: Projection,
    rule: &str,
) -> Result<Tally, Mismatch> {
    let mut tally = Tally::default();
    for judged in judged_calls(case, results, reading)? {
        if !scope.covers(&judged.expected) {
            continue;
        }
        if let Err(why) = judge(projection, &judged.expected, &judged.actual) {
            return Err(judged.mismatch(format!("{rule}: {why}")));
        }
        tally.judge();
    }
    Ok(tally)
}

/// For checks of what an `ok` answer holds: judges with `inspect` every call answered `ok`,
/// and counts as unjudged every call SPEC.md answers `ok` (every alternative) that was not.
pub fn each_ok_answer(
    case: &Case,
    results: &[StepResult],
    reading: Reading,
    mut inspect: impl FnMut(&JudgedCall<'_>, &Answer) -> Result<(), Mismatch>,
) -> Result<Tally, Mismatch> {
    let mut tally = Tally::default();
    for judged in judged_calls(case, results, reading)? {
        match &judged.actual {
            Actual::Ok(answer) => {
                inspect(&judged, answer)?;
                tally.judge();
            }
            _ if Scope::Answered.covers(&judged.expected) => tally.could_not_judge(&judged),
            _ => {}
        }
    }
    Ok(tally)
}

/// A mismatch about the case as a whole (a walk, a sequence).
pub fn case_mismatch(step: usize, message: String, expected: Json, actual: Json) -> Mismatch {
    Mismatch { step, index: None, message, expected, actual }
}

/// `value` as JSON, for mismatches built by hand.
pub fn to_json<T: serde::Serialize>(value: &T) -> Json {
    serde_json::to_value(value).unwrap_or_else(|e| json!(format!("<not serialisable: {e}>")))
}
