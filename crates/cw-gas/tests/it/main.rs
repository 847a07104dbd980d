//! cw-gas integration tests: one binary, a module per topic.

mod differential;
mod exactness;
mod generator;
mod instrumented;
mod programs;
mod scaling;
mod semantics;
mod stack_limit;

use cw_gas::middleware::{self, MeteringPoints};
use cw_gas::{CostTable, GasQuantity};
use wasmer::{Instance, Module, Store, imports};

/// Compiles `wat` with our middlewares and instantiates it without imports.
pub fn instantiate<T: CostTable>(
    table: T,
    wat: &str,
    stack_limit: Option<u64>,
) -> (Store, Instance) {
    let wasm = wat::parse_str(wat).expect("valid wat");
    let engine = middleware::singlepass_engine(table, &wasm, stack_limit).expect("engine");
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
