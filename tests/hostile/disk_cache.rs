//! Item 8: a damaged disk-cache artifact is discarded and recompiled, never
//! loaded; the metrics say so; the recompiled module gives byte-identical
//! results and gas; the rewritten artifact verifies again. And what someone
//! who can write in the cache folder, but cannot read the user's artifact
//! key, can do (issue 20): nothing that runs their code, hangs the process
//! or makes it read without bound.
//!
//! Layout (crates/cw-runtime/src/cache/disk.rs): `<dir>/<config key>/
//! <code checksum>.module` = 8-byte magic (version 2), HMAC-SHA256 under
//! the artifact key of (domain, config key, code checksum, artifact), the
//! artifact's length (u64 LE), the artifact.

use std::path::{Path, PathBuf};

use cw_host::EntryPoint;
use cw_runtime::{
    CacheMetrics, CacheTier, CompiledModule, InstanceOptions, ModuleCache, WasmContract,
};

use crate::abi;
use crate::harness::{Map, Outcome, Schedule, backend_with, call_contract, compile_config, report};

const HEADER_BYTES: usize = 8 + 32 + 8;
const CACHE_BYTES: usize = 256 << 20;
/// Why an artifact whose HMAC does not verify is discarded.
const MAC_MISMATCH: &str = "artifact HMAC (keyed, bound to the code checksum and the \
                            configuration) does not match the header";

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
            MAC_MISMATCH,
        ),
        (
            "middle artifact byte flipped",
            |b| {
                let mid = HEADER_BYTES + (b.len() - HEADER_BYTES) / 2;
                b[mid] ^= 0x80;
            },
            MAC_MISMATCH,
        ),
        ("recorded HMAC flipped", |b| b[8] ^= 1, MAC_MISMATCH),
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
            "format version byte set to 1 (the unkeyed layout)",
            |b| b[7] = 0x01,
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
    let reason = MAC_MISMATCH;
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

/// Writes `artifact` as this module's file with a digest the writer can
/// compute without the key: the sha256 of layout version 1, or an HMAC
/// under a key of the writer's own. The magic is copied from the real file,
/// so only the digest can give the forgery away.
fn forge(path: &Path, checksum: &[u8], artifact: &[u8], digest: Forgery) {
    use sha2::{Digest, Sha256};
    let magic = std::fs::read(path).unwrap()[..8].to_vec();
    let mac = match digest {
        Forgery::UnkeyedSha256 => Sha256::new()
            .chain_update(checksum)
            .chain_update(artifact)
            .finalize()
            .to_vec(),
        Forgery::OwnKey => {
            // HMAC-SHA256 (RFC 2104) under a key of the writer's choosing.
            let key = [0x42u8; 64];
            let inner = Sha256::new()
                .chain_update(key.map(|b| b ^ 0x36))
                .chain_update(checksum)
                .chain_update(artifact)
                .finalize();
            Sha256::new()
                .chain_update(key.map(|b| b ^ 0x5c))
                .chain_update(inner)
                .finalize()
                .to_vec()
        }
    };
    let mut bytes = magic;
    bytes.extend_from_slice(&mac);
    bytes.extend_from_slice(&(artifact.len() as u64).to_le_bytes());
    bytes.extend_from_slice(artifact);
    std::fs::write(path, bytes).unwrap();
}

#[derive(Debug, Clone, Copy)]
enum Forgery {
    UnkeyedSha256,
    OwnKey,
}

