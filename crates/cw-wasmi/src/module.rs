//! A contract's code prepared for wasmi: instrumented (metering and the
//! deterministic stack limit in its own bytecode) and parsed by an engine
//! whose own limits never bind before the instrumentation's.

use core::marker::PhantomData;

use cw_gas::instrument::{self, MIN_FRAME_BYTES, StackPlan};
use cw_gas::{CostTable, Fingerprint};
use cw_validate::{ModuleInfo, ValidationConfig};

use crate::analysis::StackAnalysisObserver;
use crate::error::WasmiError;

/// How a module is prepared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ModuleOptions {
    /// The deterministic stack limit in bytes of frame cost
    /// ([`cw_gas::instrument::StackPlan`]); `None` leaves only wasmi's own
    /// limits (deterministic on wasmi, but not those of the Wasmer path:
    /// use it only in benchmarks, as `CompileConfig::stack_limit_bytes`).
    /// Default [`cw_gas::instrument::DEFAULT_STACK_LIMIT_BYTES`].
    pub stack_limit_bytes: Option<u64>,
}

impl Default for ModuleOptions {
    fn default() -> Self {
        Self {
            stack_limit_bytes: Some(instrument::DEFAULT_STACK_LIMIT_BYTES),
        }
    }
}

/// wasmi's own call-depth limit when the instrumentation limits the stack:
/// never reached first. A limit of `L` bytes admits at most
/// `L / MIN_FRAME_BYTES` instrumented frames plus one leaf (leaves call
/// nothing) on any one host-to-guest call, and each host-to-guest call
/// runs on a stack of its own. The margin covers that leaf.
fn max_recursion_depth(stack_limit_bytes: Option<u64>) -> usize {
    const MARGIN: u64 = 16;
    // Without the instrumented limit: the depth the default limit admits
    // (12 MiB / 80 B = 157,286 frames; wasmi's own default, 1,000 frames,
    // would stop recursions the Wasmer path completes).
    let limit = stack_limit_bytes.unwrap_or(instrument::DEFAULT_STACK_LIMIT_BYTES);
    usize::try_from((limit / MIN_FRAME_BYTES).saturating_add(MARGIN)).unwrap_or(usize::MAX)
}

/// wasmi's value-stack limit in bytes: never reached first. wasmi gives a
/// frame 8 bytes per parameter, local and operand slot; the instrumented
/// frame cost counts at least 4 bytes per parameter or local, 8 per operand
/// slot plus 2 spare slots and 64 bytes of overhead. So wasmi's stack is at
/// most twice the counted height plus its few scratch slots per frame; 8
/// times the limit (96 MiB for the default) leaves a wide margin, and the
/// stack only grows to what a call uses. An embedder with little memory (a
/// NEAR contract) needs room for the deepest recursion the limit admits
/// (twice the counted 12 MiB, about 24 MiB): with less, such a call fails
/// on memory there instead of ending as on the Wasmer path.
fn max_stack_height(stack_limit_bytes: Option<u64>) -> usize {
    const FACTOR: u64 = 8;
    const FLOOR_BYTES: u64 = 1 << 20;
    let limit = stack_limit_bytes.unwrap_or(instrument::DEFAULT_STACK_LIMIT_BYTES);
    usize::try_from(limit.saturating_mul(FACTOR).max(FLOOR_BYTES)).unwrap_or(usize::MAX)
}

/// The engine every module of `options` runs on: wasmi's default Wasm
/// features (a superset of the chain's, which [`PreparedCode::prepare`]
/// validated; without wasmi's `validate` feature it uses them only to
/// decode), lazy translation (a function is translated when first called;
/// `prepare` validated the whole module, so acceptance never depends on
/// what runs), no fuel (gas is in the bytecode), and stack limits that never
/// bind before the instrumentation's.
pub(crate) fn engine(options: &ModuleOptions) -> wasmi::Engine {
    let mut config = wasmi::Config::default();
    config
        .consume_fuel(false)
        .ignore_custom_sections(true)
        .compilation_mode(wasmi::CompilationMode::LazyTranslation)
        .set_max_recursion_depth(max_recursion_depth(options.stack_limit_bytes))
        .set_max_stack_height(max_stack_height(options.stack_limit_bytes));
    wasmi::Engine::new(&config)
}

