//! The [`Api`] trait: address validation and conversion.

use crate::error::{AddressError, BackendError};

/// Converts between a chain's human-readable addresses and their canonical
/// bytes.
///
/// Implementations must be pure (the same input always gives the same
/// output) and the canonical form unique: `addr_humanize(addr_canonicalize(h))
/// == h` for every normalized `h`, and `addr_canonicalize` of any other
/// spelling of the same address either fails or yields the same bytes.
/// An invalid address is [`BackendError::InvalidAddress`] (the contract
/// receives its message); any other error ends the call.
pub trait Api {
    /// The canonical bytes of `human`.
    ///
    /// # Errors
    /// [`BackendError::InvalidAddress`] if `human` is not an address of this
    /// chain; another variant for a backend fault.
    fn addr_canonicalize(&self, human: &str) -> Result<Vec<u8>, BackendError>;

    /// The normalized human form of `canonical`.
    ///
    /// # Errors
    /// [`BackendError::InvalidAddress`] if `canonical` is not the canonical
    /// form of an address; another variant for a backend fault.
    fn addr_humanize(&self, canonical: &[u8]) -> Result<String, BackendError>;

    /// Checks that `human` is a valid address in normalized form: it
    /// canonicalizes, and humanizing the result gives `human` back (the rule
    /// of wasmd and cosmwasm-vm's `MockApi`). The `addr_validate` import
    /// applies the same rule step by step, charging each step's gas before
    /// it, so overriding this method does not change what contracts see.
    ///
    /// # Errors
    /// As [`Self::addr_canonicalize`] and [`Self::addr_humanize`], and
    /// [`AddressError::NotNormalized`] if the round trip changes `human`.
    fn addr_validate(&self, human: &str) -> Result<(), BackendError> {
        let canonical = self.addr_canonicalize(human)?;
        let normalized = self.addr_humanize(&canonical)?;
        if normalized != human {
            return Err(AddressError::NotNormalized.into());
        }
        Ok(())
    }
}
