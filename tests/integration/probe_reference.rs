//! The probe contract run on cosmwasm-vm 3.0.10, the reference: proves each
//! message hits its import and returns what `probe::msg` documents, and
//! records what the reference does for each misbehaviour (the behaviour our
//! runtime must match).
//!
//! Expected results are derived, not typed in: storage results from a
//! `BTreeMap` model, crypto results from cosmwasm-std's native `MockApi`
//! (cosmwasm-crypto without Wasm) and from published test vectors (cited
//! where used), address results from cosmwasm-vm's own `MockApi`. The
//! reference's error texts for misbehaviour are pinned as observed: they are
//! the ground truth our runtime must reproduce.

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::rc::Rc;

use cosmwasm_std::testing::MockApi as NativeApi;
use cosmwasm_std::{
    Api, BLS12_381_G1_GENERATOR, BLS12_381_G2_GENERATOR, BalanceResponse, BankMsg, BankQuery,
    Binary, ContractResult, Empty, HashFunction, HexBinary, Order, QuerierResult, QueryRequest,
    Reply, Response, StdError, SubMsg, SubMsgResult, SystemError, SystemResult, VerificationError,
    WasmQuery, coins, from_json, to_json_binary, to_json_vec,
};
use cosmwasm_vm::testing::{
    MockApi, MockInstanceOptions, MockQuerier, MockStorage, mock_env, mock_info,
    mock_instance_with_options,
};
use cosmwasm_vm::{
    BackendApi, BackendError, Instance, Size, Storage, VmError, VmResult, call_execute,
    call_instantiate, call_migrate, call_query, call_reply, call_sudo,
};
use probe::msg::{
    BlsHashFunction, ExecuteMsg, GrowMemoryResponse, InstantiateMsg, MigrateMsg, QueryMsg,
    REPLY_KEY, ReadResponse, ScanArgs, ScanMode, ScanResponse, SudoMsg, VERSION_KEY,
};

type Probe = Instance<MockApi, MockStorage, MockQuerier>;

/// Wasm page size; memory limits are whole pages.
const PAGE_BYTES: u64 = 64 * 1024;

/// The memory limit for the misbehaviour tests: cosmwasm-vm's test default.
const MEMORY_LIMIT_BYTES: usize = 16 * 1024 * 1024;

/// Gas for tests that make many calls on one instance. cosmwasm-vm's test
/// default (2·10^9) lasts for only about a dozen signature checks
/// (secp256k1_verify alone costs 1.54·10^8).
const AMPLE_GAS: u64 = 1_000_000_000_000_000;

/// How cosmwasm-vm reports a trap or an error raised by an import: a
/// `RuntimeErr` whose text wraps the cause (not `VmError::Aborted` or
/// `VmError::WriteAccessDenied`, which exist but do not surface here).
const RUNTIME_ERROR_PREFIX: &str = "Wasmer runtime error: RuntimeError: ";

/// JSON bytes of a message or value (tests has no direct serde dependency,
/// so this is a macro rather than a generic function).
macro_rules! json {
    ($value:expr) => {
        to_json_vec(&$value).unwrap()
    };
}

fn probe_wasm() -> Vec<u8> {
    tests::fixture_bytes("probe")
}

fn new_probe(options: MockInstanceOptions) -> Probe {
    let mut probe = mock_instance_with_options(&probe_wasm(), options);
    let info = mock_info("creator", &[]);
    let result: ContractResult<Response> =
        call_instantiate(&mut probe, &mock_env(), &info, &json!(InstantiateMsg {})).unwrap();
    let response = result.unwrap();
    assert_eq!(response.data, None);
    assert!(
        dump(&mut probe).is_empty(),
        "instantiate must write nothing"
    );
    probe
}

fn default_probe() -> Probe {
    new_probe(MockInstanceOptions {
        gas_limit: AMPLE_GAS,
        ..MockInstanceOptions::default()
    })
}

