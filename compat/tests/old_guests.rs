//! Old guests on the current host: for every released version in `compat/`, a probe guest
//! generated from that version's frozen WIT runs on the current reference host (SPEC.md
//! section 10: hosts serve every released version).
//!
//! Two tests per release: every function of the old probe answers on a small fixture with
//! the records it holds, in that release's shapes (the fixture's catalog item has prices:
//! a release that predates them must not see them), and the conformance suite's REQUIRED
//! checks pass through the old probe (the calls aimed at the old version's interface names).
//!
//! The suite builds its calls and reads its answers in the newest contract's JSON. For a
//! release on an older track, [`ReleaseTestee`] translates between the two, driven by the
//! two WITs: an input field the release lacks must be absent (`none`) and is left out; an
//! answer must have exactly the release's fields, and a field only the newest has is filled
//! with its empty value (`none`, an empty list) before the suite reads it. So the 0.1
//! rules are checked on exactly what a 0.1 guest receives. (Once the suite runs every
//! version in its own shapes, this translation goes.)

use alga_compat::releases;
use alga_conformance::runner::{self, CheckStatus, Quiet, RunConfig};
use alga_conformance_protocol::fixture::{Client, Install, Price, Service, Tenant};
use alga_conformance_protocol::{Call, ExecutionContext, Fixture, Outcome, Testee, TesteeError, TesteeInfo};
use alga_extension_contract::host::dynamic::lower_camel;
use alga_extension_contract::probe::{self, Probe};
use alga_extension_contract::types::{BillingMethod, ClientType, ItemKind};
use alga_reference_host::ReferenceTestee;
use serde_json::{Value as Json, json};
use wit_parser::{Function, PackageName, Resolve, Type, TypeDefKind, WorldId, WorldItem};

const TENANT: &str = "6f1c2a4e-0000-4000-8000-000000000001";
const INSTALL: &str = "6f1c2a4e-0000-4000-8000-0000000000aa";
const CLIENT: &str = "6f1c2a4e-0000-4000-8000-0000000000c1";
const SERVICE: &str = "6f1c2a4e-0000-4000-8000-0000000000e1";

/// The probe of a release, generated from its frozen WIT.
fn release_probe(release: &alga_compat::Release) -> Probe {
    let mut resolve = Resolve::default();
    let (package, _) = resolve
        .push_dir(&release.wit_dir)
        .unwrap_or_else(|e| panic!("the frozen WIT of {} does not parse: {e:#}", release.version));
    let world = resolve.select_world(&[package], Some("reader")).expect("every release has world `reader`");
    probe::generate(&resolve, world).unwrap_or_else(|e| panic!("no probe for {}: {e:#}", release.version))
}

/// The reference host (embedded SQLite), checked to serve `version`'s semver track.
fn host_serving(version: &semver::Version) -> ReferenceTestee {
    let mut testee = ReferenceTestee::in_memory_sqlite().expect("the reference host starts on SQLite");
    let served = testee.info().expect("the reference host describes itself").contract_versions;
    let track = |v: &semver::Version| PackageName::version_compat_track_string(v).0;
    assert!(
        served.iter().filter_map(|v| semver::Version::parse(v).ok()).any(|v| track(&v) == track(version)),
        "the reference host serves {served:?}, none on the track of released version {version}; a released \
         version must stay served (see reference-host/src/versions.rs)"
    );
    testee
}

fn fixture() -> Fixture {
    Fixture {
        tenants: vec![Tenant {
            tenant_id: TENANT.into(),
            tenant_name: "Old guests".into(),
            clients: vec![Client {
                client_id: CLIENT.into(),
                client_name: "Acme".into(),
                client_type: Some(ClientType::Company),
                is_inactive: false,
                default_currency_code: "USD".into(),
                account_manager_id: None,
                billing_email: Some("billing@acme.example".into()),
                tags: vec!["vip".into()],
            }],
            services: vec![Service {
                service_id: SERVICE.into(),
                service_name: "Backup".into(),
                description: None,
                item_kind: ItemKind::Service,
                billing_method: BillingMethod::Fixed,
                service_type_id: None,
                default_rate_cents: 1999,
                unit_of_measure: "month".into(),
                is_active: true,
                sku: Some("BK-1".into()),
                prices: vec![
                    Price { currency_code: "USD".into(), rate_minor_units: 2100 },
                    Price { currency_code: "EUR".into(), rate_minor_units: 1899 },
                ],
            }],
            installs: vec![Install {
                install_id: INSTALL.into(),
                granted_capabilities: vec!["cap:client.read".into(), "cap:service.read".into()],
            }],
            ..Tenant::default()
        }],
    }
}

