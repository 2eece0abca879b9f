//! Named cases of SPEC.md section 6: pages and their totals (PAGE-1, PAGE-2), walks with
//! ties across a page boundary (PAGE-3), the order of names that differ only in case,
//! only in non-ASCII letters, or in UTF-16 order (PAGE-4), filters (FILT-1, FILT-2), and
//! searches that are ids, parts of ids or wildcards (SRCH-1, SRCH-2).

use super::NamedCase;
use super::build::*;
use alga_conformance_protocol::{Call, UserType};
use alga_extension_contract::types::{BillingMethod, ItemKind};

/// Clients named `names`, stored with ids in descending order (so storage order is not
/// id order); returns their ids in storage order.
fn clients_stored_backwards(w: &mut World, t: usize, names: &[&str]) -> Vec<String> {
    let count = names.len() as u64;
    names.iter().enumerate().map(|(n, name)| w.client(t, count - n as u64, name).client_id.clone()).collect()
}

/// The same for catalog items.
fn services_stored_backwards(w: &mut World, t: usize, names: &[&str]) -> Vec<String> {
    let count = names.len() as u64;
    names
        .iter()
        .enumerate()
        .map(|(n, name)| w.service(t, count - n as u64, name).service_id.clone())
        .collect()
}

/// Both lists, whole (page-size 100, inactive clients included).
fn whole_lists() -> Vec<Call> {
    vec![clients().inactive(true).size(100).call(), services().size(100).call()]
}

/// Both lists with each of these searches, whole.
fn searched(searches: &[&str]) -> Vec<Call> {
    searches
        .iter()
        .flat_map(|s| {
            [clients().search(s).inactive(true).size(100).call(), services().search(s).size(100).call()]
        })
        .collect()
}

/// PAGE-1.
pub const PAGE_1: &[NamedCase] = &[
    NamedCase {
        name: "PAGE-1.every-page-of-a-small-set",
        description: "five records in pages of 1, 2, 5 and 100: each page holds its positions and total-count is 5",
        build: || {
            let mut w = World::new(1);
            clients_stored_backwards(&mut w, A, &["delta", "Alpha", "echo", "Charlie", "bravo"]);
            services_stored_backwards(&mut w, A, &["delta", "Alpha", "echo", "Charlie", "bravo"]);
            let mut calls = Vec::new();
            for (size, pages) in [(1, 5), (2, 3), (5, 1), (100, 1)] {
                for page in 1..=pages {
                    calls.push(clients().size(size).page(page).call());
                    calls.push(services().size(size).page(page).call());
                }
            }
            w.case(calls_in(&admin(A), calls))
        },
    },
    NamedCase {
        name: "PAGE-1.total-count-of-the-filtered-set",
        description: "total-count counts the records the search and filters keep, not the tenant's records",
        build: || {
            let mut w = World::new(1);
            w.clients(A, &["Acme One", "Acme Two", "Beta", "Acme Gone", "Gamma"]);
            w.tenant(A).clients[3].is_inactive = true;
            w.services(A, &["Plan A", "Plan B", "Backup"]);
            w.tenant(A).services[1].is_active = false;
            w.tenant(A).services[2].item_kind = ItemKind::Product;
            let calls = [
                clients().size(1).call(),
                clients().search("acme").size(1).call(),
                clients().search("acme").inactive(true).size(2).page(2).call(),
                services().active(true).size(1).call(),
                services().kind(ItemKind::Product).size(1).call(),
                services().search("plan").size(1).page(2).call(),
            ];
            w.case(calls_in(&admin(A), calls))
        },
    },
    NamedCase {
        name: "PAGE-1.portal-user-counts-one",
        description: "a portal user's total-count is 1 (their client) or 0",
        build: || {
            let mut w = World::new(1);
            let ids = w.clients(A, &["Acme", "Beta", "Gamma"]);
            let portal = w.user(A, 1, UserType::Client);
            portal.client_id = Some(ids[1].clone());
            let portal = portal.user_id.clone();
            let calls =
                [clients().size(1).call(), clients().search("acme").call(), clients().page(2).size(1).call()];
            w.case(calls_in(&as_user(A, &portal, UserType::Client), calls))
        },
    },
];

