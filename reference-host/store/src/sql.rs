//! The read queries, written once for both stores. Each function builds one statement and
//! its parameters for a [`Dialect`]; PostgreSQL and SQLite differ only in the small hooks of
//! [`Dialect`] (placeholders, UUID columns, ASCII folding, the tag list), so the filters,
//! the order and the paging of SPEC.md are the same text on both.
//!
//! Every statement is parameterised (user text never becomes SQL), names the tenant, and
//! escapes `LIKE` wildcards of a search (SRCH-2). A list is one statement: the size of the
//! filtered set and the page's rows come back together, the page keyed first and joined to
//! its details afterwards so that a deep page does not fetch details of the rows it skips.
//! A search tests each of the tenant's rows once (a materialised CTE that both the count and
//! the page read); a listing without search counts and pages through the listing index. On
//! PostgreSQL a client search takes the matching ids, counted and in order, from
//! `alga_client_search` (migration 9), because the reader's `LIKE` cannot use the trigram
//! indexes under row-level security, and reads only the page's rows, under the policy and
//! with its own conditions again.
//!
//! Result columns, shared by the stores' row decoders:
//! - clients: `total, client_id, client_name, client_type, is_inactive,
//!   default_currency_code, account_manager_id, first_name, last_name, billing_email, tags`;
//! - services: `total, service_id, service_name, item_kind, billing_method,
//!   service_type_id, service_type_name, default_rate, unit_of_measure, is_active, sku,
//!   prices` (`prices`: the item's `service_prices` rows as JSON text,
//!   `[["EUR", 1800], ...]`, unordered; NULL or `[]` when it has none).
//!
//! The prices of a page's items come back in the same statement (a correlated aggregate per
//! item, through the unique key `(tenant, service_id, currency_code)`), so a list stays one
//! round trip; the currency filter (PRICE-2) is an `EXISTS` on that key.
//!
//! `total` is NULL for a `get`, and every other column is NULL on the single row a list
//! returns when its page is empty.

use crate::postgres::CLIENT_SEARCH_FUNCTION;
use crate::store::{ClientListQuery, Faults, RecordQuery, ServiceListQuery};
use alga_conformance_protocol::UserType;
use alga_extension_contract::input::{Paging, Search};

/// The SQL dialect of a store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dialect {
    /// PostgreSQL: ids are `uuid` columns, text is folded with `lower(x COLLATE "C")`.
    Postgres,
    /// SQLite: ids are lower-case `TEXT`, the built-in `lower()` folds ASCII only.
    Sqlite,
}

impl Dialect {
    /// `fold` of SPEC.md section 2 (ASCII-only lower-casing) applied to `expr`.
    fn fold(self, expr: &str) -> String {
        match self {
            // In the "C" collation lower() touches only A-Z (checked by a test against
            // the server); the indexes are built on exactly this expression.
            Dialect::Postgres => format!("lower(({expr}) COLLATE \"C\")"),
            // SQLite's built-in lower() folds ASCII only (no ICU in the bundled build).
            Dialect::Sqlite => format!("lower({expr})"),
        }
    }

    /// What a search's `LIKE` compares: the folded column. SQLite's `LIKE` already ignores
    /// ASCII case and only ASCII case (SPEC.md's fold exactly), so it reads the column as
    /// stored, which lets a covering index serve the search and skips a `lower()` per row.
    fn like_operand(self, expr: &str) -> String {
        match self {
            Dialect::Postgres => self.fold(expr),
            Dialect::Sqlite => expr.to_string(),
        }
    }

    /// An id column as lower-case text.
    fn id_text(self, expr: &str) -> String {
        match self {
            Dialect::Postgres => format!("({expr})::text"),
            Dialect::Sqlite => expr.to_string(),
        }
    }

    /// The storage order of a row: what "no tie-breaker" falls back to.
    fn storage_order(self, alias: &str) -> String {
        match self {
            Dialect::Postgres => format!("{alias}.ctid"),
            Dialect::Sqlite => format!("{alias}.rowid"),
        }
    }

