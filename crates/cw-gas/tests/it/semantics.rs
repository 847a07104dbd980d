//! Charge before work, out-of-gas reporting, determinism across runs,
//! threads and the cache (serialize / deserialize) path.

use std::sync::{Arc, Mutex};

use crate::{Run, run_main};
use cw_gas::middleware::{self, MeteringPoints, TrapCause};
use cw_gas::{
    CosmWasmSchedule, CostTable, CwGas, GasCategory, GasError, GasMeter, NearGas, NearSchedule,
};
use wasmer::sys::NativeEngineExt;
use wasmer::{Function, FunctionEnv, FunctionEnvMut, Instance, Module, Store, imports};

const HOST_CALLER: &str = r#"(module
  (import "env" "work" (func $work))
  (func (export "main")
    i32.const 1 drop
    call $work
    i32.const 2 drop))"#;

/// Counts how often the import ran, for every limit around the price of the
/// run ending in `call`.
fn host_runs<T: CostTable>(table: T, limit: u64) -> (u32, bool) {
    let wasm = wat::parse_str(HOST_CALLER).unwrap();
    let engine = crate::engines::singlepass_engine(table, &wasm, None).unwrap();
    let mut store = Store::new(engine);
    let module = Module::new(&store, &wasm).unwrap();
    let calls = Arc::new(Mutex::new(0u32));
    let env = FunctionEnv::new(&mut store, calls.clone());
    let work =
        Function::new_typed_with_env(&mut store, &env, |env: FunctionEnvMut<Arc<Mutex<u32>>>| {
            *env.data().lock().unwrap() += 1;
        });
    let instance = Instance::new(
        &mut store,
        &module,
        &imports! { "env" => { "work" => work } },
    )
    .unwrap();
    middleware::set_remaining_points(&mut store, &instance, T::Gas::from_u64(limit)).unwrap();
    let ok = instance
        .exports
        .get_function("main")
        .unwrap()
        .call(&mut store, &[])
        .is_ok();
    let n = *calls.lock().unwrap();
    (n, ok)
}

use cw_gas::GasQuantity;

#[test]
fn import_that_cannot_be_paid_does_nothing() {
    // cosmwasm: i32.const, drop, call = 115 + 115 + 1610 charged before the call.
    assert_eq!(host_runs(CosmWasmSchedule::default(), 1_839), (0, false));
    assert_eq!(host_runs(CosmWasmSchedule::default(), 1_840).0, 1);
    // near: the whole function is one metered block (a call does not split
    // it): 5 priced ops * 822,756 (`end` is free), all precharged.
    assert_eq!(
        host_runs(NearSchedule::default(), 5 * 822_756 - 1),
        (0, false)
    );
    assert_eq!(host_runs(NearSchedule::default(), 5 * 822_756), (1, true));
}

#[test]
fn out_of_gas_is_typed_and_used_never_exceeds_limit() {
    let wat = r#"(module (func (export "main") (loop br 0)))"#;
    let (mut store, instance) = crate::instantiate(CosmWasmSchedule::default(), wat, None);
    let limit = CwGas::new(1_000_000);
    let mut meter = GasMeter::new(CosmWasmSchedule::default(), limit);
    meter.charge_host_call().unwrap();
    middleware::set_remaining_points(&mut store, &instance, meter.remaining()).unwrap();
    let err = instance
        .exports
        .get_function("main")
        .unwrap()
        .call(&mut store, &[]);
    assert!(err.is_err());
    assert_eq!(
        middleware::classify_trap(&mut store, &instance),
        TrapCause::OutOfGas
    );
    assert_eq!(
        middleware::remaining_points::<CwGas>(&mut store, &instance).unwrap(),
        MeteringPoints::Exhausted
    );
    let err = meter.record_wasm_exhausted();
    assert_eq!(
        err,
        GasError::OutOfGas {
            limit: limit.to_amount(),
            used: limit.to_amount(),
            category: GasCategory::WasmOps
        }
    );
    let report = meter.report();
    assert!(report.exhausted);
    assert_eq!(report.used, report.limit);
    assert_eq!(report.used.near_gas, Some(NearGas::new(1_000_000_000)));
}

