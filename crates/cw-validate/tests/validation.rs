//! Static validation against a generated corpus of bad modules and the real
//! fixtures: each case is rejected with the expected rule, and accepted or
//! rejected exactly as cosmwasm-vm 3.0.11 does (its `check_wasm` followed by a
//! compile, where its gatekeeper runs).

use std::collections::HashSet;

use cosmwasm_vm::internals::{Logger, check_wasm, compile, make_compiling_engine};
use cosmwasm_vm::{WasmLimits, capabilities_from_csv};
use cw_validate::{DEFAULT_CAPABILITIES, ValidationConfig, ValidationError, validate};

const MEMORY: &str = r#"(memory 1) (export "memory" (memory 0))"#;
const IO: &str = r#"
    (func (export "allocate") (param i32) (result i32) i32.const 0)
    (func (export "deallocate") (param i32))"#;
const MARKER: &str = r#"(func (export "interface_version_8"))"#;

fn wat(parts: &[&str]) -> Vec<u8> {
    wat::parse_str(format!("(module {})", parts.join("\n"))).unwrap()
}

fn contract(extra: &str) -> Vec<u8> {
    wat(&[extra, MEMORY, IO, MARKER])
}

fn repeat(n: usize, f: impl Fn(usize) -> String) -> String {
    (0..n).map(f).collect::<Vec<_>>().join("\n")
}

fn cosmwasm_vm_accepts(wasm: &[u8]) -> bool {
    let capabilities: HashSet<String> = capabilities_from_csv(&DEFAULT_CAPABILITIES.join(","));
    if check_wasm(wasm, &capabilities, &WasmLimits::default(), Logger::Off).is_err() {
        return false;
    }
    let engine = make_compiling_engine(None, None);
    compile(&engine, wasm).is_ok()
}

/// Our config minus the size limit, which wasmd applies and cosmwasm-vm does not.
fn config() -> ValidationConfig {
    ValidationConfig {
        max_module_bytes: usize::MAX,
        ..ValidationConfig::default()
    }
}

type Expect = fn(&ValidationError) -> bool;

