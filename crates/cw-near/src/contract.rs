//! The NEAR exports (wasm32 only). Each call builds the chain over the
//! contract's storage, runs one operation, and either writes the call's
//! changes and returns the result, or panics with the reason, so NEAR
//! reverts the call and nothing is written.

use cw_chain::{BlockState, Chain, DEFAULT_TX_GAS_LIMIT};
use cw_gas::{CosmWasmSchedule, NearGas};
use near_sdk::env;

use crate::error::NearError;
use crate::ops;
use crate::setup::{CallContext, contract_chain_builder, tx_gas_limit};
use crate::state::{KvState, RawStorage};

/// The contract's own storage, through near-sdk.
struct NearStorage;

impl RawStorage for NearStorage {
    fn read(&self, key: &[u8]) -> Option<Vec<u8>> {
        env::storage_read(key)
    }
    fn write(&mut self, key: &[u8], value: &[u8]) {
        env::storage_write(key, value);
    }
    fn remove(&mut self, key: &[u8]) {
        env::storage_remove(key);
    }
}

/// Whether a method writes (a view method must not, NEAR refuses it).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Access {
    Change,
    View,
}

/// Runs one method: the chain over this contract's storage, the caller's
/// account as sender, the call's input; returns the result bytes or
/// panics with the error.
fn call(
    access: Access,
    method: impl FnOnce(&Chain<CosmWasmSchedule>, &str, &[u8]) -> Result<Vec<u8>, NearError>,
) {
    env::setup_panic_hook();
    // A view call may not ask for its prepaid gas or predecessor (NEAR
    // refuses it): a query runs under the chain's default limit, and NEAR's
    // view gas limit bounds it anyway.
    let (tx_gas_limit, sender) = match access {
        Access::Change => (
            tx_gas_limit(
                NearGas::new(env::prepaid_gas().as_gas()),
                NearGas::new(env::used_gas().as_gas()),
            ),
            env::predecessor_account_id().to_string(),
        ),
        Access::View => (DEFAULT_TX_GAS_LIMIT, String::new()),
    };
    let context = CallContext {
        block: BlockState {
            height: env::block_height(),
            time_nanos: env::block_timestamp(),
            chain_id: env::current_account_id().to_string(),
        },
        tx_gas_limit,
    };
    let state = KvState::new(NearStorage);
    let input = env::input().unwrap_or_default();
    let outcome = contract_chain_builder(&state, &context)
        .build()
        .map_err(NearError::from)
        .and_then(|chain| {
            let bytes = method(&chain, &sender, &input)?;
            let (height, next) = chain.tx_position();
            state.set_tx_position(height, next);
            Ok(bytes)
        });
    match outcome {
        Ok(bytes) => {
            if access == Access::Change {
                state.flush();
            }
            env::value_return(&bytes);
        }
        Err(error) => env::panic_str(&error.to_string()),
    }
}

/// Only the contract's own account may call `method`.
fn owner_only(method: &'static str, sender: &str) -> Result<(), NearError> {
    let owner = env::current_account_id();
    if sender == owner.as_str() {
        Ok(())
    } else {
        Err(NearError::NotOwner {
            method,
            owner: owner.to_string(),
            caller: sender.to_owned(),
        })
    }
}

/// Stores the code that is the call's whole input; returns its code id.
#[unsafe(no_mangle)]
extern "C" fn store_code() {
    call(Access::Change, ops::store_code);
}

/// Stores the code that is the call's whole input to run on the chain's
/// Wasm engine (cw-wasmi with the `wasmi` feature) even when it is a
/// verified build; returns its code id.
#[unsafe(no_mangle)]
extern "C" fn store_code_wasm() {
    call(Access::Change, ops::store_code_wasm);
}

/// Instantiates a contract (`{code_id, msg, label, funds?, admin?, salt?}`).
#[unsafe(no_mangle)]
extern "C" fn instantiate() {
    call(Access::Change, ops::instantiate);
}

/// Executes a contract (`{contract, msg, funds?}`).
#[unsafe(no_mangle)]
extern "C" fn execute() {
    call(Access::Change, ops::execute);
}

/// Migrates a contract (`{contract, new_code_id, msg}`).
#[unsafe(no_mangle)]
extern "C" fn migrate() {
    call(Access::Change, ops::migrate);
}

/// Queries a contract (`{contract, msg}`), a view method: returns the
/// contract's answer bytes and logs the query's CosmWasm gas.
#[unsafe(no_mangle)]
extern "C" fn query() {
    call(Access::View, |chain, _, input| {
        let answer = ops::query(chain, input)?;
        env::log_str(&format!("cosmwasm_gas: {}", answer.cosmwasm_gas));
        Ok(answer.data)
    });
}

/// Creates bank coins (`{address, coins}`), as a genesis file would; only
/// the contract's own account may.
#[unsafe(no_mangle)]
extern "C" fn mint() {
    call(Access::Change, |chain, sender, input| {
        owner_only("mint", sender)?;
        ops::mint(chain, input)
    });
}

/// Every bank balance of an address (`{address}`), a view method.
#[unsafe(no_mangle)]
extern "C" fn balance() {
    call(Access::View, |chain, _, input| ops::balance(chain, input));
}
