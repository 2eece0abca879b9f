//! `serve` attacked as a public endpoint would be (issue 13): callers without the token,
//! token files that are not private, a reachable address without a token, a huge
//! `Content-Length`, oversized headers, slow clients, more connections than the cap, every
//! worker busy, and CR/LF and terminal escapes meant for the log. Each is answered with its
//! status, holds nothing beyond its own connection, and the host keeps serving.
//!
//! Load, memory and database-outage figures are in `tests/serve_load.rs`.

mod support;

use serde_json::json;
use std::io::{BufReader, Read as _, Write as _};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use support::cli::{Seeded, Server, TOKEN, assert_fails, bearer, run_in, token_file};
use support::guests;
use support::http_client::{Connection, Response, SlowBody, read_response, request};

/// Writes `contents` to a file `name` in `dir` with `mode`; returns its path.
fn file_with_mode(dir: &Path, name: &str, contents: &str, mode: u32) -> PathBuf {
    use std::os::unix::fs::PermissionsExt as _;
    let path = dir.join(name);
    std::fs::write(&path, contents).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
    path
}

/// A seeded directory and `serve` of the well-behaved guest as `ok` (plus `extra`
/// components and options), with the token.
fn serve_ok(extra: &[&str]) -> (Seeded, Server) {
    let seeded = Seeded::new();
    let ok = format!("ok={}", seeded.file("ok.wasm", &guests::well_behaved()));
    let tokens = token_file(seeded.path());
    let mut args = vec!["--token-file", &tokens, "--component", &ok];
    args.extend_from_slice(extra);
    let server = Server::start(seeded.path(), &args, &[]);
    (seeded, server)
}

/// `serve`'s arguments for the well-behaved guest as `ok` and an endless loop as `spin`
/// (both written to `seeded`), with the token, then `options`.
fn ok_and_spin(seeded: &Seeded, options: &[&str]) -> Vec<String> {
    let ok = format!("ok={}", seeded.file("ok.wasm", &guests::well_behaved()));
    let spin = format!("spin={}", seeded.file("spin.wasm", &guests::infinite_loop()));
    let fixed = [
        "--token-file".to_string(),
        token_file(seeded.path()),
        "--component".into(),
        ok,
        "--component".into(),
        spin,
    ];
    fixed.into_iter().chain(options.iter().map(|option| option.to_string())).collect()
}

/// `args` borrowed as `Server::start` takes them.
fn as_strs(args: &[String]) -> Vec<&str> {
    args.iter().map(String::as_str).collect()
}

/// The body of an execution request of `component` at `path` as demo context t1-admin.
fn execution(seeded: &Seeded, component: &str, path: &str) -> String {
    json!({"context": seeded.context_json("t1-admin"), "component": component, "request": {"path": path}})
        .to_string()
}

/// Runs an execution with the token and returns the response.
fn execute(server: &Server, body: &str) -> Response {
    request(&server.address, "POST", "/v1/execute", &[("authorization", &bearer())], body.as_bytes())
}

/// The host answers `/healthz` and runs an execution: it is still serving.
fn assert_still_serving(server: &mut Server, seeded: &Seeded) {
    assert!(server.is_running(), "the server process ended:\n{}", server.log());
    assert_eq!(request(&server.address, "GET", "/healthz", &[], b"").status, 200);
    let response = execute(server, &execution(seeded, "ok", "/"));
    assert_eq!((response.status, &response.json()["body"]), (200, &json!("ok")), "{}", response.text());
}

