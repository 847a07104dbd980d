//! The same cw20-base calls on our runtime and on cosmwasm-vm 3.0.10: the
//! result bytes, the storage afterwards and the gas (with storage free on
//! both sides, so only the VM's own pricing is compared) are identical.

use cosmwasm_vm::testing::{MockApi as VmApi, MockQuerier as VmQuerier};
use cosmwasm_vm::{
    Backend, BackendError as VmBackendError, BackendResult, GasInfo, Instance,
    InstanceOptions as VmOptions, Size,
};
use cw_gas::CosmWasmSchedule;
use cw_host::{Bech32Api, EntryPoint, KeyRange};
use cw_runtime::{CompileConfig, ContractInstance, InstanceOptions, ValidationConfig, compile};
use serde_json::json;

use support::{Map, backend, env_bytes, info_bytes};

mod support;

/// cosmwasm-vm's side: the same map, charging no gas.
struct FreeVmStorage {
    map: Map,
    iterators: Vec<std::vec::IntoIter<vm_storage::Record>>,
}

mod vm_storage {
    pub type Record = (Vec<u8>, Vec<u8>);
}

impl cosmwasm_vm::Storage for FreeVmStorage {
    fn get(&self, key: &[u8]) -> BackendResult<Option<Vec<u8>>> {
        (
            Ok(self.map.lock().unwrap().get(key).cloned()),
            GasInfo::free(),
        )
    }
    fn scan(
        &mut self,
        start: Option<&[u8]>,
        end: Option<&[u8]>,
        order: cosmwasm_std::Order,
    ) -> BackendResult<u32> {
        let map = self.map.lock().unwrap();
        let range = KeyRange { start, end };
        let mut records: Vec<vm_storage::Record> = map
            .iter()
            .filter(|(k, _)| range.contains(k))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        if order == cosmwasm_std::Order::Descending {
            records.reverse();
        }
        self.iterators.push(records.into_iter());
        (Ok(self.iterators.len() as u32), GasInfo::free())
    }
    fn next(&mut self, id: u32) -> BackendResult<Option<vm_storage::Record>> {
        let result = match self.iterators.get_mut((id as usize).wrapping_sub(1)) {
            Some(it) => Ok(it.next()),
            None => Err(VmBackendError::iterator_does_not_exist(id)),
        };
        (result, GasInfo::free())
    }
    fn set(&mut self, key: &[u8], value: &[u8]) -> BackendResult<()> {
        self.map
            .lock()
            .unwrap()
            .insert(key.to_vec(), value.to_vec());
        (Ok(()), GasInfo::free())
    }
    fn remove(&mut self, key: &[u8]) -> BackendResult<()> {
        self.map.lock().unwrap().remove(key);
        (Ok(()), GasInfo::free())
    }
}

const GAS_LIMIT: u64 = 500_000_000_000;

struct Ours {
    module: cw_runtime::CompiledModule,
    map: Map,
}

impl Ours {
    fn call(
        &self,
        entry: EntryPoint,
        env: &[u8],
        info: Option<&[u8]>,
        msg: &[u8],
    ) -> (Vec<u8>, u64) {
        let mut instance = ContractInstance::new(
            &self.module,
            &InstanceOptions {
                memory_limit_bytes: 16 << 20,
            },
        )
        .unwrap();
        let backend = backend(entry, &self.map, GAS_LIMIT);
        let (result, backend) = instance.call(entry, env, info, msg, backend).unwrap();
        (result.unwrap(), backend.gas.used().as_u64())
    }
}

struct Theirs {
    wasm: Vec<u8>,
    map: Map,
}

impl Theirs {
    fn instance(&self) -> Instance<VmApi, FreeVmStorage, VmQuerier> {
        let backend = Backend {
            api: VmApi::default(),
            storage: FreeVmStorage {
                map: self.map.clone(),
                iterators: Vec::new(),
            },
            querier: VmQuerier::new(&[]),
        };
        Instance::from_code(
            &self.wasm,
            backend,
            VmOptions {
                gas_limit: GAS_LIMIT,
            },
            Some(Size::mebi(16)),
        )
        .unwrap()
    }

    fn used(instance: &mut Instance<VmApi, FreeVmStorage, VmQuerier>) -> u64 {
        let report = instance.create_gas_report();
        report.used_internally + report.used_externally
    }
}

