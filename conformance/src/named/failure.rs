//! Named cases of SPEC.md section 8: every function through a store outage, with calls
//! that need the store and calls decided before it (ERR-1), and hostile input with the
//! store working (ERR-2).

use super::NamedCase;
use super::build::*;
use alga_conformance_protocol::{Call, ExecutionContext, UserType};
use alga_extension_contract::CAP_CLIENT_READ;

/// ERR-1.
pub const ERR_1: &[NamedCase] = &[
    NamedCase {
        name: "ERR-1.every-function-through-an-outage",
        description: "the four functions, with and without a user, before, during and after a store outage",
        build: || {
            let mut w = World::new(1);
            let client = w.clients(A, &["Acme"]).remove(0);
            let service = w.services(A, &["Plan"]).remove(0);
            let staff = w.user(A, 1, UserType::Internal).user_id.clone();
            let mut calls: Vec<(ExecutionContext, Call)> = Vec::new();
            for context in [admin(A), as_user(A, &staff, UserType::Internal)] {
                calls.extend(
                    every_function(&client, &service).into_iter().map(|call| (context.clone(), call)),
                );
            }
            w.case(through_an_outage(calls))
        },
    },
    NamedCase {
        name: "ERR-1.refused-and-invalid-calls-through-an-outage",
        description: "calls decided before the query (a missing capability, an invalid input) next to calls that need the store",
        build: || {
            let mut w = World::new(1);
            let client = w.clients(A, &["Acme"]).remove(0);
            let clients_only = w.install(A, 1, &[CAP_CLIENT_READ]);
            let limited = through(A, clients_only, None);
            let calls = vec![
                (limited.clone(), services().call()),
                (admin(A), clients().page(0).call()),
                (admin(A), get_client("abc")),
                (limited.clone(), clients().call()),
                (admin(A), get_client(&client)),
            ];
            w.case(through_an_outage(calls))
        },
    },
];

/// ERR-2.
pub const ERR_2: &[NamedCase] = &[
    NamedCase {
        name: "ERR-2.hostile-inputs",
        description: "1 MB searches, NUL, control characters, the largest pages, malformed and upper-case ids, a search that is a UUID: never internal",
        build: || {
            let mut w = World::new(1);
            let client = w.clients(A, &["Acme"]).remove(0);
            let calls = vec![
                clients().search(&"x".repeat(1 << 20)).call(),
                services().search(&"é".repeat(1 << 19)).call(),
                clients().search("\u{0}").call(),
                clients().search("a\u{7f}\u{85}\u{9f}").call(),
                clients().page(u32::MAX).size(u32::MAX).call(),
                services().page(10_000).size(100).call(),
                clients().search(&upper(&client)).call(),
                clients().search("00000000-0000-0000-0000-000000000000").call(),
                clients().search("%_\\").call(),
                get_client(&"\u{0}".repeat(36)),
                get_client(&"😀".repeat(36)),
                get_service(&"f".repeat(1 << 16)),
                get_client(&upper(&client)),
            ];
            w.case(calls_in(&admin(A), calls))
        },
    },
    NamedCase {
        name: "ERR-2.unusual-contexts",
        description: "unknown users and installs, another tenant's install, users claimed with the other type: refused, never internal",
        build: || {
            let mut w = World::new(2);
            let client = w.clients(A, &["Acme"]).remove(0);
            let service = w.services(A, &["Plan"]).remove(0);
            let staff = w.user(A, 1, UserType::Internal).user_id.clone();
            let mut steps = Vec::new();
            for context in [
                through(A, admin_install(B), None),
                through(A, id(Kind::Install, A, 9), None),
                as_user(A, &id(Kind::User, A, 9), UserType::Client),
                as_user(A, &staff, UserType::Client),
            ] {
                steps.extend(calls_in(&context, every_function(&client, &service)));
            }
            w.case(steps)
        },
    },
];
