//! The `alga-reference-host` command line: `seed` demo data, `run` an extension once,
//! `serve` executions over HTTP, `testee` (the conformance protocol on stdin/stdout), and
//! `wit` (the WIT an extension of this host is built against).
//!
//! | module | what it owns |
//! |---|---|
//! | [`exit`] | exit codes and [`CliError`] |
//! | [`store`] | `--store` and opening the store |
//! | [`context`] | checking a given execution context |
//! | [`components`] | describing a loaded extension (digest, contract versions imported) |
//! | [`seed`], [`run`], [`serve`], [`testee`], [`wit`] | one subcommand each |

pub mod components;
pub mod context;
pub mod exit;
pub mod run;
pub mod seed;
pub mod serve;
pub mod store;
pub mod testee;
pub mod wit;

use crate::engine::EngineConfig;
use crate::limits::{Limits, MIB};
use crate::runtime::RuntimeConfig;
use clap::{Args, Parser, Subcommand, ValueEnum};
pub use exit::CliError;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

/// The reference host of the `alga:extension` contract: runs extension components against
/// the tenant data of an embedded SQLite store (the default) or PostgreSQL.
#[derive(Debug, Parser)]
#[command(name = "alga-reference-host", version, after_help = exit::EXIT_CODES_HELP)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Load the deterministic multi-tenant demo data into a store (replacing what it held)
    /// and print the tenants, installs and users to run as.
    #[command(after_help = exit::EXIT_CODES_HELP)]
    Seed(seed::SeedArgs),
    /// Run an extension once: send it METHOD PATH in an execution context and print its
    /// response (status, headers, body).
    #[command(after_help = exit::EXIT_CODES_HELP)]
    Run(run::RunArgs),
    /// Serve executions over HTTP: `POST /v1/execute` with an execution request as JSON
    /// (context, component, request) answers with the extension's response as JSON.
    #[command(after_help = serve::serve_help())]
    Serve(serve::ServeArgs),
    /// Be a testee of the conformance suite: speak its line-delimited JSON protocol on
    /// stdin/stdout (conformance/PROTOCOL.md); logs go to stderr.
    #[command(after_help = exit::EXIT_CODES_HELP)]
    Testee(testee::TesteeArgs),
    /// Write the WIT an extension of this host is built against: the host's world
    /// `alga:reference-host/extension` (world.wit, the `handler` export) and the contract it
    /// includes (deps/alga-extension/).
    #[command(after_help = exit::EXIT_CODES_HELP)]
    Wit(wit::WitArgs),
}

/// How output that is data is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum Format {
    /// For people.
    #[default]
    Text,
    /// One JSON document.
    Json,
}

/// The limits of every execution.
#[derive(Debug, Clone, Args)]
pub struct LimitArgs {
    /// Most linear memory one execution may use, in MiB.
    #[arg(long, value_name = "MIB", default_value_t = (Limits::default().memory_bytes / MIB) as u32,
          value_parser = clap::value_parser!(u32).range(1..=4096))]
    pub memory_limit: u32,
    /// Longest one execution may run, host calls included: `2s`, `1.5s`, `500ms`.
    #[arg(long, value_name = "DURATION", default_value = "2s", value_parser = parse_duration)]
    pub time_limit: Duration,
    /// Most calls of the contract's functions one execution may make; the call past it ends
    /// the execution.
    #[arg(long, value_name = "N", default_value_t = Limits::default().host_calls,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub host_call_limit: u32,
    /// Most rows (clients, catalog items) the contract's functions may return to one
    /// execution; the call that would go past it ends the execution.
    #[arg(long, value_name = "N", default_value_t = Limits::default().rows,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub row_limit: u64,
}

impl LimitArgs {
    /// The engine configuration these limits give.
    pub fn engine_config(&self) -> EngineConfig {
        let limits = Limits {
            memory_bytes: self.memory_limit as usize * MIB,
            time: self.time_limit,
            host_calls: self.host_call_limit,
            rows: self.row_limit,
            ..Limits::default()
        };
        EngineConfig { limits, ..EngineConfig::default() }
    }
}

/// Limits and the precompiled-component cache.
#[derive(Debug, Clone, Args)]
pub struct RuntimeArgs {
    /// Execution limits.
    #[command(flatten)]
    pub limits: LimitArgs,
    /// Directory for precompiled components, reused between runs [default:
    /// $XDG_CACHE_HOME/alga-reference-host/components, else
    /// ~/.cache/alga-reference-host/components].
    #[arg(long, value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,
    /// Keep compiled components in memory only.
    #[arg(long, conflicts_with = "cache_dir")]
    pub no_disk_cache: bool,
}

impl RuntimeArgs {
    /// The runtime configuration these options give.
    pub fn runtime_config(&self) -> RuntimeConfig {
        let disk_cache =
            if self.no_disk_cache { None } else { self.cache_dir.clone().or_else(default_cache_dir) };
        RuntimeConfig { engine: self.limits.engine_config(), disk_cache }
    }
}

/// `$XDG_CACHE_HOME/alga-reference-host/components`, else under `~/.cache`.
pub fn default_cache_dir() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_CACHE_HOME").filter(|dir| !dir.is_empty()).map(PathBuf::from).or_else(
        || {
            std::env::var_os("HOME")
                .filter(|dir| !dir.is_empty())
                .map(|home| PathBuf::from(home).join(".cache"))
        },
    )?;
    Some(base.join("alga-reference-host").join("components"))
}

/// Parses `2s`, `1.5s`, `500ms`.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let bad = || format!("`{text}` is not a duration: write e.g. 2s, 1.5s or 500ms");
    let (number, scale) = if let Some(ms) = text.strip_suffix("ms") {
        (ms, 0.001)
    } else if let Some(s) = text.strip_suffix('s') {
        (s, 1.0)
    } else {
        return Err(bad());
    };
    let value: f64 = number.trim().parse().map_err(|_| bad())?;
    if !value.is_finite() || value <= 0.0 || value * scale > 3600.0 {
        return Err(format!("`{text}` must be longer than 0 and at most an hour"));
    }
    Ok(Duration::from_secs_f64(value * scale))
}

/// Runs the command line `args` (the first item is the program name) and returns the exit
/// code; errors are printed to stderr as `error: ...`.
pub fn main_with<I, T>(args: I) -> ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(err) => {
            let _ = err.print();
            return ExitCode::from(if err.use_stderr() { exit::USAGE } else { exit::OK });
        }
    };
    let result = match cli.command {
        Command::Seed(args) => seed::seed(&args),
        Command::Run(args) => run::run(&args),
        Command::Serve(args) => serve::serve(&args),
        Command::Testee(args) => testee::testee(&args),
        Command::Wit(args) => wit::wit(&args),
    };
    match result {
        Ok(()) => ExitCode::from(exit::OK),
        Err(err) => {
            eprintln!("error: {err}");
            err.exit_code()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse() {
        assert_eq!(parse_duration("2s"), Ok(Duration::from_secs(2)));
        assert_eq!(parse_duration("1.5s"), Ok(Duration::from_millis(1500)));
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert!(parse_duration("2").unwrap_err().contains("is not a duration"));
        assert!(parse_duration("0s").unwrap_err().contains("longer than 0"));
    }

    #[test]
    fn the_command_line_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
