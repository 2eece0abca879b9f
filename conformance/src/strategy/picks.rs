//! Choices made against a fixture that is generated at the same time: which context,
//! which record id (and how it is spelled), which search text. A pick holds indices and is
//! resolved once the fixture is known, so shrinking the fixture keeps every pick valid.

use super::ids::{NIL, Spelling, tenant_id, unused_id};
use super::text::search_text;
use super::world::admin_install_id;
use alga_conformance_protocol::fixture::Tenant;
use alga_conformance_protocol::{ContextUser, ExecutionContext, Fixture, UserType};
use proptest::prelude::*;
use proptest::sample::{Index, select};

/// The kind of record a call reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Clients (`list-clients`, `get-client`).
    Clients,
    /// Catalog items (`list-services`, `get-service`).
    Services,
}

impl Kind {
    /// Ids of the tenant's records of this kind.
    pub fn ids(self, tenant: &Tenant) -> Vec<&str> {
        match self {
            Kind::Clients => tenant.clients.iter().map(|c| c.client_id.as_str()).collect(),
            Kind::Services => tenant.services.iter().map(|s| s.service_id.as_str()).collect(),
        }
    }

    /// Names of the tenant's records of this kind.
    pub fn names(self, tenant: &Tenant) -> Vec<&str> {
        match self {
            Kind::Clients => tenant.clients.iter().map(|c| c.client_name.as_str()).collect(),
            Kind::Services => tenant.services.iter().map(|s| s.service_name.as_str()).collect(),
        }
    }

    /// The kind a contract interface reads (`clients` or `services`).
    pub fn of_interface(interface: &str) -> Kind {
        if interface == "services" { Kind::Services } else { Kind::Clients }
    }

    /// Texts a search of this kind looks at, per record: names, emails, SKUs, descriptions.
    pub fn searchable_texts(self, tenant: &Tenant) -> Vec<&str> {
        match self {
            Kind::Clients => tenant
                .clients
                .iter()
                .flat_map(|c| std::iter::once(c.client_name.as_str()).chain(c.billing_email.as_deref()))
                .collect(),
            Kind::Services => tenant
                .services
                .iter()
                .flat_map(|s| {
                    std::iter::once(s.service_name.as_str())
                        .chain(s.sku.as_deref())
                        .chain(s.description.as_deref())
                })
                .collect(),
        }
    }
}

/// Both kinds, for strategies.
pub fn kind() -> impl Strategy<Value = Kind> {
    prop_oneof![Just(Kind::Clients), Just(Kind::Services)]
}

/// The tenant a pick refers to (the fixture's tenants, cycling).
pub fn tenant_of<'a>(fixture: &'a Fixture, index: &Index) -> Option<&'a Tenant> {
    (!fixture.tenants.is_empty()).then(|| index.get(&fixture.tenants))
}

/// Which install a context names.
#[derive(Debug, Clone)]
pub enum InstallPick {
    /// The tenant's install granting both capabilities exactly.
    Admin,
    /// One of the tenant's generated installs (any capability set).
    Own(Index),
    /// An install of another tenant (CTX-2).
    Foreign(Index),
    /// An id that is no install anywhere.
    Unknown(usize),
}

/// Which user a context names.
#[derive(Debug, Clone)]
pub enum UserPick {
    /// No user (a scheduled job).
    None,
    /// One of the tenant's users, claimed with its stored type (`false`) or the other
    /// type (`true`, AUTH-2).
    Own(Index, bool),
    /// A user of another tenant (AUTH-2).
    Foreign(Index),
    /// An inactive user of the tenant, claimed with its stored type (AUTH-2); any of the
    /// tenant's users when none is inactive.
    Inactive(Index),
    /// An id that is no user anywhere.
    Unknown(usize),
}

/// A context, resolved against a fixture by [`ContextPick::resolve`].
#[derive(Debug, Clone)]
pub struct ContextPick {
    /// The tenant.
    pub tenant: Index,
    /// The install.
    pub install: InstallPick,
    /// The user.
    pub user: UserPick,
}

