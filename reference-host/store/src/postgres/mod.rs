//! The PostgreSQL store: Alga's tables (the subset the contract reads), versioned
//! migrations, a pool of connections, and row-level security as a second line of defence.
//!
//! Driver: the synchronous `postgres` crate (the blocking facade of `tokio-postgres`).
//! Explicit SQL with typed parameters and no query macros that need a database at compile
//! time (as `sqlx`'s do), a small dependency footprint, and a blocking API that fits
//! wasmtime's synchronous host calls without an async runtime threaded through the host.
//!
//! Every read runs in its own transaction that first sets, transaction-locally, the role
//! [`READER_ROLE`] (not a superuser, not the owner, so row-level security applies), the
//! tenant setting the policies read, and a `statement_timeout` (a stuck query ends as
//! `internal`, ERR-1). The queries themselves name the tenant too (`crate::sql`); the
//! policies only matter if a query ever forgets to, which a test proves.
//!
//! A list call is one query round trip (count and page in one statement, prepared once per
//! connection), plus `BEGIN`, the settings and `COMMIT`. Folding and ordering use
//! `lower(x COLLATE "C")` and the "C" collation, SPEC.md section 2 exactly.
//!
//! Failures: a query that fails on a lost connection (the server restarted, was killed, or
//! dropped us) is retried once on a fresh connection, and every idle connection is dropped,
//! so the first call after the database is back succeeds; anything else, and a second
//! failure, is [`StoreError::Unavailable`].

mod load;
mod migrations;
mod pool;
#[cfg(test)]
mod tests;

pub use migrations::{READER_ROLE, TENANT_SETTING};

use crate::rows::{self, ColumnAccess};
use crate::sql::{self, Dialect, Statement, Value};
use crate::store::{
    ClientListQuery, ContextRecords, DataStore, Faults, Listing, RecordQuery, ServiceListQuery, StoreError,
    StoredUser,
};
use crate::tables;
use alga_conformance_protocol::Fixture;
use alga_extension_contract::types::{ClientSummary, ServiceSummary};
use pool::{Connection, Pool};
use postgres::types::ToSql;
use postgres::{GenericClient, Row, Transaction};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// Settings of a [`PostgresStore`].
#[derive(Debug, Clone)]
pub struct PostgresOptions {
    /// Most connections open at once (concurrent executions beyond it wait).
    pub pool_size: usize,
    /// How long one query may run before PostgreSQL cancels it (the call returns `internal`).
    pub statement_timeout: Duration,
    /// How long to wait for a new connection.
    pub connect_timeout: Duration,
    /// How long a call waits for a free connection when all are busy.
    pub checkout_timeout: Duration,
}

impl Default for PostgresOptions {
    /// 16 connections (enough for the reference host's concurrent executions on a small
    /// machine, far below PostgreSQL's default 100), a 5 s statement timeout, 5 s to
    /// connect, 10 s to wait for a free connection.
    fn default() -> Self {
        PostgresOptions {
            pool_size: 16,
            statement_timeout: Duration::from_secs(5),
            connect_timeout: Duration::from_secs(5),
            checkout_timeout: Duration::from_secs(10),
        }
    }
}

/// The PostgreSQL store.
pub struct PostgresStore {
    pool: Pool,
    options: PostgresOptions,
    target: String,
    outage: AtomicBool,
}

impl std::fmt::Debug for PostgresStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresStore").field("target", &self.target).finish_non_exhaustive()
    }
}

/// A failed attempt of a read: whether the connection was lost decides the retry.
struct Failure {
    error: StoreError,
    connection_lost: bool,
}

impl From<StoreError> for Failure {
    fn from(error: StoreError) -> Self {
        Failure { error, connection_lost: false }
    }
}

impl From<postgres::Error> for Failure {
    fn from(err: postgres::Error) -> Self {
        let code = err.code().map(|code| code.code().to_string());
        // No SQLSTATE: the socket or the protocol failed. Class 08: connection exception.
        // 57P01-57P03: the server is shutting down, crashed or is starting.
        let connection_lost = err.is_closed()
            || code.as_deref().is_none_or(|code| code.starts_with("08") || code.starts_with("57P"));
        Failure { error: StoreError::Unavailable(format!("postgres: {}", error_text(&err))), connection_lost }
    }
}

/// A PostgreSQL error with its SQLSTATE, detail and constraint, for logs and messages.
pub(crate) fn error_text(err: &postgres::Error) -> String {
    match err.as_db_error() {
        Some(db) => {
            let mut text = format!("{} ({})", db.message(), db.code().code());
            if let Some(detail) = db.detail() {
                text.push_str(&format!("; {detail}"));
            }
            if let Some(constraint) = db.constraint() {
                text.push_str(&format!("; constraint {constraint}"));
            }
            text
        }
        None => err.to_string(),
    }
}

