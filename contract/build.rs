//! Generates Rust code from the WIT, so that the WIT stays the only hand-written
//! description of the contract's shapes:
//!
//! - `wit_files.rs`: the WIT sources in `wit/` embedded as strings (`include_str!` of every
//!   `.wit` file, sorted by name) and the package name/version read from them;
//! - `types.rs`: a serde type for every record, enum and variant of interface `types`,
//!   serialising to the camelCase JSON that extension authors see;
//! - `host_conversions.rs` (feature `host`): `From` conversions between those serde types
//!   and the types `wasmtime::component::bindgen!` generates for the same WIT;
//!
//! and, for every older track the crate still serves ([`OLDER_TRACKS`], each from its frozen
//! release under `compat/`), the same three files prefixed with the track's module name
//! (`v0_1_wit_files.rs`, ...) plus `v0_1_track_conversions.rs`: `From` conversions between
//! the newest serde types and the track's, in the direction the data flows through the
//! track's functions (what its guests send: old to new; what hosts return: new to old).
//! Conversions go field by field and case by case by WIT name; a field the newest contract
//! added to an input is `none` for an old guest, one it added to a result is left out. A
//! change that cannot be converted that way (a field removed from a result, a new enum case
//! returned to old guests, a new input field that is not an `option`) stops the build with a
//! message naming it: such a release needs its conversion written by hand.
//!
//! A WIT file that does not parse stops the build with the parser's message, which names
//! the file and line.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use wit_parser::{Docs, InterfaceId, PackageName, Resolve, Type, TypeDefKind, TypeId, WorldId, WorldItem};

/// An older contract track the crate serves next to the newest: the module its code lives
/// in (`crate::v0_1`, `crate::host::v0_1`) and the directory of its newest release's frozen
/// WIT (a link to `compat/<version>/wit`, so that the published crate carries the files).
/// A breaking release adds the track it replaces here.
struct OlderTrack {
    module: &'static str,
    dir: &'static str,
}

const OLDER_TRACKS: &[OlderTrack] = &[OlderTrack { module: "v0_1", dir: "wit-0.1.0" }];

/// A parsed WIT package of the contract.
struct Contract {
    dir: PathBuf,
    files: Vec<PathBuf>,
    resolve: Resolve,
    name: PackageName,
    version: String,
    types: InterfaceId,
    reader: WorldId,
}

fn parse_contract(dir: &Path) -> Contract {
    let files = wit_files(dir);
    println!("cargo:rerun-if-changed={}", dir.display());
    for file in &files {
        println!("cargo:rerun-if-changed={}", file.display());
    }
    let mut resolve = Resolve::default();
    let pkg = match resolve.push_dir(dir) {
        Ok((pkg, _)) => pkg,
        Err(err) => {
            let rendered = resolve.render_error(&err);
            eprintln!("error: the contract's WIT in {} does not parse:\n{rendered}", dir.display());
            std::process::exit(1);
        }
    };
    let package = &resolve.packages[pkg];
    let name = package.name.clone();
    let version = name.version.as_ref().map(|v| v.to_string()).unwrap_or_else(|| {
        fail(&format!(
            "the WIT package in {} has no version (`package alga:extension@X.Y.Z;`)",
            dir.display()
        ))
    });
    let types =
        package.interfaces.get("types").copied().unwrap_or_else(|| {
            fail(&format!("the WIT package in {} has no interface `types`", dir.display()))
        });
    let reader = resolve.select_world(&[pkg], Some("reader")).unwrap_or_else(|err| {
        fail(&format!("the WIT package in {} has no world `reader`: {err}", dir.display()))
    });
    Contract { dir: dir.to_path_buf(), files, resolve, name, version, types, reader }
}

