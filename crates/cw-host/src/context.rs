//! The per-call context every import runs in.
//!
//! Two parts, so that a Wasm bridge can keep owned state in its Wasmer
//! environment and still hand imports plain references: [`CallState`] is
//! owned and lives for the whole contract call (read-only flag, limits,
//! query depth, open iterators); [`HostContext`] is a bundle of borrows built
//! (for free) around it for each import call.

use std::sync::Arc;

use cw_gas::{CostTable, GasAmount, GasMeter, GasQuantity};

use crate::backend::api::Api;
use crate::backend::querier::Querier;
use crate::backend::storage::Storage;
use crate::entry::EntryPoint;
use crate::error::{BackendError, HostError};
use crate::iterators::Iterators;
use crate::limits::HostLimits;

/// What one contract call carries from import to import.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallState {
    read_only: bool,
    limits: HostLimits,
    query_depth: u32,
    pub(crate) iterators: Iterators,
}

impl CallState {
    /// A top-level call (query depth 0) with the chain's limits; `read_only`
    /// refuses every state change.
    #[must_use]
    pub fn new(read_only: bool) -> Self {
        Self {
            read_only,
            limits: HostLimits::default(),
            query_depth: 0,
            iterators: Iterators::default(),
        }
    }

    /// A call of `entry`: read-only exactly when `entry` is
    /// [`EntryPoint::Query`], as in cosmwasm-vm's `call_*_raw`.
    #[must_use]
    pub fn for_entry_point(entry: EntryPoint) -> Self {
        Self::new(entry.is_read_only())
    }

    /// The same state with other limits.
    #[must_use]
    pub fn with_limits(mut self, limits: HostLimits) -> Self {
        self.limits = limits;
        self
    }

    /// The same state for a call made by a query at nesting `depth`.
    #[must_use]
    pub fn with_query_depth(mut self, depth: u32) -> Self {
        self.query_depth = depth;
        self
    }

    /// Whether state changes are refused.
    #[must_use]
    pub fn is_read_only(&self) -> bool {
        self.read_only
    }

    /// The limits in force.
    #[must_use]
    pub fn limits(&self) -> &HostLimits {
        &self.limits
    }

    /// Nesting depth of this call: 0 for a call from the chain, `n` for a
    /// call made by a query of a call at depth `n - 1`.
    #[must_use]
    pub fn query_depth(&self) -> u32 {
        self.query_depth
    }

    /// Number of iterators opened so far in this call.
    #[must_use]
    pub fn iterator_count(&self) -> usize {
        self.iterators.len()
    }
}

/// What the `debug` import hands to the embedder's handler.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct DebugInfo {
    /// Gas left in the call after the import's charges.
    pub gas_remaining: GasAmount,
}

/// Receives the contract's `debug` messages.
pub trait DebugHandler {
    /// Called once per `debug` import with the message (invalid UTF-8
    /// replaced by U+FFFD).
    fn handle(&mut self, message: &str, info: DebugInfo);
}

/// The default handler: each message becomes a `tracing` debug event with
/// target `cw_host::debug`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TracingDebugHandler;

impl DebugHandler for TracingDebugHandler {
    fn handle(&mut self, message: &str, info: DebugInfo) {
        tracing::debug!(
            target: "cw_host::debug",
            gas_remaining = info.gas_remaining.as_u64(),
            "{message}"
        );
    }
}

impl<F: FnMut(&str, DebugInfo)> DebugHandler for F {
    fn handle(&mut self, message: &str, info: DebugInfo) {
        self(message, info);
    }
}

/// Everything an import needs, borrowed for the duration of one import call.
/// Every field is wired at construction: there is nothing to set later.
pub struct HostContext<'a, T: CostTable> {
    /// The contract's store.
    pub storage: &'a mut dyn Storage,
    /// Address conversion.
    pub api: &'a dyn Api,
    /// Chain queries.
    pub querier: &'a dyn Querier,
    /// The call's gas meter; imports charge it before they work.
    pub gas: &'a mut GasMeter<T>,
    /// The call's state (read-only flag, limits, depth, iterators).
    pub call: &'a mut CallState,
    /// Where `debug` messages go.
    pub debug: &'a mut dyn DebugHandler,
}

impl<T: CostTable> core::fmt::Debug for HostContext<'_, T> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("HostContext")
            .field("gas", &self.gas)
            .field("call", &self.call)
            .finish_non_exhaustive()
    }
}

impl<T: CostTable> HostContext<'_, T> {
    /// Wraps a backend failure of `import` with the gas used so far.
    pub(crate) fn backend_error(&self, import: &'static str, source: BackendError) -> HostError {
        HostError::Backend {
            import,
            source,
            gas_used: self.gas.used().to_amount(),
        }
    }

    /// Refuses `import` in a read-only call.
    pub(crate) fn require_writable(&self, import: &'static str) -> Result<(), HostError> {
        if self.call.read_only {
            return Err(HostError::ReadOnly { import });
        }
        Ok(())
    }
}

/// Everything one contract call runs against: the chain-facing backends, the
/// gas meter and the per-call state. Moved into the instance for the call and
/// handed back afterwards, with the meter holding the call's gas.
pub struct CallBackend<T: CostTable> {
    /// The contract's storage.
    pub storage: Box<dyn Storage + Send>,
    /// Address handling.
    pub api: Arc<dyn Api + Send + Sync>,
    /// Chain queries.
    pub querier: Box<dyn Querier + Send>,
    /// The call's gas meter.
    pub gas: GasMeter<T>,
    /// Read-only flag, limits, query depth, open iterators.
    pub call: CallState,
    /// Where `debug` messages go.
    pub debug: Box<dyn DebugHandler + Send>,
}

impl<T: CostTable> core::fmt::Debug for CallBackend<T> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("CallBackend")
            .field("gas", &self.gas)
            .field("call", &self.call)
            .finish_non_exhaustive()
    }
}

impl<T: CostTable> CallBackend<T> {
    /// The borrows one import call (or one native storage access) runs with.
    pub fn context(&mut self) -> HostContext<'_, T> {
        HostContext {
            storage: &mut *self.storage,
            api: &*self.api,
            querier: &*self.querier,
            gas: &mut self.gas,
            call: &mut self.call,
            debug: &mut *self.debug,
        }
    }
}
