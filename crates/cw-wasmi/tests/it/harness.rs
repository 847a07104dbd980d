//! The one way a differential case runs a contract: the same code on the
//! Wasmer path (cw-runtime's `WasmContract`, Singlepass with cw-gas's
//! middlewares) and on cw-wasmi, each over its own store, the same call on
//! both, and everything compared: the result bytes or the failure, the gas
//! of every category, and the whole store afterwards.

use std::collections::BTreeMap;
use std::sync::Arc;

use cosmwasm_std::testing::{message_info, mock_env};
use cosmwasm_std::{Addr, to_json_vec};
use cw_gas::instrument::DEFAULT_STACK_LIMIT_BYTES;
use cw_gas::{CostTable, GasCategory, GasMeter, GasQuantity};
use cw_host::testing::{MockQuerier, SharedStorage};
use cw_host::{
    Bech32Api, CallBackend, CallInput, CallResult, CallState, Contract, EntryPoint,
    TracingDebugHandler, VmFailure,
};
use cw_runtime::{CompileConfig, InstanceOptions, ValidationConfig, WasmContract, compile};
use cw_wasmi::{ModuleOptions, WasmiContract, WasmiFactory};

/// Settings of one case.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Settings {
    /// The instance memory limit of both engines.
    pub(crate) memory_limit_bytes: u64,
    /// The deterministic stack limit of both.
    pub(crate) stack_limit_bytes: u64,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            memory_limit_bytes: 32 << 20,
            stack_limit_bytes: DEFAULT_STACK_LIMIT_BYTES,
        }
    }
}

/// What one call gave on one engine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Outcome {
    /// The result bytes, or the failure (an instantiation failure's
    /// message cut at its first line: Wasmer appends a backtrace).
    pub(crate) result: CallResult,
    /// Gas used, per category in `GasCategory::ALL` order.
    pub(crate) gas: Vec<u64>,
    /// Gas used in total.
    pub(crate) used: u64,
}

impl Outcome {
    /// The result as text, for messages.
    pub(crate) fn text(&self) -> String {
        match &self.result {
            Ok(bytes) => String::from_utf8_lossy(bytes).into_owned(),
            Err(failure) => format!("{failure:?}"),
        }
    }
}

/// The sender of every `info`.
pub(crate) const SENDER: &str = "cosmwasm1sender";

/// cosmwasm-std's `mock_env()` as JSON.
pub(crate) fn env_bytes() -> Vec<u8> {
    to_json_vec(&mock_env()).unwrap()
}

/// A `MessageInfo` from `sender` without funds, as JSON.
pub(crate) fn info_bytes(sender: &str) -> Vec<u8> {
    to_json_vec(&message_info(&Addr::unchecked(sender), &[])).unwrap()
}

/// A Bech32 address the contracts accept.
pub(crate) fn addr(name: &str) -> String {
    Bech32Api::default().addr_make(name).unwrap()
}

fn copy(store: &SharedStorage) -> SharedStorage {
    let copy = SharedStorage::new();
    for (key, value) in store.dump() {
        copy.put(&key, &value);
    }
    copy
}

fn run<T: CostTable + Clone>(
    contract: &mut dyn Contract<T>,
    table: &T,
    store: &SharedStorage,
    entry: EntryPoint,
    sender: &str,
    msg: &[u8],
    gas_limit: u64,
) -> Outcome {
    let env = env_bytes();
    let info = info_bytes(sender);
    let info = matches!(entry, EntryPoint::Instantiate | EntryPoint::Execute).then_some(&info[..]);
    let backend = CallBackend {
        storage: Box::new(store.clone()),
        api: Arc::new(Bech32Api::default()),
        querier: Box::new(MockQuerier::new()),
        gas: GasMeter::new(table.clone(), T::Gas::from_u64(gas_limit)),
        call: CallState::for_entry_point(entry),
        debug: Box::new(TracingDebugHandler),
    };
    let input = CallInput {
        entry,
        env: &env,
        info,
        msg,
    };
    let (outcome, backend) = contract.call(input, backend);
    let result = outcome
        .expect("no node fault")
        .map_err(|failure| match failure {
            VmFailure::Instantiate { message } => VmFailure::Instantiate {
                message: message.lines().next().unwrap_or_default().to_string(),
            },
            other => other,
        });
    let used = backend.gas.used().to_u64();
    assert!(used <= gas_limit, "used {used} of {gas_limit}");
    Outcome {
        result,
        gas: GasCategory::ALL
            .iter()
            .map(|c| backend.gas.used_by(*c).to_u64())
            .collect(),
        used,
    }
}

/// One contract on both engines.
pub(crate) struct Engines<T: CostTable + Clone> {
    table: T,
    wasmer: WasmContract<T>,
    wasmi: WasmiContract<T>,
    wasmer_store: SharedStorage,
    wasmi_store: SharedStorage,
    /// Calls compared so far.
    pub(crate) calls: usize,
}

impl<T: CostTable + Clone> Engines<T> {
    /// `wasm`, validated as a chain validates it, on both engines.
    pub(crate) fn new(wasm: &[u8], table: T, settings: Settings) -> Self {
        match Self::try_new(wasm, table, settings) {
            Ok(engines) => engines,
            Err(refusal) => panic!("both engines refuse the module: {refusal}"),
        }
    }

