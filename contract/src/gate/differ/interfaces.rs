//! Interfaces and the named types in them: matching interfaces by name (identical
//! unmatched ones are renames), then pairing the types that left one place and arrived in
//! another (a move, a rename), before anything else is compared, so that references to a
//! renamed or moved type do not show up as changes of every function using it.

use super::{Differ, FunctionScope, interface_signature, join_flows};
use std::collections::BTreeSet;
use wit_parser::{Function, InterfaceId, Type, TypeDefKind, TypeId, TypeOwner};

/// How the types that exist on one side only pair up.
pub(crate) struct TypePlan {
    /// Same name, now defined in another interface.
    moved: Vec<(TypeId, TypeId)>,
    /// Same interface and definition, new name.
    renamed: Vec<(TypeId, TypeId)>,
    /// Gone (outside wholly removed interfaces).
    removed: Vec<TypeId>,
    /// New (outside wholly added interfaces).
    added: Vec<TypeId>,
}

impl Differ<'_> {
    /// Compares two lists of interfaces (of the main package, or of one dependency).
    pub(crate) fn interfaces(
        &mut self,
        base: &[(String, InterfaceId)],
        cur: &[(String, InterfaceId)],
        main: bool,
    ) {
        let mut removed: Vec<InterfaceId> =
            base.iter().filter(|(n, _)| !cur.iter().any(|(c, _)| c == n)).map(|(_, b)| *b).collect();
        let mut added: Vec<InterfaceId> =
            cur.iter().filter(|(n, _)| !base.iter().any(|(b, _)| b == n)).map(|(_, c)| *c).collect();
        let mut pairs: Vec<(InterfaceId, InterfaceId)> = base
            .iter()
            .filter_map(|(n, b)| cur.iter().find(|(c, _)| c == n).map(|(_, c)| (*b, *c)))
            .collect();

        // Renames: an unmatched pair with the same (non-empty) type and function names.
        let mut renamed = Vec::new();
        removed.retain(|b| {
            let signature = interface_signature(self.base.resolve, *b);
            let found = (!signature.is_empty())
                .then(|| added.iter().position(|c| interface_signature(self.cur.resolve, *c) == signature))
                .flatten();
            match found {
                Some(index) => {
                    renamed.push((*b, added.remove(index)));
                    false
                }
                None => true,
            }
        });
        for (b, c) in &renamed {
            self.renamed_interfaces.insert(self.base.interface_path(*b), self.cur.interface_path(*c));
        }
        pairs.extend(renamed.iter().copied());

        let plan = self.plan_types(&pairs, &removed, &added, main);

        for (b, c) in &renamed {
            let (from, to) = (self.base.interface_path(*b), self.cur.interface_path(*c));
            let mut worlds = self.base.interface_worlds(*b);
            worlds.extend(self.cur.interface_worlds(*c));
            let spans =
                (Some(self.base.resolve.interfaces[*b].span), Some(self.cur.resolve.interfaces[*c].span));
            self.emit(
                "interface-renamed",
                to.clone(),
                format!("interface `{from}` is now `{to}` (same types and functions)"),
                spans,
                (None, None),
                None,
                worlds,
            );
        }
        for b in &removed {
            let path = self.base.interface_path(*b);
            let span = self.base.resolve.interfaces[*b].span;
            self.emit(
                "interface-removed",
                path.clone(),
                format!("interface `{path}` was removed"),
                (Some(span), None),
                (None, None),
                None,
                self.base.interface_worlds(*b),
            );
        }
        for c in &added {
            let path = self.cur.interface_path(*c);
            let span = self.cur.resolve.interfaces[*c].span;
            self.emit(
                "interface-added",
                path.clone(),
                format!("interface `{path}` was added"),
                (None, Some(span)),
                (None, None),
                None,
                self.cur.interface_worlds(*c),
            );
        }
        for (b, c) in &pairs {
            self.interface(*b, *c);
        }
        self.emit_type_plan(plan);
    }

    /// Pairs the types that exist on one side only: the same name defined (not `use`d) in
    /// another interface of the main package is a move; the same definition in the same
    /// interface is a rename (plain definitions first, then `use` aliases, which may
    /// follow a renamed definition). Records every pair in `renamed_types`.
    pub(crate) fn plan_types(
        &mut self,
        pairs: &[(InterfaceId, InterfaceId)],
        removed_ifaces: &[InterfaceId],
        added_ifaces: &[InterfaceId],
        main: bool,
    ) -> TypePlan {
        let mut gone: Vec<TypeId> = Vec::new();
        let mut arrived: Vec<TypeId> = Vec::new();
        for (b, c) in pairs {
            let (base, cur) = (&self.base.resolve.interfaces[*b], &self.cur.resolve.interfaces[*c]);
            gone.extend(base.types.iter().filter(|(n, _)| !cur.types.contains_key(*n)).map(|(_, t)| *t));
            arrived.extend(cur.types.iter().filter(|(n, _)| !base.types.contains_key(*n)).map(|(_, t)| *t));
        }
        // Types of wholly removed or added interfaces may have moved.
        let removed_types: Vec<TypeId> = removed_ifaces
            .iter()
            .flat_map(|i| self.base.resolve.interfaces[*i].types.values().copied())
            .collect();
        let added_types: Vec<TypeId> = added_ifaces
            .iter()
            .flat_map(|i| self.cur.resolve.interfaces[*i].types.values().copied())
            .collect();
        gone.extend(&removed_types);
        arrived.extend(&added_types);

        let mut plan =
            TypePlan { moved: Vec::new(), renamed: Vec::new(), removed: Vec::new(), added: Vec::new() };
        if main {
            self.plan_moves_through_uses(pairs, &mut gone, &mut arrived, &mut plan);
        }
        for aliases in [false, true] {
            for b in gone.iter().copied().filter(|b| is_use(&self.base.resolve.types[*b].kind) == aliases) {
                let base_owner = self.base_owner_path(b);
                let name = self.base.resolve.types[b].name.clone();
                let moved = (main && !aliases)
                    .then(|| {
                        arrived.iter().position(|c| {
                            let def = &self.cur.resolve.types[*c];
                            def.name == name && !is_use(&def.kind) && self.cur_owner_path(*c) != base_owner
                        })
                    })
                    .flatten();
                if let Some(index) = moved {
                    let c = arrived.remove(index);
                    self.record_type_pair(b, c);
                    plan.moved.push((b, c));
                    continue;
                }
                let renamed = arrived.iter().position(|c| {
                    self.cur_owner_path(*c) == base_owner
                        && is_use(&self.cur.resolve.types[*c].kind) == aliases
                        && self.same_definition(b, *c)
                });
                if let Some(index) = renamed {
                    let c = arrived.remove(index);
                    self.record_type_pair(b, c);
                    plan.renamed.push((b, c));
                    continue;
                }
                if !removed_types.contains(&b) {
                    plan.removed.push(b);
                }
            }
        }
        plan.added = arrived.into_iter().filter(|c| !added_types.contains(c)).collect();
        plan
    }

    /// The usual way to move a type: the interface that `use`d it now defines it (or the
    /// other way round). The name exists in that interface on both sides, once as a `use`
    /// and once as a definition; the definition on the other side left or arrived.
    fn plan_moves_through_uses(
        &mut self,
        pairs: &[(InterfaceId, InterfaceId)],
        gone: &mut Vec<TypeId>,
        arrived: &mut Vec<TypeId>,
        plan: &mut TypePlan,
    ) {
        for (b, c) in pairs {
            let common: Vec<(String, TypeId, TypeId)> = self.base.resolve.interfaces[*b]
                .types
                .iter()
                .filter_map(|(n, bt)| {
                    self.cur.resolve.interfaces[*c].types.get(n).map(|ct| (n.clone(), *bt, *ct))
                })
                .collect();
            for (name, bt, ct) in common {
                let (base_kind, cur_kind) =
                    (&self.base.resolve.types[bt].kind, &self.cur.resolve.types[ct].kind);
                let named = |resolve: &wit_parser::Resolve, t: TypeId| {
                    resolve.types[t].name.as_deref() == Some(&name)
                };
                match (base_kind, cur_kind) {
                    // `use` before, definition now: the old definition left its interface.
                    (TypeDefKind::Type(Type::Id(source)), kind) if !is_use(kind) => {
                        if let Some(index) =
                            gone.iter().position(|g| g == source && named(self.base.resolve, *g))
                        {
                            let source = gone.remove(index);
                            self.record_type_pair(source, ct);
                            plan.moved.push((source, ct));
                            self.absorbed_uses.insert((bt, ct));
                        }
                    }
                    // Definition before, `use` now: the definition arrived elsewhere.
                    (kind, TypeDefKind::Type(Type::Id(target))) if !is_use(kind) => {
                        if let Some(index) =
                            arrived.iter().position(|a| a == target && named(self.cur.resolve, *a))
                        {
                            let target = arrived.remove(index);
                            self.record_type_pair(bt, target);
                            plan.moved.push((bt, target));
                            self.absorbed_uses.insert((bt, ct));
                        }
                    }
                    _ => {}
                }
            }
        }
    }

    fn record_type_pair(&mut self, b: TypeId, c: TypeId) {
        if let (Some(from), Some(to)) = (self.base.type_path(b), self.cur.type_path(c)) {
            self.renamed_types.insert(from, to);
        }
    }

    /// The path of the interface owning a baseline type, following interface renames.
    fn base_owner_path(&self, b: TypeId) -> Option<String> {
        match self.base.resolve.types[b].owner {
            TypeOwner::Interface(i) => {
                let path = self.base.interface_path(i);
                Some(self.renamed_interfaces.get(&path).cloned().unwrap_or(path))
            }
            _ => None,
        }
    }

    fn cur_owner_path(&self, c: TypeId) -> Option<String> {
        match self.cur.resolve.types[c].owner {
            TypeOwner::Interface(i) => Some(self.cur.interface_path(i)),
            _ => None,
        }
    }

    /// The current-side path a baseline named type is expected at: its own path, moved or
    /// renamed, or inside its renamed interface.
    pub(crate) fn base_type_key(&self, b: TypeId) -> Option<String> {
        let path = self.base.type_path(b)?;
        if let Some(to) = self.renamed_types.get(&path) {
            return Some(to.clone());
        }
        let def = &self.base.resolve.types[b];
        match (self.base_owner_path(b), &def.name, def.owner) {
            (Some(owner), Some(name), TypeOwner::Interface(_)) => Some(format!("{owner}.{name}")),
            _ => Some(path),
        }
    }

    /// Reports the types the plan paired up or left over.
    pub(crate) fn emit_type_plan(&mut self, plan: TypePlan) {
        for (b, c) in plan.moved {
            let (from, to) =
                (self.base.type_path(b).unwrap_or_default(), self.cur.type_path(c).unwrap_or_default());
            let same = self.same_definition(b, c);
            let spans = (Some(self.base.resolve.types[b].span), Some(self.cur.resolve.types[c].span));
            let (flow, worlds) = (self.type_flow(Some(b), Some(c)), self.type_worlds(Some(b), Some(c)));
            let changed = if same { "" } else { " and its definition changed" };
            self.emit(
                "type-moved",
                from.clone(),
                format!("type `{from}` moved to `{to}`{changed}"),
                spans,
                (None, None),
                flow,
                worlds,
            );
            if !same {
                self.type_definition(&to, b, c);
            }
        }
        for (b, c) in plan.renamed {
            let (from, to) =
                (self.base.type_path(b).unwrap_or_default(), self.cur.type_path(c).unwrap_or_default());
            let spans = (Some(self.base.resolve.types[b].span), Some(self.cur.resolve.types[c].span));
            let (flow, worlds) = (self.type_flow(Some(b), Some(c)), self.type_worlds(Some(b), Some(c)));
            self.emit(
                "type-renamed",
                to.clone(),
                format!("type `{from}` is now `{to}` (same definition)"),
                spans,
                (None, None),
                flow,
                worlds,
            );
        }
        for b in plan.removed {
            let path = self.base.type_path(b).unwrap_or_default();
            let span = self.base.resolve.types[b].span;
            let (flow, worlds) = (self.type_flow(Some(b), None), self.type_worlds(Some(b), None));
            self.emit(
                "type-removed",
                path.clone(),
                format!("type `{path}` was removed"),
                (Some(span), None),
                (None, None),
                flow,
                worlds,
            );
        }
        for c in plan.added {
            let path = self.cur.type_path(c).unwrap_or_default();
            let span = self.cur.resolve.types[c].span;
            let (flow, worlds) = (self.type_flow(None, Some(c)), self.type_worlds(None, Some(c)));
            self.emit(
                "type-added",
                path.clone(),
                format!("type `{path}` was added"),
                (None, Some(span)),
                (None, None),
                flow,
                worlds,
            );
        }
    }

    /// Diffs two versions of an interface: its docs, the types both have, its functions.
    pub(crate) fn interface(&mut self, b: InterfaceId, c: InterfaceId) {
        let base = self.base.resolve.interfaces[b].clone();
        let cur = self.cur.resolve.interfaces[c].clone();
        let path = self.cur.interface_path(c);
        self.docs_and_stability(
            &path,
            (&base.docs, &cur.docs),
            (&base.stability, &cur.stability),
            (base.span, cur.span),
            (Some(base.span), Some(cur.span)),
        );
        for (name, bt) in &base.types {
            if let Some(ct) = cur.types.get(name) {
                // A `use` that became the definition (or back) is reported as the move.
                if !self.absorbed_uses.contains(&(*bt, *ct)) {
                    self.type_definition(&format!("{path}.{name}"), *bt, *ct);
                }
            }
        }
        let mut worlds: BTreeSet<String> = self.base.interface_worlds(b);
        worlds.extend(self.cur.interface_worlds(c));
        let params = join_flows(self.base.uses.param_flow(b), self.cur.uses.param_flow(c));
        let exported = self.base.uses.exported.contains(&b) || self.cur.uses.exported.contains(&c);
        let scope = FunctionScope { path, params, worlds, exported, enclosing: (None, None) };
        let base_fns: Vec<Function> = base.functions.values().cloned().collect();
        let cur_fns: Vec<Function> = cur.functions.values().cloned().collect();
        self.functions(&scope, &base_fns, &cur_fns);
    }
}

/// Whether a type definition is a `use` of another named type.
fn is_use(kind: &TypeDefKind) -> bool {
    matches!(kind, TypeDefKind::Type(Type::Id(_)))
}
