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
    /// The world's name (in the current version).
    pub world: String,
    /// The baseline world it was compared with, when `--world-map` paired it with another
    /// name; `null` when the names are the same.
    pub baseline_world: Option<String>,
    /// The verdict.
    pub outcome: WorldOutcome,
    /// semver_check's message (its whole error chain) when it did not accept the world, or
    /// why it could not check it.
    pub message: Option<String>,
}

/// Runs semver_check for every world of the baseline's package that the current package
/// also has (matched by name, or paired by `world_map` as (baseline, current) names), in
/// the baseline's order.
pub fn check_worlds(
    baseline: &WitTree,
    current: &WitTree,
    world_map: &[(String, String)],
) -> Vec<WorldCheck> {
    let base_worlds = &baseline.resolve.packages[baseline.package].worlds;
    let cur_worlds = &current.resolve.packages[current.package].worlds;
    let successor = |name: &String| super::successor(world_map, name);
    let names: Vec<(String, String)> = base_worlds
        .keys()
        .map(|n| (n.clone(), successor(n)))
        .filter(|(_, new)| cur_worlds.contains_key(new))
        .collect();
    if names.is_empty() {
        return Vec::new();
    }
    let check = |old: &String, new: &String, outcome, message| WorldCheck {
        world: new.clone(),
        baseline_world: Some(old.clone()).filter(|o| o != new),
        outcome,
        message,
    };
    let merged = match merge(baseline, current) {
        Ok(merged) => merged,
        Err(err) => {
            return names
                .iter()
                .map(|(old, new)| {
                    let why = format!("could not put both versions into one resolve: {err:#}");
                    check(old, new, WorldOutcome::Error, Some(why))
                })
                .collect();
        }
    };
    let (resolve, current_package) = merged;
    names
        .iter()
        .map(|(old, new)| {
            let prev = base_worlds[old];
            let next = resolve.packages[current_package].worlds[new];
            let collisions: Vec<String> = [(prev, "baseline"), (next, "current")]
                .iter()
                .filter_map(|(w, side)| {
                    colliding_versions(&resolve, *w).map(|c| format!("the {side} world {c}"))
                })
                .collect();
            if !collisions.is_empty() {
                let why = format!(
                    "semver_check cannot check this world: {}; it removes every version before comparing, \
                     so the imports of the two versions get the same name",
                    collisions.join(", and ")
                );
                return check(old, new, WorldOutcome::Error, Some(why));
            }
            match wit_component::semver_check(resolve.clone(), prev, next) {
                Ok(()) => check(old, new, WorldOutcome::Compatible, None),
                Err(err) => {
                    let message = format!("{err:#}");
                    // Validation failures and the package-name check are verdicts; anything
                    // else means semver_check could not build its test components.
                    let verdict = message.contains("not semver-compatible")
                        || message.contains("which is not the same as the new world");
                    let outcome = if verdict { WorldOutcome::Incompatible } else { WorldOutcome::Error };
                    check(old, new, outcome, Some(message))
                }
            }
        })
        .collect()
}

/// When a world imports or exports interfaces of one package at two versions: which
/// package at which versions (e.g. "uses `t:a` at 1.0.0 and 2.0.0").
fn colliding_versions(resolve: &Resolve, world: wit_parser::WorldId) -> Option<String> {
    let world = &resolve.worlds[world];
    let mut versions: std::collections::BTreeMap<String, std::collections::BTreeSet<String>> =
        Default::default();
    for key in world.imports.keys().chain(world.exports.keys()) {
        let wit_parser::WorldKey::Interface(id) = key else { continue };
        let Some(package) = resolve.interfaces[*id].package else { continue };
        let name = &resolve.packages[package].name;
        let version = name.version.as_ref().map(untagged).unwrap_or_else(|| "(unversioned)".into());
        versions.entry(format!("{}:{}", name.namespace, name.name)).or_default().insert(version);
    }
    let (package, versions) = versions.into_iter().find(|(_, v)| v.len() > 1)?;
    let versions: Vec<String> = versions.into_iter().collect();
    Some(format!("uses `{package}` at {}", versions.join(" and ")))
}

/// A version as the WIT states it, without the current side's marker.
fn untagged(version: &semver::Version) -> String {
    let mut version = version.clone();
    let pre = version.pre.as_str().trim_end_matches(CURRENT_TAG).trim_end_matches('.');
    version.pre = semver::Prerelease::new(pre).unwrap_or(semver::Prerelease::EMPTY);
    version.to_string()
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
