//! Moving bytes across the guest boundary with the gas cosmwasm-vm charges
//! for it, and the [`GuestAllocator`] seam.
//!
//! Charge points mirror cosmwasm-vm 3.0.11 `src/memory.rs`: a read loads and
//! checks the region, charges `read_region_cost(length)`, then enforces the
//! argument's limit, then copies (so an over-limit argument pays for its
//! length before it is refused); a write loads the region, charges
//! `write_region_cost(data length)`, then checks the capacity and copies.

use cw_gas::{CostTable, CwGas, GasCategory, GasError, GasQuantity, GasUnit, NearGas};
use cw_region::{GuestMemory, GuestRegion, RegionError};

use crate::context::HostContext;
use crate::error::HostError;

/// Allocates regions in the contract, for results whose size only the host
/// knows (`db_read` values, iterator records, error messages).
///
/// The Wasm bridge implements this by calling the contract's `allocate`
/// export; test code uses `testing::BumpAllocator` (feature `testing`).
pub trait GuestAllocator {
    /// Returns the guest address of a fresh, empty [`Region`](cw_region::Region)
    /// of capacity `size`.
    ///
    /// Allocating runs guest code, which spends operator gas: `gas_left` is
    /// what the guest may spend (in the meter's unit) on the way in, and what
    /// is left on the way out, also when allocation fails. An allocator that
    /// runs no guest code leaves it unchanged.
    ///
    /// # Errors
    /// [`HostError::AllocatorOutOfGas`] if the guest code ran out of gas
    /// (set `gas_left` to 0); [`HostError::Allocation`] (or the failure of
    /// an import the allocator called) if it failed otherwise.
    fn allocate(&mut self, size: u32, gas_left: &mut u64) -> Result<u32, HostError>;

    /// [`allocate`](Self::allocate), with the context of the import that
    /// allocates lent to the guest code the allocation runs: the contract's
    /// `allocate` may call imports, which must run against that same
    /// context (its meter, its iterators). The imports call this; the
    /// default ignores `lent` and calls [`allocate`](Self::allocate). An
    /// engine whose imports cannot otherwise reach the running import's
    /// context without aliasing it (cw-wasmi) overrides it.
    ///
    /// # Errors
    /// As [`allocate`](Self::allocate).
    fn allocate_lent(
        &mut self,
        lent: LentContext<'_>,
        size: u32,
        gas_left: &mut u64,
    ) -> Result<u32, HostError> {
        let _ = lent;
        self.allocate(size, gas_left)
    }
}

/// The [`HostContext`] of an import, lent to the guest code its result's
/// allocation runs (see [`GuestAllocator::allocate_lent`]), with its cost
/// table's type erased so the allocator trait stays object safe.
///
/// The context stays exclusively borrowed for `'a`; [`Self::as_ptr`] gives
/// it back, as a raw pointer, to the engine that knows the table's type.
#[derive(Debug)]
pub struct LentContext<'a> {
    context: core::ptr::NonNull<()>,
    table: core::any::TypeId,
    _lent: core::marker::PhantomData<&'a mut ()>,
}

impl<'a> LentContext<'a> {
    /// Lends `context` for `'a`.
    pub fn new<T: CostTable>(context: &'a mut HostContext<'_, T>) -> Self {
        Self {
            context: core::ptr::NonNull::from(context).cast(),
            table: core::any::TypeId::of::<T>(),
            _lent: core::marker::PhantomData,
        }
    }

    /// The lent context, if its cost table is `T`. The pointer is valid,
    /// and the context used by nothing else, while `self` is alive; the
    /// `'static` in its type stands for the context's own lifetime, which
    /// outlives `self` (never keep a reference made from it).
    pub fn as_ptr<T: CostTable>(&self) -> Option<*mut HostContext<'static, T>> {
        (self.table == core::any::TypeId::of::<T>())
            .then(|| self.context.as_ptr().cast::<HostContext<'static, T>>())
    }
}

/// A CosmWasm-gas price in the meter's unit (exact: NEAR gas is 1,000 per
/// CosmWasm gas); a price that does not fit is a price overflow, which the
/// meter treats as unpayable.
pub(crate) fn to_native<G: GasQuantity>(
    price: CwGas,
    operation: &'static str,
) -> Result<G, GasError> {
    match G::UNIT {
        GasUnit::CosmWasm => Ok(G::from_u64(price.as_u64())),
        GasUnit::Near => price
            .to_near_gas()
            .map(|near| G::from_u64(near.as_u64()))
            .map_err(|_| GasError::PriceOverflow {
                operation,
                items: price.as_u64(),
            }),
    }
}

