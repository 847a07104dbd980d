//! Test doubles for this crate's tests and the crates above it (feature
//! `testing`): [`MockStorage`] (a `BTreeMap` with lazy seeks),
//! [`SharedStorage`] (one `MockStorage` seen by a test and its contracts),
//! [`MockQuerier`] (programmed responses, records depth and gas limits) and
//! [`BumpAllocator`] (a [`GuestAllocator`] over cw-region's
//! [`VecMemory`]).

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::ops::Bound;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use cw_gas::CwGas;
use cw_region::testing::VecMemory;

use crate::backend::querier::{Querier, QueryOutcome};
use crate::backend::storage::{KeyRange, Order, Record, Storage};
use crate::error::{BackendError, HostError};
use crate::memory::GuestAllocator;

/// An in-memory [`Storage`] over a `BTreeMap`. Each [`Storage::seek`] is one
/// `BTreeMap::range` lookup, and is counted, so tests can check that
/// iteration is lazy.
#[derive(Clone, Debug, Default)]
pub struct MockStorage {
    data: BTreeMap<Vec<u8>, Vec<u8>>,
    seeks: Cell<u64>,
}

impl MockStorage {
    /// An empty store.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// The stored data.
    #[must_use]
    pub fn as_map(&self) -> &BTreeMap<Vec<u8>, Vec<u8>> {
        &self.data
    }

    /// How many times [`Storage::seek`] was called.
    #[must_use]
    pub fn seek_count(&self) -> u64 {
        self.seeks.get()
    }
}

/// One [`MockStorage`] that a test shares with the contracts it calls:
/// every clone is a handle to the same store, so a test can seed state,
/// hand a clone to a call backend, and read what the call wrote.
#[derive(Clone, Debug, Default)]
pub struct SharedStorage(Arc<Mutex<MockStorage>>);

impl SharedStorage {
    /// An empty shared store.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// The store, locked for direct use. A lock poisoned by a panicking
    /// test thread is taken over: the data is a test's, not a contract's.
    pub fn lock(&self) -> MutexGuard<'_, MockStorage> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Everything stored, sorted by key.
    #[must_use]
    pub fn dump(&self) -> BTreeMap<Vec<u8>, Vec<u8>> {
        self.lock().as_map().clone()
    }

    /// Stores `value` at `key`.
    pub fn put(&self, key: &[u8], value: &[u8]) {
        self.lock().data.insert(key.to_vec(), value.to_vec());
    }
}

impl Storage for SharedStorage {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, BackendError> {
        self.lock().get(key)
    }
    fn set(&mut self, key: &[u8], value: &[u8]) -> Result<(), BackendError> {
        self.lock().set(key, value)
    }
    fn remove(&mut self, key: &[u8]) -> Result<(), BackendError> {
        self.lock().remove(key)
    }
    fn seek(
        &self,
        range: KeyRange<'_>,
        order: Order,
        after: Option<&[u8]>,
    ) -> Result<Option<Record>, BackendError> {
        self.lock().seek(range, order, after)
    }
}

impl<K: Into<Vec<u8>>, V: Into<Vec<u8>>> FromIterator<(K, V)> for MockStorage {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        Self {
            data: iter
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
            seeks: Cell::new(0),
        }
    }
}

/// Whether `(lower, upper)` is a range `BTreeMap::range` accepts and that
/// can contain a key (it panics on inverted bounds).
fn non_empty(lower: Bound<&[u8]>, upper: Bound<&[u8]>) -> bool {
    match (lower, upper) {
        (Bound::Included(l), Bound::Included(u)) => l <= u,
        (Bound::Included(l) | Bound::Excluded(l), Bound::Excluded(u))
        | (Bound::Excluded(l), Bound::Included(u)) => l < u,
        _ => true,
    }
}

impl Storage for MockStorage {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, BackendError> {
        Ok(self.data.get(key).cloned())
    }

    fn set(&mut self, key: &[u8], value: &[u8]) -> Result<(), BackendError> {
        self.data.insert(key.to_vec(), value.to_vec());
        Ok(())
    }

    fn remove(&mut self, key: &[u8]) -> Result<(), BackendError> {
        self.data.remove(key);
        Ok(())
    }

    fn seek(
        &self,
        range: KeyRange<'_>,
        order: Order,
        after: Option<&[u8]>,
    ) -> Result<Option<Record>, BackendError> {
        self.seeks.set(self.seeks.get().saturating_add(1));
        let start = range.start.map_or(Bound::Unbounded, Bound::Included);
        let end = range.end.map_or(Bound::Unbounded, Bound::Excluded);
        let (lower, upper) = match (order, after) {
            (_, None) => (start, end),
            (Order::Ascending, Some(a)) => match range.start {
                Some(s) if s > a => (start, end),
                _ => (Bound::Excluded(a), end),
            },
            (Order::Descending, Some(a)) => match range.end {
                Some(e) if e <= a => (start, end),
                _ => (start, Bound::Excluded(a)),
            },
        };
        if !non_empty(lower, upper) {
            return Ok(None);
        }
        let mut found = self.data.range::<[u8], _>((lower, upper));
        let record = match order {
            Order::Ascending => found.next(),
            Order::Descending => found.next_back(),
        };
        Ok(record.map(|(k, v)| (k.clone(), v.clone())))
    }
}

/// One call a [`MockQuerier`] received.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueryCall {
    /// The raw request.
    pub request: Vec<u8>,
    /// The gas limit it was given.
    pub gas_limit: CwGas,
    /// The depth it ran at.
    pub depth: u32,
}

