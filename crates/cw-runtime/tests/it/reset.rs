//! `ContractInstance::reset` puts an instance back exactly as instantiation
//! left it: every call after a reset gives the same result bytes, gas and
//! storage as the same call on a new instance, whatever the calls before it
//! did (grew memory, trapped, ran out of gas, hit the stack limit). An
//! `InstancePool` hands out such instances.

use crate::support;
use cw_gas::CosmWasmSchedule;
use cw_host::{Bech32Api, EntryPoint};
use cw_runtime::{
    CompileConfig, CompiledModule, ContractInstance, InstanceOptions, InstancePool, PoolLimits,
    ValidationConfig, VmFailure, compile,
};
use serde_json::json;

const GAS_LIMIT: u64 = 500_000_000;

fn compiled(wasm: &[u8]) -> CompiledModule {
    let config = CompileConfig {
        table: CosmWasmSchedule::default(),
        stack_limit_bytes: Some(cw_gas::middleware::DEFAULT_STACK_LIMIT_BYTES),
        validation: ValidationConfig::default(),
    };
    compile(wasm, &config).unwrap().0
}

use support::Outcome;

fn call(
    instance: &mut ContractInstance<CosmWasmSchedule>,
    map: &support::Map,
    entry: EntryPoint,
    msg: &str,
) -> Outcome {
    let alice = Bech32Api::default().addr_make("alice").unwrap();
    support::call(instance, map, entry, msg, &alice, GAS_LIMIT)
}

/// Runs `steps` twice from empty storage: each on a new instance, then all
/// on one instance reset before every call but the first. Asserts both
/// runs agree call by call and in the final storage; returns the outcomes.
fn compare(module: &CompiledModule, steps: &[(EntryPoint, String)]) -> Vec<Outcome> {
    let options = InstanceOptions::default();
    let fresh_map = support::Map::default();
    let fresh: Vec<Outcome> = steps
        .iter()
        .map(|(entry, msg)| {
            let mut instance = ContractInstance::new(module, &options).unwrap();
            call(&mut instance, &fresh_map, *entry, msg)
        })
        .collect();
    let reset_map = support::Map::default();
    let mut instance = ContractInstance::new(module, &options).unwrap();
    for (index, ((entry, msg), expected)) in steps.iter().zip(&fresh).enumerate() {
        if index > 0 {
            instance.reset().unwrap();
        }
        assert!(!instance.is_poisoned(), "a reset clears the poison");
        let got = call(&mut instance, &reset_map, *entry, msg);
        assert_eq!(&got, expected, "step {index} ({msg}) differs after a reset");
    }
    assert_eq!(support::dump(&reset_map), support::dump(&fresh_map));
    fresh
}

#[test]
fn cw20_calls_after_resets_match_new_instances() {
    let module = compiled(&tests::fixture_bytes("cw20_base"));
    let steps = support::cw20_steps();
    let outcomes = compare(&module, &steps);
    assert!(outcomes.iter().all(|(_, gas)| *gas > 0));
    assert!(outcomes[1].0.is_ok() && outcomes[2].0.is_ok());
}

/// Each misbehaviour leaves the instance in a different broken state: the
/// call after it, on the reset instance, must not notice.
#[test]
fn probe_misbehaviour_leaves_nothing_behind_a_reset() {
    let module = compiled(&tests::fixture_bytes("probe"));
    let write = r#"{"write":{"key":"AQI=","value":"AwQ="}}"#;
    let mut steps = vec![(EntryPoint::Instantiate, "{}".to_string())];
    for msg in [
        r#"{"grow_memory":{"pages":40}}"#,
        r#"{"grow_memory":{"pages":1}}"#,
        r#"{"panic":{"msg":"boom"}}"#,
        write,
        r#"{"recurse":{"depth":10000000}}"#,
        r#"{"recurse":{"depth":100}}"#,
        r#"{"loop":{}}"#,
        r#"{"allocate":{"bytes":300000}}"#,
        r#"{"grow_memory":{"pages":1}}"#,
        write,
    ] {
        steps.push((EntryPoint::Execute, msg.to_string()));
    }
    let outcomes = compare(&module, &steps);
    let failures: Vec<&VmFailure> = outcomes
        .iter()
        .filter_map(|(r, _)| r.as_ref().err())
        .collect();
    assert!(
        matches!(
            failures[..],
            [
                VmFailure::Aborted { .. },
                // Ten million levels: this test's gas runs out before the
                // probe's own stack (or the stack limit) does.
                VmFailure::OutOfGas,
                VmFailure::OutOfGas
            ]
        ),
        "{failures:?}"
    );
    // A memory left grown would answer the second `grow_memory` differently.
    assert_eq!(outcomes[2], outcomes[9]);
}

