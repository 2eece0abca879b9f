//! The `alga-conformance` command line: `run` (the suite, a replay, expectations),
//! `probe` (write the probe component), `checks` (list the registry), and the hidden
//! `model-testee` (the oracle served over the testee protocol, for the suite's own tests).

use crate::checks::{Level, REGISTRY};
use crate::driver::model::{Answer as ModelAnswer, Faults, ModelTestee};
use crate::driver::process::{DEFAULT_TIMEOUT, ProcessTestee};
use crate::expectations::Expectations;
use crate::replay::CaseFile;
use crate::report::human::{self, HumanProgress};
use crate::report::text::shell_quote;
use crate::report::{Report, ReportOptions, json, junit};
use crate::runner::{self, CheckStatus, DEFAULT_CASES, DEFAULT_SHRINK_ITERATIONS, RunConfig, RunError};
use crate::versions::{self, VersionedProbe};
use alga_conformance_protocol::Testee;
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Exit code: the host conforms (or the replayed case passes, or the command succeeded).
pub const EXIT_CONFORMS: i32 = 0;
/// Exit code: the host does not conform (a REQUIRED rule failed, an enforced RECOMMENDED
/// rule failed, an expected failure passed, or the replayed case still fails).
pub const EXIT_DOES_NOT_CONFORM: i32 = 1;
/// Exit code: bad command line or bad input file (expectations, case file).
pub const EXIT_USAGE: i32 = 2;
/// Exit code: the run could not be carried out (the testee did not start, did not load
/// the probe or a fixture, broke the protocol before the run began).
pub const EXIT_RUN_ERROR: i32 = 3;

const EXIT_CODES: &str = "Exit codes:
  0  the host conforms (every REQUIRED rule passes or is an expected failure)
  1  the host does not conform: a rule failed that is not listed as expected, an enforced
     RECOMMENDED rule failed, or a listed expected failure passed
  2  bad command line, or an unusable expectations or case file
  3  the run could not be carried out: the testee did not start, did not load the probe
     or a fixture (a fixture that fails to load is never skipped), or the probe could not
     be generated";

/// Property-based conformance suite for hosts of the alga:extension contract.
#[derive(Parser, Debug)]
#[command(name = "alga-conformance", version, about, after_help = EXIT_CODES)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run the suite against a host (default: the reference host on in-memory SQLite).
    #[command(after_help = EXIT_CODES)]
    Run(Box<RunArgs>),
    /// Write the probe component: a generated guest that forwards every contract function,
    /// for hosts that load it themselves.
    Probe(ProbeArgs),
    /// List every check: id, level, rules, description, its named edge cases (to select with
    /// `run --check NAME`) and what its random cases aim at.
    Checks,
    /// Serve the oracle over the testee protocol (for testing the suite itself).
    #[command(hide = true)]
    ModelTestee(ModelArgs),
}

#[derive(Args, Debug, Clone)]
struct ContractArgs {
    /// Contract version under test: the current one (default) or a frozen release from
    /// compat/ (embedded in this binary).
    #[arg(long = "version", value_name = "VERSION", conflicts_with = "wit")]
    contract_version: Option<String>,
    /// Generate the probe from the WIT package in this directory instead.
    #[arg(long, value_name = "DIR")]
    wit: Option<PathBuf>,
}

impl ContractArgs {
    fn probe(&self) -> anyhow::Result<VersionedProbe> {
        match &self.wit {
            Some(dir) => versions::probe_for_wit_dir(dir),
            None => versions::probe_for_version(self.contract_version.as_deref()),
        }
    }
}

