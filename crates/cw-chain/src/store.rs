//! The chain's transactions over its [`ChainState`]: nested checkpoints
//! and the keys changed since the last persist.
//!
//! Writes go to the state at once; each open checkpoint keeps an undo log
//! (the value a key had before its first change under that checkpoint), so
//! a rollback restores exactly the bytes before it and a commit folds the
//! log into the enclosing checkpoint. The state itself needs no
//! transactions.

use std::collections::BTreeMap;

use cw_host::{KeyRange, Order, Record};

use crate::state::{ChainState, CodeRecord, MemoryState};

/// The value a key had before a change: `None` when it was absent.
type Undo = BTreeMap<Vec<u8>, Option<Vec<u8>>>;

/// The chain's state with nested checkpoints.
pub struct TxStore {
    state: Box<dyn ChainState>,
    checkpoints: Vec<Undo>,
    /// Keys changed since the last [`TxStore::take_changes`] (for persistence).
    dirty: BTreeMap<Vec<u8>, ()>,
}

impl std::fmt::Debug for TxStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TxStore")
            .field("checkpoints", &self.checkpoints.len())
            .field("dirty", &self.dirty.len())
            .finish_non_exhaustive()
    }
}

impl Default for TxStore {
    /// A store over an empty [`MemoryState`].
    fn default() -> Self {
        Self::new(Box::new(MemoryState::default()))
    }
}

/// A handle to one open checkpoint; commit or roll back with it. Checkpoints
/// close in the reverse order they were opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[must_use = "a checkpoint must be committed or rolled back"]
pub struct Checkpoint(usize);

impl TxStore {
    /// A store over `state`, with no checkpoint open and nothing changed.
    #[must_use]
    pub fn new(state: Box<dyn ChainState>) -> Self {
        Self {
            state,
            checkpoints: Vec::new(),
            dirty: BTreeMap::new(),
        }
    }

    /// A store over a [`MemoryState`] holding `records`.
    #[must_use]
    pub fn from_records(records: impl IntoIterator<Item = Record>) -> Self {
        Self::new(Box::new(MemoryState::from_records(records)))
    }

    /// Replaces every record with `records` (the codes stay); closes every
    /// checkpoint and forgets the changes not yet taken.
    pub fn replace_records(&mut self, records: impl IntoIterator<Item = Record>) {
        let everything = KeyRange {
            start: None,
            end: None,
        };
        while let Some((key, _)) = self.state.seek(everything, Order::Ascending, None) {
            self.state.remove(&key);
        }
        for (key, value) in records {
            self.state.set(&key, &value);
        }
        self.checkpoints.clear();
        self.dirty.clear();
    }

    /// The value at `key`.
    #[must_use]
    pub fn get(&self, key: &[u8]) -> Option<Vec<u8>> {
        self.state.get(key)
    }

    /// Sets `key` to `value`.
    pub fn set(&mut self, key: &[u8], value: &[u8]) {
        let previous = self.state.set(key, value);
        self.note_change(key, previous);
    }

    /// Removes `key` (nothing happens if it is absent).
    pub fn remove(&mut self, key: &[u8]) {
        if let Some(previous) = self.state.remove(key) {
            self.note_change(key, Some(previous));
        }
    }

    fn note_change(&mut self, key: &[u8], previous: Option<Vec<u8>>) {
        if let Some(log) = self.checkpoints.last_mut() {
            log.entry(key.to_vec()).or_insert(previous);
        }
        self.dirty.insert(key.to_vec(), ());
    }

    /// The first record of `range` in `order` strictly after `after` (in that
    /// order), or the first record if `after` is `None`.
    #[must_use]
    pub fn seek(&self, range: KeyRange<'_>, order: Order, after: Option<&[u8]>) -> Option<Record> {
        self.state.seek(range, order, after)
    }

    /// Every record whose key starts with `prefix`, in key order.
    #[must_use]
    pub fn prefixed(&self, prefix: &[u8]) -> Vec<Record> {
        let end = crate::core::prefix_end(prefix);
        self.range(KeyRange {
            start: Some(prefix),
            end: Some(&end),
        })
    }

    /// Every record, in key order.
    #[must_use]
    pub fn records(&self) -> Vec<Record> {
        self.range(KeyRange {
            start: None,
            end: None,
        })
    }

    fn range(&self, range: KeyRange<'_>) -> Vec<Record> {
        let mut records: Vec<Record> = Vec::new();
        while let Some(record) = self.state.seek(
            range,
            Order::Ascending,
            records.last().map(|(key, _)| key.as_slice()),
        ) {
            records.push(record);
        }
        records
    }

    /// Opens a checkpoint: every change from now on can be undone with
    /// [`TxStore::rollback`].
    pub fn checkpoint(&mut self) -> Checkpoint {
        self.checkpoints.push(Undo::new());
        Checkpoint(self.checkpoints.len())
    }

