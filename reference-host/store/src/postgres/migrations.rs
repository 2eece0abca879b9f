//! The PostgreSQL schema as versioned migrations: each is applied once, in a transaction,
//! and recorded in `alga_schema_migrations`. Concurrent hosts migrating the same database
//! serialise on an advisory lock; concurrent test runs creating the cluster-wide reader role
//! tolerate each other.
//!
//! The tables mirror the subset of Alga's schema the contract reads (table and column names
//! as in Alga; see `docs/scaling.md` for their distribution on Citus). Every key starts
//! with `tenant`. Deliberate differences from Alga, each because the contract must not rely
//! on what Alga's data happens to guarantee: `client_name` is not unique (SPEC.md orders
//! ties by id), `billing_method` has a CHECK (Alga's is unconstrained; an unknown value
//! would fail every list, as it does in Alga), and text columns Alga sizes (`varchar(3)`,
//! `varchar(255)`) are `text` so that no valid fixture is refused.

/// The role every read query runs as (`SET LOCAL ROLE`): not a superuser and not the
/// tables' owner, so row-level security applies to it.
pub const READER_ROLE: &str = "alga_reader";

/// The setting that carries the tenant of the current transaction to the row-level
/// security policies.
pub const TENANT_SETTING: &str = "app.current_tenant";

/// One migration.
pub(crate) struct Migration {
    pub version: i32,
    pub name: &'static str,
    pub sql: &'static str,
}

/// Every migration, oldest first. Never edit a released one: add a new one.
pub(crate) const MIGRATIONS: &[Migration] = &[
    Migration { version: 1, name: "contract read model", sql: SCHEMA_V1 },
    Migration { version: 2, name: "row-level security and the reader role", sql: SECURITY_V2 },
    Migration { version: 3, name: "narrow index for client counts", sql: COUNT_INDEX_V3 },
    Migration { version: 4, name: "maintained row counts", sql: COUNTS_V4 },
    Migration { version: 5, name: "service prices per currency (contract 0.2.0)", sql: PRICES_V5 },
];

/// Contract 0.2.0: the price of a catalog item per currency, as Alga stores it
/// (`service_prices`, rates in integer minor units), with row-level security like every
/// tenant table. Every key starts with `tenant` and the foreign key to the item includes it,
/// so that the table can be distributed by tenant and colocated with `service_catalog` on
/// Citus. The unique key (one price per item and currency) serves both the lookup of an
/// item's prices (PRICE-1) and the currency filter (PRICE-2). An item's prices go with it.
const PRICES_V5: &str = r#"
CREATE TABLE service_prices (
    tenant uuid NOT NULL,
    price_id uuid NOT NULL,
    service_id uuid NOT NULL,
    currency_code text NOT NULL CHECK (currency_code COLLATE "C" ~ '^[A-Z][A-Z][A-Z]$'),
    rate bigint NOT NULL,
    PRIMARY KEY (tenant, price_id),
    UNIQUE (tenant, service_id, currency_code),
    FOREIGN KEY (tenant, service_id) REFERENCES service_catalog (tenant, service_id) ON DELETE CASCADE
);

GRANT SELECT ON service_prices TO alga_reader;
ALTER TABLE service_prices ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON service_prices FOR SELECT TO alga_reader
    USING (tenant = NULLIF(current_setting('app.current_tenant', true), '')::uuid);
"#;

/// `total-count` counts the whole filtered set on every list call. Deduplicated, this index
/// is a few hundred kilobytes for 100,000 clients (the listing index is ten megabytes), so an
/// index-only count reads a fraction of the pages: about twice as fast.
const COUNT_INDEX_V3: &str = "CREATE INDEX clients_count ON clients (tenant, is_inactive);";

const SCHEMA_V1: &str = r#"
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE tenants (
    tenant uuid PRIMARY KEY,
    tenant_name text NOT NULL DEFAULT ''
);

CREATE TABLE users (
    tenant uuid NOT NULL REFERENCES tenants (tenant),
    user_id uuid NOT NULL,
    username text NOT NULL,
    first_name text,
    last_name text,
    email text NOT NULL,
    user_type text NOT NULL CHECK (user_type IN ('internal', 'client')),
    is_inactive boolean NOT NULL DEFAULT false,
    contact_id uuid,
    PRIMARY KEY (tenant, user_id)
);

