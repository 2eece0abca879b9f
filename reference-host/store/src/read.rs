//! The read services: the contract's four functions for an [`Actor`], in the order SPEC.md
//! section 4 fixes: capability, then user, then input, then a tenant-scoped query.
//!
//! An [`Actor`] is resolved once per execution from its [`ExecutionContext`] (the install's
//! capabilities and the user's standing are read from the store then) and reused for every
//! call of that execution. Input is checked with `alga_extension_contract::input`, the
//! reference reading of VAL-1 to VAL-4, so this host and any other that reuses it agree on
//! every message.

use crate::store::{
    ClientListQuery, ContextRecords, DataStore, Deadline, Faults, RecordQuery, ServiceListQuery, StoreError,
    StoredUser,
};
use alga_conformance_protocol::{ExecutionContext, UserType};
use alga_extension_contract::input::{self, InvalidInput, Paging};
use alga_extension_contract::types::{
    ClientListInput, ClientPage, ClientSummary, ReadError, ServiceListInput, ServicePage, ServiceSummary,
};
use alga_extension_contract::{
    CAP_CLIENT_READ, CAP_SERVICE_READ, PERMISSION_CLIENT_READ, PERMISSION_SERVICE_READ, Permission,
};
use std::sync::Arc;

/// The capabilities an install grants, after CAP-3 normalisation.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Grants {
    /// `cap:client.read`: the functions of interface `clients`.
    pub client_read: bool,
    /// `cap:service.read`: the functions of interface `services`.
    pub service_read: bool,
}

impl Grants {
    /// The grants of the capability names stored on an install: a name grants a capability
    /// when it equals it after trimming and ASCII lower-casing (CAP-3).
    pub fn from_stored(names: &[String]) -> Grants {
        let grants = |capability: &str| names.iter().any(|name| input::capability_grants(name, capability));
        Grants { client_read: grants(CAP_CLIENT_READ), service_read: grants(CAP_SERVICE_READ) }
    }
}

/// Who is calling, resolved from an execution context against the store: the tenant, the
/// capabilities the install grants, and the user's standing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// The context's tenant, lower-case.
    pub tenant_id: String,
    /// The context's install, lower-case.
    pub install_id: String,
    /// What the install of the context's tenant grants; nothing when the tenant has no
    /// such install (CTX-2).
    pub grants: Grants,
    /// The context's user; `None` for scheduled jobs and webhooks (AUTH-3).
    pub user: Option<ActorUser>,
}

/// The user of an execution context and their standing in the tenant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActorUser {
    /// The user's id as the context gave it.
    pub user_id: String,
    /// The user type the context claims.
    pub user_type: UserType,
    /// Whether the user may act, and with which permissions.
    pub standing: Standing,
}

/// A user's standing in the tenant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Standing {
    /// Every call is `not-allowed` (AUTH-2); the text says why, for logs.
    Refused(String),
    /// The user exists, is active and has the type the context claims.
    Active {
        /// Holds `client:read` (AUTH-1).
        client_read: bool,
        /// Holds `service:read` (AUTH-1).
        service_read: bool,
        /// For a portal user: the client they belong to, the only one they may see
        /// (AUTH-4). Always `None` for internal users.
        own_client_id: Option<String>,
    },
}

/// Which clients a caller may see (AUTH-4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ClientScope<'a> {
    /// Every client of the tenant.
    All,
    /// Only this one.
    Only(&'a str),
    /// None at all (a portal user who belongs to no client).
    Nothing,
}

/// The two interfaces of the contract, for the capability and permission checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Interface {
    Clients,
    Services,
}

/// Called with the name of the operation and the error whenever a store failure becomes
/// `internal`, so a host can log what the guest is not told.
pub type StoreErrorObserver = Arc<dyn Fn(&str, &StoreError) + Send + Sync>;

/// The contract's functions over a [`DataStore`].
#[derive(Clone)]
pub struct ReadServices {
    store: Arc<dyn DataStore>,
    observer: Option<StoreErrorObserver>,
    /// When every store call of these services must have answered ([`Deadline::NONE`]: the
    /// store's own bounds); a host sets it per execution ([`ReadServices::until`]).
    deadline: Deadline,
    #[cfg(feature = "mutants")]
    mutation: Option<crate::mutation::Mutation>,
    /// The thread that created the services (what `ConcurrentCallsLoseTenantScope`
    /// keys on).
    #[cfg(feature = "mutants")]
    home_thread: std::thread::ThreadId,
}

