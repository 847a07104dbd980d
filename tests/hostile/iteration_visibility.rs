//! Issue 21, item 8: what an open iterator sees of writes made after it
//! opened. On a chain (wasmd's cache-store iterators) and on cosmwasm-vm
//! (`MockStorage` copies the range at `db_scan`), nothing: an iterator sees
//! the store as it was when it opened. Ours iterates lazily and must give
//! the same records, in the same order, for the same gas.
//!
//! The contract stores the keys `a`, `c`, `e` (values `1`, `3`, `5`), opens a
//! scan, takes the first record, then writes and removes keys ahead of and
//! behind the cursor, opens a second scan, and drains both; its result is
//! every record it read, in order, as `key=value;`.

use cw_host::EntryPoint;
use cw_host::testing::SharedStorage;
use cw_oracle::{Call, Ours, Reference, ReferenceStore, compare};
use cw_runtime::Compiler;

const GAS_LIMIT: u64 = 10_000_000_000;

/// A contract that runs `body` in `execute` (helpers: `$scan(order)`,
/// `$drain(id)` appending every record to the output, `$take(id)` appending
/// one, `$write(key_region, value_region)`, `$remove(key_region)`; regions
/// for keys `a`..`f` at `$k_a`.. and values at `$v_1`.. are data segments).
fn contract(body: &str) -> Vec<u8> {
    let mut segments = String::new();
    let mut globals = String::new();
    for (index, key) in ["a", "b", "c", "d", "e", "f", "x", "1", "2", "3", "9"]
        .iter()
        .enumerate()
    {
        let data = 0x100 + 16 * index;
        let region = 0x400 + 16 * index;
        segments.push_str(&format!(
            "(data (i32.const {data}) \"{key}\")\n(data (i32.const {region}) \"\\{:02x}\\{:02x}\\00\\00\\01\\00\\00\\00\\01\\00\\00\\00\")\n",
            data & 0xff,
            data >> 8
        ));
        globals.push_str(&format!("(global $r_{key} i32 (i32.const {region}))\n"));
    }
    wat::parse_str(format!(
        r#"(module
          (import "env" "db_scan" (func $db_scan (param i32 i32 i32) (result i32)))
          (import "env" "db_next" (func $db_next (param i32) (result i32)))
          (import "env" "db_write" (func $db_write (param i32 i32)))
          (import "env" "db_remove" (func $db_remove (param i32)))
          (memory (export "memory") 2)
          {segments}
          {globals}
          (global $heap (mut i32) (i32.const 8192))
          ;; the output: bytes from 4096, its length in $out
          (global $out (mut i32) (i32.const 0))
          (func (export "interface_version_8"))
          (func (export "deallocate") (param i32))
          (func $allocate (export "allocate") (param $size i32) (result i32)
            (local $ptr i32)
            (local.set $ptr (global.get $heap))
            (i32.store (local.get $ptr) (i32.add (local.get $ptr) (i32.const 12)))
            (i32.store offset=4 (local.get $ptr) (local.get $size))
            (i32.store offset=8 (local.get $ptr) (i32.const 0))
            (global.set $heap (i32.add (i32.add (local.get $ptr) (i32.const 16)) (local.get $size)))
            (local.get $ptr))
          (func $emit (param $byte i32)
            (i32.store8 (i32.add (i32.const 4096) (global.get $out)) (local.get $byte))
            (global.set $out (i32.add (global.get $out) (i32.const 1))))
          (func $emit_bytes (param $ptr i32) (param $len i32)
            (local $i i32)
            (block $done (loop $each
              (br_if $done (i32.ge_u (local.get $i) (local.get $len)))
              (call $emit (i32.load8_u (i32.add (local.get $ptr) (local.get $i))))
              (local.set $i (i32.add (local.get $i) (i32.const 1)))
              (br $each))))
          ;; One step: appends `key=value;` and returns 1, or 0 at the end.
          ;; db_next's region holds key || len(key) (4 bytes, big-endian)
          ;; || value || len(value).
          (func $take (param $id i32) (result i32)
            (local $region i32) (local $data i32) (local $len i32)
            (local $value_len i32) (local $key_len i32)
            (local.set $region (call $db_next (local.get $id)))
            (local.set $data (i32.load (local.get $region)))
            (local.set $len (i32.load offset=8 (local.get $region)))
            (if (i32.le_u (local.get $len) (i32.const 8)) (then (return (i32.const 0))))
            (local.set $value_len (call $be32 (i32.sub (i32.add (local.get $data) (local.get $len)) (i32.const 4))))
            (local.set $key_len (i32.sub (i32.sub (local.get $len) (i32.const 8)) (local.get $value_len)))
            (call $emit_bytes (local.get $data) (local.get $key_len))
            (call $emit (i32.const 61))
            (call $emit_bytes (i32.add (i32.add (local.get $data) (local.get $key_len)) (i32.const 4)) (local.get $value_len))
            (call $emit (i32.const 59))
            (i32.const 1))
          (func $be32 (param $at i32) (result i32)
            (i32.or (i32.or
              (i32.shl (i32.load8_u (local.get $at)) (i32.const 24))
              (i32.shl (i32.load8_u offset=1 (local.get $at)) (i32.const 16)))
              (i32.or
                (i32.shl (i32.load8_u offset=2 (local.get $at)) (i32.const 8))
                (i32.load8_u offset=3 (local.get $at)))))
          (func $drain (param $id i32)
            (block $done (loop $each
              (br_if $done (i32.eqz (call $take (local.get $id))))
              (br $each))))
          (func $scan (param $order i32) (result i32)
            (call $db_scan (i32.const 0) (i32.const 0) (local.get $order)))
          (func (export "execute") (param i32 i32 i32) (result i32)
            (local $first i32) (local $second i32) (local $result i32)
            {body}
            (local.set $result (call $allocate (global.get $out)))
            (i32.store (local.get $result) (i32.const 4096))
            (i32.store offset=8 (local.get $result) (global.get $out))
            (local.get $result)))"#
    ))
    .unwrap()
}

