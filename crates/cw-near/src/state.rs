//! [`KvState`]: cw-chain's [`ChainState`] over a flat key-value store
//! without iteration (NEAR contract storage), with an ordered key index of
//! its own and a write-back cache flushed once per NEAR call.
//!
//! NEAR storage has no range iteration (its `storage_iter_*` functions are
//! deprecated), but the chain seeks in key order (contract iterators,
//! prefixed scans). The keys are kept sorted in pages of at most
//! [`MAX_PAGE_KEYS`]; a directory holds each page's first key. A seek reads
//! the directory and one or two pages; a new or removed key rewrites one
//! page (and the directory when a page splits or empties). Values are stored
//! apart from the index, so reading or overwriting a key never touches it.
//!
//! Raw layout (every key of the contract's storage starts with one of these
//! tags): `v` + key → value; `d` → directory; `p` + page id (u64 BE) → page;
//! `n` → code count (u64 BE); `c` + code id (u64 BE) → code record; `w` +
//! artifact key → an engine artifact ([`KvState::put_artifact`]); `t` →
//! the transaction count in the last block (height u64 BE, then the next
//! index u32 BE, absent when every index was given out).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex, MutexGuard};

use cw_chain::{ChainState, CodeRecord, ExecutionMode};
use cw_host::{Checksum, KeyRange, Order, Record};

use crate::error::NearError;

/// The most keys in one index page before it splits in two. A page is read
/// whole on a seek: 64 keys of a typical 40-byte contract key is about 3 KB.
pub const MAX_PAGE_KEYS: usize = 64;

const VALUE: u8 = b'v';
const DIRECTORY: &[u8] = b"d";
const PAGE: u8 = b'p';
const CODE_COUNT: &[u8] = b"n";
const CODE: u8 = b'c';
const PREPARED: u8 = b'w';
const TX_POSITION: &[u8] = b"t";

/// A flat byte store without iteration: what NEAR contract storage offers.
pub trait RawStorage: Send {
    /// The value at `key`.
    fn read(&self, key: &[u8]) -> Option<Vec<u8>>;
    /// Sets `key` to `value`.
    fn write(&mut self, key: &[u8], value: &[u8]);
    /// Removes `key`.
    fn remove(&mut self, key: &[u8]);
}

/// A [`RawStorage`] in memory, for tests of the index without NEAR.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct MemoryRaw {
    /// Every raw record.
    pub records: BTreeMap<Vec<u8>, Vec<u8>>,
}

impl RawStorage for MemoryRaw {
    fn read(&self, key: &[u8]) -> Option<Vec<u8>> {
        self.records.get(key).cloned()
    }
    fn write(&mut self, key: &[u8], value: &[u8]) {
        self.records.insert(key.to_vec(), value.to_vec());
    }
    fn remove(&mut self, key: &[u8]) {
        self.records.remove(key);
    }
}

/// The index directory: each page's first key and id, sorted by first key.
/// Page 0 always exists with first key `[]`, so every key has a page.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Directory {
    next_id: u64,
    pages: Vec<(Vec<u8>, u64)>,
}

impl Default for Directory {
    fn default() -> Self {
        Self {
            next_id: 1,
            pages: vec![(Vec::new(), 0)],
        }
    }
}

/// The cache of one NEAR call: values read or written, the directory and
/// the pages touched, with what changed.
struct Cache<S> {
    raw: S,
    values: BTreeMap<Vec<u8>, Option<Vec<u8>>>,
    dirty_values: BTreeSet<Vec<u8>>,
    directory: Option<Directory>,
    directory_dirty: bool,
    pages: BTreeMap<u64, Vec<Vec<u8>>>,
    dirty_pages: BTreeSet<u64>,
    /// Codes stored in this call, by id, not yet written.
    new_codes: BTreeMap<u64, CodeRecord>,
    /// Engine artifacts made in this call, by key, not yet written.
    new_artifacts: BTreeMap<Vec<u8>, Vec<u8>>,
    /// The transaction count this call leaves, not yet written.
    new_tx_position: Option<(u64, Option<u32>)>,
}

/// cw-chain's [`ChainState`] over a [`RawStorage`]. Clones share one cache:
/// give one to the chain and keep one to [`flush`](Self::flush) the call's
/// writes when the chain is done.
pub struct KvState<S> {
    cache: Arc<Mutex<Cache<S>>>,
}

