//! Every cache path (cold compile, memory, pinned, disk, corrupt disk file)
//! gives a module that computes the same result with the same gas.

use crate::support;
use std::path::Path;

use cw_gas::middleware::{MeteringPoints, remaining_points, set_remaining_points};
use cw_gas::{CosmWasmSchedule, CwGas};
use cw_runtime::{CacheTier, CompileConfig, CompiledModule, ModuleCache, ValidationConfig};
use wasmer::{Instance, Store, Value, imports};

/// A contract-shaped module whose `run(n)` loops n times.
fn wasm(variant: i64) -> Vec<u8> {
    wat::parse_str(format!(
        r#"(module
            (memory 1)
            (export "memory" (memory 0))
            (func (export "allocate") (param i32) (result i32) i32.const 0)
            (func (export "deallocate") (param i32))
            (func (export "interface_version_8"))
            (func (export "run") (param $n i64) (result i64) (local $acc i64)
                (block $done (loop $top
                    (br_if $done (i64.eqz (local.get $n)))
                    (local.set $acc (i64.add (local.get $acc) (i64.mul (local.get $n) (i64.const {variant}))))
                    (local.set $n (i64.sub (local.get $n) (i64.const 1)))
                    (br $top)))
                (local.get $acc)))"#
    ))
    .unwrap()
}

fn config(stack_limit_bytes: Option<u64>) -> CompileConfig<CosmWasmSchedule> {
    CompileConfig {
        table: CosmWasmSchedule::default(),
        stack_limit_bytes,
        validation: ValidationConfig::default(),
    }
}

/// Runs `run(1000)` with 10^9 gas and returns (result, gas left).
fn execute(module: &CompiledModule) -> (i64, u64) {
    let mut store = Store::new(module.engine.clone());
    let instance = Instance::new(&mut store, &module.module, &imports! {}).unwrap();
    set_remaining_points(&mut store, &instance, CwGas::new(1_000_000_000)).unwrap();
    let run = instance.exports.get_function("run").unwrap();
    let result = run.call(&mut store, &[Value::I64(1000)]).unwrap();
    let left = match remaining_points::<CwGas>(&mut store, &instance).unwrap() {
        MeteringPoints::Remaining(g) => g.as_u64(),
        MeteringPoints::Exhausted => panic!("ran out of gas"),
    };
    (result[0].unwrap_i64(), left)
}

fn artifact_files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for sub in std::fs::read_dir(dir).unwrap() {
        for f in std::fs::read_dir(sub.unwrap().path()).unwrap() {
            files.push(f.unwrap().path());
        }
    }
    files
}

#[test]
fn every_path_gives_identical_results_and_gas() {
    let dir = tempfile::tempdir().unwrap();
    let code = wasm(3);
    let cache = ModuleCache::new(config(Some(262_144)), 64 << 20, Some(dir.path())).unwrap();

    let (cold, tier) = cache.get(&code).unwrap();
    assert_eq!(tier, CacheTier::Compiled);
    let expected = execute(&cold);
    assert_eq!(expected.0, 3 * 1000 * 1001 / 2);
    assert!(expected.1 < 1_000_000_000);

    let (warm, tier) = cache.get(&code).unwrap();
    assert_eq!(tier, CacheTier::Memory);
    assert_eq!(execute(&warm), expected);

    cache.pin(&code).unwrap();
    let (pinned, tier) = cache.get(&code).unwrap();
    assert_eq!(tier, CacheTier::Pinned);
    assert_eq!(execute(&pinned), expected);

    // A new process: only the disk tier has it.
    let fresh = ModuleCache::new(config(Some(262_144)), 64 << 20, Some(dir.path())).unwrap();
    let (from_disk, tier) = fresh.get(&code).unwrap();
    assert_eq!(tier, CacheTier::Disk);
    assert_eq!(execute(&from_disk), expected);

    // A chain knows the checksum: no hashing, no code needed on a hit.
    let (by_checksum, tier) = cache.get_by_checksum(&cold.checksum).unwrap().unwrap();
    assert_eq!(tier, CacheTier::Pinned);
    assert_eq!(execute(&by_checksum), expected);
    let unknown = cw_runtime::Checksum::of(b"never stored");
    assert!(cache.get_by_checksum(&unknown).unwrap().is_none());
    let fresh = ModuleCache::new(config(Some(262_144)), 64 << 20, Some(dir.path())).unwrap();
    let (by_checksum, tier) = fresh.get_by_checksum(&cold.checksum).unwrap().unwrap();
    assert_eq!(tier, CacheTier::Disk);
    assert_eq!(execute(&by_checksum), expected);

    let m = cache.metrics();
    assert_eq!((m.misses, m.hits_memory, m.hits_pinned), (1, 2, 2));
    assert_eq!((m.pinned_entries, m.memory_entries), (1, 0));
}

