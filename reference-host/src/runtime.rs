//! The runtime: loads components (checked, compiled once, linked once into an
//! `InstancePre`) and runs executions, each in a fresh `Store` holding its own
//! [`HostState`], under the engine's limits.
//!
//! A [`Runtime`] is cheap to clone and safe to share between threads: every clone uses the
//! same engine, linker and caches. Executions never share guest state; a failed execution
//! (trap, time or memory limit) leaves nothing behind for the next one.

use crate::cache::{CacheSource, ComponentCache, ContentDigest, digest};
use crate::console::ConsoleOutput;
use crate::engine::{EngineConfig, HostEngine, SlotGuard};
use crate::error::{ExecutionError, LoadError};
use crate::http::{HttpRequest, HttpResponse};
use crate::state::HostState;
use crate::world::bindings::ExtensionPre;
use crate::{escape, versions, world};
use alga_conformance_protocol::{Call, ExecutionContext, Outcome};
use alga_extension_contract::host::dynamic::{CallError, call_json};
use alga_extension_contract::probe::probe_export_name;
use alga_reference_store::{Deadline, ReadServices};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Instant;
use wasmtime::component::{Component, InstancePre, Linker};
use wasmtime::{CallHook, Engine, Store, Trap};

/// How to build a [`Runtime`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RuntimeConfig {
    /// The engine and the limits of every execution.
    pub engine: EngineConfig,
    /// Where to keep precompiled components between processes; `None` keeps them in
    /// memory only.
    pub disk_cache: Option<PathBuf>,
}

/// The reference host's runtime over one set of read services.
#[derive(Clone)]
pub struct Runtime {
    shared: Arc<Shared>,
    services: ReadServices,
}

/// What every clone of a runtime shares.
struct Shared {
    engine: Arc<HostEngine>,
    linker: Linker<HostState>,
    cache: ComponentCache,
    extensions: Mutex<HashMap<ContentDigest, Extension>>,
    probes: Mutex<HashMap<ContentDigest, ProbeComponent>>,
}

/// An extension ready to run: compiled, checked against the host's world, and linked.
#[derive(Clone)]
pub struct Extension {
    pre: ExtensionPre<HostState>,
    digest: ContentDigest,
    source: CacheSource,
    contract_versions: Arc<[String]>,
}

impl Extension {
    /// SHA-256 of the component's bytes.
    pub fn digest(&self) -> &ContentDigest {
        &self.digest
    }

    /// The versions of the contract the component imports (`["0.1.0"]` for an extension
    /// built for 0.1, which the host serves through its 0.1 track): see
    /// [`versions::contract_versions_imported`].
    pub fn contract_versions(&self) -> &[String] {
        &self.contract_versions
    }

    /// Where its compiled code came from when it was first loaded.
    pub fn source(&self) -> CacheSource {
        self.source
    }
}

/// A probe component (see `alga_extension_contract::probe`) ready to run.
#[derive(Clone)]
pub struct ProbeComponent {
    pre: InstancePre<HostState>,
    source: CacheSource,
    /// The contract versions it imports ([`versions::contract_versions_imported`]).
    contract_versions: Arc<[String]>,
}

/// What came of one execution ([`Runtime::execute_with_console`]).
#[derive(Debug)]
pub struct Executed {
    /// The extension's response, or why there is none.
    pub result: Result<HttpResponse, ExecutionError>,
    /// What the extension wrote to its console.
    pub console: ConsoleOutput,
}

impl ProbeComponent {
    /// Where its compiled code came from when it was first loaded.
    pub fn source(&self) -> CacheSource {
        self.source
    }
}

impl Runtime {
    /// A runtime over `services`, on the process's engine for `config.engine`
    /// ([`HostEngine::shared`]).
    pub fn new(services: ReadServices, config: &RuntimeConfig) -> anyhow::Result<Self> {
        let engine = HostEngine::shared(config.engine.clone())?;
        let mut linker = Linker::new(engine.engine());
        versions::add_to_linker(&mut linker)?;
        crate::console::add_to_linker(&mut linker)?;
        let cache = ComponentCache::new(engine.clone(), config.disk_cache.as_deref())?;
        let shared = Shared {
            engine,
            linker,
            cache,
            extensions: Mutex::new(HashMap::new()),
            probes: Mutex::new(HashMap::new()),
        };
        Ok(Runtime { shared: Arc::new(shared), services })
    }

    /// A runtime sharing this one's engine, linker and caches, over other read services.
    pub fn with_services(&self, services: ReadServices) -> Self {
        Runtime { shared: self.shared.clone(), services }
    }

    /// The read services the contract's functions are answered from.
    pub fn services(&self) -> &ReadServices {
        &self.services
    }

    /// The shared engine.
    pub fn engine(&self) -> &Arc<HostEngine> {
        &self.shared.engine
    }

    /// The on-disk cache directory, if any.
    pub fn disk_cache(&self) -> Option<&Path> {
        self.shared.cache.disk_dir()
    }

    /// Loads the extension in file `path`.
    pub fn load_extension_file(&self, path: &Path) -> Result<Extension, LoadError> {
        self.load_extension(&read_component(path)?)
    }

