//! Text helpers shared by the report formats: compact fixtures, shortened JSON, diffs,
//! shell quoting.

use alga_conformance_protocol::{ExecutionContext, Fixture};
use serde_json::Value as Json;
use similar::TextDiff;

/// Longest string shown in full in a report; longer ones are cut with their length noted.
pub const MAX_SHOWN_CHARS: usize = 80;

/// `value` with every string longer than [`MAX_SHOWN_CHARS`] characters cut short.
pub fn shorten(value: &Json) -> Json {
    match value {
        Json::String(s) if s.chars().count() > MAX_SHOWN_CHARS => {
            let head: String = s.chars().take(MAX_SHOWN_CHARS).collect();
            Json::String(format!("{head}… ({} characters)", s.chars().count()))
        }
        Json::Array(items) => Json::Array(items.iter().map(shorten).collect()),
        Json::Object(fields) => Json::Object(fields.iter().map(|(k, v)| (k.clone(), shorten(v))).collect()),
        other => other.clone(),
    }
}

/// Pretty JSON, strings shortened.
pub fn pretty(value: &Json) -> String {
    serde_json::to_string_pretty(&shorten(value)).unwrap_or_default()
}

/// One-line JSON, strings shortened.
pub fn compact(value: &Json) -> String {
    serde_json::to_string(&shorten(value)).unwrap_or_default()
}

/// A unified diff of expected and actual pretty JSON, `-` for expected and `+` for actual.
pub fn diff(expected: &Json, actual: &Json) -> String {
    let (expected, actual) = (pretty(expected) + "\n", pretty(actual) + "\n");
    TextDiff::from_lines(&expected, &actual)
        .unified_diff()
        .context_radius(4)
        .header("expected (SPEC.md, by the oracle)", "actual (the host)")
        .to_string()
}

/// The first 8 characters of an id.
fn short(id: &str) -> &str {
    id.get(..8).unwrap_or(id)
}

/// A context in one line: `tenant 7e4a… install 5eed… user 5eed… (internal)`.
pub fn context_line(context: &ExecutionContext) -> String {
    let user = context
        .user
        .as_ref()
        .map_or_else(|| "no user".to_string(), |u| format!("user {} ({})", u.user_id, u.user_type));
    format!("tenant {}, install {}, {user}", context.tenant_id, context.install_id)
}

/// The fixture as a few lines per record (ids cut to 8 characters; the case file has it
/// in full).
pub fn fixture_lines(fixture: &Fixture) -> Vec<String> {
    let mut lines = Vec::new();
    let q = |s: &str| format!("{s:?}");
    for tenant in &fixture.tenants {
        lines.push(format!("tenant {}", tenant.tenant_id));
        for install in &tenant.installs {
            lines.push(format!(
                "  install {} grants {:?}",
                short(&install.install_id),
                install.granted_capabilities
            ));
        }
        for p in &tenant.permissions {
            lines.push(format!(
                "  permission {} {}:{}{}{}",
                short(&p.permission_id),
                p.resource,
                p.action,
                if p.msp { " msp" } else { "" },
                if p.client { " client" } else { "" }
            ));
        }
        for r in &tenant.roles {
            let perms: Vec<&str> = r.permission_ids.iter().map(|p| short(p)).collect();
            lines.push(format!("  role {} {:?} permissions {perms:?}", short(&r.role_id), r.role_name));
        }
        for u in &tenant.users {
            let roles: Vec<&str> = u.role_ids.iter().map(|r| short(r)).collect();
            lines.push(format!(
                "  user {} {} {} {}{}{} roles {roles:?}",
                short(&u.user_id),
                u.user_type,
                q(&u.first_name),
                q(&u.last_name),
                if u.is_inactive { " inactive" } else { "" },
                u.client_id.as_deref().map(|c| format!(" of client {}", short(c))).unwrap_or_default(),
            ));
        }
        for c in &tenant.clients {
            lines.push(format!(
                "  client {} {}{}{}{}{} tags {:?}",
                short(&c.client_id),
                q(&c.client_name),
                if c.is_inactive { " inactive" } else { "" },
                c.billing_email.as_deref().map(|e| format!(" email {e:?}")).unwrap_or_default(),
                c.account_manager_id.as_deref().map(|m| format!(" manager {}", short(m))).unwrap_or_default(),
                c.client_type.map(|t| format!(" {t}")).unwrap_or_default(),
                c.tags,
            ));
        }
        for t in &tenant.service_types {
            lines.push(format!("  service type {} {}", short(&t.service_type_id), q(&t.name)));
        }
        for s in &tenant.services {
            lines.push(format!(
                "  service {} {} {} {}{}{}{}{} rate {}",
                short(&s.service_id),
                q(&s.service_name),
                s.item_kind,
                s.billing_method,
                if s.is_active { "" } else { " inactive" },
                s.sku.as_deref().map(|k| format!(" sku {k:?}")).unwrap_or_default(),
                s.description.as_deref().map(|d| format!(" description {d:?}")).unwrap_or_default(),
                s.service_type_id.as_deref().map(|t| format!(" type {}", short(t))).unwrap_or_default(),
                s.default_rate_cents,
            ));
        }
    }
    lines
}

/// `text` quoted for a POSIX shell when it needs it.
pub fn shell_quote(text: &str) -> String {
    if !text.is_empty() && text.chars().all(|c| c.is_ascii_alphanumeric() || "-_./=:@,+".contains(c)) {
        text.to_string()
    } else {
        format!("'{}'", text.replace('\'', "'\\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn long_strings_are_cut() {
        let value = json!({"search": "x".repeat(1000), "page": 1});
        let shown = compact(&value);
        assert!(shown.contains("(1000 characters)") && shown.len() < 200, "{shown}");
    }

    #[test]
    fn diffs_mark_both_sides() {
        let text = diff(&json!({"total": 3}), &json!({"total": 4}));
        assert!(text.contains("-  \"total\": 3") && text.contains("+  \"total\": 4"), "{text}");
    }

    #[test]
    fn quoting() {
        assert_eq!(shell_quote("a-b.toml"), "a-b.toml");
        assert_eq!(shell_quote("it's here"), "'it'\\''s here'");
    }
}
