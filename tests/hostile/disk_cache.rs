//! Item 8: a damaged disk-cache artifact is discarded and recompiled, never
//! loaded; the metrics say so; the recompiled module gives byte-identical
//! results and gas; the rewritten artifact verifies again.
//!
//! Layout (crates/cw-runtime/src/cache/disk.rs): `<dir>/<config key>/
//! <code checksum>.module` = 8-byte magic, sha256(code checksum ||
//! artifact), the artifact's length (u64 LE), the artifact.

use std::path::{Path, PathBuf};

use cw_host::EntryPoint;
use cw_runtime::{
    CacheMetrics, CacheTier, CompiledModule, InstanceOptions, ModuleCache, WasmContract,
};

use crate::abi;
use crate::harness::{Map, Outcome, Schedule, backend_with, call_contract, compile_config, report};

const HEADER_BYTES: usize = 8 + 32 + 8;
const CACHE_BYTES: usize = 256 << 20;

fn artifact_path(dir: &Path, module: &CompiledModule) -> PathBuf {
    let [folder] = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect::<Vec<_>>()
        .try_into()
        .unwrap();
    folder.join(format!("{}.module", module.checksum.to_hex()))
}

/// A fixed script of calls, each on a fresh store state: what a module
/// computes, with its gas.
fn script(module: &CompiledModule, calls: &[(EntryPoint, &[u8])]) -> Vec<Outcome> {
    let store = Map::default();
    let mut contract = WasmContract::<Schedule>::new(module.clone(), InstanceOptions::default());
    calls
        .iter()
        .map(|&(entry, msg)| {
            let backend = backend_with(
                entry,
                &store,
                crate::harness::GAS_LIMIT,
                Box::new(cw_host::testing::MockQuerier::new()),
            );
            call_contract(&mut contract, entry, msg, backend).0
        })
        .collect()
}

