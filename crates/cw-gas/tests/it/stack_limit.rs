//! The deterministic stack limit: same depth on every run, before the
//! native stack, and distinguishable from other traps.

use crate::instantiate;
use cw_gas::middleware::{self, DEFAULT_STACK_LIMIT_BYTES, StackLimiter, TrapCause};
use cw_gas::{CosmWasmSchedule, CwGas, NearSchedule};
use wasmer::{Instance, Store};

/// Infinite recursion counting its depth in an exported global; `frame`
/// extra parameters/locals make frames bigger.
fn recursion(params: usize, locals: usize, local_ty: &str) -> String {
    let p = if params > 0 {
        format!("(param{})", " i64".repeat(params))
    } else {
        String::new()
    };
    let l = if locals > 0 {
        format!("(local{})", format!(" {local_ty}").repeat(locals))
    } else {
        String::new()
    };
    let args = "i64.const 7 ".repeat(params);
    format!(
        r#"(module
          (global $depth (export "depth") (mut i32) (i32.const 0))
          (func $r {p} {l}
            global.get $depth i32.const 1 i32.add global.set $depth
            {args} call $r)
          (func (export "main") {args} call $r))"#
    )
}

fn depth_reached(store: &mut Store, instance: &Instance) -> (i32, TrapCause) {
    middleware::set_remaining_points(store, instance, CwGas::new(u64::MAX >> 1)).unwrap();
    middleware::reset_stack_height(store, instance).unwrap();
    instance
        .exports
        .get_global("depth")
        .unwrap()
        .set(store, wasmer::Value::I32(0))
        .unwrap();
    let r = instance
        .exports
        .get_function("main")
        .unwrap()
        .call(store, &[]);
    assert!(r.is_err(), "infinite recursion must trap");
    let depth = instance
        .exports
        .get_global("depth")
        .unwrap()
        .get(store)
        .unwrap_i32();
    (depth, middleware::classify_trap(store, instance))
}

#[test]
fn frame_costs_follow_the_rule() {
    // main: no params/locals, operand height 0 -> 64 + 8 * 2 = 80.
    // r(3 x i64 params, 2 x i32 locals): 64 + 24 + 8 + height(3 for the args) -> 64+32+8*(3+2).
    let wasm = wat::parse_str(recursion(3, 2, "i32")).unwrap();
    let limiter = StackLimiter::new(&wasm, 1_000).unwrap();
    assert_eq!(
        limiter.frame_bytes(0),
        Some(64 + 3 * 8 + 2 * 4 + 8 * (3 + 2))
    );
    assert_eq!(limiter.frame_bytes(1), Some(64 + 8 * (3 + 2)));
    assert!(StackLimiter::new(b"\0asm garbage", 1).is_err());
}

#[test]
fn same_depth_in_100_runs() {
    let wat = recursion(0, 0, "i32");
    let wasm = wat::parse_str(&wat).unwrap();
    let limiter = StackLimiter::new(&wasm, DEFAULT_STACK_LIMIT_BYTES).unwrap();
    let (entry, frame) = (
        limiter.frame_bytes(1).unwrap(),
        limiter.frame_bytes(0).unwrap(),
    );
    // The entry frame is counted, then as many recursive frames as fit.
    let expected = i32::try_from((DEFAULT_STACK_LIMIT_BYTES - entry) / frame).unwrap();
    let (mut store, instance) = instantiate(
        CosmWasmSchedule::default(),
        &wat,
        Some(DEFAULT_STACK_LIMIT_BYTES),
    );
    for _ in 0..100 {
        assert_eq!(
            depth_reached(&mut store, &instance),
            (expected, TrapCause::StackLimit)
        );
    }
    // Fresh instances on other threads agree.
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let wat = wat.clone();
            std::thread::spawn(move || {
                let (mut store, instance) = instantiate(
                    CosmWasmSchedule::default(),
                    &wat,
                    Some(DEFAULT_STACK_LIMIT_BYTES),
                );
                depth_reached(&mut store, &instance)
            })
        })
        .collect();
    for h in handles {
        assert_eq!(h.join().unwrap(), (expected, TrapCause::StackLimit));
    }
}

