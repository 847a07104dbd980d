//! A home refuses a damaged or changed file: never a panic, never a state
//! other than the one committed.

use super::*;

fn block(height: u64) -> BlockState {
    BlockState {
        height,
        time_nanos: 1_700_000_000_000_000_000,
        chain_id: "cw-chain".into(),
    }
}

/// A home with a code, some records (one overwritten, one removed) and a
/// block, closed again.
fn filled_home() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let home = Home::open(dir.path()).unwrap();
    let wasm = vec![0xAB; 20_000];
    home.commit(&Commit {
        code: Some((1, Mode::Wasm, &wasm)),
        changes: (0..200u32)
            .map(|i| (i.to_be_bytes().to_vec(), Some(vec![i as u8; 100])))
            .collect(),
        block: Some(&block(2)),
    })
    .unwrap();
    home.commit(&Commit {
        code: None,
        changes: vec![
            (7u32.to_be_bytes().to_vec(), Some(b"seven".to_vec())),
            (8u32.to_be_bytes().to_vec(), None),
        ],
        block: Some(&block(3)),
    })
    .unwrap();
    dir
}

/// Code ids with their Wasm, the records, the block height.
type Contents = (Vec<(u64, Vec<u8>)>, Records, Option<u64>);

fn contents(snapshot: &Snapshot) -> Contents {
    (
        snapshot
            .codes
            .iter()
            .map(|c| (c.code_id, c.wasm.clone()))
            .collect(),
        snapshot.state.clone(),
        snapshot.block.as_ref().map(|b| b.height),
    )
}

#[test]
fn committed_changes_load_back_and_match_their_checksum() {
    let dir = filled_home();
    let home = Home::open(dir.path()).unwrap();
    assert!(!home.was_repaired());
    let snapshot = home.load().unwrap();
    assert_eq!(snapshot.codes.len(), 1);
    assert_eq!(snapshot.state.len(), 199);
    assert!(
        snapshot
            .state
            .contains(&(7u32.to_be_bytes().to_vec(), b"seven".to_vec()))
    );
    assert_eq!(snapshot.block.map(|b| b.height), Some(3));
}

#[test]
fn a_record_changed_outside_cwr_is_refused() {
    let dir = filled_home();
    // What an editor of the file could do with redb itself: a valid
    // database whose records no longer add up to the checksum.
    {
        let db = Database::create(dir.path().join(DB_FILE)).unwrap();
        let txn = db.begin_write().unwrap();
        txn.open_table(STATE)
            .unwrap()
            .insert(7u32.to_be_bytes().as_slice(), b"eight".as_slice())
            .unwrap();
        txn.commit().unwrap();
    }
    let home = Home::open(dir.path()).unwrap();
    let error = home.load().unwrap_err();
    assert!(matches!(error, HomeError::Inconsistent { .. }), "{error}");
    assert!(error.to_string().contains("is inconsistent"), "{error}");
}

#[test]
fn a_home_from_before_the_checksum_gets_one() {
    let dir = tempfile::tempdir().unwrap();
    {
        let db = Database::create(dir.path().join(DB_FILE)).unwrap();
        let txn = db.begin_write().unwrap();
        txn.open_table(STATE)
            .unwrap()
            .insert(b"k".as_slice(), b"v".as_slice())
            .unwrap();
        txn.open_table(CODES).unwrap();
        txn.open_table(META).unwrap();
        txn.commit().unwrap();
    }
    let home = Home::open(dir.path()).unwrap();
    assert_eq!(
        home.load().unwrap().state,
        vec![(b"k".to_vec(), b"v".to_vec())]
    );
}

/// Flips 16 bytes at every 512-byte step of the file, one copy per step:
/// every open and load either fails with a `HomeError` or gives exactly the
/// committed contents. Before the check, redb panicked at some pages and
/// handed changed code bytes to the chain at others.
#[test]
fn damage_anywhere_is_refused_or_harmless_and_never_a_panic() {
    let dir = filled_home();
    let original = std::fs::read(dir.path().join(DB_FILE)).unwrap();
    let expected = contents(&Home::open(dir.path()).unwrap().load().unwrap());
    let (mut refused, mut harmless) = (0, 0);
    for offset in (0..original.len()).step_by(512) {
        let copy = tempfile::tempdir().unwrap();
        let mut bytes = original.clone();
        let end = (offset + 16).min(bytes.len());
        for byte in &mut bytes[offset..end] {
            *byte ^= 0x5A;
        }
        std::fs::write(copy.path().join(DB_FILE), &bytes).unwrap();
        let loaded = Home::open(copy.path()).and_then(|home| home.load());
        match loaded {
            Ok(snapshot) => {
                assert_eq!(contents(&snapshot), expected, "offset {offset}");
                harmless += 1;
            }
            Err(
                HomeError::Corrupt { .. } | HomeError::Inconsistent { .. } | HomeError::Db { .. },
            ) => refused += 1,
            Err(other) => panic!("offset {offset}: {other}"),
        }
    }
    assert!(
        refused > 0 && harmless > 0,
        "{refused} refused, {harmless} harmless"
    );
}