#[test]
fn corrupt_or_truncated_artifacts_are_discarded_and_recompiled() {
    let code = wasm(5);
    for damage in ["flip", "truncate", "garbage"] {
        let dir = tempfile::tempdir().unwrap();
        let first = ModuleCache::new(config(Some(262_144)), 64 << 20, Some(dir.path())).unwrap();
        let expected = execute(&first.get(&code).unwrap().0);
        let [file] = artifact_files(dir.path()).try_into().unwrap();
        let mut bytes = std::fs::read(&file).unwrap();
        match damage {
            "flip" => {
                let last = bytes.len() - 1;
                bytes[last] ^= 0x01;
            }
            "truncate" => bytes.truncate(bytes.len() / 2),
            _ => bytes = b"not an artifact".to_vec(),
        }
        std::fs::write(&file, &bytes).unwrap();

        let second = ModuleCache::new(config(Some(262_144)), 64 << 20, Some(dir.path())).unwrap();
        let (module, tier) = second.get(&code).unwrap();
        assert_eq!(tier, CacheTier::Compiled, "{damage}");
        assert_eq!(execute(&module), expected, "{damage}");
        let m = second.metrics();
        assert_eq!(m.disk_artifacts_discarded, 1, "{damage}");
        assert!(m.last_discard.unwrap().contains(&module.checksum.to_hex()));
        // The recompiled artifact replaced the bad one and verifies again.
        let third = ModuleCache::new(config(Some(262_144)), 64 << 20, Some(dir.path())).unwrap();
        assert_eq!(third.get(&code).unwrap().1, CacheTier::Disk, "{damage}");
    }
}

#[test]
fn another_configuration_never_reuses_artifacts() {
    let dir = tempfile::tempdir().unwrap();
    let code = wasm(7);
    let a = ModuleCache::new(config(Some(262_144)), 64 << 20, Some(dir.path())).unwrap();
    a.get(&code).unwrap();
    let b = ModuleCache::new(config(Some(131_072)), 64 << 20, Some(dir.path())).unwrap();
    assert_eq!(b.get(&code).unwrap().1, CacheTier::Compiled);
    assert_ne!(config(Some(262_144)).key(), config(Some(131_072)).key());
    assert_eq!(config(None).key(), config(None).key());
}

#[test]
fn memory_tier_is_bounded_in_bytes() {
    let cache = ModuleCache::new(config(None), 1, None).unwrap();
    cache.get(&wasm(1)).unwrap();
    let m = cache.metrics();
    assert_eq!(
        m.memory_entries, 0,
        "a module larger than the limit is not kept"
    );
    assert_eq!(cache.get(&wasm(1)).unwrap().1, CacheTier::Compiled);

    let (module, _) = cache.get(&wasm(2)).unwrap();
    let two = ModuleCache::new(config(None), module.size_bytes + 1, None).unwrap();
    two.get(&wasm(1)).unwrap();
    two.get(&wasm(2)).unwrap();
    let m = two.metrics();
    assert_eq!(m.memory_entries, 1);
    assert!(m.memory_bytes <= module.size_bytes + 1);
    assert_eq!(
        two.get(&wasm(1)).unwrap().1,
        CacheTier::Compiled,
        "LRU evicted the older one"
    );
}

#[test]
fn instances_of_one_module_on_two_threads() {
    let cache = ModuleCache::new(config(Some(262_144)), 64 << 20, None).unwrap();
    let code = wasm(11);
    let expected = execute(&cache.get(&code).unwrap().0);
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..2)
            .map(|_| s.spawn(|| execute(&cache.get(&code).unwrap().0)))
            .collect();
        for h in handles {
            assert_eq!(h.join().unwrap(), expected);
        }
    });
}

