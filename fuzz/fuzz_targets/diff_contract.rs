//! The contract differential (issue 21, the standing oracle): a contract
//! drawn from the input (`cw_oracle::ContractCase::arbitrary`: a module that
//! calls every `env` import with real, broken and borrowed regions, loops,
//! recurses, loads, stores and grows memory, runs wasm-smith code, and the
//! calls made to it with gas limits from plenty down to a fraction of what
//! the call needs), run call by call on cosmwasm-vm, on a new instance of
//! ours and on one instance of ours reset between calls. Every call must
//! give the same result bytes or kind of failure, the same gas and the same
//! storage; a module must be stored by both or by neither.
//!
//! The oracle is `cw_oracle::ContractDiff`; this file only feeds it.
#![no_main]

use libfuzzer_sys::fuzz_target;

/// Gas of a call with "plenty": room for several crypto imports.
const MAX_GAS: u64 = 10_000_000_000;

fuzz_target!(|input: &[u8]| {
    if let Err(divergence) = cw_oracle::ContractDiff::new(MAX_GAS).run_bytes(input) {
        panic!("{divergence}");
    }
});
