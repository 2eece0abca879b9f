//! The out-of-process driver: a [`Testee`] that runs a command (`--testee "CMD"`) and
//! speaks the line-delimited JSON protocol of `conformance/PROTOCOL.md` over its standard
//! input and output.
//!
//! A testee that does not answer within the timeout is killed, with every process it
//! started (it runs in a process group of its own, and the whole group is killed); one that
//! exits is reported with its exit status and the last lines of its standard error. Either way the call's
//! outcome is a host failure, and the next request starts the command again (describing it,
//! loading the probe and the last fixture), so that the run goes on and a crashing case can
//! be shrunk.

use alga_conformance_protocol::wire::{Body, ContextCall, Op, Request, Response};
use alga_conformance_protocol::{Call, ExecutionContext, Fixture, Outcome, Testee, TesteeError, TesteeInfo};
use serde::de::DeserializeOwned;
use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How long a call may take by default before the testee counts as hung.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// Lines of the testee's standard error kept for crash reports.
const STDERR_TAIL: usize = 20;

/// Loading a probe or a fixture may take this many times the call timeout (compiling a
/// component, filling a database).
const SLOW_OPERATION_FACTOR: u32 = 6;

/// A testee command, driven over the JSON-lines protocol.
pub struct ProcessTestee {
    command: String,
    timeout: Duration,
    echo_stderr: bool,
    running: Option<Running>,
    next_id: u64,
    probe_file: Option<tempfile::NamedTempFile>,
    last_fixture: Option<Fixture>,
    stderr_tail: Arc<Mutex<VecDeque<String>>>,
    starts: u32,
}

struct Running {
    child: Child,
    stdin: ChildStdin,
    lines: Receiver<std::io::Result<String>>,
}

/// Why a request got no answer.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DriverError {
    /// The command could not be started.
    #[error("cannot start the testee `{command}`: {error}")]
    Spawn {
        /// The command.
        command: String,
        /// Why.
        error: String,
    },
    /// No answer within the timeout; the testee was killed.
    #[error("the testee did not answer `{op}` within {seconds:.1}s and was killed{tail}")]
    Hung {
        /// The operation.
        op: String,
        /// The timeout.
        seconds: f64,
        /// The last lines of its standard error.
        tail: String,
    },
    /// The testee exited.
    #[error("the testee exited ({status}) while handling `{op}`{tail}")]
    Crashed {
        /// The operation.
        op: String,
        /// Its exit status.
        status: String,
        /// The last lines of its standard error.
        tail: String,
    },
    /// The testee answered something that is not a protocol response.
    #[error("the testee broke the protocol answering `{op}`: {problem}")]
    Protocol {
        /// The operation.
        op: String,
        /// What was wrong.
        problem: String,
    },
    /// The testee answered with an error.
    #[error("{0}")]
    Testee(TesteeError),
}

impl ProcessTestee {
    /// A testee that runs `command` with `sh -c` when first needed.
    pub fn new(command: impl Into<String>, timeout: Duration) -> Self {
        ProcessTestee {
            command: command.into(),
            timeout,
            echo_stderr: false,
            running: None,
            next_id: 1,
            probe_file: None,
            last_fixture: None,
            stderr_tail: Arc::new(Mutex::new(VecDeque::new())),
            starts: 0,
        }
    }

    /// Also copy the testee's standard error to ours.
    pub fn echo_stderr(mut self, echo: bool) -> Self {
        self.echo_stderr = echo;
        self
    }

    /// How many times the command was started (1 unless it crashed or hung).
    pub fn starts(&self) -> u32 {
        self.starts
    }

