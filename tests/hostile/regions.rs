//! Item 4: regions. Null, out-of-bounds and malformed region pointers handed
//! to an import or returned as a result, and an `allocate` that returns the
//! null pointer, garbage, a region too small, traps or loops.

use cw_host::{EntryPoint, HostError, VmFailure};
use cw_region::{MemoryAccessError, RegionError};

use crate::abi::{self, MEMORY_BYTES, alloc, region, select};
use crate::harness::{Hostile, report};

fn hostile_abi() -> Hostile {
    Hostile::wat(abi::module(), abi::OK_TEXT)
}

/// Every way a region pointer can be bad, each with its exact error.
fn bad_regions() -> Vec<(&'static str, u32, RegionError)> {
    let memory_size_bytes = u64::from(MEMORY_BYTES);
    vec![
        // Address 0 holds no region in this module: the struct there is
        // read (as cosmwasm-vm reads it) and has a null offset.
        ("pointer 0", 0, RegionError::NullOffset { ptr: 0 }),
        (
            "pointer past the end of memory",
            0xFFFF_FFF8,
            RegionError::PointerOutOfMemory {
                ptr: 0xFFFF_FFF8,
                memory_size_bytes,
            },
        ),
        (
            "region struct straddling the end of memory",
            MEMORY_BYTES - 8,
            RegionError::PointerOutOfMemory {
                ptr: MEMORY_BYTES - 8,
                memory_size_bytes,
            },
        ),
        (
            "null data offset",
            region::NULL_OFFSET,
            RegionError::NullOffset {
                ptr: region::NULL_OFFSET,
            },
        ),
        (
            "length > capacity",
            region::LENGTH_OVER_CAPACITY,
            RegionError::LengthExceedsCapacity {
                length: 8,
                capacity: 4,
            },
        ),
        (
            "offset + capacity overflows u32",
            region::CAPACITY_OVERFLOW,
            RegionError::CapacityOverflow {
                offset: 0xFFFF_FFF0,
                capacity: 0x20,
            },
        ),
        (
            "data past the end of memory",
            region::PAST_END,
            RegionError::MemoryAccess(MemoryAccessError::new(
                MEMORY_BYTES - 4,
                16,
                memory_size_bytes,
            )),
        ),
    ]
}

#[test]
fn bad_region_arguments_trap_with_the_region_error() {
    let mut h = hostile_abi();
    // db_write with a bad value region: the store must not change, in a
    // store that already holds the key.
    crate::harness::put(&h.store, b"key", b"before");
    for (case, ptr, error) in bad_regions() {
        for (import, selector) in [
            ("db_read", select::DB_READ),
            ("db_write value", select::DB_WRITE_VALUE),
            ("db_write key", select::DB_WRITE_KEY),
            ("addr_validate", select::ADDR_VALIDATE),
            ("debug", select::DEBUG),
            ("query_chain", select::QUERY_CHAIN),
        ] {
            let expected = VmFailure::Host(HostError::Region(error.clone()));
            let gas = h.assert_fails(EntryPoint::Execute, &abi::msg(selector, ptr), &expected, 2);
            report(
                4,
                &format!("{import}: {case}"),
                &format!("{expected:?}"),
                gas,
            );
        }
    }
}

#[test]
fn bad_result_regions_are_refused() {
    let mut h = hostile_abi();
    for (case, ptr, error) in bad_regions() {
        for entry in [EntryPoint::Execute, EntryPoint::Query] {
            let expected = VmFailure::BadResult(error.clone());
            let gas = h.assert_fails(entry, &abi::msg(select::RETURN, ptr), &expected, 2);
            report(
                4,
                &format!("{entry:?} returns: {case}"),
                &format!("{expected:?}"),
                gas,
            );
        }
    }
}

#[test]
fn a_trapping_deallocate_fails_the_call_after_the_result_was_read() {
    let mut h = hostile_abi();
    let expected = VmFailure::Trap {
        message: "unreachable".into(),
    };
    let gas = h.assert_fails(
        EntryPoint::Execute,
        &abi::msg(select::RETURN, region::TRAP_ON_FREE),
        &expected,
        2,
    );
    report(
        4,
        "deallocate traps on the result",
        &format!("{expected:?}"),
        gas,
    );
}

