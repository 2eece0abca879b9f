//! The REQUIRED rules of SPEC.md that the read services and stores decide, checked on every
//! store (SQLite, PostgreSQL, and PostgreSQL on a Citus cluster) against the hand-written
//! world of `common::world`, each test named after the section it covers and each assertion after its rule. The conformance suite checks the
//! same rules end to end through wasm; these are the store's own.

mod common;

use alga_conformance_protocol::UserType;
use alga_extension_contract::types::{
    BillingMethod, ClientListInput, ClientSummary, ClientType, ItemKind, ReadError, ServiceListInput,
    ServicePrice,
};
use alga_reference_store::ReadServices;
use common::world::{self, *};

/// Loads the world into every store (SQLite, PostgreSQL, Citus) and runs `check` on each,
/// naming the store on failure.
fn on_every_store(prefix: &str, check: impl Fn(&ReadServices)) {
    for backend in common::every_store(prefix) {
        backend.store.load_fixture(&world::fixture()).unwrap();
        let services = backend.services();
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| check(&services)));
        if let Err(panic) = outcome {
            eprintln!("the check failed on the {} store", backend.name);
            std::panic::resume_unwind(panic);
        }
    }
}

fn clients(search: Option<&str>) -> ClientListInput {
    ClientListInput { search: search.map(Into::into), ..Default::default() }
}

/// The message of an `invalid-input` result.
fn invalid<T: std::fmt::Debug>(result: Result<T, ReadError>) -> String {
    match result {
        Err(ReadError::InvalidInput(message)) => message,
        other => panic!("expected invalid-input, got {other:?}"),
    }
}

fn ids(items: &[ClientSummary]) -> Vec<String> {
    items.iter().map(|c| c.client_id.clone()).collect()
}

/// Tenant 1's active clients in the order of PAGE-4 (folded name, then id).
fn active_order() -> Vec<String> {
    vec![
        fifty_percent(),
        five_hundred(),
        a_underscore_b(),
        acme_upper(),
        acme_lower(),
        acme_title(),
        axb(),
        backslash(),
        muller_upper(),
        muller(),
        muller_mixed(),
        no_email(),
    ]
}

#[test]
fn section_3_and_4_capabilities_decide_first() {
    on_every_store("rules_caps", |rs| {
        let invalid = ClientListInput { page: Some(0), ..Default::default() };
        // CAP-1: each capability grants its own interface only.
        let services_only = rs.actor(&ctx(install_services(), None)).unwrap();
        assert_eq!(rs.list_clients(&services_only, &clients(None)), Err(ReadError::NotAllowed));
        assert_eq!(rs.get_client(&services_only, &acme_title()), Err(ReadError::NotAllowed));
        assert!(rs.list_services(&services_only, &ServiceListInput::default()).is_ok());
        // CAP-3: trimmed and folded names grant; look-alikes do not.
        let loose = rs.actor(&ctx(install_clients_spelled_loosely(), None)).unwrap();
        assert!(rs.list_clients(&loose, &clients(None)).is_ok());
        assert_eq!(rs.get_service(&loose, &onsite_1()), Err(ReadError::NotAllowed));
        let none = rs.actor(&ctx(install_none(), None)).unwrap();
        assert_eq!(rs.list_clients(&none, &clients(None)), Err(ReadError::NotAllowed));
        assert_eq!(rs.list_services(&none, &ServiceListInput::default()), Err(ReadError::NotAllowed));
        // CAP-2: without the capability, invalid input is still not-allowed.
        assert_eq!(rs.list_clients(&none, &invalid), Err(ReadError::NotAllowed));
        assert_eq!(rs.get_client(&none, "not a uuid"), Err(ReadError::NotAllowed));
        // CTX-2: another tenant's install, an unknown install, a malformed one: nothing.
        for install in [install_t2(), id("999"), "garbage".into()] {
            let actor = rs.actor(&ctx(install, None)).unwrap();
            assert_eq!(rs.list_clients(&actor, &clients(None)), Err(ReadError::NotAllowed));
            assert_eq!(rs.get_service(&actor, &onsite_1()), Err(ReadError::NotAllowed));
        }
        // AUTH-3: no user, the capability alone decides.
        let scheduled = rs.actor(&scheduled()).unwrap();
        assert_eq!(rs.list_clients(&scheduled, &clients(None)).unwrap().total_count, 12);
    });
}

