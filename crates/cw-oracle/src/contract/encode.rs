//! [`ContractProgram`] to Wasm bytes.
//!
//! Function indices: the 24 imports ([`Import::ALL`] order), then
//! `allocate`, `deallocate`, `interface_version_8`, `mix` (fold an `i64`
//! into the digest), `mix_region` (fold a region's length and bytes), the
//! routines, one wrapper per export, and last the linked wasm-smith
//! functions. Globals: the digest, the heap pointer, the last region and
//! iterator the host returned, the entry point's three region pointers, the
//! routine depth, and two constants fixed once the static data is laid out
//! (the heap's start and the static data's size).

use std::collections::HashMap;

use wasm_encoder::{
    BlockType, CodeSection, ConstExpr, DataSection, EntityType, ExportKind, ExportSection,
    Function, FunctionSection, GlobalSection, GlobalType, ImportSection, Instruction as I, MemArg,
    MemorySection, MemoryType, Module, TypeSection, ValType,
};

use super::layout::{Layout, STATIC_START};
use super::smith::{Linkable, Offsets};
use super::{
    Address, Arg, BadRegion, ContractProgram, Export, HostCall, Import, Iter, MAX_NESTING, Operand,
    ResultSpec, Returns, Step,
};

const PAGE: u32 = 65_536;

const G_ACC: u32 = 0;
const G_NEXT: u32 = 1;
const G_LAST: u32 = 2;
const G_ITER: u32 = 3;
const G_ENV: u32 = 4;
const G_INFO: u32 = 5;
const G_MSG: u32 = 6;
const G_DEPTH: u32 = 7;
const G_HEAP_BASE: u32 = 8;
const G_STATIC_LEN: u32 = 9;
const GLOBALS: u32 = 10;

/// Defined functions before the routines.
const F_ALLOCATE: u32 = IMPORTS;
const F_DEALLOCATE: u32 = IMPORTS + 1;
const F_INTERFACE: u32 = IMPORTS + 2;
const F_MIX: u32 = IMPORTS + 3;
const F_MIX_REGION: u32 = IMPORTS + 4;
const F_ROUTINES: u32 = IMPORTS + 5;
const IMPORTS: u32 = Import::ALL.len() as u32;

/// Locals of a routine: a counter per loop level, the burn counter, an
/// `i32` and an `i64` scratch.
const L_BURN: u32 = MAX_NESTING as u32;
const L_TMP: u32 = L_BURN + 1;
const L_TMP64: u32 = L_TMP + 1;

fn memarg(offset: u64) -> MemArg {
    MemArg {
        offset,
        align: 0,
        memory_index: 0,
    }
}

/// Function types, each defined once.
#[derive(Default)]
struct Types {
    section: TypeSection,
    index: HashMap<(Vec<ValType>, Vec<ValType>), u32>,
}

impl Types {
    fn of(&mut self, params: &[ValType], results: &[ValType]) -> u32 {
        let key = (params.to_vec(), results.to_vec());
        if let Some(index) = self.index.get(&key) {
            return *index;
        }
        let index = self.section.len();
        self.section
            .ty()
            .function(params.iter().copied(), results.iter().copied());
        self.index.insert(key, index);
        index
    }
}

/// What the body encoders share.
struct Context<'a> {
    layout: Layout,
    routines: u32,
    smith: Option<u32>,
    program: &'a ContractProgram,
}

