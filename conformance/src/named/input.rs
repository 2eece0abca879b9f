//! Named cases of SPEC.md section 5: every bound of paging and search and one past it
//! (VAL-1, VAL-2), what trimming removes and what it keeps (VAL-2), ids in every spelling
//! (VAL-3), and the text of `invalid-input` (VAL-4).

use super::NamedCase;
use super::build::*;
use crate::strategy::ids::Spelling;
use alga_conformance_protocol::Call;

/// Both lists with every page around the bounds of VAL-1.
fn page_bounds() -> Vec<Call> {
    [0, 1, 2, 9_999, 10_000, 10_001, u32::MAX]
        .into_iter()
        .flat_map(|page| [clients().page(page).call(), services().page(page).call()])
        .collect()
}

/// Both lists with every page size around the bounds of VAL-1.
fn page_size_bounds() -> Vec<Call> {
    [0, 1, 2, 25, 99, 100, 101, u32::MAX]
        .into_iter()
        .flat_map(|size| [clients().size(size).call(), services().size(size).call()])
        .collect()
}

/// Both lists with each of these searches (page-size 100, inactive clients included).
fn searched(searches: &[String]) -> Vec<Call> {
    searches
        .iter()
        .flat_map(|s| {
            [clients().search(s).inactive(true).size(100).call(), services().search(s).size(100).call()]
        })
        .collect()
}

/// A tenant whose client and catalog names the searches of these cases find.
fn searchable() -> World {
    let mut w = World::new(1);
    w.clients(A, &["acme", "Acme Corp", "ACME", &"a".repeat(200), &"é".repeat(200), &"😀".repeat(200)]);
    w.services(A, &["acme plan", "Backup"]);
    w
}

/// `id` spelled in every way VAL-3 refuses: the suite's non-canonical spellings (braces, no
/// hyphens, 35 or 37 digits, white space, `urn:uuid:`, a non-hex letter, an Arabic-Indic
/// digit, regrouped hyphens), underscores for hyphens, and the empty text.
fn non_canonical(id: &str) -> Vec<String> {
    Spelling::ALL
        .iter()
        .filter(|spelling| !Spelling::CANONICAL.contains(spelling))
        .map(|spelling| spelling.apply(id))
        .chain([id.replace('-', "_"), String::new()])
        .collect()
}

/// VAL-1.
pub const VAL_1: &[NamedCase] = &[
    NamedCase {
        name: "VAL-1.defaults",
        description: "an absent page is 1 and an absent page-size 25, for both lists",
        build: || {
            let mut w = World::new(1);
            w.clients(A, &["Acme"]);
            w.case(calls_in(
                &admin(A),
                [clients().call(), services().call(), clients().inactive(false).call()],
            ))
        },
    },
    NamedCase {
        name: "VAL-1.page-bounds",
        description: "page 0, 1, 2, 9999, 10000, 10001 and 4294967295 (only 1 to 10000 are valid)",
        build: || {
            let mut w = World::new(1);
            w.clients(A, &["Acme"]);
            w.case(calls_in(&admin(A), page_bounds()))
        },
    },
    NamedCase {
        name: "VAL-1.page-size-bounds",
        description: "page-size 0, 1, 2, 25, 99, 100, 101 and 4294967295 (only 1 to 100 are valid)",
        build: || {
            let mut w = World::new(1);
            w.clients(A, &["Acme"]);
            w.case(calls_in(&admin(A), page_size_bounds()))
        },
    },
];

