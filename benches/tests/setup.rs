//! The benches' setup assertions as ordinary tests, so `cargo test` (and
//! CI) checks what every bench asserts before it times anything: ours and
//! cosmwasm-vm 3.0.11 give the same result bytes and gas for each benched
//! call (`runtime`, `host`, `scale`), and native emulators the same bytes
//! as their Wasm fixtures (`fallback`).
//!
//! Each bench file is compiled here as a module and its `setup_checks`
//! called; its criterion groups and `main` are not used in this build.

#[allow(
    dead_code,
    reason = "the bench's criterion groups and main are not run here"
)]
#[path = "../benches/fallback.rs"]
mod fallback;
#[allow(
    dead_code,
    reason = "the bench's criterion groups and main are not run here"
)]
#[path = "../benches/host.rs"]
mod host;
#[allow(
    dead_code,
    reason = "the bench's criterion groups and main are not run here"
)]
#[path = "../benches/runtime.rs"]
mod runtime;
#[allow(
    dead_code,
    reason = "the bench's criterion groups and main are not run here"
)]
#[path = "../benches/scale.rs"]
mod scale;

#[test]
fn runtime_benches_compare_equal_calls() {
    runtime::setup_checks();
}

#[test]
fn host_benches_compare_equal_calls() {
    host::setup_checks();
}

#[test]
fn scale_benches_compare_equal_calls() {
    scale::setup_checks();
}

#[test]
fn fallback_benches_compare_equal_calls() {
    fallback::setup_checks();
}
