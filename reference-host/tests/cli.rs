//! The `alga-reference-host` command, run as a process: `--help` everywhere, `seed`, `run`
//! with the sample extension and with hostile guests, every documented error with its
//! message and exit code, `serve` answering concurrent execution requests, and `testee`
//! speaking the conformance protocol.

mod support;

use serde_json::{Value as Json, json};
use std::io::{BufRead as _, BufReader, Write as _};
use std::path::PathBuf;
use std::process::Stdio;
use support::cli::{Running, Seeded, assert_fails, command, http, run_in};
use support::guests;

#[test]
fn every_command_has_help_with_the_exit_codes() {
    let dir = tempfile::tempdir().unwrap();
    for command in [&[][..], &["seed"], &["run"], &["serve"], &["testee"], &["wit"]] {
        let mut args: Vec<&str> = command.to_vec();
        args.push("--help");
        let out = run_in(dir.path(), &args);
        assert_eq!(out.code, 0, "{args:?}");
        assert!(out.stdout.contains("Exit codes:"), "{args:?}:\n{}", out.stdout);
        assert!(out.stdout.contains("2  usage"), "{args:?}");
    }
    let serve = run_in(dir.path(), &["serve", "--help"]);
    assert!(serve.stdout.contains("POST /v1/execute"), "{}", serve.stdout);
}

