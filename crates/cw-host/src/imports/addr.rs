//! Address imports: `addr_validate`, `addr_canonicalize`, `addr_humanize`.
//!
//! An invalid address is the contract's problem, not the call's: the import
//! returns the address of a new region holding the error message (the
//! contract turns it into a `StdError`), and 0 on success. Only backend
//! faults and bad regions trap.
//!
//! Prices: cw-gas has none for addresses, so these use
//! [`ADDR_CANONICALIZE_COST`] and [`ADDR_HUMANIZE_COST`] (wasmd's, as
//! cosmwasm-vm's `MockApi` reports them), charged to
//! [`GasCategory::Address`] before each api call (the host-call base price
//! stays in [`GasCategory::HostCalls`]). `addr_validate` charges
//! canonicalize, calls it, then charges humanize and calls it, so a failed
//! canonicalization pays only its own price, exactly as with `MockApi`.

use cw_gas::{CostTable, GasCategory};
use cw_region::GuestMemory;

use crate::context::HostContext;
use crate::error::{AddressError, BackendError, HostError};
use crate::limits::{ADDR_CANONICALIZE_COST, ADDR_HUMANIZE_COST};
use crate::memory::GuestAllocator;

/// Message for an empty human address (cosmwasm-vm's text).
const INPUT_EMPTY: &[u8] = b"Input is empty";
/// Message for a human address that is not UTF-8 (cosmwasm-vm's text).
const INPUT_NOT_UTF8: &[u8] = b"Input is not valid UTF-8";

fn len_u64(len: usize) -> u64 {
    u64::try_from(len).unwrap_or(u64::MAX)
}

