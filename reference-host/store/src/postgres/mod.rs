//! The PostgreSQL store: Alga's tables (the subset the contract reads), versioned
//! migrations, a pool of connections, and row-level security as a second line of defence.
//! It runs unchanged on one PostgreSQL and on a Citus cluster (coordinator and workers): on
//! Citus the migrations distribute the schema by tenant themselves (`migrations`,
//! `docs/scaling.md`).
//!
//! Driver: the synchronous `postgres` crate (the blocking facade of `tokio-postgres`).
//! Explicit SQL with typed parameters and no query macros that need a database at compile
//! time (as `sqlx`'s do), a small dependency footprint, and a blocking API that fits
//! wasmtime's synchronous host calls without an async runtime threaded through the host.
//!
//! Two logins. The URL the store is given names the schema's **owner**: it runs the
//! migrations and loads fixtures, each time on a connection of its own that is closed
//! afterwards. Every **read** runs on a pooled connection that logged in as [`READER_ROLE`],
//! which is neither a superuser nor the owner, so row-level security applies and nothing a
//! read transaction runs can lift it (`RESET ROLE` stays the reader). Same host, port,
//! database and options as the URL; the password, if the server asks for one, comes from
//! [`PostgresOptions::reader_password`] or the environment variable `ALGA_READER_PASSWORD`
//! (never from the URL, never logged).
//!
//! Every read runs in its own transaction that first sets, transaction-locally, the tenant
//! setting the policies read and a `statement_timeout` (a stuck query ends as `internal`,
//! ERR-1): [`tenant_scope`] is the one place that does it. The queries themselves name the
//! tenant too (`crate::sql`); the policies only matter if a query ever forgets to, which a
//! test proves.
//!
//! A list call is one query round trip (count and page in one statement, prepared once per
//! connection), plus `BEGIN`, the settings and `COMMIT`. Folding and ordering use
//! `lower(x COLLATE "C")` and the "C" collation, SPEC.md section 2 exactly.
//!
//! Failures: a query that fails on a lost connection (the server restarted, was killed, or
//! dropped us) is retried once on a fresh connection, and every idle connection is dropped,
//! so the first call after the database is back succeeds; anything else, and a second
//! failure, is [`StoreError::Unavailable`].

#[cfg(test)]
mod citus_tests;
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
use postgres::{GenericClient, NoTls, Row, Transaction};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// Settings of a [`PostgresStore`]. `Debug` leaves the password out.
#[derive(Clone)]
pub struct PostgresOptions {
    /// Most connections open at once (concurrent executions beyond it wait).
    pub pool_size: usize,
    /// How long one query may run before PostgreSQL cancels it (the call returns `internal`).
    pub statement_timeout: Duration,
    /// How long to wait for a new connection.
    pub connect_timeout: Duration,
    /// How long a call waits for a free connection when all are busy.
    pub checkout_timeout: Duration,
    /// The password of [`READER_ROLE`], when the server asks for one; `None` reads the
    /// environment variable [`READER_PASSWORD_ENV`] (and sends none if it is unset).
    pub reader_password: Option<String>,
}

/// The environment variable holding [`READER_ROLE`]'s password, for servers that ask for
/// one (trust, peer and certificate authentication do not).
pub const READER_PASSWORD_ENV: &str = "ALGA_READER_PASSWORD";

impl std::fmt::Debug for PostgresOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresOptions")
            .field("pool_size", &self.pool_size)
            .field("statement_timeout", &self.statement_timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("checkout_timeout", &self.checkout_timeout)
            .field("reader_password", &self.reader_password.as_ref().map(|_| "(set)"))
            .finish()
    }
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
            reader_password: None,
        }
    }
}

/// The PostgreSQL store.
pub struct PostgresStore {
    /// Connections logged in as [`READER_ROLE`], for reads.
    pool: Pool,
    /// How to log in as the owner, for migrations and loads.
    owner: postgres::Config,
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

    /// Connects to the database at `url` (a `postgres://` URL or `key=value` settings) as
    /// the schema's owner, runs the migrations (on Citus they distribute the schema), and
    /// opens reads as [`READER_ROLE`] on the same server and database.
    pub fn connect_with(url: &str, options: PostgresOptions) -> Result<PostgresStore, StoreError> {
        let mut owner: postgres::Config = url.parse().map_err(|err| {
            StoreError::Rejected(format!(
                "{url:?} is not a PostgreSQL connection URL or settings string: {err}"
            ))
        })?;
        owner.connect_timeout(options.connect_timeout);
        owner.application_name("alga-reference-host");
        // Statements are prepared once per connection; plan each execution with its actual
        // parameters anyway, so a selective search can use the trigram indexes (and, on
        // Citus, the tenant is a constant the router planner can prune shards by). On Citus,
        // `SET LOCAL` commands travel with the transaction to the workers it touches, so the
        // tenant setting holds where the shard query runs; elsewhere the setting is inert.
        let session = "-c plan_cache_mode=force_custom_plan -c citus.propagate_set_commands=local";
        let merged = match owner.get_options() {
            Some(existing) => format!("{existing} {session}"),
            None => session.to_string(),
        };
        owner.options(&merged);
        let target = describe_target(&owner);
        let mut reader = owner.clone();
        reader.user(READER_ROLE);
        // Reads only: a stuck one ends as `internal` (ERR-1). Loads, which may take long,
        // run on the owner's connections without it.
        reader.options(&format!("{merged} -c statement_timeout={}", options.statement_timeout.as_millis()));
        let password = options.reader_password.clone().or_else(|| std::env::var(READER_PASSWORD_ENV).ok());
        // An empty password is what the owner's, if the URL had one, must be replaced by.
        reader.password(password.unwrap_or_default());
        let store = PostgresStore {
            pool: Pool::new(reader, options.pool_size, options.checkout_timeout),
            owner,
            target,
            outage: AtomicBool::new(false),
        };
        let mut client = store.owner_connection()?;
        migrations::migrate(&mut client).map_err(|err| {
            StoreError::Unavailable(format!(
                "postgres: cannot migrate the schema of {}: {}",
                store.target,
                error_text(&err)
            ))
        })?;
        Ok(store)
    }

