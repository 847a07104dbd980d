//! A harness that runs the cw-near contract in NEAR's own VM
//! (near-vm-runner 0.38: NEAR's preparation, finite-wasm gas
//! instrumentation and Wasmtime), over near-vm-runner's `MockedExternal`
//! (an in-memory trie), with the current protocol's configuration.
//!
//! `MockedExternal` writes straight into its trie, while a NEAR node
//! reverts a failed call's writes. [`NearVm::call`] does what the node
//! does (restores the trie when the call aborted) and reports whether the
//! contract had written anything before it failed, so a test can check
//! that our contract writes nothing on a failure even without the node's
//! help.

pub mod scenario;

use std::collections::BTreeMap;
use std::sync::Arc;

use anyhow::{Context, bail};
use near_parameters::vm::Config;
use near_parameters::{ExtCosts, RuntimeConfigStore, RuntimeFeesConfig};
use near_primitives_core::account::AccountContract;
use near_primitives_core::code::ContractCode;
use near_primitives_core::config::ViewConfig;
use near_primitives_core::types::{AccountId, Balance, Gas};
use near_primitives_core::version::PROTOCOL_VERSION;
use near_vm_runner::MockContractRuntimeCache;
use near_vm_runner::logic::mocks::mock_external::MockedExternal;
use near_vm_runner::logic::{ReturnData, VMContext, VMOutcome};
use strum::IntoEnumIterator;

/// The contract's own account (the chain id of its CosmWasm chain).
pub const CONTRACT_ACCOUNT: &str = "cw.near";
/// The block every call runs in.
pub const BLOCK_HEIGHT: u64 = 10;
/// The block's timestamp in nanoseconds.
pub const BLOCK_TIMESTAMP: u64 = 1_700_000_000_000_000_000;

/// The contract's bytes as `cargo xtask build-near` wrote them.
///
/// # Errors
/// When the contract has not been built.
pub fn contract_bytes() -> anyhow::Result<Vec<u8>> {
    read_build(
        &xtask::build_near::contract_path(),
        "cargo xtask build-near",
    )
}

/// The interpreter build's bytes as `cargo xtask build-near --interpreter`
/// wrote them.
///
/// # Errors
/// When it has not been built.
pub fn interpreter_contract_bytes() -> anyhow::Result<Vec<u8>> {
    read_build(
        &xtask::build_near::interpreter_contract_path(),
        "cargo xtask build-near --interpreter",
    )
}

/// Reads a contract build at `path`, naming the `command` that makes it.
fn read_build(path: &std::path::Path, command: &str) -> anyhow::Result<Vec<u8>> {
    std::fs::read(path)
        .with_context(|| format!("reading {} (run `{command}` first)", path.display()))
}

/// NEAR's block counts of `wasm` (protocol 84's `max_blocks_per_function`
/// and `max_blocks_per_contract`: `block`, `loop` and `if` operators): the
/// most in one function and the total.
///
/// # Errors
/// When `wasm` does not parse.
pub fn block_counts(wasm: &[u8]) -> anyhow::Result<(u64, u64)> {
    let (mut most, mut total) = (0u64, 0u64);
    for payload in wasmparser::Parser::new(0).parse_all(wasm) {
        if let wasmparser::Payload::CodeSectionEntry(body) = payload? {
            let mut blocks = 0u64;
            let mut operators = body.get_operators_reader()?;
            while !operators.eof() {
                if matches!(
                    operators.read()?,
                    wasmparser::Operator::Block { .. }
                        | wasmparser::Operator::Loop { .. }
                        | wasmparser::Operator::If { .. }
                ) {
                    blocks += 1;
                }
            }
            most = most.max(blocks);
            total += blocks;
        }
    }
    Ok((most, total))
}

/// The largest function body of `wasm`, in bytes, from its code section.
///
/// # Errors
/// When `wasm` does not parse.
pub fn largest_function_body(wasm: &[u8]) -> anyhow::Result<u64> {
    let mut largest = 0;
    for payload in wasmparser::Parser::new(0).parse_all(wasm) {
        if let wasmparser::Payload::CodeSectionEntry(body) = payload? {
            let range = body.range();
            largest = largest.max(range.end - range.start);
        }
    }
    Ok(largest)
}

