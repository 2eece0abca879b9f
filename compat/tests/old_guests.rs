//! Old guests on the current host: for every released version in `compat/`, a probe guest
//! generated from that version's frozen WIT runs on the current reference host (SPEC.md
//! section 10: hosts serve every released version).
//!
//! Two tests per release: every function of the old probe answers on a small fixture with
//! the records it holds, in that release's shapes (the fixture's catalog item has prices:
//! a release that predates them must not see them), and the conformance suite's REQUIRED
//! checks pass through the old probe (the calls aimed at the old version's interface names).
//!
//! The suite runs every version in its own shapes (`alga_conformance::shapes`, driven by
//! the two WITs): an input field the release lacks is left out, an answer must have exactly
//! the release's fields, and the oracle judges a release's guest on the data it sees (a 0.1
//! guest sees no prices). So the 0.1 rules are checked on exactly what a 0.1 guest receives,
//! and VER-1 (0.1 guests of a 0.2 host) is judged on the 0.1 run.

use alga_compat::releases;
use alga_conformance::runner::{self, CheckStatus, Quiet, RunConfig};
use alga_conformance_protocol::fixture::{Client, Install, Price, Service, Tenant};
use alga_conformance_protocol::{Call, ExecutionContext, Fixture, Outcome, Testee};
use alga_extension_contract::probe::{self, Probe};
use alga_extension_contract::types::{BillingMethod, ClientType, ItemKind};
use alga_reference_host::ReferenceTestee;
use serde_json::json;
use wit_parser::{PackageName, Resolve};

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

#[test]
fn every_release_passes_the_required_conformance_checks_on_the_current_host() {
    for release in releases() {
        let probe = release_probe(&release);
        // The suite sends calls and reads answers in each release's own shapes
        // (`alga_conformance::shapes`) and judges a release before 0.2.0 on the data its
        // guests see (no prices).
        let mut host = host_serving(&release.version);
        let info = host.info().expect("the reference host describes itself");
        host.load_probe(&probe.component)
            .unwrap_or_else(|e| panic!("the current host refuses the probe of {}: {e}", release.version));
        let mut config = RunConfig::new(0x0c0_4a71);
        config.contract_version = release.version.to_string();
        config.required_only = true;
        config.cases = 16;
        let result = runner::run(&mut host, info, &config, &mut Quiet).unwrap_or_else(|e| {
            panic!("the conformance run of release {} could not run: {e}", release.version)
        });
        let mut ran = 0;
        let mut failures = Vec::new();
        for check in &result.checks {
            match &check.status {
                CheckStatus::Pass => ran += 1,
                CheckStatus::NotRun | CheckStatus::NotApplicable(_) => {}
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
