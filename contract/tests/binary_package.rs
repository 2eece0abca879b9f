//! The contract encodes to a binary WIT package and decodes back unchanged.

use alga_extension_contract::{WIT_PACKAGE, package, wit};

#[test]
fn binary_wit_package_round_trips_unchanged() {
    let contract = wit::contract().unwrap();
    let bytes = package::encode(&contract.resolve, contract.package).unwrap();
    assert_eq!(&bytes[..4], b"\0asm", "a WebAssembly binary");
    wasmparser::Validator::new_with_features(wasmparser::WasmFeatures::all())
        .validate_all(&bytes)
        .expect("the binary package validates as a component");

    let (decoded, pkg) = package::decode(&bytes).unwrap();
    assert_eq!(decoded.packages[pkg].name.to_string(), WIT_PACKAGE);
    let before = package::print(&contract.resolve, contract.package).unwrap();
    let after = package::print(&decoded, pkg).unwrap();
    assert_eq!(before, after, "decoding the binary package changed the WIT");
    assert!(after.contains("/// One client of the tenant"), "documentation survives the round trip");
    assert!(after.contains("world reader"));
}

#[test]
fn the_cli_writes_a_decodable_package() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("alga-extension.wasm");
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_alga-contract"))
        .args(["wit", "--output"])
        .arg(&out)
        .status()
        .unwrap();
    assert!(status.success());
    let (decoded, pkg) = package::decode(&std::fs::read(&out).unwrap()).unwrap();
    assert_eq!(decoded.packages[pkg].name.to_string(), WIT_PACKAGE);

    let wit_dir = dir.path().join("deps/alga-extension");
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_alga-contract"))
        .args(["wit", "--format", "dir", "--output"])
        .arg(&wit_dir)
        .status()
        .unwrap();
    assert!(status.success());
    for file in wit::WIT_FILES {
        assert_eq!(std::fs::read_to_string(wit_dir.join(file.name)).unwrap(), file.source);
    }
}

#[test]
fn cli_exit_codes() {
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_alga-contract")).args(args).output().unwrap()
    };
    assert_eq!(run(&["no-such-command"]).status.code(), Some(2));
    let unwritable = run(&["wit", "--output", "/nonexistent-dir/x.wasm"]);
    assert_eq!(unwritable.status.code(), Some(101));
    assert!(String::from_utf8_lossy(&unwritable.stderr).contains("/nonexistent-dir/x.wasm"));
    let info = run(&["info", "--format", "json"]);
    assert!(info.status.success());
    let doc: serde_json::Value = serde_json::from_slice(&info.stdout).unwrap();
    assert_eq!(doc["package"], WIT_PACKAGE);
    assert_eq!(doc["functions"].as_array().unwrap().len(), 4);
}
