//! A generated contract that abuses the ABI on demand: the "hostile ABI"
//! module. One compile serves every region, limit and import-argument case.
//!
//! `execute` and `query` read an 8-byte message `selector: u32 LE, ptr: u32
//! LE` and call one import with `ptr` as a region pointer (or return `ptr`
//! as their own result); any other message returns [`OK_TEXT`]. Crafted
//! regions sit at fixed addresses ([`region`]), and `allocate` misbehaves
//! for a few magic sizes ([`alloc`]), so a case picks its abuse by choosing
//! a pointer, a message length or the length of a stored value.

use std::fmt::Write as _;

/// Initial memory: 40 pages (2.5 MiB), room for a 2 MiB + 1 message.
pub(crate) const MEMORY_PAGES: u32 = 40;
/// Initial memory in bytes.
pub(crate) const MEMORY_BYTES: u32 = MEMORY_PAGES * 65_536;
/// What `execute` and `query` return when not told otherwise (a
/// `ContractResult<Binary>` holding "ok").
pub(crate) const OK_TEXT: &[u8] = br#"{"ok":"b2s="}"#;

/// Where the crafted regions are (the address of the 12-byte struct).
pub(crate) mod region {
    /// Holds [`super::OK_TEXT`].
    pub(crate) const OK: u32 = 0x100;
    /// Holds `key`.
    pub(crate) const KEY: u32 = 0x110;
    /// Holds `value`.
    pub(crate) const VALUE: u32 = 0x120;
    /// `offset` 0.
    pub(crate) const NULL_OFFSET: u32 = 0x130;
    /// `length` 8 > `capacity` 4.
    pub(crate) const LENGTH_OVER_CAPACITY: u32 = 0x140;
    /// `offset` 0xFFFF_FFF0 + `capacity` 0x20 overflows `u32`.
    pub(crate) const CAPACITY_OVERFLOW: u32 = 0x150;
    /// `offset + capacity` 12 bytes past the end of the initial memory.
    pub(crate) const PAST_END: u32 = 0x160;
    /// Holds the bytes `ff fe` (not UTF-8).
    pub(crate) const INVALID_UTF8: u32 = 0x170;
    /// Holds `not json{`.
    pub(crate) const NOT_JSON: u32 = 0x180;
    /// 64 KiB + 1 zero bytes: one more than a db key or query request may have.
    pub(crate) const KEY_OVER: u32 = 0x190;
    /// 128 KiB + 1 zero bytes: one more than a db value may have.
    pub(crate) const VALUE_OVER: u32 = 0x1a0;
    /// 257 bytes: one more than a human address may have.
    pub(crate) const HUMAN_OVER: u32 = 0x1b0;
    /// 65 bytes: one more than a canonical address may have.
    pub(crate) const CANONICAL_OVER: u32 = 0x1c0;
    /// 2 MiB + 1 bytes: one more than a debug or abort message may have.
    pub(crate) const MESSAGE_OVER: u32 = 0x1d0;
    /// Exactly 2 MiB of zero bytes: the longest abort message.
    pub(crate) const MESSAGE_AT_LIMIT: u32 = 0x1e0;
    /// An empty region of capacity 1 (what `allocate` returns for
    /// [`super::alloc::TOO_SMALL`]).
    pub(crate) const SMALL: u32 = 0x1f0;
    /// An empty region of capacity 64, the output of `addr_canonicalize`
    /// and `addr_humanize`.
    pub(crate) const OUT: u32 = 0x200;
    /// Holds "ok"; `deallocate` traps when handed this region.
    pub(crate) const TRAP_ON_FREE: u32 = 0x210;
    /// Written at run time by [`super::select::OVERSIZE_RESULT`].
    pub(crate) const OVERSIZE: u32 = 0x220;
}

/// `allocate` sizes at which the allocator misbehaves (each chosen far from
/// the size of any env, info or normal message).
pub(crate) mod alloc {
    /// Returns the null pointer.
    pub(crate) const NULL: u32 = 7001;
    /// Returns 0xFFFF_FFF0, a region pointer past the end of memory.
    pub(crate) const GARBAGE: u32 = 7002;
    /// Returns [`super::region::SMALL`], a region of capacity 1.
    pub(crate) const TOO_SMALL: u32 = 7003;
    /// Traps (`unreachable`).
    pub(crate) const TRAP: u32 = 7004;
    /// Loops until gas runs out.
    pub(crate) const LOOP: u32 = 7005;
    /// What [`GARBAGE`] returns.
    pub(crate) const GARBAGE_POINTER: u32 = 0xFFFF_FFF0;
}

