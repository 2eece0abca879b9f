//! The oracle against SPEC.md by hand: every row of the boundary table (section 9) and the
//! rules of section 4, on a small fixture whose expected answers are written out here.

use super::*;
use alga_conformance_protocol::fixture::{Client, Install, Permission, Role, Service, Tenant, User};
use alga_conformance_protocol::{ContextUser, UserType};
use alga_extension_contract::types::{BillingMethod, ClientListInput, ItemKind, ServiceListInput};

const T1: &str = "10000000-0000-4000-8000-000000000001";
const T2: &str = "20000000-0000-4000-8000-000000000002";
const INSTALL: &str = "1a000000-0000-4000-8000-00000000000a";
const NO_CLIENT_CAP: &str = "1b000000-0000-4000-8000-00000000000b";
const LENIENT: &str = "1c000000-0000-4000-8000-00000000000c";
const ACME: &str = "3f2504e0-4f89-11d3-9a0c-0305e82c3301";
const ACME_UPPER: &str = "3F2504E0-4F89-11D3-9A0C-0305E82C3301";
const FIFTY: &str = "c0000000-0000-4000-8000-0000000000c2";
const FIVE_HUNDRED: &str = "c0000000-0000-4000-8000-0000000000c3";
const INACTIVE: &str = "c0000000-0000-4000-8000-0000000000c4";
const OTHER_TENANT_CLIENT: &str = "c0000000-0000-4000-8000-0000000000c9";
const STAFF: &str = "e0000000-0000-4000-8000-0000000000e1";
const PORTAL: &str = "e0000000-0000-4000-8000-0000000000e2";
const NO_ROLES: &str = "e0000000-0000-4000-8000-0000000000e3";

fn client(id: &str, name: &str) -> Client {
    Client {
        client_id: id.into(),
        client_name: name.into(),
        client_type: None,
        is_inactive: false,
        default_currency_code: "USD".into(),
        account_manager_id: None,
        billing_email: None,
        tags: vec![],
    }
}

fn user(id: &str, user_type: UserType, roles: &[&str], client_id: Option<&str>) -> User {
    User {
        user_id: id.into(),
        first_name: " Ann".into(),
        last_name: "".into(),
        email: "a@example.com".into(),
        user_type,
        is_inactive: false,
        client_id: client_id.map(str::to_string),
        role_ids: roles.iter().map(|r| r.to_string()).collect(),
    }
}

fn fixture() -> Fixture {
    let mut acme = client(ACME, "Acme");
    acme.account_manager_id = Some(STAFF.into());
    acme.tags = vec!["vip".into(), "VIP".into(), "vip".into()];
    acme.billing_email = Some("Billing@Acme.com".into());
    let mut inactive = client(INACTIVE, "acme old");
    inactive.is_inactive = true;
    let t1 = Tenant {
        tenant_id: T1.into(),
        permissions: vec![Permission {
            permission_id: "f0000000-0000-4000-8000-000000000001".into(),
            resource: "client".into(),
            action: "read".into(),
            msp: true,
            client: true,
        }],
        roles: vec![Role {
            role_id: "a0000000-0000-4000-8000-0000000000a1".into(),
            role_name: "Reader".into(),
            permission_ids: vec!["f0000000-0000-4000-8000-000000000001".into()],
        }],
        users: vec![
            user(STAFF, UserType::Internal, &["a0000000-0000-4000-8000-0000000000a1"], None),
            user(PORTAL, UserType::Client, &["a0000000-0000-4000-8000-0000000000a1"], Some(FIFTY)),
            user(NO_ROLES, UserType::Internal, &[], None),
        ],
        clients: vec![acme, client(FIFTY, "save 50% now"), client(FIVE_HUNDRED, "500 club"), inactive],
        services: vec![Service {
            service_id: "50000000-0000-4000-8000-000000000005".into(),
            service_name: "Backup".into(),
            description: Some("managed backup".into()),
            item_kind: ItemKind::Service,
            billing_method: BillingMethod::Hourly,
            service_type_id: None,
            default_rate_cents: 1250,
            unit_of_measure: "hour".into(),
            is_active: false,
            sku: None,
            prices: Vec::new(),
        }],
        installs: vec![
            Install {
                install_id: INSTALL.into(),
                granted_capabilities: vec!["cap:client.read".into(), "cap:service.read".into()],
            },
            Install {
                install_id: NO_CLIENT_CAP.into(),
                granted_capabilities: vec!["cap:service.read".into()],
            },
            Install { install_id: LENIENT.into(), granted_capabilities: vec![" CAP:Client.Read ".into()] },
        ],
        ..Tenant::default()
    };
    let t2 = Tenant {
        tenant_id: T2.into(),
        clients: vec![client(OTHER_TENANT_CLIENT, "Acme")],
        installs: vec![Install {
            install_id: "2a000000-0000-4000-8000-00000000000a".into(),
            granted_capabilities: vec!["cap:client.read".into()],
        }],
        ..Tenant::default()
    };
    let fixture = Fixture { tenants: vec![t1, t2] };
    fixture.validate().unwrap();
    fixture
}