#[test]
fn every_endpoint_but_healthz_needs_the_token() {
    let (seeded, mut server) = serve_ok(&[]);
    let body = execution(&seeded, "ok", "/");
    let wrong = [
        None,
        Some("Bearer wrong-token-0123456789abcdef".to_string()),
        Some(format!("Bearer {TOKEN}x")),
        Some(format!("Basic {TOKEN}")),
        Some(TOKEN.to_string()),
        Some("Bearer ".to_string()),
    ];
    for (method, path, body) in [
        ("GET", "/v1/components", ""),
        ("POST", "/v1/execute", body.as_str()),
        ("DELETE", "/v1/execute", ""),
        ("GET", "/elsewhere", ""),
    ] {
        for authorization in &wrong {
            let headers: Vec<(&str, &str)> =
                authorization.iter().map(|value| ("authorization", value.as_str())).collect();
            let response = request(&server.address, method, path, &headers, body.as_bytes());
            assert_eq!(response.status, 401, "{method} {path} with {authorization:?}");
            assert_eq!(response.json(), json!({"error": "unauthorized"}), "no detail");
            assert_eq!(response.header("www-authenticate"), Some("Bearer"));
        }
    }
    assert_eq!(request(&server.address, "GET", "/healthz", &[], b"").json(), json!({"status": "ok"}));
    let components = request(&server.address, "GET", "/v1/components", &[("authorization", &bearer())], b"");
    assert_eq!((components.status, &components.json()["components"][0]["id"]), (200, &json!("ok")));
    assert_still_serving(&mut server, &seeded);
    assert!(!server.log().contains(TOKEN), "the token is never logged");

    // The environment variable works the same way.
    let ok = format!("ok={}", seeded.path().join("ok.wasm").display());
    let from_env = Server::start(seeded.path(), &["--component", &ok], &[("ALGA_HOST_TOKEN", TOKEN)]);
    assert_eq!(request(&from_env.address, "POST", "/v1/execute", &[], body.as_bytes()).status, 401);
    assert_eq!(execute(&from_env, &body).status, 200);
}

#[test]
fn token_files_must_be_private_and_hold_a_token() {
    let seeded = Seeded::new();
    let ok = format!("ok={}", seeded.file("ok.wasm", &guests::well_behaved()));
    let serve_with = |token_file: &Path| {
        run_in(seeded.path(), &["serve", "--token-file", token_file.to_str().unwrap(), "--component", &ok])
    };
    let dir = seeded.path();
    let readable = file_with_mode(dir, "readable", &format!("{TOKEN}\n"), 0o644);
    assert_fails(&serve_with(&readable), 2, "every user may read it (mode 644); chmod o-r it");
    let writable = file_with_mode(dir, "writable", &format!("{TOKEN}\n"), 0o620);
    assert_fails(&serve_with(&writable), 2, "other users may write to it (mode 620); chmod go-w it");
    let empty = file_with_mode(dir, "empty", "\n", 0o600);
    assert_fails(&serve_with(&empty), 2, "/empty is empty: put a token in it");
    let short = file_with_mode(dir, "short", "abc123\n", 0o600);
    assert_fails(&serve_with(&short), 2, "holds a token of 6 characters; use at least 16");
    assert_fails(&serve_with(&dir.join("missing")), 2, "/missing: cannot open it");
    if alga_reference_host::ownership::effective_uid() == 0 {
        let planted = file_with_mode(dir, "planted", &format!("{TOKEN}\n"), 0o600);
        std::os::unix::fs::chown(&planted, Some(65534), None).unwrap();
        assert_fails(&serve_with(&planted), 2, "it is owned by uid 65534, not by uid 0");
    }
    let both = support::cli::command(dir)
        .args(["serve", "--token-file", &token_file(dir), "--component", &ok])
        .env("ALGA_HOST_TOKEN", TOKEN)
        .output()
        .unwrap();
    assert_eq!(both.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&both.stderr).contains("the token is given twice"));
    // There is no way to give the token on the command line, where `ps` shows it.
    let out = run_in(dir, &["serve", "--token", TOKEN, "--component", &ok]);
    assert_fails(&out, 2, "unexpected argument '--token'");
}

#[test]
fn a_reachable_address_is_never_served_without_a_token() {
    let seeded = Seeded::new();
    let ok = format!("ok={}", seeded.file("ok.wasm", &guests::well_behaved()));
    let out = run_in(seeded.path(), &["serve", "--listen", "0.0.0.0:0", "--component", &ok]);
    assert_fails(&out, 2, "error: refusing to listen on 0.0.0.0:0 without a token");
    assert!(out.stderr.contains("--insecure-no-auth"), "the override is named: {}", out.stderr);

    let open = Server::start(
        seeded.path(),
        &["--listen", "0.0.0.0:0", "--insecure-no-auth", "--component", &ok],
        &[],
    );
    let port = open.address.rsplit(':').next().unwrap();
    assert_eq!(request(&format!("127.0.0.1:{port}"), "GET", "/healthz", &[], b"").status, 200);
    drop(open);

    let tokens = token_file(seeded.path());
    let guarded = Server::start(
        seeded.path(),
        &["--listen", "0.0.0.0:0", "--token-file", &tokens, "--component", &ok],
        &[],
    );
    let port = guarded.address.rsplit(':').next().unwrap();
    let components = request(&format!("127.0.0.1:{port}"), "GET", "/v1/components", &[], b"");
    assert_eq!(components.status, 401);
}

