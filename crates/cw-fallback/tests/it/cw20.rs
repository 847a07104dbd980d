//! cw20-base 2.0.0: random scripts on the Wasm fixture and the emulator.

use cw_fallback::NativeKind;
use cw_host::EntryPoint;
use proptest::collection::vec;
use proptest::prelude::*;
use serde_json::{Value, json};

use crate::strategies::{
    ACTORS, Who, actor, amount, balance, binary, expiration, limit, malformed, who,
};
use crate::support::{Pair, START, Tally};

fn instantiate() -> impl Strategy<Value = (Who, Value)> {
    let name = prop_oneof![19 => Just("Fallback Token"), 1 => Just("T")];
    let symbol = prop_oneof![18 => Just("FBT"), 1 => Just("fbt"), 1 => Just("TOOLONGSYMBOL")];
    let decimals = prop_oneof![19 => 0u8..=18, 1 => 19u8..=30];
    // Distinct holders mostly; sometimes one more entry, which may repeat a
    // holder, be an invalid address or overflow the supply.
    let holders =
        proptest::sample::subsequence((0..ACTORS.len()).collect::<Vec<_>>(), 0..=ACTORS.len());
    let balances = (
        holders,
        vec(balance(), ACTORS.len()),
        proptest::option::weighted(0.1, (who(), amount())),
    );
    let cap = prop_oneof![4 => Just(Value::Null), 4 => Just(json!("100000000")), 1 => amount()];
    let mint = proptest::option::of((who(), cap));
    (actor(), name, symbol, decimals, balances, mint).prop_map(
        |(creator, name, symbol, decimals, (holders, amounts, extra), mint)| {
            let mut balances: Vec<Value> = holders
                .into_iter()
                .map(|i| json!({"address": Who::Actor(i).address(), "amount": amounts[i]}))
                .collect();
            if let Some((who, amount)) = extra {
                balances.push(json!({"address": who.address(), "amount": amount}));
            }
            let mint = mint.map(|(minter, cap)| json!({"minter": minter.address(), "cap": cap}));
            let msg = json!({
                "name": name, "symbol": symbol, "decimals": decimals,
                "initial_balances": balances, "mint": mint, "marketing": null,
            });
            (creator, msg)
        },
    )
}

fn execute() -> impl Strategy<Value = Value> {
    prop_oneof![
        3 => (who(), amount()).prop_map(|(to, amount)| {
            json!({"transfer": {"recipient": to.address(), "amount": amount}})
        }),
        1 => amount().prop_map(|amount| json!({"burn": {"amount": amount}})),
        1 => (who(), amount(), binary()).prop_map(|(to, amount, msg)| {
            json!({"send": {"contract": to.address(), "amount": amount, "msg": msg}})
        }),
        2 => (who(), amount(), expiration()).prop_map(|(spender, amount, expires)| {
            json!({"increase_allowance": {"spender": spender.address(), "amount": amount, "expires": expires}})
        }),
        1 => (who(), amount(), expiration()).prop_map(|(spender, amount, expires)| {
            json!({"decrease_allowance": {"spender": spender.address(), "amount": amount, "expires": expires}})
        }),
        2 => (who(), who(), amount()).prop_map(|(owner, to, amount)| {
            json!({"transfer_from": {"owner": owner.address(), "recipient": to.address(), "amount": amount}})
        }),
        1 => (who(), who(), amount(), binary()).prop_map(|(owner, to, amount, msg)| {
            json!({"send_from": {"owner": owner.address(), "contract": to.address(), "amount": amount, "msg": msg}})
        }),
        1 => (who(), amount()).prop_map(|(owner, amount)| {
            json!({"burn_from": {"owner": owner.address(), "amount": amount}})
        }),
        2 => (who(), amount()).prop_map(|(to, amount)| {
            json!({"mint": {"recipient": to.address(), "amount": amount}})
        }),
        1 => proptest::option::of(who()).prop_map(|minter| {
            json!({"update_minter": {"new_minter": minter.map(Who::address)}})
        }),
        1 => Just(json!({"update_marketing": {"project": "p", "description": null, "marketing": null}})),
    ]
}

fn query() -> impl Strategy<Value = Value> {
    let start_after = || proptest::option::of(who()).prop_map(|w| w.map(Who::address));
    prop_oneof![
        3 => who().prop_map(|w| json!({"balance": {"address": w.address()}})),
        1 => Just(json!({"token_info": {}})),
        1 => Just(json!({"minter": {}})),
        2 => (who(), who()).prop_map(|(owner, spender)| {
            json!({"allowance": {"owner": owner.address(), "spender": spender.address()}})
        }),
        1 => (who(), start_after(), limit()).prop_map(|(owner, start_after, limit)| {
            json!({"all_allowances": {"owner": owner.address(), "start_after": start_after, "limit": limit}})
        }),
        1 => (who(), start_after(), limit()).prop_map(|(spender, start_after, limit)| {
            json!({"all_spender_allowances": {"spender": spender.address(), "start_after": start_after, "limit": limit}})
        }),
        1 => (start_after(), limit()).prop_map(|(start_after, limit)| {
            json!({"all_accounts": {"start_after": start_after, "limit": limit}})
        }),
        1 => Just(json!({"marketing_info": {}})),
        1 => Just(json!({"download_logo": {}})),
    ]
}

