//! Item 5: sizes and encodings. Every import argument one byte over its
//! limit traps with `TooLarge` (after paying for reading the region, as in
//! cosmwasm-vm); invalid UTF-8 or JSON from the contract is the contract's
//! problem, not the host's; a result over 64 MiB is refused.

use std::sync::{Arc, Mutex};

use cw_host::testing::{MockQuerier, UNPROGRAMMED_RESPONSE};
use cw_host::{EntryPoint, HostError, VmFailure};
use cw_region::RegionError;
use cw_runtime::InstanceOptions;

use crate::abi::{self, region, select};
use crate::harness::{Hostile, dump, report};

fn too_large(what: &'static str, length: u64, limit: u64) -> VmFailure {
    VmFailure::Host(HostError::TooLarge {
        what,
        length,
        limit,
    })
}

#[test]
fn arguments_one_byte_over_their_limit_trap() {
    let mut h = Hostile::wat(abi::module(), abi::OK_TEXT);
    crate::harness::put(&h.store, b"key", b"before");
    let key_limit = 64 * 1024;
    let cases = [
        (
            "db_read key",
            select::DB_READ,
            region::KEY_OVER,
            too_large("db key", key_limit + 1, key_limit),
        ),
        (
            "db_write key",
            select::DB_WRITE_KEY,
            region::KEY_OVER,
            too_large("db key", key_limit + 1, key_limit),
        ),
        (
            "db_write value",
            select::DB_WRITE_VALUE,
            region::VALUE_OVER,
            too_large("db value", 128 * 1024 + 1, 128 * 1024),
        ),
        (
            "db_remove key",
            select::DB_REMOVE,
            region::KEY_OVER,
            too_large("db key", key_limit + 1, key_limit),
        ),
        (
            "db_scan bound",
            select::DB_SCAN,
            region::KEY_OVER,
            too_large("db scan bound", key_limit + 1, key_limit),
        ),
        (
            "addr_validate",
            select::ADDR_VALIDATE,
            region::HUMAN_OVER,
            too_large("human address", 257, 256),
        ),
        (
            "addr_canonicalize",
            select::ADDR_CANONICALIZE,
            region::HUMAN_OVER,
            too_large("human address", 257, 256),
        ),
        (
            "addr_humanize",
            select::ADDR_HUMANIZE,
            region::CANONICAL_OVER,
            too_large("canonical address", 65, 64),
        ),
        (
            "query_chain request",
            select::QUERY_CHAIN,
            region::KEY_OVER,
            too_large("query request", key_limit + 1, key_limit),
        ),
        (
            "debug message",
            select::DEBUG,
            region::MESSAGE_OVER,
            too_large("debug message", (2 << 20) + 1, 2 << 20),
        ),
    ];
    for (case, selector, ptr, expected) in cases {
        let gas = h.assert_fails(EntryPoint::Execute, &abi::msg(selector, ptr), &expected, 2);
        report(
            5,
            &format!("{case} one byte over the limit"),
            &format!("{expected:?}"),
            gas,
        );
    }
}

/// Bad addresses are answered to the contract (an error region it turns
/// into its own error); the call goes on.
#[test]
fn invalid_utf8_and_json_addresses_are_the_contracts_error() {
    let mut h = Hostile::wat(abi::module(), abi::OK_TEXT);
    let cases: [(&str, u32, u32, &[u8]); 4] = [
        (
            "addr_validate, invalid UTF-8",
            select::ADDR_VALIDATE,
            region::INVALID_UTF8,
            b"Input is not valid UTF-8",
        ),
        (
            "addr_canonicalize, invalid UTF-8",
            select::ADDR_CANONICALIZE,
            region::INVALID_UTF8,
            b"Input is not valid UTF-8",
        ),
        (
            "addr_validate, `not json{`",
            select::ADDR_VALIDATE,
            region::NOT_JSON,
            b"Error decoding bech32",
        ),
        (
            "addr_canonicalize, `not json{`",
            select::ADDR_CANONICALIZE,
            region::NOT_JSON,
            b"Error decoding bech32",
        ),
    ];
    for (case, selector, ptr, message) in cases {
        let outcome = h.call(EntryPoint::Execute, &abi::msg(selector, ptr));
        assert_eq!(outcome.result, Ok(message.to_vec()), "{case}");
        let again = h.call(EntryPoint::Execute, &abi::msg(selector, ptr));
        assert_eq!(again, outcome, "{case}");
        report(
            5,
            case,
            &format!("Ok(contract sees {:?})", String::from_utf8_lossy(message)),
            outcome.gas_used,
        );
    }
    assert!(dump(&h.store).is_empty());
    h.assert_recovers();
}

