//! The chain layer with real fixtures: cw20 send into a receiver, cw1
//! executing for its admin, a cw3 proposal moving funds, cw4 membership,
//! submessages caught by reply, nested failures that leave no trace.

use std::sync::{Arc, OnceLock};

use cosmwasm_std::{Binary, Coin, to_json_vec};
use cw_gas::CosmWasmSchedule;
use cw_gas::middleware::DEFAULT_STACK_LIMIT_BYTES;
use cw_runtime::chain::{ChainError, ExecutionMode, Instantiate};
use cw_runtime::{Chain, CompileConfig, ModuleCache, ValidationConfig, VmFailure};
use serde_json::{Value, json};

fn cache() -> Arc<ModuleCache<CosmWasmSchedule>> {
    static CACHE: OnceLock<Arc<ModuleCache<CosmWasmSchedule>>> = OnceLock::new();
    CACHE
        .get_or_init(|| {
            let config = CompileConfig {
                table: CosmWasmSchedule::default(),
                stack_limit_bytes: Some(DEFAULT_STACK_LIMIT_BYTES),
                validation: ValidationConfig::default(),
            };
            Arc::new(ModuleCache::new(config, 512 << 20, None).unwrap())
        })
        .clone()
}

/// A chain with the fixtures stored and three funded users.
struct World {
    chain: Chain<CosmWasmSchedule>,
    alice: String,
    bob: String,
    carol: String,
}

fn coins(amount: u128, denom: &str) -> Vec<Coin> {
    vec![Coin::new(amount, denom)]
}

fn msg(value: Value) -> Vec<u8> {
    to_json_vec(&value).unwrap()
}

fn b64(value: Value) -> String {
    Binary::from(msg(value)).to_base64()
}

impl World {
    fn new() -> Self {
        let chain = cw_runtime::ChainBuilder::new(CosmWasmSchedule::default())
            .module_cache(cache())
            .build()
            .unwrap();
        let alice = chain.addr_make("alice").unwrap();
        let bob = chain.addr_make("bob").unwrap();
        let carol = chain.addr_make("carol").unwrap();
        chain.mint(&alice, &coins(10_000, "ucosm")).unwrap();
        Self {
            chain,
            alice,
            bob,
            carol,
        }
    }

    fn store(&self, fixture: &str) -> u64 {
        self.chain
            .store_code(
                &self.alice,
                &tests::fixture_bytes(fixture),
                ExecutionMode::Wasm,
            )
            .unwrap()
    }

    fn instantiate(&self, code_id: u64, init: Value, admin: Option<&str>) -> String {
        let init = msg(init);
        let done = self
            .chain
            .instantiate(&Instantiate {
                code_id,
                sender: &self.alice,
                msg: &init,
                funds: &[],
                admin,
                label: "test",
                salt: None,
            })
            .expect("no node fault")
            .unwrap_or_else(|e| panic!("instantiate: {e}"));
        done.contract_address.unwrap()
    }

    fn query(&self, contract: &str, q: Value) -> Value {
        let answer = self
            .chain
            .query(contract, &msg(q))
            .expect("no node fault")
            .unwrap();
        serde_json::from_slice(&answer.data).unwrap()
    }

    /// alice asks the probe `caller` to dispatch `sub` as a submessage.
    fn dispatch(&self, caller: &str, sub: Value) -> cw_runtime::TxResult {
        self.chain
            .execute(
                &self.alice,
                caller,
                &msg(json!({"dispatch": {"messages": [sub]}})),
                &[],
            )
            .expect("no node fault")
    }

    /// The reply the probe `caller` stored (its `probe/reply` key).
    fn stored_reply(&self, caller: &str) -> Value {
        let (_, reply) = self
            .chain
            .contract_storage(caller)
            .into_iter()
            .find(|(k, _)| k == b"probe/reply")
            .expect("reply stored");
        serde_json::from_slice(&reply).unwrap()
    }

