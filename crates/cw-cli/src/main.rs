//! `cwr`: the command-line front end. Errors go to stderr with a non-zero exit.

mod check;
mod choices;
mod codes;
mod demo;
mod error;
mod home;
mod local;
mod natives;
mod near;
mod output;
mod progress;
mod run;
mod runner;
mod setup;
mod timing;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use cosmwasm_std::Coin;
use cw_cli::{message, scenario, subst};

use crate::choices::{GasProfile, Mode, RunEngine};
use crate::error::CliError;
use crate::local::{LocalArgs, LocalCommand};
use crate::runner::RunOptions;

/// Run and check CosmWasm contracts outside a chain.
#[derive(Debug, Parser)]
#[command(name = "cwr", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Statically validate Wasm files as a chain does (cosmwasm-vm 3.0 rules
    /// plus wasmd's 800 KiB size limit) and print what each holds.
    ///
    /// Exit code 0 only if every file passes; 1 if any is rejected; 2 if a
    /// file cannot be read.
    Check {
        /// The Wasm files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Print one JSON object per file instead of text.
        #[arg(long)]
        json: bool,
        /// Capabilities the chain offers, comma-separated (default: a wasmd
        /// chain on CosmWasm 3.0: iterator, staking, stargate, cosmwasm_1_1 ...
        /// cosmwasm_3_0).
        #[arg(long, value_delimiter = ',')]
        capabilities: Option<Vec<String>>,
    },
    /// Run a scenario (docs/scenario.md) on an in-memory chain.
    ///
    /// The whole scenario is checked before any step runs. Exit code 0 when
    /// it ran to the end and every `expect` held (a failing step is a
    /// result, not an error); 1 when an `expect` did not hold; 2 for a
    /// malformed scenario, an unreadable file or a code the chain refuses.
    Run {
        /// The scenario file.
        scenario: PathBuf,
        /// Print one JSON object per step and a final state object, one per
        /// line, deterministic to the byte (no timings).
        #[arg(long)]
        json: bool,
        /// The prices the chain charges; gas is reported in both units.
        #[arg(long, value_enum, default_value_t)]
        gas_profile: GasProfile,
        /// How stored code runs: compiled Wasm, the verified native
        /// emulator (a code without one is refused), or native where one
        /// is registered.
        #[arg(long, value_enum, default_value_t)]
        mode: Mode,
        /// Where the scenario runs: an in-memory chain here, or the cw-near
        /// contract in NEAR's VM (`cwr-near`, found beside `cwr`, on the
        /// PATH, or at $CWR_NEAR), which prints CosmWasm and NEAR gas per
        /// step; `--mode native` there picks the contract's natives build.
        #[arg(long, value_enum, default_value_t)]
        engine: RunEngine,
        /// Keep compiled modules in DIR so later runs do not recompile.
        #[arg(long, value_name = "DIR")]
        cache_dir: Option<PathBuf>,
        /// Recompile a code with Cranelift in the background after N calls
        /// (the same results and gas as Singlepass, faster code).
        #[arg(long, value_name = "N")]
        tier_up_after: Option<u32>,
    },
    /// Build the fixtures if needed, then run cw20-base and cw1-whitelist
    /// on an in-memory chain (and cw20 again natively) with gas and timings.
    Demo {
        /// Keep compiled modules in DIR so later runs do not recompile
        /// [default: target/fixtures/module-cache].
        #[arg(long, value_name = "DIR")]
        cache_dir: Option<PathBuf>,
    },
    /// Store a Wasm file on the persistent local chain; prints its code id.
    Store {
        /// The Wasm file.
        file: PathBuf,
        /// How the code runs (see `cwr run --help`).
        #[arg(long, value_enum, default_value_t)]
        mode: Mode,
        #[command(flatten)]
        local: LocalOpts,
    },
    /// Instantiate a stored code on the persistent local chain.
    Instantiate {
        /// The code id `cwr store` printed.
        code_id: u64,
        /// The instantiate message (JSON; `"@name"` strings become
        /// addresses, see docs/scenario.md).
        msg: String,
        /// The contract's label; later commands accept it in place of the
        /// address.
        #[arg(long)]
        label: String,
        /// Who may migrate the contract (`@name`, name or address).
        #[arg(long)]
        admin: Option<String>,
        /// Funds to send, comma-separated (`10ucosm,5uatom`).
        #[arg(long, value_delimiter = ',', value_parser = parse_coin)]
        funds: Vec<Coin>,
        #[command(flatten)]
        local: LocalOpts,
    },
    /// Execute a contract on the persistent local chain. Exit code 1 when
    /// the transaction fails (nothing is written).
    Execute {
        /// The contract's address or label.
        contract: String,
        /// The execute message (JSON).
        msg: String,
        /// Funds to send, comma-separated (`10ucosm,5uatom`).
        #[arg(long, value_delimiter = ',', value_parser = parse_coin)]
        funds: Vec<Coin>,
        #[command(flatten)]
        local: LocalOpts,
    },
    /// Query a contract on the persistent local chain; prints the answer.
    Query {
        /// The contract's address or label.
        contract: String,
        /// The query message (JSON).
        msg: String,
        #[command(flatten)]
        local: LocalOpts,
    },
    /// Migrate a contract of the persistent local chain to another code
    /// (the sender must be its admin).
    Migrate {
        /// The contract's address or label.
        contract: String,
        /// The new code id.
        code_id: u64,
        /// The migrate message (JSON).
        msg: String,
        #[command(flatten)]
        local: LocalOpts,
    },
    /// Create coins for an account of the persistent local chain (its faucet).
    Mint {
        /// `@name`, name or address.
        account: String,
        /// The coins, comma-separated (`1000ucosm,5uatom`).
        #[arg(value_delimiter = ',', value_parser = parse_coin, required = true)]
        coins: Vec<Coin>,
        #[command(flatten)]
        local: LocalOpts,
    },
    /// For tests: open the home, print `holding DIR`, keep it locked for
    /// SECONDS.
    #[command(hide = true)]
    HoldHome {
        /// The home folder.
        #[arg(long)]
        home: PathBuf,
        /// How long to hold it.
        #[arg(long, default_value_t = 10)]
        seconds: u64,
    },
}

