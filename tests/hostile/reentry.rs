//! Issue 20, item 5: host-to-guest re-entry. An import writes its result
//! through the contract's `allocate`, which may itself call an import that
//! allocates, and so on. cosmwasm-vm refuses a third level
//! (`MAX_CALL_DEPTH = 2`, "Maximum call depth exceeded."): so do we, with
//! the same gas, and a failure deep inside `allocate` reaches the caller as
//! it is, not copied into a message at every level.

use cw_host::testing::SharedStorage;
use cw_host::{EntryPoint, HostError, VmFailure};
use cw_oracle::{Call, Failure, Ours, Reference, ReferenceStore, compare};
use cw_runtime::Compiler;

const MEMORY_LIMIT_BYTES: u64 = 16 << 20;
const GAS_LIMIT: u64 = 10_000_000_000;
/// The abort message of `ABORT_IN_ALLOCATE`: cosmwasm-vm's limit, 2 MiB.
const ABORT_BYTES: u32 = 2 << 20;

/// What `allocate` does when the host calls it from `db_read` during
/// `execute`.
#[derive(Clone, Copy, Debug)]
enum InAllocate {
    /// Allocate (depth 2: allowed).
    Nothing,
    /// Call `db_read` again, which allocates once more (depth 3).
    ReadAgain,
    /// Abort with a 2 MiB message.
    Abort,
}

/// A contract whose `execute` reads key `k` (so the host allocates the
/// value through `allocate`) and returns `{}`; `allocate` does `what` when
/// called during that read.
fn contract(what: InAllocate) -> Vec<u8> {
    let nested = match what {
        InAllocate::Nothing => "",
        InAllocate::ReadAgain => "(drop (call $db_read (i32.const 32)))",
        InAllocate::Abort => "(call $abort (i32.const 48))",
    };
    wat::parse_str(format!(
        r#"(module
          (import "env" "db_read" (func $db_read (param i32) (result i32)))
          (import "env" "abort" (func $abort (param i32)))
          (memory (export "memory") 40)
          (global $next (mut i32) (i32.const 4096))
          (global $in_execute (mut i32) (i32.const 0))
          ;; the key "k" at 16, its region at 32; "{{}}" at 24, its region at 60
          (data (i32.const 16) "k")
          (data (i32.const 24) "{{}}")
          (data (i32.const 32) "\10\00\00\00\01\00\00\00\01\00\00\00")
          ;; the abort message: 2 MiB from 64 KiB
          (data (i32.const 48) "\00\00\01\00\00\00\20\00\00\00\20\00")
          (data (i32.const 60) "\18\00\00\00\02\00\00\00\02\00\00\00")
          (func (export "interface_version_8"))
          (func (export "deallocate") (param i32))
          (func (export "allocate") (param $size i32) (result i32)
            (local $ptr i32)
            (if (global.get $in_execute) (then {nested}))
            (local.set $ptr (global.get $next))
            (i32.store (local.get $ptr) (i32.add (local.get $ptr) (i32.const 12)))
            (i32.store offset=4 (local.get $ptr) (local.get $size))
            (i32.store offset=8 (local.get $ptr) (i32.const 0))
            (global.set $next (i32.add (i32.add (local.get $ptr) (i32.const 16)) (local.get $size)))
            (local.get $ptr))
          (func (export "execute") (param i32 i32 i32) (result i32)
            (global.set $in_execute (i32.const 1))
            (drop (call $db_read (i32.const 32)))
            (i32.const 60)))"#
    ))
    .unwrap()
}

/// Runs `execute` on ours and on cosmwasm-vm with `k` stored.
fn run(what: InAllocate) -> (cw_oracle::Observed, cw_oracle::Observed) {
    let wasm = contract(what);
    let env = cw_oracle::mock_env_bytes();
    let info = cw_oracle::info_bytes("caller");
    let call = Call {
        entry: EntryPoint::Execute,
        env: &env,
        info: Some(&info),
        msg: b"{}",
        gas_limit: GAS_LIMIT,
    };
    let ours_store = SharedStorage::new();
    ours_store.put(b"k", b"value");
    let theirs_store = ReferenceStore::default();
    theirs_store.put(b"k", b"value");
    let ours = Ours::compile(&wasm, Compiler::Singlepass, MEMORY_LIMIT_BYTES)
        .unwrap()
        .call(&call, &ours_store);
    let theirs = Reference::compile(&wasm, MEMORY_LIMIT_BYTES as usize)
        .unwrap()
        .call(&call, &theirs_store);
    (ours, theirs)
}

#[test]
fn allocate_called_by_an_import_is_allowed() {
    let (ours, theirs) = run(InAllocate::Nothing);
    assert_eq!(ours.result, Ok(b"{}".to_vec()), "{ours}");
    compare(ours, theirs).unwrap_or_else(|d| panic!("{d}"));
}

#[test]
fn a_third_level_of_host_to_guest_calls_is_refused_as_cosmwasm_vm_refuses_it() {
    let (ours, theirs) = run(InAllocate::ReadAgain);
    assert_eq!(
        ours.result,
        Err(Failure::Other {
            kind: "call depth",
            text: VmFailure::Host(HostError::CallDepth { limit: 2 }).to_string(),
        }),
        "{ours}"
    );
    assert!(
        matches!(
            &theirs.result,
            Err(Failure::Other {
                kind: "call depth",
                ..
            })
        ),
        "{theirs}"
    );
    assert_eq!(
        ours.gas_used, theirs.gas_used,
        "ours {ours}\nreference {theirs}"
    );
}

/// An abort inside a nested `allocate` reaches the caller as the abort,
/// its 2 MiB message moved up, not formatted into an allocation error at
/// each level; the gas is the reference's.
#[test]
fn an_abort_inside_a_nested_allocate_reaches_the_caller_as_it_is() {
    let (ours, theirs) = run(InAllocate::Abort);
    match &ours.result {
        Err(Failure::Other {
            kind: "aborted",
            text,
        }) => {
            let expected = format!("contract aborted: {}", "\0".repeat(ABORT_BYTES as usize));
            assert!(*text == expected, "{} bytes of text", text.len());
        }
        other => panic!("{other:?}"),
    }
    let Err(Failure::Other { text, .. }) = &theirs.result else {
        panic!("{theirs}");
    };
    assert!(text.contains("Aborted: \0"), "the reference aborted too");
    assert_eq!(ours.gas_used, theirs.gas_used);
}
