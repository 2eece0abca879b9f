//! SPEC.md section 2, read independently: fold, trim, control characters, canonical UUIDs,
//! substring match and the order of strings. Everything else in the oracle compares text
//! through these functions only.

/// `fold(s)`: every ASCII capital `A`-`Z` becomes its small letter; every other character
/// (including non-ASCII letters such as `É`) is left unchanged.
pub fn fold(text: &str) -> String {
    text.chars().map(|c| c.to_ascii_lowercase()).collect()
}

/// Trim: removes leading and trailing characters with the Unicode `White_Space` property.
/// `char::is_whitespace` is exactly that property, so `str::trim` is the definition.
pub fn trim(text: &str) -> &str {
    text.trim()
}

/// A character of general category `Cc`: U+0000-U+001F and U+007F-U+009F.
pub fn is_control(c: char) -> bool {
    matches!(u32::from(c), 0x00..=0x1F | 0x7F..=0x9F)
}

/// Length in characters (Unicode scalar values), as SPEC.md counts it.
pub fn char_len(text: &str) -> usize {
    text.chars().count()
}

/// A UUID in canonical text form: 36 characters, `8-4-4-4-12` hexadecimal digits of either
/// letter case separated by `-`; nothing around it.
pub fn is_canonical_uuid(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.len() == 36
        && bytes.iter().enumerate().all(|(position, &byte)| match position {
            8 | 13 | 18 | 23 => byte == b'-',
            _ => byte.is_ascii_hexdigit(),
        })
}

/// Two UUID texts are equal when their folds are equal.
pub fn same_uuid(a: &str, b: &str) -> bool {
    fold(a) == fold(b)
}

/// `needle` substring-matches `field` when `fold(field)` contains `fold(needle)` as a
/// contiguous run of characters; no character is special.
pub fn substring_match(needle: &str, field: &str) -> bool {
    fold(field).contains(&fold(needle))
}

/// The order key of a named record (PAGE-4): `fold(name)`, then the id as lower-case text.
/// Rust orders `String`s by their UTF-8 bytes, which is code point order with a proper
/// prefix first, exactly SPEC.md's order of strings.
pub fn order_key(name: &str, id: &str) -> (String, String) {
    (fold(name), fold(id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fold_touches_ascii_letters_only() {
        assert_eq!(fold("MÜLLER Straße É"), "mÜller straße É");
        assert_eq!(fold("AbC_[]"), "abc_[]");
    }

    #[test]
    fn trim_removes_unicode_white_space() {
        assert_eq!(trim("\u{a0}\t acme\n\u{85}"), "acme");
        assert_eq!(trim("a b"), "a b");
    }

    #[test]
    fn controls_are_cc() {
        assert!(is_control('\0') && is_control('\t') && is_control('\u{7f}') && is_control('\u{9f}'));
        assert!(!is_control(' ') && !is_control('\u{a0}') && !is_control('é'));
    }

    #[test]
    fn canonical_uuids() {
        assert!(is_canonical_uuid("3f2504e0-4f89-11d3-9a0c-0305e82c3301"));
        assert!(is_canonical_uuid("3F2504E0-4F89-11D3-9A0C-0305E82C3301"));
        assert!(is_canonical_uuid("00000000-0000-0000-0000-000000000000"));
        assert!(!is_canonical_uuid(" 3f2504e0-4f89-11d3-9a0c-0305e82c3301"));
        assert!(!is_canonical_uuid("{3f2504e0-4f89-11d3-9a0c-0305e82c330}"));
        assert!(!is_canonical_uuid("3f2504e04f8911d39a0c0305e82c3301"));
        assert!(!is_canonical_uuid("3f2504e0-4f89-11d3-9a0c-0305e82c330"));
        assert!(!is_canonical_uuid("3f2504e0-4f89-11d3-9a0c-0305e82c330g"));
        // Non-ASCII digits are not hexadecimal digits.
        assert!(!is_canonical_uuid("3f2504e0-4f89-11d3-9a0c-0305e82c330\u{661}"));
    }

    #[test]
    fn substring_match_is_ascii_case_insensitive_and_literal() {
        assert!(substring_match("ACME", "the acme co"));
        assert!(substring_match("MüLLER", "Müller"));
        assert!(!substring_match("MÜLLER", "Müller"));
        assert!(substring_match("50%", "save 50% now"));
        assert!(!substring_match("50%", "500"));
        assert!(!substring_match("a_b", "axb"));
        assert!(substring_match("a\\b", "a\\b"));
    }

    #[test]
    fn order_is_fold_then_code_point_then_id() {
        let mut names = vec![("b", "2"), ("_", "1"), ("A", "3"), ("a", "1"), ("É", "1"), ("e", "1")];
        names.sort_by_key(|(name, id)| order_key(name, id));
        assert_eq!(names, vec![("_", "1"), ("a", "1"), ("A", "3"), ("b", "2"), ("e", "1"), ("É", "1")]);
    }
}
