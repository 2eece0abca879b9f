//! The [`DataStore`] trait: what a store offers the read services, and the query and result
//! types that cross it.
//!
//! The read services decide everything a rule of SPEC.md decides from the context (which
//! capability, which user, which client a portal user may see, which input is valid); a
//! store only runs tenant-scoped queries with already normalised input. Both stores build
//! their summaries through the same code (`crate::rows`), so they cannot disagree on
//! DATA-1.

use alga_conformance_protocol::{Fixture, UserType};
use alga_extension_contract::input::{Paging, Search};
use alga_extension_contract::types::{BillingMethod, ClientSummary, ItemKind, ServiceSummary};
use std::time::{Duration, Instant};

/// Why a store could not answer.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database cannot be reached or failed (the guest sees `internal`, ERR-1).
    #[error("the store is unavailable: {0}")]
    Unavailable(String),
    /// The data given to the store is wrong (a fixture that fails validation).
    #[error("the store rejected the data: {0}")]
    Rejected(String),
    /// The store holds a value the host cannot turn into the contract's types (a count
    /// beyond `u32`, a JSON capability list that does not parse). The guest sees `internal`.
    #[error("the store holds data the host cannot read: {0}")]
    Corrupt(String),
}

/// A page of records and the size of the whole filtered set.
#[derive(Debug, Clone, PartialEq)]
pub struct Listing<T> {
    /// Size of the filtered set over all pages (PAGE-1).
    pub total: u64,
    /// The records of the requested page, in the order of PAGE-4.
    pub items: Vec<T>,
}

/// A stored user as the permission checks need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredUser {
    /// The stored user type.
    pub user_type: UserType,
    /// Deactivated.
    pub is_inactive: bool,
    /// For a portal user: the client their contact belongs to.
    pub client_id: Option<String>,
    /// Every permission of every role the user has in the tenant, with its flags: whether
    /// it counts depends on the user type, which the read services decide.
    pub permissions: Vec<StoredPermission>,
}

/// A permission reached through one of a user's roles.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredPermission {
    /// The resource, e.g. `client`.
    pub resource: String,
    /// The action, e.g. `read`.
    pub action: String,
    /// Counts for internal users.
    pub msp: bool,
    /// Counts for client-portal users.
    pub client: bool,
}

/// What an execution context names, as stored: read once per execution.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContextRecords {
    /// The install's capability names as stored; `None` when the tenant has no such install.
    pub capabilities: Option<Vec<String>>,
    /// The user; `None` when the tenant has no such user (or none was asked for).
    pub user: Option<StoredUser>,
}

/// A normalised `list-clients` query for one tenant.
#[derive(Debug, Clone)]
pub struct ClientListQuery<'a> {
    /// The tenant (a lower-case canonical UUID).
    pub tenant_id: &'a str,
    /// `Some(id)`: only this client may be listed (a portal user, AUTH-4).
    pub only_client_id: Option<&'a str>,
    /// The search filter (SRCH-1).
    pub search: Option<&'a Search>,
    /// Whether inactive clients are listed (FILT-1).
    pub include_inactive: bool,
    /// Page and page size.
    pub paging: Paging,
    /// Deliberate faults (only ever set in a `mutants` build).
    pub faults: Faults,
    /// When the answer must be there (the execution's remaining time).
    pub deadline: Deadline,
}

/// A normalised `list-services` query for one tenant.
#[derive(Debug, Clone)]
pub struct ServiceListQuery<'a> {
    /// The tenant (a lower-case canonical UUID).
    pub tenant_id: &'a str,
    /// The search filter (SRCH-1).
    pub search: Option<&'a Search>,
    /// Only this item kind (FILT-2).
    pub item_kind: Option<ItemKind>,
    /// Only active or only retired items (FILT-2).
    pub is_active: Option<bool>,
    /// Only this billing method (FILT-2).
    pub billing_method: Option<BillingMethod>,
    /// Only items with a price in this currency: three upper-case ASCII letters (PRICE-2).
    pub currency_code: Option<&'a str>,
    /// Page and page size.
    pub paging: Paging,
    /// Deliberate faults (only ever set in a `mutants` build).
    pub faults: Faults,
    /// When the answer must be there (the execution's remaining time).
    pub deadline: Deadline,
}

/// A `get-*` query: one record of one tenant by id.
#[derive(Debug, Clone)]
pub struct RecordQuery<'a> {
    /// The tenant (a lower-case canonical UUID).
    pub tenant_id: &'a str,
    /// The record's id (a lower-case canonical UUID).
    pub id: &'a str,
    /// Deliberate faults (only ever set in a `mutants` build).
    pub faults: Faults,
    /// When the answer must be there (the execution's remaining time).
    pub deadline: Deadline,
}

