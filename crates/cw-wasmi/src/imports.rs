//! Every `env` import as a wasmi host function over cw-host's import logic.
//!
//! Gas protocol (cw-host's Wasmer bridge, step for step): on entry the
//! meter folds in what operators spent since the last sync (or, finding
//! the instance out of gas, the import does nothing and fails); the import
//! charges the meter; on exit the meter's remainder is written back to the
//! metering global.

use cw_gas::{CostTable, GasQuantity};
use cw_host::{CallBackend, HostContext, HostError, imports};
use wasmi::{Caller, Extern, Func, Store};

use crate::guest::{Guest, ImportFailed, MeteringGlobals};
use crate::store::{CallSlot, StoreData};

type HostCaller<'a, T> = Caller<'a, StoreData<T>>;

/// Runs one import against the call's context (the backend, or the
/// context an allocating import lent), syncing operator gas in and out.
fn with_host<T: CostTable, R>(
    mut caller: HostCaller<'_, T>,
    run: impl FnOnce(&mut HostContext<'_, T>, &Guest<HostCaller<'_, T>>) -> Result<R, HostError>,
) -> Result<R, wasmi::Error> {
    let memory = match caller.get_export("memory") {
        Some(Extern::Memory(memory)) => memory,
        _ => {
            return Err(failed(HostError::Bridge {
                problem: "the instance exports no memory",
            }));
        }
    };
    let globals = MeteringGlobals::find(|name| caller.get_export(name)).map_err(failed)?;
    let allocate = caller.get_export("allocate");
    let slot = core::mem::replace(&mut caller.data_mut().slot, CallSlot::InImport);
    match slot {
        CallSlot::Here(mut backend) => {
            let guest = Guest::new(caller, memory, globals, allocate);
            let result = {
                let CallBackend {
                    storage,
                    api,
                    querier,
                    gas,
                    call,
                    debug,
                } = &mut backend;
                let mut ctx = HostContext {
                    storage: &mut **storage,
                    api: &**api,
                    querier: &**querier,
                    gas,
                    call,
                    debug: &mut **debug,
                };
                synced(&mut ctx, &guest, run)
            };
            let mut caller = guest.into_inner();
            caller.data_mut().slot = CallSlot::Here(backend);
            result.map_err(failed)
        }
        CallSlot::Lent(lent) => {
            caller.data_mut().slot = CallSlot::Lent(lent);
            // SAFETY: `lent` points at the `HostContext` of the import
            // whose result this guest code is allocating; that import waits
            // in `allocate_lent` (cw-host's `write_to_contract`), which
            // lent it exclusively (`LentContext` borrows it mutably) and
            // does not touch it until the guest code returns. This
            // reference, and every reborrow of it, ends before this
            // function returns, so before that. The `'static` of the
            // pointee's type stands for its real lifetime, which outlives
            // the lending import; nothing here keeps a reference from it.
            let lent_ctx = unsafe { &mut *lent.0 };
            let mut ctx = HostContext {
                storage: &mut *lent_ctx.storage,
                api: lent_ctx.api,
                querier: lent_ctx.querier,
                gas: &mut *lent_ctx.gas,
                call: &mut *lent_ctx.call,
                debug: &mut *lent_ctx.debug,
            };
            let guest = Guest::new(caller, memory, globals, allocate);
            synced(&mut ctx, &guest, run).map_err(failed)
        }
        CallSlot::InImport => {
            caller.data_mut().slot = CallSlot::InImport;
            Err(failed(HostError::Bridge {
                problem: "an import ran while another held the call's context",
            }))
        }
    }
}

/// The import, between folding the instance's points into the meter and
/// writing the meter's remainder back.
fn synced<T: CostTable, R>(
    ctx: &mut HostContext<'_, T>,
    guest: &Guest<HostCaller<'_, T>>,
    run: impl FnOnce(&mut HostContext<'_, T>, &Guest<HostCaller<'_, T>>) -> Result<R, HostError>,
) -> Result<R, HostError> {
    let Some(points) = guest.points_left() else {
        // Operators overspent before this import: it does nothing.
        return Err(HostError::Gas(ctx.gas.record_wasm_exhausted()));
    };
    ctx.gas.record_wasm_remaining(T::Gas::from_u64(points));
    let result = run(ctx, guest);
    guest.set_points_left(ctx.gas.wasm_points().to_u64())?;
    result
}

fn failed(error: HostError) -> wasmi::Error {
    wasmi::Error::host(ImportFailed(error))
}

/// Defines the wasmi-facing function of an import; `alloc` marks imports
/// that write results through the contract's allocator.
macro_rules! bridge {
    ($name:ident alloc ($($arg:ident: $ty:ty),*) -> $ret:ty) => {
        fn $name<T: CostTable>(
            caller: HostCaller<'_, T>,
            $($arg: $ty),*
        ) -> Result<$ret, wasmi::Error> {
            with_host(caller, |ctx, guest| {
                let mut allocator = guest;
                imports::$name(ctx, guest, &mut allocator, $($arg),*)
            })
        }
    };
    ($name:ident ($($arg:ident: $ty:ty),*) -> $ret:ty) => {
        fn $name<T: CostTable>(
            caller: HostCaller<'_, T>,
            $($arg: $ty),*
        ) -> Result<$ret, wasmi::Error> {
            with_host(caller, |ctx, guest| imports::$name(ctx, guest, $($arg),*))
        }
    };
}

