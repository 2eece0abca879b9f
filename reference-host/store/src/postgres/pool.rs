//! A small blocking connection pool: at most `size` connections, opened on demand, each
//! with its own cache of prepared statements, handed out one caller at a time.
//!
//! Why not a pool crate: the store needs exactly three behaviours — a bounded number of
//! connections, a statement cache per connection (so a list call is one round trip for the
//! query, not a parse and an execute), and dropping a connection the moment it fails so
//! that calls succeed again as soon as the database is back (ERR-1) — and these are a
//! hundred lines here.

use crate::store::StoreError;
use postgres::{Client, NoTls, Statement};
use std::collections::HashMap;
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

/// One open connection and its prepared statements.
pub(crate) struct Connection {
    pub client: Client,
    pub statements: HashMap<String, Statement>,
}

struct State {
    idle: Vec<Connection>,
    open: usize,
}

/// The pool.
pub(crate) struct Pool {
    config: postgres::Config,
    size: usize,
    checkout_timeout: Duration,
    state: Mutex<State>,
    freed: Condvar,
}

impl Pool {
    pub fn new(config: postgres::Config, size: usize, checkout_timeout: Duration) -> Pool {
        Pool {
            config,
            size: size.max(1),
            checkout_timeout,
            state: Mutex::new(State { idle: Vec::new(), open: 0 }),
            freed: Condvar::new(),
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A connection: an idle one, a new one while fewer than `size` are open, or the next
    /// one returned within the checkout timeout.
    pub fn get(&self) -> Result<Lease<'_>, StoreError> {
        let deadline = Instant::now() + self.checkout_timeout;
        let mut state = self.state();
        loop {
            if let Some(connection) = state.idle.pop() {
                if connection.client.is_closed() {
                    state.open -= 1;
                    continue;
                }
                return Ok(Lease { pool: self, connection: Some(connection), broken: false });
            }
            if state.open < self.size {
                state.open += 1;
                drop(state);
                return match self.config.connect(NoTls) {
                    Ok(client) => Ok(Lease {
                        pool: self,
                        connection: Some(Connection { client, statements: HashMap::new() }),
                        broken: false,
                    }),
                    Err(err) => {
                        self.state().open -= 1;
                        self.freed.notify_one();
                        Err(StoreError::Unavailable(format!("postgres: cannot connect: {err}")))
                    }
                };
            }
            let now = Instant::now();
            if now >= deadline {
                return Err(StoreError::Unavailable(format!(
                    "postgres: all {} connections stayed busy for {:?}",
                    self.size, self.checkout_timeout
                )));
            }
            state = self.freed.wait_timeout(state, deadline - now).unwrap_or_else(PoisonError::into_inner).0;
        }
    }

    /// Closes every idle connection (after a connection failure they are likely dead too).
    pub fn discard_idle(&self) {
        let mut state = self.state();
        let dropped = std::mem::take(&mut state.idle);
        state.open -= dropped.len();
        drop(state);
        self.freed.notify_all();
        // Closed outside the lock: closing may wait on a dead socket.
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
        if self.broken || connection.client.is_closed() {
            state.open -= 1;
        } else {
            state.idle.push(connection);
        }
        drop(state);
        self.pool.freed.notify_one();
    }
}
