//! `cwr run` on the scenarios under `tests/scenarios/`: the `--json` output
//! must equal `NAME.expected.jsonl` byte for byte. `UPDATE_EXPECT=1 cargo
//! test -p cw-cli` rewrites the expected files; review the diff by hand
//! before committing it (the files must show what the contracts really do).

use std::path::PathBuf;
use std::process::Output;

use serde_json::Value;

use super::{cache_dir, cwr, root, show};

fn scenario(name: &str) -> PathBuf {
    root().join("tests/scenarios").join(format!("{name}.json"))
}

fn run_json(path: &std::path::Path, extra: &[&str]) -> Output {
    cwr()
        .args(["run", "--json", "--cache-dir"])
        .arg(cache_dir())
        .args(extra)
        .arg(path)
        .output()
        .unwrap()
}

/// Runs scenario `name` and compares its `--json` output with the
/// expected file.
fn check(name: &str) {
    let out = run_json(&scenario(name), &[]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    let got = String::from_utf8(out.stdout).unwrap();
    let expected_path = root()
        .join("tests/scenarios")
        .join(format!("{name}.expected.jsonl"));
    if std::env::var_os("UPDATE_EXPECT").is_some_and(|v| v == "1") {
        let before = std::fs::read_to_string(&expected_path).unwrap_or_default();
        std::fs::write(&expected_path, &got).unwrap();
        // A regenerated file never passes silently: the lines it changed
        // are shown and the test fails, so the new figures are read (and
        // justified) before they are committed.
        let changed = changed_lines(&before, &got);
        assert!(
            changed.is_empty(),
            "{name}: UPDATE_EXPECT rewrote {} ({} lines changed); review each \
             figure against its independent source before committing:\n{}",
            expected_path.display(),
            changed.len(),
            changed.join("\n")
        );
        return;
    }
    let expected = std::fs::read_to_string(&expected_path).unwrap_or_else(|e| {
        panic!(
            "{}: {e}; run `UPDATE_EXPECT=1 cargo test -p cw-cli` and review the file",
            expected_path.display()
        )
    });
    if got != expected {
        let line = got
            .lines()
            .zip(expected.lines())
            .position(|(g, e)| g != e)
            .unwrap_or_else(|| got.lines().count().min(expected.lines().count()));
        panic!(
            "{name}: output differs from {} at line {}\n  got:      {}\n  expected: {}\n\
             (UPDATE_EXPECT=1 rewrites the file; review the diff)",
            expected_path.display(),
            line + 1,
            got.lines().nth(line).unwrap_or("<end>"),
            expected.lines().nth(line).unwrap_or("<end>"),
        );
    }
    // Every line is JSON; every step with gas reports both units.
    for line in got.lines() {
        let value: Value = serde_json::from_str(line).unwrap();
        if let Some(gas) = value.get("gas") {
            assert!(gas["cosmwasm"].is_u64() && gas["near"].is_u64(), "{line}");
        }
    }
}

/// The lines that differ between `before` and `after`, as `-`/`+` pairs
/// with their line number.
fn changed_lines(before: &str, after: &str) -> Vec<String> {
    let (old, new): (Vec<_>, Vec<_>) = (before.lines().collect(), after.lines().collect());
    (0..old.len().max(new.len()))
        .filter(|&i| old.get(i) != new.get(i))
        .map(|i| {
            format!(
                "line {}:\n  - {}\n  + {}",
                i + 1,
                old.get(i).unwrap_or(&"<none>"),
                new.get(i).unwrap_or(&"<none>")
            )
        })
        .collect()
}

#[test]
fn a_regeneration_shows_what_it_changed() {
    assert!(changed_lines("a\nb\n", "a\nb\n").is_empty());
    let changed = changed_lines("a\nb\n", "a\nc\nd\n");
    assert_eq!(changed.len(), 2, "{changed:?}");
    assert!(
        changed[0].starts_with("line 2:")
            && changed[0].contains("- b")
            && changed[0].contains("+ c")
    );
    assert!(changed[1].contains("- <none>") && changed[1].contains("+ d"));
}

#[test]
fn cw20_scenario() {
    check("cw20");
}

#[test]
fn cw1_scenario() {
    check("cw1");
}

#[test]
fn cw3_scenario() {
    check("cw3");
}

#[test]
fn cw4_scenario() {
    check("cw4");
}

#[test]
fn cw721_scenario() {
    check("cw721");
}

#[test]
fn probe_misbehaviour_scenario() {
    check("probe");
}

#[test]
fn the_near_profile_is_deterministic_and_prices_differently() {
    let path = scenario("cw4");
    let first = run_json(&path, &["--gas-profile", "near"]);
    let second = run_json(&path, &["--gas-profile", "near"]);
    assert_eq!(first.status.code(), Some(0), "{}", show(&first));
    assert_eq!(first.stdout, second.stdout);
    let near: Value =
        serde_json::from_slice(first.stdout.split(|b| *b == b'\n').next().unwrap()).unwrap();
    let cosmwasm = std::fs::read_to_string(root().join("tests/scenarios/cw4.expected.jsonl"))
        .unwrap_or_default();
    let cosmwasm: Value =
        serde_json::from_str(cosmwasm.lines().next().unwrap_or("null")).unwrap_or(Value::Null);
    assert_ne!(near["gas"], cosmwasm["gas"]);
    assert_eq!(near["response"], cosmwasm["response"]);
}

#[test]
fn the_table_shows_each_step_and_a_summary() {
    let out = cwr()
        .arg("run")
        .arg("--cache-dir")
        .arg(cache_dir())
        .arg(scenario("cw4"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("gas (CosmWasm)") && text.contains("gas (NEAR)"),
        "{text}"
    );
    assert!(text.contains("instantiate   group"), "{text}");
    assert!(text.contains("! contract: execute of"), "{text}");
    assert!(text.contains("every expectation held"), "{text}");
}

/// Writes `text` as a scenario in a fresh folder.
fn temp_scenario(text: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("scenario.json");
    std::fs::write(&path, text).unwrap();
    (dir, path)
}

const PROBE_HEAD: &str = r#"{"codes": {"probe": "fixture:probe"}, "steps": ["#;

#[test]
fn an_expectation_that_does_not_hold_exits_1_naming_the_step() {
    let (_dir, path) = temp_scenario(&format!(
        r#"{PROBE_HEAD}
        {{"op": "instantiate", "code": "probe", "as": "p", "sender": "@alice", "msg": {{}}}},
        {{"op": "execute", "contract": "p", "sender": "@alice", "msg": {{"fail": {{"msg": "x"}}}},
          "expect": "ok"}},
        {{"op": "query", "contract": "p", "msg": {{"read": {{"key": "aw=="}}}},
          "expect": {{"json": {{"value": null}}}}}}
        ]}}"#
    ));
    let out = run_json(&path, &[]);
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("step 2 (execute): expectation failed: expected ok, got error (contract)"),
        "{stderr}"
    );
    // The scenario still ran to the end: three steps and the final state.
    let lines: Vec<Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 4);
    assert_eq!(lines[1]["expect"]["held"], false);
    assert_eq!(lines[2]["expect"]["held"], true);
    assert!(lines[3]["final_state"].is_object());
}

