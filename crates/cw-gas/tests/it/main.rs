//! cw-gas integration tests: one binary, a module per topic.

mod differential;
mod engines;
mod exactness;
mod generator;
mod instrumented;
mod programs;
mod scaling;
mod semantics;
mod stack_limit;

use cw_gas::middleware::{self, MeteringPoints};
use cw_gas::{CostTable, GasQuantity};
use wasmer::sys::NativeEngineExt;
use wasmer::{Instance, Module, Store, imports};

/// Wasmer's base tunables, with the native stack the deterministic stack
/// limit is calibrated for (`middleware::NATIVE_STACK_BYTES`), as the
/// runtime's own tunables give every instance.
pub struct NativeStack {
    base: wasmer::sys::BaseTunables,
    vmconfig: wasmer::sys::vm::VMConfig,
}

impl Default for NativeStack {
    fn default() -> Self {
        Self::new()
    }
}

impl NativeStack {
    pub fn new() -> Self {
        Self {
            base: wasmer::sys::BaseTunables::new(),
            vmconfig: wasmer::sys::vm::VMConfig {
                wasm_stack_size: Some(middleware::NATIVE_STACK_BYTES),
            },
        }
    }
}

impl wasmer::sys::Tunables for NativeStack {
    fn memory_style(&self, memory: &wasmer::MemoryType) -> wasmer::MemoryStyle {
        self.base.memory_style(memory)
    }
    fn table_style(&self, table: &wasmer::TableType) -> wasmer::TableStyle {
        self.base.table_style(table)
    }
    fn create_host_memory(
        &self,
        ty: &wasmer::MemoryType,
        style: &wasmer::MemoryStyle,
    ) -> Result<wasmer::sys::vm::VMMemory, wasmer::MemoryError> {
        self.base.create_host_memory(ty, style)
    }
    unsafe fn create_vm_memory(
        &self,
        ty: &wasmer::MemoryType,
        style: &wasmer::MemoryStyle,
        location: std::ptr::NonNull<wasmer::sys::vm::VMMemoryDefinition>,
    ) -> Result<wasmer::sys::vm::VMMemory, wasmer::MemoryError> {
        // SAFETY: forwarded unchanged from Wasmer's own call.
        unsafe { self.base.create_vm_memory(ty, style, location) }
    }
    fn create_host_table(
        &self,
        ty: &wasmer::TableType,
        style: &wasmer::TableStyle,
    ) -> Result<wasmer::sys::vm::VMTable, String> {
        self.base.create_host_table(ty, style)
    }
    unsafe fn create_vm_table(
        &self,
        ty: &wasmer::TableType,
        style: &wasmer::TableStyle,
        location: std::ptr::NonNull<wasmer::sys::vm::VMTableDefinition>,
    ) -> Result<wasmer::sys::vm::VMTable, String> {
        // SAFETY: forwarded unchanged from Wasmer's own call.
        unsafe { self.base.create_vm_table(ty, style, location) }
    }
    fn vmconfig(&self) -> &wasmer::sys::vm::VMConfig {
        &self.vmconfig
    }
}

/// Compiles `wat` with our middlewares and instantiates it without imports,
/// on the native stack the runtime gives Wasm.
pub fn instantiate<T: CostTable>(
    table: T,
    wat: &str,
    stack_limit: Option<u64>,
) -> (Store, Instance) {
    let wasm = wat::parse_str(wat).expect("valid wat");
    let mut engine = crate::engines::singlepass_engine(table, &wasm, stack_limit).expect("engine");
    engine.set_tunables(NativeStack::new());
    let mut store = Store::new(engine);
    let module = Module::new(&store, &wasm).expect("compiles");
    let instance = Instance::new(&mut store, &module, &imports! {}).expect("instantiates");
    (store, instance)
}

/// Outcome of one metered call: gas used (limit - remaining) or out of gas.
///
/// Out of gas carries nothing: where inside the call the trap was raised
/// (and so the raw count left in the instance) is not part of the outcome;
/// unchecked charges move it later than cosmwasm-vm's (see cw-gas's
/// metering module).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Run {
    Completed { used: u64 },
    OutOfGas,
}

/// Calls `main` with `limit` points (raw, in the module's unit; the
/// instance holds at most `i64::MAX`).
pub fn run_main<G: GasQuantity>(store: &mut Store, instance: &Instance, limit: u64) -> Run {
    middleware::set_remaining_points(store, instance, G::from_u64(limit)).unwrap();
    let main = instance.exports.get_function("main").unwrap();
    let result = main.call(store, &[]);
    match middleware::remaining_points::<G>(store, instance).unwrap() {
        MeteringPoints::Remaining(left) => {
            result.expect("no trap while gas remains");
            Run::Completed {
                used: limit.min(i64::MAX as u64) - left.to_u64(),
            }
        }
        // Trapped, or returned having overspent after its last check.
        MeteringPoints::Exhausted => Run::OutOfGas,
    }
}
