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
    let next = breaking_bump(&scratch.version);
    let bump = if scratch.version.major == 0 { "minor" } else { "major" };
    // The summary: the verdict first, the finding with its file and line.
    assert!(
        text.starts_with(&format!("FAIL: the changes need a {bump} bump (to {next} or later)")),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "wit/types.wit:{line}:5: [record-field-added] field `alga:extension/types.client-summary.region`"
        )),
        "the finding names file and line {line}:\n{text}"
    );
    assert!(text.contains(&format!("1 breaking, each needs a {bump} bump")), "{text}");
    assert!(!text.contains("+    region"), "the summary shows no diffs:\n{text}");
    // --verbose: every finding in full, with a diff of the record.
    let verbose = stdout(&scratch.check(&["--verbose"]));
    assert!(verbose.contains("[record-field-added] alga:extension/types.client-summary.region"), "{verbose}");
    assert!(verbose.contains(&format!("current:  wit/types.wit:{line}:")), "{verbose}");
    assert!(
        verbose.contains("+    region: option<string>,"),
        "the finding shows a diff of the record:\n{verbose}"
    );

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
    assert!(text.starts_with("FAIL: the WIT declares the released version"), "{text}");
    assert!(text.contains("    1  docs-changed"), "{text}");
    let world = std::fs::read_to_string(scratch.path("wit/world.wit")).unwrap();
    let package_line = world.lines().position(|l| l.starts_with("package alga:extension@")).unwrap() + 1;
    assert!(
        text.contains(&format!("wit/world.wit:{package_line}:1: [released-version-edited]")),
        "the violation points at the package statement: {text}"
    );
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
    let from_git = stdout(&scratch.check(&["--baseline", "HEAD", "--verbose"]));
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
    assert!(
        text.starts_with("PASS: 1.4.0 -> 1.5.0 is a minor bump and the changes need a minor bump"),
        "{text}"
    );
    assert!(text.contains("new/p.wit:2:32: [function-added] function `x:y/i.g` was added"), "{text}");
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

/// `alga-contract check ARGS` run in `dir`.
fn run_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_alga-contract"))
        .arg("check")
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap()
}

/// Writes `text` as `dir/side/name`.
fn write_wit(dir: &Path, side: &str, name: &str, text: &str) {
    std::fs::create_dir_all(dir.join(side)).unwrap();
    std::fs::write(dir.join(side).join(name), text).unwrap();
}

#[test]
fn help_header_and_policy_state_the_same_bump_rules() {
    use alga_extension_contract::gate::policy::{BUMP_RULES, VersionClass, bump_rules_text, bumped};
    let help = stdout(
        &Command::new(env!("CARGO_BIN_EXE_alga-contract")).args(["check", "--help"]).output().unwrap(),
    );
    assert!(help.contains(&bump_rules_text()), "`check --help` shows the policy's table:\n{help}");

    // For every row: a breaking change from a version of that row, released with the bump
    // the row asks for, passes, and the report's header names that bump.
    let dir = tempfile::tempdir().unwrap();
    for (baseline, row) in [("1.4.2", 0), ("0.3.1", 1), ("0.0.3", 2), ("0.2.0-rc.1", 3)] {
        let rule = &BUMP_RULES[row];
        let version = semver::Version::parse(baseline).unwrap();
        assert_eq!(VersionClass::of(Some(&version)), rule.class);
        let next = if rule.class == VersionClass::PreRelease {
            semver::Version::parse("0.2.0-rc.2").unwrap()
        } else {
            bumped(&version, rule.breaking)
        };
        let side = |v: &semver::Version, params: &str| {
            format!("package x:y@{v};\ninterface i {{ f: func({params}); }}\nworld w {{ import i; }}\n")
        };
        write_wit(dir.path(), &format!("old-{row}"), "p.wit", &side(&version, "a: u32"));
        write_wit(dir.path(), &format!("new-{row}"), "p.wit", &side(&next, "a: u32, b: u32"));
        let output =
            run_in(dir.path(), &["--current", &format!("new-{row}"), "--baseline", &format!("old-{row}")]);
        let text = stdout(&output);
        assert_eq!(output.status.code(), Some(0), "{baseline} to {next}: {text}");
        let header = format!(
            "1 breaking, each needs a {} bump from {baseline} (the rule for {}, SPEC.md section 10)",
            rule.breaking.as_str(),
            rule.baseline
        );
        assert!(text.contains(&header), "{baseline}: the header states the table's rule `{header}`:\n{text}");
        let row_text =
            format!("  {:<28} {:<12} {}", rule.baseline, rule.compatible.as_str(), rule.breaking.as_str());
        assert!(help.contains(&row_text), "{row_text}");
    }
}

