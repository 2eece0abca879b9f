//! SPEC.md sections 3 and 4, read independently: which tenant a call reads, whether the
//! install grants the capability (CTX-2, CAP-1, CAP-3), whether the user may call
//! (AUTH-1 to AUTH-3), and which clients a portal user sees (AUTH-4).

use super::Reading;
use super::text::{fold, trim};
use alga_conformance_protocol::fixture::{Tenant, User};
use alga_conformance_protocol::{ExecutionContext, Fixture, UserType};
use alga_extension_contract::ContractFunction;

/// What the caller may see once capability and user checks pass.
#[derive(Debug, Clone, Copy)]
pub struct Scope<'a> {
    /// The context's tenant.
    pub tenant: &'a Tenant,
    /// For client functions called by a portal user: the one client they may see
    /// (`Some(None)` when they belong to no client). `None`: no restriction.
    pub portal_client: Option<Option<&'a str>>,
}

/// The decision of steps 1 and 2 of SPEC.md section 4.
#[derive(Debug, Clone, Copy)]
pub enum Access<'a> {
    /// `not-allowed`.
    Denied,
    /// The call proceeds to input validation.
    Granted(Scope<'a>),
    /// SPEC.md allows both: the install's capability name differs from the canonical one
    /// only by white space around it or ASCII letter case, which CAP-3 (RECOMMENDED)
    /// grants and the REQUIRED rules leave open.
    GrantedOrDenied(Scope<'a>),
}

/// How an install's stored capability names relate to the capability a call needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CapabilityGrant {
    /// A stored name equals the capability exactly (CAP-1).
    Exact,
    /// A stored name equals it after trimming and folding only (CAP-3).
    AfterNormalising,
    /// No stored name grants it.
    None,
}

/// How `granted` (the install's names as stored) grants `capability`.
pub fn capability_grant(granted: &[String], capability: &str) -> CapabilityGrant {
    if granted.iter().any(|name| name == capability) {
        CapabilityGrant::Exact
    } else if granted.iter().any(|name| fold(trim(name)) == capability) {
        CapabilityGrant::AfterNormalising
    } else {
        CapabilityGrant::None
    }
}

/// Whether `user` holds `resource:action` in `tenant` (section 1): through one of the
/// user's roles, a permission with that resource and action whose flag for the user's kind
/// is set (`msp` for staff, `client` for portal users). AUTH-1.
pub fn holds(tenant: &Tenant, user: &User, resource: &str, action: &str) -> bool {
    user.role_ids.iter().any(|role_id| {
        tenant.roles.iter().filter(|r| &r.role_id == role_id).any(|role| {
            role.permission_ids.iter().any(|permission_id| {
                tenant.permissions.iter().filter(|p| &p.permission_id == permission_id).any(|p| {
                    p.resource == resource
                        && p.action == action
                        && match user.user_type {
                            UserType::Internal => p.msp,
                            UserType::Client => p.client,
                        }
                })
            })
        })
    })
}

/// Decides capability and user for a call of `function` in `context`.
pub fn decide<'a>(
    fixture: &'a Fixture,
    context: &ExecutionContext,
    function: &ContractFunction,
    reading: Reading,
) -> Access<'a> {
    // CTX-2: capabilities come only from an install of the context's tenant.
    let Some(tenant) = fixture.tenants.iter().find(|t| t.tenant_id == context.tenant_id) else {
        return Access::Denied;
    };
    let Some(install) = tenant.installs.iter().find(|i| i.install_id == context.install_id) else {
        return Access::Denied;
    };
    let grant = capability_grant(&install.granted_capabilities, function.capability);
    if grant == CapabilityGrant::None {
        return Access::Denied;
    }
    let mut scope = Scope { tenant, portal_client: None };
    if let Some(context_user) = &context.user {
        // AUTH-2: the user must exist in the tenant, be active, and have the claimed type.
        let Some(user) = tenant.users.iter().find(|u| u.user_id == context_user.user_id) else {
            return Access::Denied;
        };
        if user.is_inactive || user.user_type != context_user.user_type {
            return Access::Denied;
        }
        if !holds(tenant, user, function.permission.resource, function.permission.action) {
            return Access::Denied;
        }
        // AUTH-4: a portal user sees only their own client; services are not restricted.
        if user.user_type == UserType::Client && function.interface == "clients" {
            scope.portal_client = Some(user.client_id.as_deref());
        }
    }
    match (grant, reading) {
        (CapabilityGrant::AfterNormalising, Reading::Required) => Access::GrantedOrDenied(scope),
        _ => Access::Granted(scope),
    }
}
