//! [`Bech32Api`]: Cosmos-style bech32 addresses with a configurable prefix.

use bech32::primitives::decode::CheckedHrpstring;
use bech32::{Bech32, Hrp};
use sha2::{Digest, Sha256};

use crate::backend::api::Api;
use crate::error::{AddressError, BackendError};

/// The default prefix, cosmwasm-vm's `MockApi` `BECH32_PREFIX`.
pub const DEFAULT_BECH32_PREFIX: &str = "cosmwasm";

/// Bech32 addresses (BIP-173 checksum, not bech32m) whose canonical form is
/// the decoded data bytes, of any length from 1 to 255.
///
/// The rules are exactly those of cosmwasm-vm 3.0.11's `MockApi`, and so are
/// the error messages the contract receives:
/// - canonicalize: the input must decode as bech32 with a valid checksum
///   (all lower or all upper case; mixed case is "Error decoding bech32"),
///   its prefix must equal the configured one ignoring ASCII case ("Wrong
///   bech32 prefix"), and the data must be 1 to 255 bytes ("Invalid
///   canonical address length");
/// - humanize: 1 to 255 bytes, encoded in lower case with the configured
///   prefix;
/// - validate: canonicalize then humanize must give the input back, so an
///   all-upper-case address is valid to canonicalize but "not normalized".
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Bech32Api {
    prefix: String,
}

impl Default for Bech32Api {
    /// The `cosmwasm` prefix.
    fn default() -> Self {
        Self::new(DEFAULT_BECH32_PREFIX)
    }
}

impl Bech32Api {
    /// An api for addresses with this prefix. The prefix is checked when it
    /// is first used, as `MockApi` does: an invalid one makes every
    /// humanization fail with "Invalid bech32 prefix".
    pub fn new(prefix: impl Into<String>) -> Self {
        Self {
            prefix: prefix.into(),
        }
    }

    /// The configured prefix.
    #[must_use]
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// The address of `SHA-256(input)`, like `MockApi::addr_make`: a
    /// convenient way to name test accounts ("creator", "alice").
    ///
    /// # Errors
    /// [`AddressError::InvalidPrefix`] if the configured prefix is invalid.
    pub fn addr_make(&self, input: &str) -> Result<String, AddressError> {
        let digest = Sha256::digest(input.as_bytes());
        self.encode(&digest)
    }

    fn encode(&self, canonical: &[u8]) -> Result<String, AddressError> {
        let hrp = Hrp::parse(&self.prefix).map_err(|_| AddressError::InvalidPrefix)?;
        bech32::encode::<Bech32>(hrp, canonical).map_err(|_| AddressError::Bech32Encode)
    }
}

/// `MockApi`'s `validate_length`: canonical addresses are 1 to 255 bytes.
fn check_canonical_length(bytes: &[u8]) -> Result<(), AddressError> {
    match bytes.len() {
        1..=255 => Ok(()),
        length => Err(AddressError::InvalidCanonicalLength { length }),
    }
}

impl Api for Bech32Api {
    fn addr_canonicalize(&self, human: &str) -> Result<Vec<u8>, BackendError> {
        let checked =
            CheckedHrpstring::new::<Bech32>(human).map_err(|_| AddressError::Bech32Decode)?;
        if !checked
            .hrp()
            .as_bytes()
            .eq_ignore_ascii_case(self.prefix.as_bytes())
        {
            return Err(AddressError::WrongPrefix.into());
        }
        let bytes: Vec<u8> = checked.byte_iter().collect();
        check_canonical_length(&bytes)?;
        Ok(bytes)
    }

    fn addr_humanize(&self, canonical: &[u8]) -> Result<String, BackendError> {
        check_canonical_length(canonical)?;
        Ok(self.encode(canonical)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// From cosmwasm-vm's `MockApi::addr_make` documentation.
    const CREATOR: &str = "cosmwasm1h34lmpywh4upnjdg90cjf4j70aee6z8qqfspugamjp42e4q28kqs8s7vcp";

    #[test]
    fn addr_make_matches_mock_api() {
        assert_eq!(Bech32Api::default().addr_make("creator").unwrap(), CREATOR);
        assert_eq!(
            Bech32Api::new("juno").addr_make("creator").unwrap(),
            "juno1h34lmpywh4upnjdg90cjf4j70aee6z8qqfspugamjp42e4q28kqsksmtyp"
        );
    }

    #[test]
    fn round_trip_and_normalization() {
        let api = Bech32Api::default();
        let canonical = api.addr_canonicalize(CREATOR).unwrap();
        assert_eq!(canonical.len(), 32);
        assert_eq!(api.addr_humanize(&canonical).unwrap(), CREATOR);
        api.addr_validate(CREATOR).unwrap();

        let upper = CREATOR.to_ascii_uppercase();
        assert_eq!(api.addr_canonicalize(&upper).unwrap(), canonical);
        assert_eq!(
            api.addr_validate(&upper),
            Err(AddressError::NotNormalized.into())
        );
        let mut mixed = CREATOR.to_string();
        mixed.replace_range(0..1, "C");
        assert_eq!(
            api.addr_canonicalize(&mixed),
            Err(AddressError::Bech32Decode.into())
        );
    }

    #[test]
    fn rejections() {
        let api = Bech32Api::default();
        let juno = Bech32Api::new("juno").addr_make("x").unwrap();
        assert_eq!(
            api.addr_canonicalize(&juno),
            Err(AddressError::WrongPrefix.into())
        );
        assert_eq!(
            api.addr_canonicalize("cosmwasm1qqqqqq"),
            Err(AddressError::Bech32Decode.into())
        );
        assert_eq!(
            api.addr_humanize(&[]),
            Err(AddressError::InvalidCanonicalLength { length: 0 }.into())
        );
        assert_eq!(
            api.addr_humanize(&[1; 256]),
            Err(AddressError::InvalidCanonicalLength { length: 256 }.into())
        );
        // Any length from 1 to 255 round trips.
        for len in [1usize, 20, 32, 54, 64, 255] {
            let bytes = vec![0xab; len];
            let human = api.addr_humanize(&bytes).unwrap();
            assert_eq!(api.addr_canonicalize(&human).unwrap(), bytes);
        }
        assert_eq!(
            Bech32Api::new("").addr_humanize(&[1]),
            Err(AddressError::InvalidPrefix.into())
        );
    }
}
