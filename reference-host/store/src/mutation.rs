//! Deliberately broken behaviours of the read services and stores (feature `mutants`),
//! chosen at run time with [`crate::ReadServices::with_mutation`]. They exist to prove that
//! the conformance suite catches broken hosts: each one breaks exactly one rule of SPEC.md
//! the way real hosts do (several are what Alga ships today).
//!
//! This module, and every branch that consults it, is compiled only with feature `mutants`;
//! a normal build cannot be broken this way.
//!
//! Where the fault lives: read-service faults (capability, permission, validation order,
//! error mapping) work on every store; store faults (wildcards, tie-breaker, count, tenant
//! scope of `get`) are honoured by both stores, except that on PostgreSQL row-level security
//! still hides other tenants' rows from [`Mutation::GetIgnoresTenant`] (the second line of
//! defence doing its job). The conformance suite's mutant test runs on SQLite.

use serde::{Deserialize, Serialize};

/// One deliberately broken behaviour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Mutation {
    /// Breaks PAGE-1 (and PAGE-3): the page's offset is `page * page-size` instead of
    /// `(page - 1) * page-size`, so page 1 returns the second page.
    PaginationOffByOne,
    /// Breaks PAGE-1: `total-count` counts the caller's visible records without the
    /// search and the FILT-1 / FILT-2 filters.
    TotalCountIgnoresFilter,
    /// Breaks ISO-1 and ISO-2: `get-*` looks the id up in every tenant.
    GetIgnoresTenant,
    /// Breaks DATA-3: `get-*` of an id that matches nothing returns `internal` instead of
    /// `ok(none)`.
    NotFoundIsError,
    /// Breaks CAP-1: the install's capabilities are not checked.
    CapabilityNotChecked,
    /// Breaks CAP-2 (and the order of section 4): the input is validated before the
    /// capability and the user, so an invalid input without the capability gets
    /// `invalid-input` instead of `not-allowed`.
    ValidationBeforeCapability,
    /// Breaks AUTH-1: a user's permissions are not checked (the user's existence, activity
    /// and type still are).
    UserPermissionIgnored,
    /// Breaks AUTH-4: a portal user sees every client of the tenant (what Alga does today).
    PortalUserSeesEveryClient,
    /// Breaks SRCH-2: `%`, `_` and `\` in a search act as `LIKE` wildcards.
    SearchWildcardsNotEscaped,
    /// Breaks PAGE-4: equal folded names are not ordered by id (they come in storage
    /// order), as Alga's service list does today.
    NoTieBreaker,
    /// Breaks SRCH-1 (and ERR-2): a client search that is a UUID returns `internal` (what
    /// `uuid ILIKE` does in Alga's PostgreSQL query).
    UuidSearchFailsInternal,
    /// Breaks VAL-1 to VAL-4 (and ERR-2): invalid input returns `internal` instead of
    /// `invalid-input`.
    InternalForInvalidInput,
    /// Breaks FILT-1: `list-clients` includes inactive clients unless `include-inactive`
    /// is `false` explicitly.
    InactiveClientsIncludedByDefault,
}

impl Mutation {
    /// Every mutation, in declaration order.
    pub const ALL: &'static [Mutation] = &[
        Mutation::PaginationOffByOne,
        Mutation::TotalCountIgnoresFilter,
        Mutation::GetIgnoresTenant,
        Mutation::NotFoundIsError,
        Mutation::CapabilityNotChecked,
        Mutation::ValidationBeforeCapability,
        Mutation::UserPermissionIgnored,
        Mutation::PortalUserSeesEveryClient,
        Mutation::SearchWildcardsNotEscaped,
        Mutation::NoTieBreaker,
        Mutation::UuidSearchFailsInternal,
        Mutation::InternalForInvalidInput,
        Mutation::InactiveClientsIncludedByDefault,
    ];

    /// The mutation's kebab-case name (its JSON form), e.g. `pagination-off-by-one`.
    pub fn name(self) -> &'static str {
        match self {
            Mutation::PaginationOffByOne => "pagination-off-by-one",
            Mutation::TotalCountIgnoresFilter => "total-count-ignores-filter",
            Mutation::GetIgnoresTenant => "get-ignores-tenant",
            Mutation::NotFoundIsError => "not-found-is-error",
            Mutation::CapabilityNotChecked => "capability-not-checked",
            Mutation::ValidationBeforeCapability => "validation-before-capability",
            Mutation::UserPermissionIgnored => "user-permission-ignored",
            Mutation::PortalUserSeesEveryClient => "portal-user-sees-every-client",
            Mutation::SearchWildcardsNotEscaped => "search-wildcards-not-escaped",
            Mutation::NoTieBreaker => "no-tie-breaker",
            Mutation::UuidSearchFailsInternal => "uuid-search-fails-internal",
            Mutation::InternalForInvalidInput => "internal-for-invalid-input",
            Mutation::InactiveClientsIncludedByDefault => "inactive-clients-included-by-default",
        }
    }

    /// The mutation named `name` (see [`Mutation::name`]).
    pub fn from_name(name: &str) -> Option<Mutation> {
        Mutation::ALL.iter().copied().find(|m| m.name() == name)
    }

    /// The rule IDs of SPEC.md the mutation breaks, the primary one first. Each of them is
    /// really broken (the conformance suite's mutant test requires every one to fail).
    pub fn breaks(self) -> &'static [&'static str] {
        match self {
            Mutation::PaginationOffByOne => &["PAGE-1", "PAGE-3"],
            Mutation::TotalCountIgnoresFilter => &["PAGE-1"],
            Mutation::GetIgnoresTenant => &["ISO-2", "ISO-1"],
            Mutation::NotFoundIsError => &["DATA-3"],
            Mutation::CapabilityNotChecked => &["CAP-1"],
            Mutation::ValidationBeforeCapability => &["CAP-2", "AUTH-1"],
            Mutation::UserPermissionIgnored => &["AUTH-1"],
            Mutation::PortalUserSeesEveryClient => &["AUTH-4"],
            Mutation::SearchWildcardsNotEscaped => &["SRCH-2"],
            Mutation::NoTieBreaker => &["PAGE-4"],
            Mutation::UuidSearchFailsInternal => &["SRCH-1", "ERR-2"],
            Mutation::InternalForInvalidInput => &["VAL-1", "VAL-2", "VAL-3", "VAL-4", "ERR-2"],
            Mutation::InactiveClientsIncludedByDefault => &["FILT-1"],
        }
    }
}

impl std::fmt::Display for Mutation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_are_unique() {
        let mut names: Vec<&str> = Mutation::ALL.iter().map(|m| m.name()).collect();
        for mutation in Mutation::ALL {
            assert_eq!(Mutation::from_name(mutation.name()), Some(*mutation));
            let json = serde_json::to_string(mutation).unwrap();
            assert_eq!(json, format!("\"{}\"", mutation.name()));
            assert!(!mutation.breaks().is_empty());
        }
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), Mutation::ALL.len());
    }
}