fn main() {
    let manifest_dir = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let out_dir = PathBuf::from(std::env::var("OUT_DIR").expect("set by cargo"));

    let newest = parse_contract(&manifest_dir.join("wit"));
    write(&out_dir.join("wit_files.rs"), &gen_wit_files(&newest, "wit/"));
    let type_ids: Vec<TypeId> = newest.resolve.interfaces[newest.types].types.values().copied().collect();
    let generator = Generator { resolve: &newest.resolve };
    write(&out_dir.join("types.rs"), &generator.types(&type_ids));
    write(
        &out_dir.join("host_conversions.rs"),
        &generator.conversions(&type_ids, "crate::types", "crate::host::bindings::types"),
    );

    for track in OLDER_TRACKS {
        let old = parse_contract(&manifest_dir.join(track.dir));
        let track_of = |c: &Contract| {
            PackageName::version_compat_track_string(c.name.version.as_ref().expect("checked when parsed")).0
        };
        if track_of(&old) == track_of(&newest) {
            fail(&format!(
                "{} holds {}, on the same semver track as the newest contract {}: a track the linker \
                 already matches needs no module of its own; remove it from OLDER_TRACKS",
                track.dir, old.version, newest.version
            ));
        }
        let module = track.module;
        let label = format!("{}/ (compat/{}/wit)", track.dir, old.version);
        write(&out_dir.join(format!("{module}_wit_files.rs")), &gen_wit_files(&old, &label));
        let ids: Vec<TypeId> = old.resolve.interfaces[old.types].types.values().copied().collect();
        let generator = Generator { resolve: &old.resolve };
        write(&out_dir.join(format!("{module}_types.rs")), &generator.types(&ids));
        write(
            &out_dir.join(format!("{module}_host_conversions.rs")),
            &generator.conversions(
                &ids,
                &format!("crate::{module}::types"),
                &format!("crate::host::{module}::bindings::types"),
            ),
        );
        let tracks = TrackConversions { newest: &newest, old: &old, module };
        let code = tracks.generate().unwrap_or_else(|err| {
            fail(&format!(
                "the contract {} cannot serve guests of {} ({}) by converting values field by field: {err}",
                newest.version,
                old.version,
                old.dir.display()
            ))
        });
        write(&out_dir.join(format!("{module}_track_conversions.rs")), &code);
    }
}

fn fail(msg: &str) -> ! {
    eprintln!("error: {msg}");
    std::process::exit(1);
}

fn write(path: &Path, contents: &str) {
    std::fs::write(path, contents).unwrap_or_else(|e| fail(&format!("writing {}: {e}", path.display())));
}

/// The `.wit` files directly in `dir`, sorted by name.
fn wit_files(dir: &Path) -> Vec<PathBuf> {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| fail(&format!("reading {}: {e}", dir.display())));
    let mut files: Vec<PathBuf> = entries
        .map(|e| e.unwrap_or_else(|e| fail(&format!("reading {}: {e}", dir.display()))).path())
        .filter(|p| p.extension().is_some_and(|ext| ext == "wit"))
        .collect();
    files.sort();
    files
}

fn gen_wit_files(contract: &Contract, label: &str) -> String {
    let name = &contract.name;
    let version = &contract.version;
    let mut out = String::new();
    writeln!(out, "/// Namespace and name of the WIT package: `{}:{}`.", name.namespace, name.name).unwrap();
    writeln!(out, "pub const WIT_PACKAGE_NAME: &str = {:?};", format!("{}:{}", name.namespace, name.name))
        .unwrap();
    writeln!(out, "/// Version declared by the WIT package in `{label}`.").unwrap();
    writeln!(out, "pub const WIT_PACKAGE_VERSION: &str = {version:?};").unwrap();
    writeln!(out, "/// Every `.wit` file of `{label}`, sorted by file name.").unwrap();
    writeln!(out, "pub const WIT_FILES: &[WitFile] = &[").unwrap();
    for file in &contract.files {
        let name = file.file_name().unwrap().to_string_lossy();
        writeln!(
            out,
            "    WitFile {{ name: {name:?}, source: include_str!({:?}) }},",
            file.display().to_string()
        )
        .unwrap();
    }
    writeln!(out, "];").unwrap();
    out
}

/// Turns `client-list-input` into `ClientListInput`.
fn upper_camel(name: &str) -> String {
    name.split('-')
        .map(|part| {
            let mut chars = part.chars();
            match chars.next() {
                Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
                None => String::new(),
            }
        })
        .collect()
}

/// Turns `client-id` into `clientId` (the JSON key extension authors see).
fn lower_camel(name: &str) -> String {
    let upper = upper_camel(name);
    let mut chars = upper.chars();
    match chars.next() {
        Some(first) => first.to_ascii_lowercase().to_string() + chars.as_str(),
        None => String::new(),
    }
}

