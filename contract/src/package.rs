//! The contract as a binary WIT package: the form component registries and `wkg` publish
//! (a WebAssembly component-type binary carrying the package, its interfaces, worlds and
//! documentation).

use anyhow::{Context, Result, bail};
use wit_parser::{PackageId, Resolve};

/// Encodes package `package` of `resolve` as a binary WIT package.
pub fn encode(resolve: &Resolve, package: PackageId) -> Result<Vec<u8>> {
    wit_component::encode(resolve, package, false).context("encoding the WIT package as wasm")
}

/// Encodes the contract this crate carries as a binary WIT package.
pub fn encode_contract() -> Result<Vec<u8>> {
    let contract = crate::wit::contract()?;
    encode(&contract.resolve, contract.package)
}

/// Decodes a binary WIT package (as written by [`encode`]).
pub fn decode(bytes: &[u8]) -> Result<(Resolve, PackageId)> {
    match wit_component::decode(bytes).context("decoding a binary WIT package")? {
        wit_component::DecodedWasm::WitPackage(resolve, package) => Ok((resolve, package)),
        wit_component::DecodedWasm::Component(..) => {
            bail!("the bytes are a component, not a WIT package")
        }
    }
}

/// Prints package `package` of `resolve` as WIT text.
pub fn print(resolve: &Resolve, package: PackageId) -> Result<String> {
    let mut printer = wit_component::WitPrinter::default();
    printer.print(resolve, package, &[]).context("printing the WIT package")?;
    Ok(printer.output.to_string())
}
