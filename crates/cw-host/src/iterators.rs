//! Per-call iterator bookkeeping behind `db_scan` / `db_next*`.
//!
//! An iterator is its two bounds, its order, a cursor (the last key it
//! returned) and the moment it was opened. Nothing is copied at scan time;
//! each step is one [`Storage::seek`] after the cursor. Ids are 1, 2, 3, ...
//! in opening order within one call, as in cosmwasm-vm's `MockStorage` and
//! wasmvm.
//!
//! **Visibility:** an iterator sees the store as it was when it was opened,
//! as on a chain (wasmd's cache-store iterators, cosmwasm-vm's
//! `MockStorage`, which copies the range): a key written or removed after
//! `db_scan` is seen with its value at that moment (or not at all if it did
//! not exist then). Lazily: while an iterator is open, every write of the
//! call records the value it replaces ([`WriteLog`]); a step merges the live
//! store with the keys written since the iterator opened and, for those,
//! takes the recorded value. What is recorded is bounded by the writes the
//! contract paid for.

use std::collections::BTreeMap;

use crate::backend::storage::{KeyRange, Order, Record, Storage};
use crate::error::{BackendError, HostError};

#[derive(Clone, Debug, PartialEq, Eq)]
enum Cursor {
    /// Nothing returned yet.
    Start,
    /// The last key returned.
    After(Vec<u8>),
    /// The range is exhausted; `next` returns `None` without a lookup.
    Done,
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct IteratorState {
    start: Option<Vec<u8>>,
    end: Option<Vec<u8>>,
    order: Order,
    cursor: Cursor,
    /// The [`WriteLog`] version when the iterator opened.
    opened_at: u64,
}

/// The values writes replaced, per key, while iterators were open: each
/// write appends `(version, value before the write)` and moves the version
/// on. The value of `key` as of version `v` is the one recorded by the
/// first write at or after `v`, or the live value if there is none.
///
/// Cost: a step looks up the next changed key from its cursor with a range
/// query and passes over keys last written before its iterator opened;
/// every such key was a paid write, so the work stays in proportion to gas
/// paid (see `tests/hostile/iterators.rs` for the worst shape).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct WriteLog {
    version: u64,
    replaced: BTreeMap<Vec<u8>, History>,
}

/// One key's writes while iterators were open.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct History {
    /// The version of the last write.
    last: u64,
    /// `(version, value before that write)`, oldest first.
    before: Vec<(u64, Option<Vec<u8>>)>,
}

impl WriteLog {
    /// The value of `key` as of `version`, if a write since then changed
    /// it: `Some(value at that version)`; `None` if it is unchanged since.
    fn value_at(&self, key: &[u8], version: u64) -> Option<&Option<Vec<u8>>> {
        self.replaced
            .get(key)?
            .before
            .iter()
            .find(|(written, _)| *written >= version)
            .map(|(_, before)| before)
    }

    /// The next key after `after` (in `order`, inside `range`) that a write
    /// changed since `version`.
    fn next_changed(
        &self,
        range: KeyRange<'_>,
        order: Order,
        after: Option<&[u8]>,
        version: u64,
    ) -> Option<&[u8]> {
        use std::ops::Bound::{Excluded, Included, Unbounded};
        let lower = match (order, after, range.start) {
            (Order::Ascending, Some(after), _) => Excluded(after),
            (_, _, Some(start)) => Included(start),
            _ => Unbounded,
        };
        let upper = match (order, after, range.end) {
            (Order::Descending, Some(after), _) => Excluded(after),
            (_, _, Some(end)) => Excluded(end),
            _ => Unbounded,
        };
        // A cursor outside the range (never, but cheap to rule out) or an
        // empty range: nothing.
        if let (Included(l) | Excluded(l), Included(u) | Excluded(u)) = (lower, upper)
            && l >= u
        {
            return None;
        }
        let within = self
            .replaced
            .range::<[u8], _>((lower, upper))
            .filter(|(key, _)| range.contains(key));
        let mut changed = within.filter(|(_, history)| history.last >= version);
        let next = match order {
            Order::Ascending => changed.next(),
            Order::Descending => changed.next_back(),
        };
        next.map(|(key, _)| key.as_slice())
    }
}

/// The iterators of one call.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Iterators {
    open: Vec<IteratorState>,
    log: WriteLog,
}

