//! Compiled components: each distinct component is compiled once per process (kept in
//! memory) and, when a cache directory is configured, once per machine (precompiled to
//! disk, keyed by the component's content and the engine's fingerprint).
//!
//! # Trusting precompiled code
//!
//! [`Component::deserialize_file`] is `unsafe`: it maps the file as machine code and runs
//! it without validation, so a file that wasmtime did not produce for a compatible engine
//! can do anything the host process can. This cache upholds that contract as follows:
//!
//! - Every file is written by this module from [`wasmtime::Engine::precompile_component`],
//!   to a temporary name that is renamed into place, so a reader never sees half a file.
//! - Each `KEY.cwasm` has a `KEY.sha256` written after it. A file whose digest is missing or
//!   wrong (truncated, bit rot, a crash between the two renames, an edit) is deleted and the
//!   component recompiled: it is never trusted blindly.
//! - The key covers wasmtime's compatibility hash (version, target, flags), so an upgrade
//!   never loads stale code; wasmtime checks its own header again on load.
//! - The directory is created private (mode 0700) and refused when another user owns it or
//!   other users may write to it; each file is refused (and recompiled over) unless it is a
//!   regular file owned by this user that no other user may write ([`crate::ownership`]).
//!   The digest protects against accidents, not against someone who can write both files:
//!   whoever can write the directory or its files can run code as the host.

use crate::engine::HostEngine;
use crate::ownership::{self, Owners};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use wasmtime::component::Component;

/// SHA-256 of a component's bytes: its identity in the caches.
pub type ContentDigest = [u8; 32];

/// The SHA-256 digest of `bytes`.
pub fn digest(bytes: &[u8]) -> ContentDigest {
    Sha256::digest(bytes).into()
}

/// Lower-case hexadecimal text of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes.iter().fold(String::with_capacity(bytes.len() * 2), |mut out, b| {
        let _ = write!(out, "{b:02x}");
        out
    })
}

/// Where a component handed out by [`ComponentCache::get`] came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CacheSource {
    /// Already compiled in this process.
    Memory,
    /// Loaded from a precompiled file on disk.
    Disk,
    /// Compiled now (and written to disk when a directory is configured).
    Compiled,
}

/// The per-process and on-disk cache of compiled components of one engine.
pub struct ComponentCache {
    engine: Arc<HostEngine>,
    disk: Option<DiskCache>,
    /// One slot per component; a slot's lock is held while it compiles, so concurrent
    /// requests for the same component compile it once.
    slots: Mutex<HashMap<ContentDigest, Arc<Mutex<Option<Component>>>>>,
}

impl ComponentCache {
    /// A cache for `engine`, precompiling to `disk_dir` when given.
    pub fn new(engine: Arc<HostEngine>, disk_dir: Option<&Path>) -> anyhow::Result<Self> {
        let disk = disk_dir.map(DiskCache::open).transpose()?;
        Ok(ComponentCache { engine, disk, slots: Mutex::new(HashMap::new()) })
    }

    /// The on-disk directory, if any.
    pub fn disk_dir(&self) -> Option<&Path> {
        self.disk.as_ref().map(|d| d.dir.as_path())
    }

    /// The compiled form of `bytes` (whose digest is `content`), compiling it if no cache
    /// has it. The error is wasmtime's, for the caller to word.
    pub fn get(&self, content: ContentDigest, bytes: &[u8]) -> anyhow::Result<(Component, CacheSource)> {
        let slot = {
            let mut slots = self.slots.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            slots.entry(content).or_default().clone()
        };
        let mut slot = slot.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(component) = slot.as_ref() {
            return Ok((component.clone(), CacheSource::Memory));
        }
        let (component, source) = self.load_or_compile(content, bytes)?;
        *slot = Some(component.clone());
        Ok((component, source))
    }

