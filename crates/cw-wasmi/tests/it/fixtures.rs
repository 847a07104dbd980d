//! The fixture contracts on both engines: cw20-base, cw721-base,
//! cw1-whitelist and the probe, each call at its full limit and cut by
//! several lower limits, under both schedules.

use cw_gas::{CosmWasmSchedule, CostTable, NearSchedule};
use cw_host::{EntryPoint, VmFailure};
use serde_json::json;

use crate::harness::{Engines, SENDER, Settings, addr};

/// CosmWasm gas for a call: wasmd's smart-query limit (4.2 × 10^11).
pub(crate) const CW_LIMIT: u64 = 3_000_000 * 140_000;
/// NEAR gas for a call: the 300 Tgas per-call cap.
pub(crate) const NEAR_LIMIT: u64 = 300_000_000_000_000;

type Script = Vec<(EntryPoint, String, String)>;

fn execute(sender: &str, msg: serde_json::Value) -> (EntryPoint, String, String) {
    (EntryPoint::Execute, sender.to_string(), msg.to_string())
}

fn query(msg: serde_json::Value) -> (EntryPoint, String, String) {
    (EntryPoint::Query, String::new(), msg.to_string())
}

fn run_script<T: CostTable + Clone>(fixture: &str, table: T, limit: u64, script: &Script) {
    let wasm = tests::fixture_bytes(fixture);
    let mut engines = Engines::new(&wasm, table, Settings::default());
    for (entry, sender, msg) in script {
        let outcome = engines.call_and_cut(*entry, sender, msg, limit);
        // Make sure every message is understood, so the comparison reached
        // the contract's logic and its imports.
        let text = outcome.text();
        assert!(
            !text.contains("Error parsing") && !text.contains("unknown variant"),
            "{fixture} {msg}: {text}"
        );
    }
    assert!(!engines.dump().is_empty(), "{fixture} stored something");
}

fn both_schedules(fixture: &str, script: &Script) {
    run_script(fixture, CosmWasmSchedule::default(), CW_LIMIT, script);
    run_script(fixture, NearSchedule::default(), NEAR_LIMIT, script);
}

#[test]
fn cw20_base() {
    let (alice, bob) = (addr("alice"), addr("bob"));
    let script = vec![
        (
            EntryPoint::Instantiate,
            alice.clone(),
            json!({
                "name": "Differential", "symbol": "DIFF", "decimals": 6,
                "initial_balances": [{"address": alice, "amount": "1000000"}],
                "mint": {"minter": alice, "cap": "9000000"},
            })
            .to_string(),
        ),
        execute(
            &alice,
            json!({"transfer": {"recipient": bob, "amount": "250"}}),
        ),
        execute(
            &alice,
            json!({"transfer": {"recipient": bob, "amount": "99999999"}}),
        ),
        execute(&alice, json!({"burn": {"amount": "17"}})),
        execute(&alice, json!({"mint": {"recipient": bob, "amount": "42"}})),
        execute(&bob, json!({"mint": {"recipient": bob, "amount": "42"}})),
        execute(
            &alice,
            json!({"increase_allowance": {"spender": bob, "amount": "300"}}),
        ),
        execute(
            &bob,
            json!({"transfer_from": {"owner": alice, "recipient": bob, "amount": "120"}}),
        ),
        execute(
            &alice,
            json!({"transfer": {"recipient": "not-an-address", "amount": "1"}}),
        ),
        query(json!({"balance": {"address": bob}})),
        query(json!({"token_info": {}})),
        query(json!({"all_accounts": {}})),
        query(json!({"all_allowances": {"owner": alice}})),
        query(json!({"allowance": {"owner": alice, "spender": bob}})),
    ];
    both_schedules("cw20_base", &script);
}

