//! Item 11: iterator abuse. A call may hold at most 32,768 iterators, as
//! wasmvm allows (`TooManyIterators` beyond); each `db_scan` is paid for, a
//! fixed price per iterator plus its bounds' region reads; iterators are
//! lazy, so host memory does not grow with the size of the range, only with
//! the bounds a contract hands over (the bound
//! `cw_host::limits::MAX_ITERATORS_PER_CALL` documents), and every step
//! through a huge value pays for its bytes. The memory measurements use
//! 1,024 open iterators.

use cw_host::{EntryPoint, HostError, VmFailure};

use crate::abi::{IMPORTS, filled_region};
use crate::harness::{GAS_LIMIT, Hostile, dump, report};
use crate::heap::{measure, resident_bytes};

const OK_TEXT: &[u8] = br#"{"ok":"b2s="}"#;
const OK: u32 = 0x100;
const SCRATCH_REGION: u32 = 0x200;
const START_REGION: u32 = 0x210;
const END_REGION: u32 = 0x220;
const START_DATA: u32 = 0x1_0000;
const END_DATA: u32 = 0x2_0000;
const SCRATCH_DATA: u32 = 0x3_0000;
const MAX_ITERATORS: u32 = cw_host::limits::MAX_ITERATORS_PER_CALL;
/// Iterators the memory measurements keep open.
const OPEN_ITERATORS: u32 = 1024;
const KIB: u32 = 1024;

/// `execute` reads `count: u32, bound_len: u32, steps: u32` (LE) from its
/// message, then `count` times opens `db_scan` over all keys (with
/// `bound_len`-byte bounds `00..00` and `ff..ff`, or none for 0) and takes
/// `steps` `db_next` steps on it, leaving it open. `allocate` hands out one
/// scratch region over and over (a hostile contract need not free), so the
/// guest stays small while huge values stream through it.
fn module() -> Vec<u8> {
    let wat = format!(
        r#"(module
    {IMPORTS}
    (memory (export "memory") 6)
    {ok}
    (func (export "allocate") (param $size i32) (result i32)
        (i32.store (i32.const {SCRATCH_REGION}) (i32.const {SCRATCH_DATA}))
        (i32.store offset=4 (i32.const {SCRATCH_REGION}) (local.get $size))
        (i32.store offset=8 (i32.const {SCRATCH_REGION}) (i32.const 0))
        (i32.const {SCRATCH_REGION}))
    (func (export "deallocate") (param i32))
    (func (export "interface_version_8"))
    (func (export "query") (param i32 i32) (result i32) (i32.const {OK}))
    (func (export "execute") (param i32 i32 i32) (result i32)
        (local $data i32) (local $count i32) (local $bound i32) (local $steps i32)
        (local $i i32) (local $j i32) (local $id i32) (local $start i32) (local $end i32)
        (if (i32.ne (i32.load offset=8 (local.get 2)) (i32.const 12))
            (then (return (i32.const {OK}))))
        (local.set $data (i32.load (local.get 2)))
        (local.set $count (i32.load (local.get $data)))
        (local.set $bound (i32.load offset=4 (local.get $data)))
        (local.set $steps (i32.load offset=8 (local.get $data)))
        (if (local.get $bound) (then
            (block $filled (loop $fill
                (br_if $filled (i32.ge_u (local.get $i) (local.get $bound)))
                (i64.store (i32.add (i32.const {END_DATA}) (local.get $i)) (i64.const -1))
                (local.set $i (i32.add (local.get $i) (i32.const 8)))
                (br $fill)))
            (i32.store (i32.const {START_REGION}) (i32.const {START_DATA}))
            (i32.store offset=4 (i32.const {START_REGION}) (local.get $bound))
            (i32.store offset=8 (i32.const {START_REGION}) (local.get $bound))
            (i32.store (i32.const {END_REGION}) (i32.const {END_DATA}))
            (i32.store offset=4 (i32.const {END_REGION}) (local.get $bound))
            (i32.store offset=8 (i32.const {END_REGION}) (local.get $bound))
            (local.set $start (i32.const {START_REGION}))
            (local.set $end (i32.const {END_REGION}))))
        (local.set $i (i32.const 0))
        (block $done (loop $scan
            (br_if $done (i32.ge_u (local.get $i) (local.get $count)))
            (local.set $id (call $db_scan (local.get $start) (local.get $end) (i32.const 1)))
            (local.set $j (i32.const 0))
            (block $stepped (loop $step
                (br_if $stepped (i32.ge_u (local.get $j) (local.get $steps)))
                (drop (call $db_next (local.get $id)))
                (local.set $j (i32.add (local.get $j) (i32.const 1)))
                (br $step)))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $scan)))
        (i32.const {OK}))
)"#,
        ok = filled_region(OK, 0x800, OK_TEXT),
    );
    wat::parse_str(&wat).unwrap_or_else(|e| panic!("{e}\n{wat}"))
}