    /// Keeps the changes made since `checkpoint` (they become part of the
    /// enclosing checkpoint, if any). Inner checkpoints still open are
    /// committed with it.
    pub fn commit(&mut self, checkpoint: Checkpoint) {
        while self.checkpoints.len() >= checkpoint.0 {
            let Some(log) = self.checkpoints.pop() else {
                return;
            };
            if let Some(parent) = self.checkpoints.last_mut() {
                for (key, previous) in log {
                    parent.entry(key).or_insert(previous);
                }
            }
        }
    }

    /// Undoes every change made since `checkpoint` (and closes the inner
    /// checkpoints still open).
    pub fn rollback(&mut self, checkpoint: Checkpoint) {
        while self.checkpoints.len() >= checkpoint.0 {
            let Some(log) = self.checkpoints.pop() else {
                return;
            };
            for (key, previous) in log {
                match previous {
                    Some(value) => {
                        self.state.set(&key, &value);
                    }
                    None => {
                        self.state.remove(&key);
                    }
                }
                self.dirty.insert(key, ());
            }
        }
    }

    /// The number of open checkpoints.
    #[must_use]
    pub fn depth(&self) -> usize {
        self.checkpoints.len()
    }

    /// The keys changed since the last call, with their current value
    /// (`None`: removed). A persistent store writes these after a commit.
    pub fn take_changes(&mut self) -> Vec<(Vec<u8>, Option<Vec<u8>>)> {
        std::mem::take(&mut self.dirty)
            .into_keys()
            .map(|key| {
                let value = self.state.get(&key);
                (key, value)
            })
            .collect()
    }

    /// How many codes are stored.
    #[must_use]
    pub fn code_count(&self) -> u64 {
        self.state.code_count()
    }

    /// Code `code_id` (from 1) as stored.
    #[must_use]
    pub fn code(&self, code_id: u64) -> Option<CodeRecord> {
        self.state.code(code_id)
    }

    /// Appends a code (codes are not part of any checkpoint: storing code
    /// is not a transaction that can fail after this point).
    pub fn push_code(&mut self, code: CodeRecord) {
        self.state.push_code(code);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dump(store: &TxStore) -> Vec<(Vec<u8>, Vec<u8>)> {
        store.records()
    }

    #[test]
    fn nested_rollback_restores_exact_bytes() {
        let mut store = TxStore::default();
        store.set(b"a", b"1");
        let before = dump(&store);
        let outer = store.checkpoint();
        store.set(b"a", b"2");
        store.set(b"b", b"x");
        let inner = store.checkpoint();
        store.remove(b"a");
        store.set(b"c", b"y");
        store.rollback(inner);
        assert_eq!(store.get(b"a"), Some(b"2".to_vec()));
        assert_eq!(store.get(b"c"), None);
        store.rollback(outer);
        assert_eq!(dump(&store), before);
        assert_eq!(store.depth(), 0);
    }

    #[test]
    fn committed_inner_changes_roll_back_with_the_outer() {
        let mut store = TxStore::default();
        let outer = store.checkpoint();
        let inner = store.checkpoint();
        store.set(b"k", b"v");
        store.commit(inner);
        assert_eq!(store.get(b"k"), Some(b"v".to_vec()));
        store.rollback(outer);
        assert_eq!(store.get(b"k"), None);
    }

    #[test]
    fn seek_walks_both_orders_within_bounds() {
        let mut store = TxStore::default();
        for k in [b"a", b"b", b"c", b"d"] {
            store.set(k, k);
        }
        let range = KeyRange {
            start: Some(b"b"),
            end: Some(b"d"),
        };
        let first = store.seek(range, Order::Ascending, None).unwrap();
        assert_eq!(first.0, b"b");
        let second = store.seek(range, Order::Ascending, Some(b"b")).unwrap();
        assert_eq!(second.0, b"c");
        assert_eq!(store.seek(range, Order::Ascending, Some(b"c")), None);
        let last = store.seek(range, Order::Descending, None).unwrap();
        assert_eq!(last.0, b"c");
        let before = store.seek(range, Order::Descending, Some(b"c")).unwrap();
        assert_eq!(before.0, b"b");
    }

    #[test]
    fn prefixed_and_replace_keep_key_order_and_codes() {
        let mut store = TxStore::default();
        for k in [&b"a1"[..], b"b", b"a2", b"a\xff", b"c"] {
            store.set(k, b"v");
        }
        let keys: Vec<Vec<u8>> = store.prefixed(b"a").into_iter().map(|(k, _)| k).collect();
        assert_eq!(keys, [b"a1".to_vec(), b"a2".to_vec(), b"a\xff".to_vec()]);
        store.push_code(CodeRecord {
            creator: "me".into(),
            checksum: cw_host::Checksum::from_bytes([7; 32]),
            wasm: std::sync::Arc::from(&b"\0asm"[..]),
            mode: crate::ExecutionMode::Native,
        });
        store.replace_records([(b"z".to_vec(), b"1".to_vec())]);
        assert_eq!(store.records(), [(b"z".to_vec(), b"1".to_vec())]);
        assert_eq!(store.code_count(), 1);
        assert!(store.take_changes().is_empty());
    }
}
