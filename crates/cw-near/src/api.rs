//! [`NearChainApi`]: the addresses of a CosmWasm chain that lives in a NEAR
//! contract. Senders are NEAR accounts; contracts and module accounts, which
//! no NEAR key controls, are bech32 addresses that can never be NEAR
//! account ids.

use cw_host::{AddressError, Api, BackendError, NearApi};

/// The bech32 prefix of contract and module-account addresses.
pub const DEFAULT_CONTRACT_PREFIX: &str = "cosmwasm";

/// Canonical lengths of the addresses the chain derives itself: 20 bytes
/// (an SDK module account, `authtypes.NewModuleAddress`) and 32 bytes (a
/// contract, wasmd's classic and `instantiate2` derivations).
const DERIVED_LENGTHS: [usize; 2] = [20, 32];

/// Addresses on a chain inside a NEAR contract.
///
/// - A valid NEAR account id (`alice.near`, an implicit account) is a
///   sender address, with cw-host's [`NearApi`] canonical form. The NEAR
///   predecessor of each call is its CosmWasm sender.
/// - A 20- or 32-byte canonical address that is not the canonical form of a
///   NEAR account (what the chain derives for contracts and the wasm module
///   account) is bech32 with [`DEFAULT_CONTRACT_PREFIX`]. A 32-byte address
///   is at least 67 characters long, over NEAR's 64-character limit, so no
///   NEAR account can ever send as a contract.
///
/// `humanize(canonicalize(h)) == h` for every address this Api accepts.
/// The one overlap: a 20-byte bech32 address (47 characters) is also a
/// syntactically valid NEAR account id, so it canonicalizes to its ASCII
/// bytes (the NEAR form). That concerns only the wasm module account, which
/// the chain uses to burn coins within one message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NearChainApi {
    hrp: bech32::Hrp,
}

impl Default for NearChainApi {
    fn default() -> Self {
        Self::new(DEFAULT_CONTRACT_PREFIX)
            .expect("the default contract prefix is a valid bech32 prefix")
    }
}

impl NearChainApi {
    /// An Api whose contract addresses use the bech32 prefix `prefix`.
    ///
    /// # Errors
    /// [`AddressError::InvalidPrefix`] when `prefix` is not a valid bech32
    /// prefix.
    pub fn new(prefix: &str) -> Result<Self, AddressError> {
        let hrp = bech32::Hrp::parse(prefix).map_err(|_| AddressError::InvalidPrefix)?;
        Ok(Self { hrp })
    }
}

impl Api for NearChainApi {
    fn addr_canonicalize(&self, human: &str) -> Result<Vec<u8>, BackendError> {
        // Every valid NEAR account id is a NEAR account, first.
        let near = NearApi.addr_canonicalize(human);
        if near.is_ok() {
            return near;
        }
        let (hrp, data) = bech32::decode(human).map_err(|_| AddressError::Bech32Decode)?;
        if hrp != self.hrp {
            return Err(AddressError::WrongPrefix.into());
        }
        if !DERIVED_LENGTHS.contains(&data.len()) {
            return Err(AddressError::InvalidCanonicalLength { length: data.len() }.into());
        }
        // Upper case decodes too, but only the lower-case spelling is the
        // address (as `humanize` writes it); and bytes that are a NEAR
        // account's canonical form humanize to that account, not to this
        // string.
        if human != human.to_ascii_lowercase() || NearApi.addr_humanize(&data).is_ok() {
            return Err(AddressError::NotNormalized.into());
        }
        Ok(data)
    }

    fn addr_humanize(&self, canonical: &[u8]) -> Result<String, BackendError> {
        let near = NearApi.addr_humanize(canonical);
        if near.is_ok() || !DERIVED_LENGTHS.contains(&canonical.len()) {
            return near;
        }
        bech32::encode::<bech32::Bech32>(self.hrp, canonical)
            .map_err(|_| AddressError::Bech32Encode.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn near_accounts_and_contracts_round_trip() {
        let api = NearChainApi::default();
        for human in [
            "alice.near",
            "bob.testnet",
            "0x85f17cf997934a597031b2e18a9ab6ebd4b9f6a4",
        ] {
            let canonical = api.addr_canonicalize(human).unwrap();
            assert_eq!(api.addr_humanize(&canonical).unwrap(), human);
        }
        let contract = cw_chain::classic_address_bytes(1, 1);
        let human = api.addr_humanize(&contract).unwrap();
        assert!(human.starts_with("cosmwasm1"), "{human}");
        assert!(human.len() > 64, "never a NEAR account id: {human}");
        assert_eq!(api.addr_canonicalize(&human).unwrap(), contract);
        let module = &contract[..20];
        let human = api.addr_humanize(module).unwrap();
        assert_eq!(
            api.addr_humanize(&api.addr_canonicalize(&human).unwrap())
                .unwrap(),
            human
        );
    }

    #[test]
    fn refuses_what_is_neither() {
        let api = NearChainApi::default();
        let contract = api.addr_humanize(&[7; 32]).unwrap();
        for bad in [
            "Alice.near".to_owned(),
            contract.to_uppercase(),
            bech32::encode::<bech32::Bech32>(bech32::Hrp::parse("cosmos").unwrap(), &[7; 32])
                .unwrap(),
            api.addr_humanize(&[7; 31]).unwrap_or_else(|_| "x".into()),
            String::new(),
        ] {
            assert!(api.addr_canonicalize(&bad).is_err(), "{bad}");
        }
        // 32 bytes that spell a NEAR account are that account, never a
        // contract.
        let spelled = b"abcdefghijklmnopqrstuvwxyz012345";
        assert_eq!(
            api.addr_humanize(spelled).unwrap(),
            "abcdefghijklmnopqrstuvwxyz012345"
        );
        let disguised = bech32::encode::<bech32::Bech32>(api.hrp, spelled).unwrap();
        assert!(api.addr_canonicalize(&disguised).is_err());
    }
}