impl ContractProgram {
    /// The module's bytes.
    pub fn to_wasm(&self) -> Vec<u8> {
        let smith = self
            .smith
            .as_deref()
            .and_then(super::smith::generate)
            .and_then(Linkable::new);
        let routines = self.routines.len().max(1) as u32;
        let first_smith = F_ROUTINES + routines + self.exports.len() as u32;
        let mut cx = Context {
            layout: Layout::default(),
            routines,
            smith: smith.as_ref().map(|s| first_smith + s.export),
            program: self,
        };

        let i32_ = ValType::I32;
        let mut types = Types::default();
        let mut imports = ImportSection::new();
        for import in Import::ALL {
            let params = vec![i32_; import.params()];
            let results: &[ValType] = if import.returns_nothing() {
                &[]
            } else if import.returns_i64() {
                &[ValType::I64]
            } else {
                &[i32_]
            };
            let ty = types.of(&params, results);
            imports.import("env", import.name(), EntityType::Function(ty));
        }
        let mut functions = FunctionSection::new();
        let mut code = CodeSection::new();
        let mut add = |ty: u32, body: &Function| {
            functions.function(ty);
            code.function(body);
        };
        let in_allocate = self
            .in_allocate
            .map(|routine| (F_ROUTINES + routine as u32 % routines, self.max_depth));
        add(types.of(&[i32_], &[i32_]), &allocate(in_allocate));
        add(types.of(&[i32_], &[]), &end(Function::new([])));
        add(types.of(&[], &[]), &end(Function::new([])));
        add(types.of(&[ValType::I64], &[]), &mix());
        add(types.of(&[i32_], &[]), &mix_region());
        let empty = vec![Vec::new()];
        let bodies = if self.routines.is_empty() {
            &empty
        } else {
            &self.routines
        };
        for steps in bodies {
            let mut f = Function::new([(L_TMP + 1, i32_), (1, ValType::I64)]);
            cx.steps(&mut f, steps, 0);
            add(types.of(&[], &[]), &end(f));
        }
        for export in &self.exports {
            let params = vec![i32_; export.params as usize];
            let body = cx.entry(export);
            add(types.of(&params, &[i32_]), &body);
        }

        let static_bytes = !cx.layout.is_empty() || self.zero_region.is_some();
        let zero_data = self.zero_region.as_ref().map(|bytes| {
            let at = cx.layout.data(bytes);
            let len = bytes.len() as u32;
            [at, len, len]
                .iter()
                .flat_map(|f| f.to_le_bytes())
                .collect::<Vec<u8>>()
        });
        let heap_base = cx.layout.end().next_multiple_of(8) + 16;
        let pages = if static_bytes {
            cx.layout.end().div_ceil(PAGE)
        } else {
            0
        } + self.extra_pages;

        let mut memories = MemorySection::new();
        memories.memory(MemoryType {
            minimum: u64::from(pages),
            maximum: None,
            memory64: false,
            shared: false,
            page_size_log2: None,
        });
        let mut globals = GlobalSection::new();
        let mutable = |val_type| GlobalType {
            val_type,
            mutable: true,
            shared: false,
        };
        globals.global(mutable(ValType::I64), &ConstExpr::i64_const(0));
        globals.global(mutable(i32_), &ConstExpr::i32_const(heap_base as i32));
        for _ in [G_LAST, G_ITER, G_ENV, G_INFO, G_MSG, G_DEPTH] {
            globals.global(mutable(i32_), &ConstExpr::i32_const(0));
        }
        let constant = GlobalType {
            val_type: i32_,
            mutable: false,
            shared: false,
        };
        globals.global(constant, &ConstExpr::i32_const(heap_base as i32));
        let static_len = cx.layout.image().len().max(1) as i32;
        globals.global(constant, &ConstExpr::i32_const(static_len));

        let mut exports = ExportSection::new();
        exports.export("memory", ExportKind::Memory, 0);
        exports.export("allocate", ExportKind::Func, F_ALLOCATE);
        exports.export("deallocate", ExportKind::Func, F_DEALLOCATE);
        exports.export("interface_version_8", ExportKind::Func, F_INTERFACE);
        for (i, export) in self.exports.iter().enumerate() {
            let index = F_ROUTINES + routines + i as u32;
            exports.export(export.entry.export_name(), ExportKind::Func, index);
        }

        if let Some(linked) = &smith {
            let offsets = Offsets {
                types: types.section.len(),
                functions: first_smith,
                globals: GLOBALS,
            };
            // The module was parsed once already; a failure here would be
            // wasm-smith's or ours, and leaves the sections as they were
            // only if it happens before anything was appended, so it is
            // not recoverable: the call to `f` then names a missing
            // function, which validation refuses on both sides.
            let _ = linked.link(
                offsets,
                &mut types.section,
                &mut functions,
                &mut globals,
                &mut code,
            );
        }

        let mut data = DataSection::new();
        if let Some(zero) = zero_data {
            data.active(0, &ConstExpr::i32_const(0), zero);
        }
        if !cx.layout.is_empty() {
            data.active(
                0,
                &ConstExpr::i32_const(STATIC_START as i32),
                cx.layout.image().iter().copied(),
            );
        }

        let mut module = Module::new();
        module.section(&types.section);
        module.section(&imports);
        module.section(&functions);
        module.section(&memories);
        module.section(&globals);
        module.section(&exports);
        module.section(&code);
        module.section(&data);
        module.finish()
    }
}

