//! Loading one side of the comparison: a directory holding a WIT package (its `*.wit`
//! files and an optional `deps/` folder), parsed and resolved by wit-parser.

use super::GateError;
use super::finding::Location;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use wit_parser::{Handle, PackageId, Resolve, Span, Stability, Type, TypeDefKind, TypeId};

/// Which `@unstable` feature gates are open (`--features NAME`, `--all-features`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Features {
    /// The features enabled by name.
    pub names: Vec<String>,
    /// Every feature is enabled.
    pub all: bool,
}

impl Features {
    fn enables(&self, feature: &str) -> bool {
        self.all || self.names.iter().any(|n| n == feature)
    }
}

/// How deeply types may nest (alias chains and type constructors such as `list<..>`
/// together) before the gate refuses the WIT: the differ and `semver_check` walk types
/// recursively, and real packages nest a handful of levels.
pub const MAX_TYPE_DEPTH: usize = 1_000;

/// One version of a WIT package, parsed.
#[derive(Debug)]
pub struct WitTree {
    /// What the reports call this side, e.g. `compat/0.1.0/wit` or `HEAD~1:wit`.
    pub label: String,
    /// The directory the files were read from.
    pub dir: PathBuf,
    /// How file names are shown: the directory's files appear as `display_prefix/name`.
    pub display_prefix: String,
    /// The resolved package and its dependencies.
    pub resolve: Resolve,
    /// The package in `dir` itself (not a dependency).
    pub package: PackageId,
    /// Items behind `@unstable` feature gates that are not enabled, left out of the
    /// comparison: how many per feature (in the package and its dependencies).
    pub unstable_skipped: BTreeMap<String, usize>,
    /// Every feature an `@unstable` gate of the tree names.
    pub unstable_features: BTreeSet<String>,
    /// File contents by the path wit-parser registered them under (for snippets).
    sources: std::cell::RefCell<HashMap<String, Option<String>>>,
}

impl WitTree {
    /// Parses the WIT package in `dir` with the `@unstable` features `features` enabled.
    /// `display_prefix` replaces `dir` in the file names the reports show.
    pub fn load(
        dir: &Path,
        label: &str,
        display_prefix: &str,
        features: &Features,
    ) -> Result<WitTree, GateError> {
        if !dir.is_dir() {
            return Err(GateError::Input(format!(
                "{} is not a directory holding a WIT package",
                dir.display()
            )));
        }
        let io = |source| GateError::Io { path: dir.to_path_buf(), source };
        let has_wit = std::fs::read_dir(dir)
            .map_err(io)?
            .filter_map(Result::ok)
            .any(|e| e.path().extension().is_some_and(|x| x == "wit") && e.path().is_file());
        if !has_wit {
            return Err(GateError::Input(format!(
                "no WIT files in {label} (a WIT package is a directory holding *.wit files and, optionally, \
                 deps/ with its dependencies)"
            )));
        }
        let resolve_with = |features: &Features| {
            let mut resolve = Resolve {
                features: features.names.iter().cloned().collect(),
                all_features: features.all,
                ..Resolve::default()
            };
            let result = resolve.push_dir(dir).map(|(package, _)| package);
            (resolve, result)
        };
        let (resolve, result) = resolve_with(features);
        let package = match result {
            Ok(package) => package,
            Err(err) => return Err(invalid_wit(&resolve, &err, dir, label, display_prefix)),
        };
        check_type_depth(&resolve, dir, display_prefix)?;
        let (unstable_skipped, unstable_features) = if !mentions_unstable(dir)? {
            Default::default()
        } else if features.all {
            unstable_items(&resolve, features)
        } else {
            // Parsed again with every feature on, the gated items are there to be counted.
            match resolve_with(&Features { names: Vec::new(), all: true }) {
                (everything, Ok(_)) => unstable_items(&everything, features),
                (_, Err(_)) => Default::default(),
            }
        };
        Ok(WitTree {
            label: label.to_string(),
            dir: dir.to_path_buf(),
            display_prefix: display_prefix.to_string(),
            resolve,
            package,
            unstable_skipped,
            unstable_features,
            sources: Default::default(),
        })
    }

    /// Where `span` is, with the file shown as the reports show it.
    pub fn location(&self, span: Span) -> Option<Location> {
        let (file, line, column) = split_location(&self.resolve.render_location(span))?;
        Some(Location { file: display(&self.dir, &self.display_prefix, &file), line, column })
    }

