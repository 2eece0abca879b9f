//! What the compatibility tests share: `wit_component::semver_check` called directly,
//! independently of the gate's own ground-truth module, so that a test can compare the two.
//!
//! Both versions go into one `Resolve` (every package of the current side gets a
//! pre-release tag no baseline package has, so that a dependency used at two versions
//! stays two packages), and each world both sides have is checked.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use wit_parser::{Resolve, WorldId, WorldKey};

/// How a case or a real-world pair is checked: `--features` and `--world-map`.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Enabled `@unstable` features.
    pub features: Vec<String>,
    /// Renamed worlds: (baseline name, current name).
    pub world_map: Vec<(String, String)>,
}

/// semver_check's verdict for every world both versions have (keyed by the current
/// world's name): `Some(true)` compatible, `Some(false)` rejected, `None` when it cannot
/// check the world because the world uses one package at two versions (semver_check
/// removes versions, so their names collide).
pub fn semver_check(before: &Path, after: &Path, options: &Options) -> BTreeMap<String, Option<bool>> {
    let parse = |dir: &Path| {
        let mut resolve =
            Resolve { features: options.features.iter().cloned().collect(), ..Resolve::default() };
        let (package, _) =
            resolve.push_dir(dir).unwrap_or_else(|e| panic!("{} parses: {e:#}", dir.display()));
        (resolve, package)
    };
    let (mut resolve, prev_package) = parse(before);
    let (mut next, next_package) = parse(after);
    for (_, package) in next.packages.iter_mut() {
        let mut version = package.name.version.clone().unwrap_or(semver::Version::new(0, 0, 0));
        let pre = if version.pre.is_empty() { "next".to_string() } else { format!("{}.next", version.pre) };
        version.pre = semver::Prerelease::new(&pre).unwrap();
        package.name.version = Some(version);
    }
    next.package_names = next.packages.iter().map(|(id, p)| (p.name.clone(), id)).collect();
    let remap = resolve.merge(next).expect("both versions merge into one resolve");
    let next_package = remap.packages[next_package.index()];
    let prev_worlds = resolve.packages[prev_package].worlds.clone();
    let next_worlds = resolve.packages[next_package].worlds.clone();
    prev_worlds
        .iter()
        .filter_map(|(name, prev)| {
            let successor = options.world_map.iter().find(|(old, _)| old == name).map(|(_, new)| new);
            let name = successor.unwrap_or(name);
            let next = next_worlds.get(name)?;
            let verdict = if uses_a_package_twice(&resolve, *prev) || uses_a_package_twice(&resolve, *next) {
                None
            } else {
                Some(wit_component::semver_check(resolve.clone(), *prev, *next).is_ok())
            };
            Some((name.clone(), verdict))
        })
        .collect()
}

/// Whether a world imports or exports interfaces of two versions of one package.
fn uses_a_package_twice(resolve: &Resolve, world: WorldId) -> bool {
    let world = &resolve.worlds[world];
    let mut seen: BTreeMap<(String, String), BTreeSet<String>> = BTreeMap::new();
    for key in world.imports.keys().chain(world.exports.keys()) {
        let WorldKey::Interface(id) = key else { continue };
        let Some(package) = resolve.interfaces[*id].package else { continue };
        let name = &resolve.packages[package].name;
        let version = name.version.as_ref().map(|v| v.to_string()).unwrap_or_default();
        seen.entry((name.namespace.clone(), name.name.clone())).or_default().insert(version);
    }
    seen.values().any(|versions| versions.len() > 1)
}
