//! The PostgreSQL store's own tests of what only it has: the collation it relies on,
//! row-level security, migrations under concurrency, the statement timeout. They need a
//! PostgreSQL from the provisioning ladder and fail (never skip) without one.

use super::*;
use crate::demo::{self, DemoConfig};
use crate::provision::{self, PostgresServer, TestDatabase};

/// A store on a database of its own; fields drop in order: store, database, server.
struct Fixture {
    store: PostgresStore,
    database: TestDatabase,
    _server: PostgresServer,
}

fn fresh(prefix: &str, options: PostgresOptions) -> Fixture {
    let server = provision::postgres_server().unwrap_or_else(|err| panic!("{err}"));
    let database = server.fresh_database(prefix).unwrap_or_else(|err| panic!("{err}"));
    let store = PostgresStore::connect_with(database.url(), options).unwrap_or_else(|err| panic!("{err}"));
    Fixture { store, database, _server: server }
}

#[test]
fn the_c_collation_folds_and_orders_as_spec_section_2_says() {
    let f = fresh("store_collation", PostgresOptions::default());
    let mut client: postgres::Client =
        f.database.url().parse::<postgres::Config>().unwrap().connect(postgres::NoTls).unwrap();
    let row = client
        .query_one(
            r#"SELECT lower('ÉCOLE MüLLER ABC' COLLATE "C"), 'B' COLLATE "C" < 'a', 'z' COLLATE "C" < 'é',
                      lower('ab_c' COLLATE "C") LIKE '%b\_c%' ESCAPE '\', 'axc' LIKE '%x\_c%' ESCAPE '\'"#,
            &[],
        )
        .unwrap();
    assert_eq!(row.get::<_, String>(0), "École müller abc", "only A-Z fold");
    assert!(row.get::<_, bool>(1), "code point order: 'B' < 'a'");
    assert!(row.get::<_, bool>(2), "code point order: 'z' < 'é'");
    assert!(row.get::<_, bool>(3), "an escaped _ matches itself");
    assert!(!row.get::<_, bool>(4), "an escaped _ matches nothing else");
}

#[test]
fn row_level_security_hides_other_tenants_when_a_query_forgets_the_tenant() {
    let f = fresh("store_rls", PostgresOptions::default());
    let fixture = demo::generate(&DemoConfig { tenants: 3, clients_per_tenant: 20, ..DemoConfig::default() });
    f.store.load_fixture(&fixture).unwrap();
    let mut everyone = f.store.client_ids_as_owner().unwrap();
    everyone.sort();
    assert_eq!(everyone.len(), 60, "without RLS the unfiltered query returns every tenant's clients");
    for tenant in &fixture.tenants {
        let mut seen = f.store.client_ids_without_tenant_filter(&tenant.tenant_id).unwrap();
        seen.sort();
        let mut own: Vec<String> = tenant.clients.iter().map(|c| c.client_id.clone()).collect();
        own.sort();
        assert_eq!(seen, own, "RLS lets the reader see exactly tenant {}'s clients", tenant.tenant_id);
    }
    let nobody = f.store.client_ids_without_tenant_filter("00000000-0000-4000-8000-000000000000").unwrap();
    assert!(nobody.is_empty(), "an unknown tenant sees nothing: {nobody:?}");
}

#[test]
fn migrations_run_once_even_when_hosts_connect_at_the_same_time() {
    let f = fresh("store_migrate", PostgresOptions::default());
    let url = f.database.url().to_string();
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let url = url.clone();
            std::thread::spawn(move || PostgresStore::connect(&url).map(|_| ()))
        })
        .collect();
    for handle in handles {
        handle.join().unwrap().unwrap();
    }
    let mut client: postgres::Client =
        url.parse::<postgres::Config>().unwrap().connect(postgres::NoTls).unwrap();
    let versions: Vec<i32> = client
        .query("SELECT version FROM alga_schema_migrations ORDER BY version", &[])
        .unwrap()
        .iter()
        .map(|row| row.get(0))
        .collect();
    let expected: Vec<i32> = migrations::MIGRATIONS.iter().map(|m| m.version).collect();
    assert_eq!(versions, expected);
}

