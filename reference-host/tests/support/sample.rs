//! The sample TypeScript extension (`examples/clients-report`), built for real with npm and
//! componentize-js once per test binary: `npm ci` when `node_modules` is missing, then
//! `npm run build` into a file of this process's own.

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