/// The text of the `VmError::RuntimeErr` that `result` must be.
fn runtime_error<T>(result: VmResult<T>) -> String {
    match result {
        Err(VmError::RuntimeErr { msg, .. }) => msg,
        Err(other) => panic!("expected a runtime error, got: {other}"),
        Ok(_) => panic!("expected a runtime error, got success"),
    }
}

fn execute(probe: &mut Probe, msg: &ExecuteMsg) -> VmResult<ContractResult<Response>> {
    call_execute(probe, &mock_env(), &mock_info("caller", &[]), &json!(msg))
}

/// Executes, expecting success; returns the response's data.
fn execute_ok(probe: &mut Probe, msg: &ExecuteMsg) -> Option<Binary> {
    let response = execute(probe, msg).unwrap().unwrap();
    assert!(response.messages.is_empty());
    response.data
}

/// Executes, expecting a contract error; returns its text.
fn execute_err(probe: &mut Probe, msg: &ExecuteMsg) -> String {
    execute(probe, msg).unwrap().unwrap_err()
}

/// Executes, expecting JSON data of the type the call site asks for.
macro_rules! execute_json {
    ($probe:expr, $msg:expr) => {
        from_json(execute_ok($probe, $msg).expect("data")).unwrap()
    };
}

fn query(probe: &mut Probe, msg: &QueryMsg) -> VmResult<ContractResult<Binary>> {
    call_query(probe, &mock_env(), &json!(msg))
}

/// Queries, expecting a JSON result of the type the call site asks for.
macro_rules! query_json {
    ($probe:expr, $msg:expr) => {
        from_json(query($probe, $msg).unwrap().unwrap()).unwrap()
    };
}

/// The whole contract storage, in key order, read through the backend.
fn dump(probe: &mut Probe) -> Vec<(Vec<u8>, Vec<u8>)> {
    probe
        .with_storage(|storage| {
            let id = storage.scan(None, None, Order::Ascending).0?;
            let mut records = Vec::new();
            while let Some(record) = storage.next(id).0? {
                records.push(record);
            }
            Ok(records)
        })
        .unwrap()
}

fn hex(text: &str) -> Binary {
    HexBinary::from_hex(text).unwrap().to_vec().into()
}

fn bin(bytes: &[u8]) -> Binary {
    Binary::from(bytes)
}

/// What a scan must return, computed from a model of the storage.
fn expected_scan(model: &BTreeMap<Vec<u8>, Vec<u8>>, args: &ScanArgs) -> ScanResponse {
    let in_range = |key: &Vec<u8>| {
        args.start
            .as_ref()
            .is_none_or(|s| key.as_slice() >= s.as_slice())
            && args
                .end
                .as_ref()
                .is_none_or(|e| key.as_slice() < e.as_slice())
    };
    let mut records: Vec<_> = model.iter().filter(|(k, _)| in_range(k)).collect();
    if args.order == Order::Descending {
        records.reverse();
    }
    records.truncate(args.limit.map_or(usize::MAX, |l| l as usize));
    let keys = records.iter().map(|(k, _)| bin(k)).collect();
    let values = records.iter().map(|(_, v)| bin(v)).collect();
    match args.mode {
        ScanMode::Pairs => ScanResponse { keys, values },
        ScanMode::Keys => ScanResponse {
            keys,
            values: vec![],
        },
        ScanMode::Values => ScanResponse {
            keys: vec![],
            values,
        },
    }
}

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

/// Runs `msg`, expecting the same outcome cosmwasm-std's native `MockApi`
/// gives: JSON data on success, the `StdError` text on failure.
fn assert_agrees<T, E>(
    probe: &mut Probe,
    msg: &ExecuteMsg,
    native: Result<T, E>,
    data: fn(T) -> Binary,
) where
    E: std::error::Error + Send + Sync + 'static,
{
    let got = execute(probe, msg).unwrap().into_result().map(|r| r.data);
    match native {
        Ok(value) => assert_eq!(got, Ok(Some(data(value))), "{msg:?}"),
        Err(err) => assert_eq!(got, Err(StdError::from(err).to_string()), "{msg:?}"),
    }
}

