//! The [`DataStore`] trait: what a store offers the read services.

use alga_conformance_protocol::Fixture;

/// Why a store could not answer.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database cannot be reached or failed (the guest sees `internal`, ERR-1).
    #[error("the store is unavailable: {0}")]
    Unavailable(String),
    /// The data given to the store is wrong (a fixture that fails validation).
    #[error("the store rejected the data: {0}")]
    Rejected(String),
}

/// A store of tenant data.
pub trait DataStore: Send + Sync + 'static {
    /// A short description for logs and reports, e.g. `sqlite (:memory:)`.
    fn describe(&self) -> String;

    /// Replaces all data with `fixture`, in one transaction: on failure nothing of it is
    /// visible and the previous data is kept.
    fn load_fixture(&self, fixture: &Fixture) -> Result<(), StoreError>;

    /// Starts or ends a simulated outage: while it lasts every query fails with
    /// [`StoreError::Unavailable`].
    fn set_outage(&self, down: bool);
}
