//! The entry points. Each message calls its import through cosmwasm-std (or
//! `raw`) and puts the outcome where a test can read it exactly.

#[cfg(not(feature = "library"))]
use cosmwasm_std::entry_point;
use cosmwasm_std::{
    Binary, CanonicalAddr, Deps, DepsMut, Env, HashFunction, MessageInfo, Order, QueryRequest,
    Reply, Response, StdError, StdResult, Storage, WasmMsg, WasmQuery, from_json, to_json_binary,
    to_json_vec,
};

use crate::misbehave;
use crate::msg::{
    BlsHashFunction, ExecuteMsg, GrowMemoryResponse, InstantiateMsg, MigrateMsg, QueryMsg,
    RECEIVED_KEY, REPLY_KEY, ReadResponse, ScanArgs, ScanMode, ScanResponse, SudoMsg, VERSION_KEY,
};
use crate::raw;

/// Writes nothing: storage then holds exactly what later messages put there.
#[cfg_attr(not(feature = "library"), entry_point)]
pub fn instantiate(
    _deps: DepsMut,
    _env: Env,
    _info: MessageInfo,
    _msg: InstantiateMsg,
) -> StdResult<Response> {
    Ok(Response::new().add_attribute("action", "instantiate"))
}

/// Dispatches an [`ExecuteMsg`]; see its variants for what each returns.
#[cfg_attr(not(feature = "library"), entry_point)]
#[allow(clippy::only_used_in_recursion)] // `receive` runs its inner message with the same info
pub fn execute(deps: DepsMut, env: Env, info: MessageInfo, msg: ExecuteMsg) -> StdResult<Response> {
    let api = deps.api;
    let data = match msg {
        ExecuteMsg::Write { key, value } => {
            deps.storage.set(&key, &value);
            None
        }
        ExecuteMsg::Remove { key } => {
            deps.storage.remove(&key);
            None
        }
        ExecuteMsg::Read { key } => Some(read(deps.storage, &key)?),
        ExecuteMsg::Scan(args) => Some(scan(deps.storage, &args)?),
        ExecuteMsg::AddrValidate { addr } => Some(Binary::from(
            api.addr_validate(&addr)?.into_string().into_bytes(),
        )),
        ExecuteMsg::AddrCanonicalize { addr } => {
            Some(Binary::from(api.addr_canonicalize(&addr)?.to_vec()))
        }
        ExecuteMsg::AddrHumanize { canonical } => Some(Binary::from(
            api.addr_humanize(&CanonicalAddr::from(canonical))?
                .into_string()
                .into_bytes(),
        )),
        ExecuteMsg::Secp256k1Verify {
            message_hash,
            signature,
            public_key,
        } => Some(to_json_binary(&api.secp256k1_verify(
            &message_hash,
            &signature,
            &public_key,
        )?)?),
        ExecuteMsg::Secp256k1RecoverPubkey {
            message_hash,
            signature,
            recovery_param,
        } => Some(Binary::from(api.secp256k1_recover_pubkey(
            &message_hash,
            &signature,
            recovery_param,
        )?)),
        ExecuteMsg::Secp256r1Verify {
            message_hash,
            signature,
            public_key,
        } => Some(to_json_binary(&api.secp256r1_verify(
            &message_hash,
            &signature,
            &public_key,
        )?)?),
        ExecuteMsg::Secp256r1RecoverPubkey {
            message_hash,
            signature,
            recovery_param,
        } => Some(Binary::from(api.secp256r1_recover_pubkey(
            &message_hash,
            &signature,
            recovery_param,
        )?)),
        ExecuteMsg::Ed25519Verify {
            message,
            signature,
            public_key,
        } => Some(to_json_binary(&api.ed25519_verify(
            &message,
            &signature,
            &public_key,
        )?)?),
        ExecuteMsg::Ed25519BatchVerify {
            messages,
            signatures,
            public_keys,
        } => {
            let messages: Vec<&[u8]> = messages.iter().map(Binary::as_slice).collect();
            let signatures: Vec<&[u8]> = signatures.iter().map(Binary::as_slice).collect();
            let public_keys: Vec<&[u8]> = public_keys.iter().map(Binary::as_slice).collect();
            Some(to_json_binary(&api.ed25519_batch_verify(
                &messages,
                &signatures,
                &public_keys,
            )?)?)
        }
        ExecuteMsg::Bls12381AggregateG1 { points } => {
            Some(Binary::from(api.bls12_381_aggregate_g1(&points)?.to_vec()))
        }
        ExecuteMsg::Bls12381AggregateG2 { points } => {
            Some(Binary::from(api.bls12_381_aggregate_g2(&points)?.to_vec()))
        }
        ExecuteMsg::Bls12381PairingEquality { ps, qs, r, s } => Some(to_json_binary(
            &api.bls12_381_pairing_equality(&ps, &qs, &r, &s)?,
        )?),
        ExecuteMsg::Bls12381HashToG1 {
            hash_function,
            msg,
            dst,
        } => Some(Binary::from(
            api.bls12_381_hash_to_g1(hash_function.into(), &msg, &dst)?
                .to_vec(),
        )),
        ExecuteMsg::Bls12381HashToG2 {
            hash_function,
            msg,
            dst,
        } => Some(Binary::from(
            api.bls12_381_hash_to_g2(hash_function.into(), &msg, &dst)?
                .to_vec(),
        )),
        ExecuteMsg::QueryChain { request } => {
            Some(to_json_binary(&deps.querier.raw_query(&request))?)
        }
        ExecuteMsg::Debug { msg } => {
            api.debug(&msg);
            None
        }
        ExecuteMsg::Dispatch { messages } => {
            return Ok(Response::new()
                .add_attribute("action", "dispatch")
                .add_submessages(messages));
        }
        ExecuteMsg::Loop {} => misbehave::spin(),
        ExecuteMsg::Recurse { depth } => Some(to_json_binary(&misbehave::recurse(depth))?),
        ExecuteMsg::GrowMemory { pages } => Some(to_json_binary(&GrowMemoryResponse {
            previous_pages: misbehave::grow_memory(pages)?,
        })?),
        ExecuteMsg::Allocate { bytes } => Some(to_json_binary(&misbehave::allocate(bytes)?)?),
        ExecuteMsg::Panic { msg } => panic!("{msg}"),
        ExecuteMsg::Abort { msg } => {
            raw::abort(&msg)?;
            return Err(StdError::msg("abort import returned"));
        }
        ExecuteMsg::Receive {
            sender,
            amount,
            msg,
        } => {
            let record = ExecuteMsg::Receive {
                sender,
                amount,
                msg: msg.clone(),
            };
            deps.storage.set(RECEIVED_KEY, &to_json_vec(&record)?);
            if msg.is_empty() {
                return Ok(Response::new().add_attribute("action", "receive"));
            }
            let inner: ExecuteMsg = from_json(&msg)?;
            return execute(deps, env, info, inner);
        }
        ExecuteMsg::Fail { msg } => return Err(StdError::msg(msg)),
        ExecuteMsg::PingSelf {} => {
            let again = WasmMsg::Execute {
                contract_addr: env.contract.address.to_string(),
                msg: to_json_binary(&ExecuteMsg::PingSelf {})?,
                funds: vec![],
            };
            return Ok(Response::new()
                .add_attribute("action", "ping_self")
                .add_message(again));
        }
    };
    let response = Response::new().add_attribute("action", "execute");
    Ok(match data {
        Some(data) => response.set_data(data),
        None => response,
    })
}

