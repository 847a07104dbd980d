//! CosmWasm's sections encoding for multi-part values (`db_next` results,
//! batch signature verification inputs).
//!
//! Each section is followed by its length as a big-endian `u32`:
//!
//! ```text
//! section_1 || len(section_1) || section_2 || len(section_2) || …
//! ```
//!
//! The length comes after the section so a contract can peel sections off
//! the end of one `Vec` without reallocating. The encoding is unambiguous:
//! zero sections encode to no bytes, one empty section to `00 00 00 00`, so
//! `[]` and `[[]]` stay distinct and every value round trips.

use crate::error::RegionError;

/// Width of a section's length suffix.
const LENGTH_SUFFIX_BYTES: usize = 4;

/// Encodes `sections` in order, each followed by its big-endian `u32` length.
///
/// The output is allocated once, at its exact final size.
///
/// # Errors
/// [`RegionError::SectionTooLong`] if a section exceeds `u32::MAX` bytes;
/// [`RegionError::SectionsTooLong`] if the output would exceed `usize::MAX`.
pub fn encode_sections<S: AsRef<[u8]>>(sections: &[S]) -> Result<Vec<u8>, RegionError> {
    let overflow = || RegionError::SectionsTooLong {
        section_count: sections.len(),
    };
    let mut total = 0usize;
    for section in sections {
        let length = section.as_ref().len();
        if u32::try_from(length).is_err() {
            return Err(RegionError::SectionTooLong { length });
        }
        total = total
            .checked_add(length)
            .and_then(|t| t.checked_add(LENGTH_SUFFIX_BYTES))
            .ok_or_else(overflow)?;
    }
    let mut out = Vec::with_capacity(total);
    for section in sections {
        let section = section.as_ref();
        // Checked to fit in the loop above; 0 is unreachable.
        let length = u32::try_from(section.len()).unwrap_or_default();
        out.extend_from_slice(section);
        out.extend_from_slice(&length.to_be_bytes());
    }
    Ok(out)
}

/// Decodes `data` into its sections, borrowing from it (no copies).
///
/// Parsing runs from the end, as the format requires: read the last 4 bytes
/// as a length, take that many bytes before them as a section, repeat. The
/// empty input is zero sections.
///
/// # Errors
/// [`RegionError::SectionLengthOutOfRange`] if a length suffix claims more
/// bytes than precede it; [`RegionError::SectionsLeftoverBytes`] if 1 to 3
/// bytes remain at the front.
pub fn decode_sections(data: &[u8]) -> Result<Vec<&[u8]>, RegionError> {
    let mut sections = Vec::new();
    let mut rest = data;
    while let Some((before, suffix)) = rest.split_last_chunk::<LENGTH_SUFFIX_BYTES>() {
        let section_length = u32::from_be_bytes(*suffix);
        let available_bytes = before.len();
        let start = available_bytes
            .checked_sub(crate::region::usize_from(section_length))
            .ok_or(RegionError::SectionLengthOutOfRange {
                section_length,
                available_bytes,
            })?;
        let (head, section) = before.split_at(start);
        sections.push(section);
        rest = head;
    }
    if !rest.is_empty() {
        return Err(RegionError::SectionsLeftoverBytes { length: rest.len() });
    }
    sections.reverse();
    Ok(sections)
}

#[cfg(test)]
mod tests;
