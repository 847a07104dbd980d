//! Wasmer 7.5.0 middlewares: operator metering from a [`CostTable`] and a
//! deterministic stack-height limit.
//!
//! Architecture Invariant: metering runs **before** the stack limiter. The
//! limiter sees metering's output, never the other way round; metering
//! therefore prices only the contract's own operators, never the limiter's
//! injected instructions, and the cosmwasm schedule stays byte-exact with
//! cosmwasm-vm 3.0.11. [`GasMiddleware`] runs both in that order in one
//! Wasmer stage; [`push_middlewares`] and [`singlepass_engine`] use it.
//!
//! State lives in exported mutable globals of the instance, so a module
//! compiled once and loaded from a cache (headless engine) behaves exactly
//! like a freshly compiled one.

use std::sync::Arc;

use wasmer::sys::{CompilerConfig, Singlepass};
use wasmer::{AsStoreMut, Engine, Instance, Value};

use crate::error::GasError;
use crate::schedule::CostTable;
use crate::units::GasQuantity;

mod combined;
mod globals;
mod metering;
mod stack_limit;

impl<'a> Emit<'a> for wasmer::sys::MiddlewareReaderState<'a> {
    fn emit(&mut self, operator: Operator<'a>) {
        self.push_operator(operator);
    }
    fn emit_all<I: IntoIterator<Item = Operator<'a>>>(&mut self, operators: I) {
        self.extend(operators);
    }
}

/// Adds the state both middlewares keep in the instance: a mutable `i64`
/// counter and a mutable `i32` flag, both starting at 0 and exported under
/// the given names so the runtime can read and reset them. Returns their
/// global indices.
fn add_exported_counter_and_flag(
    info: &mut wasmer_types::ModuleInfo,
    counter_export: &str,
    flag_export: &str,
) -> (u32, u32) {
    use wasmer::{ExportIndex, GlobalInit, GlobalType, Mutability, Type};
    let counter = info
        .globals
        .push(GlobalType::new(Type::I64, Mutability::Var));
    info.global_initializers.push(GlobalInit::I64Const(0));
    let flag = info
        .globals
        .push(GlobalType::new(Type::I32, Mutability::Var));
    info.global_initializers.push(GlobalInit::I32Const(0));
    info.exports
        .insert(counter_export.to_string(), ExportIndex::Global(counter));
    info.exports
        .insert(flag_export.to_string(), ExportIndex::Global(flag));
    (counter.as_u32(), flag.as_u32())
}

pub use crate::instrument::{
    AnalysedFunction, DEFAULT_STACK_LIMIT_BYTES, FRAME_OVERHEAD_BYTES, FunctionAnalysis,
    METERING_SCRATCH_SLOTS, OPERAND_SLOT_BYTES, POINTS_EXHAUSTED_EXPORT, REMAINING_POINTS_EXPORT,
    STACK_EXHAUSTED_EXPORT, STACK_HEIGHT_EXPORT, StackAnalysis, classify, points_exhausted,
    points_global_value, value_size_bytes,
};
pub use combined::GasMiddleware;
pub use globals::MiddlewareGlobals;
pub use metering::Metering;
pub use stack_limit::StackLimiter;

use crate::instrument::emit::Emit;
use wasmer::sys::wasmparser::Operator;

/// Pushes metering and, optionally, the stack limiter, in the only correct
/// order (see the module docs), as one [`GasMiddleware`] stage.
pub fn push_middlewares<T: CostTable, C: CompilerConfig + ?Sized>(
    compiler: &mut C,
    metering: Arc<Metering<T>>,
    stack_limiter: Option<Arc<StackLimiter>>,
) {
    compiler.push_middleware(Arc::new(GasMiddleware::new(metering, stack_limiter)));
}

/// A Singlepass engine for compiling one module (`wasm`) with metering over
/// `table` and, if `stack_limit_bytes` is given, the stack limiter. NaN
/// canonicalization is on, as in cosmwasm-vm. One engine per module: the
/// middlewares record module-specific global indices.
pub fn singlepass_engine<T: CostTable>(
    table: T,
    wasm: &[u8],
    stack_limit_bytes: Option<u64>,
) -> Result<Engine, GasError> {
    let limiter = match stack_limit_bytes {
        Some(limit) => Some(StackLimiter::new(wasm, limit)?),
        None => None,
    };
    Ok(singlepass_engine_with(table, limiter))
}

/// A Singlepass engine for compiling the one module `limiter` (if any) was
/// built for, with metering over `table`: [`singlepass_engine`] for callers
/// that analysed the module while validating it.
pub fn singlepass_engine_with<T: CostTable>(table: T, limiter: Option<StackLimiter>) -> Engine {
    engine_with(Compiler::Singlepass, table, limiter)
}

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
    /// code about twice as fast. Needs the `cranelift` feature.
    #[cfg(feature = "cranelift")]
    Cranelift,
}

