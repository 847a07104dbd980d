//! The same calls on our runtime and on cosmwasm-vm 3.0.11: the result bytes,
//! the storage afterwards and the gas (with storage free on both sides, so
//! only the VM's own pricing is compared) are identical.

use crate::support;
use cosmwasm_vm::testing::{MockApi as VmApi, MockQuerier as VmQuerier};
use cosmwasm_vm::{
    Backend, BackendError as VmBackendError, BackendResult, GasInfo, Instance,
    InstanceOptions as VmOptions, Size,
};
use cw_gas::CosmWasmSchedule;
use cw_host::{Bech32Api, EntryPoint, KeyRange, Storage};
use cw_runtime::{
    CompileConfig, CompiledModule, ContractInstance, InstanceOptions, ValidationConfig, compile,
};
use serde_json::json;

use support::{Map, backend, dump, env_bytes, info_bytes, put};

const GAS_LIMIT: u64 = 500_000_000_000;

type Record = (Vec<u8>, Vec<u8>);

/// cosmwasm-vm's storage over the same kind of store, charging no gas.
struct FreeVmStorage {
    map: Map,
    iterators: Vec<std::vec::IntoIter<Record>>,
}

impl cosmwasm_vm::Storage for FreeVmStorage {
    fn get(&self, key: &[u8]) -> BackendResult<Option<Vec<u8>>> {
        (Ok(dump(&self.map).get(key).cloned()), GasInfo::free())
    }
    fn scan(
        &mut self,
        start: Option<&[u8]>,
        end: Option<&[u8]>,
        order: cosmwasm_std::Order,
    ) -> BackendResult<u32> {
        let range = KeyRange { start, end };
        let mut records: Vec<Record> = dump(&self.map)
            .into_iter()
            .filter(|(k, _)| range.contains(k))
            .collect();
        if order == cosmwasm_std::Order::Descending {
            records.reverse();
        }
        self.iterators.push(records.into_iter());
        (Ok(self.iterators.len() as u32), GasInfo::free())
    }
    fn next(&mut self, id: u32) -> BackendResult<Option<Record>> {
        let result = match self.iterators.get_mut((id as usize).wrapping_sub(1)) {
            Some(it) => Ok(it.next()),
            None => Err(VmBackendError::iterator_does_not_exist(id)),
        };
        (result, GasInfo::free())
    }
    fn set(&mut self, key: &[u8], value: &[u8]) -> BackendResult<()> {
        put(&self.map, key, value);
        (Ok(()), GasInfo::free())
    }
    fn remove(&mut self, key: &[u8]) -> BackendResult<()> {
        let removed = self
            .map
            .lock()
            .remove(key)
            .map_err(|e| VmBackendError::unknown(e.to_string()));
        (removed, GasInfo::free())
    }
}

/// One contract on both runtimes, each over its own store.
struct Pair {
    ours: CompiledModule,
    ours_map: Map,
    wasm: Vec<u8>,
    theirs_map: Map,
}

impl Pair {
    fn new(fixture: &str) -> Self {
        let wasm = tests::fixture_bytes(fixture);
        let config = CompileConfig {
            table: CosmWasmSchedule::with_free_storage(),
            stack_limit_bytes: Some(cw_gas::middleware::DEFAULT_STACK_LIMIT_BYTES),
            validation: ValidationConfig::default(),
        };
        let (ours, _, _) = compile(&wasm, &config).unwrap();
        Self {
            ours,
            ours_map: Map::default(),
            wasm,
            theirs_map: Map::default(),
        }
    }

    fn ours(
        &self,
        entry: EntryPoint,
        env: &[u8],
        info: Option<&[u8]>,
        msg: &[u8],
    ) -> (Vec<u8>, u64) {
        let options = InstanceOptions {
            memory_limit_bytes: 16 << 20,
        };
        let mut instance = ContractInstance::new(&self.ours, &options).unwrap();
        let (result, backend) = instance.call(
            entry,
            env,
            info,
            msg,
            backend(entry, &self.ours_map, GAS_LIMIT),
        );
        (result.unwrap().unwrap(), backend.gas.used().as_u64())
    }

    fn theirs(
        &self,
        entry: EntryPoint,
        env: &[u8],
        info: Option<&[u8]>,
        msg: &[u8],
    ) -> (Vec<u8>, u64) {
        let backend = Backend {
            api: VmApi::default(),
            storage: FreeVmStorage {
                map: self.theirs_map.clone(),
                iterators: Vec::new(),
            },
            querier: VmQuerier::<cosmwasm_std::Empty>::new(&[]),
        };
        let options = VmOptions {
            gas_limit: GAS_LIMIT,
        };
        let mut vm =
            Instance::from_code(&self.wasm, backend, options, Some(Size::mebi(16))).unwrap();
        let bytes = match (entry, info) {
            (EntryPoint::Instantiate, Some(info)) => {
                cosmwasm_vm::call_instantiate_raw(&mut vm, env, info, msg)
            }
            (EntryPoint::Execute, Some(info)) => {
                cosmwasm_vm::call_execute_raw(&mut vm, env, info, msg)
            }
            (EntryPoint::Query, None) => cosmwasm_vm::call_query_raw(&mut vm, env, msg),
            other => panic!("no comparison for {other:?}"),
        }
        .unwrap();
        let report = vm.create_gas_report();
        (bytes, report.used_internally + report.used_externally)
    }

