//! Static validation (`cw_runtime::validate`) on arbitrary bytes: never
//! panics, is deterministic, and whatever it accepts compiles (the compiler
//! is never the first to notice a bad module).
//!
//! Seed the corpus with real contracts for depth, e.g.
//! `cp target/fixtures/wasm/*.wasm fuzz/corpus/validate/`.
#![no_main]

use std::sync::OnceLock;

use cw_gas::CosmWasmSchedule;
use cw_runtime::{CompileConfig, ValidationConfig, compile, validate};
use libfuzzer_sys::fuzz_target;

fn config() -> &'static CompileConfig<CosmWasmSchedule> {
    static CONFIG: OnceLock<CompileConfig<CosmWasmSchedule>> = OnceLock::new();
    CONFIG.get_or_init(|| CompileConfig {
        table: CosmWasmSchedule::default(),
        stack_limit_bytes: Some(cw_gas::middleware::DEFAULT_STACK_LIMIT_BYTES),
        validation: ValidationConfig::default(),
    })
}

fuzz_target!(|wasm: &[u8]| {
    let first = validate(wasm, &config().validation);
    assert_eq!(
        validate(wasm, &config().validation),
        first,
        "validation is not deterministic"
    );
    if first.is_ok()
        && let Err(e) = compile(wasm, config())
    {
        panic!("validation accepted a module the compiler refuses: {e}");
    }
});
