//! The stack limit's analysis built while the chain's static validation
//! reads the code, so preparing a code being stored reads its bodies once
//! for both (cw-runtime's compile does the same for the Wasmer path, with a
//! float check of its own).

use cw_gas::instrument::{AnalysedFunction, FunctionAnalysis, StackAnalysis};
use cw_validate::{BodyObserver, ModuleObserver, ValidationError};
use wasmparser::{FuncValidator, Operator, Payload, ValidatorResources};

/// Builds a [`StackAnalysis`] from the payloads and operators
/// `cw_validate::validate_observed` accepted.
#[derive(Default)]
pub(crate) struct StackAnalysisObserver {
    pub(crate) analysis: StackAnalysis,
}

impl ModuleObserver for StackAnalysisObserver {
    type Body = BodyAnalysis;

    fn section(&mut self, payload: &Payload<'_>) -> Result<(), ValidationError> {
        // The validator accepted the payload first, so the analysis can
        // only fail on what it has accepted: reported, never a panic.
        self.analysis
            .section(payload)
            .map_err(|e| ValidationError::InvalidWasm {
                offset: 0,
                message: e.to_string(),
            })
    }

    fn function(&mut self, function: AnalysedFunction) {
        self.analysis.push(function);
    }
}

/// One body's part of [`StackAnalysisObserver`].
#[derive(Default)]
pub(crate) struct BodyAnalysis(FunctionAnalysis);

impl BodyObserver for BodyAnalysis {
    type Summary = AnalysedFunction;

    #[inline(always)]
    fn operator(&mut self, operator: &Operator<'_>) {
        self.0.record_calls(operator);
    }

    #[inline(always)]
    fn operand_height(&mut self, height: u32) {
        self.0.operand_height(height);
    }

    fn finish(
        self,
        validator: &FuncValidator<ValidatorResources>,
        ty_index: u32,
    ) -> AnalysedFunction {
        self.0.finish(validator, ty_index)
    }
}
