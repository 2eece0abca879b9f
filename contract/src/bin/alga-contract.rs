//! `alga-contract`: the command line tool of the `alga:extension` contract.
//!
//! Exit codes: 0 success; 2 bad command line; 100 `check` found violations of the
//! versioning policy; 101 the command could not run (an unreadable or unparsable file, an
//! unwritable output, an unknown baseline). `check` stops quietly when the reader of its
//! standard output goes away (`| head -1`) and still exits with its verdict's code.

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand, ValueEnum};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use alga_extension_contract as contract;

/// The alga:extension contract's tool: emit the WIT package, describe the contract, check
/// a change of the WIT against the versioning policy.
#[derive(Parser)]
#[command(name = "alga-contract", version, about, long_about = None, after_help = EXIT_CODES)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

const EXIT_CODES: &str = "Exit codes: 0 success, 2 bad command line, 100 `check` found policy violations, \
     101 the command could not run.";

/// The text after the options of `check --help`: exit codes, the bump rules (rendered from
/// the policy's table, the one statement of them) and examples.
fn check_help() -> String {
    format!(
        "\
Exit codes:
  0    pass: the version change covers every change (or nothing changed)
  100  violations: a change without the bump it needs, a version that went down, a missing
       CHANGELOG section, a crate version that differs from the WIT version, or an edited
       released version
  101  the gate could not run: a WIT file that does not parse (file, line and what to do are
       printed), a directory without WIT files, types nested more than {depth} deep, an
       unknown baseline or world, an unreadable file, or a report that could not be written
       (a standard output closed by its reader, as in `| head -1`, is not an error: the gate
       stops writing and exits with the verdict's code)
  2    bad command line

Required bumps (SPEC.md section 10), by the baseline's version:
{rules}Every `0.0.z` and every pre-release is a semver track of its own, so any newer version
covers any change. Changes that only touch documentation or annotations need no bump. There
is no switch to skip the gate: an intended break passes exactly when the version says so.

Output: the human report is a summary (the verdict on its first line, the findings counted
per impact and rule, the findings that decide the verdict with file:line); --verbose shows
every finding with its diff; --rule and --min-impact select the findings shown (never the
verdict). --format json always carries every finding.

Examples:
  alga-contract check                                  # wit/ against the newest compat/ release
  alga-contract check --baseline origin/main           # against a git revision's wit/
  alga-contract check --verbose --min-impact breaking  # every breaking finding with its diff
  alga-contract check --current new/wit --baseline old/wit --format json
  alga-contract check --current new --baseline old --world-map proxy=service --features http-v2",
        depth = contract::gate::load::MAX_TYPE_DEPTH,
        rules = contract::gate::policy::bump_rules_text(),
    )
}

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
    /// Write TypeScript declarations of a WIT world's interfaces, in the shapes of the
    /// componentize-js bindings (what `packages/extension-types` holds per contract version).
    Types {
        /// The WIT package directory (with its `deps/`) [default: the contract this tool
        /// carries].
        #[arg(long, value_name = "DIR")]
        wit: Option<PathBuf>,
        /// The world whose interfaces to declare [default: the package's only world; `reader`
        /// for the contract].
        #[arg(long, value_name = "NAME")]
        world: Option<String>,
        /// Also declare the interfaces of the packages in `deps/` (by default only the
        /// directory's own package: a host world's handler without the contract, whose
        /// declarations come from the contract's package).
        #[arg(long)]
        with_deps: bool,
        /// Output file (`-` or none: standard output).
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
    /// Write the contract's reference in Markdown from a version's WIT: every interface,
    /// type, field, case and function with its documentation, rule IDs linked to SPEC.md.
    Reference {
        /// The contract's WIT directory [default: the contract this tool carries].
        #[arg(long, value_name = "DIR")]
        wit: Option<PathBuf>,
        /// SPEC.md, read for the section of each rule ID [default: ./SPEC.md].
        #[arg(long, value_name = "FILE", default_value = "SPEC.md")]
        spec: PathBuf,
        /// How the reference links to SPEC.md (relative to where the reference is read).
        #[arg(long, value_name = "URL", default_value = "../../SPEC.md")]
        spec_link: String,
        /// Output file (`-` or none: standard output).
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
    /// Show the contract's version, package, capabilities and functions.
    Info {
        /// Output form.
        #[arg(long, value_enum, default_value_t = InfoFormat::Human)]
        format: InfoFormat,
    },
    /// The breaking-change gate: compare a WIT package with a baseline, report every
    /// difference with its rule, location and required bump, and check the version bump,
    /// the CHANGELOG and (in this repository) the crate version against the policy.
    #[command(after_help = check_help())]
    Check {
        /// The repository holding wit/, compat/, CHANGELOG.md and contract/Cargo.toml
        /// [default: the nearest ancestor of the working directory holding wit/ and compat/].
        #[arg(long, value_name = "DIR")]
        repo: Option<PathBuf>,
        /// The WIT package to check (a directory with *.wit files and optional deps/)
        /// [default: <repo>/wit, with the repository checks].
        #[arg(long, value_name = "DIR")]
        current: Option<PathBuf>,
        /// What to compare with: a directory (relative to the working directory or the
        /// repository), a released version in compat/ (e.g. 0.1.0), or a git revision (its
        /// wit/ is read with git) [default: the newest version in compat/].
        #[arg(long, value_name = "DIR|VERSION|GIT-REV")]
        baseline: Option<String>,
        /// The changelog that must have a section for a new version [default:
        /// <repo>/CHANGELOG.md when checking <repo>/wit].
        #[arg(long, value_name = "FILE")]
        changelog: Option<PathBuf>,
        /// Output form.
        #[arg(long, value_enum, default_value_t = CheckFormat::Human)]
        format: CheckFormat,
        /// Every finding in full (locations, notes, a diff of the item) instead of the
        /// summary (human format).
        #[arg(short, long)]
        verbose: bool,
        /// Show only findings of at least this impact (never changes the verdict; JSON is
        /// never filtered).
        #[arg(long, value_name = "IMPACT", value_enum)]
        min_impact: Option<MinImpact>,
        /// Show only findings of this rule; repeat for several (never changes the verdict;
        /// JSON is never filtered). The rules are in contract/src/gate/rules.rs.
        #[arg(long, value_name = "RULE", value_parser = clap::builder::PossibleValuesParser::new(
            contract::gate::RULES.iter().map(|r| r.id)
        ), hide_possible_values = true)]
        rule: Vec<String>,
        /// Enable the `@unstable(feature = NAME)` gate NAME on both sides (repeat, or separate
        /// with commas); items behind gates not enabled are left out and counted.
        #[arg(long, value_name = "NAME", value_delimiter = ',')]
        features: Vec<String>,
        /// Enable every `@unstable` feature gate.
        #[arg(long)]
        all_features: bool,
        /// A world of the baseline renamed in the current WIT: compare world OLD with its
        /// successor NEW (the differ and semver_check) instead of reporting one removed and
        /// one added. Repeat for several.
        #[arg(long, value_name = "OLD=NEW", value_parser = parse_world_map)]
        world_map: Vec<(String, String)>,
    },
}

