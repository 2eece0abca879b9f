//! The checks: one entry per property, each named by the SPEC.md rule(s) it decides, with
//! the rule's level, a description, its named edge cases (run first, on every seed), the
//! strategy that generates its random cases and the verification of a case's outcomes
//! against the oracle.
//!
//! `tests/spec_coverage.rs` parses SPEC.md and fails when a rule has no check, a check
//! names an unknown rule, or a check's level differs from its rule's.
//!
//! | module | rules |
//! |---|---|
//! | [`tenancy`] | CTX-1, CTX-2, ISO-1 (also concurrently), ISO-2 |
//! | [`access`] | CAP-1, CAP-2, CAP-3, AUTH-1 to AUTH-4 |
//! | [`input`] | VAL-1 to VAL-4 |
//! | [`listing`] | PAGE-1 to PAGE-4 (with page walks), FILT-1, FILT-2, SRCH-1, SRCH-2 |
//! | [`data`] | DATA-1 to DATA-3 |
//! | [`failure`] | ERR-1 (a state sequence through a store outage), ERR-2 |

pub mod access;
pub mod data;
pub mod failure;
pub mod input;
pub mod judge;
pub mod listing;
pub mod scenario;
pub mod tenancy;

use crate::case::{Case, StepResult};
use crate::named::NamedCase;
pub use judge::{Mismatch, Tally};
use proptest::strategy::BoxedStrategy;
use serde::{Deserialize, Serialize};

/// A rule's level (SPEC.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Level {
    /// A host that fails it does not conform.
    Required,
    /// Reported; fails the run only with `--enforce-recommended`.
    Recommended,
}

impl Level {
    /// `REQUIRED` or `RECOMMENDED`, as SPEC.md writes it.
    pub fn spec_name(self) -> &'static str {
        match self {
            Level::Required => "REQUIRED",
            Level::Recommended => "RECOMMENDED",
        }
    }
}

/// What a check needs from the testee beyond calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Needs {
    /// Nothing else.
    Calls,
    /// A simulated store outage ([`alga_conformance_protocol::Testee::set_store_outage`]);
    /// without it the check is "unverified".
    StoreOutage,
}

/// One check.
pub struct Check {
    /// Unique id: the rule ID, with a suffix when a rule has several checks
    /// (`ISO-1.concurrent`).
    pub id: &'static str,
    /// The SPEC.md rules the check decides.
    pub rules: &'static [&'static str],
    /// The rules' level.
    pub level: Level,
    /// What the check does, in one sentence.
    pub description: &'static str,
    /// What it needs from the testee.
    pub needs: Needs,
    /// The edge cases a careful reviewer tries first, each with a stable name
    /// (`AUTH-2.user-of-other-tenant`): run before the random cases, on every seed.
    pub named: &'static [NamedCase],
    /// The strategy of its random cases.
    pub cases: fn() -> BoxedStrategy<Case>,
    /// Whether the host's results for a case conform; if so, what was judged.
    pub verify: fn(&Case, &[StepResult]) -> Result<Tally, Mismatch>,
}

impl std::fmt::Debug for Check {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Check")
            .field("id", &self.id)
            .field("rules", &self.rules)
            .field("level", &self.level)
            .finish()
    }
}

/// Every check, in the order SPEC.md presents the rules.
pub static REGISTRY: &[Check] = &[
    tenancy::CTX_1,
    tenancy::CTX_2,
    tenancy::ISO_1,
    tenancy::ISO_1_CONCURRENT,
    tenancy::ISO_2,
    access::CAP_1,
    access::CAP_2,
    access::CAP_3,
    access::AUTH_1,
    access::AUTH_2,
    access::AUTH_3,
    access::AUTH_4,
    input::VAL_1,
    input::VAL_2,
    input::VAL_3,
    input::VAL_4,
    listing::PAGE_1,
    listing::PAGE_2,
    listing::PAGE_3,
    listing::PAGE_4,
    listing::FILT_1,
    listing::FILT_2,
    listing::SRCH_1,
    listing::SRCH_2,
    data::DATA_1,
    data::DATA_2,
    data::DATA_3,
    failure::ERR_1,
    failure::ERR_2,
];

/// The check with this id.
pub fn by_id(id: &str) -> Option<&'static Check> {
    REGISTRY.iter().find(|c| c.id == id)
}

/// The named case with this name, and its check.
pub fn named_case(name: &str) -> Option<(&'static Check, &'static NamedCase)> {
    REGISTRY.iter().find_map(|check| check.named.iter().find(|n| n.name == name).map(|n| (check, n)))
}

/// Whether `id` selects anything: a check id, a rule ID of a check, or a named case.
pub fn is_selector(id: &str) -> bool {
    REGISTRY.iter().any(|c| c.id == id || c.rules.contains(&id)) || named_case(id).is_some()
}
