//! The rule table: one entry per kind of difference the differ reports.
//!
//! Every finding names a rule of [`RULES`] by its id. A rule says how much the change
//! matters ([`Impact`], turned into a required version bump by the policy), what it means
//! for data a guest sends and for data a host returns, and how
//! `wit_component::semver_check` (the ground truth for "still links") sees it. Adding a
//! rule is adding an entry here and emitting it from the differ; a test fails when a rule
//! has no case in the corpus under `compat/cases/`.

use serde::Serialize;

/// How much a change matters to components built against the baseline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Impact {
    /// Nothing a component sees changes (documentation, annotations, the version itself):
    /// no version bump needed.
    None,
    /// Components built against the baseline keep working (something was added): the
    /// compatible bump of the baseline version's row of
    /// [`crate::gate::policy::BUMP_RULES`].
    Compatible,
    /// Some component built against the baseline stops linking or misreads data: the
    /// breaking bump of the baseline version's row of [`crate::gate::policy::BUMP_RULES`].
    Breaking,
}

impl Impact {
    /// The lower-case name used in every output format.
    pub fn as_str(self) -> &'static str {
        match self {
            Impact::None => "none",
            Impact::Compatible => "compatible",
            Impact::Breaking => "breaking",
        }
    }
}

/// How `wit_component::semver_check` judges a change of this rule when the changed item is
/// used by a world present in both versions. The corpus test checks every claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SemverCheckView {
    /// semver_check rejects the world (the component model's exact type matching fails).
    Rejects,
    /// semver_check accepts the world; the text says why the policy still counts the
    /// change the way it does (shown with every finding of the rule that reaches a world).
    Accepts(&'static str),
    /// It depends on where the item is used (for example, a removed function breaks
    /// components that import its interface but not components that export it); the text
    /// says when semver_check accepts it.
    Depends(&'static str),
}

/// One kind of difference between two versions of a WIT package.
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    /// Stable identifier, e.g. `record-field-added`. Never renamed, never reused.
    pub id: &'static str,
    /// One line saying what changed.
    pub summary: &'static str,
    /// How much the change matters; the policy turns it into a required bump.
    pub impact: Impact,
    /// Why the change has this impact.
    pub rationale: &'static str,
    /// What the change means when the item carries data from guest to host (parameters
    /// of imported functions, results of exported ones); `None` when direction does not
    /// matter for this rule.
    pub when_guest_sends: Option<&'static str>,
    /// What the change means when the item carries data from host to guest (results of
    /// imported functions, parameters of exported ones); `None` when direction does not
    /// matter for this rule.
    pub when_host_returns: Option<&'static str>,
    /// How the ground truth sees the change.
    pub semver_check: SemverCheckView,
}

const EXACT_MATCH: &str = "The component model matches types exactly, so a component built against the \
     baseline no longer links, whichever way the data flows.";

