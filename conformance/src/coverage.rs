//! What a run tried: the categories of input a case can touch (an id of another tenant, a
//! bound, a portal user, ...), counted over each check's random cases so that the report
//! says what a pass covers, and the share of random cases each check aims at its most
//! important category ([`AIMS`]), which `alga-conformance checks` states and a test holds
//! the strategies to.
//!
//! Categories are data: a name, a sentence, and a predicate over a whole [`Case`]. A new
//! rule that needs a new category adds an entry; counting and reporting follow.

use crate::case::{Case, Step, calls_of};
use crate::oracle::access::{CapabilityGrant, capability_grant, holds};
use crate::oracle::text::{char_len, fold, is_canonical_uuid, trim};
use crate::oracle::{self, Reading, validation};
use crate::strategy::picks::Kind;
use alga_conformance_protocol::fixture::{Tenant, User};
use alga_conformance_protocol::{Call, ExecutionContext, Fixture, UserType};
use alga_extension_contract::function;
use std::collections::BTreeMap;

/// A category of input.
pub struct Category {
    /// Kebab-case name, stable (it appears in JSON reports).
    pub name: &'static str,
    /// What touches it, in one sentence.
    pub description: &'static str,
    /// Whether a case touches it.
    pub touches: fn(&Case) -> bool,
}

impl std::fmt::Debug for Category {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Category").field("name", &self.name).finish_non_exhaustive()
    }
}

/// A share of random cases a check's strategy aims at one category, in percent.
#[derive(Debug, Clone, Copy)]
pub struct Aim {
    /// The check.
    pub check: &'static str,
    /// The category.
    pub category: &'static str,
    /// At least this many percent of the check's random cases touch it.
    pub at_least_percent: u32,
}

/// What each check's random cases aim at (stated by `alga-conformance checks`; a test
/// draws 400 cases per check and holds the strategies to these shares).
pub static AIMS: &[Aim] = &[
    Aim { check: "CTX-1", category: "cross-tenant-id", at_least_percent: 55 },
    Aim { check: "CTX-1", category: "cross-tenant-text", at_least_percent: 55 },
    Aim { check: "CTX-2", category: "cross-tenant-install", at_least_percent: 70 },
    Aim { check: "ISO-1", category: "cross-tenant-id", at_least_percent: 80 },
    Aim { check: "ISO-1.concurrent", category: "cross-tenant-id", at_least_percent: 95 },
    Aim { check: "ISO-2", category: "cross-tenant-record", at_least_percent: 75 },
    Aim { check: "CAP-1", category: "permission-without-capability", at_least_percent: 25 },
    Aim { check: "AUTH-2", category: "cross-tenant-user", at_least_percent: 85 },
    Aim { check: "AUTH-2", category: "inactive-user", at_least_percent: 65 },
    Aim { check: "AUTH-4", category: "portal-user", at_least_percent: 95 },
    Aim { check: "VAL-2", category: "bound", at_least_percent: 80 },
    Aim { check: "VAL-2", category: "trim-edge", at_least_percent: 50 },
    Aim { check: "PAGE-4", category: "case-only-names", at_least_percent: 75 },
    Aim { check: "PAGE-4", category: "utf16-order", at_least_percent: 45 },
    Aim { check: "SRCH-1", category: "partial-id-search", at_least_percent: 35 },
    Aim { check: "VAL-5", category: "currency-input-edge", at_least_percent: 80 },
    Aim { check: "PRICE-1", category: "unsorted-prices", at_least_percent: 95 },
    Aim { check: "PRICE-1", category: "foreign-prices-same-id", at_least_percent: 60 },
    Aim { check: "PRICE-2", category: "currency-filter", at_least_percent: 95 },
    Aim { check: "VER-1", category: "priced-items", at_least_percent: 95 },
];

