//! The probe guest: a component generated from the WIT of any contract version, without a
//! wasm toolchain, that lets a test harness call every contract function through a real
//! host.
//!
//! For every interface `I` (with functions) that world `reader` imports, the probe exports
//! an interface `probe-I` with the same functions; each export forwards its arguments
//! unchanged to the import of the same name and returns the import's result. The probe
//! therefore observes exactly what a guest observes, for every function of the version it
//! was generated from, and works for future versions unchanged.
//!
//! How: the generator adds the `probe-*` interfaces and a world `probe` to a copy of the
//! [`Resolve`], writes a core module in WAT whose exports call the imports with identical
//! flattened signatures (a static return area when the canonical ABI returns through
//! memory, and a bump allocator reset in `cabi_post_*`), assembles it with `wat`, and
//! wraps it into a component with `wit-component`.

use anyhow::{Context, Result, bail, ensure};
use std::fmt::Write as _;
use wit_parser::abi::{AbiVariant, WasmType};
use wit_parser::{
    InterfaceId, LiftLowerAbi, ManglingAndAbi, Resolve, SizeAlign, WasmExport, WasmExportKind, WasmImport,
    WorldId, WorldItem, WorldKey,
};

/// Prefix of the probe's exported interfaces: `clients` is forwarded by `probe-clients`.
pub const PROBE_PREFIX: &str = "probe-";

/// Name of the world the generator adds.
pub const PROBE_WORLD: &str = "probe";

const MANGLING: ManglingAndAbi = ManglingAndAbi::Legacy(LiftLowerAbi::Sync);
/// Where results returned through memory are written; 8-aligned, after address 0.
const RETURN_AREA: usize = 16;

/// A generated probe component.
#[derive(Debug, Clone)]
pub struct Probe {
    /// The component's bytes.
    pub component: Vec<u8>,
    /// The core module's WAT source (for reading and debugging).
    pub wat: String,
    /// The forwarded functions.
    pub functions: Vec<ProbeFunction>,
}

/// One function the probe forwards.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProbeFunction {
    /// The imported interface, e.g. `alga:extension/clients@0.1.0`.
    pub interface: String,
    /// The exported interface that forwards it, e.g. `alga:extension/probe-clients@0.1.0`.
    pub export: String,
    /// The function name, e.g. `list-clients`.
    pub function: String,
}

/// Generates the probe for world `world` of `resolve` (normally world `reader` of a
/// contract version).
pub fn generate(resolve: &Resolve, world: WorldId) -> Result<Probe> {
    let mut resolve = resolve.clone();
    let (probe_world, functions) = add_probe_world(&mut resolve, world)?;
    let wat = forwarding_module(&resolve, probe_world)?;
    let mut module = wat::parse_str(&wat).context("assembling the generated probe module")?;
    wit_component::embed_component_metadata(
        &mut module,
        &resolve,
        probe_world,
        wit_component::StringEncoding::UTF8,
        false,
    )
    .context("embedding the probe world's type information")?;
    let component = wit_component::ComponentEncoder::default()
        .validate(true)
        .module(&module)
        .context("reading the generated probe module")?
        .encode()
        .context("encoding the probe component")?;
    Ok(Probe { component, wat, functions })
}

/// Generates the probe of the contract this crate carries.
pub fn generate_for_contract() -> Result<Probe> {
    let contract = crate::wit::contract()?;
    generate(&contract.resolve, contract.reader)
}

/// Name of the probe export that forwards interface `interface_id` (an id such as
/// `alga:extension/clients@0.1.0` becomes `alga:extension/probe-clients@0.1.0`).
pub fn probe_export_name(interface_id: &str) -> Option<String> {
    let (package, rest) = interface_id.split_once('/')?;
    Some(format!("{package}/{PROBE_PREFIX}{rest}"))
}

