//! A deterministic random-number generator for Ed25519 batch verification.
//!
//! cosmwasm-vm passes `OsRng`. Batch verification draws random coefficients
//! so that an attacker cannot make invalid signatures cancel out; the
//! verdict does not depend on the draw except with negligible probability.
//! We derive the coefficients instead from a SHA-256 of every message,
//! signature and key in the batch (the derandomization used by batch
//! verifiers that must be reproducible): an attacker who changes any input
//! changes every coefficient, so they cannot be chosen to cancel. This keeps
//! the host deterministic (every node draws the same) and free of an OS
//! entropy source, which `wasm32-unknown-unknown` does not have.

use rand_core::{CryptoRng, RngCore, impls};
use sha2::{Digest, Sha256};

/// Domain separator of the seed; bump if the derivation changes.
const DOMAIN: &[u8] = b"cw-host/ed25519-batch-rng/v1\0";

/// SHA-256 in counter mode over a seed bound to the whole batch.
pub(crate) struct BatchRng {
    seed: [u8; 32],
    counter: u64,
    block: [u8; 32],
    used: usize,
}

impl BatchRng {
    /// Seeds from the three lists, each item length-prefixed and each list
    /// count-prefixed, so distinct batches give distinct seeds.
    pub(crate) fn for_batch(lists: [&[&[u8]]; 3]) -> Self {
        let mut hasher = Sha256::new();
        hasher.update(DOMAIN);
        for list in lists {
            hasher.update((list.len() as u64).to_le_bytes());
            for item in list {
                hasher.update((item.len() as u64).to_le_bytes());
                hasher.update(item);
            }
        }
        Self {
            seed: hasher.finalize().into(),
            counter: 0,
            block: [0; 32],
            used: 32,
        }
    }

    fn refill(&mut self) {
        let mut hasher = Sha256::new();
        hasher.update(self.seed);
        hasher.update(self.counter.to_le_bytes());
        self.block = hasher.finalize().into();
        self.counter = self.counter.wrapping_add(1);
        self.used = 0;
    }
}

impl RngCore for BatchRng {
    fn next_u32(&mut self) -> u32 {
        impls::next_u32_via_fill(self)
    }

    fn next_u64(&mut self) -> u64 {
        impls::next_u64_via_fill(self)
    }

    fn fill_bytes(&mut self, dest: &mut [u8]) {
        for byte in dest {
            if self.used >= self.block.len() {
                self.refill();
            }
            *byte = self.block[self.used];
            self.used += 1;
        }
    }

    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand_core::Error> {
        self.fill_bytes(dest);
        Ok(())
    }
}

impl CryptoRng for BatchRng {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_and_bound_to_input() {
        let a: &[&[u8]] = &[b"msg"];
        let b: &[&[u8]] = &[b"sig"];
        let c: &[&[u8]] = &[b"key"];
        let mut x = BatchRng::for_batch([a, b, c]);
        let mut y = BatchRng::for_batch([a, b, c]);
        let mut z = BatchRng::for_batch([b, a, c]);
        let (mut bx, mut by, mut bz) = ([0u8; 100], [0u8; 100], [0u8; 100]);
        x.fill_bytes(&mut bx);
        y.fill_bytes(&mut by);
        z.fill_bytes(&mut bz);
        assert_eq!(bx, by);
        assert_ne!(bx, bz);
        // Blocks differ from each other.
        assert_ne!(bx[..32], bx[32..64]);
    }
}
