//! Differential: our metering under the cosmwasm schedule against
//! cosmwasm-vm 3.0.11's own compiling engine (its `Metering` fork and
//! Gatekeeper), on the same generated modules and gas limits. Compared: the
//! outcome, and the gas used when the call completed (where inside a call
//! an exhausting one traps is not compared: ours may trap later, see the
//! metering module).

use crate::programs::program;
use crate::{Run, instantiate, run_main};
use cw_gas::{CosmWasmSchedule, CwGas};
use proptest::prelude::*;
use wasmer::{Instance, Store, Value, imports};

const CW_REMAINING: &str = "wasmer_metering_remaining_points";
const CW_EXHAUSTED: &str = "wasmer_metering_points_exhausted";

/// The same call on cosmwasm-vm's engine.
fn cosmwasm_vm_run(wasm: &[u8], limit: u64) -> Run {
    let (module, engine) =
        cosmwasm_vm::internals::compile_module(wasm, None).expect("cosmwasm-vm compiles");
    let mut store = Store::new(engine);
    let instance = Instance::new(&mut store, &module, &imports! {}).expect("instantiates");
    let remaining = instance.exports.get_global(CW_REMAINING).unwrap().clone();
    remaining
        .set(
            &mut store,
            Value::I64(i64::from_ne_bytes(limit.to_ne_bytes())),
        )
        .unwrap();
    let result = instance
        .exports
        .get_function("main")
        .unwrap()
        .call(&mut store, &[]);
    let left = u64::from_ne_bytes(remaining.get(&mut store).unwrap_i64().to_ne_bytes());
    let exhausted = instance
        .exports
        .get_global(CW_EXHAUSTED)
        .unwrap()
        .get(&mut store)
        .unwrap_i32();
    if exhausted != 0 {
        assert!(result.is_err());
        Run::OutOfGas
    } else {
        result.expect("no trap");
        Run::Completed { used: limit - left }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 40, ..ProptestConfig::default() })]

    #[test]
    fn metering_matches_cosmwasm_vm(p in program(true), fraction in 0.0f64..1.2) {
        let wasm = wat::parse_str(p.wat()).unwrap();
        let theirs_full = cosmwasm_vm_run(&wasm, u64::MAX >> 1);
        let (mut store, instance) = instantiate(CosmWasmSchedule::default(), &p.wat(), None);
        let ours_full = run_main::<CwGas>(&mut store, &instance, u64::MAX >> 1);
        prop_assert_eq!(ours_full, theirs_full);
        // And under a limit somewhere around the total, often running out
        // mid-program: the same outcome, and the same gas when it completes.
        let Run::Completed { used } = ours_full else { unreachable!() };
        let limit = (used as f64 * fraction) as u64;
        prop_assert_eq!(run_main::<CwGas>(&mut store, &instance, limit), cosmwasm_vm_run(&wasm, limit), "limit {}", limit);
    }
}

/// Every boundary limit of a small program with calls, loops and a big
/// locals count: identical outcome for each limit from 0 to total.
#[test]
fn every_limit_matches_cosmwasm_vm() {
    let locals = " (local".to_string() + &" i64".repeat(45) + ")";
    let wat = format!(
        r#"(module
          (func $leaf {locals} i32.const 1 drop)
          (func (export "main") (local $i i32)
            i32.const 3 local.set $i
            loop
              call $leaf
              local.get $i i32.const 1 i32.sub local.tee $i
              br_if 0
            end
            i32.const 0
            if nop else call $leaf end))"#
    );
    let wasm = wat::parse_str(&wat).unwrap();
    let (mut store, instance) = instantiate(CosmWasmSchedule::default(), &wat, None);
    let Run::Completed { used: total } = run_main::<CwGas>(&mut store, &instance, 1 << 40) else {
        panic!("must complete");
    };
    assert_eq!(
        cosmwasm_vm_run(&wasm, 1 << 40),
        Run::Completed { used: total }
    );
    let mut step = 0;
    while step <= total + 1 {
        assert_eq!(
            run_main::<CwGas>(&mut store, &instance, step),
            cosmwasm_vm_run(&wasm, step),
            "limit {step}"
        );
        step += 97;
    }
}

/// Issue 21: every way a loop can branch back ends in out of gas, on ours
/// and on cosmwasm-vm, at every limit tried: a back-edge straight from the
/// loop, from an `if` inside a `block`, from a `br_table` (first and
/// default target), from a `block` nested three deep, and after a `call`.
#[test]
fn every_back_edge_shape_runs_out_of_gas() {
    let shapes = [
        ("br_if 0", "loop i32.const 1 br_if 0 end"),
        (
            "br 2 from an if in a block",
            "loop block i32.const 1 if br 2 end end end",
        ),
        (
            "br_table to the loop",
            "block loop i32.const 0 br_table 0 1 end end",
        ),
        (
            "br_table default to the loop",
            "block loop i32.const 7 br_table 1 1 0 end end",
        ),
        (
            "br 3 from three blocks",
            "loop block block block br 3 end end end end",
        ),
        ("after a call", "loop call $f br 0 end"),
    ];
    for (shape, body) in shapes {
        let wat = format!(r#"(module (func $f) (func (export "main") {body}))"#);
        let wasm = wat::parse_str(&wat).unwrap();
        for limit in [0, 1, 1_000, 123_457, 10_000_000] {
            let (mut store, instance) = instantiate(CosmWasmSchedule::default(), &wat, None);
            let ours = run_main::<CwGas>(&mut store, &instance, limit);
            assert_eq!(ours, Run::OutOfGas, "{shape} at {limit}");
            assert_eq!(
                cosmwasm_vm_run(&wasm, limit),
                Run::OutOfGas,
                "{shape}: reference"
            );
        }
    }
}
