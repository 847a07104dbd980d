//! Events as the chain emits them (and hands to `reply` in
//! `SubMsgResponse::events`).
//!
//! Not cosmwasm-std's `Event`: its builder refuses the `_contract_address`
//! key that the chain itself adds to every contract event.

use serde::Serialize;

/// An event: a type and ordered key-value attributes.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Event {
    /// The event type (`execute`, `wasm`, `wasm-{custom}`, `transfer`, ...).
    #[serde(rename = "type")]
    pub ty: String,
    /// The attributes, in order.
    pub attributes: Vec<EventAttribute>,
}

/// One attribute of an [`Event`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct EventAttribute {
    /// The key.
    pub key: String,
    /// The value.
    pub value: String,
}

impl Event {
    /// An event of type `ty` without attributes.
    #[must_use]
    pub fn new(ty: impl Into<String>) -> Self {
        Self {
            ty: ty.into(),
            attributes: Vec::new(),
        }
    }

    /// The event with one more attribute.
    #[must_use]
    pub fn add_attribute(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.attributes.push(EventAttribute {
            key: key.into(),
            value: value.into(),
        });
        self
    }

    /// The value of the first attribute named `key`.
    #[must_use]
    pub fn attribute(&self, key: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|a| a.key == key)
            .map(|a| a.value.as_str())
    }
}
