//! query_chain: responses, gas, depth limit, failures.

use cosmwasm_std::{ContractResult, QuerierResult, SystemResult};
use cw_gas::{CwGas, GasCategory, GasError};
use cw_host::imports::query::QUERY_DEPTH_EXCEEDED_RESPONSE;
use cw_host::testing::{MockQuerier, UNPROGRAMMED_RESPONSE, ok_response};
use cw_host::{BackendError, CallState, EntryPoint, HostError, HostLimits, imports};

use crate::support::{HOST_CALL, Harness, read_cost, write_cost};

const REQUEST: &[u8] = br#"{"bank":{"balance":{"address":"a","denom":"u"}}}"#;

#[test]
fn response_is_returned_and_query_gas_charged() {
    let mut h = Harness::new();
    h.querier = MockQuerier::new().with_ok(REQUEST, b"{\"amount\":\"5\"}");
    let req = h.place(REQUEST);
    let ptr = h
        .with(|ctx, mem, alloc| imports::query_chain(ctx, mem, alloc, req))
        .unwrap();
    let response = h.read(ptr);
    assert_eq!(response, ok_response(b"{\"amount\":\"5\"}"));
    assert_eq!(response, br#"{"ok":{"ok":"eyJhbW91bnQiOiI1In0="}}"#);
    let n = REQUEST.len() as u64;
    let query_gas = 100_000 + 100 * response.len() as u64;
    assert_eq!(
        h.used(),
        HOST_CALL + read_cost(n) + query_gas + write_cost(response.len() as u64)
    );
    assert_eq!(h.gas.used_by(GasCategory::Queries).as_u64(), query_gas);
    // The querier got the gas left after the host call and the read, at depth 1.
    let calls = h.querier.calls();
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].depth, 1);
    assert_eq!(
        calls[0].gas_limit,
        CwGas::new(1_000_000_000_000 - HOST_CALL - read_cost(n))
    );
}

#[test]
fn unprogrammed_requests_get_a_system_error() {
    let mut h = Harness::query();
    let req = h.place(b"{}");
    let ptr = h
        .with(|ctx, mem, alloc| imports::query_chain(ctx, mem, alloc, req))
        .unwrap();
    assert_eq!(h.read(ptr), UNPROGRAMMED_RESPONSE);
}

/// Past the depth limit the contract gets wasmd's query error (code 27,
/// `ErrExceedMaxQueryStackSize` redacted), not a trap; the querier is not
/// called and the query costs no gas.
#[test]
fn past_the_depth_limit_the_contract_gets_wasmds_error() {
    assert_eq!(
        QUERY_DEPTH_EXCEEDED_RESPONSE,
        br#"{"ok":{"error":"codespace: wasm, code: 27"}}"#
    );
    let n = REQUEST.len() as u64;
    let refused = HOST_CALL + read_cost(n) + write_cost(QUERY_DEPTH_EXCEEDED_RESPONSE.len() as u64);

    // A query made at depth 10 would run at 11 > 10 (wasmd's
    // DefaultMaxQueryStackSize).
    let mut h = Harness::new();
    h.querier = MockQuerier::new().with_ok(REQUEST, b"{}");
    h.call = CallState::for_entry_point(EntryPoint::Query).with_query_depth(10);
    let req = h.place(REQUEST);
    let ptr = h
        .with(|ctx, mem, alloc| imports::query_chain(ctx, mem, alloc, req))
        .unwrap();
    assert_eq!(h.read(ptr), QUERY_DEPTH_EXCEEDED_RESPONSE);
    assert!(h.querier.calls().is_empty(), "refused before the querier");
    assert_eq!(h.used(), refused);
    assert_eq!(h.gas.used_by(GasCategory::Queries).as_u64(), 0);
    // The call goes on: the next import works as usual.
    let again = h
        .with(|ctx, mem, alloc| imports::query_chain(ctx, mem, alloc, req))
        .unwrap();
    assert_eq!(h.read(again), QUERY_DEPTH_EXCEEDED_RESPONSE);

    // One level less reaches the querier, at depth 10.
    h.call = CallState::for_entry_point(EntryPoint::Query).with_query_depth(9);
    let ptr = h
        .with(|ctx, mem, alloc| imports::query_chain(ctx, mem, alloc, req))
        .unwrap();
    assert_eq!(h.read(ptr), ok_response(b"{}"));
    assert_eq!(h.querier.calls().len(), 1);
    assert_eq!(h.querier.calls()[0].depth, 10);

    // A limit of 0 refuses even a top-level call's queries.
    let mut h = Harness::new();
    h.call = CallState::new(false).with_limits(HostLimits {
        max_query_depth: 0,
        ..HostLimits::default()
    });
    let req = h.place(REQUEST);
    let ptr = h
        .with(|ctx, mem, alloc| imports::query_chain(ctx, mem, alloc, req))
        .unwrap();
    assert_eq!(h.read(ptr), QUERY_DEPTH_EXCEEDED_RESPONSE);
    assert!(h.querier.calls().is_empty());
}

