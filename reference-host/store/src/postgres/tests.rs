//! The PostgreSQL store's own tests of what only it has: the collation it relies on,
//! row-level security and the reader's login, migrations (under concurrency, never
//! rewritten, upgrading a database of the 0.1.0 host in place), the statement timeout. They
//! need a PostgreSQL from the provisioning ladder and fail (never skip) without one. The
//! bodies marked `pub(super)` run on Citus too (`citus_tests`).

use super::*;
use crate::demo::{self, DemoConfig};
use crate::provision::{self, PostgresServer, TestDatabase};
use crate::store::{Deadline, Faults, RecordQuery};

/// A store on a database of its own; fields drop in order: store, database (which keeps
/// its server running until then).
pub(super) struct Fixture {
    pub store: PostgresStore,
    pub database: TestDatabase,
    /// Whether the database is on Citus.
    pub citus: bool,
}

/// A store on a fresh database of `server`.
pub(super) fn fresh_on(server: &PostgresServer, prefix: &str, options: PostgresOptions) -> Fixture {
    let database = server.fresh_database(prefix).unwrap_or_else(|err| panic!("{err}"));
    let store = PostgresStore::connect_with(database.url(), options).unwrap_or_else(|err| panic!("{err}"));
    Fixture { store, database, citus: server.is_citus() }
}

fn fresh(prefix: &str, options: PostgresOptions) -> Fixture {
    let server = provision::postgres_server().unwrap_or_else(|err| panic!("{err}"));
    fresh_on(&server, prefix, options)
}

/// A connection as the owner (the URL's user) to `url`.
pub(super) fn owner_client(url: &str) -> postgres::Client {
    url.parse::<postgres::Config>().unwrap().connect(postgres::NoTls).unwrap()
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
    rls_hides_other_tenants(fresh("store_rls", PostgresOptions::default()));
}

