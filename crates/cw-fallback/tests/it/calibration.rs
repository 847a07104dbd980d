//! The operator estimates of `cw_fallback` (its `gas.rs`, `docs/gas.md`)
//! against a fresh measurement on the Wasm fixtures.
//!
//! Measurement: the first 64 scripts of each contract's differential
//! strategy, drawn from a fixed seed, run on the fixture compiled with a
//! counting table (plain operators cost 1, control operators 2^21, `end`
//! and `else` 2^42, nothing else costs anything), so the meter's `wasm_ops`
//! line of a call encodes its three counts; per entry point, the mean of
//! each count over all its calls, the failing ones included. `migrate`,
//! which the scripts do not send, is measured over three fixed messages.
//! Run with `--nocapture` to see the numbers the constants come from, and
//! the cosmwasm schedule's locals surcharge, which is not estimated.

use std::collections::BTreeMap;
use std::sync::Arc;

use cw_fallback::{NativeKind, OperatorEstimate};
use cw_gas::{CostTable, CwGas, GasCategory, GasMeter, GasQuantity, OperatorClass};
use cw_host::testing::MockQuerier;
use cw_host::{Bech32Api, CallBackend, CallInput, CallState, Contract, EntryPoint};
use cw_runtime::{CompileConfig, CompiledModule, InstanceOptions, ValidationConfig, WasmContract};
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use serde_json::{Value, json};

use crate::cw20::{Call, Script, calls};
use crate::strategies::Who;
use crate::support::{Map, START, addr, info, schedule};

/// Scripts per contract.
const SCRIPTS: usize = 64;
/// Bits per count in the counting table's encoding.
const BITS: u32 = 21;
const MASK: u64 = (1 << BITS) - 1;

/// Prices each operator class at a different power of two, and nothing
/// else.
#[derive(Clone, Copy, Debug)]
struct Counting;

impl CostTable for Counting {
    type Gas = CwGas;

    fn name(&self) -> &'static str {
        "cw-fallback/operator-counting"
    }

    fn operator(&self, class: OperatorClass) -> CwGas {
        CwGas::new(match class {
            OperatorClass::Plain => 1,
            OperatorClass::Control => 1 << BITS,
            _ => 1 << (2 * BITS),
        })
    }

    fn visit_prices(&self, visitor: &mut dyn FnMut(&'static str, u64)) {
        visitor("plain", 1);
        visitor("control", 1 << BITS);
        visitor("pseudo", 1 << (2 * BITS));
    }
}

/// The fixture of `kind` compiled for `table`.
fn compiled<T: CostTable>(kind: NativeKind, table: &T) -> CompiledModule {
    let wasm = tests::fixture_bytes(kind.fixture_name());
    let config = CompileConfig {
        table: table.clone(),
        stack_limit_bytes: Some(cw_gas::middleware::DEFAULT_STACK_LIMIT_BYTES),
        validation: ValidationConfig::default(),
    };
    cw_runtime::compile(&wasm, &config).unwrap().0
}

/// Runs `calls` on `module` (compiled for `table`) over one fresh store;
/// returns each call's `wasm_ops`.
fn run_wasm<T: CostTable>(
    module: &CompiledModule,
    table: &T,
    calls: &[Call],
) -> Vec<(EntryPoint, u64)> {
    let mut contract = WasmContract::new(module.clone(), InstanceOptions::default());
    let map = Map::default();
    let env = START.env();
    calls
        .iter()
        .map(|(entry, sender, msg)| {
            let info = sender.map(|who| info(&who.address()));
            let backend = CallBackend {
                storage: Box::new(map.clone()),
                api: Arc::new(Bech32Api::default()),
                querier: Box::new(MockQuerier::new()),
                gas: GasMeter::new(table.clone(), T::Gas::from_u64(u64::MAX)),
                call: CallState::for_entry_point(*entry),
                debug: Box::new(|_: &str, _: cw_host::DebugInfo| {}),
            };
            let input = CallInput {
                entry: *entry,
                env: &env,
                info: info.as_deref(),
                msg,
            };
            let (_, backend) = contract.call(input, backend);
            (*entry, backend.gas.used_by(GasCategory::WasmOps).to_u64())
        })
        .collect()
}

fn decode(wasm_ops: u64) -> OperatorEstimate {
    OperatorEstimate {
        plain: wasm_ops & MASK,
        control: (wasm_ops >> BITS) & MASK,
        pseudo: wasm_ops >> (2 * BITS),
    }
}

