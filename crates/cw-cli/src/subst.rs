//! `@name` substitution: a string `"@name"` stands for the address of the
//! contract aliased `name`, or else for `MockApi::addr_make(name)`; `"@@x"`
//! is the literal `"@x"`; an object `{"$base64": X}` becomes the base64 of
//! X (a string's UTF-8 bytes, any other value's compact JSON, as written)
//! after substituting inside X, for messages nested as `Binary`.
//!
//! Substitution works on the message's text ([`Message`]): everything it
//! does not replace reaches the contract as the user wrote it, keys in the
//! user's order, only the whitespace between tokens removed. `$base64`
//! expansion is bounded ([`MAX_BASE64_DEPTH`], [`MAX_MESSAGE_BYTES`]): each
//! level grows the bytes by 4/3, so unbounded nesting would let a 1 KB file
//! expand to gigabytes.

use std::collections::BTreeMap;

use cosmwasm_std::Binary;

use crate::message::Message;
use crate::message::tree::{Kind, Node, decode_string};

/// The key of the nested-message helper object.
pub const BASE64_KEY: &str = "$base64";

/// `$base64` objects nested at most this deep in one message. Real
/// messages nest three or four (a cw3 proposal of a wasm execute of a cw20
/// `send` with its hook message); 16 leaves room, and with
/// [`MAX_MESSAGE_BYTES`] bounds the work: 16 levels grow bytes by at most
/// (4/3)^16, about 100 times.
pub const MAX_BASE64_DEPTH: usize = 16;

/// The largest message substitution makes, in bytes: 8 times CometBFT's
/// default `max_tx_bytes` (1 MiB), which bounds every message a chain with
/// default settings carries to a contract. Building one holds at most
/// about four times this in memory (each `$base64` level's buffer is at
/// most 3/4 of the one around it).
pub const MAX_MESSAGE_BYTES: usize = 8 << 20;

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
    /// `$base64` objects nested too deep.
    #[error("`{BASE64_KEY}` objects are nested more than {limit} deep")]
    Base64TooDeep {
        /// [`MAX_BASE64_DEPTH`].
        limit: usize,
    },
    /// The message would be too large after substitution.
    #[error("the message is larger than {limit_bytes} bytes after substitution")]
    TooLarge {
        /// [`MAX_MESSAGE_BYTES`].
        limit_bytes: usize,
    },
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

/// Checks what can be checked of `msg` before any name is known: every
/// `$base64` object is the only key of its object and they nest at most
/// [`MAX_BASE64_DEPTH`] deep. (Its size after substitution depends on the
/// addresses; [`Namer::message`] bounds it.)
///
/// # Errors
/// [`SubstError::Base64Shape`], [`SubstError::Base64TooDeep`].
pub fn check_shape(msg: &Message) -> Result<(), SubstError> {
    fn walk(node: &Node<'_>, depth: usize) -> Result<(), SubstError> {
        match &node.kind {
            Kind::String | Kind::Scalar => Ok(()),
            Kind::Array(items) => items.iter().try_for_each(|item| walk(item, depth)),
            Kind::Object(members) => match base64_inner(members)? {
                Some(_) if depth >= MAX_BASE64_DEPTH => Err(SubstError::Base64TooDeep {
                    limit: MAX_BASE64_DEPTH,
                }),
                Some(inner) => walk(inner, depth + 1),
                None => members.iter().try_for_each(|(_, value)| walk(value, depth)),
            },
        }
    }
    walk(&msg.tree(), 0)
}

