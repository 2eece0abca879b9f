//! Multi-tenant worlds: proptest strategies for [`Fixture`]s that always pass
//! [`Fixture::validate`], small enough to load fast and dense enough to collide.
//!
//! A world is generated raw (records with ids drawn from small pools and references as
//! indices) and then built: duplicate ids inside a tenant are dropped and indices are
//! resolved against what is left. Shrinking removes records freely and the result stays
//! valid, so a shrunk counterexample is a small, valid fixture.
//!
//! Worlds aim at tenant isolation: the tenants of a world are distinct, and in a world of
//! several tenants each tenant's users, installs, clients and catalog items include one
//! whose id the next tenant also uses (for a different record), whenever either tenant has
//! records of that kind ([`share_ids`]). So every multi-tenant case holds ids a host that
//! forgets the tenant would confuse.
//!
//! Every tenant gets an extra install, [`admin_install_id`], granting both capabilities
//! exactly; the checks of data rules call through it with no user.
//!
//! Catalog items carry prices (contract 0.2.0): zero to three per item, drawn in any order
//! from a small pool of currencies that every tenant uses ([`CURRENCIES`]), so tenants share
//! currencies and, where item ids collide across tenants, the other tenant's item of the same
//! id has prices of its own (a host that joins prices without the tenant shows them).

use super::ids::{RECORD_POOL, TENANT_POOL, record_id, tenant_id};
use super::text;
use alga_conformance_protocol::UserType;
use alga_conformance_protocol::fixture::{
    Client, Fixture, Install, Permission, Price, Role, Service, ServiceType, Tenant, User,
};
use alga_extension_contract::types::{BillingMethod, ClientType, ItemKind};
use alga_extension_contract::{CAP_CLIENT_READ, CAP_SERVICE_READ};
use proptest::prelude::*;
use proptest::sample::{Index, select};
use std::collections::HashSet;

/// Id of the install every generated tenant has, granting both capabilities (outside the
/// record pool, so no other record shares it).
pub fn admin_install_id(tenant_id: &str) -> String {
    // The tenant's own id with the last digit flipped: distinct per tenant and from every
    // pooled record id.
    let last = tenant_id.chars().last().unwrap_or('0');
    let flipped = if last == 'f' { 'e' } else { 'f' };
    format!("{}{flipped}", &tenant_id[..35])
}

/// Capability sets an install may hold, as stored: exact names, missing ones, names that
/// only CAP-3 grants, and near misses that grant nothing.
const CAPABILITY_SETS: &[&[&str]] = &[
    &[],
    &[CAP_CLIENT_READ],
    &[CAP_SERVICE_READ],
    &[CAP_CLIENT_READ, CAP_SERVICE_READ],
    &["cap:context.read", "cap:log.emit", CAP_CLIENT_READ, CAP_SERVICE_READ],
    &[" CAP:Client.Read ", CAP_SERVICE_READ],
    &["Cap:Service.Read\t"],
    &["cap:client.*", "cap:service.*"],
    &["cap:clients.read", "cap:services.read"],
    &["cap:client.readx", "cap:service"],
    // Not white space around the names: no grant (JavaScript's trim and Python's strip
    // would remove them).
    &["\u{feff}cap:client.read", "cap:service.read\u{1f}"],
];

/// Permissions a tenant may define: the two the contract reads and two it does not.
const PERMISSION_KINDS: &[(&str, &str)] =
    &[("client", "read"), ("service", "read"), ("client", "update"), ("service", "delete")];

/// The currencies prices are drawn from (stored codes are upper case): few, so that items
/// and tenants share them; listed out of order so that drawing them in order would not
/// already be sorted.
pub const CURRENCIES: &[&str] = &["USD", "EUR", "JPY", "CHF"];

/// A generated user, before ids are resolved.
#[derive(Debug, Clone)]
struct RawUser {
    id: usize,
    first: String,
    last: String,
    portal: bool,
    inactive: bool,
    client: Option<Index>,
    roles: Vec<Index>,
}

#[derive(Debug, Clone)]
struct RawClient {
    id: usize,
    name: String,
    client_type: Option<ClientType>,
    inactive: bool,
    currency: String,
    manager: Option<Index>,
    email: Option<String>,
    tags: Vec<String>,
}

