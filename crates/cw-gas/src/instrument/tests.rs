//! Unit tests of the rewrite's constants.

#[cfg(feature = "wasmer")]
#[test]
fn constants_are_the_middlewares() {
    use crate::middleware;
    assert_eq!(
        super::DEFAULT_STACK_LIMIT_BYTES,
        middleware::DEFAULT_STACK_LIMIT_BYTES
    );
    assert_eq!(
        super::FRAME_OVERHEAD_BYTES,
        middleware::FRAME_OVERHEAD_BYTES
    );
    assert_eq!(super::OPERAND_SLOT_BYTES, middleware::OPERAND_SLOT_BYTES);
    assert_eq!(
        super::METERING_SCRATCH_SLOTS,
        middleware::METERING_SCRATCH_SLOTS
    );
    assert_eq!(
        super::REMAINING_POINTS_EXPORT,
        middleware::REMAINING_POINTS_EXPORT
    );
    assert_eq!(
        super::POINTS_EXHAUSTED_EXPORT,
        middleware::POINTS_EXHAUSTED_EXPORT
    );
    assert_eq!(super::STACK_HEIGHT_EXPORT, middleware::STACK_HEIGHT_EXPORT);
    assert_eq!(
        super::STACK_EXHAUSTED_EXPORT,
        middleware::STACK_EXHAUSTED_EXPORT
    );
}

/// The rewrite copies a body's own operators as they are encoded, except
/// the operands a linker pads, which it encodes minimally: a `local.get`
/// whose index is padded to five bytes comes out byte for byte, an
/// `i32.const` padded the same way comes out in one byte, and the module
/// validates and holds the body's operators.
#[test]
fn operators_are_copied_as_encoded_and_linker_padding_is_removed() {
    use alloc::vec::Vec;
    use wasm_encoder::{CodeSection, ExportKind, ExportSection, Function, FunctionSection};
    use wasm_encoder::{Module, TypeSection, ValType};
    use wasmparser::{Operator, Parser, Payload, Validator};

    const PADDED_LOCAL_GET: [u8; 6] = [0x20, 0x80, 0x80, 0x80, 0x80, 0x00];
    const PADDED_CONST: [u8; 6] = [0x41, 0x81, 0x80, 0x80, 0x80, 0x00];
    let mut body = Function::new([(1, ValType::I32)]);
    body.raw(PADDED_LOCAL_GET);
    body.raw(PADDED_CONST);
    // i32.add, drop, end.
    body.raw([0x6a, 0x1a, 0x0b]);
    let mut module = Module::new();
    let mut types = TypeSection::new();
    types.ty().function([], []);
    module.section(&types);
    let mut functions = FunctionSection::new();
    functions.function(0);
    module.section(&functions);
    let mut exports = ExportSection::new();
    exports.export("run", ExportKind::Func, 0);
    module.section(&exports);
    let mut code = CodeSection::new();
    code.function(&body);
    module.section(&code);
    let wasm = module.finish();

    for stack_limit in [None, Some(super::DEFAULT_STACK_LIMIT_BYTES)] {
        let out = super::instrument(&wasm, &crate::CosmWasmSchedule::default(), stack_limit)
            .expect("instruments");
        Validator::new()
            .validate_all(&out)
            .expect("the rewritten module validates");
        let bodies: Vec<_> = Parser::new(0)
            .parse_all(&out)
            .filter_map(|payload| match payload.expect("parses") {
                Payload::CodeSectionEntry(body) => Some(body),
                _ => None,
            })
            .collect();
        let [body] = bodies.as_slice() else {
            panic!("one body");
        };
        let bytes = body.as_bytes();
        let holds = |needle: &[u8]| bytes.windows(needle.len()).any(|w| w == needle);
        assert!(holds(&PADDED_LOCAL_GET), "the local.get was re-encoded");
        assert!(!holds(&PADDED_CONST), "the padded i32.const was copied");
        let mut operators = Vec::new();
        let mut reader = body.get_operators_reader().expect("operators");
        while !reader.eof() {
            operators.push(reader.read().expect("operator"));
        }
        let at = operators
            .iter()
            .position(|op| matches!(op, Operator::LocalGet { local_index: 0 }))
            .expect("the body's local.get");
        assert!(matches!(
            operators.get(at..at + 4),
            Some([
                Operator::LocalGet { local_index: 0 },
                Operator::I32Const { value: 1 },
                Operator::I32Add,
                Operator::Drop,
            ])
        ));
    }
}
