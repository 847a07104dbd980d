//! Contract-shaped modules that load, store and grow at chosen addresses:
//! the memory-edge suite writes them by hand, the fuzzer draws them.
//!
//! The module has one memory of `initial_pages` (no maximum, as validation
//! requires), a bump allocator that runs the `in_allocate` steps at its
//! first call in each instance (so they run while a 0-page memory is still
//! empty, before any argument is written) or, with `allocate_gate`, at
//! every call asked for exactly that many bytes; and entry points that run
//! their steps (`in_execute` for `instantiate` and `execute`, `in_query` for
//! `query`, `migrate`, `sudo` and `reply`) and return the 8 bytes of a
//! running digest of every value loaded, every `memory.grow` result and
//! every `memory.size`. A load that read another instance's memory would
//! show in those bytes. Since a reset instance must be a new instance, the
//! gate and the entry point are what let one call differ from the next.
//!
//! The allocator keeps its regions in `[ARENA_START, ...)`, and generated
//! low addresses stay below it, so a store breaks the ABI only when it is
//! meant to hit the edges of memory.

use arbitrary::{Arbitrary, Unstructured};
use wasm_encoder::{
    CodeSection, ConstExpr, ExportKind, ExportSection, Function, FunctionSection, GlobalSection,
    GlobalType, ImportSection, Instruction, MemArg, MemorySection, MemoryType, Module, TypeSection,
    ValType,
};

/// Where the allocator's first region goes.
pub const ARENA_START: u32 = 1024;

/// Bytes in a Wasm page.
pub const PAGE_BYTES: u32 = 65_536;

/// Every load and store the chain's feature set has, with its width.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Arbitrary)]
#[allow(missing_docs)] // the names are the instructions'
pub enum MemoryOp {
    I32Load,
    I64Load,
    F32Load,
    F64Load,
    I32Load8S,
    I32Load8U,
    I32Load16S,
    I32Load16U,
    I64Load8S,
    I64Load8U,
    I64Load16S,
    I64Load16U,
    I64Load32S,
    I64Load32U,
    I32Store,
    I64Store,
    F32Store,
    F64Store,
    I32Store8,
    I32Store16,
    I64Store8,
    I64Store16,
    I64Store32,
}

impl MemoryOp {
    /// Every operation, loads first.
    pub const ALL: [MemoryOp; 23] = [
        Self::I32Load,
        Self::I64Load,
        Self::F32Load,
        Self::F64Load,
        Self::I32Load8S,
        Self::I32Load8U,
        Self::I32Load16S,
        Self::I32Load16U,
        Self::I64Load8S,
        Self::I64Load8U,
        Self::I64Load16S,
        Self::I64Load16U,
        Self::I64Load32S,
        Self::I64Load32U,
        Self::I32Store,
        Self::I64Store,
        Self::F32Store,
        Self::F64Store,
        Self::I32Store8,
        Self::I32Store16,
        Self::I64Store8,
        Self::I64Store16,
        Self::I64Store32,
    ];

    /// Bytes the operation touches.
    pub fn width(self) -> u32 {
        use MemoryOp::*;
        match self {
            I32Load8S | I32Load8U | I64Load8S | I64Load8U | I32Store8 | I64Store8 => 1,
            I32Load16S | I32Load16U | I64Load16S | I64Load16U | I32Store16 | I64Store16 => 2,
            I32Load | F32Load | I64Load32S | I64Load32U | I32Store | F32Store | I64Store32 => 4,
            I64Load | F64Load | I64Store | F64Store => 8,
        }
    }

    /// Whether the operation writes memory.
    pub fn is_store(self) -> bool {
        use MemoryOp::*;
        matches!(
            self,
            I32Store
                | I64Store
                | F32Store
                | F64Store
                | I32Store8
                | I32Store16
                | I64Store8
                | I64Store16
                | I64Store32
        )
    }
}

/// One step of a program.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// A load or store at `address` with the static `offset` (the
    /// effective address is their sum, a 33-bit number); a store writes
    /// `value` (truncated to the operation's width).
    Access {
        /// The instruction.
        op: MemoryOp,
        /// The dynamic address operand.
        address: u32,
        /// The instruction's offset immediate.
        offset: u32,
        /// What a store writes.
        value: u64,
    },
    /// `memory.grow` by `pages`.
    Grow(u32),
    /// `memory.size`.
    Size,
}

