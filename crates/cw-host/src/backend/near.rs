//! [`NearApi`]: NEAR account ids as CosmWasm addresses, so a layer on NEAR
//! can hand contracts native accounts.

use crate::backend::api::Api;
use crate::error::{AddressError, BackendError};

/// Shortest NEAR account id.
const MIN_ACCOUNT_ID_LEN: usize = 2;
/// Longest NEAR account id (also the length of an implicit account).
const MAX_ACCOUNT_ID_LEN: usize = 64;
/// Tag byte of the canonical form of a NEAR-implicit account.
const TAG_NEAR_IMPLICIT: u8 = 0x00;
/// Tag byte of the canonical form of an ETH-implicit account.
const TAG_ETH_IMPLICIT: u8 = 0x01;

/// NEAR account ids, following NEAR's account-id rules (near-account-id
/// crate): 2 to 64 characters of `a-z`, `0-9` and the separators `.`, `-`,
/// `_`; no separator first or last; no two separators in a row. Upper case
/// is invalid, so every valid id is already normalized.
///
/// Canonical form (unique and round-tripping; at most 64 bytes, so it fits
/// cosmwasm-std's 64-byte canonical buffer):
/// - a NEAR-implicit account (exactly 64 lowercase hex characters, a public
///   key) is `0x00` followed by the 32 key bytes (33 bytes);
/// - an ETH-implicit account (`0x` followed by 40 lowercase hex characters,
///   an Ethereum address) is `0x01` followed by the 20 address bytes (21
///   bytes). We accept these because they are valid account ids on NEAR
///   today and give them the compact form their 20 bytes deserve;
/// - any other (named) account, e.g. `alice.near`, is its ASCII bytes. A
///   named id never starts with byte `0x00` or `0x01`, so the three forms
///   cannot collide, and humanize rejects the ASCII spelling of an implicit
///   account (it has only the tagged canonical form).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct NearApi;

fn invalid_id(reason: &'static str) -> BackendError {
    AddressError::InvalidAccountId { reason }.into()
}

fn invalid_canonical(reason: &'static str) -> BackendError {
    AddressError::InvalidCanonicalAccount { reason }.into()
}

fn is_separator(b: u8) -> bool {
    matches!(b, b'.' | b'-' | b'_')
}

fn is_lower_hex(bytes: &[u8]) -> bool {
    bytes
        .iter()
        .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(b))
}

/// Checks NEAR's account-id rules.
fn check_account_id(id: &[u8]) -> Result<(), BackendError> {
    if !(MIN_ACCOUNT_ID_LEN..=MAX_ACCOUNT_ID_LEN).contains(&id.len()) {
        return Err(invalid_id("length must be 2 to 64 characters"));
    }
    let mut previous_was_separator = true; // no separator at the start
    for &b in id {
        if is_separator(b) {
            if previous_was_separator {
                return Err(invalid_id(
                    "separators (. - _) may not start the id or follow each other",
                ));
            }
            previous_was_separator = true;
        } else if b.is_ascii_lowercase() || b.is_ascii_digit() {
            previous_was_separator = false;
        } else {
            return Err(invalid_id("only a-z, 0-9, '.', '-' and '_' are allowed"));
        }
    }
    if previous_was_separator {
        return Err(invalid_id("the id may not end with a separator"));
    }
    Ok(())
}

/// The hex digits of a NEAR-implicit account id.
fn near_implicit(id: &[u8]) -> Option<&[u8]> {
    (id.len() == 64 && is_lower_hex(id)).then_some(id)
}

/// The 40 hex digits of an ETH-implicit account id.
fn eth_implicit(id: &[u8]) -> Option<&[u8]> {
    let hex = id.strip_prefix(b"0x")?;
    (hex.len() == 40 && is_lower_hex(hex)).then_some(hex)
}

fn nibble(c: u8) -> u8 {
    match c {
        b'0'..=b'9' => c - b'0',
        // Only called on checked lowercase hex.
        _ => c.wrapping_sub(b'a').wrapping_add(10),
    }
}

fn decode_hex(tag: u8, hex: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(1 + hex.len() / 2);
    out.push(tag);
    out.extend(
        hex.chunks_exact(2)
            .map(|pair| (nibble(pair[0]) << 4) | nibble(pair[1])),
    );
    out
}

