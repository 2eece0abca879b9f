//! The `alga-reference-host` command; everything lives in the library's `cli` module.
fn main() {}