/// A catalog item as release `version` sees it: prices from 0.2.0 on (ordered by currency
/// code), no such field before.
fn assert_prices(version: &semver::Version, item: &serde_json::Value) {
    if *version >= semver::Version::new(0, 2, 0) {
        let expected =
            json!([{"currencyCode": "EUR", "rate": 1899.0}, {"currencyCode": "USD", "rate": 2100.0}]);
        let prices = &item["prices"];
        let same = prices.as_array().is_some_and(|p| {
            p.len() == 2
                && p.iter().zip(expected.as_array().unwrap()).all(|(a, b)| {
                    a["currencyCode"] == b["currencyCode"] && a["rate"].as_f64() == b["rate"].as_f64()
                })
        });
        assert!(same, "release {version}: prices {prices}");
    } else {
        assert!(item.get("prices").is_none(), "release {version} predates prices: {item}");
    }
}

#[test]
fn every_function_of_every_release_answers_on_the_current_host() {
    let releases = releases();
    assert!(!releases.is_empty(), "compat/ holds no release");
    for release in releases {
        let probe = release_probe(&release);
        let mut host = host_serving(&release.version);
        host.load_probe(&probe.component)
            .unwrap_or_else(|e| panic!("the current host refuses the probe of {}: {e}", release.version));
        host.load_fixture(&fixture()).expect("the fixture loads");
        let context = ExecutionContext { tenant_id: TENANT.into(), install_id: INSTALL.into(), user: None };
        let mut called = Vec::new();
        for function in &probe.functions {
            let args = match function.function.as_str() {
                "list-clients" | "list-services" => vec![json!({})],
                "get-client" => vec![json!(CLIENT)],
                "get-service" => vec![json!(SERVICE)],
                other => panic!(
                    "release {} has function `{other}`, which this test does not know how to call; add it here",
                    release.version
                ),
            };
            let call =
                Call { interface: function.interface.clone(), function: function.function.clone(), args };
            let outcome = host.call(&context, &call);
            let Outcome::Value { value } = &outcome else {
                panic!("release {}: {} returned {outcome:?}", release.version, call.display())
            };
            match function.function.as_str() {
                "list-clients" => {
                    assert_eq!(value["totalCount"], json!(1), "{value}");
                    assert_eq!(value["items"][0]["clientId"], json!(CLIENT), "{value}");
                    assert_eq!(value["items"][0]["tags"], json!(["vip"]), "{value}");
                }
                "get-client" => assert_eq!(value["clientName"], json!("Acme"), "{value}"),
                "list-services" => {
                    assert_eq!(value["totalCount"], json!(1), "{value}");
                    assert_eq!(value["items"][0]["defaultRate"].as_f64(), Some(1999.0), "{value}");
                    assert_prices(&release.version, &value["items"][0]);
                }
                "get-service" => {
                    assert_eq!(value["sku"], json!("BK-1"), "{value}");
                    assert_prices(&release.version, value);
                }
                _ => unreachable!(),
            }
            called.push(function.function.clone());
        }
        called.sort();
        assert_eq!(
            called,
            ["get-client", "get-service", "list-clients", "list-services"],
            "release {}",
            release.version
        );
    }
}

/// A contract's WIT and its world `reader`.
struct Shapes {
    resolve: Resolve,
    world: WorldId,
}

impl Shapes {
    fn newest() -> Shapes {
        let contract = alga_extension_contract::wit::contract().expect("the contract's WIT parses");
        Shapes { resolve: contract.resolve, world: contract.reader }
    }

    fn of(release: &alga_compat::Release) -> Shapes {
        let mut resolve = Resolve::default();
        let (package, _) = resolve.push_dir(&release.wit_dir).expect("the frozen WIT parses");
        let world = resolve.select_world(&[package], Some("reader")).expect("world `reader`");
        Shapes { resolve, world }
    }

    /// Function `name` of the imported interface `interface` (e.g. `services`).
    fn function(&self, interface: &str, name: &str) -> Option<&Function> {
        self.resolve.worlds[self.world].imports.values().find_map(|item| match item {
            WorldItem::Interface { id, .. }
                if self.resolve.interfaces[*id].name.as_deref() == Some(interface) =>
            {
                self.resolve.interfaces[*id].functions.get(name)
            }
            _ => None,
        })
    }

