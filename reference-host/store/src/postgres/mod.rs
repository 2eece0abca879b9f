//! The PostgreSQL store: Alga's tables (the subset the contract reads), versioned
//! migrations, a pool of connections, and row-level security as a second line of defence.
//! It runs unchanged on one PostgreSQL and on a Citus cluster (coordinator and workers): on
//! Citus the migrations distribute the schema by tenant themselves (`migrations`,
//! `docs/scaling.md`).
//!
//! Drivers: reads use `tokio-postgres` under a small blocking pool (`pool`), migrations
//! and loads the synchronous `postgres` crate (its blocking facade) on the owner's own
//! connections. Explicit SQL with typed parameters and no query macros that need a database
//! at compile time (as `sqlx`'s do), and a blocking API that fits wasmtime's synchronous host
//! calls without an async runtime threaded through the host.
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
//! setting the policies read: `tenant_scope` is the one place that does it. The queries
//! themselves name the tenant too (`crate::sql`); the policies only matter if a query ever
//! forgets to, which a test proves. The tenant never outlives its transaction: `SET LOCAL`
//! ends with it, and a connection whose read failed or timed out is closed, never reused
//! (a test reads tenant B on the very connection tenant A used, after each outcome).
//!
//! **One round trip per read** (issue 11). `BEGIN`, `SET LOCAL` of the tenant, the query
//! (prepared once per connection, then `Bind`/`Execute` only) and `COMMIT` are written to
//! the socket together and their answers read together: `tokio-postgres` pipelining. Chosen
//! over the alternatives because it keeps everything the store relies on:
//! - a single statement (`SELECT set_config(...), ...` then the query in one string) would
//!   need the simple query protocol, which has no bind parameters (and user text must never
//!   be spliced into SQL), and `set_config()` does not reach Citus workers (a test shows it),
//!   while `SET LOCAL` does;
//! - a function taking the tenant as an argument and running the query would move every
//!   query into PL/pgSQL, hide the plans, and let whoever can call it choose the tenant;
//! - `SET LOCAL` must be a message of its own: Citus forwards the whole query string of a
//!   `SET LOCAL` to the workers, so anything in the same string would run there too.
//!
//! The server runs the four messages one after the other as before; only the waiting
//! between them is gone (about 0.3 ms instead of 0.9 ms on loopback, issue 11's pgbench
//! figures). A statement is prepared on a connection the first time it is used there: one
//! more round trip, once. A list call is one query (count and page in one statement).
//! Folding and ordering use `lower(x COLLATE "C")` and the "C" collation, SPEC.md section 2
//! exactly.
//!
//! **The actor** (the install's capabilities, the user and their permissions) is read in
//! one such round trip (three queries) and then reused for [`PostgresOptions::context_ttl`]
//! (1 s by default; `context_cache`): a revocation takes effect for executions starting
//! more than that after it, the bound SPEC.md's note on CAP-1/AUTH-1/AUTH-2 allows and
//! states; a fixture load empties the cache. Resolving the actor in the same round trip as
//! the first read was the other option, but which query runs depends on the actor (a portal
//! user's client, whether the call is allowed at all), so it would have run reads that the
//! actor then refuses.
//!
//! **Every wait is bounded** by the call's [`Deadline`] (the execution's remaining time)
//! and by the store's own settings: the wait for a pooled connection (`checkout_timeout`),
//! the connection's handshake (`connect_timeout`), and the server's answer (the statement
//! timeout plus `QUERY_GRACE`, for a server that does not answer at all). A read that
//! reaches its deadline is `Unavailable` (the guest sees `internal`, ERR-1); its connection
//! is dropped (requests are unanswered: it is out of step) and a cancel request ends the
//! statement on the server, so a read queued on a locked table does not stay queued there.
//! The server's own `statement_timeout` (set at login) still ends a statement of a caller
//! without a deadline.
//!
//! Failures: a query that fails on a lost connection (the server restarted, was killed, or
//! dropped us) is retried once on a fresh connection, and every idle connection is dropped,
//! so the first call after the database is back succeeds; anything else, and a second
//! failure, is [`StoreError::Unavailable`].

#[cfg(test)]
mod citus_tests;
mod context_cache;
mod load;
mod migrations;
mod pool;
mod raw;
#[cfg(test)]
mod tests;

pub(crate) use migrations::{CLIENT_SEARCH_FUNCTION, retry_catalog_races};
pub use migrations::{READER_ROLE, TENANT_SETTING};
pub use raw::RawReads;

