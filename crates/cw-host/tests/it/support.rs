//! The one fixture helper: a harness owning every backend, the meter, the
//! call state and guest memory, handing imports a `HostContext`.

use cw_gas::{CosmWasmSchedule, CostTable, CwGas, GasMeter, GasQuantity};
use cw_host::testing::{BumpAllocator, MockQuerier, MockStorage};
use cw_host::{
    Api, BackendError, Bech32Api, CallState, DebugInfo, EntryPoint, HostContext, KeyRange, Order,
    Record, Storage,
};
use cw_region::testing::VecMemory;
use cw_region::{GuestMemory, read_region};

/// The cosmwasm schedule's prices, for expected-gas arithmetic.
pub(crate) const HOST_CALL: u64 = 18_000;
pub(crate) fn read_cost(bytes: u64) -> u64 {
    200_000 + 115 * bytes
}
pub(crate) fn write_cost(bytes: u64) -> u64 {
    230_000 + 570 * bytes
}
pub(crate) fn string_cost(bytes: u64) -> u64 {
    28_700 + 1_400 * bytes
}

/// Owns everything a call needs.
pub(crate) struct Harness<T: CostTable> {
    pub storage: MockStorage,
    pub api: Box<dyn Api>,
    pub querier: MockQuerier,
    pub gas: GasMeter<T>,
    pub call: CallState,
    pub debug_log: Vec<(String, DebugInfo)>,
    pub memory: VecMemory,
}

impl Harness<CosmWasmSchedule> {
    /// An execute call with free storage and a generous limit.
    pub(crate) fn new() -> Self {
        Self::with_meter(GasMeter::new(
            CosmWasmSchedule::with_free_storage(),
            CwGas::new(1_000_000_000_000),
        ))
    }

    /// A query (read-only) call.
    pub(crate) fn query() -> Self {
        let mut h = Self::new();
        h.call = CallState::for_entry_point(EntryPoint::Query);
        h
    }

    /// An execute call with `limit` gas.
    pub(crate) fn with_limit(limit: u64) -> Self {
        Self::with_meter(GasMeter::new(
            CosmWasmSchedule::with_free_storage(),
            CwGas::new(limit),
        ))
    }
}

impl<T: CostTable> Harness<T> {
    pub(crate) fn with_meter(gas: GasMeter<T>) -> Self {
        Self {
            storage: MockStorage::new(),
            api: Box::new(Bech32Api::default()),
            querier: MockQuerier::new(),
            gas,
            call: CallState::for_entry_point(EntryPoint::Execute),
            debug_log: Vec::new(),
            memory: VecMemory::default(),
        }
    }

    /// Runs `f` with a context over the harness.
    pub(crate) fn with<R>(
        &mut self,
        f: impl FnOnce(&mut HostContext<'_, T>, &VecMemory, &mut BumpAllocator<'_>) -> R,
    ) -> R {
        let Self {
            storage,
            api,
            querier,
            gas,
            call,
            debug_log,
            memory,
        } = self;
        let mut debug = |message: &str, info: DebugInfo| debug_log.push((message.into(), info));
        let mut allocator = BumpAllocator::new(memory);
        let mut ctx = HostContext {
            storage,
            api: &**api,
            querier,
            gas,
            call,
            debug: &mut debug,
        };
        f(&mut ctx, memory, &mut allocator)
    }

    /// Places `data` in a region of exactly its length.
    pub(crate) fn place(&self, data: &[u8]) -> u32 {
        let capacity = u32::try_from(data.len()).unwrap();
        self.memory.place_region(data, capacity).unwrap()
    }

    /// An empty region of `capacity` bytes for the host to write into.
    pub(crate) fn out(&self, capacity: u32) -> u32 {
        self.memory.place_region(&[], capacity).unwrap()
    }

    /// The data of the region at `ptr`.
    pub(crate) fn read(&self, ptr: u32) -> Vec<u8> {
        let memory: &dyn GuestMemory = &self.memory;
        read_region(memory, ptr, usize::MAX).unwrap()
    }

    /// Gas used so far, raw.
    pub(crate) fn used(&self) -> u64 {
        self.gas.used().to_u64()
    }
}

/// A storage whose every operation fails, to test backend faults.
pub(crate) struct BrokenStorage;

impl Storage for BrokenStorage {
    fn get(&self, _key: &[u8]) -> Result<Option<Vec<u8>>, BackendError> {
        Err(BackendError::Unavailable { backend: "storage" })
    }
    fn set(&mut self, _key: &[u8], _value: &[u8]) -> Result<(), BackendError> {
        Err(BackendError::Unavailable { backend: "storage" })
    }
    fn remove(&mut self, _key: &[u8]) -> Result<(), BackendError> {
        Err(BackendError::Unavailable { backend: "storage" })
    }
    fn seek(
        &self,
        _range: KeyRange<'_>,
        _order: Order,
        _after: Option<&[u8]>,
    ) -> Result<Option<Record>, BackendError> {
        Err(BackendError::Unavailable { backend: "storage" })
    }
}
