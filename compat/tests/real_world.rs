//! The gate on packages this project does not own: three releases of WASI's `wasi:http`
//! (`compat/real-world/`), each with its `deps/`. It proves that `--current DIR --baseline
//! DIR` works on any package, that every world is diffed (not only the one both sides
//! share), and that the gate explains what `wit_component::semver_check` cannot see: worlds
//! that exist on one side only, `@since` annotations, and dependency versions.

mod support;

use alga_extension_contract::gate::ground_truth::WorldOutcome;
use alga_extension_contract::gate::report::RenderOptions;
use alga_extension_contract::gate::{self, Bump, CheckOptions, Format, Impact, Report, Verdict};
use std::path::{Path, PathBuf};

/// `compat/real-world/wasi-http/<version>`.
fn wasi_http(version: &str) -> PathBuf {
    alga_compat::compat_dir().join("real-world/wasi-http").join(version)
}

/// The gate as `alga-contract check --current CURRENT --baseline BASELINE` runs it.
fn gate(current: &Path, baseline: &Path) -> Report {
    let options = CheckOptions {
        current: Some(current.to_path_buf()),
        baseline: Some(baseline.display().to_string()),
        ..CheckOptions::default()
    };
    gate::check(&options).unwrap_or_else(|e| panic!("the gate could not run on wasi:http: {e}"))
}

/// The findings of `rule`, by item path.
fn paths_of<'r>(report: &'r Report, rule: &str) -> Vec<&'r str> {
    report.findings.iter().filter(|f| f.rule == rule).map(|f| f.path.as_str()).collect()
}

/// The gate's verdict never contradicts a direct call of semver_check: a world semver_check
/// rejects is reached by a breaking finding, and the gate's own ground truth agrees.
fn assert_agrees_with_semver_check(report: &Report, baseline: &Path, current: &Path) {
    let verdicts = support::semver_check(baseline, current, &support::Options::default());
    for check in &report.semver_check {
        let verdict = match check.outcome {
            WorldOutcome::Compatible => Some(true),
            WorldOutcome::Incompatible => Some(false),
            WorldOutcome::Error => None,
        };
        assert_eq!(
            Some(&verdict),
            verdicts.get(&check.world),
            "world {}: the gate's semver_check differs from a direct call",
            check.world
        );
    }
    for (world, verdict) in &verdicts {
        if *verdict == Some(false) {
            assert!(
                report.findings.iter().any(|f| f.impact == Impact::Breaking && f.worlds.contains(world)),
                "semver_check rejects world {world}, but no breaking finding reaches it"
            );
        }
    }
    assert!(!report.findings.iter().any(|f| f.rule == "semver-check-rejected"));
}

/// Every finding names a file and line: the item itself, the `import` statement of a world
/// item, or the `package` statement of a package or dependency.
fn assert_every_finding_is_located(report: &Report) {
    let unlocated: Vec<String> = report
        .findings
        .iter()
        .filter(|f| f.baseline.is_none() && f.current.is_none())
        .map(|f| format!("{} [{}]", f.path, f.rule))
        .collect();
    assert!(unlocated.is_empty(), "findings without a location: {unlocated:#?}");
}