impl ContextPick {
    /// The tenant this pick refers to in `fixture`.
    pub fn tenant<'a>(&self, fixture: &'a Fixture) -> Option<&'a Tenant> {
        tenant_of(fixture, &self.tenant)
    }

    /// The execution context.
    pub fn resolve(&self, fixture: &Fixture) -> ExecutionContext {
        let Some(tenant) = self.tenant(fixture) else {
            return ExecutionContext { tenant_id: tenant_id(0), install_id: unused_id(0), user: None };
        };
        let others: Vec<&Tenant> =
            fixture.tenants.iter().filter(|t| t.tenant_id != tenant.tenant_id).collect();
        let install_id = match &self.install {
            InstallPick::Admin => admin_install_id(&tenant.tenant_id),
            InstallPick::Own(i) if !tenant.installs.is_empty() => i.get(&tenant.installs).install_id.clone(),
            InstallPick::Own(_) => admin_install_id(&tenant.tenant_id),
            InstallPick::Foreign(i) => {
                let foreign: Vec<&str> = others
                    .iter()
                    .flat_map(|t| t.installs.iter().map(|install| install.install_id.as_str()))
                    .filter(|id| tenant.installs.iter().all(|own| own.install_id != *id))
                    .collect();
                if foreign.is_empty() { unused_id(1) } else { i.get(&foreign).to_string() }
            }
            InstallPick::Unknown(n) => unused_id(2 + n % 4),
        };
        let user = match &self.user {
            UserPick::None => None,
            UserPick::Own(..) | UserPick::Inactive(_) if tenant.users.is_empty() => {
                Some(ContextUser { user_id: unused_id(6), user_type: UserType::Internal })
            }
            UserPick::Own(i, other_type) => {
                let user = i.get(&tenant.users);
                let user_type = match (user.user_type, other_type) {
                    (stored, false) => stored,
                    (UserType::Internal, true) => UserType::Client,
                    (UserType::Client, true) => UserType::Internal,
                };
                Some(ContextUser { user_id: user.user_id.clone(), user_type })
            }
            UserPick::Inactive(i) => {
                let inactive: Vec<_> = tenant.users.iter().filter(|u| u.is_inactive).collect();
                let user = if inactive.is_empty() { i.get(&tenant.users) } else { *i.get(&inactive) };
                Some(ContextUser { user_id: user.user_id.clone(), user_type: user.user_type })
            }
            UserPick::Foreign(i) => {
                let foreign: Vec<(&str, UserType)> = others
                    .iter()
                    .flat_map(|t| t.users.iter().map(|u| (u.user_id.as_str(), u.user_type)))
                    .filter(|(id, _)| tenant.users.iter().all(|own| own.user_id != *id))
                    .collect();
                let (user_id, user_type) = if foreign.is_empty() {
                    (unused_id(7), UserType::Internal)
                } else {
                    let (id, t) = *i.get(&foreign);
                    (id.to_string(), t)
                };
                Some(ContextUser { user_id: user_id.to_string(), user_type })
            }
            UserPick::Unknown(n) => Some(ContextUser {
                user_id: unused_id(8 + n % 4),
                user_type: if n % 2 == 0 { UserType::Internal } else { UserType::Client },
            }),
        };
        ExecutionContext { tenant_id: tenant.tenant_id.clone(), install_id, user }
    }
}

/// The admin install of a tenant, no user: the capability alone decides (AUTH-3) and
/// both capabilities are held.
pub fn admin_context() -> impl Strategy<Value = ContextPick> {
    any::<Index>().prop_map(|tenant| ContextPick {
        tenant,
        install: InstallPick::Admin,
        user: UserPick::None,
    })
}

/// The admin install with one of the tenant's users claimed with their stored type: the
/// user's roles and permissions decide (AUTH-1, AUTH-4).
pub fn user_context() -> impl Strategy<Value = ContextPick> {
    (any::<Index>(), any::<Index>()).prop_map(|(tenant, user)| ContextPick {
        tenant,
        install: InstallPick::Admin,
        user: UserPick::Own(user, false),
    })
}

/// Any context: every install and user choice, weighted towards ones that pass.
pub fn any_context() -> impl Strategy<Value = ContextPick> {
    let install = prop_oneof![
        3 => Just(InstallPick::Admin),
        4 => any::<Index>().prop_map(InstallPick::Own),
        1 => any::<Index>().prop_map(InstallPick::Foreign),
        1 => (0usize..4).prop_map(InstallPick::Unknown),
    ];
    (any::<Index>(), install, any_user()).prop_map(|(tenant, install, user)| ContextPick {
        tenant,
        install,
        user,
    })
}

/// Any user choice.
pub fn any_user() -> impl Strategy<Value = UserPick> {
    prop_oneof![
        3 => Just(UserPick::None),
        5 => (any::<Index>(), prop::bool::weighted(0.15)).prop_map(|(i, other)| UserPick::Own(i, other)),
        1 => any::<Index>().prop_map(UserPick::Foreign),
        1 => (0usize..4).prop_map(UserPick::Unknown),
    ]
}

