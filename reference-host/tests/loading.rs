//! Loading components: every way a file can fail to be an extension of this host is named
//! (missing file, not wasm, a core module, precompiled code, an invalid component, a missing
//! export, an import the host does not provide, an import of the wrong type), and a good
//! component is compiled once and reused.

mod support;

use alga_reference_host::LoadError;
use alga_reference_host::cache::CacheSource;
use alga_reference_host::limits::Limits;
use support::guests;

fn runtime() -> alga_reference_host::Runtime {
    support::runtime_with(support::sqlite_services(), Limits::default())
}

fn load_error(bytes: &[u8]) -> String {
    match runtime().load_extension(bytes) {
        Ok(_) => panic!("the component loaded"),
        Err(err) => err.to_string(),
    }
}

#[test]
fn a_missing_file_is_named() {
    let err = runtime().load_extension_file(std::path::Path::new("/no/such/extension.wasm")).err().unwrap();
    assert_eq!(err.to_string(), "no such file: /no/such/extension.wasm");
}

#[test]
fn bytes_that_are_not_wasm_are_refused() {
    assert_eq!(
        load_error(b"#!/bin/sh\necho hello\n"),
        "the file is not a WebAssembly component: it does not start with the `\\0asm` magic bytes \
         (pass the `.wasm` file the build produced)"
    );
}

#[test]
fn a_core_module_is_told_apart_from_a_component() {
    let module = wat::parse_str("(module (func (export \"run\")))").unwrap();
    assert!(load_error(&module).starts_with("the file is a core WebAssembly module, not a component"));
}

#[test]
fn precompiled_code_is_never_accepted_from_outside() {
    let runtime = runtime();
    let precompiled = runtime.engine().engine().precompile_component(&guests::well_behaved()).unwrap();
    let err = runtime.load_extension(&precompiled).err().unwrap();
    assert!(matches!(err, LoadError::Precompiled), "{err}");
}

#[test]
fn an_invalid_component_gets_the_validators_reason() {
    let mut bytes = guests::well_behaved();
    bytes.truncate(bytes.len() / 2);
    let err = load_error(&bytes);
    assert!(err.starts_with("the file is not a valid WebAssembly component: "), "{err}");
}

#[test]
fn a_component_without_the_handler_names_the_missing_export() {
    let probe = alga_extension_contract::probe::generate_for_contract().unwrap();
    let version = alga_extension_contract::CONTRACT_VERSION;
    assert_eq!(
        load_error(&probe.component),
        format!(
            "the component does not export `alga:reference-host/handler@0.1.0`, so this host cannot run \
             it (it exports: `alga:extension/probe-clients@{version}`, `alga:extension/probe-services@{version}`)"
        )
    );
}

#[test]
fn an_import_the_host_lacks_is_named() {
    let err = load_error(&guests::wasi_importer());
    let version = alga_extension_contract::CONTRACT_VERSION;
    assert_eq!(
        err,
        format!(
            "the component imports `wasi:cli/environment@0.2.3`, which this host does not provide (it \
             provides: alga:extension/types@{version}, alga:extension/clients@{version}, \
             alga:extension/services@{version}, alga:extension/types@0.1.0, \
             alga:extension/clients@0.1.0, alga:extension/services@0.1.0, {})",
            alga_reference_host::console::CONSOLE_INTERFACES.join(", ")
        )
    );
}

#[test]
fn an_import_of_the_wrong_type_is_a_link_error() {
    let component = guests::component_of(
        r#"package alga:extension@0.1.0;
interface clients {
  get-client: func(client-id: u32) -> u32;
}
world guest {
  import clients;
}
"#,
        "guest",
        r#"(module
  (import "alga:extension/clients@0.1.0" "get-client" (func (param i32) (result i32)))
  (memory (export "memory") 1))"#,
    );
    let err = runtime().load_probe(&component).err().unwrap();
    assert!(matches!(err, LoadError::Link { .. }), "{err}");
    let message = err.to_string();
    assert!(
        message.starts_with("the component's imports do not match what this host provides: "),
        "{message}"
    );
    assert!(message.contains("get-client"), "the message names the function: {message}");
}

#[test]
fn a_component_is_compiled_and_linked_once() {
    let runtime = runtime();
    let bytes = guests::well_behaved();
    let first = runtime.load_extension(&bytes).unwrap();
    assert_eq!(first.source(), CacheSource::Compiled);
    let again = runtime.load_extension(&bytes).unwrap();
    assert_eq!(again.digest(), first.digest());
    assert_eq!(again.source(), CacheSource::Compiled, "the prepared extension itself is reused");
}

#[test]
fn a_second_process_deserializes_from_the_disk_cache() {
    let dir = tempfile::tempdir().unwrap();
    let config = alga_reference_host::RuntimeConfig {
        engine: alga_reference_host::engine::EngineConfig {
            max_concurrent_executions: 4,
            ..Default::default()
        },
        disk_cache: Some(dir.path().join("components")),
    };
    let bytes = guests::well_behaved();
    let first = alga_reference_host::Runtime::new(support::sqlite_services(), &config).unwrap();
    assert_eq!(first.load_extension(&bytes).unwrap().source(), CacheSource::Compiled);
    let second = alga_reference_host::Runtime::new(support::sqlite_services(), &config).unwrap();
    let extension = second.load_extension(&bytes).unwrap();
    assert_eq!(extension.source(), CacheSource::Disk);
    let request = alga_reference_host::HttpRequest::new("GET", "/").unwrap();
    let context =
        support::context("00000000-0000-4000-8000-000000000001", "00000000-0000-4000-8000-000000000002");
    assert_eq!(second.execute(&extension, &context, &request).unwrap().status, 200);
}