/// A contract-shaped module (see the module docs).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemoryProgram {
    /// The memory's declared initial size.
    pub initial_pages: u32,
    /// Steps run by `allocate`: at its first call in each instance, or with
    /// `allocate_gate`, at every call for exactly that many bytes.
    pub in_allocate: Vec<Step>,
    /// See `in_allocate`.
    pub allocate_gate: Option<u32>,
    /// Steps run by `instantiate` and `execute`.
    pub in_execute: Vec<Step>,
    /// Steps run by `query`, `migrate`, `sudo` and `reply`.
    pub in_query: Vec<Step>,
}

const ACC: u32 = 0;
const NEXT: u32 = 1;
const FRESH: u32 = 2;

const ALLOCATE: u32 = 0;
const DEALLOCATE: u32 = 1;
const INTERFACE: u32 = 2;
const ALLOCATE_STEPS: u32 = 3;
const EXECUTE_STEPS: u32 = 4;
const QUERY_STEPS: u32 = 5;
const ENTRY3: u32 = 6;
const ENTRY2: u32 = 7;

fn memarg(offset: u32) -> MemArg {
    MemArg {
        offset: u64::from(offset),
        align: 0,
        memory_index: 0,
    }
}

impl MemoryProgram {
    /// The module's bytes.
    pub fn to_wasm(&self) -> Vec<u8> {
        let mut types = TypeSection::new();
        let i32_ = ValType::I32;
        types.ty().function([i32_], [i32_]); // 0: allocate
        types.ty().function([i32_], []); // 1: deallocate
        types.ty().function([], []); // 2: nothing in, nothing out
        types.ty().function([i32_, i32_, i32_], [i32_]); // 3: env, info, msg
        types.ty().function([i32_, i32_], [i32_]); // 4: env, msg

        let mut functions = FunctionSection::new();
        for ty in [0, 1, 2, 2, 2, 2, 3, 4] {
            functions.function(ty);
        }

        let mut memories = MemorySection::new();
        memories.memory(MemoryType {
            minimum: u64::from(self.initial_pages),
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
        globals.global(
            mutable(ValType::I32),
            &ConstExpr::i32_const(ARENA_START as i32),
        );
        globals.global(mutable(ValType::I32), &ConstExpr::i32_const(1));

        let mut exports = ExportSection::new();
        exports.export("memory", ExportKind::Memory, 0);
        exports.export("allocate", ExportKind::Func, ALLOCATE);
        exports.export("deallocate", ExportKind::Func, DEALLOCATE);
        exports.export("interface_version_8", ExportKind::Func, INTERFACE);
        for name in ["instantiate", "execute"] {
            exports.export(name, ExportKind::Func, ENTRY3);
        }
        for name in ["query", "migrate", "sudo", "reply"] {
            exports.export(name, ExportKind::Func, ENTRY2);
        }

        let mut code = CodeSection::new();
        code.function(&allocate(self.allocate_gate));
        code.function(&end_only(Function::new([])));
        code.function(&end_only(Function::new([])));
        code.function(&steps(&self.in_allocate));
        code.function(&steps(&self.in_execute));
        code.function(&steps(&self.in_query));
        code.function(&entry(3, EXECUTE_STEPS));
        code.function(&entry(2, QUERY_STEPS));

        let mut module = Module::new();
        module.section(&types);
        module.section(&ImportSection::new());
        module.section(&functions);
        module.section(&memories);
        module.section(&globals);
        module.section(&exports);
        module.section(&code);
        module.finish()
    }

    /// Draws a program biased towards the edges of memory: sizes of 0, 1
    /// and a few pages, addresses at and around the current end, at 2 GiB
    /// and 4 GiB, offsets that carry the effective address past 4 GiB.
    ///
    /// # Errors
    /// `u` ran out in a way `arbitrary` reports.
    pub fn arbitrary(u: &mut Unstructured<'_>) -> arbitrary::Result<Self> {
        let initial_pages = *u.choose(&[0, 0, 1, 1, 2, 3, 17])?;
        let mut pages = initial_pages;
        let mut in_allocate = Vec::new();
        for _ in 0..u.int_in_range(0..=3)? {
            in_allocate.push(arbitrary_step(u, &mut pages)?);
        }
        // `allocate` grows an empty memory to one page for its arena.
        let pages_in_entry = pages.max(1);
        let entry_steps = |u: &mut Unstructured<'_>| {
            let mut pages = pages_in_entry;
            (0..u.int_in_range(0..=6)?)
                .map(|_| arbitrary_step(u, &mut pages))
                .collect::<arbitrary::Result<Vec<_>>>()
        };
        let in_execute = entry_steps(u)?;
        let in_query = entry_steps(u)?;
        Ok(Self {
            initial_pages,
            in_allocate,
            allocate_gate: None,
            in_execute,
            in_query,
        })
    }
}

/// A step whose address is drawn near the edges of a memory of about
/// `pages` (updated for a grow that would succeed).
fn arbitrary_step(u: &mut Unstructured<'_>, pages: &mut u32) -> arbitrary::Result<Step> {
    Ok(match u.int_in_range(0..=9)? {
        0 => {
            let grow = *u.choose(&[0, 1, 2, 600])?;
            if *pages + grow <= 512 {
                *pages += grow;
            }
            Step::Grow(grow)
        }
        1 => Step::Size,
        _ => {
            let op = *u.choose(&MemoryOp::ALL)?;
            let end = pages.saturating_mul(PAGE_BYTES);
            let near = |at: u32, delta: i32| at.wrapping_add_signed(delta);
            let delta = u.int_in_range(-9..=9)?;
            let effective = match u.int_in_range(0..=6)? {
                0 => u.int_in_range(0..=ARENA_START - 8)?,
                1 | 2 => near(end, delta),
                3 => near(end.wrapping_add(PAGE_BYTES), delta),
                4 => near(1 << 31, delta),
                5 => near(0, delta),
                _ => u.arbitrary()?,
            };
            // Split the effective address between operand and offset; now
            // and then let the offset carry it past 4 GiB.
            let offset = match u.int_in_range(0..=3)? {
                0 => 0,
                1 => effective,
                2 => u32::MAX - u.int_in_range(0..=16)?,
                _ => u.int_in_range(0..=effective)?,
            };
            Step::Access {
                op,
                address: effective.wrapping_sub(offset),
                offset,
                value: u.arbitrary()?,
            }
        }
    })
}

fn end_only(mut function: Function) -> Function {
    function.instruction(&Instruction::End);
    function
}

/// `acc = rotl(acc, 5) ^ (the i64 on the stack)`: the caller pushes the
/// value between [`mix_start`] and [`mix_end`].
fn mix_start(f: &mut Function) {
    f.instruction(&Instruction::GlobalGet(ACC));
    f.instruction(&Instruction::I64Const(5));
    f.instruction(&Instruction::I64Rotl);
}

fn mix_end(f: &mut Function) {
    f.instruction(&Instruction::I64Xor);
    f.instruction(&Instruction::GlobalSet(ACC));
}

fn steps(steps: &[Step]) -> Function {
    let mut f = Function::new([]);
    for step in steps {
        match *step {
            Step::Grow(pages) => {
                mix_start(&mut f);
                f.instruction(&Instruction::I32Const(pages as i32));
                f.instruction(&Instruction::MemoryGrow(0));
                f.instruction(&Instruction::I64ExtendI32S);
                mix_end(&mut f);
            }
            Step::Size => {
                mix_start(&mut f);
                f.instruction(&Instruction::MemorySize(0));
                f.instruction(&Instruction::I64ExtendI32S);
                mix_end(&mut f);
            }
            Step::Access {
                op,
                address,
                offset,
                value,
            } if op.is_store() => store(&mut f, op, address, offset, value),
            Step::Access {
                op,
                address,
                offset,
                ..
            } => {
                mix_start(&mut f);
                f.instruction(&Instruction::I32Const(address as i32));
                load(&mut f, op, offset);
                mix_end(&mut f);
            }
        }
    }
    end_only(f)
}

/// Loads with `op` from the address on the stack, leaving an i64.
fn load(f: &mut Function, op: MemoryOp, offset: u32) {
    use MemoryOp::*;
    let m = memarg(offset);
    let (load, widen): (Instruction<'_>, &[Instruction<'_>]) = match op {
        I32Load => (Instruction::I32Load(m), &[Instruction::I64ExtendI32U]),
        I64Load => (Instruction::I64Load(m), &[]),
        F32Load => (
            Instruction::F32Load(m),
            &[Instruction::I32ReinterpretF32, Instruction::I64ExtendI32U],
        ),
        F64Load => (Instruction::F64Load(m), &[Instruction::I64ReinterpretF64]),
        I32Load8S => (Instruction::I32Load8S(m), &[Instruction::I64ExtendI32U]),
        I32Load8U => (Instruction::I32Load8U(m), &[Instruction::I64ExtendI32U]),
        I32Load16S => (Instruction::I32Load16S(m), &[Instruction::I64ExtendI32U]),
        I32Load16U => (Instruction::I32Load16U(m), &[Instruction::I64ExtendI32U]),
        I64Load8S => (Instruction::I64Load8S(m), &[]),
        I64Load8U => (Instruction::I64Load8U(m), &[]),
        I64Load16S => (Instruction::I64Load16S(m), &[]),
        I64Load16U => (Instruction::I64Load16U(m), &[]),
        I64Load32S => (Instruction::I64Load32S(m), &[]),
        I64Load32U => (Instruction::I64Load32U(m), &[]),
        _ => unreachable!("{op:?} is a store"),
    };
    f.instruction(&load);
    for instruction in widen {
        f.instruction(instruction);
    }
}

