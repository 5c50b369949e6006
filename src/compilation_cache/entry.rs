//! The bytes of one cache entry: a fixed header, the key, then the serialized executable.
//!
//! | offset | size | field |
//! | --- | --- | --- |
//! | 0 | 8 | [`MAGIC`], `b"RJAXEXE\0"` |
//! | 8 | 4 | [`FORMAT_VERSION`], little-endian `u32` |
//! | 12 | 4 | CRC-32 (IEEE) of every byte from offset 16 to the end, little-endian |
//! | 16 | 4 | key length in bytes, little-endian `u32` |
//! | 20 | 8 | payload length in bytes, little-endian `u64` |
//! | 28 | key length | the key, UTF-8 |
//! | 28 + key length | payload length | the executable, as `PJRT_Executable_Serialize` wrote it |
//!
//! The checksum covers the lengths, the key and the payload, so a flipped bit anywhere past the
//! magic and the version is a checksum mismatch; a file of another length than its header
//! says is truncated (or has trailing bytes).

use std::fmt;

/// The first eight bytes of every entry.
pub(super) const MAGIC: [u8; 8] = *b"RJAXEXE\0";
/// The layout's version; an entry of another version is rejected and rewritten.
pub(super) const FORMAT_VERSION: u32 = 1;
/// The header's length: magic, version, checksum, key length, payload length.
const HEADER_LEN: usize = 28;
/// Where the checksummed bytes start (the key length).
const CHECKSUMMED_FROM: usize = 16;

/// Why a stored entry cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Rejection {
    /// Shorter than the header.
    TruncatedHeader { len: usize },
    /// Does not start with [`MAGIC`].
    WrongMagic,
    /// Written in another layout.
    WrongVersion { found: u32 },
    /// The file's length is not what the header says.
    WrongLength { expected: u128, found: usize },
    /// The checksum does not match the bytes.
    ChecksumMismatch { stored: u32, computed: u32 },
    /// Intact, but for another program, plugin, version or options (a name collision).
    DifferentKey,
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Rejection::TruncatedHeader { len } => write!(
                f,
                "truncated: {len} bytes, shorter than the {HEADER_LEN}-byte header"
            ),
            Rejection::WrongMagic => write!(f, "not an rjax cache entry (wrong magic)"),
            Rejection::WrongVersion { found } => write!(
                f,
                "format version {found}, this build reads version {FORMAT_VERSION}"
            ),
            Rejection::WrongLength { expected, found } => write!(
                f,
                "truncated or padded: {found} bytes, the header says {expected}"
            ),
            Rejection::ChecksumMismatch { stored, computed } => write!(
                f,
                "checksum mismatch: stored {stored:08x}, computed {computed:08x}"
            ),
            Rejection::DifferentKey => write!(
                f,
                "an entry for another program, plugin, version or compile options"
            ),
        }
    }
}

/// The entry holding `payload` under `key`; an error for a key of 4 GiB or more.
pub(super) fn encode(key: &str, payload: &[u8]) -> std::io::Result<Vec<u8>> {
    let key_len = u32::try_from(key.len()).map_err(|_| {
        std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!("a {}-byte key does not fit the entry header", key.len()),
        )
    })?;
    let mut bytes = Vec::with_capacity(HEADER_LEN + key.len() + payload.len());
    bytes.extend_from_slice(&MAGIC);
    bytes.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    bytes.extend_from_slice(&[0; 4]); // The checksum, filled in below.
    bytes.extend_from_slice(&key_len.to_le_bytes());
    bytes.extend_from_slice(&(payload.len() as u64).to_le_bytes());
    bytes.extend_from_slice(key.as_bytes());
    bytes.extend_from_slice(payload);
    let checksum = crc32fast::hash(&bytes[CHECKSUMMED_FROM..]);
    bytes[12..16].copy_from_slice(&checksum.to_le_bytes());
    Ok(bytes)
}

/// The payload of `bytes` if it is an intact entry stored under `key`.
pub(super) fn decode<'a>(bytes: &'a [u8], key: &str) -> Result<&'a [u8], Rejection> {
    if bytes.len() < HEADER_LEN {
        return Err(Rejection::TruncatedHeader { len: bytes.len() });
    }
    if bytes[..8] != MAGIC {
        return Err(Rejection::WrongMagic);
    }
    let u32_at = |at: usize| u32::from_le_bytes(bytes[at..at + 4].try_into().expect("4 bytes"));
    let version = u32_at(8);
    if version != FORMAT_VERSION {
        return Err(Rejection::WrongVersion { found: version });
    }
    let key_len = u32_at(16) as usize;
    let payload_len = u64::from_le_bytes(bytes[20..28].try_into().expect("8 bytes"));
    let expected = HEADER_LEN as u128 + key_len as u128 + u128::from(payload_len);
    if expected != bytes.len() as u128 {
        return Err(Rejection::WrongLength {
            expected,
            found: bytes.len(),
        });
    }
    let stored = u32_at(12);
    let computed = crc32fast::hash(&bytes[CHECKSUMMED_FROM..]);
    if stored != computed {
        return Err(Rejection::ChecksumMismatch { stored, computed });
    }
    let (stored_key, payload) = bytes[HEADER_LEN..].split_at(key_len);
    if stored_key != key.as_bytes() {
        return Err(Rejection::DifferentKey);
    }
    Ok(payload)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_encoded_entry_decodes_to_its_payload() {
        let entry = encode("key", b"payload").unwrap();
        assert_eq!(entry.len(), HEADER_LEN + 3 + 7);
        assert_eq!(decode(&entry, "key"), Ok(&b"payload"[..]));
        assert_eq!(decode(&entry, "other"), Err(Rejection::DifferentKey));
    }

    #[test]
    fn every_flipped_bit_and_every_truncation_is_rejected() {
        let entry = encode("key", b"payload").unwrap();
        for bit in 0..entry.len() * 8 {
            let mut flipped = entry.clone();
            flipped[bit / 8] ^= 1 << (bit % 8);
            assert!(decode(&flipped, "key").is_err(), "bit {bit} flipped");
        }
        for len in 0..entry.len() {
            assert!(decode(&entry[..len], "key").is_err(), "{len} bytes");
        }
    }
}