impl Context<'_> {
    fn steps(&mut self, f: &mut Function, steps: &[Step], level: usize) {
        for step in steps {
            self.step(f, step, level);
        }
    }

    fn step(&mut self, f: &mut Function, step: &Step, level: usize) {
        match step {
            Step::Host(call) => self.host(f, call),
            Step::Repeat { times, body } if level < MAX_NESTING => {
                let counter = level as u32;
                f.instruction(&I::I32Const(*times as i32));
                f.instruction(&I::LocalSet(counter));
                f.instruction(&I::Block(BlockType::Empty));
                f.instruction(&I::Loop(BlockType::Empty));
                f.instruction(&I::LocalGet(counter));
                f.instruction(&I::I32Eqz);
                f.instruction(&I::BrIf(1));
                self.steps(f, body, level + 1);
                f.instruction(&I::LocalGet(counter));
                f.instruction(&I::I32Const(1));
                f.instruction(&I::I32Sub);
                f.instruction(&I::LocalSet(counter));
                f.instruction(&I::Br(0));
                f.instruction(&I::End);
                f.instruction(&I::End);
            }
            Step::Repeat { body, .. } => self.steps(f, body, level),
            Step::Routine(index) => {
                let target = F_ROUTINES + (*index as u32 % self.routines);
                call_guarded(f, target, self.program.max_depth);
            }
            Step::Store {
                address,
                value,
                narrow,
            } => {
                self.address(f, *address);
                if *narrow {
                    f.instruction(&I::I32Const(*value as i32));
                    f.instruction(&I::I32Store8(memarg(0)));
                } else {
                    f.instruction(&I::I64Const(*value as i64));
                    f.instruction(&I::I64Store(memarg(0)));
                }
            }
            Step::Load(address) => {
                self.address(f, *address);
                f.instruction(&I::I64Load(memarg(0)));
                f.instruction(&I::Call(F_MIX));
            }
            Step::Grow(pages) => {
                f.instruction(&I::I32Const(*pages as i32));
                f.instruction(&I::MemoryGrow(0));
                f.instruction(&I::I64ExtendI32S);
                f.instruction(&I::Call(F_MIX));
            }
            Step::Burn(iterations) => burn(f, *iterations),
            Step::Smith(argument) => {
                if let Some(index) = self.smith {
                    f.instruction(&I::GlobalGet(G_ACC));
                    f.instruction(&I::I32WrapI64);
                    f.instruction(&I::I64Const(*argument));
                    f.instruction(&I::Call(index));
                    f.instruction(&I::Call(F_MIX));
                }
            }
            Step::Trap => {
                f.instruction(&I::Unreachable);
            }
        }
    }

    fn address(&mut self, f: &mut Function, address: Address) {
        match address {
            Address::Static(offset) => {
                f.instruction(&I::I32Const(offset as i32));
                f.instruction(&I::GlobalGet(G_STATIC_LEN));
                f.instruction(&I::I32RemU);
                f.instruction(&I::I32Const(STATIC_START as i32));
                f.instruction(&I::I32Add);
            }
            Address::Heap(offset) => {
                f.instruction(&I::GlobalGet(G_HEAP_BASE));
                f.instruction(&I::I32Const(offset as i32));
                f.instruction(&I::I32Add);
            }
            Address::End(delta) => {
                f.instruction(&I::MemorySize(0));
                f.instruction(&I::I32Const(16));
                f.instruction(&I::I32Shl);
                f.instruction(&I::I32Const(delta));
                f.instruction(&I::I32Add);
            }
            Address::Raw(at) => {
                f.instruction(&I::I32Const(at as i32));
            }
        }
    }

    /// Pushes the region pointer `arg` stands for; returns it when it is
    /// a constant.
    fn arg(&mut self, f: &mut Function, arg: &Arg) -> Option<u32> {
        let pointer = match arg {
            Arg::Bytes(bytes) => self.layout.region(bytes, 0),
            Arg::Out(capacity) => self.layout.out(*capacity),
            Arg::Msg => return global_none(f, G_MSG),
            Arg::Env => return global_none(f, G_ENV),
            Arg::Info => return global_none(f, G_INFO),
            Arg::Last => return global_none(f, G_LAST),
            Arg::Zero => 0,
            Arg::Raw(pointer) => *pointer,
            Arg::Bad(bad) => match *bad {
                BadRegion::NullOffset => self.layout.raw(0, 8, 4),
                BadRegion::LengthOverCapacity => self.layout.raw(STATIC_START, 4, 8),
                BadRegion::CapacityOverflow => self.layout.raw(0xFFFF_FF00, 0x1000, 4),
                BadRegion::PastEnd => self.layout.raw(0x7FFF_0000, 16, 16),
                BadRegion::StructPastEnd => 0xFFFF_FFF8,
                BadRegion::Long(length) => self.layout.raw(STATIC_START, length, length),
            },
        };
        f.instruction(&I::I32Const(pointer as i32));
        Some(pointer)
    }

    fn host(&mut self, f: &mut Function, call: &HostCall) {
        let import = call.import;
        let mut out_pointer = None;
        for index in 0..import.params() {
            match call.operands.get(index) {
                Some(Operand::Region(arg)) => {
                    let pointer = self.arg(f, arg);
                    if import.out_operand() == Some(index) {
                        out_pointer = pointer;
                    }
                }
                Some(Operand::Number(n)) => {
                    f.instruction(&I::I32Const(*n as i32));
                }
                Some(Operand::Iter(Iter::Last)) => global(f, G_ITER),
                Some(Operand::Iter(Iter::Raw(id))) => {
                    f.instruction(&I::I32Const(*id as i32));
                }
                None => {
                    f.instruction(&I::I32Const(0));
                }
            }
        }
        f.instruction(&I::Call(import.index()));
        match import.returns() {
            Returns::Nothing => {}
            Returns::Code => {
                f.instruction(&I::I64ExtendI32U);
                f.instruction(&I::Call(F_MIX));
            }
            Returns::Iterator => {
                f.instruction(&I::LocalTee(L_TMP));
                f.instruction(&I::GlobalSet(G_ITER));
                f.instruction(&I::LocalGet(L_TMP));
                f.instruction(&I::I64ExtendI32U);
                f.instruction(&I::Call(F_MIX));
            }
            Returns::Region => {
                f.instruction(&I::LocalTee(L_TMP));
                f.instruction(&I::I64ExtendI32U);
                f.instruction(&I::Call(F_MIX));
                returned_region(f);
            }
            Returns::Recovered => {
                f.instruction(&I::LocalTee(L_TMP64));
                f.instruction(&I::Call(F_MIX));
                f.instruction(&I::LocalGet(L_TMP64));
                f.instruction(&I::I64Const(32));
                f.instruction(&I::I64ShrU);
                f.instruction(&I::I64Eqz);
                f.instruction(&I::If(BlockType::Empty));
                f.instruction(&I::LocalGet(L_TMP64));
                f.instruction(&I::I32WrapI64);
                f.instruction(&I::LocalSet(L_TMP));
                returned_region(f);
                f.instruction(&I::End);
            }
        }
        // The region the host wrote into, when it is one of ours.
        if let Some(Operand::Region(out)) = import.out_operand().and_then(|i| call.operands.get(i))
            && matches!(out, Arg::Out(_) | Arg::Bytes(_) | Arg::Msg | Arg::Env)
        {
            // Re-emitting a static argument would lay it out again: use the
            // pointer the call was given.
            match out {
                Arg::Msg => global(f, G_MSG),
                Arg::Env => global(f, G_ENV),
                _ => {
                    f.instruction(&I::I32Const(out_pointer.unwrap_or(0) as i32));
                }
            }
            f.instruction(&I::Call(F_MIX_REGION));
        }
    }

    /// An export's wrapper: keep the arguments, run the routine, return.
    fn entry(&mut self, export: &Export) -> Function {
        let region = export.params;
        let mut f = Function::new([(1, ValType::I32)]);
        f.instruction(&I::LocalGet(0));
        f.instruction(&I::GlobalSet(G_ENV));
        if export.params >= 3 {
            f.instruction(&I::LocalGet(1));
            f.instruction(&I::GlobalSet(G_INFO));
        }
        f.instruction(&I::LocalGet(export.params.saturating_sub(1)));
        f.instruction(&I::GlobalSet(G_MSG));
        let routine = F_ROUTINES + (export.routine as u32 % self.routines);
        f.instruction(&I::Call(routine));
        match &export.result {
            ResultSpec::Digest => {
                f.instruction(&I::I32Const(8));
                f.instruction(&I::Call(F_ALLOCATE));
                f.instruction(&I::LocalTee(region));
                f.instruction(&I::I32Load(memarg(0)));
                f.instruction(&I::GlobalGet(G_ACC));
                f.instruction(&I::I64Store(memarg(0)));
                f.instruction(&I::LocalGet(region));
                f.instruction(&I::I32Const(8));
                f.instruction(&I::I32Store(memarg(8)));
                f.instruction(&I::LocalGet(region));
            }
            ResultSpec::Region(arg) => {
                self.arg(&mut f, arg);
            }
        }
        end(f)
    }
}