/// An amount in the meter's unit as CosmWasm gas, rounded down (for limits).
pub(crate) fn to_cw_floor<G: GasQuantity>(amount: G) -> CwGas {
    match G::UNIT {
        GasUnit::CosmWasm => CwGas::new(amount.to_u64()),
        GasUnit::Near => NearGas::new(amount.to_u64()).to_cw_gas_floor(),
    }
}

/// Widens a region length for error fields.
fn len_u64(len: usize) -> u64 {
    u64::try_from(len).unwrap_or(u64::MAX)
}

impl<T: CostTable> HostContext<'_, T> {
    /// Charges the schedule's flat host-call price (every import's first
    /// step, cosmwasm-vm's `charge_host_call_gas`).
    pub(crate) fn charge_host_call(&mut self) -> Result<(), HostError> {
        Ok(self.gas.charge_host_call()?)
    }

    /// Charges a CosmWasm-gas price that cw-gas's table does not have.
    pub(crate) fn charge_cw(
        &mut self,
        category: GasCategory,
        price: CwGas,
        operation: &'static str,
    ) -> Result<(), HostError> {
        let price = to_native::<T::Gas>(price, operation);
        Ok(self.gas.charge_price(category, price)?)
    }

    /// Reads the argument region at `ptr`: load, charge the copy, check
    /// `limit` (naming `what` if exceeded), copy.
    pub(crate) fn read_arg(
        &mut self,
        memory: &dyn GuestMemory,
        ptr: u32,
        limit: usize,
        what: &'static str,
    ) -> Result<Vec<u8>, HostError> {
        let region = GuestRegion::load(memory, ptr)?;
        self.gas
            .charge_region_read(u64::from(region.region().length))?;
        region.read(memory, limit).map_err(|e| match e {
            RegionError::LengthExceedsLimit {
                length,
                limit_bytes,
            } => HostError::TooLarge {
                what,
                length: u64::from(length),
                limit: len_u64(limit_bytes),
            },
            other => other.into(),
        })
    }

    /// Like [`Self::read_arg`], but the null pointer is "no value" and costs
    /// nothing (cosmwasm-vm's `maybe_read_region`, used for scan bounds).
    pub(crate) fn read_optional_arg(
        &mut self,
        memory: &dyn GuestMemory,
        ptr: u32,
        limit: usize,
        what: &'static str,
    ) -> Result<Option<Vec<u8>>, HostError> {
        if ptr == 0 {
            return Ok(None);
        }
        self.read_arg(memory, ptr, limit, what).map(Some)
    }

    /// Writes `data` into the contract-allocated region at `ptr`: load,
    /// charge the copy, check the capacity, copy.
    pub(crate) fn write_into(
        &mut self,
        memory: &dyn GuestMemory,
        ptr: u32,
        data: &[u8],
    ) -> Result<(), HostError> {
        let mut region = GuestRegion::load(memory, ptr)?;
        self.gas.charge_region_write(len_u64(data.len()))?;
        region.write(memory, data)?;
        Ok(())
    }

    /// Allocates a region of exactly `data.len()` bytes in the contract,
    /// writes `data` into it and returns its address (cosmwasm-vm's
    /// `write_to_contract`).
    pub(crate) fn write_to_contract(
        &mut self,
        memory: &dyn GuestMemory,
        allocator: &mut dyn GuestAllocator,
        data: &[u8],
    ) -> Result<u32, HostError> {
        let size = u32::try_from(data.len()).map_err(|_| HostError::TooLarge {
            what: "result",
            length: len_u64(data.len()),
            limit: u64::from(u32::MAX),
        })?;
        let mut gas_left = self.gas.wasm_points().to_u64();
        let allocated = allocator.allocate_lent(LentContext::new(self), size, &mut gas_left);
        if let Err(HostError::AllocatorOutOfGas { .. }) = allocated {
            // The guest's `allocate` ran out of gas: that is the failure,
            // not the allocation. Only that: an `allocate` refused for
            // another reason with exactly no gas left (the call depth, an
            // import's failure) fails for that reason, as in cosmwasm-vm.
            return Err(HostError::Gas(self.gas.record_wasm_exhausted()));
        }
        self.gas.record_wasm_remaining(T::Gas::from_u64(gas_left));
        let ptr = allocated?;
        if ptr == 0 {
            return Err(HostError::ZeroAddress { size });
        }
        self.write_into(memory, ptr, data)?;
        Ok(ptr)
    }
}
