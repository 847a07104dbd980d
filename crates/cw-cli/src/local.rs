//! The persistent local chain: `cwr store|instantiate|execute|query|migrate|mint`
//! against a [`Home`]. Each command is one process: it opens the home (and
//! holds its lock), stores the recorded codes again in order (compiled
//! modules come from the home's disk cache), loads the state, runs one
//! transaction in the next block (height + 1, time + 5 s), and commits its
//! changes in one database transaction.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use cosmwasm_std::Coin;
use cw_gas::{CostTable, CwGas};
use cw_runtime::chain::{BlockState, TxFailure};
use cw_runtime::{Chain, ExecutionMode, Instantiate, TxResult, TxSuccess};

use crate::choices::{GasProfile, Mode};
use crate::error::CliError;
use crate::home::{Commit, Home};
use crate::message::Message;
use crate::output;
use crate::runner::{Outcome, StepReport};
use crate::setup::{WithTable, builder, module_cache};
use crate::subst::{Namer, name_of};

/// Seconds between two blocks of the local chain.
const BLOCK_SECONDS: u64 = 5;

/// Settings every persistent command shares.
#[derive(Debug, Clone)]
pub(crate) struct LocalArgs {
    /// The home folder.
    pub home: PathBuf,
    /// Who signs (`@name`, a plain name, or an address).
    pub sender: String,
    /// The chain's cost table.
    pub gas_profile: GasProfile,
    /// The gas limit of the transaction, in CosmWasm gas.
    pub gas_limit: Option<u64>,
    /// Print the JSON step object instead of text.
    pub json: bool,
}

/// One persistent command.
#[derive(Debug, Clone)]
pub(crate) enum LocalCommand {
    /// Stores a Wasm file.
    Store {
        /// The file.
        file: PathBuf,
        /// How the code runs.
        mode: Mode,
    },
    /// Instantiates a code.
    Instantiate {
        /// The code id.
        code_id: u64,
        /// The message (JSON, with `@name` substitution).
        msg: String,
        /// The label (also usable in place of the address later).
        label: String,
        /// The admin.
        admin: Option<String>,
        /// Funds sent along.
        funds: Vec<Coin>,
    },
    /// Executes a contract.
    Execute {
        /// Address or label.
        contract: String,
        /// The message.
        msg: String,
        /// Funds sent along.
        funds: Vec<Coin>,
    },
    /// Queries a contract.
    Query {
        /// Address or label.
        contract: String,
        /// The message.
        msg: String,
    },
    /// Migrates a contract.
    Migrate {
        /// Address or label.
        contract: String,
        /// The new code id.
        code_id: u64,
        /// The message.
        msg: String,
    },
    /// Creates coins for an account (the local chain's faucet).
    Mint {
        /// `@name`, a plain name, or an address.
        account: String,
        /// The coins.
        coins: Vec<Coin>,
    },
}

/// Runs one persistent command; `Ok(true)` when its transaction
/// succeeded, `Ok(false)` when it failed (nothing was written).
///
/// # Errors
/// [`CliError`] for a locked or broken home, a bad argument, a code the
/// chain refuses.
pub(crate) fn run(args: &LocalArgs, command: &LocalCommand) -> Result<bool, CliError> {
    args.gas_profile.dispatch(Job { args, command })
}

/// Opens `home` and holds it for `seconds` (for tests of the lock).
///
/// # Errors
/// [`CliError::Home`].
pub(crate) fn hold(home: &std::path::Path, seconds: u64) -> Result<(), CliError> {
    let _home = Home::open(home)?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "holding {}", home.display())?;
    out.flush()?;
    std::thread::sleep(std::time::Duration::from_secs(seconds));
    Ok(())
}

struct Job<'a> {
    args: &'a LocalArgs,
    command: &'a LocalCommand,
}

impl WithTable for Job<'_> {
    type Output = Result<bool, CliError>;

    fn run<T: CostTable>(self, table: T) -> Self::Output {
        let mut local = LocalChain::open(table, self.args)?;
        local.command(self.command)
    }
}

