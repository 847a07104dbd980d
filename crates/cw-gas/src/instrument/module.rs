//! The module rewrite: sections copied or extended, bodies re-encoded
//! through the metering and stack-limit stages.

use alloc::vec::Vec;

use wasm_encoder::Encode;
use wasm_encoder::reencode::{Reencode, RoundtripReencoder};
use wasm_encoder::{
    CodeSection, ConstExpr, ExportKind, ExportSection, Function, GlobalSection, GlobalType,
    RawSection,
};
use wasmparser::{BlockType, FunctionBody, Operator, Parser, Payload, TypeRef};

use super::emit::Emit;
use super::metering::{FunctionMetering, MeteringGlobals, Prices, declared_locals};
use super::stack::{FunctionStackLimit, StackAnalysis, StackGlobals, StackPlan, invalid};
use super::{
    POINTS_EXHAUSTED_EXPORT, REMAINING_POINTS_EXPORT, Refusal, STACK_EXHAUSTED_EXPORT,
    STACK_HEIGHT_EXPORT,
};
use crate::error::GasError;
use crate::schedule::{CostTable, MeteringRule};
use crate::units::GasQuantity;

/// Rewrites `wasm` so that its own code meters operators with `table`'s
/// prices and rule and, if `stack_limit_bytes` is given, limits the stack
/// to that many bytes of frame cost: the module the Wasmer middlewares
/// compile, as bytes any engine can run (see the [module docs](super)).
/// Validates `wasm` first (wasmparser's default features).
///
/// # Errors
/// [`GasError::InvalidWasm`] if `wasm` does not validate;
/// [`GasError::NotInstrumentable`] for what the middlewares refuse too
/// (exceptions, tail calls, a multi-value function without a
/// `[] -> results` type).
pub fn instrument<T: CostTable>(
    wasm: &[u8],
    table: &T,
    stack_limit_bytes: Option<u64>,
) -> Result<Vec<u8>, GasError> {
    let analysis = StackAnalysis::of(wasm)?;
    let plan = stack_limit_bytes.map(|limit| StackPlan::from_analysis(analysis, limit));
    instrument_with(wasm, table, plan.as_ref())
}

/// [`instrument`] for a caller that validated `wasm` and built its
/// [`StackPlan`] (from a [`StackAnalysis`] fed during its own validation
/// pass), so the bodies are not validated twice. `stack` must have been
/// made from these bytes; `None` meters without a stack limit.
///
/// # Errors
/// [`GasError::InvalidWasm`] if `wasm` does not parse;
/// [`GasError::NotInstrumentable`] if `stack` was made from another module
/// or a function cannot be instrumented (see [`instrument`]).
pub fn instrument_with<T: CostTable>(
    wasm: &[u8],
    table: &T,
    stack: Option<&StackPlan>,
) -> Result<Vec<u8>, GasError> {
    let mut rewriter = Rewriter {
        table,
        rule: table.metering_rule(),
        prices: Prices::of(table),
        stack,
        out: wasm_encoder::Module::new(),
        imported_functions: 0,
        imported_globals: 0,
        globals: None,
        exports_added: false,
        start: None,
        code: None,
    };
    for payload in Parser::new(0).parse_all(wasm) {
        rewriter.payload(wasm, payload.map_err(|e| invalid(&e))?)?;
    }
    Ok(rewriter.out.finish())
}

/// Where a section goes in a module (its id is not its position: `tag` and
/// `datacount` sit between others). Only the order matters.
fn position(id: u8) -> u8 {
    match id {
        13 => 6,  // tag, after memory
        6 => 7,   // global
        7 => 8,   // export
        8 => 9,   // start
        9 => 10,  // element
        12 => 11, // datacount
        10 => 12, // code
        11 => 13, // data
        other => other,
    }
}
const GLOBAL_POSITION: u8 = 7;
const EXPORT_POSITION: u8 = 8;

/// The global indices the added globals got.
#[derive(Clone, Copy, Debug)]
struct Added {
    metering: MeteringGlobals,
    stack: StackGlobals,
}

/// The code section being rebuilt.
struct Code {
    section: CodeSection,
    expected: u32,
    done: u32,
}

