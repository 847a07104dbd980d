//! The entry-point trait: a native contract behind `dyn Contract`.

use cw_gas::{CosmWasmSchedule, CwGas, GasMeter};
use cw_host::testing::{MockQuerier, MockStorage};
use cw_host::{
    Bech32Api, CallContext, CallInput, CallOutput, CallState, Contract, EntryPoint, HostError,
    InfoArg, TracingDebugHandler,
};

/// A native counter: execute increments, query reads. It goes through the
/// same read-only rule as the Wasm host by checking its `CallState`.
struct Counter;

impl Contract<CosmWasmSchedule> for Counter {
    fn call(
        &mut self,
        input: CallInput<'_>,
        ctx: CallContext<'_, CosmWasmSchedule>,
    ) -> Result<CallOutput, HostError> {
        let state = CallState::for_entry_point(input.entry);
        ctx.gas.charge_host_call()?;
        let current = ctx
            .storage
            .get(b"count")
            .map_err(|e| HostError::Backend {
                import: "native",
                source: e,
                gas_used: cw_gas::GasQuantity::to_amount(ctx.gas.used()),
            })?
            .map_or(0u8, |v| v[0]);
        if input.msg == b"inc" {
            if state.is_read_only() {
                return Err(HostError::ReadOnly { import: "native" });
            }
            ctx.storage
                .set(b"count", &[current + 1])
                .map_err(|e| HostError::Backend {
                    import: "native",
                    source: e,
                    gas_used: cw_gas::GasQuantity::to_amount(ctx.gas.used()),
                })?;
        }
        Ok(CallOutput {
            result: vec![current],
            gas: ctx.gas.report(),
        })
    }
}

#[test]
fn a_native_contract_runs_behind_dyn_contract() {
    let mut contract: Box<dyn Contract<CosmWasmSchedule>> = Box::new(Counter);
    let mut storage = MockStorage::new();
    let api = Bech32Api::default();
    let querier = MockQuerier::new();
    let mut debug = TracingDebugHandler;
    let mut gas = GasMeter::new(CosmWasmSchedule::default(), CwGas::new(1_000_000));
    let mut run = |entry, msg: &'static [u8], gas: &mut GasMeter<CosmWasmSchedule>| {
        contract.call(
            CallInput {
                entry,
                env: b"{}",
                info: None,
                msg,
            },
            CallContext {
                storage: &mut storage,
                api: &api,
                querier: &querier,
                debug: &mut debug,
                gas,
                limits: cw_host::HostLimits::default(),
                query_depth: 0,
            },
        )
    };
    assert_eq!(
        run(EntryPoint::Execute, b"inc", &mut gas).unwrap().result,
        [0]
    );
    assert_eq!(
        run(EntryPoint::Execute, b"inc", &mut gas).unwrap().result,
        [1]
    );
    assert_eq!(
        run(EntryPoint::Query, b"inc", &mut gas),
        Err(HostError::ReadOnly { import: "native" })
    );
    let out = run(EntryPoint::Query, b"get", &mut gas).unwrap();
    assert_eq!(out.result, [2]);
    assert_eq!(out.gas.used.cw_gas, CwGas::new(4 * 18_000));
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
