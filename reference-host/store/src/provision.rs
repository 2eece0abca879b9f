//! Getting a PostgreSQL for tests, benchmarks and the CLI: the ladder `DATABASE_URL`, then
//! testcontainers (feature `testcontainers`, only when a Docker engine answers), then a
//! throwaway local cluster, then an error that says how to get one. Never a silent skip.

/// Why no PostgreSQL could be provided.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ProvisionError(pub String);

/// A PostgreSQL server to create databases on. A throwaway cluster or container is
/// stopped and removed when this is dropped.
pub struct PostgresServer {
    admin_url: String,
}

impl PostgresServer {
    /// URL of the server's maintenance database.
    pub fn url(&self) -> &str {
        &self.admin_url
    }

    /// Creates a uniquely named database whose name starts with `prefix`; it is dropped
    /// with the returned [`TestDatabase`].
    pub fn fresh_database(&self, prefix: &str) -> Result<TestDatabase, ProvisionError> {
        let _ = prefix;
        unimplemented!("being written")
    }
}

/// A database of its own for one test or run, dropped (with any open connections) when
/// this is dropped.
pub struct TestDatabase {
    url: String,
}

impl TestDatabase {
    /// The database's URL.
    pub fn url(&self) -> &str {
        &self.url
    }
}

/// Finds a PostgreSQL: `DATABASE_URL`, then testcontainers, then a throwaway local cluster.
pub fn postgres_server() -> Result<PostgresServer, ProvisionError> {
    unimplemented!("being written")
}
