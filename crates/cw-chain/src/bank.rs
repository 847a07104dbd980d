//! Balances per address and denomination, kept in the chain's [`TxStore`]
//! so they roll back with everything else.

use std::collections::BTreeMap;

use cosmwasm_std::{Coin, Uint128, Uint256};

use super::event::Event;

use super::error::ChainError;
use super::keys;
use super::store::TxStore;

/// Coins by denomination (sorted, as the SDK keeps them), amounts as u128.
pub type Coins = BTreeMap<String, u128>;

/// Turns genesis coins ([`Chain::mint`](super::Chain::mint)) into
/// [`Coins`], refusing a zero amount, a duplicate or invalid denomination,
/// an amount above 2^128 - 1.
///
/// # Errors
/// [`ChainError::InvalidCoins`] naming the coins.
pub fn parse_coins(coins: &[Coin]) -> Result<Coins, ChainError> {
    let invalid = || ChainError::InvalidCoins {
        coins: coins
            .iter()
            .map(|c| format!("{}{}", c.amount, c.denom))
            .collect::<Vec<_>>()
            .join(","),
    };
    let mut out = Coins::new();
    for coin in coins {
        let amount: u128 = coin.amount.to_string().parse().map_err(|_| invalid())?;
        if amount == 0
            || !valid_denom(&coin.denom)
            || out.insert(coin.denom.clone(), amount).is_some()
        {
            return Err(invalid());
        }
    }
    Ok(out)
}

/// Coins as the SDK holds them in a message: sorted by denomination, no
/// zero amounts, amounts up to 2^256 - 1 (`sdk.Coins`). Whether a balance
/// can pay them is the bank's question ([`spendable`]).
pub(crate) type Funds = BTreeMap<String, Uint256>;

/// The coins a contract sends (`BankMsg`, a wasm message's funds), as
/// wasmd's `ConvertWasmCoinsToSdkCoins`
/// (`x/wasm/keeper/handler_plugin_encoders.go`) builds them: each coin's
/// denomination is checked (`sdk.Coin.Validate`), then `sdk.Coins.Add`
/// merges duplicate denominations, drops zero totals and sorts.
///
/// # Errors
/// [`ChainError::InvalidDenom`] for the first bad denomination;
/// [`ChainError::AmountTooLarge`] if a sum passes 2^256 - 1 (where the
/// SDK's 256-bit integer panics).
pub(crate) fn normalize(coins: &[Coin]) -> Result<Funds, ChainError> {
    let mut out = Funds::new();
    for coin in coins {
        if !valid_denom(&coin.denom) {
            return Err(ChainError::InvalidDenom {
                denom: coin.denom.clone(),
            });
        }
        let total = out.entry(coin.denom.clone()).or_insert(Uint256::zero());
        *total = total
            .checked_add(coin.amount)
            .map_err(|_| ChainError::AmountTooLarge {
                denom: coin.denom.clone(),
                amount: coin.amount.to_string(),
            })?;
    }
    out.retain(|_, amount| !amount.is_zero());
    Ok(out)
}

/// The funds of a user's message, which wasmd's `ValidateBasic` checks with
/// `sdk.Coins.Validate` instead of normalising: valid denominations,
/// strictly sorted, no zero amounts [SDK `types/coin.go`, not
/// v0.54-verified].
///
/// # Errors
/// [`ChainError::InvalidDenom`] or [`ChainError::InvalidFunds`].
pub(crate) fn validate_funds(coins: &[Coin]) -> Result<Funds, ChainError> {
    let mut out = Funds::new();
    let mut previous: Option<&str> = None;
    for coin in coins {
        if !valid_denom(&coin.denom) {
            return Err(ChainError::InvalidDenom {
                denom: coin.denom.clone(),
            });
        }
        let invalid = |what: &str| ChainError::InvalidFunds {
            reason: format!("{what} {}", coin.denom),
        };
        match previous {
            Some(low) if coin.denom.as_str() < low => {
                return Err(invalid("denomination is not sorted:"));
            }
            Some(low) if coin.denom == low => return Err(invalid("duplicate denomination")),
            _ => {}
        }
        if coin.amount.is_zero() {
            return Err(invalid("amount is not positive:"));
        }
        previous = Some(&coin.denom);
        out.insert(coin.denom.clone(), coin.amount);
    }
    Ok(out)
}

/// `funds` as balances can hold them.
///
/// # Errors
/// [`ChainError::AmountTooLarge`] for an amount above 2^128 - 1, which no
/// balance can pay (the supply of a denomination never exceeds it).
pub(crate) fn spendable(funds: &Funds) -> Result<Coins, ChainError> {
    funds
        .iter()
        .map(|(denom, amount)| {
            let amount = Uint128::try_from(*amount).map(|a| a.u128()).map_err(|_| {
                ChainError::AmountTooLarge {
                    denom: denom.clone(),
                    amount: amount.to_string(),
                }
            })?;
            Ok((denom.clone(), amount))
        })
        .collect()
}

/// The SDK's default denomination rule: `[a-zA-Z][a-zA-Z0-9/:._-]{2,127}`.
#[must_use]
pub fn valid_denom(denom: &str) -> bool {
    let bytes = denom.as_bytes();
    (3..=128).contains(&bytes.len())
        && bytes[0].is_ascii_alphabetic()
        && bytes[1..]
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || b"/:._-".contains(b))
}

/// `address`'s balance in `denom`.
#[must_use]
pub(crate) fn balance(store: &TxStore, address: &str, denom: &str) -> u128 {
    store
        .get(&keys::balance(address, denom))
        .and_then(|v| <[u8; 16]>::try_from(v.as_slice()).ok())
        .map_or(0, u128::from_be_bytes)
}

