//! The probe's misbehaviour through our runtime: each ends in the expected
//! deterministic failure, at the same gas on every run, with storage as it
//! was, and the instance that trapped refuses further calls.

use crate::support;
use cw_gas::CosmWasmSchedule;
use cw_host::{EntryPoint, HostError};
use cw_runtime::{
    CompileConfig, CompiledModule, ContractInstance, InstanceOptions, ValidationConfig, VmFailure,
    compile,
};

const GAS_LIMIT: u64 = 2_000_000_000;

fn probe() -> CompiledModule {
    let config = CompileConfig {
        table: CosmWasmSchedule::default(),
        stack_limit_bytes: Some(cw_gas::middleware::DEFAULT_STACK_LIMIT_BYTES),
        validation: ValidationConfig::default(),
    };
    compile(&tests::fixture_bytes("probe"), &config).unwrap().0
}

/// Runs one call on a fresh instance over `map`; returns the outcome, the
/// gas used and whether the instance is poisoned afterwards.
fn run(
    module: &CompiledModule,
    map: &support::Map,
    entry: EntryPoint,
    msg: &str,
) -> (Result<Vec<u8>, VmFailure>, u64, bool) {
    let mut instance = ContractInstance::new(module, &InstanceOptions::default()).unwrap();
    let (result, used) =
        support::call(&mut instance, map, entry, msg, "cosmwasm1sender", GAS_LIMIT);
    (result, used, instance.is_poisoned())
}

/// Runs `msg` three times from the same state; all runs must agree.
fn run_thrice(
    module: &CompiledModule,
    entry: EntryPoint,
    msg: &str,
) -> (Result<Vec<u8>, VmFailure>, u64) {
    let map = support::Map::default();
    support::put(&map, b"k", b"v");
    let before = support::dump(&map);
    let first = run(module, &map, entry, msg);
    for _ in 0..2 {
        let again = run(module, &map, entry, msg);
        assert_eq!(
            (&again.0, again.1),
            (&first.0, first.1),
            "{msg} is not deterministic"
        );
    }
    if first.0.is_err() {
        assert_eq!(
            support::dump(&map),
            before,
            "{msg} changed storage although it failed"
        );
        assert!(first.2, "{msg}: a trapped instance must be poisoned");
    }
    (first.0, first.1)
}

#[test]
fn infinite_loop_runs_out_of_gas_at_the_limit() {
    let module = probe();
    let (result, used) = run_thrice(&module, EntryPoint::Execute, r#"{"loop":{}}"#);
    assert_eq!(result, Err(VmFailure::OutOfGas));
    assert_eq!(used, GAS_LIMIT);
    let (result, used) = run_thrice(&module, EntryPoint::Query, r#"{"loop":{}}"#);
    assert_eq!(result, Err(VmFailure::OutOfGas));
    assert_eq!(used, GAS_LIMIT);
}

/// The probe keeps its frames on its own Rust stack in linear memory (1
/// MiB), which runs out before the deterministic limit (12 MiB of counted
/// frames; bare Wasm recursion reaches it: tests/hostile/recursion.rs): the
/// stack pointer wraps below 0 and the next store is out of bounds, the
/// same way on every run.
#[test]
fn deep_recursion_exhausts_the_contracts_own_stack_deterministically() {
    let module = probe();
    let (result, used) = run_thrice(
        &module,
        EntryPoint::Execute,
        r#"{"recurse":{"depth":10000000}}"#,
    );
    assert_eq!(
        result,
        Err(VmFailure::Trap {
            message: "out of bounds memory access".into()
        })
    );
    assert!(used < GAS_LIMIT, "stopped by the stack, not by gas");
    let (result, _) = run_thrice(&module, EntryPoint::Execute, r#"{"recurse":{"depth":100}}"#);
    assert!(result.is_ok(), "shallow recursion works: {result:?}");
}

#[test]
fn panics_and_aborts_reach_the_caller() {
    let module = probe();
    let (result, _) = run_thrice(&module, EntryPoint::Execute, r#"{"panic":{"msg":"boom"}}"#);
    match result {
        Err(VmFailure::Aborted { message }) => assert!(message.contains("boom"), "{message}"),
        other => panic!("expected an abort, got {other:?}"),
    }
    let (result, _) = run_thrice(
        &module,
        EntryPoint::Execute,
        r#"{"abort":{"msg":"exactly this"}}"#,
    );
    assert_eq!(
        result,
        Err(VmFailure::Aborted {
            message: "exactly this".into()
        })
    );
}

#[test]
fn writes_inside_a_query_are_refused() {
    let module = probe();
    for msg in [
        r#"{"write_in_query":{"key":"aw==","value":"dg=="}}"#,
        r#"{"remove_in_query":{"key":"aw=="}}"#,
    ] {
        let (result, _) = run_thrice(&module, EntryPoint::Query, msg);
        assert!(
            matches!(result, Err(VmFailure::Host(HostError::ReadOnly { .. }))),
            "{msg}: {result:?}"
        );
    }
}

#[test]
fn memory_beyond_the_limit_is_refused_to_the_contract() {
    let module = probe();
    // 32 MiB = 512 pages; growing past it returns -1 to the contract, which reports an error.
    let (result, _) = run_thrice(
        &module,
        EntryPoint::Execute,
        r#"{"grow_memory":{"pages":600}}"#,
    );
    let bytes = result.expect("a contract error is a result, not a VM failure");
    let text = String::from_utf8(bytes).unwrap();
    assert!(text.contains("memory.grow by 600 pages failed"), "{text}");
    let (result, _) = run_thrice(
        &module,
        EntryPoint::Execute,
        r#"{"allocate":{"bytes":100000000}}"#,
    );
    assert!(matches!(result, Err(VmFailure::Trap { .. })), "{result:?}");
}

#[test]
fn a_poisoned_instance_refuses_calls_and_a_new_one_works() {
    let module = probe();
    let map = support::Map::default();
    let mut instance = ContractInstance::new(&module, &InstanceOptions::default()).unwrap();
    let env = support::env_bytes();
    let info = support::info_bytes("cosmwasm1sender");
    let (result, _) = instance.call(
        EntryPoint::Execute,
        &env,
        Some(&info),
        br#"{"panic":{"msg":"x"}}"#,
        support::backend(EntryPoint::Execute, &map, GAS_LIMIT),
    );
    assert!(matches!(result, Ok(Err(_))), "{result:?}");
    let again = instance.call(
        EntryPoint::Execute,
        &env,
        Some(&info),
        b"{}",
        support::backend(EntryPoint::Execute, &map, GAS_LIMIT),
    );
    // Calling an instance that trapped, without a reset, is the caller's
    // (the node's) mistake, not the contract's: a node fault.
    assert!(
        matches!(again.0, Err(cw_runtime::NodeFault::Engine { .. })),
        "{:?}",
        again.0
    );
    let (result, _, _) = run(
        &module,
        &map,
        EntryPoint::Execute,
        r#"{"write":{"key":"aw==","value":"dg=="}}"#,
    );
    assert!(result.is_ok(), "{result:?}");
    assert_eq!(
        support::dump(&map).get(b"k".as_slice()),
        Some(&b"v".to_vec())
    );
}
