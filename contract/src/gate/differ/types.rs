//! Type definitions and type references: comparing them across the two versions,
//! rendering them in messages, and diffing the members of records, enums, variants,
//! flags and parameter lists.

use super::{Differ, Side};
use crate::gate::finding::Flow;
use std::collections::BTreeSet;
use wit_parser::{Docs, Handle, Param, Span, Type, TypeDefKind, TypeId};

impl Side<'_> {
    /// A type reference as WIT writes it: `option<client-summary>`, `result<_, read-error>`.
    pub(crate) fn render(&self, ty: &Type) -> String {
        let id = match crate::wit_names::primitive(ty) {
            Ok(keyword) => return keyword.into(),
            Err(id) => id,
        };
        let def = &self.resolve.types[id];
        match &def.name {
            Some(name) => name.clone(),
            None => self.render_kind(&def.kind),
        }
    }

    /// The right-hand side of a type definition as WIT writes it.
    pub(crate) fn render_kind(&self, kind: &TypeDefKind) -> String {
        let opt = |t: &Option<Type>| t.as_ref().map(|t| self.render(t)).unwrap_or_else(|| "_".to_string());
        match kind {
            TypeDefKind::Type(t) => match t {
                Type::Id(id) => self.type_path(*id).unwrap_or_else(|| self.render(t)),
                _ => self.render(t),
            },
            TypeDefKind::Option(t) => format!("option<{}>", self.render(t)),
            TypeDefKind::List(t) => format!("list<{}>", self.render(t)),
            TypeDefKind::FixedLengthList(t, n) => format!("list<{}, {n}>", self.render(t)),
            TypeDefKind::Map(k, v) => format!("map<{}, {}>", self.render(k), self.render(v)),
            TypeDefKind::Tuple(t) => {
                format!("tuple<{}>", t.types.iter().map(|t| self.render(t)).collect::<Vec<_>>().join(", "))
            }
            TypeDefKind::Result(r) => match (&r.ok, &r.err) {
                (None, None) => "result".into(),
                (Some(ok), None) => format!("result<{}>", self.render(ok)),
                (ok, err) => format!("result<{}, {}>", opt(ok), opt(err)),
            },
            TypeDefKind::Future(t) => {
                t.as_ref().map(|t| format!("future<{}>", self.render(t))).unwrap_or("future".into())
            }
            TypeDefKind::Stream(t) => {
                t.as_ref().map(|t| format!("stream<{}>", self.render(t))).unwrap_or("stream".into())
            }
            TypeDefKind::Handle(Handle::Own(r)) => self.render(&Type::Id(*r)),
            TypeDefKind::Handle(Handle::Borrow(r)) => format!("borrow<{}>", self.render(&Type::Id(*r))),
            other => other.as_str().to_string(),
        }
    }
}

/// What kind of member a list of named members holds; decides the rule ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MemberKind {
    Field,
    EnumCase,
    VariantCase,
    Flag,
    Param,
}

impl MemberKind {
    /// Rule ids: (added, removed, renamed, reordered, type changed).
    fn rules(self) -> [&'static str; 5] {
        match self {
            MemberKind::Field => [
                "record-field-added",
                "record-field-removed",
                "record-field-renamed",
                "record-fields-reordered",
                "record-field-type-changed",
            ],
            MemberKind::EnumCase => [
                "enum-case-added",
                "enum-case-removed",
                "enum-case-renamed",
                "enum-cases-reordered",
                "enum-case-renamed",
            ],
            MemberKind::VariantCase => [
                "variant-case-added",
                "variant-case-removed",
                "variant-case-renamed",
                "variant-cases-reordered",
                "variant-case-payload-changed",
            ],
            MemberKind::Flag => {
                ["flag-added", "flag-removed", "flag-renamed", "flags-reordered", "flag-renamed"]
            }
            MemberKind::Param => [
                "function-param-added",
                "function-param-removed",
                "function-param-renamed",
                "function-params-reordered",
                "function-param-type-changed",
            ],
        }
    }

    fn noun(self) -> &'static str {
        match self {
            MemberKind::Field => "field",
            MemberKind::EnumCase | MemberKind::VariantCase => "case",
            MemberKind::Flag => "flag",
            MemberKind::Param => "parameter",
        }
    }

    fn path(self, owner: &str, name: &str) -> String {
        match self {
            MemberKind::Param => format!("{owner}({name})"),
            _ => format!("{owner}.{name}"),
        }
    }
}

/// A named member: a record field, an enum or variant case, a flag, a parameter.
#[derive(Debug, Clone)]
pub(crate) struct Member {
    pub name: String,
    pub ty: Option<Type>,
    pub span: Span,
    pub docs: Docs,
}

