//! Item 10: a contract that sends messages in a loop (a submessage to
//! itself, or to a contract that sends one back) until the depth or gas
//! limit.
//!
//! PENDING: this needs the chain layer (multi-contract dispatch, issue 7,
//! being written in crates/cw-runtime/src/chain/). At the engine level a
//! contract's `Response` is opaque result bytes; nothing dispatches its
//! messages, so there is no loop to stop yet. The cases to add once the
//! chain layer lands, each with the usual assertions (exact error, same gas
//! every run, state rolled back, next call works):
//! - the probe's `dispatch` returning a `SubMsg` that executes the probe
//!   again with the same message: stops at the dispatch depth limit or at
//!   the gas limit, whichever comes first, with the limit's typed error;
//! - the same with `reply_on_error`, where each `reply` dispatches again;
//! - two contracts sending to each other;
//! - a loop whose every level writes storage: all writes are rolled back.
