//! Checks of the rules contract 0.2.0 added (SPEC.md sections 5, 6, 7 and 11): the
//! `currency-code` input (VAL-5), the prices of a summary (PRICE-1), the currency filter
//! (PRICE-2), and what a host serving 0.2 gives 0.1 guests (VER-1).
//!
//! VAL-5, PRICE-1 and PRICE-2 are marked `since 0.2.0` in SPEC.md and run only when the
//! version under test is 0.2.0 or newer. VER-1 ([`Guests::OlderThanItsRules`]) runs when the
//! version under test is older (`--version 0.1.0`) and the testee says it serves 0.2.0 or
//! newer: it is judged through the 0.1 probe, against the oracle's view of the case for 0.1
//! guests ([`crate::case::seen_by`]: the same data without prices), comparing every answer
//! whole on catalogs whose items have prices that differ from their default rate. The other
//! checks at 0.1.0 judge the same view one rule at a time; VER-1 is the rule that a 0.1
//! guest gets *exactly* the 0.2 answer without prices, so it compares everything.

use super::input::verify_messages_of;
use super::judge::{JudgedCall, Projection, Scope, each_call, each_ok_answer, judge, judged_calls, to_json};
use super::{Check, Guests, Level, Mismatch, Needs, Tally};
use crate::case::{Case, Step, StepResult};
use crate::named;
use crate::oracle::records::service_summary;
use crate::oracle::{Answer, Reading};
use crate::outcome::Actual;
use crate::strategy::ids::Spelling;
use crate::strategy::picks::{self, ContextPick, IdPick, Kind, SearchPick};
use crate::strategy::world::{CURRENCIES, WorldSize, world};
use crate::strategy::{service_filters, text};
use alga_conformance_protocol::fixture::{Fixture, Price, Tenant};
use alga_conformance_protocol::{Call, ExecutionContext};
use alga_extension_contract::types::{BillingMethod, ItemKind, ServiceListInput, ServiceSummary};
use proptest::prelude::*;
use proptest::sample::{Index, select};

/// Which `currency-code` a `list-services` call sends.
#[derive(Debug, Clone)]
pub enum CurrencyPick {
    /// No currency filter.
    Absent,
    /// A code the context's tenant prices an item in (any of [`CURRENCIES`] when it has
    /// none), spelled by `spelling` (0: as stored, 1: lower case, 2: mixed case, 3: padded
    /// with white space).
    Own(Index, u8),
    /// A code only other tenants price items in (`GBP`, priced nowhere, when there is none).
    OtherTenantsOnly(Index, u8),
    /// This text, whatever it is.
    Raw(String),
}

impl CurrencyPick {
    /// The text sent, for a call in `tenant`.
    pub fn resolve(&self, fixture: &Fixture, tenant: Option<&Tenant>) -> Option<String> {
        let codes_of = |t: &Tenant| -> Vec<String> {
            let mut codes: Vec<String> =
                t.services.iter().flat_map(|s| s.prices.iter().map(|p| p.currency_code.clone())).collect();
            codes.sort();
            codes.dedup();
            codes
        };
        let own = tenant.map(codes_of).unwrap_or_default();
        let spell = |code: &str, spelling: u8| match spelling % 4 {
            0 => code.to_string(),
            1 => code.to_ascii_lowercase(),
            2 => code
                .chars()
                .enumerate()
                .map(|(i, c)| if i == 0 { c } else { c.to_ascii_lowercase() })
                .collect(),
            _ => format!("\u{a0}{}\t", code.to_ascii_lowercase()),
        };
        match self {
            CurrencyPick::Absent => None,
            CurrencyPick::Own(i, spelling) => {
                let pool: Vec<String> =
                    if own.is_empty() { CURRENCIES.iter().map(|c| c.to_string()).collect() } else { own };
                Some(spell(i.get::<String>(&pool), *spelling))
            }
            CurrencyPick::OtherTenantsOnly(i, spelling) => {
                let mut others: Vec<String> = fixture
                    .tenants
                    .iter()
                    .filter(|t| Some(t.tenant_id.as_str()) != tenant.map(|t| t.tenant_id.as_str()))
                    .flat_map(codes_of)
                    .filter(|code| !own.contains(code))
                    .collect();
                others.sort();
                others.dedup();
                let code =
                    if others.is_empty() { "GBP".to_string() } else { i.get::<String>(&others).clone() };
                Some(spell(&code, *spelling))
            }
            CurrencyPick::Raw(text) => Some(text.clone()),
        }
    }
}

