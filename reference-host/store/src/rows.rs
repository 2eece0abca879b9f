//! Rows as both stores read them, and their one mapping to the contract's summaries
//! (DATA-1, PRICE-1). The computed fields (account manager name, tag list, price list) are
//! derived here in Rust with `alga_extension_contract::summary`, never in SQL, so PostgreSQL
//! and SQLite cannot differ on trimming or ordering of tags and prices.

use crate::store::{Listing, StoreError, StoredPermission};
use alga_conformance_protocol::UserType;
use alga_extension_contract::summary;
use alga_extension_contract::types::{
    BillingMethod, ClientSummary, ClientType, ItemKind, ServicePrice, ServiceSummary,
};

/// A client row joined with its account manager and its tag texts.
#[derive(Debug, Clone)]
pub(crate) struct ClientRow {
    pub client_id: String,
    pub client_name: String,
    pub client_type: Option<String>,
    pub is_inactive: bool,
    pub default_currency_code: String,
    pub account_manager_id: Option<String>,
    pub manager_first_name: Option<String>,
    pub manager_last_name: Option<String>,
    pub billing_email: Option<String>,
    pub tags: Vec<String>,
}

impl ClientRow {
    /// The summary of DATA-1.
    pub fn into_summary(self) -> Result<ClientSummary, StoreError> {
        let client_type = match self.client_type.as_deref() {
            None => None,
            Some(text) => Some(ClientType::from_wit_name(text).ok_or_else(|| {
                StoreError::Corrupt(format!("client {} has client_type {text:?}", self.client_id))
            })?),
        };
        let account_manager_name = match &self.account_manager_id {
            None => None,
            Some(_) => summary::account_manager_name(
                self.manager_first_name.as_deref(),
                self.manager_last_name.as_deref(),
            ),
        };
        Ok(ClientSummary {
            client_id: self.client_id,
            client_name: self.client_name,
            client_type,
            is_inactive: self.is_inactive,
            default_currency_code: self.default_currency_code,
            account_manager_id: self.account_manager_id,
            account_manager_name,
            billing_email: self.billing_email,
            tags: summary::tag_list(self.tags),
        })
    }
}

/// A catalog row joined with its service type.
#[derive(Debug, Clone)]
pub(crate) struct ServiceRow {
    pub service_id: String,
    pub service_name: String,
    pub item_kind: String,
    pub billing_method: String,
    pub service_type_id: Option<String>,
    pub service_type_name: Option<String>,
    pub default_rate: i64,
    pub unit_of_measure: String,
    pub is_active: bool,
    pub sku: Option<String>,
    /// `(currency_code, rate)` of every price of the item, in any order.
    pub prices: Vec<(String, i64)>,
}

impl ServiceRow {
    /// The summary of DATA-1.
    pub fn into_summary(self) -> Result<ServiceSummary, StoreError> {
        let corrupt = |column: &str, text: &str| {
            StoreError::Corrupt(format!("service {} has {column} {text:?}", self.service_id))
        };
        let item_kind =
            ItemKind::from_wit_name(&self.item_kind).ok_or_else(|| corrupt("item_kind", &self.item_kind))?;
        let billing_method = BillingMethod::from_wit_name(&self.billing_method)
            .ok_or_else(|| corrupt("billing_method", &self.billing_method))?;
        if self.default_rate.abs() > alga_conformance_protocol::fixture::MAX_RATE_CENTS {
            return Err(corrupt("default_rate", &self.default_rate.to_string()));
        }
        let mut prices = Vec::with_capacity(self.prices.len());
        for (currency_code, rate) in self.prices {
            if rate.abs() > alga_conformance_protocol::fixture::MAX_RATE_CENTS {
                return Err(corrupt(&format!("a {currency_code} price"), &rate.to_string()));
            }
            // Exact: |rate| < 2^53 was checked above.
            prices.push(ServicePrice { currency_code, rate: rate as f64 });
        }
        Ok(ServiceSummary {
            service_id: self.service_id,
            service_name: self.service_name,
            item_kind,
            billing_method,
            service_type_id: self.service_type_id,
            service_type_name: self.service_type_name,
            // Exact: |rate| < 2^53 was checked above.
            default_rate: self.default_rate as f64,
            prices: summary::price_list(prices),
            unit_of_measure: self.unit_of_measure,
            is_active: self.is_active,
            sku: self.sku,
        })
    }
}

/// Parses the JSON price list of a catalog item (`[["EUR", 1800], ...]`; NULL is none).
fn price_list(service_id: &str, json: Option<String>) -> Result<Vec<(String, i64)>, StoreError> {
    let Some(json) = json else { return Ok(Vec::new()) };
    serde_json::from_str(&json).map_err(|err| {
        StoreError::Corrupt(format!("service {service_id} has a price list that does not parse: {err}"))
    })
}

