//! Running a checked scenario on an in-memory chain, one step at a time,
//! into [`StepReport`]s that the output module prints.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use cosmwasm_std::Coin;
use cw_gas::{CostTable, CwGas};
use cw_runtime::chain::{BlockState, Coins, TxFailure, TxGas};
use cw_runtime::{Chain, ExecutionMode, Instantiate, TxSuccess};
use serde_json::Value;

use crate::choices::Mode;
use crate::error::CliError;
use crate::message::Message;
use crate::progress::Progress;
use crate::scenario::{Expect, Scenario, StepSpec};
use crate::setup::{builder, module_cache};
use crate::subst::Namer;

/// The name `addr_make` turns into the creator of every stored code.
const CODE_CREATOR: &str = "creator";

/// The error kind of a step the scenario itself could not run (a contract
/// alias whose instantiation failed).
pub(crate) const SCENARIO_KIND: &str = "scenario";

/// What a step did.
#[derive(Debug, Clone)]
pub(crate) enum Outcome {
    /// A transaction succeeded.
    Tx(TxSuccess),
    /// A query answered these bytes.
    Query(Vec<u8>),
    /// The step failed: the message and its kind (`contract`, `out_of_gas`, ...).
    Failed {
        /// The error message.
        message: String,
        /// [`cw_runtime::ChainError::kind`], or [`SCENARIO_KIND`].
        kind: String,
    },
    /// The chain moved to this block.
    Block(BlockState),
}

impl Outcome {
    /// Whether the step succeeded.
    #[must_use]
    pub(crate) fn is_ok(&self) -> bool {
        !matches!(self, Self::Failed { .. })
    }

    fn failed(failure: TxFailure) -> (Self, Option<TxGas>) {
        let outcome = Self::Failed {
            message: failure.error.to_string(),
            kind: failure.error.kind().to_owned(),
        };
        (outcome, Some(failure.gas))
    }

    fn scenario(message: String) -> Self {
        Self::Failed {
            message,
            kind: SCENARIO_KIND.to_owned(),
        }
    }
}

/// One step's report.
#[derive(Debug, Clone)]
pub(crate) struct StepReport {
    /// The step's number, from 1.
    pub index: usize,
    /// The `op`.
    pub op: &'static str,
    /// The contract as the step names it (alias or address).
    pub contract: Option<String>,
    /// The contract's address, once known.
    pub address: Option<String>,
    /// What happened.
    pub outcome: Outcome,
    /// Gas per call (none for `advance_block`).
    pub gas: Option<TxGas>,
    /// Wall time of the chain call (never in `--json` output).
    pub elapsed: Duration,
    /// `Some(Ok)` when an `expect` held, `Some(Err(why))` when it did not.
    pub expect: Option<Result<(), String>>,
}

/// The chain's state after the last step.
#[derive(Debug, Clone)]
pub(crate) struct FinalState {
    /// The block.
    pub block: BlockState,
    /// Every contract, by address.
    pub contracts: Vec<ContractState>,
    /// Every account named with `@name`, by name.
    pub accounts: Vec<(String, String, Coins)>,
}

/// One contract in the [`FinalState`].
#[derive(Debug, Clone)]
pub(crate) struct ContractState {
    /// Its address.
    pub address: String,
    /// Its alias, if the scenario gave one.
    pub alias: Option<String>,
    /// The name of its code in `codes`.
    pub code: Option<String>,
    /// Its code id.
    pub code_id: u64,
    /// Its label.
    pub label: String,
    /// Its admin.
    pub admin: Option<String>,
    /// Its storage in key order.
    pub storage: Vec<(Vec<u8>, Vec<u8>)>,
    /// Its bank balances.
    pub balances: Coins,
}

/// Settings of a scenario run.
#[derive(Debug, Clone, Default)]
pub(crate) struct RunOptions {
    /// How stored code runs.
    pub mode: Mode,
    /// Where compiled modules are kept between runs (in memory only without).
    pub cache_dir: Option<std::path::PathBuf>,
    /// No progress lines on stderr.
    pub quiet: bool,
    /// Recompile code with Cranelift after this many calls (same results
    /// and gas, faster code); `None`: Singlepass only.
    pub tier_up_after: Option<u32>,
}

