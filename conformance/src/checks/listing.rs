//! Checks of SPEC.md section 6: pages (PAGE-1, PAGE-2), walking every page (PAGE-3), the
//! order (PAGE-4), filters (FILT-1, FILT-2) and search (SRCH-1, SRCH-2).

use super::judge::{Projection, Scope, case_mismatch, each_call, each_ok_answer, judged_calls};
use super::scenario::{calls, calls_in_prepared, pairs};
use super::{Check, Guests, Level, Mismatch, Needs, Tally};
use crate::case::{Case, Step, StepResult};
use crate::named;
use crate::oracle::text::order_key;
use crate::oracle::{self, Answer, Reading};
use crate::outcome::Actual;
use crate::strategy::ids::unused_id;
use crate::strategy::picks::{self, ContextPick, Kind, SearchPick};
use crate::strategy::world::{WorldSize, world};
use crate::strategy::{CallPick, list_call, list_pick, service_filters};
use alga_conformance_protocol::fixture::{Client, Service};
use alga_conformance_protocol::{Call, ExecutionContext, Fixture};
use proptest::prelude::*;
use proptest::sample::select;
use serde_json::json;

/// PAGE-1.
pub const PAGE_1: Check = Check {
    id: "PAGE-1",
    rules: &["PAGE-1"],
    level: Level::Required,
    description: "a page holds the records of its positions in the filtered set, total-count is the size of the whole set, page and page-size echo the effective values",
    needs: Needs::Calls,
    guests: Guests::OfItsVersion,
    named: named::listing::PAGE_1,
    cases: || {
        let call = list_pick(picks::search(), picks::valid_page(), picks::valid_page_size());
        let context = prop_oneof![4 => picks::admin_context(), 1 => picks::user_context()];
        calls(WorldSize::DENSE, pairs(context, call, 1..8))
    },
    verify: |case, results| {
        each_call(case, results, Reading::Required, Scope::Answered, Projection::Page, "PAGE-1")
    },
};

/// A list call as the checks of this module choose it, before the page is known.
#[derive(Debug, Clone)]
struct ListShape {
    context: ContextPick,
    kind: Kind,
    search: SearchPick,
    include_inactive: Option<bool>,
    filters: (
        Option<alga_extension_contract::types::ItemKind>,
        Option<bool>,
        Option<alga_extension_contract::types::BillingMethod>,
    ),
    page_size: Option<u32>,
}

impl ListShape {
    fn call(&self, fixture: &Fixture, page: Option<u32>) -> (ExecutionContext, Call) {
        let tenant = self.context.tenant(fixture);
        let search = self.search.resolve(fixture, tenant, self.kind);
        let call = list_call(self.kind, search, self.include_inactive, self.filters, page, self.page_size);
        (self.context.resolve(fixture), call)
    }

    /// Pages of the filtered set as the oracle sees it (0 when the call is refused).
    fn page_count(&self, fixture: &Fixture) -> u32 {
        let (context, call) = self.call(fixture, Some(1));
        let total = oracle::expect(fixture, &context, &call, Reading::Required)
            .ok()
            .and_then(|e| e.answer().and_then(|a| a.paging()).map(|(total, _, _)| total))
            .unwrap_or(0);
        total.div_ceil(self.page_size.unwrap_or(25))
    }
}

fn list_shape(page_size: impl Strategy<Value = Option<u32>>) -> impl Strategy<Value = ListShape> {
    let context = prop_oneof![4 => picks::admin_context(), 1 => picks::user_context()];
    let search = prop_oneof![2 => Just(SearchPick::Absent), 1 => picks::search()];
    (context, picks::kind(), search, prop::option::of(any::<bool>()), service_filters(), page_size).prop_map(
        |(context, kind, search, include_inactive, filters, page_size)| ListShape {
            context,
            kind,
            search,
            include_inactive,
            filters,
            page_size,
        },
    )
}

