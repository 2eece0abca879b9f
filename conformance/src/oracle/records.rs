//! SPEC.md section 7 (DATA-1), read independently: the summary a host returns for a stored
//! record, including the fields joined from other records of the same tenant.

use super::text::{fold, trim};
use alga_conformance_protocol::fixture::{Client, Service, Tenant};
use alga_extension_contract::types::{ClientSummary, ServicePrice, ServiceSummary};

/// Where a summary's joined fields (account manager name, service type name) are looked
/// up. Normally the record's own tenant; ISO-1 also computes them in other tenants to
/// recognise a host that joined across tenants.
pub fn client_summary(client: &Client, joined_from: &Tenant) -> ClientSummary {
    let manager_name = client.account_manager_id.as_deref().and_then(|manager_id| {
        let manager = joined_from.users.iter().find(|u| u.user_id == manager_id)?;
        let joined = format!("{} {}", manager.first_name, manager.last_name);
        let name = trim(&joined);
        (!name.is_empty()).then(|| name.to_string())
    });
    let mut tags = client.tags.clone();
    tags.sort();
    tags.dedup();
    ClientSummary {
        client_id: fold(&client.client_id),
        client_name: client.client_name.clone(),
        client_type: client.client_type,
        is_inactive: client.is_inactive,
        default_currency_code: client.default_currency_code.clone(),
        account_manager_id: client.account_manager_id.as_deref().map(fold),
        account_manager_name: manager_name,
        billing_email: client.billing_email.clone(),
        tags,
    }
}

/// The summary of a catalog item; see [`client_summary`] for `joined_from`.
pub fn service_summary(service: &Service, joined_from: &Tenant) -> ServiceSummary {
    let type_name = service.service_type_id.as_deref().and_then(|type_id| {
        joined_from.service_types.iter().find(|t| t.service_type_id == type_id).map(|t| t.name.clone())
    });
    ServiceSummary {
        service_id: fold(&service.service_id),
        service_name: service.service_name.clone(),
        item_kind: service.item_kind,
        billing_method: service.billing_method,
        service_type_id: service.service_type_id.as_deref().map(fold),
        service_type_name: type_name,
        default_rate: service.default_rate_cents as f64,
        // PRICE-1: every price, ordered by currency code.
        prices: {
            let mut prices: Vec<ServicePrice> = service
                .prices
                .iter()
                .map(|p| ServicePrice {
                    currency_code: p.currency_code.clone(),
                    rate: p.rate_minor_units as f64,
                })
                .collect();
            prices.sort_by(|a, b| a.currency_code.cmp(&b.currency_code));
            prices
        },
        unit_of_measure: service.unit_of_measure.clone(),
        is_active: service.is_active,
        sku: service.sku.clone(),
    }
}