/// Issue 20: someone who can write the cache folder puts another module's
/// machine code under this module's name with a digest recomputed for it.
/// Before the artifact key, the digest was an unkeyed sha256 anyone could
/// recompute, and the other module's code ran (tier `Disk`).
#[test]
fn a_forged_artifact_with_a_recomputed_digest_is_not_loaded() {
    for forgery in [Forgery::UnkeyedSha256, Forgery::OwnKey] {
        let dir = tempfile::tempdir().unwrap();
        let cache = ModuleCache::new(compile_config(), CACHE_BYTES, Some(dir.path())).unwrap();
        let mine = abi::module();
        let other = abi::module_with_execute("(i32.const 0)");
        let (module, _) = cache.get(&mine).unwrap();
        let (other_module, _) = cache.get(&other).unwrap();
        let expected = script(&module, ABI_SCRIPT);
        assert_ne!(script(&other_module, ABI_SCRIPT), expected);
        let theirs = std::fs::read(artifact_path(dir.path(), &other_module)).unwrap();
        forge(
            &artifact_path(dir.path(), &module),
            module.checksum.as_bytes(),
            &theirs[HEADER_BYTES..],
            forgery,
        );

        let fresh = ModuleCache::new(compile_config(), CACHE_BYTES, Some(dir.path())).unwrap();
        let (loaded, tier) = fresh.get(&mine).unwrap();
        assert_eq!(
            script(&loaded, ABI_SCRIPT),
            expected,
            "{forgery:?}: the forged artifact's code ran"
        );
        assert_eq!(tier, CacheTier::Compiled, "{forgery:?}");
        assert_eq!(
            fresh.metrics().last_discard,
            Some(format!("{}: {MAC_MISMATCH}", module.checksum)),
            "{forgery:?}"
        );
        report(
            8,
            &format!("another module's artifact with a forged digest ({forgery:?})"),
            &format!("discarded ({MAC_MISMATCH}), recompiled, identical results"),
            0,
        );
    }
}

/// Runs `body` on a thread; fails the test if it takes longer than
/// `seconds` instead of hanging it.
fn within<R: Send + 'static>(seconds: u64, body: impl FnOnce() -> R + Send + 'static) -> R {
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || sender.send(body()));
    receiver
        .recv_timeout(std::time::Duration::from_secs(seconds))
        .expect("the module cache hung on a file in its folder")
}

