//! What the reference does for each misbehaviour: the behaviour to match.

use super::*;

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
    tests::run_alone("probe_reference::misbehaviour::unbounded_recursion_exhausts_the_stack_alone");
}

/// Run alone by `recursion_returns_or_fails_cleanly`, on Wasmer's default
/// 1 MiB stack as on a chain ([`tests::run_alone`] says why).
#[test]
#[ignore = "run by recursion_returns_or_fails_cleanly in a process of its own"]
fn unbounded_recursion_exhausts_the_stack_alone() {
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
