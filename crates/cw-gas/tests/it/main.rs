//! cw-gas integration tests: one binary, a module per topic.

mod differential;
mod exactness;
mod programs;
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

/// Outcome of one metered call: gas used (limit - remaining) and whether the
/// metering exhausted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Run {
    Completed { used: u64 },
    OutOfGas { remaining_raw: u64 },
}

/// Calls `main` with `limit` points (raw, in the module's unit).
pub fn run_main<G: GasQuantity>(store: &mut Store, instance: &Instance, limit: u64) -> Run {
    middleware::set_remaining_points(store, instance, G::from_u64(limit)).unwrap();
    let main = instance.exports.get_function("main").unwrap();
    let result = main.call(store, &[]);
    match middleware::remaining_points::<G>(store, instance).unwrap() {
        MeteringPoints::Remaining(left) => {
            result.expect("no trap while gas remains");
            Run::Completed {
                used: limit - left.to_u64(),
            }
        }
        MeteringPoints::Exhausted => {
            assert!(result.is_err(), "exhausted but returned");
            let raw = instance
                .exports
                .get_global(middleware::REMAINING_POINTS_EXPORT)
                .unwrap()
                .get(store)
                .unwrap_i64();
            Run::OutOfGas {
                remaining_raw: u64::from_ne_bytes(raw.to_ne_bytes()),
            }
        }
    }
}
