//! Where each item of one version is used: which worlds import or export an interface,
//! which way the values of a type flow, and which dependency packages matter.
//!
//! A type counts as used only when a function of some world carries it (directly or
//! inside another type), because only then is it part of a component's type: that is
//! also exactly what `semver_check` sees.

use crate::gate::finding::Flow;
use std::collections::{BTreeSet, HashMap, HashSet};
use wit_parser::{
    Function, Handle, InterfaceId, PackageId, Resolve, Type, TypeDefKind, TypeId, TypeOwner, WorldItem,
};

/// The uses of the items of one resolved package.
#[derive(Debug, Default)]
pub(crate) struct Uses {
    /// Worlds (of the main package) importing or exporting each interface.
    pub interface_worlds: HashMap<InterfaceId, BTreeSet<String>>,
    /// Interfaces some world exports (adding a function to them breaks their exporters).
    pub exported: HashSet<InterfaceId>,
    /// Interfaces some world imports.
    pub imported: HashSet<InterfaceId>,
    /// Flow and worlds of every type carried by a world's functions.
    pub types: HashMap<TypeId, (Flow, BTreeSet<String>)>,
    /// Dependency interfaces the main package uses (through worlds or `use`).
    pub reachable_interfaces: HashSet<InterfaceId>,
    /// Packages the main package uses, itself included.
    pub reachable_packages: HashSet<PackageId>,
}

impl Uses {
    /// Computes the uses of the items of package `main` in `resolve`.
    pub fn of(resolve: &Resolve, main: PackageId) -> Uses {
        let mut uses = Uses::default();
        uses.reachable_packages.insert(main);
        let mut visited = HashSet::new();
        for world_id in resolve.packages[main].worlds.values() {
            let world = &resolve.worlds[*world_id];
            for (items, imported) in [(&world.imports, true), (&world.exports, false)] {
                // Parameters of an imported function are sent by the guest.
                let params = if imported { Flow::GuestSends } else { Flow::HostReturns };
                for item in items.values() {
                    match item {
                        WorldItem::Interface { id, .. } => {
                            uses.interface_worlds.entry(*id).or_default().insert(world.name.clone());
                            if imported {
                                uses.imported.insert(*id);
                            } else {
                                uses.exported.insert(*id);
                            }
                            uses.reachable_interfaces.insert(*id);
                            for func in resolve.interfaces[*id].functions.values() {
                                uses.function(resolve, func, params, &world.name, &mut visited);
                            }
                        }
                        WorldItem::Function(func) => {
                            uses.function(resolve, func, params, &world.name, &mut visited)
                        }
                        WorldItem::Type { .. } => {}
                    }
                }
            }
        }
        // Interfaces of the main package reach into dependencies through `use`.
        for iface in resolve.packages[main].interfaces.values() {
            for ty in resolve.interfaces[*iface].types.values() {
                if let TypeDefKind::Type(Type::Id(target)) = resolve.types[*ty].kind
                    && let TypeOwner::Interface(owner) = resolve.types[target].owner
                {
                    uses.reachable_interfaces.insert(owner);
                }
            }
        }
        for ty in uses.types.keys() {
            if let TypeOwner::Interface(owner) = resolve.types[*ty].owner {
                uses.reachable_interfaces.insert(owner);
            }
        }
        for iface in &uses.reachable_interfaces {
            if let Some(package) = resolve.interfaces[*iface].package {
                uses.reachable_packages.insert(package);
            }
        }
        uses
    }

    fn function(
        &mut self,
        resolve: &Resolve,
        func: &Function,
        params: Flow,
        world: &str,
        visited: &mut HashSet<(TypeId, Flow, String)>,
    ) {
        for param in &func.params {
            self.walk(resolve, &param.ty, params, world, visited);
        }
        if let Some(result) = &func.result {
            self.walk(resolve, result, params.reversed(), world, visited);
        }
    }

    fn walk(
        &mut self,
        resolve: &Resolve,
        ty: &Type,
        flow: Flow,
        world: &str,
        visited: &mut HashSet<(TypeId, Flow, String)>,
    ) {
        let Type::Id(id) = ty else { return };
        if !visited.insert((*id, flow, world.to_string())) {
            return;
        }
        let entry = self.types.entry(*id).or_insert_with(|| (flow, BTreeSet::new()));
        entry.0 = entry.0.join(flow);
        entry.1.insert(world.to_string());
        let mut inner = |ty: &Type| self.walk(resolve, ty, flow, world, visited);
        match &resolve.types[*id].kind {
            TypeDefKind::Record(record) => record.fields.iter().for_each(|f| inner(&f.ty)),
            TypeDefKind::Variant(variant) => {
                variant.cases.iter().filter_map(|c| c.ty.as_ref()).for_each(inner)
            }
            TypeDefKind::Tuple(tuple) => tuple.types.iter().for_each(inner),
            TypeDefKind::Option(t) | TypeDefKind::List(t) | TypeDefKind::Type(t) => inner(t),
            TypeDefKind::FixedLengthList(t, _) => inner(t),
            TypeDefKind::Map(k, v) => {
                inner(k);
                inner(v);
            }
            TypeDefKind::Result(result) => result.ok.iter().chain(result.err.iter()).for_each(inner),
            TypeDefKind::Future(t) | TypeDefKind::Stream(t) => t.iter().for_each(inner),
            TypeDefKind::Handle(Handle::Own(r) | Handle::Borrow(r)) => inner(&Type::Id(*r)),
            TypeDefKind::Resource | TypeDefKind::Flags(_) | TypeDefKind::Enum(_) | TypeDefKind::Unknown => {}
        }
    }

    /// The param flow of functions of `iface`: what the caller of its functions sends.
    pub fn param_flow(&self, iface: InterfaceId) -> Option<Flow> {
        match (self.imported.contains(&iface), self.exported.contains(&iface)) {
            (true, true) => Some(Flow::Both),
            (true, false) => Some(Flow::GuestSends),
            (false, true) => Some(Flow::HostReturns),
            (false, false) => None,
        }
    }
}
