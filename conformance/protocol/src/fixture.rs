//! The data a host is loaded with: several tenants, each with users, roles, permissions,
//! clients, service types, services and extension installs. It is the model of SPEC.md
//! section 1, in the form both the oracle and a host's loader read.
//!
//! A fixture is plain data: loading one replaces everything the host held before.
//! [`Fixture::validate`] checks what a loader may rely on (canonical lower-case ids, unique
//! ids, references inside the tenant); a host must reject a fixture that fails it, and the
//! runner treats a failed load as an error of the run, never as a skip.

use crate::context::UserType;
use alga_extension_contract::types::{BillingMethod, ClientType, ItemKind};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

/// A multi-tenant data set.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Fixture {
    /// The tenants, each with its own data.
    pub tenants: Vec<Tenant>,
}

/// One tenant's data.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Tenant {
    /// The tenant's id (a lower-case UUID).
    pub tenant_id: String,
    /// A display name (demo data only; no rule reads it).
    #[serde(default)]
    pub tenant_name: String,
    /// Users, internal and client-portal.
    #[serde(default)]
    pub users: Vec<User>,
    /// Roles, each granting permissions.
    #[serde(default)]
    pub roles: Vec<Role>,
    /// Permissions (resource + action, with the user kinds they apply to).
    #[serde(default)]
    pub permissions: Vec<Permission>,
    /// Clients.
    #[serde(default)]
    pub clients: Vec<Client>,
    /// Service types.
    #[serde(default)]
    pub service_types: Vec<ServiceType>,
    /// Catalog items.
    #[serde(default)]
    pub services: Vec<Service>,
    /// Extension installs.
    #[serde(default)]
    pub installs: Vec<Install>,
}

/// A user of the tenant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct User {
    /// The user's id.
    pub user_id: String,
    /// First name (may be empty or carry white space).
    pub first_name: String,
    /// Last name (may be empty or carry white space).
    pub last_name: String,
    /// Login email.
    pub email: String,
    /// Internal (staff) or client-portal user.
    pub user_type: UserType,
    /// Deactivated users are refused (AUTH-2).
    #[serde(default)]
    pub is_inactive: bool,
    /// For a portal user: the client they belong to (through their contact in Alga).
    #[serde(default)]
    pub client_id: Option<String>,
    /// The user's roles in this tenant.
    #[serde(default)]
    pub role_ids: Vec<String>,
}

/// A role.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Role {
    /// The role's id.
    pub role_id: String,
    /// The role's name.
    pub role_name: String,
    /// Permissions the role grants.
    #[serde(default)]
    pub permission_ids: Vec<String>,
}

/// A permission: `resource:action`, applying to internal users (`msp`) and/or portal users
/// (`client`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Permission {
    /// The permission's id.
    pub permission_id: String,
    /// The resource, e.g. `client`.
    pub resource: String,
    /// The action, e.g. `read`.
    pub action: String,
    /// Counts for internal users.
    pub msp: bool,
    /// Counts for client-portal users.
    pub client: bool,
}

/// A client.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Client {
    /// The client's id.
    pub client_id: String,
    /// The name, exactly as stored.
    pub client_name: String,
    /// Company, individual, or unknown.
    #[serde(default)]
    pub client_type: Option<ClientType>,
    /// Deactivated.
    #[serde(default)]
    pub is_inactive: bool,
    /// ISO 4217 currency code.
    pub default_currency_code: String,
    /// An internal user of the tenant.
    #[serde(default)]
    pub account_manager_id: Option<String>,
    /// Billing email.
    #[serde(default)]
    pub billing_email: Option<String>,
    /// Texts of the client's tags (a loader stores each distinct text once per tenant).
    #[serde(default)]
    pub tags: Vec<String>,
}

/// A service type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ServiceType {
    /// The type's id.
    pub service_type_id: String,
    /// Its name (unique within the tenant).
    pub name: String,
}