impl<S> Clone for KvState<S> {
    fn clone(&self) -> Self {
        Self {
            cache: Arc::clone(&self.cache),
        }
    }
}

impl<S> std::fmt::Debug for KvState<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KvState").finish_non_exhaustive()
    }
}

/// A broken invariant of the stored index or codes: the contract's storage
/// was written by something else. Never guest input, so the call stops.
fn corrupt(error: NearError) -> ! {
    panic!("{error}")
}

fn encode_directory(directory: &Directory) -> Vec<u8> {
    let mut out = directory.next_id.to_be_bytes().to_vec();
    for (first, id) in &directory.pages {
        push_bytes(&mut out, first);
        out.extend_from_slice(&id.to_be_bytes());
    }
    out
}

fn decode_directory(bytes: &[u8]) -> Result<Directory, NearError> {
    let mut reader = Reader::new(bytes, "index directory");
    let next_id = reader.u64()?;
    let mut pages = Vec::new();
    while !reader.is_done() {
        let first = reader.bytes()?.to_vec();
        pages.push((first, reader.u64()?));
    }
    if pages.first().is_none_or(|(first, _)| !first.is_empty()) {
        return Err(NearError::CorruptState {
            what: "index directory",
            reason: "page 0 is missing",
        });
    }
    Ok(Directory { next_id, pages })
}

fn encode_page(keys: &[Vec<u8>]) -> Vec<u8> {
    let mut out = Vec::new();
    for key in keys {
        push_bytes(&mut out, key);
    }
    out
}

fn decode_page(bytes: &[u8]) -> Result<Vec<Vec<u8>>, NearError> {
    let mut reader = Reader::new(bytes, "index page");
    let mut keys = Vec::new();
    while !reader.is_done() {
        keys.push(reader.bytes()?.to_vec());
    }
    Ok(keys)
}

fn encode_tx_position((height, next): (u64, Option<u32>)) -> Vec<u8> {
    let mut out = height.to_be_bytes().to_vec();
    if let Some(next) = next {
        out.extend_from_slice(&next.to_be_bytes());
    }
    out
}

fn decode_tx_position(bytes: &[u8]) -> Result<(u64, Option<u32>), NearError> {
    let mut reader = Reader::new(bytes, "transaction count");
    let height = reader.u64()?;
    let next = if reader.is_done() {
        None
    } else {
        let raw = reader.take(4)?;
        Some(u32::from_be_bytes(raw.try_into().unwrap_or_default()))
    };
    if !reader.is_done() {
        return Err(NearError::CorruptState {
            what: "transaction count",
            reason: "trailing bytes",
        });
    }
    Ok((height, next))
}

fn push_bytes(out: &mut Vec<u8>, bytes: &[u8]) {
    let len = u32::try_from(bytes.len()).expect("NEAR keys and values are far below 4 GiB");
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(bytes);
}

/// Reads the length-prefixed encodings of this module.
struct Reader<'a> {
    bytes: &'a [u8],
    what: &'static str,
}

impl<'a> Reader<'a> {
    fn new(bytes: &'a [u8], what: &'static str) -> Self {
        Self { bytes, what }
    }

    fn is_done(&self) -> bool {
        self.bytes.is_empty()
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], NearError> {
        if self.bytes.len() < n {
            return Err(NearError::CorruptState {
                what: self.what,
                reason: "truncated",
            });
        }
        let (head, rest) = self.bytes.split_at(n);
        self.bytes = rest;
        Ok(head)
    }

    fn u64(&mut self) -> Result<u64, NearError> {
        let raw = self.take(8)?;
        Ok(u64::from_be_bytes(raw.try_into().unwrap_or_default()))
    }

    fn bytes(&mut self) -> Result<&'a [u8], NearError> {
        let raw = self.take(4)?;
        let len = u32::from_be_bytes(raw.try_into().unwrap_or_default());
        self.take(usize::try_from(len).unwrap_or(usize::MAX))
    }
}

fn tagged(tag: u8, key: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(1 + key.len());
    out.push(tag);
    out.extend_from_slice(key);
    out
}

fn mode_byte(mode: ExecutionMode) -> u8 {
    match mode {
        ExecutionMode::Wasm => 0,
        ExecutionMode::Native => 1,
        ExecutionMode::Auto => 2,
    }
}