    /// The definition behind `ty`, through aliases.
    fn kind<'a>(&'a self, ty: &Type) -> Option<&'a TypeDefKind> {
        match ty {
            Type::Id(id) => match &self.resolve.types[*id].kind {
                TypeDefKind::Type(inner) => self.kind(inner),
                kind => Some(kind),
            },
            _ => None,
        }
    }
}

/// Which way a value crosses between the newest JSON and a release's.
#[derive(Clone, Copy, PartialEq)]
enum Direction {
    /// An input the suite built for the newest contract, sent to a release's guest.
    ToRelease,
    /// An answer of a release's guest, read by the suite as the newest contract's.
    FromRelease,
}

/// Rewrites `value` of the newest type `newest` / release type `old` in `direction`.
fn translate(
    shapes: (&Shapes, &Shapes),
    (newest, old): (&Type, &Type),
    value: &mut Json,
    direction: Direction,
) -> Result<(), String> {
    let (new_shapes, old_shapes) = shapes;
    match (new_shapes.kind(newest), old_shapes.kind(old)) {
        (Some(TypeDefKind::Record(n)), Some(TypeDefKind::Record(o))) => {
            let Some(object) = value.as_object_mut() else { return Ok(()) };
            for field in &n.fields {
                let key = lower_camel(&field.name);
                match o.fields.iter().find(|f| f.name == field.name) {
                    Some(old_field) => {
                        if let Some(inner) = object.get_mut(&key) {
                            translate(shapes, (&field.ty, &old_field.ty), inner, direction)?;
                        }
                    }
                    None if direction == Direction::ToRelease => match object.remove(&key) {
                        None | Some(Json::Null) => {}
                        Some(sent) => {
                            return Err(format!(
                                "`{key}` = {sent}, which a guest of this release cannot send"
                            ));
                        }
                    },
                    None => {
                        if object.contains_key(&key) {
                            return Err(format!("the answer has `{key}`, which this release does not know"));
                        }
                        let empty = match new_shapes.kind(&field.ty) {
                            Some(TypeDefKind::Option(_)) => Json::Null,
                            Some(TypeDefKind::List(_)) => json!([]),
                            _ => return Err(format!("no empty value for the newer field `{key}`")),
                        };
                        object.insert(key, empty);
                    }
                }
            }
            Ok(())
        }
        (Some(TypeDefKind::Option(n)), Some(TypeDefKind::Option(o))) if !value.is_null() => {
            translate(shapes, (n, o), value, direction)
        }
        (Some(TypeDefKind::List(n)), Some(TypeDefKind::List(o))) => {
            for item in value.as_array_mut().into_iter().flatten() {
                translate(shapes, (n, o), item, direction)?;
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

/// The reference host as the suite sees it when it drives the probe of a release on an
/// older track (see the module documentation).
struct ReleaseTestee {
    host: ReferenceTestee,
    newest: Shapes,
    release: Shapes,
}

/// The `ok` type of a function's result (the result itself when it is not a `result`).
fn ok_type(shapes: &Shapes, function: &Function) -> Option<Type> {
    let ty = function.result.as_ref()?;
    match shapes.kind(ty) {
        Some(TypeDefKind::Result(result)) => result.ok,
        _ => Some(*ty),
    }
}

impl ReleaseTestee {
    /// The function `call` names, in the newest contract and in the release.
    fn functions(&self, call: &Call) -> Result<(&Function, &Function), Outcome> {
        let (interface, name) = (call.interface_name(), call.function.as_str());
        match (self.newest.function(interface, name), self.release.function(interface, name)) {
            (Some(newest), Some(old)) => Ok((newest, old)),
            _ => {
                Err(Outcome::HostFailure { message: format!("{interface}.{name} is not in both contracts") })
            }
        }
    }

    /// `call` as a guest of the release sends it.
    fn call_as_release(&self, call: &Call) -> Result<Call, Outcome> {
        let (newest, old) = self.functions(call)?;
        let mut sent = call.clone();
        for (arg, (n, o)) in sent.args.iter_mut().zip(newest.params.iter().zip(&old.params)) {
            translate((&self.newest, &self.release), (&n.ty, &o.ty), arg, Direction::ToRelease).map_err(
                |problem| Outcome::HostFailure { message: format!("{}: {problem}", call.display()) },
            )?;
        }
        Ok(sent)
    }

    /// The release's `outcome` of `call` as the suite reads it.
    fn answer_as_newest(&self, call: &Call, outcome: Outcome) -> Outcome {
        let Outcome::Value { mut value } = outcome else { return outcome };
        let (newest, old) = match self.functions(call) {
            Ok(functions) => functions,
            Err(failure) => return failure,
        };
        let (Some(n), Some(o)) = (ok_type(&self.newest, newest), ok_type(&self.release, old)) else {
            return Outcome::Value { value };
        };
        match translate((&self.newest, &self.release), (&n, &o), &mut value, Direction::FromRelease) {
            Ok(()) => Outcome::Value { value },
            Err(problem) => Outcome::HostFailure { message: format!("{}: {problem}", call.display()) },
        }
    }
}

impl Testee for ReleaseTestee {
    fn info(&mut self) -> Result<TesteeInfo, TesteeError> {
        self.host.info()
    }
    fn load_probe(&mut self, component: &[u8]) -> Result<(), TesteeError> {
        self.host.load_probe(component)
    }
    fn load_fixture(&mut self, fixture: &Fixture) -> Result<(), TesteeError> {
        self.host.load_fixture(fixture)
    }
    fn call(&mut self, context: &ExecutionContext, call: &Call) -> Outcome {
        match self.call_as_release(call) {
            Ok(sent) => {
                let outcome = self.host.call(context, &sent);
                self.answer_as_newest(call, outcome)
            }
            Err(refused) => refused,
        }
    }
    fn call_concurrently(&mut self, calls: &[(ExecutionContext, Call)]) -> Vec<Outcome> {
        let mut sent = Vec::with_capacity(calls.len());
        for (context, call) in calls {
            match self.call_as_release(call) {
                Ok(call) => sent.push((context.clone(), call)),
                Err(refused) => return vec![refused; calls.len()],
            }
        }
        let outcomes = self.host.call_concurrently(&sent);
        calls.iter().zip(outcomes).map(|((_, call), outcome)| self.answer_as_newest(call, outcome)).collect()
    }
    fn set_store_outage(&mut self, down: bool) -> Result<(), TesteeError> {
        self.host.set_store_outage(down)
    }
    fn reset(&mut self) -> Result<(), TesteeError> {
        self.host.reset()
    }
}

#[test]
fn every_release_passes_the_required_conformance_checks_on_the_current_host() {
    let newest_track = PackageName::version_compat_track_string(
        &semver::Version::parse(alga_extension_contract::CONTRACT_VERSION).unwrap(),
    )
    .0;
    for release in releases() {
        let probe = release_probe(&release);
        let host = host_serving(&release.version);
        let same_track = PackageName::version_compat_track_string(&release.version).0 == newest_track;
        let mut host: Box<dyn Testee> = if same_track {
            Box::new(host)
        } else {
            Box::new(ReleaseTestee { host, newest: Shapes::newest(), release: Shapes::of(&release) })
        };
        let info = host.info().expect("the reference host describes itself");
        host.load_probe(&probe.component)
            .unwrap_or_else(|e| panic!("the current host refuses the probe of {}: {e}", release.version));
        let mut config = RunConfig::new(0x0c0_4a71);
        config.contract_version = release.version.to_string();
        config.required_only = true;
        config.cases = 16;
        let result = runner::run(&mut *host, info, &config, &mut Quiet).unwrap_or_else(|e| {
            panic!("the conformance run of release {} could not run: {e}", release.version)
        });
        let mut ran = 0;
        let mut failures = Vec::new();
        for check in &result.checks {
            match &check.status {
                CheckStatus::Pass => ran += 1,
                CheckStatus::NotRun => {}
                CheckStatus::Fail(failure) => {
                    failures.push(format!("{}: {}", check.check.id, failure.mismatch.message))
                }
                CheckStatus::Unverified(why) => {
                    failures.push(format!("{} unverified: {why}", check.check.id))
                }
            }
        }
        assert!(
            failures.is_empty(),
            "release {} on the current host:\n{}",
            release.version,
            failures.join("\n")
        );
        assert!(ran > 0, "no REQUIRED check ran for release {}", release.version);
        eprintln!("release {}: {ran} REQUIRED checks passed on the current host", release.version);
    }
}