/// Every rule, in the order the human report lists them within a severity.
pub const RULES: &[Rule] = &[
    // --- package -------------------------------------------------------------------
    Rule {
        id: "package-renamed",
        summary: "the package's namespace or name changed",
        impact: Impact::Breaking,
        rationale: "Every import and export name contains the package name; to the component model a \
                    renamed package is a different package, and nothing built against the old name links. \
                    semver_check refuses to compare worlds of differently named packages.",
        when_guest_sends: None,
        when_host_returns: None,
        semver_check: SemverCheckView::Rejects,
    },
    Rule {
        id: "package-version-changed",
        summary: "the package version changed",
        impact: Impact::None,
        rationale: "The version is what the policy compares with the changes; by itself it changes no shape.",
        when_guest_sends: None,
        when_host_returns: None,
        semver_check: SemverCheckView::Accepts("semver_check ignores versions."),
    },
    Rule {
        id: "dependency-version-changed",
        summary: "a dependency package moved to another version on the same semver track",
        impact: Impact::Compatible,
        rationale: "Runtimes match imports by semver track (`@0.2.1` links to `@0.2.3`), so guests built \
                    against the old dependency version keep linking.",
        when_guest_sends: None,
        when_host_returns: None,
        semver_check: SemverCheckView::Accepts("semver_check ignores versions."),
    },
    Rule {
        id: "dependency-downgraded",
        summary: "a dependency package moved back to an older version on the same semver track",
        impact: Impact::Breaking,
        rationale: "The older version may lack what the newer one added: components built against the \
                    baseline may import items of the newer version that hosts of the new package need not \
                    provide. The differ reports the differences it sees in the items the package uses; the \
                    downgrade itself counts as breaking because the package no longer promises them.",
        when_guest_sends: None,
        when_host_returns: None,
        semver_check: SemverCheckView::Accepts("semver_check ignores versions."),
    },
    Rule {
        id: "dependency-track-changed",
        summary: "a dependency package moved to another semver track",
        impact: Impact::Breaking,
        rationale: "Imports are matched by semver track (`@0.2` and `@0.3` are different tracks, as are \
                    `@1` and `@2`, and every `@0.0.x`): a guest importing the old track finds no match.",
        when_guest_sends: None,
        when_host_returns: None,
        semver_check: SemverCheckView::Accepts(
            "semver_check removes every version before comparing, so it cannot see a track change; \
             wasmtime's linker does.",
        ),
    },
    // --- interfaces ----------------------------------------------------------------
    Rule {
        id: "interface-added",
        summary: "an interface was added",
        impact: Impact::Compatible,
        rationale: "Existing components neither import nor export it.",
        when_guest_sends: None,
        when_host_returns: None,
        semver_check: SemverCheckView::Accepts("nothing existing uses the new interface."),
    },
    Rule {
        id: "interface-removed",
        summary: "an interface was removed",
        impact: Impact::Breaking,
        rationale: "Components importing it no longer link; the policy counts every removal as breaking.",
        when_guest_sends: None,
        when_host_returns: None,
        semver_check: SemverCheckView::Depends(
            "semver_check sees only what a world imports or exports: removing an interface no world uses, or one a world exports, still links.",
        ),
    },
    Rule {
        id: "interface-renamed",
        summary: "an interface was renamed (same contents, new name)",
        impact: Impact::Breaking,
        rationale: "The interface name is part of every import name; components using the old name no \
                    longer link.",
        when_guest_sends: None,
        when_host_returns: None,
        semver_check: SemverCheckView::Depends(
            "semver_check sees only what a world imports or exports: renaming an interface no world uses still links.",
        ),
    },
    // --- functions -----------------------------------------------------------------
    Rule {
        id: "function-added",
        summary: "a function was added to an interface no world exports",
        impact: Impact::Compatible,
        rationale: "Components importing the interface do not call the new function; a host that \
                    provides more functions still satisfies them.",
        when_guest_sends: None,
        when_host_returns: None,
        semver_check: SemverCheckView::Accepts(
            "an instance with more functions satisfies an import of fewer.",
        ),
    },
    Rule {
        id: "function-added-to-export",
        summary: "a function was added to an interface that a world exports",
        impact: Impact::Breaking,
        rationale: "Every component exporting the interface must now provide the function; components \
                    built against the baseline do not.",
        when_guest_sends: None,
        when_host_returns: None,
        semver_check: SemverCheckView::Rejects,
    },
    Rule {
        id: "function-removed",
        summary: "a function was removed",
        impact: Impact::Breaking,
        rationale: "Components calling it no longer link. (A component that exports it still links, but \
                    the policy counts every removal as breaking.)",
        when_guest_sends: None,
        when_host_returns: None,
        semver_check: SemverCheckView::Depends(
            "semver_check takes the view of a component built against the baseline: if a world exports the interface, that component still exports the function and links; hosts built against the baseline may still call it.",
        ),
    },
    Rule {
        id: "function-renamed",
        summary: "a function was renamed (same signature, new name)",
        impact: Impact::Breaking,
        rationale: "Functions are linked by name; the old name is gone.",
        when_guest_sends: None,
        when_host_returns: None,
        semver_check: SemverCheckView::Depends(
            "semver_check takes the view of a component built against the baseline: if a world exports the interface, that component still exports the old name and links.",
        ),
    },
    Rule {
        id: "function-kind-changed",
        summary: "a function changed kind (sync/async, free function/method/constructor)",
        impact: Impact::Breaking,
        rationale: "The kind is part of the function's type and name mangling.",
        when_guest_sends: None,
        when_host_returns: None,
        semver_check: SemverCheckView::Rejects,
    },
    Rule {
        id: "function-param-added",
        summary: "a parameter was added to a function",
        impact: Impact::Breaking,
        rationale: "Callers built against the baseline pass one argument too few.",
        when_guest_sends: Some("old guests do not pass the new argument."),
        when_host_returns: Some("old guests exporting the function do not accept the new argument."),
        semver_check: SemverCheckView::Rejects,
    },
    Rule {
        id: "function-param-removed",
        summary: "a parameter was removed from a function",
        impact: Impact::Breaking,
        rationale: "Callers built against the baseline pass one argument too many.",
        when_guest_sends: Some("old guests still pass the removed argument."),
        when_host_returns: Some("old guests exporting the function still expect the removed argument."),
        semver_check: SemverCheckView::Rejects,
    },
    Rule {
        id: "function-param-renamed",
        summary: "a parameter was renamed",
        impact: Impact::Breaking,
        rationale: "Parameter names are part of a component function type and are compared when linking.",
        when_guest_sends: None,
        when_host_returns: None,
        semver_check: SemverCheckView::Rejects,
    },
    Rule {
        id: "function-params-reordered",
        summary: "the parameters of a function were reordered",
        impact: Impact::Breaking,
        rationale: "Arguments are passed by position; names and types no longer line up.",
        when_guest_sends: None,
        when_host_returns: None,
        semver_check: SemverCheckView::Rejects,
    },
    Rule {
        id: "function-param-type-changed",
        summary: "the type of a parameter changed",
        impact: Impact::Breaking,
        rationale: EXACT_MATCH,
        when_guest_sends: Some(
            "a wider parameter type (e.g. `T` to `option<T>`) would accept every value old guests send, \
             but the exact type match still fails.",
        ),
        when_host_returns: Some("old guests exporting the function expect the old parameter type."),
        semver_check: SemverCheckView::Rejects,
    },
    Rule {
        id: "function-result-changed",
        summary: "the result type of a function changed (including its error type)",
        impact: Impact::Breaking,
        rationale: EXACT_MATCH,
        when_guest_sends: Some("old guests exporting the function return the old result type."),
        when_host_returns: Some(
            "old guests receive a result shape they were not built for (e.g. `option<T>` to `T` would \
             never return `none`, yet the exact type match fails).",
        ),
        semver_check: SemverCheckView::Rejects,
    },
    // --- types ---------------------------------------------------------------------
    Rule {
        id: "type-added",
        summary: "a named type was added",
        impact: Impact::Compatible,
        rationale: "No existing function uses it.",
        when_guest_sends: None,
        when_host_returns: None,
        semver_check: SemverCheckView::Accepts("types no function uses are not part of a world's shape."),
    },
    Rule {
        id: "type-removed",
        summary: "a named type was removed",
        impact: Impact::Breaking,
        rationale: "Components that name the type (through `use` or generated bindings) no longer build \
                    or link; the policy counts every removal as breaking.",
        when_guest_sends: None,
        when_host_returns: None,
        semver_check: SemverCheckView::Depends(
            "semver_check sees only types that a world's functions carry: removing a type no such function uses still links.",
        ),
    },
    Rule {
        id: "type-renamed",
        summary: "a named type was renamed (same definition, new name)",
        impact: Impact::Breaking,
        rationale: "Type names are exported by interfaces and used by generated bindings.",
        when_guest_sends: None,
        when_host_returns: None,
        semver_check: SemverCheckView::Depends(
            "semver_check sees only types that a world's functions carry: renaming a type no such function uses still links.",
        ),
    },
    Rule {
        id: "type-moved",
        summary: "a named type moved to another interface",
        impact: Impact::Breaking,
        rationale: "The type is no longer exported by the interface it came from; components that use \
                    it from there no longer link.",
        when_guest_sends: None,
        when_host_returns: None,
        semver_check: SemverCheckView::Depends(
            "semver_check sees only types that a world's functions carry.",
        ),
    },
    Rule {
        id: "type-kind-changed",
        summary: "a named type changed kind (e.g. enum to variant, alias to record)",
        impact: Impact::Breaking,
        rationale: EXACT_MATCH,
        when_guest_sends: None,
        when_host_returns: None,
        semver_check: SemverCheckView::Depends(
            "semver_check sees only types that a world's functions carry: a change to a type no such function uses still links.",
        ),
    },
    Rule {
        id: "type-alias-changed",
        summary: "a type alias (`type x = ...` or `use`) now names another type",
        impact: Impact::Breaking,
        rationale: EXACT_MATCH,
        when_guest_sends: None,
        when_host_returns: None,
        semver_check: SemverCheckView::Depends(
            "semver_check sees only types that a world's functions carry: a change to a type no such function uses still links.",
        ),
    },
    Rule {
        id: "record-field-added",
        summary: "a field was added to a record",
        impact: Impact::Breaking,
        rationale: EXACT_MATCH,
        when_guest_sends: Some("old guests build the record without the new field."),
        when_host_returns: Some(
            "old guests would merely ignore the new field, but the exact type match fails before any \
             value is exchanged.",
        ),
        semver_check: SemverCheckView::Depends(
            "semver_check sees only types that a world's functions carry: a change to a type no such function uses still links.",
        ),
    },
    Rule {
        id: "record-field-removed",
        summary: "a field was removed from a record",
        impact: Impact::Breaking,
        rationale: EXACT_MATCH,
        when_guest_sends: Some("old guests still send the removed field."),
        when_host_returns: Some("old guests read a field that is no longer returned."),
        semver_check: SemverCheckView::Depends(
            "semver_check sees only types that a world's functions carry: a change to a type no such function uses still links.",
        ),
    },
    Rule {
        id: "record-field-renamed",
        summary: "a record field was renamed (same position and type)",
        impact: Impact::Breaking,
        rationale: "Field names are part of the record type.",
        when_guest_sends: None,
        when_host_returns: None,
        semver_check: SemverCheckView::Depends(
            "semver_check sees only types that a world's functions carry: a change to a type no such function uses still links.",
        ),
    },
    Rule {
        id: "record-fields-reordered",
        summary: "the fields of a record were reordered",
        impact: Impact::Breaking,
        rationale: "Records are laid out by field order; the canonical ABI would read every field from \
                    the wrong place.",
        when_guest_sends: None,
        when_host_returns: None,
        semver_check: SemverCheckView::Depends(
            "semver_check sees only types that a world's functions carry: a change to a type no such function uses still links.",
        ),
    },
    Rule {
        id: "record-field-type-changed",
        summary: "the type of a record field changed (e.g. `option<T>` to `T`)",
        impact: Impact::Breaking,
        rationale: EXACT_MATCH,
        when_guest_sends: Some("old guests send values of the old field type."),
        when_host_returns: Some("old guests decode the field with the old type."),
        semver_check: SemverCheckView::Depends(
            "semver_check sees only types that a world's functions carry: a change to a type no such function uses still links.",
        ),
    },
    Rule {
        id: "enum-case-added",
        summary: "a case was added to an enum",
        impact: Impact::Breaking,
        rationale: EXACT_MATCH,
        when_guest_sends: Some(
            "old guests never send the new case, so by value the change would be safe; the exact type \
             match still fails.",
        ),
        when_host_returns: Some("old guests may receive a case they do not know."),
        semver_check: SemverCheckView::Depends(
            "semver_check sees only types that a world's functions carry: a change to a type no such function uses still links.",
        ),
    },
    Rule {
        id: "enum-case-removed",
        summary: "a case was removed from an enum",
        impact: Impact::Breaking,
        rationale: EXACT_MATCH,
        when_guest_sends: Some("old guests may send the removed case."),
        when_host_returns: Some(
            "old guests never receive the removed case, so by value the change would be safe; the exact \
             type match still fails.",
        ),
        semver_check: SemverCheckView::Depends(
            "semver_check sees only types that a world's functions carry: a change to a type no such function uses still links.",
        ),
    },
    Rule {
        id: "enum-case-renamed",
        summary: "an enum case was renamed (same position)",
        impact: Impact::Breaking,
        rationale: "Case names are part of the enum type; bindings match on them.",
        when_guest_sends: None,
        when_host_returns: None,
        semver_check: SemverCheckView::Depends(
            "semver_check sees only types that a world's functions carry: a change to a type no such function uses still links.",
        ),
    },
    Rule {
        id: "enum-cases-reordered",
        summary: "the cases of an enum were reordered",
        impact: Impact::Breaking,
        rationale: "Cases are passed as their position; every value would change meaning.",
        when_guest_sends: None,
        when_host_returns: None,
        semver_check: SemverCheckView::Depends(
            "semver_check sees only types that a world's functions carry: a change to a type no such function uses still links.",
        ),
    },
    Rule {
        id: "variant-case-added",
        summary: "a case was added to a variant",
        impact: Impact::Breaking,
        rationale: EXACT_MATCH,
        when_guest_sends: Some(
            "old guests never send the new case, so by value the change would be safe; the exact type \
             match still fails.",
        ),
        when_host_returns: Some(
            "old guests may receive a case they do not know (for an error type: an error they cannot \
             handle).",
        ),
        semver_check: SemverCheckView::Depends(
            "semver_check sees only types that a world's functions carry: a change to a type no such function uses still links.",
        ),
    },
    Rule {
        id: "variant-case-removed",
        summary: "a case was removed from a variant",
        impact: Impact::Breaking,
        rationale: EXACT_MATCH,
        when_guest_sends: Some("old guests may send the removed case."),
        when_host_returns: Some(
            "old guests never receive the removed case, so by value the change would be safe; the exact \
             type match still fails.",
        ),
        semver_check: SemverCheckView::Depends(
            "semver_check sees only types that a world's functions carry: a change to a type no such function uses still links.",
        ),
    },
    Rule {
        id: "variant-case-renamed",
        summary: "a variant case was renamed (same position and payload)",
        impact: Impact::Breaking,
        rationale: "Case names are part of the variant type; bindings match on them.",
        when_guest_sends: None,
        when_host_returns: None,
        semver_check: SemverCheckView::Depends(
            "semver_check sees only types that a world's functions carry: a change to a type no such function uses still links.",
        ),
    },
    Rule {
        id: "variant-cases-reordered",
        summary: "the cases of a variant were reordered",
        impact: Impact::Breaking,
        rationale: "Cases are passed as their position; every value would change meaning.",
        when_guest_sends: None,
        when_host_returns: None,
        semver_check: SemverCheckView::Depends(
            "semver_check sees only types that a world's functions carry: a change to a type no such function uses still links.",
        ),
    },
    Rule {
        id: "variant-case-payload-changed",
        summary: "the payload type of a variant case changed",
        impact: Impact::Breaking,
        rationale: EXACT_MATCH,
        when_guest_sends: Some("old guests send the old payload type."),
        when_host_returns: Some("old guests decode the old payload type."),
        semver_check: SemverCheckView::Depends(
            "semver_check sees only types that a world's functions carry: a change to a type no such function uses still links.",
        ),
    },
    Rule {
        id: "flag-added",
        summary: "a flag was added to a flags type",
        impact: Impact::Breaking,
        rationale: EXACT_MATCH,
        when_guest_sends: Some("old guests never set the new flag; the exact type match still fails."),
        when_host_returns: Some("old guests may receive a flag they do not know."),
        semver_check: SemverCheckView::Depends(
            "semver_check sees only types that a world's functions carry: a change to a type no such function uses still links.",
        ),
    },
    Rule {
        id: "flag-removed",
        summary: "a flag was removed from a flags type",
        impact: Impact::Breaking,
        rationale: EXACT_MATCH,
        when_guest_sends: Some("old guests may set the removed flag."),
        when_host_returns: Some("old guests test a flag that is never set."),
        semver_check: SemverCheckView::Depends(
            "semver_check sees only types that a world's functions carry: a change to a type no such function uses still links.",
        ),
    },
    Rule {
        id: "flag-renamed",
        summary: "a flag was renamed (same position)",
        impact: Impact::Breaking,
        rationale: "Flag names are part of the flags type.",
        when_guest_sends: None,
        when_host_returns: None,
        semver_check: SemverCheckView::Depends(
            "semver_check sees only types that a world's functions carry: a change to a type no such function uses still links.",
        ),
    },
    Rule {
        id: "flags-reordered",
        summary: "the flags of a flags type were reordered",
        impact: Impact::Breaking,
        rationale: "Flags are passed as bit positions; every value would change meaning.",
        when_guest_sends: None,
        when_host_returns: None,
        semver_check: SemverCheckView::Depends(
            "semver_check sees only types that a world's functions carry: a change to a type no such function uses still links.",
        ),
    },
    // --- worlds --------------------------------------------------------------------
    Rule {
        id: "world-added",
        summary: "a world was added",
        impact: Impact::Compatible,
        rationale: "No existing component targets it.",
        when_guest_sends: None,
        when_host_returns: None,
        semver_check: SemverCheckView::Accepts("there is no baseline world to compare it with."),
    },
    Rule {
        id: "world-renamed",
        summary: "a world was renamed (paired with its successor by `--world-map old=new`)",
        impact: Impact::Breaking,
        rationale: "Bindings generators and hosts select a world by name; everything naming the old one \
                    must change. The differ and semver_check compare the old world's contents with the new \
                    one's, so the rest of the report says whether old components still link.",
        when_guest_sends: None,
        when_host_returns: None,
        semver_check: SemverCheckView::Accepts(
            "semver_check compares contents, not world names: paired by --world-map, a renamed world \
             with the same contents is compatible.",
        ),
    },
    Rule {
        id: "world-removed",
        summary: "a world was removed",
        impact: Impact::Breaking,
        rationale: "Components and hosts built for the world lose their target; the policy counts every \
                    removal as breaking.",
        when_guest_sends: None,
        when_host_returns: None,
        semver_check: SemverCheckView::Depends("there is no current world to compare the removed one with."),
    },
    Rule {
        id: "world-import-added",
        summary: "a world imports something more",
        impact: Impact::Compatible,
        rationale: "Components built against the baseline import less than the host offers, which is fine.",
        when_guest_sends: None,
        when_host_returns: None,
        semver_check: SemverCheckView::Accepts("a world may grow its imports."),
    },
    Rule {
        id: "world-import-removed",
        summary: "a world no longer imports something",
        impact: Impact::Breaking,
        rationale: "Components built against the baseline import it, and hosts of the new world need not \
                    provide it.",
        when_guest_sends: None,
        when_host_returns: None,
        semver_check: SemverCheckView::Rejects,
    },
    Rule {
        id: "world-export-added",
        summary: "a world exports something more",
        impact: Impact::Breaking,
        rationale: "Components built against the baseline do not export it, and hosts of the new world \
                    expect it.",
        when_guest_sends: None,
        when_host_returns: None,
        semver_check: SemverCheckView::Rejects,
    },
    Rule {
        id: "world-export-removed",
        summary: "a world no longer exports something",
        impact: Impact::Breaking,
        rationale: "Hosts built against the baseline still call the export, and new components need not \
                    provide it; the policy counts every removal as breaking.",
        when_guest_sends: None,
        when_host_returns: None,
        semver_check: SemverCheckView::Accepts(
            "semver_check takes the guest's view: a component built against the baseline still exports \
             the item, so it still links. Hosts built against the baseline may call an export that new \
             components lack.",
        ),
    },
    // --- documentation and annotations --------------------------------------------
    Rule {
        id: "docs-changed",
        summary: "documentation comments changed",
        impact: Impact::None,
        rationale: "Doc comments are not part of any type. (In a repository with frozen releases, a \
                    released version's WIT is still never edited: publish doc fixes with a new version.)",
        when_guest_sends: None,
        when_host_returns: None,
        semver_check: SemverCheckView::Accepts("documentation is not part of a component's type."),
    },
    Rule {
        id: "stability-changed",
        summary: "a `@since` / `@deprecated` annotation changed",
        impact: Impact::None,
        rationale: "Stability annotations gate what bindings generators show; the shape is unchanged. \
                    (Items behind `@unstable` features that are not enabled are not compared at all; \
                    `--features NAME` or `--all-features` enables them.)",
        when_guest_sends: None,
        when_host_returns: None,
        semver_check: SemverCheckView::Accepts("semver_check ignores `@since` and `@deprecated`."),
    },
    // --- ground truth --------------------------------------------------------------
    Rule {
        id: "semver-check-rejected",
        summary: "semver_check rejects a world although the differ found no breaking change in it",
        impact: Impact::Breaking,
        rationale: "The gate never calls compatible what the ground truth rejects. This finding means the \
                    differ missed a difference: please report it with both WIT trees.",
        when_guest_sends: None,
        when_host_returns: None,
        semver_check: SemverCheckView::Rejects,
    },
];

