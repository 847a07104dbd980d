//! `debug` and `abort`: the contract's log line and its panic.

use core::convert::Infallible;

use cw_gas::{CostTable, GasQuantity};
use cw_region::GuestMemory;

use crate::context::{DebugInfo, HostContext};
use crate::error::HostError;

fn len_u64(len: usize) -> u64 {
    u64::try_from(len).unwrap_or(u64::MAX)
}

/// `debug(source_ptr: u32)`: hands the message (invalid UTF-8 replaced) to
/// the context's [`DebugHandler`](crate::DebugHandler).
///
/// Gas (cosmwasm-vm `do_debug`): host call; message region read (limit
/// [`HostLimits::debug_bytes`](crate::HostLimits::debug_bytes)); then the
/// schedule's log price ([`CostTable::log`], zero in the cosmwasm
/// schedule, so the total is cosmwasm-vm's).
///
/// # Errors
/// Traps on a bad region, an over-limit message, out of gas.
pub fn debug<T: CostTable>(
    ctx: &mut HostContext<'_, T>,
    memory: &dyn GuestMemory,
    source_ptr: u32,
) -> Result<(), HostError> {
    ctx.charge_host_call()?;
    let limit = ctx.call.limits().debug_bytes;
    let message = ctx.read_arg(memory, source_ptr, limit, "debug message")?;
    ctx.gas.charge_log(len_u64(message.len()))?;
    let info = DebugInfo {
        gas_remaining: ctx.gas.remaining().to_amount(),
    };
    ctx.debug.handle(&String::from_utf8_lossy(&message), info);
    Ok(())
}

/// `abort(source_ptr: u32)`: ends the call with the contract's panic
/// message as [`HostError::Aborted`]. It never returns normally.
///
/// Gas (cosmwasm-vm `do_abort`): host call; message region read (limit
/// [`HostLimits::abort_bytes`](crate::HostLimits::abort_bytes));
/// `string_from_bytes` on its length.
///
/// # Errors
/// Always: [`HostError::Aborted`], or the trap that came first (bad region,
/// over-limit message, out of gas).
pub fn abort<T: CostTable>(
    ctx: &mut HostContext<'_, T>,
    memory: &dyn GuestMemory,
    source_ptr: u32,
) -> Result<Infallible, HostError> {
    ctx.charge_host_call()?;
    let limit = ctx.call.limits().abort_bytes;
    let message = ctx.read_arg(memory, source_ptr, limit, "abort message")?;
    ctx.gas.charge_string_from_bytes(len_u64(message.len()))?;
    Err(HostError::Aborted {
        message: String::from_utf8_lossy(&message).into_owned(),
    })
}
