//! Singlepass and Cranelift modules of the same code are interchangeable:
//! every call gives the same result bytes, gas and storage, traps included.
//! `TierUp` relies on this to swap one for the other under running callers.

use std::path::Path;
use std::sync::Arc;

use cw_gas::CosmWasmSchedule;
use cw_host::{Bech32Api, EntryPoint};
use cw_runtime::{
    CacheTier, CompileConfig, CompiledModule, Compiler, ContractInstance, InstanceOptions,
    InstancePool, ModuleCache, PoolLimits, RuntimeError, TierUp, ValidationConfig, VmFailure,
    compile_with,
};

const GAS_LIMIT: u64 = 500_000_000;

fn config() -> CompileConfig<CosmWasmSchedule> {
    CompileConfig {
        table: CosmWasmSchedule::default(),
        stack_limit_bytes: Some(cw_gas::middleware::DEFAULT_STACK_LIMIT_BYTES),
        validation: ValidationConfig::default(),
    }
}

fn compiled(wasm: &[u8], compiler: Compiler) -> CompiledModule {
    let module = compile_with(wasm, &config(), compiler).unwrap().0;
    assert_eq!(module.compiler, compiler);
    module
}

use crate::support;
use support::Outcome;

/// A store's contents, sorted by key.
type Dump = std::collections::BTreeMap<Vec<u8>, Vec<u8>>;

/// Runs `steps` from empty storage, each on a new instance; returns the
/// outcomes and the final storage.
fn run(module: &CompiledModule, steps: &[(EntryPoint, String)]) -> (Vec<Outcome>, Dump) {
    let map = support::Map::default();
    let alice = Bech32Api::default().addr_make("alice").unwrap();
    let outcomes = steps
        .iter()
        .map(|(entry, msg)| {
            let mut instance = ContractInstance::new(module, &InstanceOptions::default()).unwrap();
            support::call(&mut instance, &map, *entry, msg, &alice, GAS_LIMIT)
        })
        .collect();
    (outcomes, support::dump(&map))
}

/// Runs `steps` on both compilers' modules and asserts they agree call by
/// call and in the final storage; returns the outcomes.
fn compare(wasm: &[u8], steps: &[(EntryPoint, String)]) -> Vec<Outcome> {
    let singlepass = run(&compiled(wasm, Compiler::Singlepass), steps);
    let cranelift = run(&compiled(wasm, Compiler::Cranelift), steps);
    for (index, (one, other)) in singlepass.0.iter().zip(&cranelift.0).enumerate() {
        assert_eq!(one, other, "step {index} ({}) differs", steps[index].1);
    }
    assert_eq!(singlepass.1, cranelift.1, "final storage differs");
    singlepass.0
}

#[test]
fn cw20_gives_the_same_results_gas_and_storage_on_both_compilers() {
    let outcomes = compare(&tests::fixture_bytes("cw20_base"), &support::cw20_steps());
    assert!(outcomes.iter().all(|(_, gas)| *gas > 0));
    // The overdrawn transfer is the contract's own error, not a VM failure.
    let overdrawn = String::from_utf8(outcomes[2].0.clone().unwrap()).unwrap();
    assert!(overdrawn.contains("error"), "{overdrawn}");
}

/// The chain runs tiered-up modules on pooled instances too: a Cranelift
/// instance reset between calls gives what new Singlepass instances give.
#[test]
fn pooled_cranelift_instances_match_new_singlepass_instances() {
    let wasm = tests::fixture_bytes("cw20_base");
    let steps = support::cw20_steps();
    let expected = run(&compiled(&wasm, Compiler::Singlepass), &steps);
    let module = compiled(&wasm, Compiler::Cranelift);
    let pool = InstancePool::new(InstanceOptions::default(), PoolLimits::default());
    let map = support::Map::default();
    let alice = Bech32Api::default().addr_make("alice").unwrap();
    let outcomes: Vec<Outcome> = steps
        .iter()
        .map(|(entry, msg)| {
            let mut instance = pool.checkout(&module).unwrap();
            support::call(&mut instance, &map, *entry, msg, &alice, GAS_LIMIT)
        })
        .collect();
    assert_eq!((outcomes, support::dump(&map)), expected);
    let metrics = pool.metrics();
    assert_eq!(
        (metrics.created, metrics.reused),
        (1, steps.len() as u64 - 1)
    );
}