/// The rule with this id.
///
/// # Panics
///
/// When no rule has the id: the differ only emits ids of this table, and the unit test
/// below checks the ids it uses.
pub fn rule(id: &str) -> &'static Rule {
    RULES.iter().find(|r| r.id == id).unwrap_or_else(|| panic!("no gate rule `{id}` in gate::rules::RULES"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn rule_ids_are_unique_kebab_case() {
        let mut seen = HashSet::new();
        for rule in RULES {
            assert!(seen.insert(rule.id), "duplicate rule id {}", rule.id);
            assert!(
                rule.id.chars().all(|c| c.is_ascii_lowercase() || c == '-'),
                "rule id {} is not kebab-case",
                rule.id
            );
        }
    }

    #[test]
    fn every_rule_id_the_differ_emits_is_in_the_table() {
        // The differ names rules by string literals; every kebab-case literal with a hyphen
        // in its sources must be an id of the table (a typo would otherwise panic at run time).
        let sources = [
            include_str!("differ/mod.rs"),
            include_str!("differ/interfaces.rs"),
            include_str!("differ/types.rs"),
            include_str!("differ/worlds.rs"),
            include_str!("mod.rs"),
        ];
        // Kebab-case literals of the differ that are WIT words, not rule ids.
        let wit_words = ["error-context"];
        let mut checked = 0;
        for source in sources {
            for literal in source.split('"').skip(1).step_by(2) {
                let kebab = literal.contains('-')
                    && !literal.starts_with('-')
                    && literal.chars().all(|c| c.is_ascii_lowercase() || c == '-');
                if kebab && !wit_words.contains(&literal) {
                    checked += 1;
                    assert!(
                        RULES.iter().any(|r| r.id == literal),
                        "the differ emits unknown rule `{literal}`"
                    );
                }
            }
        }
        assert!(checked > 20, "the scan found only {checked} rule ids; is it still reading the differ?");
    }
}
