//! The price class of an operator.

use wasmparser::Operator;

use crate::schedule::OperatorClass;

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