fn corpus() -> Vec<(&'static str, Vec<u8>, Option<Expect>)> {
    use ValidationError as E;
    let ok: Option<Expect> = None;
    vec![
        ("minimal", contract(""), ok),
        (
            "floats allowed",
            contract("(func (param f64) (result f64) local.get 0 f64.sqrt)"),
            ok,
        ),
        (
            "sign extension allowed",
            contract("(func (param i32) (result i32) local.get 0 i32.extend8_s)"),
            ok,
        ),
        (
            "start function accepted",
            contract("(func $s) (start $s)"),
            ok,
        ),
        (
            "memory export not required",
            wat(&["(memory 1)", IO, MARKER]),
            ok,
        ),
        (
            "all env imports",
            contract(&repeat(1, |_| {
                r#"(import "env" "db_read" (func (param i32) (result i32)))"#.into()
            })),
            ok,
        ),
        (
            "empty",
            Vec::new(),
            Some(|e| matches!(e, E::InvalidWasm { .. })),
        ),
        (
            "corrupted",
            b"\0asm\x01\0\0\0\x01\xff\xff".to_vec(),
            Some(|e| matches!(e, E::InvalidWasm { .. })),
        ),
        (
            "no memory",
            wat(&[IO, MARKER]),
            Some(|e| matches!(e, E::MemoryCount { count: 0 })),
        ),
        (
            "imported memory",
            wat(&[r#"(import "env" "memory" (memory 1))"#, IO, MARKER]),
            Some(|e| matches!(e, E::MemoryCount { count: 0 })),
        ),
        (
            "two memories",
            wat(&["(memory 1) (memory 1)", IO, MARKER]),
            Some(|e| matches!(e, E::InvalidWasm { .. })),
        ),
        (
            "memory maximum",
            wat(&["(memory 1 2)", IO, MARKER]),
            Some(|e| matches!(e, E::MemoryMaximumSet { maximum: 2 })),
        ),
        (
            "initial memory too large",
            wat(&["(memory 513)", IO, MARKER]),
            Some(|e| {
                matches!(
                    e,
                    E::InitialMemoryTooLarge {
                        pages: 513,
                        limit: 512
                    }
                )
            }),
        ),
        (
            "unbounded table",
            contract("(table 1 funcref)"),
            Some(|e| matches!(e, E::UnboundedTable)),
        ),
        (
            "table too large",
            contract("(table 1 2501 funcref)"),
            Some(|e| matches!(e, E::TableTooLarge { maximum: 2501, .. })),
        ),
        (
            "two tables",
            contract("(table 1 1 funcref) (table 1 1 funcref)"),
            Some(|e| matches!(e, E::TooManyTables { count: 2 })),
        ),
        (
            "no marker",
            wat(&[MEMORY, IO]),
            Some(|e| matches!(e, E::MissingInterfaceVersion)),
        ),
        (
            "old marker",
            wat(&[MEMORY, IO, r#"(func (export "interface_version_7"))"#]),
            Some(|e| matches!(e, E::UnsupportedInterfaceVersion { .. })),
        ),
        (
            "two markers",
            contract(r#"(func (export "interface_version_9"))"#),
            Some(|e| matches!(e, E::MultipleInterfaceVersions { .. })),
        ),
        (
            "no allocate",
            wat(&[
                MEMORY,
                r#"(func (export "deallocate") (param i32))"#,
                MARKER,
            ]),
            Some(|e| matches!(e, E::MissingExport { name: "allocate" })),
        ),
        (
            "no deallocate",
            wat(&[
                MEMORY,
                r#"(func (export "allocate") (param i32) (result i32) i32.const 0)"#,
                MARKER,
            ]),
            Some(|e| matches!(e, E::MissingExport { name: "deallocate" })),
        ),
        (
            "unknown import",
            contract(r#"(import "env" "teleport" (func))"#),
            Some(|e| matches!(e, E::UnsupportedImport { .. })),
        ),
        (
            "foreign module import",
            contract(r#"(import "wasi_snapshot_preview1" "fd_write" (func))"#),
            Some(|e| matches!(e, E::UnsupportedImport { .. })),
        ),
        (
            "global import",
            contract(r#"(import "env" "db_read" (global i32))"#),
            Some(|e| matches!(e, E::NonFunctionImport { .. })),
        ),
        (
            "too many imports",
            contract(&repeat(101, |_| {
                r#"(import "env" "debug" (func (param i32)))"#.into()
            })),
            Some(|e| {
                matches!(
                    e,
                    E::TooManyImports {
                        count: 101,
                        limit: 100
                    }
                )
            }),
        ),
        (
            "missing capability",
            contract(r#"(func (export "requires_teleport"))"#),
            Some(|e| matches!(e, E::MissingCapabilities { .. })),
        ),
        (
            "bare requires_ ignored",
            contract(r#"(func (export "requires_"))"#),
            ok,
        ),
        (
            "known capability",
            contract(r#"(func (export "requires_cosmwasm_3_0"))"#),
            ok,
        ),
        (
            "too many functions",
            contract(&repeat(20_001 - 3, |_| "(func)".into())),
            Some(|e| matches!(e, E::TooManyFunctions { .. })),
        ),
        (
            "too many params",
            contract(&format!("(func (param {}))", repeat(101, |_| "i32".into()))),
            Some(|e| matches!(e, E::TooManyParams { count: 101, .. })),
        ),
        (
            "two results",
            contract("(func (result i32 i32) i32.const 0 i32.const 0)"),
            Some(|e| matches!(e, E::TooManyResults { count: 2, .. })),
        ),
        (
            "too many total params",
            contract(&repeat(101, |_| {
                format!("(func (param {}))", repeat(100, |_| "i32".into()))
            })),
            Some(|e| matches!(e, E::TooManyTotalParams { .. })),
        ),
        (
            "too many total locals",
            contract(&repeat(101, |_| {
                format!("(func (local {}))", repeat(100, |_| "i32".into()))
            })),
            Some(|e| matches!(e, E::TooManyTotalLocals { .. })),
        ),
        (
            "invalid body",
            contract("(func (result i32) i64.const 1)"),
            Some(|e| matches!(e, E::InvalidWasm { .. })),
        ),
        (
            "bulk memory",
            contract("(func i32.const 0 i32.const 0 i32.const 0 memory.copy)"),
            Some(|e| matches!(e, E::InvalidWasm { .. })),
        ),
        (
            "simd",
            contract("(func (result v128) v128.const i64x2 0 0)"),
            Some(|e| matches!(e, E::InvalidWasm { .. })),
        ),
        (
            "threads",
            contract("(func i32.const 0 i32.const 0 i32.atomic.store)"),
            Some(|e| matches!(e, E::InvalidWasm { .. })),
        ),
        (
            "ref.null",
            contract("(func (result funcref) ref.null func)"),
            Some(|e| {
                matches!(
                    e,
                    E::ReferenceTypesOperator {
                        operator: "ref.null",
                        ..
                    }
                )
            }),
        ),
        (
            "ref.func",
            contract(
                "(table 1 1 funcref) (elem (i32.const 0) $f) (func $f) (func (result funcref) ref.func $f)",
            ),
            Some(|e| {
                matches!(
                    e,
                    E::ReferenceTypesOperator {
                        operator: "ref.func",
                        ..
                    }
                )
            }),
        ),
        (
            "table.size",
            contract("(table 1 1 funcref) (func (result i32) table.size 0)"),
            Some(|e| {
                matches!(
                    e,
                    E::ReferenceTypesOperator {
                        operator: "table.size",
                        ..
                    }
                )
            }),
        ),
        (
            "typed select",
            contract("(func (result i32) i32.const 1 i32.const 2 i32.const 0 select (result i32))"),
            Some(|e| matches!(e, E::ReferenceTypesOperator { .. })),
        ),
    ]
}

#[test]
fn corpus_is_rejected_by_the_expected_rule() {
    for (name, wasm, expect) in corpus() {
        match (validate(&wasm, &config()), expect) {
            (Ok(_), None) => {}
            (Err(e), Some(expected)) => assert!(expected(&e), "{name}: unexpected error {e:?}"),
            (Ok(_), Some(_)) => panic!("{name}: accepted but must be rejected"),
            (Err(e), None) => panic!("{name}: rejected ({e}) but must be accepted"),
        }
    }
}

#[test]
fn corpus_agrees_with_cosmwasm_vm() {
    for (name, wasm, _) in corpus() {
        let ours = validate(&wasm, &config()).is_ok();
        assert_eq!(
            ours,
            cosmwasm_vm_accepts(&wasm),
            "{name}: we accept = {ours}"
        );
    }
}

#[test]
fn every_fixture_is_accepted_with_its_capabilities() {
    for spec in tests::FIXTURES {
        let wasm = tests::fixture_bytes(spec.name);
        let info = validate(&wasm, &ValidationConfig::default())
            .unwrap_or_else(|e| panic!("{} rejected: {e}", spec.name));
        assert!(
            info.exports.iter().any(|e| e == "instantiate"),
            "{}",
            spec.name
        );
        assert!(cosmwasm_vm_accepts(&wasm), "{}", spec.name);
    }
    let probe = validate(&tests::fixture_bytes("probe"), &ValidationConfig::default()).unwrap();
    assert!(probe.required_capabilities.contains("cosmwasm_3_0"));
}

#[test]
fn the_size_limit_is_wasmds() {
    assert_eq!(ValidationConfig::default().max_module_bytes, 819_200);
    let big = contract(&format!("(data (i32.const 0) \"{}\")", "a".repeat(820_000)));
    assert!(matches!(
        validate(&big, &ValidationConfig::default()),
        Err(ValidationError::ModuleTooLarge { .. })
    ));
}
