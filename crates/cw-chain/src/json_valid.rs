//! Go's `encoding/json` `Valid`, which wasmd's `RawContractMessage.ValidateBasic`
//! (`x/wasm/types/tx.go`) applies to every contract message before any
//! contract runs.
//!
//! Not serde_json: Go's scanner accepts any bytes above 0x1f inside strings
//! (invalid UTF-8 too) and nests up to 10,000 levels (`maxNestingDepth` in
//! `encoding/json/scanner.go`), where serde_json checks UTF-8 and stops at
//! 128 levels. The scanner here is iterative, so no input can exhaust the
//! host's stack.

/// Go's `maxNestingDepth`.
const MAX_NESTING_DEPTH: usize = 10_000;

/// Whether `data` is one JSON value with optional surrounding whitespace,
/// exactly as Go's `json.Valid` decides (empty input is not valid).
#[must_use]
pub(crate) fn json_valid(data: &[u8]) -> bool {
    let mut scanner = Scanner {
        data,
        pos: 0,
        stack: Vec::new(),
    };
    scanner.run().is_some()
}

#[derive(Clone, Copy)]
enum Container {
    Object,
    Array,
}

struct Scanner<'a> {
    data: &'a [u8],
    pos: usize,
    stack: Vec<Container>,
}

impl Scanner<'_> {
    fn peek(&self) -> Option<u8> {
        self.data.get(self.pos).copied()
    }

    fn next(&mut self) -> Option<u8> {
        let byte = self.peek()?;
        self.pos += 1;
        Some(byte)
    }

    fn skip_space(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\r' | b'\n')) {
            self.pos += 1;
        }
    }

    /// The whole input: one value, then only whitespace. A loop over an
    /// explicit stack of open containers, never recursion.
    fn run(&mut self) -> Option<()> {
        let mut expect_value = true;
        loop {
            if expect_value {
                expect_value = self.value()?;
                continue;
            }
            self.skip_space();
            let Some(&container) = self.stack.last() else {
                break;
            };
            match (container, self.next()?) {
                (Container::Object, b',') => {
                    self.skip_space();
                    self.key()?;
                    expect_value = true;
                }
                (Container::Array, b',') => expect_value = true,
                (Container::Object, b'}') | (Container::Array, b']') => {
                    self.stack.pop();
                }
                _ => return None,
            }
        }
        (self.pos == self.data.len()).then_some(())
    }

    /// One scalar, or the start of a container: returns whether a value
    /// must follow (a container's first member).
    fn value(&mut self) -> Option<bool> {
        self.skip_space();
        match self.next()? {
            b'{' => {
                self.open(Container::Object)?;
                self.skip_space();
                if self.peek() == Some(b'}') {
                    self.pos += 1;
                    self.stack.pop();
                    return Some(false);
                }
                self.key()?;
                Some(true)
            }
            b'[' => {
                self.open(Container::Array)?;
                self.skip_space();
                if self.peek() == Some(b']') {
                    self.pos += 1;
                    self.stack.pop();
                    return Some(false);
                }
                Some(true)
            }
            b'"' => self.string().map(|()| false),
            b'-' => match self.next()? {
                b'0' => self.number_tail().map(|()| false),
                b'1'..=b'9' => {
                    self.digits();
                    self.number_tail().map(|()| false)
                }
                _ => None,
            },
            b'0' => self.number_tail().map(|()| false),
            b'1'..=b'9' => {
                self.digits();
                self.number_tail().map(|()| false)
            }
            b't' => self.literal(b"rue").map(|()| false),
            b'f' => self.literal(b"alse").map(|()| false),
            b'n' => self.literal(b"ull").map(|()| false),
            _ => None,
        }
    }

    fn open(&mut self, container: Container) -> Option<()> {
        self.stack.push(container);
        (self.stack.len() <= MAX_NESTING_DEPTH).then_some(())
    }

    /// An object key and its colon (whitespace before the key is skipped).
    fn key(&mut self) -> Option<()> {
        if self.next()? != b'"' {
            return None;
        }
        self.string()?;
        self.skip_space();
        (self.next()? == b':').then_some(())
    }

    /// The rest of a string after its opening quote.
    fn string(&mut self) -> Option<()> {
        loop {
            match self.next()? {
                b'"' => return Some(()),
                b'\\' => match self.next()? {
                    b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => {}
                    b'u' => {
                        for _ in 0..4 {
                            if !self.next()?.is_ascii_hexdigit() {
                                return None;
                            }
                        }
                    }
                    _ => return None,
                },
                0..0x20 => return None,
                _ => {}
            }
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.pos;
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.pos += 1;
        }
        self.pos - start
    }

    /// The optional fraction and exponent after a number's integer part.
    fn number_tail(&mut self) -> Option<()> {
        if self.peek() == Some(b'.') {
            self.pos += 1;
            if self.digits() == 0 {
                return None;
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.pos += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            if self.digits() == 0 {
                return None;
            }
        }
        Some(())
    }

    fn literal(&mut self, rest: &[u8]) -> Option<()> {
        let end = self.pos.checked_add(rest.len())?;
        if self.data.get(self.pos..end)? == rest {
            self.pos = end;
            Some(())
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::json_valid;

    #[test]
    fn accepts_what_go_accepts() {
        for ok in [
            &b"{}"[..],
            b" {\"a\" : [1, -0.5e+3, true, false, null, \"x\\u00e9\\n\"]} ",
            b"[]",
            b"[[],{}]",
            b"0",
            b"-12.5E-7",
            b"\"\xff\xfe\"",
            b"{\"a\":{\"b\":{}}}",
        ] {
            assert!(json_valid(ok), "{}", String::from_utf8_lossy(ok));
        }
    }

    #[test]
    fn refuses_what_go_refuses() {
        for bad in [
            &b""[..],
            b" ",
            b"{",
            b"{\"a\"}",
            b"{\"a\":1,}",
            b"[1,]",
            b"01",
            b"1.",
            b"-",
            b".5",
            b"1e",
            b"tru",
            b"nul",
            b"\"\x01\"",
            b"\"\\x\"",
            b"\"\\u12g4\"",
            b"{} {}",
            b"[1 2]",
            b"{1:2}",
            b"'a'",
        ] {
            assert!(!json_valid(bad), "{}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn nests_up_to_ten_thousand_levels() {
        let nested = |depth: usize| {
            let mut v = vec![b'['; depth];
            v.extend(std::iter::repeat_n(b']', depth));
            v
        };
        assert!(json_valid(&nested(10_000)));
        assert!(!json_valid(&nested(10_001)));
    }
}
