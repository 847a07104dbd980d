//! The scenario file as written: serde types with `deny_unknown_fields`,
//! so a typo is an error naming the field, never a silently ignored key.
//! The format is documented in `docs/scenario.md`.

use cosmwasm_std::Coin;
use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde_json::Value;

use crate::message::Message;

/// The whole file. Steps stay raw JSON here so that a bad step is reported
/// with its number (see `ScenarioError::Step`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioFile {
    /// The chain's settings and genesis balances.
    #[serde(default)]
    pub env: EnvSpec,
    /// Code name to source, in file order (code ids are given in this order).
    pub codes: OrderedMap<String>,
    /// The steps, run in order.
    pub steps: Vec<Value>,
}

/// `env`: the chain the scenario runs on.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct EnvSpec {
    /// The chain id contracts see.
    pub chain_id: String,
    /// The first block's height.
    pub height: u64,
    /// The first block's time, nanoseconds since the Unix epoch.
    pub time_nanos: u64,
    /// The bech32 prefix of addresses.
    pub bech32_prefix: String,
    /// The gas limit of each transaction, in CosmWasm gas.
    pub tx_gas_limit: Option<u64>,
    /// Genesis balances: account (`@name` or address) to coins.
    pub balances: OrderedMap<Vec<Coin>>,
}

impl Default for EnvSpec {
    /// The chain layer's defaults: `cw-chain`, height 1, time 1,700,000,000 s,
    /// prefix `cosmwasm`, the default transaction gas limit, no balances.
    fn default() -> Self {
        Self {
            chain_id: "cw-chain".into(),
            height: 1,
            time_nanos: 1_700_000_000_000_000_000,
            bech32_prefix: "cosmwasm".into(),
            tx_gas_limit: None,
            balances: OrderedMap::default(),
        }
    }
}

/// One step, tagged by `op`.
#[derive(Debug, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case", deny_unknown_fields)]
pub enum StepSpec {
    /// Instantiates a stored code.
    Instantiate {
        /// The code's name in `codes`.
        code: String,
        /// The alias later steps use for the new contract.
        #[serde(rename = "as")]
        alias: Option<String>,
        /// Who instantiates.
        sender: String,
        /// Funds sent along.
        #[serde(default)]
        funds: Vec<Coin>,
        /// The instantiate message.
        #[serde(deserialize_with = "message_text")]
        msg: Message,
        /// Who may migrate the contract.
        admin: Option<String>,
        /// The label (default: the alias, or the code name).
        label: Option<String>,
        /// What must happen.
        expect: Option<Expect>,
    },
    /// Executes a contract.
    Execute {
        /// Alias or address.
        contract: String,
        /// Who executes.
        sender: String,
        /// Funds sent along.
        #[serde(default)]
        funds: Vec<Coin>,
        /// The execute message.
        #[serde(deserialize_with = "message_text")]
        msg: Message,
        /// What must happen.
        expect: Option<Expect>,
    },
    /// Queries a contract.
    Query {
        /// Alias or address.
        contract: String,
        /// The query message.
        #[serde(deserialize_with = "message_text")]
        msg: Message,
        /// What must happen.
        expect: Option<Expect>,
    },
    /// Migrates a contract to another code.
    Migrate {
        /// Alias or address.
        contract: String,
        /// Who migrates (the admin).
        sender: String,
        /// The new code's name in `codes`.
        code: String,
        /// The migrate message.
        #[serde(deserialize_with = "message_text")]
        msg: Message,
        /// What must happen.
        expect: Option<Expect>,
    },
    /// Calls a contract's `sudo`.
    Sudo {
        /// Alias or address.
        contract: String,
        /// The sudo message.
        #[serde(deserialize_with = "message_text")]
        msg: Message,
        /// What must happen.
        expect: Option<Expect>,
    },
    /// Moves to a later block.
    AdvanceBlock {
        /// The new height (default: one more).
        height: Option<u64>,
        /// The new time (default: 5 s later).
        time_nanos: Option<u64>,
    },
}

impl StepSpec {
    /// The message the step sends, if it sends one.
    #[must_use]
    pub fn msg(&self) -> Option<&Message> {
        match self {
            Self::Instantiate { msg, .. }
            | Self::Execute { msg, .. }
            | Self::Query { msg, .. }
            | Self::Migrate { msg, .. }
            | Self::Sudo { msg, .. } => Some(msg),
            Self::AdvanceBlock { .. } => None,
        }
    }

