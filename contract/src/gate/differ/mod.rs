//! The structural differ: walks two resolved versions of a WIT package side by side and
//! reports every difference as a [`Finding`] of a rule in [`crate::gate::rules`].
//!
//! Items are matched by name, never by arena id: dependency packages by name and version
//! ([`pair_dependencies`]: the same version, else the same semver track, else the one
//! package of that name left on each side), the main packages of both sides always with
//! each other (so a rename does not hide the rest), interfaces by name, types and functions by name within their interface, worlds by
//! name. Named types are compared by identity (their path), anonymous types (`option`,
//! `list`, `result`, ...) structurally. Unmatched items are paired up as renames or moves
//! when their contents are identical. This module owns packages, interfaces and
//! functions; [`types`] owns type definitions and type references, [`worlds`] worlds,
//! [`uses`] the data-flow and reachability analysis.

pub(crate) mod interfaces;
pub(crate) mod types;
pub(crate) mod uses;
pub(crate) mod worlds;

use crate::gate::finding::{Finding, Flow, SpanRef};
use crate::gate::load::WitTree;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use uses::Uses;
use wit_parser::{
    Docs, Function, FunctionKind, InterfaceId, PackageId, PackageName, Resolve, Span, Stability, TypeId,
    WorldId, WorldItem, WorldKey,
};

/// One side of the comparison.
pub(crate) struct Side<'a> {
    pub tree: &'a WitTree,
    pub resolve: &'a Resolve,
    pub main: PackageId,
    /// `namespace:name` every path uses for the main package (the current side's name, on
    /// both sides).
    pub main_name: String,
    /// The name every path uses for each dependency package: `namespace:name` when the
    /// name stands for one package on each side, else `namespace:name@version` (paired
    /// packages share the current side's version), so that two versions of one package
    /// never share a path.
    labels: HashMap<PackageId, String>,
    pub uses: Uses,
    /// Paths of the anonymous interfaces worlds define inline (`import x: interface {..}`).
    inline: HashMap<InterfaceId, String>,
}