fn slices(items: &[Binary]) -> Vec<&[u8]> {
    items.iter().map(Binary::as_slice).collect()
}

fn json_bool(value: bool) -> Binary {
    to_json_binary(&value).unwrap()
}

#[test]
fn ecdsa_imports_verify_and_recover() {
    let mut probe = default_probe();
    let native = NativeApi::default();

    // cosmwasm-crypto 3.0.10 testdata/secp256k1_tests.json, first entry.
    let k1_hash = hex("5ae8317d34d1e595e3fa7247db80c0af4320cce1116de187f8f7e2e099c0d8d0");
    let k1_sig = hex(
        "207082eb2c3dfa0b454e0906051270ba4074ac93760ba9e7110cd9471475111151eb0dbbc9920e72146fb564f99d039802bf6ef2561446eb126ef364d21ee9c4",
    );
    let k1_key = hex(
        "04051c1ee2190ecfb174bfe4f90763f2b4ff7517b70a2aec1876ebcfd644c4633fb03f3cfbd94b1f376e34592d9d41ccaf640bb751b00a1fadeb0c01157769eb73",
    );
    let mut k1_other_hash = k1_hash.to_vec();
    k1_other_hash[0] ^= 1;
    let verify = |message_hash: &Binary, signature: &Binary, public_key: &Binary| {
        ExecuteMsg::Secp256k1Verify {
            message_hash: message_hash.clone(),
            signature: signature.clone(),
            public_key: public_key.clone(),
        }
    };
    let valid = verify(&k1_hash, &k1_sig, &k1_key);
    assert_eq!(execute_ok(&mut probe, &valid), Some(json_bool(true)));
    let cases = [
        valid,
        verify(&k1_other_hash.into(), &k1_sig, &k1_key),
        verify(&k1_hash, &bin(&k1_sig[..63]), &k1_key),
        verify(&k1_hash, &k1_sig, &bin(&k1_key[..64])),
        verify(&bin(&k1_hash[..31]), &k1_sig, &k1_key),
    ];
    for msg in &cases {
        let ExecuteMsg::Secp256k1Verify {
            message_hash,
            signature,
            public_key,
        } = msg
        else {
            unreachable!()
        };
        assert_agrees(
            &mut probe,
            msg,
            native.secp256k1_verify(message_hash, signature, public_key),
            json_bool,
        );
    }
    assert_eq!(execute_ok(&mut probe, &cases[1]), Some(json_bool(false)));

    // cosmwasm-crypto 3.0.10 src/secp256k1.rs, recover test "calculated via
    // Secp256k1.createSignature from @cosmjs/crypto" (recovery param 1).
    let recover_sig = hex(
        "45c0b7f8c09a9e1f1cea0c25785594427b6bf8f9f878a8af0b1abbb48e16d0920d8becd0c220f67c51217eecfd7184ef0732481c843857e6bc7fc095c4f6b788",
    );
    let recovered = hex(
        "044a071e8a6e10aada2b8cf39fa3b5fb3400b04e99ea8ae64ceea1a977dbeaf5d5f8c8fbd10b71ab14cd561f7df8eb6da50f8a8d81ba564342244d26d1d4211595",
    );
    let recover = |recovery_param| ExecuteMsg::Secp256k1RecoverPubkey {
        message_hash: k1_hash.clone(),
        signature: recover_sig.clone(),
        recovery_param,
    };
    assert_eq!(execute_ok(&mut probe, &recover(1)), Some(recovered));
    for param in [0, 1, 2, 255] {
        let native = native.secp256k1_recover_pubkey(&k1_hash, &recover_sig, param);
        assert_agrees(&mut probe, &recover(param), native, Binary::from);
    }

    // cosmwasm-crypto 3.0.10 testdata/secp256r1_tests.json, first entry (the
    // NIST P-256 SHA-256 vector); the hash is SHA-256 of its message, computed
    // once with Python's hashlib.
    let r1_hash = hex("44acf6b7e36c1342c2c5897204fe09504e1e2efb1a900377dbc4e7a6a133ec56");
    let r1_sig = hex(
        "f3ac8061b514795b8843e3d6629527ed2afd6b1f6a555a7acabb5e6f79c8c2ac8bf77819ca05a6b2786c76262bf7371cef97b218e96f175a3ccdda2acc058903",
    );
    let r1_key = hex(
        "041ccbe91c075fc7f4f033bfa248db8fccd3565de94bbfb12f3c59ff46c271bf83ce4014c68811f9a21a1fdb2c0e6113e06db7ca93b7404e78dc7ccd5ca89a4ca9",
    );
    let r1_verify = |message_hash: &Binary, public_key: &Binary| ExecuteMsg::Secp256r1Verify {
        message_hash: message_hash.clone(),
        signature: r1_sig.clone(),
        public_key: public_key.clone(),
    };
    assert_eq!(
        execute_ok(&mut probe, &r1_verify(&r1_hash, &r1_key)),
        Some(json_bool(true))
    );
    assert_eq!(
        execute_ok(&mut probe, &r1_verify(&k1_hash, &r1_key)),
        Some(json_bool(false))
    );
    for (hash, key) in [
        (&r1_hash, &r1_key),
        (&k1_hash, &r1_key),
        (&r1_hash, &k1_key),
        (&r1_hash, &bin(b"bad")),
    ] {
        let native = native.secp256r1_verify(hash, &r1_sig, key);
        assert_agrees(&mut probe, &r1_verify(hash, key), native, json_bool);
    }
    let mut recovered_the_key = false;
    for param in [0, 1, 2] {
        let msg = ExecuteMsg::Secp256r1RecoverPubkey {
            message_hash: r1_hash.clone(),
            signature: r1_sig.clone(),
            recovery_param: param,
        };
        let native = native.secp256r1_recover_pubkey(&r1_hash, &r1_sig, param);
        recovered_the_key |= native
            .as_ref()
            .is_ok_and(|key| key.as_slice() == r1_key.as_slice());
        assert_agrees(&mut probe, &msg, native, Binary::from);
    }
    assert!(
        recovered_the_key,
        "one recovery param must give the vector's key"
    );
}

