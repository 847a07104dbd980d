//! Where preparing a code for wasmi spends its time, natively:
//! `cargo run --release -p cw-wasmi --example prepare_cost -- FILE.wasm`.
use std::time::Instant;

use cw_gas::CosmWasmSchedule;
use cw_gas::instrument::{self, DEFAULT_STACK_LIMIT_BYTES};

fn time<R>(what: &str, rounds: u32, f: impl Fn() -> R) -> R {
    let start = Instant::now();
    let mut out = f();
    for _ in 1..rounds {
        out = f();
    }
    println!(
        "{what:<40} {:>8.2} ms",
        start.elapsed().as_secs_f64() * 1e3 / f64::from(rounds)
    );
    out
}

fn main() {
    let path = std::env::args().nth(1).expect("a .wasm file");
    // `instrument-only ROUNDS`: only the instrumentation, for a profiler.
    if std::env::args().nth(2).as_deref() == Some("instrument-only") {
        let wasm = std::fs::read(&path).expect("readable");
        let rounds: u32 = std::env::args()
            .nth(3)
            .map_or(50, |r| r.parse().expect("rounds"));
        time("instrument", rounds, || {
            instrument::instrument(
                &wasm,
                &CosmWasmSchedule::default(),
                Some(DEFAULT_STACK_LIMIT_BYTES),
            )
            .unwrap()
        });
        return;
    }
    let wasm = std::fs::read(&path).expect("readable");
    let table = CosmWasmSchedule::default();
    println!("{path}: {} bytes", wasm.len());
    time("cw-validate (chain rules)", 10, || {
        cw_validate::validate(&wasm, &cw_validate::ValidationConfig::default()).unwrap()
    });
    let instrumented = time("instrument (validates again, rewrites)", 10, || {
        instrument::instrument(&wasm, &table, Some(DEFAULT_STACK_LIMIT_BYTES)).unwrap()
    });
    time("validate_wasm (instrumented)", 10, || {
        cw_validate::validate_wasm(&instrumented).unwrap()
    });
    println!("instrumented: {} bytes", instrumented.len());
    let prepared =
        cw_wasmi::PreparedCode::prepare(&wasm, &table, &cw_wasmi::ModuleOptions::default())
            .unwrap();
    time("from_prepared (lazy parse, per call)", 10, || {
        cw_wasmi::WasmiModule::from_prepared(&prepared, &table, cw_wasmi::ModuleOptions::default())
            .unwrap()
    });
}
