//! db_read, db_write, db_remove: happy paths, every error path, gas.

use cw_gas::{CosmWasmSchedule, CwGas, GasError, GasMeter, NearGas, NearSchedule};
use cw_host::testing::{BumpAllocator, MockQuerier};
use cw_host::{
    BackendError, Bech32Api, CallState, EntryPoint, GuestAllocator, HostContext, HostError,
    Storage, TracingDebugHandler, imports,
};
use cw_region::RegionError;
use cw_region::testing::VecMemory;

use crate::support::{BrokenStorage, HOST_CALL, Harness, read_cost, write_cost};

#[test]
fn write_read_remove_round_trip_with_exact_gas() {
    let mut h = Harness::new();
    let key = h.place(b"key");
    let value = h.place(b"value");

    h.with(|ctx, mem, _| imports::db_write(ctx, mem, key, value))
        .unwrap();
    assert_eq!(h.used(), HOST_CALL + read_cost(3) + read_cost(5));
    assert_eq!(h.storage.get(b"key").unwrap(), Some(b"value".to_vec()));

    let before = h.used();
    let ptr = h
        .with(|ctx, mem, alloc| imports::db_read(ctx, mem, alloc, key))
        .unwrap();
    assert_ne!(ptr, 0);
    assert_eq!(h.read(ptr), b"value");
    assert_eq!(h.used() - before, HOST_CALL + read_cost(3) + write_cost(5));

    let before = h.used();
    h.with(|ctx, mem, _| imports::db_remove(ctx, mem, key))
        .unwrap();
    assert_eq!(h.used() - before, HOST_CALL + read_cost(3));
    assert_eq!(h.storage.get(b"key").unwrap(), None);
}

#[test]
fn read_of_missing_key_returns_zero_and_allocates_nothing() {
    let mut h = Harness::new();
    let key = h.place(b"nothing");
    let (ptr, allocations) = h.with(|ctx, mem, alloc| {
        let ptr = imports::db_read(ctx, mem, alloc, key).unwrap();
        (ptr, alloc.allocations().len())
    });
    assert_eq!(ptr, 0);
    assert_eq!(allocations, 0);
    assert_eq!(h.used(), HOST_CALL + read_cost(7));
}

#[test]
fn empty_value_is_stored_and_read_back() {
    let mut h = Harness::new();
    let key = h.place(b"k");
    let value = h.place(b"");
    h.with(|ctx, mem, _| imports::db_write(ctx, mem, key, value))
        .unwrap();
    let ptr = h
        .with(|ctx, mem, alloc| imports::db_read(ctx, mem, alloc, key))
        .unwrap();
    assert_ne!(ptr, 0, "an empty value exists");
    assert_eq!(h.read(ptr), b"");
}

#[test]
fn oversized_key_and_value_are_typed_errors_naming_the_limit() {
    let mut h = Harness::new();
    let big_key = h.place(&vec![7; 64 * 1024 + 1]);
    let ok_key = h.place(b"k");
    let big_value = h.place(&vec![7; 128 * 1024 + 1]);

    let err = h
        .with(|ctx, mem, alloc| imports::db_read(ctx, mem, alloc, big_key))
        .unwrap_err();
    assert_eq!(
        err,
        HostError::TooLarge {
            what: "db key",
            length: 64 * 1024 + 1,
            limit: 64 * 1024
        }
    );
    // cosmwasm-vm charges the region read for its length before checking the limit.
    assert_eq!(h.used(), HOST_CALL + read_cost(64 * 1024 + 1));

    let err = h
        .with(|ctx, mem, _| imports::db_write(ctx, mem, ok_key, big_value))
        .unwrap_err();
    assert!(
        matches!(err, HostError::TooLarge { what: "db value", limit, .. } if limit == 128 * 1024)
    );
    assert!(err.to_string().contains("db value too big"), "{err}");
    assert!(h.storage.as_map().is_empty());

    let err = h
        .with(|ctx, mem, _| imports::db_remove(ctx, mem, big_key))
        .unwrap_err();
    assert!(matches!(err, HostError::TooLarge { what: "db key", .. }));
}