    fn cw20(&self, holders: &[(&str, u128)]) -> String {
        let code = self.store("cw20_base");
        let balances: Vec<Value> = holders
            .iter()
            .map(|(a, n)| json!({"address": a, "amount": n.to_string()}))
            .collect();
        self.instantiate(
            code,
            json!({"name": "Token", "symbol": "TKN", "decimals": 6,
                   "initial_balances": balances,
                   "mint": {"minter": self.alice, "cap": "1000000"}}),
            None,
        )
    }

    fn cw20_balance(&self, token: &str, who: &str) -> u128 {
        let answer = self.query(token, json!({"balance": {"address": who}}));
        answer["balance"].as_str().unwrap().parse().unwrap()
    }

    fn probe(&self) -> String {
        let code = self.store("probe");
        self.instantiate(code, json!({}), Some(&self.alice))
    }
}

#[test]
fn contract_addresses_follow_wasmd_classic_derivation() {
    let w = World::new();
    let code = w.store("probe");
    let first = w.instantiate(code, json!({}), None);
    let second = w.instantiate(code, json!({}), None);
    let expect = |instance| {
        let bytes = cw_runtime::chain::classic_address_bytes(code, instance);
        bech32::encode::<bech32::Bech32>(bech32::Hrp::parse("cosmwasm").unwrap(), &bytes).unwrap()
    };
    assert_eq!(first, expect(1));
    assert_eq!(second, expect(2));
    assert_eq!(w.chain.contracts().len(), 2);
}

#[test]
fn cw20_send_reaches_the_receiver_contract() {
    let w = World::new();
    let token = w.cw20(&[(&w.alice, 1_000)]);
    let receiver = w.probe();
    let send = json!({"send": {"contract": receiver, "amount": "250", "msg": ""}});
    let done = w
        .chain
        .execute(&w.alice, &token, &msg(send), &[])
        .expect("no node fault")
        .unwrap();
    assert_eq!(w.cw20_balance(&token, &receiver), 250);
    assert_eq!(w.cw20_balance(&token, &w.alice), 750);
    // The receiver stored the Cw20ReceiveMsg it got.
    let stored = w
        .chain
        .contract_storage(&receiver)
        .into_iter()
        .find(|(k, _)| k == b"probe/received")
        .expect("receiver stored the message");
    let stored: Value = serde_json::from_slice(&stored.1).unwrap();
    assert_eq!(
        stored,
        json!({"receive": {"sender": w.alice, "amount": "250", "msg": ""}})
    );
    // Events in wasmd's order: the token's execute and wasm events, then
    // the receiver's.
    let kinds: Vec<(&str, String)> = done
        .events
        .iter()
        .map(|e| (e.ty.as_str(), e.attributes[0].value.clone()))
        .collect();
    assert_eq!(
        kinds,
        [
            ("execute", token.clone()),
            ("wasm", token.clone()),
            ("execute", receiver.clone()),
            ("wasm", receiver.clone()),
        ]
    );
    assert_eq!(done.gas.calls.len(), 2);
    assert!(done.gas.cosmwasm().as_u64() > 0);
}

