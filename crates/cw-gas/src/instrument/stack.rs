//! A deterministic stack-height limit.
//!
//! Each defined function gets a static frame cost in bytes, computed once
//! from the module bytes (NEAR's rule, nearcore `near-vm-runner`
//! `MaxStackCfg` for finite-wasm):
//!
//! ```text
//! frame = FRAME_OVERHEAD_BYTES (64)
//!       + Σ value_size_bytes(t) over parameters and declared locals
//!       + OPERAND_SLOT_BYTES (8) * (max operand-stack height + METERING_SCRATCH_SLOTS)
//! ```
//!
//! The function prologue checks `height + frame <= limit`, traps with the
//! stack-exhausted flag set if not, and adds `frame`; every exit (`return`,
//! the final `end`, and branches to the function label, which a wrapper
//! block turns into a fall-through) subtracts it. Depth therefore depends
//! only on the module and the call path, never on the machine, engine or
//! thread: the same recursion fails at the same depth everywhere, and before
//! the native stack of a compiling engine overflows; see
//! [`DEFAULT_STACK_LIMIT_BYTES`].
//!
//! NEAR checks at the call site; checking in the callee's prologue is the
//! same count except for the exported entry function, whose frame we also
//! count (so the entry function is limited too).
//!
//! Leaf functions (no `call` or `call_indirect` at all) that only Wasm
//! calls are not instrumented: a leaf cannot recurse, so its frame is
//! counted by its callers instead. A leaf the host can call (an export: an
//! entry point, `allocate`; or the start function) has no Wasm caller to
//! count it, so it is instrumented like any other function: otherwise a
//! leaf with a huge frame would exhaust the native stack on one engine
//! and run on another (issue 20). A caller's prologue checks
//! `height + frame + leaf_reserve <= limit`, where `leaf_reserve` is the
//! largest frame among the leaves it calls directly and, if it has a
//! `call_indirect`, among the leaves in the module's tables. The budget is
//! the same static sum along every call path; only the hot, tiny functions
//! stop paying for the bookkeeping.
//!
//! [`StackPlan`] is the per-function plan; [`FunctionStackLimit`] emits one
//! body's prologue and epilogues, for the Wasmer middleware
//! (`cw_gas::middleware::StackLimiter`, the same rule in its own code) and
//! the module rewriter.

use alloc::string::ToString;
use alloc::vec::Vec;

use wasmparser::{
    self, BlockType, FuncValidator, FuncValidatorAllocations, Operator, Parser, ValType,
    ValidPayload, Validator, WasmModuleResources,
};

use super::Refusal;
use super::emit::Emit;
use crate::error::GasError;

/// Per-frame overhead for return address, frame pointer and spilled
/// registers: nearcore's `MaxStackCfg::size_of_function_activation` starts
/// from 64 ("Rough accounting for rip, rbp and some registers spilled").
pub const FRAME_OVERHEAD_BYTES: u64 = 64;

/// Bytes per operand-stack slot. NEAR sizes operands by type (4 for `i32`);
/// we count slots from the validator's operand height and charge each as 8,
/// the size Singlepass gives every spilled value, so the estimate is never
/// below NEAR's.
pub const OPERAND_SLOT_BYTES: u64 = 8;

/// The metering middleware's check pushes two `i64` values on top of the
/// operand stack; the frame reserves them.
pub const METERING_SCRATCH_SLOTS: u64 = 2;

/// Default limit: 12 MiB of frame cost, counted with the rule above: the
/// calibrated limit of the Wasmer middleware
/// (`cw_gas::middleware::DEFAULT_STACK_LIMIT_BYTES`, whose doc comment and
/// docs/gas.md "Stack limit" give the calibration against cosmwasm-vm), so
/// a recursion fails at the same depth on every engine. A unit test pins
/// the two equal.
///
/// An interpreter that keeps Wasm frames off the native stack (wasmi)
/// needs no native-stack margin for it; one that compiles to native code
/// must give Wasm the middleware's `NATIVE_STACK_BYTES`.
pub const DEFAULT_STACK_LIMIT_BYTES: u64 = 12 * 1024 * 1024;