#[test]
fn cw721_base() {
    let (alice, bob) = (addr("alice"), addr("bob"));
    let script = vec![
        (
            EntryPoint::Instantiate,
            alice.clone(),
            json!({
                "name": "Differential NFTs", "symbol": "DNFT", "collection_info_extension": null,
                "minter": alice, "creator": alice, "withdraw_address": null,
            })
            .to_string(),
        ),
        execute(
            &alice,
            json!({"mint": {"token_id": "t1", "owner": alice, "token_uri": "https://example.com/1", "extension": null}}),
        ),
        execute(
            &alice,
            json!({"mint": {"token_id": "t2", "owner": bob, "token_uri": null, "extension": null}}),
        ),
        execute(
            &bob,
            json!({"mint": {"token_id": "t3", "owner": bob, "token_uri": null, "extension": null}}),
        ),
        execute(
            &alice,
            json!({"approve": {"spender": bob, "token_id": "t1", "expires": null}}),
        ),
        execute(
            &bob,
            json!({"transfer_nft": {"recipient": bob, "token_id": "t1"}}),
        ),
        execute(
            &bob,
            json!({"approve_all": {"operator": alice, "expires": null}}),
        ),
        execute(&alice, json!({"burn": {"token_id": "t2"}})),
        execute(
            &alice,
            json!({"transfer_nft": {"recipient": "nope", "token_id": "t1"}}),
        ),
        query(json!({"owner_of": {"token_id": "t1", "include_expired": null}})),
        query(json!({"num_tokens": {}})),
        query(json!({"all_tokens": {"start_after": null, "limit": null}})),
        query(json!({"tokens": {"owner": bob, "start_after": null, "limit": 10}})),
        query(json!({"all_nft_info": {"token_id": "t1", "include_expired": true}})),
        query(json!({"get_all_info": {}})),
    ];
    both_schedules("cw721_base", &script);
}

#[test]
fn cw1_whitelist() {
    let (alice, bob, carol) = (addr("alice"), addr("bob"), addr("carol"));
    let send = json!({"bank": {"send": {"to_address": carol, "amount": [{"denom": "ucosm", "amount": "5"}]}}});
    let script = vec![
        (
            EntryPoint::Instantiate,
            alice.clone(),
            json!({"admins": [alice, bob], "mutable": true}).to_string(),
        ),
        execute(&alice, json!({"execute": {"msgs": [send]}})),
        execute(&carol, json!({"execute": {"msgs": [send]}})),
        execute(&bob, json!({"update_admins": {"admins": [bob, carol]}})),
        execute(&alice, json!({"update_admins": {"admins": [alice]}})),
        execute(&carol, json!({"freeze": {}})),
        execute(&bob, json!({"update_admins": {"admins": [alice]}})),
        query(json!({"admin_list": {}})),
        query(json!({"can_execute": {"sender": carol, "msg": send}})),
        query(json!({"can_execute": {"sender": alice, "msg": send}})),
    ];
    both_schedules("cw1_whitelist", &script);
}

/// Every import the probe calls, and its misbehaviours: an endless loop,
/// recursion past its shadow stack, panics, aborts, memory growth inside and
/// past the limit, a huge allocation, writes in a query.
#[test]
fn probe() {
    let probe = |table_is_near: bool| {
        let wasm = tests::fixture_bytes("probe");
        let limit = if table_is_near { NEAR_LIMIT } else { CW_LIMIT };
        let mut cw;
        let mut near;
        let engines: &mut dyn ProbeEngines = if table_is_near {
            near = Engines::new(&wasm, NearSchedule::default(), Settings::default());
            &mut near
        } else {
            cw = Engines::new(&wasm, CosmWasmSchedule::default(), Settings::default());
            &mut cw
        };
        engines.cut(EntryPoint::Instantiate, "{}", limit);
        for msg in PROBE_EXECUTES {
            engines.cut(EntryPoint::Execute, msg, limit);
        }
        for msg in PROBE_QUERIES {
            engines.cut(EntryPoint::Query, msg, limit);
        }
        // The misbehaviours end as the Wasmer path ends them.
        let outcomes: Vec<_> = PROBE_MISBEHAVIOURS
            .iter()
            .map(|(entry, msg)| engines.once(*entry, msg, limit))
            .collect();
        assert!(outcomes.contains(&Err(VmFailure::OutOfGas)), "{outcomes:?}");
        // The probe's deep recursion overflows its own shadow stack (1 MiB
        // of linear memory, Rust's default) long before the calibrated
        // 12 MiB limit: an out-of-bounds access on both engines. The stack
        // limit itself is `hostile::deep_recursion_*`'s.
        assert_eq!(
            outcomes[2],
            Err(VmFailure::Trap {
                message: "out of bounds memory access".into()
            }),
            "{outcomes:?}"
        );
        assert!(
            outcomes
                .iter()
                .any(|o| matches!(o, Err(VmFailure::Aborted { .. })))
        );
        assert!(
            outcomes
                .iter()
                .any(|o| matches!(o, Err(VmFailure::Trap { .. })))
        );
        assert!(
            outcomes
                .iter()
                .any(|o| matches!(o, Err(VmFailure::Host(_))))
        );
    };
    probe(false);
    probe(true);
}

/// The probe's script on either schedule.
trait ProbeEngines {
    fn cut(&mut self, entry: EntryPoint, msg: &str, limit: u64);
    fn once(&mut self, entry: EntryPoint, msg: &str, limit: u64) -> cw_host::CallResult;
}

