//! Instances of compiled contracts and entry-point calls at the byte
//! boundary: env, info and message bytes in; result bytes and gas out.

mod contract;
mod memory;
mod pool;
mod tunables;

use std::sync::{Arc, Mutex, PoisonError};

pub use contract::WasmContract;
pub use pool::{InstancePool, PoolLimits, PoolMetrics, PooledInstance, RETAINED_GROWN_BYTES};

use cw_gas::middleware::{MeteringPoints, MiddlewareGlobals, TrapCause};
use cw_gas::{CostTable, GasError, GasMeter};
use cw_host::wasmer::{
    CallBackend, CallDepth, GuestCallError, GuestFunction, HostEnv, module_imports,
};
use cw_host::{CallOutcome, EntryPoint, ExportProblem, HostError, InfoArg, NodeFault, VmFailure};
use cw_region::{GuestMemory, GuestRegion, MemoryAccessError};
use wasmer::sys::NativeEngineExt;
use wasmer::{AsStoreMut, FunctionEnv, Instance, Memory, Pages, Store, Value};

use crate::compile::CompiledModule;
use crate::error::RuntimeError;
use memory::MemoryReset;
pub(crate) use tunables::MemoryLimit;

/// Per-instance settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InstanceOptions {
    /// The most memory the contract may have, in bytes (rounded down to 64 KiB
    /// pages). Default 32 MiB.
    pub memory_limit_bytes: u64,
}

impl Default for InstanceOptions {
    fn default() -> Self {
        Self {
            memory_limit_bytes: 32 * 1024 * 1024,
        }
    }
}

/// One instance of a compiled contract.
///
/// After a call that failed with a trap the instance is poisoned (a trap
/// skips the contract's cleanup: cosmwasm-std's panic hook leaves its lock
/// taken, so every later call on the same instance traps) and refuses
/// further calls until [`reset`](Self::reset) or a new instance.
pub struct ContractInstance<T: CostTable> {
    store: Store,
    instance: Instance,
    env: FunctionEnv<HostEnv<T>>,
    memory: Memory,
    /// Found, not required, at instantiation: a missing or mistyped one
    /// fails when called, as on cosmwasm-vm.
    allocate: GuestFunction<u32>,
    deallocate: GuestFunction<()>,
    /// The metering globals, and the stack limiter's if the module was
    /// compiled with it (`CompileConfig` allows without); its counter is
    /// reset after every call.
    globals: MiddlewareGlobals,
    poisoned: bool,
    /// Handles that put each memory back as instantiation left it.
    memories: Vec<MemoryReset>,
    /// Every global's value right after instantiation, in store order.
    initial_globals: Vec<u128>,
    /// Host-to-guest nesting, shared with the imports: every call into the
    /// guest (entry point, `allocate`, `deallocate`) enters it.
    depth: CallDepth,
}

