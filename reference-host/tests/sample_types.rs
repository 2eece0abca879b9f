//! The sample extension gets everything it is built from out of the tools an author outside
//! this repository has, and this test proves the committed copies are what those tools write:
//!
//! - `examples/clients-report/wit/`: exactly what `alga-reference-host wit -o wit` writes
//!   (the host's world and the contract in `deps/alga-extension/`), so that the sample copied
//!   out of the repository builds;
//! - `examples/clients-report/types/handler.d.ts`: `alga-contract types --wit wit --world
//!   extension` (the handler only; the contract's declarations come from the package
//!   `@alga-psa/extension-types`, checked by the contract crate's `authoring` test);
//! - `tests/support/deployed/clients-report-0.1.0/types/wit.d.ts`: the whole world as it was
//!   at contract 0.1.0 (`--with-deps` over its frozen WIT), what the deployed 0.1.0 build
//!   compiles against.
//!
//! To update the files after a WIT change:
//!
//! ```sh
//! ALGA_UPDATE_TYPES=1 cargo test -p alga-reference-host --test sample_types
//! ```

mod support;

use alga_extension_contract::dts::{self, Scope};
use std::path::{Path, PathBuf};

/// One declarations file: the WIT directory holding world `extension`, how it is named in
/// the header, which interfaces it declares, and the file.
struct Declarations {
    wit: PathBuf,
    source: &'static str,
    scope: Scope,
    file: PathBuf,
}

fn every_file() -> Vec<Declarations> {
    let sample = support::sample::sample_dir();
    let deployed = support::sample::deployed_0_1_0_dir();
    vec![
        Declarations {
            wit: sample.join("wit"),
            source: "wit",
            scope: Scope::OwnPackage,
            file: sample.join("types/handler.d.ts"),
        },
        Declarations {
            wit: deployed.join("wit"),
            source: "wit (the host's world at contract 0.1.0)",
            scope: Scope::Everything,
            file: deployed.join("types/wit.d.ts"),
        },
    ]
}

fn generate(declarations: &Declarations) -> String {
    let loaded = dts::load(&declarations.wit, Some("extension")).unwrap();
    dts::declarations(&loaded, &dts::header(&loaded, declarations.source), declarations.scope).unwrap()
}

fn update() -> bool {
    std::env::var_os("ALGA_UPDATE_TYPES").is_some()
}

fn diff(path: &Path, committed: &str, generated: &str) -> String {
    let diff = similar::TextDiff::from_lines(committed, generated)
        .unified_diff()
        .header("committed", "generated")
        .to_string();
    format!("{}:\n{diff}", path.display())
}

#[test]
fn the_committed_declarations_match_the_wit() {
    let mut stale = Vec::new();
    for declarations in every_file() {
        let generated = generate(&declarations);
        let path = &declarations.file;
        if update() {
            std::fs::write(path, &generated).unwrap();
            continue;
        }
        let committed = std::fs::read_to_string(path).unwrap_or_default();
        if committed != generated {
            stale.push(diff(path, &committed, &generated));
        }
    }
    assert!(
        stale.is_empty(),
        "declarations out of date with the WIT; regenerate them with\n  ALGA_UPDATE_TYPES=1 cargo test -p \
         alga-reference-host --test sample_types\n\n{}",
        stale.join("\n")
    );
}

#[test]
fn the_declarations_cover_the_handler_and_the_old_contract() {
    let generated: Vec<String> = every_file().iter().map(generate).collect();
    let [handler, deployed] = &generated[..] else { panic!("two files") };
    assert!(handler.contains("declare module 'alga:reference-host/handler@0.1.0'"));
    assert!(handler.contains("handle(request: Request): Response;"));
    assert!(!handler.contains("alga:extension/"), "the contract comes from its own package:\n{handler}");
    for function in alga_extension_contract::FUNCTIONS {
        let ts_name = dts::lower_camel(function.name);
        assert!(deployed.contains(&format!("export function {ts_name}(")), "{ts_name}");
    }
    assert!(deployed.contains("declare module 'alga:extension/services@0.1.0'"));
    assert!(!deployed.contains("prices: Array<ServicePrice>;"), "no prices at 0.1.0");
}

#[test]
fn the_samples_wit_is_what_alga_reference_host_wit_writes() {
    let written = tempfile::tempdir().unwrap();
    alga_reference_host::cli::wit::write_dir(written.path()).unwrap();
    let committed = support::sample::sample_dir().join("wit");
    let mut names = Vec::new();
    let mut stale = Vec::new();
    for sub in ["", alga_reference_host::cli::wit::CONTRACT_DEPS_DIR] {
        for entry in std::fs::read_dir(written.path().join(sub)).unwrap() {
            let path = entry.unwrap().path();
            if !path.is_file() {
                continue;
            }
            let name = Path::new(sub).join(path.file_name().unwrap());
            let generated = std::fs::read_to_string(&path).unwrap();
            let target = committed.join(&name);
            if update() {
                std::fs::write(&target, &generated).unwrap();
            } else {
                let old = std::fs::read_to_string(&target).unwrap_or_default();
                if old != generated {
                    stale.push(diff(&target, &old, &generated));
                }
            }
            names.push(name);
        }
        // Nothing else in the sample's WIT: a stale file would be read by the build.
        for entry in std::fs::read_dir(committed.join(sub)).unwrap() {
            let path = entry.unwrap().path();
            if path.is_file() {
                let name = Path::new(sub).join(path.file_name().unwrap());
                assert!(
                    names.contains(&name),
                    "{} is not written by `alga-reference-host wit`",
                    name.display()
                );
            }
        }
    }
    assert_eq!(names.len(), 1 + alga_extension_contract::wit::WIT_FILES.len());
    assert!(
        stale.is_empty(),
        "the sample's wit/ is stale; ALGA_UPDATE_TYPES=1 rewrites it\n{}",
        stale.join("\n")
    );
}
