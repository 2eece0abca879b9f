//! Escaping of text the host did not write (a request's path, a component id from a
//! caller, a guest's function names and response headers) before it reaches a log line or
//! a terminal, so that nobody can forge a log line (CR, LF), recolour or rewrite a terminal
//! (ANSI escape sequences) or reorder what a reader sees (bidirectional overrides).
//!
//! The form is unambiguous: a backslash is doubled, `\r`, `\n` and `\t` are written as such,
//! and every other control or invisible formatting character as `\u{XX}`.

/// `text` with every control character, line or paragraph separator and bidirectional
/// formatting character escaped, and backslashes doubled: one line, safe for a log.
pub fn text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        push_escaped(&mut out, c);
    }
    out
}

/// Like [`text`] for each line of `text`, keeping the line breaks: for multi-line messages
/// (a trap with its backtrace) printed to a terminal.
pub fn lines(text: &str) -> String {
    text.split('\n').map(self::text).collect::<Vec<_>>().join("\n")
}

fn push_escaped(out: &mut String, c: char) {
    match c {
        '\\' => out.push_str("\\\\"),
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        c if needs_escape(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
        c => out.push(c),
    }
}

/// Control characters (C0, DEL, C1), the Unicode line and paragraph separators, and the
/// invisible formatting characters that change how a line reads: bidirectional marks,
/// embeddings, overrides and isolates, zero-width characters and the byte order mark.
fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(c,
            '\u{2028}' | '\u{2029}'
            | '\u{200b}'..='\u{200f}'
            | '\u{202a}'..='\u{202e}'
            | '\u{2060}'..='\u{2069}'
            | '\u{061c}'
            | '\u{feff}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_breaks_and_terminal_escapes_cannot_forge_a_line() {
        assert_eq!(text("/x\r\nGET /admin -> 200\u{1b}[31m"), "/x\\r\\nGET /admin -> 200\\u{1b}[31m");
        assert_eq!(text("a\\nb"), "a\\\\nb", "a literal backslash-n stays distinguishable");
        assert_eq!(text("tab\there\u{7f}\u{85}"), "tab\\there\\u{7f}\\u{85}");
        assert_eq!(text("\u{202e}evil\u{2028}"), "\\u{202e}evil\\u{2028}");
        assert_eq!(text("plain /clients?search=Acmé"), "plain /clients?search=Acmé");
    }

    #[test]
    fn multi_line_messages_keep_their_lines_only() {
        assert_eq!(lines("trap\n  0: f\u{1b}[2J\r\n  1: g"), "trap\n  0: f\\u{1b}[2J\\r\n  1: g");
    }
}
