//! The cost-table trait, the operations it prices, and its fingerprint.
//!
//! Architecture Invariant: a price is only ever read through [`CostTable`];
//! the meter and the middlewares never hold a number of their own.

use core::fmt;

use sha2::{Digest, Sha256};

use crate::error::GasError;
use crate::units::{GasQuantity, GasUnit};

pub mod cosmwasm;
pub mod near;

/// How a Wasm operator is priced. The Wasmer middleware maps each operator
/// to a class; the table maps the class to a price.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum OperatorClass {
    /// Any operator that is not an accounting operator.
    Plain,
    /// An accounting operator other than `end` / `else`: `loop`, `if`, `br`,
    /// `br_if`, `br_table`, `call`, `call_indirect`, `return` (and the
    /// exception, tail-call and GC branch operators cosmwasm-vm 3.0.11's
    /// `is_accounting` also lists). cosmwasm-vm injects its gas check before
    /// each of these.
    Control,
    /// `end` and `else`: accounting operators for cosmwasm-vm, but
    /// pseudo-instructions that nearcore does not charge.
    Pseudo,
}

/// Where the metering middleware charges, and therefore what a trap in the
/// middle of straight-line code has paid for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum MeteringRule {
    /// cosmwasm-vm 3.0.11: the cost of a run of operators is summed and
    /// charged just before the accounting operator that ends the run (the
    /// operator itself included). Operators before a trap inside a run are
    /// not charged.
    ChargeAtAccounting,
    /// nearcore (NEAR protocol specification `Preparation.md`, "Gas
    /// instrumentation"): the whole metered block is charged at its start,
    /// before any of its instructions run. Blocks start at function entry,
    /// after `if`, `loop`, `else`, `br`, `br_if`, `br_table`, `return`; the
    /// control pseudo-instructions `end`, `else` and `block` cost nothing.
    PrechargeMeteredBlock,
}

/// A price linear in a guest-controlled item count: `base + per_item * n`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct LinearCost<G> {
    /// Charged once per call.
    pub base: G,
    /// Charged per item (byte, signature, point, pair).
    pub per_item: G,
}

impl<G: GasQuantity> LinearCost<G> {
    /// A linear cost from raw numbers in the unit `G`.
    pub fn new(base: u64, per_item: u64) -> Self {
        Self {
            base: G::from_u64(base),
            per_item: G::from_u64(per_item),
        }
    }

    /// `base + per_item * items`, or [`GasError::PriceOverflow`] naming
    /// `operation` if that does not fit into `u64`.
    pub fn total(&self, items: u64, operation: &'static str) -> Result<G, GasError> {
        self.per_item
            .to_u64()
            .checked_mul(items)
            .and_then(|v| v.checked_add(self.base.to_u64()))
            .map(G::from_u64)
            .ok_or(GasError::PriceOverflow { operation, items })
    }
}

/// A storage access priced by the table. Lengths are in bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum StorageOp {
    /// `db_read` / `storage_read`; `value_len` is 0 when the key is absent.
    Read {
        /// Key length.
        key_len: u64,
        /// Length of the value found.
        value_len: u64,
    },
    /// `db_write` / `storage_write`.
    Write {
        /// Key length.
        key_len: u64,
        /// Length of the value written.
        value_len: u64,
        /// Length of the value overwritten (0 for a new key). nearcore
        /// charges `storage_write_evicted_byte` for it; wasmd does not.
        evicted_value_len: u64,
    },
    /// `db_remove` / `storage_remove`.
    Remove {
        /// Key length.
        key_len: u64,
        /// Length of the value removed (0 if absent).
        removed_value_len: u64,
    },
    /// `db_next`: one step of an iterator that yielded a record.
    IterNext {
        /// Key length of the record yielded.
        key_len: u64,
        /// Value length of the record yielded.
        value_len: u64,
    },
}