struct Rewriter<'s, T: ?Sized> {
    table: &'s T,
    rule: MeteringRule,
    prices: Prices,
    stack: Option<&'s StackPlan>,
    out: wasm_encoder::Module,
    imported_functions: u32,
    imported_globals: u32,
    /// Set once the global section (the module's, extended, or a new one)
    /// is written.
    globals: Option<Added>,
    exports_added: bool,
    start: Option<u32>,
    code: Option<Code>,
}

fn not_instrumentable(function: Option<u32>, reason: &'static str) -> GasError {
    GasError::NotInstrumentable { function, reason }
}

impl<'s, T: CostTable> Rewriter<'s, T> {
    fn payload<'a>(&mut self, wasm: &'a [u8], payload: Payload<'a>) -> Result<(), GasError> {
        match payload {
            Payload::Version { encoding, .. } => {
                if encoding != wasmparser::Encoding::Module {
                    return Err(not_instrumentable(None, "not a core Wasm module"));
                }
                Ok(())
            }
            Payload::ImportSection(reader) => {
                for import in reader.clone().into_imports() {
                    match import.map_err(|e| invalid(&e))?.ty {
                        TypeRef::Func(_) | TypeRef::FuncExact(_) => {
                            self.imported_functions = self.imported_functions.saturating_add(1);
                        }
                        TypeRef::Global(_) => {
                            self.imported_globals = self.imported_globals.saturating_add(1);
                        }
                        _ => {}
                    }
                }
                self.copy(wasm, &Payload::ImportSection(reader))
            }
            Payload::GlobalSection(reader) => {
                let mut section = GlobalSection::new();
                let defined = reader.count();
                RoundtripReencoder
                    .parse_global_section(&mut section, reader)
                    .map_err(|_| not_instrumentable(None, "a global does not re-encode"))?;
                self.add_globals(section, defined)
            }
            Payload::ExportSection(reader) => {
                self.before(7)?;
                let mut section = ExportSection::new();
                for export in reader {
                    let export = export.map_err(|e| invalid(&e))?;
                    // Ours replace an export of the same name, as Wasmer's
                    // export map does for the middlewares.
                    if self.added_export_names().contains(&export.name) {
                        continue;
                    }
                    let kind = RoundtripReencoder
                        .export_kind(export.kind)
                        .map_err(|_| not_instrumentable(None, "an export does not re-encode"))?;
                    section.export(export.name, kind, export.index);
                }
                self.add_exports(section)
            }
            Payload::StartSection { func, .. } => {
                self.start = Some(func);
                self.copy(wasm, &payload)
            }
            Payload::CodeSectionStart { count, .. } => {
                self.before(10)?;
                if let Some(plan) = self.stack
                    && usize::try_from(count).ok() != Some(plan.function_count())
                {
                    return Err(not_instrumentable(
                        None,
                        "the stack plan was made from another module",
                    ));
                }
                self.code = Some(Code {
                    section: CodeSection::new(),
                    expected: count,
                    done: 0,
                });
                self.finish_code_if_complete();
                Ok(())
            }
            Payload::CodeSectionEntry(body) => {
                let Some(code) = &self.code else {
                    return Err(not_instrumentable(None, "a body outside the code section"));
                };
                let local = code.done;
                let function = self.body(wasm, local, body)?;
                if let Some(code) = &mut self.code {
                    code.section.function(&function);
                    code.done = code.done.saturating_add(1);
                }
                self.finish_code_if_complete();
                Ok(())
            }
            // Nothing in a custom section changes execution; Wasmer compiles
            // the runtime's modules without them as well.
            Payload::CustomSection(_) => Ok(()),
            Payload::End(_) => {
                self.before(u8::MAX)?;
                if self.code.is_some() {
                    return Err(not_instrumentable(None, "the code section ended early"));
                }
                Ok(())
            }
            other => match other.as_section() {
                Some((id, _)) if id != 0 => self.copy(wasm, &other),
                _ => Err(not_instrumentable(
                    None,
                    "a section the rewriter does not know",
                )),
            },
        }
    }

    /// Copies a section unchanged, after the sections that must come
    /// before it.
    fn copy(&mut self, wasm: &[u8], payload: &Payload<'_>) -> Result<(), GasError> {
        let Some((id, range)) = payload.as_section() else {
            return Err(not_instrumentable(None, "a payload that is not a section"));
        };
        self.before(id)?;
        let start = usize::try_from(range.start).ok();
        let end = usize::try_from(range.end).ok();
        let data = start
            .zip(end)
            .and_then(|(start, end)| wasm.get(start..end))
            .ok_or_else(|| not_instrumentable(None, "a section past the end of the module"))?;
        self.out.section(&RawSection { id, data });
        Ok(())
    }

    /// Adds the global and export sections if the module has none and the
    /// section `id` comes after their place.
    fn before(&mut self, id: u8) -> Result<(), GasError> {
        if self.globals.is_none() && position(id) > GLOBAL_POSITION {
            self.add_globals(GlobalSection::new(), 0)?;
        }
        if !self.exports_added && position(id) > EXPORT_POSITION {
            self.add_exports(ExportSection::new())?;
        }
        Ok(())
    }

    /// Writes `section` (the module's `defined` globals) with the
    /// middlewares' globals appended.
    fn add_globals(&mut self, mut section: GlobalSection, defined: u32) -> Result<(), GasError> {
        let first = self
            .imported_globals
            .checked_add(defined)
            .filter(|first| first.checked_add(3).is_some())
            .ok_or_else(|| not_instrumentable(None, "too many globals"))?;
        let added = Added {
            metering: MeteringGlobals {
                remaining: first,
                exhausted: first + 1,
            },
            stack: StackGlobals {
                height: first + 2,
                exhausted: first + 3,
            },
        };
        let counter = GlobalType {
            val_type: wasm_encoder::ValType::I64,
            mutable: true,
            shared: false,
        };
        let flag = GlobalType {
            val_type: wasm_encoder::ValType::I32,
            mutable: true,
            shared: false,
        };
        let pairs = if self.stack.is_some() { 2 } else { 1 };
        for _ in 0..pairs {
            section.global(counter, &ConstExpr::i64_const(0));
            section.global(flag, &ConstExpr::i32_const(0));
        }
        self.out.section(&section);
        self.globals = Some(added);
        Ok(())
    }

    fn added_export_names(&self) -> &'static [&'static str] {
        const METERING: [&str; 2] = [REMAINING_POINTS_EXPORT, POINTS_EXHAUSTED_EXPORT];
        const BOTH: [&str; 4] = [
            REMAINING_POINTS_EXPORT,
            POINTS_EXHAUSTED_EXPORT,
            STACK_HEIGHT_EXPORT,
            STACK_EXHAUSTED_EXPORT,
        ];
        if self.stack.is_some() {
            &BOTH
        } else {
            &METERING
        }
    }

    /// Writes `section` with the middlewares' global exports appended.
    fn add_exports(&mut self, mut section: ExportSection) -> Result<(), GasError> {
        let added = self
            .globals
            .ok_or_else(|| not_instrumentable(None, "exports before globals"))?;
        let indices = [
            added.metering.remaining,
            added.metering.exhausted,
            added.stack.height,
            added.stack.exhausted,
        ];
        for (name, index) in self.added_export_names().iter().zip(indices) {
            section.export(name, ExportKind::Global, index);
        }
        self.out.section(&section);
        self.exports_added = true;
        Ok(())
    }

    fn finish_code_if_complete(&mut self) {
        if self.code.as_ref().is_some_and(|c| c.done == c.expected)
            && let Some(code) = self.code.take()
        {
            self.out.section(&code.section);
        }
    }

    /// Re-encodes the body of the defined function `local` (read from
    /// `wasm`) through the metering and, with a plan, the stack-limit
    /// stage. The body's own operators are copied as they are encoded in
    /// `wasm`; only what the stages insert is encoded anew.
    fn body<'a>(
        &self,
        wasm: &'a [u8],
        local: u32,
        body: FunctionBody<'a>,
    ) -> Result<Function, GasError> {
        let refused = |refusal: Refusal| not_instrumentable(Some(local), refusal.reason());
        let added = self
            .globals
            .ok_or_else(|| not_instrumentable(None, "code before globals"))?;
        let mut groups = Vec::new();
        let mut declared = 0usize;
        for group in body.get_locals_reader().map_err(|e| invalid(&e))? {
            let (count, ty) = group.map_err(|e| invalid(&e))?;
            declared = declared.saturating_add(usize::try_from(count).unwrap_or(usize::MAX));
            let ty = RoundtripReencoder
                .val_type(ty)
                .map_err(|_| not_instrumentable(Some(local), "a local type does not re-encode"))?;
            groups.push((count, ty));
        }
        let mut function = Function::new(groups);
        let is_start = self.start.is_some_and(|start| {
            start
                .checked_sub(self.imported_functions)
                .is_some_and(|start| start == local)
        });
        let mut metering = FunctionMetering::new(self.rule, self.prices, added.metering, is_start);
        metering.locals_surcharge(
            self.table
                .locals_surcharge(declared_locals(declared))
                .to_u64(),
        );
        let mut limit = self
            .stack
            .map(|plan| plan.function(local as usize, Some(added.stack)));
        let mut encoder = Encoder {
            bytes: Vec::with_capacity(body.as_bytes().len().saturating_mul(2)),
            failed: false,
        };
        let mut operators = body.get_operators_reader().map_err(|e| invalid(&e))?;
        while !operators.eof() {
            let start = operators.original_position();
            let operator = operators.read().map_err(|e| invalid(&e))?;
            let encoded = span(wasm, start, operators.original_position())
                .ok_or_else(|| not_instrumentable(Some(local), "a body outside the module"))?;
            match &mut limit {
                Some(limit) => {
                    let mut chained = Limited {
                        limit,
                        encoder: &mut encoder,
                        refusal: None,
                    };
                    metering
                        .feed_to(operator, encoded, &mut chained)
                        .map_err(refused)?;
                    if let Some(refusal) = chained.refusal {
                        return Err(refused(refusal));
                    }
                }
                None => metering
                    .feed_to(operator, encoded, &mut encoder)
                    .map_err(refused)?,
            }
            if encoder.failed {
                return Err(not_instrumentable(
                    Some(local),
                    "an operator does not re-encode",
                ));
            }
        }
        operators.finish().map_err(|e| invalid(&e))?;
        function.raw(encoder.bytes);
        Ok(function)
    }
}

