//! The HTTP side of `serve`: hyper's HTTP/1 server on a one-thread tokio runtime that only
//! accepts connections, reads requests and writes responses. Nothing here waits on the
//! store or on wasmtime (executions run on the worker pool, `super::workers`), so a
//! connection can only ever hold itself.
//!
//! What a client can make the server spend is bounded:
//!
//! | what | bound |
//! |---|---|
//! | connections served at once | `max_connections`; beyond it new connections wait in the listen backlog ([`LISTEN_BACKLOG`]), then the kernel refuses them |
//! | time to send the request line and headers | `client_timeout` (hyper's header read timeout; it also closes a kept-alive connection idle that long) |
//! | size of the request line and headers | `max_header_bytes` (431), at most 100 headers (431) |
//! | time to send the body | `client_timeout` again, from when the headers are in (408) |
//! | size of the body | checked against `Content-Length` before reading anything, and counted while reading (413); a huge declared length is never allocated |
//! | time to take the response | `client_timeout` from when the socket first stops accepting bytes until the response is flushed ([`TimedStream`]) |
//!
//! **Stopping.** On SIGTERM or SIGINT ([`Termination`]) the listening socket is closed (new
//! connections are refused), every connection finishes the request it is serving and is
//! then closed (an idle kept-alive one at once), and [`Listener::serve`] returns when all
//! are closed or `drain_timeout` has passed, whichever is first.

use http_body_util::{BodyExt as _, Full, LengthLimitError, Limited};
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{HeaderMap, Request, Response};
use hyper_util::rt::{TokioIo, TokioTimer};
use std::future::Future;
use std::io;
use std::net::{SocketAddr, ToSocketAddrs as _};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpSocket, TcpStream};
use tokio::sync::Semaphore;
use tokio::time::Sleep;

/// Connections the kernel queues while `max_connections` are being served.
pub const LISTEN_BACKLOG: u32 = 128;

/// What one client may make the server spend (see the module documentation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnectionLimits {
    /// How long a client may take to send a request's headers (and may keep a connection
    /// idle), to send its body, and to take a response.
    pub client_timeout: Duration,
    /// Connections served at once.
    pub max_connections: usize,
    /// Largest request line and headers, in bytes.
    pub max_header_bytes: usize,
    /// How long the open connections may take to finish once a stop is asked for.
    pub drain_timeout: Duration,
}

/// How serving ended: the signal, and how the connections open at that moment ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stopped {
    /// The signal that stopped it (`SIGTERM`, `SIGINT`).
    pub signal: &'static str,
    /// Connections open when the signal came.
    pub open: usize,
    /// Connections still open when `drain_timeout` ran out (they are cut).
    pub cut: usize,
}

/// The signals that stop `serve`, registered when this is created: from then on they no
/// longer end the process at once but are delivered here.
pub struct Termination {
    terminate: tokio::signal::unix::Signal,
    interrupt: tokio::signal::unix::Signal,
}

impl Termination {
    /// The first of SIGTERM and SIGINT to arrive, by name.
    async fn received(mut self) -> &'static str {
        tokio::select! {
            _ = self.terminate.recv() => "SIGTERM",
            _ = self.interrupt.recv() => "SIGINT",
        }
    }
}

/// A bound listening socket and the runtime that serves it.
pub struct Listener {
    runtime: tokio::runtime::Runtime,
    listener: tokio::net::TcpListener,
    address: SocketAddr,
}

