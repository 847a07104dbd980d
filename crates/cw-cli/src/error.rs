//! Why a `cwr` command could not do its job. Every variant is printed on
//! stderr as `error: ...` with exit code 2; a transaction or step that
//! fails is a result (exit code 0, or 1 when an expectation or a persistent
//! command's transaction failed), never one of these.

use std::path::PathBuf;

use cw_runtime::{ChainError, RuntimeError};

use crate::home::HomeError;
use crate::scenario::ScenarioError;
use crate::subst::SubstError;

/// A failure of a `cwr` command itself.
#[derive(Debug, thiserror::Error)]
pub(crate) enum CliError {
    /// The scenario is malformed or unreadable.
    #[error(transparent)]
    Scenario(#[from] ScenarioError),
    /// A code could not be built or read.
    #[error("code `{name}`: {message}")]
    Code {
        /// The code's name (or the fixture names).
        name: String,
        /// Why.
        message: String,
    },
    /// The chain refused to store a code (validation, compile, no native
    /// emulator for `--mode native`).
    #[error("code `{name}`: {error}")]
    StoreCode {
        /// The code's name.
        name: String,
        /// The chain's reason.
        error: Box<ChainError>,
    },
    /// Genesis balances were refused.
    #[error("env: balances of {account}: {error}")]
    Genesis {
        /// The account as written.
        account: String,
        /// The chain's reason.
        error: Box<ChainError>,
    },
    /// The chain could not be set up.
    #[error("cannot set up the chain: {0}")]
    Chain(Box<ChainError>),
    /// The module cache could not be made.
    #[error("module cache: {0}")]
    Cache(Box<RuntimeError>),
    /// The node failed (not a transaction: nothing was recorded).
    #[error("node fault, nothing recorded: {0}")]
    NodeFault(cw_runtime::NodeFault),
    /// The persistent home failed.
    #[error(transparent)]
    Home(#[from] HomeError),
    /// A name could not be resolved.
    #[error(transparent)]
    Subst(#[from] SubstError),
    /// A command-line value is invalid (message JSON, coins, contract).
    #[error("{0}")]
    Usage(String),
    /// A file given on the command line cannot be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// `cwr run --engine near` could not start `cwr-near`, or it stopped
    /// without running the scenario.
    #[error("--engine near: {0}")]
    NearRunner(String),
    /// Writing the output failed (a closed pipe).
    #[error("writing output: {0}")]
    Output(#[from] std::io::Error),
}

impl CliError {
    /// A chain set-up failure.
    pub(crate) fn chain(error: ChainError) -> Self {
        Self::Chain(Box::new(error))
    }
}
