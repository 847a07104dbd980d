//! The persistent local chain: every command is its own process, so each
//! one restarts the chain from the home; a killed process leaves the state
//! of the last committed transaction; a second process on a held home gets
//! a clear error.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::{cwr, show};

/// Runs `cwr ARGS --home HOME`.
fn local(home: &Path, args: &[&str]) -> Output {
    cwr().args(args).arg("--home").arg(home).output().unwrap()
}

fn ok(home: &Path, args: &[&str]) -> String {
    let out = local(home, args);
    assert_eq!(out.status.code(), Some(0), "{args:?}: {}", show(&out));
    String::from_utf8(out.stdout).unwrap()
}

fn b64(text: &str) -> String {
    cosmwasm_std::Binary::from(text.as_bytes()).to_base64()
}

fn read_key(home: &Path, key: &str) -> Value {
    let msg = json!({"read": {"key": b64(key)}}).to_string();
    let answer = ok(home, &["query", "p", &msg]);
    serde_json::from_str(answer.trim()).unwrap()
}

fn write_key(home: &Path, key: &str, value: &str) -> String {
    let msg = json!({"write": {"key": b64(key), "value": b64(value)}}).to_string();
    ok(home, &["execute", "p", &msg])
}

/// A home with the probe stored and instantiated as `p` (admin alice).
fn probe_home() -> tempfile::TempDir {
    let home = tempfile::tempdir().unwrap();
    let probe = tests::fixture_path("probe");
    let stored = ok(home.path(), &["store", probe.to_str().unwrap()]);
    assert!(stored.starts_with("code id 1: sha256 "), "{stored}");
    let made = ok(
        home.path(),
        &[
            "instantiate",
            "1",
            "{}",
            "--label",
            "p",
            "--admin",
            "@alice",
        ],
    );
    assert!(made.contains("contract cosmwasm1"), "{made}");
    home
}

#[test]
fn transactions_survive_restarts() {
    let home = probe_home();
    let home = home.path();
    let done = write_key(home, "k", "v1");
    // store (2), instantiate (3), this execute (4): one block each.
    assert!(done.starts_with("ok at height 4;"), "{done}");
    assert_eq!(read_key(home, "k"), json!({"value": b64("v1")}));

    // A failed transaction exits 1 and writes nothing, not even its block.
    let out = local(home, &["execute", "p", r#"{"fail": {"msg": "refused"}}"#]);
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("error (contract)"));
    assert!(write_key(home, "k", "v2").starts_with("ok at height 5;"));

    // Balances and funds: the faucet, then funds sent along with `@name`
    // substitution inside the message.
    ok(home, &["mint", "@alice", "100ucosm,7uatom"]);
    let send = json!({"dispatch": {"messages": [{"id": 0, "reply_on": "never", "gas_limit": null,
        "msg": {"bank": {"send": {"to_address": "@bob", "amount": [{"denom": "ucosm", "amount": "15"}]}}}}]}});
    let done = ok(
        home,
        &["execute", "p", &send.to_string(), "--funds", "40ucosm"],
    );
    assert!(done.contains("event transfer:"), "{done}");
    let bank = json!({"bank": {"balance": {"address": "@bob", "denom": "ucosm"}}});
    let msg = json!({"query_chain": {"request": b64(&bank.to_string())}}).to_string();
    let json = ok(home, &["execute", "p", &msg, "--json"]);
    let line: Value = serde_json::from_str(json.trim()).unwrap();
    assert_eq!(line["ok"], true, "{line}");

    // Migration by the admin only; the contract keeps its storage.
    let out = local(
        home,
        &[
            "migrate",
            "p",
            "1",
            r#"{"version": "2"}"#,
            "--sender",
            "bob",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    ok(home, &["migrate", "p", "1", r#"{"version": "2"}"#]);
    assert_eq!(read_key(home, "k"), json!({"value": b64("v2")}));

    // JSON query output: the step object, with both gas units.
    let out = ok(
        home,
        &[
            "query",
            "@p",
            &json!({"read": {"key": b64("k")}}).to_string(),
            "--json",
        ],
    );
    let line: Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(line["json"], json!({"value": b64("v2")}));
    assert!(line["gas"]["near"].as_u64().unwrap() > 0);

    // Unknown contracts and bad messages are usage errors.
    let out = local(home, &["query", "nobody", "{}"]);
    assert_eq!(out.status.code(), Some(2), "{}", show(&out));
    let out = local(home, &["query", "p", "not json"]);
    assert_eq!(out.status.code(), Some(2), "{}", show(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("MSG is not JSON"));
}

#[test]
fn a_killed_process_leaves_the_last_committed_state() {
    let home = probe_home();
    let home = home.path();
    // A whole command (restart + one transaction) takes `restart`; the
    // looping one is killed well after its own restart is over.
    let started = Instant::now();
    write_key(home, "k", "committed");
    let restart = started.elapsed();
    // One transaction that first writes `k` (through a submessage), then
    // loops for ~15 minutes of gas: it is killed while looping, after its
    // write happened in memory.
    let write = json!({"write": {"key": b64("k"), "value": b64("lost")}});
    let dispatch = json!({"dispatch": {"messages": [
        {"id": 0, "reply_on": "never", "gas_limit": null,
         "msg": {"wasm": {"execute": {"contract_addr": "@p", "funds": [],
                 "msg": b64(&write.to_string())}}}},
        {"id": 0, "reply_on": "never", "gas_limit": null,
         "msg": {"wasm": {"execute": {"contract_addr": "@p", "funds": [],
                 "msg": b64(r#"{"loop": {}}"#)}}}}
    ]}});
    let mut child = cwr()
        .args(["execute", "p", &dispatch.to_string(), "--gas-limit"])
        .arg("1000000000000000")
        .arg("--home")
        .arg(home)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(restart * 3 + Duration::from_secs(2));
    assert!(
        child.try_wait().unwrap().is_none(),
        "the looping transaction ended before it was killed"
    );
    child.kill().unwrap();
    child.wait().unwrap();

    assert_eq!(read_key(home, "k"), json!({"value": b64("committed")}));
    let done = write_key(home, "k", "after");
    // store, instantiate, two writes: the killed transaction took no block.
    assert!(done.starts_with("ok at height 5;"), "{done}");
    assert_eq!(read_key(home, "k"), json!({"value": b64("after")}));
}

#[test]
fn a_second_process_on_a_held_home_gets_a_clear_error() {
    let home = tempfile::tempdir().unwrap();
    let mut holder = cwr()
        .args(["hold-home", "--seconds", "60", "--home"])
        .arg(home.path())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    let started = Instant::now();
    BufReader::new(holder.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert!(line.starts_with("holding "), "{line:?}");
    assert!(started.elapsed() < Duration::from_secs(30));

    let out = local(home.path(), &["query", "p", "{}"]);
    holder.kill().unwrap();
    holder.wait().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", show(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!(
            "home {} is locked by another cwr process",
            home.path().display()
        )),
        "{stderr}"
    );
}
