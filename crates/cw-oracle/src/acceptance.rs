//! Whether a module is accepted for storing on a chain, on both sides: this
//! runtime's static validation followed by its compile, against
//! cosmwasm-vm's `check_wasm` (with the capabilities this runtime offers)
//! followed by its compile, where cosmwasm-vm's gatekeeper runs. The
//! `validate` fuzz target and the generated-contract differential both ask
//! it.

use std::collections::HashSet;

use cosmwasm_vm::internals::{Logger, check_wasm, compile_module};
use cosmwasm_vm::{WasmLimits, capabilities_from_csv};
use cw_runtime::validate::DEFAULT_CAPABILITIES;
use cw_runtime::{CompileConfig, ValidationConfig};

use crate::ours::Schedule;

/// This runtime's validation as a chain applies it, minus the upload size
/// limit, which wasmd applies and cosmwasm-vm does not.
pub fn validation_config() -> ValidationConfig {
    ValidationConfig {
        max_module_bytes: usize::MAX,
        ..ValidationConfig::default()
    }
}

/// Whether this runtime stores `wasm`: `Err` with its refusal.
///
/// # Errors
/// The validation or compile error, as text.
pub fn ours_accepts(wasm: &[u8]) -> Result<(), String> {
    let config = CompileConfig::<Schedule> {
        validation: validation_config(),
        ..crate::ours::compile_config()
    };
    cw_runtime::compile(wasm, &config)
        .map(drop)
        .map_err(|e| e.to_string())
}

/// Whether cosmwasm-vm 3.0.11 stores `wasm` on a chain offering this
/// runtime's capabilities: `check_wasm`, then a compile.
///
/// # Errors
/// cosmwasm-vm's refusal, as text.
pub fn reference_accepts(wasm: &[u8]) -> Result<(), String> {
    reference_check(wasm)?;
    compile_module(wasm, None)
        .map(drop)
        .map_err(|e| e.to_string())
}

/// cosmwasm-vm's static validation alone (`check_wasm` with this
/// runtime's capabilities), for a caller that compiles anyway.
///
/// # Errors
/// cosmwasm-vm's refusal, as text.
pub fn reference_check(wasm: &[u8]) -> Result<(), String> {
    let capabilities: HashSet<String> = capabilities_from_csv(&DEFAULT_CAPABILITIES.join(","));
    check_wasm(wasm, &capabilities, &WasmLimits::default(), Logger::Off).map_err(|e| e.to_string())
}

/// Both verdicts on `wasm`: `Ok(true)` when both accept it, `Ok(false)` when
/// both refuse it.
///
/// # Errors
/// The two disagree; the text says who refused and why.
pub fn compare(wasm: &[u8]) -> Result<bool, String> {
    match (ours_accepts(wasm), reference_accepts(wasm)) {
        (Ok(()), Ok(())) => Ok(true),
        (Err(_), Err(_)) => Ok(false),
        (Ok(()), Err(theirs)) => Err(format!("we accept a module cosmwasm-vm refuses ({theirs})")),
        (Err(ours), Ok(())) => Err(format!("we refuse a module cosmwasm-vm accepts ({ours})")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_minimal_contract_is_accepted_and_a_float_free_one_with_simd_is_not() {
        let minimal = wat::parse_str(
            r#"(module (memory (export "memory") 1)
                 (func (export "allocate") (param i32) (result i32) i32.const 0)
                 (func (export "deallocate") (param i32))
                 (func (export "interface_version_8")))"#,
        )
        .unwrap();
        assert_eq!(compare(&minimal), Ok(true));
        let simd = wat::parse_str(
            r#"(module (memory (export "memory") 1)
                 (func (export "allocate") (param i32) (result i32) i32.const 0)
                 (func (export "deallocate") (param i32))
                 (func (export "interface_version_8"))
                 (func (result v128) v128.const i64x2 0 0))"#,
        )
        .unwrap();
        assert_eq!(compare(&simd), Ok(false));
        assert_eq!(compare(b"\0asm"), Ok(false));
    }
}
