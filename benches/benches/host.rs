//! `host/*`: the round trip of one host call from Wasm, through our runtime
//! (`ours`) and through cosmwasm-vm 3.0.11 (`cosmwasm_vm`), running the
//! identical contract-shaped module:
//!
//! * `host/debug`: `debug` with an empty message;
//! * `host/db_read`: `db_read` of a 16-byte key that holds 32 bytes;
//! * `host/db_write`: `db_write` of 32 bytes to that key;
//! * `host/db_next`: `db_next` over records of that shape (one `db_scan` per
//!   execute opens the iterator).
//!
//! Each group has `<side>/0` and `<side>/1000`: one `execute` making the
//! import call 0 or 1,000 times on an instance kept across iterations. One
//! host call costs `(time(1000) - time(0)) / 1000`: the difference removes
//! the execute itself (arguments, result, the `db_scan`) and leaves the
//! calls and their loop.
//!
//! Both sides run on the same storage (cw-host's `BTreeMap` `MockStorage`;
//! cosmwasm-vm through an adapter that iterates lazily with the same seek as
//! our host), priced free on both, and with a debug handler that does
//! nothing; setup asserts identical results and gas for every bench.

use std::hint::black_box;
use std::sync::Arc;

use benches::time_each;
use cosmwasm_std::testing::{message_info, mock_env};
use cosmwasm_std::{Addr, to_json_vec};
use cosmwasm_vm::testing::{MockApi as VmApi, MockQuerier as VmQuerier};
use cosmwasm_vm::{
    Backend, BackendError as VmBackendError, BackendResult, GasInfo, Instance,
    InstanceOptions as VmInstanceOptions, Size, call_execute_raw,
};
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use cw_gas::middleware::DEFAULT_STACK_LIMIT_BYTES;
use cw_gas::{CosmWasmSchedule, CwGas, GasMeter};
use cw_host::testing::{MockQuerier, MockStorage};
use cw_host::wasmer::CallBackend;
use cw_host::{Bech32Api, CallState, DebugInfo, EntryPoint, KeyRange, Order, Storage as _};
use cw_runtime::{CompileConfig, ContractInstance, InstanceOptions, ValidationConfig, compile};

/// Host calls per execute in the measured benches.
const CALLS: u32 = 1_000;
/// Gas of one execute on our side: far above 1,000 host calls.
const GAS_LIMIT: u64 = 500_000_000_000;
/// Gas of cosmwasm-vm's reused instance, which cannot be refilled.
const REUSED_GAS_LIMIT: u64 = 1 << 62;
const MEMORY_LIMIT_BYTES: usize = 32 << 20;

// The module's memory layout: four region structs (offset, capacity,
// length; little-endian u32s) and their data in data segments, then the bump
// allocator's heap from the second page on.
const RESULT_REGION: u32 = 16;
const DEBUG_REGION: u32 = 32;
const KEY_REGION: u32 = 48;
const VALUE_REGION: u32 = 64;
const RESULT_DATA: u32 = 1024;
const KEY_DATA: u32 = 2048;
const VALUE_DATA: u32 = 2112;
const HEAP_START: u32 = 65_536;

const RESULT_JSON: &[u8] = br#"{"ok":{"messages":[],"attributes":[],"events":[],"data":null}}"#;
const KEY: &[u8; 16] = b"host/bench/key01";
const VALUE: &[u8; 32] = b"0123456789abcdef0123456789abcdef";

/// What one execute calls, selected by the first message byte.
#[derive(Clone, Copy)]
enum Import {
    Debug,
    DbRead,
    DbWrite,
    DbNext,
}

impl Import {
    const ALL: [Self; 4] = [Self::Debug, Self::DbRead, Self::DbWrite, Self::DbNext];

    fn name(self) -> &'static str {
        match self {
            Self::Debug => "debug",
            Self::DbRead => "db_read",
            Self::DbWrite => "db_write",
            Self::DbNext => "db_next",
        }
    }

    fn mode(self) -> u8 {
        match self {
            Self::Debug => b'd',
            Self::DbRead => b'r',
            Self::DbWrite => b'w',
            Self::DbNext => b'n',
        }
    }

    /// The execute message: the mode byte, then the call count (u32 LE).
    fn msg(self, calls: u32) -> Vec<u8> {
        let mut msg = vec![self.mode()];
        msg.extend_from_slice(&calls.to_le_bytes());
        msg
    }
}

/// `bytes` as a WAT string literal body.
fn wat_bytes(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("\\{b:02x}")).collect()
}

fn wat_region(offset: u32, length: usize) -> String {
    let length = u32::try_from(length).expect("small");
    let mut bytes = Vec::with_capacity(12);
    for field in [offset, length, length] {
        bytes.extend_from_slice(&field.to_le_bytes());
    }
    wat_bytes(&bytes)
}