struct LocalChain<T: CostTable> {
    home: Home,
    chain: Arc<Chain<T>>,
    namer: Namer,
    json: bool,
    sender: String,
    /// Labels used by more than one contract (not usable as names).
    ambiguous: Vec<String>,
}

impl<T: CostTable> LocalChain<T> {
    fn open(table: T, args: &LocalArgs) -> Result<Self, CliError> {
        let home = Home::open(&args.home)?;
        let cache = module_cache(table.clone(), Some(&home.cache_dir()), None)?;
        let mut builder = builder(table, cache)?;
        if let Some(limit) = args.gas_limit {
            builder = builder.tx_gas_limit(CwGas::new(limit));
        }
        let chain = Arc::new(builder.build().map_err(CliError::chain)?);
        let snapshot = home.load()?;
        if home.was_repaired() {
            eprintln!(
                "warning: home {}: redb found {} damaged and repaired it to its last intact \
                 commit; the last transactions may be missing",
                home.dir().display(),
                crate::home::DB_FILE
            );
        }
        if let Some(block) = snapshot.block {
            chain.set_block(block);
        }
        let creator = chain.addr_make("creator").map_err(CliError::chain)?;
        for code in snapshot.codes {
            let id = chain
                .store_code(&creator, &code.wasm, code.mode.into())
                .map_err(|error| CliError::StoreCode {
                    name: format!("#{} (restoring {})", code.code_id, home.dir().display()),
                    error: Box::new(error),
                })?;
            if id != code.code_id {
                return Err(CliError::Usage(format!(
                    "home {}: code ids are not contiguous (restored {} as {id})",
                    home.dir().display(),
                    code.code_id
                )));
            }
        }
        chain.load_state(snapshot.state);
        drop(chain.take_changes());
        let maker = Arc::clone(&chain);
        let mut namer = Namer::new(move |name| maker.addr_make(name).map_err(|e| e.to_string()));
        let mut labels: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for address in chain.contracts() {
            if let Some(record) = chain.contract(&address) {
                labels.entry(record.label).or_default().push(address);
            }
        }
        let mut ambiguous = Vec::new();
        for (label, addresses) in labels {
            match addresses.as_slice() {
                [address] => namer.set_alias(&label, address),
                _ => ambiguous.push(label),
            }
        }
        let sender = account(&chain, &mut namer, &args.sender)?;
        Ok(Self {
            home,
            chain,
            namer,
            json: args.json,
            sender,
            ambiguous,
        })
    }

    fn command(&mut self, command: &LocalCommand) -> Result<bool, CliError> {
        match command {
            LocalCommand::Store { file, mode } => self.store(file, *mode),
            LocalCommand::Instantiate {
                code_id,
                msg,
                label,
                admin,
                funds,
            } => {
                let msg = self.msg(msg)?;
                let admin = admin
                    .as_deref()
                    .map(|a| account(&self.chain, &mut self.namer, a))
                    .transpose()?;
                let sender = self.sender.clone();
                self.transact("instantiate", Some(label.clone()), |chain| {
                    chain.instantiate(&Instantiate {
                        code_id: *code_id,
                        sender: &sender,
                        msg: &msg,
                        funds,
                        admin: admin.as_deref(),
                        label,
                        salt: None,
                    })
                })
            }
            LocalCommand::Execute {
                contract,
                msg,
                funds,
            } => {
                let address = self.contract(contract)?;
                let msg = self.msg(msg)?;
                let sender = self.sender.clone();
                self.transact("execute", Some(contract.clone()), |chain| {
                    chain.execute(&sender, &address, &msg, funds)
                })
            }
            LocalCommand::Migrate {
                contract,
                code_id,
                msg,
            } => {
                let address = self.contract(contract)?;
                let msg = self.msg(msg)?;
                let sender = self.sender.clone();
                self.transact("migrate", Some(contract.clone()), |chain| {
                    chain.migrate(&sender, &address, *code_id, &msg)
                })
            }
            LocalCommand::Query { contract, msg } => self.query(contract, msg),
            LocalCommand::Mint {
                account: who,
                coins,
            } => {
                let address = account(&self.chain, &mut self.namer, who)?;
                self.chain
                    .mint(&address, coins)
                    .map_err(|e| CliError::Usage(format!("mint: {e}")))?;
                self.home.commit(&Commit {
                    code: None,
                    changes: self.chain.take_changes(),
                    block: None,
                })?;
                let balances = output::coins_text(&self.chain.balances(&address));
                let mut out = std::io::stdout().lock();
                writeln!(out, "{address}: {balances}")?;
                Ok(true)
            }
        }
    }

