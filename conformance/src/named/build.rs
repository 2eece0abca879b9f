//! The vocabulary named cases are written in: readable ids, a small world of tenants that
//! each start with a reader role and an install granting both capabilities, records added
//! one line at a time, contexts, and calls.
//!
//! Ids read as what they are: `c11e0000-0000-4000-8000-a00000000002` is client 2 of tenant
//! A, `05e40000-…-f00000000001` user 1 of the ids tenants share on purpose. Every id has
//! hex letters, so an upper-case spelling differs from the stored one.

use crate::case::{Case, Step};
use crate::strategy::world::admin_install_id;
use alga_conformance_protocol::fixture::{
    Client, Install, Permission, Role, Service, ServiceType, Tenant, User,
};
use alga_conformance_protocol::wire::ContextCall;
use alga_conformance_protocol::{Call, ContextUser, ExecutionContext, Fixture, UserType};
use alga_extension_contract::types::{BillingMethod, ClientListInput, ItemKind, ServiceListInput};
use alga_extension_contract::{CAP_CLIENT_READ, CAP_SERVICE_READ};

/// Tenant A (index 0).
pub const A: usize = 0;
/// Tenant B (index 1).
pub const B: usize = 1;
/// Tenant C (index 2).
pub const C: usize = 2;
/// The owner slot of ids that several tenants use on purpose.
pub const SHARED: usize = 15;

/// What a record id names: the first group of its UUID.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A tenant.
    Tenant,
    /// An install.
    Install,
    /// A user.
    User,
    /// A client.
    Client,
    /// A catalog item.
    Service,
    /// A role.
    Role,
    /// A permission.
    Permission,
    /// A service type.
    ServiceType,
}

impl Kind {
    fn prefix(self) -> &'static str {
        match self {
            Kind::Tenant => "7e4a0000",
            Kind::Install => "1a570000",
            Kind::User => "05e40000",
            Kind::Client => "c11e0000",
            Kind::Service => "5e4f0000",
            Kind::Role => "401e0000",
            Kind::Permission => "9e440000",
            Kind::ServiceType => "7d9e0000",
        }
    }
}

/// The id of record `n` of `kind` owned by tenant `owner` (or [`SHARED`]).
pub fn id(kind: Kind, owner: usize, n: u64) -> String {
    let owner = match owner {
        SHARED => 'f',
        tenant => char::from_digit(10 + (tenant as u32).min(4), 16).unwrap_or('e'),
    };
    format!("{}-0000-4000-8000-{owner}{n:011x}", kind.prefix())
}

/// The id of tenant `t`.
pub fn tenant_id(t: usize) -> String {
    id(Kind::Tenant, t, 1)
}

/// The install of tenant `t` that grants both capabilities exactly.
pub fn admin_install(t: usize) -> String {
    admin_install_id(&tenant_id(t))
}

/// The role of every tenant that grants `client:read` and `service:read` to internal and
/// portal users.
pub fn reader_role(t: usize) -> String {
    id(Kind::Role, t, 1)
}

/// Both capabilities, exactly.
pub const BOTH: &[&str] = &[CAP_CLIENT_READ, CAP_SERVICE_READ];

/// A world of tenants being built.
#[derive(Debug, Clone)]
pub struct World {
    /// The data so far.
    pub fixture: Fixture,
}

