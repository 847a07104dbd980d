//! Item 1: infinite loops end out of gas, at exactly the limit, every run.

use cw_host::{EntryPoint, VmFailure};

use crate::harness::{GAS_LIMIT, Hostile, report, thread_cpu_time};

const RUNS: usize = 5;

/// Runs `msg` [`RUNS`] times at the default limit; each must end out of gas
/// with exactly the limit used, storage unchanged. Returns the wall and
/// thread CPU times in milliseconds.
fn loop_until_out_of_gas(h: &mut Hostile, entry: EntryPoint, msg: &[u8]) -> Vec<(u128, u128)> {
    let before = crate::harness::dump(&h.store);
    let mut times = Vec::new();
    for run in 0..RUNS {
        let backend = h.backend(entry);
        let cpu = thread_cpu_time();
        let (outcome, elapsed) = h.call_with(entry, msg, backend);
        let cpu = thread_cpu_time() - cpu;
        assert_eq!(outcome.result, Err(VmFailure::OutOfGas), "run {run}");
        assert_eq!(outcome.gas_used, GAS_LIMIT, "run {run}");
        assert_eq!(crate::harness::dump(&h.store), before, "run {run}");
        times.push((elapsed.as_millis(), cpu.as_millis()));
    }
    h.assert_recovers();
    times
}

#[test]
fn the_probe_loop_runs_out_of_gas_at_the_limit() {
    let mut h = Hostile::probe();
    crate::harness::put(&h.store, b"k", b"v");
    for (entry, name) in [
        (EntryPoint::Execute, "execute"),
        (EntryPoint::Query, "query"),
    ] {
        let times = loop_until_out_of_gas(&mut h, entry, br#"{"loop":{}}"#);
        println!(
            "HOSTILE-TIME | 1 | probe loop ({name}) | {GAS_LIMIT} gas | (wall, cpu) ms {times:?}"
        );
        report(1, &format!("probe loop ({name})"), "OutOfGas", GAS_LIMIT);
    }
}

/// The tightest loop there is (`loop br 0`): one accounting operator per
/// iteration, so the most iterations per unit of gas.
#[test]
fn a_bare_wasm_loop_runs_out_of_gas_at_the_limit() {
    let code = crate::abi::module_with_execute("(loop $forever (br $forever)) (i32.const 0)");
    let mut h = Hostile::wat(code, crate::abi::OK_TEXT);
    let times = loop_until_out_of_gas(&mut h, EntryPoint::Execute, b"{}");
    println!("HOSTILE-TIME | 1 | bare loop | {GAS_LIMIT} gas | (wall, cpu) ms {times:?}");
    report(1, "bare `loop br` (execute)", "OutOfGas", GAS_LIMIT);
}

/// A loop that calls the cheapest import each iteration: gas runs out in
/// the host's charge instead of an operator's, and must stop at the limit
/// just the same.
#[test]
fn a_loop_of_import_calls_runs_out_of_gas_at_the_limit() {
    let code = crate::abi::module_with_execute(&format!(
        "(loop $forever (drop (call $db_read (i32.const {}))) (br $forever)) (i32.const 0)",
        crate::abi::region::KEY
    ));
    let mut h = Hostile::wat(code, crate::abi::OK_TEXT);
    let times = loop_until_out_of_gas(&mut h, EntryPoint::Execute, b"{}");
    println!("HOSTILE-TIME | 1 | db_read loop | {GAS_LIMIT} gas | (wall, cpu) ms {times:?}");
    report(
        1,
        "loop of `db_read` calls (execute)",
        "OutOfGas",
        GAS_LIMIT,
    );
}