/// Every category, in report order.
pub static CATEGORIES: &[Category] = &[
    Category {
        name: "cross-tenant-id",
        description: "a context's user or install id, a get-* id or a search is an id that exists in another tenant",
        touches: |case| {
            any_call(case, |v| v.user_elsewhere() || v.install_elsewhere() || v.record_id_elsewhere())
        },
    },
    Category {
        name: "cross-tenant-user",
        description: "a context names a user id that exists in another tenant",
        touches: |case| any_call(case, CallView::user_elsewhere),
    },
    Category {
        name: "cross-tenant-install",
        description: "a context names an install id that exists in another tenant",
        touches: |case| any_call(case, CallView::install_elsewhere),
    },
    Category {
        name: "cross-tenant-record",
        description: "a get-* id or a search is the id of another tenant's record of that kind",
        touches: |case| any_call(case, CallView::record_id_elsewhere),
    },
    Category {
        name: "cross-tenant-text",
        description: "a search equals a name, email, SKU or description of another tenant, or a tenant id, and no text of its own tenant",
        touches: |case| any_call(case, CallView::text_elsewhere),
    },
    Category {
        name: "no-user",
        description: "a context has no user (a scheduled job)",
        touches: |case| any_call(case, |v| v.context.user.is_none()),
    },
    Category {
        name: "portal-user",
        description: "a context's user is a portal user of the tenant, claimed as one",
        touches: |case| {
            any_call(case, |v| {
                v.stored_user().is_some_and(|u| {
                    u.user_type == UserType::Client && v.claimed_type() == Some(UserType::Client)
                })
            })
        },
    },
    Category {
        name: "portal-user-without-client",
        description: "a context's user is a portal user who belongs to no client",
        touches: |case| {
            any_call(case, |v| {
                v.stored_user().is_some_and(|u| u.user_type == UserType::Client && u.client_id.is_none())
            })
        },
    },
    Category {
        name: "inactive-user",
        description: "a context's user is stored inactive in the tenant",
        touches: |case| any_call(case, |v| v.stored_user().is_some_and(|u| u.is_inactive)),
    },
    Category {
        name: "wrong-user-type",
        description: "a context claims a user type other than the stored one",
        touches: |case| {
            any_call(case, |v| v.stored_user().is_some_and(|u| Some(u.user_type) != v.claimed_type()))
        },
    },
    Category {
        name: "missing-capability",
        description: "a call's install does not grant its capability (or is no install of the tenant)",
        touches: |case| any_call(case, |v| v.grant() == Some(CapabilityGrant::None)),
    },
    Category {
        name: "capability-spelling",
        description: "a call's capability is stored with white space around it or in another ASCII case only",
        touches: |case| any_call(case, |v| v.grant() == Some(CapabilityGrant::AfterNormalising)),
    },
    Category {
        name: "permission-without-capability",
        description: "a call's install lacks the capability while its user (active, of the claimed type) holds the permission",
        touches: |case| any_call(case, CallView::permission_without_capability),
    },
    Category {
        name: "bound",
        description: "a page of 0, 1, 10000 or 10001, a page-size of 0, 1, 100 or 101, or a search of 200 or 201 characters after trimming",
        touches: |case| any_call(case, CallView::at_a_bound),
    },
    Category {
        name: "invalid-input",
        description: "a call's input is invalid (VAL-1 to VAL-3)",
        touches: |case| any_call(case, CallView::invalid_input),
    },
    Category {
        name: "trim-edge",
        description: "a search starts or ends with white space, U+001C-U+001F or U+FEFF (where trims differ)",
        touches: |case| any_call(case, CallView::trim_edge),
    },
    Category {
        name: "wildcard-search",
        description: "a search holds %, _ or \\",
        touches: |case| any_call(case, |v| v.search().is_some_and(|s| s.contains(['%', '_', '\\']))),
    },
    Category {
        name: "id-search",
        description: "a search is a UUID in canonical text form",
        touches: |case| any_call(case, |v| v.search().is_some_and(|s| is_canonical_uuid(trim(s)))),
    },
    Category {
        name: "partial-id-search",
        description: "a search is part of one of the tenant's record ids, but not a whole UUID",
        touches: |case| any_call(case, CallView::partial_id_search),
    },
    Category {
        name: "upper-case-id",
        description: "a get-* id or an id search has ASCII capital letters",
        touches: |case| {
            any_call(case, |v| {
                v.get_id()
                    .or(v.search().map(trim).filter(|s| is_canonical_uuid(s)))
                    .is_some_and(|id| id.chars().any(|c| c.is_ascii_uppercase()))
            })
        },
    },
    Category {
        name: "non-canonical-id",
        description: "a get-* id is not a UUID in canonical text form",
        touches: |case| any_call(case, |v| v.get_id().is_some_and(|id| !is_canonical_uuid(id))),
    },
    Category {
        name: "page-past-end",
        description: "a list asks for a page after the last page of its filtered set",
        touches: |case| any_call(case, CallView::past_the_end),
    },
    Category {
        name: "case-only-names",
        description: "a list reads a tenant holding names that differ only in ASCII letter case",
        touches: |case| any_list_tenant(case, |names| pairs(names, |a, b| a != b && fold(a) == fold(b))),
    },
    Category {
        name: "non-ascii-case-names",
        description: "a list reads a tenant holding names that differ only in the case of non-ASCII letters",
        touches: |case| {
            any_list_tenant(case, |names| {
                pairs(names, |a, b| fold(a) != fold(b) && a.to_lowercase() == b.to_lowercase())
            })
        },
    },
    Category {
        name: "utf16-order",
        description: "a list reads a tenant holding a name with a character in U+E000-U+FFFF and one with a character above U+FFFF",
        touches: |case| {
            any_list_tenant(case, |names| {
                names.iter().any(|n| n.chars().any(|c| ('\u{e000}'..='\u{ffff}').contains(&c)))
                    && names.iter().any(|n| n.chars().any(|c| u32::from(c) > 0xffff))
            })
        },
    },
    Category {
        name: "currency-input-edge",
        description: "a currency-code has white space around it, is not in upper case, or is not three ASCII letters",
        touches: |case| {
            any_call(case, |v| {
                v.currency_code().is_some_and(|code| {
                    code.trim() != code
                        || code.chars().any(|c| c.is_ascii_lowercase())
                        || validation::currency_code(Some(code)).is_err()
                })
            })
        },
    },
    Category {
        name: "currency-filter",
        description: "a list-services call filters by a valid currency-code",
        touches: |case| {
            any_call(case, |v| {
                v.currency_code().is_some_and(|code| validation::currency_code(Some(code)).is_ok())
            })
        },
    },
    Category {
        name: "unsorted-prices",
        description: "a catalog call reads a tenant holding an item whose prices are stored out of currency-code order",
        touches: |case| {
            any_catalog_tenant(case, |t| {
                t.services
                    .iter()
                    .any(|s| s.prices.windows(2).any(|w| w[0].currency_code > w[1].currency_code))
            })
        },
    },
    Category {
        name: "foreign-prices-same-id",
        description: "a catalog call reads a tenant holding an item whose id another tenant's item has, with other prices",
        touches: |case| {
            any_catalog_tenant(case, |t| {
                t.services.iter().any(|mine| {
                    case.fixture.tenants.iter().filter(|o| o.tenant_id != t.tenant_id).any(|o| {
                        o.services.iter().any(|s| s.service_id == mine.service_id && s.prices != mine.prices)
                    })
                })
            })
        },
    },
    Category {
        name: "priced-items",
        description: "a catalog call reads a tenant holding an item with a price that differs from its default rate",
        touches: |case| {
            any_catalog_tenant(case, |t| {
                t.services.iter().any(|s| s.prices.iter().any(|p| p.rate_minor_units != s.default_rate_cents))
            })
        },
    },
    Category {
        name: "concurrent",
        description: "calls run at the same time",
        touches: |case| case.steps.iter().any(|s| matches!(s, Step::Concurrent { .. })),
    },
    Category {
        name: "store-outage",
        description: "calls run while the store is down",
        touches: |case| case.steps.iter().any(|s| matches!(s, Step::StoreOutage { down: true })),
    },
];

