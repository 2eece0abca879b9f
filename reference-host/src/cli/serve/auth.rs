//! Who may call `serve`: the shared token callers present (`Authorization: Bearer TOKEN`),
//! where it comes from, the rules it must meet, and the rule that an address other machines
//! can reach is never served without one.
//!
//! # Token rules
//!
//! - It comes from the file named by `--token-file FILE` or from the environment variable
//!   [`TOKEN_ENV`], never from a command-line value (which `ps` shows to every user). Giving
//!   both is an error rather than a precedence rule nobody remembers.
//! - The file must be a regular file (a symbolic link to one is followed, as Kubernetes
//!   mounts secrets), owned by the user `serve` runs as or by root, that no other user may
//!   write and that users outside its group may not read ([`crate::ownership`]); at most
//!   [`MAX_TOKEN_BYTES`] bytes.
//! - Surrounding ASCII whitespace is trimmed (a file written by `echo` ends in a newline).
//!   What remains must be at least [`MIN_TOKEN_CHARS`] characters of the RFC 6750 token
//!   alphabet (`A-Z a-z 0-9 - . _ ~ + /`, then optional `=` padding), which
//!   `openssl rand -hex 32` or `openssl rand -base64 32` produce; an empty or short token is
//!   refused, never treated as "no token".
//! - Presented tokens are compared in constant time: both sides are hashed with SHA-256 and
//!   the digests compared with `subtle`, so neither the contents nor the length of the token
//!   leaks through timing.

use super::super::exit::CliError;
use crate::ownership::{self, Owners};
use sha2::{Digest as _, Sha256};
use std::io::Read as _;
use std::net::SocketAddr;
use std::path::Path;
use subtle::ConstantTimeEq as _;

/// The environment variable that may hold the token.
pub const TOKEN_ENV: &str = "ALGA_HOST_TOKEN";

/// The shortest token accepted, in characters.
pub const MIN_TOKEN_CHARS: usize = 16;

/// The largest token file read, in bytes.
pub const MAX_TOKEN_BYTES: usize = 4096;

/// The flag that serves an address other machines can reach without a token.
pub const INSECURE_FLAG: &str = "--insecure-no-auth";

/// The token callers must present. Only its SHA-256 digest is kept.
#[derive(Clone)]
pub struct Token {
    digest: [u8; 32],
}

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Token(..)")
    }
}

impl Token {
    /// The token in `text` (from `origin`, for messages), after the rules of the module
    /// documentation.
    pub fn parse(text: &str, origin: &str) -> Result<Token, String> {
        let token = text.trim_ascii();
        if token.is_empty() {
            return Err(format!("{origin} is empty: put a token in it (e.g. `openssl rand -hex 32`)"));
        }
        if !is_token68(token) {
            return Err(format!(
                "{origin} holds characters a bearer token cannot have: use letters, digits and \
                 `-._~+/` (then `=` padding), e.g. `openssl rand -hex 32`"
            ));
        }
        if token.len() < MIN_TOKEN_CHARS {
            return Err(format!(
                "{origin} holds a token of {} characters; use at least {MIN_TOKEN_CHARS} \
                 (e.g. `openssl rand -hex 32`)",
                token.len()
            ));
        }
        Ok(Token { digest: Sha256::digest(token.as_bytes()).into() })
    }

    /// The token in file `path`, which must meet the file rules of the module documentation.
    pub fn from_file(path: &Path) -> Result<Token, String> {
        let origin = format!("--token-file {}", path.display());
        let file = std::fs::File::open(path).map_err(|err| format!("{origin}: cannot open it: {err}"))?;
        // The metadata of the opened file, not of the path, so that what is checked is what
        // is read.
        let metadata = file.metadata().map_err(|err| format!("{origin}: {err}"))?;
        if !metadata.is_file() {
            return Err(format!("{origin} is not a regular file"));
        }
        ownership::check(
            "the token file",
            path,
            &metadata,
            Owners::UserOrRoot(ownership::effective_uid()),
            true,
        )?;
        let mut bytes = Vec::new();
        file.take(MAX_TOKEN_BYTES as u64 + 1)
            .read_to_end(&mut bytes)
            .map_err(|err| format!("{origin}: cannot read it: {err}"))?;
        if bytes.len() > MAX_TOKEN_BYTES {
            return Err(format!(
                "{origin} is larger than {MAX_TOKEN_BYTES} bytes: it holds more than a token"
            ));
        }
        let text = String::from_utf8(bytes).map_err(|_| format!("{origin} is not UTF-8 text"))?;
        Token::parse(&text, &origin)
    }

    /// Whether the value of an `Authorization` header presents this token
    /// (`Bearer TOKEN`, the scheme in any case).
    pub fn accepts(&self, authorization: Option<&[u8]>) -> bool {
        let presented = authorization.and_then(bearer).unwrap_or_default();
        let digest: [u8; 32] = Sha256::digest(presented).into();
        // Compared also when nothing was presented (the digest of nothing never matches a
        // token's), so the time taken says nothing about what was wrong.
        bool::from(digest.ct_eq(&self.digest))
    }
}

/// The token of an `Authorization: Bearer TOKEN` header value.
fn bearer(value: &[u8]) -> Option<&[u8]> {
    let (scheme, rest) = value.split_at_checked(6)?;
    if !scheme.eq_ignore_ascii_case(b"bearer") || !rest.starts_with(b" ") {
        return None;
    }
    Some(rest.trim_ascii())
}