#[test]
fn bad_regions_trap() {
    let mut h = Harness::new();
    let value = h.place(b"v");
    let err = h
        .with(|ctx, mem, alloc| imports::db_read(ctx, mem, alloc, u32::MAX - 4))
        .unwrap_err();
    assert!(matches!(
        err,
        HostError::Region(RegionError::PointerOutOfMemory { .. })
    ));
    let err = h
        .with(|ctx, mem, _| imports::db_write(ctx, mem, 1 << 30, value))
        .unwrap_err();
    assert!(matches!(
        err,
        HostError::Region(RegionError::PointerOutOfMemory { .. })
    ));
    // Only the host calls were paid: the bad regions were refused before any copy.
    assert_eq!(h.used(), 2 * HOST_CALL);
}

#[test]
fn read_only_call_refuses_writes_and_removes() {
    let mut h = Harness::query();
    h.storage.set(b"k", b"old").unwrap();
    let key = h.place(b"k");
    let value = h.place(b"new");
    assert_eq!(
        h.with(|ctx, mem, _| imports::db_write(ctx, mem, key, value)),
        Err(HostError::ReadOnly { import: "db_write" })
    );
    assert_eq!(
        h.with(|ctx, mem, _| imports::db_remove(ctx, mem, key)),
        Err(HostError::ReadOnly {
            import: "db_remove"
        })
    );
    assert_eq!(h.storage.get(b"k").unwrap(), Some(b"old".to_vec()));
    // The refusal comes right after the host-call charge, as in cosmwasm-vm.
    assert_eq!(h.used(), 2 * HOST_CALL);
    // Reads still work.
    let ptr = h
        .with(|ctx, mem, alloc| imports::db_read(ctx, mem, alloc, key))
        .unwrap();
    assert_eq!(h.read(ptr), b"old");
    assert!(
        HostError::ReadOnly { import: "db_write" }
            .to_string()
            .contains("read-only")
    );
}

#[test]
fn out_of_gas_write_changes_nothing() {
    let needed = HOST_CALL + read_cost(1) + read_cost(1);
    let mut h = Harness::with_limit(needed - 1);
    let key = h.place(b"k");
    let value = h.place(b"v");
    let err = h
        .with(|ctx, mem, _| imports::db_write(ctx, mem, key, value))
        .unwrap_err();
    assert!(matches!(err, HostError::Gas(GasError::OutOfGas { .. })));
    assert!(h.storage.as_map().is_empty());
    assert!(h.gas.is_exhausted());
    assert_eq!(h.used(), needed - 1);

    // With exactly enough gas it succeeds.
    let mut h = Harness::with_limit(needed);
    let key = h.place(b"k");
    let value = h.place(b"v");
    h.with(|ctx, mem, _| imports::db_write(ctx, mem, key, value))
        .unwrap();
    assert_eq!(h.gas.remaining(), CwGas::ZERO);
}

#[test]
fn storage_gas_comes_from_the_schedule_before_the_write() {
    // Default schedule: storage costs SDK gas x 140,000.
    let schedule = CosmWasmSchedule::default();
    let write_sdk = 2_000 + 30 * (1 + 5);
    let needed = HOST_CALL + read_cost(1) + read_cost(5) + write_sdk * 140_000;
    let mut h = Harness::with_meter(GasMeter::new(schedule, CwGas::new(needed - 1)));
    let key = h.place(b"k");
    let value = h.place(b"value");
    let err = h
        .with(|ctx, mem, _| imports::db_write(ctx, mem, key, value))
        .unwrap_err();
    assert!(matches!(err, HostError::Gas(GasError::OutOfGas { .. })));
    assert!(h.storage.as_map().is_empty(), "out of gas writes nothing");

    let mut h = Harness::with_meter(GasMeter::new(schedule, CwGas::new(needed)));
    let key = h.place(b"k");
    let value = h.place(b"value");
    h.with(|ctx, mem, _| imports::db_write(ctx, mem, key, value))
        .unwrap();
    assert_eq!(h.used(), needed);
    // A read of a present key pays for key and value bytes.
    let mut h2 = Harness::with_meter(GasMeter::new(schedule, CwGas::new(u64::MAX)));
    h2.storage.set(b"k", b"value").unwrap();
    let key = h2.place(b"k");
    h2.with(|ctx, mem, alloc| imports::db_read(ctx, mem, alloc, key))
        .unwrap();
    let read_sdk = 1_000 + 3 * (1 + 5);
    assert_eq!(
        h2.used(),
        HOST_CALL + read_cost(1) + read_sdk * 140_000 + write_cost(5)
    );
}