fn context(install: &str, user: Option<(&str, UserType)>) -> ExecutionContext {
    ExecutionContext {
        tenant_id: T1.into(),
        install_id: install.into(),
        user: user.map(|(id, user_type)| ContextUser { user_id: id.into(), user_type }),
    }
}

fn expect_in(ctx: &ExecutionContext, call: Call) -> Expected {
    super::expect(&fixture(), ctx, &call, Reading::Required).unwrap()
}

fn list(input: ClientListInput) -> Expected {
    expect_in(&context(INSTALL, None), Call::list_clients(&input))
}

fn ids(expected: &Expected) -> Vec<String> {
    expected.answer().expect("an ok answer").ids().into_iter().map(str::to_string).collect()
}

fn invalid_fields(expected: &Expected) -> Vec<&'static str> {
    match expected {
        Expected::InvalidInput(fields) => fields.iter().map(|f| f.field).collect(),
        other => panic!("expected invalid-input, got {other:?}"),
    }
}

fn search(text: &str) -> Expected {
    list(ClientListInput { search: Some(text.into()), ..Default::default() })
}

#[test]
fn defaults_active_clients_in_order() {
    let expected = list(ClientListInput::default());
    assert_eq!(expected.answer().unwrap().paging(), Some((3, 1, 25)));
    // "500 club" < "acme" < "save 50% now" by folded code points; inactive left out.
    assert_eq!(ids(&expected), [FIVE_HUNDRED, ACME, FIFTY]);
    let all = list(ClientListInput { include_inactive: Some(true), ..Default::default() });
    assert_eq!(ids(&all), [FIVE_HUNDRED, ACME, INACTIVE, FIFTY]);
}

#[test]
fn paging_bounds() {
    let page = |page: u32| list(ClientListInput { page: Some(page), ..Default::default() });
    let size = |size: u32| list(ClientListInput { page_size: Some(size), ..Default::default() });
    assert_eq!(invalid_fields(&page(0)), ["page"]);
    assert_eq!(invalid_fields(&page(10_001)), ["page"]);
    assert_eq!(page(10_000).answer().unwrap().paging(), Some((3, 10_000, 25)));
    assert!(ids(&page(10_000)).is_empty());
    assert_eq!(invalid_fields(&size(0)), ["page-size"]);
    assert_eq!(invalid_fields(&size(101)), ["page-size"]);
    assert_eq!(ids(&size(100)).len(), 3);
    let second = list(ClientListInput { page: Some(2), page_size: Some(2), ..Default::default() });
    assert_eq!(ids(&second), [FIFTY]);
    assert_eq!(second.answer().unwrap().paging(), Some((3, 2, 2)));
}

#[test]
fn search_bounds_and_trimming() {
    assert_eq!(ids(&search("")), ids(&list(ClientListInput::default())));
    assert_eq!(ids(&search("   ")), ids(&list(ClientListInput::default())));
    assert!(search(&format!(" \t{}\n", "x".repeat(200))).answer().is_some());
    assert_eq!(invalid_fields(&search(&"x".repeat(201))), ["search"]);
    assert_eq!(invalid_fields(&search(&"x".repeat(1 << 20))), ["search"]);
    assert_eq!(invalid_fields(&search("a\0b")), ["search"]);
    assert_eq!(invalid_fields(&search("a\tb")), ["search"]);
    assert_eq!(ids(&search("\tacme\n")), ids(&search("acme")));
    assert_eq!(ids(&search("ACME")), [ACME]);
}

#[test]
fn search_matches_emails_ids_and_literal_wildcards() {
    assert_eq!(ids(&search("billing@acme")), [ACME]);
    assert_eq!(ids(&search(ACME_UPPER)), [ACME]);
    assert_eq!(ids(&search("50%")), [FIFTY]);
    assert!(ids(&search("5_0")).is_empty());
    assert!(ids(&search("%")).contains(&FIFTY.to_string()) && ids(&search("%")).len() == 1);
    // Another tenant's client id finds nothing here (CTX-1).
    assert!(ids(&search(OTHER_TENANT_CLIENT)).is_empty());
}