/// PAGE-2.
pub const PAGE_2: &[NamedCase] = &[
    NamedCase {
        name: "PAGE-2.one-page-past-the-end",
        description: "the page after the last is ok, empty, with the total-count of the whole set",
        build: || {
            let mut w = World::new(1);
            w.clients(A, &["Acme", "Beta", "Gamma"]);
            w.services(A, &["Plan", "Backup", "Support"]);
            let calls = [
                clients().size(2).page(3).call(),
                clients().size(1).page(4).call(),
                clients().page(2).call(),
                services().size(2).page(3).call(),
                services().size(3).page(2).call(),
                clients().search("a").size(1).page(4).call(),
            ];
            w.case(calls_in(&admin(A), calls))
        },
    },
    NamedCase {
        name: "PAGE-2.the-last-valid-page",
        description: "page 10000 is ok and empty, with the correct total-count, at every page size",
        build: || {
            let mut w = World::new(1);
            w.clients(A, &["Acme", "Beta"]);
            w.services(A, &["Plan"]);
            let calls = [
                clients().page(10_000).call(),
                clients().page(10_000).size(100).call(),
                services().page(10_000).size(1).call(),
                clients().page(9_999).size(1).call(),
            ];
            w.case(calls_in(&admin(A), calls))
        },
    },
    NamedCase {
        name: "PAGE-2.past-the-end-of-nothing",
        description: "pages past the end of an empty tenant, an empty search and a portal user's one client",
        build: || {
            let mut w = World::new(1);
            let ids = w.clients(A, &["Acme"]);
            let portal = w.user(A, 1, UserType::Client);
            portal.client_id = Some(ids[0].clone());
            let portal = portal.user_id.clone();
            let mut steps = calls_in(
                &admin(A),
                [services().page(2).call(), clients().search("nothing matches this").page(2).call()],
            );
            steps
                .extend(calls_in(&as_user(A, &portal, UserType::Client), [clients().page(2).size(1).call()]));
            w.case(steps)
        },
    },
];

/// PAGE-3.
pub const PAGE_3: &[NamedCase] = &[
    NamedCase {
        name: "PAGE-3.ties-across-a-page-boundary",
        description: "six clients whose names are equal after folding, walked in pages of 2 (twice): each exactly once, the same order both times",
        build: || {
            let mut w = World::new(1);
            clients_stored_backwards(&mut w, A, &["acme", "ACME", "Acme", "aCME", "acme", "AcMe"]);
            let steps = walk_twice(&admin(A), &clients().size(2), 4);
            w.case(steps)
        },
    },
    NamedCase {
        name: "PAGE-3.walk-a-search-with-inactive-clients",
        description: "a search with include-inactive walked in pages of 3",
        build: || {
            let mut w = World::new(1);
            clients_stored_backwards(
                &mut w,
                A,
                &["Acme b", "acme a", "Zeta", "ACME c", "acme", "Acme", "x acme"],
            );
            w.tenant(A).clients[1].is_inactive = true;
            w.tenant(A).clients[4].is_inactive = true;
            let steps = walk_twice(&admin(A), &clients().search("ACME").inactive(true).size(3), 3);
            w.case(steps)
        },
    },
    NamedCase {
        name: "PAGE-3.walk-services-with-a-filter",
        description: "active catalog items with equal names walked one per page",
        build: || {
            let mut w = World::new(1);
            services_stored_backwards(&mut w, A, &["Onsite", "onsite", "Onsite", "Backup", "Onsite"]);
            w.tenant(A).services[3].is_active = false;
            let steps = walk_twice(&admin(A), &services().active(true).size(1), 5);
            w.case(steps)
        },
    },
];

