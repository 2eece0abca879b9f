//! Serde types for every record, enum and variant of interface `alga:extension/types`.
//!
//! The types are generated at build time from the WIT in `wit/` (see `build.rs`), so they
//! cannot drift from it; `tests/wit_mirror.rs` walks the WIT independently and checks the
//! JSON of every type field by field and case by case.
//!
//! JSON form (what extension authors see through JavaScript bindings):
//! - records are objects with camelCase keys (`clientId`, `totalCount`); an absent
//!   `option` is `null` when serialised and may be left out when deserialised;
//! - enum values are their WIT case names (`"company"`, `"hourly"`);
//! - variants are `{"tag": "invalid-input", "val": "..."}` (`val` only when the case
//!   has a payload).

include!(concat!(env!("OUT_DIR"), "/types.rs"));

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadError::NotAllowed => f.write_str("not allowed"),
            ReadError::InvalidInput(message) => write!(f, "invalid input: {message}"),
            ReadError::Internal => f.write_str("internal host error"),
        }
    }
}

impl std::error::Error for ReadError {}