    /// `wasm` on both engines, or the refusal if both refuse it (validation,
    /// instrumentation, compile); panics if only one does.
    pub(crate) fn try_new(wasm: &[u8], table: T, settings: Settings) -> Result<Self, String> {
        let config = CompileConfig {
            table: table.clone(),
            stack_limit_bytes: Some(settings.stack_limit_bytes),
            validation: ValidationConfig::default(),
        };
        let factory = WasmiFactory::new(table.clone())
            .with_module_options(ModuleOptions {
                stack_limit_bytes: Some(settings.stack_limit_bytes),
            })
            .with_instance_options(cw_wasmi::InstanceOptions {
                memory_limit_bytes: settings.memory_limit_bytes,
            });
        let (module, wasmi) = match (compile(wasm, &config), factory.contract(wasm)) {
            (Ok((module, _, _)), Ok(wasmi)) => (module, wasmi),
            (Err(a), Err(b)) => return Err(format!("{a} / {b}")),
            (a, b) => panic!(
                "acceptance differs: Wasmer {:?}, wasmi {:?}",
                a.map(|_| ()),
                b.map(|_| ())
            ),
        };
        let wasmer = WasmContract::new(
            module,
            InstanceOptions {
                memory_limit_bytes: settings.memory_limit_bytes,
            },
        );
        Ok(Self {
            table,
            wasmer,
            wasmi,
            wasmer_store: SharedStorage::new(),
            wasmi_store: SharedStorage::new(),
            calls: 0,
        })
    }

    /// Stores `value` at `key` on both sides.
    pub(crate) fn put(&self, key: &[u8], value: &[u8]) {
        self.wasmer_store.put(key, value);
        self.wasmi_store.put(key, value);
    }

    /// The store (equal on both sides).
    pub(crate) fn dump(&self) -> BTreeMap<Vec<u8>, Vec<u8>> {
        self.wasmer_store.dump()
    }

    /// Runs the call on both engines against their stores, asserts the same
    /// outcome and the same store afterwards, and returns the outcome.
    pub(crate) fn call(
        &mut self,
        entry: EntryPoint,
        sender: &str,
        msg: &str,
        gas_limit: u64,
    ) -> Outcome {
        let (wasmer_store, wasmi_store) = (self.wasmer_store.clone(), self.wasmi_store.clone());
        self.compare(&wasmer_store, &wasmi_store, entry, sender, msg, gas_limit)
    }

    /// [`Self::call`] on copies of the stores, at each of `limits`, leaving
    /// the stores as they are.
    pub(crate) fn call_at_limits(
        &mut self,
        entry: EntryPoint,
        sender: &str,
        msg: &str,
        limits: &[u64],
    ) -> Vec<Outcome> {
        limits
            .iter()
            .map(|&limit| {
                let wasmer_store = copy(&self.wasmer_store);
                let wasmi_store = copy(&self.wasmi_store);
                self.compare(&wasmer_store, &wasmi_store, entry, sender, msg, limit)
            })
            .collect()
    }

    /// The call at its full `gas_limit` on copies, then at limits cutting
    /// it at several points of what it used (and at exactly what it used,
    /// and one less), then for real; returns the real outcome.
    pub(crate) fn call_and_cut(
        &mut self,
        entry: EntryPoint,
        sender: &str,
        msg: &str,
        gas_limit: u64,
    ) -> Outcome {
        let full = self.call_at_limits(entry, sender, msg, &[gas_limit]);
        let used = full[0].used;
        let mut limits: Vec<u64> = [0.001, 0.1, 0.37, 0.5, 0.83, 0.99]
            .iter()
            .map(|f| (used as f64 * f) as u64)
            .collect();
        limits.extend([used, used.saturating_sub(1)]);
        let cut = self.call_at_limits(entry, sender, msg, &limits);
        if full[0].result.is_ok() && used > 0 {
            assert_eq!(
                cut[6].result, full[0].result,
                "exactly enough gas completes"
            );
            assert_eq!(cut[7].result, Err(VmFailure::OutOfGas), "one less runs out");
        }
        self.call(entry, sender, msg, gas_limit)
    }

    fn compare(
        &mut self,
        wasmer_store: &SharedStorage,
        wasmi_store: &SharedStorage,
        entry: EntryPoint,
        sender: &str,
        msg: &str,
        gas_limit: u64,
    ) -> Outcome {
        let table = self.table.clone();
        let wasmer = run(
            &mut self.wasmer,
            &table,
            wasmer_store,
            entry,
            sender,
            msg.as_bytes(),
            gas_limit,
        );
        let wasmi = run(
            &mut self.wasmi,
            &table,
            wasmi_store,
            entry,
            sender,
            msg.as_bytes(),
            gas_limit,
        );
        assert_eq!(
            wasmer,
            wasmi,
            "{} {entry:?} {msg} at limit {gas_limit}\nwasmer: {}\nwasmi:  {}",
            table.name(),
            wasmer.text(),
            wasmi.text()
        );
        assert_eq!(
            wasmer_store.dump(),
            wasmi_store.dump(),
            "{} {entry:?} {msg}: the stores differ",
            table.name()
        );
        self.calls += 1;
        wasmer
    }
}
