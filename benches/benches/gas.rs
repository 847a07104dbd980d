//! `gas/*`: a CPU-bound contract function (a loop calling a small function
//! 100,000 times) on Wasmer 7.5.0 Singlepass, with cw-gas's middlewares off
//! and on, so the overhead ratio is one division:
//!
//! * `gas/metering/off`: no middleware (baseline);
//! * `gas/metering/cosmwasm`: operator metering, cosmwasm schedule;
//! * `gas/metering/near`: operator metering, near schedule (block precharge);
//! * `gas/stack_limit/on`: the stack limiter alone;
//! * `gas/metering+stack_limit/cosmwasm`: both, as the runtime will run.

use std::hint::black_box;
use std::sync::Arc;

use criterion::{Criterion, criterion_group, criterion_main};
use cw_gas::middleware::{self, DEFAULT_STACK_LIMIT_BYTES, StackLimiter};
use cw_gas::{CosmWasmSchedule, CwGas, NearGas, NearSchedule};
use wasmer::sys::{CompilerConfig, Singlepass};
use wasmer::{Engine, Instance, Module, Store, TypedFunction, imports};

const ITERATIONS: i32 = 100_000;

const CPU_BOUND: &str = r#"(module
  (func $step (param i64) (result i64)
    local.get 0 i64.const 6364136223846793005 i64.mul
    i64.const 1442695040888963407 i64.add)
  (func (export "main") (param $n i32) (result i64) (local $x i64)
    loop
      local.get $x call $step local.set $x
      local.get $n i32.const 1 i32.sub local.tee $n
      br_if 0
    end
    local.get $x))"#;

enum Setup {
    Off,
    StackOnly,
    Cosmwasm { stack: bool },
    Near,
}

fn engine(setup: &Setup, wasm: &[u8]) -> Engine {
    match setup {
        Setup::Off => {
            let mut c = Singlepass::new();
            c.canonicalize_nans(true);
            c.into()
        }
        Setup::StackOnly => {
            let mut c = Singlepass::new();
            c.canonicalize_nans(true);
            c.push_middleware(Arc::new(
                StackLimiter::new(wasm, DEFAULT_STACK_LIMIT_BYTES).expect("valid"),
            ));
            c.into()
        }
        Setup::Cosmwasm { stack } => cw_runtime::internals::singlepass_engine(
            CosmWasmSchedule::default(),
            wasm,
            stack.then_some(DEFAULT_STACK_LIMIT_BYTES),
        )
        .expect("engine"),
        Setup::Near => {
            cw_runtime::internals::singlepass_engine(NearSchedule::default(), wasm, None)
                .expect("engine")
        }
    }
}

fn bench(c: &mut Criterion, group: &str, name: &str, setup: Setup) {
    let wasm = wat::parse_str(CPU_BOUND).expect("wat");
    let mut store = Store::new(engine(&setup, &wasm));
    let module = Module::new(&store, &wasm).expect("compile");
    let instance = Instance::new(&mut store, &module, &imports! {}).expect("instance");
    let main: TypedFunction<i32, i64> = instance
        .exports
        .get_typed_function(&store, "main")
        .expect("main");
    let mut g = c.benchmark_group(group);
    g.bench_function(name, |b| {
        b.iter(|| {
            match setup {
                Setup::Cosmwasm { .. } => middleware::set_remaining_points(
                    &mut store,
                    &instance,
                    CwGas::new(u64::MAX >> 1),
                )
                .expect("metered"),
                Setup::Near => middleware::set_remaining_points(
                    &mut store,
                    &instance,
                    NearGas::new(u64::MAX >> 1),
                )
                .expect("metered"),
                Setup::Off | Setup::StackOnly => {}
            }
            black_box(main.call(&mut store, black_box(ITERATIONS)).expect("runs"))
        })
    });
    g.finish();
}

fn gas(c: &mut Criterion) {
    bench(c, "gas/metering", "off", Setup::Off);
    bench(
        c,
        "gas/metering",
        "cosmwasm",
        Setup::Cosmwasm { stack: false },
    );
    bench(c, "gas/metering", "near", Setup::Near);
    bench(c, "gas/stack_limit", "on", Setup::StackOnly);
    bench(
        c,
        "gas/metering+stack_limit",
        "cosmwasm",
        Setup::Cosmwasm { stack: true },
    );
}

criterion_group!(benches, gas);
criterion_main!(benches);
