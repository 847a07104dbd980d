//! cw-chain's [`ContractFactory`] seam on wasmi: stored code is validated
//! (cw-validate, as the chain and the Wasmer path validate it),
//! instrumented (cw-gas's rewrite: the Wasmer middlewares' metering and
//! stack limit in the code itself) and parsed by wasmi, once per code;
//! every call then runs on a fresh instance.

use std::sync::Arc;

use cw_chain::{ContractFactory, LoadError, LoadedCode};
use cw_gas::CostTable;
use cw_host::{Checksum, Contract};
use cw_validate::{ModuleInfo, ValidationConfig, validate};

use crate::contract::WasmiContract;
use crate::error::WasmiError;
use crate::instance::InstanceOptions;
use crate::module::{ModuleOptions, PreparedCode, WasmiModule};

/// The chain's Wasm [`ContractFactory`] on the wasmi interpreter, with no
/// Wasmer anywhere, so it builds for `wasm32-unknown-unknown` (a NEAR
/// contract embeds it). Give it to `cw_chain::ChainBuilder::wasm_factory`.
///
/// It charges `table`'s prices with the same rules as cw-runtime's Wasmer
/// path, so a call gives the same result bytes, storage and gas on both
/// (`tests/it/` compares them call by call).
#[derive(Debug, Clone)]
pub struct WasmiFactory<T: CostTable> {
    table: T,
    validation: ValidationConfig,
    module: ModuleOptions,
    instance: InstanceOptions,
}

impl<T: CostTable> WasmiFactory<T> {
    /// A factory charging `table`, with the chain's default validation, the
    /// calibrated stack limit and the default instance options (32 MiB of
    /// memory): the Wasmer path's defaults.
    #[must_use]
    pub fn new(table: T) -> Self {
        Self {
            table,
            validation: ValidationConfig::default(),
            module: ModuleOptions::default(),
            instance: InstanceOptions::default(),
        }
    }

    /// The same factory with another static validation.
    #[must_use]
    pub fn with_validation(mut self, validation: ValidationConfig) -> Self {
        self.validation = validation;
        self
    }

    /// The same factory with other module options (the stack limit).
    #[must_use]
    pub fn with_module_options(mut self, options: ModuleOptions) -> Self {
        self.module = options;
        self
    }

    /// The same factory with other instance options (the memory limit).
    #[must_use]
    pub fn with_instance_options(mut self, options: InstanceOptions) -> Self {
        self.instance = options;
        self
    }

    /// Validates, instruments and parses `wasm`: what
    /// [`load`](ContractFactory::load) does, as a module.
    ///
    /// # Errors
    /// [`WasmiError::Validation`] if static validation refuses the code,
    /// [`WasmiError::Instrument`] if it cannot be instrumented,
    /// [`WasmiError::Compile`] if wasmi refuses the result.
    pub fn compile(&self, wasm: &[u8]) -> Result<WasmiModule<T>, WasmiError> {
        validate(wasm, &self.validation)?;
        WasmiModule::new(wasm, &self.table, self.module)
    }

    /// Instruments and validates `wasm`, which the chain's static
    /// validation already accepted (a chain's stored code), without that
    /// validation again: what an embedder keeps so a later load only parses
    /// ([`load_prepared`](Self::load_prepared)).
    ///
    /// # Errors
    /// As [`PreparedCode::prepare`].
    pub fn prepare_validated(&self, wasm: &[u8]) -> Result<PreparedCode, WasmiError> {
        PreparedCode::prepare(wasm, &self.table, &self.module)
    }

    /// Validates `wasm` with the chain's static `validation` and prepares
    /// it, reading it once for both ([`PreparedCode::validate_and_prepare`]):
    /// what an embedder storing a code keeps.
    ///
    /// # Errors
    /// As [`PreparedCode::validate_and_prepare`].
    pub fn validate_and_prepare(
        &self,
        wasm: &[u8],
        validation: &ValidationConfig,
    ) -> Result<(ModuleInfo, PreparedCode), WasmiError> {
        let (info, prepared) =
            PreparedCode::validate_and_prepare(wasm, validation, &self.table, &self.module)?;
        // This factory's own validation, where it is not the chain's.
        if *validation != self.validation {
            validate(wasm, &self.validation)?;
        }
        Ok((info, prepared))
    }

    /// Parses `prepared` (made by [`prepare_validated`](Self::prepare_validated)
    /// of a factory with the same table and module options) and gives the
    /// chain its code.
    ///
    /// # Errors
    /// [`WasmiError::Compile`] if wasmi refuses it.
    pub fn load_prepared(
        &self,
        prepared: &PreparedCode,
    ) -> Result<Arc<dyn LoadedCode<T>>, WasmiError> {
        let module = WasmiModule::from_prepared(prepared, &self.table, self.module)?;
        Ok(Arc::new(WasmiCode {
            module: Arc::new(module),
            instance: self.instance,
        }))
    }

    /// A contract running `wasm`, validated, instrumented and parsed
    /// ([`compile`](Self::compile)), for callers without a chain.
    ///
    /// # Errors
    /// As [`compile`](Self::compile).
    pub fn contract(&self, wasm: &[u8]) -> Result<WasmiContract<T>, WasmiError> {
        Ok(WasmiContract::new(
            Arc::new(self.compile(wasm)?),
            self.instance,
        ))
    }
}

/// A parsed module and the options of its instances.
struct WasmiCode<T: CostTable> {
    module: Arc<WasmiModule<T>>,
    instance: InstanceOptions,
}

impl<T: CostTable> LoadedCode<T> for WasmiCode<T> {
    fn contract(&self) -> Box<dyn Contract<T>> {
        Box::new(WasmiContract::new(Arc::clone(&self.module), self.instance))
    }
}

impl<T: CostTable> ContractFactory<T> for WasmiFactory<T> {
    // The chain validated the code before; validating again costs little
    // and keeps this factory safe for callers that did not (the Wasmer
    // path's cache validates too).
    fn load(&self, _checksum: &Checksum, wasm: &[u8]) -> Result<Arc<dyn LoadedCode<T>>, LoadError> {
        let module = self
            .compile(wasm)
            .map_err(|e| LoadError::Engine(Box::new(e)))?;
        Ok(Arc::new(WasmiCode {
            module: Arc::new(module),
            instance: self.instance,
        }))
    }

    // Storing a code: the chain's validation and the preparation read it
    // once, instead of validating it three times (the chain, `compile`, the
    // instrumentation's own analysis) before the prepared module's check.
    fn validate_and_load(
        &self,
        _checksum: &Checksum,
        wasm: &[u8],
        validation: &ValidationConfig,
    ) -> Result<(ModuleInfo, Arc<dyn LoadedCode<T>>), LoadError> {
        let (info, prepared) = self.validate_and_prepare(wasm, validation)?;
        let code = self
            .load_prepared(&prepared)
            .map_err(|e| LoadError::Engine(Box::new(e)))?;
        Ok((info, code))
    }
}
