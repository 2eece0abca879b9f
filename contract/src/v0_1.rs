//! The contract's 0.1 track, still served next to the newest (SPEC.md section 11): the
//! frozen WIT of release 0.1.0 (`compat/0.1.0/wit`, shipped in the crate as `wit-0.1.0/`),
//! serde types generated from it, and the conversions between the newest serde types
//! ([`crate::types`]) and these, generated from both WITs by `build.rs`:
//!
//! - what a 0.1 guest sends (`client-list-input`, `service-list-input`) converts to the
//!   newest input, new input fields taking `none` (no currency filter);
//! - what a host returns converts to what a 0.1 guest expects, fields 0.1 lacks left out
//!   (`service-summary.prices`).
//!
//! A host implements the newest contract once and serves 0.1 guests through these (with
//! feature `host`, `crate::host::v0_1` does it for any `crate::host::ReadHost`). Tools that
//! compare a 0.1 guest's answers with expected newest values (the conformance suite) turn
//! them into these types first.

use crate::wit::{ContractWit, WitFile};

/// Serde types for every record, enum and variant of interface `alga:extension/types` at
/// 0.1.0, in the same JSON form as [`crate::types`].
pub mod types {
    include!(concat!(env!("OUT_DIR"), "/v0_1_types.rs"));
}

include!(concat!(env!("OUT_DIR"), "/v0_1_wit_files.rs"));
include!(concat!(env!("OUT_DIR"), "/v0_1_track_conversions.rs"));

/// The release of the 0.1 track the crate serves: its WIT package version.
pub const VERSION: &str = WIT_PACKAGE_VERSION;

/// Parses the embedded WIT of 0.1.0 (world `reader` selected).
pub fn wit() -> anyhow::Result<ContractWit> {
    crate::wit::parse(WIT_FILES, "wit-0.1.0")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types as newest;

    fn newest_service() -> newest::ServiceSummary {
        newest::ServiceSummary {
            service_id: "3f2504e0-4f89-11d3-9a0c-0305e82c3301".into(),
            service_name: "Backup".into(),
            item_kind: newest::ItemKind::Product,
            billing_method: newest::BillingMethod::Usage,
            service_type_id: None,
            service_type_name: None,
            default_rate: 1999.0,
            prices: vec![
                newest::ServicePrice { currency_code: "EUR".into(), rate: 1800.0 },
                newest::ServicePrice { currency_code: "USD".into(), rate: 2100.0 },
            ],
            unit_of_measure: "month".into(),
            is_active: true,
            sku: Some("BK-1".into()),
        }
    }

    #[test]
    fn a_0_1_guest_gets_the_summary_without_prices_and_the_same_default_rate() {
        let old = types::ServiceSummary::from(newest_service());
        let json = serde_json::to_value(&old).unwrap();
        let mut expected = serde_json::to_value(newest_service()).unwrap();
        expected.as_object_mut().unwrap().remove("prices");
        assert_eq!(json, expected, "every 0.1 field is carried over unchanged");
        let page = types::ServicePage::from(newest::ServicePage {
            items: vec![newest_service()],
            total_count: 7,
            page: 2,
            page_size: 1,
        });
        assert_eq!((page.total_count, page.page, page.page_size, page.items.len()), (7, 2, 1, 1));
        assert_eq!(page.items[0], old);
    }

    #[test]
    fn a_0_1_input_is_the_newest_input_without_a_currency_filter() {
        let old = types::ServiceListInput {
            search: Some("backup".into()),
            item_kind: Some(types::ItemKind::Service),
            is_active: Some(false),
            billing_method: Some(types::BillingMethod::Hourly),
            page: Some(3),
            page_size: Some(40),
        };
        let converted = newest::ServiceListInput::from(old.clone());
        let mut expected = serde_json::to_value(&old).unwrap();
        expected.as_object_mut().unwrap().insert("currencyCode".into(), serde_json::Value::Null);
        assert_eq!(serde_json::to_value(&converted).unwrap(), expected);
        let clients = types::ClientListInput { include_inactive: Some(true), ..Default::default() };
        assert_eq!(newest::ClientListInput::from(clients).include_inactive, Some(true));
    }

    #[test]
    fn errors_reach_a_0_1_guest_unchanged() {
        for error in [
            newest::ReadError::NotAllowed,
            newest::ReadError::InvalidInput("page must be between 1 and 10000, got 0".into()),
            newest::ReadError::Internal,
        ] {
            let old = types::ReadError::from(error.clone());
            assert_eq!(serde_json::to_value(old).unwrap(), serde_json::to_value(error).unwrap());
        }
    }

    #[test]
    fn the_embedded_wit_is_release_0_1_0() {
        assert_eq!(VERSION, "0.1.0");
        let wit = wit().unwrap();
        assert_eq!(wit.resolve.packages[wit.package].name.to_string(), "alga:extension@0.1.0");
    }
}