#[test]
fn get_by_id() {
    let get = |id: &str| expect_in(&context(INSTALL, None), Call::get_client(id));
    let found = get(ACME_UPPER);
    let Some(Answer::Client(Some(summary))) = found.answer() else { panic!("{found:?}") };
    assert_eq!(summary.client_id, ACME);
    assert_eq!(summary.tags, ["VIP", "vip"]);
    assert_eq!(summary.account_manager_name.as_deref(), Some("Ann"));
    assert_eq!(invalid_fields(&get(&format!(" {ACME}"))), ["client-id"]);
    assert_eq!(invalid_fields(&get(&format!("{{{ACME}}}"))), ["client-id"]);
    assert_eq!(invalid_fields(&get(&ACME.replace('-', ""))), ["client-id"]);
    assert_eq!(invalid_fields(&get(&ACME[..35])), ["client-id"]);
    assert_eq!(get("00000000-0000-0000-0000-000000000000"), Expected::Ok(Answer::Client(None)));
    assert_eq!(get(OTHER_TENANT_CLIENT), Expected::Ok(Answer::Client(None)));
    assert_eq!(get(INACTIVE).answer().map(|a| a.ids().len()), Some(1));
}

#[test]
fn services_rate_and_filters() {
    let ctx = context(INSTALL, None);
    let all = expect_in(&ctx, Call::list_services(&ServiceListInput::default()));
    let Some(Answer::ServicePage(page)) = all.answer() else { panic!() };
    assert_eq!(page.items[0].default_rate, 1250.0);
    let active = expect_in(
        &ctx,
        Call::list_services(&ServiceListInput { is_active: Some(true), ..Default::default() }),
    );
    assert!(ids(&active).is_empty());
    let by_description = expect_in(
        &ctx,
        Call::list_services(&ServiceListInput { search: Some("MANAGED".into()), ..Default::default() }),
    );
    assert_eq!(ids(&by_description).len(), 1);
}

#[test]
fn capability_before_user_before_input() {
    let bad_input = Call::list_clients(&ClientListInput { page: Some(0), ..Default::default() });
    assert_eq!(expect_in(&context(NO_CLIENT_CAP, None), bad_input.clone()), Expected::NotAllowed);
    assert_eq!(
        expect_in(&context(INSTALL, Some((NO_ROLES, UserType::Internal))), bad_input.clone()),
        Expected::NotAllowed
    );
    assert_eq!(
        invalid_fields(&expect_in(&context(INSTALL, Some((STAFF, UserType::Internal))), bad_input)),
        ["page"]
    );
    // The capability of another kind grants nothing (CAP-1); another tenant's install
    // grants nothing (CTX-2).
    assert_eq!(expect_in(&context(NO_CLIENT_CAP, None), Call::get_client(ACME)), Expected::NotAllowed);
    assert_eq!(
        expect_in(&context("2a000000-0000-4000-8000-00000000000a", None), Call::get_client(ACME)),
        Expected::NotAllowed
    );
}

#[test]
fn users() {
    // AUTH-2: unknown, wrong type.
    assert_eq!(
        expect_in(&context(INSTALL, Some((PORTAL, UserType::Internal))), Call::get_client(ACME)),
        Expected::NotAllowed
    );
    assert_eq!(
        expect_in(&context(INSTALL, Some((ACME, UserType::Internal))), Call::get_client(ACME)),
        Expected::NotAllowed
    );
    // AUTH-1: the role grants client:read but not service:read.
    let staff = context(INSTALL, Some((STAFF, UserType::Internal)));
    assert!(expect_in(&staff, Call::get_client(ACME)).answer().is_some());
    assert_eq!(expect_in(&staff, Call::list_services(&ServiceListInput::default())), Expected::NotAllowed);
    // AUTH-4: the portal user sees their own client only.
    let portal = context(INSTALL, Some((PORTAL, UserType::Client)));
    assert_eq!(ids(&expect_in(&portal, Call::list_clients(&ClientListInput::default()))), [FIFTY]);
    assert_eq!(expect_in(&portal, Call::get_client(ACME)), Expected::Ok(Answer::Client(None)));
    assert_eq!(ids(&expect_in(&portal, Call::get_client(FIFTY))), [FIFTY]);
}

#[test]
fn lenient_capability_names_are_open_under_required_rules_only() {
    let call = Call::get_client(ACME);
    let required = super::expect(&fixture(), &context(LENIENT, None), &call, Reading::Required).unwrap();
    assert_eq!(required.alternatives().len(), 2);
    assert!(required.alternatives().contains(&&Expected::NotAllowed));
    let recommended =
        super::expect(&fixture(), &context(LENIENT, None), &call, Reading::Recommended).unwrap();
    assert!(recommended.answer().is_some());
}
