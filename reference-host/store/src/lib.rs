//! The data side of the `alga:extension` reference host: the read services (capability,
//! permission and input checks, then a tenant-scoped query) and the stores they query
//! (PostgreSQL and an embedded SQLite), plus the demo data generator and the ladder that
//! finds a PostgreSQL. Plain Rust: no wasmtime here, so all of it is testable alone and
//! reusable by any host.
//!
//! | module | what it owns |
//! |---|---|
//! | [`read`] | [`ReadServices`]: the contract's four functions for an [`Actor`] |
//! | [`store`] | the [`DataStore`] trait both stores implement, and [`StoreError`] |
//! | [`sqlite`] | the embedded store (default; a file or `:memory:`) |
//! | [`postgres`] | the PostgreSQL store (schema, migrations, row-level security) |
//! | [`provision`] | getting a PostgreSQL: `DATABASE_URL`, testcontainers, a throwaway local cluster |
//! | [`demo`] | the deterministic multi-tenant demo data set |
//! | `mutation` (feature `mutants`) | deliberately broken behaviours for proving the conformance suite |
//!
//! Inside, one source per fact: `sql` writes every read query once for both stores (they
//! differ only in a small dialect), `rows` turns result rows into the contract's summaries
//! for both, and `tables` turns a fixture into table rows for both loaders.

#![warn(missing_docs)]

pub mod demo;
#[cfg(feature = "mutants")]
pub mod mutation;
pub mod postgres;
pub mod provision;
pub mod read;
mod rows;
mod sql;
pub mod sqlite;
pub mod store;
mod tables;
#[cfg(test)]
mod upgrade_check;

#[cfg(feature = "mutants")]
pub use mutation::Mutation;
pub use read::{Actor, ReadServices};
pub use store::{DataStore, Deadline, StoreError};
