//! db_scan and db_next*: order, bounds, ids, laziness, errors, and a
//! proptest against a BTreeMap model.

use std::collections::BTreeMap;
use std::ops::Bound;

use cw_gas::{CosmWasmSchedule, CwGas, GasCategory, GasError, GasMeter};
use cw_host::{HostError, HostLimits, Storage, imports};
use cw_region::decode_sections;
use proptest::prelude::*;

use crate::support::{HOST_CALL, Harness, read_cost, write_cost};

fn seeded() -> Harness<CosmWasmSchedule> {
    let mut h = Harness::new();
    for (k, v) in [("a", "1"), ("b", "2"), ("c", "3"), ("d", "4")] {
        h.storage.set(k.as_bytes(), v.as_bytes()).unwrap();
    }
    h
}

/// Drains iterator `id` with db_next, returning the records.
fn drain(h: &mut Harness<CosmWasmSchedule>, id: u32) -> Vec<(Vec<u8>, Vec<u8>)> {
    let mut out = Vec::new();
    loop {
        let ptr = h
            .with(|ctx, mem, alloc| imports::db_next(ctx, mem, alloc, id))
            .unwrap();
        let data = h.read(ptr);
        let sections = decode_sections(&data).unwrap();
        assert_eq!(sections.len(), 2);
        if sections[0].is_empty() {
            assert_eq!(data, [0u8; 8], "the end is two empty sections");
            return out;
        }
        out.push((sections[0].to_vec(), sections[1].to_vec()));
    }
}

fn keys(records: &[(Vec<u8>, Vec<u8>)]) -> Vec<&[u8]> {
    records.iter().map(|(k, _)| k.as_slice()).collect()
}

#[test]
fn ascending_and_descending_with_bounds() {
    let mut h = seeded();
    let b = h.place(b"b");
    let d = h.place(b"d");
    let id = h
        .with(|ctx, mem, _| imports::db_scan(ctx, mem, b, d, 1))
        .unwrap();
    assert_eq!(id, 1);
    let records = drain(&mut h, id);
    assert_eq!(keys(&records), [b"b", b"c"]);
    assert_eq!(records[0].1, b"2");

    let id = h
        .with(|ctx, mem, _| imports::db_scan(ctx, mem, b, 0, 2))
        .unwrap();
    assert_eq!(id, 2, "ids count up within the call");
    assert_eq!(keys(&drain(&mut h, id)), [b"d", b"c", b"b"]);

    let id = h
        .with(|ctx, mem, _| imports::db_scan(ctx, mem, 0, 0, 1))
        .unwrap();
    assert_eq!(id, 3);
    assert_eq!(keys(&drain(&mut h, id)), [b"a", b"b", b"c", b"d"]);

    // start >= end is empty in both orders.
    for order in [1, 2] {
        let id = h
            .with(|ctx, mem, _| imports::db_scan(ctx, mem, d, b, order))
            .unwrap();
        assert!(drain(&mut h, id).is_empty());
    }
}

#[test]
fn next_key_and_next_value_return_zero_at_the_end() {
    let mut h = seeded();
    let c = h.place(b"c");
    let id = h
        .with(|ctx, mem, _| imports::db_scan(ctx, mem, c, 0, 1))
        .unwrap();
    let k = h
        .with(|ctx, mem, alloc| imports::db_next_key(ctx, mem, alloc, id))
        .unwrap();
    assert_eq!(h.read(k), b"c");
    let v = h
        .with(|ctx, mem, alloc| imports::db_next_value(ctx, mem, alloc, id))
        .unwrap();
    assert_eq!(h.read(v), b"4", "the value of the next record, d");
    assert_eq!(
        h.with(|ctx, mem, alloc| imports::db_next_key(ctx, mem, alloc, id)),
        Ok(0)
    );
    assert_eq!(
        h.with(|ctx, mem, alloc| imports::db_next_value(ctx, mem, alloc, id)),
        Ok(0)
    );
}

#[test]
fn gas_of_scan_and_next_matches_cosmwasm_vm() {
    let mut h = seeded();
    let a = h.place(b"a");
    let id = h
        .with(|ctx, mem, _| imports::db_scan(ctx, mem, a, 0, 1))
        .unwrap();
    assert_eq!(h.used(), HOST_CALL + read_cost(1));
    let before = h.used();
    h.with(|ctx, mem, alloc| imports::db_next(ctx, mem, alloc, id))
        .unwrap();
    // "a" + "1" as two sections: 1 + 4 + 1 + 4 bytes.
    assert_eq!(h.used() - before, HOST_CALL + write_cost(10));
    let before = h.used();
    h.with(|ctx, mem, alloc| imports::db_next_key(ctx, mem, alloc, id))
        .unwrap();
    assert_eq!(h.used() - before, HOST_CALL + write_cost(1));
}