impl<T: CostTable> ContractInstance<T> {
    /// Instantiates `module` with the memory limit and every import.
    ///
    /// # Errors
    /// [`RuntimeError::Instantiate`] when Wasmer cannot instantiate (for
    /// example an import with the wrong signature, or a memory above the
    /// limit); [`RuntimeError::Gas`] when the module was compiled without
    /// metering.
    pub fn new(module: &CompiledModule, options: &InstanceOptions) -> Result<Self, RuntimeError> {
        let mut engine = module.engine.clone();
        let pages =
            u32::try_from(options.memory_limit_bytes / u64::from(wasmer::WASM_PAGE_SIZE as u32))
                .unwrap_or(u32::MAX)
                .min(65_536);
        // The memory limit, checked before Wasmer builds anything, so its
        // refusal is typed (the tunables refuse it too, as a backstop).
        for export in module.module.exports() {
            if let wasmer::ExternType::Memory(memory) = export.ty()
                && memory.minimum.0 > pages
            {
                return Err(RuntimeError::MemoryLimit {
                    initial_pages: u64::from(memory.minimum.0),
                    limit_pages: u64::from(pages),
                });
            }
        }
        let created = Arc::new(Mutex::new(Vec::new()));
        engine.set_tunables(MemoryLimit::new(Pages(pages), Arc::clone(&created)));
        let mut store = Store::new(engine);
        let env = FunctionEnv::new(&mut store, HostEnv::<T>::default());
        let instantiate_error = |message: String| RuntimeError::Instantiate { message };
        // Only the imports the module uses, in its order: no name lookups,
        // no host functions created for nothing.
        let imports = module_imports(&mut store, &env, &module.module)
            .map_err(|e| instantiate_error(e.to_string()))?;
        let instance =
            Instance::new_by_index(&mut store, &module.module, &imports).map_err(|e| {
                use wasmer::{InstantiationError, LinkError};
                match e {
                    // The module's own: its imports, its data, its start.
                    InstantiationError::Link(LinkError::Import(..) | LinkError::Trap(_))
                    | InstantiationError::Start(_) => instantiate_error(e.to_string()),
                    // The node's: memory it could not map, a CPU it lacks.
                    other => RuntimeError::Engine {
                        message: other.to_string(),
                    },
                }
            })?;
        let exports = &instance.exports;
        let memory = exports
            .get_memory("memory")
            .map_err(|e| instantiate_error(e.to_string()))?
            .clone();
        let allocate = GuestFunction::<u32>::find(&store, exports, "allocate");
        env.as_mut(&mut store)
            .bind(&instance, allocate.clone())
            .map_err(|e| RuntimeError::Engine {
                message: e.to_string(),
            })?;
        let deallocate = GuestFunction::<()>::find(&store, exports, "deallocate");
        let globals = MiddlewareGlobals::of(&instance)?;
        let depth = env.as_ref(&store).call_depth();
        // The memories recorded their data segments: the whole instantiated
        // state, since no Wasm ran (a start function would have trapped, its
        // gas being 0 until a call sets it).
        let memories = std::mem::take(&mut *created.lock().unwrap_or_else(PoisonError::into_inner));
        let initial_globals = store
            .as_store_mut()
            .objects_mut()
            .as_sys()
            .as_u128_globals();
        Ok(Self {
            store,
            instance,
            env,
            memory,
            allocate,
            deallocate,
            globals,
            poisoned: false,
            memories,
            initial_globals,
            depth,
        })
    }

    /// Puts the instance back exactly as [`new`](Self::new) left it, and
    /// clears the poison of a trap: the memory at its initial size with its
    /// initial bytes (nothing above that size reachable again) and every
    /// global, exported or not, at its initial value. That is the whole
    /// state Wasm can change here: validation rejects the features that
    /// mutate tables (reference types, bulk memory). Calls after a reset
    /// give the same results, state and gas as on a new instance, for far
    /// less work than instantiating.
    ///
    /// # Errors
    /// [`RuntimeError::Reset`] when the operating system refuses to remap
    /// the memory; the instance is then poisoned.
    pub fn reset(&mut self) -> Result<(), RuntimeError> {
        for memory in &mut self.memories {
            if let Err(e) = memory.reset() {
                self.poisoned = true;
                return Err(RuntimeError::Reset {
                    message: e.to_string(),
                });
            }
        }
        let mut store = self.store.as_store_mut();
        let objects = store.objects_mut().as_sys();
        for (index, value) in self.initial_globals.iter().enumerate() {
            objects.set_global_unchecked(index, *value);
        }
        self.poisoned = false;
        Ok(())
    }

    /// Whether a trap poisoned the instance.
    pub fn is_poisoned(&self) -> bool {
        self.poisoned
    }

