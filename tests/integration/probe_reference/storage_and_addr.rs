//! Storage and address imports against a model and the reference `MockApi`.

use super::*;

#[test]
fn storage_imports_match_a_model() {
    let mut probe = default_probe();
    let mut model = BTreeMap::new();
    for (key, value) in [("b", "2"), ("a", "1"), ("d", "4"), ("c", "3"), ("c", "33")] {
        let msg = ExecuteMsg::Write {
            key: bin(key.as_bytes()),
            value: bin(value.as_bytes()),
        };
        assert_eq!(execute_ok(&mut probe, &msg), None);
        model.insert(key.as_bytes().to_vec(), value.as_bytes().to_vec());
    }
    assert_eq!(
        execute_ok(&mut probe, &ExecuteMsg::Remove { key: bin(b"b") }),
        None
    );
    model.remove(b"b".as_slice());
    // Removing an absent key is not an error.
    assert_eq!(
        execute_ok(&mut probe, &ExecuteMsg::Remove { key: bin(b"zz") }),
        None
    );
    assert_eq!(
        dump(&mut probe),
        model.clone().into_iter().collect::<Vec<_>>()
    );

    for key in ["a", "b", "c", "zz"] {
        let expected = ReadResponse {
            value: model.get(key.as_bytes()).map(|v| bin(v)),
        };
        let key = bin(key.as_bytes());
        let got: ReadResponse = execute_json!(&mut probe, &ExecuteMsg::Read { key: key.clone() });
        assert_eq!(got, expected);
        let got: ReadResponse = query_json!(&mut probe, &QueryMsg::Read { key });
        assert_eq!(got, expected);
    }

    let bounds = [
        (None, None),
        (Some("b"), Some("d")),
        (Some("a"), Some("a")),
        (Some("c"), None),
    ];
    for (start, end) in bounds {
        for order in [Order::Ascending, Order::Descending] {
            for limit in [None, Some(0), Some(1), Some(2)] {
                for mode in [ScanMode::Pairs, ScanMode::Keys, ScanMode::Values] {
                    let args = ScanArgs {
                        start: start.map(|s: &str| bin(s.as_bytes())),
                        end: end.map(|e: &str| bin(e.as_bytes())),
                        order,
                        limit,
                        mode,
                    };
                    let expected = expected_scan(&model, &args);
                    let got: ScanResponse =
                        execute_json!(&mut probe, &ExecuteMsg::Scan(args.clone()));
                    assert_eq!(got, expected, "execute {args:?}");
                    let got: ScanResponse = query_json!(&mut probe, &QueryMsg::Scan(args.clone()));
                    assert_eq!(got, expected, "query {args:?}");
                }
            }
        }
    }
}

#[test]
fn empty_value_write_panics_in_cosmwasm_std() {
    let mut probe = default_probe();
    let msg = ExecuteMsg::Write {
        key: bin(b"k"),
        value: Binary::default(),
    };
    let msg = runtime_error(execute(&mut probe, &msg));
    assert!(
        msg.starts_with(&format!("{RUNTIME_ERROR_PREFIX}Aborted: panicked at ")),
        "{msg}"
    );
    assert!(msg.contains("Value must not be empty"), "{msg}");
    assert!(dump(&mut probe).is_empty());
}

#[test]
fn address_imports_agree_with_the_backend() {
    let mut probe = default_probe();
    let backend = MockApi::default();
    let valid = backend.addr_make("someone");
    let canonical = backend.addr_canonicalize(&valid).0.unwrap();

    let data = execute_ok(
        &mut probe,
        &ExecuteMsg::AddrValidate {
            addr: valid.clone(),
        },
    );
    assert_eq!(data, Some(bin(valid.as_bytes())));
    let data = execute_ok(
        &mut probe,
        &ExecuteMsg::AddrCanonicalize {
            addr: valid.clone(),
        },
    );
    assert_eq!(data, Some(Binary::from(canonical.clone())));
    let data = execute_ok(
        &mut probe,
        &ExecuteMsg::AddrHumanize {
            canonical: canonical.into(),
        },
    );
    assert_eq!(data, Some(bin(valid.as_bytes())));

    // Errors reach the caller as cosmwasm-std words them around the host's text.
    let invalid = "not-an-address";
    let host_error = |result: Result<_, BackendError>| match result {
        Err(BackendError::UserErr { msg, .. }) => msg,
        other => panic!("expected a user error, got {other:?}"),
    };
    let expected =
        |import: &str, msg: String| StdError::msg(format!("{import} errored: {msg}")).to_string();
    let msg = host_error(backend.addr_validate(invalid).0);
    assert_eq!(
        execute_err(
            &mut probe,
            &ExecuteMsg::AddrValidate {
                addr: invalid.into()
            }
        ),
        expected("addr_validate", msg)
    );
    let msg = host_error(backend.addr_canonicalize(invalid).0.map(drop));
    assert_eq!(
        execute_err(
            &mut probe,
            &ExecuteMsg::AddrCanonicalize {
                addr: invalid.into()
            }
        ),
        expected("addr_canonicalize", msg)
    );
    let msg = host_error(backend.addr_humanize(b"").0.map(drop));
    assert_eq!(
        execute_err(
            &mut probe,
            &ExecuteMsg::AddrHumanize {
                canonical: Binary::default()
            }
        ),
        expected("addr_humanize", msg)
    );
    // A canonical address whose human form exceeds cosmwasm-std's 90-byte
    // output buffer: the host cannot write the result, so the call traps.
    let long = vec![7_u8; 64];
    assert!(backend.addr_humanize(&long).0.unwrap().len() > 90);
    let msg = runtime_error(execute(
        &mut probe,
        &ExecuteMsg::AddrHumanize {
            canonical: long.into(),
        },
    ));
    eprintln!("reference: AddrHumanize with a 64-byte canonical address: {msg}");
}
