//! The probe contract run on cosmwasm-vm 3.0.11, the reference: proves each
//! message hits its import and returns what `probe::msg` documents, and
//! records what the reference does for each misbehaviour (the behaviour our
//! runtime must match).
//!
//! Expected results are derived, not typed in: storage results from a
//! `BTreeMap` model, crypto results from cosmwasm-std's native `MockApi`
//! (cosmwasm-crypto without Wasm) and from published test vectors (cited
//! where used), address results from cosmwasm-vm's own `MockApi`. The
//! reference's error texts for misbehaviour are pinned as observed: they are
//! the ground truth our runtime must reproduce.

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::rc::Rc;

use cosmwasm_std::testing::MockApi as NativeApi;
use cosmwasm_std::{
    Api, BLS12_381_G1_GENERATOR, BLS12_381_G2_GENERATOR, BalanceResponse, BankMsg, BankQuery,
    Binary, ContractResult, Empty, HashFunction, HexBinary, Order, QuerierResult, QueryRequest,
    Reply, Response, StdError, SubMsg, SubMsgResult, SystemError, SystemResult, VerificationError,
    WasmQuery, coins, from_json, to_json_binary, to_json_vec,
};
use cosmwasm_vm::testing::{
    MockApi, MockInstanceOptions, MockQuerier, MockStorage, mock_env, mock_info,
    mock_instance_with_options,
};
use cosmwasm_vm::{
    BackendApi, BackendError, Instance, Size, Storage, VmError, VmResult, call_execute,
    call_instantiate, call_migrate, call_migrate_with_info, call_query, call_reply, call_sudo,
};
use probe::msg::{
    BlsHashFunction, ExecuteMsg, GrowMemoryResponse, InstantiateMsg, MigrateMsg, QueryMsg,
    REPLY_KEY, ReadResponse, ScanArgs, ScanMode, ScanResponse, SudoMsg, VERSION_KEY,
};

type Probe = Instance<MockApi, MockStorage, MockQuerier>;

/// Wasm page size; memory limits are whole pages.
const PAGE_BYTES: u64 = 64 * 1024;

/// The memory limit for the misbehaviour tests: cosmwasm-vm's test default.
const MEMORY_LIMIT_BYTES: usize = 16 * 1024 * 1024;

/// Gas for tests that make many calls on one instance. cosmwasm-vm's test
/// default (2·10^9) lasts for only about a dozen signature checks
/// (secp256k1_verify alone costs 1.54·10^8).
const AMPLE_GAS: u64 = 1_000_000_000_000_000;

/// How cosmwasm-vm reports a trap or an error raised by an import: a
/// `RuntimeErr` whose text wraps the cause (not `VmError::Aborted` or
/// `VmError::WriteAccessDenied`, which exist but do not surface here).
const RUNTIME_ERROR_PREFIX: &str = "Wasmer runtime error: RuntimeError: ";

/// JSON bytes of a message or value (tests has no direct serde dependency,
/// so this is a macro rather than a generic function).
macro_rules! json {
    ($value:expr) => {
        to_json_vec(&$value).unwrap()
    };
}

fn probe_wasm() -> Vec<u8> {
    tests::fixture_bytes("probe")
}

fn new_probe(options: MockInstanceOptions) -> Probe {
    let mut probe = mock_instance_with_options(&probe_wasm(), options);
    let info = mock_info("creator", &[]);
    let result: ContractResult<Response> =
        call_instantiate(&mut probe, &mock_env(), &info, &json!(InstantiateMsg {})).unwrap();
    let response = result.unwrap();
    assert_eq!(response.data, None);
    assert!(
        dump(&mut probe).is_empty(),
        "instantiate must write nothing"
    );
    probe
}

fn default_probe() -> Probe {
    new_probe(MockInstanceOptions {
        gas_limit: AMPLE_GAS,
        ..MockInstanceOptions::default()
    })
}

/// The text of the `VmError::RuntimeErr` that `result` must be.
fn runtime_error<T>(result: VmResult<T>) -> String {
    match result {
        Err(VmError::RuntimeErr { msg, .. }) => msg,
        Err(other) => panic!("expected a runtime error, got: {other}"),
        Ok(_) => panic!("expected a runtime error, got success"),
    }
}

fn execute(probe: &mut Probe, msg: &ExecuteMsg) -> VmResult<ContractResult<Response>> {
    call_execute(probe, &mock_env(), &mock_info("caller", &[]), &json!(msg))
}

/// Executes, expecting success; returns the response's data.
fn execute_ok(probe: &mut Probe, msg: &ExecuteMsg) -> Option<Binary> {
    let response = execute(probe, msg).unwrap().unwrap();
    assert!(response.messages.is_empty());
    response.data
}

/// Executes, expecting a contract error; returns its text.
fn execute_err(probe: &mut Probe, msg: &ExecuteMsg) -> String {
    execute(probe, msg).unwrap().unwrap_err()
}

/// Executes, expecting JSON data of the type the call site asks for.
macro_rules! execute_json {
    ($probe:expr, $msg:expr) => {
        from_json(execute_ok($probe, $msg).expect("data")).unwrap()
    };
}

fn query(probe: &mut Probe, msg: &QueryMsg) -> VmResult<ContractResult<Binary>> {
    call_query(probe, &mock_env(), &json!(msg))
}

/// Queries, expecting a JSON result of the type the call site asks for.
macro_rules! query_json {
    ($probe:expr, $msg:expr) => {
        from_json(query($probe, $msg).unwrap().unwrap()).unwrap()
    };
}

/// The whole contract storage, in key order, read through the backend.
fn dump(probe: &mut Probe) -> Vec<(Vec<u8>, Vec<u8>)> {
    probe
        .with_storage(|storage| {
            let id = storage.scan(None, None, Order::Ascending).0?;
            let mut records = Vec::new();
            while let Some(record) = storage.next(id).0? {
                records.push(record);
            }
            Ok(records)
        })
        .unwrap()
}

fn hex(text: &str) -> Binary {
    HexBinary::from_hex(text).unwrap().to_vec().into()
}

fn bin(bytes: &[u8]) -> Binary {
    Binary::from(bytes)
}

/// What a scan must return, computed from a model of the storage.
fn expected_scan(model: &BTreeMap<Vec<u8>, Vec<u8>>, args: &ScanArgs) -> ScanResponse {
    let in_range = |key: &Vec<u8>| {
        args.start
            .as_ref()
            .is_none_or(|s| key.as_slice() >= s.as_slice())
            && args
                .end
                .as_ref()
                .is_none_or(|e| key.as_slice() < e.as_slice())
    };
    let mut records: Vec<_> = model.iter().filter(|(k, _)| in_range(k)).collect();
    if args.order == Order::Descending {
        records.reverse();
    }
    records.truncate(args.limit.map_or(usize::MAX, |l| l as usize));
    let keys = records.iter().map(|(k, _)| bin(k)).collect();
    let values = records.iter().map(|(_, v)| bin(v)).collect();
    match args.mode {
        ScanMode::Pairs => ScanResponse { keys, values },
        ScanMode::Keys => ScanResponse {
            keys,
            values: vec![],
        },
        ScanMode::Values => ScanResponse {
            keys: vec![],
            values,
        },
    }
}

mod chain;
mod crypto;
mod misbehaviour;
mod storage_and_addr;
