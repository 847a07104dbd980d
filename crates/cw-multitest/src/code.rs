//! [`WasmCode`]: Wasm contract code behind cw-multi-test's `Contract`
//! trait.

use std::fmt;
use std::path::Path;
use std::sync::Arc;

use cosmwasm_std::{CustomQuery, DepsMut, Env};
use cw_gas::CwGas;
use cw_host::EntryPoint;
use cw_runtime::ModuleInfo;

use crate::core::{Call, Core, Runner};
use crate::engine::engine;
use crate::error::WasmCodeError;
use crate::gas::GasLog;
use crate::lend::StorageLoan;

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
    pub(crate) core: Core,
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
    /// ([`DEFAULT_GAS_LIMIT`](crate::DEFAULT_GAS_LIMIT) otherwise). A call that reaches it fails with
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
