//! The contract's WIT sources, embedded in the crate at build time from `wit/`, and a
//! parsed view of them.
//!
//! The embedded strings are the same bytes as the files in `wit/` (and as the files the
//! published crate carries under `wit/`); `tests/packaging.rs` checks both.

use wit_parser::{PackageId, Resolve, SourceMap, WorldId};

/// One `.wit` file of the contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WitFile {
    /// File name inside `wit/`, e.g. `types.wit`.
    pub name: &'static str,
    /// The file's contents.
    pub source: &'static str,
}

include!(concat!(env!("OUT_DIR"), "/wit_files.rs"));

/// Name of the world a host implements.
pub const READER_WORLD: &str = "reader";

/// The contract's WIT, parsed and resolved.
#[derive(Debug, Clone)]
pub struct ContractWit {
    /// The resolved WIT (the contract package and nothing else).
    pub resolve: Resolve,
    /// The contract package inside [`ContractWit::resolve`].
    pub package: PackageId,
    /// World `reader` inside [`ContractWit::resolve`].
    pub reader: WorldId,
}

/// Parses the embedded WIT.
///
/// The embedded sources were already parsed by the build script, so this fails only for a
/// crate built from a broken tree; the error then names the file, line and column.
pub fn contract() -> anyhow::Result<ContractWit> {
    parse(WIT_FILES, "wit")
}

/// Parses the embedded `files` of a contract package (their names shown under `dir` in
/// errors) and selects world `reader`.
pub(crate) fn parse(files: &[WitFile], dir: &str) -> anyhow::Result<ContractWit> {
    let mut sources = SourceMap::new();
    for file in files {
        sources.push_str(&format!("{dir}/{}", file.name), file.source);
    }
    let group = sources.parse().map_err(|(sources, err)| anyhow::anyhow!("{}", err.render(&sources)))?;
    let mut resolve = Resolve::default();
    let package = resolve.push_group(group).map_err(|err| {
        let err = anyhow::Error::from(err);
        anyhow::anyhow!("{}", resolve.render_error(&err))
    })?;
    let reader = resolve.select_world(&[package], Some(READER_WORLD))?;
    Ok(ContractWit { resolve, package, reader })
}
