//! A JSON value split into its parts without decoding anything: every part
//! keeps its own text, so it can be written back byte for byte. Only text
//! serde_json accepted is split here, so the split can be simple; it still
//! never panics and never recurses deeper than [`MAX_DEPTH`] on any text.

use std::borrow::Cow;

pub(crate) use super::MAX_DEPTH;

/// Text that nests deeper than [`MAX_DEPTH`], or is not one JSON value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TreeError;

/// An object with two members of one key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct DuplicateKey;

/// One JSON value and its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Node<'a> {
    /// The value's text, without surrounding whitespace (for a string: with
    /// its quotes and escapes as written).
    pub(crate) text: &'a str,
    /// What it is.
    pub(crate) kind: Kind<'a>,
}

/// What a [`Node`] is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Kind<'a> {
    /// Members in file order: each key's text (with quotes) and its value.
    Object(Vec<(&'a str, Node<'a>)>),
    /// Items in order.
    Array(Vec<Node<'a>>),
    /// A string; its text has the quotes.
    String,
    /// A number, `true`, `false` or `null`.
    Scalar,
}

impl<'a> Node<'a> {
    /// The member `key` of an object (none for another value).
    ///
    /// # Errors
    /// [`DuplicateKey`] if several members have that key.
    pub(crate) fn member(&self, key: &str) -> Result<Option<&Node<'a>>, DuplicateKey> {
        let Kind::Object(members) = &self.kind else {
            return Ok(None);
        };
        let mut found = members
            .iter()
            .filter(|(k, _)| decode_string(k).as_deref() == Some(key));
        match (found.next(), found.next()) {
            (Some((_, value)), None) => Ok(Some(value)),
            (None, _) => Ok(None),
            (Some(_), Some(_)) => Err(DuplicateKey),
        }
    }

    /// Appends the value without the whitespace between its tokens.
    pub(crate) fn write_compact(&self, out: &mut Vec<u8>) {
        match &self.kind {
            Kind::String | Kind::Scalar => out.extend_from_slice(self.text.as_bytes()),
            Kind::Array(items) => {
                out.push(b'[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    item.write_compact(out);
                }
                out.push(b']');
            }
            Kind::Object(members) => {
                out.push(b'{');
                for (i, (key, value)) in members.iter().enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    out.extend_from_slice(key.as_bytes());
                    out.push(b':');
                    value.write_compact(out);
                }
                out.push(b'}');
            }
        }
    }
}

/// The value of a string token (`"a\n"` → `a` and a newline); `None` if it
/// is not one.
pub(crate) fn decode_string(token: &str) -> Option<Cow<'_, str>> {
    let inner = token.strip_prefix('"')?.strip_suffix('"')?;
    if inner.contains('\\') {
        serde_json::from_str::<String>(token).ok().map(Cow::Owned)
    } else {
        Some(Cow::Borrowed(inner))
    }
}

/// Splits `text`, one JSON value with optional whitespace around it.
///
/// # Errors
/// [`TreeError`] if it nests deeper than [`MAX_DEPTH`] or is not one JSON
/// value.
pub(crate) fn parse(text: &str) -> Result<Node<'_>, TreeError> {
    let mut parser = Parser { text, at: 0 };
    parser.skip_space();
    let node = parser.value(0)?;
    parser.skip_space();
    if parser.at == text.len() {
        Ok(node)
    } else {
        Err(TreeError)
    }
}

struct Parser<'a> {
    text: &'a str,
    at: usize,
}