fn encode_code(code: &CodeRecord) -> Vec<u8> {
    let mut out = Vec::with_capacity(1 + 32 + 4 + code.creator.len() + code.wasm.len());
    out.push(mode_byte(code.mode));
    out.extend_from_slice(code.checksum.as_bytes());
    push_bytes(&mut out, code.creator.as_bytes());
    out.extend_from_slice(&code.wasm);
    out
}

fn decode_code(bytes: &[u8]) -> Result<CodeRecord, NearError> {
    let what = "code record";
    let bad = |reason| NearError::CorruptState { what, reason };
    let mut reader = Reader::new(bytes, what);
    let mode = match reader.take(1)? {
        [0] => ExecutionMode::Wasm,
        [1] => ExecutionMode::Native,
        [2] => ExecutionMode::Auto,
        _ => return Err(bad("unknown execution mode")),
    };
    let checksum: [u8; 32] = reader
        .take(32)?
        .try_into()
        .map_err(|_| bad("short checksum"))?;
    let creator = String::from_utf8(reader.bytes()?.to_vec()).map_err(|_| bad("creator"))?;
    Ok(CodeRecord {
        creator,
        checksum: Checksum::from_bytes(checksum),
        wasm: Arc::from(reader.bytes),
        mode,
    })
}

impl<S: RawStorage> Cache<S> {
    fn directory(&mut self) -> &mut Directory {
        let raw = &self.raw;
        self.directory.get_or_insert_with(|| {
            raw.read(DIRECTORY)
                .map_or_else(Directory::default, |bytes| {
                    decode_directory(&bytes).unwrap_or_else(|e| corrupt(e))
                })
        })
    }

    fn page(&mut self, id: u64) -> &mut Vec<Vec<u8>> {
        let raw = &self.raw;
        self.pages.entry(id).or_insert_with(|| {
            raw.read(&tagged(PAGE, &id.to_be_bytes()))
                .map_or_else(Vec::new, |bytes| {
                    decode_page(&bytes).unwrap_or_else(|e| corrupt(e))
                })
        })
    }

    /// The directory position of the page that holds (or would hold) `key`.
    fn page_position(&mut self, key: &[u8]) -> usize {
        let pages = &self.directory().pages;
        // Page 0's first key is empty, so the partition point is at least 1.
        pages
            .partition_point(|(first, _)| first.as_slice() <= key)
            .saturating_sub(1)
    }

    fn value(&mut self, key: &[u8]) -> Option<Vec<u8>> {
        if let Some(cached) = self.values.get(key) {
            return cached.clone();
        }
        let value = self.raw.read(&tagged(VALUE, key));
        self.values.insert(key.to_vec(), value.clone());
        value
    }

    fn put(&mut self, key: &[u8], value: Option<Vec<u8>>) -> Option<Vec<u8>> {
        let previous = self.value(key);
        match (&previous, &value) {
            (None, Some(_)) => self.index_insert(key),
            (Some(_), None) => self.index_remove(key),
            _ => {}
        }
        self.values.insert(key.to_vec(), value);
        self.dirty_values.insert(key.to_vec());
        previous
    }

    fn index_insert(&mut self, key: &[u8]) {
        let position = self.page_position(key);
        let id = self.directory().pages[position].1;
        let page = self.page(id);
        let at = page.partition_point(|k| k.as_slice() < key);
        page.insert(at, key.to_vec());
        let split = (page.len() > MAX_PAGE_KEYS).then(|| page.split_off(page.len() / 2));
        self.dirty_pages.insert(id);
        if let Some(upper) = split {
            let directory = self.directory();
            let new_id = directory.next_id;
            directory.next_id = new_id.saturating_add(1);
            directory
                .pages
                .insert(position + 1, (upper[0].clone(), new_id));
            self.directory_dirty = true;
            self.pages.insert(new_id, upper);
            self.dirty_pages.insert(new_id);
        }
    }

    fn index_remove(&mut self, key: &[u8]) {
        let position = self.page_position(key);
        let (first, id) = self.directory().pages[position].clone();
        let page = self.page(id);
        if let Ok(at) = page.binary_search_by(|k| k.as_slice().cmp(key)) {
            page.remove(at);
        }
        let empty = page.is_empty();
        self.dirty_pages.insert(id);
        // An empty page leaves the directory (except page 0, which covers
        // every key below the second page). A non-empty page keeps its
        // directory key even if its first key went: the directory key only
        // needs to be at most every key of the page.
        if empty && !first.is_empty() {
            self.directory().pages.remove(position);
            self.directory_dirty = true;
        }
    }