impl Listener {
    /// Listens on `address` (`HOST:PORT`; a name is resolved and its addresses tried in
    /// order).
    pub fn bind(address: &str) -> io::Result<Listener> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_io()
            .enable_time()
            .thread_name("alga-serve-http")
            .build()?;
        let mut last_error = io::Error::new(io::ErrorKind::InvalidInput, "the address resolves to nothing");
        for candidate in address.to_socket_addrs()? {
            let _entered = runtime.enter();
            match listen(candidate) {
                Ok(listener) => {
                    let address = listener.local_addr()?;
                    return Ok(Listener { runtime, listener, address });
                }
                Err(err) => last_error = err,
            }
        }
        Err(last_error)
    }

    /// The address it listens on (with the port chosen when port 0 was asked for).
    pub fn local_addr(&self) -> SocketAddr {
        self.address
    }

    /// Registers SIGTERM and SIGINT for [`Listener::serve`] (before the caller says it
    /// listens, so that a signal sent as soon as it does is not lost).
    pub fn termination(&self) -> io::Result<Termination> {
        use tokio::signal::unix::{SignalKind, signal};
        let _entered = self.runtime.enter();
        Ok(Termination {
            terminate: signal(SignalKind::terminate())?,
            interrupt: signal(SignalKind::interrupt())?,
        })
    }

    /// Serves connections with `handler` until `termination` receives a signal, then stops
    /// as the module documentation says.
    pub fn serve<H, F>(self, limits: ConnectionLimits, termination: Termination, handler: H) -> Stopped
    where
        H: Fn(Request<Incoming>) -> F + Clone + Send + Sync + 'static,
        F: Future<Output = Response<Full<Bytes>>> + Send + 'static,
    {
        let Listener { runtime, listener, .. } = self;
        let result = runtime.block_on(async move {
            let open = Arc::new(Semaphore::new(limits.max_connections));
            let (stop, stopping) = tokio::sync::watch::channel(());
            let signal = termination.received();
            tokio::pin!(signal);
            let signal = loop {
                // Taken before accepting: at the cap, connections wait in the backlog.
                let permit = tokio::select! {
                    signal = &mut signal => break signal,
                    permit = open.clone().acquire_owned() => permit.expect("the semaphore is never closed"),
                };
                let accepted = tokio::select! {
                    signal = &mut signal => break signal,
                    accepted = listener.accept() => accepted,
                };
                let stream = match accepted {
                    Ok((stream, _)) => stream,
                    Err(err) => {
                        // Out of file descriptors, a connection reset before it was accepted:
                        // the listener itself is fine. Pause so that a persistent error does
                        // not spin.
                        eprintln!("warning: could not accept a connection: {err}");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                };
                let _ = stream.set_nodelay(true);
                let handler = handler.clone();
                let mut stopping = stopping.clone();
                tokio::spawn(async move {
                    let io = TokioIo::new(TimedStream::new(stream, limits.client_timeout));
                    let service = service_fn(move |request| {
                        let response = handler(request);
                        async move { Ok::<_, std::convert::Infallible>(response.await) }
                    });
                    let connection = http1::Builder::new()
                        .timer(TokioTimer::new())
                        .header_read_timeout(limits.client_timeout)
                        .max_header_size(limits.max_header_bytes)
                        .max_buf_size(limits.max_header_bytes.max(64 * 1024))
                        .serve_connection(io, service);
                    tokio::pin!(connection);
                    // A connection's errors (a client that went away, a malformed request that
                    // hyper answered itself, a timeout) concern that client only.
                    tokio::select! {
                        _ = connection.as_mut() => {}
                        _ = stopping.changed() => {
                            // The request being served is answered; no other is read.
                            connection.as_mut().graceful_shutdown();
                            let _ = connection.await;
                        }
                    }
                    drop(permit);
                });
            };
            // Closed first: from here connections are refused, not left in the backlog.
            drop(listener);
            let everyone = u32::try_from(limits.max_connections).unwrap_or(u32::MAX);
            let open_at_signal = limits.max_connections - open.available_permits();
            eprintln!(
                "{signal}: no longer accepting connections; finishing the {open_at_signal} open \
                 (at most {:?})",
                limits.drain_timeout
            );
            let _ = stop.send(());
            let all_closed = tokio::time::timeout(limits.drain_timeout, open.acquire_many(everyone)).await;
            let cut = if all_closed.is_ok() { 0 } else { limits.max_connections - open.available_permits() };
            Stopped { signal, open: open_at_signal, cut }
        });
        // The connections still open (cut) end with the runtime, without waiting.
        runtime.shutdown_background();
        result
    }
}

fn listen(address: SocketAddr) -> io::Result<tokio::net::TcpListener> {
    let socket = if address.is_ipv4() { TcpSocket::new_v4()? } else { TcpSocket::new_v6()? };
    // A restarted server can bind while the previous one's connections linger in TIME_WAIT.
    socket.set_reuseaddr(true)?;
    socket.bind(address)?;
    socket.listen(LISTEN_BACKLOG)
}

/// Why a request body was not read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BodyError {
    /// The body is larger than the limit (declared or counted).
    TooLarge,
    /// The body did not arrive within the client timeout.
    TimedOut,
    /// The connection failed or the body was malformed.
    Broken(String),
}

