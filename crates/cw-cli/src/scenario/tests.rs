use std::path::Path;

use super::*;

fn parse(text: &str) -> Result<Scenario, ScenarioError> {
    Scenario::parse(text, Path::new("s.json"), Path::new("."))
}

const HEAD: &str = r#""codes": {"probe": "fixture:probe"}, "steps": "#;

fn with_steps(steps: &str) -> String {
    format!("{{{HEAD}{steps}}}")
}

#[test]
fn a_valid_scenario_keeps_code_order_and_steps() {
    let s = parse(&format!(
        r#"{{"env": {{"balances": {{"@alice": [{{"denom": "ucosm", "amount": "5"}}]}}}},
            "codes": {{"b": "fixture:probe", "a": "fixture:cw20_base"}},
            "steps": [
              {{"op": "instantiate", "code": "a", "as": "t", "sender": "@alice", "msg": {{}}}},
              {{"op": "execute", "contract": "t", "sender": "@bob", "msg": {{}}, "expect": "ok"}},
              {{"op": "query", "contract": "@t", "msg": {{}}, "expect": {{"json": 1}}}},
              {{"op": "advance_block"}},
              {{"op": "advance_block", "height": 10, "time_nanos": {}}}
            ]}}"#,
        1_800_000_000_000_000_000u64
    ))
    .unwrap();
    let names: Vec<&str> = s.codes.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["b", "a"]);
    assert_eq!(s.steps.len(), 5);
}

fn step_error(steps: &str) -> String {
    let error = parse(&with_steps(steps)).unwrap_err();
    assert!(matches!(error, ScenarioError::Step { .. }), "{error}");
    error.to_string()
}

#[test]
fn step_errors_name_the_step_and_the_problem() {
    let e = step_error(r#"[{"op": "advance_block"}, {"op": "fly"}]"#);
    assert!(
        e.contains("step 2 (fly)") && e.contains("unknown variant `fly`"),
        "{e}"
    );
    let e = step_error(
        r#"[{"op": "instantiate", "code": "probe", "sender": "@a", "msg": {}, "fund": []}]"#,
    );
    assert!(
        e.contains("step 1 (instantiate)") && e.contains("unknown field `fund`"),
        "{e}"
    );
    let e = step_error(r#"[{"op": "execute", "contract": "nope", "sender": "@a", "msg": {}}]"#);
    assert!(e.contains("unknown contract `nope`"), "{e}");
    let e = step_error(r#"[{"op": "instantiate", "code": "cw9", "sender": "@a", "msg": {}}]"#);
    assert!(e.contains("unknown code `cw9`"), "{e}");
    let e = step_error(r#"[{"op": "instantiate", "code": "probe", "sender": "alice", "msg": {}}]"#);
    assert!(e.contains("sender `alice` is neither"), "{e}");
    let e = step_error(r#"[{"op": "query", "contract": "x"}]"#);
    assert!(e.contains("step 1 (query)"), "{e}");
    let e = step_error(r#"[{"op": "advance_block", "height": 1}]"#);
    assert!(e.contains("does not advance"), "{e}");
    let e = step_error(
        r#"[{"op": "instantiate", "code": "probe", "as": "p", "sender": "@a", "msg": {}},
            {"op": "instantiate", "code": "probe", "as": "p", "sender": "@a", "msg": {}}]"#,
    );
    assert!(e.contains("step 2") && e.contains("already taken"), "{e}");
    let e = step_error(
        r#"[{"op": "instantiate", "code": "probe", "as": "p", "sender": "@a", "msg": {}},
            {"op": "sudo", "contract": "p", "msg": {}, "expect": {"error_kind": 3}}]"#,
    );
    assert!(
        e.contains("step 2 (sudo)") && e.contains("must be a string"),
        "{e}"
    );
}

#[test]
fn syntax_errors_name_line_and_column() {
    let e = parse("{\n  \"codes\": {},\n  \"steps\": [,]\n}").unwrap_err();
    assert!(matches!(e, ScenarioError::Json { .. }));
    assert!(e.to_string().contains("line 3 column"), "{e}");
    let e = parse(r#"{"codes": {"a": "fixture:probe", "a": "fixture:probe"}, "steps": []}"#)
        .unwrap_err();
    assert!(e.to_string().contains("duplicate key `a`"), "{e}");
    let e = parse(r#"{"codes": {}, "steps": [], "extra": 1}"#).unwrap_err();
    assert!(e.to_string().contains("unknown field `extra`"), "{e}");
}

#[test]
fn env_and_code_errors_are_reported() {
    let e = parse(r#"{"env": {"balances": {"alice": []}}, "codes": {}, "steps": []}"#).unwrap_err();
    assert!(e.to_string().contains("env: balances: `alice`"), "{e}");
    let e = parse(r#"{"codes": {"x": "fixture:nope"}, "steps": []}"#).unwrap_err();
    assert!(
        e.to_string().contains("codes.x: unknown fixture `nope`"),
        "{e}"
    );
    let e = parse(r#"{"codes": {"x": "missing.wasm"}, "steps": []}"#).unwrap_err();
    assert!(e.to_string().contains("codes.x: ./missing.wasm"), "{e}");
}

#[test]
fn messages_keep_their_text_and_base64_nesting_is_bounded() {
    let s = parse(&with_steps(
        r#"[{"op": "instantiate", "code": "probe", "as": "p", "sender": "@a",
             "msg": { "zeta": 1.0, "alpha": "\u0041" }},
            {"op": "query", "contract": "p", "msg": {"x": 1},
             "expect": {"json": {"b": 1, "a": {"$base64": {"d": 2, "c": 3}}}}}]"#,
    ))
    .unwrap();
    let msg = s.steps[0].msg().unwrap();
    assert_eq!(msg.as_str(), r#"{ "zeta": 1.0, "alpha": "\u0041" }"#);
    assert_eq!(msg.compact(), br#"{"zeta":1.0,"alpha":"\u0041"}"#);
    match s.steps[1].expect() {
        Some(Expect::Json(json)) => {
            assert_eq!(json.compact(), br#"{"b":1,"a":{"$base64":{"d":2,"c":3}}}"#);
        }
        other => panic!("{other:?}"),
    }

    // 70 levels in about 1 KB would expand to gigabytes: refused before
    // any step runs, naming the step.
    let bomb = format!("{}\"x\"{}", r#"{"$base64": "#.repeat(70), "}".repeat(70));
    let e = step_error(&format!(
        r#"[{{"op": "instantiate", "code": "probe", "sender": "@a", "msg": {bomb}}}]"#
    ));
    assert!(
        e.contains("step 1 (instantiate): msg: `$base64` objects are nested more than 16 deep"),
        "{e}"
    );
    let e = step_error(&format!(
        r#"[{{"op": "instantiate", "code": "probe", "as": "p", "sender": "@a", "msg": {{}}}},
            {{"op": "query", "contract": "p", "msg": {{}}, "expect": {{"json": {bomb}}}}}]"#
    ));
    assert!(e.contains("step 2 (query): expect.json: `$base64`"), "{e}");
    let e = step_error(
        r#"[{"op": "instantiate", "code": "probe", "sender": "@a", "msg": {}, "msg": {"a": 1}}]"#,
    );
    assert!(e.contains("duplicate key `msg`"), "{e}");
    let e = step_error(
        r#"[{"op": "instantiate", "code": "probe", "sender": "@a",
             "msg": {"$base64": "x", "extra": 1}}]"#,
    );
    assert!(e.contains("must be the only key"), "{e}");
}
