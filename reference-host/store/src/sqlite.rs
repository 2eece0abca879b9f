//! The embedded store: SQLite through `rusqlite` (bundled, so nothing needs installing), in
//! a file or in memory. The default store of the reference host.
//!
//! Same schema shape as the PostgreSQL store (tables, columns, composite keys, CHECK
//! constraints on enum columns, foreign keys), as `STRICT` tables with UUIDs as lower-case
//! text, and the same queries (`crate::sql`): the built-in `lower()` folds ASCII only and
//! the default `BINARY` collation orders by code point, which is SPEC.md section 2 exactly.
//!
//! Concurrency: one connection behind a mutex. Executions that call at the same time take
//! turns; a list of a 100,000-client tenant takes milliseconds (see BENCHMARKS.md), which
//! is acceptable for an embedded store that exists so that demos and first runs need
//! nothing installed. A poisoned mutex (a panic while holding it) is recovered, so the host
//! keeps serving.

use crate::rows::{self, ColumnAccess};
use crate::sql::{self, Dialect, Statement, Value};
use crate::store::{
    ClientListQuery, ContextRecords, DataStore, Deadline, Faults, Listing, RecordQuery, ServiceListQuery,
    StoreError, StoredUser,
};
use crate::tables::{self, Cell};
use alga_conformance_protocol::Fixture;
use alga_extension_contract::types::{ClientSummary, ServiceSummary};
use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::{Connection, OptionalExtension, ToSql};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};

