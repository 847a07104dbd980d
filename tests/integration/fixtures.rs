//! The fixtures are what a chain would run: they pass cosmwasm-vm 3.0.11's own
//! static validation, were linked against a cosmwasm-std without the 2.0.0
//! deallocation bug, and actually execute.

use std::collections::HashSet;

use cosmwasm_std::{Uint128, from_json};
use cosmwasm_vm::internals::{Logger, check_wasm};
use cosmwasm_vm::testing::{MockApi, mock_env, mock_instance_with_gas_limit};
use cosmwasm_vm::{WasmLimits, call_execute, call_instantiate, call_query, capabilities_from_csv};
use serde_json::json;
use sha2::{Digest, Sha256};

/// The capabilities of a current wasmd chain running CosmWasm 3.0.
fn chain_capabilities() -> HashSet<String> {
    capabilities_from_csv(
        "iterator,staking,stargate,cosmwasm_1_1,cosmwasm_1_2,cosmwasm_1_3,cosmwasm_1_4,\
         cosmwasm_2_0,cosmwasm_2_1,cosmwasm_2_2,cosmwasm_3_0",
    )
}

#[test]
fn every_fixture_passes_chain_static_validation() {
    let manifest = tests::all_fixtures();
    assert_eq!(manifest.fixtures.len(), tests::FIXTURES.len());
    for spec in tests::FIXTURES {
        let wasm = tests::fixture_bytes(spec.name);
        check_wasm(
            &wasm,
            &chain_capabilities(),
            &WasmLimits::default(),
            Logger::Off,
        )
        .unwrap_or_else(|e| panic!("{} fails chain validation: {e}", spec.name));
        // wasmd's MaxWasmSize for an uncompressed upload is 800 KiB.
        assert!(
            wasm.len() <= 800 * 1024,
            "{} is {} bytes",
            spec.name,
            wasm.len()
        );
    }
}

#[test]
fn manifest_records_the_bytes_on_disk_and_a_fixed_cosmwasm_std() {
    let manifest = tests::all_fixtures();
    for record in &manifest.fixtures {
        let wasm = tests::fixture_bytes(&record.name);
        assert_eq!(record.size, wasm.len() as u64, "{}", record.name);
        assert_eq!(
            record.sha256,
            hex::encode(Sha256::digest(&wasm)),
            "{}",
            record.name
        );
        let mut parts = record
            .cosmwasm_std
            .split('.')
            .map(|p| p.parse::<u32>().unwrap());
        let (major, minor) = (parts.next().unwrap(), parts.next().unwrap());
        assert!(
            (major, minor) >= (2, 1),
            "{} links cosmwasm-std {}",
            record.name,
            record.cosmwasm_std
        );
    }
}

/// Static checks do not catch the cosmwasm-std 2.0.0 allocator abort; a real
/// instantiate, transfer and query do.
#[test]
fn cw20_base_fixture_runs_a_transfer_on_cosmwasm_vm() {
    let wasm = tests::fixture_bytes("cw20_base");
    let mut instance = mock_instance_with_gas_limit(&wasm, 500_000_000_000);
    let api = MockApi::default();
    let alice = api.addr_make("alice");
    let bob = api.addr_make("bob");
    let init = json!({
        "name": "Probe Token", "symbol": "PRB", "decimals": 6,
        "initial_balances": [{"address": alice.as_str(), "amount": "1000"}],
    });
    let info = cosmwasm_std::testing::message_info(&cosmwasm_std::Addr::unchecked(&alice), &[]);
    let res = call_instantiate::<_, _, _, cosmwasm_std::Empty>(
        &mut instance,
        &mock_env(),
        &info,
        init.to_string().as_bytes(),
    )
    .unwrap();
    res.into_result().expect("instantiate succeeds");
    let transfer = json!({"transfer": {"recipient": bob.as_str(), "amount": "250"}});
    let res = call_execute::<_, _, _, cosmwasm_std::Empty>(
        &mut instance,
        &mock_env(),
        &info,
        transfer.to_string().as_bytes(),
    )
    .unwrap()
    .into_result()
    .expect("transfer succeeds");
    assert!(
        res.attributes
            .iter()
            .any(|a| a.key == "action" && a.value == "transfer")
    );
    let query = json!({"balance": {"address": bob.as_str()}});
    let bin = call_query(&mut instance, &mock_env(), query.to_string().as_bytes())
        .unwrap()
        .into_result()
        .unwrap();
    let balance: serde_json::Value = from_json(&bin).unwrap();
    assert_eq!(balance["balance"], json!(Uint128::new(250).to_string()));
}
