//! The memory differential: a [`MemoryProgram`] run on this runtime (a new
//! instance per call, and one instance reset between calls, as the pool
//! runs them) and on cosmwasm-vm, call by call, beside live neighbours
//! holding a canary. The fuzz target `diff_memory` and the seeded test in
//! `tests/hostile/memory_edges.rs` both run it.

use arbitrary::Unstructured;
use cw_host::EntryPoint;
use cw_host::testing::SharedStorage;
use cw_runtime::Compiler;

use crate::canary::{Neighbours, shows_canary};
use crate::memory_program::MemoryProgram;
use crate::ours::{Ours, call_on};
use crate::outcome::compare;
use crate::reference::{Reference, ReferenceStore};
use crate::{Call, Observed};

/// Memory limit of every instance on both sides.
pub const MEMORY_LIMIT_BYTES: u64 = 16 << 20;

/// Gas of every call: enough for any drawn program, which has no loops.
pub const GAS_LIMIT: u64 = 10_000_000_000;

/// The calls each program gets, in order: the second sees an instance
/// reset after the first, so growth and stores of the first must be gone.
const CALLS: [EntryPoint; 3] = [EntryPoint::Execute, EntryPoint::Query, EntryPoint::Execute];

/// Runs drawn programs against the reference, keeping neighbours alive
/// across them.
pub struct MemoryDiff {
    neighbours: Neighbours,
    env: Vec<u8>,
    info: Vec<u8>,
}

/// What a program showed: for each call, the reference's outcome.
pub type Outcomes = Vec<Observed>;

impl MemoryDiff {
    /// A differential with `neighbours` live canary instances.
    pub fn new(neighbours: usize) -> Self {
        Self {
            neighbours: Neighbours::new(neighbours, MEMORY_LIMIT_BYTES),
            env: crate::mock_env_bytes(),
            info: crate::info_bytes("fuzzer"),
        }
    }

    /// Draws a program from `data` and runs it; `Ok(None)` when `data` is
    /// too short to draw one.
    ///
    /// # Errors
    /// The first disagreement, or a neighbour's canary changed or seen.
    pub fn run_bytes(&mut self, data: &[u8]) -> Result<Option<Outcomes>, String> {
        match MemoryProgram::arbitrary(&mut Unstructured::new(data)) {
            Ok(program) => self.run(&program).map(Some),
            Err(_) => Ok(None),
        }
    }

    /// Runs `program`'s calls on every path and on the reference.
    ///
    /// # Errors
    /// The first disagreement (with both outcomes), a result that carries
    /// the canary, or a neighbour whose canary changed.
    pub fn run(&mut self, program: &MemoryProgram) -> Result<Outcomes, String> {
        let wasm = program.to_wasm();
        let ours = Ours::compile(&wasm, Compiler::Singlepass, MEMORY_LIMIT_BYTES)
            .map_err(|e| format!("{program:?}: ours refused: {e}"))?;
        let reference = Reference::compile(&wasm, MEMORY_LIMIT_BYTES as usize)
            .map_err(|e| format!("{program:?}: the reference refused: {e}"))?;
        let mut kept = ours
            .instance()
            .map_err(|e| format!("{program:?}: no instance: {e}"))?;
        let mut outcomes = Vec::new();
        for (index, entry) in CALLS.into_iter().enumerate() {
            let call = Call {
                entry,
                env: &self.env,
                info: matches!(entry, EntryPoint::Execute).then_some(self.info.as_slice()),
                msg: b"{}",
                gas_limit: GAS_LIMIT,
            };
            let theirs = reference.call(&call, &ReferenceStore::default());
            let fresh = ours.call(&call, &SharedStorage::new());
            if index > 0 {
                kept.reset()
                    .map_err(|e| format!("{program:?}: reset failed: {e}"))?;
            }
            let reused = call_on(&mut kept, &call, &SharedStorage::new());
            for (path, observed) in [("new instance", fresh), ("reset instance", reused)] {
                if let Ok(bytes) = &observed.result
                    && shows_canary(bytes)
                {
                    return Err(format!(
                        "{program:?}: call {index} ({path}) read the canary"
                    ));
                }
                compare(observed, theirs.clone())
                    .map_err(|d| format!("{program:?}: call {index} ({path}):\n{d}"))?;
            }
            outcomes.push(theirs);
        }
        self.neighbours
            .check()
            .map_err(|changed| format!("{program:?}: {changed}"))?;
        Ok(outcomes)
    }
}