    /// Loads an extension from its component bytes. Loading the same bytes again returns
    /// the same prepared extension without compiling or linking again.
    pub fn load_extension(&self, bytes: &[u8]) -> Result<Extension, LoadError> {
        let content = digest(bytes);
        if let Some(extension) = lock(&self.shared.extensions).get(&content) {
            return Ok(extension.clone());
        }
        let (component, source) = self.compile(content, bytes)?;
        let engine = self.shared.engine.engine();
        world::check_targets(engine, &component, &[world::handler_export()])?;
        let imports: Vec<String> =
            component.component_type().imports(engine).map(|(name, _)| name.to_string()).collect();
        let contract_versions = versions::contract_versions_imported(imports.iter().map(String::as_str));
        let pre = self.link(&component)?;
        let pre = ExtensionPre::new(pre).map_err(|err| LoadError::Link { message: format!("{err:#}") })?;
        let extension =
            Extension { pre, digest: content, source, contract_versions: contract_versions.into() };
        lock(&self.shared.extensions).insert(content, extension.clone());
        Ok(extension)
    }

    /// Loads a probe component (it exports `probe-*` interfaces that forward to the
    /// contract's imports).
    pub fn load_probe(&self, bytes: &[u8]) -> Result<ProbeComponent, LoadError> {
        let content = digest(bytes);
        if let Some(probe) = lock(&self.shared.probes).get(&content) {
            return Ok(probe.clone());
        }
        let (component, source) = self.compile(content, bytes)?;
        let engine = self.shared.engine.engine();
        world::check_targets(engine, &component, &[])?;
        let imports: Vec<String> =
            component.component_type().imports(engine).map(|(name, _)| name.to_string()).collect();
        let contract_versions =
            versions::contract_versions_imported(imports.iter().map(String::as_str)).into();
        let probe = ProbeComponent { pre: self.link(&component)?, source, contract_versions };
        lock(&self.shared.probes).insert(content, probe.clone());
        Ok(probe)
    }

    /// Instantiates `extension` in a fresh execution and drops it without calling the
    /// handler: proves that it starts within the limits (`serve` checks every component
    /// this way before it listens; the benchmarks time it).
    pub fn start(&self, extension: &Extension, context: &ExecutionContext) -> Result<(), ExecutionError> {
        let _slot = self.slot()?;
        let mut store = self.new_store(context, &extension.contract_versions);
        match extension.pre.instantiate(&mut store) {
            Ok(_) => Ok(()),
            Err(err) => Err(classify(err, store.data(), Stage::Instantiate)),
        }
    }

    /// Runs `extension`'s handler on `request` in `context`, in a fresh execution.
    pub fn execute(
        &self,
        extension: &Extension,
        context: &ExecutionContext,
        request: &HttpRequest,
    ) -> Result<HttpResponse, ExecutionError> {
        self.execute_with_console(extension, context, request).result
    }

    /// The same, and what the extension wrote to its console ([`crate::console`]; empty for
    /// an extension built without it), whether the execution succeeded or not: the message
    /// of an uncaught JavaScript exception arrives there just before the trap.
    pub fn execute_with_console(
        &self,
        extension: &Extension,
        context: &ExecutionContext,
        request: &HttpRequest,
    ) -> Executed {
        let _slot = match self.slot() {
            Ok(slot) => slot,
            Err(err) => return Executed { result: Err(err), console: ConsoleOutput::default() },
        };
        let mut store = self.new_store(context, &extension.contract_versions);
        let result = match extension.pre.instantiate(&mut store) {
            Ok(bindings) => bindings
                .alga_reference_host_handler()
                .call_handle(&mut store, &request.to_wit())
                .map_err(|err| classify(err, store.data(), Stage::Call))
                .and_then(|response| {
                    HttpResponse::from_wit(response)
                        .map_err(|message| ExecutionError::BadResponse { message })
                }),
            Err(err) => Err(classify(err, store.data(), Stage::Instantiate)),
        };
        Executed { result, console: store.data().console_output() }
    }

    /// Runs `call` through `probe` in `context`, in a fresh execution, and classifies
    /// what came of it.
    pub fn call_probe(&self, probe: &ProbeComponent, context: &ExecutionContext, call: &Call) -> Outcome {
        let Some(export) = probe_export_name(&call.interface) else {
            return Outcome::HostFailure {
                message: format!("`{}` is not an interface name like `ns:pkg/name@version`", call.interface),
            };
        };
        let _slot = match self.slot() {
            Ok(slot) => slot,
            Err(err) => return Outcome::HostFailure { message: err.to_string() },
        };
        let mut store = self.new_store(context, &probe.contract_versions);
        let instance = match probe.pre.instantiate(&mut store) {
            Ok(instance) => instance,
            Err(err) => {
                return Outcome::HostFailure {
                    message: classify(err, store.data(), Stage::Instantiate).to_string(),
                };
            }
        };
        match call_json(&mut store, &instance, &export, &call.function, &call.args) {
            Ok(result) => Outcome::from_result_json(result),
            Err(CallError::Trap(err)) => {
                Outcome::GuestTrap { message: classify(err, store.data(), Stage::Call).to_string() }
            }
            Err(other) => Outcome::HostFailure { message: other.to_string() },
        }
    }

