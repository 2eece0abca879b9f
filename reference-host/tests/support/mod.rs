//! Shared helpers of the integration tests: hand-written guests ([`guests`]) and runtimes
//! over real stores.
#![allow(dead_code)] // each test binary uses a different part of this module

pub mod cli;
pub mod guests;
pub mod http_client;
pub mod sample;
pub mod visibility;

use alga_conformance_protocol::{ContextUser, ExecutionContext, UserType};
use alga_reference_host::engine::EngineConfig;
use alga_reference_host::limits::Limits;
use alga_reference_host::{Runtime, RuntimeConfig};
use alga_reference_store::ReadServices;
use alga_reference_store::sqlite::SqliteStore;
use std::sync::Arc;

/// Read services over a new, empty in-memory SQLite store.
pub fn sqlite_services() -> ReadServices {
    ReadServices::new(Arc::new(SqliteStore::in_memory().expect("an in-memory SQLite store opens")))
}

/// A runtime with `limits` over `services`, without a disk cache.
pub fn runtime_with(services: ReadServices, limits: Limits) -> Runtime {
    let config = RuntimeConfig {
        engine: EngineConfig { limits, max_concurrent_executions: 80, ..EngineConfig::default() },
        disk_cache: None,
    };
    Runtime::new(services, &config).expect("the runtime starts")
}

/// A context without a user.
pub fn context(tenant_id: &str, install_id: &str) -> ExecutionContext {
    ExecutionContext { tenant_id: tenant_id.into(), install_id: install_id.into(), user: None }
}

/// A context with a user.
pub fn user_context(
    tenant_id: &str,
    install_id: &str,
    user_id: &str,
    user_type: UserType,
) -> ExecutionContext {
    ExecutionContext {
        tenant_id: tenant_id.into(),
        install_id: install_id.into(),
        user: Some(ContextUser { user_id: user_id.into(), user_type }),
    }
}
