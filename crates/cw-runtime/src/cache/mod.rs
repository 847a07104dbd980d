//! The module cache: an in-memory LRU bounded in bytes, a pinned set that is
//! never evicted, and an optional on-disk artifact cache whose files are
//! authenticated with the user's artifact key and read only from folders
//! nobody else can write ([`DiskTrustError`]; the crate README states the
//! trust model). Keyed by the code checksum within one [`CompileConfig`];
//! the disk folder is also keyed by [`CompileConfig::key`], so artifacts
//! compiled under other prices, limits, Wasmer versions or CPUs are never
//! loaded.
//!
//! Every module is first compiled with Singlepass (linear compile time, as
//! a chain does). With [`TierUp`], a module looked up often enough is
//! recompiled with Cranelift on a background thread and replaces the
//! Singlepass one in every tier (faster code, same gas and results); the
//! disk keeps both, each under its own [`CompileConfig::key_for`] folder.

mod disk;
mod key;
mod tier_up;
mod trust;

use std::collections::BTreeMap;
use std::num::NonZeroUsize;
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use clru::{CLruCache, CLruCacheConfig, WeightScale};
use cw_gas::CostTable;
use wasmer::Module;
use wasmer::sys::NativeEngineExt;

use crate::compile::{Checksum, CompileConfig, CompiledModule, Compiler, compile_known};
use crate::error::RuntimeError;
use disk::{DiskCache, DiskLoad};
use key::ArtifactKey;
pub use tier_up::TierUp;
use tier_up::TierUpState;
pub use trust::DiskTrustError;

/// Where a module came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CacheTier {
    /// The pinned set.
    Pinned,
    /// The in-memory LRU.
    Memory,
    /// A verified artifact from disk.
    Disk,
    /// Compiled now (a miss everywhere).
    Compiled,
}

/// Counters and sizes of a [`ModuleCache`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CacheMetrics {
    /// Lookups served by the pinned set.
    pub hits_pinned: u64,
    /// Lookups served by the memory LRU.
    pub hits_memory: u64,
    /// Lookups served from disk.
    pub hits_disk: u64,
    /// Lookups that compiled.
    pub misses: u64,
    /// Disk artifacts that failed verification or loading, deleted and recompiled.
    pub disk_artifacts_discarded: u64,
    /// Why the last discarded artifact was discarded, with its checksum.
    pub last_discard: Option<String>,
    /// Modules in the memory LRU.
    pub memory_entries: usize,
    /// Their total size in bytes.
    pub memory_bytes: usize,
    /// Pinned modules.
    pub pinned_entries: usize,
    /// Their total size in bytes.
    pub pinned_bytes: usize,
    /// Total time spent compiling.
    pub compile_time: Duration,
    /// Total time spent loading from disk (read, verify, deserialize).
    pub disk_load_time: Duration,
    /// Modules recompiled with Cranelift by [`TierUp`].
    pub optimized: u64,
    /// Lookups (pinned or memory) served with such a Cranelift module.
    pub optimized_hits: u64,
    /// Tier-up compiles that failed or that Cranelift refused (code it
    /// cannot run exactly as Singlepass does); the Singlepass module stays
    /// in use.
    pub optimize_failures: u64,
    /// Why the last tier-up compile failed, with its checksum.
    pub last_optimize_failure: Option<String>,
    /// Total time spent in tier-up compiles (on the background thread).
    pub optimize_time: Duration,
}

struct ByArtifactSize;

impl WeightScale<Checksum, CompiledModule> for ByArtifactSize {
    fn weight(&self, _: &Checksum, module: &CompiledModule) -> usize {
        module.size_bytes
    }
}

struct State {
    memory: CLruCache<
        Checksum,
        CompiledModule,
        std::collections::hash_map::RandomState,
        ByArtifactSize,
    >,
    pinned: BTreeMap<Checksum, CompiledModule>,
    metrics: CacheMetrics,
}

impl State {
    /// Puts `module` wherever its checksum lives now (pinned or memory), or
    /// into memory if it lives nowhere.
    fn replace(&mut self, module: CompiledModule) {
        match self.pinned.get_mut(&module.checksum) {
            Some(pinned) => *pinned = module,
            // A module larger than the whole LRU is simply not kept.
            None => drop(self.memory.put_with_weight(module.checksum, module)),
        }
    }
}

