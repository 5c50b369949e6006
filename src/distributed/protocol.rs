//! The coordinator's wire protocol: one request, then one response, per frame, over TCP.
//!
//! A frame is a little-endian `u32` length and that many bytes. A request's bytes are an
//! operation byte and its fields; a response's are a status byte and at most one field. A
//! field is a little-endian `u32` length and that many bytes.
//!
//! | request | fields |
//! |---|---|
//! | `1` put | key, value |
//! | `2` get (blocking) | key, timeout in milliseconds (a `u64`, 8 bytes) |
//! | `3` try-get | key |
//!
//! | response | field |
//! |---|---|
//! | `0` value | the value |
//! | `1` done | — |
//! | `2` missing (not there, or not there in time) | — |
//! | `3` failed | the message |

use std::io::{self, Read, Write};
use std::time::Duration;

/// The largest frame accepted: guards against a stray connection announcing gigabytes.
const MAX_FRAME: usize = 1 << 30;

/// What a process asks of the coordinator.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Request {
    /// Store `value` under `key`.
    Put { key: String, value: Vec<u8> },
    /// The value of `key`, waiting up to `timeout` for it.
    Get { key: String, timeout: Duration },
    /// The value of `key` if present now.
    TryGet { key: String },
}

/// The coordinator's answer.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Response {
    /// The value asked for.
    Value(Vec<u8>),
    /// A put was done.
    Done,
    /// The key is not there (for a get: not within its timeout).
    Missing,
    /// The request failed, with the coordinator's message.
    Failed(String),
}

impl Request {
    pub(crate) fn write_to(&self, out: &mut impl Write) -> io::Result<()> {
        let mut frame = Vec::new();
        match self {
            Request::Put { key, value } => {
                frame.push(1);
                push_field(&mut frame, key.as_bytes());
                push_field(&mut frame, value);
            }
            Request::Get { key, timeout } => {
                frame.push(2);
                push_field(&mut frame, key.as_bytes());
                let millis = u64::try_from(timeout.as_millis()).unwrap_or(u64::MAX);
                push_field(&mut frame, &millis.to_le_bytes());
            }
            Request::TryGet { key } => {
                frame.push(3);
                push_field(&mut frame, key.as_bytes());
            }
        }
        write_frame(out, &frame)
    }

    /// The next request on `input`; `None` when the peer closed the connection between frames.
    pub(crate) fn read_from(input: &mut impl Read) -> io::Result<Option<Request>> {
        let Some(frame) = read_frame(input)? else {
            return Ok(None);
        };
        let (&op, mut rest) = frame
            .split_first()
            .ok_or_else(|| invalid("an empty request"))?;
        let key = String::from_utf8(take_field(&mut rest)?.to_vec())
            .map_err(|_| invalid("a key that is not UTF-8"))?;
        let request = match op {
            1 => Request::Put {
                key,
                value: take_field(&mut rest)?.to_vec(),
            },
            2 => {
                let millis: [u8; 8] = take_field(&mut rest)?
                    .try_into()
                    .map_err(|_| invalid("a timeout that is not 8 bytes"))?;
                Request::Get {
                    key,
                    timeout: Duration::from_millis(u64::from_le_bytes(millis)),
                }
            }
            3 => Request::TryGet { key },
            other => return Err(invalid(&format!("unknown operation {other}"))),
        };
        if !rest.is_empty() {
            return Err(invalid("trailing bytes after a request"));
        }
        Ok(Some(request))
    }
}

impl Response {
    pub(crate) fn write_to(&self, out: &mut impl Write) -> io::Result<()> {
        let mut frame = Vec::new();
        match self {
            Response::Value(value) => {
                frame.push(0);
                push_field(&mut frame, value);
            }
            Response::Done => frame.push(1),
            Response::Missing => frame.push(2),
            Response::Failed(message) => {
                frame.push(3);
                push_field(&mut frame, message.as_bytes());
            }
        }
        write_frame(out, &frame)
    }

