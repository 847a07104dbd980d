//! The one error of static validation.

/// Why a module was rejected by static validation, before any compile.
///
/// Each variant names the rule and the offending item; the rules and their
/// order are those of cosmwasm-vm 3.0's `check_wasm` and its compile-time
/// gatekeeper, so a module a chain rejects is rejected here for the same reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ValidationError {
    /// The module is larger than the configured limit (wasmd's upload limit).
    #[error("module is {size_bytes} bytes, larger than the limit of {limit_bytes} bytes")]
    ModuleTooLarge {
        /// The module's size.
        size_bytes: usize,
        /// The limit.
        limit_bytes: usize,
    },
    /// The bytes are not a valid module, or use a Wasm feature chains do not enable.
    #[error("invalid Wasm at byte offset {offset}: {message}")]
    InvalidWasm {
        /// Byte offset of the problem in the module.
        offset: u64,
        /// The parser's description.
        message: String,
    },
    /// More than one table.
    #[error("module has {count} tables; at most 1 is allowed")]
    TooManyTables {
        /// Number of tables.
        count: usize,
    },
    /// The table has no maximum size.
    #[error("the table has no maximum size; an unbounded table is not allowed")]
    UnboundedTable,
    /// The table's maximum is above the limit.
    #[error("the table's maximum of {maximum} elements exceeds the limit of {limit}")]
    TableTooLarge {
        /// The declared maximum.
        maximum: u64,
        /// The limit.
        limit: u32,
    },
    /// Not exactly one memory.
    #[error("module has {count} memories; exactly 1 is required")]
    MemoryCount {
        /// Number of memories (imported memories are rejected as imports).
        count: usize,
    },
    /// The memory's initial size is above the limit.
    #[error("the memory's initial size of {pages} pages exceeds the limit of {limit} pages")]
    InitialMemoryTooLarge {
        /// Declared initial pages.
        pages: u64,
        /// The limit.
        limit: u32,
    },
    /// The memory declares a maximum; the host sets it.
    #[error("the memory declares a maximum of {maximum} pages; it must be unset, the host sets it")]
    MemoryMaximumSet {
        /// The declared maximum.
        maximum: u64,
    },
    /// No `interface_version_*` export.
    #[error(
        "missing the marker export interface_version_* (CosmWasm 1.0+ contracts export interface_version_8)"
    )]
    MissingInterfaceVersion,
    /// More than one `interface_version_*` export.
    #[error("more than one interface_version_* marker export: {names:?}")]
    MultipleInterfaceVersions {
        /// The marker exports found, sorted.
        names: Vec<String>,
    },
    /// An `interface_version_*` other than 8.
    #[error(
        "unsupported interface version marker `{name}`; this runtime supports interface_version_8"
    )]
    UnsupportedInterfaceVersion {
        /// The marker export found.
        name: String,
    },
    /// A required function export is missing.
    #[error("missing required export `{name}` (required: allocate, deallocate)")]
    MissingExport {
        /// The missing export.
        name: &'static str,
    },
    /// More imports than allowed.
    #[error("module has {count} imports, more than the limit of {limit}")]
    TooManyImports {
        /// Number of imports.
        count: usize,
        /// The limit.
        limit: usize,
    },
    /// An import the runtime does not provide.
    #[error("unsupported import `{name}`; contracts may import only the CosmWasm `env` functions")]
    UnsupportedImport {
        /// `module.name` of the import.
        name: String,
    },
    /// An import of a memory, table or global.
    #[error("import `{name}` is not a function; only function imports are supported")]
    NonFunctionImport {
        /// `module.name` of the import.
        name: String,
    },
    /// `requires_*` exports name capabilities the runtime does not have.
    #[error("contract requires unavailable capabilities: {missing:?}")]
    MissingCapabilities {
        /// The unavailable capabilities, sorted.
        missing: Vec<String>,
    },
    /// More defined functions than allowed.
    #[error("module defines {count} functions, more than the limit of {limit}")]
    TooManyFunctions {
        /// Number of defined functions.
        count: usize,
        /// The limit.
        limit: usize,
    },
    /// A function type with too many parameters.
    #[error("a function type has {count} parameters, more than the limit of {limit}")]
    TooManyParams {
        /// The largest parameter count.
        count: usize,
        /// The limit.
        limit: usize,
    },
    /// A function type with too many results.
    #[error("a function type has {count} results, more than the limit of {limit}")]
    TooManyResults {
        /// The largest result count.
        count: usize,
        /// The limit.
        limit: usize,
    },
    /// Too many parameters over all defined functions.
    #[error("defined functions have {count} parameters in total, more than the limit of {limit}")]
    TooManyTotalParams {
        /// The total.
        count: usize,
        /// The limit.
        limit: usize,
    },
    /// A function with too many locals.
    #[error("function {function} declares {count} locals, more than the limit of {limit}")]
    TooManyLocals {
        /// Index of the function among defined functions.
        function: u32,
        /// Its locals.
        count: u64,
        /// The limit.
        limit: usize,
    },
    /// Too many locals over all defined functions.
    #[error("defined functions declare {count} locals in total, more than the limit of {limit}")]
    TooManyTotalLocals {
        /// The total.
        count: u64,
        /// The limit.
        limit: usize,
    },
    /// A reference-types operator (chains enable the proposal's encoding only).
    #[error(
        "function {function} uses the reference-types operator `{operator}`, which is not supported"
    )]
    ReferenceTypesOperator {
        /// Index of the function among defined functions.
        function: u32,
        /// The operator's name.
        operator: &'static str,
    },
    /// The `name` section names the module with an empty name or one with
    /// a NUL byte in it. cosmwasm-vm 3.0.11 cannot compile such a module
    /// (Wasmer's Singlepass writes the name into DWARF debug info, whose
    /// writer asserts it is neither, and panics), so a chain refuses the
    /// code.
    #[error(
        "the name section's module name {name:?} is empty or contains a NUL byte: \
         cosmwasm-vm cannot compile such a module, so a chain refuses it"
    )]
    UnusableModuleName {
        /// The module name.
        name: String,
    },
    /// The `cw_migrate_version` custom section is not a decimal u64.
    #[error("the cw_migrate_version custom section is not a decimal number: {value:?}")]
    InvalidMigrateVersion {
        /// The section's content, lossily decoded.
        value: String,
    },
}

impl From<wasmparser::BinaryReaderError> for ValidationError {
    fn from(e: wasmparser::BinaryReaderError) -> Self {
        ValidationError::InvalidWasm {
            offset: e.offset(),
            message: e.message().to_string(),
        }
    }
}