/// `OLD=NEW` of `--world-map`.
fn parse_world_map(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((old, new)) if !old.trim().is_empty() && !new.trim().is_empty() => {
            Ok((old.trim().to_string(), new.trim().to_string()))
        }
        _ => Err(format!("`{text}` is not OLD=NEW (a baseline world and its successor)")),
    }
}

#[derive(Clone, Copy, ValueEnum)]
enum MinImpact {
    /// Every finding.
    None,
    /// Compatible and breaking findings.
    Compatible,
    /// Breaking findings only.
    Breaking,
}

#[derive(Clone, Copy, ValueEnum)]
enum CheckFormat {
    /// A summary with the verdict first (--verbose: every finding with its diff).
    Human,
    /// The whole report as JSON (with `schema_version`).
    Json,
    /// JUnit XML: a test case per finding and per policy check.
    Junit,
    /// GitHub Actions annotations (`::error file=...,line=...::message`).
    Github,
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
    if let Command::Check {
        repo,
        current,
        baseline,
        changelog,
        format,
        verbose,
        min_impact,
        rule,
        features,
        all_features,
        world_map,
    } = cli.command
    {
        let options = contract::gate::CheckOptions {
            repository: repo,
            current,
            baseline,
            changelog,
            features: contract::gate::Features { names: features, all: all_features },
            world_map,
        };
        let min_impact = min_impact.map(|m| match m {
            MinImpact::None => contract::gate::Impact::None,
            MinImpact::Compatible => contract::gate::Impact::Compatible,
            MinImpact::Breaking => contract::gate::Impact::Breaking,
        });
        let render = contract::gate::report::RenderOptions { verbose, min_impact, rules: rule };
        return check(options, format, render);
    }
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
        Command::Types { wit, world, with_deps, output } => types(wit, world, with_deps, output),
        Command::Reference { wit, spec, spec_link, output } => reference(wit, &spec, &spec_link, output),
        Command::Check { .. } => unreachable!("handled in main: it has its own exit codes"),
    }
}

