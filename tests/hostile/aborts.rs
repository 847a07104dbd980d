//! Item 9: panics and `abort`, with short, long, limit-sized, over-limit and
//! non-UTF-8 messages. The message reaches the caller as `Aborted`, or the
//! import refuses it with a typed error first.

use cw_host::{EntryPoint, HostError, VmFailure};
use cw_region::RegionError;

use crate::abi::{self, region, select};
use crate::harness::{Hostile, report};

#[test]
fn a_probe_panic_aborts_with_the_panic_message() {
    let mut h = Hostile::probe();
    crate::harness::put(&h.store, b"k", b"v");
    let msg = br#"{"panic":{"msg":"boom"}}"#;
    let outcome = h.call(EntryPoint::Execute, msg);
    let Err(VmFailure::Aborted { message }) = &outcome.result else {
        panic!("expected an abort, got {:?}", outcome.result);
    };
    // cosmwasm-std's panic hook: `panicked at <file>:<line>:<col>:\n<msg>`.
    assert!(
        message.starts_with("panicked at probe/src/contract.rs:"),
        "{message}"
    );
    assert!(message.ends_with(":\nboom"), "{message}");
    let expected = outcome.result.clone().unwrap_err();
    let gas = h.assert_fails(EntryPoint::Execute, msg, &expected, 2);
    assert_eq!(gas, outcome.gas_used);
    report(9, "probe panic", &format!("{expected:?}"), gas);
}

#[test]
fn probe_aborts_carry_the_exact_message() {
    let mut h = Hostile::probe();
    let long = "x".repeat(100_000);
    for (case, text) in [
        ("probe abort, short message", "exactly this".to_string()),
        ("probe abort, empty message", String::new()),
        ("probe abort, 100,000-byte message", long),
        (
            "probe abort, non-ASCII message",
            "\u{1F4A5} \u{0000} \u{FFFF}".to_string(),
        ),
    ] {
        let msg = serde_json::to_vec(&serde_json::json!({ "abort": { "msg": text } })).unwrap();
        let expected = VmFailure::Aborted { message: text };
        let gas = h.assert_fails(EntryPoint::Execute, &msg, &expected, 2);
        report(9, case, "Aborted { message: <exactly the text> }", gas);
    }
}

#[test]
fn raw_aborts_with_hostile_messages() {
    let mut h = Hostile::wat(abi::module(), abi::OK_TEXT);
    let two_mib = 2 << 20;
    let cases = [
        (
            "abort, non-UTF-8 message",
            region::INVALID_UTF8,
            VmFailure::Aborted {
                message: "\u{FFFD}\u{FFFD}".into(),
            },
        ),
        (
            "abort, message of exactly 2 MiB",
            region::MESSAGE_AT_LIMIT,
            VmFailure::Aborted {
                message: "\0".repeat(two_mib),
            },
        ),
        (
            "abort, message of 2 MiB + 1",
            region::MESSAGE_OVER,
            VmFailure::Host(HostError::TooLarge {
                what: "abort message",
                length: two_mib as u64 + 1,
                limit: two_mib as u64,
            }),
        ),
        (
            "abort, message region at address 0 (nothing there: null offset)",
            0,
            VmFailure::Host(HostError::Region(RegionError::NullOffset { ptr: 0 })),
        ),
    ];
    for (case, ptr, expected) in cases {
        let gas = h.assert_fails(
            EntryPoint::Execute,
            &abi::msg(select::ABORT, ptr),
            &expected,
            2,
        );
        let shown = match &expected {
            VmFailure::Aborted { message } if message.len() > 64 => {
                format!("Aborted {{ message: <{} NUL bytes> }}", message.len())
            }
            other => format!("{other:?}"),
        };
        report(9, case, &shown, gas);
    }
}
