//! The reference reading of the input rules of SPEC.md (VAL-1 to VAL-5) and of the text
//! definitions they rest on (fold, trim, control characters, canonical UUIDs).
//!
//! Hosts may call these functions instead of writing their own: each returns either the
//! normalised value or an [`InvalidInput`] whose message is the text of the contract's
//! `invalid-input` error. The conformance suite deliberately does not use this module (its
//! oracle reads SPEC.md on its own), so a bug here is caught rather than copied.

use crate::types::{BillingMethod, ClientListInput, ItemKind, ReadError, ServiceListInput};

/// Page used when the input leaves `page` out (VAL-1).
pub const PAGE_DEFAULT: u32 = 1;
/// Largest valid page number (VAL-1).
pub const PAGE_MAX: u32 = 10_000;
/// Page size used when the input leaves `page-size` out (VAL-1).
pub const PAGE_SIZE_DEFAULT: u32 = 25;
/// Largest valid page size (VAL-1).
pub const PAGE_SIZE_MAX: u32 = 100;
/// Longest valid search, in characters after trimming (VAL-2).
pub const SEARCH_MAX_CHARS: usize = 200;
/// Most characters of a guest's input an error message repeats (VAL-4).
pub const ECHO_MAX_CHARS: usize = 64;

/// An input outside the contract's bounds: the payload of `read-error::invalid-input`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct InvalidInput {
    /// WIT name of the offending field (`page-size`, `search`, `client-id`, ...).
    pub field: &'static str,
    /// The message for the guest; starts with `field` and a space (VAL-4).
    pub message: String,
}

impl InvalidInput {
    fn new(field: &'static str, message: String) -> Self {
        debug_assert!(message.starts_with(field));
        InvalidInput { field, message }
    }
}

impl From<InvalidInput> for ReadError {
    fn from(err: InvalidInput) -> Self {
        ReadError::InvalidInput(err.message)
    }
}

/// Effective page and page size of a list call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Paging {
    /// 1-based page number, 1 ..= [`PAGE_MAX`].
    pub page: u32,
    /// Items per page, 1 ..= [`PAGE_SIZE_MAX`].
    pub page_size: u32,
}

impl Paging {
    /// Number of records before the first one of this page.
    pub fn offset(&self) -> u64 {
        u64::from(self.page - 1) * u64::from(self.page_size)
    }
}

/// Applies defaults and bounds to `page` and `page-size` (VAL-1).
pub fn paging(page: Option<u32>, page_size: Option<u32>) -> Result<Paging, InvalidInput> {
    let page = page.unwrap_or(PAGE_DEFAULT);
    if !(1..=PAGE_MAX).contains(&page) {
        return Err(InvalidInput::new("page", format!("page must be between 1 and {PAGE_MAX}, got {page}")));
    }
    let page_size = page_size.unwrap_or(PAGE_SIZE_DEFAULT);
    if !(1..=PAGE_SIZE_MAX).contains(&page_size) {
        return Err(InvalidInput::new(
            "page-size",
            format!("page-size must be between 1 and {PAGE_SIZE_MAX}, got {page_size}"),
        ));
    }
    Ok(Paging { page, page_size })
}

/// A valid, non-empty search (VAL-2) in the forms a store needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Search {
    /// The search after trimming, as the guest wrote it.
    pub text: String,
    /// [`fold`] of `text`: what substring matching compares (SRCH-1).
    pub folded: String,
    /// The lower-case UUID when `text` is a UUID in canonical text form (SRCH-1 matches
    /// client ids exactly with it).
    pub uuid: Option<String>,
}

/// Trims and checks a search (VAL-2). `Ok(None)` means no search filter.
pub fn search(raw: Option<&str>) -> Result<Option<Search>, InvalidInput> {
    let Some(raw) = raw else { return Ok(None) };
    let text = trim(raw);
    if text.is_empty() {
        return Ok(None);
    }
    let length = text.chars().count();
    if length > SEARCH_MAX_CHARS {
        return Err(InvalidInput::new(
            "search",
            format!("search must be at most {SEARCH_MAX_CHARS} characters after trimming, got {length}"),
        ));
    }
    if let Some((position, c)) = text.chars().enumerate().find(|(_, c)| is_control(*c)) {
        return Err(InvalidInput::new(
            "search",
            format!(
                "search must not contain control characters, found U+{:04X} at character {}",
                u32::from(c),
                position + 1
            ),
        ));
    }
    Ok(Some(Search {
        folded: fold(text),
        uuid: is_canonical_uuid(text).then(|| text.to_ascii_lowercase()),
        text: text.to_string(),
    }))
}