impl<'a> Side<'a> {
    fn new(tree: &'a WitTree, main_name: &str) -> Side<'a> {
        let resolve = &tree.resolve;
        let main = tree.package;
        let mut inline = HashMap::new();
        for world_id in resolve.packages[main].worlds.values() {
            let world = &resolve.worlds[*world_id];
            for (key, item) in world.imports.iter().chain(world.exports.iter()) {
                if let (WorldKey::Name(name), WorldItem::Interface { id, .. }) = (key, item)
                    && resolve.interfaces[*id].name.is_none()
                {
                    inline.insert(*id, format!("{main_name}/{}.{name}", world.name));
                }
            }
        }
        Side {
            tree,
            resolve,
            main,
            main_name: main_name.to_string(),
            labels: HashMap::new(),
            uses: Uses::of(resolve, main),
            inline,
        }
    }

    /// The name paths use for a package: `namespace:name`, with the version only for a
    /// dependency used at several versions (see [`Side::labels`]).
    pub fn package_path(&self, package: PackageId) -> String {
        if package == self.main {
            return self.main_name.clone();
        }
        if let Some(label) = self.labels.get(&package) {
            return label.clone();
        }
        let name = &self.resolve.packages[package].name;
        match &name.version {
            Some(version) => format!("{}:{}@{version}", name.namespace, name.name),
            None => format!("{}:{}", name.namespace, name.name),
        }
    }

    /// `namespace:name` of a package, without version.
    fn bare_name(&self, package: PackageId) -> String {
        let name = &self.resolve.packages[package].name;
        format!("{}:{}", name.namespace, name.name)
    }

    /// The dependency packages the main package uses, by `namespace:name`, each name's
    /// packages sorted by version.
    fn dependencies_by_name(&self) -> BTreeMap<String, Vec<PackageId>> {
        let mut by_name: BTreeMap<String, Vec<PackageId>> = BTreeMap::new();
        for package in self.uses.reachable_packages.iter().filter(|p| **p != self.main) {
            by_name.entry(self.bare_name(*package)).or_default().push(*package);
        }
        for packages in by_name.values_mut() {
            packages.sort_by(|a, b| {
                let version = |p: &PackageId| self.resolve.packages[*p].name.version.clone();
                version(a).cmp(&version(b))
            });
        }
        by_name
    }

    /// `namespace:name/interface` (the package named as [`Side::package_path`] does).
    pub fn interface_path(&self, iface: InterfaceId) -> String {
        if let Some(path) = self.inline.get(&iface) {
            return path.clone();
        }
        let interface = &self.resolve.interfaces[iface];
        match (interface.package, &interface.name) {
            (Some(package), Some(name)) => format!("{}/{name}", self.package_path(package)),
            _ => format!("<anonymous interface {}>", iface.index()),
        }
    }

    /// `namespace:name/world`, without version.
    pub fn world_path(&self, world: WorldId) -> String {
        let world = &self.resolve.worlds[world];
        match world.package {
            Some(package) => format!("{}/{}", self.package_path(package), world.name),
            None => world.name.clone(),
        }
    }

    /// The path of a named type: `namespace:name/interface.type`.
    pub fn type_path(&self, ty: TypeId) -> Option<String> {
        let def = &self.resolve.types[ty];
        let name = def.name.as_ref()?;
        Some(match def.owner {
            wit_parser::TypeOwner::Interface(iface) => format!("{}.{name}", self.interface_path(iface)),
            wit_parser::TypeOwner::World(world) => format!("{}.{name}", self.world_path(world)),
            wit_parser::TypeOwner::None => name.clone(),
        })
    }

    /// Worlds using an interface.
    pub(crate) fn interface_worlds(&self, iface: InterfaceId) -> BTreeSet<String> {
        self.uses.interface_worlds.get(&iface).cloned().unwrap_or_default()
    }
}

/// Where a function lives, which decides the flow of its parameters and results.
#[derive(Clone)]
pub(crate) struct FunctionScope {
    /// Path of the interface or world holding the functions.
    pub path: String,
    /// Flow of the parameters (what the caller sends), when some world uses the scope.
    pub params: Option<Flow>,
    /// Worlds using the scope.
    pub worlds: BTreeSet<String>,
    /// Whether a world exports the scope (adding functions then breaks exporters).
    pub exported: bool,
    /// The enclosing item's span on each side, for the diff (`None`: the function itself).
    pub enclosing: (Option<Span>, Option<Span>),
}

/// The differ: both sides and the findings so far.
pub(crate) struct Differ<'a> {
    pub base: Side<'a>,
    pub cur: Side<'a>,
    pub findings: Vec<Finding>,
    /// Interfaces found renamed: baseline path to current path.
    pub renamed_interfaces: HashMap<String, String>,
    /// Named types found renamed or moved: baseline path to current path.
    pub renamed_types: HashMap<String, String>,
    /// `use`s that became the moved definition (or were its origin), keyed by (baseline
    /// type, current type): reported as the move, not as a change of kind.
    pub absorbed_uses: std::collections::HashSet<(TypeId, TypeId)>,
    /// Renamed worlds (`--world-map`): baseline name, current name.
    pub world_map: Vec<(String, String)>,
}

/// Compares `baseline` with `current` and returns every difference; `world_map` pairs
/// renamed worlds (baseline name, current name).
pub(crate) fn diff(baseline: &WitTree, current: &WitTree, world_map: &[(String, String)]) -> Vec<Finding> {
    let main_name = {
        let name = &current.resolve.packages[current.package].name;
        format!("{}:{}", name.namespace, name.name)
    };
    let mut differ = Differ {
        base: Side::new(baseline, &main_name),
        cur: Side::new(current, &main_name),
        findings: Vec::new(),
        renamed_interfaces: HashMap::new(),
        renamed_types: HashMap::new(),
        absorbed_uses: Default::default(),
        world_map: world_map.to_vec(),
    };
    let pairs = pair_dependencies(&mut differ.base, &mut differ.cur);
    // Dependencies first: renames found there apply to the main package's references.
    differ.dependencies(&pairs);
    differ.main_package();
    differ.findings
}

