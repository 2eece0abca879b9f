//! The records of execution contexts read recently: an install's capabilities by (tenant,
//! install) and a user with their permissions and client by (tenant, user), each kept for
//! [`super::PostgresOptions::context_ttl`] after it was read.
//!
//! Why: resolving an execution's actor was a transaction of its own on every execution
//! (about 1 ms of a 1.7 ms `get-client` execution, issue 11), for records that change
//! rarely. The bound is the rule SPEC.md states in its note on CAP-1, AUTH-1 and AUTH-2: a
//! revoked capability or permission, or a deactivated user, takes effect for executions
//! that start more than the TTL after the change. Nothing else is cached (data reads always
//! go to the database).
//!
//! Invalidation: entries expire by age; [`ContextCache::clear`] (a fixture load) drops them
//! all and moves to a new generation, so that a read that started before the clear cannot
//! put what it read afterwards. Absent records are cached too (an install created now
//! appears within the TTL). The cache holds at most [`MAX_ENTRIES`] entries per kind; a full
//! cache drops its expired entries, then everything.

use crate::store::StoredUser;
use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

/// Most entries of each kind (installs, users) before the cache empties itself.
pub(crate) const MAX_ENTRIES: usize = 10_000;

/// A (tenant, id) key.
type Key = (String, String);

struct Entries {
    generation: u64,
    installs: HashMap<Key, (Instant, Option<Vec<String>>)>,
    users: HashMap<Key, (Instant, Option<StoredUser>)>,
}

/// The cache (see the module documentation).
pub(crate) struct ContextCache {
    ttl: Duration,
    entries: Mutex<Entries>,
}

impl ContextCache {
    /// A cache keeping records for `ttl` (zero: nothing is kept).
    pub fn new(ttl: Duration) -> ContextCache {
        ContextCache {
            ttl,
            entries: Mutex::new(Entries { generation: 0, installs: HashMap::new(), users: HashMap::new() }),
        }
    }

    fn entries(&self) -> MutexGuard<'_, Entries> {
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The current generation: take it before reading records to put.
    pub fn generation(&self) -> u64 {
        self.entries().generation
    }

    /// The install's capabilities, if read less than the TTL ago (`Some(None)`: there is
    /// no such install).
    pub fn install(&self, tenant_id: &str, install_id: &str) -> Option<Option<Vec<String>>> {
        let entries = self.entries();
        let (read, value) = entries.installs.get(&(tenant_id.to_string(), install_id.to_string()))?;
        (read.elapsed() < self.ttl).then(|| value.clone())
    }

    /// The user, if read less than the TTL ago (`Some(None)`: there is no such user).
    pub fn user(&self, tenant_id: &str, user_id: &str) -> Option<Option<StoredUser>> {
        let entries = self.entries();
        let (read, value) = entries.users.get(&(tenant_id.to_string(), user_id.to_string()))?;
        (read.elapsed() < self.ttl).then(|| value.clone())
    }

    /// Keeps an install's capabilities read in generation `generation`.
    pub fn put_install(
        &self,
        generation: u64,
        tenant_id: &str,
        install_id: &str,
        value: Option<Vec<String>>,
    ) {
        if self.ttl.is_zero() {
            return;
        }
        let ttl = self.ttl;
        let mut entries = self.entries();
        if entries.generation == generation {
            insert(&mut entries.installs, ttl, (tenant_id.to_string(), install_id.to_string()), value);
        }
    }

    /// Keeps a user read in generation `generation`.
    pub fn put_user(&self, generation: u64, tenant_id: &str, user_id: &str, value: Option<StoredUser>) {
        if self.ttl.is_zero() {
            return;
        }
        let ttl = self.ttl;
        let mut entries = self.entries();
        if entries.generation == generation {
            insert(&mut entries.users, ttl, (tenant_id.to_string(), user_id.to_string()), value);
        }
    }

    /// Drops every entry and starts a new generation.
    pub fn clear(&self) {
        let mut entries = self.entries();
        entries.generation += 1;
        entries.installs.clear();
        entries.users.clear();
    }
}

fn insert<V>(map: &mut HashMap<Key, (Instant, V)>, ttl: Duration, key: Key, value: V) {
    if map.len() >= MAX_ENTRIES && !map.contains_key(&key) {
        map.retain(|_, (read, _)| read.elapsed() < ttl);
        if map.len() >= MAX_ENTRIES {
            map.clear();
        }
    }
    map.insert(key, (Instant::now(), value));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_expire_after_the_ttl_and_a_clear_outdates_reads_in_flight() {
        let cache = ContextCache::new(Duration::from_millis(50));
        let generation = cache.generation();
        cache.put_install(generation, "t", "i", Some(vec!["cap:client.read".into()]));
        assert_eq!(cache.install("t", "i"), Some(Some(vec!["cap:client.read".into()])));
        assert_eq!(cache.install("other", "i"), None, "keyed by tenant");
        std::thread::sleep(Duration::from_millis(60));
        assert_eq!(cache.install("t", "i"), None, "expired");

        let before_clear = cache.generation();
        cache.clear();
        cache.put_user(before_clear, "t", "u", None);
        assert_eq!(cache.user("t", "u"), None, "a read from before the clear is not kept");
        cache.put_user(cache.generation(), "t", "u", None);
        assert_eq!(cache.user("t", "u"), Some(None), "absent records are kept too");
    }

    #[test]
    fn a_zero_ttl_keeps_nothing_and_a_full_cache_empties_itself() {
        let none = ContextCache::new(Duration::ZERO);
        none.put_install(0, "t", "i", None);
        assert_eq!(none.install("t", "i"), None);

        let cache = ContextCache::new(Duration::from_secs(60));
        for n in 0..MAX_ENTRIES {
            cache.put_install(0, "t", &n.to_string(), None);
        }
        assert_eq!(cache.entries().installs.len(), MAX_ENTRIES);
        cache.put_install(0, "t", "one more", None);
        assert_eq!(cache.entries().installs.len(), 1, "all fresh, so all dropped");
    }
}
