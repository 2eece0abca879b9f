//! The `alga-reference-host` command; everything lives in the library's [`cli`] module so
//! that it is documented and testable.
//!
//! [`cli`]: alga_reference_host::cli

fn main() -> std::process::ExitCode {
    alga_reference_host::cli::main_with(std::env::args_os())
}
