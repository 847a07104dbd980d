//! Instances kept between calls and reset before each reuse, so a call pays
//! a reset instead of an instantiation.

use std::any::Any;
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::marker::PhantomData;
use std::ops::{Deref, DerefMut};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError, Weak};

use cw_gas::CostTable;
use wasmer::EngineId;

use super::{ContractInstance, InstanceOptions};
use crate::compile::{Checksum, CompiledModule};
use crate::error::RuntimeError;

/// How many idle instances an [`InstancePool`] keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolLimits {
    /// Idle instances kept per compiled module on each thread: as many as
    /// calls of one contract run at once there (a contract calling itself).
    pub per_module: usize,
    /// Idle instances kept in all on each thread. Each holds the memory its last call
    /// touched, up to [`RETAINED_GROWN_BYTES`] above its initial size.
    pub total: usize,
}

impl Default for PoolLimits {
    fn default() -> Self {
        Self {
            per_module: 4,
            total: 64,
        }
    }
}

/// How much of the memory a call grew a reset instance keeps mapped
/// (zeroed) for the next call; the rest goes back to the system.
pub const RETAINED_GROWN_BYTES: usize = super::memory::RETAINED_GROWN_BYTES;

/// What an [`InstancePool`] has done since it was made.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PoolMetrics {
    /// Checkouts served by resetting an idle instance.
    pub reused: u64,
    /// Checkouts that instantiated (nothing idle for the module).
    pub created: u64,
    /// Idle instances whose reset failed; each was dropped and the checkout
    /// instantiated instead.
    pub reset_failures: u64,
    /// Instances dropped on return because their module already had
    /// `per_module` idle instances, or no other module had one to evict.
    pub dropped_full: u64,
    /// Idle instances dropped to make room, under the `total` limit, for
    /// one returned more recently: the least recently used go first (such
    /// as those of a module replaced by its tiered-up or recompiled build).
    pub evicted: u64,
    /// Instances idle now on the calling thread.
    pub idle_on_this_thread: usize,
}

/// Which pool and compiled module an idle instance belongs to: the pool,
/// the module's code, and the engine it was compiled with (one per compile:
/// settings and the stack limiter's analysis are part of it), so an
/// instance only serves its own module.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
struct SlotKey {
    pool: u64,
    checksum: Checksum,
    engine: EngineId,
}

/// The idle instances of one module in one pool, on one thread.
struct Slot {
    /// Dead once the pool is dropped: the slot is then purged.
    pool_alive: Weak<()>,
    /// A `Vec<ContractInstance<T>>` for the pool's `T`.
    instances: Box<dyn Any>,
    count: usize,
    /// When an instance was last taken from or returned to this slot, in
    /// [`TICK`]s.
    last_used: u64,
}

thread_local! {
    /// Idle instances live on the thread that last ran them: a Wasmer store
    /// may not move between threads.
    static IDLE: RefCell<HashMap<SlotKey, Slot>> = RefCell::new(HashMap::new());
    /// This thread's clock for least-recently-used eviction.
    static TICK: Cell<u64> = const { Cell::new(0) };
}

fn tick() -> u64 {
    TICK.with(|tick| {
        let now = tick.get().wrapping_add(1);
        tick.set(now);
        now
    })
}

static NEXT_POOL_ID: AtomicU64 = AtomicU64::new(0);

/// Instances of compiled modules, reset and handed out again: a call on a
/// checked-out instance gives the same results, state and gas as on a new
/// instance (see [`ContractInstance::reset`]), for far less work.
///
/// Thread-safe. Idle instances stay on the thread that returned them
/// (Wasmer stores cannot move between threads), so the limits apply per
/// thread; each checkout is exclusive.
pub struct InstancePool<T: CostTable> {
    id: u64,
    alive: Arc<()>,
    options: InstanceOptions,
    limits: PoolLimits,
    metrics: Mutex<PoolMetrics>,
    _instances: PhantomData<fn() -> T>,
}