/// The category with this name.
pub fn category(name: &str) -> Option<&'static Category> {
    CATEGORIES.iter().find(|c| c.name == name)
}

/// The names of the categories `case` touches.
pub fn touched(case: &Case) -> impl Iterator<Item = &'static str> + '_ {
    CATEGORIES.iter().filter(|c| (c.touches)(case)).map(|c| c.name)
}

/// Counts of cases per category, in [`CATEGORIES`] order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counts(pub BTreeMap<&'static str, u32>);

impl Counts {
    /// Counts the categories `case` touches.
    pub fn add_case(&mut self, case: &Case) {
        for name in touched(case) {
            *self.0.entry(name).or_default() += 1;
        }
    }

    /// Adds other counts.
    pub fn add(&mut self, other: &Counts) {
        for (name, n) in &other.0 {
            *self.0.entry(name).or_default() += n;
        }
    }

    /// `(category, count)` for every category touched, in [`CATEGORIES`] order.
    pub fn in_order(&self) -> Vec<(&'static str, u32)> {
        CATEGORIES.iter().filter_map(|c| self.0.get(c.name).map(|n| (c.name, *n))).collect()
    }
}

fn any_call<'c>(case: &'c Case, test: impl Fn(&CallView<'c>) -> bool) -> bool {
    calls_of(case).any(|(_, _, context, call)| test(&CallView::new(&case.fixture, context, call)))
}

