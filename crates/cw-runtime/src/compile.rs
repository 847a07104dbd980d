//! Compiling validated code to a Wasmer module with metering and the
//! deterministic stack limit.

use std::borrow::Cow;
use std::fmt;

use cw_gas::CostTable;
use cw_gas::middleware::{AnalysedFunction, FunctionAnalysis, StackAnalysis, StackLimiter};
use sha2::{Digest, Sha256};
use wasmer::sys::NativeEngineExt;
use wasmer::{Engine, Module};
use wasmparser::{FuncValidator, Operator, Payload, ValidatorResources};

pub use crate::engine::Compiler;
use crate::engine::engine_with;
use crate::error::{RuntimeError, ValidationError};
use crate::instance::MemoryLimit;
use crate::validate::{
    BodyObserver, ModuleInfo, ModuleObserver, ValidationConfig, validate_observed,
};

/// The version of what this crate writes to the disk cache and of how it
/// compiles. Bump it whenever compiled code or the artifact file layout would
/// differ for the same inputs, so old artifacts are never reused.
///
/// - `1`: first version (Wasmer 7.4.2 singlepass, cw-gas metering + stack limit).
/// - `2`: custom sections are dropped before compiling (no names in the
///   compiled code).
/// - `3`: memory accesses are bounds-checked (Wasmer's dynamic memory style,
///   no offset guard) instead of relying on inaccessible pages.
/// - `4`: operator charges are checked only before calls and branches back
///   to a loop (cw-gas's metering); elsewhere they only subtract.
/// - `5`: Wasmer 7.4.2 -> 7.5.0 (with cosmwasm-vm 3.0.11); Wasmer does not
///   promise that artifacts survive a version change.
/// - `6`: a memory that starts with no pages is compiled unchecked over
///   guard pages (static style) instead of bounds-checked: Singlepass's
///   check wraps around at size zero (issue 20). Every reservation now
///   covers the whole 32-bit reach plus the offset guard.
/// - `7`: a leaf function the host can call (an export, the start function)
///   counts its own frame against the stack limit; NEAR's block
///   precharging keeps O(1) state per frame (same code for every module it
///   compiled before).
pub const MODULE_FORMAT_VERSION: u32 = 7;

pub use cw_host::Checksum;

/// Everything that decides what a module compiles to. Its [`key`](Self::key)
/// is part of every cache key, so changing any of it never reuses old code.
#[derive(Debug, Clone)]
pub struct CompileConfig<T: CostTable> {
    /// The gas schedule the metering middleware charges from.
    pub table: T,
    /// The deterministic stack limit in bytes; `None` leaves only Wasmer's
    /// native stack guard (not deterministic: use only in benchmarks).
    pub stack_limit_bytes: Option<u64>,
    /// What static validation accepts.
    pub validation: ValidationConfig,
}

impl<T: CostTable> CompileConfig<T> {
    /// A digest of the format version, Wasmer's version, the host target
    /// (triple and CPU features), the cost table's fingerprint and the stack
    /// limit.
    pub fn key(&self) -> String {
        let mut hasher = Sha256::new();
        hasher.update(MODULE_FORMAT_VERSION.to_le_bytes());
        hasher.update(wasmer_types::VERSION.as_bytes());
        hasher.update(format!("{:?}", wasmer::sys::Target::default()).as_bytes());
        hasher.update(self.table.fingerprint().to_string().as_bytes());
        hasher.update(self.stack_limit_bytes.unwrap_or(0).to_le_bytes());
        hasher.update([u8::from(self.stack_limit_bytes.is_some())]);
        hex::encode(&hasher.finalize()[..16])
    }

    /// [`key`](Self::key) for modules `compiler` compiled: the key itself
    /// for Singlepass (so existing disk caches stay valid), the key with the
    /// compiler's name appended otherwise.
    pub fn key_for(&self, compiler: Compiler) -> String {
        match compiler {
            Compiler::Singlepass => self.key(),
            other => format!("{}-{}", self.key(), other.name()),
        }
    }
}