/// The exports every hand-written contract here shares: a bump allocator
/// over a global the contract does not export.
const ALLOCATOR: &str = r#"
  (memory (export "memory") 1)
  (global $next (mut i32) (i32.const 1024))
  (func (export "interface_version_8"))
  (func (export "allocate") (param $length i32) (result i32)
    (local $region i32)
    (local.set $region (global.get $next))
    (i32.store (local.get $region) (i32.add (local.get $region) (i32.const 12)))
    (i32.store offset=4 (local.get $region) (local.get $length))
    (i32.store offset=8 (local.get $region) (i32.const 0))
    (global.set $next (i32.add (global.get $next) (i32.add (local.get $length) (i32.const 12))))
    (local.get $region))
  (func (export "deallocate") (param i32))"#;

/// `query` traps in the way picked by the message's first byte ('0' to
/// '4'); any other byte returns an empty result.
const TRAPS: &str = r#"
  (type $nullary (func))
  (table 2 2 funcref)
  (elem (i32.const 0) $nothing)
  (func $nothing)
  (func (export "query") (param i32) (param $msg i32) (result i32)
    (i32.store (i32.const 80) (i32.const 92))
    (i32.store (i32.const 84) (i32.const 0))
    (i32.store (i32.const 88) (i32.const 0))
    (block $done
      (block $div_zero
        (block $overflow
          (block $bounds
            (block $unreachable
              (block $null_entry
                (br_table $div_zero $overflow $bounds $unreachable $null_entry $done
                  (i32.sub (i32.load8_u (i32.load (local.get $msg))) (i32.const 48))))
              (call_indirect (type $nullary) (i32.const 1))
              (br $done))
            (unreachable))
          (drop (i32.load (i32.const 65534)))
          (br $done))
        (drop (i32.div_s (i32.const 0x80000000) (i32.const -1)))
        (br $done))
      (drop (i64.rem_u (i64.const 7) (i64.const 0))))
    (i32.const 80))"#;

#[test]
fn every_trap_is_the_same_trap_on_both_compilers() {
    let wasm = wat::parse_str(format!("(module {ALLOCATOR} {TRAPS})")).unwrap();
    let steps: Vec<(EntryPoint, String)> = ["0", "1", "2", "3", "4", "5"]
        .iter()
        .map(|case| (EntryPoint::Query, (*case).to_string()))
        .collect();
    let outcomes = compare(&wasm, &steps);
    for (case, (result, _)) in outcomes.iter().enumerate().take(5) {
        assert!(
            matches!(result, Err(VmFailure::Trap { .. })),
            "case {case}: {result:?}"
        );
    }
    assert_eq!(outcomes[5].0, Ok(Vec::new()));
}

/// `query` misbehaves as the message's first byte says: '0' recurses
/// until the stack limit, '1' loops until out of gas, '2' asks for more
/// memory than the limit and '3' grows 40 pages and writes to the last;
/// the last two return what `memory.grow` answered.
const MISBEHAVIOUR: &str = r#"
  (func $recurse (param $depth i64) (result i64)
    (local i64 i64 i64 i64)
    (i64.add (call $recurse (i64.add (local.get $depth) (i64.const 1))) (i64.const 1)))
  (func (export "query") (param i32) (param $msg i32) (result i32)
    (local $case i32)
    (local.set $case (i32.load8_u (i32.load (local.get $msg))))
    (if (i32.eq (local.get $case) (i32.const 48))
      (then (drop (call $recurse (i64.const 0)))))
    (if (i32.eq (local.get $case) (i32.const 49))
      (then (loop $forever (br $forever))))
    (if (i32.eq (local.get $case) (i32.const 50))
      (then (i32.store (i32.const 128) (memory.grow (i32.const 10000)))))
    (if (i32.eq (local.get $case) (i32.const 51))
      (then
        (i32.store (i32.const 128) (memory.grow (i32.const 40)))
        (i32.store (i32.const 2686972) (i32.const 7))))
    (i32.store (i32.const 80) (i32.const 128))
    (i32.store (i32.const 84) (i32.const 4))
    (i32.store (i32.const 88) (i32.const 4))
    (i32.const 80))"#;

