//! Divergences from cosmwasm-vm 3.0.11 that the oracles found (the contract
//! differential, `cw_oracle::ContractDiff`, and its fuzz target
//! `diff_contract`), each minimised to a hand-written module and kept here
//! as a test that failed before its fix and now guards it. Each test
//! compares with the reference through cw-oracle, so it passes exactly
//! when this runtime does what cosmwasm-vm does.

use cw_host::EntryPoint;
use cw_host::testing::SharedStorage;
use cw_oracle::{Call, Observed, Ours, Reference, ReferenceStore, compare};
use cw_runtime::Compiler;

const MEMORY_LIMIT_BYTES: u64 = 16 << 20;

/// The parts of a contract every case shares: one page, `interface_version_8`,
/// a no-op `deallocate`, a bump allocator `$bump` from 1024, a key region
/// at 16 over the byte `k` at 32, and a result region at 48 over `{}` at 64.
fn module(allocate_body: &str, execute_body: &str) -> Vec<u8> {
    wat::parse_str(format!(
        r#"(module
          (import "env" "db_read" (func $db_read (param i32) (result i32)))
          (import "env" "db_scan" (func $db_scan (param i32 i32 i32) (result i32)))
          (memory (export "memory") 1)
          (global $heap (mut i32) (i32.const 1024))
          (data (i32.const 16) "\20\00\00\00\01\00\00\00\01\00\00\00")
          (data (i32.const 32) "k")
          (data (i32.const 48) "\40\00\00\00\02\00\00\00\02\00\00\00")
          (data (i32.const 64) "{{}}")
          (func (export "interface_version_8"))
          (func (export "deallocate") (param i32))
          (func $bump (param $size i32) (result i32)
            (local $ptr i32)
            (local.set $ptr (global.get $heap))
            (i32.store (local.get $ptr) (i32.add (local.get $ptr) (i32.const 12)))
            (i32.store offset=4 (local.get $ptr) (local.get $size))
            (i32.store offset=8 (local.get $ptr) (i32.const 0))
            (global.set $heap
              (i32.add (i32.add (local.get $ptr) (i32.const 16)) (local.get $size)))
            (local.get $ptr))
          (func (export "allocate") (param $size i32) (result i32)
            {allocate_body}
            (call $bump (local.get $size)))
          (func (export "execute") (param i32 i32 i32) (result i32)
            (local $i i32)
            {execute_body}
            (i32.const 48)))"#
    ))
    .unwrap()
}

/// Runs `execute` on both sides over stores holding `k = v`, with
/// `gas_limit`, or with exactly what the reference uses when `None`.
fn both(wasm: &[u8], gas_limit: Option<u64>) -> (Observed, Observed) {
    let ours = Ours::compile(wasm, Compiler::Singlepass, MEMORY_LIMIT_BYTES).unwrap();
    let reference = Reference::compile(wasm, MEMORY_LIMIT_BYTES as usize).unwrap();
    let env = cw_oracle::mock_env_bytes();
    let info = cw_oracle::info_bytes("sender");
    let call = |gas_limit| Call {
        entry: EntryPoint::Execute,
        env: &env,
        info: Some(&info),
        msg: b"{}",
        gas_limit,
    };
    let stores = || {
        let (ours, theirs) = (SharedStorage::new(), ReferenceStore::default());
        ours.put(b"k", b"v");
        theirs.put(b"k", b"v");
        (ours, theirs)
    };
    let gas_limit =
        gas_limit.unwrap_or_else(|| reference.call(&call(50_000_000_000), &stores().1).gas_used);
    let (ours_store, theirs_store) = stores();
    (
        ours.call(&call(gas_limit), &ours_store),
        reference.call(&call(gas_limit), &theirs_store),
    )
}

/// Found by the contract differential: an `allocate` that calls `db_read`
/// nests host → guest calls three deep when the host writes an argument
/// (argument `allocate` → `db_read` → `allocate` → `db_read` →
/// `allocate`); cosmwasm-vm refuses the third level with "Maximum call
/// depth exceeded" and so does this runtime, unless the call has exactly
/// the gas it uses: then cosmwasm-vm still says "call depth" (the failing
/// `allocate` never ran, the gas left is 0), and this runtime said "out
/// of gas" with the same gas: cw-host's `memory::write_to_contract`
/// mapped any `allocate` failure with no gas left to out of gas. Fixed:
/// only the allocator's own `HostError::AllocatorOutOfGas` (the metering's
/// exhausted state) is out of gas.
#[test]
fn call_depth_with_exactly_the_gas_it_needs_is_a_call_depth_failure() {
    let wasm = module("(drop (call $db_read (i32.const 16)))", "");
    // With plenty of gas both agree it is a call-depth failure.
    let (ours, theirs) = both(&wasm, Some(50_000_000_000));
    compare(ours, theirs.clone()).unwrap_or_else(|d| panic!("plenty of gas:\n{d}"));
    assert!(
        matches!(
            &theirs.result,
            Err(cw_oracle::Failure::Other {
                kind: "call depth",
                ..
            })
        ),
        "{theirs}"
    );
    // With exactly the gas it uses, they disagree.
    let (ours, theirs) = both(&wasm, None);
    compare(ours, theirs).unwrap_or_else(|d| panic!("exact gas:\n{d}"));
}

/// Found by the contract differential: a call that opens more than 1,024
/// iterators. cosmwasm-vm has no limit (issue 21, item 5); this runtime
/// refused the 1,025th `db_scan`. Fixed: the limit is now far above what
/// a call can open within the chain's gas (cw-host's `limits`).
#[test]
fn a_call_may_open_more_than_1024_iterators() {
    let wasm = module(
        "",
        "(loop $scan
           (drop (call $db_scan (i32.const 0) (i32.const 0) (i32.const 1)))
           (local.set $i (i32.add (local.get $i) (i32.const 1)))
           (br_if $scan (i32.lt_u (local.get $i) (i32.const 1025))))",
    );
    let (ours, theirs) = both(&wasm, Some(50_000_000_000));
    assert_eq!(theirs.result, Ok(b"{}".to_vec()), "{theirs}");
    compare(ours, theirs).unwrap_or_else(|d| panic!("{d}"));
}
