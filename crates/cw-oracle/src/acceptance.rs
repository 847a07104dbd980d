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
    reference_compile(wasm)
}

/// cosmwasm-vm's compile, with a panic taken as a refusal: wasmvm catches a
/// panic in `store_code` and the chain refuses the code (Wasmer's
/// Singlepass panics on a module name holding a NUL byte). The panic hook
/// is silenced meanwhile (process-wide: a panic elsewhere in that window
/// loses its message, not its effect).
fn reference_compile(wasm: &[u8]) -> Result<(), String> {
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let compiled = std::panic::catch_unwind(|| compile_module(wasm, None).map(drop));
    std::panic::set_hook(hook);
    match compiled {
        Ok(result) => result.map_err(|e| e.to_string()),
        Err(_) => Err("cosmwasm-vm panicked compiling it (wasmvm refuses the code)".to_owned()),
    }
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

    /// Found by the `validate` fuzz target: a module whose name section
    /// names the module with a NUL byte makes cosmwasm-vm's compiler panic,
    /// so a chain refuses it; it must be refused here too. A NUL in a
    /// function's name does no harm on either side.
    #[test]
    fn a_module_name_that_is_empty_or_holds_a_nul_byte_is_refused_as_the_reference_cannot_compile_it()
     {
        let contract = |names: &str| {
            wat::parse_str(format!(
                r#"(module {names} (memory (export "memory") 1)
                     (func (export "allocate") (param i32) (result i32) i32.const 0)
                     (func (export "deallocate") (param i32))
                     (func (export "interface_version_8")))"#
            ))
            .unwrap()
        };
        let nul_module = contract(r#"(@custom "name" "\00\04\03\01\00s")"#);
        assert!(reference_accepts(&nul_module).is_err());
        assert_eq!(compare(&nul_module), Ok(false));
        let error = ours_accepts(&nul_module).unwrap_err();
        assert!(error.contains("NUL"), "{error}");
        let clean_module = contract(r#"(@custom "name" "\00\04\03abc")"#);
        assert_eq!(compare(&clean_module), Ok(true));
        // Function 0 named "a\0b".
        let nul_function = contract(r#"(@custom "name" "\01\06\01\00\03a\00b")"#);
        assert_eq!(compare(&nul_function), Ok(true));
        // An empty module name: the reference's DWARF line program refuses
        // an empty file name too (found by CI's fuzz run: a module name
        // subsection after one that does not parse).
        let empty_module = contract(r#"(@custom "name" "\84\00\01\00\21s")"#);
        assert!(reference_accepts(&empty_module).is_err());
        assert_eq!(compare(&empty_module), Ok(false));
        // A later name section that names the module cleanly wins.
        let renamed =
            contract(r#"(@custom "name" "\00\04\03\01\00s") (@custom "name" "\00\04\03abc")"#);
        assert_eq!(compare(&renamed), Ok(true));
    }
}
