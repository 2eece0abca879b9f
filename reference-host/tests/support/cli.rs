//! The `alga-reference-host` binary as the tests run it: the command with its cache shared
//! between test processes, a seeded demo directory, running processes killed when dropped,
//! and one-shot HTTP requests to a `serve`.

use serde_json::Value as Json;
use std::io::{Read as _, Write as _};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command};

/// The command in `dir`, with no `DATABASE_URL` and no `ALGA_HOST_TOKEN`. Its precompiled components go to one
/// directory under cargo's `CARGO_TARGET_TMPDIR` that every test process shares, so the
/// 12 MB sample is compiled once (the disk cache is what makes that safe and quick).
pub fn command(dir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_alga-reference-host"));
    let cache = Path::new(env!("CARGO_TARGET_TMPDIR")).join("cli-cache");
    command
        .current_dir(dir)
        .env_remove("DATABASE_URL")
        .env_remove("ALGA_HOST_TOKEN")
        .env("XDG_CACHE_HOME", cache);
    command
}

/// What a finished command printed, and its exit code.
pub struct Output {
    /// The exit code.
    pub code: i32,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

/// Runs the command with `args` in `dir` and waits for it.
pub fn run_in(dir: &Path, args: &[&str]) -> Output {
    let output = command(dir).args(args).output().expect("the command runs");
    Output {
        code: output.status.code().expect("the command exited"),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// A directory with the demo data seeded into `alga-demo.sqlite`, and the demo's contexts.
pub struct Seeded {
    dir: tempfile::TempDir,
    contexts: Vec<Json>,
}

impl Seeded {
    /// Seeds the demo into a new directory.
    pub fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let out = run_in(dir.path(), &["seed", "--format", "json"]);
        assert_eq!(out.code, 0, "{}", out.stderr);
        let summary: Json = serde_json::from_str(&out.stdout).expect("seed --format json prints JSON");
        Seeded { dir, contexts: summary["contexts"].as_array().unwrap().clone() }
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// The `run` options of demo context `name`.
    pub fn context_args(&self, name: &str) -> Vec<String> {
        let context = &self.contexts.iter().find(|c| c["name"] == name).expect("a demo context")["context"];
        let mut args = vec![
            "--tenant".to_string(),
            context["tenantId"].as_str().unwrap().to_string(),
            "--install".to_string(),
            context["installId"].as_str().unwrap().to_string(),
        ];
        if let Some(user) = context.get("user").filter(|u| !u.is_null()) {
            args.extend([
                "--user".to_string(),
                user["userId"].as_str().unwrap().to_string(),
                "--user-type".to_string(),
                user["userType"].as_str().unwrap().to_string(),
            ]);
        }
        args
    }

    /// The JSON context of demo context `name`.
    pub fn context_json(&self, name: &str) -> Json {
        self.contexts.iter().find(|c| c["name"] == name).expect("a demo context")["context"].clone()
    }

    /// Writes `bytes` to a file in the directory and returns its path.
    pub fn file(&self, name: &str, bytes: &[u8]) -> String {
        let path = self.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        path.to_str().unwrap().to_string()
    }

    /// `run --component COMPONENT <context of t1-admin> [extra] METHOD PATH`.
    pub fn run(&self, component: &str, extra: &[&str], method_path: &[&str]) -> Output {
        let mut args = vec!["run".to_string(), "--component".to_string(), component.to_string()];
        args.extend(self.context_args("t1-admin"));
        args.extend(extra.iter().map(|s| s.to_string()));
        args.extend(method_path.iter().map(|s| s.to_string()));
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        run_in(self.path(), &args)
    }
}

/// Runs `args`; checks the exit code and that stderr is `error: ` followed by `message`.
pub fn assert_fails(out: &Output, code: i32, message: &str) {
    assert_eq!(out.code, code, "stderr: {}", out.stderr);
    assert!(out.stderr.contains(message), "expected {message:?} in:\n{}", out.stderr);
}

/// A child process killed when dropped.
pub struct Running(pub Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// One HTTP/1.1 request; returns the status and the JSON body.
pub fn http(address: &str, method: &str, path: &str, body: &str) -> (u16, Json) {
    let mut stream = TcpStream::connect(address).expect("the server accepts connections");
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\nContent-Length: \
         {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let (head, body) = response.split_once("\r\n\r\n").expect("an HTTP response");
    let status = head.split(' ').nth(1).and_then(|s| s.parse().ok()).expect("a status line");
    (status, serde_json::from_str(body).unwrap_or_else(|_| panic!("not JSON: {body}")))
}

/// A running `serve`: killed when dropped; its stderr (the log) goes to a file.
pub struct Server {
    process: Running,
    /// `HOST:PORT` it listens on.
    pub address: String,
    log: std::path::PathBuf,
}

impl Server {
    /// Starts `serve ARGS` in `dir` (where the demo is seeded) with the environment
    /// variables `env`, on a free port of 127.0.0.1 unless `args` has `--listen`, and waits
    /// until it listens. Panics with its log when it does not start.
    pub fn start(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Server {
        use std::io::BufRead as _;
        let log = tempfile::Builder::new().prefix("serve-").suffix(".log").tempfile_in(dir).unwrap();
        let (log_file, log) = log.keep().unwrap();
        let mut command = command(dir);
        command.arg("serve");
        if !args.contains(&"--listen") {
            command.args(["--listen", "127.0.0.1:0"]);
        }
        command.args(args).envs(env.iter().copied());
        let mut child =
            command.stdout(std::process::Stdio::piped()).stderr(log_file).spawn().expect("serve starts");
        let mut first_line = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap()).read_line(&mut first_line).unwrap();
        let process = Running(child);
        let Some(address) =
            first_line.strip_prefix("listening on http://").and_then(|rest| rest.split(' ').next())
        else {
            drop(process);
            panic!(
                "serve did not start: {first_line:?}\n{}",
                std::fs::read_to_string(&log).unwrap_or_default()
            );
        };
        Server { address: address.to_string(), process, log }
    }

    /// Its log so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap()
    }

    /// Its process id.
    pub fn pid(&self) -> u32 {
        self.process.0.id()
    }

    /// Whether it is still running.
    pub fn is_running(&mut self) -> bool {
        self.process.0.try_wait().unwrap().is_none()
    }

    /// Sends it `signal` (`TERM`, `INT`, ...) with kill(1).
    pub fn signal(&self, signal: &str) {
        let sent = Command::new("kill").arg(format!("-{signal}")).arg(self.pid().to_string()).status();
        assert!(sent.is_ok_and(|status| status.success()), "kill -{signal} {}", self.pid());
    }

    /// Waits up to `within` for it to exit: its exit status, or `None` while it still runs.
    pub fn wait_for_exit(&mut self, within: std::time::Duration) -> Option<std::process::ExitStatus> {
        let deadline = std::time::Instant::now() + within;
        loop {
            if let Some(status) = self.process.0.try_wait().unwrap() {
                return Some(status);
            }
            if std::time::Instant::now() > deadline {
                return None;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    }
}

/// Seeds one demo tenant into `store` (a `--store` value) from `dir` and returns the JSON
/// context of its `t1-admin`.
pub fn seed_one_tenant(dir: &Path, store: &str) -> Json {
    let seeded = run_in(dir, &["seed", "--store", store, "--tenants", "1", "--format", "json"]);
    assert_eq!(seeded.code, 0, "{}", seeded.stderr);
    let summary: Json = serde_json::from_str(&seeded.stdout).expect("seed --format json prints JSON");
    let contexts = summary["contexts"].as_array().expect("the demo's contexts");
    contexts.iter().find(|c| c["name"] == "t1-admin").expect("context t1-admin")["context"].clone()
}

/// The token the `serve` tests give their servers.
pub const TOKEN: &str = "serve-test-token-0123456789abcdef";

/// The `Authorization` header value that presents [`TOKEN`].
pub fn bearer() -> String {
    format!("Bearer {TOKEN}")
}

/// Writes [`TOKEN`] and a newline (as `echo` writes it) to file `token` in `dir`, mode
/// 0600; returns its path.
pub fn token_file(dir: &Path) -> String {
    use std::os::unix::fs::PermissionsExt as _;
    let path = dir.join("token");
    std::fs::write(&path, format!("{TOKEN}\n")).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    path.to_str().unwrap().to_string()
}

/// `serve` in `dir` of the TypeScript sample as component `report` over `store` (a
/// `--store` value), with the token and the options `extra`.
pub fn serve_sample(dir: &Path, store: &str, extra: &[&str]) -> Server {
    let report = format!("report={}", super::sample::sample_extension_file().display());
    let tokens = token_file(dir);
    let args = [&["--token-file", &tokens, "--component", &report, "--store", store][..], extra].concat();
    Server::start(dir, &args, &[])
}
