//! The `cw-fallback` emulators as the chain's native factories.

use std::sync::Arc;

use cw_fallback::{NativeKind, VerifiedBuilds};
use cw_gas::CostTable;
use cw_host::Contract;

use super::ChainBuilder;
use super::runner::NativeFactory;

impl<T: CostTable + 'static> NativeFactory<T> for NativeKind {
    fn name(&self) -> &str {
        self.package()
    }

    fn contract(&self) -> Box<dyn Contract<T>> {
        NativeKind::contract::<T>(*self)
    }
}

impl<T: CostTable + Clone + Send + Sync + 'static> ChainBuilder<T> {
    /// Registers every verified build in `builds` (checksum → emulator), so
    /// code with one of those checksums may run natively in
    /// [`ExecutionMode::Native`](super::ExecutionMode::Native) or `Auto`.
    #[must_use]
    pub fn verified_natives(mut self, builds: &VerifiedBuilds) -> Self {
        for (checksum, kind) in builds.iter() {
            self = self.native(*checksum, Arc::new(kind));
        }
        self
    }
}
