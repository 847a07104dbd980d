//! Charged gas equals the sum of the table's prices over the executed
//! operators, on generated modules, for both schedules.

use crate::programs::{expected_gas, program};
use crate::{Run, instantiate, run_main};
use cw_gas::{CosmWasmSchedule, CwGas, NearGas, NearSchedule};
use proptest::prelude::*;

fn check(branching: bool, p: &crate::programs::Program) -> Result<(), TestCaseError> {
    let wat = p.wat();
    let trace = p.trace();

    let cw = CosmWasmSchedule::default();
    let want = expected_gas(&cw, &trace);
    let (mut store, instance) = instantiate(cw, &wat, None);
    prop_assert_eq!(
        run_main::<CwGas>(&mut store, &instance, u64::MAX),
        Run::Completed { used: want },
        "cosmwasm\n{}",
        wat
    );
    // Exactly enough gas completes; one unit less does not.
    prop_assert_eq!(
        run_main::<CwGas>(&mut store, &instance, want),
        Run::Completed { used: want }
    );
    let r = run_main::<CwGas>(&mut store, &instance, want - 1);
    prop_assert!(matches!(r, Run::OutOfGas), "{:?}", r);

    let near = NearSchedule::default();
    let want = expected_gas(&near, &trace);
    let (mut store, instance) = instantiate(near, &wat, None);
    prop_assert_eq!(
        run_main::<NearGas>(&mut store, &instance, u64::MAX),
        Run::Completed { used: want },
        "near\n{}",
        wat
    );
    prop_assert_eq!(
        run_main::<NearGas>(&mut store, &instance, want),
        Run::Completed { used: want }
    );
    if want > 0 {
        let r = run_main::<NearGas>(&mut store, &instance, want - 1);
        prop_assert!(matches!(r, Run::OutOfGas), "{:?}", r);
    }
    let _ = branching;
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn straight_line_gas_is_sum_of_prices(p in program(false)) {
        check(false, &p)?;
    }

    #[test]
    fn branching_gas_is_sum_of_prices(p in program(true)) {
        check(true, &p)?;
    }
}

/// The locals surcharge is paid at function entry, also when the first
/// operator is an accounting one (cosmwasm-vm folds it into that charge).
#[test]
fn locals_surcharge_both_entry_shapes() {
    let cw = CosmWasmSchedule::default();
    // 40 declared locals: (40 - 29) * 115 = 1265.
    let locals = " (local".to_string() + &" i32".repeat(40) + ")";
    let plain_first = format!("(module (func (export \"main\") {locals} nop))");
    let (mut s, i) = instantiate(cw, &plain_first, None);
    assert_eq!(
        run_main::<CwGas>(&mut s, &i, 1 << 40),
        Run::Completed {
            used: 1_265 + 115 + 1_610
        }
    );
    let control_first = format!("(module (func (export \"main\") {locals} block end))");
    let (mut s, i) = instantiate(cw, &control_first, None);
    // block (plain) first: surcharge charged on its own, then block+end+end.
    assert_eq!(
        run_main::<CwGas>(&mut s, &i, 1 << 40),
        Run::Completed {
            used: 1_265 + 115 + 1_610 * 2
        }
    );
    let loop_first = format!("(module (func (export \"main\") {locals} loop end))");
    let (mut s, i) = instantiate(cw, &loop_first, None);
    assert_eq!(
        run_main::<CwGas>(&mut s, &i, 1 << 40),
        Run::Completed {
            used: 1_265 + 1_610 * 3
        }
    );
    // 29 locals: free.
    let locals29 = " (local".to_string() + &" i32".repeat(29) + ")";
    let (mut s, i) = instantiate(
        cw,
        &format!("(module (func (export \"main\") {locals29} nop))"),
        None,
    );
    assert_eq!(
        run_main::<CwGas>(&mut s, &i, 1 << 40),
        Run::Completed { used: 115 + 1_610 }
    );
}
