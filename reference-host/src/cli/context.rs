//! Checking the execution context a person gives (`run`'s options, a `serve` request)
//! before anything runs: ids must be canonical UUIDs (compared in lower case, like every id
//! of the contract), and the install must exist in the tenant, since a real host never
//! runs an extension without an install.
//!
//! What the contract itself decides is left to it: an inactive user, a user of the wrong
//! type or one without permissions runs, and its calls return `not-allowed`, so an
//! extension's behaviour in those cases can be tried out.

use alga_conformance_protocol::{ContextUser, ExecutionContext};
use alga_extension_contract::input::is_canonical_uuid;
use alga_reference_store::store::Faults;
use alga_reference_store::{DataStore, Deadline};

/// Why a context is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ContextError {
    /// The context is wrong (a usage error).
    Bad(String),
    /// The store could not be asked.
    Store(String),
}

/// The context with lower-case ids, once it passes the checks of the module documentation.
/// `names` gives the names of the tenant, install and user fields for messages (`--tenant`
/// or `tenantId`).
pub fn check(
    store: &dyn DataStore,
    context: &ExecutionContext,
    names: [&str; 3],
) -> Result<ExecutionContext, ContextError> {
    check_until(store, context, names, Deadline::NONE)
}

/// [`check`], with the store's look-up of the install ending by `deadline` (`serve` gives
/// it the request's time limit, so that a database that does not answer cannot hold a
/// worker longer than an execution could).
pub fn check_until(
    store: &dyn DataStore,
    context: &ExecutionContext,
    names: [&str; 3],
    deadline: Deadline,
) -> Result<ExecutionContext, ContextError> {
    let [tenant_name, install_name, user_name] = names;
    let tenant_id = uuid(tenant_name, &context.tenant_id)?;
    let install_id = uuid(install_name, &context.install_id)?;
    let user = match &context.user {
        None => None,
        Some(user) => {
            Some(ContextUser { user_id: uuid(user_name, &user.user_id)?, user_type: user.user_type })
        }
    };
    match store.context(&tenant_id, Some(&install_id), None, Faults::NONE, deadline).map(|r| r.capabilities) {
        Ok(Some(_)) => {}
        Ok(None) => {
            return Err(ContextError::Bad(format!(
                "tenant {tenant_id} has no install {install_id}: check the tenant and the install \
                 (`alga-reference-host seed` prints the demo's tenants, installs and users)"
            )));
        }
        Err(err) => return Err(ContextError::Store(err.to_string())),
    }
    Ok(ExecutionContext { tenant_id, install_id, user })
}

fn uuid(name: &str, value: &str) -> Result<String, ContextError> {
    if is_canonical_uuid(value) {
        return Ok(value.to_ascii_lowercase());
    }
    let shown: String = value.chars().take(64).collect();
    Err(ContextError::Bad(format!(
        "{name} must be a UUID in canonical text form (8-4-4-4-12 hex digits), got {shown:?}"
    )))
}