/// Message selectors: what `execute` / `query` do with `ptr`.
pub(crate) mod select {
    /// `db_read(ptr)`, then return OK.
    pub(crate) const DB_READ: u32 = 1;
    /// `db_write(KEY, ptr)`.
    pub(crate) const DB_WRITE_VALUE: u32 = 2;
    /// `db_write(ptr, VALUE)`.
    pub(crate) const DB_WRITE_KEY: u32 = 3;
    /// `addr_validate(ptr)`; returns the error region it got, or OK.
    pub(crate) const ADDR_VALIDATE: u32 = 4;
    /// `debug(ptr)`.
    pub(crate) const DEBUG: u32 = 5;
    /// `abort(ptr)`.
    pub(crate) const ABORT: u32 = 6;
    /// Returns `ptr` as the entry point's result region.
    pub(crate) const RETURN: u32 = 7;
    /// `db_scan(ptr, 0, 1)` (ascending from `ptr`).
    pub(crate) const DB_SCAN: u32 = 8;
    /// `db_next(ptr)`: `ptr` is an iterator id.
    pub(crate) const DB_NEXT: u32 = 9;
    /// `db_next_key(ptr)`.
    pub(crate) const DB_NEXT_KEY: u32 = 10;
    /// `db_next_value(ptr)`.
    pub(crate) const DB_NEXT_VALUE: u32 = 11;
    /// `query_chain(ptr)`; returns the response region.
    pub(crate) const QUERY_CHAIN: u32 = 12;
    /// `addr_canonicalize(ptr, OUT)`; returns the error region, or OK.
    pub(crate) const ADDR_CANONICALIZE: u32 = 13;
    /// `addr_humanize(ptr, OUT)`; returns the error region, or OK.
    pub(crate) const ADDR_HUMANIZE: u32 = 14;
    /// `db_scan(0, 0, ptr)`: `ptr` is the order.
    pub(crate) const DB_SCAN_ORDER: u32 = 15;
    /// Grows memory to 1,100 pages (68.75 MiB) and returns a region of
    /// 64 MiB + 1 bytes, one more than a result may have; returns the null
    /// pointer if the memory limit refuses the growth.
    pub(crate) const OVERSIZE_RESULT: u32 = 16;
    /// `db_remove(ptr)`.
    pub(crate) const DB_REMOVE: u32 = 17;
}

/// The 8-byte message for `selector` and `ptr`.
pub(crate) fn msg(selector: u32, ptr: u32) -> Vec<u8> {
    let mut bytes = selector.to_le_bytes().to_vec();
    bytes.extend_from_slice(&ptr.to_le_bytes());
    bytes
}

/// `bytes` as a WAT string literal body (`\xx` escapes).
pub(crate) fn escape(bytes: &[u8]) -> String {
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "\\{b:02x}");
        s
    })
}

/// A data segment placing a region struct `{offset, capacity, length}` at `ptr`.
pub(crate) fn region_segment(ptr: u32, offset: u32, capacity: u32, length: u32) -> String {
    let mut bytes = offset.to_le_bytes().to_vec();
    bytes.extend_from_slice(&capacity.to_le_bytes());
    bytes.extend_from_slice(&length.to_le_bytes());
    format!("(data (i32.const {ptr}) \"{}\")", escape(&bytes))
}

/// A data segment placing `bytes` at `offset`.
pub(crate) fn bytes_segment(offset: u32, bytes: &[u8]) -> String {
    format!("(data (i32.const {offset}) \"{}\")", escape(bytes))
}

/// A data segment placing a full region (`capacity = length`) for `bytes`:
/// the struct at `ptr`, the bytes at `offset`.
pub(crate) fn filled_region(ptr: u32, offset: u32, bytes: &[u8]) -> String {
    let len = u32::try_from(bytes.len()).unwrap();
    format!(
        "{}\n{}",
        region_segment(ptr, offset, len, len),
        bytes_segment(offset, bytes)
    )
}

/// Every `env` import a contract may use, with cosmwasm-std 3.0's signatures.
pub(crate) const IMPORTS: &str = r#"
    (import "env" "db_read" (func $db_read (param i32) (result i32)))
    (import "env" "db_write" (func $db_write (param i32 i32)))
    (import "env" "db_remove" (func $db_remove (param i32)))
    (import "env" "db_scan" (func $db_scan (param i32 i32 i32) (result i32)))
    (import "env" "db_next" (func $db_next (param i32) (result i32)))
    (import "env" "db_next_key" (func $db_next_key (param i32) (result i32)))
    (import "env" "db_next_value" (func $db_next_value (param i32) (result i32)))
    (import "env" "addr_validate" (func $addr_validate (param i32) (result i32)))
    (import "env" "addr_canonicalize" (func $addr_canonicalize (param i32 i32) (result i32)))
    (import "env" "addr_humanize" (func $addr_humanize (param i32 i32) (result i32)))
    (import "env" "debug" (func $debug (param i32)))
    (import "env" "abort" (func $abort (param i32)))
    (import "env" "query_chain" (func $query_chain (param i32) (result i32)))