/// PAGE-4.
pub const PAGE_4: &[NamedCase] = &[
    NamedCase {
        name: "PAGE-4.names-differing-only-in-ascii-case",
        description: "acme, ACME, Acme and aCME are equal after folding and ordered by id",
        build: || {
            let mut w = World::new(1);
            clients_stored_backwards(&mut w, A, &["acme", "ACME", "Acme", "aCME", "Beta", "BETA"]);
            services_stored_backwards(&mut w, A, &["Backup", "BACKUP", "backup", "aBc"]);
            w.case(calls_in(&admin(A), whole_lists()))
        },
    },
    NamedCase {
        name: "PAGE-4.names-differing-only-in-non-ascii-letters",
        description: "Müller, MÜLLER and MüLLER, É and é, are not equal after folding (ASCII only): MÜLLER sorts before Müller",
        build: || {
            let mut w = World::new(1);
            clients_stored_backwards(
                &mut w,
                A,
                &["Müller", "MÜLLER", "MüLLER", "müller", "é", "É", "e", "E\u{301}"],
            );
            services_stored_backwards(&mut w, A, &["Straße", "STRASSE", "strasse", "ß"]);
            w.case(calls_in(&admin(A), whole_lists()))
        },
    },
    NamedCase {
        name: "PAGE-4.characters-between-the-letter-cases",
        description: "_ [ ^ ` sit between Z and a: folding to upper case instead of lower case orders them differently",
        build: || {
            let mut w = World::new(1);
            clients_stored_backwards(
                &mut w,
                A,
                &["_x", "Zed", "[x]", "^up", "apple", "`tick", "{brace}", "~"],
            );
            services_stored_backwards(&mut w, A, &["a_b", "AB", "a[", "A^"]);
            w.case(calls_in(&admin(A), whole_lists()))
        },
    },
    NamedCase {
        name: "PAGE-4.code-points-not-utf-16-units",
        description: "characters in U+E000-U+FFFF sort before those above U+FFFF (code point order), which UTF-16 comparison reverses",
        build: || {
            let mut w = World::new(1);
            let names = [
                "\u{ff5e} wave",
                "\u{1f600} smile",
                "\u{e000} private",
                "\u{10000} linear",
                "\u{fffd}",
                "z",
                "\u{fff0}x",
            ];
            clients_stored_backwards(&mut w, A, &names);
            services_stored_backwards(&mut w, A, &names);
            w.case(calls_in(&admin(A), whole_lists()))
        },
    },
    NamedCase {
        name: "PAGE-4.equal-names-ordered-by-id",
        description: "records with exactly the same name, stored in descending id order, come in ascending id order",
        build: || {
            let mut w = World::new(1);
            clients_stored_backwards(&mut w, A, &["Same", "Same", "Same", "Same", "Same"]);
            services_stored_backwards(&mut w, A, &["Onsite", "Onsite", "Onsite", "Onsite"]);
            w.case(calls_in(&admin(A), whole_lists()))
        },
    },
    NamedCase {
        name: "PAGE-4.prefixes-and-white-space",
        description: "a proper prefix sorts first, and white space in names is compared as stored (never trimmed)",
        build: || {
            let mut w = World::new(1);
            clients_stored_backwards(&mut w, A, &["ab", "abc", "a", "a ", "a\t", " a", "\u{a0}a", "A b"]);
            w.case(calls_in(&admin(A), whole_lists()))
        },
    },
];

/// FILT-1.
pub const FILT_1: &[NamedCase] = &[NamedCase {
    name: "FILT-1.inactive-clients",
    description: "inactive clients are left out when include-inactive is absent or false, listed when true, and found by get-client",
    build: || {
        let mut w = World::new(1);
        let ids = w.clients(A, &["Acme", "Acme Gone", "Beta", "Beta Gone"]);
        w.tenant(A).clients[1].is_inactive = true;
        w.tenant(A).clients[3].is_inactive = true;
        let calls = [
            clients().size(100).call(),
            clients().inactive(false).size(100).call(),
            clients().inactive(true).size(100).call(),
            clients().search("gone").call(),
            clients().search("gone").inactive(true).call(),
            clients().search(&ids[1]).call(),
            get_client(&ids[1]),
        ];
        w.case(calls_in(&admin(A), calls))
    },
}];

