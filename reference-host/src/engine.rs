//! The one wasmtime [`Engine`] a host shares between all its executions: its configuration
//! (pooling allocator, epoch interruption), the single ticker thread that advances the
//! epoch, and the fingerprint that keys precompiled components on disk.

use crate::limits::Limits;
use sha2::{Digest, Sha256};
use std::hash::{Hash, Hasher};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, Weak};
use std::thread::JoinHandle;
use std::time::Duration;
use wasmtime::{Config, Engine, InstanceAllocationStrategy, PoolingAllocationConfig};

/// How a host's engine is set up and what its guests may use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EngineConfig {
    /// What one execution may use.
    pub limits: Limits,
    /// How many executions may run at the same time. The pooling allocator reserves slots
    /// for this many instances up front; one more concurrent execution fails to
    /// instantiate with a clear error instead of exhausting the machine.
    pub max_concurrent_executions: u32,
    /// How often the ticker advances the epoch: the granularity of the time limit.
    pub epoch_tick: Duration,
}

impl Default for EngineConfig {
    fn default() -> Self {
        EngineConfig {
            limits: Limits::default(),
            max_concurrent_executions: 128,
            epoch_tick: Duration::from_millis(10),
        }
    }
}

/// A shared wasmtime engine with its epoch ticker. Cheap to share (`Arc`); dropping the
/// last handle stops the ticker thread.
pub struct HostEngine {
    engine: Engine,
    config: EngineConfig,
    fingerprint: [u8; 32],
    slots: ExecutionSlots,
    _ticker: EpochTicker,
}

impl std::fmt::Debug for HostEngine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HostEngine").field("config", &self.config).finish_non_exhaustive()
    }
}

impl HostEngine {
    /// The engine for `config` that every runtime of this process asking for the same
    /// configuration shares (created on first use, dropped with its last user).
    ///
    /// Sharing matters beyond compile caches: the pooling allocator reserves address space
    /// for every slot up front (about 2 TiB of virtual memory, not resident, for the default
    /// 128 executions), so a process that made an engine per runtime would run out of
    /// address space after a few dozen. The runtimes sharing an engine share its
    /// `max_concurrent_executions` slots.
    pub fn shared(config: EngineConfig) -> anyhow::Result<Arc<Self>> {
        static ENGINES: Mutex<Vec<(EngineConfig, Weak<HostEngine>)>> = Mutex::new(Vec::new());
        let mut engines = ENGINES.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        engines.retain(|(_, engine)| engine.strong_count() > 0);
        if let Some(engine) = engines.iter().find(|(c, _)| *c == config).and_then(|(_, e)| e.upgrade()) {
            return Ok(engine);
        }
        let engine = Self::new(config.clone())?;
        engines.push((config, Arc::downgrade(&engine)));
        Ok(engine)
    }

    /// Creates an engine of its own and starts its ticker thread. Prefer
    /// [`HostEngine::shared`].
    pub fn new(config: EngineConfig) -> anyhow::Result<Arc<Self>> {
        anyhow::ensure!(config.max_concurrent_executions > 0, "max_concurrent_executions must be at least 1");
        anyhow::ensure!(!config.epoch_tick.is_zero(), "the epoch tick must be longer than zero");
        anyhow::ensure!(!config.limits.time.is_zero(), "the time limit must be longer than zero");
        let engine = Engine::new(&wasmtime_config(&config))?;
        let fingerprint = fingerprint(&engine);
        let ticker = EpochTicker::start(engine.clone(), config.epoch_tick);
        let slots = ExecutionSlots::new(config.max_concurrent_executions);
        Ok(Arc::new(HostEngine { engine, config, fingerprint, slots, _ticker: ticker }))
    }

    /// The wasmtime engine.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// The configuration it was created with.
    pub fn config(&self) -> &EngineConfig {
        &self.config
    }

    /// A digest of everything that makes a precompiled component usable by this engine
    /// (wasmtime's version, target, compiler flags, tunables and wasm features): part of
    /// the key of the on-disk cache.
    pub fn fingerprint(&self) -> &[u8; 32] {
        &self.fingerprint
    }

    /// Takes one of the engine's `max_concurrent_executions` slots for an execution,
    /// waiting up to `wait` for one to free; `None` when none did. Holding a slot for the
    /// whole execution means instantiation never meets a full pool: executions beyond the
    /// pool queue (back-pressure) instead of failing at once.
    pub fn acquire_slot(&self, wait: Duration) -> Option<SlotGuard<'_>> {
        self.slots.acquire(wait)
    }

    /// How long an execution waits for a slot: twice the time limit. A slot is held by an
    /// execution that ends within its time limit, so a waiter normally gets one within one
    /// time limit; only a host overloaded for longer turns callers away.
    pub fn slot_wait(&self) -> Duration {
        self.config.limits.time.saturating_mul(2)
    }

    /// The epoch deadline, in ticks, that ends an execution after the time limit. One
    /// tick is added because the first tick may come at once after the deadline is set.
    pub fn deadline_ticks(&self) -> u64 {
        let tick = self.config.epoch_tick.as_nanos().max(1);
        let ticks = self.config.limits.time.as_nanos().div_ceil(tick);
        u64::try_from(ticks).unwrap_or(u64::MAX - 1) + 1
    }
}