/// Whatever the frame shape, our limit trips before the native stack the
/// runtime gives Wasm (`NATIVE_STACK_BYTES`) overflows, under both
/// schedules' metering.
#[test]
fn native_stack_never_overflows_first() {
    for (params, locals, ty) in [
        (0, 0, "i32"),
        (0, 1, "i32"),
        (8, 0, "i64"),
        (0, 300, "i32"),
        (0, 300, "i64"),
        (60, 60, "f64"),
    ] {
        let wat = recursion(params, locals, ty);
        let (mut store, instance) = instantiate(
            CosmWasmSchedule::default(),
            &wat,
            Some(DEFAULT_STACK_LIMIT_BYTES),
        );
        let (depth, cause) = depth_reached(&mut store, &instance);
        assert_eq!(
            cause,
            TrapCause::StackLimit,
            "shape ({params}, {locals}, {ty}) overflowed natively at {depth}"
        );
        let (mut store, instance) = instantiate(
            NearSchedule::default(),
            &wat,
            Some(DEFAULT_STACK_LIMIT_BYTES),
        );
        middleware::set_remaining_points(
            &mut store,
            &instance,
            cw_gas::NearGas::new(u64::MAX >> 1),
        )
        .unwrap();
        let r = instance
            .exports
            .get_function("main")
            .unwrap()
            .call(&mut store, &[]);
        assert!(r.is_err());
        assert_eq!(
            middleware::classify_trap(&mut store, &instance),
            TrapCause::StackLimit
        );
    }
    // Without the limiter the same recursion dies on the native stack: the
    // limiter is what makes the depth deterministic.
    let (mut store, instance) =
        instantiate(CosmWasmSchedule::default(), &recursion(0, 0, "i32"), None);
    middleware::set_remaining_points(&mut store, &instance, CwGas::new(u64::MAX >> 1)).unwrap();
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
}

/// Frames are released on every exit: `return`, falling off the end, and a
/// `br` to the function label; results pass through the wrapper block.
#[test]
fn frames_are_released_on_every_exit() {
    let wat = r#"(module
      (func $ret (result i32) i32.const 5 return)
      (func $br (result i32) i32.const 6 br 0)
      (func $brif (param i32) (result i32) i32.const 7 local.get 0 br_if 0 drop i32.const 8)
      (func $fall (result i64) i64.const 9)
      (func (export "main") (result i32)
        call $ret call $br i32.add
        i32.const 1 call $brif i32.add
        i32.const 0 call $brif i32.add
        call $fall i32.wrap_i64 i32.add))"#;
    let (mut store, instance) = instantiate(CosmWasmSchedule::default(), wat, Some(10_000));
    middleware::set_remaining_points(&mut store, &instance, CwGas::new(1 << 40)).unwrap();
    let out = instance
        .exports
        .get_function("main")
        .unwrap()
        .call(&mut store, &[])
        .unwrap();
    assert_eq!(out[0].unwrap_i32(), 5 + 6 + 7 + 8 + 9);
    assert_eq!(
        middleware::stack_height_bytes(&mut store, &instance).unwrap(),
        0
    );
}

/// The limiter's injected instructions are not metered: gas is the same
/// with and without it.
#[test]
fn limiter_does_not_change_gas() {
    let wat = r#"(module (func $f (param i32) (result i32) local.get 0 i32.const 1 i32.add)
      (func (export "main") i32.const 1 call $f call $f drop))"#;
    let (mut s1, i1) = instantiate(CosmWasmSchedule::default(), wat, None);
    let (mut s2, i2) = instantiate(
        CosmWasmSchedule::default(),
        wat,
        Some(DEFAULT_STACK_LIMIT_BYTES),
    );
    let a = crate::run_main::<CwGas>(&mut s1, &i1, 1 << 30);
    assert_eq!(a, crate::run_main::<CwGas>(&mut s2, &i2, 1 << 30));
    assert_eq!(
        a,
        crate::Run::Completed {
            used: 115 * 2 + 345 * 2 + 1_610 * 5
        }
    );
}

/// A leaf with a big frame (50 i64 locals: 64 + 400 + 8 * 2 = 480 bytes)
/// called directly by `direct` and through a table by `indirect`.
const LEAF_CALLERS: &str = r#"(module
  (type $v (func))
  (table 1 1 funcref)
  (elem (i32.const 0) $leaf)
  (func $leaf (local i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64
                     i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64
                     i64 i64 i64 i64 i64 i64 i64 i64 i64 i64))
  (func (export "direct") call $leaf)
  (func (export "indirect") i32.const 0 call_indirect (type $v))
  (func (export "alone")))"#;

