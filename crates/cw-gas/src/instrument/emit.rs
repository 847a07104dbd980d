//! Where an instrumentation stage writes the operators it emits.

use wasmparser::Operator;

/// A sink for operators: Wasmer's reader state (the middlewares), the next
/// stage (metering feeding the stack limit), or a function body being
/// encoded (the module rewriter). Every stage emits into this trait only,
/// so the middlewares and the rewriter produce the same operator stream.
pub(crate) trait Emit<'a> {
    /// Appends one operator.
    fn emit(&mut self, operator: Operator<'a>);
    /// Appends `operator`, the one the stage was fed, unchanged. `encoded`
    /// is its encoding in the module being rewritten, or empty where there
    /// is none (the middlewares see operators, not bytes); a sink that
    /// writes bytes copies it instead of encoding the operator again.
    fn pass(&mut self, operator: Operator<'a>, encoded: &'a [u8]) {
        let _ = encoded;
        self.emit(operator);
    }
    /// Appends operators in order.
    fn emit_all<I: IntoIterator<Item = Operator<'a>>>(&mut self, operators: I) {
        for operator in operators {
            self.emit(operator);
        }
    }
}