/// Whether a list call reads a tenant whose names (of the call's kind) pass `test`.
fn any_list_tenant<'c>(case: &'c Case, test: impl Fn(&[&'c str]) -> bool) -> bool {
    calls_of(case).any(|(_, _, context, call)| {
        let view = CallView::new(&case.fixture, context, call);
        call.function.starts_with("list-") && view.own.is_some_and(|t| test(&view.names(t)))
    })
}

/// Whether a catalog call (`list-services`, `get-service`) reads a tenant that passes `test`.
fn any_catalog_tenant<'c>(case: &'c Case, test: impl Fn(&'c Tenant) -> bool) -> bool {
    calls_of(case).any(|(_, _, context, call)| {
        call.interface_name() == "services" && case.fixture.tenant(&context.tenant_id).is_some_and(&test)
    })
}

fn pairs(names: &[&str], related: impl Fn(&str, &str) -> bool) -> bool {
    names.iter().enumerate().any(|(i, a)| names[i + 1..].iter().any(|b| related(a, b)))
}

/// One call of a case, with what the categories ask about it.
struct CallView<'a> {
    fixture: &'a Fixture,
    context: &'a ExecutionContext,
    call: &'a Call,
    own: Option<&'a Tenant>,
}

impl<'a> CallView<'a> {
    fn new(fixture: &'a Fixture, context: &'a ExecutionContext, call: &'a Call) -> Self {
        CallView { fixture, context, call, own: fixture.tenant(&context.tenant_id) }
    }

    fn others(&self) -> impl Iterator<Item = &'a Tenant> + '_ {
        self.fixture.tenants.iter().filter(|t| t.tenant_id != self.context.tenant_id)
    }

    fn kind(&self) -> Kind {
        Kind::of_interface(self.call.interface_name())
    }

    /// Ids of the tenant's records of the call's kind.
    fn record_ids(&self, tenant: &'a Tenant) -> Vec<&'a str> {
        self.kind().ids(tenant)
    }

    /// Names of the tenant's records of the call's kind.
    fn names(&self, tenant: &'a Tenant) -> Vec<&'a str> {
        self.kind().names(tenant)
    }

    /// Texts a search of the call's kind looks at, in the tenant.
    fn texts(&self, tenant: &'a Tenant) -> Vec<&'a str> {
        self.kind().searchable_texts(tenant)
    }

    fn currency_code(&self) -> Option<&'a str> {
        self.call.args.first()?.get("currencyCode")?.as_str()
    }

    fn search(&self) -> Option<&'a str> {
        self.call.args.first()?.get("search")?.as_str()
    }

    fn number(&self, field: &str) -> Option<u64> {
        self.call.args.first()?.get(field)?.as_u64()
    }

    fn get_id(&self) -> Option<&'a str> {
        self.call.function.starts_with("get-").then(|| self.call.args.first()?.as_str()).flatten()
    }

    fn claimed_type(&self) -> Option<UserType> {
        self.context.user.as_ref().map(|u| u.user_type)
    }

