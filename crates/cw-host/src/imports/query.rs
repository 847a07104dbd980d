//! `query_chain`: chain queries through the [`Querier`](crate::Querier).

use cw_gas::{CostTable, GasCategory};
use cw_region::GuestMemory;

use crate::context::HostContext;
use crate::error::HostError;
use crate::memory::{GuestAllocator, to_cw_floor, to_native};

/// `query_chain(request_ptr: u32) -> u32`: runs the raw JSON `QueryRequest`
/// and returns the address of a new region holding the JSON
/// `SystemResult<ContractResult<Binary>>` the querier produced. Failures the
/// contract can handle (no such contract, an error in the queried
/// contract) are inside that JSON.
///
/// Gas (cosmwasm-vm `do_query_chain`): host call; request region read
/// (limit [`HostLimits::query_request_bytes`]); then the query runs with a
/// gas limit of the gas left (capped by [`HostLimits::query_gas_cap`]), and
/// the gas it reports, even on failure, is charged to
/// [`GasCategory::Queries`] (cosmwasm-vm's "externally used" gas: it
/// reduces what the contract has left); then the result's region write.
///
/// Depth: the query runs at this call's depth + 1; beyond
/// [`HostLimits::max_query_depth`] it is refused with
/// [`HostError::QueryDepth`] before the querier is called.
///
/// # Errors
/// Traps on a bad region, an over-limit request, the depth limit, out of
/// gas (including a query that used more than was left), a querier fault,
/// or an allocator failure.
///
/// [`HostLimits::query_request_bytes`]: crate::HostLimits::query_request_bytes
/// [`HostLimits::query_gas_cap`]: crate::HostLimits::query_gas_cap
/// [`HostLimits::max_query_depth`]: crate::HostLimits::max_query_depth
pub fn query_chain<T: CostTable>(
    ctx: &mut HostContext<'_, T>,
    memory: &dyn GuestMemory,
    allocator: &mut dyn GuestAllocator,
    request_ptr: u32,
) -> Result<u32, HostError> {
    ctx.charge_host_call()?;
    let limits = *ctx.call.limits();
    let request = ctx.read_arg(
        memory,
        request_ptr,
        limits.query_request_bytes,
        "query request",
    )?;
    let limit = limits.max_query_depth;
    let depth = ctx.call.query_depth().saturating_add(1);
    if depth > limit {
        return Err(HostError::QueryDepth { depth, limit });
    }
    let gas_limit = to_cw_floor(ctx.gas.remaining()).min(limits.query_gas_cap);
    let outcome = ctx.querier.query_raw(&request, gas_limit, depth);
    let price = to_native::<T::Gas>(outcome.gas_used, "query_chain");
    ctx.gas.charge_price(GasCategory::Queries, price)?;
    let response = outcome
        .result
        .map_err(|e| ctx.backend_error("query_chain", e))?;
    ctx.write_to_contract(memory, allocator, &response)
}