    /// The source file holding `span` and the byte offset of the span in it.
    pub(crate) fn source_at(&self, span: Span) -> Option<(String, usize)> {
        let at = self.resolve.source_map.resolve_span(span)?;
        let path = at.path.to_string();
        let mut sources = self.sources.borrow_mut();
        let text =
            sources.entry(path.clone()).or_insert_with(|| std::fs::read_to_string(&path).ok()).clone()?;
        Some((text, at.range.start))
    }
}

impl WitTree {
    /// The span of the `import`/`export` statement of interface `name` inside the world
    /// named at `world_span`. wit-parser keeps no span for interface imports of a resolved
    /// world, so the statement is found in the world's source: `import name;`,
    /// `import ns:pkg/name;` or `import ns:pkg/name@1.2.3;`. `None` when the world does not
    /// spell it out (an import implied by a `use`). With `version`, a statement naming
    /// another version of the package is not this one's.
    pub(crate) fn world_statement(
        &self,
        world_span: Span,
        keyword: &str,
        name: &str,
        version: Option<&semver::Version>,
    ) -> Option<Span> {
        let (text, at) = self.source_at(world_span)?;
        let (first_line, block) = super::snippet::item_source(&text, at);
        let block_start: usize = text.split_inclusive('\n').take(first_line - 1).map(str::len).sum();
        let mut offset = block_start;
        for line in block.split_inclusive('\n') {
            let trimmed = line.trim_start();
            if let Some(rest) = trimmed.strip_prefix(keyword).and_then(|r| r.strip_prefix(' ')) {
                let spelled_target = rest.split([';', '{']).next().unwrap_or("").trim();
                let (target, stated) = match spelled_target.split_once('@') {
                    Some((target, stated)) => (target, Some(stated.trim())),
                    None => (spelled_target, None),
                };
                // `import x: interface {..}` or `import x: func()` names `x`.
                let target =
                    if target.contains('/') { target } else { target.split(':').next().unwrap_or(target) };
                let local = target.rsplit('/').next().unwrap_or(target);
                // A package used at two versions is imported once per version.
                let same_version = match (stated, version) {
                    (Some(stated), Some(version)) => stated == version.to_string(),
                    _ => true,
                };
                let spelled = (target == name || local == name && target.contains(':')) && same_version;
                if spelled {
                    let column = line.len() - trimmed.len();
                    let global = world_span.start() as usize - at + offset + column;
                    let global = u32::try_from(global).ok()?;
                    return Some(Span::new(global, global + keyword.len() as u32));
                }
            }
            offset += line.len();
        }
        None
    }
}

impl WitTree {
    /// The span of the `package` statement declaring `package` (the word `package`).
    /// wit-parser keeps no span for packages, so the statement is found in the source of
    /// the package's interfaces and worlds: `package ns:name;`, `package ns:name@1.2.3;` or
    /// the nested `package ns:name@1.2.3 { .. }`. `None` for a package with no items.
    pub(crate) fn package_statement(&self, package: PackageId) -> Option<Span> {
        let declared = &self.resolve.packages[package];
        let wanted = format!("{}:{}", declared.name.namespace, declared.name.name);
        let version = declared.name.version.as_ref().map(|v| v.to_string());
        let item_spans = declared
            .interfaces
            .values()
            .map(|id| self.resolve.interfaces[*id].span)
            .chain(declared.worlds.values().map(|id| self.resolve.worlds[*id].span))
            .filter(|span| span.is_known());
        let mut files_seen = std::collections::HashSet::new();
        for span in item_spans {
            let Some((text, at)) = self.source_at(span) else { continue };
            if !files_seen.insert(span.start() as usize - at) {
                continue;
            }
            let mut offset = 0;
            for line in text.split_inclusive('\n') {
                let trimmed = line.trim_start();
                if let Some(rest) = trimmed.strip_prefix("package ") {
                    let name = rest.split(['@', ';', '{']).next().unwrap_or("").trim();
                    let stated = rest
                        .split_once('@')
                        .map(|(_, v)| v.split([';', '{', ' ']).next().unwrap_or("").trim().to_string());
                    // The statement of this package (a nested `package` block of another
                    // version of it would state another version).
                    if name == wanted && (stated.is_none() || stated == version) {
                        let column = line.len() - trimmed.len();
                        let global = u32::try_from(span.start() as usize - at + offset + column).ok()?;
                        return Some(Span::new(global, global + "package".len() as u32));
                    }
                }
                offset += line.len();
            }
        }
        None
    }
}

