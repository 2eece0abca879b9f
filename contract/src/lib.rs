//! The `alga:extension` contract: typed read access for Alga PSA extensions to the tenant's
//! clients and service catalog.
//!
//! The WIT package in `wit/` (shipped inside this crate) is the single source of truth for
//! the contract's shapes; [`SPEC.md`](https://docs.rs/crate/alga-extension-contract/latest/source/SPEC.md)
//! defines its behaviour. This crate gives Rust hosts and tools everything else they need:
//!
//! | module | what it owns |
//! |---|---|
//! | [`wit`] | the embedded WIT sources and a parsed [`wit_parser::Resolve`] of them |
//! | [`types`] | serde types generated from interface `types` (camelCase JSON) |
//! | [`input`] | the reference reading of the input rules VAL-1 to VAL-4 |
//! | [`summary`] | the reference reading of the data rules (DATA-1, PRICE-1): names, tags, prices |
//! | [`v0_1`] | the 0.1 track still served: its frozen WIT, serde types, conversions to and from the newest |
//! | `host` (feature `host`) | wasmtime `bindgen!` bindings of world `reader` for every served track (`host::v0_1` for 0.1) and a dynamic caller for probe components |
//! | `package`, `probe`, `gate` (feature `tooling`) | binary WIT packages, the probe-guest generator and the breaking-change gate |
//! | `dts`, `reference` (feature `tooling`) | for extension authors: TypeScript declarations and the Markdown reference generated from a version's WIT |
//!
//! The crate version always equals the WIT package version ([`CONTRACT_VERSION`]).

#![warn(missing_docs)]

pub mod input;
pub mod summary;
pub mod types;
pub mod v0_1;
pub mod wit;

#[cfg(feature = "host")]
pub mod host;

#[cfg(feature = "tooling")]
pub mod package;

#[cfg(feature = "tooling")]
pub mod probe;

#[cfg(feature = "tooling")]
pub mod gate;

#[cfg(feature = "tooling")]
pub mod dts;

#[cfg(feature = "tooling")]
pub mod reference;

#[cfg(feature = "tooling")]
mod wit_names;

/// Version of the contract: the crate version, equal to the WIT package version (a test
/// ties them together).
pub const CONTRACT_VERSION: &str = env!("CARGO_PKG_VERSION");

/// The versioned WIT package name, e.g. `alga:extension@0.1.0`.
pub const WIT_PACKAGE: &str = concat!("alga:extension@", env!("CARGO_PKG_VERSION"));

/// Install capability that grants the functions of interface `clients` (CAP-1).
pub const CAP_CLIENT_READ: &str = "cap:client.read";

/// Install capability that grants the functions of interface `services` (CAP-1).
pub const CAP_SERVICE_READ: &str = "cap:service.read";

/// A permission of Alga's role-based access control: a resource and an action, written
/// `resource:action`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Permission {
    /// The resource, e.g. `client`.
    pub resource: &'static str,
    /// The action, e.g. `read`.
    pub action: &'static str,
}

impl std::fmt::Display for Permission {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.resource, self.action)
    }
}

/// Permission a user needs for the functions of interface `clients` (AUTH-1).
pub const PERMISSION_CLIENT_READ: Permission = Permission { resource: "client", action: "read" };

/// Permission a user needs for the functions of interface `services` (AUTH-1).
pub const PERMISSION_SERVICE_READ: Permission = Permission { resource: "service", action: "read" };

/// One function of world `reader` and what a call of it needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ContractFunction {
    /// Name of the interface inside the package, e.g. `clients`.
    pub interface: &'static str,
    /// Name of the function, e.g. `list-clients`.
    pub name: &'static str,
    /// Install capability the call needs (CAP-1).
    pub capability: &'static str,
    /// Permission a user in the context needs (AUTH-1).
    pub permission: Permission,
}

/// Every function of world `reader` (a test checks this list against the WIT).
pub const FUNCTIONS: &[ContractFunction] = &[
    ContractFunction {
        interface: "clients",
        name: "list-clients",
        capability: CAP_CLIENT_READ,
        permission: PERMISSION_CLIENT_READ,
    },
    ContractFunction {
        interface: "clients",
        name: "get-client",
        capability: CAP_CLIENT_READ,
        permission: PERMISSION_CLIENT_READ,
    },
    ContractFunction {
        interface: "services",
        name: "list-services",
        capability: CAP_SERVICE_READ,
        permission: PERMISSION_SERVICE_READ,
    },
    ContractFunction {
        interface: "services",
        name: "get-service",
        capability: CAP_SERVICE_READ,
        permission: PERMISSION_SERVICE_READ,
    },
];

/// The function of world `reader` named `name` (e.g. `get-client`), if any.
pub fn function(name: &str) -> Option<&'static ContractFunction> {
    FUNCTIONS.iter().find(|f| f.name == name)
}
