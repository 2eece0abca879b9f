//! The contract's reference in Markdown, generated from a version's WIT: every interface,
//! type, record field, enum case, variant case and function with its doc comment, and every
//! rule ID a doc comment names (`PAGE-1`) linked to the section of SPEC.md that states it.
//!
//! `alga-contract reference` writes it; `docs/reference/<version>.md` holds one file per
//! contract version (from `wit/` and `compat/<version>/wit`) and `contract/tests/authoring.rs`
//! fails when a committed file differs from this output, so the reference cannot go stale.

use crate::dts::LoadedWorld;
use anyhow::{Result, bail};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use wit_parser::{Docs, Function, InterfaceId, Resolve, Type, TypeDefKind, TypeId, WorldItem};

/// Where each rule of SPEC.md is stated: rule ID -> the GitHub anchor of its section.
#[derive(Debug, Clone, Default)]
pub struct RuleIndex {
    anchors: BTreeMap<String, String>,
}

impl RuleIndex {
    /// Reads the rules of SPEC.md's text: a paragraph starting `**ID (LEVEL...).**` states
    /// rule ID in the section of the nearest `## ` heading above it.
    pub fn from_spec(spec: &str) -> Self {
        let mut anchors = BTreeMap::new();
        let mut section = String::new();
        for line in spec.lines() {
            if let Some(heading) = line.strip_prefix("## ") {
                section = anchor(heading);
            } else if let Some(rest) = line.strip_prefix("**")
                && let Some((id, _)) = rest.split_once(" (")
                && is_rule_id(id)
            {
                anchors.insert(id.to_string(), section.clone());
            }
        }
        RuleIndex { anchors }
    }

    /// The anchor of the section stating rule `id`.
    pub fn anchor(&self, id: &str) -> Option<&str> {
        self.anchors.get(id).map(String::as_str)
    }

    /// Whether some rule's ID starts with `area` (`PAGE`).
    pub fn has_area(&self, area: &str) -> bool {
        self.anchors.keys().any(|id| id.split('-').next() == Some(area))
    }

    /// How many rules the index knows.
    pub fn len(&self) -> usize {
        self.anchors.len()
    }

    /// Whether the index knows no rule.
    pub fn is_empty(&self) -> bool {
        self.anchors.is_empty()
    }
}

/// `PAGE-1`: upper-case letters, a hyphen, digits.
fn is_rule_id(text: &str) -> bool {
    match text.split_once('-') {
        Some((area, number)) => {
            !area.is_empty()
                && area.chars().all(|c| c.is_ascii_uppercase())
                && !number.is_empty()
                && number.chars().all(|c| c.is_ascii_digit())
        }
        None => false,
    }
}

/// The anchor GitHub gives a heading: lower-case, punctuation other than `-` and `_`
/// dropped, spaces turned into hyphens.
pub fn anchor(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect()
}

/// The reference of the interfaces of `loaded`'s own package that its world imports, with
/// rule IDs linked to `spec_link#anchor` (e.g. `../../SPEC.md`). A rule ID that SPEC.md
/// does not state is an error: the reference must not point nowhere.
pub fn markdown(loaded: &LoadedWorld, rules: &RuleIndex, spec_link: &str, source: &str) -> Result<String> {
    let resolve = &loaded.resolve;
    let package = &resolve.packages[loaded.package];
    let mut out = String::new();
    writeln!(out, "# `{}` reference\n", package.name).unwrap();
    writeln!(
        out,
        "<!-- Generated from {source} by `alga-contract reference`: do not edit. Regenerate with\n     \
         ALGA_UPDATE_REFERENCE=1 cargo test -p alga-extension-contract --test authoring -->\n"
    )
    .unwrap();
    writeln!(
        out,
        "Every interface, type and function of the contract `{}`, from the doc comments of its WIT. \
         Rule IDs link to [SPEC.md]({spec_link}), which defines the behaviour; the WIT defines the \
         shapes. In JavaScript (componentize-js), names are lowerCamelCase, an `option` is a value \
         or `undefined`, and a `result` error is thrown as an `Error` whose `payload` is the \
         `read-error`.\n",
        package.name
    )
    .unwrap();
    let mut interfaces = Vec::new();
    for item in resolve.worlds[loaded.world].imports.values() {
        if let WorldItem::Interface { id, .. } = item
            && resolve.interfaces[*id].package == Some(loaded.package)
        {
            interfaces.push(*id);
        }
    }
    if interfaces.is_empty() {
        bail!("world `{}` imports no interface of {}", resolve.worlds[loaded.world].name, package.name);
    }
    out.push_str("Interfaces:");
    for id in &interfaces {
        let name = resolve.interfaces[*id].name.as_deref().unwrap_or("");
        write!(out, " [`{name}`](#interface-{})", anchor(name)).unwrap();
    }
    out.push('\n');
    if let Some(docs) = &package.docs.contents {
        out.push('\n');
        out.push_str(&link_rules(docs.trim_end(), rules, spec_link)?);
        out.push('\n');
    }
    for id in interfaces {
        interface(&mut out, resolve, id, rules, spec_link)?;
    }
    Ok(out)
}

