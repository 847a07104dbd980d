//! The disk layer alone, on artifacts of made-up bytes: what it trusts,
//! what it opens, how it names what it writes.

use std::os::unix::fs::PermissionsExt;
use std::sync::{Arc, Barrier};
use std::time::Duration;

use super::*;
use crate::cache::DiskTrustError;

const CONFIG: &str = "config-key";

fn key(byte: u8) -> ArtifactKey {
    ArtifactKey::from_bytes([byte; 32])
}

fn checksum() -> Checksum {
    Checksum::of(b"some wasm")
}

fn cache(base: &Path, key_byte: u8) -> DiskCache {
    DiskCache::new(base, CONFIG, key(key_byte)).unwrap()
}

/// Runs `body` on a thread and fails if it takes longer than `seconds`
/// (a FIFO opened for reading blocks until a writer comes).
fn within<R: Send + 'static>(seconds: u64, body: impl FnOnce() -> R + Send + 'static) -> R {
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || sender.send(body()));
    receiver
        .recv_timeout(Duration::from_secs(seconds))
        .expect("the disk cache hung")
}

fn corrupt_reason(load: DiskLoad) -> &'static str {
    match load {
        DiskLoad::Corrupt { reason } => reason,
        other => panic!("expected a discarded file, got {other:?}"),
    }
}

#[test]
fn an_artifact_round_trips_under_its_key_only() {
    let dir = tempfile::tempdir().unwrap();
    let mine = cache(dir.path(), 1);
    mine.store(&checksum(), b"machine code").unwrap();
    assert!(matches!(
        mine.load(&checksum()).unwrap(),
        DiskLoad::Verified(a) if a == b"machine code"
    ));
    // Valid layout, valid length, an HMAC under another key: refused and
    // deleted, so the next lookup compiles.
    let theirs = cache(dir.path(), 2);
    theirs.store(&checksum(), b"their code").unwrap();
    assert_eq!(
        corrupt_reason(mine.load(&checksum()).unwrap()),
        MAC_MISMATCH
    );
    assert!(!mine.path(&checksum()).exists());
    assert!(matches!(mine.load(&checksum()).unwrap(), DiskLoad::Missing));
}

#[test]
fn an_artifact_of_another_configuration_does_not_verify() {
    let dir = tempfile::tempdir().unwrap();
    let a = DiskCache::new(dir.path(), "a", key(1)).unwrap();
    let b = DiskCache::new(dir.path(), "b", key(1)).unwrap();
    a.store(&checksum(), b"code for a").unwrap();
    std::fs::copy(a.path(&checksum()), b.path(&checksum())).unwrap();
    assert_eq!(corrupt_reason(b.load(&checksum()).unwrap()), MAC_MISMATCH);
}

#[test]
fn a_link_planted_at_a_temporary_name_is_not_followed() {
    let dir = tempfile::tempdir().unwrap();
    let victim = dir.path().join("victim");
    std::fs::write(&victim, b"precious").unwrap();
    let disk = cache(&dir.path().join("cache"), 1);
    // Links at the next names this cache will try: every one is skipped.
    let planted: Vec<PathBuf> = (0..TEMP_ATTEMPTS - 1)
        .map(|n| {
            let name = disk.dir.join(format!(
                "{}.{}-{}-{n}.tmp",
                checksum().to_hex(),
                std::process::id(),
                disk.instance
            ));
            std::os::unix::fs::symlink(&victim, &name).unwrap();
            name
        })
        .collect();
    disk.store(&checksum(), b"machine code").unwrap();
    assert_eq!(std::fs::read(&victim).unwrap(), b"precious");
    assert!(planted.iter().all(|p| p.is_symlink()));
    assert!(matches!(
        disk.load(&checksum()).unwrap(),
        DiskLoad::Verified(a) if a == b"machine code"
    ));
    // With every name taken, the store fails clearly and writes nothing.
    for n in TEMP_ATTEMPTS..2 * TEMP_ATTEMPTS {
        let name = disk.dir.join(format!(
            "{}.{}-{}-{n}.tmp",
            checksum().to_hex(),
            std::process::id(),
            disk.instance
        ));
        std::os::unix::fs::symlink(&victim, &name).unwrap();
    }
    let error = disk.store(&checksum(), b"other code").unwrap_err();
    assert!(
        error.to_string().contains("no free temporary name"),
        "{error}"
    );
    assert_eq!(std::fs::read(&victim).unwrap(), b"precious");
}

