//! The first seam: where the chain's persistent state lives.
//!
//! A [`ChainState`] is an ordered map of bytes (contract storage, bank,
//! registry, counters: every record of [`Chain::dump`](crate::Chain::dump))
//! plus the stored codes. The chain never iterates it in any order but key
//! order, and it adds the transactions itself (checkpoints with undo logs in
//! [`TxStore`](crate::TxStore)), so a backend only stores bytes.
//! [`MemoryState`] keeps everything in memory; a redb database or a NEAR
//! contract's storage implements the same trait.

use std::collections::BTreeMap;
use std::ops::Bound;
use std::sync::Arc;

use cw_host::{Checksum, KeyRange, Order, Record};

use crate::runner::ExecutionMode;

/// A stored code as the state keeps it: what [`ContractFactory`]
/// (crate::ContractFactory) needs to make it run again (after a restart the
/// chain loads every stored code once, when it is built).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeRecord {
    /// Who stored it.
    pub creator: String,
    /// The sha256 of `wasm`.
    pub checksum: Checksum,
    /// The Wasm bytes as stored.
    pub wasm: Arc<[u8]>,
    /// How it runs, as asked when it was stored.
    pub mode: ExecutionMode,
}

/// The chain's persistent state: an ordered byte map and the stored codes.
///
/// Infallible by design: the chain reads and writes its state in the middle
/// of a transaction that must stay atomic, so a backend that can fail (a
/// disk) either buffers (keep a [`MemoryState`] and persist
/// [`Chain::take_changes`](crate::Chain::take_changes) after each
/// transaction, as `cwr`'s redb home does) or stops the process, as a NEAR
/// contract's storage functions do (the receipt is then reverted whole).
pub trait ChainState: Send {
    /// The value at `key`.
    fn get(&self, key: &[u8]) -> Option<Vec<u8>>;
    /// Sets `key` to `value`; returns the value it replaced.
    fn set(&mut self, key: &[u8], value: &[u8]) -> Option<Vec<u8>>;
    /// Removes `key`; returns the value it had.
    fn remove(&mut self, key: &[u8]) -> Option<Vec<u8>>;
    /// The first record of `range` in `order` strictly after `after` (in
    /// that order), or the first record of `range` if `after` is `None`.
    fn seek(&self, range: KeyRange<'_>, order: Order, after: Option<&[u8]>) -> Option<Record>;
    /// How many codes are stored (code ids are `1..=code_count`).
    fn code_count(&self) -> u64;
    /// Code `code_id` (from 1).
    fn code(&self, code_id: u64) -> Option<CodeRecord>;
    /// Appends a code; it gets id [`code_count`](Self::code_count) after.
    fn push_code(&mut self, code: CodeRecord);
}

/// A [`ChainState`] in memory: a `BTreeMap` and a list of codes.
#[derive(Debug, Default, Clone)]
pub struct MemoryState {
    records: BTreeMap<Vec<u8>, Vec<u8>>,
    codes: Vec<CodeRecord>,
}

impl MemoryState {
    /// A state holding `records` and no codes.
    #[must_use]
    pub fn from_records(records: impl IntoIterator<Item = Record>) -> Self {
        Self {
            records: records.into_iter().collect(),
            codes: Vec::new(),
        }
    }
}

impl ChainState for MemoryState {
    fn get(&self, key: &[u8]) -> Option<Vec<u8>> {
        self.records.get(key).cloned()
    }

    fn set(&mut self, key: &[u8], value: &[u8]) -> Option<Vec<u8>> {
        self.records.insert(key.to_vec(), value.to_vec())
    }

    fn remove(&mut self, key: &[u8]) -> Option<Vec<u8>> {
        self.records.remove(key)
    }

    fn seek(&self, range: KeyRange<'_>, order: Order, after: Option<&[u8]>) -> Option<Record> {
        if range.is_empty() {
            return None;
        }
        let lower = range.start.map_or(Bound::Unbounded, Bound::Included);
        let upper = range.end.map_or(Bound::Unbounded, Bound::Excluded);
        let record = match order {
            Order::Ascending => {
                let lower = match after {
                    Some(a) if range.start.is_none_or(|s| a >= s) => Bound::Excluded(a),
                    _ => lower,
                };
                self.records.range::<[u8], _>((lower, upper)).next()
            }
            Order::Descending => {
                let upper = match after {
                    Some(a) if range.end.is_none_or(|e| a < e) => Bound::Excluded(a),
                    _ => upper,
                };
                self.records.range::<[u8], _>((lower, upper)).next_back()
            }
        };
        record.map(|(k, v)| (k.clone(), v.clone()))
    }

    fn code_count(&self) -> u64 {
        u64::try_from(self.codes.len()).unwrap_or(u64::MAX)
    }

    fn code(&self, code_id: u64) -> Option<CodeRecord> {
        usize::try_from(code_id)
            .ok()
            .and_then(|id| id.checked_sub(1))
            .and_then(|index| self.codes.get(index).cloned())
    }

    fn push_code(&mut self, code: CodeRecord) {
        self.codes.push(code);
    }
}