/// The smallest frame any function can have: no parameters, no locals, an
/// empty operand stack, 64 + 8 × 2 = 80 bytes. A limit of `L` bytes admits
/// at most `L / MIN_FRAME_BYTES` frames (plus one uninstrumented leaf), which
/// an engine with its own call-depth limit must allow.
pub const MIN_FRAME_BYTES: u64 = FRAME_OVERHEAD_BYTES + OPERAND_SLOT_BYTES * METERING_SCRATCH_SLOTS;

/// NEAR's value sizes (`MaxStackCfg::size_of_value`): `i32`/`f32` 4,
/// `i64`/`f64` 8, `v128` 16, references 8.
pub fn value_size_bytes(ty: ValType) -> u64 {
    match ty {
        ValType::I32 | ValType::F32 => 4,
        ValType::I64 | ValType::F64 => 8,
        ValType::V128 => 16,
        ValType::Ref(_) => 8,
    }
}

/// What the prologue of one function needs.
#[derive(Clone, Debug)]
struct FunctionPlan {
    frame_bytes: u64,
    /// Checked on entry: the frame plus the largest leaf frame it may call.
    check_bytes: u64,
    /// `false` for leaves, which are counted by their callers.
    instrumented: bool,
    wrapper: BlockType,
}

/// What the analysis learns about one defined function's calls.
#[derive(Debug, Default)]
struct Calls {
    direct: Vec<u32>,
    indirect: bool,
}

impl Calls {
    fn is_leaf(&self) -> bool {
        self.direct.is_empty() && !self.indirect
    }
}

pub(crate) fn invalid(e: &wasmparser::BinaryReaderError) -> GasError {
    GasError::InvalidWasm {
        offset: usize::try_from(e.offset()).unwrap_or(usize::MAX),
        message: e.message().to_string(),
    }
}

/// What the stack limiter learns about a module: each defined function's
/// frame cost and calls, the number of imported functions and the functions
/// placed in tables. Build it while validating the module (so the bodies
/// are read once) with [`section`](Self::section) for every payload and
/// [`function`](Self::function) for every body, or let [`StackPlan::new`]
/// read the bytes itself.
#[derive(Debug, Default)]
pub struct StackAnalysis {
    plans: Vec<Result<FunctionPlan, &'static str>>,
    calls: Vec<Calls>,
    imported_functions: u32,
    table_functions: Vec<u32>,
    /// Functions the host can call: exported ones and the start function.
    host_callable: Vec<u32>,
}

/// One function body being analysed: feed it every operator with the
/// validator's operand height after that operator.
#[derive(Debug, Default)]
pub struct FunctionAnalysis {
    max_height: u32,
    calls: Calls,
}

impl FunctionAnalysis {
    /// Records one operator and the operand-stack height after it.
    pub fn operator(&mut self, operator: &Operator<'_>, operand_height: u32) {
        self.record_calls(operator);
        self.operand_height(operand_height);
    }

    /// Records the operand-stack height after an operator: [`operator`]'s
    /// second half, for callers that learn the height separately.
    ///
    /// [`operator`]: Self::operator
    #[inline]
    pub fn operand_height(&mut self, operand_height: u32) {
        self.max_height = self.max_height.max(operand_height);
    }

    /// Records what `operator` calls, if anything: [`operator`]'s first
    /// half.
    ///
    /// [`operator`]: Self::operator
    #[inline]
    pub fn record_calls(&mut self, operator: &Operator<'_>) {
        match operator {
            Operator::Call { function_index } => self.calls.direct.push(*function_index),
            Operator::CallIndirect { .. }
            | Operator::ReturnCall { .. }
            | Operator::ReturnCallIndirect { .. }
            | Operator::CallRef { .. }
            | Operator::ReturnCallRef { .. } => self.calls.indirect = true,
            _ => {}
        }
    }

