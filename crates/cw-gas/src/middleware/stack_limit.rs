//! The deterministic stack-height limit as a Wasmer middleware.
//!
//! The rule (frame costs, leaves, exported leaves, the prologue and the
//! epilogues) is [`crate::instrument`]'s [`StackPlan`], shared with the
//! bytecode rewriter; this module binds it to Wasmer: it adds the globals
//! to the module info and hands each function's operators to the plan's
//! per-function stage.

use std::sync::OnceLock;

use wasmer::LocalFunctionIndex;
use wasmer::sys::wasmparser::Operator;
use wasmer::sys::{FunctionMiddleware, MiddlewareReaderState, ModuleMiddleware};
use wasmer_types::{MiddlewareError, ModuleInfo};

use super::{STACK_EXHAUSTED_EXPORT, STACK_HEIGHT_EXPORT, add_exported_counter_and_flag};
use crate::error::GasError;
use crate::instrument::stack::{FunctionStackLimit, StackGlobals};
use crate::instrument::{StackAnalysis, StackPlan};

const NAME: &str = "cw_gas::StackLimiter";

/// The stack-limit module middleware. Built from the module bytes (the
/// frame costs need each function's maximum operand height before its first
/// operator is emitted) and bound to that one module.
#[derive(Debug)]
pub struct StackLimiter {
    plan: StackPlan,
    globals: OnceLock<StackGlobals>,
}

impl StackLimiter {
    /// Analyses `wasm` (which must validate) and limits every call path to
    /// `limit_bytes` of frame cost.
    ///
    /// # Errors
    /// [`GasError::InvalidWasm`] if `wasm` does not validate.
    pub fn new(wasm: &[u8], limit_bytes: u64) -> Result<Self, GasError> {
        Ok(Self::from_plan(StackPlan::new(wasm, limit_bytes)?))
    }

    /// Limits every call path of the analysed module to `limit_bytes` of
    /// frame cost.
    pub fn from_analysis(analysis: StackAnalysis, limit_bytes: u64) -> Self {
        Self::from_plan(StackPlan::from_analysis(analysis, limit_bytes))
    }

    /// The middleware for the module `plan` was made for.
    pub fn from_plan(plan: StackPlan) -> Self {
        Self {
            plan,
            globals: OnceLock::new(),
        }
    }

    /// The plan this middleware emits from.
    pub fn plan(&self) -> &StackPlan {
        &self.plan
    }

    /// Whether the defined function `index` carries the prologue and
    /// epilogue (leaves only Wasm calls do not; their callers reserve their
    /// frame).
    pub fn is_instrumented(&self, index: usize) -> Option<bool> {
        self.plan.is_instrumented(index)
    }

    /// The limit in bytes of frame cost.
    pub fn limit_bytes(&self) -> u64 {
        self.plan.limit_bytes()
    }

    /// The static frame cost of the defined function `index` (imports not
    /// counted), if it can be limited.
    pub fn frame_bytes(&self, index: usize) -> Option<u64> {
        self.plan.frame_bytes(index)
    }

    /// The per-function stage, concrete so the fused gas middleware can
    /// drive it without a second Wasmer chain stage.
    pub(super) fn function_middleware(
        &self,
        local_function_index: LocalFunctionIndex,
    ) -> FunctionStackLimit {
        self.plan.function(
            local_function_index.as_u32() as usize,
            self.globals.get().copied(),
        )
    }
}

impl ModuleMiddleware for StackLimiter {
    fn generate_function_middleware<'a>(
        &self,
        local_function_index: LocalFunctionIndex,
    ) -> Box<dyn FunctionMiddleware<'a> + 'a> {
        Box::new(self.function_middleware(local_function_index))
    }

    fn transform_module_info(&self, info: &mut ModuleInfo) -> Result<(), MiddlewareError> {
        if info
            .functions
            .len()
            .saturating_sub(info.num_imported_functions)
            != self.plan.function_count()
        {
            return Err(MiddlewareError::new(
                NAME,
                "module differs from the analysed bytes",
            ));
        }
        let (height, exhausted) =
            add_exported_counter_and_flag(info, STACK_HEIGHT_EXPORT, STACK_EXHAUSTED_EXPORT);
        self.globals
            .set(StackGlobals { height, exhausted })
            .map_err(|_| MiddlewareError::new(NAME, "a StackLimiter is bound to one module"))
    }
}

impl<'a> FunctionMiddleware<'a> for FunctionStackLimit {
    fn feed(
        &mut self,
        operator: Operator<'a>,
        state: &mut MiddlewareReaderState<'a>,
    ) -> Result<(), MiddlewareError> {
        self.feed_to(operator, state)
            .map_err(|refusal| MiddlewareError::new(NAME, refusal.reason()))
    }
}
