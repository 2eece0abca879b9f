//! A small blocking pool of `tokio-postgres` connections for the reads: at most `size`
//! connections, opened on demand, each with its own cache of prepared statements and its own
//! current-thread runtime, handed out one caller at a time; and [`Connection::pipeline`], the
//! one way a read talks to the server.
//!
//! Why `tokio-postgres` under a blocking API: it pipelines (every request of a read is written
//! before the first answer is awaited, so `BEGIN`, the tenant, the query and `COMMIT` cost one
//! round trip), and every wait is a future that a timer can end (a socket read on a frozen
//! server returns nothing, ever; the blocking `postgres` crate has no way to give up on it).
//! A current-thread runtime per connection is driven only by the thread that holds the lease,
//! as the `postgres` crate does internally: no runtime threads, no cross-thread wake-ups on the
//! hot path. Callers are wasmtime host calls on plain threads (never inside a runtime).
//!
//! Why not a pool crate: the store needs exactly these behaviours — a bounded number of
//! connections, a statement cache per connection, a checkout and a connect that end at the
//! caller's deadline, and dropping a connection the moment it fails or times out so that
//! calls succeed again as soon as the database is back (ERR-1) — and they are this file.

use crate::store::StoreError;
use futures_util::future::join_all;
use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};
use tokio_postgres::{CancelToken, Client, NoTls, Row, SimpleQueryMessage, Statement};

/// One open connection, its runtime, and its prepared statements.
pub(crate) struct Connection {
    /// Drives the connection's socket whenever the lease holder waits on it.
    runtime: tokio::runtime::Runtime,
    client: Client,
    statements: HashMap<String, Statement>,
}

