//! The reference host's own world, `alga:reference-host/extension` (in `wit/world.wit`):
//! its wasmtime bindings, and the check that a component targets it, which names every
//! missing export and every import the host does not provide before wasmtime's linker
//! would fail with a terser message.
//!
//! The contract's interfaces in the bindings are those of
//! `alga_extension_contract::host::bindings` (`bindgen!`'s `with:`), so the host and the
//! contract share one set of generated types.

use crate::error::LoadError;
use crate::versions;
use std::sync::OnceLock;
use wasmtime::Engine;
use wasmtime::component::Component;
use wit_parser::Resolve;

/// Generated bindings of world `extension`.
#[allow(missing_docs)]
pub mod bindings {
    wasmtime::component::bindgen!({
        world: "extension",
        path: "wit",
        with: {
            "alga:extension/types": alga_extension_contract::host::bindings::types,
            "alga:extension/clients": alga_extension_contract::host::bindings::clients,
            "alga:extension/services": alga_extension_contract::host::bindings::services,
        },
    });

    pub use exports::alga::reference_host::handler;
}

/// The WIT source of the host's world (the contract it includes comes from the contract
/// crate).
pub const WORLD_WIT: &str = include_str!("../wit/world.wit");

/// The names of the interfaces world `extension` exports, e.g.
/// `alga:reference-host/handler@0.1.0`, read from `wit/world.wit`.
pub fn extension_exports() -> &'static [String] {
    static NAMES: OnceLock<Vec<String>> = OnceLock::new();
    NAMES.get_or_init(|| {
        let contract =
            alga_extension_contract::wit::contract().expect("the contract's WIT is embedded and parses");
        let mut resolve: Resolve = contract.resolve;
        let package = resolve
            .push_str("reference-host/wit/world.wit", WORLD_WIT)
            .expect("the host's world parses (the crate was built from it)");
        let world = resolve.select_world(&[package], Some("extension")).expect("world `extension` exists");
        resolve.worlds[world].exports.keys().map(|key| resolve.name_world_key(key)).collect()
    })
}

/// The export the host calls to run an extension: `alga:reference-host/handler@0.1.0`.
pub fn handler_export() -> &'static str {
    extension_exports().first().expect("world `extension` exports the handler")
}

/// Checks that `component` exports each of `required` (compatible versions accepted, as
/// wasmtime's linker does) and imports nothing but what the host provides.
pub fn check_targets(engine: &Engine, component: &Component, required: &[&str]) -> Result<(), LoadError> {
    let ty = component.component_type();
    let exports: Vec<String> = ty.exports(engine).map(|(name, _)| name.to_string()).collect();
    for wanted in required {
        if !exports.iter().any(|name| same_track(name, wanted)) {
            return Err(LoadError::MissingExport { export: wanted.to_string(), exports });
        }
    }
    let provided: Vec<String> = versions::served_interfaces()
        .iter()
        .cloned()
        .chain(crate::console::CONSOLE_INTERFACES.iter().map(|name| name.to_string()))
        .collect();
    let unsupported: Vec<String> = ty
        .imports(engine)
        .map(|(name, _)| name.to_string())
        .filter(|name| !provided.iter().any(|p| same_track(name, p)))
        .collect();
    if !unsupported.is_empty() {
        return Err(LoadError::UnsupportedImports { imports: unsupported, provided });
    }
    Ok(())
}

/// Whether wasmtime's linker would match an item named `a` with one named `b`: the same
/// name, and versions on the same semver track (`1.x.y`; `0.x.*` while the major version is
/// 0; exact for `0.0.z` and pre-releases).
pub fn same_track(a: &str, b: &str) -> bool {
    let (a_name, a_version) = split_version(a);
    let (b_name, b_version) = split_version(b);
    if a_name != b_name {
        return false;
    }
    match (a_version, b_version) {
        (None, None) => true,
        (Some(a), Some(b)) => match (track(a), track(b)) {
            (Some(a), Some(b)) => a == b,
            _ => a == b,
        },
        _ => false,
    }
}

fn split_version(name: &str) -> (&str, Option<&str>) {
    match name.split_once('@') {
        Some((name, version)) => (name, Some(version)),
        None => (name, None),
    }
}

/// The semver track of `version`, or `None` when it only matches itself.
fn track(version: &str) -> Option<String> {
    if version.contains(['-', '+']) {
        return None;
    }
    let mut parts = version.split('.');
    let (major, minor) = (parts.next()?, parts.next()?);
    match (major, minor) {
        ("0", "0") => None,
        ("0", minor) => Some(format!("0.{minor}")),
        (major, _) => Some(major.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_handler_export_is_read_from_the_wit() {
        assert_eq!(handler_export(), "alga:reference-host/handler@0.1.0");
    }

    #[test]
    fn versions_match_on_the_same_semver_track_only() {
        assert!(same_track("a:b/c@0.1.0", "a:b/c@0.1.7"));
        assert!(!same_track("a:b/c@0.1.0", "a:b/c@0.2.0"));
        assert!(same_track("a:b/c@1.2.0", "a:b/c@1.0.3"));
        assert!(!same_track("a:b/c@1.2.0", "a:b/c@2.0.0"));
        assert!(!same_track("a:b/c@0.0.1", "a:b/c@0.0.2"));
        assert!(same_track("a:b/c@0.0.1", "a:b/c@0.0.1"));
        assert!(!same_track("a:b/c@0.1.0-rc1", "a:b/c@0.1.0"));
        assert!(!same_track("a:b/c", "a:b/c@0.1.0"));
        assert!(!same_track("a:b/d@0.1.0", "a:b/c@0.1.0"));
    }
}
