//! [`NearError`]: why a call of the NEAR contract is refused before, or
//! instead of, a CosmWasm transaction.

/// Why the NEAR contract refuses a call. On NEAR every one of these ends
/// the call with a panic carrying this message, so NEAR reverts the call's
/// writes.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum NearError {
    /// The call's arguments are not what the method takes.
    #[error("{method}: invalid arguments: {reason}")]
    BadArguments {
        /// The NEAR method.
        method: &'static str,
        /// What the JSON parser said.
        reason: String,
    },
    /// Only the contract's own account may call this method (genesis-like
    /// set-up, such as minting bank coins).
    #[error("{method} may only be called by the contract account {owner}, not {caller}")]
    NotOwner {
        /// The NEAR method.
        method: &'static str,
        /// The contract's account.
        owner: String,
        /// The predecessor that called.
        caller: String,
    },
    /// The chain refused the request outside any transaction (storing code,
    /// minting, building the chain over its state).
    #[error("{0}")]
    Chain(#[from] cw_chain::ChainError),
    /// The CosmWasm transaction failed; nothing it did remains.
    #[error("CosmWasm transaction failed: {error} ({cosmwasm_gas} CosmWasm gas used)")]
    TxFailed {
        /// The chain's reason.
        error: Box<cw_chain::ChainError>,
        /// The gas the transaction used up to the failure.
        cosmwasm_gas: u64,
    },
    /// The node (not the contract) failed; never a transaction outcome.
    #[error("node fault: {0}")]
    NodeFault(#[from] cw_host::NodeFault),
    /// The contract's storage does not decode: it was written by something
    /// other than this contract.
    #[error("corrupt contract state: {what}: {reason}")]
    CorruptState {
        /// Which record.
        what: &'static str,
        /// What is wrong with it.
        reason: &'static str,
    },
}
