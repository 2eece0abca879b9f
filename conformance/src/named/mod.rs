//! Named edge cases: for each check, the inputs and contexts a careful reviewer tries
//! first, written by hand, each with a stable name (`AUTH-2.user-of-other-tenant`). The
//! runner runs a check's named cases before its random ones, on every seed, so a host that
//! breaks a rule in one of these ways fails every run, not one run in five. They are data:
//! a new rule gets named cases by adding entries to its check's list.
//!
//! A named case is a [`Case`] like any other (fixture and steps), built by a function; the
//! check's own verification judges it against the oracle, so a named case states only its
//! inputs, never an expected answer. `--check NAME` runs one alone, and a failing one is
//! saved and replayed like any counterexample.
//!
//! | module | checks |
//! |---|---|
//! | [`build`] | the vocabulary: readable ids, tenants, records, contexts, calls |
//! | [`tenancy`] | CTX-1, CTX-2, ISO-1, ISO-1.concurrent, ISO-2 |
//! | [`access`] | CAP-1 to CAP-3, AUTH-1 to AUTH-4 |
//! | [`input`] | VAL-1 to VAL-4 |
//! | [`listing`] | PAGE-1 to PAGE-4, FILT-1, FILT-2, SRCH-1, SRCH-2 |
//! | [`data`] | DATA-1 to DATA-3 |
//! | [`failure`] | ERR-1, ERR-2 |
//! | [`prices`] | VAL-5, PRICE-1, PRICE-2, VER-1 |

pub mod access;
pub mod build;
pub mod data;
pub mod failure;
pub mod input;
pub mod listing;
pub mod prices;
pub mod tenancy;

use crate::case::Case;

/// One named edge case.
pub struct NamedCase {
    /// Stable name: the check's id, a dot, a slug (`AUTH-2.user-of-other-tenant`).
    pub name: &'static str,
    /// What it tries, in one sentence.
    pub description: &'static str,
    /// The case.
    pub build: fn() -> Case,
}

impl NamedCase {
    /// The name without its check's id: `user-of-other-tenant`.
    pub fn slug(&self) -> &'static str {
        // Check ids may hold a dot themselves (`ISO-1.concurrent`): the slug is after the last.
        self.name.rsplit_once('.').map_or(self.name, |(_, slug)| slug)
    }
}

impl std::fmt::Debug for NamedCase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NamedCase").field("name", &self.name).finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use crate::case::calls_of;
    use crate::checks::REGISTRY;
    use std::collections::HashSet;

    #[test]
    fn names_are_unique_and_start_with_their_check() {
        let mut seen = HashSet::new();
        for check in REGISTRY {
            for named in check.named {
                assert!(seen.insert(named.name), "{} appears twice", named.name);
                let prefix = format!("{}.", check.id);
                let slug = named.name.strip_prefix(&prefix).unwrap_or_else(|| {
                    panic!("named case {} of check {} does not start with {prefix}", named.name, check.id)
                });
                assert!(
                    !slug.is_empty()
                        && !slug.contains('.')
                        && slug.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
                    "{}: the slug must be lower-case kebab-case",
                    named.name
                );
                assert_eq!(named.slug(), slug);
            }
        }
    }

    #[test]
    fn every_check_has_named_cases_with_valid_fixtures_and_calls() {
        for check in REGISTRY {
            assert!(!check.named.is_empty(), "check {} has no named case", check.id);
            for named in check.named {
                let case = (named.build)();
                case.fixture.validate().unwrap_or_else(|e| panic!("{}: {e}", named.name));
                assert!(calls_of(&case).count() > 0, "{} makes no call", named.name);
                for (_, _, context, call) in calls_of(&case) {
                    crate::oracle::expect(&case.fixture, context, call, crate::oracle::Reading::Required)
                        .unwrap_or_else(|e| panic!("{}: {e}", named.name));
                }
            }
        }
    }
}
