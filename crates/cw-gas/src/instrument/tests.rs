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