impl<'a> Parser<'a> {
    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.at).copied()
    }

    fn skip_space(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    fn expect(&mut self, byte: u8) -> Result<(), TreeError> {
        self.skip_space();
        if self.peek() == Some(byte) {
            self.at += 1;
            Ok(())
        } else {
            Err(TreeError)
        }
    }

    /// The value at the cursor (whitespace already skipped).
    fn value(&mut self, depth: usize) -> Result<Node<'a>, TreeError> {
        let start = self.at;
        let kind = match self.peek().ok_or(TreeError)? {
            b'{' | b'[' if depth >= MAX_DEPTH => return Err(TreeError),
            b'{' => self.object(depth)?,
            b'[' => self.array(depth)?,
            b'"' => {
                self.string()?;
                Kind::String
            }
            _ => {
                while matches!(
                    self.peek(),
                    Some(b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E' | b'a'..=b'z')
                ) {
                    self.at += 1;
                }
                if self.at == start {
                    return Err(TreeError);
                }
                Kind::Scalar
            }
        };
        Ok(Node {
            text: &self.text[start..self.at],
            kind,
        })
    }

    /// Moves past a string token; returns its text.
    fn string(&mut self) -> Result<&'a str, TreeError> {
        let start = self.at;
        self.at += 1;
        loop {
            match self.peek().ok_or(TreeError)? {
                b'"' => {
                    self.at += 1;
                    return Ok(&self.text[start..self.at]);
                }
                // The escaped byte is ASCII (`"`, `\`, `/`, `b`, ..., `u`).
                b'\\' => self.at += 2,
                _ => self.at += 1,
            }
        }
    }

    fn array(&mut self, depth: usize) -> Result<Kind<'a>, TreeError> {
        self.at += 1;
        let mut items = Vec::new();
        self.skip_space();
        if self.peek() == Some(b']') {
            self.at += 1;
            return Ok(Kind::Array(items));
        }
        loop {
            self.skip_space();
            items.push(self.value(depth + 1)?);
            self.skip_space();
            match self.peek() {
                Some(b',') => self.at += 1,
                Some(b']') => {
                    self.at += 1;
                    return Ok(Kind::Array(items));
                }
                _ => return Err(TreeError),
            }
        }
    }

    fn object(&mut self, depth: usize) -> Result<Kind<'a>, TreeError> {
        self.at += 1;
        let mut members = Vec::new();
        self.skip_space();
        if self.peek() == Some(b'}') {
            self.at += 1;
            return Ok(Kind::Object(members));
        }
        loop {
            self.skip_space();
            if self.peek() != Some(b'"') {
                return Err(TreeError);
            }
            let key = self.string()?;
            self.expect(b':')?;
            self.skip_space();
            members.push((key, self.value(depth + 1)?));
            self.skip_space();
            match self.peek() {
                Some(b',') => self.at += 1,
                Some(b'}') => {
                    self.at += 1;
                    return Ok(Kind::Object(members));
                }
                _ => return Err(TreeError),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_keep_their_text() {
        let node = parse(r#" {"b": [1, "x\"y"], "a": {"k": null}} "#).unwrap();
        assert_eq!(node.text, r#"{"b": [1, "x\"y"], "a": {"k": null}}"#);
        let Kind::Object(members) = &node.kind else {
            panic!("{node:?}")
        };
        assert_eq!(members[0].0, r#""b""#);
        assert_eq!(members[0].1.text, r#"[1, "x\"y"]"#);
        assert_eq!(members[1].1.text, r#"{"k": null}"#);
        assert_eq!(node.member("a").unwrap().unwrap().text, r#"{"k": null}"#);
        assert_eq!(node.member("c"), Ok(None));
        let twice = parse(r#"{"a": 1, "\u0061": 2}"#).unwrap();
        assert_eq!(twice.member("a"), Err(DuplicateKey));
    }

    #[test]
    fn garbage_is_an_error_never_a_panic() {
        for text in [
            "",
            "{",
            "[1,",
            "\"abc",
            "\"ab\\",
            "{\"a\" 1}",
            "}",
            "[1 2]",
            "{1: 2}",
        ] {
            assert_eq!(parse(text), Err(TreeError), "{text:?}");
        }
        assert_eq!(decode_string(r#""a\u00e9""#).as_deref(), Some("aé"));
        assert_eq!(decode_string("x"), None);
    }
}