pub(super) fn rls_hides_other_tenants(f: Fixture) {
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
fn a_reader_connection_cannot_widen_its_view() {
    reader_cannot_widen_its_view(fresh("store_reader", PostgresOptions::default()));
}

/// What SQL smuggled into a read could try: the reader is its own login, so there is no
/// role to reset or switch to, and without a tenant it sees nothing.
pub(super) fn reader_cannot_widen_its_view(f: Fixture) {
    let fixture = demo::generate(&DemoConfig { tenants: 3, clients_per_tenant: 20, ..DemoConfig::default() });
    f.store.load_fixture(&fixture).unwrap();
    assert_eq!(f.store.client_ids_as_owner().unwrap().len(), 60);
    let tenant = &fixture.tenants[0].tenant_id;
    let run = |statements: &[&str]| {
        f.store.read_raw(tenant, statements).unwrap_or_else(|err| panic!("{statements:?}: {err}"))
    };
    let clients = "SELECT count(*)::text FROM clients";
    assert_eq!(run(&["SELECT rolsuper::text FROM pg_roles WHERE rolname = current_user"]), ["false"]);
    assert_eq!(run(&["SELECT current_user::text"]), [READER_ROLE], "reads log in as the reader");
    assert_eq!(run(&["SELECT count(*)::text FROM pg_tables WHERE tableowner = current_user"]), ["0"]);
    assert_eq!(run(&[clients]), ["20"], "the tenant's rows only");
    // The attack of issue 13: on a connection that SET ROLEs, RESET ROLE saw every tenant.
    assert_eq!(run(&["RESET ROLE", clients]), ["20"]);
    assert_eq!(run(&["RESET ROLE", "SELECT current_user::text"]), [READER_ROLE]);
    for escalation in ["SET ROLE postgres", "SET SESSION AUTHORIZATION postgres"] {
        let err = f.store.read_raw(tenant, &[escalation, clients]).unwrap_err();
        assert!(err.to_string().contains("permission denied"), "{escalation}: {err}");
    }
    // No tenant: nothing, whether the setting is empty, reset, or a tenant without data.
    assert_eq!(run(&["SET LOCAL app.current_tenant = ''", clients]), ["0"]);
    assert_eq!(run(&["RESET app.current_tenant", clients]), ["0"]);
    let nobody = f.store.read_raw("00000000-0000-4000-8000-000000000000", &[clients]);
    assert_eq!(nobody.unwrap(), ["0"]);
    // Writes are not the reader's: not even its own tenant's rows.
    let err = f.store.read_raw(tenant, &["DELETE FROM clients"]).unwrap_err();
    assert!(err.to_string().contains("permission denied"), "{err}");
}

#[test]
fn a_tenant_that_is_not_a_canonical_lower_case_uuid_never_reaches_sql() {
    for bad in [
        "00000000-0000-4000-8000-00000000000A",
        "00000000-0000-4000-8000-0000000000001",
        "00000000-0000-4000-8000-00000000000'",
        "00000000x0000-4000-8000-000000000001",
        "'; RESET ROLE; --",
        "",
    ] {
        let err = tenant_scope(bad).unwrap_err();
        assert!(
            matches!(&err, StoreError::Rejected(text) if text.contains("canonical lower-case UUID")),
            "{err}"
        );
    }
    assert_eq!(
        tenant_scope("0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d").unwrap(),
        "SET LOCAL app.current_tenant = '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d'"
    );
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
    let err = f.store.query(tenant, Deadline::NONE, &slow).unwrap_err();
    assert!(matches!(&err, StoreError::Unavailable(text) if text.contains("statement timeout")), "{err}");
    assert!(started.elapsed() < Duration::from_secs(3), "the timeout cut the query short");
    f.store.install_capabilities(tenant, tenant).unwrap();
}

/// The search function of migration 9 runs as the owner, without row-level security: it
/// must serve the transaction's tenant and nothing else. Called directly by the reader it
/// answers its own tenant's ids only, refuses any other tenant (or none), and a search through
/// the store lists exactly what the policy-bound conditions match, in the listing's order,
/// counted, page after page.
#[test]
fn the_search_function_serves_only_the_transactions_tenant() {
    let f = fresh("store_search_fn", PostgresOptions::default());
    let fixture = demo::generate(&DemoConfig { tenants: 2, clients_per_tenant: 12, ..DemoConfig::default() });
    f.store.load_fixture(&fixture).unwrap();
    let (a, b) = (&fixture.tenants[0], &fixture.tenants[1]);
    let call = |tenant: &str| {
        format!(
            "SELECT array_to_string(ARRAY(SELECT unnest(alga_client_search('{tenant}', '%', NULL, true)) ORDER BY 1), ',')"
        )
    };
    let own = f.store.read_raw(&a.tenant_id, &[&call(&a.tenant_id)]).unwrap();
    assert_eq!(own, [joined_client_ids(a)], "every client of the own tenant, no other");
    for (label, statements) in [
        ("another tenant", vec![call(&b.tenant_id)]),
        ("no tenant set", vec!["SET LOCAL app.current_tenant = ''".to_string(), call(&a.tenant_id)]),
        ("a tenant without data", vec![call("00000000-0000-4000-8000-000000000000")]),
    ] {
        let statements: Vec<&str> = statements.iter().map(String::as_str).collect();
        let err = f.store.read_raw(&a.tenant_id, &statements).unwrap_err();
        assert!(err.to_string().contains("not the transaction's tenant"), "{label}: {err}");
    }
    // An id of another tenant given as the id to match is not found.
    let foreign = format!(
        "SELECT cardinality(alga_client_search('{}', '%no such text%', '{}', true))::text",
        a.tenant_id, b.clients[0].client_id
    );
    assert_eq!(f.store.read_raw(&a.tenant_id, &[&foreign]).unwrap(), ["0"]);
    // Only the reader (and the owner) may call it; migration 8's function is gone.
    let mut owner = owner_client(f.database.url());
    let public: bool = owner
        .query_one(
            "SELECT has_function_privilege('public', 'alga_client_search(uuid, text, uuid, boolean)', 'EXECUTE')",
            &[],
        )
        .unwrap()
        .get(0);
    assert!(!public, "PUBLIC may not execute the SECURITY DEFINER function");
    let replaced: bool = owner
        .query_one("SELECT to_regprocedure('alga_client_candidates(uuid, text)') IS NULL", &[])
        .unwrap()
        .get(0);
    assert!(replaced, "migration 9 drops alga_client_candidates");
    // The statement calls it, and a search answers exactly the policy-bound matches, in the
    // listing's order (folded name, then id), counted, over pages.
    let search = alga_extension_contract::input::search(Some("a")).unwrap();
    let query = |page: u32| crate::store::ClientListQuery {
        tenant_id: &a.tenant_id,
        only_client_id: None,
        search: search.as_ref(),
        include_inactive: true,
        paging: alga_extension_contract::input::paging(Some(page), Some(5)).unwrap(),
        faults: Faults::NONE,
        deadline: Deadline::NONE,
    };
    let statement = sql::list_clients(Dialect::Postgres, &query(1));
    assert!(statement.text.contains("alga_client_search("), "{}", statement.text);
    let mut expected: Vec<(String, String)> = a
        .clients
        .iter()
        .filter(|c| {
            c.client_name.to_ascii_lowercase().contains('a')
                || c.billing_email.as_deref().is_some_and(|e| e.to_ascii_lowercase().contains('a'))
        })
        .map(|c| (c.client_name.to_ascii_lowercase(), c.client_id.clone()))
        .collect();
    expected.sort();
    let expected: Vec<String> = expected.into_iter().map(|(_, id)| id).collect();
    assert!(expected.len() > 5, "more than one page");
    let mut listed = Vec::new();
    for page in 1.. {
        let result = f.store.list_clients(&query(page)).unwrap();
        assert_eq!(result.total as usize, expected.len(), "total-count on page {page}");
        if result.items.is_empty() {
            break;
        }
        listed.extend(result.items.into_iter().map(|c| c.client_id));
    }
    assert_eq!(listed, expected, "the same matches as the policy-bound conditions, in order");
}

/// The ids of `tenant`'s clients, sorted and joined as `string_agg` below joins them.
fn joined_client_ids(tenant: &alga_conformance_protocol::fixture::Tenant) -> String {
    let mut ids: Vec<&str> = tenant.clients.iter().map(|c| c.client_id.as_str()).collect();
    ids.sort();
    ids.join(",")
}

/// The tenant is set per transaction (`SET LOCAL`) and never outlives it: on one pooled
/// connection, a read of tenant B after a read of tenant A — that succeeded, failed midway, or
/// ran past its deadline — sees B's rows and only B's, and between reads the connection holds
/// no tenant and no open transaction.
#[test]
fn a_pooled_connection_never_carries_a_tenant_into_the_next_read() {
    let f = fresh("store_reuse", PostgresOptions { pool_size: 1, ..PostgresOptions::default() });
    let fixture = demo::generate(&DemoConfig { tenants: 2, clients_per_tenant: 10, ..DemoConfig::default() });
    f.store.load_fixture(&fixture).unwrap();
    let (a, b) = (&fixture.tenants[0], &fixture.tenants[1]);
    let clients = "SELECT string_agg(client_id::text, ',' ORDER BY client_id::text) FROM clients";
    let clean = |(_, tenant, transaction): &(String, String, String)| {
        assert_eq!((tenant.as_str(), transaction.as_str()), ("(none)", "closed"), "between reads");
    };

    // After a read that succeeded: the same connection, reused.
    assert_eq!(f.store.read_raw(&a.tenant_id, &[clients]).unwrap(), [joined_client_ids(a)]);
    let first = f.store.pooled_session().unwrap();
    clean(&first);
    assert_eq!(f.store.read_raw(&b.tenant_id, &[clients]).unwrap(), [joined_client_ids(b)]);
    assert_eq!(f.store.pooled_session().unwrap().0, first.0, "one connection, reused");

    // After a read that failed once the tenant was set: a fresh connection, nothing of A.
    let err = f.store.read_raw(&a.tenant_id, &[clients, "SELECT 1/0"]).unwrap_err();
    assert!(err.to_string().contains("division by zero"), "{err}");
    let after_error = f.store.pooled_session().unwrap();
    clean(&after_error);
    assert_ne!(after_error.0, first.0, "a connection that failed is not reused");
    assert_eq!(f.store.read_raw(&b.tenant_id, &[clients]).unwrap(), [joined_client_ids(b)]);

    // After a read that passed its deadline: dropped, and its statement cancelled.
    let started = std::time::Instant::now();
    let err = f
        .store
        .read_raw_until(&a.tenant_id, Deadline::after(Duration::from_millis(200)), &["SELECT pg_sleep(4)"])
        .unwrap_err();
    assert!(matches!(&err, StoreError::Unavailable(text) if text.contains("deadline")), "{err}");
    assert!(started.elapsed() < Duration::from_millis(900), "ended at the deadline: {:?}", started.elapsed());
    let after_timeout = f.store.pooled_session().unwrap();
    clean(&after_timeout);
    assert_ne!(after_timeout.0, after_error.0);
    assert_eq!(f.store.read_raw(&b.tenant_id, &[clients]).unwrap(), [joined_client_ids(b)]);
    let mut owner = owner_client(f.database.url());
    assert!(
        eventually(|| {
            let row = owner
                .query_one(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() \
                     AND query = 'SELECT pg_sleep(4)' AND state = 'active'",
                    &[],
                )
                .unwrap();
            row.get::<_, i64>(0) == 0
        }),
        "the server stopped the statement of the read that timed out"
    );
}

/// Polls `check` for up to 3 s.
fn eventually(mut check: impl FnMut() -> bool) -> bool {
    let until = std::time::Instant::now() + Duration::from_secs(3);
    while std::time::Instant::now() < until {
        if check() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    false
}

/// Issue 13: a locked table held a 2 s execution for 5 s. A read waiting on a lock ends at
/// its deadline, its backend stops waiting (cancelled), and the store serves again once the
/// lock is gone.
#[test]
fn a_read_waiting_on_a_locked_table_ends_at_its_deadline() {
    let f = fresh("store_lock", PostgresOptions::default());
    let fixture = demo::generate(&DemoConfig { tenants: 1, clients_per_tenant: 5, ..DemoConfig::default() });
    f.store.load_fixture(&fixture).unwrap();
    let tenant = &fixture.tenants[0];
    let id = &tenant.clients[0].client_id;
    let get = |deadline: Deadline| {
        f.store.get_client(&RecordQuery { tenant_id: &tenant.tenant_id, id, faults: Faults::NONE, deadline })
    };
    assert!(get(Deadline::NONE).unwrap().is_some());

    let mut locker = owner_client(f.database.url());
    let mut lock = locker.transaction().unwrap();
    lock.batch_execute("LOCK TABLE clients IN ACCESS EXCLUSIVE MODE").unwrap();
    let deadline = Duration::from_millis(300);
    let started = std::time::Instant::now();
    let err = get(Deadline::after(deadline)).unwrap_err();
    let took = started.elapsed();
    assert!(matches!(&err, StoreError::Unavailable(text) if text.contains("deadline")), "{err}");
    assert!(took >= deadline && took < deadline + Duration::from_millis(500), "{took:?}");
    let mut watcher = owner_client(f.database.url());
    assert!(
        eventually(|| {
            let row = watcher
                .query_one(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() \
                     AND usename = 'alga_reader' AND wait_event_type = 'Lock'",
                    &[],
                )
                .unwrap();
            row.get::<_, i64>(0) == 0
        }),
        "the reader's backend no longer waits for the lock"
    );
    lock.rollback().unwrap();
    assert!(get(Deadline::after(deadline)).unwrap().is_some(), "served again");
}

/// SPEC.md's note on CAP-1, AUTH-1 and AUTH-2: context records are reused for
/// `context_ttl` at most, so a revoked capability or permission, or a deactivated user,
/// takes effect for executions starting later than that; a fixture load takes effect at once.
#[test]
fn a_revocation_takes_effect_within_the_context_ttl() {
    let ttl = Duration::from_millis(400);
    let f = fresh("store_context_ttl", PostgresOptions { context_ttl: ttl, ..PostgresOptions::default() });
    let fixture = demo::generate(&DemoConfig { tenants: 1, clients_per_tenant: 3, ..DemoConfig::default() });
    f.store.load_fixture(&fixture).unwrap();
    let tenant = &fixture.tenants[0];
    let install = &tenant.installs[0].install_id;
    let user = tenant.users.iter().find(|u| !u.is_inactive).expect("an active user");
    let read = || {
        f.store
            .context(&tenant.tenant_id, Some(install), Some(&user.user_id), Faults::NONE, Deadline::NONE)
            .unwrap()
    };
    let before = read();
    assert!(before.capabilities.as_ref().is_some_and(|caps| !caps.is_empty()), "{before:?}");
    assert!(before.user.as_ref().is_some_and(|u| !u.is_inactive), "{before:?}");

    let mut owner = owner_client(f.database.url());
    let revoked_at = std::time::Instant::now();
    owner
        .execute(
            "UPDATE tenant_extension_install SET granted_caps = '[]' WHERE id = $1::text::uuid",
            &[install],
        )
        .unwrap();
    owner
        .execute("UPDATE users SET is_inactive = true WHERE user_id = $1::text::uuid", &[&user.user_id])
        .unwrap();
    // Within the TTL the records read before may still be used (this is what the bound
    // allows, and what saves a transaction per execution) ...
    let soon = read();
    if revoked_at.elapsed() < ttl {
        assert_eq!(soon, before, "reused within the TTL");
    }
    // ... and never after it.
    std::thread::sleep(ttl.saturating_sub(revoked_at.elapsed()));
    let after = read();
    assert_eq!(after.capabilities, Some(vec![]), "the revocation took effect");
    assert!(after.user.is_some_and(|u| u.is_inactive), "the deactivation took effect");

    // A fixture load empties the cache at once.
    let granted = read();
    f.store.load_fixture(&fixture).unwrap();
    assert_ne!(read(), granted, "a load takes effect for the next execution");

    // With a TTL of zero every execution reads the records.
    let g = fresh(
        "store_context_ttl0",
        PostgresOptions { context_ttl: Duration::ZERO, ..PostgresOptions::default() },
    );
    g.store.load_fixture(&fixture).unwrap();
    let read = || g.store.install_capabilities(&tenant.tenant_id, install).unwrap();
    assert!(read().is_some_and(|caps| !caps.is_empty()));
    owner_client(g.database.url())
        .execute(
            "UPDATE tenant_extension_install SET granted_caps = '[]' WHERE id = $1::text::uuid",
            &[install],
        )
        .unwrap();
    assert_eq!(read(), Some(vec![]), "no reuse at all");
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
    bulk_load_leaves_the_schema(fresh("store_bulk", PostgresOptions::default()));
}

pub(super) fn bulk_load_leaves_the_schema(f: Fixture) {
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
    // One statement per call: Citus refuses to forward several at once to the workers. On
    // Citus a trigger on a distributed table must be asked for (the setting is inert elsewhere).
    for statement in [
        "SET citus.enable_unsafe_triggers = on",
        "CREATE FUNCTION refuse_boom() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
             IF NEW.service_name = 'boom' THEN RAISE EXCEPTION 'refusing boom' USING ERRCODE = 'check_violation'; END IF;
             RETURN NEW;
         END $$",
        "CREATE TRIGGER refuse_boom BEFORE INSERT ON service_catalog FOR EACH ROW EXECUTE FUNCTION refuse_boom()",
    ] {
        client.batch_execute(statement).unwrap();
    }
    // Citus reports an error raised on a worker during COPY as XX000 (internal), without
    // the worker's SQLSTATE, so there it cannot be told from a database failure.
    let err = f.store.load_fixture(&broken).unwrap_err();
    let refused = match &err {
        StoreError::Rejected(text) => text.contains("refusing boom"),
        StoreError::Unavailable(text) => f.citus && text.contains("refusing boom"),
        StoreError::Corrupt(_) => false,
    };
    assert!(refused, "{err}");
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
    maintained_counts_follow_writes(fresh("store_counts", PostgresOptions::default()));
}

pub(super) fn maintained_counts_follow_writes(f: Fixture) {
    use crate::ReadServices;
    use alga_extension_contract::types::{BillingMethod, ClientListInput, ItemKind, ServiceListInput};
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

/// SHA-256 of each released migration's SQL (1-4: the 0.1.0 host; 5: prices, with contract
/// 0.2.0; 6-7: the reader's login and Citus; 8-9: the indexed client search): a shipped migration is never rewritten (a database that applied it would never
/// see the change); add a new one instead, and its digest here.
const SHIPPED: &[&str] = &[
    "854d10e02f5870d0b2e874a854c7b87d79356edc34b2bce727ea8d61f07b286c",
    "eab9f9af45bd085243272c77af97760a2226a2beb4f2da79d045e5dc684c71ed",
    "b99bf71eec98ee70e6735fca52483f5c91da1258fef3f6e060aa6c72e2722d94",
    "61debdeb547ac45c1d2a7b1d7afee041f85a43bfabdc52c102ed8a1ecf7a6694",
    "1e0ce44faa80ea66a1df987cd45fd1115f175b86f1b837ccea7d333294c465cb",
    "9758f0a181889820df55740ce3905f694ededbbfdfca5f0f4e8605376580c74c",
    "6a85bd58772910d625780d375389fc6b25ea7a274c1a312ba2f51f4696c30cfc",
    "ad8b8cf78a7cbae7f1ea2b27b86c92a978c3068dd0ec56a15be56ef3b2463c79",
    "ffe24b897ba00824c39558d321ac1d2eaf7ac155d967e2a762029506f22e4e48",
];

#[test]
fn shipped_migrations_are_never_rewritten() {
    use sha2::{Digest, Sha256};
    let digests: Vec<String> = migrations::MIGRATIONS
        .iter()
        .map(|m| Sha256::digest(m.sql.as_bytes()).iter().map(|b| format!("{b:02x}")).collect())
        .collect();
    assert_eq!(digests, SHIPPED, "a shipped PostgreSQL migration changed: restore it and add a new one");
}

#[test]
fn a_0_1_database_with_data_upgrades_in_place() {
    use crate::{ReadServices, upgrade_check};
    use std::sync::Arc;
    let server = provision::postgres_server().unwrap_or_else(|err| panic!("{err}"));
    let database = server.fresh_database("store_upgrade").unwrap_or_else(|err| panic!("{err}"));
    let demo = demo::build(&DemoConfig { tenants: 2, ..DemoConfig::default() });
    let old_data = upgrade_check::without_prices(&demo.fixture);
    // A database of the 0.1.0 host: its four migrations, then its data.
    let mut client: postgres::Client =
        database.url().parse::<postgres::Config>().unwrap().connect(postgres::NoTls).unwrap();
    migrations::migrate_to(&mut client, 4).unwrap();
    let mut transaction = client.transaction().unwrap();
    for table in tables::rows(&old_data).iter().filter(|t| !t.rows.is_empty()) {
        let mut buffer = Vec::new();
        for row in &table.rows {
            load::encode_row(&mut buffer, row);
        }
        let mut writer = transaction
            .copy_in(&format!("COPY {} ({}) FROM STDIN", table.name, table.columns.join(", ")))
            .unwrap();
        std::io::Write::write_all(&mut writer, &buffer).unwrap();
        writer.finish().unwrap();
    }
    transaction.commit().unwrap();
    let versions = |client: &mut postgres::Client| -> Vec<i32> {
        let rows = client.query("SELECT version FROM alga_schema_migrations ORDER BY version", &[]).unwrap();
        rows.iter().map(|row| row.get(0)).collect()
    };
    assert_eq!(versions(&mut client), [1, 2, 3, 4]);

    let upgraded = Arc::new(PostgresStore::connect(database.url()).unwrap());
    let all: Vec<i32> = migrations::MIGRATIONS.iter().map(|m| m.version).collect();
    assert_eq!(versions(&mut client), all, "the new migrations ran on connect");
    let fresh = Arc::new(crate::sqlite::SqliteStore::in_memory().unwrap());
    fresh.load_fixture(&old_data).unwrap();
    upgrade_check::assert_same_answers(
        &ReadServices::new(upgraded.clone()),
        &ReadServices::new(fresh),
        &demo,
    );
    // The upgraded database takes prices like a new one, behind row-level security.
    upgraded.load_fixture(&demo.fixture).unwrap();
    for tenant in &demo.fixture.tenants {
        let statement = Statement { text: "SELECT tenant::text FROM service_prices".into(), params: vec![] };
        let seen = upgraded.query(&tenant.tenant_id, Deadline::NONE, &statement).unwrap();
        let priced: usize = tenant.services.iter().map(|s| s.prices.len()).sum();
        assert!(priced > 0);
        assert_eq!(seen.len(), priced, "RLS shows the reader exactly tenant {}'s prices", tenant.tenant_id);
        assert!(seen.iter().all(|row| row.get::<_, String>(0) == tenant.tenant_id));
    }
    drop(upgraded);
}

#[test]
fn stored_currency_codes_are_three_upper_case_ascii_letters() {
    let f = fresh("store_currency_check", PostgresOptions::default());
    let fixture = demo::generate(&DemoConfig { tenants: 1, ..DemoConfig::default() });
    f.store.load_fixture(&fixture).unwrap();
    let mut client: postgres::Client =
        f.database.url().parse::<postgres::Config>().unwrap().connect(postgres::NoTls).unwrap();
    let tenant = &fixture.tenants[0];
    for (n, code) in ["eur", "EURO", "EU", "ÉUR", "E1R", "ＥＵＲ"].into_iter().enumerate() {
        let refused = client.execute(
            "INSERT INTO service_prices (tenant, price_id, service_id, currency_code, rate)
             VALUES ($1::text::uuid, $2::text::uuid, $3::text::uuid, $4, 1)",
            &[
                &tenant.tenant_id,
                &format!("00000000-0000-4000-8fff-{n:012x}"),
                &tenant.services[0].service_id,
                &code,
            ],
        );
        let err = refused.expect_err(code);
        assert_eq!(err.code().map(|c| c.code()), Some("23514"), "{code:?}: a check violation, got {err}");
    }
}
