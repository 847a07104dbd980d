//! cosmwasm-std 2.x `Api` over the call's [`cw_host::Api`]: what
//! cosmwasm-std 2.3.6's `ExternalApi` does in the Wasm build (its input
//! checks, destination sizes and error texts), with cw-host's `addr_*` and
//! `debug` imports doing the host's part (see `session.rs`).
//!
//! The signature functions are not emulated: none of the emulated contracts
//! calls them. Calling one fails the call with [`HostError::Backend`] naming
//! the import, so a contract never sees a made-up answer.

use cosmwasm_std_v2 as std2;
use cw_gas::CostTable;
use cw_host::{BackendError, HostError, imports};

use crate::session::{Allocator, ScratchMemory, Session};

/// cosmwasm-std 2.3.6 `imports.rs`: the destination region
/// `addr_canonicalize` gets ("an upper bound for typical canonical address
/// lengths").
const CANONICAL_ADDRESS_BUFFER_LENGTH: u32 = 64;
/// cosmwasm-std 2.3.6 `imports.rs`: the destination region `addr_humanize`
/// gets ("42 for Ethereum hex addresses or 90 for bech32").
const HUMAN_ADDRESS_BUFFER_LENGTH: u32 = 90;
/// cosmwasm-std 2.3.6 `ExternalApi` refuses longer inputs itself, before the
/// import ("See MAX_LENGTH_HUMAN_ADDRESS in the VM").
const MAX_HUMAN_INPUT_BYTES: usize = 256;

/// The contract's view of address handling (and `debug`).
pub(crate) struct ApiAdapter<'s, T: CostTable> {
    session: &'s Session<T>,
}

impl<'s, T: CostTable> ApiAdapter<'s, T> {
    pub(crate) fn new(session: &'s Session<T>) -> Self {
        Self { session }
    }

    /// Fails the call: `import` is not available natively. The host-call
    /// price is charged first, as every import charges it.
    fn unsupported(&self, import: &'static str) {
        self.session.import(|ctx, _, _| -> Result<(), HostError> {
            ctx.gas.charge_host_call()?;
            Err(HostError::Backend {
                import,
                source: BackendError::Refused {
                    message: format!("{import} is not available in cw-fallback's native emulators"),
                },
                gas_used: cw_gas::GasQuantity::to_amount(ctx.gas.used()),
            })
        });
    }
}

