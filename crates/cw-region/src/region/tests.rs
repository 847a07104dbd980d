use super::*;
use crate::testing::VecMemory;

/// A memory of `size` zero bytes with `region` stored at `ptr`.
fn memory_with(size: usize, ptr: u32, region: Region) -> VecMemory {
    let memory = VecMemory::new(size);
    memory.write(ptr, &region.to_le_bytes()).unwrap();
    memory
}

fn region(offset: u32, capacity: u32, length: u32) -> Region {
    Region {
        offset,
        capacity,
        length,
    }
}

#[test]
fn layout_is_three_little_endian_u32s() {
    let r = region(0x0403_0201, 0x0807_0605, 0x0c0b_0a09);
    assert_eq!(r.to_le_bytes(), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    assert_eq!(Region::from_le_bytes(r.to_le_bytes()), r);
    assert_eq!(Region::ENCODED_SIZE_BYTES, 12);
}

#[test]
fn error_type_stays_small() {
    // Errors travel on every host call's failure path; keep them cheap to move.
    assert!(std::mem::size_of::<RegionError>() <= 32);
}

#[test]
fn load_accepts_a_region_that_ends_exactly_at_memory_end() {
    let memory = memory_with(100, 4, region(60, 40, 40));
    let loaded = GuestRegion::load(&memory, 4).unwrap();
    assert_eq!(loaded.ptr(), 4);
    assert_eq!(loaded.region(), region(60, 40, 40));
}

#[test]
fn load_accepts_the_struct_in_the_last_12_bytes() {
    let memory = memory_with(100, 88, region(10, 0, 0));
    assert!(GuestRegion::load(&memory, 88).is_ok());
}

/// cosmwasm-vm reads the struct at address 0 like any other (only a
/// pointer `allocate` returns may not be 0, which the host checks).
#[test]
fn load_reads_a_struct_at_address_zero() {
    let memory = memory_with(100, 0, region(60, 40, 40));
    let loaded = GuestRegion::load(&memory, 0).unwrap();
    assert_eq!(loaded.region(), region(60, 40, 40));
}

#[test]
fn load_rejects_pointer_out_of_memory() {
    let memory = VecMemory::new(100);
    for ptr in [89, 100, 101, u32::MAX - 11, u32::MAX] {
        assert_eq!(
            GuestRegion::load(&memory, ptr),
            Err(RegionError::PointerOutOfMemory {
                ptr,
                memory_size_bytes: 100
            })
        );
    }
}

#[test]
fn load_rejects_null_offset() {
    let memory = memory_with(100, 4, region(0, 10, 5));
    assert_eq!(
        GuestRegion::load(&memory, 4),
        Err(RegionError::NullOffset { ptr: 4 })
    );
}

#[test]
fn load_rejects_length_over_capacity() {
    let memory = memory_with(100, 4, region(20, 10, 11));
    assert_eq!(
        GuestRegion::load(&memory, 4),
        Err(RegionError::LengthExceedsCapacity {
            length: 11,
            capacity: 10
        })
    );
}

#[test]
fn load_rejects_u32_overflow_like_cosmwasm_vm() {
    // cosmwasm-vm accepts offset + capacity == u32::MAX and rejects one more.
    let memory = memory_with(100, 4, region(u32::MAX, 1, 0));
    assert_eq!(
        GuestRegion::load(&memory, 4),
        Err(RegionError::CapacityOverflow {
            offset: u32::MAX,
            capacity: 1
        })
    );
    let memory = memory_with(100, 4, region(23, u32::MAX, 501));
    assert_eq!(
        GuestRegion::load(&memory, 4),
        Err(RegionError::CapacityOverflow {
            offset: 23,
            capacity: u32::MAX
        })
    );
    // offset + capacity == u32::MAX exactly: valid (the data is checked
    // when accessed).
    let memory = memory_with(100, 4, region(1, u32::MAX - 1, 0));
    assert!(GuestRegion::load(&memory, 4).is_ok());
}

/// cosmwasm-vm checks where the data lies only when it is accessed: a
/// capacity past the end of memory is fine while the bytes used are inside,
/// and an access past the end fails then (after the host charged for it).
#[test]
fn a_capacity_past_memory_end_fails_only_at_an_access_past_it() {
    let memory = memory_with(100, 4, region(60, 41, 1));
    let mut loaded = GuestRegion::load(&memory, 4).unwrap();
    assert_eq!(loaded.read(&memory, 100).unwrap().len(), 1);
    loaded.write(&memory, &[7; 40]).unwrap();
    assert_eq!(
        loaded.write(&memory, &[7; 41]),
        Err(RegionError::MemoryAccess(MemoryAccessError::new(
            60, 41, 100
        )))
    );
    let memory = memory_with(100, 4, region(60, 41, 41));
    assert_eq!(
        GuestRegion::load(&memory, 4).unwrap().read(&memory, 100),
        Err(RegionError::MemoryAccess(MemoryAccessError::new(
            60, 41, 100
        )))
    );
}

#[test]
fn error_messages_name_the_numbers() {
    let cases = [
        (
            RegionError::PointerOutOfMemory {
                ptr: 95,
                memory_size_bytes: 100,
            },
            "region pointer 95 is out of memory: the 12-byte region struct would end at 107 but memory is 100 bytes",
        ),
        (
            RegionError::LengthExceedsCapacity {
                length: 11,
                capacity: 10,
            },
            "region length 11 exceeds its capacity 10",
        ),
        (
            RegionError::CapacityOverflow {
                offset: 7,
                capacity: u32::MAX,
            },
            "region offset 7 + capacity 4294967295 overflows u32",
        ),
        (
            RegionError::LengthExceedsLimit {
                length: 300,
                limit_bytes: 256,
            },
            "region length 300 exceeds the limit of 256 bytes",
        ),
        (
            RegionError::NullOffset { ptr: 8 },
            "region at pointer 8 has a null data offset",
        ),
        (
            MemoryAccessError::new(5, 6, 7).into(),
            "guest memory access of 6 bytes at offset 5 is out of bounds (memory is 7 bytes)",
        ),
    ];
    for (error, message) in cases {
        assert_eq!(error.to_string(), message);
    }
}

#[test]
fn read_returns_exactly_length_bytes() {
    let memory = VecMemory::default();
    let ptr = memory.place_region(b"hello", 16).unwrap();
    assert_eq!(read_region(&memory, ptr, 5).unwrap(), b"hello");
    assert_eq!(
        read_region(&memory, ptr, 4),
        Err(RegionError::LengthExceedsLimit {
            length: 5,
            limit_bytes: 4
        })
    );
}

#[test]
fn read_optional_maps_null_to_none() {
    let memory = VecMemory::default();
    let ptr = memory.place_region(b"k", 1).unwrap();
    assert_eq!(read_optional_region(&memory, 0, 10), Ok(None));
    assert_eq!(
        read_optional_region(&memory, ptr, 10),
        Ok(Some(b"k".to_vec()))
    );
    assert!(matches!(
        read_optional_region(&memory, u32::MAX, 10),
        Err(RegionError::PointerOutOfMemory { .. })
    ));
}

#[test]
fn read_into_fills_the_front_and_leaves_the_rest() {
    let memory = VecMemory::default();
    let ptr = memory.place_region(b"abc", 3).unwrap();
    let mut buf = [0xee; 5];
    assert_eq!(read_region_into(&memory, ptr, &mut buf), Ok(3));
    assert_eq!(buf, *b"abc\xee\xee");
    let mut small = [0xee; 2];
    assert_eq!(
        read_region_into(&memory, ptr, &mut small),
        Err(RegionError::LengthExceedsLimit {
            length: 3,
            limit_bytes: 2
        })
    );
    assert_eq!(small, [0xee; 2]);
}

#[test]
fn write_sets_data_and_length_and_nothing_else() {
    let memory = VecMemory::default();
    let ptr = memory.place_region(b"", 8).unwrap();
    let before = memory.to_vec();
    let mut loaded = GuestRegion::load(&memory, ptr).unwrap();
    loaded.write(&memory, b"xyz").unwrap();
    assert_eq!(loaded.region().length, 3);
    let after = memory.to_vec();
    let offset = usize_from(loaded.region().offset);
    let mut expected = before;
    expected[offset..offset + 3].copy_from_slice(b"xyz");
    expected[ptr as usize + 8..ptr as usize + 12].copy_from_slice(&3u32.to_le_bytes());
    assert_eq!(after, expected);
    assert_eq!(read_region(&memory, ptr, 8).unwrap(), b"xyz");
}

#[test]
fn write_fills_capacity_exactly_but_not_beyond() {
    let memory = VecMemory::default();
    let ptr = memory.place_region(b"", 4).unwrap();
    write_region(&memory, ptr, b"1234").unwrap();
    let before = memory.to_vec();
    assert_eq!(
        write_region(&memory, ptr, b"12345"),
        Err(RegionError::WriteExceedsCapacity {
            data_length: 5,
            capacity: 4
        })
    );
    assert_eq!(memory.to_vec(), before);
}

#[test]
fn write_of_empty_data_sets_length_zero() {
    let memory = VecMemory::default();
    let ptr = memory.place_region(b"old", 4).unwrap();
    write_region(&memory, ptr, b"").unwrap();
    assert_eq!(read_region(&memory, ptr, 0).unwrap(), b"");
}

/// A memory that implements only the required methods, so the provided
/// `read_to_vec` is exercised.
struct MinimalMemory(VecMemory);

impl GuestMemory for MinimalMemory {
    fn size_bytes(&self) -> u64 {
        self.0.size_bytes()
    }
    fn read(&self, offset: u32, buf: &mut [u8]) -> Result<(), MemoryAccessError> {
        self.0.read(offset, buf)
    }
    fn write(&self, offset: u32, data: &[u8]) -> Result<(), MemoryAccessError> {
        self.0.write(offset, data)
    }
}

#[test]
fn provided_read_to_vec_appends_or_leaves_out_unchanged() {
    let memory = MinimalMemory(VecMemory::from_bytes(b"0123456789".to_vec()));
    let mut out = b"pre".to_vec();
    memory.read_to_vec(2, 3, &mut out).unwrap();
    assert_eq!(out, b"pre234");
    assert_eq!(
        memory.read_to_vec(8, 3, &mut out),
        Err(MemoryAccessError::new(8, 3, 10))
    );
    assert_eq!(out, b"pre234");
    assert!(memory.read_to_vec(0, usize::MAX, &mut out).is_err());
    assert_eq!(out, b"pre234");
}

#[test]
fn codec_works_through_the_provided_read_to_vec() {
    let inner = VecMemory::default();
    let ptr = inner.place_region(b"payload", 10).unwrap();
    let memory = MinimalMemory(inner);
    assert_eq!(read_region(&memory, ptr, 100).unwrap(), b"payload");
}

/// A memory that claims to be larger than it is, to check that a broken
/// `GuestMemory` still cannot make the codec read out of bounds or panic.
struct LyingMemory(VecMemory);

impl GuestMemory for LyingMemory {
    fn size_bytes(&self) -> u64 {
        1 << 32
    }
    fn read(&self, offset: u32, buf: &mut [u8]) -> Result<(), MemoryAccessError> {
        self.0.read(offset, buf)
    }
    fn write(&self, offset: u32, data: &[u8]) -> Result<(), MemoryAccessError> {
        self.0.write(offset, data)
    }
}

#[test]
fn a_lying_memory_yields_memory_access_errors() {
    let memory = LyingMemory(VecMemory::new(64));
    assert!(matches!(
        GuestRegion::load(&memory, 1000),
        Err(RegionError::MemoryAccess(_))
    ));
    memory
        .write(4, &region(1000, 10, 10).to_le_bytes())
        .unwrap();
    let before = memory.0.to_vec();
    assert!(matches!(
        read_region(&memory, 4, 100),
        Err(RegionError::MemoryAccess(_))
    ));
    assert!(matches!(
        write_region(&memory, 4, b"x"),
        Err(RegionError::MemoryAccess(_))
    ));
    assert_eq!(memory.0.to_vec(), before);
}

#[test]
fn vec_memory_rejects_out_of_bounds_access_without_change() {
    let memory = VecMemory::new(8);
    assert_eq!(memory.size_bytes(), 8);
    assert_eq!(
        memory.write(6, b"abc"),
        Err(MemoryAccessError::new(6, 3, 8))
    );
    assert_eq!(memory.to_vec(), [0; 8]);
    let mut buf = [0; 3];
    assert!(memory.read(u32::MAX, &mut buf).is_err());
    memory.write(5, b"abc").unwrap();
    memory.read(5, &mut buf).unwrap();
    assert_eq!(&buf, b"abc");
    assert_eq!(memory.into_bytes(), b"\0\0\0\0\0abc");
}

#[test]
fn place_region_never_uses_address_zero_and_checks_capacity() {
    let memory = VecMemory::default();
    let ptr = memory.place_region(b"", 0).unwrap();
    let loaded = GuestRegion::load(&memory, ptr).unwrap();
    assert_ne!(loaded.region().offset, 0);
    assert_eq!(
        memory.place_region(b"ab", 1),
        Err(RegionError::WriteExceedsCapacity {
            data_length: 2,
            capacity: 1
        })
    );
}