#[test]
fn near_schedule_meters_in_near_gas() {
    let mut h = Harness::with_meter(GasMeter::new(
        NearSchedule::default(),
        NearGas::from_tgas(300).unwrap(),
    ));
    let key = h.place(b"key");
    let value = h.place(b"value");
    h.with(|ctx, mem, _| imports::db_write(ctx, mem, key, value))
        .unwrap();
    let ptr = h
        .with(|ctx, mem, alloc| imports::db_read(ctx, mem, alloc, key))
        .unwrap();
    assert_eq!(h.read(ptr), b"value");
    assert!(h.used() > 0);
}

#[test]
fn backend_faults_are_typed_and_carry_gas() {
    let memory = VecMemory::default();
    let key = memory.place_region(b"k", 1).unwrap();
    let value = memory.place_region(b"v", 1).unwrap();
    let mut storage = BrokenStorage;
    let api = Bech32Api::default();
    let querier = MockQuerier::new();
    let mut gas = GasMeter::new(CosmWasmSchedule::with_free_storage(), CwGas::new(u64::MAX));
    let mut call = CallState::for_entry_point(EntryPoint::Execute);
    let mut debug = TracingDebugHandler;
    let mut ctx = HostContext {
        storage: &mut storage,
        api: &api,
        querier: &querier,
        gas: &mut gas,
        call: &mut call,
        debug: &mut debug,
    };
    let mut alloc = BumpAllocator::new(&memory);
    let err = imports::db_read(&mut ctx, &memory, &mut alloc, key).unwrap_err();
    let expected_gas = HOST_CALL + read_cost(1);
    match err {
        HostError::Backend {
            import: "db_read",
            source: BackendError::Unavailable { backend: "storage" },
            gas_used,
        } => assert_eq!(gas_used.as_u64(), expected_gas),
        other => panic!("unexpected {other:?}"),
    }
    assert!(matches!(
        imports::db_write(&mut ctx, &memory, key, value),
        Err(HostError::Backend {
            import: "db_write",
            ..
        })
    ));
    assert!(matches!(
        imports::db_remove(&mut ctx, &memory, key),
        Err(HostError::Backend {
            import: "db_remove",
            ..
        })
    ));
    let id = imports::db_scan(&mut ctx, &memory, 0, 0, 1).unwrap();
    assert!(matches!(
        imports::db_next(&mut ctx, &memory, &mut alloc, id),
        Err(HostError::Backend {
            import: "db_next",
            ..
        })
    ));
}

/// An allocator that returns `ptr` (0 to test the null check) or fails.
struct FixedAllocator(Option<u32>);

impl GuestAllocator for FixedAllocator {
    fn allocate(&mut self, size: u32, _gas_left: &mut u64) -> Result<u32, HostError> {
        self.0.ok_or(HostError::Allocation {
            size,
            message: "trap in allocate".into(),
        })
    }
}

#[test]
fn allocator_failures_trap() {
    let mut h = Harness::new();
    h.storage.set(b"k", b"value").unwrap();
    let key = h.place(b"k");
    let err = h
        .with(|ctx, mem, _| imports::db_read(ctx, mem, &mut FixedAllocator(Some(0)), key))
        .unwrap_err();
    assert_eq!(err, HostError::ZeroAddress { size: 5 });
    let err = h
        .with(|ctx, mem, _| imports::db_read(ctx, mem, &mut FixedAllocator(None), key))
        .unwrap_err();
    assert!(matches!(err, HostError::Allocation { size: 5, .. }));
}
