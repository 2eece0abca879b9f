//! Differential test: generated multi-tenant fixtures and generated calls go to both stores,
//! and every answer must be identical (as the contract's JSON). Names and searches are built
//! from an alphabet that hunts for the differences stores really have: ASCII case, letters
//! outside ASCII in both cases, `%`, `_`, `\`, white space, equal names. A small model of
//! SPEC.md's listing (filter, fold-then-id order, page slice) also checks `list-clients`,
//! so the two stores cannot agree on a wrong answer. Catalog items carry up to three prices
//! (in any order), and service listings pick a currency filter that is valid in any letter
//! case or invalid, so the stores must agree on prices (PRICE-1) and the filter (PRICE-2).
//!
//! `PROPTEST_CASES` raises the number of cases (default 48).

mod common;

use alga_conformance_protocol::fixture::{
    Client, Install, Permission, Price, Role, Service, ServiceType, Tenant, User,
};
use alga_conformance_protocol::{ContextUser, ExecutionContext, Fixture, Outcome, UserType};
use alga_extension_contract::input;
use alga_extension_contract::summary::listing_order;
use alga_extension_contract::types::{
    BillingMethod, ClientListInput, ClientType, ItemKind, ServiceListInput,
};
use alga_reference_store::ReadServices;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

const ALPHABET: &[&str] =
    &["a", "A", "b", "B", "é", "É", "ü", "Ü", "ß", "東", " ", "%", "_", "\\", "x", "1", "-", "."];

/// The currencies items are priced in.
const CURRENCIES: &[&str] = &["EUR", "USD", "JPY", "GBP"];

/// Currency filters: valid in any letter case and with white space, of a currency no item
/// uses, and invalid (VAL-5).
const CURRENCY_FILTERS: &[&str] = &["EUR", "usd", " jPy\t", "GBP", "CHF", "EURO", "", "e1r"];

fn text(max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(ALPHABET), 0..max).prop_map(|parts| parts.concat())
}

/// A UUID unique by `index`, in an order unrelated to it.
fn uuid(random: u32, kind: u8, index: usize) -> String {
    format!("{random:08x}-0000-4000-8{kind:03x}-{index:012x}")
}