/// One request of a pipeline.
pub(crate) enum Step<'a> {
    /// A statement in the simple query protocol, without parameters (`BEGIN`, `SET LOCAL`,
    /// `COMMIT`; the tests' smuggled SQL).
    Simple(&'a str),
    /// A statement with parameters, prepared once per connection.
    Query(&'a str, &'a [&'a (dyn tokio_postgres::types::ToSql + Sync)]),
}

/// What one [`Step`] returned.
pub(crate) enum Answer {
    // Read by the tests' smuggled SQL only; the store's own simple steps return nothing.
    #[cfg_attr(not(test), allow(dead_code))]
    Simple(Vec<SimpleQueryMessage>),
    Rows(Vec<Row>),
}

/// Why a pipeline failed.
pub(crate) enum PipelineError {
    /// The server (or the socket) answered with an error.
    Postgres(tokio_postgres::Error),
    /// The deadline came first. The connection is out of step with the server now (requests
    /// unanswered): its lease must be discarded, and the server's statement cancelled.
    TimedOut(Duration),
}

type BoxedStep<'a> = Pin<Box<dyn Future<Output = Result<Answer, tokio_postgres::Error>> + 'a>>;

impl Connection {
    /// A new connection to `config`'s server, or an error at `until`.
    pub fn open(config: &tokio_postgres::Config, until: Instant) -> Result<Connection, StoreError> {
        let runtime =
            tokio::runtime::Builder::new_current_thread().enable_io().enable_time().build().map_err(
                |err| {
                    StoreError::Unavailable(format!("postgres: cannot start a connection's runtime: {err}"))
                },
            )?;
        let started = Instant::now();
        let client = runtime.block_on(async {
            let connecting = config.connect(NoTls);
            match tokio::time::timeout_at(tokio::time::Instant::from_std(until), connecting).await {
                Ok(Ok((client, connection))) => {
                    // Driven whenever the lease holder blocks on this runtime; it ends when
                    // the client is dropped or the server closes the socket.
                    tokio::spawn(connection);
                    Ok(client)
                }
                Ok(Err(err)) => Err(StoreError::Unavailable(format!(
                    "postgres: cannot connect: {}",
                    super::error_text(&err)
                ))),
                Err(_) => Err(StoreError::Unavailable(format!(
                    "postgres: no connection within {:?}",
                    started.elapsed()
                ))),
            }
        })?;
        Ok(Connection { runtime, client, statements: HashMap::new() })
    }

    /// Sends every step at once and waits, until `until` at most, for all their answers, in
    /// order. A step that fails does not stop the others from being answered (after an
    /// error inside a transaction the server refuses the rest, and `COMMIT` rolls back):
    /// the first error is returned.
    ///
    /// Statements not yet prepared on this connection are prepared first, together, in one
    /// more round trip (once per connection and statement text).
    pub fn pipeline(&mut self, steps: &[Step<'_>], until: Instant) -> Result<Vec<Answer>, PipelineError> {
        let Connection { runtime, client, statements } = self;
        let client = &*client;
        let started = Instant::now();
        let deadline = tokio::time::Instant::from_std(until);
        runtime.block_on(async {
            let work = async {
                let missing: Vec<&str> = steps
                    .iter()
                    .filter_map(|step| match step {
                        Step::Query(sql, _) if !statements.contains_key(*sql) => Some(*sql),
                        _ => None,
                    })
                    .collect();
                if !missing.is_empty() {
                    let prepared = join_all(missing.iter().map(|sql| client.prepare(sql))).await;
                    for (sql, statement) in missing.iter().zip(prepared) {
                        statements.insert(sql.to_string(), statement?);
                    }
                }
                let futures: Vec<BoxedStep<'_>> = steps
                    .iter()
                    .map(|step| -> BoxedStep<'_> {
                        match step {
                            Step::Simple(sql) => {
                                Box::pin(async move { client.simple_query(sql).await.map(Answer::Simple) })
                            }
                            Step::Query(sql, params) => {
                                let statement = statements[*sql].clone();
                                Box::pin(
                                    async move { client.query(&statement, params).await.map(Answer::Rows) },
                                )
                            }
                        }
                    })
                    .collect();
                join_all(futures).await.into_iter().collect::<Result<Vec<_>, _>>()
            };
            match tokio::time::timeout_at(deadline, work).await {
                Ok(answers) => answers.map_err(PipelineError::Postgres),
                Err(_) => Err(PipelineError::TimedOut(started.elapsed())),
            }
        })
    }

    /// The token that cancels what the server is running for this connection.
    pub fn cancel_token(&self) -> CancelToken {
        self.client.cancel_token()
    }

    fn is_closed(&self) -> bool {
        self.client.is_closed()
    }
}

struct State {
    idle: Vec<Connection>,
    open: usize,
}

/// The pool.
pub(crate) struct Pool {
    config: tokio_postgres::Config,
    size: usize,
    checkout_timeout: Duration,
    connect_timeout: Duration,
    state: Mutex<State>,
    freed: Condvar,
}

impl Pool {
    pub fn new(
        config: tokio_postgres::Config,
        size: usize,
        checkout_timeout: Duration,
        connect_timeout: Duration,
    ) -> Pool {
        Pool {
            config,
            size: size.max(1),
            checkout_timeout,
            connect_timeout,
            state: Mutex::new(State { idle: Vec::new(), open: 0 }),
            freed: Condvar::new(),
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A connection: an idle one, a new one while fewer than `size` are open, or the next
    /// one returned — waiting until the checkout timeout or `until`, whichever is first.
    pub fn get(&self, until: Instant) -> Result<Lease<'_>, StoreError> {
        let started = Instant::now();
        let deadline = until.min(started + self.checkout_timeout);
        let mut state = self.state();
        loop {
            if let Some(connection) = state.idle.pop() {
                if connection.is_closed() {
                    state.open -= 1;
                    continue;
                }
                return Ok(Lease { pool: self, connection: Some(connection), broken: false });
            }
            if state.open < self.size {
                state.open += 1;
                drop(state);
                return match self.connect(until) {
                    Ok(connection) => Ok(Lease { pool: self, connection: Some(connection), broken: false }),
                    Err(err) => {
                        self.state().open -= 1;
                        self.freed.notify_one();
                        Err(err)
                    }
                };
            }
            let now = Instant::now();
            if now >= deadline {
                return Err(StoreError::Unavailable(format!(
                    "postgres: all {} connections stayed busy for {:?}",
                    self.size,
                    now - started
                )));
            }
            state = self.freed.wait_timeout(state, deadline - now).unwrap_or_else(PoisonError::into_inner).0;
        }
    }

    /// A new connection, or an error at `until` or the connect timeout, whichever is first.
    fn connect(&self, until: Instant) -> Result<Connection, StoreError> {
        Connection::open(&self.config, until.min(Instant::now() + self.connect_timeout))
    }

    /// Closes every idle connection (after a connection failure they are likely dead too).
    pub fn discard_idle(&self) {
        let mut state = self.state();
        let dropped = std::mem::take(&mut state.idle);
        state.open -= dropped.len();
        drop(state);
        self.freed.notify_all();
        // Closed outside the lock.
        drop(dropped);
    }
}

/// A connection lent to one caller; it returns to the pool when dropped, unless it broke.
pub(crate) struct Lease<'a> {
    pool: &'a Pool,
    connection: Option<Connection>,
    broken: bool,
}

impl Lease<'_> {
    /// Marks the connection as unusable: it is closed instead of returned.
    pub fn discard(&mut self) {
        self.broken = true;
    }

    pub fn connection(&mut self) -> &mut Connection {
        self.connection.as_mut().expect("a lease holds its connection until dropped")
    }
}

impl Drop for Lease<'_> {
    fn drop(&mut self) {
        let Some(connection) = self.connection.take() else { return };
        let mut state = self.pool.state();
        if self.broken || connection.is_closed() {
            state.open -= 1;
            drop(state);
            // Dropping the runtime closes the socket without waiting on the server.
            drop(connection);
        } else {
            state.idle.push(connection);
            drop(state);
        }
        self.pool.freed.notify_one();
    }
}

/// Asks the server, in the background, to cancel what `token`'s connection runs (a read
/// that passed its deadline may still hold a lock or a worker there). Best effort, bounded
/// by `within`: on a frozen server the request itself waits, and nobody waits for it.
pub(crate) fn cancel_in_background(token: CancelToken, within: Duration) {
    let spawned = std::thread::Builder::new().name("alga-pg-cancel".into()).spawn(move || {
        let Ok(runtime) = tokio::runtime::Builder::new_current_thread().enable_io().enable_time().build()
        else {
            return;
        };
        runtime.block_on(async {
            let _ = tokio::time::timeout(within, token.cancel_query(NoTls)).await;
        });
    });
    // No thread (resource exhaustion): the server's own statement timeout ends the query.
    drop(spawned);
}