/// PAGE-2.
pub const PAGE_2: Check = Check {
    id: "PAGE-2",
    rules: &["PAGE-2"],
    level: Level::Required,
    description: "a page past the end is ok with no items and the correct total-count",
    needs: Needs::Calls,
    guests: Guests::OfItsVersion,
    named: named::listing::PAGE_2,
    cases: || {
        let past = prop_oneof![3 => (1u32..3).prop_map(Some), 1 => Just(None)];
        let size = prop_oneof![3 => (1u32..=4).prop_map(Some), 1 => Just(None), 1 => Just(Some(100))];
        (world(WorldSize::DENSE), prop::collection::vec((list_shape(size), past), 1..6))
            .prop_map(|(fixture, shapes)| {
                let steps = shapes
                    .iter()
                    .map(|(shape, past)| {
                        // `None`: the largest page; otherwise that many pages after the last.
                        let page = past.map_or(10_000, |k| (shape.page_count(&fixture) + k).min(10_000));
                        let (context, call) = shape.call(&fixture, Some(page));
                        Step::call(&context, call)
                    })
                    .collect();
                Case { fixture, steps }
            })
            .boxed()
    },
    verify: |case, results| {
        each_call(case, results, Reading::Required, Scope::Answered, Projection::Page, "PAGE-2")
    },
};

/// PAGE-3.
pub const PAGE_3: Check = Check {
    id: "PAGE-3",
    rules: &["PAGE-3"],
    level: Level::Required,
    description: "walking pages 1, 2, ... (twice) yields every record of the filtered set exactly once, in the same order on both walks",
    needs: Needs::Calls,
    guests: Guests::OfItsVersion,
    named: named::listing::PAGE_3,
    cases: || {
        let size = prop_oneof![4 => (1u32..=4).prop_map(Some), 1 => Just(None)];
        (world(WorldSize::DENSE), list_shape(size))
            .prop_map(|(fixture, shape)| {
                // One page past the end, so that a host that loses the last record on an
                // extra page shows it.
                let pages = shape.page_count(&fixture) + 1;
                let walk: Vec<Step> = (1..=pages)
                    .map(|page| {
                        let (context, call) = shape.call(&fixture, Some(page));
                        Step::call(&context, call)
                    })
                    .collect();
                let steps = walk.iter().chain(walk.iter()).cloned().collect();
                Case { fixture, steps }
            })
            .boxed()
    },
    verify: verify_walks,
};

fn verify_walks(case: &Case, results: &[StepResult]) -> Result<Tally, Mismatch> {
    let judged = judged_calls(case, results, Reading::Required)?;
    let Some(first) = judged.first() else { return Ok(Tally::default()) };
    // The whole filtered set, from the oracle: the same call with the largest page size,
    // page by page.
    let everything: Vec<String> = {
        let mut ids = Vec::new();
        for page in 1u32.. {
            let call = with_paging(first.call, page, 100);
            let expected =
                oracle::expect(&case.fixture, first.context, &call, Reading::Required).map_err(|e| {
                    case_mismatch(0, format!("bug in the conformance suite: {e}"), json!(null), json!(null))
                })?;
            // A walk SPEC.md refuses is other rules' business: nothing to judge.
            let Some(answer) = expected.answer() else { return Ok(Tally::default()) };
            let page_ids: Vec<String> = answer.ids().iter().map(|id| id.to_string()).collect();
            if page_ids.is_empty() {
                break;
            }
            ids.extend(page_ids);
        }
        ids
    };
    let half = judged.len() / 2;
    let mut walks: Vec<Vec<String>> = Vec::new();
    for walk in [&judged[..half], &judged[half..]] {
        let mut ids = Vec::new();
        for call in walk {
            match &call.actual {
                Actual::Ok(answer) => ids.extend(answer.ids().iter().map(|id| id.to_ascii_lowercase())),
                other => {
                    return Err(call.mismatch(format!(
                        "PAGE-3: page {} of the walk returned {} instead of ok",
                        page_of(call.call),
                        other.class()
                    )));
                }
            }
        }
        walks.push(ids);
    }
    let size = first.call.args[0].get("pageSize").and_then(|v| v.as_u64()).unwrap_or(25);
    let walked = &walks[0];
    let mut seen = std::collections::HashSet::new();
    let twice: Vec<&String> = walked.iter().filter(|id| !seen.insert(*id)).collect();
    let missing: Vec<&String> = everything.iter().filter(|id| !walked.contains(id)).collect();
    let extra: Vec<&String> = walked.iter().filter(|id| !everything.contains(id)).collect();
    if !twice.is_empty() || !missing.is_empty() || !extra.is_empty() {
        return Err(case_mismatch(
            0,
            format!(
                "PAGE-3: walking {half} pages of {size} yields {twice:?} more than once, misses {missing:?}, and yields {extra:?} outside the filtered set"
            ),
            json!(everything),
            json!(walked),
        ));
    }
    if walks[0] != walks[1] {
        return Err(case_mismatch(
            half,
            "PAGE-3: the second walk over the same pages returns another order".to_string(),
            json!(walks[0]),
            json!(walks[1]),
        ));
    }
    Ok(Tally::judged(judged.len()))
}

