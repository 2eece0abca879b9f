//! The HTTP-like request an extension handles and the response it gives, as the host sees
//! them: built from a command line (`GET /clients?search=acme`) or from the JSON of an
//! execution request, converted to and from the handler's WIT records, and written as JSON.
//!
//! JSON form (for `serve` and `run --format json`): `headers` is an object of lower-case
//! names (repeated response headers are joined with `, `); a body that is UTF-8 text is
//! `"body": "..."`, any other body `"bodyBase64": "..."`.

use crate::world::bindings::handler;
use base64::Engine as _;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A request for an extension.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpRequest {
    /// Upper-case method.
    pub method: String,
    /// Percent-decoded path, starting with `/`.
    pub path: String,
    /// Percent-decoded query parameters, in order.
    pub query: Vec<(String, String)>,
    /// Headers with lower-case names.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

/// An extension's response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpResponse {
    /// Status code, 100 to 599.
    pub status: u16,
    /// Headers as the extension gave them.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

/// The JSON form of a request, as a `serve` client sends it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct HttpRequestJson {
    /// The method; default `GET`.
    #[serde(default)]
    pub method: Option<String>,
    /// The path, with an optional query string: `/clients?search=acme`.
    pub path: String,
    /// Headers.
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// A UTF-8 body.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// A binary body, base64 (standard alphabet, padded).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body_base64: Option<String>,
}

/// The JSON form of a response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct HttpResponseJson {
    /// Status code.
    pub status: u16,
    /// Headers (lower-case names; repeated ones joined with `, `).
    pub headers: BTreeMap<String, String>,
    /// The body, when it is UTF-8 text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// The body, base64, when it is not UTF-8.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body_base64: Option<String>,
}

/// Why a request cannot be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct BadRequest(pub String);

impl HttpRequest {
    /// A request from a method and a target (`/clients?search=acme%20corp&page=2`).
    pub fn new(method: &str, target: &str) -> Result<Self, BadRequest> {
        let method = method.trim();
        if method.is_empty() || !method.bytes().all(|b| b.is_ascii_alphabetic()) {
            return Err(BadRequest(format!("`{method}` is not an HTTP method (GET, POST, ...)")));
        }
        if !target.starts_with('/') {
            return Err(BadRequest(format!("the path must start with `/`, got `{target}`")));
        }
        let (raw_path, raw_query) = target.split_once('?').unwrap_or((target, ""));
        let path = percent_decode(raw_path, false)
            .map_err(|why| BadRequest(format!("the path `{raw_path}` is not valid: {why}")))?;
        let query = parse_query(raw_query)?;
        Ok(HttpRequest {
            method: method.to_ascii_uppercase(),
            path,
            query,
            headers: Vec::new(),
            body: Vec::new(),
        })
    }

    /// The request a JSON execution request describes.
    pub fn from_json(json: &HttpRequestJson) -> Result<Self, BadRequest> {
        let mut request = HttpRequest::new(json.method.as_deref().unwrap_or("GET"), &json.path)?;
        request.headers =
            json.headers.iter().map(|(name, value)| (name.to_ascii_lowercase(), value.clone())).collect();
        request.body = match (&json.body, &json.body_base64) {
            (Some(_), Some(_)) => return Err(BadRequest("give `body` or `bodyBase64`, not both".into())),
            (Some(text), None) => text.clone().into_bytes(),
            (None, Some(encoded)) => base64::engine::general_purpose::STANDARD
                .decode(encoded)
                .map_err(|err| BadRequest(format!("`bodyBase64` is not valid base64: {err}")))?,
            (None, None) => Vec::new(),
        };
        Ok(request)
    }

    /// The handler's WIT record for this request.
    pub fn to_wit(&self) -> handler::Request {
        handler::Request {
            method: self.method.clone(),
            path: self.path.clone(),
            query: self.query.clone(),
            headers: self
                .headers
                .iter()
                .map(|(name, value)| handler::Header { name: name.clone(), value: value.clone() })
                .collect(),
            body: self.body.clone(),
        }
    }
}

impl HttpResponse {
    /// The response from the handler's WIT record; a status outside 100..=599 is refused.
    pub fn from_wit(response: handler::Response) -> Result<Self, String> {
        if !(100..=599).contains(&response.status) {
            return Err(format!("status {} is not an HTTP status code (100 to 599)", response.status));
        }
        Ok(HttpResponse {
            status: response.status,
            headers: response.headers.into_iter().map(|h| (h.name, h.value)).collect(),
            body: response.body,
        })
    }

