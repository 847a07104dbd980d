//! The module cache: an in-memory LRU bounded in bytes, a pinned set that is
//! never evicted, and an optional verified on-disk artifact cache. Keyed by
//! the code checksum within one [`CompileConfig`]; the disk folder is also
//! keyed by [`CompileConfig::key`], so artifacts compiled under other prices,
//! limits, Wasmer versions or CPUs are never loaded.

mod disk;

use std::collections::BTreeMap;
use std::num::NonZeroUsize;
use std::path::Path;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use clru::{CLruCache, CLruCacheConfig, WeightScale};
use cw_gas::CostTable;
use wasmer::Module;
use wasmer::sys::NativeEngineExt;

use crate::compile::{Checksum, CompileConfig, CompiledModule, compile};
use crate::error::RuntimeError;
use disk::{DiskCache, DiskLoad};

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

/// A thread-safe module cache; see the module docs.
pub struct ModuleCache<T: CostTable + Clone> {
    config: CompileConfig<T>,
    disk: Option<DiskCache>,
    state: Mutex<State>,
}

impl<T: CostTable + Clone> ModuleCache<T> {
    /// A cache compiling with `config`, keeping at most `memory_limit_bytes` of
    /// modules in memory (pinned modules do not count), and, with `disk_dir`,
    /// artifacts on disk.
    pub fn new(
        config: CompileConfig<T>,
        memory_limit_bytes: usize,
        disk_dir: Option<&Path>,
    ) -> Result<Self, RuntimeError> {
        let disk = disk_dir
            .map(|dir| DiskCache::new(dir, &config.key()))
            .transpose()?;
        let capacity = NonZeroUsize::new(memory_limit_bytes.max(1)).unwrap_or(NonZeroUsize::MIN);
        let memory =
            CLruCache::with_config(CLruCacheConfig::new(capacity).with_scale(ByArtifactSize));
        Ok(Self {
            config,
            disk,
            state: Mutex::new(State {
                memory,
                pinned: BTreeMap::new(),
                metrics: CacheMetrics::default(),
            }),
        })
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
        let checksum = Checksum::of(wasm);
        if let Some(hit) = self.get_by_checksum(&checksum)? {
            return Ok(hit);
        }
        let started = Instant::now();
        let (module, _info, artifact) = compile(wasm, &self.config)?;
        if let Some(disk) = &self.disk {
            disk.store(&checksum, &artifact)?;
        }
        let mut state = self.lock();
        state.metrics.misses += 1;
        state.metrics.compile_time += started.elapsed();
        drop(state);
        self.remember(module.clone());
        Ok((module, CacheTier::Compiled))
    }

    /// The module with this code checksum if a tier has it (pinned, memory,
    /// then a verified disk artifact, which is then kept in memory), without
    /// the code and without compiling. `None` means: call [`get`](Self::get)
    /// with the code.
    pub fn get_by_checksum(
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
        metrics.pinned_bytes = state.pinned.values().map(|m| m.size_bytes).sum();
        metrics
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // A panic while holding the lock cannot leave the maps half-updated
        // (each update is one call), so a poisoned lock is still consistent.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn lookup_memory(&self, checksum: &Checksum) -> Option<(CompiledModule, CacheTier)> {
        let mut state = self.lock();
        if let Some(module) = state.pinned.get(checksum).cloned() {
            state.metrics.hits_pinned += 1;
            return Some((module, CacheTier::Pinned));
        }
        let module = state.memory.get(checksum).cloned()?;
        state.metrics.hits_memory += 1;
        Some((module, CacheTier::Memory))
    }

    fn remember(&self, module: CompiledModule) {
        let mut state = self.lock();
        if !state.pinned.contains_key(&module.checksum) {
            // A module larger than the whole LRU is simply not kept.
            let _ = state.memory.put_with_weight(module.checksum, module);
        }
    }

    fn record_discard(&self, checksum: &Checksum, reason: &str) {
        let mut state = self.lock();
        state.metrics.disk_artifacts_discarded += 1;
        state.metrics.last_discard = Some(format!("{checksum}: {reason}"));
    }

    fn load_disk(&self, checksum: &Checksum) -> Result<Option<CompiledModule>, RuntimeError> {
        let Some(disk) = &self.disk else {
            return Ok(None);
        };
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
        // target and prices: the folder is keyed by all of them), verified
        // against the sha256 recorded when it was written. Wasmer requires
        // exactly that of `deserialize`.
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
        state.metrics.hits_disk += 1;
        state.metrics.disk_load_time += started.elapsed();
        Ok(Some(CompiledModule {
            module,
            engine,
            checksum: *checksum,
            size_bytes: artifact.len(),
        }))
    }
}