    fn store(&mut self, file: &std::path::Path, mode: Mode) -> Result<bool, CliError> {
        let wasm = std::fs::read(file).map_err(|source| CliError::Read {
            path: file.to_owned(),
            source,
        })?;
        let started = Instant::now();
        let (previous, next) = self.next_block();
        let code_id = match self
            .chain
            .store_code(&self.sender, &wasm, ExecutionMode::from(mode))
        {
            Ok(id) => id,
            Err(error) => {
                self.chain.set_block(previous);
                return Err(CliError::StoreCode {
                    name: file.display().to_string(),
                    error: Box::new(error),
                });
            }
        };
        let elapsed = started.elapsed();
        self.home.commit(&Commit {
            code: Some((code_id, mode, &wasm)),
            changes: self.chain.take_changes(),
            block: Some(&next),
        })?;
        let (checksum, native) = self.chain.code_info(code_id).map_err(CliError::chain)?;
        let mut out = std::io::stdout().lock();
        if self.json {
            let line = serde_json::json!({
                "op": "store", "ok": true, "code_id": code_id,
                "checksum": hex::encode(checksum), "native": native,
            });
            writeln!(out, "{line}")?;
        } else {
            writeln!(
                out,
                "code id {code_id}: sha256 {}, {} KiB, runs {}, stored in {}",
                hex::encode(checksum),
                wasm.len().div_ceil(1024),
                if native { "natively" } else { "as Wasm" },
                crate::timing::duration(elapsed)
            )?;
        }
        Ok(true)
    }

    /// Moves the chain to its next block; returns (previous, next).
    fn next_block(&self) -> (BlockState, BlockState) {
        let previous = self.chain.block();
        let next = BlockState {
            height: previous.height.saturating_add(1),
            time_nanos: previous
                .time_nanos
                .saturating_add(BLOCK_SECONDS * 1_000_000_000),
            chain_id: previous.chain_id.clone(),
        };
        self.chain.set_block(next.clone());
        (previous, next)
    }

    /// Runs one transaction in the next block; commits it to the home when
    /// it succeeded, restores the block when it failed.
    fn transact(
        &mut self,
        op: &'static str,
        contract: Option<String>,
        body: impl FnOnce(&Chain<T>) -> Result<TxResult, cw_runtime::NodeFault>,
    ) -> Result<bool, CliError> {
        let (previous, next) = self.next_block();
        let started = Instant::now();
        let result = match body(&self.chain) {
            Ok(result) => result,
            Err(fault) => {
                self.chain.set_block(previous);
                return Err(CliError::NodeFault(fault));
            }
        };
        let elapsed = started.elapsed();
        let ok = result.is_ok();
        if ok {
            self.home.commit(&Commit {
                code: None,
                changes: self.chain.take_changes(),
                block: Some(&next),
            })?;
        } else {
            self.chain.set_block(previous);
        }
        let (outcome, gas) = match result {
            Ok(done) => {
                let gas = done.gas.clone();
                (Outcome::Tx(done), gas)
            }
            Err(TxFailure { error, gas }) => (
                Outcome::Failed {
                    message: error.to_string(),
                    kind: error.kind().to_owned(),
                },
                gas,
            ),
        };
        let address = match &outcome {
            Outcome::Tx(TxSuccess {
                contract_address, ..
            }) => contract_address.clone(),
            _ => None,
        };
        let report = StepReport {
            index: 1,
            op,
            contract,
            address,
            outcome,
            gas: Some(gas),
            elapsed,
            expect: None,
        };
        self.print(&report)?;
        Ok(ok)
    }