#[derive(Debug, Clone)]
struct RawService {
    id: usize,
    name: String,
    description: Option<String>,
    kind: ItemKind,
    method: BillingMethod,
    service_type: Option<Index>,
    rate: i64,
    unit: String,
    active: bool,
    sku: Option<String>,
    /// Prices as (index into [`CURRENCIES`], rate), in drawing order; repeated currencies
    /// are dropped when built.
    prices: Vec<(usize, i64)>,
}

#[derive(Debug, Clone)]
struct RawTenant {
    id: usize,
    permissions: Vec<(usize, bool, bool, usize)>,
    roles: Vec<(usize, Vec<Index>)>,
    users: Vec<RawUser>,
    clients: Vec<RawClient>,
    service_types: Vec<(usize, String)>,
    services: Vec<RawService>,
    installs: Vec<(usize, usize)>,
}

/// How big generated worlds are.
#[derive(Debug, Clone)]
pub struct WorldSize {
    /// Tenants (at least one).
    pub tenants: std::ops::RangeInclusive<usize>,
    /// Clients per tenant.
    pub clients: std::ops::RangeInclusive<usize>,
    /// Services per tenant.
    pub services: std::ops::RangeInclusive<usize>,
    /// Users per tenant.
    pub users: std::ops::RangeInclusive<usize>,
}

impl WorldSize {
    /// The default: 1 to 3 tenants with up to 8 clients, 8 services and 5 users each.
    pub const DEFAULT: WorldSize =
        WorldSize { tenants: 1..=3, clients: 0..=8, services: 0..=8, users: 0..=5 };
    /// At least two tenants (for isolation checks).
    pub const MULTI_TENANT: WorldSize = WorldSize { tenants: 2..=3, ..WorldSize::DEFAULT };
    /// One tenant with more records and more collisions of names (ordering and paging).
    pub const DENSE: WorldSize =
        WorldSize { tenants: 1..=2, clients: 3..=14, services: 3..=14, users: 0..=3 };
}

fn pool_index() -> impl Strategy<Value = usize> {
    0..RECORD_POOL
}

fn raw_user() -> impl Strategy<Value = RawUser> {
    (
        pool_index(),
        text::person_name(),
        text::person_name(),
        prop::bool::weighted(0.35),
        prop::bool::weighted(0.15),
        prop::option::weighted(0.8, any::<Index>()),
        prop::collection::vec(any::<Index>(), 0..3),
    )
        .prop_map(|(id, first, last, portal, inactive, client, roles)| RawUser {
            id,
            first,
            last,
            portal,
            inactive,
            client,
            roles,
        })
}

fn raw_client() -> impl Strategy<Value = RawClient> {
    (
        pool_index(),
        text::name(),
        prop::option::of(select(ClientType::ALL)),
        prop::bool::weighted(0.3),
        text::currency(),
        prop::option::weighted(0.5, any::<Index>()),
        text::email(),
        text::tags(),
    )
        .prop_map(|(id, name, client_type, inactive, currency, manager, email, tags)| RawClient {
            id,
            name,
            client_type,
            inactive,
            currency,
            manager,
            email,
            tags,
        })
}

/// The prices of one item: none (a third of the items), or one to three currencies in any
/// order, each with a rate (zero, negative and the largest exact value included).
fn raw_prices() -> impl Strategy<Value = Vec<(usize, i64)>> {
    prop_oneof![
        1 => Just(Vec::new()),
        2 => prop::collection::vec((0..CURRENCIES.len(), text::rate_cents()), 1..=3),
    ]
}

fn raw_service() -> impl Strategy<Value = RawService> {
    (
        (pool_index(), text::name(), text::description(), select(ItemKind::ALL), select(BillingMethod::ALL)),
        (
            prop::option::weighted(0.6, any::<Index>()),
            text::rate_cents(),
            text::unit(),
            prop::bool::weighted(0.75),
            text::sku(),
            raw_prices(),
        ),
    )
        .prop_map(
            |((id, name, description, kind, method), (service_type, rate, unit, active, sku, prices))| {
                RawService {
                    id,
                    name,
                    description,
                    kind,
                    method,
                    service_type,
                    rate,
                    unit,
                    active,
                    sku,
                    prices,
                }
            },
        )
}

/// Built prices: the first of each currency, in drawing order.
fn build_prices(raw: Vec<(usize, i64)>) -> Vec<Price> {
    first_of_each(raw, |(currency, _)| *currency)
        .into_iter()
        .map(|(currency, rate)| Price {
            currency_code: CURRENCIES[currency].to_string(),
            rate_minor_units: rate,
        })
        .collect()
}