/// When a store call must have answered: the end of the execution's time (less a reserve the
/// host keeps for the guest to handle the answer). Every wait of a store call — for a pooled
/// connection, for a new connection, for the server's answer — ends at the deadline, and the
/// call is then [`StoreError::Unavailable`] (the guest sees `internal`, ERR-1), so a locked
/// table or a frozen database cannot hold an execution past its time limit (issue 13).
///
/// [`Deadline::NONE`] leaves the bounds to the store's own settings (the PostgreSQL store's
/// checkout, connect and statement timeouts); a store bounds every wait either way.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Deadline(Option<Instant>);

impl Deadline {
    /// No deadline of the caller's: the store's own bounds apply.
    pub const NONE: Deadline = Deadline(None);

    /// A deadline at `instant`.
    pub fn at(instant: Instant) -> Deadline {
        Deadline(Some(instant))
    }

    /// A deadline `duration` from now.
    pub fn after(duration: Duration) -> Deadline {
        Deadline(Some(Instant::now() + duration))
    }

    /// The instant, if the caller set one.
    pub fn instant(&self) -> Option<Instant> {
        self.0
    }

    /// The earlier of the deadline and `bound` from now: how long one wait of a store may
    /// last.
    pub fn within(&self, bound: Duration) -> Instant {
        let own = Instant::now() + bound;
        match self.0 {
            Some(deadline) => deadline.min(own),
            None => own,
        }
    }

    /// Whether the deadline has passed.
    pub fn passed(&self) -> bool {
        self.0.is_some_and(|deadline| Instant::now() >= deadline)
    }
}

/// The deliberate faults a query carries. In a normal build this is an empty type and every
/// method below answers "behave correctly", so the stores' fault branches compile away; with
/// feature `mutants` it carries the `Mutation` under test.
///
/// The stores ask for behaviour by intent (`escape_wildcards()`), never by mutation name, so
/// their code reads as the correct query with a visible seam.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Faults {
    #[cfg(feature = "mutants")]
    pub(crate) mutation: Option<crate::mutation::Mutation>,
}

impl Faults {
    /// No faults: correct behaviour.
    pub const NONE: Faults = Faults {
        #[cfg(feature = "mutants")]
        mutation: None,
    };

    #[cfg(feature = "mutants")]
    fn is(&self, mutation: crate::mutation::Mutation) -> bool {
        self.mutation == Some(mutation)
    }

    /// Whether `%`, `_` and `\` in a search are escaped (SRCH-2).
    pub fn escape_wildcards(&self) -> bool {
        #[cfg(feature = "mutants")]
        if self.is(crate::mutation::Mutation::SearchWildcardsNotEscaped) {
            return false;
        }
        true
    }

    /// Whether equal folded names are ordered by id (PAGE-4).
    pub fn tie_breaker(&self) -> bool {
        #[cfg(feature = "mutants")]
        if self.is(crate::mutation::Mutation::NoTieBreaker) {
            return false;
        }
        true
    }

    /// Whether `total-count` counts with the same filters as the page (PAGE-1).
    pub fn count_with_filters(&self) -> bool {
        #[cfg(feature = "mutants")]
        if self.is(crate::mutation::Mutation::TotalCountIgnoresFilter) {
            return false;
        }
        true
    }

    /// Whether `get-*` is scoped to the tenant (ISO-1, ISO-2).
    pub fn get_within_tenant(&self) -> bool {
        #[cfg(feature = "mutants")]
        if self.is(crate::mutation::Mutation::GetIgnoresTenant)
            || self.is(crate::mutation::Mutation::ConcurrentCallsLoseTenantScope)
        {
            return false;
        }
        true
    }

    /// Whether an item's prices are read from its own tenant only (PRICE-1, ISO-1).
    pub fn prices_within_tenant(&self) -> bool {
        #[cfg(feature = "mutants")]
        if self.is(crate::mutation::Mutation::PricesOfAnotherTenant) {
            return false;
        }
        true
    }

    /// Whether a list is scoped to the tenant (ISO-1).
    pub fn list_within_tenant(&self) -> bool {
        #[cfg(feature = "mutants")]
        if self.is(crate::mutation::Mutation::ConcurrentCallsLoseTenantScope) {
            return false;
        }
        true
    }