impl std::fmt::Debug for ReadServices {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut debug = f.debug_struct("ReadServices");
        debug.field("store", &self.store.describe());
        #[cfg(feature = "mutants")]
        debug.field("mutation", &self.mutation);
        debug.finish_non_exhaustive()
    }
}

impl ReadServices {
    /// Read services over `store`.
    pub fn new(store: Arc<dyn DataStore>) -> Self {
        ReadServices {
            store,
            observer: None,
            deadline: Deadline::NONE,
            #[cfg(feature = "mutants")]
            mutation: None,
            #[cfg(feature = "mutants")]
            home_thread: std::thread::current().id(),
        }
    }

    /// The same services, reporting every store failure that becomes `internal` to
    /// `observer` (the guest only ever sees `internal`, ERR-1).
    pub fn with_store_error_observer(mut self, observer: StoreErrorObserver) -> Self {
        self.observer = Some(observer);
        self
    }

    /// The same services, with every store call ending by `deadline` (a host gives each
    /// execution its own: the end of its time limit less what the guest needs to handle an
    /// `internal`). A store call still waiting then is `internal` (ERR-1).
    pub fn until(mut self, deadline: Deadline) -> Self {
        self.deadline = deadline;
        self
    }

    /// The deadline of every store call of these services.
    pub fn deadline(&self) -> Deadline {
        self.deadline
    }

    /// The same services with a deliberately broken behaviour (`None`: correct again).
    #[cfg(feature = "mutants")]
    pub fn with_mutation(mut self, mutation: Option<crate::mutation::Mutation>) -> Self {
        self.mutation = mutation;
        self
    }

    /// The mutation in effect, if any.
    #[cfg(feature = "mutants")]
    pub fn mutation(&self) -> Option<crate::mutation::Mutation> {
        self.mutation
    }

    /// The store.
    pub fn store(&self) -> &Arc<dyn DataStore> {
        &self.store
    }

    /// Resolves `context` into an [`Actor`]: the capabilities the install of the context's
    /// tenant grants (CTX-2, CAP-3) and the user's standing (AUTH-2, AUTH-1, AUTH-4).
    ///
    /// A tenant, install or user id that is not a canonical UUID cannot name a record, so
    /// it resolves to no capability / a refused user rather than to an error; ids are
    /// compared case-insensitively, like every UUID of the contract. A store failure is
    /// `Err(ReadError::Internal)`.
    pub fn actor(&self, context: &ExecutionContext) -> Result<Actor, ReadError> {
        let tenant_id = canonical(&context.tenant_id);
        let install_id = canonical(&context.install_id);
        let user_id = context.user.as_ref().and_then(|user| canonical(&user.user_id));
        let records = match &tenant_id {
            Some(tenant) => {
                let read = self.store.context(
                    tenant,
                    install_id.as_deref(),
                    user_id.as_deref(),
                    self.faults(),
                    self.deadline,
                );
                if read.is_err() && self.store_failure_taken_as_missing() {
                    ContextRecords::default()
                } else {
                    self.store_call("execution context", read)?
                }
            }
            None => ContextRecords::default(),
        };
        let grants = records.capabilities.map(|names| self.grants(&names)).unwrap_or_default();
        let user = context.user.as_ref().map(|user| ActorUser {
            user_id: user.user_id.clone(),
            user_type: user.user_type,
            standing: match (&tenant_id, &user_id) {
                (Some(_), Some(id)) => self.standing(id, records.user.clone(), user.user_type),
                _ => Standing::Refused("the tenant or user id is not a UUID".into()),
            },
        });
        Ok(Actor {
            tenant_id: tenant_id.unwrap_or_else(|| context.tenant_id.clone()),
            install_id: install_id.unwrap_or_else(|| context.install_id.clone()),
            grants,
            user,
        })
    }