/// The error for WIT that does not parse or resolve: wit-parser's message with file, line
/// and the source line, except where that message does not say what to do.
fn invalid_wit(resolve: &Resolve, err: &anyhow::Error, dir: &Path, label: &str, prefix: &str) -> GateError {
    let location = error_location(resolve, err).map(|(file, line, column)| Location {
        file: display(dir, prefix, &file),
        line,
        column,
    });
    let message = match old_float_name(err) {
        // wit-parser suggests an environment variable that no longer exists in it.
        Some((span, old, new)) => {
            let what = format!(
                "type `{old}` does not exist: WIT renamed `float32` to `f32` and `float64` to `f64` and no \
                 longer accepts the old names (here `{old}`, now `{new}`). Rename every `float32` to `f32` and \
                 every `float64` to `f64` in this package (for an old release you cannot edit, in a copy of it)"
            );
            wit_parser::ParseError::new_syntax(span, what).render(&resolve.source_map)
        }
        None => resolve.render_error(err),
    };
    GateError::InvalidWit { side: label.to_string(), location, message }
}

/// The span and names of a use of `float32` or `float64`, the pre-1.0 names of `f32` and
/// `f64`, when that is why the WIT does not resolve.
fn old_float_name(err: &anyhow::Error) -> Option<(Span, &'static str, &'static str)> {
    err.chain().find_map(|layer| {
        let kind = layer.downcast_ref::<wit_parser::ParseError>()?.kind();
        match kind {
            wit_parser::ParseErrorKind::ItemNotFound { span, name, .. } => match name.as_str() {
                "float32" => Some((*span, "float32", "f32")),
                "float64" => Some((*span, "float64", "f64")),
                _ => None,
            },
            _ => None,
        }
    })
}

/// Refuses types nested deeper than [`MAX_TYPE_DEPTH`], naming the deepest one. The depth
/// is computed without recursion, so any chain is measured safely.
fn check_type_depth(resolve: &Resolve, dir: &Path, prefix: &str) -> Result<(), GateError> {
    let mut depth: HashMap<TypeId, usize> = HashMap::new();
    for (start, _) in resolve.types.iter() {
        // Post-order walk with an explicit stack: a type's depth is one more than its
        // deepest component's.
        let mut stack = vec![(start, false)];
        while let Some((id, expanded)) = stack.pop() {
            if depth.contains_key(&id) {
                continue;
            }
            let inner = inner_types(&resolve.types[id].kind);
            if expanded {
                let deepest = inner.iter().filter_map(|t| depth.get(t)).max().copied().unwrap_or(0);
                depth.insert(id, deepest + 1);
            } else {
                stack.push((id, true));
                stack.extend(inner.into_iter().filter(|t| !depth.contains_key(t)).map(|t| (t, false)));
            }
        }
    }
    let Some((&deepest, &levels)) = depth.iter().max_by_key(|(id, d)| (**d, std::cmp::Reverse(id.index())))
    else {
        return Ok(());
    };
    if levels <= MAX_TYPE_DEPTH {
        return Ok(());
    }
    let def = &resolve.types[deepest];
    let name = def.name.clone().unwrap_or_else(|| "an anonymous type".to_string());
    let at = split_location(&resolve.render_location(def.span))
        .map(|(file, line, column)| format!(" at {}:{line}:{column}", display(dir, prefix, &file)))
        .unwrap_or_default();
    Err(GateError::Input(format!(
        "type `{name}`{at} nests {levels} types deep (aliases and types such as `list<..>` count); the gate \
         compares types up to {MAX_TYPE_DEPTH} deep: shorten the chain"
    )))
}

