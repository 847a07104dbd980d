//! The guest as the host sees it: its memory ([`GuestMemory`]), its
//! metering globals, and the exports the host calls by name (`allocate`,
//! `deallocate`, entry points) with cosmwasm-vm's ABI checks in
//! cosmwasm-vm's order, as cw-host's Wasmer bridge makes them.

use core::cell::RefCell;
use std::fmt::Write as _;

use cw_gas::CostTable;
use cw_gas::instrument::{
    POINTS_EXHAUSTED_EXPORT, REMAINING_POINTS_EXPORT, points_exhausted, points_global_value,
};
use cw_host::{ExportProblem, GuestAllocator, HostError, LentContext};
use cw_region::{GuestMemory, MemoryAccessError};
use wasmi::{AsContext, AsContextMut, Extern, Func, Global, Memory, Val, ValType};

use crate::store::{CallSlot, LentPtr, StoreData};

/// A failed import, carried through wasmi as a host error so the caller of
/// the guest gets it back whole.
#[derive(Debug)]
pub(crate) struct ImportFailed(pub(crate) HostError);

impl core::fmt::Display for ImportFailed {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        core::fmt::Display::fmt(&self.0, f)
    }
}

impl wasmi::errors::HostError for ImportFailed {}

/// Why a call of a guest function failed.
#[derive(Debug)]
pub(crate) enum GuestCallError {
    /// The ABI check failed (before or after the function ran).
    Host(HostError),
    /// The function trapped (or an import it called failed).
    Wasm(wasmi::Error),
}

impl From<HostError> for GuestCallError {
    fn from(error: HostError) -> Self {
        Self::Host(error)
    }
}

/// A type's name as Wasmer prints it (`wasmer_types::Type`'s `Debug`), so
/// that a refusal reads the same on both engines.
fn type_name(ty: ValType) -> &'static str {
    match ty {
        ValType::I32 => "I32",
        ValType::I64 => "I64",
        ValType::F32 => "F32",
        ValType::F64 => "F64",
        ValType::V128 => "V128",
        ValType::FuncRef => "FuncRef",
        ValType::ExternRef => "ExternRef",
    }
}

fn type_list(types: impl IntoIterator<Item = ValType>) -> String {
    let mut out = String::new();
    for (i, ty) in types.into_iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        out.push_str(type_name(ty));
    }
    out
}

/// Wasmer's refusal of arguments whose types differ from the signature
/// (`Function::call`: "Parameters of type [..] did not match signature
/// [..] -> [..]"), which cosmwasm-vm and the Wasmer path report.
fn parameter_types_message(arguments: &[Val], ty: &wasmi::FuncType) -> String {
    let mut message = String::from("Parameters of type [");
    message.push_str(&type_list(arguments.iter().map(Val::ty)));
    let _ = write!(
        message,
        "] did not match signature [{}] -> [{}]",
        type_list(ty.params().iter().copied()),
        type_list(ty.results().iter().copied())
    );
    message
}

/// The export `name` as a function, or the ABI problem.
pub(crate) fn find_function(export: Option<Extern>, name: &'static str) -> Result<Func, HostError> {
    match export {
        Some(Extern::Func(function)) => Ok(function),
        Some(_) => Err(HostError::GuestExport {
            name,
            problem: ExportProblem::NotAFunction,
        }),
        None => Err(HostError::GuestExport {
            name,
            problem: ExportProblem::Missing,
        }),
    }
}

/// Calls `function` (the export `name`) with `arguments` within one more
/// host-to-guest level, checking as cosmwasm-vm does: the arity, the
/// depth, the parameter types, then it runs; returns its results, whose
/// count and types the caller checks.
pub(crate) fn call_checked<T: CostTable>(
    mut ctx: impl AsContextMut<Data = StoreData<T>>,
    function: Func,
    name: &'static str,
    arguments: &[Val],
) -> Result<Vec<Val>, GuestCallError> {
    let ty = function.ty(&ctx);
    let arity = ty.params().len();
    if arity != arguments.len() {
        return Err(HostError::GuestExport {
            name,
            problem: ExportProblem::Arity {
                contract_method_arity: arity,
            },
        }
        .into());
    }
    ctx.as_context_mut().data_mut().enter()?;
    let typed_right = ty
        .params()
        .iter()
        .zip(arguments)
        .all(|(param, argument)| *param == argument.ty());
    let result = if typed_right {
        let mut results: Vec<Val> = ty
            .results()
            .iter()
            .map(|ty| Val::default_for_ty(*ty))
            .collect();
        function
            .call(&mut ctx, arguments, &mut results)
            .map(|()| results)
            .map_err(GuestCallError::Wasm)
    } else {
        // Wasmer refuses mistyped arguments before running anything.
        Err(GuestCallError::Host(HostError::GuestExport {
            name,
            problem: ExportProblem::ParameterTypes {
                message: parameter_types_message(arguments, &ty),
            },
        }))
    };
    ctx.as_context_mut().data_mut().leave();
    result
}