    fn stored_user(&self) -> Option<&'a User> {
        let user = self.context.user.as_ref()?;
        self.own?.users.iter().find(|u| u.user_id == user.user_id)
    }

    fn user_elsewhere(&self) -> bool {
        let Some(user) = &self.context.user else { return false };
        self.others().any(|t| t.users.iter().any(|u| u.user_id == user.user_id))
    }

    fn install_elsewhere(&self) -> bool {
        self.others().any(|t| t.installs.iter().any(|i| i.install_id == self.context.install_id))
    }

    fn record_id_elsewhere(&self) -> bool {
        let Some(id) = self.get_id().or(self.search().map(trim)) else { return false };
        let id = fold(id);
        self.others().any(|t| self.record_ids(t).contains(&id.as_str()))
    }

    fn text_elsewhere(&self) -> bool {
        let Some(search) = self.search().map(|s| fold(trim(s))).filter(|s| !s.is_empty()) else {
            return false;
        };
        let equal = |texts: Vec<&str>| texts.iter().any(|t| fold(t) == search);
        let own = self.own.is_some_and(|t| equal(self.texts(t)));
        !own && self.others().any(|t| equal(self.texts(t)) || fold(&t.tenant_id) == search)
    }

    /// How the install grants the call's capability; `None` for a call of no known function.
    fn grant(&self) -> Option<CapabilityGrant> {
        let capability = function(&self.call.function)?.capability;
        let install =
            self.own.and_then(|t| t.installs.iter().find(|i| i.install_id == self.context.install_id));
        Some(install.map_or(CapabilityGrant::None, |i| capability_grant(&i.granted_capabilities, capability)))
    }

    fn permission_without_capability(&self) -> bool {
        let (Some(function), Some(tenant), Some(user)) =
            (function(&self.call.function), self.own, self.stored_user())
        else {
            return false;
        };
        self.grant() == Some(CapabilityGrant::None)
            && !user.is_inactive
            && Some(user.user_type) == self.claimed_type()
            && holds(tenant, user, function.permission.resource, function.permission.action)
    }

    fn at_a_bound(&self) -> bool {
        let page = self.number("page").is_some_and(|p| [0, 1, 10_000, 10_001].contains(&p));
        let size = self.number("pageSize").is_some_and(|s| [0, 1, 100, 101].contains(&s));
        let search = self.search().is_some_and(|s| [200, 201].contains(&char_len(trim(s))));
        page || size || search
    }

    fn invalid_input(&self) -> bool {
        match self.get_id() {
            Some(id) => !is_canonical_uuid(id),
            None if self.call.function.starts_with("list-") => {
                let number = |field| self.number(field).map(|n| u32::try_from(n).unwrap_or(u32::MAX));
                validation::list_input(number("page"), number("pageSize"), self.search()).is_err()
            }
            None => false,
        }
    }

    fn trim_edge(&self) -> bool {
        let edge = |c: char| c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c) || c == '\u{feff}';
        self.search()
            .is_some_and(|s| s.chars().next().is_some_and(edge) || s.chars().last().is_some_and(edge))
    }

    fn partial_id_search(&self) -> bool {
        let Some(search) = self.search().map(|s| fold(trim(s))) else { return false };
        search.chars().count() >= 4
            && !is_canonical_uuid(&search)
            && self.own.is_some_and(|t| self.record_ids(t).iter().any(|id| id.contains(search.as_str())))
    }

    fn past_the_end(&self) -> bool {
        if !self.call.function.starts_with("list-") {
            return false;
        }
        let Ok(expected) = oracle::expect(self.fixture, self.context, self.call, Reading::Required) else {
            return false;
        };
        expected
            .answer()
            .and_then(|answer| {
                answer.paging().map(|(total, page, size)| (answer.ids().is_empty(), total, page, size))
            })
            .is_some_and(|(empty, total, page, size)| {
                empty && page > 1 && u64::from(page - 1) * u64::from(size) >= u64::from(total)
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::REGISTRY;
    use proptest::strategy::{Strategy, ValueTree};
    use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

    #[test]
    fn aims_name_known_checks_and_categories() {
        for aim in AIMS {
            assert!(REGISTRY.iter().any(|c| c.id == aim.check), "aim of unknown check {}", aim.check);
            assert!(category(aim.category).is_some(), "aim at unknown category {}", aim.category);
        }
        let mut names: Vec<&str> = CATEGORIES.iter().map(|c| c.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), CATEGORIES.len(), "category names are unique");
    }

    /// The stated share of random cases touching each aimed category, drawn as a run draws
    /// them (400 cases per check, a fixed seed).
    #[test]
    fn random_cases_reach_their_aims() {
        let mut misses = Vec::new();
        for aim in AIMS {
            let check = REGISTRY.iter().find(|c| c.id == aim.check).expect("known check");
            let rng = TestRng::from_seed(RngAlgorithm::ChaCha, &crate::runner::check_seed(7, check.id));
            let mut runner = TestRunner::new_with_rng(Config::default(), rng);
            let strategy = (check.cases)();
            let draws = 400;
            let hits = (0..draws)
                .filter(|_| {
                    let case = strategy.new_tree(&mut runner).expect("a case").current();
                    (category(aim.category).expect("known").touches)(&case)
                })
                .count();
            let percent = hits * 100 / draws;
            eprintln!("{:<18} {:<30} {percent:>3}% (aim {}%)", aim.check, aim.category, aim.at_least_percent);
            if percent < aim.at_least_percent as usize {
                misses.push(format!(
                    "{} reaches {} in {percent}% of cases, aim {}%",
                    aim.check, aim.category, aim.at_least_percent
                ));
            }
        }
        assert!(misses.is_empty(), "{misses:#?}");
    }
}
