//! The suite's own machinery, tested without a host: the model testee answers from the
//! oracle (optionally with deliberate faults), in process and through the JSON-lines
//! protocol (`alga-conformance model-testee`). Runner, named cases, vacuous passes,
//! verdicts, expectations (exact semantics), reports, case files and replay, exit codes,
//! and the out-of-process driver's handling of hung (children included), crashed and
//! garbling testees.

use alga_conformance::cli;
use alga_conformance::driver::model::{Answer, Faults, ModelTestee};
use alga_conformance::driver::process::ProcessTestee;
use alga_conformance::runner::{self, CheckStatus, RunConfig};
use alga_conformance::versions;
use alga_conformance_protocol::{Call, ExecutionContext, Outcome, Testee};
use std::path::Path;
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_alga-conformance");

/// Runs the CLI in process; returns (exit code, stdout, stderr).
fn cli(args: &[&str]) -> (i32, String, String) {
    let mut argv = vec!["alga-conformance".to_string()];
    argv.extend(args.iter().map(|s| s.to_string()));
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = cli::main(argv, &mut out, &mut err);
    (code, String::from_utf8_lossy(&out).into_owned(), String::from_utf8_lossy(&err).into_owned())
}

fn model_command(flags: &str) -> String {
    format!("{BIN} model-testee {flags}")
}

fn run_model(faults: Faults, cases: u32, only: &[&str]) -> runner::RunResult {
    run_model_with(faults, cases, only, |_| {})
}

/// [`run_model`] with the configuration changed by `adjust`.
fn run_model_with(
    faults: Faults,
    cases: u32,
    only: &[&str],
    adjust: impl Fn(&mut RunConfig),
) -> runner::RunResult {
    let mut testee = ModelTestee::new(faults);
    let probe = versions::probe_for_version(None).unwrap();
    let info = runner::prepare(&mut testee, &probe.probe.component, &probe.version).unwrap();
    let mut config = RunConfig::new(7);
    config.cases = cases;
    config.only = only.iter().map(|s| s.to_string()).collect();
    adjust(&mut config);
    runner::run(&mut testee, info, &config, &mut runner::Quiet).unwrap()
}

#[test]
fn the_model_passes_every_check() {
    let run = run_model(Faults::default(), 32, &[]);
    for result in &run.checks {
        // VER-1 is judged through 0.1 guests; this run tests the current contract.
        if result.check.id == "VER-1" {
            assert!(matches!(result.status, CheckStatus::NotApplicable(_)), "{:?}", result.status);
            continue;
        }
        assert!(
            matches!(result.status, CheckStatus::Pass),
            "{} did not pass: {:?}",
            result.check.id,
            result.status
        );
        assert_eq!(result.cases, 32, "{}", result.check.id);
        assert_eq!(result.named.len(), result.check.named.len(), "{}", result.check.id);
        assert!(result.named.iter().all(|n| n.passed), "{}", result.check.id);
        assert!(
            result.tally.judged > 0 && result.tally.unjudged == 0,
            "{}: {:?}",
            result.check.id,
            result.tally
        );
    }
}

#[test]
fn a_broken_model_fails_on_a_named_case_before_any_random_case() {
    let run = run_model(Faults { get_is_internal: true, ..Faults::default() }, 32, &["DATA-3"]);
    let data_3 = run.checks.iter().find(|c| c.check.id == "DATA-3").unwrap();
    let CheckStatus::Fail(failure) = &data_3.status else { panic!("DATA-3 passed") };
    assert_eq!(failure.named_case, Some("DATA-3.ids-of-no-record"));
    assert_eq!((data_3.cases, failure.shrink_steps), (0, 0), "no random case ran, nothing was shrunk");
    assert!(data_3.named.iter().all(|n| !n.passed), "{:?}", data_3.named);
}