    /// The prices of catalog item `s` as JSON text, `[[currency_code, rate], ...]`
    /// (unordered; `rows` sorts them): NULL in PostgreSQL and `[]` in SQLite when there are
    /// none. Compared with the tenant's placeholder `tenant`, like `client_tags`, so that the
    /// statement stays a router query to one worker on Citus.
    fn service_prices(self, tenant: &str, faults: Faults) -> String {
        // The fault forgets the tenant: any tenant's prices of an item with the same id.
        let scope =
            if faults.prices_within_tenant() { format!("sp.tenant = {tenant} AND ") } else { String::new() };
        match self {
            Dialect::Postgres => format!(
                "(SELECT json_agg(json_build_array(sp.currency_code, sp.rate))::text FROM service_prices sp \
                 WHERE {scope}sp.service_id = s.service_id)"
            ),
            Dialect::Sqlite => format!(
                "(SELECT json_group_array(json_array(sp.currency_code, sp.rate)) FROM service_prices sp \
                 WHERE {scope}sp.service_id = s.service_id)"
            ),
        }
    }

    /// The tag texts of client `c` (unsorted, possibly repeated; `rows` sorts them), in
    /// tenant `tenant` (the tenant's placeholder: on Citus a correlated subquery compared
    /// with `c.tenant` of an outer-joined `c` crashed the coordinator of 13.2.2).
    fn client_tags(self, tenant: &str) -> String {
        match self {
            Dialect::Postgres => format!(
                "ARRAY(SELECT d.tag_text FROM tag_mappings m \
                 JOIN tag_definitions d ON d.tenant = m.tenant AND d.tag_id = m.tag_id \
                 WHERE m.tenant = {tenant} AND m.tagged_id = c.client_id \
                 AND m.tagged_type = 'client' AND d.tagged_type = 'client')"
            ),
            Dialect::Sqlite => format!(
                "(SELECT json_group_array(d.tag_text) FROM tag_mappings m \
                 JOIN tag_definitions d ON d.tenant = m.tenant AND d.tag_id = m.tag_id \
                 WHERE m.tenant = {tenant} AND m.tagged_id = c.client_id \
                 AND m.tagged_type = 'client' AND d.tagged_type = 'client')"
            ),
        }
    }
}

/// A parameter value.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    Text(String),
    Bool(bool),
    Int(i64),
}

/// A statement and its parameters, in placeholder order (`$1`/`?1` first).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Statement {
    pub text: String,
    pub params: Vec<Value>,
}

/// Collects parameters and hands out their placeholders.
struct Params {
    dialect: Dialect,
    values: Vec<Value>,
}

impl Params {
    fn new(dialect: Dialect) -> Self {
        Params { dialect, values: Vec::new() }
    }

    fn push(&mut self, value: Value, postgres_type: &str) -> String {
        self.values.push(value);
        let n = self.values.len();
        match self.dialect {
            Dialect::Postgres => format!("${n}::{postgres_type}"),
            Dialect::Sqlite => format!("?{n}"),
        }
    }

    fn text(&mut self, value: &str) -> String {
        self.push(Value::Text(value.to_string()), "text")
    }

    /// A UUID compared with a `uuid` column (PostgreSQL) or lower-case text (SQLite).
    fn uuid(&mut self, value: &str) -> String {
        self.push(Value::Text(value.to_string()), "text::uuid")
    }

    fn bool(&mut self, value: bool) -> String {
        self.push(Value::Bool(value), "bool")
    }

    fn int(&mut self, value: i64) -> String {
        self.push(Value::Int(value), "int8")
    }

    fn finish(self, text: String) -> Statement {
        Statement { text, params: self.values }
    }
}