/// After an import returned a region pointer or 0 (in `L_TMP`): fold its
/// bytes in and keep it as the last region.
fn returned_region(f: &mut Function) {
    f.instruction(&I::LocalGet(L_TMP));
    f.instruction(&I::Call(F_MIX_REGION));
    f.instruction(&I::LocalGet(L_TMP));
    f.instruction(&I::If(BlockType::Empty));
    f.instruction(&I::LocalGet(L_TMP));
    f.instruction(&I::GlobalSet(G_LAST));
    f.instruction(&I::End);
}

/// Calls `target` if the depth counter is below `max_depth`, counting the
/// call.
fn call_guarded(f: &mut Function, target: u32, max_depth: u32) {
    f.instruction(&I::GlobalGet(G_DEPTH));
    f.instruction(&I::I32Const(max_depth as i32));
    f.instruction(&I::I32LtU);
    f.instruction(&I::If(BlockType::Empty));
    add_to_global(f, G_DEPTH, 1);
    f.instruction(&I::Call(target));
    add_to_global(f, G_DEPTH, -1);
    f.instruction(&I::End);
}

fn global(f: &mut Function, index: u32) {
    f.instruction(&I::GlobalGet(index));
}

/// [`global`], for an argument that is no constant.
fn global_none(f: &mut Function, index: u32) -> Option<u32> {
    global(f, index);
    None
}

