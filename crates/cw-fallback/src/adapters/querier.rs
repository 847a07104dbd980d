//! cosmwasm-std 2.x `Querier` over the call's [`cw_host::Querier`]: what
//! cosmwasm-std 2.3.6's `ExternalQuerier` does in the Wasm build, with
//! cw-host's `query_chain` import doing the host's part: the depth (this
//! call's depth + 1, and wasmd's answer past the limit), the gas limit (what
//! is left in the call) and charging the gas the query reports (see
//! `session.rs`).

use cosmwasm_std_v2 as std2;
use cw_gas::CostTable;
use cw_host::imports;

use crate::session::Session;

/// The contract's view of chain queries.
pub(crate) struct QuerierAdapter<'s, T: CostTable> {
    session: &'s Session<T>,
}

impl<'s, T: CostTable> QuerierAdapter<'s, T> {
    pub(crate) fn new(session: &'s Session<T>) -> Self {
        Self { session }
    }
}

impl<T: CostTable> std2::Querier for QuerierAdapter<'_, T> {
    fn raw_query(&self, bin_request: &[u8]) -> std2::QuerierResult {
        let response = self.session.import(|ctx, memory, allocator| {
            let request = memory.place(bin_request)?;
            let response = imports::query_chain(ctx, memory, allocator, request)?;
            memory.take(response)
        });
        let Some(response) = response else {
            // Never seen: the failure replaces the call's result.
            return std2::SystemResult::Err(std2::SystemError::Unknown {});
        };
        std2::from_json(&response).unwrap_or_else(|parsing_err| {
            std2::SystemResult::Err(std2::SystemError::InvalidResponse {
                error: parsing_err.to_string(),
                response: response.into(),
            })
        })
    }
}