/// A cryptographic host function priced by the table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CryptoOp {
    /// `secp256k1_verify`.
    Secp256k1Verify,
    /// `secp256k1_recover_pubkey`.
    Secp256k1RecoverPubkey,
    /// `secp256r1_verify`.
    Secp256r1Verify,
    /// `secp256r1_recover_pubkey`.
    Secp256r1RecoverPubkey,
    /// `ed25519_verify`.
    Ed25519Verify {
        /// Length of the signed message.
        message_len: u64,
    },
    /// `ed25519_batch_verify`.
    Ed25519BatchVerify {
        /// Number of signatures.
        signatures: u64,
        /// Number of public keys given (cosmwasm-vm prices 1 key specially).
        public_keys: u64,
        /// Sum of the message lengths.
        total_message_len: u64,
    },
    /// `bls12_381_aggregate_g1` over `points` compressed G1 points.
    Bls12381AggregateG1 {
        /// Number of points (input length / 48, as cosmwasm-vm estimates it).
        points: u64,
    },
    /// `bls12_381_aggregate_g2` over `points` compressed G2 points.
    Bls12381AggregateG2 {
        /// Number of points (input length / 96).
        points: u64,
    },
    /// `bls12_381_hash_to_g1`.
    Bls12381HashToG1,
    /// `bls12_381_hash_to_g2`.
    Bls12381HashToG2,
    /// `bls12_381_pairing_equality` with `n` pairs on the left-hand side
    /// (`n + 1` pairings in total).
    Bls12381PairingEquality {
        /// `n`, the number of (G1, G2) pairs on the left-hand side.
        n: u64,
    },
    /// SHA-256 of `bytes` bytes (a NEAR host function; not in cosmwasm-vm).
    Sha256 {
        /// Input length.
        bytes: u64,
    },
}

impl OperatorClass {
    /// Whether cosmwasm-vm 3.0.11 injects a gas check before this operator
    /// (its `is_accounting`): every class but [`OperatorClass::Plain`].
    pub const fn is_accounting(self) -> bool {
        !matches!(self, Self::Plain)
    }
}

impl CryptoOp {
    /// The host-function name, for errors and profiles.
    pub const fn name(&self) -> &'static str {
        match self {
            Self::Secp256k1Verify => "secp256k1_verify",
            Self::Secp256k1RecoverPubkey => "secp256k1_recover_pubkey",
            Self::Secp256r1Verify => "secp256r1_verify",
            Self::Secp256r1RecoverPubkey => "secp256r1_recover_pubkey",
            Self::Ed25519Verify { .. } => "ed25519_verify",
            Self::Ed25519BatchVerify { .. } => "ed25519_batch_verify",
            Self::Bls12381AggregateG1 { .. } => "bls12_381_aggregate_g1",
            Self::Bls12381AggregateG2 { .. } => "bls12_381_aggregate_g2",
            Self::Bls12381HashToG1 => "bls12_381_hash_to_g1",
            Self::Bls12381HashToG2 => "bls12_381_hash_to_g2",
            Self::Bls12381PairingEquality { .. } => "bls12_381_pairing_equality",
            Self::Sha256 { .. } => "sha256",
        }
    }
}

/// A SHA-256 over every price of a table; the compiled-module cache key must
/// include it, so that a price change never reuses modules compiled with old
/// prices (the operator prices are baked into the machine code).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Fingerprint([u8; 32]);

impl Fingerprint {
    /// Domain separator, bumped whenever the hashing layout changes.
    const DOMAIN: &'static [u8] = b"cw-gas/fingerprint/v1\0";

    /// The raw digest.
    pub const fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// Hashes a table's name, unit and every `(name, value)` pair it visits,
    /// in visiting order. Names are length-prefixed, values little-endian.
    pub fn of<T: CostTable>(table: &T) -> Self {
        let mut hasher = Sha256::new();
        hasher.update(Self::DOMAIN);
        let name = table.name().as_bytes();
        hasher.update((name.len() as u64).to_le_bytes());
        hasher.update(name);
        hasher.update([match T::Gas::UNIT {
            GasUnit::CosmWasm => 0u8,
            GasUnit::Near => 1u8,
        }]);
        table.visit_prices(&mut |price_name, value| {
            hasher.update((price_name.len() as u64).to_le_bytes());
            hasher.update(price_name.as_bytes());
            hasher.update(value.to_le_bytes());
        });
        Self(hasher.finalize().into())
    }
}