fn raw_tenant(size: WorldSize) -> impl Strategy<Value = RawTenant> {
    let permission = (0..PERMISSION_KINDS.len(), any::<bool>(), any::<bool>(), pool_index());
    (
        0..TENANT_POOL,
        prop::collection::vec(permission, 0..5),
        prop::collection::vec((pool_index(), prop::collection::vec(any::<Index>(), 0..4)), 0..4),
        prop::collection::vec(raw_user(), size.users),
        prop::collection::vec(raw_client(), size.clients),
        prop::collection::vec((pool_index(), select(&["Managed", "managed", "Labor", "Ünit"][..])), 0..3),
        prop::collection::vec(raw_service(), size.services),
        prop::collection::vec((pool_index(), 0..CAPABILITY_SETS.len()), 0..3),
    )
        .prop_map(|(id, permissions, roles, users, clients, types, services, installs)| RawTenant {
            id,
            permissions,
            roles,
            users,
            clients,
            service_types: types.into_iter().map(|(id, name)| (id, name.to_string())).collect(),
            services,
            installs,
        })
}

/// Worlds of the given size.
pub fn world(size: WorldSize) -> impl Strategy<Value = Fixture> {
    let tenants = size.tenants.clone();
    prop::collection::vec(raw_tenant(size), tenants).prop_map(build)
}

/// Keeps the first of each id.
fn first_of_each<T>(items: Vec<T>, id: impl Fn(&T) -> usize) -> Vec<T> {
    let mut seen = HashSet::new();
    items.into_iter().filter(|item| seen.insert(id(item))).collect()
}

fn pick<'a, T>(items: &'a [T], index: &Index) -> Option<&'a T> {
    (!items.is_empty()).then(|| index.get(items))
}

fn build(raw_tenants: Vec<RawTenant>) -> Fixture {
    let mut raw_tenants = distinct_tenants(raw_tenants);
    share_ids(&mut raw_tenants);
    Fixture { tenants: raw_tenants.into_iter().map(build_tenant).collect() }
}

/// The tenants with distinct ids: a tenant drawn with an id already taken gets the first
/// free one of the pool (which holds more ids than a world has tenants).
fn distinct_tenants(mut raw_tenants: Vec<RawTenant>) -> Vec<RawTenant> {
    let mut taken = HashSet::new();
    for tenant in &mut raw_tenants {
        if !taken.insert(tenant.id)
            && let Some(free) = (0..TENANT_POOL).find(|id| !taken.contains(id))
        {
            tenant.id = free;
            taken.insert(free);
        }
    }
    raw_tenants.retain(|t| t.id < TENANT_POOL);
    first_of_each(raw_tenants, |t| t.id)
}

/// Makes each tenant share an id of each kind (user, install, client, catalog item) with
/// the next tenant (the last with the first): when both have records of the kind and share
/// no id, a record of the tenant whose id no other tenant uses takes the id of the next
/// tenant's first record (or, when every id of the tenant is already shared, a copy of that
/// record is added); when only the next tenant has records of the kind, the tenant gets a
/// copy of its first one.
fn share_ids(tenants: &mut [RawTenant]) {
    share_kind(tenants, |t| &mut t.users, |u| &mut u.id);
    share_kind(tenants, |t| &mut t.installs, |install| &mut install.0);
    share_kind(tenants, |t| &mut t.clients, |c| &mut c.id);
    share_kind(tenants, |t| &mut t.services, |s| &mut s.id);
}

/// [`share_ids`] for one kind of record.
fn share_kind<T: Clone>(
    tenants: &mut [RawTenant],
    records: impl Fn(&mut RawTenant) -> &mut Vec<T>,
    id: impl Fn(&mut T) -> &mut usize,
) {
    let count = tenants.len();
    if count < 2 {
        return;
    }
    for i in 0..count {
        let next = (i + 1) % count;
        let Some(mut theirs) = records(&mut tenants[next]).first().cloned() else { continue };
        let their_id = *id(&mut theirs);
        let mut ids_of =
            |t: usize| -> HashSet<usize> { records(&mut tenants[t]).iter_mut().map(|r| *id(r)).collect() };
        let next_ids = ids_of(next);
        let elsewhere: HashSet<usize> = (0..count).filter(|t| *t != i).flat_map(&mut ids_of).collect();
        let mine = records(&mut tenants[i]);
        if mine.iter_mut().any(|record| next_ids.contains(id(record))) {
            continue;
        }
        match (0..mine.len()).rev().find(|&k| !elsewhere.contains(id(&mut mine[k]))) {
            Some(unshared) => *id(&mut mine[unshared]) = their_id,
            None => mine.push(theirs),
        }
    }
}