fn tenant_strategy(tenant_index: usize) -> impl Strategy<Value = Tenant> {
    let client = (
        text(7),
        prop::option::of(text(6)),
        any::<bool>(),
        0..3u8,
        prop::collection::vec(text(3), 0..3),
        any::<u32>(),
    );
    let service = (
        text(6),
        prop::option::of(text(6)),
        prop::option::of(text(4)),
        0..2usize,
        0..3usize,
        any::<bool>(),
        any::<bool>(),
        any::<u32>(),
        prop::sample::subsequence(CURRENCIES.to_vec(), 0..=3).prop_shuffle(),
    );
    (
        prop::collection::vec(client, 0..14),
        prop::collection::vec(service, 0..10),
        any::<u32>(),
        text(4),
        text(4),
    )
        .prop_map(move |(clients, services, salt, first, last)| {
            let t = tenant_index;
            let tenant_id = uuid(salt, 0xf, t);
            let manager = uuid(salt, 1, t);
            let portal = uuid(salt.rotate_left(7), 2, t);
            let permission = Permission {
                permission_id: uuid(salt, 3, t),
                resource: "client".into(),
                action: "read".into(),
                msp: true,
                client: true,
            };
            let role = Role {
                role_id: uuid(salt, 4, t),
                role_name: "reader".into(),
                permission_ids: vec![permission.permission_id.clone()],
            };
            let clients: Vec<Client> = clients
                .into_iter()
                .enumerate()
                .map(|(i, (name, email, inactive, kind, tags, random))| Client {
                    client_id: uuid(random, 5, i),
                    client_name: name,
                    client_type: [None, Some(ClientType::Company), Some(ClientType::Individual)]
                        [kind as usize],
                    is_inactive: inactive,
                    default_currency_code: "EUR".into(),
                    account_manager_id: (random % 3 == 0).then(|| manager.clone()),
                    billing_email: email,
                    tags,
                })
                .collect();
            let service_type = ServiceType { service_type_id: uuid(salt, 6, t), name: "type".into() };
            let services = services
                .into_iter()
                .enumerate()
                .map(|(i, (name, description, sku, kind, method, active, typed, random, codes))| Service {
                    service_id: uuid(random, 7, i),
                    service_name: name,
                    description,
                    item_kind: ItemKind::ALL[kind],
                    billing_method: BillingMethod::ALL[method],
                    service_type_id: typed.then(|| service_type.service_type_id.clone()),
                    default_rate_cents: i64::from(random) - i64::from(u32::MAX / 2),
                    unit_of_measure: "h".into(),
                    is_active: active,
                    sku,
                    prices: codes
                        .iter()
                        .enumerate()
                        .map(|(n, code)| Price {
                            currency_code: (*code).into(),
                            rate_minor_units: i64::from(random >> n) - 9_000,
                        })
                        .collect(),
                })
                .collect();
            let users = vec![
                User {
                    user_id: manager.clone(),
                    first_name: first,
                    last_name: last,
                    email: "m@example.com".into(),
                    user_type: UserType::Internal,
                    is_inactive: false,
                    client_id: None,
                    role_ids: vec![role.role_id.clone()],
                },
                User {
                    user_id: portal,
                    first_name: "P".into(),
                    last_name: "U".into(),
                    email: "p@example.com".into(),
                    user_type: UserType::Client,
                    is_inactive: false,
                    client_id: clients.first().map(|c| c.client_id.clone()),
                    role_ids: vec![role.role_id.clone()],
                },
            ];
            Tenant {
                tenant_id,
                tenant_name: format!("tenant {t}"),
                users,
                roles: vec![role],
                permissions: vec![permission],
                clients,
                service_types: vec![service_type],
                services,
                installs: vec![Install {
                    install_id: uuid(salt, 8, t),
                    granted_capabilities: vec!["cap:client.read".into(), "cap:service.read".into()],
                }],
            }
        })
}

/// A call's input, resolved against the fixture when it runs.
#[derive(Debug, Clone)]
enum Probe {
    Clients {
        search: SearchPick,
        include_inactive: Option<bool>,
        page: Option<u32>,
        page_size: Option<u32>,
        portal: bool,
    },
    Services {
        search: SearchPick,
        kind: Option<usize>,
        active: Option<bool>,
        method: Option<usize>,
        currency: Option<&'static str>,
        page: Option<u32>,
        page_size: Option<u32>,
    },
    GetClient {
        pick: usize,
        upper: bool,
    },
    GetService {
        pick: usize,
    },
}

/// A search: free text from the alphabet, or a piece of a stored name (so matches happen),
/// or a stored id (a UUID search).
#[derive(Debug, Clone)]
enum SearchPick {
    None,
    Free(String),
    NamePiece { pick: usize, start: usize, len: usize, upper: bool },
    Id { pick: usize, upper: bool },
}

fn search_strategy() -> impl Strategy<Value = SearchPick> {
    prop_oneof![
        Just(SearchPick::None),
        text(4).prop_map(SearchPick::Free),
        (any::<usize>(), 0..4usize, 1..4usize, any::<bool>())
            .prop_map(|(pick, start, len, upper)| SearchPick::NamePiece { pick, start, len, upper }),
        (any::<usize>(), any::<bool>()).prop_map(|(pick, upper)| SearchPick::Id { pick, upper }),
    ]
}

fn paging() -> impl Strategy<Value = (Option<u32>, Option<u32>)> {
    (
        prop::option::of(prop_oneof![1..4u32, Just(0u32), Just(10_000)]),
        prop::option::of(prop_oneof![1..6u32, Just(0u32), Just(101)]),
    )
}