/// Trims and checks the currency filter of `list-services` (VAL-5): after trimming, exactly
/// three ASCII letters, returned in upper case. `Ok(None)` means no filter (the field is
/// absent); an empty or blank text is invalid, not "no filter".
pub fn currency_code(raw: Option<&str>) -> Result<Option<String>, InvalidInput> {
    let Some(raw) = raw else { return Ok(None) };
    let code = trim(raw);
    if code.len() == 3 && code.bytes().all(|b| b.is_ascii_alphabetic()) {
        return Ok(Some(code.to_ascii_uppercase()));
    }
    Err(InvalidInput::new(
        "currency-code",
        format!(
            "currency-code must be three ASCII letters (an ISO 4217 code such as EUR) after trimming, got {}",
            echo(raw)
        ),
    ))
}

/// Checks the id passed to a `get-*` function (VAL-3) and returns it lower-case.
/// `field` is the WIT parameter name (`client-id` or `service-id`).
pub fn record_id(field: &'static str, raw: &str) -> Result<String, InvalidInput> {
    if is_canonical_uuid(raw) {
        return Ok(raw.to_ascii_lowercase());
    }
    Err(InvalidInput::new(
        field,
        format!("{field} must be a UUID in canonical text form (8-4-4-4-12 hex digits), got {}", echo(raw)),
    ))
}

/// The normalised input of `list-clients`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientQuery {
    /// The search filter, if any.
    pub search: Option<Search>,
    /// Whether inactive clients are included (FILT-1).
    pub include_inactive: bool,
    /// Page and page size.
    pub paging: Paging,
}

/// Normalises the input of `list-clients`. Fields are checked in WIT order (search, page,
/// page-size); the first invalid one is reported.
pub fn client_query(input: &ClientListInput) -> Result<ClientQuery, InvalidInput> {
    Ok(ClientQuery {
        search: search(input.search.as_deref())?,
        include_inactive: input.include_inactive.unwrap_or(false),
        paging: paging(input.page, input.page_size)?,
    })
}

/// The normalised input of `list-services`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceQuery {
    /// The search filter, if any.
    pub search: Option<Search>,
    /// Only items of this kind, when set (FILT-2).
    pub item_kind: Option<ItemKind>,
    /// Only active or only retired items, when set (FILT-2).
    pub is_active: Option<bool>,
    /// Only items billed this way, when set (FILT-2).
    pub billing_method: Option<BillingMethod>,
    /// Only items with a price in this currency (three upper-case ASCII letters), when set
    /// (PRICE-2, VAL-5).
    pub currency_code: Option<String>,
    /// Page and page size.
    pub paging: Paging,
}

/// Normalises the input of `list-services`. Fields are checked in WIT order; the first
/// invalid one is reported.
pub fn service_query(input: &ServiceListInput) -> Result<ServiceQuery, InvalidInput> {
    Ok(ServiceQuery {
        search: search(input.search.as_deref())?,
        item_kind: input.item_kind,
        is_active: input.is_active,
        billing_method: input.billing_method,
        currency_code: currency_code(input.currency_code.as_deref())?,
        paging: paging(input.page, input.page_size)?,
    })
}

/// ASCII-only case folding (SPEC.md section 2): `A`-`Z` become `a`-`z`, every other
/// character is kept.
pub fn fold(s: &str) -> String {
    s.to_ascii_lowercase()
}

/// Removes leading and trailing `White_Space` characters (SPEC.md section 2).
pub fn trim(s: &str) -> &str {
    s.trim()
}

/// Whether `c` is a control character: general category `Cc` (SPEC.md section 2).
pub fn is_control(c: char) -> bool {
    c.is_control()
}

/// Whether `s` is a UUID in canonical text form: `8-4-4-4-12` hex digits of either case.
pub fn is_canonical_uuid(s: &str) -> bool {
    let bytes = s.as_bytes();
    bytes.len() == 36
        && bytes.iter().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => *b == b'-',
            _ => b.is_ascii_hexdigit(),
        })
}

/// Whether a capability name stored on an install grants `capability`, under the
/// RECOMMENDED normalisation of CAP-3 (trim, then ASCII lower-case).
pub fn capability_grants(stored: &str, capability: &str) -> bool {
    fold(trim(stored)) == capability
}