    /// Whether the id alternative of a client search stays inside the tenant condition
    /// (CTX-1).
    pub fn id_search_within_tenant(&self) -> bool {
        #[cfg(feature = "mutants")]
        if self.is(crate::mutation::Mutation::IdSearchEscapesTenant) {
            return false;
        }
        true
    }

    /// Whether a client search matches the client's id only as a whole UUID, never as a
    /// substring (SRCH-1).
    pub fn id_matched_whole(&self) -> bool {
        #[cfg(feature = "mutants")]
        if self.is(crate::mutation::Mutation::ClientIdMatchedAsSubstring) {
            return false;
        }
        true
    }

    /// Whether the install of an execution context is looked up in the context's tenant
    /// only (CTX-2).
    pub fn install_within_tenant(&self) -> bool {
        #[cfg(feature = "mutants")]
        if self.is(crate::mutation::Mutation::InstallLookupIgnoresTenant) {
            return false;
        }
        true
    }

    /// Whether a stored user of type `stored` is looked up in the context's tenant only
    /// (AUTH-2).
    pub fn user_within_tenant(&self, stored: UserType) -> bool {
        #[cfg(feature = "mutants")]
        {
            use crate::mutation::Mutation;
            let forgetful = match stored {
                UserType::Internal => Mutation::InternalUserLookupIgnoresTenant,
                UserType::Client => Mutation::PortalUserLookupIgnoresTenant,
            };
            if self.is(forgetful) {
                return false;
            }
        }
        let _ = stored;
        true
    }
}

/// A store of tenant data.
///
/// Query methods take ids that are lower-case canonical UUIDs (the read services check
/// them first); every query is scoped to the given tenant.
pub trait DataStore: Send + Sync + 'static {
    /// A short description for logs and reports, e.g. `sqlite (:memory:)`.
    fn describe(&self) -> String;

    /// Replaces all data with `fixture`, in one transaction: on failure nothing of it is
    /// visible and the previous data is kept. A fixture that fails
    /// [`Fixture::validate`] is [`StoreError::Rejected`]. Not affected by a simulated
    /// outage: loading is the operator's path, not a query of a guest.
    fn load_fixture(&self, fixture: &Fixture) -> Result<(), StoreError>;

    /// Starts or ends a simulated outage: while it lasts every query fails with
    /// [`StoreError::Unavailable`].
    fn set_outage(&self, down: bool);

    /// The capability names stored on install `install_id` of tenant `tenant_id`, exactly
    /// as stored; `None` when the tenant has no such install (CTX-2).
    fn install_capabilities(
        &self,
        tenant_id: &str,
        install_id: &str,
    ) -> Result<Option<Vec<String>>, StoreError>;

    /// User `user_id` of tenant `tenant_id` with the permissions of their roles; `None`
    /// when the tenant has no such user (AUTH-2).
    fn user(&self, tenant_id: &str, user_id: &str) -> Result<Option<StoredUser>, StoreError>;

    /// The install and the user of an execution context in tenant `tenant_id`, read
    /// together (the PostgreSQL store does it in one round trip, or answers from its short
    /// cache of context records: SPEC.md's note on CAP-1). `None` ids are not looked up.
    /// `faults` are the deliberate faults of a `mutants` build ([`Faults::NONE`] otherwise;
    /// both stores honour them); `deadline` bounds the call's waits. The default reads the
    /// records with [`DataStore::install_capabilities`] and [`DataStore::user`].
    fn context(
        &self,
        tenant_id: &str,
        install_id: Option<&str>,
        user_id: Option<&str>,
        faults: Faults,
        deadline: Deadline,
    ) -> Result<ContextRecords, StoreError> {
        let _ = (faults, deadline);
        Ok(ContextRecords {
            capabilities: match install_id {
                Some(install_id) => self.install_capabilities(tenant_id, install_id)?,
                None => None,
            },
            user: match user_id {
                Some(user_id) => self.user(tenant_id, user_id)?,
                None => None,
            },
        })
    }

    /// One page of clients and the size of the filtered set.
    fn list_clients(&self, query: &ClientListQuery<'_>) -> Result<Listing<ClientSummary>, StoreError>;

    /// One client by id, inactive or not.
    fn get_client(&self, query: &RecordQuery<'_>) -> Result<Option<ClientSummary>, StoreError>;

    /// One page of catalog items and the size of the filtered set.
    fn list_services(&self, query: &ServiceListQuery<'_>) -> Result<Listing<ServiceSummary>, StoreError>;

    /// One catalog item by id, active or not.
    fn get_service(&self, query: &RecordQuery<'_>) -> Result<Option<ServiceSummary>, StoreError>;
}
