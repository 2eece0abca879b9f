//! What the store's integration tests share: the two stores on databases of their own, and
//! a small hand-written world whose expected answers are known exactly.

#![allow(dead_code)]

pub mod outage;
pub mod world;

use alga_reference_store::postgres::PostgresStore;
use alga_reference_store::provision::{self, PostgresServer, TestDatabase};
use alga_reference_store::sqlite::SqliteStore;
use alga_reference_store::{DataStore, ReadServices};
use std::sync::Arc;

/// A store under test and what keeps its database alive. Fields drop in order: the store
/// (closing its connections), then the database, then the server.
pub struct Backend {
    pub name: &'static str,
    pub store: Arc<dyn DataStore>,
    _database: Option<TestDatabase>,
    _server: Option<PostgresServer>,
}

impl Backend {
    pub fn services(&self) -> ReadServices {
        ReadServices::new(self.store.clone())
    }
}

/// The embedded store, in memory.
pub fn sqlite() -> Backend {
    Backend {
        name: "sqlite",
        store: Arc::new(SqliteStore::in_memory().unwrap()),
        _database: None,
        _server: None,
    }
}

/// The PostgreSQL store on a fresh database from the provisioning ladder. Panics with the
/// ladder's explanation when there is no PostgreSQL: never a silent skip.
pub fn postgres(prefix: &str) -> Backend {
    let server = provision::postgres_server().unwrap_or_else(|err| panic!("{err}"));
    let database = server.fresh_database(prefix).unwrap_or_else(|err| panic!("{err}"));
    let store = PostgresStore::connect(database.url()).unwrap_or_else(|err| panic!("{err}"));
    Backend { name: "postgres", store: Arc::new(store), _database: Some(database), _server: Some(server) }
}

/// The PostgreSQL store on a fresh database of a Citus cluster (a coordinator and two
/// workers: `CITUS_URL`, else a throwaway cluster shared by the tests of one binary, which
/// its watchdogs remove when the binary exits). Panics when there is no Citus.
pub fn citus(prefix: &str) -> Backend {
    static SERVER: std::sync::OnceLock<PostgresServer> = std::sync::OnceLock::new();
    let server = SERVER.get_or_init(|| provision::citus_server().unwrap_or_else(|err| panic!("{err}")));
    let database = server.fresh_database(prefix).unwrap_or_else(|err| panic!("{err}"));
    let store = PostgresStore::connect(database.url()).unwrap_or_else(|err| panic!("{err}"));
    Backend { name: "citus", store: Arc::new(store), _database: Some(database), _server: None }
}

/// Every store: SQLite, PostgreSQL, and PostgreSQL on Citus.
pub fn every_store(prefix: &str) -> Vec<Backend> {
    vec![sqlite(), postgres(prefix), citus(prefix)]
}
