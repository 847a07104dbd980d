//! Per-call iterator bookkeeping behind `db_scan` / `db_next*`.
//!
//! An iterator is its two bounds, its order and a cursor (the last key it
//! returned). Nothing is copied at scan time; each step is one
//! [`Storage::seek`] after the cursor. Ids are 1, 2, 3, ... in opening order
//! within one call, as in cosmwasm-vm's `MockStorage` and wasmvm.

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
}

/// The iterators of one call.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Iterators {
    open: Vec<IteratorState>,
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

    /// The iterator's next step, without moving it.
    pub(crate) fn peek(
        &self,
        storage: &dyn Storage,
        id: u32,
    ) -> Result<Result<Peek, BackendError>, HostError> {
        let state = self.state(id)?;
        let after = match &state.cursor {
            Cursor::Done => return Ok(Ok(Peek::End)),
            Cursor::Start => None,
            Cursor::After(key) => Some(key.as_slice()),
        };
        let range = KeyRange {
            start: state.start.as_deref(),
            end: state.end.as_deref(),
        };
        Ok(storage
            .seek(range, state.order, after)
            .map(|found| found.map_or(Peek::End, Peek::Record)))
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
