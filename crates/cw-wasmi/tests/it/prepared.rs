//! The proof obligation of `WasmiModule::from_prepared`, which has wasmi
//! parse a module without validating it (`Module::new_unchecked`): every
//! `PreparedCode` must be valid Wasm for wasmi itself, and code that is not
//! must never become one.
//!
//! - wasmi's own wasmparser (0.228, the version it parses with), under the
//!   chain's features (a subset of wasmi's defaults), validates every prepared module of the
//!   fixtures, under both schedules, and of generated contracts: the two
//!   wasmparser versions agree where our safety argument needs them to.
//! - Code using a proposal outside the chain's features (bulk memory, tail
//!   calls, SIMD, multi-memory, extended constants) passes the
//!   instrumentation's own parse (which reads every proposal) but is
//!   refused by `prepare`'s validation of the instrumented bytes, so it
//!   never reaches the unchecked parse; so is code with a type error.
//! - Validating and preparing in one reading, what a store does, gives
//!   validation's own refusals and `prepare`'s own bytes.

use cw_gas::{CosmWasmSchedule, CostTable, NearSchedule};
use cw_oracle::ContractCase;
use cw_validate::ValidationConfig;
use cw_wasmi::{ModuleOptions, PreparedCode, WasmiError, WasmiModule};
use proptest::prelude::*;
use wasmparser_wasmi::{Validator, WasmFeatures};

/// The chain's features (cw-validate's), in wasmi's wasmparser's terms.
fn chain_features() -> WasmFeatures {
    WasmFeatures::MUTABLE_GLOBAL
        | WasmFeatures::SATURATING_FLOAT_TO_INT
        | WasmFeatures::SIGN_EXTENSION
        | WasmFeatures::MULTI_VALUE
        | WasmFeatures::FLOATS
        | WasmFeatures::REFERENCE_TYPES
}

fn wasmi_validates(bytes: &[u8]) -> Result<(), String> {
    Validator::new_with_features(chain_features())
        .validate_all(bytes)
        .map(|_| ())
        .map_err(|e| e.to_string())
}

fn prepared_is_valid_for_wasmi<T: CostTable>(wasm: &[u8], table: &T, what: &str) {
    for options in [
        ModuleOptions::default(),
        ModuleOptions {
            stack_limit_bytes: None,
        },
    ] {
        let prepared = PreparedCode::prepare(wasm, table, &options)
            .unwrap_or_else(|e| panic!("{what}: prepare: {e}"));
        if let Err(e) = wasmi_validates(prepared.as_bytes()) {
            panic!("{what}: wasmi's wasmparser refuses a prepared module: {e}");
        }
        WasmiModule::from_prepared(&prepared, table, options)
            .unwrap_or_else(|e| panic!("{what}: wasmi refuses a prepared module: {e}"));
    }
}

#[test]
fn every_prepared_fixture_is_valid_wasm_for_wasmi() {
    for fixture in tests::FIXTURES.iter().map(|f| f.name) {
        let wasm = tests::fixture_bytes(fixture);
        prepared_is_valid_for_wasmi(&wasm, &CosmWasmSchedule::default(), fixture);
        prepared_is_valid_for_wasmi(&wasm, &NearSchedule::default(), fixture);
        one_pass_is_validate_then_prepare(&wasm, fixture);
    }
}

/// The rewrite copies a body's own operators instead of encoding them
/// again, and encodes minimally only what it inserts and the operands a
/// linker pads; for linked code the result is what a full re-encoding
/// gives: every prepared fixture's bodies, read back and encoded by
/// wasm-encoder operator by operator, are the same bytes. So the module a
/// chain keeps and reads on every call is no larger than a re-encoding
/// would make it.
#[test]
fn prepared_fixtures_are_encoded_minimally() {
    use wasm_encoder::Encode;
    use wasm_encoder::reencode::{Reencode, RoundtripReencoder};
    use wasmparser::{Parser, Payload};

    let table = CosmWasmSchedule::default();
    for fixture in tests::FIXTURES.iter().map(|f| f.name) {
        let wasm = tests::fixture_bytes(fixture);
        let prepared = PreparedCode::prepare(&wasm, &table, &ModuleOptions::default())
            .unwrap_or_else(|e| panic!("{fixture}: prepare: {e}"));
        let bytes = prepared.as_bytes();
        let mut bodies = 0;
        for payload in Parser::new(0).parse_all(bytes) {
            let Payload::CodeSectionEntry(body) = payload.expect("a prepared module parses") else {
                continue;
            };
            let mut operators = body.get_operators_reader().expect("operators");
            let start = usize::try_from(operators.original_position()).expect("offset");
            let end = usize::try_from(body.range().end).expect("offset");
            let mut encoded = Vec::with_capacity(end - start);
            while !operators.eof() {
                let operator = operators.read().expect("an operator");
                RoundtripReencoder
                    .instruction(operator)
                    .expect("re-encodes")
                    .encode(&mut encoded);
            }
            assert!(
                bytes[start..end] == encoded[..],
                "{fixture}: a prepared body is not encoded as a re-encoding would"
            );
            bodies += 1;
        }
        assert!(bodies > 0, "{fixture}: no bodies");
    }
}

