//! The PostgreSQL schema as versioned migrations: each is applied once, in a transaction,
//! and recorded in `alga_schema_migrations`. Concurrent hosts migrating the same database
//! serialise on an advisory lock; concurrent test runs creating the cluster-wide reader role
//! tolerate each other, and on Citus a migration that loses a race on that role's catalog
//! row is tried again ([`retry_catalog_races`]).
//!
//! Migrations 6 and 7 make the store run on Citus as well as on one PostgreSQL: the reader
//! role becomes a login (reads connect as it, never as the owner or a superuser), and a
//! database with the `citus` extension and worker nodes gets every tenant table distributed
//! by `tenant` (`docs/scaling.md`). On plain PostgreSQL migration 7 only defines the function
//! that would distribute; calling it there does nothing.
//!
//! The tables mirror the subset of Alga's schema the contract reads (table and column names
//! as in Alga; see `docs/scaling.md` for their distribution on Citus). Every key starts
//! with `tenant`. Deliberate differences from Alga, each because the contract must not rely
//! on what Alga's data happens to guarantee: `client_name` is not unique (SPEC.md orders
//! ties by id), `billing_method` has a CHECK (Alga's is unconstrained; an unknown value
//! would fail every list, as it does in Alga), and text columns Alga sizes (`varchar(3)`,
//! `varchar(255)`) are `text` so that no valid fixture is refused.

/// The login role every read connection logs in as: not a superuser and not the tables'
/// owner, so row-level security applies to it and nothing it runs can switch it off
/// (`RESET ROLE` leaves it itself). Created NOLOGIN by migration 2, made LOGIN by migration 6.
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
    Migration { version: 6, name: "the reader role logs in", sql: READER_LOGIN_V6 },
    Migration { version: 7, name: "distribution by tenant on Citus", sql: CITUS_V7 },
    Migration { version: 8, name: "indexed client search under row-level security", sql: CLIENT_SEARCH_V8 },
    Migration { version: 9, name: "client search answers the count and the order", sql: CLIENT_SEARCH_V9 },
];

/// The function migration 7 defines; [`migrate`] calls it after every batch of migrations,
/// so that a table a later migration adds, or worker nodes added after the first migration,
/// are distributed too. Idempotent: a table already distributed is left alone.
pub(crate) const DISTRIBUTE_FUNCTION: &str = "alga_distribute_by_tenant";

/// The version of the migration that defines [`DISTRIBUTE_FUNCTION`].
const DISTRIBUTION_MIGRATION: i32 = 7;

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

/// The name of the search function migration 9 defines (`crate::sql` calls it).
pub(crate) const CLIENT_SEARCH_FUNCTION: &str = "alga_client_search";

