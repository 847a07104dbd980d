//! Storage imports: `db_read`, `db_write`, `db_remove` and the iterators
//! `db_scan`, `db_next`, `db_next_key`, `db_next_value`.
//!
//! Gas: host call, then each argument region, then the storage price of the
//! schedule. Reads and iterator steps are priced by what they found, so the
//! lookup runs first and the price is charged before its result is used or
//! the iterator moves; writes and removals are charged before the store
//! changes.

use cw_gas::{CostTable, StorageOp};
use cw_region::{GuestMemory, encode_sections};

use crate::backend::storage::{Order, Record};
use crate::context::HostContext;
use crate::error::HostError;
use crate::iterators::Peek;
use crate::memory::GuestAllocator;

fn len_u64(len: usize) -> u64 {
    u64::try_from(len).unwrap_or(u64::MAX)
}

/// `db_read(key_ptr: u32) -> u32`: the address of a new region holding the
/// value at the key, or 0 if there is none.
///
/// Gas (cosmwasm-vm `do_db_read`): host call; key region read; storage
/// `Read { key_len, value_len }` (value 0 if absent); if found, the result's
/// region write.
///
/// # Errors
/// Traps on a bad key region, a key over [`HostLimits::db_key_bytes`]
/// (`TooLarge { what: "db key" }`), a storage fault, out of gas, or an
/// allocator failure.
///
/// [`HostLimits::db_key_bytes`]: crate::HostLimits::db_key_bytes
pub fn db_read<T: CostTable>(
    ctx: &mut HostContext<'_, T>,
    memory: &dyn GuestMemory,
    allocator: &mut dyn GuestAllocator,
    key_ptr: u32,
) -> Result<u32, HostError> {
    ctx.charge_host_call()?;
    let limit = ctx.call.limits().db_key_bytes;
    let key = ctx.read_arg(memory, key_ptr, limit, "db key")?;
    let value = ctx
        .storage
        .get(&key)
        .map_err(|e| ctx.backend_error("db_read", e))?;
    ctx.gas.charge_storage(StorageOp::Read {
        key_len: len_u64(key.len()),
        value_len: value.as_ref().map_or(0, |v| len_u64(v.len())),
    })?;
    match value {
        None => Ok(0),
        Some(value) => ctx.write_to_contract(memory, allocator, &value),
    }
}

/// `db_write(key_ptr: u32, value_ptr: u32)`: stores the value at the key.
///
/// Gas (cosmwasm-vm `do_db_write`): host call; key region read; value region
/// read; storage `Write { key_len, value_len, evicted_value_len }`.
///
/// # Errors
/// Traps with [`HostError::ReadOnly`] in a query (after the host-call charge,
/// before reading anything), on bad regions, a key or value over its limit
/// (`"db key"`, `"db value"`), a storage fault or out of gas; the store is
/// then unchanged.
pub fn db_write<T: CostTable>(
    ctx: &mut HostContext<'_, T>,
    memory: &dyn GuestMemory,
    key_ptr: u32,
    value_ptr: u32,
) -> Result<(), HostError> {
    ctx.charge_host_call()?;
    ctx.require_writable("db_write")?;
    let limits = *ctx.call.limits();
    let key = ctx.read_arg(memory, key_ptr, limits.db_key_bytes, "db key")?;
    let value = ctx.read_arg(memory, value_ptr, limits.db_value_bytes, "db value")?;
    let evicted = ctx
        .storage
        .value_len(&key)
        .map_err(|e| ctx.backend_error("db_write", e))?;
    ctx.gas.charge_storage(StorageOp::Write {
        key_len: len_u64(key.len()),
        value_len: len_u64(value.len()),
        evicted_value_len: evicted.map_or(0, len_u64),
    })?;
    ctx.call
        .iterators
        .before_write(&*ctx.storage, &key)
        .map_err(|e| ctx.backend_error("db_write", e))?;
    ctx.storage
        .set(&key, &value)
        .map_err(|e| ctx.backend_error("db_write", e))
}

/// `db_remove(key_ptr: u32)`: removes the key if present.
///
/// Gas (cosmwasm-vm `do_db_remove`): host call; key region read; storage
/// `Remove { key_len, removed_value_len }`.
///
/// # Errors
/// As [`db_write`]: read-only refusal, bad region, key over its limit,
/// storage fault, out of gas.
pub fn db_remove<T: CostTable>(
    ctx: &mut HostContext<'_, T>,
    memory: &dyn GuestMemory,
    key_ptr: u32,
) -> Result<(), HostError> {
    ctx.charge_host_call()?;
    ctx.require_writable("db_remove")?;
    let limit = ctx.call.limits().db_key_bytes;
    let key = ctx.read_arg(memory, key_ptr, limit, "db key")?;
    let removed = ctx
        .storage
        .value_len(&key)
        .map_err(|e| ctx.backend_error("db_remove", e))?;
    ctx.gas.charge_storage(StorageOp::Remove {
        key_len: len_u64(key.len()),
        removed_value_len: removed.map_or(0, len_u64),
    })?;
    ctx.call
        .iterators
        .before_write(&*ctx.storage, &key)
        .map_err(|e| ctx.backend_error("db_remove", e))?;
    ctx.storage
        .remove(&key)
        .map_err(|e| ctx.backend_error("db_remove", e))
}