    fn compile(&self, content: ContentDigest, bytes: &[u8]) -> Result<(Component, CacheSource), LoadError> {
        check_header(bytes)?;
        self.shared
            .cache
            .get(content, bytes)
            .map_err(|err| LoadError::Invalid { message: format!("{err:#}") })
    }

    fn link(&self, component: &Component) -> Result<InstancePre<HostState>, LoadError> {
        self.shared
            .linker
            .instantiate_pre(component)
            .map_err(|err| LoadError::Link { message: format!("{err:#}") })
    }

    /// An execution slot of the engine (held for the whole execution; the store, declared
    /// after it, is dropped first).
    fn slot(&self) -> Result<SlotGuard<'_>, ExecutionError> {
        let engine = &self.shared.engine;
        let wait = engine.slot_wait();
        engine.acquire_slot(wait).ok_or_else(|| ExecutionError::Busy {
            slots: engine.config().max_concurrent_executions,
            waited: wait,
        })
    }

    fn new_store(&self, context: &ExecutionContext, guest_versions: &Arc<[String]>) -> Store<HostState> {
        let engine: &Engine = self.shared.engine.engine();
        let limits = self.shared.engine.config().limits;
        // Every store wait of the execution ends before its time does, with a reserve for the
        // guest to handle the `internal` (ERR-1: a database failure never traps the guest).
        let deadline = Deadline::at(Instant::now() + limits.store_time());
        let state = HostState::new(context.clone(), self.services.clone().until(deadline), limits)
            .for_guest(guest_versions.clone());
        let mut store = Store::new(engine, state);
        store.limiter(|state| state.limiter());
        // A contract call past the contract-call or row limit returns `internal` to the
        // bindings; this hook turns its return into a trap, so the execution ends there and
        // the guest never sees that answer (`crate::limits`).
        store.call_hook(|store, hook| match (hook, store.data().limiter_ref().ended_by()) {
            (CallHook::ReturningFromHost, Some(limit)) => Err(wasmtime::format_err!("{limit}")),
            _ => Ok(()),
        });
        // Trapping at the deadline is the store's default behaviour on an epoch engine.
        store.set_epoch_deadline(self.shared.engine.deadline_ticks());
        store
    }
}

/// Reads a component file, telling a missing file from an unreadable one.
pub fn read_component(path: &Path) -> Result<Vec<u8>, LoadError> {
    std::fs::read(path).map_err(|err| match err.kind() {
        std::io::ErrorKind::NotFound => LoadError::NotFound { path: path.display().to_string() },
        _ => LoadError::Unreadable { path: path.display().to_string(), message: err.to_string() },
    })
}

/// Tells a component from a core module, a precompiled artifact and anything else before
/// compiling, so that the error says which it is.
fn check_header(bytes: &[u8]) -> Result<(), LoadError> {
    if Engine::detect_precompiled(bytes).is_some() {
        return Err(LoadError::Precompiled);
    }
    if !bytes.starts_with(b"\0asm") {
        return Err(LoadError::NotWasm);
    }
    // Bytes 4..8: version 1, layer 0 for a core module; a component has layer 1.
    if bytes.get(4..8) == Some(&[1, 0, 0, 0]) {
        return Err(LoadError::CoreModule);
    }
    Ok(())
}

/// Whether a failure happened while starting the guest or while it ran.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Stage {
    Instantiate,
    Call,
}

/// Words a wasmtime error of an execution: a limit when one was hit (the deadline trap,
/// or a limit the limiter recorded), else the trap, else a failure to start.
///
/// A trap's message and backtrace carry text the guest chose (function names from its name
/// section), so control characters in them are escaped line by line: they reach logs and
/// terminals.
fn classify(err: wasmtime::Error, state: &HostState, stage: Stage) -> ExecutionError {
    let limits = state.limiter_ref();
    if err.downcast_ref::<Trap>() == Some(&Trap::Interrupt) {
        // `Interrupt` is what an epoch deadline raises; nothing else interrupts here.
        return ExecutionError::Limit(crate::limits::LimitExceeded::Time { limit: limits.limits().time });
    }
    if let Some(limit) = limits.cause() {
        return ExecutionError::Limit(limit.clone());
    }
    let trapped = err.downcast_ref::<Trap>().is_some();
    if stage == Stage::Instantiate && !trapped {
        return ExecutionError::Instantiate { message: escape::lines(&format!("{err:#}")) };
    }
    let mut message = err.root_cause().to_string();
    if let Some(backtrace) = err.downcast_ref::<wasmtime::WasmBacktrace>() {
        message.push('\n');
        message.push_str(backtrace.to_string().trim_end());
    }
    ExecutionError::Trap { message: escape::lines(&message) }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A panic while holding one of these locks leaves a consistent map (inserts are
    // single operations), so a poisoned lock is still safe to use.
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}