/// A hand-written contract that changes each kind of state a reset must
/// restore: a global it does not export (its bump allocator's), a counter
/// and a data segment in memory, and the memory's size. `query` returns
/// them; `sudo` reads the second page, which exists only once grown.
const STATEFUL: &str = r#"(module
  (memory (export "memory") 1)
  (global $next (mut i32) (i32.const 1024))
  (data (i32.const 64) "h")
  (func (export "interface_version_8"))
  (func (export "allocate") (param $length i32) (result i32)
    (local $region i32)
    (local.set $region (global.get $next))
    (i32.store (local.get $region) (i32.add (local.get $region) (i32.const 12)))
    (i32.store offset=4 (local.get $region) (local.get $length))
    (i32.store offset=8 (local.get $region) (i32.const 0))
    (global.set $next (i32.add (global.get $next) (i32.add (local.get $length) (i32.const 12))))
    (local.get $region))
  (func (export "deallocate") (param i32))
  (func (export "query") (param i32 i32) (result i32)
    (i32.store (i32.const 16) (i32.add (i32.load (i32.const 16)) (i32.const 1)))
    (drop (memory.grow (i32.const 1)))
    (i32.store (i32.const 32) (i32.const 48))
    (i32.store (i32.const 36) (i32.const 16))
    (i32.store (i32.const 40) (i32.const 16))
    (i32.store (i32.const 48) (global.get $next))
    (i32.store (i32.const 52) (i32.load (i32.const 16)))
    (i32.store (i32.const 56) (memory.size))
    (i32.store (i32.const 60) (i32.load8_u (i32.const 64)))
    (i32.store8 (i32.const 64) (i32.const 106))
    (i32.const 32))
  (func (export "sudo") (param i32 i32) (result i32)
    (drop (i32.load (i32.const 65536)))
    (i32.store (i32.const 32) (i32.const 48))
    (i32.store (i32.const 36) (i32.const 0))
    (i32.store (i32.const 40) (i32.const 0))
    (i32.const 32)))"#;

fn words(bytes: &[u8]) -> Vec<u32> {
    bytes
        .chunks(4)
        .map(|word| u32::from_le_bytes(word.try_into().unwrap()))
        .collect()
}

#[test]
fn a_reset_restores_hidden_globals_memory_bytes_and_size() {
    let module = compiled(&wat::parse_str(STATEFUL).unwrap());
    let map = support::Map::default();
    let mut instance = ContractInstance::new(&module, &InstanceOptions::default()).unwrap();
    let first = call(&mut instance, &map, EntryPoint::Query, "{}");
    // Allocations for env and msg moved the hidden global; the counter,
    // size and data byte are the instantiated ones.
    let first_words = words(&first.0.clone().unwrap());
    assert_eq!(first_words[1..], [1, 2, u32::from(b'h')]);
    // Without a reset every piece of state shows the first call.
    let second = call(&mut instance, &map, EntryPoint::Query, "{}");
    let second_words = words(&second.0.unwrap());
    assert!(second_words[0] > first_words[0]);
    assert_eq!(second_words[1..], [2, 3, u32::from(b'j')]);
    // The grown page is there to read before the reset...
    assert!(call(&mut instance, &map, EntryPoint::Sudo, "{}").0.is_ok());
    instance.reset().unwrap();
    assert_eq!(call(&mut instance, &map, EntryPoint::Query, "{}"), first);
    instance.reset().unwrap();
    // ...and out of bounds after it: the memory is one page again.
    match call(&mut instance, &map, EntryPoint::Sudo, "{}").0 {
        Err(VmFailure::Trap { message }) => {
            assert!(message.contains("out of bounds"), "{message}")
        }
        other => panic!("expected an out-of-bounds trap, got {other:?}"),
    }
    assert!(instance.is_poisoned());
    instance.reset().unwrap();
    assert_eq!(call(&mut instance, &map, EntryPoint::Query, "{}"), first);
}

fn pool(per_module: usize, total: usize) -> InstancePool<CosmWasmSchedule> {
    InstancePool::new(InstanceOptions::default(), PoolLimits { per_module, total })
}

#[test]
fn a_pool_reuses_returned_instances_in_their_instantiated_state() {
    let module = compiled(&wat::parse_str(STATEFUL).unwrap());
    let map = support::Map::default();
    let pool = pool(2, 8);
    let first = {
        let mut instance = pool.checkout(&module).unwrap();
        call(&mut instance, &map, EntryPoint::Query, "{}")
    };
    for _ in 0..3 {
        {
            // One page again: reading the second traps and poisons the
            // instance; the pool still takes it back.
            let mut instance = pool.checkout(&module).unwrap();
            assert!(call(&mut instance, &map, EntryPoint::Sudo, "{}").0.is_err());
            assert!(instance.is_poisoned());
        }
        let mut instance = pool.checkout(&module).unwrap();
        assert_eq!(call(&mut instance, &map, EntryPoint::Query, "{}"), first);
    }
    let metrics = pool.metrics();
    assert_eq!((metrics.created, metrics.reused), (1, 6));
    assert_eq!(metrics.idle_on_this_thread, 1);
}

