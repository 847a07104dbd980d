//! cosmwasm-std 2.x `Storage` over the call's [`cw_host::Storage`]: what
//! cosmwasm-std 2.3.6's `ExternalStorage` does in the Wasm build, with
//! cw-host's `db_*` imports doing the host's part (see `session.rs`).

use cosmwasm_std_v2 as std2;
use cw_gas::CostTable;
use cw_host::imports;

use crate::session::Session;

/// What cosmwasm-std 2.3.6's `ExternalStorage::set` panics with for an
/// empty value, before any import is called.
const EMPTY_VALUE_PANIC: &str = "TL;DR: Value must not be empty in Storage::set but in most cases you can use Storage::remove instead. Long story: Getting empty values from storage is not well supported at the moment. Some of our internal interfaces cannot differentiate between a non-existent key and an empty value. Right now, you cannot rely on the behaviour of empty values. To protect you from trouble later on, we stop here. Sorry for the inconvenience! We highly welcome you to contribute to CosmWasm, making this more solid one way or the other.";

/// The contract's view of the call's store.
pub(crate) struct StorageAdapter<'s, T: CostTable> {
    session: &'s Session<T>,
}

impl<'s, T: CostTable> StorageAdapter<'s, T> {
    pub(crate) fn new(session: &'s Session<T>) -> Self {
        Self { session }
    }
}

impl<T: CostTable> std2::Storage for StorageAdapter<'_, T> {
    fn get(&self, key: &[u8]) -> Option<Vec<u8>> {
        self.session
            .import(|ctx, memory, allocator| {
                let key = memory.place(key)?;
                match imports::db_read(ctx, memory, allocator, key)? {
                    0 => Ok(None),
                    value => memory.take(value).map(Some),
                }
            })
            .flatten()
    }

    fn range<'a>(
        &'a self,
        start: Option<&[u8]>,
        end: Option<&[u8]>,
        order: std2::Order,
    ) -> Box<dyn Iterator<Item = std2::Record> + 'a> {
        let iterator_id = self.session.import(|ctx, memory, _| {
            let start = memory.place_optional(start)?;
            let end = memory.place_optional(end)?;
            imports::db_scan(ctx, memory, start, end, order as i32)
        });
        Box::new(ExternalIterator {
            session: self.session,
            iterator_id,
        })
    }

    fn set(&mut self, key: &[u8], value: &[u8]) {
        if value.is_empty() {
            // cosmwasm-std panics here, in the contract, before any import;
            // its panic handler calls `abort`.
            self.session.abort(EMPTY_VALUE_PANIC);
            return;
        }
        self.session.import(|ctx, memory, _| {
            let key = memory.place(key)?;
            let value = memory.place(value)?;
            imports::db_write(ctx, memory, key, value)
        });
    }

    fn remove(&mut self, key: &[u8]) {
        self.session.import(|ctx, memory, _| {
            let key = memory.place(key)?;
            imports::db_remove(ctx, memory, key)
        });
    }
}

/// cosmwasm-std 2.3.6's `ExternalIterator`: one `db_next` per step, the end
/// being an empty key. The import steps lazily with
/// [`cw_host::Storage::seek`] (cw-host's iterators), so nothing is copied
/// when the range is opened. `None` as the id: `db_scan` failed, and so has
/// the call.
struct ExternalIterator<'s, T: CostTable> {
    session: &'s Session<T>,
    iterator_id: Option<u32>,
}

impl<T: CostTable> Iterator for ExternalIterator<'_, T> {
    type Item = std2::Record;

    fn next(&mut self) -> Option<Self::Item> {
        let id = self.iterator_id?;
        let record = self.session.import(|ctx, memory, allocator| {
            let ptr = imports::db_next(ctx, memory, allocator, id)?;
            let data = memory.take(ptr)?;
            let sections = cw_region::decode_sections(&data)?;
            Ok(match sections.as_slice() {
                [key, value] => Some((key.to_vec(), value.to_vec())),
                _ => None,
            })
        })??;
        (!record.0.is_empty()).then_some(record)
    }
}
