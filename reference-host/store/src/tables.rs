//! How a [`Fixture`] becomes rows of the schema's tables, once for both stores: the stores
//! only differ in how they write the rows (prepared `INSERT`s in SQLite, `COPY` in
//! PostgreSQL).
//!
//! Derived rows: each distinct tag text of a tenant becomes one `tag_definitions` row and
//! each (client, tag) pair one `tag_mappings` row; each price of a catalog item one
//! `service_prices` row; a portal user's client is reached, as in Alga, through a
//! `contacts` row (whose id is the user's id); ids the fixture does not carry (tags,
//! mappings, prices, registry entries) are numbered per tenant.

use alga_conformance_protocol::Fixture;
use alga_conformance_protocol::context::UserType;
use std::collections::{BTreeMap, BTreeSet};

/// One value of a row.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Cell {
    Null,
    Text(String),
    /// A lower-case canonical UUID (a `uuid` column in PostgreSQL, text in SQLite).
    Uuid(String),
    Bool(bool),
    Int(i64),
    /// A JSON document (a `jsonb` column in PostgreSQL, text in SQLite).
    Json(String),
}

impl Cell {
    fn text(s: &str) -> Cell {
        Cell::Text(s.to_string())
    }

    fn uuid(s: &str) -> Cell {
        Cell::Uuid(s.to_string())
    }

    fn opt_text(s: Option<&str>) -> Cell {
        s.map_or(Cell::Null, Cell::text)
    }

    fn opt_uuid(s: Option<&str>) -> Cell {
        s.map_or(Cell::Null, Cell::uuid)
    }
}

/// The rows of one table.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Table {
    pub name: &'static str,
    pub columns: &'static [&'static str],
    pub rows: Vec<Vec<Cell>>,
}