impl Compiler {
    /// A short lower-case name: `singlepass` or `cranelift`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Singlepass => "singlepass",
            #[cfg(feature = "cranelift")]
            Self::Cranelift => "cranelift",
        }
    }
}

/// An engine of `compiler` for compiling the one module `limiter` (if any)
/// was built for, with metering over `table` and NaN canonicalization on.
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
        #[cfg(feature = "cranelift")]
        Compiler::Cranelift => {
            let mut config = wasmer::sys::Cranelift::new();
            config.canonicalize_nans(true);
            config.opt_level(wasmer::sys::CraneliftOptLevel::Speed);
            push_middlewares(&mut config, metering, limiter);
            config.into()
        }
    }
}

/// The metering state of an instance.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MeteringPoints<G> {
    /// Operators may still spend this much.
    Remaining(G),
    /// Out of gas: a checked charge was refused (the call trapped), or
    /// unchecked charges took the count below zero.
    Exhausted,
}

fn global_u64(
    store: &mut impl AsStoreMut,
    instance: &Instance,
    export: &'static str,
) -> Result<u64, GasError> {
    let global = instance
        .exports
        .get_global(export)
        .map_err(|_| GasError::MeteringNotInstalled { export })?;
    globals::read(store, global, export)
}

fn set_global(
    store: &mut impl AsStoreMut,
    instance: &Instance,
    export: &'static str,
    value: Value,
) -> Result<(), GasError> {
    let global = instance
        .exports
        .get_global(export)
        .map_err(|_| GasError::MeteringNotInstalled { export })?;
    globals::write(store, global, export, value)
}

/// Reads the remaining operator gas (in the unit of the schedule the module
/// was compiled with) or whether it ran out.
pub fn remaining_points<G: GasQuantity>(
    store: &mut impl AsStoreMut,
    instance: &Instance,
) -> Result<MeteringPoints<G>, GasError> {
    let flag = global_u64(store, instance, POINTS_EXHAUSTED_EXPORT)?;
    let raw = global_u64(store, instance, REMAINING_POINTS_EXPORT)?;
    Ok(globals::points(flag, raw))
}

/// Sets the remaining operator gas and clears the exhausted flag. Call it
/// before every export call (modules start with 0 points) and after every
/// host-side charge. The instance holds at most `i64::MAX` points (a larger
/// value is stored as that); [`crate::GasMeter::wasm_points`] gives the
/// value to set and counts spending from it.
pub fn set_remaining_points<G: GasQuantity>(
    store: &mut impl AsStoreMut,
    instance: &Instance,
    points: G,
) -> Result<(), GasError> {
    let raw = points_global_value(points.to_u64());
    set_global(store, instance, REMAINING_POINTS_EXPORT, Value::I64(raw))?;
    set_global(store, instance, POINTS_EXHAUSTED_EXPORT, Value::I32(0))
}

/// Whether the last trap came from the stack limiter.
pub fn stack_limit_exceeded(
    store: &mut impl AsStoreMut,
    instance: &Instance,
) -> Result<bool, GasError> {
    Ok(global_u64(store, instance, STACK_EXHAUSTED_EXPORT)? != 0)
}

/// The current stack height in bytes (0 between calls, unless a trap left
/// frames on the counter; see [`reset_stack_height`]).
pub fn stack_height_bytes(
    store: &mut impl AsStoreMut,
    instance: &Instance,
) -> Result<u64, GasError> {
    global_u64(store, instance, STACK_HEIGHT_EXPORT)
}

/// Resets the stack counter and flag. A trap unwinds frames without running
/// their epilogues, so reset before reusing an instance after any trap.
pub fn reset_stack_height(
    store: &mut impl AsStoreMut,
    instance: &Instance,
) -> Result<(), GasError> {
    set_global(store, instance, STACK_HEIGHT_EXPORT, Value::I64(0))?;
    set_global(store, instance, STACK_EXHAUSTED_EXPORT, Value::I32(0))
}

/// Why a call into an instance trapped, as far as the middlewares know.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TrapCause {
    /// An operator charge could not be paid.
    OutOfGas,
    /// A call would have exceeded the stack limit.
    StackLimit,
    /// Anything else (unreachable, division by zero, host error, ...).
    Other,
}

/// Classifies a trap by the middlewares' flags. Middlewares not compiled
/// into the module simply never match.
pub fn classify_trap(store: &mut impl AsStoreMut, instance: &Instance) -> TrapCause {
    if global_u64(store, instance, POINTS_EXHAUSTED_EXPORT).is_ok_and(|v| v != 0) {
        TrapCause::OutOfGas
    } else if global_u64(store, instance, STACK_EXHAUSTED_EXPORT).is_ok_and(|v| v != 0) {
        TrapCause::StackLimit
    } else {
        TrapCause::Other
    }
}
