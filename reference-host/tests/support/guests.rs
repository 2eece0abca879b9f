//! Hand-written guests for the tests: core modules in WAT, turned into components of the
//! host's world (or any WIT world) with `wit-component`, the way
//! `alga_extension_contract::probe` builds its probe.

use std::path::Path;
use wit_parser::abi::AbiVariant;
use wit_parser::{LiftLowerAbi, ManglingAndAbi, Resolve, WasmExport, WasmExportKind, WorldId, WorldItem};

const MANGLING: ManglingAndAbi = ManglingAndAbi::Legacy(LiftLowerAbi::Sync);

/// The host's world `alga:reference-host/extension`, read from `wit/` (and its `deps/`).
pub fn host_world() -> (Resolve, WorldId) {
    world_extension_in(&Path::new(env!("CARGO_MANIFEST_DIR")).join("wit"))
}

/// World `extension` of the WIT package in `dir` (and its `deps/`): the host's world of
/// today in `wit/`, or of an earlier contract (the deployed 0.1.0 sample's).
pub fn world_extension_in(dir: &Path) -> (Resolve, WorldId) {
    let mut resolve = Resolve::default();
    let (package, _) =
        resolve.push_dir(dir).unwrap_or_else(|err| panic!("the WIT in {} parses: {err:#}", dir.display()));
    let world = resolve.select_world(&[package], Some("extension")).expect("world `extension`");
    (resolve, world)
}

/// A component of `world` from the core module `wat`.
pub fn component(resolve: &Resolve, world: WorldId, wat: &str) -> Vec<u8> {
    let mut module =
        wat::parse_str(wat).unwrap_or_else(|err| panic!("the test's WAT is wrong: {err}\n{wat}"));
    wit_component::embed_component_metadata(
        &mut module,
        resolve,
        world,
        wit_component::StringEncoding::UTF8,
        false,
    )
    .expect("embedding the world");
    wit_component::ComponentEncoder::default()
        .validate(true)
        .module(&module)
        .expect("reading the module")
        .encode()
        .expect("encoding the component")
}

/// The core name and flat signature of the handler export.
struct HandleExport {
    name: String,
    post_return: String,
    params: usize,
}

fn handle_export(resolve: &Resolve, world: WorldId) -> HandleExport {
    let (key, item) = resolve.worlds[world].exports.iter().next().expect("the world exports the handler");
    let WorldItem::Interface { id, .. } = item else { panic!("the handler is an interface") };
    let function = &resolve.interfaces[*id].functions["handle"];
    let signature = resolve.wasm_signature(AbiVariant::GuestExport, function);
    assert_eq!(signature.results.len(), 1, "the response is returned through memory");
    let name = |kind| {
        resolve.wasm_export_name(MANGLING, WasmExport::Func { interface: Some(key), func: function, kind })
    };
    HandleExport {
        name: name(WasmExportKind::Normal),
        post_return: name(WasmExportKind::PostReturn),
        params: signature.params.len(),
    }
}

/// A guest of the host's world whose handler runs `body` (WAT instructions) and then answers
/// `200` with body `ok`; `memory_pages` is its initial memory. The module has a bump
/// allocator for the host to pass the request through.
pub fn handler_guest(body: &str, memory_pages: u32) -> Vec<u8> {
    let (resolve, world) = host_world();
    handler_guest_in(&resolve, world, "", body, memory_pages)
}

/// Like [`handler_guest`], for a world of `resolve` that exports the host's handler (and
/// may import more), with `imports` (WAT import declarations) added to the module.
pub fn handler_guest_in(
    resolve: &Resolve,
    world: WorldId,
    imports: &str,
    body: &str,
    memory_pages: u32,
) -> Vec<u8> {
    let export = handle_export(resolve, world);
    let params = vec!["i32"; export.params].join(" ");
    // The response record: status (u16) at 0, headers (ptr, len) at 4, body (ptr, len) at
    // 12; it lives at 1024, its body text at 2048. The heap starts at 4096.
    let wat = format!(
        r#"(module
  {imports}
  (memory (export "memory") {memory_pages})
  (global $heap (mut i32) (i32.const 4096))
  (data (i32.const 1024) "\c8\00\00\00\00\00\00\00\00\00\00\00\00\08\00\00\02\00\00\00")
  (data (i32.const 2048) "ok")
  (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32)
    (local $ptr i32)
    global.get $heap
    i32.const 7
    i32.add
    i32.const -8
    i32.and
    local.tee $ptr
    local.get 3
    i32.add
    global.set $heap
    (block $fits
      global.get $heap
      memory.size
      i32.const 16
      i32.shl
      i32.le_u
      br_if $fits
      global.get $heap
      i32.const 16
      i32.shr_u
      i32.const 1
      i32.add
      memory.size
      i32.sub
      memory.grow
      i32.const -1
      i32.ne
      br_if $fits
      unreachable)
    local.get $ptr)
  (func $work
    {body})
  (func (export "{name}") (param {params}) (result i32)
    call $work
    i32.const 1024)
  (func (export "{post_return}") (param i32)
    i32.const 4096
    global.set $heap)
)"#,
        name = export.name,
        post_return = export.post_return,
    );
    component(resolve, world, &wat)
}

/// A guest of world `guest` in `wit` (a package that includes the host's world and imports
/// more), whose module also declares `imports` (WAT) and whose handler runs `body`.
fn importing_guest(wit: &str, imports: &str, body: &str) -> Vec<u8> {
    let (mut resolve, _) = host_world();
    let package = resolve.push_str("importing-guest.wit", wit).expect("the test's WIT parses");
    let world = resolve.select_world(&[package], Some("guest")).expect("world `guest`");
    handler_guest_in(&resolve, world, imports, body, 1)
}