/// Turns `client-id` into `client_id` (a Rust field name).
fn snake(name: &str) -> String {
    let s = name.replace('-', "_");
    if matches!(s.as_str(), "type" | "match" | "use" | "ref" | "mod" | "move" | "fn" | "impl") {
        format!("r#{s}")
    } else {
        s
    }
}

fn doc_attrs(docs: &Docs, indent: &str) -> String {
    let mut out = String::new();
    if let Some(contents) = &docs.contents {
        for line in contents.lines() {
            writeln!(out, "{indent}#[doc = {:?}]", format!(" {line}")).unwrap();
        }
    }
    out
}

struct Generator<'a> {
    resolve: &'a Resolve,
}

impl Generator<'_> {
    fn type_name(&self, id: TypeId) -> String {
        let def = &self.resolve.types[id];
        match (&def.name, &def.kind) {
            (Some(name), _) => upper_camel(name),
            (None, _) => self.anonymous(id),
        }
    }

    fn anonymous(&self, id: TypeId) -> String {
        match &self.resolve.types[id].kind {
            TypeDefKind::Option(t) => format!("Option<{}>", self.rust_type(t)),
            TypeDefKind::List(t) => format!("Vec<{}>", self.rust_type(t)),
            TypeDefKind::Tuple(t) => {
                let parts: Vec<String> = t.types.iter().map(|t| self.rust_type(t)).collect();
                format!("({},)", parts.join(", "))
            }
            TypeDefKind::Result(r) => format!(
                "Result<{}, {}>",
                r.ok.as_ref().map(|t| self.rust_type(t)).unwrap_or_else(|| "()".into()),
                r.err.as_ref().map(|t| self.rust_type(t)).unwrap_or_else(|| "()".into())
            ),
            TypeDefKind::Type(t) => self.rust_type(t),
            other => fail(&format!(
                "interface `types` uses a {} type, which the contract's code generator does not support",
                other.as_str()
            )),
        }
    }

    fn rust_type(&self, ty: &Type) -> String {
        match ty {
            Type::Bool => "bool".into(),
            Type::U8 => "u8".into(),
            Type::U16 => "u16".into(),
            Type::U32 => "u32".into(),
            Type::U64 => "u64".into(),
            Type::S8 => "i8".into(),
            Type::S16 => "i16".into(),
            Type::S32 => "i32".into(),
            Type::S64 => "i64".into(),
            Type::F32 => "f32".into(),
            Type::F64 => "f64".into(),
            Type::Char => "char".into(),
            Type::String => "String".into(),
            Type::Id(id) => self.type_name(*id),
            Type::ErrorContext => fail("`error-context` is not supported in interface `types`"),
        }
    }

    /// Whether values of `ty` can be compared with `Eq`/`Hash` (no floats inside).
    fn is_eq(&self, ty: &Type) -> bool {
        match ty {
            Type::F32 | Type::F64 => false,
            Type::Id(id) => match &self.resolve.types[*id].kind {
                TypeDefKind::Record(r) => r.fields.iter().all(|f| self.is_eq(&f.ty)),
                TypeDefKind::Variant(v) => {
                    v.cases.iter().all(|c| c.ty.as_ref().is_none_or(|t| self.is_eq(t)))
                }
                TypeDefKind::Option(t) | TypeDefKind::List(t) | TypeDefKind::Type(t) => self.is_eq(t),
                TypeDefKind::Tuple(t) => t.types.iter().all(|t| self.is_eq(t)),
                TypeDefKind::Result(r) => {
                    r.ok.as_ref().is_none_or(|t| self.is_eq(t))
                        && r.err.as_ref().is_none_or(|t| self.is_eq(t))
                }
                _ => true,
            },
            _ => true,
        }
    }

    /// Whether `ty` has a natural `Default` (enums and variants do not).
    fn has_default(&self, ty: &Type) -> bool {
        match ty {
            Type::Id(id) => match &self.resolve.types[*id].kind {
                TypeDefKind::Record(r) => r.fields.iter().all(|f| self.has_default(&f.ty)),
                TypeDefKind::Option(_) | TypeDefKind::List(_) => true,
                TypeDefKind::Type(t) => self.has_default(t),
                TypeDefKind::Tuple(t) => t.types.iter().all(|t| self.has_default(t)),
                _ => false,
            },
            _ => true,
        }
    }

    fn is_option(&self, ty: &Type) -> bool {
        matches!(ty, Type::Id(id) if matches!(self.resolve.types[*id].kind, TypeDefKind::Option(_)))
    }

    fn types(&self, ids: &[TypeId]) -> String {
        let mut out = String::new();
        for &id in ids {
            let def = &self.resolve.types[id];
            let wit_name = def.name.as_deref().expect("interface types are named");
            let name = upper_camel(wit_name);
            let docs = doc_attrs(&def.docs, "");
            let self_ty = Type::Id(id);
            let mut derives = vec!["Debug", "Clone", "PartialEq"];
            if self.is_eq(&self_ty) {
                derives.extend(["Eq", "Hash"]);
            }
            match &def.kind {
                TypeDefKind::Record(record) => {
                    if self.has_default(&self_ty) {
                        derives.push("Default");
                    }
                    derives.extend(["serde::Serialize", "serde::Deserialize"]);
                    out += &docs;
                    writeln!(out, "#[doc = \"\"]\n#[doc = \" WIT: `record {wit_name}`.\"]").unwrap();
                    writeln!(out, "#[derive({})]", derives.join(", ")).unwrap();
                    writeln!(out, "#[serde(deny_unknown_fields)]").unwrap();
                    writeln!(out, "pub struct {name} {{").unwrap();
                    for field in &record.fields {
                        out += &doc_attrs(&field.docs, "    ");
                        let default = if self.is_option(&field.ty) { ", default" } else { "" };
                        writeln!(out, "    #[serde(rename = {:?}{default})]", lower_camel(&field.name))
                            .unwrap();
                        writeln!(out, "    pub {}: {},", snake(&field.name), self.rust_type(&field.ty))
                            .unwrap();
                    }
                    writeln!(out, "}}\n").unwrap();
                }
                TypeDefKind::Enum(e) => {
                    derives.extend(["Copy", "PartialOrd", "Ord", "serde::Serialize", "serde::Deserialize"]);
                    out += &docs;
                    writeln!(out, "#[doc = \"\"]\n#[doc = \" WIT: `enum {wit_name}`; JSON: the case name as a string.\"]").unwrap();
                    writeln!(out, "#[derive({})]", derives.join(", ")).unwrap();
                    writeln!(out, "pub enum {name} {{").unwrap();
                    for case in &e.cases {
                        out += &doc_attrs(&case.docs, "    ");
                        writeln!(out, "    #[serde(rename = {:?})]", case.name).unwrap();
                        writeln!(out, "    {},", upper_camel(&case.name)).unwrap();
                    }
                    writeln!(out, "}}\n").unwrap();
                    let cases: Vec<String> =
                        e.cases.iter().map(|c| format!("Self::{}", upper_camel(&c.name))).collect();
                    writeln!(out, "impl {name} {{").unwrap();
                    writeln!(out, "    /// Every case, in WIT declaration order.").unwrap();
                    writeln!(out, "    pub const ALL: &'static [Self] = &[{}];", cases.join(", ")).unwrap();
                    writeln!(out, "    /// The case's WIT name (also its JSON form and its database text).")
                        .unwrap();
                    writeln!(
                        out,
                        "    pub const fn wit_name(self) -> &'static str {{\n        match self {{"
                    )
                    .unwrap();
                    for case in &e.cases {
                        writeln!(out, "            Self::{} => {:?},", upper_camel(&case.name), case.name)
                            .unwrap();
                    }
                    writeln!(out, "        }}\n    }}").unwrap();
                    writeln!(out, "    /// The case whose WIT name is `name`, if any.").unwrap();
                    writeln!(out, "    pub fn from_wit_name(name: &str) -> Option<Self> {{").unwrap();
                    writeln!(
                        out,
                        "        Self::ALL.iter().copied().find(|case| case.wit_name() == name)\n    }}\n}}\n"
                    )
                    .unwrap();
                    writeln!(out, "impl std::fmt::Display for {name} {{").unwrap();
                    writeln!(
                        out,
                        "    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {{"
                    )
                    .unwrap();
                    writeln!(out, "        f.write_str(self.wit_name())\n    }}\n}}\n").unwrap();
                }
                TypeDefKind::Variant(v) => {
                    derives.extend(["serde::Serialize", "serde::Deserialize"]);
                    out += &docs;
                    writeln!(
                        out,
                        "#[doc = \"\"]\n#[doc = \" WIT: `variant {wit_name}`; JSON: `{{\\\"tag\\\": case, \\\"val\\\": payload}}` as in JavaScript bindings.\"]"
                    )
                    .unwrap();
                    writeln!(out, "#[derive({})]", derives.join(", ")).unwrap();
                    writeln!(out, "#[serde(tag = \"tag\", content = \"val\")]").unwrap();
                    writeln!(out, "pub enum {name} {{").unwrap();
                    for case in &v.cases {
                        out += &doc_attrs(&case.docs, "    ");
                        writeln!(out, "    #[serde(rename = {:?})]", case.name).unwrap();
                        match &case.ty {
                            Some(t) => {
                                writeln!(out, "    {}({}),", upper_camel(&case.name), self.rust_type(t))
                                    .unwrap()
                            }
                            None => writeln!(out, "    {},", upper_camel(&case.name)).unwrap(),
                        }
                    }
                    writeln!(out, "}}\n").unwrap();
                    writeln!(out, "impl {name} {{").unwrap();
                    writeln!(out, "    /// Every case's WIT name, in WIT declaration order.").unwrap();
                    let names: Vec<String> = v.cases.iter().map(|c| format!("{:?}", c.name)).collect();
                    writeln!(out, "    pub const CASES: &'static [&'static str] = &[{}];", names.join(", "))
                        .unwrap();
                    writeln!(out, "    /// The WIT name of this value's case.").unwrap();
                    writeln!(out, "    pub fn case_name(&self) -> &'static str {{\n        match self {{")
                        .unwrap();
                    for case in &v.cases {
                        let pat = if case.ty.is_some() { "(..)" } else { "" };
                        writeln!(
                            out,
                            "            Self::{}{pat} => {:?},",
                            upper_camel(&case.name),
                            case.name
                        )
                        .unwrap();
                    }
                    writeln!(out, "        }}\n    }}\n}}\n").unwrap();
                }
                TypeDefKind::Type(t) => {
                    out += &docs;
                    writeln!(out, "pub type {name} = {};\n", self.rust_type(t)).unwrap();
                }
                other => fail(&format!(
                    "interface `types` defines `{wit_name}` as a {}, which the contract's code generator does not support",
                    other.as_str()
                )),
            }
        }
        out
    }

    /// The expression converting `expr` of WIT type `ty` between the serde mirror and the
    /// bindgen type (both directions have the same shape, so one expression serves both).
    fn convert(&self, ty: &Type, expr: &str) -> String {
        match ty {
            Type::Id(id) => match &self.resolve.types[*id].kind {
                TypeDefKind::Option(t) => {
                    let inner = self.convert(t, "x");
                    if inner == "x" { expr.to_string() } else { format!("{expr}.map(|x| {inner})") }
                }
                TypeDefKind::List(t) => {
                    let inner = self.convert(t, "x");
                    if inner == "x" {
                        expr.to_string()
                    } else {
                        format!("{expr}.into_iter().map(|x| {inner}).collect()")
                    }
                }
                TypeDefKind::Type(t) => self.convert(t, expr),
                TypeDefKind::Record(_) | TypeDefKind::Enum(_) | TypeDefKind::Variant(_) => {
                    format!("{expr}.into()")
                }
                _ => expr.to_string(),
            },
            _ => expr.to_string(),
        }
    }

    /// `From` conversions both ways between the serde types at `serde_path` and the
    /// bindgen types at `bindgen_path` of the same WIT.
    fn conversions(&self, ids: &[TypeId], serde_path: &str, bindgen_path: &str) -> String {
        let mut out = String::new();
        let pairs = [(serde_path, bindgen_path), (bindgen_path, serde_path)];
        let mut seen = BTreeSet::new();
        for &id in ids {
            let def = &self.resolve.types[id];
            let name = upper_camel(def.name.as_deref().expect("interface types are named"));
            let convertible =
                matches!(def.kind, TypeDefKind::Record(_) | TypeDefKind::Enum(_) | TypeDefKind::Variant(_));
            if !convertible || !seen.insert(name.clone()) {
                continue;
            }
            for (from, to) in pairs {
                writeln!(out, "impl From<{from}::{name}> for {to}::{name} {{").unwrap();
                writeln!(out, "    fn from(value: {from}::{name}) -> Self {{").unwrap();
                match &def.kind {
                    TypeDefKind::Record(record) => {
                        writeln!(out, "        Self {{").unwrap();
                        for field in &record.fields {
                            let f = snake(&field.name);
                            writeln!(
                                out,
                                "            {f}: {},",
                                self.convert(&field.ty, &format!("value.{f}"))
                            )
                            .unwrap();
                        }
                        writeln!(out, "        }}").unwrap();
                    }
                    TypeDefKind::Enum(e) => {
                        writeln!(out, "        match value {{").unwrap();
                        for case in &e.cases {
                            let c = upper_camel(&case.name);
                            writeln!(out, "            {from}::{name}::{c} => Self::{c},").unwrap();
                        }
                        writeln!(out, "        }}").unwrap();
                    }
                    TypeDefKind::Variant(v) => {
                        writeln!(out, "        match value {{").unwrap();
                        for case in &v.cases {
                            let c = upper_camel(&case.name);
                            match &case.ty {
                                Some(t) => writeln!(
                                    out,
                                    "            {from}::{name}::{c}(payload) => Self::{c}({}),",
                                    self.convert(t, "payload")
                                )
                                .unwrap(),
                                None => {
                                    writeln!(out, "            {from}::{name}::{c} => Self::{c},").unwrap()
                                }
                            }
                        }
                        writeln!(out, "        }}").unwrap();
                    }
                    _ => unreachable!("only records, enums and variants are converted"),
                }
                writeln!(out, "    }}\n}}\n").unwrap();
            }
        }
        out
    }
}