#[test]
fn filters_select_the_findings_shown_but_never_the_verdict() {
    let scratch = Scratch::new();
    scratch.add_region_field();
    scratch.edit("wit/types.wit", "/// Whether a client is a company or a person.", "/// Company or person.");
    let all = stdout(&scratch.check(&["--verbose"]));
    assert!(all.contains("[docs-changed]") && all.contains("[record-field-added]"), "{all}");

    let breaking = scratch.check(&["--verbose", "--min-impact", "breaking"]);
    assert_eq!(breaking.status.code(), Some(100));
    let text = stdout(&breaking);
    assert!(text.contains("showing 1 of 2 finding(s) (--min-impact breaking)"), "{text}");
    assert!(!text.contains("[docs-changed]") && text.contains("[record-field-added]"), "{text}");

    let docs = stdout(&scratch.check(&["--rule", "docs-changed"]));
    assert!(docs.starts_with("FAIL:"), "{docs}");
    assert!(docs.contains("1 finding(s) selected by --rule docs-changed:"), "{docs}");
    assert!(docs.contains("[docs-changed] `alga:extension/types.client-type`"), "{docs}");

    // JSON is never filtered.
    let json: serde_json::Value =
        serde_json::from_str(&stdout(&scratch.check(&["--format", "json", "--rule", "docs-changed"])))
            .unwrap();
    assert_eq!(json["findings"].as_array().unwrap().len(), 2);

    let unknown = scratch.check(&["--rule", "no-such-rule"]);
    assert_eq!(unknown.status.code(), Some(2), "an unknown rule is a bad command line");
}

#[test]
fn unstable_items_are_skipped_with_a_count_until_their_feature_is_enabled() {
    let dir = tempfile::tempdir().unwrap();
    let package = |extra: &str| {
        format!("package x:y@0.1.0;\ninterface i {{\n  f: func();\n{extra}}}\nworld w {{ import i; }}\n")
    };
    write_wit(dir.path(), "old", "p.wit", &package("  @unstable(feature = turbo)\n  g: func();\n"));
    write_wit(dir.path(), "new", "p.wit", &package(""));
    let base = ["--current", "new", "--baseline", "old"];

    let skipped = run_in(dir.path(), &base);
    let text = stdout(&skipped);
    assert_eq!(skipped.status.code(), Some(0), "{text}");
    assert!(text.starts_with("PASS: no differences"), "{text}");
    assert!(
        text.contains("skipped 1 `@unstable` item(s) behind feature(s) not enabled: `turbo` (1)"),
        "{text}"
    );

    for flags in [&["--features", "turbo"][..], &["--all-features"][..]] {
        let output = run_in(dir.path(), &[&base[..], flags].concat());
        let text = stdout(&output);
        assert_eq!(output.status.code(), Some(100), "{flags:?}: {text}");
        assert!(text.contains("[function-removed] function `x:y/i.g` was removed"), "{flags:?}: {text}");
        assert!(!text.contains("skipped"), "{flags:?}: {text}");
    }
    let unknown = stdout(&run_in(dir.path(), &[&base[..], &["--features", "nitro"]].concat()));
    assert!(
        unknown.contains("warning: no `@unstable` gate of either version names feature(s) `nitro`"),
        "{unknown}"
    );
}

