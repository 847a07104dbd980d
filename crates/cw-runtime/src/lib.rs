#![doc = include_str!("../README.md")]
#![deny(missing_docs)]

mod error;
pub mod validate;

pub use error::ValidationError;
pub use validate::{ModuleInfo, ValidationConfig, validate};