CREATE TABLE clients (
    tenant uuid NOT NULL REFERENCES tenants (tenant),
    client_id uuid NOT NULL,
    client_name text NOT NULL,
    client_type text CHECK (client_type IN ('company', 'individual')),
    is_inactive boolean NOT NULL DEFAULT false,
    default_currency_code text NOT NULL DEFAULT 'USD',
    account_manager_id uuid,
    billing_email text,
    PRIMARY KEY (tenant, client_id),
    FOREIGN KEY (tenant, account_manager_id) REFERENCES users (tenant, user_id)
);
-- The default listing (active clients) and the full listing, both in PAGE-4 order.
CREATE INDEX clients_listing ON clients (tenant, is_inactive, lower(client_name COLLATE "C"), client_id);
CREATE INDEX clients_listing_all ON clients (tenant, lower(client_name COLLATE "C"), client_id);
-- Substring search (SRCH-1) on exactly the folded expressions the queries use.
CREATE INDEX clients_name_trgm ON clients USING gin (lower(client_name COLLATE "C") gin_trgm_ops);
CREATE INDEX clients_email_trgm ON clients USING gin (lower(billing_email COLLATE "C") gin_trgm_ops);

CREATE TABLE contacts (
    tenant uuid NOT NULL REFERENCES tenants (tenant),
    contact_name_id uuid NOT NULL,
    full_name text NOT NULL,
    email text,
    client_id uuid,
    PRIMARY KEY (tenant, contact_name_id),
    FOREIGN KEY (tenant, client_id) REFERENCES clients (tenant, client_id)
);
-- Users and contacts refer to each other through clients; checked at commit.
ALTER TABLE users ADD FOREIGN KEY (tenant, contact_id) REFERENCES contacts (tenant, contact_name_id)
    DEFERRABLE INITIALLY DEFERRED;

CREATE TABLE roles (
    tenant uuid NOT NULL REFERENCES tenants (tenant),
    role_id uuid NOT NULL,
    role_name text NOT NULL,
    msp boolean NOT NULL DEFAULT true,
    client boolean NOT NULL DEFAULT false,
    PRIMARY KEY (tenant, role_id)
);

CREATE TABLE permissions (
    tenant uuid NOT NULL REFERENCES tenants (tenant),
    permission_id uuid NOT NULL,
    resource text NOT NULL,
    action text NOT NULL,
    msp boolean NOT NULL DEFAULT true,
    client boolean NOT NULL DEFAULT false,
    PRIMARY KEY (tenant, permission_id)
);

CREATE TABLE role_permissions (
    tenant uuid NOT NULL,
    role_id uuid NOT NULL,
    permission_id uuid NOT NULL,
    PRIMARY KEY (tenant, role_id, permission_id),
    FOREIGN KEY (tenant, role_id) REFERENCES roles (tenant, role_id),
    FOREIGN KEY (tenant, permission_id) REFERENCES permissions (tenant, permission_id)
);

CREATE TABLE user_roles (
    tenant uuid NOT NULL,
    user_id uuid NOT NULL,
    role_id uuid NOT NULL,
    PRIMARY KEY (tenant, user_id, role_id),
    FOREIGN KEY (tenant, user_id) REFERENCES users (tenant, user_id),
    FOREIGN KEY (tenant, role_id) REFERENCES roles (tenant, role_id)
);

CREATE TABLE tag_definitions (
    tenant uuid NOT NULL REFERENCES tenants (tenant),
    tag_id uuid NOT NULL,
    tag_text text NOT NULL,
    tagged_type text NOT NULL,
    PRIMARY KEY (tenant, tag_id),
    UNIQUE (tenant, tag_text, tagged_type)
);

CREATE TABLE tag_mappings (
    tenant uuid NOT NULL,
    mapping_id uuid NOT NULL,
    tag_id uuid NOT NULL,
    tagged_id uuid NOT NULL,
    tagged_type text NOT NULL,
    PRIMARY KEY (tenant, mapping_id),
    UNIQUE (tenant, tag_id, tagged_id),
    FOREIGN KEY (tenant, tag_id) REFERENCES tag_definitions (tenant, tag_id)
);
CREATE INDEX tag_mappings_tagged ON tag_mappings (tenant, tagged_id, tagged_type);

CREATE TABLE service_types (
    tenant uuid NOT NULL REFERENCES tenants (tenant),
    id uuid NOT NULL,
    name text NOT NULL,
    PRIMARY KEY (tenant, id),
    UNIQUE (tenant, name)
);

