//! Generated contracts on both engines: cw-oracle's `ContractCase`s
//! (contract-shaped modules calling storage, iterators, queries, crypto
//! and addresses, with wasm-smith-drawn functions, loops, recursion,
//! memory growth and imports called from `allocate`) drawn by proptest,
//! every call compared (result or failure, gas per category, storage) at
//! the drawn gas limit: a fixed limit, a fraction of what the call uses,
//! or exactly what it uses plus or minus a few units.

use cw_gas::CosmWasmSchedule;
use cw_host::EntryPoint;
use cw_oracle::ContractCase;
use cw_oracle::contract::Gas;
use proptest::prelude::*;

use crate::harness::{Engines, SENDER, Settings};

/// The most CosmWasm gas a generated call may use (cw-oracle's fuzz
/// target uses the same order).
const MAX_GAS: u64 = 20_000_000_000;

fn run(data: &[u8]) -> Result<usize, TestCaseError> {
    let Ok(case) = ContractCase::arbitrary(&mut arbitrary::Unstructured::new(data), MAX_GAS) else {
        return Ok(0);
    };
    let wasm = case.program.to_wasm();
    let settings = Settings {
        memory_limit_bytes: 16 << 20,
        ..Settings::default()
    };
    let Ok(mut engines) = Engines::try_new(&wasm, CosmWasmSchedule::default(), settings) else {
        return Ok(0);
    };
    for (key, value) in &case.stored {
        engines.put(key, value);
    }
    for spec in &case.calls {
        let msg = String::from_utf8_lossy(&spec.msg).into_owned();
        let mut used = || {
            let mut probe = engines_used(&mut engines, spec.entry, &msg);
            probe.pop().map_or(0, |o| o.used)
        };
        let limit = match spec.gas {
            Gas::Limit(limit) => limit.min(MAX_GAS),
            Gas::Fraction(parts) => {
                u64::try_from(u128::from(used()) * u128::from(parts) / 65_536).unwrap_or(MAX_GAS)
            }
            Gas::Exact(delta) => used().saturating_add_signed(i64::from(delta)),
        };
        engines.call(spec.entry, SENDER, &msg, limit);
    }
    Ok(engines.calls)
}

fn engines_used(
    engines: &mut Engines<CosmWasmSchedule>,
    entry: EntryPoint,
    msg: &str,
) -> Vec<crate::harness::Outcome> {
    engines.call_at_limits(entry, SENDER, msg, &[MAX_GAS])
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 96,
        failure_persistence: None,
        .. ProptestConfig::default()
    })]

    #[test]
    fn generated_contracts_run_alike(data in proptest::collection::vec(any::<u8>(), 1024..6144)) {
        run(&data)?;
    }
}

/// The generator reaches real calls (a test that compared nothing would
/// pass): a fixed set of seeds must make at least this many calls run on
/// both engines (80 calls from these 24 seeds when written).
#[test]
fn the_generator_reaches_calls() {
    let mut calls = 0;
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    for _ in 0..24 {
        let data: Vec<u8> = (0..4096)
            .map(|_| {
                // xorshift64: a fixed, dependency-free byte stream.
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                state.to_le_bytes()[0]
            })
            .collect();
        calls += run(&data).unwrap();
    }
    assert!(calls >= 60, "only {calls} calls compared");
}
