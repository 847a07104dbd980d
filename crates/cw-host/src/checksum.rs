//! The one code-checksum type of the workspace.

use core::fmt;

use sha2::{Digest, Sha256};

/// The sha256 of a contract's Wasm code: the code checksum a chain stores
/// with the code, keys its registry of verified native builds by, and
/// derives `instantiate2` addresses from. One type from the chain down to
/// the module cache, so a checksum is never confused with another hash.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Checksum([u8; 32]);

impl Checksum {
    /// The checksum of `wasm`.
    #[must_use]
    pub fn of(wasm: &[u8]) -> Self {
        Self(Sha256::digest(wasm).into())
    }

    /// A checksum from its 32 bytes (for instance as a chain stored it).
    #[must_use]
    pub const fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    /// The 32 bytes.
    #[must_use]
    pub const fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// Lower-case hex, as wasmd prints it.
    #[must_use]
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }
}

impl From<[u8; 32]> for Checksum {
    fn from(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }
}

impl AsRef<[u8]> for Checksum {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Display for Checksum {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl fmt::Debug for Checksum {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Checksum({self})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_checksum_is_the_sha256_of_the_code_printed_as_wasmd_prints_it() {
        let checksum = Checksum::of(b"");
        assert_eq!(
            checksum.to_hex(),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(checksum.to_string(), checksum.to_hex());
        assert_eq!(Checksum::from(*checksum.as_bytes()), checksum);
        assert_eq!(Checksum::from_bytes(*checksum.as_bytes()), checksum);
    }
}
