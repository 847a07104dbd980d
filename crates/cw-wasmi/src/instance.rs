//! One entry-point call on a fresh wasmi instance, made exactly as the
//! Wasmer path's `ContractInstance::call` makes it: the same steps, the
//! same charges in the same order, the same failures.

use cw_gas::instrument::STACK_EXHAUSTED_EXPORT;
use cw_gas::{CostTable, GasError, GasMeter, GasQuantity};
use cw_host::{
    CallBackend, CallOutcome, EntryPoint, ExportProblem, HostError, InfoArg, NodeFault, VmFailure,
};
use cw_region::GuestRegion;
use wasmi::{AsContext, Extern, Instance, Store, Val};

use crate::guest::{self, Guest, ImportFailed, MeteringGlobals};
use crate::imports::module_imports;
use crate::module::WasmiModule;
use crate::store::StoreData;
use crate::trap::{self, Trap};

/// Per-instance settings: those of the Wasmer path's `InstanceOptions`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InstanceOptions {
    /// The most memory the contract may have, in bytes (rounded down to 64
    /// KiB pages). `memory.grow` past it returns -1 to the contract; a
    /// module whose initial memory is above it cannot be instantiated.
    /// Default 32 MiB.
    pub memory_limit_bytes: u64,
}

impl Default for InstanceOptions {
    fn default() -> Self {
        Self {
            memory_limit_bytes: 32 * 1024 * 1024,
        }
    }
}

const PAGE_BYTES: u64 = 65_536;
/// The most pages a 32-bit memory can have.
const MAX_PAGES: u64 = 65_536;

impl InstanceOptions {
    /// The limit in whole pages, as the Wasmer path's tunables count it.
    fn limit_pages(&self) -> u64 {
        (self.memory_limit_bytes / PAGE_BYTES).min(MAX_PAGES)
    }
}

/// The export `name` of `instance`.
fn export(store: impl AsContext, instance: &Instance, name: &str) -> Option<Extern> {
    instance.get_export(store, name)
}

/// Instantiates `module` in `store` with the imports it uses and the
/// memory limit. The refusals are the Wasmer path's: the memory limit
/// (checked on the declaration before anything is built), the module's own
/// (its imports, data segments, start function) as
/// `VmFailure::Instantiate`, and a module without the instrumentation's
/// globals as the node's fault.
fn instantiate<T: CostTable>(
    store: &mut Store<StoreData<T>>,
    module: &WasmiModule<T>,
    options: &InstanceOptions,
) -> Result<(Instance, Handles), CallOutcome> {
    let limit = options.limit_pages();
    for export in module.module().exports() {
        if let wasmi::ExternType::Memory(memory) = export.ty()
            && memory.minimum() > limit
        {
            return Err(Ok(Err(VmFailure::MemoryLimit {
                initial_pages: memory.minimum(),
                limit_pages: limit,
            })));
        }
    }
    let refused = |message: String| Ok(Err(VmFailure::Instantiate { message }));
    let imports = module_imports(store, module.module()).map_err(refused)?;
    let instance = Instance::new(&mut *store, module.module(), &imports)
        .map_err(|e| refused(trap::instantiation_message(&e)))?;
    let memory = match export(&*store, &instance, "memory") {
        Some(Extern::Memory(memory)) => memory,
        _ => return Err(refused("Missing export memory".to_string())),
    };
    let globals = MeteringGlobals::find(|name| export(&*store, &instance, name)).map_err(|e| {
        Err(NodeFault::Engine {
            message: e.to_string(),
        })
    })?;
    let stack_flag = match export(&*store, &instance, STACK_EXHAUSTED_EXPORT) {
        Some(Extern::Global(flag)) => Some(flag),
        _ => None,
    };
    Ok((
        instance,
        Handles {
            memory,
            globals,
            stack_flag,
        },
    ))
}

/// The instance's memory, metering globals and, if the module is stack
/// limited, the limit's flag.
#[derive(Clone, Copy)]
struct Handles {
    memory: wasmi::Memory,
    globals: MeteringGlobals,
    stack_flag: Option<wasmi::Global>,
}