impl Table {
    fn new(name: &'static str, columns: &'static [&'static str]) -> Self {
        Table { name, columns, rows: Vec::new() }
    }

    fn push(&mut self, row: Vec<Cell>) {
        debug_assert_eq!(row.len(), self.columns.len(), "a row of {}", self.name);
        self.rows.push(row);
    }
}

/// Every table of the schema, in an order that satisfies the foreign keys when inserted
/// front to back (the one cycle, `users.contact_id`, is deferred to commit).
pub(crate) const TABLE_NAMES: &[&str] = &[
    "tenants",
    "permissions",
    "roles",
    "role_permissions",
    "users",
    "user_roles",
    "clients",
    "contacts",
    "tag_definitions",
    "tag_mappings",
    "service_types",
    "service_catalog",
    "service_prices",
    "tenant_extension_install",
];

/// A UUID numbered `n` within its kind (`kind` is one hex digit), for derived rows.
fn numbered_id(kind: u8, n: usize) -> String {
    format!("00000000-0000-4000-8{kind:03x}-{n:012x}")
}

/// The rows of `fixture` (which must have passed [`Fixture::validate`]), table by table in
/// [`TABLE_NAMES`] order.
pub(crate) fn rows(fixture: &Fixture) -> Vec<Table> {
    let mut tenants = Table::new("tenants", &["tenant", "tenant_name"]);
    let mut permissions =
        Table::new("permissions", &["tenant", "permission_id", "resource", "action", "msp", "client"]);
    let mut roles = Table::new("roles", &["tenant", "role_id", "role_name", "msp", "client"]);
    let mut role_permissions = Table::new("role_permissions", &["tenant", "role_id", "permission_id"]);
    let mut users = Table::new(
        "users",
        &[
            "tenant",
            "user_id",
            "username",
            "first_name",
            "last_name",
            "email",
            "user_type",
            "is_inactive",
            "contact_id",
        ],
    );
    let mut user_roles = Table::new("user_roles", &["tenant", "user_id", "role_id"]);
    let mut clients = Table::new(
        "clients",
        &[
            "tenant",
            "client_id",
            "client_name",
            "client_type",
            "is_inactive",
            "default_currency_code",
            "account_manager_id",
            "billing_email",
        ],
    );
    let mut contacts =
        Table::new("contacts", &["tenant", "contact_name_id", "full_name", "email", "client_id"]);
    let mut tag_definitions = Table::new("tag_definitions", &["tenant", "tag_id", "tag_text", "tagged_type"]);
    let mut tag_mappings =
        Table::new("tag_mappings", &["tenant", "mapping_id", "tag_id", "tagged_id", "tagged_type"]);
    let mut service_types = Table::new("service_types", &["tenant", "id", "name"]);
    let mut services = Table::new(
        "service_catalog",
        &[
            "tenant",
            "service_id",
            "service_name",
            "description",
            "default_rate",
            "unit_of_measure",
            "billing_method",
            "custom_service_type_id",
            "item_kind",
            "is_active",
            "sku",
        ],
    );
    let mut prices =
        Table::new("service_prices", &["tenant", "price_id", "service_id", "currency_code", "rate"]);
    let mut installs =
        Table::new("tenant_extension_install", &["tenant", "id", "registry_id", "granted_caps"]);

    for tenant in &fixture.tenants {
        let t = || Cell::uuid(&tenant.tenant_id);
        tenants.push(vec![t(), Cell::text(&tenant.tenant_name)]);
        for p in &tenant.permissions {
            permissions.push(vec![
                t(),
                Cell::uuid(&p.permission_id),
                Cell::text(&p.resource),
                Cell::text(&p.action),
                Cell::Bool(p.msp),
                Cell::Bool(p.client),
            ]);
        }
        for role in &tenant.roles {
            // The fixture's roles apply to both kinds of users; a permission's own flags
            // decide whom it counts for (SPEC.md section 1).
            roles.push(vec![
                t(),
                Cell::uuid(&role.role_id),
                Cell::text(&role.role_name),
                Cell::Bool(true),
                Cell::Bool(true),
            ]);
            let distinct: BTreeSet<&String> = role.permission_ids.iter().collect();
            for p in distinct {
                role_permissions.push(vec![t(), Cell::uuid(&role.role_id), Cell::uuid(p)]);
            }
        }
        for user in &tenant.users {
            let contact = match user.user_type {
                UserType::Client => user.client_id.as_deref().map(|_| user.user_id.as_str()),
                UserType::Internal => None,
            };
            users.push(vec![
                t(),
                Cell::uuid(&user.user_id),
                Cell::text(&user.email),
                Cell::text(&user.first_name),
                Cell::text(&user.last_name),
                Cell::text(&user.email),
                Cell::text(user.user_type.as_str()),
                Cell::Bool(user.is_inactive),
                Cell::opt_uuid(contact),
            ]);
            if let (Some(contact_id), Some(client_id)) = (contact, &user.client_id) {
                contacts.push(vec![
                    t(),
                    Cell::uuid(contact_id),
                    Cell::text(&format!("{} {}", user.first_name, user.last_name)),
                    Cell::text(&user.email),
                    Cell::uuid(client_id),
                ]);
            }
            let distinct: BTreeSet<&String> = user.role_ids.iter().collect();
            for role in distinct {
                user_roles.push(vec![t(), Cell::uuid(&user.user_id), Cell::uuid(role)]);
            }
        }
        let mut tag_ids: BTreeMap<&str, String> = BTreeMap::new();
        let mut mappings: Vec<(String, &str)> = Vec::new();
        for client in &tenant.clients {
            clients.push(vec![
                t(),
                Cell::uuid(&client.client_id),
                Cell::text(&client.client_name),
                Cell::opt_text(client.client_type.map(|c| c.wit_name())),
                Cell::Bool(client.is_inactive),
                Cell::text(&client.default_currency_code),
                Cell::opt_uuid(client.account_manager_id.as_deref()),
                Cell::opt_text(client.billing_email.as_deref()),
            ]);
            let distinct: BTreeSet<&str> = client.tags.iter().map(String::as_str).collect();
            for text in distinct {
                let next = tag_ids.len() + 1;
                let tag_id = tag_ids.entry(text).or_insert_with(|| numbered_id(1, next)).clone();
                mappings.push((tag_id, &client.client_id));
            }
        }
        // In key order, so that both unique indexes of the table are appended to, not
        // inserted into at random (a bulk load of 150,000 mappings is several times faster).
        mappings.sort_unstable();
        for (n, (tag_id, client_id)) in mappings.into_iter().enumerate() {
            tag_mappings.push(vec![
                t(),
                Cell::uuid(&numbered_id(2, n + 1)),
                Cell::Uuid(tag_id),
                Cell::uuid(client_id),
                Cell::text("client"),
            ]);
        }
        for (text, tag_id) in &tag_ids {
            tag_definitions.push(vec![t(), Cell::uuid(tag_id), Cell::text(text), Cell::text("client")]);
        }
        for service_type in &tenant.service_types {
            service_types.push(vec![
                t(),
                Cell::uuid(&service_type.service_type_id),
                Cell::text(&service_type.name),
            ]);
        }
        let mut price_number = 0;
        for service in &tenant.services {
            services.push(vec![
                t(),
                Cell::uuid(&service.service_id),
                Cell::text(&service.service_name),
                Cell::opt_text(service.description.as_deref()),
                Cell::Int(service.default_rate_cents),
                Cell::text(&service.unit_of_measure),
                Cell::text(service.billing_method.wit_name()),
                Cell::opt_uuid(service.service_type_id.as_deref()),
                Cell::text(service.item_kind.wit_name()),
                Cell::Bool(service.is_active),
                Cell::opt_text(service.sku.as_deref()),
            ]);
            for price in &service.prices {
                price_number += 1;
                prices.push(vec![
                    t(),
                    Cell::uuid(&numbered_id(4, price_number)),
                    Cell::uuid(&service.service_id),
                    Cell::text(&price.currency_code),
                    Cell::Int(price.rate_minor_units),
                ]);
            }
        }
        for (n, install) in tenant.installs.iter().enumerate() {
            let caps =
                serde_json::to_string(&install.granted_capabilities).expect("strings serialise to JSON");
            installs.push(vec![
                t(),
                Cell::uuid(&install.install_id),
                Cell::uuid(&numbered_id(3, n + 1)),
                Cell::Json(caps),
            ]);
        }
    }
    let tables = vec![
        tenants,
        permissions,
        roles,
        role_permissions,
        users,
        user_roles,
        clients,
        contacts,
        tag_definitions,
        tag_mappings,
        service_types,
        services,
        prices,
        installs,
    ];
    debug_assert!(tables.iter().map(|t| t.name).eq(TABLE_NAMES.iter().copied()));
    tables
}
