//! The memory differential (issue 20): a contract-shaped module drawn from
//! the input (`cw_oracle::MemoryProgram::arbitrary`: 0 to 17 pages, loads,
//! stores and grows of every width at addresses biased to the edges of
//! memory, in `allocate` and in entry points), run call by call on a new
//! Singlepass instance, on one instance reset between calls, and on
//! cosmwasm-vm. Every call must agree with the reference (result bytes or
//! failure, and gas); no result may carry the canary that eight live
//! neighbour instances hold, and their canaries must never change.
//!
//! The oracle is `cw_oracle::MemoryDiff`; this file only feeds it.
#![no_main]

use std::cell::RefCell;

use libfuzzer_sys::fuzz_target;

thread_local! {
    /// Neighbours live for the whole session, so the programs of every
    /// input run beside the same mapped memories.
    static DIFF: RefCell<cw_oracle::MemoryDiff> = RefCell::new(cw_oracle::MemoryDiff::new(8));
}

fuzz_target!(|input: &[u8]| {
    DIFF.with_borrow_mut(|diff| {
        if let Err(divergence) = diff.run_bytes(input) {
            panic!("{divergence}");
        }
    });
});