/// The state a cache shares with its tier-up thread.
pub(crate) struct Shared {
    state: Mutex<State>,
    tier_up: TierUpState,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock cannot leave the maps half-updated
        // (each update is one call), so a poisoned lock is still consistent.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// A thread-safe module cache; see the module docs.
pub struct ModuleCache<T: CostTable> {
    config: CompileConfig<T>,
    disk: Option<Arc<DiskCache>>,
    /// The Cranelift artifacts on disk (with a disk folder and [`TierUp`]).
    optimized_disk: Option<Arc<DiskCache>>,
    shared: Arc<Shared>,
}

impl<T: CostTable> ModuleCache<T> {
    /// A cache compiling with `config`, keeping at most `memory_limit_bytes` of
    /// modules in memory (pinned modules do not count), and, with `disk_dir`,
    /// artifacts on disk.
    ///
    /// With `disk_dir`, the folder (made mode 0700 if missing) must belong
    /// to this process's user (or root) and must not be writable by group
    /// or others; artifacts are authenticated with the user's artifact key,
    /// `$XDG_CACHE_HOME/cw-runtime/artifact.key` (else
    /// `$HOME/.cache/cw-runtime/artifact.key`), made mode 0600 if missing.
    /// The crate README's cache section states the trust model.
    ///
    /// # Errors
    /// [`RuntimeError::Io`] if a folder cannot be made or read; carrying a
    /// [`DiskTrustError`] (see [`DiskTrustError::find`]) if a folder or the
    /// key is not trusted.
    pub fn new(
        config: CompileConfig<T>,
        memory_limit_bytes: usize,
        disk_dir: Option<&Path>,
    ) -> Result<Self, RuntimeError> {
        let disk = match disk_dir {
            Some(dir) => Some(Arc::new(DiskCache::new(
                dir,
                &config.key(),
                ArtifactKey::for_user()?,
            )?)),
            None => None,
        };
        let capacity = NonZeroUsize::new(memory_limit_bytes.max(1)).unwrap_or(NonZeroUsize::MIN);
        let memory =
            CLruCache::with_config(CLruCacheConfig::new(capacity).with_scale(ByArtifactSize));
        Ok(Self {
            config,
            disk,
            optimized_disk: None,
            shared: Arc::new(Shared {
                state: Mutex::new(State {
                    memory,
                    pinned: BTreeMap::new(),
                    metrics: CacheMetrics::default(),
                }),
                tier_up: TierUpState::default(),
            }),
        })
    }

    /// This cache, recompiling modules with Cranelift as `tier_up` says.
    /// With a disk folder, Cranelift artifacts are kept there too (in the
    /// `<key>-cranelift` folder) and preferred when loading.
    ///
    /// # Errors
    /// [`RuntimeError::Io`] if the Cranelift artifact folder cannot be made
    /// or is not trusted (as in [`new`](Self::new)).
    pub fn with_tier_up(mut self, tier_up: TierUp) -> Result<Self, RuntimeError> {
        if let Some(disk) = &self.disk {
            let base = disk.base();
            let folder = self.config.key_for(Compiler::Cranelift);
            self.optimized_disk =
                Some(Arc::new(DiskCache::new(base, &folder, disk.key().clone())?));
        }
        self.shared.tier_up.enable(tier_up);
        Ok(self)
    }

    /// Whether this cache recompiles hot modules with Cranelift
    /// ([`with_tier_up`](Self::with_tier_up)).
    #[must_use]
    pub fn tiers_up(&self) -> bool {
        self.shared.tier_up.enabled()
    }

    /// Blocks until no tier-up compile is queued or running. Lookups made
    /// afterwards return the Cranelift module of every module whose tier-up
    /// succeeded.
    pub fn wait_for_optimizations(&self) {
        self.shared.tier_up.wait_idle();
    }

    /// The compile configuration.
    pub fn config(&self) -> &CompileConfig<T> {
        &self.config
    }