/// What reading a human-address argument gave.
enum HumanArg {
    /// A UTF-8 string, paid for.
    Text(String),
    /// A message to return to the contract instead.
    Reject(&'static [u8]),
}

/// Reads a human address: host call, region read (limit
/// [`HostLimits::human_address_bytes`](crate::HostLimits::human_address_bytes)),
/// empty check, `string_from_bytes` charge, UTF-8 check: cosmwasm-vm's order.
fn read_human<T: CostTable>(
    ctx: &mut HostContext<'_, T>,
    memory: &dyn GuestMemory,
    source_ptr: u32,
) -> Result<HumanArg, HostError> {
    ctx.charge_host_call()?;
    let limit = ctx.call.limits().human_address_bytes;
    let source = ctx.read_arg(memory, source_ptr, limit, "human address")?;
    if source.is_empty() {
        return Ok(HumanArg::Reject(INPUT_EMPTY));
    }
    ctx.gas.charge_string_from_bytes(len_u64(source.len()))?;
    Ok(match String::from_utf8(source) {
        Ok(text) => HumanArg::Text(text),
        Err(_) => HumanArg::Reject(INPUT_NOT_UTF8),
    })
}

/// Splits an api result into a value, a message for the contract, or a trap.
fn user_result<T, V>(
    ctx: &HostContext<'_, T>,
    import: &'static str,
    result: Result<V, BackendError>,
) -> Result<Result<V, AddressError>, HostError>
where
    T: CostTable,
{
    match result {
        Ok(v) => Ok(Ok(v)),
        Err(BackendError::InvalidAddress(e)) => Ok(Err(e)),
        Err(other) => Err(ctx.backend_error(import, other)),
    }
}

/// Writes an address error message into a new region and returns its address.
fn reject<T: CostTable>(
    ctx: &mut HostContext<'_, T>,
    memory: &dyn GuestMemory,
    allocator: &mut dyn GuestAllocator,
    error: &AddressError,
) -> Result<u32, HostError> {
    ctx.write_to_contract(memory, allocator, error.to_string().as_bytes())
}

/// `addr_validate(source_ptr: u32) -> u32`: 0 if the human address is valid
/// and normalized, else the address of a new region holding why not.
///
/// Gas: host call; source region read; (if not empty) `string_from_bytes`;
/// [`ADDR_CANONICALIZE_COST`]; (if that succeeded) [`ADDR_HUMANIZE_COST`];
/// the error message's region write, if any.
///
/// # Errors
/// Traps on a bad region, input over the human-address limit, a backend
/// fault, out of gas, or an allocator failure.
pub fn addr_validate<T: CostTable>(
    ctx: &mut HostContext<'_, T>,
    memory: &dyn GuestMemory,
    allocator: &mut dyn GuestAllocator,
    source_ptr: u32,
) -> Result<u32, HostError> {
    let human = match read_human(ctx, memory, source_ptr)? {
        HumanArg::Text(text) => text,
        HumanArg::Reject(message) => return ctx.write_to_contract(memory, allocator, message),
    };
    ctx.charge_cw(
        GasCategory::Address,
        ADDR_CANONICALIZE_COST,
        "addr_canonicalize",
    )?;
    let canonical = ctx.api.addr_canonicalize(&human);
    let canonical = match user_result(ctx, "addr_validate", canonical)? {
        Ok(canonical) => canonical,
        Err(e) => return reject(ctx, memory, allocator, &e),
    };
    ctx.charge_cw(GasCategory::Address, ADDR_HUMANIZE_COST, "addr_humanize")?;
    let normalized = ctx.api.addr_humanize(&canonical);
    match user_result(ctx, "addr_validate", normalized)? {
        Ok(normalized) if normalized == human => Ok(0),
        Ok(_) => reject(ctx, memory, allocator, &AddressError::NotNormalized),
        Err(e) => reject(ctx, memory, allocator, &e),
    }
}

/// `addr_canonicalize(source_ptr: u32, destination_ptr: u32) -> u32`: writes
/// the canonical bytes into the contract's destination region and returns
/// 0, or returns the address of a new region holding why the input is not
/// an address.
///
/// Gas: host call; source region read; (if not empty) `string_from_bytes`;
/// [`ADDR_CANONICALIZE_COST`]; the destination (or error message) region
/// write.
///
/// # Errors
/// Traps on bad regions (including a destination too small for the
/// result), input over the human-address limit, a backend fault, out of
/// gas, or an allocator failure.
pub fn addr_canonicalize<T: CostTable>(
    ctx: &mut HostContext<'_, T>,
    memory: &dyn GuestMemory,
    allocator: &mut dyn GuestAllocator,
    source_ptr: u32,
    destination_ptr: u32,
) -> Result<u32, HostError> {
    let human = match read_human(ctx, memory, source_ptr)? {
        HumanArg::Text(text) => text,
        HumanArg::Reject(message) => return ctx.write_to_contract(memory, allocator, message),
    };
    ctx.charge_cw(
        GasCategory::Address,
        ADDR_CANONICALIZE_COST,
        "addr_canonicalize",
    )?;
    let canonical = ctx.api.addr_canonicalize(&human);
    match user_result(ctx, "addr_canonicalize", canonical)? {
        Ok(canonical) => {
            ctx.write_into(memory, destination_ptr, &canonical)?;
            Ok(0)
        }
        Err(e) => reject(ctx, memory, allocator, &e),
    }
}

/// `addr_humanize(source_ptr: u32, destination_ptr: u32) -> u32`: writes the
/// human address into the contract's destination region and returns 0, or
/// returns the address of a new region holding why the bytes are not a
/// canonical address.
///
/// Gas: host call; source region read (limit
/// [`HostLimits::canonical_address_bytes`](crate::HostLimits::canonical_address_bytes));
/// [`ADDR_HUMANIZE_COST`]; the destination (or error message) region write.
///
/// # Errors
/// As [`addr_canonicalize`].
pub fn addr_humanize<T: CostTable>(
    ctx: &mut HostContext<'_, T>,
    memory: &dyn GuestMemory,
    allocator: &mut dyn GuestAllocator,
    source_ptr: u32,
    destination_ptr: u32,
) -> Result<u32, HostError> {
    ctx.charge_host_call()?;
    let limit = ctx.call.limits().canonical_address_bytes;
    let canonical = ctx.read_arg(memory, source_ptr, limit, "canonical address")?;
    ctx.charge_cw(GasCategory::Address, ADDR_HUMANIZE_COST, "addr_humanize")?;
    let human = ctx.api.addr_humanize(&canonical);
    match user_result(ctx, "addr_humanize", human)? {
        Ok(human) => {
            ctx.write_into(memory, destination_ptr, human.as_bytes())?;
            Ok(0)
        }
        Err(e) => reject(ctx, memory, allocator, &e),
    }
}
