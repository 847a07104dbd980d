//! The contract's methods on a chain, at the JSON boundary: arguments in,
//! result bytes out. The NEAR exports call these on a chain over NEAR
//! storage; the runner tests call the same functions on a chain over
//! [`MemoryState`](cw_chain::MemoryState), so both sides encode results
//! alike.

use cosmwasm_std::{Binary, Coin};
use cw_chain::{Chain, Event, ExecutionMode, Instantiate, TxGas, TxResult};
use cw_gas::CostTable;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use crate::error::NearError;

/// Arguments of `instantiate`.
#[derive(Debug, Deserialize)]
pub struct InstantiateArgs {
    /// The code to instantiate.
    pub code_id: u64,
    /// The instantiate message, passed to the contract byte for byte.
    pub msg: Box<RawValue>,
    /// Funds sent along (from the sender's bank balance).
    #[serde(default)]
    pub funds: Vec<Coin>,
    /// Who may migrate the contract.
    #[serde(default)]
    pub admin: Option<String>,
    /// The contract's label.
    pub label: String,
    /// A salt for an `instantiate2` (predictable) address.
    #[serde(default)]
    pub salt: Option<Binary>,
}

/// Arguments of `execute`.
#[derive(Debug, Deserialize)]
pub struct ExecuteArgs {
    /// The contract to execute.
    pub contract: String,
    /// The execute message, passed to the contract byte for byte.
    pub msg: Box<RawValue>,
    /// Funds sent along.
    #[serde(default)]
    pub funds: Vec<Coin>,
}

/// Arguments of `migrate`.
#[derive(Debug, Deserialize)]
pub struct MigrateArgs {
    /// The contract to migrate.
    pub contract: String,
    /// The code it moves to.
    pub new_code_id: u64,
    /// The migrate message.
    pub msg: Box<RawValue>,
}

/// Arguments of `query`.
#[derive(Debug, Deserialize)]
pub struct QueryArgs {
    /// The contract to query.
    pub contract: String,
    /// The query message.
    pub msg: Box<RawValue>,
}

/// Arguments of `mint` (genesis coins; the contract account only).
#[derive(Debug, Deserialize)]
pub struct MintArgs {
    /// Who receives the coins.
    pub address: String,
    /// The coins.
    pub coins: Vec<Coin>,
}

/// Arguments of `balance`.
#[derive(Debug, Deserialize)]
pub struct BalanceArgs {
    /// Whose balances.
    pub address: String,
}

/// The gas of one contract call of a transaction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallGasJson {
    /// The contract called.
    pub contract: String,
    /// The entry point.
    pub entry: String,
    /// CosmWasm gas the call used.
    pub cosmwasm_gas: u64,
    /// The same in NEAR gas (cw-gas's translation, 1,000 per CosmWasm gas).
    pub near_gas: Option<u64>,
}

/// What a successful transaction returns to the NEAR caller.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TxReport {
    /// The address of the contract an instantiation created.
    pub contract_address: Option<String>,
    /// The transaction's result data.
    pub data: Option<Binary>,
    /// Every event, in wasmd's order.
    pub events: Vec<EventJson>,
    /// Gas per contract call.
    pub gas: Vec<CallGasJson>,
    /// The transaction's CosmWasm gas.
    pub cosmwasm_gas: u64,
}

/// An event as [`TxReport`] carries it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventJson {
    /// The event type.
    #[serde(rename = "type")]
    pub ty: String,
    /// `(key, value)` attributes, in order.
    pub attributes: Vec<(String, String)>,
}

impl From<&Event> for EventJson {
    fn from(event: &Event) -> Self {
        Self {
            ty: event.ty.clone(),
            attributes: event
                .attributes
                .iter()
                .map(|a| (a.key.clone(), a.value.clone()))
                .collect(),
        }
    }
}

fn gas_json(gas: &TxGas) -> Vec<CallGasJson> {
    gas.calls
        .iter()
        .map(|call| CallGasJson {
            contract: call.contract.clone(),
            entry: call.entry.to_owned(),
            cosmwasm_gas: call.report.used.cw_gas.as_u64(),
            near_gas: call.report.used.near_gas.map(|g| g.as_u64()),
        })
        .collect()
}

fn args<'a, A: Deserialize<'a>>(method: &'static str, input: &'a [u8]) -> Result<A, NearError> {
    serde_json::from_slice(input).map_err(|e| NearError::BadArguments {
        method,
        reason: e.to_string(),
    })
}

fn to_json<V: Serialize>(value: &V) -> Vec<u8> {
    serde_json::to_vec(value).expect("the reports serialize to JSON")
}

/// A transaction's outcome as the caller's bytes, or its failure.
fn report(result: TxResult) -> Result<Vec<u8>, NearError> {
    match result {
        Ok(success) => Ok(to_json(&TxReport {
            contract_address: success.contract_address,
            data: success.data.map(Binary::new),
            events: success.events.iter().map(EventJson::from).collect(),
            gas: gas_json(&success.gas),
            cosmwasm_gas: success.gas.cosmwasm().as_u64(),
        })),
        Err(failure) => Err(NearError::TxFailed {
            cosmwasm_gas: failure.gas.cosmwasm().as_u64(),
            error: failure.error,
        }),
    }
}

