#![doc = include_str!("../README.md")]
#![deny(missing_docs)]
#![forbid(unsafe_code)]

mod error;
mod memory;
mod region;
mod sections;

#[cfg(any(test, feature = "testing"))]
pub mod testing;

pub use error::{MemoryAccessError, RegionError};
pub use memory::GuestMemory;
pub use region::{
    GuestRegion, Region, read_optional_region, read_region, read_region_into, write_region,
};
pub use sections::{decode_sections, encode_sections};