#[test]
fn section_4_users_and_portal_users() {
    on_every_store("rules_users", |rs| {
        let as_user =
            |user: String, user_type| rs.actor(&ctx(install_both(), Some((user, user_type)))).unwrap();
        let bad_page = ClientListInput { page_size: Some(0), ..Default::default() };
        // AUTH-1: the permission of each interface, even before invalid input.
        let desk = as_user(service_reader(), UserType::Internal);
        assert_eq!(rs.list_clients(&desk, &clients(None)), Err(ReadError::NotAllowed));
        assert_eq!(rs.list_clients(&desk, &bad_page), Err(ReadError::NotAllowed));
        assert!(rs.get_service(&desk, &onsite_1()).unwrap().is_some());
        let ada = as_user(admin(), UserType::Internal);
        assert_eq!(rs.list_clients(&ada, &clients(None)).unwrap().total_count, 12);
        // A portal user holding service:read only through an msp-only permission.
        let pol = as_user(portal_with_msp_only_services(), UserType::Client);
        assert_eq!(rs.list_services(&pol, &ServiceListInput::default()), Err(ReadError::NotAllowed));
        // AUTH-2: unknown, inactive, the wrong type, another tenant's user: all refused.
        for (user, user_type) in [
            (id("1b9"), UserType::Internal),
            (inactive_admin(), UserType::Internal),
            (admin(), UserType::Client),
            (portal(), UserType::Internal),
            ("not-a-uuid".to_string(), UserType::Internal),
        ] {
            let actor = as_user(user.clone(), user_type);
            assert_eq!(rs.list_clients(&actor, &clients(None)), Err(ReadError::NotAllowed), "{user}");
            assert_eq!(rs.list_services(&actor, &ServiceListInput::default()), Err(ReadError::NotAllowed));
        }
        // AUTH-4: a portal user sees only their client, through every function.
        let pat = as_user(portal(), UserType::Client);
        let page = rs.list_clients(&pat, &clients(None)).unwrap();
        assert_eq!((ids(&page.items), page.total_count), (vec![acme_title()], 1));
        assert_eq!(rs.list_clients(&pat, &clients(Some("ACME"))).unwrap().total_count, 1);
        assert_eq!(rs.list_clients(&pat, &clients(Some("axb"))).unwrap().total_count, 0);
        assert!(rs.get_client(&pat, &acme_title()).unwrap().is_some());
        assert_eq!(rs.get_client(&pat, &acme_upper()), Ok(None));
        assert_eq!(rs.list_services(&pat, &ServiceListInput::default()), Err(ReadError::NotAllowed));
        let pia = as_user(portal_without_client(), UserType::Client);
        let page = rs.list_clients(&pia, &clients(None)).unwrap();
        assert_eq!((page.items.len(), page.total_count), (0, 0));
        assert_eq!(rs.get_client(&pia, &acme_title()), Ok(None));
    });
}

