//! One network round trip per read (issue 11), counted on the wire: the store connects to
//! PostgreSQL (and to a Citus coordinator) through a proxy in this test that counts how many
//! times the client had to wait for an answer before it could send more.
//!
//! How the proxy counts: it forwards what the client sends at once, but holds the server's
//! answers until the client has been quiet for [`QUIET`]; a client that sends its whole
//! transaction (`BEGIN`, the tenant, the query, `COMMIT`) before reading anything therefore
//! gets every answer in one delivery, and one that waits for an answer before its next
//! statement can only send that statement after a delivery. A *round trip* is a burst of
//! client bytes that follows a delivery (or opens the connection's traffic): the count does
//! not depend on how fast the server answers, only on whether the client waited.
//!
//! Counted after a warm-up (prepared statements are prepared once per connection, which is
//! its own round trip) and with execution contexts cached (`context_ttl`), as on a warm host.

mod common;

use alga_conformance_protocol::UserType;
use alga_extension_contract::types::{ClientListInput, ServiceListInput};
use alga_reference_store::postgres::{PostgresOptions, PostgresStore};
use alga_reference_store::provision::{self, PostgresServer};
use alga_reference_store::{Actor, DataStore, ReadServices};
use common::world::{self, *};
use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long the client must be quiet before the proxy delivers the server's answers: far
/// longer than writing a pipeline takes, short enough for a test.
const QUIET: Duration = Duration::from_millis(25);

/// A counting proxy in front of one PostgreSQL server.
struct Proxy {
    address: String,
    round_trips: Arc<AtomicUsize>,
}

impl Proxy {
    fn start(upstream: String) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap().to_string();
        let round_trips = Arc::new(AtomicUsize::new(0));
        let counter = round_trips.clone();
        std::thread::spawn(move || {
            for client in listener.incoming() {
                let Ok(client) = client else { return };
                let server = TcpStream::connect(&upstream).expect("the proxy reaches the server");
                relay(client, server, counter.clone());
            }
        });
        Proxy { address, round_trips }
    }

    fn count(&self) -> usize {
        self.round_trips.load(Ordering::SeqCst)
    }

    /// The round trips `read` costs.
    fn round_trips_of(&self, read: impl FnOnce()) -> usize {
        // Nothing in flight: the previous read's answers were delivered.
        std::thread::sleep(QUIET * 2);
        let before = self.count();
        read();
        self.count() - before
    }
}

/// What one connection's two directions share.
struct Wire {
    /// When the client last sent, and whether answers were delivered since: one lock, so
    /// that deciding to deliver and a client's next bytes are ordered (a flag set after
    /// writing the answers lost the round trip of a client quicker than this thread).
    exchange: Mutex<Exchange>,
    /// The server's answers not yet delivered.
    held: Mutex<Vec<u8>>,
    closed: AtomicBool,
}

struct Exchange {
    last_client_bytes: Instant,
    /// Set when answers are delivered; the client's next bytes start a round trip.
    delivered: bool,
}

fn relay(mut client: TcpStream, mut server: TcpStream, round_trips: Arc<AtomicUsize>) {
    let wire = Arc::new(Wire {
        exchange: Mutex::new(Exchange { last_client_bytes: Instant::now(), delivered: true }),
        held: Mutex::new(Vec::new()),
        closed: AtomicBool::new(false),
    });
    let (mut client_in, mut server_out) = (client.try_clone().unwrap(), server.try_clone().unwrap());
    let up = wire.clone();
    std::thread::spawn(move || {
        let mut buffer = [0u8; 16 * 1024];
        loop {
            match client_in.read(&mut buffer) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    {
                        let mut exchange = up.exchange.lock().unwrap();
                        exchange.last_client_bytes = Instant::now();
                        if std::mem::replace(&mut exchange.delivered, false) {
                            round_trips.fetch_add(1, Ordering::SeqCst);
                        }
                    }
                    if server_out.write_all(&buffer[..n]).is_err() {
                        break;
                    }
                }
            }
        }
        up.closed.store(true, Ordering::SeqCst);
        let _ = server_out.shutdown(Shutdown::Both);
    });
    std::thread::spawn(move || {
        server.set_read_timeout(Some(Duration::from_millis(2))).unwrap();
        let mut buffer = [0u8; 16 * 1024];
        while !wire.closed.load(Ordering::SeqCst) {
            match server.read(&mut buffer) {
                Ok(0) => break,
                Ok(n) => wire.held.lock().unwrap().extend_from_slice(&buffer[..n]),
                Err(err) if matches!(err.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
                Err(_) => break,
            }
            let answers = {
                let mut exchange = wire.exchange.lock().unwrap();
                let mut held = wire.held.lock().unwrap();
                if exchange.last_client_bytes.elapsed() >= QUIET && !held.is_empty() {
                    // Marked before the client can see the answers: its reply counts.
                    exchange.delivered = true;
                    std::mem::take(&mut *held)
                } else {
                    Vec::new()
                }
            };
            if !answers.is_empty() && client.write_all(&answers).is_err() {
                break;
            }
        }
        let _ = client.shutdown(Shutdown::Both);
    });
}

