//! The contract versions this host serves, and how their imports are added to the linker.
//!
//! The newest version (the contract this crate is built with) is implemented once, by
//! [`HostState`]'s [`ReadHost`](alga_extension_contract::host::ReadHost) implementation.
//! Every released version must stay served (SPEC.md sections 10 and 11): deployed extensions
//! keep running. Today that is two tracks in one linker:
//!
//! | served | imports registered | implemented by |
//! |---|---|---|
//! | 0.2.0 | `alga:extension/{types,clients,services}@0.2.0` | `alga_extension_contract::host::add_to_linker` |
//! | 0.1.0 | `alga:extension/{types,clients,services}@0.1.0` | `alga_extension_contract::host::v0_1::add_to_linker`: converts and delegates to the 0.2 implementation |
//!
//! A guest picks its track by the WIT it was built against: an extension built with the
//! host's world of today imports `@0.2.0`, one built at 0.1 imports `@0.1.0` (or any
//! `0.1.x`, which wasmtime matches to `@0.1.0`), and each finds its own imports in the same
//! linker. The host's own world (`wit/world.wit`) includes the newest `reader` only; its
//! handler export is the same for every track.
//!
//! # Adding a version
//!
//! - **A compatible release** (`0.2.0` → `0.2.1`, a patch bump while the major version is
//!   0) needs nothing here. wasmtime's linker matches an import of `alga:extension/...@0.2.0`
//!   to the `@0.2.1` the host registers (same semver track, `0.2`), and a compatible change
//!   only adds items, so an old guest's imports all exist with identical types. The tests
//!   in `compat/tests/old_guests.rs` prove this for every version under `compat/`, with
//!   each release's own probe guest.
//! - **A breaking release** (`0.2.x` → `0.3.0`) starts a new track, so guests built for
//!   `0.2` need the `0.2` imports registered beside the new ones, as 0.2.0 did for 0.1:
//!   1. in the contract crate, add the replaced track to `OLDER_TRACKS` in `build.rs` (its
//!      frozen WIT linked as `contract/wit-0.2.x`) and a module like `v0_1` / `host::v0_1`
//!      for it: `build.rs` generates its serde types and the conversions from and to the
//!      newest types, and fails with a message when a change cannot be converted field by
//!      field;
//!   2. add a [`ServedVersion`] for it to [`SERVED`], whose `add_to_linker` is that module's
//!      (delegation: the behaviour stays written once, in the newest implementation);
//!   3. move the host's world (`wit/world.wit`) to `include alga:extension/reader@0.3.0`,
//!      keeping its package version (the handler export is unchanged, so old guests still
//!      match it).

use crate::state::HostState;
use alga_extension_contract::wit::ContractWit;
use std::sync::OnceLock;
use wasmtime::component::Linker;

/// One served version of the contract.
pub struct ServedVersion {
    /// The version, e.g. `0.2.0`.
    pub version: &'static str,
    /// Its WIT, parsed (world `reader` selected).
    pub wit: fn() -> anyhow::Result<ContractWit>,
    /// Adds its imports to a linker.
    pub add_to_linker: fn(&mut Linker<HostState>) -> wasmtime::Result<()>,
}

impl std::fmt::Debug for ServedVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServedVersion").field("version", &self.version).finish_non_exhaustive()
    }
}

/// Every version served, newest first. See the module documentation to add one.
pub static SERVED: &[ServedVersion] = &[
    ServedVersion {
        version: alga_extension_contract::CONTRACT_VERSION,
        wit: alga_extension_contract::wit::contract,
        add_to_linker: alga_extension_contract::host::add_to_linker::<HostState>,
    },
    ServedVersion {
        version: alga_extension_contract::v0_1::VERSION,
        wit: alga_extension_contract::v0_1::wit,
        add_to_linker: alga_extension_contract::host::v0_1::add_to_linker::<HostState>,
    },
];

/// Adds the imports of every served version to `linker`.
pub fn add_to_linker(linker: &mut Linker<HostState>) -> wasmtime::Result<()> {
    for version in SERVED {
        (version.add_to_linker)(linker)?;
    }
    Ok(())
}

/// The versions served, as text (`["0.2.0", "0.1.0"]`).
pub fn served_versions() -> Vec<String> {
    SERVED.iter().map(|v| v.version.to_string()).collect()
}

/// The interface names the host provides to guests, with versions, e.g.
/// `alga:extension/clients@0.2.0`, read from each served version's WIT.
pub fn served_interfaces() -> &'static [String] {
    static NAMES: OnceLock<Vec<String>> = OnceLock::new();
    NAMES.get_or_init(|| {
        let mut names = Vec::new();
        for version in SERVED {
            let wit = (version.wit)().expect("the WIT of a served version is embedded and parses");
            for (key, _) in &wit.resolve.worlds[wit.reader].imports {
                names.push(wit.resolve.name_world_key(key));
            }
        }
        names
    })
}

/// The versions of the contract (`alga:extension`) among `imports` (a component's import
/// names, e.g. `alga:extension/clients@0.1.0`): what the component was built against,
/// distinct, oldest first. Empty for a component that reads nothing through the contract.
pub fn contract_versions_imported<'a>(imports: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let package = format!("{}/", alga_extension_contract::wit::WIT_PACKAGE_NAME);
    let mut versions: Vec<String> = imports
        .into_iter()
        .filter(|name| name.starts_with(&package))
        .filter_map(|name| name.split_once('@').map(|(_, version)| version.to_string()))
        .collect();
    versions.sort_by_key(|v| v.split('.').map(|p| p.parse::<u64>().unwrap_or(u64::MAX)).collect::<Vec<_>>());
    versions.dedup();
    versions
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_newest_version_is_the_contract_this_crate_is_built_with() {
        assert_eq!(SERVED[0].version, alga_extension_contract::CONTRACT_VERSION);
        let names = served_interfaces();
        let version = alga_extension_contract::CONTRACT_VERSION;
        for interface in ["types", "clients", "services"] {
            let name = format!("alga:extension/{interface}@{version}");
            assert!(names.contains(&name), "{name} missing from {names:?}");
        }
    }

    #[test]
    fn every_released_track_is_served() {
        assert_eq!(served_versions(), ["0.2.0", "0.1.0"]);
        let names = served_interfaces();
        for interface in ["clients", "services"] {
            let name = format!("alga:extension/{interface}@0.1.0");
            assert!(names.contains(&name), "{name} missing from {names:?}");
        }
    }

    #[test]
    fn the_contract_versions_a_component_imports() {
        let imports = [
            "alga:extension/types@0.1.0",
            "alga:extension/clients@0.1.0",
            "wasi:cli/environment@0.2.3",
            "alga:extension-other/x@9.0.0",
        ];
        assert_eq!(contract_versions_imported(imports), ["0.1.0"]);
        assert_eq!(
            contract_versions_imported(["alga:extension/clients@0.10.0", "alga:extension/services@0.2.0"]),
            ["0.2.0", "0.10.0"]
        );
        assert!(contract_versions_imported(["wasi:io/streams@0.2.0"]).is_empty());
    }
}
