//! The sample TypeScript extension (`examples/clients-report`), built for real with npm and
//! componentize-js: `npm ci` when `node_modules` is missing, then `npm run build`.
//!
//! Three builds:
//! - [`sample_extension`]: the sample as it is, against the host's world (contract 0.2);
//! - [`deployed_sample_0_1_0`]: the sample as it was deployed at contract 0.1.0 (its frozen
//!   sources in `support/deployed/clients-report-0.1.0/`, built against the frozen WIT of
//!   0.1.0 and the host's world of that time), with the sample's toolchain (its
//!   `node_modules` and `build.mjs`). It stands for an extension built once and never
//!   rebuilt: the tests check that it keeps answering exactly as it did on a 0.1.0 host;
//! - [`console_extension`]: a small extension that writes to its console, built with the
//!   console enabled (`build.mjs --console`).
//!
//! A build takes a minute on a busy 2-core machine, so each result is kept under cargo's
//! `CARGO_TARGET_TMPDIR`, keyed by a digest of every input (the sources, the lock file, the
//! build script and the WIT); the test binaries of one `cargo test` share it, and any
//! change to an input builds again.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// The sample's directory.
pub fn sample_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/clients-report")
}

/// The frozen sources of the sample as deployed at contract 0.1.0.
pub fn deployed_0_1_0_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/deployed/clients-report-0.1.0")
}

/// The built component's bytes (built on first use; a failed build fails the test with
/// npm's output).
pub fn sample_extension() -> &'static [u8] {
    static BYTES: OnceLock<Vec<u8>> = OnceLock::new();
    BYTES.get_or_init(|| {
        let sample = sample_dir();
        let inputs = inputs(
            &["package.json", "package-lock.json", "build.mjs", "tsconfig.json"]
                .map(|name| sample.join(name)),
            &[
                sample.join("src"),
                sample.join("types"),
                sample.join("wit"),
                sample.join("wit/deps/alga-extension"),
                // The typed package the sample depends on.
                sample.join("../../packages/extension-types/0.2.0"),
            ],
        );
        cached("clients-report", &inputs, build_current)
    })
}

/// The sample as deployed at contract 0.1.0 (see the module documentation).
pub fn deployed_sample_0_1_0() -> &'static [u8] {
    static BYTES: OnceLock<Vec<u8>> = OnceLock::new();
    BYTES.get_or_init(|| {
        let sample = sample_dir();
        let deployed = deployed_0_1_0_dir();
        let inputs = inputs(
            &[
                sample.join("package.json"),
                sample.join("package-lock.json"),
                sample.join("build.mjs"),
                deployed.join("tsconfig.json"),
            ],
            &[
                deployed.join("src"),
                deployed.join("types"),
                deployed.join("wit"),
                deployed.join("wit/deps/alga-extension"),
            ],
        );
        cached("clients-report-0.1.0", &inputs, build_deployed_0_1_0)
    })
}

/// An extension that writes to its console (`support/console/extension.js`), built with
/// the sample's toolchain and `build.mjs --console`, against the sample's WIT.
pub fn console_extension() -> &'static [u8] {
    static BYTES: OnceLock<Vec<u8>> = OnceLock::new();
    BYTES.get_or_init(|| {
        let sample = sample_dir();
        let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/console/extension.js");
        let inputs = inputs(
            &[sample.join("package-lock.json"), sample.join("build.mjs"), source],
            &[sample.join("wit"), sample.join("wit/deps/alga-extension")],
        );
        cached("console-extension", &inputs, build_console)
    })
}

/// A path holding the console extension (for CLI tests).
pub fn console_extension_file() -> &'static Path {
    static FILE: OnceLock<PathBuf> = OnceLock::new();
    FILE.get_or_init(|| write_temp("alga-console-extension", console_extension()))
}

/// A path holding the built component (for CLI tests).
pub fn sample_extension_file() -> &'static Path {
    static FILE: OnceLock<PathBuf> = OnceLock::new();
    FILE.get_or_init(|| write_temp("alga-clients-report", sample_extension()))
}

/// A path holding the 0.1.0 build (for CLI tests).
pub fn deployed_sample_0_1_0_file() -> &'static Path {
    static FILE: OnceLock<PathBuf> = OnceLock::new();
    FILE.get_or_init(|| write_temp("alga-clients-report-0.1.0", deployed_sample_0_1_0()))
}