/// The result of looking at an iterator's next step without taking it.
pub(crate) enum Peek {
    /// The next record.
    Record(Record),
    /// The iterator is exhausted.
    End,
}

impl Iterators {
    /// Opens an iterator and returns its id.
    pub(crate) fn open(
        &mut self,
        start: Option<Vec<u8>>,
        end: Option<Vec<u8>>,
        order: Order,
        limit: u32,
    ) -> Result<u32, HostError> {
        let count = u32::try_from(self.open.len()).unwrap_or(u32::MAX);
        if count >= limit {
            return Err(HostError::TooManyIterators { limit });
        }
        let empty = KeyRange {
            start: start.as_deref(),
            end: end.as_deref(),
        }
        .is_empty();
        self.open.push(IteratorState {
            start,
            end,
            order,
            cursor: if empty { Cursor::Done } else { Cursor::Start },
            opened_at: self.log.version,
        });
        // count < limit <= u32::MAX, so count + 1 fits.
        Ok(count + 1)
    }

    fn index(id: u32) -> Option<usize> {
        usize::try_from(id.checked_sub(1)?).ok()
    }

    fn state(&self, id: u32) -> Result<&IteratorState, HostError> {
        Self::index(id)
            .and_then(|i| self.open.get(i))
            .ok_or(HostError::UnknownIterator { id })
    }

    /// Records, before `key` is written or removed, the value it has now,
    /// if any iterator is open (an iterator opened later sees the write).
    ///
    /// # Errors
    /// The backend failed to read the value.
    pub(crate) fn before_write(
        &mut self,
        storage: &dyn Storage,
        key: &[u8],
    ) -> Result<(), BackendError> {
        if self.open.is_empty() {
            return Ok(());
        }
        let before = storage.get(key)?;
        let version = self.log.version;
        let history = self.log.replaced.entry(key.to_vec()).or_default();
        history.last = version;
        history.before.push((version, before));
        self.log.version = version.saturating_add(1);
        Ok(())
    }

    /// The iterator's next step, without moving it: the next record of the
    /// store as it was when the iterator opened.
    pub(crate) fn peek(
        &self,
        storage: &dyn Storage,
        id: u32,
    ) -> Result<Result<Peek, BackendError>, HostError> {
        let state = self.state(id)?;
        let mut after = match &state.cursor {
            Cursor::Done => return Ok(Ok(Peek::End)),
            Cursor::Start => None,
            Cursor::After(key) => Some(key.clone()),
        };
        let range = KeyRange {
            start: state.start.as_deref(),
            end: state.end.as_deref(),
        };
        loop {
            let live = match storage.seek(range, state.order, after.as_deref()) {
                Ok(live) => live,
                Err(e) => return Ok(Err(e)),
            };
            let changed =
                self.log
                    .next_changed(range, state.order, after.as_deref(), state.opened_at);
            let first_changed = match (&live, changed) {
                (_, None) => None,
                (None, Some(changed)) => Some(changed),
                (Some((key, _)), Some(changed)) => {
                    let changed_first = match state.order {
                        Order::Ascending => changed <= key.as_slice(),
                        Order::Descending => changed >= key.as_slice(),
                    };
                    changed_first.then_some(changed)
                }
            };
            let Some(changed) = first_changed else {
                return Ok(Ok(live.map_or(Peek::End, Peek::Record)));
            };
            match self.log.value_at(changed, state.opened_at) {
                Some(Some(value)) => {
                    return Ok(Ok(Peek::Record((changed.to_vec(), value.clone()))));
                }
                // Not there when the iterator opened: step over it.
                _ => after = Some(changed.to_vec()),
            }
        }
    }

    /// Moves the iterator past `key`, or marks it exhausted for `None`.
    /// `id` must have been accepted by [`Self::peek`].
    pub(crate) fn advance(&mut self, id: u32, key: Option<&[u8]>) {
        if let Some(state) = Self::index(id).and_then(|i| self.open.get_mut(i)) {
            match key {
                Some(key) => state.cursor = Cursor::After(key.to_vec()),
                None => {
                    // An exhausted iterator keeps only its id: free the bounds.
                    state.cursor = Cursor::Done;
                    state.start = None;
                    state.end = None;
                }
            }
        }
    }