/// A catalog with an item of every kind, activity and billing method.
fn every_kind_of_item() -> World {
    let mut w = World::new(1);
    let mut n = 0;
    for kind in [ItemKind::Service, ItemKind::Product] {
        for active in [true, false] {
            for method in [BillingMethod::Fixed, BillingMethod::Hourly, BillingMethod::Usage] {
                n += 1;
                let item = w.service(A, n, &format!("Item {n}"));
                item.item_kind = kind;
                item.is_active = active;
                item.billing_method = method;
            }
        }
    }
    w
}

/// FILT-2.
pub const FILT_2: &[NamedCase] = &[
    NamedCase {
        name: "FILT-2.each-filter-alone",
        description: "is-active true and false, each item-kind and each billing-method alone keep exactly their items",
        build: || {
            let w = every_kind_of_item();
            let mut calls =
                vec![services().active(true).size(100).call(), services().active(false).size(100).call()];
            calls.extend(
                [ItemKind::Service, ItemKind::Product].map(|kind| services().kind(kind).size(100).call()),
            );
            calls.extend(
                [BillingMethod::Fixed, BillingMethod::Hourly, BillingMethod::Usage]
                    .map(|method| services().method(method).size(100).call()),
            );
            w.case(calls_in(&admin(A), calls))
        },
    },
    NamedCase {
        name: "FILT-2.filters-combine-with-and",
        description: "every combination of two and three filters keeps the items that pass all of them",
        build: || {
            let w = every_kind_of_item();
            let mut calls = Vec::new();
            for kind in [ItemKind::Service, ItemKind::Product] {
                for active in [true, false] {
                    calls.push(services().kind(kind).active(active).size(100).call());
                    calls.push(
                        services().kind(kind).active(active).method(BillingMethod::Usage).size(100).call(),
                    );
                }
                calls.push(services().kind(kind).method(BillingMethod::Fixed).size(100).call());
            }
            calls
                .push(services().active(false).method(BillingMethod::Hourly).search("item").size(100).call());
            w.case(calls_in(&admin(A), calls))
        },
    },
    NamedCase {
        name: "FILT-2.no-filter-keeps-everything",
        description: "without filters every item of the tenant is listed, of both kinds, active and not",
        build: || {
            let w = every_kind_of_item();
            w.case(calls_in(&admin(A), [services().size(100).call(), services().call()]))
        },
    },
];