/// Dispatches a [`QueryMsg`]; see its variants for what each returns.
#[cfg_attr(not(feature = "library"), entry_point)]
pub fn query(deps: Deps, env: Env, msg: QueryMsg) -> StdResult<Binary> {
    match msg {
        QueryMsg::Read { key } => read(deps.storage, &key),
        QueryMsg::Scan(args) => scan(deps.storage, &args),
        QueryMsg::WriteInQuery { key, value } => {
            raw::db_write(&key, &value)?;
            read(deps.storage, &key)
        }
        QueryMsg::RemoveInQuery { key } => {
            raw::db_remove(&key)?;
            read(deps.storage, &key)
        }
        QueryMsg::QuerySelf { depth } => {
            let levels: u32 = match depth.checked_sub(1) {
                None => 0,
                Some(next) => {
                    let request = QueryRequest::Wasm(WasmQuery::Smart {
                        contract_addr: env.contract.address.into_string(),
                        msg: to_json_binary(&QueryMsg::QuerySelf { depth: next })?,
                    });
                    let below: u32 = deps.querier.query(&request)?;
                    below + 1
                }
            };
            to_json_binary(&levels)
        }
        QueryMsg::Echo { data } => Ok(data),
        QueryMsg::Loop {} => misbehave::spin(),
    }
}