/// Which id a `get-*` asks for.
#[derive(Debug, Clone)]
pub enum IdPick {
    /// A record of the context's tenant.
    Own(Index, Spelling),
    /// A record that exists only in another tenant.
    Foreign(Index, Spelling),
    /// A canonical id that is no record anywhere.
    Nowhere(usize, Spelling),
    /// The nil UUID.
    Nil,
    /// This text, whatever it is.
    Raw(String),
}

impl IdPick {
    /// The id text, for a record of `kind` in the context of `tenant`.
    pub fn resolve(&self, fixture: &Fixture, tenant: Option<&Tenant>, kind: Kind) -> String {
        let own: Vec<&str> = tenant.map(|t| kind.ids(t)).unwrap_or_default();
        let foreign: Vec<&str> = fixture
            .tenants
            .iter()
            .filter(|t| Some(t.tenant_id.as_str()) != tenant.map(|t| t.tenant_id.as_str()))
            .flat_map(|t| kind.ids(t))
            .filter(|id| !own.contains(id))
            .collect();
        match self {
            IdPick::Own(i, spelling) if !own.is_empty() => spelling.apply(i.get::<&str>(&own)),
            IdPick::Foreign(i, spelling) if !foreign.is_empty() => spelling.apply(i.get::<&str>(&foreign)),
            IdPick::Own(_, spelling) | IdPick::Foreign(_, spelling) => spelling.apply(&unused_id(12)),
            IdPick::Nowhere(n, spelling) => spelling.apply(&unused_id(13 + n % 3)),
            IdPick::Nil => NIL.to_string(),
            IdPick::Raw(text) => text.clone(),
        }
    }
}

/// Canonical ids: own records (any letter case), other tenants' records, nowhere, nil.
pub fn canonical_id() -> impl Strategy<Value = IdPick> {
    let spelling = || select(Spelling::CANONICAL);
    prop_oneof![
        4 => (any::<Index>(), spelling()).prop_map(|(i, s)| IdPick::Own(i, s)),
        2 => (any::<Index>(), spelling()).prop_map(|(i, s)| IdPick::Foreign(i, s)),
        1 => (0usize..3, spelling()).prop_map(|(n, s)| IdPick::Nowhere(n, s)),
        1 => Just(IdPick::Nil),
    ]
}

/// Ids in every spelling, canonical or not.
pub fn any_id() -> impl Strategy<Value = IdPick> {
    let spelling = || select(Spelling::ALL);
    prop_oneof![
        3 => (any::<Index>(), spelling()).prop_map(|(i, s)| IdPick::Own(i, s)),
        1 => (any::<Index>(), spelling()).prop_map(|(i, s)| IdPick::Foreign(i, s)),
        1 => (0usize..3, spelling()).prop_map(|(n, s)| IdPick::Nowhere(n, s)),
        1 => Just(IdPick::Nil),
    ]
}

/// Which search text a list call sends.
#[derive(Debug, Clone)]
pub enum SearchPick {
    /// No search.
    Absent,
    /// A text from the search alphabet.
    Text(String),
    /// A piece of a searchable text of the context's tenant, letters flipped in case
    /// where `flips` says so.
    Fragment {
        /// Which text.
        text: Index,
        /// Where the piece starts.
        start: Index,
        /// How long it is (at least one character).
        len: Index,
        /// Bit `i` flips the ASCII case of character `i`.
        flips: u32,
    },
    /// The id of one of the tenant's records of the call's kind, spelled some way.
    OwnId(Index, Spelling),
    /// A part of the id of one of the tenant's records of the call's kind: at least 4
    /// characters, never the whole id (SRCH-1 matches only whole UUIDs).
    PartialId {
        /// Which record.
        record: Index,
        /// Where the part starts.
        start: Index,
        /// How long it is beyond 4 characters.
        len: Index,
    },
    /// Something that identifies another tenant's data: a record's name or id, or a
    /// tenant id (CTX-1).
    Foreign(Index),
}