#[test]
fn a_nested_failure_leaves_no_trace() {
    let w = World::new();
    let token = w.cw20(&[(&w.alice, 1_000)]);
    let receiver = w.probe();
    let before = w.chain.dump();
    let balances_before = w.chain.balances(&w.alice);
    // The receiver first writes (stores the receive message), then fails.
    let send = json!({"send": {"contract": receiver, "amount": "250",
                      "msg": b64(json!({"fail": {"msg": "receiver says no"}}))}});
    let failure = w
        .chain
        .execute(&w.alice, &token, &msg(send), &[])
        .expect("no node fault")
        .unwrap_err();
    match &*failure.error {
        ChainError::SubMessage(inner) => match &**inner {
            ChainError::Contract {
                address, message, ..
            } => {
                assert_eq!(address, &receiver);
                assert!(message.contains("receiver says no"), "{message}");
            }
            other => panic!("unexpected inner error {other:?}"),
        },
        other => panic!("unexpected error {other:?}"),
    }
    assert_eq!(failure.gas.calls.len(), 2, "both calls are reported");
    assert_eq!(w.chain.dump(), before);
    assert_eq!(w.chain.balances(&w.alice), balances_before);
    // The next normal call works.
    let transfer = json!({"transfer": {"recipient": w.bob, "amount": "1"}});
    w.chain
        .execute(&w.alice, &token, &msg(transfer), &[])
        .expect("no node fault")
        .unwrap();
    assert_eq!(w.cw20_balance(&token, &w.bob), 1);
}

#[test]
fn a_failed_submessage_is_caught_by_reply_and_rolled_back_alone() {
    let w = World::new();
    let caller = w.probe();
    let callee = w.probe();
    // The callee writes (receive stores its message) and then fails.
    let failing = json!({"receive": {"sender": "x", "amount": "1",
                         "msg": b64(json!({"fail": {"msg": "inner"}}))}});
    let sub = json!({
        "id": 7,
        "payload": Binary::from(b"ctx".to_vec()).to_base64(),
        "msg": {"wasm": {"execute": {"contract_addr": callee, "msg": b64(failing), "funds": []}}},
        "gas_limit": null,
        "reply_on": "error"
    });
    // The caller also writes in the same transaction, before dispatching.
    let done = w.dispatch(&caller, sub).unwrap();
    let reply = w.stored_reply(&caller);
    assert_eq!(reply["id"], 7);
    assert_eq!(reply["payload"], Binary::from(b"ctx".to_vec()).to_base64());
    // wasmd `redactError` (x/wasm/keeper/msg_dispatcher.go) keeps a
    // callee's own error: its text, then `: execute wasm contract failed`.
    assert_eq!(
        reply["result"]["error"],
        "kind: Other, error: inner: execute wasm contract failed"
    );
    // The callee's write was rolled back; the caller's reply stayed.
    assert!(w.chain.contract_storage(&callee).is_empty());
    let kinds: Vec<&str> = done.events.iter().map(|e| e.ty.as_str()).collect();
    assert_eq!(kinds, ["execute", "wasm", "reply", "wasm"]);
}

#[test]
fn a_successful_submessage_reply_sees_events_and_msg_responses() {
    let w = World::new();
    let caller = w.probe();
    let callee = w.probe();
    let write = json!({"write": {"key": "aw==", "value": "dg=="}});
    let sub = json!({
        "id": 1,
        "msg": {"wasm": {"execute": {"contract_addr": callee, "msg": b64(write), "funds": []}}},
        "gas_limit": 100_000_000u64,
        "reply_on": "success"
    });
    w.dispatch(&caller, sub).unwrap();
    let reply = w.stored_reply(&caller);
    let ok = &reply["result"]["ok"];
    assert_eq!(ok["events"][0]["type"], "execute");
    assert_eq!(ok["events"][1]["type"], "wasm");
    assert_eq!(
        ok["msg_responses"][0]["type_url"],
        "/cosmwasm.wasm.v1.MsgExecuteContractResponse"
    );
    // wasmd's `DispatchSubmessages` never sets `Reply.GasUsed`.
    assert_eq!(reply["gas_used"], 0);
    assert_eq!(
        w.chain.contract_storage(&callee),
        vec![(b"k".to_vec(), b"v".to_vec())]
    );
}

