//! wasmd's `ValidateBasic` of each wasm message (`x/wasm/types/tx.go`), in
//! its order of checks, for a user's message and a contract's alike (wasmd
//! runs it on a contract's message in `handleSdkMessage`). Each returns
//! the message with its addresses normalized.

use cw_host::Api;

use super::bank::Funds;
use super::checks;
use super::dispatch::NewContract;
use super::error::ChainError;

/// `MsgExecuteContract.ValidateBasic`: sender, contract, funds, message.
pub(crate) fn execute(
    api: &dyn Api,
    sender: &str,
    contract: &str,
    funds: impl FnOnce() -> Result<Funds, ChainError>,
    msg: &[u8],
) -> Result<(String, String, Funds), ChainError> {
    let sender = checks::account(api, "sender", sender)?;
    let contract = checks::account(api, "contract", contract)?;
    let funds = funds()?;
    checks::json_message("payload msg", msg)?;
    Ok((sender, contract, funds))
}

/// One instantiation as a message states it.
pub(crate) struct InstantiateMsg<'a> {
    pub sender: &'a str,
    pub code_id: u64,
    pub label: &'a str,
    pub admin: Option<&'a str>,
    pub msg: &'a [u8],
    pub salt: Option<&'a [u8]>,
}

/// `MsgInstantiateContract(2).ValidateBasic`: sender, code id, label,
/// funds, admin (`""` is no admin: wasmd checks it only when non-empty),
/// message, salt.
pub(crate) fn instantiate<'a>(
    api: &dyn Api,
    request: &InstantiateMsg<'a>,
    funds: impl FnOnce() -> Result<Funds, ChainError>,
) -> Result<(String, NewContract<'a>), ChainError> {
    let sender = checks::account(api, "sender", request.sender)?;
    if request.code_id == 0 {
        return Err(ChainError::CodeIdRequired);
    }
    checks::label(request.label)?;
    let funds = funds()?;
    let admin = match request.admin {
        None | Some("") => None,
        Some(admin) => Some(checks::account(api, "admin", admin)?),
    };
    checks::json_message("payload msg", request.msg)?;
    if let Some(salt) = request.salt {
        checks::salt(salt)?;
    }
    Ok((
        sender,
        NewContract {
            code_id: request.code_id,
            msg: request.msg,
            funds,
            admin,
            label: request.label,
            salt: request.salt,
        },
    ))
}

/// `MsgMigrateContract.ValidateBasic`: code id, sender, contract, message.
pub(crate) fn migrate(
    api: &dyn Api,
    sender: &str,
    contract: &str,
    code_id: u64,
    msg: &[u8],
) -> Result<(String, String), ChainError> {
    if code_id == 0 {
        return Err(ChainError::CodeIdRequired);
    }
    let sender = checks::account(api, "sender", sender)?;
    let contract = checks::account(api, "contract", contract)?;
    checks::json_message("payload msg", msg)?;
    Ok((sender, contract))
}

/// `MsgUpdateAdmin.ValidateBasic` (`Some`: sender, contract, new admin, not
/// the sender itself) or `MsgClearAdmin.ValidateBasic` (`None`: sender,
/// contract).
pub(crate) fn set_admin(
    api: &dyn Api,
    sender: &str,
    contract: &str,
    new_admin: Option<&str>,
) -> Result<(String, String, Option<String>), ChainError> {
    let normalized_sender = checks::account(api, "sender", sender)?;
    let contract = checks::account(api, "contract", contract)?;
    let new_admin = match new_admin {
        None => None,
        Some(admin) => {
            let normalized = checks::account(api, "new admin", admin)?;
            checks::new_admin_differs(sender, admin)?;
            Some(normalized)
        }
    };
    Ok((normalized_sender, contract, new_admin))
}