/// A compiled module with the engine it runs on. Cloning is cheap.
#[derive(Clone)]
pub struct CompiledModule {
    /// The module.
    pub module: Module,
    /// The engine to create stores from for this module.
    pub engine: Engine,
    /// The checksum of the Wasm it was compiled from.
    pub checksum: Checksum,
    /// Size of its serialized artifact: the cache's measure of its memory use.
    pub size_bytes: usize,
    /// The compiler that made its code.
    pub compiler: Compiler,
}

impl fmt::Debug for CompiledModule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CompiledModule")
            .field("checksum", &self.checksum)
            .field("size_bytes", &self.size_bytes)
            .field("compiler", &self.compiler)
            .finish_non_exhaustive()
    }
}

/// Validates and compiles `wasm` with Singlepass; returns the module and
/// its serialized artifact (what the disk cache stores).
pub fn compile<T: CostTable>(
    wasm: &[u8],
    config: &CompileConfig<T>,
) -> Result<(CompiledModule, ModuleInfo, Vec<u8>), RuntimeError> {
    compile_with(wasm, config, Compiler::Singlepass)
}

/// [`compile`] with `compiler`. Every compiler accepts and refuses the same
/// code (validation comes first and is the same), and the modules charge
/// the same gas and give the same results. A compiler other than Singlepass
/// refuses code it cannot run exactly as Singlepass does, with
/// [`RuntimeError::NotExactOnCompiler`]: today, code that computes with
/// floats.
pub fn compile_with<T: CostTable>(
    wasm: &[u8],
    config: &CompileConfig<T>,
    compiler: Compiler,
) -> Result<(CompiledModule, ModuleInfo, Vec<u8>), RuntimeError> {
    compile_known(wasm, Checksum::of(wasm), config, compiler)
}

/// [`compile_with`] for a caller that has already hashed `wasm` (the
/// cache looks it up by `checksum` first), so a miss hashes it once.
pub(crate) fn compile_known<T: CostTable>(
    wasm: &[u8],
    checksum: Checksum,
    config: &CompileConfig<T>,
    compiler: Compiler,
) -> Result<(CompiledModule, ModuleInfo, Vec<u8>), RuntimeError> {
    let mut analysis = StackAnalysisObserver::default();
    let info = validate_observed(wasm, &config.validation, &mut analysis)?;
    if analysis.floats && compiler != Compiler::Singlepass {
        return Err(RuntimeError::NotExactOnCompiler {
            compiler: compiler.name(),
            reason: "the code computes with floats, and this compiler canonicalizes NaN \
                     results differently from Singlepass (the chain's compiler)",
        });
    }
    let limiter = config
        .stack_limit_bytes
        .map(|limit| StackLimiter::from_analysis(analysis.module, limit));
    let mut engine = engine_with(compiler, config.table.clone(), limiter);
    engine.set_tunables(MemoryLimit::for_compiling());
    let stripped = without_custom_sections(wasm)?;
    // SAFETY: Wasmer's own validation is skipped because `validate_observed`
    // has just run wasmparser's full validator (the version Wasmer 7.5.0
    // uses) over every section and body, under the chain's feature set,
    // which Wasmer's default features include. Dropping custom sections
    // cannot make a valid module invalid.
    let module =
        unsafe { Module::from_binary_unchecked(&engine, stripped.as_ref()) }.map_err(|e| {
            RuntimeError::Compile {
                message: e.to_string(),
            }
        })?;
    // `Vec::from` takes over the buffer Wasmer serialized into (megabytes
    // for a real contract) instead of copying it.
    let artifact = Vec::from(module.serialize().map_err(|e| RuntimeError::Serialize {
        message: e.to_string(),
    })?);
    let compiled = CompiledModule {
        module,
        engine,
        checksum,
        size_bytes: artifact.len(),
        compiler,
    };
    Ok((compiled, info, artifact))
}

/// Builds the stack limiter's analysis during validation, so every body is
/// read once.
#[derive(Default)]
struct StackAnalysisObserver {
    module: StackAnalysis,
    /// Whether any body computes with floats (see [`computes_with_floats`]).
    floats: bool,
}

impl ModuleObserver for StackAnalysisObserver {
    type Body = BodyAnalysis;

