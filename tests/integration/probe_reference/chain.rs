//! query_chain, debug, submessages, replies, migrate, sudo, query rules.

use super::*;
use cosmwasm_std::{Addr, MigrateInfo};

#[test]
fn query_chain_returns_what_the_querier_answers() {
    let balance = coins(123, "ucosm");
    let holder = MockApi::default().addr_make("holder");
    let mut probe = new_probe(MockInstanceOptions {
        balances: &[(&holder, &balance)],
        ..MockInstanceOptions::default()
    });
    let reference = cosmwasm_std::testing::MockQuerier::<Empty>::new(&[(&holder, &balance)]);
    let balance_request = json!(QueryRequest::<Empty>::Bank(BankQuery::Balance {
        address: holder.clone(),
        denom: "ucosm".into(),
    }));
    let requests = [
        balance_request,
        json!(QueryRequest::<Empty>::Wasm(WasmQuery::Raw {
            contract_addr: holder.clone(),
            key: bin(b"k"),
        })),
        b"not json".to_vec(),
    ];
    for request in requests {
        let expected = cosmwasm_std::Querier::raw_query(&reference, &request);
        let data = execute_ok(
            &mut probe,
            &ExecuteMsg::QueryChain {
                request: request.clone().into(),
            },
        );
        assert_eq!(data, Some(to_json_binary(&expected).unwrap()));
        let result: QuerierResult = from_json(data.unwrap()).unwrap();
        if request.starts_with(b"{\"bank\"") {
            let answer: BalanceResponse = from_json(result.unwrap().unwrap()).unwrap();
            assert_eq!(answer.amount, balance[0]);
        } else {
            assert!(matches!(result, SystemResult::Err(_)), "{result:?}");
        }
    }
}

#[test]
fn debug_reaches_the_debug_handler() {
    let mut probe = default_probe();
    let seen = Rc::new(RefCell::new(Vec::new()));
    let sink = Rc::clone(&seen);
    probe.set_debug_handler(move |msg, _info| sink.borrow_mut().push(msg.to_owned()));
    assert_eq!(
        execute_ok(
            &mut probe,
            &ExecuteMsg::Debug {
                msg: "hello, host".into()
            }
        ),
        None
    );
    assert_eq!(*seen.borrow(), ["hello, host"]);
}

#[test]
fn dispatch_reply_migrate_and_sudo() {
    let mut probe = default_probe();
    let messages = vec![
        SubMsg::reply_always(
            BankMsg::Send {
                to_address: "to".into(),
                amount: coins(5, "u"),
            },
            7,
        )
        .with_payload(b"payload".to_vec()),
        SubMsg::new(BankMsg::Burn {
            amount: coins(1, "u"),
        }),
    ];
    let response = execute(
        &mut probe,
        &ExecuteMsg::Dispatch {
            messages: messages.clone(),
        },
    )
    .unwrap()
    .unwrap();
    assert_eq!(response.messages, messages);

    let reply = Reply {
        id: 7,
        payload: bin(b"payload"),
        gas_used: 1234,
        result: SubMsgResult::Err("failed".into()),
    };
    let response: Response = call_reply(&mut probe, &mock_env(), &reply)
        .unwrap()
        .unwrap();
    assert!(
        response
            .attributes
            .iter()
            .any(|a| a.key == "reply_id" && a.value == "7")
    );
    assert_eq!(dump(&mut probe), [(REPLY_KEY.to_vec(), json!(reply))]);

    // The probe's `migrate` takes `MigrateInfo`, which cosmwasm-vm passes
    // after the message (wasmd's `MigrateWithInfo`); it echoes what it got.
    let info = MigrateInfo {
        sender: Addr::unchecked("admin"),
        old_migrate_version: Some(41),
    };
    let migrate = |probe: &mut Probe, version: &str| -> Response {
        call_migrate_with_info(
            probe,
            &mock_env(),
            &json!(MigrateMsg {
                version: version.into()
            }),
            &info,
        )
        .unwrap()
        .unwrap()
    };
    let first = migrate(&mut probe, "v2");
    assert_eq!(first.data, None);
    let attribute = |response: &Response, key: &str| {
        let found = response.attributes.iter().find(|a| a.key == key);
        found.map(|a| a.value.clone())
    };
    assert_eq!(attribute(&first, "sender").as_deref(), Some("admin"));
    assert_eq!(
        attribute(&first, "old_migrate_version").as_deref(),
        Some("41")
    );
    assert_eq!(migrate(&mut probe, "v3").data, Some(bin(b"v2")));
    // Without `MigrateInfo` (`call_migrate`, two arguments) the export's
    // arity does not match.
    let without_info = call_migrate::<_, _, _, Empty>(
        &mut probe,
        &mock_env(),
        &json!(MigrateMsg {
            version: "v4".into()
        }),
    );
    assert!(
        matches!(without_info, Err(VmError::FunctionArityMismatch { .. })),
        "{without_info:?}"
    );
    let stored = dump(&mut probe)
        .into_iter()
        .find(|(k, _)| k == VERSION_KEY)
        .map(|(_, v)| v);
    assert_eq!(stored, Some(b"v3".to_vec()));

    let sudo = json!(SudoMsg::Echo {
        data: bin(b"\x00\xffsudo")
    });
    let response: Response = call_sudo(&mut probe, &mock_env(), &sudo).unwrap().unwrap();
    assert_eq!(response.data, Some(bin(b"\x00\xffsudo")));
}