/// The `LIKE` pattern of a substring match of `search` (SRCH-1): its folded text with `\`,
/// `%` and `_` escaped by `\` (SRCH-2), between two `%`.
pub(crate) fn like_pattern(search: &Search, faults: Faults) -> String {
    let mut pattern = String::with_capacity(search.folded.len() + 2);
    pattern.push('%');
    for c in search.folded.chars() {
        if matches!(c, '\\' | '%' | '_') && faults.escape_wildcards() {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

/// `expr LIKE pattern ESCAPE '\'`, ASCII case-insensitively.
fn matches(dialect: Dialect, expr: &str, pattern: &str) -> String {
    format!("{} LIKE {pattern} ESCAPE '\\'", dialect.like_operand(expr))
}

fn limit_offset(params: &mut Params, paging: Paging) -> String {
    let limit = params.int(i64::from(paging.page_size));
    let offset = params.int(i64::try_from(paging.offset()).unwrap_or(i64::MAX));
    format!("LIMIT {limit} OFFSET {offset}")
}

/// The order of PAGE-4 given the folded name and the id; without a tie-breaker (a fault)
/// ties fall back to `storage`, the rows' physical order.
fn listing_order(folded_name: &str, id: &str, storage: &str, faults: Faults) -> String {
    format!("{folded_name}, {}", if faults.tie_breaker() { id } else { storage })
}

/// What differs between the client and the service listing.
struct Listed {
    table: &'static str,
    name: &'static str,
    id: &'static str,
    /// The alias of the detail row in `columns` and `joins`.
    alias: &'static str,
    columns: String,
    joins: &'static str,
    /// The tenant's placeholder. Every table of the statement is compared with it, not only
    /// joined on `tenant` columns: on Citus a table without its own constant is not pruned
    /// to the tenant's shard (and, under row-level security, a subquery joined back on
    /// `p.tenant` crashed the coordinator of Citus 13.2.2).
    tenant: String,
    /// Conditions of the caller's scope: the tenant, and a portal user's client.
    scope: Vec<String>,
    /// The input's filters (FILT-1, FILT-2, SRCH-1).
    filters: Vec<String>,
    /// Whether `filters` hold a search.
    searched: bool,
    /// The table of maintained row counts per tenant and filter column values
    /// (`client_counts`, `service_counts`), whose filter columns have the table's names.
    counts: &'static str,
    /// Whether the counts table can answer the count: `scope` is the tenant alone and every
    /// filter reads a column the counts table keeps (not a portal user's client, not the
    /// currency filter).
    counted: bool,
    /// A condition OR-ed with the whole of `scope` and `filters` (only ever set by a
    /// deliberate fault: a search alternative outside the tenant condition).
    escaping: Option<String>,
}

/// One list statement: the size of the filtered set and one page of it, keyed first
/// (alias `k`) and joined to its details afterwards.
///
/// Without a search, the page reads the listing index and the count adds up the
/// maintained counts (`client_counts`, `service_counts`) of the matching filter values. With a search, every row of the tenant must be tested anyway, so one scan
/// collects the matches (a materialised CTE) and both the count and the page read those.
fn list_statement(
    dialect: Dialect,
    params: &mut Params,
    listed: &Listed,
    paging: Paging,
    faults: Faults,
) -> String {
    let Listed {
        table,
        name,
        id,
        alias: d,
        columns,
        joins,
        tenant,
        scope,
        filters,
        searched,
        counts,
        counted,
        escaping,
    } = listed;
    let mut page_where = scope.iter().chain(filters).cloned().collect::<Vec<_>>().join(" AND ");
    if page_where.is_empty() {
        page_where = "1 = 1".to_string();
    }
    if let Some(alternative) = escaping {
        page_where = format!("{page_where} OR {alternative}");
    }
    let count_where = match (faults.count_with_filters(), scope.is_empty()) {
        (true, _) => page_where.clone(),
        (false, false) => scope.join(" AND "),
        (false, true) => "1 = 1".to_string(),
    };
    let d_order = listing_order(
        &dialect.fold(&format!("{d}.{name}")),
        &format!("{d}.{id}"),
        &dialect.storage_order(d),
        faults,
    );
    let page = limit_offset(params, paging);
    let details = format!(
        "LEFT JOIN {table} {d} ON {d}.tenant = {tenant} AND {d}.tenant = p.tenant AND {d}.{id} = p.{id} {joins} \
         ORDER BY {d_order}"
    );
    if *searched {
        let m_order = listing_order("m.sort_name", &format!("m.{id}"), "m.storage", faults);
        let count = if faults.count_with_filters() {
            "SELECT count(*) AS total FROM matches".to_string()
        } else {
            format!("SELECT count(*) AS total FROM {table} k WHERE {count_where}")
        };
        format!(
            "WITH matches AS MATERIALIZED (\
                 SELECT k.tenant, k.{id}, {sort_name} AS sort_name, {storage} AS storage \
                 FROM {table} k WHERE {page_where}) \
             SELECT t.total, {columns} FROM ({count}) t \
             LEFT JOIN (SELECT m.tenant, m.{id} FROM matches m ORDER BY {m_order} {page}) p ON true {details}",
            sort_name = dialect.fold(&format!("k.{name}")),
            storage = dialect.storage_order("k"),
        )
    } else {
        // The store keeps the number of rows per tenant and filter value (triggers in
        // the schema), so without a search the count adds up a handful of rows instead of
        // counting the tenant's records one by one.
        let count = if *counted {
            format!(
                "SELECT CAST(COALESCE(SUM(k.n), 0) AS bigint) AS total FROM {counts} k WHERE {count_where}"
            )
        } else {
            format!("SELECT count(*) AS total FROM {table} k WHERE {count_where}")
        };
        let k_order = listing_order(
            &dialect.fold(&format!("k.{name}")),
            &format!("k.{id}"),
            &dialect.storage_order("k"),
            faults,
        );
        format!(
            "SELECT t.total, {columns} FROM ({count}) t \
             LEFT JOIN (SELECT k.tenant, k.{id} FROM {table} k WHERE {page_where} ORDER BY {k_order} {page}) p ON true \
             {details}"
        )
    }
}

/// The detail columns of a client `c` joined with its manager `u`, after `total`; `tenant`
/// is the tenant's placeholder (or `c.tenant` when the statement has none).
fn client_columns(dialect: Dialect, tenant: &str) -> String {
    format!(
        "{}, c.client_name, c.client_type, c.is_inactive, c.default_currency_code, {}, \
         u.first_name, u.last_name, c.billing_email, {}",
        dialect.id_text("c.client_id"),
        dialect.id_text("c.account_manager_id"),
        dialect.client_tags(tenant),
    )
}

const CLIENT_JOINS: &str = "LEFT JOIN users u ON u.tenant = c.tenant AND u.user_id = c.account_manager_id";

/// `list-clients`: the filtered set's size and one page.
pub(crate) fn list_clients(dialect: Dialect, query: &ClientListQuery<'_>) -> Statement {
    if let Some(search) = query.search {
        // Not for a portal user (one row at most), nor for a deliberate fault, which the
        // function's fixed query would not carry: those search as SQLite does.
        if dialect == Dialect::Postgres && query.only_client_id.is_none() && query.faults == Faults::NONE {
            return indexed_client_search(query, search);
        }
    }
    scanned_list_clients(dialect, query)
}

/// `list-clients` through [`list_statement`]: a search tests every one of the tenant's
/// clients (on PostgreSQL under the policy, which keeps the trigram indexes out: the
/// benchmark's baseline for [`indexed_client_search`]).
pub(crate) fn scanned_list_clients(dialect: Dialect, query: &ClientListQuery<'_>) -> Statement {
    let mut params = Params::new(dialect);
    let tenant = params.uuid(query.tenant_id);
    let mut scope = Vec::new();
    if query.faults.list_within_tenant() {
        scope.push(format!("k.tenant = {tenant}"));
    }
    if let Some(only) = query.only_client_id {
        scope.push(format!("k.client_id = {}", params.uuid(only)));
    }
    let mut filters = Vec::new();
    let mut escaping = None;
    if !query.include_inactive {
        filters.push("k.is_inactive = false".to_string());
    }
    if let Some(search) = query.search {
        let pattern = params.text(&like_pattern(search, query.faults));
        let mut any =
            vec![matches(dialect, "k.client_name", &pattern), matches(dialect, "k.billing_email", &pattern)];
        if !query.faults.id_matched_whole() {
            any.push(matches(dialect, &dialect.id_text("k.client_id"), &pattern));
        }
        let uuid = search.uuid.as_ref().map(|uuid| params.uuid(uuid));
        if let Some(uuid) = &uuid {
            let same_id = format!("k.client_id = {uuid}");
            if query.faults.id_search_within_tenant() {
                any.push(same_id);
            } else {
                escaping = Some(same_id);
            }
        }
        filters.push(format!("({})", any.join(" OR ")));
    }
    // The details join compares with the context's tenant (a second fence, and what keeps the
    // statement on one Citus worker); a row the fault lets escape keeps its own tenant's
    // details, so that the leak reaches the guest as such a host's would.
    let details_tenant = if escaping.is_some() { "p.tenant".to_string() } else { tenant };
    let listed = Listed {
        table: "clients",
        name: "client_name",
        id: "client_id",
        alias: "c",
        columns: client_columns(dialect, &details_tenant),
        joins: CLIENT_JOINS,
        tenant: details_tenant,
        counted: query.only_client_id.is_none(),
        scope,
        filters,
        searched: query.search.is_some(),
        counts: "client_counts",
        escaping,
    };
    let text = list_statement(dialect, &mut params, &listed, query.paging, query.faults);
    params.finish(text)
}

/// `list-clients` with a search on PostgreSQL, through the trigram indexes: the matching ids
/// in the listing's order come from [`CLIENT_SEARCH_FUNCTION`] (migration 9, which says why
/// a function), `total-count` is their number, and only the page's slice of them is read,
/// by primary key and under the policy, with the tenant, the filter and the search's
/// conditions checked again. Same result columns and order as [`list_statement`].
///
/// The function is called once: in a subquery the planner may not flatten (`OFFSET 0`),
/// read by the count and the page, so that neither evaluates it again, nor the planner
/// (every execution gets a custom plan, which would evaluate a stable function given as an
/// argument of `ANY` to estimate it).
fn indexed_client_search(query: &ClientListQuery<'_>, search: &Search) -> Statement {
    let dialect = Dialect::Postgres;
    let mut params = Params::new(dialect);
    let tenant = params.uuid(query.tenant_id);
    let pattern = params.text(&like_pattern(search, query.faults));
    let id = match &search.uuid {
        Some(uuid) => params.uuid(uuid),
        None => "CAST(NULL AS uuid)".to_string(),
    };
    let include_inactive = params.bool(query.include_inactive);
    let offset = params.int(i64::try_from(query.paging.offset()).unwrap_or(i64::MAX));
    let limit = params.int(i64::from(query.paging.page_size));
    let mut any =
        vec![matches(dialect, "k.client_name", &pattern), matches(dialect, "k.billing_email", &pattern)];
    if search.uuid.is_some() {
        any.push(format!("k.client_id = {id}"));
    }
    let mut conditions = vec![format!("k.tenant = {tenant}")];
    if !query.include_inactive {
        conditions.push("k.is_inactive = false".to_string());
    }
    conditions.push(format!("({})", any.join(" OR ")));
    conditions.push("k.client_id = ANY(t.page)".to_string());
    let order = listing_order(
        &dialect.fold("c.client_name"),
        "c.client_id",
        &dialect.storage_order("c"),
        query.faults,
    );
    let text = format!(
        "SELECT t.total, {columns} FROM (\
             SELECT CAST(cardinality(f.ids) AS bigint) AS total, \
                    f.ids[CAST({offset} AS int) + 1 : CAST({offset} + {limit} AS int)] AS page \
             FROM (SELECT {CLIENT_SEARCH_FUNCTION}({tenant}, {pattern}, {id}, {include_inactive}) AS ids OFFSET 0) f) t \
         LEFT JOIN LATERAL (SELECT k.tenant, k.client_id FROM clients k WHERE {conditions}) p ON true \
         LEFT JOIN clients c ON c.tenant = {tenant} AND c.tenant = p.tenant AND c.client_id = p.client_id \
         {CLIENT_JOINS} ORDER BY {order}",
        columns = client_columns(dialect, &tenant),
        conditions = conditions.join(" AND "),
    );
    params.finish(text)
}

/// `get-client`: at most one row.
pub(crate) fn get_client(dialect: Dialect, query: &RecordQuery<'_>) -> Statement {
    let mut params = Params::new(dialect);
    let mut conditions = vec![format!("c.client_id = {}", params.uuid(query.id))];
    let mut tenant = "c.tenant".to_string();
    if query.faults.get_within_tenant() {
        tenant = params.uuid(query.tenant_id);
        conditions.push(format!("c.tenant = {tenant}"));
    }
    let text = format!(
        "SELECT CAST(NULL AS bigint) AS total, {columns} FROM clients c {CLIENT_JOINS} WHERE {conditions} LIMIT 1",
        columns = client_columns(dialect, &tenant),
        conditions = conditions.join(" AND "),
    );
    params.finish(text)
}

/// The detail columns of a catalog item `s` joined with its type `st`, after `total`.
fn service_columns(dialect: Dialect, tenant: &str, faults: Faults) -> String {
    format!(
        "{}, s.service_name, s.item_kind, s.billing_method, {}, st.name, s.default_rate, \
         s.unit_of_measure, s.is_active, s.sku, {}",
        dialect.id_text("s.service_id"),
        dialect.id_text("s.custom_service_type_id"),
        dialect.service_prices(tenant, faults),
    )
}

const SERVICE_JOINS: &str =
    "LEFT JOIN service_types st ON st.tenant = s.tenant AND st.id = s.custom_service_type_id";

/// `list-services`: the filtered set's size and one page.
pub(crate) fn list_services(dialect: Dialect, query: &ServiceListQuery<'_>) -> Statement {
    let mut params = Params::new(dialect);
    let tenant = params.uuid(query.tenant_id);
    let mut scope = Vec::new();
    if query.faults.list_within_tenant() {
        scope.push(format!("k.tenant = {tenant}"));
    }
    let mut filters = Vec::new();
    if let Some(kind) = query.item_kind {
        filters.push(format!("k.item_kind = {}", params.text(kind.wit_name())));
    }
    if let Some(active) = query.is_active {
        filters.push(format!("k.is_active = {}", params.bool(active)));
    }
    if let Some(method) = query.billing_method {
        filters.push(format!("k.billing_method = {}", params.text(method.wit_name())));
    }
    if let Some(code) = query.currency_code {
        filters.push(format!(
            "EXISTS (SELECT 1 FROM service_prices sp WHERE sp.tenant = k.tenant \
             AND sp.service_id = k.service_id AND sp.currency_code = {})",
            params.text(code)
        ));
    }
    if let Some(search) = query.search {
        let pattern = params.text(&like_pattern(search, query.faults));
        let any =
            ["k.service_name", "k.sku", "k.description"].map(|column| matches(dialect, column, &pattern));
        filters.push(format!("({})", any.join(" OR ")));
    }
    let listed = Listed {
        table: "service_catalog",
        name: "service_name",
        id: "service_id",
        alias: "s",
        columns: service_columns(dialect, &tenant, query.faults),
        joins: SERVICE_JOINS,
        tenant,
        scope,
        filters,
        searched: query.search.is_some(),
        counts: "service_counts",
        counted: query.currency_code.is_none(),
        escaping: None,
    };
    let text = list_statement(dialect, &mut params, &listed, query.paging, query.faults);
    params.finish(text)
}

/// `get-service`: at most one row.
pub(crate) fn get_service(dialect: Dialect, query: &RecordQuery<'_>) -> Statement {
    let mut params = Params::new(dialect);
    let mut conditions = vec![format!("s.service_id = {}", params.uuid(query.id))];
    let mut tenant = "s.tenant".to_string();
    if query.faults.get_within_tenant() {
        tenant = params.uuid(query.tenant_id);
        conditions.push(format!("s.tenant = {tenant}"));
    }
    let text = format!(
        "SELECT CAST(NULL AS bigint) AS total, {columns} FROM service_catalog s {SERVICE_JOINS} WHERE {conditions} LIMIT 1",
        columns = service_columns(dialect, &tenant, query.faults),
        conditions = conditions.join(" AND "),
    );
    params.finish(text)
}

/// The install's stored capability names as JSON text.
pub(crate) fn install_capabilities(
    dialect: Dialect,
    tenant_id: &str,
    install_id: &str,
    faults: Faults,
) -> Statement {
    let mut params = Params::new(dialect);
    let mut conditions = Vec::new();
    if faults.install_within_tenant() {
        conditions.push(format!("i.tenant = {}", params.uuid(tenant_id)));
    }
    conditions.push(format!("i.id = {}", params.uuid(install_id)));
    let text = format!(
        "SELECT i.granted_caps{cast} FROM tenant_extension_install i WHERE {conditions}",
        cast = if dialect == Dialect::Postgres { "::text" } else { "" },
        conditions = conditions.join(" AND "),
    );
    params.finish(text)
}

/// Which user rows a lookup by id may find: the tenant's (a fault may let users of one
/// type be found in any tenant).
fn user_scope(params: &mut Params, alias: &str, tenant_id: &str, faults: Faults) -> String {
    let tenant = format!("{alias}.tenant = {}", params.uuid(tenant_id));
    let anywhere: Vec<String> = [UserType::Internal, UserType::Client]
        .into_iter()
        .filter(|user_type| !faults.user_within_tenant(*user_type))
        .map(|user_type| format!("{alias}.user_type = '{}'", user_type.as_str()))
        .collect();
    if anywhere.is_empty() { tenant } else { format!("({tenant} OR {})", anywhere.join(" OR ")) }
}

/// The user's type, activity and portal client (through their contact).
pub(crate) fn user(dialect: Dialect, tenant_id: &str, user_id: &str, faults: Faults) -> Statement {
    let mut params = Params::new(dialect);
    let scope = user_scope(&mut params, "u", tenant_id, faults);
    let text = format!(
        "SELECT u.user_type, u.is_inactive, {} FROM users u \
         LEFT JOIN contacts ct ON ct.tenant = u.tenant AND ct.contact_name_id = u.contact_id \
         WHERE {scope} AND u.user_id = {}",
        dialect.id_text("ct.client_id"),
        params.uuid(user_id),
    );
    params.finish(text)
}

/// Every permission of every role of the user: `resource, action, msp, client`.
pub(crate) fn user_permissions(
    dialect: Dialect,
    tenant_id: &str,
    user_id: &str,
    faults: Faults,
) -> Statement {
    let mut params = Params::new(dialect);
    let lookup =
        if faults.user_within_tenant(UserType::Internal) && faults.user_within_tenant(UserType::Client) {
            format!("WHERE ur.tenant = {}", params.uuid(tenant_id))
        } else {
            // The roles of whichever user rows the faulty lookup finds.
            let scope = user_scope(&mut params, "u", tenant_id, faults);
            format!("JOIN users u ON u.tenant = ur.tenant AND u.user_id = ur.user_id WHERE {scope}")
        };
    let text = format!(
        "SELECT p.resource, p.action, p.msp, p.client FROM user_roles ur \
         JOIN role_permissions rp ON rp.tenant = ur.tenant AND rp.role_id = ur.role_id \
         JOIN permissions p ON p.tenant = rp.tenant AND p.permission_id = rp.permission_id \
         {lookup} AND ur.user_id = {}",
        params.uuid(user_id),
    );
    params.finish(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use alga_extension_contract::input;

    #[test]
    fn like_patterns_escape_every_wildcard() {
        let search = input::search(Some(r"50% a_b \x")).unwrap().unwrap();
        assert_eq!(like_pattern(&search, Faults::NONE), r"%50\% a\_b \\x%");
    }

    #[test]
    fn every_statement_names_the_tenant_and_only_placeholders_carry_input() {
        let search = input::search(Some("x'; DROP TABLE clients; --")).unwrap();
        let paging = input::paging(None, None).unwrap();
        for dialect in [Dialect::Postgres, Dialect::Sqlite] {
            let statement = list_clients(
                dialect,
                &ClientListQuery {
                    tenant_id: "00000000-0000-4000-8000-000000000001",
                    only_client_id: None,
                    search: search.as_ref(),
                    include_inactive: false,
                    paging,
                    faults: Faults::NONE,
                    deadline: crate::store::Deadline::NONE,
                },
            );
            assert!(statement.text.contains("k.tenant = "), "{}", statement.text);
            assert!(!statement.text.contains("DROP"), "{}", statement.text);
            assert!(!statement.text.contains("00000000-0000"), "{}", statement.text);
        }
    }
}