/// One step of a script: how many blocks pass first, then the call.
#[derive(Clone, Debug)]
pub(crate) enum Action {
    Execute(Who, Value),
    Query(Value),
    Malformed(EntryPoint, Who, Vec<u8>),
    /// Calls that depend on each other (an allowance, then its use), which
    /// independent random steps would rarely line up: executes by their
    /// sender, and queries (no sender).
    Chain(Vec<(Option<Who>, Value)>),
}

/// An allowance, then its spender using it or its owner lowering it.
fn approved_spend() -> impl Strategy<Value = Action> {
    let next = prop_oneof![
        (who(), amount()).prop_map(|(to, amount)| (
            "transfer_from",
            json!({"recipient": to.address(), "amount": amount})
        )),
        (who(), amount(), binary()).prop_map(|(to, amount, msg)| (
            "send_from",
            json!({"contract": to.address(), "amount": amount, "msg": msg})
        )),
        amount().prop_map(|amount| ("burn_from", json!({"amount": amount}))),
        (amount(), expiration()).prop_map(|(amount, expires)| (
            "decrease_allowance",
            json!({"amount": amount, "expires": expires})
        )),
    ];
    (actor(), actor(), balance(), expiration(), next).prop_map(
        |(owner, spender, allowance, expires, (name, mut fields))| {
            let increase = json!({"increase_allowance": {
                "spender": spender.address(), "amount": allowance, "expires": expires,
            }});
            let sender = if name == "decrease_allowance" {
                fields["spender"] = json!(spender.address());
                owner
            } else {
                fields["owner"] = json!(owner.address());
                spender
            };
            Action::Chain(vec![
                (Some(owner), increase),
                (Some(sender), json!({ name: fields })),
            ])
        },
    )
}

fn action() -> impl Strategy<Value = Action> {
    prop_oneof![
        6 => (actor(), execute()).prop_map(|(sender, msg)| Action::Execute(sender, msg)),
        1 => approved_spend(),
        3 => query().prop_map(Action::Query),
        1 => (prop_oneof![Just(EntryPoint::Execute), Just(EntryPoint::Query)], actor(), malformed())
            .prop_map(|(entry, sender, msg)| Action::Malformed(entry, sender, msg)),
    ]
}

/// An instantiation (its sender and message), then steps: blocks to let
/// pass, then an action.
pub(crate) type Script = ((Who, Value), Vec<(u64, Action)>);

/// Random cw20 scripts.
pub(crate) fn script() -> impl Strategy<Value = Script> {
    (instantiate(), vec((0u64..4, action()), 1..12))
}

/// Runs one script on both sides; every step is compared in
/// [`Pair::step`]. Returns the Wasm side's operator gas of each call.
pub(crate) fn run_script(
    kind: NativeKind,
    ((creator, init), steps): &Script,
    tally: &Tally,
) -> Result<Vec<(EntryPoint, u64)>, TestCaseError> {
    let mut pair = Pair::new(kind);
    let mut block = START;
    let creator = creator.address();
    let init_bytes = serde_json::to_vec(init).unwrap();
    let result = pair.step_raw(EntryPoint::Instantiate, block, Some(&creator), &init_bytes)?;
    tally.count(EntryPoint::Instantiate, &init_bytes, &result);
    for (blocks, action) in steps {
        block = block.advance(*blocks);
        for (entry, sender, msg) in calls(action) {
            let sender = sender.map(Who::address);
            let result = pair.step_raw(entry, block, sender.as_deref(), &msg)?;
            tally.count(entry, &msg, &result);
        }
    }
    Ok(pair.wasm_ops)
}

/// One call: entry point, sender (for execute) and message bytes.
pub(crate) type Call = (EntryPoint, Option<Who>, Vec<u8>);

/// The calls an action makes.
pub(crate) fn calls(action: &Action) -> Vec<Call> {
    let json = |msg: &Value| serde_json::to_vec(msg).unwrap();
    match action {
        Action::Execute(sender, msg) => vec![(EntryPoint::Execute, Some(*sender), json(msg))],
        Action::Query(msg) => vec![(EntryPoint::Query, None, json(msg))],
        Action::Malformed(entry, sender, msg) => {
            let sender = (*entry == EntryPoint::Execute).then_some(*sender);
            vec![(*entry, sender, msg.clone())]
        }
        Action::Chain(chain) => chain
            .iter()
            .map(|(sender, msg)| match sender {
                Some(sender) => (EntryPoint::Execute, Some(*sender), json(msg)),
                None => (EntryPoint::Query, None, json(msg)),
            })
            .collect(),
    }
}

#[test]
fn cw20_native_matches_wasm() {
    let tally = Tally::default();
    crate::support::runner(256)
        .run(&script(), |script| {
            run_script(NativeKind::Cw20Base, &script, &tally).map(drop)
        })
        .unwrap();
    tally.assert_covered(&[
        "instantiate:instantiate",
        "execute:transfer",
        "execute:burn",
        "execute:send",
        "execute:increase_allowance",
        "execute:decrease_allowance",
        "execute:transfer_from",
        "execute:send_from",
        "execute:burn_from",
        "execute:mint",
        "execute:update_minter",
        "query:balance",
        "query:token_info",
        "query:minter",
        "query:allowance",
        "query:all_allowances",
        "query:all_spender_allowances",
        "query:all_accounts",
        "query:marketing_info",
    ]);
    eprintln!("{:#?}", tally.outcomes());
}