#[test]
fn a_malformed_scenario_exits_2_before_any_step_runs() {
    let cases: &[(&str, &str)] = &[
        (
            r#"{"op": "instantiate", "code": "probe", "as": "p", "sender": "@a", "msg": {}},
               {"op": "execute", "contract": "p", "sender": "@a", "msg": {}},
               {"op": "teleport"}]}"#,
            "step 3 (teleport): unknown variant `teleport`",
        ),
        (
            r#"{"op": "execute", "contract": "nobody", "sender": "@a", "msg": {}}]}"#,
            "step 1 (execute): unknown contract `nobody`",
        ),
        (
            r#"{"op": "query", "contract": "p", "msg": {}, "expect": "maybe"}]}"#,
            "step 1 (query)",
        ),
        (
            r#"{"op": "instantiate", "code": "probe", "sender": "@a", "msg": {}, "salt": "x"}]}"#,
            "step 1 (instantiate): unknown field `salt`",
        ),
        (
            "{\"op\": \"advance_block\"},\n\n  oops]}",
            "line 3 column 3",
        ),
    ];
    for (steps, needle) in cases {
        let (_dir, path) = temp_scenario(&format!("{PROBE_HEAD}{steps}"));
        let out = run_json(&path, &[]);
        assert_eq!(out.status.code(), Some(2), "{needle}: {}", show(&out));
        assert!(
            out.stdout.is_empty(),
            "{needle}: a step ran: {}",
            show(&out)
        );
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains(needle) && stderr.starts_with("error: "),
            "{needle}: {stderr}"
        );
    }
    let (_dir, path) = temp_scenario(r#"{"codes": {"c": "nowhere.wasm"}, "steps": []}"#);
    let out = run_json(&path, &[]);
    assert_eq!(out.status.code(), Some(2), "{}", show(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("codes.c:"));
    let out = run_json(&root().join("tests/scenarios/no-such-file.json"), &[]);
    assert_eq!(out.status.code(), Some(2), "{}", show(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read"));
}

#[test]
fn native_mode_without_an_emulator_is_a_clear_store_error() {
    // The probe has no native emulator in any build.
    let out = run_json(&scenario("probe"), &["--mode", "native"]);
    assert_eq!(out.status.code(), Some(2), "{}", show(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("code `probe`: storing code failed: no verified native emulator"),
        "{stderr}"
    );
    assert!(out.stdout.is_empty());
}

#[test]
fn the_demo_runs_to_the_end() {
    let out = cwr()
        .arg("demo")
        .arg("--cache-dir")
        .arg(cache_dir())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("instantiate   wallet"), "{text}");
    assert!(!text.contains("EXPECTATION FAILED"), "{text}");
    assert!(
        text.contains("through the native emulator")
            || text.contains("native emulators are unavailable"),
        "{text}"
    );
}

/// Issue 21 item 3: scenario messages reach the contract as written (the
/// probe's `echo` answers the bytes `$base64` made; before, their keys came
/// sorted), and the `--json` output stays the same to the byte on every run
/// (the `json` field of an answer is printed with sorted keys, whatever
/// order the contract wrote).
#[test]
fn messages_keep_their_order_and_the_json_output_is_deterministic() {
    let (_dir, path) = temp_scenario(&format!(
        r#"{PROBE_HEAD}
        {{"op": "instantiate", "code": "probe", "as": "p", "sender": "@alice", "msg": {{}}}},
        {{"op": "query", "contract": "p",
          "msg": {{"echo": {{"data": {{"$base64": {{"zeta": 1.50, "alpha": [true, null]}}}}}}}},
          "expect": {{"json": {{"alpha": [true, null], "zeta": 1.50}}}}}}
        ]}}"#
    ));
    let first = run_json(&path, &[]);
    assert_eq!(first.status.code(), Some(0), "{}", show(&first));
    let second = run_json(&path, &[]);
    assert_eq!(first.stdout, second.stdout, "two runs printed other bytes");
    let text = String::from_utf8(first.stdout).unwrap();
    let line = text.lines().nth(1).unwrap();
    let echoed = cosmwasm_std::Binary::from(br#"{"zeta":1.50,"alpha":[true,null]}"#).to_base64();
    assert!(line.contains(&format!(r#""result":"{echoed}""#)), "{line}");
    assert!(
        line.contains(r#""json":{"alpha":[true,null],"zeta":1.5}"#),
        "{line}"
    );
}

/// Issue 20 item 8: every `$base64` level grows the bytes by 4/3, so deep
/// nesting in a small file expanded to gigabytes. Nesting beyond 16 levels
/// is now refused before any step runs.
#[test]
fn deeply_nested_base64_is_refused_before_any_step_runs() {
    let levels = 40;
    let msg = format!(
        r#"{{"echo": {{"data": {}"x"{}}}}}"#,
        r#"{"$base64": "#.repeat(levels),
        "}".repeat(levels)
    );
    let (_dir, path) = temp_scenario(&format!(
        r#"{PROBE_HEAD}
        {{"op": "instantiate", "code": "probe", "as": "p", "sender": "@alice", "msg": {{}}}},
        {{"op": "query", "contract": "p", "msg": {msg}}}
        ]}}"#
    ));
    let out = run_json(&path, &[]);
    assert_eq!(out.status.code(), Some(2), "{}", show(&out));
    assert!(out.stdout.is_empty(), "a step ran: {}", show(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("step 2 (query): msg: `$base64` objects are nested more than 16 deep"),
        "{stderr}"
    );
}

/// `--tier-up-after 1`: every code is recompiled with Cranelift after its
/// first call and later calls run that code; the output (results, events,
/// gas, final state) is the expected file, byte for byte.
#[test]
fn tier_up_changes_nothing_in_the_output() {
    let out = run_json(&scenario("cw20"), &["--tier-up-after", "1"]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    let expected =
        std::fs::read_to_string(root().join("tests/scenarios/cw20.expected.jsonl")).unwrap();
    assert_eq!(String::from_utf8(out.stdout).unwrap(), expected);
}
