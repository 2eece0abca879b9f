//! `run`: one execution of an extension, its response printed.

use super::context::{self, ContextError};
use super::exit::{self, CliError};
use super::store::{self, StoreArg};
use super::{Format, RuntimeArgs};
use crate::escape;
use crate::http::HttpRequest;
use crate::runtime::{Runtime, read_component};
use alga_conformance_protocol::{ContextUser, ExecutionContext, UserType};
use clap::{Args, ValueEnum};
use std::io::Write as _;
use std::path::PathBuf;

/// The user types of `--user-type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum UserTypeArg {
    /// Staff of the tenant.
    Internal,
    /// A client-portal user.
    Client,
}

impl From<UserTypeArg> for UserType {
    fn from(arg: UserTypeArg) -> Self {
        match arg {
            UserTypeArg::Internal => UserType::Internal,
            UserTypeArg::Client => UserType::Client,
        }
    }
}

/// Options of `run`.
#[derive(Debug, Clone, Args)]
pub struct RunArgs {
    /// The extension: a WebAssembly component of world `alga:reference-host/extension`.
    #[arg(long, value_name = "FILE")]
    pub component: PathBuf,
    /// The tenant the execution reads (a UUID).
    #[arg(long, value_name = "UUID")]
    pub tenant: String,
    /// The extension's install in that tenant (a UUID); its capabilities apply.
    #[arg(long, value_name = "UUID")]
    pub install: String,
    /// The user the extension runs for (a UUID); without it, it runs as a scheduled job.
    #[arg(long, value_name = "UUID")]
    pub user: Option<String>,
    /// The user's type [default: internal].
    #[arg(long, value_enum, requires = "user")]
    pub user_type: Option<UserTypeArg>,
    /// A request header, `NAME:VALUE` (repeatable).
    #[arg(long = "header", value_name = "NAME:VALUE")]
    pub headers: Vec<String>,
    /// The request body (UTF-8 text).
    #[arg(long, value_name = "TEXT")]
    pub body: Option<String>,
    /// The store: `sqlite` (alga-demo.sqlite here, made by `seed`), `sqlite=PATH`,
    /// `postgres` (DATABASE_URL) or `postgres=URL`.
    #[arg(long, value_name = "STORE", default_value = "sqlite")]
    pub store: StoreArg,
    /// Output format: `text` prints the status line, headers and body; `json` one object.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
    /// Limits and caching.
    #[command(flatten)]
    pub runtime: RuntimeArgs,
    /// The request method, e.g. GET.
    pub method: String,
    /// The request path with an optional query, e.g. '/clients?search=acme'.
    pub path: String,
}

/// Runs `run`.
pub fn run(args: &RunArgs) -> Result<(), CliError> {
    let mut request = HttpRequest::new(&args.method, &args.path).map_err(|err| CliError::usage(err.0))?;
    for header in &args.headers {
        let (name, value) = header
            .split_once(':')
            .ok_or_else(|| CliError::usage(format!("--header must be NAME:VALUE, got {header:?}")))?;
        request.headers.push((name.trim().to_ascii_lowercase(), value.trim().to_string()));
    }
    request.body = args.body.clone().unwrap_or_default().into_bytes();

    let bytes = read_component(&args.component)?;
    let opened = store::open_seeded(&args.store, args.runtime.limits.time_limit)?;
    let given = ExecutionContext {
        tenant_id: args.tenant.clone(),
        install_id: args.install.clone(),
        user: args.user.as_ref().map(|user_id| ContextUser {
            user_id: user_id.clone(),
            user_type: args.user_type.unwrap_or(UserTypeArg::Internal).into(),
        }),
    };
    let context = context::check(opened.store().as_ref(), &given, ["--tenant", "--install", "--user"])
        .map_err(|err| match err {
            ContextError::Bad(message) => CliError::usage(message),
            ContextError::Store(message) => CliError::store(message),
        })?;
    let runtime = Runtime::new(opened.services.clone(), &args.runtime.runtime_config())
        .map_err(|err| CliError::usage(format!("the runtime did not start: {err:#}")))?;
    let extension = runtime
        .load_extension(&bytes)
        .map_err(|err| CliError::new(exit::COMPONENT, format!("{}: {err}", args.component.display())))?;
    eprintln!("{}", super::components::contract_note(&extension));
    let response = runtime.execute(&extension, &context, &request)?;

    let mut stdout = std::io::stdout().lock();
    let written = match args.format {
        Format::Json => writeln!(stdout, "{:#}", serde_json::to_value(response.to_json()).expect("JSON")),
        Format::Text => {
            let mut head = format!("HTTP {}\n", response.status);
            // The extension chose these: escaped, so that a CR, LF or terminal escape in
            // one cannot forge another header line or rewrite the terminal.
            for (name, value) in &response.headers {
                head.push_str(&format!("{}: {}\n", escape::text(name), escape::text(value)));
            }
            head.push('\n');
            stdout
                .write_all(head.as_bytes())
                .and_then(|()| stdout.write_all(&response.body))
                .and_then(|()| if response.body.ends_with(b"\n") { Ok(()) } else { stdout.write_all(b"\n") })
        }
    };
    // A closed pipe (`| head`) is not the extension's failure.
    if let Err(err) = written
        && err.kind() != std::io::ErrorKind::BrokenPipe
    {
        return Err(CliError::new(exit::EXTENSION_FAILED, format!("cannot write the response: {err}")));
    }
    Ok(())
}