#[test]
fn ed25519_imports_verify_single_and_batch() {
    let mut probe = default_probe();
    let native = NativeApi::default();
    // RFC 8032 section 7.1 tests 1 and 2 (cosmwasm-crypto 3.0.10
    // testdata/ed25519_tests.json, first two entries).
    let messages = [hex(""), hex("72")];
    let keys = [
        hex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"),
        hex("3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c"),
    ];
    let sigs = [
        hex(
            "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
        ),
        hex(
            "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00",
        ),
    ];
    let single = |m: usize, s: usize, k: &Binary| ExecuteMsg::Ed25519Verify {
        message: messages[m].clone(),
        signature: sigs[s].clone(),
        public_key: k.clone(),
    };
    assert_eq!(
        execute_ok(&mut probe, &single(0, 0, &keys[0])),
        Some(json_bool(true))
    );
    assert_eq!(
        execute_ok(&mut probe, &single(1, 0, &keys[0])),
        Some(json_bool(false))
    );
    for (m, s, k) in [
        (0, 0, &keys[0]),
        (1, 1, &keys[1]),
        (1, 0, &keys[0]),
        (0, 0, &bin(&keys[0][..31])),
    ] {
        let native = native.ed25519_verify(&messages[m], &sigs[s], k);
        assert_agrees(&mut probe, &single(m, s, k), native, json_bool);
    }

    let batch = |messages: &[Binary], signatures: &[Binary], public_keys: &[Binary]| {
        ExecuteMsg::Ed25519BatchVerify {
            messages: messages.to_vec(),
            signatures: signatures.to_vec(),
            public_keys: public_keys.to_vec(),
        }
    };
    let swapped = [sigs[1].clone(), sigs[0].clone()];
    let cases = [
        batch(&messages, &sigs, &keys),
        batch(&messages, &swapped, &keys),
        batch(&messages, &sigs, &keys[..1]),
        batch(&[], &[], &[]),
    ];
    assert_eq!(execute_ok(&mut probe, &cases[0]), Some(json_bool(true)));
    assert_eq!(execute_ok(&mut probe, &cases[1]), Some(json_bool(false)));
    for msg in &cases {
        let ExecuteMsg::Ed25519BatchVerify {
            messages,
            signatures,
            public_keys,
        } = msg
        else {
            unreachable!()
        };
        let native = native.ed25519_batch_verify(
            &slices(messages),
            &slices(signatures),
            &slices(public_keys),
        );
        assert_agrees(&mut probe, msg, native, json_bool);
    }
}