fn add_to_global(f: &mut Function, index: u32, delta: i32) {
    f.instruction(&I::GlobalGet(index));
    f.instruction(&I::I32Const(delta));
    f.instruction(&I::I32Add);
    f.instruction(&I::GlobalSet(index));
}

fn end(mut f: Function) -> Function {
    f.instruction(&I::End);
    f
}

/// `acc = rotl(acc, 5) ^ value`.
fn mix() -> Function {
    let mut f = Function::new([]);
    f.instruction(&I::GlobalGet(G_ACC));
    f.instruction(&I::I64Const(5));
    f.instruction(&I::I64Rotl);
    f.instruction(&I::LocalGet(0));
    f.instruction(&I::I64Xor);
    f.instruction(&I::GlobalSet(G_ACC));
    end(f)
}

/// Folds a region's length and each of its bytes in; nothing for pointer 0.
fn mix_region() -> Function {
    let (ptr, offset, length, at) = (0, 1, 2, 3);
    let mut f = Function::new([(3, ValType::I32)]);
    f.instruction(&I::LocalGet(ptr));
    f.instruction(&I::I32Eqz);
    f.instruction(&I::If(BlockType::Empty));
    f.instruction(&I::Return);
    f.instruction(&I::End);
    f.instruction(&I::LocalGet(ptr));
    f.instruction(&I::I32Load(memarg(0)));
    f.instruction(&I::LocalSet(offset));
    f.instruction(&I::LocalGet(ptr));
    f.instruction(&I::I32Load(memarg(8)));
    f.instruction(&I::LocalTee(length));
    f.instruction(&I::I64ExtendI32U);
    f.instruction(&I::Call(F_MIX));
    f.instruction(&I::Block(BlockType::Empty));
    f.instruction(&I::Loop(BlockType::Empty));
    f.instruction(&I::LocalGet(at));
    f.instruction(&I::LocalGet(length));
    f.instruction(&I::I32GeU);
    f.instruction(&I::BrIf(1));
    f.instruction(&I::LocalGet(offset));
    f.instruction(&I::LocalGet(at));
    f.instruction(&I::I32Add);
    f.instruction(&I::I64Load8U(memarg(0)));
    f.instruction(&I::Call(F_MIX));
    f.instruction(&I::LocalGet(at));
    f.instruction(&I::I32Const(1));
    f.instruction(&I::I32Add);
    f.instruction(&I::LocalSet(at));
    f.instruction(&I::Br(0));
    f.instruction(&I::End);
    f.instruction(&I::End);
    end(f)
}