impl<'a> Differ<'a> {
    /// Records a finding located on both sides; `snippet` spans (if any) select the
    /// enclosing item shown in the diff instead of the item itself.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn emit(
        &mut self,
        rule: &'static str,
        path: impl Into<String>,
        message: impl Into<String>,
        spans: (Option<Span>, Option<Span>),
        snippet: (Option<Span>, Option<Span>),
        flow: Option<Flow>,
        worlds: BTreeSet<String>,
    ) {
        let mut finding = Finding::new(rule, path, message);
        finding.baseline = spans.0.and_then(|s| self.base.tree.location(s));
        finding.current = spans.1.and_then(|s| self.cur.tree.location(s));
        finding.snippet_spans = (snippet.0.or(spans.0).map(SpanRef), snippet.1.or(spans.1).map(SpanRef));
        finding.flow = flow;
        finding.worlds = worlds.into_iter().collect();
        self.findings.push(finding);
    }

    /// Reports changed docs and stability of an item present on both sides.
    pub(crate) fn docs_and_stability(
        &mut self,
        path: &str,
        docs: (&Docs, &Docs),
        stability: (&Stability, &Stability),
        spans: (Span, Span),
        snippet: (Option<Span>, Option<Span>),
    ) {
        if docs.0 != docs.1 {
            let what = match (&docs.0.contents, &docs.1.contents) {
                (None, Some(_)) => "documentation was added",
                (Some(_), None) => "documentation was removed",
                _ => "documentation changed",
            };
            self.emit(
                "docs-changed",
                path,
                format!("`{path}`: {what}"),
                (Some(spans.0), Some(spans.1)),
                snippet,
                None,
                BTreeSet::new(),
            );
        }
        if stability.0 != stability.1 {
            self.emit(
                "stability-changed",
                path,
                format!(
                    "`{path}`: stability {} is now {} (the shape is unchanged; semver_check ignores \
                     `@since` and `@deprecated`)",
                    describe_stability(stability.0),
                    describe_stability(stability.1)
                ),
                (Some(spans.0), Some(spans.1)),
                snippet,
                None,
                BTreeSet::new(),
            );
        }
    }

    fn main_package(&mut self) {
        let (base_pkg, cur_pkg) = (self.base.main, self.cur.main);
        let base_name = self.base.resolve.packages[base_pkg].name.clone();
        let cur_name = self.cur.resolve.packages[cur_pkg].name.clone();
        let all_worlds: BTreeSet<String> = self.base.resolve.packages[base_pkg]
            .worlds
            .keys()
            .chain(self.cur.resolve.packages[cur_pkg].worlds.keys())
            .cloned()
            .collect();
        // Package findings point at the `package` statements.
        let package_spans =
            (self.base.tree.package_statement(base_pkg), self.cur.tree.package_statement(cur_pkg));
        if (&base_name.namespace, &base_name.name) != (&cur_name.namespace, &cur_name.name) {
            let path = self.cur.main_name.clone();
            self.emit(
                "package-renamed",
                path,
                format!(
                    "package `{}:{}` is now `{}:{}`: to the component model a different package, whose \
                     imports no existing component names (semver_check refuses to compare the two)",
                    base_name.namespace, base_name.name, cur_name.namespace, cur_name.name
                ),
                package_spans,
                (None, None),
                None,
                all_worlds,
            );
        }
        if base_name.version != cur_name.version {
            let path = self.cur.main_name.clone();
            self.emit(
                "package-version-changed",
                path,
                format!(
                    "the package version {} is now {}",
                    version_text(&base_name),
                    version_text(&cur_name)
                ),
                package_spans,
                (None, None),
                None,
                BTreeSet::new(),
            );
        }
        let docs = (
            &self.base.resolve.packages[base_pkg].docs.clone(),
            &self.cur.resolve.packages[cur_pkg].docs.clone(),
        );
        if docs.0 != docs.1 {
            let path = self.cur.main_name.clone();
            self.emit(
                "docs-changed",
                path.clone(),
                format!("`{path}`: the package documentation changed"),
                package_spans,
                (None, None),
                None,
                BTreeSet::new(),
            );
        }
        let base_ifaces: Vec<(String, InterfaceId)> =
            self.base.resolve.packages[base_pkg].interfaces.iter().map(|(n, i)| (n.clone(), *i)).collect();
        let cur_ifaces: Vec<(String, InterfaceId)> =
            self.cur.resolve.packages[cur_pkg].interfaces.iter().map(|(n, i)| (n.clone(), *i)).collect();
        self.interfaces(&base_ifaces, &cur_ifaces, true);
        self.worlds();
    }

    /// Dependency packages paired across the sides: their version and their used interfaces.
    fn dependencies(&mut self, pairs: &[(PackageId, PackageId)]) {
        for (base_pkg, cur_pkg) in pairs {
            let path = self.cur.package_path(*cur_pkg);
            let bare = self.cur.bare_name(*cur_pkg);
            let base_name = self.base.resolve.packages[*base_pkg].name.clone();
            let cur_name = self.cur.resolve.packages[*cur_pkg].name.clone();
            if base_name.version != cur_name.version {
                let same_track = track(&base_name) == track(&cur_name);
                let lower = cur_name.version < base_name.version;
                let rule = match (same_track, lower) {
                    (true, false) => "dependency-version-changed",
                    (true, true) => "dependency-downgraded",
                    (false, _) => "dependency-track-changed",
                };
                let worlds = self.package_worlds(*base_pkg, *cur_pkg);
                let detail = match (same_track, lower) {
                    (true, false) => "on the same semver track".to_string(),
                    (true, true) => "back to an older version on the same semver track: what the newer \
                                     version added may be missing"
                        .to_string(),
                    (false, _) => format!(
                        "from track `{}` to track `{}`",
                        track(&base_name).unwrap_or_else(|| "unversioned".into()),
                        track(&cur_name).unwrap_or_else(|| "unversioned".into())
                    ),
                };
                self.emit(
                    rule,
                    path.clone(),
                    format!(
                        "dependency `{bare}` moved from {} to {} ({detail})",
                        version_text(&base_name),
                        version_text(&cur_name)
                    ),
                    (self.base.tree.package_statement(*base_pkg), self.cur.tree.package_statement(*cur_pkg)),
                    (None, None),
                    None,
                    worlds,
                );
            }
            // An interface of a dependency that one side merely stops using is not removed:
            // compare the interfaces either side uses, and report one as added or removed only
            // when it appears in or disappears from the package itself.
            let base_all = &self.base.resolve.packages[*base_pkg].interfaces;
            let cur_all = &self.cur.resolve.packages[*cur_pkg].interfaces;
            let base_used = |i: &InterfaceId| self.base.uses.reachable_interfaces.contains(i);
            let cur_used = |i: &InterfaceId| self.cur.uses.reachable_interfaces.contains(i);
            let base_ifaces: Vec<(String, InterfaceId)> = base_all
                .iter()
                .filter(|(name, b)| match cur_all.get(*name) {
                    Some(c) => base_used(b) || cur_used(c),
                    None => base_used(b),
                })
                .map(|(n, i)| (n.clone(), *i))
                .collect();
            let cur_ifaces: Vec<(String, InterfaceId)> = cur_all
                .iter()
                .filter(|(name, c)| match base_all.get(*name) {
                    Some(b) => base_used(b) || cur_used(c),
                    None => cur_used(c),
                })
                .map(|(n, i)| (n.clone(), *i))
                .collect();
            self.interfaces(&base_ifaces, &cur_ifaces, false);
        }
    }

    fn package_worlds(&self, base_pkg: PackageId, cur_pkg: PackageId) -> BTreeSet<String> {
        let mut worlds = BTreeSet::new();
        for (side, package) in [(&self.base, base_pkg), (&self.cur, cur_pkg)] {
            for iface in side.resolve.packages[package].interfaces.values() {
                worlds.extend(side.interface_worlds(*iface));
            }
        }
        worlds
    }

    /// Matches functions by name (identical unmatched ones are renames) and diffs them.
    pub(crate) fn functions(&mut self, scope: &FunctionScope, base: &[Function], cur: &[Function]) {
        let mut added: Vec<&Function> =
            cur.iter().filter(|c| !base.iter().any(|b| b.name == c.name)).collect();
        for b in base {
            if let Some(c) = cur.iter().find(|c| c.name == b.name) {
                self.function(scope, b, c);
                continue;
            }
            let base_path = format!("{}.{}", scope.path, function_name(b));
            let same_signature = added.iter().position(|c| self.same_signature(b, c));
            match same_signature {
                Some(index) => {
                    let c = added.remove(index);
                    let path = format!("{}.{}", scope.path, function_name(c));
                    self.emit(
                        "function-renamed",
                        path.clone(),
                        format!("function `{base_path}` is now `{path}` (same signature)"),
                        (Some(b.span), Some(c.span)),
                        scope.enclosing,
                        None,
                        scope.worlds.clone(),
                    );
                }
                None => self.emit(
                    "function-removed",
                    base_path.clone(),
                    format!("function `{base_path}` was removed"),
                    (Some(b.span), None),
                    scope.enclosing,
                    None,
                    scope.worlds.clone(),
                ),
            }
        }
        for c in added {
            let path = format!("{}.{}", scope.path, function_name(c));
            let (rule, why) = if scope.exported {
                (
                    "function-added-to-export",
                    "; a world exports this interface, so every exporter must now provide it",
                )
            } else {
                ("function-added", "")
            };
            self.emit(
                rule,
                path.clone(),
                format!("function `{path}` was added{why}"),
                (None, Some(c.span)),
                scope.enclosing,
                None,
                scope.worlds.clone(),
            );
        }
    }

    /// Diffs two versions of one function.
    pub(crate) fn function(&mut self, scope: &FunctionScope, b: &Function, c: &Function) {
        let path = format!("{}.{}", scope.path, function_name(c));
        let spans = (b.span, c.span);
        let snippet = (scope.enclosing.0.or(Some(b.span)), scope.enclosing.1.or(Some(c.span)));
        self.docs_and_stability(&path, (&b.docs, &c.docs), (&b.stability, &c.stability), spans, snippet);
        if kind_name(&b.kind) != kind_name(&c.kind) {
            self.emit(
                "function-kind-changed",
                path.clone(),
                format!("function `{path}` was a {} and is now a {}", kind_name(&b.kind), kind_name(&c.kind)),
                (Some(b.span), Some(c.span)),
                snippet,
                None,
                scope.worlds.clone(),
            );
        }
        let base_params: Vec<types::Member> = b.params.iter().map(types::Member::param).collect();
        let cur_params: Vec<types::Member> = c.params.iter().map(types::Member::param).collect();
        let context = types::MemberContext {
            kind: types::MemberKind::Param,
            owner_path: path.clone(),
            owner_spans: (b.span, c.span),
            snippet,
            flow: scope.params,
            worlds: scope.worlds.clone(),
        };
        self.members(&context, &base_params, &cur_params);
        let same_result = match (&b.result, &c.result) {
            (None, None) => true,
            (Some(x), Some(y)) => self.same_ref(x, y),
            _ => false,
        };
        if !same_result {
            let render = |side: &Side, result: &Option<wit_parser::Type>| match result {
                Some(ty) => format!("`{}`", side.render(ty)),
                None => "nothing".to_string(),
            };
            self.emit(
                "function-result-changed",
                format!("{path}->result"),
                format!(
                    "function `{path}` returned {} and now returns {}",
                    render(&self.base, &b.result),
                    render(&self.cur, &c.result)
                ),
                (Some(b.span), Some(c.span)),
                snippet,
                scope.params.map(Flow::reversed),
                scope.worlds.clone(),
            );
        }
    }

    fn same_signature(&self, b: &Function, c: &Function) -> bool {
        kind_name(&b.kind) == kind_name(&c.kind)
            && b.params.len() == c.params.len()
            && b.params.iter().zip(&c.params).all(|(x, y)| x.name == y.name && self.same_ref(&x.ty, &y.ty))
            && match (&b.result, &c.result) {
                (None, None) => true,
                (Some(x), Some(y)) => self.same_ref(x, y),
                _ => false,
            }
    }

    /// Worlds using a type on either side.
    pub(crate) fn type_worlds(&self, b: Option<TypeId>, c: Option<TypeId>) -> BTreeSet<String> {
        let mut worlds = BTreeSet::new();
        if let Some((_, w)) = b.and_then(|b| self.base.uses.types.get(&b)) {
            worlds.extend(w.iter().cloned());
        }
        if let Some((_, w)) = c.and_then(|c| self.cur.uses.types.get(&c)) {
            worlds.extend(w.iter().cloned());
        }
        worlds
    }

    /// Flow of a type's values on either side.
    pub(crate) fn type_flow(&self, b: Option<TypeId>, c: Option<TypeId>) -> Option<Flow> {
        join_flows(
            b.and_then(|b| self.base.uses.types.get(&b)).map(|(f, _)| *f),
            c.and_then(|c| self.cur.uses.types.get(&c)).map(|(f, _)| *f),
        )
    }
}

