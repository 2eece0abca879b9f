//! `seed`: loads the deterministic demo data (`alga_reference_store::demo`) into a store, in
//! one transaction, and prints what it loaded and the contexts to run extensions in.

use super::Format;
use super::exit::CliError;
use super::store::{self, StoreArg};
use alga_conformance_protocol::ExecutionContext;
use alga_reference_store::demo::{self, Demo, DemoConfig};
use clap::Args;
use serde_json::json;
use std::io::Write as _;
use std::time::Instant;

/// Options of `seed`.
#[derive(Debug, Clone, Args)]
pub struct SeedArgs {
    /// Where to load the data: `sqlite` (the file alga-demo.sqlite here), `sqlite=PATH`,
    /// `postgres` (DATABASE_URL) or `postgres=URL`. Everything the store held is replaced.
    #[arg(long, value_name = "STORE", default_value = "sqlite")]
    pub store: StoreArg,
    /// Seed of the generator: the same options give the same data on every machine.
    #[arg(long, value_name = "N", default_value_t = DemoConfig::default().seed)]
    pub seed: u64,
    /// Number of tenants.
    #[arg(long, value_name = "N", default_value_t = DemoConfig::default().tenants, value_parser = at_least_one)]
    pub tenants: usize,
    /// Clients per tenant (at least the 12 special cases every tenant has).
    #[arg(long, value_name = "N", default_value_t = DemoConfig::default().clients_per_tenant)]
    pub clients: usize,
    /// Catalog items per tenant (at least the 10 special cases every tenant has).
    #[arg(long, value_name = "N", default_value_t = DemoConfig::default().services_per_tenant)]
    pub services: usize,
    /// Give the first tenant this many clients instead (e.g. 100000, for benchmarks).
    #[arg(long, value_name = "N")]
    pub first_tenant_clients: Option<usize>,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

fn at_least_one(text: &str) -> Result<usize, String> {
    match text.parse::<usize>() {
        Ok(n) if n >= 1 => Ok(n),
        _ => Err(format!("must be a whole number of at least 1, got `{text}`")),
    }
}

/// Runs `seed`.
pub fn seed(args: &SeedArgs) -> Result<(), CliError> {
    let config = DemoConfig {
        seed: args.seed,
        tenants: args.tenants,
        clients_per_tenant: args.clients,
        services_per_tenant: args.services,
        first_tenant_clients: args.first_tenant_clients,
    };
    let opened = store::open_for_seed(&args.store)?;
    let demo = demo::build(&config);
    let started = Instant::now();
    opened
        .store()
        .load_fixture(&demo.fixture)
        .map_err(|err| CliError::store(format!("the demo data did not load (nothing was changed): {err}")))?;
    let seconds = started.elapsed().as_secs_f64();
    let described = opened.store().describe();
    let text = match args.format {
        Format::Json => format!("{:#}\n", summary_json(&demo, &described, &config, seconds)),
        Format::Text => summary_text(&demo, &described, &config, seconds, &args.store),
    };
    // The data is loaded whatever happens to the summary: a reader that stops early
    // (`seed --format json | head`) is not an error, any other write failure is reported.
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(text.as_bytes()).and_then(|()| stdout.flush()) {
        Err(err) if err.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(CliError::usage(format!("the data is loaded, but its summary could not be written: {err}")))
        }
        _ => Ok(()),
    }
}

fn counts(demo: &Demo) -> [usize; 5] {
    let tenants = &demo.fixture.tenants;
    [
        tenants.len(),
        tenants.iter().map(|t| t.clients.len()).sum(),
        tenants.iter().map(|t| t.services.len()).sum(),
        tenants.iter().map(|t| t.users.len()).sum(),
        tenants.iter().map(|t| t.installs.len()).sum(),
    ]
}

fn summary_json(demo: &Demo, store: &str, config: &DemoConfig, seconds: f64) -> serde_json::Value {
    let tenants: Vec<_> = demo
        .fixture
        .tenants
        .iter()
        .map(|t| {
            json!({
                "tenantId": t.tenant_id,
                "tenantName": t.tenant_name,
                "clients": t.clients.len(),
                "services": t.services.len(),
                "users": t.users.len(),
                "installs": t.installs.iter().map(|i| json!({
                    "installId": i.install_id,
                    "grantedCapabilities": i.granted_capabilities,
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    let contexts: Vec<_> = demo
        .contexts
        .iter()
        .map(|c| json!({"name": c.name, "description": c.description, "context": c.context}))
        .collect();
    json!({
        "store": store,
        "seed": config.seed,
        "loadSeconds": seconds,
        "tenants": tenants,
        "contexts": contexts,
    })
}

/// The options of `run` that select `context`.
pub fn context_options(context: &ExecutionContext) -> String {
    let mut options = format!("--tenant {} --install {}", context.tenant_id, context.install_id);
    if let Some(user) = &context.user {
        options.push_str(&format!(" --user {} --user-type {}", user.user_id, user.user_type));
    }
    options
}

fn summary_text(demo: &Demo, store: &str, config: &DemoConfig, seconds: f64, arg: &StoreArg) -> String {
    let [tenants, clients, services, users, installs] = counts(demo);
    let mut out = format!(
        "Loaded the demo data (seed {}) into {store} in {seconds:.2}s: {tenants} tenants, {clients} \
         clients, {services} catalog items, {users} users, {installs} installs.\n\n",
        config.seed
    );
    out.push_str("Contexts of tenant 1 to run extensions in (`--format json` lists every tenant's):\n");
    for named in demo.contexts.iter().filter(|c| c.name.starts_with("t1-")) {
        out.push_str(&format!("  {:<20} {}\n", named.name, named.description));
        out.push_str(&format!("  {:<20} {}\n", "", context_options(&named.context)));
    }
    let store_option = match arg {
        StoreArg::Sqlite(None) => String::new(),
        StoreArg::Sqlite(Some(path)) => format!(" --store sqlite={}", path.display()),
        StoreArg::Postgres(None) => " --store postgres".into(),
        StoreArg::Postgres(Some(_)) => " --store postgres=URL".into(),
    };
    if let Some(admin) = demo.contexts.iter().find(|c| c.name == "t1-admin") {
        out.push_str(&format!(
            "\nTry (after `npm ci && npm run build` in examples/clients-report):\n  alga-reference-host run \
             --component examples/clients-report/dist/clients-report.wasm{store_option} {} GET \
             '/clients?search=acme'\n",
            context_options(&admin.context)
        ));
    }
    out
}
