//! The home's own checksum over its records, kept beside them and updated
//! with every commit, so a file that redb opens but whose records were
//! changed or damaged outside `cwr` is refused.
//!
//! It is the sum, modulo 2^256, of sha256(domain || table || key length
//! (u64 LE) || key || value) over every record: independent of order, and
//! updated per changed record (add the new record's hash, subtract the old
//! one's), so a commit costs what it changes, not the size of the state. It
//! detects damage, not an adversary who can also rewrite the checksum.

use sha2::{Digest, Sha256};

/// What every record hash starts with.
const DOMAIN: &[u8] = b"cwr home record v1\0";

/// Which table a record is in (part of its hash, so a record moved to
/// another table does not sum the same).
#[derive(Debug, Clone, Copy)]
pub(super) enum Table {
    /// `codes`.
    Codes = 1,
    /// `state`.
    State = 2,
    /// `meta`, except the checksum itself.
    Meta = 3,
}

/// A 256-bit sum, as four 64-bit limbs, least significant first.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct StateDigest([u64; 4]);

/// Bytes of a stored [`StateDigest`].
pub(super) const DIGEST_BYTES: usize = 32;

impl StateDigest {
    /// The digest stored as `bytes`, if they are one.
    pub(super) fn from_bytes(bytes: &[u8]) -> Option<Self> {
        let bytes: &[u8; DIGEST_BYTES] = bytes.try_into().ok()?;
        Some(Self(limbs(bytes)))
    }

    /// The bytes to store.
    pub(super) fn to_bytes(self) -> [u8; DIGEST_BYTES] {
        let mut bytes = [0u8; DIGEST_BYTES];
        for (chunk, limb) in bytes.chunks_exact_mut(8).zip(self.0) {
            chunk.copy_from_slice(&limb.to_le_bytes());
        }
        bytes
    }

    /// Counts a record in.
    pub(super) fn add(&mut self, table: Table, key: &[u8], value: &[u8]) {
        let hash = record_hash(table, key, value);
        let mut carry = false;
        for (limb, h) in self.0.iter_mut().zip(hash) {
            let (sum, c1) = limb.overflowing_add(h);
            let (sum, c2) = sum.overflowing_add(u64::from(carry));
            *limb = sum;
            carry = c1 || c2;
        }
    }

    /// Counts a record out (the inverse of [`add`](Self::add)).
    pub(super) fn remove(&mut self, table: Table, key: &[u8], value: &[u8]) {
        let hash = record_hash(table, key, value);
        let mut borrow = false;
        for (limb, h) in self.0.iter_mut().zip(hash) {
            let (difference, b1) = limb.overflowing_sub(h);
            let (difference, b2) = difference.overflowing_sub(u64::from(borrow));
            *limb = difference;
            borrow = b1 || b2;
        }
    }
}

fn limbs(bytes: &[u8; DIGEST_BYTES]) -> [u64; 4] {
    let mut limbs = [0u64; 4];
    for (limb, chunk) in limbs.iter_mut().zip(bytes.chunks_exact(8)) {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        *limb = u64::from_le_bytes(word);
    }
    limbs
}

fn record_hash(table: Table, key: &[u8], value: &[u8]) -> [u64; 4] {
    let hash: [u8; DIGEST_BYTES] = Sha256::new()
        .chain_update(DOMAIN)
        .chain_update([table as u8])
        .chain_update((key.len() as u64).to_le_bytes())
        .chain_update(key)
        .chain_update(value)
        .finalize()
        .into();
    limbs(&hash)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sum_ignores_order_and_removal_undoes_addition() {
        let mut a = StateDigest::default();
        a.add(Table::State, b"k1", b"v1");
        a.add(Table::State, b"k2", b"v2");
        let mut b = StateDigest::default();
        b.add(Table::State, b"k2", b"v2");
        b.add(Table::Codes, b"c", b"wasm");
        b.add(Table::State, b"k1", b"v1");
        b.remove(Table::Codes, b"c", b"wasm");
        assert_eq!(a, b);
        assert_eq!(StateDigest::from_bytes(&a.to_bytes()), Some(a));
        b.remove(Table::State, b"k1", b"v1");
        b.remove(Table::State, b"k2", b"v2");
        assert_eq!(b, StateDigest::default());
    }

    #[test]
    fn a_changed_byte_key_boundary_or_table_changes_the_sum() {
        let sum = |table, key: &[u8], value: &[u8]| {
            let mut d = StateDigest::default();
            d.add(table, key, value);
            d
        };
        let base = sum(Table::State, b"key", b"value");
        assert_ne!(base, sum(Table::State, b"key", b"valuf"));
        assert_ne!(base, sum(Table::State, b"ke", b"yvalue"));
        assert_ne!(base, sum(Table::Meta, b"key", b"value"));
        assert_eq!(StateDigest::from_bytes(&[0; 31]), None);
    }
}