    fn load_or_compile(
        &self,
        content: ContentDigest,
        bytes: &[u8],
    ) -> anyhow::Result<(Component, CacheSource)> {
        let engine = self.engine.engine();
        let Some(disk) = &self.disk else {
            return Ok((Component::new(engine, bytes)?, CacheSource::Compiled));
        };
        let key = disk.key(self.engine.fingerprint(), &content);
        if let Some(component) = disk.load(&self.engine, &key) {
            return Ok((component, CacheSource::Disk));
        }
        let precompiled = engine.precompile_component(bytes)?;
        // SAFETY: `precompiled` was produced just now by this engine's
        // `precompile_component`, which is exactly what `deserialize` requires.
        let component = unsafe { Component::deserialize(engine, &precompiled)? };
        if let Err(err) = disk.store(&key, &precompiled) {
            // The cache is an optimisation: a full disk or a read-only directory costs a
            // recompile next time, not this execution.
            eprintln!("warning: could not write the precompiled component to {}: {err}", disk.dir.display());
        }
        Ok((component, CacheSource::Compiled))
    }
}

/// The precompiled components in one directory.
struct DiskCache {
    dir: PathBuf,
    /// The only user whose directory and files are trusted: the one this host runs as.
    owner: u32,
}

impl DiskCache {
    fn open(dir: &Path) -> anyhow::Result<Self> {
        Self::open_as(dir, ownership::effective_uid())
    }

    /// The cache in `dir` for a host running as user `owner` (tests pretend to be another
    /// user to see files of their own as someone else's).
    fn open_as(dir: &Path, owner: u32) -> anyhow::Result<Self> {
        create_private_dir(dir)?;
        let metadata = std::fs::metadata(dir).map_err(|err| {
            anyhow::anyhow!("cannot read the component cache directory {}: {err}", dir.display())
        })?;
        ownership::check("the component cache directory", dir, &metadata, Owners::User(owner), false)
            .map_err(|why| anyhow::anyhow!("{why}: precompiled code from it runs unchecked"))?;
        Ok(DiskCache { dir: dir.to_path_buf(), owner })
    }

    /// Whether `path` is a file this cache may trust: a regular file (not a link) of its
    /// owner that no other user may write.
    fn trusted(&self, path: &Path) -> Result<(), String> {
        let metadata = std::fs::symlink_metadata(path).map_err(|err| err.to_string())?;
        if !metadata.file_type().is_file() {
            return Err(format!("{} is not a regular file", path.display()));
        }
        ownership::check("the precompiled file", path, &metadata, Owners::User(self.owner), false)
    }

    fn key(&self, fingerprint: &[u8; 32], content: &ContentDigest) -> String {
        let mut hasher = Sha256::new();
        hasher.update(fingerprint);
        hasher.update(content);
        hex(&hasher.finalize())
    }

    fn paths(&self, key: &str) -> (PathBuf, PathBuf) {
        (self.dir.join(format!("{key}.cwasm")), self.dir.join(format!("{key}.sha256")))
    }

    /// The component precompiled under `key`, if a file with a matching digest is there
    /// and wasmtime accepts it. Anything else is deleted (and recompiled by the caller).
    fn load(&self, engine: &HostEngine, key: &str) -> Option<Component> {
        let (code_path, digest_path) = self.paths(key);
        if !digest_path.exists() && !code_path.exists() {
            return None;
        }
        for path in [&digest_path, &code_path] {
            if let Err(why) = self.trusted(path) {
                self.discard(key, &why);
                return None;
            }
        }
        let expected = std::fs::read_to_string(&digest_path).ok()?;
        let Ok(code) = std::fs::read(&code_path) else {
            self.discard(key, "its digest file has no code file");
            return None;
        };
        if hex(&digest(&code)) != expected.trim() {
            self.discard(key, "its contents do not match the recorded digest");
            return None;
        }
        // SAFETY: the file was written by `store` below from `precompile_component` of an
        // engine with the same fingerprint (the key says so), and its digest matches what
        // `store` recorded, so it is exactly the bytes wasmtime produced. The directory and
        // both files are this user's and no one else may write them (see the module
        // documentation for what that does and does not cover), and wasmtime validates its
        // own header and engine compatibility on load.
        match unsafe { Component::deserialize_file(engine.engine(), &code_path) } {
            Ok(component) => Some(component),
            Err(err) => {
                self.discard(key, &format!("wasmtime refused it: {err}"));
                None
            }
        }
    }