    /// Runs the call on both; asserts equal bytes, gas and storage.
    fn compare(&self, entry: EntryPoint, env: &[u8], info: Option<&[u8]>, msg: &str) {
        let (ours_bytes, ours_gas) = self.ours(entry, env, info, msg.as_bytes());
        let (theirs_bytes, theirs_gas) = self.theirs(entry, env, info, msg.as_bytes());
        assert_eq!(
            String::from_utf8_lossy(&ours_bytes),
            String::from_utf8_lossy(&theirs_bytes),
            "{msg}"
        );
        assert_eq!(ours_gas, theirs_gas, "gas of {msg}");
        // A message the contract cannot parse would compare equal without
        // reaching any import: make sure every script message is understood.
        let text = String::from_utf8_lossy(&ours_bytes);
        assert!(
            !text.contains("Error parsing") && !text.contains("unknown variant"),
            "{msg}: {text}"
        );
        assert_eq!(
            dump(&self.ours_map),
            dump(&self.theirs_map),
            "state after {msg}"
        );
    }
}

#[test]
fn cw20_calls_match_cosmwasm_vm_bytes_state_and_gas() {
    let pair = Pair::new("cw20_base");
    let api = Bech32Api::default();
    let alice = api.addr_make("alice").unwrap();
    let bob = api.addr_make("bob").unwrap();
    let env = env_bytes();
    let info = info_bytes(&alice);
    let init = json!({
        "name": "Differential", "symbol": "DIFF", "decimals": 6,
        "initial_balances": [{"address": alice, "amount": "1000000"}],
        "mint": {"minter": alice, "cap": "9000000"},
    });
    pair.compare(
        EntryPoint::Instantiate,
        &env,
        Some(&info),
        &init.to_string(),
    );
    for msg in [
        json!({"transfer": {"recipient": bob, "amount": "250"}}),
        json!({"transfer": {"recipient": bob, "amount": "99999999"}}),
        json!({"burn": {"amount": "17"}}),
        json!({"mint": {"recipient": bob, "amount": "42"}}),
        json!({"increase_allowance": {"spender": bob, "amount": "300"}}),
        json!({"transfer": {"recipient": "not-an-address", "amount": "1"}}),
    ] {
        pair.compare(EntryPoint::Execute, &env, Some(&info), &msg.to_string());
    }
    for query in [
        json!({"balance": {"address": bob}}),
        json!({"token_info": {}}),
        json!({"all_accounts": {}}),
        json!({"all_allowances": {"owner": alice}}),
    ] {
        pair.compare(EntryPoint::Query, &env, None, &query.to_string());
    }
}

/// Pure Wasm, and each kind of import, priced the same as cosmwasm-vm.
#[test]
fn probe_calls_match_cosmwasm_vm_bytes_and_gas() {
    let pair = Pair::new("probe");
    let env = env_bytes();
    let info = info_bytes("alice");
    pair.compare(EntryPoint::Instantiate, &env, Some(&info), "{}");
    for msg in [
        r#"{"recurse":{"depth":3}}"#,
        r#"{"debug":{"msg":"hi"}}"#,
        r#"{"addr_validate":{"addr":"abc"}}"#,
        r#"{"addr_canonicalize":{"addr":"cosmwasm1qyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqs7fd4x7"}}"#,
        r#"{"write":{"key":"AQI=","value":"AwQ="}}"#,
        r#"{"write":{"key":"AQM=","value":"BQY="}}"#,
        r#"{"read":{"key":"AQI="}}"#,
        r#"{"scan":{"start":null,"end":null,"order":"descending","limit":10,"mode":"pairs"}}"#,
        r#"{"remove":{"key":"AQI="}}"#,
        r#"{"secp256k1_verify":{"message_hash":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=","signature":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==","public_key":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}}"#,
        r#"{"secp256k1_recover_pubkey":{"message_hash":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=","signature":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==","recovery_param":0}}"#,
        r#"{"secp256r1_verify":{"message_hash":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=","signature":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==","public_key":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}}"#,
        r#"{"secp256r1_recover_pubkey":{"message_hash":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=","signature":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==","recovery_param":1}}"#,
        r#"{"ed25519_verify":{"message":"aGVsbG8=","signature":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==","public_key":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="}}"#,
        r#"{"ed25519_batch_verify":{"messages":[],"signatures":[],"public_keys":[]}}"#,
        r#"{"bls12381_aggregate_g1":{"points":""}}"#,
        r#"{"bls12381_hash_to_g1":{"hash_function":"sha256","msg":"aGVsbG8=","dst":"ZHN0"}}"#,
        r#"{"bls12381_hash_to_g2":{"hash_function":"sha256","msg":"aGVsbG8=","dst":"ZHN0"}}"#,
        r#"{"bls12381_pairing_equality":{"ps":"","qs":"","r":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA","s":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}}"#,
        r#"{"addr_humanize":{"canonical":"AAAAAAAAAAAAAAAAAAAAAAAAAAA="}}"#,
    ] {
        pair.compare(EntryPoint::Execute, &env, Some(&info), msg);
    }
}