    /// Number of iterators opened in this call.
    pub(crate) fn len(&self) -> usize {
        self.open.len()
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use proptest::prelude::*;

    use super::*;

    /// The smallest `Storage`: a sorted map.
    #[derive(Default)]
    struct Map(BTreeMap<Vec<u8>, Vec<u8>>);

    impl Storage for Map {
        fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, BackendError> {
            Ok(self.0.get(key).cloned())
        }
        fn set(&mut self, key: &[u8], value: &[u8]) -> Result<(), BackendError> {
            self.0.insert(key.to_vec(), value.to_vec());
            Ok(())
        }
        fn remove(&mut self, key: &[u8]) -> Result<(), BackendError> {
            self.0.remove(key);
            Ok(())
        }
        fn seek(
            &self,
            range: KeyRange<'_>,
            order: Order,
            after: Option<&[u8]>,
        ) -> Result<Option<Record>, BackendError> {
            let mut matching = self
                .0
                .iter()
                .filter(|(k, _)| range.contains(k))
                .filter(|(k, _)| match (order, after) {
                    (_, None) => true,
                    (Order::Ascending, Some(a)) => k.as_slice() > a,
                    (Order::Descending, Some(a)) => k.as_slice() < a,
                });
            let found = match order {
                Order::Ascending => matching.next(),
                Order::Descending => matching.next_back(),
            };
            Ok(found.map(|(k, v)| (k.clone(), v.clone())))
        }
    }

    #[derive(Clone, Debug)]
    enum Op {
        Open {
            start: Option<u8>,
            end: Option<u8>,
            descending: bool,
        },
        Step(usize),
        Write(u8, u8),
        Remove(u8),
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            (
                proptest::option::of(0u8..12),
                proptest::option::of(0u8..12),
                any::<bool>()
            )
                .prop_map(|(start, end, descending)| Op::Open {
                    start,
                    end,
                    descending
                }),
            (0usize..6).prop_map(Op::Step),
            (0u8..12, any::<u8>()).prop_map(|(k, v)| Op::Write(k, v)),
            (0u8..12).prop_map(Op::Remove),
        ]
    }

    proptest! {
        /// Against a model that copies the range when an iterator opens
        /// (cosmwasm-vm's `MockStorage`): every step returns the same record.
        #[test]
        fn iterators_see_the_store_as_it_was_when_they_opened(
            initial in proptest::collection::btree_map(0u8..12, any::<u8>(), 0..8),
            ops in proptest::collection::vec(op(), 0..60),
        ) {
            let mut store = Map::default();
            for (k, v) in &initial {
                store.0.insert(vec![*k], vec![*v]);
            }
            let mut iterators = Iterators::default();
            let mut model: Vec<std::vec::IntoIter<Record>> = Vec::new();
            for op in ops {
                match op {
                    Op::Open { start, end, descending } => {
                        let order = if descending { Order::Descending } else { Order::Ascending };
                        let (start, end) = (start.map(|s| vec![s]), end.map(|e| vec![e]));
                        let range = KeyRange { start: start.as_deref(), end: end.as_deref() };
                        let mut copied: Vec<Record> = store
                            .0
                            .iter()
                            .filter(|(k, _)| range.contains(k))
                            .map(|(k, v)| (k.clone(), v.clone()))
                            .collect();
                        if descending {
                            copied.reverse();
                        }
                        model.push(copied.into_iter());
                        let id = iterators.open(start, end, order, u32::MAX).unwrap();
                        prop_assert_eq!(id as usize, model.len());
                    }
                    Op::Step(index) if index < model.len() => {
                        let id = u32::try_from(index + 1).unwrap();
                        let expected = model[index].next();
                        let got = match iterators.peek(&store, id).unwrap().unwrap() {
                            Peek::Record(record) => Some(record),
                            Peek::End => None,
                        };
                        iterators.advance(id, got.as_ref().map(|(k, _)| k.as_slice()));
                        prop_assert_eq!(got, expected);
                    }
                    Op::Step(_) => {}
                    Op::Write(k, v) => {
                        iterators.before_write(&store, &[k]).unwrap();
                        store.0.insert(vec![k], vec![v]);
                    }
                    Op::Remove(k) => {
                        iterators.before_write(&store, &[k]).unwrap();
                        store.0.remove(&vec![k]);
                    }
                }
            }
        }
    }
}