impl World {
    /// `tenants` tenants (A, B, ...), each with `client:read` and `service:read` (for both
    /// user kinds), a reader role granting them, and the admin install; no users or records.
    pub fn new(tenants: usize) -> World {
        let fixture = Fixture {
            tenants: (0..tenants)
                .map(|t| {
                    let permissions: Vec<Permission> = ["client", "service"]
                        .iter()
                        .enumerate()
                        .map(|(n, resource)| Permission {
                            permission_id: id(Kind::Permission, t, n as u64 + 1),
                            resource: resource.to_string(),
                            action: "read".into(),
                            msp: true,
                            client: true,
                        })
                        .collect();
                    Tenant {
                        tenant_id: tenant_id(t),
                        tenant_name: format!("Tenant {}", (b'A' + t as u8) as char),
                        roles: vec![Role {
                            role_id: reader_role(t),
                            role_name: "Reader".into(),
                            permission_ids: permissions.iter().map(|p| p.permission_id.clone()).collect(),
                        }],
                        permissions,
                        installs: vec![Install {
                            install_id: admin_install(t),
                            granted_capabilities: BOTH.iter().map(|c| c.to_string()).collect(),
                        }],
                        ..Tenant::default()
                    }
                })
                .collect(),
        };
        World { fixture }
    }

    /// Tenant `t`.
    pub fn tenant(&mut self, t: usize) -> &mut Tenant {
        &mut self.fixture.tenants[t]
    }

    /// Adds client `n` of tenant `t` named `name` (active, USD, no manager, email or tags).
    pub fn client(&mut self, t: usize, n: u64, name: &str) -> &mut Client {
        self.client_with_id(t, id(Kind::Client, t, n), name)
    }

    /// Adds a client with this id to tenant `t`.
    pub fn client_with_id(&mut self, t: usize, client_id: String, name: &str) -> &mut Client {
        let clients = &mut self.tenant(t).clients;
        clients.push(Client {
            client_id,
            client_name: name.into(),
            client_type: None,
            is_inactive: false,
            default_currency_code: "USD".into(),
            account_manager_id: None,
            billing_email: None,
            tags: Vec::new(),
        });
        clients.last_mut().expect("just pushed")
    }

    /// Adds clients `1..` of tenant `t` with these names.
    pub fn clients(&mut self, t: usize, names: &[&str]) -> Vec<String> {
        names
            .iter()
            .enumerate()
            .map(|(n, name)| self.client(t, n as u64 + 1, name).client_id.clone())
            .collect()
    }

    /// Adds catalog item `n` of tenant `t` named `name` (an active hourly service, rate
    /// 1250, unit `hour`, no type, SKU or description).
    pub fn service(&mut self, t: usize, n: u64, name: &str) -> &mut Service {
        self.service_with_id(t, id(Kind::Service, t, n), name)
    }

    /// Adds a catalog item with this id to tenant `t`.
    pub fn service_with_id(&mut self, t: usize, service_id: String, name: &str) -> &mut Service {
        let services = &mut self.tenant(t).services;
        services.push(Service {
            service_id,
            service_name: name.into(),
            description: None,
            item_kind: ItemKind::Service,
            billing_method: BillingMethod::Hourly,
            service_type_id: None,
            default_rate_cents: 1250,
            unit_of_measure: "hour".into(),
            is_active: true,
            sku: None,
            prices: Vec::new(),
        });
        services.last_mut().expect("just pushed")
    }

    /// Adds catalog items `1..` of tenant `t` with these names.
    pub fn services(&mut self, t: usize, names: &[&str]) -> Vec<String> {
        names
            .iter()
            .enumerate()
            .map(|(n, name)| self.service(t, n as u64 + 1, name).service_id.clone())
            .collect()
    }

    /// Adds a service type with this id and name to tenant `t`.
    pub fn service_type(&mut self, t: usize, type_id: String, name: &str) -> String {
        self.tenant(t)
            .service_types
            .push(ServiceType { service_type_id: type_id.clone(), name: name.into() });
        type_id
    }

    /// Adds user `n` of tenant `t`: active, holding the reader role, a portal user belonging
    /// to no client.
    pub fn user(&mut self, t: usize, n: u64, user_type: UserType) -> &mut User {
        self.user_with_id(t, id(Kind::User, t, n), user_type)
    }

