//! Named cases of the rules contract 0.2.0 added: the currency code's trimming, folding and
//! bounds (VAL-5), prices in code order, from list and get, never another tenant's
//! (PRICE-1), the currency filter with every other input (PRICE-2), and a priced catalog
//! seen by a 0.1 guest (VER-1, run with `--version 0.1.0`).

use super::NamedCase;
use super::build::*;
use crate::strategy::text::INVALID_CODES;
use alga_conformance_protocol::fixture::{MAX_RATE_CENTS, Price};
use alga_conformance_protocol::{Call, UserType};
use alga_extension_contract::types::ServiceListInput;

/// `price(code, rate)`.
fn price(code: &str, rate: i64) -> Price {
    Price { currency_code: code.into(), rate_minor_units: rate }
}

/// `list-services` with this `currency-code` (page-size 100, every other input absent).
pub fn in_currency(code: &str) -> Call {
    Call::list_services(&ServiceListInput {
        currency_code: Some(code.to_string()),
        page_size: Some(100),
        ..ServiceListInput::default()
    })
}

/// Tenant A's catalog: an item priced in EUR only, one in USD only, one in both (stored
/// USD first), one with no price, one in JPY, CHF, EUR and USD stored out of order; rates
/// differ from the default rate (1250). Returns the ids in that order.
fn priced_catalog(w: &mut World) -> Vec<String> {
    let ids = w.services(A, &["Euro plan", "Dollar plan", "Both plans", "Unpriced", "Everywhere"]);
    let tenant = w.tenant(A);
    tenant.services[0].prices = vec![price("EUR", 1100)];
    tenant.services[1].prices = vec![price("USD", 1300)];
    tenant.services[2].prices = vec![price("USD", 2100), price("EUR", 1900)];
    tenant.services[4].prices =
        vec![price("USD", -5), price("JPY", MAX_RATE_CENTS), price("CHF", 0), price("EUR", 999)];
    ids
}

/// VAL-5.
pub const VAL_5: &[NamedCase] = &[
    NamedCase {
        name: "VAL-5.trimmed-and-folded",
        description: "currency-code \" eur \", \"Eur\", \"eur\", tab/newline, NBSP/ideographic space and NEL around it all mean EUR",
        build: || {
            let mut w = World::new(1);
            priced_catalog(&mut w);
            let codes = ["EUR", " eur ", "Eur", "eur", "\tEUR\n", "\u{a0}eUr\u{3000}", "\u{85}EUR\u{85}"];
            w.case(calls_in(&admin(A), codes.iter().map(|code| in_currency(code))))
        },
    },
    NamedCase {
        name: "VAL-5.not-three-ascii-letters",
        description: "empty, white space only, two or four letters, digits, underscore, letters outside ASCII, inner white space or control, U+FEFF around it: invalid-input naming currency-code",
        build: || {
            let mut w = World::new(1);
            priced_catalog(&mut w);
            w.case(calls_in(&admin(A), INVALID_CODES.iter().map(|code| in_currency(code))))
        },
    },
    NamedCase {
        name: "VAL-5.well-formed-but-priced-nowhere",
        description: "XYZ and gbp are valid codes that no price uses: ok with no items, not an error",
        build: || {
            let mut w = World::new(1);
            priced_catalog(&mut w);
            w.case(calls_in(&admin(A), [in_currency("XYZ"), in_currency("gbp")]))
        },
    },
];

/// PRICE-1.
pub const PRICE_1: &[NamedCase] = &[
    NamedCase {
        name: "PRICE-1.ordered-by-currency-code",
        description: "prices stored USD, JPY, CHF, EUR (and USD, EUR) come back ordered CHF, EUR, JPY, USD, from list-services and get-service in any letter case",
        build: || {
            let mut w = World::new(1);
            let ids = priced_catalog(&mut w);
            let mut calls = vec![services().size(100).call()];
            calls.extend(ids.iter().map(|id| get_service(id)));
            calls.push(get_service(&upper(&ids[4])));
            w.case(calls_in(&admin(A), calls))
        },
    },
    NamedCase {
        name: "PRICE-1.same-item-id-in-another-tenant",
        description: "tenant B's item with the id of A's has prices in GBP and EUR; A's item shows only its own EUR price, B's item only B's",
        build: || {
            let mut w = World::new(2);
            let shared = id(Kind::Service, SHARED, 1);
            w.service_with_id(A, shared.clone(), "Shared plan").prices = vec![price("EUR", 1000)];
            w.service_with_id(B, shared.clone(), "Other plan").prices =
                vec![price("GBP", 7), price("EUR", 8)];
            w.service(A, 2, "Unpriced in A");
            w.service_with_id(B, id(Kind::Service, A, 2), "Priced in B").prices = vec![price("USD", 5)];
            let calls = || {
                vec![
                    services().size(100).call(),
                    get_service(&shared),
                    get_service(&id(Kind::Service, A, 2)),
                    in_currency("EUR"),
                ]
            };
            let mut steps = calls_in(&admin(A), calls());
            steps.extend(calls_in(&admin(B), calls()));
            w.case(steps)
        },
    },
    NamedCase {
        name: "PRICE-1.every-price-under-a-currency-filter",
        description: "list-services filtered by usd or EUR returns each listed item with all its prices, not only the filter's",
        build: || {
            let mut w = World::new(1);
            priced_catalog(&mut w);
            w.case(calls_in(&admin(A), [in_currency("usd"), in_currency("EUR"), in_currency(" chf ")]))
        },
    },
    NamedCase {
        name: "PRICE-1.default-rate-apart-from-prices",
        description: "default-rate stays the stored 1250 next to prices of 999, -5, 0 and 2^53-1, for an internal user too",
        build: || {
            let mut w = World::new(1);
            let ids = priced_catalog(&mut w);
            let user = w.user(A, 1, UserType::Internal).user_id.clone();
            let calls = [services().size(100).call(), get_service(&ids[4]), get_service(&ids[2])];
            w.case(calls_in(&as_user(A, &user, UserType::Internal), calls))
        },
    },
];

