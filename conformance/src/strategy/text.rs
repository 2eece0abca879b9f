//! Texts for generated fixtures and searches, drawn from small alphabets so that they
//! collide: names that differ only in ASCII case or only in non-ASCII case, `%` `_` `\`
//! and their look-alikes, white space around names, characters whose order differs
//! between folding to lower and to upper case (`_`, `[`, `^` sit between `Z` and `a`),
//! characters whose order differs between code points and UTF-16 units (U+E000-U+FFFF
//! against those above U+FFFF), and the characters trims disagree on (U+FEFF, which
//! JavaScript's `trim` removes, and U+001C-U+001F, which Python's `strip` removes).

use proptest::prelude::*;
use proptest::sample::select;

/// Pieces names are built from that differ only in letter case, ASCII or not: drawn more
/// often, so that tenants hold names equal after folding (or equal but for `É`/`é`).
const CASE_VARIANTS: &[&str] =
    &["acme", "Acme", "ACME", "aCME", "beta", "Beta", "zeta", "Zeta", "é", "É", "Müller", "MÜLLER", "MüLLER"];

/// Other pieces: `%` `_` `\` and their look-alikes, characters between `Z` and `a`,
/// letters whose case mapping is not ASCII, a decomposed `é` (e + combining acute, compared
/// by code point and never normalised), an emoji (above U+FFFF) and characters in
/// U+E000-U+FFFF (UTF-16 orders them after it, code points before), a control character.
const OTHER_PIECES: &[&str] = &[
    "50%",
    "500",
    "a_b",
    "axb",
    "a\\b",
    "ab",
    "_",
    "[x]",
    "^",
    "ß",
    "ı",
    "İ",
    "日本",
    "0",
    "9",
    "Z",
    "e\u{301}",
    "😀",
    "x\u{7f}",
    "\u{ff5e}",
    "\u{e000}",
    "\u{fffd}",
    "\u{10000}",
];

fn name_piece() -> impl Strategy<Value = &'static str> {
    prop_oneof![3 => select(CASE_VARIANTS), 2 => select(OTHER_PIECES)]
}

/// White space put around names and searches (SPEC.md trim: Unicode `White_Space`), and
/// U+FEFF, which is not white space (JavaScript's `trim` removes it all the same).
const PADDING: &[&str] = &["", "", "", " ", "  ", "\t", "\u{a0}", "\n", "\u{feff}"];

/// A record name: one or two pieces, joined by nothing or a space, sometimes padded.
pub fn name() -> impl Strategy<Value = String> {
    (name_piece(), prop::option::weighted(0.4, (select(&["", " "][..]), name_piece())), padding()).prop_map(
        |(first, second, (before, after))| {
            let mut name = String::from(before);
            name.push_str(first);
            if let Some((joint, piece)) = second {
                name.push_str(joint);
                name.push_str(piece);
            }
            name.push_str(after);
            name
        },
    )
}

/// Rare white space before and after a text.
fn padding() -> impl Strategy<Value = (&'static str, &'static str)> {
    prop_oneof![
        6 => Just(("", "")),
        1 => (select(PADDING), select(PADDING)),
    ]
}

/// A billing email, or none.
pub fn email() -> impl Strategy<Value = Option<String>> {
    let local = select(&["billing", "Billing", "ops", "50%off", "a_b", "acme"][..]);
    let domain = select(&["acme.com", "ACME.com", "beta.io", "x_y.org", "müller.de"][..]);
    let address = (local, domain).prop_map(|(l, d)| format!("{l}@{d}"));
    // An empty address is stored and returned as such, not as none.
    prop::option::weighted(0.7, prop_oneof![9 => address, 1 => Just(String::new())])
}

/// A SKU, or none.
pub fn sku() -> impl Strategy<Value = Option<String>> {
    prop::option::weighted(0.6, select(&["SKU-1", "sku-1", "SKU-2", "A_B", "50%", "x\\y", "ACME-9", ""][..]))
        .prop_map(|s| s.map(str::to_string))
}

/// A description (searched by SRCH-1 but not in the summary), or none.
pub fn description() -> impl Strategy<Value = Option<String>> {
    prop::option::weighted(
        0.6,
        select(&["Managed backup", "managed BACKUP", "50% off", "a_b plan", "Zeta tier", "hourly ü"][..]),
    )
    .prop_map(|s| s.map(str::to_string))
}

/// A person's first or last name, sometimes empty or white space only (DATA-1 trims the
/// joined name and gives `none` when nothing is left).
pub fn person_name() -> impl Strategy<Value = String> {
    select(&["Ann", "bob", "Zoë", " Lee", "Kim ", "", " ", "\u{a0}", "\t"][..]).prop_map(str::to_string)
}

/// Tag texts of one client, duplicates included (DATA-1: the summary has each once,
/// sorted by code point; U+FF5E and 😀 are ordered the other way by UTF-16 units).
pub fn tags() -> impl Strategy<Value = Vec<String>> {
    prop::collection::vec(select(&["vip", "VIP", "b", "a", "é", "Zeta", "a b", "\u{ff5e}", "😀"][..]), 0..4)
        .prop_map(|tags| tags.into_iter().map(str::to_string).collect())
}

