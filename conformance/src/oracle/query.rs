//! SPEC.md section 6 and DATA-3, read independently: the filtered set of a list call
//! (AUTH-4, FILT-1, FILT-2, SRCH-1, SRCH-2, PRICE-2), its order (PAGE-4), its pages (PAGE-1,
//! PAGE-2), and the record `get-*` finds.

use super::access::Scope;
use super::records::{client_summary, service_summary};
use super::text::{is_canonical_uuid, order_key, same_uuid, substring_match};
use super::validation::ListInput;
use alga_conformance_protocol::fixture::{Client, Service};
use alga_extension_contract::types::{
    ClientListInput, ClientPage, ClientSummary, ServiceListInput, ServicePage, ServiceSummary,
};

/// The clients `scope` may see, in any order (AUTH-4).
fn visible_clients<'a>(scope: &Scope<'a>) -> impl Iterator<Item = &'a Client> + 'a {
    let only = scope.portal_client;
    scope.tenant.clients.iter().filter(move |client| match only {
        None => true,
        Some(own) => own == Some(client.client_id.as_str()),
    })
}

/// The whole filtered set of `list-clients`, in contract order.
pub fn filtered_clients<'a>(
    scope: &Scope<'a>,
    input: &ClientListInput,
    search: Option<&str>,
) -> Vec<&'a Client> {
    let include_inactive = input.include_inactive == Some(true);
    let mut set: Vec<&Client> = visible_clients(scope)
        .filter(|c| include_inactive || !c.is_inactive)
        .filter(|c| match search {
            None => true,
            Some(s) => {
                substring_match(s, &c.client_name)
                    || c.billing_email.as_deref().is_some_and(|email| substring_match(s, email))
                    || (is_canonical_uuid(s) && same_uuid(s, &c.client_id))
            }
        })
        .collect();
    set.sort_by_key(|c| order_key(&c.client_name, &c.client_id));
    set
}

/// The whole filtered set of `list-services`, in contract order. `currency` is the code
/// the currency filter compares (VAL-5 read it: upper case), or `None` for no filter.
pub fn filtered_services<'a>(
    scope: &Scope<'a>,
    input: &ServiceListInput,
    search: Option<&str>,
    currency: Option<&str>,
) -> Vec<&'a Service> {
    let mut set: Vec<&Service> = scope
        .tenant
        .services
        .iter()
        .filter(|s| input.item_kind.is_none_or(|kind| s.item_kind == kind))
        .filter(|s| input.is_active.is_none_or(|active| s.is_active == active))
        .filter(|s| input.billing_method.is_none_or(|method| s.billing_method == method))
        // PRICE-2: a price of the item itself (its own tenant's) in exactly that code.
        .filter(|s| currency.is_none_or(|code| s.prices.iter().any(|p| p.currency_code == code)))
        .filter(|s| match search {
            None => true,
            Some(text) => {
                substring_match(text, &s.service_name)
                    || s.sku.as_deref().is_some_and(|sku| substring_match(text, sku))
                    || s.description.as_deref().is_some_and(|d| substring_match(text, d))
            }
        })
        .collect();
    set.sort_by_key(|s| order_key(&s.service_name, &s.service_id));
    set
}

/// The records of one page of an ordered set (PAGE-1, PAGE-2).
fn page_of<T: Copy>(set: &[T], input: &ListInput) -> Vec<T> {
    set.iter().skip(input.offset()).take(input.page_size as usize).copied().collect()
}

/// `list-clients` for a caller allowed to call it, with a valid input.
pub fn list_clients(scope: &Scope<'_>, input: &ClientListInput, effective: &ListInput) -> ClientPage {
    let set = filtered_clients(scope, input, effective.search.as_deref());
    ClientPage {
        items: page_of(&set, effective).into_iter().map(|c| client_summary(c, scope.tenant)).collect(),
        total_count: set.len() as u32,
        page: effective.page,
        page_size: effective.page_size,
    }
}

/// `list-services` for a caller allowed to call it, with a valid input (`currency`: the
/// currency filter's code, as VAL-5 reads it).
pub fn list_services(
    scope: &Scope<'_>,
    input: &ServiceListInput,
    effective: &ListInput,
    currency: Option<&str>,
) -> ServicePage {
    let set = filtered_services(scope, input, effective.search.as_deref(), currency);
    ServicePage {
        items: page_of(&set, effective).into_iter().map(|s| service_summary(s, scope.tenant)).collect(),
        total_count: set.len() as u32,
        page: effective.page,
        page_size: effective.page_size,
    }
}

/// `get-client` of a canonical id (VAL-3: compared case-insensitively; ISO-2, AUTH-4,
/// DATA-3: `none` when the caller sees no such client).
pub fn get_client(scope: &Scope<'_>, id: &str) -> Option<ClientSummary> {
    visible_clients(scope).find(|c| same_uuid(&c.client_id, id)).map(|c| client_summary(c, scope.tenant))
}

/// `get-service` of a canonical id.
pub fn get_service(scope: &Scope<'_>, id: &str) -> Option<ServiceSummary> {
    scope
        .tenant
        .services
        .iter()
        .find(|s| same_uuid(&s.service_id, id))
        .map(|s| service_summary(s, scope.tenant))
}