/// Adds `probe-I` for every imported interface `I` with functions, and world `probe`
/// importing what `world` imports and exporting the `probe-*` interfaces.
fn add_probe_world(resolve: &mut Resolve, world: WorldId) -> Result<(WorldId, Vec<ProbeFunction>)> {
    let source = resolve.worlds[world].clone();
    let package = source.package.context("the world belongs to no package")?;
    let mut probe = source.clone();
    probe.name = PROBE_WORLD.to_string();
    probe.exports = Default::default();
    probe.includes = Vec::new();
    let mut functions = Vec::new();
    for (key, item) in &source.imports {
        let WorldItem::Interface { id, .. } = item else {
            bail!(
                "world `{}` imports a bare function or type; the probe forwards interfaces only",
                source.name
            )
        };
        let imported = &resolve.interfaces[*id];
        if imported.functions.is_empty() {
            continue;
        }
        let name = imported.name.clone().context("the world imports an anonymous interface")?;
        let interface_id = resolve.id_of(*id).unwrap_or_else(|| resolve.name_world_key(key));
        let mut forwarder = imported.clone();
        forwarder.name = Some(format!("{PROBE_PREFIX}{name}"));
        forwarder.types = Default::default();
        forwarder.package = Some(package);
        forwarder.clone_of = None;
        let forwarder_id = resolve.interfaces.alloc(forwarder);
        let forwarder_name = format!("{PROBE_PREFIX}{name}");
        ensure!(
            !resolve.packages[package].interfaces.contains_key(&forwarder_name),
            "the package already has an interface `{forwarder_name}`"
        );
        resolve.packages[package].interfaces.insert(forwarder_name, forwarder_id);
        let mut export_item = item.clone();
        if let WorldItem::Interface { id, .. } = &mut export_item {
            *id = forwarder_id;
        }
        probe.exports.insert(WorldKey::Interface(forwarder_id), export_item);
        let export = resolve.id_of(forwarder_id).context("probe interface has no id")?;
        for function in resolve.interfaces[*id].functions.keys() {
            functions.push(ProbeFunction {
                interface: interface_id.clone(),
                export: export.clone(),
                function: function.clone(),
            });
        }
    }
    ensure!(!functions.is_empty(), "world `{}` imports no functions to forward", source.name);
    let probe_id = resolve.worlds.alloc(probe);
    resolve.packages[package].worlds.insert(PROBE_WORLD.to_string(), probe_id);
    Ok((probe_id, functions))
}

fn core_type(t: &WasmType) -> &'static str {
    match t {
        WasmType::I32 | WasmType::Pointer | WasmType::Length => "i32",
        WasmType::I64 | WasmType::PointerOrI64 => "i64",
        WasmType::F32 => "f32",
        WasmType::F64 => "f64",
    }
}

fn core_types(ts: &[WasmType]) -> String {
    ts.iter().map(core_type).collect::<Vec<_>>().join(" ")
}

/// A WAT identifier for an imported function.
fn import_ident(interface: InterfaceId, function: &str) -> String {
    let clean: String = function.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect();
    format!("$import_{}_{clean}", interface.index())
}