/// `debug` with invalid UTF-8 reaches the handler with U+FFFD, and a
/// non-JSON `query_chain` request is the querier's to answer.
#[test]
fn invalid_utf8_debug_and_non_json_query_requests_pass_through() {
    let mut h = Hostile::wat(abi::module(), abi::OK_TEXT);
    let seen = Arc::new(Mutex::new(Vec::new()));
    let mut backend = h.backend(EntryPoint::Execute);
    let sink = seen.clone();
    backend.debug = Box::new(move |message: &str, _: cw_host::DebugInfo| {
        sink.lock().unwrap().push(message.to_owned());
    });
    let (outcome, _) = h.call_with(
        EntryPoint::Execute,
        &abi::msg(select::DEBUG, region::INVALID_UTF8),
        backend,
    );
    assert_eq!(outcome.result, Ok(abi::OK_TEXT.to_vec()));
    assert_eq!(*seen.lock().unwrap(), ["\u{FFFD}\u{FFFD}"]);
    report(
        5,
        "debug, invalid UTF-8",
        "Ok(handler gets U+FFFD U+FFFD)",
        outcome.gas_used,
    );

    // The engine passes request bytes through unparsed; the mock querier
    // answers what it does not know with an unsupported-request error. (The
    // chain layer's querier, issue 7, will answer a parse error.)
    let querier = MockQuerier::new();
    let backend = crate::harness::backend_with(
        EntryPoint::Execute,
        &h.store,
        crate::harness::GAS_LIMIT,
        Box::new(querier),
    );
    let (outcome, _) = h.call_with(
        EntryPoint::Execute,
        &abi::msg(select::QUERY_CHAIN, region::NOT_JSON),
        backend,
    );
    assert_eq!(outcome.result, Ok(UNPROGRAMMED_RESPONSE.to_vec()));
    report(
        5,
        "query_chain, request `not json{`",
        "Ok(querier's unsupported-request error)",
        outcome.gas_used,
    );
    h.assert_recovers();
}

/// Result bytes are opaque at the engine's byte boundary: invalid JSON or
/// UTF-8 comes back as bytes (parsing them is the chain layer's, issue 7).
#[test]
fn invalid_json_or_utf8_results_come_back_as_bytes() {
    let mut h = Hostile::wat(abi::module(), abi::OK_TEXT);
    for (case, ptr, bytes) in [
        (
            "result `not json{`",
            region::NOT_JSON,
            b"not json{".as_slice(),
        ),
        (
            "result of invalid UTF-8",
            region::INVALID_UTF8,
            &[0xff, 0xfe],
        ),
    ] {
        let outcome = h.call(EntryPoint::Execute, &abi::msg(select::RETURN, ptr));
        assert_eq!(outcome.result, Ok(bytes.to_vec()), "{case}");
        report(5, case, "Ok(raw bytes)", outcome.gas_used);
    }
    h.assert_recovers();
}

/// A result one byte over 64 MiB needs more than the default 32 MiB memory:
/// with the default limit the module cannot build it (its growth is refused
/// and it returns the null pointer); with a 80 MiB limit the runtime
/// refuses the result by its length before copying it.
#[test]
fn a_result_over_64_mib_is_refused() {
    let msg = abi::msg(select::OVERSIZE_RESULT, 0);
    let mut h = Hostile::wat(abi::module(), abi::OK_TEXT);
    // The module returns 0; address 0 holds no region: a null offset.
    let expected = VmFailure::BadResult(RegionError::NullOffset { ptr: 0 });
    let gas = h.assert_fails(EntryPoint::Execute, &msg, &expected, 2);
    report(
        5,
        "result of 64 MiB + 1 (memory limit 32 MiB)",
        &format!("{expected:?}"),
        gas,
    );

    let options = InstanceOptions {
        memory_limit_bytes: 80 << 20,
    };
    let mut h = Hostile::wat_with(abi::module(), abi::OK_TEXT, options);
    let expected = VmFailure::BadResult(RegionError::LengthExceedsLimit {
        length: (64 << 20) + 1,
        limit_bytes: 64 << 20,
    });
    let gas = h.assert_fails(EntryPoint::Execute, &msg, &expected, 2);
    report(
        5,
        "result of 64 MiB + 1 (memory limit 80 MiB)",
        &format!("{expected:?}"),
        gas,
    );
}
