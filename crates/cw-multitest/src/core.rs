//! What [`WasmCode`](crate::WasmCode) and [`NativeCode`](crate::NativeCode)
//! share: one call, from the App's arguments to the contract's result,
//! run by cw-runtime against the App's storage, API and querier, with its
//! gas recorded.

use std::sync::Arc;

use cosmwasm_std::{ContractResult, CustomQuery, DepsMut, Env, Response, StdError, StdResult};
use cw_gas::{CosmWasmSchedule, CwGas, GasMeter, NearGas};
use cw_host::{CallBackend, CallInput, CallState, Contract as HostContract, EntryPoint};
use cw_runtime::{CompiledModule, VmFailure, WasmContract};
use serde::de::DeserializeOwned;

use crate::backend::{AppApi, AppDebug, AppQuerier, AppStorage};
use crate::engine::{engine, schedule};
use crate::error::WasmCodeError;
use crate::gas::{CallStatus, GasLog, GasRecord};
use crate::lend::{StorageLoan, lend};
use crate::nesting;

/// The gas limit of a call when none is set: the chain's transaction limit
/// (`cw_runtime::chain::DEFAULT_TX_GAS_LIMIT`, 300 × 10^9 CosmWasm gas,
/// NEAR's 300 Tgas per-call cap at 1,000 NEAR gas per CosmWasm gas).
pub const DEFAULT_GAS_LIMIT: CwGas = cw_runtime::chain::DEFAULT_TX_GAS_LIMIT;

/// Makes a native contract for one call.
pub(crate) type NativeFactory =
    Arc<dyn Fn() -> Box<dyn HostContract<CosmWasmSchedule> + Send> + Send + Sync>;

/// What runs the calls.
#[derive(Clone)]
pub(crate) enum Runner {
    /// A compiled module, on instances from the process's pool.
    Wasm(CompiledModule),
    /// A native contract behind cw-host's entry-point trait.
    Native(NativeFactory),
}

/// What [`WasmCode`] and [`NativeCode`] share: the runner and the call
/// settings.
#[derive(Clone)]
pub(crate) struct Core {
    pub(crate) label: String,
    pub(crate) runner: Runner,
    pub(crate) gas_limit: CwGas,
    pub(crate) log: GasLog,
    pub(crate) checksum: Option<cosmwasm_std::Checksum>,
}

/// The arguments of one call, as the contract reads them.
pub(crate) struct Call<'m> {
    pub(crate) entry: EntryPoint,
    pub(crate) env: &'m Env,
    pub(crate) info: Option<Vec<u8>>,
    pub(crate) msg: &'m [u8],
}

impl<'m> Call<'m> {
    /// A call of `entry` without an `info` argument.
    pub(crate) fn plain(entry: EntryPoint, env: &'m Env, msg: &'m [u8]) -> Self {
        Self {
            entry,
            env,
            info: None,
            msg,
        }
    }

    /// A call of `entry` whose `info` argument is `info` as JSON.
    pub(crate) fn with_info<I: serde::Serialize>(
        entry: EntryPoint,
        env: &'m Env,
        info: &I,
        msg: &'m [u8],
    ) -> Result<Self, WasmCodeError> {
        Ok(Self {
            entry,
            env,
            info: Some(json(entry, "info", info)?),
            msg,
        })
    }
}

impl Core {
    pub(crate) fn new(
        label: String,
        runner: Runner,
        checksum: Option<cosmwasm_std::Checksum>,
    ) -> Self {
        Self {
            label,
            runner,
            gas_limit: DEFAULT_GAS_LIMIT,
            log: GasLog::new(),
            checksum,
        }
    }

