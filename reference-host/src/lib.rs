//! `alga-reference-host`: the reference wasmtime host of the `alga:extension` contract.
//!
//! It runs extension components (world `alga:reference-host/extension`, in `wit/`) and
//! answers their contract calls from the read services of `alga-reference-store`, over
//! PostgreSQL or the embedded SQLite store.
//!
//! | module | what it owns |
//! |---|---|
//! | [`engine`] | the one shared wasmtime engine: pooling allocator, epoch ticker, fingerprint |
//! | [`limits`] | memory, time, contract-call and row limits of an execution and how a hit is worded |
//! | [`cache`] | compiled components, in memory and precompiled on disk |
//! | [`ownership`] | who may have written a file the host trusts (cache, token file) |
//! | [`state`] | the state of one execution (context, actor, read services) |
//! | [`versions`] | the contract versions served and how to add one |
//! | [`world`] | the host's own world: bindings, and the check that a component targets it |
//! | [`http`] | the HTTP-like request and response of the handler |
//! | [`runtime`] | loading components and running executions |
//! | [`error`] | why loading or an execution failed |
//! | [`escape`] | escaping text the host did not write before it reaches a log or terminal |
//! | [`testee`] | the conformance suite's in-process driver ([`ReferenceTestee`]) |
//! | [`cli`] | the `alga-reference-host` command line (`seed`, `run`, `serve`, `testee`) |

#![warn(missing_docs)]

pub mod cache;
pub mod cli;
pub mod console;
pub mod engine;
pub mod error;
pub mod escape;
pub mod http;
pub mod limits;
pub mod ownership;
pub mod runtime;
pub mod state;
pub mod testee;
pub mod versions;
pub mod world;

pub use error::{ExecutionError, LoadError};
pub use http::{HttpRequest, HttpResponse};
pub use runtime::{Executed, Extension, ProbeComponent, Runtime, RuntimeConfig};
pub use testee::ReferenceTestee;