/// A scenario's chain and names.
pub(crate) struct Runner<T: CostTable> {
    chain: Arc<Chain<T>>,
    namer: Namer,
    codes: Vec<String>,
    /// Alias to the number of the step that instantiates it.
    alias_steps: BTreeMap<String, usize>,
}

impl<T: CostTable> Runner<T> {
    /// Builds the chain of `scenario` charging `table`, mints the genesis
    /// balances and stores `wasm` (the codes' bytes, in order).
    ///
    /// # Errors
    /// [`CliError`] when the chain cannot be set up, a balance is refused or
    /// a code cannot be stored.
    pub(crate) fn start(
        table: T,
        scenario: &Scenario,
        wasm: &[(String, Vec<u8>)],
        options: &RunOptions,
    ) -> Result<Self, CliError> {
        let env = &scenario.env;
        let cache = module_cache(
            table.clone(),
            options.cache_dir.as_deref(),
            options.tier_up_after,
        )?;
        let mut builder = builder(table, cache)?
            .bech32_prefix(&env.bech32_prefix)
            .block(BlockState {
                height: env.height,
                time_nanos: env.time_nanos,
                chain_id: env.chain_id.clone(),
            });
        if let Some(limit) = env.tx_gas_limit {
            builder = builder.tx_gas_limit(CwGas::new(limit));
        }
        let chain = Arc::new(builder.build().map_err(CliError::chain)?);
        let maker = Arc::clone(&chain);
        let mut namer = Namer::new(move |name| maker.addr_make(name).map_err(|e| e.to_string()));
        for (account, coins) in &env.balances.0 {
            let address = namer.text(account)?;
            chain
                .mint(&address, coins)
                .map_err(|error| CliError::Genesis {
                    account: account.clone(),
                    error: Box::new(error),
                })?;
        }
        let creator = chain.addr_make(CODE_CREATOR).map_err(CliError::chain)?;
        let mode = ExecutionMode::from(options.mode);
        let mut codes = Vec::with_capacity(wasm.len());
        let progress = Progress::new(wasm.len(), options.quiet);
        for (name, bytes) in wasm {
            let started = Instant::now();
            progress.start(&format!(
                "storing code `{name}` ({} KiB, {})",
                bytes.len().div_ceil(1024),
                options.mode.name()
            ));
            chain
                .store_code(&creator, bytes, mode)
                .map_err(|error| CliError::StoreCode {
                    name: name.clone(),
                    error: Box::new(error),
                })?;
            progress.done(&format!(
                "stored `{name}` in {}",
                crate::timing::duration(started.elapsed())
            ));
            codes.push(name.clone());
        }
        Ok(Self {
            chain,
            namer,
            codes,
            alias_steps: BTreeMap::new(),
        })
    }

    /// Runs step `index` (from 1).
    pub(crate) fn step(&mut self, index: usize, step: &StepSpec) -> StepReport {
        let mut report = StepReport {
            index,
            op: step.op(),
            contract: None,
            address: None,
            outcome: Outcome::Block(self.chain.block()),
            gas: None,
            elapsed: Duration::ZERO,
            expect: None,
        };
        let started = Instant::now();
        let (outcome, gas) = match self.perform(index, step, &mut report) {
            Ok(done) => done,
            Err(message) => (Outcome::scenario(message), None),
        };
        report.elapsed = started.elapsed();
        if let Outcome::Tx(TxSuccess {
            contract_address: Some(address),
            ..
        }) = &outcome
        {
            report.address = Some(address.clone());
        }
        report.expect = step.expect().map(|expect| self.check(expect, &outcome));
        report.outcome = outcome;
        report.gas = gas;
        report
    }