/// Which way values of a type cross an older track's functions.
#[derive(Debug, Clone, Copy, Default)]
struct Flow {
    /// Guests of the old track send it (a parameter): converted old to new.
    sent: bool,
    /// Hosts return it to those guests (a result): converted new to old.
    returned: bool,
}

/// The conversions between the newest serde types (`crate::types`) and those of an older
/// track (`crate::<module>::types`).
struct TrackConversions<'a> {
    newest: &'a Contract,
    old: &'a Contract,
    module: &'a str,
}

/// One side of a conversion: a contract and the Rust path of its serde types.
#[derive(Clone, Copy)]
struct Side<'a> {
    contract: &'a Contract,
    path: &'a str,
}

impl Side<'_> {
    /// The type named `name` in interface `types`.
    fn named(&self, name: &str) -> Option<TypeId> {
        self.contract.resolve.interfaces[self.contract.types].types.get(name).copied()
    }

    fn kind(&self, id: TypeId) -> &TypeDefKind {
        &self.contract.resolve.types[id].kind
    }

    fn version(&self) -> &str {
        &self.contract.version
    }
}

impl TrackConversions<'_> {
    fn generate(&self) -> Result<String, String> {
        let old_path = format!("crate::{}::types", self.module);
        let newest = Side { contract: self.newest, path: "crate::types" };
        let old = Side { contract: self.old, path: &old_path };
        let flows = self.flows();
        let mut out = String::new();
        for (name, flow) in &flows {
            if flow.sent {
                out += &self.impl_from(name, old, newest, false)?;
            }
            if flow.returned {
                out += &self.impl_from(name, newest, old, true)?;
            }
        }
        Ok(out)
    }

    /// Every named type of interface `types` the old track's functions use, and which way
    /// its values flow (nested types flow with the type that holds them).
    fn flows(&self) -> BTreeMap<String, Flow> {
        let resolve = &self.old.resolve;
        let mut flows = BTreeMap::new();
        for item in resolve.worlds[self.old.reader].imports.values() {
            let WorldItem::Interface { id, .. } = item else { continue };
            for function in resolve.interfaces[*id].functions.values() {
                for param in &function.params {
                    self.mark(&param.ty, true, &mut flows);
                }
                if let Some(result) = &function.result {
                    self.mark(result, false, &mut flows);
                }
            }
        }
        flows
    }

    fn mark(&self, ty: &Type, sent: bool, flows: &mut BTreeMap<String, Flow>) {
        let Type::Id(id) = ty else { return };
        let def = &self.old.resolve.types[*id];
        let named = |flows: &mut BTreeMap<String, Flow>| {
            let flow =
                flows.entry(def.name.clone().expect("records, enums and variants are named")).or_default();
            let seen = if sent { flow.sent } else { flow.returned };
            if sent {
                flow.sent = true
            } else {
                flow.returned = true
            }
            !seen
        };
        // A record or variant met again in the same direction is not walked again.
        match &def.kind {
            TypeDefKind::Record(record) if named(flows) => {
                for field in &record.fields {
                    self.mark(&field.ty, sent, flows);
                }
            }
            TypeDefKind::Variant(variant) if named(flows) => {
                for case in &variant.cases {
                    if let Some(ty) = &case.ty {
                        self.mark(ty, sent, flows);
                    }
                }
            }
            TypeDefKind::Enum(_) => {
                named(flows);
            }
            TypeDefKind::Option(inner) | TypeDefKind::List(inner) | TypeDefKind::Type(inner) => {
                self.mark(inner, sent, flows)
            }
            TypeDefKind::Result(result) => {
                for ty in result.ok.iter().chain(&result.err) {
                    self.mark(ty, sent, flows);
                }
            }
            TypeDefKind::Tuple(tuple) => {
                for ty in &tuple.types {
                    self.mark(ty, sent, flows);
                }
            }
            _ => {}
        }
    }

    /// `impl From<from::Name> for to::Name`; `to_old` says the target is the older track
    /// (what a host returns to its guests).
    fn impl_from(&self, name: &str, from: Side<'_>, to: Side<'_>, to_old: bool) -> Result<String, String> {
        let missing = |side: Side<'_>| format!("type `{name}` does not exist in {}", side.version());
        let from_id = from.named(name).ok_or_else(|| missing(from))?;
        let to_id = to.named(name).ok_or_else(|| missing(to))?;
        let rust = upper_camel(name);
        let (source, target) = (format!("{}::{rust}", from.path), format!("{}::{rust}", to.path));
        let mut body = String::new();
        let mut doc = format!(
            "/// `{name}` from {} to {}: {}.",
            from.version(),
            to.version(),
            if to_old {
                "what a host returns to a guest of the older track"
            } else {
                "what a guest of the older track sends"
            }
        );
        match (from.kind(from_id), to.kind(to_id)) {
            (TypeDefKind::Record(a), TypeDefKind::Record(b)) => {
                let mut dropped = Vec::new();
                for field in &a.fields {
                    if !b.fields.iter().any(|f| f.name == field.name) {
                        if !to_old {
                            return Err(format!(
                                "field `{name}.{}` that {} guests send is gone in {}",
                                field.name,
                                from.version(),
                                to.version()
                            ));
                        }
                        dropped.push(format!("`{}`", field.name));
                    }
                }
                writeln!(body, "        Self {{").unwrap();
                for field in &b.fields {
                    let f = snake(&field.name);
                    let value = match a.fields.iter().find(|x| x.name == field.name) {
                        Some(source_field) => self
                            .convert(from, to, &source_field.ty, &field.ty, &format!("value.{f}"))
                            .map_err(|err| format!("field `{name}.{}`: {err}", field.name))?,
                        None if !to_old && is_option(&to.contract.resolve, &field.ty) => {
                            write!(doc, " `{}` is `none`.", field.name).unwrap();
                            "None".to_string()
                        }
                        None => {
                            return Err(format!(
                                "field `{name}.{}` of {} has no counterpart in {}{}",
                                field.name,
                                to.version(),
                                from.version(),
                                if to_old {
                                    " (a field guests of the older track read was removed)"
                                } else {
                                    " and is not an `option` (what would a guest that never heard of it send?)"
                                }
                            ));
                        }
                    };
                    writeln!(body, "            {f}: {value},").unwrap();
                }
                writeln!(body, "        }}").unwrap();
                if !dropped.is_empty() {
                    write!(doc, " Left out: {}.", dropped.join(", ")).unwrap();
                }
            }
            (TypeDefKind::Enum(a), TypeDefKind::Enum(b)) => {
                writeln!(body, "        match value {{").unwrap();
                for case in &a.cases {
                    if !b.cases.iter().any(|c| c.name == case.name) {
                        return Err(format!(
                            "enum case `{name}.{}` of {} does not exist in {}",
                            case.name,
                            from.version(),
                            to.version()
                        ));
                    }
                    let c = upper_camel(&case.name);
                    writeln!(body, "            {source}::{c} => Self::{c},").unwrap();
                }
                writeln!(body, "        }}").unwrap();
            }
            (TypeDefKind::Variant(a), TypeDefKind::Variant(b)) => {
                writeln!(body, "        match value {{").unwrap();
                for case in &a.cases {
                    let other = b.cases.iter().find(|c| c.name == case.name).ok_or_else(|| {
                        format!(
                            "variant case `{name}.{}` of {} does not exist in {}",
                            case.name,
                            from.version(),
                            to.version()
                        )
                    })?;
                    let c = upper_camel(&case.name);
                    match (&case.ty, &other.ty) {
                        (None, None) => writeln!(body, "            {source}::{c} => Self::{c},").unwrap(),
                        (Some(x), Some(y)) => {
                            let payload = self
                                .convert(from, to, x, y, "payload")
                                .map_err(|err| format!("variant case `{name}.{}`: {err}", case.name))?;
                            writeln!(body, "            {source}::{c}(payload) => Self::{c}({payload}),")
                                .unwrap()
                        }
                        _ => {
                            return Err(format!(
                                "variant case `{name}.{}` has a payload in one version only",
                                case.name
                            ));
                        }
                    }
                }
                writeln!(body, "        }}").unwrap();
            }
            (a, b) => {
                return Err(format!(
                    "type `{name}` is a {} in {} and a {} in {}",
                    a.as_str(),
                    from.version(),
                    b.as_str(),
                    to.version()
                ));
            }
        }
        let mut out = String::new();
        writeln!(out, "{doc}").unwrap();
        writeln!(out, "impl From<{source}> for {target} {{").unwrap();
        writeln!(out, "    fn from(value: {source}) -> Self {{").unwrap();
        out += &body;
        writeln!(out, "    }}\n}}\n").unwrap();
        Ok(out)
    }

    /// The expression converting `expr` of type `a` (in `from`) to type `b` (in `to`).
    fn convert(
        &self,
        from: Side<'_>,
        to: Side<'_>,
        a: &Type,
        b: &Type,
        expr: &str,
    ) -> Result<String, String> {
        match (a, b) {
            (Type::Id(x), _) if matches!(from.kind(*x), TypeDefKind::Type(_)) => {
                let TypeDefKind::Type(inner) = from.kind(*x) else { unreachable!() };
                self.convert(from, to, inner, b, expr)
            }
            (_, Type::Id(y)) if matches!(to.kind(*y), TypeDefKind::Type(_)) => {
                let TypeDefKind::Type(inner) = to.kind(*y) else { unreachable!() };
                self.convert(from, to, a, inner, expr)
            }
            (Type::Id(x), Type::Id(y)) => match (from.kind(*x), to.kind(*y)) {
                (TypeDefKind::Option(p), TypeDefKind::Option(q)) => {
                    let inner = self.convert(from, to, p, q, "x")?;
                    Ok(if inner == "x" { expr.to_string() } else { format!("{expr}.map(|x| {inner})") })
                }
                (TypeDefKind::List(p), TypeDefKind::List(q)) => {
                    let inner = self.convert(from, to, p, q, "x")?;
                    Ok(if inner == "x" {
                        expr.to_string()
                    } else {
                        format!("{expr}.into_iter().map(|x| {inner}).collect()")
                    })
                }
                (
                    TypeDefKind::Record(_) | TypeDefKind::Enum(_) | TypeDefKind::Variant(_),
                    TypeDefKind::Record(_) | TypeDefKind::Enum(_) | TypeDefKind::Variant(_),
                ) => {
                    let (p, q) = (&from.contract.resolve.types[*x].name, &to.contract.resolve.types[*y].name);
                    if p == q {
                        Ok(format!("{expr}.into()"))
                    } else {
                        Err(format!("type `{p:?}` became `{q:?}`"))
                    }
                }
                (p, q) => Err(format!("a {} became a {}", p.as_str(), q.as_str())),
            },
            (Type::Id(_), _) | (_, Type::Id(_)) => Err(format!("{a:?} became {b:?}")),
            (p, q) if p == q => Ok(expr.to_string()),
            (p, q) => Err(format!("{p:?} became {q:?}")),
        }
    }
}

fn is_option(resolve: &Resolve, ty: &Type) -> bool {
    matches!(ty, Type::Id(id) if matches!(resolve.types[*id].kind, TypeDefKind::Option(_)))
}