/// The flow combining two optional flows.
pub(crate) fn join_flows(a: Option<Flow>, b: Option<Flow>) -> Option<Flow> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.join(b)),
        (a, b) => a.or(b),
    }
}

/// The semver track of a package's version (`0.2`, `1`, `0.0.3`, `1.0.0-rc.1`).
fn track(name: &PackageName) -> Option<String> {
    name.version.as_ref().map(|v| PackageName::version_compat_track_string(v).0)
}

/// Pairs the dependency packages the two sides use, name by name: first the same version,
/// then the same semver track (newest with newest), then, if one package of the name is
/// left on each side, those two (a move to another track). Unpaired packages are used by
/// one side only; what that changes shows in the worlds and types using them. Sets the
/// [`Side::labels`] of every dependency package.
fn pair_dependencies(base: &mut Side, cur: &mut Side) -> Vec<(PackageId, PackageId)> {
    let (base_deps, cur_deps) = (base.dependencies_by_name(), cur.dependencies_by_name());
    let main_names = [base.bare_name(base.main), cur.bare_name(cur.main)];
    let names: BTreeSet<&String> = base_deps.keys().chain(cur_deps.keys()).collect();
    let mut pairs = Vec::new();
    for name in names {
        let mut left: Vec<PackageId> = base_deps.get(name).cloned().unwrap_or_default();
        let mut right: Vec<PackageId> = cur_deps.get(name).cloned().unwrap_or_default();
        let ambiguous = left.len() > 1 || right.len() > 1 || main_names.contains(name);
        let version = |side: &Side, p: PackageId| side.resolve.packages[p].name.version.clone();
        let mut paired = Vec::new();
        // The same version.
        left.retain(|b| match right.iter().position(|c| version(cur, *c) == version(base, *b)) {
            Some(index) => {
                paired.push((*b, right.remove(index)));
                false
            }
            None => true,
        });
        // The same track, newest with newest.
        for b in left.clone().into_iter().rev() {
            let b_track = track(&base.resolve.packages[b].name);
            let same = right.iter().rposition(|c| track(&cur.resolve.packages[*c].name) == b_track);
            if let Some(index) = same {
                paired.push((b, right.remove(index)));
                left.retain(|x| *x != b);
            }
        }
        // One left on each side: the dependency moved to another track.
        if let ([b], [c]) = (left.as_slice(), right.as_slice()) {
            paired.push((*b, *c));
            left.clear();
            right.clear();
        }
        let label = |side: &Side, p: PackageId| match (ambiguous, version(side, p)) {
            (true, Some(v)) => format!("{name}@{v}"),
            _ => name.clone(),
        };
        for (b, c) in &paired {
            let shared = label(cur, *c);
            base.labels.insert(*b, shared.clone());
            cur.labels.insert(*c, shared);
        }
        for b in left {
            base.labels.insert(b, label(base, b));
        }
        for c in right {
            cur.labels.insert(c, label(cur, c));
        }
        pairs.extend(paired);
    }
    pairs
}

