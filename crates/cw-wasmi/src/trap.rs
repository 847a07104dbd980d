//! How a call stopped, and the words the Wasmer path uses for it.

use cw_gas::GasError;
use cw_host::{ExportProblem, HostError};
use cw_region::RegionError;
use wasmi::TrapCode;

use crate::guest::{GuestCallError, ImportFailed};

/// How a call stopped before producing a result (the Wasmer path's `Trap`).
#[derive(Debug)]
pub(crate) enum Trap {
    /// Guest code trapped, or an import it called failed.
    Wasm(wasmi::Error),
    /// The result region was bad.
    Result(RegionError),
    /// A charge between guest calls failed.
    Gas(GasError),
    /// The host refused (ABI, depth, bridge).
    Host(HostError),
    /// The entry point is not exported.
    MissingExport(&'static str),
    /// An argument is larger than 32-bit memory.
    ArgumentTooLarge,
}

impl Trap {
    pub(crate) fn export(name: &'static str, problem: ExportProblem) -> Self {
        Self::Host(HostError::GuestExport { name, problem })
    }
}

impl From<GuestCallError> for Trap {
    fn from(error: GuestCallError) -> Self {
        match error {
            GuestCallError::Host(e) => Self::Host(e),
            GuestCallError::Wasm(e) => Self::Wasm(e),
        }
    }
}

/// Wasmer 7.5.0's message for a trap code (`wasmer_types::TrapCode::
/// message`), which the Wasmer path puts into `VmFailure::Trap`: the same
/// trap reads the same on both engines.
fn wasmer_message(code: TrapCode) -> Option<&'static str> {
    Some(match code {
        TrapCode::UnreachableCodeReached => "unreachable",
        TrapCode::MemoryOutOfBounds => "out of bounds memory access",
        TrapCode::TableOutOfBounds => "undefined element: out of bounds table access",
        TrapCode::IndirectCallToNull => "uninitialized element",
        TrapCode::IntegerDivisionByZero => "integer divide by zero",
        TrapCode::IntegerOverflow => "integer overflow",
        TrapCode::BadConversionToInteger => "invalid conversion to integer",
        TrapCode::StackOverflow => "call stack exhausted",
        TrapCode::BadSignature => "indirect call type mismatch",
        _ => return None,
    })
}

/// What a failed guest call says, as the Wasmer path would say it for a
/// trap; wasmi's own words otherwise.
pub(crate) fn message_of(error: &wasmi::Error) -> String {
    match error.as_trap_code().and_then(wasmer_message) {
        Some(message) => message.to_string(),
        None => error.to_string(),
    }
}

/// An instantiation failure as the Wasmer path words it where the cause is
/// a trap (a data segment out of bounds, a start function's charge):
/// `RuntimeError: <trap>`, without Wasmer's backtrace.
pub(crate) fn instantiation_message(error: &wasmi::Error) -> String {
    match error.as_trap_code().and_then(wasmer_message) {
        Some(message) => format!("RuntimeError: {message}"),
        None => error.to_string(),
    }
}

/// The import failure a guest call carries, if that is why it failed.
pub(crate) fn import_failure(error: &wasmi::Error) -> Option<&HostError> {
    error.downcast_ref::<ImportFailed>().map(|failed| &failed.0)
}
