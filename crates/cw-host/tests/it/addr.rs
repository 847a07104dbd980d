//! addr_validate, addr_canonicalize, addr_humanize with both Apis.

use cw_gas::{GasCategory, GasMeter, NearGas, NearSchedule};
use cw_host::{Api, BackendError, Bech32Api, HostError, NearApi, imports};
use cw_region::RegionError;

use crate::support::{HOST_CALL, Harness, read_cost, string_cost, write_cost};

const CANON: u64 = 700_000;
const HUMAN: u64 = 560_000;

fn creator() -> String {
    Bech32Api::default().addr_make("creator").unwrap()
}

#[test]
fn validate_valid_address_with_exact_gas() {
    let mut h = Harness::new();
    let addr = creator();
    let ptr = h.place(addr.as_bytes());
    let n = addr.len() as u64;
    assert_eq!(
        h.with(|ctx, mem, alloc| imports::addr_validate(ctx, mem, alloc, ptr)),
        Ok(0)
    );
    assert_eq!(
        h.used(),
        HOST_CALL + read_cost(n) + string_cost(n) + CANON + HUMAN
    );
    assert_eq!(h.gas.used_by(GasCategory::HostCalls).as_u64(), HOST_CALL);
    assert_eq!(h.gas.used_by(GasCategory::Address).as_u64(), CANON + HUMAN);
}

/// Runs addr_validate on `input` and returns the message written back.
fn validate_message(h: &mut Harness<cw_gas::CosmWasmSchedule>, input: &[u8]) -> String {
    let ptr = h.place(input);
    let msg = h
        .with(|ctx, mem, alloc| imports::addr_validate(ctx, mem, alloc, ptr))
        .unwrap();
    assert_ne!(msg, 0);
    String::from_utf8(h.read(msg)).unwrap()
}

#[test]
fn validate_errors_are_returned_to_the_contract() {
    let mut h = Harness::new();
    assert_eq!(validate_message(&mut h, b""), "Input is empty");
    // Empty input pays no string_from_bytes and no api price.
    assert_eq!(h.used(), HOST_CALL + read_cost(0) + write_cost(14));

    let before = h.used();
    assert_eq!(
        validate_message(&mut h, b"\xff\xfe"),
        "Input is not valid UTF-8"
    );
    assert_eq!(
        h.used() - before,
        HOST_CALL + read_cost(2) + string_cost(2) + write_cost(24)
    );

    let before = h.used();
    let addr = creator();
    let mut mixed = addr.clone();
    mixed.replace_range(0..1, "C");
    assert_eq!(
        validate_message(&mut h, mixed.as_bytes()),
        "Error decoding bech32"
    );
    let n = mixed.len() as u64;
    // A failed canonicalization pays its own price only.
    assert_eq!(
        h.used() - before,
        HOST_CALL + read_cost(n) + string_cost(n) + CANON + write_cost(21)
    );

    let before = h.used();
    assert_eq!(
        validate_message(&mut h, addr.to_uppercase().as_bytes()),
        "Invalid input: address not normalized"
    );
    assert_eq!(
        h.used() - before,
        HOST_CALL + read_cost(n) + string_cost(n) + CANON + HUMAN + write_cost(37)
    );

    let juno = Bech32Api::new("juno").addr_make("creator").unwrap();
    assert_eq!(
        validate_message(&mut h, juno.as_bytes()),
        "Wrong bech32 prefix"
    );
    assert_eq!(
        validate_message(&mut h, b"alice.near"),
        "Error decoding bech32"
    );
}

#[test]
fn oversized_inputs_trap_with_the_limit() {
    let mut h = Harness::new();
    let long = h.place(&[b'a'; 257]);
    let dest = h.out(64);
    assert_eq!(
        h.with(|ctx, mem, alloc| imports::addr_validate(ctx, mem, alloc, long)),
        Err(HostError::TooLarge {
            what: "human address",
            length: 257,
            limit: 256
        })
    );
    assert!(matches!(
        h.with(|ctx, mem, alloc| imports::addr_canonicalize(ctx, mem, alloc, long, dest)),
        Err(HostError::TooLarge {
            what: "human address",
            ..
        })
    ));
    let canon = h.place(&[1; 65]);
    assert_eq!(
        h.with(|ctx, mem, alloc| imports::addr_humanize(ctx, mem, alloc, canon, dest)),
        Err(HostError::TooLarge {
            what: "canonical address",
            length: 65,
            limit: 64
        })
    );
}

#[test]
fn canonicalize_and_humanize_round_trip() {
    let mut h = Harness::new();
    let addr = creator();
    let src = h.place(addr.as_bytes());
    let dest = h.out(64);
    assert_eq!(
        h.with(|ctx, mem, alloc| imports::addr_canonicalize(ctx, mem, alloc, src, dest)),
        Ok(0)
    );
    let canonical = h.read(dest);
    assert_eq!(canonical.len(), 32);
    let n = addr.len() as u64;
    assert_eq!(
        h.used(),
        HOST_CALL + read_cost(n) + string_cost(n) + CANON + write_cost(32)
    );

    let before = h.used();
    let src = h.place(&canonical);
    let dest = h.out(90);
    assert_eq!(
        h.with(|ctx, mem, alloc| imports::addr_humanize(ctx, mem, alloc, src, dest)),
        Ok(0)
    );
    assert_eq!(h.read(dest), addr.as_bytes());
    assert_eq!(
        h.used() - before,
        HOST_CALL + read_cost(32) + HUMAN + write_cost(n)
    );
}

