//! `run`: one execution of an extension, its response printed.
//!
//! Besides the response, `run` tells the person at the terminal (on standard error, never
//! the guest) what the guest cannot see: which contract version it imports, that the first
//! run of a component is compiling it (30-50 s for a componentize-js build on 2 cores; the
//! disk cache makes later runs fast), which check refused when the extension answers 403,
//! and what a bare `unreachable` trap of a JavaScript extension usually means. What an
//! extension built with its console enabled writes (`console.log`, `console.error`, the
//! message of an uncaught exception) is printed on standard error too, each line after
//! `console> `, so standard output keeps only the response.

use super::context::{self, ContextError};
use super::exit::{self, CliError};
use super::store::{self, StoreArg};
use super::{Format, RuntimeArgs};
use crate::error::ExecutionError;
use crate::escape;
use crate::http::HttpRequest;
use crate::runtime::{Runtime, read_component};
use alga_conformance_protocol::{ContextUser, ExecutionContext, UserType};
use alga_extension_contract::types::ReadError;
use alga_reference_store::Actor;
use alga_reference_store::read::Standing;
use clap::{Args, ValueEnum};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

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
    let extension = {
        let _notice = CompileNotice::start(runtime.disk_cache());
        runtime
            .load_extension(&bytes)
            .map_err(|err| CliError::new(exit::COMPONENT, format!("{}: {err}", args.component.display())))?
    };
    eprintln!("{}", super::components::contract_note(&extension));
    let executed = runtime.execute_with_console(&extension, &context, &request);
    // The extension's console (an extension built with it enabled), before the response or
    // the error it explains.
    eprint!("{}", executed.console.to_lines(CONSOLE_PREFIX));
    let response = match executed.result {
        Ok(response) => response,
        Err(err) => {
            if let ExecutionError::Trap { message } = &err
                && message.contains("unreachable")
            {
                let hint =
                    if executed.console.is_empty() { UNREACHABLE_HINT } else { UNREACHABLE_HINT_CONSOLE };
                eprintln!("{hint}");
            }
            return Err(err.into());
        }
    };
    if response.status == 403 {
        // The guest only learns `not-allowed` (SPEC.md section 4); the person running the
        // extension may learn which check refused.
        eprintln!("{}", access_note(opened.services.actor(&context)));
    }

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

/// The prefix of each line of the extension's console output on stderr.
pub const CONSOLE_PREFIX: &str = "console> ";

/// Printed after a trap on `unreachable` when the extension wrote nothing to its console:
/// what it means for a componentize-js extension.
pub const UNREACHABLE_HINT: &str = "hint: a JavaScript extension built with componentize-js traps on \
`unreachable` when an exception escapes its handler. Its message is lost because the build disables \
the engine's standard output: build with the console enabled (`npm run build:console` in the \
template) and run again to see it after `console> `. Catch exceptions in `handle` and answer them, \
e.g. a 500 whose body carries `String(error)` (docs/extension-authors.md, \"When your code throws\").";

/// Printed after a trap on `unreachable` when the extension wrote to its console.
pub const UNREACHABLE_HINT_CONSOLE: &str = "hint: a JavaScript exception escaped the handler (componentize-js \
then traps on `unreachable`); the engine printed its message above, after `console> `. Catch \
exceptions in `handle` and answer them (docs/extension-authors.md, \"When your code throws\").";

/// While a component loads: after a second without a result, says that it is being
/// compiled (silence for 30-50 s looks like a hang); when dropped after that, says how
/// long it took.
struct CompileNotice {
    done: Option<mpsc::Sender<()>>,
    waiter: Option<std::thread::JoinHandle<()>>,
}

impl CompileNotice {
    fn start(cache: Option<&Path>) -> Self {
        let (done, finished) = mpsc::channel::<()>();
        let cache = match cache {
            Some(dir) => format!("it is kept in {} for later runs", dir.display()),
            None => "--no-disk-cache: it is not kept".to_string(),
        };
        let started = Instant::now();
        let waiter = std::thread::spawn(move || {
            if finished.recv_timeout(Duration::from_secs(1)) != Err(mpsc::RecvTimeoutError::Timeout) {
                return;
            }
            eprintln!(
                "compiling the component to machine code (the first run of a build takes 30-50 s for a \
                 JavaScript extension on 2 cores; {cache})..."
            );
            let _ = finished.recv();
            eprintln!("compiled in {:.1}s", started.elapsed().as_secs_f64());
        });
        CompileNotice { done: Some(done), waiter: Some(waiter) }
    }
}

impl Drop for CompileNotice {
    fn drop(&mut self) {
        drop(self.done.take());
        if let Some(waiter) = self.waiter.take() {
            let _ = waiter.join();
        }
    }
}

/// Which check of SPEC.md section 4 refuses each interface in the execution's context.
pub fn access_note(actor: Result<Actor, ReadError>) -> String {
    let actor = match actor {
        Ok(actor) => actor,
        Err(err) => {
            return format!("note: the extension answered 403; the context could not be read: {err:?}");
        }
    };
    let mut lines = vec![
        "note: the extension answered 403. In this context (the guest is told only \
                          `not-allowed`):"
            .to_string(),
    ];
    for (interface, capability, permission, granted) in [
        ("clients", alga_extension_contract::CAP_CLIENT_READ, "client:read", actor.grants.client_read),
        ("services", alga_extension_contract::CAP_SERVICE_READ, "service:read", actor.grants.service_read),
    ] {
        let verdict = if !granted {
            format!("not-allowed: install {} does not grant {capability} (CAP-1)", actor.install_id)
        } else {
            match &actor.user {
                None => "allowed (no user: the install's capability decides, AUTH-3)".to_string(),
                Some(user) => match &user.standing {
                    Standing::Refused(why) => format!("not-allowed: user {}: {why} (AUTH-2)", user.user_id),
                    Standing::Active { client_read, service_read, own_client_id } => {
                        let held = if interface == "clients" { *client_read } else { *service_read };
                        if !held {
                            format!("not-allowed: user {} does not hold {permission} (AUTH-1)", user.user_id)
                        } else if interface == "clients" && user.user_type == UserType::Client {
                            match own_client_id {
                                Some(id) => format!("allowed: a portal user sees only their client {id} (AUTH-4)"),
                                None => "allowed, but this portal user belongs to no client and sees none (AUTH-4)"
                                    .to_string(),
                            }
                        } else {
                            "allowed".to_string()
                        }
                    }
                },
            }
        };
        lines.push(format!("  {interface:<8} {verdict}"));
    }
    lines.join("\n")
}