/// `url` with its `host:port` replaced by `address`.
fn through(url: &str, address: &str) -> String {
    let (scheme_user, rest) = url.split_once('@').expect("a postgres:// URL with a user");
    let (_, path) = rest.split_once('/').expect("a URL with a database");
    format!("{scheme_user}@{address}/{path}")
}

/// The `host:port` of `url`.
fn host_port(url: &str) -> String {
    let (_, rest) = url.split_once('@').expect("a postgres:// URL with a user");
    rest.split_once('/').expect("a URL with a database").0.to_string()
}

fn assert_one_round_trip_per_read(server: &PostgresServer, label: &str) {
    let database = server.fresh_database("store_round_trips").unwrap_or_else(|err| panic!("{err}"));
    let proxy = Proxy::start(host_port(database.url()));
    let options = PostgresOptions { pool_size: 1, ..PostgresOptions::default() };
    let store =
        Arc::new(PostgresStore::connect_with(&through(database.url(), &proxy.address), options).unwrap());
    store.load_fixture(&world::fixture()).unwrap();
    let services = ReadServices::new(store.clone());
    let context = world::scheduled();
    let search = ClientListInput { search: Some("acme".into()), ..Default::default() };
    let catalog = ServiceListInput::default();
    let reads = |actor: &Actor| {
        services.get_client(actor, &acme_title()).unwrap().expect("Acme");
        services.list_clients(actor, &ClientListInput::default()).unwrap();
        services.list_clients(actor, &search).unwrap();
        services.list_services(actor, &catalog).unwrap();
    };
    // Warm: the connection open, every statement prepared, the context read.
    let actor = services.actor(&context).unwrap();
    reads(&actor);

    let count = |name: &str, read: &dyn Fn()| (name.to_string(), proxy.round_trips_of(read));
    let measured = [
        count("resolve a cached context", &|| {
            services.actor(&context).unwrap();
        }),
        count("get-client", &|| {
            services.get_client(&actor, &acme_title()).unwrap().unwrap();
        }),
        count("list-clients", &|| {
            services.list_clients(&actor, &ClientListInput::default()).unwrap();
        }),
        count("list-clients with a search", &|| {
            services.list_clients(&actor, &search).unwrap();
        }),
        count("list-services", &|| {
            services.list_services(&actor, &catalog).unwrap();
        }),
    ];
    eprintln!("{label}: {measured:?}");
    let expected = [0, 1, 1, 1, 1];
    let counts: Vec<usize> = measured.iter().map(|(_, n)| *n).collect();
    assert_eq!(counts, expected, "{label}: round trips per read {measured:?}");

    // An uncached context costs one round trip of its own (install, user and permissions
    // in one pipeline), never a transaction per record.
    let fresh = PostgresOptions { pool_size: 1, context_ttl: Duration::ZERO, ..PostgresOptions::default() };
    let uncached =
        Arc::new(PostgresStore::connect_with(&through(database.url(), &proxy.address), fresh).unwrap());
    let uncached_services = ReadServices::new(uncached.clone());
    let user_context = world::ctx(install_both(), Some((admin(), UserType::Internal)));
    // The proxy sees waits: the first resolution on the new store opens its connection
    // (start-up, authentication) and prepares three statements, each an exchange of its own.
    let cold = proxy.round_trips_of(|| {
        uncached_services.actor(&user_context).unwrap();
    });
    assert!(cold >= 3, "{label}: a cold resolution counted {cold} round trips; the proxy does not see waits");
    let resolve = proxy.round_trips_of(|| {
        uncached_services.actor(&user_context).unwrap();
    });
    assert_eq!(resolve, 1, "{label}: resolving an install and a user");
}

#[test]
fn a_read_is_one_round_trip_on_postgresql() {
    let server = provision::postgres_server().unwrap_or_else(|err| panic!("{err}"));
    assert_one_round_trip_per_read(&server, "PostgreSQL");
}

#[test]
fn a_read_is_one_round_trip_on_citus() {
    let server = provision::citus_server().unwrap_or_else(|err| panic!("{err}"));
    assert_one_round_trip_per_read(&server, "Citus coordinator");
}