/// Calls an `allocate`-like export, `(u32) -> u32`.
pub(crate) fn call_u32<T: CostTable>(
    mut ctx: impl AsContextMut<Data = StoreData<T>>,
    export: Option<Extern>,
    name: &'static str,
    argument: u32,
) -> Result<u32, GuestCallError> {
    let function = find_function(export, name)?;
    let results = call_checked(&mut ctx, function, name, &[Val::I32(argument as i32)])?;
    match results.as_slice() {
        [Val::I32(value)] => Ok(*value as u32),
        [_] => Err(HostError::GuestExport {
            name,
            problem: ExportProblem::ResultType,
        }
        .into()),
        values => Err(HostError::GuestExport {
            name,
            problem: ExportProblem::ResultCount {
                expected: 1,
                actual: values.len(),
            },
        }
        .into()),
    }
}

/// Calls a `deallocate`-like export, `(u32) -> ()`.
pub(crate) fn call_unit<T: CostTable>(
    mut ctx: impl AsContextMut<Data = StoreData<T>>,
    export: Option<Extern>,
    name: &'static str,
    argument: u32,
) -> Result<(), GuestCallError> {
    let function = find_function(export, name)?;
    let results = call_checked(&mut ctx, function, name, &[Val::I32(argument as i32)])?;
    if !results.is_empty() {
        return Err(HostError::GuestExport {
            name,
            problem: ExportProblem::ResultCount {
                expected: 0,
                actual: results.len(),
            },
        }
        .into());
    }
    Ok(())
}

/// The two metering globals of an instance.
#[derive(Clone, Copy, Debug)]
pub(crate) struct MeteringGlobals {
    remaining: Global,
    exhausted: Global,
}

const NOT_METERED: HostError = HostError::Bridge {
    problem: "the module was not instrumented with metering",
};

impl MeteringGlobals {
    /// Finds them among the exports `lookup` gives.
    pub(crate) fn find(mut lookup: impl FnMut(&str) -> Option<Extern>) -> Result<Self, HostError> {
        let mut global = |name| match lookup(name) {
            Some(Extern::Global(global)) => Ok(global),
            _ => Err(NOT_METERED),
        };
        Ok(Self {
            remaining: global(REMAINING_POINTS_EXPORT)?,
            exhausted: global(POINTS_EXHAUSTED_EXPORT)?,
        })
    }

    /// The operator gas left, or `None` once it ran out: the flag is set,
    /// or the count went below zero (cw-gas's unchecked charges).
    pub(crate) fn points_left(&self, ctx: impl AsContext) -> Option<u64> {
        let flag = match self.exhausted.get(&ctx) {
            Val::I32(v) => u64::from(v.unsigned_abs()),
            _ => return None,
        };
        let raw = match self.remaining.get(&ctx) {
            Val::I64(v) => u64::from_ne_bytes(v.to_ne_bytes()),
            _ => return None,
        };
        (!points_exhausted(flag, raw)).then_some(raw)
    }

    /// Sets the operator gas left (at most `i64::MAX`) and clears the flag.
    pub(crate) fn set_points_left(
        &self,
        mut ctx: impl AsContextMut,
        points: u64,
    ) -> Result<(), HostError> {
        let problem = HostError::Bridge {
            problem: "the metering globals are not mutable",
        };
        self.remaining
            .set(&mut ctx, Val::I64(points_global_value(points)))
            .map_err(|_| problem.clone())?;
        self.exhausted
            .set(&mut ctx, Val::I32(0))
            .map_err(|_| problem)
    }
}

/// One instance's memory, metering globals and exports, seen through a
/// store context (the runtime's store, or an import's caller). The context
/// is in a cell so that the host logic can read memory and call the
/// allocator through the same object.
pub(crate) struct Guest<C> {
    ctx: RefCell<C>,
    memory: Memory,
    globals: MeteringGlobals,
    /// The `allocate` export as found (a missing or mistyped one fails
    /// when called, as on cosmwasm-vm).
    allocate: Option<Extern>,
}

impl<C: AsContextMut> Guest<C> {
    pub(crate) fn new(
        ctx: C,
        memory: Memory,
        globals: MeteringGlobals,
        allocate: Option<Extern>,
    ) -> Self {
        Self {
            ctx: RefCell::new(ctx),
            memory,
            globals,
            allocate,
        }
    }

    /// The context back.
    pub(crate) fn into_inner(self) -> C {
        self.ctx.into_inner()
    }

    /// The operator gas left, or `None` once it ran out.
    pub(crate) fn points_left(&self) -> Option<u64> {
        let ctx = self.ctx.try_borrow().ok()?;
        self.globals.points_left(&*ctx)
    }

