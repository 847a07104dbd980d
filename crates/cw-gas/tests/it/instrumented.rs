//! Differential: the rewritten module (`cw_gas::instrument`) compiled by
//! plain Singlepass, without our middlewares, against the original module
//! compiled with them. Same code means same everything, so every call is
//! compared on what an embedder can see, raw: the returned values or the
//! trap, the remaining-points global as bits, the exhausted flag, the stack
//! height and its flag, and the program's own state. Under both schedules,
//! with and without a stack limit, at the full gas limit and at limits that
//! run out mid-program. (The compiled artifacts themselves differ only in
//! their source-offset tables: the rewrite's code has other byte offsets.)

use std::sync::{Arc, Mutex};

use cw_gas::instrument::{
    self, POINTS_EXHAUSTED_EXPORT, REMAINING_POINTS_EXPORT, STACK_EXHAUSTED_EXPORT,
    STACK_HEIGHT_EXPORT,
};
use cw_gas::middleware::{self, DEFAULT_STACK_LIMIT_BYTES};
use cw_gas::{CosmWasmSchedule, CostTable, GasQuantity, NearSchedule};
use proptest::prelude::*;
use wasmer::sys::NativeEngineExt;
use wasmer::{
    Engine, Function, FunctionEnv, FunctionEnvMut, Imports, Instance, Module, Store, Value, imports,
};

use crate::generator::{self, Shape};
use crate::programs::program;

/// Singlepass as the middlewares use it (NaN canonicalization on), without
/// any middleware.
/// On the native stack the runtime gives Wasm, as the original's engine.
fn plain_engine() -> Engine {
    let mut config = wasmer::sys::Singlepass::new();
    config.canonicalize_nans(true);
    let mut engine: Engine = config.into();
    engine.set_tunables(crate::NativeStack::new());
    engine
}

/// `wasm` without its custom sections, as the runtime compiles it (the
/// rewrite drops them too, and names would show in the artifacts).
fn without_custom_sections(wasm: &[u8]) -> Vec<u8> {
    let mut module = wasm_encoder::Module::new();
    for payload in wasmparser::Parser::new(0).parse_all(wasm) {
        let payload = payload.unwrap();
        if let Some((id, range)) = payload.as_section()
            && id != 0
        {
            let range = usize::try_from(range.start).unwrap()..usize::try_from(range.end).unwrap();
            module.section(&wasm_encoder::RawSection {
                id,
                data: &wasm[range],
            });
        }
    }
    module.finish()
}

/// One module both ways: the original with the middlewares, the rewrite
/// without.
pub(crate) struct Pair {
    pub(crate) original: (Store, Instance),
    pub(crate) rewritten: (Store, Instance),
}

/// Imports both instances get: `env.work` counts its calls (so a refused
/// import is visible) and returns nothing.
fn counting_imports(store: &mut Store, counter: Arc<Mutex<u32>>) -> Imports {
    let env = FunctionEnv::new(store, counter);
    let work = Function::new_typed_with_env(store, &env, |env: FunctionEnvMut<Arc<Mutex<u32>>>| {
        *env.data().lock().unwrap() += 1;
    });
    imports! { "env" => { "work" => work } }
}

fn module_imports_work(module: &Module) -> bool {
    module.imports().any(|import| import.name() == "work")
}

/// Compiles `wasm` both ways, or returns both instantiation errors (a
/// start function traps at instantiation).
pub(crate) fn pair<T: CostTable + Clone>(
    table: T,
    wasm: &[u8],
    stack_limit: Option<u64>,
) -> Result<Pair, (String, String)> {
    let stripped = without_custom_sections(wasm);
    let mut engine =
        crate::engines::singlepass_engine(table.clone(), &stripped, stack_limit).unwrap();
    engine.set_tunables(crate::NativeStack::new());
    let mut store = Store::new(engine);
    let module = Module::new(&store, &stripped).unwrap();
    let imports = if module_imports_work(&module) {
        counting_imports(&mut store, Arc::default())
    } else {
        imports! {}
    };
    let original = Instance::new(&mut store, &module, &imports).map(|i| (store, i));

    let rewritten_wasm = instrument::instrument(wasm, &table, stack_limit).unwrap();
    wasmparser::Validator::new()
        .validate_all(&rewritten_wasm)
        .expect("the rewrite is valid Wasm");
    let mut store = Store::new(plain_engine());
    let module = Module::new(&store, &rewritten_wasm).unwrap();
    let imports = if module_imports_work(&module) {
        counting_imports(&mut store, Arc::default())
    } else {
        imports! {}
    };
    let rewritten = Instance::new(&mut store, &module, &imports).map(|i| (store, i));
    match (original, rewritten) {
        (Ok(original), Ok(rewritten)) => Ok(Pair {
            original,
            rewritten,
        }),
        // The message without its backtrace (byte offsets differ: the
        // rewrite's code is laid out anew).
        (Err(a), Err(b)) => Err((first_line(&a.to_string()), first_line(&b.to_string()))),
        (a, b) => panic!(
            "instantiation differs: {:?} vs {:?}",
            a.map(|_| ()),
            b.map(|_| ())
        ),
    }
}

