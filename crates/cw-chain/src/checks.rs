//! wasmd's `ValidateBasic` checks (`x/wasm/types/tx.go`, `validation.go`):
//! what a message must satisfy before the keeper looks at it, for messages
//! from users and from contracts alike.

use cw_host::Api;

use super::error::ChainError;
use super::json_valid::json_valid;

/// wasmd `MaxLabelSize`.
pub(crate) const MAX_LABEL_BYTES: usize = 128;

/// The account an address names, in its normalized form, as the SDK's
/// `AccAddressFromBech32` reads it (an all-upper-case bech32 address is
/// the same account): the chain's `Api` canonicalizes, then humanizes.
/// A refusal is the plain error `ValidateBasic` wraps with the field name
/// (`codespace: undefined, code: 1`).
pub(crate) fn account(
    api: &dyn Api,
    field: &'static str,
    address: &str,
) -> Result<String, ChainError> {
    normalize(api, address).map_err(|reason| ChainError::MalformedAddress {
        field,
        address: address.to_owned(),
        reason,
    })
}

/// As [`account`], for the bank and the queriers, whose refusal is
/// `ErrInvalidAddress` (sdk 7).
pub(crate) fn bank_account(api: &dyn Api, address: &str) -> Result<String, ChainError> {
    normalize(api, address).map_err(|reason| ChainError::InvalidAddress {
        address: address.to_owned(),
        reason,
    })
}

fn normalize(api: &dyn Api, address: &str) -> Result<String, String> {
    let canonical = api.addr_canonicalize(address).map_err(|e| e.to_string())?;
    api.addr_humanize(&canonical).map_err(|e| e.to_string())
}

/// wasmd `ValidateLabel`: required, at most [`MAX_LABEL_BYTES`], no
/// surrounding whitespace, printable characters only.
pub(crate) fn label(label: &str) -> Result<(), ChainError> {
    if label.is_empty() {
        return Err(ChainError::Empty {
            what: "label: is required",
        });
    }
    if label.len() > MAX_LABEL_BYTES {
        return Err(ChainError::TooLong {
            what: "label",
            len: label.len(),
            limit: MAX_LABEL_BYTES,
        });
    }
    if label.trim() != label {
        return Err(ChainError::Invalid {
            what: "label",
            reason: "label must not start/end with whitespaces".into(),
        });
    }
    if !label.chars().all(go_is_print) {
        return Err(ChainError::Invalid {
            what: "label",
            reason: "label must have printable characters only".into(),
        });
    }
    Ok(())
}

/// wasmd `ValidateSalt`: 1 to 64 bytes.
pub(crate) fn salt(salt: &[u8]) -> Result<(), ChainError> {
    if salt.is_empty() || salt.len() > 64 {
        return Err(ChainError::InvalidSalt { len: salt.len() });
    }
    Ok(())
}

/// wasmd `RawContractMessage.ValidateBasic`: the message is JSON (Go's
/// `json.Valid`), wrapped as `payload msg` (`ErrInvalid`, wasm 14).
pub(crate) fn json_message(what: &'static str, msg: &[u8]) -> Result<(), ChainError> {
    if json_valid(msg) {
        Ok(())
    } else {
        Err(ChainError::Invalid {
            what,
            reason: "message is not valid JSON".into(),
        })
    }
}

/// wasmd `MsgUpdateAdmin.ValidateBasic`: `strings.EqualFold(Sender,
/// NewAdmin)` refuses an update to the sender itself (wasm 14).
pub(crate) fn new_admin_differs(sender: &str, new_admin: &str) -> Result<(), ChainError> {
    let fold = |s: &str| s.chars().flat_map(char::to_lowercase).collect::<String>();
    if fold(sender) == fold(new_admin) {
        return Err(ChainError::Invalid {
            what: "new admin",
            reason: "new admin is the same as the old".into(),
        });
    }
    Ok(())
}

/// Go's `unicode.IsPrint`: letters, marks, numbers, punctuation, symbols
/// and the ASCII space. Refused here: other whitespace and controls (Z*,
/// Cc), format characters (Cf, Unicode 15), private use (Co) and the
/// noncharacters; code points Unicode leaves unassigned (Cn) are accepted,
/// where Go refuses them, since Rust's standard library has no category
/// table to tell them apart.
fn go_is_print(c: char) -> bool {
    if c == ' ' {
        return true;
    }
    if c.is_whitespace() || c.is_control() {
        return false;
    }
    let code = u32::from(c);
    let format = matches!(
        code,
        0xAD | 0x600..=0x605
            | 0x61C
            | 0x6DD
            | 0x70F
            | 0x890..=0x891
            | 0x8E2
            | 0x180E
            | 0x200B..=0x200F
            | 0x202A..=0x202E
            | 0x2060..=0x2064
            | 0x2066..=0x206F
            | 0xFEFF
            | 0xFFF9..=0xFFFB
            | 0x110BD
            | 0x110CD
            | 0x13430..=0x1343F
            | 0x1BCA0..=0x1BCA3
            | 0x1D173..=0x1D17A
            | 0xE0001
            | 0xE0020..=0xE007F
    );
    let private_use = matches!(code, 0xE000..=0xF8FF | 0xF0000..=0xFFFFD | 0x100000..=0x10FFFD);
    let noncharacter = matches!(code, 0xFDD0..=0xFDEF) || code & 0xFFFE == 0xFFFE;
    !(format || private_use || noncharacter)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_follow_wasmd_validate_label() {
        assert!(label("my contract #1 é").is_ok());
        assert_eq!(
            label("").unwrap_err().abci_code(),
            ("wasm", 12),
            "empty: ErrEmpty"
        );
        assert_eq!(
            label(&"a".repeat(129)).unwrap_err().abci_code(),
            ("wasm", 13)
        );
        assert!(label(&"a".repeat(128)).is_ok());
        for bad in [
            " a",
            "a ",
            "a\u{a0}",
            "a\tb",
            "a\u{200b}b",
            "a\u{e000}",
            "a\u{7f}",
        ] {
            assert_eq!(label(bad).unwrap_err().abci_code(), ("wasm", 14), "{bad:?}");
        }
    }

    #[test]
    fn salts_follow_wasmd_validate_salt() {
        assert_eq!(salt(b"").unwrap_err().abci_code(), ("wasm", 12));
        assert_eq!(salt(&[1; 65]).unwrap_err().abci_code(), ("wasm", 13));
        assert!(salt(&[1; 64]).is_ok());
    }

    #[test]
    fn admin_update_to_the_sender_is_refused_ignoring_case() {
        assert!(new_admin_differs("abc", "abd").is_ok());
        assert_eq!(
            new_admin_differs("abc", "ABC").unwrap_err().abci_code(),
            ("wasm", 14)
        );
    }
}
