//! `env.transaction`: each transaction's index in its block and its hash.
//!
//! wasmd sets `env.transaction = {index, hash}` for every call made while
//! a transaction runs, queries to other contracts included
//! (`x/wasm/types/types.go` `NewEnv`): the index is the transaction's
//! position in its block, counted by the `CountTXDecorator` ante handler
//! (`x/wasm/keeper/ante.go`), and the hash is sha256 of the transaction's
//! bytes. A chain without signed transaction bytes derives the hash from
//! the operation instead; docs/chain.md states the derivation, which
//! [`TxOp::hash`] implements.

use cosmwasm_std::Coin;
use sha2::{Digest, Sha256};

use super::error::ChainError;

/// The domain-separation tag that starts every hashed transaction.
pub(crate) const TX_HASH_TAG: &[u8] = b"cw-runtime/tx/v1";

/// What `env.transaction` holds during one transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TxInfo {
    /// The position in the block (the first transaction is 0).
    pub index: u32,
    /// The transaction's hash.
    pub hash: [u8; 32],
}

/// A transaction as hashed: its kind and its fields, in message order.
pub(crate) enum TxOp<'a> {
    /// `MsgInstantiateContract` / `MsgInstantiateContract2`.
    Instantiate {
        sender: &'a str,
        code_id: u64,
        msg: &'a [u8],
        funds: &'a [Coin],
        admin: Option<&'a str>,
        label: &'a str,
        salt: Option<&'a [u8]>,
    },
    /// `MsgExecuteContract`.
    Execute {
        sender: &'a str,
        contract: &'a str,
        msg: &'a [u8],
        funds: &'a [Coin],
    },
    /// `MsgMigrateContract`.
    Migrate {
        sender: &'a str,
        contract: &'a str,
        code_id: u64,
        msg: &'a [u8],
    },
    /// `MsgUpdateAdmin` (`Some`) or `MsgClearAdmin` (`None`).
    SetAdmin {
        sender: &'a str,
        contract: &'a str,
        admin: Option<&'a str>,
    },
}

impl TxOp<'_> {
    /// sha256 of [`TX_HASH_TAG`], the block height (u64 big-endian), the
    /// index in the block (u32 big-endian), a kind byte, then every field
    /// of the message as a length-prefixed byte string (u64 big-endian
    /// length, then the bytes). Numbers (code ids) are their 8 big-endian
    /// bytes; an absent optional field is the empty string; funds are their
    /// count (u64 big-endian) followed by each coin's denom and decimal
    /// amount, in the order given.
    pub(crate) fn hash(&self, height: u64, index: u32) -> [u8; 32] {
        let mut hasher = Hasher(Sha256::new());
        hasher.0.update(TX_HASH_TAG);
        hasher.0.update(height.to_be_bytes());
        hasher.0.update(index.to_be_bytes());
        match self {
            Self::Instantiate {
                sender,
                code_id,
                msg,
                funds,
                admin,
                label,
                salt,
            } => {
                hasher.0.update([if salt.is_some() { 2 } else { 1 }]);
                hasher.field(sender.as_bytes());
                hasher.field(&code_id.to_be_bytes());
                hasher.field(msg);
                hasher.funds(funds);
                hasher.field(admin.unwrap_or_default().as_bytes());
                hasher.field(label.as_bytes());
                hasher.field(salt.unwrap_or_default());
            }
            Self::Execute {
                sender,
                contract,
                msg,
                funds,
            } => {
                hasher.0.update([3]);
                hasher.field(sender.as_bytes());
                hasher.field(contract.as_bytes());
                hasher.field(msg);
                hasher.funds(funds);
            }
            Self::Migrate {
                sender,
                contract,
                code_id,
                msg,
            } => {
                hasher.0.update([4]);
                hasher.field(sender.as_bytes());
                hasher.field(contract.as_bytes());
                hasher.field(&code_id.to_be_bytes());
                hasher.field(msg);
            }
            Self::SetAdmin {
                sender,
                contract,
                admin,
            } => {
                hasher.0.update([if admin.is_some() { 5 } else { 6 }]);
                hasher.field(sender.as_bytes());
                hasher.field(contract.as_bytes());
                hasher.field(admin.unwrap_or_default().as_bytes());
            }
        }
        hasher.0.finalize().into()
    }
}