fn store(f: &mut Function, op: MemoryOp, address: u32, offset: u32, value: u64) {
    use MemoryOp::*;
    let m = memarg(offset);
    f.instruction(&Instruction::I32Const(address as i32));
    let (constant, store) = match op {
        I32Store => (
            Instruction::I32Const(value as i32),
            Instruction::I32Store(m),
        ),
        I32Store8 => (
            Instruction::I32Const(value as i32),
            Instruction::I32Store8(m),
        ),
        I32Store16 => (
            Instruction::I32Const(value as i32),
            Instruction::I32Store16(m),
        ),
        I64Store => (
            Instruction::I64Const(value as i64),
            Instruction::I64Store(m),
        ),
        I64Store8 => (
            Instruction::I64Const(value as i64),
            Instruction::I64Store8(m),
        ),
        I64Store16 => (
            Instruction::I64Const(value as i64),
            Instruction::I64Store16(m),
        ),
        I64Store32 => (
            Instruction::I64Const(value as i64),
            Instruction::I64Store32(m),
        ),
        F32Store => (
            Instruction::F32Const(f32::from_bits(value as u32).into()),
            Instruction::F32Store(m),
        ),
        F64Store => (
            Instruction::F64Const(f64::from_bits(value).into()),
            Instruction::F64Store(m),
        ),
        _ => unreachable!("{op:?} is a load"),
    };
    f.instruction(&constant);
    f.instruction(&store);
}