impl<T: CostTable + Clone> ProbeEngines for Engines<T> {
    fn cut(&mut self, entry: EntryPoint, msg: &str, limit: u64) {
        let outcome = self.call_and_cut(entry, SENDER, msg, limit);
        let text = outcome.text();
        assert!(!text.contains("Error parsing"), "{msg}: {text}");
    }

    fn once(&mut self, entry: EntryPoint, msg: &str, limit: u64) -> cw_host::CallResult {
        self.call(entry, SENDER, msg, limit).result
    }
}

const PROBE_EXECUTES: &[&str] = &[
    r#"{"recurse":{"depth":3}}"#,
    r#"{"debug":{"msg":"hi"}}"#,
    r#"{"addr_validate":{"addr":"abc"}}"#,
    r#"{"addr_canonicalize":{"addr":"cosmwasm1qyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqs7fd4x7"}}"#,
    r#"{"addr_humanize":{"canonical":"AAAAAAAAAAAAAAAAAAAAAAAAAAA="}}"#,
    r#"{"write":{"key":"AQI=","value":"AwQ="}}"#,
    r#"{"write":{"key":"AQM=","value":"BQY="}}"#,
    r#"{"write":{"key":"AQQ=","value":"BQY="}}"#,
    r#"{"read":{"key":"AQI="}}"#,
    r#"{"scan":{"start":null,"end":null,"order":"descending","limit":10,"mode":"pairs"}}"#,
    r#"{"scan":{"start":"AQM=","end":null,"order":"ascending","limit":null,"mode":"keys"}}"#,
    r#"{"scan":{"start":null,"end":"AQQ=","order":"ascending","limit":2,"mode":"values"}}"#,
    r#"{"remove":{"key":"AQI="}}"#,
    r#"{"secp256k1_verify":{"message_hash":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=","signature":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==","public_key":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}}"#,
    r#"{"secp256k1_recover_pubkey":{"message_hash":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=","signature":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==","recovery_param":0}}"#,
    r#"{"ed25519_verify":{"message":"aGVsbG8=","signature":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==","public_key":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="}}"#,
    r#"{"ed25519_batch_verify":{"messages":[],"signatures":[],"public_keys":[]}}"#,
    r#"{"bls12381_aggregate_g1":{"points":""}}"#,
    r#"{"bls12381_hash_to_g1":{"hash_function":"sha256","msg":"aGVsbG8=","dst":"ZHN0"}}"#,
    r#"{"query_chain":{"request":"eyJiYW5rIjp7ImJhbGFuY2UiOnsiYWRkcmVzcyI6ImEiLCJkZW5vbSI6ImIifX19"}}"#,
    r#"{"grow_memory":{"pages":1}}"#,
    r#"{"grow_memory":{"pages":600}}"#,
    r#"{"fail":{"msg":"a contract error"}}"#,
    r#"{"dispatch":{"messages":[]}}"#,
];

const PROBE_QUERIES: &[&str] = &[
    r#"{"read":{"key":"AQM="}}"#,
    r#"{"scan":{"start":null,"end":null,"order":"ascending","limit":null,"mode":"pairs"}}"#,
    r#"{"echo":{"data":"aGVsbG8="}}"#,
];

const PROBE_MISBEHAVIOURS: &[(EntryPoint, &str)] = &[
    (EntryPoint::Execute, r#"{"loop":{}}"#),
    (EntryPoint::Query, r#"{"loop":{}}"#),
    // Far deeper than the contract's shadow stack allows.
    (EntryPoint::Execute, r#"{"recurse":{"depth":1000000}}"#),
    (EntryPoint::Execute, r#"{"recurse":{"depth":1000}}"#),
    (EntryPoint::Execute, r#"{"panic":{"msg":"boom"}}"#),
    (EntryPoint::Execute, r#"{"abort":{"msg":"bye"}}"#),
    (EntryPoint::Execute, r#"{"allocate":{"bytes":100000000}}"#),
    (EntryPoint::Execute, r#"{"allocate":{"bytes":1000000}}"#),
    (
        EntryPoint::Query,
        r#"{"write_in_query":{"key":"AQI=","value":"AwQ="}}"#,
    ),
    (EntryPoint::Query, r#"{"remove_in_query":{"key":"AQM="}}"#),
    (
        EntryPoint::Execute,
        r#"{"write":{"key":"AQI=","value":""}}"#,
    ),
    (EntryPoint::Execute, "not json"),
    (EntryPoint::Sudo, r#"{"echo":{"data":"aGk="}}"#),
    (EntryPoint::Reply, "{}"),
];