#[test]
fn wasi_http_0_2_0_to_0_2_12_is_compatible_and_needs_a_patch_bump() {
    let (baseline, current) = (wasi_http("0.2.0"), wasi_http("0.2.12"));
    let report = gate(&current, &baseline);
    assert_eq!(report.baseline.package, "wasi:http@0.2.0");
    assert_eq!(report.current.package, "wasi:http@0.2.12");

    // What 0.2.1 to 0.2.12 added, and nothing breaking.
    assert_eq!(paths_of(&report, "type-added"), ["wasi:http/types.field-name"]);
    assert_eq!(paths_of(&report, "world-added"), ["wasi:http/imports"]);
    assert!(
        !report.findings.iter().any(|f| f.impact == Impact::Breaking),
        "{:#?}",
        report.findings.iter().filter(|f| f.impact == Impact::Breaking).collect::<Vec<_>>()
    );
    // The dependencies the package's worlds reach moved along the same semver track.
    let mut moved = paths_of(&report, "dependency-version-changed");
    moved.sort();
    assert_eq!(moved, ["wasi:cli", "wasi:clocks", "wasi:io", "wasi:random"]);

    // `@since` arrived on every item in 0.2.1: findings that need no bump, each saying that
    // semver_check does not look at it.
    let since: Vec<_> = report.findings.iter().filter(|f| f.rule == "stability-changed").collect();
    assert!(since.len() > 100, "only {} stability findings", since.len());
    for finding in &since {
        assert_eq!(finding.impact, Impact::None, "{}", finding.path);
        assert!(finding.message.contains("semver_check ignores `@since`"), "{}", finding.message);
        assert!(finding.current.is_some() && finding.baseline.is_some(), "{} has no locations", finding.path);
    }

    assert_every_finding_is_located(&report);

    // semver_check can only compare `proxy`: `imports` is new.
    let worlds: Vec<_> = report.semver_check.iter().map(|c| (c.world.as_str(), c.outcome)).collect();
    assert_eq!(worlds, [("proxy", WorldOutcome::Compatible)]);
    assert_agrees_with_semver_check(&report, &baseline, &current);

    assert_eq!(report.policy.required_bump, Bump::Patch);
    assert_eq!(report.verdict, Verdict::Pass, "{:#?}", report.policy.violations);
}

#[test]
fn the_default_report_of_the_wasi_http_patch_release_fits_on_one_screen_with_the_verdict_first() {
    let report = gate(&wasi_http("0.2.12"), &wasi_http("0.2.0"));
    let text = report.render(Format::Human, &RenderOptions::default());
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines.len() <= 40, "{} lines:\n{text}", lines.len());
    assert!(lines[0].starts_with("PASS: 0.2.0 -> 0.2.12 is a patch bump"), "{text}");
    // Counts per impact and rule, the no-bump findings only as counts.
    assert!(text.contains("6 compatible, each needs a patch bump from 0.2.0"), "{text}");
    assert!(text.contains("  156  stability-changed"), "{text}");
    assert!(!text.contains("[stability-changed]"), "no-bump findings are not listed one by one:\n{text}");
    // The findings that need the bump, each with file:line.
    assert!(
        text.contains(
            "compat/real-world/wasi-http/0.2.12/http.wit:678:7: [world-added] world `wasi:http/imports` was added"
        ),
        "{text}"
    );
    // The unstable items wit-parser left out are counted.
    assert!(text.contains("skipped 9 `@unstable` item(s)"), "{text}");

    // --verbose shows every finding with its diff; the JSON carries all of them regardless.
    let verbose = report.render(Format::Human, &RenderOptions { verbose: true, ..RenderOptions::default() });
    assert!(verbose.lines().next().unwrap().starts_with("PASS:"), "the verdict comes first in --verbose too");
    assert_eq!(verbose.matches("\n  [stability-changed]").count(), 156);
    let filtered = RenderOptions { rules: vec!["type-added".into()], ..RenderOptions::default() };
    let json: serde_json::Value = serde_json::from_str(&report.render(Format::Json, &filtered)).unwrap();
    assert_eq!(json["findings"].as_array().unwrap().len(), report.findings.len());
    let text = report.render(Format::Human, &filtered);
    assert!(text.contains("1 finding(s) selected by --rule type-added:"), "{text}");
}