    /// Finishes the analysis of a body `validator` has just validated
    /// completely; `ty_index` is the function's type.
    pub fn finish<R: WasmModuleResources>(
        self,
        validator: &FuncValidator<R>,
        ty_index: u32,
    ) -> AnalysedFunction {
        let mut locals_bytes = 0u64;
        for index in 0..validator.len_locals() {
            let size = validator.get_local_type(index).map_or(8, value_size_bytes);
            locals_bytes = locals_bytes.saturating_add(size);
        }
        let operand_bytes = OPERAND_SLOT_BYTES
            .saturating_mul(u64::from(self.max_height).saturating_add(METERING_SCRATCH_SLOTS));
        let frame_bytes = FRAME_OVERHEAD_BYTES
            .saturating_add(locals_bytes)
            .saturating_add(operand_bytes);
        let wrapper = wrapper_type(validator.resources(), ty_index);
        AnalysedFunction {
            plan: wrapper.map(|wrapper| FunctionPlan {
                frame_bytes,
                check_bytes: frame_bytes,
                instrumented: true,
                wrapper,
            }),
            calls: self.calls,
        }
    }
}

impl StackAnalysis {
    /// Analyses `wasm`, validating it with wasmparser's default features.
    ///
    /// # Errors
    /// [`GasError::InvalidWasm`] if it does not validate.
    pub fn of(wasm: &[u8]) -> Result<Self, GasError> {
        let mut validator = Validator::new();
        let mut allocs = FuncValidatorAllocations::default();
        let mut analysis = StackAnalysis::default();
        for payload in Parser::new(0).parse_all(wasm) {
            let payload = payload.map_err(|e| invalid(&e))?;
            let valid = validator.payload(&payload).map_err(|e| invalid(&e))?;
            analysis.section(&payload)?;
            let ValidPayload::Func(func, body) = valid else {
                continue;
            };
            let ty_index = func.ty;
            let mut fv = func.into_validator(allocs);
            let mut reader = body.get_binary_reader();
            fv.read_locals(&mut reader).map_err(|e| invalid(&e))?;
            let mut ops = body.get_operators_reader().map_err(|e| invalid(&e))?;
            let mut function = FunctionAnalysis::default();
            while !ops.eof() {
                let (op, offset) = ops.read_with_offset().map_err(|e| invalid(&e))?;
                fv.op(offset, &op).map_err(|e| invalid(&e))?;
                function.operator(&op, fv.operand_stack_height());
            }
            ops.finish().map_err(|e| invalid(&e))?;
            analysis.function(function, &fv, ty_index);
            allocs = fv.into_allocations();
        }
        Ok(analysis)
    }

    /// Records what a module section contributes (imported functions,
    /// table elements, exported functions, the start function); other
    /// payloads are ignored.
    ///
    /// # Errors
    /// [`GasError::InvalidWasm`] if the section does not parse.
    pub fn section(&mut self, payload: &wasmparser::Payload<'_>) -> Result<(), GasError> {
        match payload {
            wasmparser::Payload::ImportSection(reader) => {
                for import in reader.clone().into_imports() {
                    if matches!(
                        import.map_err(|e| invalid(&e))?.ty,
                        wasmparser::TypeRef::Func(_)
                    ) {
                        self.imported_functions = self.imported_functions.saturating_add(1);
                    }
                }
            }
            wasmparser::Payload::ElementSection(reader) => {
                collect_table_functions(reader.clone(), &mut self.table_functions)?;
            }
            wasmparser::Payload::ExportSection(reader) => {
                for export in reader.clone() {
                    let export = export.map_err(|e| invalid(&e))?;
                    if export.kind == wasmparser::ExternalKind::Func {
                        self.host_callable.push(export.index);
                    }
                }
            }
            wasmparser::Payload::StartSection { func, .. } => self.host_callable.push(*func),
            _ => {}
        }
        Ok(())
    }

    /// Records the next defined function, whose operators `analysis` saw;
    /// `validator` has validated its whole body and `ty_index` is its type.
    pub fn function<R: WasmModuleResources>(
        &mut self,
        analysis: FunctionAnalysis,
        validator: &FuncValidator<R>,
        ty_index: u32,
    ) {
        self.push(analysis.finish(validator, ty_index));
    }

