//! TypeScript declarations of WIT interfaces, in the shapes the JavaScript bindings of
//! componentize-js (jco) give them: records are objects with lowerCamelCase fields (`option`
//! fields optional), enums are string unions, variants are `{ tag, val }` objects,
//! `option<T>` is `T | undefined`, `list<u8>` is a `Uint8Array`, tuples are arrays, and a
//! function returning `result<T, E>` returns `T` and throws an error whose `payload` is the
//! `E`.
//!
//! `jco types` does not run on Node 20, so every declaration file of this repository comes
//! from here, through `alga-contract types`: the typed packages
//! (`packages/extension-types/<version>/index.d.ts`, one per contract version, from that
//! version's WIT) and the sample extension's handler declarations (from the reference
//! host's world). Tests fail when a committed file differs from this output.

use anyhow::{Context, Result, bail};
use std::fmt::Write as _;
use std::path::Path;
use wit_parser::{
    Docs, Function, Handle, InterfaceId, PackageId, Resolve, Type, TypeDefKind, TypeId, TypeOwner, WorldId,
    WorldItem,
};

/// A WIT directory read for declarations: its resolve, its own package and the world chosen.
#[derive(Debug, Clone)]
pub struct LoadedWorld {
    /// Every package of the directory and its `deps/`.
    pub resolve: Resolve,
    /// The directory's own package (not one of its `deps/`).
    pub package: PackageId,
    /// The world selected.
    pub world: WorldId,
}

/// Reads the WIT package in `dir` (with its `deps/`) and selects world `world` of it (the
/// package's only world when `None`). Errors name the directory and, for a WIT file that
/// does not parse, the file and line.
pub fn load(dir: &Path, world: Option<&str>) -> Result<LoadedWorld> {
    if !dir.is_dir() {
        bail!("{} is not a directory of .wit files", dir.display());
    }
    let mut resolve = Resolve::default();
    let package = match resolve.push_dir(dir) {
        Ok((package, _)) => package,
        Err(err) => bail!("the WIT in {} does not parse:\n{}", dir.display(), resolve.render_error(&err)),
    };
    let world = resolve.select_world(&[package], world).with_context(|| {
        let names: Vec<&str> = resolve.packages[package].worlds.keys().map(String::as_str).collect();
        format!(
            "choosing the world of package {} in {} (its worlds: {})",
            resolve.packages[package].name,
            dir.display(),
            if names.is_empty() { "none".to_string() } else { names.join(", ") }
        )
    })?;
    Ok(LoadedWorld { resolve, package, world })
}

/// The header of a declarations file of `loaded`, generated from `source` (a path as the
/// reader should see it, e.g. `compat/0.2.0/wit`).
pub fn header(loaded: &LoadedWorld, source: &str) -> String {
    let package = &loaded.resolve.packages[loaded.package].name;
    let world = &loaded.resolve.worlds[loaded.world].name;
    let version = package.version.as_ref().map(|v| format!("@{v}")).unwrap_or_default();
    format!(
        "TypeScript declarations of world `{}:{}/{world}{version}`, in the shapes of the
componentize-js bindings. Generated from {source} by `alga-contract types`: do not edit.",
        package.namespace, package.name
    )
}

/// Which of a world's interfaces get declarations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Only the interfaces of the world's own package: a package of declarations for the
    /// contract, or the handler of a host's world whose contract declarations come from the
    /// contract's package.
    OwnPackage,
    /// Every interface the world imports or exports, its `deps/` included.
    Everything,
}

/// The declarations of the interfaces world `loaded.world` imports or exports (those of
/// `scope`), after a header of `//` comment lines.
pub fn declarations(loaded: &LoadedWorld, header: &str, scope: Scope) -> Result<String> {
    let resolve = &loaded.resolve;
    let mut out = String::new();
    for line in header.lines() {
        if line.is_empty() {
            out.push_str("//\n");
        } else {
            writeln!(out, "// {line}").unwrap();
        }
    }
    let world = &resolve.worlds[loaded.world];
    let imports = world.imports.values().map(|item| (item, false));
    let exports = world.exports.values().map(|item| (item, true));
    for (item, exported) in imports.chain(exports) {
        if let WorldItem::Interface { id, .. } = item {
            if scope == Scope::OwnPackage && resolve.interfaces[*id].package != Some(loaded.package) {
                continue;
            }
            out.push('\n');
            interface(&mut out, resolve, *id, exported)?;
        }
    }
    Ok(out)
}