#[test]
fn wasi_http_with_every_unstable_feature_compares_the_gated_items_too() {
    let options = CheckOptions {
        current: Some(wasi_http("0.2.12")),
        baseline: Some(wasi_http("0.2.12").display().to_string()),
        features: gate::Features { names: Vec::new(), all: true },
        ..CheckOptions::default()
    };
    let report = gate::check(&options).unwrap();
    assert!(report.findings.is_empty(), "{:#?}", report.findings);
    assert_eq!(report.unstable.skipped(), 0);
    let default = gate(&wasi_http("0.2.12"), &wasi_http("0.2.12"));
    assert_eq!(
        default.unstable.skipped_features(),
        [
            ("clocks-timezone".to_string(), 5),
            ("informational-outbound-responses".to_string(), 1),
            ("network-error-code".to_string(), 3)
        ]
    );
}

#[test]
fn wasi_http_0_2_12_to_0_3_0_is_breaking_and_the_minor_bump_covers_it() {
    let (baseline, current) = (wasi_http("0.2.12"), wasi_http("0.3.0"));
    let report = gate(&current, &baseline);

    // Both of 0.2's worlds are gone and 0.3 has two new ones: there is no world for
    // semver_check to compare, so the differ's findings are all there is.
    let mut removed = paths_of(&report, "world-removed");
    removed.sort();
    assert_eq!(removed, ["wasi:http/imports", "wasi:http/proxy"]);
    let mut added = paths_of(&report, "world-added");
    added.sort();
    assert_eq!(added, ["wasi:http/middleware", "wasi:http/service"]);
    assert!(report.semver_check.is_empty(), "{:?}", report.semver_check);

    // Preview 3 dropped `wasi:io` and the 0.2 handlers.
    let removed_interfaces = paths_of(&report, "interface-removed");
    for interface in ["wasi:http/incoming-handler", "wasi:http/outgoing-handler"] {
        assert!(removed_interfaces.contains(&interface), "{removed_interfaces:?}");
    }
    assert!(
        report.findings.iter().any(|f| f.rule == "dependency-track-changed" && f.impact == Impact::Breaking),
        "0.2 to 0.3 of a dependency is another semver track"
    );
    assert_every_finding_is_located(&report);
    assert_agrees_with_semver_check(&report, &baseline, &current);

    // The summary lists the first deciding findings and says how to see the rest.
    let text = report.render(Format::Human, &RenderOptions::default());
    assert!(text.starts_with("PASS: 0.2.12 -> 0.3.0 is a minor bump"), "{text}");
    assert!(text.contains("  80 breaking, each needs a minor bump from 0.2.12"), "{text}");
    assert!(text.contains("... and 65 more: --min-impact breaking lists them all"), "{text}");

    // 0.x: a breaking change needs a minor bump, and 0.2.12 to 0.3.0 is one.
    assert_eq!(report.policy.required_bump, Bump::Minor);
    assert_eq!(report.verdict, Verdict::Pass, "{:#?}", report.policy.violations);
}

#[test]
fn wasi_http_0_3_0_released_as_a_patch_fails_the_gate() {
    let scratch = tempfile::tempdir().unwrap();
    copy_dir(&wasi_http("0.3.0"), scratch.path());
    let http = scratch.path().join("http.wit");
    let text = std::fs::read_to_string(&http).unwrap();
    // wit-parser refuses `@since` of a version later than the package's own.
    let relabelled = text
        .replacen("package wasi:http@0.3.0;", "package wasi:http@0.2.13;", 1)
        .replace("@since(version = 0.3.0)", "@since(version = 0.2.13)");
    std::fs::write(&http, relabelled).unwrap();

    let report = gate(scratch.path(), &wasi_http("0.2.12"));
    assert_eq!(report.policy.required_bump, Bump::Minor);
    assert_eq!(report.verdict, Verdict::Fail);
    let violations: Vec<_> = report.policy.violations.iter().map(|v| v.rule).collect();
    assert_eq!(violations, ["version-bump-too-small"], "{:#?}", report.policy.violations);
    assert_eq!(report.policy.suggested_version.as_deref(), Some("0.3.0"));
    assert_eq!(report.exit_code(), gate::report::EXIT_VIOLATIONS);
}

fn copy_dir(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}
