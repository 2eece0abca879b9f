//! The deterministic multi-tenant demo data set.

use alga_conformance_protocol::Fixture;

/// What to generate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoConfig {
    /// Seed of the generator: the same seed and sizes give the same data, always.
    pub seed: u64,
    /// Number of tenants.
    pub tenants: usize,
    /// Clients per tenant.
    pub clients_per_tenant: usize,
    /// Catalog items per tenant.
    pub services_per_tenant: usize,
}

impl Default for DemoConfig {
    fn default() -> Self {
        DemoConfig { seed: 1, tenants: 3, clients_per_tenant: 60, services_per_tenant: 40 }
    }
}

/// Generates the data set `config` describes.
pub fn generate(config: &DemoConfig) -> Fixture {
    let _ = config;
    unimplemented!("being written")
}