    /// `list-clients`.
    pub fn list_clients(&self, actor: &Actor, input: &ClientListInput) -> Result<ClientPage, ReadError> {
        #[cfg(feature = "mutants")]
        let input = &ClientListInput { search: self.search_as_received(&input.search), ..input.clone() };
        if self.validation_first() {
            input::client_query(input).map_err(|e| self.invalid(e))?;
        }
        self.authorize(actor, Interface::Clients)?;
        let mut query = input::client_query(input).map_err(|e| self.invalid(e))?;
        if self.inactive_by_default() && input.include_inactive.is_none() {
            query.include_inactive = true;
        }
        if self.uuid_search_fails() && query.search.as_ref().is_some_and(|s| s.uuid.is_some()) {
            return Err(ReadError::Internal);
        }
        let paging = query.paging;
        let only_client_id = match self.client_scope(actor) {
            ClientScope::All => None,
            ClientScope::Only(id) => Some(id),
            ClientScope::Nothing => {
                return Ok(ClientPage {
                    items: vec![],
                    total_count: 0,
                    page: paging.page,
                    page_size: paging.page_size,
                });
            }
        };
        let listing = self.store_call(
            "list-clients",
            self.store.list_clients(&ClientListQuery {
                tenant_id: &actor.tenant_id,
                only_client_id,
                search: query.search.as_ref(),
                include_inactive: query.include_inactive,
                paging: self.store_paging(paging),
                faults: self.faults(),
                deadline: self.deadline,
            }),
        )?;
        #[allow(unused_mut)]
        let mut items = listing.items;
        #[cfg(feature = "mutants")]
        self.distort_clients(&mut items, false);
        Ok(ClientPage {
            total_count: self.total_count("list-clients", listing.total, items.is_empty())?,
            items,
            page: paging.page,
            page_size: paging.page_size,
        })
    }

    /// `get-client`.
    pub fn get_client(&self, actor: &Actor, client_id: &str) -> Result<Option<ClientSummary>, ReadError> {
        if self.validation_first() {
            input::record_id("client-id", client_id).map_err(|e| self.invalid(e))?;
        }
        self.authorize(actor, Interface::Clients)?;
        let id = input::record_id("client-id", client_id).map_err(|e| self.invalid(e))?;
        let found = match self.client_scope(actor) {
            ClientScope::Nothing => None,
            ClientScope::Only(own) if own != id => None,
            ClientScope::All | ClientScope::Only(_) => self.store_call(
                "get-client",
                self.store.get_client(&RecordQuery {
                    tenant_id: &actor.tenant_id,
                    id: &id,
                    faults: self.faults(),
                    deadline: self.deadline,
                }),
            )?,
        };
        #[cfg(feature = "mutants")]
        let found = found.map(|client| {
            let mut one = vec![client];
            self.distort_clients(&mut one, true);
            one.remove(0)
        });
        self.not_found(found)
    }

    /// `list-services`.
    pub fn list_services(&self, actor: &Actor, input: &ServiceListInput) -> Result<ServicePage, ReadError> {
        #[cfg(feature = "mutants")]
        let input = &ServiceListInput { search: self.search_as_received(&input.search), ..input.clone() };
        if self.validation_first() {
            input::service_query(input).map_err(|e| self.invalid(e))?;
        }
        self.authorize(actor, Interface::Services)?;
        #[cfg(feature = "mutants")]
        self.currency_code_as_received(input)?;
        let query = input::service_query(input).map_err(|e| self.invalid(e))?;
        let paging = query.paging;
        #[cfg(feature = "mutants")]
        let currency_code = self.currency_filter_as_mutated(input, query.currency_code.clone());
        #[cfg(not(feature = "mutants"))]
        let currency_code = query.currency_code.clone();
        let listing = self.store_call(
            "list-services",
            self.store.list_services(&ServiceListQuery {
                tenant_id: &actor.tenant_id,
                search: query.search.as_ref(),
                item_kind: query.item_kind,
                is_active: query.is_active.filter(|active| *active || !self.is_active_false_ignored()),
                billing_method: query.billing_method,
                currency_code: currency_code.as_deref(),
                paging: self.store_paging(paging),
                faults: self.faults(),
                deadline: self.deadline,
            }),
        )?;
        #[allow(unused_mut)]
        let mut items = listing.items;
        #[cfg(feature = "mutants")]
        self.distort_services(&mut items);
        Ok(ServicePage {
            total_count: self.total_count("list-services", listing.total, items.is_empty())?,
            items,
            page: paging.page,
            page_size: paging.page_size,
        })
    }

    /// `get-service`.
    pub fn get_service(&self, actor: &Actor, service_id: &str) -> Result<Option<ServiceSummary>, ReadError> {
        if self.validation_first() {
            input::record_id("service-id", service_id).map_err(|e| self.invalid(e))?;
        }
        self.authorize(actor, Interface::Services)?;
        let id = input::record_id("service-id", service_id).map_err(|e| self.invalid(e))?;
        let found = self.store_call(
            "get-service",
            self.store.get_service(&RecordQuery {
                tenant_id: &actor.tenant_id,
                id: &id,
                faults: self.faults(),
                deadline: self.deadline,
            }),
        )?;
        #[cfg(feature = "mutants")]
        let found = found.map(|item| {
            let mut one = vec![item];
            self.distort_services(&mut one);
            one.remove(0)
        });
        self.not_found(found)
    }

