//! Metering and the deterministic stack limit as a bytecode rewrite, for any
//! engine.
//!
//! [`instrument`] rewrites a validated module so that its own code does
//! what the Wasmer middlewares ([`crate::middleware`], feature `wasmer`)
//! compile into it: the same charges at the same points for the same
//! amounts (both [`MeteringRule`](crate::MeteringRule)s, the locals
//! surcharge, the start function's checked charges), the same stack-limit
//! prologues and epilogues (leaves counted by their callers, exported
//! leaves counting themselves), the same traps (the exhausted flag set,
//! then `unreachable`) and the same exported globals
//! ([`REMAINING_POINTS_EXPORT`], [`POINTS_EXHAUSTED_EXPORT`],
//! [`STACK_HEIGHT_EXPORT`], [`STACK_EXHAUSTED_EXPORT`]).
//!
//! **Architecture Invariant:** the rewriter applies the middlewares' rules
//! exactly: [`metering`] and [`stack`] emit, for each body, the operators
//! the middlewares compile into it, charges and limits included, in the
//! same order (metering first, the limit on its output), with the same
//! constants (the calibrated [`DEFAULT_STACK_LIMIT_BYTES`], the frame rule,
//! the leaf and export rule, the locals surcharge). The middlewares keep
//! their own code, so the Wasmer path never depends on this module; a
//! module compiled with the middlewares and the rewritten module compiled
//! without them run the same operators, so every engine gives the same
//! gas, runs out of gas at the same point and hits the stack limit at the
//! same depth. `tests/it/instrumented.rs` compares the two on Wasmer,
//! operator stream and outcomes.
//!
//! What the rewrite changes, and nothing else:
//!
//! - the global section gains the middlewares' globals, after every
//!   existing one (imported globals come first in the index space, so no
//!   existing global index moves): the remaining points (`i64`, mutable, 0)
//!   and the exhausted flag (`i32`, mutable, 0), then, with a stack limit,
//!   the stack height (`i64`) and its flag (`i32`);
//! - the export section gains those four exports (an export of the same
//!   name is replaced, as Wasmer's export map replaces it);
//! - every function body is rewritten with the charges and limits
//!   inserted (same locals, same function indices: no function, type,
//!   table or element is added or moved); its own operators are copied as
//!   they are encoded, except the operands a linker leaves padded (calls,
//!   constants, globals, memory offsets), which are encoded minimally, as
//!   wasm-encoder would: for linked contracts the bytes are those of a
//!   full re-encoding, made with about 30 % fewer instructions;
//! - custom sections are dropped (they mean nothing to execution; the
//!   runtime compiles the module without them too).
//!
//! Everything here uses `core` and `alloc` only, so it runs inside a Wasm
//! contract (`wasm32-unknown-unknown`).

mod classify;
pub(crate) mod emit;
pub(crate) mod metering;
mod module;
mod points;
pub(crate) mod stack;

#[cfg(test)]
mod tests;

pub use classify::classify;
pub use module::{instrument, instrument_with};
pub use points::{points_exhausted, points_global_value};
pub use stack::{
    AnalysedFunction, DEFAULT_STACK_LIMIT_BYTES, FRAME_OVERHEAD_BYTES, FunctionAnalysis,
    METERING_SCRATCH_SLOTS, MIN_FRAME_BYTES, OPERAND_SLOT_BYTES, StackAnalysis, StackPlan,
    value_size_bytes,
};

/// Export holding the remaining operator gas (`i64`, read as `u64`, in the
/// schedule's unit).
pub const REMAINING_POINTS_EXPORT: &str = "cw_gas_remaining_points";
/// Export set to 1 (`i32`) when an operator charge could not be paid.
pub const POINTS_EXHAUSTED_EXPORT: &str = "cw_gas_points_exhausted";
/// Export holding the current stack height in bytes (`i64`).
pub const STACK_HEIGHT_EXPORT: &str = "cw_gas_stack_height";
/// Export set to 1 (`i32`) when a call would have exceeded the stack limit.
pub const STACK_EXHAUSTED_EXPORT: &str = "cw_gas_stack_exhausted";

/// Why a function body cannot be instrumented: a construct the metering or
/// the stack limit does not handle (validation refuses all of them), or a
/// misuse of the stages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// An operator after the function's final `end`.
    OperatorAfterEnd,
    /// An `end` without an open frame.
    UnbalancedEnd,
    /// A `br_table` whose targets do not parse.
    InvalidBranchTable,
    /// Exception, tail-call or GC control flow under block precharging.
    PrechargeControlFlow,
    /// Exceptions and tail calls would leave a frame without its epilogue.
    NoEpilogue,
    /// The stack analysis could not plan this function.
    StackPlan(&'static str),
    /// The function was not in the analysed module.
    NotAnalysed,
    /// The stage's globals were not added to the module first.
    Unbound,
}

impl Refusal {
    /// A sentence for error messages.
    pub(crate) fn reason(self) -> &'static str {
        match self {
            Self::OperatorAfterEnd => "operator after the end of the function",
            Self::UnbalancedEnd => "unbalanced end",
            Self::InvalidBranchTable => "a br_table's targets do not parse",
            Self::PrechargeControlFlow => {
                "exception, tail-call and GC control flow are not supported by block precharging"
            }
            Self::NoEpilogue => "exceptions and tail calls leave frames without an epilogue",
            Self::StackPlan(reason) => reason,
            Self::NotAnalysed => "function was not in the analysed module",
            Self::Unbound => "module info was not transformed first",
        }
    }
}