    /// The module for `wasm`, from the fastest tier that has it, compiling
    /// (and storing to every tier) on a miss. Hashes `wasm`; a caller that
    /// already knows the checksum (a chain stores it with the code) should
    /// try [`get_by_checksum`](Self::get_by_checksum) first.
    pub fn get(&self, wasm: &[u8]) -> Result<(CompiledModule, CacheTier), RuntimeError> {
        self.get_known(Checksum::of(wasm), wasm)
    }

    /// [`get`](Self::get) for a caller that knows `checksum` is the sha256
    /// of `wasm` (a chain stores it with the code), without hashing the
    /// code again. A wrong checksum files the module under it: only pass
    /// one computed from these bytes.
    pub fn get_known(
        &self,
        checksum: Checksum,
        wasm: &[u8],
    ) -> Result<(CompiledModule, CacheTier), RuntimeError> {
        if let Some(hit) = self.lookup(&checksum)? {
            self.note_use(&hit.0, Some(wasm));
            return Ok(hit);
        }
        let started = Instant::now();
        let (module, _info, artifact) =
            compile_known(wasm, checksum, &self.config, Compiler::Singlepass)?;
        if let Some(disk) = &self.disk {
            disk.store(&checksum, &artifact)?;
        }
        let mut state = self.lock();
        state.metrics.misses = state.metrics.misses.saturating_add(1);
        state.metrics.compile_time = state.metrics.compile_time.saturating_add(started.elapsed());
        drop(state);
        self.remember(module.clone());
        self.note_use(&module, Some(wasm));
        Ok((module, CacheTier::Compiled))
    }

    /// The module with this code checksum if a tier has it (pinned, memory,
    /// then a verified disk artifact, which is then kept in memory), without
    /// the code and without compiling. `None` means: call [`get`](Self::get)
    /// with the code.
    ///
    /// A lookup here counts towards [`TierUp`], but the tier-up compile
    /// needs the code, so it starts at the next [`get`](Self::get).
    pub fn get_by_checksum(
        &self,
        checksum: &Checksum,
    ) -> Result<Option<(CompiledModule, CacheTier)>, RuntimeError> {
        let hit = self.lookup(checksum)?;
        if let Some((module, _)) = &hit {
            self.note_use(module, None);
        }
        Ok(hit)
    }

    fn lookup(
        &self,
        checksum: &Checksum,
    ) -> Result<Option<(CompiledModule, CacheTier)>, RuntimeError> {
        if let Some(hit) = self.lookup_memory(checksum) {
            return Ok(Some(hit));
        }
        if let Some(module) = self.load_disk(checksum)? {
            self.remember(module.clone());
            return Ok(Some((module, CacheTier::Disk)));
        }
        Ok(None)
    }

    /// Counts a use of `module` and, once [`TierUp`] says so and the code is
    /// at hand, queues its Cranelift compile.
    fn note_use(&self, module: &CompiledModule, wasm: Option<&[u8]>) {
        if module.compiler != Compiler::Singlepass {
            return;
        }
        let Some(wasm) = self.shared.tier_up.count(module.checksum, wasm) else {
            return;
        };
        tier_up::queue(
            &self.shared,
            tier_up::Job {
                checksum: module.checksum,
                wasm,
                config: self.config.clone(),
                disk: self.optimized_disk.clone(),
            },
        );
    }

    /// Keeps the module for `wasm` in memory for good (compiling or loading it
    /// if needed); it is never evicted until [`unpin`](Self::unpin).
    pub fn pin(&self, wasm: &[u8]) -> Result<(), RuntimeError> {
        let (module, _) = self.get(wasm)?;
        let mut state = self.lock();
        state.memory.pop(&module.checksum);
        state.pinned.insert(module.checksum, module);
        Ok(())
    }

    /// Moves a pinned module back to the memory LRU. Returns whether it was pinned.
    pub fn unpin(&self, checksum: &Checksum) -> bool {
        let mut state = self.lock();
        match state.pinned.remove(checksum) {
            Some(module) => {
                let _ = state.memory.put_with_weight(module.checksum, module);
                true
            }
            None => false,
        }
    }

    /// A snapshot of the counters and sizes.
    pub fn metrics(&self) -> CacheMetrics {
        let state = self.lock();
        let mut metrics = state.metrics.clone();
        metrics.memory_entries = state.memory.len();
        metrics.memory_bytes = state.memory.weight();
        metrics.pinned_entries = state.pinned.len();
        metrics.pinned_bytes = state
            .pinned
            .values()
            .fold(0usize, |sum, m| sum.saturating_add(m.size_bytes));
        metrics
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.shared.lock()
    }

