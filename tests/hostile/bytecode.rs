//! Item 7: hostile bytecode. Each module is refused by static validation
//! with the exact rule, or accepted and then handled at instantiation or
//! run time; a refusal leaves the module cache as it was and the probe in
//! the same cache still runs.

use cw_host::{EntryPoint, VmFailure};
use cw_runtime::{RuntimeError, ValidationConfig, ValidationError, compile, validate};

use crate::abi;
use crate::harness::{Hostile, compile_config, report};

const MEMORY: &str = r#"(memory (export "memory") 1)"#;
const ALLOCATOR: &str = r#"
    (func (export "allocate") (param i32) (result i32) i32.const 0)
    (func (export "deallocate") (param i32))"#;
const MARKER: &str = r#"(func (export "interface_version_8"))"#;

fn wat(parts: &[&str]) -> Vec<u8> {
    let text = format!("(module {})", parts.join("\n"));
    wat::parse_str(&text).unwrap_or_else(|e| panic!("{e}"))
}

/// A minimal contract plus `extra`.
fn contract(extra: &str) -> Vec<u8> {
    wat(&[extra, MEMORY, ALLOCATOR, MARKER])
}

fn repeat(n: usize, f: impl Fn(usize) -> String) -> String {
    (0..n).map(f).collect::<Vec<_>>().join("\n")
}

fn invalid(offset: u64, message: &str) -> ValidationError {
    ValidationError::InvalidWasm {
        offset,
        message: message.into(),
    }
}

/// The probe with a custom section appended so it is `size` bytes long.
fn probe_padded_to(size: usize) -> Vec<u8> {
    let mut code = crate::harness::probe_code().to_vec();
    // Custom section: id 0, LEB128 size (5 bytes, padded), name length 1,
    // name "x", payload.
    let overhead = 1 + 5 + 1 + 1;
    let payload = size - code.len() - overhead;
    let body = u32::try_from(payload + 2).unwrap();
    code.push(0);
    for i in 0..5 {
        let byte = ((body >> (7 * i)) & 0x7f) as u8;
        code.push(if i < 4 { byte | 0x80 } else { byte });
    }
    code.extend_from_slice(&[1, b'x']);
    code.resize(size, 0);
    code
}