#[test]
fn stack_limit_gas_and_memory_limits_hit_at_the_same_point_on_both_compilers() {
    let wasm = wat::parse_str(format!("(module {ALLOCATOR} {MISBEHAVIOUR})")).unwrap();
    let steps: Vec<(EntryPoint, String)> = ["0", "1", "2", "3"]
        .iter()
        .map(|case| (EntryPoint::Query, (*case).to_string()))
        .collect();
    let outcomes = compare(&wasm, &steps);
    assert!(
        matches!(outcomes[0].0, Err(VmFailure::StackLimit)),
        "{:?}",
        outcomes[0]
    );
    assert!(
        matches!(outcomes[1].0, Err(VmFailure::OutOfGas)),
        "{:?}",
        outcomes[1]
    );
    assert_eq!(outcomes[2].0, Ok((-1i32).to_le_bytes().to_vec()));
    assert_eq!(outcomes[3].0, Ok(1i32.to_le_bytes().to_vec()));
}

/// A contract whose `query` recurses until the stack limit through a
/// function with `params` i64 parameters, `locals` locals of `local_ty`
/// and `live` values held on the operand stack across the call (which
/// both compilers must keep in the native frame).
fn recursion(params: usize, locals: usize, local_ty: &str, live: usize) -> Vec<u8> {
    let params_decl = if params > 0 {
        format!("(param{})", " i64".repeat(params))
    } else {
        String::new()
    };
    let locals_decl = if locals > 0 {
        format!("(local{})", format!(" {local_ty}").repeat(locals))
    } else {
        String::new()
    };
    let args = "i64.const 7 ".repeat(params);
    let held = "i64.const 1 ".repeat(live);
    let dropped = "drop ".repeat(live);
    let wat = format!(
        r#"(module {ALLOCATOR}
          (func $r {params_decl} {locals_decl} {held} {args} call $r {dropped})
          (func (export "query") (param i32 i32) (result i32) {args} call $r i32.const 0))"#
    );
    wat::parse_str(wat).unwrap()
}

/// The limiter counts Wasm-level frames, sized from Singlepass's spills
/// (8 bytes per value); Cranelift frames are smaller, so every shape hits
/// the deterministic limit at the same depth and gas on both compilers,
/// never the native stack first.
#[test]
fn every_frame_shape_hits_the_stack_limit_identically_on_both_compilers() {
    for (params, locals, local_ty, live) in [
        (0, 0, "i32", 0),
        (0, 1, "i32", 0),
        (8, 0, "i32", 0),
        // The chain allows at most 100 locals (parameters included).
        (0, 100, "i32", 0),
        (0, 100, "i64", 0),
        (50, 50, "i64", 0),
        (0, 0, "i32", 100),
        (4, 20, "i64", 40),
    ] {
        let wasm = recursion(params, locals, local_ty, live);
        let outcomes = compare(&wasm, &[(EntryPoint::Query, "{}".to_string())]);
        assert!(
            matches!(outcomes[0].0, Err(VmFailure::StackLimit)),
            "shape ({params}, {locals}, {local_ty}, {live}): {:?}",
            outcomes[0]
        );
    }
}

