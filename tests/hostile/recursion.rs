//! Item 3: unbounded recursion ends at the same depth on every run, never
//! with the host's own stack guard: bare Wasm recursion with the
//! deterministic stack-limit error (cw-gas's limiter, 12 MiB of counted
//! frames, calibrated in `stack_calibration.rs`), and a compiled Rust
//! contract such as the probe when its own stack in linear memory (1 MiB,
//! below 0 it wraps to an address past the memory) runs out first: an
//! out-of-bounds trap, as deterministic as the limit.

use cw_host::{EntryPoint, VmFailure};

use crate::abi;
use crate::harness::{GAS_LIMIT, Hostile, report};

const RUNS: usize = 20;

fn recurse(depth: u32) -> Vec<u8> {
    format!(r#"{{"recurse":{{"depth":{depth}}}}}"#).into_bytes()
}

/// The deepest `recurse{depth}` that returns, by binary search: every depth
/// up to it returns `depth`, every depth above fails.
fn deepest_returning(h: &mut Hostile) -> u32 {
    let (mut ok, mut fails) = (0_u32, 1_u32 << 20);
    assert!(h.call(EntryPoint::Execute, &recurse(fails)).result.is_err());
    while fails - ok > 1 {
        let mid = ok + (fails - ok) / 2;
        match h.call(EntryPoint::Execute, &recurse(mid)).result {
            Ok(_) => ok = mid,
            Err(failure) => {
                assert_eq!(failure, probe_stack_exhausted(), "depth {mid}");
                fails = mid;
            }
        }
    }
    ok
}

/// How the probe's recursion ends: its Rust stack in linear memory runs out
/// before the deterministic limit (the probe keeps its frames there).
fn probe_stack_exhausted() -> VmFailure {
    VmFailure::Trap {
        message: "out of bounds memory access".into(),
    }
}

#[test]
fn the_probe_exhausts_its_own_stack_at_the_same_depth_every_run() {
    let mut h = Hostile::probe();
    crate::harness::put(&h.store, b"k", b"v");
    let depth = deepest_returning(&mut h);
    assert!(depth > 100, "a useful depth remains: {depth}");
    let mut ok_gas = None;
    for run in 0..RUNS {
        let outcome = h.call(EntryPoint::Execute, &recurse(depth));
        let bytes = outcome
            .result
            .unwrap_or_else(|e| panic!("run {run}: depth {depth}: {e}"));
        assert!(bytes.starts_with(br#"{"ok":"#), "run {run}");
        assert_eq!(
            *ok_gas.get_or_insert(outcome.gas_used),
            outcome.gas_used,
            "run {run}"
        );
    }
    let gas = h.assert_fails(
        EntryPoint::Execute,
        &recurse(depth + 1),
        &probe_stack_exhausted(),
        RUNS,
    );
    assert!(gas < GAS_LIMIT, "stopped by the stack, not by gas");
    println!(
        "HOSTILE-DEPTH | 3 | probe recurse | deepest returning depth {depth} | gas at depth {depth}: {} |",
        ok_gas.unwrap()
    );
    report(
        3,
        &format!(
            "probe `recurse` depth {} (deepest that returns: {depth})",
            depth + 1
        ),
        "Trap(out of bounds memory access): the probe's own stack",
        gas,
    );

    // Far deeper fails the same way (the gas differs only by parsing the
    // longer number).
    let deep = h.assert_fails(
        EntryPoint::Execute,
        &recurse(10_000_000),
        &probe_stack_exhausted(),
        2,
    );
    assert!(deep < GAS_LIMIT);
    report(
        3,
        "probe `recurse` depth 10,000,000",
        "Trap(out of bounds memory access): the probe's own stack",
        deep,
    );
}

#[test]
fn bare_wasm_recursion_hits_the_stack_limit() {
    // Without locals (smallest frames, most calls) and with 99 i64 locals
    // (the largest frames validation allows).
    let locals = "(local i64) ".repeat(99);
    for (case, frame) in [("no locals", ""), ("99 i64 locals", locals.as_str())] {
        let code = abi::module_with_execute_and(
            "(call $down) (i32.const 0)",
            &format!("(func $down {frame} (call $down))"),
        );
        let mut h = Hostile::wat(code, abi::OK_TEXT);
        let gas = h.assert_fails(EntryPoint::Execute, b"{}", &VmFailure::StackLimit, 3);
        assert!(gas < GAS_LIMIT);
        report(
            3,
            &format!("bare `call $self` recursion, {case}"),
            "StackLimit",
            gas,
        );
    }
}

/// Mutual recursion through `call_indirect` is counted the same way.
#[test]
fn indirect_recursion_hits_the_stack_limit() {
    let code = abi::module_with_execute_and(
        "(call $a) (i32.const 0)",
        r#"(type $void (func))
           (table 2 2 funcref)
           (elem (i32.const 0) $a $b)
           (func $a (call_indirect (type $void) (i32.const 1)))
           (func $b (call_indirect (type $void) (i32.const 0)))"#,
    );
    let mut h = Hostile::wat(code, abi::OK_TEXT);
    let gas = h.assert_fails(EntryPoint::Execute, b"{}", &VmFailure::StackLimit, 3);
    report(
        3,
        "mutual recursion through call_indirect",
        "StackLimit",
        gas,
    );
}