/// Repeats at most [`ECHO_MAX_CHARS`] characters of a guest's input in a message (VAL-4).
fn echo(raw: &str) -> String {
    let length = raw.chars().count();
    if length <= ECHO_MAX_CHARS { format!("{raw:?}") } else { format!("a text of {length} characters") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paging_bounds_and_defaults() {
        assert_eq!(paging(None, None).unwrap(), Paging { page: 1, page_size: 25 });
        assert_eq!(paging(Some(10_000), Some(100)).unwrap(), Paging { page: 10_000, page_size: 100 });
        assert_eq!(paging(Some(0), None).unwrap_err().message, "page must be between 1 and 10000, got 0");
        assert_eq!(paging(Some(10_001), None).unwrap_err().field, "page");
        assert_eq!(
            paging(None, Some(500)).unwrap_err().message,
            "page-size must be between 1 and 100, got 500"
        );
        assert_eq!(paging(None, Some(0)).unwrap_err().field, "page-size");
        assert_eq!(paging(Some(3), Some(10)).unwrap().offset(), 20);
    }

    #[test]
    fn search_trims_bounds_and_rejects_controls() {
        assert_eq!(search(None).unwrap(), None);
        assert_eq!(search(Some(" \t\n ")).unwrap(), None);
        let s = search(Some("\tAcme %_\\ \n")).unwrap().unwrap();
        assert_eq!(s.text, "Acme %_\\");
        assert_eq!(s.folded, "acme %_\\");
        assert_eq!(s.uuid, None);
        let exactly = format!("  {}  ", "é".repeat(200));
        assert!(search(Some(&exactly)).unwrap().is_some());
        let over = "x".repeat(201);
        assert_eq!(
            search(Some(&over)).unwrap_err().message,
            "search must be at most 200 characters after trimming, got 201"
        );
        assert_eq!(
            search(Some("ab\0c")).unwrap_err().message,
            "search must not contain control characters, found U+0000 at character 3"
        );
        assert_eq!(search(Some("a\u{7f}")).unwrap_err().field, "search");
        let huge = "y".repeat(1 << 20);
        assert_eq!(search(Some(&huge)).unwrap_err().field, "search");
    }

    #[test]
    fn search_that_is_a_uuid() {
        let s = search(Some(" 3F2504E0-4F89-11D3-9A0C-0305E82C3301 ")).unwrap().unwrap();
        assert_eq!(s.uuid.as_deref(), Some("3f2504e0-4f89-11d3-9a0c-0305e82c3301"));
    }

    #[test]
    fn record_ids() {
        assert_eq!(
            record_id("client-id", "3F2504E0-4F89-11D3-9A0C-0305E82C3301").unwrap(),
            "3f2504e0-4f89-11d3-9a0c-0305e82c3301"
        );
        assert!(record_id("client-id", "00000000-0000-0000-0000-000000000000").is_ok());
        for bad in [
            "",
            " 3f2504e0-4f89-11d3-9a0c-0305e82c3301",
            "{3f2504e0-4f89-11d3-9a0c-0305e82c3301}",
            "3f2504e04f8911d39a0c0305e82c3301",
            "3f2504e0-4f89-11d3-9a0c-0305e82c330",
            "3f2504e0-4f89-11d3-9a0c-0305e82c330g",
            "urn:uuid:3f2504e0-4f89-11d3-9a0c-0305e82c3301",
        ] {
            let err = record_id("service-id", bad).unwrap_err();
            assert_eq!(err.field, "service-id");
            assert!(err.message.starts_with("service-id "), "{}", err.message);
        }
        let long = record_id("client-id", &"z".repeat(10_000)).unwrap_err().message;
        assert!(long.ends_with("got a text of 10000 characters"), "{long}");
    }

    #[test]
    fn currency_codes_are_trimmed_three_ascii_letters_in_upper_case() {
        assert_eq!(currency_code(None).unwrap(), None);
        assert_eq!(currency_code(Some("EUR")).unwrap().as_deref(), Some("EUR"));
        assert_eq!(currency_code(Some(" eur\t")).unwrap().as_deref(), Some("EUR"));
        assert_eq!(currency_code(Some("\u{a0}uSd\n")).unwrap().as_deref(), Some("USD"));
        for bad in ["", "   ", "EU", "EURO", "E1R", "E R", "ÉUR", "E_R", "€", "usd\0", "U\u{301}SD"] {
            let err = currency_code(Some(bad)).unwrap_err();
            assert_eq!(err.field, "currency-code", "{bad:?}");
            assert!(err.message.starts_with("currency-code must be three ASCII letters"), "{}", err.message);
        }
        assert_eq!(
            currency_code(Some("EURO")).unwrap_err().message,
            "currency-code must be three ASCII letters (an ISO 4217 code such as EUR) after trimming, got \"EURO\""
        );
        let long = currency_code(Some(&"x".repeat(5000))).unwrap_err().message;
        assert!(long.ends_with("got a text of 5000 characters"), "{long}");
    }

    #[test]
    fn service_inputs_are_checked_in_wit_order() {
        let input =
            ServiceListInput { currency_code: Some("euro".into()), page: Some(0), ..Default::default() };
        assert_eq!(service_query(&input).unwrap_err().field, "currency-code");
        let input = ServiceListInput {
            search: Some("a\0".into()),
            currency_code: Some("euro".into()),
            ..Default::default()
        };
        assert_eq!(service_query(&input).unwrap_err().field, "search");
        let input = ServiceListInput { currency_code: Some(" gbp ".into()), ..Default::default() };
        assert_eq!(service_query(&input).unwrap().currency_code.as_deref(), Some("GBP"));
    }

    #[test]
    fn folding_is_ascii_only() {
        assert_eq!(fold("ÉCOLE Abc"), "École abc");
        assert!(capability_grants(" CAP:Client.Read ", "cap:client.read"));
        assert!(!capability_grants("cap:clients.read", "cap:client.read"));
    }
}