    fn spawn(&mut self) -> Result<(), DriverError> {
        let spawn_error = |error: std::io::Error| DriverError::Spawn {
            command: self.command.clone(),
            error: error.to_string(),
        };
        let mut command = Command::new("sh");
        command
            .arg("-c")
            .arg(&self.command)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        #[cfg(unix)]
        {
            use std::os::unix::process::CommandExt;
            // A group of its own, so that killing it reaches the processes it starts too.
            command.process_group(0);
        }
        let mut child = command.spawn().map_err(spawn_error)?;
        self.starts += 1;
        let stdin = child.stdin.take().expect("stdin is piped");
        let stdout = child.stdout.take().expect("stdout is piped");
        let stderr = child.stderr.take().expect("stderr is piped");
        let (sender, lines) = channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let failed = line.is_err();
                if sender.send(line).is_err() || failed {
                    break;
                }
            }
        });
        let tail = Arc::clone(&self.stderr_tail);
        let echo = self.echo_stderr;
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if echo {
                    eprintln!("[testee] {line}");
                }
                let mut tail = tail.lock().unwrap_or_else(|e| e.into_inner());
                if tail.len() == STDERR_TAIL {
                    tail.pop_front();
                }
                tail.push_back(line);
            }
        });
        self.running = Some(Running { child, stdin, lines });
        Ok(())
    }

    /// Starts the command if it is not running, and brings a restarted one back to where
    /// the run was: probe and fixture loaded.
    fn ensure_running(&mut self) -> Result<(), DriverError> {
        if self.running.is_some() {
            return Ok(());
        }
        self.spawn()?;
        if self.starts > 1 {
            if let Some(path) = self.probe_file.as_ref().map(|f| f.path().display().to_string()) {
                self.exchange(Op::LoadProbe { path })?;
            }
            if let Some(fixture) = self.last_fixture.clone() {
                self.exchange(Op::LoadFixture { fixture })?;
            }
        }
        Ok(())
    }

    fn tail(&self) -> String {
        let tail = self.stderr_tail.lock().unwrap_or_else(|e| e.into_inner());
        if tail.is_empty() {
            String::new()
        } else {
            format!(
                "; its last standard error lines:\n  {}",
                tail.iter().cloned().collect::<Vec<_>>().join("\n  ")
            )
        }
    }

    /// Kills the testee (if running) and returns its exit status text.
    fn stop(&mut self, kill: bool) -> String {
        let Some(mut running) = self.running.take() else { return "not running".into() };
        if !kill {
            // Give a crashing process a moment to finish writing its standard error.
            for _ in 0..50 {
                if let Ok(Some(_)) = running.child.try_wait() {
                    break;
                }
                std::thread::sleep(Duration::from_millis(10));
            }
        }
        kill_process_group(&mut running.child);
        let status = running.child.wait().map(|s| s.to_string()).unwrap_or_else(|e| e.to_string());
        // The stderr reader may still be copying the last lines.
        std::thread::sleep(Duration::from_millis(20));
        status
    }

    /// Sends one request and waits for its response.
    fn exchange(&mut self, op: Op) -> Result<serde_json::Value, DriverError> {
        let op_name = op_name(&op);
        let timeout = match op {
            Op::LoadProbe { .. } | Op::LoadFixture { .. } => self.timeout * SLOW_OPERATION_FACTOR,
            _ => self.timeout,
        };
        let id = self.next_id;
        self.next_id += 1;
        let line = serde_json::to_string(&Request { id, op }).expect("requests serialise");
        let running = self.running.as_mut().expect("ensure_running was called");
        let written = running.stdin.write_all(line.as_bytes()).and_then(|()| running.stdin.write_all(b"\n"));
        if written.and_then(|()| running.stdin.flush()).is_err() {
            let status = self.stop(false);
            return Err(DriverError::Crashed { op: op_name, status, tail: self.tail() });
        }
        let answer = running.lines.recv_timeout(timeout);
        let line = match answer {
            Ok(Ok(line)) => line,
            Err(RecvTimeoutError::Timeout) => {
                self.stop(true);
                return Err(DriverError::Hung {
                    op: op_name,
                    seconds: timeout.as_secs_f64(),
                    tail: self.tail(),
                });
            }
            Ok(Err(_)) | Err(RecvTimeoutError::Disconnected) => {
                let status = self.stop(false);
                return Err(DriverError::Crashed { op: op_name, status, tail: self.tail() });
            }
        };
        let response: Response = match serde_json::from_str(&line) {
            Ok(response) => response,
            Err(e) => {
                self.stop(true);
                let shown: String = line.chars().take(200).collect();
                return Err(DriverError::Protocol {
                    op: op_name,
                    problem: format!("not a response line ({e}): {shown:?} (logs belong on standard error)"),
                });
            }
        };
        if response.id != id {
            self.stop(true);
            return Err(DriverError::Protocol {
                op: op_name,
                problem: format!("the response has id {}, the request had {id}", response.id),
            });
        }
        match response.body {
            Body::Result(value) => Ok(value),
            Body::Error(error) => Err(DriverError::Testee(error)),
        }
    }

    /// Starts the testee if needed, sends `op`, and types the answer.
    fn request<T: DeserializeOwned>(&mut self, op: Op) -> Result<T, DriverError> {
        let op_name = op_name(&op);
        self.ensure_running()?;
        let value = self.exchange(op)?;
        serde_json::from_value(value.clone()).map_err(|e| DriverError::Protocol {
            op: op_name,
            problem: format!("the answer {value} does not have the documented shape: {e}"),
        })
    }

    fn unit(&mut self, op: Op) -> Result<(), TesteeError> {
        self.request::<serde_json::Value>(op).map(|_| ()).map_err(testee_error)
    }
}

