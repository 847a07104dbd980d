//! The contract differential: a generated [`ContractCase`] (a module that
//! calls the host, and the calls made to it) run call by call on cosmwasm-vm
//! (a new instance per call, as wasmvm runs them), on this runtime with a
//! new instance per call, and on one instance of ours reset between calls,
//! as the pool runs them. Each of the three keeps its own storage, seeded
//! alike. After every call: the same result bytes or the same kind of
//! failure, the same gas, and the same storage, byte for byte.
//!
//! Before running, the module's acceptance is compared (this runtime's
//! validation and compile against cosmwasm-vm's `check_wasm` and compile,
//! as in [`crate::acceptance`]): a module one side would not store is a
//! finding too; one both refuse is skipped.
//!
//! Known differences end a case without a verdict ([`Verdict::Known`]):
//! two deliberate ones, being fixed elsewhere (this runtime's deterministic
//! stack limit fails deep recursion earlier than cosmwasm-vm's native stack,
//! and its lazy iterators may see writes made after a scan opened), and the
//! divergences this oracle found that are recorded as ignored tests in
//! `tests/hostile/divergences.rs`.

use arbitrary::Unstructured;
use cw_host::EntryPoint;
use cw_host::testing::SharedStorage;
use cw_runtime::Compiler;

use crate::contract::{CallSpec, ContractCase, Gas};
use crate::ours::{Ours, call_on};
use crate::outcome::{Failure, compare};
use crate::reference::{Reference, ReferenceStore};
use crate::{Call, Observed};

/// Memory limit of every instance on both sides.
pub const MEMORY_LIMIT_BYTES: u64 = 16 << 20;

/// Divergences this oracle found that are recorded, minimised, as ignored
/// tests in `tests/hostile/divergences.rs` until the runtime is fixed; a
/// case that meets one ends as [`Verdict::Known`] so that the fuzzer looks
/// for new ones. Remove an entry when its test passes.
fn recorded(divergence: &crate::Divergence) -> Option<&'static str> {
    let (ours, theirs) = (&divergence.ours, &divergence.reference);
    match (&ours.result, &theirs.result) {
        // `call_depth_with_exactly_the_gas_it_needs_is_a_call_depth_failure`
        (
            Err(Failure::OutOfGas),
            Err(Failure::Other {
                kind: "call depth", ..
            }),
        ) if ours.gas_used == theirs.gas_used => {
            Some("call depth with no gas left reported as out of gas")
        }
        // `a_call_may_open_more_than_1024_iterators`
        (
            Err(Failure::Other {
                kind: "too many iterators",
                ..
            }),
            _,
        ) => Some("the iterator limit (issue 21, item 5)"),
        _ => None,
    }
}

/// How a case ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Every call agreed; the reference's outcomes, in order.
    Agreed(Vec<Observed>),
    /// Both sides refuse to store the module.
    Refused,
    /// The calls agreed until one hit a known difference, named here.
    Known(&'static str),
}

/// Runs generated contracts against the reference.
#[derive(Debug, Clone)]
pub struct ContractDiff {
    env: Vec<u8>,
    info: Vec<u8>,
    migrate_info: Vec<u8>,
    max_gas: u64,
}

impl ContractDiff {
    /// A differential whose calls use at most `max_gas` each.
    pub fn new(max_gas: u64) -> Self {
        let sender = cosmwasm_std::testing::MockApi::default().addr_make("sender");
        let migrate_info = cosmwasm_std::MigrateInfo {
            sender: sender.clone(),
            old_migrate_version: Some(7),
        };
        Self {
            env: crate::mock_env_bytes(),
            info: crate::info_bytes(sender.as_str()),
            migrate_info: cosmwasm_std::to_json_vec(&migrate_info).unwrap_or_default(),
            max_gas,
        }
    }

    /// Draws a case from `data` and runs it; `Ok(None)` when `data` is too
    /// short to draw one.
    ///
    /// # Errors
    /// The first disagreement, with the case and both outcomes.
    pub fn run_bytes(&self, data: &[u8]) -> Result<Option<Verdict>, String> {
        match ContractCase::arbitrary(&mut Unstructured::new(data), self.max_gas) {
            Ok(case) => self.run(&case).map(Some),
            Err(_) => Ok(None),
        }
    }