    /// The value of header `name` (case-insensitive), the first when repeated.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// The JSON form.
    pub fn to_json(&self) -> HttpResponseJson {
        let mut headers: BTreeMap<String, String> = BTreeMap::new();
        for (name, value) in &self.headers {
            headers
                .entry(name.to_ascii_lowercase())
                .and_modify(|joined| {
                    joined.push_str(", ");
                    joined.push_str(value);
                })
                .or_insert_with(|| value.clone());
        }
        let (body, body_base64) = match std::str::from_utf8(&self.body) {
            Ok(text) => (Some(text.to_string()), None),
            Err(_) => (None, Some(base64::engine::general_purpose::STANDARD.encode(&self.body))),
        };
        HttpResponseJson { status: self.status, headers, body, body_base64 }
    }
}

fn parse_query(raw: &str) -> Result<Vec<(String, String)>, BadRequest> {
    raw.split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            let decode = |part: &str| {
                percent_decode(part, true)
                    .map_err(|why| BadRequest(format!("the query parameter `{pair}` is not valid: {why}")))
            };
            Ok((decode(name)?, decode(value)?))
        })
        .collect()
}

/// Decodes `%XX` escapes (and `+` as a space when `plus_is_space`, as in query strings).
fn percent_decode(text: &str, plus_is_space: bool) -> Result<String, String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hex = bytes.get(i + 1..i + 3).ok_or("`%` must be followed by two hex digits")?;
                let hex = std::str::from_utf8(hex).map_err(|_| "`%` must be followed by two hex digits")?;
                out.push(u8::from_str_radix(hex, 16).map_err(|_| format!("`%{hex}` is not a hex escape"))?);
                i += 3;
            }
            b'+' if plus_is_space => {
                out.push(b' ');
                i += 1;
            }
            other => {
                out.push(other);
                i += 1;
            }
        }
    }
    String::from_utf8(out).map_err(|_| "the escapes do not decode to UTF-8 text".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_split_into_a_decoded_path_and_query() {
        let request = HttpRequest::new("get", "/clients?search=acme+corp%25&page=2&flag").unwrap();
        assert_eq!(request.method, "GET");
        assert_eq!(request.path, "/clients");
        assert_eq!(
            request.query,
            vec![
                ("search".to_string(), "acme corp%".to_string()),
                ("page".to_string(), "2".to_string()),
                ("flag".to_string(), String::new()),
            ]
        );
        let request = HttpRequest::new("GET", "/services/a%2Fb").unwrap();
        assert_eq!(request.path, "/services/a/b");
    }

    #[test]
    fn malformed_requests_are_named() {
        assert_eq!(
            HttpRequest::new("GET", "clients").unwrap_err().0,
            "the path must start with `/`, got `clients`"
        );
        assert_eq!(
            HttpRequest::new("G3T", "/").unwrap_err().0,
            "`G3T` is not an HTTP method (GET, POST, ...)"
        );
        assert!(HttpRequest::new("GET", "/x?a=%zz").unwrap_err().0.contains("`%zz` is not a hex escape"));
        assert!(HttpRequest::new("GET", "/x?a=%ff").unwrap_err().0.contains("UTF-8"));
    }

    #[test]
    fn json_bodies_are_text_or_base64() {
        let json = HttpRequestJson {
            method: Some("POST".into()),
            path: "/x".into(),
            body_base64: Some("AAEC".into()),
            ..Default::default()
        };
        assert_eq!(HttpRequest::from_json(&json).unwrap().body, vec![0, 1, 2]);
        let response = HttpResponse {
            status: 200,
            headers: vec![("X-A".into(), "1".into()), ("x-a".into(), "2".into())],
            body: vec![0xff],
        };
        let json = response.to_json();
        assert_eq!(json.headers["x-a"], "1, 2");
        assert_eq!(json.body_base64.as_deref(), Some("/w=="));
        assert_eq!(json.body, None);
    }

    #[test]
    fn statuses_outside_http_are_refused() {
        let wit = handler::Response { status: 42, headers: vec![], body: vec![] };
        assert!(HttpResponse::from_wit(wit).unwrap_err().contains("42"));
    }
}
