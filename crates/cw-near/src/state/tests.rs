//! The index against cw-chain's `MemoryState`: the same writes, the same
//! seeks, the same answers, before and after flushes.

use cw_chain::{ChainState, CodeRecord, ExecutionMode, MemoryState};
use cw_host::{Checksum, KeyRange, Order};
use proptest::prelude::*;

use super::*;

#[derive(Debug, Clone)]
enum Op {
    Set(Vec<u8>, Vec<u8>),
    Remove(Vec<u8>),
    Flush,
}

fn key() -> impl Strategy<Value = Vec<u8>> {
    // A small alphabet, so keys collide, share prefixes and get removed.
    proptest::collection::vec(0u8..4, 0..5)
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => (key(), proptest::collection::vec(any::<u8>(), 0..3)).prop_map(|(k, v)| Op::Set(k, v)),
        3 => key().prop_map(Op::Remove),
        1 => Just(Op::Flush),
    ]
}

fn all_seeks(state: &dyn ChainState, bounds: &[Vec<u8>]) -> Vec<Option<cw_host::Record>> {
    let mut answers = Vec::new();
    let options: Vec<Option<&[u8]>> = std::iter::once(None)
        .chain(bounds.iter().map(|b| Some(b.as_slice())))
        .collect();
    for &start in &options {
        for &end in &options {
            for &after in &options {
                let range = KeyRange { start, end };
                // The chain seeks after a key the range returned, never
                // after one outside it (cw-chain's MemoryState panics on
                // an `after` equal to the end).
                if after.is_some_and(|a| !range.contains(a)) {
                    continue;
                }
                for order in [Order::Ascending, Order::Descending] {
                    answers.push(state.seek(range, order, after));
                }
            }
        }
    }
    answers
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn seeks_match_the_memory_state(
        ops in proptest::collection::vec(op(), 0..400),
        bounds in proptest::collection::vec(key(), 0..4),
    ) {
        let mut expected = MemoryState::default();
        let mut ours = KvState::new(MemoryRaw::default());
        for op in ops {
            match op {
                Op::Set(k, v) => prop_assert_eq!(ours.set(&k, &v), expected.set(&k, &v)),
                Op::Remove(k) => prop_assert_eq!(ours.remove(&k), expected.remove(&k)),
                Op::Flush => ours.flush(),
            }
        }
        prop_assert_eq!(all_seeks(&ours, &bounds), all_seeks(&expected, &bounds));
        // What reached the raw storage, read by a fresh cache, is the same.
        ours.flush();
        let raw = ours.with_raw(Clone::clone);
        let reread = KvState::new(raw);
        prop_assert_eq!(all_seeks(&reread, &bounds), all_seeks(&expected, &bounds));
    }
}

#[test]
fn many_keys_split_pages_and_empty_pages_leave_the_directory() {
    let mut state = KvState::new(MemoryRaw::default());
    let keys: Vec<Vec<u8>> = (0u32..1_000)
        .map(|i| (i * 7919 % 1_000).to_be_bytes().to_vec())
        .collect();
    for k in &keys {
        state.set(k, b"v");
    }
    state.flush();
    let pages = |state: &KvState<MemoryRaw>| {
        state.with_raw(|raw| raw.records.keys().filter(|k| k[0] == PAGE).count())
    };
    assert!(pages(&state) >= 1_000 / MAX_PAGE_KEYS, "{}", pages(&state));
    let everything = KeyRange {
        start: None,
        end: None,
    };
    let mut seen = Vec::new();
    while let Some((k, _)) =
        state.seek(everything, Order::Ascending, seen.last().map(Vec::as_slice))
    {
        seen.push(k);
    }
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(seen, sorted);
    for k in &keys {
        state.remove(k);
    }
    state.flush();
    // Everything is gone: values, pages, and the directory is page 0 alone.
    state.with_raw(|raw| {
        let tags: Vec<u8> = raw.records.keys().map(|k| k[0]).collect();
        assert_eq!(tags, [b'd']);
    });
    assert_eq!(state.seek(everything, Order::Descending, None), None);
}

#[test]
fn nothing_is_written_before_a_flush() {
    let mut state = KvState::new(MemoryRaw::default());
    state.set(b"a", b"1");
    state.remove(b"a");
    state.set(b"b", b"2");
    assert!(state.with_raw(|raw| raw.records.is_empty()));
    state.flush();
    assert_eq!(
        KvState::new(state.with_raw(Clone::clone)).get(b"b"),
        Some(b"2".to_vec())
    );
}

#[test]
fn codes_round_trip() {
    let mut state = KvState::new(MemoryRaw::default());
    assert_eq!(state.code_count(), 0);
    let code = CodeRecord {
        creator: "alice.near".into(),
        checksum: Checksum::of(b"\0asm"),
        wasm: Arc::from(&b"\0asm\x01\0\0\0"[..]),
        mode: ExecutionMode::Auto,
    };
    state.push_code(code.clone());
    assert_eq!(state.code_count(), 1);
    assert_eq!(state.code(1), Some(code.clone()));
    assert_eq!(state.code(2), None);
    assert!(state.with_raw(|raw| raw.records.is_empty()));
    state.flush();
    let reread = KvState::new(state.with_raw(Clone::clone));
    assert_eq!(reread.code_count(), 1);
    assert_eq!(reread.code(1), Some(code));
}

#[test]
fn the_transaction_count_round_trips_and_a_malformed_one_is_refused() {
    for position in [(7, Some(3)), (u64::MAX, None)] {
        let state = KvState::new(MemoryRaw::default());
        assert_eq!(state.tx_position(), None);
        state.set_tx_position(position.0, position.1);
        assert_eq!(state.tx_position(), None, "nothing before the flush");
        state.flush();
        let reread = KvState::new(state.with_raw(Clone::clone));
        assert_eq!(reread.tx_position(), Some(position));
    }
    for malformed in [&[0u8; 7][..], &[0u8; 10][..], &[0u8; 13][..]] {
        assert!(matches!(
            decode_tx_position(malformed),
            Err(NearError::CorruptState { .. })
        ));
    }
}