#[test]
fn bls12_381_imports_aggregate_hash_and_pair() {
    let mut probe = default_probe();
    let native = NativeApi::default();
    let g1 = bin(&BLS12_381_G1_GENERATOR);
    let g2 = bin(&BLS12_381_G2_GENERATOR);

    let aggregate_g1 = |points: Binary| ExecuteMsg::Bls12381AggregateG1 { points };
    let aggregate_g2 = |points: Binary| ExecuteMsg::Bls12381AggregateG2 { points };
    let two_g1 = execute_ok(
        &mut probe,
        &aggregate_g1([g1.as_slice(), &g1].concat().into()),
    )
    .unwrap();
    let two_g2 = execute_ok(
        &mut probe,
        &aggregate_g2([g2.as_slice(), &g2].concat().into()),
    )
    .unwrap();
    for points in [[g1.as_slice(), &g1].concat(), vec![0; 48]] {
        let native = native.bls12_381_aggregate_g1(&points).map(|p| p.to_vec());
        assert_agrees(
            &mut probe,
            &aggregate_g1(points.into()),
            native,
            Binary::from,
        );
    }
    // cosmwasm-vm returns cosmwasm-crypto's codes for aggregation errors (14
    // empty, 15 not a multiple, for G1 and G2 alike), but cosmwasm-std 3.0.10
    // decodes G1 aggregation errors as 16 and 17, so a contract sees
    // "Unknown error: 14" / "15" where the native API says what went wrong.
    let unknown = |code| StdError::from(VerificationError::unknown_err(code)).to_string();
    assert_eq!(
        execute_err(&mut probe, &aggregate_g1(Binary::default())),
        unknown(14)
    );
    assert_eq!(
        execute_err(&mut probe, &aggregate_g1(bin(&g1[..47]))),
        unknown(15)
    );
    for points in [[g2.as_slice(), &g2].concat(), vec![], g2[..95].to_vec()] {
        let native = native.bls12_381_aggregate_g2(&points).map(|p| p.to_vec());
        assert_agrees(
            &mut probe,
            &aggregate_g2(points.into()),
            native,
            Binary::from,
        );
    }
    // cosmwasm-crypto 3.0.10 testdata/bls-tests/aggregate/aggregate_0x5656...json
    let signatures = [
        "882730e5d03f6b42c3abc26d3372625034e1d871b65a8a6b900a56dae22da98abbe1b68f85e49fe7652a55ec3d0591c20767677e33e5cbb1207315c41a9ac03be39c2e7668edc043d6cb1d9fd93033caa8a1c5b0e84bedaeb6c64972503a43eb",
        "af1390c3c47acdb37131a51216da683c509fce0e954328a59f93aebda7e4ff974ba208d9a4a2a2389f892a9d418d618418dd7f7a6bc7aa0da999a9d3a5b815bc085e14fd001f6a1948768a3f4afefc8b8240dda329f984cb345c6363272ba4fe",
        "a4efa926610b8bd1c8330c918b7a5e9bf374e53435ef8b7ec186abf62e1b1f65aeaaeb365677ac1d1172a1f5b44b4e6d022c252c58486c0a759fbdc7de15a756acc4d343064035667a594b4c2a6f0b0b421975977f297dba63ee2f63ffe47bb6",
    ];
    let aggregate = hex(
        "ad38fc73846583b08d110d16ab1d026c6ea77ac2071e8ae832f56ac0cbcdeb9f5678ba5ce42bd8dce334cc47b5abcba40a58f7f1f80ab304193eb98836cc14d8183ec14cc77de0f80c4ffd49e168927a968b5cdaa4cf46b9805be84ad7efa77b",
    );
    let all: Vec<u8> = signatures.iter().flat_map(|s| hex(s).to_vec()).collect();
    assert_eq!(
        execute_ok(&mut probe, &aggregate_g2(all.into())),
        Some(aggregate)
    );

    // Proof-of-possession DST as in cosmwasm-crypto's BLS verify tests.
    let pop_dst = bin(b"BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_");
    let hash_g1 = |msg: &Binary, dst: &Binary| ExecuteMsg::Bls12381HashToG1 {
        hash_function: BlsHashFunction::Sha256,
        msg: msg.clone(),
        dst: dst.clone(),
    };
    let hash_g2 = |msg: &Binary, dst: &Binary| ExecuteMsg::Bls12381HashToG2 {
        hash_function: BlsHashFunction::Sha256,
        msg: msg.clone(),
        dst: dst.clone(),
    };
    for (msg, dst) in [(bin(b"abc"), pop_dst.clone()), (bin(b""), bin(b"other"))] {
        let native_g1 = native
            .bls12_381_hash_to_g1(HashFunction::Sha256, &msg, &dst)
            .map(|p| p.to_vec());
        assert_agrees(&mut probe, &hash_g1(&msg, &dst), native_g1, Binary::from);
        let native_g2 = native
            .bls12_381_hash_to_g2(HashFunction::Sha256, &msg, &dst)
            .map(|p| p.to_vec());
        assert_agrees(&mut probe, &hash_g2(&msg, &dst), native_g2, Binary::from);
    }

    let pairing =
        |ps: &Binary, qs: &Binary, r: &Binary, s: &Binary| ExecuteMsg::Bls12381PairingEquality {
            ps: ps.clone(),
            qs: qs.clone(),
            r: r.clone(),
            s: s.clone(),
        };
    // e(G1, 2·G2) == e(2·G1, G2) by bilinearity; e(G1, G2) is not.
    assert_eq!(
        execute_ok(&mut probe, &pairing(&g1, &two_g2, &two_g1, &g2)),
        Some(json_bool(true))
    );
    assert_eq!(
        execute_ok(&mut probe, &pairing(&g1, &g2, &two_g1, &g2)),
        Some(json_bool(false))
    );
    // A BLS signature check, as cosmwasm-crypto's tests do it:
    // e(pubkey, H(msg)) == e(G1, signature). Vectors from testdata/bls-tests/
    // verify/verify_valid_case_195246ee3bd3b6ec.json and the matching
    // verify_wrong_pubkey_case (same pubkey and message, other signature).
    let pubkey = hex(
        "b53d21a4cfd562c469cc81514d4ce5a6b577d8403d32a394dc265dd190b47fa9f829fdd7963afdf972e5e77854051f6f",
    );
    let message = hex("abababababababababababababababababababababababababababababababab");
    let good_sig = hex(
        "ae82747ddeefe4fd64cf9cedb9b04ae3e8a43420cd255e3c7cd06a8d88b7c7f8638543719981c5d16fa3527c468c25f0026704a6951bde891360c7e8d12ddee0559004ccdbe6046b55bae1b257ee97f7cdb955773d7cf29adf3ccbb9975e4eb9",
    );
    let wrong_sig = hex(
        "9674e2228034527f4c083206032b020310face156d4a4685e2fcaec2f6f3665aa635d90347b6ce124eb879266b1e801d185de36a0a289b85e9039662634f2eea1e02e670bc7ab849d006a70b2f93b84597558a05b879c8d445f387a5d5b653df",
    );
    let msg_point = execute_ok(&mut probe, &hash_g2(&message, &pop_dst)).unwrap();
    let verify = |sig: &Binary| pairing(&pubkey, &msg_point, &g1, sig);
    assert_eq!(
        execute_ok(&mut probe, &verify(&good_sig)),
        Some(json_bool(true))
    );
    assert_eq!(
        execute_ok(&mut probe, &verify(&wrong_sig)),
        Some(json_bool(false))
    );
    let cases = [
        verify(&good_sig),
        pairing(&g1, &g2, &two_g1, &g2),
        pairing(&bin(&g1[..47]), &g2, &g1, &g2),
        pairing(&[g1.as_slice(), &g1].concat().into(), &g2, &g1, &g2),
        pairing(&g1, &g2, &bin(&[0; 48]), &g2),
    ];
    for msg in &cases {
        let ExecuteMsg::Bls12381PairingEquality { ps, qs, r, s } = msg else {
            unreachable!()
        };
        let native = native.bls12_381_pairing_equality(ps, qs, r, s);
        assert_agrees(&mut probe, msg, native, json_bool);
    }
}

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

    let migrate = |probe: &mut Probe, version: &str| -> Response {
        call_migrate(
            probe,
            &mock_env(),
            &json!(MigrateMsg {
                version: version.into()
            }),
        )
        .unwrap()
        .unwrap()
    };
    assert_eq!(migrate(&mut probe, "v2").data, None);
    assert_eq!(migrate(&mut probe, "v3").data, Some(bin(b"v2")));
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