/// The host allocates in the contract to return data (here `db_read`'s
/// value); the allocator's answer is checked like any region.
#[test]
fn a_hostile_allocate_called_by_an_import() {
    let mut h = hostile_abi();
    let memory_size_bytes = u64::from(MEMORY_BYTES);
    let cases = [
        (
            "allocate returns 0",
            alloc::NULL,
            VmFailure::Host(HostError::ZeroAddress { size: alloc::NULL }),
        ),
        (
            "allocate returns garbage",
            alloc::GARBAGE,
            VmFailure::Host(HostError::Region(RegionError::PointerOutOfMemory {
                ptr: alloc::GARBAGE_POINTER,
                memory_size_bytes,
            })),
        ),
        (
            "allocate returns a region too small",
            alloc::TOO_SMALL,
            VmFailure::Host(HostError::Region(RegionError::WriteExceedsCapacity {
                data_length: alloc::TOO_SMALL as usize,
                capacity: 1,
            })),
        ),
        (
            "allocate traps",
            alloc::TRAP,
            VmFailure::Host(HostError::Allocation {
                size: alloc::TRAP,
                message: "unreachable".into(),
            }),
        ),
    ];
    for (case, size, expected) in cases {
        crate::harness::put(&h.store, b"key", &vec![7; size as usize]);
        let gas = h.assert_fails(
            EntryPoint::Execute,
            &abi::msg(select::DB_READ, region::KEY),
            &expected,
            2,
        );
        report(
            4,
            &format!("db_read result: {case}"),
            &format!("{expected:?}"),
            gas,
        );
    }
}

/// An `allocate` that loops while an import waits for it must end the call
/// as out of gas, as cosmwasm-vm reports it (`VmError::GasDepletion`), with
/// the whole limit used (before 80c2eb1: `Host(Allocation { message:
/// "unreachable" })`, the metering trap's text).
#[test]
fn an_allocate_that_loops_inside_an_import_runs_out_of_gas() {
    let mut h = hostile_abi();
    crate::harness::put(&h.store, b"key", &vec![7; alloc::LOOP as usize]);
    let gas = h.assert_fails(
        EntryPoint::Execute,
        &abi::msg(select::DB_READ, region::KEY),
        &VmFailure::OutOfGas,
        2,
    );
    assert_eq!(gas, crate::harness::GAS_LIMIT);
    report(4, "db_read result: allocate loops", "OutOfGas", gas);
}

/// The runtime allocates the arguments (env, info, message) through the
/// contract's `allocate` before the entry point runs.
#[test]
fn a_hostile_allocate_called_for_the_arguments() {
    let mut h = hostile_abi();
    let memory_size_bytes = u64::from(MEMORY_BYTES);
    let cases = [
        (
            "allocate returns 0",
            alloc::NULL,
            VmFailure::Host(HostError::ZeroAddress { size: alloc::NULL }),
        ),
        (
            "allocate returns garbage",
            alloc::GARBAGE,
            VmFailure::BadResult(RegionError::PointerOutOfMemory {
                ptr: alloc::GARBAGE_POINTER,
                memory_size_bytes,
            }),
        ),
        (
            "allocate returns a region too small",
            alloc::TOO_SMALL,
            VmFailure::BadResult(RegionError::WriteExceedsCapacity {
                data_length: alloc::TOO_SMALL as usize,
                capacity: 1,
            }),
        ),
        (
            "allocate traps",
            alloc::TRAP,
            VmFailure::Trap {
                message: "unreachable".into(),
            },
        ),
    ];
    for (case, size, expected) in cases {
        let msg = vec![b' '; size as usize];
        let gas = h.assert_fails(EntryPoint::Execute, &msg, &expected, 2);
        report(
            4,
            &format!("message argument: {case}"),
            &format!("{expected:?}"),
            gas,
        );
    }
    let msg = vec![b' '; alloc::LOOP as usize];
    let gas = h.assert_fails(EntryPoint::Execute, &msg, &VmFailure::OutOfGas, 2);
    assert_eq!(gas, crate::harness::GAS_LIMIT);
    report(4, "message argument: allocate loops", "OutOfGas", gas);
}
