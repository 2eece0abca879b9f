//! What the compatibility tests share: `wit_component::semver_check` called directly,
//! independently of the gate's own ground-truth module, so that a test can compare the two.
//!
//! Both versions go into one `Resolve` (the current side's packages get a version no
//! baseline package has), and each world both sides have is checked.

use std::collections::BTreeMap;
use std::path::Path;
use wit_parser::Resolve;

/// semver_check's verdict (`true`: compatible) for every world both versions have.
pub fn semver_check(before: &Path, after: &Path) -> BTreeMap<String, bool> {
    let mut resolve = Resolve::default();
    let (prev_package, _) = resolve.push_dir(before).expect("the before side parses");
    let mut next = Resolve::default();
    let (next_package, _) = next.push_dir(after).expect("the after side parses");
    for (_, package) in next.packages.iter_mut() {
        package.name.version = Some(semver::Version::new(65535, 0, 0));
    }
    next.package_names = next.packages.iter().map(|(id, p)| (p.name.clone(), id)).collect();
    let remap = resolve.merge(next).expect("both versions merge into one resolve");
    let next_package = remap.packages[next_package.index()];
    let prev_worlds = resolve.packages[prev_package].worlds.clone();
    let next_worlds = resolve.packages[next_package].worlds.clone();
    prev_worlds
        .iter()
        .filter_map(|(name, prev)| {
            let next = next_worlds.get(name)?;
            Some((name.clone(), wit_component::semver_check(resolve.clone(), *prev, *next).is_ok()))
        })
        .collect()
}