/// The types a type definition refers to directly.
fn inner_types(kind: &TypeDefKind) -> Vec<TypeId> {
    let ids = |types: &mut dyn Iterator<Item = &Type>| -> Vec<TypeId> {
        types.filter_map(|t| if let Type::Id(id) = t { Some(*id) } else { None }).collect()
    };
    match kind {
        TypeDefKind::Record(r) => ids(&mut r.fields.iter().map(|f| &f.ty)),
        TypeDefKind::Variant(v) => ids(&mut v.cases.iter().filter_map(|c| c.ty.as_ref())),
        TypeDefKind::Tuple(t) => ids(&mut t.types.iter()),
        TypeDefKind::Option(t) | TypeDefKind::List(t) | TypeDefKind::Type(t) => ids(&mut std::iter::once(t)),
        TypeDefKind::FixedLengthList(t, _) => ids(&mut std::iter::once(t)),
        TypeDefKind::Map(k, v) => ids(&mut [k, v].into_iter()),
        TypeDefKind::Result(r) => ids(&mut r.ok.iter().chain(r.err.iter())),
        TypeDefKind::Future(t) | TypeDefKind::Stream(t) => ids(&mut t.iter()),
        TypeDefKind::Handle(Handle::Own(r) | Handle::Borrow(r)) => vec![*r],
        TypeDefKind::Resource | TypeDefKind::Flags(_) | TypeDefKind::Enum(_) | TypeDefKind::Unknown => {
            Vec::new()
        }
    }
}

/// Whether any WIT file of the tree in `dir` (its `deps/` included) has an `@unstable` gate.
fn mentions_unstable(dir: &Path) -> Result<bool, GateError> {
    Ok(super::release::wit_files(dir)?
        .iter()
        .any(|(_, bytes)| bytes.windows(b"@unstable".len()).any(|w| w == b"@unstable")))
}

/// The items of `everything` (parsed with every feature on) that `features` leaves out,
/// counted per feature, and every feature named. An item inside a gated item is not
/// counted again.
fn unstable_items(everything: &Resolve, features: &Features) -> (BTreeMap<String, usize>, BTreeSet<String>) {
    let mut skipped = BTreeMap::new();
    let mut seen = BTreeSet::new();
    let mut count = |stability: &Stability| {
        if let Stability::Unstable { feature, .. } = stability {
            seen.insert(feature.clone());
            if !features.enables(feature) {
                *skipped.entry(feature.clone()).or_insert(0) += 1;
            }
        }
    };
    for (_, def) in everything.types.iter() {
        count(&def.stability);
    }
    for (_, interface) in everything.interfaces.iter() {
        count(&interface.stability);
        interface.functions.values().for_each(|f| count(&f.stability));
    }
    for (_, world) in everything.worlds.iter() {
        count(&world.stability);
        for item in world.imports.values().chain(world.exports.values()) {
            match item {
                wit_parser::WorldItem::Interface { stability, id, .. } => {
                    // A gate the interface itself carries was counted with it.
                    if *stability != everything.interfaces[*id].stability {
                        count(stability);
                    }
                }
                wit_parser::WorldItem::Function(f) => count(&f.stability),
                wit_parser::WorldItem::Type { .. } => {}
            }
        }
    }
    (skipped, seen)
}

/// `file:line:column` as wit-parser renders it, split from the right (paths may hold `:`).
fn split_location(rendered: &str) -> Option<(String, u32, u32)> {
    let mut parts = rendered.rsplitn(3, ':');
    let column = parts.next()?.parse().ok()?;
    let line = parts.next()?.parse().ok()?;
    let file = parts.next()?.to_string();
    Some((file, line, column))
}

/// The first parse or resolve error in `err`'s chain that carries a source span, as
/// `(file, line, column)`.
fn error_location(resolve: &Resolve, err: &anyhow::Error) -> Option<(String, u32, u32)> {
    err.chain().find_map(|layer| {
        let span = if let Some(e) = layer.downcast_ref::<wit_parser::ParseError>() {
            e.kind().span()
        } else if let Some(e) = layer.downcast_ref::<wit_parser::ResolveError>() {
            e.kind().span()
        } else {
            return None;
        };
        split_location(&resolve.source_map.render_location(span))
    })
}

/// `file` (a path under `dir`) shown as `display_prefix/relative`.
fn display(dir: &Path, display_prefix: &str, file: &str) -> String {
    match Path::new(file).strip_prefix(dir) {
        Ok(relative) if display_prefix.is_empty() => relative.display().to_string(),
        Ok(relative) => format!("{display_prefix}/{}", relative.display()),
        Err(_) => file.to_string(),
    }
}
