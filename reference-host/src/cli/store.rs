//! `--store`: which store a command uses, and opening it.
//!
//! Forms: `sqlite` (the embedded store in `alga-demo.sqlite` in the current directory, or
//! in memory for `testee`), `sqlite=PATH`, `postgres` (`DATABASE_URL`; for `testee`, a
//! fresh database from the provisioning ladder) and `postgres=URL`.
//!
//! A PostgreSQL password never reaches a message: errors that quote the connection URL or
//! settings quote them with the password replaced by `***` ([`redacted`]). A store failure
//! during an execution is logged to stderr here (the guest is only told `internal`).

use super::exit::CliError;
use crate::escape;
use alga_reference_store::postgres::{PostgresOptions, PostgresStore};
use alga_reference_store::provision::{self, TestDatabase};
use alga_reference_store::sqlite::SqliteStore;
use alga_reference_store::{DataStore, ReadServices};
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

/// The embedded store's file when `--store` names none.
pub const DEFAULT_SQLITE_FILE: &str = "alga-demo.sqlite";

/// A `--store` value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreArg {
    /// The embedded SQLite store, in this file (or the default).
    Sqlite(Option<PathBuf>),
    /// PostgreSQL at this URL (or `DATABASE_URL` / the provisioning ladder).
    Postgres(Option<String>),
}

impl Default for StoreArg {
    fn default() -> Self {
        StoreArg::Sqlite(None)
    }
}

impl FromStr for StoreArg {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let (kind, location) = match text.split_once('=') {
            Some((kind, location)) => (kind, Some(location)),
            None => (text, None),
        };
        if location == Some("") {
            return Err(format!("`{kind}=` needs a location after `=`"));
        }
        match kind {
            "sqlite" => Ok(StoreArg::Sqlite(location.map(PathBuf::from))),
            "postgres" | "postgresql" => Ok(StoreArg::Postgres(location.map(str::to_string))),
            other => {
                Err(format!("unknown store `{other}`: use sqlite, sqlite=PATH, postgres or postgres=URL"))
            }
        }
    }
}

/// An opened store and, when one was created for this run, its database.
pub struct OpenedStore {
    /// The read services over the store.
    pub services: ReadServices,
    /// A database created for this process (`testee --store postgres`); dropped with it.
    pub database: Option<TestDatabase>,
}

impl OpenedStore {
    /// The store.
    pub fn store(&self) -> &Arc<dyn DataStore> {
        self.services.store()
    }
}

fn from_store(store: impl DataStore) -> OpenedStore {
    let services =
        ReadServices::new(Arc::new(store)).with_store_error_observer(Arc::new(|operation, err| {
            eprintln!(
                "warning: the store failed during {operation} (the extension was told `internal`): {}",
                escape::text(&err.to_string())
            );
        }));
    OpenedStore { services, database: None }
}

fn database_url() -> Result<String, CliError> {
    match std::env::var("DATABASE_URL") {
        Ok(url) if !url.trim().is_empty() => Ok(url.trim().to_string()),
        _ => Err(CliError::usage(
            "`--store postgres` needs a database: pass `--store postgres=URL` or set DATABASE_URL",
        )),
    }
}

fn postgres(url: &str) -> Result<OpenedStore, CliError> {
    postgres_with(url, PostgresOptions::default())
}

fn postgres_with(url: &str, options: PostgresOptions) -> Result<OpenedStore, CliError> {
    PostgresStore::connect_with(url, options)
        .map(from_store)
        .map_err(|err| CliError::store(redact(&err.to_string(), url)))
}

/// The PostgreSQL settings for executions limited to `time_limit`: no single wait of a
/// store call made outside an execution (`serve`'s check of the context's install) outlasts
/// the execution's time limit, where the store's defaults allow 5 to 10 s. Inside an
/// execution every wait also ends at the execution's own deadline, counting down across its
/// calls (`Limits::store_time`, `alga_reference_store::Deadline`).
pub fn execution_options(time_limit: Duration) -> PostgresOptions {
    PostgresOptions {
        statement_timeout: time_limit,
        connect_timeout: time_limit,
        checkout_timeout: time_limit,
        ..PostgresOptions::default()
    }
}

