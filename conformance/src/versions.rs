//! Contract versions the suite can generate a probe for: the current one (the WIT embedded
//! in `alga-extension-contract`), every frozen release under `compat/<version>/wit/`
//! (embedded at build time by `build.rs`), or any WIT directory given on the command line.
//!
//! The behaviour checks assume the current contract's shapes; a probe of another version
//! on the same compatibility track (0.1.x) is driven with calls aimed at that version.

use alga_extension_contract::probe::{self, Probe};
use anyhow::{Context, Result, bail};
use std::path::Path;
use wit_parser::{Resolve, SourceMap};

/// A frozen release: its version and its `.wit` files `(name, source)`.
#[derive(Debug, Clone, Copy)]
pub struct FrozenVersion {
    /// The version, e.g. `0.1.0`.
    pub version: &'static str,
    /// Its `.wit` files, by name.
    pub files: &'static [(&'static str, &'static str)],
}

include!(concat!(env!("OUT_DIR"), "/frozen_wit.rs"));

/// The current contract version.
pub fn current() -> &'static str {
    alga_extension_contract::CONTRACT_VERSION
}

/// Every version `--version` accepts, ascending.
pub fn available() -> Vec<String> {
    let mut versions: Vec<String> = FROZEN.iter().map(|f| f.version.to_string()).collect();
    if !versions.iter().any(|v| v == current()) {
        versions.push(current().to_string());
    }
    versions.sort_by(|a, b| compare(a, b));
    versions
}

/// The numbers of a version text (`0.2.0` → `[0, 2, 0]`), a pre-release or build suffix
/// ignored; a part that is not a number counts as 0.
fn numbers(version: &str) -> Vec<u64> {
    let core = version.split(['-', '+']).next().unwrap_or_default();
    core.split('.').map(|p| p.parse::<u64>().unwrap_or(0)).collect()
}

/// Orders two version texts by their numbers (`0.10.0` after `0.2.0`).
pub fn compare(a: &str, b: &str) -> std::cmp::Ordering {
    let (mut a, mut b) = (numbers(a), numbers(b));
    let len = a.len().max(b.len());
    a.resize(len, 0);
    b.resize(len, 0);
    a.cmp(&b)
}

/// Whether `version` is `since` or newer.
pub fn at_least(version: &str, since: &str) -> bool {
    compare(version, since) != std::cmp::Ordering::Less
}

/// A probe and the contract version it was generated from.
pub struct VersionedProbe {
    /// The version of the WIT package.
    pub version: String,
    /// Where the WIT came from, for messages.
    pub origin: String,
    /// The probe.
    pub probe: Probe,
}

/// The probe of contract `version` (`None`: the current version).
pub fn probe_for_version(version: Option<&str>) -> Result<VersionedProbe> {
    let wanted = version.unwrap_or(current());
    if let Some(frozen) = FROZEN.iter().find(|f| f.version == wanted) {
        let mut sources = SourceMap::new();
        for (name, source) in frozen.files {
            sources.push_str(&format!("compat/{wanted}/wit/{name}"), *source);
        }
        return probe_from_sources(sources, &format!("compat/{wanted}/wit (embedded)"));
    }
    if wanted == current() {
        let contract = alga_extension_contract::wit::contract()?;
        let probe = probe::generate(&contract.resolve, contract.reader)?;
        return Ok(VersionedProbe {
            version: wanted.to_string(),
            origin: "the current contract".into(),
            probe,
        });
    }
    bail!("unknown contract version {wanted}; available: {}", available().join(", "))
}

/// The parsed WIT of frozen release `version` and its world `reader`, if it is one.
pub fn frozen_wit(version: &str) -> Option<(Resolve, wit_parser::WorldId)> {
    let frozen = FROZEN.iter().find(|f| f.version == version)?;
    let mut sources = SourceMap::new();
    for (name, source) in frozen.files {
        sources.push_str(&format!("compat/{version}/wit/{name}"), *source);
    }
    let group = sources.parse().ok()?;
    let mut resolve = Resolve::default();
    let package = resolve.push_group(group).ok()?;
    let world = resolve.select_world(&[package], Some("reader")).ok()?;
    Some((resolve, world))
}

/// The probe of the WIT package in directory `dir` (world `reader`).
pub fn probe_for_wit_dir(dir: &Path) -> Result<VersionedProbe> {
    let mut resolve = Resolve::default();
    let (package, _) = resolve.push_dir(dir).map_err(|err| {
        let rendered = resolve.render_error(&err);
        anyhow::anyhow!("the WIT in {} does not parse:\n{rendered}", dir.display())
    })?;
    finish(resolve, package, &dir.display().to_string())
}

fn probe_from_sources(sources: SourceMap, origin: &str) -> Result<VersionedProbe> {
    let group = sources.parse().map_err(|(sources, err)| anyhow::anyhow!("{}", err.render(&sources)))?;
    let mut resolve = Resolve::default();
    let package = resolve.push_group(group).map_err(|err| {
        let err = anyhow::Error::from(err);
        anyhow::anyhow!("{}", resolve.render_error(&err))
    })?;
    finish(resolve, package, origin)
}

fn finish(resolve: Resolve, package: wit_parser::PackageId, origin: &str) -> Result<VersionedProbe> {
    let name = &resolve.packages[package].name;
    let version = name
        .version
        .as_ref()
        .map(ToString::to_string)
        .with_context(|| format!("the WIT package {name} in {origin} has no version"))?;
    let world = resolve
        .select_world(&[package], Some("reader"))
        .with_context(|| format!("the WIT package in {origin} has no world `reader`"))?;
    let probe =
        probe::generate(&resolve, world).with_context(|| format!("generating the probe for {origin}"))?;
    Ok(VersionedProbe { version, origin: origin.to_string(), probe })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_current_version_is_available_and_probes() {
        assert!(available().contains(&current().to_string()));
        let probe = probe_for_version(None).unwrap();
        assert_eq!(probe.version, current());
        assert!(probe.probe.functions.iter().any(|f| f.function == "list-clients"));
    }

    #[test]
    fn every_frozen_version_probes_with_its_own_version() {
        for frozen in FROZEN {
            let probe = probe_for_version(Some(frozen.version)).unwrap();
            assert_eq!(
                probe.version, frozen.version,
                "compat/{}/wit declares another version",
                frozen.version
            );
            assert!(
                probe.probe.functions.iter().any(|f| f.interface.ends_with(&format!("@{}", frozen.version)))
            );
        }
    }

    #[test]
    fn versions_compare_by_their_numbers() {
        assert!(at_least("0.2.0", "0.2.0") && at_least("0.10.0", "0.2.0") && at_least("1.0", "0.9.9"));
        assert!(!at_least("0.1.0", "0.2.0") && !at_least("0.1.99", "0.2"));
        assert!(at_least("0.2.0-rc.1", "0.2.0"), "pre-releases count as their release");
    }

    #[test]
    fn unknown_versions_are_named() {
        let err = probe_for_version(Some("9.9.9")).err().unwrap().to_string();
        assert!(err.contains("unknown contract version 9.9.9") && err.contains(current()), "{err}");
    }
}
