//! The interpreter's code kept in the contract's storage (feature `wasmi`).
//!
//! Preparing a code for cw-wasmi (the metering and stack-limit
//! instrumentation, then validating the result so wasmi can parse it
//! unchecked) costs about as much NEAR gas as the chain's validation. A
//! chain inside a NEAR contract is built again on every call, so
//! [`PreparedWasmiFactory`] prepares a code once, when it is stored, keeps
//! the bytes in the contract's storage beside the chain's state
//! ([`KvState::put_artifact`]), and on later calls only parses them, lazily.

use std::sync::Arc;

use cw_chain::{ContractFactory, LoadError, LoadedCode, ModuleInfo, ValidationConfig};
use cw_gas::CostTable;
use cw_host::Checksum;
use cw_wasmi::{ModuleOptions, PREPARED_CODE_VERSION, PreparedCode, WasmiFactory};

use crate::state::{KvState, RawStorage};

/// cw-chain's Wasm [`ContractFactory`] inside the contract: cw-wasmi, with
/// each code's prepared form kept in the contract's storage under a key of
/// cw-wasmi's [`PREPARED_CODE_VERSION`], the cost table's fingerprint, the
/// stack limit and the code's checksum (a contract upgraded to another
/// instrumentation or other prices prepares its codes again).
///
/// When a code is stored, it validates it with the chain's static
/// validation and prepares it in one reading of the code
/// ([`ContractFactory::validate_and_load`]); later loads do not validate
/// again: the chain loads only stored codes
/// ([`cw_chain::ChainBuilder::trust_stored_codes`]).
pub struct PreparedWasmiFactory<T: CostTable, S> {
    wasmi: WasmiFactory<T>,
    key_prefix: Vec<u8>,
    state: KvState<S>,
}

impl<T: CostTable, S: RawStorage> PreparedWasmiFactory<T, S> {
    /// A factory charging `table`, with cw-wasmi's default module and
    /// instance options, keeping prepared code in `state`.
    #[must_use]
    pub fn new(table: T, state: KvState<S>) -> Self {
        let options = ModuleOptions::default();
        let mut key_prefix = PREPARED_CODE_VERSION.to_be_bytes().to_vec();
        key_prefix.extend_from_slice(table.fingerprint().as_bytes());
        key_prefix.extend_from_slice(&options.stack_limit_bytes.unwrap_or(0).to_be_bytes());
        Self {
            wasmi: WasmiFactory::new(table).with_module_options(options),
            key_prefix,
            state,
        }
    }

    /// The storage key of `checksum`'s prepared code.
    fn key(&self, checksum: &Checksum) -> Vec<u8> {
        let mut key = self.key_prefix.clone();
        key.extend_from_slice(checksum.as_ref());
        key
    }
}

impl<T: CostTable, S: RawStorage> PreparedWasmiFactory<T, S> {
    /// The code kept under `key`, if any.
    fn kept(&self, key: &[u8]) -> Option<PreparedCode> {
        // SAFETY: only `keep` below writes under this tag and key, with the
        // bytes of a `PreparedCode` made by this instrumentation version,
        // table and options (all in the key); the contract's storage is
        // written by nothing but the contract (an account key holder who
        // deploys other code to write it could as well write the chain's
        // state itself).
        self.state
            .artifact(key)
            .map(|bytes| unsafe { PreparedCode::from_trusted_bytes(bytes) })
    }

    /// Keeps `prepared` under `key` (written with the rest of the call).
    fn keep(&self, key: &[u8], prepared: &PreparedCode) {
        self.state.put_artifact(key, prepared.as_bytes().to_vec());
    }
}

fn engine(e: cw_wasmi::WasmiError) -> LoadError {
    LoadError::Engine(Box::new(e))
}

impl<T: CostTable, S: RawStorage> ContractFactory<T> for PreparedWasmiFactory<T, S> {
    fn load(&self, checksum: &Checksum, wasm: &[u8]) -> Result<Arc<dyn LoadedCode<T>>, LoadError> {
        let key = self.key(checksum);
        let prepared = match self.kept(&key) {
            Some(prepared) => prepared,
            None => {
                let prepared = self.wasmi.prepare_validated(wasm).map_err(engine)?;
                self.keep(&key, &prepared);
                prepared
            }
        };
        self.wasmi.load_prepared(&prepared).map_err(engine)
    }

    // Storing a code: the chain's validation builds the stack limit's
    // analysis as it reads the code, so preparing does not validate it
    // again (the largest part of a store after the rewrite itself).
    fn validate_and_load(
        &self,
        checksum: &Checksum,
        wasm: &[u8],
        validation: &ValidationConfig,
    ) -> Result<(ModuleInfo, Arc<dyn LoadedCode<T>>), LoadError> {
        let key = self.key(checksum);
        let (info, prepared) = match self.kept(&key) {
            Some(prepared) => (cw_validate::validate(wasm, validation)?, prepared),
            None => {
                let (info, prepared) = self.wasmi.validate_and_prepare(wasm, validation)?;
                self.keep(&key, &prepared);
                (info, prepared)
            }
        };
        Ok((info, self.wasmi.load_prepared(&prepared).map_err(engine)?))
    }
}