#[test]
fn query_echo_is_raw_and_the_reference_requires_json() {
    let mut probe = default_probe();
    let data = to_json_binary(&"echo").unwrap();
    assert_eq!(
        query(&mut probe, &QueryMsg::Echo { data: data.clone() }).unwrap(),
        ContractResult::Ok(data)
    );
    // cosmwasm-vm's call_query rejects a query result that is not JSON.
    match query(
        &mut probe,
        &QueryMsg::Echo {
            data: bin(b"\xff not json"),
        },
    ) {
        Err(VmError::GenericErr { msg, .. }) => assert!(
            msg.starts_with("Query response must be valid JSON"),
            "{msg}"
        ),
        Err(other) => panic!("expected a generic error, got: {other}"),
        Ok(other) => panic!("expected a generic error, got {other:?}"),
    }
}

#[test]
fn writes_inside_a_query_are_refused() {
    let mut probe = default_probe();
    execute_ok(
        &mut probe,
        &ExecuteMsg::Write {
            key: bin(b"k"),
            value: bin(b"v"),
        },
    );
    let before = dump(&mut probe);
    for msg in [
        QueryMsg::WriteInQuery {
            key: bin(b"k"),
            value: bin(b"new"),
        },
        QueryMsg::WriteInQuery {
            key: bin(b"fresh"),
            value: bin(b""),
        },
        QueryMsg::RemoveInQuery { key: bin(b"k") },
    ] {
        let error = runtime_error(query(&mut probe, &msg));
        let expected = "Must not call a writing storage function in this context.";
        assert_eq!(
            error,
            format!("{RUNTIME_ERROR_PREFIX}{expected}"),
            "{msg:?}"
        );
        assert_eq!(dump(&mut probe), before);
    }
    // The instance stays usable, and storage is writable again in execute.
    execute_ok(
        &mut probe,
        &ExecuteMsg::Write {
            key: bin(b"k2"),
            value: bin(b"v2"),
        },
    );
    assert_eq!(dump(&mut probe).len(), 2);
}

/// A probe whose querier answers smart queries to the probe's own address by
/// running the query on a fresh probe instance (with the same querier), so
/// `QuerySelf` really nests. cosmwasm-vm has no query depth limit of its own
/// (wasmd imposes one), so every depth succeeds here.
fn self_querying_probe(wasm: Rc<Vec<u8>>, nested_calls: Rc<Cell<u32>>) -> Probe {
    let mut probe = mock_instance_with_options(&wasm, MockInstanceOptions::default());
    let contract = mock_env().contract.address.into_string();
    probe
        .with_querier(|querier| {
            querier.update_wasm(move |request| match request {
                WasmQuery::Smart { contract_addr, msg } if *contract_addr == contract => {
                    nested_calls.set(nested_calls.get() + 1);
                    let mut inner = self_querying_probe(Rc::clone(&wasm), Rc::clone(&nested_calls));
                    match call_query(&mut inner, &mock_env(), msg) {
                        Ok(result) => SystemResult::Ok(result),
                        Err(err) => SystemResult::Err(SystemError::InvalidRequest {
                            error: err.to_string(),
                            request: msg.clone(),
                        }),
                    }
                }
                other => panic!("unexpected query {other:?}"),
            });
            Ok(())
        })
        .unwrap();
    probe
}

#[test]
fn query_self_nests_through_query_chain() {
    let wasm = Rc::new(probe_wasm());
    for depth in [0, 1, 3] {
        let nested_calls = Rc::new(Cell::new(0));
        let mut probe = self_querying_probe(Rc::clone(&wasm), Rc::clone(&nested_calls));
        let levels: u32 = query_json!(&mut probe, &QueryMsg::QuerySelf { depth });
        assert_eq!(levels, depth);
        assert_eq!(nested_calls.get(), depth);
    }
}
