//! Generates Rust code from the WIT in `wit/`, so that the WIT stays the only hand-written
//! description of the contract's shapes:
//!
//! - `wit_files.rs`: the WIT sources embedded as strings (`include_str!` of every `.wit`
//!   file, sorted by name) and the package name/version read from them;
//! - `types.rs`: a serde type for every record, enum and variant of interface `types`,
//!   serialising to the camelCase JSON that extension authors see;
//! - `host_conversions.rs` (feature `host`): `From` conversions between those serde types
//!   and the types `wasmtime::component::bindgen!` generates for the same WIT.
//!
//! A WIT file that does not parse stops the build with the parser's message, which names
//! the file and line.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use wit_parser::{Docs, Resolve, Type, TypeDefKind, TypeId};

fn main() {
    let manifest_dir = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let out_dir = PathBuf::from(std::env::var("OUT_DIR").expect("set by cargo"));
    let wit_dir = manifest_dir.join("wit");

    let files = wit_files(&wit_dir);
    println!("cargo:rerun-if-changed={}", wit_dir.display());
    for file in &files {
        println!("cargo:rerun-if-changed={}", file.display());
    }

    let mut resolve = Resolve::default();
    let pkg = match resolve.push_dir(&wit_dir) {
        Ok((pkg, _)) => pkg,
        Err(err) => {
            let rendered = resolve.render_error(&err);
            eprintln!("error: the contract's WIT in {} does not parse:\n{rendered}", wit_dir.display());
            std::process::exit(1);
        }
    };
    let package = &resolve.packages[pkg];
    let version =
        package.name.version.as_ref().map(|v| v.to_string()).unwrap_or_else(|| {
            fail("the WIT package in wit/ has no version (`package alga:extension@X.Y.Z;`)")
        });

    write(&out_dir.join("wit_files.rs"), &gen_wit_files(&files, &package.name, &version));

    let types_iface = package
        .interfaces
        .get("types")
        .copied()
        .unwrap_or_else(|| fail("the WIT package in wit/ has no interface `types`"));
    let type_ids: Vec<TypeId> = resolve.interfaces[types_iface].types.values().copied().collect();
    let generator = Generator { resolve: &resolve };
    write(&out_dir.join("types.rs"), &generator.types(&type_ids));
    write(&out_dir.join("host_conversions.rs"), &generator.conversions(&type_ids));
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

fn gen_wit_files(files: &[PathBuf], name: &wit_parser::PackageName, version: &str) -> String {
    let mut out = String::new();
    writeln!(out, "/// Namespace and name of the WIT package: `{}:{}`.", name.namespace, name.name).unwrap();
    writeln!(out, "pub const WIT_PACKAGE_NAME: &str = {:?};", format!("{}:{}", name.namespace, name.name))
        .unwrap();
    writeln!(out, "/// Version declared by the WIT package in `wit/`.").unwrap();
    writeln!(out, "pub const WIT_PACKAGE_VERSION: &str = {version:?};").unwrap();
    writeln!(out, "/// Every `.wit` file of the contract, sorted by file name.").unwrap();
    writeln!(out, "pub const WIT_FILES: &[WitFile] = &[").unwrap();
    for file in files {
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

    fn conversions(&self, ids: &[TypeId]) -> String {
        let mut out = String::new();
        let pairs = [
            ("crate::types", "crate::host::bindings::types"),
            ("crate::host::bindings::types", "crate::types"),
        ];
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