/// Every module static validation must refuse, with its exact error.
fn refused() -> Vec<(&'static str, Vec<u8>, ValidationError)> {
    use ValidationError as E;
    let probe = crate::harness::probe_code();
    let mut bad_magic = probe.to_vec();
    bad_magic[0] = b'X';
    let mut bad_section = probe.to_vec();
    bad_section[8] = 0x7f;
    let minimal = contract("");
    let truncated = minimal[..minimal.len() - 1].to_vec();
    let limit = ValidationConfig::default().max_module_bytes;
    let big_data = contract(&format!(
        "(data (i32.const 0) \"{}\")",
        "\\00".repeat(1 << 20)
    ));
    let big_data_size = big_data.len();
    vec![
        (
            "empty file",
            Vec::new(),
            invalid(0, "unexpected end-of-file"),
        ),
        (
            "bad magic",
            bad_magic,
            invalid(
                0,
                "magic header not detected: bad magic number - expected=[\n    0x0,\n    0x61,\n    0x73,\n    0x6d,\n] actual=[\n    0x58,\n    0x61,\n    0x73,\n    0x6d,\n]",
            ),
        ),
        (
            "unknown section id",
            bad_section,
            invalid(11, "malformed section id: 127"),
        ),
        (
            "minimal contract without its last byte",
            truncated,
            invalid(104, "unexpected end-of-file"),
        ),
        ("empty module", wat(&[]), E::MemoryCount { count: 0 }),
        (
            "no allocate",
            wat(&[
                MEMORY,
                MARKER,
                r#"(func (export "deallocate") (param i32))"#,
            ]),
            E::MissingExport { name: "allocate" },
        ),
        (
            "no deallocate",
            wat(&[
                MEMORY,
                MARKER,
                r#"(func (export "allocate") (param i32) (result i32) i32.const 0)"#,
            ]),
            E::MissingExport { name: "deallocate" },
        ),
        (
            "no interface version",
            wat(&[MEMORY, ALLOCATOR]),
            E::MissingInterfaceVersion,
        ),
        (
            "interface_version_7",
            wat(&[
                MEMORY,
                ALLOCATOR,
                r#"(func (export "interface_version_7"))"#,
            ]),
            E::UnsupportedInterfaceVersion {
                name: "interface_version_7".into(),
            },
        ),
        (
            "unknown import env.foo",
            contract(r#"(import "env" "foo" (func))"#),
            E::UnsupportedImport {
                name: "env.foo".into(),
            },
        ),
        (
            "import from another module",
            contract(
                r#"(import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32)))"#,
            ),
            E::UnsupportedImport {
                name: "wasi_snapshot_preview1.fd_write".into(),
            },
        ),
        // The memory rule runs before the import rules (cosmwasm-vm's order).
        (
            "imported memory",
            wat(&[r#"(import "env" "memory" (memory 1))"#, ALLOCATOR, MARKER]),
            E::MemoryCount { count: 0 },
        ),
        (
            "101 imports",
            contract(&repeat(101, |_| {
                r#"(import "env" "debug" (func (param i32)))"#.into()
            })),
            E::TooManyImports {
                count: 101,
                limit: 100,
            },
        ),
        (
            "20,001 functions",
            contract(&repeat(20_001 - 3, |_| "(func)".into())),
            E::TooManyFunctions {
                count: 20_001,
                limit: 20_000,
            },
        ),
        (
            "101 parameters",
            contract(&format!("(func {})", "(param i32) ".repeat(101))),
            E::TooManyParams {
                count: 101,
                limit: 100,
            },
        ),
        (
            "2 results",
            contract("(func (result i32 i32) i32.const 0 i32.const 0)"),
            E::TooManyResults { count: 2, limit: 1 },
        ),
        (
            "101 locals",
            contract(&format!("(func {})", "(local i64) ".repeat(101))),
            E::TooManyLocals {
                function: 0,
                count: 101,
                limit: 100,
            },
        ),
        (
            "bulk memory: memory.fill",
            contract("(func (memory.fill (i32.const 0) (i32.const 0) (i32.const 0)))"),
            invalid(104, "bulk memory support is not enabled"),
        ),
        (
            "bulk memory: memory.copy",
            contract("(func (memory.copy (i32.const 0) (i32.const 0) (i32.const 0)))"),
            invalid(104, "bulk memory support is not enabled"),
        ),
        (
            "SIMD",
            contract("(func (drop (v128.const i32x4 0 0 0 0)))"),
            invalid(98, "SIMD support is not enabled"),
        ),
        (
            "threads: atomic load",
            contract("(func (drop (i32.atomic.load (i32.const 0))))"),
            invalid(100, "threads support is not enabled"),
        ),
        (
            "tail call",
            contract("(func $f (return_call $f))"),
            invalid(98, "tail calls support is not enabled"),
        ),
        (
            "reference types: ref.null",
            contract("(func (drop (ref.null func)))"),
            E::ReferenceTypesOperator {
                function: 0,
                operator: "ref.null",
            },
        ),
        (
            "two memories",
            wat(&[MEMORY, "(memory 1)", ALLOCATOR, MARKER]),
            invalid(31, "multiple memories"),
        ),
        (
            "initial memory 513 pages",
            wat(&[r#"(memory (export "memory") 513)"#, ALLOCATOR, MARKER]),
            E::InitialMemoryTooLarge {
                pages: 513,
                limit: 512,
            },
        ),
        (
            "memory with a maximum",
            wat(&[r#"(memory (export "memory") 1 2)"#, ALLOCATOR, MARKER]),
            E::MemoryMaximumSet { maximum: 2 },
        ),
        (
            "unbounded table",
            contract("(table 1 funcref)"),
            E::UnboundedTable,
        ),
        (
            "table of 2,501",
            contract("(table 1 2501 funcref)"),
            E::TableTooLarge {
                maximum: 2501,
                limit: 2500,
            },
        ),
        (
            "module of 800 KiB + 1",
            probe_padded_to(limit + 1),
            E::ModuleTooLarge {
                size_bytes: limit + 1,
                limit_bytes: limit,
            },
        ),
        (
            "1 MiB data segment",
            big_data,
            E::ModuleTooLarge {
                size_bytes: big_data_size,
                limit_bytes: limit,
            },
        ),
    ]
}

#[test]
fn hostile_modules_are_refused_by_the_exact_rule() {
    let mut h = Hostile::probe();
    crate::harness::put(&h.store, b"k", b"v");
    for (case, code, expected) in refused() {
        assert_eq!(
            validate(&code, &ValidationConfig::default()),
            Err(expected.clone()),
            "{case}"
        );
        match compile(&code, &compile_config()) {
            Err(RuntimeError::Validation(e)) => assert_eq!(e, expected, "{case}"),
            Err(other) => panic!("{case}: {other}"),
            Ok(_) => panic!("{case}: compiled"),
        }
        match h.cache().get(&code) {
            Err(RuntimeError::Validation(e)) => assert_eq!(e, expected, "{case}"),
            Err(other) => panic!("{case}: {other}"),
            Ok(_) => panic!("{case}: accepted"),
        }
        // Nothing compiled, nothing cached, nothing counted; the probe runs.
        h.assert_recovers();
        report(7, case, &format!("{expected:?}"), 0);
    }
}

#[test]
fn accepted_modules_are_bounded_where_validation_is_silent() {
    let limit = ValidationConfig::default().max_module_bytes;
    let exactly_at_limit = probe_padded_to(limit);
    assert_eq!(
        validate(&exactly_at_limit, &ValidationConfig::default())
            .unwrap()
            .size_bytes,
        limit
    );
    report(7, "module of exactly 800 KiB", "accepted", 0);

    // cosmwasm-vm has no export limit; the module size limit bounds them.
    let exports = contract(&format!(
        "(func $f) {}",
        repeat(10_000, |i| format!(r#"(export "e{i}" (func $f))"#))
    ));
    let info = validate(&exports, &ValidationConfig::default()).unwrap();
    assert_eq!(info.exports.len(), 10_000 + 3);
    let mut h = Hostile::wat(exports, b"");
    let outcome = h.call(EntryPoint::Query, b"{}");
    // The arguments are written before the entry point is looked up (as
    // cosmwasm-vm's `call_raw` does), and this module's `allocate` returns
    // the null address.
    assert_eq!(
        outcome.result,
        Err(VmFailure::Host(cw_host::HostError::ZeroAddress {
            size: 262
        }))
    );
    report(
        7,
        "10,000 exports (no limit in cosmwasm-vm)",
        "accepted; compiles",
        0,
    );
}

/// An import with the right name and the wrong signature passes validation
/// (as in cosmwasm-vm) and fails at instantiation, deterministically.
#[test]
fn an_import_with_the_wrong_signature_cannot_instantiate() {
    let code = wat(&[
        r#"(import "env" "db_read" (func $bad (param i64) (result i32)))"#,
        MEMORY,
        ALLOCATOR,
        MARKER,
        r#"(func (export "query") (param i32 i32) (result i32)
            (drop (call $bad (i64.const 0))) (i32.const 0))"#,
    ]);
    assert!(validate(&code, &ValidationConfig::default()).is_ok());
    let mut h = Hostile::wat(code, b"");
    let expected = VmFailure::Instantiate {
        message: "Error while importing \"env\".\"db_read\": incompatible import type. \
                  Expected Function(FunctionType { params: [I64], results: [I32] }) \
                  but received Function(FunctionType { params: [I32], results: [I32] })"
            .into(),
    };
    let gas = h.assert_fails_with(EntryPoint::Query, b"{}", &expected, 2, |h| {
        h.backend(EntryPoint::Query)
    });
    assert_eq!(gas, 0);
    report(
        7,
        "db_read imported as (i64) -> i32",
        &format!("{expected:?}"),
        gas,
    );
}

/// A start function runs at instantiation, before the runtime has given the
/// instance any gas: with 0 points its first metered operator traps, so a
/// start function can neither loop nor call an import.
#[test]
fn a_start_function_cannot_run_at_instantiation() {
    for (case, start) in [
        (
            "start function that loops",
            "(func $start (loop $l (br $l)))",
        ),
        (
            "start function that writes storage",
            &*format!(
                "(func $start (call $db_write (i32.const {k}) (i32.const {k})))",
                k = abi::region::KEY
            ),
        ),
    ] {
        let code = abi::module_with_execute_and(
            "(call $dispatch (local.get 2))",
            &format!("{start} (start $start)"),
        );
        assert!(
            validate(&code, &ValidationConfig::default()).is_ok(),
            "{case}"
        );
        let mut h = Hostile::wat(code, abi::OK_TEXT);
        let outcome = h.call(EntryPoint::Query, b"{}");
        let Err(VmFailure::Instantiate { message }) = &outcome.result else {
            panic!("{case}: {:?}", outcome.result);
        };
        // The metering trap, at the start function's first charge (the
        // start function is function 17 of the module; names are not
        // compiled in, see `a_name_section_with_a_nul_byte_compiles_and_runs`).
        assert!(
            message.starts_with("RuntimeError: unreachable\n    at <unnamed> (<module>[17]:"),
            "{case}: {message}"
        );
        assert!(crate::harness::dump(&h.store).is_empty(), "{case}");
        assert_eq!(outcome.gas_used, 0, "{case}");
        report(
            7,
            case,
            &format!("Instantiate {{ message: {message:?} }}"),
            0,
        );
    }
}

/// A data segment outside the initial memory passes validation (as in
/// cosmwasm-vm) and fails at instantiation.
#[test]
fn a_data_segment_past_the_memory_cannot_instantiate() {
    let code = abi::module_with_execute_and(
        "(call $dispatch (local.get 2))",
        r#"(data (i32.const 0xFFFF0000) "x")"#,
    );
    assert!(validate(&code, &ValidationConfig::default()).is_ok());
    let mut h = Hostile::wat(code, abi::OK_TEXT);
    let expected = VmFailure::Instantiate {
        message: "RuntimeError: out of bounds memory access".into(),
    };
    let gas = h.assert_fails_with(EntryPoint::Query, b"{}", &expected, 2, |h| {
        h.backend(EntryPoint::Query)
    });
    assert_eq!(gas, 0);
    report(
        7,
        "data segment at 0xFFFF0000",
        &format!("{expected:?}"),
        gas,
    );
}

/// Floats are allowed, and every NaN an operation produces is the canonical
/// one, so float code is deterministic across CPUs.
#[test]
fn float_nans_are_canonical() {
    let code = abi::module_with_execute(
        "(f32.store (i32.const 0x9000) (f32.div (f32.const 0) (f32.const 0)))
         (f32.store (i32.const 0x9004) (f32.add (f32.const nan:0x200001) (f32.const 1)))
         (f64.store (i32.const 0x9008) (f64.sqrt (f64.const -1)))
         (f64.store (i32.const 0x9010) (f64.mul (f64.const -nan:0x4000000000001) (f64.const 2)))
         (i32.store (i32.const 0x9100) (i32.const 0x9000))
         (i32.store (i32.const 0x9104) (i32.const 24))
         (i32.store (i32.const 0x9108) (i32.const 24))
         (i32.const 0x9100)",
    );
    let mut h = Hostile::wat(code, abi::OK_TEXT);
    let mut expected = Vec::new();
    expected.extend_from_slice(&0x7fc0_0000_u32.to_le_bytes());
    expected.extend_from_slice(&0x7fc0_0000_u32.to_le_bytes());
    expected.extend_from_slice(&0x7ff8_0000_0000_0000_u64.to_le_bytes());
    expected.extend_from_slice(&0x7ff8_0000_0000_0000_u64.to_le_bytes());
    let first = h.call(EntryPoint::Execute, b"{}");
    assert_eq!(first.result, Ok(expected));
    assert_eq!(h.call(EntryPoint::Execute, b"{}"), first);
    h.assert_recovers();
    report(
        7,
        "float ops (NaN results)",
        "Ok(canonical NaNs 0x7fc00000 / 0x7ff8000000000000)",
        first.gas_used,
    );
}

/// `bytes` with a `name` custom section appended whose module name is
/// `name` (subsection 0).
fn with_module_name(mut bytes: Vec<u8>, name: &[u8]) -> Vec<u8> {
    let len = |n: usize| u8::try_from(n).expect("short");
    let mut subsection = vec![len(name.len())];
    subsection.extend_from_slice(name);
    let mut body = vec![4, b'n', b'a', b'm', b'e', 0, len(subsection.len())];
    body.extend_from_slice(&subsection);
    bytes.push(0);
    bytes.push(len(body.len()));
    bytes.extend_from_slice(&body);
    bytes
}

/// Found by the `validate` fuzz target in CI: Wasmer's Singlepass writes
/// the module's name into DWARF, and gimli asserts that a name holds no NUL
/// byte (and, as the line program's file name, that it is not empty), so a
/// module named "a\0b" or "" panicked inside the compiler. That is
/// what happens on a chain: cosmwasm-vm's rules accept the module, its
/// compile panics and wasmvm refuses the code. So validation refuses it
/// (`UnusableModuleName`), without compiling anything, and this runtime,
/// which drops custom sections before compiling, never panics on names;
/// any other name changes nothing.
#[test]
fn a_module_name_that_is_empty_or_holds_a_nul_byte_is_refused_as_on_a_chain() {
    let plain = contract(r#"(func (export "query") (param i32 i32) (result i32) i32.const 0)"#);
    for name in [&b"a\0b"[..], b"\0", b""] {
        let named = with_module_name(plain.clone(), name);
        assert!(
            matches!(
                validate(&named, &ValidationConfig::default()),
                Err(ValidationError::UnusableModuleName { .. })
            ),
            "module name {name:?}"
        );
        assert!(compile(&named, &compile_config()).is_err());
    }
    let named = with_module_name(plain.clone(), b"plain");
    validate(&named, &ValidationConfig::default()).expect("a plain name is fine");
    compile(&named, &compile_config()).expect("compiles");
    let expected = Hostile::wat(plain, b"").call(EntryPoint::Query, b"{}");
    let outcome = Hostile::wat(named, b"").call(EntryPoint::Query, b"{}");
    assert_eq!(outcome.result, expected.result);
    assert_eq!(outcome.gas_used, expected.gas_used);
    report(
        7,
        "a module name that is empty or holds a NUL byte",
        "refused at validation (cosmwasm-vm's compile panics on it)",
        0,
    );
}
