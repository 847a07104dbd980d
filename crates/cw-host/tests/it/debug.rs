//! debug and abort.

use cw_host::{HostError, imports};

use crate::support::{HOST_CALL, Harness, read_cost, string_cost};

#[test]
fn debug_reaches_the_handler() {
    let mut h = Harness::new();
    let msg = h.place(b"hello \xffworld");
    h.with(|ctx, mem, _| imports::debug(ctx, mem, msg)).unwrap();
    assert_eq!(h.debug_log.len(), 1);
    assert_eq!(h.debug_log[0].0, "hello \u{fffd}world");
    // Only the host call and the region read: the cosmwasm schedule prices
    // logs at zero, as cosmwasm-vm does.
    let used = HOST_CALL + read_cost(12);
    assert_eq!(h.used(), used);
    assert_eq!(
        h.debug_log[0].1.gas_remaining.as_u64(),
        1_000_000_000_000 - used
    );
    let big = h.place(&vec![b'x'; 2 * 1024 * 1024 + 1]);
    assert!(matches!(
        h.with(|ctx, mem, _| imports::debug(ctx, mem, big)),
        Err(HostError::TooLarge {
            what: "debug message",
            ..
        })
    ));
    assert_eq!(h.debug_log.len(), 1);
}

#[test]
fn abort_carries_the_message() {
    let mut h = Harness::new();
    let msg = h.place(b"panicked at 'boom'");
    let Err(err) = h.with(|ctx, mem, _| imports::abort(ctx, mem, msg));
    assert_eq!(
        err,
        HostError::Aborted {
            message: "panicked at 'boom'".into()
        }
    );
    assert_eq!(err.to_string(), "Aborted: panicked at 'boom'");
    assert_eq!(h.used(), HOST_CALL + read_cost(18) + string_cost(18));

    let mut h = Harness::new();
    let Err(err) = h.with(|ctx, mem, _| imports::abort(ctx, mem, 0));
    assert!(matches!(err, HostError::Region(_)));
}