/// The core module: one import per contract function, one forwarding export per probe
/// function, `cabi_realloc`, `cabi_post_*` and a memory.
fn forwarding_module(resolve: &Resolve, world: WorldId) -> Result<String> {
    let world = &resolve.worlds[world];
    let mut sizes = SizeAlign::default();
    sizes.fill(resolve)?;

    let mut wat = String::from("(module\n");
    for (key, item) in &world.imports {
        let WorldItem::Interface { id, .. } = item else { continue };
        for function in resolve.interfaces[*id].functions.values() {
            let sig = resolve.wasm_signature(AbiVariant::GuestImport, function);
            let (module, field) =
                resolve.wasm_import_name(MANGLING, WasmImport::Func { interface: Some(key), func: function });
            writeln!(
                wat,
                "  (import {module:?} {field:?} (func {} (param {}) (result {})))",
                import_ident(*id, &function.name),
                core_types(&sig.params),
                core_types(&sig.results)
            )?;
        }
    }

    let mut largest_return = 8usize;
    let mut bodies = String::new();
    for (key, item) in &world.exports {
        let WorldItem::Interface { id, .. } = item else { continue };
        let target = imported_twin(resolve, world, *id)?;
        for function in resolve.interfaces[*id].functions.values() {
            let export_sig = resolve.wasm_signature(AbiVariant::GuestExport, function);
            let import_sig = resolve.wasm_signature(AbiVariant::GuestImport, function);
            let export_name = resolve.wasm_export_name(
                MANGLING,
                WasmExport::Func { interface: Some(key), func: function, kind: WasmExportKind::Normal },
            );
            let post_return_name = resolve.wasm_export_name(
                MANGLING,
                WasmExport::Func { interface: Some(key), func: function, kind: WasmExportKind::PostReturn },
            );
            writeln!(
                bodies,
                "  (func (export {export_name:?}) (param {}) (result {})",
                core_types(&export_sig.params),
                core_types(&export_sig.results)
            )?;
            for i in 0..export_sig.params.len() {
                writeln!(bodies, "    local.get {i}")?;
            }
            let call = import_ident(target, &function.name);
            if import_sig.retptr {
                // The import writes its result to memory at a pointer we pass; the export
                // returns a pointer to the same bytes, so one static area serves both.
                let result =
                    function.result.as_ref().context("a function returning through memory has a result")?;
                largest_return = largest_return.max(sizes.size(result).size_wasm32());
                ensure!(
                    sizes.align(result).align_wasm32() <= 8,
                    "`{}` returns an over-aligned value",
                    function.name
                );
                writeln!(
                    bodies,
                    "    i32.const {RETURN_AREA}\n    call {call}\n    i32.const {RETURN_AREA}"
                )?;
            } else {
                writeln!(bodies, "    call {call}")?;
            }
            bodies.push_str("  )\n");
            // Everything allocated during the call (arguments from the host, the import's
            // results) is dead once the host has read the result: reset the heap.
            writeln!(
                bodies,
                "  (func (export {post_return_name:?}) (param {})\n    global.get $heap_base\n    global.set $heap)",
                core_types(&export_sig.results)
            )?;
        }
    }

    let heap_base = (RETURN_AREA + largest_return + 15) & !15;
    writeln!(wat, "  (memory (export \"memory\") 1)")?;
    writeln!(wat, "  (global $heap_base i32 (i32.const {heap_base}))")?;
    writeln!(wat, "  (global $heap (mut i32) (i32.const {heap_base}))")?;
    wat.push_str(CABI_REALLOC);
    wat.push_str(&bodies);
    wat.push_str(")\n");
    Ok(wat)
}

/// The imported interface whose functions the exported `probe-*` interface forwards: the
/// import with the same name minus the prefix.
fn imported_twin(resolve: &Resolve, world: &wit_parser::World, export: InterfaceId) -> Result<InterfaceId> {
    let export_name = resolve.interfaces[export].name.as_deref().unwrap_or_default();
    let wanted = export_name.strip_prefix(PROBE_PREFIX).context("probe export without prefix")?;
    world
        .imports
        .values()
        .find_map(|item| match item {
            WorldItem::Interface { id, .. } if resolve.interfaces[*id].name.as_deref() == Some(wanted) => {
                Some(*id)
            }
            _ => None,
        })
        .with_context(|| format!("no imported interface `{wanted}` for `{export_name}`"))
}

/// A bump allocator: `cabi_realloc(old, old_size, align, new_size) -> ptr`. It grows
/// memory when needed and traps (`unreachable`) when memory cannot grow, which the host
/// reports as a guest trap.
const CABI_REALLOC: &str = r#"  (func (export "cabi_realloc") (param $old i32) (param $old_size i32) (param $align i32) (param $new_size i32) (result i32)
    (local $ptr i32) (local $end i32)
    global.get $heap
    local.get $align
    i32.add
    i32.const 1
    i32.sub
    i32.const 0
    local.get $align
    i32.sub
    i32.and
    local.tee $ptr
    local.get $new_size
    i32.add
    local.tee $end
    memory.size
    i32.const 16
    i32.shl
    i32.gt_u
    if
      local.get $end
      memory.size
      i32.const 16
      i32.shl
      i32.sub
      i32.const 65535
      i32.add
      i32.const 16
      i32.shr_u
      memory.grow
      i32.const -1
      i32.eq
      if unreachable end
    end
    local.get $end
    global.set $heap
    local.get $old
    if
      local.get $ptr
      local.get $old
      local.get $old_size
      local.get $new_size
      local.get $old_size
      local.get $new_size
      i32.lt_u
      select
      memory.copy
    end
    local.get $ptr
  )
"#;
