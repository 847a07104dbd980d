//! Operator metering from a [`CostTable`], as a Wasmer middleware.
//!
//! Why not `wasmer_middlewares::Metering`: it has no function-entry locals
//! surcharge, so it cannot be exact to cosmwasm-vm 3.0.11 (which carries its
//! own fork for exactly that reason), and it cannot precharge NEAR's metered
//! blocks. The rules themselves (where charges go, which are checked, what
//! they cost) live in [`crate::instrument`]'s per-function metering, shared
//! with the bytecode rewriter; this module binds them to Wasmer: it adds
//! the globals to the module info and hands each function's operators to
//! that code.

use std::sync::{Arc, OnceLock};

use wasmer::LocalFunctionIndex;
use wasmer::sys::wasmparser::{Operator, ValType};
use wasmer::sys::{FunctionMiddleware, MiddlewareReaderState, ModuleMiddleware};
use wasmer_types::{MiddlewareError, ModuleInfo};

use super::{POINTS_EXHAUSTED_EXPORT, REMAINING_POINTS_EXPORT, add_exported_counter_and_flag};
use crate::instrument::emit::Emit;
use crate::instrument::metering::{FunctionMetering, MeteringGlobals, Prices, declared_locals};
use crate::schedule::CostTable;
use crate::units::GasQuantity;

const NAME: &str = "cw_gas::Metering";

/// The operator-metering module middleware. Bound to the first module it
/// transforms (it records that module's global indices); compiling a second
/// module with the same instance fails with a `MiddlewareError`.
pub struct Metering<T: CostTable> {
    table: Arc<T>,
    globals: OnceLock<Globals>,
}

#[derive(Clone, Copy, Debug)]
struct Globals {
    metering: MeteringGlobals,
    /// The module's start function, if it defines one: every charge in it
    /// is checked, so it traps at its first (it runs at instantiation,
    /// before any gas is set) and instantiation still runs no Wasm.
    start: Option<LocalFunctionIndex>,
}

impl<T: CostTable> Metering<T> {
    /// Metering over `table`. Instances start with 0 points: set them with
    /// [`super::set_remaining_points`] before calling an export.
    pub fn new(table: T) -> Self {
        Self {
            table: Arc::new(table),
            globals: OnceLock::new(),
        }
    }

    /// The table whose operator prices are compiled in.
    pub fn table(&self) -> &T {
        &self.table
    }
}

impl<T: CostTable> core::fmt::Debug for Metering<T> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Metering")
            .field("schedule", &self.table.name())
            .field("globals", &self.globals.get())
            .finish()
    }
}

/// Object-safe view of the table for the function middlewares.
pub(super) trait LocalsPrice: Send + Sync {
    fn locals(&self, declared: u32) -> u64;
}

impl<T: CostTable> LocalsPrice for T {
    fn locals(&self, declared: u32) -> u64 {
        self.locals_surcharge(declared).to_u64()
    }
}

impl<T: CostTable> Metering<T> {
    /// The per-function stage, concrete so the fused gas middleware can
    /// drive it without a second Wasmer chain stage.
    pub(super) fn function_middleware<'a>(
        &self,
        local_function_index: LocalFunctionIndex,
    ) -> MeteringFunction<'a> {
        let Some(globals) = self.globals.get().copied() else {
            return MeteringFunction::Unbound;
        };
        let check_every_charge = globals.start == Some(local_function_index);
        let metering = FunctionMetering::new(
            self.table.metering_rule(),
            Prices::of(&*self.table),
            globals.metering,
            check_every_charge,
        );
        MeteringFunction::Bound {
            metering,
            table: self.table.clone(),
        }
    }
}

impl<T: CostTable> ModuleMiddleware for Metering<T> {
    fn generate_function_middleware<'a>(
        &self,
        local_function_index: LocalFunctionIndex,
    ) -> Box<dyn FunctionMiddleware<'a> + 'a> {
        Box::new(self.function_middleware(local_function_index))
    }

    fn transform_module_info(&self, info: &mut ModuleInfo) -> Result<(), MiddlewareError> {
        let (remaining, exhausted) =
            add_exported_counter_and_flag(info, REMAINING_POINTS_EXPORT, POINTS_EXHAUSTED_EXPORT);
        let start = info
            .start_function
            .and_then(|index| info.local_func_index(index));
        self.globals
            .set(Globals {
                metering: MeteringGlobals {
                    remaining,
                    exhausted,
                },
                start,
            })
            .map_err(|_| {
                MiddlewareError::new(
                    NAME,
                    "a Metering instance is bound to one module; use one engine per compilation",
                )
            })
    }
}

/// One function's metering stage.
pub(super) enum MeteringFunction<'a> {
    /// The module's globals are known.
    Bound {
        metering: FunctionMetering<'a>,
        table: Arc<dyn LocalsPrice>,
    },
    /// `transform_module_info` was not called first (never by Wasmer; kept
    /// so a misuse fails compilation instead of panicking): every operator
    /// is an error.
    Unbound,
}

impl core::fmt::Debug for MeteringFunction<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::Bound { metering, .. } => f.debug_tuple("Bound").field(metering).finish(),
            Self::Unbound => f.write_str("Unbound"),
        }
    }
}

impl<'a> MeteringFunction<'a> {
    /// Records the function's declared locals (for the entry surcharge).
    pub(super) fn locals(&mut self, locals: &[ValType]) {
        if let Self::Bound { metering, table } = self {
            metering.locals_surcharge(table.locals(declared_locals(locals.len())));
        }
    }

    /// Meters one operator, writing it and any charge to `out`.
    pub(super) fn feed_to(
        &mut self,
        operator: Operator<'a>,
        out: &mut impl Emit<'a>,
    ) -> Result<(), MiddlewareError> {
        match self {
            Self::Bound { metering, .. } => metering
                .feed_to(operator, out)
                .map_err(|refusal| MiddlewareError::new(NAME, refusal.reason())),
            Self::Unbound => Err(MiddlewareError::new(
                NAME,
                "module info was not transformed first",
            )),
        }
    }
}

impl<'a> FunctionMiddleware<'a> for MeteringFunction<'a> {
    fn locals_info(&mut self, locals: &[ValType]) {
        self.locals(locals);
    }

    fn feed(
        &mut self,
        operator: Operator<'a>,
        state: &mut MiddlewareReaderState<'a>,
    ) -> Result<(), MiddlewareError> {
        self.feed_to(operator, state)
    }
}