    /// Runs `call` against the App's backends; returns the contract's
    /// result bytes (a JSON `ContractResult`), recording the call's gas.
    pub(crate) fn run(
        &self,
        call: Call<'_>,
        storage: StorageLoan<'_>,
        api: &dyn cosmwasm_std::Api,
        querier: &dyn cosmwasm_std::Querier,
    ) -> Result<Vec<u8>, WasmCodeError> {
        let entry_point = call.entry.export_name();
        if !matches!(
            call.entry,
            EntryPoint::Instantiate
                | EntryPoint::Execute
                | EntryPoint::Migrate
                | EntryPoint::Sudo
                | EntryPoint::Reply
                | EntryPoint::Query
        ) {
            return Err(WasmCodeError::UnsupportedEntryPoint { entry_point });
        }
        let env = cosmwasm_std::to_json_vec(call.env).map_err(|e| WasmCodeError::Argument {
            entry_point,
            argument: "env",
            message: e.to_string(),
        })?;
        let enclosing = nesting::enclosing();
        let gas_limit = enclosing
            .gas_limit
            .map_or(self.gas_limit, |left| left.min(self.gas_limit));
        let (outcome, gas_used) = lend(storage, api, querier, |loans| {
            let debug = AppDebug(loans.api_handle());
            let backend = CallBackend {
                storage: Box::new(AppStorage(loans.storage)),
                api: Arc::new(AppApi(loans.api)),
                querier: Box::new(AppQuerier(loans.querier)),
                gas: GasMeter::new(schedule(), gas_limit),
                call: CallState::for_entry_point(call.entry).with_query_depth(enclosing.depth),
                debug: Box::new(debug),
            };
            let input = CallInput {
                entry: call.entry,
                env: &env,
                info: call.info.as_deref(),
                msg: call.msg,
            };
            let (outcome, backend) = self.contract()?.call(input, backend);
            Ok::<_, WasmCodeError>((outcome, backend.gas.used()))
        })?;
        let (status, result) = match outcome {
            Ok(Ok(bytes)) => (CallStatus::Ok, Ok(bytes)),
            Ok(Err(failure)) => {
                let status = if failure == VmFailure::OutOfGas {
                    CallStatus::OutOfGas
                } else {
                    CallStatus::VmFailure
                };
                let error = WasmCodeError::Vm {
                    entry_point,
                    failure,
                    gas_used,
                };
                (status, Err(error))
            }
            Err(fault) => (
                CallStatus::NodeFault,
                Err(WasmCodeError::NodeFault { entry_point, fault }),
            ),
        };
        // A result that is the contract's own error is told apart here, so
        // the record says so.
        let status = match &result {
            Ok(bytes) if is_error_result(bytes) => CallStatus::ContractError,
            _ => status,
        };
        nesting::report(gas_used, status == CallStatus::OutOfGas);
        self.log.push(GasRecord {
            code: self.label.clone(),
            contract: call.env.contract.address.to_string(),
            entry_point,
            query_depth: enclosing.depth,
            gas: gas_used,
            near_gas: gas_used.to_near_gas().unwrap_or(NearGas::MAX),
            status,
        });
        result
    }

    /// A contract to run one call on.
    fn contract(&self) -> Result<Box<dyn HostContract<CosmWasmSchedule> + '_>, WasmCodeError> {
        Ok(match &self.runner {
            Runner::Wasm(module) => Box::new(WasmContract::pooled(
                module.clone(),
                Arc::clone(&engine()?.pool),
            )),
            Runner::Native(factory) => factory(),
        })
    }

    pub(crate) fn execute_like<C: DeserializeOwned>(
        &self,
        call: Call<'_>,
        deps: DepsMut<'_, impl CustomQuery>,
    ) -> StdResult<Response<C>> {
        let entry_point = call.entry.export_name();
        let querier = deps.querier;
        let bytes = self.run(call, StorageLoan::Mut(deps.storage), deps.api, &*querier)?;
        parse_result::<Response<C>>(entry_point, &bytes).map_err(StdError::from)
    }
}

/// Whether `bytes` is a `ContractResult` holding the contract's error.
fn is_error_result(bytes: &[u8]) -> bool {
    matches!(
        cosmwasm_std::from_json::<ContractResult<serde::de::IgnoredAny>>(bytes),
        Ok(ContractResult::Err(_))
    )
}

/// The `Ok` value of the JSON `ContractResult` in `bytes`, or the
/// contract's error.
pub(crate) fn parse_result<T: DeserializeOwned>(
    entry_point: &'static str,
    bytes: &[u8],
) -> Result<T, WasmCodeError> {
    match cosmwasm_std::from_json::<ContractResult<T>>(bytes) {
        Ok(ContractResult::Ok(value)) => Ok(value),
        Ok(ContractResult::Err(message)) => Err(WasmCodeError::Contract {
            entry_point,
            message,
        }),
        Err(e) => Err(WasmCodeError::BadResult {
            entry_point,
            message: e.to_string(),
        }),
    }
}

pub(crate) fn json<T: serde::Serialize>(
    entry: EntryPoint,
    argument: &'static str,
    value: &T,
) -> Result<Vec<u8>, WasmCodeError> {
    cosmwasm_std::to_json_vec(value).map_err(|e| WasmCodeError::Argument {
        entry_point: entry.export_name(),
        argument,
        message: e.to_string(),
    })
}