fn write_temp(stem: &str, bytes: &[u8]) -> PathBuf {
    let path = std::env::temp_dir().join(format!("{stem}-{}.wasm", std::process::id()));
    std::fs::write(&path, bytes).expect("writing the sample component");
    path
}

/// The build named `name` of `inputs` from the cache, or built now by `build` and kept.
fn cached(name: &str, inputs: &[PathBuf], build: fn() -> Vec<u8>) -> Vec<u8> {
    let cached = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("{name}-{}.wasm", digest(inputs)));
    if let Ok(bytes) = std::fs::read(&cached) {
        return bytes;
    }
    let bytes = build();
    let partial = cached.with_extension(format!("{}.partial", std::process::id()));
    std::fs::write(&partial, &bytes).expect("writing the built sample");
    std::fs::rename(&partial, &cached).expect("keeping the built sample");
    bytes
}

/// `files` and every file directly in each of `dirs`, sorted per directory.
fn inputs(files: &[PathBuf], dirs: &[PathBuf]) -> Vec<PathBuf> {
    let mut all = files.to_vec();
    for dir in dirs {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
            .unwrap_or_else(|err| panic!("reading {}: {err}", dir.display()))
            .map(|entry| entry.expect("a directory entry").path())
            .filter(|path| path.is_file())
            .collect();
        entries.sort();
        all.extend(entries);
    }
    all
}

/// SHA-256 (hex) over the paths and contents of `files`.
fn digest(files: &[PathBuf]) -> String {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    for file in files {
        hasher.update(file.to_string_lossy().as_bytes());
        hasher.update(std::fs::read(file).unwrap_or_else(|err| panic!("reading {}: {err}", file.display())));
    }
    alga_reference_host::cache::hex(&hasher.finalize())
}

/// `npm ci` in the sample when its `node_modules` is missing.
/// The sample with its `node_modules`: `npm ci` when one of its dependencies is missing
/// (a fresh clone, or a dependency added since the last install).
fn toolchain() -> PathBuf {
    let dir = sample_dir();
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("package.json")).expect("package.json"))
            .expect("package.json is JSON");
    let missing = ["dependencies", "devDependencies"]
        .iter()
        .filter_map(|kind| manifest[kind].as_object())
        .flat_map(|deps| deps.keys())
        .any(|name| !dir.join("node_modules").join(name).join("package.json").is_file());
    if missing {
        run(&dir, "npm", &["ci", "--no-audit", "--no-fund"]);
    }
    dir
}

fn build_current() -> Vec<u8> {
    let dir = toolchain();
    let output = std::env::temp_dir().join(format!("alga-clients-report-build-{}.wasm", std::process::id()));
    run(&dir, "npm", &["run", "build", "--", path_str(&output)]);
    let bytes = std::fs::read(&output).expect("the build wrote the component");
    let _ = std::fs::remove_file(&output);
    bytes
}

fn build_deployed_0_1_0() -> Vec<u8> {
    let sample = toolchain();
    let deployed = deployed_0_1_0_dir();
    let work = tempfile::tempdir().expect("a temporary build directory");
    let js = work.path().join("js");
    let tsc = sample.join("node_modules/typescript/bin/tsc");
    let tsconfig = deployed.join("tsconfig.json");
    run(&deployed, "node", &[path_str(&tsc), "-p", path_str(&tsconfig), "--outDir", path_str(&js)]);
    let output = work.path().join("clients-report-0.1.0.wasm");
    let source = js.join("extension.js");
    let wit = deployed.join("wit");
    run(
        &sample,
        "node",
        &["build.mjs", path_str(&output), "--source", path_str(&source), "--wit", path_str(&wit)],
    );
    std::fs::read(&output).expect("the build wrote the component")
}

fn build_console() -> Vec<u8> {
    let sample = toolchain();
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/console/extension.js");
    let work = tempfile::tempdir().expect("a temporary directory");
    let output = work.path().join("console-extension.wasm");
    run(&sample, "node", &["build.mjs", path_str(&output), "--source", path_str(&source), "--console"]);
    std::fs::read(&output).expect("the build wrote the component")
}

fn path_str(path: &Path) -> &str {
    path.to_str().expect("a UTF-8 path")
}

fn run(dir: &Path, program: &str, args: &[&str]) {
    let output = Command::new(program).args(args).current_dir(dir).output().unwrap_or_else(|err| {
        panic!("cannot run {program} (Node 20 and npm are needed to build the sample): {err}")
    });
    assert!(
        output.status.success(),
        "`{program} {}` failed in {}:\n{}\n{}",
        args.join(" "),
        dir.display(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}