/// Flat gas of every mock query: cosmwasm-vm 3.0.11 `testing/querier.rs`
/// `GAS_COST_QUERY_FLAT`.
pub const MOCK_QUERY_FLAT_GAS: u64 = 100_000;
/// Gas per response byte: cosmwasm-vm's `GAS_COST_QUERY_RESPONSE_MULTIPLIER`
/// (request bytes are free there too).
pub const MOCK_QUERY_GAS_PER_RESPONSE_BYTE: u64 = 100;

/// The response to a request that was not programmed:
/// `SystemError::UnsupportedRequest { kind: "unprogrammed" }`.
pub const UNPROGRAMMED_RESPONSE: &[u8] =
    br#"{"error":{"unsupported_request":{"kind":"unprogrammed"}}}"#;

/// A [`Querier`] answering programmed requests byte for byte, with
/// cosmwasm-vm's `MockQuerier` gas (100,000 + 100 per response byte; a query
/// over its limit fails with [`BackendError::OutOfGas`] and reports the
/// gas). Every call is recorded with its gas limit and depth.
#[derive(Clone, Debug, Default)]
pub struct MockQuerier {
    responses: BTreeMap<Vec<u8>, Vec<u8>>,
    calls: RefCell<Vec<QueryCall>>,
}

impl MockQuerier {
    /// A querier with no programmed responses.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Answers `request` with `system_result_json`, the raw JSON of a
    /// `SystemResult<ContractResult<Binary>>`.
    #[must_use]
    pub fn with_response(
        mut self,
        request: impl Into<Vec<u8>>,
        system_result_json: impl Into<Vec<u8>>,
    ) -> Self {
        self.responses
            .insert(request.into(), system_result_json.into());
        self
    }

    /// Answers `request` with `{"ok":{"ok":"<base64 of payload>"}}`, a
    /// successful query returning `payload`.
    #[must_use]
    pub fn with_ok(self, request: impl Into<Vec<u8>>, payload: &[u8]) -> Self {
        self.with_response(request, ok_response(payload))
    }

    /// The calls received so far.
    #[must_use]
    pub fn calls(&self) -> Vec<QueryCall> {
        self.calls.borrow().clone()
    }
}

impl Querier for MockQuerier {
    fn query_raw(&self, request: &[u8], gas_limit: CwGas, depth: u32) -> QueryOutcome {
        self.calls.borrow_mut().push(QueryCall {
            request: request.to_vec(),
            gas_limit,
            depth,
        });
        let response = self
            .responses
            .get(request)
            .map_or_else(|| UNPROGRAMMED_RESPONSE.to_vec(), Clone::clone);
        let per_byte = u64::try_from(response.len())
            .unwrap_or(u64::MAX)
            .saturating_mul(MOCK_QUERY_GAS_PER_RESPONSE_BYTE);
        let gas_used = CwGas::new(MOCK_QUERY_FLAT_GAS.saturating_add(per_byte));
        let result = if gas_used > gas_limit {
            Err(BackendError::OutOfGas)
        } else {
            Ok(response)
        };
        QueryOutcome { result, gas_used }
    }
}

/// The JSON of `SystemResult::Ok(ContractResult::Ok(Binary(payload)))`.
#[must_use]
pub fn ok_response(payload: &[u8]) -> Vec<u8> {
    format!(r#"{{"ok":{{"ok":"{}"}}}}"#, base64(payload)).into_bytes()
}

/// Standard base64 with padding, as cosmwasm-std's `Binary` serializes.
#[must_use]
pub fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        let sextet = |shift: u32| char::from(ALPHABET[((n >> shift) & 63) as usize]);
        out.push(sextet(18));
        out.push(sextet(12));
        out.push(if chunk.len() > 1 { sextet(6) } else { '=' });
        out.push(if chunk.len() > 2 { sextet(0) } else { '=' });
    }
    out
}

/// A [`GuestAllocator`] that appends each region to a [`VecMemory`] (via
/// `place_region`), as a
/// contract's allocator would, and records what it allocated.
#[derive(Debug)]
pub struct BumpAllocator<'m> {
    memory: &'m VecMemory,
    allocations: Vec<(u32, u32)>,
}

impl<'m> BumpAllocator<'m> {
    /// An allocator over `memory`.
    #[must_use]
    pub fn new(memory: &'m VecMemory) -> Self {
        Self {
            memory,
            allocations: Vec::new(),
        }
    }

    /// `(size, region pointer)` of every allocation so far.
    #[must_use]
    pub fn allocations(&self) -> &[(u32, u32)] {
        &self.allocations
    }
}

impl GuestAllocator for BumpAllocator<'_> {
    fn allocate(&mut self, size: u32, _gas_left: &mut u64) -> Result<u32, HostError> {
        let ptr = self
            .memory
            .place_region(&[], size)
            .map_err(|e| HostError::Allocation {
                size,
                message: e.to_string(),
            })?;
        self.allocations.push((size, ptr));
        Ok(ptr)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_known_vectors() {
        // RFC 4648 section 10.
        for (input, expected) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(input.as_bytes()), expected);
        }
    }

    #[test]
    fn shared_storage_clones_see_one_store() {
        let test_side = SharedStorage::new();
        test_side.put(b"b", b"2");
        let mut contract_side: Box<dyn Storage> = Box::new(test_side.clone());
        contract_side.set(b"a", b"1").unwrap();
        contract_side.remove(b"b").unwrap();
        assert_eq!(test_side.get(b"a").unwrap().as_deref(), Some(&b"1"[..]));
        let expected: BTreeMap<Vec<u8>, Vec<u8>> = [(b"a".to_vec(), b"1".to_vec())].into();
        assert_eq!(test_side.dump(), expected);
        let first = contract_side
            .seek(KeyRange::default(), Order::Ascending, None)
            .unwrap();
        assert_eq!(first.map(|(k, _)| k), Some(b"a".to_vec()));
        assert_eq!(test_side.lock().seek_count(), 1);
    }
}