#[test]
fn a_stuck_query_ends_as_unavailable_and_the_store_keeps_serving() {
    let options =
        PostgresOptions { statement_timeout: Duration::from_millis(100), ..PostgresOptions::default() };
    let f = fresh("store_timeout", options);
    let tenant = "00000000-0000-4000-8000-000000000001";
    let slow = Statement { text: "SELECT pg_sleep(5)::text".into(), params: vec![] };
    let started = std::time::Instant::now();
    let err = f.store.query(tenant, &slow).unwrap_err();
    assert!(matches!(&err, StoreError::Unavailable(text) if text.contains("statement timeout")), "{err}");
    assert!(started.elapsed() < Duration::from_secs(3), "the timeout cut the query short");
    f.store.install_capabilities(tenant, tenant).unwrap();
}

#[test]
fn a_load_that_fails_midway_leaves_the_previous_data() {
    let f = fresh("store_atomic", PostgresOptions::default());
    let fixture = demo::generate(&DemoConfig { tenants: 1, clients_per_tenant: 15, ..DemoConfig::default() });
    f.store.load_fixture(&fixture).unwrap();
    // Every fixture that passes Fixture::validate fits the schema, so make the database
    // refuse one row of the last tables written, after the clients are already in.
    let mut client: postgres::Client =
        f.database.url().parse::<postgres::Config>().unwrap().connect(postgres::NoTls).unwrap();
    client
        .batch_execute(
            "CREATE FUNCTION refuse_boom() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
                 IF NEW.service_name = 'boom' THEN
                     RAISE EXCEPTION 'refusing %', NEW.service_name USING ERRCODE = 'check_violation';
                 END IF;
                 RETURN NEW;
             END $$;
             CREATE TRIGGER refuse_boom BEFORE INSERT ON service_catalog FOR EACH ROW EXECUTE FUNCTION refuse_boom();",
        )
        .unwrap();
    let mut next =
        demo::generate(&DemoConfig { seed: 9, tenants: 2, clients_per_tenant: 30, ..DemoConfig::default() });
    next.tenants[1].services[5].service_name = "boom".into();
    let err = f.store.load_fixture(&next).unwrap_err();
    assert!(matches!(&err, StoreError::Rejected(text) if text.contains("refusing boom")), "{err}");
    let mut ids = f.store.client_ids_as_owner().unwrap();
    ids.sort();
    let mut before: Vec<String> = fixture.tenants[0].clients.iter().map(|c| c.client_id.clone()).collect();
    before.sort();
    assert_eq!(ids, before, "exactly the earlier data, nothing of the failed load");
}

/// Every index and constraint of the schema, as the server writes them.
fn schema_objects(url: &str) -> Vec<String> {
    let mut client: postgres::Client =
        url.parse::<postgres::Config>().unwrap().connect(postgres::NoTls).unwrap();
    let rows = client
        .query(
            "SELECT indexrelid::regclass::text || ' ' || pg_get_indexdef(indexrelid) FROM pg_index i
             JOIN pg_class t ON t.oid = i.indrelid WHERE t.relnamespace = 'public'::regnamespace
             UNION ALL
             SELECT conrelid::regclass::text || ' ' || conname || ' ' || pg_get_constraintdef(c.oid) FROM pg_constraint c
             JOIN pg_class t ON t.oid = c.conrelid WHERE t.relnamespace = 'public'::regnamespace
             ORDER BY 1",
            &[],
        )
        .unwrap();
    rows.iter().map(|row| row.get(0)).collect()
}

#[test]
fn a_bulk_load_leaves_the_schema_as_it_found_it() {
    let f = fresh("store_bulk", PostgresOptions::default());
    let before = schema_objects(f.database.url());
    assert!(before.len() > 30, "{before:?}");
    let big = demo::generate(&DemoConfig {
        tenants: 2,
        first_tenant_clients: Some(25_000),
        ..DemoConfig::default()
    });
    f.store.load_fixture(&big).unwrap();
    assert_eq!(schema_objects(f.database.url()), before, "indexes and keys are back, unchanged");
    assert_eq!(f.store.client_ids_as_owner().unwrap().len(), 25_060);
    // A bulk load that fails after dropping the keys rolls the drop back too.
    let mut broken = big.clone();
    broken.tenants[1].services[0].service_name = "boom".into();
    let mut client: postgres::Client =
        f.database.url().parse::<postgres::Config>().unwrap().connect(postgres::NoTls).unwrap();
    client
        .batch_execute(
            "CREATE FUNCTION refuse_boom() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
                 IF NEW.service_name = 'boom' THEN RAISE EXCEPTION 'refusing boom' USING ERRCODE = 'check_violation'; END IF;
                 RETURN NEW;
             END $$;
             CREATE TRIGGER refuse_boom BEFORE INSERT ON service_catalog FOR EACH ROW EXECUTE FUNCTION refuse_boom();",
        )
        .unwrap();
    assert!(matches!(f.store.load_fixture(&broken), Err(StoreError::Rejected(_))));
    assert_eq!(schema_objects(f.database.url()), before);
    assert_eq!(f.store.client_ids_as_owner().unwrap().len(), 25_060);
    // From a large data set back to a small one (a bulk load because of what was held).
    let small = demo::generate(&DemoConfig { tenants: 1, clients_per_tenant: 12, ..DemoConfig::default() });
    f.store.load_fixture(&small).unwrap();
    assert_eq!(f.store.client_ids_as_owner().unwrap().len(), 12);
    assert_eq!(schema_objects(f.database.url()), before);
}

