//! `wit`: writes the WIT an extension of this host is built against: the host's own world
//! `alga:reference-host/extension` (`world.wit`, with the `handler` export) and, in
//! `deps/alga-extension/`, the contract it includes (the same bytes `alga-contract wit
//! --format dir` writes). A project outside this repository gets everything its build
//! needs from this one command: `alga-reference-host wit -o wit`.

use super::exit::{self, CliError};
use clap::Args;
use std::io::Write as _;
use std::path::{Path, PathBuf};

/// Options of `wit`.
#[derive(Debug, Clone, Args)]
pub struct WitArgs {
    /// The directory to write `world.wit` and `deps/alga-extension/*.wit` into (created if
    /// missing; files of the same names are replaced, nothing else is touched). Without it,
    /// `world.wit` alone is printed.
    #[arg(short, long, value_name = "DIR")]
    pub output: Option<PathBuf>,
}

/// The directory under `deps/` that holds the contract.
pub const CONTRACT_DEPS_DIR: &str = "deps/alga-extension";

/// Runs `wit`.
pub fn wit(args: &WitArgs) -> Result<(), CliError> {
    let Some(dir) = &args.output else {
        let mut stdout = std::io::stdout().lock();
        return match stdout.write_all(crate::world::WORLD_WIT.as_bytes()) {
            Err(err) if err.kind() != std::io::ErrorKind::BrokenPipe => {
                Err(CliError::new(exit::USAGE, format!("cannot write to standard output: {err}")))
            }
            _ => Ok(()),
        };
    };
    let written = write_dir(dir).map_err(|err| CliError::usage(format!("{err:#}")))?;
    eprintln!(
        "wrote {} files to {}: world.wit (alga:reference-host/extension) and {CONTRACT_DEPS_DIR}/ ({})",
        written,
        dir.display(),
        alga_extension_contract::WIT_PACKAGE
    );
    Ok(())
}

/// Writes the host's world and the contract into `dir`; returns how many files it wrote.
pub fn write_dir(dir: &Path) -> anyhow::Result<usize> {
    use anyhow::Context as _;
    let deps = dir.join(CONTRACT_DEPS_DIR);
    std::fs::create_dir_all(&deps).with_context(|| format!("creating {}", deps.display()))?;
    let world = dir.join("world.wit");
    std::fs::write(&world, crate::world::WORLD_WIT)
        .with_context(|| format!("writing {}", world.display()))?;
    for file in alga_extension_contract::wit::WIT_FILES {
        let path = deps.join(file.name);
        std::fs::write(&path, file.source).with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(1 + alga_extension_contract::wit::WIT_FILES.len())
}
