//! The reference: cosmwasm-vm 3.0.11 running a call as wasmvm does, a new
//! instance of the compiled module per call (as `Cache::get_instance`
//! gives), over storage that costs nothing, so only the VM's own pricing is
//! compared.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};

use cosmwasm_vm::testing::{MockApi, MockQuerier};
use cosmwasm_vm::{Backend, BackendError, BackendResult, GasInfo, Size, VmError, VmResult};
use cw_host::EntryPoint;

use crate::Call;
use crate::outcome::{Failure, Observed, REFERENCE_RUNTIME_ERROR_PREFIX};

type Record = (Vec<u8>, Vec<u8>);

/// A key-value store the test and a reference instance both see.
#[derive(Debug, Clone, Default)]
pub struct ReferenceStore(Arc<Mutex<BTreeMap<Vec<u8>, Vec<u8>>>>);

impl ReferenceStore {
    /// Stores `value` at `key`.
    pub fn put(&self, key: &[u8], value: &[u8]) {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(key.to_vec(), value.to_vec());
    }

    /// Everything stored, in key order.
    pub fn dump(&self) -> BTreeMap<Vec<u8>, Vec<u8>> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

/// cosmwasm-vm's storage over a [`ReferenceStore`], charging no gas. A scan
/// takes its range when it opens, as cosmwasm-vm's `MockStorage` does.
struct FreeStorage {
    map: ReferenceStore,
    iterators: Vec<std::vec::IntoIter<Record>>,
}

impl FreeStorage {
    fn map(&self) -> std::sync::MutexGuard<'_, BTreeMap<Vec<u8>, Vec<u8>>> {
        self.map.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl cosmwasm_vm::Storage for FreeStorage {
    fn get(&self, key: &[u8]) -> BackendResult<Option<Vec<u8>>> {
        (Ok(self.map().get(key).cloned()), GasInfo::free())
    }

    fn scan(
        &mut self,
        start: Option<&[u8]>,
        end: Option<&[u8]>,
        order: cosmwasm_std::Order,
    ) -> BackendResult<u32> {
        let mut records: Vec<Record> = self
            .map()
            .iter()
            .filter(|(key, _)| {
                start.is_none_or(|start| key.as_slice() >= start)
                    && end.is_none_or(|end| key.as_slice() < end)
            })
            .map(|(key, value)| (key.clone(), value.clone()))
            .collect();
        if order == cosmwasm_std::Order::Descending {
            records.reverse();
        }
        self.iterators.push(records.into_iter());
        let id = u32::try_from(self.iterators.len()).unwrap_or(u32::MAX);
        (Ok(id), GasInfo::free())
    }

    fn next(&mut self, id: u32) -> BackendResult<Option<Record>> {
        let result = match self.iterators.get_mut((id as usize).wrapping_sub(1)) {
            Some(iterator) => Ok(iterator.next()),
            None => Err(BackendError::iterator_does_not_exist(id)),
        };
        (result, GasInfo::free())
    }

    fn set(&mut self, key: &[u8], value: &[u8]) -> BackendResult<()> {
        self.map().insert(key.to_vec(), value.to_vec());
        (Ok(()), GasInfo::free())
    }

    fn remove(&mut self, key: &[u8]) -> BackendResult<()> {
        self.map().remove(key);
        (Ok(()), GasInfo::free())
    }
}

/// A module compiled by cosmwasm-vm, ready to run calls.
pub struct Reference {
    module: wasmer::Module,
    engine: wasmer::Engine,
}

impl Reference {
    /// Compiles `wasm` as cosmwasm-vm does, with instance memories capped at
    /// `memory_limit_bytes`. cosmwasm-vm's static validation (`check_wasm`)
    /// is not applied: callers that want a chain's acceptance call
    /// [`accepts`].
    ///
    /// # Errors
    /// cosmwasm-vm's compile error.
    pub fn compile(wasm: &[u8], memory_limit_bytes: usize) -> VmResult<Self> {
        let (module, engine) =
            cosmwasm_vm::internals::compile_module(wasm, Some(Size::new(memory_limit_bytes)))?;
        Ok(Self { module, engine })
    }