#[test]
fn a_named_case_runs_alone_when_selected_by_name() {
    let run = run_model(
        Faults::default(),
        32,
        &["AUTH-2.user-of-other-tenant", "PAGE-4.equal-names-ordered-by-id"],
    );
    let ran: Vec<(&str, u32, Vec<&str>)> = run
        .checks
        .iter()
        .filter(|c| !matches!(c.status, CheckStatus::NotRun))
        .map(|c| (c.check.id, c.cases, c.named.iter().map(|n| n.name).collect()))
        .collect();
    assert_eq!(
        ran,
        vec![
            ("AUTH-2", 0, vec!["AUTH-2.user-of-other-tenant"]),
            ("PAGE-4", 0, vec!["PAGE-4.equal-names-ordered-by-id"])
        ]
    );
    assert!(
        run.checks.iter().all(|c| !matches!(c.status, CheckStatus::Fail(_) | CheckStatus::Unverified(_)))
    );
}

/// A testee that refuses or fails every call must not pass the checks that look only at
/// what `ok` answers hold (ISO-1, PAGE-4, DATA-1, DATA-2), nor ERR-1 and ERR-2.
#[test]
fn refusing_or_failing_everything_passes_nothing_vacuously() {
    let looked_at = ["ISO-1", "ISO-1.concurrent", "PAGE-4", "DATA-1", "DATA-2", "ERR-1", "ERR-2"];
    for answer in [Answer::NotAllowed, Answer::Internal, Answer::HostFailure] {
        let run = run_model(Faults { answer_all: Some(answer), ..Faults::default() }, 16, &looked_at);
        for id in looked_at {
            let result = run.checks.iter().find(|c| c.check.id == id).unwrap();
            assert!(
                matches!(result.status, CheckStatus::Fail(_) | CheckStatus::Unverified(_)),
                "{id} passed a testee answering every call {answer:?}: {:?}",
                result.tally
            );
        }
    }
    // On random cases alone too (the named cases would be enough to fail most of them).
    let run = run_model_with(
        Faults { answer_all: Some(Answer::NotAllowed), ..Faults::default() },
        16,
        &looked_at,
        |c| {
            c.named_cases = false;
        },
    );
    for id in looked_at {
        let result = run.checks.iter().find(|c| c.check.id == id).unwrap();
        let CheckStatus::Unverified(reason) = &result.status else {
            panic!("{id} on random cases alone: {:?}", result.status)
        };
        assert!(reason.starts_with(id) && reason.contains("not-allowed where SPEC.md says"), "{reason}");
    }
}

#[test]
fn a_run_of_no_random_cases_does_not_conform() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, err) = cli(&[
        "run",
        "--testee",
        &model_command(""),
        "--cases",
        "0",
        "--failures-dir",
        dir.path().to_str().unwrap(),
    ]);
    assert_eq!(code, cli::EXIT_USAGE, "{err}");
    assert!(err.contains("--cases 0"), "{err}");
    // Through the library, each check is unverified.
    let run = run_model(Faults::default(), 0, &["CTX-1", "ERR-2"]);
    for result in run.checks.iter().filter(|c| !matches!(c.status, CheckStatus::NotRun)) {
        assert!(
            matches!(&result.status, CheckStatus::Unverified(why) if why.contains("--cases 0")),
            "{:?}",
            result.status
        );
    }
}

#[test]
fn a_broken_model_fails_with_a_shrunk_counterexample() {
    // The named cases off, to see the random cases found and shrunk.
    let run = run_model_with(Faults { get_is_internal: true, ..Faults::default() }, 32, &["DATA-3"], |c| {
        c.named_cases = false;
    });
    let data_3 = run.checks.iter().find(|c| c.check.id == "DATA-3").unwrap();
    let CheckStatus::Fail(failure) = &data_3.status else {
        panic!("DATA-3 passed on a host whose get is internal")
    };
    assert!(
        failure.mismatch.message.starts_with("DATA-3: expected ok, got internal"),
        "{}",
        failure.mismatch.message
    );
    // Shrunk: one tenant, no records the failing call does not need.
    assert_eq!(failure.case.fixture.tenants.len(), 1, "{:#?}", failure.case.fixture);
    let tenant = &failure.case.fixture.tenants[0];
    assert!(
        tenant.clients.is_empty() && tenant.services.is_empty() && tenant.users.is_empty(),
        "{tenant:#?}"
    );
    assert_eq!(failure.case.steps.len(), 1);
    assert!(
        run.checks.iter().filter(|c| c.check.id != "DATA-3").all(|c| matches!(c.status, CheckStatus::NotRun))
    );
}

