//! The classic instance counter (wasmd's `KeySequenceInstanceID`) is
//! checked: at its maximum an instantiation fails with a typed error
//! instead of wrapping to an address a contract already has.

use cw_runtime::chain::{ChainError, Instantiate};

use super::world;

/// The counter's record: kind byte 0x04 (`keys::SEQUENCE`), then its name;
/// the value is the last id given out, u64 big-endian. The layout is
/// pinned by `chain::keys`'s own test.
const INSTANCE_COUNTER: &[u8] = b"\x04instance_id";

#[test]
fn the_instance_counter_stops_at_u64_max() {
    let w = world();
    let mut state = w.chain.dump();
    let counter = state
        .iter_mut()
        .find(|(k, _)| k == INSTANCE_COUNTER)
        .expect("four classic instances exist");
    counter.1 = (u64::MAX - 1).to_be_bytes().to_vec();
    w.chain.load_state(state);

    let alice = w.addr("alice");
    let request = |salt: Option<&'static [u8]>| Instantiate {
        code_id: w.code("plain"),
        sender: &alice,
        msg: b"{}",
        funds: &[],
        admin: None,
        label: "last",
        salt,
    };
    let last = w
        .chain
        .instantiate(&request(None))
        .expect("no node fault")
        .unwrap();
    let expected = cw_runtime::chain::classic_address_bytes(w.code("plain"), u64::MAX);
    let expected =
        bech32::encode::<bech32::Bech32>(bech32::Hrp::parse("cosmwasm").unwrap(), &expected)
            .unwrap();
    assert_eq!(last.contract_address.unwrap(), expected);

    let before = w.chain.dump();
    let failure = w
        .chain
        .instantiate(&request(None))
        .expect("no node fault")
        .unwrap_err();
    assert_eq!(
        *failure.error,
        ChainError::CounterOverflow {
            counter: "contract instance"
        }
    );
    assert!(failure.gas.calls.is_empty(), "no contract ran");
    assert_eq!(w.chain.dump(), before);
    // Predictable addresses do not use the counter.
    w.chain
        .instantiate(&request(Some(b"salt")))
        .expect("no node fault")
        .unwrap();
}
