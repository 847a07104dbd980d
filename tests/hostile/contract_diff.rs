//! Issue 21, the standing oracle, in the test suite: a few hundred
//! generated contracts (`cw_oracle::contract`: modules that call every
//! import with real, broken and borrowed regions, loop, recurse, touch
//! memory, and run wasm-smith code) run call by call on cosmwasm-vm 3.0.11,
//! on a new instance of ours and on one instance of ours reset between
//! calls. Every call must give the same result bytes or kind of failure,
//! the same gas and the same storage on all three (`cw_oracle::ContractDiff`).
//! The fuzz target `diff_contract` runs the same oracle on fuzzer input.
//!
//! The inputs come from a fixed xorshift seed, so a failure here fails the
//! same way on every run; its message holds the whole case.

use cw_oracle::{ContractDiff, Verdict};

/// Cases drawn; with [`MAX_GAS`] this keeps the test to seconds in a debug
/// build.
const CASES: usize = 300;

/// Gas cap of every call: enough for a few of the dearest imports
/// (a BLS pairing costs 2.1·10⁹, hashing to G2 0.87·10⁹) or thousands of
/// cheap ones; a runaway loop still ends within a second in a debug build.
const MAX_GAS: u64 = 5_000_000_000;

/// Bytes of fuzz input per case (wasm-smith takes up to 600 of them).
const INPUT_BYTES: usize = 2_048;

fn inputs() -> impl Iterator<Item = Vec<u8>> {
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    std::iter::repeat_with(move || {
        (0..INPUT_BYTES)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                (state >> 24) as u8
            })
            .collect()
    })
}

#[test]
fn drawn_contracts_agree_with_the_reference() {
    let diff = ContractDiff::new(MAX_GAS);
    let (mut calls, mut failed, mut refused, mut known) = (0, 0, 0, Vec::new());
    for input in inputs().take(CASES) {
        match diff.run_bytes(&input).unwrap_or_else(|e| panic!("{e}")) {
            Some(Verdict::Agreed(outcomes)) => {
                calls += outcomes.len();
                failed += outcomes.iter().filter(|o| o.result.is_err()).count();
            }
            Some(Verdict::Refused) => refused += 1,
            Some(Verdict::Known(what)) => known.push(what),
            None => {}
        }
    }
    eprintln!(
        "contract differential: {calls} calls agreed ({failed} of them failures), \
         {refused} modules refused by both, {} cases ended at a known difference",
        known.len()
    );
    // The generator must reach both outcomes, and most cases must run.
    assert!(calls >= CASES, "only {calls} calls compared");
    assert!(
        failed > calls / 10 && failed < calls * 9 / 10,
        "{failed} of {calls} failed"
    );
    assert!(
        refused + known.len() < CASES / 4,
        "{refused} refused, {known:?}"
    );
}