/// `store_code`: `wasm` is the call's whole input. Verified builds run on
/// their native emulators, other code on the chain's Wasm factory
/// ([`ExecutionMode::Auto`]). Returns the code id as JSON.
///
/// # Errors
/// [`NearError::Chain`] when validation refuses the code or nothing can run
/// it.
pub fn store_code<T: CostTable>(
    chain: &Chain<T>,
    sender: &str,
    wasm: &[u8],
) -> Result<Vec<u8>, NearError> {
    let code_id = chain.store_code(sender, wasm, ExecutionMode::Auto)?;
    Ok(to_json(&code_id))
}

/// `store_code_wasm`: as [`store_code`], but the code runs on the chain's
/// Wasm factory even when it is a verified build
/// ([`ExecutionMode::Wasm`]): the interpreter, where `store_code` would
/// pick the cheaper native emulator with the same bytes.
///
/// # Errors
/// As [`store_code`].
pub fn store_code_wasm<T: CostTable>(
    chain: &Chain<T>,
    sender: &str,
    wasm: &[u8],
) -> Result<Vec<u8>, NearError> {
    let code_id = chain.store_code(sender, wasm, ExecutionMode::Wasm)?;
    Ok(to_json(&code_id))
}

/// `instantiate`: returns a [`TxReport`] with the new address.
///
/// # Errors
/// [`NearError::BadArguments`], [`NearError::TxFailed`],
/// [`NearError::NodeFault`].
pub fn instantiate<T: CostTable>(
    chain: &Chain<T>,
    sender: &str,
    input: &[u8],
) -> Result<Vec<u8>, NearError> {
    let a: InstantiateArgs = args("instantiate", input)?;
    report(chain.instantiate(&Instantiate {
        code_id: a.code_id,
        sender,
        msg: a.msg.get().as_bytes(),
        funds: &a.funds,
        admin: a.admin.as_deref(),
        label: &a.label,
        salt: a.salt.as_ref().map(Binary::as_slice),
    })?)
}

/// `execute`: returns a [`TxReport`].
///
/// # Errors
/// As [`instantiate`].
pub fn execute<T: CostTable>(
    chain: &Chain<T>,
    sender: &str,
    input: &[u8],
) -> Result<Vec<u8>, NearError> {
    let a: ExecuteArgs = args("execute", input)?;
    report(chain.execute(sender, &a.contract, a.msg.get().as_bytes(), &a.funds)?)
}

/// `migrate`: returns a [`TxReport`].
///
/// # Errors
/// As [`instantiate`].
pub fn migrate<T: CostTable>(
    chain: &Chain<T>,
    sender: &str,
    input: &[u8],
) -> Result<Vec<u8>, NearError> {
    let a: MigrateArgs = args("migrate", input)?;
    report(chain.migrate(sender, &a.contract, a.new_code_id, a.msg.get().as_bytes())?)
}

/// A query's answer: the contract's bytes and the query's CosmWasm gas.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryOutput {
    /// The contract's answer (JSON as the contract wrote it).
    pub data: Vec<u8>,
    /// CosmWasm gas the query used.
    pub cosmwasm_gas: u64,
}

/// `query`: the contract's answer bytes and gas.
///
/// # Errors
/// As [`instantiate`]; a failed query is [`NearError::TxFailed`].
pub fn query<T: CostTable>(chain: &Chain<T>, input: &[u8]) -> Result<QueryOutput, NearError> {
    let a: QueryArgs = args("query", input)?;
    match chain.query(&a.contract, a.msg.get().as_bytes())? {
        Ok(answer) => Ok(QueryOutput {
            cosmwasm_gas: answer.gas.cosmwasm().as_u64(),
            data: answer.data,
        }),
        Err(failure) => Err(NearError::TxFailed {
            cosmwasm_gas: failure.gas.cosmwasm().as_u64(),
            error: failure.error,
        }),
    }
}

/// `mint`: creates bank coins (genesis; the caller checks who may).
///
/// # Errors
/// [`NearError::BadArguments`], [`NearError::Chain`] for invalid coins.
pub fn mint<T: CostTable>(chain: &Chain<T>, input: &[u8]) -> Result<Vec<u8>, NearError> {
    let a: MintArgs = args("mint", input)?;
    chain.mint(&a.address, &a.coins)?;
    Ok(to_json(&()))
}

/// `balance`: every bank balance of an address, as `[{denom, amount}]`.
///
/// # Errors
/// [`NearError::BadArguments`].
pub fn balance<T: CostTable>(chain: &Chain<T>, input: &[u8]) -> Result<Vec<u8>, NearError> {
    let a: BalanceArgs = args("balance", input)?;
    let coins: Vec<Coin> = chain
        .balances(&a.address)
        .into_iter()
        .map(|(denom, amount)| Coin::new(amount, denom))
        .collect();
    Ok(to_json(&coins))
}