    /// Steps 1 and 2 of SPEC.md section 4: the install's capability (CAP-1, CTX-2), then
    /// the user (AUTH-2, AUTH-1); no user means the capability alone decides (AUTH-3).
    fn authorize(&self, actor: &Actor, interface: Interface) -> Result<(), ReadError> {
        let granted = match interface {
            Interface::Clients => actor.grants.client_read,
            Interface::Services => actor.grants.service_read,
        };
        let held = |standing: &Standing| match standing {
            Standing::Refused(_) => false,
            Standing::Active { client_read, service_read, .. } => match interface {
                Interface::Clients => *client_read,
                Interface::Services => *service_read,
            },
        };
        let permission_stands_in = self.permission_replaces_capability()
            && actor.user.as_ref().is_some_and(|user| held(&user.standing));
        if !granted && !self.capability_unchecked() && !permission_stands_in {
            return Err(ReadError::NotAllowed);
        }
        let Some(user) = &actor.user else {
            return if self.no_user_refused() { Err(ReadError::NotAllowed) } else { Ok(()) };
        };
        match &user.standing {
            Standing::Refused(_) => Err(ReadError::NotAllowed),
            standing => {
                if held(standing) || self.permission_ignored() {
                    Ok(())
                } else {
                    Err(ReadError::NotAllowed)
                }
            }
        }
    }