fn first_line(text: &str) -> String {
    text.lines().next().unwrap_or_default().to_string()
}

/// Everything an embedder sees after a call.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Observed {
    /// The results (as text, so floats compare by bits through `{:?}`),
    /// or the trap's message.
    pub(crate) returned: Result<String, String>,
    /// The remaining-points global, raw.
    pub(crate) remaining: i64,
    /// The exhausted flag.
    pub(crate) exhausted: i32,
    /// The stack height and flag, if limited.
    pub(crate) stack: Option<(i64, i32)>,
    /// The program's own exported globals, in export order.
    pub(crate) state: Vec<String>,
}

fn global(store: &mut Store, instance: &Instance, name: &str) -> Option<Value> {
    instance
        .exports
        .get_global(name)
        .ok()
        .map(|global| global.get(store))
}

/// Sets the gas (and zeroes the stack counter), calls `export` with
/// `args`, and observes.
pub(crate) fn call(
    (store, instance): &mut (Store, Instance),
    limit: u64,
    export: &str,
    args: &[Value],
) -> Observed {
    let store = &mut *store;
    middleware::set_remaining_points(store, instance, cw_gas::CwGas::from_u64(limit)).unwrap();
    if global(store, instance, STACK_HEIGHT_EXPORT).is_some() {
        middleware::reset_stack_height(store, instance).unwrap();
    }
    let function = instance.exports.get_function(export).unwrap();
    let returned = function
        .call(store, args)
        .map(|values| format!("{values:?}"))
        .map_err(|e| e.message());
    let remaining = global(store, instance, REMAINING_POINTS_EXPORT)
        .unwrap()
        .unwrap_i64();
    let exhausted = global(store, instance, POINTS_EXHAUSTED_EXPORT)
        .unwrap()
        .unwrap_i32();
    let stack = global(store, instance, STACK_HEIGHT_EXPORT).map(|height| {
        let flag = global(store, instance, STACK_EXHAUSTED_EXPORT).unwrap();
        (height.unwrap_i64(), flag.unwrap_i32())
    });
    let names: Vec<String> = instance
        .exports
        .iter()
        .filter(|(name, ext)| {
            matches!(ext, wasmer::Extern::Global(_)) && !name.starts_with("cw_gas_")
        })
        .map(|(name, _)| name.clone())
        .collect();
    let state = names
        .iter()
        .map(|name| format!("{:?}", global(store, instance, name)))
        .collect();
    Observed {
        returned,
        remaining,
        exhausted,
        stack,
        state,
    }
}

/// Runs `export` both ways at every limit in `limits` (each on the same
/// two instances, in order) and asserts identical observations; returns
/// them.
pub(crate) fn assert_same<T: CostTable + Clone>(
    table: T,
    wasm: &[u8],
    stack_limit: Option<u64>,
    export: &str,
    limits: &[u64],
) -> Vec<Observed> {
    let mut pair = match pair(table.clone(), wasm, stack_limit) {
        Ok(pair) => pair,
        Err((a, b)) => {
            assert_eq!(a, b, "instantiation errors");
            return Vec::new();
        }
    };
    limits
        .iter()
        .map(|&limit| {
            let original = call(&mut pair.original, limit, export, &[]);
            let rewritten = call(&mut pair.rewritten, limit, export, &[]);
            assert_eq!(
                original,
                rewritten,
                "{} at limit {limit}, stack {stack_limit:?}",
                table.name()
            );
            original
        })
        .collect()
}

