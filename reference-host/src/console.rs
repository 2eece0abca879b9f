//! An extension's console: the few WASI interfaces a JavaScript extension built with its
//! console enabled imports (`console.log`, `console.error` and the message of an uncaught
//! exception are written to WASI's standard output and error), and the bounded buffer that
//! keeps what an execution wrote so that the host can show it: `run` prints it on stderr,
//! `serve` writes it to its log.
//!
//! Why a subset, not all of WASI: the contract gives an extension its data through
//! `alga:extension/*` and nothing else; the console is a development aid. What is linked is
//! exactly what componentize-js imports with its `stdio` feature (no other feature):
//! `wasi:io/{error,poll,streams}`, `wasi:cli/{stdin,stdout,stderr}` and the five
//! `wasi:cli/terminal-*`, `wasi:clocks/wall-clock`, `wasi:filesystem/{types,preopens}`.
//! Each is harmless here: standard input is empty, there are no preopened directories (so no
//! file can be named), the wall clock only tells the time. Deliberately absent:
//! `wasi:clocks/monotonic-clock` (its pollables let a guest block inside a host call, where
//! the epoch deadline cannot end it), `wasi:random`, `wasi:sockets`, `wasi:cli/environment`
//! and `wasi:cli/exit`. A component importing any of them is refused at load time with the
//! list of what the host provides.
//!
//! The buffer keeps the first [`MAX_CONSOLE_BYTES`] of an execution's output (standard
//! output and error interleaved, as a terminal shows them) and counts the rest: writing more
//! never fails and never traps the guest, so logging cannot change what an extension does.

use crate::escape;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};
use wasmtime::component::{HasData, Linker, ResourceTable};
use wasmtime_wasi::cli::{IsTerminal, StdoutStream, WasiCli, WasiCliView};
use wasmtime_wasi::clocks::{WasiClocks, WasiClocksView};
use wasmtime_wasi::filesystem::{WasiFilesystem, WasiFilesystemView};
use wasmtime_wasi::p2::bindings::{cli, clocks, filesystem, io, sync};
use wasmtime_wasi::p2::{OutputStream, Pollable, StreamResult};
use wasmtime_wasi::{WasiCtx, WasiCtxBuilder, WasiView};

/// Most bytes of console output kept per execution; the rest is counted, not kept.
pub const MAX_CONSOLE_BYTES: usize = 64 * 1024;

/// Most WASI resources (stream and pollable handles) an execution may hold at once; a
/// console needs a handful.
pub const MAX_RESOURCES: usize = 1_000;

/// The WASI interfaces the host provides for the console (the version is wasmtime-wasi's;
/// wasmtime's linker matches any `0.2.x` import to it).
pub const CONSOLE_INTERFACES: &[&str] = &[
    "wasi:io/error@0.2.12",
    "wasi:io/poll@0.2.12",
    "wasi:io/streams@0.2.12",
    "wasi:cli/stdin@0.2.12",
    "wasi:cli/stdout@0.2.12",
    "wasi:cli/stderr@0.2.12",
    "wasi:cli/terminal-input@0.2.12",
    "wasi:cli/terminal-output@0.2.12",
    "wasi:cli/terminal-stdin@0.2.12",
    "wasi:cli/terminal-stdout@0.2.12",
    "wasi:cli/terminal-stderr@0.2.12",
    "wasi:clocks/wall-clock@0.2.12",
    "wasi:filesystem/types@0.2.12",
    "wasi:filesystem/preopens@0.2.12",
];

/// Adds [`CONSOLE_INTERFACES`] to `linker` (synchronous bindings: executions are
/// synchronous).
pub fn add_to_linker<T: WasiView>(linker: &mut Linker<T>) -> wasmtime::Result<()> {
    let l = linker;
    io::error::add_to_linker::<T, HasTable>(l, |t| t.ctx().table)?;
    sync::io::poll::add_to_linker::<T, HasTable>(l, |t| t.ctx().table)?;
    sync::io::streams::add_to_linker::<T, HasTable>(l, |t| t.ctx().table)?;
    cli::stdin::add_to_linker::<T, WasiCli>(l, T::cli)?;
    cli::stdout::add_to_linker::<T, WasiCli>(l, T::cli)?;
    cli::stderr::add_to_linker::<T, WasiCli>(l, T::cli)?;
    cli::terminal_input::add_to_linker::<T, WasiCli>(l, T::cli)?;
    cli::terminal_output::add_to_linker::<T, WasiCli>(l, T::cli)?;
    cli::terminal_stdin::add_to_linker::<T, WasiCli>(l, T::cli)?;
    cli::terminal_stdout::add_to_linker::<T, WasiCli>(l, T::cli)?;
    cli::terminal_stderr::add_to_linker::<T, WasiCli>(l, T::cli)?;
    clocks::wall_clock::add_to_linker::<T, WasiClocks>(l, T::clocks)?;
    filesystem::preopens::add_to_linker::<T, WasiFilesystem>(l, T::filesystem)?;
    sync::filesystem::types::add_to_linker::<T, WasiFilesystem>(l, T::filesystem)?;
    Ok(())
}

/// The resource table as the `wasi:io` bindings want it.
struct HasTable;

impl HasData for HasTable {
    type Data<'a> = &'a mut ResourceTable;
}

/// The console of one execution: its WASI context (empty standard input, no directories,
/// output into a [`ConsoleBuffer`]) and resource table.
pub struct Console {
    ctx: WasiCtx,
    table: ResourceTable,
    buffer: ConsoleBuffer,
}

