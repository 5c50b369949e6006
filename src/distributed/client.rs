//! [`KeyValueClient`]: a process's handle on the coordinator's key-value store.
//!
//! Requests go over a small pool of TCP connections: a thread takes an idle connection (or
//! opens one), sends its request, waits for the answer and puts the connection back. A thread
//! blocked in a get therefore never holds up another thread's put.

use std::net::TcpStream;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::protocol::{Request, Response};
use crate::runtime::KeyValueStore;
use crate::{Error, Result};

/// How long a put or try-get may take before the coordinator counts as gone; a get may take
/// its own timeout on top.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);

/// A client of a [`Coordinator`](super::Coordinator)'s key-value store. Cheap to clone and
/// usable from any thread; it implements [`KeyValueStore`], so a PJRT client can use it.
#[derive(Clone)]
pub struct KeyValueClient {
    pool: Arc<Pool>,
    prefix: String,
}

struct Pool {
    address: String,
    idle: Mutex<Vec<TcpStream>>,
}

impl KeyValueClient {
    /// Connects to the coordinator at `address` (`host:port`), retrying until `timeout`, since
    /// the coordinator's process may start after this one.
    pub fn connect(address: &str, timeout: Duration) -> Result<KeyValueClient> {
        let deadline = Instant::now() + timeout;
        let mut pause = Duration::from_millis(20);
        let stream = loop {
            match TcpStream::connect(address) {
                Ok(stream) => break stream,
                Err(error) if Instant::now() + pause >= deadline => {
                    return Err(Error::distributed(format!(
                        "cannot reach the coordinator at {address} within {timeout:?}: {error}"
                    )));
                }
                Err(_) => {
                    std::thread::sleep(pause);
                    pause = (pause * 2).min(Duration::from_millis(500));
                }
            }
        };
        Ok(KeyValueClient {
            pool: Arc::new(Pool {
                address: address.to_string(),
                idle: Mutex::new(vec![stream]),
            }),
            prefix: String::new(),
        })
    }

    /// A view of the same store in which every key gets `prefix` in front: different users of
    /// one store (the PJRT plugin, rjax itself, user code) stay apart. Prefixes nest.
    pub fn scoped(&self, prefix: &str) -> KeyValueClient {
        KeyValueClient {
            pool: self.pool.clone(),
            prefix: format!("{}{prefix}", self.prefix),
        }
    }

    /// The coordinator's address.
    pub fn address(&self) -> &str {
        &self.pool.address
    }

    /// Waits up to `timeout` for every one of `keys` and returns their values in order; the
    /// error names the first key that did not appear.
    pub fn get_all(&self, keys: &[String], timeout: Duration) -> Result<Vec<Vec<u8>>> {
        let deadline = Instant::now() + timeout;
        keys.iter()
            .map(|key| {
                let left = deadline.saturating_duration_since(Instant::now());
                self.get(key, left)?.ok_or_else(|| {
                    Error::distributed(format!(
                        "key `{}{key}` did not appear within {timeout:?}",
                        self.prefix
                    ))
                })
            })
            .collect()
    }

    fn request(&self, request: Request, wait: Duration) -> Result<Response> {
        let failure = |error: std::io::Error| {
            Error::distributed(format!(
                "the key-value request to the coordinator at {} failed: {error}",
                self.pool.address
            ))
        };
        let idle = self
            .pool
            .idle
            .lock()
            .unwrap_or_else(|poison| poison.into_inner())
            .pop();
        let stream = match idle {
            Some(stream) => stream,
            None => TcpStream::connect(&self.pool.address).map_err(failure)?,
        };
        // Small frames go out at once; failing to set that only costs latency.
        let _ = stream.set_nodelay(true);
        stream
            .set_read_timeout(Some(wait.saturating_add(REQUEST_TIMEOUT)))
            .map_err(failure)?;
        request.write_to(&mut &stream).map_err(failure)?;
        let response = Response::read_from(&mut &stream).map_err(failure)?;
        // The connection is idle again: the coordinator sends nothing unasked.
        self.pool
            .idle
            .lock()
            .unwrap_or_else(|poison| poison.into_inner())
            .push(stream);
        match response {
            Response::Failed(message) => Err(Error::distributed(format!(
                "the coordinator at {} refused a request: {message}",
                self.pool.address
            ))),
            response => Ok(response),
        }
    }

    fn unexpected(&self, response: Response) -> Error {
        Error::distributed(format!(
            "the coordinator at {} answered out of protocol: {response:?}",
            self.pool.address
        ))
    }
}

impl KeyValueStore for KeyValueClient {
    fn get(&self, key: &str, timeout: Duration) -> Result<Option<Vec<u8>>> {
        let key = format!("{}{key}", self.prefix);
        match self.request(Request::Get { key, timeout }, timeout)? {
            Response::Value(value) => Ok(Some(value)),
            Response::Missing => Ok(None),
            other => Err(self.unexpected(other)),
        }
    }

    fn try_get(&self, key: &str) -> Result<Option<Vec<u8>>> {
        let key = format!("{}{key}", self.prefix);
        match self.request(Request::TryGet { key }, Duration::ZERO)? {
            Response::Value(value) => Ok(Some(value)),
            Response::Missing => Ok(None),
            other => Err(self.unexpected(other)),
        }
    }

    fn put(&self, key: &str, value: &[u8]) -> Result<()> {
        let request = Request::Put {
            key: format!("{}{key}", self.prefix),
            value: value.to_vec(),
        };
        match self.request(request, Duration::ZERO)? {
            Response::Done => Ok(()),
            other => Err(self.unexpected(other)),
        }
    }
}

impl std::fmt::Debug for KeyValueClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyValueClient")
            .field("address", &self.pool.address)
            .field("prefix", &self.prefix)
            .finish()
    }
}