#[test]
fn section_5_input_bounds_and_messages() {
    on_every_store("rules_input", |rs| {
        let actor = rs.actor(&scheduled()).unwrap();
        let list = |input: ClientListInput| rs.list_clients(&actor, &input);
        // VAL-1: defaults, bounds, and the page past the end.
        let page = list(ClientListInput::default()).unwrap();
        assert_eq!((page.page, page.page_size, page.items.len()), (1, 25, 12));
        assert!(invalid(list(ClientListInput { page: Some(0), ..Default::default() })).starts_with("page "));
        assert!(
            invalid(list(ClientListInput { page: Some(10_001), ..Default::default() })).starts_with("page ")
        );
        assert!(
            invalid(list(ClientListInput { page_size: Some(101), ..Default::default() }))
                .starts_with("page-size ")
        );
        assert!(
            invalid(list(ClientListInput { page_size: Some(0), ..Default::default() }))
                .starts_with("page-size ")
        );
        let last =
            list(ClientListInput { page: Some(10_000), page_size: Some(100), ..Default::default() }).unwrap();
        assert_eq!((last.items.len(), last.total_count, last.page, last.page_size), (0, 12, 10_000, 100));
        let u32_max =
            ClientListInput { page: Some(u32::MAX), page_size: Some(u32::MAX), ..Default::default() };
        assert!(invalid(list(u32_max)).starts_with("page "));
        // VAL-2: trimming, length in characters, control characters, huge inputs.
        assert_eq!(list(clients(Some("   "))).unwrap().total_count, 12);
        assert_eq!(list(clients(Some("\tacme\n"))).unwrap(), list(clients(Some("acme"))).unwrap());
        let exactly_200 = format!(" {} ", "é".repeat(200));
        assert_eq!(list(clients(Some(&exactly_200))).unwrap().total_count, 0);
        assert!(invalid(list(clients(Some(&"é".repeat(201))))).starts_with("search "));
        for control in ["a\u{0}b", "a\tb", "a\u{7f}", "a\u{85}b", "\u{1b}[31m"] {
            let message = invalid(list(clients(Some(control))));
            assert!(message.starts_with("search "), "{control:?}: {message}");
        }
        let megabyte = "x".repeat(1 << 20);
        let message = invalid(list(clients(Some(&megabyte))));
        assert!(message.starts_with("search ") && message.len() < 200, "{message}");
        let services = rs
            .list_services(&actor, &ServiceListInput { search: Some("\u{0}".into()), ..Default::default() });
        assert!(invalid(services).starts_with("search "));
        // VAL-3 and VAL-4: ids in canonical form only, any case; messages echo at most 64.
        let upper = acme_title().to_uppercase();
        assert_eq!(rs.get_client(&actor, &upper).unwrap().unwrap().client_id, acme_title());
        let nil = "00000000-0000-0000-0000-000000000000";
        assert_eq!(rs.get_client(&actor, nil), Ok(None));
        assert_eq!(rs.get_service(&actor, nil), Ok(None));
        for bad in [
            format!(" {}", acme_title()),
            format!("{{{}}}", acme_title()),
            acme_title().replace('-', ""),
            acme_title()[..35].to_string(),
            format!("urn:uuid:{}", acme_title()),
            "g".repeat(36),
            "x".repeat(1 << 20),
            "\u{0}".into(),
        ] {
            let message = invalid(rs.get_client(&actor, &bad));
            assert!(message.starts_with("client-id "), "{message}");
            assert!(message.chars().count() < 64 + 100, "{message}");
            assert!(invalid(rs.get_service(&actor, &bad)).starts_with("service-id "));
        }
    });
}

#[test]
fn section_6_listing_paging_and_order() {
    on_every_store("rules_paging", |rs| {
        let actor = rs.actor(&scheduled()).unwrap();
        // PAGE-4 (and PAGE-1): fold then code point order, ties by id.
        let all =
            rs.list_clients(&actor, &ClientListInput { page_size: Some(100), ..Default::default() }).unwrap();
        assert_eq!(ids(&all.items), active_order());
        // PAGE-3: walking pages of every size yields each record once, in that order.
        for size in 1..=13 {
            let mut walked = Vec::new();
            for page in 1.. {
                let input = ClientListInput { page: Some(page), page_size: Some(size), ..Default::default() };
                let result = rs.list_clients(&actor, &input).unwrap();
                assert_eq!(result.total_count, 12, "PAGE-1 total on page {page} of size {size}");
                assert!(result.items.len() <= size as usize);
                if result.items.is_empty() {
                    break;
                }
                walked.extend(ids(&result.items));
            }
            assert_eq!(walked, active_order(), "pages of size {size}");
        }
        // Services: equal names ordered by id, whatever their storage order.
        let services = rs.list_services(&actor, &ServiceListInput::default()).unwrap();
        let order: Vec<String> = services.items.iter().map(|s| s.service_id.clone()).collect();
        assert_eq!(
            order,
            [backup_pct(), backup_1000(), onsite_lower(), onsite_2(), onsite_1(), zeta_service()]
        );
        assert_eq!(services.total_count, 6);
    });
}