#[test]
fn leaves_are_not_instrumented_and_callers_reserve_their_frames() {
    let wasm = wat::parse_str(LEAF_CALLERS).unwrap();
    let limiter = StackLimiter::new(&wasm, DEFAULT_STACK_LIMIT_BYTES).unwrap();
    assert_eq!(limiter.frame_bytes(0), Some(480));
    assert_eq!(limiter.is_instrumented(0), Some(false), "the leaf");
    assert_eq!(limiter.is_instrumented(1), Some(true), "a direct caller");
    assert_eq!(limiter.is_instrumented(2), Some(true), "an indirect caller");
    assert_eq!(
        limiter.is_instrumented(3),
        Some(true),
        "an exported function calling nothing: the host calls it, so it counts itself"
    );

    // A limit that fits each caller's own frame (80) but not frame + leaf (560):
    // both callers trap on entry with the stack flag, before the leaf runs.
    for entry in ["direct", "indirect"] {
        let (mut store, instance) =
            instantiate(CosmWasmSchedule::default(), LEAF_CALLERS, Some(500));
        middleware::set_remaining_points(&mut store, &instance, CwGas::new(1_000_000)).unwrap();
        let result = instance
            .exports
            .get_function(entry)
            .unwrap()
            .call(&mut store, &[]);
        assert!(result.is_err(), "{entry} must trap");
        assert_eq!(
            middleware::classify_trap(&mut store, &instance),
            TrapCause::StackLimit,
            "{entry}"
        );
    }
    // With room for both, they run and leave the counter at zero.
    for entry in ["direct", "indirect", "alone"] {
        let (mut store, instance) =
            instantiate(CosmWasmSchedule::default(), LEAF_CALLERS, Some(600));
        middleware::set_remaining_points(&mut store, &instance, CwGas::new(1_000_000)).unwrap();
        instance
            .exports
            .get_function(entry)
            .unwrap()
            .call(&mut store, &[])
            .unwrap();
        assert_eq!(
            middleware::stack_height_bytes(&mut store, &instance).unwrap(),
            0,
            "{entry}"
        );
    }
}

#[test]
fn leaves_do_not_change_gas() {
    let (mut with, with_instance) =
        instantiate(CosmWasmSchedule::default(), LEAF_CALLERS, Some(600));
    let (mut without, without_instance) =
        instantiate(CosmWasmSchedule::default(), LEAF_CALLERS, None);
    for (store, instance) in [
        (&mut with, &with_instance),
        (&mut without, &without_instance),
    ] {
        middleware::set_remaining_points(store, instance, CwGas::new(1_000_000)).unwrap();
        instance
            .exports
            .get_function("direct")
            .unwrap()
            .call(store, &[])
            .unwrap();
    }
    let left = |store: &mut Store, instance: &Instance| {
        middleware::remaining_points::<CwGas>(store, instance).unwrap()
    };
    assert_eq!(
        left(&mut with, &with_instance),
        left(&mut without, &without_instance)
    );
}

/// Serialized code of `wasm` compiled with `push`'s middlewares.
fn artifact(wasm: &[u8], push: impl FnOnce(&mut wasmer::sys::Singlepass)) -> Vec<u8> {
    let mut compiler = wasmer::sys::Singlepass::new();
    compiler.canonicalize_nans(true);
    push(&mut compiler);
    let store = Store::new(compiler);
    wasmer::Module::new(&store, wasm)
        .unwrap()
        .serialize()
        .unwrap()
        .to_vec()
}