#[test]
fn cw1_whitelist_executes_a_bank_send_and_a_cw20_transfer_for_its_admin() {
    let w = World::new();
    let cw1_code = w.store("cw1_whitelist");
    let cw1 = w.instantiate(
        cw1_code,
        json!({"admins": [w.alice], "mutable": true}),
        None,
    );
    let token = w.cw20(&[(&cw1, 500)]);
    w.chain.mint(&cw1, &coins(300, "ucosm")).unwrap();
    let transfer = json!({"transfer": {"recipient": w.bob, "amount": "120"}});
    let execute = json!({"execute": {"msgs": [
        {"bank": {"send": {"to_address": w.bob, "amount": [{"denom": "ucosm", "amount": "100"}]}}},
        {"wasm": {"execute": {"contract_addr": token, "msg": b64(transfer), "funds": []}}}
    ]}});
    // Not an admin: refused, nothing moves.
    let before = w.chain.dump();
    let refused = w
        .chain
        .execute(&w.bob, &cw1, &msg(execute.clone()), &[])
        .expect("no node fault")
        .unwrap_err();
    assert!(
        matches!(&*refused.error, ChainError::Contract { message, .. } if message.contains("Unauthorized")),
        "{refused}"
    );
    assert_eq!(w.chain.dump(), before);
    w.chain
        .execute(&w.alice, &cw1, &msg(execute), &[])
        .expect("no node fault")
        .unwrap();
    assert_eq!(w.chain.balances(&w.bob).get("ucosm"), Some(&100));
    assert_eq!(w.chain.balances(&cw1).get("ucosm"), Some(&200));
    assert_eq!(w.cw20_balance(&token, &w.bob), 120);
    assert_eq!(w.cw20_balance(&token, &cw1), 380);
}

#[test]
fn cw3_proposal_moves_funds_after_enough_votes() {
    let w = World::new();
    let code = w.store("cw3_fixed_multisig");
    let cw3 = w.instantiate(
        code,
        json!({"voters": [{"addr": w.alice, "weight": 1}, {"addr": w.bob, "weight": 1}],
               "threshold": {"absolute_count": {"weight": 2}},
               "max_voting_period": {"height": 100}}),
        None,
    );
    w.chain.mint(&cw3, &coins(1_000, "ucosm")).unwrap();
    let propose = json!({"propose": {"title": "pay carol", "description": "rent",
        "msgs": [{"bank": {"send": {"to_address": w.carol,
                                    "amount": [{"denom": "ucosm", "amount": "300"}]}}}],
        "latest": null}});
    w.chain
        .execute(&w.alice, &cw3, &msg(propose), &[])
        .expect("no node fault")
        .unwrap();
    let execute = json!({"execute": {"proposal_id": 1}});
    // One vote of two: not passed yet.
    let early = w
        .chain
        .execute(&w.alice, &cw3, &msg(execute.clone()), &[])
        .expect("no node fault")
        .unwrap_err();
    assert!(
        matches!(*early.error, ChainError::Contract { .. }),
        "{early}"
    );
    w.chain
        .execute(
            &w.bob,
            &cw3,
            &msg(json!({"vote": {"proposal_id": 1, "vote": "yes"}})),
            &[],
        )
        .expect("no node fault")
        .unwrap();
    w.chain
        .execute(&w.carol, &cw3, &msg(execute), &[])
        .expect("no node fault")
        .unwrap();
    assert_eq!(w.chain.balances(&w.carol).get("ucosm"), Some(&300));
    assert_eq!(w.chain.balances(&cw3).get("ucosm"), Some(&700));
    let status = w.query(&cw3, json!({"proposal": {"proposal_id": 1}}));
    assert_eq!(status["status"], "executed");
}