/// The bytes of `wasm` from offset `start` to `end`.
fn span(wasm: &[u8], start: u64, end: u64) -> Option<&[u8]> {
    wasm.get(usize::try_from(start).ok()?..usize::try_from(end).ok()?)
}

/// The last stage: the new body's operators, as bytes. The body's own
/// operators are copied as they were encoded; the kinds the stages insert
/// (charges, stack-limit prologues and epilogues) are encoded here
/// directly, anything else through wasm-encoder. `tests/it/instrumented.rs`
/// reads the result back and compares it with the middlewares' operators.
struct Encoder {
    bytes: Vec<u8>,
    failed: bool,
}

impl Encoder {
    fn opcode_u32(&mut self, opcode: u8, value: u32) {
        self.bytes.push(opcode);
        leb128_u64(&mut self.bytes, u64::from(value));
    }

    fn opcode_i64(&mut self, opcode: u8, value: i64) {
        self.bytes.push(opcode);
        leb128_i64(&mut self.bytes, value);
    }
}

impl<'a> Emit<'a> for Encoder {
    fn emit(&mut self, operator: Operator<'a>) {
        if self.failed {
            return;
        }
        match operator {
            Operator::Unreachable => self.bytes.push(0x00),
            Operator::If {
                blockty: BlockType::Empty,
            } => self.bytes.extend_from_slice(&[0x04, 0x40]),
            Operator::End => self.bytes.push(0x0b),
            Operator::GlobalGet { global_index } => self.opcode_u32(0x23, global_index),
            Operator::GlobalSet { global_index } => self.opcode_u32(0x24, global_index),
            Operator::I32Const { value } => self.opcode_i64(0x41, i64::from(value)),
            Operator::I64Const { value } => self.opcode_i64(0x42, value),
            Operator::I64LtS => self.bytes.push(0x53),
            Operator::I64GtU => self.bytes.push(0x56),
            Operator::I64Add => self.bytes.push(0x7c),
            Operator::I64Sub => self.bytes.push(0x7d),
            Operator::Call { function_index } => self.opcode_u32(0x10, function_index),
            Operator::CallIndirect {
                type_index,
                table_index,
            } => {
                self.opcode_u32(0x11, type_index);
                leb128_u64(&mut self.bytes, u64::from(table_index));
            }
            other => match RoundtripReencoder.instruction(other) {
                Ok(instruction) => instruction.encode(&mut self.bytes),
                Err(_) => self.failed = true,
            },
        }
    }

