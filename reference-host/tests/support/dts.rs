//! Generates TypeScript declarations for the interfaces of a WIT world, in the shapes the
//! JavaScript bindings of componentize-js (jco) give them: records are objects with
//! lowerCamelCase fields (`option` fields optional), enums are string unions, variants are
//! `{ tag, val }` objects, `option<T>` is `T | undefined`, `list<u8>` is a `Uint8Array`,
//! tuples are arrays, and a function returning `result<T, E>` returns `T` and throws an
//! error whose `payload` is the `E`.
//!
//! `jco types` does not run on Node 20, so the sample extension's declarations come from
//! here; `tests/sample_types.rs` fails when the committed file differs from this output.

use alga_extension_contract::host::dynamic::lower_camel;
use std::fmt::Write as _;
use wit_parser::{
    Docs, Function, Handle, InterfaceId, Resolve, Type, TypeDefKind, TypeId, TypeOwner, WorldId, WorldItem,
};

/// The declarations of every interface world `world` imports or exports.
pub fn world_declarations(resolve: &Resolve, world: WorldId, header: &str) -> String {
    let mut out = String::new();
    for line in header.lines() {
        writeln!(out, "// {line}").unwrap();
    }
    let world = &resolve.worlds[world];
    let imports = world.imports.values().map(|item| (item, false));
    let exports = world.exports.values().map(|item| (item, true));
    for (item, exported) in imports.chain(exports) {
        if let WorldItem::Interface { id, .. } = item {
            out.push('\n');
            interface(&mut out, resolve, *id, exported);
        }
    }
    out
}

fn module_name(resolve: &Resolve, id: InterfaceId) -> String {
    resolve.id_of(id).expect("named interfaces only")
}

fn interface(out: &mut String, resolve: &Resolve, id: InterfaceId, exported: bool) {
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
            _ => type_definition(out, resolve, name, *type_id),
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
            function_declaration(out, resolve, function, "    ", "");
        }
        writeln!(out, "  }}").unwrap();
    } else {
        for function in iface.functions.values() {
            function_declaration(out, resolve, function, "  ", "export function ");
        }
    }
    writeln!(out, "}}").unwrap();
}

fn owner(resolve: &Resolve, id: TypeId) -> Option<InterfaceId> {
    match resolve.types[id].owner {
        TypeOwner::Interface(iface) => Some(iface),
        _ => None,
    }
}

fn type_definition(out: &mut String, resolve: &Resolve, name: &str, id: TypeId) {
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
                        writeln!(out, "    {}?: {};", lower_camel(&field.name), ts_type(resolve, payload))
                            .unwrap();
                    }
                    ty => {
                        writeln!(out, "    {}: {};", lower_camel(&field.name), ts_type(resolve, &ty)).unwrap()
                    }
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
                        ts_type(resolve, ty)
                    )
                    .unwrap(),
                    None => {
                        writeln!(out, "  export interface {case_name} {{ tag: '{}' }}", case.name).unwrap()
                    }
                }
            }
        }
        TypeDefKind::Type(ty) => {
            writeln!(out, "  export type {ts_name} = {};", ts_type(resolve, ty)).unwrap()
        }
        other => panic!("no TypeScript form for a type definition of kind {other:?} (`{name}`)"),
    }
}

fn function_declaration(
    out: &mut String,
    resolve: &Resolve,
    function: &Function,
    indent: &str,
    prefix: &str,
) {
    docs(out, indent, &function.docs);
    let params: Vec<String> = function
        .params
        .iter()
        .map(|param| format!("{}: {}", lower_camel(&param.name), ts_type(resolve, &param.ty)))
        .collect();
    let result = match &function.result {
        None => "void".to_string(),
        Some(Type::Id(id)) => match &resolve.types[*id].kind {
            TypeDefKind::Result(result) => {
                writeln!(
                    out,
                    "{indent}/** @throws an error whose `payload` is {} */",
                    result
                        .err
                        .as_ref()
                        .map(|t| format!("the `{}`", ts_type(resolve, t)))
                        .unwrap_or("undefined".into())
                )
                .unwrap();
                result.ok.as_ref().map(|t| ts_type(resolve, t)).unwrap_or("void".into())
            }
            _ => ts_type(resolve, &Type::Id(*id)),
        },
        Some(ty) => ts_type(resolve, ty),
    };
    writeln!(out, "{indent}{prefix}{}({}): {result};", lower_camel(&function.name), params.join(", "))
        .unwrap();
}

fn ts_type(resolve: &Resolve, ty: &Type) -> String {
    match ty {
        Type::Bool => "boolean".into(),
        Type::U8 | Type::S8 | Type::U16 | Type::S16 | Type::U32 | Type::S32 | Type::F32 | Type::F64 => {
            "number".into()
        }
        Type::U64 | Type::S64 => "bigint".into(),
        Type::Char | Type::String => "string".into(),
        Type::Id(id) => {
            let def = &resolve.types[*id];
            if let Some(name) = &def.name {
                return pascal(name);
            }
            match &def.kind {
                TypeDefKind::List(Type::U8) => "Uint8Array".into(),
                TypeDefKind::List(inner) => format!("Array<{}>", ts_type(resolve, inner)),
                TypeDefKind::Option(inner) => format!("{} | undefined", ts_type(resolve, inner)),
                TypeDefKind::Tuple(tuple) => {
                    let types: Vec<String> = tuple.types.iter().map(|t| ts_type(resolve, t)).collect();
                    format!("[{}]", types.join(", "))
                }
                TypeDefKind::Type(inner) => ts_type(resolve, inner),
                TypeDefKind::Handle(Handle::Own(_) | Handle::Borrow(_)) => {
                    panic!("resources are not supported")
                }
                other => panic!("no TypeScript form for an anonymous {other:?}"),
            }
        }
        other => panic!("no TypeScript form for {other:?}"),
    }
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