#[test]
fn cw4_group_membership_changes() {
    let w = World::new();
    let code = w.store("cw4_group");
    let group = w.instantiate(
        code,
        json!({"admin": w.alice, "members": [{"addr": w.alice, "weight": 1}]}),
        None,
    );
    let update = json!({"update_members": {"remove": [], "add": [{"addr": w.bob, "weight": 5}]}});
    w.chain
        .execute(&w.alice, &group, &msg(update.clone()), &[])
        .expect("no node fault")
        .unwrap();
    assert_eq!(w.query(&group, json!({"total_weight": {}}))["weight"], 6);
    assert_eq!(
        w.query(&group, json!({"member": {"addr": w.bob}}))["weight"],
        5
    );
    // Only the admin may change members.
    let refused = w
        .chain
        .execute(&w.bob, &group, &msg(update), &[])
        .expect("no node fault")
        .unwrap_err();
    assert!(
        matches!(*refused.error, ChainError::Contract { .. }),
        "{refused}"
    );
    let remove = json!({"update_members": {"remove": [w.alice], "add": []}});
    w.chain
        .execute(&w.alice, &group, &msg(remove), &[])
        .expect("no node fault")
        .unwrap();
    assert_eq!(w.query(&group, json!({"total_weight": {}}))["weight"], 5);
}

#[test]
fn funds_move_with_execute_and_insufficient_funds_is_a_clear_error() {
    let w = World::new();
    let probe = w.probe();
    let write = json!({"write": {"key": "aw==", "value": "dg=="}});
    w.chain
        .execute(&w.alice, &probe, &msg(write.clone()), &coins(40, "ucosm"))
        .expect("no node fault")
        .unwrap();
    assert_eq!(w.chain.balances(&probe).get("ucosm"), Some(&40));
    let before = w.chain.dump();
    let poor = w
        .chain
        .execute(&w.bob, &probe, &msg(write), &coins(1, "ucosm"))
        .expect("no node fault")
        .unwrap_err();
    assert_eq!(
        poor.error.to_string(),
        "spendable balance 0ucosm is smaller than 1ucosm: insufficient funds"
    );
    assert_eq!(w.chain.dump(), before);
    assert!(poor.gas.calls.is_empty(), "no contract ran");
}

#[test]
fn bank_queries_reach_contracts() {
    let w = World::new();
    let probe = w.probe();
    let request = json!({"bank": {"all_balances": {"address": w.alice}}});
    let query = json!({"query_chain": {"request": b64(request)}});
    let done = w
        .chain
        .execute(&w.alice, &probe, &msg(query), &[])
        .expect("no node fault")
        .unwrap();
    let answer: Value = serde_json::from_slice(&done.data.unwrap()).unwrap();
    let inner = Binary::from_base64(answer["ok"]["ok"].as_str().unwrap()).unwrap();
    let inner: Value = serde_json::from_slice(&inner).unwrap();
    assert_eq!(
        inner,
        json!({"amount": [{"denom": "ucosm", "amount": "10000"}]})
    );
}

#[test]
fn unsupported_messages_fail_naming_the_message() {
    let w = World::new();
    let probe = w.probe();
    let any = json!({"type_url": "/cosmos.staking.v1beta1.MsgDelegate", "value": ""});
    let sub = json!({"id": 0, "msg": {"any": any}, "gas_limit": null, "reply_on": "never"});
    let failure = w.dispatch(&probe, sub).unwrap_err();
    assert_eq!(
        failure.error.to_string(),
        "submessages: unsupported message: any (no handler registered for it)"
    );
}

#[test]
fn messages_to_self_in_a_loop_stop_at_the_call_depth_limit() {
    let w = World::new();
    let probe = w.probe();
    let before = w.chain.dump();
    let failure = w
        .chain
        .execute(&w.alice, &probe, &msg(json!({"ping_self": {}})), &[])
        .expect("no node fault")
        .unwrap_err();
    let mut error = &*failure.error;
    let mut depth = 0;
    while let ChainError::SubMessage(inner) = error {
        error = inner;
        depth += 1;
    }
    // wasmd `checkAndIncreaseCallDepth` (x/wasm/keeper/keeper.go): 100
    // responses nest, the 101st fails after its contract ran.
    assert_eq!(error, &ChainError::CallDepth { limit: 100 });
    assert_eq!(error.abci_code(), ("wasm", 30));
    assert_eq!(depth, 100);
    assert_eq!(failure.gas.calls.len(), 101);
    assert_eq!(w.chain.dump(), before);
}