/// Runs the gate and prints its report on standard output (errors in the chosen format
/// too, so CI tools always get a document); exits 0, 100 or 101.
fn check(
    options: contract::gate::CheckOptions,
    format: CheckFormat,
    render: contract::gate::report::RenderOptions,
) -> ExitCode {
    use contract::gate::{Format, report};
    let format = match format {
        CheckFormat::Human => Format::Human,
        CheckFormat::Json => Format::Json,
        CheckFormat::Junit => Format::Junit,
        CheckFormat::Github => Format::Github,
    };
    let (text, code) = match contract::gate::check(&options) {
        Ok(report) => (report.render(format, &render), report.exit_code()),
        Err(err) => {
            // People read errors on standard error; tools get a document on standard output.
            let _ = writeln!(std::io::stderr(), "error: the gate could not run: {err}");
            if format == Format::Human {
                return ExitCode::from(report::EXIT_ERROR);
            }
            (report::render_error(&err, format), report::EXIT_ERROR)
        }
    };
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(text.as_bytes()).and_then(|()| stdout.flush()) {
        Ok(()) => ExitCode::from(code),
        // The reader stopped reading (`| head -1`): nothing to say, the verdict stands.
        Err(err) if err.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::from(code),
        Err(err) => {
            let _ = writeln!(std::io::stderr(), "error: cannot write the report to standard output: {err}");
            ExitCode::from(report::EXIT_ERROR)
        }
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

/// The WIT directory `wit`, or the embedded contract written to a temporary directory.
fn load_world(wit: Option<PathBuf>, world: Option<&str>) -> Result<(contract::dts::LoadedWorld, String)> {
    match wit {
        Some(dir) => Ok((contract::dts::load(&dir, world)?, dir.display().to_string())),
        None => {
            let dir = tempfile::tempdir().context("creating a temporary directory")?;
            for file in contract::wit::WIT_FILES {
                std::fs::write(dir.path().join(file.name), file.source)
                    .with_context(|| format!("writing {}", file.name))?;
            }
            let loaded = contract::dts::load(dir.path(), Some(world.unwrap_or(contract::wit::READER_WORLD)))?;
            Ok((loaded, format!("the WIT of {}", contract::WIT_PACKAGE)))
        }
    }
}

fn types(
    wit: Option<PathBuf>,
    world: Option<String>,
    with_deps: bool,
    output: Option<PathBuf>,
) -> Result<()> {
    let (loaded, source) = load_world(wit, world.as_deref())?;
    let header = contract::dts::header(&loaded, &source);
    let scope = if with_deps { contract::dts::Scope::Everything } else { contract::dts::Scope::OwnPackage };
    let text = contract::dts::declarations(&loaded, &header, scope)?;
    write_output(output.as_ref(), text.as_bytes())
}

fn reference(
    wit: Option<PathBuf>,
    spec: &std::path::Path,
    spec_link: &str,
    output: Option<PathBuf>,
) -> Result<()> {
    let spec_text = std::fs::read_to_string(spec)
        .with_context(|| format!("reading {} (pass --spec FILE)", spec.display()))?;
    let rules = contract::reference::RuleIndex::from_spec(&spec_text);
    if rules.is_empty() {
        bail!("{} states no rule (`**ID (LEVEL).**`): is it SPEC.md?", spec.display());
    }
    let (loaded, source) = load_world(wit, None)?;
    let text = contract::reference::markdown(&loaded, &rules, spec_link, &source)?;
    write_output(output.as_ref(), text.as_bytes())
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
