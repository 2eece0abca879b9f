//! The ground truth for "still links": `wit_component::semver_check` run for every world
//! both versions have.
//!
//! semver_check wants both worlds in one [`Resolve`]. The two versions usually share
//! package names (and often versions), so the current side is merged in with every
//! package version marked by a pre-release tag that cannot clash; semver_check drops all
//! versions before comparing anyway.

use super::load::WitTree;
use serde::Serialize;
use wit_parser::{PackageName, Resolve};

/// Pre-release tag marking the current side's packages inside the merged resolve.
const CURRENT_TAG: &str = "alga-gate-current";

/// semver_check's verdict for one world.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum WorldOutcome {
    /// A component built against the baseline world is valid where the current world is
    /// expected.
    Compatible,
    /// It is not.
    Incompatible,
    /// semver_check itself failed (e.g. WIT features it cannot encode); no verdict.
    Error,
}

/// The check of one world.
#[derive(Debug, Clone, Serialize)]
pub struct WorldCheck {
    /// The world's name.
    pub world: String,
    /// The verdict.
    pub outcome: WorldOutcome,
    /// semver_check's message (its whole error chain) when it did not accept the world.
    pub message: Option<String>,
}

/// Runs semver_check for every world of the baseline's package that the current package
/// also has (matched by name), in the baseline's order.
pub fn check_worlds(baseline: &WitTree, current: &WitTree) -> Vec<WorldCheck> {
    let base_worlds = &baseline.resolve.packages[baseline.package].worlds;
    let cur_worlds = &current.resolve.packages[current.package].worlds;
    let names: Vec<String> = base_worlds.keys().filter(|n| cur_worlds.contains_key(*n)).cloned().collect();
    if names.is_empty() {
        return Vec::new();
    }
    let merged = match merge(baseline, current) {
        Ok(merged) => merged,
        Err(err) => {
            return names
                .into_iter()
                .map(|world| WorldCheck {
                    world,
                    outcome: WorldOutcome::Error,
                    message: Some(format!("could not put both versions into one resolve: {err:#}")),
                })
                .collect();
        }
    };
    let (resolve, current_package) = merged;
    names
        .into_iter()
        .map(|world| {
            let prev = base_worlds[&world];
            let new = resolve.packages[current_package].worlds[&world];
            match wit_component::semver_check(resolve.clone(), prev, new) {
                Ok(()) => WorldCheck { world, outcome: WorldOutcome::Compatible, message: None },
                Err(err) => {
                    let message = format!("{err:#}");
                    // Validation failures and the package-name check are verdicts; anything
                    // else means semver_check could not build its test components.
                    let verdict = message.contains("not semver-compatible")
                        || message.contains("which is not the same as the new world");
                    let outcome = if verdict { WorldOutcome::Incompatible } else { WorldOutcome::Error };
                    WorldCheck { world, outcome, message: Some(message) }
                }
            }
        })
        .collect()
}

/// The baseline's resolve with the current side merged in; returns it and the current
/// main package's id in it.
fn merge(baseline: &WitTree, current: &WitTree) -> anyhow::Result<(Resolve, wit_parser::PackageId)> {
    let mut merged = baseline.resolve.clone();
    let mut theirs = current.resolve.clone();
    for (_, package) in theirs.packages.iter_mut() {
        package.name = tagged(&package.name);
    }
    theirs.package_names = theirs.packages.iter().map(|(id, p)| (p.name.clone(), id)).collect();
    let remap = merged.merge(theirs)?;
    let package = remap.packages[current.package.index()];
    Ok((merged, package))
}

/// `name` with the current side's pre-release tag added to its version.
fn tagged(name: &PackageName) -> PackageName {
    let mut version = name.version.clone().unwrap_or_else(|| semver::Version::new(0, 0, 0));
    let pre = if version.pre.is_empty() {
        CURRENT_TAG.to_string()
    } else {
        format!("{}.{CURRENT_TAG}", version.pre)
    };
    version.pre = semver::Prerelease::new(&pre).expect("a pre-release tag of identifiers stays valid");
    PackageName { namespace: name.namespace.clone(), name: name.name.clone(), version: Some(version) }
}