/// Gas used by a completed call at `limit`.
fn used(observed: &Observed, limit: u64) -> Option<u64> {
    (observed.returned.is_ok() && observed.exhausted == 0 && observed.remaining >= 0)
        .then(|| limit.min(i64::MAX as u64) - observed.remaining as u64)
}

/// The full limit, then limits that cut the run at `fractions` of what it
/// used (or of a fixed budget if it never completes).
fn limits_around(total: Option<u64>, full: u64, fractions: &[f64]) -> Vec<u64> {
    let base = total.unwrap_or(full);
    let mut limits = vec![full];
    limits.extend(fractions.iter().map(|f| (base as f64 * f) as u64));
    if let Some(total) = total {
        limits.extend([total, total.saturating_sub(1)]);
    }
    limits
}

/// Full limits for the two schedules: about 4 million operators.
const CW_FULL: u64 = 500_000_000;
const NEAR_FULL: u64 = 822_756 * 4_000_000;

fn both_schedules(wasm: &[u8], stack_limit: Option<u64>, fractions: &[f64]) {
    for near in [false, true] {
        let full = if near { NEAR_FULL } else { CW_FULL };
        let first = if near {
            assert_same(NearSchedule::default(), wasm, stack_limit, "main", &[full])
        } else {
            assert_same(
                CosmWasmSchedule::default(),
                wasm,
                stack_limit,
                "main",
                &[full],
            )
        };
        let Some(first) = first.first() else { continue };
        let limits = limits_around(used(first, full), full, fractions);
        if near {
            assert_same(NearSchedule::default(), wasm, stack_limit, "main", &limits);
        } else {
            assert_same(
                CosmWasmSchedule::default(),
                wasm,
                stack_limit,
                "main",
                &limits,
            );
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    /// The exactness suite's programs (traces known by construction).
    #[test]
    fn rewritten_programs_match_the_middlewares(p in program(true), fraction in 0.0f64..1.1) {
        let wasm = wat::parse_str(p.wat()).unwrap();
        both_schedules(&wasm, None, &[fraction, 0.5]);
        both_schedules(&wasm, Some(DEFAULT_STACK_LIMIT_BYTES), &[fraction]);
    }
}

/// Seeded programs with nested blocks, `br_table` (to blocks, loops and
/// out of the function), counted loops, direct and indirect calls,
/// recursion, early returns and 0–70 extra locals, under no stack limit,
/// the default one and small ones that cut recursion at varying depths.
#[test]
fn generated_programs_match_the_middlewares() {
    let cases: u64 = std::env::var("CW_GAS_GENERATED_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(400);
    let mut cut_by_stack = 0u64;
    let mut out_of_gas = 0u64;
    for seed in 0..cases {
        let program = generator::program(seed, Shape::default());
        let wasm =
            wat::parse_str(&program).unwrap_or_else(|e| panic!("seed {seed}: {e}\n{program}"));
        let stack = match seed % 4 {
            0 => None,
            1 => Some(DEFAULT_STACK_LIMIT_BYTES),
            2 => Some(1_000 + 97 * (seed % 40)),
            _ => Some(4_096),
        };
        let observed = assert_same(
            CosmWasmSchedule::default(),
            &wasm,
            stack,
            "main",
            &[CW_FULL, 1_000_000, 37_000 + 1_000 * seed],
        );
        cut_by_stack += observed
            .iter()
            .filter(|o| o.stack.is_some_and(|s| s.1 != 0))
            .count() as u64;
        out_of_gas += observed
            .iter()
            .filter(|o| o.exhausted != 0 || o.remaining < 0)
            .count() as u64;
        assert_same(
            NearSchedule::default(),
            &wasm,
            stack,
            "main",
            &[NEAR_FULL, 822_756 * 5_000, 822_756 * (300 + 17 * seed)],
        );
    }
    // The generator must exercise what it claims to.
    eprintln!(
        "{cases} programs: stack limit hit {cut_by_stack} times, out of gas {out_of_gas} times"
    );
    assert!(
        cut_by_stack > cases / 20,
        "stack limit hit {cut_by_stack} times"
    );
    assert!(out_of_gas > cases / 4, "out of gas {out_of_gas} times");
}

/// Every limit from 0 to the total, in steps, on a program with calls, a
/// loop and a big locals count (the differential suite's program).
#[test]
fn every_limit_matches() {
    let locals = " (local".to_string() + &" i64".repeat(45) + ")";
    let wat = format!(
        r#"(module
          (func $leaf {locals} i32.const 1 drop)
          (func (export "main") (local $i i32)
            i32.const 3 local.set $i
            loop
              call $leaf
              local.get $i i32.const 1 i32.sub local.tee $i
              br_if 0
            end
            i32.const 0
            if nop else call $leaf end))"#
    );
    let wasm = wat::parse_str(&wat).unwrap();
    let limits: Vec<u64> = (0..200).map(|step| step * 97).collect();
    assert_same(CosmWasmSchedule::default(), &wasm, None, "main", &limits);
    assert_same(
        CosmWasmSchedule::default(),
        &wasm,
        Some(DEFAULT_STACK_LIMIT_BYTES),
        "main",
        &limits,
    );
    let near: Vec<u64> = (0..60).map(|step| step * 822_756 / 2).collect();
    assert_same(NearSchedule::default(), &wasm, Some(600), "main", &near);
}

/// Recursion to the stack limit: the same depth (the program counts it in
/// a global) for several frame shapes and limits.
#[test]
fn recursion_stops_at_the_same_depth() {
    for (params, locals, ty) in [(0, 0, "i32"), (3, 2, "i32"), (0, 60, "i64"), (8, 0, "f64")] {
        let p = if params > 0 {
            format!("(param{})", " i64".repeat(params))
        } else {
            String::new()
        };
        let l = if locals > 0 {
            format!("(local{})", format!(" {ty}").repeat(locals))
        } else {
            String::new()
        };
        let args = "i64.const 7 ".repeat(params);
        let wat = format!(
            r#"(module
              (global $depth (export "depth") (mut i32) (i32.const 0))
              (func $r {p} {l}
                global.get $depth i32.const 1 i32.add global.set $depth
                {args} call $r)
              (func (export "main") {args} call $r))"#
        );
        let wasm = wat::parse_str(&wat).unwrap();
        for limit in [500, 4_096, 100_000, DEFAULT_STACK_LIMIT_BYTES] {
            let observed = assert_same(
                CosmWasmSchedule::default(),
                &wasm,
                Some(limit),
                "main",
                &[u64::MAX >> 1],
            );
            assert_eq!(observed[0].stack.unwrap().1, 1, "the stack limit ends it");
            assert_same(
                NearSchedule::default(),
                &wasm,
                Some(limit),
                "main",
                &[u64::MAX >> 1],
            );
        }
    }
}

/// The stack-limit shapes: leaves reserved by direct and indirect callers,
/// an exported leaf counting itself, every exit releasing its frame, a
/// multi-value function's wrapper, and a frame larger than the limit.
#[test]
fn stack_limit_shapes_match() {
    let wat = r#"(module
      (type $v (func))
      (type $pair (func (result i32 i64)))
      (table 2 2 funcref)
      (elem (i32.const 0) $leaf $pair)
      (global $out (export "out") (mut i32) (i32.const 0))
      (func $leaf (local i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64
                         i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64))
      (func $pair (type $pair) i32.const 1 i64.const 2)
      (func $ret (result i32) i32.const 5 return)
      (func $br (result i32) i32.const 6 br 0)
      (func $brif (param i32) (result i32) i32.const 7 local.get 0 br_if 0 drop i32.const 8)
      (func (export "direct") call $leaf)
      (func (export "indirect") i32.const 0 call_indirect (type $v))
      (func (export "alone"))
      (func (export "huge") (local i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64
                                   i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64))
      (func (export "main") (result i32)
        call $pair drop drop
        call $ret call $br i32.add
        i32.const 1 call $brif i32.add
        i32.const 0 call $brif i32.add
        global.set $out global.get $out))"#;
    let wasm = wat::parse_str(wat).unwrap();
    for limit in [100, 300, 450, 500, 600, 10_000] {
        for export in ["direct", "indirect", "alone", "huge", "main"] {
            let observed = assert_same(
                CosmWasmSchedule::default(),
                &wasm,
                Some(limit),
                export,
                &[1 << 40],
            );
            if observed[0].returned.is_ok() {
                assert_eq!(
                    observed[0].stack,
                    Some((0, 0)),
                    "{export} released its frames"
                );
            }
            assert_same(
                NearSchedule::default(),
                &wasm,
                Some(limit),
                export,
                &[1 << 50],
            );
        }
    }
}

