//! A small HTTP/1.1 client over `std::net::TcpStream` for the `serve` tests: kept-alive
//! connections for load, one-shot requests, and raw bytes for requests no well-behaved
//! client would send.

use serde_json::Value as Json;
use std::io::{self, BufRead, BufReader, Write as _};
use std::net::TcpStream;
use std::time::{Duration, Instant};

/// A response as read off the wire.
#[derive(Debug, Clone)]
pub struct Response {
    /// The status code.
    pub status: u16,
    /// Header names (lower case) and values, in order.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

impl Response {
    /// The body as JSON (panics with the body when it is not).
    pub fn json(&self) -> Json {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|_| panic!("not JSON ({}): {}", self.status, String::from_utf8_lossy(&self.body)))
    }

    /// The first value of header `name`.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// The body as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Reads one response (status line, headers, a `Content-Length` body, or the rest of the
/// stream when there is none).
pub fn read_response(reader: &mut impl BufRead) -> io::Result<Response> {
    let mut line = String::new();
    if reader.read_line(&mut line)? == 0 {
        return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "the connection closed before a response"));
    }
    let status =
        line.split(' ').nth(1).and_then(|s| s.parse().ok()).ok_or_else(|| {
            io::Error::new(io::ErrorKind::InvalidData, format!("not a status line: {line:?}"))
        })?;
    let mut headers = Vec::new();
    loop {
        line.clear();
        reader.read_line(&mut line)?;
        let header = line.trim_end();
        if header.is_empty() {
            break;
        }
        let (name, value) = header.split_once(':').unwrap_or((header, ""));
        headers.push((name.trim().to_ascii_lowercase(), value.trim().to_string()));
    }
    let length =
        headers.iter().find(|(n, _)| n == "content-length").and_then(|(_, v)| v.parse::<usize>().ok());
    let mut body = Vec::new();
    match length {
        Some(length) => {
            body.resize(length, 0);
            reader.read_exact(&mut body)?;
        }
        None => {
            reader.read_to_end(&mut body)?;
        }
    }
    Ok(Response { status, headers, body })
}

/// A kept-alive connection.
pub struct Connection {
    reader: BufReader<TcpStream>,
    address: String,
}

impl Connection {
    /// Connects to `address`.
    pub fn open(address: &str) -> io::Result<Connection> {
        let stream = TcpStream::connect(address)?;
        stream.set_read_timeout(Some(Duration::from_secs(60)))?;
        stream.set_nodelay(true)?;
        Ok(Connection { reader: BufReader::new(stream), address: address.to_string() })
    }

    /// Sends one request and reads its response.
    pub fn send(
        &mut self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> io::Result<Response> {
        let mut head = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nContent-Length: {}\r\n",
            self.address,
            body.len()
        );
        for (name, value) in headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str("\r\n");
        let stream = self.reader.get_mut();
        stream.write_all(head.as_bytes())?;
        stream.write_all(body)?;
        read_response(&mut self.reader)
    }
}

/// One request on a connection of its own.
pub fn request(address: &str, method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Response {
    Connection::open(address)
        .and_then(|mut connection| connection.send(method, path, headers, body))
        .unwrap_or_else(|err| panic!("{method} {path}: {err}"))
}

/// Sends `bytes` as they are and reads one response.
pub fn raw(address: &str, bytes: &[u8]) -> io::Result<Response> {
    let mut stream = TcpStream::connect(address)?;
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    stream.write_all(bytes)?;
    read_response(&mut BufReader::new(stream))
}

/// A connection that sent a request's headers and trickles its body a byte at a time; how it
/// ended is read by [`SlowBody::ended`].
pub struct SlowBody {
    writer: std::thread::JoinHandle<()>,
    reader: std::thread::JoinHandle<std::io::Result<Response>>,
}

impl SlowBody {
    /// Starts one on `address` (an execution request with `authorization`):
    /// `Content-Length: 2000`, then a byte every `every` (for a minute at most).
    pub fn start(address: &str, authorization: &str, every: Duration) -> SlowBody {
        let stream = TcpStream::connect(address).unwrap();
        let mut writer = stream.try_clone().unwrap();
        let head = format!(
            "POST /v1/execute HTTP/1.1\r\nHost: x\r\nAuthorization: {authorization}\r\nContent-Length: 2000\r\n\r\n{{"
        );
        writer.write_all(head.as_bytes()).unwrap();
        let started = Instant::now();
        let writer = std::thread::spawn(move || {
            while started.elapsed() < Duration::from_secs(60) && writer.write_all(b" ").is_ok() {
                std::thread::sleep(every);
            }
        });
        let reader = std::thread::spawn(move || read_response(&mut BufReader::new(stream)));
        SlowBody { writer, reader }
    }

    /// Waits for the server to end it: the response it got (408), or the error of a
    /// connection the server closed.
    pub fn ended(self) -> std::io::Result<Response> {
        let ended = self.reader.join().unwrap();
        let _ = self.writer.join();
        ended
    }
}
