//! Tier-up: recompiling often-used modules with Cranelift on one background
//! thread per cache, then replacing the Singlepass module in the cache.

use std::collections::{HashMap, HashSet};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::mpsc::{self, Sender};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::Instant;

use cw_gas::CostTable;

use super::Shared;
use super::disk::DiskCache;
use crate::compile::{Checksum, CompileConfig, Compiler, compile_known};

/// When a [`ModuleCache`](super::ModuleCache) recompiles a module with
/// Cranelift: after `after_uses` lookups of its Singlepass module (the
/// compiling miss counts as one). Until the Cranelift module is ready,
/// lookups keep returning the Singlepass one; both give the same results
/// and gas, so a caller cannot tell which ran except by speed (and by
/// [`CompiledModule::compiler`](crate::CompiledModule::compiler)).
///
/// The cost is one Cranelift compile per module, several times a Singlepass
/// compile (cw20-base: about 0.5 s against 0.08 s), on a background thread,
/// one module at a time. A module whose Cranelift build later leaves the
/// cache (evicted from memory, none on disk) tiers up again after another
/// `after_uses` lookups; one Cranelift refused or failed on is not tried
/// again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TierUp {
    /// Lookups before the Cranelift compile is queued; at least 1.
    pub after_uses: u32,
}

impl Default for TierUp {
    /// After 16 lookups: a module called once or twice never pays for a
    /// Cranelift compile.
    fn default() -> Self {
        Self { after_uses: 16 }
    }
}

/// One queued Cranelift compile.
pub(crate) struct Job<T: CostTable> {
    pub(crate) checksum: Checksum,
    pub(crate) wasm: Arc<[u8]>,
    pub(crate) config: CompileConfig<T>,
    /// Where the artifact goes, if the cache keeps artifacts on disk.
    pub(crate) disk: Option<Arc<DiskCache>>,
}

type Task = Box<dyn FnOnce() + Send>;

#[derive(Default)]
struct Inner {
    policy: Option<TierUp>,
    uses: HashMap<Checksum, u32>,
    /// Modules queued, compiling, failed or refused: not queued again. A
    /// module whose tier-up succeeded leaves the set, so if its Cranelift
    /// build is evicted and it is compiled again, it can tier up again.
    started: HashSet<Checksum>,
    /// Jobs queued or running.
    pending: usize,
    worker: Option<Sender<Task>>,
}

/// The tier-up bookkeeping of one cache.
#[derive(Default)]
pub(crate) struct TierUpState {
    inner: Mutex<Inner>,
    idle: Condvar,
}

impl TierUpState {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        // Every update is a few plain assignments: never half done.
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn enable(&self, policy: TierUp) {
        self.lock().policy = Some(TierUp {
            after_uses: policy.after_uses.max(1),
        });
    }

    /// Whether a policy is set.
    pub(crate) fn enabled(&self) -> bool {
        self.lock().policy.is_some()
    }

    /// Counts one use of a Singlepass module; returns the code to compile
    /// when this use is the one that queues its tier-up (which needs the
    /// code, hence `wasm`).
    pub(crate) fn count(&self, checksum: Checksum, wasm: Option<&[u8]>) -> Option<Arc<[u8]>> {
        let mut inner = self.lock();
        let policy = inner.policy?;
        if inner.started.contains(&checksum) {
            return None;
        }
        let uses = inner.uses.entry(checksum).or_insert(0);
        *uses = uses.saturating_add(1);
        if *uses < policy.after_uses {
            return None;
        }
        let wasm = wasm?;
        inner.uses.remove(&checksum);
        inner.started.insert(checksum);
        inner.pending = inner.pending.saturating_add(1);
        Some(Arc::from(wasm))
    }

    /// Ends a queued job; `succeeded` lets the module tier up again later.
    fn finish(&self, checksum: Checksum, succeeded: bool) {
        let mut inner = self.lock();
        if succeeded {
            inner.started.remove(&checksum);
        }
        // Every finish follows one queueing, so this never saturates; if a
        // bug ever made it, waiting would end early rather than panic.
        inner.pending = inner.pending.saturating_sub(1);
        if inner.pending == 0 {
            self.idle.notify_all();
        }
    }