fn gas_used(probe: &mut Probe) -> u64 {
    let report = probe.create_gas_report();
    report.limit - report.remaining
}

#[test]
fn loops_end_in_out_of_gas() {
    // 10^8 CosmWasm gas: enough for millions of loop iterations.
    let gas_limit = 100_000_000;
    for which in ["execute", "query"] {
        let mut probe = new_probe(MockInstanceOptions {
            gas_limit,
            ..MockInstanceOptions::default()
        });
        let result = match which {
            "execute" => execute(&mut probe, &ExecuteMsg::Loop {}).map(drop),
            _ => query(&mut probe, &QueryMsg::Loop {}).map(drop),
        };
        let Err(err @ VmError::GasDepletion { .. }) = result else {
            panic!("{which}: expected gas depletion");
        };
        assert_eq!(probe.get_gas_left(), 0, "{which}");
        eprintln!(
            "reference: Loop in {which}: {err} after {} gas",
            gas_used(&mut probe)
        );
    }
}

#[test]
fn gas_running_out_inside_an_import_is_a_runtime_error() {
    // Below the 1.54·10^8 that one secp256k1_verify costs on cosmwasm-vm.
    let gas_limit = 100_000_000;
    let mut probe = new_probe(MockInstanceOptions {
        gas_limit,
        ..MockInstanceOptions::default()
    });
    let msg = ExecuteMsg::Secp256k1Verify {
        message_hash: bin(&[0; 32]),
        signature: bin(&[0; 64]),
        public_key: bin(&[0; 33]),
    };
    let error = runtime_error(execute(&mut probe, &msg));
    assert_eq!(
        error,
        format!("{RUNTIME_ERROR_PREFIX}Ran out of gas during contract execution")
    );
    assert_eq!(probe.get_gas_left(), 0);
}