/// Options of every persistent-chain command.
#[derive(Debug, Args)]
struct LocalOpts {
    /// The chain's home folder (database and compiled modules) [default:
    /// ~/.cwr].
    #[arg(long, value_name = "DIR")]
    home: Option<PathBuf>,
    /// Who signs: `@name` or a plain name (an address made like
    /// cosmwasm-std's `MockApi::addr_make`), or an address.
    #[arg(long, default_value = "alice")]
    sender: String,
    /// The prices the chain charges; gas is reported in both units.
    #[arg(long, value_enum, default_value_t)]
    gas_profile: GasProfile,
    /// The transaction's gas limit in CosmWasm gas [default: 300,000,000,000].
    #[arg(long)]
    gas_limit: Option<u64>,
    /// Print a JSON object instead of text.
    #[arg(long)]
    json: bool,
}

impl LocalOpts {
    fn into_args(self) -> Result<LocalArgs, CliError> {
        let home = match self.home {
            Some(home) => home,
            None => std::env::var_os("HOME")
                .map(|h| PathBuf::from(h).join(".cwr"))
                .ok_or_else(|| CliError::Usage("no --home given and $HOME is not set".into()))?,
        };
        Ok(LocalArgs {
            home,
            sender: self.sender,
            gas_profile: self.gas_profile,
            gas_limit: self.gas_limit,
            json: self.json,
        })
    }
}

fn parse_coin(text: &str) -> Result<Coin, String> {
    text.trim()
        .parse::<Coin>()
        .map_err(|e| format!("{text:?} is not a coin like 10ucosm: {e}"))
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Check {
            files,
            json,
            capabilities,
        } => return check::run(&files, json, capabilities),
        Command::Run {
            scenario,
            json,
            gas_profile,
            mode,
            engine: RunEngine::Near,
            ..
        } => near::run(&scenario, json, gas_profile, mode),
        Command::Run {
            scenario,
            json,
            gas_profile,
            mode,
            cache_dir,
            tier_up_after,
            engine: RunEngine::Host,
        } => run::run(&run::RunArgs {
            scenario,
            json,
            gas_profile,
            options: RunOptions {
                mode,
                cache_dir,
                quiet: false,
                tier_up_after,
            },
        })
        .map(|summary| summary.failed_expects == 0),
        Command::Demo { cache_dir } => demo::run(cache_dir.as_deref()),
        Command::HoldHome { home, seconds } => local::hold(&home, seconds).map(|()| true),
        Command::Store { file, mode, local } => {
            local_command(local, LocalCommand::Store { file, mode })
        }
        Command::Instantiate {
            code_id,
            msg,
            label,
            admin,
            funds,
            local,
        } => local_command(
            local,
            LocalCommand::Instantiate {
                code_id,
                msg,
                label,
                admin,
                funds,
            },
        ),
        Command::Execute {
            contract,
            msg,
            funds,
            local,
        } => local_command(
            local,
            LocalCommand::Execute {
                contract,
                msg,
                funds,
            },
        ),
        Command::Query {
            contract,
            msg,
            local,
        } => local_command(local, LocalCommand::Query { contract, msg }),
        Command::Migrate {
            contract,
            code_id,
            msg,
            local,
        } => local_command(
            local,
            LocalCommand::Migrate {
                contract,
                code_id,
                msg,
            },
        ),
        Command::Mint {
            account,
            coins,
            local,
        } => local_command(local, LocalCommand::Mint { account, coins }),
    };
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

fn local_command(opts: LocalOpts, command: LocalCommand) -> Result<bool, CliError> {
    let args = opts.into_args()?;
    local::run(&args, &command)
}