/// Storing a code validates and prepares it in one reading
/// (`validate_and_prepare`, the stack analysis built during validation):
/// the same module info, the same prepared bytes and the same refusal, error
/// for error, as `cw_validate::validate` and then `prepare`.
fn one_pass_is_validate_then_prepare(wasm: &[u8], what: &str) {
    let config = ValidationConfig::default();
    let table = CosmWasmSchedule::default();
    for options in [
        ModuleOptions::default(),
        ModuleOptions {
            stack_limit_bytes: None,
        },
    ] {
        let one_pass = PreparedCode::validate_and_prepare(wasm, &config, &table, &options);
        match cw_validate::validate(wasm, &config) {
            Err(expected) => match one_pass {
                Err(WasmiError::Validation(e)) => assert_eq!(e, expected, "{what}"),
                Err(other) => panic!("{what}: refused for another reason: {other}"),
                Ok(_) => panic!("{what}: one pass accepted what validation refuses"),
            },
            Ok(info) => {
                let (one_pass_info, prepared) =
                    one_pass.unwrap_or_else(|e| panic!("{what}: one pass refused: {e}"));
                assert_eq!(one_pass_info, info, "{what}");
                let separate = PreparedCode::prepare(wasm, &table, &options)
                    .unwrap_or_else(|e| panic!("{what}: prepare: {e}"));
                assert!(prepared == separate, "{what}: the prepared bytes differ");
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn every_prepared_generated_contract_is_valid_wasm_for_wasmi(
        data in proptest::collection::vec(any::<u8>(), 1024..6144)
    ) {
        let Ok(case) = ContractCase::arbitrary(&mut arbitrary::Unstructured::new(&data), 1 << 30)
        else {
            return Ok(());
        };
        let wasm = case.program.to_wasm();
        one_pass_is_validate_then_prepare(&wasm, "generated");
        if cw_validate::validate(&wasm, &ValidationConfig::default()).is_err() {
            return Ok(());
        }
        prepared_is_valid_for_wasmi(&wasm, &CosmWasmSchedule::default(), "generated");
    }
}

/// A module exporting `run` with `body` (and `extra` module fields), which
/// every proposal-reading parser accepts.
fn module(extra: &str, body: &str) -> Vec<u8> {
    wat::parse_str(format!(
        r#"(module
             (memory 1)
             {extra}
             (func (export "run") {body}))"#
    ))
    .expect("the attack modules are valid text")
}

fn refused(wasm: &[u8], what: &str) {
    let table = CosmWasmSchedule::default();
    match PreparedCode::prepare(wasm, &table, &ModuleOptions::default()) {
        Err(WasmiError::Validation(_) | WasmiError::Instrument(_)) => {}
        Err(other) => panic!("{what}: refused for another reason: {other}"),
        Ok(_) => panic!("{what}: became a PreparedCode, which wasmi would parse unchecked"),
    }
    assert!(
        WasmiModule::new(wasm, &table, ModuleOptions::default()).is_err(),
        "{what}: WasmiModule::new accepted it"
    );
}

#[test]
fn code_outside_the_chains_features_never_becomes_prepared_code() {
    let cases = [
        (
            "bulk memory",
            module("", "i32.const 0 i32.const 0 i32.const 1 memory.fill"),
        ),
        ("tail call", module("(func $f)", "return_call $f")),
        ("simd", module("", "v128.const i64x2 0 0 drop")),
        ("multi-memory", module("(memory 1)", "")),
        (
            "extended const",
            module("(global i32 (i32.add (i32.const 1) (i32.const 2)))", ""),
        ),
    ];
    for (what, wasm) in &cases {
        refused(wasm, what);
        one_pass_is_validate_then_prepare(wasm, what);
    }
}

#[test]
fn code_with_a_type_error_never_becomes_prepared_code() {
    // Valid text that the binary validator must refuse: `i64.add` on i32s.
    let wasm = module("", "i32.const 1 i32.const 2 i64.add drop");
    refused(&wasm, "a type error");
    // A body cut short.
    let mut cut = module("", "i32.const 1 drop");
    let end = cut.len();
    cut.truncate(end - 2);
    refused(&cut, "a truncated body");
}
