//! The embedded store: SQLite through `rusqlite` (bundled), in a file or in memory.

use crate::store::{
    ClientListQuery, DataStore, Listing, RecordQuery, ServiceListQuery, StoreError, StoredUser,
};
use alga_conformance_protocol::Fixture;
use alga_extension_contract::types::{ClientSummary, ServiceSummary};

/// The embedded SQLite store.
pub struct PostgresStore {
    location: String,
}

/// Settings of a [`PostgresStore`].
#[derive(Debug, Clone)]
pub struct PostgresOptions {
    /// Most connections open at once (concurrent executions beyond it wait).
    pub pool_size: usize,
    /// How long one query may run before PostgreSQL cancels it (the call returns `internal`).
    pub statement_timeout: std::time::Duration,
    /// How long to wait for a new connection.
    pub connect_timeout: std::time::Duration,
    /// How long a call waits for a free connection when all are busy.
    pub checkout_timeout: std::time::Duration,
}

impl Default for PostgresOptions {
    fn default() -> Self {
        PostgresOptions {
            pool_size: 16,
            statement_timeout: std::time::Duration::from_secs(5),
            connect_timeout: std::time::Duration::from_secs(5),
            checkout_timeout: std::time::Duration::from_secs(10),
        }
    }
}

impl PostgresStore {
    /// Connects to the database at `url` with default [`PostgresOptions`] and runs the
    /// migrations.
    pub fn connect(url: &str) -> Result<PostgresStore, StoreError> {
        Self::connect_with(url, PostgresOptions::default())
    }

    /// Connects to the database at `url` and runs the migrations.
    pub fn connect_with(url: &str, options: PostgresOptions) -> Result<PostgresStore, StoreError> {
        let _ = (url, options);
        unimplemented!("being written")
    }
}

impl DataStore for PostgresStore {
    fn describe(&self) -> String {
        format!("postgres ({})", self.location)
    }
    fn load_fixture(&self, _fixture: &Fixture) -> Result<(), StoreError> {
        unimplemented!("being written")
    }
    fn set_outage(&self, _down: bool) {
        unimplemented!("being written")
    }
    fn install_capabilities(&self, _t: &str, _i: &str) -> Result<Option<Vec<String>>, StoreError> {
        unimplemented!("being written")
    }
    fn user(&self, _t: &str, _u: &str) -> Result<Option<StoredUser>, StoreError> {
        unimplemented!("being written")
    }
    fn list_clients(&self, _q: &ClientListQuery<'_>) -> Result<Listing<ClientSummary>, StoreError> {
        unimplemented!("being written")
    }
    fn get_client(&self, _q: &RecordQuery<'_>) -> Result<Option<ClientSummary>, StoreError> {
        unimplemented!("being written")
    }
    fn list_services(&self, _q: &ServiceListQuery<'_>) -> Result<Listing<ServiceSummary>, StoreError> {
        unimplemented!("being written")
    }
    fn get_service(&self, _q: &RecordQuery<'_>) -> Result<Option<ServiceSummary>, StoreError> {
        unimplemented!("being written")
    }
}