/// A currency code as stored.
pub fn currency() -> impl Strategy<Value = String> {
    select(&["USD", "EUR", "JPY", "usd"][..]).prop_map(str::to_string)
}

/// A unit of measure as stored (may be empty).
pub fn unit() -> impl Strategy<Value = String> {
    select(&["hour", "each", "GB", "", "Stück"][..]).prop_map(str::to_string)
}

/// A default rate in integer minor units: zero, small, typical, negative (credits) and the
/// largest value exact in an `f64`.
pub fn rate_cents() -> impl Strategy<Value = i64> {
    prop_oneof![
        3 => 0i64..100_000,
        1 => Just(0i64),
        1 => Just(-500i64),
        1 => Just((1i64 << 53) - 1),
    ]
}

/// A search text made from the same pieces as names: what hosts confuse (case, `%`, `_`,
/// `\`, non-ASCII case, white space around it).
pub fn search_text() -> impl Strategy<Value = String> {
    let piece = select(
        &[
            "acme", "ACME", "cm", "e", "é", "É", "ü", "Ü", "MüLLER", "MÜLLER", "50%", "%", "_", "a_b", "\\",
            "a\\b", "0", "b", "Z", "ı", "x", "@acme", "ACME.COM", "sku-", "backup", "a b", " ", "e\u{301}",
            "😀",
        ][..],
    );
    (piece, padding()).prop_map(|(piece, (before, after))| format!("{before}{piece}{after}"))
}

/// Searches that must be rejected or must be accepted around the bounds of VAL-2.
pub fn bound_search() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("a".repeat(200)),
        Just("é".repeat(200)),
        Just(format!(" \t{}\n ", "x".repeat(200))),
        Just("a".repeat(201)),
        Just("日".repeat(201)),
        Just("x".repeat(1 << 20)),
        Just(String::new()),
        Just("   ".to_string()),
        Just("\t\n".to_string()),
        Just("a\0b".to_string()),
        Just("a\tb".to_string()),
        Just("ac\u{7f}me".to_string()),
        Just("ac\u{85}me".to_string()),
        Just("\u{1b}[0m".to_string()),
        Just("\tacme\n".to_string()),
        Just("\u{a0}acme\u{a0}".to_string()),
        Just("\0".to_string()),
        // Lengths in characters, not UTF-16 units or bytes: 200 emoji are 400 UTF-16 units.
        Just("😀".repeat(200)),
        Just("😀".repeat(201)),
        // NEL is white space (trimmed) and a control character (refused inside).
        Just("\u{85}acme\u{85}".to_string()),
        Just("\u{2003}acme\u{3000}".to_string()),
        // Not white space: U+001C-U+001F are control characters (refused), U+FEFF and
        // U+200B are ordinary characters (kept, matched as themselves).
        Just("acme\u{1f}".to_string()),
        Just("\u{1c}acme".to_string()),
        Just("\u{1e}acme\u{1d}".to_string()),
        Just("\u{feff}acme".to_string()),
        Just("acme\u{feff}".to_string()),
        Just("\u{200b}acme".to_string()),
    ]
}

/// White space (SPEC.md section 2: Unicode `White_Space`) a currency code may be padded
/// with, VAL-5 trims it: space, tab, line feed, NBSP, NEL, ideographic space.
pub const CODE_PADDING: &[&str] = &[" ", "\t", "\n", "\u{a0}", "\u{85}", "\u{3000}", "  "];

/// `currency-code` texts that VAL-5 refuses: empty or white space only, two or four
/// letters, a digit, an underscore, letters outside ASCII (accented, full-width, Cyrillic
/// look-alikes), white space or a control character inside, U+FEFF (not white space)
/// around it, and codes that are valid only under a broader trim or fold.
pub const INVALID_CODES: &[&str] = &[
    "",
    "   ",
    "\t\n",
    "EU",
    "EURO",
    "E1R",
    "123",
    "E_R",
    "ÉUR",
    "\u{ff25}UR",
    "\u{415}UR",
    "EU R",
    "E\tR",
    "EU\u{0}",
    "\u{feff}EUR",
    "EUR\u{200b}",
    "eu",
    "usd x",
];

/// A `currency-code` input: a pooled code (`codes`) in upper, lower or mixed case, padded
/// with SPEC white space or not, or one of [`INVALID_CODES`]; valid about two times in three.
pub fn currency_input(codes: &'static [&'static str]) -> impl Strategy<Value = String> {
    let spelled = (select(codes), 0u8..3, prop::option::of((select(CODE_PADDING), select(CODE_PADDING))))
        .prop_map(|(code, case, padding)| {
            let spelled: String = match case {
                0 => code.to_string(),
                1 => code.to_ascii_lowercase(),
                _ => code
                    .chars()
                    .enumerate()
                    .map(|(i, c)| if i == 1 { c.to_ascii_lowercase() } else { c })
                    .collect(),
            };
            match padding {
                Some((before, after)) => format!("{before}{spelled}{after}"),
                None => spelled,
            }
        });
    prop_oneof![
        2 => spelled,
        1 => select(INVALID_CODES).prop_map(str::to_string),
    ]
}