fn build_tenant(raw: RawTenant) -> Tenant {
    let tenant_id = tenant_id(raw.id);
    let permissions: Vec<Permission> = first_of_each(raw.permissions, |p| p.3)
        .into_iter()
        .map(|(kind, msp, client, id)| Permission {
            permission_id: record_id(id),
            resource: PERMISSION_KINDS[kind].0.to_string(),
            action: PERMISSION_KINDS[kind].1.to_string(),
            msp,
            client,
        })
        .collect();
    let roles: Vec<Role> = first_of_each(raw.roles, |r| r.0)
        .into_iter()
        .enumerate()
        .map(|(n, (id, grants))| {
            let mut permission_ids: Vec<String> = grants
                .iter()
                .filter_map(|i| pick(&permissions, i))
                .map(|p| p.permission_id.clone())
                .collect();
            permission_ids.sort();
            permission_ids.dedup();
            Role { role_id: record_id(id), role_name: format!("Role {n}"), permission_ids }
        })
        .collect();
    let clients_raw = first_of_each(raw.clients, |c| c.id);
    let client_ids: Vec<String> = clients_raw.iter().map(|c| record_id(c.id)).collect();
    let users: Vec<User> = first_of_each(raw.users, |u| u.id)
        .into_iter()
        .map(|u| {
            let mut role_ids: Vec<String> =
                u.roles.iter().filter_map(|i| pick(&roles, i)).map(|r| r.role_id.clone()).collect();
            role_ids.sort();
            role_ids.dedup();
            let user_id = record_id(u.id);
            User {
                email: format!("user-{}@example.com", &user_id[..8]),
                user_id,
                first_name: u.first,
                last_name: u.last,
                user_type: if u.portal { UserType::Client } else { UserType::Internal },
                is_inactive: u.inactive,
                client_id: if u.portal {
                    u.client.and_then(|i| pick(&client_ids, &i).cloned())
                } else {
                    None
                },
                role_ids,
            }
        })
        .collect();
    let managers: Vec<&User> = users.iter().filter(|u| u.user_type == UserType::Internal).collect();
    let clients = clients_raw
        .into_iter()
        .map(|c| Client {
            client_id: record_id(c.id),
            client_name: c.name,
            client_type: c.client_type,
            is_inactive: c.inactive,
            default_currency_code: c.currency,
            account_manager_id: c.manager.and_then(|i| pick(&managers, &i).map(|u| u.user_id.clone())),
            billing_email: c.email,
            tags: c.tags,
        })
        .collect();
    let mut type_names = HashSet::new();
    let service_types: Vec<ServiceType> = first_of_each(raw.service_types, |t| t.0)
        .into_iter()
        .filter(|(_, name)| type_names.insert(name.clone()))
        .map(|(id, name)| ServiceType { service_type_id: record_id(id), name })
        .collect();
    let services = first_of_each(raw.services, |s| s.id)
        .into_iter()
        .map(|s| Service {
            service_id: record_id(s.id),
            service_name: s.name,
            description: s.description,
            item_kind: s.kind,
            billing_method: s.method,
            service_type_id: s
                .service_type
                .and_then(|i| pick(&service_types, &i).map(|t| t.service_type_id.clone())),
            default_rate_cents: s.rate,
            unit_of_measure: s.unit,
            is_active: s.active,
            sku: s.sku,
            prices: build_prices(s.prices),
        })
        .collect();
    let mut installs: Vec<Install> = first_of_each(raw.installs, |i| i.0)
        .into_iter()
        .map(|(id, set)| Install {
            install_id: record_id(id),
            granted_capabilities: CAPABILITY_SETS[set].iter().map(|s| s.to_string()).collect(),
        })
        .collect();
    installs.push(Install {
        install_id: admin_install_id(&tenant_id),
        granted_capabilities: vec![CAP_CLIENT_READ.to_string(), CAP_SERVICE_READ.to_string()],
    });
    Tenant {
        tenant_name: format!("Tenant {}", &tenant_id[..8]),
        tenant_id,
        users,
        roles,
        permissions,
        clients,
        service_types,
        services,
        installs,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;

    #[test]
    fn every_tenant_shares_ids_of_every_kind_with_another() {
        let mut runner = TestRunner::deterministic();
        let strategy = world(WorldSize::MULTI_TENANT);
        for _ in 0..200 {
            let fixture = strategy.new_tree(&mut runner).unwrap().current();
            assert!(fixture.tenants.len() >= 2, "a multi-tenant world of {} tenant", fixture.tenants.len());
            for tenant in &fixture.tenants {
                let others: Vec<&Tenant> =
                    fixture.tenants.iter().filter(|t| t.tenant_id != tenant.tenant_id).collect();
                let shares = |ids: &dyn Fn(&Tenant) -> Vec<&str>| {
                    ids(tenant).is_empty()
                        || others.iter().all(|o| ids(o).is_empty())
                        || ids(tenant).iter().any(|id| others.iter().any(|o| ids(o).contains(id)))
                };
                assert!(
                    shares(&|t| t.users.iter().map(|u| u.user_id.as_str()).collect()),
                    "users of {tenant:#?}"
                );
                assert!(shares(&|t| t.clients.iter().map(|c| c.client_id.as_str()).collect()), "clients");
                assert!(shares(&|t| t.services.iter().map(|s| s.service_id.as_str()).collect()), "services");
                assert!(
                    shares(&|t| t
                        .installs
                        .iter()
                        .map(|i| i.install_id.as_str())
                        .filter(|id| *id != admin_install_id(&t.tenant_id))
                        .collect()),
                    "installs"
                );
            }
        }
    }

    #[test]
    fn generated_worlds_are_valid_and_collide() {
        let mut runner = TestRunner::deterministic();
        let strategy = world(WorldSize::MULTI_TENANT);
        let mut shared_ids = 0;
        let mut case_only_names = 0;
        for _ in 0..200 {
            let fixture = strategy.new_tree(&mut runner).unwrap().current();
            fixture.validate().unwrap();
            let ids: Vec<HashSet<&str>> = fixture
                .tenants
                .iter()
                .map(|t| t.clients.iter().map(|c| c.client_id.as_str()).collect())
                .collect();
            if ids.len() > 1 && !ids[0].is_disjoint(&ids[1]) {
                shared_ids += 1;
            }
            for tenant in &fixture.tenants {
                let names: Vec<&str> = tenant.clients.iter().map(|c| c.client_name.as_str()).collect();
                if names
                    .iter()
                    .enumerate()
                    .any(|(i, a)| names[i + 1..].iter().any(|b| a != b && a.eq_ignore_ascii_case(b)))
                {
                    case_only_names += 1;
                }
            }
        }
        assert!(shared_ids > 20, "the same client id in two tenants in only {shared_ids} of 200 worlds");
        assert!(case_only_names > 10, "names differing only in case in only {case_only_names} of 200 worlds");
    }

    #[test]
    fn worlds_hold_prices_in_shared_currencies_and_out_of_order() {
        let mut runner = TestRunner::deterministic();
        let strategy = world(WorldSize::MULTI_TENANT);
        let (mut unpriced, mut several, mut unsorted, mut same_id_other_prices) = (0, 0, 0, 0);
        for _ in 0..200 {
            let fixture = strategy.new_tree(&mut runner).unwrap().current();
            let items: Vec<(&str, &Service)> = fixture
                .tenants
                .iter()
                .flat_map(|t| t.services.iter().map(move |s| (t.tenant_id.as_str(), s)))
                .collect();
            unpriced += usize::from(items.iter().any(|(_, s)| s.prices.is_empty()));
            several += usize::from(items.iter().any(|(_, s)| s.prices.len() >= 2));
            unsorted += usize::from(
                items
                    .iter()
                    .any(|(_, s)| s.prices.windows(2).any(|w| w[0].currency_code > w[1].currency_code)),
            );
            same_id_other_prices += usize::from(items.iter().any(|(t, a)| {
                !a.prices.is_empty()
                    && items
                        .iter()
                        .any(|(u, b)| u != t && b.service_id == a.service_id && b.prices != a.prices)
            }));
        }
        for (what, n) in [
            ("an item without prices", unpriced),
            ("an item with several prices", several),
            ("prices stored out of order", unsorted),
            ("the same item id with other prices in another tenant", same_id_other_prices),
        ] {
            assert!(n > 60, "{what} in only {n} of 200 worlds");
        }
    }

    #[test]
    fn shrunk_worlds_stay_valid() {
        let mut runner = TestRunner::deterministic();
        let mut tree = world(WorldSize::DEFAULT).new_tree(&mut runner).unwrap();
        for _ in 0..500 {
            tree.current().validate().unwrap();
            if !tree.simplify() {
                break;
            }
        }
    }
}