bridge!(db_read alloc (key: u32) -> u32);
bridge!(db_write (key: u32, value: u32) -> ());
bridge!(db_remove (key: u32) -> ());
bridge!(db_scan (start: u32, end: u32, order: i32) -> u32);
bridge!(db_next alloc (id: u32) -> u32);
bridge!(db_next_key alloc (id: u32) -> u32);
bridge!(db_next_value alloc (id: u32) -> u32);
bridge!(addr_validate alloc (source: u32) -> u32);
bridge!(addr_canonicalize alloc (source: u32, destination: u32) -> u32);
bridge!(addr_humanize alloc (source: u32, destination: u32) -> u32);
bridge!(secp256k1_verify (hash: u32, signature: u32, pubkey: u32) -> u32);
bridge!(secp256k1_recover_pubkey alloc (hash: u32, signature: u32, param: u32) -> u64);
bridge!(secp256r1_verify (hash: u32, signature: u32, pubkey: u32) -> u32);
bridge!(secp256r1_recover_pubkey alloc (hash: u32, signature: u32, param: u32) -> u64);
bridge!(ed25519_verify (message: u32, signature: u32, pubkey: u32) -> u32);
bridge!(ed25519_batch_verify (messages: u32, signatures: u32, pubkeys: u32) -> u32);
bridge!(bls12_381_aggregate_g1 (points: u32, out: u32) -> u32);
bridge!(bls12_381_aggregate_g2 (points: u32, out: u32) -> u32);
bridge!(bls12_381_pairing_equality (ps: u32, qs: u32, r: u32, s: u32) -> u32);
bridge!(bls12_381_hash_to_g1 (hash_function: u32, msg: u32, dst: u32, out: u32) -> u32);
bridge!(bls12_381_hash_to_g2 (hash_function: u32, msg: u32, dst: u32, out: u32) -> u32);
bridge!(query_chain alloc (request: u32) -> u32);
bridge!(debug (message: u32) -> ());

fn abort<T: CostTable>(caller: HostCaller<'_, T>, message: u32) -> Result<(), wasmi::Error> {
    with_host(caller, |ctx, guest| {
        imports::abort(ctx, guest, message).map(|never| match never {})
    })
}

/// Defines the list of imports and the lookup from one list, so they
/// cannot disagree.
macro_rules! env_imports {
    ($($name:ident),* $(,)?) => {
        /// The name of every `env` import the host provides: all 24
        /// CosmWasm 3.x imports (cw-host's `imports::IMPORT_NAMES`).
        pub const ENV_IMPORTS: [&str; 24] = [$(stringify!($name)),*];

        /// The host function for the `env` import `name`, or `None` if the
        /// host has no import of that name.
        pub(crate) fn import_function<T: CostTable>(
            store: &mut Store<StoreData<T>>,
            name: &str,
        ) -> Option<Func> {
            match name {
                $(stringify!($name) => Some(Func::wrap(&mut *store, $name::<T>)),)*
                _ => None,
            }
        }
    };
}

env_imports!(
    db_read,
    db_write,
    db_remove,
    db_scan,
    db_next,
    db_next_key,
    db_next_value,
    addr_validate,
    addr_canonicalize,
    addr_humanize,
    secp256k1_verify,
    secp256k1_recover_pubkey,
    secp256r1_verify,
    secp256r1_recover_pubkey,
    ed25519_verify,
    ed25519_batch_verify,
    bls12_381_aggregate_g1,
    bls12_381_aggregate_g2,
    bls12_381_pairing_equality,
    bls12_381_hash_to_g1,
    bls12_381_hash_to_g2,
    query_chain,
    debug,
    abort,
);

/// What the module imports, in its import order: the externals
/// instantiation takes. Only the functions the module uses are created.
/// Signatures are checked by wasmi when it instantiates.
///
/// # Errors
/// The text of the first import that is not one of [`ENV_IMPORTS`], as
/// cw-host's Wasmer bridge words it.
pub(crate) fn module_imports<T: CostTable>(
    store: &mut Store<StoreData<T>>,
    module: &wasmi::Module,
) -> Result<Vec<Extern>, String> {
    module
        .imports()
        .map(|import| {
            let function = (import.module() == "env")
                .then(|| import_function(store, import.name()))
                .flatten();
            function.map(Extern::from).ok_or_else(|| {
                format!(
                    "the host has no import \"{}\".\"{}\" (it provides only the CosmWasm `env` functions)",
                    import.module(),
                    import.name()
                )
            })
        })
        .collect()
}