#[test]
fn migrate_is_for_the_admin_only_and_admin_can_be_changed() {
    let w = World::new();
    let probe = w.probe();
    let code = w.chain.contract(&probe).unwrap().code_id;
    let migrate = msg(json!({"version": "2"}));
    let refused = w
        .chain
        .migrate(&w.bob, &probe, code, &migrate)
        .expect("no node fault")
        .unwrap_err();
    assert!(matches!(*refused.error, ChainError::Unauthorized { .. }));
    w.chain
        .migrate(&w.alice, &probe, code, &migrate)
        .expect("no node fault")
        .unwrap();
    w.chain
        .set_admin(&w.alice, &probe, Some(&w.bob))
        .expect("no node fault")
        .unwrap();
    assert_eq!(
        w.chain.contract(&probe).unwrap().admin.as_deref(),
        Some(w.bob.as_str())
    );
    w.chain
        .set_admin(&w.bob, &probe, None)
        .expect("no node fault")
        .unwrap();
    assert_eq!(w.chain.contract(&probe).unwrap().admin, None);
}

#[test]
fn instantiate2_uses_the_predictable_address() {
    let w = World::new();
    let code = w.store("probe");
    let init = msg(json!({}));
    let done = w
        .chain
        .instantiate(&Instantiate {
            code_id: code,
            sender: &w.alice,
            msg: &init,
            funds: &[],
            admin: None,
            label: "two",
            salt: Some(b"salt"),
        })
        .expect("no node fault")
        .unwrap();
    let (checksum, _) = w.chain.code_info(code).unwrap();
    let creator = bech32::decode(&w.alice).unwrap().1;
    let bytes =
        cw_runtime::chain::instantiate2_address_bytes(&checksum, &creator, b"salt").unwrap();
    let expected =
        bech32::encode::<bech32::Bech32>(bech32::Hrp::parse("cosmwasm").unwrap(), &bytes).unwrap();
    assert_eq!(done.contract_address.as_deref(), Some(expected.as_str()));
    // The same salt again: the address is taken.
    let again = w
        .chain
        .instantiate(&Instantiate {
            code_id: code,
            sender: &w.alice,
            msg: &init,
            funds: &[],
            admin: None,
            label: "two",
            salt: Some(b"salt"),
        })
        .expect("no node fault");
    assert!(matches!(
        *again.unwrap_err().error,
        ChainError::DuplicateContract { .. }
    ));
}

#[test]
fn an_out_of_gas_call_fails_with_the_vm_error_and_rolls_back() {
    let w = World::new();
    let probe = w.probe();
    let before = w.chain.dump();
    let failure = w
        .chain
        .execute(
            &w.alice,
            &probe,
            &msg(json!({"loop": {}})),
            &coins(5, "ucosm"),
        )
        .expect("no node fault")
        .unwrap_err();
    assert!(matches!(
        *failure.error,
        ChainError::Vm {
            failure: VmFailure::OutOfGas,
            ..
        }
    ));
    assert_eq!(
        failure.gas.cosmwasm(),
        cw_runtime::chain::DEFAULT_TX_GAS_LIMIT
    );
    assert_eq!(w.chain.dump(), before);
}

/// A state shared by two chains, as a database outlives a process.
#[derive(Clone, Default)]
struct KeptState(Arc<std::sync::Mutex<cw_runtime::chain::MemoryState>>);

