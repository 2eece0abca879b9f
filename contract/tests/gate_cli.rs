//! `alga-contract check`, the real binary, on copies of this repository's contract in
//! temporary directories (the real `wit/` is never edited).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository root.
fn repository() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let target = to.join(path.file_name().unwrap());
        if path.is_dir() {
            copy_dir(&path, &target);
        } else {
            std::fs::copy(&path, &target).unwrap();
        }
    }
}

/// A scratch repository: this repository's `wit/`, `CHANGELOG.md` and
/// `contract/Cargo.toml`, with the current `wit/` recorded as the newest release in
/// `compat/<version>/wit/` (so the tests hold whatever version `wit/` declares).
struct Scratch {
    dir: tempfile::TempDir,
    version: semver::Version,
}

impl Scratch {
    fn new() -> Scratch {
        let dir = tempfile::Builder::new().prefix("alga-gate-test-").tempdir().unwrap();
        let repo = repository();
        copy_dir(&repo.join("wit"), &dir.path().join("wit"));
        std::fs::copy(repo.join("CHANGELOG.md"), dir.path().join("CHANGELOG.md")).unwrap();
        std::fs::create_dir_all(dir.path().join("contract")).unwrap();
        std::fs::copy(repo.join("contract/Cargo.toml"), dir.path().join("contract/Cargo.toml")).unwrap();
        let version = semver::Version::parse(alga_extension_contract::CONTRACT_VERSION).unwrap();
        copy_dir(&repo.join("wit"), &dir.path().join(format!("compat/{version}/wit")));
        let changelog = dir.path().join("CHANGELOG.md");
        let text = std::fs::read_to_string(&changelog).unwrap();
        if !text.contains(&format!("## [{version}]")) {
            std::fs::write(&changelog, format!("{text}\n## [{version}] - 2026-11-25\n")).unwrap();
        }
        Scratch { dir, version }
    }

    fn path(&self, relative: &str) -> PathBuf {
        self.dir.path().join(relative)
    }

    fn edit(&self, relative: &str, from: &str, to: &str) {
        let path = self.path(relative);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains(from), "{relative} does not contain {from:?}");
        std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
    }

    /// `alga-contract check --repo <scratch> ARGS`, run from outside any repository.
    fn check(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_alga-contract"))
            .arg("check")
            .arg("--repo")
            .arg(self.dir.path())
            .args(args)
            .current_dir(std::env::temp_dir())
            .output()
            .unwrap()
    }

    /// Adds a field `region` after `tags` in `client-summary`; returns its line.
    fn add_region_field(&self) -> usize {
        self.edit(
            "wit/types.wit",
            "    tags: list<string>,\n  }",
            "    tags: list<string>,\n    /// The client's sales region.\n    region: option<string>,\n  }",
        );
        let text = std::fs::read_to_string(self.path("wit/types.wit")).unwrap();
        text.lines().position(|l| l.trim_start().starts_with("region:")).unwrap() + 1
    }
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// The version a breaking change needs from `v` (minor while the major version is 0).
fn breaking_bump(v: &semver::Version) -> semver::Version {
    if v.major == 0 {
        semver::Version::new(0, v.minor + 1, 0)
    } else {
        semver::Version::new(v.major + 1, 0, 0)
    }
}