CREATE TABLE service_catalog (
    tenant uuid NOT NULL REFERENCES tenants (tenant),
    service_id uuid NOT NULL,
    service_name text NOT NULL,
    description text,
    default_rate bigint NOT NULL DEFAULT 0,
    unit_of_measure text NOT NULL DEFAULT '',
    billing_method text NOT NULL CHECK (billing_method IN ('fixed', 'hourly', 'usage')),
    custom_service_type_id uuid,
    item_kind text NOT NULL DEFAULT 'service' CHECK (item_kind IN ('service', 'product')),
    is_active boolean NOT NULL DEFAULT true,
    sku text,
    PRIMARY KEY (tenant, service_id),
    FOREIGN KEY (tenant, custom_service_type_id) REFERENCES service_types (tenant, id)
        ON DELETE SET NULL (custom_service_type_id)
);
CREATE INDEX service_catalog_listing ON service_catalog (tenant, lower(service_name COLLATE "C"), service_id);
CREATE INDEX service_catalog_name_trgm ON service_catalog USING gin (lower(service_name COLLATE "C") gin_trgm_ops);
CREATE INDEX service_catalog_sku_trgm ON service_catalog USING gin (lower(sku COLLATE "C") gin_trgm_ops);
CREATE INDEX service_catalog_description_trgm
    ON service_catalog USING gin (lower(description COLLATE "C") gin_trgm_ops);

CREATE TABLE tenant_extension_install (
    tenant uuid NOT NULL REFERENCES tenants (tenant),
    id uuid NOT NULL,
    registry_id uuid NOT NULL,
    granted_caps jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(granted_caps) = 'array'),
    PRIMARY KEY (tenant, id)
);
"#;

/// Row-level security on every table, keyed on the transaction's tenant setting, for the
/// reader role only (the loader runs as the tables' owner, which RLS does not restrict).
///
/// The role is cluster-wide while migrations are per database: several test databases on
/// one server create it concurrently, so "already exists" (raised as `duplicate_object`, or
/// as `unique_violation` when two creations race) is expected and ignored.
const SECURITY_V2: &str = r#"
DO $$
BEGIN
    CREATE ROLE alga_reader NOLOGIN;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
    NULL;
END
$$;

DO $$
BEGIN
    IF NOT pg_has_role(current_user, 'alga_reader', 'MEMBER') THEN
        EXECUTE format('GRANT alga_reader TO %I', current_user);
    END IF;
EXCEPTION WHEN unique_violation THEN
    NULL;
END
$$;

