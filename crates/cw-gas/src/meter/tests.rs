use super::*;
use crate::{CosmWasmSchedule, NearSchedule};
use proptest::prelude::*;

#[test]
fn charge_before_work_and_exhaustion() {
    let mut m = GasMeter::new(CosmWasmSchedule::default(), CwGas::new(50_000));
    m.charge_host_call().unwrap();
    assert_eq!(m.used(), CwGas::new(18_000));
    m.charge_host_call().unwrap();
    assert_eq!(m.remaining(), CwGas::new(14_000));
    let err = m.charge_host_call().unwrap_err();
    assert_eq!(
        err,
        GasError::OutOfGas {
            limit: GasAmount::Cw(CwGas::new(50_000)),
            used: GasAmount::Cw(CwGas::new(50_000)),
            category: GasCategory::HostCalls,
        }
    );
    assert!(m.is_exhausted());
    assert_eq!(m.used(), m.limit());
    assert_eq!(m.used_by(GasCategory::HostCalls), CwGas::new(50_000));
    // A zero charge still fits (cosmwasm-vm's `process_gas_info` agrees).
    m.charge(GasCategory::Crypto, CwGas::ZERO).unwrap();
}

#[test]
fn price_overflow_is_out_of_gas_other_errors_pass() {
    let mut m = GasMeter::new(CosmWasmSchedule::default(), CwGas::new(1_000_000));
    let err = m.charge_region_read(u64::MAX).unwrap_err();
    assert!(matches!(
        err,
        GasError::OutOfGas {
            category: GasCategory::RegionCopies,
            ..
        }
    ));
    let mut m = GasMeter::new(CosmWasmSchedule::default(), CwGas::new(1_000_000));
    let err = m.charge_crypto(CryptoOp::Sha256 { bytes: 1 }).unwrap_err();
    assert!(matches!(err, GasError::Unpriced { .. }));
    assert!(!m.is_exhausted());
    assert_eq!(m.used(), CwGas::ZERO);
}

#[test]
fn near_limit_is_capped() {
    let m = GasMeter::new(NearSchedule::default(), NearGas::MAX);
    assert_eq!(m.limit(), NearGas::from_tgas(300).unwrap());
    let m = GasMeter::new(
        NearSchedule::with_max_gas_burnt(NearGas::new(7)),
        NearGas::new(9),
    );
    assert_eq!(m.limit(), NearGas::new(7));
}

#[test]
fn wasm_folding() {
    let mut m = GasMeter::new(CosmWasmSchedule::default(), CwGas::new(10_000));
    m.record_wasm_remaining(CwGas::new(9_000));
    assert_eq!(m.used_by(GasCategory::WasmOps), CwGas::new(1_000));
    // An instance claiming more than the meter has left mints nothing.
    m.record_wasm_remaining(CwGas::new(20_000));
    assert_eq!(m.used(), CwGas::new(1_000));
    let err = m.record_wasm_exhausted();
    assert!(matches!(
        err,
        GasError::OutOfGas {
            category: GasCategory::WasmOps,
            ..
        }
    ));
    assert_eq!(m.used(), CwGas::new(10_000));
}

#[test]
fn report_has_both_units() {
    let mut m = GasMeter::new(NearSchedule::default(), NearGas::from_tgas(1).unwrap());
    m.charge_host_call().unwrap();
    let r = m.report();
    assert_eq!(r.schedule, "near");
    assert_eq!(r.used.native, GasAmount::Near(NearGas::new(264_768_111)));
    assert_eq!(r.used.near_gas, Some(NearGas::new(264_768_111)));
    assert_eq!(r.used.cw_gas, CwGas::new(264_769));
    let text = r.to_string();
    assert!(text.contains("host_calls"), "{text}");
}

#[derive(Debug, Clone)]
enum Op {
    Host,
    Read(u64),
    Write(u64),
    Raw(u64),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        Just(Op::Host),
        (0u64..20_000_000).prop_map(Op::Read),
        any::<u64>().prop_map(Op::Write),
        any::<u64>().prop_map(Op::Raw),
    ]
}

proptest! {
    /// used <= limit always; the breakdown sums to used; a refused charge
    /// exhausts; an accepted one adds exactly the table's price.
    #[test]
    fn meter_invariants(limit in any::<u64>(), ops in proptest::collection::vec(op(), 0..40)) {
        let table = CosmWasmSchedule::default();
        let mut m = GasMeter::new(table, CwGas::new(limit));
        for op in ops {
            let before = m.used().as_u64();
            let (res, price) = match op {
                Op::Host => (m.charge_host_call(), Ok(table.host_call())),
                Op::Read(b) => (m.charge_region_read(b), table.region_read(b)),
                Op::Write(b) => (m.charge_region_write(b), table.region_write(b)),
                Op::Raw(a) => (m.charge(GasCategory::Queries, CwGas::new(a)), Ok(CwGas::new(a))),
            };
            match res {
                Ok(()) => prop_assert_eq!(m.used().as_u64() - before, price.unwrap().as_u64()),
                Err(GasError::OutOfGas { limit: l, used, .. }) => {
                    prop_assert_eq!(l, used);
                    prop_assert!(m.is_exhausted());
                }
                Err(e) => prop_assert!(false, "unexpected {e}"),
            }
            prop_assert!(m.used() <= m.limit());
            let sum: u64 = GasCategory::ALL.iter().map(|c| m.used_by(*c).as_u64()).sum();
            prop_assert_eq!(sum, m.used().as_u64());
        }
    }
}
