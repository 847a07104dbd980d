//! cw-host's `Storage`, `Api`, `Querier` and debug handler over the App's
//! own, lent for one call ([`crate::lend`]).

use cosmwasm_std::CanonicalAddr;
use cw_gas::CwGas;
use cw_host::{
    AddressError, BackendError, DebugHandler, DebugInfo, KeyRange, Order, QueryOutcome, Record,
};

use crate::lend::Lent;
use crate::nesting;

/// The App's contract storage (already namespaced to the contract).
pub(crate) struct AppStorage(pub(crate) Lent<dyn cosmwasm_std::Storage>);

impl cw_host::Storage for AppStorage {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, BackendError> {
        Ok(self.0.get()?.get(key))
    }

    fn set(&mut self, key: &[u8], value: &[u8]) -> Result<(), BackendError> {
        // cosmwasm-std's storages panic on an empty value (cosmwasm-std
        // refuses it inside the contract, so only a hand-made contract can
        // send one); refuse it as a deterministic failure instead.
        if value.is_empty() {
            return Err(BackendError::Refused {
                message: "db_write with an empty value: cosmwasm-std storage cannot hold it".into(),
            });
        }
        self.0.get_mut()?.set(key, value);
        Ok(())
    }

    fn remove(&mut self, key: &[u8]) -> Result<(), BackendError> {
        self.0.get_mut()?.remove(key);
        Ok(())
    }

    fn seek(
        &self,
        range: KeyRange<'_>,
        order: Order,
        after: Option<&[u8]>,
    ) -> Result<Option<Record>, BackendError> {
        let storage = self.0.get()?;
        if range.is_empty() {
            return Ok(None);
        }
        let found = match order {
            Order::Ascending => {
                // The first key strictly after `after` is `after` + 0x00.
                let successor = after.map(|after| [after, &[0]].concat());
                let start = match (range.start, successor.as_deref()) {
                    (Some(start), Some(successor)) => Some(start.max(successor)),
                    (start, successor) => start.or(successor),
                };
                let narrowed = KeyRange {
                    start,
                    end: range.end,
                };
                if narrowed.is_empty() {
                    return Ok(None);
                }
                storage
                    .range(start, range.end, cosmwasm_std::Order::Ascending)
                    .next()
            }
            Order::Descending => {
                // Keys strictly before `after`: `after` as exclusive end.
                let end = match (range.end, after) {
                    (Some(end), Some(after)) => Some(end.min(after)),
                    (end, after) => end.or(after),
                };
                let narrowed = KeyRange {
                    start: range.start,
                    end,
                };
                if narrowed.is_empty() {
                    return Ok(None);
                }
                storage
                    .range(range.start, end, cosmwasm_std::Order::Descending)
                    .next()
            }
        };
        Ok(found)
    }
}

/// The App's address API (its bech32 prefix and rules).
pub(crate) struct AppApi(pub(crate) Lent<dyn cosmwasm_std::Api>);

impl cw_host::Api for AppApi {
    fn addr_canonicalize(&self, human: &str) -> Result<Vec<u8>, BackendError> {
        self.0
            .get()?
            .addr_canonicalize(human)
            .map(|canonical| canonical.as_slice().to_vec())
            .map_err(|e| invalid_address(&e.to_string(), None))
    }

    fn addr_humanize(&self, canonical: &[u8]) -> Result<String, BackendError> {
        self.0
            .get()?
            .addr_humanize(&CanonicalAddr::from(canonical))
            .map(cosmwasm_std::Addr::into_string)
            .map_err(|e| invalid_address(&e.to_string(), Some(canonical.len())))
    }
}

/// The App API's refusal as the address error a chain would show the
/// contract: cw-host's errors carry cosmwasm-vm's fixed texts, so the
/// App's wording is matched to the closest one.
fn invalid_address(message: &str, canonical_length: Option<usize>) -> BackendError {
    let message = message.to_ascii_lowercase();
    let error = if message.contains("prefix") {
        AddressError::WrongPrefix
    } else if message.contains("normalized") {
        AddressError::NotNormalized
    } else if let Some(length) = canonical_length {
        AddressError::InvalidCanonicalLength { length }
    } else {
        AddressError::Bech32Decode
    };
    BackendError::InvalidAddress(error)
}

/// The App's querier: bank, staking, wasm (native mocks and Wasm
/// contracts alike), custom.
pub(crate) struct AppQuerier(pub(crate) Lent<dyn cosmwasm_std::Querier>);

