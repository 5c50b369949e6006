//! The coordinator: the key-value store every process of a run reaches, served over TCP by
//! process 0 (JAX's `DistributedRuntimeService`, without gRPC).
//!
//! One thread accepts connections and one thread serves each connection, so a blocking get
//! holds only its own connection. Entries live in one map; a condition variable wakes the
//! waiting gets whenever a put lands.

use std::collections::HashMap;
use std::io::{BufReader, BufWriter};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::protocol::{Request, Response};
use crate::{Error, Result};

/// A running coordinator. [`crate::distributed::initialize`] starts one in process 0; it can
/// also run on its own, in any process, for a store shared by processes that are not rjax
/// clients. Dropping it stops it, as [`Coordinator::shutdown`] does.
pub struct Coordinator {
    address: SocketAddr,
    shared: Arc<Shared>,
    acceptor: Option<JoinHandle<()>>,
}

struct Shared {
    entries: Mutex<HashMap<String, Vec<u8>>>,
    changed: Condvar,
    stopping: AtomicBool,
    /// Clones of the open connections, to close them at shutdown.
    connections: Mutex<HashMap<u64, TcpStream>>,
    next_connection: AtomicU64,
}

impl Coordinator {
    /// Starts serving on `bind_address`: `0.0.0.0:1234` for every interface, or port 0 for any
    /// free port ([`Coordinator::local_addr`] then tells which).
    pub fn start(bind_address: &str) -> Result<Coordinator> {
        let listener = TcpListener::bind(bind_address).map_err(|e| {
            Error::distributed(format!(
                "the coordinator cannot listen on {bind_address}: {e}"
            ))
        })?;
        let address = listener
            .local_addr()
            .map_err(|e| Error::distributed(format!("the coordinator has no address: {e}")))?;
        let shared = Arc::new(Shared {
            entries: Mutex::new(HashMap::new()),
            changed: Condvar::new(),
            stopping: AtomicBool::new(false),
            connections: Mutex::new(HashMap::new()),
            next_connection: AtomicU64::new(0),
        });
        let acceptor = {
            let shared = shared.clone();
            std::thread::Builder::new()
                .name("rjax-coordinator".into())
                .spawn(move || accept(listener, shared))
                .map_err(|e| Error::distributed(format!("cannot start the coordinator: {e}")))?
        };
        Ok(Coordinator {
            address,
            shared,
            acceptor: Some(acceptor),
        })
    }

    /// The address the coordinator listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.address
    }

    /// Stops the coordinator: it accepts no more connections, closes the open ones, and
    /// answers the gets still waiting with an error.
    pub fn shutdown(mut self) {
        self.stop();
    }

    fn stop(&mut self) {
        let Some(acceptor) = self.acceptor.take() else {
            return;
        };
        self.shared.stopping.store(true, Ordering::SeqCst);
        // Wake the acceptor with a connection of our own; it sees `stopping` and returns.
        let mut wake = self.address;
        if wake.ip().is_unspecified() {
            wake.set_ip(match wake {
                SocketAddr::V4(_) => [127, 0, 0, 1].into(),
                SocketAddr::V6(_) => std::net::Ipv6Addr::LOCALHOST.into(),
            });
        }
        // A failed wake-up connection means the acceptor is already gone, so this is best effort.
        let _ = TcpStream::connect_timeout(&wake, Duration::from_secs(1));
        // The acceptor only returns or panics; a panic there has already been reported.
        let _ = acceptor.join();
        for connection in lock(&self.shared.connections).values() {
            // Closing a connection its peer already closed fails harmlessly.
            let _ = connection.shutdown(Shutdown::Both);
        }
        let _entries = lock(&self.shared.entries);
        self.shared.changed.notify_all();
    }
}

impl Drop for Coordinator {
    fn drop(&mut self) {
        self.stop();
    }
}

impl std::fmt::Debug for Coordinator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Coordinator")
            .field("address", &self.address)
            .finish()
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poison| poison.into_inner())
}

fn accept(listener: TcpListener, shared: Arc<Shared>) {
    for stream in listener.incoming() {
        if shared.stopping.load(Ordering::SeqCst) {
            return;
        }
        // A connection that failed while being accepted concerns only its peer.
        let Ok(stream) = stream else { continue };
        let id = shared.next_connection.fetch_add(1, Ordering::Relaxed);
        let Ok(clone) = stream.try_clone() else {
            continue;
        };
        lock(&shared.connections).insert(id, clone);
        let shared = shared.clone();
        let served = std::thread::Builder::new()
            .name(format!("rjax-coordinator-{id}"))
            .spawn(move || {
                serve(stream, &shared);
                lock(&shared.connections).remove(&id);
            });
        if let Err(error) = served {
            eprintln!("rjax: the coordinator cannot serve a connection: {error}");
        }
    }
}

/// Answers the requests of one connection until its peer closes it.
fn serve(stream: TcpStream, shared: &Shared) {
    // Small frames go out at once rather than waiting for Nagle's algorithm; failing to set
    // that only costs latency.
    let _ = stream.set_nodelay(true);
    let Ok(write_half) = stream.try_clone() else {
        return;
    };
    let mut input = BufReader::new(stream);
    let mut output = BufWriter::new(write_half);
    // A read or write error means the peer is gone or broke the protocol: the connection ends.
    while let Ok(Some(request)) = Request::read_from(&mut input) {
        let response = answer(request, shared);
        if response.write_to(&mut output).is_err() {
            return;
        }
    }
}

fn answer(request: Request, shared: &Shared) -> Response {
    let mut entries = lock(&shared.entries);
    match request {
        Request::Put { key, value } => {
            entries.insert(key, value);
            shared.changed.notify_all();
            Response::Done
        }
        Request::TryGet { key } => match entries.get(&key) {
            Some(value) => Response::Value(value.clone()),
            None => Response::Missing,
        },
        Request::Get { key, timeout } => {
            let deadline = Instant::now().checked_add(timeout);
            loop {
                if let Some(value) = entries.get(&key) {
                    return Response::Value(value.clone());
                }
                if shared.stopping.load(Ordering::SeqCst) {
                    return Response::Failed("the coordinator is shutting down".into());
                }
                let left = match deadline {
                    Some(deadline) => match deadline.checked_duration_since(Instant::now()) {
                        Some(left) if !left.is_zero() => left,
                        _ => return Response::Missing,
                    },
                    None => Duration::from_secs(3600),
                };
                entries = shared
                    .changed
                    .wait_timeout(entries, left)
                    .unwrap_or_else(|poison| poison.into_inner())
                    .0;
            }
        }
    }
}
