//! Wasmer 7.5.0 middlewares: operator metering from a [`CostTable`] and a
//! deterministic stack-height limit.
//!
//! Architecture Invariant: metering runs **before** the stack limiter. The
//! limiter sees metering's output, never the other way round; metering
//! therefore prices only the contract's own operators, never the limiter's
//! injected instructions, and the cosmwasm schedule stays byte-exact with
//! cosmwasm-vm 3.0.11. [`GasMiddleware`] runs both in that order in one
//! Wasmer stage; [`push_middlewares`] puts it into a compiler's
//! configuration. Choosing and configuring the compiler (Singlepass or
//! Cranelift, NaN canonicalisation) is the engine's business: cw-runtime's
//! `engine` module.
//!
//! State lives in exported mutable globals of the instance, so a module
//! compiled once and loaded from a cache (headless engine) behaves exactly
//! like a freshly compiled one.

use std::sync::Arc;

use wasmer::sys::CompilerConfig;
use wasmer::{AsStoreMut, Instance, Value};

use crate::error::GasError;
use crate::schedule::{CostTable, OperatorClass};
use crate::units::GasQuantity;

mod combined;
mod globals;
mod metering;
mod stack_limit;

/// Where a middleware stage writes the operators it emits: Wasmer's reader
/// state, or (inside [`GasMiddleware`]) the stack limiter fed by metering.
pub(crate) trait Emit<'a> {
    /// Appends one operator.
    fn emit(&mut self, operator: Operator<'a>);
    /// Appends operators in order.
    fn emit_all<I: IntoIterator<Item = Operator<'a>>>(&mut self, operators: I) {
        for operator in operators {
            self.emit(operator);
        }
    }
}

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

pub use combined::GasMiddleware;
pub use globals::{MiddlewareGlobals, points_exhausted, points_global_value};
pub use metering::Metering;
pub use stack_limit::{
    AnalysedFunction, DEFAULT_STACK_LIMIT_BYTES, FRAME_OVERHEAD_BYTES, FunctionAnalysis,
    METERING_SCRATCH_SLOTS, NATIVE_STACK_BYTES, OPERAND_SLOT_BYTES, StackAnalysis, StackLimiter,
    value_size_bytes,
};

use wasmer::sys::wasmparser::Operator;

/// Export holding the remaining operator gas (`i64`, read as `u64`, in the
/// schedule's unit).
pub const REMAINING_POINTS_EXPORT: &str = "cw_gas_remaining_points";
/// Export set to 1 (`i32`) when an operator charge could not be paid.
pub const POINTS_EXHAUSTED_EXPORT: &str = "cw_gas_points_exhausted";
/// Export holding the current stack height in bytes (`i64`).
pub const STACK_HEIGHT_EXPORT: &str = "cw_gas_stack_height";
/// Export set to 1 (`i32`) when a call would have exceeded the stack limit.
pub const STACK_EXHAUSTED_EXPORT: &str = "cw_gas_stack_exhausted";

/// The price class of an operator: exactly cosmwasm-vm 3.0.11's
/// `is_accounting` list, with `end` / `else` split out as
/// [`OperatorClass::Pseudo`].
pub fn classify(operator: &Operator<'_>) -> OperatorClass {
    match operator {
        Operator::End | Operator::Else => OperatorClass::Pseudo,
        Operator::Loop { .. }
        | Operator::If { .. }
        | Operator::Br { .. }
        | Operator::BrTable { .. }
        | Operator::BrIf { .. }
        | Operator::Call { .. }
        | Operator::CallIndirect { .. }
        | Operator::Return
        | Operator::Throw { .. }
        | Operator::ThrowRef
        | Operator::Rethrow { .. }
        | Operator::Delegate { .. }
        | Operator::Catch { .. }
        | Operator::ReturnCall { .. }
        | Operator::ReturnCallIndirect { .. }
        | Operator::BrOnCast { .. }
        | Operator::BrOnCastFail { .. }
        | Operator::CallRef { .. }
        | Operator::ReturnCallRef { .. }
        | Operator::BrOnNull { .. }
        | Operator::BrOnNonNull { .. } => OperatorClass::Control,
        _ => OperatorClass::Plain,
    }
}

/// Pushes metering and, optionally, the stack limiter, in the only correct
/// order (see the module docs), as one [`GasMiddleware`] stage.
pub fn push_middlewares<T: CostTable, C: CompilerConfig + ?Sized>(
    compiler: &mut C,
    metering: Arc<Metering<T>>,
    stack_limiter: Option<Arc<StackLimiter>>,
) {
    compiler.push_middleware(Arc::new(GasMiddleware::new(metering, stack_limiter)));
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