impl PostgresStore {
    /// Connects to the database at `url` with default [`PostgresOptions`] and runs the
    /// migrations.
    pub fn connect(url: &str) -> Result<PostgresStore, StoreError> {
        Self::connect_with(url, PostgresOptions::default())
    }

    /// Connects to the database at `url` (a `postgres://` URL or `key=value` settings) and
    /// runs the migrations.
    pub fn connect_with(url: &str, options: PostgresOptions) -> Result<PostgresStore, StoreError> {
        let mut config: postgres::Config = url.parse().map_err(|err| {
            StoreError::Rejected(format!(
                "{url:?} is not a PostgreSQL connection URL or settings string: {err}"
            ))
        })?;
        config.connect_timeout(options.connect_timeout);
        config.application_name("alga-reference-host");
        // Statements are prepared once per connection; plan each execution with its actual
        // parameters anyway, so a selective search can use the trigram indexes.
        let session = "-c plan_cache_mode=force_custom_plan";
        let merged = match config.get_options() {
            Some(existing) => format!("{existing} {session}"),
            None => session.to_string(),
        };
        config.options(&merged);
        let target = describe_target(&config);
        let pool = Pool::new(config, options.pool_size, options.checkout_timeout);
        {
            let mut lease = pool.get()?;
            migrations::migrate(&mut lease.connection().client).map_err(|err| {
                lease.discard();
                StoreError::Unavailable(format!(
                    "postgres: cannot migrate the schema of {target}: {}",
                    error_text(&err)
                ))
            })?;
        }
        Ok(PostgresStore { pool, options, target, outage: AtomicBool::new(false) })
    }

    /// Runs `work` in a read transaction for `tenant_id` as the reader role, retrying once
    /// on a fresh connection when the connection was lost.
    fn read<T>(
        &self,
        tenant_id: &str,
        work: impl Fn(
            &mut Transaction<'_>,
            &mut HashMap<String, postgres::Statement>,
        ) -> Result<T, postgres::Error>,
    ) -> Result<T, StoreError> {
        if self.outage.load(Ordering::SeqCst) {
            return Err(StoreError::Unavailable("postgres: simulated outage".into()));
        }
        match self.attempt(tenant_id, &work) {
            Ok(value) => Ok(value),
            Err(failure) if failure.connection_lost => {
                self.pool.discard_idle();
                self.attempt(tenant_id, &work).map_err(|failure| failure.error)
            }
            Err(failure) => Err(failure.error),
        }
    }

    fn attempt<T>(
        &self,
        tenant_id: &str,
        work: &impl Fn(
            &mut Transaction<'_>,
            &mut HashMap<String, postgres::Statement>,
        ) -> Result<T, postgres::Error>,
    ) -> Result<T, Failure> {
        let mut lease = self.pool.get()?;
        let Connection { client, statements } = lease.connection();
        let result: Result<T, postgres::Error> = (|| {
            let mut transaction = client.transaction()?;
            let settings = prepared(&mut transaction, statements, &settings_sql())?;
            let timeout = format!("{}ms", self.options.statement_timeout.as_millis());
            transaction.execute(&settings, &[&tenant_id, &timeout])?;
            let value = work(&mut transaction, statements)?;
            transaction.commit()?;
            Ok(value)
        })();
        if result.is_err() {
            // Cheap to replace, and never worth trusting after a failure.
            lease.discard();
        }
        result.map_err(Failure::from)
    }

    /// Runs `statement` for `tenant_id` and returns its rows.
    fn query(&self, tenant_id: &str, statement: &Statement) -> Result<Vec<Row>, StoreError> {
        self.read(tenant_id, |transaction, statements| run(transaction, statements, statement))
    }

    /// The ids of every client the reader role sees in `tenant_id`'s transaction when the
    /// query itself does not filter by tenant: only row-level security stands between it
    /// and other tenants' rows.
    #[cfg(test)]
    pub(crate) fn client_ids_without_tenant_filter(
        &self,
        tenant_id: &str,
    ) -> Result<Vec<String>, StoreError> {
        let statement = Statement { text: "SELECT client_id::text FROM clients".into(), params: vec![] };
        let rows = self.query(tenant_id, &statement)?;
        Ok(rows.iter().map(|row| row.get(0)).collect())
    }

