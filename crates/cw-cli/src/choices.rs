//! The user's choices every chain `cwr` makes depends on: the gas profile
//! (which cost table the chain charges) and the execution mode. A leaf
//! module: it imports nothing of the crate, so the modules that use the
//! choices (setup, the runner, the home, the demo) never import each other
//! for them.

use clap::ValueEnum;
use cw_runtime::ExecutionMode;

/// Which schedule the chain charges. Gas is reported in both units either
/// way; this picks the prices.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub(crate) enum GasProfile {
    /// cosmwasm-vm 3.0's prices (wasmd).
    #[default]
    Cosmwasm,
    /// NEAR protocol prices.
    Near,
}

/// How stored code runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum Mode {
    /// Compiled Wasm.
    #[default]
    Wasm,
    /// The verified native emulator registered for the code's checksum;
    /// storing a code without one fails.
    Native,
    /// Native where an emulator is registered, Wasm otherwise.
    Auto,
}

impl From<Mode> for ExecutionMode {
    fn from(mode: Mode) -> Self {
        match mode {
            Mode::Wasm => Self::Wasm,
            Mode::Native => Self::Native,
            Mode::Auto => Self::Auto,
        }
    }
}

impl Mode {
    /// The name as on the command line.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Wasm => "wasm",
            Self::Native => "native",
            Self::Auto => "auto",
        }
    }

    /// The byte a persistent home stores for the mode.
    #[must_use]
    pub fn to_byte(self) -> u8 {
        match self {
            Self::Wasm => 0,
            Self::Native => 1,
            Self::Auto => 2,
        }
    }

    /// The mode a persistent home stored.
    #[must_use]
    pub fn from_byte(byte: u8) -> Option<Self> {
        match byte {
            0 => Some(Self::Wasm),
            1 => Some(Self::Native),
            2 => Some(Self::Auto),
            _ => None,
        }
    }
}

/// Where `cwr run` runs a scenario.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub(crate) enum RunEngine {
    /// An in-memory chain in this process (Wasmer, or the natives).
    #[default]
    Host,
    /// The cw-near contract in NEAR's own VM (near-vm-runner), one NEAR
    /// call per step, through the `cwr-near` binary (built apart: it
    /// brings Wasmtime; see docs/near.md).
    Near,
}
