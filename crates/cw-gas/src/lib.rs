#![doc = include_str!("../README.md")]
#![deny(missing_docs)]
#![forbid(unsafe_code)]

extern crate alloc;

mod error;
pub mod instrument;
mod meter;
pub mod schedule;
mod units;

#[cfg(feature = "wasmer")]
pub mod middleware;

pub use crate::error::GasError;
pub use crate::meter::{GasCategory, GasLine, GasMeter, GasReport};
pub use crate::schedule::cosmwasm::{CosmWasmSchedule, SdkKvGas};
pub use crate::schedule::near::NearSchedule;
pub use crate::schedule::{
    CostTable, CryptoOp, Fingerprint, LinearCost, MeteringRule, OperatorClass, StorageOp,
};
pub use crate::units::{
    CW_GAS_PER_SECOND, CwGas, GasAmount, GasQuantity, GasUnit, NEAR_GAS_PER_CW_GAS,
    NEAR_GAS_PER_SECOND, NearGas,
};
