//! `serve`: an HTTP endpoint that runs executions, like Alga's `POST /v1/execute`, for the
//! platform's gateway (the trust model is in [`TRUST_MODEL`], printed by `serve --help`).
//!
//! | module | what it owns |
//! |---|---|
//! | [`auth`] | the callers' token: where it comes from, its rules, the loopback rule |
//! | [`connections`] | hyper on a one-thread tokio runtime: connection, header, body and time bounds |
//! | [`workers`] | the worker threads that run executions, behind a bounded queue |
//!
//! This module routes requests: `/healthz` is answered on the HTTP thread and never waits
//! on anything; every other endpoint needs the token; `GET /v1/components` is answered from
//! memory; `POST /v1/execute` reads its body on the HTTP thread and runs on a worker (each
//! request is one execution in a fresh store; the engine, compiled components and the
//! database pool are shared). What an extension built with its console enabled writes goes
//! to the log, escaped, at most `console::MAX_CONSOLE_BYTES` per execution.

pub mod auth;
pub mod connections;
pub mod workers;

use super::context::{self, ContextError};
use super::exit::{self, CliError};
use super::store::{self, StoreArg};
use super::{RuntimeArgs, parse_duration};
use crate::ExecutionError;
use crate::escape;
use crate::http::{HttpRequest, HttpRequestJson};
use crate::runtime::{Extension, Runtime, read_component};
use alga_conformance_protocol::ExecutionContext;
use alga_reference_store::Deadline;
use auth::Token;
use clap::Args;
use connections::{BodyError, ConnectionLimits, Listener};
use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::{Method, Request, Response};
use serde::Deserialize;
use serde_json::{Value as Json, json};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};
use workers::{Refused, WorkerPool};

/// Largest execution request accepted, in bytes.
pub const MAX_REQUEST_BYTES: usize = 4 * 1024 * 1024;

/// Largest request line and headers accepted, in bytes.
pub const MAX_HEADER_BYTES: usize = 16 * 1024;

/// Who may call `serve` and what it checks itself: the text of `serve --help` and of the
/// README's trust model.
pub const TRUST_MODEL: &str = "\
Trust model:
  The caller is the platform's gateway. It authenticates the person or job behind a
  request and alone chooses the tenant, the install and the user of each execution;
  this host runs the context an authenticated caller sends. Callers present a shared
  token (`Authorization: Bearer TOKEN`; the token comes from --token-file FILE or the
  environment variable ALGA_HOST_TOKEN, never from the command line); every endpoint but
  /healthz answers 401 without it. Without a token, serve listens on loopback addresses
  only, unless --insecure-no-auth says that something in front of it authenticates.
  What the host checks itself, on every execution: the ids are canonical UUIDs; the install
  belongs to the tenant (else 400); the capabilities are the install's as stored; the
  user, when there is one, belongs to the tenant, is active and has the claimed type, and
  holds the permission each call needs (else that call returns `not-allowed`); every query
  is scoped to the tenant.
  What it cannot know: whether the user really is the person the gateway authenticated,
  or whether that person may act in that tenant at all. Whoever holds the token can act as
  any user of any tenant: give it to the gateway only.";