    /// Calls `entry` with `env`, `info` (for the entry points that take it)
    /// and `msg`, against `backend`. Returns the result bytes or the
    /// contract's failure, and always the backend, its meter holding the
    /// call's gas (operators, imports, everything). A poisoned instance
    /// refuses with [`NodeFault::Engine`] (calling one without a reset is
    /// the caller's bug, not the contract's) and charges nothing.
    pub fn call(
        &mut self,
        entry: EntryPoint,
        env: &[u8],
        info: Option<&[u8]>,
        msg: &[u8],
        backend: CallBackend<T>,
    ) -> (CallOutcome, CallBackend<T>) {
        if self.poisoned {
            let fault = NodeFault::Engine {
                message: "an instance that trapped was called again without a reset".into(),
            };
            return (Err(fault), backend);
        }
        let gas_left = backend.gas.wasm_points();
        self.env.as_mut(&mut self.store).begin(backend);
        let outcome = self.run(entry, gas_left, env, info, msg);
        // Imports only borrow the backend (`HostEnv::backend_mut`); nothing
        // but this line takes it out, so it is always there.
        let Some(mut backend) = self.env.as_mut(&mut self.store).end() else {
            unreachable!("HostEnv::end: the backend placed by begin() was taken during the call")
        };
        // Fold operator gas into the meter: what the instance has left, or
        // nothing if operators ran out.
        let mut ran_out = false;
        let bookkeeping = match self.globals.remaining_points::<T::Gas>(&mut self.store) {
            Ok(MeteringPoints::Remaining(left)) => {
                backend.gas.record_wasm_remaining(left);
                Ok(())
            }
            Ok(MeteringPoints::Exhausted) => {
                backend.gas.record_wasm_exhausted();
                ran_out = true;
                Ok(())
            }
            Err(e) => Err(e),
        };
        let mut outcome = match outcome {
            // Operators overspent after the last checked charge (cw-gas's
            // metering): the call ran out of gas, whatever it returned.
            Ok(_) if ran_out => Ok(Err(VmFailure::OutOfGas)),
            Ok(bytes) => Ok(Ok(bytes)),
            Err(trap) => {
                self.poisoned = true;
                self.classify(trap, &mut backend).map(Err)
            }
        };
        let reset = self.globals.reset_stack_height(&mut self.store);
        if let Err(e) = bookkeeping.and(reset) {
            self.poisoned = true;
            outcome = Err(NodeFault::Gas(e));
        }
        (outcome, backend)
    }

    /// The call as cosmwasm-vm's `call_raw` makes it: every argument
    /// allocated and written, then the export looked up and checked, run,
    /// its result read, the result deallocated. `migrate` with `MigrateInfo`
    /// is wasmd's `MigrateWithInfo`: `(env, msg, info)` first, and if the
    /// export takes another number of parameters, `(env, msg)` again from
    /// scratch (so a two-parameter `migrate` pays for both attempts' writes,
    /// as on a chain).
    fn run(
        &mut self,
        entry: EntryPoint,
        gas_left: T::Gas,
        env: &[u8],
        info: Option<&[u8]>,
        msg: &[u8],
    ) -> Result<Vec<u8>, Trap> {
        self.globals
            .set_remaining_points(&mut self.store, gas_left)
            .map_err(Trap::Gas)?;
        let name = entry.export_name();
        let arguments: Vec<&[u8]> = match (entry.info_arg(), info) {
            (InfoArg::Required, Some(info)) => vec![env, info, msg],
            (InfoArg::Optional, Some(info)) => vec![env, msg, info],
            _ => vec![env, msg],
        };
        let mut args = self.write_arguments(&arguments)?;
        let function = match self.instance.exports.get_extern(name) {
            Some(wasmer::Extern::Function(function)) => function.clone(),
            Some(_) => return Err(Trap::export(name, ExportProblem::NotAFunction)),
            None => return Err(Trap::MissingExport(name)),
        };
        let arity = function.ty(&self.store).params().len();
        if arity != args.len() && entry.info_arg() == InfoArg::Optional && args.len() == 3 {
            args = self.write_arguments(&arguments[..2])?;
        }
        if arity != args.len() {
            return Err(Trap::export(
                name,
                ExportProblem::Arity {
                    contract_method_arity: arity,
                },
            ));
        }
        let returned = {
            let _level = self.depth.enter().map_err(Trap::Host)?;
            function.call(&mut self.store, &args).map_err(|e| {
                if e.message().contains("did not match signature") {
                    Trap::export(
                        name,
                        ExportProblem::ParameterTypes {
                            message: e.message(),
                        },
                    )
                } else {
                    Trap::Wasm(e)
                }
            })?
        };
        // Out of gas before anything else the result could fail on.
        self.charge(|_| Ok(()))?;
        let result_ptr = match &*returned {
            [Value::I32(ptr)] => *ptr as u32,
            [_] => return Err(Trap::export(name, ExportProblem::ResultType)),
            values => {
                return Err(Trap::export(
                    name,
                    ExportProblem::ResultCount {
                        expected: 1,
                        actual: values.len(),
                    },
                ));
            }
        };
        let result_limit = entry.result_limit_bytes();
        // As cosmwasm-vm's `read_region`: load, charge for the region's
        // length, then enforce the limit and copy.
        let region = GuestRegion::load(&self.guest_memory(), result_ptr).map_err(Trap::Result)?;
        self.charge(|gas| gas.charge_region_read(u64::from(region.region().length)))?;
        let bytes = region
            .read(&self.guest_memory(), result_limit)
            .map_err(Trap::Result)?;
        self.deallocate
            .call(&mut self.store, &self.depth, result_ptr)
            .map_err(Trap::from)?;
        Ok(bytes)
    }