fn msg(count: u32, bound_len: u32, steps: u32) -> Vec<u8> {
    [count, bound_len, steps]
        .iter()
        .flat_map(|n| n.to_le_bytes())
        .collect()
}

fn iterators() -> Hostile {
    Hostile::wat(module(), OK_TEXT)
}

/// The large range: 64 keys of 128 KiB values (8 MiB).
fn fill_large_range(h: &Hostile) {
    for i in 0..64_u8 {
        let key = format!("key/{i:03}");
        crate::harness::put(&h.store, key.as_bytes(), &vec![i; 128 * KIB as usize]);
    }
}

#[test]
fn the_32769th_iterator_of_a_call_is_refused() {
    let mut h = iterators();
    fill_large_range(&h);
    let expected = VmFailure::Host(HostError::TooManyIterators {
        limit: MAX_ITERATORS,
    });
    // Without bounds: 32,768 iterators with 64 KiB bounds would pin 4 GiB
    // of host memory in this test (see MAX_ITERATORS_PER_CALL).
    let gas = h.assert_fails(
        EntryPoint::Execute,
        &msg(MAX_ITERATORS + 1, 0, 0),
        &expected,
        2,
    );
    report(
        11,
        "32,769 db_scan without bounds, left open",
        &format!("{expected:?}"),
        gas,
    );
    let at_limit = h.call(EntryPoint::Execute, &msg(MAX_ITERATORS, 0, 0));
    assert_eq!(at_limit.result, Ok(OK_TEXT.to_vec()));
    report(
        11,
        "32,768 db_scan without bounds, left open",
        "Ok",
        at_limit.gas_used,
    );
}

/// Gas grows by the same amount for every iterator opened: the host-call
/// price, the bounds' region reads, and the loop's own operators.
#[test]
fn every_open_iterator_is_paid_for() {
    let mut h = iterators();
    fill_large_range(&h);
    let mut gas = |count, bound| {
        let outcome = h.call(EntryPoint::Execute, &msg(count, bound, 0));
        assert_eq!(outcome.result, Ok(OK_TEXT.to_vec()));
        outcome.gas_used
    };
    let unbounded = [gas(0, 0), gas(500, 0), gas(1000, 0)];
    let per_iterator = (unbounded[1] - unbounded[0]) / 500;
    assert_eq!(unbounded[1] - unbounded[0], 500 * per_iterator, "linear");
    assert_eq!(unbounded[2] - unbounded[1], 500 * per_iterator, "linear");
    // The host call alone is 18,000.
    assert!(per_iterator > 18_000, "{per_iterator}");

    let bound = 64 * KIB;
    let bounded = [gas(0, bound), gas(500, bound), gas(1000, bound)];
    let per_bounded = (bounded[1] - bounded[0]) / 500;
    assert_eq!(bounded[2] - bounded[1], 500 * per_bounded, "linear");
    // Two region reads of 64 KiB: 2 × (200,000 + 115 × 65,536).
    assert_eq!(
        per_bounded - per_iterator,
        2 * (200_000 + 115 * u64::from(bound))
    );
    println!(
        "HOSTILE-ITER | 11 | gas per open iterator | no bounds {per_iterator} | 64 KiB bounds {per_bounded} |"
    );
    report(
        11,
        "gas per open iterator (no bounds / two 64 KiB bounds)",
        &format!("{per_iterator} / {per_bounded} per iterator"),
        per_bounded,
    );
}