#[test]
fn a_new_field_fails_the_gate_until_the_version_and_changelog_say_so() {
    let scratch = Scratch::new();
    let unchanged = scratch.check(&[]);
    assert_eq!(unchanged.status.code(), Some(0), "an unchanged copy passes:\n{}", stdout(&unchanged));

    let line = scratch.add_region_field();
    let failed = scratch.check(&[]);
    let text = stdout(&failed);
    assert_eq!(failed.status.code(), Some(100), "{text}{}", stderr(&failed));
    assert!(text.contains("[record-field-added] alga:extension/types.client-summary.region"), "{text}");
    assert!(
        text.contains(&format!("current:  wit/types.wit:{line}:")),
        "the finding names file and line {line}:\n{text}"
    );
    let next = breaking_bump(&scratch.version);
    let bump = if scratch.version.major == 0 { "minor" } else { "major" };
    assert!(text.contains(&format!("each needs a {bump} bump")), "{text}");
    assert!(text.contains(&format!("(to {next} or later)")), "the required version is named:\n{text}");
    assert!(text.contains("+    region: option<string>,"), "the finding shows a diff of the record:\n{text}");

    // The version says so: WIT package and crate bumped, a CHANGELOG section added.
    let (old, new) = (scratch.version.to_string(), next.to_string());
    scratch.edit(
        "wit/world.wit",
        &format!("package alga:extension@{old};"),
        &format!("package alga:extension@{new};"),
    );
    let still = scratch.check(&[]);
    assert_eq!(
        still.status.code(),
        Some(100),
        "without the crate version and CHANGELOG:\n{}",
        stdout(&still)
    );
    assert!(stdout(&still).contains("crate-version-mismatch"), "{}", stdout(&still));
    assert!(stdout(&still).contains("changelog-entry-missing"), "{}", stdout(&still));

    scratch.edit("contract/Cargo.toml", &format!("version = \"{old}\""), &format!("version = \"{new}\""));
    scratch.edit(
        "CHANGELOG.md",
        "## [Unreleased]\n",
        &format!("## [Unreleased]\n\n## [{new}] - 2026-12-01\n\n### Changed\n- `client-summary` has `region` (breaking).\n"),
    );
    let passed = scratch.check(&[]);
    assert_eq!(passed.status.code(), Some(0), "{}{}", stdout(&passed), stderr(&passed));
    assert!(stdout(&passed).contains("result: pass"), "{}", stdout(&passed));
}

#[test]
fn a_compatible_change_needs_the_compatible_bump() {
    let scratch = Scratch::new();
    scratch.edit(
        "wit/clients.wit",
        "  get-client: func(",
        "  /// How many clients the tenant has.\n  count-clients: func() -> result<u32, read-error>;\n\n  /// x\n  get-client: func(",
    );
    let output = scratch.check(&["--format", "json"]);
    assert_eq!(output.status.code(), Some(100));
    let report: serde_json::Value = serde_json::from_str(&stdout(&output)).expect("JSON on stdout");
    assert_eq!(report["schema_version"], 1);
    assert_eq!(report["verdict"], "fail");
    let expected = if scratch.version.major == 0 { "patch" } else { "minor" };
    assert_eq!(report["policy"]["required_bump"], expected, "{report:#}");
    let rules: Vec<&str> =
        report["findings"].as_array().unwrap().iter().map(|f| f["rule"].as_str().unwrap()).collect();
    assert!(rules.contains(&"function-added"), "{rules:?}");
    assert!(rules.contains(&"docs-changed"), "the doc comment moved to a new function: {rules:?}");
    assert_eq!(report["policy"]["violations"][0]["rule"], "version-not-bumped");
    assert_eq!(report["policy"]["violations"][0]["location"]["file"], "wit/world.wit");
}

#[test]
fn every_output_format_carries_the_finding() {
    let scratch = Scratch::new();
    let line = scratch.add_region_field();

    let github = scratch.check(&["--format", "github"]);
    assert_eq!(github.status.code(), Some(100));
    let text = stdout(&github);
    assert!(
        text.contains(&format!(
            "::error file=wit/types.wit,line={line},col=5,title=record-field-added (breaking%2C needs a"
        )),
        "{text}"
    );
    assert!(
        text.contains("::error file=wit/world.wit,line="),
        "the version violation points at the package line: {text}"
    );

    let junit = scratch.check(&["--format", "junit"]);
    assert_eq!(junit.status.code(), Some(100));
    let text = stdout(&junit);
    assert!(text.starts_with("<?xml"), "{text}");
    assert!(
        text.contains("name=\"record-field-added alga:extension/types.client-summary.region\""),
        "{text}"
    );
    assert!(text.contains("<failure message=\"needs a"), "{text}");
    assert!(text.contains("classname=\"policy\" name=\"version-bump\"><failure"), "{text}");

    let json = scratch.check(&["--format", "json"]);
    let report: serde_json::Value = serde_json::from_str(&stdout(&json)).unwrap();
    let finding = &report["findings"][0];
    assert_eq!(finding["rule"], "record-field-added");
    assert_eq!(finding["current"]["file"], "wit/types.wit");
    assert_eq!(finding["current"]["line"], line);
    assert_eq!(finding["flow"], "host-returns");
    assert_eq!(finding["worlds"], serde_json::json!(["reader"]));
    assert!(finding["diff"].as_str().unwrap().contains("+    region: option<string>,"));
    assert_eq!(report["semver_check"][0]["outcome"], "incompatible");
}

