//! The TypeScript declarations of the sample extension are generated from the WIT of the
//! host's world (which includes the contract), one file per contract version an extension is
//! built against:
//!
//! - `examples/clients-report/types/wit.d.ts`: the host's world of today (`wit/`, contract
//!   0.2.0), what the sample compiles against;
//! - `tests/support/deployed/clients-report-0.1.0/types/wit.d.ts`: the host's world as it was
//!   at contract 0.1.0 (the frozen 0.1.0 WIT), what the deployed 0.1.0 build compiles against.
//!
//! This test regenerates each and fails when a committed file differs, so no declaration can
//! drift from its WIT. To update the files after a WIT change:
//!
//! ```sh
//! ALGA_UPDATE_TYPES=1 cargo test -p alga-reference-host --test sample_types
//! ```

mod support;

use std::path::{Path, PathBuf};

/// One declarations file: the WIT directory holding world `extension`, and the file.
struct Declarations {
    wit: PathBuf,
    file: PathBuf,
}

fn every_version() -> Vec<Declarations> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let deployed = support::sample::deployed_0_1_0_dir();
    vec![
        Declarations { wit: root.join("wit"), file: root.join("../examples/clients-report/types/wit.d.ts") },
        Declarations { wit: deployed.join("wit"), file: deployed.join("types/wit.d.ts") },
    ]
}

/// The generated declarations of `declarations.wit`, with a header naming the contract.
fn generate(declarations: &Declarations) -> (String, String) {
    let (resolve, world) = support::guests::world_extension_in(&declarations.wit);
    let contract = resolve
        .packages
        .iter()
        .map(|(_, package)| package.name.to_string())
        .find(|name| name.starts_with("alga:extension@"))
        .expect("world `extension` includes the contract");
    let header = format!(
        "TypeScript declarations for the WIT of world `alga:reference-host/extension`
(the contract `{contract}` and the reference host's handler), in the shapes of the
componentize-js bindings. Generated from the WIT by reference-host/tests/support/dts.rs:
do not edit. Regenerate with
  ALGA_UPDATE_TYPES=1 cargo test -p alga-reference-host --test sample_types"
    );
    (contract, support::dts::world_declarations(&resolve, world, &header))
}

#[test]
fn the_committed_declarations_match_the_wit_of_every_version() {
    let update = std::env::var_os("ALGA_UPDATE_TYPES").is_some();
    let mut stale = Vec::new();
    for declarations in every_version() {
        let (contract, generated) = generate(&declarations);
        let path = &declarations.file;
        if update {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, &generated).unwrap();
            continue;
        }
        let committed = std::fs::read_to_string(path).unwrap_or_default();
        if committed != generated {
            let diff = similar::TextDiff::from_lines(&committed, &generated)
                .unified_diff()
                .header("committed", "generated from the WIT")
                .to_string();
            stale.push(format!("{} ({contract}):\n{diff}", path.display()));
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
fn the_declarations_cover_every_contract_function_in_each_version() {
    let versions: Vec<String> = every_version()
        .iter()
        .map(|declarations| {
            let (contract, generated) = generate(declarations);
            let version = contract.split_once('@').unwrap().1.to_string();
            for function in alga_extension_contract::FUNCTIONS {
                let ts_name = alga_extension_contract::host::dynamic::lower_camel(function.name);
                assert!(
                    generated.contains(&format!("export function {ts_name}(")),
                    "{ts_name} in {contract}"
                );
            }
            assert!(generated.contains("handle(request: Request): Response;"));
            assert!(generated.contains(&format!("declare module 'alga:extension/services@{version}'")));
            // Prices exist from 0.2.0 on, and only there.
            assert_eq!(generated.contains("prices: Array<ServicePrice>;"), version != "0.1.0", "{contract}");
            version
        })
        .collect();
    assert_eq!(versions, [alga_extension_contract::CONTRACT_VERSION, "0.1.0"]);
}
