//! Issue 21, item 5: the deterministic stack limit admits every recursion
//! cosmwasm-vm completes on its defaults (Wasmer's 1 MiB native stack), and
//! still ends every deeper one itself, on both compilers, before the native
//! stack: the calibration of `cw_gas::middleware::DEFAULT_STACK_LIMIT_BYTES`
//! and `NATIVE_STACK_BYTES`, measured here on every run.
//!
//! The reference's depths are measured in a child process that runs only
//! cosmwasm-vm: Wasmer hands a thread's coroutine stack from call to call,
//! so after one of this runtime's calls (on its larger stack) the reference
//! would run deeper than it does on a chain.

use std::process::Command;

use cw_host::EntryPoint;
use cw_host::testing::SharedStorage;
use cw_oracle::{Call, Failure, Ours, Reference, ReferenceStore};
use cw_runtime::Compiler;

/// A recursive function's frame: parameters, declared locals (of `ty`),
/// and values held on the operand stack across the recursive call
/// (constants, or values computed from a local).
#[derive(Clone, Copy, Debug)]
struct Shape {
    params: usize,
    locals: usize,
    ty: &'static str,
    operands: usize,
    computed: bool,
}

const fn shape(
    params: usize,
    locals: usize,
    ty: &'static str,
    operands: usize,
    computed: bool,
) -> Shape {
    Shape {
        params,
        locals,
        ty,
        operands,
        computed,
    }
}

/// The shapes measured: the smallest frame, locals and parameters of both
/// widths, operands held across the call (constants, which Singlepass keeps
/// out of its frame, and computed values, which it spills).
const SHAPES: [Shape; 10] = [
    shape(0, 0, "i64", 0, false),
    shape(0, 0, "i64", 8, false),
    shape(0, 0, "i64", 8, true),
    shape(0, 10, "i64", 0, false),
    shape(0, 50, "i32", 0, false),
    shape(0, 50, "i64", 0, false),
    shape(4, 0, "i64", 0, false),
    shape(20, 20, "i32", 0, false),
    shape(10, 0, "i64", 20, true),
    shape(0, 0, "i64", 100, false),
];

/// A contract whose `execute` recurses `depth` (the message's first four
/// bytes, LE) levels through a function of `shape`, and at the bottom calls
/// `secp256k1_verify` (host code running on the deepest native stack).
fn contract(shape: Shape) -> Vec<u8> {
    let Shape {
        params,
        locals,
        ty,
        operands,
        computed,
    } = shape;
    let p = if params > 0 {
        format!("(param{})", format!(" {ty}").repeat(params))
    } else {
        String::new()
    };
    let l = if locals > 0 {
        format!("(local{})", format!(" {ty}").repeat(locals))
    } else {
        String::new()
    };
    let args = format!("({ty}.const 7) ").repeat(params);
    let value = if computed {
        "(i64.extend_i32_u (local.get $n)) "
    } else {
        "(i64.const 1) "
    };
    let push = value.repeat(operands);
    let drops = "drop ".repeat(operands);
    let text = format!(
        r#"(module
          (import "env" "secp256k1_verify" (func $verify (param i32 i32 i32) (result i32)))
          (memory (export "memory") 1)
          (global $heap (mut i32) (i32.const 1024))
          (func (export "interface_version_8"))
          (func (export "deallocate") (param i32))
          (func (export "allocate") (param $size i32) (result i32)
            (local $ptr i32)
            (local.set $ptr (global.get $heap))
            (i32.store (local.get $ptr) (i32.add (local.get $ptr) (i32.const 12)))
            (i32.store offset=4 (local.get $ptr) (local.get $size))
            (i32.store offset=8 (local.get $ptr) (i32.const 0))
            (global.set $heap (i32.add (i32.add (local.get $ptr) (i32.const 16)) (local.get $size)))
            (local.get $ptr))
          (data (i32.const 16) "{{}}")
          (data (i32.const 32) "\10\00\00\00\02\00\00\00\02\00\00\00")
          ;; 32-byte hash, 64-byte signature, 33-byte key (zeros) and their regions
          (data (i32.const 48) "\00\02\00\00\20\00\00\00\20\00\00\00")
          (data (i32.const 64) "\00\03\00\00\40\00\00\00\40\00\00\00")
          (data (i32.const 80) "\00\04\00\00\21\00\00\00\21\00\00\00")
          (func $r (param $n i32) {p} (result i32) (local $t i32) {l}
            {push}
            (if (result i32) (i32.eqz (local.get $n))
              (then (call $verify (i32.const 48) (i32.const 64) (i32.const 80)))
              (else (i32.add (call $r (i32.sub (local.get $n) (i32.const 1)) {args}) (i32.const 1))))
            (local.set $t)
            {drops}
            (local.get $t))
          (func (export "execute") (param i32 i32 i32) (result i32)
            (drop (call $r (i32.load (i32.load (local.get 2))) {args}))
            (i32.const 32)))"#
    );
    wat::parse_str(&text).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