#[test]
fn seed_prints_what_it_loaded() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_in(dir.path(), &["seed", "--store", "sqlite=demo.db", "--tenants", "2", "--clients", "20"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.starts_with("Loaded the demo data (seed 1) into sqlite (demo.db)"), "{}", out.stdout);
    assert!(out.stdout.contains(": 2 tenants, 40 clients,"), "{}", out.stdout);
    assert!(out.stdout.contains("t1-portal-user"), "{}", out.stdout);
    assert!(
        out.stdout.contains("--store sqlite=demo.db --tenant "),
        "the hint names the store: {}",
        out.stdout
    );
    assert!(dir.path().join("demo.db").exists());

    let out = run_in(dir.path(), &["seed", "--store", "sqlite=demo.db", "--format", "json", "--seed", "9"]);
    let summary: Json = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(summary["seed"], 9);
    assert_eq!(summary["tenants"].as_array().unwrap().len(), 3);
    assert_eq!(summary["contexts"].as_array().unwrap().len(), 33);

    let out = run_in(dir.path(), &["seed", "--tenants", "0"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("must be a whole number of at least 1, got `0`"), "{}", out.stderr);
}

#[test]
fn run_prints_the_response_of_the_sample_extension() {
    let seeded = Seeded::new();
    let sample = support::sample::sample_extension_file().to_str().unwrap();
    let out = seeded.run(sample, &[], &["GET", "/clients?search=acme&pageSize=2"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let (head, body) = out.stdout.split_once("\n\n").expect("a head and a body");
    assert_eq!(head, "HTTP 200\ncontent-type: application/json");
    let page: Json = serde_json::from_str(body.trim_end()).unwrap();
    assert_eq!(page["pageSize"], 2);
    assert!(page["totalCount"].as_u64().unwrap() >= 3);

    let out = seeded.run(sample, &["--format", "json"], &["GET", "/clients/not-a-uuid"]);
    assert_eq!(out.code, 0, "an answered request is a success, whatever its status: {}", out.stderr);
    let response: Json = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(response["status"], 400);
    assert_eq!(response["headers"], json!({"content-type": "application/json"}));
    let body: Json = serde_json::from_str(response["body"].as_str().unwrap()).unwrap();
    assert_eq!(body["error"], "invalid-input");
}

#[test]
fn components_that_cannot_run_are_named_with_exit_code_3() {
    let seeded = Seeded::new();
    let get = ["GET", "/"];
    let out = seeded.run("missing.wasm", &[], &get);
    assert_fails(&out, 3, "error: no such file: missing.wasm");

    let text = seeded.file("notes.wasm", b"hello, I am not wasm\n");
    assert_fails(&seeded.run(&text, &[], &get), 3, "the file is not a WebAssembly component");

    let module = seeded.file("module.wasm", &wat::parse_str("(module)").unwrap());
    assert_fails(&seeded.run(&module, &[], &get), 3, "is a core WebAssembly module, not a component");

    let probe = alga_extension_contract::probe::generate_for_contract().unwrap();
    let probe = seeded.file("probe.wasm", &probe.component);
    assert_fails(
        &seeded.run(&probe, &[], &get),
        3,
        "probe.wasm: the component does not export `alga:reference-host/handler@0.1.0`",
    );

    let wasi = seeded.file("wasi.wasm", &guests::wasi_importer());
    assert_fails(
        &seeded.run(&wasi, &[], &get),
        3,
        "the component imports `wasi:cli/environment@0.2.3`, which this host does not provide",
    );
}

#[test]
fn bad_contexts_and_arguments_are_usage_errors() {
    let seeded = Seeded::new();
    let good = seeded.file("good.wasm", &guests::well_behaved());
    let admin = seeded.context_args("t1-admin");
    let (tenant, install) = (admin[1].as_str(), admin[3].as_str());
    let run = |args: &[&str]| {
        let mut all = vec!["run", "--component", good.as_str()];
        all.extend_from_slice(args);
        run_in(seeded.path(), &all)
    };
    assert_fails(
        &run(&["--tenant", "acme", "--install", install, "GET", "/"]),
        2,
        "error: --tenant must be a UUID in canonical text form (8-4-4-4-12 hex digits), got \"acme\"",
    );
    assert_fails(
        &run(&["--tenant", tenant, "--install", "00000000-0000-0000-0000-000000000000", "GET", "/"]),
        2,
        &format!("error: tenant {tenant} has no install 00000000-0000-0000-0000-000000000000"),
    );
    let other_tenant = seeded.context_args("t2-admin")[1].clone();
    assert_fails(&run(&["--tenant", &other_tenant, "--install", install, "GET", "/"]), 2, "has no install");
    assert_fails(
        &run(&["--tenant", tenant, "--install", install, "--user", "bob", "GET", "/"]),
        2,
        "--user must be a UUID",
    );
    assert_fails(
        &run(&[
            "--tenant",
            tenant,
            "--install",
            install,
            "--user",
            install,
            "--user-type",
            "admin",
            "GET",
            "/",
        ]),
        2,
        "invalid value 'admin' for '--user-type <USER_TYPE>'",
    );
    assert_fails(
        &run(&["--tenant", tenant, "--install", install, "GET", "clients"]),
        2,
        "the path must start with `/`",
    );
    assert_fails(
        &run(&["--tenant", tenant, "--install", install, "--store", "mysql", "GET", "/"]),
        2,
        "unknown store `mysql`",
    );
    assert_fails(
        &run(&["--tenant", tenant, "--install", install, "--store", "postgres", "GET", "/"]),
        2,
        "`--store postgres` needs a database: pass `--store postgres=URL` or set DATABASE_URL",
    );
    // An upper-case id is the same id.
    let upper = run(&["--tenant", &tenant.to_ascii_uppercase(), "--install", install, "GET", "/"]);
    assert_eq!(upper.code, 0, "{}", upper.stderr);
}

#[test]
fn a_missing_store_says_to_seed_first() {
    let empty = tempfile::tempdir().unwrap();
    let component = empty.path().join("good.wasm");
    std::fs::write(&component, guests::well_behaved()).unwrap();
    let tenant = "00000000-0000-4000-8000-000000000001";
    let out = run_in(
        empty.path(),
        &[
            "run",
            "--component",
            component.to_str().unwrap(),
            "--tenant",
            tenant,
            "--install",
            tenant,
            "GET",
            "/",
        ],
    );
    assert_fails(
        &out,
        4,
        "error: no demo data at alga-demo.sqlite: run `alga-reference-host seed` first, or pass --store",
    );
}

#[test]
fn an_unreachable_database_is_a_store_error() {
    let dir = tempfile::tempdir().unwrap();
    let component = dir.path().join("good.wasm");
    std::fs::write(&component, guests::well_behaved()).unwrap();
    let id = "00000000-0000-4000-8000-000000000001";
    let out = run_in(
        dir.path(),
        &[
            "run",
            "--component",
            component.to_str().unwrap(),
            "--store",
            "postgres=postgres://postgres@127.0.0.1:1/nothing",
            "--tenant",
            id,
            "--install",
            id,
            "GET",
            "/",
        ],
    );
    assert_fails(&out, 4, "error: the store is unavailable: ");
}

#[test]
fn seed_and_run_on_postgres() {
    let server = alga_reference_store::provision::postgres_server().unwrap_or_else(|err| panic!("{err}"));
    let database = server.fresh_database("alga_host_cli").unwrap_or_else(|err| panic!("{err}"));
    let store = format!("postgres={}", database.url());
    let dir = tempfile::tempdir().unwrap();
    let out = run_in(dir.path(), &["seed", "--store", &store, "--tenants", "2", "--format", "json"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let summary: Json = serde_json::from_str(&out.stdout).unwrap();
    assert!(summary["store"].as_str().unwrap().starts_with("postgres"), "{}", summary["store"]);
    let context = &summary["contexts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "t2-scheduled")
        .unwrap()["context"];
    let sample = support::sample::sample_extension_file().to_str().unwrap();
    let out = run_in(
        dir.path(),
        &[
            "run",
            "--component",
            sample,
            "--store",
            &store,
            "--tenant",
            context["tenantId"].as_str().unwrap(),
            "--install",
            context["installId"].as_str().unwrap(),
            "--format",
            "json",
            "GET",
            "/report",
        ],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let response: Json = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(response["status"], 200, "{response}");
    let report: Json = serde_json::from_str(response["body"].as_str().unwrap()).unwrap();
    assert_eq!(
        report["clients"]["active"].as_u64().unwrap() + report["clients"]["inactive"].as_u64().unwrap(),
        60
    );
}

#[test]
fn failing_extensions_exit_with_code_1_and_the_limit_named() {
    let seeded = Seeded::new();
    let trap = seeded.file("trap.wasm", &guests::trap());
    let out = seeded.run(&trap, &[], &["GET", "/"]);
    assert_fails(&out, 1, "error: the extension trapped: wasm trap");
    assert!(
        out.stderr.contains("hint: a JavaScript extension built with componentize-js traps on `unreachable`"),
        "an `unreachable` trap says what it usually means: {}",
        out.stderr
    );
    let spin = seeded.file("spin.wasm", &guests::infinite_loop());
    assert_fails(
        &seeded.run(&spin, &["--time-limit", "300ms"], &["GET", "/"]),
        1,
        "error: the extension exceeded its time limit of 300ms",
    );
    let bomb = seeded.file("bomb.wasm", &guests::memory_bomb());
    assert_fails(
        &seeded.run(&bomb, &["--memory-limit", "4"], &["GET", "/"]),
        1,
        "error: the extension tried to grow memory past 4 MiB",
    );
}

#[test]
fn serve_runs_concurrent_execution_requests() {
    let seeded = Seeded::new();
    let sample = support::sample::sample_extension_file().to_str().unwrap().to_string();
    let mut child = command(seeded.path())
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--workers",
            "4",
            "--component",
            &format!("report={sample}"),
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut first_line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut first_line).unwrap();
    let _server = Running(child);
    let address = first_line
        .strip_prefix("listening on http://")
        .and_then(|rest| rest.split(' ').next())
        .unwrap_or_else(|| panic!("unexpected first line: {first_line}"))
        .to_string();

    assert_eq!(http(&address, "GET", "/healthz", ""), (200, json!({"status": "ok"})));
    let (status, components) = http(&address, "GET", "/v1/components", "");
    assert_eq!((status, &components["components"][0]["id"]), (200, &json!("report")));

    let execute = |context: &Json, path: &str| {
        let body = json!({"context": context, "component": "report", "request": {"path": path}});
        http(&address, "POST", "/v1/execute", &body.to_string())
    };
    let admin = seeded.context_json("t1-admin");
    let portal = seeded.context_json("t1-portal-user");
    let denied = seeded.context_json("t1-no-capability");
    std::thread::scope(|scope| {
        let runs: Vec<_> = (0..8)
            .map(|i| {
                let (admin, portal, denied) = (&admin, &portal, &denied);
                scope.spawn(move || match i % 3 {
                    0 => {
                        let (status, response) = execute(admin, "/clients?pageSize=5");
                        assert_eq!((status, &response["status"]), (200, &json!(200)));
                        let page: Json = serde_json::from_str(response["body"].as_str().unwrap()).unwrap();
                        assert_eq!(page["items"].as_array().unwrap().len(), 5);
                    }
                    1 => {
                        let (_, response) = execute(portal, "/clients?includeInactive=true");
                        let page: Json = serde_json::from_str(response["body"].as_str().unwrap()).unwrap();
                        assert_eq!(page["totalCount"], 1, "a portal user sees their own client only");
                    }
                    _ => assert_eq!(execute(denied, "/clients").1["status"], 403),
                })
            })
            .collect();
        for run in runs {
            run.join().expect("a request thread panicked");
        }
    });

    let bad_tenant = json!({"tenantId": "acme", "installId": admin["installId"]});
    let (status, body) = execute(&bad_tenant, "/");
    assert_eq!((status, &body["error"]), (400, &json!("bad-context")));
    assert!(body["message"].as_str().unwrap().starts_with("context.tenantId must be a UUID"), "{body}");
    let (status, body) = http(
        &address,
        "POST",
        "/v1/execute",
        &json!({"context": admin, "component": "nope", "request": {"path": "/"}}).to_string(),
    );
    assert_eq!(
        (status, body["message"].as_str()),
        (404, Some("no component `nope` (this server runs: report)"))
    );
    let (status, body) = http(&address, "POST", "/v1/execute", "{not json");
    assert_eq!((status, &body["error"]), (400, &json!("bad-request")));
    assert_eq!(http(&address, "GET", "/v1/execute", "").0, 405);
    assert_eq!(http(&address, "GET", "/elsewhere", "").0, 404);
    // After all of that, the server still serves.
    assert_eq!(execute(&admin, "/report").0, 200);
}

#[test]
fn serve_refuses_what_it_cannot_serve() {
    let seeded = Seeded::new();
    let probe = seeded
        .file("probe.wasm", &alga_extension_contract::probe::generate_for_contract().unwrap().component);
    let out = run_in(seeded.path(), &["serve", "--listen", "127.0.0.1:0", "--component", &probe]);
    assert_fails(&out, 3, "probe.wasm: the component does not export `alga:reference-host/handler@0.1.0`");
    // 200 pages (12.5 MiB) of initial memory never fit under a 4 MiB limit.
    let big = seeded.file("big.wasm", &guests::huge_initial_memory(200));
    let out = run_in(
        seeded.path(),
        &["serve", "--memory-limit", "4", "--listen", "127.0.0.1:0", "--component", &big],
    );
    assert_fails(&out, 3, "big.wasm does not start: the extension tried to grow memory past 4 MiB");
    let good = seeded.file("good.wasm", &guests::well_behaved());
    let out = run_in(seeded.path(), &["serve", "--listen", "256.0.0.1:99999", "--component", &good]);
    assert_fails(&out, 5, "cannot listen on 256.0.0.1:99999");
}

#[test]
fn testee_speaks_the_conformance_protocol() {
    let dir = tempfile::tempdir().unwrap();
    let probe_path: PathBuf = dir.path().join("probe.wasm");
    std::fs::write(&probe_path, alga_extension_contract::probe::generate_for_contract().unwrap().component)
        .unwrap();
    let demo = alga_reference_store::demo::build(&alga_reference_store::demo::DemoConfig {
        tenants: 1,
        clients_per_tenant: 12,
        services_per_tenant: 10,
        ..Default::default()
    });
    let admin = &demo.contexts.iter().find(|c| c.name == "t1-admin").unwrap().context;
    let call = alga_conformance_protocol::Call::list_clients(&Default::default());
    let requests = [
        json!({"id": 1, "op": "describe"}),
        json!({"id": 2, "op": "load-probe", "path": probe_path}),
        json!({"id": 3, "op": "load-fixture", "fixture": demo.fixture}),
        json!({"id": 4, "op": "call", "context": admin, "call": call}),
        json!({"id": 5, "op": "store-outage", "down": true}),
        json!({"id": 6, "op": "call", "context": admin, "call": call}),
        json!({"id": 7, "op": "shutdown"}),
    ];
    let mut input = String::new();
    for request in &requests {
        input.push_str(&request.to_string());
        input.push('\n');
    }
    input.push_str("this line is not a request\n");
    let mut child = command(dir.path())
        .args(["testee"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    let responses: Vec<Json> = String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).expect("one JSON response per line"))
        .collect();
    assert_eq!(responses.len(), 7, "shutdown ends the session: {responses:?}");
    let describe = &responses[0]["result"];
    assert!(describe["name"].as_str().unwrap().starts_with("alga-reference-host (sqlite"), "{describe}");
    assert_eq!(describe["contractVersions"], json!([alga_extension_contract::CONTRACT_VERSION, "0.1.0"]));
    assert_eq!(describe["storeOutage"], true);
    assert_eq!(responses[1], json!({"id": 2, "result": null}));
    assert_eq!(responses[2], json!({"id": 3, "result": null}));
    assert_eq!(responses[3]["result"]["class"], "value", "{}", responses[3]);
    assert!(responses[3]["result"]["value"]["totalCount"].as_u64().unwrap() > 0);
    assert_eq!(responses[5]["result"], json!({"class": "contract-error", "error": {"tag": "internal"}}));
}

#[test]
fn run_prints_extension_headers_escaped() {
    let seeded = Seeded::new();
    let evil = guests::with_response_header("x-evil", "a\r\nInjected: yes\u{1b}[31m");
    let evil = seeded.file("evil.wasm", &evil);
    let out = seeded.run(&evil, &[], &["GET", "/"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stdout, "HTTP 200\nx-evil: a\\r\\nInjected: yes\\u{1b}[31m\n\nok\n");
}

#[test]
fn wit_writes_the_hosts_world_and_the_contract_an_extension_builds_against() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_in(dir.path(), &["wit", "-o", "my-extension/wit"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stderr.contains("wrote 5 files to my-extension/wit"), "{}", out.stderr);
    let wit = dir.path().join("my-extension/wit");
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    assert_eq!(
        std::fs::read_to_string(wit.join("world.wit")).unwrap(),
        std::fs::read_to_string(repo.join("wit/world.wit")).unwrap()
    );
    for file in alga_extension_contract::wit::WIT_FILES {
        assert_eq!(
            std::fs::read_to_string(wit.join("deps/alga-extension").join(file.name)).unwrap(),
            file.source
        );
    }
    // What it wrote is a WIT package holding the world the host runs, with its handler.
    let (resolve, world) = guests::world_extension_in(&wit);
    let exports: Vec<String> =
        resolve.worlds[world].exports.keys().map(|key| resolve.name_world_key(key)).collect();
    assert_eq!(exports, ["alga:reference-host/handler@0.1.0"]);

    let out = run_in(dir.path(), &["wit"]);
    assert_eq!(out.code, 0);
    assert!(out.stdout.contains("world extension {"), "without -o, world.wit is printed: {}", out.stdout);

    let blocker = dir.path().join("file");
    std::fs::write(&blocker, "").unwrap();
    assert_fails(
        &run_in(dir.path(), &["wit", "-o", "file/wit"]),
        2,
        "error: creating file/wit/deps/alga-extension",
    );
}

#[test]
fn seed_stops_quietly_when_its_reader_goes_away() {
    let dir = tempfile::tempdir().unwrap();
    // `seed --format json | head -c 1`: the reader is gone before the summary is written.
    let mut child = command(dir.path())
        .args(["seed", "--format", "json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(dir.path().join("alga-demo.sqlite").exists(), "the data is loaded all the same");
}

#[test]
fn run_says_on_stderr_which_check_refused_a_403() {
    let seeded = Seeded::new();
    // A guest that answers 403 itself, in contexts the contract refuses for different reasons.
    let forbidden = seeded.file(
        "forbidden.wasm",
        &guests::handler_guest("i32.const 1024\n    i32.const 403\n    i32.store16", 1),
    );
    let run_as = |context: &str| {
        let mut args = vec!["run".to_string(), "--component".to_string(), forbidden.clone()];
        args.extend(seeded.context_args(context));
        args.extend(["GET".to_string(), "/".to_string()]);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        run_in(seeded.path(), &args)
    };
    let out = run_as("t1-no-capability");
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.starts_with("HTTP 403"), "{}", out.stdout);
    assert!(out.stderr.contains("note: the extension answered 403."), "{}", out.stderr);
    assert!(out.stderr.contains("does not grant cap:client.read (CAP-1)"), "{}", out.stderr);
    assert!(out.stderr.contains("does not grant cap:service.read (CAP-1)"), "{}", out.stderr);

    let out = run_as("t1-clients-only");
    assert!(out.stderr.contains("clients  allowed"), "{}", out.stderr);
    assert!(out.stderr.contains("services not-allowed: install"), "{}", out.stderr);

    let out = run_as("t1-no-roles");
    assert!(out.stderr.contains("does not hold client:read (AUTH-1)"), "{}", out.stderr);

    // A 200 gets no note.
    let ok = seeded.file("ok.wasm", &guests::well_behaved());
    let out = seeded.run(&ok, &[], &["GET", "/"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(!out.stderr.contains("note:"), "{}", out.stderr);
}