/// One call's outcome.
#[derive(Debug)]
pub struct Call {
    /// What near-vm-runner reported (gas, logs, profile, abort reason).
    pub outcome: VMOutcome,
    /// Whether the trie differed from before the call when the call
    /// aborted (before the harness reverted it, as a node would).
    pub wrote_before_abort: bool,
}

impl Call {
    /// The returned bytes of a successful call.
    ///
    /// # Errors
    /// When the call aborted or returned nothing.
    pub fn returned(&self) -> anyhow::Result<&[u8]> {
        if let Some(error) = &self.outcome.aborted {
            bail!("the call aborted: {error}");
        }
        match &self.outcome.return_data {
            ReturnData::Value(bytes) => Ok(bytes),
            other => bail!("the call returned no value: {other:?}"),
        }
    }

    /// The abort reason of a failed call.
    pub fn abort_message(&self) -> Option<String> {
        self.outcome.aborted.as_ref().map(ToString::to_string)
    }

    /// The NEAR gas the call burnt.
    pub fn burnt_gas(&self) -> u64 {
        self.outcome.burnt_gas.as_gas()
    }

    /// `burnt (x Tgas of y Tgas limit)` and the profile by category.
    pub fn gas_line(&self, limit: Gas) -> String {
        let profile = &self.outcome.profile;
        let mut categories: Vec<(String, u64)> =
            vec![("wasm ops".into(), profile.get_wasm_cost().as_gas())];
        let mut host: Vec<(String, u64)> = ExtCosts::iter()
            .map(|cost| (cost.to_string(), profile.get_ext_cost(cost).as_gas()))
            .filter(|(_, gas)| *gas > 0)
            .collect();
        host.sort_by_key(|(_, gas)| std::cmp::Reverse(*gas));
        categories.extend(host);
        format!(
            "{:.3} Tgas burnt of the {:.0} Tgas limit ({:.2} %); {}",
            tgas(self.burnt_gas()),
            tgas(limit.as_gas()),
            100.0 * self.burnt_gas() as f64 / limit.as_gas() as f64,
            categories
                .iter()
                .map(|(name, gas)| format!("{name} {:.3} Tgas", tgas(*gas)))
                .collect::<Vec<_>>()
                .join(", ")
        )
    }
}

/// NEAR gas in Tgas, for printing.
pub fn tgas(gas: u64) -> f64 {
    gas as f64 / 1e12
}

/// The contract deployed on a mocked NEAR account.
pub struct NearVm {
    ext: MockedExternal,
    config: Arc<Config>,
    fees: Arc<RuntimeFeesConfig>,
    cache: MockContractRuntimeCache,
    /// The account's storage usage, carried from call to call as a node
    /// keeps it (the runner checks removals against it).
    storage_usage: u64,
    /// The block every call runs in: height and timestamp (nanoseconds).
    block: (u64, u64),
}

impl NearVm {
    /// The contract `code` on an account with empty storage, under the
    /// configuration of near-vm-runner's current protocol version.
    pub fn new(code: Vec<u8>) -> Self {
        let store = RuntimeConfigStore::new(None);
        let config = Arc::clone(&store.get_config(PROTOCOL_VERSION).wasm_config);
        Self {
            ext: MockedExternal::with_code(ContractCode::new(code, None)),
            config,
            fees: Arc::new(RuntimeFeesConfig::test()),
            cache: MockContractRuntimeCache::default(),
            storage_usage: 0,
            block: (BLOCK_HEIGHT, BLOCK_TIMESTAMP),
        }
    }

    /// The block calls run in: height and timestamp in nanoseconds
    /// ([`BLOCK_HEIGHT`] and [`BLOCK_TIMESTAMP`] at first).
    pub fn block(&self) -> (u64, u64) {
        self.block
    }