    /// What the step must do, if it says.
    #[must_use]
    pub fn expect(&self) -> Option<&Expect> {
        match self {
            Self::Instantiate { expect, .. }
            | Self::Execute { expect, .. }
            | Self::Query { expect, .. }
            | Self::Migrate { expect, .. }
            | Self::Sudo { expect, .. } => expect.as_ref(),
            Self::AdvanceBlock { .. } => None,
        }
    }

    /// The `op` as written.
    pub fn op(&self) -> &'static str {
        match self {
            Self::Instantiate { .. } => "instantiate",
            Self::Execute { .. } => "execute",
            Self::Query { .. } => "query",
            Self::Migrate { .. } => "migrate",
            Self::Sudo { .. } => "sudo",
            Self::AdvanceBlock { .. } => "advance_block",
        }
    }
}

/// Reads a step's message as the checker hands it over: a JSON string
/// holding the message's text as the file spells it (serde's own values
/// would have sorted its keys; see `Checker::with_message_texts`).
fn message_text<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Message, D::Error> {
    let text = String::deserialize(deserializer)?;
    Message::parse(&text).map_err(de::Error::custom)
}

/// What a step must do: `"ok"`, `"error"`, or an object with any of
/// `error_contains`, `error_kind` (both imply failure) and `json` (the
/// result, parsed as JSON, equals this value after `@name` substitution).
#[derive(Debug, Clone, PartialEq)]
pub enum Expect {
    /// Success.
    Ok,
    /// Failure, optionally with conditions on it.
    Error {
        /// A substring of the error message.
        contains: Option<String>,
        /// The error kind (`contract`, `out_of_gas`, ...).
        kind: Option<String>,
    },
    /// Success with this JSON result (query answer or response data), as
    /// written (its `$base64` objects expand in the user's key order).
    Json(Message),
}

impl<'de> Deserialize<'de> for Expect {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        const SHAPE: &str = "expected \"ok\", \"error\", {\"error_contains\": ...}, \
                             {\"error_kind\": ...} or {\"json\": ...}";
        let value = Value::deserialize(deserializer)?;
        match value {
            Value::String(s) if s == "ok" => Ok(Self::Ok),
            Value::String(s) if s == "error" => Ok(Self::Error {
                contains: None,
                kind: None,
            }),
            Value::Object(mut map) => {
                if let Some(json) = map.remove("json") {
                    if let Some(key) = map.keys().next() {
                        return Err(de::Error::custom(format!(
                            "expect: `json` cannot be combined with `{key}`"
                        )));
                    }
                    // The checker put the value's text here (a string).
                    let text = match json {
                        Value::String(text) => text,
                        other => other.to_string(),
                    };
                    return Message::parse(&text)
                        .map(Self::Json)
                        .map_err(de::Error::custom);
                }
                let mut text = |key: &str| match map.remove(key) {
                    None => Ok(None),
                    Some(Value::String(s)) => Ok(Some(s)),
                    Some(_) => Err(de::Error::custom(format!(
                        "expect: `{key}` must be a string"
                    ))),
                };
                let contains = text("error_contains")?;
                let kind = text("error_kind")?;
                if let Some(key) = map.keys().next() {
                    return Err(de::Error::custom(format!(
                        "expect: unknown field `{key}`; {SHAPE}"
                    )));
                }
                if contains.is_none() && kind.is_none() {
                    return Err(de::Error::custom(format!("expect: empty object; {SHAPE}")));
                }
                Ok(Self::Error { contains, kind })
            }
            other => Err(de::Error::custom(format!("expect: {other}: {SHAPE}"))),
        }
    }
}

/// A JSON object read in file order, refusing duplicate keys (serde_json's
/// own map would sort the keys and keep the last duplicate silently).
#[derive(Debug, Clone, PartialEq)]
pub struct OrderedMap<V>(pub Vec<(String, V)>);

impl<V> Default for OrderedMap<V> {
    fn default() -> Self {
        Self(Vec::new())
    }
}

impl<'de, V: Deserialize<'de>> Deserialize<'de> for OrderedMap<V> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct OrderedVisitor<V>(std::marker::PhantomData<V>);
        impl<'de, V: Deserialize<'de>> Visitor<'de> for OrderedVisitor<V> {
            type Value = OrderedMap<V>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Self::Value, A::Error> {
                let mut entries: Vec<(String, V)> = Vec::new();
                while let Some(key) = access.next_key::<String>()? {
                    if entries.iter().any(|(k, _)| *k == key) {
                        return Err(de::Error::custom(format!("duplicate key `{key}`")));
                    }
                    let value = access.next_value()?;
                    entries.push((key, value));
                }
                Ok(OrderedMap(entries))
            }
        }
        deserializer.deserialize_map(OrderedVisitor(std::marker::PhantomData))
    }
}