impl fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for b in self.0 {
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Fingerprint({self})")
    }
}

/// A gas schedule: the price of everything a contract can make the node do.
///
/// Prices are in the schedule's native unit [`CostTable::Gas`]; the meter
/// reports both units. Only [`CostTable::name`], [`CostTable::operator`] and
/// [`CostTable::visit_prices`] are required: every other price defaults to
/// free (or, for crypto, to [`GasError::Unpriced`]), so a test table
/// overrides only what it needs. An implementation must visit every number
/// its methods use in `visit_prices`, or [`CostTable::fingerprint`] would
/// miss a price change.
pub trait CostTable: fmt::Debug + Clone + Send + Sync + 'static {
    /// The unit the prices are in.
    type Gas: GasQuantity;

    /// A stable name, hashed into the fingerprint.
    fn name(&self) -> &'static str;

    /// The price of one operator of `class`.
    fn operator(&self, class: OperatorClass) -> Self::Gas;

    /// Where the metering middleware charges operator costs.
    fn metering_rule(&self) -> MeteringRule {
        MeteringRule::ChargeAtAccounting
    }

    /// Extra charge at entry of a function with `declared_locals` locals
    /// (parameters excluded).
    fn locals_surcharge(&self, declared_locals: u32) -> Self::Gas {
        let _ = declared_locals;
        Self::Gas::ZERO
    }

    /// Flat charge for entering any host function.
    fn host_call(&self) -> Self::Gas {
        Self::Gas::ZERO
    }

    /// Copying `bytes` bytes out of guest memory.
    fn region_read(&self, bytes: u64) -> Result<Self::Gas, GasError> {
        let _ = bytes;
        Ok(Self::Gas::ZERO)
    }

    /// Copying `bytes` bytes into guest memory.
    fn region_write(&self, bytes: u64) -> Result<Self::Gas, GasError> {
        let _ = bytes;
        Ok(Self::Gas::ZERO)
    }

    /// Validating `bytes` bytes as UTF-8 (addresses, debug messages).
    fn string_from_bytes(&self, bytes: u64) -> Result<Self::Gas, GasError> {
        let _ = bytes;
        Ok(Self::Gas::ZERO)
    }

    /// A storage access.
    fn storage(&self, op: StorageOp) -> Result<Self::Gas, GasError> {
        let _ = op;
        Ok(Self::Gas::ZERO)
    }

    /// A cryptographic host function.
    fn crypto(&self, op: CryptoOp) -> Result<Self::Gas, GasError> {
        Err(GasError::Unpriced {
            schedule: self.name(),
            operation: op.name(),
        })
    }

    /// A log line / debug message of `bytes` bytes.
    fn log(&self, bytes: u64) -> Result<Self::Gas, GasError> {
        let _ = bytes;
        Ok(Self::Gas::ZERO)
    }

    /// Loading a contract of `code_bytes` bytes before the call.
    fn contract_loading(&self, code_bytes: u64) -> Result<Self::Gas, GasError> {
        let _ = code_bytes;
        Ok(Self::Gas::ZERO)
    }

    /// The most gas a single call may burn, whatever limit is asked for.
    fn call_cap(&self) -> Option<Self::Gas> {
        None
    }

    /// Calls `visitor(name, value)` for every number the table uses,
    /// in a fixed order.
    fn visit_prices(&self, visitor: &mut dyn FnMut(&'static str, u64));

    /// The hash of every price; see [`Fingerprint`].
    fn fingerprint(&self) -> Fingerprint {
        Fingerprint::of(self)
    }
}

#[cfg(test)]
mod tests;
