//! The state of one execution, held by its wasmtime `Store`: the execution context (fixed by
//! the host, never visible to or changeable by the guest), the actor it resolves to, the
//! read services, and the limiter. It implements the contract's functions
//! ([`ReadHost`]) by handing them to the read services with that actor, counting each call
//! and the rows it returns against the execution's limits. It also holds the execution's
//! console ([`crate::console`]): what a guest built with its console enabled writes.

use crate::console::{Console, ConsoleOutput};
use crate::limits::{GuestLimiter, Limits};
use alga_conformance_protocol::ExecutionContext;
use alga_extension_contract::host::ReadHost;
use alga_extension_contract::types::{
    ClientListInput, ClientPage, ClientSummary, ReadError, ServiceListInput, ServicePage, ServiceSummary,
};
use alga_reference_store::{Actor, ReadServices};

/// What the host keeps for one execution.
pub struct HostState {
    context: ExecutionContext,
    services: ReadServices,
    /// Resolved on the first contract call and kept for the rest of the execution, so the
    /// install's capabilities and the user are read once. Only a successful resolution is
    /// kept: after a store failure (`internal` for that call) the next call tries again.
    actor: Option<Actor>,
    limiter: GuestLimiter,
    /// The contract versions the running component imports (empty when unknown). The host
    /// answers every track the same way (the older tracks convert the newest answer); only
    /// the mutant [`alga_reference_store::mutation::Mutation::OldGuestWrongRate`] reads it.
    #[cfg_attr(not(feature = "mutants"), allow(dead_code))]
    guest_versions: std::sync::Arc<[String]>,
    /// Standard output and error of a guest that imports the console's WASI interfaces.
    console: Console,
}

impl HostState {
    /// The state of an execution in `context`.
    pub fn new(context: ExecutionContext, services: ReadServices, limits: Limits) -> Self {
        HostState {
            context,
            services,
            actor: None,
            limiter: GuestLimiter::new(limits),
            guest_versions: std::sync::Arc::from(Vec::new()),
            console: Console::new(),
        }
    }

    /// What the guest wrote to its console so far.
    pub fn console_output(&self) -> ConsoleOutput {
        self.console.output()
    }

    /// The same, for a component that imports these contract versions.
    pub fn for_guest(mut self, versions: std::sync::Arc<[String]>) -> Self {
        self.guest_versions = versions;
        self
    }

    /// The catalog as the mutant `OldGuestWrongRate` serves a guest built for an older
    /// track: an item's first price in place of its default rate (the older track then
    /// leaves the prices out, so the guest sees only a wrong `default-rate`). SPEC.md
    /// VER-1 says a 0.1 guest gets the stored default rate.
    #[cfg(feature = "mutants")]
    fn old_guest_rates<'a>(&self, items: impl Iterator<Item = &'a mut ServiceSummary>) {
        let newest = alga_extension_contract::CONTRACT_VERSION;
        let old_guest = !self.guest_versions.is_empty() && !self.guest_versions.iter().any(|v| v == newest);
        if old_guest
            && self.services.mutation() == Some(alga_reference_store::mutation::Mutation::OldGuestWrongRate)
        {
            for item in items {
                if let Some(price) = item.prices.first() {
                    item.default_rate = price.rate;
                }
            }
        }
    }

    /// The execution context.
    pub fn context(&self) -> &ExecutionContext {
        &self.context
    }

    /// The limiter (for wasmtime's `Store::limiter`, and to read what it refused).
    pub fn limiter(&mut self) -> &mut GuestLimiter {
        &mut self.limiter
    }

    /// The limiter, read-only.
    pub fn limiter_ref(&self) -> &GuestLimiter {
        &self.limiter
    }
}

impl wasmtime_wasi::WasiView for HostState {
    fn ctx(&mut self) -> wasmtime_wasi::WasiCtxView<'_> {
        self.console.view()
    }
}

/// The execution's actor, resolving it on first use (see [`HostState`]'s `actor` field).
fn resolve<'a>(
    actor: &'a mut Option<Actor>,
    services: &ReadServices,
    context: &ExecutionContext,
) -> Result<&'a Actor, ReadError> {
    if actor.is_none() {
        *actor = Some(services.actor(context)?);
    }
    Ok(actor.as_ref().expect("resolved above"))
}