fn interface(
    out: &mut String,
    resolve: &Resolve,
    id: InterfaceId,
    rules: &RuleIndex,
    link: &str,
) -> Result<()> {
    let iface = &resolve.interfaces[id];
    let name = iface.name.as_deref().unwrap_or("");
    writeln!(out, "\n## interface `{name}`\n").unwrap();
    writeln!(out, "`import {}`\n", resolve.id_of(id).unwrap_or_default()).unwrap();
    docs(out, "", &iface.docs, rules, link)?;
    for (type_name, type_id) in &iface.types {
        let def = &resolve.types[*type_id];
        if let TypeDefKind::Type(Type::Id(target)) = def.kind
            && resolve.types[target].owner != def.owner
        {
            let target_name = resolve.types[target].name.as_deref().unwrap_or("");
            writeln!(
                out,
                "Uses [`{target_name}`](#{}) of interface `types`{}.\n",
                type_anchor(resolve, target),
                if target_name == type_name { String::new() } else { format!(" as `{type_name}`") }
            )
            .unwrap();
            continue;
        }
        type_definition(out, resolve, type_name, *type_id, rules, link)?;
    }
    for function in iface.functions.values() {
        function_section(out, resolve, function, rules, link)?;
    }
    Ok(())
}

fn kind_word(kind: &TypeDefKind) -> &'static str {
    match kind {
        TypeDefKind::Record(_) => "record",
        TypeDefKind::Enum(_) => "enum",
        TypeDefKind::Variant(_) => "variant",
        TypeDefKind::Flags(_) => "flags",
        _ => "type",
    }
}

fn type_anchor(resolve: &Resolve, id: TypeId) -> String {
    let def = &resolve.types[id];
    anchor(&format!("{} {}", kind_word(&def.kind), def.name.as_deref().unwrap_or("")))
}

fn type_definition(
    out: &mut String,
    resolve: &Resolve,
    name: &str,
    id: TypeId,
    rules: &RuleIndex,
    link: &str,
) -> Result<()> {
    let def = &resolve.types[id];
    writeln!(out, "### {} `{name}`\n", kind_word(&def.kind)).unwrap();
    docs(out, "", &def.docs, rules, link)?;
    match &def.kind {
        TypeDefKind::Record(record) => {
            out.push_str("Fields:\n\n");
            for field in &record.fields {
                writeln!(out, "- `{}`: {}", field.name, wit_type(resolve, &field.ty)?).unwrap();
                item_docs(out, &field.docs, rules, link)?;
            }
            end_list(out);
        }
        TypeDefKind::Enum(e) => {
            out.push_str("Cases:\n\n");
            for case in &e.cases {
                writeln!(out, "- `{}`", case.name).unwrap();
                item_docs(out, &case.docs, rules, link)?;
            }
            end_list(out);
        }
        TypeDefKind::Variant(variant) => {
            out.push_str("Cases:\n\n");
            for case in &variant.cases {
                match &case.ty {
                    Some(ty) => writeln!(out, "- `{}`: {}", case.name, wit_type(resolve, ty)?).unwrap(),
                    None => writeln!(out, "- `{}`", case.name).unwrap(),
                }
                item_docs(out, &case.docs, rules, link)?;
            }
            end_list(out);
        }
        TypeDefKind::Type(ty) => writeln!(out, "Same as {}.\n", wit_type(resolve, ty)?).unwrap(),
        other => bail!("the reference has no form for a type definition of kind {other:?} (`{name}`)"),
    }
    Ok(())
}

fn function_section(
    out: &mut String,
    resolve: &Resolve,
    function: &Function,
    rules: &RuleIndex,
    link: &str,
) -> Result<()> {
    writeln!(out, "### function `{}`\n", function.name).unwrap();
    let mut params = Vec::new();
    for param in &function.params {
        params.push(format!("{}: {}", param.name, wit_type_plain(resolve, &param.ty)?));
    }
    let result = match &function.result {
        Some(ty) => format!(" -> {}", wit_type_plain(resolve, ty)?),
        None => String::new(),
    };
    writeln!(out, "```wit\n{}: func({}){result};\n```\n", function.name, params.join(", ")).unwrap();
    docs(out, "", &function.docs, rules, link)?;
    Ok(())
}