    fn query(&mut self, contract: &str, msg: &str) -> Result<bool, CliError> {
        let address = self.contract(contract)?;
        let msg = self.msg(msg)?;
        let started = Instant::now();
        let result = self
            .chain
            .query(&address, &msg)
            .map_err(CliError::NodeFault)?;
        let elapsed = started.elapsed();
        let ok = result.is_ok();
        let (outcome, gas) = match result {
            Ok(answer) => (Outcome::Query(answer.data), answer.gas),
            Err(TxFailure { error, gas }) => (
                Outcome::Failed {
                    message: error.to_string(),
                    kind: error.kind().to_owned(),
                },
                gas,
            ),
        };
        let report = StepReport {
            index: 1,
            op: "query",
            contract: Some(contract.to_owned()),
            address: Some(address),
            outcome,
            gas: Some(gas),
            elapsed,
            expect: None,
        };
        self.print(&report)?;
        Ok(ok)
    }

    /// Text: the query answer alone on stdout (for `jq`), or the
    /// transaction's result, events and gas; errors on stderr.
    fn print(&self, report: &StepReport) -> Result<(), CliError> {
        let mut out = std::io::stdout().lock();
        if self.json {
            writeln!(out, "{}", output::step_json(report))?;
            return Ok(());
        }
        let (cw, near) = output::gas_cells(report.gas.as_ref());
        let gas = format!(
            "gas {cw} CosmWasm / {near} NEAR in {}",
            crate::timing::duration(report.elapsed)
        );
        match &report.outcome {
            Outcome::Query(data) => {
                writeln!(out, "{}", String::from_utf8_lossy(data))?;
                eprintln!("{gas}");
            }
            Outcome::Failed { message, kind } => {
                eprintln!("error ({kind}): {message}");
                eprintln!("{gas}");
            }
            Outcome::Tx(done) => {
                let block = self.chain.block();
                writeln!(out, "ok at height {}; {gas}", block.height)?;
                if let Some(address) = &done.contract_address {
                    writeln!(out, "contract {address}")?;
                }
                if let Some(data) = &done.data {
                    writeln!(
                        out,
                        "data {}",
                        cosmwasm_std::Binary::from(data.clone()).to_base64()
                    )?;
                }
                for event in &done.events {
                    let attributes: Vec<String> = event
                        .attributes
                        .iter()
                        .map(|a| format!("{}={}", a.key, a.value))
                        .collect();
                    writeln!(out, "event {}: {}", event.ty, attributes.join(" "))?;
                }
            }
            Outcome::Block(_) => {}
        }
        Ok(())
    }

    /// The bytes the contract receives: MSG as given, substituted and
    /// compact (keys in the given order, numbers and escapes as written).
    fn msg(&mut self, msg: &str) -> Result<Vec<u8>, CliError> {
        let msg =
            Message::parse(msg).map_err(|e| CliError::Usage(format!("MSG is not JSON: {e}")))?;
        Ok(self.namer.message(&msg)?)
    }

    /// An address, or the label of exactly one contract (with or without `@`).
    fn contract(&self, text: &str) -> Result<String, CliError> {
        if self.chain.contract(text).is_some() {
            return Ok(text.to_owned());
        }
        let label = text.strip_prefix('@').unwrap_or(text);
        if let Some(address) = self.namer.alias(label) {
            return Ok(address.to_owned());
        }
        if self.ambiguous.iter().any(|l| l == label) {
            return Err(CliError::Usage(format!(
                "label `{label}` names several contracts; use the address"
            )));
        }
        Err(CliError::Usage(format!(
            "no contract at or labelled `{text}` in {}",
            self.home.dir().display()
        )))
    }
}

/// An account: an address as is; `@name` or a plain name through `addr_make`.
fn account<T: CostTable>(
    chain: &Chain<T>,
    namer: &mut Namer,
    text: &str,
) -> Result<String, CliError> {
    if name_of(text).is_some() {
        return Ok(namer.text(text)?);
    }
    let prefix_matches = chain
        .addr_make("x")
        .ok()
        .and_then(|sample| {
            let (hrp, _) = bech32::decode(&sample).ok()?;
            let (own, _) = bech32::decode(text).ok()?;
            Some(hrp == own)
        })
        .unwrap_or(false);
    if prefix_matches {
        Ok(text.to_owned())
    } else {
        Ok(namer.account_address(text)?)
    }
}