#[test]
fn real_contracts_round_trip_through_the_disk_cache() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["cw20_base", "cw721_base"] {
        let code = tests::fixture_bytes(name);
        let cold = ModuleCache::new(config(Some(262_144)), 256 << 20, Some(dir.path())).unwrap();
        let (compiled, tier) = cold.get(&code).unwrap();
        assert_eq!(tier, CacheTier::Compiled);
        let warm = ModuleCache::new(config(Some(262_144)), 256 << 20, Some(dir.path())).unwrap();
        let (loaded, tier) = warm.get(&code).unwrap();
        assert_eq!(tier, CacheTier::Disk);
        let names = |m: &CompiledModule| {
            m.module
                .exports()
                .map(|e| e.name().to_string())
                .collect::<Vec<_>>()
        };
        assert_eq!(names(&compiled), names(&loaded), "{name}");
        assert_eq!(compiled.size_bytes, loaded.size_bytes);
    }
}

/// Every call's result bytes, the final store, every call's gas.
type ScriptOutcome = (Vec<Vec<u8>>, Vec<(Vec<u8>, Vec<u8>)>, Vec<u64>);

/// Runs cw20 instantiate, a transfer and a balance query on `module` with a
/// fresh store.
fn cw20_script(module: &CompiledModule) -> ScriptOutcome {
    use cw_host::EntryPoint;
    let map = support::Map::default();
    let env = support::env_bytes();
    let api = cw_host::Bech32Api::default();
    let alice = api.addr_make("alice").unwrap();
    let bob = api.addr_make("bob").unwrap();
    let info = support::info_bytes(&alice);
    let init = format!(
        r#"{{"name":"Cache","symbol":"CCH","decimals":6,"initial_balances":[{{"address":"{alice}","amount":"1000"}}]}}"#
    );
    let transfer = format!(r#"{{"transfer":{{"recipient":"{bob}","amount":"7"}}}}"#);
    let query = format!(r#"{{"balance":{{"address":"{bob}"}}}}"#);
    let calls = [
        (
            EntryPoint::Instantiate,
            Some(info.as_slice()),
            init.as_bytes(),
        ),
        (
            EntryPoint::Execute,
            Some(info.as_slice()),
            transfer.as_bytes(),
        ),
        (EntryPoint::Query, None, query.as_bytes()),
    ];
    let (mut results, mut gas) = (Vec::new(), Vec::new());
    for (entry, info, msg) in calls {
        let mut instance =
            cw_runtime::ContractInstance::new(module, &cw_runtime::InstanceOptions::default())
                .unwrap();
        let (result, backend) = instance.call(
            entry,
            &env,
            info,
            msg,
            support::backend(entry, &map, 10_000_000_000),
        );
        results.push(result.unwrap().unwrap());
        gas.push(backend.gas.used().as_u64());
    }
    let state = support::dump(&map).into_iter().collect();
    (results, state, gas)
}

#[test]
fn cw20_gives_identical_results_state_and_gas_on_every_cache_path() {
    let dir = tempfile::tempdir().unwrap();
    let code = tests::fixture_bytes("cw20_base");
    let cache = ModuleCache::new(config(Some(262_144)), 256 << 20, Some(dir.path())).unwrap();
    let (cold, tier) = cache.get(&code).unwrap();
    assert_eq!(tier, CacheTier::Compiled);
    let expected = cw20_script(&cold);
    // ContractResult<Binary> of {"balance":"7"}.
    assert_eq!(expected.0[2], br#"{"ok":"eyJiYWxhbmNlIjoiNyJ9"}"#);

    let (memory, tier) = cache.get(&code).unwrap();
    assert_eq!(tier, CacheTier::Memory);
    assert_eq!(cw20_script(&memory), expected, "memory cache");

    cache.pin(&code).unwrap();
    let (pinned, tier) = cache.get(&code).unwrap();
    assert_eq!(tier, CacheTier::Pinned);
    assert_eq!(cw20_script(&pinned), expected, "pinned");

    let from_disk = ModuleCache::new(config(Some(262_144)), 256 << 20, Some(dir.path())).unwrap();
    let (disk, tier) = from_disk.get(&code).unwrap();
    assert_eq!(tier, CacheTier::Disk);
    assert_eq!(cw20_script(&disk), expected, "disk cache");

    let [file] = artifact_files(dir.path()).try_into().unwrap();
    let mut bytes = std::fs::read(&file).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0xff;
    std::fs::write(&file, bytes).unwrap();
    let after_tamper =
        ModuleCache::new(config(Some(262_144)), 256 << 20, Some(dir.path())).unwrap();
    let (recompiled, tier) = after_tamper.get(&code).unwrap();
    assert_eq!(tier, CacheTier::Compiled);
    assert_eq!(after_tamper.metrics().disk_artifacts_discarded, 1);
    assert_eq!(
        cw20_script(&recompiled),
        expected,
        "after a tampered artifact"
    );
}