/// A catalog item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Service {
    /// The item's id.
    pub service_id: String,
    /// The name, exactly as stored (not unique).
    pub service_name: String,
    /// A description searched by SRCH-1 but not part of the summary.
    #[serde(default)]
    pub description: Option<String>,
    /// Service or product.
    pub item_kind: ItemKind,
    /// Fixed, hourly or usage.
    pub billing_method: BillingMethod,
    /// A service type of the tenant.
    #[serde(default)]
    pub service_type_id: Option<String>,
    /// Default rate in integer minor units (|value| < 2^53).
    pub default_rate_cents: i64,
    /// Unit of measure.
    pub unit_of_measure: String,
    /// Active in the catalog.
    pub is_active: bool,
    /// Stock keeping unit.
    #[serde(default)]
    pub sku: Option<String>,
    /// The item's prices, at most one per currency (contract 0.2.0, PRICE-1). Optional in
    /// the JSON and left out when empty, so that a fixture without prices is exactly what
    /// it was at 0.1.0 (a testee written for 0.1.0 reads it unchanged).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub prices: Vec<Price>,
}

/// The price of a catalog item in one currency (Alga's `service_prices` row).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Price {
    /// ISO 4217 code: exactly three upper-case ASCII letters, as stored (`EUR`).
    pub currency_code: String,
    /// The price in integer minor units of that currency (|value| < 2^53).
    pub rate_minor_units: i64,
}

/// An extension install.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Install {
    /// The install's id.
    pub install_id: String,
    /// Capability names exactly as stored (CAP-3 is about their spelling).
    #[serde(default)]
    pub granted_capabilities: Vec<String>,
}

/// Largest default rate or price a fixture may hold: every such value is exact in an `f64`.
pub const MAX_RATE_CENTS: i64 = (1 << 53) - 1;

/// Why a fixture cannot be loaded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid fixture: {0}")]
pub struct FixtureError(pub String);

impl Fixture {
    /// Checks what a loader may rely on: tenant and record ids are lower-case canonical
    /// UUIDs, unique per tenant and kind; every reference (account manager, service type,
    /// role, permission, portal client) points into the same tenant; rates are exact in
    /// an `f64`; no text holds a NUL (which PostgreSQL cannot store).
    pub fn validate(&self) -> Result<(), FixtureError> {
        let mut tenant_ids = HashSet::new();
        for tenant in &self.tenants {
            let t = &tenant.tenant_id;
            check_id("tenant", t)?;
            if !tenant_ids.insert(t.as_str()) {
                return Err(FixtureError(format!("tenant {t} appears twice")));
            }
            let permissions =
                unique_ids(t, "permission", tenant.permissions.iter().map(|p| &p.permission_id))?;
            let roles = unique_ids(t, "role", tenant.roles.iter().map(|r| &r.role_id))?;
            let users = unique_ids(t, "user", tenant.users.iter().map(|u| &u.user_id))?;
            let clients = unique_ids(t, "client", tenant.clients.iter().map(|c| &c.client_id))?;
            let types =
                unique_ids(t, "service type", tenant.service_types.iter().map(|s| &s.service_type_id))?;
            unique_ids(t, "service", tenant.services.iter().map(|s| &s.service_id))?;
            unique_ids(t, "install", tenant.installs.iter().map(|i| &i.install_id))?;
            let mut type_names = HashSet::new();
            for service_type in &tenant.service_types {
                if !type_names.insert(service_type.name.as_str()) {
                    return Err(FixtureError(format!(
                        "tenant {t}: two service types are named {:?}",
                        service_type.name
                    )));
                }
            }
            for role in &tenant.roles {
                for p in &role.permission_ids {
                    reference(t, "role", &role.role_id, "permission", p, &permissions)?;
                }
            }
            for user in &tenant.users {
                for r in &user.role_ids {
                    reference(t, "user", &user.user_id, "role", r, &roles)?;
                }
                if let Some(c) = &user.client_id {
                    reference(t, "user", &user.user_id, "client", c, &clients)?;
                }
            }
            for client in &tenant.clients {
                if let Some(m) = &client.account_manager_id {
                    reference(t, "client", &client.client_id, "user", m, &users)?;
                }
            }
            for service in &tenant.services {
                if let Some(s) = &service.service_type_id {
                    reference(t, "service", &service.service_id, "service type", s, &types)?;
                }
                if service.default_rate_cents.abs() > MAX_RATE_CENTS {
                    return Err(FixtureError(format!(
                        "tenant {t}: service {} has a rate of {} cents, beyond 2^53",
                        service.service_id, service.default_rate_cents
                    )));
                }
                let mut currencies = HashSet::new();
                for price in &service.prices {
                    let code = &price.currency_code;
                    if code.len() != 3 || !code.bytes().all(|b| b.is_ascii_uppercase()) {
                        return Err(FixtureError(format!(
                            "tenant {t}: service {} has a price in currency {code:?}, not three \
                             upper-case ASCII letters",
                            service.service_id
                        )));
                    }
                    if !currencies.insert(code.as_str()) {
                        return Err(FixtureError(format!(
                            "tenant {t}: service {} has two prices in {code}",
                            service.service_id
                        )));
                    }
                    if price.rate_minor_units.abs() > MAX_RATE_CENTS {
                        return Err(FixtureError(format!(
                            "tenant {t}: service {} has a {code} price of {} minor units, beyond 2^53",
                            service.service_id, price.rate_minor_units
                        )));
                    }
                }
            }
        }
        if let Some(text) = self.texts().find(|s| s.contains('\0')) {
            return Err(FixtureError(format!("a text contains NUL, which stores cannot hold: {text:?}")));
        }
        Ok(())
    }

