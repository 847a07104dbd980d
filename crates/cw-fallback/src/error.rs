//! The errors of this crate. Contract failures are not here: a native call
//! reports them exactly as the Wasm engine does, as [`cw_host::VmFailure`]
//! or inside the result bytes.

/// What cw-fallback refuses outside a contract call.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FallbackError {
    /// A checksum given as text is not 64 hex digits.
    #[error("the checksum of `{name}` is not 64 hex digits: {text:?}")]
    InvalidChecksum {
        /// The build it was given for.
        name: String,
        /// The text given.
        text: String,
    },
}
