//! An extension's console (issue 15): a JavaScript extension built with its console enabled
//! (`build.mjs --console`, the template's `npm run build:console`) writes `console.log`,
//! `console.error` and the message of an uncaught exception through WASI's standard output
//! and error, and they reach the person running it: `run` prints them on stderr after
//! `console> ` (stdout keeps only the response), `serve` logs them. The output is bounded
//! per execution and escaped; a guest taking console handles without end is stopped; the
//! host keeps serving after each. Also `run`'s notice while it compiles a new build.

mod support;

use alga_reference_host::console::MAX_CONSOLE_BYTES;
use alga_reference_host::limits::Limits;
use alga_reference_host::{ExecutionError, HttpRequest, Runtime};
use serde_json::json;
use support::cli::{Output, Seeded, Server, bearer, token_file};
use support::http_client::request;
use support::{guests, sample};

const TENANT: &str = "00000000-0000-4000-8000-000000000001";
const INSTALL: &str = "00000000-0000-4000-8000-000000000002";

fn runtime() -> Runtime {
    support::runtime_with(support::sqlite_services(), Limits::default())
}

fn execute(runtime: &Runtime, path: &str) -> alga_reference_host::Executed {
    let extension = runtime.load_extension(sample::console_extension()).expect("the console extension loads");
    let request = HttpRequest::new("GET", path).unwrap();
    runtime.execute_with_console(&extension, &support::context(TENANT, INSTALL), &request)
}

#[test]
fn console_log_error_and_an_uncaught_exception_reach_the_host() {
    let runtime = runtime();

    let ok = execute(&runtime, "/");
    let response = ok.result.expect("the extension answers");
    assert_eq!((response.status, response.body.as_slice()), (200, b"ok".as_slice()));
    assert_eq!(ok.console.text, "handling GET /\na line on stderr\n");
    assert_eq!(ok.console.dropped_bytes, 0);

    let thrown = execute(&runtime, "/throw");
    let err = thrown.result.expect_err("the exception ends the execution");
    assert!(matches!(err, ExecutionError::Trap { .. }), "{err}");
    assert!(err.to_string().contains("unreachable"), "{err}");
    assert!(
        thrown.console.text.starts_with("handling GET /throw\na line on stderr\n"),
        "{:?}",
        thrown.console
    );
    // The engine prints the message, then the stack with the extension's own frames.
    assert!(
        thrown.console.text.contains("\nthe extension failed on purpose\nStack:\n  handle@extension.js:"),
        "the exception's message and stack reach the console: {:?}",
        thrown.console
    );

    // The next execution has a console of its own.
    assert_eq!(execute(&runtime, "/").console.text, "handling GET /\na line on stderr\n");
}

#[test]
fn console_output_is_bounded_per_execution_and_never_fails_the_extension() {
    let runtime = runtime();
    let flood = execute(&runtime, "/flood");
    let response = flood.result.expect("logging too much does not end the execution");
    assert_eq!(response.body, b"flooded");
    assert_eq!(flood.console.text.len(), MAX_CONSOLE_BYTES);
    let written = "handling GET /flood\na line on stderr\n".len() + 200 * 1024;
    assert_eq!(flood.console.dropped_bytes, written - MAX_CONSOLE_BYTES);
    let lines = flood.console.to_lines("> ");
    assert!(lines.ends_with(&format!(
        "more bytes of console output dropped: at most {MAX_CONSOLE_BYTES} are kept per execution]\n"
    )));
    assert_eq!(execute(&runtime, "/").console.text, "handling GET /\na line on stderr\n");
}

#[test]
fn a_guest_taking_console_handles_without_end_is_stopped_at_the_table_limit() {
    let runtime = runtime();
    let extension = runtime.load_extension(&guests::stdout_handle_hoarder()).expect("the guest loads");
    let request = HttpRequest::new("GET", "/").unwrap();
    let err = runtime
        .execute(&extension, &support::context(TENANT, INSTALL), &request)
        .expect_err("the resource table is full");
    assert!(matches!(err, ExecutionError::Trap { .. }), "a trap, not the time limit: {err}");
    assert!(err.to_string().contains("resource table has no free keys"), "{err}");
    // It held at most MAX_RESOURCES handles in host memory; the host serves on.
    let ok = runtime.load_extension(&guests::well_behaved()).unwrap();
    assert_eq!(runtime.execute(&ok, &support::context(TENANT, INSTALL), &request).unwrap().status, 200);
}