fn page_of(call: &Call) -> u64 {
    call.args[0].get("page").and_then(|v| v.as_u64()).unwrap_or(1)
}

/// `call` (a list call) with another page and page size.
fn with_paging(call: &Call, page: u32, page_size: u32) -> Call {
    let mut call = call.clone();
    if let Some(input) = call.args.get_mut(0).and_then(|a| a.as_object_mut()) {
        input.insert("page".into(), json!(page));
        input.insert("pageSize".into(), json!(page_size));
    }
    call
}

/// Whole filtered sets on one page: page 1 of size 100 (generated tenants hold fewer).
fn whole_set(search: impl Strategy<Value = SearchPick>) -> impl Strategy<Value = CallPick> {
    list_pick(search, Just(None), Just(Some(100)))
}

/// PAGE-4.
pub const PAGE_4: Check = Check {
    id: "PAGE-4",
    rules: &["PAGE-4"],
    level: Level::Required,
    description: "records are ordered by fold(name) in code point order, then by id; names equal after folding are ordered by id",
    needs: Needs::Calls,
    guests: Guests::OfItsVersion,
    named: named::listing::PAGE_4,
    cases: || {
        let search = prop_oneof![3 => Just(SearchPick::Absent), 1 => picks::search()];
        let list = pairs(picks::admin_context(), whole_set(search), 1..5);
        (calls_in_prepared(WorldSize::DENSE, with_case_twins, list), any::<bool>())
            .prop_map(|(mut case, utf16)| {
                if utf16 {
                    with_utf16_neighbours(&mut case.fixture);
                }
                case
            })
            .boxed()
    },
    verify: verify_order,
};

/// Gives every tenant's first client and first catalog item a twin whose name differs only
/// in ASCII letter case (its id is not the first's, so only the id orders the two).
fn with_case_twins(fixture: &mut Fixture) {
    let flip = |name: &str| -> String {
        name.chars()
            .map(|c| if c.is_ascii_lowercase() { c.to_ascii_uppercase() } else { c.to_ascii_lowercase() })
            .collect()
    };
    for tenant in &mut fixture.tenants {
        if let Some(first) = tenant.clients.first().cloned() {
            tenant.clients.push(Client {
                client_id: unused_id(22),
                client_name: flip(&first.client_name),
                ..first
            });
        }
        if let Some(first) = tenant.services.first().cloned() {
            tenant.services.push(Service {
                service_id: unused_id(22),
                service_name: flip(&first.service_name),
                ..first
            });
        }
    }
}

/// Gives every tenant a client and a catalog item named with a character in
/// U+E000-U+FFFF and one named with a character above U+FFFF: code point order puts the
/// first before, UTF-16 order after.
fn with_utf16_neighbours(fixture: &mut Fixture) {
    for tenant in &mut fixture.tenants {
        for (n, name) in [(23, "\u{ff5e} wave"), (24, "\u{1f600} smile")] {
            if let Some(first) = tenant.clients.first().cloned() {
                tenant.clients.push(Client { client_id: unused_id(n), client_name: name.into(), ..first });
            }
            if let Some(first) = tenant.services.first().cloned() {
                tenant.services.push(Service {
                    service_id: unused_id(n),
                    service_name: name.into(),
                    ..first
                });
            }
        }
    }
}

/// Whether the records a list returned are in contract order, judged on what it returned
/// (which records it returned is other rules' business).
fn verify_order(case: &Case, results: &[StepResult]) -> Result<Tally, Mismatch> {
    each_ok_answer(case, results, Reading::Required, |judged, answer| {
        let keyed: Vec<((String, String), String)> = match answer {
            Answer::ClientPage(page) => page
                .items
                .iter()
                .map(|c| {
                    (order_key(&c.client_name, &c.client_id), format!("{:?} {}", c.client_name, c.client_id))
                })
                .collect(),
            Answer::ServicePage(page) => page
                .items
                .iter()
                .map(|s| {
                    (
                        order_key(&s.service_name, &s.service_id),
                        format!("{:?} {}", s.service_name, s.service_id),
                    )
                })
                .collect(),
            Answer::Client(_) | Answer::Service(_) => return Ok(()),
        };
        let mut sorted = keyed.clone();
        sorted.sort();
        if sorted != keyed {
            let shown = |items: &[((String, String), String)]| {
                json!(items.iter().map(|(_, s)| s).collect::<Vec<_>>())
            };
            let first = keyed.iter().zip(&sorted).position(|(a, b)| a != b).unwrap_or(0);
            return Err(case_mismatch(
                judged.step,
                format!(
                    "PAGE-4: the records are not in contract order (by fold(name), then id); the first out of place is {}",
                    keyed[first].1
                ),
                shown(&sorted),
                shown(&keyed),
            ));
        }
        Ok(())
    })
}