/// The endpoint's description for `serve --help`.
pub fn serve_help() -> String {
    format!(
        "Endpoints (every one but /healthz needs `Authorization: Bearer TOKEN` when a token is set):
  POST /v1/execute   run one execution; the body is JSON:
                       {{\"context\": {{\"tenantId\": UUID, \"installId\": UUID,
                                    \"user\": {{\"userId\": UUID, \"userType\": \"internal\"|\"client\"}}}},
                        \"component\": ID,
                        \"request\": {{\"method\": \"GET\", \"path\": \"/clients?search=acme\",
                                    \"headers\": {{...}}, \"body\": TEXT | \"bodyBase64\": BASE64}}}}
                     (`user` is optional; `method` defaults to GET)
                     200: the extension's response {{\"status\", \"headers\", \"body\" | \"bodyBase64\"}}
                     400: a malformed request or context, 401: no or a wrong token,
                     404: unknown component, 408: the body did not arrive within --client-timeout,
                     413: body over {} MiB, 431: headers over {} KiB,
                     500: the extension failed ({{\"error\": kind, \"message\"}}),
                     503: the store did not answer, or every worker stayed busy
  GET  /v1/components the components served: id, SHA-256 and the contract versions each imports
  GET  /healthz       200 while the server runs (no token; never waits on the store or a worker)

Stopping: on SIGTERM or SIGINT, serve stops accepting connections, answers the requests
already received (waiting at most twice the time limit for a worker, the execution, and
--client-timeout for the client to take the answer), closes every connection and exits 0.

{TRUST_MODEL}

{}",
        MAX_REQUEST_BYTES / (1024 * 1024),
        MAX_HEADER_BYTES / 1024,
        exit::EXIT_CODES_HELP
    )
}

/// Options of `serve`.
#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Address to listen on (port 0: any free port; the address is printed). An address
    /// other than loopback needs a token (or --insecure-no-auth).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8787")]
    pub listen: String,
    /// A file holding the token callers must present (`Authorization: Bearer TOKEN`): owned
    /// by this user or root, not writable by others, not readable by everyone; surrounding
    /// whitespace is trimmed; at least 16 characters. The environment variable
    /// ALGA_HOST_TOKEN may hold the token instead.
    #[arg(long, value_name = "FILE")]
    pub token_file: Option<PathBuf>,
    /// Serve a non-loopback address without a token: only when something in front of this
    /// host authenticates every caller.
    #[arg(long)]
    pub insecure_no_auth: bool,
    /// Worker threads: how many executions run at the same time.
    #[arg(long, value_name = "N", default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub workers: u16,
    /// Execution requests that may wait for a worker; more are answered 503 at once, and one
    /// that waited twice the time limit is answered 503 without running.
    #[arg(long, value_name = "N", default_value_t = 64, value_parser = clap::value_parser!(u16).range(1..))]
    pub queue: u16,
    /// Connections served at once; more wait in the kernel's listen backlog (128).
    #[arg(long, value_name = "N", default_value_t = 256, value_parser = clap::value_parser!(u32).range(1..=65536))]
    pub max_connections: u32,
    /// How long a client may take to send a request's headers (and may keep a connection
    /// idle), to send its body, and to take the response.
    #[arg(long, value_name = "DURATION", default_value = "10s", value_parser = parse_duration)]
    pub client_timeout: Duration,
    /// An extension to serve, as `ID=FILE` or `FILE` (its id is then the file name without
    /// `.wasm`). Repeatable.
    #[arg(long = "component", value_name = "[ID=]FILE", required = true)]
    pub components: Vec<String>,
    /// The store: `sqlite` (alga-demo.sqlite here, made by `seed`), `sqlite=PATH`,
    /// `postgres` (DATABASE_URL) or `postgres=URL`.
    #[arg(long, value_name = "STORE", default_value = "sqlite")]
    pub store: StoreArg,
    /// Limits and caching.
    #[command(flatten)]
    pub runtime: RuntimeArgs,
}

/// The body of `POST /v1/execute`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ExecuteRequest {
    /// Who and for which tenant.
    pub context: ExecutionContext,
    /// The id of a served component.
    pub component: String,
    /// The request for the extension.
    pub request: HttpRequestJson,
}

/// What the workers share.
struct Served {
    runtime: Runtime,
    components: BTreeMap<String, Extension>,
}

/// Everything a request is served with.
struct App {
    served: Arc<Served>,
    workers: WorkerPool,
    token: Option<Token>,
    client_timeout: Duration,
}

/// Runs `serve` until the process is stopped.
pub fn serve(args: &ServeArgs) -> Result<(), CliError> {
    let token = auth::configured(args.token_file.as_deref(), std::env::var_os(auth::TOKEN_ENV))?;
    let mut files = BTreeMap::new();
    for spec in &args.components {
        let (id, path) = component_spec(spec)?;
        if files.insert(id.clone(), path).is_some() {
            return Err(CliError::usage(format!("two components have the id `{id}`: give one as ID=FILE")));
        }
    }
    // Refused before the store and the components are opened, and checked again against
    // the address actually bound (a name may resolve to something else).
    if let Ok(address) = args.listen.parse() {
        auth::check_exposure(address, token.is_some(), args.insecure_no_auth)?;
    }
    let opened = store::open_seeded(&args.store, args.runtime.limits.time_limit)?;
    let config = args.runtime.runtime_config();
    let runtime = Runtime::new(opened.services.clone(), &config)
        .map_err(|err| CliError::usage(format!("the runtime did not start: {err:#}")))?;
    let mut components = BTreeMap::new();
    // Starting each component once here turns a component that can never start (a memory
    // larger than the limit, a trap while initialising) into an error now, not on every
    // request. No contract call runs, so the context is a placeholder.
    let placeholder = ExecutionContext {
        tenant_id: "00000000-0000-0000-0000-000000000000".into(),
        install_id: "00000000-0000-0000-0000-000000000000".into(),
        user: None,
    };
    for (id, path) in files {
        let loaded = read_component(Path::new(&path))
            .and_then(|bytes| runtime.load_extension(&bytes))
            .map_err(|err| CliError::new(exit::COMPONENT, format!("{path}: {err}")))?;
        runtime
            .start(&loaded, &placeholder)
            .map_err(|err| CliError::new(exit::COMPONENT, format!("{path} does not start: {err}")))?;
        components.insert(id, loaded);
    }
    let listener = Listener::bind(&args.listen)
        .map_err(|err| CliError::new(exit::LISTEN, format!("cannot listen on {}: {err}", args.listen)))?;
    let address = listener.local_addr();
    auth::check_exposure(address, token.is_some(), args.insecure_no_auth)?;
    // A worker waits no longer for its turn than an execution waits for a slot.
    let longest_wait = runtime.engine().slot_wait();
    let workers = WorkerPool::start(usize::from(args.workers), usize::from(args.queue), longest_wait)
        .map_err(|err| CliError::usage(format!("cannot start the worker threads: {err}")))?;
    // Registered before "listening" is printed: a signal sent as soon as it is read stops
    // the server gracefully instead of killing it.
    let termination = listener
        .termination()
        .map_err(|err| CliError::usage(format!("cannot handle SIGTERM and SIGINT: {err}")))?;
    let callers = match (&token, args.insecure_no_auth) {
        (Some(_), _) => "callers: token required",
        (None, true) => "callers: anyone who can connect (--insecure-no-auth)",
        (None, false) => "callers: any local process (no token)",
    };
    println!(
        "listening on http://{address} (POST /v1/execute; components: {}; store: {}; {callers})",
        components.keys().cloned().collect::<Vec<_>>().join(", "),
        opened.store().describe()
    );
    if token.is_none() {
        eprintln!(
            "warning: no token (--token-file or {}): whoever can connect can run the served \
             extensions as any tenant and user",
            auth::TOKEN_ENV
        );
    }
    let app = Arc::new(App {
        served: Arc::new(Served { runtime, components }),
        workers,
        token,
        client_timeout: args.client_timeout,
    });
    let limits = ConnectionLimits {
        client_timeout: args.client_timeout,
        max_connections: args.max_connections as usize,
        max_header_bytes: MAX_HEADER_BYTES,
        // The longest a request admitted before the signal can still take: its wait for a
        // worker, its execution, and the client taking the response.
        drain_timeout: longest_wait + args.runtime.limits.time_limit + args.client_timeout,
    };
    let stopped = listener.serve(limits, termination, move |request| route(app.clone(), request));
    if stopped.cut == 0 {
        eprintln!("stopped on {}: the {} open connections finished", stopped.signal, stopped.open);
    } else {
        eprintln!(
            "warning: stopped on {}: {} of the {} open connections did not finish within {:?} and were cut",
            stopped.signal, stopped.cut, stopped.open, limits.drain_timeout
        );
    }
    Ok(())
}

/// `ID=FILE` or `FILE`.
fn component_spec(spec: &str) -> Result<(String, String), CliError> {
    if let Some((id, path)) = spec.split_once('=')
        && !id.is_empty()
        && !id.contains('/')
    {
        return Ok((id.to_string(), path.to_string()));
    }
    let stem = Path::new(spec)
        .file_stem()
        .and_then(|s| s.to_str())
        .filter(|s| !s.is_empty())
        .ok_or_else(|| CliError::usage(format!("--component {spec:?} names no file")))?;
    Ok((stem.to_string(), spec.to_string()))
}

/// A response and a note for the log line.
struct Reply {
    status: u16,
    body: Bytes,
    note: String,
    headers: Vec<(&'static str, &'static str)>,
}

impl Reply {
    fn json(status: u16, body: &Json) -> Self {
        Reply { status, body: Bytes::from(body.to_string()), note: String::new(), headers: Vec::new() }
    }

    fn error(status: u16, kind: &str, message: &str) -> Self {
        Reply::json(status, &json!({"error": kind, "message": message}))
    }

    fn noted(mut self, note: String) -> Self {
        self.note = note;
        self
    }

    fn with_header(mut self, name: &'static str, value: &'static str) -> Self {
        self.headers.push((name, value));
        self
    }

    /// 401, the same whatever was wrong with the token.
    fn unauthorized() -> Self {
        Reply::json(401, &json!({"error": "unauthorized"})).with_header("www-authenticate", "Bearer")
    }

    fn into_response(self) -> Response<Full<Bytes>> {
        let mut response = Response::builder()
            .status(self.status)
            .header("content-type", "application/json")
            .header("cache-control", "no-store");
        for (name, value) in self.headers {
            response = response.header(name, value);
        }
        response.body(Full::new(self.body)).expect("a status and headers that are valid")
    }
}

/// Serves one request and writes its log line (every text a caller or guest chose is
/// escaped there; the token never is written).
async fn route(app: Arc<App>, request: Request<Incoming>) -> Response<Full<Bytes>> {
    let started = Instant::now();
    let method = request.method().clone();
    let path = request.uri().path().to_string();
    let reply = dispatch(&app, request).await;
    eprintln!(
        "{method} {} -> {}{} in {:.1}ms",
        escape::text(&path),
        reply.status,
        escape::text(&reply.note),
        started.elapsed().as_secs_f64() * 1000.0
    );
    reply.into_response()
}

async fn dispatch(app: &Arc<App>, request: Request<Incoming>) -> Reply {
    let path = request.uri().path();
    if path == "/healthz" {
        return match *request.method() {
            Method::GET | Method::HEAD => Reply::json(200, &json!({"status": "ok"})),
            _ => Reply::error(405, "method-not-allowed", "GET /healthz"),
        };
    }
    if let Some(token) = &app.token {
        let authorization = request.headers().get(hyper::header::AUTHORIZATION).map(|v| v.as_bytes());
        if !token.accepts(authorization) {
            return Reply::unauthorized();
        }
    }
    match (request.method(), path) {
        (&Method::POST, "/v1/execute") => execute(app, request).await,
        (&Method::GET, "/v1/components") => Reply::json(200, &components(&app.served)),
        (_, "/v1/execute" | "/v1/components") => {
            Reply::error(405, "method-not-allowed", "POST /v1/execute, GET /healthz, GET /v1/components")
        }
        _ => {
            let message = format!("no endpoint {}; use POST /v1/execute", escape::text(path));
            Reply::error(404, "not-found", &message)
        }
    }
}

/// `GET /v1/components`: one object per served component.
fn components(served: &Served) -> Json {
    let list: Vec<Json> =
        served.components.iter().map(|(id, extension)| super::components::describe(id, extension)).collect();
    json!({"components": list})
}

/// `POST /v1/execute`: reads the body here, runs the rest on a worker.
async fn execute(app: &Arc<App>, request: Request<Incoming>) -> Reply {
    let (parts, body) = request.into_parts();
    let bytes = match connections::read_body(&parts.headers, body, MAX_REQUEST_BYTES, app.client_timeout)
        .await
    {
        Ok(bytes) => bytes,
        Err(BodyError::TooLarge) => {
            return Reply::error(413, "too-large", &format!("the body is over {MAX_REQUEST_BYTES} bytes"))
                .with_header("connection", "close");
        }
        Err(BodyError::TimedOut) => {
            let message = format!(
                "the body did not arrive within {}",
                crate::limits::human_duration(app.client_timeout)
            );
            return Reply::error(408, "timeout", &message).with_header("connection", "close");
        }
        Err(BodyError::Broken(why)) => {
            return Reply::error(400, "bad-request", &format!("cannot read the body: {why}"))
                .with_header("connection", "close");
        }
    };
    let served = app.served.clone();
    match app.workers.run(move || run_execution(&served, &bytes)).await {
        Ok(reply) => reply,
        Err(Refused::QueueFull { capacity }) => Reply::error(
            503,
            "busy",
            &format!("every worker is busy and {capacity} requests already wait; try again"),
        ),
        Err(Refused::WaitedTooLong { limit }) => Reply::error(
            503,
            "busy",
            &format!("every worker stayed busy for {}; try again", crate::limits::human_duration(limit)),
        ),
        Err(Refused::Panicked) => Reply::error(500, "internal", "the host failed while serving this request")
            .noted(" (a bug: it panicked)".into()),
    }
}

/// Runs one execution request on a worker.
fn run_execution(served: &Served, bytes: &[u8]) -> Reply {
    let execute: ExecuteRequest = match serde_json::from_slice(bytes) {
        Ok(execute) => execute,
        Err(err) => return Reply::error(400, "bad-request", &format!("not an execution request: {err}")),
    };
    let Some(extension) = served.components.get(&execute.component) else {
        let known: Vec<&str> = served.components.keys().map(String::as_str).collect();
        let message = format!(
            "no component `{}` (this server runs: {})",
            escape::text(&execute.component),
            known.join(", ")
        );
        return Reply::error(404, "unknown-component", &message);
    };
    let names = ["context.tenantId", "context.installId", "context.user.userId"];
    let limits = served.runtime.engine().config().limits;
    let deadline = Deadline::at(std::time::Instant::now() + limits.store_time());
    let data = served.runtime.services().store();
    let context = match context::check_until(data.as_ref(), &execute.context, names, deadline) {
        Ok(context) => context,
        Err(ContextError::Bad(message)) => return Reply::error(400, "bad-context", &message),
        Err(ContextError::Store(message)) => {
            return Reply::error(503, "store-unavailable", "the store did not answer; try again")
                .noted(format!(" (store: {message})"));
        }
    };
    let http = match HttpRequest::from_json(&execute.request) {
        Ok(http) => http,
        Err(err) => return Reply::error(400, "bad-request", &format!("request: {err}")),
    };
    let note = format!(" [{} {} {}]", execute.component, http.method, http.path);
    let executed = served.runtime.execute_with_console(extension, &context, &http);
    // An extension built with its console enabled: its output goes to the log, escaped
    // and bounded per execution (crate::console), before the request's own line.
    eprint!("{}", executed.console.to_lines(&format!("console {} > ", escape::text(&execute.component))));
    match executed.result {
        Ok(response) => {
            let note = format!("{note} extension answered {}", response.status);
            Reply::json(200, &serde_json::to_value(response.to_json()).expect("JSON")).noted(note)
        }
        Err(err) => {
            let note = format!("{note} {err}");
            let status = if matches!(err, ExecutionError::Busy { .. }) { 503 } else { 500 };
            Reply::error(status, err.kind(), &err.to_string()).noted(note)
        }
    }
}