/// Valid currency codes: the tenant's own (most), other tenants' only, in any spelling.
fn valid_currency() -> impl Strategy<Value = CurrencyPick> {
    prop_oneof![
        4 => (any::<Index>(), 0u8..4).prop_map(|(i, s)| CurrencyPick::Own(i, s)),
        1 => (any::<Index>(), 0u8..4).prop_map(|(i, s)| CurrencyPick::OtherTenantsOnly(i, s)),
        1 => Just(CurrencyPick::Raw("XYZ".into())),
    ]
}

/// A call of the catalog, chosen before the world is known.
#[derive(Debug, Clone)]
pub enum PricePick {
    /// `list-services`.
    List {
        /// `currency-code`.
        currency: CurrencyPick,
        /// `search`.
        search: SearchPick,
        /// `item-kind`, `is-active`, `billing-method`.
        filters: (Option<ItemKind>, Option<bool>, Option<BillingMethod>),
        /// `page`.
        page: Option<u32>,
        /// `page-size`.
        page_size: Option<u32>,
    },
    /// `get-service`.
    Get(IdPick),
}

impl PricePick {
    /// The call, for a context in `tenant`.
    pub fn resolve(&self, fixture: &Fixture, tenant: Option<&Tenant>) -> Call {
        match self {
            PricePick::List { currency, search, filters, page, page_size } => {
                Call::list_services(&ServiceListInput {
                    search: search.resolve(fixture, tenant, Kind::Services),
                    item_kind: filters.0,
                    is_active: filters.1,
                    billing_method: filters.2,
                    currency_code: currency.resolve(fixture, tenant),
                    page: *page,
                    page_size: *page_size,
                })
            }
            PricePick::Get(id) => Call::get_service(&id.resolve(fixture, tenant, Kind::Services)),
        }
    }
}

/// `list-services` with `currency`, any filters, a search now and then, small pages.
fn list(currency: impl Strategy<Value = CurrencyPick>) -> impl Strategy<Value = PricePick> {
    let search = prop_oneof![3 => Just(SearchPick::Absent), 1 => picks::search()];
    (currency, search, service_filters(), picks::valid_page(), picks::valid_page_size()).prop_map(
        |(currency, search, filters, page, page_size)| PricePick::List {
            currency,
            search,
            filters,
            page,
            page_size,
        },
    )
}

/// Whole catalogs: page 1 of 100, no other filter.
fn whole_catalog(currency: impl Strategy<Value = CurrencyPick>) -> impl Strategy<Value = PricePick> {
    currency.prop_map(|currency| PricePick::List {
        currency,
        search: SearchPick::Absent,
        filters: (None, None, None),
        page: None,
        page_size: Some(100),
    })
}

/// Gets of the tenant's items (any letter case) and of other tenants' items.
fn get() -> impl Strategy<Value = PricePick> {
    let spelling = || select(Spelling::CANONICAL);
    prop_oneof![
        3 => (any::<Index>(), spelling()).prop_map(|(i, s)| PricePick::Get(IdPick::Own(i, s))),
        1 => (any::<Index>(), spelling()).prop_map(|(i, s)| PricePick::Get(IdPick::Foreign(i, s))),
    ]
}

/// Gives every world what the price rules need on every case: in each tenant with items,
/// the first item has prices stored out of code order (JPY, CHF, USD; two of them in every
/// other tenant) with rates that differ from its default rate, from each other and from
/// the other tenants' (world generation already makes tenants share item ids).
fn with_unsorted_prices(fixture: &mut Fixture) {
    for (n, tenant) in fixture.tenants.iter_mut().enumerate() {
        let Some(item) = tenant.services.first_mut() else { continue };
        let base = item.default_rate_cents.rem_euclid(1_000_000) + 7 + n as i64 * 1_000;
        item.prices = ["JPY", "CHF", "USD"]
            .iter()
            .enumerate()
            .map(|(k, code)| Price {
                currency_code: code.to_string(),
                rate_minor_units: base + k as i64 * 101,
            })
            .collect();
        if n % 2 == 1 {
            item.prices.truncate(2);
        }
    }
}