impl Member {
    /// A function parameter.
    pub fn param(param: &Param) -> Member {
        Member { name: param.name.clone(), ty: Some(param.ty), span: param.span, docs: Docs::default() }
    }

    /// A record field.
    fn field(field: &wit_parser::Field) -> Member {
        Member { name: field.name.clone(), ty: Some(field.ty), span: field.span, docs: field.docs.clone() }
    }

    /// An enum case.
    fn enum_case(case: &wit_parser::EnumCase) -> Member {
        Member { name: case.name.clone(), ty: None, span: case.span, docs: case.docs.clone() }
    }

    /// A variant case, with its payload type if any.
    fn variant_case(case: &wit_parser::Case) -> Member {
        Member { name: case.name.clone(), ty: case.ty, span: case.span, docs: case.docs.clone() }
    }

    /// A flag.
    fn flag(flag: &wit_parser::Flag) -> Member {
        Member { name: flag.name.clone(), ty: None, span: flag.span, docs: flag.docs.clone() }
    }

    /// Each of `items` as a member.
    fn all<T>(items: &[T], member: fn(&T) -> Member) -> Vec<Member> {
        items.iter().map(member).collect()
    }
}

/// Where a member list lives.
pub(crate) struct MemberContext {
    pub kind: MemberKind,
    /// Path of the type or function holding the members.
    pub owner_path: String,
    /// Spans of the owner's name on each side.
    pub owner_spans: (Span, Span),
    /// Spans of the item the diff shows.
    pub snippet: (Option<Span>, Option<Span>),
    /// Flow of the members' values.
    pub flow: Option<Flow>,
    pub worlds: BTreeSet<String>,
}

