//! A contract's code prepared for wasmi: instrumented (metering and the
//! deterministic stack limit in its own bytecode) and parsed by an engine
//! whose own limits never bind before the instrumentation's.

use core::marker::PhantomData;

use cw_gas::instrument::{self, MIN_FRAME_BYTES};
use cw_gas::{CostTable, Fingerprint};

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

/// The engine every module of `options` runs on: the Wasm features of
/// wasmi's defaults (a superset of the chain's, which validation applied
/// before), lazy translation (a function is translated when first called;
/// validation is still eager, so acceptance never depends on what runs),
/// no fuel (gas is in the bytecode), and stack limits that never bind
/// before the instrumentation's.
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

/// A contract's code, instrumented with a cost table's metering and the
/// stack limit, parsed by wasmi. Cheap to share (`Arc` it); every call
/// instantiates it afresh.
///
/// The code must have passed the chain's static validation
/// (`cw_runtime::validate`, which this crate does not depend on so that
/// the runtime can use it as an engine): the instrumentation validates it
/// again only as Wasm, and the imports are checked when instantiated.
pub struct WasmiModule<T: CostTable> {
    engine: wasmi::Engine,
    module: wasmi::Module,
    options: ModuleOptions,
    fingerprint: Fingerprint,
    instrumented_bytes: usize,
    _table: PhantomData<fn() -> T>,
}

impl<T: CostTable> WasmiModule<T> {
    /// Instruments `wasm` with `table`'s metering and the stack limit of
    /// `options`, and parses the result.
    ///
    /// # Errors
    /// [`WasmiError::Instrument`] if `wasm` is not valid Wasm or cannot be
    /// instrumented; [`WasmiError::Compile`] if wasmi refuses the result.
    pub fn new(wasm: &[u8], table: &T, options: ModuleOptions) -> Result<Self, WasmiError> {
        let instrumented = instrument::instrument(wasm, table, options.stack_limit_bytes)?;
        Self::from_instrumented(&instrumented, table, options)
    }

    /// Parses `instrumented`, which [`cw_gas::instrument::instrument`] made
    /// from a validated module with `table` and `options.stack_limit_bytes`
    /// (for an embedder that keeps the instrumented bytes, so a call does
    /// not instrument again). Nothing can check that they were made so: the
    /// caller vouches for it.
    ///
    /// # Errors
    /// [`WasmiError::Compile`] if wasmi refuses the bytes.
    pub fn from_instrumented(
        instrumented: &[u8],
        table: &T,
        options: ModuleOptions,
    ) -> Result<Self, WasmiError> {
        let engine = engine(&options);
        let module =
            wasmi::Module::new(&engine, instrumented).map_err(|e| WasmiError::Compile {
                message: e.to_string(),
            })?;
        Ok(Self {
            engine,
            module,
            options,
            fingerprint: table.fingerprint(),
            instrumented_bytes: instrumented.len(),
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
