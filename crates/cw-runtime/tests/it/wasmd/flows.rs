//! The differential harness of issue 25: message flows run on our chain,
//! each with the outcome wasmd's code gives, written from that code (the
//! `wasmd` column names the function each expectation follows; paths are
//! wasmd's `x/wasm/...` unless they say wasmvm or SDK).
//!
//! Every flow starts from a fresh [`World`]: alice has the probe `A` send
//! `msg`; the flow then compares what wasmd fixes: the transaction's
//! outcome (ABCI code of a failure), the `Reply` `A` received (stored by
//! the probe), the transaction's events with their attribute order,
//! storage a contract wrote, balances. Templates use `@name` for
//! addresses, `{"$code": name}` for code ids and `{"$b64": value}` for a
//! nested message.

use cw_gas::CosmWasmSchedule;
use cw_runtime::ChainBuilder;
use serde_json::{Value, json};

use super::{World, events, sub, wasm_execute, world, world_with};

/// How the transaction ends.
enum Tx {
    Ok,
    /// The ABCI (codespace, code) of the failure.
    Err(&'static str, u32),
}

struct Flow {
    name: &'static str,
    /// The wasmd source the expectation follows.
    wasmd: &'static str,
    /// Chain settings beyond the defaults.
    configure: Option<fn(ChainBuilder<CosmWasmSchedule>) -> ChainBuilder<CosmWasmSchedule>>,
    /// What alice sends `A` (a template).
    msg: Value,
    tx: Tx,
    /// The `Reply` `A` stored; `Some(Value::Null)`: none.
    reply: Option<Value>,
    /// The transaction's events, `[type, [[key, value], ...]]` each.
    events: Option<Value>,
    /// (contract, storage key, JSON pointer, value; `null`: key absent).
    stored: Vec<(&'static str, &'static str, &'static str, Value)>,
    /// (who, denom, amount).
    balances: Vec<(&'static str, &'static str, u128)>,
    /// The entry points of the contract calls made, in order.
    calls: Option<Vec<&'static str>>,
}

impl Flow {
    fn new(name: &'static str, wasmd: &'static str, msg: Value) -> Self {
        Self {
            name,
            wasmd,
            configure: None,
            msg,
            tx: Tx::Ok,
            reply: None,
            events: None,
            stored: Vec::new(),
            balances: Vec::new(),
            calls: None,
        }
    }