    /// Runs `call` on a new instance over `store`. The IBC v2 entry points
    /// are refused (`Failure::Other` of kind `unsupported`, no gas):
    /// cosmwasm-vm's `ibc2` feature would add IBC v2 variants to
    /// cosmwasm-std's types in every test build of the workspace.
    pub fn call(&self, call: &Call<'_>, store: &ReferenceStore) -> Observed {
        if call.entry.export_name().starts_with("ibc2_") {
            return Observed {
                result: Err(Failure::Other {
                    kind: "unsupported",
                    text: format!(
                        "{} is not built into the reference",
                        call.entry.export_name()
                    ),
                }),
                gas_used: 0,
            };
        }
        let backend = Backend {
            api: MockApi::default(),
            storage: FreeStorage {
                map: store.clone(),
                iterators: Vec::new(),
            },
            querier: MockQuerier::<cosmwasm_std::Empty>::new(&[]),
        };
        let store = wasmer::Store::new(self.engine.clone());
        let mut instance = match cosmwasm_vm::internals::instance_from_module(
            store,
            &self.module,
            backend,
            call.gas_limit,
            None,
        ) {
            Ok(instance) => instance,
            Err(error) => {
                return Observed {
                    result: Err(failure(error)),
                    gas_used: 0,
                };
            }
        };
        let result = run(&mut instance, call);
        let report = instance.create_gas_report();
        Observed {
            result: result.map_err(failure),
            gas_used: report.limit - report.remaining,
        }
    }
}

type VmInstance = cosmwasm_vm::Instance<MockApi, FreeStorage, MockQuerier>;

fn run(instance: &mut VmInstance, call: &Call<'_>) -> VmResult<Vec<u8>> {
    use cosmwasm_vm as vm;
    let (env, msg) = (call.env, call.msg);
    let info = call.info.unwrap_or_default();
    match call.entry {
        EntryPoint::Instantiate => vm::call_instantiate_raw(instance, env, info, msg),
        EntryPoint::Execute => vm::call_execute_raw(instance, env, info, msg),
        EntryPoint::Migrate => match call.info {
            Some(info) => vm::call_migrate_with_info_raw(instance, env, msg, info),
            None => vm::call_migrate_raw(instance, env, msg),
        },
        EntryPoint::Sudo => vm::call_sudo_raw(instance, env, msg),
        EntryPoint::Reply => vm::call_reply_raw(instance, env, msg),
        EntryPoint::Query => vm::call_query_raw(instance, env, msg),
        EntryPoint::IbcChannelOpen => vm::call_ibc_channel_open_raw(instance, env, msg),
        EntryPoint::IbcChannelConnect => vm::call_ibc_channel_connect_raw(instance, env, msg),
        EntryPoint::IbcChannelClose => vm::call_ibc_channel_close_raw(instance, env, msg),
        EntryPoint::IbcPacketReceive => vm::call_ibc_packet_receive_raw(instance, env, msg),
        EntryPoint::IbcPacketAck => vm::call_ibc_packet_ack_raw(instance, env, msg),
        EntryPoint::IbcPacketTimeout => vm::call_ibc_packet_timeout_raw(instance, env, msg),
        EntryPoint::IbcSourceCallback => vm::call_ibc_source_callback_raw(instance, env, msg),
        EntryPoint::IbcDestinationCallback => {
            vm::call_ibc_destination_callback_raw(instance, env, msg)
        }
        // The IBC v2 entry points (refused by `Reference::call`) and any
        // entry point cw-host adds later.
        other => unreachable!("{} is not built into the reference", other.export_name()),
    }
}

/// cosmwasm-vm's error as a [`Failure`].
pub fn failure(error: VmError) -> Failure {
    match error {
        VmError::GasDepletion { .. } => Failure::OutOfGas,
        VmError::RuntimeErr { msg, .. } => {
            let cause = msg
                .strip_prefix(REFERENCE_RUNTIME_ERROR_PREFIX)
                .unwrap_or(&msg);
            if cause == "Ran out of gas during contract execution" {
                Failure::OutOfGas
            } else if cause.ends_with("Maximum call depth exceeded.") {
                // Nested once per level it crossed; the kind is what counts.
                Failure::Other {
                    kind: "call depth",
                    text: msg,
                }
            } else if is_trap_text(cause) {
                Failure::Trap(cause.to_string())
            } else {
                Failure::Other {
                    kind: "runtime",
                    text: msg,
                }
            }
        }
        other => Failure::Other {
            kind: reference_kind(&other),
            text: other.to_string(),
        },
    }
}

/// Whether `text` is one of Wasmer's trap texts (`TrapCode`'s messages).
pub fn is_trap_text(text: &str) -> bool {
    const TRAPS: [&str; 11] = [
        "call stack exhausted",
        "out of bounds memory access",
        "undefined element: out of bounds table access",
        "uninitialized element",
        "indirect call type mismatch",
        "integer overflow",
        "integer divide by zero",
        "invalid conversion to integer",
        "unreachable",
        "unaligned atomic access",
        "uninitialized element: null reference",
    ];
    TRAPS.contains(&text)
}

fn reference_kind(error: &VmError) -> &'static str {
    match error {
        VmError::ResolveErr { .. } => "missing export",
        VmError::InstantiationErr { .. } => "instantiation",
        VmError::CommunicationErr { .. } => "communication",
        VmError::FunctionArityMismatch { .. } => "arity",
        VmError::ResultMismatch { .. } => "result mismatch",
        VmError::Aborted { .. } => "aborted",
        VmError::MaxCallDepthExceeded { .. } => "call depth",
        _ => "other",
    }
}