impl HostState {
    /// Runs one contract call: counts it, answers it with the execution's actor, and counts
    /// the rows it returns. A call past a limit is answered `internal` without running (or
    /// without its rows), and the runtime's call hook then ends the execution with a trap
    /// naming the limit, so the guest never sees that answer.
    fn contract_call<T>(
        &mut self,
        rows: impl Fn(&T) -> usize,
        call: impl FnOnce(&ReadServices, &Actor) -> Result<T, ReadError>,
    ) -> Result<T, ReadError> {
        self.limiter.start_host_call().map_err(|_| ReadError::Internal)?;
        let actor = resolve(&mut self.actor, &self.services, &self.context)?;
        let value = call(&self.services, actor)?;
        self.limiter.take_rows(rows(&value)).map_err(|_| ReadError::Internal)?;
        Ok(value)
    }
}

impl ReadHost for HostState {
    fn list_clients(&mut self, input: ClientListInput) -> Result<ClientPage, ReadError> {
        self.contract_call(
            |page: &ClientPage| page.items.len(),
            |services, actor| services.list_clients(actor, &input),
        )
    }

    fn get_client(&mut self, client_id: String) -> Result<Option<ClientSummary>, ReadError> {
        self.contract_call(found, |services, actor| services.get_client(actor, &client_id))
    }

    fn list_services(&mut self, input: ServiceListInput) -> Result<ServicePage, ReadError> {
        #[allow(unused_mut)]
        let mut page = self.contract_call(
            |page: &ServicePage| page.items.len(),
            |services, actor| services.list_services(actor, &input),
        )?;
        #[cfg(feature = "mutants")]
        self.old_guest_rates(page.items.iter_mut());
        Ok(page)
    }

    fn get_service(&mut self, service_id: String) -> Result<Option<ServiceSummary>, ReadError> {
        #[allow(unused_mut)]
        let mut found_item =
            self.contract_call(found, |services, actor| services.get_service(actor, &service_id))?;
        #[cfg(feature = "mutants")]
        self.old_guest_rates(found_item.iter_mut());
        Ok(found_item)
    }
}

/// Rows in a `get-*` answer: one when it found the record.
fn found<T>(record: &Option<T>) -> usize {
    usize::from(record.is_some())
}

#[cfg(test)]
mod tests {
    use super::*;
    use alga_conformance_protocol::Fixture;
    use alga_conformance_protocol::fixture::{Install, Tenant};
    use alga_reference_store::DataStore as _;
    use alga_reference_store::sqlite::SqliteStore;
    use std::sync::Arc;

    const TENANT: &str = "00000000-0000-4000-8000-000000000001";
    const INSTALL: &str = "00000000-0000-4000-8000-000000000002";

    #[test]
    fn a_store_failure_is_internal_for_that_call_and_retried_on_the_next() {
        let store = SqliteStore::in_memory().unwrap();
        let fixture = Fixture {
            tenants: vec![Tenant {
                tenant_id: TENANT.into(),
                installs: vec![Install {
                    install_id: INSTALL.into(),
                    granted_capabilities: vec!["cap:client.read".into()],
                }],
                ..Default::default()
            }],
        };
        store.load_fixture(&fixture).unwrap();
        let services = ReadServices::new(Arc::new(store));
        let context = ExecutionContext { tenant_id: TENANT.into(), install_id: INSTALL.into(), user: None };
        let mut state = HostState::new(context, services.clone(), Limits::default());

        services.store().set_outage(true);
        assert_eq!(state.list_clients(ClientListInput::default()), Err(ReadError::Internal));
        assert!(state.actor.is_none(), "a failed resolution is not kept");

        services.store().set_outage(false);
        assert_eq!(state.list_clients(ClientListInput::default()).unwrap().total_count, 0);
        assert!(state.actor.is_some(), "the resolved actor is kept for the execution");
        assert_eq!(state.list_services(ServiceListInput::default()), Err(ReadError::NotAllowed));
    }
}
