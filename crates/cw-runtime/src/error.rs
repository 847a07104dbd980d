//! Errors of the runtime layer.

pub use cw_validate::ValidationError;

/// A fault of the runtime itself (the node), as opposed to a deterministic
/// failure of the contract: bad input to the runtime's API, I/O, a broken
/// engine. A contract's own failures are results, not `RuntimeError`s.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RuntimeError {
    /// The code failed static validation.
    #[error("static validation failed: {0}")]
    Validation(#[from] ValidationError),
    /// The gas layer refused to set up metering for the module.
    #[cfg(feature = "engine")]
    #[error("gas setup failed: {0}")]
    Gas(#[from] cw_gas::GasError),
    /// The compiler failed on a module that passed validation.
    #[error("compiling failed: {message}")]
    Compile {
        /// Wasmer's description.
        message: String,
    },
    /// A compiler other than Singlepass was asked for code it would run
    /// differently from Singlepass; Singlepass compiles it.
    #[error("{compiler} cannot run this module exactly as a chain does: {reason}")]
    NotExactOnCompiler {
        /// The compiler's name.
        compiler: &'static str,
        /// What in the code it would run differently.
        reason: &'static str,
    },
    /// A compiled module could not be serialized for the disk cache.
    #[error("serializing a compiled module failed: {message}")]
    Serialize {
        /// Wasmer's description.
        message: String,
    },
    /// The module's initial memory is above the instance memory limit: no
    /// instance of it can be made under these options. Deterministic (the
    /// chain's limit and the contract's declaration decide it): a contract
    /// failure, `VmFailure::MemoryLimit`, when a call meets it.
    #[error(
        "the module's initial memory of {initial_pages} pages exceeds the limit of {limit_pages} pages"
    )]
    MemoryLimit {
        /// Pages the module declares.
        initial_pages: u64,
        /// Pages an instance may have.
        limit_pages: u64,
    },
    /// The module cannot be instantiated for a reason of its own (an import
    /// of the wrong type, a data segment outside its memory, a start
    /// function that traps): deterministic, `VmFailure::Instantiate` when a
    /// call meets it.
    #[error("instantiating failed: {message}")]
    Instantiate {
        /// Wasmer's description.
        message: String,
    },
    /// The engine could not make an instance for a reason of the node's (a
    /// mapping the operating system refused, a module compiled without the
    /// metering middleware): a `NodeFault` when a call meets it.
    #[error("the engine failed to make an instance: {message}")]
    Engine {
        /// What failed.
        message: String,
    },
    /// An instance could not be put back to its instantiated state.
    #[error("resetting an instance failed: {message}")]
    Reset {
        /// The operating system's description.
        message: String,
    },
    /// A broken invariant between the runtime and the host bridge.
    #[error("runtime bug: {problem}")]
    Bridge {
        /// What went wrong.
        problem: &'static str,
    },
    /// Reading or writing the disk cache failed.
    #[error("module cache I/O on {path}: {source}")]
    Io {
        /// The file or folder.
        path: std::path::PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
}