/// Calls `entry` of a fresh instance of `module` with `env`, `info` (for
/// the entry points that take it) and `msg`, against `backend`. Returns
/// the result bytes or the contract's failure, and always the backend, its
/// meter holding the call's gas (operators, imports, copies).
pub fn call<T: CostTable>(
    module: &WasmiModule<T>,
    options: &InstanceOptions,
    entry: EntryPoint,
    env: &[u8],
    info: Option<&[u8]>,
    msg: &[u8],
    backend: CallBackend<T>,
) -> (CallOutcome, CallBackend<T>) {
    let gas_left = backend.gas.wasm_points();
    let limit_bytes = usize::try_from(options.limit_pages() * PAGE_BYTES).unwrap_or(usize::MAX);
    let mut store = Store::new(module.engine(), StoreData::new(backend, limit_bytes));
    store.limiter(|data| &mut data.limits);
    let (instance, handles) = match instantiate(&mut store, module, options) {
        Ok(instantiated) => instantiated,
        Err(refused) => return finish(store, refused),
    };
    let mut call = Call {
        store,
        instance,
        handles,
    };
    let outcome = call.run(entry, gas_left, env, info, msg);
    let Call {
        mut store, handles, ..
    } = call;
    // Fold operator gas into the meter: what the instance has left, or
    // nothing if operators ran out.
    let left = handles.globals.points_left(&store);
    let result = match store.data_mut().backend_mut() {
        Ok(backend) => {
            let ran_out = match left {
                Some(left) => {
                    backend.gas.record_wasm_remaining(T::Gas::from_u64(left));
                    false
                }
                None => {
                    backend.gas.record_wasm_exhausted();
                    true
                }
            };
            match outcome {
                // Operators overspent after the last checked charge
                // (cw-gas's metering): the call ran out of gas, whatever
                // it returned.
                Ok(_) if ran_out => Ok(Err(VmFailure::OutOfGas)),
                Ok(bytes) => Ok(Ok(bytes)),
                Err(trap) => classify(trap, &store, &handles).map(Err),
            }
        }
        Err(e) => Err(NodeFault::Engine {
            message: e.to_string(),
        }),
    };
    finish(store, result)
}

/// Takes the backend back out of the store with `result`. The slot holds
/// it whenever no import runs, which is always true between guest calls.
fn finish<T: CostTable>(
    store: Store<StoreData<T>>,
    result: CallOutcome,
) -> (CallOutcome, CallBackend<T>) {
    match store.into_data().into_backend() {
        Some(backend) => (result, backend),
        // Every import puts the backend back before it returns, also when
        // it fails, and no import runs here (the Wasmer path asserts the
        // same of its `HostEnv`).
        None => unreachable!("the backend is in the store whenever no import runs"),
    }
}

/// What a trap means (the Wasmer path's `ContractInstance::classify`):
/// host errors are decided by [`HostError::classify`], the one decision of
/// which side of the line each falls on; a trap of the guest's own code by
/// the instrumentation's flags.
fn classify<T: CostTable>(
    trap: Trap,
    store: &Store<StoreData<T>>,
    handles: &Handles,
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
    if trap::import_failure(&wasm_error).is_some() {
        return match wasm_error.downcast::<ImportFailed>() {
            // An import failed: its error decides, moved out whole.
            Some(ImportFailed(host)) => host.classify(),
            None => Err(NodeFault::Bridge {
                problem: "an import failure changed its type",
            }),
        };
    }
    // The meter was settled by the caller; the flags say the rest.
    if handles.globals.points_left(store).is_none() {
        return Ok(VmFailure::OutOfGas);
    }
    if stack_exhausted(store, handles) {
        return Ok(VmFailure::StackLimit);
    }
    Ok(VmFailure::Trap {
        message: trap::message_of(&wasm_error),
    })
}

fn stack_exhausted<T: CostTable>(store: &Store<StoreData<T>>, handles: &Handles) -> bool {
    handles
        .stack_flag
        .is_some_and(|flag| matches!(flag.get(store), Val::I32(set) if set != 0))
}

/// One call in progress.
struct Call<T: CostTable> {
    store: Store<StoreData<T>>,
    instance: Instance,
    handles: Handles,
}