/// Versioned schema migrations; version `n` is `MIGRATIONS[n - 1]`, the applied version is
/// kept in `PRAGMA user_version`.
const MIGRATIONS: &[&str] = &[
    r#"
CREATE TABLE tenants (
    tenant TEXT NOT NULL PRIMARY KEY,
    tenant_name TEXT NOT NULL DEFAULT ''
) STRICT;

CREATE TABLE users (
    tenant TEXT NOT NULL REFERENCES tenants (tenant),
    user_id TEXT NOT NULL,
    username TEXT NOT NULL,
    first_name TEXT,
    last_name TEXT,
    email TEXT NOT NULL,
    user_type TEXT NOT NULL CHECK (user_type IN ('internal', 'client')),
    is_inactive INTEGER NOT NULL DEFAULT 0 CHECK (is_inactive IN (0, 1)),
    contact_id TEXT,
    PRIMARY KEY (tenant, user_id),
    FOREIGN KEY (tenant, contact_id) REFERENCES contacts (tenant, contact_name_id) DEFERRABLE INITIALLY DEFERRED
) STRICT;

CREATE TABLE clients (
    tenant TEXT NOT NULL REFERENCES tenants (tenant),
    client_id TEXT NOT NULL,
    client_name TEXT NOT NULL,
    client_type TEXT CHECK (client_type IN ('company', 'individual')),
    is_inactive INTEGER NOT NULL DEFAULT 0 CHECK (is_inactive IN (0, 1)),
    default_currency_code TEXT NOT NULL DEFAULT 'USD',
    account_manager_id TEXT,
    billing_email TEXT,
    PRIMARY KEY (tenant, client_id),
    FOREIGN KEY (tenant, account_manager_id) REFERENCES users (tenant, user_id)
) STRICT;
CREATE INDEX clients_listing ON clients (tenant, is_inactive, lower(client_name), client_id);
CREATE INDEX clients_listing_all ON clients (tenant, lower(client_name), client_id);

CREATE TABLE contacts (
    tenant TEXT NOT NULL REFERENCES tenants (tenant),
    contact_name_id TEXT NOT NULL,
    full_name TEXT NOT NULL,
    email TEXT,
    client_id TEXT,
    PRIMARY KEY (tenant, contact_name_id),
    FOREIGN KEY (tenant, client_id) REFERENCES clients (tenant, client_id)
) STRICT;

CREATE TABLE roles (
    tenant TEXT NOT NULL REFERENCES tenants (tenant),
    role_id TEXT NOT NULL,
    role_name TEXT NOT NULL,
    msp INTEGER NOT NULL DEFAULT 1 CHECK (msp IN (0, 1)),
    client INTEGER NOT NULL DEFAULT 0 CHECK (client IN (0, 1)),
    PRIMARY KEY (tenant, role_id)
) STRICT;

CREATE TABLE permissions (
    tenant TEXT NOT NULL REFERENCES tenants (tenant),
    permission_id TEXT NOT NULL,
    resource TEXT NOT NULL,
    action TEXT NOT NULL,
    msp INTEGER NOT NULL DEFAULT 1 CHECK (msp IN (0, 1)),
    client INTEGER NOT NULL DEFAULT 0 CHECK (client IN (0, 1)),
    PRIMARY KEY (tenant, permission_id)
) STRICT;

CREATE TABLE role_permissions (
    tenant TEXT NOT NULL,
    role_id TEXT NOT NULL,
    permission_id TEXT NOT NULL,
    PRIMARY KEY (tenant, role_id, permission_id),
    FOREIGN KEY (tenant, role_id) REFERENCES roles (tenant, role_id),
    FOREIGN KEY (tenant, permission_id) REFERENCES permissions (tenant, permission_id)
) STRICT;

CREATE TABLE user_roles (
    tenant TEXT NOT NULL,
    user_id TEXT NOT NULL,
    role_id TEXT NOT NULL,
    PRIMARY KEY (tenant, user_id, role_id),
    FOREIGN KEY (tenant, user_id) REFERENCES users (tenant, user_id),
    FOREIGN KEY (tenant, role_id) REFERENCES roles (tenant, role_id)
) STRICT;

CREATE TABLE tag_definitions (
    tenant TEXT NOT NULL REFERENCES tenants (tenant),
    tag_id TEXT NOT NULL,
    tag_text TEXT NOT NULL,
    tagged_type TEXT NOT NULL,
    PRIMARY KEY (tenant, tag_id),
    UNIQUE (tenant, tag_text, tagged_type)
) STRICT;

CREATE TABLE tag_mappings (
    tenant TEXT NOT NULL,
    mapping_id TEXT NOT NULL,
    tag_id TEXT NOT NULL,
    tagged_id TEXT NOT NULL,
    tagged_type TEXT NOT NULL,
    PRIMARY KEY (tenant, mapping_id),
    UNIQUE (tenant, tag_id, tagged_id),
    FOREIGN KEY (tenant, tag_id) REFERENCES tag_definitions (tenant, tag_id)
) STRICT;
CREATE INDEX tag_mappings_tagged ON tag_mappings (tenant, tagged_id, tagged_type);

CREATE TABLE service_types (
    tenant TEXT NOT NULL REFERENCES tenants (tenant),
    id TEXT NOT NULL,
    name TEXT NOT NULL,
    PRIMARY KEY (tenant, id),
    UNIQUE (tenant, name)
) STRICT;

CREATE TABLE service_catalog (
    tenant TEXT NOT NULL REFERENCES tenants (tenant),
    service_id TEXT NOT NULL,
    service_name TEXT NOT NULL,
    description TEXT,
    default_rate INTEGER NOT NULL DEFAULT 0,
    unit_of_measure TEXT NOT NULL DEFAULT '',
    billing_method TEXT NOT NULL CHECK (billing_method IN ('fixed', 'hourly', 'usage')),
    custom_service_type_id TEXT,
    item_kind TEXT NOT NULL DEFAULT 'service' CHECK (item_kind IN ('service', 'product')),
    is_active INTEGER NOT NULL DEFAULT 1 CHECK (is_active IN (0, 1)),
    sku TEXT,
    PRIMARY KEY (tenant, service_id),
    FOREIGN KEY (tenant, custom_service_type_id) REFERENCES service_types (tenant, id)
) STRICT;
CREATE INDEX service_catalog_listing ON service_catalog (tenant, lower(service_name), service_id);

CREATE TABLE tenant_extension_install (
    tenant TEXT NOT NULL REFERENCES tenants (tenant),
    id TEXT NOT NULL,
    registry_id TEXT NOT NULL,
    granted_caps TEXT NOT NULL DEFAULT '[]' CHECK (json_type(granted_caps) = 'array'),
    PRIMARY KEY (tenant, id)
) STRICT;
"#,
    // A search tests every client of the tenant: this index holds every column it reads, so
    // the test is one sequential pass over the index instead of a random table lookup per
    // client (ten times faster at 100,000 clients; see BENCHMARKS.md).
    r#"
CREATE INDEX clients_search ON clients (tenant, is_inactive, client_name, billing_email, client_id);
"#,
    // `total-count` counts the whole filtered set on every list call; the narrowest index
    // makes that count read the fewest pages.
    r#"
CREATE INDEX clients_count ON clients (tenant, is_inactive);
"#,
    // Row counts per tenant and filter value, kept by triggers whoever writes, so that a
    // listing without search adds up a few rows for `total-count` instead of counting up to
    // every record of the tenant. A count may reach 0 and stay; the sum does not mind.
    r#"
CREATE TABLE client_counts (
    tenant TEXT NOT NULL,
    is_inactive INTEGER NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (tenant, is_inactive)
) STRICT;
CREATE TABLE service_counts (
    tenant TEXT NOT NULL,
    item_kind TEXT NOT NULL,
    is_active INTEGER NOT NULL,
    billing_method TEXT NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (tenant, item_kind, is_active, billing_method)
) STRICT;
INSERT INTO client_counts SELECT tenant, is_inactive, count(*) FROM clients GROUP BY 1, 2;
INSERT INTO service_counts
    SELECT tenant, item_kind, is_active, billing_method, count(*) FROM service_catalog GROUP BY 1, 2, 3, 4;

CREATE TRIGGER clients_counted_insert AFTER INSERT ON clients BEGIN
    INSERT INTO client_counts (tenant, is_inactive, n) VALUES (NEW.tenant, NEW.is_inactive, 1)
        ON CONFLICT (tenant, is_inactive) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER clients_counted_delete AFTER DELETE ON clients BEGIN
    UPDATE client_counts SET n = n - 1 WHERE tenant = OLD.tenant AND is_inactive = OLD.is_inactive;
END;
CREATE TRIGGER clients_counted_update AFTER UPDATE OF tenant, is_inactive ON clients BEGIN
    UPDATE client_counts SET n = n - 1 WHERE tenant = OLD.tenant AND is_inactive = OLD.is_inactive;
    INSERT INTO client_counts (tenant, is_inactive, n) VALUES (NEW.tenant, NEW.is_inactive, 1)
        ON CONFLICT (tenant, is_inactive) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER service_catalog_counted_insert AFTER INSERT ON service_catalog BEGIN
    INSERT INTO service_counts (tenant, item_kind, is_active, billing_method, n)
        VALUES (NEW.tenant, NEW.item_kind, NEW.is_active, NEW.billing_method, 1)
        ON CONFLICT (tenant, item_kind, is_active, billing_method) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER service_catalog_counted_delete AFTER DELETE ON service_catalog BEGIN
    UPDATE service_counts SET n = n - 1 WHERE tenant = OLD.tenant AND item_kind = OLD.item_kind
        AND is_active = OLD.is_active AND billing_method = OLD.billing_method;
END;
CREATE TRIGGER service_catalog_counted_update
    AFTER UPDATE OF tenant, item_kind, is_active, billing_method ON service_catalog BEGIN
    UPDATE service_counts SET n = n - 1 WHERE tenant = OLD.tenant AND item_kind = OLD.item_kind
        AND is_active = OLD.is_active AND billing_method = OLD.billing_method;
    INSERT INTO service_counts (tenant, item_kind, is_active, billing_method, n)
        VALUES (NEW.tenant, NEW.item_kind, NEW.is_active, NEW.billing_method, 1)
        ON CONFLICT (tenant, item_kind, is_active, billing_method) DO UPDATE SET n = n + 1;
END;
"#,
    // Contract 0.2.0: the price of a catalog item per currency (Alga's `service_prices`),
    // in integer minor units. One price per item and currency; the unique key also serves
    // the currency filter (PRICE-2) and the lookup of an item's prices (PRICE-1). An item's
    // prices go with it.
    r#"
CREATE TABLE service_prices (
    tenant TEXT NOT NULL,
    price_id TEXT NOT NULL,
    service_id TEXT NOT NULL,
    currency_code TEXT NOT NULL
        CHECK (length(currency_code) = 3 AND currency_code NOT GLOB '*[^A-Z]*'),
    rate INTEGER NOT NULL,
    PRIMARY KEY (tenant, price_id),
    UNIQUE (tenant, service_id, currency_code),
    FOREIGN KEY (tenant, service_id) REFERENCES service_catalog (tenant, service_id) ON DELETE CASCADE
) STRICT;
"#,
];