/// Reads a request's body, at most `limit` bytes within `timeout`. A declared
/// `Content-Length` over the limit is refused before anything is read.
pub async fn read_body(
    headers: &HeaderMap,
    body: Incoming,
    limit: usize,
    timeout: Duration,
) -> Result<Bytes, BodyError> {
    let declared = headers
        .get(hyper::header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.trim().parse::<u64>().ok());
    if declared.is_some_and(|length| length > limit as u64) {
        return Err(BodyError::TooLarge);
    }
    match tokio::time::timeout(timeout, Limited::new(body, limit).collect()).await {
        Err(_) => Err(BodyError::TimedOut),
        Ok(Err(err)) if err.downcast_ref::<LengthLimitError>().is_some() => Err(BodyError::TooLarge),
        Ok(Err(err)) => Err(BodyError::Broken(err.to_string())),
        Ok(Ok(collected)) => Ok(collected.to_bytes()),
    }
}

/// A TCP stream whose writes must finish within a time limit: from the moment the socket
/// first stops accepting bytes, the pending data must be flushed within `timeout`, or the
/// connection fails. A client that stops reading (or reads a byte a second) therefore holds
/// its connection for `timeout` at most.
pub struct TimedStream {
    stream: TcpStream,
    timeout: Duration,
    stalled: Option<Pin<Box<Sleep>>>,
}

impl TimedStream {
    /// Wraps `stream`.
    pub fn new(stream: TcpStream, timeout: Duration) -> Self {
        TimedStream { stream, timeout, stalled: None }
    }

    /// `Err` once the stall that started earlier has lasted `timeout`.
    fn check_stall(&mut self, cx: &mut Context<'_>) -> io::Result<()> {
        let expired = self.stalled.as_mut().is_some_and(|timer| timer.as_mut().poll(cx).is_ready());
        if expired {
            return Err(io::Error::new(
                io::ErrorKind::TimedOut,
                "the client did not take the response in time",
            ));
        }
        Ok(())
    }

    /// Starts the stall timer (when not running) after the socket returned `Pending`.
    fn stall<T>(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<T>> {
        let timeout = self.timeout;
        self.stalled.get_or_insert_with(|| Box::pin(tokio::time::sleep(timeout)));
        match self.check_stall(cx) {
            Err(err) => Poll::Ready(Err(err)),
            Ok(()) => Poll::Pending,
        }
    }

    fn write_with<T>(
        &mut self,
        cx: &mut Context<'_>,
        write: impl FnOnce(Pin<&mut TcpStream>, &mut Context<'_>) -> Poll<io::Result<T>>,
    ) -> Poll<io::Result<T>> {
        if let Err(err) = self.check_stall(cx) {
            return Poll::Ready(Err(err));
        }
        match write(Pin::new(&mut self.stream), cx) {
            Poll::Pending => self.stall(cx),
            ready => ready,
        }
    }
}

impl AsyncRead for TimedStream {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for TimedStream {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        self.get_mut().write_with(cx, |stream, cx| stream.poll_write(cx, buf))
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        self.get_mut().write_with(cx, |stream, cx| stream.poll_write_vectored(cx, bufs))
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let flushed = this.write_with(cx, |stream, cx| stream.poll_flush(cx));
        if let Poll::Ready(Ok(())) = flushed {
            // Everything written so far has been taken: the stall, if any, is over.
            this.stalled = None;
        }
        flushed
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.get_mut().write_with(cx, |stream, cx| stream.poll_shutdown(cx))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_client_that_does_not_take_the_response_is_cut_off() {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(async {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            // A client that connects and never reads.
            let _client = TcpStream::connect(listener.local_addr().unwrap()).await.unwrap();
            let (accepted, _) = listener.accept().await.unwrap();
            let mut stream = TimedStream::new(accepted, Duration::from_millis(200));
            let chunk = vec![0u8; 1024 * 1024];
            let writing = async {
                loop {
                    let written =
                        std::future::poll_fn(|cx| Pin::new(&mut stream).poll_write(cx, &chunk)).await?;
                    assert!(written > 0);
                }
            };
            let ended: io::Result<()> = tokio::time::timeout(Duration::from_secs(60), writing)
                .await
                .expect("the write fails once the socket stays full for the timeout");
            assert_eq!(ended.unwrap_err().kind(), io::ErrorKind::TimedOut);
        });
    }
}
