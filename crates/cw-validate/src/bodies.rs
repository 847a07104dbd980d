//! Function-body validation: wasmparser's operator validator driven as a
//! visitor (as `FuncValidator::validate` drives it, so acceptance and error
//! messages are wasmparser's own), with an observer seeing each accepted
//! operator. Large modules are validated on several threads; the outcome
//! (the first error in module order, or the observers' summaries in module
//! order) does not depend on how many.

use std::sync::Mutex;

use wasmparser::{
    BinaryReader, FrameKind, FrameStack, FuncToValidate, FuncValidator, FuncValidatorAllocations,
    FunctionBody, Operator, ValidatorResources, VisitOperator, VisitSimdOperator,
};

use super::parse::chain_features;
use crate::error::ValidationError;

/// Sees one function body as validation reads it. A fresh observer is made
/// for every body, possibly on another thread.
pub trait BodyObserver: Default + Send {
    /// What the observer learned about its body, handed to
    /// [`ModuleObserver::function`] in module order.
    type Summary: Send;
    /// An operator the validator has just accepted.
    fn operator(&mut self, operator: &Operator<'_>);
    /// The operand-stack height after the operator last seen.
    fn operand_height(&mut self, height: u32);
    /// The body has been validated completely by `validator`; `ty_index` is
    /// the function's type.
    fn finish(self, validator: &FuncValidator<ValidatorResources>, ty_index: u32) -> Self::Summary;
}

/// Sees the module as validation reads it, so a caller can learn more from
/// the same single pass (the compiler's stack analysis does).
pub trait ModuleObserver {
    /// The observer of each function body.
    type Body: BodyObserver;
    /// Every payload, after the validator accepted it.
    fn section(&mut self, payload: &wasmparser::Payload<'_>) -> Result<(), ValidationError>;
    /// Every body's summary, in module order, once all bodies validated.
    fn function(&mut self, summary: <Self::Body as BodyObserver>::Summary);
}

/// Observes nothing.
impl BodyObserver for () {
    type Summary = ();
    fn operator(&mut self, _: &Operator<'_>) {}
    fn operand_height(&mut self, _: u32) {}
    fn finish(self, _: &FuncValidator<ValidatorResources>, _: u32) {}
}

/// Observes nothing.
impl ModuleObserver for () {
    type Body = ();
    fn section(&mut self, _: &wasmparser::Payload<'_>) -> Result<(), ValidationError> {
        Ok(())
    }
    fn function(&mut self, _: ()) {}
}

/// A body waiting for validation.
pub(crate) type PendingBody<'a> = (FuncToValidate<ValidatorResources>, FunctionBody<'a>);

/// Below this many bytes of bodies, a second thread costs more than it
/// saves (spawning one is tens of microseconds; validation runs at roughly
/// 50–100 MB/s).
const PARALLEL_MIN_BODY_BYTES: usize = 64 * 1024;

/// At most this many threads validate one module.
const MAX_THREADS: usize = 4;

/// Validates every body, then rejects reference-types operators
/// (cosmwasm-vm's gatekeeper does so at compile time, after validation):
/// the first invalid body in module order gives the error; otherwise the
/// first reference-types operator does. `observer` gets every body's
/// summary in module order.
pub(crate) fn validate_bodies<O: ModuleObserver>(
    bodies: Vec<PendingBody<'_>>,
    observer: &mut O,
) -> Result<(), ValidationError> {
    let threads = thread_count(&bodies);
    validate_on(bodies, threads, observer)
}

/// How many threads to validate `bodies` on.
fn thread_count(bodies: &[PendingBody<'_>]) -> usize {
    if cfg!(target_family = "wasm") {
        return 1;
    }
    let bytes: usize = bodies.iter().map(|(_, body)| body_bytes(body)).sum();
    if bytes < PARALLEL_MIN_BODY_BYTES {
        return 1;
    }
    std::thread::available_parallelism()
        .map_or(1, usize::from)
        .min(MAX_THREADS)
}

/// [`validate_bodies`] on `threads` threads (the calling one included).
fn validate_on<O: ModuleObserver>(
    bodies: Vec<PendingBody<'_>>,
    threads: usize,
    observer: &mut O,
) -> Result<(), ValidationError> {
    let chunks = split_by_size(bodies, threads);
    let outcomes = run_chunks::<O::Body>(chunks);
    let mut first_reference_op = None;
    let mut summaries = Vec::new();
    for outcome in outcomes {
        // Chunks are in module order and each stops at its first invalid
        // body, so the first error met is the module's first.
        if let Some(error) = outcome.error {
            return Err(error);
        }
        first_reference_op = first_reference_op.or(outcome.first_reference_op);
        summaries.push(outcome.summaries);
    }
    for summary in summaries.into_iter().flatten() {
        observer.function(summary);
    }
    match first_reference_op {
        Some((function, operator)) => {
            Err(ValidationError::ReferenceTypesOperator { function, operator })
        }
        None => Ok(()),
    }
}

/// A run of consecutive bodies and the defined-function index of its first.
struct Chunk<'a> {
    first_index: usize,
    bodies: Vec<PendingBody<'a>>,
}

/// Splits `bodies` into at most `parts` runs of consecutive bodies of
/// roughly equal byte size, in module order.
fn split_by_size(bodies: Vec<PendingBody<'_>>, parts: usize) -> Vec<Chunk<'_>> {
    let total: usize = bodies.iter().map(|(_, body)| body_bytes(body)).sum();
    let share = total.div_ceil(parts.max(1)).max(1);
    let mut chunks = vec![Chunk {
        first_index: 0,
        bodies: Vec::new(),
    }];
    let mut filled = 0usize;
    for (index, pending) in bodies.into_iter().enumerate() {
        let size = body_bytes(&pending.1);
        if filled >= share && chunks.len() < parts {
            chunks.push(Chunk {
                first_index: index,
                bodies: Vec::new(),
            });
            filled = 0;
        }
        filled = filled.saturating_add(size);
        if let Some(chunk) = chunks.last_mut() {
            chunk.bodies.push(pending);
        }
    }
    chunks
}

/// What validating one chunk found.
struct ChunkOutcome<S> {
    summaries: Vec<S>,
    /// The first reference-types operator: (defined-function index, name).
    first_reference_op: Option<(u32, &'static str)>,
    /// The first invalid body's error; bodies after it were not read.
    error: Option<ValidationError>,
}

/// Validates each chunk, the first on this thread and the others on their
/// own; returns the outcomes in chunk order.
fn run_chunks<B: BodyObserver>(mut chunks: Vec<Chunk<'_>>) -> Vec<ChunkOutcome<B::Summary>> {
    if chunks.len() <= 1 {
        return chunks.into_iter().map(validate_chunk::<B>).collect();
    }
    // Each other chunk waits in a slot its thread takes it from; if a
    // thread cannot be spawned (thread limits), this thread takes it.
    let slots: Vec<Mutex<Option<Chunk<'_>>>> = chunks
        .split_off(1)
        .into_iter()
        .map(|chunk| Mutex::new(Some(chunk)))
        .collect();
    std::thread::scope(|scope| {
        let handles: Vec<_> = slots
            .iter()
            .map(|slot| {
                std::thread::Builder::new()
                    .name("cw-validate".into())
                    .spawn_scoped(scope, move || take_chunk(slot).map(validate_chunk::<B>))
                    .ok()
            })
            .collect();
        let mut outcomes: Vec<_> = chunks.into_iter().map(validate_chunk::<B>).collect();
        for (handle, slot) in handles.into_iter().zip(&slots) {
            let outcome = match handle.map(|h| h.join()) {
                Some(Ok(Some(outcome))) => outcome,
                // A panic in wasmparser: as if it had happened here.
                Some(Err(panic)) => std::panic::resume_unwind(panic),
                Some(Ok(None)) | None => match take_chunk(slot) {
                    Some(chunk) => validate_chunk::<B>(chunk),
                    None => lost_chunk(),
                },
            };
            outcomes.push(outcome);
        }
        outcomes
    })
}

fn take_chunk<'a>(slot: &Mutex<Option<Chunk<'a>>>) -> Option<Chunk<'a>> {
    slot.lock().ok().and_then(|mut chunk| chunk.take())
}

/// The size of `body` in bytes.
fn body_bytes(body: &FunctionBody<'_>) -> usize {
    let range = body.range();
    usize::try_from(range.end.saturating_sub(range.start)).unwrap_or(usize::MAX)
}

/// The outcome for a chunk no thread validated: impossible, but reported as
/// an error rather than a panic.
fn lost_chunk<S>() -> ChunkOutcome<S> {
    ChunkOutcome {
        summaries: Vec::new(),
        first_reference_op: None,
        error: Some(ValidationError::InvalidWasm {
            offset: 0,
            message: "a validation thread lost its function bodies".to_string(),
        }),
    }
}

fn validate_chunk<B: BodyObserver>(chunk: Chunk<'_>) -> ChunkOutcome<B::Summary> {
    let mut outcome = ChunkOutcome {
        summaries: Vec::with_capacity(chunk.bodies.len()),
        first_reference_op: None,
        error: None,
    };
    let mut allocations = FuncValidatorAllocations::default();
    for (offset, (func, body)) in chunk.bodies.into_iter().enumerate() {
        let index = chunk.first_index.saturating_add(offset);
        match validate_body::<B>(func, &body, allocations) {
            Ok(validated) => {
                outcome.summaries.push(validated.summary);
                if outcome.first_reference_op.is_none() {
                    outcome.first_reference_op = validated
                        .first_reference_op
                        .map(|op| (u32::try_from(index).unwrap_or(u32::MAX), op));
                }
                allocations = validated.allocations;
            }
            Err(error) => {
                outcome.error = Some(error);
                break;
            }
        }
    }
    outcome
}

struct ValidatedBody<S> {
    summary: S,
    first_reference_op: Option<&'static str>,
    allocations: FuncValidatorAllocations,
}

/// What `FuncValidator::validate` does, with `B` seeing every operator.
fn validate_body<B: BodyObserver>(
    func: FuncToValidate<ValidatorResources>,
    body: &FunctionBody<'_>,
    allocations: FuncValidatorAllocations,
) -> Result<ValidatedBody<B::Summary>, ValidationError> {
    let ty_index = func.ty;
    let mut validator = func.into_validator(allocations);
    let mut reader: BinaryReader<'_> = body.get_binary_reader();
    validator.read_locals(&mut reader)?;
    reader.set_features(chain_features());
    let mut observer = B::default();
    let mut first_reference_op = None;
    while !reader.eof() {
        let offset = reader.original_position();
        {
            let mut visitor = Observed {
                inner: validator.visitor(offset),
                observer: &mut observer,
                first_reference_op: &mut first_reference_op,
            };
            reader.visit_operator(&mut visitor)??;
        }
        observer.operand_height(validator.operand_stack_height());
    }
    reader.finish_expression(&validator.visitor(reader.original_position()))?;
    Ok(ValidatedBody {
        summary: observer.finish(&validator, ty_index),
        first_reference_op,
        allocations: validator.into_allocations(),
    })
}

/// The validator's visitor, telling `observer` about each operator it
/// accepts. Each method builds its `Operator` only for the observer; with
/// the observer inlined, variants it ignores cost nothing.
struct Observed<'o, V, B> {
    inner: V,
    observer: &'o mut B,
    first_reference_op: &'o mut Option<&'static str>,
}

impl<V, B: BodyObserver> Observed<'_, V, B> {
    #[inline(always)]
    fn accepted(&mut self, operator: &Operator<'_>) {
        self.observer.operator(operator);
        if self.first_reference_op.is_none() {
            *self.first_reference_op = reference_types_operator(operator);
        }
    }
}

