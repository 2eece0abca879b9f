//! `alga-conformance`: runs the conformance suite; see `alga-conformance --help` and
//! [`alga_conformance::cli`].

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let code = alga_conformance::cli::main(args, &mut std::io::stdout(), &mut std::io::stderr());
    std::process::exit(code);
}