fn probe_strategy() -> impl Strategy<Value = Probe> {
    prop_oneof![
        (search_strategy(), prop::option::of(any::<bool>()), paging(), any::<bool>()).prop_map(
            |(search, include_inactive, (page, page_size), portal)| {
                Probe::Clients { search, include_inactive, page, page_size, portal }
            }
        ),
        (
            search_strategy(),
            prop::option::of(0..2usize),
            prop::option::of(any::<bool>()),
            prop::option::of(0..3usize),
            prop::option::of(prop::sample::select(CURRENCY_FILTERS)),
            paging()
        )
            .prop_map(|(search, kind, active, method, currency, (page, page_size))| {
                Probe::Services { search, kind, active, method, currency, page, page_size }
            }),
        (any::<usize>(), any::<bool>()).prop_map(|(pick, upper)| Probe::GetClient { pick, upper }),
        any::<usize>().prop_map(|pick| Probe::GetService { pick }),
    ]
}

fn resolve_search(pick: &SearchPick, names: &[(String, String)]) -> Option<String> {
    let chosen = |i: usize| (!names.is_empty()).then(|| &names[i % names.len()]);
    match pick {
        SearchPick::None => None,
        SearchPick::Free(text) => Some(text.clone()),
        SearchPick::NamePiece { pick, start, len, upper } => chosen(*pick).map(|(name, _)| {
            let piece: String = name.chars().skip(*start).take(*len).collect();
            if *upper { piece.to_ascii_uppercase() } else { piece }
        }),
        SearchPick::Id { pick, upper } => {
            chosen(*pick).map(|(_, id)| if *upper { id.to_uppercase() } else { id.clone() })
        }
    }
}

/// Runs `probe` in tenant 0 of `fixture` and returns its outcome as the contract's JSON.
fn run(rs: &ReadServices, fixture: &Fixture, probe: &Probe) -> Outcome {
    let tenant = &fixture.tenants[0];
    let client_names: Vec<(String, String)> =
        tenant.clients.iter().map(|c| (c.client_name.clone(), c.client_id.clone())).collect();
    let service_names: Vec<(String, String)> =
        tenant.services.iter().map(|s| (s.service_name.clone(), s.service_id.clone())).collect();
    let user = |portal: bool| {
        portal.then(|| ContextUser { user_id: tenant.users[1].user_id.clone(), user_type: UserType::Client })
    };
    let context = |portal: bool| ExecutionContext {
        tenant_id: tenant.tenant_id.clone(),
        install_id: tenant.installs[0].install_id.clone(),
        user: user(portal),
    };
    let actor = |portal: bool| rs.actor(&context(portal)).expect("the store resolves contexts");
    let other_ids: Vec<String> =
        fixture.tenants.iter().flat_map(|t| t.clients.iter().map(|c| c.client_id.clone())).collect();
    match probe {
        Probe::Clients { search, include_inactive, page, page_size, portal } => {
            let input = ClientListInput {
                search: resolve_search(search, &client_names),
                include_inactive: *include_inactive,
                page: *page,
                page_size: *page_size,
            };
            Outcome::from_result(&rs.list_clients(&actor(*portal), &input))
        }
        Probe::Services { search, kind, active, method, currency, page, page_size } => {
            let input = ServiceListInput {
                search: resolve_search(search, &service_names),
                item_kind: kind.map(|k| ItemKind::ALL[k]),
                is_active: *active,
                billing_method: method.map(|m| BillingMethod::ALL[m]),
                currency_code: currency.map(String::from),
                page: *page,
                page_size: *page_size,
            };
            Outcome::from_result(&rs.list_services(&actor(false), &input))
        }
        Probe::GetClient { pick, upper } => {
            // Ids of every tenant, so that ISO-2 is exercised too.
            let id = if other_ids.is_empty() {
                "00000000-0000-0000-0000-000000000000".to_string()
            } else {
                other_ids[pick % other_ids.len()].clone()
            };
            let id = if *upper { id.to_uppercase() } else { id };
            Outcome::from_result(&rs.get_client(&actor(false), &id))
        }
        Probe::GetService { pick } => {
            let id = service_names
                .get(pick % service_names.len().max(1))
                .map_or("00000000-0000-0000-0000-000000000000".into(), |(_, id)| id.clone());
            Outcome::from_result(&rs.get_service(&actor(false), &id))
        }
    }
}