/// Parses the JSON capability list of an install (`granted_caps`).
pub(crate) fn capability_list(install_id: &str, json: &str) -> Result<Vec<String>, StoreError> {
    serde_json::from_str(json).map_err(|err| {
        StoreError::Corrupt(format!(
            "install {install_id} has granted_caps that are not a list of strings: {err}"
        ))
    })
}

/// Reading the columns of a result row by position, implemented by both drivers' rows, so
/// that the column layout of `crate::sql` is decoded in one place.
pub(crate) trait ColumnAccess {
    /// A text (or id rendered as text) column.
    fn text(&self, index: usize) -> Result<Option<String>, StoreError>;
    /// A boolean column.
    fn boolean(&self, index: usize) -> Result<Option<bool>, StoreError>;
    /// An integer column.
    fn integer(&self, index: usize) -> Result<Option<i64>, StoreError>;
    /// The tag list column of a client row.
    fn tag_texts(&self, index: usize) -> Result<Vec<String>, StoreError>;
}

fn required<T>(value: Option<T>, column: &str) -> Result<T, StoreError> {
    value.ok_or_else(|| StoreError::Corrupt(format!("column {column} is NULL")))
}

/// The `total` column (column 0) of a list row.
pub(crate) fn total(row: &dyn ColumnAccess) -> Result<u64, StoreError> {
    let total = required(row.integer(0)?, "total")?;
    u64::try_from(total).map_err(|_| StoreError::Corrupt(format!("a negative count: {total}")))
}

/// A client row in the layout of `crate::sql`; `None` for the empty-page row.
pub(crate) fn client_row(row: &dyn ColumnAccess) -> Result<Option<ClientRow>, StoreError> {
    let Some(client_id) = row.text(1)? else { return Ok(None) };
    Ok(Some(ClientRow {
        client_id,
        client_name: required(row.text(2)?, "client_name")?,
        client_type: row.text(3)?,
        is_inactive: required(row.boolean(4)?, "is_inactive")?,
        default_currency_code: required(row.text(5)?, "default_currency_code")?,
        account_manager_id: row.text(6)?,
        manager_first_name: row.text(7)?,
        manager_last_name: row.text(8)?,
        billing_email: row.text(9)?,
        tags: row.tag_texts(10)?,
    }))
}

/// A service row in the layout of `crate::sql`; `None` for the empty-page row.
pub(crate) fn service_row(row: &dyn ColumnAccess) -> Result<Option<ServiceRow>, StoreError> {
    let Some(service_id) = row.text(1)? else { return Ok(None) };
    Ok(Some(ServiceRow {
        service_name: required(row.text(2)?, "service_name")?,
        item_kind: required(row.text(3)?, "item_kind")?,
        billing_method: required(row.text(4)?, "billing_method")?,
        service_type_id: row.text(5)?,
        service_type_name: row.text(6)?,
        default_rate: required(row.integer(7)?, "default_rate")?,
        unit_of_measure: required(row.text(8)?, "unit_of_measure")?,
        is_active: required(row.boolean(9)?, "is_active")?,
        sku: row.text(10)?,
        prices: price_list(&service_id, row.text(11)?)?,
        service_id,
    }))
}

/// A text column that must not be NULL.
pub(crate) fn required_text(
    row: &dyn ColumnAccess,
    index: usize,
    column: &str,
) -> Result<String, StoreError> {
    required(row.text(index)?, column)
}

/// A row of `crate::sql::user`: the stored type, the inactive flag, the portal client.
pub(crate) fn user_row(row: &dyn ColumnAccess) -> Result<(UserType, bool, Option<String>), StoreError> {
    let text = required(row.text(0)?, "user_type")?;
    let user_type = UserType::parse(&text)
        .ok_or_else(|| StoreError::Corrupt(format!("a user has user_type {text:?}")))?;
    Ok((user_type, required(row.boolean(1)?, "is_inactive")?, row.text(2)?))
}

/// A row of `crate::sql::user_permissions`.
pub(crate) fn permission_row(row: &dyn ColumnAccess) -> Result<StoredPermission, StoreError> {
    Ok(StoredPermission {
        resource: required(row.text(0)?, "resource")?,
        action: required(row.text(1)?, "action")?,
        msp: required(row.boolean(2)?, "msp")?,
        client: required(row.boolean(3)?, "client")?,
    })
}

/// A list result: every row carries the total; rows without a record (the empty page) are
/// dropped.
pub(crate) fn listing<R, S>(
    rows: Vec<(u64, Option<R>)>,
    summary: impl Fn(R) -> Result<S, StoreError>,
) -> Result<Listing<S>, StoreError> {
    let total = rows.first().map_or(0, |(total, _)| *total);
    let items = rows.into_iter().filter_map(|(_, row)| row).map(summary).collect::<Result<_, _>>()?;
    Ok(Listing { total, items })
}
