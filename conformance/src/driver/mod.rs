//! Drivers: how the suite reaches a host. Every host is a [`Testee`]:
//!
//! | driver | host |
//! |---|---|
//! | [`reference`] (feature `reference-host`) | the reference host in process, on in-memory SQLite (default) or a fresh PostgreSQL database |
//! | [`process`] | any command speaking the JSON-lines protocol of `conformance/PROTOCOL.md` |
//! | [`model`] | the oracle itself, with deliberate faults: for testing the suite, not hosts |

pub mod model;
pub mod process;
#[cfg(feature = "reference-host")]
pub mod reference;

pub use alga_conformance_protocol::Testee;