GRANT USAGE ON SCHEMA public TO alga_reader;

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY[
        'tenants', 'users', 'clients', 'contacts', 'roles', 'permissions', 'role_permissions',
        'user_roles', 'tag_definitions', 'tag_mappings', 'service_types', 'service_catalog',
        'tenant_extension_install'
    ] LOOP
        EXECUTE format('GRANT SELECT ON %I TO alga_reader', t);
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        -- NULLIF: a setting that was set in an earlier transaction of the session reads
        -- as '' afterwards, and ''::uuid would be an error rather than "no tenant".
        EXECUTE format(
            'CREATE POLICY tenant_isolation ON %I FOR SELECT TO alga_reader '
            'USING (tenant = NULLIF(current_setting(''app.current_tenant'', true), '''')::uuid)',
            t
        );
    END LOOP;
END
$$;
"#;

/// Row counts per tenant and filter value, kept by statement-level triggers (one grouped
/// upsert per `INSERT`, `UPDATE`, `DELETE` or `COPY` statement, whoever writes), so that a
/// listing without search adds up a few rows for `total-count` instead of counting up to
/// every record of the tenant. A count row may reach 0 and stay; the sum does not mind.
const COUNTS_V4: &str = r#"
CREATE TABLE client_counts (
    tenant uuid NOT NULL,
    is_inactive boolean NOT NULL,
    n bigint NOT NULL,
    PRIMARY KEY (tenant, is_inactive)
);
CREATE TABLE service_counts (
    tenant uuid NOT NULL,
    item_kind text NOT NULL,
    is_active boolean NOT NULL,
    billing_method text NOT NULL,
    n bigint NOT NULL,
    PRIMARY KEY (tenant, item_kind, is_active, billing_method)
);
INSERT INTO client_counts SELECT tenant, is_inactive, count(*) FROM clients GROUP BY 1, 2;
INSERT INTO service_counts
    SELECT tenant, item_kind, is_active, billing_method, count(*) FROM service_catalog GROUP BY 1, 2, 3, 4;

-- PL/pgSQL prepares a statement when it first runs, so each branch may name a transition
-- table that only the operations taking it have.
CREATE FUNCTION alga_count_clients() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        DELETE FROM client_counts;
        RETURN NULL;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        INSERT INTO client_counts AS c (tenant, is_inactive, n)
            SELECT tenant, is_inactive, -count(*) FROM old_rows GROUP BY 1, 2
            ON CONFLICT (tenant, is_inactive) DO UPDATE SET n = c.n + EXCLUDED.n;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO client_counts AS c (tenant, is_inactive, n)
            SELECT tenant, is_inactive, count(*) FROM new_rows GROUP BY 1, 2
            ON CONFLICT (tenant, is_inactive) DO UPDATE SET n = c.n + EXCLUDED.n;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER clients_counted_insert AFTER INSERT ON clients
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION alga_count_clients();
CREATE TRIGGER clients_counted_update AFTER UPDATE ON clients
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION alga_count_clients();
CREATE TRIGGER clients_counted_delete AFTER DELETE ON clients
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION alga_count_clients();
CREATE TRIGGER clients_counted_truncate AFTER TRUNCATE ON clients
    FOR EACH STATEMENT EXECUTE FUNCTION alga_count_clients();

CREATE FUNCTION alga_count_services() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        DELETE FROM service_counts;
        RETURN NULL;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        INSERT INTO service_counts AS c (tenant, item_kind, is_active, billing_method, n)
            SELECT tenant, item_kind, is_active, billing_method, -count(*) FROM old_rows GROUP BY 1, 2, 3, 4
            ON CONFLICT (tenant, item_kind, is_active, billing_method) DO UPDATE SET n = c.n + EXCLUDED.n;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO service_counts AS c (tenant, item_kind, is_active, billing_method, n)
            SELECT tenant, item_kind, is_active, billing_method, count(*) FROM new_rows GROUP BY 1, 2, 3, 4
            ON CONFLICT (tenant, item_kind, is_active, billing_method) DO UPDATE SET n = c.n + EXCLUDED.n;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER service_catalog_counted_insert AFTER INSERT ON service_catalog
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION alga_count_services();
CREATE TRIGGER service_catalog_counted_update AFTER UPDATE ON service_catalog
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION alga_count_services();
CREATE TRIGGER service_catalog_counted_delete AFTER DELETE ON service_catalog
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION alga_count_services();
CREATE TRIGGER service_catalog_counted_truncate AFTER TRUNCATE ON service_catalog
    FOR EACH STATEMENT EXECUTE FUNCTION alga_count_services();

GRANT SELECT ON client_counts, service_counts TO alga_reader;
ALTER TABLE client_counts ENABLE ROW LEVEL SECURITY;
ALTER TABLE service_counts ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON client_counts FOR SELECT TO alga_reader
    USING (tenant = NULLIF(current_setting('app.current_tenant', true), '')::uuid);
CREATE POLICY tenant_isolation ON service_counts FOR SELECT TO alga_reader
    USING (tenant = NULLIF(current_setting('app.current_tenant', true), '')::uuid);
"#;

/// Applies every migration the database has not recorded, all in one transaction with
/// their records: a failure leaves the schema as it was.
pub(crate) fn migrate(client: &mut postgres::Client) -> Result<(), postgres::Error> {
    migrate_to(client, i32::MAX)
}

/// [`migrate`], but only the migrations up to version `last` (the tests build the schema an
/// older host left behind this way).
pub(crate) fn migrate_to(client: &mut postgres::Client, last: i32) -> Result<(), postgres::Error> {
    let mut transaction = client.transaction()?;
    // Serialise hosts migrating the same database (the lock ends with the transaction).
    transaction.execute("SELECT pg_advisory_xact_lock(hashtext('alga-reference-store migrations'))", &[])?;
    transaction.batch_execute(
        "CREATE TABLE IF NOT EXISTS alga_schema_migrations (
            version integer PRIMARY KEY,
            name text NOT NULL,
            applied_at timestamptz NOT NULL DEFAULT now()
        )",
    )?;
    let applied: Vec<i32> = transaction
        .query("SELECT version FROM alga_schema_migrations", &[])?
        .iter()
        .map(|row| row.get(0))
        .collect();
    for migration in MIGRATIONS.iter().filter(|m| m.version <= last && !applied.contains(&m.version)) {
        transaction.batch_execute(migration.sql)?;
        transaction.execute(
            "INSERT INTO alga_schema_migrations (version, name) VALUES ($1, $2)",
            &[&migration.version, &migration.name],
        )?;
    }
    transaction.commit()
}
