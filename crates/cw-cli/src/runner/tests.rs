//! The bytes a scenario step sends are the user's: compared with direct
//! chain calls of exact bytes.

use std::path::Path;

use cw_gas::CosmWasmSchedule;

use super::*;

/// The probe's scan query with its keys in an order serde_json's maps
/// would change (they sort them), and whitespace the contract must not see.
const SCAN_AS_WRITTEN: &str = r#"{ "scan" : { "mode": "pairs", "limit": null,
    "order": "ascending", "end": null, "start": null } }"#;
const SCAN_COMPACT: &[u8] =
    br#"{"scan":{"mode":"pairs","limit":null,"order":"ascending","end":null,"start":null}}"#;
const SCAN_SORTED: &[u8] =
    br#"{"scan":{"end":null,"limit":null,"mode":"pairs","order":"ascending","start":null}}"#;

/// A runner on the probe, instantiated as `p` with one key written, and the
/// scenario whose last step is `last`.
fn runner(last: &str) -> (Runner<CosmWasmSchedule>, Scenario) {
    let probe = ::tests::fixture_path("probe");
    let text = format!(
        r#"{{"codes": {{"probe": {:?}}}, "steps": [
              {{"op": "instantiate", "code": "probe", "as": "p", "sender": "@alice", "msg": {{}}}},
              {{"op": "execute", "contract": "p", "sender": "@alice",
                "msg": {{"write": {{"key": "aw==", "value": "dg=="}}}}}},
              {last}]}}"#,
        probe.display().to_string()
    );
    let scenario =
        Scenario::parse_with(&text, Path::new("s.json"), Path::new("/"), |_| Ok(())).unwrap();
    let wasm = vec![("probe".to_owned(), std::fs::read(&probe).unwrap())];
    let options = RunOptions {
        quiet: true,
        ..RunOptions::default()
    };
    let runner = Runner::start(CosmWasmSchedule::default(), &scenario, &wasm, &options).unwrap();
    (runner, scenario)
}

/// Runs every step; the last one's report.
fn run_all(runner: &mut Runner<CosmWasmSchedule>, scenario: &Scenario) -> StepReport {
    let mut reports: Vec<StepReport> = scenario
        .steps
        .iter()
        .enumerate()
        .map(|(i, step)| runner.step(i + 1, step))
        .collect();
    assert!(reports.iter().all(|r| r.outcome.is_ok()), "{reports:?}");
    reports.pop().unwrap()
}

fn answer(outcome: &Outcome) -> &[u8] {
    match outcome {
        Outcome::Query(data) => data,
        other => panic!("not a query answer: {other:?}"),
    }
}

#[test]
fn a_step_sends_the_message_in_the_users_key_order() {
    let (mut runner, scenario) = runner(&format!(
        r#"{{"op": "query", "contract": "p", "msg": {SCAN_AS_WRITTEN}}}"#
    ));
    let query = run_all(&mut runner, &scenario);
    let address = query.address.clone().unwrap();
    let step_gas = query.gas.as_ref().unwrap().cosmwasm();

    let exact = runner
        .chain
        .query(&address, SCAN_COMPACT)
        .expect("no node fault")
        .unwrap();
    let sorted = runner
        .chain
        .query(&address, SCAN_SORTED)
        .expect("no node fault")
        .unwrap();
    assert_eq!(step_gas, exact.gas.cosmwasm(), "the step sent other bytes");
    // The order is visible to the contract: sorted keys cost other gas, so
    // the equality above says the step did not sort them.
    assert_ne!(exact.gas.cosmwasm(), sorted.gas.cosmwasm());
    assert_eq!(answer(&query.outcome), exact.data.as_slice());
}

#[test]
fn nested_messages_and_expectations_keep_the_users_order() {
    // The probe's `echo` answers its `data` raw: the bytes `$base64` made.
    let (mut runner, scenario) = runner(
        r#"{"op": "query", "contract": "p",
            "msg": {"echo": {"data": {"$base64":
                {"zeta": 1.50, "alpha": "@alice", "mid": "\u0041"}}}},
            "expect": {"json": {"zeta": 1.50, "alpha": "@alice", "mid": "A"}}}"#,
    );
    let report = run_all(&mut runner, &scenario);
    let alice = runner.namer.account_address("alice").unwrap();
    let expected = format!(r#"{{"zeta":1.50,"alpha":"{alice}","mid":"\u0041"}}"#);
    assert_eq!(answer(&report.outcome), expected.as_bytes());
    assert_eq!(report.expect, Some(Ok(())));
}

#[test]
fn an_address_that_makes_a_message_too_large_is_a_step_error() {
    // 16 levels (the most allowed) around 2,000 `@alice` (18 KB of file):
    // 94 KB of addresses, grown by (4/3)^16 = 99.8 to 9.4 MB.
    let levels = 16;
    let names = vec!["@alice"; 2000];
    let msg = format!(
        r#"{{"echo": {{"data": {}{}{}}}}}"#,
        r#"{"$base64": "#.repeat(levels),
        serde_json::to_string(&names).unwrap(),
        "}".repeat(levels)
    );
    let (mut runner, scenario) = runner(&format!(
        r#"{{"op": "query", "contract": "p", "msg": {msg}}}"#
    ));
    let report = scenario
        .steps
        .iter()
        .enumerate()
        .map(|(i, step)| runner.step(i + 1, step))
        .last()
        .unwrap();
    match &report.outcome {
        Outcome::Failed { message, kind } => {
            assert_eq!(kind, SCENARIO_KIND);
            assert!(
                message.contains("larger than 8388608 bytes after substitution"),
                "{message}"
            );
        }
        other => panic!("the step ran: {}", other.is_ok()),
    }
}
