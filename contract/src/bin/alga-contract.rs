//! `alga-contract`: the command line tool of the `alga:extension` contract.
//!
//! Exit codes: 0 success; 2 bad command line; 101 the command could not run (an
//! unreadable or unparsable file, an unwritable output).

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand, ValueEnum};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use alga_extension_contract as contract;

/// The alga:extension contract's tool: emit the WIT package, describe the contract.
#[derive(Parser)]
#[command(name = "alga-contract", version, about, long_about = None, after_help = EXIT_CODES)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

const EXIT_CODES: &str = "Exit codes: 0 success, 2 bad command line, 101 the command could not run.";

#[derive(Subcommand)]
enum Command {
    /// Write the contract's WIT package: as a binary WIT package (what component registries
    /// and `wkg` publish), as one WIT text, or as the `.wit` files for a guest's `wit/deps`.
    Wit {
        /// Output form.
        #[arg(long, value_enum, default_value_t = WitFormat::Wasm)]
        format: WitFormat,
        /// Output file (`-` for standard output); for `--format dir`, the directory.
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
    /// Show the contract's version, package, capabilities and functions.
    Info {
        /// Output form.
        #[arg(long, value_enum, default_value_t = InfoFormat::Human)]
        format: InfoFormat,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum WitFormat {
    /// A binary WIT package (a WebAssembly component-type binary).
    Wasm,
    /// The whole package as one WIT text.
    Wit,
    /// The contract's `.wit` files, unchanged, written into the `--output` directory.
    Dir,
}

#[derive(Clone, Copy, ValueEnum)]
enum InfoFormat {
    /// Text for people.
    Human,
    /// JSON for tools.
    Json,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::from(101)
        }
    }
}

fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Wit { format, output } => wit(format, output),
        Command::Info { format } => info(format),
    }
}

fn wit(format: WitFormat, output: Option<PathBuf>) -> Result<()> {
    match format {
        WitFormat::Wasm => {
            let bytes = contract::package::encode_contract()?;
            let is_stdout = output.as_deref().is_none_or(|p| p.as_os_str() == "-");
            if is_stdout && std::io::stdout().is_terminal() {
                bail!(
                    "refusing to write a binary WIT package to a terminal; pass `--output FILE` (or `--format wit`)"
                );
            }
            write_output(output.as_ref(), &bytes)
        }
        WitFormat::Wit => {
            let contract = contract::wit::contract()?;
            let text = contract::package::print(&contract.resolve, contract.package)?;
            write_output(output.as_ref(), text.as_bytes())
        }
        WitFormat::Dir => {
            let dir = output.context("`--format dir` needs `--output DIR`")?;
            std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
            for file in contract::wit::WIT_FILES {
                let path = dir.join(file.name);
                std::fs::write(&path, file.source).with_context(|| format!("writing {}", path.display()))?;
            }
            eprintln!(
                "wrote {} files of {} to {}",
                contract::wit::WIT_FILES.len(),
                contract::WIT_PACKAGE,
                dir.display()
            );
            Ok(())
        }
    }
}

fn write_output(output: Option<&PathBuf>, bytes: &[u8]) -> Result<()> {
    match output {
        Some(path) if path.as_os_str() != "-" => {
            std::fs::write(path, bytes).with_context(|| format!("writing {}", path.display()))
        }
        _ => {
            let mut stdout = std::io::stdout().lock();
            stdout.write_all(bytes).context("writing to standard output")?;
            stdout.flush().context("writing to standard output")
        }
    }
}

fn info(format: InfoFormat) -> Result<()> {
    match format {
        InfoFormat::Json => {
            let functions: Vec<_> = contract::FUNCTIONS
                .iter()
                .map(|f| {
                    serde_json::json!({
                        "interface": format!("alga:extension/{}@{}", f.interface, contract::CONTRACT_VERSION),
                        "function": f.name,
                        "capability": f.capability,
                        "permission": f.permission.to_string(),
                    })
                })
                .collect();
            let doc = serde_json::json!({
                "schema_version": 1,
                "package": contract::WIT_PACKAGE,
                "version": contract::CONTRACT_VERSION,
                "world": contract::wit::READER_WORLD,
                "functions": functions,
            });
            println!("{}", serde_json::to_string_pretty(&doc)?);
        }
        InfoFormat::Human => {
            println!("package  {}", contract::WIT_PACKAGE);
            println!("world    {}", contract::wit::READER_WORLD);
            println!("functions:");
            for f in contract::FUNCTIONS {
                println!(
                    "  {}/{:<14} needs capability {:<17} and, with a user, permission {}",
                    f.interface, f.name, f.capability, f.permission
                );
            }
        }
    }
    Ok(())
}
