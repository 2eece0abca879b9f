//! Deliberately broken behaviours of the read services and stores (feature `mutants`),
//! chosen at run time with [`crate::ReadServices::with_mutation`]. They exist to prove that
//! the conformance suite catches broken hosts: each one breaks a rule of SPEC.md the way real
//! hosts do (several are what Alga ships today), and every rule of SPEC.md, and every check
//! of the suite, is broken by at least one of them (the suite's `tests/mutants.rs` checks
//! both, and that each mutant is caught on every seed of its list).
//!
//! This module, and every branch that consults it, is compiled only with feature `mutants`;
//! a normal build cannot be broken this way.
//!
//! Where the fault lives: one host fault (`OldGuestWrongRate`: only the host's contract
//! functions know which contract version a guest was built for, so `alga-reference-host`
//! applies it, with its feature `mutants`); read-service faults (capability, permission, user standing,
//! validation order, error mapping, summaries) work on every store; store faults (wildcards,
//! tie-breaker, count, the tenant condition of a lookup or a search) are honoured by both
//! stores, except that on PostgreSQL row-level security still hides other tenants' rows
//! from the mutants that forget the tenant (the second line of defence doing its job; the
//! store's `tests/mutants.rs` lists them). The conformance suite's mutant test runs on SQLite.

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
    /// Breaks AUTH-2: an internal user is looked up by id in every tenant, so a user id of
    /// another tenant acts there with that tenant's roles (the tenant-isolation bug of
    /// issue 14; the first row found wins when the id exists in several tenants).
    InternalUserLookupIgnoresTenant,
    /// Breaks AUTH-2: the same for client-portal users (their lookup is a separate code path
    /// in Alga, through the contact).
    PortalUserLookupIgnoresTenant,
    /// Breaks CTX-2: the install is looked up by id in every tenant, so another tenant's
    /// install grants its capabilities.
    InstallLookupIgnoresTenant,
    /// Breaks AUTH-2: an inactive user who holds the permission is treated as active.
    InactiveUserAccepted,
    /// Breaks AUTH-2: the user type the context claims is not compared with the stored one.
    UserTypeNotChecked,
    /// Breaks CTX-1 (and ISO-1): the id alternative of a client search is OR-ed outside the
    /// tenant condition (`tenant = $1 AND name LIKE $2 OR client_id = $3`: a missing pair
    /// of parentheses), so a search equal to another tenant's client id lists that client.
    IdSearchEscapesTenant,
    /// Breaks CAP-3: stored capability names are compared exactly, without trimming and
    /// folding.
    CapabilityComparedExactly,
    /// Breaks CAP-1: a user who holds the permission is let through although the install
    /// lacks the capability (the permission stands in for the capability).
    UserPermissionReplacesCapability,
    /// Breaks AUTH-3: a context without a user is refused, as if it were a user holding no
    /// permission.
    NoUserIsRefused,
    /// Breaks PAGE-2: `total-count` is counted from the page's rows (`count(*) OVER ()` on
    /// the page), so a page past the end reports 0.
    TotalCountFromPageRows,
    /// Breaks FILT-2: `is-active: false` is treated as no filter (a truthiness test on the
    /// option).
    IsActiveFalseIgnored,
    /// Breaks DATA-1: currency codes are returned in upper case instead of as stored.
    CurrencyCodeUpperCased,
    /// Breaks DATA-2 (and DATA-1): `get-client` returns no tags (its query forgets the tag
    /// join that `list-clients` has).
    GetClientWithoutTags,
    /// Breaks ERR-1: a store failure while reading the execution context's install and user
    /// is taken as "no such install", so calls during an outage are `not-allowed` instead
    /// of `internal`.
    StoreFailureIsNotAllowed,
    /// Breaks ISO-1 under concurrency only (caught by the check `ISO-1.concurrent`): the
    /// tenant condition of lists and gets is thread state set up only on the thread that
    /// created the services (like a session variable set on one pooled connection), so
    /// calls served on other threads at the same time read every tenant.
    ConcurrentCallsLoseTenantScope,
    /// Breaks VAL-2 (and SRCH-1): the search is trimmed as JavaScript's `trim` and Python's
    /// `strip` do, removing U+FEFF and U+001C-U+001F too (SPEC.md trims `White_Space`
    /// only, and U+001C-U+001F are control characters).
    SearchTrimsMoreThanWhiteSpace,
    /// Breaks PAGE-4: the page is ordered by UTF-16 code units (JavaScript's string
    /// comparison) instead of code points, which differs for characters in U+E000-U+FFFF
    /// next to ones above U+FFFF.
    NamesOrderedByUtf16,
    /// Breaks DATA-1: a client's tags are sorted by UTF-16 code units (what JavaScript's
    /// `sort()` does) instead of code points, which differs for a tag in U+E000-U+FFFF next
    /// to one above U+FFFF.
    TagsOrderedByUtf16,
    /// Breaks SRCH-1: a client search also matches part of the client's id (`client_id::text
    /// LIKE '%3f25%'`), where SPEC.md matches only a whole UUID.
    ClientIdMatchedAsSubstring,
    /// Breaks PRICE-1 (and ISO-1): an item's prices are joined by item id alone, so an item
    /// whose id another tenant's item has shows that item's prices too.
    PricesOfAnotherTenant,
    /// Breaks PRICE-1: prices come in descending code order (an `ORDER BY ... DESC` slip, or
    /// none at all).
    PricesUnsorted,
    /// Breaks PRICE-2: `currency-code` is validated but not applied.
    CurrencyFilterIgnored,
    /// Breaks PRICE-2: the filter compares the code as given (trimmed, not folded to upper
    /// case) with the stored codes, so `eur` matches nothing.
    CurrencyCodeCaseSensitive,
    /// Breaks VAL-5: `currency-code` is not trimmed, so ` EUR ` is refused as invalid.
    CurrencyCodeNotTrimmed,
    /// Breaks VER-1: a guest built for 0.1 gets an item's first price as its `default-rate`
    /// (a host that "helpfully" serves old guests a price). Lives in the host's contract
    /// functions (`alga-reference-host`, `HostState`), which know the guest's contract
    /// version; the read services do not.
    OldGuestWrongRate,
}

