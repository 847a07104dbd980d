//! The entry-point trait: a native contract behind `dyn Contract`.

use std::sync::Arc;

use cw_gas::{CosmWasmSchedule, CwGas, GasMeter};
use cw_host::Storage as _;
use cw_host::testing::{MockQuerier, MockStorage};
use cw_host::{
    Bech32Api, CallBackend, CallInput, CallOutcome, CallResult, CallState, Contract, EntryPoint,
    HostError, InfoArg, TracingDebugHandler, VmFailure,
};

/// A native counter: execute increments, query reads. It goes through the
/// same read-only rule as the Wasm host by checking its `CallState`.
struct Counter;

impl Counter {
    fn run(input: &CallInput<'_>, backend: &mut CallBackend<CosmWasmSchedule>) -> CallResult {
        let host = |e: HostError| VmFailure::Host(e);
        backend.gas.charge_host_call().map_err(|e| host(e.into()))?;
        let backend_error = |source| {
            host(HostError::Backend {
                import: "native",
                source,
                gas_used: cw_gas::GasQuantity::to_amount(CwGas::new(0)),
            })
        };
        let current = backend
            .storage
            .get(b"count")
            .map_err(backend_error)?
            .map_or(0u8, |v| v[0]);
        if input.msg == b"inc" {
            if backend.call.is_read_only() {
                return Err(host(HostError::ReadOnly { import: "native" }));
            }
            backend
                .storage
                .set(b"count", &[current + 1])
                .map_err(backend_error)?;
        }
        Ok(vec![current])
    }
}

impl Contract<CosmWasmSchedule> for Counter {
    fn call(
        &mut self,
        input: CallInput<'_>,
        mut backend: CallBackend<CosmWasmSchedule>,
    ) -> (CallOutcome, CallBackend<CosmWasmSchedule>) {
        let result = Self::run(&input, &mut backend);
        (Ok(result), backend)
    }
}

#[test]
fn a_native_contract_runs_behind_dyn_contract() {
    let mut contract: Box<dyn Contract<CosmWasmSchedule> + Send> = Box::new(Counter);
    let storage = MockStorage::new();
    let mut run = |entry, msg: &'static [u8], storage: MockStorage| {
        let backend = CallBackend {
            storage: Box::new(storage),
            api: Arc::new(Bech32Api::default()),
            querier: Box::new(MockQuerier::new()),
            gas: GasMeter::new(CosmWasmSchedule::default(), CwGas::new(1_000_000)),
            call: CallState::for_entry_point(entry),
            debug: Box::new(TracingDebugHandler),
        };
        contract.call(
            CallInput {
                entry,
                env: b"{}",
                info: None,
                msg,
            },
            backend,
        )
    };
    let (result, backend) = run(EntryPoint::Execute, b"inc", storage.clone());
    assert_eq!(result, Ok(Ok(vec![0])));
    assert_eq!(backend.gas.used(), CwGas::new(18_000));
    // The backend owned a copy of the store; the counter wrote 1 into it.
    assert_eq!(backend.storage.get(b"count").unwrap(), Some(vec![1]));
    let mut storage = storage;
    storage.set(b"count", &[1]).unwrap();
    let (result, _) = run(EntryPoint::Query, b"inc", storage.clone());
    assert_eq!(
        result,
        Ok(Err(VmFailure::Host(HostError::ReadOnly {
            import: "native"
        })))
    );
    let (result, _) = run(EntryPoint::Query, b"get", storage);
    assert_eq!(result, Ok(Ok(vec![1])));
}

#[test]
fn entry_point_facts() {
    assert_eq!(
        EntryPoint::ALL
            .iter()
            .filter(|e| e.is_read_only())
            .collect::<Vec<_>>(),
        [&EntryPoint::Query]
    );
    assert_eq!(EntryPoint::Execute.info_arg(), InfoArg::Required);
    assert_eq!(EntryPoint::Instantiate.info_arg(), InfoArg::Required);
    assert_eq!(EntryPoint::Migrate.info_arg(), InfoArg::Optional);
    assert_eq!(EntryPoint::Reply.info_arg(), InfoArg::None);
    assert_eq!(
        EntryPoint::IbcDestinationCallback.export_name(),
        "ibc_destination_callback"
    );
    let mut names: Vec<_> = EntryPoint::ALL.iter().map(|e| e.export_name()).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), EntryPoint::ALL.len());
    assert!(CallState::for_entry_point(EntryPoint::Query).is_read_only());
    assert!(!CallState::for_entry_point(EntryPoint::Sudo).is_read_only());
}

#[test]
fn import_names_are_unique_and_complete() {
    let mut names = cw_host::imports::IMPORT_NAMES.to_vec();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), 24);
}
