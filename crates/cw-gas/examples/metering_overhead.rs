//! Metering overhead of cw-gas and of cosmwasm-vm 3.0.11, measured the same
//! way in one process: median wall time of the `benches/benches/gas.rs`
//! CPU-bound function on Singlepass without middlewares, with cosmwasm-vm's
//! compiling engine (Gatekeeper + its Metering), and with cw-gas.
//!
//! Run: `cargo run --release -p cw-gas --example metering_overhead`

use std::time::{Duration, Instant};

use cw_gas::middleware::{self, DEFAULT_STACK_LIMIT_BYTES};
use cw_gas::{CosmWasmSchedule, CwGas};
use wasmer::sys::Singlepass;
use wasmer::{Engine, Instance, Module, Store, TypedFunction, Value, imports};

const ITERATIONS: i32 = 100_000;
const RUNS: usize = 201;

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

fn median(
    engine: Engine,
    module: Option<Module>,
    wasm: &[u8],
    gas_global: Option<&str>,
) -> Duration {
    let mut store = Store::new(engine);
    let module = module.unwrap_or_else(|| Module::new(&store, wasm).expect("compiles"));
    let instance = Instance::new(&mut store, &module, &imports! {}).expect("instance");
    let main: TypedFunction<i32, i64> = instance
        .exports
        .get_typed_function(&store, "main")
        .expect("main");
    let mut times = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        if let Some(name) = gas_global {
            let g = instance.exports.get_global(name).expect("metering global");
            g.set(&mut store, Value::I64(i64::MAX)).expect("set");
        }
        let start = Instant::now();
        std::hint::black_box(main.call(&mut store, ITERATIONS).expect("runs"));
        times.push(start.elapsed());
    }
    times.sort_unstable();
    times[RUNS / 2]
}

fn main() {
    let wasm = wat::parse_str(CPU_BOUND).expect("wat");
    let mut plain = Singlepass::new();
    plain.canonicalize_nans(true);
    let off = median(plain.into(), None, &wasm, None);

    let (module, engine) =
        cosmwasm_vm::internals::compile_module(&wasm, None).expect("cosmwasm-vm compiles");
    let cosmwasm_vm = median(
        engine,
        Some(module),
        &wasm,
        Some("wasmer_metering_remaining_points"),
    );

    let ours = |stack: Option<u64>| {
        // What an engine crate (cw-runtime) does with the middlewares.
        let mut config = Singlepass::new();
        config.canonicalize_nans(true);
        let limiter = stack.map(|limit| {
            std::sync::Arc::new(middleware::StackLimiter::new(&wasm, limit).expect("limiter"))
        });
        middleware::push_middlewares(
            &mut config,
            std::sync::Arc::new(middleware::Metering::new(CosmWasmSchedule::default())),
            limiter,
        );
        let engine: Engine = config.into();
        let _ = CwGas::ZERO;
        median(
            engine,
            None,
            &wasm,
            Some(middleware::REMAINING_POINTS_EXPORT),
        )
    };
    let metering = ours(None);
    let both = ours(Some(DEFAULT_STACK_LIMIT_BYTES));

    let ratio = |d: Duration| d.as_secs_f64() / off.as_secs_f64();
    println!("median of {RUNS} runs, {ITERATIONS} iterations each");
    println!("off                         {off:>10.2?}  1.00x");
    println!(
        "cosmwasm-vm 3.0.11 engine   {cosmwasm_vm:>10.2?}  {:.2}x",
        ratio(cosmwasm_vm)
    );
    println!(
        "cw-gas metering (cosmwasm)  {metering:>10.2?}  {:.2}x",
        ratio(metering)
    );
    println!(
        "cw-gas metering + stack     {both:>10.2?}  {:.2}x",
        ratio(both)
    );
}
