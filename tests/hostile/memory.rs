//! Item 2: memory. `memory.grow` without bound, huge heap allocations, a huge
//! argument, and memory accesses past the end stop at the instance's memory
//! limit (32 MiB by default) with a deterministic result.

use cw_host::{EntryPoint, VmFailure};
use cw_runtime::InstanceOptions;

use crate::abi;
use crate::harness::{Hostile, dump, report};

/// `memory.grow` past the limit returns -1 to the contract, as on a chain;
/// the probe turns that into its own error, which is a result, not a
/// failure: the call succeeds with the contract's error in its bytes.
#[test]
fn memory_grow_past_the_limit_is_refused_to_the_contract() {
    let mut h = Hostile::probe();
    crate::harness::put(&h.store, b"k", b"v");
    let before = dump(&h.store);
    let mut gas = None;
    for _ in 0..2 {
        let outcome = h.call(EntryPoint::Execute, br#"{"grow_memory":{"pages":600}}"#);
        let bytes = outcome.result.expect("a contract error is a result");
        assert_eq!(
            String::from_utf8(bytes).unwrap(),
            r#"{"error":"kind: Other, error: memory.grow by 600 pages failed"}"#
        );
        assert_eq!(dump(&h.store), before);
        assert_eq!(*gas.get_or_insert(outcome.gas_used), outcome.gas_used);
    }
    h.assert_recovers();
    report(
        2,
        "probe `grow_memory` by 600 pages (limit 512)",
        "Ok(contract error: memory.grow by 600 pages failed)",
        gas.unwrap(),
    );

    // Growing by exactly what is left succeeds.
    let outcome = h.call(EntryPoint::Execute, br#"{"grow_memory":{"pages":1}}"#);
    let bytes = outcome.result.unwrap();
    assert!(
        bytes.starts_with(br#"{"ok":"#),
        "{}",
        String::from_utf8_lossy(&bytes)
    );
}

#[test]
fn a_huge_heap_allocation_traps() {
    let mut h = Hostile::probe();
    let expected = VmFailure::Trap {
        message: "unreachable".into(),
    };
    let gas = h.assert_fails(
        EntryPoint::Execute,
        br#"{"allocate":{"bytes":100000000}}"#,
        &expected,
        2,
    );
    report(
        2,
        "probe `allocate` 100,000,000 bytes",
        &format!("{expected:?}"),
        gas,
    );
}

/// A 33 MiB message cannot be written into a 32 MiB memory: the probe's own
/// allocator fails while the runtime writes the argument.
#[test]
fn an_argument_larger_than_the_memory_limit_traps_in_allocate() {
    let mut h = Hostile::probe();
    let msg = vec![b' '; 33 << 20];
    let expected = VmFailure::Trap {
        message: "unreachable".into(),
    };
    let gas = h.assert_fails(EntryPoint::Execute, &msg, &expected, 2);
    report(
        2,
        "33 MiB message to the probe",
        &format!("{expected:?}"),
        gas,
    );
}

/// A bare module that grows until refused, then stores past its end.
#[test]
fn a_store_past_the_grown_memory_traps() {
    let code = abi::module_with_execute(
        "(block $full (loop $grow
            (br_if $full (i32.eq (memory.grow (i32.const 1)) (i32.const -1)))
            (br $grow)))
         (i32.store (i32.shl (memory.size) (i32.const 16)) (i32.const 1))
         (i32.const 0)",
    );
    let mut h = Hostile::wat(code, abi::OK_TEXT);
    let expected = VmFailure::Trap {
        message: "out of bounds memory access".into(),
    };
    let gas = h.assert_fails(EntryPoint::Execute, b"{}", &expected, 2);
    report(
        2,
        "grow one page at a time until refused, then store past the end",
        &format!("{expected:?}"),
        gas,
    );
}

/// An instance limit below the module's initial memory: no instance can be
/// made, every call fails the same way, and the cache still serves the
/// module (a contract with a larger limit runs it).
#[test]
fn an_initial_memory_above_the_instance_limit_cannot_instantiate() {
    let options = InstanceOptions {
        memory_limit_bytes: 1 << 20,
    };
    let mut h = Hostile::wat_with(abi::module(), abi::OK_TEXT, options);
    let expected = VmFailure::MemoryLimit {
        initial_pages: 40,
        limit_pages: 16,
    };
    let gas = h.assert_fails_with(EntryPoint::Query, b"{}", &expected, 2, |h| {
        h.backend(EntryPoint::Query)
    });
    assert_eq!(gas, 0, "nothing ran");
    report(
        2,
        "initial memory 40 pages, instance limit 16 pages",
        &format!("{expected:?}"),
        gas,
    );
}