    fn perform(
        &mut self,
        index: usize,
        step: &StepSpec,
        report: &mut StepReport,
    ) -> Result<(Outcome, Option<TxGas>), String> {
        let tx = |result: Result<TxSuccess, TxFailure>| match result {
            Ok(done) => {
                let gas = done.gas.clone();
                (Outcome::Tx(done), Some(gas))
            }
            Err(failure) => Outcome::failed(failure),
        };
        Ok(match step {
            StepSpec::Instantiate {
                code,
                alias,
                sender,
                funds,
                msg,
                admin,
                label,
                ..
            } => {
                report.contract.clone_from(alias);
                let sender = self.text(sender)?;
                let admin = admin.as_deref().map(|a| self.text(a)).transpose()?;
                let msg = self.msg(msg)?;
                let code_id = self.code_id(code)?;
                let label = label.as_deref().or(alias.as_deref()).unwrap_or(code);
                let result = self
                    .chain
                    .instantiate(&Instantiate {
                        code_id,
                        sender: &sender,
                        msg: &msg,
                        funds,
                        admin: admin.as_deref(),
                        label,
                        salt: None,
                    })
                    .map_err(node_fault)?;
                if let (
                    Ok(TxSuccess {
                        contract_address: Some(address),
                        ..
                    }),
                    Some(alias),
                ) = (&result, alias)
                {
                    self.namer.set_alias(alias, address);
                }
                if let Some(alias) = alias {
                    self.alias_steps.insert(alias.clone(), index);
                }
                tx(result)
            }
            StepSpec::Execute {
                contract,
                sender,
                funds,
                msg,
                ..
            } => {
                let address = self.contract(contract, report)?;
                let sender = self.text(sender)?;
                let msg = self.msg(msg)?;
                tx(self
                    .chain
                    .execute(&sender, &address, &msg, funds)
                    .map_err(node_fault)?)
            }
            StepSpec::Query { contract, msg, .. } => {
                let address = self.contract(contract, report)?;
                let msg = self.msg(msg)?;
                match self.chain.query(&address, &msg).map_err(node_fault)? {
                    Ok(answer) => (Outcome::Query(answer.data), Some(answer.gas)),
                    Err(failure) => Outcome::failed(failure),
                }
            }
            StepSpec::Migrate {
                contract,
                sender,
                code,
                msg,
                ..
            } => {
                let address = self.contract(contract, report)?;
                let sender = self.text(sender)?;
                let msg = self.msg(msg)?;
                let code_id = self.code_id(code)?;
                tx(self
                    .chain
                    .migrate(&sender, &address, code_id, &msg)
                    .map_err(node_fault)?)
            }
            StepSpec::Sudo { contract, msg, .. } => {
                let address = self.contract(contract, report)?;
                let msg = self.msg(msg)?;
                tx(self.chain.sudo(&address, &msg).map_err(node_fault)?)
            }
            StepSpec::AdvanceBlock { height, time_nanos } => {
                let mut block = self.chain.block();
                block.height = height.unwrap_or(block.height.saturating_add(1));
                block.time_nanos =
                    time_nanos.unwrap_or(block.time_nanos.saturating_add(5_000_000_000));
                self.chain.set_block(block.clone());
                (Outcome::Block(block), None)
            }
        })
    }

    fn text(&mut self, text: &str) -> Result<String, String> {
        self.namer.text(text).map_err(|e| e.to_string())
    }

    /// The bytes the contract receives: the message as the scenario wrote
    /// it, substituted and compact.
    fn msg(&mut self, msg: &Message) -> Result<Vec<u8>, String> {
        self.namer.message(msg).map_err(|e| e.to_string())
    }

    fn code_id(&self, code: &str) -> Result<u64, String> {
        self.codes
            .iter()
            .position(|c| c == code)
            .and_then(|i| u64::try_from(i).ok()?.checked_add(1))
            .ok_or_else(|| format!("unknown code `{code}`"))
    }