    pub(crate) fn wait_idle(&self) {
        let mut inner = self.lock();
        while inner.pending > 0 {
            inner = self
                .idle
                .wait(inner)
                .unwrap_or_else(PoisonError::into_inner);
        }
    }

    /// Hands `task` to the worker thread, starting it if needed. Gives the
    /// task back if no thread could be started.
    fn send(&self, task: Task) -> Result<(), Task> {
        let mut inner = self.lock();
        let task = match &inner.worker {
            Some(worker) => match worker.send(task) {
                Ok(()) => return Ok(()),
                // The worker ends only once its sender is dropped, so this
                // is unreachable; start another all the same.
                Err(mpsc::SendError(task)) => task,
            },
            None => task,
        };
        let (sender, receiver) = mpsc::channel::<Task>();
        let spawned = std::thread::Builder::new()
            .name("cw-runtime-tier-up".into())
            .spawn(move || {
                // Ends when the cache, the sender's owner, is dropped.
                while let Ok(task) = receiver.recv() {
                    task();
                }
            });
        if spawned.is_err() {
            return Err(task);
        }
        // The receiver lives in the new thread, so this cannot fail.
        let sent = sender.send(task).map_err(|mpsc::SendError(task)| task);
        inner.worker = Some(sender);
        sent
    }
}

/// Queues `job`'s Cranelift compile. Its outcome lands in the cache's
/// metrics: a success replaces the Singlepass module, a failure (or a
/// panic inside Wasmer) is counted and described, and the Singlepass module
/// stays in use.
pub(crate) fn queue<T: CostTable>(shared: &Arc<Shared>, job: Job<T>) {
    let checksum = job.checksum;
    let target = Arc::clone(shared);
    let task: Task = Box::new(move || {
        let started = Instant::now();
        let outcome = catch_unwind(AssertUnwindSafe(|| run(&job)))
            .unwrap_or_else(|_| Err("the Cranelift compile panicked".to_string()));
        let mut state = target.lock();
        state.metrics.optimize_time = state
            .metrics
            .optimize_time
            .saturating_add(started.elapsed());
        let succeeded = outcome.is_ok();
        match outcome {
            Ok((module, stored)) => {
                state.metrics.optimized = state.metrics.optimized.saturating_add(1);
                state.replace(module);
                if let Err(reason) = stored {
                    state.metrics.optimize_failures =
                        state.metrics.optimize_failures.saturating_add(1);
                    state.metrics.last_optimize_failure =
                        Some(format!("{checksum}: in use but not kept on disk: {reason}"));
                }
            }
            Err(reason) => {
                state.metrics.optimize_failures = state.metrics.optimize_failures.saturating_add(1);
                state.metrics.last_optimize_failure = Some(format!("{checksum}: {reason}"));
            }
        }
        drop(state);
        target.tier_up.finish(checksum, succeeded);
    });
    if shared.tier_up.send(task).is_err() {
        let mut state = shared.lock();
        state.metrics.optimize_failures = state.metrics.optimize_failures.saturating_add(1);
        state.metrics.last_optimize_failure =
            Some(format!("{checksum}: no tier-up thread could be started"));
        drop(state);
        shared.tier_up.finish(checksum, false);
    }
}

type Compiled = (crate::CompiledModule, Result<(), String>);

fn run<T: CostTable>(job: &Job<T>) -> Result<Compiled, String> {
    let (module, _info, artifact) =
        compile_known(&job.wasm, job.checksum, &job.config, Compiler::Cranelift)
            .map_err(|e| e.to_string())?;
    let stored = match &job.disk {
        Some(disk) => disk
            .store(&job.checksum, &artifact)
            .map_err(|e| e.to_string()),
        None => Ok(()),
    };
    Ok((module, stored))
}