#[test]
fn without_outage_simulation_err_1_is_unverified_and_fails_unless_expected() {
    let dir = tempfile::tempdir().unwrap();
    let testee = model_command("--no-outage");
    let failures = dir.path().join("failures");
    let failures = failures.to_str().unwrap();
    let (code, out, _) = cli(&["run", "--testee", &testee, "--check", "ERR-1", "--failures-dir", failures]);
    assert_eq!(code, cli::EXIT_DOES_NOT_CONFORM, "{out}");
    assert!(out.contains("ERR-1    REQUIRED       0 named +     0 random  FAIL (unverified)"), "{out}");
    assert!(out.contains("cannot simulate a store outage"), "{out}");

    let expectations = dir.path().join("expectations.toml");
    std::fs::write(
        &expectations,
        "[[expected-failure]]\nrule = \"ERR-1\"\nreason = \"no outage simulation yet\"\n",
    )
    .unwrap();
    let (code, out, _) = cli(&[
        "run",
        "--testee",
        &testee,
        "--check",
        "ERR-1",
        "--failures-dir",
        failures,
        "--expectations",
        expectations.to_str().unwrap(),
    ]);
    assert_eq!(code, cli::EXIT_CONFORMS, "{out}");
    assert!(out.contains("expected failure (unverified): no outage simulation yet"), "{out}");
}

#[test]
fn expectations_are_exact_and_the_update_command_writes_them() {
    let dir = tempfile::tempdir().unwrap();
    let failures = dir.path().join("failures");
    let failures = failures.to_str().unwrap();
    let broken = model_command("--get-is-internal");
    let expectations = dir.path().join("expected.toml");
    let expectations = expectations.to_str().unwrap();
    let base = [
        "run",
        "--cases",
        "8",
        "--seed",
        "3",
        "--check",
        "DATA-3",
        "--check",
        "PAGE-1",
        "--failures-dir",
        failures,
    ];

    // Not listed: the failure fails the run, and the report says how to accept it.
    let mut args = base.to_vec();
    args.extend(["--testee", &broken, "--expectations", expectations]);
    std::fs::write(expectations, "").unwrap();
    let (code, out, _) = cli(&args);
    assert_eq!(code, cli::EXIT_DOES_NOT_CONFORM, "{out}");
    assert!(out.contains(&format!("--update-expectations {expectations}")), "{out}");

    // The printed update command writes a file under which the same run conforms.
    let mut update = args.clone();
    update.extend(["--update-expectations", expectations]);
    let (code, _, err) = cli(&update);
    assert_eq!(code, cli::EXIT_CONFORMS, "{err}");
    let written = std::fs::read_to_string(expectations).unwrap();
    assert!(written.contains("rule = \"DATA-3\"") && !written.contains("rule = \"PAGE-1\""), "{written}");
    let (code, out, _) = cli(&args);
    assert_eq!(code, cli::EXIT_CONFORMS, "{out}");

    // The host is fixed: the listed rule now passes, which fails the run until the file
    // is updated again.
    let fixed = model_command("");
    let mut args = base.to_vec();
    args.extend(["--testee", &fixed, "--expectations", expectations]);
    let (code, out, _) = cli(&args);
    assert_eq!(code, cli::EXIT_DOES_NOT_CONFORM, "{out}");
    assert!(out.contains("UNEXPECTED PASS"), "{out}");

    // A rule SPEC.md does not have is a usage error.
    std::fs::write(expectations, "[[expected-failure]]\nrule = \"NOPE-1\"\nreason = \"x\"\n").unwrap();
    let (code, _, err) = cli(&args);
    assert_eq!(code, cli::EXIT_USAGE);
    assert!(err.contains("\"NOPE-1\" is not a rule of SPEC.md"), "{err}");
}