"#;

/// A bump allocator `$bump` from `heap` upwards that grows memory as needed
/// (and traps if it cannot), writing an empty region of the asked capacity.
pub(crate) fn bump_allocator(heap: u32) -> String {
    format!(
        r#"
    (global $heap (mut i32) (i32.const {heap}))
    (func $bump (param $size i32) (result i32)
        (local $ptr i32) (local $end i32) (local $have i32)
        (local.set $ptr (global.get $heap))
        (local.set $end (i32.and
            (i32.add (i32.add (i32.add (local.get $ptr) (i32.const 12)) (local.get $size)) (i32.const 7))
            (i32.const -8)))
        (local.set $have (i32.shl (memory.size) (i32.const 16)))
        (if (i32.gt_u (local.get $end) (local.get $have))
            (then (if (i32.eq
                    (memory.grow (i32.add (i32.shr_u (i32.sub (local.get $end) (local.get $have)) (i32.const 16)) (i32.const 1)))
                    (i32.const -1))
                (then unreachable))))
        (i32.store (local.get $ptr) (i32.add (local.get $ptr) (i32.const 12)))
        (i32.store offset=4 (local.get $ptr) (local.get $size))
        (i32.store offset=8 (local.get $ptr) (i32.const 0))
        (global.set $heap (local.get $end))
        (local.get $ptr))"#
    )
}

/// The zero bytes the oversize regions point at start here.
const BIG_DATA: u32 = 0x1000;
/// The bump heap starts after the largest crafted region.
const HEAP: u32 = 0x0023_0000;

/// `execute`'s body in [`module`]: dispatch on the message.
const DISPATCH_EXECUTE: &str = "(call $dispatch (local.get 2))";

/// The hostile-ABI module.
pub(crate) fn module() -> Vec<u8> {
    module_with_execute(DISPATCH_EXECUTE)
}

/// The hostile-ABI module with another `execute` body (params `0 1 2`: env,
/// info and message region pointers; result: the result region pointer).
/// `query` still dispatches, so the normal query works.
pub(crate) fn module_with_execute(execute_body: &str) -> Vec<u8> {
    module_with_execute_and(execute_body, "")
}

