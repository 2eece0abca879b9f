//! Who may have written a file the host trusts: the precompiled-code cache (whose files run
//! as native code) and the token file of `serve` (whose contents decide who may call).
//!
//! A file or directory is accepted only when its owner is one the caller allows (this
//! process's effective user; for a token file, root too, as for files an administrator
//! provisions) and no other user may write it. Whoever can write such a file can run code
//! as the host or let anyone call it, so the mode alone is not enough: a directory that only
//! its owner may write is still someone else's when another user owns it.
//!
//! On platforms without Unix ownership the checks accept everything.

use std::path::Path;

/// Whose files are accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owners {
    /// Only the given user (normally [`effective_uid`]).
    User(u32),
    /// The given user or root.
    UserOrRoot(u32),
}

/// The effective user id of this process.
#[cfg(unix)]
pub fn effective_uid() -> u32 {
    // SAFETY: geteuid has no preconditions, cannot fail and touches no memory of ours.
    unsafe { libc::geteuid() }
}

/// The effective user id of this process (0 where there is none).
#[cfg(not(unix))]
pub fn effective_uid() -> u32 {
    0
}

/// Checks that `path` (already opened or listed by the caller, `metadata` its metadata,
/// symbolic links followed or not as the caller chose) is owned by one of `owners` and
/// that no other user may write to it; with `private`, that no other user (outside its
/// group) may read it either. `what` names it in the error, e.g. `the component cache
/// directory`.
#[cfg(unix)]
pub fn check(
    what: &str,
    path: &Path,
    metadata: &std::fs::Metadata,
    owners: Owners,
    private: bool,
) -> Result<(), String> {
    use std::os::unix::fs::MetadataExt as _;
    let owner = metadata.uid();
    let mode = metadata.mode() & 0o7777;
    let (accepted, allowed) = match owners {
        Owners::User(uid) => (owner == uid, format!("uid {uid}, the user this host runs as")),
        Owners::UserOrRoot(uid) => {
            (owner == uid || owner == 0, format!("uid {uid}, the user this host runs as, or root"))
        }
    };
    if !accepted {
        return Err(format!(
            "refusing {what} {}: it is owned by uid {owner}, not by {allowed}; another user could \
             have written it (chown it to this user or use another path)",
            path.display()
        ));
    }
    if mode & 0o022 != 0 {
        return Err(format!(
            "refusing {what} {}: other users may write to it (mode {mode:o}); chmod go-w it",
            path.display()
        ));
    }
    if private && mode & 0o004 != 0 {
        return Err(format!(
            "refusing {what} {}: every user may read it (mode {mode:o}); chmod o-r it",
            path.display()
        ));
    }
    Ok(())
}

/// Accepts everything where there is no Unix ownership.
#[cfg(not(unix))]
pub fn check(
    _what: &str,
    _path: &Path,
    _metadata: &std::fs::Metadata,
    _owners: Owners,
    _private: bool,
) -> Result<(), String> {
    Ok(())
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt as _;

    fn check_file(mode: u32, owners: Owners, private: bool) -> Result<(), String> {
        let file = tempfile::NamedTempFile::new().unwrap();
        std::fs::set_permissions(file.path(), std::fs::Permissions::from_mode(mode)).unwrap();
        let metadata = std::fs::metadata(file.path()).unwrap();
        check("the test file", file.path(), &metadata, owners, private)
    }

    #[test]
    fn the_owner_and_the_mode_are_both_checked() {
        let me = effective_uid();
        assert_eq!(check_file(0o600, Owners::User(me), true), Ok(()));
        assert_eq!(check_file(0o640, Owners::User(me), true), Ok(()), "the group may read");
        let err = check_file(0o644, Owners::User(me), true).unwrap_err();
        assert!(err.contains("every user may read it (mode 644); chmod o-r it"), "{err}");
        assert_eq!(check_file(0o644, Owners::User(me), false), Ok(()));
        let err = check_file(0o620, Owners::User(me), false).unwrap_err();
        assert!(err.contains("other users may write to it (mode 620)"), "{err}");
        // The same file, as seen by a host running as another user.
        let other = me.wrapping_add(4242);
        let err = check_file(0o600, Owners::User(other), false).unwrap_err();
        assert!(err.contains(&format!("it is owned by uid {me}, not by uid {other}")), "{err}");
        let accepted_as_root_owned = check_file(0o600, Owners::UserOrRoot(other), false);
        assert_eq!(accepted_as_root_owned.is_ok(), me == 0, "{accepted_as_root_owned:?}");
    }
}
