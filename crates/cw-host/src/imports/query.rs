//! `query_chain`: chain queries through the [`Querier`](crate::Querier).

use cw_gas::{CostTable, GasCategory};
use cw_region::GuestMemory;

use crate::context::HostContext;
use crate::error::HostError;
use crate::memory::{GuestAllocator, to_cw_floor, to_native};

/// What a contract gets from a `query_chain` that would nest deeper than
/// [`HostLimits::max_query_depth`](crate::HostLimits::max_query_depth): the
/// JSON of `SystemResult::Ok(ContractResult::Err("codespace: wasm, code:
/// 27"))`, byte for byte what wasmd returns.
///
/// wasmd checks the depth in its querier (`x/wasm/keeper/keeper.go`
/// `QuerySmart` → `checkAndIncreaseQueryStackSize`) and fails with
/// `ErrExceedMaxQueryStackSize`, code 27 (`x/wasm/types/errors.go`);
/// `QueryHandler.Query` (`x/wasm/keeper/query_plugins.go`) redacts it to
/// `codespace: wasm, code: 27`; wasmvm's `ToQuerierResult`
/// (`types/queries.go`) makes any error that is not a `SystemError` an
/// `Ok` query result carrying the message, which `cQueryExternal`
/// (`internal/api/callbacks.go`) hands to cosmwasm-vm as a successful query
/// and `do_query_chain` writes back to the contract. Nothing aborts.
pub const QUERY_DEPTH_EXCEEDED_RESPONSE: &[u8] = br#"{"ok":{"error":"codespace: wasm, code: 27"}}"#;

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
/// Depth: the query runs at this call's depth + 1. Beyond
/// [`HostLimits::max_query_depth`] the querier is not called and the
/// contract gets [`QUERY_DEPTH_EXCEEDED_RESPONSE`], a query error it can
/// handle, as on wasmd; the query itself costs no gas (wasmd refuses before
/// charging anything), so the call pays the host call, the request's region
/// read and the response's region write. The raw request does not say
/// whether it would nest, so every kind of query is refused there, where
/// wasmd still answers the non-smart ones (`docs/gas.md`, "Query depth").
///
/// # Errors
/// Traps on a bad region, an over-limit request, out of gas (including a
/// query that used more than was left), a querier fault, or an allocator
/// failure.
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
    let depth = ctx.call.query_depth().saturating_add(1);
    if depth > limits.max_query_depth {
        return ctx.write_to_contract(memory, allocator, QUERY_DEPTH_EXCEEDED_RESPONSE);
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
