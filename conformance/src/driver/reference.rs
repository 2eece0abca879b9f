//! The in-process driver for the reference host (feature `reference-host`, on by
//! default): `alga-conformance run` with no arguments tests it on in-memory SQLite;
//! `--store postgres` on a fresh database from the provisioning ladder (`DATABASE_URL`, a
//! throwaway local cluster, ...), dropped after the run.

use alga_conformance_protocol::Testee;
use alga_reference_host::testee::ReferenceTestee;
use anyhow::{Context, Result};

/// Which store the reference host runs on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Store {
    /// A new in-memory SQLite database.
    Sqlite,
    /// A new database on the PostgreSQL the ladder finds.
    Postgres,
}

impl Store {
    /// Parses `sqlite` or `postgres`.
    pub fn parse(text: &str) -> Result<Store, String> {
        match text {
            "sqlite" => Ok(Store::Sqlite),
            "postgres" => Ok(Store::Postgres),
            other => Err(format!("unknown store {other:?}: expected `sqlite` or `postgres`")),
        }
    }
}

/// The reference host on `store`.
pub fn open(store: &Store) -> Result<Box<dyn Testee>> {
    Ok(match store {
        Store::Sqlite => {
            Box::new(ReferenceTestee::in_memory_sqlite().context("starting the reference host on SQLite")?)
        }
        Store::Postgres => Box::new(
            ReferenceTestee::fresh_postgres()
                .context("starting the reference host on a fresh PostgreSQL database")?,
        ),
    })
}
