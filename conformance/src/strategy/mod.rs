//! proptest strategies for conformance cases: multi-tenant worlds ([`world`]), ids and
//! texts that collide on purpose ([`ids`], [`text`]), and choices resolved against the
//! generated world ([`picks`]): contexts, record ids, searches, list inputs.
//!
//! What the strategies hunt for (issues 4 and 14): names differing only in case or only in
//! non-ASCII case; names whose code point and UTF-16 orders differ; `%`, `_`, `\` in names
//! and searches; white space around names and searches, and the characters trims disagree on
//! (U+FEFF, U+001C-U+001F); equal service names; inactive records; distinct tenants that
//! share user, install, client and catalog item ids; ids of other tenants; random,
//! malformed, upper-case and partial UUIDs; users without roles; inactive users holding the
//! permission; portal users with and without a client; installs missing a capability
//! (with and without a user who holds the permission) or spelling it differently; page
//! sizes at and past the bounds; pages past the end. Each check's strategy aims at its
//! rule's category, and `crate::coverage::AIMS` states and tests how often.

pub mod ids;
pub mod picks;
pub mod text;
pub mod world;

use alga_conformance_protocol::fixture::Tenant;
use alga_conformance_protocol::{Call, Fixture};
use alga_extension_contract::types::{BillingMethod, ClientListInput, ItemKind, ServiceListInput};
use picks::{IdPick, Kind, SearchPick};
use proptest::prelude::*;
use proptest::sample::select;

/// A call, chosen before the world it runs in is known.
#[derive(Debug, Clone)]
pub enum CallPick {
    /// `list-clients` or `list-services`.
    List {
        /// Which records.
        kind: Kind,
        /// The search.
        search: SearchPick,
        /// `include-inactive` (clients only).
        include_inactive: Option<bool>,
        /// `item-kind`, `is-active`, `billing-method` (services only).
        service_filters: (Option<ItemKind>, Option<bool>, Option<BillingMethod>),
        /// `page`.
        page: Option<u32>,
        /// `page-size`.
        page_size: Option<u32>,
    },
    /// `get-client` or `get-service`.
    Get {
        /// Which records.
        kind: Kind,
        /// The id.
        id: IdPick,
    },
}

impl CallPick {
    /// The call, for a context in `tenant`.
    pub fn resolve(&self, fixture: &Fixture, tenant: Option<&Tenant>) -> Call {
        match self {
            CallPick::List { kind, search, include_inactive, service_filters, page, page_size } => {
                let search = search.resolve(fixture, tenant, *kind);
                list_call(*kind, search, *include_inactive, *service_filters, *page, *page_size)
            }
            CallPick::Get { kind, id } => {
                let id = id.resolve(fixture, tenant, *kind);
                match kind {
                    Kind::Clients => Call::get_client(&id),
                    Kind::Services => Call::get_service(&id),
                }
            }
        }
    }
}

/// A list call of `kind` with these inputs.
pub fn list_call(
    kind: Kind,
    search: Option<String>,
    include_inactive: Option<bool>,
    (item_kind, is_active, billing_method): (Option<ItemKind>, Option<bool>, Option<BillingMethod>),
    page: Option<u32>,
    page_size: Option<u32>,
) -> Call {
    match kind {
        Kind::Clients => Call::list_clients(&ClientListInput { search, include_inactive, page, page_size }),
        Kind::Services => Call::list_services(&ServiceListInput {
            search,
            item_kind,
            is_active,
            billing_method,
            currency_code: None,
            page,
            page_size,
        }),
    }
}

/// Service filters: each absent or present.
pub fn service_filters() -> impl Strategy<Value = (Option<ItemKind>, Option<bool>, Option<BillingMethod>)> {
    (
        prop::option::of(select(ItemKind::ALL)),
        prop::option::of(any::<bool>()),
        prop::option::of(select(BillingMethod::ALL)),
    )
}

/// List calls of either kind with the given search, page and page-size strategies and
/// any filters.
pub fn list_pick(
    search: impl Strategy<Value = SearchPick>,
    page: impl Strategy<Value = Option<u32>>,
    page_size: impl Strategy<Value = Option<u32>>,
) -> impl Strategy<Value = CallPick> {
    (picks::kind(), search, prop::option::of(any::<bool>()), service_filters(), page, page_size).prop_map(
        |(kind, search, include_inactive, service_filters, page, page_size)| CallPick::List {
            kind,
            search,
            include_inactive,
            service_filters,
            page,
            page_size,
        },
    )
}

/// `get-*` calls of either kind with ids from `id`.
pub fn get_pick(id: impl Strategy<Value = IdPick>) -> impl Strategy<Value = CallPick> {
    (picks::kind(), id).prop_map(|(kind, id)| CallPick::Get { kind, id })
}

/// Any valid-looking call: lists with searches and small pages, gets of canonical ids.
pub fn any_call() -> impl Strategy<Value = CallPick> {
    prop_oneof![
        3 => list_pick(picks::search(), picks::valid_page(), picks::valid_page_size()),
        2 => get_pick(picks::canonical_id()),
    ]
}

/// Any call including invalid inputs.
pub fn any_call_or_invalid() -> impl Strategy<Value = CallPick> {
    let search = prop_oneof![
        4 => picks::search(),
        1 => text::bound_search().prop_map(SearchPick::Text),
    ];
    prop_oneof![
        3 => list_pick(search, picks::bound_page(), picks::bound_page_size()),
        2 => get_pick(picks::any_id()),
    ]
}