    /// The same query as the tables' owner, which row-level security does not restrict.
    #[cfg(test)]
    pub(crate) fn client_ids_as_owner(&self) -> Result<Vec<String>, StoreError> {
        let mut lease = self.pool.get()?;
        let rows = lease
            .connection()
            .client
            .query("SELECT client_id::text FROM clients", &[])
            .map_err(|err| StoreError::Unavailable(error_text(&err)))?;
        Ok(rows.iter().map(|row| row.get(0)).collect())
    }
}

/// `BEGIN`'s companion: the transaction-local role, tenant and statement timeout.
fn settings_sql() -> String {
    format!(
        "SELECT set_config('role', '{READER_ROLE}', true), set_config('{TENANT_SETTING}', $1::text, true), \
         set_config('statement_timeout', $2::text, true)"
    )
}

/// The statement for `sql`, prepared on this connection once.
fn prepared(
    client: &mut impl GenericClient,
    statements: &mut HashMap<String, postgres::Statement>,
    sql: &str,
) -> Result<postgres::Statement, postgres::Error> {
    if let Some(statement) = statements.get(sql) {
        return Ok(statement.clone());
    }
    let statement = client.prepare(sql)?;
    statements.insert(sql.to_string(), statement.clone());
    Ok(statement)
}

fn run(
    transaction: &mut Transaction<'_>,
    statements: &mut HashMap<String, postgres::Statement>,
    statement: &Statement,
) -> Result<Vec<Row>, postgres::Error> {
    let prepared = prepared(transaction, statements, &statement.text)?;
    let params: Vec<&(dyn ToSql + Sync)> = statement
        .params
        .iter()
        .map(|value| match value {
            Value::Text(text) => text as &(dyn ToSql + Sync),
            Value::Bool(b) => b as &(dyn ToSql + Sync),
            Value::Int(i) => i as &(dyn ToSql + Sync),
        })
        .collect();
    transaction.query(&prepared, &params)
}

fn describe_target(config: &postgres::Config) -> String {
    let host = match config.get_hosts().first() {
        Some(postgres::config::Host::Tcp(host)) => host.clone(),
        Some(postgres::config::Host::Unix(path)) => path.display().to_string(),
        None => "localhost".into(),
    };
    let port = config.get_ports().first().copied().unwrap_or(5432);
    format!("{host}:{port}/{}", config.get_dbname().unwrap_or(config.get_user().unwrap_or("postgres")))
}

/// A result row of the `postgres` crate, read through [`ColumnAccess`].
struct PostgresRow<'a>(&'a Row);

fn column_error(index: usize, err: postgres::Error) -> StoreError {
    StoreError::Corrupt(format!("postgres: column {index}: {err}"))
}

impl ColumnAccess for PostgresRow<'_> {
    fn text(&self, index: usize) -> Result<Option<String>, StoreError> {
        self.0.try_get(index).map_err(|err| column_error(index, err))
    }
    fn boolean(&self, index: usize) -> Result<Option<bool>, StoreError> {
        self.0.try_get(index).map_err(|err| column_error(index, err))
    }
    fn integer(&self, index: usize) -> Result<Option<i64>, StoreError> {
        self.0.try_get(index).map_err(|err| column_error(index, err))
    }
    fn tag_texts(&self, index: usize) -> Result<Vec<String>, StoreError> {
        let tags: Option<Vec<String>> = self.0.try_get(index).map_err(|err| column_error(index, err))?;
        Ok(tags.unwrap_or_default())
    }
}

/// The user of `crate::sql::user`'s rows with the permissions of `user_permissions`'.
fn stored_user(user_rows: &[Row], permission_rows: &[Row]) -> Result<Option<StoredUser>, StoreError> {
    let Some((user_type, is_inactive, client_id)) = decode(user_rows, rows::user_row)?.into_iter().next()
    else {
        return Ok(None);
    };
    let permissions = decode(permission_rows, rows::permission_row)?;
    Ok(Some(StoredUser { user_type, is_inactive, client_id, permissions }))
}

fn decode<T>(
    rows: &[Row],
    decode: impl Fn(&dyn ColumnAccess) -> Result<T, StoreError>,
) -> Result<Vec<T>, StoreError> {
    rows.iter().map(|row| decode(&PostgresRow(row))).collect()
}

impl DataStore for PostgresStore {
    fn describe(&self) -> String {
        format!("postgres ({})", self.target)
    }

    fn load_fixture(&self, fixture: &Fixture) -> Result<(), StoreError> {
        fixture.validate().map_err(|err| StoreError::Rejected(err.to_string()))?;
        let tables = tables::rows(fixture);
        let mut lease = self.pool.get()?;
        load::load(&mut lease.connection().client, &tables).map_err(|err| {
            lease.discard();
            match err {
                load::LoadError::Data(text) => {
                    StoreError::Rejected(format!("postgres refused the fixture: {text}"))
                }
                load::LoadError::Database(err) => StoreError::Unavailable(format!(
                    "postgres: loading the fixture failed: {}",
                    error_text(&err)
                )),
            }
        })
    }