/// A guest of the host's world that also imports `wasi:cli/environment@0.2.3` (which the
/// host does not provide) and calls it.
pub fn wasi_importer() -> Vec<u8> {
    importing_guest(
        r#"package test:wasi-importer;

package wasi:cli@0.2.3 {
  interface environment {
    get-environment: func() -> list<tuple<string, string>>;
  }
}

world guest {
  include alga:reference-host/extension@0.1.0;
  import wasi:cli/environment@0.2.3;
}
"#,
        r#"(import "wasi:cli/environment@0.2.3" "get-environment" (func $env (param i32)))"#,
        "i32.const 3072\n    call $env",
    )
}

/// A guest of the host's world that also imports the console's `wasi:cli/stdout` and asks
/// for its stream without end, dropping nothing: each handle is a host resource, so only
/// the console's table limit (`console::MAX_RESOURCES`) stops it before the time limit.
pub fn stdout_handle_hoarder() -> Vec<u8> {
    importing_guest(
        r#"package test:stdout-hoarder;

package wasi:io@0.2.12 {
  interface streams {
    resource output-stream;
  }
}

package wasi:cli@0.2.12 {
  interface stdout {
    use wasi:io/streams@0.2.12.{output-stream};
    get-stdout: func() -> output-stream;
  }
}

world guest {
  include alga:reference-host/extension@0.1.0;
  import wasi:cli/stdout@0.2.12;
}
"#,
        r#"(import "wasi:cli/stdout@0.2.12" "get-stdout" (func $get_stdout (result i32)))"#,
        "(loop $more\n      call $get_stdout\n      drop\n      br $more)",
    )
}

/// A guest that answers every request with `200 ok`.
pub fn well_behaved() -> Vec<u8> {
    handler_guest("nop", 1)
}

/// A guest that never returns.
pub fn infinite_loop() -> Vec<u8> {
    handler_guest("(loop $forever (br $forever))", 1)
}

/// A guest that grows its memory a megabyte at a time until it is refused, then traps (as
/// a real allocator does when memory runs out).
pub fn memory_bomb() -> Vec<u8> {
    handler_guest(
        "(loop $more
      i32.const 16
      memory.grow
      i32.const -1
      i32.ne
      br_if $more)
    unreachable",
        1,
    )
}

/// A guest that asks for more memory than the cap at instantiation.
pub fn huge_initial_memory(pages: u32) -> Vec<u8> {
    handler_guest("nop", pages)
}

/// A guest that executes `unreachable`.
pub fn trap() -> Vec<u8> {
    handler_guest("unreachable", 1)
}

/// A guest that recurses until the stack runs out.
pub fn stack_overflow() -> Vec<u8> {
    handler_guest("call $work", 1)
}

/// A guest that answers with status 42.
pub fn bad_status() -> Vec<u8> {
    handler_guest("i32.const 1024\n    i32.const 42\n    i32.store16", 1)
}

/// A component of a world written in `wit` (a package of its own, no dependencies) whose
/// core module is `wat`.
pub fn component_of(wit: &str, world: &str, wat: &str) -> Vec<u8> {
    let mut resolve = Resolve::default();
    let package = resolve.push_str("test.wit", wit).expect("the test's WIT parses");
    let world = resolve.select_world(&[package], Some(world)).expect("the test's world");
    component(&resolve, world, wat)
}

/// A guest that calls `get-client(client_id)` in a loop that never ends by itself: only a
/// limit ends it. `client_id` must be 36 bytes (a UUID).
pub fn get_client_forever(client_id: &str) -> Vec<u8> {
    assert_eq!(client_id.len(), 36, "a UUID");
    let (resolve, world) = host_world();
    // The id at 3584, the call's result area at 3072: both below the heap (4096).
    handler_guest_in(
        &resolve,
        world,
        &format!(
            r#"(import "alga:extension/clients@{version}" "get-client" (func $get (param i32 i32 i32)))
  (data (i32.const 3584) "{client_id}")"#,
            version = alga_extension_contract::CONTRACT_VERSION
        ),
        "(loop $again
      i32.const 3584
      i32.const 36
      i32.const 3072
      call $get
      br $again)",
        1,
    )
}

/// A guest that answers `200 ok` with one response header, `name: value`, as given (CR, LF
/// and escape bytes included).
pub fn with_response_header(name: &str, value: &str) -> Vec<u8> {
    let wat_bytes = |bytes: &[u8]| bytes.iter().map(|b| format!("\\{b:02x}")).collect::<String>();
    let length = |text: &str| u8::try_from(text.len()).expect("a short text");
    let (name_len, value_len) = (wat_bytes(&[length(name)]), wat_bytes(&[length(value)]));
    let (name, value) = (wat_bytes(name.as_bytes()), wat_bytes(value.as_bytes()));
    let (resolve, world) = host_world();
    // The header record (name ptr, len, value ptr, len) at 2560, its texts at 2600 and 2800;
    // the response's header list (at 1028/1032 of the response record) points at it.
    handler_guest_in(
        &resolve,
        world,
        &format!(
            r#"(data (i32.const 2560) "\28\0a\00\00{name_len}\00\00\00\f0\0a\00\00{value_len}\00\00\00")
  (data (i32.const 2600) "{name}")
  (data (i32.const 2800) "{value}")"#,
        ),
        "i32.const 1028
    i32.const 2560
    i32.store
    i32.const 1032
    i32.const 1
    i32.store",
        1,
    )
}
