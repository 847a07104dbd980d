//! The adapters alone, over cw-host's test doubles.

use std::sync::Arc;

use cosmwasm_std_v2::{Api as _, Order, Storage as _};
use cw_gas::{CosmWasmSchedule, CwGas, GasCategory, GasMeter};
use cw_host::testing::{MockQuerier, MockStorage};
use cw_host::{
    BackendError, Bech32Api, CallBackend, CallState, EntryPoint, HostError, Storage, VmFailure,
};

use super::{ApiAdapter, StorageAdapter};
use crate::session::Session;

fn backend(
    entry: EntryPoint,
    storage: MockStorage,
    gas_limit: u64,
) -> CallBackend<CosmWasmSchedule> {
    CallBackend {
        storage: Box::new(storage),
        api: Arc::new(Bech32Api::default()),
        querier: Box::new(MockQuerier::new()),
        gas: GasMeter::new(CosmWasmSchedule::default(), CwGas::new(gas_limit)),
        call: CallState::for_entry_point(entry),
        debug: Box::new(|_: &str, _: cw_host::DebugInfo| {}),
    }
}

fn stored() -> MockStorage {
    [
        (b"a".to_vec(), b"1".to_vec()),
        (b"b".to_vec(), b"2".to_vec()),
    ]
    .into_iter()
    .collect()
}

#[test]
fn a_query_refuses_writes_and_removals() {
    for write in [true, false] {
        let session = Session::new(backend(EntryPoint::Query, stored(), 1 << 40));
        let mut storage = StorageAdapter::new(&session);
        assert_eq!(storage.get(b"a"), Some(b"1".to_vec()));
        if write {
            storage.set(b"a", b"changed");
        } else {
            storage.remove(b"a");
        }
        // After the failure nothing more happens: reads find nothing.
        assert_eq!(storage.get(b"b"), None);
        let (backend, failure) = session.finish();
        let import = if write { "db_write" } else { "db_remove" };
        assert_eq!(
            failure,
            Some(Ok(VmFailure::Host(HostError::ReadOnly { import })))
        );
        assert_eq!(backend.storage.get(b"a").unwrap(), Some(b"1".to_vec()));
    }
}

#[test]
fn the_same_writes_are_allowed_in_an_execute() {
    let session = Session::new(backend(EntryPoint::Execute, stored(), 1 << 40));
    let mut storage = StorageAdapter::new(&session);
    storage.set(b"a", b"changed");
    storage.remove(b"b");
    let (backend, failure) = session.finish();
    assert_eq!(failure, None);
    assert_eq!(
        backend.storage.get(b"a").unwrap(),
        Some(b"changed".to_vec())
    );
    assert_eq!(backend.storage.get(b"b").unwrap(), None);
    assert!(backend.gas.used_by(GasCategory::Storage).as_u64() > 0);
}

#[test]
fn out_of_gas_drops_every_later_access() {
    // Enough for nothing but the first host call's price.
    let session = Session::new(backend(EntryPoint::Execute, stored(), 18_000));
    let mut storage = StorageAdapter::new(&session);
    storage.set(b"c", b"3");
    storage.set(b"d", b"4");
    let (backend, failure) = session.finish();
    assert_eq!(failure, Some(Ok(VmFailure::OutOfGas)));
    assert!(backend.gas.is_exhausted());
    assert_eq!(backend.storage.get(b"c").unwrap(), None);
    assert_eq!(backend.storage.get(b"d").unwrap(), None);
}

#[test]
fn ranges_are_lazy_and_see_writes_ahead_of_the_cursor() {
    let session = Session::new(backend(EntryPoint::Execute, stored(), 1 << 40));
    let mut storage = StorageAdapter::new(&session);
    let first = storage.range(None, None, Order::Ascending).next();
    assert_eq!(first, Some((b"a".to_vec(), b"1".to_vec())));
    storage.set(b"c", b"3");
    let descending: Vec<_> = storage
        .range(Some(b"a"), Some(b"c\x00"), Order::Descending)
        .map(|(k, _)| k)
        .collect();
    assert_eq!(descending, [b"c".to_vec(), b"b".to_vec(), b"a".to_vec()]);
    // An empty range costs its steps but yields nothing.
    assert_eq!(
        storage
            .range(Some(b"b"), Some(b"a"), Order::Ascending)
            .next(),
        None
    );
    let (backend, failure) = session.finish();
    assert_eq!(failure, None);
    assert!(backend.gas.used_by(GasCategory::Storage).as_u64() > 0);
}

#[test]
fn a_backend_fault_is_a_node_fault() {
    struct Broken;
    impl Storage for Broken {
        fn get(&self, _: &[u8]) -> Result<Option<Vec<u8>>, BackendError> {
            Err(BackendError::Unavailable { backend: "storage" })
        }
        fn set(&mut self, _: &[u8], _: &[u8]) -> Result<(), BackendError> {
            Err(BackendError::Unavailable { backend: "storage" })
        }
        fn remove(&mut self, _: &[u8]) -> Result<(), BackendError> {
            Err(BackendError::Unavailable { backend: "storage" })
        }
        fn seek(
            &self,
            _: cw_host::KeyRange<'_>,
            _: cw_host::Order,
            _: Option<&[u8]>,
        ) -> Result<Option<cw_host::Record>, BackendError> {
            Err(BackendError::Unavailable { backend: "storage" })
        }
    }
    let mut backend = backend(EntryPoint::Execute, MockStorage::new(), 1 << 40);
    backend.storage = Box::new(Broken);
    let session = Session::new(backend);
    assert_eq!(StorageAdapter::new(&session).get(b"a"), None);
    let (_, failure) = session.finish();
    // The storage's own failure is the node's, not the contract's.
    assert!(
        matches!(
            failure,
            Some(Err(cw_host::NodeFault::Backend {
                import: "db_read",
                ..
            }))
        ),
        "{failure:?}"
    );
}

