//! Messages exactly as the user wrote them. A contract receives the user's
//! bytes: the keys in the user's order, numbers and string escapes as
//! written, only the whitespace between tokens removed (and `@name` /
//! `$base64` substituted in place, see [`crate::subst`]). Reading a message
//! into `serde_json::Value` and printing it again would sort its keys and
//! re-escape its strings: other bytes, so other parse paths, other hashes
//! and other gas than on a chain.

pub(crate) mod tree;

/// Arrays and objects nest at most this deep in a message (serde_json's own
/// recursion limit, which also applies when it reads a scenario file).
pub const MAX_DEPTH: usize = 128;

/// JSON text checked to be one valid JSON value, kept as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    text: String,
}

/// Why a text is not a message.
#[derive(Debug, thiserror::Error)]
pub enum MessageError {
    /// Not valid JSON (serde_json names the line and column).
    #[error(transparent)]
    Json(#[from] serde_json::Error),
    /// Arrays and objects nested deeper than [`MAX_DEPTH`].
    #[error("nested more than {limit} arrays or objects deep")]
    TooDeep {
        /// The limit.
        limit: usize,
    },
}

impl Message {
    /// Checks that `text` is one JSON value (surrounding whitespace
    /// allowed) and keeps it as written.
    ///
    /// # Errors
    /// [`MessageError`].
    pub fn parse(text: &str) -> Result<Self, MessageError> {
        // serde_json is the judge of validity (and names line and column);
        // the tree only splits what it accepted.
        serde_json::from_str::<serde::de::IgnoredAny>(text)?;
        tree::parse(text).map_err(|tree::TreeError| MessageError::TooDeep { limit: MAX_DEPTH })?;
        Ok(Self {
            text: text.to_owned(),
        })
    }

    /// The text as written.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The value's tree (it was checked when the message was made).
    pub(crate) fn tree(&self) -> tree::Node<'_> {
        // A `Message` is only made from text `tree::parse` accepted.
        tree::parse(&self.text).unwrap_or(tree::Node {
            text: "null",
            kind: tree::Kind::Scalar,
        })
    }

    /// The compact bytes, with no substitution: the text without the
    /// whitespace between tokens.
    #[must_use]
    pub fn compact(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.text.len());
        self.tree().write_compact(&mut out);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compact_keeps_order_escapes_and_numbers() {
        let text = " {\n \"zeta\" : [ 1.0 , -0e+3, 1E400 ] ,\t\"alpha\":{ \"b\" :\"x \\u0041\\/ y\", \
                    \"a\": true},\"\": null }\r\n";
        let msg = Message::parse(text).unwrap();
        assert_eq!(msg.as_str(), text);
        assert_eq!(
            String::from_utf8(msg.compact()).unwrap(),
            r#"{"zeta":[1.0,-0e+3,1E400],"alpha":{"b":"x \u0041\/ y","a":true},"":null}"#
        );
        let scalar = Message::parse(" \"a b\" ").unwrap();
        assert_eq!(scalar.compact(), br#""a b""#);
    }

    #[test]
    fn invalid_or_too_deep_text_is_refused() {
        let error = Message::parse("{\"a\": 1,}").unwrap_err();
        assert!(error.to_string().contains("column 9"), "{error}");
        assert!(Message::parse("1 2").is_err());
        let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
        assert!(matches!(
            Message::parse(&deep),
            Err(MessageError::TooDeep { limit: 128 })
        ));
        let deepest = format!("{}{}", "[".repeat(128), "]".repeat(128));
        assert!(Message::parse(&deepest).is_ok());
    }
}