    /// Every free text of the fixture (names, emails, tags, descriptions, ...).
    fn texts(&self) -> impl Iterator<Item = &str> {
        self.tenants.iter().flat_map(|t| {
            let users =
                t.users.iter().flat_map(|u| [u.first_name.as_str(), u.last_name.as_str(), u.email.as_str()]);
            let roles = t.roles.iter().map(|r| r.role_name.as_str());
            let permissions = t.permissions.iter().flat_map(|p| [p.resource.as_str(), p.action.as_str()]);
            let clients = t.clients.iter().flat_map(|c| {
                [c.client_name.as_str(), c.default_currency_code.as_str()]
                    .into_iter()
                    .chain(c.billing_email.as_deref())
                    .chain(c.tags.iter().map(String::as_str))
            });
            let types = t.service_types.iter().map(|s| s.name.as_str());
            let services = t.services.iter().flat_map(|s| {
                [s.service_name.as_str(), s.unit_of_measure.as_str()]
                    .into_iter()
                    .chain(s.description.as_deref())
                    .chain(s.sku.as_deref())
            });
            let installs = t.installs.iter().flat_map(|i| i.granted_capabilities.iter().map(String::as_str));
            [t.tenant_name.as_str()]
                .into_iter()
                .chain(users)
                .chain(roles)
                .chain(permissions)
                .chain(clients)
                .chain(types)
                .chain(services)
                .chain(installs)
        })
    }

    /// The tenant with this id.
    pub fn tenant(&self, tenant_id: &str) -> Option<&Tenant> {
        self.tenants.iter().find(|t| t.tenant_id == tenant_id)
    }
}

fn check_id(kind: &str, id: &str) -> Result<(), FixtureError> {
    let canonical = id.len() == 36
        && id.bytes().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => b == b'-',
            _ => b.is_ascii_digit() || (b'a'..=b'f').contains(&b),
        });
    if canonical {
        Ok(())
    } else {
        Err(FixtureError(format!("{kind} id {id:?} is not a lower-case canonical UUID")))
    }
}

fn unique_ids<'a>(
    tenant: &str,
    kind: &str,
    ids: impl Iterator<Item = &'a String>,
) -> Result<HashSet<&'a str>, FixtureError> {
    let mut seen = HashSet::new();
    for id in ids {
        check_id(kind, id)?;
        if !seen.insert(id.as_str()) {
            return Err(FixtureError(format!("tenant {tenant}: {kind} {id} appears twice")));
        }
    }
    Ok(seen)
}

