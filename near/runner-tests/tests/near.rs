//! The cw-near contract in NEAR's VM: it passes NEAR's preparation, and a
//! cw20 token on it gives the bytes and CosmWasm gas of cw-chain on the
//! host, with the same natives, call for call.

use anyhow::{Context, Result};
use cw_chain::{BlockState, Chain, DEFAULT_TX_GAS_LIMIT, MemoryState};
use cw_gas::CosmWasmSchedule;
use cw_near::{KvState, MemoryRaw, ops};
use cw_near_runner_tests::{
    BLOCK_HEIGHT, BLOCK_TIMESTAMP, CONTRACT_ACCOUNT, Call, NearVm, block_counts, contract_bytes,
    interpreter_contract_bytes, largest_function_body, tgas,
};
use near_primitives_core::types::Gas;
use serde_json::json;

const ALICE: &str = "alice.near";
const BOB: &str = "bob.near";

/// The host chain the contract must match: cw-near's own chain settings
/// over an in-memory state, in the same block.
fn host_chain() -> Chain<CosmWasmSchedule> {
    cw_near::chain_builder(Box::new(MemoryState::default()), &context())
        .build()
        .expect("an empty chain builds")
}

/// The block and limit of the calls the harness makes.
fn context() -> cw_near::CallContext {
    cw_near::CallContext {
        block: BlockState {
            height: BLOCK_HEIGHT,
            time_nanos: BLOCK_TIMESTAMP,
            chain_id: CONTRACT_ACCOUNT.into(),
        },
        tx_gas_limit: DEFAULT_TX_GAS_LIMIT,
    }
}

fn cw20_wasm() -> Result<Vec<u8>> {
    xtask::fixtures::fixture_bytes("cw20_base")
}

fn print_gas(vm: &NearVm, what: &str, call: &Call) {
    println!("{what:<28} {}", call.gas_line(vm.max_gas_burnt()));
}

/// The full gas of every call, so nothing is cut by an accidental limit.
fn full(vm: &NearVm) -> Gas {
    vm.max_gas_burnt()
}

/// The number of functions `wasm` defines (its function section).
fn function_count(wasm: &[u8]) -> Result<u32> {
    for payload in wasmparser::Parser::new(0).parse_all(wasm) {
        if let wasmparser::Payload::FunctionSection(reader) = payload? {
            return Ok(reader.count());
        }
    }
    Ok(0)
}