#[test]
fn maintained_counts_follow_every_kind_of_write() {
    use crate::ReadServices;
    use alga_extension_contract::types::{BillingMethod, ClientListInput, ItemKind, ServiceListInput};
    let f = fresh("store_counts", PostgresOptions::default());
    let demo = demo::build(&DemoConfig::default());
    f.store.load_fixture(&demo.fixture).unwrap();
    let mut client: postgres::Client =
        f.database.url().parse::<postgres::Config>().unwrap().connect(postgres::NoTls).unwrap();
    // Writes that do not go through the loader: the statement triggers must keep up.
    client
        .batch_execute(
            "UPDATE clients SET is_inactive = NOT is_inactive WHERE client_name LIKE 'a%' OR client_name LIKE '%1';
             DELETE FROM tag_mappings WHERE tagged_id IN (SELECT client_id FROM clients WHERE client_name LIKE '%3');
             UPDATE contacts SET client_id = NULL WHERE client_id IN (SELECT client_id FROM clients WHERE client_name LIKE '%3');
             DELETE FROM clients WHERE client_name LIKE '%3';
             UPDATE service_catalog SET is_active = NOT is_active, item_kind = 'product' WHERE service_name LIKE 'B%';
             UPDATE service_catalog SET billing_method = 'usage' WHERE service_name LIKE '%Pro';
             DELETE FROM service_catalog WHERE service_name LIKE '%Plus';",
        )
        .unwrap();
    let store: std::sync::Arc<dyn DataStore> = std::sync::Arc::new(f.store);
    let rs = ReadServices::new(store.clone());
    let mut counted = |sql: &str, tenant: &str| -> u32 {
        let n: i64 = client.query_one(sql, &[&tenant]).unwrap().get(0);
        n as u32
    };
    for context in demo.contexts.iter().filter(|c| c.name.ends_with("-scheduled")) {
        let actor = rs.actor(&context.context).unwrap();
        let tenant = actor.tenant_id.clone();
        let clients = |include: bool| {
            rs.list_clients(
                &actor,
                &ClientListInput { include_inactive: Some(include), ..Default::default() },
            )
            .unwrap()
            .total_count
        };
        assert_eq!(
            clients(false),
            counted(
                "SELECT count(*) FROM clients WHERE tenant = $1::text::uuid AND NOT is_inactive",
                &tenant
            )
        );
        assert_eq!(
            clients(true),
            counted("SELECT count(*) FROM clients WHERE tenant = $1::text::uuid", &tenant)
        );
        for kind in [None, Some(ItemKind::Product)] {
            for active in [None, Some(true), Some(false)] {
                for method in [None, Some(BillingMethod::Usage)] {
                    let input = ServiceListInput {
                        item_kind: kind,
                        is_active: active,
                        billing_method: method,
                        ..Default::default()
                    };
                    let listed = rs.list_services(&actor, &input).unwrap().total_count;
                    let sql = format!(
                        "SELECT count(*) FROM service_catalog WHERE tenant = $1::text::uuid{}{}{}",
                        kind.map_or(String::new(), |k| format!(" AND item_kind = '{k}'")),
                        active.map_or(String::new(), |a| format!(" AND is_active = {a}")),
                        method.map_or(String::new(), |m| format!(" AND billing_method = '{m}'")),
                    );
                    assert_eq!(listed, counted(&sql, &tenant), "{input:?}");
                }
            }
        }
    }
    drop(rs);
    drop(store);
}
