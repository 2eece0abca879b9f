//! The two ways running an extension fails: it cannot be loaded ([`LoadError`]), or an
//! execution of it fails ([`ExecutionError`]). Each message says what is wrong in terms a
//! person can act on; a failed execution never takes the host down.

use crate::limits::LimitExceeded;

/// Why a component cannot be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The file does not exist.
    #[error("no such file: {path}")]
    NotFound {
        /// The path given.
        path: String,
    },
    /// The file exists but cannot be read.
    #[error("cannot read {path}: {message}")]
    Unreadable {
        /// The path given.
        path: String,
        /// The operating system's reason.
        message: String,
    },
    /// The bytes are not WebAssembly at all.
    #[error(
        "the file is not a WebAssembly component: it does not start with the `\\0asm` magic bytes \
         (pass the `.wasm` file the build produced)"
    )]
    NotWasm,
    /// The bytes are a core module, not a component.
    #[error(
        "the file is a core WebAssembly module, not a component: turn it into one with \
         `wasm-tools component new` (or build it with componentize-js / cargo-component)"
    )]
    CoreModule,
    /// The bytes are a precompiled artifact (`.cwasm`), which is never accepted from outside.
    #[error(
        "the file is precompiled machine code (`.cwasm`), which this host does not accept from \
         outside: pass the `.wasm` component"
    )]
    Precompiled,
    /// The bytes do not validate as a component.
    #[error("the file is not a valid WebAssembly component: {message}")]
    Invalid {
        /// wasmtime's reason.
        message: String,
    },
    /// The component lacks an export the host calls.
    #[error(
        "the component does not export `{export}`, so this host cannot run it (it exports: {})",
        list_or_nothing(exports)
    )]
    MissingExport {
        /// The export the host needs, e.g. `alga:reference-host/handler@0.1.0`.
        export: String,
        /// What the component exports.
        exports: Vec<String>,
    },
    /// The component imports something the host does not provide.
    #[error(
        "the component imports {}, which this host does not provide (it provides: {})",
        imports.iter().map(|i| format!("`{i}`")).collect::<Vec<_>>().join(", "),
        provided.join(", ")
    )]
    UnsupportedImports {
        /// The imports the host lacks.
        imports: Vec<String>,
        /// What the host provides.
        provided: Vec<String>,
    },
    /// The names line up but the types do not (e.g. a guest built against a changed WIT).
    #[error("the component's imports do not match what this host provides: {message}")]
    Link {
        /// wasmtime's reason, which names the item.
        message: String,
    },
}

fn list_or_nothing(items: &[String]) -> String {
    if items.is_empty() {
        "nothing".to_string()
    } else {
        items.iter().map(|i| format!("`{i}`")).collect::<Vec<_>>().join(", ")
    }
}

/// Why an execution produced no response. The host is unaffected: the next execution runs
/// in a fresh store.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExecutionError {
    /// The guest ran into a limit (time, memory, table, contract calls, rows).
    #[error("{0}")]
    Limit(LimitExceeded),
    /// The guest trapped (an `unreachable`, a division by zero, a stack overflow, a JS
    /// exception that escaped the handler, ...).
    #[error("the extension trapped: {message}")]
    Trap {
        /// What trapped, with wasmtime's backtrace when it has one.
        message: String,
    },
    /// The guest could not be started (for example every instance slot is in use).
    #[error("the extension could not be started: {message}")]
    Instantiate {
        /// wasmtime's reason.
        message: String,
    },
    /// Every execution slot stayed in use while this execution waited for one.
    #[error(
        "the host is busy: all {slots} execution slots stayed in use for {}; try again",
        crate::limits::human_duration(*waited)
    )]
    Busy {
        /// The number of slots (`max_concurrent_executions`).
        slots: u32,
        /// How long the execution waited.
        waited: std::time::Duration,
    },
    /// The guest answered something the host cannot pass on.
    #[error("the extension returned an invalid response: {message}")]
    BadResponse {
        /// What is wrong with it.
        message: String,
    },
}

impl ExecutionError {
    /// A short machine-readable kind: `time-limit`, `memory-limit`, `table-limit`,
    /// `host-call-limit`, `row-limit`, `trap`, `instantiate`, `busy` or `bad-response`.
    pub fn kind(&self) -> &'static str {
        match self {
            ExecutionError::Limit(LimitExceeded::Time { .. }) => "time-limit",
            ExecutionError::Limit(LimitExceeded::Memory { .. }) => "memory-limit",
            ExecutionError::Limit(LimitExceeded::Table { .. }) => "table-limit",
            ExecutionError::Limit(LimitExceeded::HostCalls { .. }) => "host-call-limit",
            ExecutionError::Limit(LimitExceeded::Rows { .. }) => "row-limit",
            ExecutionError::Trap { .. } => "trap",
            ExecutionError::Instantiate { .. } => "instantiate",
            ExecutionError::Busy { .. } => "busy",
            ExecutionError::BadResponse { .. } => "bad-response",
        }
    }
}
