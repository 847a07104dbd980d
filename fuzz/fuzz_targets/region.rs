//! Region load, read, read-into and write, checked against
//! `cw_region::testing::model` on an arbitrary memory, plus sections decode
//! (whatever decodes must re-encode to the same bytes).
//!
//! Input layout: `ptr: u32 LE`, `limit: u16 LE`, `write_len: u8`, then the
//! guest memory. If `ptr`'s top bit is clear it is taken modulo the memory
//! size + 16, so most inputs point at or near a real region struct.
#![no_main]

use cw_region::testing::{VecMemory, model};
use cw_region::{
    GuestRegion, decode_sections, encode_sections, read_region, read_region_into, write_region,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: &[u8]| {
    sections(input);
    let Some((header, memory)) = input.split_first_chunk::<7>() else {
        return;
    };
    let raw_ptr = u32::from_le_bytes([header[0], header[1], header[2], header[3]]);
    let limit_bytes = usize::from(u16::from_le_bytes([header[4], header[5]]));
    let write_len = usize::from(header[6]);
    let ptr = if raw_ptr & (1 << 31) == 0 {
        raw_ptr
            % u32::try_from(memory.len())
                .unwrap_or(u32::MAX)
                .saturating_add(16)
    } else {
        raw_ptr
    };
    regions(memory, ptr, limit_bytes, write_len);
});

fn regions(bytes: &[u8], ptr: u32, limit_bytes: usize, write_len: usize) {
    let memory = VecMemory::from_bytes(bytes.to_vec());

    let loaded = GuestRegion::load(&memory, ptr).map(|r| {
        let r = r.region();
        (r.offset, r.capacity, r.length)
    });
    assert_eq!(loaded, model::load_region(bytes, ptr));

    let expected = model::read_region(bytes, ptr, limit_bytes);
    assert_eq!(read_region(&memory, ptr, limit_bytes), expected);

    let mut buf = vec![0u8; limit_bytes];
    match (read_region_into(&memory, ptr, &mut buf), &expected) {
        (Ok(n), Ok(data)) => assert_eq!(&buf[..n], data.as_slice()),
        (Err(got), Err(want)) => assert_eq!(&got, want),
        (got, want) => panic!("read_into gave {got:?}, model {want:?}"),
    }
    assert_eq!(memory.to_vec(), bytes, "a read changed memory");

    // Write some bytes of the memory itself (an arbitrary, input-driven payload).
    let data = &bytes[..write_len.min(bytes.len())];
    let mut model_memory = bytes.to_vec();
    let want = model::write_region(&mut model_memory, ptr, data);
    assert_eq!(write_region(&memory, ptr, data), want);
    assert_eq!(memory.into_bytes(), model_memory);
}

fn sections(input: &[u8]) {
    if let Ok(decoded) = decode_sections(input) {
        let encoded = encode_sections(&decoded).expect("decoded sections always re-encode");
        assert_eq!(encoded, input);
    }
}