/// The version of what [`PreparedCode::prepare`] makes (the
/// instrumentation's rewrite and the checks after it). An embedder that
/// keeps prepared bytes keys them by it, with the cost table's fingerprint
/// and the stack limit, so bytes made by an older version are prepared
/// again instead of run. Bumped with every change to what cw-gas's
/// `instrument` or `prepare` make of a code (the rewrite's operators and
/// their encoding, the checks); a change in how they make it, such as
/// copying operators instead of re-encoding them, keeps it when the bytes
/// stay the same.
pub const PREPARED_CODE_VERSION: u32 = 1;

/// A contract's code as wasmi runs it: instrumented with a cost table's
/// metering and the stack limit, and validated as Wasm after the
/// instrumentation. Only [`prepare`](Self::prepare) makes one from code,
/// so holding one is the proof that wasmi may parse it without validating
/// it again. Preparing costs several validations' worth (the rewrite most of
/// it: `examples/prepare_cost.rs`), which an embedder paying per
/// instruction, a NEAR contract, pays once, when the code is stored, and
/// keeps the bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreparedCode {
    bytes: Vec<u8>,
}

impl PreparedCode {
    /// Instruments `wasm` with `table`'s metering and the stack limit of
    /// `options`, and validates the result under the chain's Wasm features
    /// (cw-validate's [`validate_wasm`](cw_validate::validate_wasm)).
    ///
    /// `wasm` must have passed the chain's static validation
    /// (`cw_validate::validate`): this checks it only as Wasm.
    ///
    /// # Errors
    /// [`WasmiError::Instrument`] if `wasm` is not valid Wasm or cannot be
    /// instrumented; [`WasmiError::Validation`] if the instrumented module
    /// does not validate (a fault of the instrumentation, never expected).
    pub fn prepare<T: CostTable>(
        wasm: &[u8],
        table: &T,
        options: &ModuleOptions,
    ) -> Result<Self, WasmiError> {
        let bytes = instrument::instrument(wasm, table, options.stack_limit_bytes)?;
        cw_validate::validate_wasm(&bytes)?;
        Ok(Self { bytes })
    }

    /// Validates `wasm` with the chain's static `validation` and prepares
    /// it ([`prepare`](Self::prepare)), reading its bodies once for both:
    /// the stack limit's analysis is built while validation reads them, so
    /// the instrumentation does not validate the code again. What a chain
    /// storing a code does; refuses exactly what `cw_validate::validate`
    /// refuses, with its error.
    ///
    /// # Errors
    /// [`WasmiError::Validation`] if `validation` refuses the code (or the
    /// instrumented module does not validate, never expected);
    /// [`WasmiError::Instrument`] if it cannot be instrumented.
    pub fn validate_and_prepare<T: CostTable>(
        wasm: &[u8],
        validation: &ValidationConfig,
        table: &T,
        options: &ModuleOptions,
    ) -> Result<(ModuleInfo, Self), WasmiError> {
        let mut observer = StackAnalysisObserver::default();
        let info = cw_validate::validate_observed(wasm, validation, &mut observer)?;
        let plan = options
            .stack_limit_bytes
            .map(|limit| StackPlan::from_analysis(observer.analysis, limit));
        let bytes = instrument::instrument_with(wasm, table, plan.as_ref())?;
        cw_validate::validate_wasm(&bytes)?;
        Ok((info, Self { bytes }))
    }