#[test]
fn section_6_filters_and_search() {
    on_every_store("rules_search", |rs| {
        let actor = rs.actor(&scheduled()).unwrap();
        let found = |search: &str| {
            let input = ClientListInput {
                search: Some(search.into()),
                include_inactive: Some(true),
                ..Default::default()
            };
            let page = rs.list_clients(&actor, &input).unwrap();
            assert_eq!(page.total_count as usize, page.items.len());
            ids(&page.items)
        };
        // FILT-1.
        let with_inactive = ClientListInput { include_inactive: Some(true), ..Default::default() };
        assert_eq!(rs.list_clients(&actor, &with_inactive).unwrap().total_count, 13);
        assert_eq!(rs.list_clients(&actor, &clients(Some("zeta"))).unwrap().total_count, 0);
        assert_eq!(found("zeta"), [inactive_client()]);
        // SRCH-1: names and emails, ASCII-only folding, ids as UUIDs.
        assert_eq!(found("ACME"), [acme_upper(), acme_lower(), acme_title()]);
        assert_eq!(found("ACME.example"), [acme_lower(), acme_title()]);
        assert_eq!(found("MÜLLER"), [muller_upper()]);
        assert_eq!(found("MüLLER"), [muller(), muller_mixed()]);
        assert_eq!(found(&five_hundred().to_uppercase()), [five_hundred()]);
        assert_eq!(found(&t2_only_client()), Vec::<String>::new(), "CTX-1: another tenant's id is just text");
        assert_eq!(found("Acme of tenant two"), Vec::<String>::new());
        // SRCH-2: wildcards match themselves.
        assert_eq!(found("50%"), [fifty_percent()]);
        assert_eq!(found("%"), [fifty_percent()]);
        assert_eq!(found("a_b"), [a_underscore_b()]);
        assert_eq!(found("_"), [a_underscore_b()]);
        assert_eq!(found("\\"), [backslash()]);
        // FILT-2 and SRCH-1 for services: name, SKU, description; filters combine with AND.
        let services = |input: ServiceListInput| -> Vec<String> {
            let page = rs.list_services(&actor, &input).unwrap();
            assert_eq!(page.total_count as usize, page.items.len());
            page.items.iter().map(|s| s.service_id.clone()).collect()
        };
        let search = |text: &str| ServiceListInput { search: Some(text.into()), ..Default::default() };
        let product = ServiceListInput { item_kind: Some(ItemKind::Product), ..Default::default() };
        assert_eq!(services(product.clone()), [backup_pct(), backup_1000(), onsite_2()]);
        assert_eq!(
            services(ServiceListInput { is_active: Some(false), ..Default::default() }),
            [onsite_2(), zeta_service()]
        );
        assert_eq!(
            services(ServiceListInput { billing_method: Some(BillingMethod::Hourly), ..Default::default() }),
            [onsite_1(), zeta_service()]
        );
        let fixed_products = ServiceListInput { billing_method: Some(BillingMethod::Fixed), ..product };
        assert_eq!(services(fixed_products.clone()), [backup_1000(), onsite_2()]);
        assert_eq!(services(ServiceListInput { is_active: Some(true), ..fixed_products }), [backup_1000()]);
        assert_eq!(services(search("100%")), [backup_pct()]);
        assert_eq!(services(search("bk_1")), [backup_pct()]);
        assert_eq!(services(search("\\")), [zeta_service()]);
        assert_eq!(services(search("PER VISIT")), [onsite_lower()]);
        assert_eq!(services(search("site")), [onsite_lower(), onsite_2(), onsite_1()]);
    });
}

