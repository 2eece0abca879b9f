//! `serve`: an HTTP endpoint that runs executions, like Alga's `POST /v1/execute`, on a
//! small pool of worker threads (each request is one execution in a fresh store; the
//! engine, compiled components and the database pool are shared).

use super::RuntimeArgs;
use super::context::{self, ContextError};
use super::exit::{self, CliError};
use super::store::{self, StoreArg};
use crate::ExecutionError;
use crate::http::{HttpRequest, HttpRequestJson};
use crate::runtime::{Extension, Runtime, read_component};
use alga_conformance_protocol::ExecutionContext;
use clap::Args;
use serde::Deserialize;
use serde_json::{Value as Json, json};
use std::collections::BTreeMap;
use std::io::Read as _;
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;
use tiny_http::{Header, Method, Response, Server};

/// Largest execution request accepted, in bytes.
pub const MAX_REQUEST_BYTES: usize = 4 * 1024 * 1024;

/// The endpoint's description for `serve --help`.
pub fn serve_help() -> String {
    format!(
        "Endpoints:
  POST /v1/execute   run one execution; the body is JSON:
                       {{\"context\": {{\"tenantId\": UUID, \"installId\": UUID,
                                    \"user\": {{\"userId\": UUID, \"userType\": \"internal\"|\"client\"}}}},
                        \"component\": ID,
                        \"request\": {{\"method\": \"GET\", \"path\": \"/clients?search=acme\",
                                    \"headers\": {{...}}, \"body\": TEXT | \"bodyBase64\": BASE64}}}}
                     (`user` is optional; `method` defaults to GET)
                     200: the extension's response {{\"status\", \"headers\", \"body\" | \"bodyBase64\"}}
                     400: a malformed request or context, 404: unknown component,
                     413: body over {} MiB, 500: the extension failed ({{\"error\": kind, \"message\"}}),
                     503: the store did not answer, or every execution slot stayed busy
  GET  /v1/components the components served: id, SHA-256 and the contract versions each imports
  GET  /healthz       200 when the server is up

{}",
        MAX_REQUEST_BYTES / (1024 * 1024),
        exit::EXIT_CODES_HELP
    )
}

/// Options of `serve`.
#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Address to listen on (port 0: any free port; the address is printed).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8787")]
    pub listen: String,
    /// Worker threads: how many executions run at the same time.
    #[arg(long, value_name = "N", default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub workers: u16,
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

/// Runs `serve` until the process is stopped.
pub fn serve(args: &ServeArgs) -> Result<(), CliError> {
    let mut files = BTreeMap::new();
    for spec in &args.components {
        let (id, path) = component_spec(spec)?;
        if files.insert(id.clone(), path).is_some() {
            return Err(CliError::usage(format!("two components have the id `{id}`: give one as ID=FILE")));
        }
    }
    let opened = store::open_seeded(&args.store)?;
    let runtime = Runtime::new(opened.services.clone(), &args.runtime.runtime_config())
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
    let server = Server::http(&args.listen)
        .map_err(|err| CliError::new(exit::LISTEN, format!("cannot listen on {}: {err}", args.listen)))?;
    let address = server.server_addr().to_ip().map_or_else(|| args.listen.clone(), |a| a.to_string());
    println!(
        "listening on http://{address} (POST /v1/execute; components: {}; store: {})",
        components.keys().cloned().collect::<Vec<_>>().join(", "),
        opened.store().describe()
    );
    let served = Arc::new(Served { runtime, components });
    let server = Arc::new(server);
    let workers: Vec<_> = (0..args.workers)
        .map(|n| {
            let (served, server) = (served.clone(), server.clone());
            std::thread::Builder::new()
                .name(format!("alga-serve-{n}"))
                .spawn(move || {
                    while let Ok(request) = server.recv() {
                        // A panic (a bug) while serving one request must not shrink the
                        // pool: the request's connection closes and the worker goes on.
                        let handled = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                            handle(&served, request)
                        }));
                        if handled.is_err() {
                            eprintln!("error: a request panicked; its connection was closed");
                        }
                    }
                })
                .expect("spawning a worker thread")
        })
        .collect();
    for worker in workers {
        let _ = worker.join();
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

fn handle(served: &Served, mut request: tiny_http::Request) {
    let started = Instant::now();
    let path = request.url().split('?').next().unwrap_or("").to_string();
    let (status, body, note) = match (request.method(), path.as_str()) {
        (Method::Post, "/v1/execute") => execute(served, &mut request),
        (Method::Get, "/healthz") => (200, json!({"status": "ok"}), String::new()),
        (Method::Get, "/v1/components") => {
            let list: Vec<Json> =
                served.components.iter().map(|(id, e)| super::components::describe(id, e)).collect();
            (200, json!({"components": list}), String::new())
        }
        (_, "/v1/execute" | "/healthz" | "/v1/components") => (
            405,
            error("method-not-allowed", "POST /v1/execute, GET /healthz, GET /v1/components"),
            String::new(),
        ),
        _ => (404, error("not-found", &format!("no endpoint {path}; use POST /v1/execute")), String::new()),
    };
    eprintln!(
        "{} {path} -> {status}{note} in {:.1}ms",
        request.method(),
        started.elapsed().as_secs_f64() * 1000.0
    );
    let response = Response::from_string(body.to_string())
        .with_status_code(status)
        .with_header(Header::from_bytes("content-type", "application/json").expect("a valid header"));
    if let Err(err) = request.respond(response) {
        eprintln!("warning: could not send the response: {err}");
    }
}

fn error(kind: &str, message: &str) -> Json {
    json!({"error": kind, "message": message})
}

/// Runs one execution request: `(HTTP status, JSON body, a note for the log)`.
fn execute(served: &Served, request: &mut tiny_http::Request) -> (u16, Json, String) {
    if request.body_length().is_some_and(|length| length > MAX_REQUEST_BYTES) {
        return (
            413,
            error("too-large", &format!("the body is over {MAX_REQUEST_BYTES} bytes")),
            String::new(),
        );
    }
    let mut bytes = Vec::new();
    if let Err(err) = request.as_reader().take(MAX_REQUEST_BYTES as u64 + 1).read_to_end(&mut bytes) {
        return (400, error("bad-request", &format!("cannot read the body: {err}")), String::new());
    }
    if bytes.len() > MAX_REQUEST_BYTES {
        return (
            413,
            error("too-large", &format!("the body is over {MAX_REQUEST_BYTES} bytes")),
            String::new(),
        );
    }
    let execute: ExecuteRequest = match serde_json::from_slice(&bytes) {
        Ok(execute) => execute,
        Err(err) => {
            return (400, error("bad-request", &format!("not an execution request: {err}")), String::new());
        }
    };
    let Some(extension) = served.components.get(&execute.component) else {
        let known: Vec<&str> = served.components.keys().map(String::as_str).collect();
        let message =
            format!("no component `{}` (this server runs: {})", execute.component, known.join(", "));
        return (404, error("unknown-component", &message), String::new());
    };
    let names = ["context.tenantId", "context.installId", "context.user.userId"];
    let context = match context::check(served.runtime.services().store().as_ref(), &execute.context, names) {
        Ok(context) => context,
        Err(ContextError::Bad(message)) => return (400, error("bad-context", &message), String::new()),
        Err(ContextError::Store(message)) => {
            eprintln!("warning: the store did not answer: {message}");
            return (503, error("store-unavailable", "the store did not answer; try again"), String::new());
        }
    };
    let http = match HttpRequest::from_json(&execute.request) {
        Ok(http) => http,
        Err(err) => return (400, error("bad-request", &format!("request: {err}")), String::new()),
    };
    let note = format!(" [{} {} {}]", execute.component, http.method, http.path);
    match served.runtime.execute(extension, &context, &http) {
        Ok(response) => {
            let note = format!("{note} extension answered {}", response.status);
            (200, serde_json::to_value(response.to_json()).expect("JSON"), note)
        }
        Err(err) => {
            let note = format!("{note} {err}");
            let status = if matches!(err, ExecutionError::Busy { .. }) { 503 } else { 500 };
            (status, error(err.kind(), &err.to_string()), note)
        }
    }
}