impl cw_host::Querier for AppQuerier {
    fn query_raw(&self, request: &[u8], gas_limit: CwGas, depth: u32) -> QueryOutcome {
        let querier = match self.0.get() {
            Ok(querier) => querier,
            Err(e) => {
                return QueryOutcome {
                    result: Err(e),
                    gas_used: CwGas::ZERO,
                };
            }
        };
        let (answer, nested) = nesting::in_query(depth, gas_limit, || querier.raw_query(request));
        if nested.out_of_gas {
            // A contract queried ran out of the gas this query had: the
            // whole call runs out, as on a chain.
            return QueryOutcome {
                result: Err(BackendError::OutOfGas),
                gas_used: nested.gas_used.max(gas_limit.saturating_add(CwGas::new(1))),
            };
        }
        let result = cosmwasm_std::to_json_vec(&answer).map_err(|e| BackendError::Other {
            message: format!("cannot serialize the App's query answer: {e}"),
        });
        QueryOutcome {
            result,
            gas_used: nested.gas_used,
        }
    }
}

/// The contract's `debug` messages, handed to the App API's `debug` (as a
/// native contract's `deps.api.debug` would be).
pub(crate) struct AppDebug(pub(crate) Lent<dyn cosmwasm_std::Api>);

impl DebugHandler for AppDebug {
    fn handle(&mut self, message: &str, _info: DebugInfo) {
        if let Ok(api) = self.0.get() {
            api.debug(message);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lend::{StorageLoan, lend};
    use cosmwasm_std::Empty;
    use cosmwasm_std::testing::{MockApi, MockQuerier, MockStorage};
    use cw_host::Storage as _;

    /// `seek` against a model: every key of a range, both orders, stepping
    /// from each key.
    #[test]
    fn seek_steps_through_a_range_in_both_orders() {
        let mut storage = MockStorage::new();
        let keys: [&[u8]; 6] = [b"a", b"a\0", b"ab", b"b", b"c", b"d"];
        for key in keys {
            cosmwasm_std::Storage::set(&mut storage, key, b"x");
        }
        let api = MockApi::default();
        let querier: MockQuerier<Empty> = MockQuerier::new(&[]);
        lend(StorageLoan::Shared(&storage), &api, &querier, |loans| {
            let storage = AppStorage(loans.storage);
            let range = KeyRange {
                start: Some(b"a\0"),
                end: Some(b"d"),
            };
            for (order, expected) in [
                (Order::Ascending, vec![&b"a\0"[..], b"ab", b"b", b"c"]),
                (Order::Descending, vec![&b"c"[..], b"b", b"ab", b"a\0"]),
            ] {
                let mut seen = Vec::new();
                let mut after: Option<Vec<u8>> = None;
                while let Some((key, _)) = storage
                    .seek(range, order, after.as_deref())
                    .unwrap_or_else(|e| panic!("{e}"))
                {
                    seen.push(key.clone());
                    after = Some(key);
                }
                assert_eq!(seen, expected, "{order:?}");
            }
        });
    }

    proptest::proptest! {
        /// Draining a range with `seek`, in either order, gives exactly
        /// the model's keys of that range in that order.
        #[test]
        fn seek_matches_a_btreemap(
            keys in proptest::collection::btree_set(proptest::collection::vec(0u8..4, 0..4), 0..24),
            start in proptest::option::of(proptest::collection::vec(0u8..4, 0..4)),
            end in proptest::option::of(proptest::collection::vec(0u8..4, 0..4)),
            descending: bool,
        ) {
            let mut storage = MockStorage::new();
            for key in &keys {
                cosmwasm_std::Storage::set(&mut storage, key, b"v");
            }
            let range = KeyRange { start: start.as_deref(), end: end.as_deref() };
            let mut expected: Vec<Vec<u8>> =
                keys.iter().filter(|k| range.contains(k)).cloned().collect();
            let order = if descending {
                expected.reverse();
                Order::Descending
            } else {
                Order::Ascending
            };
            let api = MockApi::default();
            let querier: MockQuerier<Empty> = MockQuerier::new(&[]);
            let seen = lend(StorageLoan::Shared(&storage), &api, &querier, |loans| {
                let storage = AppStorage(loans.storage);
                let mut seen = Vec::new();
                let mut after: Option<Vec<u8>> = None;
                while let Ok(Some((key, _))) = storage.seek(range, order, after.as_deref()) {
                    seen.push(key.clone());
                    after = Some(key);
                }
                seen
            });
            proptest::prop_assert_eq!(seen, expected);
        }
    }

    #[test]
    fn app_address_errors_become_the_chains() {
        assert_eq!(
            invalid_address("kind: Other, error: Wrong bech32 prefix", None),
            BackendError::InvalidAddress(AddressError::WrongPrefix)
        );
        assert_eq!(
            invalid_address("Invalid input", None),
            BackendError::InvalidAddress(AddressError::Bech32Decode)
        );
        assert_eq!(
            invalid_address("Invalid canonical address length", Some(3)),
            BackendError::InvalidAddress(AddressError::InvalidCanonicalLength { length: 3 })
        );
    }
}