/// 1,024 iterators over an 8 MiB range, two 128 KiB values read through
/// each (256 MiB streamed through the guest): the host holds one record at
/// a time. A backend that copied the range per iterator (cosmwasm-vm's
/// `MockStorage` does) would hold 1,024 × 8 MiB = 8 GiB.
#[test]
fn huge_values_through_many_open_iterators_keep_host_memory_bounded() {
    let mut h = iterators();
    fill_large_range(&h);
    let before = dump(&h.store);
    // Make the instance outside the measurement.
    h.assert_recovers();
    let steps = 2;
    let hostile = msg(OPEN_ITERATORS, 0, steps);

    // Every step pays for its bytes: at the default limit the gas runs out
    // after a few steps.
    let gas = h.assert_fails(EntryPoint::Execute, &hostile, &VmFailure::OutOfGas, 2);
    assert_eq!(gas, GAS_LIMIT);
    report(
        11,
        "1,024 iterators × 2 db_next of 128 KiB values, default limit",
        "OutOfGas",
        gas,
    );

    // With gas enough for all 2,048 steps.
    h.assert_recovers();
    let limit = 1_000_000_000_000_000;
    let rss_before = resident_bytes();
    let backend = h.backend_limited(EntryPoint::Execute, limit);
    let ((outcome, elapsed), heap) =
        measure(|| h.call_with(EntryPoint::Execute, &hostile, backend));
    let rss_after = resident_bytes();
    assert_eq!(outcome.result, Ok(OK_TEXT.to_vec()));
    assert_eq!(dump(&h.store), before);
    // One record (128 KiB), its sections encoding (128 KiB), the 1,024
    // cursors (a short key each) and their bookkeeping, with room to spare.
    assert!(
        heap.peak_bytes < 4 << 20,
        "peak host heap {} bytes",
        heap.peak_bytes
    );
    assert!(
        heap.retained_bytes < 64 << 10,
        "retained {} bytes",
        heap.retained_bytes
    );
    // The resident set is the whole process's: other tests run on other
    // threads meanwhile (each instance may map up to 80 MiB of guest
    // memory) and the allocator keeps freed pages, so only a generous
    // margin is meaningful. It is still 32 times below what a copying
    // backend would need.
    let growth = rss_after.saturating_sub(rss_before);
    assert!(growth < 256 << 20, "resident set grew by {growth} bytes");
    println!(
        "HOSTILE-MEM | 11 | 1024 iterators x {steps} db_next of 128 KiB | gas {} | peak heap {} B | retained {} B | RSS growth {} B | {} ms |",
        outcome.gas_used,
        heap.peak_bytes,
        heap.retained_bytes,
        growth,
        elapsed.as_millis()
    );
    report(
        11,
        "1,024 iterators × 2 db_next of 128 KiB values, limit 10^15",
        &format!("Ok; peak host heap {} KiB", heap.peak_bytes / 1024),
        outcome.gas_used,
    );
    h.assert_recovers();
}

