//! The native contract: cosmwasm-std 2.3.6's export wrappers (`do_*` in
//! `exports.rs`) re-done natively around the published contract functions.

use cosmwasm_std_v2 as std2;
use cw_gas::CostTable;
use cw_host::{
    CallBackend, CallInput, CallOutcome, Contract, EntryPoint, ExportProblem, HostError, InfoArg,
    VmFailure,
};
use cw_region::RegionError;
use serde::de::DeserializeOwned;
use std2::{
    Binary, ContractResult, CustomMsg, Deps, DepsMut, Empty, Env, MessageInfo, QuerierWrapper,
    Response,
};

use crate::adapters::{ApiAdapter, QuerierAdapter, StorageAdapter};
use crate::kind::NativeKind;
use crate::session::Session;

/// An emulated contract behind the byte-boundary [`Contract`] trait: the
/// same result bytes, failures and storage as its Wasm build, with gas
/// estimated (see the crate documentation).
///
/// It keeps no state between calls: everything lives in the backend's
/// store, so a contract's state moves freely between native and Wasm
/// execution.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct NativeContract {
    kind: NativeKind,
}

impl NativeContract {
    /// The emulator of `kind`.
    #[must_use]
    pub const fn new(kind: NativeKind) -> Self {
        Self { kind }
    }

    /// Which contract this emulates.
    #[must_use]
    pub const fn kind(&self) -> NativeKind {
        self.kind
    }
}

impl<T: CostTable> Contract<T> for NativeContract {
    fn call(
        &mut self,
        input: CallInput<'_>,
        backend: CallBackend<T>,
    ) -> (CallOutcome, CallBackend<T>) {
        let entry = input.entry;
        let session = Session::new(backend);
        // What the runtime does before the contract runs (cosmwasm-vm's
        // `call_raw`): copy every argument into the contract, then look the
        // export up and check its arity. `migrate` with `MigrateInfo` is
        // wasmd's `MigrateWithInfo`: `(env, msg, info)` first, and the
        // emulated contracts' two-parameter `migrate` gets `(env, msg)`
        // copied again.
        let first: Vec<&[u8]> = match (entry.info_arg(), input.info) {
            (InfoArg::Required, Some(info)) => vec![input.env, info, input.msg],
            (InfoArg::Optional, Some(info)) => vec![input.env, input.msg, info],
            _ => vec![input.env, input.msg],
        };
        let copy = |arguments: &[&[u8]]| {
            for argument in arguments {
                session.charge(|gas| gas.charge_region_write(len_u64(argument.len())));
            }
        };
        copy(&first);
        if !self.kind.exports_entry(entry) {
            session.fail(VmFailure::MissingExport {
                name: entry.export_name(),
            });
        } else if first.len() != takes_arguments(entry) {
            if entry.info_arg() == InfoArg::Optional && first.len() == 3 {
                copy(&first[..2]);
            } else {
                session.fail(VmFailure::Host(HostError::GuestExport {
                    name: entry.export_name(),
                    problem: ExportProblem::Arity {
                        contract_method_arity: takes_arguments(entry),
                    },
                }));
            }
        }
        if session.has_failed() {
            let (backend, stop) = session.finish();
            return (outcome(Vec::new(), stop), backend);
        }
        // The emulated contracts' `migrate` takes no `MigrateInfo`.
        let info = match entry.info_arg() {
            InfoArg::Optional => None,
            InfoArg::None | InfoArg::Required => input.info,
        };
        let input = CallInput { info, ..input };
        let operators = self.kind.estimated_operators(entry);
        session.charge(|gas| crate::gas::charge_operators(gas, operators));
        let mut output = Vec::new();
        if !session.has_failed() {
            match crate::panic::catch(|| dispatch(self.kind, &input, &session)) {
                Ok(Some(bytes)) => {
                    // Reading the result out of the contract, and its limit,
                    // as the runtime does after the Wasm call returns.
                    session.charge(|gas| gas.charge_region_read(len_u64(bytes.len())));
                    let limit_bytes = entry.result_limit_bytes();
                    if bytes.len() > limit_bytes {
                        session.fail(VmFailure::BadResult(RegionError::LengthExceedsLimit {
                            length: u32::try_from(bytes.len()).unwrap_or(u32::MAX),
                            limit_bytes,
                        }));
                    }
                    output = bytes;
                }
                // Serializing the result failed: the failure is recorded.
                Ok(None) => {}
                Err(panic_text) => session.abort(&panic_text),
            }
        }
        let (backend, stop) = session.finish();
        (outcome(output, stop), backend)
    }
}