impl<T: CostTable> InstancePool<T> {
    /// An empty pool making instances with `options`.
    #[must_use]
    pub fn new(options: InstanceOptions, limits: PoolLimits) -> Self {
        Self {
            id: NEXT_POOL_ID.fetch_add(1, Ordering::Relaxed),
            alive: Arc::new(()),
            options,
            limits,
            metrics: Mutex::new(PoolMetrics::default()),
            _instances: PhantomData,
        }
    }

    /// The options every instance is made with.
    #[must_use]
    pub fn options(&self) -> &InstanceOptions {
        &self.options
    }

    /// An instance of `module` in its instantiated state: an idle one
    /// reset, or a new one. It returns to the pool when dropped.
    ///
    /// # Errors
    /// [`RuntimeError::Instantiate`] when a new instance is needed and
    /// cannot be made (see [`ContractInstance::new`]).
    pub fn checkout(&self, module: &CompiledModule) -> Result<PooledInstance<'_, T>, RuntimeError> {
        let key = SlotKey {
            pool: self.id,
            checksum: module.checksum,
            engine: module.engine.id(),
        };
        while let Some(mut instance) = self.take_idle(&key) {
            if instance.reset().is_ok() {
                self.record(|metrics| metrics.reused += 1);
                return Ok(self.lend(key, instance));
            }
            self.record(|metrics| metrics.reset_failures += 1);
        }
        let instance = ContractInstance::new(module, &self.options)?;
        self.record(|metrics| metrics.created += 1);
        Ok(self.lend(key, instance))
    }

    /// Drops every instance idle on the calling thread.
    pub fn clear_this_thread(&self) {
        let removed = IDLE.with_borrow_mut(|idle| {
            let keys: Vec<SlotKey> = idle
                .keys()
                .filter(|key| key.pool == self.id)
                .copied()
                .collect();
            keys.iter()
                .filter_map(|key| idle.remove(key))
                .collect::<Vec<Slot>>()
        });
        drop(removed);
    }

    /// Counters since the pool was made, and the idle count on this thread.
    #[must_use]
    pub fn metrics(&self) -> PoolMetrics {
        PoolMetrics {
            idle_on_this_thread: self.idle_on_this_thread(),
            ..*self.metrics.lock().unwrap_or_else(PoisonError::into_inner)
        }
    }

    fn idle_on_this_thread(&self) -> usize {
        IDLE.with_borrow(|idle| {
            idle.iter()
                .filter(|(key, _)| key.pool == self.id)
                .map(|(_, slot)| slot.count)
                .sum()
        })
    }

    fn record(&self, update: impl FnOnce(&mut PoolMetrics)) {
        update(&mut self.metrics.lock().unwrap_or_else(PoisonError::into_inner));
    }

    fn take_idle(&self, key: &SlotKey) -> Option<ContractInstance<T>> {
        IDLE.with_borrow_mut(|idle| {
            let slot = idle.get_mut(key)?;
            slot.last_used = tick();
            let instance = slot
                .instances
                .downcast_mut::<Vec<ContractInstance<T>>>()?
                .pop()?;
            slot.count -= 1;
            Some(instance)
        })
    }

    fn lend(&self, key: SlotKey, instance: ContractInstance<T>) -> PooledInstance<'_, T> {
        PooledInstance {
            pool: self,
            key,
            instance: Some(instance),
        }
    }

    fn give_back(&self, key: SlotKey, instance: ContractInstance<T>) {
        let total = self.idle_on_this_thread();
        let (refused, evicted) = IDLE.with_borrow_mut(|idle| {
            if !idle.contains_key(&key) {
                // A new slot: first purge the slots of pools dropped since.
                idle.retain(|_, slot| slot.pool_alive.strong_count() > 0);
            }
            if idle.get(&key).map_or(0, |slot| slot.count) >= self.limits.per_module {
                return (Some(instance), None);
            }
            let evicted = if total >= self.limits.total {
                match self.evict_least_recent(idle, &key) {
                    Some(evicted) => Some(evicted),
                    None => return (Some(instance), None),
                }
            } else {
                None
            };
            let slot = idle.entry(key).or_insert_with(|| Slot {
                pool_alive: Arc::downgrade(&self.alive),
                instances: Box::new(Vec::<ContractInstance<T>>::new()),
                count: 0,
                last_used: 0,
            });
            slot.last_used = tick();
            match slot.instances.downcast_mut::<Vec<ContractInstance<T>>>() {
                Some(kept) => {
                    kept.push(instance);
                    slot.count += 1;
                    (None, evicted)
                }
                None => (Some(instance), evicted),
            }
        });
        if refused.is_some() {
            self.record(|metrics| metrics.dropped_full += 1);
        }
        if evicted.is_some() {
            self.record(|metrics| metrics.evicted += 1);
        }
        // Unmapping happens outside the thread's pool borrow.
        drop((refused, evicted));
    }

    /// Takes one instance out of this pool's least recently used slot on
    /// this thread other than `keep`'s, removing the slot once empty.
    fn evict_least_recent(
        &self,
        idle: &mut HashMap<SlotKey, Slot>,
        keep: &SlotKey,
    ) -> Option<ContractInstance<T>> {
        let victim = idle
            .iter()
            .filter(|(key, slot)| key.pool == self.id && *key != keep && slot.count > 0)
            .min_by_key(|(_, slot)| slot.last_used)
            .map(|(key, _)| *key)?;
        let slot = idle.get_mut(&victim)?;
        let instance = slot
            .instances
            .downcast_mut::<Vec<ContractInstance<T>>>()?
            .pop()?;
        slot.count -= 1;
        if slot.count == 0 {
            idle.remove(&victim);
        }
        Some(instance)
    }
}

