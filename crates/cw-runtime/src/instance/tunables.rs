//! Wasmer tunables that cap every memory an instance creates and map it as
//! a [`ResettableMemory`].

use std::ptr::NonNull;
use std::sync::{Arc, Mutex, PoisonError};

use wasmer::sys::vm::{VMMemory, VMMemoryDefinition, VMTable, VMTableDefinition};
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
}

/// The memory style every module is compiled for: the code checks each
/// access against the memory's current size, and there is no offset guard
/// (an access is never allowed to run past the size into pages that merely
/// fault).
///
/// So the pages a call grew into can stay mapped after a reset: nothing but
/// the size decides what the contract may touch, and a reset changes no
/// page protection. Under the static style (no checks, the pages past the
/// size made inaccessible instead) every reset of a grown memory revokes
/// access with `mprotect`, and the TLB flush that follows slows the next
/// call by more than the checks cost (measured in the cw-runtime README).
pub(crate) const COMPILED_MEMORY_STYLE: MemoryStyle = MemoryStyle::Dynamic {
    offset_guard_size: 0,
};

impl MemoryLimit {
    /// Tunables for an engine that only compiles: what they decide is the
    /// style of memories ([`COMPILED_MEMORY_STYLE`]) and tables.
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
    fn memory_style(&self, _memory: &MemoryType) -> MemoryStyle {
        COMPILED_MEMORY_STYLE
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
        let memory = unsafe { ResettableMemory::new(&adjusted, style, vm_definition_location)? };
        self.created
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(memory.reset_handle());
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