    fn section(&mut self, payload: &Payload<'_>) -> Result<(), ValidationError> {
        // The validator accepted the payload first, so this is unreachable
        // in practice; it still reports rather than panics.
        self.module.section(payload).map_err(|e| match e {
            cw_gas::GasError::InvalidWasm { offset, message } => ValidationError::InvalidWasm {
                offset: u64::try_from(offset).unwrap_or(u64::MAX),
                message,
            },
            other => ValidationError::InvalidWasm {
                offset: 0,
                message: other.to_string(),
            },
        })
    }

    fn function(&mut self, (function, floats): (AnalysedFunction, bool)) {
        self.module.push(function);
        self.floats = self.floats || floats;
    }
}

/// One body's part of [`StackAnalysisObserver`].
#[derive(Default)]
struct BodyAnalysis {
    function: FunctionAnalysis,
    floats: bool,
}

impl BodyObserver for BodyAnalysis {
    type Summary = (AnalysedFunction, bool);

    #[inline(always)]
    fn operator(&mut self, operator: &Operator<'_>) {
        self.function.record_calls(operator);
        self.floats = self.floats || computes_with_floats(operator);
    }

    #[inline(always)]
    fn operand_height(&mut self, height: u32) {
        self.function.operand_height(height);
    }

    fn finish(self, validator: &FuncValidator<ValidatorResources>, ty_index: u32) -> Self::Summary {
        (self.function.finish(validator, ty_index), self.floats)
    }
}

/// Whether `operator` computes with floats: arithmetic, rounding,
/// promotion, demotion and conversions to or from integers. Moving float
/// bits (const, load, store, reinterpret, select) and comparing them is
/// not. Singlepass and Cranelift canonicalize NaN results of such
/// operators differently (e.g. `f64.promote_f32` of a NaN: only Cranelift
/// canonicalizes it), so only Singlepass, the chain's compiler, may compile
/// a module that has one.
#[inline(always)]
fn computes_with_floats(operator: &Operator<'_>) -> bool {
    matches!(
        operator,
        Operator::F32Abs
            | Operator::F32Neg
            | Operator::F32Ceil
            | Operator::F32Floor
            | Operator::F32Trunc
            | Operator::F32Nearest
            | Operator::F32Sqrt
            | Operator::F32Add
            | Operator::F32Sub
            | Operator::F32Mul
            | Operator::F32Div
            | Operator::F32Min
            | Operator::F32Max
            | Operator::F32Copysign
            | Operator::F64Abs
            | Operator::F64Neg
            | Operator::F64Ceil
            | Operator::F64Floor
            | Operator::F64Trunc
            | Operator::F64Nearest
            | Operator::F64Sqrt
            | Operator::F64Add
            | Operator::F64Sub
            | Operator::F64Mul
            | Operator::F64Div
            | Operator::F64Min
            | Operator::F64Max
            | Operator::F64Copysign
            | Operator::F32DemoteF64
            | Operator::F64PromoteF32
            | Operator::I32TruncF32S
            | Operator::I32TruncSatF32S
            | Operator::I32TruncF32U
            | Operator::I32TruncSatF32U
            | Operator::I32TruncF64S
            | Operator::I32TruncSatF64S
            | Operator::I32TruncF64U
            | Operator::I32TruncSatF64U
            | Operator::I64TruncF32S
            | Operator::I64TruncSatF32S
            | Operator::I64TruncF32U
            | Operator::I64TruncSatF32U
            | Operator::I64TruncF64S
            | Operator::I64TruncSatF64S
            | Operator::I64TruncF64U
            | Operator::I64TruncSatF64U
            | Operator::F32ConvertI32S
            | Operator::F32ConvertI32U
            | Operator::F32ConvertI64S
            | Operator::F32ConvertI64U
            | Operator::F64ConvertI32S
            | Operator::F64ConvertI32U
            | Operator::F64ConvertI64S
            | Operator::F64ConvertI64U
    )
}

