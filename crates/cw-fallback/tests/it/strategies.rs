//! Shared pieces of the message scripts: actors, addresses (valid and
//! not), amounts, expirations, binary payloads and malformed messages.

use std::sync::OnceLock;

use proptest::prelude::*;
use serde_json::{Value, json};

use crate::support::{START, addr};

/// Names of the accounts a script uses.
pub(crate) const ACTORS: [&str; 4] = ["alice", "bob", "carol", "dave"];

/// Someone a message names: a real account, or a string that is not a
/// valid address of the chain.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Who {
    Actor(usize),
    Invalid(usize),
}

fn actor_addresses() -> &'static [String] {
    static ADDRESSES: OnceLock<Vec<String>> = OnceLock::new();
    ADDRESSES.get_or_init(|| ACTORS.iter().map(|name| addr(name)).collect())
}

impl Who {
    /// The address text.
    pub(crate) fn address(self) -> String {
        match self {
            Self::Actor(i) => actor_addresses()[i].clone(),
            Self::Invalid(0) => "not-an-address".to_owned(),
            // A valid address in upper case: not normalized.
            Self::Invalid(1) => actor_addresses()[0].to_uppercase(),
            Self::Invalid(_) => String::new(),
        }
    }
}

/// Mostly real accounts, sometimes an invalid address.
pub(crate) fn who() -> impl Strategy<Value = Who> {
    prop_oneof![
        12 => actor(),
        1 => (0..3usize).prop_map(Who::Invalid),
    ]
}

/// A real account, alice most often: scripts whose senders own something
/// reach the success paths, not only "unauthorized" and "no funds".
pub(crate) fn actor() -> impl Strategy<Value = Who> {
    prop_oneof![
        5 => Just(Who::Actor(0)),
        4 => Just(Who::Actor(1)),
        1 => Just(Who::Actor(2)),
        1 => Just(Who::Actor(3)),
    ]
}

/// A `Uint128` amount as JSON: small ones (zero included) mostly, and some
/// at the top of the range so sums overflow.
pub(crate) fn amount() -> impl Strategy<Value = Value> {
    prop_oneof![
        10 => (0u128..2_000).prop_map(|a| json!(a.to_string())),
        1 => (0u128..100).prop_map(|a| json!((u128::MAX - a).to_string())),
    ]
}

/// A large balance, so that several transfers of [`amount`] succeed.
pub(crate) fn balance() -> impl Strategy<Value = Value> {
    prop_oneof![
        8 => (1_000u128..1_000_000).prop_map(|a| json!(a.to_string())),
        1 => amount(),
    ]
}

/// An optional cw-utils `Expiration` around the script's blocks, so that
/// some expire during the script and some do not.
pub(crate) fn expiration() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        Just(json!({"never": {}})),
        (0u64..40).prop_map(|h| json!({"at_height": START.height + h})),
        (0u64..200)
            .prop_map(|s| json!({"at_time": ((START.seconds + s) * 1_000_000_000).to_string()})),
    ]
}

/// A base64 payload for `send` / `send_nft` / wasm messages.
pub(crate) fn binary() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(json!("")),
        Just(json!("eyJwaW5nIjp7fX0=")),
        Just(json!("not base64!")),
    ]
}

/// Messages no contract accepts: not JSON, an unknown variant, missing or
/// ill-typed fields.
pub(crate) fn malformed() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        Just(b"{not json".to_vec()),
        Just(Vec::new()),
        Just(br#"{"no_such_message":{}}"#.to_vec()),
        Just(br#"{"transfer":{}}"#.to_vec()),
        Just(br#"{"transfer":{"recipient":"x","amount":"-5"}}"#.to_vec()),
        Just(br#"[1,2,3]"#.to_vec()),
    ]
}

/// A pagination limit: none, small, or over the contracts' maximum.
pub(crate) fn limit() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        (0u32..4).prop_map(|l| json!(l)),
        Just(json!(1000))
    ]
}