/// `run` of `component` as t1-admin with its disk cache in `cache`.
fn run_with_cache(seeded: &Seeded, cache: &std::path::Path, component: &str, method_path: &[&str]) -> Output {
    let mut args = vec!["run".to_string(), "--component".to_string(), component.to_string()];
    args.extend(seeded.context_args("t1-admin"));
    args.extend(method_path.iter().map(|s| s.to_string()));
    let output =
        support::cli::command(seeded.path()).env("XDG_CACHE_HOME", cache).args(&args).output().unwrap();
    Output {
        code: output.status.code().expect("run exited"),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

#[test]
fn run_prints_the_console_on_stderr_and_the_response_alone_on_stdout() {
    let seeded = Seeded::new();
    let component = sample::console_extension_file().to_str().unwrap();

    // A cache of its own: the first run compiles the 12 MB component and says so (after a
    // second of silence), the second finds it on disk and says nothing about compiling.
    let cache = tempfile::tempdir().unwrap();
    let first = run_with_cache(&seeded, cache.path(), component, &["GET", "/"]);
    assert_eq!(first.code, 0, "{}", first.stderr);
    assert!(first.stderr.contains("compiling the component to machine code"), "{}", first.stderr);
    assert!(first.stderr.contains(&format!("kept in {}", cache.path().display())), "{}", first.stderr);
    assert!(first.stderr.contains("\ncompiled in "), "{}", first.stderr);
    let out = run_with_cache(&seeded, cache.path(), component, &["GET", "/"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(!out.stderr.contains("compil"), "the second run found the compiled code: {}", out.stderr);
    assert!(out.stdout.ends_with("\nok\n") && !out.stdout.contains("handling"), "{}", out.stdout);
    assert!(out.stderr.contains("console> handling GET /\nconsole> a line on stderr\n"), "{}", out.stderr);

    let out = seeded.run(component, &["--format", "json"], &["GET", "/"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let response: serde_json::Value =
        serde_json::from_str(&out.stdout).expect("stdout is the response alone");
    assert_eq!(response["body"], "ok");

    let out = seeded.run(component, &[], &["GET", "/throw"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stderr.contains("console> the extension failed on purpose\nconsole> Stack:\n"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("the engine printed its message above, after `console> `"), "{}", out.stderr);

    // What the guest wrote cannot drive the terminal or forge a line.
    let out = seeded.run(component, &[], &["GET", "/escape"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stderr.contains("console> \\u{1b}[31mred\\rforged\n"), "{}", out.stderr);
    assert!(!out.stderr.contains('\u{1b}'), "{}", out.stderr);
}

#[test]
fn serve_logs_the_console_of_each_execution() {
    let seeded = Seeded::new();
    let component = format!("logger={}", sample::console_extension_file().display());
    let tokens = token_file(seeded.path());
    let server = Server::start(seeded.path(), &["--token-file", &tokens, "--component", &component], &[]);
    let execute = |path: &str| {
        let body = json!({"context": seeded.context_json("t1-admin"), "component": "logger", "request": {"path": path}});
        let headers = [("authorization", bearer())];
        let headers: Vec<(&str, &str)> =
            headers.iter().map(|(name, value)| (*name, value.as_str())).collect();
        request(&server.address, "POST", "/v1/execute", &headers, body.to_string().as_bytes())
    };
    let response = execute("/throw");
    assert_eq!(response.status, 500, "{}", response.text());
    assert!(!response.text().contains("handling"), "the console is not the caller's: {}", response.text());
    let response = execute("/");
    assert_eq!(response.status, 200, "{}", response.text());
    let log = server.log();
    assert!(log.contains("console logger > handling GET /throw\n"), "{log}");
    assert!(log.contains("console logger > the extension failed on purpose\n"), "{log}");
    assert!(log.contains("console logger > handling GET /\nconsole logger > a line on stderr\n"), "{log}");
}
