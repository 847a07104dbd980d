#![doc = include_str!("../README.md")]
#![deny(missing_docs)]

mod analysis;
mod contract;
mod error;
mod factory;
mod guest;
mod imports;
mod instance;
mod module;
mod store;
mod trap;

pub use crate::contract::WasmiContract;
pub use crate::error::WasmiError;
pub use crate::factory::WasmiFactory;
pub use crate::imports::ENV_IMPORTS;
pub use crate::instance::{InstanceOptions, call};
pub use crate::module::{ModuleOptions, PREPARED_CODE_VERSION, PreparedCode, WasmiModule};