/// What iterators may pin: their bounds, 2 × 64 KiB each, until the call
/// ends, then nothing.
#[test]
fn iterator_bounds_pin_bounded_host_memory_until_the_call_ends() {
    let mut h = iterators();
    fill_large_range(&h);
    h.assert_recovers();
    let bound = 64 * KIB;
    let backend = h.backend_limited(EntryPoint::Execute, 1_000_000_000_000_000);
    let ((outcome, _), heap) =
        measure(|| h.call_with(EntryPoint::Execute, &msg(OPEN_ITERATORS, bound, 1), backend));
    assert_eq!(outcome.result, Ok(OK_TEXT.to_vec()));
    let pinned = i64::from(OPEN_ITERATORS) * 2 * i64::from(bound);
    // The bounds themselves, plus at most 4 MiB for everything else (the
    // iterator table, one record in flight, the cursors).
    assert!(heap.peak_bytes >= pinned, "peak {}", heap.peak_bytes);
    assert!(
        heap.peak_bytes < pinned + (4 << 20),
        "peak {}",
        heap.peak_bytes
    );
    assert!(
        heap.retained_bytes < 64 << 10,
        "retained {} bytes",
        heap.retained_bytes
    );
    println!(
        "HOSTILE-MEM | 11 | 1024 iterators with two 64 KiB bounds, 1 step each | gas {} | peak heap {} B | retained {} B |",
        outcome.gas_used, heap.peak_bytes, heap.retained_bytes
    );
    report(
        11,
        "1,024 iterators with two 64 KiB bounds, one db_next each",
        &format!(
            "Ok; peak host heap {} KiB, freed at the end",
            heap.peak_bytes / 1024
        ),
        outcome.gas_used,
    );
}

/// Each level of a query stack has its own 1,024 iterators, and a level's
/// iterators stay open while the query it made runs: a top-level query
/// that recurses to wasmd's depth limit holds 11 levels' bounds at once.
/// Measured here with 16 iterators a level; the factor 11 is what matters.
fn nested_module(iterators_per_level: u32) -> Vec<u8> {
    let wat = format!(
        r#"(module
    {IMPORTS}
    (memory (export "memory") 6)
    {ok}
    {request}
    (func (export "allocate") (param $size i32) (result i32)
        (i32.store (i32.const {SCRATCH_REGION}) (i32.const {SCRATCH_DATA}))
        (i32.store offset=4 (i32.const {SCRATCH_REGION}) (local.get $size))
        (i32.store offset=8 (i32.const {SCRATCH_REGION}) (i32.const 0))
        (i32.const {SCRATCH_REGION}))
    (func (export "deallocate") (param i32))
    (func (export "interface_version_8"))
    (func (export "query") (param i32 i32) (result i32)
        (local $remaining i32) (local $i i32)
        (local.set $remaining (i32.load (i32.load (local.get 1))))
        (block $filled (loop $fill
            (br_if $filled (i32.ge_u (local.get $i) (i32.const 65536)))
            (i64.store (i32.add (i32.const {END_DATA}) (local.get $i)) (i64.const -1))
            (local.set $i (i32.add (local.get $i) (i32.const 8)))
            (br $fill)))
        (i32.store (i32.const {START_REGION}) (i32.const {START_DATA}))
        (i32.store offset=4 (i32.const {START_REGION}) (i32.const 65536))
        (i32.store offset=8 (i32.const {START_REGION}) (i32.const 65536))
        (i32.store (i32.const {END_REGION}) (i32.const {END_DATA}))
        (i32.store offset=4 (i32.const {END_REGION}) (i32.const 65536))
        (i32.store offset=8 (i32.const {END_REGION}) (i32.const 65536))
        (local.set $i (i32.const 0))
        (block $done (loop $scan
            (br_if $done (i32.ge_u (local.get $i) (i32.const {iterators_per_level})))
            (drop (call $db_scan (i32.const {START_REGION}) (i32.const {END_REGION}) (i32.const 1)))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $scan)))
        (if (local.get $remaining) (then
            (i32.store (i32.const {REQUEST_DATA}) (i32.sub (local.get $remaining) (i32.const 1)))
            (drop (call $query_chain (i32.const {REQUEST_REGION})))))
        (i32.const {OK}))
)"#,
        ok = filled_region(OK, 0x800, OK_TEXT),
        request = filled_region(REQUEST_REGION, REQUEST_DATA, &[0; 4]),
    );
    wat::parse_str(&wat).unwrap_or_else(|e| panic!("{e}\n{wat}"))
}

