//! The bump allocator both generated programs export as `allocate`: a
//! region of `size` bytes after the last one, memory grown as needed.

use wasm_encoder::{BlockType, Function, Instruction as I, MemArg};

/// Bytes of a Wasm page.
const PAGE_BYTES: i32 = 65_536;

/// The locals the allocator's body uses: the `size` parameter and two
/// `i32` scratch locals.
#[derive(Clone, Copy)]
pub(crate) struct BumpLocals {
    /// The requested size (the function's parameter).
    pub(crate) size: u32,
    /// The new region's address.
    pub(crate) ptr: u32,
    /// Pages still to grow.
    pub(crate) needed: u32,
}

fn memarg(offset: u64) -> MemArg {
    MemArg {
        offset,
        align: 0,
        memory_index: 0,
    }
}

/// Emits the allocation, leaving the region's address on the operand
/// stack: `ptr = (next + 7) & !7`, `next = ptr + 12 + size`, memory grown
/// to cover `next` (`unreachable` if it cannot), then the region written
/// at `ptr` (offset `ptr + 12`, capacity `size`, length 0). `next` is the
/// global the program keeps its high-water mark in.
pub(crate) fn emit_allocate(f: &mut Function, next: u32, locals: BumpLocals) {
    let BumpLocals { size, ptr, needed } = locals;
    // ptr = (next + 7) & !7
    f.instruction(&I::GlobalGet(next));
    f.instruction(&I::I32Const(7));
    f.instruction(&I::I32Add);
    f.instruction(&I::I32Const(-8));
    f.instruction(&I::I32And);
    f.instruction(&I::LocalSet(ptr));
    // next = ptr + 12 + size
    f.instruction(&I::LocalGet(ptr));
    f.instruction(&I::I32Const(12));
    f.instruction(&I::I32Add);
    f.instruction(&I::LocalGet(size));
    f.instruction(&I::I32Add);
    f.instruction(&I::GlobalSet(next));
    // needed = ceil(next / page) - memory.size
    f.instruction(&I::GlobalGet(next));
    f.instruction(&I::I32Const(PAGE_BYTES - 1));
    f.instruction(&I::I32Add);
    f.instruction(&I::I32Const(16));
    f.instruction(&I::I32ShrU);
    f.instruction(&I::MemorySize(0));
    f.instruction(&I::I32Sub);
    f.instruction(&I::LocalTee(needed));
    f.instruction(&I::I32Const(0));
    f.instruction(&I::I32GtS);
    f.instruction(&I::If(BlockType::Empty));
    f.instruction(&I::LocalGet(needed));
    f.instruction(&I::MemoryGrow(0));
    f.instruction(&I::I32Const(-1));
    f.instruction(&I::I32Eq);
    f.instruction(&I::If(BlockType::Empty));
    f.instruction(&I::Unreachable);
    f.instruction(&I::End);
    f.instruction(&I::End);
    // The region: offset, capacity, length 0.
    f.instruction(&I::LocalGet(ptr));
    f.instruction(&I::LocalGet(ptr));
    f.instruction(&I::I32Const(12));
    f.instruction(&I::I32Add);
    f.instruction(&I::I32Store(memarg(0)));
    f.instruction(&I::LocalGet(ptr));
    f.instruction(&I::LocalGet(size));
    f.instruction(&I::I32Store(memarg(4)));
    f.instruction(&I::LocalGet(ptr));
    f.instruction(&I::I32Const(0));
    f.instruction(&I::I32Store(memarg(8)));
    f.instruction(&I::LocalGet(ptr));
}
