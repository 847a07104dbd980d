//! The guest functions the host calls by name (`allocate`, `deallocate`),
//! called as cosmwasm-vm calls them: looked up and checked when called, not
//! when the contract is instantiated, so a contract whose `deallocate` has
//! the wrong signature runs its call and fails at the end, with the gas
//! used so far, exactly as on a chain.
//!
//! The order of the checks is cosmwasm-vm 3.0.11's (`environment.rs`
//! `call_function`, `call_function0` / `call_function1`): the export exists
//! and is a function; its parameter count; the host-to-guest depth; its
//! parameter types (Wasmer, before running); it runs; its result count;
//! the result's type. A function with the expected signature takes a typed
//! fast path; anything else is called dynamically.

use wasmer::{AsStoreMut, Exports, Function, RuntimeError, TypedFunction, Value};

use super::env::CallDepth;
use crate::error::{ExportProblem, HostError};

/// Why a call of a guest function failed.
#[derive(Debug)]
pub enum GuestCallError {
    /// The ABI check failed (before or after the function ran).
    Host(HostError),
    /// The function trapped (or an import it called failed).
    Runtime(RuntimeError),
}

impl From<HostError> for GuestCallError {
    fn from(error: HostError) -> Self {
        Self::Host(error)
    }
}

/// One guest function the host calls with one `u32` argument and expects
/// `RESULTS` (0 or 1) `i32` results from: typed when its signature is
/// right, kept as found otherwise.
#[derive(Clone)]
pub struct GuestFunction<R: wasmer::WasmTypeList> {
    name: &'static str,
    typed: Option<TypedFunction<u32, R>>,
    found: Result<Function, ExportProblem>,
}

impl<R: wasmer::WasmTypeList> GuestFunction<R> {
    /// Finds `name` among `exports`, never failing: a missing or mistyped
    /// export fails when it is called.
    pub fn find(store: &impl AsStoreMut, exports: &Exports, name: &'static str) -> Self {
        let found = match exports.get_extern(name) {
            None => Err(ExportProblem::Missing),
            Some(wasmer::Extern::Function(function)) => Ok(function.clone()),
            Some(_) => Err(ExportProblem::NotAFunction),
        };
        let typed = found
            .as_ref()
            .ok()
            .and_then(|function| function.typed::<u32, R>(store).ok());
        Self { name, typed, found }
    }

    fn problem(&self, problem: ExportProblem) -> HostError {
        HostError::GuestExport {
            name: self.name,
            problem,
        }
    }

    /// Runs the function on `argument` within one more level of `depth`,
    /// returning what it returned as raw values (checked by the caller).
    fn run(
        &self,
        store: &mut impl AsStoreMut,
        depth: &CallDepth,
        argument: u32,
        expected_results: usize,
    ) -> Result<RunOutput<R>, GuestCallError> {
        if let Some(typed) = &self.typed {
            // The expected signature: nothing to check but the depth.
            let _level = depth.enter()?;
            return typed
                .call(store, argument)
                .map(RunOutput::Typed)
                .map_err(GuestCallError::Runtime);
        }
        let function = self.found.as_ref().map_err(|p| self.problem(p.clone()))?;
        let arity = function.ty(store).params().len();
        if arity != 1 {
            return Err(self
                .problem(ExportProblem::Arity {
                    contract_method_arity: arity,
                })
                .into());
        }
        let _level = depth.enter()?;
        let arguments = [Value::I32(argument as i32)];
        let results = function.call(store, &arguments).map_err(|e| {
            // Wasmer refuses mistyped parameters before running anything.
            if e.message().contains("did not match signature") {
                GuestCallError::Host(self.problem(ExportProblem::ParameterTypes {
                    message: e.message(),
                }))
            } else {
                GuestCallError::Runtime(e)
            }
        })?;
        if results.len() != expected_results {
            return Err(self
                .problem(ExportProblem::ResultCount {
                    expected: expected_results,
                    actual: results.len(),
                })
                .into());
        }
        Ok(RunOutput::Dynamic(results))
    }
}

enum RunOutput<R> {
    Typed(R),
    Dynamic(Box<[Value]>),
}

impl GuestFunction<u32> {
    /// Calls `allocate`-like `(u32) -> u32`.
    ///
    /// # Errors
    /// The export problem, the depth limit, or the function's own trap.
    pub fn call(
        &self,
        store: &mut impl AsStoreMut,
        depth: &CallDepth,
        argument: u32,
    ) -> Result<u32, GuestCallError> {
        match self.run(store, depth, argument, 1)? {
            RunOutput::Typed(value) => Ok(value),
            RunOutput::Dynamic(results) => match results.first() {
                Some(Value::I32(value)) => Ok(*value as u32),
                _ => Err(self.problem(ExportProblem::ResultType).into()),
            },
        }
    }
}

impl GuestFunction<()> {
    /// Calls `deallocate`-like `(u32) -> ()`.
    ///
    /// # Errors
    /// The export problem, the depth limit, or the function's own trap.
    pub fn call(
        &self,
        store: &mut impl AsStoreMut,
        depth: &CallDepth,
        argument: u32,
    ) -> Result<(), GuestCallError> {
        self.run(store, depth, argument, 0).map(|_| ())
    }
}