fn op_name(op: &Op) -> String {
    match op {
        Op::Describe => "describe".into(),
        Op::LoadProbe { .. } => "load-probe".into(),
        Op::LoadFixture { .. } => "load-fixture".into(),
        Op::Call { call, .. } => format!("call {}", call.function),
        Op::CallBatch { calls, .. } => format!("call-batch of {}", calls.len()),
        Op::StoreOutage { down } => format!("store-outage down={down}"),
        Op::Reset => "reset".into(),
        Op::Shutdown => "shutdown".into(),
    }
}

fn testee_error(error: DriverError) -> TesteeError {
    match error {
        DriverError::Testee(error) => error,
        other => TesteeError::Failed(other.to_string()),
    }
}

impl Testee for ProcessTestee {
    fn info(&mut self) -> Result<TesteeInfo, TesteeError> {
        self.request(Op::Describe).map_err(testee_error)
    }

    fn load_probe(&mut self, component: &[u8]) -> Result<(), TesteeError> {
        let mut file =
            tempfile::Builder::new().prefix("alga-probe-").suffix(".wasm").tempfile().map_err(|e| {
                TesteeError::Failed(format!("cannot write the probe to a temporary file: {e}"))
            })?;
        file.write_all(component)
            .and_then(|()| file.flush())
            .map_err(|e| TesteeError::Failed(format!("cannot write the probe to a temporary file: {e}")))?;
        let path = file.path().display().to_string();
        self.probe_file = Some(file);
        self.unit(Op::LoadProbe { path })
    }

    fn load_fixture(&mut self, fixture: &Fixture) -> Result<(), TesteeError> {
        self.last_fixture = Some(fixture.clone());
        self.unit(Op::LoadFixture { fixture: fixture.clone() })
    }

    fn call(&mut self, context: &ExecutionContext, call: &Call) -> Outcome {
        match self.request(Op::Call { context: context.clone(), call: call.clone() }) {
            Ok(outcome) => outcome,
            Err(error) => Outcome::HostFailure { message: error.to_string() },
        }
    }

    fn call_concurrently(&mut self, calls: &[(ExecutionContext, Call)]) -> Vec<Outcome> {
        let batch: Vec<ContextCall> = calls
            .iter()
            .map(|(context, call)| ContextCall { context: context.clone(), call: call.clone() })
            .collect();
        match self.request::<Vec<Outcome>>(Op::CallBatch { concurrent: true, calls: batch }) {
            Ok(outcomes) => outcomes,
            Err(error) => vec![Outcome::HostFailure { message: error.to_string() }; calls.len()],
        }
    }

    fn set_store_outage(&mut self, down: bool) -> Result<(), TesteeError> {
        self.unit(Op::StoreOutage { down })
    }

    fn reset(&mut self) -> Result<(), TesteeError> {
        self.last_fixture = None;
        self.unit(Op::Reset)
    }
}

impl Drop for ProcessTestee {
    fn drop(&mut self) {
        if self.running.is_some() {
            let saved = self.timeout;
            self.timeout = Duration::from_secs(2);
            let _ = self.exchange(Op::Shutdown);
            self.timeout = saved;
            if let Some(mut running) = self.running.take() {
                for _ in 0..100 {
                    if let Ok(Some(_)) = running.child.try_wait() {
                        return;
                    }
                    std::thread::sleep(Duration::from_millis(10));
                }
                kill_process_group(&mut running.child);
                let _ = running.child.wait();
            }
        }
    }
}

/// Kills the testee and every process of its process group (the testee leads it: it was
/// started with `process_group(0)`), so that a hung testee's children do not survive it.
fn kill_process_group(child: &mut Child) {
    #[cfg(unix)]
    if let Ok(group) = i32::try_from(child.id()) {
        // SAFETY: kill(2) only sends a signal; a negative pid names the process group the
        // child leads. No memory is shared or touched.
        unsafe {
            libc::kill(-group, libc::SIGKILL);
        }
    }
    let _ = child.kill();
}