/// A loop making `call` `$n` times when the mode is `mode`.
fn wat_loop(mode: u8, call: &str) -> String {
    format!(
        r#"
    (if (i32.eq (local.get $mode) (i32.const {mode}))
      (then
        (block $done
          (loop $next
            (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
            {call}
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $next)))))"#
    )
}

/// The contract: `execute(env, info, msg)` makes the import call the message
/// asks for as often as it asks, resets its bump allocator and returns a
/// static `Response`.
fn contract() -> Vec<u8> {
    let debug = wat_loop(
        Import::Debug.mode(),
        &format!("(call $debug (i32.const {DEBUG_REGION}))"),
    );
    let db_read = wat_loop(
        Import::DbRead.mode(),
        &format!("(drop (call $db_read (i32.const {KEY_REGION})))"),
    );
    let db_write = wat_loop(
        Import::DbWrite.mode(),
        &format!("(call $db_write (i32.const {KEY_REGION}) (i32.const {VALUE_REGION}))"),
    );
    let db_next = wat_loop(
        Import::DbNext.mode(),
        "(drop (call $db_next (local.get $iterator)))",
    );
    let scan_mode = Import::DbNext.mode();
    let wat = format!(
        r#"(module
  (import "env" "debug" (func $debug (param i32)))
  (import "env" "db_read" (func $db_read (param i32) (result i32)))
  (import "env" "db_write" (func $db_write (param i32 i32)))
  (import "env" "db_scan" (func $db_scan (param i32 i32 i32) (result i32)))
  (import "env" "db_next" (func $db_next (param i32) (result i32)))
  (memory (export "memory") 4)
  (global $heap (mut i32) (i32.const {HEAP_START}))
  (data (i32.const {RESULT_REGION}) "{result_region}")
  (data (i32.const {DEBUG_REGION}) "{debug_region}")
  (data (i32.const {KEY_REGION}) "{key_region}")
  (data (i32.const {VALUE_REGION}) "{value_region}")
  (data (i32.const {RESULT_DATA}) "{result}")
  (data (i32.const {KEY_DATA}) "{key}")
  (data (i32.const {VALUE_DATA}) "{value}")
  (func (export "interface_version_8"))
  ;; A region struct followed by its data, 8-byte aligned; grows memory when
  ;; needed. Nothing is freed: `execute` resets the heap when it returns.
  (func (export "allocate") (param $size i32) (result i32)
    (local $region i32) (local $end i32) (local $bytes i32)
    (local.set $region (global.get $heap))
    (local.set $end
      (i32.and
        (i32.add (local.get $region) (i32.add (local.get $size) (i32.const 19)))
        (i32.const -8)))
    (local.set $bytes (i32.shl (memory.size) (i32.const 16)))
    (if (i32.gt_u (local.get $end) (local.get $bytes))
      (then
        (if (i32.eq
              (memory.grow
                (i32.shr_u
                  (i32.add (i32.sub (local.get $end) (local.get $bytes)) (i32.const 65535))
                  (i32.const 16)))
              (i32.const -1))
          (then unreachable))))
    (i32.store (local.get $region) (i32.add (local.get $region) (i32.const 12)))
    (i32.store offset=4 (local.get $region) (local.get $size))
    (i32.store offset=8 (local.get $region) (i32.const 0))
    (global.set $heap (local.get $end))
    (local.get $region))
  (func (export "deallocate") (param i32))
  (func (export "execute") (param $env i32) (param $info i32) (param $msg i32) (result i32)
    (local $data i32) (local $mode i32) (local $n i32) (local $i i32) (local $iterator i32)
    (local.set $data (i32.load (local.get $msg)))
    (local.set $mode (i32.load8_u (local.get $data)))
    (local.set $n (i32.load offset=1 align=1 (local.get $data)))
    (if (i32.eq (local.get $mode) (i32.const {scan_mode}))
      (then (local.set $iterator (call $db_scan (i32.const 0) (i32.const 0) (i32.const 1)))))
    {debug}
    {db_read}
    {db_write}
    {db_next}
    (global.set $heap (i32.const {HEAP_START}))
    (i32.const {RESULT_REGION})))"#,
        result_region = wat_region(RESULT_DATA, RESULT_JSON.len()),
        debug_region = wat_region(KEY_DATA, 0),
        key_region = wat_region(KEY_DATA, KEY.len()),
        value_region = wat_region(VALUE_DATA, VALUE.len()),
        result = wat_bytes(RESULT_JSON),
        key = wat_bytes(KEY),
        value = wat_bytes(VALUE),
    );
    wat::parse_str(wat).expect("valid WAT")
}

