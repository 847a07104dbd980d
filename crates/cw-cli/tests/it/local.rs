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

/// `cwr query ARGS --json --home HOME`: the step's CosmWasm gas.
fn query_gas(home: &Path, msg: &str) -> u64 {
    let out = ok(home, &["query", "p", msg, "--json"]);
    let line: Value = serde_json::from_str(out.trim()).unwrap();
    line["gas"]["cosmwasm"].as_u64().unwrap()
}

/// Issue 21 item 3: the message bytes are the user's. Before, MSG went
/// through `serde_json::Value`, which sorts keys: the probe's `echo` gave
/// back `{"alpha":..,"zeta":1.5}` and both scan orders cost the same.
#[test]
fn messages_reach_the_contract_as_written() {
    let home = probe_home();
    let home = home.path();
    let minted = ok(home, &["mint", "@alice", "1ucosm"]);
    let alice = minted.split(':').next().unwrap();
    // `echo` answers its `data` raw: the bytes `$base64` made of the
    // nested message, keys in the given order, numbers as written.
    let answer = ok(
        home,
        &[
            "query",
            "p",
            r#"{"echo": {"data": {"$base64": {"zeta": 1.50, "alpha": "@alice"}}}}"#,
        ],
    );
    assert_eq!(
        answer.trim_end(),
        format!(r#"{{"zeta":1.50,"alpha":"{alice}"}}"#)
    );
    // The top-level message: whitespace goes, the order stays, and the
    // contract's gas shows it.
    let written = query_gas(
        home,
        r#"{ "scan" : { "mode" : "pairs", "limit" : null, "order" : "ascending",
             "end" : null, "start" : null } }"#,
    );
    let compact = query_gas(
        home,
        r#"{"scan":{"mode":"pairs","limit":null,"order":"ascending","end":null,"start":null}}"#,
    );
    let sorted = query_gas(
        home,
        r#"{"scan":{"end":null,"limit":null,"mode":"pairs","order":"ascending","start":null}}"#,
    );
    assert_eq!(written, compact);
    assert_ne!(written, sorted, "the keys were reordered");
}

/// Issue 20 item 8: a damaged `chain.redb` made `cwr` panic inside redb
/// (exit 101) at some pages and load changed records silently at others.
/// Now it exits 2 naming the damage, and a good copy works again.
#[test]
fn a_damaged_or_changed_chain_file_is_refused_with_a_clear_error() {
    let home = probe_home();
    let home = home.path();
    write_key(home, "k", "v");
    let db = home.join("chain.redb");
    let original = std::fs::read(&db).unwrap();
    // Pages of the tables' trees (redb panicked at each of these before).
    for offset in [4096, 8192, 12288, 16384] {
        let mut bytes = original.clone();
        for byte in &mut bytes[offset..offset + 64] {
            *byte ^= 0xFF;
        }
        std::fs::write(&db, &bytes).unwrap();
        let out = local(home, &["query", "p", r#"{"read": {"key": "aw=="}}"#]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(
            out.status.code(),
            Some(2),
            "offset {offset}: {}",
            show(&out)
        );
        assert!(
            stderr.starts_with(&format!("error: home {}: chain.redb is", home.display())),
            "offset {offset}: {stderr}"
        );
        assert!(!stderr.contains("panicked"), "offset {offset}: {stderr}");
    }
    std::fs::write(&db, &original).unwrap();
    assert_eq!(read_key(home, "k"), json!({"value": b64("v")}));

    // A valid redb file whose records were changed by another program: redb
    // is content, the records' checksum is not.
    {
        let database = redb::Database::create(&db).unwrap();
        let txn = database.begin_write().unwrap();
        let table: redb::TableDefinition<&[u8], &[u8]> = redb::TableDefinition::new("state");
        let mut state = txn.open_table(table).unwrap();
        let key = {
            use redb::ReadableTable;
            let (key, _) = state.first().unwrap().unwrap();
            key.value().to_vec()
        };
        state.insert(key.as_slice(), b"changed".as_slice()).unwrap();
        drop(state);
        txn.commit().unwrap();
    }
    let out = local(home, &["query", "p", r#"{"read": {"key": "aw=="}}"#]);
    assert_eq!(out.status.code(), Some(2), "{}", show(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("chain.redb is inconsistent"),
        "{}",
        show(&out)
    );
}

/// Runs `cwr ARGS --home HOME`, killed after `seconds`.
fn local_within(home: &Path, args: &[&str], seconds: u64) -> Output {
    let mut child = cwr()
        .args(args)
        .arg("--home")
        .arg(home)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > Duration::from_secs(seconds) {
            child.kill().unwrap();
            let out = child.wait_with_output().unwrap();
            panic!("cwr {args:?} still ran after {seconds} s: {}", show(&out));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.wait_with_output().unwrap()
}

/// Issue 20 item 8: in the home's module cache, a FIFO named like a module
/// made `cwr` wait forever, a link to `/dev/zero` made it read until memory
/// ran out. Both are discarded unread and the module is compiled again.
#[test]
fn hostile_files_in_the_module_cache_neither_hang_nor_exhaust_cwr() {
    let home = probe_home();
    let home = home.path();
    let cache = home.join("cache");
    let module = std::fs::read_dir(&cache)
        .unwrap()
        .flat_map(|folder| std::fs::read_dir(folder.unwrap().path()).unwrap())
        .map(|entry| entry.unwrap().path())
        .find(|path| path.extension().is_some_and(|e| e == "module"))
        .unwrap();
    for case in ["fifo", "link to /dev/zero"] {
        std::fs::remove_file(&module).unwrap();
        if case == "fifo" {
            let made = std::process::Command::new("mkfifo")
                .arg(&module)
                .status()
                .unwrap();
            assert!(made.success());
        } else {
            std::os::unix::fs::symlink("/dev/zero", &module).unwrap();
        }
        let out = local_within(home, &["query", "p", r#"{"read": {"key": "aw=="}}"#], 120);
        assert_eq!(out.status.code(), Some(0), "{case}: {}", show(&out));
        let meta = std::fs::symlink_metadata(&module).unwrap();
        assert!(meta.file_type().is_file(), "{case}: not replaced");
    }
}
