//! Issue 21, "what our own tests must compare": every fixture and every
//! entry point the reference runs, on this runtime and on cosmwasm-vm
//! 3.0.11, through cw-oracle. Each call runs on the reference (a new
//! instance), on a new instance of ours and on one instance of ours reset
//! between calls, each over its own storage; after every call the three
//! must agree on the result bytes (or the kind of failure), the gas, and
//! the storage, byte for byte. Failures are compared too, with their gas:
//! nothing is unwrapped.
//!
//! Storage costs nothing on either side and queries are answered by
//! cosmwasm-vm's own mock querier on both, so what is compared is the VM:
//! operators, imports, copies, crypto.
//!
//! - `scripts`: the message scripts of `tests/scenarios/*.json` (and one
//!   for cw1-subkeys, which has no scenario) at the VM level, one contract
//!   at a time: every fixture.
//! - `entry_points`: instantiate, execute, query, migrate in both forms
//!   (with and without `MigrateInfo`, on a two- and a three-parameter
//!   export), sudo, reply.
//! - `failures`: traps, aborts, out of gas at many limits, stack
//!   exhaustion as a kind, bad regions, missing exports.
//! - `crypto`: every crypto import with real signatures, batches of 0, 1
//!   and several, BLS aggregates and pairings of several sizes.

mod crypto;
mod entry_points;
mod failures;
mod scripts;

use cw_host::EntryPoint;
use cw_host::testing::SharedStorage;
use cw_oracle::ours::{Schedule, call_on};
use cw_oracle::{Call, Failure, Observed, Ours, Reference, ReferenceStore, compare};
use cw_runtime::{Compiler, ContractInstance};

/// Memory limit of every instance on both sides.
const MEMORY_LIMIT_BYTES: u64 = 32 << 20;

/// Gas of a call that is meant to have enough.
pub(crate) const GAS_LIMIT: u64 = 500_000_000_000;

/// One contract on the reference and on two paths of ours.
pub(crate) struct Pair {
    ours: Ours,
    reference: Reference,
    kept: ContractInstance<Schedule>,
    kept_calls: usize,
    ours_store: SharedStorage,
    kept_store: SharedStorage,
    theirs_store: ReferenceStore,
}

impl Pair {
    /// `wasm` compiled on both sides, over empty stores.
    pub(crate) fn new(wasm: &[u8]) -> Self {
        let ours = Ours::compile(wasm, Compiler::Singlepass, MEMORY_LIMIT_BYTES).unwrap();
        let reference = Reference::compile(wasm, MEMORY_LIMIT_BYTES as usize).unwrap();
        let kept = ours.instance().unwrap();
        Self {
            ours,
            reference,
            kept,
            kept_calls: 0,
            ours_store: SharedStorage::new(),
            kept_store: SharedStorage::new(),
            theirs_store: ReferenceStore::default(),
        }
    }

    /// The named fixture.
    pub(crate) fn fixture(name: &str) -> Self {
        Self::new(&tests::fixture_bytes(name))
    }

    /// Stores `value` at `key` on every side.
    pub(crate) fn put(&self, key: &[u8], value: &[u8]) {
        self.ours_store.put(key, value);
        self.kept_store.put(key, value);
        self.theirs_store.put(key, value);
    }

    /// Runs `call` everywhere; panics with `label` and both outcomes unless
    /// all three agree (result, gas, storage). Returns the reference's.
    pub(crate) fn agree(&mut self, label: &str, call: &Call<'_>) -> Observed {
        let theirs = self.reference.call(call, &self.theirs_store);
        let fresh = self.ours.call(call, &self.ours_store);
        if self.kept_calls > 0 {
            self.kept.reset().unwrap();
        }
        self.kept_calls += 1;
        let reused = call_on(&mut self.kept, call, &self.kept_store);
        for (path, observed, store) in [
            ("new instance", fresh, &self.ours_store),
            ("reset instance", reused, &self.kept_store),
        ] {
            compare(observed, theirs.clone())
                .unwrap_or_else(|d| panic!("{label} ({path}, {:?}):\n{d}", call.entry));
            assert!(
                store.dump() == self.theirs_store.dump(),
                "{label} ({path}): storage differs\nours: {:?}\nreference: {:?}",
                store.dump(),
                self.theirs_store.dump()
            );
        }
        theirs
    }

    /// [`Pair::agree`] for `entry` with `msg`, the mock env, `info` where
    /// the entry point takes one, and `gas_limit`.
    pub(crate) fn run(
        &mut self,
        label: &str,
        entry: EntryPoint,
        info: Option<&[u8]>,
        msg: &[u8],
        gas_limit: u64,
    ) -> Observed {
        let env = cw_oracle::mock_env_bytes();
        let call = Call {
            entry,
            env: &env,
            info,
            msg,
            gas_limit,
        };
        self.agree(label, &call)
    }

    /// Everything the reference's store holds.
    pub(crate) fn dump(&self) -> std::collections::BTreeMap<Vec<u8>, Vec<u8>> {
        self.theirs_store.dump()
    }
}

/// `MessageInfo` JSON from `sender` (an address made by `addr_make`)
/// without funds.
pub(crate) fn info(sender: &str) -> Vec<u8> {
    let sender = cosmwasm_std::testing::MockApi::default().addr_make(sender);
    cw_oracle::info_bytes(sender.as_str())
}

/// The result of a successful call as text, for assertions on what the
/// reference said.
pub(crate) fn ok_text(observed: &Observed) -> String {
    match &observed.result {
        Ok(bytes) => String::from_utf8_lossy(bytes).into_owned(),
        Err(failure) => panic!("expected a result, got {failure}"),
    }
}

/// The kind a failed call reports (`out of gas`, a trap's text, or the
/// kind of another failure).
pub(crate) fn failure_kind(observed: &Observed) -> String {
    match &observed.result {
        Ok(bytes) => panic!("expected a failure, got {}", String::from_utf8_lossy(bytes)),
        Err(Failure::OutOfGas) => "out of gas".to_owned(),
        Err(Failure::Trap(text)) => format!("trap: {text}"),
        Err(Failure::Other { kind, .. }) => (*kind).to_owned(),
    }
}