/// The embedded SQLite store.
pub struct SqliteStore {
    connection: Mutex<Connection>,
    location: String,
    outage: AtomicBool,
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore").field("location", &self.location).finish_non_exhaustive()
    }
}

fn unavailable(context: &str) -> impl Fn(rusqlite::Error) -> StoreError + '_ {
    move |err| StoreError::Unavailable(format!("sqlite: {context}: {err}"))
}

impl SqliteStore {
    /// Opens (creating if needed) the database file at `path` and brings its schema up to
    /// date.
    pub fn open(path: &Path) -> Result<SqliteStore, StoreError> {
        let connection = Connection::open(path).map_err(|err| {
            StoreError::Unavailable(format!("cannot open the SQLite database {}: {err}", path.display()))
        })?;
        // WAL lets other processes read the file while this one writes.
        connection.pragma_update(None, "journal_mode", "WAL").map_err(unavailable("enable WAL"))?;
        Self::with_connection(connection, path.display().to_string())
    }

    /// A fresh, empty database in memory.
    pub fn in_memory() -> Result<SqliteStore, StoreError> {
        let connection = Connection::open_in_memory().map_err(unavailable("open an in-memory database"))?;
        Self::with_connection(connection, ":memory:".to_string())
    }

    fn with_connection(mut connection: Connection, location: String) -> Result<SqliteStore, StoreError> {
        connection.pragma_update(None, "foreign_keys", true).map_err(unavailable("enable foreign keys"))?;
        connection
            .busy_timeout(std::time::Duration::from_secs(5))
            .map_err(unavailable("set the busy timeout"))?;
        connection.set_prepared_statement_cache_capacity(64);
        // 64 MiB of page cache (the default is 2 MiB): a 100,000-client tenant's indexes fit.
        connection.pragma_update(None, "cache_size", -65_536).map_err(unavailable("size the page cache"))?;
        migrate(&mut connection)?;
        Ok(SqliteStore { connection: Mutex::new(connection), location, outage: AtomicBool::new(false) })
    }