    /// Writes each of `arguments` into guest memory, in order; returns
    /// their region pointers as call arguments.
    fn write_arguments(&mut self, arguments: &[&[u8]]) -> Result<Vec<Value>, Trap> {
        let mut args = Vec::with_capacity(arguments.len());
        for bytes in arguments {
            args.push(Value::I32(self.write_argument(bytes)? as i32));
        }
        Ok(args)
    }

    /// Copies `bytes` into a region the contract allocates (running its
    /// metered `allocate`, as cosmwasm-vm does).
    fn write_argument(&mut self, bytes: &[u8]) -> Result<u32, Trap> {
        let length = u32::try_from(bytes.len()).map_err(|_| Trap::ArgumentTooLarge)?;
        let ptr = self
            .allocate
            .call(&mut self.store, &self.depth, length)
            .map_err(Trap::from)?;
        // cosmwasm-vm's `Instance::allocate` refuses address 0 (the only
        // place a region pointer may not be 0).
        if ptr == 0 {
            return Err(Trap::Host(HostError::ZeroAddress { size: length }));
        }
        self.charge(|_| Ok(()))?;
        // As cosmwasm-vm's `write_region`: load, charge, then copy.
        let mut region = GuestRegion::load(&self.guest_memory(), ptr).map_err(Trap::Result)?;
        self.charge(|gas| gas.charge_region_write(u64::from(length)))?;
        region
            .write(&self.guest_memory(), bytes)
            .map_err(Trap::Result)?;
        Ok(ptr)
    }

    fn guest_memory(&self) -> InstanceMemory<'_> {
        InstanceMemory {
            memory: &self.memory,
            store: &self.store,
        }
    }

    /// Charges the call's meter between Wasm executions: folds in what
    /// operators spent, charges, and hands the rest back to the operators.
    fn charge(
        &mut self,
        charge: impl FnOnce(&mut GasMeter<T>) -> Result<(), GasError>,
    ) -> Result<(), Trap> {
        let points = self
            .globals
            .remaining_points::<T::Gas>(&mut self.store)
            .map_err(Trap::Gas)?;
        let backend = self
            .env
            .as_mut(&mut self.store)
            .backend_mut()
            .ok_or(Trap::Gas(GasError::MeteringNotInstalled {
                export: "call backend",
            }))?;
        match points {
            MeteringPoints::Remaining(left) => backend.gas.record_wasm_remaining(left),
            MeteringPoints::Exhausted => {
                return Err(Trap::Gas(backend.gas.record_wasm_exhausted()));
            }
        }
        let charged = charge(&mut backend.gas);
        let left = backend.gas.wasm_points();
        self.globals
            .set_remaining_points(&mut self.store, left)
            .map_err(Trap::Gas)?;
        charged.map_err(Trap::Gas)
    }

    /// Why the call stopped: a deterministic failure, or the node's fault
    /// (decided for host errors by [`HostError::classify`]).
    fn classify(
        &mut self,
        trap: Trap,
        backend: &mut CallBackend<T>,
    ) -> Result<VmFailure, NodeFault> {
        let wasm_error = match trap {
            Trap::Wasm(e) => e,
            Trap::Result(e) => return Ok(VmFailure::BadResult(e)),
            Trap::Gas(e) => return HostError::Gas(e).classify(),
            Trap::Host(e) => return e.classify(),
            Trap::MissingExport(name) => return Ok(VmFailure::MissingExport { name }),
            Trap::ArgumentTooLarge => {
                return Ok(VmFailure::Trap {
                    message: "an argument does not fit in 32-bit memory".into(),
                });
            }
        };
        let wasm_error = match wasm_error.downcast::<HostError>() {
            Ok(host) => return host.classify(),
            Err(wasm_error) => wasm_error,
        };
        Ok(match self.globals.classify_trap(&mut self.store) {
            TrapCause::OutOfGas => {
                backend.gas.record_wasm_exhausted();
                VmFailure::OutOfGas
            }
            TrapCause::StackLimit => VmFailure::StackLimit,
            _ => VmFailure::Trap {
                message: wasm_error.message(),
            },
        })
    }
}

