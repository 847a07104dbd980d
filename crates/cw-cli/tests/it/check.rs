//! `cwr check` on real fixtures and on broken files, run as a user would.

use super::cwr;

#[test]
fn real_contracts_pass_with_their_details() {
    let cw20 = tests::fixture_path("cw20_base");
    let probe = tests::fixture_path("probe");
    let out = cwr().arg("check").arg(&cw20).arg(&probe).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(text.matches("PASS").count(), 2, "{text}");
    assert!(text.contains("env.db_read"), "{text}");
    assert!(text.contains("cosmwasm_3_0"), "{text}");
}

#[test]
fn json_output_names_the_broken_rule_and_exits_1() {
    let dir = std::env::temp_dir().join(format!("cwr-check-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.wasm");
    std::fs::write(&bad, b"\0asm\x01\0\0\0").unwrap();
    let cw20 = tests::fixture_path("cw20_base");
    let out = cwr()
        .args(["check", "--json"])
        .arg(&cw20)
        .arg(&bad)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let lines: Vec<serde_json::Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines[0]["ok"], true);
    assert_eq!(lines[1]["ok"], false);
    assert!(
        lines[1]["error"]
            .as_str()
            .unwrap()
            .contains("memories; exactly 1 is required"),
        "{}",
        lines[1]
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_missing_capability_fails_and_an_unreadable_file_exits_2() {
    let probe = tests::fixture_path("probe");
    let out = cwr()
        .args(["check", "--capabilities", "iterator"])
        .arg(&probe)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("requires unavailable capabilities"));
    let out = cwr()
        .args(["check", "/nonexistent/contract.wasm"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read"));
}
