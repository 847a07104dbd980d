//! The emulators as cw-chain's native contracts: each [`NativeKind`] is a
//! [`NativeFactory`], and [`VerifiedNatives::verified_natives`] registers
//! every verified build with a chain.

use std::sync::Arc;

use cw_chain::{ChainBuilder, NativeFactory};
use cw_gas::CostTable;
use cw_host::Contract;

use crate::{NativeKind, VerifiedBuilds};

impl<T: CostTable> NativeFactory<T> for NativeKind {
    fn name(&self) -> &str {
        self.package()
    }

    fn contract(&self) -> Box<dyn Contract<T>> {
        NativeKind::contract::<T>(*self)
    }
}

/// Registers verified builds with a chain.
pub trait VerifiedNatives {
    /// Registers every verified build in `builds` (checksum → emulator), so
    /// code with one of those checksums may run natively in
    /// [`ExecutionMode::Native`](cw_chain::ExecutionMode::Native) or `Auto`.
    #[must_use]
    fn verified_natives(self, builds: &VerifiedBuilds) -> Self;
}

impl<T: CostTable> VerifiedNatives for ChainBuilder<T> {
    fn verified_natives(mut self, builds: &VerifiedBuilds) -> Self {
        for (checksum, kind) in builds.iter() {
            self = self.native(*checksum, Arc::new(kind));
        }
        self
    }
}