#[test]
fn reports_in_every_format_and_replayable_case_files() {
    let dir = tempfile::tempdir().unwrap();
    let failures = dir.path().join("failures");
    let broken = model_command("--get-is-internal");
    let args = |format: &str| -> Vec<String> {
        [
            "run", "--testee", &broken, "--cases", "8", "--seed", "5", "--check", "ISO-2", "--check",
            "VAL-1", "--format", format,
        ]
        .iter()
        .map(|s| s.to_string())
        .chain(["--failures-dir".to_string(), failures.display().to_string()])
        .collect()
    };
    let run = |format: &str| {
        let argv = args(format);
        cli(&argv.iter().map(String::as_str).collect::<Vec<_>>())
    };

    let (code, human, progress) = run("human");
    assert_eq!(code, cli::EXIT_DOES_NOT_CONFORM);
    assert!(progress.contains("seed: 5") && progress.contains("ISO-2"), "{progress}");
    for expected in [
        "ISO-2    REQUIRED       3 named +     0 random  FAIL\n",
        "named case ISO-2.client-of-other-tenant:",
        "WHAT WAS TRIED",
        "  VAL-1    named: defaults, page-bounds, page-size-bounds",
        "--- expected (SPEC.md, by the oracle)",
        "+++ actual (the host)",
        "cases per second",
        "replay:",
    ] {
        assert!(human.contains(expected), "missing {expected:?} in\n{human}");
    }
    assert!(!human.contains("FAIL (fail)"), "{human}");
    // The printed replay command runs the case against the same testee, not the reference host.
    let replay_line = human.lines().find(|l| l.trim_start().starts_with("replay:")).unwrap();
    assert!(replay_line.contains(&format!("--testee '{broken}' --replay ")), "{replay_line}");

    let (_, json, _) = run("json");
    let report: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(report["schema_version"], 1);
    assert_eq!(report["conforms"], false);
    assert_eq!(report["exit_code"], 1);
    let iso_2 = report["rules"].as_array().unwrap().iter().find(|r| r["id"] == "ISO-2").unwrap();
    assert_eq!(iso_2["verdict"], "fail");
    assert_eq!(iso_2["checks"][0]["failure"]["actual"]["err"]["tag"], "internal");
    assert_eq!(iso_2["checks"][0]["failure"]["named_case"], "ISO-2.client-of-other-tenant");
    assert_eq!(
        iso_2["named_cases"][0],
        serde_json::json!({"name": "ISO-2.client-of-other-tenant", "passed": false})
    );
    let val_1 = report["rules"].as_array().unwrap().iter().find(|r| r["id"] == "VAL-1").unwrap();
    assert_eq!(val_1["verdict"], "pass");
    assert_eq!(val_1["named_cases"].as_array().unwrap().len(), 3);
    assert_eq!(val_1["cases"], 8);
    assert!(val_1["categories"]["bound"].as_u64().unwrap() > 0, "{}", val_1["categories"]);
    assert!(val_1["calls_judged"].as_u64().unwrap() > 0);

    let (_, junit, _) = run("junit");
    assert!(
        junit.starts_with("<?xml") && junit.contains("<failure message=\"ISO-2: expected ok, got internal"),
        "{junit}"
    );
    assert!(junit.contains("tests=\"2\" failures=\"1\""), "{junit}");

    // The saved counterexample replays: still failing on the broken host, passing on the
    // model without the fault.
    let case_file = failures.join("ISO-2.json");
    let case_file = case_file.to_str().unwrap();
    let (code, out, _) = cli(&["run", "--testee", &broken, "--replay", case_file]);
    assert_eq!(code, cli::EXIT_DOES_NOT_CONFORM, "{out}");
    assert!(out.contains("replaying ISO-2") && out.contains("FAIL"), "{out}");
    let (code, out, _) = cli(&["run", "--testee", &model_command(""), "--replay", case_file]);
    assert_eq!(code, cli::EXIT_CONFORMS, "{out}");
    assert!(out.contains("PASS"), "{out}");
}