/// Runs `body` on both runtimes over the three stored keys; asserts the
/// same records, storage and gas; returns what the contract read.
fn run(case: &str, body: &str) -> String {
    let wasm = contract(body);
    let env = cw_oracle::mock_env_bytes();
    let info = cw_oracle::info_bytes("scanner");
    let call = Call {
        entry: EntryPoint::Execute,
        env: &env,
        info: Some(&info),
        msg: b"{}",
        gas_limit: GAS_LIMIT,
    };
    let (ours_store, theirs_store) = (SharedStorage::new(), ReferenceStore::default());
    for (key, value) in [(b"a", b"1"), (b"c", b"3"), (b"e", b"5")] {
        ours_store.put(key, value);
        theirs_store.put(key, value);
    }
    let ours = Ours::compile(&wasm, Compiler::Singlepass, 16 << 20)
        .unwrap()
        .call(&call, &ours_store);
    let theirs = Reference::compile(&wasm, 16 << 20)
        .unwrap()
        .call(&call, &theirs_store);
    compare(ours.clone(), theirs).unwrap_or_else(|d| panic!("{case}:\n{d}"));
    assert_eq!(ours_store.dump(), theirs_store.dump(), "{case}: storage");
    String::from_utf8(ours.result.unwrap()).unwrap()
}

#[test]
fn an_iterator_sees_the_store_as_it_was_when_it_opened() {
    // Ascending: after `a`, write `b` and `d` (new, ahead), overwrite `e`,
    // remove `c` (ahead), write `x` past the end: none of it is seen.
    let seen = run(
        "ascending, writes ahead of the cursor",
        "(local.set $first (call $scan (i32.const 1)))
         (drop (call $take (local.get $first)))
         (call $db_write (global.get $r_b) (global.get $r_2))
         (call $db_write (global.get $r_d) (global.get $r_2))
         (call $db_write (global.get $r_e) (global.get $r_9))
         (call $db_remove (global.get $r_c))
         (call $db_write (global.get $r_x) (global.get $r_1))
         (call $drain (local.get $first))",
    );
    assert_eq!(seen, "a=1;c=3;e=5;");

    // Descending: the same from the other end.
    let seen = run(
        "descending, writes ahead of the cursor",
        "(local.set $first (call $scan (i32.const 2)))
         (drop (call $take (local.get $first)))
         (call $db_write (global.get $r_d) (global.get $r_2))
         (call $db_remove (global.get $r_c))
         (call $db_write (global.get $r_a) (global.get $r_9))
         (call $db_write (global.get $r_1) (global.get $r_1))
         (call $drain (local.get $first))",
    );
    assert_eq!(seen, "e=5;c=3;a=1;");
}

#[test]
fn an_iterator_opened_after_writes_sees_them() {
    // The second scan opens after the writes: it sees them; the first,
    // still open, does not. Then more writes, seen by neither.
    let seen = run(
        "two iterators around writes",
        "(local.set $first (call $scan (i32.const 1)))
         (drop (call $take (local.get $first)))
         (call $db_write (global.get $r_b) (global.get $r_2))
         (call $db_remove (global.get $r_e))
         (local.set $second (call $scan (i32.const 1)))
         (call $db_write (global.get $r_f) (global.get $r_3))
         (call $db_write (global.get $r_b) (global.get $r_9))
         (call $drain (local.get $first))
         (call $emit (i32.const 124))
         (call $drain (local.get $second))",
    );
    assert_eq!(seen, "a=1;c=3;e=5;|a=1;b=2;c=3;");
}

#[test]
fn a_key_rewritten_many_times_is_seen_with_its_value_at_the_opening() {
    let seen = run(
        "rewrites of one key",
        "(call $db_write (global.get $r_c) (global.get $r_1))
         (local.set $first (call $scan (i32.const 1)))
         (call $db_write (global.get $r_c) (global.get $r_2))
         (call $db_remove (global.get $r_c))
         (call $db_write (global.get $r_c) (global.get $r_9))
         (local.set $second (call $scan (i32.const 2)))
         (call $db_remove (global.get $r_c))
         (call $drain (local.get $first))
         (call $emit (i32.const 124))
         (call $drain (local.get $second))",
    );
    assert_eq!(seen, "a=1;c=1;e=5;|e=5;c=9;a=1;");
}
