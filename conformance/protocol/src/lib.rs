//! What the `alga:extension` conformance suite and the hosts it tests share, and nothing
//! else: the data a host is loaded with, the context a call runs in, the call, its outcome,
//! the [`Testee`] trait an in-process host implements, and the line-delimited JSON messages
//! an out-of-process host speaks (see `conformance/PROTOCOL.md`).
//!
//! This crate knows no host and no oracle: the reference host implements [`Testee`] on top
//! of it without depending on the suite, and the suite drives any [`Testee`] without
//! depending on a host.
//!
//! | module | what it owns |
//! |---|---|
//! | [`fixture`] | the multi-tenant data set (clients, services, users, roles, installs) and its validation |
//! | [`context`] | the execution context of a call (tenant, install, optional user) |
//! | [`call`] | a call of a contract function as JSON, and its [`Outcome`] class |
//! | [`testee`] | the [`Testee`] trait and [`TesteeInfo`] |
//! | [`wire`] | the JSON-lines request and response messages |

#![warn(missing_docs)]

pub mod call;
pub mod context;
pub mod fixture;
pub mod testee;
pub mod wire;

pub use call::{Call, Outcome};
pub use context::{ContextUser, ExecutionContext, UserType};
pub use fixture::Fixture;
pub use testee::{Testee, TesteeError, TesteeInfo};

/// Version of the protocol described in `conformance/PROTOCOL.md`. A testee reports the
/// version it speaks in its `describe` answer; the runner refuses other major versions.
pub const PROTOCOL_VERSION: u32 = 1;