fn call(depth: u32, run: impl FnOnce(&Call<'_>) -> cw_oracle::Observed) -> cw_oracle::Observed {
    let env = cw_oracle::mock_env_bytes();
    let info = cw_oracle::info_bytes("recurser");
    let msg = depth.to_le_bytes();
    run(&Call {
        entry: EntryPoint::Execute,
        env: &env,
        info: Some(&info),
        msg: &msg,
        gas_limit: u64::MAX >> 4,
    })
}

/// The deepest recursion `completes` admits (binary search).
fn deepest(completes: impl Fn(u32) -> bool) -> u32 {
    let (mut low, mut high) = (0u32, 4_000_000u32);
    while low < high {
        let middle = low + (high - low).div_ceil(2);
        if completes(middle) {
            low = middle;
        } else {
            high = middle - 1;
        }
    }
    low
}

/// Run by the child process only: prints the reference's deepest
/// recursion for each shape.
#[test]
#[ignore = "run by every_depth_cosmwasm_vm_completes_runs_here in a process of its own"]
fn reference_depths_in_a_fresh_process() {
    for (index, shape) in SHAPES.iter().enumerate() {
        let reference = Reference::compile(&contract(*shape), 16 << 20).unwrap();
        let depth = deepest(|depth| {
            call(depth, |c| reference.call(c, &ReferenceStore::default()))
                .result
                .is_ok()
        });
        println!("REFERENCE-DEPTH {index} {depth}");
    }
}

fn reference_depths() -> Vec<u32> {
    let output = Command::new(std::env::current_exe().unwrap())
        .args([
            "stack_calibration::reference_depths_in_a_fresh_process",
            "--exact",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let depths: Vec<u32> = stdout
        .lines()
        .filter_map(|line| Some(&line[line.find("REFERENCE-DEPTH ")? + 16..]))
        .map(|rest| rest.split(' ').nth(1).unwrap().parse().unwrap())
        .collect();
    assert_eq!(depths.len(), SHAPES.len(), "child output:\n{stdout}");
    depths
}

#[test]
fn every_depth_cosmwasm_vm_completes_runs_here_and_deeper_ones_stop_at_the_limit() {
    let reference = reference_depths();
    for (shape, reference_depth) in SHAPES.iter().zip(reference) {
        let wasm = contract(*shape);
        for compiler in [Compiler::Singlepass, Compiler::Cranelift] {
            let ours = Ours::compile(&wasm, compiler, 16 << 20).unwrap();
            let run = |depth| call(depth, |c| ours.call(c, &SharedStorage::new()));
            let completed = run(reference_depth);
            assert!(
                completed.result.is_ok(),
                "{shape:?} on {compiler:?}: the reference completes {reference_depth} levels, ours: {completed}"
            );
            // Far deeper: the deterministic limit ends it, with all the
            // host code at the bottom never reached on the native stack.
            let stopped = run(reference_depth.saturating_mul(200));
            assert!(
                matches!(
                    &stopped.result,
                    Err(Failure::Other {
                        kind: "stack limit",
                        ..
                    })
                ),
                "{shape:?} on {compiler:?}: {stopped}"
            );
            let ours_depth = deepest(|depth| run(depth).result.is_ok());
            // At our own deepest level the host call at the bottom ran.
            assert!(run(ours_depth).result.is_ok());
            eprintln!(
                "STACK-CALIBRATION | {shape:?} | {compiler:?} | reference {reference_depth} | ours {ours_depth} |"
            );
        }
    }
}