impl Console {
    /// A console whose output goes to a new buffer.
    pub fn new() -> Self {
        let buffer = ConsoleBuffer::default();
        let ctx = WasiCtxBuilder::new().stdout(buffer.clone()).stderr(buffer.clone()).build();
        let mut table = ResourceTable::new();
        // Handles (streams, pollables) live in host memory, outside the guest's memory
        // limit: a guest asking for streams in a loop gets an error, not the host's memory.
        table.set_max_capacity(MAX_RESOURCES);
        Console { ctx, table, buffer }
    }

    /// What the execution wrote so far.
    pub fn output(&self) -> ConsoleOutput {
        self.buffer.output()
    }

    /// The context and table, for [`WasiView`].
    pub fn view(&mut self) -> wasmtime_wasi::WasiCtxView<'_> {
        wasmtime_wasi::WasiCtxView { ctx: &mut self.ctx, table: &mut self.table }
    }
}

impl Default for Console {
    fn default() -> Self {
        Self::new()
    }
}

/// What an execution wrote to its console.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ConsoleOutput {
    /// The bytes kept (at most [`MAX_CONSOLE_BYTES`]), as text (invalid UTF-8 replaced).
    pub text: String,
    /// Bytes written beyond [`MAX_CONSOLE_BYTES`], counted and dropped.
    pub dropped_bytes: usize,
}

impl ConsoleOutput {
    /// Whether the execution wrote nothing.
    pub fn is_empty(&self) -> bool {
        self.text.is_empty() && self.dropped_bytes == 0
    }

    /// The output for a terminal or a log: each line escaped ([`escape::lines`], so the
    /// guest cannot forge log lines or send escape sequences), each prefixed with
    /// `prefix`, and a last line saying how much was dropped, if anything was.
    pub fn to_lines(&self, prefix: &str) -> String {
        let mut out = String::new();
        let text = self.text.strip_suffix('\n').unwrap_or(&self.text);
        if !text.is_empty() {
            for line in text.split('\n') {
                out.push_str(prefix);
                out.push_str(&escape::text(line));
                out.push('\n');
            }
        }
        if self.dropped_bytes > 0 {
            out.push_str(&format!(
                "{prefix}[{} more bytes of console output dropped: at most {MAX_CONSOLE_BYTES} are kept per execution]\n",
                self.dropped_bytes
            ));
        }
        out
    }
}

/// The shared, bounded buffer the execution's standard output and error write into.
#[derive(Clone, Default)]
pub struct ConsoleBuffer(Arc<Mutex<Captured>>);

#[derive(Default)]
struct Captured {
    bytes: Vec<u8>,
    dropped: usize,
}

impl ConsoleBuffer {
    fn append(&self, bytes: &[u8]) {
        let mut captured = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        let room = MAX_CONSOLE_BYTES.saturating_sub(captured.bytes.len());
        let kept = bytes.len().min(room);
        captured.bytes.extend_from_slice(&bytes[..kept]);
        captured.dropped += bytes.len() - kept;
    }

    /// What was written so far.
    pub fn output(&self) -> ConsoleOutput {
        let captured = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        ConsoleOutput {
            text: String::from_utf8_lossy(&captured.bytes).into_owned(),
            dropped_bytes: captured.dropped,
        }
    }
}

impl IsTerminal for ConsoleBuffer {
    fn is_terminal(&self) -> bool {
        false
    }
}

impl StdoutStream for ConsoleBuffer {
    fn p2_stream(&self) -> Box<dyn OutputStream> {
        Box::new(self.clone())
    }

    fn async_stream(&self) -> Box<dyn tokio::io::AsyncWrite + Send + Sync> {
        Box::new(self.clone())
    }
}

#[wasmtime_wasi::async_trait]
impl OutputStream for ConsoleBuffer {
    fn write(&mut self, bytes: bytes::Bytes) -> StreamResult<()> {
        self.append(&bytes);
        Ok(())
    }

    fn flush(&mut self) -> StreamResult<()> {
        Ok(())
    }

    fn check_write(&mut self) -> StreamResult<usize> {
        // Always ready for as much as the guest may write at once: past the limit the
        // bytes are counted, not refused.
        Ok(MAX_CONSOLE_BYTES)
    }
}

#[wasmtime_wasi::async_trait]
impl Pollable for ConsoleBuffer {
    async fn ready(&mut self) {}
}

impl tokio::io::AsyncWrite for ConsoleBuffer {
    fn poll_write(self: Pin<&mut Self>, _: &mut Context<'_>, bytes: &[u8]) -> Poll<std::io::Result<usize>> {
        self.append(bytes);
        Poll::Ready(Ok(bytes.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_past_the_limit_is_counted_not_kept_and_never_refused() {
        let mut buffer = ConsoleBuffer::default();
        OutputStream::write(&mut buffer, vec![b'a'; MAX_CONSOLE_BYTES - 1].into()).unwrap();
        OutputStream::write(&mut buffer, b"bcd".to_vec().into()).unwrap();
        assert_eq!(buffer.check_write().unwrap(), MAX_CONSOLE_BYTES);
        let output = buffer.output();
        assert_eq!(output.text.len(), MAX_CONSOLE_BYTES);
        assert!(output.text.ends_with("ab"));
        assert_eq!(output.dropped_bytes, 2);
        assert!(
            output.to_lines("| ").ends_with(
                "[2 more bytes of console output dropped: at most 65536 are kept per execution]\n"
            )
        );
    }

    #[test]
    fn lines_are_prefixed_and_escaped() {
        let output = ConsoleOutput { text: "one\n\u{1b}[31mred\r\n\n".into(), dropped_bytes: 0 };
        assert_eq!(output.to_lines("ext> "), "ext> one\next> \\u{1b}[31mred\\r\next> \n");
        assert_eq!(ConsoleOutput::default().to_lines("x"), "");
        assert!(ConsoleOutput::default().is_empty());
    }
}