/// A loop of `iterations` multiply-adds on the digest.
fn burn(f: &mut Function, iterations: u32) {
    f.instruction(&I::I32Const(iterations as i32));
    f.instruction(&I::LocalSet(L_BURN));
    f.instruction(&I::Block(BlockType::Empty));
    f.instruction(&I::Loop(BlockType::Empty));
    f.instruction(&I::LocalGet(L_BURN));
    f.instruction(&I::I32Eqz);
    f.instruction(&I::BrIf(1));
    f.instruction(&I::GlobalGet(G_ACC));
    f.instruction(&I::I64Const(0x9E37_79B9_7F4A_7C15_u64 as i64));
    f.instruction(&I::I64Mul);
    f.instruction(&I::LocalGet(L_BURN));
    f.instruction(&I::I64ExtendI32U);
    f.instruction(&I::I64Add);
    f.instruction(&I::GlobalSet(G_ACC));
    f.instruction(&I::LocalGet(L_BURN));
    f.instruction(&I::I32Const(1));
    f.instruction(&I::I32Sub);
    f.instruction(&I::LocalSet(L_BURN));
    f.instruction(&I::Br(0));
    f.instruction(&I::End);
    f.instruction(&I::End);
}

/// `allocate(size)`: `routine` first (a function index and the depth
/// limit it runs under), then a region of `size` bytes after the last one,
/// growing memory as needed (`unreachable` if it cannot).
fn allocate(routine: Option<(u32, u32)>) -> Function {
    let (size, ptr, needed) = (0, 1, 2);
    let mut f = Function::new([(2, ValType::I32)]);
    if let Some((target, max_depth)) = routine {
        call_guarded(&mut f, target, max_depth);
    }
    let locals = crate::bump::BumpLocals { size, ptr, needed };
    crate::bump::emit_allocate(&mut f, G_NEXT, locals);
    end(f)
}