impl<T: CostTable> Drop for InstancePool<T> {
    fn drop(&mut self) {
        // This thread's idle instances go now; other threads' when they
        // next add a slot, or exit.
        let id = self.id;
        let removed = IDLE.try_with(|idle| {
            let mut idle = idle.borrow_mut();
            let keys: Vec<SlotKey> = idle.keys().filter(|key| key.pool == id).copied().collect();
            keys.iter()
                .filter_map(|key| idle.remove(key))
                .collect::<Vec<Slot>>()
        });
        drop(removed);
    }
}

impl<T: CostTable> std::fmt::Debug for InstancePool<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InstancePool")
            .field("id", &self.id)
            .field("options", &self.options)
            .field("limits", &self.limits)
            .finish_non_exhaustive()
    }
}

/// An instance checked out of an [`InstancePool`]; dereferences to the
/// [`ContractInstance`] and goes back to the pool when dropped (reset on
/// its next checkout, so even a trapped instance is reused).
pub struct PooledInstance<'a, T: CostTable> {
    pool: &'a InstancePool<T>,
    key: SlotKey,
    instance: Option<ContractInstance<T>>,
}

impl<T: CostTable> Deref for PooledInstance<'_, T> {
    type Target = ContractInstance<T>;

    fn deref(&self) -> &Self::Target {
        match &self.instance {
            Some(instance) => instance,
            None => unreachable!("a pooled instance is only taken out when dropped"),
        }
    }
}

impl<T: CostTable> DerefMut for PooledInstance<'_, T> {
    fn deref_mut(&mut self) -> &mut Self::Target {
        match &mut self.instance {
            Some(instance) => instance,
            None => unreachable!("a pooled instance is only taken out when dropped"),
        }
    }
}

impl<T: CostTable> Drop for PooledInstance<'_, T> {
    fn drop(&mut self) {
        if let Some(instance) = self.instance.take() {
            self.pool.give_back(self.key, instance);
        }
    }
}