/// The store: the key `db_read` and `db_write` use, and enough records of
/// the same shape (16-byte key, 32-byte value) for every `db_next`.
fn storage() -> MockStorage {
    let records = (0..CALLS + 24).map(|i| (format!("rec/{i:012}").into_bytes(), VALUE.to_vec()));
    std::iter::once((KEY.to_vec(), VALUE.to_vec()))
        .chain(records)
        .collect()
}

/// One open iterator on cosmwasm-vm's side: bounds, order, and the last key
/// returned, so each `next` is one `seek`, as in our host.
struct VmIterator {
    start: Option<Vec<u8>>,
    end: Option<Vec<u8>>,
    order: Order,
    after: Option<Vec<u8>>,
    done: bool,
}

/// cosmwasm-vm's view of cw-host's `MockStorage`, priced free (as
/// `CosmWasmSchedule::with_free_storage` prices it on ours). Iterators are
/// lazy, as in our host (cosmwasm-vm's own `MockStorage` copies the whole
/// range at `scan`).
struct VmStorage {
    data: MockStorage,
    iterators: Vec<VmIterator>,
}

fn vm_error(e: cw_host::BackendError) -> VmBackendError {
    VmBackendError::unknown(e.to_string())
}

impl cosmwasm_vm::Storage for VmStorage {
    fn get(&self, key: &[u8]) -> BackendResult<Option<Vec<u8>>> {
        (self.data.get(key).map_err(vm_error), GasInfo::free())
    }

    fn scan(
        &mut self,
        start: Option<&[u8]>,
        end: Option<&[u8]>,
        order: cosmwasm_std::Order,
    ) -> BackendResult<u32> {
        let order = match order {
            cosmwasm_std::Order::Ascending => Order::Ascending,
            cosmwasm_std::Order::Descending => Order::Descending,
        };
        let range = KeyRange { start, end };
        self.iterators.push(VmIterator {
            start: start.map(<[u8]>::to_vec),
            end: end.map(<[u8]>::to_vec),
            order,
            after: None,
            done: range.is_empty(),
        });
        let id = u32::try_from(self.iterators.len()).expect("few iterators");
        (Ok(id), GasInfo::free())
    }

    fn next(&mut self, iterator_id: u32) -> BackendResult<Option<cosmwasm_std::Record>> {
        let index = (iterator_id as usize).wrapping_sub(1);
        let Some(iterator) = self.iterators.get_mut(index) else {
            let unknown = VmBackendError::iterator_does_not_exist(iterator_id);
            return (Err(unknown), GasInfo::free());
        };
        if iterator.done {
            return (Ok(None), GasInfo::free());
        }
        let range = KeyRange {
            start: iterator.start.as_deref(),
            end: iterator.end.as_deref(),
        };
        let found = self
            .data
            .seek(range, iterator.order, iterator.after.as_deref());
        match &found {
            Ok(Some((key, _))) => iterator.after = Some(key.clone()),
            Ok(None) => iterator.done = true,
            Err(_) => {}
        }
        (found.map_err(vm_error), GasInfo::free())
    }

    fn set(&mut self, key: &[u8], value: &[u8]) -> BackendResult<()> {
        (self.data.set(key, value).map_err(vm_error), GasInfo::free())
    }

    fn remove(&mut self, key: &[u8]) -> BackendResult<()> {
        (self.data.remove(key).map_err(vm_error), GasInfo::free())
    }
}

type VmInstance = Instance<VmApi, VmStorage, VmQuerier>;

struct Setup {
    compiled: cw_runtime::CompiledModule,
    wasm: Vec<u8>,
    env: Vec<u8>,
    info: Vec<u8>,
}

impl Setup {
    fn new() -> Self {
        let wasm = contract();
        let config = CompileConfig {
            table: CosmWasmSchedule::with_free_storage(),
            stack_limit_bytes: Some(DEFAULT_STACK_LIMIT_BYTES),
            validation: ValidationConfig::default(),
        };
        let (compiled, _, _) = compile(&wasm, &config).expect("passes validation and compiles");
        let env = to_json_vec(&mock_env()).expect("env");
        let info = to_json_vec(&message_info(&Addr::unchecked("sender"), &[])).expect("info");
        Self {
            compiled,
            wasm,
            env,
            info,
        }
    }

    fn ours(&self) -> Ours {
        let instance = ContractInstance::new(
            &self.compiled,
            &InstanceOptions {
                memory_limit_bytes: MEMORY_LIMIT_BYTES as u64,
            },
        )
        .expect("instance");
        Ours {
            instance,
            backend: Some(CallBackend {
                storage: Box::new(storage()),
                api: Arc::new(Bech32Api::default()),
                querier: Box::new(MockQuerier::new()),
                gas: fresh_meter(),
                call: CallState::for_entry_point(EntryPoint::Execute),
                debug: Box::new(|_: &str, _: DebugInfo| {}),
            }),
        }
    }