/// NEAR's preparation limits hold for `wasm`, and NEAR's own preparation
/// accepts it (a view of an empty chain runs).
fn passes_preparation(what: &str, wasm: Vec<u8>) -> Result<()> {
    let vm = NearVm::new(wasm.clone());
    let limits = &vm.config().limit_config;
    let largest = largest_function_body(&wasm)?;
    let functions = function_count(&wasm)?;
    let (blocks_in_one, blocks) = block_counts(&wasm)?;
    println!(
        "{what}: {blocks} blocks (limit {:?}), {blocks_in_one} in one function (limit {:?})",
        limits.max_blocks_per_contract, limits.max_blocks_per_function
    );
    if let Some(limit) = limits.max_blocks_per_contract {
        assert!(blocks <= limit, "{blocks} blocks");
    }
    if let Some(limit) = limits.max_blocks_per_function {
        assert!(
            blocks_in_one <= limit,
            "{blocks_in_one} blocks in one function"
        );
    }
    println!(
        "{what}: {} bytes (limit {}); {functions} functions (limit {}); \
         largest function body {} bytes (limit {:?})",
        wasm.len(),
        limits.max_contract_size,
        limits.max_functions_number_per_contract.unwrap_or(u64::MAX),
        largest,
        limits.max_function_body_size
    );
    assert!(
        (wasm.len() as u64) <= limits.max_contract_size,
        "{} bytes",
        wasm.len()
    );
    if let Some(limit) = limits.max_functions_number_per_contract {
        assert!(u64::from(functions) <= limit, "{functions} functions");
    }
    assert!(largest < 196_608, "largest function body {largest} bytes");
    if let Some(limit) = limits.max_function_body_size {
        assert!(largest < limit);
    }
    let mut vm = vm;
    let call = vm.view("balance", br#"{"address": "alice.near"}"#)?;
    assert_eq!(call.returned()?, b"[]");
    Ok(())
}

#[test]
fn the_contract_passes_nears_preparation_limits() -> Result<()> {
    passes_preparation("contract (natives)", contract_bytes()?)
}

#[test]
fn the_interpreter_contract_passes_nears_preparation_limits() -> Result<()> {
    passes_preparation("contract (interpreter)", interpreter_contract_bytes()?)
}

/// A cw20 token on both chains: alice mints nothing but tokens, then
/// transfers to bob.
struct Both {
    vm: NearVm,
    host: Chain<CosmWasmSchedule>,
}

impl Both {
    fn new(contract: Vec<u8>) -> Result<Self> {
        Ok(Self {
            vm: NearVm::new(contract),
            host: host_chain(),
        })
    }

    /// A change call on NEAR and the same operation on the host: the
    /// returned bytes must be equal.
    fn change(
        &mut self,
        method: &str,
        sender: &str,
        input: &[u8],
        host: impl FnOnce(&Chain<CosmWasmSchedule>, &str, &[u8]) -> Result<Vec<u8>, cw_near::NearError>,
    ) -> Result<Vec<u8>> {
        let limit = full(&self.vm);
        let call = self.vm.call(method, sender, input, limit)?;
        print_gas(&self.vm, method, &call);
        let on_near = call.returned()?.to_vec();
        let on_host = host(&self.host, sender, input).context("the host chain")?;
        assert_eq!(
            String::from_utf8_lossy(&on_near),
            String::from_utf8_lossy(&on_host),
            "{method}: NEAR and the host differ"
        );
        Ok(on_near)
    }

    /// A query on NEAR (a view call) and on the host: the same answer
    /// bytes and the same CosmWasm gas.
    fn query(&mut self, contract: &str, msg: serde_json::Value) -> Result<Vec<u8>> {
        let input = serde_json::to_vec(&json!({"contract": contract, "msg": msg}))?;
        let call = self.vm.view("query", &input)?;
        print_gas(&self.vm, "query (view)", &call);
        let data = call.returned()?.to_vec();
        let logged: u64 = call
            .outcome
            .logs
            .iter()
            .find_map(|line| line.strip_prefix("cosmwasm_gas: "))
            .context("the query logs its CosmWasm gas")?
            .parse()?;
        let host = ops::query(&self.host, &input)?;
        assert_eq!(data, host.data);
        assert_eq!(logged, host.cosmwasm_gas);
        assert!(logged > 0);
        Ok(data)
    }
}

/// How cw20-base is stored: `store_code` (its verified build, so the
/// native emulator) or `store_code_wasm` (cw-wasmi's interpreter).
#[derive(Clone, Copy)]
enum Engine {
    Native,
    Interpreter,
}

/// Stores cw20-base, instantiates a token with 1,000 for alice and
/// returns (both chains, token address).
fn cw20_token() -> Result<(Both, String)> {
    cw20_token_on(Engine::Native)
}

/// [`cw20_token`] with the code run by `engine`.
fn cw20_token_on(engine: Engine) -> Result<(Both, String)> {
    let mut both = Both::new(match engine {
        Engine::Native => contract_bytes()?,
        Engine::Interpreter => interpreter_contract_bytes()?,
    })?;
    let wasm = cw20_wasm()?;
    let code_id = match engine {
        Engine::Native => both.change("store_code", ALICE, &wasm, |chain, sender, wasm| {
            ops::store_code(chain, sender, wasm)
        })?,
        Engine::Interpreter => {
            both.change("store_code_wasm", ALICE, &wasm, |chain, sender, wasm| {
                ops::store_code_wasm(chain, sender, wasm)
            })?
        }
    };
    assert_eq!(code_id, b"1");
    let init = serde_json::to_vec(&json!({
        "code_id": 1,
        "label": "token",
        "msg": {"name": "Token", "symbol": "TKN", "decimals": 6,
                "initial_balances": [{"address": ALICE, "amount": "1000"}]},
    }))?;
    let report = both.change("instantiate", ALICE, &init, ops::instantiate)?;
    let report: ops::TxReport = serde_json::from_slice(&report)?;
    let token = report.contract_address.context("an address")?;
    assert!(report.cosmwasm_gas > 0);
    Ok((both, token))
}

#[test]
fn a_cw20_token_gives_the_host_chains_bytes_and_gas() -> Result<()> {
    let (mut both, token) = cw20_token()?;
    // Genesis coins: only the contract account may mint.
    let mint = serde_json::to_vec(
        &json!({"address": ALICE, "coins": [{"denom": "unear", "amount": "5"}]}),
    )?;
    let refused = both.vm.call("mint", ALICE, &mint, full(&both.vm))?;
    let message = refused.abort_message().context("alice may not mint")?;
    assert!(
        message.contains("may only be called by the contract account"),
        "{message}"
    );
    both.change("mint", CONTRACT_ACCOUNT, &mint, |chain, _, input| {
        ops::mint(chain, input)
    })?;
    let balance = both.vm.view("balance", br#"{"address": "alice.near"}"#)?;
    assert_eq!(balance.returned()?, br#"[{"denom":"unear","amount":"5"}]"#);

    let transfer = serde_json::to_vec(&json!({
        "contract": token,
        "msg": {"transfer": {"recipient": BOB, "amount": "100"}},
    }))?;
    let report = both.change("execute", ALICE, &transfer, ops::execute)?;
    let report: ops::TxReport = serde_json::from_slice(&report)?;
    assert_eq!(report.events[0].ty, "execute");
    assert_eq!(report.gas.len(), 1);
    println!(
        "cw20 transfer: {} CosmWasm gas (= {:.3} Tgas at cw-gas's rate)",
        report.cosmwasm_gas,
        tgas(report.cosmwasm_gas * 1_000)
    );
    let bob = both.query(&token, json!({"balance": {"address": BOB}}))?;
    assert_eq!(bob, br#"{"balance":"100"}"#);
    let alice = both.query(&token, json!({"balance": {"address": ALICE}}))?;
    assert_eq!(alice, br#"{"balance":"900"}"#);
    // The whole state: the contract's NEAR storage, read as the chain reads
    // it, is the host chain's state record for record.
    let stored = KvState::new(MemoryRaw {
        records: both.vm.storage(),
    });
    let on_near = cw_near::chain_builder(Box::new(stored), &context()).build()?;
    assert_eq!(on_near.dump(), both.host.dump());
    assert!(!on_near.dump().is_empty());
    Ok(())
}

/// Real Wasm inside NEAR: cw20-base interpreted by cw-wasmi in the
/// interpreter build of the contract gives the host chain's bytes, CosmWasm
/// gas and state (the host chain runs the same interpreter; cw-wasmi's own
/// tests hold it to the Wasmer path's results and gas), and costs NEAR gas
/// the test prints per call.
#[test]
fn a_cw20_token_interpreted_in_the_contract_gives_the_host_chains_bytes_and_gas() -> Result<()> {
    let (mut both, token) = cw20_token_on(Engine::Interpreter)?;
    let transfer = serde_json::to_vec(&json!({
        "contract": token,
        "msg": {"transfer": {"recipient": BOB, "amount": "100"}},
    }))?;
    let report = both.change("execute", ALICE, &transfer, ops::execute)?;
    let report: ops::TxReport = serde_json::from_slice(&report)?;
    assert_eq!(report.events[0].ty, "execute");
    println!(
        "interpreted cw20 transfer: {} CosmWasm gas (= {:.3} Tgas at cw-gas's rate)",
        report.cosmwasm_gas,
        tgas(report.cosmwasm_gas * 1_000)
    );
    let bob = both.query(&token, json!({"balance": {"address": BOB}}))?;
    assert_eq!(bob, br#"{"balance":"100"}"#);
    let stored = KvState::new(MemoryRaw {
        records: both.vm.storage(),
    });
    let on_near = cw_near::chain_builder(Box::new(stored), &context()).build()?;
    assert_eq!(on_near.dump(), both.host.dump());
    Ok(())
}

#[test]
fn a_failing_execute_leaves_the_near_storage_unchanged() -> Result<()> {
    let (mut both, token) = cw20_token()?;
    let before = both.vm.storage();
    let too_much = serde_json::to_vec(&json!({
        "contract": token,
        "msg": {"transfer": {"recipient": BOB, "amount": "5000"}},
    }))?;
    let call = both.vm.call("execute", ALICE, &too_much, full(&both.vm))?;
    print_gas(&both.vm, "failing execute", &call);
    let message = call.abort_message().context("the transfer must fail")?;
    assert!(message.contains("CosmWasm transaction failed"), "{message}");
    assert!(message.contains("Cannot Sub"), "{message}");
    assert!(
        !call.wrote_before_abort,
        "the contract wrote before failing"
    );
    assert_eq!(both.vm.storage(), before);
    // The host chain fails the same way.
    let host = ops::execute(&both.host, ALICE, &too_much).unwrap_err();
    assert!(message.contains(&host.to_string()), "{message} vs {host}");
    Ok(())
}

#[test]
fn a_transaction_over_the_prepaid_gas_fails_cleanly() -> Result<()> {
    let (mut both, token) = cw20_token()?;
    let transfer = serde_json::to_vec(&json!({
        "contract": token,
        "msg": {"transfer": {"recipient": BOB, "amount": "1"}},
    }))?;
    let before = both.vm.storage();
    let usage = both.vm.storage_usage();
    // With enough gas the transfer succeeds; find how much NEAR gas it burns
    // and how much CosmWasm gas it uses.
    let enough = both.vm.call("execute", ALICE, &transfer, full(&both.vm))?;
    let report: ops::TxReport = serde_json::from_slice(enough.returned()?)?;
    let burnt = enough.burnt_gas();
    // Undo it (as if it never ran), then run with less and less gas: every
    // failure must be clean (nothing written), whether the chain's
    // CosmWasm meter (the translated limit) or NEAR itself stops it.
    let mut cosmwasm_out_of_gas = 0;
    let mut near_out_of_gas = 0;
    for percent in [99u64, 90, 75, 50, 25, 10] {
        let mut vm = NearVm::new(contract_bytes()?);
        vm.set_storage(before.clone(), usage);
        let prepaid = Gas::from_gas(burnt * percent / 100);
        let call = vm.call("execute", ALICE, &transfer, prepaid)?;
        let message = call
            .abort_message()
            .with_context(|| format!("{percent} % of the gas must not be enough"))?;
        assert!(
            !call.wrote_before_abort || message.contains("Exceeded the prepaid gas"),
            "{message}"
        );
        assert_eq!(vm.storage(), before);
        if message.contains("out of gas") || message.contains("Out of gas") {
            cosmwasm_out_of_gas += 1;
        } else {
            assert!(message.contains("Exceeded the prepaid gas"), "{message}");
            near_out_of_gas += 1;
        }
        println!("{percent:>3} % of {:.3} Tgas: {message}", tgas(burnt));
    }
    println!(
        "transfer: {} CosmWasm gas; {cosmwasm_out_of_gas} runs stopped by the CosmWasm meter, {near_out_of_gas} by NEAR",
        report.cosmwasm_gas
    );
    Ok(())
}

/// `cwr-near` (what `cwr run --engine near` calls): the repository's cw20
/// scenario, every step one call of the interpreter build in NEAR's VM, with
/// every `expect` holding (transfers, a failing overflow, mints, allowances
/// across an `advance_block`, a `send` to a second contract and its
/// failing hook, queries with JSON answers).
#[test]
fn the_cw20_scenario_runs_in_the_contract_and_every_expect_holds() -> Result<()> {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/scenarios/cw20.json");
    let mut out = String::new();
    let summary = cw_near_runner_tests::scenario::run(
        &path,
        cw_near_runner_tests::scenario::Build::Interpreter,
        &mut out,
    )?;
    print!("{out}");
    assert_eq!(summary.steps, 20);
    assert_eq!(summary.failed_expects, 0, "{out}");
    assert!(summary.cosmwasm_gas > 0 && summary.near_gas > 0);
    Ok(())
}