/// The model of `list-clients` without a user: which ids, in which order, how many.
fn model_clients(fixture: &Fixture, input: &ClientListInput) -> Option<(Vec<String>, u32)> {
    let query = input::client_query(input).ok()?;
    let tenant = &fixture.tenants[0];
    let mut set: Vec<_> = tenant
        .clients
        .iter()
        .filter(|c| query.include_inactive || !c.is_inactive)
        .filter(|c| match &query.search {
            None => true,
            Some(search) => {
                input::fold(&c.client_name).contains(&search.folded)
                    || c.billing_email.as_deref().is_some_and(|e| input::fold(e).contains(&search.folded))
                    || search.uuid.as_deref() == Some(c.client_id.as_str())
            }
        })
        .collect();
    set.sort_by(|a, b| listing_order(&a.client_name, &a.client_id, &b.client_name, &b.client_id));
    let total = set.len() as u32;
    let page = set.into_iter().skip(query.paging.offset() as usize).take(query.paging.page_size as usize);
    Some((page.map(|c| c.client_id.clone()).collect(), total))
}

#[test]
fn both_stores_answer_every_generated_call_identically() {
    let sqlite = common::sqlite();
    let postgres = common::postgres("store_differential");
    let (a, b) = (sqlite.services(), postgres.services());
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(48);
    let mut runner = TestRunner::new(Config { cases, failure_persistence: None, ..Config::default() });
    let world = (tenant_strategy(0), tenant_strategy(1), prop::collection::vec(probe_strategy(), 1..24));
    // How often the stores agreed on an item with several prices, and on a non-empty page
    // of a currency filter: the comparison must have met both.
    let (several_prices, currency_hits) = (std::cell::Cell::new(0), std::cell::Cell::new(0));
    let result = runner.run(&world, |(t0, t1, probes)| {
        let fixture = Fixture { tenants: vec![t0, t1] };
        fixture.validate().map_err(|e| TestCaseError::reject(e.to_string()))?;
        sqlite.store.load_fixture(&fixture).map_err(|e| TestCaseError::fail(format!("sqlite load: {e}")))?;
        postgres
            .store
            .load_fixture(&fixture)
            .map_err(|e| TestCaseError::fail(format!("postgres load: {e}")))?;
        for probe in &probes {
            let (left, right) = (run(&a, &fixture, probe), run(&b, &fixture, probe));
            prop_assert_eq!(&left, &right, "sqlite and postgres differ on {:?}", probe);
            if let (Probe::Services { currency, .. }, Outcome::Value { value }) = (probe, &left) {
                let items = value["items"].as_array().unwrap();
                if items.iter().any(|item| item["prices"].as_array().unwrap().len() > 1) {
                    several_prices.set(several_prices.get() + 1);
                }
                if currency.is_some() && !items.is_empty() {
                    currency_hits.set(currency_hits.get() + 1);
                }
            }
            if let (
                Probe::Clients { search, include_inactive, page, page_size, portal: false },
                Outcome::Value { value },
            ) = (probe, &left)
            {
                let names: Vec<(String, String)> = fixture.tenants[0]
                    .clients
                    .iter()
                    .map(|c| (c.client_name.clone(), c.client_id.clone()))
                    .collect();
                let input = ClientListInput {
                    search: resolve_search(search, &names),
                    include_inactive: *include_inactive,
                    page: *page,
                    page_size: *page_size,
                };
                let (ids, total) = model_clients(&fixture, &input)
                    .expect("the stores accepted the input, so must the model");
                let got: Vec<String> = value["items"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|c| c["clientId"].as_str().unwrap().to_string())
                    .collect();
                prop_assert_eq!(got, ids, "order or page of {:?}", input);
                prop_assert_eq!(value["totalCount"].as_u64(), Some(u64::from(total)));
            }
        }
        Ok(())
    });
    if let Err(err) = result {
        panic!("{err}");
    }
    assert!(several_prices.get() > 0, "no listing compared an item with several prices");
    assert!(currency_hits.get() > 0, "no currency filter found an item");
}