fn wasmtime_config(config: &EngineConfig) -> Config {
    let executions = config.max_concurrent_executions;
    let mut pool = PoolingAllocationConfig::default();
    // A componentize-js extension instantiates about ten core instances with a few
    // memories and tables; the multipliers leave room for that in every slot.
    pool.total_component_instances(executions)
        .total_core_instances(executions.saturating_mul(16))
        .total_memories(executions.saturating_mul(4))
        .total_tables(executions.saturating_mul(8))
        .table_elements(config.limits.table_elements);
    // The pool's per-memory maximum stays at its default on purpose: the limiter enforces
    // the cap, over all memories together, at instantiation and at every growth, with an
    // error that names the limit. A smaller pool maximum would reject a component with a
    // large initial memory at load time with a message about the pooling allocator.
    let mut wasmtime = Config::new();
    wasmtime
        .allocation_strategy(InstanceAllocationStrategy::Pooling(pool))
        .epoch_interruption(true)
        .parallel_compilation(true);
    wasmtime
}

/// A counting semaphore over the pool's instance slots.
struct ExecutionSlots {
    free: Mutex<u32>,
    freed: Condvar,
}

/// One execution slot, given back when dropped.
pub struct SlotGuard<'a> {
    slots: &'a ExecutionSlots,
}

impl ExecutionSlots {
    fn new(count: u32) -> Self {
        ExecutionSlots { free: Mutex::new(count), freed: Condvar::new() }
    }

    fn acquire(&self, wait: Duration) -> Option<SlotGuard<'_>> {
        let free = self.free.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let (mut free, _) = self
            .freed
            .wait_timeout_while(free, wait, |free| *free == 0)
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if *free == 0 {
            return None;
        }
        *free -= 1;
        Some(SlotGuard { slots: self })
    }
}

impl Drop for SlotGuard<'_> {
    fn drop(&mut self) {
        *self.slots.free.lock().unwrap_or_else(|poisoned| poisoned.into_inner()) += 1;
        self.slots.freed.notify_one();
    }
}

/// Feeds what a [`Hash`] writes into SHA-256, so that wasmtime's compatibility hash becomes
/// a digest stable across runs of the same build.
struct Sha256Hasher(Sha256);

impl Hasher for Sha256Hasher {
    fn finish(&self) -> u64 {
        let digest = self.0.clone().finalize();
        u64::from_le_bytes(digest[..8].try_into().expect("a SHA-256 digest has 32 bytes"))
    }

    fn write(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }
}

fn fingerprint(engine: &Engine) -> [u8; 32] {
    let mut hasher = Sha256Hasher(Sha256::new());
    hasher.write(b"alga-reference-host precompiled component v1\0");
    hasher.write(env!("CARGO_PKG_VERSION").as_bytes());
    engine.precompile_compatibility_hash().hash(&mut hasher);
    hasher.0.finalize().into()
}

/// The one thread that advances the engine's epoch every tick, for every execution at once
/// (a thread per execution, as Alga's runner has, costs a thread spawn per request).
struct EpochTicker {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl EpochTicker {
    fn start(engine: Engine, tick: Duration) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let stop_flag = stop.clone();
        let thread = std::thread::Builder::new()
            .name("alga-epoch-ticker".into())
            .spawn(move || {
                while !stop_flag.load(Ordering::Acquire) {
                    std::thread::park_timeout(tick);
                    engine.increment_epoch();
                }
            })
            .expect("spawning the epoch ticker thread");
        EpochTicker { stop, thread: Some(thread) }
    }
}

impl Drop for EpochTicker {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Release);
        if let Some(thread) = self.thread.take() {
            thread.thread().unpark();
            let _ = thread.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_deadline_covers_the_time_limit_plus_one_tick() {
        let config = EngineConfig {
            limits: Limits { time: Duration::from_millis(105), ..Limits::default() },
            max_concurrent_executions: 2,
            epoch_tick: Duration::from_millis(10),
        };
        let engine = HostEngine::new(config).unwrap();
        assert_eq!(engine.deadline_ticks(), 12);
    }

    #[test]
    fn executions_beyond_the_slots_wait_for_one_to_free() {
        let slots = ExecutionSlots::new(2);
        let first = slots.acquire(Duration::ZERO).expect("a free slot");
        let _second = slots.acquire(Duration::ZERO).expect("a second free slot");
        assert!(slots.acquire(Duration::from_millis(20)).is_none(), "no third slot");
        std::thread::scope(|scope| {
            let waiter = scope.spawn(|| slots.acquire(Duration::from_secs(5)).is_some());
            std::thread::sleep(Duration::from_millis(50));
            drop(first);
            assert!(waiter.join().unwrap(), "the waiter got the freed slot");
        });
    }

    #[test]
    fn runtimes_with_the_same_configuration_share_one_engine() {
        let config = EngineConfig { max_concurrent_executions: 3, ..EngineConfig::default() };
        let a = HostEngine::shared(config.clone()).unwrap();
        let b = HostEngine::shared(config.clone()).unwrap();
        assert!(Arc::ptr_eq(&a, &b));
        let other = HostEngine::shared(EngineConfig { max_concurrent_executions: 4, ..config }).unwrap();
        assert!(!Arc::ptr_eq(&a, &other));
    }

    #[test]
    fn the_fingerprint_is_stable_and_depends_on_the_configuration() {
        let small = EngineConfig { max_concurrent_executions: 2, ..EngineConfig::default() };
        let a = HostEngine::new(small.clone()).unwrap();
        let b = HostEngine::new(small).unwrap();
        assert_eq!(a.fingerprint(), b.fingerprint());
        let mut other = Config::new();
        other.epoch_interruption(false);
        assert_ne!(*a.fingerprint(), fingerprint(&Engine::new(&other).unwrap()));
    }
}