    /// The first key of the index at or after `from` (`inclusive`) in
    /// ascending order.
    fn next_key(&mut self, from: Option<(&[u8], bool)>) -> Option<Vec<u8>> {
        let mut position = from.map_or(0, |(key, _)| self.page_position(key));
        loop {
            let id = self.directory().pages.get(position)?.1;
            let page = self.page(id);
            let at = match from {
                None => 0,
                Some((key, true)) => page.partition_point(|k| k.as_slice() < key),
                Some((key, false)) => page.partition_point(|k| k.as_slice() <= key),
            };
            if let Some(found) = page.get(at) {
                return Some(found.clone());
            }
            position += 1;
        }
    }

    /// The last key of the index strictly before `before` (any key if
    /// `None`).
    fn previous_key(&mut self, before: Option<&[u8]>) -> Option<Vec<u8>> {
        let mut position = match before {
            Some(key) => self.page_position(key),
            None => self.directory().pages.len().checked_sub(1)?,
        };
        loop {
            let id = self.directory().pages.get(position)?.1;
            let page = self.page(id);
            let at = before.map_or(page.len(), |key| {
                page.partition_point(|k| k.as_slice() < key)
            });
            if let Some(found) = at.checked_sub(1).and_then(|at| page.get(at)) {
                return Some(found.clone());
            }
            position = position.checked_sub(1)?;
        }
    }

    fn stored_code_count(&self) -> u64 {
        self.raw.read(CODE_COUNT).map_or(0, |bytes| {
            Reader::new(&bytes, "code count")
                .u64()
                .unwrap_or_else(|e| corrupt(e))
        })
    }

    fn code_count(&self) -> u64 {
        self.new_codes
            .keys()
            .next_back()
            .copied()
            .unwrap_or_else(|| self.stored_code_count())
    }

    fn flush(&mut self) {
        if let Some(position) = self.new_tx_position.take() {
            self.raw.write(TX_POSITION, &encode_tx_position(position));
        }
        for (key, artifact) in std::mem::take(&mut self.new_artifacts) {
            self.raw.write(&tagged(PREPARED, &key), &artifact);
        }
        let new_codes = std::mem::take(&mut self.new_codes);
        if let Some(&last) = new_codes.keys().next_back() {
            for (id, code) in &new_codes {
                self.raw
                    .write(&tagged(CODE, &id.to_be_bytes()), &encode_code(code));
            }
            self.raw.write(CODE_COUNT, &last.to_be_bytes());
        }
        for key in std::mem::take(&mut self.dirty_values) {
            let raw_key = tagged(VALUE, &key);
            match self.values.get(&key).cloned().flatten() {
                Some(value) => self.raw.write(&raw_key, &value),
                None => self.raw.remove(&raw_key),
            }
        }
        let live: BTreeSet<u64> = self
            .directory
            .as_ref()
            .map(|d| d.pages.iter().map(|(_, id)| *id).collect())
            .unwrap_or_default();
        for id in std::mem::take(&mut self.dirty_pages) {
            let raw_key = tagged(PAGE, &id.to_be_bytes());
            match self.pages.get(&id) {
                Some(keys) if live.contains(&id) && !keys.is_empty() => {
                    self.raw.write(&raw_key, &encode_page(keys));
                }
                _ => self.raw.remove(&raw_key),
            }
        }
        if std::mem::take(&mut self.directory_dirty)
            && let Some(directory) = &self.directory
        {
            self.raw.write(DIRECTORY, &encode_directory(directory));
        }
    }
}

