//! Item 2 and 3 beyond the flows: a user's funds are validated, not
//! normalised; burning lowers the supply; amounts no balance can hold.

use cosmwasm_std::{Coin, Uint256};
use cw_runtime::chain::ChainError;
use serde_json::json;

use super::{sub, world};

/// wasmd's `MsgExecuteContract.ValidateBasic` (`x/wasm/types/tx.go`) runs
/// `Funds.Validate()`: unsorted, duplicate and zero coins are refused with
/// plain errors (`codespace: undefined, code: 1`) before anything runs
/// [SDK `sdk.Coins.Validate`, not v0.54-verified].
#[test]
fn a_user_s_funds_must_be_sorted_unique_and_positive() {
    let w = world();
    let (alice, b) = (w.addr("alice"), w.addr("B"));
    for funds in [
        vec![Coin::new(2u128, "ucosm"), Coin::new(1u128, "uatom")],
        vec![Coin::new(1u128, "ucosm"), Coin::new(1u128, "ucosm")],
        vec![Coin::new(0u128, "ucosm")],
    ] {
        let before = w.chain.dump();
        let failure = w
            .chain
            .execute(&alice, &b, b"{}", &funds)
            .expect("no node fault")
            .unwrap_err();
        assert!(
            matches!(*failure.error, ChainError::InvalidFunds { .. }),
            "{funds:?}: {}",
            failure.error
        );
        assert_eq!(failure.error.abci_code(), ("undefined", 1));
        assert!(failure.gas.calls.is_empty(), "nothing ran");
        assert_eq!(w.chain.dump(), before);
    }
    let sorted = [Coin::new(1u128, "uatom"), Coin::new(2u128, "ucosm")];
    w.chain
        .execute(&alice, &b, b"{}", &sorted)
        .expect("no node fault")
        .unwrap();
    assert_eq!(w.balance("B", "ucosm"), 2);
}

/// `NewBurnCoinMessageHandler` (`x/wasm/keeper/handler_plugin.go`) burns
/// from the wasm module account: the contract's balance and the supply go
/// down, the module account ends empty.
#[test]
fn burning_lowers_the_supply() {
    let w = world();
    let before = w.chain.supply("ucosm");
    w.dispatch(json!([sub(
        1,
        json!({"bank": {"burn": {"amount": [
        {"denom": "ucosm", "amount": "40"}]}}}),
        "never"
    )]))
    .unwrap();
    assert_eq!(w.chain.supply("ucosm"), before - 40);
    assert_eq!(w.balance("A", "ucosm"), 960);
    assert!(w.chain.balances(&w.addr("wasm_module")).is_empty());
}

/// An amount the SDK parses (up to 256 bits) but no balance holds: the
/// bank refuses it for insufficient funds (sdk 5), after the address.
#[test]
fn an_amount_above_any_balance_is_insufficient_funds() {
    let w = world();
    let huge = (Uint256::from(u128::MAX) + Uint256::one()).to_string();
    w.dispatch(json!([sub(
        1,
        json!({"bank": {"send": {"to_address": "@bob",
        "amount": [{"denom": "ucosm", "amount": huge}]}}}),
        "always"
    )]))
    .unwrap();
    assert_eq!(w.reply()["result"]["error"], "codespace: sdk, code: 5");
    w.dispatch(json!([sub(
        1,
        json!({"bank": {"send": {"to_address": "nope",
        "amount": [{"denom": "ucosm", "amount": huge}]}}}),
        "always"
    )]))
    .unwrap();
    assert_eq!(
        w.reply()["result"]["error"],
        "codespace: sdk, code: 7",
        "the recipient is checked first"
    );
}

/// Funds sent with an execute: wasmd's `BankCoinTransferrer.TransferCoins`
/// (`x/wasm/keeper/keeper.go`) drops the bank's `message` event.
#[test]
fn funds_transfers_emit_no_message_event() {
    let w = world();
    let done = w
        .chain
        .execute(
            &w.addr("alice"),
            &w.addr("B"),
            b"{}",
            &[Coin::new(3u128, "ucosm")],
        )
        .expect("no node fault")
        .unwrap();
    let kinds: Vec<&str> = done.events.iter().map(|e| e.ty.as_str()).collect();
    assert_eq!(
        kinds,
        ["coin_spent", "coin_received", "transfer", "execute"]
    );
}
