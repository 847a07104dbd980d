//! Item 8 at the top level and for queries: the query depth, labels,
//! admins, non-JSON messages (the submessage side is in `flows`).

use cw_runtime::chain::{ChainError, Instantiate};
use serde_json::{Value, json};

use super::{sub, world};

/// wasmd's `checkAndIncreaseQueryStackSize` (`x/wasm/keeper/keeper.go`,
/// `DefaultMaxQueryStackSize = 10`): a gRPC smart query is level 1, a
/// contract's first smart query during a transaction is level 1.
#[test]
fn the_query_depth_counts_the_top_level_query() {
    let w = world();
    let a = w.addr("A");
    let nine = w
        .chain
        .query(&a, br#"{"query_self":{"depth":9}}"#)
        .expect("no node fault")
        .unwrap();
    assert_eq!(nine.data, b"9", "levels 1 to 10");
    w.chain
        .query(&a, br#"{"query_self":{"depth":10}}"#)
        .expect("no node fault")
        .unwrap_err();

    let from_tx = |depth: u32| {
        w.query_chain(json!({"wasm": {"smart": {"contract_addr": "@A",
            "msg": {"$b64": {"query_self": {"depth": depth}}}}}}))
    };
    assert!(from_tx(9)["ok"]["ok"].is_string(), "levels 1 to 10");
    assert!(from_tx(10)["ok"]["error"].is_string(), "an 11th level");
}

fn instantiate(
    w: &super::World,
    label: &str,
    admin: Option<&str>,
    salt: Option<&[u8]>,
) -> cw_runtime::TxResult {
    let alice = w.addr("alice");
    w.chain
        .instantiate(&Instantiate {
            code_id: w.code("plain"),
            sender: &alice,
            msg: b"{}",
            funds: &[],
            admin,
            label,
            salt,
        })
        .expect("no node fault")
}

/// `MsgInstantiateContract(2).ValidateBasic` (`x/wasm/types/tx.go`):
/// `ValidateLabel` (empty 12, over 128 bytes 13, whitespace around or
/// unprintable 14) comes before the salt.
#[test]
fn a_user_s_label_follows_validate_label() {
    let w = world();
    let code = |label: &str, salt: Option<&[u8]>| {
        instantiate(&w, label, None, salt)
            .unwrap_err()
            .error
            .abci_code()
    };
    assert_eq!(code("", None), ("wasm", 12));
    assert_eq!(code(&"x".repeat(129), None), ("wasm", 13));
    assert_eq!(code("x\n", None), ("wasm", 14));
    assert_eq!(code("a\u{7}b", None), ("wasm", 14));
    assert_eq!(code("", Some(b"")), ("wasm", 12), "label before salt");
    assert_eq!(code("ok", Some(b"")), ("wasm", 12));
    instantiate(&w, &"x".repeat(128), None, None).unwrap();
}

/// `admin: ""` is no admin: wasmd checks the admin only when it is not
/// empty (`tx.go`, `msg_server.go`), for users and contracts alike.
#[test]
fn an_empty_admin_is_no_admin() {
    let w = world();
    let done = instantiate(&w, "no admin", Some(""), None).unwrap();
    let address = done.contract_address.unwrap();
    assert_eq!(w.chain.contract(&address).unwrap().admin, None);

    let done = w
        .dispatch(json!([sub(
            0,
            json!({"wasm": {"instantiate": {"admin": "",
            "code_id": {"$code": "plain"}, "msg": {"$b64": {}}, "funds": [], "label": "x"}}}),
            "never"
        )]))
        .unwrap();
    let created = done
        .events
        .iter()
        .find(|e| e.ty == "instantiate")
        .and_then(|e| e.attribute("_contract_address"))
        .unwrap()
        .to_owned();
    assert_eq!(w.chain.contract(&created).unwrap().admin, None);
}

/// `MsgUpdateAdmin.ValidateBasic`: the new admin must not be the sender
/// (`strings.EqualFold`, wasm 14), before the keeper looks at the contract.
#[test]
fn an_admin_cannot_update_the_admin_to_itself() {
    let w = world();
    let (alice, c) = (w.addr("alice"), w.addr("C"));
    let refused = w
        .chain
        .set_admin(&alice, &c, Some(&alice))
        .expect("no node fault")
        .unwrap_err();
    assert!(
        matches!(*refused.error, ChainError::Invalid { .. }),
        "{}",
        refused.error
    );
    assert_eq!(refused.error.abci_code(), ("wasm", 14));
    let upper = alice.to_uppercase();
    let refused = w
        .chain
        .set_admin(&alice, &c, Some(&upper))
        .expect("no node fault")
        .unwrap_err();
    assert_eq!(refused.error.abci_code(), ("wasm", 14), "EqualFold");
    let unknown = w
        .chain
        .set_admin(&alice, &w.addr("bob"), None)
        .expect("no node fault")
        .unwrap_err();
    assert_eq!(unknown.error.abci_code(), ("sdk", 18));
}

/// `RawContractMessage.ValidateBasic` (Go's `json.Valid`): a message that
/// is not JSON is refused before any contract runs (wasm 14), for a
/// transaction and a gRPC query alike.
#[test]
fn a_message_that_is_not_json_never_reaches_a_contract() {
    let w = world();
    let (alice, b) = (w.addr("alice"), w.addr("B"));
    for msg in [&b"{"[..], b"", b"{} {}", b"not json"] {
        let failure = w
            .chain
            .execute(&alice, &b, msg, &[])
            .expect("no node fault")
            .unwrap_err();
        assert_eq!(failure.error.abci_code(), ("wasm", 14));
        assert!(failure.gas.calls.is_empty(), "no contract ran");
        let query = w.chain.query(&b, msg).expect("no node fault").unwrap_err();
        assert_eq!(query.error.abci_code(), ("wasm", 14));
    }
    assert_eq!(w.stored("B", "last/execute"), None::<Value>);
    // Go's `json.Valid` takes any bytes inside strings and deep nesting.
    w.chain
        .execute(&alice, &b, b"{\"a\":\"\xff\"}", &[])
        .expect("no node fault")
        .unwrap();
}