/// The call's outcome: its output, or the first stop it met.
fn outcome(output: Vec<u8>, stop: Option<crate::session::Stop>) -> CallOutcome {
    match stop {
        None => Ok(Ok(output)),
        Some(Ok(failure)) => Ok(Err(failure)),
        Some(Err(fault)) => Err(fault),
    }
}

fn len_u64(len: usize) -> u64 {
    u64::try_from(len).unwrap_or(u64::MAX)
}

/// How many region pointers the emulated contracts' export of `entry`
/// takes: `instantiate` and `execute` three, every other two.
fn takes_arguments(entry: EntryPoint) -> usize {
    if matches!(entry, EntryPoint::Instantiate | EntryPoint::Execute) {
        3
    } else {
        2
    }
}

/// `try_into_contract_result!` of cosmwasm-std's `exports.rs`: a value, or
/// an early `ContractResult::Err` with the error's text.
macro_rules! try_into_contract_result {
    ($expr:expr) => {
        match $expr {
            Ok(value) => value,
            Err(err) => return ContractResult::Err(err.to_string()),
        }
    };
}

/// The adapters of one call, from which `Deps` and `DepsMut` borrow.
struct Adapters<'s, T: CostTable> {
    storage: StorageAdapter<'s, T>,
    api: ApiAdapter<'s, T>,
    querier: QuerierAdapter<'s, T>,
}

impl<'s, T: CostTable> Adapters<'s, T> {
    fn new(session: &'s Session<T>) -> Self {
        Self {
            storage: StorageAdapter::new(session),
            api: ApiAdapter::new(session),
            querier: QuerierAdapter::new(session),
        }
    }

    fn deps_mut(&mut self) -> DepsMut<'_> {
        DepsMut {
            storage: &mut self.storage,
            api: &self.api,
            querier: QuerierWrapper::new(&self.querier),
        }
    }

    fn deps(&self) -> Deps<'_> {
        Deps {
            storage: &self.storage,
            api: &self.api,
            querier: QuerierWrapper::new(&self.querier),
        }
    }
}

type InstantiateFn<M, C, E> = dyn Fn(DepsMut, Env, MessageInfo, M) -> Result<Response<C>, E>;
type MigrateFn<M, C, E> = dyn Fn(DepsMut, Env, M) -> Result<Response<C>, E>;
type QueryFn<M, E> = dyn Fn(Deps, Env, M) -> Result<Binary, E>;

/// `_do_instantiate` / `_do_execute`: parse env, info, message (in that
/// order, the first failure being the result), then call.
fn with_info<T: CostTable, M: DeserializeOwned, C: CustomMsg, E: ToString>(
    session: &Session<T>,
    contract_fn: &InstantiateFn<M, C, E>,
    input: &CallInput<'_>,
) -> ContractResult<Response<C>> {
    let env: Env = try_into_contract_result!(std2::from_json(input.env));
    let info: MessageInfo = try_into_contract_result!(std2::from_json(input.info.unwrap_or(&[])));
    let msg: M = try_into_contract_result!(std2::from_json(input.msg));
    let mut adapters = Adapters::new(session);
    contract_fn(adapters.deps_mut(), env, info, msg).into()
}