#[test]
fn section_7_summaries_equal_the_stored_records() {
    on_every_store("rules_data", |rs| {
        let actor = rs.actor(&scheduled()).unwrap();
        let acme = rs.get_client(&actor, &acme_title()).unwrap().unwrap();
        // DATA-1.
        assert_eq!(
            acme,
            ClientSummary {
                client_id: acme_title(),
                client_name: "Acme".into(),
                client_type: Some(ClientType::Company),
                is_inactive: false,
                default_currency_code: "USD".into(),
                account_manager_id: Some(manager()),
                account_manager_name: Some("Ann  Lee".into()),
                billing_email: Some("billing@acme.example".into()),
                tags: vec!["VIP".into(), "b".into(), "vip".into()],
            }
        );
        let blank = rs.get_client(&actor, &no_email()).unwrap().unwrap();
        assert_eq!((blank.account_manager_id, blank.account_manager_name), (Some(blank_manager()), None));
        let inactive = rs.get_client(&actor, &inactive_client()).unwrap().unwrap();
        assert!(inactive.is_inactive, "get-client returns inactive clients (FILT-1)");
        let onsite = rs.get_service(&actor, &onsite_1()).unwrap().unwrap();
        assert_eq!(onsite.service_type_name.as_deref(), Some("Managed"));
        assert_eq!(onsite.default_rate, 12_345.0);
        assert_eq!(onsite.sku.as_deref(), Some("ONS-1"));
        let untyped = rs.get_service(&actor, &onsite_2()).unwrap().unwrap();
        assert_eq!((untyped.service_type_id, untyped.service_type_name, untyped.sku), (None, None, None));
        // DATA-2: get equals the listed summary, for every record.
        let listed = rs.list_clients(
            &actor,
            &ClientListInput { include_inactive: Some(true), page_size: Some(100), ..Default::default() },
        );
        for client in listed.unwrap().items {
            assert_eq!(rs.get_client(&actor, &client.client_id).unwrap().as_ref(), Some(&client));
        }
        for service in rs.list_services(&actor, &ServiceListInput::default()).unwrap().items {
            assert_eq!(rs.get_service(&actor, &service.service_id).unwrap().as_ref(), Some(&service));
        }
    });
}

#[test]
fn section_3_isolation_between_tenants() {
    on_every_store("rules_iso", |rs| {
        let actor = rs.actor(&scheduled()).unwrap();
        // ISO-2 / DATA-3: another tenant's ids are not found, exactly like unknown ones.
        assert_eq!(rs.get_client(&actor, &t2_only_client()), Ok(None));
        assert_eq!(rs.get_service(&actor, &t2_only_service()), Ok(None));
        // ISO-1: an id both tenants use returns this tenant's record.
        assert_eq!(rs.get_client(&actor, &acme_title()).unwrap().unwrap().client_name, "Acme");
        let t2 = rs
            .actor(&alga_conformance_protocol::ExecutionContext {
                tenant_id: T2.into(),
                install_id: install_t2(),
                user: None,
            })
            .unwrap();
        let theirs = rs.get_client(&t2, &acme_title()).unwrap().unwrap();
        assert_eq!(
            (theirs.client_name.as_str(), theirs.tags.as_slice()),
            ("Other tenant's Acme", &["t2-tag".to_string()][..])
        );
        let page = rs.list_clients(&t2, &clients(Some("acme"))).unwrap();
        assert_eq!(page.total_count, 2);
        assert_eq!(rs.list_services(&t2, &ServiceListInput::default()).unwrap().total_count, 2);
        // PRICE-1 and ISO-1: an id both tenants use carries this tenant's prices only.
        let codes = |actor| -> Vec<String> {
            let found = rs.get_service(actor, &onsite_1()).unwrap().unwrap();
            found.prices.into_iter().map(|p| p.currency_code).collect()
        };
        assert_eq!(codes(&actor), ["EUR", "JPY", "USD"]);
        assert_eq!(codes(&t2), ["CHF"]);
        // PRICE-2: a currency only another tenant prices in finds nothing.
        for code in ["GBP", "CHF"] {
            let input = ServiceListInput { currency_code: Some(code.into()), ..Default::default() };
            assert_eq!(rs.list_services(&actor, &input).unwrap().total_count, 0, "{code}");
        }
    });
}

