//! `@name` substitution: a string `"@name"` stands for the address of the
//! contract aliased `name`, or else for `MockApi::addr_make(name)`; `"@@x"`
//! is the literal `"@x"`; an object `{"$base64": X}` becomes the base64 of
//! X (a string's UTF-8 bytes, any other value's compact JSON) after
//! substituting inside X, for messages nested as `Binary`.

use std::collections::BTreeMap;

use cosmwasm_std::Binary;
use serde_json::Value;

/// The key of the nested-message helper object.
pub const BASE64_KEY: &str = "$base64";

/// Why a substitution failed.
#[derive(Debug, thiserror::Error)]
pub enum SubstError {
    /// The chain could not make an address for a name.
    #[error("cannot make an address for `@{name}`: {reason}")]
    AddrMake {
        /// The name.
        name: String,
        /// Why.
        reason: String,
    },
    /// A `$base64` object has other keys too.
    #[error("`{BASE64_KEY}` must be the only key of its object")]
    Base64Shape,
}

/// Whether `name` may follow `@`: ASCII letters, digits, `_`, `-`, `.`.
/// Anything else (`"@alice says hi"`) is left as text.
#[must_use]
pub fn is_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
}

/// The name in `"@name"`, if `text` is one.
#[must_use]
pub fn name_of(text: &str) -> Option<&str> {
    text.strip_prefix('@')
        .filter(|rest| !rest.starts_with('@') && is_name(rest))
}

/// Makes an account address from a name, or says why it cannot.
type AddrMake = dyn Fn(&str) -> Result<String, String>;

/// Resolves names: contract aliases first, then `addr_make`; remembers every
/// account name it made an address for (the final state lists them).
pub struct Namer {
    aliases: BTreeMap<String, String>,
    accounts: BTreeMap<String, String>,
    make: Box<AddrMake>,
}

impl std::fmt::Debug for Namer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Namer")
            .field("aliases", &self.aliases)
            .field("accounts", &self.accounts)
            .finish_non_exhaustive()
    }
}

impl Namer {
    /// A namer making account addresses with `make` (the chain's `addr_make`).
    pub fn new(make: impl Fn(&str) -> Result<String, String> + 'static) -> Self {
        Self {
            aliases: BTreeMap::new(),
            accounts: BTreeMap::new(),
            make: Box::new(make),
        }
    }

    /// Registers a contract alias.
    pub fn set_alias(&mut self, alias: &str, address: &str) {
        self.aliases.insert(alias.to_owned(), address.to_owned());
    }

    /// The address of the contract aliased `alias`.
    #[must_use]
    pub fn alias(&self, alias: &str) -> Option<&str> {
        self.aliases.get(alias).map(String::as_str)
    }

    /// Alias to address, sorted by alias.
    #[must_use]
    pub fn aliases(&self) -> &BTreeMap<String, String> {
        &self.aliases
    }

    /// Account name to address, for every name resolved so far.
    #[must_use]
    pub fn accounts(&self) -> &BTreeMap<String, String> {
        &self.accounts
    }

    /// `addr_make(name)`, remembered as an account.
    ///
    /// # Errors
    /// [`SubstError::AddrMake`].
    pub fn account_address(&mut self, name: &str) -> Result<String, SubstError> {
        if let Some(address) = self.accounts.get(name) {
            return Ok(address.clone());
        }
        let address = (self.make)(name).map_err(|reason| SubstError::AddrMake {
            name: name.to_owned(),
            reason,
        })?;
        self.accounts.insert(name.to_owned(), address.clone());
        Ok(address)
    }

    /// A string with substitution: `"@name"` becomes an address, `"@@x"`
    /// becomes `"@x"`, anything else is kept.
    ///
    /// # Errors
    /// [`SubstError::AddrMake`].
    pub fn text(&mut self, text: &str) -> Result<String, SubstError> {
        if let Some(escaped) = text.strip_prefix("@@") {
            return Ok(format!("@{escaped}"));
        }
        match name_of(text) {
            Some(name) => match self.aliases.get(name) {
                Some(address) => Ok(address.clone()),
                None => self.account_address(name),
            },
            None => Ok(text.to_owned()),
        }
    }

    /// A message with substitution in every string value and every
    /// `$base64` object expanded.
    ///
    /// # Errors
    /// [`SubstError`].
    pub fn value(&mut self, value: &Value) -> Result<Value, SubstError> {
        Ok(match value {
            Value::String(s) => Value::String(self.text(s)?),
            Value::Array(items) => Value::Array(
                items
                    .iter()
                    .map(|v| self.value(v))
                    .collect::<Result<_, _>>()?,
            ),
            Value::Object(map) => match map.get(BASE64_KEY) {
                Some(inner) if map.len() == 1 => {
                    let bytes = match self.value(inner)? {
                        Value::String(s) => s.into_bytes(),
                        other => serde_json::to_vec(&other).unwrap_or_default(),
                    };
                    Value::String(Binary::from(bytes).to_base64())
                }
                Some(_) => return Err(SubstError::Base64Shape),
                None => Value::Object(
                    map.iter()
                        .map(|(k, v)| Ok((k.clone(), self.value(v)?)))
                        .collect::<Result<_, SubstError>>()?,
                ),
            },
            other => other.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn namer() -> Namer {
        let mut namer = Namer::new(|name| Ok(format!("addr_{name}")));
        namer.set_alias("token", "contract_1");
        namer
    }

    #[test]
    fn names_aliases_and_escapes() {
        let mut n = namer();
        assert_eq!(n.text("@alice").unwrap(), "addr_alice");
        assert_eq!(n.text("@token").unwrap(), "contract_1");
        assert_eq!(n.text("@@alice").unwrap(), "@alice");
        assert_eq!(n.text("@alice says hi").unwrap(), "@alice says hi");
        assert_eq!(n.text("@").unwrap(), "@");
        assert_eq!(n.text("alice").unwrap(), "alice");
        assert_eq!(n.accounts().len(), 1);
    }

    #[test]
    fn messages_substitute_values_not_keys_and_expand_base64() {
        let mut n = namer();
        let msg = json!({"@alice": ["@bob", 1, {"x": "@token"}],
                         "inner": {"$base64": {"transfer": {"recipient": "@carol"}}},
                         "text": {"$base64": "hi"}});
        let out = n.value(&msg).unwrap();
        assert_eq!(out["@alice"], json!(["addr_bob", 1, {"x": "contract_1"}]));
        let inner = Binary::from_base64(out["inner"].as_str().unwrap()).unwrap();
        assert_eq!(
            serde_json::from_slice::<Value>(&inner).unwrap(),
            json!({"transfer": {"recipient": "addr_carol"}})
        );
        assert_eq!(out["text"], "aGk=");
        let bad = n.value(&json!({"$base64": 1, "other": 2}));
        assert!(matches!(bad, Err(SubstError::Base64Shape)));
    }
}