use crate::rows::{self, ColumnAccess};
use crate::sql::{self, Dialect, Statement, Value};
use crate::store::{
    ClientListQuery, ContextRecords, DataStore, Deadline, Faults, Listing, RecordQuery, ServiceListQuery,
    StoreError, StoredUser,
};
use crate::tables;
use alga_conformance_protocol::Fixture;
use alga_extension_contract::types::{ClientSummary, ServiceSummary};
use context_cache::ContextCache;
use pool::{Answer, PipelineError, Pool, Step};
use postgres::types::ToSql;
use postgres::{NoTls, Row};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// How long past the statement timeout a read waits for the server's answer when its caller
/// set no deadline: the server cancels the statement itself at the timeout, so only a server
/// that stopped answering altogether (frozen, or a network that drops packets) reaches it.
const QUERY_GRACE: Duration = Duration::from_secs(1);

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
    /// How long the records of an execution context (an install's capabilities, a user with
    /// their permissions and client) are reused before they are read again: a revoked
    /// capability or permission takes effect for executions that start more than this after
    /// the change (SPEC.md, the note on CAP-1, AUTH-1 and AUTH-2). Zero reads them for every
    /// execution. Loading a fixture empties the cache.
    pub context_ttl: Duration,
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
            .field("context_ttl", &self.context_ttl)
            .finish()
    }
}

impl Default for PostgresOptions {
    /// 16 connections (enough for the reference host's concurrent executions on a small
    /// machine, far below PostgreSQL's default 100), a 5 s statement timeout, 5 s to
    /// connect, 10 s to wait for a free connection, context records reused for 1 s.
    fn default() -> Self {
        PostgresOptions {
            pool_size: 16,
            statement_timeout: Duration::from_secs(5),
            connect_timeout: Duration::from_secs(5),
            checkout_timeout: Duration::from_secs(10),
            reader_password: None,
            context_ttl: Duration::from_secs(1),
        }
    }
}

/// The store's own bounds of each wait, for calls without a deadline (and within one).
#[derive(Debug, Clone, Copy)]
struct Bounds {
    checkout: Duration,
    connect: Duration,
    statement: Duration,
}