impl<T: CostTable> Call<T> {
    /// The call as cosmwasm-vm's `call_raw` makes it: every argument
    /// allocated and written, then the export looked up and checked, run,
    /// its result read, the result deallocated. `migrate` with
    /// `MigrateInfo` is tried with `(env, msg, info)` first, then, if the
    /// export takes another number of parameters, `(env, msg)` again from
    /// scratch (wasmd's `MigrateWithInfo`).
    fn run(
        &mut self,
        entry: EntryPoint,
        gas_left: T::Gas,
        env: &[u8],
        info: Option<&[u8]>,
        msg: &[u8],
    ) -> Result<Vec<u8>, Trap> {
        self.handles
            .globals
            .set_points_left(&mut self.store, gas_left.to_u64())
            .map_err(Trap::Host)?;
        let name = entry.export_name();
        let arguments: Vec<&[u8]> = match (entry.info_arg(), info) {
            (InfoArg::Required, Some(info)) => vec![env, info, msg],
            (InfoArg::Optional, Some(info)) => vec![env, msg, info],
            _ => vec![env, msg],
        };
        let mut args = self.write_arguments(&arguments)?;
        let function = match export(&self.store, &self.instance, name) {
            Some(Extern::Func(function)) => function,
            Some(_) => return Err(Trap::export(name, ExportProblem::NotAFunction)),
            None => return Err(Trap::MissingExport(name)),
        };
        let arity = function.ty(&self.store).params().len();
        if arity != args.len() && entry.info_arg() == InfoArg::Optional && args.len() == 3 {
            args = self.write_arguments(&arguments[..2])?;
        }
        let returned = guest::call_checked(&mut self.store, function, name, &args)?;
        // Out of gas before anything else the result could fail on.
        self.charge(|_| Ok(()))?;
        let result_ptr = match returned.as_slice() {
            [Val::I32(ptr)] => *ptr as u32,
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
        let region = GuestRegion::load(&self.guest(), result_ptr).map_err(Trap::Result)?;
        self.charge(|gas| gas.charge_region_read(u64::from(region.region().length)))?;
        let bytes = region
            .read(&self.guest(), result_limit)
            .map_err(Trap::Result)?;
        let deallocate = export(&self.store, &self.instance, "deallocate");
        guest::call_unit(&mut self.store, deallocate, "deallocate", result_ptr)
            .map_err(Trap::from)?;
        Ok(bytes)
    }

    /// Writes each of `arguments` into guest memory, in order; returns
    /// their region pointers as call arguments.
    fn write_arguments(&mut self, arguments: &[&[u8]]) -> Result<Vec<Val>, Trap> {
        let mut args = Vec::with_capacity(arguments.len());
        for bytes in arguments {
            args.push(Val::I32(self.write_argument(bytes)? as i32));
        }
        Ok(args)
    }

    /// Copies `bytes` into a region the contract allocates (running its
    /// metered `allocate`, as cosmwasm-vm does).
    fn write_argument(&mut self, bytes: &[u8]) -> Result<u32, Trap> {
        let length = u32::try_from(bytes.len()).map_err(|_| Trap::ArgumentTooLarge)?;
        let allocate = export(&self.store, &self.instance, "allocate");
        let ptr =
            guest::call_u32(&mut self.store, allocate, "allocate", length).map_err(Trap::from)?;
        // cosmwasm-vm's `Instance::allocate` refuses address 0.
        if ptr == 0 {
            return Err(Trap::Host(HostError::ZeroAddress { size: length }));
        }
        self.charge(|_| Ok(()))?;
        // As cosmwasm-vm's `write_region`: load, charge, then copy.
        let mut region = GuestRegion::load(&self.guest(), ptr).map_err(Trap::Result)?;
        self.charge(|gas| gas.charge_region_write(u64::from(length)))?;
        region.write(&self.guest(), bytes).map_err(Trap::Result)?;
        Ok(ptr)
    }

    /// The instance's memory, for the runtime's own region reads and writes.
    fn guest(&mut self) -> Guest<&mut Store<StoreData<T>>> {
        Guest::new(
            &mut self.store,
            self.handles.memory,
            self.handles.globals,
            None,
        )
    }

    /// Charges the call's meter between guest calls: folds in what
    /// operators spent, charges, and hands the rest back to the operators.
    fn charge(
        &mut self,
        charge: impl FnOnce(&mut GasMeter<T>) -> Result<(), GasError>,
    ) -> Result<(), Trap> {
        let left = self.handles.globals.points_left(&self.store);
        let backend = self.store.data_mut().backend_mut().map_err(Trap::Host)?;
        match left {
            Some(left) => backend.gas.record_wasm_remaining(T::Gas::from_u64(left)),
            None => return Err(Trap::Gas(backend.gas.record_wasm_exhausted())),
        }
        let charged = charge(&mut backend.gas);
        let left = backend.gas.wasm_points().to_u64();
        self.handles
            .globals
            .set_points_left(&mut self.store, left)
            .map_err(Trap::Host)?;
        charged.map_err(Trap::Gas)
    }
}
