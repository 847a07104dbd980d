//! cw721-base 0.22.0: random scripts on the Wasm fixture and the emulator.

use cw_fallback::NativeKind;
use cw_host::EntryPoint;
use proptest::collection::vec;
use proptest::prelude::*;
use serde_json::{Value, json};

use crate::cw20::{Action, Script, run_script};
use crate::strategies::{Who, actor, binary, expiration, limit, malformed, who};
use crate::support::Tally;

/// Token ids from a small pool, so scripts touch the same tokens again.
fn token_id() -> impl Strategy<Value = String> {
    prop_oneof![
        20 => (0..3u8).prop_map(|i| format!("token-{i}")),
        1 => Just(String::new()),
    ]
}

fn optional_who() -> impl Strategy<Value = Value> {
    proptest::option::of(who()).prop_map(|w| w.map_or(Value::Null, |w| json!(w.address())))
}

fn instantiate() -> impl Strategy<Value = (Who, Value)> {
    let name = prop_oneof![9 => Just("Fallback NFTs"), 1 => Just("")];
    let symbol = prop_oneof![9 => Just("FNFT"), 1 => Just("")];
    (
        actor(),
        name,
        symbol,
        optional_who(),
        optional_who(),
        optional_who(),
    )
        .prop_map(
            |(creator, name, symbol, minter, collection_creator, withdraw)| {
                let msg = json!({
                    "name": name, "symbol": symbol, "collection_info_extension": null,
                    "minter": minter, "creator": collection_creator, "withdraw_address": withdraw,
                });
                (creator, msg)
            },
        )
}

/// A cw-ownable `Action`.
fn ownership_action() -> impl Strategy<Value = Value> {
    prop_oneof![
        (who(), expiration()).prop_map(|(owner, expiry)| {
            json!({"transfer_ownership": {"new_owner": owner.address(), "expiry": expiry}})
        }),
        Just(json!("accept_ownership")),
        Just(json!("renounce_ownership")),
    ]
}

fn execute() -> impl Strategy<Value = Value> {
    let uri = prop_oneof![
        Just(Value::Null),
        Just(json!("https://example.com/nft")),
        Just(json!("not a uri"))
    ];
    prop_oneof![
        4 => (token_id(), who(), uri.clone()).prop_map(|(token_id, owner, token_uri)| {
            json!({"mint": {"token_id": token_id, "owner": owner.address(), "token_uri": token_uri, "extension": null}})
        }),
        3 => (who(), token_id()).prop_map(|(to, token_id)| {
            json!({"transfer_nft": {"recipient": to.address(), "token_id": token_id}})
        }),
        1 => (who(), token_id(), binary()).prop_map(|(to, token_id, msg)| {
            json!({"send_nft": {"contract": to.address(), "token_id": token_id, "msg": msg}})
        }),
        3 => (who(), token_id(), expiration()).prop_map(|(spender, token_id, expires)| {
            json!({"approve": {"spender": spender.address(), "token_id": token_id, "expires": expires}})
        }),
        1 => (who(), token_id()).prop_map(|(spender, token_id)| {
            json!({"revoke": {"spender": spender.address(), "token_id": token_id}})
        }),
        2 => (who(), expiration()).prop_map(|(operator, expires)| {
            json!({"approve_all": {"operator": operator.address(), "expires": expires}})
        }),
        1 => who().prop_map(|operator| json!({"revoke_all": {"operator": operator.address()}})),
        2 => token_id().prop_map(|token_id| json!({"burn": {"token_id": token_id}})),
        1 => ownership_action().prop_map(|action| json!({"update_minter_ownership": action})),
        1 => ownership_action().prop_map(|action| json!({"update_creator_ownership": action})),
        1 => (token_id(), uri).prop_map(|(token_id, token_uri)| {
            json!({"update_nft_info": {"token_id": token_id, "token_uri": token_uri, "extension": null}})
        }),
        1 => who().prop_map(|w| json!({"set_withdraw_address": {"address": w.address()}})),
        1 => Just(json!({"remove_withdraw_address": {}})),
        1 => Just(json!({"withdraw_funds": {"amount": {"denom": "ucosm", "amount": "5"}}})),
    ]
}

fn query() -> impl Strategy<Value = Value> {
    let include_expired = || proptest::option::of(any::<bool>());
    let start_after = || proptest::option::of(token_id());
    prop_oneof![
        3 => (token_id(), include_expired()).prop_map(|(token_id, include_expired)| {
            json!({"owner_of": {"token_id": token_id, "include_expired": include_expired}})
        }),
        1 => (token_id(), who(), include_expired()).prop_map(|(token_id, spender, include_expired)| {
            json!({"approval": {"token_id": token_id, "spender": spender.address(), "include_expired": include_expired}})
        }),
        1 => (token_id(), include_expired()).prop_map(|(token_id, include_expired)| {
            json!({"approvals": {"token_id": token_id, "include_expired": include_expired}})
        }),
        1 => (who(), who(), include_expired()).prop_map(|(owner, operator, include_expired)| {
            json!({"operator": {"owner": owner.address(), "operator": operator.address(), "include_expired": include_expired}})
        }),
        1 => (who(), include_expired(), optional_who(), limit()).prop_map(|(owner, include_expired, start_after, limit)| {
            json!({"all_operators": {"owner": owner.address(), "include_expired": include_expired, "start_after": start_after, "limit": limit}})
        }),
        1 => Just(json!({"num_tokens": {}})),
        1 => Just(json!({"contract_info": {}})),
        1 => Just(json!({"get_collection_info_and_extension": {}})),
        1 => Just(json!({"get_all_info": {}})),
        1 => Just(json!({"minter": {}})),
        1 => Just(json!({"get_minter_ownership": {}})),
        1 => Just(json!({"get_creator_ownership": {}})),
        1 => token_id().prop_map(|token_id| json!({"nft_info": {"token_id": token_id}})),
        1 => (token_id(), include_expired()).prop_map(|(token_id, include_expired)| {
            json!({"all_nft_info": {"token_id": token_id, "include_expired": include_expired}})
        }),
        2 => (who(), start_after(), limit()).prop_map(|(owner, start_after, limit)| {
            json!({"tokens": {"owner": owner.address(), "start_after": start_after, "limit": limit}})
        }),
        1 => (start_after(), limit()).prop_map(|(start_after, limit)| {
            json!({"all_tokens": {"start_after": start_after, "limit": limit}})
        }),
        1 => Just(json!({"get_withdraw_address": {}})),
    ]
}