/// `url` (a `postgres://` URL or `key=value` settings) with its password replaced by
/// `***`: in the user information (`postgres://user:***@host/db`), in a `password` query
/// parameter, or in a `password=` setting (quoted or not).
pub fn redacted(url: &str) -> String {
    match url.split_once("://") {
        Some((scheme, rest)) => {
            let (before_query, query) = match rest.split_once('?') {
                Some((before, query)) => (before, Some(query)),
                None => (rest, None),
            };
            let mut out = format!("{scheme}://");
            match before_query.rfind('@') {
                Some(at) => {
                    let (userinfo, host_and_path) = before_query.split_at(at);
                    match userinfo.split_once(':') {
                        Some((user, _password)) => out.push_str(&format!("{user}:***")),
                        None => out.push_str(userinfo),
                    }
                    out.push_str(host_and_path);
                }
                None => out.push_str(before_query),
            }
            if let Some(query) = query {
                let parameters: Vec<String> = query
                    .split('&')
                    .map(|pair| match pair.split_once('=') {
                        Some((key, _)) if key == "password" => format!("{key}=***"),
                        _ => pair.to_string(),
                    })
                    .collect();
                out.push('?');
                out.push_str(&parameters.join("&"));
            }
            out
        }
        None => redact_password_setting(url),
    }
}

/// `password = value` in libpq's `key=value` settings, the value quoted (`'...'`, with `\'`
/// inside) or up to the next whitespace, replaced by `***`.
fn redact_password_setting(settings: &str) -> String {
    let mut out = String::with_capacity(settings.len());
    let mut rest = settings;
    while let Some(start) = rest.find("password") {
        let preceded_by_key_boundary = rest[..start].chars().last().is_none_or(char::is_whitespace);
        let after_key = &rest[start + "password".len()..];
        let after_equals = after_key.trim_start().strip_prefix('=');
        match after_equals {
            Some(value) if preceded_by_key_boundary => {
                out.push_str(&rest[..start]);
                out.push_str("password=***");
                let value = value.trim_start();
                let end = if let Some(quoted) = value.strip_prefix('\'') {
                    let mut escaped = false;
                    let close = quoted.char_indices().find(|&(_, c)| {
                        let closes = c == '\'' && !escaped;
                        escaped = c == '\\' && !escaped;
                        closes
                    });
                    close.map_or(value.len(), |(i, _)| i + 2)
                } else {
                    value.find(char::is_whitespace).unwrap_or(value.len())
                };
                rest = &value[end..];
            }
            _ => {
                out.push_str(&rest[..start + "password".len()]);
                rest = after_key;
            }
        }
    }
    out.push_str(rest);
    out
}

/// `message` with `url` (as written, and as `{:?}` quotes it) replaced by [`redacted`]`(url)`.
pub fn redact(message: &str, url: &str) -> String {
    let safe = redacted(url);
    message.replace(&format!("{url:?}"), &format!("{safe:?}")).replace(url, &safe)
}

/// Opens the store for `seed`: the SQLite file is created if missing.
pub fn open_for_seed(arg: &StoreArg) -> Result<OpenedStore, CliError> {
    match arg {
        StoreArg::Sqlite(path) => {
            let path = path.clone().unwrap_or_else(|| PathBuf::from(DEFAULT_SQLITE_FILE));
            SqliteStore::open(&path).map(from_store).map_err(|err| CliError::store(err.to_string()))
        }
        StoreArg::Postgres(url) => postgres(&url.clone().map_or_else(database_url, Ok)?),
    }
}