/// An address import's answer: 0 and a destination, or the error message
/// the host wrote into a new region.
fn error_message(memory: &ScratchMemory, ptr: u32) -> Result<String, HostError> {
    let bytes = memory.take(ptr)?;
    // cosmwasm-std trusts the VM to write UTF-8 (`from_utf8_unchecked`);
    // cw-host's messages are UTF-8.
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// Runs an address import that writes into a destination of `capacity`
/// bytes: `Ok(destination)` or `Err(message)`.
fn with_destination<T: CostTable>(
    session: &Session<T>,
    source: &[u8],
    capacity: u32,
    import: impl FnOnce(
        &mut cw_host::HostContext<'_, T>,
        &ScratchMemory,
        &mut Allocator<'_>,
        u32,
        u32,
    ) -> Result<u32, HostError>,
) -> Option<Result<Vec<u8>, String>> {
    session.import(|ctx, memory, allocator| {
        let source = memory.place(source)?;
        let destination = memory.place_with_capacity(&[], capacity)?;
        match import(ctx, memory, allocator, source, destination)? {
            0 => Ok(Ok(memory.take(destination)?)),
            error => Ok(Err(error_message(memory, error)?)),
        }
    })
}

/// The value a contract sees after the call has failed: never used, since
/// the failure replaces the call's result.
fn after_failure<V>(import: &str) -> std2::StdResult<V> {
    Err(std2::StdError::generic_err(format!(
        "{import}: the call has already failed"
    )))
}

impl<T: CostTable> std2::Api for ApiAdapter<'_, T> {
    fn addr_validate(&self, input: &str) -> std2::StdResult<std2::Addr> {
        if input.len() > MAX_HUMAN_INPUT_BYTES {
            return Err(std2::StdError::generic_err(
                "input too long for addr_validate",
            ));
        }
        let answer = self.session.import(|ctx, memory, allocator| {
            let source = memory.place(input.as_bytes())?;
            match imports::addr_validate(ctx, memory, allocator, source)? {
                0 => Ok(None),
                error => error_message(memory, error).map(Some),
            }
        });
        match answer {
            Some(None) => Ok(std2::Addr::unchecked(input)),
            Some(Some(error)) => Err(std2::StdError::generic_err(format!(
                "addr_validate errored: {error}"
            ))),
            None => after_failure("addr_validate"),
        }
    }

    fn addr_canonicalize(&self, input: &str) -> std2::StdResult<std2::CanonicalAddr> {
        if input.len() > MAX_HUMAN_INPUT_BYTES {
            return Err(std2::StdError::generic_err(
                "input too long for addr_canonicalize",
            ));
        }
        let answer = with_destination(
            self.session,
            input.as_bytes(),
            CANONICAL_ADDRESS_BUFFER_LENGTH,
            |ctx, memory, allocator, source, destination| {
                imports::addr_canonicalize(ctx, memory, allocator, source, destination)
            },
        );
        match answer {
            Some(Ok(canonical)) => Ok(std2::CanonicalAddr::from(canonical)),
            Some(Err(error)) => Err(std2::StdError::generic_err(format!(
                "addr_canonicalize errored: {error}"
            ))),
            None => after_failure("addr_canonicalize"),
        }
    }

    fn addr_humanize(&self, canonical: &std2::CanonicalAddr) -> std2::StdResult<std2::Addr> {
        let answer = with_destination(
            self.session,
            canonical.as_slice(),
            HUMAN_ADDRESS_BUFFER_LENGTH,
            |ctx, memory, allocator, source, destination| {
                imports::addr_humanize(ctx, memory, allocator, source, destination)
            },
        );
        match answer {
            Some(Ok(human)) => Ok(std2::Addr::unchecked(
                String::from_utf8_lossy(&human).into_owned(),
            )),
            Some(Err(error)) => Err(std2::StdError::generic_err(format!(
                "addr_humanize errored: {error}"
            ))),
            None => after_failure("addr_humanize"),
        }
    }

    fn secp256k1_verify(
        &self,
        _message_hash: &[u8],
        _signature: &[u8],
        _public_key: &[u8],
    ) -> Result<bool, std2::VerificationError> {
        self.unsupported("secp256k1_verify");
        Err(std2::VerificationError::GenericErr)
    }

    fn secp256k1_recover_pubkey(
        &self,
        _message_hash: &[u8],
        _signature: &[u8],
        _recovery_param: u8,
    ) -> Result<Vec<u8>, std2::RecoverPubkeyError> {
        self.unsupported("secp256k1_recover_pubkey");
        Err(std2::RecoverPubkeyError::InvalidSignatureFormat)
    }

    fn secp256r1_verify(
        &self,
        _message_hash: &[u8],
        _signature: &[u8],
        _public_key: &[u8],
    ) -> Result<bool, std2::VerificationError> {
        self.unsupported("secp256r1_verify");
        Err(std2::VerificationError::GenericErr)
    }

    fn secp256r1_recover_pubkey(
        &self,
        _message_hash: &[u8],
        _signature: &[u8],
        _recovery_param: u8,
    ) -> Result<Vec<u8>, std2::RecoverPubkeyError> {
        self.unsupported("secp256r1_recover_pubkey");
        Err(std2::RecoverPubkeyError::InvalidSignatureFormat)
    }

    fn ed25519_verify(
        &self,
        _message: &[u8],
        _signature: &[u8],
        _public_key: &[u8],
    ) -> Result<bool, std2::VerificationError> {
        self.unsupported("ed25519_verify");
        Err(std2::VerificationError::GenericErr)
    }

    fn ed25519_batch_verify(
        &self,
        _messages: &[&[u8]],
        _signatures: &[&[u8]],
        _public_keys: &[&[u8]],
    ) -> Result<bool, std2::VerificationError> {
        self.unsupported("ed25519_batch_verify");
        Err(std2::VerificationError::GenericErr)
    }

    fn bls12_381_aggregate_g1(&self, _g1s: &[u8]) -> Result<[u8; 48], std2::VerificationError> {
        self.unsupported("bls12_381_aggregate_g1");
        Err(std2::VerificationError::GenericErr)
    }

    fn bls12_381_aggregate_g2(&self, _g2s: &[u8]) -> Result<[u8; 96], std2::VerificationError> {
        self.unsupported("bls12_381_aggregate_g2");
        Err(std2::VerificationError::GenericErr)
    }

    fn bls12_381_pairing_equality(
        &self,
        _ps: &[u8],
        _qs: &[u8],
        _r: &[u8],
        _s: &[u8],
    ) -> Result<bool, std2::VerificationError> {
        self.unsupported("bls12_381_pairing_equality");
        Err(std2::VerificationError::GenericErr)
    }

    fn bls12_381_hash_to_g1(
        &self,
        _hash_function: std2::HashFunction,
        _msg: &[u8],
        _dst: &[u8],
    ) -> Result<[u8; 48], std2::VerificationError> {
        self.unsupported("bls12_381_hash_to_g1");
        Err(std2::VerificationError::GenericErr)
    }

    fn bls12_381_hash_to_g2(
        &self,
        _hash_function: std2::HashFunction,
        _msg: &[u8],
        _dst: &[u8],
    ) -> Result<[u8; 96], std2::VerificationError> {
        self.unsupported("bls12_381_hash_to_g2");
        Err(std2::VerificationError::GenericErr)
    }

    fn debug(&self, message: &str) {
        self.session.import(|ctx, memory, _| {
            let source = memory.place(message.as_bytes())?;
            imports::debug(ctx, memory, source)
        });
    }
}
