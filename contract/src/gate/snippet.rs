//! Source snippets of changed items and the unified diffs the reports show.
//!
//! wit-parser's spans cover an item's name. The snippet is the whole item around it: the
//! doc comments and `@` annotations directly above, then everything up to the `;` or the
//! closing `}` that ends the item (a type, a function, an interface, a world item).

use super::finding::Finding;
use super::load::WitTree;
use similar::TextDiff;

/// The source of the item whose name starts at byte `offset` of `text`, and the 1-based
/// line it starts on.
pub fn item_source(text: &str, offset: usize) -> (usize, String) {
    let offset = offset.min(text.len());
    let line_start = text[..offset].rfind('\n').map(|i| i + 1).unwrap_or(0);
    // Walk up over doc comments and annotations that belong to the item.
    let mut start = line_start;
    while start > 0 {
        let previous_start = text[..start - 1].rfind('\n').map(|i| i + 1).unwrap_or(0);
        let previous = text[previous_start..start - 1].trim_start();
        if previous.starts_with("///") || previous.starts_with('@') || previous.starts_with("/**") {
            start = previous_start;
        } else {
            break;
        }
    }
    // Walk down to the end of the item: `;` or the `}` closing the first `{`, outside
    // comments.
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut index = line_start;
    let mut end = text.len();
    while index < bytes.len() {
        match bytes[index] {
            b'/' if bytes.get(index + 1) == Some(&b'/') => {
                index = text[index..].find('\n').map(|i| index + i).unwrap_or(bytes.len());
                continue;
            }
            b'{' => depth += 1,
            b'}' => {
                if depth <= 1 {
                    end = index + 1;
                    break;
                }
                depth -= 1;
            }
            b';' if depth == 0 => {
                end = index + 1;
                break;
            }
            _ => {}
        }
        index += 1;
    }
    // Include the rest of the last line (a trailing comment, a comma).
    let end = text[end..].find('\n').map(|i| end + i).unwrap_or(text.len());
    let mut snippet = text[start..end].to_string();
    snippet.push('\n');
    let first_line = text[..start].matches('\n').count() + 1;
    (first_line, snippet)
}

/// One side of a diff: a snippet, the file line it starts on, and the name shown in the
/// header.
#[derive(Debug, Clone, Copy)]
pub struct DiffSide<'a> {
    /// The header name, e.g. `wit/types.wit`.
    pub name: &'a str,
    /// The 1-based file line of the snippet's first line.
    pub first_line: usize,
    /// The snippet (empty when the item does not exist on this side).
    pub text: &'a str,
}

/// A unified diff of two snippets whose hunk headers carry the lines in the files.
pub fn unified_diff(before: DiffSide, after: DiffSide) -> String {
    let diff = TextDiff::from_lines(before.text, after.text);
    let mut out = format!("--- {}\n+++ {}\n", before.name, after.name);
    for group in diff.grouped_ops(3) {
        let (Some(first), Some(last)) = (group.first(), group.last()) else { continue };
        let old = first.old_range().start..last.old_range().end;
        let new = first.new_range().start..last.new_range().end;
        // An empty range is shown as the line before it, as `diff -u` does.
        let start = |range: &std::ops::Range<usize>, first_line: usize| {
            if range.is_empty() {
                (first_line + range.start).saturating_sub(1)
            } else {
                first_line + range.start
            }
        };
        out += &format!(
            "@@ -{},{} +{},{} @@\n",
            start(&old, before.first_line),
            old.len(),
            start(&new, after.first_line),
            new.len()
        );
        for op in &group {
            for change in diff.iter_changes(op) {
                let sign = match change.tag() {
                    similar::ChangeTag::Delete => '-',
                    similar::ChangeTag::Insert => '+',
                    similar::ChangeTag::Equal => ' ',
                };
                out.push(sign);
                out.push_str(change.value());
                if change.missing_newline() {
                    out.push('\n');
                }
            }
        }
    }
    out
}

/// Fills in every finding's diff from its snippet spans.
pub(crate) fn attach_diffs(findings: &mut [Finding], baseline: &WitTree, current: &WitTree) {
    for finding in findings.iter_mut() {
        let (base_span, cur_span) = finding.snippet_spans;
        let before = base_span.and_then(|s| baseline.source_at(s.0)).map(|(text, at)| item_source(&text, at));
        let after = cur_span.and_then(|s| current.source_at(s.0)).map(|(text, at)| item_source(&text, at));
        if before.is_none() && after.is_none() {
            continue;
        }
        let file = |loc: &Option<super::Location>, fallback: &str| {
            loc.as_ref().map(|l| l.file.clone()).unwrap_or_else(|| fallback.to_string())
        };
        let (before_name, after_name) =
            (file(&finding.baseline, "(baseline)"), file(&finding.current, "(current)"));
        let (before_line, before_text) = before.unwrap_or((0, String::new()));
        let (after_line, after_text) = after.unwrap_or((0, String::new()));
        if before_text == after_text {
            continue;
        }
        finding.diff = Some(unified_diff(
            DiffSide { name: &before_name, first_line: before_line, text: &before_text },
            DiffSide { name: &after_name, first_line: after_line, text: &after_text },
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippets_cover_docs_and_the_whole_item() {
        let text = "interface i {\n  /// A.\n  /// B.\n  record r {\n    a: u32, // x\n    b: string,\n  }\n  f: func(x: r) -> u32;\n}\n";
        let at = text.find("r {").unwrap();
        let record = "  /// A.\n  /// B.\n  record r {\n    a: u32, // x\n    b: string,\n  }\n";
        assert_eq!(item_source(text, at), (2, record.to_string()));
        let at = text.find("f: func").unwrap();
        assert_eq!(item_source(text, at), (8, "  f: func(x: r) -> u32;\n".to_string()));
    }

    #[test]
    fn diffs_are_unified() {
        let before = DiffSide { name: "old.wit", first_line: 10, text: "a\nb\n" };
        let after = DiffSide { name: "new.wit", first_line: 20, text: "a\nc\nd\n" };
        assert_eq!(
            unified_diff(before, after),
            "--- old.wit\n+++ new.wit\n@@ -10,2 +20,3 @@\n a\n-b\n+c\n+d\n"
        );
        let added = DiffSide { name: "new.wit", first_line: 5, text: "x;\n" };
        let nothing = DiffSide { name: "(baseline)", first_line: 0, text: "" };
        assert_eq!(unified_diff(nothing, added), "--- (baseline)\n+++ new.wit\n@@ -0,0 +5,1 @@\n+x;\n");
    }
}