/// Opens the store for `run` and `serve`, whose executions are limited to `time_limit`
/// ([`execution_options`]): the data must be there already.
pub fn open_seeded(arg: &StoreArg, time_limit: Duration) -> Result<OpenedStore, CliError> {
    match arg {
        StoreArg::Sqlite(path) => {
            let explicit = path.is_some();
            let path = path.clone().unwrap_or_else(|| PathBuf::from(DEFAULT_SQLITE_FILE));
            if !path.exists() {
                let hint = if explicit {
                    format!("run `alga-reference-host seed --store sqlite={}` first", path.display())
                } else {
                    "run `alga-reference-host seed` first, or pass --store".to_string()
                };
                return Err(CliError::store(format!("no demo data at {}: {hint}", path.display())));
            }
            SqliteStore::open(&path).map(from_store).map_err(|err| CliError::store(err.to_string()))
        }
        StoreArg::Postgres(url) => {
            postgres_with(&url.clone().map_or_else(database_url, Ok)?, execution_options(time_limit))
        }
    }
}

/// Opens the store for `testee`, whose data comes from the runner's fixtures: SQLite in
/// memory (or the file given), a fresh PostgreSQL database from the provisioning ladder
/// (dropped on exit), or the database at the URL given (its data is replaced).
pub fn open_for_testee(arg: &StoreArg) -> Result<OpenedStore, CliError> {
    match arg {
        StoreArg::Sqlite(None) => {
            SqliteStore::in_memory().map(from_store).map_err(|err| CliError::store(err.to_string()))
        }
        StoreArg::Sqlite(Some(path)) => {
            SqliteStore::open(path).map(from_store).map_err(|err| CliError::store(err.to_string()))
        }
        StoreArg::Postgres(Some(url)) => postgres(url),
        StoreArg::Postgres(None) => {
            let server = provision::postgres_server().map_err(|err| CliError::store(err.to_string()))?;
            let database =
                server.fresh_database("alga_testee").map_err(|err| CliError::store(err.to_string()))?;
            let mut opened = postgres(database.url())?;
            opened.database = Some(database);
            Ok(opened)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn store_arguments_parse() {
        assert_eq!("sqlite".parse(), Ok(StoreArg::Sqlite(None)));
        assert_eq!("sqlite=/tmp/x.db".parse(), Ok(StoreArg::Sqlite(Some("/tmp/x.db".into()))));
        assert_eq!("postgres".parse(), Ok(StoreArg::Postgres(None)));
        assert_eq!(
            "postgres=postgres://u@h/db?x=1".parse(),
            Ok(StoreArg::Postgres(Some("postgres://u@h/db?x=1".into())))
        );
        assert_eq!(
            "mysql".parse::<StoreArg>(),
            Err("unknown store `mysql`: use sqlite, sqlite=PATH, postgres or postgres=URL".into())
        );
        assert_eq!("sqlite=".parse::<StoreArg>(), Err("`sqlite=` needs a location after `=`".into()));
    }

    #[test]
    fn passwords_are_redacted_in_every_form() {
        assert_eq!(redacted("postgres://alga:s3cr%2Ft@db:5432/alga"), "postgres://alga:***@db:5432/alga");
        assert_eq!(
            redacted("postgresql://alga@db/alga?sslmode=disable"),
            "postgresql://alga@db/alga?sslmode=disable"
        );
        assert_eq!(
            redacted("postgres://db/alga?user=alga&password=s3cret&sslmode=require"),
            "postgres://db/alga?user=alga&password=***&sslmode=require"
        );
        assert_eq!(
            redacted("postgres://u:p@ss@db/x"),
            "postgres://u:***@db/x",
            "an unencoded @ in the password"
        );
        assert_eq!(redacted("host=db password=s3cret user=alga"), "host=db password=*** user=alga");
        assert_eq!(redacted("host=db password = 'a b\\' c' user=alga"), "host=db password=*** user=alga");
        assert_eq!(redacted("host=db passwordless=1"), "host=db passwordless=1");
        let url = "postgres://alga:s3cret@db/alga";
        let message = format!("the store rejected the data: {url:?} is not a URL; also {url}");
        let safe = redact(&message, url);
        assert!(!safe.contains("s3cret"), "{safe}");
        assert!(safe.contains("postgres://alga:***@db/alga"), "{safe}");
    }
}