    fn lock(&self) -> MutexGuard<'_, Connection> {
        self.connection.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The connection for a query, unless a simulated outage is on.
    fn query_connection(&self) -> Result<MutexGuard<'_, Connection>, StoreError> {
        if self.outage.load(Ordering::SeqCst) {
            return Err(StoreError::Unavailable("sqlite: simulated outage".into()));
        }
        Ok(self.lock())
    }

    /// Runs `statement` and decodes every row with `decode`.
    fn query<T>(
        &self,
        statement: &Statement,
        decode: impl Fn(&dyn ColumnAccess) -> Result<T, StoreError>,
    ) -> Result<Vec<T>, StoreError> {
        let connection = self.query_connection()?;
        let mut prepared =
            connection.prepare_cached(&statement.text).map_err(unavailable("prepare a query"))?;
        let mut rows = prepared
            .query(rusqlite::params_from_iter(statement.params.iter()))
            .map_err(unavailable("run a query"))?;
        let mut decoded = Vec::new();
        while let Some(row) = rows.next().map_err(unavailable("read a row"))? {
            decoded.push(decode(&SqliteRow(row))?);
        }
        Ok(decoded)
    }
}

/// The store's read statements run bare — the same statement text and parameters on the same
/// connection, with every column of every row read but nothing decoded into the contract's
/// types — for benchmarks that measure what the store adds to its SQL
/// (`reference-host/benches/reads.rs`).
impl SqliteStore {
    /// The statement of `get-client` for `query`; returns the number of rows.
    pub fn raw_get_client(&self, query: &RecordQuery<'_>) -> Result<usize, StoreError> {
        self.raw(&sql::get_client(Dialect::Sqlite, query))
    }

    /// The statement of `list-clients` for `query`; returns the number of rows.
    pub fn raw_list_clients(&self, query: &ClientListQuery<'_>) -> Result<usize, StoreError> {
        self.raw(&sql::list_clients(Dialect::Sqlite, query))
    }

    fn raw(&self, statement: &Statement) -> Result<usize, StoreError> {
        let connection = self.lock();
        let mut prepared =
            connection.prepare_cached(&statement.text).map_err(unavailable("prepare a query"))?;
        let columns = prepared.column_count();
        let mut rows = prepared
            .query(rusqlite::params_from_iter(statement.params.iter()))
            .map_err(unavailable("run a query"))?;
        let mut count = 0;
        while let Some(row) = rows.next().map_err(unavailable("read a row"))? {
            for index in 0..columns {
                std::hint::black_box(row.get_ref(index).map_err(unavailable("read a column"))?);
            }
            count += 1;
        }
        Ok(count)
    }
}

/// Applies the migrations newer than the database's `user_version`, each in a transaction.
fn migrate(connection: &mut Connection) -> Result<(), StoreError> {
    let applied: usize = connection
        .pragma_query_value(None, "user_version", |row| row.get(0))
        .map_err(unavailable("read the schema version"))?;
    if applied > MIGRATIONS.len() {
        return Err(StoreError::Rejected(format!(
            "the SQLite database has schema version {applied}, newer than this host's {}; use a newer host",
            MIGRATIONS.len()
        )));
    }
    for (index, migration) in MIGRATIONS.iter().enumerate().skip(applied) {
        let transaction = connection.transaction().map_err(unavailable("begin a migration"))?;
        transaction.execute_batch(migration).map_err(unavailable("apply a migration"))?;
        transaction
            .pragma_update(None, "user_version", index + 1)
            .map_err(unavailable("record a migration"))?;
        transaction.commit().map_err(unavailable("commit a migration"))?;
    }
    Ok(())
}

impl ToSql for Value {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match self {
            Value::Text(text) => ToSqlOutput::Borrowed(ValueRef::Text(text.as_bytes())),
            Value::Bool(b) => ToSqlOutput::Owned(rusqlite::types::Value::Integer(i64::from(*b))),
            Value::Int(i) => ToSqlOutput::Owned(rusqlite::types::Value::Integer(*i)),
        })
    }
}

impl ToSql for Cell {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match self {
            Cell::Null => ToSqlOutput::Owned(rusqlite::types::Value::Null),
            Cell::Text(text) | Cell::Uuid(text) | Cell::Json(text) => {
                ToSqlOutput::Borrowed(ValueRef::Text(text.as_bytes()))
            }
            Cell::Bool(b) => ToSqlOutput::Owned(rusqlite::types::Value::Integer(i64::from(*b))),
            Cell::Int(i) => ToSqlOutput::Owned(rusqlite::types::Value::Integer(*i)),
        })
    }
}

/// A result row of rusqlite, read through [`ColumnAccess`].
struct SqliteRow<'r, 's>(&'r rusqlite::Row<'s>);