/// `query` returns the bits of NaN-producing float operations.
const FLOATS: &str = r#"
  (func $bits (param $at i32) (param $x f64)
    (i64.store (local.get $at) (i64.reinterpret_f64 (local.get $x))))
  (func (export "query") (param i32 i32) (result i32)
    (call $bits (i32.const 128) (f64.div (f64.const 0) (f64.const 0)))
    (call $bits (i32.const 136) (f64.sqrt (f64.const -1)))
    (call $bits (i32.const 144) (f64.add (f64.const nan:0x4000000000001) (f64.const 1)))
    (call $bits (i32.const 152) (f64.promote_f32 (f32.const nan:0x200001)))
    (i32.store (i32.const 80) (i32.const 128))
    (i32.store (i32.const 84) (i32.const 32))
    (i32.store (i32.const 88) (i32.const 32))
    (i32.const 80))"#;

/// Singlepass (cosmwasm-vm's compiler, so the chain's answer) canonicalizes
/// arithmetic NaNs but passes `f64.promote_f32`'s NaN payload through;
/// Cranelift canonicalizes that one too. So Cranelift refuses any code that
/// computes with floats rather than answer differently from a chain.
#[test]
fn cranelift_refuses_code_that_computes_with_floats() {
    let wasm = wat::parse_str(format!("(module {ALLOCATOR} {FLOATS})")).unwrap();
    match compile_with(&wasm, &config(), Compiler::Cranelift) {
        Err(RuntimeError::NotExactOnCompiler { compiler, reason }) => {
            assert_eq!(compiler, "cranelift");
            assert!(reason.contains("floats"), "{reason}");
        }
        other => panic!("expected a refusal, got {:?}", other.map(|m| m.0)),
    }
    let (outcomes, _) = run(
        &compiled(&wasm, Compiler::Singlepass),
        &[(EntryPoint::Query, "{}".to_string())],
    );
    let bits: Vec<u64> = outcomes[0]
        .0
        .as_ref()
        .unwrap()
        .chunks(8)
        .map(|word| u64::from_le_bytes(word.try_into().unwrap()))
        .collect();
    assert_eq!(
        bits,
        [
            0x7ff8_0000_0000_0000,
            0x7ff8_0000_0000_0000,
            0x7ff8_0000_0000_0000,
            0x7ffc_0000_2000_0000
        ]
    );
}

#[test]
fn tier_up_leaves_float_code_on_singlepass_and_says_why() {
    let wasm = wat::parse_str(format!("(module {ALLOCATOR} {FLOATS})")).unwrap();
    let cache = ModuleCache::new(config(), 64 << 20, None)
        .unwrap()
        .with_tier_up(TierUp { after_uses: 1 })
        .unwrap();
    cache.get(&wasm).unwrap();
    cache.wait_for_optimizations();
    let metrics = cache.metrics();
    assert_eq!((metrics.optimized, metrics.optimize_failures), (0, 1));
    let reason = metrics.last_optimize_failure.unwrap();
    assert!(reason.contains("floats"), "{reason}");
    let (module, tier) = cache.get(&wasm).unwrap();
    assert_eq!(
        (tier, module.compiler),
        (CacheTier::Memory, Compiler::Singlepass)
    );
}

fn artifact_count(dir: &Path) -> usize {
    walk(dir)
        .iter()
        .filter(|path| path.extension().is_some_and(|e| e == "module"))
        .count()
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            found.extend(walk(&path));
        } else {
            found.push(path);
        }
    }
    found
}