/// [`module_with_execute`] plus `extra` module fields (functions, tables).
pub(crate) fn module_with_execute_and(execute_body: &str, extra: &str) -> Vec<u8> {
    use region as r;
    let two_mib = 2 * 1024 * 1024;
    let segments = [
        filled_region(r::OK, 0x800, OK_TEXT),
        filled_region(r::KEY, 0x840, b"key"),
        filled_region(r::VALUE, 0x850, b"value"),
        region_segment(r::NULL_OFFSET, 0, 8, 0),
        region_segment(r::LENGTH_OVER_CAPACITY, 0x860, 4, 8),
        region_segment(r::CAPACITY_OVERFLOW, 0xFFFF_FFF0, 0x20, 0),
        region_segment(r::PAST_END, MEMORY_BYTES - 4, 16, 16),
        filled_region(r::INVALID_UTF8, 0x870, &[0xff, 0xfe]),
        filled_region(r::NOT_JSON, 0x880, b"not json{"),
        region_segment(r::KEY_OVER, BIG_DATA, 65_537, 65_537),
        region_segment(r::VALUE_OVER, BIG_DATA, 131_073, 131_073),
        region_segment(r::HUMAN_OVER, BIG_DATA, 257, 257),
        region_segment(r::CANONICAL_OVER, BIG_DATA, 65, 65),
        region_segment(r::MESSAGE_OVER, BIG_DATA, two_mib + 1, two_mib + 1),
        region_segment(r::MESSAGE_AT_LIMIT, BIG_DATA, two_mib, two_mib),
        region_segment(r::SMALL, 0x8a0, 1, 0),
        region_segment(r::OUT, 0x8c0, 64, 0),
        filled_region(r::TRAP_ON_FREE, 0x900, b"ok"),
    ]
    .join("\n");
    let cases = [
        (
            select::DB_READ,
            "(drop (call $db_read (local.get $ptr)))".to_string(),
        ),
        (
            select::DB_WRITE_VALUE,
            format!("(call $db_write (i32.const {}) (local.get $ptr))", r::KEY),
        ),
        (
            select::DB_WRITE_KEY,
            format!("(call $db_write (local.get $ptr) (i32.const {}))", r::VALUE),
        ),
        (
            select::ADDR_VALIDATE,
            "(local.set $r (call $addr_validate (local.get $ptr)))".into(),
        ),
        (select::DEBUG, "(call $debug (local.get $ptr))".into()),
        (select::ABORT, "(call $abort (local.get $ptr))".into()),
        (select::RETURN, "(return (local.get $ptr))".into()),
        (
            select::DB_SCAN,
            "(drop (call $db_scan (local.get $ptr) (i32.const 0) (i32.const 1)))".into(),
        ),
        (
            select::DB_NEXT,
            "(drop (call $db_next (local.get $ptr)))".into(),
        ),
        (
            select::DB_NEXT_KEY,
            "(drop (call $db_next_key (local.get $ptr)))".into(),
        ),
        (
            select::DB_NEXT_VALUE,
            "(drop (call $db_next_value (local.get $ptr)))".into(),
        ),
        (
            select::QUERY_CHAIN,
            "(return (call $query_chain (local.get $ptr)))".into(),
        ),
        (
            select::ADDR_CANONICALIZE,
            format!(
                "(local.set $r (call $addr_canonicalize (local.get $ptr) (i32.const {})))",
                r::OUT
            ),
        ),
        (
            select::ADDR_HUMANIZE,
            format!(
                "(local.set $r (call $addr_humanize (local.get $ptr) (i32.const {})))",
                r::OUT
            ),
        ),
        (
            select::DB_SCAN_ORDER,
            "(drop (call $db_scan (i32.const 0) (i32.const 0) (local.get $ptr)))".into(),
        ),
        (
            select::OVERSIZE_RESULT,
            format!(
                r#"(if (i32.eq (memory.grow (i32.sub (i32.const 1100) (memory.size))) (i32.const -1))
                    (then (return (i32.const 0))))
                (i32.store (i32.const {p}) (i32.const 0x10000))
                (i32.store offset=4 (i32.const {p}) (i32.const 67108865))
                (i32.store offset=8 (i32.const {p}) (i32.const 67108865))
                (return (i32.const {p}))"#,
                p = r::OVERSIZE
            ),
        ),
        (
            select::DB_REMOVE,
            "(call $db_remove (local.get $ptr))".into(),
        ),
    ];
    let dispatch = cases
        .iter()
        .map(|(selector, body)| {
            format!("(if (i32.eq (local.get $sel) (i32.const {selector})) (then {body}))")
        })
        .collect::<Vec<_>>()
        .join("\n        ");
    let wat = format!(
        r#"(module
    {IMPORTS}
    (memory (export "memory") {MEMORY_PAGES})
    {segments}
    {bump}
    (func (export "allocate") (param $size i32) (result i32)
        (if (i32.eq (local.get $size) (i32.const {null})) (then (return (i32.const 0))))
        (if (i32.eq (local.get $size) (i32.const {garbage})) (then (return (i32.const {garbage_ptr}))))
        (if (i32.eq (local.get $size) (i32.const {small})) (then (return (i32.const {small_region}))))
        (if (i32.eq (local.get $size) (i32.const {trap})) (then unreachable))
        (if (i32.eq (local.get $size) (i32.const {spin})) (then (loop $forever (br $forever))))
        (call $bump (local.get $size)))
    (func (export "deallocate") (param $ptr i32)
        (if (i32.eq (local.get $ptr) (i32.const {trap_on_free})) (then unreachable)))
    (func (export "interface_version_8"))
    {extra}
    (func $dispatch (param $msg i32) (result i32)
        (local $data i32) (local $sel i32) (local $ptr i32) (local $r i32)
        (if (i32.ne (i32.load offset=8 (local.get $msg)) (i32.const 8))
            (then (return (i32.const {ok}))))
        (local.set $data (i32.load (local.get $msg)))
        (local.set $sel (i32.load (local.get $data)))
        (local.set $ptr (i32.load offset=4 (local.get $data)))
        {dispatch}
        (if (local.get $r) (then (return (local.get $r))))
        (i32.const {ok}))
    (func (export "execute") (param i32 i32 i32) (result i32)
        {execute_body})
    (func (export "query") (param i32 i32) (result i32)
        (call $dispatch (local.get 1)))
)"#,
        bump = bump_allocator(HEAP),
        null = alloc::NULL,
        garbage = alloc::GARBAGE,
        garbage_ptr = alloc::GARBAGE_POINTER as i32,
        small = alloc::TOO_SMALL,
        small_region = r::SMALL,
        trap = alloc::TRAP,
        spin = alloc::LOOP,
        trap_on_free = r::TRAP_ON_FREE,
        ok = r::OK,
    );
    wat::parse_str(&wat).unwrap_or_else(|e| panic!("{e}\n{wat}"))
}