    fn calls(mut self, calls: &[&'static str]) -> Self {
        self.calls = Some(calls.to_vec());
        self
    }

    fn reply_error(mut self, text: &str) -> Self {
        self.reply =
            Some(json!({"id": 1, "payload": "", "gas_used": 0, "result": {"error": text}}));
        self
    }

    fn reply_ok(mut self, events: Value, msg_responses: Value) -> Self {
        self.reply = Some(
            json!({"id": 1, "payload": "", "gas_used": 0, "result": {"ok": {
            "events": events, "data": null, "msg_responses": msg_responses}}}),
        );
        self
    }

    fn reply(mut self, reply: Value) -> Self {
        self.reply = Some(reply);
        self
    }

    fn fails(mut self, codespace: &'static str, code: u32) -> Self {
        self.tx = Tx::Err(codespace, code);
        self
    }

    fn events(mut self, events: Value) -> Self {
        self.events = Some(events);
        self
    }

    fn stored(
        mut self,
        contract: &'static str,
        key: &'static str,
        pointer: &'static str,
        v: Value,
    ) -> Self {
        self.stored.push((contract, key, pointer, v));
        self
    }

    fn balance(mut self, who: &'static str, denom: &'static str, amount: u128) -> Self {
        self.balances.push((who, denom, amount));
        self
    }

    fn configure(
        mut self,
        configure: fn(ChainBuilder<CosmWasmSchedule>) -> ChainBuilder<CosmWasmSchedule>,
    ) -> Self {
        self.configure = Some(configure);
        self
    }

    /// Runs the flow on `base` put back to `genesis` (or on its own chain
    /// when it has other settings); returns every difference from wasmd's
    /// outcome.
    fn check(&self, base: &World, genesis: &[(Vec<u8>, Vec<u8>)]) -> Vec<String> {
        let own;
        let w = match self.configure {
            Some(configure) => {
                own = world_with(configure);
                &own
            }
            None => {
                base.chain.load_state(genesis.to_vec());
                base
            }
        };
        let mut diffs = Vec::new();
        let outcome = w.execute("alice", "A", &self.msg);
        match (&self.tx, &outcome) {
            (Tx::Ok, Ok(_)) => {}
            (Tx::Err(cs, code), Err(f)) if f.error.abci_code() == (*cs, *code) => {}
            (Tx::Ok, Err(f)) => diffs.push(format!("transaction failed: {}", f.error)),
            (Tx::Err(cs, code), Err(f)) => diffs.push(format!(
                "failure {:?} ({}), wasmd gives ({cs}, {code})",
                f.error.abci_code(),
                f.error
            )),
            (Tx::Err(cs, code), Ok(_)) => {
                diffs.push(format!("succeeded; wasmd fails with ({cs}, {code})"));
            }
        }
        if let Some(expected) = &self.reply {
            let got = w.stored("A", "probe/reply").unwrap_or(Value::Null);
            let expected = w.fill(expected);
            if got != expected {
                diffs.push(format!("reply {got}\n      wasmd {expected}"));
            }
        }
        if let (Some(expected), Ok(done)) = (&self.events, &outcome) {
            let got = json!(events(done));
            let expected = w.fill(expected);
            if got != expected {
                diffs.push(format!("events {got}\n       wasmd {expected}"));
            }
        }
        for (contract, key, pointer, expected) in &self.stored {
            let got = w.stored(contract, key).map_or(Value::Null, |v| {
                v.pointer(pointer).cloned().unwrap_or(Value::Null)
            });
            let expected = w.fill(expected);
            if got != expected {
                diffs.push(format!(
                    "{contract} {key}{pointer} = {got}, wasmd {expected}"
                ));
            }
        }
        if let Some(expected) = &self.calls {
            let gas = match &outcome {
                Ok(done) => &done.gas,
                Err(failure) => &failure.gas,
            };
            let got: Vec<&str> = gas.calls.iter().map(|c| c.entry).collect();
            if &got != expected {
                diffs.push(format!("calls {got:?}, wasmd {expected:?}"));
            }
        }
        for (who, denom, amount) in &self.balances {
            let got = w.balance(who, denom);
            if got != *amount {
                diffs.push(format!("{who} holds {got}{denom}, wasmd {amount}{denom}"));
            }
        }
        diffs
    }
}

fn dispatch(subs: Value) -> Value {
    json!({"dispatch": {"messages": subs}})
}

fn coins(list: &[(u128, &str)]) -> Value {
    Value::Array(
        list.iter()
            .map(|(amount, denom)| json!({"denom": denom, "amount": amount.to_string()}))
            .collect(),
    )
}

fn bank_send(to: &str, amount: Value) -> Value {
    json!({"bank": {"send": {"to_address": to, "amount": amount}}})
}

fn instantiate(code: &str, msg: Value, label: &str) -> Value {
    json!({"wasm": {"instantiate": {"admin": null, "code_id": {"$code": code},
        "msg": {"$b64": msg}, "funds": [], "label": label}}})
}

fn instantiate2(label: &str, salt: &str) -> Value {
    json!({"wasm": {"instantiate2": {"admin": null, "code_id": {"$code": "plain"},
        "label": label, "msg": {"$b64": {}}, "funds": [], "salt": salt}}})
}

fn respond_with(messages: Value) -> Value {
    json!({"respond": {"messages": messages}})
}

/// The events of `A`'s dispatch and of its reply around `middle`.
fn around_reply(middle: Value) -> Value {
    let mut all = vec![
        json!(["execute", [["_contract_address", "@A"]]]),
        json!([
            "wasm",
            [["_contract_address", "@A"], ["action", "dispatch"]]
        ]),
    ];
    all.extend(middle.as_array().cloned().unwrap_or_default());
    all.push(json!(["reply", [["_contract_address", "@A"]]]));
    all.push(json!([
        "wasm",
        [
            ["_contract_address", "@A"],
            ["action", "reply"],
            ["reply_id", "1"]
        ]
    ]));
    Value::Array(all)
}

const REDACT: &str =
    "msg_dispatcher.go redactError; keeper.go execute/instantiate/migrate (MarkErrorDeterministic)";

fn error_flows() -> Vec<Flow> {
    vec![
        Flow::new("a callee's execute error keeps its text", REDACT,
            dispatch(json!([sub(1, wasm_execute("@B", json!({"fail": "boom"})), "always")])))
            .reply_error("boom: execute wasm contract failed"),
        Flow::new("a callee's instantiate error keeps its text", REDACT,
            dispatch(json!([sub(1, instantiate("plain", json!({"fail": "boom"}), "x"), "always")])))
            .reply_error("boom: instantiate wasm contract failed"),
        Flow::new("a callee's migrate error keeps its text", REDACT,
            dispatch(json!([sub(1, json!({"wasm": {"migrate": {"contract_addr": "@B",
                "new_code_id": {"$code": "plain"}, "msg": {"$b64": {"fail": "boom"}}}}}), "always")])))
            .reply_error("boom: migrate wasm contract failed"),
        Flow::new("an error one execute deeper passes through unchanged",
            "keeper.go execute returns handleContractResponse's error unwrapped",
            dispatch(json!([sub(1, wasm_execute("@B", respond_with(json!([
                sub(0, wasm_execute("@C", json!({"fail": "boom"})), "never")]))), "always")])))
            .reply_error("boom: execute wasm contract failed"),
        Flow::new("an error below an instantiate is wrapped, so redacted",
            "keeper.go instantiate: Wrap(err, \"dispatch\"); redactError",
            dispatch(json!([sub(1, instantiate("plain", respond_with(json!([
                sub(0, wasm_execute("@C", json!({"fail": "boom"})), "never")])), "x"), "always")])))
            .reply_error("codespace: wasm, code: 5"),
        Flow::new("a failing reply is wrapped, so redacted",
            "msg_dispatcher.go DispatchSubmessages: Wrap(err, \"reply\")",
            dispatch(json!([sub(1, wasm_execute("@B", respond_with(json!([{
                "id": 0, "payload": {"$b64": {"fail": "boom"}},
                "msg": wasm_execute("@C", json!({})), "reply_on": "always"}]))), "always")])))
            .reply_error("codespace: wasm, code: 5"),
        Flow::new("a VM failure (abort) is ErrVMError", "keeper.go execute: Wrap(ErrVMError)",
            dispatch(json!([sub(1, wasm_execute("@A", json!({"panic": {"msg": "boom"}})), "always")])))
            .reply_error("codespace: wasm, code: 29"),
        Flow::new("a result that is not JSON is ErrVMError",
            "wasmvm lib_libwasmvm.go DeserializeResponse; keeper.go Wrap(ErrVMError)",
            dispatch(json!([sub(1, wasm_execute("@B", json!({"garbage": {}})), "always")])))
            .reply_error("codespace: wasm, code: 29"),
        Flow::new("a submessage out of its own gas limit is caught",
            "msg_dispatcher.go dispatchMsgWithGasLimit: Wrap(ErrOutOfGas, \"SubMsg hit gas limit\")",
            dispatch(json!([{"id": 1, "msg": wasm_execute("@A", json!({"loop": {}})),
                "gas_limit": 1000, "reply_on": "always"}])))
            .reply_error("codespace: sdk, code: 11"),
        Flow::new("executing an address without a contract", "keeper.go contractInstance: ErrNoSuchContractFn",
            dispatch(json!([sub(1, wasm_execute("@bob", json!({})), "always")])))
            .reply_error("codespace: wasm, code: 22"),
        Flow::new("executing an invalid address",
            "types/tx.go MsgExecuteContract.ValidateBasic: plain bech32 error",
            dispatch(json!([sub(1, wasm_execute("not-an-address", json!({})), "always")])))
            .reply_error("codespace: undefined, code: 1"),
        Flow::new("sending more than the contract holds", "SDK bank SendCoins: ErrInsufficientFunds",
            dispatch(json!([sub(1, bank_send("@bob", coins(&[(5000, "ucosm")])), "always")])))
            .reply_error("codespace: sdk, code: 5")
            .balance("A", "ucosm", 1000),
    ]
}

const SEND_RESPONSE: &str = "/cosmos.bank.v1beta1.MsgSendResponse";
const CONVERT: &str = "handler_plugin_encoders.go ConvertWasmCoinsToSdkCoins (sdk.Coins.Add)";

fn bank_flows() -> Vec<Flow> {
    let send_response = json!([{"type_url": SEND_RESPONSE, "value": ""}]);
    vec![
        Flow::new("duplicate denominations merge", CONVERT,
            dispatch(json!([sub(1, bank_send("@bob", coins(&[(1, "ucosm"), (2, "ucosm")])), "always")])))
            .reply_ok(json!([]), send_response.clone())
            .balance("bob", "ucosm", 3)
            .balance("A", "ucosm", 997),
        Flow::new("zero amounts drop", CONVERT,
            dispatch(json!([sub(1, bank_send("@bob", coins(&[(0, "ucosm"), (2, "uatom")])), "always")])))
            .reply_ok(json!([]), send_response.clone())
            .balance("bob", "uatom", 2)
            .balance("bob", "ucosm", 0),
        Flow::new("funds of zero are no funds", CONVERT,
            dispatch(json!([sub(1, json!({"wasm": {"execute": {"contract_addr": "@C",
                "msg": {"$b64": {}}, "funds": coins(&[(0, "ucosm")])}}}), "never")])))
            .stored("C", "last/execute", "/info/funds", json!([])),
        Flow::new("an empty send is no message at all",
            "handler_plugin_encoders.go EncodeBankMsg: len(Amount) == 0 → nil",
            dispatch(json!([sub(1, bank_send("not-an-address", json!([])), "always")])))
            .reply_ok(json!([]), json!([]))
            .events(around_reply(json!([]))),
        Flow::new("a send of zero coins only", "SDK bank MsgServer.Send: !IsAllPositive → ErrInvalidCoins",
            dispatch(json!([sub(1, bank_send("@bob", coins(&[(0, "ucosm")])), "always")])))
            .reply_error("codespace: sdk, code: 10"),
        Flow::new("an invalid denomination", "SDK sdk.Coin.Validate: plain error",
            dispatch(json!([sub(1, bank_send("@bob", coins(&[(1, "x")])), "always")])))
            .reply_error("codespace: undefined, code: 1"),
        Flow::new("burn goes through the wasm module account",
            "handler_plugin.go NewBurnCoinMessageHandler; SDK SendCoinsFromAccountToModule, BurnCoins",
            dispatch(json!([sub(1, json!({"bank": {"burn": {"amount": coins(&[(100, "ucosm")])}}}), "always")])))
            .reply_ok(json!([]), json!([]))
            .events(around_reply(json!([
                ["coin_spent", [["spender", "@A"], ["amount", "100ucosm"]]],
                ["coin_received", [["receiver", "@wasm_module"], ["amount", "100ucosm"]]],
                ["transfer", [["recipient", "@wasm_module"], ["sender", "@A"], ["amount", "100ucosm"]]],
                ["coin_spent", [["spender", "@wasm_module"], ["amount", "100ucosm"]]],
                ["burn", [["burner", "@wasm_module"], ["amount", "100ucosm"]]],
            ])))
            .balance("A", "ucosm", 900)
            .balance("wasm_module", "ucosm", 0),
        Flow::new("burning nothing", "handler_plugin.go NewBurnCoinMessageHandler: ErrEmpty.Wrap(\"amount\")",
            dispatch(json!([sub(1, json!({"bank": {"burn": {"amount": []}}}), "always")])))
            .reply_error("codespace: wasm, code: 12"),
    ]
}

const SORT: &str = "msg_dispatcher.go DispatchSubmessages (filterEvents, sort.SliceStable by key)";

fn event_flows() -> Vec<Flow> {
    let sorted = json!([
        ["coin_spent", [["amount", "5ucosm"], ["spender", "@A"]]],
        ["coin_received", [["amount", "5ucosm"], ["receiver", "@B"]]],
        [
            "transfer",
            [["amount", "5ucosm"], ["recipient", "@B"], ["sender", "@A"]]
        ],
        ["execute", [["_contract_address", "@B"]]],
        [
            "wasm",
            [["Alpha", "2"], ["_contract_address", "@B"], ["zeta", "1"]]
        ],
    ]);
    let as_event = |v: &Value| {
        json!({"type": v[0], "attributes": v[1].as_array().unwrap().iter()
            .map(|kv| json!({"key": kv[0], "value": kv[1]})).collect::<Vec<_>>()})
    };
    let reply_events: Vec<Value> = sorted.as_array().unwrap().iter().map(as_event).collect();
    vec![
        Flow::new("a wasm submessage's events: sorted attributes, no message events", SORT,
            dispatch(json!([sub(1, json!({"wasm": {"execute": {"contract_addr": "@B",
                "msg": {"$b64": {"respond": {"attributes": [
                    {"key": "zeta", "value": "1"}, {"key": "Alpha", "value": "2"}]}}},
                "funds": coins(&[(5, "ucosm")])}}}), "always")])))
            .reply_ok(json!(reply_events),
                json!([{"type_url": "/cosmwasm.wasm.v1.MsgExecuteContractResponse", "value": ""}]))
            .events(around_reply(sorted)),
        Flow::new("a bank submessage: no events in the reply, the transaction keeps them", SORT,
            dispatch(json!([sub(1, bank_send("@bob", coins(&[(7, "ucosm")])), "always")])))
            .reply_ok(json!([]), json!([{"type_url": SEND_RESPONSE, "value": ""}]))
            .events(around_reply(json!([
                ["coin_spent", [["spender", "@A"], ["amount", "7ucosm"]]],
                ["coin_received", [["receiver", "@bob"], ["amount", "7ucosm"]]],
                ["transfer", [["recipient", "@bob"], ["sender", "@A"], ["amount", "7ucosm"]]],
            ]))),
        Flow::new("cw20 transfer events through a submessage", SORT,
            dispatch(json!([sub(1, wasm_execute("@token",
                json!({"transfer": {"recipient": "@bob", "amount": "10"}})), "always")])))
            .reply_ok(json!([
                {"type": "execute", "attributes": [{"key": "_contract_address", "value": "@token"}]},
                {"type": "wasm", "attributes": [
                    {"key": "_contract_address", "value": "@token"}, {"key": "action", "value": "transfer"},
                    {"key": "amount", "value": "10"}, {"key": "from", "value": "@A"},
                    {"key": "to", "value": "@bob"}]},
            ]), json!([{"type_url": "/cosmwasm.wasm.v1.MsgExecuteContractResponse", "value": ""}])),
        Flow::new("a custom event type of two bytes", "events.go newCustomEvents: len(type) <= eventTypeMinLength",
            dispatch(json!([sub(1, wasm_execute("@B", json!({"respond": {"events": [
                {"type": "ab", "attributes": []}]}})), "always")])))
            .reply_error("codespace: wasm, code: 21"),
        Flow::new("a custom event type of three bytes", "events.go newCustomEvents",
            dispatch(json!([sub(1, wasm_execute("@B", json!({"respond": {"events": [
                {"type": " abc ", "attributes": []}]}})), "always")])))
            .reply_ok(json!([
                {"type": "execute", "attributes": [{"key": "_contract_address", "value": "@B"}]},
                {"type": "wasm-abc", "attributes": [{"key": "_contract_address", "value": "@B"}]},
            ]), json!([{"type_url": "/cosmwasm.wasm.v1.MsgExecuteContractResponse", "value": ""}])),
    ]
}

fn limit_flows() -> Vec<Flow> {
    vec![
        Flow::new(
            "an empty label",
            "types/validation.go ValidateLabel: ErrEmpty",
            dispatch(json!([sub(
                1,
                instantiate("plain", json!({}), ""),
                "always"
            )])),
        )
        .reply_error("codespace: wasm, code: 12"),
        Flow::new(
            "a label with surrounding whitespace",
            "types/validation.go ValidateLabel: ErrInvalid",
            dispatch(json!([sub(
                1,
                instantiate("plain", json!({}), " x"),
                "always"
            )])),
        )
        .reply_error("codespace: wasm, code: 14"),
        Flow::new(
            "instantiate2: the label is checked before the salt",
            "types/tx.go MsgInstantiateContract2.ValidateBasic",
            dispatch(json!([sub(1, instantiate2("", ""), "always")])),
        )
        .reply_error("codespace: wasm, code: 12"),
        Flow::new(
            "an empty salt",
            "types/validation.go ValidateSalt: ErrEmpty",
            dispatch(json!([sub(1, instantiate2("x", ""), "always")])),
        )
        .reply_error("codespace: wasm, code: 12"),
        Flow::new(
            "a salt of 65 bytes",
            "types/validation.go ValidateSalt: ErrLimit",
            dispatch(json!([sub(
                1,
                instantiate2("x", &cosmwasm_std::Binary::from(vec![7u8; 65]).to_base64()),
                "always"
            )])),
        )
        .reply_error("codespace: wasm, code: 13"),
        Flow::new(
            "an admin update to the sender itself",
            "types/tx.go MsgUpdateAdmin.ValidateBasic: EqualFold(Sender, NewAdmin)",
            dispatch(json!([sub(
                1,
                json!({"wasm": {"update_admin": {
                "contract_addr": "@B", "admin": "@A"}}}),
                "always"
            )])),
        )
        .reply_error("codespace: wasm, code: 14"),
        Flow::new(
            "a message that is not JSON, refused before the contract runs",
            "types/tx.go RawContractMessage.ValidateBasic (json.Valid)",
            dispatch(json!([sub(
                1,
                json!({"wasm": {"execute": {"contract_addr": "@B",
                "msg": "ew==", "funds": []}}}),
                "always"
            )])),
        )
        .reply_error("codespace: wasm, code: 14")
        .stored("B", "last/execute", "", Value::Null),
        Flow::new(
            "a gas limit not below the gas left is no limit: out of gas ends the transaction",
            "msg_dispatcher.go DispatchSubmessages: limitGas only if GasLimit < gasRemaining",
            dispatch(
                json!([{"id": 1, "msg": wasm_execute("@A", json!({"loop": {}})),
                "gas_limit": 1_000_000_000_000u64, "reply_on": "always"}]),
            ),
        )
        .fails("sdk", 11)
        .calls(&["execute", "execute"])
        .reply(Value::Null),
        Flow::new(
            "the call depth counts responses, after the contract ran",
            "keeper.go handleContractResponse → checkAndIncreaseCallDepth: ErrExceedMaxCallDepth",
            dispatch(json!([sub(
                1,
                wasm_execute(
                    "@B",
                    respond_with(json!([sub(0, wasm_execute("@C", json!({})), "never")]))
                ),
                "always"
            )])),
        )
        .configure(|b| b.max_call_depth(2))
        .reply_error("codespace: wasm, code: 30"),
        Flow::new(
            "migrating an address without a contract",
            "keeper.go migrate: Wrap(ErrInvalidRequest, \"unknown contract\")",
            dispatch(json!([sub(
                1,
                json!({"wasm": {"migrate": {"contract_addr": "@bob",
                "new_code_id": {"$code": "plain"}, "msg": {"$b64": {}}}}}),
                "always"
            )])),
        )
        .reply_error("codespace: sdk, code: 18"),
        Flow::new(
            "migrating to a code that does not exist",
            "keeper.go migrate: Wrap(ErrInvalidRequest, \"unknown code\")",
            dispatch(json!([sub(
                1,
                json!({"wasm": {"migrate": {"contract_addr": "@B",
                "new_code_id": 999, "msg": {"$b64": {}}}}}),
                "always"
            )])),
        )
        .reply_error("codespace: sdk, code: 18"),
        Flow::new(
            "migrating to code id 0",
            "types/tx.go MsgMigrateContract.ValidateBasic",
            dispatch(json!([sub(
                1,
                json!({"wasm": {"migrate": {"contract_addr": "@B",
                "new_code_id": 0, "msg": {"$b64": {}}}}}),
                "always"
            )])),
        )
        .reply_error("codespace: sdk, code: 18"),
        Flow::new(
            "changing the admin of an address without a contract",
            "keeper.go setContractAdmin: Wrap(ErrInvalidRequest, \"unknown contract\")",
            dispatch(json!([sub(
                1,
                json!({"wasm": {"clear_admin": {"contract_addr": "@bob"}}}),
                "always"
            )])),
        )
        .reply_error("codespace: sdk, code: 18"),
    ]
}

#[test]
fn flows_give_wasmd_outcomes() {
    let flows: Vec<Flow> = [error_flows(), bank_flows(), event_flows(), limit_flows()]
        .into_iter()
        .flatten()
        .collect();
    let base = world();
    let genesis = base.chain.dump();
    let mut report = Vec::new();
    for flow in &flows {
        let diffs = flow.check(&base, &genesis);
        if !diffs.is_empty() {
            report.push(format!(
                "{} (wasmd: {}):\n    {}",
                flow.name,
                flow.wasmd,
                diffs.join("\n    ")
            ));
        }
    }
    assert!(
        report.is_empty(),
        "{} of {} flows differ from wasmd:\n{}",
        report.len(),
        flows.len(),
        report.join("\n")
    );
}
