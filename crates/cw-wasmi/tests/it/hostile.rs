//! Hostile modules on both engines: running out of gas at many points,
//! recursion to the stack limit in several frame shapes, every trap, memory
//! at its edges, imports called from inside `allocate` (the path where
//! cw-wasmi lends the running import's context through a raw pointer), and
//! ABI misuse. Each call is compared whole (result or failure, gas per
//! category, storage) by the harness; the assertions here say which
//! failure each case must reach, so a case that stopped testing what it
//! names fails too.

use cw_gas::{CosmWasmSchedule, CostTable, NearSchedule};
use cw_host::{EntryPoint, ExportProblem, HostError, VmFailure};

use crate::fixtures::{CW_LIMIT, NEAR_LIMIT};
use crate::harness::{Engines, Outcome, SENDER, Settings};

/// A contract-shaped module: a bump `allocate` (regions from 4096 up),
/// a `deallocate` that does nothing, `{}` as the result of `execute`
/// (region at 60), and `extra` (imports, functions, an `execute`, ...).
/// `allocate` runs `in_allocate` first.
fn contract(pages: u32, in_allocate: &str, extra: &str) -> Vec<u8> {
    let text = format!(
        r#"(module
          {imports}
          (memory (export "memory") {pages})
          (global $next (mut i32) (i32.const 4096))
          (global $in_execute (mut i32) (i32.const 0))
          ;; the key "k" at 16, its region at 32; "{{}}" at 24, its region at 60
          (data (i32.const 16) "k")
          (data (i32.const 24) "{{}}")
          (data (i32.const 32) "\10\00\00\00\01\00\00\00\01\00\00\00")
          (data (i32.const 60) "\18\00\00\00\02\00\00\00\02\00\00\00")
          (func (export "interface_version_8"))
          (func (export "deallocate") (param i32))
          (func (export "allocate") (param $size i32) (result i32)
            (local $ptr i32)
            (if (global.get $in_execute) (then {in_allocate}))
            (local.set $ptr (global.get $next))
            (i32.store (local.get $ptr) (i32.add (local.get $ptr) (i32.const 12)))
            (i32.store offset=4 (local.get $ptr) (local.get $size))
            (i32.store offset=8 (local.get $ptr) (i32.const 0))
            (global.set $next
              (i32.add (global.get $next) (i32.add (local.get $size) (i32.const 12))))
            (local.get $ptr))
          {extra})"#,
        imports = r#"(import "env" "db_read" (func $db_read (param i32) (result i32)))
          (import "env" "db_write" (func $db_write (param i32 i32)))
          (import "env" "abort" (func $abort (param i32)))"#,
    );
    wat::parse_str(text).expect("valid wat")
}

/// A module whose `execute(env, info, msg)` runs `body` and returns `{}`.
fn executing(pages: u32, extra: &str, body: &str) -> Vec<u8> {
    contract(
        pages,
        "",
        &format!(
            r#"{extra}
            (func (export "execute") (param i32 i32 i32) (result i32)
              {body}
              (i32.const 60))"#
        ),
    )
}

fn both<F: Fn(&mut dyn Case)>(wasm: &[u8], settings: Settings, check: F) {
    let mut cw = Engines::new(wasm, CosmWasmSchedule::default(), settings);
    check(&mut Limited {
        engines: &mut cw,
        limit: CW_LIMIT,
    });
    let mut near = Engines::new(wasm, NearSchedule::default(), settings);
    check(&mut Limited {
        engines: &mut near,
        limit: NEAR_LIMIT,
    });
}

/// One module on both engines under one schedule.
trait Case {
    /// `execute` at the schedule's full limit, compared.
    fn execute(&mut self) -> Outcome;
    /// `execute` at the full limit, then cut at several points of what it
    /// used (exactly enough, one less, fractions), compared at each.
    fn execute_cut(&mut self) -> Outcome;
    /// `execute` at each of `limits` (in the schedule's unit), compared.
    fn execute_at(&mut self, limits: &[u64]) -> Vec<Outcome>;
    /// `entry` with `msg` at the full limit, compared.
    fn call(&mut self, entry: EntryPoint, msg: &str) -> Outcome;
    /// Writes `value` at `key` on both sides.
    fn put(&mut self, key: &[u8], value: &[u8]);
}

struct Limited<'a, T: CostTable + Clone> {
    engines: &'a mut Engines<T>,
    limit: u64,
}