/// The `X` of a `{"$base64": X}` object; `None` for any other object.
fn base64_inner<'n, 'a>(
    members: &'n [(&'a str, Node<'a>)],
) -> Result<Option<&'n Node<'a>>, SubstError> {
    let base64 = members
        .iter()
        .any(|(key, _)| decode_string(key).as_deref() == Some(BASE64_KEY));
    match members {
        [(_, inner)] if base64 => Ok(Some(inner)),
        _ if base64 => Err(SubstError::Base64Shape),
        _ => Ok(None),
    }
}

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

    /// The bytes a contract receives for `msg`: its text as written, keys
    /// in the user's order, without whitespace between tokens, every string
    /// value substituted as [`text`](Self::text) says and every `$base64`
    /// object expanded.
    ///
    /// # Errors
    /// [`SubstError`], including the bounds on `$base64` expansion.
    pub fn message(&mut self, msg: &Message) -> Result<Vec<u8>, SubstError> {
        let mut out = Out::new(MAX_MESSAGE_BYTES);
        self.write(&msg.tree(), 0, &mut out)?;
        Ok(out.bytes)
    }

    /// Writes `node` substituted; `depth` counts the `$base64` objects
    /// around it.
    fn write(&mut self, node: &Node<'_>, depth: usize, out: &mut Out) -> Result<(), SubstError> {
        match &node.kind {
            Kind::Scalar => out.push(node.text),
            Kind::String => self.write_string(node.text, out),
            Kind::Array(items) => {
                out.push("[")?;
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(",")?;
                    }
                    self.write(item, depth, out)?;
                }
                out.push("]")
            }
            Kind::Object(members) => {
                if let Some(inner) = base64_inner(members)? {
                    return self.write_base64(inner, depth + 1, out);
                }
                out.push("{")?;
                for (i, (key, value)) in members.iter().enumerate() {
                    if i > 0 {
                        out.push(",")?;
                    }
                    out.push(key)?;
                    out.push(":")?;
                    self.write(value, depth, out)?;
                }
                out.push("}")
            }
        }
    }

    /// A string token: as written unless substitution changes its value.
    fn write_string(&mut self, token: &str, out: &mut Out) -> Result<(), SubstError> {
        // `@` written as is or escaped (`\u0040`): only then can it change.
        if !token.contains('@') && !token.contains("\\u") {
            return out.push(token);
        }
        let Some(value) = decode_string(token) else {
            return out.push(token);
        };
        let replaced = self.text(&value)?;
        if replaced == value {
            return out.push(token);
        }
        match token.strip_prefix("\"@@") {
            // `"@@x"`: the same token with one `@` less, escapes kept.
            Some(rest) => {
                out.push("\"@")?;
                out.push(rest)
            }
            None => out.push(&serde_json::Value::String(replaced).to_string()),
        }
    }

    /// The base64 string of `inner` substituted, `depth` levels deep.
    fn write_base64(
        &mut self,
        inner: &Node<'_>,
        depth: usize,
        out: &mut Out,
    ) -> Result<(), SubstError> {
        if depth > MAX_BASE64_DEPTH {
            return Err(SubstError::Base64TooDeep {
                limit: MAX_BASE64_DEPTH,
            });
        }
        // What fits in `out` once encoded: two quotes, 4 bytes per 3.
        let budget = out.remaining().saturating_sub(2) / 4 * 3;
        let bytes = match &inner.kind {
            Kind::String => {
                let value = decode_string(inner.text).unwrap_or_default();
                self.text(&value)?.into_bytes()
            }
            _ => {
                let mut nested = Out::new(budget);
                self.write(inner, depth, &mut nested)?;
                nested.bytes
            }
        };
        if bytes.len() > budget {
            return Err(SubstError::TooLarge {
                limit_bytes: MAX_MESSAGE_BYTES,
            });
        }
        out.push("\"")?;
        out.push(&Binary::from(bytes).to_base64())?;
        out.push("\"")
    }
}

/// Bytes being written, refusing to grow past a limit.
struct Out {
    bytes: Vec<u8>,
    limit: usize,
}

impl Out {
    fn new(limit: usize) -> Self {
        Self {
            bytes: Vec::new(),
            limit,
        }
    }

    fn remaining(&self) -> usize {
        self.limit.saturating_sub(self.bytes.len())
    }

    fn push(&mut self, text: &str) -> Result<(), SubstError> {
        if text.len() > self.remaining() {
            return Err(SubstError::TooLarge {
                limit_bytes: MAX_MESSAGE_BYTES,
            });
        }
        self.bytes.extend_from_slice(text.as_bytes());
        Ok(())
    }
}

#[cfg(test)]
mod tests;
