//! The embedded store: SQLite through `rusqlite` (bundled), in a file or in memory.

use crate::store::{
    ClientListQuery, DataStore, Listing, RecordQuery, ServiceListQuery, StoreError, StoredUser,
};
use alga_conformance_protocol::Fixture;
use alga_extension_contract::types::{ClientSummary, ServiceSummary};
use std::path::Path;

/// The embedded SQLite store.
pub struct SqliteStore {
    location: String,
}

impl SqliteStore {
    /// Opens (creating if needed) the database file at `path` and brings its schema up to
    /// date.
    pub fn open(path: &Path) -> Result<SqliteStore, StoreError> {
        let _ = path;
        unimplemented!("being written")
    }

    /// A fresh database in memory.
    pub fn in_memory() -> Result<SqliteStore, StoreError> {
        unimplemented!("being written")
    }
}

impl DataStore for SqliteStore {
    fn describe(&self) -> String {
        format!("sqlite ({})", self.location)
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