/// `_do_migrate`: parse env, message, then call.
fn without_info<T: CostTable, M: DeserializeOwned, C: CustomMsg, E: ToString>(
    session: &Session<T>,
    contract_fn: &MigrateFn<M, C, E>,
    input: &CallInput<'_>,
) -> ContractResult<Response<C>> {
    let env: Env = try_into_contract_result!(std2::from_json(input.env));
    let msg: M = try_into_contract_result!(std2::from_json(input.msg));
    let mut adapters = Adapters::new(session);
    contract_fn(adapters.deps_mut(), env, msg).into()
}

/// `_do_query`: parse env, message, then call with read-only `Deps`.
fn query<T: CostTable, M: DeserializeOwned, E: ToString>(
    session: &Session<T>,
    contract_fn: &QueryFn<M, E>,
    input: &CallInput<'_>,
) -> ContractResult<Binary> {
    let env: Env = try_into_contract_result!(std2::from_json(input.env));
    let msg: M = try_into_contract_result!(std2::from_json(input.msg));
    let adapters = Adapters::new(session);
    contract_fn(adapters.deps(), env, msg).into()
}

/// `to_json_vec(&res).unwrap()` of the `do_*` wrappers. A failure (never
/// seen for these contracts' types) is that `unwrap`'s panic, which the
/// Wasm build sends to `abort`.
fn serialize<T: CostTable, R: serde::Serialize>(
    session: &Session<T>,
    result: &R,
) -> Option<Vec<u8>> {
    match std2::to_json_vec(result) {
        Ok(bytes) => Some(bytes),
        Err(error) => {
            session.abort(&format!(
                "called `Result::unwrap()` on an `Err` value: {error:?}"
            ));
            None
        }
    }
}

/// Calls the contract function behind `input.entry` and serializes its
/// result; `None` if that failed (the failure is recorded).
fn dispatch<T: CostTable>(
    kind: NativeKind,
    input: &CallInput<'_>,
    session: &Session<T>,
) -> Option<Vec<u8>> {
    use EntryPoint::{Execute, Instantiate, Migrate, Query};
    use NativeKind::{Cw1Whitelist, Cw20Base, Cw721Base};
    match (kind, input.entry) {
        (Cw20Base, Instantiate) => {
            let result = with_info(session, &cw20_base::contract::instantiate, input);
            serialize(session, &result)
        }
        (Cw20Base, Execute) => {
            let result = with_info(session, &cw20_base::contract::execute, input);
            serialize(session, &result)
        }
        (Cw20Base, Query) => {
            serialize(session, &query(session, &cw20_base::contract::query, input))
        }
        (Cw20Base, Migrate) => {
            let result = without_info(session, &cw20_base::contract::migrate, input);
            serialize(session, &result)
        }
        (Cw721Base, Instantiate) => {
            let result = with_info(session, &cw721_base::entry::instantiate, input);
            serialize(session, &result)
        }
        (Cw721Base, Execute) => {
            let result = with_info(session, &cw721_base::entry::execute, input);
            serialize(session, &result)
        }
        (Cw721Base, Query) => serialize(session, &query(session, &cw721_base::entry::query, input)),
        (Cw721Base, Migrate) => {
            let result = without_info(session, &cw721_base::entry::migrate, input);
            serialize(session, &result)
        }
        (Cw1Whitelist, Instantiate) => {
            let result = with_info(session, &cw1_whitelist::contract::instantiate, input);
            serialize(session, &result)
        }
        (Cw1Whitelist, Execute) => {
            let result =
                with_info::<_, _, Empty, _>(session, &cw1_whitelist::contract::execute, input);
            serialize(session, &result)
        }
        (Cw1Whitelist, Query) => serialize(
            session,
            &query(session, &cw1_whitelist::contract::query, input),
        ),
        (_, entry) => {
            // `NativeContract::call` checked the exports first.
            session.fail(VmFailure::MissingExport {
                name: entry.export_name(),
            });
            None
        }
    }
}