impl<T: CostTable + Clone> Case for Limited<'_, T> {
    fn execute(&mut self) -> Outcome {
        self.engines
            .call(EntryPoint::Execute, SENDER, "{}", self.limit)
    }
    fn execute_cut(&mut self) -> Outcome {
        self.engines
            .call_and_cut(EntryPoint::Execute, SENDER, "{}", self.limit)
    }
    fn execute_at(&mut self, limits: &[u64]) -> Vec<Outcome> {
        self.engines
            .call_at_limits(EntryPoint::Execute, SENDER, "{}", limits)
    }
    fn call(&mut self, entry: EntryPoint, msg: &str) -> Outcome {
        self.engines.call(entry, SENDER, msg, self.limit)
    }
    fn put(&mut self, key: &[u8], value: &[u8]) {
        self.engines.put(key, value);
    }
}

#[test]
fn an_endless_loop_runs_out_of_gas_at_every_limit() {
    let wasm = executing(1, "", "(loop $l (br $l))");
    both(&wasm, Settings::default(), |case| {
        let limits: Vec<u64> = (0..11).map(|i| 1u64 << (i * 3)).collect();
        for outcome in case.execute_at(&limits) {
            assert_eq!(outcome.result, Err(VmFailure::OutOfGas));
        }
    });
}

#[test]
fn long_runs_need_no_native_stack() {
    // Ten million loop iterations on a thread with 1 MiB of native stack:
    // wasmi's dispatch must not take native stack per instruction (it does
    // when its tail-call dispatch is built without tail calls).
    let wasm = executing(
        1,
        "",
        r#"(local.set 0 (i32.const 10000000))
           (loop $l
             (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
             (br_if $l (local.get 0)))"#,
    );
    let run = move || {
        let mut engines = Engines::new(&wasm, CosmWasmSchedule::default(), Settings::default());
        engines
            .call(EntryPoint::Execute, SENDER, "{}", CW_LIMIT)
            .result
    };
    let result = std::thread::Builder::new()
        .stack_size(1 << 20)
        .spawn(run)
        .unwrap()
        .join()
        .unwrap();
    assert_eq!(result, Ok(b"{}".to_vec()));
}

#[test]
fn straight_code_and_loops_run_out_at_the_same_point() {
    // Work in a loop with a branch out, stores, a call and the locals
    // surcharge (40 declared locals): every limit between 0 and what it
    // uses, on both engines.
    let wasm = executing(
        2,
        r#"(func $work (param $n i32) (result i32)
             (local i64 i64 i64 i64 i64 i64 i64 i64 i64 i64
                    i64 i64 i64 i64 i64 i64 i64 i64 i64 i64
                    i64 i64 i64 i64 i64 i64 i64 i64 i64 i64
                    i64 i64 i64 i64 i64 i64 i64 i64 i64)
             (local $acc i32)
             (block $done
               (loop $l
                 (br_if $done (i32.eqz (local.get $n)))
                 (i32.store (i32.const 2048) (local.get $n))
                 (local.set $acc (i32.add (local.get $acc) (i32.load (i32.const 2048))))
                 (local.set $n (i32.sub (local.get $n) (i32.const 1)))
                 (br $l)))
             (local.get $acc))"#,
        "(drop (call $work (i32.const 300)))",
    );
    both(&wasm, Settings::default(), |case| {
        let full = case.execute_cut();
        assert_eq!(full.result, Ok(b"{}".to_vec()));
        let used = full.used;
        let limits: Vec<u64> = (0..=40).map(|i| used * i / 40).collect();
        let outcomes = case.execute_at(&limits);
        assert_eq!(outcomes.last().unwrap().result, Ok(b"{}".to_vec()));
        assert!(
            outcomes[..40]
                .iter()
                .all(|o| o.result == Err(VmFailure::OutOfGas))
        );
    });
}

/// Recursion shapes: (extra function, how `execute` calls it).
fn recursion(locals: &str, params: &str, held: usize, depth: u64) -> Vec<u8> {
    let pushes = "(i64.const 7) ".repeat(held);
    let drops = "(drop) ".repeat(held);
    let args = if params.is_empty() {
        String::new()
    } else {
        params
            .split_whitespace()
            .map(|ty| format!("({ty}.const 1) "))
            .collect()
    };
    let param_decl = if params.is_empty() {
        String::new()
    } else {
        format!("(param {params})")
    };
    executing(
        1,
        &format!(
            r#"(global $depth (mut i64) (i64.const 0))
            (func $down {param_decl} {locals}
              {pushes}
              (global.set $depth (i64.add (global.get $depth) (i64.const 1)))
              (if (i64.lt_u (global.get $depth) (i64.const {depth}))
                (then (call $down {args})))
              {drops})"#
        ),
        &format!("(call $down {args})"),
    )
}