/// The PostgreSQL store.
pub struct PostgresStore {
    /// Connections logged in as [`READER_ROLE`], for reads.
    pool: Pool,
    /// How to log in as the owner, for migrations and loads.
    owner: tokio_postgres::Config,
    target: String,
    outage: AtomicBool,
    bounds: Bounds,
    /// Context records read recently ([`PostgresOptions::context_ttl`]).
    contexts: ContextCache,
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
        let mut owner: tokio_postgres::Config = url.parse().map_err(|err| {
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
        // Reads only: a stuck one ends as `internal` (ERR-1) even when its caller set no
        // deadline. Loads, which may take long, run on the owner's connections without it.
        reader.options(format!("{merged} -c statement_timeout={}", options.statement_timeout.as_millis()));
        let password = options.reader_password.clone().or_else(|| std::env::var(READER_PASSWORD_ENV).ok());
        // An empty password is what the owner's, if the URL had one, must be replaced by.
        reader.password(password.unwrap_or_default());
        let store = PostgresStore {
            pool: Pool::new(reader, options.pool_size, options.checkout_timeout, options.connect_timeout),
            owner,
            target,
            outage: AtomicBool::new(false),
            bounds: Bounds {
                checkout: options.checkout_timeout,
                connect: options.connect_timeout,
                statement: options.statement_timeout,
            },
            contexts: ContextCache::new(options.context_ttl),
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
        postgres::Config::from(self.owner.clone()).connect(NoTls).map_err(|err| {
            StoreError::Unavailable(format!(
                "postgres: cannot connect to {}: {}",
                self.target,
                error_text(&err)
            ))
        })
    }

    /// Runs `statements` in one read transaction for `tenant_id` as the reader role, in one
    /// round trip, and returns each one's rows; retries once on a fresh connection when the
    /// connection was lost and the deadline allows.
    fn read(
        &self,
        tenant_id: &str,
        deadline: Deadline,
        statements: &[&Statement],
    ) -> Result<Vec<Vec<Row>>, StoreError> {
        let params: Vec<Vec<&(dyn ToSql + Sync)>> = statements.iter().map(|s| parameters(s)).collect();
        let steps: Vec<Step<'_>> =
            statements.iter().zip(&params).map(|(s, p)| Step::Query(&s.text, p.as_slice())).collect();
        let answers = self.transaction(tenant_id, deadline, &steps)?;
        Ok(answers
            .into_iter()
            .map(|answer| match answer {
                Answer::Rows(rows) => rows,
                Answer::Simple(_) => Vec::new(),
            })
            .collect())
    }

    /// Runs `body` between `BEGIN`, the tenant's scope and `COMMIT`, all sent at once, and
    /// returns the answers of `body`'s steps.
    fn transaction(
        &self,
        tenant_id: &str,
        deadline: Deadline,
        body: &[Step<'_>],
    ) -> Result<Vec<Answer>, StoreError> {
        if self.outage.load(Ordering::SeqCst) {
            return Err(StoreError::Unavailable("postgres: simulated outage".into()));
        }
        let scope = tenant_scope(tenant_id)?;
        let mut steps = Vec::with_capacity(body.len() + 3);
        steps.push(Step::Simple("BEGIN"));
        steps.push(Step::Simple(&scope));
        steps.extend(body.iter().map(|step| match step {
            Step::Simple(sql) => Step::Simple(sql),
            Step::Query(sql, params) => Step::Query(sql, params),
        }));
        steps.push(Step::Simple("COMMIT"));
        let answers = match self.attempt(deadline, &steps) {
            Ok(answers) => answers,
            Err(failure) if failure.connection_lost && !deadline.passed() => {
                self.pool.discard_idle();
                self.attempt(deadline, &steps).map_err(|failure| failure.error)?
            }
            Err(failure) => return Err(failure.error),
        };
        Ok(answers.into_iter().skip(2).take(body.len()).collect())
    }

    fn attempt(&self, deadline: Deadline, steps: &[Step<'_>]) -> Result<Vec<Answer>, Failure> {
        let mut lease = self.pool.get(deadline.within(self.bounds.checkout + self.bounds.connect))?;
        let until = deadline.within(self.bounds.statement + QUERY_GRACE);
        let connection = lease.connection();
        match connection.pipeline(steps, until) {
            Ok(answers) => Ok(answers),
            Err(PipelineError::Postgres(err)) => {
                // Cheap to replace, and never worth trusting after a failure.
                lease.discard();
                Err(Failure::from(err))
            }
            Err(PipelineError::TimedOut(waited)) => {
                // Requests are unanswered: the connection is out of step for good. The server
                // may still be running the statement (waiting on a lock): cancel it.
                pool::cancel_in_background(connection.cancel_token(), self.bounds.connect);
                lease.discard();
                Err(Failure {
                    error: StoreError::Unavailable(format!(
                        "postgres: no answer within {waited:?}, the call's deadline"
                    )),
                    connection_lost: false,
                })
            }
        }
    }

    /// Runs `statement` for `tenant_id` and returns its rows.
    fn query(
        &self,
        tenant_id: &str,
        deadline: Deadline,
        statement: &Statement,
    ) -> Result<Vec<Row>, StoreError> {
        Ok(self.read(tenant_id, deadline, &[statement])?.pop().unwrap_or_default())
    }

    /// `EXPLAIN (ANALYZE, COSTS OFF)` of `list-clients` for `query`, planned and run as a
    /// read is (the reader, in the tenant's transaction, with bind parameters): for the
    /// benchmarks' record of plans. One line per row. (Not on Citus 13.2.2, whose planner
    /// crashes on an `EXPLAIN` with bind parameters.)
    pub fn explain_list_clients(&self, query: &ClientListQuery<'_>) -> Result<String, StoreError> {
        let statement = sql::list_clients(Dialect::Postgres, query);
        let explained = Statement {
            text: format!("EXPLAIN (ANALYZE, COSTS OFF) {}", statement.text),
            params: statement.params,
        };
        let rows = self.query(query.tenant_id, query.deadline, &explained)?;
        Ok(rows.iter().map(|row| row.get::<_, String>(0)).collect::<Vec<_>>().join("\n"))
    }

    /// `list-clients` as the store ran a search before migration 8: one statement that tests
    /// every one of the tenant's clients under the policy (the trigram indexes cannot serve
    /// the reader's `LIKE` there). The benchmark's same-run baseline for the indexed search;
    /// returns the number of matches (`total-count`).
    pub fn scanned_search_total(&self, query: &ClientListQuery<'_>) -> Result<u64, StoreError> {
        let rows = self.query(
            query.tenant_id,
            query.deadline,
            &sql::scanned_list_clients(Dialect::Postgres, query),
        )?;
        let rows = decode(&rows, |row| Ok((rows::total(row)?, rows::client_row(row)?)))?;
        Ok(rows::listing(rows, rows::ClientRow::into_summary)?.total)
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
        let rows = self.query(tenant_id, Deadline::NONE, &statement)?;
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
        let rows = self.query(tenant_id, Deadline::NONE, &explained)?;
        Ok(rows.iter().map(|row| row.get::<_, String>(0)).collect::<Vec<_>>().join("\n"))
    }

    /// Runs `statements` one by one (simple query protocol) in a read transaction for
    /// `tenant_id` and returns the first column of the last one's rows as text: what SQL
    /// smuggled into a read could do.
    #[cfg(test)]
    pub(crate) fn read_raw(&self, tenant_id: &str, statements: &[&str]) -> Result<Vec<String>, StoreError> {
        let steps: Vec<Step<'_>> = statements.iter().map(|sql| Step::Simple(sql)).collect();
        let answers = self.transaction(tenant_id, Deadline::NONE, &steps)?;
        let last = match answers.into_iter().last() {
            Some(Answer::Simple(messages)) => messages,
            _ => Vec::new(),
        };
        Ok(last
            .iter()
            .filter_map(|message| match message {
                postgres::SimpleQueryMessage::Row(row) => Some(row.get(0).unwrap_or("NULL").to_string()),
                _ => None,
            })
            .collect())
    }

    /// What a pooled connection carries between reads, read outside any transaction of the
    /// store's: its backend's pid, the tenant setting as the session sees it (`(none)` when
    /// unset or empty) and whether a transaction is still open (`open`/`closed`).
    #[cfg(test)]
    pub(crate) fn pooled_session(&self) -> Result<(String, String, String), StoreError> {
        let sql = format!(
            "SELECT pg_backend_pid()::text, coalesce(nullif(current_setting('{TENANT_SETTING}', true), ''), '(none)'), \
             CASE WHEN now() = statement_timestamp() THEN 'closed' ELSE 'open' END"
        );
        let mut lease = self.pool.get(Deadline::NONE.within(self.bounds.checkout))?;
        let answers = lease
            .connection()
            .pipeline(&[Step::Simple(&sql)], Deadline::NONE.within(self.bounds.statement))
            .map_err(|err| match err {
                PipelineError::Postgres(err) => StoreError::Unavailable(error_text(&err)),
                PipelineError::TimedOut(waited) => {
                    StoreError::Unavailable(format!("timed out after {waited:?}"))
                }
            })?;
        let Some(Answer::Simple(messages)) = answers.into_iter().next() else {
            unreachable!("one simple step")
        };
        let row = messages
            .iter()
            .find_map(|message| match message {
                postgres::SimpleQueryMessage::Row(row) => Some(row),
                _ => None,
            })
            .expect("one row");
        let column = |i: usize| row.get(i).unwrap_or_default().to_string();
        Ok((column(0), column(1), column(2)))
    }

    /// Runs `statements` in a read transaction for `tenant_id` that must answer by `deadline`.
    #[cfg(test)]
    pub(crate) fn read_raw_until(
        &self,
        tenant_id: &str,
        deadline: Deadline,
        statements: &[&str],
    ) -> Result<usize, StoreError> {
        let steps: Vec<Step<'_>> = statements.iter().map(|sql| Step::Simple(sql)).collect();
        Ok(self.transaction(tenant_id, deadline, &steps)?.len())
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

/// The parameters of `statement` as the driver takes them.
fn parameters(statement: &Statement) -> Vec<&(dyn ToSql + Sync)> {
    statement
        .params
        .iter()
        .map(|value| match value {
            Value::Text(text) => text as &(dyn ToSql + Sync),
            Value::Bool(b) => b as &(dyn ToSql + Sync),
            Value::Int(i) => i as &(dyn ToSql + Sync),
        })
        .collect()
}

fn describe_target(config: &tokio_postgres::Config) -> String {
    let host = match config.get_hosts().first() {
        Some(tokio_postgres::config::Host::Tcp(host)) => host.clone(),
        Some(tokio_postgres::config::Host::Unix(path)) => path.display().to_string(),
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
        let loaded = load::load(&mut client, &tables).map_err(|err| match err {
            load::LoadError::Data(text) => {
                StoreError::Rejected(format!("postgres refused the fixture: {text}"))
            }
            load::LoadError::Database(err) => {
                StoreError::Unavailable(format!("postgres: loading the fixture failed: {}", error_text(&err)))
            }
        });
        // Whatever happened, records read before describe data that may be gone.
        self.contexts.clear();
        loaded
    }

    fn set_outage(&self, down: bool) {
        self.outage.store(down, Ordering::SeqCst);
    }

    fn install_capabilities(
        &self,
        tenant_id: &str,
        install_id: &str,
    ) -> Result<Option<Vec<String>>, StoreError> {
        Ok(self.context(tenant_id, Some(install_id), None, Faults::NONE, Deadline::NONE)?.capabilities)
    }

    fn user(&self, tenant_id: &str, user_id: &str) -> Result<Option<StoredUser>, StoreError> {
        Ok(self.context(tenant_id, None, Some(user_id), Faults::NONE, Deadline::NONE)?.user)
    }

    /// The records still fresh in the context cache, and the others in one round trip (the
    /// install, the user and their permissions, pipelined in one transaction). A call with
    /// deliberate faults reads and caches nothing: its queries differ.
    fn context(
        &self,
        tenant_id: &str,
        install_id: Option<&str>,
        user_id: Option<&str>,
        faults: Faults,
        deadline: Deadline,
    ) -> Result<ContextRecords, StoreError> {
        if self.outage.load(Ordering::SeqCst) {
            // A simulated outage fails like a real one would for a call that needs the store.
            return Err(StoreError::Unavailable("postgres: simulated outage".into()));
        }
        let cached = faults == Faults::NONE;
        let generation = self.contexts.generation();
        let install_cached =
            install_id.filter(|_| cached).and_then(|id| self.contexts.install(tenant_id, id));
        let user_cached = user_id.filter(|_| cached).and_then(|id| self.contexts.user(tenant_id, id));
        let install = install_id
            .filter(|_| install_cached.is_none())
            .map(|id| sql::install_capabilities(Dialect::Postgres, tenant_id, id, faults));
        let user = user_id.filter(|_| user_cached.is_none()).map(|id| {
            (
                sql::user(Dialect::Postgres, tenant_id, id, faults),
                sql::user_permissions(Dialect::Postgres, tenant_id, id, faults),
            )
        });
        let mut statements: Vec<&Statement> = Vec::new();
        statements.extend(install.as_ref());
        if let Some((user, permissions)) = &user {
            statements.extend([user, permissions]);
        }
        let mut results =
            if statements.is_empty() { Vec::new() } else { self.read(tenant_id, deadline, &statements)? }
                .into_iter();
        let capabilities = match (install_id, install_cached) {
            (_, Some(capabilities)) => capabilities,
            (Some(install_id), None) => {
                let rows = results.next().unwrap_or_default();
                let capabilities = decode(&rows, |row| rows::required_text(row, 0, "granted_caps"))?
                    .first()
                    .map(|json| rows::capability_list(install_id, json))
                    .transpose()?;
                if cached {
                    self.contexts.put_install(generation, tenant_id, install_id, capabilities.clone());
                }
                capabilities
            }
            (None, None) => None,
        };
        let user = match (user_id, user_cached) {
            (_, Some(user)) => user,
            (Some(user_id), None) => {
                let user_rows = results.next().unwrap_or_default();
                let permission_rows = results.next().unwrap_or_default();
                let user = stored_user(&user_rows, &permission_rows)?;
                if cached {
                    self.contexts.put_user(generation, tenant_id, user_id, user.clone());
                }
                user
            }
            (None, None) => None,
        };
        Ok(ContextRecords { capabilities, user })
    }

    fn list_clients(&self, query: &ClientListQuery<'_>) -> Result<Listing<ClientSummary>, StoreError> {
        let rows =
            self.query(query.tenant_id, query.deadline, &sql::list_clients(Dialect::Postgres, query))?;
        let rows = decode(&rows, |row| Ok((rows::total(row)?, rows::client_row(row)?)))?;
        rows::listing(rows, rows::ClientRow::into_summary)
    }

    fn get_client(&self, query: &RecordQuery<'_>) -> Result<Option<ClientSummary>, StoreError> {
        let rows = self.query(query.tenant_id, query.deadline, &sql::get_client(Dialect::Postgres, query))?;
        decode(&rows, rows::client_row)?
            .into_iter()
            .flatten()
            .next()
            .map(rows::ClientRow::into_summary)
            .transpose()
    }

    fn list_services(&self, query: &ServiceListQuery<'_>) -> Result<Listing<ServiceSummary>, StoreError> {
        let rows =
            self.query(query.tenant_id, query.deadline, &sql::list_services(Dialect::Postgres, query))?;
        let rows = decode(&rows, |row| Ok((rows::total(row)?, rows::service_row(row)?)))?;
        rows::listing(rows, rows::ServiceRow::into_summary)
    }

    fn get_service(&self, query: &RecordQuery<'_>) -> Result<Option<ServiceSummary>, StoreError> {
        let rows =
            self.query(query.tenant_id, query.deadline, &sql::get_service(Dialect::Postgres, query))?;
        decode(&rows, rows::service_row)?
            .into_iter()
            .flatten()
            .next()
            .map(rows::ServiceRow::into_summary)
            .transpose()
    }
}
