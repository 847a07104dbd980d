//! cw1-whitelist 2.0.0: random scripts on the Wasm fixture and the
//! emulator.

use cw_fallback::NativeKind;
use cw_host::EntryPoint;
use proptest::collection::vec;
use proptest::prelude::*;
use serde_json::{Value, json};

use crate::cw20::{Action, Script, run_script};
use crate::strategies::{Who, actor, binary, malformed, who};
use crate::support::Tally;

fn admins() -> impl Strategy<Value = Value> {
    vec(who(), 0..4)
        .prop_map(|admins| json!(admins.into_iter().map(Who::address).collect::<Vec<_>>()))
}

/// A `CosmosMsg<Empty>` the proxy may forward (staking included: the
/// fixture is built with it).
fn cosmos_msg() -> impl Strategy<Value = Value> {
    prop_oneof![
        (who(), 0u32..100).prop_map(|(to, amount)| json!({"bank": {"send": {
            "to_address": to.address(),
            "amount": [{"denom": "ucosm", "amount": amount.to_string()}],
        }}})),
        Just(json!({"bank": {"burn": {"amount": [{"denom": "ucosm", "amount": "1"}]}}})),
        (who(), binary()).prop_map(|(contract, msg)| json!({"wasm": {"execute": {
            "contract_addr": contract.address(), "msg": msg, "funds": [],
        }}})),
        Just(
            json!({"staking": {"delegate": {"validator": "validator1", "amount": {"denom": "ustake", "amount": "10"}}}})
        ),
        Just(json!({"custom": {}})),
    ]
}

fn instantiate() -> impl Strategy<Value = (Who, Value)> {
    (actor(), admins(), any::<bool>()).prop_map(|(creator, admins, mutable)| {
        (creator, json!({"admins": admins, "mutable": mutable}))
    })
}

fn execute() -> impl Strategy<Value = Value> {
    prop_oneof![
        4 => vec(cosmos_msg(), 0..3).prop_map(|msgs| json!({"execute": {"msgs": msgs}})),
        1 => Just(json!({"freeze": {}})),
        2 => admins().prop_map(|admins| json!({"update_admins": {"admins": admins}})),
    ]
}

fn query() -> impl Strategy<Value = Value> {
    prop_oneof![
        1 => Just(json!({"admin_list": {}})),
        2 => (who(), cosmos_msg()).prop_map(|(sender, msg)| {
            json!({"can_execute": {"sender": sender.address(), "msg": msg}})
        }),
    ]
}

/// Random scripts of this contract.
pub(crate) fn script() -> impl Strategy<Value = Script> {
    (instantiate(), vec((0u64..4, action()), 1..12))
}

fn action() -> impl Strategy<Value = Action> {
    prop_oneof![
        6 => (actor(), execute()).prop_map(|(sender, msg)| Action::Execute(sender, msg)),
        3 => query().prop_map(Action::Query),
        1 => (prop_oneof![Just(EntryPoint::Execute), Just(EntryPoint::Query)], actor(), malformed())
            .prop_map(|(entry, sender, msg)| Action::Malformed(entry, sender, msg)),
    ]
}

#[test]
fn cw1_whitelist_native_matches_wasm() {
    let tally = Tally::default();
    crate::support::runner(256)
        .run(&script(), |script| {
            run_script(NativeKind::Cw1Whitelist, &script, &tally).map(drop)
        })
        .unwrap();
    tally.assert_covered(&[
        "instantiate:instantiate",
        "execute:execute",
        "execute:freeze",
        "execute:update_admins",
        "query:admin_list",
        "query:can_execute",
    ]);
    eprintln!("{:#?}", tally.outcomes());
}
