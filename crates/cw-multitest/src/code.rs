//! [`WasmCode`] and [`NativeCode`]: contract code behind cw-multi-test's
//! `Contract` trait, run by cw-runtime against the App's storage, API and
//! querier.

use std::fmt;
use std::path::Path;
use std::sync::Arc;

use cosmwasm_std::{
    Binary, ContractResult, CustomMsg, CustomQuery, Deps, DepsMut, Env, MessageInfo, MigrateInfo,
    Reply, Response, StdError, StdResult,
};
use cw_gas::{CosmWasmSchedule, CwGas, GasMeter, NearGas};
use cw_host::{CallBackend, CallInput, CallState, Contract as HostContract, EntryPoint};
use cw_runtime::{CompiledModule, ModuleInfo, VmFailure, WasmContract};
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
type NativeFactory = Arc<dyn Fn() -> Box<dyn HostContract<CosmWasmSchedule> + Send> + Send + Sync>;

/// What runs the calls.
#[derive(Clone)]
enum Runner {
    /// A compiled module, on instances from the process's pool.
    Wasm(CompiledModule),
    /// A native contract behind cw-host's entry-point trait.
    Native(NativeFactory),
}

/// What [`WasmCode`] and [`NativeCode`] share: the runner and the call
/// settings.
#[derive(Clone)]
struct Core {
    label: String,
    runner: Runner,
    gas_limit: CwGas,
    log: GasLog,
    checksum: Option<cosmwasm_std::Checksum>,
}

/// The arguments of one call, as the contract reads them.
struct Call<'m> {
    entry: EntryPoint,
    env: &'m Env,
    info: Option<Vec<u8>>,
    msg: &'m [u8],
}

