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
//! | [`prices`] | VAL-5, PRICE-1, PRICE-2 (since 0.2.0), VER-1 (0.1 guests of a 0.2 host) |
//!
//! Which checks a run selects depends on the contract version under test: a check of rules
//! marked `since X` in SPEC.md runs only when that version is X or newer ([`Guests`],
//! [`applicability`]); the others are reported *not applicable*, with the reason.

pub mod access;
pub mod data;
pub mod failure;
pub mod input;
pub mod judge;
pub mod listing;
pub mod prices;
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

/// Which guests a check judges the host's answers to, relative to the `since` marks of its
/// rules in SPEC.md (the one source of truth for when a rule was added).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Guests {
    /// Guests of the version under test, when its rules bind that version: every rule
    /// without a since mark, and a rule `since X` when the version under test is X or newer.
    OfItsVersion,
    /// Guests of a version older than its rules' `since X`, served by a host that also
    /// serves X or newer: VER-1, which binds hosts serving 0.2 and is about what they give
    /// 0.1 guests. It runs when the version under test is older than X and the testee says
    /// it serves X or newer.
    OlderThanItsRules,
}

/// Whether `check` applies to a run of contract `version` against a testee serving
/// `served`: `Ok(())`, or why not (reported as *not applicable*).
pub fn applicability(check: &Check, version: &str, served: &[String]) -> Result<(), String> {
    let rules = crate::spec::rules();
    let since = check
        .rules
        .iter()
        .filter_map(|id| rules.iter().find(|r| r.id == *id)?.since.clone())
        .max_by(|a, b| crate::versions::compare(a, b));
    let Some(since) = since else {
        return match check.guests {
            Guests::OfItsVersion => Ok(()),
            Guests::OlderThanItsRules => {
                Err(format!("{} has no since mark in SPEC.md, so no guests are older than it", check.id))
            }
        };
    };
    let newer = crate::versions::at_least(version, &since);
    match check.guests {
        Guests::OfItsVersion if newer => Ok(()),
        Guests::OfItsVersion => Err(format!(
            "{} holds since contract {since} (SPEC.md); this run tests {version}",
            check.rules.join(", ")
        )),
        Guests::OlderThanItsRules if newer => Err(format!(
            "{} is judged through guests older than {since}: run with --version 0.1.0 (or another release before {since})",
            check.rules.join(", ")
        )),
        Guests::OlderThanItsRules => {
            if served.iter().any(|v| crate::versions::at_least(v, &since)) {
                Ok(())
            } else {
                Err(format!(
                    "{} binds hosts that serve contract {since} or newer; the testee serves {}",
                    check.rules.join(", "),
                    served.join(", ")
                ))
            }
        }
    }
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
    /// Which guests it judges the host's answers to (by the since marks of its rules).
    pub guests: Guests,
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
    prices::VAL_5,
    listing::PAGE_1,
    listing::PAGE_2,
    listing::PAGE_3,
    listing::PAGE_4,
    listing::FILT_1,
    listing::FILT_2,
    listing::SRCH_1,
    listing::SRCH_2,
    prices::PRICE_2,
    data::DATA_1,
    data::DATA_2,
    data::DATA_3,
    prices::PRICE_1,
    failure::ERR_1,
    failure::ERR_2,
    prices::VER_1,
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

#[cfg(test)]
mod tests {
    use super::*;

    fn served(versions: &[&str]) -> Vec<String> {
        versions.iter().map(|v| v.to_string()).collect()
    }

    #[test]
    fn rules_since_a_version_apply_from_that_version_on() {
        let both = served(&["0.2.0", "0.1.0"]);
        for id in ["VAL-5", "PRICE-1", "PRICE-2"] {
            let check = by_id(id).unwrap();
            assert_eq!(applicability(check, "0.2.0", &both), Ok(()), "{id}");
            let why = applicability(check, "0.1.0", &both).unwrap_err();
            assert!(why.contains("since contract 0.2.0") && why.contains("0.1.0"), "{why}");
        }
        for check in
            REGISTRY.iter().filter(|c| c.rules.iter().all(|r| crate::spec::rule(r).unwrap().since.is_none()))
        {
            assert_eq!(applicability(check, "0.1.0", &both), Ok(()), "{}", check.id);
            assert_eq!(applicability(check, "0.2.0", &both), Ok(()), "{}", check.id);
        }
    }

    #[test]
    fn ver_1_is_judged_through_older_guests_of_a_host_serving_its_version() {
        let check = by_id("VER-1").unwrap();
        assert_eq!(applicability(check, "0.1.0", &served(&["0.2.0", "0.1.0"])), Ok(()));
        let newer = applicability(check, "0.2.0", &served(&["0.2.0", "0.1.0"])).unwrap_err();
        assert!(newer.contains("--version 0.1.0"), "{newer}");
        let old_host = applicability(check, "0.1.0", &served(&["0.1.0"])).unwrap_err();
        assert!(old_host.contains("binds hosts that serve contract 0.2.0"), "{old_host}");
    }

    #[test]
    fn every_since_mark_is_the_version_of_a_release_or_the_current_one() {
        for rule in crate::spec::rules() {
            if let Some(since) = &rule.since {
                assert!(crate::versions::available().contains(since), "{} since {since}", rule.id);
            }
        }
    }
}