#[test]
fn iteration_is_lazy() {
    let mut h = Harness::new();
    for i in 0u32..1000 {
        h.storage.set(&i.to_be_bytes(), b"v").unwrap();
    }
    let id = h
        .with(|ctx, mem, _| imports::db_scan(ctx, mem, 0, 0, 1))
        .unwrap();
    assert_eq!(h.storage.seek_count(), 0, "scan reads nothing");
    for _ in 0..3 {
        h.with(|ctx, mem, alloc| imports::db_next_key(ctx, mem, alloc, id))
            .unwrap();
    }
    assert_eq!(h.storage.seek_count(), 3, "one seek per step");
    // Writes ahead of the cursor are seen, behind it are not.
    h.storage.set(&[0, 0, 0, 3, 0], b"new").unwrap();
    h.storage.set(&[0, 0, 0, 0, 0], b"behind").unwrap();
    let k = h
        .with(|ctx, mem, alloc| imports::db_next_key(ctx, mem, alloc, id))
        .unwrap();
    assert_eq!(h.read(k), [0, 0, 0, 3]);
    let k = h
        .with(|ctx, mem, alloc| imports::db_next_key(ctx, mem, alloc, id))
        .unwrap();
    assert_eq!(h.read(k), [0, 0, 0, 3, 0]);
}

#[test]
fn exhausted_iterator_does_not_touch_storage() {
    let mut h = seeded();
    let d = h.place(b"d");
    let id = h
        .with(|ctx, mem, _| imports::db_scan(ctx, mem, d, 0, 1))
        .unwrap();
    assert_eq!(drain(&mut h, id).len(), 1);
    let seeks = h.storage.seek_count();
    drain(&mut h, id);
    assert_eq!(h.storage.seek_count(), seeks);
}

#[test]
fn unknown_ids_and_orders_trap() {
    let mut h = seeded();
    for id in [0, 1, 99, u32::MAX] {
        assert_eq!(
            h.with(|ctx, mem, alloc| imports::db_next(ctx, mem, alloc, id)),
            Err(HostError::UnknownIterator { id })
        );
        assert_eq!(
            h.with(|ctx, mem, alloc| imports::db_next_key(ctx, mem, alloc, id)),
            Err(HostError::UnknownIterator { id })
        );
        assert_eq!(
            h.with(|ctx, mem, alloc| imports::db_next_value(ctx, mem, alloc, id)),
            Err(HostError::UnknownIterator { id })
        );
    }
    for order in [0, 3, -1] {
        assert_eq!(
            h.with(|ctx, mem, _| imports::db_scan(ctx, mem, 0, 0, order)),
            Err(HostError::InvalidOrder { order })
        );
    }
    let big = h.place(&vec![0; 64 * 1024 + 1]);
    assert!(matches!(
        h.with(|ctx, mem, _| imports::db_scan(ctx, mem, big, 0, 1)),
        Err(HostError::TooLarge {
            what: "db scan bound",
            ..
        })
    ));
}

#[test]
fn ids_are_per_call_and_bounded() {
    let mut h = seeded();
    h.call = h.call.clone().with_limits(HostLimits {
        max_iterators: 2,
        ..HostLimits::default()
    });
    assert_eq!(
        h.with(|ctx, mem, _| imports::db_scan(ctx, mem, 0, 0, 1)),
        Ok(1)
    );
    assert_eq!(
        h.with(|ctx, mem, _| imports::db_scan(ctx, mem, 0, 0, 2)),
        Ok(2)
    );
    assert_eq!(
        h.with(|ctx, mem, _| imports::db_scan(ctx, mem, 0, 0, 1)),
        Err(HostError::TooManyIterators { limit: 2 })
    );
    // A new call starts again at 1, and the old call's ids mean nothing there.
    h.call = cw_host::CallState::new(false);
    assert_eq!(
        h.with(|ctx, mem, alloc| imports::db_next(ctx, mem, alloc, 2)),
        Err(HostError::UnknownIterator { id: 2 })
    );
    assert_eq!(
        h.with(|ctx, mem, _| imports::db_scan(ctx, mem, 0, 0, 1)),
        Ok(1)
    );
}