/// Every non-zero balance of `address`.
#[must_use]
pub(crate) fn all_balances(store: &TxStore, address: &str) -> Coins {
    let prefix = keys::balances(address);
    store
        .prefixed(&prefix)
        .into_iter()
        .filter_map(|(k, v)| {
            let denom = String::from_utf8(k[prefix.len()..].to_vec()).ok()?;
            let amount = u128::from_be_bytes(<[u8; 16]>::try_from(v.as_slice()).ok()?);
            Some((denom, amount))
        })
        .collect()
}

/// The total supply of `denom`.
#[must_use]
pub(crate) fn supply(store: &TxStore, denom: &str) -> u128 {
    store
        .get(&keys::supply(denom))
        .and_then(|v| <[u8; 16]>::try_from(v.as_slice()).ok())
        .map_or(0, u128::from_be_bytes)
}

fn set_balance(store: &mut TxStore, address: &str, denom: &str, amount: u128) {
    let key = keys::balance(address, denom);
    if amount == 0 {
        store.remove(&key);
    } else {
        store.set(&key, &amount.to_be_bytes());
    }
}

fn set_supply(store: &mut TxStore, denom: &str, amount: u128) {
    let key = keys::supply(denom);
    if amount == 0 {
        store.remove(&key);
    } else {
        store.set(&key, &amount.to_be_bytes());
    }
}

/// Creates `coins` in `address`'s account and the supply (genesis and test
/// setup; contracts cannot mint).
///
/// # Errors
/// [`ChainError::InvalidCoins`] if a balance or the supply would overflow.
pub(crate) fn mint(store: &mut TxStore, address: &str, coins: &Coins) -> Result<(), ChainError> {
    for (denom, amount) in coins {
        let overflow = || ChainError::InvalidCoins {
            coins: format!("{amount}{denom}"),
        };
        let balance = balance(store, address, denom)
            .checked_add(*amount)
            .ok_or_else(overflow)?;
        let supply = supply(store, denom)
            .checked_add(*amount)
            .ok_or_else(overflow)?;
        set_balance(store, address, denom, balance);
        set_supply(store, denom, supply);
    }
    Ok(())
}

fn coins_string(coins: &Coins) -> String {
    coins
        .iter()
        .map(|(d, a)| format!("{a}{d}"))
        .collect::<Vec<_>>()
        .join(",")
}

/// Checks that `from` holds every coin of `coins`, before anything moves.
///
/// # Errors
/// [`ChainError::InsufficientFunds`] for the first denomination `from`
/// lacks.
fn ensure_funds(store: &TxStore, from: &str, coins: &Coins) -> Result<(), ChainError> {
    for (denom, need) in coins {
        let have = balance(store, from, denom);
        if have < *need {
            return Err(ChainError::InsufficientFunds {
                address: from.to_owned(),
                denom: denom.clone(),
                have,
                need: *need,
            });
        }
    }
    Ok(())
}

/// Moves `coins` from `from` to `to` and returns the events the SDK bank's
/// `SendCoins` emits: `coin_spent`, `coin_received`, `transfer`. Its
/// `message` event is left out: wasmd drops it from funds transfers
/// (`BankCoinTransferrer.TransferCoins`) and from every submessage's events
/// (`filterEvents` in `DispatchSubmessages`), so no contract or transaction
/// ever sees it. Either every coin moves or none does.
///
/// # Errors
/// [`ChainError::InsufficientFunds`] for the first denomination `from`
/// lacks.
pub(crate) fn transfer(
    store: &mut TxStore,
    from: &str,
    to: &str,
    coins: &Coins,
) -> Result<Vec<Event>, ChainError> {
    ensure_funds(store, from, coins)?;
    for (denom, amount) in coins {
        let from_balance = balance(store, from, denom) - amount;
        set_balance(store, from, denom, from_balance);
        let to_balance = balance(store, to, denom).saturating_add(*amount);
        set_balance(store, to, denom, to_balance);
    }
    let amount = coins_string(coins);
    Ok(vec![
        Event::new("coin_spent")
            .add_attribute("spender", from)
            .add_attribute("amount", &amount),
        Event::new("coin_received")
            .add_attribute("receiver", to)
            .add_attribute("amount", &amount),
        Event::new("transfer")
            .add_attribute("recipient", to)
            .add_attribute("sender", from)
            .add_attribute("amount", &amount),
    ])
}

/// Destroys `coins` held by `from` (in wasmd the wasm module account, after
/// the contract sent them there) and lowers the supply; returns the SDK's
/// `coin_spent` and `burn` events [SDK `BurnCoins`, not v0.54-verified].
///
/// # Errors
/// [`ChainError::InsufficientFunds`] as [`transfer`].
pub(crate) fn burn(
    store: &mut TxStore,
    from: &str,
    coins: &Coins,
) -> Result<Vec<Event>, ChainError> {
    ensure_funds(store, from, coins)?;
    for (denom, amount) in coins {
        let left = balance(store, from, denom) - amount;
        set_balance(store, from, denom, left);
        let supply = supply(store, denom).saturating_sub(*amount);
        set_supply(store, denom, supply);
    }
    let amount = coins_string(coins);
    Ok(vec![
        Event::new("coin_spent")
            .add_attribute("spender", from)
            .add_attribute("amount", &amount),
        Event::new("burn")
            .add_attribute("burner", from)
            .add_attribute("amount", &amount),
    ])
}
