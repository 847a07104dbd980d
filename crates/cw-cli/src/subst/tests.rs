//! Names, escapes, key order and the bounds of `$base64` expansion.

use super::*;

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

fn substitute(namer: &mut Namer, text: &str) -> Result<String, SubstError> {
    let msg = Message::parse(text).unwrap();
    namer
        .message(&msg)
        .map(|bytes| String::from_utf8(bytes).unwrap())
}

#[test]
fn messages_substitute_values_not_keys_and_expand_base64() {
    let mut n = namer();
    let out = substitute(
        &mut n,
        r#"{"@alice": ["@bob", 1, {"x": "@token"}],
            "inner": {"$base64": {"transfer": {"recipient": "@carol", "amount": "5"}}},
            "text": {"$base64": "hi"}}"#,
    )
    .unwrap();
    // The nested message keeps its key order too.
    let inner =
        Binary::from(br#"{"transfer":{"recipient":"addr_carol","amount":"5"}}"#).to_base64();
    assert_eq!(
        out,
        format!(
            r#"{{"@alice":["addr_bob",1,{{"x":"contract_1"}}],"inner":"{inner}","text":"aGk="}}"#
        )
    );
    let bad = substitute(&mut n, r#"{"$base64": 1, "other": 2}"#);
    assert!(matches!(bad, Err(SubstError::Base64Shape)));
}

#[test]
fn what_is_not_substituted_stays_as_written() {
    let mut n = namer();
    let text = r#"{ "z": 1.50, "a": "caf\u00e9 \/ @", "m": "@@x\n", "e": "\u0040alice" }"#;
    assert_eq!(
        substitute(&mut n, text).unwrap(),
        r#"{"z":1.50,"a":"caf\u00e9 \/ @","m":"@x\n","e":"addr_alice"}"#
    );
    assert_eq!(
        substitute(&mut n, r#""@token""#).unwrap(),
        r#""contract_1""#
    );
}

#[test]
fn base64_expansion_is_bounded() {
    let mut n = namer();
    // 16 levels expand; 17 are refused before anything is built.
    let nest = |levels: usize| {
        format!(
            "{}\"x\"{}",
            r#"{"$base64": "#.repeat(levels),
            "}".repeat(levels)
        )
    };
    assert!(substitute(&mut n, &nest(MAX_BASE64_DEPTH)).is_ok());
    assert!(matches!(
        substitute(&mut n, &nest(MAX_BASE64_DEPTH + 1)),
        Err(SubstError::Base64TooDeep { limit: 16 })
    ));
    let shape = |text: &str| check_shape(&Message::parse(text).unwrap());
    assert!(shape(&nest(MAX_BASE64_DEPTH)).is_ok());
    assert!(matches!(
        shape(&format!("[1, {{\"a\": {}}}]", nest(MAX_BASE64_DEPTH + 1))),
        Err(SubstError::Base64TooDeep { limit: 16 })
    ));
    assert!(matches!(
        shape(r#"{"a": [{"$base64": 1, "b": 2}]}"#),
        Err(SubstError::Base64Shape)
    ));
    // A large value nested a few times: refused once it would pass the
    // limit, whatever the level it happens at.
    let big = format!(r#""{}""#, "a".repeat(MAX_MESSAGE_BYTES / 2));
    let nested = format!(r#"{{"$base64": {{"$base64": {{"$base64": [{big}]}}}}}}"#);
    assert!(matches!(
        substitute(&mut n, &nested),
        Err(SubstError::TooLarge { limit_bytes }) if limit_bytes == MAX_MESSAGE_BYTES
    ));
    let once = format!(r#"{{"$base64": [{big}]}}"#);
    assert!(substitute(&mut n, &once).is_ok());
}