#[test]
fn a_wit_file_that_does_not_parse_exits_101_with_file_line_and_message() {
    let scratch = Scratch::new();
    scratch.edit("wit/types.wit", "    tags: list<string>,", "    tags: list<string>,,");
    let text = std::fs::read_to_string(scratch.path("wit/types.wit")).unwrap();
    let line = text.lines().position(|l| l.contains("list<string>,,")).unwrap() + 1;

    let human = scratch.check(&[]);
    assert_eq!(human.status.code(), Some(101));
    let message = stderr(&human);
    assert!(message.contains("does not parse"), "{message}");
    assert!(message.contains(&format!("types.wit:{line}:")), "the parser's location is shown: {message}");

    let json = scratch.check(&["--format", "json"]);
    assert_eq!(json.status.code(), Some(101));
    let report: serde_json::Value =
        serde_json::from_str(&stdout(&json)).expect("a JSON document even on error");
    assert_eq!(report["verdict"], "error");
    assert_eq!(report["error"]["location"]["file"], "wit/types.wit");
    assert_eq!(report["error"]["location"]["line"], line);

    let github = scratch.check(&["--format", "github"]);
    assert!(
        stdout(&github).starts_with(&format!("::error file=wit/types.wit,line={line},")),
        "{}",
        stdout(&github)
    );
}

#[test]
fn a_released_version_is_never_edited_not_even_its_docs() {
    let scratch = Scratch::new();
    scratch.edit("wit/types.wit", "/// Whether a client is a company or a person.", "/// Company or person.");
    let output = scratch.check(&[]);
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(100), "{text}");
    assert!(text.contains("[docs-changed]"), "{text}");
    assert!(text.contains("violation [released-version-edited]"), "{text}");
    assert!(!text.contains("version-not-bumped"), "documentation needs no bump by itself: {text}");
}

#[test]
fn baselines_are_directories_versions_or_git_revisions() {
    let scratch = Scratch::new();
    let git = |args: &[&str]| {
        let status = Command::new("git")
            .arg("-C")
            .arg(scratch.dir.path())
            .args(["-c", "user.name=gate test", "-c", "user.email=gate@test.invalid"])
            .args(args)
            .status()
            .unwrap();
        assert!(status.success(), "git {args:?}");
    };
    git(&["init", "-q"]);
    git(&["add", "."]);
    git(&["commit", "-q", "-m", "baseline"]);
    scratch.add_region_field();

    for baseline in ["HEAD", &scratch.version.to_string(), &format!("compat/{}/wit", scratch.version)] {
        let output = scratch.check(&["--baseline", baseline]);
        assert_eq!(
            output.status.code(),
            Some(100),
            "--baseline {baseline}: {}{}",
            stdout(&output),
            stderr(&output)
        );
        assert!(stdout(&output).contains("record-field-added"), "--baseline {baseline}: {}", stdout(&output));
    }
    let from_git = stdout(&scratch.check(&["--baseline", "HEAD"]));
    assert!(
        from_git.contains("baseline: HEAD:wit/types.wit:"),
        "files read from git are named REV:path: {from_git}"
    );

    let unknown = scratch.check(&["--baseline", "no-such-rev"]);
    assert_eq!(unknown.status.code(), Some(101));
    assert!(stderr(&unknown).contains("not a directory, not a released version"), "{}", stderr(&unknown));
    let unreleased = scratch.check(&["--baseline", "9.9.9"]);
    assert_eq!(unreleased.status.code(), Some(101));
    assert!(stderr(&unreleased).contains("no released version 9.9.9"), "{}", stderr(&unreleased));
}