impl SearchPick {
    /// The search text (or none) for a call of `kind` in the context of `tenant`.
    pub fn resolve(&self, fixture: &Fixture, tenant: Option<&Tenant>, kind: Kind) -> Option<String> {
        match self {
            SearchPick::Absent => None,
            SearchPick::Text(text) => Some(text.clone()),
            SearchPick::Fragment { text, start, len, flips } => {
                let texts = tenant.map(|t| kind.searchable_texts(t)).unwrap_or_default();
                let chars: Vec<char> = if texts.is_empty() {
                    "acme".chars().collect()
                } else {
                    text.get(&texts).chars().collect()
                };
                if chars.is_empty() {
                    return Some(String::new());
                }
                let from = start.index(chars.len());
                let count = 1 + len.index(chars.len() - from);
                Some(
                    chars[from..from + count]
                        .iter()
                        .enumerate()
                        .map(|(i, c)| {
                            if flips & (1 << (i % 32)) == 0 {
                                *c
                            } else if c.is_ascii_lowercase() {
                                c.to_ascii_uppercase()
                            } else {
                                c.to_ascii_lowercase()
                            }
                        })
                        .collect(),
                )
            }
            SearchPick::OwnId(i, spelling) => {
                let ids = tenant.map(|t| kind.ids(t)).unwrap_or_default();
                Some(spelling.apply(if ids.is_empty() { NIL } else { i.get::<&str>(&ids) }))
            }
            SearchPick::PartialId { record, start, len } => {
                let ids = tenant.map(|t| kind.ids(t)).unwrap_or_default();
                let id = if ids.is_empty() { NIL } else { record.get::<&str>(&ids) };
                let from = start.index(id.len() - 3);
                let mut length = 4 + len.index(id.len() - from - 3);
                if length == id.len() {
                    length -= 1;
                }
                Some(id[from..from + length].to_string())
            }
            SearchPick::Foreign(i) => {
                let own = tenant.map(|t| t.tenant_id.as_str());
                let candidates: Vec<String> = fixture
                    .tenants
                    .iter()
                    .filter(|t| Some(t.tenant_id.as_str()) != own)
                    .flat_map(|t| {
                        let mut texts: Vec<String> =
                            kind.searchable_texts(t).into_iter().map(str::to_string).collect();
                        texts.extend(kind.ids(t).into_iter().map(str::to_string));
                        texts.push(t.tenant_id.clone());
                        texts
                    })
                    .collect();
                Some(if candidates.is_empty() { tenant_id(3) } else { i.get(&candidates).clone() })
            }
        }
    }
}

/// Searches that find things: fragments of the tenant's own texts, alphabet texts,
/// absent, and ids of the tenant's records (SRCH-1).
pub fn search() -> impl Strategy<Value = SearchPick> {
    prop_oneof![
        2 => Just(SearchPick::Absent),
        3 => search_text().prop_map(SearchPick::Text),
        4 => (any::<Index>(), any::<Index>(), any::<Index>(), any::<u32>())
            .prop_map(|(text, start, len, flips)| SearchPick::Fragment { text, start, len, flips }),
        1 => (any::<Index>(), select(Spelling::CANONICAL)).prop_map(|(i, s)| SearchPick::OwnId(i, s)),
        1 => partial_id(),
    ]
}

/// Parts of the tenant's record ids (SRCH-1: they find nothing unless a name or email holds
/// them).
pub fn partial_id() -> impl Strategy<Value = SearchPick> {
    (any::<Index>(), any::<Index>(), any::<Index>()).prop_map(|(record, start, len)| SearchPick::PartialId {
        record,
        start,
        len,
    })
}

/// Page sizes that are valid: small ones (several pages), the default (absent), the
/// bounds.
pub fn valid_page_size() -> impl Strategy<Value = Option<u32>> {
    prop_oneof![
        6 => (1u32..=5).prop_map(Some),
        1 => Just(None),
        1 => Just(Some(1)),
        1 => Just(Some(100)),
    ]
}

/// Pages that are valid: the first few, the default, the largest.
pub fn valid_page() -> impl Strategy<Value = Option<u32>> {
    prop_oneof![
        6 => (1u32..=5).prop_map(Some),
        2 => Just(None),
        1 => Just(Some(10_000)),
    ]
}

/// Pages at and past the bounds of VAL-1, valid and not.
pub fn bound_page() -> impl Strategy<Value = Option<u32>> {
    select(&[None, Some(0), Some(1), Some(2), Some(9_999), Some(10_000), Some(10_001), Some(u32::MAX)][..])
}

/// Page sizes at and past the bounds of VAL-1, valid and not.
pub fn bound_page_size() -> impl Strategy<Value = Option<u32>> {
    select(&[None, Some(0), Some(1), Some(2), Some(25), Some(99), Some(100), Some(101), Some(u32::MAX)][..])
}