#[test]
fn section_7_prices_and_the_currency_filter() {
    on_every_store("rules_prices", |rs| {
        let actor = rs.actor(&scheduled()).unwrap();
        let price = |code: &str, rate: f64| ServicePrice { currency_code: code.into(), rate };
        // PRICE-1: every price, one per currency, ordered by currency code, exact.
        let onsite = rs.get_service(&actor, &onsite_1()).unwrap().unwrap();
        assert_eq!(
            onsite.prices,
            [price("EUR", 14_000.0), price("JPY", 2_000_000.0), price("USD", 15_000.0)]
        );
        assert_eq!(onsite.default_rate, 12_345.0, "default-rate stays the stored default rate");
        assert!(rs.get_service(&actor, &onsite_2()).unwrap().unwrap().prices.is_empty());
        // PRICE-2: only items priced in the currency, still with all their prices; the
        // filter combines with the others (AND) and pages like any listing.
        let listed = |input: ServiceListInput| -> (Vec<String>, u32) {
            let page = rs.list_services(&actor, &input).unwrap();
            for item in &page.items {
                let alone = rs.get_service(&actor, &item.service_id).unwrap();
                assert_eq!(alone.as_ref(), Some(item), "DATA-2 with a currency filter");
            }
            (page.items.iter().map(|s| s.service_id.clone()).collect(), page.total_count)
        };
        let currency =
            |code: &str| ServiceListInput { currency_code: Some(code.into()), ..Default::default() };
        assert_eq!(listed(currency("EUR")), (vec![backup_pct(), onsite_1(), zeta_service()], 3));
        assert_eq!(listed(currency(" eur\t")), listed(currency("EUR")), "VAL-5: trimmed, any case");
        assert_eq!(listed(currency("jPy")), (vec![onsite_1()], 1));
        assert_eq!(listed(currency("CHF")), (vec![], 0));
        assert_eq!(listed(ServiceListInput { is_active: Some(true), ..currency("EUR") }).1, 2);
        assert_eq!(
            listed(ServiceListInput { search: Some("onsite".into()), ..currency("EUR") }),
            (vec![onsite_1()], 1)
        );
        let second = ServiceListInput { page: Some(2), page_size: Some(1), ..currency("EUR") };
        assert_eq!(listed(second), (vec![onsite_1()], 3));
        let filtered = rs.list_services(&actor, &currency("JPY")).unwrap();
        assert_eq!(filtered.items[0].prices.len(), 3, "a filtered item keeps every price");
        // VAL-5: anything but three ASCII letters is invalid-input naming the field.
        for bad in ["", "   ", "EURO", "E1R", "€", "ÉUR"] {
            let message = invalid(rs.list_services(&actor, &currency(bad)));
            assert!(message.starts_with("currency-code "), "{bad:?}: {message}");
        }
    });
}

#[test]
fn section_8_an_outage_is_internal_and_passes() {
    on_every_store("rules_outage", |rs| {
        let actor = rs.actor(&scheduled()).unwrap();
        rs.store().set_outage(true);
        // ERR-1: every function, and resolving a context, report internal.
        assert_eq!(rs.actor(&scheduled()), Err(ReadError::Internal));
        assert_eq!(rs.list_clients(&actor, &clients(None)), Err(ReadError::Internal));
        assert_eq!(rs.get_client(&actor, &acme_title()), Err(ReadError::Internal));
        assert_eq!(rs.list_services(&actor, &ServiceListInput::default()), Err(ReadError::Internal));
        assert_eq!(rs.get_service(&actor, &onsite_1()), Err(ReadError::Internal));
        // Checks that come before the query still decide first.
        assert!(matches!(rs.get_client(&actor, "nope"), Err(ReadError::InvalidInput(_))));
        rs.store().set_outage(false);
        assert_eq!(rs.list_clients(&actor, &clients(None)).unwrap().total_count, 12);
    });
}
