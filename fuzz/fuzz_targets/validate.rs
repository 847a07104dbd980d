//! Static validation on arbitrary bytes: `cw_runtime::validate` never
//! panics and is deterministic, and a module is stored exactly when
//! cosmwasm-vm 3.0.11 stores it: our validation and compile accept it if and
//! only if cosmwasm-vm's `check_wasm` (with the capabilities this runtime
//! offers) and its compile do (`cw_oracle::acceptance`). So whatever we
//! accept also compiles (the compiler is never the first to notice a bad
//! module).
//!
//! Seed the corpus with real contracts for depth, e.g.
//! `cp target/fixtures/wasm/*.wasm fuzz/corpus/validate/`.
#![no_main]

use cw_runtime::validate;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|wasm: &[u8]| {
    let config = cw_oracle::acceptance::validation_config();
    let first = validate(wasm, &config);
    assert_eq!(
        validate(wasm, &config),
        first,
        "validation is not deterministic"
    );
    if let Err(disagreement) = cw_oracle::acceptance::compare(wasm) {
        panic!("{disagreement}");
    }
});
