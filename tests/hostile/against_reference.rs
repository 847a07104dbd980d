//! Issue 21, item 4: every failure the hostile ABI module can provoke, run
//! on this runtime and on cosmwasm-vm 3.0.11: the same kind of failure and
//! the same gas (a failed call's gas is consensus too). Bad regions handed
//! to each kind of import and returned as results, every misbehaving
//! `allocate` (called by an import and by the runtime for the arguments),
//! `deallocate` trapping, missing and mistyped exports, and the regions
//! cosmwasm-vm accepts that this runtime once refused (a struct at address
//! 0, a capacity past the end of memory).
//!
//! Storage costs nothing on either side (the reference's storage charges
//! nothing), so the VM's own pricing is what is compared.

use cw_host::EntryPoint;
use cw_host::testing::SharedStorage;
use cw_oracle::{Call, Observed, Ours, Reference, ReferenceStore, compare};
use cw_runtime::Compiler;

use crate::abi::{self, alloc, region, select};

const MEMORY_LIMIT_BYTES: u64 = 32 << 20;
const GAS_LIMIT: u64 = 50_000_000_000;

/// One module on both runtimes.
struct Both {
    ours: Ours,
    reference: Reference,
}

impl Both {
    fn new(wasm: &[u8]) -> Self {
        Self {
            ours: Ours::compile(wasm, Compiler::Singlepass, MEMORY_LIMIT_BYTES).unwrap(),
            reference: Reference::compile(wasm, MEMORY_LIMIT_BYTES as usize).unwrap(),
        }
    }

    /// Runs `entry` with `msg` over stores holding `stored`; asserts both
    /// agree and returns what they gave.
    fn agree(
        &self,
        case: &str,
        entry: EntryPoint,
        msg: &[u8],
        stored: &[(&[u8], &[u8])],
    ) -> Observed {
        let env = cw_oracle::mock_env_bytes();
        let info = cw_oracle::info_bytes("attacker");
        let call = Call {
            entry,
            env: &env,
            info: matches!(entry, EntryPoint::Execute | EntryPoint::Instantiate)
                .then_some(info.as_slice()),
            msg,
            gas_limit: GAS_LIMIT,
        };
        let (ours_store, theirs_store) = (SharedStorage::new(), ReferenceStore::default());
        for (key, value) in stored {
            ours_store.put(key, value);
            theirs_store.put(key, value);
        }
        let ours = self.ours.call(&call, &ours_store);
        let theirs = self.reference.call(&call, &theirs_store);
        compare(ours, theirs.clone()).unwrap_or_else(|d| panic!("{case}:\n{d}"));
        assert_eq!(
            ours_store.dump(),
            theirs_store.dump(),
            "{case}: storage afterwards"
        );
        theirs
    }
}

/// Region pointers cosmwasm-vm refuses or accepts, by what is wrong.
const REGIONS: [(&str, u32); 8] = [
    ("pointer 0 (nothing there: null offset)", 0),
    ("pointer past the end of memory", 0xFFFF_FFF8),
    ("struct straddling the end of memory", abi::MEMORY_BYTES - 8),
    ("null data offset", region::NULL_OFFSET),
    ("length > capacity", region::LENGTH_OVER_CAPACITY),
    ("offset + capacity overflows u32", region::CAPACITY_OVERFLOW),
    ("data past the end of memory", region::PAST_END),
    ("a good region", region::KEY),
];

#[test]
fn bad_regions_passed_to_imports_cost_what_they_cost_on_cosmwasm_vm() {
    let both = Both::new(&abi::module());
    let mut failures = 0;
    for (case, ptr) in REGIONS {
        for (import, selector) in [
            ("db_read", select::DB_READ),
            ("db_write value", select::DB_WRITE_VALUE),
            ("db_write key", select::DB_WRITE_KEY),
            ("db_remove", select::DB_REMOVE),
            ("db_scan start", select::DB_SCAN),
            ("addr_validate", select::ADDR_VALIDATE),
            ("addr_canonicalize", select::ADDR_CANONICALIZE),
            ("addr_humanize", select::ADDR_HUMANIZE),
            ("debug", select::DEBUG),
            ("abort", select::ABORT),
        ] {
            let observed = both.agree(
                &format!("{import}: {case}"),
                EntryPoint::Execute,
                &abi::msg(selector, ptr),
                &[(b"key", b"stored")],
            );
            failures += usize::from(observed.result.is_err());
        }
    }
    assert!(failures > 40, "only {failures} of the cases failed");
}

#[test]
fn bad_result_regions_cost_what_they_cost_on_cosmwasm_vm() {
    let both = Both::new(&abi::module());
    for (case, ptr) in REGIONS {
        for entry in [EntryPoint::Execute, EntryPoint::Query] {
            both.agree(
                &format!("{entry:?} returns {case}"),
                entry,
                &abi::msg(select::RETURN, ptr),
                &[],
            );
        }
    }
    // A struct at address 0 that is a good region is read as cosmwasm-vm
    // reads it (this runtime refused pointer 0 outright before).
    let at_zero = abi::module_with_execute_and(
        "(i32.const 0)",
        &format!(
            "{}\n{}",
            abi::region_segment(0, 0x800, 13, 13),
            "(func $unused)"
        ),
    );
    let observed = Both::new(&at_zero).agree(
        "result region at address 0",
        EntryPoint::Execute,
        b"{}",
        &[],
    );
    assert_eq!(observed.result, Ok(abi::OK_TEXT.to_vec()));
    // Deallocate traps after the result was read.
    both.agree(
        "deallocate traps",
        EntryPoint::Execute,
        &abi::msg(select::RETURN, region::TRAP_ON_FREE),
        &[],
    );
}

