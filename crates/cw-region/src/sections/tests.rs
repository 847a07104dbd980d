use super::*;

// The byte vectors below are the ones cosmwasm-std 3.0.10 and cosmwasm-vm
// 3.0.10 pin in their own tests, so both sides of the boundary agree with us.

#[test]
fn empty_cases_are_distinct() {
    let none: [&[u8]; 0] = [];
    assert_eq!(encode_sections(&none).unwrap(), b"");
    assert_eq!(encode_sections(&[b""]).unwrap(), b"\0\0\0\0");
    assert_eq!(encode_sections(&[b"", b""]).unwrap(), [0; 8]);
    assert_eq!(encode_sections(&[b"", b"", b""]).unwrap(), [0; 12]);

    assert_eq!(decode_sections(b"").unwrap(), Vec::<&[u8]>::new());
    assert_eq!(decode_sections(b"\0\0\0\0").unwrap(), [b""]);
    assert_eq!(decode_sections(&[0; 8]).unwrap(), [b""; 2]);
    assert_eq!(decode_sections(&[0; 12]).unwrap(), [b""; 3]);
}

#[test]
fn known_encodings() {
    let cases: [(&[&[u8]], &[u8]); 6] = [
        (&[b"\xAA"], b"\xAA\0\0\0\x01"),
        (&[b"\xAA\xBB"], b"\xAA\xBB\0\0\0\x02"),
        (&[b"\xAA", b"\xBB\xCC"], b"\xAA\0\0\0\x01\xBB\xCC\0\0\0\x02"),
        (&[b"\xDE\xEF\x62", b""], b"\xDE\xEF\x62\0\0\0\x03\0\0\0\0"),
        (&[b"", b"\xDE\xEF\x62"], b"\0\0\0\0\xDE\xEF\x62\0\0\0\x03"),
        (
            &[b"\xAA", b"\xDE\xDE", b"", &[0xFF; 19]],
            b"\xAA\0\0\0\x01\xDE\xDE\0\0\0\x02\0\0\0\0\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF\0\0\0\x13",
        ),
    ];
    for (sections, encoded) in cases {
        assert_eq!(encode_sections(sections).unwrap(), encoded);
        assert_eq!(decode_sections(encoded).unwrap(), sections);
    }
}

#[test]
fn long_section_uses_all_four_length_bytes() {
    let section = vec![0x9D; 277];
    let encoded = encode_sections(&[&section]).unwrap();
    assert_eq!(&encoded[277..], b"\0\0\x01\x15");
    assert_eq!(decode_sections(&encoded).unwrap(), [section.as_slice()]);
}

#[test]
fn encode_accepts_vecs_and_slices() {
    let owned = vec![b"a".to_vec(), b"bc".to_vec()];
    let borrowed: [&[u8]; 2] = [b"a", b"bc"];
    assert_eq!(
        encode_sections(&owned).unwrap(),
        encode_sections(&borrowed).unwrap()
    );
}

#[test]
fn length_suffix_past_the_data_is_rejected() {
    assert_eq!(
        decode_sections(b"\xAA\0\0\0\x02"),
        Err(RegionError::SectionLengthOutOfRange {
            section_length: 2,
            available_bytes: 1
        })
    );
    // The last section takes `01 BB 03`; what is left reads as length
    // 0xAA000000 with nothing before it.
    assert_eq!(
        decode_sections(b"\xAA\0\0\0\x01\xBB\x03\0\0\0\x03"),
        Err(RegionError::SectionLengthOutOfRange {
            section_length: 0xAA00_0000,
            available_bytes: 0
        })
    );
    assert_eq!(
        decode_sections(b"\xFF\xFF\xFF\xFF"),
        Err(RegionError::SectionLengthOutOfRange {
            section_length: u32::MAX,
            available_bytes: 0
        })
    );
}

#[test]
fn leftover_bytes_are_rejected() {
    for prefix in [&b"\x44"[..], b"\x44\x44", b"\x44\x44\x44"] {
        assert_eq!(
            decode_sections(prefix),
            Err(RegionError::SectionsLeftoverBytes {
                length: prefix.len()
            })
        );
        let mut data = prefix.to_vec();
        data.extend_from_slice(b"\xAA\0\0\0\x01");
        assert_eq!(
            decode_sections(&data),
            Err(RegionError::SectionsLeftoverBytes {
                length: prefix.len()
            })
        );
    }
}

#[test]
fn section_error_messages_name_the_numbers() {
    assert_eq!(
        RegionError::SectionLengthOutOfRange {
            section_length: 9,
            available_bytes: 2
        }
        .to_string(),
        "section length 9 exceeds the 2 bytes before its length suffix"
    );
    assert_eq!(
        RegionError::SectionsLeftoverBytes { length: 3 }.to_string(),
        "3 bytes before the first section belong to no section"
    );
    assert_eq!(
        RegionError::SectionTooLong { length: 1 << 32 }.to_string(),
        "section of 4294967296 bytes cannot be encoded: its length does not fit in u32"
    );
}

#[test]
fn encode_output_has_exact_capacity() {
    let encoded = encode_sections(&[b"abc".as_slice(), b"", b"defg"]).unwrap();
    assert_eq!(encoded.len(), 3 + 4 + 4 + 4 + 4);
    assert_eq!(encoded.capacity(), encoded.len());
}