    fn theirs(&self, gas_limit: u64) -> VmInstance {
        let backend = Backend {
            api: VmApi::default(),
            storage: VmStorage {
                data: storage(),
                iterators: Vec::new(),
            },
            querier: VmQuerier::new(&[]),
        };
        let options = VmInstanceOptions { gas_limit };
        let mut instance = Instance::from_code(
            &self.wasm,
            backend,
            options,
            Some(Size::new(MEMORY_LIMIT_BYTES)),
        )
        .expect("cosmwasm-vm accepts the module");
        instance.set_debug_handler(|_: &str, _: cosmwasm_vm::DebugInfo<'_>| {});
        instance
    }

    /// Correctness, once per bench: both sides return the static response
    /// and charge the same gas.
    fn check_both_sides_agree(&self, import: Import, calls: u32) {
        let msg = import.msg(calls);
        let mut ours = self.ours();
        let (result, gas) = ours.call(self, &msg);
        let mut theirs = self.theirs(GAS_LIMIT);
        let theirs_result = call_execute_raw(&mut theirs, &self.env, &self.info, &msg);
        let report = theirs.create_gas_report();
        let name = import.name();
        assert_eq!(result, RESULT_JSON, "{name} x {calls}");
        assert_eq!(
            theirs_result.expect("runs"),
            RESULT_JSON,
            "{name} x {calls}"
        );
        assert_eq!(
            gas,
            report.used_internally + report.used_externally,
            "gas of {name} x {calls}"
        );
    }
}

fn fresh_meter() -> GasMeter<CosmWasmSchedule> {
    GasMeter::new(CosmWasmSchedule::with_free_storage(), CwGas::new(GAS_LIMIT))
}

/// Our instance and the backend it is handed for each call (and hands back).
struct Ours {
    instance: ContractInstance<CosmWasmSchedule>,
    backend: Option<CallBackend<CosmWasmSchedule>>,
}

impl Ours {
    /// Gives the kept backend a fresh meter and call state.
    fn prepare(&mut self) -> CallBackend<CosmWasmSchedule> {
        let mut backend = self.backend.take().expect("handed back");
        backend.gas = fresh_meter();
        backend.call = CallState::for_entry_point(EntryPoint::Execute);
        backend
    }

    fn run(
        &mut self,
        s: &Setup,
        msg: &[u8],
        backend: CallBackend<CosmWasmSchedule>,
    ) -> (Vec<u8>, u64) {
        let (result, backend) =
            self.instance
                .call(EntryPoint::Execute, &s.env, Some(&s.info), msg, backend);
        let gas = backend.gas.used().as_u64();
        self.backend = Some(backend);
        (result.expect("no node fault").expect("succeeds"), gas)
    }

    fn call(&mut self, s: &Setup, msg: &[u8]) -> (Vec<u8>, u64) {
        let backend = self.prepare();
        self.run(s, msg, backend)
    }
}

fn bench_import(c: &mut Criterion, s: &Setup, import: Import) {
    let mut group = c.benchmark_group(format!("host/{}", import.name()));
    for calls in [0, CALLS] {
        s.check_both_sides_agree(import, calls);
        let msg = import.msg(calls);
        group.bench_with_input(BenchmarkId::new("ours", calls), &msg, |b, msg| {
            let mut ours = s.ours();
            b.iter_custom(|iters| {
                time_each(iters, &mut ours, Ours::prepare, |ours, backend| {
                    ours.run(s, black_box(msg), backend)
                })
            })
        });
        group.bench_with_input(BenchmarkId::new("cosmwasm_vm", calls), &msg, |b, msg| {
            let mut theirs = s.theirs(REUSED_GAS_LIMIT);
            b.iter_custom(|iters| {
                time_each(
                    iters,
                    &mut theirs,
                    |theirs| {
                        theirs
                            .with_storage(|storage| {
                                storage.iterators.clear();
                                Ok(())
                            })
                            .expect("storage");
                    },
                    |theirs, ()| {
                        call_execute_raw(theirs, &s.env, &s.info, black_box(msg)).expect("runs")
                    },
                )
            })
        });
    }
    group.finish();
}

/// The setup's assertions, without timing anything: each benched execute
/// (every import, 0 and 1,000 calls) gives the same result and gas here and
/// on cosmwasm-vm. `benches/tests/setup.rs` runs this in `cargo test`.
#[allow(dead_code, reason = "run by benches/tests/setup.rs, not by the bench")]
pub(crate) fn setup_checks() {
    let setup = Setup::new();
    for import in Import::ALL {
        for calls in [0, CALLS] {
            setup.check_both_sides_agree(import, calls);
        }
    }
}

fn host(c: &mut Criterion) {
    let setup = Setup::new();
    for import in Import::ALL {
        bench_import(c, &setup, import);
    }
}

criterion_group!(benches, host);
criterion_main!(benches);