    /// The address of the contract a step names; records it in `report`.
    fn contract(&self, text: &str, report: &mut StepReport) -> Result<String, String> {
        report.contract = Some(text.to_owned());
        let alias = text.strip_prefix('@').unwrap_or(text);
        let address = match (self.namer.alias(alias), self.alias_steps.get(alias)) {
            (Some(address), _) => address.to_owned(),
            (None, Some(step)) => {
                return Err(format!(
                    "contract `{alias}` does not exist: its instantiation (step {step}) failed"
                ));
            }
            // The checker accepted it, so it is an address.
            (None, None) => text.to_owned(),
        };
        report.address = Some(address.clone());
        Ok(address)
    }

    fn check(&mut self, expect: &Expect, outcome: &Outcome) -> Result<(), String> {
        match (expect, outcome) {
            (Expect::Ok, Outcome::Failed { message, kind }) => {
                Err(format!("expected ok, got error ({kind}): {message}"))
            }
            (Expect::Ok, _) => Ok(()),
            (Expect::Error { contains, kind }, Outcome::Failed { message, kind: got }) => {
                if let Some(kind) = kind.as_deref().filter(|k| *k != got) {
                    return Err(format!(
                        "expected an error of kind {kind}, got {got}: {message}"
                    ));
                }
                match contains.as_deref().filter(|c| !message.contains(c)) {
                    Some(text) => Err(format!(
                        "expected an error containing {text:?}, got: {message}"
                    )),
                    None => Ok(()),
                }
            }
            (Expect::Error { .. }, _) => Err("expected an error, the step succeeded".into()),
            (Expect::Json(_), Outcome::Failed { message, kind }) => Err(format!(
                "expected a JSON result, got error ({kind}): {message}"
            )),
            (Expect::Json(want), outcome) => {
                let want = self.msg(want)?;
                let want: Value = serde_json::from_slice(&want).map_err(|e| e.to_string())?;
                let bytes = match outcome {
                    Outcome::Query(data) => data.as_slice(),
                    Outcome::Tx(done) => done.data.as_deref().unwrap_or_default(),
                    _ => &[],
                };
                match serde_json::from_slice::<Value>(bytes) {
                    Ok(got) if got == want => Ok(()),
                    Ok(got) => Err(format!("expected JSON {want}, got {got}")),
                    Err(e) => Err(format!("expected JSON {want}, the result is not JSON: {e}")),
                }
            }
        }
    }

    /// The state after the steps: every contract's storage and balances,
    /// every named account's balances.
    #[must_use]
    pub(crate) fn final_state(&self) -> FinalState {
        let by_address: BTreeMap<&str, &str> = self
            .namer
            .aliases()
            .iter()
            .map(|(alias, address)| (address.as_str(), alias.as_str()))
            .collect();
        let contracts = self
            .chain
            .contracts()
            .into_iter()
            .filter_map(|address| {
                let record = self.chain.contract(&address)?;
                Some(ContractState {
                    alias: by_address.get(address.as_str()).map(|a| (*a).to_owned()),
                    code: usize::try_from(record.code_id)
                        .ok()
                        .and_then(|id| id.checked_sub(1))
                        .and_then(|i| self.codes.get(i).cloned()),
                    code_id: record.code_id,
                    label: record.label,
                    admin: record.admin,
                    storage: self.chain.contract_storage(&address),
                    balances: self.chain.balances(&address),
                    address,
                })
            })
            .collect();
        let accounts = self
            .namer
            .accounts()
            .iter()
            .map(|(name, address)| (name.clone(), address.clone(), self.chain.balances(address)))
            .collect();
        FinalState {
            block: self.chain.block(),
            contracts,
            accounts,
        }
    }
}

/// Coins as the chain's bank keeps them, for output.
#[must_use]
pub(crate) fn coin_list(coins: &Coins) -> Vec<Coin> {
    coins
        .iter()
        .map(|(denom, amount)| Coin::new(*amount, denom))
        .collect()
}

#[cfg(test)]
mod tests;

/// A fault of the node (not of the scenario's transactions): the step stops
/// with it, as a problem of the run rather than a recorded outcome.
fn node_fault(fault: cw_runtime::NodeFault) -> String {
    format!("node fault (not a transaction outcome): {fault}")
}