    fn lookup_memory(&self, checksum: &Checksum) -> Option<(CompiledModule, CacheTier)> {
        let mut state = self.lock();
        if let Some(module) = state.pinned.get(checksum).cloned() {
            state.metrics.hits_pinned = state.metrics.hits_pinned.saturating_add(1);
            if module.compiler != Compiler::Singlepass {
                state.metrics.optimized_hits = state.metrics.optimized_hits.saturating_add(1);
            }
            return Some((module, CacheTier::Pinned));
        }
        let module = state.memory.get(checksum).cloned()?;
        state.metrics.hits_memory = state.metrics.hits_memory.saturating_add(1);
        if module.compiler != Compiler::Singlepass {
            state.metrics.optimized_hits = state.metrics.optimized_hits.saturating_add(1);
        }
        Some((module, CacheTier::Memory))
    }

    /// Keeps `module` in memory unless it is pinned or a tier-up module
    /// already replaced it (a lookup racing the tier-up thread).
    fn remember(&self, module: CompiledModule) {
        let mut state = self.lock();
        let optimized = state
            .memory
            .peek(&module.checksum)
            .is_some_and(|kept| kept.compiler != Compiler::Singlepass);
        if !state.pinned.contains_key(&module.checksum) && !optimized {
            // A module larger than the whole LRU is simply not kept.
            let _ = state.memory.put_with_weight(module.checksum, module);
        }
    }

    fn record_discard(&self, checksum: &Checksum, reason: &str) {
        let mut state = self.lock();
        state.metrics.disk_artifacts_discarded =
            state.metrics.disk_artifacts_discarded.saturating_add(1);
        state.metrics.last_discard = Some(format!("{checksum}: {reason}"));
    }

    /// The Cranelift artifact if tier-up keeps them on disk, else the
    /// Singlepass one.
    fn load_disk(&self, checksum: &Checksum) -> Result<Option<CompiledModule>, RuntimeError> {
        if let Some(disk) = &self.optimized_disk
            && let Some(module) = self.load_from(disk, checksum, Compiler::Cranelift)?
        {
            return Ok(Some(module));
        }
        match &self.disk {
            Some(disk) => self.load_from(disk, checksum, Compiler::Singlepass),
            None => Ok(None),
        }
    }

    fn load_from(
        &self,
        disk: &DiskCache,
        checksum: &Checksum,
        compiler: Compiler,
    ) -> Result<Option<CompiledModule>, RuntimeError> {
        let started = Instant::now();
        let artifact = match disk.load(checksum)? {
            DiskLoad::Missing => return Ok(None),
            DiskLoad::Corrupt { reason } => {
                self.record_discard(checksum, reason);
                return Ok(None);
            }
            DiskLoad::Verified(artifact) => artifact,
        };
        let engine = wasmer::Engine::headless();
        // SAFETY: `artifact` is byte for byte what `Module::serialize` produced
        // in this cache's configuration (same format version, Wasmer version,
        // target and prices: the folder is keyed by all of them): its
        // HMAC-SHA256 under the user's artifact key, over this configuration
        // key, this checksum and these bytes, matched the one written with
        // it, and only a holder of that key (this user on this host) can
        // make one that matches, in a folder only this user can write. Wasmer
        // requires exactly that of `deserialize`.
        let loaded = unsafe { Module::deserialize(&engine, artifact.as_slice()) };
        let module = match loaded {
            Ok(module) => module,
            Err(_) => {
                disk.discard(checksum)?;
                self.record_discard(checksum, "Wasmer could not load the artifact");
                return Ok(None);
            }
        };
        let mut state = self.lock();
        state.metrics.hits_disk = state.metrics.hits_disk.saturating_add(1);
        state.metrics.disk_load_time = state
            .metrics
            .disk_load_time
            .saturating_add(started.elapsed());
        Ok(Some(CompiledModule {
            module,
            engine,
            checksum: *checksum,
            size_bytes: artifact.len(),
            compiler,
        }))
    }
}