#[test]
fn a_misbehaving_allocate_costs_what_it_costs_on_cosmwasm_vm() {
    let both = Both::new(&abi::module());
    for (case, size) in [
        ("returns 0", alloc::NULL),
        ("returns garbage", alloc::GARBAGE),
        ("returns a region too small", alloc::TOO_SMALL),
        ("traps", alloc::TRAP),
        ("loops", alloc::LOOP),
    ] {
        // Called by db_read for a value of that size.
        let value = vec![7; size as usize];
        both.agree(
            &format!("db_read's allocate {case}"),
            EntryPoint::Execute,
            &abi::msg(select::DB_READ, region::KEY),
            &[(b"key", &value)],
        );
        // Called by the runtime for a message of that size.
        both.agree(
            &format!("the message's allocate {case}"),
            EntryPoint::Execute,
            &vec![b' '; size as usize],
            &[],
        );
    }
}

/// Exports the ABI needs, missing or with another signature: found when
/// they are called, with the gas spent until then.
#[test]
fn missing_and_mistyped_exports_cost_what_they_cost_on_cosmwasm_vm() {
    let base = |allocate: &str, deallocate: &str, entry: &str| {
        wat::parse_str(format!(
            r#"(module
              (memory (export "memory") 1)
              (global $heap (mut i32) (i32.const 1024))
              (func $bump (param $size i32) (result i32)
                (local $ptr i32)
                (local.set $ptr (global.get $heap))
                (i32.store (local.get $ptr) (i32.add (local.get $ptr) (i32.const 12)))
                (i32.store offset=4 (local.get $ptr) (local.get $size))
                (i32.store offset=8 (local.get $ptr) (i32.const 0))
                (global.set $heap (i32.add (i32.add (local.get $ptr) (i32.const 16)) (local.get $size)))
                (local.get $ptr))
              ;; "{{}}" at 16, its region at 32
              (data (i32.const 16) "{{}}")
              (data (i32.const 32) "\10\00\00\00\02\00\00\00\02\00\00\00")
              (func (export "interface_version_8"))
              {allocate}
              {deallocate}
              {entry})"#
        ))
        .unwrap()
    };
    let good_allocate =
        r#"(func (export "allocate") (param i32) (result i32) (call $bump (local.get 0)))"#;
    let good_deallocate = r#"(func (export "deallocate") (param i32))"#;
    let good_execute =
        r#"(func (export "execute") (param i32 i32 i32) (result i32) (i32.const 32))"#;
    let cases = [
        (
            "the entry point is missing",
            good_allocate,
            good_deallocate,
            "",
        ),
        (
            "the entry point is a global",
            good_allocate,
            good_deallocate,
            r#"(global (export "execute") i32 (i32.const 0))"#,
        ),
        (
            "the entry point takes two parameters",
            good_allocate,
            good_deallocate,
            r#"(func (export "execute") (param i32 i32) (result i32) (i32.const 32))"#,
        ),
        (
            "the entry point returns nothing",
            good_allocate,
            good_deallocate,
            r#"(func (export "execute") (param i32 i32 i32))"#,
        ),
        (
            "the entry point returns an i64",
            good_allocate,
            good_deallocate,
            r#"(func (export "execute") (param i32 i32 i32) (result i64) (i64.const 32))"#,
        ),
        (
            "the entry point takes i64s",
            good_allocate,
            good_deallocate,
            r#"(func (export "execute") (param i64 i64 i64) (result i32) (i32.const 32))"#,
        ),
        ("allocate is missing", "", good_deallocate, good_execute),
        (
            "allocate takes two parameters",
            r#"(func (export "allocate") (param i32 i32) (result i32) (call $bump (local.get 0)))"#,
            good_deallocate,
            good_execute,
        ),
        (
            "allocate returns nothing",
            r#"(func (export "allocate") (param i32) (drop (call $bump (local.get 0))))"#,
            good_deallocate,
            good_execute,
        ),
        (
            "allocate returns an i64",
            r#"(func (export "allocate") (param i32) (result i64) (i64.extend_i32_u (call $bump (local.get 0))))"#,
            good_deallocate,
            good_execute,
        ),
        ("deallocate is missing", good_allocate, "", good_execute),
        (
            "deallocate returns an i32",
            good_allocate,
            r#"(func (export "deallocate") (param i32) (result i32) (i32.const 0))"#,
            good_execute,
        ),
        (
            "deallocate takes an i64",
            good_allocate,
            r#"(func (export "deallocate") (param i64))"#,
            good_execute,
        ),
    ];
    for (case, allocate, deallocate, entry) in cases {
        let wasm = base(allocate, deallocate, entry);
        // A missing `allocate` or `deallocate` is refused when the code is
        // stored, by cosmwasm-vm's `check_wasm` as by our validation: no
        // chain ever runs it.
        if let Err(refusal) = cw_runtime::validate(&wasm, &Default::default()) {
            let theirs = cosmwasm_vm::internals::check_wasm(
                &wasm,
                &cosmwasm_vm::capabilities_from_csv("iterator,staking"),
                &cosmwasm_vm::WasmLimits::default(),
                cosmwasm_vm::internals::Logger::Off,
            );
            assert!(
                theirs.is_err(),
                "{case}: we refuse ({refusal}), the reference stores it"
            );
            continue;
        }
        let observed = Both::new(&wasm).agree(case, EntryPoint::Execute, b"{}", &[]);
        assert!(observed.result.is_err(), "{case}: {observed}");
        assert!(
            observed.gas_used > 0 || case.starts_with("allocate"),
            "{case}: {observed}"
        );
    }
}