/// `allocate(size)`: on the instance's first call (or on every call for
/// `gate` bytes), the allocate steps; then a region of `size` bytes after
/// the last one, growing memory as needed (`unreachable` if it cannot).
fn allocate(gate: Option<u32>) -> Function {
    use Instruction as I;
    let (size, ptr, needed) = (0, 1, 2);
    let mut f = Function::new([(2, ValType::I32)]);
    match gate {
        None => {
            f.instruction(&I::GlobalGet(FRESH));
            f.instruction(&I::If(wasm_encoder::BlockType::Empty));
            f.instruction(&I::I32Const(0));
            f.instruction(&I::GlobalSet(FRESH));
        }
        Some(bytes) => {
            f.instruction(&I::LocalGet(size));
            f.instruction(&I::I32Const(bytes as i32));
            f.instruction(&I::I32Eq);
            f.instruction(&I::If(wasm_encoder::BlockType::Empty));
        }
    }
    f.instruction(&I::Call(ALLOCATE_STEPS));
    f.instruction(&I::End);
    let locals = crate::bump::BumpLocals { size, ptr, needed };
    crate::bump::emit_allocate(&mut f, NEXT, locals);
    end_only(f)
}

/// An entry point of `params` region arguments: its steps (function
/// `steps`), then the digest as an 8-byte result.
fn entry(params: u32, steps: u32) -> Function {
    use Instruction as I;
    let region = params;
    let mut f = Function::new([(1, ValType::I32)]);
    f.instruction(&I::Call(steps));
    f.instruction(&I::I32Const(8));
    f.instruction(&I::Call(ALLOCATE));
    f.instruction(&I::LocalTee(region));
    f.instruction(&I::I32Load(memarg(0)));
    f.instruction(&I::GlobalGet(ACC));
    f.instruction(&I::I64Store(memarg(0)));
    f.instruction(&I::LocalGet(region));
    f.instruction(&I::I32Const(8));
    f.instruction(&I::I32Store(memarg(8)));
    f.instruction(&I::LocalGet(region));
    end_only(f)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drawn_programs_are_valid_wasm_under_the_chain_features() {
        let mut seed = 0u64;
        for _ in 0..200 {
            let bytes: Vec<u8> = (0..256)
                .map(|_| {
                    seed = seed
                        .wrapping_mul(6_364_136_223_846_793_005)
                        .wrapping_add(1_442_695_040_888_963_407);
                    (seed >> 56) as u8
                })
                .collect();
            let program = MemoryProgram::arbitrary(&mut Unstructured::new(&bytes)).unwrap();
            wasmparser::Validator::new()
                .validate_all(&program.to_wasm())
                .unwrap();
        }
    }
}
