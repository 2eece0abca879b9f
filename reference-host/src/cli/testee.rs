//! `testee`: the reference host as an out-of-process testee of the conformance suite. It
//! speaks the line-delimited JSON protocol (`alga_conformance_protocol::wire`) on stdin and
//! stdout until the runner shuts it down or closes stdin.

use super::LimitArgs;
use super::exit::{self, CliError};
use super::store::{self, StoreArg};
use crate::runtime::{Runtime, RuntimeConfig};
use crate::testee::ReferenceTestee;
use clap::Args;

/// Options of `testee`.
#[derive(Debug, Clone, Args)]
pub struct TesteeArgs {
    /// The store the fixtures are loaded into: `sqlite` (in memory), `sqlite=PATH`,
    /// `postgres` (a fresh database from DATABASE_URL, else a throwaway local cluster;
    /// dropped on exit) or `postgres=URL` (that database: its data is replaced).
    #[arg(long, value_name = "STORE", default_value = "sqlite")]
    pub store: StoreArg,
    /// Execution limits.
    #[command(flatten)]
    pub limits: LimitArgs,
}

/// Runs `testee`.
pub fn testee(args: &TesteeArgs) -> Result<(), CliError> {
    let opened = store::open_for_testee(&args.store)?;
    eprintln!("alga-reference-host testee on {}", opened.store().describe());
    // The probe is a few kilobytes: compiling it is quicker than a disk cache.
    let config = RuntimeConfig { engine: args.limits.engine_config(), disk_cache: None };
    let runtime = Runtime::new(opened.services.clone(), &config)
        .map_err(|err| CliError::usage(format!("the runtime did not start: {err:#}")))?;
    let mut testee = ReferenceTestee::with_runtime(runtime);
    let served = alga_conformance_protocol::wire::serve(
        &mut testee,
        std::io::stdin().lock(),
        std::io::stdout().lock(),
    );
    // Dropped only now: a fresh database lives as long as the testee serves.
    drop(opened);
    served.map_err(|err| CliError::new(exit::EXTENSION_FAILED, format!("the protocol stream failed: {err}")))
}