#[test]
fn tier_up_replaces_a_used_module_with_cranelift_in_memory_and_on_disk() {
    let wasm = tests::fixture_bytes("cw20_base");
    let dir = tempfile::tempdir().unwrap();
    let cache = ModuleCache::new(config(), 64 << 20, Some(dir.path()))
        .unwrap()
        .with_tier_up(TierUp { after_uses: 3 })
        .unwrap();
    let (first, tier) = cache.get(&wasm).unwrap();
    assert_eq!(
        (tier, first.compiler),
        (CacheTier::Compiled, Compiler::Singlepass)
    );
    // Uses below the threshold queue nothing.
    let (second, _) = cache.get(&wasm).unwrap();
    assert_eq!(second.compiler, Compiler::Singlepass);
    cache.wait_for_optimizations();
    assert_eq!(cache.metrics().optimized, 0);
    // The third use queues the compile; the Singlepass module serves until
    // it is done.
    cache.get(&wasm).unwrap();
    cache.wait_for_optimizations();
    let metrics = cache.metrics();
    assert_eq!((metrics.optimized, metrics.optimize_failures), (1, 0));
    let (optimized, tier) = cache.get(&wasm).unwrap();
    assert_eq!(
        (tier, optimized.compiler),
        (CacheTier::Memory, Compiler::Cranelift)
    );
    assert_eq!(artifact_count(dir.path()), 2);
    // Pinning keeps the Cranelift module.
    cache.pin(&wasm).unwrap();
    let (pinned, tier) = cache.get(&wasm).unwrap();
    assert_eq!(
        (tier, pinned.compiler),
        (CacheTier::Pinned, Compiler::Cranelift)
    );

    // A new cache with tier-up loads the Cranelift artifact from disk; one
    // without it never sees Cranelift code.
    let tiered = ModuleCache::new(config(), 64 << 20, Some(dir.path()))
        .unwrap()
        .with_tier_up(TierUp::default())
        .unwrap();
    let (loaded, tier) = tiered.get(&wasm).unwrap();
    assert_eq!(
        (tier, loaded.compiler),
        (CacheTier::Disk, Compiler::Cranelift)
    );
    let plain = ModuleCache::new(config(), 64 << 20, Some(dir.path())).unwrap();
    let (loaded_plain, tier) = plain.get(&wasm).unwrap();
    assert_eq!(
        (tier, loaded_plain.compiler),
        (CacheTier::Disk, Compiler::Singlepass)
    );

    // Every one of these modules runs the same script identically.
    let steps = support::cw20_steps();
    let expected = run(&first, &steps);
    for module in [&optimized, &loaded, &loaded_plain] {
        assert_eq!(run(module, &steps), expected, "{:?}", module.compiler);
    }
}

#[test]
fn lookups_by_checksum_count_but_only_a_lookup_with_the_code_queues() {
    let wasm = tests::fixture_bytes("cw1_whitelist");
    let cache = ModuleCache::new(config(), 64 << 20, None)
        .unwrap()
        .with_tier_up(TierUp { after_uses: 2 })
        .unwrap();
    let (module, _) = cache.get(&wasm).unwrap();
    for _ in 0..3 {
        let (hit, _) = cache.get_by_checksum(&module.checksum).unwrap().unwrap();
        assert_eq!(hit.compiler, Compiler::Singlepass);
    }
    cache.wait_for_optimizations();
    assert_eq!(cache.metrics().optimized, 0);
    cache.get(&wasm).unwrap();
    cache.wait_for_optimizations();
    assert_eq!(cache.metrics().optimized, 1);
    let (hit, tier) = cache.get_by_checksum(&module.checksum).unwrap().unwrap();
    assert_eq!(
        (tier, hit.compiler),
        (CacheTier::Memory, Compiler::Cranelift)
    );
    // Once optimized, a module is never queued again.
    for _ in 0..4 {
        cache.get(&wasm).unwrap();
    }
    cache.wait_for_optimizations();
    assert_eq!(cache.metrics().optimized, 1);
}

/// Every cw-plus and cw-nfts contract we build is float-free, so each
/// tiers up; our own probe formats floats and stays on Singlepass.
#[test]
fn the_real_contracts_compile_on_cranelift() {
    for name in [
        "cw20_base",
        "cw721_base",
        "cw1_whitelist",
        "cw1_subkeys",
        "cw3_fixed_multisig",
        "cw4_group",
    ] {
        let module = compiled(&tests::fixture_bytes(name), Compiler::Cranelift);
        assert!(module.size_bytes > 0, "{name}");
    }
    assert!(matches!(
        compile_with(
            &tests::fixture_bytes("probe"),
            &config(),
            Compiler::Cranelift
        ),
        Err(RuntimeError::NotExactOnCompiler { .. })
    ));
}