impl ColumnAccess for SqliteRow<'_, '_> {
    fn text(&self, index: usize) -> Result<Option<String>, StoreError> {
        self.0.get(index).map_err(unavailable("read a text column"))
    }
    fn boolean(&self, index: usize) -> Result<Option<bool>, StoreError> {
        self.0.get(index).map_err(unavailable("read a boolean column"))
    }
    fn integer(&self, index: usize) -> Result<Option<i64>, StoreError> {
        self.0.get(index).map_err(unavailable("read an integer column"))
    }
    fn tag_texts(&self, index: usize) -> Result<Vec<String>, StoreError> {
        let json: Option<String> = self.0.get(index).map_err(unavailable("read the tags column"))?;
        match json {
            None => Ok(Vec::new()),
            Some(json) => serde_json::from_str(&json)
                .map_err(|err| StoreError::Corrupt(format!("sqlite: a tag list that is not JSON: {err}"))),
        }
    }
}

impl SqliteStore {
    /// [`DataStore::install_capabilities`] with the query's faults.
    fn install_record(
        &self,
        tenant_id: &str,
        install_id: &str,
        faults: Faults,
    ) -> Result<Option<Vec<String>>, StoreError> {
        let statement = sql::install_capabilities(Dialect::Sqlite, tenant_id, install_id, faults);
        let found = self.query(&statement, |row| rows::required_text(row, 0, "granted_caps"))?;
        found.first().map(|json| rows::capability_list(install_id, json)).transpose()
    }

    /// [`DataStore::user`] with the query's faults.
    fn user_record(
        &self,
        tenant_id: &str,
        user_id: &str,
        faults: Faults,
    ) -> Result<Option<StoredUser>, StoreError> {
        let statement = sql::user(Dialect::Sqlite, tenant_id, user_id, faults);
        let found = self.query(&statement, rows::user_row)?;
        let Some((user_type, is_inactive, client_id)) = found.into_iter().next() else { return Ok(None) };
        let statement = sql::user_permissions(Dialect::Sqlite, tenant_id, user_id, faults);
        let permissions = self.query(&statement, rows::permission_row)?;
        Ok(Some(StoredUser { user_type, is_inactive, client_id, permissions }))
    }
}

/// Above this many rows (held before or written now), a load is a bulk load.
const BULK_ABOVE_ROWS: usize = 20_000;

/// Replaces every table's rows with `tables` in one transaction (nothing half-loaded).
///
/// A bulk load (foreign keys paused by the caller) drops the secondary indexes and builds
/// each again in one sorted pass after the inserts, and checks every foreign key in one
/// pass (`PRAGMA foreign_key_check`) instead of per row; the index definitions are read
/// back from `sqlite_master`, so the migration stays their only source.
fn write_tables(connection: &mut Connection, tables: &[tables::Table], bulk: bool) -> Result<(), StoreError> {
    let transaction = connection.transaction().map_err(unavailable("begin loading a fixture"))?;
    let indexes: Vec<(String, String)> = if bulk {
        let mut statement = transaction
            .prepare(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name",
            )
            .map_err(unavailable("list the indexes"))?;
        let rows = statement
            .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
            .map_err(unavailable("list the indexes"))?;
        rows.collect::<Result<_, _>>().map_err(unavailable("list the indexes"))?
    } else {
        Vec::new()
    };
    for (name, _) in &indexes {
        transaction.execute(&format!("DROP INDEX \"{name}\""), []).map_err(unavailable("drop an index"))?;
    }
    // Children first; the one cycle (users.contact_id) is checked at commit.
    for name in tables::TABLE_NAMES.iter().rev() {
        transaction.execute(&format!("DELETE FROM {name}"), []).map_err(unavailable("clear a table"))?;
    }
    for table in tables {
        let placeholders: Vec<String> = (1..=table.columns.len()).map(|n| format!("?{n}")).collect();
        let insert = format!(
            "INSERT INTO {} ({}) VALUES ({})",
            table.name,
            table.columns.join(", "),
            placeholders.join(", ")
        );
        let mut statement = transaction.prepare(&insert).map_err(unavailable("prepare an insert"))?;
        for row in &table.rows {
            statement.execute(rusqlite::params_from_iter(row.iter())).map_err(|err| {
                StoreError::Rejected(format!("sqlite: cannot insert into {}: {err}", table.name))
            })?;
        }
    }
    for (_, sql) in &indexes {
        transaction.execute(sql, []).map_err(unavailable("rebuild an index"))?;
    }
    if bulk {
        let violation: Option<(String, i64, String)> = transaction
            .query_row("PRAGMA foreign_key_check", [], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))
            .optional()
            .map_err(unavailable("check the foreign keys"))?;
        if let Some((table, rowid, parent)) = violation {
            return Err(StoreError::Rejected(format!(
                "sqlite: row {rowid} of {table} refers to a missing row of {parent}"
            )));
        }
    }
    // Dropping the transaction on an error above rolls it back: nothing half-loaded.
    transaction
        .commit()
        .map_err(|err| StoreError::Rejected(format!("sqlite: cannot commit the fixture: {err}")))
}

impl DataStore for SqliteStore {
    fn describe(&self) -> String {
        format!("sqlite ({})", self.location)
    }