struct Hasher(Sha256);

impl Hasher {
    fn field(&mut self, bytes: &[u8]) {
        self.0.update((bytes.len() as u64).to_be_bytes());
        self.0.update(bytes);
    }

    fn funds(&mut self, funds: &[Coin]) {
        self.0.update((funds.len() as u64).to_be_bytes());
        for coin in funds {
            self.field(coin.denom.as_bytes());
            self.field(coin.amount.to_string().as_bytes());
        }
    }
}

/// The position of the next transaction in the current block. Kept beside
/// the state, not in it: as with wasmd's ante handler, whose count is
/// committed before the messages run, a failed transaction uses up its
/// index, while the state it leaves is exactly the state before it.
#[derive(Debug)]
pub(crate) struct TxCounter {
    height: u64,
    /// `None` once every u32 index of the block was given out.
    next: Option<u32>,
}

impl Default for TxCounter {
    fn default() -> Self {
        Self {
            height: 0,
            next: Some(0),
        }
    }
}

impl TxCounter {
    /// A counter whose next transaction at `height` gets index `next`
    /// (`None`: every index of that block was given out).
    pub(crate) fn resumed(height: u64, next: Option<u32>) -> Self {
        Self { height, next }
    }

    /// The height counted and the index its next transaction gets.
    pub(crate) fn position(&self) -> (u64, Option<u32>) {
        (self.height, self.next)
    }

    /// The index of a transaction starting now at `height`: 0 for the first
    /// transaction of a height, then one more each time.
    ///
    /// # Errors
    /// [`ChainError::CounterOverflow`] after 2^32 transactions in one block:
    /// an index must not repeat within a block.
    pub(crate) fn next_index(&mut self, height: u64) -> Result<u32, ChainError> {
        if self.height != height {
            *self = Self {
                height,
                next: Some(0),
            };
        }
        let index = self.next.ok_or(ChainError::CounterOverflow {
            counter: "transactions in the block",
        })?;
        self.next = index.checked_add(1);
        Ok(index)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_resumed_counter_goes_on_where_the_last_one_stood() {
        let mut first = TxCounter::default();
        assert_eq!(first.next_index(7), Ok(0));
        assert_eq!(first.next_index(7), Ok(1));
        let (height, next) = first.position();
        let mut resumed = TxCounter::resumed(height, next);
        assert_eq!(resumed.next_index(7), Ok(2));
        // A new block starts again at 0.
        assert_eq!(resumed.next_index(8), Ok(0));
        // A block whose indexes ran out stays out.
        let mut spent = TxCounter::resumed(9, None);
        assert!(spent.next_index(9).is_err());
    }

    #[test]
    fn indexes_count_per_block_and_stop_at_the_last_u32() {
        let mut counter = TxCounter::default();
        assert_eq!(counter.next_index(1), Ok(0));
        assert_eq!(counter.next_index(1), Ok(1));
        assert_eq!(counter.next_index(2), Ok(0));
        counter.next = Some(u32::MAX);
        assert_eq!(counter.next_index(2), Ok(u32::MAX));
        assert_eq!(
            counter.next_index(2),
            Err(ChainError::CounterOverflow {
                counter: "transactions in the block"
            })
        );
        assert_eq!(counter.next_index(3), Ok(0), "a new block starts again");
    }

    #[test]
    fn the_hash_covers_position_and_content() {
        let op = |msg: &'static [u8]| TxOp::Execute {
            sender: "a",
            contract: "b",
            msg,
            funds: &[],
        };
        let base = op(b"{}").hash(1, 0);
        assert_ne!(base, op(b"{}").hash(1, 1));
        assert_ne!(base, op(b"{}").hash(2, 0));
        assert_ne!(base, op(b"{ }").hash(1, 0));
        assert_eq!(base, op(b"{}").hash(1, 0));
    }
}
