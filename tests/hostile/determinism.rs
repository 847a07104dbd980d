//! The engine-level part of issue 11's determinism requirement: the same
//! call on the same code and state gives the same result and gas, whatever
//! ran before on the node. (The multi-contract scenario run 50 times across
//! cache tiers and threads needs the chain layer, issue 7.)
//!
//! cosmwasm-vm runs every call of a chain on a fresh instance, and so does
//! `WasmContract` (since 80c2eb1; before, it kept its instance between calls
//! that did not trap, so the guest's heap and globals carried over and gas
//! depended on the instance's history, which differs between a node that
//! restarted and one that did not). Since `ContractInstance::reset` the
//! instance is reused but reset to its instantiated state before each call,
//! so these regression tests now check the reset path.

use cw_host::EntryPoint;
use cw_runtime::{InstanceOptions, WasmContract};

use crate::abi;
use crate::harness::{GAS_LIMIT, Hostile, Map, Schedule, backend_with, call_contract};

fn call(
    contract: &mut WasmContract<Schedule>,
    store: &Map,
    entry: EntryPoint,
    msg: &[u8],
) -> crate::harness::Outcome {
    let backend = backend_with(
        entry,
        store,
        GAS_LIMIT,
        Box::new(cw_host::testing::MockQuerier::new()),
    );
    call_contract(contract, entry, msg, backend).0
}

/// The probe's allocator grows memory on a fresh instance and reuses freed
/// heap on a used one: on a reused instance the same message cost 266,455
/// gas less the second time.
#[test]
fn a_call_costs_the_same_on_a_used_instance_as_on_a_fresh_one() {
    let module = Hostile::probe().module().clone();
    let msg = br#"{"grow_memory":{"pages":600}}"#;
    let store = Map::default();
    let mut fresh = WasmContract::new(module.clone(), InstanceOptions::default());
    let on_fresh = call(&mut fresh, &store, EntryPoint::Execute, msg);
    let mut used = WasmContract::new(module, InstanceOptions::default());
    let warm_up = call(
        &mut used,
        &store,
        EntryPoint::Query,
        br#"{"read":{"key":"aw=="}}"#,
    );
    assert!(warm_up.result.is_ok());
    let on_used = call(&mut used, &store, EntryPoint::Execute, msg);
    assert_eq!(on_used.result, on_fresh.result);
    assert_eq!(on_used.gas_used, on_fresh.gas_used);
}

/// On a reused instance a contract could keep state outside storage: a
/// global counter made the same message on the same store answer `1`, then
/// `2`.
#[test]
fn guest_state_does_not_survive_between_calls() {
    let code = abi::module_with_execute_and(
        "(global.set $calls (i32.add (global.get $calls) (i32.const 1)))
         (i32.store8 (i32.const 0x804) (i32.add (i32.const 0x30) (global.get $calls)))
         (i32.const 0x100)",
        "(global $calls (mut i32) (i32.const 0))",
    );
    let h = Hostile::wat(code, abi::OK_TEXT);
    let store = Map::default();
    let mut contract = WasmContract::new(h.module().clone(), InstanceOptions::default());
    let first = call(&mut contract, &store, EntryPoint::Execute, b"{}");
    let second = call(&mut contract, &store, EntryPoint::Execute, b"{}");
    // The counter's digit replaces the fifth byte of `{"ok":"b2s="}`.
    assert_eq!(first.result, Ok(br#"{"ok1:"b2s="}"#.to_vec()));
    assert_eq!(second, first, "the second call saw the first call's state");
}