    /// A new connection as the owner (closed when dropped: none is kept open between loads).
    fn owner_connection(&self) -> Result<postgres::Client, StoreError> {
        self.owner.connect(NoTls).map_err(|err| {
            StoreError::Unavailable(format!(
                "postgres: cannot connect to {}: {}",
                self.target,
                error_text(&err)
            ))
        })
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
        let scope = tenant_scope(tenant_id)?;
        let mut lease = self.pool.get()?;
        let Connection { client, statements } = lease.connection();
        let result: Result<T, postgres::Error> = (|| {
            let mut transaction = client.transaction()?;
            transaction.batch_execute(&scope)?;
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

    /// The plan of `statement` for `tenant_id`, planned as a read is: on the reader's
    /// connection, in a transaction scoped to the tenant (`EXPLAIN`, one line per row).
    #[cfg(test)]
    pub(crate) fn explain(&self, tenant_id: &str, statement: &Statement) -> Result<String, StoreError> {
        // The parameters as literals: Citus 13.2.2 on PostgreSQL 15.20 crashes planning an
        // EXPLAIN with bind parameters (the statement itself runs with them).
        let mut text = statement.text.clone();
        for (index, value) in statement.params.iter().enumerate().rev() {
            let literal = match value {
                Value::Text(text) => format!("'{}'", text.replace('\'', "''")),
                Value::Bool(b) => b.to_string(),
                Value::Int(i) => i.to_string(),
            };
            text = text.replace(&format!("${}::", index + 1), &format!("{literal}::"));
        }
        let explained = Statement { text: format!("EXPLAIN {text}"), params: Vec::new() };
        let rows = self.query(tenant_id, &explained)?;
        Ok(rows.iter().map(|row| row.get::<_, String>(0)).collect::<Vec<_>>().join("\n"))
    }

    /// Runs `statements` one by one (simple query protocol) in a read transaction for
    /// `tenant_id` and returns the first column of the last one's rows as text: what SQL
    /// smuggled into a read could do.
    #[cfg(test)]
    pub(crate) fn read_raw(&self, tenant_id: &str, statements: &[&str]) -> Result<Vec<String>, StoreError> {
        self.read(tenant_id, |transaction, _| {
            let mut last = Vec::new();
            for sql in statements {
                last = transaction
                    .simple_query(sql)?
                    .iter()
                    .filter_map(|message| match message {
                        postgres::SimpleQueryMessage::Row(row) => {
                            Some(row.get(0).unwrap_or("NULL").to_string())
                        }
                        _ => None,
                    })
                    .collect();
            }
            Ok(last)
        })
    }

    /// The same query as the tables' owner, which row-level security does not restrict.
    #[cfg(test)]
    pub(crate) fn client_ids_as_owner(&self) -> Result<Vec<String>, StoreError> {
        let rows = self
            .owner_connection()?
            .query("SELECT client_id::text FROM clients", &[])
            .map_err(|err| StoreError::Unavailable(error_text(&err)))?;
        Ok(rows.iter().map(|row| row.get(0)).collect())
    }
}

/// The statement that opens every read transaction: the tenant the row-level security
/// policies compare with, `SET LOCAL` (it ends with the transaction, and on Citus it
/// travels with the transaction to the worker that runs the shard query).
///
/// This is the one place a value is spliced into SQL, because `SET` takes no bind
/// parameter. It is safe because the tenant is checked first to be a canonical lower-case
/// UUID: 36 characters, only `0-9`, `a-f` and `-` at the four fixed places, so no quote, no
/// backslash, no semicolon can occur. Anything else is refused before a connection is
/// taken. (`set_config()` takes parameters, but Citus does not send its effect to the
/// workers: a policy there would see no tenant. And it is one statement on purpose: Citus
/// forwards the whole query string of a `SET LOCAL` to the workers, so a second statement
/// in the same string would run there too.)
pub(crate) fn tenant_scope(tenant_id: &str) -> Result<String, StoreError> {
    if !is_canonical_lower_uuid(tenant_id) {
        return Err(StoreError::Rejected(format!(
            "tenant id {tenant_id:?} is not a canonical lower-case UUID"
        )));
    }
    Ok(format!("SET LOCAL {TENANT_SETTING} = '{tenant_id}'"))
}

/// `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx` with lower-case hexadecimal digits only.
fn is_canonical_lower_uuid(text: &str) -> bool {
    text.len() == 36
        && text.bytes().enumerate().all(|(index, byte)| match index {
            8 | 13 | 18 | 23 => byte == b'-',
            _ => byte.is_ascii_digit() || (b'a'..=b'f').contains(&byte),
        })
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
        let mut client = self.owner_connection()?;
        load::load(&mut client, &tables).map_err(|err| match err {
            load::LoadError::Data(text) => {
                StoreError::Rejected(format!("postgres refused the fixture: {text}"))
            }
            load::LoadError::Database(err) => {
                StoreError::Unavailable(format!("postgres: loading the fixture failed: {}", error_text(&err)))
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
