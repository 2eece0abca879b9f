//! What the stores' upgrade tests share (test builds only): a database of the 0.1.0 host,
//! upgraded in place, must answer exactly as a new database loaded with the same data.

use crate::ReadServices;
use crate::demo::Demo;
use alga_conformance_protocol::Fixture;
use alga_extension_contract::types::{ClientListInput, ServiceListInput};

/// `fixture` without its prices: the data a database of the 0.1.0 host held.
pub(crate) fn without_prices(fixture: &Fixture) -> Fixture {
    let mut old = fixture.clone();
    for service in old.tenants.iter_mut().flat_map(|t| t.services.iter_mut()) {
        service.prices.clear();
    }
    old
}

/// Every client and catalog item of every demo context, as `upgraded` and `fresh` list
/// them, are equal, and no item has prices yet.
pub(crate) fn assert_same_answers(upgraded: &ReadServices, fresh: &ReadServices, demo: &Demo) {
    let all_clients =
        ClientListInput { include_inactive: Some(true), page_size: Some(100), ..Default::default() };
    let all_services = ServiceListInput { page_size: Some(100), ..Default::default() };
    for context in demo.contexts.iter().map(|c| &c.context) {
        let (a, b) = (upgraded.actor(context).unwrap(), fresh.actor(context).unwrap());
        assert_eq!(upgraded.list_clients(&a, &all_clients), fresh.list_clients(&b, &all_clients));
        let listed = upgraded.list_services(&a, &all_services);
        assert_eq!(listed, fresh.list_services(&b, &all_services));
        if let Ok(page) = listed {
            assert!(page.items.iter().all(|s| s.prices.is_empty()), "no prices before any are stored");
        }
    }
}
