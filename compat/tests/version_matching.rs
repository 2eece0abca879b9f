//! wasmtime's linker matches versioned import names the way SPEC.md section 10 relies on,
//! checked with real components (probe guests generated from the frozen WIT with its
//! version changed) and a real `wasmtime::component::Linker` whose instances are named
//! like a host's (`alga:extension/clients@0.1.1`):
//!
//! - an import of `@0.1.0` links to a host serving `@0.1.1` (same track `0.1`), and the
//!   other way round; with several versions on the track the highest serves;
//! - `@0.2.0` and `@0.1.x` are different tracks, in both directions; from 1.0 on the track
//!   is the major version;
//! - `@0.0.x` and pre-releases match only exactly;
//! - a matched function must still have exactly the imported type.

use alga_extension_contract::host::dynamic::call_json;
use alga_extension_contract::probe;
use serde_json::json;
use std::sync::{Arc, Mutex};
use wasmtime::component::{Component, Linker, Val};
use wasmtime::{Config, Engine, Store};
use wit_parser::{Resolve, SourceMap};

/// Which host version served each call.
type CallLog = Arc<Mutex<Vec<String>>>;

fn engine() -> Engine {
    let mut config = Config::new();
    config.wasm_component_model(true);
    Engine::new(&config).expect("an engine")
}

/// The newest release's WIT with its package version replaced by `version`.
fn wit_at(version: &str) -> (Resolve, wit_parser::WorldId) {
    let release = alga_compat::releases().pop().expect("at least one release");
    let declared = format!("package alga:extension@{};", release.version);
    let mut sources = SourceMap::new();
    let mut replaced = false;
    for (name, bytes) in alga_compat::wit_files(&release.wit_dir).expect("the frozen WIT is readable") {
        let text = String::from_utf8(bytes).expect("WIT is UTF-8");
        replaced |= text.contains(&declared);
        sources.push_str(&name, text.replace(&declared, &format!("package alga:extension@{version};")));
    }
    assert!(replaced, "no file declares `{declared}`");
    let group = sources.parse().unwrap_or_else(|(_, e)| panic!("the WIT at {version} does not parse: {e}"));
    let mut resolve = Resolve::default();
    let package = resolve.push_group(group).expect("the WIT resolves");
    let world = resolve.select_world(&[package], Some("reader")).expect("world reader");
    (resolve, world)
}

/// A guest importing the contract at `version`.
fn guest(engine: &Engine, version: &str) -> Component {
    let (resolve, world) = wit_at(version);
    let probe = probe::generate(&resolve, world).expect("a probe");
    Component::new(engine, &probe.component).expect("the probe compiles")
}

/// Defines the contract's interfaces at `version` in `linker`; every function answers
/// `err(not-allowed)` and logs the version that served it. `extra` adds a function the
/// guest does not know (a compatible addition). Interface `skip` is left out.
fn serve(linker: &mut Linker<()>, version: &str, log: &CallLog, extra: bool, skip: Option<&str>) {
    let (resolve, world) = wit_at(version);
    for (key, item) in &resolve.worlds[world].imports {
        let wit_parser::WorldItem::Interface { id, .. } = item else { continue };
        let name = resolve.name_world_key(key);
        if skip.is_some_and(|skip| resolve.interfaces[*id].name.as_deref() == Some(skip)) {
            continue;
        }
        let mut instance = linker.instance(&name).expect("a new instance name");
        let mut functions: Vec<String> = resolve.interfaces[*id].functions.keys().cloned().collect();
        if extra && !functions.is_empty() {
            functions.push("count-everything".into());
        }
        for function in functions {
            let log = log.clone();
            let served = format!("{name}#{function}");
            instance
                .func_new(&function, move |_, _, _params, results| {
                    log.lock().unwrap().push(served.clone());
                    results[0] = Val::Result(Err(Some(Box::new(Val::Variant("not-allowed".into(), None)))));
                    Ok(())
                })
                .expect("a new function name");
        }
    }
}