#[test]
fn world_map_pairs_a_renamed_world_for_the_differ_and_semver_check() {
    let dir = tempfile::tempdir().unwrap();
    let package = |version: &str, world: &str, extra: &str| {
        format!(
            "package x:y@{version};\ninterface i {{ f: func(); }}\nworld {world} {{ import i;{extra} }}\n"
        )
    };
    write_wit(dir.path(), "old", "p.wit", &package("0.1.0", "proxy", ""));
    write_wit(dir.path(), "new", "p.wit", &package("0.2.0", "service", " export g: func();"));
    let base = ["--current", "new", "--baseline", "old"];
    let unmapped = stdout(&run_in(dir.path(), &base));
    assert!(unmapped.contains("world-removed") && unmapped.contains("world-added"), "{unmapped}");
    assert!(unmapped.contains("no world exists in both versions"), "{unmapped}");

    let mapped = run_in(dir.path(), &[&base[..], &["--world-map", "proxy=service"]].concat());
    let text = stdout(&mapped);
    assert_eq!(mapped.status.code(), Some(0), "{text}");
    assert!(text.contains("[world-renamed] world `x:y/proxy` is now `x:y/service`"), "{text}");
    assert!(text.contains("[world-export-added] world `x:y/service` now exports function `g`"), "{text}");
    assert!(
        text.contains("semver_check (ground truth for linking): proxy -> service incompatible"),
        "{text}"
    );

    let wrong = run_in(dir.path(), &[&base[..], &["--world-map", "proxy=nothing"]].concat());
    assert_eq!(wrong.status.code(), Some(101));
    assert!(
        stderr(&wrong).contains(
            "--world-map proxy=nothing: the current package has no world `nothing` (its worlds: service)"
        ),
        "{}",
        stderr(&wrong)
    );
    let malformed = run_in(dir.path(), &[&base[..], &["--world-map", "proxy"]].concat());
    assert_eq!(malformed.status.code(), Some(2));
}

#[test]
fn a_world_semver_check_cannot_check_is_named_in_the_summary() {
    let case = repository().join("compat/cases/world-import-second-version-added");
    let output = run_in(&case, &["--current", "after", "--baseline", "before"]);
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(0), "{text}");
    assert!(
        text.lines()
            .next()
            .unwrap()
            .ends_with("; semver_check could not check world(s) `bridge` (see below)"),
        "{text}"
    );
    assert!(text.contains("semver_check (ground truth for linking): bridge NOT CHECKED"), "{text}");
    assert!(
        text.contains(
            "warning: world `bridge` was not checked by semver_check, so only the differ's findings decide"
        ),
        "{text}"
    );
    assert!(text.contains("uses `alga:dep` at 1.0.0 and 2.0.0"), "{text}");
    let github =
        stdout(&run_in(&case, &["--current", "after", "--baseline", "before", "--format", "github"]));
    assert!(github.contains("::warning title=semver_check could not check world bridge::"), "{github}");
}

#[test]
fn bad_input_gets_a_message_that_says_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    // An empty directory.
    std::fs::create_dir_all(dir.path().join("empty")).unwrap();
    let empty = run_in(dir.path(), &["--current", "empty", "--baseline", "empty"]);
    assert_eq!(empty.status.code(), Some(101));
    assert!(
        stderr(&empty).contains("no WIT files in empty (a WIT package is a directory"),
        "{}",
        stderr(&empty)
    );
    assert!(!stderr(&empty).contains("does not parse"), "{}", stderr(&empty));

    // The pre-1.0 name of `f32`.
    write_wit(
        dir.path(),
        "old-floats",
        "p.wit",
        "package x:y@1.0.0;\ninterface i {\n  f: func(a: float32);\n}\n",
    );
    let floats = run_in(dir.path(), &["--current", "old-floats", "--baseline", "old-floats"]);
    let message = stderr(&floats);
    assert_eq!(floats.status.code(), Some(101));
    assert!(message.contains("Rename every `float32` to `f32` and every `float64` to `f64`"), "{message}");
    assert!(message.contains("p.wit:3:14"), "the location is shown: {message}");
    assert!(!message.contains("WIT_REQUIRE_F32_F64"), "no advice that does not work: {message}");

    // A 50,000-link chain of aliases: refused with a message, no stack overflow.
    let mut chain = String::from("package x:y@1.0.0;\ninterface i {\n  type t0 = u32;\n");
    for k in 1..50_000 {
        chain += &format!("  type t{k} = t{};\n", k - 1);
    }
    chain += "  f: func(a: t49999);\n}\nworld w { import i; }\n";
    write_wit(dir.path(), "chain", "p.wit", &chain);
    let deep = run_in(dir.path(), &["--current", "chain", "--baseline", "chain"]);
    assert_eq!(deep.status.code(), Some(101), "{}", stderr(&deep));
    assert!(
        stderr(&deep).contains("type `t49999` at chain/p.wit:50002:8 nests 50000 types deep"),
        "{}",
        stderr(&deep)
    );
}

