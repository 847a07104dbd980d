//! The errors of this crate: everything a contract can get wrong about a
//! region or a sections value, and the one way a [`GuestMemory`] can refuse an
//! access.
//!
//! Every variant carries the numbers that made the input invalid, so a message
//! read in a log is enough to reproduce the failure.
//!
//! [`GuestMemory`]: crate::GuestMemory

/// Why a region or a sections value supplied by a contract was rejected.
///
/// Each distinct kind of bad input has its own variant. Checks run in the
/// order the variants are listed (the struct's place in memory, then the
/// region's own fields, then the caller's limit, then the data's place in
/// memory when it is accessed), so the same bad input always yields the same
/// variant.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RegionError {
    /// The 12 bytes of the region struct are not all inside guest memory.
    #[error(
        "region pointer {ptr} is out of memory: the 12-byte region struct would end at {} but memory is {memory_size_bytes} bytes",
        u64::from(*.ptr) + 12
    )]
    PointerOutOfMemory {
        /// Guest address of the region struct.
        ptr: u32,
        /// Size of guest memory in bytes.
        memory_size_bytes: u64,
    },

    /// The region's data offset is 0.
    #[error("region at pointer {ptr} has a null data offset")]
    NullOffset {
        /// Guest address of the region struct.
        ptr: u32,
    },

    /// The region claims more used bytes than it has room for.
    #[error("region length {length} exceeds its capacity {capacity}")]
    LengthExceedsCapacity {
        /// The region's `length` field.
        length: u32,
        /// The region's `capacity` field.
        capacity: u32,
    },

    /// `offset + capacity` does not fit in a `u32` guest address.
    #[error("region offset {offset} + capacity {capacity} overflows u32")]
    CapacityOverflow {
        /// The region's `offset` field.
        offset: u32,
        /// The region's `capacity` field.
        capacity: u32,
    },

    /// The region holds more data than the caller accepts for this value.
    #[error("region length {length} exceeds the limit of {limit_bytes} bytes")]
    LengthExceedsLimit {
        /// The region's `length` field.
        length: u32,
        /// The maximum the caller accepts.
        limit_bytes: usize,
    },

    /// The data to write does not fit in the region the contract allocated.
    #[error("cannot write {data_length} bytes into a region of capacity {capacity}")]
    WriteExceedsCapacity {
        /// Number of bytes the host wanted to write.
        data_length: usize,
        /// The region's `capacity` field.
        capacity: u32,
    },

    /// The guest memory refused an access that the codec had already checked
    /// against its size. Only a faulty [`GuestMemory`](crate::GuestMemory)
    /// implementation produces this.
    #[error(transparent)]
    MemoryAccess(#[from] MemoryAccessError),

    /// A section's length suffix claims more bytes than precede it.
    #[error(
        "section length {section_length} exceeds the {available_bytes} bytes before its length suffix"
    )]
    SectionLengthOutOfRange {
        /// The length read from the big-endian suffix.
        section_length: u32,
        /// How many bytes precede the suffix.
        available_bytes: usize,
    },

    /// After all complete sections were taken off the end, 1 to 3 bytes are
    /// left at the front: too few for a length suffix, so they belong to no
    /// section.
    #[error("{length} bytes before the first section belong to no section")]
    SectionsLeftoverBytes {
        /// Number of stray bytes.
        length: usize,
    },

    /// A section to encode is longer than a `u32` length suffix can express.
    #[error("section of {length} bytes cannot be encoded: its length does not fit in u32")]
    SectionTooLong {
        /// The section's length.
        length: usize,
    },

    /// The encoded form of the sections would be longer than `usize::MAX`.
    #[error("encoding {section_count} sections would overflow the address space")]
    SectionsTooLong {
        /// Number of sections given.
        section_count: usize,
    },
}

/// A [`GuestMemory`](crate::GuestMemory) access that fell outside memory.
///
/// Implementations return it instead of panicking or partially copying.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error(
    "guest memory access of {length} bytes at offset {offset} is out of bounds (memory is {memory_size_bytes} bytes)"
)]
#[non_exhaustive]
pub struct MemoryAccessError {
    /// Guest address of the first byte accessed.
    pub offset: u32,
    /// Number of bytes accessed.
    pub length: usize,
    /// Size of guest memory in bytes at the time of the access.
    pub memory_size_bytes: u64,
}

impl MemoryAccessError {
    /// Describes an access of `length` bytes at `offset` into a memory of
    /// `memory_size_bytes` bytes.
    #[must_use]
    pub fn new(offset: u32, length: usize, memory_size_bytes: u64) -> Self {
        Self {
            offset,
            length,
            memory_size_bytes,
        }
    }
}