impl cw_runtime::chain::ChainState for KeptState {
    fn get(&self, key: &[u8]) -> Option<Vec<u8>> {
        self.0.lock().unwrap().get(key)
    }
    fn set(&mut self, key: &[u8], value: &[u8]) -> Option<Vec<u8>> {
        self.0.lock().unwrap().set(key, value)
    }
    fn remove(&mut self, key: &[u8]) -> Option<Vec<u8>> {
        self.0.lock().unwrap().remove(key)
    }
    fn seek(
        &self,
        range: cw_host::KeyRange<'_>,
        order: cw_host::Order,
        after: Option<&[u8]>,
    ) -> Option<cw_host::Record> {
        self.0.lock().unwrap().seek(range, order, after)
    }
    fn code_count(&self) -> u64 {
        self.0.lock().unwrap().code_count()
    }
    fn code(&self, code_id: u64) -> Option<cw_runtime::chain::CodeRecord> {
        self.0.lock().unwrap().code(code_id)
    }
    fn push_code(&mut self, code: cw_runtime::chain::CodeRecord) {
        self.0.lock().unwrap().push_code(code);
    }
}

/// Stores cw20-base, makes a token with 1000 for alice and runs `transfers`
/// transfers of 10 to bob; returns the token's address and the last
/// transfer's result.
fn cw20_history(
    chain: &Chain<CosmWasmSchedule>,
    transfers: usize,
) -> (String, Option<cw_runtime::TxSuccess>) {
    let alice = chain.addr_make("alice").unwrap();
    let code = chain
        .store_code(
            &alice,
            &tests::fixture_bytes("cw20_base"),
            ExecutionMode::Wasm,
        )
        .unwrap();
    let init = msg(json!({"name": "Token", "symbol": "TKN", "decimals": 6,
        "initial_balances": [{"address": alice, "amount": "1000"}]}));
    let token = chain
        .instantiate(&Instantiate::new(code, &alice, &init, "t"))
        .expect("no node fault")
        .unwrap()
        .contract_address
        .unwrap();
    let mut last = None;
    for _ in 0..transfers {
        last = Some(transfer_to_bob(chain, &token));
    }
    (token, last)
}

fn transfer_to_bob(chain: &Chain<CosmWasmSchedule>, token: &str) -> cw_runtime::TxSuccess {
    let alice = chain.addr_make("alice").unwrap();
    let bob = chain.addr_make("bob").unwrap();
    let transfer = msg(json!({"transfer": {"recipient": bob, "amount": "10"}}));
    chain
        .execute(&alice, token, &transfer, &[])
        .expect("no node fault")
        .unwrap()
}

#[test]
fn a_wasm_chain_built_over_a_kept_state_compiles_its_codes_again_and_runs_the_same() {
    let kept = KeptState::default();
    let build = |state: Box<dyn cw_runtime::chain::ChainState>| {
        cw_runtime::ChainBuilder::new(CosmWasmSchedule::default())
            .module_cache(cache())
            .state(state)
            .build()
            .unwrap()
    };
    let first = build(Box::new(kept.clone()));
    let (token, _) = cw20_history(&first, 1);
    let dump = first.dump();
    let code = first.code_info(1).unwrap();
    drop(first);

    // A restart: the code is loaded (compiled) again from the kept state.
    // The transaction index within a block is not part of the state, so
    // both chains below continue in a new block.
    let restarted = build(Box::new(kept.clone()));
    assert_eq!(restarted.dump(), dump);
    assert_eq!(restarted.code_info(1).unwrap(), code);
    let next_block = |chain: &Chain<CosmWasmSchedule>| {
        let mut block = chain.block();
        block.height += 1;
        chain.set_block(block);
    };
    next_block(&restarted);
    let after_restart = transfer_to_bob(&restarted, &token);

    // The same history without a restart gives the same bytes and gas.
    let uninterrupted = build(Box::<cw_runtime::chain::MemoryState>::default());
    let (same_token, _) = cw20_history(&uninterrupted, 1);
    assert_eq!(same_token, token);
    next_block(&uninterrupted);
    assert_eq!(after_restart, transfer_to_bob(&uninterrupted, &token));
    assert_eq!(restarted.dump(), uninterrupted.dump());
}
