//! Where each part of the chain state lives in the one [`TxStore`]
//! (`super::store::TxStore`): a one-byte prefix per kind, as wasmd keeps its
//! own prefixes per store.

/// Contract records: prefix, then the contract address.
pub(crate) const CONTRACT: u8 = 0x02;
/// Contract storage: prefix (wasmd's `ContractStorePrefix`), the contract
/// address, then the contract's own key.
pub(crate) const CONTRACT_STORE: u8 = 0x03;
/// Counters (`instance_id`).
pub(crate) const SEQUENCE: u8 = 0x04;
/// Bank balances: prefix, address length (u16 big-endian), address, denom.
pub(crate) const BALANCE: u8 = 0x10;
/// Bank supply: prefix, denom.
pub(crate) const SUPPLY: u8 = 0x11;

/// `tag` followed by `name`.
fn tagged(tag: u8, name: &str) -> Vec<u8> {
    let mut key = vec![tag];
    key.extend_from_slice(name.as_bytes());
    key
}

/// `tag`, the length of `name` (big-endian `u16`), then `name`: no such key
/// is a prefix of another with the same tag.
fn length_prefixed(tag: u8, name: &str) -> Vec<u8> {
    let mut key = vec![tag];
    key.extend_from_slice(&u16::try_from(name.len()).unwrap_or(u16::MAX).to_be_bytes());
    key.extend_from_slice(name.as_bytes());
    key
}

/// The key of a contract's record.
#[must_use]
pub(crate) fn contract(address: &str) -> Vec<u8> {
    tagged(CONTRACT, address)
}

/// The prefix of a contract's storage namespace. Contract addresses have one
/// length per chain (32 bytes as bech32), so no prefix is a prefix of another.
#[must_use]
pub(crate) fn contract_store(address: &str) -> Vec<u8> {
    length_prefixed(CONTRACT_STORE, address)
}

/// The key of a named counter.
#[must_use]
pub(crate) fn sequence(name: &str) -> Vec<u8> {
    tagged(SEQUENCE, name)
}

/// The prefix of every balance of `address`.
#[must_use]
pub(crate) fn balances(address: &str) -> Vec<u8> {
    length_prefixed(BALANCE, address)
}

/// The key of `address`'s balance in `denom`.
#[must_use]
pub(crate) fn balance(address: &str, denom: &str) -> Vec<u8> {
    let mut key = balances(address);
    key.extend_from_slice(denom.as_bytes());
    key
}

/// The key of the supply of `denom`.
#[must_use]
pub(crate) fn supply(denom: &str) -> Vec<u8> {
    tagged(SUPPLY, denom)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The layout is persisted (a `cwr` home stores these keys): it must
    /// never change by accident.
    #[test]
    fn key_layout_is_pinned() {
        assert_eq!(contract("ab"), [CONTRACT, b'a', b'b']);
        assert_eq!(contract_store("ab"), [CONTRACT_STORE, 0, 2, b'a', b'b']);
        assert_eq!(balances("ab"), [BALANCE, 0, 2, b'a', b'b']);
        assert_eq!(balance("ab", "u"), [BALANCE, 0, 2, b'a', b'b', b'u']);
        assert_eq!(sequence("x"), [SEQUENCE, b'x']);
        assert_eq!(supply("u"), [SUPPLY, b'u']);
    }
}