#[test]
fn two_threads_storing_the_same_module_both_succeed() {
    let dir = tempfile::tempdir().unwrap();
    // Two caches over one folder (two chains in one process) and one cache
    // shared by two threads: neither makes the other's store fail.
    let first = Arc::new(cache(dir.path(), 1));
    let second = Arc::new(cache(dir.path(), 1));
    let artifact: Arc<Vec<u8>> = Arc::new((0..512 << 10).map(|i| (i % 251) as u8).collect());
    for disks in [[&first, &second], [&first, &first]] {
        let barrier = Arc::new(Barrier::new(2));
        let threads: Vec<_> = disks
            .into_iter()
            .map(|disk| {
                let (disk, barrier, artifact) = (
                    Arc::clone(disk),
                    Arc::clone(&barrier),
                    Arc::clone(&artifact),
                );
                // Every round runs on both threads even after a failure,
                // so a failing store cannot leave the other at the barrier.
                std::thread::spawn(move || {
                    (0..20)
                        .map(|_| {
                            barrier.wait();
                            disk.store(&checksum(), &artifact)
                                .map_err(|e| e.to_string())
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        for thread in threads {
            let failures: Vec<String> = thread
                .join()
                .unwrap()
                .into_iter()
                .filter_map(Result::err)
                .collect();
            assert!(failures.is_empty(), "{failures:?}");
        }
        assert!(matches!(
            first.load(&checksum()).unwrap(),
            DiskLoad::Verified(a) if a == *artifact
        ));
    }
    // Only the artifact is left: every temporary name was renamed away.
    let names: Vec<_> = std::fs::read_dir(&first.dir).unwrap().collect();
    assert_eq!(names.len(), 1);
}

#[test]
fn a_fifo_a_link_to_dev_zero_and_a_huge_file_are_discarded_without_reading() {
    let dir = tempfile::tempdir().unwrap();
    let disk = Arc::new(cache(dir.path(), 1));
    let path = disk.path(&checksum());

    std::os::unix::fs::symlink("/dev/zero", &path).unwrap();
    let load = within(10, {
        let disk = Arc::clone(&disk);
        move || disk.load(&checksum()).unwrap()
    });
    assert_eq!(corrupt_reason(load), "not a regular file: a symbolic link");
    assert!(!path.is_symlink(), "the link is deleted");
    assert!(Path::new("/dev/zero").exists(), "its target is not");

    let status = std::process::Command::new("mkfifo")
        .arg(&path)
        .status()
        .unwrap();
    assert!(status.success());
    let load = within(10, {
        let disk = Arc::clone(&disk);
        move || disk.load(&checksum()).unwrap()
    });
    assert_eq!(corrupt_reason(load), "not a regular file");
    assert!(!path.exists());

    // A sparse file just over the bound: refused by its size, never read.
    let file = std::fs::File::create(&path).unwrap();
    file.set_len(MAX_ARTIFACT_BYTES + HEADER_BYTES as u64 + 1)
        .unwrap();
    assert_eq!(
        corrupt_reason(disk.load(&checksum()).unwrap()),
        "larger than the artifact size bound"
    );
    // And an artifact over the bound is not written at all.
    let huge = vec![0u8; usize::try_from(MAX_ARTIFACT_BYTES).unwrap() + 1];
    disk.store(&checksum(), &huge).unwrap();
    assert!(matches!(disk.load(&checksum()).unwrap(), DiskLoad::Missing));

    // A file others may write is not trusted even with a valid HMAC.
    disk.store(&checksum(), b"machine code").unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o666)).unwrap();
    assert_eq!(
        corrupt_reason(disk.load(&checksum()).unwrap()),
        "writable by group or others"
    );
}

#[test]
fn a_folder_others_can_write_or_own_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o777)).unwrap();
    let error = DiskCache::new(dir.path(), CONFIG, key(1)).unwrap_err();
    match DiskTrustError::find(&error) {
        Some(DiskTrustError::WritableByOthers { path, mode }) => {
            assert_eq!(path, dir.path());
            assert_eq!(*mode, 0o777);
        }
        other => panic!("{other:?}: {error}"),
    }
    assert!(error.to_string().contains("writable by group or others"));

    // The configuration folder is checked too.
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o700)).unwrap();
    let config = dir.path().join(CONFIG);
    std::fs::create_dir(&config).unwrap();
    std::fs::set_permissions(&config, std::fs::Permissions::from_mode(0o770)).unwrap();
    let error = DiskCache::new(dir.path(), CONFIG, key(1)).unwrap_err();
    assert!(
        matches!(
            DiskTrustError::find(&error),
            Some(DiskTrustError::WritableByOthers { mode: 0o770, .. })
        ),
        "{error}"
    );

    // A folder of another user: only root can make one to test with.
    std::fs::set_permissions(&config, std::fs::Permissions::from_mode(0o700)).unwrap();
    if trust::current_user() == 0 {
        std::os::unix::fs::chown(&config, Some(4242), None).unwrap();
        let error = DiskCache::new(dir.path(), CONFIG, key(1)).unwrap_err();
        assert!(
            matches!(
                DiskTrustError::find(&error),
                Some(DiskTrustError::NotOwned {
                    owner: 4242,
                    user: 0,
                    ..
                })
            ),
            "{error}"
        );
    }

    // A folder made by the cache is the user's alone.
    let made = dir.path().join("made");
    let fresh = DiskCache::new(&made, CONFIG, key(1)).unwrap();
    for folder in [&made, &fresh.dir] {
        let mode = std::fs::metadata(folder).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o700, "{}", folder.display());
    }
    fresh.store(&checksum(), b"machine code").unwrap();
    let mode = std::fs::metadata(fresh.path(&checksum()))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
}
