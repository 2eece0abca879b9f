//! The execution context of a call: fixed by the host before the guest runs, never
//! supplied or changed by the guest (CTX-1).

use serde::{Deserialize, Serialize};

/// Who, for which tenant and through which install, a guest runs.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ExecutionContext {
    /// The tenant whose data the execution may read.
    pub tenant_id: String,
    /// The extension's install in that tenant; its record holds the granted capabilities
    /// (CTX-2).
    pub install_id: String,
    /// The user on whose behalf the extension runs; `None` for scheduled jobs and webhooks
    /// (AUTH-3).
    #[serde(default)]
    pub user: Option<ContextUser>,
}

/// The user part of an execution context.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ContextUser {
    /// The user's id.
    pub user_id: String,
    /// The user type the context claims (checked against the stored one, AUTH-2).
    pub user_type: UserType,
}

/// Alga's two kinds of users.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum UserType {
    /// Staff of the tenant (the MSP). Permissions count when their `msp` flag is set.
    Internal,
    /// A client-portal user. Permissions count when their `client` flag is set; sees only
    /// the client they belong to (AUTH-4).
    Client,
}

impl UserType {
    /// The stored text: `internal` or `client`.
    pub fn as_str(self) -> &'static str {
        match self {
            UserType::Internal => "internal",
            UserType::Client => "client",
        }
    }

    /// Parses the stored text.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "internal" => Some(UserType::Internal),
            "client" => Some(UserType::Client),
            _ => None,
        }
    }
}

impl std::fmt::Display for UserType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