/// `list-clients` -> `listClients`: the JavaScript name of a WIT name.
pub fn lower_camel(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut upper = false;
    for c in name.chars() {
        if c == '-' {
            upper = true;
        } else if upper {
            out.push(c.to_ascii_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

fn module_name(resolve: &Resolve, id: InterfaceId) -> String {
    resolve.id_of(id).expect("named interfaces only")
}

fn interface(out: &mut String, resolve: &Resolve, id: InterfaceId, exported: bool) -> Result<()> {
    let iface = &resolve.interfaces[id];
    docs(out, "", &iface.docs);
    writeln!(out, "declare module '{}' {{", module_name(resolve, id)).unwrap();
    for (name, type_id) in &iface.types {
        let def = &resolve.types[*type_id];
        match (&def.kind, def.owner) {
            // `use other.{x}`: an alias of a type owned by another interface.
            (TypeDefKind::Type(Type::Id(target)), _) if owner(resolve, *target) != Some(id) => {
                let from = owner(resolve, *target).expect("used types belong to an interface");
                writeln!(
                    out,
                    "  export type {} = import('{}').{};",
                    pascal(name),
                    module_name(resolve, from),
                    pascal(resolve.types[*target].name.as_deref().expect("named"))
                )
                .unwrap();
            }
            _ => type_definition(out, resolve, name, *type_id)?,
        }
    }
    if exported {
        writeln!(
            out,
            "  /** What the component implements for this export: export it as `{}`. */",
            lower_camel(iface.name.as_deref().unwrap_or("exports"))
        )
        .unwrap();
        writeln!(out, "  export interface Implementation {{").unwrap();
        for function in iface.functions.values() {
            function_declaration(out, resolve, function, "    ", "")?;
        }
        writeln!(out, "  }}").unwrap();
    } else {
        for function in iface.functions.values() {
            function_declaration(out, resolve, function, "  ", "export function ")?;
        }
    }
    writeln!(out, "}}").unwrap();
    Ok(())
}

fn owner(resolve: &Resolve, id: TypeId) -> Option<InterfaceId> {
    match resolve.types[id].owner {
        TypeOwner::Interface(iface) => Some(iface),
        _ => None,
    }
}

fn type_definition(out: &mut String, resolve: &Resolve, name: &str, id: TypeId) -> Result<()> {
    let def = &resolve.types[id];
    docs(out, "  ", &def.docs);
    let ts_name = pascal(name);
    match &def.kind {
        TypeDefKind::Record(record) => {
            writeln!(out, "  export interface {ts_name} {{").unwrap();
            for field in &record.fields {
                docs(out, "    ", &field.docs);
                match field.ty {
                    Type::Id(inner) if matches!(resolve.types[inner].kind, TypeDefKind::Option(_)) => {
                        let TypeDefKind::Option(payload) = &resolve.types[inner].kind else { unreachable!() };
                        writeln!(out, "    {}?: {};", lower_camel(&field.name), ts_type(resolve, payload)?)
                            .unwrap();
                    }
                    ty => writeln!(out, "    {}: {};", lower_camel(&field.name), ts_type(resolve, &ty)?)
                        .unwrap(),
                }
            }
            writeln!(out, "  }}").unwrap();
        }
        TypeDefKind::Enum(e) => {
            let cases: Vec<String> = e.cases.iter().map(|c| format!("'{}'", c.name)).collect();
            writeln!(out, "  export type {ts_name} = {};", cases.join(" | ")).unwrap();
        }
        TypeDefKind::Variant(variant) => {
            let names: Vec<String> =
                variant.cases.iter().map(|c| format!("{ts_name}{}", pascal(&c.name))).collect();
            writeln!(out, "  export type {ts_name} = {};", names.join(" | ")).unwrap();
            for (case, case_name) in variant.cases.iter().zip(&names) {
                docs(out, "  ", &case.docs);
                match &case.ty {
                    Some(ty) => writeln!(
                        out,
                        "  export interface {case_name} {{ tag: '{}'; val: {} }}",
                        case.name,
                        ts_type(resolve, ty)?
                    )
                    .unwrap(),
                    None => {
                        writeln!(out, "  export interface {case_name} {{ tag: '{}' }}", case.name).unwrap()
                    }
                }
            }
        }
        TypeDefKind::Type(ty) => {
            writeln!(out, "  export type {ts_name} = {};", ts_type(resolve, ty)?).unwrap()
        }
        other => bail!("no TypeScript form for a type definition of kind {other:?} (`{name}`)"),
    }
    Ok(())
}

fn function_declaration(
    out: &mut String,
    resolve: &Resolve,
    function: &Function,
    indent: &str,
    prefix: &str,
) -> Result<()> {
    docs(out, indent, &function.docs);
    let params: Vec<String> = function
        .params
        .iter()
        .map(|param| Ok(format!("{}: {}", lower_camel(&param.name), ts_type(resolve, &param.ty)?)))
        .collect::<Result<_>>()?;
    let result = match &function.result {
        None => "void".to_string(),
        Some(Type::Id(id)) => match &resolve.types[*id].kind {
            TypeDefKind::Result(result) => {
                let thrown = match &result.err {
                    Some(t) => format!("the `{}`", ts_type(resolve, t)?),
                    None => "undefined".into(),
                };
                writeln!(out, "{indent}/** @throws an error whose `payload` is {thrown} */").unwrap();
                match &result.ok {
                    Some(t) => ts_type(resolve, t)?,
                    None => "void".into(),
                }
            }
            _ => ts_type(resolve, &Type::Id(*id))?,
        },
        Some(ty) => ts_type(resolve, ty)?,
    };
    writeln!(out, "{indent}{prefix}{}({}): {result};", lower_camel(&function.name), params.join(", "))
        .unwrap();
    Ok(())
}

fn ts_type(resolve: &Resolve, ty: &Type) -> Result<String> {
    Ok(match ty {
        Type::Bool => "boolean".into(),
        Type::U8 | Type::S8 | Type::U16 | Type::S16 | Type::U32 | Type::S32 | Type::F32 | Type::F64 => {
            "number".into()
        }
        Type::U64 | Type::S64 => "bigint".into(),
        Type::Char | Type::String => "string".into(),
        Type::Id(id) => {
            let def = &resolve.types[*id];
            if let Some(name) = &def.name {
                return Ok(pascal(name));
            }
            match &def.kind {
                TypeDefKind::List(Type::U8) => "Uint8Array".into(),
                TypeDefKind::List(inner) => format!("Array<{}>", ts_type(resolve, inner)?),
                TypeDefKind::Option(inner) => format!("{} | undefined", ts_type(resolve, inner)?),
                TypeDefKind::Tuple(tuple) => {
                    let types =
                        tuple.types.iter().map(|t| ts_type(resolve, t)).collect::<Result<Vec<_>>>()?;
                    format!("[{}]", types.join(", "))
                }
                TypeDefKind::Type(inner) => ts_type(resolve, inner)?,
                TypeDefKind::Handle(Handle::Own(_) | Handle::Borrow(_)) => {
                    bail!("resources have no TypeScript form here (the contract has none)")
                }
                other => bail!("no TypeScript form for an anonymous {other:?}"),
            }
        }
        other => bail!("no TypeScript form for {other:?}"),
    })
}

fn docs(out: &mut String, indent: &str, docs: &Docs) {
    let Some(text) = &docs.contents else { return };
    writeln!(out, "{indent}/**").unwrap();
    for line in text.trim_end().lines() {
        let line = line.replace("*/", "*\\/");
        if line.is_empty() {
            writeln!(out, "{indent} *").unwrap();
        } else {
            writeln!(out, "{indent} * {line}").unwrap();
        }
    }
    writeln!(out, "{indent} */").unwrap();
}

/// `client-summary` -> `ClientSummary`.
fn pascal(name: &str) -> String {
    let camel = lower_camel(name);
    let mut chars = camel.chars();
    match chars.next() {
        Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
        None => String::new(),
    }
}