#[test]
fn deep_recursion_hits_the_stack_limit_at_the_same_depth() {
    for (locals, params, held) in [
        ("", "", 0),
        ("(local i64 i64 i64 i64 i64 i64 i64 i64 i64 i64)", "", 0),
        ("", "i64 i64 i64 i64 i64 i64 i64 i64 i64 i64", 20),
        ("", "", 100),
    ] {
        // Unbounded: fails on the stack limit on both.
        let wasm = recursion(locals, params, held, u64::MAX);
        both(&wasm, Settings::default(), |case| {
            let outcome = case.execute();
            assert_eq!(
                outcome.result,
                Err(VmFailure::StackLimit),
                "{locals} {params} {held}"
            );
        });
        // A smaller limit: the deepest depth that completes and one more,
        // found by bisection on the Wasmer path and compared at each step.
        let settings = Settings {
            stack_limit_bytes: 64 * 1024,
            ..Settings::default()
        };
        let (mut ok, mut fails) = (1u64, 100_000u64);
        while fails - ok > 1 {
            let mid = (ok + fails) / 2;
            let wasm = recursion(locals, params, held, mid);
            let mut engines = Engines::new(&wasm, CosmWasmSchedule::default(), settings);
            let outcome = engines.call(EntryPoint::Execute, SENDER, "{}", CW_LIMIT);
            match outcome.result {
                Ok(_) => ok = mid,
                Err(VmFailure::StackLimit) => fails = mid,
                other => panic!("{other:?}"),
            }
        }
        assert!(ok > 10, "{locals} {params} {held}: only {ok} levels");
        // The boundary, cut by gas too.
        for depth in [ok, fails] {
            let wasm = recursion(locals, params, held, depth);
            both(&wasm, settings, |case| {
                case.execute_cut();
            });
        }
    }
}

#[test]
fn every_trap_reads_the_same() {
    for (body, message) in [
        ("(unreachable)", "unreachable"),
        (
            "(drop (i32.div_u (i32.const 1) (i32.const 0)))",
            "integer divide by zero",
        ),
        (
            "(drop (i32.div_s (i32.const -2147483648) (i32.const -1)))",
            "integer overflow",
        ),
        (
            "(drop (i32.trunc_f64_s (f64.const 1e100)))",
            "integer overflow",
        ),
        (
            "(drop (i64.trunc_f32_u (f32.const nan)))",
            "invalid conversion to integer",
        ),
        (
            "(drop (i32.load (i32.const 65533)))",
            "out of bounds memory access",
        ),
        (
            "(i64.store (i32.const -1) (i64.const 0))",
            "out of bounds memory access",
        ),
        (
            "(call_indirect (type $t) (i32.const 5))",
            "undefined element: out of bounds table access",
        ),
        (
            "(call_indirect (type $t) (i32.const 1))",
            "uninitialized element",
        ),
        (
            "(call_indirect (type $t) (i32.const 0))",
            "indirect call type mismatch",
        ),
    ] {
        let wasm = executing(
            1,
            r#"(type $t (func))
               (type $u (func (param i32)))
               (func $other (param i32))
               (table 2 2 funcref)
               (elem (i32.const 0) $other)"#,
            body,
        );
        both(&wasm, Settings::default(), |case| {
            let outcome = case.execute_cut();
            assert_eq!(
                outcome.result,
                Err(VmFailure::Trap {
                    message: message.to_string()
                }),
                "{body}"
            );
        });
    }
}

#[test]
fn memory_at_its_edges() {
    // The last byte of the memory, a grow within the limit and its use, a
    // grow past the limit (returns -1, as `memory.size` then shows).
    let wasm = executing(
        1,
        "",
        r#"(i32.store8 (i32.const 65535) (i32.const 9))
           (if (i32.ne (i32.load8_u (i32.const 65535)) (i32.const 9)) (then unreachable))
           (if (i32.ne (memory.grow (i32.const 3)) (i32.const 1)) (then unreachable))
           (i32.store (i32.const 262140) (i32.const 1))
           (if (i32.ne (memory.grow (i32.const 100)) (i32.const -1)) (then unreachable))
           (if (i32.ne (memory.size) (i32.const 4)) (then unreachable))"#,
    );
    let settings = Settings {
        memory_limit_bytes: 4 * 65_536,
        ..Settings::default()
    };
    both(&wasm, settings, |case| {
        assert_eq!(case.execute_cut().result, Ok(b"{}".to_vec()));
    });
    // One byte past the grown memory traps.
    let wasm = executing(
        1,
        "",
        r#"(drop (memory.grow (i32.const 1)))
           (drop (i32.load16_u (i32.const 131071)))"#,
    );
    both(&wasm, Settings::default(), |case| {
        assert_eq!(
            case.execute_cut().result,
            Err(VmFailure::Trap {
                message: "out of bounds memory access".into()
            })
        );
    });
    // A memory declared above the limit cannot be instantiated.
    let wasm = executing(5, "", "");
    let settings = Settings {
        memory_limit_bytes: 4 * 65_536,
        ..Settings::default()
    };
    both(&wasm, settings, |case| {
        assert_eq!(
            case.execute().result,
            Err(VmFailure::MemoryLimit {
                initial_pages: 5,
                limit_pages: 4
            })
        );
    });
}