/// Issue 20 item 8: a FIFO named like a module made the load wait for a
/// writer forever; a link to `/dev/zero` made it read until memory ran
/// out. Both are now discarded unread, and the module compiles.
#[test]
fn a_fifo_or_a_link_to_dev_zero_named_like_a_module_is_discarded_unread() {
    let code = abi::module();
    for (case, reason) in [
        ("a FIFO", "not a regular file"),
        ("a link to /dev/zero", "not a regular file: a symbolic link"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let first = ModuleCache::new(compile_config(), CACHE_BYTES, Some(dir.path())).unwrap();
        let (module, _) = first.get(&code).unwrap();
        let expected = script(&module, ABI_SCRIPT);
        let path = artifact_path(dir.path(), &module);
        std::fs::remove_file(&path).unwrap();
        if case == "a FIFO" {
            let made = std::process::Command::new("mkfifo")
                .arg(&path)
                .status()
                .unwrap();
            assert!(made.success());
        } else {
            std::os::unix::fs::symlink("/dev/zero", &path).unwrap();
        }

        let base = dir.path().to_path_buf();
        let code = code.clone();
        let (tier, metrics, outcome) = within(60, move || {
            let cache = ModuleCache::new(compile_config(), CACHE_BYTES, Some(&base)).unwrap();
            let (module, tier) = cache.get(&code).unwrap();
            (tier, cache.metrics(), script(&module, ABI_SCRIPT))
        });
        assert_eq!(tier, CacheTier::Compiled, "{case}");
        assert_eq!(outcome, expected, "{case}");
        assert_eq!(
            metrics.last_discard,
            Some(format!("{}: {reason}", module.checksum)),
            "{case}"
        );
        // The planted entry was replaced by a real artifact.
        let meta = std::fs::symlink_metadata(&path).unwrap();
        assert!(meta.file_type().is_file(), "{case}");
        report(
            8,
            &format!("{case} named like a module"),
            &format!("discarded unread ({reason}), recompiled, identical results"),
            0,
        );
    }
}

/// Issue 20: the temporary file had a predictable name
/// (`<checksum>.tmp<pid>`) and was written with `std::fs::write`, which
/// follows a link planted there and overwrites its target. Temporary files
/// are now made with `create_new` under a unique name.
#[test]
fn a_link_planted_at_the_old_temporary_name_is_not_followed() {
    let dir = tempfile::tempdir().unwrap();
    let victim = dir.path().join("victim");
    std::fs::write(&victim, b"precious").unwrap();
    let base = dir.path().join("cache");
    let code = abi::module();
    let checksum = cw_runtime::Checksum::of(&code);
    let config_dir = base.join(compile_config().key());
    std::fs::create_dir_all(&config_dir).unwrap();
    let planted = config_dir.join(format!("{}.tmp{}", checksum.to_hex(), std::process::id()));
    std::os::unix::fs::symlink(&victim, &planted).unwrap();

    let cache = ModuleCache::new(compile_config(), CACHE_BYTES, Some(&base)).unwrap();
    let (_, tier) = cache.get(&code).unwrap();
    assert_eq!(tier, CacheTier::Compiled);
    assert_eq!(std::fs::read(&victim).unwrap(), b"precious");
    let fresh = ModuleCache::new(compile_config(), CACHE_BYTES, Some(&base)).unwrap();
    assert_eq!(fresh.get(&code).unwrap().1, CacheTier::Disk);
    report(8, "a link planted at the temporary name", "not followed", 0);
}

/// Issue 20: two caches over one folder (two chains in one process)
/// compiling the same code at once shared one temporary name, so one
/// thread's rename found the file gone and its `get` failed.
#[test]
fn two_caches_storing_the_same_module_at_once_both_succeed() {
    let code = crate::harness::probe_code();
    for round in 0..4 {
        let dir = tempfile::tempdir().unwrap();
        let barrier = std::sync::Arc::new(std::sync::Barrier::new(2));
        let threads: Vec<_> = (0..2)
            .map(|_| {
                let (base, code, barrier) = (
                    dir.path().to_path_buf(),
                    code.clone(),
                    std::sync::Arc::clone(&barrier),
                );
                std::thread::spawn(move || {
                    let cache =
                        ModuleCache::new(compile_config(), CACHE_BYTES, Some(&base)).unwrap();
                    barrier.wait();
                    cache.get(&code).map(|(_, tier)| tier)
                })
            })
            .collect();
        for thread in threads {
            let tier = thread.join().unwrap();
            assert!(
                matches!(tier, Ok(CacheTier::Compiled | CacheTier::Disk)),
                "round {round}: {tier:?}"
            );
        }
        let fresh = ModuleCache::new(compile_config(), CACHE_BYTES, Some(dir.path())).unwrap();
        assert_eq!(fresh.get(&code).unwrap().1, CacheTier::Disk);
    }
    report(
        8,
        "two caches storing one module at once",
        "both succeed",
        0,
    );
}

/// Issue 20: a cache folder others can write in is refused with a typed
/// error before anything is read from it.
#[test]
fn a_cache_folder_others_can_write_is_refused() {
    use std::os::unix::fs::PermissionsExt;

    use cw_runtime::DiskTrustError;

    let dir = tempfile::tempdir().unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o1777)).unwrap();
    let Err(error) = ModuleCache::new(compile_config(), CACHE_BYTES, Some(dir.path())) else {
        panic!("a folder anyone can write was accepted");
    };
    match DiskTrustError::find(&error) {
        Some(DiskTrustError::WritableByOthers { path, mode }) => {
            assert_eq!(path, dir.path());
            assert_eq!(*mode, 0o1777);
        }
        other => panic!("{other:?}: {error}"),
    }
    let message = error.to_string();
    assert!(
        message.contains("writable by group or others (mode 1777)"),
        "{message}"
    );
    report(8, "a cache folder others can write", &message, 0);
}
