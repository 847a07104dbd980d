//! Wasmer tunables that cap every memory an instance creates and map it as
//! a [`ResettableMemory`].

use std::ptr::NonNull;
use std::sync::{Arc, Mutex, PoisonError};

use wasmer::sys::vm::{VMConfig, VMMemory, VMMemoryDefinition, VMTable, VMTableDefinition};
use wasmer::sys::{BaseTunables, Tunables};
use wasmer::{MemoryError, MemoryStyle, MemoryType, Pages, TableStyle, TableType};

use super::memory::{MemoryReset, ResettableMemory};

/// Sets the maximum of a memory that declares none (validation rejects
/// modules that declare one) to the limit, and refuses memories that start
/// above it. `memory.grow` past the maximum then returns -1 to the contract,
/// as on a chain.
pub(crate) struct MemoryLimit {
    limit: Pages,
    base: BaseTunables,
    /// The reset handle of every instance memory created, in order.
    created: Arc<Mutex<Vec<MemoryReset>>>,
    /// The native stack Wasm runs on: the one the deterministic stack
    /// limit is calibrated for (`cw_gas::middleware::NATIVE_STACK_BYTES`).
    vmconfig: VMConfig,
}

/// The memory style a module's memory is compiled for.
///
/// - A memory that starts with at least one page: **bounds-checked code**
///   (Wasmer's dynamic style, no offset guard). The code checks every access
///   against the memory's current size, so the pages a call grew into can
///   stay open after a reset: nothing but the size decides what the
///   contract may touch, and a reset changes no page protection. (Under the
///   static style every reset of a grown memory revokes access with
///   `mprotect`, and the TLB flush that follows slows the next call by more
///   than the checks cost; measured in the cw-runtime README.)
/// - A memory that starts with no pages: **unchecked code over guard pages**
///   (Wasmer's static style), as cosmwasm-vm compiles every memory.
///
/// Why the split: Singlepass checks an access of `width` bytes at `address`
/// as `address > current_length - width`, computed in 64 bits, so with
/// `current_length == 0` the bound wraps around and nothing traps (issue
/// 20: a 0-page contract read and wrote other instances' memory). Sizes are
/// whole 64 KiB pages and validation admits no access wider than 8 bytes
/// (no SIMD, no threads, no memory64, no bulk memory), so the check is
/// exact exactly when the size is at least one page. A memory's size never
/// falls while Wasm runs (Wasm cannot shrink a memory), and a reset puts it
/// back to its declared initial size; validation admits exactly one memory,
/// defined by the module (imports are functions only). So a memory declared
/// with one page or more is above zero pages on every path (fresh, pooled,
/// grown, reset, tiered up), and a memory declared with zero pages never
/// runs bounds-checked code. [`ResettableMemory::new`] refuses the one
/// combination that would be wrong (bounds-checked code over a memory that
/// can be empty), so an artifact compiled elsewhere cannot bring it back.
///
/// [`ResettableMemory::new`]: super::memory::ResettableMemory::new
pub(crate) fn compiled_memory_style(memory: &MemoryType) -> MemoryStyle {
    if memory.minimum.0 == 0 {
        MemoryStyle::Static
    } else {
        MemoryStyle::Dynamic {
            offset_guard_size: 0,
        }
    }
}

impl MemoryLimit {
    /// Tunables for an engine that only compiles: what they decide is the
    /// style of memories ([`compiled_memory_style`]) and tables.
    pub(crate) fn for_compiling() -> Self {
        Self::new(Pages::max_value(), Arc::default())
    }

    /// Tunables capping memories at `limit`, handing the reset handle of
    /// each instance memory they create to `created`.
    pub(crate) fn new(limit: Pages, created: Arc<Mutex<Vec<MemoryReset>>>) -> Self {
        Self {
            limit,
            base: BaseTunables::new(),
            created,
            vmconfig: VMConfig {
                wasm_stack_size: Some(cw_gas::middleware::NATIVE_STACK_BYTES),
            },
        }
    }

    fn adjust(&self, requested: &MemoryType) -> MemoryType {
        let mut adjusted = *requested;
        if adjusted.maximum.is_none() {
            adjusted.maximum = Some(self.limit);
        }
        adjusted
    }

    fn check(&self, ty: &MemoryType) -> Result<(), MemoryError> {
        if ty.minimum > self.limit {
            return Err(MemoryError::Generic(format!(
                "the initial memory of {} pages exceeds the limit of {} pages",
                ty.minimum.0, self.limit.0
            )));
        }
        match ty.maximum {
            Some(maximum) if maximum > self.limit => Err(MemoryError::Generic(format!(
                "the memory maximum of {} pages exceeds the limit of {} pages",
                maximum.0, self.limit.0
            ))),
            _ => Ok(()),
        }
    }
}

impl Tunables for MemoryLimit {
    fn memory_style(&self, memory: &MemoryType) -> MemoryStyle {
        compiled_memory_style(memory)
    }

    fn vmconfig(&self) -> &VMConfig {
        &self.vmconfig
    }

    fn table_style(&self, table: &TableType) -> TableStyle {
        self.base.table_style(table)
    }

    fn create_host_memory(
        &self,
        ty: &MemoryType,
        style: &MemoryStyle,
    ) -> Result<VMMemory, MemoryError> {
        let adjusted = self.adjust(ty);
        self.check(&adjusted)?;
        self.base.create_host_memory(&adjusted, style)
    }

    unsafe fn create_vm_memory(
        &self,
        ty: &MemoryType,
        style: &MemoryStyle,
        vm_definition_location: NonNull<VMMemoryDefinition>,
    ) -> Result<VMMemory, MemoryError> {
        let adjusted = self.adjust(ty);
        self.check(&adjusted)?;
        // SAFETY: Wasmer guarantees `vm_definition_location` is valid for
        // the life of the instance that owns the memory being created.
        let (memory, reset) =
            unsafe { ResettableMemory::new(&adjusted, style, vm_definition_location)? };
        self.created
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(reset);
        Ok(VMMemory(Box::new(memory)))
    }

    fn create_host_table(&self, ty: &TableType, style: &TableStyle) -> Result<VMTable, String> {
        self.base.create_host_table(ty, style)
    }

    unsafe fn create_vm_table(
        &self,
        ty: &TableType,
        style: &TableStyle,
        vm_definition_location: NonNull<VMTableDefinition>,
    ) -> Result<VMTable, String> {
        // SAFETY: forwarded unchanged from Wasmer, which guarantees
        // `vm_definition_location` is valid for the table being created.
        unsafe { self.base.create_vm_table(ty, style, vm_definition_location) }
    }
}