const REQUEST_REGION: u32 = 0x230;
const REQUEST_DATA: u32 = 0x900;

/// Answers a query (4 bytes: levels still to go) by running the nested
/// module's `query` at the depth asked, as a chain's querier runs a smart
/// query; records the depths.
#[derive(Clone)]
struct NestedQuerier {
    module: cw_runtime::CompiledModule,
    store: crate::harness::Map,
    depths: std::sync::Arc<std::sync::Mutex<Vec<u32>>>,
}

impl cw_host::Querier for NestedQuerier {
    fn query_raw(
        &self,
        request: &[u8],
        gas_limit: cw_gas::CwGas,
        depth: u32,
    ) -> cw_host::QueryOutcome {
        self.depths.lock().unwrap().push(depth);
        let mut contract = cw_runtime::WasmContract::new(
            self.module.clone(),
            cw_runtime::InstanceOptions::default(),
        );
        let mut backend = crate::harness::backend_with(
            EntryPoint::Query,
            &self.store,
            gas_limit.as_u64(),
            Box::new(self.clone()),
        );
        backend.call =
            cw_host::CallState::for_entry_point(EntryPoint::Query).with_query_depth(depth);
        let env = crate::harness::env_bytes();
        let input = cw_host::CallInput {
            entry: EntryPoint::Query,
            env: &env,
            info: None,
            msg: request,
        };
        let (outcome, backend) = cw_host::Contract::call(&mut contract, input, backend);
        let result = outcome.unwrap_or_else(|fault| panic!("node fault: {fault}"));
        let response = match result {
            Ok(bytes) => [b"{\"ok\":".as_slice(), &bytes, b"}"].concat(),
            Err(failure) => format!(r#"{{"ok":{{"error":"{failure:?}"}}}}"#).into_bytes(),
        };
        cw_host::QueryOutcome {
            result: Ok(response),
            gas_used: cw_gas::CwGas::new(backend.gas.used().as_u64()),
        }
    }
}

#[test]
fn nested_queries_multiply_the_iterator_memory_of_one_call() {
    let per_level = 16;
    let h = Hostile::wat(nested_module(per_level), OK_TEXT);
    fill_large_range(&h);
    let depths = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let querier = NestedQuerier {
        module: h.module().clone(),
        store: h.store.clone(),
        depths: depths.clone(),
    };
    let mut h = h;
    let levels_below = 10_u32;
    let backend =
        crate::harness::backend_with(EntryPoint::Query, &h.store, GAS_LIMIT, Box::new(querier));
    let ((outcome, _), heap) =
        measure(|| h.call_with(EntryPoint::Query, &levels_below.to_le_bytes(), backend));
    assert_eq!(outcome.result, Ok(OK_TEXT.to_vec()));
    assert_eq!(
        *depths.lock().unwrap(),
        (1..=levels_below).collect::<Vec<_>>()
    );
    let per_level_bytes = i64::from(per_level) * 2 * 64 * 1024;
    let levels = i64::from(levels_below) + 1;
    // Every level's bounds are alive at the deepest point.
    assert!(
        heap.peak_bytes >= levels * per_level_bytes,
        "peak {}",
        heap.peak_bytes
    );
    assert!(
        heap.retained_bytes < 64 << 10,
        "retained {}",
        heap.retained_bytes
    );
    println!(
        "HOSTILE-MEM | 11 | 11 nested query levels x {per_level} iterators with two 64 KiB bounds | gas {} | peak heap {} B |",
        outcome.gas_used, heap.peak_bytes
    );
    report(
        11,
        &format!("query stack of 11 levels, {per_level} iterators with two 64 KiB bounds each"),
        &format!(
            "Ok; peak host heap {} KiB = 11 levels' bounds",
            heap.peak_bytes / 1024
        ),
        outcome.gas_used,
    );
}