    fn pass(&mut self, operator: Operator<'a>, encoded: &'a [u8]) {
        if self.failed {
            return;
        }
        // The linker leaves relocated operands (function, type and global
        // indices, addresses) padded to five bytes; those are encoded
        // again, minimally, as a re-encoder would, so the prepared module
        // a chain keeps and parses on every call is no larger than needed.
        match (&operator, encoded.first()) {
            (_, None)
            | (
                Operator::Call { .. }
                | Operator::CallIndirect { .. }
                | Operator::I32Const { .. }
                | Operator::I64Const { .. }
                | Operator::GlobalGet { .. }
                | Operator::GlobalSet { .. },
                _,
            ) => self.emit(operator),
            (_, Some(&opcode)) => match memory_access(&operator) {
                Some(memarg) if memarg.memory == 0 => {
                    self.bytes.push(opcode);
                    leb128_u64(&mut self.bytes, u64::from(memarg.align));
                    leb128_u64(&mut self.bytes, memarg.offset);
                }
                _ => self.bytes.extend_from_slice(encoded),
            },
        }
    }
}

/// The memory argument of a plain load or store (a one-byte opcode
/// followed by it), the operators whose address a linker may relocate.
fn memory_access(operator: &Operator<'_>) -> Option<wasmparser::MemArg> {
    match *operator {
        Operator::I32Load { memarg }
        | Operator::I64Load { memarg }
        | Operator::F32Load { memarg }
        | Operator::F64Load { memarg }
        | Operator::I32Load8S { memarg }
        | Operator::I32Load8U { memarg }
        | Operator::I32Load16S { memarg }
        | Operator::I32Load16U { memarg }
        | Operator::I64Load8S { memarg }
        | Operator::I64Load8U { memarg }
        | Operator::I64Load16S { memarg }
        | Operator::I64Load16U { memarg }
        | Operator::I64Load32S { memarg }
        | Operator::I64Load32U { memarg }
        | Operator::I32Store { memarg }
        | Operator::I64Store { memarg }
        | Operator::F32Store { memarg }
        | Operator::F64Store { memarg }
        | Operator::I32Store8 { memarg }
        | Operator::I32Store16 { memarg }
        | Operator::I64Store8 { memarg }
        | Operator::I64Store16 { memarg }
        | Operator::I64Store32 { memarg } => Some(memarg),
        _ => None,
    }
}