impl<V: FrameStack, B> FrameStack for Observed<'_, V, B> {
    fn current_frame(&self) -> Option<FrameKind> {
        self.inner.current_frame()
    }
}

macro_rules! observe_each_operator {
    ($( @$proposal:ident $op:ident $({ $($arg:ident: $argty:ty),* })? => $visit:ident ($($ann:tt)*) )*) => {
        $(
            #[inline(always)]
            fn $visit(&mut self $($(, $arg: $argty)*)?) -> Self::Output {
                let operator = Operator::$op $({ $($arg: $arg.clone()),* })?;
                self.inner.$visit($($($arg),*)?)?;
                self.accepted(&operator);
                // The variant holds exactly the arguments: when none of them
                // owns anything, skip the (out-of-line) drop of `Operator`.
                if const { std::mem::needs_drop::<($($($argty,)*)?)>() } {
                    drop(operator);
                } else {
                    std::mem::forget(operator);
                }
                Ok(())
            }
        )*
    };
}

#[allow(clippy::clone_on_copy)]
impl<'a, V, B> VisitOperator<'a> for Observed<'_, V, B>
where
    V: VisitOperator<'a, Output = wasmparser::Result<()>>,
    B: BodyObserver,
{
    type Output = wasmparser::Result<()>;

    // SIMD is outside the chain's features: the validator's own SIMD
    // visitor rejects it with wasmparser's message.
    fn simd_visitor(&mut self) -> Option<&mut dyn VisitSimdOperator<'a, Output = Self::Output>> {
        self.inner.simd_visitor()
    }

    wasmparser::for_each_visit_operator!(observe_each_operator);
}

/// The name of `operator` if it is a reference-types operator.
#[inline(always)]
fn reference_types_operator(operator: &Operator<'_>) -> Option<&'static str> {
    Some(match operator {
        Operator::TypedSelect { .. } | Operator::TypedSelectMulti { .. } => "select (typed)",
        Operator::RefNull { .. } => "ref.null",
        Operator::RefIsNull => "ref.is_null",
        Operator::RefFunc { .. } => "ref.func",
        Operator::TableFill { .. } => "table.fill",
        Operator::TableGet { .. } => "table.get",
        Operator::TableSet { .. } => "table.set",
        Operator::TableGrow { .. } => "table.grow",
        Operator::TableSize { .. } => "table.size",
        _ => return None,
    })
}

#[cfg(test)]
mod tests;