    /// Sets the operator gas left and clears the exhausted flag.
    pub(crate) fn set_points_left(&self, points: u64) -> Result<(), HostError> {
        let mut ctx = self.ctx.try_borrow_mut().map_err(|_| HostError::Bridge {
            problem: "the guest is busy",
        })?;
        self.globals.set_points_left(&mut *ctx, points)
    }
}

impl<C: AsContextMut> GuestMemory for Guest<C> {
    fn size_bytes(&self) -> u64 {
        self.ctx.try_borrow().map_or(0, |ctx| {
            u64::try_from(self.memory.data_size(&*ctx)).unwrap_or(u64::MAX)
        })
    }

    fn read(&self, offset: u32, buf: &mut [u8]) -> Result<(), MemoryAccessError> {
        let Ok(ctx) = self.ctx.try_borrow() else {
            return Err(MemoryAccessError::new(offset, buf.len(), 0));
        };
        let start = usize::try_from(offset).unwrap_or(usize::MAX);
        self.memory.read(&*ctx, start, buf).map_err(|_| {
            MemoryAccessError::new(
                offset,
                buf.len(),
                u64::try_from(self.memory.data_size(&*ctx)).unwrap_or(u64::MAX),
            )
        })
    }

    fn write(&self, offset: u32, data: &[u8]) -> Result<(), MemoryAccessError> {
        let Ok(mut ctx) = self.ctx.try_borrow_mut() else {
            return Err(MemoryAccessError::new(offset, data.len(), 0));
        };
        let start = usize::try_from(offset).unwrap_or(usize::MAX);
        let size = u64::try_from(self.memory.data_size(&*ctx)).unwrap_or(u64::MAX);
        self.memory
            .write(&mut *ctx, start, data)
            .map_err(|_| MemoryAccessError::new(offset, data.len(), size))
    }
}

/// `allocate` runs guest code: it gets `gas_left` to spend and reports
/// what is left, also when it traps (cw-host's Wasmer bridge, same steps).
impl<T: CostTable, C: AsContextMut<Data = StoreData<T>>> Guest<C> {
    fn run_allocate(
        &self,
        lent: Option<LentPtr<T>>,
        size: u32,
        gas_left: &mut u64,
    ) -> Result<u32, HostError> {
        self.set_points_left(*gas_left)?;
        let result = {
            let mut ctx = self.ctx.try_borrow_mut().map_err(|_| HostError::Bridge {
                problem: "the guest is busy",
            })?;
            let lent_slot = lent.map(|lent| {
                core::mem::replace(
                    &mut ctx.as_context_mut().data_mut().slot,
                    CallSlot::Lent(lent),
                )
            });
            let result = call_u32(&mut *ctx, self.allocate, "allocate", size);
            if let Some(previous) = lent_slot {
                ctx.as_context_mut().data_mut().slot = previous;
            }
            result
        };
        let Some(left) = self.points_left() else {
            // Out of gas, even if `allocate` returned: the caller reports it.
            *gas_left = 0;
            return Err(HostError::AllocatorOutOfGas { size });
        };
        *gas_left = left;
        result.map_err(|e| match e {
            GuestCallError::Host(problem) => problem,
            GuestCallError::Wasm(e) => {
                if crate::trap::import_failure(&e).is_none() {
                    return HostError::Allocation {
                        size,
                        message: crate::trap::message_of(&e),
                    };
                }
                match e.downcast::<ImportFailed>() {
                    // An import inside `allocate` failed: that failure is
                    // the cause, handed up as it is (moved, not copied).
                    Some(ImportFailed(inner)) => inner,
                    None => HostError::Bridge {
                        problem: "an import failure changed its type",
                    },
                }
            }
        })
    }
}

impl<T: CostTable, C: AsContextMut<Data = StoreData<T>>> GuestAllocator for &Guest<C> {
    /// Runs `allocate` with the backend where it is: for callers that lend
    /// nothing (cw-host's imports always lend, see `allocate_lent`).
    fn allocate(&mut self, size: u32, gas_left: &mut u64) -> Result<u32, HostError> {
        self.run_allocate(None, size, gas_left)
    }

    /// Runs `allocate` with the allocating import's context lent to the
    /// imports the contract's `allocate` may call.
    fn allocate_lent(
        &mut self,
        lent: LentContext<'_>,
        size: u32,
        gas_left: &mut u64,
    ) -> Result<u32, HostError> {
        let pointer = lent.as_ptr::<T>().ok_or(HostError::Bridge {
            problem: "an import lent a context of another cost table",
        })?;
        // `lent` (a parameter) stays alive, and the context it borrows
        // untouched by anything else, until this returns; the pointer
        // leaves the store before that (`run_allocate` puts the previous
        // slot back).
        self.run_allocate(Some(LentPtr(pointer)), size, gas_left)
    }
}
