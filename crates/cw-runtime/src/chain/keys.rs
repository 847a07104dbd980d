//! Where each part of the chain state lives in the one [`TxStore`]
//! (`super::store::TxStore`): a one-byte prefix per kind, as wasmd keeps its
//! own prefixes per store.

/// Contract records: prefix, then the contract address.
pub const CONTRACT: u8 = 0x02;
/// Contract storage: prefix (wasmd's `ContractStorePrefix`), the contract
/// address, then the contract's own key.
pub const CONTRACT_STORE: u8 = 0x03;
/// Counters (`instance_id`).
pub const SEQUENCE: u8 = 0x04;
/// Bank balances: prefix, address length (u16 big-endian), address, denom.
pub const BALANCE: u8 = 0x10;
/// Bank supply: prefix, denom.
pub const SUPPLY: u8 = 0x11;

/// The key of a contract's record.
#[must_use]
pub fn contract(address: &str) -> Vec<u8> {
    let mut key = vec![CONTRACT];
    key.extend_from_slice(address.as_bytes());
    key
}

/// The prefix of a contract's storage namespace. Contract addresses have one
/// length per chain (32 bytes as bech32), so no prefix is a prefix of another.
#[must_use]
pub fn contract_store(address: &str) -> Vec<u8> {
    let mut key = vec![CONTRACT_STORE];
    key.extend_from_slice(
        &u16::try_from(address.len())
            .unwrap_or(u16::MAX)
            .to_be_bytes(),
    );
    key.extend_from_slice(address.as_bytes());
    key
}

/// The key of a named counter.
#[must_use]
pub fn sequence(name: &str) -> Vec<u8> {
    let mut key = vec![SEQUENCE];
    key.extend_from_slice(name.as_bytes());
    key
}

/// The prefix of every balance of `address`.
#[must_use]
pub fn balances(address: &str) -> Vec<u8> {
    let mut key = vec![BALANCE];
    key.extend_from_slice(
        &u16::try_from(address.len())
            .unwrap_or(u16::MAX)
            .to_be_bytes(),
    );
    key.extend_from_slice(address.as_bytes());
    key
}

/// The key of `address`'s balance in `denom`.
#[must_use]
pub fn balance(address: &str, denom: &str) -> Vec<u8> {
    let mut key = balances(address);
    key.extend_from_slice(denom.as_bytes());
    key
}

/// The key of the supply of `denom`.
#[must_use]
pub fn supply(denom: &str) -> Vec<u8> {
    let mut key = vec![SUPPLY];
    key.extend_from_slice(denom.as_bytes());
    key
}