/// Stores `msg.version` under [`VERSION_KEY`]; data is the previous version.
/// Takes the `MigrateInfo` CosmWasm 2.2 added (the export then has three
/// parameters, `env, msg, info`), and echoes it as the attributes `sender`
/// and `old_migrate_version` (`none` when the chain sends none).
#[cfg_attr(not(feature = "library"), entry_point)]
pub fn migrate(
    deps: DepsMut,
    _env: Env,
    msg: MigrateMsg,
    info: cosmwasm_std::MigrateInfo,
) -> StdResult<Response> {
    let previous = deps.storage.get(VERSION_KEY);
    deps.storage.set(VERSION_KEY, msg.version.as_bytes());
    let old_version = info
        .old_migrate_version
        .map_or_else(|| "none".to_owned(), |version| version.to_string());
    let response = Response::new()
        .add_attribute("action", "migrate")
        .add_attribute("sender", info.sender)
        .add_attribute("old_migrate_version", old_version);
    Ok(match previous {
        Some(previous) => response.set_data(previous),
        None => response,
    })
}

/// Echoes privileged data back.
#[cfg_attr(not(feature = "library"), entry_point)]
pub fn sudo(_deps: DepsMut, _env: Env, msg: SudoMsg) -> StdResult<Response> {
    match msg {
        SudoMsg::Echo { data } => Ok(Response::new()
            .add_attribute("action", "sudo")
            .set_data(data)),
    }
}

/// Stores the whole [`Reply`] as JSON under [`REPLY_KEY`].
#[cfg_attr(not(feature = "library"), entry_point)]
pub fn reply(deps: DepsMut, _env: Env, msg: Reply) -> StdResult<Response> {
    deps.storage.set(REPLY_KEY, &to_json_vec(&msg)?);
    Ok(Response::new()
        .add_attribute("action", "reply")
        .add_attribute("reply_id", msg.id.to_string()))
}

fn read(storage: &dyn Storage, key: &[u8]) -> StdResult<Binary> {
    to_json_binary(&ReadResponse {
        value: storage.get(key).map(Binary::from),
    })
}

fn scan(storage: &dyn Storage, args: &ScanArgs) -> StdResult<Binary> {
    let start = args.start.as_ref().map(Binary::as_slice);
    let end = args.end.as_ref().map(Binary::as_slice);
    let limit = args.limit.map_or(usize::MAX, |limit| limit as usize);
    let order: Order = args.order;
    let mut response = ScanResponse {
        keys: Vec::new(),
        values: Vec::new(),
    };
    match args.mode {
        ScanMode::Pairs => {
            for (key, value) in storage.range(start, end, order).take(limit) {
                response.keys.push(key.into());
                response.values.push(value.into());
            }
        }
        ScanMode::Keys => {
            response.keys = storage
                .range_keys(start, end, order)
                .take(limit)
                .map(Binary::from)
                .collect();
        }
        ScanMode::Values => {
            response.values = storage
                .range_values(start, end, order)
                .take(limit)
                .map(Binary::from)
                .collect();
        }
    }
    to_json_binary(&response)
}

impl From<BlsHashFunction> for HashFunction {
    fn from(value: BlsHashFunction) -> Self {
        match value {
            BlsHashFunction::Sha256 => HashFunction::Sha256,
        }
    }
}
