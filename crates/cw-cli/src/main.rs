//! `cwr`: the command-line front end. Errors go to stderr with a non-zero exit.

mod check;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

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
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Check {
            files,
            json,
            capabilities,
        } => check::run(&files, json, capabilities),
    }
}
