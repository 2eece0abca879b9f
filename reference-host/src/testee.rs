//! [`ReferenceTestee`]: the reference host as the conformance suite drives it, in process
//! (the [`Testee`] trait) and, through `alga-reference-host testee`, out of process.
//!
//! Every call runs the probe component in a fresh execution of the real runtime (new
//! `Store`, the call's context, the engine's limits), exactly as an extension runs; only
//! the component differs.

use crate::runtime::{ProbeComponent, Runtime, RuntimeConfig};
use crate::versions;
use alga_conformance_protocol::{
    Call, ExecutionContext, Fixture, Outcome, PROTOCOL_VERSION, Testee, TesteeError, TesteeInfo,
};
use alga_reference_store::postgres::PostgresStore;
use alga_reference_store::provision::{self, TestDatabase};
use alga_reference_store::sqlite::SqliteStore;
use alga_reference_store::{ReadServices, StoreError};
use std::sync::Arc;

/// Most threads [`ReferenceTestee::call_concurrently`] uses.
const MAX_CALL_THREADS: usize = 8;

/// The reference host under test.
pub struct ReferenceTestee {
    runtime: Runtime,
    probe: Option<ProbeComponent>,
    /// A database created for this testee; dropping the testee drops it.
    _database: Option<TestDatabase>,
}

impl ReferenceTestee {
    /// A testee over `services`, with a runtime of default limits.
    pub fn new(services: ReadServices) -> anyhow::Result<Self> {
        Ok(Self::with_runtime(Runtime::new(services, &RuntimeConfig::default())?))
    }

    /// A testee over an existing runtime (its services, engine and limits).
    pub fn with_runtime(runtime: Runtime) -> Self {
        ReferenceTestee { runtime, probe: None, _database: None }
    }

    /// A testee over a new in-memory SQLite store.
    pub fn in_memory_sqlite() -> anyhow::Result<Self> {
        let store = SqliteStore::in_memory()?;
        Self::new(ReadServices::new(Arc::new(store)))
    }

    /// A testee over a new database of its own on the PostgreSQL the ladder finds
    /// (`DATABASE_URL`, testcontainers, a throwaway local cluster); the database is dropped
    /// with the testee. Fails with the ladder's explanation when there is no PostgreSQL.
    pub fn fresh_postgres() -> anyhow::Result<Self> {
        let server = provision::postgres_server()?;
        Self::fresh_postgres_on(&server)
    }

    /// A testee over a new database of its own on `server`, dropped with the testee.
    pub fn fresh_postgres_on(server: &provision::PostgresServer) -> anyhow::Result<Self> {
        let database = server.fresh_database("alga_testee")?;
        let store = PostgresStore::connect(database.url())?;
        let mut testee = Self::new(ReadServices::new(Arc::new(store)))?;
        testee._database = Some(database);
        Ok(testee)
    }

    /// The runtime the calls run in.
    pub fn runtime(&self) -> &Runtime {
        &self.runtime
    }

    fn probe(&self) -> Result<&ProbeComponent, Outcome> {
        self.probe.as_ref().ok_or_else(|| Outcome::HostFailure {
            message: "no probe component is loaded: load one (load-probe) before calling".into(),
        })
    }
}

fn store_error(err: StoreError) -> TesteeError {
    match err {
        StoreError::Rejected(message) => TesteeError::Rejected(message),
        other => TesteeError::Failed(other.to_string()),
    }
}

impl Testee for ReferenceTestee {
    fn info(&mut self) -> Result<TesteeInfo, TesteeError> {
        Ok(TesteeInfo {
            name: format!("alga-reference-host ({})", self.runtime.services().store().describe()),
            version: env!("CARGO_PKG_VERSION").to_string(),
            protocol_version: PROTOCOL_VERSION,
            contract_versions: versions::served_versions(),
            store_outage: true,
        })
    }

    fn load_probe(&mut self, component: &[u8]) -> Result<(), TesteeError> {
        let probe = self
            .runtime
            .load_probe(component)
            .map_err(|err| TesteeError::Rejected(format!("the probe cannot be loaded: {err}")))?;
        self.probe = Some(probe);
        Ok(())
    }

    fn load_fixture(&mut self, fixture: &Fixture) -> Result<(), TesteeError> {
        fixture.validate().map_err(|err| TesteeError::Rejected(err.to_string()))?;
        self.runtime.services().store().load_fixture(fixture).map_err(store_error)
    }

    fn call(&mut self, context: &ExecutionContext, call: &Call) -> Outcome {
        match self.probe() {
            Ok(probe) => self.runtime.call_probe(probe, context, call),
            Err(outcome) => outcome,
        }
    }

    /// Runs the calls on up to eight threads at once, each call in its own execution.
    fn call_concurrently(&mut self, calls: &[(ExecutionContext, Call)]) -> Vec<Outcome> {
        let probe = match self.probe() {
            Ok(probe) => probe,
            Err(outcome) => return vec![outcome; calls.len()],
        };
        let threads = calls.len().clamp(1, MAX_CALL_THREADS);
        let chunk = calls.len().div_ceil(threads).max(1);
        let runtime = &self.runtime;
        std::thread::scope(|scope| {
            let workers: Vec<_> = calls
                .chunks(chunk)
                .map(|part| {
                    scope.spawn(move || {
                        part.iter()
                            .map(|(context, call)| runtime.call_probe(probe, context, call))
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            workers
                .into_iter()
                .flat_map(|worker| {
                    worker.join().unwrap_or_else(|_| {
                        vec![Outcome::HostFailure { message: "a call thread panicked".into() }; chunk]
                    })
                })
                .take(calls.len())
                .collect()
        })
    }

    fn set_store_outage(&mut self, down: bool) -> Result<(), TesteeError> {
        self.runtime.services().store().set_outage(down);
        Ok(())
    }

    fn reset(&mut self) -> Result<(), TesteeError> {
        self.runtime.services().store().set_outage(false);
        self.load_fixture(&Fixture::default())
    }
}