#[test]
fn one_stage_compiles_exactly_what_two_stages_compile() {
    use std::sync::Arc;
    // Calls, a leaf, loops, branches to the function label, early returns,
    // an indirect call and a multi-value function: every path the limiter
    // instruments, under both metering rules.
    let wasm = wat::parse_str(
        r#"(module
          (type $pair (func (result i32 i64)))
          (table 1 funcref) (elem (i32.const 0) $leaf)
          (func $leaf (param i32) (result i32) local.get 0 i32.const 1 i32.add)
          (func $pair (type $pair) i32.const 1 i64.const 2)
          (func $walk (param i32) (result i32) (local i64)
            block loop
              local.get 0 i32.eqz br_if 1
              local.get 0 call $leaf drop
              local.get 0 i32.const 1 i32.sub local.set 0
              local.get 0 i32.const 7 i32.eq if i32.const 7 return end
              br 0 end end
            call $pair drop drop
            i32.const 0 i32.const 0 call_indirect (param i32) (result i32)
            local.get 0 br_if 0)
          (func (export "main") (result i32) i32.const 9 call $walk))"#,
    )
    .unwrap();
    fn both<T: cw_gas::CostTable>(wasm: &[u8], table: T) {
        use wasmer::sys::CompilerConfig;
        let limiter = || Arc::new(StackLimiter::new(wasm, DEFAULT_STACK_LIMIT_BYTES).unwrap());
        let two = artifact(wasm, |c| {
            c.push_middleware(Arc::new(middleware::Metering::new(table.clone())));
            c.push_middleware(limiter());
        });
        let one = artifact(wasm, |c| {
            middleware::push_middlewares(
                c,
                Arc::new(middleware::Metering::new(table.clone())),
                Some(limiter()),
            );
        });
        assert!(two == one, "the fused stage must emit the same code");
        // The comparison sees order: the limiter first (metering its code)
        // compiles to something else.
        let reversed = artifact(wasm, |c| {
            c.push_middleware(limiter());
            c.push_middleware(Arc::new(middleware::Metering::new(table.clone())));
        });
        assert!(reversed != one, "the stage order must show in the code");
        let no_limit = artifact(wasm, |c| {
            middleware::push_middlewares(c, Arc::new(middleware::Metering::new(table)), None);
        });
        assert!(no_limit != one, "the limiter must change the code");
    }
    both(&wasm, CosmWasmSchedule::default());
    both(&wasm, NearSchedule::default());
}

/// Issue 20: an exported function that calls nothing, with a frame far
/// beyond the limit (140,000 operand values: 64 + 8 * 140,002 bytes). The
/// host calls it directly, so no Wasm caller reserves its frame: it must be
/// refused by the limit on entry, on both compilers, with the same gas.
/// Before, it ran unchecked: Singlepass overflowed the native stack (as
/// cosmwasm-vm does) while Cranelift, with its registers, ran it.
#[test]
fn an_exported_leaf_with_a_huge_frame_is_refused_on_every_compiler() {
    use cw_gas::GasQuantity;
    let values = 140_000;
    let wat = format!(
        "(module (func (export \"main\") {} {}))",
        "i32.const 1 ".repeat(values),
        "drop ".repeat(values)
    );
    let wasm = wat::parse_str(&wat).unwrap();
    let mut outcomes = Vec::new();
    // A limit below the frame (1.1 MB): any limit works, what matters is
    // that the host-called leaf is checked against it.
    let limit = 262_144;
    for compiler in [
        crate::engines::Compiler::Singlepass,
        crate::engines::Compiler::Cranelift,
    ] {
        let limiter = StackLimiter::new(&wasm, limit).unwrap();
        assert_eq!(limiter.is_instrumented(0), Some(true));
        let mut engine =
            crate::engines::engine_with(compiler, CosmWasmSchedule::default(), Some(limiter));
        wasmer::sys::NativeEngineExt::set_tunables(&mut engine, crate::NativeStack::new());
        let mut store = Store::new(engine);
        let module = wasmer::Module::new(&store, &wasm).unwrap();
        let instance = Instance::new(&mut store, &module, &wasmer::imports! {}).unwrap();
        middleware::set_remaining_points(&mut store, &instance, CwGas::new(1 << 40)).unwrap();
        let result = instance
            .exports
            .get_function("main")
            .unwrap()
            .call(&mut store, &[]);
        assert!(result.is_err(), "{compiler:?} ran the frame");
        let cause = middleware::classify_trap(&mut store, &instance);
        let left = match middleware::remaining_points::<CwGas>(&mut store, &instance).unwrap() {
            middleware::MeteringPoints::Remaining(left) => left.to_u64(),
            middleware::MeteringPoints::Exhausted => 0,
        };
        outcomes.push((cause, left));
    }
    assert_eq!(outcomes[0].0, TrapCause::StackLimit);
    assert_eq!(outcomes[0], outcomes[1], "Singlepass vs Cranelift");
}
