//! Item 6: the rules of a query. No writes; iterator ids only from this
//! call's `db_scan`; a query that queries itself stops at wasmd's depth
//! limit (10) with the typed error, not a host stack overflow.

use std::sync::{Arc, Mutex};

use cosmwasm_std::{Empty, QueryRequest, WasmQuery, from_json};
use cw_gas::CwGas;
use cw_host::{
    BackendError, CallInput, CallState, Contract, EntryPoint, HostError, Querier, QueryOutcome,
    VmFailure,
};
use cw_runtime::{CompiledModule, InstanceOptions, WasmContract};

use crate::abi::{self, region, select};
use crate::harness::{GAS_LIMIT, Hostile, Map, backend_with, dump, env_bytes, report};

#[test]
fn the_probe_cannot_write_or_remove_in_a_query() {
    let mut h = Hostile::probe();
    crate::harness::put(&h.store, b"k", b"v");
    for (msg, import) in [
        (
            &br#"{"write_in_query":{"key":"aw==","value":"dg=="}}"#[..],
            "db_write",
        ),
        (br#"{"remove_in_query":{"key":"aw=="}}"#, "db_remove"),
    ] {
        let expected = VmFailure::Host(HostError::ReadOnly { import });
        let gas = h.assert_fails(EntryPoint::Query, msg, &expected, 2);
        report(
            6,
            &format!("probe `{import}` in a query"),
            &format!("{expected:?}"),
            gas,
        );
    }
}

#[test]
fn raw_writes_in_a_query_are_refused_before_reading_their_arguments() {
    let mut h = Hostile::wat(abi::module(), abi::OK_TEXT);
    crate::harness::put(&h.store, b"key", b"before");
    for (case, selector, ptr, import) in [
        (
            "db_write in a query",
            select::DB_WRITE_VALUE,
            region::VALUE,
            "db_write",
        ),
        (
            "db_remove in a query",
            select::DB_REMOVE,
            region::KEY,
            "db_remove",
        ),
        // The read-only check comes first: a bad region is not even read.
        (
            "db_write in a query, null value region",
            select::DB_WRITE_VALUE,
            0,
            "db_write",
        ),
    ] {
        let expected = VmFailure::Host(HostError::ReadOnly { import });
        let gas = h.assert_fails(EntryPoint::Query, &abi::msg(selector, ptr), &expected, 2);
        report(6, case, &format!("{expected:?}"), gas);
    }
}

#[test]
fn unknown_iterator_ids_and_orders_trap() {
    let mut h = Hostile::wat(abi::module(), abi::OK_TEXT);
    crate::harness::put(&h.store, b"key", b"value");
    let unknown = |id| VmFailure::Host(HostError::UnknownIterator { id });
    let cases = [
        ("db_next(0)", select::DB_NEXT, 0, unknown(0)),
        (
            "db_next(1) before any db_scan",
            select::DB_NEXT,
            1,
            unknown(1),
        ),
        ("db_next(999)", select::DB_NEXT, 999, unknown(999)),
        (
            "db_next_key(u32::MAX)",
            select::DB_NEXT_KEY,
            u32::MAX,
            unknown(u32::MAX),
        ),
        ("db_next_value(7)", select::DB_NEXT_VALUE, 7, unknown(7)),
        (
            "db_scan order 3",
            select::DB_SCAN_ORDER,
            3,
            VmFailure::Host(HostError::InvalidOrder { order: 3 }),
        ),
        (
            "db_scan order -1",
            select::DB_SCAN_ORDER,
            u32::MAX,
            VmFailure::Host(HostError::InvalidOrder { order: -1 }),
        ),
    ];
    for (case, selector, arg, expected) in cases {
        for entry in [EntryPoint::Execute, EntryPoint::Query] {
            let gas = h.assert_fails(entry, &abi::msg(selector, arg), &expected, 2);
            report(
                6,
                &format!("{case} ({entry:?})"),
                &format!("{expected:?}"),
                gas,
            );
        }
    }
}

/// A querier that answers smart queries by running the same contract again
/// at the nesting depth `query_chain` asks for, over the same store, as
/// wasmd does: a failure of the queried contract becomes a contract error
/// for the querying one. It records the depth of every query it runs and
/// every failure.
#[derive(Clone)]
struct SelfQuerier {
    module: CompiledModule,
    store: Map,
    depths: Arc<Mutex<Vec<u32>>>,
    failures: Arc<Mutex<Vec<(u32, VmFailure)>>>,
}

impl Querier for SelfQuerier {
    fn query_raw(&self, request: &[u8], gas_limit: CwGas, depth: u32) -> QueryOutcome {
        // No panics here: this runs inside a Wasm import.
        let msg = match from_json::<QueryRequest<Empty>>(request) {
            Ok(QueryRequest::Wasm(WasmQuery::Smart { msg, .. })) => msg,
            _ => {
                return QueryOutcome {
                    result: Err(BackendError::Other {
                        message: "SelfQuerier answers smart queries only".into(),
                    }),
                    gas_used: CwGas::new(0),
                };
            }
        };
        self.depths.lock().unwrap().push(depth);
        let mut contract = WasmContract::new(self.module.clone(), InstanceOptions::default());
        let mut backend = backend_with(
            EntryPoint::Query,
            &self.store,
            gas_limit.as_u64(),
            Box::new(self.clone()),
        );
        backend.call = CallState::for_entry_point(EntryPoint::Query).with_query_depth(depth);
        let env = env_bytes();
        let input = CallInput {
            entry: EntryPoint::Query,
            env: &env,
            info: None,
            msg: msg.as_slice(),
        };
        let (outcome, backend) = contract.call(input, backend);
        let result = outcome.unwrap_or_else(|fault| panic!("node fault: {fault}"));
        let gas_used = CwGas::new(backend.gas.used().as_u64());
        let response = match result {
            Ok(contract_result) => [b"{\"ok\":".as_slice(), &contract_result, b"}"].concat(),
            Err(failure) => {
                let text = serde_json::to_string(&failure.to_string()).unwrap_or_default();
                self.failures.lock().unwrap().push((depth, failure));
                format!(r#"{{"ok":{{"error":{text}}}}}"#).into_bytes()
            }
        };
        QueryOutcome {
            result: Ok(response),
            gas_used,
        }
    }
}

fn query_self(depth: u32) -> Vec<u8> {
    format!(r#"{{"query_self":{{"depth":{depth}}}}}"#).into_bytes()
}

/// wasmd's answer past the depth limit is a query error the contract
/// handles (`QUERY_DEPTH_EXCEEDED_RESPONSE`, "codespace: wasm, code: 27"),
/// not a trap: the probe turns it into its own error at every level, so the
/// top level returns a contract error. The querier is never asked for
/// depth 11.
#[test]
fn a_query_recursing_into_itself_stops_at_the_depth_limit() {
    let mut h = Hostile::probe();
    crate::harness::put(&h.store, b"k", b"v");
    let before = dump(&h.store);
    let depths = Arc::new(Mutex::new(Vec::new()));
    let failures = Arc::new(Mutex::new(Vec::new()));
    let querier = SelfQuerier {
        module: h.module().clone(),
        store: h.store.clone(),
        depths: depths.clone(),
        failures: failures.clone(),
    };
    let run = |h: &mut Hostile, depth: u32| {
        depths.lock().unwrap().clear();
        failures.lock().unwrap().clear();
        let backend = backend_with(
            EntryPoint::Query,
            &h.store,
            GAS_LIMIT,
            Box::new(querier.clone()),
        );
        let (outcome, _) = h.call_with(EntryPoint::Query, &query_self(depth), backend);
        assert!(
            failures.lock().unwrap().is_empty(),
            "{:?}",
            failures.lock().unwrap()
        );
        (outcome, depths.lock().unwrap().clone())
    };

    // Ten levels below the top one: exactly the limit.
    let (outcome, asked) = run(&mut h, 10);
    assert_eq!(
        outcome.result,
        Ok(br#"{"ok":"MTA="}"#.to_vec()),
        "10 nested queries"
    );
    assert_eq!(asked, (1..=10).collect::<Vec<_>>());
    report(
        6,
        "query_self 10 levels deep (the limit)",
        "Ok(10)",
        outcome.gas_used,
    );

    for depth in [11, 1_000] {
        let (outcome, asked) = run(&mut h, depth);
        assert_eq!(asked, (1..=10).collect::<Vec<_>>(), "query_self {depth}");
        let bytes = outcome
            .result
            .expect("the top level returns the contract error");
        let text = String::from_utf8(bytes).unwrap();
        assert!(text.starts_with(r#"{"error":"#), "{text}");
        assert!(text.contains("codespace: wasm, code: 27"), "{text}");
        let (again, _) = run(&mut h, depth);
        assert_eq!(again.gas_used, outcome.gas_used);
        assert_eq!(dump(&h.store), before);
        report(
            6,
            &format!("query_self {depth} levels deep"),
            "depth 10 gets `codespace: wasm, code: 27`; top level Ok(contract error)",
            outcome.gas_used,
        );
    }
    h.assert_recovers();
}
