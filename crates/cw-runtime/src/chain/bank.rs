//! Balances per address and denomination, kept in the chain's [`TxStore`]
//! so they roll back with everything else.

use std::collections::BTreeMap;

use cosmwasm_std::Coin;

use super::event::Event;

use super::error::ChainError;
use super::keys;
use super::store::TxStore;

/// Coins by denomination (sorted, as the SDK keeps them), amounts as u128.
pub type Coins = BTreeMap<String, u128>;

/// Turns coins from a message into [`Coins`], refusing what the SDK bank
/// refuses (`sdk.Coins.Validate`): a zero amount, a duplicate or invalid
/// denomination, an amount above 2^128 - 1.
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
pub fn balance(store: &TxStore, address: &str, denom: &str) -> u128 {
    store
        .get(&keys::balance(address, denom))
        .and_then(|v| <[u8; 16]>::try_from(v.as_slice()).ok())
        .map_or(0, u128::from_be_bytes)
}

/// Every non-zero balance of `address`.
#[must_use]
pub fn all_balances(store: &TxStore, address: &str) -> Coins {
    let prefix = keys::balances(address);
    store
        .prefixed(&prefix)
        .filter_map(|(k, v)| {
            let denom = String::from_utf8(k[prefix.len()..].to_vec()).ok()?;
            let amount = u128::from_be_bytes(<[u8; 16]>::try_from(v).ok()?);
            Some((denom, amount))
        })
        .collect()
}

/// The total supply of `denom`.
#[must_use]
pub fn supply(store: &TxStore, denom: &str) -> u128 {
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
pub fn mint(store: &mut TxStore, address: &str, coins: &Coins) -> Result<(), ChainError> {
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

/// Moves `coins` from `from` to `to` and returns the events the SDK bank's
/// `SendCoins` emits (`coin_spent`, `coin_received`, `transfer`, `message`).
/// Either every coin moves or none does.
///
/// # Errors
/// [`ChainError::InsufficientFunds`] for the first denomination `from`
/// lacks.
pub fn transfer(
    store: &mut TxStore,
    from: &str,
    to: &str,
    coins: &Coins,
) -> Result<Vec<Event>, ChainError> {
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
        Event::new("message").add_attribute("sender", from),
    ])
}

/// Destroys `coins` from `from` and the supply; returns the SDK's
/// `coin_spent` and `burn` events.
///
/// # Errors
/// [`ChainError::InsufficientFunds`] as [`transfer`].
pub fn burn(store: &mut TxStore, from: &str, coins: &Coins) -> Result<Vec<Event>, ChainError> {
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
