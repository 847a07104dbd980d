//! Gas: per-call records, a per-call limit that fails the call as a chain
//! would, figures that do not change between runs, and the summary table.

use cosmwasm_std::Addr;
use cosmwasm_std_v2::Uint128;
use cw_multi_test::{App, Executor};
use cw_multitest::{CallStatus, CwGas, GasLog, GasRecord, WasmCode};
use cw20_base::msg::ExecuteMsg;

use crate::common::{code, fixture, instantiate_probe};
use crate::cw20::{balance, instantiate_token};

fn transfer(to: &Addr, amount: u128) -> ExecuteMsg {
    ExecuteMsg::Transfer {
        recipient: to.to_string(),
        amount: Uint128::new(amount),
    }
}

/// A token for alice, with `token_code` storing the code.
fn token_with(code: WasmCode) -> (App, Addr, Addr, Addr) {
    let mut app = App::default();
    let alice = app.api().addr_make("alice");
    let bob = app.api().addr_make("bob");
    let code_id = app.store_code(Box::new(code));
    let token = instantiate_token(&mut app, code_id, &alice, &[(&alice, 1_000)], None);
    (app, token, alice, bob)
}

/// The gas of one transfer measured without a limit is the exact limit
/// it needs: one unit less runs out of gas and changes nothing.
#[test]
fn a_call_over_its_gas_limit_fails_as_on_a_chain() {
    let log = GasLog::new();
    let measured = {
        let code = code("cw20_base").with_gas_log(&log);
        let (mut app, token, alice, bob) = token_with(code);
        log.clear();
        app.execute_contract(alice, token, &transfer(&bob, 10), &[])
            .unwrap();
        log.last().map(|r| r.gas).unwrap_or_default()
    };
    assert!(measured.as_u64() > 0);

    for (limit, succeeds) in [(measured.as_u64() - 1, false), (measured.as_u64(), true)] {
        // Instantiate under the default limit, then migrate the token to
        // the same code stored again with the limit under test.
        let mut app = App::default();
        let alice = app.api().addr_make("alice");
        let bob = app.api().addr_make("bob");
        let generous = app.store_code(Box::new(code("cw20_base")));
        let limited_code = code("cw20_base").with_gas_limit(CwGas::new(limit));
        let log = limited_code.gas_log();
        let limited = app.store_code(Box::new(limited_code));
        let token = instantiate_token(&mut app, generous, &alice, &[(&alice, 1_000)], None);
        app.migrate_contract(
            alice.clone(),
            token.clone(),
            &cw20_base::msg::MigrateMsg {},
            limited,
        )
        .unwrap_or_else(|e| panic!("migrate under {limit}: {e}"));
        log.clear();
        let result = app.execute_contract(alice.clone(), token.clone(), &transfer(&bob, 10), &[]);
        let record = log.last().expect("a record");
        if succeeds {
            assert!(result.is_ok(), "{result:?}");
            assert_eq!(record.status, CallStatus::Ok);
            assert_eq!(record.gas, measured);
            assert_eq!(balance(&app, &token, &bob), 10);
        } else {
            let err = result.unwrap_err();
            assert!(err.to_string().contains("out of gas"), "{err}");
            assert_eq!(record.status, CallStatus::OutOfGas);
            assert_eq!(record.gas, CwGas::new(limit));
            assert_eq!(balance(&app, &token, &alice), 1_000);
            assert_eq!(balance(&app, &token, &bob), 0);
        }
    }
}

/// An infinite loop ends at the limit, with exactly the limit used.
#[test]
fn an_infinite_loop_stops_at_the_limit() {
    let mut app = App::default();
    let owner = app.api().addr_make("owner");
    let limit = CwGas::new(2_000_000_000);
    let probe_code = code("probe").with_gas_limit(limit);
    let log = probe_code.gas_log();
    let probe_id = app.store_code(Box::new(probe_code));
    let probe = instantiate_probe(&mut app, probe_id, &owner);
    let err = app
        .execute_contract(owner, probe, &probe::msg::ExecuteMsg::Loop {}, &[])
        .unwrap_err();
    assert!(err.to_string().contains("out of gas"), "{err}");
    let record = log.last().expect("a record");
    assert_eq!((record.status, record.gas), (CallStatus::OutOfGas, limit));
    assert_eq!(record.near_gas.as_u64(), limit.as_u64() * 1_000);
}