fn reference(
    tenant: &str,
    from_kind: &str,
    from: &str,
    to_kind: &str,
    to: &str,
    known: &HashSet<&str>,
) -> Result<(), FixtureError> {
    if known.contains(to) {
        Ok(())
    } else {
        Err(FixtureError(format!(
            "tenant {tenant}: {from_kind} {from} refers to {to_kind} {to}, which the tenant does not have"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: &str = "00000000-0000-4000-8000-000000000001";
    const C: &str = "00000000-0000-4000-8000-0000000000c1";
    const U: &str = "00000000-0000-4000-8000-0000000000a1";

    fn tenant() -> Tenant {
        Tenant {
            tenant_id: T.into(),
            clients: vec![Client {
                client_id: C.into(),
                client_name: "Acme".into(),
                client_type: None,
                is_inactive: false,
                default_currency_code: "USD".into(),
                account_manager_id: Some(U.into()),
                billing_email: None,
                tags: vec![],
            }],
            ..Tenant::default()
        }
    }

    #[test]
    fn dangling_reference_is_rejected() {
        let fixture = Fixture { tenants: vec![tenant()] };
        let err = fixture.validate().unwrap_err();
        assert!(err.0.contains("refers to user"), "{err}");
    }

    #[test]
    fn upper_case_ids_are_rejected() {
        let mut t = tenant();
        t.clients[0].account_manager_id = None;
        t.clients[0].client_id = C.to_uppercase();
        let err = Fixture { tenants: vec![t] }.validate().unwrap_err();
        assert!(err.0.contains("lower-case canonical UUID"), "{err}");
    }

    fn service() -> Service {
        Service {
            service_id: "00000000-0000-4000-8000-0000000000e1".into(),
            service_name: "Backup".into(),
            description: None,
            item_kind: ItemKind::Service,
            billing_method: BillingMethod::Fixed,
            service_type_id: None,
            default_rate_cents: 1999,
            unit_of_measure: "month".into(),
            is_active: true,
            sku: None,
            prices: vec![Price { currency_code: "EUR".into(), rate_minor_units: 1800 }],
        }
    }

    #[test]
    fn prices_need_an_upper_case_code_once_per_currency_and_an_exact_rate() {
        let with = |prices: Vec<Price>| {
            let mut t = tenant();
            t.clients.clear();
            t.services = vec![Service { prices, ..service() }];
            Fixture { tenants: vec![t] }.validate()
        };
        let price = |code: &str, rate: i64| Price { currency_code: code.into(), rate_minor_units: rate };
        with(vec![price("EUR", 1), price("USD", -5), price("JPY", MAX_RATE_CENTS)]).unwrap();
        for code in ["eur", "EU", "EURO", "ÉUR", "E1R", " EUR"] {
            let err = with(vec![price(code, 1)]).unwrap_err();
            assert!(err.0.contains("not three upper-case ASCII letters"), "{code:?}: {err}");
        }
        assert!(with(vec![price("EUR", 1), price("EUR", 2)]).unwrap_err().0.contains("two prices in EUR"));
        assert!(with(vec![price("EUR", MAX_RATE_CENTS + 1)]).unwrap_err().0.contains("beyond 2^53"));
    }

    #[test]
    fn a_fixture_written_for_0_1_0_loads_without_prices() {
        let mut json = serde_json::to_value(service()).unwrap();
        json.as_object_mut().unwrap().remove("prices");
        let read: Service = serde_json::from_value(json).unwrap();
        assert!(read.prices.is_empty());
        let written = serde_json::to_value(&read).unwrap();
        assert!(written.get("prices").is_none(), "no prices: the 0.1.0 form, without the field");
        let json = serde_json::to_value(service()).unwrap();
        assert_eq!(json["prices"], serde_json::json!([{"currencyCode": "EUR", "rateMinorUnits": 1800}]));
    }

    #[test]
    fn valid_fixture_round_trips_through_json() {
        let mut t = tenant();
        t.clients[0].account_manager_id = None;
        let fixture = Fixture { tenants: vec![t] };
        fixture.validate().unwrap();
        let json = serde_json::to_string(&fixture).unwrap();
        assert!(json.contains("\"clientName\":\"Acme\""), "{json}");
        assert_eq!(serde_json::from_str::<Fixture>(&json).unwrap(), fixture);
    }
}