const PROBE_SCRIPT: &[(EntryPoint, &[u8])] = &[
    (
        EntryPoint::Execute,
        br#"{"write":{"key":"aw==","value":"dg=="}}"#,
    ),
    (EntryPoint::Query, br#"{"read":{"key":"aw=="}}"#),
    (EntryPoint::Execute, br#"{"recurse":{"depth":50}}"#),
    (
        EntryPoint::Query,
        br#"{"scan":{"start":null,"end":null,"order":"ascending","limit":null,"mode":"pairs"}}"#,
    ),
];

const ABI_SCRIPT: &[(EntryPoint, &[u8])] =
    &[(EntryPoint::Query, b"{}"), (EntryPoint::Execute, b"{}")];

type Damage = fn(&mut Vec<u8>);

fn damages() -> Vec<(&'static str, Damage, &'static str)> {
    vec![
        (
            "last artifact byte flipped",
            |b| *b.last_mut().unwrap() ^= 1,
            "artifact sha256 (bound to the code checksum) does not match the header",
        ),
        (
            "middle artifact byte flipped",
            |b| {
                let mid = HEADER_BYTES + (b.len() - HEADER_BYTES) / 2;
                b[mid] ^= 0x80;
            },
            "artifact sha256 (bound to the code checksum) does not match the header",
        ),
        (
            "recorded sha256 flipped",
            |b| b[8] ^= 1,
            "artifact sha256 (bound to the code checksum) does not match the header",
        ),
        (
            "truncated to half",
            |b| b.truncate(b.len() / 2),
            "artifact length does not match the header",
        ),
        (
            "truncated inside the header",
            |b| b.truncate(HEADER_BYTES - 1),
            "truncated header",
        ),
        ("empty file", Vec::clear, "truncated header"),
        (
            "format version byte changed",
            |b| b[7] = 0x02,
            "wrong magic or format version",
        ),
        (
            "length field changed",
            |b| b[40] ^= 1,
            "artifact length does not match the header",
        ),
        (
            "artifact bytes appended",
            |b| b.extend_from_slice(b"extra"),
            "artifact length does not match the header",
        ),
    ]
}

/// Damages the artifact of `code` with `damage` and checks a new cache over
/// the folder discards it, recompiles, and computes exactly what the
/// original did.
fn check_damage(
    code: &[u8],
    calls: &[(EntryPoint, &[u8])],
    case: &str,
    damage: Damage,
    reason: &str,
) {
    let dir = tempfile::tempdir().unwrap();
    let first = ModuleCache::new(compile_config(), CACHE_BYTES, Some(dir.path())).unwrap();
    let (original, tier) = first.get(code).unwrap();
    assert_eq!(tier, CacheTier::Compiled);
    let expected = script(&original, calls);
    assert!(expected.iter().all(|o| o.result.is_ok()), "{expected:?}");

    let path = artifact_path(dir.path(), &original);
    let mut bytes = std::fs::read(&path).unwrap();
    damage(&mut bytes);
    std::fs::write(&path, &bytes).unwrap();

    let second = ModuleCache::new(compile_config(), CACHE_BYTES, Some(dir.path())).unwrap();
    let (module, tier) = second.get(code).unwrap();
    assert_eq!(tier, CacheTier::Compiled, "{case}");
    let metrics = second.metrics();
    let expected_metrics = CacheMetrics {
        misses: 1,
        disk_artifacts_discarded: 1,
        last_discard: Some(format!("{}: {reason}", original.checksum)),
        memory_entries: 1,
        memory_bytes: original.size_bytes,
        compile_time: metrics.compile_time,
        ..CacheMetrics::default()
    };
    assert_eq!(metrics, expected_metrics, "{case}");
    assert_eq!(script(&module, calls), expected, "{case}");

    // The recompiled artifact replaced the damaged file and verifies.
    let third = ModuleCache::new(compile_config(), CACHE_BYTES, Some(dir.path())).unwrap();
    let (reloaded, tier) = third.get(code).unwrap();
    assert_eq!(tier, CacheTier::Disk, "{case}");
    assert_eq!(script(&reloaded, calls), expected, "{case}");
    report(
        8,
        case,
        &format!("discarded ({reason}), recompiled, identical results"),
        0,
    );
}

#[test]
fn damaged_probe_artifacts_are_discarded_and_recompiled() {
    let probe = crate::harness::probe_code();
    for (case, damage, reason) in damages().into_iter().take(2) {
        check_damage(
            &probe,
            PROBE_SCRIPT,
            &format!("probe: {case}"),
            damage,
            reason,
        );
    }
    let (case, damage, reason) = damages()[3];
    check_damage(
        &probe,
        PROBE_SCRIPT,
        &format!("probe: {case}"),
        damage,
        reason,
    );
}

#[test]
fn every_kind_of_damage_is_detected() {
    let code = abi::module();
    for (case, damage, reason) in damages() {
        check_damage(&code, ABI_SCRIPT, case, damage, reason);
    }
}

/// The valid artifact of another module, copied over this module's file,
/// must not load: the header's digest covers the code checksum too (since
/// 80c2eb1; before, it covered the artifact alone, and the other module's
/// code ran under this module's checksum).
#[test]
fn another_modules_artifact_under_this_checksum_is_not_loaded() {
    let dir = tempfile::tempdir().unwrap();
    let cache = ModuleCache::new(compile_config(), CACHE_BYTES, Some(dir.path())).unwrap();
    let mine = abi::module();
    let other = abi::module_with_execute("(i32.const 0)");
    let (module, _) = cache.get(&mine).unwrap();
    let (other_module, _) = cache.get(&other).unwrap();
    let expected = script(&module, ABI_SCRIPT);
    assert_ne!(script(&other_module, ABI_SCRIPT), expected);
    std::fs::copy(
        artifact_path(dir.path(), &other_module),
        artifact_path(dir.path(), &module),
    )
    .unwrap();

    let fresh = ModuleCache::new(compile_config(), CACHE_BYTES, Some(dir.path())).unwrap();
    let (loaded, tier) = fresh.get(&mine).unwrap();
    assert_eq!(
        script(&loaded, ABI_SCRIPT),
        expected,
        "another module's code ran"
    );
    assert_eq!(tier, CacheTier::Compiled);
    let metrics = fresh.metrics();
    assert_eq!(metrics.disk_artifacts_discarded, 1);
    let reason = "artifact sha256 (bound to the code checksum) does not match the header";
    assert_eq!(
        metrics.last_discard,
        Some(format!("{}: {reason}", module.checksum))
    );
    report(
        8,
        "another module's valid artifact under this checksum",
        &format!("discarded ({reason}), recompiled, identical results"),
        0,
    );
}
