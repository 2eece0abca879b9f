//! The command's exit codes and the error type that carries one.

use std::fmt;
use std::process::ExitCode;

/// Success: the extension answered (whatever its HTTP status), the data was loaded, the
/// server or testee stopped normally.
pub const OK: u8 = 0;
/// The extension ran but failed: it trapped, hit a limit (time, memory, contract calls,
/// rows), or answered something that is not an HTTP response.
pub const EXTENSION_FAILED: u8 = 1;
/// The command line is wrong: an unknown option, a malformed id, an unknown tenant or
/// install, a token that breaks the rules, a reachable address without a token (clap
/// reports its own parse errors with this code too).
pub const USAGE: u8 = 2;
/// The component cannot be loaded: a missing file, not a component, not built for this
/// host's world.
pub const COMPONENT: u8 = 3;
/// The store cannot be used: no seeded database, a database that does not answer, data
/// that does not load.
pub const STORE: u8 = 4;
/// `serve` cannot listen on the address.
pub const LISTEN: u8 = 5;

/// The exit codes as `--help` lists them.
pub const EXIT_CODES_HELP: &str = "Exit codes:
  0  success (for `run`: the extension answered, whatever its HTTP status)
  1  the extension failed: a trap, a limit (time, memory, contract calls, rows), an invalid
     response
  2  usage: bad arguments or a bad execution context (malformed id, unknown tenant/install);
     for `serve` also a token file or value that breaks the rules, or a non-loopback
     address without a token
  3  the component cannot be loaded (missing file, not a component, wrong world)
  4  the store cannot be used (not seeded, database unreachable, data does not load)
  5  `serve` cannot listen on the address";

/// A failure of a command: what to print and the exit code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CliError {
    /// The exit code.
    pub code: u8,
    /// The message, without the `error: ` prefix.
    pub message: String,
}

impl CliError {
    /// An error with `code`.
    pub fn new(code: u8, message: impl Into<String>) -> Self {
        CliError { code, message: message.into() }
    }

    /// A usage error (exit code 2).
    pub fn usage(message: impl Into<String>) -> Self {
        Self::new(USAGE, message)
    }

    /// A store error (exit code 4).
    pub fn store(message: impl Into<String>) -> Self {
        Self::new(STORE, message)
    }

    /// The exit code as a process exit code.
    pub fn exit_code(&self) -> ExitCode {
        ExitCode::from(self.code)
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl From<crate::LoadError> for CliError {
    fn from(err: crate::LoadError) -> Self {
        CliError::new(COMPONENT, err.to_string())
    }
}

impl From<crate::ExecutionError> for CliError {
    fn from(err: crate::ExecutionError) -> Self {
        CliError::new(EXTENSION_FAILED, err.to_string())
    }
}