    fn load_fixture(&self, fixture: &Fixture) -> Result<(), StoreError> {
        fixture.validate().map_err(|err| StoreError::Rejected(err.to_string()))?;
        let tables = tables::rows(fixture);
        let mut connection = self.lock();
        let held: i64 = connection
            .query_row(
                "SELECT (SELECT count(*) FROM clients) + (SELECT count(*) FROM service_catalog)",
                [],
                |row| row.get(0),
            )
            .map_err(unavailable("count the data held"))?;
        let rows: usize = tables.iter().map(|t| t.rows.len()).sum();
        let bulk = rows > BULK_ABOVE_ROWS || usize::try_from(held).unwrap_or(usize::MAX) > BULK_ABOVE_ROWS;
        if !bulk {
            return write_tables(&mut connection, &tables, false);
        }
        // The pragma cannot change inside a transaction; it is back on whatever happens.
        connection.pragma_update(None, "foreign_keys", false).map_err(unavailable("pause foreign keys"))?;
        let written = write_tables(&mut connection, &tables, true);
        connection.pragma_update(None, "foreign_keys", true).map_err(unavailable("resume foreign keys"))?;
        written
    }

    fn set_outage(&self, down: bool) {
        self.outage.store(down, Ordering::SeqCst);
    }

    fn install_capabilities(
        &self,
        tenant_id: &str,
        install_id: &str,
    ) -> Result<Option<Vec<String>>, StoreError> {
        self.install_record(tenant_id, install_id, Faults::NONE)
    }

    fn user(&self, tenant_id: &str, user_id: &str) -> Result<Option<StoredUser>, StoreError> {
        self.user_record(tenant_id, user_id, Faults::NONE)
    }

    fn context(
        &self,
        tenant_id: &str,
        install_id: Option<&str>,
        user_id: Option<&str>,
        faults: Faults,
        _deadline: Deadline,
    ) -> Result<ContextRecords, StoreError> {
        // In-process: nothing to wait for but the connection's lock, held only by calls.
        Ok(ContextRecords {
            capabilities: install_id
                .map(|id| self.install_record(tenant_id, id, faults))
                .transpose()?
                .flatten(),
            user: user_id.map(|id| self.user_record(tenant_id, id, faults)).transpose()?.flatten(),
        })
    }

    fn list_clients(&self, query: &ClientListQuery<'_>) -> Result<Listing<ClientSummary>, StoreError> {
        let statement = sql::list_clients(Dialect::Sqlite, query);
        let rows = self.query(&statement, |row| Ok((rows::total(row)?, rows::client_row(row)?)))?;
        rows::listing(rows, rows::ClientRow::into_summary)
    }

    fn get_client(&self, query: &RecordQuery<'_>) -> Result<Option<ClientSummary>, StoreError> {
        let statement = sql::get_client(Dialect::Sqlite, query);
        let rows = self.query(&statement, rows::client_row)?;
        rows.into_iter().flatten().next().map(rows::ClientRow::into_summary).transpose()
    }

    fn list_services(&self, query: &ServiceListQuery<'_>) -> Result<Listing<ServiceSummary>, StoreError> {
        let statement = sql::list_services(Dialect::Sqlite, query);
        let rows = self.query(&statement, |row| Ok((rows::total(row)?, rows::service_row(row)?)))?;
        rows::listing(rows, rows::ServiceRow::into_summary)
    }

    fn get_service(&self, query: &RecordQuery<'_>) -> Result<Option<ServiceSummary>, StoreError> {
        let statement = sql::get_service(Dialect::Sqlite, query);
        let rows = self.query(&statement, rows::service_row)?;
        rows.into_iter().flatten().next().map(rows::ServiceRow::into_summary).transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::{self, DemoConfig};

    fn client_count(store: &SqliteStore) -> i64 {
        store.lock().query_row("SELECT count(*) FROM clients", [], |row| row.get(0)).unwrap()
    }

    #[test]
    fn a_file_database_keeps_its_data_and_schema_version_across_opens() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("alga.sqlite");
        let fixture =
            demo::generate(&DemoConfig { tenants: 2, clients_per_tenant: 20, ..DemoConfig::default() });
        SqliteStore::open(&path).unwrap().load_fixture(&fixture).unwrap();
        let reopened = SqliteStore::open(&path).unwrap();
        assert_eq!(client_count(&reopened), 40);
        let version: usize =
            reopened.lock().pragma_query_value(None, "user_version", |row| row.get(0)).unwrap();
        assert_eq!(version, MIGRATIONS.len());
        assert_eq!(reopened.describe(), format!("sqlite ({})", path.display()));
    }