/// Every call of every measured script of `kind`.
fn script_calls(kind: NativeKind, strategy: impl Strategy<Value = Script>) -> Vec<Vec<Call>> {
    let rng = TestRng::from_seed(RngAlgorithm::ChaCha, &[7; 32]);
    let mut runner = TestRunner::new_with_rng(Config::default(), rng);
    let mut scripts: Vec<_> = (0..SCRIPTS)
        .map(|_| {
            let ((creator, init), steps) = strategy.new_tree(&mut runner).unwrap().current();
            let init = serde_json::to_vec(&init).unwrap();
            let mut all = vec![(EntryPoint::Instantiate, Some(creator), init)];
            all.extend(steps.iter().flat_map(|(_, action)| calls(action)));
            all
        })
        .collect();
    let migrate_init = match kind {
        NativeKind::Cw20Base => Some(json!({
            "name": "Fallback Token", "symbol": "FBT", "decimals": 6,
            "initial_balances": [{"address": addr("alice"), "amount": "1000"}],
            "mint": null, "marketing": null,
        })),
        NativeKind::Cw721Base => Some(json!({
            "name": "N", "symbol": "S", "collection_info_extension": null,
            "minter": null, "creator": null, "withdraw_address": null,
        })),
        _ => None,
    };
    if let Some(init) = migrate_init {
        let mut migrate = vec![(
            EntryPoint::Instantiate,
            Some(Who::Actor(0)),
            serde_json::to_vec(&init).unwrap(),
        )];
        for msg in [
            json!({}),
            json!({"with_update": {"minter": null, "creator": null}}),
            Value::from("not a migrate message"),
        ] {
            migrate.push((EntryPoint::Migrate, None, serde_json::to_vec(&msg).unwrap()));
        }
        scripts.push(migrate);
    }
    scripts
}

fn check(kind: NativeKind, strategy: impl Strategy<Value = Script>) {
    let scripts = script_calls(kind, strategy);
    let (counting, cosmwasm) = (compiled(kind, &Counting), compiled(kind, &schedule()));
    let mut sums: BTreeMap<EntryPoint, (OperatorEstimate, u64, u64)> = BTreeMap::new();
    for calls in &scripts {
        let counted = run_wasm(&counting, &Counting, calls);
        let priced = run_wasm(&cosmwasm, &schedule(), calls);
        for ((entry, ops), (_, cw_ops)) in counted.into_iter().zip(priced) {
            let (sum, cw_sum, count) = sums.entry(entry).or_default();
            let one = decode(ops);
            sum.plain += one.plain;
            sum.control += one.control;
            sum.pseudo += one.pseudo;
            *cw_sum += cw_ops;
            *count += 1;
        }
    }
    let mut off = Vec::new();
    for (entry, (sum, cw_sum, count)) in sums {
        let mean = OperatorEstimate {
            plain: sum.plain / count,
            control: sum.control / count,
            pseudo: sum.pseudo / count,
        };
        // What the cosmwasm schedule charged beyond the operators' prices:
        // the locals surcharge.
        let operators = sum.price(&schedule()).unwrap().as_u64();
        let surcharge = cw_sum - operators;
        let surcharge_percent = surcharge as f64 * 100.0 / cw_sum as f64;
        println!(
            "{kind} {entry:?}: {count} calls, mean {mean:?}, locals surcharge {surcharge_percent:.2} %"
        );
        let estimate = kind.estimated_operators(entry);
        for (name, estimated, measured) in [
            ("plain", estimate.plain, mean.plain),
            ("control", estimate.control, mean.control),
            ("pseudo", estimate.pseudo, mean.pseudo),
        ] {
            if estimated < measured / 2 || estimated > measured.saturating_mul(2) {
                off.push(format!(
                    "{entry:?} {name}: estimate {estimated}, measured mean {measured}"
                ));
            }
        }
        if surcharge_percent >= 1.0 {
            off.push(format!(
                "{entry:?}: locals surcharge {surcharge_percent:.2} %"
            ));
        }
    }
    assert!(off.is_empty(), "{kind}: {off:#?}");
}

#[test]
fn cw20_estimates_are_calibrated() {
    check(NativeKind::Cw20Base, crate::cw20::script());
}

#[test]
fn cw721_estimates_are_calibrated() {
    check(NativeKind::Cw721Base, crate::cw721::script());
}

#[test]
fn cw1_estimates_are_calibrated() {
    check(NativeKind::Cw1Whitelist, crate::cw1::script());
}