    fn set_outage(&self, down: bool) {
        self.outage.store(down, Ordering::SeqCst);
    }

    fn install_capabilities(
        &self,
        tenant_id: &str,
        install_id: &str,
    ) -> Result<Option<Vec<String>>, StoreError> {
        let statement = sql::install_capabilities(Dialect::Postgres, tenant_id, install_id, Faults::NONE);
        let rows = self.query(tenant_id, &statement)?;
        let found = decode(&rows, |row| rows::required_text(row, 0, "granted_caps"))?;
        found.first().map(|json| rows::capability_list(install_id, json)).transpose()
    }

    fn user(&self, tenant_id: &str, user_id: &str) -> Result<Option<StoredUser>, StoreError> {
        let user = sql::user(Dialect::Postgres, tenant_id, user_id, Faults::NONE);
        let permissions = sql::user_permissions(Dialect::Postgres, tenant_id, user_id, Faults::NONE);
        let (user_rows, permission_rows) = self.read(tenant_id, |transaction, statements| {
            Ok((run(transaction, statements, &user)?, run(transaction, statements, &permissions)?))
        })?;
        stored_user(&user_rows, &permission_rows)
    }

    /// One transaction for the install and the user (an actor is resolved per execution).
    fn context(
        &self,
        tenant_id: &str,
        install_id: Option<&str>,
        user_id: Option<&str>,
        faults: Faults,
    ) -> Result<ContextRecords, StoreError> {
        let install =
            install_id.map(|id| sql::install_capabilities(Dialect::Postgres, tenant_id, id, faults));
        let user = user_id.map(|id| {
            (
                sql::user(Dialect::Postgres, tenant_id, id, faults),
                sql::user_permissions(Dialect::Postgres, tenant_id, id, faults),
            )
        });
        let (install_rows, user_rows) = self.read(tenant_id, |transaction, statements| {
            let install_rows = install.as_ref().map(|s| run(transaction, statements, s)).transpose()?;
            let user_rows = match &user {
                Some((user, permissions)) => {
                    Some((run(transaction, statements, user)?, run(transaction, statements, permissions)?))
                }
                None => None,
            };
            Ok((install_rows, user_rows))
        })?;
        let capabilities = match (install_id, install_rows) {
            (Some(install_id), Some(rows)) => {
                decode(&rows, |row| rows::required_text(row, 0, "granted_caps"))?
                    .first()
                    .map(|json| rows::capability_list(install_id, json))
                    .transpose()?
            }
            _ => None,
        };
        let user = match user_rows {
            Some((user_rows, permission_rows)) => stored_user(&user_rows, &permission_rows)?,
            None => None,
        };
        Ok(ContextRecords { capabilities, user })
    }

    fn list_clients(&self, query: &ClientListQuery<'_>) -> Result<Listing<ClientSummary>, StoreError> {
        let rows = self.query(query.tenant_id, &sql::list_clients(Dialect::Postgres, query))?;
        let rows = decode(&rows, |row| Ok((rows::total(row)?, rows::client_row(row)?)))?;
        rows::listing(rows, rows::ClientRow::into_summary)
    }

    fn get_client(&self, query: &RecordQuery<'_>) -> Result<Option<ClientSummary>, StoreError> {
        let rows = self.query(query.tenant_id, &sql::get_client(Dialect::Postgres, query))?;
        decode(&rows, rows::client_row)?
            .into_iter()
            .flatten()
            .next()
            .map(rows::ClientRow::into_summary)
            .transpose()
    }

    fn list_services(&self, query: &ServiceListQuery<'_>) -> Result<Listing<ServiceSummary>, StoreError> {
        let rows = self.query(query.tenant_id, &sql::list_services(Dialect::Postgres, query))?;
        let rows = decode(&rows, |row| Ok((rows::total(row)?, rows::service_row(row)?)))?;
        rows::listing(rows, rows::ServiceRow::into_summary)
    }

    fn get_service(&self, query: &RecordQuery<'_>) -> Result<Option<ServiceSummary>, StoreError> {
        let rows = self.query(query.tenant_id, &sql::get_service(Dialect::Postgres, query))?;
        decode(&rows, rows::service_row)?
            .into_iter()
            .flatten()
            .next()
            .map(rows::ServiceRow::into_summary)
            .transpose()
    }
}
