//! The rules of SPEC.md: IDs, levels and their text, read from the SPEC.md this suite was
//! built with (embedded at build time: SPEC.md stays the one source of truth for which
//! rules exist and at which level).
//!
//! A rule heading looks like `**PAGE-3 (REQUIRED).** text...`; a rule added after 0.1.0
//! says since when it holds: `**VAL-5 (REQUIRED, since 0.2.0).** text...` (the run selects
//! it by the contract version under test, [`Rule::since`]).

use crate::checks::Level;

/// SPEC.md as built into the suite.
pub const SPEC_MD: &str = include_str!("../../SPEC.md");

/// One rule of SPEC.md.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    /// The ID, e.g. `PAGE-3`.
    pub id: String,
    /// The level.
    pub level: Level,
    /// The rule's first sentence, for reports.
    pub summary: String,
    /// The contract version that introduced the rule (`since 0.2.0` in its heading);
    /// `None` for the rules that hold since 0.1.0.
    pub since: Option<String>,
}

impl Rule {
    /// Whether the rule binds what a host gives guests of contract `version`: always for a
    /// rule without a since mark, else when `version` is at least the rule's.
    pub fn binds_version(&self, version: &str) -> bool {
        self.since.as_deref().is_none_or(|since| crate::versions::at_least(version, since))
    }
}

/// The rules of the embedded SPEC.md, in document order.
pub fn rules() -> Vec<Rule> {
    parse(SPEC_MD)
}

/// The rule with this ID in the embedded SPEC.md.
pub fn rule(id: &str) -> Option<Rule> {
    rules().into_iter().find(|r| r.id == id)
}

/// The rules of a SPEC.md text, in document order.
pub fn parse(text: &str) -> Vec<Rule> {
    let mut rules = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("**") {
        rest = &rest[start + 2..];
        if let Some((rule, after)) = heading(rest) {
            rules.push(rule);
            rest = after;
        }
    }
    rules
}

/// Parses `ID (LEVEL).** text` at the start of `text`.
fn heading(text: &str) -> Option<(Rule, &str)> {
    let area_len = text.bytes().take_while(u8::is_ascii_uppercase).count();
    let after_area = text[area_len..].strip_prefix('-')?;
    let number_len = after_area.bytes().take_while(u8::is_ascii_digit).count();
    if area_len == 0 || number_len == 0 {
        return None;
    }
    let id = &text[..area_len + 1 + number_len];
    let after_id = after_area[number_len..].strip_prefix(" (")?;
    let (level, after_level) = if let Some(rest) = after_id.strip_prefix("REQUIRED") {
        (Level::Required, rest)
    } else if let Some(rest) = after_id.strip_prefix("RECOMMENDED") {
        (Level::Recommended, rest)
    } else {
        return None;
    };
    let (since, after_since) = match after_level.strip_prefix(", since ") {
        Some(rest) => {
            let end = rest.find(')')?;
            let version = &rest[..end];
            if version.is_empty()
                || !version.split('.').all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
            {
                return None;
            }
            (Some(version.to_string()), &rest[end..])
        }
        None => (None, after_level),
    };
    let body = after_since.strip_prefix(").**")?;
    let paragraph = body.split("\n\n").next().unwrap_or_default();
    let flat = paragraph.split_whitespace().collect::<Vec<_>>().join(" ");
    let summary = match flat.find(". ") {
        Some(end) => flat[..=end].to_string(),
        None => flat,
    };
    Some((Rule { id: id.to_string(), level, summary, since }, body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_are_parsed() {
        let text = "intro **bold** text\n\n**PAGE-3 (REQUIRED).** For data that does not change,\nwalking pages works. More.\n\n**CAP-3 (RECOMMENDED).** A name.\n";
        let rules = parse(text);
        assert_eq!(rules.len(), 2);
        assert_eq!(rules[0].id, "PAGE-3");
        assert_eq!(rules[0].level, Level::Required);
        assert_eq!(rules[0].summary, "For data that does not change, walking pages works.");
        assert_eq!(rules[1].id, "CAP-3");
        assert_eq!(rules[1].level, Level::Recommended);
        assert_eq!(rules[0].since, None);
    }

    #[test]
    fn since_marks_are_parsed_and_select_versions() {
        let text =
            "**VAL-5 (REQUIRED, since 0.2.0).** A code. More.\n\n**X-1 (REQUIRED, since soon).** no.\n";
        let rules = parse(text);
        assert_eq!(rules.len(), 1, "{rules:?}");
        assert_eq!(rules[0].id, "VAL-5");
        assert_eq!(rules[0].level, Level::Required);
        assert_eq!(rules[0].since.as_deref(), Some("0.2.0"));
        assert_eq!(rules[0].summary, "A code.");
        assert!(rules[0].binds_version("0.2.0") && rules[0].binds_version("0.10.1"));
        assert!(!rules[0].binds_version("0.1.0") && !rules[0].binds_version("0.1.9"));
    }

    #[test]
    fn the_embedded_spec_marks_the_0_2_0_rules() {
        let since: Vec<(String, String)> =
            rules().into_iter().filter_map(|r| r.since.map(|s| (r.id, s))).collect();
        for id in ["VAL-5", "PRICE-1", "PRICE-2", "VER-1"] {
            assert!(since.iter().any(|(r, s)| r == id && s == "0.2.0"), "{id} in {since:?}");
        }
        assert!(rule("PAGE-1").unwrap().since.is_none());
    }

    #[test]
    fn the_embedded_spec_has_rules_of_both_levels() {
        let rules = rules();
        assert!(rules.len() >= 20, "{} rules", rules.len());
        assert!(rules.iter().any(|r| r.level == Level::Recommended));
    }
}
