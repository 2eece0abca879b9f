//! What the differ reports: one [`Finding`] per difference, with where it is on both sides.

use super::rules::{Impact, Rule, rule};
use serde::Serialize;

/// A place in a WIT source file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Location {
    /// The file, relative to the repository (or working directory) when it lies inside
    /// it, e.g. `wit/types.wit`; `REV:wit/types.wit` for a file read from git.
    pub file: String,
    /// 1-based line.
    pub line: u32,
    /// 1-based column.
    pub column: u32,
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

/// Which way the data of a changed item flows between guest and host, found from the
/// functions of the worlds that use it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Flow {
    /// Guests send it: parameters of functions a world imports, results of functions it
    /// exports.
    GuestSends,
    /// Hosts send it: results of functions a world imports, parameters of functions it
    /// exports.
    HostReturns,
    /// Both ways.
    Both,
}

impl Flow {
    /// The flow of values that travel both ways when `self` and `other` are combined.
    pub fn join(self, other: Flow) -> Flow {
        if self == other { self } else { Flow::Both }
    }

    /// The opposite direction (a function parameter flows against its result).
    pub fn reversed(self) -> Flow {
        match self {
            Flow::GuestSends => Flow::HostReturns,
            Flow::HostReturns => Flow::GuestSends,
            Flow::Both => Flow::Both,
        }
    }

    /// The lower-case name used in every output format.
    pub fn as_str(self) -> &'static str {
        match self {
            Flow::GuestSends => "guest-sends",
            Flow::HostReturns => "host-returns",
            Flow::Both => "both",
        }
    }
}

/// A version bump: how far the version moved, or how far it has to move.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Bump {
    /// The version stays.
    None,
    /// `x.y.Z`.
    Patch,
    /// `x.Y.0`.
    Minor,
    /// `X.0.0`.
    Major,
}

impl Bump {
    /// The lower-case name used in every output format.
    pub fn as_str(self) -> &'static str {
        match self {
            Bump::None => "none",
            Bump::Patch => "patch",
            Bump::Minor => "minor",
            Bump::Major => "major",
        }
    }
}

/// One difference between the baseline and the current WIT.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    /// The rule's id (see [`super::rules::RULES`]).
    pub rule: &'static str,
    /// The rule's impact.
    pub impact: Impact,
    /// The bump this finding needs, under the baseline version's rules (filled in by the
    /// policy).
    pub required_bump: Bump,
    /// Whether the version change covers [`Finding::required_bump`] (filled in by the
    /// policy).
    pub satisfied: bool,
    /// The changed item, without versions (except for a dependency used at several
    /// versions: `t:dep@2.0.0/store.get`): `alga:extension/types.client-summary.tags`;
    /// parameters are written `iface.func(param)`, results `iface.func->result`, world
    /// items `pkg/world.import(name)`.
    pub path: String,
    /// What changed, in a sentence naming both sides.
    pub message: String,
    /// Which way the item's data flows, when the item carries data used by a world.
    pub flow: Option<Flow>,
    /// Worlds (by name, of either version) that use the item.
    pub worlds: Vec<String>,
    /// Where the item is in the baseline, if it exists there.
    pub baseline: Option<Location>,
    /// Where the item is in the current WIT, if it exists there.
    pub current: Option<Location>,
    /// A unified diff of the enclosing item's source (filled in after diffing).
    pub diff: Option<String>,
    /// Explanations: what the change means for the flow, and where semver_check's view
    /// differs from the policy.
    pub notes: Vec<String>,
    /// Source snippets the diff is made from (baseline, current); not serialised.
    #[serde(skip)]
    pub(crate) snippet_spans: (Option<SpanRef>, Option<SpanRef>),
}

/// A span of one side's resolve, kept until snippets are extracted.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SpanRef(pub wit_parser::Span);

impl Finding {
    /// A finding of rule `id` at `path`.
    pub(crate) fn new(id: &'static str, path: impl Into<String>, message: impl Into<String>) -> Finding {
        let rule: &Rule = rule(id);
        Finding {
            rule: rule.id,
            impact: rule.impact,
            required_bump: Bump::None,
            satisfied: true,
            path: path.into(),
            message: message.into(),
            flow: None,
            worlds: Vec::new(),
            baseline: None,
            current: None,
            diff: None,
            notes: Vec::new(),
            snippet_spans: (None, None),
        }
    }

    /// The rule this finding belongs to.
    pub fn rule(&self) -> &'static Rule {
        rule(self.rule)
    }
}