/// The response is what cosmwasm-std reads as a query error of the queried
/// side (`SystemResult::Ok(ContractResult::Err)`), which `QuerierWrapper`
/// turns into a `StdError` the contract can handle; cosmwasm-vm, which
/// parses the querier's answer and serializes it again, gives the contract
/// the same bytes.
#[test]
fn the_depth_error_is_a_contract_result_error() {
    let parsed: QuerierResult = cosmwasm_std::from_json(QUERY_DEPTH_EXCEEDED_RESPONSE).unwrap();
    assert_eq!(
        parsed,
        SystemResult::Ok(ContractResult::Err("codespace: wasm, code: 27".into()))
    );
    assert_eq!(
        cosmwasm_std::to_json_vec(&parsed).unwrap(),
        QUERY_DEPTH_EXCEEDED_RESPONSE
    );
}

#[test]
fn query_gas_cap_and_out_of_gas() {
    // A cap below the mock's price: the querier reports out of gas, and the
    // gas it used is still charged.
    let mut h = Harness::new();
    h.call = CallState::new(false).with_limits(HostLimits {
        query_gas_cap: CwGas::new(50_000),
        ..HostLimits::default()
    });
    let req = h.place(REQUEST);
    let before_query = HOST_CALL + read_cost(REQUEST.len() as u64);
    let err = h
        .with(|ctx, mem, alloc| imports::query_chain(ctx, mem, alloc, req))
        .unwrap_err();
    assert!(matches!(
        err,
        HostError::Backend {
            import: "query_chain",
            source: BackendError::OutOfGas,
            ..
        }
    ));
    assert_eq!(h.querier.calls()[0].gas_limit, CwGas::new(50_000));
    assert!(h.used() > before_query);

    // A meter with less left than the query costs: out of gas.
    let mut h = Harness::with_limit(HOST_CALL + read_cost(REQUEST.len() as u64) + 1_000);
    let req = h.place(REQUEST);
    let err = h
        .with(|ctx, mem, alloc| imports::query_chain(ctx, mem, alloc, req))
        .unwrap_err();
    assert!(matches!(
        err,
        HostError::Gas(GasError::OutOfGas {
            category: GasCategory::Queries,
            ..
        })
    ));
    assert_eq!(h.querier.calls()[0].gas_limit, CwGas::new(1_000));
}

#[test]
fn oversized_request_traps() {
    let mut h = Harness::new();
    let req = h.place(&vec![b' '; 64 * 1024 + 1]);
    assert!(matches!(
        h.with(|ctx, mem, alloc| imports::query_chain(ctx, mem, alloc, req)),
        Err(HostError::TooLarge {
            what: "query request",
            limit: 65536,
            ..
        })
    ));
}
