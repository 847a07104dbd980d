//! Every `env` import as a Wasmer function.

use cw_gas::{CostTable, GasQuantity};
use wasmer::{AsStoreMut, Extern, Function, FunctionEnv, FunctionEnvMut, Imports, Module};

use super::env::HostEnv;
use super::guest::WasmerGuest;
use crate::context::CallBackend;
use crate::context::HostContext;
use crate::error::HostError;
use crate::imports;

/// Runs one import against the call in progress, syncing operator gas in
/// and out (see the module docs of [`crate::wasmer`]).
fn with_host<T: CostTable, R>(
    env: &mut FunctionEnvMut<'_, HostEnv<T>>,
    run: impl FnOnce(&mut HostContext<'_, T>, &WasmerGuest<'_>) -> Result<R, HostError>,
) -> Result<R, HostError> {
    let (data, store) = env.data_and_store_mut();
    let handles = data.handles.clone().ok_or(HostError::Bridge {
        problem: "an import ran before the instance was bound",
    })?;
    let CallBackend {
        storage,
        api,
        querier,
        gas,
        call,
        debug,
    } = data.backend.as_mut().ok_or(HostError::Bridge {
        problem: "an import ran outside a contract call",
    })?;
    let guest = WasmerGuest::new(store, handles);
    let Some(points) = guest.points_left() else {
        // Operators overspent before this import: it does nothing.
        return Err(HostError::Gas(gas.record_wasm_exhausted()));
    };
    gas.record_wasm_remaining(T::Gas::from_u64(points));
    let mut ctx = HostContext {
        storage: &mut **storage,
        api: &**api,
        querier: &**querier,
        gas,
        call,
        debug: &mut **debug,
    };
    let result = run(&mut ctx, &guest);
    guest.set_points_left(ctx.gas.wasm_points().to_u64())?;
    result
}

/// Defines the Wasmer-facing function of an import; `alloc` marks imports
/// that write results through the contract's allocator.
macro_rules! bridge {
    ($name:ident alloc ($($arg:ident: $ty:ty),*) -> $ret:ty) => {
        fn $name<T: CostTable>(
            mut env: FunctionEnvMut<'_, HostEnv<T>>,
            $($arg: $ty),*
        ) -> Result<$ret, HostError> {
            with_host(&mut env, |ctx, guest| {
                let mut allocator = guest;
                imports::$name(ctx, guest, &mut allocator, $($arg),*)
            })
        }
    };
    ($name:ident ($($arg:ident: $ty:ty),*) -> $ret:ty) => {
        fn $name<T: CostTable>(
            mut env: FunctionEnvMut<'_, HostEnv<T>>,
            $($arg: $ty),*
        ) -> Result<$ret, HostError> {
            with_host(&mut env, |ctx, guest| imports::$name(ctx, guest, $($arg),*))
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

fn abort<T: CostTable>(
    mut env: FunctionEnvMut<'_, HostEnv<T>>,
    message: u32,
) -> Result<(), HostError> {
    with_host(&mut env, |ctx, guest| {
        imports::abort(ctx, guest, message).map(|never| match never {})
    })
}

/// Defines the list of imports and the lookup from one list, so they
/// cannot disagree.
macro_rules! env_imports {
    ($($name:ident),* $(,)?) => {
        /// The name of every `env` import the host provides: all 24
        /// CosmWasm 3.x imports.
        pub const ENV_IMPORTS: [&str; 24] = [$(stringify!($name)),*];

        /// The host function for the `env` import `name`, bound to `env`,
        /// or `None` if the host has no import of that name.
        pub fn import_function<T: CostTable>(
            store: &mut impl AsStoreMut,
            env: &FunctionEnv<HostEnv<T>>,
            name: &str,
        ) -> Option<Function> {
            match name {
                $(stringify!($name) => Some(Function::new_typed_with_env(store, env, $name::<T>)),)*
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

/// The `env` import object for one instance: all 24 CosmWasm 3.x imports,
/// bound to `env`.
pub fn register_imports<T: CostTable>(
    store: &mut impl AsStoreMut,
    env: &FunctionEnv<HostEnv<T>>,
) -> Imports {
    let mut imports = Imports::new();
    for name in ENV_IMPORTS {
        if let Some(function) = import_function(store, env, name) {
            imports.define("env", name, function);
        }
    }
    imports
}

/// An import a module asks for that the host does not provide.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "the host has no import \"{module}\".\"{name}\" (it provides only the CosmWasm `env` functions)"
)]
pub struct UnknownImport {
    /// The import's module.
    pub module: String,
    /// The import's name.
    pub name: String,
}

/// What `module` imports, in its import order, bound to `env`: the
/// argument `Instance::new_by_index` takes. Only the functions the module
/// uses are created. Signatures are checked by Wasmer when it instantiates.
///
/// # Errors
/// The first import that is not one of [`ENV_IMPORTS`].
pub fn module_imports<T: CostTable>(
    store: &mut impl AsStoreMut,
    env: &FunctionEnv<HostEnv<T>>,
    module: &Module,
) -> Result<Vec<Extern>, UnknownImport> {
    module
        .imports()
        .map(|import| {
            let function = (import.module() == "env")
                .then(|| import_function(store, env, import.name()))
                .flatten();
            function.map(Extern::from).ok_or_else(|| UnknownImport {
                module: import.module().to_string(),
                name: import.name().to_string(),
            })
        })
        .collect()
}