/// Cases of `size` worlds changed by `prepare`, one call step per pick.
fn price_calls(
    size: WorldSize,
    prepare: fn(&mut Fixture),
    picks: impl Strategy<Value = Vec<(ContextPick, PricePick)>> + 'static,
) -> BoxedStrategy<Case> {
    (world(size), picks)
        .prop_map(move |(mut fixture, picks)| {
            prepare(&mut fixture);
            let steps = picks
                .iter()
                .map(|(context, call)| {
                    let resolved: ExecutionContext = context.resolve(&fixture);
                    Step::call(&resolved, call.resolve(&fixture, context.tenant(&fixture)))
                })
                .collect();
            Case { fixture, steps }
        })
        .boxed()
}

fn context() -> impl Strategy<Value = ContextPick> {
    prop_oneof![4 => picks::admin_context(), 1 => picks::user_context()]
}

/// VAL-5.
pub const VAL_5: Check = Check {
    id: "VAL-5",
    rules: &["VAL-5"],
    level: Level::Required,
    description: "currency-code is trimmed, must be three ASCII letters (else invalid-input naming currency-code and stating three), and is folded to upper case",
    needs: Needs::Calls,
    guests: Guests::OfItsVersion,
    named: named::prices::VAL_5,
    cases: || {
        let currency = prop_oneof![
            3 => text::currency_input(CURRENCIES).prop_map(CurrencyPick::Raw),
            1 => valid_currency(),
        ];
        price_calls(
            WorldSize::DEFAULT,
            with_unsorted_prices,
            prop::collection::vec((picks::admin_context(), whole_catalog(currency)), 1..6),
        )
    },
    verify: |case, results| {
        let mut tally =
            each_call(case, results, Reading::Required, Scope::Allowed, Projection::Members, "VAL-5")?;
        tally.add(verify_messages_of(case, results, "VAL-5")?);
        Ok(tally)
    },
};

/// The stored summary of the record an answer's item names, when it is the tenant's own.
fn own_summary(tenant: &Tenant, item: &ServiceSummary) -> Option<ServiceSummary> {
    let id = item.service_id.to_ascii_lowercase();
    tenant.services.iter().find(|s| s.service_id == id).map(|s| service_summary(s, tenant))
}

/// Every service summary of an answer.
fn items(answer: &Answer) -> Vec<&ServiceSummary> {
    match answer {
        Answer::ServicePage(page) => page.items.iter().collect(),
        Answer::Service(found) => found.iter().collect(),
        Answer::ClientPage(_) | Answer::Client(_) => Vec::new(),
    }
}

fn verify_prices(case: &Case, results: &[StepResult]) -> Result<Tally, Mismatch> {
    each_ok_answer(case, results, Reading::Required, |judged: &JudgedCall<'_>, answer| {
        let Some(tenant) = case.fixture.tenant(&judged.context.tenant_id) else { return Ok(()) };
        for item in items(answer) {
            // A record that is not the tenant's is ISO-1's business.
            let Some(expected) = own_summary(tenant, item) else { continue };
            let problem = if item.prices != expected.prices {
                let codes: Vec<&str> = item.prices.iter().map(|p| p.currency_code.as_str()).collect();
                let sorted = codes.windows(2).all(|w| w[0] < w[1]);
                Some(if !sorted && item.prices.len() == expected.prices.len() {
                    format!("the prices of {} are not ordered by currency code: {codes:?}", item.service_id)
                } else {
                    format!("the prices of {} are not the ones stored for it in the tenant", item.service_id)
                })
            } else if item.default_rate != expected.default_rate {
                Some(format!(
                    "the default-rate of {} is {}, not the stored {} (prices do not change it)",
                    item.service_id, item.default_rate, expected.default_rate
                ))
            } else {
                None
            };
            if let Some(problem) = problem {
                let mut mismatch = judged.mismatch(format!("PRICE-1: {problem}"));
                mismatch.expected = serde_json::json!({ "prices": to_json(&expected.prices), "defaultRate": expected.default_rate });
                mismatch.actual =
                    serde_json::json!({ "prices": to_json(&item.prices), "defaultRate": item.default_rate });
                return Err(mismatch);
            }
        }
        Ok(())
    })
}

