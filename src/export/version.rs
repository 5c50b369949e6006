//! The StableHLO version of a portable artifact, read from its MLIR bytecode header
//! (`ML\xefR`, the bytecode version, then the producer string `StableHLO_v1.15.0`).

use std::fmt;

/// A StableHLO version, `major.minor.patch`, ordered numerically.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct StablehloVersion(pub(crate) [i64; 3]);

impl From<[i64; 3]> for StablehloVersion {
    fn from(version: [i64; 3]) -> Self {
        StablehloVersion(version)
    }
}

impl fmt::Display for StablehloVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let [major, minor, patch] = self.0;
        write!(f, "{major}.{minor}.{patch}")
    }
}

/// The producer version of a StableHLO portable artifact, or `None` when `module` is not one
/// (MLIR text, or bytecode from another producer).
pub(crate) fn producer_version(module: &[u8]) -> Option<StablehloVersion> {
    let rest = module.strip_prefix(b"ML\xefR")?;
    // The bytecode version is a variable-length integer: bytes up to one with bit 0 set
    // (MLIR's "prefix varint" encoding keeps the length in the trailing zero bits of byte 0).
    let first = *rest.first()?;
    let len = first.trailing_zeros() as usize + 1;
    let rest = rest.get(len.min(9)..)?;
    let end = rest.iter().position(|&b| b == 0)?;
    let producer = std::str::from_utf8(&rest[..end]).ok()?;
    let numbers = producer.strip_prefix("StableHLO_v")?;
    let mut parts = numbers.split('.').map(|p| p.parse::<i64>().ok());
    let version = [parts.next()??, parts.next()??, parts.next()??];
    parts.next().is_none().then_some(StablehloVersion(version))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_producer_of_a_portable_artifact() {
        let header = b"ML\xefR\rStableHLO_v1.15.0\x00\x01!";
        assert_eq!(producer_version(header), Some(StablehloVersion([1, 15, 0])));
        assert_eq!(producer_version(b"module {}"), None);
        assert_eq!(producer_version(b"ML\xefR\rMLIR21.0.0\x00"), None);
        assert_eq!(producer_version(b"ML\xefR"), None);
        assert!(StablehloVersion([1, 15, 0]) > StablehloVersion([1, 13, 3]));
    }
}