#[test]
fn any_wit_package_can_be_compared_with_current_and_baseline() {
    let dir = tempfile::tempdir().unwrap();
    let write = |side: &str, text: &str| {
        std::fs::create_dir_all(dir.path().join(side)).unwrap();
        std::fs::write(dir.path().join(side).join("p.wit"), text).unwrap();
    };
    write("old", "package x:y@1.4.0;\ninterface i { f: func(a: u32); }\nworld w { import i; }\n");
    write("new", "package x:y@1.5.0;\ninterface i { f: func(a: u32); g: func(); }\nworld w { import i; }\n");
    let output = Command::new(env!("CARGO_BIN_EXE_alga-contract"))
        .args(["check", "--current", "new", "--baseline", "old"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let text = stdout(&output);
    assert_eq!(
        output.status.code(),
        Some(0),
        "a function added with a minor bump passes from 1.0 on: {text}"
    );
    assert!(text.contains("[function-added] x:y/i.g"), "{text}");
    assert!(text.contains("crate-version   not-run"), "no repository checks on another package: {text}");
}

#[test]
fn help_documents_the_exit_codes_and_other_commands_still_work() {
    let help = Command::new(env!("CARGO_BIN_EXE_alga-contract")).args(["check", "--help"]).output().unwrap();
    let text = stdout(&help);
    for needle in
        ["0    pass", "100  violations", "101  the gate could not run", "--baseline <DIR|VERSION|GIT-REV>"]
    {
        assert!(text.contains(needle), "`check --help` lacks {needle:?}:\n{text}");
    }
    let info = Command::new(env!("CARGO_BIN_EXE_alga-contract"))
        .args(["info", "--format", "json"])
        .output()
        .unwrap();
    assert!(info.status.success());
    let info: serde_json::Value = serde_json::from_slice(&info.stdout).unwrap();
    assert_eq!(info["version"], alga_extension_contract::CONTRACT_VERSION);
}

#[test]
fn an_unreleased_version_accumulates_changes_against_the_newest_release() {
    let scratch = Scratch::new();
    let (old, next) = (scratch.version.to_string(), {
        let v = &scratch.version;
        semver::Version::new(v.major, v.minor, v.patch + 1).to_string()
    });
    // First change: a new function, released as the next patch version (not yet frozen).
    scratch.edit(
        "wit/clients.wit",
        "  get-client: func(",
        "  count-clients: func() -> result<u32, read-error>;\n\n  get-client: func(",
    );
    scratch.edit(
        "wit/world.wit",
        &format!("package alga:extension@{old};"),
        &format!("package alga:extension@{next};"),
    );
    scratch.edit("contract/Cargo.toml", &format!("version = \"{old}\""), &format!("version = \"{next}\""));
    scratch.edit(
        "CHANGELOG.md",
        "## [Unreleased]\n",
        &format!("## [Unreleased]\n\n## [{next}]\n- `count-clients`.\n"),
    );
    let git = |args: &[&str]| {
        let ok = Command::new("git")
            .arg("-C")
            .arg(scratch.dir.path())
            .args(["-c", "user.name=gate test", "-c", "user.email=gate@test.invalid"])
            .args(args)
            .status()
            .unwrap()
            .success();
        assert!(ok, "git {args:?}");
    };
    git(&["init", "-q"]);
    git(&["add", "."]);
    git(&["commit", "-q", "-m", "unreleased"]);
    // Second change under the same unreleased version: another function.
    scratch.edit(
        "wit/clients.wit",
        "  get-client: func(",
        "  count-inactive-clients: func() -> result<u32, read-error>;\n\n  get-client: func(",
    );
    let default = scratch.check(&[]);
    assert_eq!(default.status.code(), Some(0), "against the newest release: {}", stdout(&default));
    let against_head = scratch.check(&["--baseline", "HEAD"]);
    assert_eq!(against_head.status.code(), Some(100));
    assert!(
        stdout(&against_head).contains(&format!("the baseline's version {next} is not released")),
        "{}",
        stdout(&against_head)
    );
}
