//! The read services: the contract's four functions for an [`Actor`], in the order SPEC.md
//! section 4 fixes: capability, then user, then input, then a tenant-scoped query.

use crate::store::DataStore;
use alga_conformance_protocol::ExecutionContext;
use alga_extension_contract::types::{
    ClientListInput, ClientPage, ClientSummary, ReadError, ServiceListInput, ServicePage, ServiceSummary,
};
use std::sync::Arc;

/// Who is calling, resolved from an execution context against the store: the tenant, the
/// capabilities the install grants, and the user's standing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// The context's tenant.
    pub tenant_id: String,
    /// The context's install.
    pub install_id: String,
}

/// The contract's functions over a [`DataStore`].
#[derive(Clone)]
pub struct ReadServices {
    store: Arc<dyn DataStore>,
}

impl ReadServices {
    /// Read services over `store`.
    pub fn new(store: Arc<dyn DataStore>) -> Self {
        ReadServices { store }
    }

    /// The store.
    pub fn store(&self) -> &Arc<dyn DataStore> {
        &self.store
    }

    /// Resolves `context` (the install's capabilities, CTX-2; the user, AUTH-2) into an
    /// [`Actor`]. A store failure is `Err(ReadError::Internal)`.
    pub fn actor(&self, context: &ExecutionContext) -> Result<Actor, ReadError> {
        let _ = context;
        unimplemented!("written by the store work")
    }

    /// `list-clients`.
    pub fn list_clients(&self, actor: &Actor, input: &ClientListInput) -> Result<ClientPage, ReadError> {
        let _ = (actor, input);
        unimplemented!("written by the store work")
    }

    /// `get-client`.
    pub fn get_client(&self, actor: &Actor, client_id: &str) -> Result<Option<ClientSummary>, ReadError> {
        let _ = (actor, client_id);
        unimplemented!("written by the store work")
    }

    /// `list-services`.
    pub fn list_services(&self, actor: &Actor, input: &ServiceListInput) -> Result<ServicePage, ReadError> {
        let _ = (actor, input);
        unimplemented!("written by the store work")
    }

    /// `get-service`.
    pub fn get_service(&self, actor: &Actor, service_id: &str) -> Result<Option<ServiceSummary>, ReadError> {
        let _ = (actor, service_id);
        unimplemented!("written by the store work")
    }
}