    /// The clients `actor` may see (AUTH-4): a portal user only their own.
    fn client_scope<'a>(&self, actor: &'a Actor) -> ClientScope<'a> {
        match &actor.user {
            Some(ActorUser {
                user_type: UserType::Client,
                standing: Standing::Active { own_client_id, .. },
                ..
            }) if !self.portal_sees_all() => match own_client_id {
                Some(id) => ClientScope::Only(id),
                None => ClientScope::Nothing,
            },
            _ => ClientScope::All,
        }
    }

    fn store_call<T>(&self, operation: &str, result: Result<T, StoreError>) -> Result<T, ReadError> {
        result.map_err(|err| {
            if let Some(observer) = &self.observer {
                observer(operation, &err);
            }
            ReadError::Internal
        })
    }

    fn total_count(&self, operation: &str, total: u64, page_is_empty: bool) -> Result<u32, ReadError> {
        if page_is_empty && self.total_from_page_rows() {
            return Ok(0);
        }
        u32::try_from(total).map_err(|_| {
            let err =
                StoreError::Corrupt(format!("{total} records match, more than a u32 total-count holds"));
            self.store_call::<u32>(operation, Err(err)).unwrap_err()
        })
    }

    fn invalid(&self, err: InvalidInput) -> ReadError {
        #[cfg(feature = "mutants")]
        if self.mutated(crate::mutation::Mutation::InternalForInvalidInput) {
            return ReadError::Internal;
        }
        ReadError::from(err)
    }

    fn not_found<T>(&self, found: Option<T>) -> Result<Option<T>, ReadError> {
        #[cfg(feature = "mutants")]
        if found.is_none() && self.mutated(crate::mutation::Mutation::NotFoundIsError) {
            return Err(ReadError::Internal);
        }
        Ok(found)
    }

    fn store_paging(&self, paging: Paging) -> Paging {
        #[cfg(feature = "mutants")]
        if self.mutated(crate::mutation::Mutation::PaginationOffByOne) {
            // offset() of page + 1 is page * page-size: the classic 0-based/1-based slip.
            return Paging { page: paging.page + 1, page_size: paging.page_size };
        }
        paging
    }

    fn faults(&self) -> Faults {
        #[cfg(feature = "mutants")]
        {
            use crate::mutation::Mutation;
            // This fault is thread state: it shows only on threads other than the one that
            // created the services, i.e. for calls served concurrently.
            let mutation = match self.mutation {
                Some(Mutation::ConcurrentCallsLoseTenantScope)
                    if std::thread::current().id() == self.home_thread =>
                {
                    None
                }
                other => other,
            };
            Faults { mutation }
        }
        #[cfg(not(feature = "mutants"))]
        Faults::NONE
    }

    /// The grants of an install's stored capability names (CAP-3).
    fn grants(&self, names: &[String]) -> Grants {
        #[cfg(feature = "mutants")]
        if self.mutated(crate::mutation::Mutation::CapabilityComparedExactly) {
            let exact = |capability: &str| names.iter().any(|name| name == capability);
            return Grants { client_read: exact(CAP_CLIENT_READ), service_read: exact(CAP_SERVICE_READ) };
        }
        Grants::from_stored(names)
    }

    /// The standing of user `user_id` given what the store holds for them (AUTH-2, AUTH-1,
    /// AUTH-4).
    fn standing(&self, user_id: &str, stored: Option<StoredUser>, claimed: UserType) -> Standing {
        let Some(stored) = stored else {
            return Standing::Refused(format!("the tenant has no user {user_id}"));
        };
        if stored.is_inactive && !self.inactive_user_accepted() {
            return Standing::Refused(format!("user {user_id} is inactive"));
        }
        if stored.user_type != claimed && !self.user_type_unchecked() {
            return Standing::Refused(format!(
                "user {user_id} is stored as {}, the context says {claimed}",
                stored.user_type
            ));
        }
        let holds = |permission: Permission| {
            stored.permissions.iter().any(|p| {
                p.resource == permission.resource
                    && p.action == permission.action
                    && match stored.user_type {
                        UserType::Internal => p.msp,
                        UserType::Client => p.client,
                    }
            })
        };
        Standing::Active {
            client_read: holds(PERMISSION_CLIENT_READ),
            service_read: holds(PERMISSION_SERVICE_READ),
            own_client_id: match stored.user_type {
                UserType::Client => stored.client_id,
                UserType::Internal => None,
            },
        }
    }

    /// The search as a host with a broader trim than SPEC.md's receives it (JavaScript's
    /// `trim` also removes U+FEFF, Python's `strip` U+001C-U+001F).
    #[cfg(feature = "mutants")]
    fn search_as_received(&self, search: &Option<String>) -> Option<String> {
        let broader = |c: char| c.is_whitespace() || matches!(c, '\u{1c}'..='\u{1f}' | '\u{feff}');
        match search {
            Some(text) if self.mutated(crate::mutation::Mutation::SearchTrimsMoreThanWhiteSpace) => {
                Some(text.trim_matches(broader).to_string())
            }
            other => other.clone(),
        }
    }

    /// Client summaries as the summary mutations get them wrong.
    #[cfg(feature = "mutants")]
    fn distort_clients(&self, items: &mut [ClientSummary], from_get: bool) {
        use crate::mutation::Mutation;
        for item in items.iter_mut() {
            if self.mutated(Mutation::CurrencyCodeUpperCased) {
                item.default_currency_code = item.default_currency_code.to_ascii_uppercase();
            }
            if from_get && self.mutated(Mutation::GetClientWithoutTags) {
                item.tags.clear();
            }
            if self.mutated(Mutation::TagsOrderedByUtf16) {
                item.tags.sort_by_key(|tag| tag.encode_utf16().collect::<Vec<u16>>());
            }
        }
        if self.mutated(Mutation::NamesOrderedByUtf16) {
            items.sort_by_key(|c| utf16_order_key(&c.client_name, &c.client_id));
        }
    }

    /// The currency code as a host that forgets to trim it receives it (VAL-5): padded
    /// codes are refused as if the white space were part of them.
    #[cfg(feature = "mutants")]
    fn currency_code_as_received(&self, input: &ServiceListInput) -> Result<(), ReadError> {
        match &input.currency_code {
            Some(code)
                if self.mutated(crate::mutation::Mutation::CurrencyCodeNotTrimmed) && code.trim() != code =>
            {
                Err(ReadError::InvalidInput(format!(
                    "currency-code must be three ASCII letters (an ISO 4217 code such as EUR), got {} characters",
                    code.chars().count()
                )))
            }
            _ => Ok(()),
        }
    }

    /// The currency filter as the filter mutations apply it (PRICE-2): not at all, or with
    /// the code as given (trimmed, not folded), which matches no stored upper-case code
    /// unless it was given in upper case.
    #[cfg(feature = "mutants")]
    fn currency_filter_as_mutated(&self, input: &ServiceListInput, folded: Option<String>) -> Option<String> {
        use crate::mutation::Mutation;
        if self.mutated(Mutation::CurrencyFilterIgnored) {
            None
        } else if self.mutated(Mutation::CurrencyCodeCaseSensitive) {
            input.currency_code.as_deref().map(|code| code.trim().to_string())
        } else {
            folded
        }
    }

    /// Service summaries as the summary mutations get them wrong.
    #[cfg(feature = "mutants")]
    fn distort_services(&self, items: &mut [ServiceSummary]) {
        if self.mutated(crate::mutation::Mutation::PricesUnsorted) {
            for item in items.iter_mut() {
                item.prices.reverse();
            }
        }
        if self.mutated(crate::mutation::Mutation::NamesOrderedByUtf16) {
            items.sort_by_key(|s| utf16_order_key(&s.service_name, &s.service_id));
        }
    }

    /// Whether `mutation` is in effect; always false in a normal build.
    #[cfg(feature = "mutants")]
    fn mutated(&self, mutation: crate::mutation::Mutation) -> bool {
        self.mutation == Some(mutation)
    }

    fn validation_first(&self) -> bool {
        #[cfg(feature = "mutants")]
        return self.mutated(crate::mutation::Mutation::ValidationBeforeCapability);
        #[cfg(not(feature = "mutants"))]
        false
    }

    fn capability_unchecked(&self) -> bool {
        #[cfg(feature = "mutants")]
        return self.mutated(crate::mutation::Mutation::CapabilityNotChecked);
        #[cfg(not(feature = "mutants"))]
        false
    }

    fn permission_ignored(&self) -> bool {
        #[cfg(feature = "mutants")]
        return self.mutated(crate::mutation::Mutation::UserPermissionIgnored);
        #[cfg(not(feature = "mutants"))]
        false
    }

    fn portal_sees_all(&self) -> bool {
        #[cfg(feature = "mutants")]
        return self.mutated(crate::mutation::Mutation::PortalUserSeesEveryClient);
        #[cfg(not(feature = "mutants"))]
        false
    }

    fn inactive_by_default(&self) -> bool {
        #[cfg(feature = "mutants")]
        return self.mutated(crate::mutation::Mutation::InactiveClientsIncludedByDefault);
        #[cfg(not(feature = "mutants"))]
        false
    }

    fn uuid_search_fails(&self) -> bool {
        #[cfg(feature = "mutants")]
        return self.mutated(crate::mutation::Mutation::UuidSearchFailsInternal);
        #[cfg(not(feature = "mutants"))]
        false
    }

    fn store_failure_taken_as_missing(&self) -> bool {
        #[cfg(feature = "mutants")]
        return self.mutated(crate::mutation::Mutation::StoreFailureIsNotAllowed);
        #[cfg(not(feature = "mutants"))]
        false
    }

    fn inactive_user_accepted(&self) -> bool {
        #[cfg(feature = "mutants")]
        return self.mutated(crate::mutation::Mutation::InactiveUserAccepted);
        #[cfg(not(feature = "mutants"))]
        false
    }

    fn user_type_unchecked(&self) -> bool {
        #[cfg(feature = "mutants")]
        return self.mutated(crate::mutation::Mutation::UserTypeNotChecked);
        #[cfg(not(feature = "mutants"))]
        false
    }

    fn permission_replaces_capability(&self) -> bool {
        #[cfg(feature = "mutants")]
        return self.mutated(crate::mutation::Mutation::UserPermissionReplacesCapability);
        #[cfg(not(feature = "mutants"))]
        false
    }

    fn no_user_refused(&self) -> bool {
        #[cfg(feature = "mutants")]
        return self.mutated(crate::mutation::Mutation::NoUserIsRefused);
        #[cfg(not(feature = "mutants"))]
        false
    }

    fn total_from_page_rows(&self) -> bool {
        #[cfg(feature = "mutants")]
        return self.mutated(crate::mutation::Mutation::TotalCountFromPageRows);
        #[cfg(not(feature = "mutants"))]
        false
    }

    fn is_active_false_ignored(&self) -> bool {
        #[cfg(feature = "mutants")]
        return self.mutated(crate::mutation::Mutation::IsActiveFalseIgnored);
        #[cfg(not(feature = "mutants"))]
        false
    }
}

/// The order JavaScript's string comparison gives: fold, then UTF-16 code units, then id
/// (what [`crate::mutation::Mutation::NamesOrderedByUtf16`] sorts a page by).
#[cfg(feature = "mutants")]
fn utf16_order_key(name: &str, id: &str) -> (Vec<u16>, String) {
    (input::fold(name).encode_utf16().collect(), id.to_string())
}

/// The lower-case form of `id` when it is a canonical UUID.
fn canonical(id: &str) -> Option<String> {
    input::is_canonical_uuid(id).then(|| id.to_ascii_lowercase())
}