#[test]
fn a_pool_makes_a_new_instance_while_one_is_out_and_keeps_within_its_limits() {
    let module = compiled(&wat::parse_str(STATEFUL).unwrap());
    let map = support::Map::default();
    let pool = pool(2, 8);
    {
        let mut outer = pool.checkout(&module).unwrap();
        let first = call(&mut outer, &map, EntryPoint::Query, "{}");
        // A contract calling itself needs a second instance meanwhile.
        let mut inner = pool.checkout(&module).unwrap();
        let mut third = pool.checkout(&module).unwrap();
        assert_eq!(call(&mut inner, &map, EntryPoint::Query, "{}"), first);
        assert_eq!(call(&mut third, &map, EntryPoint::Query, "{}"), first);
    }
    let metrics = pool.metrics();
    assert_eq!((metrics.created, metrics.reused), (3, 0));
    assert_eq!((metrics.idle_on_this_thread, metrics.dropped_full), (2, 1));
    // The same code compiled again is another module: nothing to reuse.
    let again = compiled(&wat::parse_str(STATEFUL).unwrap());
    drop(pool.checkout(&again).unwrap());
    assert_eq!(pool.metrics().created, 4);
    // The total limit counts every module's idle instances.
    let small = self::pool(2, 1);
    drop((
        small.checkout(&module).unwrap(),
        small.checkout(&again).unwrap(),
    ));
    assert_eq!(small.metrics().idle_on_this_thread, 1);
    small.clear_this_thread();
    assert_eq!(small.metrics().idle_on_this_thread, 0);
}

/// A full pool keeps what is in use: returning an instance of a module not
/// kept yet evicts the least recently used idle instance, so a module
/// nobody asks for any more (replaced by its tiered-up build, or
/// recompiled after leaving the cache) cannot hold the pool's room forever.
#[test]
fn a_full_pool_evicts_the_least_recently_used_module_first() {
    let [a, b, c] = [(); 3].map(|()| compiled(&wat::parse_str(STATEFUL).unwrap()));
    let pool = pool(2, 2);
    drop(pool.checkout(&a).unwrap());
    drop(pool.checkout(&b).unwrap());
    // `a` is used again, so `b` is now the least recently used.
    drop(pool.checkout(&a).unwrap());
    drop(pool.checkout(&c).unwrap());
    let metrics = pool.metrics();
    assert_eq!((metrics.created, metrics.reused), (3, 1));
    assert_eq!((metrics.evicted, metrics.dropped_full), (1, 0));
    assert_eq!(metrics.idle_on_this_thread, 2);
    // `a` and `c` are still idle; `b` must be made again.
    drop((pool.checkout(&a).unwrap(), pool.checkout(&c).unwrap()));
    assert_eq!(pool.metrics().created, 3);
    drop(pool.checkout(&b).unwrap());
    let metrics = pool.metrics();
    assert_eq!((metrics.created, metrics.evicted), (4, 2));
    assert_eq!(metrics.idle_on_this_thread, 2);
}

#[test]
fn pooled_instances_stay_on_their_thread_and_agree_across_threads() {
    let module = compiled(&tests::fixture_bytes("cw20_base"));
    let pool = pool(4, 8);
    let api = Bech32Api::default();
    let alice = api.addr_make("alice").unwrap();
    let init = json!({
        "name": "Pool", "symbol": "POOL", "decimals": 6,
        "initial_balances": [{"address": alice, "amount": "1000"}],
    })
    .to_string();
    let transfer = json!({"transfer": {"recipient": api.addr_make("bob").unwrap(), "amount": "1"}})
        .to_string();
    let run = || {
        let map = support::Map::default();
        let mut outcomes = Vec::new();
        for (entry, msg) in [
            (EntryPoint::Instantiate, &init),
            (EntryPoint::Execute, &transfer),
        ] {
            for _ in 0..3 {
                let mut instance = pool.checkout(&module).unwrap();
                outcomes.push(call(&mut instance, &map, entry, msg));
            }
        }
        (outcomes, support::dump(&map))
    };
    let here = run();
    let there = std::thread::scope(|scope| scope.spawn(run).join().unwrap());
    assert_eq!(here, there);
    let metrics = pool.metrics();
    // One instance made on each thread, reused for the other five calls.
    assert_eq!((metrics.created, metrics.reused), (2, 10));
    assert_eq!(metrics.idle_on_this_thread, 1);
}

/// Instantiation runs no Wasm: a start function would run before any gas is
/// set (operator metering starts at 0 points), so it traps and the module
/// cannot be instantiated. The data segments are therefore the whole
/// instantiated memory a reset restores.
#[test]
fn a_module_with_a_start_function_cannot_instantiate() {
    let code = STATEFUL.replacen(
        r#"(data (i32.const 64) "h")"#,
        r#"(data (i32.const 64) "h")
  (func $start (i32.store8 (i32.const 64) (i32.const 115)))
  (start $start)"#,
        1,
    );
    let module = compiled(&wat::parse_str(&code).unwrap());
    match ContractInstance::<CosmWasmSchedule>::new(&module, &InstanceOptions::default()) {
        Err(cw_runtime::RuntimeError::Instantiate { message }) => {
            assert!(message.contains("unreachable"), "{message}")
        }
        Err(other) => panic!("expected an instantiation trap, got {other}"),
        Ok(_) => panic!("the start function ran"),
    }
}
