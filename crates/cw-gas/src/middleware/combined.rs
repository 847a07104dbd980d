//! Metering and the stack limit as one Wasmer middleware stage.
//!
//! Wasmer runs every operator through each pushed middleware in turn, and
//! each stage costs a buffer hand-off per operator. Driving both stages from
//! one [`ModuleMiddleware`] does the same work as pushing [`Metering`] then
//! [`StackLimiter`] (the stack limiter sees exactly the metering stage's
//! output, in order, so the compiled code is byte-identical) without the
//! second hand-off, which was most of the limiter's compile-time cost: the
//! metering stage writes straight into the limiter, which writes into
//! Wasmer's state.

use std::sync::Arc;

use wasmer::LocalFunctionIndex;
use wasmer::sys::wasmparser::{Operator, ValType};
use wasmer::sys::{FunctionMiddleware, MiddlewareReaderState, ModuleMiddleware};
use wasmer_types::{MiddlewareError, ModuleInfo};

use super::metering::MeteringFunction;
use super::stack_limit::FunctionStackLimit;
use super::{Emit, Metering, StackLimiter};
use crate::schedule::CostTable;

/// Operator metering followed by the optional deterministic stack limit, in
/// one middleware stage. Bound to one module, like its parts.
#[derive(Debug)]
pub struct GasMiddleware<T: CostTable> {
    metering: Arc<Metering<T>>,
    limiter: Option<Arc<StackLimiter>>,
}

impl<T: CostTable> GasMiddleware<T> {
    /// Metering from `metering`, then, if given, the stack limit.
    pub fn new(metering: Arc<Metering<T>>, limiter: Option<Arc<StackLimiter>>) -> Self {
        Self { metering, limiter }
    }
}

impl<T: CostTable> ModuleMiddleware for GasMiddleware<T> {
    fn generate_function_middleware<'a>(
        &self,
        local_function_index: LocalFunctionIndex,
    ) -> Box<dyn FunctionMiddleware<'a> + 'a> {
        let metering = self.metering.function_middleware(local_function_index);
        match &self.limiter {
            None => Box::new(metering),
            // A leaf passes every operator through the limiter unchanged:
            // skip the stage (same code, less work per operator).
            Some(limiter)
                if limiter.is_instrumented(local_function_index.as_u32() as usize)
                    == Some(false) =>
            {
                Box::new(metering)
            }
            Some(limiter) => Box::new(MeteredStackLimit {
                metering,
                limiter: limiter.function_middleware(local_function_index),
            }),
        }
    }

    fn transform_module_info(&self, info: &mut ModuleInfo) -> Result<(), MiddlewareError> {
        // The order in which separately pushed middlewares would run.
        self.metering.transform_module_info(info)?;
        match &self.limiter {
            Some(limiter) => limiter.transform_module_info(info),
            None => Ok(()),
        }
    }
}

/// One function's two stages: metering writes each operator it emits
/// straight into the limiter, which writes into Wasmer's state.
#[derive(Debug)]
struct MeteredStackLimit<'a> {
    metering: MeteringFunction<'a>,
    limiter: FunctionStackLimit,
}

/// The limiter as the sink of the metering stage. `Emit` cannot fail, so
/// the limiter's first error is kept and reported after the operator.
struct IntoLimiter<'s, 'a> {
    limiter: &'s mut FunctionStackLimit,
    state: &'s mut MiddlewareReaderState<'a>,
    error: Option<MiddlewareError>,
}

impl<'a> Emit<'a> for IntoLimiter<'_, 'a> {
    #[inline]
    fn emit(&mut self, operator: Operator<'a>) {
        if self.error.is_none()
            && let Err(e) = self.limiter.feed_to(operator, self.state)
        {
            self.error = Some(e);
        }
    }
}

impl<'a> FunctionMiddleware<'a> for MeteredStackLimit<'a> {
    fn locals_info(&mut self, locals: &[ValType]) {
        self.metering.locals(locals);
    }

    fn feed(
        &mut self,
        operator: Operator<'a>,
        state: &mut MiddlewareReaderState<'a>,
    ) -> Result<(), MiddlewareError> {
        let mut limited = IntoLimiter {
            limiter: &mut self.limiter,
            state,
            error: None,
        };
        self.metering.feed_to(operator, &mut limited)?;
        limited.error.map_or(Ok(()), Err)
    }
}