/// PRICE-2.
pub const PRICE_2: &[NamedCase] = &[
    NamedCase {
        name: "PRICE-2.only-items-priced-in-the-code",
        description: "EUR lists the three items with a EUR price, USD three, JPY one, GBP none; the unpriced item never",
        build: || {
            let mut w = World::new(1);
            priced_catalog(&mut w);
            let calls = ["EUR", "USD", "JPY", "GBP"].map(in_currency);
            w.case(calls_in(&admin(A), calls))
        },
    },
    NamedCase {
        name: "PRICE-2.code-in-any-case",
        description: "usd, Usd, \" usd \" and USD select the same items (the stored codes are upper case)",
        build: || {
            let mut w = World::new(1);
            priced_catalog(&mut w);
            let calls = ["usd", "Usd", " usd ", "USD", "eUR"].map(in_currency);
            w.case(calls_in(&admin(A), calls))
        },
    },
    NamedCase {
        name: "PRICE-2.code-only-another-tenant-uses",
        description: "tenant B prices the item with A's id in GBP: A's list in GBP is empty, B's holds it",
        build: || {
            let mut w = World::new(2);
            let shared = id(Kind::Service, SHARED, 1);
            w.service_with_id(A, shared.clone(), "Shared plan").prices = vec![price("EUR", 1000)];
            w.service_with_id(B, shared, "Other plan").prices = vec![price("GBP", 7)];
            let mut steps = calls_in(&admin(A), [in_currency("GBP"), in_currency("gbp")]);
            steps.extend(calls_in(&admin(B), [in_currency("GBP"), in_currency("EUR")]));
            w.case(steps)
        },
    },
    NamedCase {
        name: "PRICE-2.with-filters-search-and-pages",
        description: "EUR together with is-active, item-kind, a search and pages of 2: counted, ordered and paged like any listing",
        build: || {
            let mut w = World::new(1);
            let names = ["b plan", "A plan", "c plan", "Plan d", "e other", "plan F", "g plan"];
            w.services(A, &names);
            let tenant = w.tenant(A);
            for (n, item) in tenant.services.iter_mut().enumerate() {
                if n != 4 {
                    item.prices = vec![price("EUR", 100 + n as i64)];
                }
                if n % 3 == 0 {
                    item.prices.push(price("USD", 1));
                }
                item.is_active = n != 2;
            }
            let paged = |page: u32| {
                Call::list_services(&ServiceListInput {
                    currency_code: Some("eur".into()),
                    page: Some(page),
                    page_size: Some(2),
                    ..ServiceListInput::default()
                })
            };
            let mut calls: Vec<Call> = (1..=5).map(paged).collect();
            calls.push(Call::list_services(&ServiceListInput {
                currency_code: Some("EUR".into()),
                is_active: Some(true),
                search: Some("PLAN".into()),
                page_size: Some(3),
                ..ServiceListInput::default()
            }));
            calls.push(Call::list_services(&ServiceListInput {
                currency_code: Some("usd".into()),
                is_active: Some(false),
                ..ServiceListInput::default()
            }));
            w.case(calls_in(&admin(A), calls))
        },
    },
];

/// VER-1.
pub const VER_1: &[NamedCase] = &[
    NamedCase {
        name: "VER-1.priced-catalog-as-at-0-1",
        description: "a 0.1 guest lists and gets items priced in one to four currencies and an unpriced one: every item, default-rate 1250, no prices",
        build: || {
            let mut w = World::new(1);
            let ids = priced_catalog(&mut w);
            let mut calls = vec![services().size(100).call(), services().size(2).page(2).call()];
            calls.extend(ids.iter().map(|id| get_service(id)));
            w.case(calls_in(&admin(A), calls))
        },
    },
    NamedCase {
        name: "VER-1.another-tenant-prices-the-same-id",
        description: "tenant B prices the item with A's id: A's 0.1 guest sees A's item with its default rate",
        build: || {
            let mut w = World::new(2);
            let shared = id(Kind::Service, SHARED, 1);
            w.service_with_id(A, shared.clone(), "Shared plan").default_rate_cents = 4200;
            w.service_with_id(B, shared.clone(), "Other plan").prices = vec![price("EUR", 7)];
            let mut steps = calls_in(&admin(A), [services().call(), get_service(&shared)]);
            steps.extend(calls_in(&admin(B), [services().call(), get_service(&upper(&shared))]));
            w.case(steps)
        },
    },
    NamedCase {
        name: "VER-1.errors-and-refusals-unchanged",
        description: "invalid pages and ids, a missing capability and a portal user answer a 0.1 guest as they answer a 0.2 guest",
        build: || {
            let mut w = World::new(1);
            priced_catalog(&mut w);
            let clients_only = w.install(A, 1, &[alga_extension_contract::CAP_CLIENT_READ]);
            let portal = w.user(A, 1, UserType::Client).user_id.clone();
            let mut steps = calls_in(
                &admin(A),
                [services().page(0).call(), services().size(101).call(), get_service("not-a-uuid")],
            );
            steps.extend(calls_in(&through(A, clients_only, None), [services().call()]));
            steps.extend(calls_in(&as_user(A, &portal, UserType::Client), [services().call()]));
            w.case(steps)
        },
    },
];