#[test]
fn identical_across_runs_threads_and_cache() {
    let wat = r#"(module
      (func $f (param i32) (result i32)
        local.get 0 i32.eqz if (result i32) i32.const 1 else
        local.get 0 i32.const 1 i32.sub call $f local.get 0 i32.mul end)
      (func (export "main") i32.const 10 call $f drop))"#;
    let wasm = wat::parse_str(wat).unwrap();
    let engine = crate::engines::singlepass_engine(
        CosmWasmSchedule::default(),
        &wasm,
        Some(middleware::DEFAULT_STACK_LIMIT_BYTES),
    )
    .unwrap();
    let store = Store::new(engine.clone());
    let module = Module::new(&store, &wasm).unwrap();
    let bytes = module.serialize().unwrap();

    let run_fresh = |module: &Module, engine: wasmer::Engine| {
        let mut store = Store::new(engine);
        let instance = Instance::new(&mut store, module, &imports! {}).unwrap();
        run_main::<CwGas>(&mut store, &instance, 1 << 40)
    };
    let reference = run_fresh(&module, engine.clone());
    assert!(matches!(reference, Run::Completed { .. }));
    for _ in 0..5 {
        assert_eq!(run_fresh(&module, engine.clone()), reference);
    }
    // Cache path: a headless engine loading the serialized artifact.
    let headless = wasmer::Engine::headless();
    // SAFETY: the bytes were produced by `Module::serialize` just above in
    // this process with the same Wasmer version.
    let cached = unsafe { Module::deserialize(&headless, bytes.clone()) }.unwrap();
    assert_eq!(run_fresh(&cached, headless.clone()), reference);
    // Threads.
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let (m, e) = (module.clone(), engine.clone());
            std::thread::spawn(move || {
                let mut store = Store::new(e);
                let instance = Instance::new(&mut store, &m, &imports! {}).unwrap();
                run_main::<CwGas>(&mut store, &instance, 1 << 40)
            })
        })
        .collect();
    for h in handles {
        assert_eq!(h.join().unwrap(), reference);
    }
}

#[test]
fn a_metering_instance_is_bound_to_one_module() {
    let wasm = wat::parse_str("(module (func (export \"main\")))").unwrap();
    let engine =
        crate::engines::singlepass_engine(CosmWasmSchedule::default(), &wasm, None).unwrap();
    let store = Store::new(engine);
    Module::new(&store, &wasm).unwrap();
    assert!(Module::new(&store, &wasm).is_err());
}

#[test]
fn metering_not_installed_is_an_error() {
    let mut store = Store::default();
    let module = Module::new(&store, wat::parse_str("(module)").unwrap()).unwrap();
    let instance = Instance::new(&mut store, &module, &imports! {}).unwrap();
    assert_eq!(
        middleware::remaining_points::<CwGas>(&mut store, &instance),
        Err(GasError::MeteringNotInstalled {
            export: middleware::POINTS_EXHAUSTED_EXPORT
        })
    );
    assert_eq!(
        middleware::classify_trap(&mut store, &instance),
        TrapCause::Other
    );
}