    /// Runs `case` on every path.
    ///
    /// # Errors
    /// The first disagreement: acceptance, an outcome, or storage.
    pub fn run(&self, case: &ContractCase) -> Result<Verdict, String> {
        let wasm = case.program.to_wasm();
        let fail = |what: String| format!("{case:?}\n{what}");
        let ours = Ours::compile(&wasm, Compiler::Singlepass, MEMORY_LIMIT_BYTES);
        let reference = crate::acceptance::reference_check(&wasm).and_then(|()| {
            Reference::compile(&wasm, MEMORY_LIMIT_BYTES as usize).map_err(|e| e.to_string())
        });
        let (ours, reference) = match (ours, reference) {
            (Ok(ours), Ok(reference)) => (ours, reference),
            (Err(_), Err(_)) => return Ok(Verdict::Refused),
            (Ok(_), Err(theirs)) => {
                return Err(fail(format!(
                    "we accept a module cosmwasm-vm refuses ({theirs})"
                )));
            }
            (Err(ours), Ok(_)) => {
                return Err(fail(format!(
                    "we refuse a module cosmwasm-vm accepts ({ours})"
                )));
            }
        };
        let theirs_store = ReferenceStore::default();
        let (fresh_store, kept_store) = (SharedStorage::new(), SharedStorage::new());
        for (key, value) in &case.stored {
            theirs_store.put(key, value);
            fresh_store.put(key, value);
            kept_store.put(key, value);
        }
        let mut kept = ours
            .instance()
            .map_err(|e| fail(format!("no instance: {e}")))?;
        let mut outcomes = Vec::new();
        for (index, spec) in case.calls.iter().enumerate() {
            let gas_limit = self.gas_limit(spec, &reference, &theirs_store);
            let call = self.call(spec, gas_limit);
            let scans_before = theirs_store.writes_during_scan();
            let theirs = reference.call(&call, &theirs_store);
            let fresh = ours.call(&call, &fresh_store);
            if index > 0 {
                kept.reset()
                    .map_err(|e| fail(format!("reset failed: {e}")))?;
            }
            let reused = call_on(&mut kept, &call, &kept_store);
            let wrote_during_scan = theirs_store.writes_during_scan() > scans_before;
            for (path, observed, store) in [
                ("new instance", fresh, &fresh_store),
                ("reset instance", reused, &kept_store),
            ] {
                if let Err(Failure::Other {
                    kind: "stack limit",
                    ..
                }) = observed.result
                {
                    return Ok(Verdict::Known("deterministic stack limit"));
                }
                let agreed = compare(observed, theirs.clone()).and_then(|()| {
                    if store.dump() == theirs_store.dump() {
                        Ok(())
                    } else {
                        Err(Box::new(crate::Divergence {
                            ours: Observed {
                                result: Err(Failure::Other {
                                    kind: "storage",
                                    text: format!("{:?}", store.dump()),
                                }),
                                gas_used: 0,
                            },
                            reference: Observed {
                                result: Err(Failure::Other {
                                    kind: "storage",
                                    text: format!("{:?}", theirs_store.dump()),
                                }),
                                gas_used: 0,
                            },
                        }))
                    }
                });
                match agreed {
                    Ok(()) => {}
                    Err(_) if wrote_during_scan => {
                        return Ok(Verdict::Known("writes during a scan (lazy iterators)"));
                    }
                    Err(divergence) if let Some(known) = recorded(&divergence) => {
                        return Ok(Verdict::Known(known));
                    }
                    Err(divergence) => {
                        return Err(fail(format!(
                            "call {index} ({:?}, {path}):\n{divergence}",
                            spec.entry
                        )));
                    }
                }
            }
            outcomes.push(theirs);
        }
        Ok(Verdict::Agreed(outcomes))
    }

    /// The gas limit of `spec`: drawn, or derived from what the call uses
    /// on the reference (run on a copy of its storage) with the maximum.
    fn gas_limit(&self, spec: &CallSpec, reference: &Reference, store: &ReferenceStore) -> u64 {
        let used = |this: &Self| {
            let call = this.call(spec, this.max_gas);
            reference.call(&call, &store.snapshot()).gas_used
        };
        match spec.gas {
            Gas::Limit(limit) => limit.min(self.max_gas),
            Gas::Fraction(parts) => {
                let scaled = u128::from(used(self)) * u128::from(parts) / 65_536;
                u64::try_from(scaled).unwrap_or(u64::MAX)
            }
            Gas::Exact(delta) => used(self).saturating_add_signed(i64::from(delta)),
        }
    }

    fn call<'a>(&'a self, spec: &'a CallSpec, gas_limit: u64) -> Call<'a> {
        let info = match spec.entry {
            EntryPoint::Instantiate | EntryPoint::Execute => Some(self.info.as_slice()),
            EntryPoint::Migrate if spec.migrate_info => Some(self.migrate_info.as_slice()),
            _ => None,
        };
        Call {
            entry: spec.entry,
            env: &self.env,
            info,
            msg: &spec.msg,
            gas_limit,
        }
    }
}
