//! Properties of the chain layer over random operation sequences, and
//! determinism of a multi-contract transaction across every cache path.

use std::sync::{Arc, OnceLock};

use cosmwasm_std::Binary;
use cw_gas::CosmWasmSchedule;
use cw_gas::middleware::DEFAULT_STACK_LIMIT_BYTES;
use cw_runtime::chain::{ExecutionMode, Instantiate, TxResult};
use cw_runtime::{Chain, ChainBuilder, CompileConfig, ModuleCache, TierUp, ValidationConfig};
use proptest::prelude::*;
use serde_json::{Value, json};

fn config() -> CompileConfig<CosmWasmSchedule> {
    CompileConfig {
        table: CosmWasmSchedule::default(),
        stack_limit_bytes: Some(DEFAULT_STACK_LIMIT_BYTES),
        validation: ValidationConfig::default(),
    }
}

fn shared_cache() -> Arc<ModuleCache<CosmWasmSchedule>> {
    static CACHE: OnceLock<Arc<ModuleCache<CosmWasmSchedule>>> = OnceLock::new();
    CACHE
        .get_or_init(|| Arc::new(ModuleCache::new(config(), 512 << 20, None).unwrap()))
        .clone()
}

fn msg(value: Value) -> Vec<u8> {
    serde_json::to_vec(&value).unwrap()
}

const USERS: usize = 4;

/// A cw20 token held by four users, a receiver contract, and the minter.
struct Token {
    chain: Chain<CosmWasmSchedule>,
    users: Vec<String>,
    receiver: String,
    token: String,
}

impl Token {
    fn new(cache: Arc<ModuleCache<CosmWasmSchedule>>) -> Self {
        let chain = ChainBuilder::new(CosmWasmSchedule::default())
            .module_cache(cache)
            .build()
            .unwrap();
        let users: Vec<String> = (0..USERS)
            .map(|i| chain.addr_make(&format!("user{i}")).unwrap())
            .collect();
        let instantiate = |code_id, init: Value| {
            let init = msg(init);
            chain
                .instantiate(&Instantiate {
                    code_id,
                    sender: &users[0],
                    msg: &init,
                    funds: &[],
                    admin: None,
                    label: "prop",
                    salt: None,
                })
                .expect("no node fault")
                .unwrap()
                .contract_address
                .unwrap()
        };
        let cw20 = chain
            .store_code(
                &users[0],
                &tests::fixture_bytes("cw20_base"),
                ExecutionMode::Wasm,
            )
            .unwrap();
        let probe = chain
            .store_code(
                &users[0],
                &tests::fixture_bytes("probe"),
                ExecutionMode::Wasm,
            )
            .unwrap();
        let balances: Vec<Value> = users
            .iter()
            .map(|u| json!({"address": u, "amount": "1000"}))
            .collect();
        let token = instantiate(
            cw20,
            json!({"name": "Prop", "symbol": "PRP", "decimals": 0,
                   "initial_balances": balances,
                   "mint": {"minter": users[0], "cap": "10000"}}),
        );
        let receiver = instantiate(probe, json!({}));
        Self {
            chain,
            users,
            receiver,
            token,
        }
    }

    fn balance(&self, who: &str) -> u128 {
        let answer = self
            .chain
            .query(&self.token, &msg(json!({"balance": {"address": who}})))
            .expect("no node fault")
            .unwrap();
        let value: Value = serde_json::from_slice(&answer.data).unwrap();
        value["balance"].as_str().unwrap().parse().unwrap()
    }

    fn total_supply(&self) -> u128 {
        let answer = self
            .chain
            .query(&self.token, &msg(json!({"token_info": {}})))
            .expect("no node fault")
            .unwrap();
        let value: Value = serde_json::from_slice(&answer.data).unwrap();
        value["total_supply"].as_str().unwrap().parse().unwrap()
    }

    fn apply(&self, op: &Op) -> TxResult {
        let user = |i: usize| self.users[i % USERS].as_str();
        match *op {
            Op::Transfer { from, to, amount } => self.exec(
                user(from),
                json!({"transfer": {"recipient": user(to), "amount": amount.to_string()}}),
            ),
            Op::Burn { from, amount } => {
                self.exec(user(from), json!({"burn": {"amount": amount.to_string()}}))
            }
            Op::Mint { by, to, amount } => self.exec(
                user(by),
                json!({"mint": {"recipient": user(to), "amount": amount.to_string()}}),
            ),
            Op::Send { from, amount, fail } => {
                let inner = if fail {
                    Binary::from(msg(json!({"fail": {"msg": "no"}}))).to_base64()
                } else {
                    String::new()
                };
                self.exec(
                    user(from),
                    json!({"send": {"contract": self.receiver,
                                    "amount": amount.to_string(), "msg": inner}}),
                )
            }
            Op::Allowance {
                owner,
                spender,
                amount,
                spend,
            } => {
                let granted = self.exec(
                    user(owner),
                    json!({"increase_allowance": {"spender": user(spender),
                                                  "amount": amount.to_string()}}),
                );
                granted?;
                self.exec(
                    user(spender),
                    json!({"transfer_from": {"owner": user(owner), "recipient": user(spender),
                                             "amount": spend.to_string()}}),
                )
            }
        }
    }

    fn exec(&self, sender: &str, body: Value) -> TxResult {
        self.chain
            .execute(sender, &self.token, &msg(body), &[])
            .expect("no node fault")
    }
}

#[derive(Debug, Clone)]
enum Op {
    Transfer {
        from: usize,
        to: usize,
        amount: u128,
    },
    Burn {
        from: usize,
        amount: u128,
    },
    Mint {
        by: usize,
        to: usize,
        amount: u128,
    },
    Send {
        from: usize,
        amount: u128,
        fail: bool,
    },
    Allowance {
        owner: usize,
        spender: usize,
        amount: u128,
        spend: u128,
    },
}