/// NEAR precharge: the specification's first example is one metered block
/// of 6 instructions charged at entry, even though `unreachable` stops
/// execution after 4 of them.
#[test]
fn near_precharges_the_whole_metered_block() {
    let wat = r#"(module (func (export "main") nop block nop unreachable nop end nop))"#;
    let op = 822_756u64;
    let (mut store, instance) = crate::instantiate(NearSchedule::default(), wat, None);
    middleware::set_remaining_points(&mut store, &instance, NearGas::new(6 * op)).unwrap();
    assert!(
        instance
            .exports
            .get_function("main")
            .unwrap()
            .call(&mut store, &[])
            .is_err()
    );
    assert_eq!(
        middleware::classify_trap(&mut store, &instance),
        TrapCause::Other
    );
    assert_eq!(
        middleware::remaining_points::<NearGas>(&mut store, &instance).unwrap(),
        MeteringPoints::Remaining(NearGas::ZERO)
    );
    middleware::set_remaining_points(&mut store, &instance, NearGas::new(6 * op - 1)).unwrap();
    assert!(
        instance
            .exports
            .get_function("main")
            .unwrap()
            .call(&mut store, &[])
            .is_err()
    );
    assert_eq!(
        middleware::classify_trap(&mut store, &instance),
        TrapCause::OutOfGas
    );
    // cosmwasm-vm charges after the fact: the trap happens before the run
    // (nop block nop unreachable ...) reaches an accounting operator.
    let (mut store, instance) = crate::instantiate(CosmWasmSchedule::default(), wat, None);
    middleware::set_remaining_points(&mut store, &instance, CwGas::new(1_000)).unwrap();
    assert!(
        instance
            .exports
            .get_function("main")
            .unwrap()
            .call(&mut store, &[])
            .is_err()
    );
    assert_eq!(
        middleware::remaining_points::<CwGas>(&mut store, &instance).unwrap(),
        MeteringPoints::Remaining(CwGas::new(1_000))
    );
}

/// `MiddlewareGlobals` (handles found once) reads and writes exactly what
/// the free functions (lookups by name) do.
#[test]
fn middleware_globals_agree_with_the_free_functions() {
    use cw_gas::middleware::MiddlewareGlobals;
    let wat = r#"(module
      (func $recurse (export "recurse") call $recurse)
      (func (export "spin") (loop br 0)))"#;
    let (mut store, instance) = crate::instantiate(CosmWasmSchedule::default(), wat, Some(4096));
    let globals = MiddlewareGlobals::of(&instance).unwrap();
    assert!(globals.is_stack_limited());
    let agree = |store: &mut wasmer::Store| {
        assert_eq!(
            globals.remaining_points::<CwGas>(store).unwrap(),
            middleware::remaining_points::<CwGas>(store, &instance).unwrap()
        );
        assert_eq!(
            globals.classify_trap(store),
            middleware::classify_trap(store, &instance)
        );
    };
    globals
        .set_remaining_points(&mut store, CwGas::new(1_000_000))
        .unwrap();
    agree(&mut store);
    let recurse = instance.exports.get_function("recurse").unwrap();
    assert!(recurse.call(&mut store, &[]).is_err());
    assert_eq!(globals.classify_trap(&mut store), TrapCause::StackLimit);
    agree(&mut store);
    globals.reset_stack_height(&mut store).unwrap();
    assert_eq!(
        middleware::stack_height_bytes(&mut store, &instance).unwrap(),
        0
    );
    assert_eq!(globals.classify_trap(&mut store), TrapCause::Other);
    globals
        .set_remaining_points(&mut store, CwGas::new(10))
        .unwrap();
    let spin = instance.exports.get_function("spin").unwrap();
    assert!(spin.call(&mut store, &[]).is_err());
    assert_eq!(
        globals.remaining_points::<CwGas>(&mut store).unwrap(),
        MeteringPoints::Exhausted
    );
    assert_eq!(globals.classify_trap(&mut store), TrapCause::OutOfGas);
    agree(&mut store);

    // Without the limiter there is no stack state to reset.
    let (mut store, instance) = crate::instantiate(CosmWasmSchedule::default(), wat, None);
    let globals = MiddlewareGlobals::of(&instance).unwrap();
    assert!(!globals.is_stack_limited());
    globals.reset_stack_height(&mut store).unwrap();
    // Without metering there is nothing to find.
    let mut store = wasmer::Store::default();
    let module = wasmer::Module::new(&store, wat::parse_str(wat).unwrap()).unwrap();
    let plain = wasmer::Instance::new(&mut store, &module, &wasmer::imports! {}).unwrap();
    assert!(matches!(
        MiddlewareGlobals::of(&plain),
        Err(cw_gas::GasError::MeteringNotInstalled { .. })
    ));
}
