//! Property tests of the region codec and the sections encoding.
//!
//! The region properties compare the codec with `testing::model`, a naive
//! reference written with 64-bit arithmetic and slice `get`; the two must
//! agree on every input, errors included. Running the codec on arbitrary
//! inputs also checks that nothing panics.

use cw_region::testing::{VecMemory, model};
use cw_region::{
    GuestMemory, GuestRegion, Region, RegionError, decode_sections, encode_sections, read_region,
    read_region_into, write_region,
};
use proptest::prelude::*;

/// u32s that hit the interesting edges often: small values, values near
/// `u32::MAX`, and anything.
fn edgy_u32() -> impl Strategy<Value = u32> {
    prop_oneof![0u32..700, (u32::MAX - 700)..=u32::MAX, any::<u32>()]
}

/// Limits from 0 up to past every test memory, and "no limit".
fn limit() -> impl Strategy<Value = usize> {
    prop_oneof![0usize..700, Just(usize::MAX)]
}

/// A memory of arbitrary bytes, a pointer, and (usually) a region stored at
/// that pointer whose fields are near the memory's edges.
#[derive(Debug, Clone)]
struct Case {
    memory: Vec<u8>,
    ptr: u32,
}

fn case() -> impl Strategy<Value = Case> {
    (
        prop::collection::vec(any::<u8>(), 0..600),
        edgy_u32(),
        any::<prop::sample::Index>(),
        edgy_u32(),
        edgy_u32(),
        edgy_u32(),
        any::<bool>(),
    )
        .prop_map(
            |(mut memory, ptr, in_memory, offset, capacity, length, place)| {
                // Half the time point inside memory, where a region can be stored.
                let ptr = if place && memory.len() > 12 {
                    u32::try_from(in_memory.index(memory.len() - 12)).unwrap()
                } else {
                    ptr
                };
                if place {
                    // Fields relative to the memory size make in-memory regions likely.
                    let size = u32::try_from(memory.len()).unwrap();
                    let region = Region {
                        offset: offset % (size + 2),
                        capacity: capacity % (size + 2),
                        length: if length % 2 == 0 {
                            length % (size + 2)
                        } else {
                            length
                        },
                    };
                    let start = ptr as usize;
                    if let Some(slot) = memory.get_mut(start..start.saturating_add(12)) {
                        slot.copy_from_slice(&region.to_le_bytes());
                    }
                }
                Case { memory, ptr }
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2048))]

    #[test]
    fn region_struct_round_trips(offset: u32, capacity: u32, length: u32) {
        let region = Region { offset, capacity, length };
        prop_assert_eq!(Region::from_le_bytes(region.to_le_bytes()), region);
    }

    #[test]
    fn region_bytes_round_trip(bytes: [u8; 12]) {
        prop_assert_eq!(Region::from_le_bytes(bytes).to_le_bytes(), bytes);
    }

    #[test]
    fn load_agrees_with_model(case in case()) {
        let memory = VecMemory::from_bytes(case.memory.clone());
        let loaded = GuestRegion::load(&memory, case.ptr)
            .map(|r| { let r = r.region(); (r.offset, r.capacity, r.length) });
        prop_assert_eq!(loaded, model::load_region(&case.memory, case.ptr));
    }

    #[test]
    fn read_agrees_with_model(case in case(), limit_bytes in limit()) {
        let memory = VecMemory::from_bytes(case.memory.clone());
        prop_assert_eq!(
            read_region(&memory, case.ptr, limit_bytes),
            model::read_region(&case.memory, case.ptr, limit_bytes)
        );
        prop_assert_eq!(memory.into_bytes(), case.memory, "a read changed memory");
    }

    #[test]
    fn read_into_agrees_with_model(case in case(), buf_len in 0usize..700) {
        let memory = VecMemory::from_bytes(case.memory.clone());
        let mut buf = vec![0xA5; buf_len];
        let result = read_region_into(&memory, case.ptr, &mut buf);
        match model::read_region(&case.memory, case.ptr, buf_len) {
            Ok(expected) => {
                prop_assert_eq!(result, Ok(expected.len()));
                prop_assert_eq!(&buf[..expected.len()], expected.as_slice());
                prop_assert!(buf[expected.len()..].iter().all(|&b| b == 0xA5));
            }
            Err(error) => {
                prop_assert_eq!(result, Err(error));
                prop_assert!(buf.iter().all(|&b| b == 0xA5), "a failed read wrote");
            }
        }
    }

    #[test]
    fn write_agrees_with_model_and_never_writes_partially(
        case in case(),
        data in prop::collection::vec(any::<u8>(), 0..700),
    ) {
        let memory = VecMemory::from_bytes(case.memory.clone());
        let result = write_region(&memory, case.ptr, &data);
        let mut expected = case.memory.clone();
        let expected_result = model::write_region(&mut expected, case.ptr, &data);
        prop_assert_eq!(&result, &expected_result);
        let after = memory.into_bytes();
        if result.is_err() {
            prop_assert_eq!(&after, &case.memory, "a failed write changed memory");
        }
        prop_assert_eq!(after, expected);
    }

    #[test]
    fn written_data_reads_back(data in prop::collection::vec(any::<u8>(), 0..300), spare in 0u32..50) {
        let memory = VecMemory::default();
        let capacity = u32::try_from(data.len()).unwrap() + spare;
        let ptr = memory.place_region(b"", capacity).unwrap();
        write_region(&memory, ptr, &data).unwrap();
        prop_assert_eq!(read_region(&memory, ptr, data.len()).unwrap(), data);
    }

    /// Independent of the model: a well-formed region (non-null offset,
    /// length <= capacity, struct inside memory) loads if and only if
    /// `offset + capacity` fits in a u32 (cosmwasm-vm's rule), and reading
    /// it fails exactly when its data runs past the end of memory.
    #[test]
    fn a_region_loads_by_its_fields_and_its_data_is_checked_at_access(
        size in 13usize..600,
        ptr_index: prop::sample::Index,
        offset in edgy_u32().prop_map(|o| o.max(1)),
        capacity in edgy_u32(),
        near_end in prop::option::of(0u32..11),
        length_ratio in 0.0f64..=1.0,
    ) {
        let memory = VecMemory::new(size);
        // Often put the region's end within 5 bytes of the memory's end.
        let capacity = match near_end {
            Some(delta) => (u32::try_from(size).unwrap() + delta)
                .saturating_sub(5)
                .saturating_sub(offset),
            None => capacity,
        };
        let ptr = u32::try_from(1 + ptr_index.index(size - 12)).unwrap();
        // Truncation is fine: any value in 0..=capacity will do.
        let length = (f64::from(capacity) * length_ratio) as u32;
        let region = Region { offset, capacity, length: length.min(capacity) };
        memory.write(ptr, &region.to_le_bytes()).unwrap();
        let end = u64::from(offset) + u64::from(capacity);
        match GuestRegion::load(&memory, ptr) {
            Ok(loaded) => {
                prop_assert!(end <= u64::from(u32::MAX));
                prop_assert_eq!(loaded.region(), region);
                // The data is checked where it is accessed.
                let read = loaded.read(&memory, usize::MAX);
                let data_end = u64::from(offset) + u64::from(region.length);
                if data_end <= size as u64 {
                    prop_assert_eq!(read.map(|d| d.len()), Ok(region.length as usize));
                } else {
                    prop_assert!(matches!(read, Err(RegionError::MemoryAccess(_))), "{read:?}");
                }
            }
            Err(RegionError::CapacityOverflow { .. }) => prop_assert!(end > u64::from(u32::MAX)),
            Err(other) => prop_assert!(false, "unexpected {other:?}"),
        }
    }

    #[test]
    fn pointer_outside_memory_is_rejected(size in 0usize..600, ptr in edgy_u32()) {
        let memory = VecMemory::new(size);
        let result = GuestRegion::load(&memory, ptr);
        if u64::from(ptr) + 12 > size as u64 {
            prop_assert_eq!(
                result,
                Err(RegionError::PointerOutOfMemory { ptr, memory_size_bytes: size as u64 })
            );
        } else {
            // A zeroed memory holds a region with a null offset.
            prop_assert_eq!(result, Err(RegionError::NullOffset { ptr }));
        }
    }

    #[test]
    fn sections_round_trip(sections in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..40), 0..10)) {
        let encoded = encode_sections(&sections).unwrap();
        let total: usize = sections.iter().map(|s| s.len() + 4).sum();
        prop_assert_eq!(encoded.len(), total);
        let decoded = decode_sections(&encoded).unwrap();
        prop_assert_eq!(decoded, sections.iter().map(Vec::as_slice).collect::<Vec<_>>());
    }

    /// Valid data re-encodes to itself; invalid data gets one of the two
    /// sections errors. Data is mostly near-valid: an encoding with a few
    /// bytes flipped, cut or appended.
    #[test]
    fn any_decodable_data_re_encodes_to_itself(
        sections in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..8), 0..6),
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..3),
        cut in 0usize..3,
        raw in prop::collection::vec(any::<u8>(), 0..3),
    ) {
        let mut data = encode_sections(&sections).unwrap();
        for (at, byte) in edits {
            if !data.is_empty() {
                let i = at.index(data.len());
                data[i] = byte;
            }
        }
        data.truncate(data.len().saturating_sub(cut));
        data.extend_from_slice(&raw);
        match decode_sections(&data) {
            Ok(decoded) => prop_assert_eq!(encode_sections(&decoded).unwrap(), data),
            Err(RegionError::SectionLengthOutOfRange { section_length, available_bytes }) => {
                prop_assert!(section_length as usize > available_bytes);
                prop_assert!(available_bytes + 4 <= data.len());
            }
            Err(RegionError::SectionsLeftoverBytes { length }) => prop_assert!((1..4).contains(&length)),
            Err(other) => prop_assert!(false, "unexpected {other:?}"),
        }
    }

    #[test]
    fn decode_never_panics(data in prop::collection::vec(any::<u8>(), 0..64)) {
        let _ = decode_sections(&data);
    }

    #[test]
    fn leftover_bytes_in_front_are_rejected(
        sections in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..20), 0..6),
        prefix in prop::collection::vec(any::<u8>(), 1..4),
    ) {
        let mut data = prefix.clone();
        data.extend(encode_sections(&sections).unwrap());
        prop_assert_eq!(
            decode_sections(&data),
            Err(RegionError::SectionsLeftoverBytes { length: prefix.len() })
        );
    }

    #[test]
    fn length_suffix_past_the_data_is_rejected(
        sections in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..20), 1..6),
        which: prop::sample::Index,
        excess in 1u32..=u32::MAX,
    ) {
        let mut data = encode_sections(&sections).unwrap();
        let i = which.index(sections.len());
        // Position of section i's length suffix.
        let suffix_at: usize = sections[..=i].iter().map(|s| s.len() + 4).sum::<usize>() - 4;
        let too_long = u32::try_from(suffix_at).unwrap().saturating_add(excess);
        data[suffix_at..suffix_at + 4].copy_from_slice(&too_long.to_be_bytes());
        prop_assert_eq!(
            decode_sections(&data),
            Err(RegionError::SectionLengthOutOfRange {
                section_length: too_long,
                available_bytes: suffix_at,
            })
        );
    }
}