/// The sorted names of an interface's types and functions (what a rename keeps).
pub(crate) fn interface_signature(resolve: &Resolve, iface: InterfaceId) -> Vec<String> {
    let interface = &resolve.interfaces[iface];
    let mut names: Vec<String> = interface
        .types
        .keys()
        .map(|n| format!("type {n}"))
        .chain(interface.functions.keys().map(|n| format!("func {n}")))
        .collect();
    names.sort();
    names
}

/// How a function is shown in paths: `name`, `resource.method`, `resource.constructor`.
pub(crate) fn function_name(func: &Function) -> String {
    match &func.kind {
        FunctionKind::Constructor(_) => {
            let resource = func.name.rsplit(']').next().unwrap_or(&func.name);
            format!("{resource}.constructor")
        }
        _ => match func.name.rsplit_once(']') {
            Some((_, rest)) => rest.to_string(),
            None => func.name.clone(),
        },
    }
}

/// The kind of a function in words.
pub(crate) fn kind_name(kind: &FunctionKind) -> &'static str {
    match kind {
        FunctionKind::Freestanding => "function",
        FunctionKind::AsyncFreestanding => "async function",
        FunctionKind::Getter => "getter",
        FunctionKind::Setter => "setter",
        FunctionKind::Method(_) => "method",
        FunctionKind::AsyncMethod(_) => "async method",
        FunctionKind::MethodGetter(_) => "method getter",
        FunctionKind::MethodSetter(_) => "method setter",
        FunctionKind::Static(_) => "static function",
        FunctionKind::AsyncStatic(_) => "async static function",
        FunctionKind::StaticGetter(_) => "static getter",
        FunctionKind::StaticSetter(_) => "static setter",
        FunctionKind::Constructor(_) => "constructor",
    }
}

fn describe_stability(stability: &Stability) -> String {
    match stability {
        Stability::Unknown => "(none)".to_string(),
        Stability::Unstable { feature, deprecated } => match deprecated {
            Some(v) => format!("`@unstable(feature = {feature})`, deprecated since {v}"),
            None => format!("`@unstable(feature = {feature})`"),
        },
        Stability::Stable { since, deprecated } => match deprecated {
            Some(v) => format!("`@since(version = {since})`, deprecated since {v}"),
            None => format!("`@since(version = {since})`"),
        },
    }
}

fn version_text(name: &PackageName) -> String {
    name.version.as_ref().map(|v| v.to_string()).unwrap_or_else(|| "(unversioned)".to_string())
}
