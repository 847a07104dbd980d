//! cw-multi-test's `Contract` for [`WasmCode`] and [`NativeCode`]: each
//! entry point's arguments to JSON, its result from JSON.

use cosmwasm_std::{
    Binary, CustomMsg, CustomQuery, Deps, DepsMut, Env, MessageInfo, MigrateInfo, Reply, Response,
    StdError, StdResult,
};
use cw_host::EntryPoint;
use serde::de::DeserializeOwned;

use crate::code::WasmCode;
use crate::core::{Call, json, parse_result};
use crate::lend::StorageLoan;
use crate::native::NativeCode;

/// Implements cw-multi-test's `Contract` for a type with a `core: Core`.
macro_rules! impl_contract {
    ($code:ty) => {
        impl<C, Q> cw_multi_test::Contract<C, Q> for $code
        where
            C: CustomMsg + DeserializeOwned,
            Q: CustomQuery,
        {
            fn instantiate(
                &self,
                deps: DepsMut<'_, Q>,
                env: Env,
                info: MessageInfo,
                msg: Vec<u8>,
            ) -> StdResult<Response<C>> {
                let call = Call::with_info(EntryPoint::Instantiate, &env, &info, &msg)?;
                self.core.execute_like(call, deps)
            }

            fn execute(
                &self,
                deps: DepsMut<'_, Q>,
                env: Env,
                info: MessageInfo,
                msg: Vec<u8>,
            ) -> StdResult<Response<C>> {
                let call = Call::with_info(EntryPoint::Execute, &env, &info, &msg)?;
                self.core.execute_like(call, deps)
            }

            fn query(&self, deps: Deps<'_, Q>, env: Env, msg: Vec<u8>) -> StdResult<Binary> {
                let call = Call::plain(EntryPoint::Query, &env, &msg);
                let querier = deps.querier;
                let bytes =
                    self.core
                        .run(call, StorageLoan::Shared(deps.storage), deps.api, &*querier)?;
                parse_result::<Binary>("query", &bytes).map_err(StdError::from)
            }

            fn reply(&self, deps: DepsMut<'_, Q>, env: Env, msg: Reply) -> StdResult<Response<C>> {
                let entry = EntryPoint::Reply;
                let msg = json(entry, "reply", &msg)?;
                self.core.execute_like(Call::plain(entry, &env, &msg), deps)
            }

            fn sudo(&self, deps: DepsMut<'_, Q>, env: Env, msg: Vec<u8>) -> StdResult<Response<C>> {
                self.core
                    .execute_like(Call::plain(EntryPoint::Sudo, &env, &msg), deps)
            }

            fn migrate(
                &self,
                deps: DepsMut<'_, Q>,
                env: Env,
                msg: Vec<u8>,
                info: MigrateInfo,
            ) -> StdResult<Response<C>> {
                // The contract's export decides: `migrate(env, msg, info)`
                // gets the info, a two-parameter `migrate(env, msg)` is
                // called again without it (wasmd's `MigrateWithInfo`).
                let call = Call::with_info(EntryPoint::Migrate, &env, &info, &msg)?;
                self.core.execute_like(call, deps)
            }

            fn checksum(&self) -> Option<cosmwasm_std::Checksum> {
                self.core.checksum
            }
        }
    };
}

impl_contract!(WasmCode);
impl_contract!(NativeCode);