fn encode_hex(prefix: &str, bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(prefix.len() + 2 * bytes.len());
    out.push_str(prefix);
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    out
}

impl Api for NearApi {
    fn addr_canonicalize(&self, human: &str) -> Result<Vec<u8>, BackendError> {
        let id = human.as_bytes();
        check_account_id(id)?;
        if let Some(hex) = near_implicit(id) {
            return Ok(decode_hex(TAG_NEAR_IMPLICIT, hex));
        }
        if let Some(hex) = eth_implicit(id) {
            return Ok(decode_hex(TAG_ETH_IMPLICIT, hex));
        }
        Ok(id.to_vec())
    }

    fn addr_humanize(&self, canonical: &[u8]) -> Result<String, BackendError> {
        match canonical.split_first() {
            None => Err(invalid_canonical("empty")),
            Some((&TAG_NEAR_IMPLICIT, key)) => match key.len() {
                32 => Ok(encode_hex("", key)),
                _ => Err(invalid_canonical(
                    "a NEAR-implicit account is 0x00 and 32 key bytes",
                )),
            },
            Some((&TAG_ETH_IMPLICIT, address)) => match address.len() {
                20 => Ok(encode_hex("0x", address)),
                _ => Err(invalid_canonical(
                    "an ETH-implicit account is 0x01 and 20 address bytes",
                )),
            },
            Some(_) => {
                check_account_id(canonical)
                    .map_err(|_| invalid_canonical("the bytes are not a valid named account id"))?;
                if near_implicit(canonical).is_some() || eth_implicit(canonical).is_some() {
                    return Err(invalid_canonical(
                        "implicit accounts have only the tagged canonical form",
                    ));
                }
                // Checked ASCII above.
                String::from_utf8(canonical.to_vec())
                    .map_err(|_| invalid_canonical("the bytes are not UTF-8"))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn named_accounts() {
        let api = NearApi;
        for id in [
            "alice.near",
            "app.stage.testnet",
            "1_4m_n0t-al1c3.near",
            "ab",
            "root",
        ] {
            let canonical = api.addr_canonicalize(id).unwrap();
            assert_eq!(canonical, id.as_bytes());
            assert_eq!(api.addr_humanize(&canonical).unwrap(), id);
            api.addr_validate(id).unwrap();
        }
        for bad in [
            "a",
            "_alice.",
            ".bob.near-",
            "alice..near",
            "not-_alice.near",
            "Alice.near",
            "ƒelicia.near",
            "a b",
            &"a".repeat(65),
        ] {
            assert!(
                matches!(
                    api.addr_canonicalize(bad),
                    Err(BackendError::InvalidAddress(
                        AddressError::InvalidAccountId { .. }
                    ))
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn implicit_accounts() {
        let api = NearApi;
        let implicit = "98793cd91a3f870fb126f66285808c7e094afcfc4eda8a970f6648cdf0dbd6de";
        let canonical = api.addr_canonicalize(implicit).unwrap();
        assert_eq!(canonical.len(), 33);
        assert_eq!(canonical[0], 0);
        assert_eq!(canonical[1..], hex::decode(implicit).unwrap());
        assert_eq!(api.addr_humanize(&canonical).unwrap(), implicit);

        let eth = "0x85f17cf997934a597031b2e18a9ab6ebd4b9f6a4";
        let canonical = api.addr_canonicalize(eth).unwrap();
        assert_eq!(canonical.len(), 21);
        assert_eq!(canonical[0], 1);
        assert_eq!(api.addr_humanize(&canonical).unwrap(), eth);

        // Upper-case hex is not a valid account id at all.
        assert!(api.addr_canonicalize(&implicit.to_uppercase()).is_err());
        // The ASCII spelling of an implicit account is not canonical.
        assert!(api.addr_humanize(implicit.as_bytes()).is_err());
        assert!(api.addr_humanize(eth.as_bytes()).is_err());
        // Wrong lengths after a tag.
        assert!(api.addr_humanize(&[0; 32]).is_err());
        assert!(api.addr_humanize(&[1; 22]).is_err());
        assert!(api.addr_humanize(&[]).is_err());
        assert!(api.addr_humanize(b"A.near").is_err());
    }
}