    /// Records the next defined function from its finished analysis.
    /// Functions must be pushed in module order; they may be analysed on
    /// any thread.
    pub fn push(&mut self, function: AnalysedFunction) {
        self.plans.push(function.plan);
        self.calls.push(function.calls);
    }
}

/// One function's finished analysis, ready for [`StackAnalysis::push`].
#[derive(Debug)]
pub struct AnalysedFunction {
    plan: Result<FunctionPlan, &'static str>,
    calls: Calls,
}

/// The stack limit of one module: every defined function's frame cost,
/// whether it carries the prologue, and the limit. Engine-independent;
/// the Wasmer middleware and the module rewriter both emit from it.
#[derive(Clone, Debug)]
pub struct StackPlan {
    limit_bytes: u64,
    plans: Vec<Result<FunctionPlan, &'static str>>,
}

impl StackPlan {
    /// Analyses `wasm` (which must validate) and limits every call path to
    /// `limit_bytes` of frame cost.
    ///
    /// # Errors
    /// [`GasError::InvalidWasm`] if `wasm` does not validate.
    pub fn new(wasm: &[u8], limit_bytes: u64) -> Result<Self, GasError> {
        Ok(Self::from_analysis(StackAnalysis::of(wasm)?, limit_bytes))
    }

    /// Limits every call path of the analysed module to `limit_bytes` of
    /// frame cost.
    pub fn from_analysis(analysis: StackAnalysis, limit_bytes: u64) -> Self {
        let StackAnalysis {
            mut plans,
            calls,
            imported_functions,
            table_functions,
            host_callable,
        } = analysis;
        reserve_leaf_frames(&mut plans, &calls, imported_functions, &table_functions);
        // A leaf the host can call has no Wasm caller to count its frame.
        for function_index in host_callable {
            let local = function_index.checked_sub(imported_functions);
            let plan = local.and_then(|local| plans.get_mut(local as usize));
            if let Some(Ok(plan)) = plan {
                plan.instrumented = true;
            }
        }
        Self { limit_bytes, plans }
    }

    /// Whether the defined function `index` carries the prologue and
    /// epilogue (leaves only Wasm calls do not; their callers reserve their
    /// frame).
    pub fn is_instrumented(&self, index: usize) -> Option<bool> {
        self.plans.get(index)?.as_ref().ok().map(|p| p.instrumented)
    }

    /// The limit in bytes of frame cost.
    pub fn limit_bytes(&self) -> u64 {
        self.limit_bytes
    }

    /// The static frame cost of the defined function `index` (imports not
    /// counted), if it can be limited.
    pub fn frame_bytes(&self, index: usize) -> Option<u64> {
        self.plans.get(index)?.as_ref().ok().map(|p| p.frame_bytes)
    }

    /// The number of defined functions analysed.
    pub fn function_count(&self) -> usize {
        self.plans.len()
    }

    /// The stage for the defined function `index`, writing to the globals
    /// `globals` (`None` if they were not added first: every operator is
    /// then refused).
    pub(crate) fn function(
        &self,
        index: usize,
        globals: Option<StackGlobals>,
    ) -> FunctionStackLimit {
        let plan = match self.plans.get(index) {
            Some(Ok(plan)) => Ok(plan.clone()),
            Some(Err(reason)) => Err(Refusal::StackPlan(reason)),
            None => Err(Refusal::NotAnalysed),
        };
        FunctionStackLimit {
            plan,
            globals,
            limit_bytes: self.limit_bytes,
            progress: Progress::NotStarted,
            depth: 1,
        }
    }
}