    fn discard(&self, key: &str, why: &str) {
        let (code_path, digest_path) = self.paths(key);
        eprintln!("warning: recompiling instead of using {}: {why}", code_path.display());
        let _ = std::fs::remove_file(digest_path);
        let _ = std::fs::remove_file(code_path);
    }

    /// Writes the code, then its digest, each under a temporary name renamed into place.
    fn store(&self, key: &str, code: &[u8]) -> std::io::Result<()> {
        let (code_path, digest_path) = self.paths(key);
        write_atomically(&self.dir, &code_path, code)?;
        write_atomically(&self.dir, &digest_path, format!("{}\n", hex(&digest(code))).as_bytes())
    }
}

fn write_atomically(dir: &Path, path: &Path, contents: &[u8]) -> std::io::Result<()> {
    let mut file = tempfile::NamedTempFile::new_in(dir)?;
    file.write_all(contents)?;
    file.as_file().sync_all()?;
    file.persist(path).map_err(|err| err.error)?;
    Ok(())
}

fn create_private_dir(dir: &Path) -> anyhow::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir).map_err(|err| {
        anyhow::anyhow!("cannot create the component cache directory {}: {err}", dir.display())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::EngineConfig;

    /// The smallest component there is: no imports, no exports.
    const EMPTY_COMPONENT: &[u8] = b"\0asm\x0d\0\x01\0";

    fn engine() -> Arc<HostEngine> {
        HostEngine::new(EngineConfig { max_concurrent_executions: 2, ..EngineConfig::default() }).unwrap()
    }

    /// The one precompiled code file in `dir`.
    fn precompiled_file(dir: &Path) -> PathBuf {
        let mut files = std::fs::read_dir(dir).unwrap().map(|entry| entry.unwrap().path());
        files.find(|path| path.extension().is_some_and(|e| e == "cwasm")).expect("a .cwasm file")
    }

    /// A cache directory holding the empty component, compiled by a first cache.
    fn compiled_once(engine: &Arc<HostEngine>, dir: &Path) -> ContentDigest {
        let content = digest(EMPTY_COMPONENT);
        let first = ComponentCache::new(engine.clone(), Some(dir)).unwrap();
        assert_eq!(first.get(content, EMPTY_COMPONENT).unwrap().1, CacheSource::Compiled);
        content
    }

    #[test]
    fn a_component_is_compiled_once_per_process() {
        let cache = ComponentCache::new(engine(), None).unwrap();
        let content = digest(EMPTY_COMPONENT);
        assert_eq!(cache.get(content, EMPTY_COMPONENT).unwrap().1, CacheSource::Compiled);
        assert_eq!(cache.get(content, EMPTY_COMPONENT).unwrap().1, CacheSource::Memory);
    }

    #[test]
    fn precompiled_files_are_reused_and_corrupt_ones_recompiled() {
        let dir = tempfile::tempdir().unwrap();
        let engine = engine();
        let content = digest(EMPTY_COMPONENT);
        let first = ComponentCache::new(engine.clone(), Some(dir.path())).unwrap();
        assert_eq!(first.get(content, EMPTY_COMPONENT).unwrap().1, CacheSource::Compiled);

        let second = ComponentCache::new(engine.clone(), Some(dir.path())).unwrap();
        assert_eq!(second.get(content, EMPTY_COMPONENT).unwrap().1, CacheSource::Disk);

        // Flip one byte of the precompiled code: the digest no longer matches.
        let code = precompiled_file(dir.path());
        let mut bytes = std::fs::read(&code).unwrap();
        let middle = bytes.len() / 2;
        bytes[middle] ^= 0xff;
        std::fs::write(&code, bytes).unwrap();
        let third = ComponentCache::new(engine.clone(), Some(dir.path())).unwrap();
        assert_eq!(third.get(content, EMPTY_COMPONENT).unwrap().1, CacheSource::Compiled);

        // The rewritten file is good again.
        let fourth = ComponentCache::new(engine, Some(dir.path())).unwrap();
        assert_eq!(fourth.get(content, EMPTY_COMPONENT).unwrap().1, CacheSource::Disk);
    }

    #[cfg(unix)]
    #[test]
    fn a_directory_others_may_write_is_refused() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().unwrap();
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o777)).unwrap();
        let err = ComponentCache::new(engine(), Some(dir.path())).err().unwrap().to_string();
        assert!(err.contains("other users may write to it"), "{err}");
    }

    /// A uid that is not this process's: `nobody` when it is not us, else another.
    #[cfg(unix)]
    fn another_uid() -> u32 {
        let me = ownership::effective_uid();
        if me == 65534 { 65533 } else { 65534 }
    }

    /// Gives `path` to another user: really (chown) when this process may, which is when it
    /// runs as root; otherwise the cache is opened as if the host ran as another user, so
    /// that this user's files are someone else's to it. Returns the uid the cache must be
    /// opened as.
    #[cfg(unix)]
    fn owned_by_another_user(path: &Path) -> u32 {
        let me = ownership::effective_uid();
        if me == 0 {
            std::os::unix::fs::chown(path, Some(another_uid()), None).unwrap();
            me
        } else {
            another_uid()
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_directory_another_user_owns_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let cache_dir = dir.path().join("cache");
        std::fs::create_dir(&cache_dir).unwrap();
        let owner = owned_by_another_user(&cache_dir);
        let err = DiskCache::open_as(&cache_dir, owner).err().unwrap().to_string();
        assert!(err.starts_with("refusing the component cache directory"), "{err}");
        let me = ownership::effective_uid();
        let (actual, expected) = if me == 0 { (another_uid(), me) } else { (me, another_uid()) };
        assert!(err.contains(&format!("it is owned by uid {actual}, not by uid {expected}")), "{err}");
        assert!(err.ends_with("precompiled code from it runs unchecked"), "{err}");
    }

    #[cfg(unix)]
    #[test]
    fn a_precompiled_file_another_user_owns_is_never_loaded() {
        let dir = tempfile::tempdir().unwrap();
        let engine = engine();
        let content = compiled_once(&engine, dir.path());
        let code = precompiled_file(dir.path());
        // A file planted by another user: its digest matches (whoever planted it wrote both),
        // only its owner gives it away.
        let me = ownership::effective_uid();
        let owner = owned_by_another_user(&code);
        let cache = if owner == me {
            ComponentCache::new(engine.clone(), Some(dir.path())).unwrap()
        } else {
            // Pretending to run as another user makes the directory someone else's too;
            // open the disk cache over it as that user but with the directory check passed.
            let disk = DiskCache { dir: dir.path().to_path_buf(), owner };
            ComponentCache { engine: engine.clone(), disk: Some(disk), slots: Mutex::new(HashMap::new()) }
        };
        assert_eq!(cache.get(content, EMPTY_COMPONENT).unwrap().1, CacheSource::Compiled, "not loaded");
        if owner == me {
            // It was replaced by a file of this user's, which the next process loads.
            let next = ComponentCache::new(engine, Some(dir.path())).unwrap();
            assert_eq!(next.get(content, EMPTY_COMPONENT).unwrap().1, CacheSource::Disk);
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_link_in_place_of_a_precompiled_file_is_never_followed() {
        let dir = tempfile::tempdir().unwrap();
        let engine = engine();
        let content = compiled_once(&engine, dir.path());
        let code = precompiled_file(dir.path());
        let elsewhere = dir.path().join("elsewhere");
        std::fs::rename(&code, &elsewhere).unwrap();
        std::os::unix::fs::symlink(&elsewhere, &code).unwrap();
        let second = ComponentCache::new(engine, Some(dir.path())).unwrap();
        assert_eq!(second.get(content, EMPTY_COMPONENT).unwrap().1, CacheSource::Compiled);
        assert!(!std::fs::symlink_metadata(&code).unwrap().file_type().is_symlink(), "replaced");
    }
}