#[test]
fn canonicalize_and_humanize_errors() {
    let mut h = Harness::new();
    let dest = h.out(64);
    let bad = h.place(b"cosmwasm1xyz");
    let msg = h
        .with(|ctx, mem, alloc| imports::addr_canonicalize(ctx, mem, alloc, bad, dest))
        .unwrap();
    assert_eq!(h.read(msg), b"Error decoding bech32");
    assert_eq!(h.read(dest), b"", "destination untouched");

    let empty = h.place(b"");
    let msg = h
        .with(|ctx, mem, alloc| imports::addr_canonicalize(ctx, mem, alloc, empty, dest))
        .unwrap();
    assert_eq!(h.read(msg), b"Input is empty");

    let msg = h
        .with(|ctx, mem, alloc| imports::addr_humanize(ctx, mem, alloc, empty, dest))
        .unwrap();
    assert_eq!(h.read(msg), b"Invalid canonical address length");

    // A destination too small for the result is a trap (cosmwasm-vm's
    // region-too-small).
    let addr = creator();
    let src = h.place(addr.as_bytes());
    let tiny = h.out(8);
    assert!(matches!(
        h.with(|ctx, mem, alloc| imports::addr_canonicalize(ctx, mem, alloc, src, tiny)),
        Err(HostError::Region(RegionError::WriteExceedsCapacity {
            data_length: 32,
            capacity: 8
        }))
    ));
}

/// An api that always fails with a backend fault.
struct DownApi;

impl Api for DownApi {
    fn addr_canonicalize(&self, _human: &str) -> Result<Vec<u8>, BackendError> {
        Err(BackendError::Unavailable { backend: "api" })
    }
    fn addr_humanize(&self, _canonical: &[u8]) -> Result<String, BackendError> {
        Err(BackendError::Other {
            message: "down".into(),
        })
    }
}

#[test]
fn api_faults_trap() {
    let mut h = Harness::new();
    h.api = Box::new(DownApi);
    let src = h.place(b"anything");
    let dest = h.out(64);
    assert!(matches!(
        h.with(|ctx, mem, alloc| imports::addr_validate(ctx, mem, alloc, src)),
        Err(HostError::Backend {
            import: "addr_validate",
            source: BackendError::Unavailable { backend: "api" },
            ..
        })
    ));
    assert!(matches!(
        h.with(|ctx, mem, alloc| imports::addr_humanize(ctx, mem, alloc, src, dest)),
        Err(HostError::Backend {
            import: "addr_humanize",
            ..
        })
    ));
}

#[test]
fn near_api_through_the_imports() {
    let mut h = Harness::new();
    h.api = Box::new(NearApi);
    let alice = h.place(b"alice.near");
    assert_eq!(
        h.with(|ctx, mem, alloc| imports::addr_validate(ctx, mem, alloc, alice)),
        Ok(0)
    );
    let implicit = "98793cd91a3f870fb126f66285808c7e094afcfc4eda8a970f6648cdf0dbd6de";
    let src = h.place(implicit.as_bytes());
    let dest = h.out(64);
    assert_eq!(
        h.with(|ctx, mem, alloc| imports::addr_canonicalize(ctx, mem, alloc, src, dest)),
        Ok(0)
    );
    let canonical = h.read(dest);
    assert_eq!(canonical.len(), 33);
    let src = h.place(&canonical);
    let human = h.out(90);
    assert_eq!(
        h.with(|ctx, mem, alloc| imports::addr_humanize(ctx, mem, alloc, src, human)),
        Ok(0)
    );
    assert_eq!(h.read(human), implicit.as_bytes());

    let bad = h.place(b"Alice.near");
    let msg = h
        .with(|ctx, mem, alloc| imports::addr_validate(ctx, mem, alloc, bad))
        .unwrap();
    assert!(
        String::from_utf8(h.read(msg))
            .unwrap()
            .starts_with("Invalid NEAR account id")
    );
}

#[test]
fn address_prices_convert_to_near_gas() {
    let mut h = Harness::with_meter(GasMeter::new(
        NearSchedule::default(),
        NearGas::from_tgas(300).unwrap(),
    ));
    let addr = creator();
    let ptr = h.place(addr.as_bytes());
    h.with(|ctx, mem, alloc| imports::addr_validate(ctx, mem, alloc, ptr))
        .unwrap();
    // The address prices are CosmWasm gas x 1,000, beside the host call.
    let host_call = cw_gas::CostTable::host_call(h.gas.table()).as_u64();
    assert_eq!(h.gas.used_by(GasCategory::HostCalls).as_u64(), host_call);
    assert_eq!(
        h.gas.used_by(GasCategory::Address).as_u64(),
        (CANON + HUMAN) * 1_000
    );
}