impl<S: RawStorage> KvState<S> {
    /// A state over `raw`, with nothing cached.
    pub fn new(raw: S) -> Self {
        Self {
            cache: Arc::new(Mutex::new(Cache {
                raw,
                values: BTreeMap::new(),
                dirty_values: BTreeSet::new(),
                directory: None,
                directory_dirty: false,
                pages: BTreeMap::new(),
                dirty_pages: BTreeSet::new(),
                new_codes: BTreeMap::new(),
                new_artifacts: BTreeMap::new(),
                new_tx_position: None,
            })),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Cache<S>> {
        self.cache
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Writes every change made through any clone to the raw storage (once,
    /// at the end of a NEAR call). Nothing reaches the raw storage before.
    pub fn flush(&self) {
        self.lock().flush();
    }

    /// Where the chain's count of transactions in a block stood after the
    /// last call that wrote (cw-chain's `Chain::tx_position`): the height
    /// and the next index (`None` when every index was given out).
    pub fn tx_position(&self) -> Option<(u64, Option<u32>)> {
        let record = self.lock().raw.read(TX_POSITION)?;
        Some(decode_tx_position(&record).unwrap_or_else(|e| corrupt(e)))
    }

    /// Keeps the transaction count a call leaves, written at
    /// [`flush`](Self::flush).
    pub fn set_tx_position(&self, height: u64, next: Option<u32>) {
        self.lock().new_tx_position = Some((height, next));
    }

    /// The engine artifact kept under `key` (an engine's prepared form of a
    /// stored code, see [`put_artifact`](Self::put_artifact)), including one
    /// put in this call and not yet flushed.
    pub fn artifact(&self, key: &[u8]) -> Option<Vec<u8>> {
        let cache = self.lock();
        match cache.new_artifacts.get(key) {
            Some(artifact) => Some(artifact.clone()),
            None => cache.raw.read(&tagged(PREPARED, key)),
        }
    }

    /// Keeps `artifact` under `key`, written with the rest of the call's
    /// changes at [`flush`](Self::flush) (so a failed call keeps none).
    /// Apart from the chain's state: the chain never sees it, and the
    /// storage dump compared with a host chain does not hold it.
    pub fn put_artifact(&self, key: &[u8], artifact: Vec<u8>) {
        self.lock().new_artifacts.insert(key.to_vec(), artifact);
    }

    /// Runs `f` on the raw storage (after a [`flush`](Self::flush), to
    /// inspect what was written).
    pub fn with_raw<R>(&self, f: impl FnOnce(&S) -> R) -> R {
        f(&self.lock().raw)
    }
}

impl<S: RawStorage> ChainState for KvState<S> {
    fn get(&self, key: &[u8]) -> Option<Vec<u8>> {
        self.lock().value(key)
    }

    fn set(&mut self, key: &[u8], value: &[u8]) -> Option<Vec<u8>> {
        self.lock().put(key, Some(value.to_vec()))
    }

    fn remove(&mut self, key: &[u8]) -> Option<Vec<u8>> {
        self.lock().put(key, None)
    }

    fn seek(&self, range: KeyRange<'_>, order: Order, after: Option<&[u8]>) -> Option<Record> {
        if range.is_empty() {
            return None;
        }
        let mut cache = self.lock();
        let key = match order {
            Order::Ascending => {
                // After `after` (exclusive), but never below the range's start.
                let from = match (after, range.start) {
                    (Some(a), Some(s)) if a < s => Some((s, true)),
                    (Some(a), _) => Some((a, false)),
                    (None, Some(s)) => Some((s, true)),
                    (None, None) => None,
                };
                cache.next_key(from)?
            }
            Order::Descending => {
                let before = match (after, range.end) {
                    (Some(a), Some(e)) => Some(a.min(e)),
                    (a, e) => a.or(e),
                };
                cache.previous_key(before)?
            }
        };
        if !range.contains(&key) {
            return None;
        }
        let value = cache.value(&key).unwrap_or_else(|| {
            corrupt(NearError::CorruptState {
                what: "index",
                reason: "an indexed key has no value",
            })
        });
        Some((key, value))
    }

    fn code_count(&self) -> u64 {
        self.lock().code_count()
    }

    fn code(&self, code_id: u64) -> Option<CodeRecord> {
        let cache = self.lock();
        if let Some(code) = cache.new_codes.get(&code_id) {
            return Some(code.clone());
        }
        let bytes = cache.raw.read(&tagged(CODE, &code_id.to_be_bytes()))?;
        Some(decode_code(&bytes).unwrap_or_else(|e| corrupt(e)))
    }

    fn push_code(&mut self, code: CodeRecord) {
        // Kept until the flush, like every other write.
        let mut cache = self.lock();
        let id = cache.code_count().saturating_add(1);
        cache.new_codes.insert(id, code);
    }
}

#[cfg(test)]
mod tests;