    pub(crate) fn read_from(input: &mut impl Read) -> io::Result<Response> {
        let frame = read_frame(input)?.ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the coordinator closed the connection",
            )
        })?;
        let (&status, mut rest) = frame
            .split_first()
            .ok_or_else(|| invalid("an empty response"))?;
        let response = match status {
            0 => Response::Value(take_field(&mut rest)?.to_vec()),
            1 => Response::Done,
            2 => Response::Missing,
            3 => Response::Failed(String::from_utf8_lossy(take_field(&mut rest)?).into_owned()),
            other => return Err(invalid(&format!("unknown response status {other}"))),
        };
        if !rest.is_empty() {
            return Err(invalid("trailing bytes after a response"));
        }
        Ok(response)
    }
}

fn invalid(what: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!("protocol error: {what}"),
    )
}

fn push_field(frame: &mut Vec<u8>, bytes: &[u8]) {
    frame.extend_from_slice(&(bytes.len() as u32).to_le_bytes());
    frame.extend_from_slice(bytes);
}

fn take_field<'a>(rest: &mut &'a [u8]) -> io::Result<&'a [u8]> {
    let (len, tail) = rest
        .split_first_chunk::<4>()
        .ok_or_else(|| invalid("a truncated field length"))?;
    let len = u32::from_le_bytes(*len) as usize;
    if tail.len() < len {
        return Err(invalid("a truncated field"));
    }
    let (field, tail) = tail.split_at(len);
    *rest = tail;
    Ok(field)
}

fn write_frame(out: &mut impl Write, frame: &[u8]) -> io::Result<()> {
    if frame.len() > MAX_FRAME {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("a {} byte message exceeds the 1 GiB limit", frame.len()),
        ));
    }
    let mut bytes = Vec::with_capacity(4 + frame.len());
    bytes.extend_from_slice(&(frame.len() as u32).to_le_bytes());
    bytes.extend_from_slice(frame);
    out.write_all(&bytes)?;
    out.flush()
}

/// The next frame, or `None` at a clean end of stream before its first byte.
fn read_frame(input: &mut impl Read) -> io::Result<Option<Vec<u8>>> {
    let mut len = [0u8; 4];
    let mut filled = 0;
    while filled < len.len() {
        match input.read(&mut len[filled..]) {
            Ok(0) if filled == 0 => return Ok(None),
            Ok(0) => return Err(io::ErrorKind::UnexpectedEof.into()),
            Ok(n) => filled += n,
            Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
            Err(error) => return Err(error),
        }
    }
    let len = u32::from_le_bytes(len) as usize;
    if len > MAX_FRAME {
        return Err(invalid(&format!("a frame of {len} bytes")));
    }
    let mut frame = vec![0u8; len];
    input.read_exact(&mut frame)?;
    Ok(Some(frame))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_and_responses_survive_a_round_trip() {
        let requests = [
            Request::Put {
                key: "k".into(),
                value: vec![0, 255, 7],
            },
            Request::Get {
                key: "g".into(),
                timeout: Duration::from_millis(1500),
            },
            Request::TryGet { key: "".into() },
        ];
        let mut wire = Vec::new();
        for request in &requests {
            request.write_to(&mut wire).unwrap();
        }
        let mut input = wire.as_slice();
        for request in &requests {
            assert_eq!(
                Request::read_from(&mut input).unwrap().as_ref(),
                Some(request)
            );
        }
        assert_eq!(Request::read_from(&mut input).unwrap(), None);

        let responses = [
            Response::Value(b"v".to_vec()),
            Response::Done,
            Response::Missing,
            Response::Failed("no".into()),
        ];
        let mut wire = Vec::new();
        for response in &responses {
            response.write_to(&mut wire).unwrap();
        }
        let mut input = wire.as_slice();
        for response in &responses {
            assert_eq!(&Response::read_from(&mut input).unwrap(), response);
        }
    }

    #[test]
    fn malformed_frames_are_errors() {
        for bytes in [&[1, 0, 0][..], &[2, 0, 0, 0, 9, 9], &[1, 0, 0, 0, 9]] {
            assert!(Request::read_from(&mut &bytes[..]).is_err(), "{bytes:?}");
        }
        let huge = (u32::MAX).to_le_bytes();
        assert!(Response::read_from(&mut &huge[..]).is_err());
    }
}