/// An import the operators cannot pay for never runs; the same on both.
#[test]
fn imports_are_charged_before_they_run() {
    let wat = r#"(module
      (import "env" "work" (func $work))
      (global $after (export "after") (mut i32) (i32.const 0))
      (func (export "main")
        i32.const 1 drop
        call $work
        i32.const 1 global.set $after))"#;
    let wasm = wat::parse_str(wat).unwrap();
    let limits: Vec<u64> = (1_830..1_850).collect();
    let observed = assert_same(CosmWasmSchedule::default(), &wasm, None, "main", &limits);
    assert!(observed.iter().any(|o| o.returned.is_err()));
    assert!(observed.iter().any(|o| o.returned.is_ok()));
    let near: Vec<u64> = (1..8)
        .map(|n| n * 822_756 - 1)
        .chain([0, 5 * 822_756])
        .collect();
    assert_same(NearSchedule::default(), &wasm, Some(4_096), "main", &near);
}

/// NEAR's precharge: the specification's example pays its whole block
/// before the trap, and nothing runs if it cannot.
#[test]
fn precharged_blocks_match() {
    let wat = r#"(module (func (export "main") nop block nop unreachable nop end nop))"#;
    let wasm = wat::parse_str(wat).unwrap();
    let op = 822_756;
    assert_same(
        NearSchedule::default(),
        &wasm,
        None,
        "main",
        &[6 * op, 6 * op - 1, 0],
    );
    assert_same(
        CosmWasmSchedule::default(),
        &wasm,
        None,
        "main",
        &[1_000, 0],
    );
}