#[test]
fn counterexamples_go_under_the_temporary_directory_by_default() {
    let (code, out, _) = cli(&[
        "run",
        "--testee",
        &model_command("--get-is-internal"),
        "--cases",
        "4",
        "--seed",
        "424242",
        "--check",
        "DATA-3",
    ]);
    assert_eq!(code, cli::EXIT_DOES_NOT_CONFORM, "{out}");
    let expected = cli::default_failures_dir(424242).join("DATA-3.json");
    assert!(expected.starts_with(std::env::temp_dir()), "{}", expected.display());
    assert!(out.contains(&format!("case file: {}", expected.display())), "{out}");
    assert!(expected.exists());
    let _ = std::fs::remove_dir_all(cli::default_failures_dir(424242));
}

#[test]
fn a_fixture_that_fails_to_load_is_an_error_of_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, err) = cli(&[
        "run",
        "--testee",
        &model_command("--reject-fixtures"),
        "--check",
        "CTX-1",
        "--failures-dir",
        dir.path().to_str().unwrap(),
    ]);
    assert_eq!(code, cli::EXIT_RUN_ERROR, "{err}");
    assert!(err.contains("did not load a valid fixture") && err.contains("rejects every fixture"), "{err}");
    assert!(Path::new(&dir.path().join("fixture-that-failed-to-load.json")).exists());
}

#[test]
fn bad_command_lines_exit_2() {
    assert_eq!(cli(&["run", "--cases", "many"]).0, cli::EXIT_USAGE);
    let (code, _, err) = cli(&["run", "--check", "NOPE-9"]);
    assert_eq!(code, cli::EXIT_USAGE);
    assert!(err.contains("no check, rule or named case has this id"), "{err}");
    assert_eq!(cli(&["run", "--store", "sqlite", "--testee", "x"]).0, cli::EXIT_USAGE);
    let (code, _, err) = cli(&["probe", "--version", "9.9.9", "-o", "/dev/null"]);
    assert_eq!(code, cli::EXIT_USAGE);
    assert!(err.contains("unknown contract version 9.9.9"), "{err}");
    let (code, _, err) = cli(&["run", "--testee", "/nonexistent/testee-binary"]);
    assert_eq!(code, cli::EXIT_RUN_ERROR, "{err}");
}

#[test]
fn probe_writes_a_component_for_every_available_version() {
    let dir = tempfile::tempdir().unwrap();
    for version in versions::available() {
        let path = dir.path().join(format!("probe-{version}.wasm"));
        let (code, out, err) = cli(&["probe", "--version", &version, "-o", path.to_str().unwrap()]);
        assert_eq!(code, 0, "{err}");
        assert!(out.contains(&format!("alga:extension/probe-clients@{version} list-clients")), "{out}");
        let bytes = std::fs::read(&path).unwrap();
        assert!(bytes.starts_with(b"\0asm"));
    }
}

fn context() -> ExecutionContext {
    ExecutionContext {
        tenant_id: "00000000-0000-4000-8000-000000000001".into(),
        install_id: "x".into(),
        user: None,
    }
}

#[test]
fn a_hung_testee_is_killed_and_started_again() {
    let mut testee = ProcessTestee::new(model_command("--hang-on-call 2"), Duration::from_millis(500));
    let probe = versions::probe_for_version(None).unwrap();
    testee.load_probe(&probe.probe.component).unwrap();
    let call = Call::get_client("00000000-0000-4000-8000-000000000002");
    assert_eq!(testee.call(&context(), &call).class(), "contract-error");
    let Outcome::HostFailure { message } = testee.call(&context(), &call) else {
        panic!("a hang is a host failure")
    };
    assert!(message.contains("did not answer `call get-client` within 0.5s and was killed"), "{message}");
    assert!(message.contains("hanging on call 2"), "the testee's standard error is quoted: {message}");
    // Started again (probe reloaded), so the run goes on.
    assert_eq!(testee.call(&context(), &call).class(), "contract-error");
    assert_eq!(testee.starts(), 2);
}

