//! SPEC.md section 5 (VAL-1 to VAL-3, VAL-5), read independently: defaults, bounds, the
//! search text, the ids of `get-*` and the currency code of `list-services`. The result is either the effective input or every invalid
//! field (VAL-4 lets the message name any of them).

use super::expected::{InvalidField, Problem};
use super::text::{char_len, is_canonical_uuid, is_control, trim};

/// `page` when the input leaves it out.
pub const DEFAULT_PAGE: u32 = 1;
/// `page-size` when the input leaves it out.
pub const DEFAULT_PAGE_SIZE: u32 = 25;
/// Largest valid `page`.
pub const MAX_PAGE: u32 = 10_000;
/// Largest valid `page-size`.
pub const MAX_PAGE_SIZE: u32 = 100;
/// Longest valid search, in characters after trimming.
pub const MAX_SEARCH_CHARS: usize = 200;
/// Most characters of the input an `invalid-input` message may repeat (VAL-4).
pub const MAX_ECHOED_CHARS: usize = 64;

/// The effective paging and search of a valid list input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListInput {
    /// 1-based page.
    pub page: u32,
    /// Records per page.
    pub page_size: u32,
    /// The trimmed, non-empty search text, or `None` for no search filter.
    pub search: Option<String>,
}

impl ListInput {
    /// Index of the first record of the page in the ordered filtered set.
    pub fn offset(&self) -> usize {
        (self.page as usize - 1) * self.page_size as usize
    }
}

/// Checks paging and search of a list input.
pub fn list_input(
    page: Option<u32>,
    page_size: Option<u32>,
    search: Option<&str>,
) -> Result<ListInput, Vec<InvalidField>> {
    let mut invalid = Vec::new();
    let page = page.unwrap_or(DEFAULT_PAGE);
    if let Some(problem) = bounded(page, 1, MAX_PAGE) {
        invalid.push(InvalidField { field: "page", problem });
    }
    let page_size = page_size.unwrap_or(DEFAULT_PAGE_SIZE);
    if let Some(problem) = bounded(page_size, 1, MAX_PAGE_SIZE) {
        invalid.push(InvalidField { field: "page-size", problem });
    }
    let search = search.map(trim).filter(|s| !s.is_empty());
    if let Some(text) = search {
        let length = char_len(text);
        if length > MAX_SEARCH_CHARS {
            invalid.push(InvalidField {
                field: "search",
                problem: Problem::TooLong { max: MAX_SEARCH_CHARS, got: length },
            });
        }
        if text.chars().any(is_control) {
            invalid.push(InvalidField { field: "search", problem: Problem::ControlCharacter });
        }
    }
    if invalid.is_empty() {
        Ok(ListInput { page, page_size, search: search.map(str::to_string) })
    } else {
        Err(invalid)
    }
}

/// Checks the `currency-code` of `list-services` (VAL-5): absent is no filter; otherwise
/// trimmed (section 2), it must be exactly three ASCII letters, and it means their upper
/// case. The code as the filter compares it (`EUR`), or the invalid field.
pub fn currency_code(code: Option<&str>) -> Result<Option<String>, InvalidField> {
    let Some(code) = code else { return Ok(None) };
    let trimmed = trim(code);
    if char_len(trimmed) == 3 && trimmed.chars().all(|c| c.is_ascii_alphabetic()) {
        Ok(Some(trimmed.chars().map(|c| c.to_ascii_uppercase()).collect()))
    } else {
        Err(InvalidField { field: "currency-code", problem: Problem::NotCurrencyCode })
    }
}

/// Checks the id of `get-client` (`field` = `client-id`) or `get-service` (`service-id`).
pub fn record_id(field: &'static str, id: &str) -> Result<(), Vec<InvalidField>> {
    if is_canonical_uuid(id) {
        Ok(())
    } else {
        Err(vec![InvalidField { field, problem: Problem::NotCanonicalUuid }])
    }
}

fn bounded(value: u32, min: u32, max: u32) -> Option<Problem> {
    if value < min {
        Some(Problem::BelowMin { min, got: value })
    } else if value > max {
        Some(Problem::AboveMax { max, got: value })
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_bounds() {
        let ok = list_input(None, None, None).unwrap();
        assert_eq!((ok.page, ok.page_size, ok.search), (1, 25, None));
        assert!(list_input(Some(10_000), Some(100), None).is_ok());
        let fields = |r: Result<ListInput, Vec<InvalidField>>| {
            r.unwrap_err().into_iter().map(|f| f.field).collect::<Vec<_>>()
        };
        assert_eq!(fields(list_input(Some(0), None, None)), ["page"]);
        assert_eq!(fields(list_input(Some(10_001), Some(101), None)), ["page", "page-size"]);
        assert_eq!(fields(list_input(None, Some(0), None)), ["page-size"]);
    }

    #[test]
    fn currency_codes_are_trimmed_folded_and_three_ascii_letters() {
        assert_eq!(currency_code(None), Ok(None));
        for code in ["EUR", "eur", " Eur ", "\teUr\n", "\u{a0}eur\u{3000}"] {
            assert_eq!(currency_code(Some(code)), Ok(Some("EUR".into())), "{code:?}");
        }
        assert_eq!(currency_code(Some("xyz")), Ok(Some("XYZ".into())));
        for code in
            ["", "   ", "EU", "EURO", "E1R", "E_R", "ÉUR", "EU R", "E\tR", "\u{feff}EUR", "123", "ＥUR"]
        {
            let err = currency_code(Some(code)).unwrap_err();
            assert_eq!(err.field, "currency-code", "{code:?}");
        }
    }

    #[test]
    fn search_is_trimmed_then_checked() {
        assert_eq!(list_input(None, None, Some(" \t ")).unwrap().search, None);
        assert_eq!(list_input(None, None, Some("\tacme\n")).unwrap().search.as_deref(), Some("acme"));
        let exactly_200 = format!("  {}  ", "é".repeat(200));
        assert!(list_input(None, None, Some(&exactly_200)).is_ok());
        assert!(list_input(None, None, Some(&"x".repeat(201))).is_err());
        assert!(list_input(None, None, Some("a\0b")).is_err());
        assert!(list_input(None, None, Some("a\tb")).is_err());
    }
}