    /// SHA-256 of each released migration's text (1-4: the 0.1.0 host; 5: prices, with
    /// contract 0.2.0): a shipped migration is never rewritten (a database that applied it
    /// would never see the change); add a new one instead, and its digest here.
    const SHIPPED: &[&str] = &[
        "8f6c1535d963f6f499f0a07f0ea4b779d479f7da4337dedee50b9a4f0b815205",
        "cf2ce10ccc063ffcc5033f4ce33207acc70c3ff66953e95aebf1e9b46791bb99",
        "8486f9c93c44729ea9206cacc752ee863e3adcc73a7cbec51132ef7b7b34131e",
        "ed91b8780bf6a2ac9ab06075ea49742eebcbb956787cc00498a13cf4987cd759",
        "5e41823793bcf205ae66aa541e28d35292639cc835caa957035aed66d99842d4",
    ];

    #[test]
    fn shipped_migrations_are_never_rewritten() {
        use sha2::{Digest, Sha256};
        let digests: Vec<String> = MIGRATIONS
            .iter()
            .map(|sql| Sha256::digest(sql.as_bytes()).iter().map(|b| format!("{b:02x}")).collect())
            .collect();
        assert_eq!(digests, SHIPPED, "a shipped SQLite migration changed: restore it and add a new one");
    }

    /// Rows of `fixture` written straight into the tables of a schema that may predate some
    /// of them (a table the schema lacks must have no rows).
    fn insert_rows(connection: &mut Connection, fixture: &Fixture) {
        let transaction = connection.transaction().unwrap();
        for table in tables::rows(fixture).iter().filter(|t| !t.rows.is_empty()) {
            let placeholders: Vec<String> = (1..=table.columns.len()).map(|n| format!("?{n}")).collect();
            let insert = format!(
                "INSERT INTO {} ({}) VALUES ({})",
                table.name,
                table.columns.join(", "),
                placeholders.join(", ")
            );
            for row in &table.rows {
                transaction.execute(&insert, rusqlite::params_from_iter(row.iter())).unwrap();
            }
        }
        transaction.commit().unwrap();
    }

    #[test]
    fn a_0_1_database_with_data_upgrades_in_place() {
        use crate::{ReadServices, upgrade_check};
        use std::sync::Arc;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("alga-0.1.sqlite");
        let with_prices = demo::build(&DemoConfig { tenants: 2, ..DemoConfig::default() });
        let without_prices = upgrade_check::without_prices(&with_prices.fixture);
        // A database of the 0.1.0 host: its four migrations, then its data.
        {
            let mut connection = Connection::open(&path).unwrap();
            connection.pragma_update(None, "foreign_keys", true).unwrap();
            for (index, migration) in MIGRATIONS[..4].iter().enumerate() {
                connection.execute_batch(migration).unwrap();
                connection.pragma_update(None, "user_version", index + 1).unwrap();
            }
            insert_rows(&mut connection, &without_prices);
        }
        let upgraded = Arc::new(SqliteStore::open(&path).unwrap());
        let version: usize =
            upgraded.lock().pragma_query_value(None, "user_version", |row| row.get(0)).unwrap();
        assert_eq!(version, MIGRATIONS.len());
        let fresh = Arc::new(SqliteStore::in_memory().unwrap());
        fresh.load_fixture(&without_prices).unwrap();
        upgrade_check::assert_same_answers(
            &ReadServices::new(upgraded.clone()),
            &ReadServices::new(fresh),
            &with_prices,
        );
        // The upgraded database takes prices like a new one.
        upgraded.load_fixture(&with_prices.fixture).unwrap();
        let priced: i64 =
            upgraded.lock().query_row("SELECT count(*) FROM service_prices", [], |row| row.get(0)).unwrap();
        assert!(priced > 0);
    }

    #[test]
    fn stored_currency_codes_are_three_upper_case_ascii_letters() {
        let store = SqliteStore::in_memory().unwrap();
        let fixture = demo::generate(&DemoConfig { tenants: 1, ..DemoConfig::default() });
        store.load_fixture(&fixture).unwrap();
        let service = &fixture.tenants[0].services[0];
        for (n, code) in ["eur", "EURO", "EU", "ÉUR", "E1R"].into_iter().enumerate() {
            let refused = store.lock().execute(
                "INSERT INTO service_prices (tenant, price_id, service_id, currency_code, rate) VALUES (?1, ?2, ?3, ?4, 1)",
                rusqlite::params![
                    fixture.tenants[0].tenant_id,
                    format!("00000000-0000-4000-8fff-{n:012x}"),
                    service.service_id,
                    code
                ],
            );
            assert!(refused.is_err(), "{code:?} was stored");
        }
    }