/// One scenario: cw20 instantiate, transfers, queries, a probe nested
/// query; every record of the run.
fn scenario() -> Vec<GasRecord> {
    let log = GasLog::new();
    let mut app = App::default();
    let alice = app.api().addr_make("alice");
    let bob = app.api().addr_make("bob");
    let cw20 = app.store_code(Box::new(code("cw20_base").with_gas_log(&log)));
    let probe_id = app.store_code(Box::new(code("probe").with_gas_log(&log)));
    let token = instantiate_token(&mut app, cw20, &alice, &[(&alice, 1_000)], None);
    for amount in [1, 20, 300] {
        app.execute_contract(alice.clone(), token.clone(), &transfer(&bob, amount), &[])
            .unwrap();
    }
    assert_eq!(balance(&app, &token, &bob), 321);
    let probe = instantiate_probe(&mut app, probe_id, &alice);
    let _: u32 = app
        .wrap()
        .query_wasm_smart(&probe, &probe::msg::QueryMsg::QuerySelf { depth: 2 })
        .unwrap();
    log.records()
}

#[test]
fn gas_figures_are_the_same_in_every_run() {
    let first = scenario();
    let second = scenario();
    // cw20: instantiate, three transfers, a balance query; probe:
    // instantiate and three nested queries.
    assert_eq!(first.len(), 9);
    assert_eq!(first, second);
    // Every call costs something, and the records name them all.
    assert!(
        first
            .iter()
            .all(|r| r.gas.as_u64() > 0 && r.status == CallStatus::Ok)
    );
}

#[test]
fn the_summary_table_is_stable_text() {
    let records = scenario();
    let summary = cw_multitest::GasSummary::of(&records);
    let text = summary.to_string();
    println!("{text}");
    let execute = summary.get("cw20_base", "execute").expect("a row");
    assert_eq!(execute.calls, 3);
    assert_eq!(execute.failed, 0);
    assert!(execute.min <= execute.max);
    assert_eq!(summary.get("probe", "query").map(|s| s.calls), Some(3));
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0].split_whitespace().collect::<Vec<_>>(),
        [
            "code", "entry", "point", "calls", "failed", "min", "max", "total"
        ]
    );
    // Rows sorted by code then entry point, all of one width.
    let rows: Vec<(&str, &str)> = summary.rows().map(|(c, e, _)| (c, e)).collect();
    assert_eq!(
        rows,
        [
            ("cw20_base", "execute"),
            ("cw20_base", "instantiate"),
            ("cw20_base", "query"),
            ("probe", "instantiate"),
            ("probe", "query"),
        ]
    );
    assert!(
        lines[1..=rows.len()]
            .iter()
            .all(|l| l.len() == lines[0].len())
    );
    assert_eq!(text, cw_multitest::GasSummary::of(&scenario()).to_string());
}

/// The label defaults to the file stem.
#[test]
fn records_name_the_code_and_contract() {
    let code = WasmCode::from_file(fixture("cw20_base")).unwrap();
    assert_eq!(code.label(), "cw20_base");
    let log = code.gas_log();
    let (app, token, _alice, _bob) = token_with(code);
    let record = log.last().expect("instantiate was recorded");
    assert_eq!(record.code, "cw20_base");
    assert_eq!(record.contract, token.to_string());
    assert_eq!(record.entry_point, "instantiate");
    assert_eq!(record.query_depth, 0);
    drop(app);
}

/// The scenario's cw20-base summary, committed beside this file, so a
/// change of gas shows up as a diff of `gas_summary.txt`. After a
/// deliberate change (prices, metering, a new cw20_base build), regenerate
/// it with `CW_MULTITEST_BLESS=1 cargo test -p cw-multitest`. Only the
/// cw20-base rows: that fixture is the published crate at a pinned
/// version, while the probe's source changes with this repository.
#[test]
fn the_summary_matches_the_committed_table() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/it/gas_summary.txt");
    let records: Vec<GasRecord> = scenario()
        .into_iter()
        .filter(|record| record.code == "cw20_base")
        .collect();
    let actual = format!(
        "cw20_base sha256 {}\n{}",
        code("cw20_base").code_checksum().to_hex(),
        cw_multitest::GasSummary::of(&records)
    );
    if std::env::var_os("CW_MULTITEST_BLESS").is_some() {
        std::fs::write(&path, &actual).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        actual == expected,
        "gas changed; if that is intended, run `CW_MULTITEST_BLESS=1 cargo test -p cw-multitest` and commit {}\n--- committed\n{expected}\n--- now\n{actual}",
        path.display()
    );
}