#[test]
fn addresses_get_cosmwasm_std_texts() {
    let session = Session::new(backend(EntryPoint::Execute, MockStorage::new(), 1 << 40));
    let api = ApiAdapter::new(&session);
    let alice = Bech32Api::default().addr_make("alice").unwrap();
    assert_eq!(api.addr_validate(&alice).unwrap().as_str(), alice);
    let canonical = api.addr_canonicalize(&alice).unwrap();
    assert_eq!(api.addr_humanize(&canonical).unwrap().as_str(), alice);
    let upper = api.addr_validate(&alice.to_uppercase()).unwrap_err();
    assert_eq!(
        upper.to_string(),
        "Generic error: addr_validate errored: Invalid input: address not normalized"
    );
    let empty = api.addr_validate("").unwrap_err();
    assert_eq!(
        empty.to_string(),
        "Generic error: addr_validate errored: Input is empty"
    );
    let long = api.addr_validate(&"a".repeat(257)).unwrap_err();
    assert_eq!(
        long.to_string(),
        "Generic error: input too long for addr_validate"
    );
    let (_, failure) = session.finish();
    assert_eq!(failure, None);
}

#[test]
fn signature_functions_fail_the_call() {
    let session = Session::new(backend(EntryPoint::Execute, MockStorage::new(), 1 << 40));
    let api = ApiAdapter::new(&session);
    assert!(api.secp256k1_verify(&[0; 32], &[0; 64], &[0; 33]).is_err());
    let (backend, failure) = session.finish();
    assert!(matches!(
        failure,
        Some(Ok(VmFailure::Host(HostError::Backend {
            import: "secp256k1_verify",
            ..
        })))
    ));
    assert!(backend.gas.used().as_u64() > 0);
}

/// Records the depth and gas limit of each query, then answers as
/// `MockQuerier`.
struct Recorder(Arc<std::sync::Mutex<Vec<(u32, u64)>>>, MockQuerier);

impl cw_host::Querier for Recorder {
    fn query_raw(&self, request: &[u8], gas_limit: CwGas, depth: u32) -> cw_host::QueryOutcome {
        self.0.lock().unwrap().push((depth, gas_limit.as_u64()));
        self.1.query_raw(request, gas_limit, depth)
    }
}

#[test]
fn queries_run_one_level_deeper_with_the_gas_left() {
    use cosmwasm_std_v2::{ContractResult, Querier as _, SystemError, SystemResult};

    let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
    let querier = MockQuerier::new().with_ok(b"ping".to_vec(), b"pong");
    let limit = 1u64 << 40;
    let mut backend = backend(EntryPoint::Execute, MockStorage::new(), limit);
    backend.querier = Box::new(Recorder(seen.clone(), querier));
    backend.call = CallState::for_entry_point(EntryPoint::Execute).with_query_depth(2);
    let session = Session::new(backend);
    let adapter = super::QuerierAdapter::new(&session);
    assert_eq!(
        adapter.raw_query(b"ping"),
        SystemResult::Ok(ContractResult::Ok(b"pong".into()))
    );
    assert!(matches!(
        adapter.raw_query(b"other"),
        SystemResult::Err(SystemError::UnsupportedRequest { .. })
    ));
    let (backend, failure) = session.finish();
    assert_eq!(failure, None);
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 2);
    let (depth, gas_limit) = seen[0];
    assert_eq!(depth, 3);
    // What was left after the import's own charges (host call, request copy).
    assert!(
        gas_limit < limit && gas_limit > limit - 1_000_000,
        "{gas_limit}"
    );
    assert!(backend.gas.used_by(GasCategory::Queries).as_u64() > 0);
}

/// Past the depth limit the querier is not called and the contract gets
/// the import's answer (wasmd's error), not a failure: the adapter follows
/// the import, whatever the import decides.
#[test]
fn a_query_past_the_depth_limit_gets_the_imports_answer() {
    use cosmwasm_std_v2::{ContractResult, Querier as _, SystemResult};

    let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
    let mut backend = backend(EntryPoint::Query, MockStorage::new(), 1 << 40);
    backend.querier = Box::new(Recorder(seen.clone(), MockQuerier::new()));
    let limit = backend.call.limits().max_query_depth;
    backend.call = CallState::for_entry_point(EntryPoint::Query).with_query_depth(limit);
    let session = Session::new(backend);
    let answer = super::QuerierAdapter::new(&session).raw_query(b"ping");
    let expected: cosmwasm_std_v2::QuerierResult =
        cosmwasm_std_v2::from_json(cw_host::imports::query::QUERY_DEPTH_EXCEEDED_RESPONSE).unwrap();
    assert_eq!(answer, expected);
    assert!(matches!(answer, SystemResult::Ok(ContractResult::Err(_))));
    assert!(seen.lock().unwrap().is_empty());
    let (_, failure) = session.finish();
    assert_eq!(failure, None);
}