#[derive(Args, Debug)]
struct ProbeArgs {
    #[command(flatten)]
    contract: ContractArgs,
    /// Where to write the component.
    #[arg(short, long, value_name = "FILE")]
    output: PathBuf,
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
enum Format {
    /// For people: progress, verdicts, counterexamples with diffs.
    Human,
    /// One JSON object with `schema_version`.
    Json,
    /// JUnit XML.
    Junit,
}

#[derive(Args, Debug)]
struct RunArgs {
    /// Test the reference host on this store: `sqlite` (in memory, the default),
    /// `postgres` (a fresh database, dropped afterwards, on the server DATABASE_URL names or
    /// a throwaway local cluster), or `postgres=URL` (the database at URL: every case
    /// replaces its data, so give it a scratch database).
    #[arg(long, value_name = "STORE", conflicts_with = "testee")]
    store: Option<String>,
    /// Test the host this command starts (run with `sh -c`), speaking the JSON-lines
    /// protocol of conformance/PROTOCOL.md on its standard input and output.
    #[arg(long, value_name = "CMD")]
    testee: Option<String>,
    /// Seconds a testee may take to answer one call before it counts as hung.
    #[arg(long, value_name = "SECONDS", default_value_t = DEFAULT_TIMEOUT.as_secs_f64())]
    timeout: f64,
    /// Copy the testee's standard error to ours.
    #[arg(long)]
    testee_stderr: bool,
    #[command(flatten)]
    contract: ContractArgs,
    /// Seed of the run (printed; default: a new one).
    #[arg(long)]
    seed: Option<u64>,
    /// Random cases per check (at least 1), run after the check's named edge cases.
    #[arg(long, default_value_t = DEFAULT_CASES)]
    cases: u32,
    /// Run only these: a check id (`ISO-1.concurrent`), a rule ID (every check of the rule),
    /// or a named edge case (`AUTH-2.user-of-other-tenant`: that case alone); repeatable.
    /// `alga-conformance checks` lists them all.
    #[arg(long = "check", value_name = "ID")]
    checks: Vec<String>,
    /// Run only the REQUIRED checks.
    #[arg(long)]
    required_only: bool,
    /// RECOMMENDED rules that fail make the run fail too.
    #[arg(long)]
    enforce_recommended: bool,
    /// The host's expected failures (TOML: [[expected-failure]] rule = "..." reason = "...").
    #[arg(long, value_name = "FILE")]
    expectations: Option<PathBuf>,
    /// After the run, write the expectations that make its failures expected to FILE
    /// (keeping reasons already written in --expectations or FILE).
    #[arg(long, value_name = "FILE")]
    update_expectations: Option<PathBuf>,
    /// Report format on standard output (progress always goes to standard error).
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// Write the report to this file instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Where counterexamples are saved as replayable case files [default: the directory
    /// alga-conformance/seed-<SEED> under the system's temporary directory, e.g.
    /// /tmp/alga-conformance/seed-42; every path is printed in the report].
    #[arg(long, value_name = "DIR")]
    failures_dir: Option<PathBuf>,
    /// Re-run exactly the case in this case file (written by a failed run) and report it.
    #[arg(long, value_name = "FILE")]
    replay: Option<PathBuf>,
    /// Stop after the first failing check.
    #[arg(long)]
    fail_fast: bool,
    /// Most shrinking steps per failure (0 reports the case as found).
    #[arg(long, default_value_t = DEFAULT_SHRINK_ITERATIONS)]
    shrink_iterations: u32,
}

/// What the model testee answers every call with, instead of the oracle's answer.
#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
enum AnswerAll {
    /// `err(not-allowed)`.
    NotAllowed,
    /// `err(internal)`.
    Internal,
    /// A host failure.
    HostFailure,
}

#[derive(Args, Debug)]
struct ModelArgs {
    /// Hang on the n-th call.
    #[arg(long)]
    hang_on_call: Option<u64>,
    /// Exit with status 3 on the n-th call.
    #[arg(long)]
    crash_on_call: Option<u64>,
    /// Print a non-JSON line before answering the n-th call.
    #[arg(long)]
    garbage_on_call: Option<u64>,
    /// Claim no outage simulation.
    #[arg(long)]
    no_outage: bool,
    /// Answer every get-* with internal.
    #[arg(long)]
    get_is_internal: bool,
    /// Reject every fixture.
    #[arg(long)]
    reject_fixtures: bool,
    /// Answer every call with this, whatever the oracle says.
    #[arg(long, value_enum)]
    answer_all: Option<AnswerAll>,
    /// Start a child process that outlives the testee unless its process group is killed
    /// (for the test that a hung testee's children are killed too); its pid is printed on
    /// standard error.
    #[arg(long)]
    spawn_child: bool,
}

/// Runs the command line `args` (the program name first); returns the exit code.
/// Reports go to `stdout`, progress and errors to `stderr`.
pub fn main(args: Vec<String>, stdout: &mut dyn Write, stderr: &mut dyn Write) -> i32 {
    let cli = match Cli::try_parse_from(&args) {
        Ok(cli) => cli,
        Err(err) => {
            let code = if err.use_stderr() { EXIT_USAGE } else { EXIT_CONFORMS };
            let rendered = err.render().to_string();
            if err.use_stderr() {
                let _ = write!(stderr, "{rendered}");
            } else {
                let _ = write!(stdout, "{rendered}");
            }
            return code;
        }
    };
    match cli.command {
        Command::Run(run) => run_command(&args, *run, stdout, stderr),
        Command::Probe(probe) => probe_command(probe, stdout, stderr),
        Command::Checks => {
            for check in REGISTRY {
                let _ = writeln!(
                    stdout,
                    "{:<18} {:<12} {:<16} {}",
                    check.id,
                    check.level.spec_name(),
                    check.rules.join(","),
                    check.description
                );
                for named in check.named {
                    let _ = writeln!(stdout, "    named  {:<58} {}", named.name, named.description);
                }
                for aim in crate::coverage::AIMS.iter().filter(|a| a.check == check.id) {
                    let _ = writeln!(
                        stdout,
                        "    aims   at least {}% of random cases touch {}",
                        aim.at_least_percent, aim.category
                    );
                }
            }
            EXIT_CONFORMS
        }
        Command::ModelTestee(model) => {
            let faults = Faults {
                hang_on_call: model.hang_on_call,
                crash_on_call: model.crash_on_call,
                garbage_on_call: model.garbage_on_call,
                no_outage: model.no_outage,
                get_is_internal: model.get_is_internal,
                reject_fixtures: model.reject_fixtures,
                answer_all: model.answer_all.map(|answer| match answer {
                    AnswerAll::NotAllowed => ModelAnswer::NotAllowed,
                    AnswerAll::Internal => ModelAnswer::Internal,
                    AnswerAll::HostFailure => ModelAnswer::HostFailure,
                }),
            };
            // Kept alive for as long as the testee serves: a grandchild of the runner.
            let _child = model.spawn_child.then(spawn_lingering_child);
            let mut testee = ModelTestee::new(faults);
            let stdin = std::io::stdin();
            match alga_conformance_protocol::wire::serve(&mut testee, stdin.lock(), std::io::stdout()) {
                Ok(()) => EXIT_CONFORMS,
                Err(e) => {
                    let _ = writeln!(stderr, "model testee: {e}");
                    EXIT_RUN_ERROR
                }
            }
        }
    }
}

fn probe_command(args: ProbeArgs, stdout: &mut dyn Write, stderr: &mut dyn Write) -> i32 {
    let probe = match args.contract.probe() {
        Ok(probe) => probe,
        Err(e) => {
            let _ = writeln!(stderr, "error: {e:#}");
            return EXIT_USAGE;
        }
    };
    if let Err(e) = std::fs::write(&args.output, &probe.probe.component) {
        let _ = writeln!(stderr, "error: cannot write {}: {e}", args.output.display());
        return EXIT_RUN_ERROR;
    }
    let _ = writeln!(
        stdout,
        "wrote {} ({} bytes): probe of alga:extension@{} from {}, forwarding {} functions",
        args.output.display(),
        probe.probe.component.len(),
        probe.version,
        probe.origin,
        probe.probe.functions.len()
    );
    for function in &probe.probe.functions {
        let _ = writeln!(stdout, "  {} {} -> {}", function.export, function.function, function.interface);
    }
    EXIT_CONFORMS
}

/// The testee the run arguments select.
fn open_testee(args: &RunArgs) -> anyhow::Result<Box<dyn Testee>> {
    if let Some(command) = &args.testee {
        let timeout = Duration::try_from_secs_f64(args.timeout)
            .map_err(|_| anyhow::anyhow!("--timeout must be a positive number of seconds"))?;
        return Ok(Box::new(ProcessTestee::new(command.clone(), timeout).echo_stderr(args.testee_stderr)));
    }
    open_reference(args.store.as_deref().unwrap_or("sqlite"))
}

#[cfg(feature = "reference-host")]
fn open_reference(store: &str) -> anyhow::Result<Box<dyn Testee>> {
    use crate::driver::reference::{self, Store};
    let store = Store::parse(store).map_err(anyhow::Error::msg)?;
    reference::open(&store)
}

#[cfg(not(feature = "reference-host"))]
fn open_reference(_store: &str) -> anyhow::Result<Box<dyn Testee>> {
    anyhow::bail!(
        "this build has no reference host (feature `reference-host`): test a host with --testee CMD"
    )
}

/// A `sleep` that outlives its parent unless its process group is killed; its pid goes to
/// standard error so a test can find it.
fn spawn_lingering_child() -> Option<std::process::Child> {
    let child = std::process::Command::new("sleep").arg("600").spawn().ok()?;
    eprintln!("model testee: started child process {}", child.id());
    Some(child)
}

/// Options of `run` that choose the testee and the contract: a replay needs them to run the
/// case against the same host.
const TESTEE_OPTIONS: &[&str] = &["--testee", "--store", "--timeout", "--version", "--wit"];
/// Flags (no value) of the same kind.
const TESTEE_FLAGS: &[&str] = &["--testee-stderr"];

/// The words of `args` (the command line, program name first) that choose the testee and
/// the contract, quoted for a shell.
fn testee_words(args: &[String]) -> Vec<String> {
    let mut words = Vec::new();
    let mut iter = args.iter().skip(1);
    while let Some(arg) = iter.next() {
        if TESTEE_FLAGS.contains(&arg.as_str()) {
            words.push(arg.clone());
        } else if TESTEE_OPTIONS.contains(&arg.as_str()) {
            words.push(arg.clone());
            if let Some(value) = iter.next() {
                words.push(shell_quote(value));
            }
        } else if TESTEE_OPTIONS.iter().any(|option| arg.starts_with(&format!("{option}="))) {
            words.push(shell_quote(arg));
        }
    }
    words
}

/// The command that replays a case file against the testee of this command line (the file
/// goes last).
fn replay_prefix(args: &[String]) -> String {
    let mut words = vec!["alga-conformance".to_string(), "run".to_string()];
    words.extend(testee_words(args));
    words.push("--replay".to_string());
    words.join(" ")
}

/// Where counterexamples go when `--failures-dir` is not given: a directory per seed under
/// the system's temporary directory, so that a run never writes into the directory it was
/// started in and runs with other seeds keep their files.
pub fn default_failures_dir(seed: u64) -> PathBuf {
    std::env::temp_dir().join("alga-conformance").join(format!("seed-{seed}"))
}

/// The command line as a shell command, without `--update-expectations` and with the
/// seed, so that it reproduces the run.
fn reproducing_command(args: &[String], seed: u64) -> String {
    let mut words: Vec<String> = vec!["alga-conformance".to_string()];
    let mut skip = false;
    for arg in args.iter().skip(1) {
        if skip {
            skip = false;
            continue;
        }
        if arg == "--update-expectations" {
            skip = true;
            continue;
        }
        if arg.starts_with("--update-expectations=") {
            continue;
        }
        words.push(shell_quote(arg));
    }
    if !args.iter().any(|a| a == "--seed" || a.starts_with("--seed=")) {
        words.push(format!("--seed {seed}"));
    }
    words.join(" ")
}

/// A new seed: from the clock and the process id, kept below 10^10 so that it is easy to
/// type and exact in every JSON reader.
fn new_seed() -> u64 {
    let nanos =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
    ((nanos as u64) ^ (u64::from(std::process::id()) << 20)) % 10_000_000_000
}

fn run_command(argv: &[String], args: RunArgs, stdout: &mut dyn Write, stderr: &mut dyn Write) -> i32 {
    let error = |stderr: &mut dyn Write, code: i32, message: String| {
        let _ = writeln!(stderr, "error: {message}");
        code
    };
    if let Some(unknown) = args.checks.iter().find(|id| !crate::checks::is_selector(id)) {
        return error(
            stderr,
            EXIT_USAGE,
            format!(
                "--check {unknown}: no check, rule or named case has this id (see `alga-conformance checks`)"
            ),
        );
    }
    if args.cases == 0 && args.replay.is_none() {
        return error(
            stderr,
            EXIT_USAGE,
            "--cases 0: at least one random case per check is needed for a verdict (the named edge cases run in addition; select one alone with --check NAME)".to_string(),
        );
    }
    let expectations = match &args.expectations {
        Some(path) => match Expectations::load(path) {
            Ok(e) => e,
            Err(e) => return error(stderr, EXIT_USAGE, e.to_string()),
        },
        None => Expectations::default(),
    };
    let replay = match &args.replay {
        Some(path) => match CaseFile::load(path) {
            Ok(file) => Some(file),
            Err(e) => return error(stderr, EXIT_USAGE, format!("{e:#}")),
        },
        None => None,
    };
    let mut contract = args.contract.clone();
    if let (Some(file), None, None) = (&replay, &contract.contract_version, &contract.wit) {
        contract.contract_version = Some(file.contract_version.clone());
    }
    let probe = match contract.probe() {
        Ok(probe) => probe,
        Err(e) => return error(stderr, EXIT_USAGE, format!("{e:#}")),
    };
    let mut testee = match open_testee(&args) {
        Ok(testee) => testee,
        Err(e) => return error(stderr, EXIT_RUN_ERROR, format!("{e:#}")),
    };
    let info = match runner::prepare(testee.as_mut(), &probe.probe.component, &probe.version) {
        Ok(info) => info,
        Err(e) => return error(stderr, EXIT_RUN_ERROR, e.to_string()),
    };
    if let Some(file) = replay {
        return replay_command(
            testee.as_mut(),
            &info,
            &file,
            args.replay.as_deref().unwrap_or(Path::new("")),
            &probe.version,
            stdout,
            stderr,
        );
    }

    let seed = args.seed.unwrap_or_else(new_seed);
    let failures_dir = args.failures_dir.clone().unwrap_or_else(|| default_failures_dir(seed));
    let config = RunConfig {
        seed,
        cases: args.cases,
        contract_version: probe.version.clone(),
        only: args.checks.clone(),
        required_only: args.required_only,
        fail_fast: args.fail_fast,
        shrink_iterations: args.shrink_iterations,
        named_cases: true,
    };
    let _ = write!(stderr, "{}", human::header(&info, seed, config.cases, &probe.version));
    let mut progress = HumanProgress::new(&mut *stderr);
    let run = match runner::run(testee.as_mut(), info, &config, &mut progress) {
        Ok(run) => run,
        Err(e) => {
            let hint = match &e {
                RunError::Case { case, .. } => {
                    let path = failures_dir.join("fixture-that-failed-to-load.json");
                    let saved = std::fs::create_dir_all(&failures_dir).and_then(|()| {
                        std::fs::write(&path, serde_json::to_string_pretty(case).unwrap_or_default())
                    });
                    if saved.is_ok() {
                        format!("\n  the case is in {}", path.display())
                    } else {
                        String::new()
                    }
                }
                _ => String::new(),
            };
            return error(stderr, EXIT_RUN_ERROR, format!("the run could not be carried out: {e}{hint}"));
        }
    };
    drop(testee);

    let mut case_files = BTreeMap::new();
    for result in &run.checks {
        if let CheckStatus::Fail(failure) = &result.status {
            match CaseFile::new(&run, result, failure).save(&failures_dir) {
                Ok(path) => {
                    case_files.insert(result.check.id.to_string(), path);
                }
                Err(e) => {
                    let _ = writeln!(
                        stderr,
                        "warning: the counterexample of {} was not saved: {e:#}",
                        result.check.id
                    );
                }
            }
        }
    }
    let mut options = ReportOptions {
        enforce_recommended: args.enforce_recommended,
        expectations,
        case_files,
        command: reproducing_command(argv, seed),
        replay_command: replay_prefix(argv),
        expectations_path: args.expectations.clone().or_else(|| args.update_expectations.clone()),
    };
    if let Some(path) = &args.update_expectations {
        // Reasons already written in the target file are kept too.
        if options.expectations.failures.is_empty() && path.exists() {
            match Expectations::load(path) {
                Ok(existing) => options.expectations = existing,
                Err(e) => return error(stderr, EXIT_USAGE, e.to_string()),
            }
        }
        let updated = Report::new(&run, options.clone()).updated_expectations();
        let header = format!(
            "Expected failures of {} for alga-conformance (rule IDs of SPEC.md).\nWritten by: {} --update-expectations {}\nA listed rule that passes fails the run: remove it when the host is fixed.",
            run.testee.name,
            options.command,
            shell_quote(&path.display().to_string())
        );
        if let Err(e) = std::fs::write(path, updated.to_toml(&header)) {
            return error(stderr, EXIT_RUN_ERROR, format!("cannot write {}: {e}", path.display()));
        }
        let _ = writeln!(stderr, "wrote {} ({} expected failures)", path.display(), updated.failures.len());
        options.expectations = updated;
        options.expectations_path = Some(path.clone());
    }
    let report = Report::new(&run, options);
    let text = match args.format {
        Format::Human => human::render(&report),
        Format::Json => serde_json::to_string_pretty(&json::render(&report)).unwrap_or_default() + "\n",
        Format::Junit => junit::render(&report),
    };
    match &args.output {
        Some(path) => {
            if let Err(e) = std::fs::write(path, &text) {
                return error(
                    stderr,
                    EXIT_RUN_ERROR,
                    format!("cannot write the report to {}: {e}", path.display()),
                );
            }
            if args.format != Format::Human {
                let _ = write!(stderr, "{}", human::render(&report));
            }
        }
        None => {
            let _ = write!(stdout, "{text}");
        }
    }
    report.exit_code()
}

fn replay_command(
    testee: &mut dyn Testee,
    info: &alga_conformance_protocol::TesteeInfo,
    file: &CaseFile,
    path: &Path,
    version: &str,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> i32 {
    let check = match file.check() {
        Ok(check) => check,
        Err(e) => {
            let _ = writeln!(stderr, "error: {e:#}");
            return EXIT_USAGE;
        }
    };
    let _ = writeln!(
        stdout,
        "replaying {} ({}) from {} against {}",
        check.id,
        check.level.spec_name(),
        path.display(),
        human::testee_line(info)
    );
    match runner::run_and_verify(testee, check, &file.case, version, &info.contract_versions) {
        Err(e) => {
            let _ = writeln!(stderr, "error: the case could not be carried out: {e}");
            EXIT_RUN_ERROR
        }
        Ok((_, Ok(_))) => {
            let _ = writeln!(stdout, "PASS: the host now conforms on this case ({})", file.message);
            EXIT_CONFORMS
        }
        Ok((results, Err(mismatch))) => {
            let named_case =
                file.named_case.as_deref().and_then(crate::checks::named_case).map(|(_, named)| named.name);
            let failure = runner::Failure {
                case: file.case.clone(),
                results,
                mismatch,
                shrink_steps: 0,
                flaky: false,
                named_case,
            };
            let _ = write!(stdout, "{}", human::failure_text(check, &failure, None, None));
            let level = if check.level == Level::Required {
                "the host does not conform"
            } else {
                "a RECOMMENDED rule fails"
            };
            let _ = writeln!(stdout, "FAIL: {level}");
            EXIT_DOES_NOT_CONFORM
        }
    }
}