/// Function indices placed in tables by element segments (the possible
/// targets of `call_indirect`).
fn collect_table_functions(
    reader: wasmparser::ElementSectionReader<'_>,
    out: &mut Vec<u32>,
) -> Result<(), GasError> {
    for element in reader {
        match element.map_err(|e| invalid(&e))?.items {
            wasmparser::ElementItems::Functions(indices) => {
                for index in indices {
                    out.push(index.map_err(|e| invalid(&e))?);
                }
            }
            wasmparser::ElementItems::Expressions(_, exprs) => {
                for expr in exprs {
                    let mut ops = expr.map_err(|e| invalid(&e))?.get_operators_reader();
                    while !ops.eof() {
                        if let Operator::RefFunc { function_index } =
                            ops.read().map_err(|e| invalid(&e))?
                        {
                            out.push(function_index);
                        }
                    }
                }
            }
        }
    }
    Ok(())
}

/// Marks leaves uninstrumented and makes every caller reserve the largest
/// leaf frame it can reach in one call. A leaf whose plan failed stays
/// "instrumented" (it then fails to instrument, as before).
fn reserve_leaf_frames(
    plans: &mut [Result<FunctionPlan, &'static str>],
    calls: &[Calls],
    imported_functions: u32,
    table_functions: &[u32],
) {
    let leaf_frame = |plans: &[Result<FunctionPlan, &'static str>], function_index: u32| {
        let local = function_index.checked_sub(imported_functions)? as usize;
        let plan = plans.get(local)?.as_ref().ok()?;
        calls.get(local)?.is_leaf().then_some(plan.frame_bytes)
    };
    let indirect_reserve = table_functions
        .iter()
        .filter_map(|&f| leaf_frame(plans, f))
        .max()
        .unwrap_or(0);
    let reserves: Vec<u64> = calls
        .iter()
        .map(|c| {
            let direct = c
                .direct
                .iter()
                .filter_map(|&f| leaf_frame(plans, f))
                .max()
                .unwrap_or(0);
            if c.indirect {
                direct.max(indirect_reserve)
            } else {
                direct
            }
        })
        .collect();
    for ((plan, c), reserve) in plans.iter_mut().zip(calls).zip(reserves) {
        if let Ok(plan) = plan {
            plan.instrumented = !c.is_leaf();
            plan.check_bytes = plan.frame_bytes.saturating_add(reserve);
        }
    }
}

/// The block type of the wrapper: no parameters, the function's results.
fn wrapper_type(
    resources: &impl WasmModuleResources,
    ty_index: u32,
) -> Result<BlockType, &'static str> {
    let func_ty = resources
        .sub_type_at(ty_index)
        .and_then(|t| match &t.composite_type.inner {
            wasmparser::CompositeInnerType::Func(f) => Some(f.clone()),
            _ => None,
        })
        .ok_or("the function's type is not a function type")?;
    match func_ty.results() {
        [] => Ok(BlockType::Empty),
        [one] => Ok(BlockType::Type(*one)),
        results => {
            // Multi-value: reuse a declared `[] -> results` type if there is one.
            let mut index = 0u32;
            while let Some(sub) = resources.sub_type_at(index) {
                if let wasmparser::CompositeInnerType::Func(f) = &sub.composite_type.inner
                    && f.params().is_empty()
                    && f.results() == results
                {
                    return Ok(BlockType::FuncType(index));
                }
                index = index.saturating_add(1);
            }
            Err("multi-value function without a `[] -> results` type")
        }
    }
}

/// The global indices of the stack-limit state in one module.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct StackGlobals {
    /// The stack height in bytes (`i64`).
    pub(crate) height: u32,
    /// The stack-exhausted flag (`i32`).
    pub(crate) exhausted: u32,
}

/// One function's stack-limit stage.
#[derive(Debug)]
pub(crate) struct FunctionStackLimit {
    plan: Result<FunctionPlan, Refusal>,
    globals: Option<StackGlobals>,
    limit_bytes: u64,
    progress: Progress,
    /// Open control frames, the function body included; the wrapper block
    /// is not counted.
    depth: u32,
}

fn i64_bits(v: u64) -> i64 {
    i64::from_ne_bytes(v.to_ne_bytes())
}