impl Mutation {
    /// Every mutation, in declaration order (a test checks it against the variants serde
    /// derives, so none can be missing).
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
        Mutation::InternalUserLookupIgnoresTenant,
        Mutation::PortalUserLookupIgnoresTenant,
        Mutation::InstallLookupIgnoresTenant,
        Mutation::InactiveUserAccepted,
        Mutation::UserTypeNotChecked,
        Mutation::IdSearchEscapesTenant,
        Mutation::CapabilityComparedExactly,
        Mutation::UserPermissionReplacesCapability,
        Mutation::NoUserIsRefused,
        Mutation::TotalCountFromPageRows,
        Mutation::IsActiveFalseIgnored,
        Mutation::CurrencyCodeUpperCased,
        Mutation::GetClientWithoutTags,
        Mutation::StoreFailureIsNotAllowed,
        Mutation::ConcurrentCallsLoseTenantScope,
        Mutation::SearchTrimsMoreThanWhiteSpace,
        Mutation::NamesOrderedByUtf16,
        Mutation::TagsOrderedByUtf16,
        Mutation::ClientIdMatchedAsSubstring,
        Mutation::PricesOfAnotherTenant,
        Mutation::PricesUnsorted,
        Mutation::CurrencyFilterIgnored,
        Mutation::CurrencyCodeCaseSensitive,
        Mutation::CurrencyCodeNotTrimmed,
        Mutation::OldGuestWrongRate,
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
            Mutation::InternalUserLookupIgnoresTenant => "internal-user-lookup-ignores-tenant",
            Mutation::PortalUserLookupIgnoresTenant => "portal-user-lookup-ignores-tenant",
            Mutation::InstallLookupIgnoresTenant => "install-lookup-ignores-tenant",
            Mutation::InactiveUserAccepted => "inactive-user-accepted",
            Mutation::UserTypeNotChecked => "user-type-not-checked",
            Mutation::IdSearchEscapesTenant => "id-search-escapes-tenant",
            Mutation::CapabilityComparedExactly => "capability-compared-exactly",
            Mutation::UserPermissionReplacesCapability => "user-permission-replaces-capability",
            Mutation::NoUserIsRefused => "no-user-is-refused",
            Mutation::TotalCountFromPageRows => "total-count-from-page-rows",
            Mutation::IsActiveFalseIgnored => "is-active-false-ignored",
            Mutation::CurrencyCodeUpperCased => "currency-code-upper-cased",
            Mutation::GetClientWithoutTags => "get-client-without-tags",
            Mutation::StoreFailureIsNotAllowed => "store-failure-is-not-allowed",
            Mutation::ConcurrentCallsLoseTenantScope => "concurrent-calls-lose-tenant-scope",
            Mutation::SearchTrimsMoreThanWhiteSpace => "search-trims-more-than-white-space",
            Mutation::NamesOrderedByUtf16 => "names-ordered-by-utf16",
            Mutation::TagsOrderedByUtf16 => "tags-ordered-by-utf16",
            Mutation::ClientIdMatchedAsSubstring => "client-id-matched-as-substring",
            Mutation::PricesOfAnotherTenant => "prices-of-another-tenant",
            Mutation::PricesUnsorted => "prices-unsorted",
            Mutation::CurrencyFilterIgnored => "currency-filter-ignored",
            Mutation::CurrencyCodeCaseSensitive => "currency-code-case-sensitive",
            Mutation::CurrencyCodeNotTrimmed => "currency-code-not-trimmed",
            Mutation::OldGuestWrongRate => "old-guest-wrong-rate",
        }
    }

    /// The mutation named `name` (see [`Mutation::name`]).
    pub fn from_name(name: &str) -> Option<Mutation> {
        Mutation::ALL.iter().copied().find(|m| m.name() == name)
    }

    /// What the conformance suite must fail on this mutation, the primary one first: a rule
    /// ID of SPEC.md (some check of the rule fails) or the id of one check (`ISO-1.concurrent`:
    /// that check fails). Each is really broken, and the suite's mutant test requires every
    /// one to fail on every seed of its list. Other rules a mutation happens to fail are
    /// reported by that test, not listed here.
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
            Mutation::InternalUserLookupIgnoresTenant => &["AUTH-2"],
            Mutation::PortalUserLookupIgnoresTenant => &["AUTH-2"],
            Mutation::InstallLookupIgnoresTenant => &["CTX-2"],
            Mutation::InactiveUserAccepted => &["AUTH-2"],
            Mutation::UserTypeNotChecked => &["AUTH-2"],
            Mutation::IdSearchEscapesTenant => &["CTX-1", "ISO-1"],
            Mutation::CapabilityComparedExactly => &["CAP-3"],
            Mutation::UserPermissionReplacesCapability => &["CAP-1"],
            Mutation::NoUserIsRefused => &["AUTH-3"],
            Mutation::TotalCountFromPageRows => &["PAGE-2"],
            Mutation::IsActiveFalseIgnored => &["FILT-2"],
            Mutation::CurrencyCodeUpperCased => &["DATA-1"],
            Mutation::GetClientWithoutTags => &["DATA-2", "DATA-1"],
            Mutation::StoreFailureIsNotAllowed => &["ERR-1"],
            Mutation::ConcurrentCallsLoseTenantScope => &["ISO-1.concurrent"],
            Mutation::SearchTrimsMoreThanWhiteSpace => &["VAL-2"],
            Mutation::NamesOrderedByUtf16 => &["PAGE-4"],
            Mutation::TagsOrderedByUtf16 => &["DATA-1"],
            Mutation::ClientIdMatchedAsSubstring => &["SRCH-1"],
            Mutation::PricesOfAnotherTenant => &["PRICE-1"],
            Mutation::PricesUnsorted => &["PRICE-1"],
            Mutation::CurrencyFilterIgnored => &["PRICE-2"],
            Mutation::CurrencyCodeCaseSensitive => &["PRICE-2"],
            Mutation::CurrencyCodeNotTrimmed => &["VAL-5"],
            Mutation::OldGuestWrongRate => &["VER-1"],
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

    /// Records the variant names serde's derived `Deserialize` passes to
    /// `deserialize_enum`: the compiler's own list of every variant.
    struct VariantNames(std::cell::RefCell<Vec<&'static str>>);

    #[derive(Debug)]
    struct Captured;

    impl std::fmt::Display for Captured {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("variant names captured")
        }
    }

    impl std::error::Error for Captured {}

    impl serde::de::Error for Captured {
        fn custom<T: std::fmt::Display>(_: T) -> Self {
            Captured
        }
    }

    impl<'de> serde::Deserializer<'de> for &VariantNames {
        type Error = Captured;

        fn deserialize_any<V: serde::de::Visitor<'de>>(self, _: V) -> Result<V::Value, Captured> {
            Err(Captured)
        }

        fn deserialize_enum<V: serde::de::Visitor<'de>>(
            self,
            _name: &'static str,
            variants: &'static [&'static str],
            _visitor: V,
        ) -> Result<V::Value, Captured> {
            self.0.borrow_mut().extend_from_slice(variants);
            Err(Captured)
        }

        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
            option unit unit_struct newtype_struct seq tuple tuple_struct map struct identifier
            ignored_any
        }
    }

    #[test]
    fn all_is_exhaustive() {
        let names = VariantNames(std::cell::RefCell::new(Vec::new()));
        let _ = Mutation::deserialize(&names);
        let variants = names.0.into_inner();
        assert!(!variants.is_empty(), "serde passed no variant names");
        let listed: Vec<&str> = Mutation::ALL.iter().map(|m| m.name()).collect();
        assert_eq!(listed, variants, "Mutation::ALL must list every variant, in declaration order");
    }
}