/// Sends `head` and then `body` (ignoring a failed write: the server may close early) and
/// reads the response.
fn send_and_read(address: &str, head: &str, body: &[u8]) -> Response {
    let stream = TcpStream::connect(address).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let mut writer = stream.try_clone().unwrap();
    let head = head.to_string();
    let body = body.to_vec();
    let sending = std::thread::spawn(move || {
        let _ = writer.write_all(head.as_bytes()).and_then(|()| writer.write_all(&body));
    });
    let response = read_response(&mut BufReader::new(stream)).expect("a response");
    sending.join().unwrap();
    response
}

#[test]
fn huge_bodies_and_headers_are_refused_without_reading_them() {
    let (seeded, mut server) = serve_ok(&[]);
    let address = server.address.clone();
    let auth = bearer();
    // A declared length the process could never allocate: refused before reading a byte.
    for length in ["9223372036854775807", "100000000000", "4194305"] {
        let head = format!(
            "POST /v1/execute HTTP/1.1\r\nHost: x\r\nAuthorization: {auth}\r\nContent-Length: {length}\r\n\r\n"
        );
        let response = send_and_read(&address, &head, b"{");
        assert_eq!((response.status, &response.json()["error"]), (413, &json!("too-large")), "{length}");
        assert_still_serving(&mut server, &seeded);
    }
    // Without a length (chunked), the body is counted while it is read.
    let chunk = vec![b' '; 64 * 1024];
    let mut body = Vec::new();
    for _ in 0..80 {
        body.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
        body.extend_from_slice(&chunk);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(b"0\r\n\r\n");
    let head = format!(
        "POST /v1/execute HTTP/1.1\r\nHost: x\r\nAuthorization: {auth}\r\nTransfer-Encoding: chunked\r\n\r\n"
    );
    assert_eq!(send_and_read(&address, &head, &body).status, 413);
    // Without the token, nothing of the body is read either.
    let head = "POST /v1/execute HTTP/1.1\r\nHost: x\r\nContent-Length: 9223372036854775807\r\n\r\n";
    assert_eq!(send_and_read(&address, head, b"").status, 401);
    // Headers: over 16 KiB in all, or over 100 of them.
    let big = format!("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: {}\r\n\r\n", "a".repeat(20 * 1024));
    assert_eq!(send_and_read(&address, &big, b"").status, 431);
    let mut many = "GET /healthz HTTP/1.1\r\nHost: x\r\n".to_string();
    for n in 0..150 {
        many.push_str(&format!("X-Header-{n}: {n}\r\n"));
    }
    many.push_str("\r\n");
    assert_eq!(send_and_read(&address, &many, b"").status, 431);
    assert_eq!(send_and_read(&address, "GARBAGE\r\n\r\n", b"").status, 400);
    assert_still_serving(&mut server, &seeded);
}

#[test]
fn log_lines_cannot_be_forged() {
    let (seeded, mut server) = serve_ok(&[]);
    let auth = bearer();
    // In the URL (percent-encoded: raw control bytes are not HTTP), in the extension's path
    // and in a component id, all of which reach the log.
    request(&server.address, "GET", "/%0d%0aFORGED%1b[31m", &[("authorization", &auth)], b"");
    let forged_path = execute(&server, &execution(&seeded, "ok", "/x\r\nFORGED GET /admin -> 200\u{1b}[2J"));
    assert_eq!(forged_path.status, 200);
    let forged_id = execute(&server, &execution(&seeded, "ok\nFORGED", "/"));
    assert_eq!(forged_id.status, 404);
    assert_still_serving(&mut server, &seeded);
    let log = server.log();
    assert!(!log.contains('\u{1b}'), "no terminal escape reaches the log:\n{log}");
    for line in log.lines() {
        assert!(!line.starts_with("FORGED"), "a forged line:\n{log}");
    }
    assert!(log.contains("[ok GET /x\\r\\nFORGED GET /admin -> 200\\u{1b}[2J]"), "escaped in place:\n{log}");
}

#[test]
fn slow_clients_hold_only_their_own_connections() {
    let (seeded, mut server) = serve_ok(&["--workers", "4", "--client-timeout", "3s"]);
    let started = Instant::now();
    // As many slow bodies as there are workers (tiny_http gave each a worker), and a client
    // that sends its headers a byte a second.
    let slow: Vec<SlowBody> =
        (0..4).map(|_| SlowBody::start(&server.address, &bearer(), Duration::from_millis(500))).collect();
    let mut slow_head = TcpStream::connect(&server.address).unwrap();
    slow_head.write_all(b"GET /healthz HTTP/1.1\r\nHo").unwrap();
    std::thread::sleep(Duration::from_millis(200));
    // While they trickle, everyone else is served.
    for _ in 0..8 {
        assert_still_serving(&mut server, &seeded);
    }
    assert!(started.elapsed() < Duration::from_secs(3), "the checks ran while the slow clients held on");
    // Each slow body ends when its time is up: a 408 (or the connection closed).
    for connection in slow {
        match connection.ended() {
            Ok(response) => assert_eq!(response.status, 408, "{}", response.text()),
            Err(err) => assert!(
                matches!(err.kind(), std::io::ErrorKind::ConnectionReset | std::io::ErrorKind::UnexpectedEof),
                "{err}"
            ),
        }
    }
    // The slow header ends too: the server closes the connection.
    slow_head.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let mut rest = Vec::new();
    let ended = slow_head.read_to_end(&mut rest);
    assert!(ended.is_ok() || ended.is_err_and(|e| e.kind() == std::io::ErrorKind::ConnectionReset));
    assert!(started.elapsed() < Duration::from_secs(30), "the slow clients were ended by the server");
    assert_still_serving(&mut server, &seeded);
}

#[test]
fn connections_beyond_the_cap_wait_in_the_backlog() {
    let (seeded, mut server) = serve_ok(&["--max-connections", "3", "--client-timeout", "60s"]);
    // Three kept-alive connections take every place.
    let mut held: Vec<Connection> = (0..3)
        .map(|_| {
            let mut connection = Connection::open(&server.address).unwrap();
            assert_eq!(connection.send("GET", "/healthz", &[], b"").unwrap().status, 200);
            connection
        })
        .collect();
    let waiting = TcpStream::connect(&server.address).expect("the kernel queues the connection");
    waiting.set_read_timeout(Some(Duration::from_millis(500))).unwrap();
    let mut writer = waiting.try_clone().unwrap();
    writer.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
    let mut reader = BufReader::new(waiting);
    let early = read_response(&mut reader);
    assert!(
        early.as_ref().is_err_and(|e| matches!(
            e.kind(),
            std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
        )),
        "a fourth connection is not served while three are open: {early:?}"
    );
    // One place frees: the waiting connection is served.
    drop(held.pop());
    reader.get_ref().set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    assert_eq!(read_response(&mut reader).unwrap().status, 200);
    drop(held);
    assert_still_serving(&mut server, &seeded);
}

#[test]
fn healthz_answers_while_every_worker_is_busy_and_the_queue_is_bounded() {
    let seeded = Seeded::new();
    let args = ok_and_spin(&seeded, &["--workers", "2", "--queue", "1", "--time-limit", "3s"]);
    let mut server = Server::start(seeded.path(), &as_strs(&args), &[]);
    let finished = AtomicUsize::new(0);
    std::thread::scope(|scope| {
        // Two loops hold both workers for 3 s; a third waits in the one queue place.
        let loops: Vec<_> = (0..3)
            .map(|_| {
                let (server, seeded, finished) = (&server, &seeded, &finished);
                scope.spawn(move || {
                    let response = execute(server, &execution(seeded, "spin", "/"));
                    finished.fetch_add(1, Ordering::SeqCst);
                    response
                })
            })
            .collect();
        std::thread::sleep(Duration::from_secs(1));
        assert_eq!(request(&server.address, "GET", "/healthz", &[], b"").status, 200);
        let busy = execute(&server, &execution(&seeded, "ok", "/"));
        assert_eq!(
            finished.load(Ordering::SeqCst),
            0,
            "answered while every worker was busy: {}",
            server.log()
        );
        assert_eq!((busy.status, &busy.json()["error"]), (503, &json!("busy")), "{}", busy.text());
        assert!(
            busy.json()["message"]
                .as_str()
                .unwrap()
                .starts_with("every worker is busy and 1 requests already wait")
        );
        for handle in loops {
            let response: Response = handle.join().unwrap();
            assert_eq!((response.status, &response.json()["error"]), (500, &json!("time-limit")));
        }
    });
    assert_still_serving(&mut server, &seeded);
}

#[test]
fn sigterm_answers_the_requests_in_flight_closes_the_rest_and_exits_zero() {
    let seeded = Seeded::new();
    let args = ok_and_spin(&seeded, &["--time-limit", "5s"]);
    let args = as_strs(&args);
    let mut server = Server::start(seeded.path(), &args, &[]);
    // A kept-alive connection that has had its answer and now sits idle.
    let mut idle = BufReader::new(TcpStream::connect(&server.address).unwrap());
    idle.get_mut().set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    write!(idle.get_mut(), "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
    assert_eq!(read_response(&mut idle).unwrap().status, 200);
    std::thread::scope(|scope| {
        // Runs into its 5 s time limit: still running when the signal comes, and for long
        // enough after it to see new connections refused meanwhile.
        let in_flight = scope.spawn(|| execute(&server, &execution(&seeded, "spin", "/")));
        std::thread::sleep(Duration::from_secs(1));
        server.signal("TERM");
        let signalled = Instant::now();
        while TcpStream::connect(&server.address).is_ok() {
            assert!(signalled.elapsed() < Duration::from_secs(3), "still accepting 3 s after SIGTERM");
            std::thread::sleep(Duration::from_millis(10));
        }
        let mut rest = Vec::new();
        idle.read_to_end(&mut rest).unwrap();
        assert!(rest.is_empty(), "the idle connection is closed, with nothing sent on it");
        assert!(signalled.elapsed() < Duration::from_secs(3), "the idle connection closed at once");
        assert!(!in_flight.is_finished(), "all this while the execution was still running");
        let response = in_flight.join().unwrap();
        assert_eq!((response.status, &response.json()["error"]), (500, &json!("time-limit")), "answered");
    });
    let status = server.wait_for_exit(Duration::from_secs(10)).expect("serve exits after SIGTERM");
    assert_eq!(status.code(), Some(0), "{}", server.log());
    let log = server.log();
    assert!(log.contains("SIGTERM: no longer accepting connections; finishing the 2 open"), "{log}");
    assert!(log.contains("stopped on SIGTERM: the 2 open connections finished"), "{log}");

    // Interrupted with nothing open (Ctrl-C in a terminal).
    let mut server = Server::start(seeded.path(), &args, &[]);
    server.signal("INT");
    let status = server.wait_for_exit(Duration::from_secs(10)).expect("serve exits after SIGINT");
    assert_eq!(status.code(), Some(0), "{}", server.log());
    assert!(server.log().contains("stopped on SIGINT: the 0 open connections finished"), "{}", server.log());
}

#[test]
fn the_contract_call_and_row_limits_are_options_and_name_themselves() {
    let seeded = Seeded::new();
    let admin = seeded.context_json("t1-admin");
    let tokens = token_file(seeded.path());
    // A real client of the context's tenant (`seed` loads the default demo), for the guest to
    // ask for without end.
    let demo = alga_reference_store::demo::build(&alga_reference_store::demo::DemoConfig::default());
    let tenant = demo.fixture.tenants.iter().find(|t| t.tenant_id == admin["tenantId"]).unwrap();
    let client_id = tenant.clients[0].client_id.clone();

    let greedy = format!("greedy={}", seeded.file("greedy.wasm", &guests::get_client_forever(&client_id)));
    let ok = format!("ok={}", seeded.file("ok.wasm", &guests::well_behaved()));
    let body = json!({"context": admin, "component": "greedy", "request": {"path": "/"}}).to_string();
    for (option, value, expected) in [
        (
            "--host-call-limit",
            "20",
            json!({"error": "host-call-limit", "message": "the extension exceeded its limit of 20 contract calls per execution"}),
        ),
        (
            "--row-limit",
            "5",
            json!({"error": "row-limit", "message": "the extension exceeded its limit of 5 rows read per execution (this call would have made it 6)"}),
        ),
    ] {
        let args = ["--token-file", &tokens, "--component", &greedy, "--component", &ok, option, value];
        // A time limit far beyond what the calls take: the limit, not the clock, ends it.
        let mut server = Server::start(seeded.path(), &[&args[..], &["--time-limit", "10s"]].concat(), &[]);
        let response = execute(&server, &body);
        assert_eq!((response.status, response.json()), (500, expected));
        assert_still_serving(&mut server, &seeded);
    }
}

#[test]
fn a_database_password_is_never_echoed() {
    let seeded = Seeded::new();
    let ok = format!("ok={}", seeded.file("ok.wasm", &guests::well_behaved()));
    for url in [
        "postgres://alga:hunter2-SECRET@127.0.0.1:1/alga",
        "postgres://alga:hunter2-SECRET@[::1/alga",
        "host=127.0.0.1 port=1 user=alga password=hunter2-SECRET dbname=alga",
        "host=127.0.0.1 port=nope password='hunter2-SECRET'",
    ] {
        let store = format!("postgres={url}");
        for args in [vec!["serve", "--store", &store, "--component", &ok], vec!["seed", "--store", &store]] {
            let out = run_in(seeded.path(), &args);
            assert_eq!(out.code, 4, "{url}: {}", out.stderr);
            assert!(!out.stderr.contains("hunter2"), "{url}: the password is echoed: {}", out.stderr);
            assert!(!out.stdout.contains("hunter2"), "{url}: {}", out.stdout);
        }
    }
}

#[test]
fn the_readme_states_the_trust_model_of_serve_help() {
    let readme = include_str!("../README.md");
    assert!(
        readme.contains(alga_reference_host::cli::serve::TRUST_MODEL),
        "README.md's trust model differs from `serve --help`: copy the text of TRUST_MODEL"
    );
}

#[test]
fn a_locked_table_holds_an_execution_no_longer_than_its_time_limit() {
    use std::io::BufRead as _;
    let postgres = alga_reference_store::provision::postgres_server().unwrap_or_else(|err| panic!("{err}"));
    let database = postgres.fresh_database("alga_serve_lock").unwrap_or_else(|err| panic!("{err}"));
    let store = format!("postgres={}", database.url());
    let dir = tempfile::tempdir().unwrap();
    let admin = support::cli::seed_one_tenant(dir.path(), &store);
    let server = support::cli::serve_sample(dir.path(), &store, &["--time-limit", "1s"]);
    // Another session holds the clients table until it is killed.
    let mut locker = std::process::Command::new("psql")
        .args([database.url(), "-X", "-q", "-v", "ON_ERROR_STOP=1"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("psql runs");
    let mut stdin = locker.stdin.take().unwrap();
    stdin.write_all(b"BEGIN;\nLOCK TABLE clients IN ACCESS EXCLUSIVE MODE;\nSELECT 'locked';\n").unwrap();
    let mut line = String::new();
    let mut stdout = BufReader::new(locker.stdout.take().unwrap());
    while !line.contains("locked") {
        line.clear();
        assert!(stdout.read_line(&mut line).unwrap() > 0, "psql ended before taking the lock");
    }
    let body = json!({"context": admin, "component": "report", "request": {"path": "/clients"}}).to_string();
    let started = Instant::now();
    let response = execute(&server, &body);
    let elapsed = started.elapsed();
    let _ = locker.kill();
    let _ = locker.wait();
    drop(stdin);
    // The statement gives up at the time limit (the call is `internal`, 502 from the
    // extension) or the clock ends the execution first; either way long before the store's
    // own 5 s statement timeout.
    let outcome = (response.status, response.json());
    assert!(
        (outcome.0 == 200 && outcome.1["status"] == 502)
            || (outcome.0 == 500 && outcome.1["error"] == "time-limit"),
        "{outcome:?}"
    );
    assert!(elapsed < Duration::from_secs(4), "a 1 s execution waited {elapsed:?} on a lock");
}