/// Where a function's stage is.
#[derive(Clone, Copy, Debug)]
enum Progress {
    /// No operator seen yet.
    NotStarted,
    /// A leaf: every operator passes through unchanged.
    PassingThrough,
    /// The prologue is out: `height` is the counter global, `frame` what
    /// every exit gives back.
    Limiting { height: u32, frame: u64 },
}

impl FunctionStackLimit {
    fn epilogue<'a>(state: &mut impl Emit<'a>, height: u32, frame: u64) {
        state.emit_all([
            Operator::GlobalGet {
                global_index: height,
            },
            Operator::I64Const {
                value: i64_bits(frame),
            },
            Operator::I64Sub,
            Operator::GlobalSet {
                global_index: height,
            },
        ]);
    }

    /// Limits one operator, whose encoding is `encoded` (see
    /// [`Emit::pass`]), writing it and any prologue or epilogue to `state`.
    #[inline]
    pub(crate) fn feed_to<'a>(
        &mut self,
        operator: Operator<'a>,
        encoded: &'a [u8],
        state: &mut impl Emit<'a>,
    ) -> Result<(), Refusal> {
        if let Progress::NotStarted = self.progress {
            self.start(state)?;
        }
        let Progress::Limiting { height, frame } = self.progress else {
            state.pass(operator, encoded);
            return Ok(());
        };
        match &operator {
            Operator::Block { .. } | Operator::Loop { .. } | Operator::If { .. } => {
                self.depth = self.depth.saturating_add(1);
            }
            Operator::End => {
                self.depth = self.depth.saturating_sub(1);
                if self.depth == 0 {
                    // Close the wrapper: branches to the function label land
                    // here, then the frame is released.
                    state.emit(Operator::End);
                    Self::epilogue(state, height, frame);
                }
            }
            Operator::Return => Self::epilogue(state, height, frame),
            Operator::Try { .. }
            | Operator::TryTable { .. }
            | Operator::Delegate { .. }
            | Operator::Throw { .. }
            | Operator::ThrowRef
            | Operator::Rethrow { .. }
            | Operator::ReturnCall { .. }
            | Operator::ReturnCallIndirect { .. }
            | Operator::ReturnCallRef { .. } => {
                return Err(Refusal::NoEpilogue);
            }
            _ => {}
        }
        state.pass(operator, encoded);
        Ok(())
    }

    /// Before the first operator: checks the plan and the globals, then
    /// emits the prologue (or, for a leaf, nothing) and records the
    /// progress, which is never `NotStarted` afterwards.
    #[cold]
    fn start<'a>(&mut self, state: &mut impl Emit<'a>) -> Result<(), Refusal> {
        let plan = self.plan.as_ref().map_err(|r| *r)?;
        let StackGlobals { height, exhausted } = self.globals.ok_or(Refusal::Unbound)?;
        if !plan.instrumented {
            self.progress = Progress::PassingThrough;
            return Ok(());
        }
        let frame = plan.frame_bytes;
        let trap = [
            Operator::I32Const { value: 1 },
            Operator::GlobalSet {
                global_index: exhausted,
            },
            Operator::Unreachable,
        ];
        match self.limit_bytes.checked_sub(plan.check_bytes) {
            // The frame alone exceeds the limit: every call traps.
            None => state.emit_all(trap),
            Some(headroom) => {
                state.emit_all([
                    Operator::GlobalGet {
                        global_index: height,
                    },
                    Operator::I64Const {
                        value: i64_bits(headroom),
                    },
                    Operator::I64GtU,
                    Operator::If {
                        blockty: BlockType::Empty,
                    },
                ]);
                state.emit_all(trap);
                state.emit_all([
                    Operator::End,
                    Operator::GlobalGet {
                        global_index: height,
                    },
                    Operator::I64Const {
                        value: i64_bits(frame),
                    },
                    Operator::I64Add,
                    Operator::GlobalSet {
                        global_index: height,
                    },
                ]);
            }
        }
        state.emit(Operator::Block {
            blockty: plan.wrapper,
        });
        self.progress = Progress::Limiting { height, frame };
        Ok(())
    }
}
