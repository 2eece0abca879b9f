//! What an execution context may see of a fixture, worked out from the data alone (not
//! from the host's code): the capability of the install, the user's standing and
//! permissions, and a portal user's own client. The isolation tests compare every result
//! with this.

use alga_conformance_protocol::fixture::Tenant;
use alga_conformance_protocol::{ExecutionContext, Fixture, UserType};
use std::collections::BTreeSet;

/// What a list call in a context must return.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Visible {
    /// `not-allowed`.
    NotAllowed,
    /// Exactly these record ids.
    Ids(BTreeSet<String>),
}

/// The clients `context` may list (inactive ones included).
pub fn clients(fixture: &Fixture, context: &ExecutionContext) -> Visible {
    match allowed(fixture, context, "cap:client.read", "client") {
        None => Visible::NotAllowed,
        Some((tenant, Some(UserType::Client))) => {
            let user = context.user.as_ref().expect("a user type comes from a user");
            let own =
                tenant.users.iter().find(|u| u.user_id == user.user_id).and_then(|u| u.client_id.clone());
            Visible::Ids(own.into_iter().collect())
        }
        Some((tenant, _)) => Visible::Ids(tenant.clients.iter().map(|c| c.client_id.clone()).collect()),
    }
}

/// The catalog items `context` may list.
pub fn services(fixture: &Fixture, context: &ExecutionContext) -> Visible {
    match allowed(fixture, context, "cap:service.read", "service") {
        None => Visible::NotAllowed,
        Some((tenant, _)) => Visible::Ids(tenant.services.iter().map(|s| s.service_id.clone()).collect()),
    }
}

/// The tenant and the user's type when `context` may read `resource`, else `None`.
fn allowed<'a>(
    fixture: &'a Fixture,
    context: &ExecutionContext,
    capability: &str,
    resource: &str,
) -> Option<(&'a Tenant, Option<UserType>)> {
    let tenant = fixture.tenants.iter().find(|t| t.tenant_id == context.tenant_id)?;
    let install = tenant.installs.iter().find(|i| i.install_id == context.install_id)?;
    if !install.granted_capabilities.iter().any(|c| c.trim().to_ascii_lowercase() == capability) {
        return None;
    }
    let Some(claimed) = &context.user else { return Some((tenant, None)) };
    let user = tenant.users.iter().find(|u| u.user_id == claimed.user_id)?;
    if user.is_inactive || user.user_type != claimed.user_type {
        return None;
    }
    let holds = user.role_ids.iter().any(|role_id| {
        let Some(role) = tenant.roles.iter().find(|r| &r.role_id == role_id) else { return false };
        role.permission_ids.iter().any(|permission_id| {
            tenant.permissions.iter().any(|p| {
                &p.permission_id == permission_id
                    && p.resource == resource
                    && p.action == "read"
                    && match user.user_type {
                        UserType::Internal => p.msp,
                        UserType::Client => p.client,
                    }
            })
        })
    });
    holds.then_some((tenant, Some(user.user_type)))
}
