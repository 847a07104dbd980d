//! Engines: which Wasmer compiler turns a module into machine code, with
//! cw-gas's middlewares (metering, the deterministic stack limit) and NaN
//! canonicalisation, as cosmwasm-vm compiles. cw-gas provides the
//! middlewares only; choosing and configuring a compiler is this crate's.

use std::sync::Arc;

use cw_gas::middleware::{Metering, StackLimiter, push_middlewares};
use cw_gas::{CostTable, GasError};
use wasmer::Engine;
use wasmer::sys::{Cranelift, CraneliftOptLevel, Singlepass};

/// The Wasmer compiler an engine uses. Both run the same middlewares over
/// the same operators, so a module charges the same gas, traps at the same
/// operator and hits the stack limit at the same depth whichever compiled
/// it; they differ only in how long compiling takes and how fast the code
/// runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Compiler {
    /// Wasmer's Singlepass: compile time linear in the code size (what
    /// cosmwasm-vm and chains use), slower code.
    Singlepass,
    /// Cranelift at `opt_level = speed`: several times slower to compile,
    /// code about twice as fast.
    Cranelift,
}

impl Compiler {
    /// A short lower-case name: `singlepass` or `cranelift`.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Singlepass => "singlepass",
            Self::Cranelift => "cranelift",
        }
    }
}

/// An engine of `compiler` for compiling the one module `limiter` (if any)
/// was built for, with metering over `table` and NaN canonicalisation on.
/// One engine per module: the middlewares record module-specific global
/// indices.
pub fn engine_with<T: CostTable>(
    compiler: Compiler,
    table: T,
    limiter: Option<StackLimiter>,
) -> Engine {
    let metering = Arc::new(Metering::new(table));
    let limiter = limiter.map(Arc::new);
    match compiler {
        Compiler::Singlepass => {
            let mut config = Singlepass::new();
            config.canonicalize_nans(true);
            push_middlewares(&mut config, metering, limiter);
            config.into()
        }
        Compiler::Cranelift => {
            let mut config = Cranelift::new();
            config.canonicalize_nans(true);
            config.opt_level(CraneliftOptLevel::Speed);
            push_middlewares(&mut config, metering, limiter);
            config.into()
        }
    }
}

/// A Singlepass engine for compiling one module (`wasm`) with metering over
/// `table` and, if `stack_limit_bytes` is given, the stack limiter (which
/// reads and validates `wasm` itself).
///
/// # Errors
/// [`GasError::InvalidWasm`] when the limiter cannot read `wasm`.
pub fn singlepass_engine<T: CostTable>(
    table: T,
    wasm: &[u8],
    stack_limit_bytes: Option<u64>,
) -> Result<Engine, GasError> {
    let limiter = match stack_limit_bytes {
        Some(limit) => Some(StackLimiter::new(wasm, limit)?),
        None => None,
    };
    Ok(engine_with(Compiler::Singlepass, table, limiter))
}