/// A token minted by the (usual) minter, then its owner or someone it
/// approved acting on it: calls that independent random steps would rarely
/// line up.
fn minted_then_used() -> impl Strategy<Value = Action> {
    let owner_action = prop_oneof![
        (who(), binary()).prop_map(|(to, msg)| json!({"send_nft": {"contract": to.address(), "msg": msg}})),
        who().prop_map(|to| json!({"transfer_nft": {"recipient": to.address()}})),
        Just(json!({"burn": {}})),
        (who(), expiration()).prop_map(|(spender, expires)| json!({"approve": {"spender": spender.address(), "expires": expires}})),
    ];
    let last = 0..3u8;
    let query = (0..5u8, proptest::option::of(any::<bool>()));
    (token_id(), actor(), owner_action, actor(), who(), expiration(), last, query).prop_map(
        |(token_id, owner, mut action, spender, to, expires, last, (query, include_expired))| {
            let mint = json!({"mint": {
                "token_id": token_id, "owner": owner.address(), "token_uri": null, "extension": null,
            }});
            // The one field every owner action names.
            if let Some(fields) = action.as_object_mut().and_then(|m| m.values_mut().next()) {
                fields["token_id"] = json!(token_id);
            }
            let approve = json!({"approve": {"spender": spender.address(), "token_id": token_id, "expires": expires}});
            let last = match last {
                0 => (spender, json!({"transfer_nft": {"recipient": to.address(), "token_id": token_id}})),
                1 => (owner, json!({"revoke": {"spender": spender.address(), "token_id": token_id}})),
                _ => (Who::Actor(0), json!({"update_nft_info": {
                    "token_id": token_id, "token_uri": "https://example.com/updated", "extension": null,
                }})),
            };
            let query = match query {
                0 => json!({"owner_of": {"token_id": token_id, "include_expired": include_expired}}),
                1 => json!({"approval": {"token_id": token_id, "spender": spender.address(), "include_expired": include_expired}}),
                2 => json!({"approvals": {"token_id": token_id, "include_expired": include_expired}}),
                3 => json!({"nft_info": {"token_id": token_id}}),
                _ => json!({"all_nft_info": {"token_id": token_id, "include_expired": include_expired}}),
            };
            Action::Chain(vec![
                (Some(Who::Actor(0)), mint),
                (Some(owner), action),
                (Some(owner), approve),
                (Some(last.0), last.1),
                (None, query),
            ])
        },
    )
}

/// An operator approval, then a look at it.
fn operator_then_query() -> impl Strategy<Value = Action> {
    (actor(), who(), expiration(), proptest::option::of(any::<bool>())).prop_map(
        |(owner, operator, expires, include_expired)| {
            let approve = json!({"approve_all": {"operator": operator.address(), "expires": expires}});
            let query = json!({"operator": {
                "owner": owner.address(), "operator": operator.address(), "include_expired": include_expired,
            }});
            Action::Chain(vec![(Some(owner), approve), (None, query)])
        },
    )
}

/// Random scripts of this contract.
pub(crate) fn script() -> impl Strategy<Value = Script> {
    (instantiate(), vec((0u64..4, action()), 1..12))
}

fn action() -> impl Strategy<Value = Action> {
    prop_oneof![
        1 => operator_then_query(),
        6 => (actor(), execute()).prop_map(|(sender, msg)| Action::Execute(sender, msg)),
        1 => minted_then_used(),
        3 => query().prop_map(Action::Query),
        1 => (prop_oneof![Just(EntryPoint::Execute), Just(EntryPoint::Query)], actor(), malformed())
            .prop_map(|(entry, sender, msg)| Action::Malformed(entry, sender, msg)),
    ]
}

#[test]
fn cw721_native_matches_wasm() {
    let tally = Tally::default();
    crate::support::runner(256)
        .run(&script(), |script| {
            run_script(NativeKind::Cw721Base, &script, &tally).map(drop)
        })
        .unwrap();
    tally.assert_covered(&[
        "instantiate:instantiate",
        "execute:mint",
        "execute:transfer_nft",
        "execute:send_nft",
        "execute:approve",
        "execute:revoke",
        "execute:approve_all",
        "execute:revoke_all",
        "execute:burn",
        "execute:update_minter_ownership",
        "execute:update_nft_info",
        "query:owner_of",
        "query:approval",
        "query:approvals",
        "query:operator",
        "query:all_operators",
        "query:num_tokens",
        "query:nft_info",
        "query:all_nft_info",
        "query:tokens",
        "query:all_tokens",
        "query:get_minter_ownership",
    ]);
    eprintln!("{:#?}", tally.outcomes());
}
