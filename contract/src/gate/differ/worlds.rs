//! Worlds: matched by name (or paired by `--world-map old=new`); their imports and exports
//! matched by key (a plain name, or the interface id `namespace:name/interface`, with the
//! version when the package is used at several, see [`super::Side::package_path`]).

use super::{Differ, FunctionScope, Side};
use crate::gate::finding::Flow;
use std::collections::BTreeSet;
use wit_parser::{Span, WorldId, WorldItem, WorldKey};

impl Differ<'_> {
    pub(crate) fn worlds(&mut self) {
        let base_worlds: Vec<(String, WorldId)> =
            self.base.resolve.packages[self.base.main].worlds.iter().map(|(n, w)| (n.clone(), *w)).collect();
        let cur_worlds: Vec<(String, WorldId)> =
            self.cur.resolve.packages[self.cur.main].worlds.iter().map(|(n, w)| (n.clone(), *w)).collect();
        // `--world-map old=new` pairs a baseline world with its renamed successor.
        let world_map = self.world_map.clone();
        let successor = |name: &String| crate::gate::successor(&world_map, name);
        let paired: Vec<String> = base_worlds.iter().map(|(n, _)| successor(n)).collect();
        for (name, b) in &base_worlds {
            let target = successor(name);
            match cur_worlds.iter().find(|(n, _)| *n == target) {
                Some((_, c)) => {
                    if target != *name {
                        let (from, to) = (self.base.world_path(*b), self.cur.world_path(*c));
                        let spans =
                            (Some(self.base.resolve.worlds[*b].span), Some(self.cur.resolve.worlds[*c].span));
                        self.emit(
                            "world-renamed",
                            to.clone(),
                            format!("world `{from}` is now `{to}` (paired by --world-map)"),
                            spans,
                            (None, None),
                            None,
                            BTreeSet::from([name.clone(), target.clone()]),
                        );
                    }
                    self.world(*b, *c)
                }
                None => {
                    let path = self.base.world_path(*b);
                    let span = self.base.resolve.worlds[*b].span;
                    self.emit(
                        "world-removed",
                        path.clone(),
                        format!("world `{path}` was removed"),
                        (Some(span), None),
                        (None, None),
                        None,
                        BTreeSet::from([name.clone()]),
                    );
                }
            }
        }
        for (name, c) in &cur_worlds {
            if !paired.contains(name) {
                let path = self.cur.world_path(*c);
                let span = self.cur.resolve.worlds[*c].span;
                self.emit(
                    "world-added",
                    path.clone(),
                    format!("world `{path}` was added"),
                    (None, Some(span)),
                    (None, None),
                    None,
                    BTreeSet::from([name.clone()]),
                );
            }
        }
    }

    fn world(&mut self, b: WorldId, c: WorldId) {
        let base = self.base.resolve.worlds[b].clone();
        let cur = self.cur.resolve.worlds[c].clone();
        let path = self.cur.world_path(c);
        let worlds = BTreeSet::from([cur.name.clone()]);
        // World item findings show the whole world in their diff.
        let world_snippet = (Some(base.span), Some(cur.span));
        self.docs_and_stability(
            &path,
            (&base.docs, &cur.docs),
            (&base.stability, &cur.stability),
            (base.span, cur.span),
            (Some(base.span), Some(cur.span)),
        );
        for (direction, base_items, cur_items) in
            [("import", &base.imports, &cur.imports), ("export", &base.exports, &cur.exports)]
        {
            let keyed = |side: &Side,
                         items: &wit_parser::IndexMap<WorldKey, WorldItem>|
             -> Vec<(String, WorldItem)> {
                items.iter().map(|(k, i)| (key_name(side, k), i.clone())).collect()
            };
            // A renamed interface stays the same world item; its finding says what changed.
            let base_items: Vec<(String, WorldItem)> = keyed(&self.base, base_items)
                .into_iter()
                .map(|(k, i)| (self.renamed_interfaces.get(&k).cloned().unwrap_or(k), i))
                .collect();
            let cur_items = keyed(&self.cur, cur_items);
            let (added_rule, removed_rule) = if direction == "import" {
                ("world-import-added", "world-import-removed")
            } else {
                ("world-export-added", "world-export-removed")
            };
            // Parameters of imported functions come from the guest.
            let params = if direction == "import" { Flow::GuestSends } else { Flow::HostReturns };
            for (key, b_item) in &base_items {
                let item_path = format!("{path}.{direction}({key})");
                let c_item = cur_items.iter().find(|(k, _)| k == key).map(|(_, i)| i);
                match (b_item, c_item) {
                    (
                        WorldItem::Interface { id: bi, docs: bd, stability: bs, .. },
                        Some(c_whole @ WorldItem::Interface { id: ci, docs: cd, stability: cs, .. }),
                    ) => {
                        // Interface imports keep no span: point at their statements.
                        let spans = (
                            span_of(&self.base, base.span, direction, key, b_item),
                            span_of(&self.cur, cur.span, direction, key, c_whole),
                        );
                        self.docs_and_stability(&item_path, (bd, cd), (bs, cs), spans, world_snippet);
                        // Named interfaces are compared with their package; inline ones here.
                        if self.base.resolve.interfaces[*bi].name.is_none() {
                            self.inline_interface(*bi, *ci);
                        }
                    }
                    (WorldItem::Function(bf), Some(WorldItem::Function(cf))) => {
                        let scope = FunctionScope {
                            path: path.clone(),
                            params: Some(params),
                            worlds: worlds.clone(),
                            exported: direction == "export",
                            enclosing: (None, None),
                        };
                        self.function(&scope, bf, cf);
                    }
                    (WorldItem::Type { id: bt, .. }, Some(WorldItem::Type { id: ct, .. })) => {
                        let type_path = format!("{path}.{key}");
                        self.type_definition(&type_path, *bt, *ct);
                    }
                    (_, Some(c_item)) => {
                        let b_span = span_of(&self.base, base.span, direction, key, b_item);
                        let c_span = span_of(&self.cur, cur.span, direction, key, c_item);
                        self.emit(
                            removed_rule,
                            item_path.clone(),
                            format!("world `{path}` no longer {direction}s {} `{key}`", item_kind(b_item)),
                            (Some(b_span), Some(cur.span)),
                            world_snippet,
                            None,
                            worlds.clone(),
                        );
                        self.emit(
                            added_rule,
                            item_path.clone(),
                            format!("world `{path}` now {direction}s {} `{key}`", item_kind(c_item)),
                            (Some(base.span), Some(c_span)),
                            world_snippet,
                            None,
                            worlds.clone(),
                        );
                    }
                    (_, None) => {
                        if matches!(b_item, WorldItem::Type { .. }) {
                            // Types a world imports through `use` come and go with the
                            // functions using them; only their definitions matter.
                            continue;
                        }
                        let b_span = span_of(&self.base, base.span, direction, key, b_item);
                        self.emit(
                            removed_rule,
                            item_path.clone(),
                            format!("world `{path}` no longer {direction}s {} `{key}`", item_kind(b_item)),
                            (Some(b_span), Some(cur.span)),
                            world_snippet,
                            None,
                            worlds.clone(),
                        );
                    }
                }
            }
            for (key, c_item) in &cur_items {
                if base_items.iter().any(|(k, _)| k == key) || matches!(c_item, WorldItem::Type { .. }) {
                    continue;
                }
                let item_path = format!("{path}.{direction}({key})");
                let c_span = span_of(&self.cur, cur.span, direction, key, c_item);
                self.emit(
                    added_rule,
                    item_path,
                    format!("world `{path}` now {direction}s {} `{key}`", item_kind(c_item)),
                    (Some(base.span), Some(c_span)),
                    world_snippet,
                    None,
                    worlds.clone(),
                );
            }
        }
    }

    /// An interface defined inline in a world (`import x: interface { ... }`).
    fn inline_interface(&mut self, b: wit_parser::InterfaceId, c: wit_parser::InterfaceId) {
        let plan = self.plan_types(&[(b, c)], &[], &[], false);
        self.interface(b, c);
        self.emit_type_plan(plan);
    }
}

/// The key of a world item as the report shows it.
fn key_name(side: &Side, key: &WorldKey) -> String {
    match key {
        WorldKey::Name(name) => name.clone(),
        WorldKey::Interface(id) => side.interface_path(*id),
    }
}

fn item_kind(item: &WorldItem) -> &'static str {
    match item {
        WorldItem::Interface { .. } => "interface",
        WorldItem::Function(_) => "function",
        WorldItem::Type { .. } => "type",
    }
}

/// The span of a world item: its own, or the `import`/`export` statement found in the
/// world's source (resolved worlds keep no span for interface imports), or the world's.
fn span_of(side: &Side, world_span: Span, keyword: &str, key: &str, item: &WorldItem) -> Span {
    if item.span().is_known() {
        return item.span();
    }
    let (name, version) = match item {
        WorldItem::Interface { id, .. } => {
            let interface = &side.resolve.interfaces[*id];
            let version = interface.package.and_then(|p| side.resolve.packages[p].name.version.clone());
            (interface.name.clone().unwrap_or_default(), version)
        }
        _ => (key.to_string(), None),
    };
    side.tree.world_statement(world_span, keyword, &name, version.as_ref()).unwrap_or(world_span)
}