/// How a call stopped before producing a result.
enum Trap {
    Wasm(wasmer::RuntimeError),
    Result(cw_region::RegionError),
    Gas(GasError),
    Host(HostError),
    MissingExport(&'static str),
    ArgumentTooLarge,
}

impl Trap {
    fn export(name: &'static str, problem: ExportProblem) -> Self {
        Self::Host(HostError::GuestExport { name, problem })
    }
}

impl From<GuestCallError> for Trap {
    fn from(error: GuestCallError) -> Self {
        match error {
            GuestCallError::Host(e) => Self::Host(e),
            GuestCallError::Runtime(e) => Self::Wasm(e),
        }
    }
}

/// The instance's memory as the runtime reads results through it.
struct InstanceMemory<'a> {
    memory: &'a Memory,
    store: &'a Store,
}

impl GuestMemory for InstanceMemory<'_> {
    fn size_bytes(&self) -> u64 {
        self.memory.view(self.store).data_size()
    }

    fn read(&self, offset: u32, buf: &mut [u8]) -> Result<(), MemoryAccessError> {
        let view = self.memory.view(self.store);
        view.read(u64::from(offset), buf)
            .map_err(|_| MemoryAccessError::new(offset, buf.len(), view.data_size()))
    }

    fn write(&self, offset: u32, data: &[u8]) -> Result<(), MemoryAccessError> {
        let view = self.memory.view(self.store);
        view.write(u64::from(offset), data)
            .map_err(|_| MemoryAccessError::new(offset, data.len(), view.data_size()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compile::Checksum;

    /// A module compiled without validation, as a caller building a
    /// `CompiledModule` by hand could.
    fn unvalidated(wat: &str) -> CompiledModule {
        let wasm = wat::parse_str(wat).unwrap();
        let engine =
            crate::engine::singlepass_engine(cw_gas::CosmWasmSchedule::default(), &wasm, None)
                .unwrap();
        CompiledModule {
            module: wasmer::Module::new(&engine, &wasm).unwrap(),
            engine,
            checksum: Checksum::of(&wasm),
            size_bytes: 0,
            compiler: crate::compile::Compiler::Singlepass,
        }
    }

    /// What validation accepts is exactly what instances can bind, so a
    /// validated module never fails with `UnknownImport`.
    #[test]
    fn the_host_provides_exactly_the_imports_validation_accepts() {
        use std::collections::BTreeSet;
        let accepted: BTreeSet<String> = crate::validate::SUPPORTED_IMPORTS
            .iter()
            .map(|import| (*import).to_string())
            .collect();
        let provided: BTreeSet<String> = cw_host::wasmer::ENV_IMPORTS
            .iter()
            .map(|name| format!("env.{name}"))
            .collect();
        assert_eq!(accepted, provided);
    }

    #[test]
    fn an_import_the_host_lacks_is_named_in_the_error() {
        for (import, named) in [
            (r#"(import "env" "nope" (func))"#, r#""env"."nope""#),
            (
                r#"(import "other" "db_read" (func))"#,
                r#""other"."db_read""#,
            ),
        ] {
            let module = unvalidated(&format!("(module {import} (memory (export \"memory\") 1))"));
            let error = ContractInstance::<cw_gas::CosmWasmSchedule>::new(
                &module,
                &InstanceOptions::default(),
            )
            .err()
            .expect("the import cannot be satisfied");
            let RuntimeError::Instantiate { message } = error else {
                panic!("{error:?}");
            };
            assert!(message.contains(named), "{message}");
        }
    }
}