#[test]
fn scan_works_in_a_query() {
    let mut h = Harness::query();
    h.storage.set(b"x", b"y").unwrap();
    let id = h
        .with(|ctx, mem, _| imports::db_scan(ctx, mem, 0, 0, 2))
        .unwrap();
    let mut h2 = h;
    assert_eq!(drain(&mut h2, id), [(b"x".to_vec(), b"y".to_vec())]);
}

#[test]
fn out_of_gas_step_does_not_move_the_iterator() {
    // Priced storage: the step's storage charge is what runs out.
    let mut h = Harness::with_meter(GasMeter::new(
        CosmWasmSchedule::default(),
        CwGas::new(2 * HOST_CALL),
    ));
    h.storage = seeded().storage;
    let id = h
        .with(|ctx, mem, _| imports::db_scan(ctx, mem, 0, 0, 1))
        .unwrap();
    assert!(matches!(
        h.with(|ctx, mem, alloc| imports::db_next(ctx, mem, alloc, id)),
        Err(HostError::Gas(GasError::OutOfGas {
            category: GasCategory::Storage,
            ..
        }))
    ));
    // Same call state, fresh gas: the first record is still next.
    h.gas = GasMeter::new(CosmWasmSchedule::default(), CwGas::new(u64::MAX));
    let k = h
        .with(|ctx, mem, alloc| imports::db_next_key(ctx, mem, alloc, id))
        .unwrap();
    assert_eq!(h.read(k), b"a");
}

/// One step the model test takes.
#[derive(Clone, Copy, Debug)]
enum Step {
    Next,
    Key,
    Value,
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn iterators_match_a_btreemap_model(
        data in prop::collection::btree_map(prop::collection::vec(0u8..4, 0..4), prop::collection::vec(any::<u8>(), 0..3), 0..24),
        start in prop::option::of(prop::collection::vec(0u8..4, 0..4)),
        end in prop::option::of(prop::collection::vec(0u8..4, 0..4)),
        descending in any::<bool>(),
        steps in prop::collection::vec(prop_oneof![Just(Step::Next), Just(Step::Key), Just(Step::Value)], 0..30),
    ) {
        let model: BTreeMap<Vec<u8>, Vec<u8>> = data.clone();
        let expected: Vec<(Vec<u8>, Vec<u8>)> = {
            let lower = start.clone().map_or(Bound::Unbounded, Bound::Included);
            let upper = end.clone().map_or(Bound::Unbounded, Bound::Excluded);
            let empty = matches!((&start, &end), (Some(s), Some(e)) if s >= e);
            let mut all: Vec<_> = if empty {
                Vec::new()
            } else {
                model.range((lower, upper)).map(|(k, v)| (k.clone(), v.clone())).collect()
            };
            if descending {
                all.reverse();
            }
            all
        };

        let mut h = Harness::new();
        for (k, v) in &data {
            h.storage.set(k, v).unwrap();
        }
        let start_ptr = start.as_ref().map_or(0, |s| h.place(s));
        let end_ptr = end.as_ref().map_or(0, |e| h.place(e));
        let order = if descending { 2 } else { 1 };
        let id = h.with(|ctx, mem, _| imports::db_scan(ctx, mem, start_ptr, end_ptr, order)).unwrap();

        let mut position = 0usize;
        for step in steps {
            let want = expected.get(position);
            match step {
                Step::Next => {
                    let ptr = h.with(|ctx, mem, alloc| imports::db_next(ctx, mem, alloc, id)).unwrap();
                    let data = h.read(ptr);
                    let sections = decode_sections(&data).unwrap();
                    match want {
                        Some((k, v)) => {
                            prop_assert_eq!(sections[0], k.as_slice());
                            prop_assert_eq!(sections[1], v.as_slice());
                        }
                        None => prop_assert_eq!(data, vec![0u8; 8]),
                    }
                }
                Step::Key => {
                    let ptr = h.with(|ctx, mem, alloc| imports::db_next_key(ctx, mem, alloc, id)).unwrap();
                    match want {
                        Some((k, _)) => prop_assert_eq!(&h.read(ptr), k),
                        None => prop_assert_eq!(ptr, 0),
                    }
                }
                Step::Value => {
                    let ptr = h.with(|ctx, mem, alloc| imports::db_next_value(ctx, mem, alloc, id)).unwrap();
                    match want {
                        Some((_, v)) => prop_assert_eq!(&h.read(ptr), v),
                        None => prop_assert_eq!(ptr, 0),
                    }
                }
            }
            position = (position + 1).min(expected.len());
        }
    }
}