#[test]
fn recursion_returns_or_fails_cleanly() {
    let mut probe = default_probe();
    for depth in [0, 1, 1_000] {
        let got: u64 = execute_json!(&mut probe, &ExecuteMsg::Recurse { depth });
        assert_eq!(got, u64::from(depth));
    }
    let mut probe = default_probe();
    let result = execute(&mut probe, &ExecuteMsg::Recurse { depth: 10_000_000 });
    let msg = runtime_error(result);
    assert_eq!(msg, format!("{RUNTIME_ERROR_PREFIX}call stack exhausted"));
    eprintln!(
        "reference: Recurse 10^7: {msg}; gas {}",
        gas_used(&mut probe)
    );
}

#[test]
fn memory_growth_stops_at_the_limit() {
    let limit_pages = u32::try_from(MEMORY_LIMIT_BYTES as u64 / PAGE_BYTES).unwrap();
    let mut probe = new_probe(MockInstanceOptions {
        memory_limit: Some(Size::new(MEMORY_LIMIT_BYTES)),
        ..MockInstanceOptions::default()
    });
    let pages = u32::try_from(probe.memory_pages()).unwrap();
    let got: GrowMemoryResponse = execute_json!(&mut probe, &ExecuteMsg::GrowMemory { pages: 1 });
    assert_eq!(
        got,
        GrowMemoryResponse {
            previous_pages: pages
        }
    );
    // Exactly up to the limit works; one page more fails inside the contract.
    let up_to_limit = limit_pages - pages - 1;
    let got: GrowMemoryResponse =
        execute_json!(&mut probe, &ExecuteMsg::GrowMemory { pages: up_to_limit });
    assert_eq!(
        got,
        GrowMemoryResponse {
            previous_pages: pages + 1
        }
    );
    assert_eq!(probe.memory_pages(), limit_pages as usize);
    let err = execute_err(&mut probe, &ExecuteMsg::GrowMemory { pages: 1 });
    assert_eq!(
        err,
        StdError::msg("memory.grow by 1 pages failed").to_string()
    );
    assert_eq!(probe.memory_pages(), limit_pages as usize);
}