    /// Bytes that [`as_bytes`](Self::as_bytes) of a prepared code returned,
    /// kept where only the embedder can write (a NEAR contract's own
    /// storage).
    ///
    /// # Safety
    /// `bytes` must be exactly what [`prepare`](Self::prepare) made. wasmi
    /// parses them without validation ([`WasmiModule::from_prepared`]); for
    /// bytes that are not valid Wasm its behaviour is undefined.
    #[must_use]
    pub unsafe fn from_trusted_bytes(bytes: Vec<u8>) -> Self {
        Self { bytes }
    }

    /// The instrumented module, to keep.
    #[must_use]
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }
}

/// A contract's code, prepared ([`PreparedCode`]) and parsed by wasmi.
/// Cheap to share (`Arc` it); every call instantiates it afresh.
pub struct WasmiModule<T: CostTable> {
    engine: wasmi::Engine,
    module: wasmi::Module,
    options: ModuleOptions,
    fingerprint: Fingerprint,
    instrumented_bytes: usize,
    _table: PhantomData<fn() -> T>,
}

impl<T: CostTable> WasmiModule<T> {
    /// Prepares `wasm` ([`PreparedCode::prepare`]) and parses the result.
    /// `wasm` must have passed the chain's static validation.
    ///
    /// # Errors
    /// As [`PreparedCode::prepare`]; [`WasmiError::Compile`] if wasmi
    /// refuses the result.
    pub fn new(wasm: &[u8], table: &T, options: ModuleOptions) -> Result<Self, WasmiError> {
        let prepared = PreparedCode::prepare(wasm, table, &options)?;
        Self::from_prepared(&prepared, table, options)
    }

    /// Parses `prepared`, which was made with `table` and `options` (the
    /// prices and the stack limit are in its code; nothing can check that
    /// they were these, the caller vouches for it). wasmi does not validate
    /// it again, and translates a function when it is first called.
    ///
    /// # Errors
    /// [`WasmiError::Compile`] if wasmi refuses the bytes.
    pub fn from_prepared(
        prepared: &PreparedCode,
        table: &T,
        options: ModuleOptions,
    ) -> Result<Self, WasmiError> {
        let engine = engine(&options);
        // SAFETY: a `PreparedCode` is valid Wasm under the chain's features:
        // `prepare` validated these exact bytes with wasmparser 0.259
        // (cw-validate's `validate_wasm`, under the chain's features), and
        // `from_trusted_bytes` obliges its caller to give back such bytes.
        // wasmi's default features, which `engine` keeps, include the
        // chain's. `tests/it/prepared.rs` checks that wasmi's own wasmparser
        // (0.228) validates every prepared module of the suites under the
        // chain's features, and attacks the path with code outside them.
        // `engine`'s other limits are stack limits, which wasmi checks at
        // run time either way.
        let module =
            unsafe { wasmi::Module::new_unchecked(&engine, &prepared.bytes) }.map_err(|e| {
                WasmiError::Compile {
                    message: e.to_string(),
                }
            })?;
        Ok(Self {
            engine,
            module,
            options,
            fingerprint: table.fingerprint(),
            instrumented_bytes: prepared.bytes.len(),
            _table: PhantomData,
        })
    }

    /// The options the module was prepared with.
    pub fn options(&self) -> &ModuleOptions {
        &self.options
    }

    /// The fingerprint of the cost table whose prices are in the code.
    pub fn fingerprint(&self) -> Fingerprint {
        self.fingerprint
    }

    /// The size of the instrumented code in bytes.
    pub fn instrumented_bytes(&self) -> usize {
        self.instrumented_bytes
    }

    pub(crate) fn engine(&self) -> &wasmi::Engine {
        &self.engine
    }

    pub(crate) fn module(&self) -> &wasmi::Module {
        &self.module
    }
}

impl<T: CostTable> core::fmt::Debug for WasmiModule<T> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("WasmiModule")
            .field("options", &self.options)
            .field("fingerprint", &self.fingerprint)
            .field("instrumented_bytes", &self.instrumented_bytes)
            .finish_non_exhaustive()
    }
}