/// RFC 6750's `b64token`: `1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="`.
fn is_token68(token: &str) -> bool {
    let body = token.trim_end_matches('=');
    !body.is_empty()
        && body
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'+' | b'/'))
}

/// The token `serve` requires, from `--token-file` or the environment variable
/// [`TOKEN_ENV`] (`environment` is its value, if set); `None` when neither is given.
pub fn configured(
    token_file: Option<&Path>,
    environment: Option<std::ffi::OsString>,
) -> Result<Option<Token>, CliError> {
    match (token_file, environment) {
        (Some(_), Some(_)) => Err(CliError::usage(format!(
            "the token is given twice, by --token-file and by {TOKEN_ENV}: give it in one place"
        ))),
        (Some(path), None) => Token::from_file(path).map(Some).map_err(CliError::usage),
        (None, Some(value)) => {
            let origin = format!("the environment variable {TOKEN_ENV}");
            let text =
                value.into_string().map_err(|_| CliError::usage(format!("{origin} is not UTF-8 text")))?;
            Token::parse(&text, &origin).map(Some).map_err(CliError::usage)
        }
        (None, None) => Ok(None),
    }
}

/// Refuses to serve `address` without a token when other machines may reach it (anything
/// but a loopback address), unless the operator said so with [`INSECURE_FLAG`].
pub fn check_exposure(address: SocketAddr, has_token: bool, insecure: bool) -> Result<(), CliError> {
    if has_token && insecure {
        return Err(CliError::usage(format!(
            "{INSECURE_FLAG} and a token (--token-file or {TOKEN_ENV}) contradict each other: drop one"
        )));
    }
    if has_token || insecure || address.ip().is_loopback() {
        return Ok(());
    }
    Err(CliError::usage(format!(
        "refusing to listen on {address} without a token: anyone who can reach it could run the \
         served extensions as any tenant and any user. Give the gateway's token with --token-file \
         FILE or {TOKEN_ENV}, listen on a loopback address (127.0.0.1), or pass {INSECURE_FLAG} \
         if something in front of this host already authenticates every caller"
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "0123456789abcdef0123456789abcdef";

    #[test]
    fn tokens_are_trimmed_and_must_be_long_bearer_tokens() {
        let token = Token::parse(&format!("{TOKEN}\n"), "the file").unwrap();
        assert!(token.accepts(Some(format!("Bearer {TOKEN}").as_bytes())));
        assert!(token.accepts(Some(format!("bearer  {TOKEN} ").as_bytes())), "scheme in any case");
        assert!(!token.accepts(Some(format!("Bearer {TOKEN}0").as_bytes())));
        assert!(!token.accepts(Some(format!("Basic {TOKEN}").as_bytes())));
        assert!(!token.accepts(Some(TOKEN.as_bytes())), "the scheme is required");
        assert!(!token.accepts(Some(b"Bearer ")));
        assert!(!token.accepts(None));

        assert_eq!(
            Token::parse(" \n", "the file").unwrap_err(),
            "the file is empty: put a token in it (e.g. `openssl rand -hex 32`)"
        );
        assert!(Token::parse("short", "X").unwrap_err().contains("a token of 5 characters; use at least 16"));
        assert!(
            Token::parse("with space inside the token", "X")
                .unwrap_err()
                .contains("characters a bearer token cannot have")
        );
        assert!(Token::parse("AAAAAAAAAAAAAAAAAAAAAAAA==", "X").is_ok(), "base64 padding");
        assert!(Token::parse("================", "X").is_err());
    }

    #[test]
    fn only_loopback_addresses_are_served_without_a_token() {
        let loopback: SocketAddr = "127.0.0.1:8787".parse().unwrap();
        let v6_loopback: SocketAddr = "[::1]:8787".parse().unwrap();
        let everywhere: SocketAddr = "0.0.0.0:8787".parse().unwrap();
        assert!(check_exposure(loopback, false, false).is_ok());
        assert!(check_exposure(v6_loopback, false, false).is_ok());
        assert!(check_exposure(everywhere, true, false).is_ok());
        assert!(check_exposure(everywhere, false, true).is_ok());
        let err = check_exposure(everywhere, false, false).unwrap_err();
        assert_eq!(err.code, crate::cli::exit::USAGE);
        assert!(err.message.starts_with("refusing to listen on 0.0.0.0:8787 without a token"), "{err}");
        assert!(err.message.contains("--insecure-no-auth"), "{err}");
        assert!(check_exposure(loopback, true, true).unwrap_err().message.contains("contradict"));
    }

    #[test]
    fn the_token_is_given_in_one_place() {
        let err = configured(Some(Path::new("/nonexistent")), Some(TOKEN.into())).unwrap_err();
        assert!(err.message.contains("given twice"), "{err}");
        assert!(configured(None, Some(TOKEN.into())).unwrap().is_some());
        assert!(configured(None, None).unwrap().is_none());
        let err = configured(None, Some("".into())).unwrap_err();
        assert_eq!(
            err.message,
            "the environment variable ALGA_HOST_TOKEN is empty: put a token in it (e.g. `openssl rand -hex 32`)"
        );
    }
}