/// FILT-1.
pub const FILT_1: Check = Check {
    id: "FILT-1",
    rules: &["FILT-1"],
    level: Level::Required,
    description: "list-clients leaves inactive clients out unless include-inactive is true",
    needs: Needs::Calls,
    guests: Guests::OfItsVersion,
    named: named::listing::FILT_1,
    cases: || {
        let search = prop_oneof![3 => Just(SearchPick::Absent), 1 => picks::search()];
        let call =
            (search, select(&[None, Some(false), Some(true)][..])).prop_map(|(search, include_inactive)| {
                CallPick::List {
                    kind: Kind::Clients,
                    search,
                    include_inactive,
                    service_filters: (None, None, None),
                    page: None,
                    page_size: Some(100),
                }
            });
        calls(WorldSize::DENSE, pairs(picks::admin_context(), call, 1..5))
    },
    verify: |case, results| {
        each_call(case, results, Reading::Required, Scope::Answered, Projection::Members, "FILT-1")
    },
};

/// FILT-2.
pub const FILT_2: Check = Check {
    id: "FILT-2",
    rules: &["FILT-2"],
    level: Level::Required,
    description: "list-services filters by item-kind, is-active and billing-method when present, combined with AND; absent filters keep every item",
    needs: Needs::Calls,
    guests: Guests::OfItsVersion,
    named: named::listing::FILT_2,
    cases: || {
        let search = prop_oneof![3 => Just(SearchPick::Absent), 1 => picks::search()];
        let call = (search, service_filters()).prop_map(|(search, service_filters)| CallPick::List {
            kind: Kind::Services,
            search,
            include_inactive: None,
            service_filters,
            page: None,
            page_size: Some(100),
        });
        calls(WorldSize::DENSE, pairs(picks::admin_context(), call, 1..5))
    },
    verify: |case, results| {
        each_call(case, results, Reading::Required, Scope::Answered, Projection::Members, "FILT-2")
    },
};

/// SRCH-1.
pub const SRCH_1: Check = Check {
    id: "SRCH-1",
    rules: &["SRCH-1"],
    level: Level::Required,
    description: "search is a case-insensitive substring of name or billing email (clients; or the exact id when it is a UUID), of name, SKU or description (services); a UUID search is never an error",
    needs: Needs::Calls,
    guests: Guests::OfItsVersion,
    named: named::listing::SRCH_1,
    cases: || {
        let search = prop_oneof![
            4 => picks::search(),
            1 => (proptest::sample::Index::arbitrary(), select(crate::strategy::ids::Spelling::CANONICAL))
                .prop_map(|(i, s)| SearchPick::OwnId(i, s)),
            1 => picks::partial_id(),
        ];
        let call = list_pick(search, Just(None), Just(Some(100)));
        calls(WorldSize::DENSE, pairs(picks::admin_context(), call, 1..6))
    },
    verify: |case, results| {
        each_call(case, results, Reading::Required, Scope::Answered, Projection::Members, "SRCH-1")
    },
};

/// Searches made of the characters SQL `LIKE` treats specially, and their look-alikes.
const WILDCARD_SEARCHES: &[&str] = &[
    "%", "_", "\\", "50%", "a_b", "a\\b", "%a", "_%", "\\%", "\\_", "a%b", "%%", "__", "[x]", "^", "*", "?",
];

/// SRCH-2.
pub const SRCH_2: Check = Check {
    id: "SRCH-2",
    rules: &["SRCH-2"],
    level: Level::Required,
    description: "%, _ and \\ in a search match only themselves (no wildcard injection)",
    needs: Needs::Calls,
    guests: Guests::OfItsVersion,
    named: named::listing::SRCH_2,
    cases: || {
        let search = select(WILDCARD_SEARCHES).prop_map(|s| SearchPick::Text(s.to_string()));
        calls(WorldSize::DENSE, pairs(picks::admin_context(), whole_set(search), 1..6))
    },
    verify: |case, results| {
        each_call(case, results, Reading::Required, Scope::Answered, Projection::Members, "SRCH-2")
    },
};