/// A start function traps at instantiation (no gas is set yet) on both,
/// with the same message.
#[test]
fn start_functions_trap_at_instantiation() {
    for locals in [0, 40] {
        let decl = if locals > 0 {
            format!("(local{})", " i32".repeat(locals))
        } else {
            String::new()
        };
        let wat = format!(
            r#"(module (func $start {decl} i32.const 1 drop nop) (start $start)
                 (func (export "main")))"#
        );
        let wasm = wat::parse_str(&wat).unwrap();
        for stack in [None, Some(DEFAULT_STACK_LIMIT_BYTES)] {
            match pair(CosmWasmSchedule::default(), &wasm, stack) {
                Err((a, b)) => assert_eq!(a, b),
                Ok(_) => panic!("a start function must trap at instantiation"),
            }
            match pair(NearSchedule::default(), &wasm, stack) {
                Err((a, b)) => assert_eq!(a, b),
                Ok(_) => panic!("a start function must trap at instantiation"),
            }
        }
    }
}

/// A module that already exports a name the middlewares use: Wasmer's
/// export map replaces it, and so does the rewrite.
#[test]
fn colliding_exports_are_replaced() {
    let wat = r#"(module
      (func (export "cw_gas_remaining_points") (result i32) i32.const 7)
      (func (export "main") nop))"#;
    let wasm = wat::parse_str(wat).unwrap();
    assert_same(
        CosmWasmSchedule::default(),
        &wasm,
        None,
        "main",
        &[10_000, 1],
    );
}

/// Floats compute the same on both (the code is the same; NaN
/// canonicalization is Singlepass's own on both sides).
#[test]
fn float_programs_match() {
    let wat = r#"(module
      (global $a (export "a") (mut f64) (f64.const 0))
      (global $b (export "b") (mut f32) (f32.const 0))
      (func (export "main")
        f64.const 0 f64.const 0 f64.div global.set $a
        f32.const nan:0x200001 f64.promote_f32 f64.const 1 f64.add f32.demote_f64 global.set $b))"#;
    let wasm = wat::parse_str(wat).unwrap();
    assert_same(
        CosmWasmSchedule::default(),
        &wasm,
        Some(4_096),
        "main",
        &[1 << 30],
    );
}
