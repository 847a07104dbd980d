//! Sections decode on arbitrary bytes (the encoding `db_next` and the
//! batch-verify imports use): never panics; whatever decodes re-encodes to
//! the same bytes, and the sections' lengths account for every byte.
#![no_main]

use cw_region::{decode_sections, encode_sections};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: &[u8]| {
    let Ok(sections) = decode_sections(input) else {
        return;
    };
    let payload: usize = sections.iter().map(|s| s.len()).sum();
    assert_eq!(payload + 4 * sections.len(), input.len());
    let encoded = encode_sections(&sections).expect("decoded sections always re-encode");
    assert_eq!(encoded, input);
});
