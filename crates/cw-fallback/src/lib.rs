#![doc = include_str!("../README.md")]
#![deny(missing_docs)]
#![forbid(unsafe_code)]

mod adapters;
mod chain;
mod error;
mod gas;
mod kind;
mod native;
mod panic;
pub mod published;
mod registry;
mod session;

pub use crate::chain::VerifiedNatives;
pub use crate::error::FallbackError;
pub use crate::gas::OperatorEstimate;
pub use crate::kind::NativeKind;
pub use crate::native::NativeContract;
pub use crate::registry::{VerifiedBuilds, checksum};