fn op() -> impl Strategy<Value = Op> {
    let user = 0..USERS;
    let amount = 0u128..1_500;
    prop_oneof![
        (user.clone(), user.clone(), amount.clone()).prop_map(|(from, to, amount)| Op::Transfer {
            from,
            to,
            amount
        }),
        (user.clone(), amount.clone()).prop_map(|(from, amount)| Op::Burn { from, amount }),
        (user.clone(), user.clone(), amount.clone()).prop_map(|(by, to, amount)| Op::Mint {
            by,
            to,
            amount
        }),
        (user.clone(), amount.clone(), any::<bool>()).prop_map(|(from, amount, fail)| Op::Send {
            from,
            amount,
            fail
        }),
        (user.clone(), user, amount.clone(), amount).prop_map(|(owner, spender, amount, spend)| {
            Op::Allowance {
                owner,
                spender,
                amount,
                spend,
            }
        }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// Whatever succeeds or fails, the total supply equals the sum of the
    /// balances, and a failed operation changes nothing at all.
    #[test]
    fn cw20_supply_equals_the_sum_of_balances(ops in proptest::collection::vec(op(), 1..10)) {
        let token = Token::new(shared_cache());
        for op in &ops {
            let before = token.chain.dump();
            if token.apply(op).is_err() && !matches!(op, Op::Allowance { .. }) {
                prop_assert_eq!(token.chain.dump(), before, "{:?} failed but changed state", op);
            }
            let mut holders: Vec<&str> = token.users.iter().map(String::as_str).collect();
            holders.push(&token.receiver);
            let sum: u128 = holders.iter().map(|h| token.balance(h)).sum();
            prop_assert_eq!(sum, token.total_supply(), "after {:?}", op);
        }
    }
}

/// Everything a run of the multi-contract scenario produced: results, events,
/// gas per call, and the final state.
fn scenario_transcript(cache: Arc<ModuleCache<CosmWasmSchedule>>) -> String {
    let token = Token::new(cache);
    let ops = [
        Op::Send {
            from: 1,
            amount: 10,
            fail: false,
        },
        Op::Send {
            from: 2,
            amount: 5,
            fail: true,
        },
        Op::Allowance {
            owner: 0,
            spender: 3,
            amount: 50,
            spend: 20,
        },
        Op::Mint {
            by: 0,
            to: 2,
            amount: 7,
        },
        Op::Transfer {
            from: 3,
            to: 1,
            amount: 2_000,
        },
    ];
    let mut out = String::new();
    for op in &ops {
        out.push_str(&format!("{op:?} => {:?}\n", token.apply(op)));
    }
    out.push_str(&format!("{:?}\n", token.chain.dump()));
    out
}

#[test]
fn fifty_runs_across_cache_paths_and_threads_are_byte_identical() {
    let reference = scenario_transcript(shared_cache());
    let mut runs = 1;
    // Cold compiles: a fresh cache each time.
    for _ in 0..3 {
        let cold = Arc::new(ModuleCache::new(config(), 512 << 20, None).unwrap());
        assert_eq!(scenario_transcript(cold), reference, "cold compile");
        runs += 1;
    }
    // Tier-up: Cranelift code replacing Singlepass code during a run, then
    // from the start of one.
    let tiered = Arc::new(
        ModuleCache::new(config(), 512 << 20, None)
            .unwrap()
            .with_tier_up(TierUp { after_uses: 1 })
            .unwrap(),
    );
    assert_eq!(scenario_transcript(tiered.clone()), reference, "tiering up");
    tiered.wait_for_optimizations();
    let metrics = tiered.metrics();
    // cw20 tiers up; the probe, which computes with floats, stays on
    // Singlepass.
    assert_eq!((metrics.optimized, metrics.optimize_failures), (1, 1));
    let refusal = metrics.last_optimize_failure.unwrap_or_default();
    assert!(refusal.contains("floats"), "{refusal}");
    for _ in 0..2 {
        assert_eq!(scenario_transcript(tiered.clone()), reference, "tiered up");
    }
    runs += 3;
    // Memory cache.
    for _ in 0..16 {
        assert_eq!(
            scenario_transcript(shared_cache()),
            reference,
            "memory cache"
        );
        runs += 1;
    }
    // Disk cache: a fresh memory cache over one folder, filled once.
    let dir = tempfile::tempdir().unwrap();
    let fill = Arc::new(ModuleCache::new(config(), 512 << 20, Some(dir.path())).unwrap());
    assert_eq!(scenario_transcript(fill), reference, "disk cache fill");
    runs += 1;
    for _ in 0..16 {
        let disk = Arc::new(ModuleCache::new(config(), 512 << 20, Some(dir.path())).unwrap());
        assert_eq!(scenario_transcript(disk.clone()), reference, "disk cache");
        assert!(disk.metrics().hits_disk > 0, "{:?}", disk.metrics());
        runs += 1;
    }
    // Two threads at once, sharing the memory cache.
    for _ in 0..5 {
        let (a, b) = std::thread::scope(|s| {
            let a = s.spawn(|| scenario_transcript(shared_cache()));
            let b = s.spawn(|| scenario_transcript(shared_cache()));
            (a.join().unwrap(), b.join().unwrap())
        });
        assert_eq!(a, reference, "thread a");
        assert_eq!(b, reference, "thread b");
        runs += 2;
    }
    assert_eq!(runs, 50);
    // The transcript holds gas reports and failures, not just successes.
    assert!(reference.contains("GasReport"), "{reference}");
    assert!(reference.contains("Err("), "the scenario includes failures");
}