#[test]
fn cw20_calls_match_cosmwasm_vm_bytes_state_and_gas() {
    let wasm = tests::fixture_bytes("cw20_base");
    let config = CompileConfig {
        table: CosmWasmSchedule::with_free_storage(),
        stack_limit_bytes: Some(cw_gas::middleware::DEFAULT_STACK_LIMIT_BYTES),
        validation: ValidationConfig::default(),
    };
    let (module, _, _) = compile(&wasm, &config).unwrap();
    let ours = Ours {
        module,
        map: Map::default(),
    };
    let theirs = Theirs {
        wasm: wasm.clone(),
        map: Map::default(),
    };

    let api = Bech32Api::default();
    let alice = api.addr_make("alice").unwrap();
    let bob = api.addr_make("bob").unwrap();
    let env = env_bytes();
    let info = info_bytes(&alice);

    let init = json!({
        "name": "Differential", "symbol": "DIFF", "decimals": 6,
        "initial_balances": [{"address": alice, "amount": "1000000"}],
        "mint": {"minter": alice, "cap": "9000000"},
    })
    .to_string();
    let (ours_bytes, ours_gas) =
        ours.call(EntryPoint::Instantiate, &env, Some(&info), init.as_bytes());
    let mut vm = theirs.instance();
    let theirs_bytes =
        cosmwasm_vm::call_instantiate_raw(&mut vm, &env, &info, init.as_bytes()).unwrap();
    assert_eq!(
        String::from_utf8_lossy(&ours_bytes),
        String::from_utf8_lossy(&theirs_bytes)
    );
    assert_eq!(ours_gas, Theirs::used(&mut vm), "instantiate gas");
    assert_eq!(*ours.map.lock().unwrap(), *theirs.map.lock().unwrap());

    let steps = [
        json!({"transfer": {"recipient": bob, "amount": "250"}}),
        json!({"transfer": {"recipient": bob, "amount": "99999999"}}),
        json!({"burn": {"amount": "17"}}),
        json!({"mint": {"recipient": bob, "amount": "42"}}),
        json!({"increase_allowance": {"spender": bob, "amount": "300"}}),
        json!({"transfer": {"recipient": "not-an-address", "amount": "1"}}),
    ];
    for msg in steps {
        let msg = msg.to_string();
        let (ours_bytes, ours_gas) =
            ours.call(EntryPoint::Execute, &env, Some(&info), msg.as_bytes());
        let mut vm = theirs.instance();
        let theirs_bytes =
            cosmwasm_vm::call_execute_raw(&mut vm, &env, &info, msg.as_bytes()).unwrap();
        assert_eq!(
            String::from_utf8_lossy(&ours_bytes),
            String::from_utf8_lossy(&theirs_bytes),
            "{msg}"
        );
        assert_eq!(ours_gas, Theirs::used(&mut vm), "gas of {msg}");
        assert_eq!(
            *ours.map.lock().unwrap(),
            *theirs.map.lock().unwrap(),
            "state after {msg}"
        );
    }

    for query in [
        json!({"balance": {"address": bob}}),
        json!({"token_info": {}}),
        json!({"all_accounts": {}}),
        json!({"all_allowances": {"owner": alice}}),
    ] {
        let query = query.to_string();
        let (ours_bytes, ours_gas) = ours.call(EntryPoint::Query, &env, None, query.as_bytes());
        let mut vm = theirs.instance();
        let theirs_bytes = cosmwasm_vm::call_query_raw(&mut vm, &env, query.as_bytes()).unwrap();
        assert_eq!(
            String::from_utf8_lossy(&ours_bytes),
            String::from_utf8_lossy(&theirs_bytes),
            "{query}"
        );
        assert_eq!(ours_gas, Theirs::used(&mut vm), "gas of {query}");
    }
}

/// Pure Wasm, and each kind of import, priced the same as cosmwasm-vm.
#[test]
fn probe_calls_match_cosmwasm_vm_bytes_and_gas() {
    let wasm = tests::fixture_bytes("probe");
    let config = CompileConfig {
        table: CosmWasmSchedule::with_free_storage(),
        stack_limit_bytes: Some(cw_gas::middleware::DEFAULT_STACK_LIMIT_BYTES),
        validation: ValidationConfig::default(),
    };
    let (module, _, _) = compile(&wasm, &config).unwrap();
    let ours = Ours {
        module,
        map: Map::default(),
    };
    let theirs = Theirs {
        wasm,
        map: Map::default(),
    };
    let env = env_bytes();
    let info = info_bytes("alice");
    let (ours_bytes, ours_gas) = ours.call(EntryPoint::Instantiate, &env, Some(&info), b"{}");
    let mut vm = theirs.instance();
    let theirs_bytes = cosmwasm_vm::call_instantiate_raw(&mut vm, &env, &info, b"{}").unwrap();
    assert_eq!(ours_bytes, theirs_bytes);
    assert_eq!(ours_gas, Theirs::used(&mut vm));
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
        r#"{"ed25519_verify":{"message":"AA==","signature":"AA==","pubkey":"AA=="}}"#,
    ] {
        let (ours_bytes, ours_gas) =
            ours.call(EntryPoint::Execute, &env, Some(&info), msg.as_bytes());
        let mut vm = theirs.instance();
        let theirs_bytes =
            cosmwasm_vm::call_execute_raw(&mut vm, &env, &info, msg.as_bytes()).unwrap();
        assert_eq!(
            String::from_utf8_lossy(&ours_bytes),
            String::from_utf8_lossy(&theirs_bytes),
            "{msg}"
        );
        assert_eq!(ours_gas, Theirs::used(&mut vm), "gas of {msg}");
        assert_eq!(
            *ours.map.lock().unwrap(),
            *theirs.map.lock().unwrap(),
            "state after {msg}"
        );
    }
}
