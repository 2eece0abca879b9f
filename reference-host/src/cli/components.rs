//! How the command line describes a loaded extension: its digest and the contract versions
//! it imports (`GET /v1/components` of `serve`, the note `run` prints on standard error), so
//! that an operator sees which track each extension runs on (SPEC.md section 11).

use crate::runtime::Extension;
use serde_json::{Value as Json, json};

/// One entry of `GET /v1/components`: `{"id", "sha256", "contractVersions"}`, where
/// `contractVersions` lists the `alga:extension` versions the component imports
/// (`["0.1.0"]` for an extension built for 0.1; empty when it imports none).
pub fn describe(id: &str, extension: &Extension) -> Json {
    json!({
        "id": id,
        "sha256": crate::cache::hex(extension.digest()),
        "contractVersions": extension.contract_versions(),
    })
}

/// What `run` notes about the contract a component imports, e.g.
/// `contract: alga:extension@0.1.0 (this host serves 0.2.0, 0.1.0)`.
pub fn contract_note(extension: &Extension) -> String {
    let served = crate::versions::served_versions();
    match extension.contract_versions() {
        [] => "contract: the component imports no alga:extension interface".to_string(),
        versions => {
            let imported: Vec<String> = versions
                .iter()
                .map(|v| format!("{}@{v}", alga_extension_contract::wit::WIT_PACKAGE_NAME))
                .collect();
            format!("contract: {} (this host serves {})", imported.join(", "), served.join(", "))
        }
    }
}