/// `execute` reads key `k`, so the host allocates the value's region
/// through `allocate`, which (while `execute` runs) does `in_allocate`:
/// guest code running inside an import, calling imports itself, against
/// the lent context of the import that allocates.
fn allocating(in_allocate: &str) -> Vec<u8> {
    contract(
        2,
        in_allocate,
        r#"(func (export "execute") (param i32 i32 i32) (result i32)
             (global.set $in_execute (i32.const 1))
             (drop (call $db_read (i32.const 32)))
             (global.set $in_execute (i32.const 0))
             (i32.const 60))"#,
    )
}

#[test]
fn imports_called_from_allocate_share_the_running_call() {
    // A write from inside `allocate` (itself inside `db_read`): it lands in
    // the call's storage and is charged to the call's meter.
    let wasm = allocating("(call $db_write (i32.const 32) (i32.const 60))");
    both(&wasm, Settings::default(), |case| {
        case.put(b"k", b"value");
        let outcome = case.execute_cut();
        assert_eq!(outcome.result, Ok(b"{}".to_vec()));
    });
    // A read from inside `allocate` allocates again: the third level of
    // host-to-guest calls is refused (cosmwasm-vm's call depth of 2).
    let wasm = allocating("(drop (call $db_read (i32.const 32)))");
    both(&wasm, Settings::default(), |case| {
        case.put(b"k", b"value");
        let outcome = case.execute_cut();
        assert!(
            matches!(
                outcome.result,
                Err(VmFailure::Host(HostError::CallDepth { .. }))
            ),
            "{outcome:?}"
        );
    });
    // An abort from inside `allocate` reaches the caller as the abort.
    let wasm = allocating("(call $abort (i32.const 60))");
    both(&wasm, Settings::default(), |case| {
        case.put(b"k", b"value");
        let outcome = case.execute_cut();
        assert_eq!(
            outcome.result,
            Err(VmFailure::Aborted {
                message: "{}".into()
            })
        );
    });
    // `allocate` loops forever inside the import: out of gas, at limits
    // below and above what the import itself charges.
    let wasm = allocating("(loop $l (br $l))");
    both(&wasm, Settings::default(), |case| {
        case.put(b"k", b"value");
        for outcome in case.execute_at(&[1_000_000, 100_000_000, 3_000_000_000]) {
            assert_eq!(outcome.result, Err(VmFailure::OutOfGas));
        }
    });
    // `allocate` traps inside the import.
    let wasm = allocating("(unreachable)");
    both(&wasm, Settings::default(), |case| {
        case.put(b"k", b"value");
        assert!(
            matches!(
                case.execute().result,
                Err(VmFailure::Host(HostError::Allocation { .. }))
            ),
            "allocation failure"
        );
    });
}

#[test]
fn abi_misuse_fails_alike() {
    // No `execute` export at all.
    let wasm = contract(1, "", "");
    both(&wasm, Settings::default(), |case| {
        assert_eq!(
            case.execute().result,
            Err(VmFailure::MissingExport { name: "execute" })
        );
    });
    // `execute` of the wrong arity; a result region out of bounds; an
    // `execute` returning nothing.
    let wasm = contract(
        1,
        "",
        r#"(func (export "execute") (param i32 i32) (result i32) (i32.const 60))
           (func (export "query") (param i32 i32) (result i32) (i32.const 65530))
           (func (export "sudo") (param i32 i32))"#,
    );
    both(&wasm, Settings::default(), |case| {
        assert!(matches!(
            case.execute().result,
            Err(VmFailure::Host(HostError::GuestExport {
                problem: ExportProblem::Arity { .. },
                ..
            }))
        ));
        assert!(matches!(
            case.call(EntryPoint::Query, "{}").result,
            Err(VmFailure::BadResult(_))
        ));
        assert!(matches!(
            case.call(EntryPoint::Sudo, "{}").result,
            Err(VmFailure::Host(HostError::GuestExport {
                problem: ExportProblem::ResultCount { .. },
                ..
            }))
        ));
    });
    // `allocate` returns 0.
    let wasm = wat::parse_str(
        r#"(module
          (memory (export "memory") 1)
          (func (export "interface_version_8"))
          (func (export "allocate") (param i32) (result i32) (i32.const 0))
          (func (export "deallocate") (param i32))
          (func (export "execute") (param i32 i32 i32) (result i32) (i32.const 0)))"#,
    )
    .unwrap();
    both(&wasm, Settings::default(), |case| {
        assert!(matches!(
            case.execute().result,
            Err(VmFailure::Host(HostError::ZeroAddress { .. }))
        ));
    });
}