/// PRICE-1.
pub const PRICE_1: Check = Check {
    id: "PRICE-1",
    rules: &["PRICE-1"],
    level: Level::Required,
    description: "prices hold every price the tenant stores for the item and nothing else, ordered by currency code, the same from list and get, with or without a currency filter; default-rate stays the stored default rate",
    needs: Needs::Calls,
    guests: Guests::OfItsVersion,
    named: named::prices::PRICE_1,
    cases: || {
        let call = prop_oneof![
            2 => whole_catalog(prop_oneof![2 => Just(CurrencyPick::Absent), 1 => valid_currency()]),
            1 => list(valid_currency()),
            2 => get(),
        ];
        price_calls(
            WorldSize::MULTI_TENANT,
            with_unsorted_prices,
            prop::collection::vec((context(), call), 1..6),
        )
    },
    verify: verify_prices,
};

/// PRICE-2.
pub const PRICE_2: Check = Check {
    id: "PRICE-2",
    rules: &["PRICE-2"],
    level: Level::Required,
    description: "with a currency-code, list-services holds only the items priced in that code (as VAL-5 reads it), combined with the other filters, counted and paged like any listing",
    needs: Needs::Calls,
    guests: Guests::OfItsVersion,
    named: named::prices::PRICE_2,
    cases: || {
        let call = prop_oneof![
            2 => whole_catalog(valid_currency()),
            3 => list(valid_currency()),
        ];
        price_calls(WorldSize::DENSE, with_unsorted_prices, prop::collection::vec((context(), call), 1..6))
    },
    verify: |case, results| {
        each_call(case, results, Reading::Required, Scope::Answered, Projection::Page, "PRICE-2")
    },
};

fn verify_old_guests(case: &Case, results: &[StepResult]) -> Result<Tally, Mismatch> {
    let mut tally = Tally::default();
    for judged in judged_calls(case, results, Reading::Required)? {
        if let Err(why) = judge(Projection::Page, &judged.expected, &judged.actual) {
            return Err(judged.mismatch(format!(
                "VER-1: a 0.1 guest gets another outcome than a 0.2 guest's without prices: {why}"
            )));
        }
        if let (Some(expected), Actual::Ok(actual)) = (judged.expected.answer(), &judged.actual)
            && expected != actual
        {
            let differing: Vec<String> = items(expected)
                .iter()
                .zip(items(actual))
                .filter(|(e, a)| **e != *a)
                .map(|(e, a)| {
                    if e.default_rate != a.default_rate {
                        format!(
                            "{}: default-rate {} instead of {}",
                            e.service_id, a.default_rate, e.default_rate
                        )
                    } else {
                        format!("{}: the summary differs", e.service_id)
                    }
                })
                .collect();
            return Err(judged.mismatch(format!(
                "VER-1: a 0.1 guest gets another answer than a 0.2 guest's without prices{}",
                if differing.is_empty() { String::new() } else { format!(" ({})", differing.join("; ")) }
            )));
        }
        tally.judge();
    }
    Ok(tally)
}

/// VER-1.
pub const VER_1: Check = Check {
    id: "VER-1",
    rules: &["VER-1"],
    level: Level::Required,
    description: "a host serving 0.2 gives 0.1 guests exactly the 0.2 answer without prices: the same default-rate, items with and without prices, counts, order and errors (run with --version 0.1.0)",
    needs: Needs::Calls,
    guests: Guests::OlderThanItsRules,
    named: named::prices::VER_1,
    cases: || {
        let call = prop_oneof![
            2 => whole_catalog(Just(CurrencyPick::Absent)),
            2 => list(Just(CurrencyPick::Absent)),
            2 => get(),
            1 => crate::strategy::any_call_or_invalid().prop_map(|pick| PricePick::List {
                currency: CurrencyPick::Absent,
                search: match pick {
                    crate::strategy::CallPick::List { search, .. } => search,
                    crate::strategy::CallPick::Get { .. } => SearchPick::Absent,
                },
                filters: (None, None, None),
                page: None,
                page_size: Some(0),
            }),
        ];
        let context =
            prop_oneof![3 => picks::admin_context(), 1 => picks::user_context(), 1 => picks::any_context()];
        price_calls(
            WorldSize::MULTI_TENANT,
            with_unsorted_prices,
            prop::collection::vec((context, call), 1..6),
        )
    },
    verify: verify_old_guests,
};
