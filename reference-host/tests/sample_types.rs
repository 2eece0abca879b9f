//! The sample extension's TypeScript declarations (`examples/clients-report/types/wit.d.ts`)
//! are generated from the WIT of the host's world (which includes the contract). This test
//! regenerates them and fails when the committed file differs, so the declarations can
//! never drift from the WIT. To update the file after a WIT change:
//!
//! ```sh
//! ALGA_UPDATE_TYPES=1 cargo test -p alga-reference-host --test sample_types
//! ```

mod support;

use std::path::Path;

const HEADER: &str = "TypeScript declarations for the WIT of world `alga:reference-host/extension`
(the contract `alga:extension` and the reference host's handler), in the shapes of the
componentize-js bindings. Generated from the WIT by reference-host/tests/support/dts.rs:
do not edit. Regenerate with
  ALGA_UPDATE_TYPES=1 cargo test -p alga-reference-host --test sample_types";

#[test]
fn the_committed_declarations_match_the_wit() {
    let (resolve, world) = support::guests::host_world();
    let generated = support::dts::world_declarations(&resolve, world, HEADER);
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/clients-report/types/wit.d.ts");
    if std::env::var_os("ALGA_UPDATE_TYPES").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &generated).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    if committed != generated {
        let diff = similar::TextDiff::from_lines(&committed, &generated)
            .unified_diff()
            .header("committed", "generated from the WIT")
            .to_string();
        panic!(
            "{} is out of date with the WIT; regenerate it with\n  ALGA_UPDATE_TYPES=1 cargo test -p \
             alga-reference-host --test sample_types\n\n{diff}",
            path.display()
        );
    }
}

#[test]
fn the_declarations_cover_every_contract_function() {
    let (resolve, world) = support::guests::host_world();
    let generated = support::dts::world_declarations(&resolve, world, HEADER);
    for function in alga_extension_contract::FUNCTIONS {
        let ts_name = alga_extension_contract::host::dynamic::lower_camel(function.name);
        assert!(generated.contains(&format!("export function {ts_name}(")), "{ts_name} is not declared");
    }
    assert!(generated.contains("handle(request: Request): Response;"));
}