    /// Adds a user with this id to tenant `t` (active reader).
    pub fn user_with_id(&mut self, t: usize, user_id: String, user_type: UserType) -> &mut User {
        let role = reader_role(t);
        let users = &mut self.tenant(t).users;
        users.push(User {
            email: format!("user-{}@example.com", &user_id[28..]),
            user_id,
            first_name: "Ada".into(),
            last_name: "Reader".into(),
            user_type,
            is_inactive: false,
            client_id: None,
            role_ids: vec![role],
        });
        users.last_mut().expect("just pushed")
    }

    /// Adds a permission `resource:action` with these flags to tenant `t`, and a role
    /// granting only it; returns the role's id.
    pub fn role_with(
        &mut self,
        t: usize,
        n: u64,
        resource: &str,
        action: &str,
        msp: bool,
        client: bool,
    ) -> String {
        let permission_id = id(Kind::Permission, t, 100 + n);
        let role_id = id(Kind::Role, t, 100 + n);
        let tenant = self.tenant(t);
        tenant.permissions.push(Permission {
            permission_id: permission_id.clone(),
            resource: resource.into(),
            action: action.into(),
            msp,
            client,
        });
        tenant.roles.push(Role {
            role_id: role_id.clone(),
            role_name: format!("{resource}:{action}"),
            permission_ids: vec![permission_id],
        });
        role_id
    }

    /// Adds install `n` of tenant `t` with these capability names as stored.
    pub fn install(&mut self, t: usize, n: u64, capabilities: &[&str]) -> String {
        self.install_with_id(t, id(Kind::Install, t, n), capabilities)
    }

    /// Adds an install with this id to tenant `t`.
    pub fn install_with_id(&mut self, t: usize, install_id: String, capabilities: &[&str]) -> String {
        self.tenant(t).installs.push(Install {
            install_id: install_id.clone(),
            granted_capabilities: capabilities.iter().map(|c| c.to_string()).collect(),
        });
        install_id
    }

    /// The case: this world and `steps`.
    pub fn case(self, steps: Vec<Step>) -> Case {
        Case { fixture: self.fixture, steps }
    }
}

/// Tenant `t` through its admin install, no user (a scheduled job).
pub fn admin(t: usize) -> ExecutionContext {
    through(t, admin_install(t), None)
}

/// Tenant `t` through its admin install, on behalf of `user_id` claimed as `user_type`.
pub fn as_user(t: usize, user_id: &str, user_type: UserType) -> ExecutionContext {
    through(t, admin_install(t), Some((user_id, user_type)))
}

/// Tenant `t` through `install_id`, with an optional user.
pub fn through(t: usize, install_id: String, user: Option<(&str, UserType)>) -> ExecutionContext {
    ExecutionContext {
        tenant_id: tenant_id(t),
        install_id,
        user: user.map(|(user_id, user_type)| ContextUser { user_id: user_id.to_string(), user_type }),
    }
}

/// A `list-clients` or `list-services` call being written.
#[derive(Debug, Clone, Default)]
pub struct List {
    services: bool,
    clients: ClientListInput,
    catalog: ServiceListInput,
}

/// `list-clients`, every input absent.
pub fn clients() -> List {
    List::default()
}

/// `list-services`, every input absent.
pub fn services() -> List {
    List { services: true, ..List::default() }
}

impl List {
    /// With this search text.
    pub fn search(mut self, text: &str) -> List {
        self.clients.search = Some(text.to_string());
        self.catalog.search = Some(text.to_string());
        self
    }

    /// With this `page`.
    pub fn page(mut self, page: u32) -> List {
        self.clients.page = Some(page);
        self.catalog.page = Some(page);
        self
    }

    /// With this `page-size`.
    pub fn size(mut self, page_size: u32) -> List {
        self.clients.page_size = Some(page_size);
        self.catalog.page_size = Some(page_size);
        self
    }

    /// With `include-inactive` (clients).
    pub fn inactive(mut self, include: bool) -> List {
        self.clients.include_inactive = Some(include);
        self
    }

