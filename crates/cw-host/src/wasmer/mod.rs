//! The Wasmer bridge: every import registered as a Wasmer function that
//! adapts guest memory and the contract's `allocate` export to the
//! Wasmer-free host logic in [`crate::imports`], and keeps the gas meter and
//! the instance's metering global in step.
//!
//! Gas protocol: while Wasm runs, the instance's metering global is the
//! authority on what is left. On entry to an import the meter folds in what
//! operators spent since the last sync; the import charges the meter; on exit
//! the meter's remaining gas is written back to the global, so host charges
//! shrink the operators' budget. Guest code run from inside an import (the
//! contract's `allocate`) is synced the same way around the call.

mod env;
mod export;
mod guest;
mod imports;

pub use crate::context::CallBackend;
pub use env::{CallDepth, CallDepthGuard, HostEnv};
pub use export::{GuestCallError, GuestFunction};
pub use guest::WasmerGuest;
pub use imports::{ENV_IMPORTS, UnknownImport, import_function, module_imports, register_imports};
