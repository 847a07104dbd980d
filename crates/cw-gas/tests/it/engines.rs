//! Engines around the middlewares, for these tests: what an engine crate
//! (cw-runtime's `engine` module) does with them, written out so the
//! middlewares are tested on their own: a compiler configuration, NaN
//! canonicalisation as cosmwasm-vm, and [`middleware::push_middlewares`].

use std::sync::Arc;

use cw_gas::middleware::{self, Metering, StackLimiter};
use cw_gas::{CostTable, GasError};
use wasmer::Engine;
use wasmer::sys::{Cranelift, CraneliftOptLevel, Singlepass};

/// The two compilers the middlewares must behave alike on.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Compiler {
    Singlepass,
    Cranelift,
}

/// An engine of `compiler` with the middlewares over `table` and `limiter`.
pub(crate) fn engine_with<T: CostTable>(
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
            middleware::push_middlewares(&mut config, metering, limiter);
            config.into()
        }
        Compiler::Cranelift => {
            let mut config = Cranelift::new();
            config.canonicalize_nans(true);
            config.opt_level(CraneliftOptLevel::Speed);
            middleware::push_middlewares(&mut config, metering, limiter);
            config.into()
        }
    }
}

/// A Singlepass engine for `wasm`, with the stack limiter when
/// `stack_limit_bytes` is given.
pub(crate) fn singlepass_engine<T: CostTable>(
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