/// The query of migration 8's `alga_client_candidates`, which migration 9 replaced (kept
/// byte for byte: a shipped migration is never rewritten).
macro_rules! client_candidates_query {
    () => {
        r#"        SELECT c.client_id FROM clients c
        WHERE c.tenant = p_tenant
          AND (lower(c.client_name COLLATE "C") LIKE p_pattern ESCAPE '\'
               OR lower(c.billing_email COLLATE "C") LIKE p_pattern ESCAPE '\')"#
    };
}

/// The query of [`CLIENT_SEARCH_FUNCTION`] (migration 9), one literal for the migration and
/// for the benchmark that prints its plan (`PostgresStore::raw_reads`).
macro_rules! client_search_query {
    () => {
        r#"        SELECT c.client_id FROM clients c
        WHERE c.tenant = p_tenant
          AND (p_include_inactive OR c.is_inactive = false)
          AND (lower(c.client_name COLLATE "C") LIKE p_pattern ESCAPE '\'
               OR lower(c.billing_email COLLATE "C") LIKE p_pattern ESCAPE '\'
               OR c.client_id = p_id)
        ORDER BY lower(c.client_name COLLATE "C"), c.client_id"#
    };
}
pub(crate) use client_search_query;

/// Substring search of clients through the trigram indexes, for the reader (issue 11).
///
/// Under row-level security PostgreSQL may not evaluate a condition that is not leakproof
/// (`LIKE`, `lower`) in an index scan before the policy's, so the reader's search scanned
/// all of the tenant's rows (25-36 ms at 100,000 clients) while the owner's used the trigram
/// indexes. This function runs as its owner (`SECURITY DEFINER`: row-level security does
/// not apply to the tables' owner) and returns only the ids of the clients of `p_tenant`
/// whose folded name or billing e-mail is `LIKE` the pattern: the index does the search.
///
/// It is a narrowing step, not a second source of data: the search statement keeps its own
/// tenant condition and `LIKE` conditions, under the policy, and only adds
/// `client_id = ANY((SELECT alga_client_candidates(...))::uuid[])` (a scalar subquery, run
/// once: `crate::sql` says why), an equality on the primary key the planner may use before
/// the policy (uuid equality is leakproof). What the function could
/// disclose called directly — which ids of a tenant match a pattern — it discloses only for
/// the transaction's own tenant: a tenant argument that differs from the tenant setting the
/// policies read is an error. `search_path` is pinned, as for every `SECURITY DEFINER`
/// function, and only the reader may call it.
///
/// PL/pgSQL, so its query is planned at each call with the actual pattern (the reader's
/// sessions force custom plans): a short or common pattern, which the trigram index cannot
/// narrow, gets a scan of the tenant's rows instead. On Citus the function is created on the
/// coordinator and propagated to the workers like the others; the search statement, a router
/// query, runs on the worker holding the tenant, and so does this call, whose query is then a
/// (local) distributed query nested in the shard's: Citus refuses that unless
/// `citus.allow_nested_distributed_execution` is on, which the function sets for its own
/// query only (a `SET` clause of the function would need a superuser on a server without
/// Citus, where the setting is unknown).
const CLIENT_SEARCH_V8: &str = concat!(
    r#"
CREATE FUNCTION alga_client_candidates(p_tenant uuid, p_pattern text) RETURNS uuid[]
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    nested boolean;
    found_ids uuid[];
BEGIN
    IF p_tenant IS DISTINCT FROM NULLIF(current_setting('app.current_tenant', true), '')::uuid THEN
        RAISE EXCEPTION 'alga_client_candidates: the tenant argument is not the transaction''s tenant'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    -- Citus pushes this call down to the worker holding the tenant, where the query below is
    -- a distributed query of its own (local, on the co-located shard): allowed for this
    -- query only. Nothing in a read transaction writes, so nothing can be seen out of order.
    nested := current_setting('citus.allow_nested_distributed_execution', true) = 'off';
    IF nested THEN
        PERFORM set_config('citus.allow_nested_distributed_execution', 'on', true);
    END IF;
    found_ids := ARRAY(
"#,
    client_candidates_query!(),
    r#"
    );
    IF nested THEN
        PERFORM set_config('citus.allow_nested_distributed_execution', 'off', true);
    END IF;
    RETURN found_ids;
END
$$;
REVOKE ALL ON FUNCTION alga_client_candidates(uuid, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION alga_client_candidates(uuid, text) TO alga_reader;
"#
);

/// Client search that answers the count and the order too (issue 11), replacing migration
/// 8's `alga_client_candidates`.
///
/// With migration 8 the search statement read every candidate again by primary key under
/// the policy, to count the matches and sort them for the page: a term matching 5% of a
/// 100,000-client tenant took 21 ms, two thirds of it those 4,934 index probes. This function
/// returns the ids of the matching clients of `p_tenant` — folded name or billing e-mail
/// `LIKE` the pattern, or the id equal to `p_id` (a search that is a UUID, SRCH-1), active
/// ones only unless `p_include_inactive` (FILT-1) — already in the listing's order (PAGE-4:
/// folded name, then id). The statement (`crate::sql::list_clients`) takes `total-count`
/// from the array's length and reads only the page's slice of it by primary key, under
/// the policy, with its own tenant, filter and `LIKE` conditions again: a row the function
/// should not have returned is not listed (the page would come back short, never wrong).
///
/// As with migration 8: `SECURITY DEFINER` so that the trigram indexes serve the search
/// (row-level security does not apply to the tables' owner, and a reader's `LIKE` may not
/// use them before the policy), a tenant argument other than the transaction's tenant is an
/// error, `search_path` is pinned, only the reader may call it, PL/pgSQL so that every call
/// is planned with its pattern, and on Citus the nested distributed execution is allowed for
/// its own query only (the search statement is a router query run on the tenant's worker).
const CLIENT_SEARCH_V9: &str = concat!(
    r#"
CREATE FUNCTION alga_client_search(p_tenant uuid, p_pattern text, p_id uuid, p_include_inactive boolean)
RETURNS uuid[]
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    nested boolean;
    found_ids uuid[];
BEGIN
    IF p_tenant IS DISTINCT FROM NULLIF(current_setting('app.current_tenant', true), '')::uuid THEN
        RAISE EXCEPTION 'alga_client_search: the tenant argument is not the transaction''s tenant'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    nested := current_setting('citus.allow_nested_distributed_execution', true) = 'off';
    IF nested THEN
        PERFORM set_config('citus.allow_nested_distributed_execution', 'on', true);
    END IF;
    found_ids := ARRAY(
"#,
    client_search_query!(),
    r#"
    );
    IF nested THEN
        PERFORM set_config('citus.allow_nested_distributed_execution', 'off', true);
    END IF;
    RETURN found_ids;
END
$$;
REVOKE ALL ON FUNCTION alga_client_search(uuid, text, uuid, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION alga_client_search(uuid, text, uuid, boolean) TO alga_reader;
DROP FUNCTION alga_client_candidates(uuid, text);
"#
);

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

/// Reads connect as [`READER_ROLE`] instead of `SET ROLE`-ing to it from the owner's
/// connection: a role switched to can be switched back (`RESET ROLE` in a transaction saw
/// every tenant). The role has no password here: on trust or certificate authentication it
/// logs in as it is; with password authentication the operator sets one
/// (`ALTER ROLE alga_reader PASSWORD ...`, outside the code) and gives it to the host in
/// `ALGA_READER_PASSWORD`. On Citus the `ALTER ROLE` propagates to every worker, where the
/// coordinator logs in as the same role to run the shard queries.
///
/// The role is cluster-wide: hosts migrating two databases of one server at once both alter
/// it, and the loser's "tuple concurrently updated" means the winner is making it a login.
const READER_LOGIN_V6: &str = r#"
DO $$
BEGIN
    IF NOT (SELECT rolcanlogin FROM pg_roles WHERE rolname = 'alga_reader') THEN
        ALTER ROLE alga_reader LOGIN;
    END IF;
EXCEPTION WHEN internal_error THEN
    IF SQLERRM NOT LIKE '%concurrently updated%' THEN
        RAISE;
    END IF;
END
$$;
"#;

/// Citus: distribute every table that has a `tenant` column by it, co-located with
/// `tenants`; make every other table (except the migration runner's own bookkeeping, which
/// only the coordinator reads) a reference table. Driven by the catalog, so that a table a
/// later migration adds (`service_prices` of contract 0.2.0) is covered without editing
/// this list-free function.
///
/// What Citus refuses, and what replaces it (each found on a coordinator with two workers):
/// - `ON DELETE SET NULL` on a foreign key that includes the distribution column: the key
///   is re-added as `NO ACTION`, and a row trigger on `service_types` nulls the items'
///   `custom_service_type_id` first (the same effect, on the same worker);
/// - statement triggers whose function writes a distributed table from a transition table
///   ("executor could not find named tuplestore"): on a shard (`clients_102008`) the count
///   functions write the co-located shard of the counts table (same shard range, hence the
///   same worker) directly, which is a local table there; on the coordinator's table (the
///   `TRUNCATE` trigger fires there) they write the distributed table as before;
/// - foreign keys in a cycle (`users` -> `contacts` -> `clients` -> `users`) cannot be
///   distributed one table at a time: every foreign key is dropped, the tables distributed,
///   and the keys re-added from the catalog's own definitions.
///
/// Functions created here reach the workers by Citus's own propagation of `CREATE FUNCTION`.
/// Triggers on distributed tables need `citus.enable_unsafe_triggers` (their functions only
/// touch co-located shards, the case Citus documents as safe); `sequential` mode keeps all
/// of it on one connection per worker inside the migration's transaction.
const CITUS_V7: &str = r#"
CREATE FUNCTION alga_distribute_by_tenant() RETURNS void LANGUAGE plpgsql AS $fn$
DECLARE
    fk record;
    t text;
    definition text;
    readd text[] := '{}';
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'citus') THEN
        RETURN;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_dist_node WHERE noderole = 'primary' AND groupid <> 0) THEN
        RETURN;
    END IF;
    IF NOT EXISTS (
        SELECT 1 FROM pg_class c
        WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p')
          AND c.relname <> 'alga_schema_migrations'
          AND NOT EXISTS (SELECT 1 FROM pg_dist_partition p WHERE p.logicalrelid = c.oid)
    ) THEN
        RETURN;
    END IF;
    SET LOCAL citus.multi_shard_modify_mode TO 'sequential';
    SET LOCAL citus.enable_unsafe_triggers TO on;

    -- The count functions, as they must run on a shard (see the migration's documentation).
    CREATE OR REPLACE FUNCTION alga_colocated_shard(counts regclass, firing text, base text) RETURNS text
    LANGUAGE plpgsql STABLE AS $$
    DECLARE
        shard bigint;
        target text;
    BEGIN
        IF firing !~ ('^' || base || '_[0-9]+$') THEN
            RETURN counts::text;
        END IF;
        shard := substring(firing FROM '_([0-9]+)$')::bigint;
        SELECT format('%I', counts::text || '_' || c.shardid) INTO target
        FROM pg_dist_shard f
        JOIN pg_dist_shard c ON c.logicalrelid = counts AND c.shardminvalue = f.shardminvalue
        WHERE f.shardid = shard;
        IF target IS NULL THEN
            RAISE EXCEPTION 'no shard of % is co-located with shard % of %', counts, shard, base;
        END IF;
        RETURN target;
    END
    $$;

    CREATE OR REPLACE FUNCTION alga_count_clients() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        target text := alga_colocated_shard('client_counts', TG_TABLE_NAME, 'clients');
    BEGIN
        IF TG_OP = 'TRUNCATE' THEN
            EXECUTE format('DELETE FROM %s', target);
            RETURN NULL;
        END IF;
        IF TG_OP IN ('UPDATE', 'DELETE') THEN
            EXECUTE format('INSERT INTO %s AS c (tenant, is_inactive, n)
                SELECT tenant, is_inactive, -count(*) FROM old_rows GROUP BY 1, 2
                ON CONFLICT (tenant, is_inactive) DO UPDATE SET n = c.n + EXCLUDED.n', target);
        END IF;
        IF TG_OP IN ('INSERT', 'UPDATE') THEN
            EXECUTE format('INSERT INTO %s AS c (tenant, is_inactive, n)
                SELECT tenant, is_inactive, count(*) FROM new_rows GROUP BY 1, 2
                ON CONFLICT (tenant, is_inactive) DO UPDATE SET n = c.n + EXCLUDED.n', target);
        END IF;
        RETURN NULL;
    END
    $$;

    CREATE OR REPLACE FUNCTION alga_count_services() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        target text := alga_colocated_shard('service_counts', TG_TABLE_NAME, 'service_catalog');
    BEGIN
        IF TG_OP = 'TRUNCATE' THEN
            EXECUTE format('DELETE FROM %s', target);
            RETURN NULL;
        END IF;
        IF TG_OP IN ('UPDATE', 'DELETE') THEN
            EXECUTE format('INSERT INTO %s AS c (tenant, item_kind, is_active, billing_method, n)
                SELECT tenant, item_kind, is_active, billing_method, -count(*) FROM old_rows GROUP BY 1, 2, 3, 4
                ON CONFLICT (tenant, item_kind, is_active, billing_method) DO UPDATE SET n = c.n + EXCLUDED.n', target);
        END IF;
        IF TG_OP IN ('INSERT', 'UPDATE') THEN
            EXECUTE format('INSERT INTO %s AS c (tenant, item_kind, is_active, billing_method, n)
                SELECT tenant, item_kind, is_active, billing_method, count(*) FROM new_rows GROUP BY 1, 2, 3, 4
                ON CONFLICT (tenant, item_kind, is_active, billing_method) DO UPDATE SET n = c.n + EXCLUDED.n', target);
        END IF;
        RETURN NULL;
    END
    $$;

    -- ON DELETE SET NULL (custom_service_type_id), done by a trigger on the same worker.
    CREATE OR REPLACE FUNCTION alga_unset_service_type() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        target text := alga_colocated_shard('service_catalog', TG_TABLE_NAME, 'service_types');
    BEGIN
        EXECUTE format('UPDATE %s SET custom_service_type_id = NULL
                        WHERE tenant = $1 AND custom_service_type_id = $2', target)
            USING OLD.tenant, OLD.id;
        RETURN OLD;
    END
    $$;

    -- Every foreign key between the tables to distribute, dropped and re-added afterwards.
    FOR fk IN
        SELECT c.conrelid::regclass AS rel, c.conname, pg_get_constraintdef(c.oid) AS def, c.confdeltype
        FROM pg_constraint c JOIN pg_class r ON r.oid = c.conrelid
        WHERE c.contype = 'f' AND r.relnamespace = 'public'::regnamespace
          AND NOT EXISTS (SELECT 1 FROM pg_dist_partition p WHERE p.logicalrelid = c.conrelid)
        ORDER BY c.oid
    LOOP
        definition := fk.def;
        IF fk.confdeltype IN ('n', 'd') THEN
            IF definition <> 'FOREIGN KEY (tenant, custom_service_type_id) REFERENCES service_types(tenant, id) ON DELETE SET NULL (custom_service_type_id)' THEN
                RAISE EXCEPTION 'foreign key % of % sets a column on delete, which Citus refuses '
                    'when the key includes tenant; give it a trigger as alga_unset_service_type does',
                    fk.conname, fk.rel;
            END IF;
            definition := replace(definition, ' ON DELETE SET NULL (custom_service_type_id)', '');
            readd := readd || 'CREATE TRIGGER service_types_unset_on_delete BEFORE DELETE ON service_types
                FOR EACH ROW EXECUTE FUNCTION alga_unset_service_type()'::text;
        END IF;
        EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', fk.rel, fk.conname);
        readd := readd || format('ALTER TABLE %s ADD CONSTRAINT %I %s', fk.rel, fk.conname, definition);
    END LOOP;

    IF NOT EXISTS (SELECT 1 FROM pg_dist_partition WHERE logicalrelid = 'tenants'::regclass) THEN
        PERFORM create_distributed_table('tenants', 'tenant');
    END IF;
    FOR t IN
        SELECT c.relname FROM pg_class c
        WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p')
          AND c.relname NOT IN ('tenants', 'alga_schema_migrations')
          AND NOT EXISTS (SELECT 1 FROM pg_dist_partition p WHERE p.logicalrelid = c.oid)
          AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'tenant' AND NOT a.attisdropped)
        ORDER BY c.relname
    LOOP
        PERFORM create_distributed_table(t, 'tenant', colocate_with => 'tenants');
    END LOOP;
    FOR t IN
        SELECT c.relname FROM pg_class c
        WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p')
          AND c.relname <> 'alga_schema_migrations'
          AND NOT EXISTS (SELECT 1 FROM pg_dist_partition p WHERE p.logicalrelid = c.oid)
        ORDER BY c.relname
    LOOP
        PERFORM create_reference_table(t);
    END LOOP;
    FOREACH t IN ARRAY readd LOOP
        EXECUTE t;
    END LOOP;
END
$fn$;
"#;

/// Applies every migration the database has not recorded, all in one transaction with
/// their records: a failure leaves the schema as it was.
pub(crate) fn migrate(client: &mut postgres::Client) -> Result<(), postgres::Error> {
    migrate_to(client, i32::MAX)
}

/// How many times an operation that lost a race on a shared catalog row is tried.
const CATALOG_RACE_ATTEMPTS: u32 = 10;

/// [`migrate`], but only the migrations up to version `last` (the tests build the schema an
/// older host left behind this way).
///
/// The reader role is cluster-wide while migrations are per database, and on Citus every
/// database that distributes a table granted to it propagates the role to the workers
/// (Citus alters it there): hosts migrating two databases of one cluster at once update the
/// same `pg_authid` row, and the loser fails with "tuple concurrently updated". Its
/// transaction rolled back whole, so it is tried again ([`retry_catalog_races`]).
pub(crate) fn migrate_to(client: &mut postgres::Client, last: i32) -> Result<(), postgres::Error> {
    retry_catalog_races(|| migrate_once(client, last))
}

/// Runs `operation` until it succeeds, fails otherwise than by [`lost_a_catalog_race`], or
/// has been tried [`CATALOG_RACE_ATTEMPTS`] times, pausing 25 ms more after each attempt
/// plus up to 50 ms drawn from the clock, so that the losers of one race do not meet again.
/// `operation` must leave nothing behind when it fails (one transaction) or be idempotent.
pub(crate) fn retry_catalog_races<T>(
    mut operation: impl FnMut() -> Result<T, postgres::Error>,
) -> Result<T, postgres::Error> {
    let mut attempt = 1;
    loop {
        match operation() {
            Err(err) if attempt < CATALOG_RACE_ATTEMPTS && lost_a_catalog_race(&err) => {
                let jitter = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0, |since| u64::from(since.subsec_nanos()) % 50);
                std::thread::sleep(std::time::Duration::from_millis(25 * u64::from(attempt) + jitter));
                attempt += 1;
            }
            result => return result,
        }
    }
}

/// Whether `err` is a concurrent update of a shared catalog row, on this node
/// ("tuple concurrently updated") or reported by Citus from a worker, where it surfaces as
/// the failure of a command on one of the transaction's essential connections. Both are
/// `internal_error` (XX000); no other internal error is retried.
fn lost_a_catalog_race(err: &postgres::Error) -> bool {
    err.as_db_error().is_some_and(|db| {
        db.code() == &postgres::error::SqlState::INTERNAL_ERROR
            && (db.message().contains("tuple concurrently updated")
                || db.message().starts_with("failure on connection marked as essential"))
    })
}

/// One attempt of [`migrate_to`], in one transaction.
fn migrate_once(client: &mut postgres::Client, last: i32) -> Result<(), postgres::Error> {
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
    // Distribute on Citus whatever is not yet (a no-op elsewhere and when nothing is new),
    // once the migration that defines the function has run (a test stops at an older schema).
    if last >= DISTRIBUTION_MIGRATION {
        transaction.execute(&format!("SELECT {DISTRIBUTE_FUNCTION}()"), &[])?;
    }
    transaction.commit()
}
