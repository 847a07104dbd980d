//! The reference: cosmwasm-vm 3.0.11 running a call as wasmvm does, a new
//! instance of the compiled module per call (as `Cache::get_instance`
//! gives), over storage that costs nothing, so only the VM's own pricing is
//! compared.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use cosmwasm_vm::testing::{MockApi, MockQuerier};
use cosmwasm_vm::{Backend, BackendError, BackendResult, GasInfo, Size, VmError, VmResult};
use cw_host::EntryPoint;

use crate::Call;
use crate::outcome::{Failure, Observed, REFERENCE_RUNTIME_ERROR_PREFIX};

type Record = (Vec<u8>, Vec<u8>);

/// A key-value store the test and a reference instance both see.
#[derive(Debug, Clone, Default)]
pub struct ReferenceStore {
    map: Arc<Mutex<BTreeMap<Vec<u8>, Vec<u8>>>>,
    writes_during_scan: Arc<AtomicU64>,
}

impl ReferenceStore {
    /// Stores `value` at `key`.
    pub fn put(&self, key: &[u8], value: &[u8]) {
        self.map
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(key.to_vec(), value.to_vec());
    }

    /// Everything stored, in key order.
    pub fn dump(&self) -> BTreeMap<Vec<u8>, Vec<u8>> {
        self.map
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// A new store holding a copy of this one's entries.
    pub fn snapshot(&self) -> Self {
        let copy = Self::default();
        *copy.map.lock().unwrap_or_else(PoisonError::into_inner) = self.dump();
        copy
    }

    /// How many writes and removals calls made after opening a scan in the
    /// same call. cosmwasm-vm's scan does not see them and this runtime's
    /// lazy iterators may (a known difference being fixed elsewhere), so a
    /// divergence in such a call is not news.
    pub fn writes_during_scan(&self) -> u64 {
        self.writes_during_scan.load(Ordering::Relaxed)
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
        self.map.map.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn note_write(&self) {
        if !self.iterators.is_empty() {
            self.map.writes_during_scan.fetch_add(1, Ordering::Relaxed);
        }
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
        self.note_write();
        self.map().insert(key.to_vec(), value.to_vec());
        (Ok(()), GasInfo::free())
    }

    fn remove(&mut self, key: &[u8]) -> BackendResult<()> {
        self.note_write();
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
    /// [`crate::acceptance::reference_accepts`].
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
        // Wasmer hands coroutine stacks from call to call (this thread's
        // cache, then a process-wide pool; any stack at least as large as
        // asked). After one of this runtime's calls (32 MiB stacks) the
        // reference would recurse deeper than on a chain (Wasmer's default
        // 1 MiB), so drop the cached ones first: on this thread the
        // reference then runs on a stack of its own size, unless another
        // thread pushes a larger one into the pool meanwhile (tests that
        // depend on the depth run alone: `tests::run_alone`).
        wasmer::sys::vm::drain_stack_pool();
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

/// cosmwasm-vm's error as a [`Failure`]. An error raised inside an import
/// reaches the caller as a `RuntimeErr` whose text nests the cause once per
/// level it crossed; the cause decides the kind.
pub fn failure(error: VmError) -> Failure {
    let text = error.to_string();
    let kind = match &error {
        VmError::GasDepletion { .. } => return Failure::OutOfGas,
        VmError::RuntimeErr { msg, .. } => {
            let cause = innermost(msg);
            if cause == "Ran out of gas during contract execution" {
                return Failure::OutOfGas;
            }
            if is_trap_text(cause) {
                return Failure::Trap(cause.to_string());
            }
            kind_of_text(cause)
        }
        VmError::CommunicationErr { .. } => "region",
        VmError::ResolveErr { .. } => "missing export",
        VmError::FunctionArityMismatch { .. }
        | VmError::ResultMismatch { .. }
        | VmError::ConversionErr { .. } => "export signature",
        VmError::Aborted { .. } => "aborted",
        VmError::MaxCallDepthExceeded { .. } => "call depth",
        VmError::InstantiationErr { .. } => "instantiation",
        VmError::GenericErr { msg, .. } => kind_of_text(msg),
        _ => "other",
    };
    Failure::Other { kind, text }
}

/// The cause inside cosmwasm-vm's nested runtime-error texts.
fn innermost(mut text: &str) -> &str {
    const PREFIXES: [&str; 3] = [
        REFERENCE_RUNTIME_ERROR_PREFIX,
        "Error executing Wasm: ",
        "Generic error: ",
    ];
    while let Some(rest) = PREFIXES.iter().find_map(|p| text.strip_prefix(p)) {
        text = rest;
    }
    text
}

/// The kind of a failure from its (innermost) text.
fn kind_of_text(cause: &str) -> &'static str {
    if cause.ends_with("Maximum call depth exceeded.") {
        "call depth"
    } else if cause.contains("Got an invalid value for iteration order") {
        "invalid order"
    } else if cause.contains("Iterator with ID") && cause.ends_with("does not exist") {
        "unknown iterator"
    } else if cause.contains("Must not call a writing storage function") {
        "read only"
    } else if cause.starts_with("Error in guest/host communication")
        || cause.contains("too big. Tried to write")
    {
        "region"
    } else if cause.starts_with("Aborted:") {
        "aborted"
    } else if cause.starts_with("Error resolving Wasm function") {
        "missing export"
    } else if cause.starts_with("The called function args arity does not match")
        || cause.starts_with("Unexpected number of result values")
        || cause.starts_with("Couldn't convert from")
        || cause.contains("did not match signature")
    {
        "export signature"
    } else {
        "runtime"
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
