//! The store's read statements run bare — the same statement text and parameters, on the
//! same driver, but as the tables' owner, with no transaction, no tenant setting, no
//! row-level security and no decoding into the contract's types — for benchmarks that
//! measure what the store adds to the SQL it sends (`reference-host/benches/reads.rs`).
//! Never a way to serve an extension: it bypasses the second line of defence by design.

use super::pool::{Answer, Connection, PipelineError, Step};
use super::{PostgresStore, error_text, parameters};
use crate::sql::{self, Dialect, Statement};
use crate::store::{ClientListQuery, RecordQuery, StoreError};
use std::time::{Duration, Instant};

/// A connection as the owner that runs the store's read statements bare (one prepared
/// statement, `Bind`/`Execute`, one round trip).
pub struct RawReads {
    connection: Connection,
}

impl std::fmt::Debug for RawReads {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RawReads").finish_non_exhaustive()
    }
}

impl PostgresStore {
    /// A connection that runs this store's read statements bare (see [`RawReads`]).
    pub fn raw_reads(&self) -> Result<RawReads, StoreError> {
        let connection = Connection::open(&self.owner, Instant::now() + self.bounds.connect)?;
        Ok(RawReads { connection })
    }
}

impl RawReads {
    /// The statement of `get-client` for `query`; returns the number of rows.
    pub fn get_client(&mut self, query: &RecordQuery<'_>) -> Result<usize, StoreError> {
        self.run(&sql::get_client(Dialect::Postgres, query))
    }

    /// The statement of `list-clients` for `query`; returns the number of rows.
    pub fn list_clients(&mut self, query: &ClientListQuery<'_>) -> Result<usize, StoreError> {
        self.run(&sql::list_clients(Dialect::Postgres, query))
    }

    /// `EXPLAIN (ANALYZE, COSTS OFF)` of the query the search function of migration 9 runs
    /// as the owner (`alga_client_search`), for `tenant_id`, the search text `search` and
    /// whether inactive clients are included: the plan that shows the trigram indexes at
    /// work. One line per row.
    pub fn explain_client_search(
        &mut self,
        tenant_id: &str,
        search: &str,
        include_inactive: bool,
    ) -> Result<String, StoreError> {
        let search = alga_extension_contract::input::search(Some(search))
            .map_err(|err| StoreError::Rejected(err.to_string()))?
            .ok_or_else(|| StoreError::Rejected("an empty search".into()))?;
        let query = super::migrations::client_search_query!()
            .replace("p_tenant", "$1::text::uuid")
            .replace("p_pattern", "$2::text")
            .replace("p_include_inactive", "$3::bool")
            .replace("p_id", "CAST(NULL AS uuid)");
        let statement = Statement {
            text: format!("EXPLAIN (ANALYZE, COSTS OFF) {query}"),
            params: vec![
                sql::Value::Text(tenant_id.to_string()),
                sql::Value::Text(sql::like_pattern(&search, crate::store::Faults::NONE)),
                sql::Value::Bool(include_inactive),
            ],
        };
        self.lines(&statement)
    }

    fn lines(&mut self, statement: &Statement) -> Result<String, StoreError> {
        let params = parameters(statement);
        let steps = [Step::Query(&statement.text, &params)];
        match self.connection.pipeline(&steps, Instant::now() + Duration::from_secs(30)) {
            Ok(answers) => Ok(answers
                .iter()
                .flat_map(|answer| match answer {
                    Answer::Rows(rows) => rows.iter().map(|row| row.get::<_, String>(0)).collect(),
                    Answer::Simple(_) => Vec::new(),
                })
                .collect::<Vec<_>>()
                .join("\n")),
            Err(PipelineError::Postgres(err)) => Err(StoreError::Unavailable(error_text(&err))),
            Err(PipelineError::TimedOut(waited)) => {
                Err(StoreError::Unavailable(format!("no answer within {waited:?}")))
            }
        }
    }

    fn run(&mut self, statement: &Statement) -> Result<usize, StoreError> {
        let params = parameters(statement);
        let steps = [Step::Query(&statement.text, &params)];
        match self.connection.pipeline(&steps, Instant::now() + Duration::from_secs(30)) {
            Ok(answers) => Ok(answers
                .iter()
                .map(|answer| match answer {
                    Answer::Rows(rows) => rows.len(),
                    Answer::Simple(_) => 0,
                })
                .sum()),
            Err(PipelineError::Postgres(err)) => Err(StoreError::Unavailable(error_text(&err))),
            Err(PipelineError::TimedOut(waited)) => {
                Err(StoreError::Unavailable(format!("no answer within {waited:?}")))
            }
        }
    }
}