/// Appends `value` in unsigned LEB128. The rewrite's own rather than
/// wasm-encoder's `Encode` (leb128fmt's fixed buffer, then a copy): inside
/// the NEAR contract that one made storing cw20-base 21 Tgas dearer
/// (595.0 against 573.9 Tgas).
fn leb128_u64(out: &mut Vec<u8>, mut value: u64) {
    loop {
        let byte = (value & 0x7f) as u8;
        value >>= 7;
        if value == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

/// Appends `value` in signed LEB128.
fn leb128_i64(out: &mut Vec<u8>, mut value: i64) {
    loop {
        let byte = (value & 0x7f) as u8;
        value >>= 7;
        let done = (value == 0 && byte & 0x40 == 0) || (value == -1 && byte & 0x40 != 0);
        if done {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

/// Metering's sink when the stack is limited: the limit stage, writing to
/// the encoder. `Emit` cannot fail, so the first refusal is kept.
struct Limited<'l> {
    limit: &'l mut FunctionStackLimit,
    encoder: &'l mut Encoder,
    refusal: Option<Refusal>,
}

impl<'a> Emit<'a> for Limited<'_> {
    fn emit(&mut self, operator: Operator<'a>) {
        self.pass(operator, &[]);
    }

    fn pass(&mut self, operator: Operator<'a>, encoded: &'a [u8]) {
        if self.refusal.is_none()
            && let Err(refusal) = self.limit.feed_to(operator, encoded, self.encoder)
        {
            self.refusal = Some(refusal);
        }
    }
}