    /// Moves later calls to block `height` at `timestamp` nanoseconds.
    pub fn set_block(&mut self, height: u64, timestamp: u64) {
        self.block = (height, timestamp);
    }

    /// The configuration calls run under.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The per-call gas limit of a change call.
    pub fn max_gas_burnt(&self) -> Gas {
        self.config.limit_config.max_gas_burnt
    }

    /// The contract's storage, in key order.
    pub fn storage(&self) -> BTreeMap<Vec<u8>, Vec<u8>> {
        self.ext
            .fake_trie
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }

    /// Replaces the contract's storage (to run a call again from a saved
    /// state).
    pub fn set_storage(&mut self, storage: BTreeMap<Vec<u8>, Vec<u8>>, storage_usage: u64) {
        self.ext.fake_trie = storage.into_iter().collect();
        self.storage_usage = storage_usage;
    }

    /// The account's storage usage after the last successful call.
    pub fn storage_usage(&self) -> u64 {
        self.storage_usage
    }

    /// A change call of `method` by `predecessor` with `input` and
    /// `prepaid` gas. An aborted call's writes are reverted, as a node
    /// reverts them.
    ///
    /// # Errors
    /// A fault of the runner itself (not a failed call).
    pub fn call(
        &mut self,
        method: &str,
        predecessor: &str,
        input: &[u8],
        prepaid: Gas,
    ) -> anyhow::Result<Call> {
        self.run(method, predecessor, input, prepaid, None)
    }

    /// A view call of `method` with `input`, bounded by the view gas limit.
    ///
    /// # Errors
    /// A fault of the runner itself.
    pub fn view(&mut self, method: &str, input: &[u8]) -> anyhow::Result<Call> {
        let limit = self.max_gas_burnt();
        self.run(
            method,
            CONTRACT_ACCOUNT,
            input,
            limit,
            Some(ViewConfig {
                max_gas_burnt: limit,
            }),
        )
    }

    fn run(
        &mut self,
        method: &str,
        predecessor: &str,
        input: &[u8],
        prepaid: Gas,
        view_config: Option<ViewConfig>,
    ) -> anyhow::Result<Call> {
        let account = |id: &str| -> anyhow::Result<AccountId> {
            id.parse()
                .with_context(|| format!("{id} is not a NEAR account id"))
        };
        let context = VMContext {
            current_account_id: account(CONTRACT_ACCOUNT)?,
            signer_account_id: account(predecessor)?,
            signer_account_pk: vec![0; 33],
            predecessor_account_id: account(predecessor)?,
            refund_to_account_id: account(predecessor)?,
            input: std::rc::Rc::from(input.to_vec()),
            promise_results: Vec::new().into(),
            block_height: self.block.0,
            block_timestamp: self.block.1,
            epoch_height: 1,
            account_balance: Balance::from_near(100),
            account_locked_balance: Balance::ZERO,
            storage_usage: self.storage_usage,
            account_contract: AccountContract::None,
            attached_deposit: Balance::ZERO,
            prepaid_gas: prepaid,
            random_seed: vec![0; 32],
            view_config,
            output_data_receivers: vec![],
        };
        let before = self.ext.fake_trie.clone();
        let gas_counter = context.make_gas_counter(&self.config);
        let prepared = near_vm_runner::prepare(
            &self.ext,
            Arc::clone(&self.config),
            Some(&self.cache),
            gas_counter,
            method,
        );
        let outcome =
            near_vm_runner::run(prepared, &mut self.ext, &context, Arc::clone(&self.fees))
                .map_err(|e| anyhow::anyhow!("near-vm-runner failed: {e:?}"))?;
        let mut wrote_before_abort = false;
        if outcome.aborted.is_some() {
            wrote_before_abort = self.ext.fake_trie != before;
            self.ext.fake_trie = before;
        } else {
            self.storage_usage = outcome.storage_usage;
        }
        Ok(Call {
            outcome,
            wrote_before_abort,
        })
    }
}