/// `wasm` (already validated) without its custom sections: what Wasmer
/// compiles. Custom sections mean nothing to execution, and Wasmer 7.5.0's
/// Singlepass panics on a `name` section holding a NUL byte (gimli's DWARF
/// writer asserts against it), so a hostile name could otherwise abort the
/// host. The code checksum stays that of the original bytes.
fn without_custom_sections(wasm: &[u8]) -> Result<Cow<'_, [u8]>, RuntimeError> {
    const HEADER_BYTES: usize = 8;
    let mut kept = Vec::new();
    let mut dropped = false;
    // Sections follow the header back to back: each one's header starts
    // where the previous section's contents end.
    let mut section_start = HEADER_BYTES;
    for payload in wasmparser::Parser::new(0).parse_all(wasm) {
        let payload = payload.map_err(|e| RuntimeError::Compile {
            message: format!("re-reading validated code: {e}"),
        })?;
        let Some((id, range)) = payload.as_section() else {
            continue;
        };
        let end = usize::try_from(range.end).unwrap_or(usize::MAX);
        let section = wasm
            .get(section_start..end)
            .ok_or_else(|| RuntimeError::Compile {
                message: format!("section {id} at {range:?} is outside the code"),
            })?;
        if id == 0 {
            dropped = true;
        } else {
            kept.push(section);
        }
        section_start = end;
    }
    if !dropped {
        return Ok(Cow::Borrowed(wasm));
    }
    let mut out = Vec::with_capacity(wasm.len());
    out.extend_from_slice(wasm.get(..HEADER_BYTES).unwrap_or_default());
    for section in kept {
        out.extend_from_slice(section);
    }
    Ok(Cow::Owned(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_pass_compile_matches_the_separately_analysed_checked_compile() {
        use std::sync::Arc;

        use cw_gas::middleware::{DEFAULT_STACK_LIMIT_BYTES, Metering};
        use wasmer::sys::CompilerConfig;
        for name in ["cw20_base", "probe"] {
            let wasm = ::tests::fixture_bytes(name);
            for stack_limit_bytes in [Some(DEFAULT_STACK_LIMIT_BYTES), None] {
                let config = CompileConfig {
                    table: cw_gas::CosmWasmSchedule::default(),
                    stack_limit_bytes,
                    validation: ValidationConfig::default(),
                };
                let (_, _, artifact) = compile(&wasm, &config).unwrap();
                // The slow way: the limiter validates the bytes itself,
                // metering and the limiter run as two separate Wasmer
                // stages over every function (no fused stage, no skipped
                // leaves), and Wasmer validates the bytes again.
                let stripped = without_custom_sections(&wasm).unwrap();
                let mut two_stages = wasmer::sys::Singlepass::new();
                two_stages.canonicalize_nans(true);
                two_stages.push_middleware(Arc::new(Metering::new(config.table)));
                if let Some(limit) = stack_limit_bytes {
                    let limiter = StackLimiter::new(stripped.as_ref(), limit).unwrap();
                    two_stages.push_middleware(Arc::new(limiter));
                }
                let mut engine = Engine::from(two_stages);
                engine.set_tunables(MemoryLimit::for_compiling());
                let checked = Module::new(&engine, stripped.as_ref()).unwrap();
                assert!(
                    checked.serialize().unwrap().as_ref() == artifact.as_slice(),
                    "{name} {stack_limit_bytes:?}: compiled code differs"
                );
            }
        }
    }

    #[test]
    fn custom_sections_are_dropped_and_the_rest_kept_byte_for_byte() {
        let plain =
            wat::parse_str(r#"(module (memory 1) (func (export "f") (result i32) i32.const 7))"#)
                .unwrap();
        assert!(matches!(
            without_custom_sections(&plain).unwrap(),
            Cow::Borrowed(_)
        ));
        // A custom section before and after the others.
        let custom = |name: &[u8], data: &[u8]| {
            let mut body = vec![u8::try_from(name.len()).unwrap()];
            body.extend_from_slice(name);
            body.extend_from_slice(data);
            let mut section = vec![0, u8::try_from(body.len()).unwrap()];
            section.extend_from_slice(&body);
            section
        };
        let mut decorated = plain[..8].to_vec();
        decorated.extend(custom(b"first", b"\0\0"));
        decorated.extend_from_slice(&plain[8..]);
        decorated.extend(custom(b"name", b"\0\x04\x03a\0b"));
        assert_eq!(
            without_custom_sections(&decorated).unwrap().as_ref(),
            &plain[..]
        );
    }
}
