//! The in-process driver for the reference host (feature `reference-host`, on by
//! default): `alga-conformance run` with no arguments tests it on in-memory SQLite;
//! `--store postgres` on a fresh database from the provisioning ladder (`DATABASE_URL`'s
//! server, a throwaway local cluster, ...), dropped after the run; `--store postgres=URL` on
//! the database at URL, whose data every case replaces (as `alga-reference-host testee
//! --store postgres=URL` does).

use alga_conformance_protocol::Testee;
use alga_reference_host::testee::ReferenceTestee;
use alga_reference_store::ReadServices;
use alga_reference_store::postgres::PostgresStore;
use anyhow::{Context, Result};
use std::sync::Arc;

/// Which store the reference host runs on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Store {
    /// A new in-memory SQLite database.
    Sqlite,
    /// A new database on the PostgreSQL the ladder finds (`None`), or the database at this
    /// URL (its data is replaced).
    Postgres(Option<String>),
}

impl Store {
    /// Parses `sqlite`, `postgres` or `postgres=URL`.
    pub fn parse(text: &str) -> Result<Store, String> {
        match text.split_once('=') {
            None if text == "sqlite" => Ok(Store::Sqlite),
            None if text == "postgres" => Ok(Store::Postgres(None)),
            Some(("postgres", url)) if !url.trim().is_empty() => {
                Ok(Store::Postgres(Some(url.trim().to_string())))
            }
            _ => Err(format!("unknown store {text:?}: expected `sqlite`, `postgres` or `postgres=URL`")),
        }
    }
}

/// The reference host on `store`.
pub fn open(store: &Store) -> Result<Box<dyn Testee>> {
    Ok(match store {
        Store::Sqlite => {
            Box::new(ReferenceTestee::in_memory_sqlite().context("starting the reference host on SQLite")?)
        }
        Store::Postgres(None) => Box::new(
            ReferenceTestee::fresh_postgres()
                .context("starting the reference host on a fresh PostgreSQL database")?,
        ),
        Store::Postgres(Some(url)) => {
            let store = PostgresStore::connect(url).with_context(|| {
                format!("connecting the reference host to the PostgreSQL database at {url}")
            })?;
            Box::new(ReferenceTestee::new(ReadServices::new(Arc::new(store)))?)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::Store;

    #[test]
    fn stores_parse() {
        assert_eq!(Store::parse("sqlite"), Ok(Store::Sqlite));
        assert_eq!(Store::parse("postgres"), Ok(Store::Postgres(None)));
        assert_eq!(
            Store::parse("postgres=postgres://u@h/db"),
            Ok(Store::Postgres(Some("postgres://u@h/db".into())))
        );
        assert!(Store::parse("postgres=").unwrap_err().contains("postgres=URL"));
        assert!(Store::parse("mysql").is_err());
    }
}