    /// With `is-active` (services).
    pub fn active(mut self, active: bool) -> List {
        self.catalog.is_active = Some(active);
        self
    }

    /// With `item-kind` (services).
    pub fn kind(mut self, kind: ItemKind) -> List {
        self.catalog.item_kind = Some(kind);
        self
    }

    /// With `billing-method` (services).
    pub fn method(mut self, method: BillingMethod) -> List {
        self.catalog.billing_method = Some(method);
        self
    }

    /// The call.
    pub fn call(self) -> Call {
        if self.services { Call::list_services(&self.catalog) } else { Call::list_clients(&self.clients) }
    }
}

impl From<List> for Call {
    fn from(list: List) -> Call {
        list.call()
    }
}

/// `get-client(id)`.
pub fn get_client(id: &str) -> Call {
    Call::get_client(id)
}

/// `get-service(id)`.
pub fn get_service(id: &str) -> Call {
    Call::get_service(id)
}

/// The four functions, with inputs that are valid and find something in a world of
/// these records: both lists (page-size 100), and a get of each id given.
pub fn every_function(client_id: &str, service_id: &str) -> Vec<Call> {
    vec![
        clients().size(100).call(),
        get_client(client_id),
        services().size(100).call(),
        get_service(service_id),
    ]
}

/// One step per call, all in `context`.
pub fn calls_in(context: &ExecutionContext, calls: impl IntoIterator<Item = Call>) -> Vec<Step> {
    calls.into_iter().map(|call| Step::call(context, call)).collect()
}

/// The steps of a concurrency check (ISO-1.concurrent): every call alone, then all of them
/// at once.
pub fn alone_then_together(calls: Vec<(ExecutionContext, Call)>) -> Vec<Step> {
    let mut steps: Vec<Step> =
        calls.iter().map(|(context, call)| Step::call(context, call.clone())).collect();
    steps.push(Step::Concurrent {
        calls: calls.into_iter().map(|(context, call)| ContextCall { context, call }).collect(),
    });
    steps
}

/// The steps of an outage sequence (ERR-1): the calls, an outage, the same calls, the
/// end of the outage, the same calls again.
pub fn through_an_outage(calls: Vec<(ExecutionContext, Call)>) -> Vec<Step> {
    let once: Vec<Step> = calls.iter().map(|(context, call)| Step::call(context, call.clone())).collect();
    let mut steps = once.clone();
    steps.push(Step::StoreOutage { down: true });
    steps.extend(once.iter().cloned());
    steps.push(Step::StoreOutage { down: false });
    steps.extend(once);
    steps
}

/// The steps of a page walk (PAGE-3): pages 1 to `pages` of `list`, twice.
pub fn walk_twice(context: &ExecutionContext, list: &List, pages: u32) -> Vec<Step> {
    let walk: Vec<Step> =
        (1..=pages).map(|page| Step::call(context, list.clone().page(page).call())).collect();
    walk.iter().chain(walk.iter()).cloned().collect()
}

/// `id` in upper case.
pub fn upper(id: &str) -> String {
    id.to_ascii_uppercase()
}

/// `id` with every other character in upper case.
pub fn mixed(id: &str) -> String {
    id.chars().enumerate().map(|(i, c)| if i % 2 == 0 { c.to_ascii_uppercase() } else { c }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oracle::text::is_canonical_uuid;

    #[test]
    fn ids_are_canonical_lower_case_and_distinct_per_owner() {
        let a = id(Kind::Client, A, 1);
        assert!(is_canonical_uuid(&a) && a == a.to_ascii_lowercase(), "{a}");
        assert_ne!(a, id(Kind::Client, B, 1));
        assert_ne!(a, id(Kind::User, A, 1));
        assert_ne!(upper(&a), a);
        assert!(is_canonical_uuid(&admin_install(B)));
        World::new(3).fixture.validate().unwrap();
    }
}