/// `db_scan(start_ptr: u32, end_ptr: u32, order: i32) -> u32`: opens an
/// iterator over `start <= key < end` (a null pointer is an open bound;
/// `start >= end` is empty) in order 1 (ascending) or 2 (descending), and
/// returns its id: 1, 2, 3, ... in this call. Nothing is read from storage
/// until the first `db_next*`.
///
/// Gas (cosmwasm-vm `do_db_scan`): host call; start region read (if not
/// null); end region read (if not null). Opening costs no storage gas.
/// Allowed in queries.
///
/// # Errors
/// Traps on bad regions, a bound over the key limit (`"db scan bound"`),
/// [`HostError::InvalidOrder`], [`HostError::TooManyIterators`], out of gas.
pub fn db_scan<T: CostTable>(
    ctx: &mut HostContext<'_, T>,
    memory: &dyn GuestMemory,
    start_ptr: u32,
    end_ptr: u32,
    order: i32,
) -> Result<u32, HostError> {
    ctx.charge_host_call()?;
    let limits = *ctx.call.limits();
    let start = ctx.read_optional_arg(memory, start_ptr, limits.db_key_bytes, "db scan bound")?;
    let end = ctx.read_optional_arg(memory, end_ptr, limits.db_key_bytes, "db scan bound")?;
    let order = Order::try_from(order).map_err(|order| HostError::InvalidOrder { order })?;
    ctx.call
        .iterators
        .open(start, end, order, limits.max_iterators)
}

/// Takes one step of iterator `id`: looks, charges, then moves.
fn step<T: CostTable>(
    ctx: &mut HostContext<'_, T>,
    import: &'static str,
    id: u32,
) -> Result<Option<Record>, HostError> {
    ctx.charge_host_call()?;
    let peek = ctx
        .call
        .iterators
        .peek(&*ctx.storage, id)?
        .map_err(|e| ctx.backend_error(import, e))?;
    let record = match peek {
        Peek::Record(record) => Some(record),
        Peek::End => None,
    };
    // gaskv charges the flat step price also for the step that finds the end.
    let (key_len, value_len) = record
        .as_ref()
        .map_or((0, 0), |(k, v)| (len_u64(k.len()), len_u64(v.len())));
    ctx.gas
        .charge_storage(StorageOp::IterNext { key_len, value_len })?;
    ctx.call
        .iterators
        .advance(id, record.as_ref().map(|(k, _)| k.as_slice()));
    Ok(record)
}

/// `db_next(iterator_id: u32) -> u32`: the address of a new region holding
/// the next record as two sections (`key || len(key) || value ||
/// len(value)`, lengths big-endian `u32`); at the end, two empty sections
/// (8 zero bytes), which cosmwasm-std reads as "no more records".
///
/// Gas (cosmwasm-vm `do_db_next`): host call; storage `IterNext { key_len,
/// value_len }` (0 and 0 at the end); the result's region write.
///
/// # Errors
/// Traps on [`HostError::UnknownIterator`], a storage fault, out of gas, or
/// an allocator failure.
pub fn db_next<T: CostTable>(
    ctx: &mut HostContext<'_, T>,
    memory: &dyn GuestMemory,
    allocator: &mut dyn GuestAllocator,
    iterator_id: u32,
) -> Result<u32, HostError> {
    let (key, value) = step(ctx, "db_next", iterator_id)?.unwrap_or_default();
    let out = encode_sections(&[key, value])?;
    ctx.write_to_contract(memory, allocator, &out)
}

/// `db_next_key(iterator_id: u32) -> u32`: the address of a new region
/// holding the next key, or 0 at the end (the value is skipped).
///
/// Gas (cosmwasm-vm `do_db_next_key`): host call; storage `IterNext`; if a
/// key was found, the result's region write.
///
/// # Errors
/// As [`db_next`].
pub fn db_next_key<T: CostTable>(
    ctx: &mut HostContext<'_, T>,
    memory: &dyn GuestMemory,
    allocator: &mut dyn GuestAllocator,
    iterator_id: u32,
) -> Result<u32, HostError> {
    match step(ctx, "db_next_key", iterator_id)? {
        Some((key, _)) => ctx.write_to_contract(memory, allocator, &key),
        None => Ok(0),
    }
}

/// `db_next_value(iterator_id: u32) -> u32`: the address of a new region
/// holding the next value, or 0 at the end (the key is skipped).
///
/// Gas (cosmwasm-vm `do_db_next_value`): host call; storage `IterNext`; if
/// a value was found, the result's region write.
///
/// # Errors
/// As [`db_next`].
pub fn db_next_value<T: CostTable>(
    ctx: &mut HostContext<'_, T>,
    memory: &dyn GuestMemory,
    allocator: &mut dyn GuestAllocator,
    iterator_id: u32,
) -> Result<u32, HostError> {
    match step(ctx, "db_next_value", iterator_id)? {
        Some((_, value)) => ctx.write_to_contract(memory, allocator, &value),
        None => Ok(0),
    }
}