/// Instantiates a guest importing `guest_version` on a host serving `host_versions`; on
/// success calls `get-client` through the probe and returns which host version served it.
fn link(guest_version: &str, host_versions: &[&str]) -> Result<String, String> {
    let engine = engine();
    let component = guest(&engine, guest_version);
    let log = CallLog::default();
    let mut linker = Linker::new(&engine);
    for version in host_versions {
        serve(&mut linker, version, &log, true, None);
    }
    let mut store = Store::new(&engine, ());
    let instance = linker.instantiate(&mut store, &component).map_err(|e| format!("{e:#}"))?;
    let export = format!("alga:extension/probe-clients@{guest_version}");
    let result = call_json(
        &mut store,
        &instance,
        &export,
        "get-client",
        &[json!("00000000-0000-0000-0000-000000000000")],
    )
    .expect("the call returns");
    assert_eq!(
        result,
        json!({"err": {"tag": "not-allowed"}}),
        "the host's answer reaches the guest unchanged"
    );
    let served = log.lock().unwrap().clone();
    assert_eq!(served.len(), 1, "exactly one host function ran: {served:?}");
    Ok(served[0].clone())
}

#[test]
fn a_guest_of_0_1_0_links_to_a_host_serving_0_1_1() {
    assert_eq!(link("0.1.0", &["0.1.1"]).unwrap(), "alga:extension/clients@0.1.1#get-client");
}

#[test]
fn a_guest_of_0_1_1_links_to_a_host_serving_0_1_0() {
    assert_eq!(link("0.1.1", &["0.1.0"]).unwrap(), "alga:extension/clients@0.1.0#get-client");
}

#[test]
fn the_highest_version_on_the_track_serves() {
    assert_eq!(
        link("0.1.0", &["0.1.1", "0.1.3", "0.2.0"]).unwrap(),
        "alga:extension/clients@0.1.3#get-client"
    );
}

#[test]
fn the_exact_version_serves_when_the_host_has_it() {
    assert_eq!(link("0.1.1", &["0.1.0", "0.1.1"]).unwrap(), "alga:extension/clients@0.1.1#get-client");
}

#[test]
fn a_guest_of_0_2_0_does_not_link_to_a_host_serving_0_1_x() {
    let error = link("0.2.0", &["0.1.0", "0.1.1"]).unwrap_err();
    assert!(error.contains("alga:extension/"), "the error names the missing import: {error}");
}

#[test]
fn a_guest_of_0_1_0_does_not_link_to_a_host_serving_only_0_2_0() {
    let error = link("0.1.0", &["0.2.0"]).unwrap_err();
    assert!(error.contains("@0.1.0"), "the error names the missing import: {error}");
}

#[test]
fn from_1_0_on_the_track_is_the_major_version() {
    assert_eq!(link("1.0.0", &["1.3.2"]).unwrap(), "alga:extension/clients@1.3.2#get-client");
    assert!(link("1.3.2", &["2.0.0"]).is_err());
}

#[test]
fn version_0_0_x_matches_only_exactly() {
    assert!(link("0.0.1", &["0.0.2"]).is_err(), "0.0.1 must not link to 0.0.2");
    assert!(link("0.0.2", &["0.0.1"]).is_err(), "0.0.2 must not link to 0.0.1");
    assert_eq!(link("0.0.1", &["0.0.1"]).unwrap(), "alga:extension/clients@0.0.1#get-client");
}

#[test]
fn pre_releases_match_only_exactly() {
    assert!(link("0.2.0-rc.1", &["0.2.0"]).is_err());
    assert!(link("0.2.0", &["0.2.0-rc.1"]).is_err());
    assert!(link("0.2.0-rc.1", &["0.2.0-rc.2"]).is_err());
    assert_eq!(link("0.2.0-rc.1", &["0.2.0-rc.1"]).unwrap(), "alga:extension/clients@0.2.0-rc.1#get-client");
}

#[test]
fn a_matched_function_must_have_the_imported_type() {
    let engine = engine();
    let component = guest(&engine, "0.1.0");
    let log = CallLog::default();
    let mut linker = Linker::new(&engine);
    serve(&mut linker, "0.1.1", &log, false, Some("clients"));
    // Same track, but the functions take numbers: the semver match finds them, the type
    // check refuses them.
    let mut instance = linker.instance("alga:extension/clients@0.1.1").unwrap();
    instance.func_wrap("get-client", |_, (_id,): (u32,)| Ok((0u32,))).unwrap();
    instance.func_wrap("list-clients", |_, (_input,): (u32,)| Ok((0u32,))).unwrap();
    let mut store = Store::new(&engine, ());
    let error = linker.instantiate(&mut store, &component).map(|_| ()).unwrap_err();
    let message = format!("{error:#}");
    assert!(
        message.contains("clients@0.1.0") && message.contains("wrong type"),
        "the error names the import whose type did not fit: {message}"
    );
}