impl Differ<'_> {
    /// Whether two type references (baseline, current) denote the same type: primitives
    /// equal, named types at the same path (following renames and moves), anonymous types
    /// structurally equal. Named types at different paths are still the same when both
    /// are aliases (`type x = ...`, `use`) of the same type: the component model sees
    /// through aliases (WASI 0.2 replaced `field-key` by its alias `field-name` this way).
    pub(crate) fn same_ref(&self, b: &Type, c: &Type) -> bool {
        match (b, c) {
            (Type::Id(bi), Type::Id(ci)) => {
                let (bd, cd) = (&self.base.resolve.types[*bi], &self.cur.resolve.types[*ci]);
                match (&bd.name, &cd.name) {
                    (Some(_), Some(_)) if self.base_type_key(*bi) == self.cur.type_path(*ci) => true,
                    (None, None) => self.same_kind(&bd.kind, &cd.kind),
                    _ => {
                        let (bp, cp) = (peel(self.base.resolve, b), peel(self.cur.resolve, c));
                        (bp != *b || cp != *c) && self.same_ref(&bp, &cp)
                    }
                }
            }
            (Type::Id(_), _) | (_, Type::Id(_)) => {
                let (bp, cp) = (peel(self.base.resolve, b), peel(self.cur.resolve, c));
                (bp != *b || cp != *c) && self.same_ref(&bp, &cp)
            }
            (b, c) => b == c,
        }
    }

    fn same_opt(&self, b: &Option<Type>, c: &Option<Type>) -> bool {
        match (b, c) {
            (None, None) => true,
            (Some(b), Some(c)) => self.same_ref(b, c),
            _ => false,
        }
    }

    /// Whether two type definitions have the same structure (names of members included,
    /// documentation excluded).
    pub(crate) fn same_kind(&self, b: &TypeDefKind, c: &TypeDefKind) -> bool {
        use TypeDefKind as K;
        match (b, c) {
            (K::Type(x), K::Type(y)) | (K::Option(x), K::Option(y)) | (K::List(x), K::List(y)) => {
                self.same_ref(x, y)
            }
            (K::FixedLengthList(x, n), K::FixedLengthList(y, m)) => n == m && self.same_ref(x, y),
            (K::Map(k1, v1), K::Map(k2, v2)) => self.same_ref(k1, k2) && self.same_ref(v1, v2),
            (K::Result(x), K::Result(y)) => self.same_opt(&x.ok, &y.ok) && self.same_opt(&x.err, &y.err),
            (K::Tuple(x), K::Tuple(y)) => {
                x.types.len() == y.types.len()
                    && x.types.iter().zip(&y.types).all(|(a, b)| self.same_ref(a, b))
            }
            (K::Future(x), K::Future(y)) | (K::Stream(x), K::Stream(y)) => self.same_opt(x, y),
            (K::Handle(Handle::Own(x)), K::Handle(Handle::Own(y)))
            | (K::Handle(Handle::Borrow(x)), K::Handle(Handle::Borrow(y))) => {
                self.same_ref(&Type::Id(*x), &Type::Id(*y))
            }
            (K::Record(x), K::Record(y)) => {
                x.fields.len() == y.fields.len()
                    && x.fields
                        .iter()
                        .zip(&y.fields)
                        .all(|(a, b)| a.name == b.name && self.same_ref(&a.ty, &b.ty))
            }
            (K::Variant(x), K::Variant(y)) => {
                x.cases.len() == y.cases.len()
                    && x.cases
                        .iter()
                        .zip(&y.cases)
                        .all(|(a, b)| a.name == b.name && self.same_opt(&a.ty, &b.ty))
            }
            (K::Enum(x), K::Enum(y)) => {
                x.cases.len() == y.cases.len() && x.cases.iter().zip(&y.cases).all(|(a, b)| a.name == b.name)
            }
            (K::Flags(x), K::Flags(y)) => {
                x.flags.len() == y.flags.len() && x.flags.iter().zip(&y.flags).all(|(a, b)| a.name == b.name)
            }
            (K::Resource, K::Resource) => true,
            _ => false,
        }
    }

    /// Whether two named types have the same definition.
    pub(crate) fn same_definition(&self, b: TypeId, c: TypeId) -> bool {
        self.same_kind(&self.base.resolve.types[b].kind, &self.cur.resolve.types[c].kind)
    }

    /// Diffs two versions of the named type at `path`.
    pub(crate) fn type_definition(&mut self, path: &str, b: TypeId, c: TypeId) {
        let base = self.base.resolve.types[b].clone();
        let cur = self.cur.resolve.types[c].clone();
        let snippet = (Some(base.span), Some(cur.span));
        self.docs_and_stability(
            path,
            (&base.docs, &cur.docs),
            (&base.stability, &cur.stability),
            (base.span, cur.span),
            snippet,
        );
        let flow = self.type_flow(Some(b), Some(c));
        let worlds = self.type_worlds(Some(b), Some(c));
        let context = |kind| MemberContext {
            kind,
            owner_path: path.to_string(),
            owner_spans: (base.span, cur.span),
            snippet,
            flow,
            worlds: worlds.clone(),
        };
        use TypeDefKind as K;
        match (&base.kind, &cur.kind) {
            (K::Record(x), K::Record(y)) => {
                let members = (Member::all(&x.fields, Member::field), Member::all(&y.fields, Member::field));
                self.members(&context(MemberKind::Field), &members.0, &members.1);
            }
            (K::Enum(x), K::Enum(y)) => {
                let members =
                    (Member::all(&x.cases, Member::enum_case), Member::all(&y.cases, Member::enum_case));
                self.members(&context(MemberKind::EnumCase), &members.0, &members.1);
            }
            (K::Variant(x), K::Variant(y)) => {
                let members = (
                    Member::all(&x.cases, Member::variant_case),
                    Member::all(&y.cases, Member::variant_case),
                );
                self.members(&context(MemberKind::VariantCase), &members.0, &members.1);
            }
            (K::Flags(x), K::Flags(y)) => {
                let members = (Member::all(&x.flags, Member::flag), Member::all(&y.flags, Member::flag));
                self.members(&context(MemberKind::Flag), &members.0, &members.1);
            }
            (K::Resource, K::Resource) => {}
            (x, y) if is_alias_like(x) && is_alias_like(y) => {
                if !self.same_kind(x, y) {
                    let (before, after) = (self.base.render_kind(x), self.cur.render_kind(y));
                    self.emit(
                        "type-alias-changed",
                        path,
                        format!("type `{path}` was `{before}` and is now `{after}`"),
                        (Some(base.span), Some(cur.span)),
                        snippet,
                        flow,
                        worlds,
                    );
                }
            }
            (x, y) => {
                let describe = |side: &Side, kind: &TypeDefKind| {
                    if is_alias_like(kind) {
                        format!("an alias of `{}`", side.render_kind(kind))
                    } else {
                        format!("a {}", kind.as_str())
                    }
                };
                let (before, after) = (describe(&self.base, x), describe(&self.cur, y));
                self.emit(
                    "type-kind-changed",
                    path,
                    format!("type `{path}` was {before} and is now {after}"),
                    (Some(base.span), Some(cur.span)),
                    snippet,
                    flow,
                    worlds,
                );
            }
        }
    }

    /// Diffs two member lists: matched by name; an unmatched pair at the same position
    /// with the same type is a rename; a change of the relative order of the members both
    /// sides have is a reorder.
    pub(crate) fn members(&mut self, context: &MemberContext, base: &[Member], cur: &[Member]) {
        let [added_rule, removed_rule, renamed_rule, reordered_rule, type_rule] = context.kind.rules();
        let noun = context.kind.noun();
        let owner = &context.owner_path;
        let in_cur = |name: &str| cur.iter().any(|c| c.name == name);
        let in_base = |name: &str| base.iter().any(|b| b.name == name);

        // Renames first: same position, same type, names unmatched on both sides.
        let mut renamed = Vec::new();
        for (index, b) in base.iter().enumerate() {
            if in_cur(&b.name) {
                continue;
            }
            if let Some(c) = cur.get(index)
                && !in_base(&c.name)
                && self.same_member_type(&b.ty, &c.ty)
            {
                renamed.push((b, c));
            }
        }
        let is_renamed_base = |name: &str| renamed.iter().any(|(b, _)| b.name == name);
        let is_renamed_cur = |name: &str| renamed.iter().any(|(_, c)| c.name == name);

        let common_base: Vec<&str> =
            base.iter().filter(|b| in_cur(&b.name)).map(|b| b.name.as_str()).collect();
        let common_cur: Vec<&str> =
            cur.iter().filter(|c| in_base(&c.name)).map(|c| c.name.as_str()).collect();
        if common_base != common_cur {
            self.emit(
                reordered_rule,
                owner.clone(),
                format!(
                    "the {noun}s of `{owner}` were reordered: {} is now {}",
                    common_base.join(", "),
                    common_cur.join(", ")
                ),
                (Some(context.owner_spans.0), Some(context.owner_spans.1)),
                context.snippet,
                context.flow,
                context.worlds.clone(),
            );
        }
        for b in base {
            let path = context.kind.path(owner, &b.name);
            match cur.iter().find(|c| c.name == b.name) {
                Some(c) => {
                    if !self.same_member_type(&b.ty, &c.ty) {
                        let render = |side: &Side, ty: &Option<Type>| match ty {
                            Some(ty) => format!("`{}`", side.render(ty)),
                            None => "no payload".to_string(),
                        };
                        self.emit(
                            type_rule,
                            path.clone(),
                            format!(
                                "the type of {noun} `{path}` was {} and is now {}",
                                render(&self.base, &b.ty),
                                render(&self.cur, &c.ty)
                            ),
                            (Some(b.span), Some(c.span)),
                            context.snippet,
                            context.flow,
                            context.worlds.clone(),
                        );
                    }
                    if b.docs != c.docs {
                        self.emit(
                            "docs-changed",
                            path.clone(),
                            format!("`{path}`: documentation changed"),
                            (Some(b.span), Some(c.span)),
                            context.snippet,
                            None,
                            BTreeSet::new(),
                        );
                    }
                }
                None if is_renamed_base(&b.name) => {
                    let c = renamed.iter().find(|(x, _)| x.name == b.name).map(|(_, c)| *c).expect("paired");
                    self.emit(
                        renamed_rule,
                        context.kind.path(owner, &c.name),
                        format!("{noun} `{path}` is now `{}`", c.name),
                        (Some(b.span), Some(c.span)),
                        context.snippet,
                        context.flow,
                        context.worlds.clone(),
                    );
                }
                None => self.emit(
                    removed_rule,
                    path.clone(),
                    format!("{noun} `{path}` was removed"),
                    (Some(b.span), Some(context.owner_spans.1)),
                    context.snippet,
                    context.flow,
                    context.worlds.clone(),
                ),
            }
        }
        for c in cur.iter().filter(|c| !in_base(&c.name) && !is_renamed_cur(&c.name)) {
            let path = context.kind.path(owner, &c.name);
            let typed = match &c.ty {
                Some(ty) => format!(" of type `{}`", self.cur.render(ty)),
                None => String::new(),
            };
            self.emit(
                added_rule,
                path.clone(),
                format!("{noun} `{path}`{typed} was added"),
                (Some(context.owner_spans.0), Some(c.span)),
                context.snippet,
                context.flow,
                context.worlds.clone(),
            );
        }
    }

    fn same_member_type(&self, b: &Option<Type>, c: &Option<Type>) -> bool {
        self.same_opt(b, c)
    }
}

/// The type an alias chain (`type x = y`, `use`) ends at; other types unchanged.
fn peel(resolve: &wit_parser::Resolve, ty: &Type) -> Type {
    let mut ty = *ty;
    while let Type::Id(id) = ty {
        match resolve.types[id].kind {
            TypeDefKind::Type(inner) => ty = inner,
            _ => break,
        }
    }
    ty
}

/// Kinds that are spelled as a right-hand side (`type x = ...`, `use`).
fn is_alias_like(kind: &TypeDefKind) -> bool {
    !matches!(
        kind,
        TypeDefKind::Record(_)
            | TypeDefKind::Variant(_)
            | TypeDefKind::Enum(_)
            | TypeDefKind::Flags(_)
            | TypeDefKind::Resource
            | TypeDefKind::Unknown
    )
}
