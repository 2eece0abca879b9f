//! The sample TypeScript extension (`examples/clients-report`), built for real with npm and
//! componentize-js: `npm ci` when `node_modules` is missing, then `npm run build`.
//!
//! A build takes a minute on a busy 2-core machine, so the result is kept under cargo's
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

/// The built component's bytes (built on first use; a failed build fails the test with
/// npm's output).
pub fn sample_extension() -> &'static [u8] {
    static BYTES: OnceLock<Vec<u8>> = OnceLock::new();
    BYTES.get_or_init(build)
}

/// A path holding the built component (for CLI tests).
pub fn sample_extension_file() -> &'static Path {
    static FILE: OnceLock<PathBuf> = OnceLock::new();
    FILE.get_or_init(|| {
        let path = std::env::temp_dir().join(format!("alga-clients-report-{}.wasm", std::process::id()));
        std::fs::write(&path, sample_extension()).expect("writing the sample component");
        path
    })
}

fn build() -> Vec<u8> {
    let cached =
        Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("clients-report-{}.wasm", inputs_digest()));
    if let Ok(bytes) = std::fs::read(&cached) {
        return bytes;
    }
    let bytes = build_now();
    let partial = cached.with_extension(format!("{}.partial", std::process::id()));
    std::fs::write(&partial, &bytes).expect("writing the built sample");
    std::fs::rename(&partial, &cached).expect("keeping the built sample");
    bytes
}

/// SHA-256 (hex) over the paths and contents of every input of the build.
fn inputs_digest() -> String {
    use sha2::{Digest, Sha256};
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let sample = sample_dir();
    let mut files: Vec<PathBuf> = ["package.json", "package-lock.json", "build.mjs", "tsconfig.json"]
        .iter()
        .map(|name| sample.join(name))
        .collect();
    for dir in
        [sample.join("src"), sample.join("types"), root.join("wit"), root.join("wit/deps/alga-extension")]
    {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap_or_else(|err| panic!("reading {}: {err}", dir.display()))
            .map(|entry| entry.expect("a directory entry").path())
            .filter(|path| path.is_file())
            .collect();
        entries.sort();
        files.extend(entries);
    }
    let mut hasher = Sha256::new();
    for file in files {
        hasher.update(file.to_string_lossy().as_bytes());
        hasher.update(std::fs::read(&file).unwrap_or_else(|err| panic!("reading {}: {err}", file.display())));
    }
    alga_reference_host::cache::hex(&hasher.finalize())
}

fn build_now() -> Vec<u8> {
    let dir = sample_dir();
    if !dir.join("node_modules").is_dir() {
        npm(&dir, &["ci", "--no-audit", "--no-fund"]);
    }
    let output = std::env::temp_dir().join(format!("alga-clients-report-build-{}.wasm", std::process::id()));
    npm(&dir, &["run", "build", "--", output.to_str().expect("a UTF-8 temporary path")]);
    let bytes = std::fs::read(&output).expect("the build wrote the component");
    let _ = std::fs::remove_file(&output);
    bytes
}

fn npm(dir: &Path, args: &[&str]) {
    let output = Command::new("npm").args(args).current_dir(dir).output().unwrap_or_else(|err| {
        panic!("cannot run npm (Node 20 and npm are needed to build the sample): {err}")
    });
    assert!(
        output.status.success(),
        "`npm {}` failed in {}:\n{}\n{}",
        args.join(" "),
        dir.display(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}
