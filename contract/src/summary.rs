//! The reference reading of DATA-1 and PRICE-1: how a host derives the computed fields of a
//! summary from stored data (account manager name, tag list, price list) and how it orders
//! records (PAGE-4).
//!
//! Like [`crate::input`], these are for hosts to reuse; the conformance oracle has its own.

use crate::types::ServicePrice;
use std::cmp::Ordering;

/// `account-manager-name`: first name, one space, last name, trimmed; `None` when there is
/// no manager or the result is empty.
pub fn account_manager_name(first_name: Option<&str>, last_name: Option<&str>) -> Option<String> {
    if first_name.is_none() && last_name.is_none() {
        return None;
    }
    let joined = format!("{} {}", first_name.unwrap_or(""), last_name.unwrap_or(""));
    let trimmed = crate::input::trim(&joined);
    (!trimmed.is_empty()).then(|| trimmed.to_string())
}

/// `tags`: the tag texts without duplicates, sorted by code point.
pub fn tag_list<I, S>(texts: I) -> Vec<String>
where
    I: IntoIterator<Item = S>,
    S: Into<String>,
{
    let mut tags: Vec<String> = texts.into_iter().map(Into::into).collect();
    tags.sort_unstable();
    tags.dedup();
    tags
}

/// `prices` (PRICE-1): the item's prices ordered by currency code. A store keeps one price
/// per item and currency (a unique key), so there is nothing to merge.
pub fn price_list(mut prices: Vec<ServicePrice>) -> Vec<ServicePrice> {
    prices.sort_by(|a, b| a.currency_code.cmp(&b.currency_code));
    prices
}

/// The order of PAGE-4: by folded name, then by id. Ids must already be lower-case.
pub fn listing_order(a_name: &str, a_id: &str, b_name: &str, b_id: &str) -> Ordering {
    // Comparing byte-wise is comparing by code point (UTF-8 preserves the order), and
    // ASCII folding never changes a byte's length, so no allocation is needed.
    let folded = |s: &str| s.bytes().map(|b| b.to_ascii_lowercase()).collect::<Vec<u8>>();
    folded(a_name).cmp(&folded(b_name)).then_with(|| a_id.cmp(b_id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manager_names() {
        assert_eq!(account_manager_name(Some("Ann"), Some("Lee")).as_deref(), Some("Ann Lee"));
        assert_eq!(account_manager_name(Some(" Ann "), Some("")).as_deref(), Some("Ann"));
        assert_eq!(account_manager_name(Some(""), Some(" ")), None);
        assert_eq!(account_manager_name(None, None), None);
        assert_eq!(account_manager_name(Some("Ann "), Some(" Lee")).as_deref(), Some("Ann   Lee"));
    }

    #[test]
    fn tags_sorted_unique() {
        assert_eq!(tag_list(["vip", "VIP", "b", "vip", "é"]), vec!["VIP", "b", "vip", "é"]);
    }

    #[test]
    fn prices_ordered_by_currency_code() {
        let price = |code: &str, rate: f64| ServicePrice { currency_code: code.into(), rate };
        assert_eq!(
            price_list(vec![price("USD", 1.0), price("CAD", 2.0), price("EUR", 3.0)]),
            vec![price("CAD", 2.0), price("EUR", 3.0), price("USD", 1.0)]
        );
    }

    #[test]
    fn order() {
        assert_eq!(listing_order("acme", "2", "ACME", "1"), Ordering::Greater);
        assert_eq!(listing_order("Zeta", "1", "alpha", "2"), Ordering::Greater);
        assert_eq!(listing_order("Éa", "1", "zz", "2"), Ordering::Greater);
        assert_eq!(listing_order("a_b", "1", "a b", "2"), Ordering::Greater);
    }
}