/// SRCH-1.
pub const SRCH_1: &[NamedCase] = &[
    NamedCase {
        name: "SRCH-1.ascii-letters-only-fold",
        description: "ACME finds acme; MüLLER finds Müller but MÜLLER does not; STRASSE does not find straße",
        build: || {
            let mut w = World::new(1);
            w.clients(A, &["Acme Corp", "Müller", "MÜLLER", "straße", "Éclair", "éclair"]);
            w.services(A, &["ACME plan", "Müller service"]);
            let searches = ["ACME", "acme corp", "MüLLER", "MÜLLER", "müller", "STRASSE", "É", "é", "CLAIR"];
            w.case(calls_in(&admin(A), searched(&searches)))
        },
    },
    NamedCase {
        name: "SRCH-1.every-searched-field",
        description: "client names and billing emails, service names, SKUs and descriptions are searched; absent fields match nothing",
        build: || {
            let mut w = World::new(1);
            w.client(A, 1, "Plain").billing_email = Some("Billing@ACME.example".into());
            w.client(A, 2, "No email");
            w.client(A, 3, "Empty email").billing_email = Some(String::new());
            w.service(A, 1, "Onsite").sku = Some("SKU-42".into());
            w.service(A, 2, "Remote").description = Some("Managed backup".into());
            w.service(A, 3, "Bare");
            let searches =
                ["billing@acme", "ACME.EXAMPLE", "sku-4", "BACKUP", "managed", "bare", "email", "@"];
            w.case(calls_in(&admin(A), searched(&searches)))
        },
    },
    NamedCase {
        name: "SRCH-1.search-is-a-client-id",
        description: "a search that is a client's id (in any letter case) finds that client, inactive ones only with include-inactive; a service id finds no service",
        build: || {
            let mut w = World::new(1);
            let ids = w.clients(A, &["Acme", "Gone", "Beta"]);
            w.tenant(A).clients[1].is_inactive = true;
            let item = w.services(A, &["Plan"]).remove(0);
            let calls = [
                clients().search(&ids[0]).call(),
                clients().search(&upper(&ids[0])).call(),
                clients().search(&mixed(&ids[2])).call(),
                clients().search(&format!(" {}\t", ids[2])).call(),
                clients().search(&ids[1]).call(),
                clients().search(&ids[1]).inactive(true).call(),
                services().search(&item).call(),
                clients().search(&item).call(),
            ];
            w.case(calls_in(&admin(A), calls))
        },
    },
    NamedCase {
        name: "SRCH-1.search-is-part-of-a-client-id",
        description: "a search that is part of a client's id (its first group, last group, 35 of its 36 characters) does not find it",
        build: || {
            let mut w = World::new(1);
            let ids = w.clients(A, &["Acme", "Beta"]);
            let id = &ids[0];
            let parts = [&id[..8], &id[24..], &id[..35], &id[1..], &id[9..23]];
            let calls: Vec<Call> =
                parts.iter().map(|part| clients().search(part).inactive(true).call()).collect();
            w.case(calls_in(&admin(A), calls))
        },
    },
    NamedCase {
        name: "SRCH-1.composed-and-decomposed-letters",
        description: "é (one code point) and e + U+0301 are different texts: neither finds the other",
        build: || {
            let mut w = World::new(1);
            w.clients(A, &["caf\u{e9}", "cafe\u{301}"]);
            let searches = ["\u{e9}", "e\u{301}", "caf", "CAF\u{c9}"];
            w.case(calls_in(&admin(A), searched(&searches)))
        },
    },
];

/// SRCH-2.
pub const SRCH_2: &[NamedCase] = &[
    NamedCase {
        name: "SRCH-2.percent-matches-itself",
        description: "50% does not find 500; % alone finds only names with a percent sign",
        build: || {
            let mut w = World::new(1);
            w.clients(A, &["50% Off", "500 Club", "5000", "100%"]);
            w.service(A, 1, "Backup 100%").sku = Some("50%".into());
            w.service(A, 2, "Backup 1000");
            w.case(calls_in(&admin(A), searched(&["50%", "%", "%%", "0%", "%0"])))
        },
    },
    NamedCase {
        name: "SRCH-2.underscore-matches-itself",
        description: "a_b does not find axb; _ alone finds only names with an underscore",
        build: || {
            let mut w = World::new(1);
            w.clients(A, &["a_b", "axb", "a__b", "ab"]);
            w.service(A, 1, "Plan").sku = Some("A_B".into());
            w.service(A, 2, "Plan").sku = Some("AXB".into());
            w.case(calls_in(&admin(A), searched(&["a_b", "_", "__", "a_"])))
        },
    },
    NamedCase {
        name: "SRCH-2.backslash-matches-itself",
        description: "\\ matches a backslash; \\% and \\_ match those two characters, not an escaped wildcard",
        build: || {
            let mut w = World::new(1);
            w.clients(A, &["a\\b", "ab", "a\\%b", "a%b", "a\\_b", "a_b"]);
            w.service(A, 1, "Share").description = Some("path C:\\data".into());
            w.case(calls_in(&admin(A), searched(&["\\", "a\\b", "\\%", "\\_", "\\\\", ":\\"])))
        },
    },
];