#[test]
fn huge_allocations_trap() {
    let mut probe = new_probe(MockInstanceOptions {
        memory_limit: Some(Size::new(MEMORY_LIMIT_BYTES)),
        ..MockInstanceOptions::default()
    });
    let bytes = PAGE_BYTES * 16;
    let allocated: u64 = execute_json!(&mut probe, &ExecuteMsg::Allocate { bytes });
    assert_eq!(allocated, bytes);
    let result = execute(
        &mut probe,
        &ExecuteMsg::Allocate {
            bytes: MEMORY_LIMIT_BYTES as u64,
        },
    );
    let msg = runtime_error(result);
    eprintln!(
        "reference: Allocate {MEMORY_LIMIT_BYTES} bytes: {msg}; gas {}",
        gas_used(&mut probe)
    );
}

#[test]
fn panic_and_abort_messages_reach_the_caller() {
    let mut probe = default_probe();
    // cosmwasm-std's panic hook passes "panicked at <file>:<line>:<col>:\n<msg>".
    let msg = runtime_error(execute(
        &mut probe,
        &ExecuteMsg::Panic {
            msg: "probe says no".into(),
        },
    ));
    // The file path is relative to the workspace the fixture was built in.
    let prefix = format!("{RUNTIME_ERROR_PREFIX}Aborted: panicked at ");
    assert!(msg.starts_with(&prefix), "{msg}");
    assert!(msg.contains("src/contract.rs:"), "{msg}");
    assert!(msg.ends_with(":\nprobe says no"), "{msg}");
    let mut probe = default_probe();
    let msg = runtime_error(execute(
        &mut probe,
        &ExecuteMsg::Abort {
            msg: "exact words".into(),
        },
    ));
    assert_eq!(msg, format!("{RUNTIME_ERROR_PREFIX}Aborted: exact words"));
}

#[test]
fn an_instance_that_panicked_is_poisoned() {
    // Observed on cosmwasm-vm: after a panic, every later call on the same
    // instance traps with `unreachable`, even a plain read. The panic trapped
    // inside the panic hook, so std's hook lock (and panic count) stay taken,
    // and the next entry point's `set_hook` aborts. Production hosts
    // instantiate afresh per call; a runtime that reuses instances must not
    // reuse one that trapped.
    let mut probe = default_probe();
    let panic = ExecuteMsg::Panic {
        msg: "first".into(),
    };
    assert!(runtime_error(execute(&mut probe, &panic)).contains("Aborted: panicked at "));
    for msg in [
        ExecuteMsg::Read { key: bin(b"k") },
        ExecuteMsg::Abort {
            msg: "later".into(),
        },
    ] {
        let error = runtime_error(execute(&mut probe, &msg));
        assert_eq!(
            error,
            format!("{RUNTIME_ERROR_PREFIX}unreachable"),
            "{msg:?}"
        );
    }
}