impl Core {
    fn new(label: String, runner: Runner, checksum: Option<cosmwasm_std::Checksum>) -> Self {
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
    fn run(
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

    fn execute_like<C: DeserializeOwned>(
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
fn parse_result<T: DeserializeOwned>(
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

fn json<T: serde::Serialize>(
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

/// Wasm contract code for cw-multi-test: every entry point runs the real
/// Wasm through cw-runtime (validated and compiled once per process, an
/// instance per call from a pool), with the App's storage, API and
/// querier, and records its gas.
///
/// ```no_run
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use cw_multitest::WasmCode;
/// let mut app = cw_multi_test::App::default();
/// let code = WasmCode::from_file("artifacts/cw20_base.wasm")?;
/// let gas = code.gas_log();
/// let code_id = app.store_code(Box::new(code));
/// # let _ = (code_id, gas);
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct WasmCode {
    core: Core,
    info: Arc<ModuleInfo>,
    checksum: cosmwasm_std::Checksum,
}

impl WasmCode {
    /// The code in the Wasm file at `path`, labelled with the file's stem
    /// (`cw20_base` for `artifacts/cw20_base.wasm`).
    ///
    /// # Errors
    /// [`WasmCodeError::Read`] if the file cannot be read; as
    /// [`from_bytes`](Self::from_bytes) otherwise.
    pub fn from_file(path: impl AsRef<Path>) -> Result<Self, WasmCodeError> {
        let path = path.as_ref();
        let wasm = std::fs::read(path).map_err(|source| WasmCodeError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        let label = path
            .file_stem()
            .map(|stem| stem.to_string_lossy().into_owned());
        let mut code = Self::from_bytes(&wasm)?;
        if let Some(label) = label {
            code.core.label = label;
        }
        Ok(code)
    }

    /// The code `wasm`, labelled with the first 8 hex digits of its
    /// checksum. It is statically validated as a chain validates stored
    /// code, and compiled, the first time the process sees it; later
    /// constructions of the same code reuse both.
    ///
    /// # Errors
    /// [`WasmCodeError::Validation`] with the rule the code breaks;
    /// [`WasmCodeError::Compile`] if the engine fails.
    pub fn from_bytes(wasm: &[u8]) -> Result<Self, WasmCodeError> {
        let (module, info) = engine()?.load(wasm)?;
        let checksum = cosmwasm_std::Checksum::from(*module.checksum.as_bytes());
        let label = module.checksum.to_hex().chars().take(8).collect();
        Ok(Self {
            core: Core::new(label, Runner::Wasm(module), Some(checksum)),
            info,
            checksum,
        })
    }

    /// The same code under another label (the name in gas records).
    #[must_use]
    pub fn with_label(mut self, label: impl Into<String>) -> Self {
        self.core.label = label.into();
        self
    }

    /// The same code with a gas limit for each call, in CosmWasm gas
    /// ([`DEFAULT_GAS_LIMIT`] otherwise). A call that reaches it fails with
    /// out of gas, and the App rolls its changes back, as a chain would.
    #[must_use]
    pub fn with_gas_limit(mut self, limit: CwGas) -> Self {
        self.core.gas_limit = limit;
        self
    }

    /// The same code recording into `log` (shared with other codes, for one
    /// summary of a whole scenario).
    #[must_use]
    pub fn with_gas_log(mut self, log: &GasLog) -> Self {
        self.core.log = log.clone();
        self
    }

    /// A handle on the log this code records each call's gas into; keep it
    /// before moving the code into the App.
    #[must_use]
    pub fn gas_log(&self) -> GasLog {
        self.core.log.clone()
    }

    /// The name in gas records.
    #[must_use]
    pub fn label(&self) -> &str {
        &self.core.label
    }

    /// The gas limit of each call.
    #[must_use]
    pub fn gas_limit(&self) -> CwGas {
        self.core.gas_limit
    }

    /// The code's sha256, as a chain reports it (also what the App's
    /// `CodeInfo` shows for this code).
    #[must_use]
    pub fn code_checksum(&self) -> cosmwasm_std::Checksum {
        self.checksum
    }

    /// What static validation found: exports, imports, required
    /// capabilities, migrate version.
    #[must_use]
    pub fn module_info(&self) -> &ModuleInfo {
        &self.info
    }

    /// Calls any entry point at the byte boundary: `msg` (and `info`, for
    /// the entry points that take one) are JSON, the result is the
    /// contract's JSON `ContractResult`. IBC entry points are refused
    /// ([`WasmCodeError::UnsupportedEntryPoint`]).
    ///
    /// # Errors
    /// As the entry points of the `Contract` implementation.
    pub fn call_raw(
        &self,
        entry: EntryPoint,
        deps: DepsMut<'_, impl CustomQuery>,
        env: &Env,
        info: Option<&[u8]>,
        msg: &[u8],
    ) -> Result<Vec<u8>, WasmCodeError> {
        let call = Call {
            entry,
            env,
            info: info.map(<[u8]>::to_vec),
            msg,
        };
        let querier = deps.querier;
        self.core
            .run(call, StorageLoan::Mut(deps.storage), deps.api, &*querier)
    }
}

impl fmt::Debug for WasmCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WasmCode")
            .field("label", &self.core.label)
            .field("checksum", &self.code_checksum().to_hex())
            .field("gas_limit", &self.core.gas_limit)
            .finish_non_exhaustive()
    }
}

/// A native contract behind cw-host's entry-point trait (for example a
/// cw-fallback emulator, the published contract compiled natively) run
/// inside cw-multi-test exactly as [`WasmCode`] runs Wasm: same JSON at
/// the boundary, same host functions, same gas records. Its purpose is
/// differential testing: one App script, two implementations.
#[derive(Clone)]
pub struct NativeCode {
    core: Core,
}

impl NativeCode {
    /// Runs each call on the contract `factory` makes, under `label`.
    pub fn new(
        label: impl Into<String>,
        factory: impl Fn() -> Box<dyn HostContract<CosmWasmSchedule> + Send> + Send + Sync + 'static,
    ) -> Self {
        Self {
            core: Core::new(label.into(), Runner::Native(Arc::new(factory)), None),
        }
    }

    /// The same contract reporting `checksum` as its code checksum (the
    /// Wasm build it stands for).
    #[must_use]
    pub fn with_checksum(mut self, checksum: cosmwasm_std::Checksum) -> Self {
        self.core.checksum = Some(checksum);
        self
    }

    /// As [`WasmCode::with_gas_limit`].
    #[must_use]
    pub fn with_gas_limit(mut self, limit: CwGas) -> Self {
        self.core.gas_limit = limit;
        self
    }

    /// As [`WasmCode::with_gas_log`].
    #[must_use]
    pub fn with_gas_log(mut self, log: &GasLog) -> Self {
        self.core.log = log.clone();
        self
    }

    /// As [`WasmCode::gas_log`].
    #[must_use]
    pub fn gas_log(&self) -> GasLog {
        self.core.log.clone()
    }
}

impl fmt::Debug for NativeCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NativeCode")
            .field("label", &self.core.label)
            .finish_non_exhaustive()
    }
}

/// Implements cw-multi-test's `Contract` for a type with a `core: Core`.
macro_rules! impl_contract {
    ($code:ty) => {
        impl<C, Q> cw_multi_test::Contract<C, Q> for $code
        where
            C: CustomMsg + DeserializeOwned,
            Q: CustomQuery,
        {
            fn instantiate(
                &self,
                deps: DepsMut<'_, Q>,
                env: Env,
                info: MessageInfo,
                msg: Vec<u8>,
            ) -> StdResult<Response<C>> {
                let entry = EntryPoint::Instantiate;
                let info = json(entry, "info", &info)?;
                let call = Call {
                    entry,
                    env: &env,
                    info: Some(info),
                    msg: &msg,
                };
                self.core.execute_like(call, deps)
            }

            fn execute(
                &self,
                deps: DepsMut<'_, Q>,
                env: Env,
                info: MessageInfo,
                msg: Vec<u8>,
            ) -> StdResult<Response<C>> {
                let entry = EntryPoint::Execute;
                let info = json(entry, "info", &info)?;
                let call = Call {
                    entry,
                    env: &env,
                    info: Some(info),
                    msg: &msg,
                };
                self.core.execute_like(call, deps)
            }

            fn query(&self, deps: Deps<'_, Q>, env: Env, msg: Vec<u8>) -> StdResult<Binary> {
                let call = Call {
                    entry: EntryPoint::Query,
                    env: &env,
                    info: None,
                    msg: &msg,
                };
                let querier = deps.querier;
                let bytes =
                    self.core
                        .run(call, StorageLoan::Shared(deps.storage), deps.api, &*querier)?;
                parse_result::<Binary>("query", &bytes).map_err(StdError::from)
            }

            fn reply(&self, deps: DepsMut<'_, Q>, env: Env, msg: Reply) -> StdResult<Response<C>> {
                let entry = EntryPoint::Reply;
                let msg = json(entry, "reply", &msg)?;
                let call = Call {
                    entry,
                    env: &env,
                    info: None,
                    msg: &msg,
                };
                self.core.execute_like(call, deps)
            }

            fn sudo(&self, deps: DepsMut<'_, Q>, env: Env, msg: Vec<u8>) -> StdResult<Response<C>> {
                let call = Call {
                    entry: EntryPoint::Sudo,
                    env: &env,
                    info: None,
                    msg: &msg,
                };
                self.core.execute_like(call, deps)
            }

            fn migrate(
                &self,
                deps: DepsMut<'_, Q>,
                env: Env,
                msg: Vec<u8>,
                info: MigrateInfo,
            ) -> StdResult<Response<C>> {
                // The contract's export decides: `migrate(env, msg, info)`
                // gets the info, a two-parameter `migrate(env, msg)` is
                // called again without it (wasmd's `MigrateWithInfo`).
                let entry = EntryPoint::Migrate;
                let info = json(entry, "info", &info)?;
                let call = Call {
                    entry,
                    env: &env,
                    info: Some(info),
                    msg: &msg,
                };
                self.core.execute_like(call, deps)
            }

            fn checksum(&self) -> Option<cosmwasm_std::Checksum> {
                self.core.checksum
            }
        }
    };
}

impl_contract!(WasmCode);
impl_contract!(NativeCode);
