//! The reference's querier on this runtime's side: every `query_chain` is
//! answered by cosmwasm-vm's own `MockQuerier` (no balances, no contracts),
//! the one [`crate::Reference`] runs with, so both runtimes receive the same
//! answer bytes and are charged the same querier gas. What is compared is
//! what each VM does around the query (charges, limits, writing the answer
//! back), not two queriers' wordings.

use cosmwasm_vm::Querier as _;
use cw_gas::CwGas;
use cw_host::{BackendError, Querier, QueryOutcome};

/// cosmwasm-vm's `MockQuerier::new(&[])` behind cw-host's [`Querier`].
///
/// A new mock answers each query: cosmwasm-vm's mock holds handlers that
/// are not `Send`, and an empty one has no state to keep.
#[derive(Debug, Clone, Copy, Default)]
pub struct ReferenceQuerier;

impl Querier for ReferenceQuerier {
    fn query_raw(&self, request: &[u8], gas_limit: CwGas, _depth: u32) -> QueryOutcome {
        let mock = cosmwasm_vm::testing::MockQuerier::<cosmwasm_std::Empty>::new(&[]);
        let (result, gas) = mock.query_raw(request, gas_limit.as_u64());
        let gas_used = CwGas::new(gas.cost.saturating_add(gas.externally_used));
        let result = match result {
            Ok(answer) => cosmwasm_std::to_json_vec(&answer).map_err(|e| BackendError::Other {
                message: e.to_string(),
            }),
            Err(cosmwasm_vm::BackendError::OutOfGas {}) => Err(BackendError::OutOfGas),
            Err(other) => Err(BackendError::Other {
                message: other.to_string(),
            }),
        };
        QueryOutcome { result, gas_used }
    }
}
