//! This runtime's side: the module compiled with cosmwasm-vm's prices and
//! free storage, run on a new instance or on one kept and reset between
//! calls, as the chain's pool does.

use std::sync::Arc;

use cw_gas::{CosmWasmSchedule, CwGas, GasMeter};
use cw_host::testing::SharedStorage;
use cw_host::wasmer::CallBackend;
use cw_host::{Bech32Api, CallState, TracingDebugHandler, VmFailure};
use cw_runtime::{
    CompileConfig, CompiledModule, Compiler, ContractInstance, InstanceOptions, RuntimeError,
    ValidationConfig,
};

use crate::Call;
use crate::outcome::{Failure, Observed};
use crate::querier::ReferenceQuerier;
use crate::reference::is_trap_text;

/// The cost table of every comparison: cosmwasm-vm's prices, storage free
/// (the reference's storage charges nothing either).
pub type Schedule = CosmWasmSchedule;

/// The compile configuration of every comparison: the default stack limit
/// and the chain's validation.
pub fn compile_config() -> CompileConfig<Schedule> {
    CompileConfig {
        table: Schedule::with_free_storage(),
        stack_limit_bytes: Some(cw_gas::middleware::DEFAULT_STACK_LIMIT_BYTES),
        validation: ValidationConfig::default(),
    }
}

/// A module compiled by this runtime.
pub struct Ours {
    module: CompiledModule,
    options: InstanceOptions,
}

impl Ours {
    /// Validates and compiles `wasm` with `compiler`; instances get
    /// `memory_limit_bytes`.
    ///
    /// # Errors
    /// Validation or compile errors.
    pub fn compile(
        wasm: &[u8],
        compiler: Compiler,
        memory_limit_bytes: u64,
    ) -> Result<Self, RuntimeError> {
        let (module, _, _) = cw_runtime::compile_with(wasm, &compile_config(), compiler)?;
        Ok(Self::from_module(module, memory_limit_bytes))
    }

    /// A module compiled elsewhere (a cache, a disk artifact) with
    /// [`compile_config`]; instances get `memory_limit_bytes`.
    pub fn from_module(module: CompiledModule, memory_limit_bytes: u64) -> Self {
        Self {
            module,
            options: InstanceOptions { memory_limit_bytes },
        }
    }

    /// A new instance of the module.
    ///
    /// # Errors
    /// The instance could not be made.
    pub fn instance(&self) -> Result<ContractInstance<Schedule>, RuntimeError> {
        ContractInstance::new(&self.module, &self.options)
    }

    /// Runs `call` on a new instance over `store`.
    pub fn call(&self, call: &Call<'_>, store: &SharedStorage) -> Observed {
        match self.instance() {
            Ok(mut instance) => call_on(&mut instance, call, store),
            Err(error) => Observed {
                result: Err(Failure::Other {
                    kind: "instantiation",
                    text: error.to_string(),
                }),
                gas_used: 0,
            },
        }
    }
}

/// Runs `call` on `instance` over `store` (reset it first to compare with a
/// new reference instance). Queries are answered by cosmwasm-vm's mock
/// querier ([`ReferenceQuerier`]), as on the reference.
pub fn call_on(
    instance: &mut ContractInstance<Schedule>,
    call: &Call<'_>,
    store: &SharedStorage,
) -> Observed {
    let backend = CallBackend {
        storage: Box::new(store.clone()),
        api: Arc::new(Bech32Api::default()),
        querier: Box::new(ReferenceQuerier),
        gas: GasMeter::new(Schedule::with_free_storage(), CwGas::new(call.gas_limit)),
        call: CallState::for_entry_point(call.entry),
        debug: Box::new(TracingDebugHandler),
    };
    let (outcome, backend) = instance.call(call.entry, call.env, call.info, call.msg, backend);
    let result = match outcome {
        Ok(result) => result.map_err(failure),
        // Never expected in a comparison: the node's own failure.
        Err(fault) => Err(Failure::Other {
            kind: "node fault",
            text: fault.to_string(),
        }),
    };
    Observed {
        result,
        gas_used: backend.gas.used().as_u64(),
    }
}

/// This runtime's failure as a [`Failure`] (see [`crate::reference::failure`]
/// for the kinds).
pub fn failure(failure: VmFailure) -> Failure {
    use cw_host::{ExportProblem, HostError};
    let kind = match &failure {
        VmFailure::OutOfGas => return Failure::OutOfGas,
        VmFailure::Trap { message } if is_trap_text(message) => {
            return Failure::Trap(message.clone());
        }
        // A trap inside `allocate` run by an import.
        VmFailure::Host(HostError::Allocation { message, .. }) if is_trap_text(message) => {
            return Failure::Trap(message.clone());
        }
        VmFailure::Host(HostError::CallDepth { .. }) => "call depth",
        VmFailure::Host(HostError::InvalidOrder { .. }) => "invalid order",
        VmFailure::Host(HostError::UnknownIterator { .. }) => "unknown iterator",
        VmFailure::Host(HostError::ReadOnly { .. }) => "read only",
        VmFailure::Host(HostError::TooManyIterators { .. }) => "too many iterators",
        VmFailure::BadResult(_)
        | VmFailure::Host(
            HostError::Region(_) | HostError::ZeroAddress { .. } | HostError::TooLarge { .. },
        ) => "region",
        VmFailure::MissingExport { .. }
        | VmFailure::Host(HostError::GuestExport {
            problem: ExportProblem::Missing | ExportProblem::NotAFunction,
            ..
        }) => "missing export",
        VmFailure::Host(HostError::GuestExport { .. }) => "export signature",
        VmFailure::Aborted { .. } => "aborted",
        VmFailure::MemoryLimit { .. } => "instantiation",
        VmFailure::StackLimit => "stack limit",
        _ => "runtime",
    };
    Failure::Other {
        kind,
        text: failure.to_string(),
    }
}
