//! The contract versions this host serves, and how their imports are added to the linker.
//!
//! The newest version (the contract this crate is built with) is implemented once, by
//! [`HostState`]'s [`ReadHost`](alga_extension_contract::host::ReadHost) implementation
//! and `alga_extension_contract::host::add_to_linker`. Every released version must stay
//! served (SPEC.md section 10): deployed extensions keep running.
//!
//! # Adding a version
//!
//! - **A compatible release** (`0.1.0` → `0.1.1`, a patch bump while the major version is
//!   0) needs nothing here. wasmtime's linker matches an import of `alga:extension/...@0.1.0`
//!   to the `@0.1.1` the host registers (same semver track, `0.1`), and a compatible change
//!   only adds items, so an old guest's imports all exist with identical types. The tests
//!   in `compat/tests/old_guests.rs` prove this for every version under `compat/`, with
//!   each release's own probe guest.
//! - **A breaking release** (`0.1.x` → `0.2.0`) starts a new track, so guests built for
//!   `0.1` need the `0.1` imports registered beside the new ones, as Spin does:
//!   1. add a module `v0_1` with `wasmtime::component::bindgen!({ path:
//!      "../compat/0.1.x/wit", world: "reader" })` (the frozen WIT of the newest `0.1`
//!      release);
//!   2. implement its `clients::Host` / `services::Host` for a wrapper of [`HostState`] by
//!      converting the old types to the newest ones, calling the newest implementation,
//!      and converting back (delegation: the behaviour stays written once);
//!   3. add a [`ServedVersion`] for it to [`SERVED`] and `include
//!      alga:extension/reader@0.1.x` in the host's world (`wit/world.wit`).

use crate::state::HostState;
use alga_extension_contract::wit::ContractWit;
use std::sync::OnceLock;
use wasmtime::component::Linker;

/// One served version of the contract.
pub struct ServedVersion {
    /// The version, e.g. `0.1.0`.
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
pub static SERVED: &[ServedVersion] = &[ServedVersion {
    version: alga_extension_contract::CONTRACT_VERSION,
    wit: alga_extension_contract::wit::contract,
    add_to_linker: newest_add_to_linker,
}];

fn newest_add_to_linker(linker: &mut Linker<HostState>) -> wasmtime::Result<()> {
    alga_extension_contract::host::add_to_linker(linker)
}

/// Adds the imports of every served version to `linker`.
pub fn add_to_linker(linker: &mut Linker<HostState>) -> wasmtime::Result<()> {
    for version in SERVED {
        (version.add_to_linker)(linker)?;
    }
    Ok(())
}

/// The versions served, as text (`["0.1.0"]`).
pub fn served_versions() -> Vec<String> {
    SERVED.iter().map(|v| v.version.to_string()).collect()
}

/// The interface names the host provides to guests, with versions, e.g.
/// `alga:extension/clients@0.1.0`, read from each served version's WIT.
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
}