/// A WIT type as Markdown, named types linked to their section.
fn wit_type(resolve: &Resolve, ty: &Type) -> Result<String> {
    if let Type::Id(id) = ty
        && let Some(name) = &resolve.types[*id].name
    {
        return Ok(format!("[`{name}`](#{})", type_anchor(resolve, *id)));
    }
    Ok(format!("`{}`", wit_type_plain(resolve, ty)?))
}

/// A WIT type as WIT text.
fn wit_type_plain(resolve: &Resolve, ty: &Type) -> Result<String> {
    let id = match crate::wit_names::primitive(ty) {
        Ok(keyword) => return Ok(keyword.into()),
        Err(id) => id,
    };
    let def = &resolve.types[id];
    if let Some(name) = &def.name {
        return Ok(name.clone());
    }
    Ok(match &def.kind {
        TypeDefKind::List(inner) => format!("list<{}>", wit_type_plain(resolve, inner)?),
        TypeDefKind::Option(inner) => format!("option<{}>", wit_type_plain(resolve, inner)?),
        TypeDefKind::Result(result) => {
            let part = |t: &Option<Type>| match t {
                Some(t) => wit_type_plain(resolve, t),
                None => Ok("_".into()),
            };
            format!("result<{}, {}>", part(&result.ok)?, part(&result.err)?)
        }
        TypeDefKind::Tuple(tuple) => {
            let types = tuple.types.iter().map(|t| wit_type_plain(resolve, t)).collect::<Result<Vec<_>>>()?;
            format!("tuple<{}>", types.join(", "))
        }
        TypeDefKind::Type(inner) => wit_type_plain(resolve, inner)?,
        other => bail!("the reference has no form for an anonymous {other:?}"),
    })
}

/// Ends a list with one blank line (an item's docs already end with one).
fn end_list(out: &mut String) {
    if !out.ends_with("\n\n") {
        out.push('\n');
    }
}

/// A doc comment as a paragraph block.
fn docs(out: &mut String, indent: &str, docs: &Docs, rules: &RuleIndex, link: &str) -> Result<()> {
    if let Some(text) = &docs.contents {
        for line in link_rules(text.trim_end(), rules, link)?.lines() {
            if line.is_empty() {
                out.push('\n');
            } else {
                writeln!(out, "{indent}{line}").unwrap();
            }
        }
        out.push('\n');
    }
    Ok(())
}

/// A doc comment under a list item, indented so that Markdown keeps it in the item.
fn item_docs(out: &mut String, docs: &Docs, rules: &RuleIndex, link: &str) -> Result<()> {
    if let Some(text) = &docs.contents {
        out.push('\n');
        for line in link_rules(text.trim_end(), rules, link)?.lines() {
            if line.is_empty() {
                out.push('\n');
            } else {
                writeln!(out, "  {line}").unwrap();
            }
        }
        out.push('\n');
    }
    Ok(())
}

/// `text` with every rule ID (`PAGE-1`, as a whole word) linked to its section of SPEC.md.
fn link_rules(text: &str, rules: &RuleIndex, link: &str) -> Result<String> {
    let mut out = String::with_capacity(text.len());
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| -> Result<()> {
        // `UTF-8` has the form of a rule ID; only the areas SPEC.md uses are rules.
        let area = word.split('-').next().unwrap_or("");
        if is_rule_id(word) && rules.has_area(area) {
            match rules.anchor(word) {
                Some(anchor) => write!(out, "[{word}]({link}#{anchor})").unwrap(),
                None => bail!("the WIT names rule {word}, which SPEC.md does not state"),
            }
        } else {
            out.push_str(word);
        }
        word.clear();
        Ok(())
    };
    for c in text.chars() {
        if c.is_ascii_alphanumeric() || c == '-' {
            word.push(c);
        } else {
            flush(&mut word, &mut out)?;
            out.push(c);
        }
    }
    flush(&mut word, &mut out)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_become_github_anchors() {
        assert_eq!(anchor("3. Context and tenancy"), "3-context-and-tenancy");
        assert_eq!(anchor("record `client-summary`"), "record-client-summary");
    }

    #[test]
    fn rule_ids_link_to_their_section_and_unknown_ones_are_refused() {
        let rules = RuleIndex::from_spec("## 6. Listing\n\n**PAGE-1 (REQUIRED).** text\n");
        assert_eq!(
            link_rules("ordered (PAGE-1), see x-ray in UTF-8", &rules, "S.md").unwrap(),
            "ordered ([PAGE-1](S.md#6-listing)), see x-ray in UTF-8"
        );
        let err = link_rules("see PAGE-9", &rules, "S.md").unwrap_err().to_string();
        assert!(err.contains("PAGE-9"), "{err}");
    }
}
