//! The hostile-input safety suite (issue 11), engine level: contracts and
//! inputs written to break the runtime. Every case asserts the exact typed
//! failure, the same gas on every run, storage byte for byte as before, the
//! module cache unchanged, and that the next normal call works.
//!
//! One module per item of issue 11; `harness` is the one way a case runs a
//! contract and `abi` the generated module that abuses the ABI. Run with
//! `--nocapture` to print the figures docs/RELIABILITY.md records.

mod abi;
mod against_reference;
mod harness;
mod heap;

mod aborts;
mod bytecode;
mod contract_diff;
mod determinism;
mod disk_cache;
mod divergences;
mod iteration_visibility;
mod iterators;
mod limits;
mod loops;
mod memory;
mod memory_edges;
mod query_rules;
mod recursion;
mod reentry;
mod regions;
mod stack_calibration;
mod submessages;