/// A module whose Cranelift build left the cache (here: the memory tier is
/// too small to keep any module, and there is no disk) tiers up again once
/// it has been looked up often enough again.
#[test]
fn a_module_whose_cranelift_build_was_evicted_tiers_up_again() {
    let wasm = tests::fixture_bytes("cw1_whitelist");
    let cache = ModuleCache::new(config(), 1, None)
        .unwrap()
        .with_tier_up(TierUp { after_uses: 2 })
        .unwrap();
    for round in 1..=2 {
        for _ in 0..2 {
            let (module, tier) = cache.get(&wasm).unwrap();
            assert_eq!(
                (tier, module.compiler),
                (CacheTier::Compiled, Compiler::Singlepass)
            );
        }
        cache.wait_for_optimizations();
        assert_eq!(cache.metrics().optimized, round);
    }
}

/// Issue 22: a chain picks up the tiered module. Before, a chain kept the
/// Singlepass module it got at `store_code` and never asked the cache again,
/// so tier-up never took effect inside a chain. The same cw20 transfers on a
/// chain whose cache tiers up after 2 uses and on one without tier-up give
/// the same bytes, events and gas at every step, and the tiered chain's
/// later calls are served the Cranelift module.
#[test]
fn a_chain_runs_the_tiered_up_module_with_the_same_results_and_gas() {
    use cosmwasm_std::Coin;
    use cw_runtime::ChainBuilder;
    use cw_runtime::chain::{ExecutionMode, Instantiate};

    let tiered_cache = Arc::new(
        ModuleCache::new(config(), 256 << 20, None)
            .unwrap()
            .with_tier_up(TierUp { after_uses: 2 })
            .unwrap(),
    );
    let plain_cache = Arc::new(ModuleCache::new(config(), 256 << 20, None).unwrap());
    let chain_of = |cache: &Arc<ModuleCache<CosmWasmSchedule>>| {
        ChainBuilder::new(CosmWasmSchedule::default())
            .module_cache(Arc::clone(cache))
            .build()
            .unwrap()
    };
    let (tiered, plain) = (chain_of(&tiered_cache), chain_of(&plain_cache));
    let wasm = tests::fixture_bytes("cw20_base");
    let alice = plain.addr_make("alice").unwrap();
    let bob = plain.addr_make("bob").unwrap();
    let init = format!(
        r#"{{"name":"Token","symbol":"TKN","decimals":6,"initial_balances":[{{"address":"{alice}","amount":"1000000"}}]}}"#
    );
    let mut token = None;
    for chain in [&tiered, &plain] {
        let code_id = chain
            .store_code(&alice, &wasm, ExecutionMode::Wasm)
            .unwrap();
        let done = chain
            .instantiate(&Instantiate {
                code_id,
                sender: &alice,
                msg: init.as_bytes(),
                funds: &[] as &[Coin],
                admin: None,
                label: "token",
                salt: None,
            })
            .expect("no node fault")
            .unwrap();
        token = done.contract_address;
    }
    let token = token.unwrap();
    let transfer = format!(r#"{{"transfer":{{"recipient":"{bob}","amount":"7"}}}}"#);
    for round in 0..12 {
        if round == 4 {
            tiered_cache.wait_for_optimizations();
        }
        let on_tiered = tiered
            .execute(&alice, &token, transfer.as_bytes(), &[])
            .expect("no node fault")
            .unwrap();
        let on_plain = plain
            .execute(&alice, &token, transfer.as_bytes(), &[])
            .expect("no node fault")
            .unwrap();
        assert_eq!(on_tiered.data, on_plain.data, "round {round}");
        assert_eq!(on_tiered.events, on_plain.events, "round {round}");
        assert_eq!(on_tiered.gas, on_plain.gas, "round {round}");
    }
    assert_eq!(tiered.dump(), plain.dump());
    let metrics = tiered_cache.metrics();
    assert_eq!(metrics.optimized, 1, "{metrics:?}");
    assert!(metrics.optimized_hits >= 7, "{metrics:?}");
    assert_eq!(plain_cache.metrics().optimized_hits, 0);
}