/// VAL-2.
pub const VAL_2: &[NamedCase] = &[
    NamedCase {
        name: "VAL-2.length-bounds",
        description: "200 characters after trimming are valid, 201 are not, white space around not counted",
        build: || {
            let w = searchable();
            let searches = [
                "a".repeat(200),
                format!(" \t{}\n ", "a".repeat(200)),
                "a".repeat(201),
                format!("\u{a0}{}\u{a0}", "b".repeat(201)),
                "x".repeat(1 << 20),
            ];
            w.case(calls_in(&admin(A), searched(&searches)))
        },
    },
    NamedCase {
        name: "VAL-2.length-in-characters",
        description: "lengths count characters, not bytes or UTF-16 units: 200 é or 200 emoji are valid, 201 are not",
        build: || {
            let w = searchable();
            let searches = [
                "é".repeat(200),
                "😀".repeat(200),
                "😀".repeat(201),
                "日".repeat(201),
                "e\u{301}".repeat(100),
            ];
            w.case(calls_in(&admin(A), searched(&searches)))
        },
    },
    NamedCase {
        name: "VAL-2.control-characters-inside",
        description: "a tab, NUL, DEL, NEL, ESC or U+009F inside the search is invalid",
        build: || {
            let w = searchable();
            let searches =
                ["a\tb", "a\u{0}b", "ac\u{7f}me", "ac\u{85}me", "\u{1b}[0m", "acme\u{9f}x", "\u{0}"]
                    .map(String::from);
            w.case(calls_in(&admin(A), searched(&searches)))
        },
    },
    NamedCase {
        name: "VAL-2.white-space-is-trimmed",
        description: "Unicode white space around the search is removed (tab, line feed, NBSP, NEL, em space); empty or blank means no filter",
        build: || {
            let w = searchable();
            let searches =
                ["\tacme\n", "\u{a0}acme\u{2003}", "\u{85}acme\u{85}", "\u{3000}ACME\r\n", "", "   ", "\t\n"]
                    .map(String::from);
            w.case(calls_in(&admin(A), searched(&searches)))
        },
    },
    NamedCase {
        name: "VAL-2.only-white-space-is-trimmed",
        description: "U+001C-U+001F (which Python's strip removes) stay and are control characters; U+FEFF (which JavaScript's trim removes) and U+200B stay and match themselves",
        build: || {
            let w = searchable();
            let searches = [
                "acme\u{1f}",
                "\u{1c}acme",
                "\u{1e}acme\u{1d}",
                "\u{feff}acme",
                "acme\u{feff}",
                "\u{200b}acme",
            ]
            .map(String::from);
            w.case(calls_in(&admin(A), searched(&searches)))
        },
    },
];

/// VAL-3.
pub const VAL_3: &[NamedCase] = &[
    NamedCase {
        name: "VAL-3.ids-in-any-letter-case",
        description: "get-client and get-service of an upper-case or mixed-case id find the record, and return ids in lower case",
        build: || {
            let mut w = World::new(1);
            let client = w.clients(A, &["Acme"]).remove(0);
            let manager = w.user(A, 1, alga_conformance_protocol::UserType::Internal).user_id.clone();
            w.tenant(A).clients[0].account_manager_id = Some(manager);
            let type_id = w.service_type(A, id(Kind::ServiceType, A, 1), "Managed");
            let service = w.services(A, &["Plan"]).remove(0);
            w.tenant(A).services[0].service_type_id = Some(type_id);
            let calls = [
                get_client(&upper(&client)),
                get_client(&mixed(&client)),
                get_service(&upper(&service)),
                get_service(&mixed(&service)),
            ];
            w.case(calls_in(&admin(A), calls))
        },
    },
    NamedCase {
        name: "VAL-3.ids-not-in-canonical-form",
        description: "braces, no hyphens, 35 or 37 digits, white space, urn:uuid:, a non-hex letter, an Arabic-Indic digit, regrouped hyphens, underscores, empty: invalid",
        build: || {
            let mut w = World::new(1);
            let client = w.clients(A, &["Acme"]).remove(0);
            let service = w.services(A, &["Plan"]).remove(0);
            let mut calls: Vec<Call> = non_canonical(&client).iter().map(|id| get_client(id)).collect();
            calls.extend(non_canonical(&service).iter().map(|id| get_service(id)));
            w.case(calls_in(&admin(A), calls))
        },
    },
];

/// VAL-4.
pub const VAL_4: &[NamedCase] = &[
    NamedCase {
        name: "VAL-4.paging-messages",
        description: "messages for page and page-size below and above their bounds name the field and state the bound",
        build: || {
            let mut w = World::new(1);
            w.clients(A, &["Acme"]);
            let calls = [
                clients().page(0).call(),
                services().page(10_001).call(),
                clients().size(0).call(),
                services().size(101).call(),
                clients().page(u32::MAX).size(u32::MAX).call(),
            ];
            w.case(calls_in(&admin(A), calls))
        },
    },
    NamedCase {
        name: "VAL-4.search-messages",
        description: "messages for a long search and a control character name the field, state the bound and repeat at most 64 characters of the input",
        build: || {
            let w = searchable();
            let searches =
                ["y".repeat(201), "z".repeat(1 << 20), format!("{}\u{0}", "q".repeat(150)), "a\tb".into()];
            w.case(calls_in(&admin(A), searched(&searches)))
        },
    },
    NamedCase {
        name: "VAL-4.id-messages",
        description: "messages for malformed ids name client-id or service-id, say UUID, and repeat at most 64 characters of long ids",
        build: || {
            let mut w = World::new(1);
            w.clients(A, &["Acme"]);
            let long = ["x".repeat(1000), format!("{}-", "0".repeat(100)), "ünïcödé-ïd".repeat(20)];
            let mut calls = vec![get_client("abc"), get_service("{00000000-0000-0000-0000-000000000000}")];
            calls.extend(long.iter().flat_map(|id| [get_client(id), get_service(id)]));
            w.case(calls_in(&admin(A), calls))
        },
    },
];
