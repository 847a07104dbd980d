//! The [`Storage`] trait: a contract's key-value store as the host sees it.
//!
//! Architecture invariant: a backend keeps no iterator state. Iteration is
//! built by the host from [`Storage::seek`] ("the first record in this range
//! after this key"), so iterator ids belong to the call that opened them,
//! iterators never copy a range, and every backend (the runtime's
//! transactional store, a persistent store, a NEAR adapter, a test mock) gets
//! lazy iteration by implementing one stateless lookup.

use crate::error::BackendError;

/// A key and its value.
pub type Record = (Vec<u8>, Vec<u8>);

/// Iteration order, numbered as cosmwasm-std's `Order` (the `db_scan`
/// argument).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Order {
    /// Smallest key first (`1`).
    Ascending = 1,
    /// Largest key first (`2`).
    Descending = 2,
}

impl TryFrom<i32> for Order {
    type Error = i32;

    /// `1` is ascending, `2` descending; anything else is returned as the
    /// error.
    fn try_from(raw: i32) -> Result<Self, i32> {
        match raw {
            1 => Ok(Self::Ascending),
            2 => Ok(Self::Descending),
            other => Err(other),
        }
    }
}

/// The keys `start <= key < end`; a missing bound is open. A range whose
/// `start >= end` is empty.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct KeyRange<'a> {
    /// Inclusive lower bound.
    pub start: Option<&'a [u8]>,
    /// Exclusive upper bound.
    pub end: Option<&'a [u8]>,
}

impl KeyRange<'_> {
    /// Whether the range contains no key at all (`start >= end`).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        matches!((self.start, self.end), (Some(s), Some(e)) if s >= e)
    }

    /// Whether `key` lies in the range.
    #[must_use]
    pub fn contains(&self, key: &[u8]) -> bool {
        self.start.is_none_or(|s| key >= s) && self.end.is_none_or(|e| key < e)
    }
}

/// A contract's key-value store.
///
/// Implementations must be deterministic: the same sequence of calls on the
/// same data gives the same results on every node. Errors are backend faults
/// (the call ends); an absent key is `Ok(None)`, never an error.
pub trait Storage {
    /// The value stored at `key`, or `None`.
    ///
    /// # Errors
    /// A backend fault.
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, BackendError>;

    /// The length of the value at `key`, or `None`. The host asks this before
    /// a write or removal to price it (NEAR charges the evicted bytes); the
    /// provided implementation reads the value, a backend that stores lengths
    /// can answer without it.
    ///
    /// # Errors
    /// A backend fault.
    fn value_len(&self, key: &[u8]) -> Result<Option<usize>, BackendError> {
        Ok(self.get(key)?.map(|v| v.len()))
    }

    /// Stores `value` at `key`, replacing any previous value.
    ///
    /// # Errors
    /// A backend fault; the store is then unchanged.
    fn set(&mut self, key: &[u8], value: &[u8]) -> Result<(), BackendError>;

    /// Removes `key` if present.
    ///
    /// # Errors
    /// A backend fault; the store is then unchanged.
    fn remove(&mut self, key: &[u8]) -> Result<(), BackendError>;

    /// The first record of `range` in `order` whose key is strictly after
    /// `after` in that order (strictly greater when ascending, strictly
    /// smaller when descending), or from the beginning if `after` is `None`.
    ///
    /// This is the only iteration primitive: it must cost one ordered lookup
    /// (O(log n) in a tree), never a scan of the range. The host never calls
    /// it with an empty range, but an implementation must return `Ok(None)`
    /// for one rather than panic.
    ///
    /// # Errors
    /// A backend fault.
    fn seek(
        &self,
        range: KeyRange<'_>,
        order: Order,
        after: Option<&[u8]>,
    ) -> Result<Option<Record>, BackendError>;
}

/// A lazy iterator over `range` of `storage` in `order`, built on
/// [`Storage::seek`]: each step is one lookup after the last key returned, so
/// writes behind the cursor are not seen and writes ahead of it are.
///
/// This is how a native contract (which has no iterator ids) iterates; the
/// `db_scan` import uses the same cursor rule.
pub fn range<'s>(
    storage: &'s dyn Storage,
    start: Option<&'s [u8]>,
    end: Option<&'s [u8]>,
    order: Order,
) -> RangeIter<'s> {
    let range = KeyRange { start, end };
    RangeIter {
        storage,
        range,
        order,
        cursor: None,
        done: range.is_empty(),
    }
}

/// The iterator returned by [`range`].
pub struct RangeIter<'s> {
    storage: &'s dyn Storage,
    range: KeyRange<'s>,
    order: Order,
    cursor: Option<Vec<u8>>,
    done: bool,
}

impl core::fmt::Debug for RangeIter<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("RangeIter")
            .field("range", &self.range)
            .field("order", &self.order)
            .field("cursor", &self.cursor)
            .field("done", &self.done)
            .finish_non_exhaustive()
    }
}

impl Iterator for RangeIter<'_> {
    type Item = Result<Record, BackendError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        match self
            .storage
            .seek(self.range, self.order, self.cursor.as_deref())
        {
            Ok(Some((key, value))) => {
                self.cursor = Some(key.clone());
                Some(Ok((key, value)))
            }
            Ok(None) => {
                self.done = true;
                None
            }
            Err(e) => {
                self.done = true;
                Some(Err(e))
            }
        }
    }
}