#[test]
fn the_version_violation_points_at_the_package_statement() {
    let dir = tempfile::tempdir().unwrap();
    // `a.wit` sorts first and holds a line starting with `package` (in a block comment), but
    // the package is declared in `b.wit`.
    for side in ["old", "new"] {
        write_wit(dir.path(), side, "a.wit", "/*\npackage not:this;\n*/\ninterface a { f: func(); }\n");
    }
    write_wit(dir.path(), "old", "b.wit", "/// The package.\npackage x:y@1.0.0;\n\nworld w { import a; }\n");
    write_wit(
        dir.path(),
        "new",
        "b.wit",
        "/// The package.\npackage x:y@1.0.0;\n\nworld w { import a; import b: func(); }\n",
    );
    let output = run_in(dir.path(), &["--current", "new", "--baseline", "old", "--format", "json"]);
    let report: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    let location = &report["policy"]["violations"][0]["location"];
    assert_eq!(report["policy"]["violations"][0]["rule"], "version-not-bumped");
    assert_eq!(
        (location["file"].as_str(), location["line"].as_u64()),
        (Some("new/b.wit"), Some(2)),
        "{report:#}"
    );
}

#[test]
fn a_lower_version_marks_only_the_findings_that_need_a_bump_and_generic_mode_asks_for_no_changelog() {
    let dir = tempfile::tempdir().unwrap();
    write_wit(dir.path(), "old", "p.wit", "package x:y@1.2.0;\n/// I.\ninterface i { f: func(); }\n");
    write_wit(
        dir.path(),
        "new",
        "p.wit",
        "package x:y@1.1.0;\n/// The interface.\ninterface i { f: func(); g: func(); }\n",
    );
    let output = run_in(dir.path(), &["--current", "new", "--baseline", "old", "--verbose"]);
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(100), "{text}");
    assert!(text.starts_with("FAIL: the version went down from 1.2.0 to 1.1.0"), "{text}");
    assert!(text.contains("[function-added] x:y/i.g  (NOT COVERED BY THE VERSION)"), "{text}");
    assert!(text.contains("[docs-changed] x:y/i  (ok)"), "documentation needs no bump: {text}");
    assert!(text.contains("[package-version-changed] x:y  (ok)"), "{text}");
    let last = text.lines().last().unwrap();
    assert!(last.starts_with("result: FAIL"), "{text}");
    assert!(!last.contains("CHANGELOG") && !last.contains("section"), "no changelog is checked: {last}");

    // With a changelog, the hint names it.
    std::fs::write(dir.path().join("CHANGES.md"), "# Changes\n").unwrap();
    let with =
        stdout(&run_in(dir.path(), &["--current", "new", "--baseline", "old", "--changelog", "CHANGES.md"]));
    assert!(with.lines().last().unwrap().contains("add a section `## [1.3.0]` to CHANGES.md"), "{with}");
}

#[test]
fn a_closed_standard_output_ends_the_gate_quietly() {
    use std::process::Stdio;
    let scratch = Scratch::new();
    scratch.add_region_field();
    // The reader goes away before the report is written (`| head -0`).
    let mut child = Command::new(env!("CARGO_BIN_EXE_alga-contract"))
        .args(["check", "--verbose", "--repo"])
        .arg(scratch.path(""))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(100), "the verdict's code: {}", stderr(&output));
    assert_eq!(stderr(&output), "", "no panic, no message");

    // A full disk is an error the gate reports.
    let full = Command::new(env!("CARGO_BIN_EXE_alga-contract"))
        .args(["check", "--repo"])
        .arg(scratch.path(""))
        .stdout(std::fs::File::create("/dev/full").unwrap())
        .output()
        .unwrap();
    assert_eq!(full.status.code(), Some(101));
    assert!(
        stderr(&full).starts_with("error: cannot write the report to standard output:"),
        "{}",
        stderr(&full)
    );
    assert!(!stderr(&full).contains("panicked"), "{}", stderr(&full));
}
