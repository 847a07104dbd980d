//! Where an instrumentation stage writes the operators it emits.

use wasmparser::Operator;

/// A sink for operators: Wasmer's reader state (the middlewares), the next
/// stage (metering feeding the stack limit), or a function body being
/// encoded (the module rewriter). Every stage emits into this trait only,
/// so the middlewares and the rewriter produce the same operator stream.
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
