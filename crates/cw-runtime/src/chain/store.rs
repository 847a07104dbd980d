//! One ordered key-value store for the whole chain state (contract storage,
//! bank, registry), with nested checkpoints.
//!
//! Writes go to the live map; each open checkpoint keeps an undo log (the
//! value a key had before its first change under that checkpoint), so a
//! rollback restores exactly the bytes before it and a commit folds the log
//! into the enclosing checkpoint.

use std::collections::BTreeMap;
use std::ops::Bound;

use cw_host::{KeyRange, Order, Record};

/// The value a key had before a change: `None` when it was absent.
type Undo = BTreeMap<Vec<u8>, Option<Vec<u8>>>;

/// The chain's state with nested checkpoints.
#[derive(Debug, Default, Clone)]
pub struct TxStore {
    live: BTreeMap<Vec<u8>, Vec<u8>>,
    checkpoints: Vec<Undo>,
    /// Keys changed since the last [`TxStore::take_changes`] (for persistence).
    dirty: BTreeMap<Vec<u8>, ()>,
}

/// A handle to one open checkpoint; commit or roll back with it. Checkpoints
/// close in the reverse order they were opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[must_use = "a checkpoint must be committed or rolled back"]
pub struct Checkpoint(usize);

impl TxStore {
    /// A store holding `records`.
    #[must_use]
    pub fn from_records(records: impl IntoIterator<Item = Record>) -> Self {
        Self {
            live: records.into_iter().collect(),
            ..Self::default()
        }
    }

    /// The value at `key`.
    #[must_use]
    pub fn get(&self, key: &[u8]) -> Option<&Vec<u8>> {
        self.live.get(key)
    }

    /// Sets `key` to `value`.
    pub fn set(&mut self, key: &[u8], value: &[u8]) {
        let previous = self.live.insert(key.to_vec(), value.to_vec());
        self.note_change(key, previous);
    }

    /// Removes `key` (nothing happens if it is absent).
    pub fn remove(&mut self, key: &[u8]) {
        if let Some(previous) = self.live.remove(key) {
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
                self.live.range::<[u8], _>((lower, upper)).next()
            }
            Order::Descending => {
                let upper = match after {
                    Some(a) if range.end.is_none_or(|e| a < e) => Bound::Excluded(a),
                    _ => upper,
                };
                self.live.range::<[u8], _>((lower, upper)).next_back()
            }
        };
        record.map(|(k, v)| (k.clone(), v.clone()))
    }

    /// Every record whose key starts with `prefix`, in key order.
    pub fn prefixed<'s>(
        &'s self,
        prefix: &'s [u8],
    ) -> impl Iterator<Item = (&'s [u8], &'s [u8])> + 's {
        self.live
            .range::<[u8], _>((Bound::Included(prefix), Bound::Unbounded))
            .take_while(move |(k, _)| k.starts_with(prefix))
            .map(|(k, v)| (k.as_slice(), v.as_slice()))
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
                        self.live.insert(key.clone(), value);
                    }
                    None => {
                        self.live.remove(&key);
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
                let value = self.live.get(&key).cloned();
                (key, value)
            })
            .collect()
    }

    /// Every record, in key order.
    pub fn records(&self) -> impl Iterator<Item = (&[u8], &[u8])> {
        self.live.iter().map(|(k, v)| (k.as_slice(), v.as_slice()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dump(store: &TxStore) -> Vec<(Vec<u8>, Vec<u8>)> {
        store
            .records()
            .map(|(k, v)| (k.to_vec(), v.to_vec()))
            .collect()
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
        assert_eq!(store.get(b"a"), Some(&b"2".to_vec()));
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
        assert_eq!(store.get(b"k"), Some(&b"v".to_vec()));
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
}