/// Whether process `pid` is gone (or a zombie nobody reaped yet: dead all the same).
fn process_is_dead(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Err(_) => true,
        Ok(stat) => stat.rsplit_once(')').is_some_and(|(_, rest)| rest.trim_start().starts_with('Z')),
    }
}

#[test]
fn a_hung_testee_is_killed_with_the_processes_it_started() {
    let mut testee =
        ProcessTestee::new(model_command("--hang-on-call 1 --spawn-child"), Duration::from_millis(500));
    let Outcome::HostFailure { message } = testee.call(&context(), &Call::get_client("x")) else {
        panic!("expected a host failure")
    };
    let pid: u32 = message
        .split("started child process ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|pid| pid.parse().ok())
        .unwrap_or_else(|| panic!("the testee's standard error names its child: {message}"));
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while !process_is_dead(pid) && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(process_is_dead(pid), "the hung testee's child {pid} survived it");
}

#[test]
fn a_crashed_testee_is_reported_with_its_status_and_started_again() {
    let mut testee = ProcessTestee::new(model_command("--crash-on-call 1"), Duration::from_secs(10));
    let call = Call::get_client("00000000-0000-4000-8000-000000000002");
    let Outcome::HostFailure { message } = testee.call(&context(), &call) else {
        panic!("a crash is a host failure")
    };
    assert!(
        message.contains("the testee exited (exit status: 3) while handling `call get-client`"),
        "{message}"
    );
    assert!(message.contains("crashing on call 1"), "{message}");
    // The restarted testee counts calls from 1 again and crashes again: still a clear report.
    let Outcome::HostFailure { .. } = testee.call(&context(), &call) else { panic!() };
    assert_eq!(testee.starts(), 2);
}

#[test]
fn a_testee_that_prints_garbage_breaks_the_protocol_clearly() {
    let mut testee = ProcessTestee::new(model_command("--garbage-on-call 1"), Duration::from_secs(10));
    let call = Call::get_client("00000000-0000-4000-8000-000000000002");
    let Outcome::HostFailure { message } = testee.call(&context(), &call) else { panic!() };
    assert!(message.contains("broke the protocol") && message.contains("not a response line"), "{message}");
    assert!(message.contains("logs belong on standard error"), "{message}");
}

#[test]
fn the_model_passes_through_the_protocol_too() {
    let probe = versions::probe_for_version(None).unwrap();
    let mut testee = ProcessTestee::new(model_command(""), Duration::from_secs(10));
    let info = runner::prepare(&mut testee, &probe.probe.component, &probe.version).unwrap();
    assert!(info.store_outage);
    let mut config = RunConfig::new(11);
    config.cases = 8;
    let run = runner::run(&mut testee, info, &config, &mut runner::Quiet).unwrap();
    // VER-1 is judged through 0.1 guests: not applicable to this run of the current version.
    let failed: Vec<&str> = run
        .checks
        .iter()
        .filter(|c| !matches!(c.status, CheckStatus::Pass | CheckStatus::NotApplicable(_)))
        .map(|c| c.check.id)
        .collect();
    assert!(failed.is_empty(), "{failed:?}");
    assert_eq!(testee.starts(), 1);
}

#[test]
fn a_check_finds_the_same_cases_alone_as_in_the_whole_run() {
    let faults = Faults { get_is_internal: true, ..Faults::default() };
    // Random cases only: the named cases are the same in every run anyway.
    let random_only = |c: &mut RunConfig| c.named_cases = false;
    let whole = run_model_with(faults.clone(), 16, &[], random_only);
    for id in ["ISO-2", "DATA-3", "PAGE-1", "ERR-1"] {
        let alone = run_model_with(faults.clone(), 16, &[id], random_only);
        let in_whole = whole.checks.iter().find(|c| c.check.id == id).unwrap();
        let by_itself = alone.checks.iter().find(|c| c.check.id == id).unwrap();
        assert_eq!((in_whole.cases, in_whole.executions), (by_itself.cases, by_itself.executions), "{id}");
        match (&in_whole.status, &by_itself.status) {
            (CheckStatus::Fail(a), CheckStatus::Fail(b)) => {
                assert_eq!(a.case, b.case, "{id}");
                assert_eq!(a.mismatch, b.mismatch, "{id}");
            }
            (CheckStatus::Pass, CheckStatus::Pass) => {}
            (a, b) => panic!("{id}: {a:?} in the whole run, {b:?} alone"),
        }
    }
}

#[test]
fn rules_since_a_newer_version_are_not_applicable_and_reported_so() {
    // At 0.1.0 the rules since 0.2.0 do not run; rules without a since mark do.
    let run =
        run_model_with(Faults::default(), 4, &["VAL-5", "PRICE-1", "PRICE-2", "VER-1", "DATA-3"], |c| {
            c.contract_version = "0.1.0".into();
        });
    let status = |id: &str| &run.checks.iter().find(|c| c.check.id == id).unwrap().status;
    for id in ["VAL-5", "PRICE-1", "PRICE-2"] {
        assert!(
            matches!(status(id), CheckStatus::NotApplicable(why) if why.contains("since contract 0.2.0")),
            "{id}: {:?}",
            status(id)
        );
    }
    assert!(matches!(status("DATA-3"), CheckStatus::Pass), "{:?}", status("DATA-3"));
    // The model serves every available version, so VER-1 applies at 0.1.0, and the model
    // answers 0.1 guests in their shapes without prices.
    assert!(matches!(status("VER-1"), CheckStatus::Pass), "{:?}", status("VER-1"));

    // Every check applicable at 0.1.0 passes on the model (a host serving both versions).
    let run = run_model_with(Faults::default(), 8, &[], |c| c.contract_version = "0.1.0".into());
    for result in &run.checks {
        let since_0_2 = ["VAL-5", "PRICE-1", "PRICE-2"].contains(&result.check.id);
        match &result.status {
            CheckStatus::NotApplicable(_) if since_0_2 => {}
            CheckStatus::Pass if !since_0_2 => {}
            other => panic!("{} at 0.1.0: {other:?}", result.check.id),
        }
    }

    // At the current version the reverse: VER-1 is not applicable, the 0.2.0 rules run.
    let run = run_model(Faults::default(), 4, &["VAL-5", "PRICE-1", "PRICE-2", "VER-1"]);
    let report = alga_conformance::report::Report::new(&run, Default::default());
    let json = alga_conformance::report::json::render(&report);
    assert_eq!(json["contract_version"], versions::current());
    let rule = |id: &str| json["rules"].as_array().unwrap().iter().find(|r| r["id"] == id).unwrap().clone();
    assert_eq!(rule("VER-1")["verdict"], "not-applicable");
    assert_eq!(rule("VER-1")["since"], "0.2.0");
    assert!(
        rule("VER-1")["checks"][0]["not_applicable"]["reason"].as_str().unwrap().contains("--version 0.1.0")
    );
    for id in ["VAL-5", "PRICE-1", "PRICE-2"] {
        assert_eq!(rule(id)["verdict"], "pass", "{id}");
    }
    assert_eq!(rule("PAGE-1")["since"], serde_json::Value::Null);
    assert_eq!(json["totals"]["not_applicable"], 1);
    assert_eq!(json["conforms"], true);
    let human = alga_conformance::report::human::render(&report);
    assert!(human.contains(&format!("CONFORMS to contract {}", versions::current())), "{human}");
    assert!(human.contains("not applicable to contract"), "{human}");
}
