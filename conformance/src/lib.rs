//! `alga-conformance`: the property-based conformance suite for hosts of the
//! `alga:extension` contract. It generates multi-tenant worlds and calls (proptest), runs
//! them through a host with a generated probe guest, and compares every outcome with an
//! independent model of SPEC.md; failures are shrunk and saved as replayable cases.
//!
//! | module | what it owns |
//! |---|---|
//! | [`oracle`] | the independent model of SPEC.md: what a conforming host returns |
//! | [`outcome`] | a host's outcome, typed by the function called |
//! | [`strategy`] | proptest strategies for worlds, contexts, ids, searches, calls |
//! | [`case`] | a case (fixture + steps) and running it against a testee |
//! | [`checks`] | the registry: one check per property, named by rule ID, with its level |
//! | [`named`] | the named edge cases of each check, run first on every seed |
//! | [`coverage`] | categories of input, what each run's random cases touched, what they aim at |
//! | [`shapes`] | an older version's calls and answers in the newest contract's JSON |
//! | [`spec`] | the rule IDs and levels of SPEC.md (embedded at build time) |
//! | [`runner`] | running checks with proptest: seeds, cases, shrinking |
//! | [`driver`] | reaching hosts: in process, out of process (JSON lines), the model |
//! | [`expectations`] | a host's expected failures (TOML) |
//! | [`report`] | verdicts and the human, JSON and JUnit reports |
//! | [`replay`] | counterexamples saved as case files and replayed |
//! | [`versions`] | contract versions and their probe components |
//! | [`cli`] | the `alga-conformance` command line |

pub mod case;
pub mod checks;
pub mod cli;
pub mod coverage;
pub mod driver;
pub mod expectations;
pub mod named;
pub mod oracle;
pub mod outcome;
pub mod replay;
pub mod report;
pub mod runner;
pub mod shapes;
pub mod spec;
pub mod strategy;
pub mod versions;