    #[test]
    fn a_database_from_a_newer_host_is_refused_not_damaged() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("future.sqlite");
        Connection::open(&path).unwrap().pragma_update(None, "user_version", 99).unwrap();
        let err = SqliteStore::open(&path).unwrap_err();
        assert!(matches!(&err, StoreError::Rejected(text) if text.contains("schema version 99")), "{err}");
    }

    #[test]
    fn a_load_that_fails_midway_leaves_the_previous_data() {
        let store = SqliteStore::in_memory().unwrap();
        let fixture =
            demo::generate(&DemoConfig { tenants: 1, clients_per_tenant: 15, ..DemoConfig::default() });
        store.load_fixture(&fixture).unwrap();
        // Every valid fixture fits the schema, so make the database refuse a row written
        // after the clients.
        store
            .lock()
            .execute_batch(
                "CREATE TRIGGER refuse_boom BEFORE INSERT ON service_catalog WHEN NEW.service_name = 'boom'
                 BEGIN SELECT RAISE(ABORT, 'refusing boom'); END;",
            )
            .unwrap();
        let mut next = demo::generate(&DemoConfig { seed: 5, tenants: 2, ..DemoConfig::default() });
        next.tenants[1].services[3].service_name = "boom".into();
        let err = store.load_fixture(&next).unwrap_err();
        assert!(matches!(&err, StoreError::Rejected(text) if text.contains("refusing boom")), "{err}");
        assert_eq!(client_count(&store), 15);
        let ids: Vec<String> = {
            let connection = store.lock();
            let mut statement =
                connection.prepare("SELECT client_id FROM clients ORDER BY client_id").unwrap();
            statement.query_map([], |row| row.get(0)).unwrap().map(Result::unwrap).collect()
        };
        let mut before: Vec<String> =
            fixture.tenants[0].clients.iter().map(|c| c.client_id.clone()).collect();
        before.sort();
        assert_eq!(ids, before);
    }

    #[test]
    fn an_invalid_fixture_is_rejected_with_the_reason() {
        let store = SqliteStore::in_memory().unwrap();
        let mut fixture = demo::generate(&DemoConfig::default());
        fixture.tenants[0].clients[0].client_id = "NOT-A-UUID".into();
        let err = store.load_fixture(&fixture).unwrap_err();
        assert!(matches!(&err, StoreError::Rejected(text) if text.contains("NOT-A-UUID")), "{err}");
    }
}

#[cfg(test)]
mod count_tests {
    use super::*;
    use crate::ReadServices;
    use crate::demo::{self, DemoConfig};
    use alga_extension_contract::types::{BillingMethod, ClientListInput, ItemKind, ServiceListInput};
    use std::sync::Arc;

    #[test]
    fn maintained_counts_follow_every_kind_of_write() {
        let store = Arc::new(SqliteStore::in_memory().unwrap());
        let demo = demo::build(&DemoConfig::default());
        store.load_fixture(&demo.fixture).unwrap();
        // Writes that do not go through the loader: the triggers must keep up.
        store
            .lock()
            .execute_batch(
                "UPDATE clients SET is_inactive = 1 - is_inactive WHERE client_name LIKE 'a%' OR client_name LIKE '%1';
                 DELETE FROM tag_mappings WHERE tagged_id IN (SELECT client_id FROM clients WHERE client_name LIKE '%3');
                 UPDATE contacts SET client_id = NULL WHERE client_id IN (SELECT client_id FROM clients WHERE client_name LIKE '%3');
                 DELETE FROM clients WHERE client_name LIKE '%3';
                 UPDATE service_catalog SET is_active = 1 - is_active, item_kind = 'product' WHERE service_name LIKE 'B%';
                 UPDATE service_catalog SET billing_method = 'usage' WHERE service_name LIKE '%Pro';
                 DELETE FROM service_catalog WHERE service_name LIKE '%Plus';",
            )
            .unwrap();
        let counted = |sql: &str, tenant: &str| -> u32 {
            store.lock().query_row(sql, [tenant], |row| row.get(0)).unwrap()
        };
        let rs = ReadServices::new(store.clone());
        for context in demo.contexts.iter().filter(|c| c.name.ends_with("-scheduled")) {
            let actor = rs.actor(&context.context).unwrap();
            let tenant = actor.tenant_id.as_str();
            let clients = |include: bool| {
                rs.list_clients(
                    &actor,
                    &ClientListInput { include_inactive: Some(include), ..Default::default() },
                )
                .unwrap()
                .total_count
            };
            assert_eq!(
                clients(false),
                counted("SELECT count(*) FROM clients WHERE tenant = ?1 AND is_inactive = 0", tenant)
            );
            assert_eq!(clients(true), counted("SELECT count(*) FROM clients WHERE tenant = ?1", tenant));
            for kind in [None, Some(ItemKind::Product)] {
                for active in [None, Some(true), Some(false)] {
                    for method in [None, Some(BillingMethod::Usage)] {
                        let input = ServiceListInput {
                            item_kind: kind,
                            is_active: active,
                            billing_method: method,
                            ..Default::default()
                        };
                        let listed = rs.list_services(&actor, &input).unwrap().total_count;
                        let sql = format!(
                            "SELECT count(*) FROM service_catalog WHERE tenant = ?1{}{}{}",
                            kind.map_or(String::new(), |k| format!(" AND item_kind = '{k}'")),
                            active.map_or(String::new(), |a| format!(" AND is_active = {}", u8::from(a))),
                            method.map_or(String::new(), |m| format!(" AND billing_method = '{m}'")),
                        );
                        assert_eq!(listed, counted(&sql, tenant), "{input:?}");
                    }
                }
            }
        }
    }
}
