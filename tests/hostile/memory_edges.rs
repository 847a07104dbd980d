//! Issue 20: the memory-edge suite. Every load and store width at the edges
//! of memory (the first byte, the last valid address, one past it,
//! straddling the end, a page past it, 2 GiB, 4 GiB minus the width, and
//! offsets that carry the effective address to and past 4 GiB), for
//! memories of 0, 1 and 4 pages, in `allocate` (before an empty memory was
//! ever grown), in an entry point, after `memory.grow`, and on an instance
//! reset after a call that grew (in `allocate` and in an entry point).
//!
//! Each case runs on a new Singlepass instance, on one Singlepass instance
//! reset between calls (the pool's path), on Cranelift (tier-up), from a
//! disk-cache artifact, and on cosmwasm-vm, the reference: the same trap
//! or the same result bytes, and the same gas. Independently of the
//! reference, an access traps exactly when the Wasm spec says it must
//! (`address + offset + width > size`). All of it beside many live
//! instances whose memories hold a canary that must never change nor show
//! in a result, so that a missed check would hit mapped memory instead of
//! faulting by luck.
//!
//! The first finding (a 0-page contract read and wrote other instances'
//! memory: Singlepass's bounds check wraps around at size zero) is the
//! `allocate` phase with 0 pages, and `neighbours_of_an_empty_memory_are_out_of_reach`.

use cw_host::EntryPoint;
use cw_host::testing::SharedStorage;
use cw_oracle::canary::{Neighbours, shows_canary};
use cw_oracle::ours::{Schedule, call_on};
use cw_oracle::{
    Call, Failure, MemoryOp, MemoryProgram, Observed, Ours, Reference, ReferenceStore, Step,
    compare,
};
use cw_runtime::{CompileConfig, Compiler, ContractInstance, ModuleCache};

/// The memory limit of every instance, ours and the reference's.
const MEMORY_LIMIT_BYTES: u64 = cw_oracle::memory_diff::MEMORY_LIMIT_BYTES;
const PAGE: u32 = cw_oracle::memory_program::PAGE_BYTES;
const GAS_LIMIT: u64 = cw_oracle::memory_diff::GAS_LIMIT;
/// Neighbouring instances each test keeps alive.
const NEIGHBOURS: usize = 32;
/// What the reset cases store in the pages they grow.
const MARKER: u64 = 0x5EED_0000_0000_5EED;

fn env() -> Vec<u8> {
    cw_oracle::mock_env_bytes()
}

fn neighbours() -> Neighbours {
    Neighbours::new(NEIGHBOURS, MEMORY_LIMIT_BYTES)
}

/// Where an access lands: the effective address (up to 33 bits) split into
/// the operand and the offset immediate.
fn access(op: MemoryOp, effective: u64, value: u64) -> Step {
    let (address, offset) = match u32::try_from(effective) {
        Ok(address) => (address, 0),
        Err(_) => {
            let offset = u32::MAX;
            let address = u32::try_from(effective - u64::from(offset)).expect("33-bit address");
            (address, offset)
        }
    };
    Step::Access {
        op,
        address,
        offset,
        value,
    }
}

/// The effective addresses probed against a memory of `size` bytes.
fn edges(size: u64, width: u64) -> Vec<u64> {
    let page = u64::from(PAGE);
    let four_gib = 1u64 << 32;
    let mut at = vec![
        0,
        size.saturating_sub(width),
        size.saturating_sub(width) + 1,
        size.saturating_sub(1),
        size,
        size + page - width,
        1 << 31,
        four_gib - width,
        four_gib,
        four_gib + 8,
        four_gib - 1 + u64::from(u32::MAX),
    ];
    at.sort_unstable();
    at.dedup();
    at
}

/// Whether the Wasm spec says the access traps.
fn spec_traps(step: &Step, size: u64) -> bool {
    match *step {
        Step::Access {
            op,
            address,
            offset,
            ..
        } => u64::from(address) + u64::from(offset) + u64::from(op.width()) > size,
        _ => false,
    }
}

/// One call of a case: which entry point, which env, and whether the spec
/// says it traps.
struct CaseCall {
    entry: EntryPoint,
    env: Vec<u8>,
    traps: bool,
}

/// How a case's module is run on this runtime.
struct Runs {
    singlepass: Ours,
    cranelift: Option<Ours>,
    from_disk: Option<Ours>,
}

/// Compiles `wasm` for every path this case takes.
fn compile_runs(wasm: &[u8], cranelift: bool, disk: Option<&std::path::Path>) -> Runs {
    let singlepass = Ours::compile(wasm, Compiler::Singlepass, MEMORY_LIMIT_BYTES).unwrap();
    let cranelift =
        cranelift.then(|| Ours::compile(wasm, Compiler::Cranelift, MEMORY_LIMIT_BYTES).unwrap());
    let from_disk = disk.map(|dir| {
        let config: CompileConfig<Schedule> = cw_oracle::ours::compile_config();
        // One cache writes the artifact; a second, empty in memory, loads it.
        ModuleCache::new(config.clone(), 1 << 20, Some(dir))
            .unwrap()
            .get(wasm)
            .unwrap();
        let (module, tier) = ModuleCache::new(config, 1 << 20, Some(dir))
            .unwrap()
            .get(wasm)
            .unwrap();
        assert_eq!(tier, cw_runtime::CacheTier::Disk);
        Ours::from_module(module, MEMORY_LIMIT_BYTES)
    });
    Runs {
        singlepass,
        cranelift,
        from_disk,
    }
}

/// Runs `calls` in order on every path and on the reference; asserts they
/// all agree, that each call traps exactly when the spec says, and that
/// no result carries the canary. Returns the reference's outcomes.
fn run_case(
    label: &str,
    program: &MemoryProgram,
    calls: &[CaseCall],
    runs: &Runs,
) -> Vec<Observed> {
    let wasm = program.to_wasm();
    let reference = Reference::compile(&wasm, MEMORY_LIMIT_BYTES as usize).unwrap();
    let info = cw_oracle::info_bytes("attacker");
    let mut kept: Vec<(&str, ContractInstance<Schedule>)> =
        vec![("pooled singlepass", runs.singlepass.instance().unwrap())];
    if let Some(cranelift) = &runs.cranelift {
        kept.push(("pooled cranelift", cranelift.instance().unwrap()));
    }
    if let Some(from_disk) = &runs.from_disk {
        kept.push(("pooled disk artifact", from_disk.instance().unwrap()));
    }
    let mut observed = Vec::new();
    for (index, case_call) in calls.iter().enumerate() {
        let call = Call {
            entry: case_call.entry,
            env: &case_call.env,
            info: matches!(
                case_call.entry,
                EntryPoint::Execute | EntryPoint::Instantiate
            )
            .then_some(info.as_slice()),
            msg: b"{}",
            gas_limit: GAS_LIMIT,
        };
        let theirs = reference.call(&call, &ReferenceStore::default());
        let where_ = format!("{label}, call {index}");
        match &theirs.result {
            Err(Failure::Trap(text)) => assert!(
                case_call.traps && text == "out of bounds memory access",
                "{where_}: the reference trapped ({text}) where the spec says {}",
                case_call.traps
            ),
            Ok(bytes) => {
                assert!(!case_call.traps, "{where_}: the reference did not trap");
                assert!(!shows_canary(bytes), "{where_}: read the canary");
            }
            Err(other) => panic!("{where_}: the reference failed otherwise: {other}"),
        }
        let fresh = runs.singlepass.call(&call, &SharedStorage::new());
        compare(fresh, theirs.clone())
            .unwrap_or_else(|d| panic!("{where_}, new singlepass instance:\n{d}"));
        for (path, instance) in &mut kept {
            if index > 0 {
                instance.reset().unwrap();
            }
            let ours = call_on(instance, &call, &SharedStorage::new());
            compare(ours, theirs.clone()).unwrap_or_else(|d| panic!("{where_}, {path}:\n{d}"));
        }
        observed.push(theirs);
    }
    observed
}

/// The size an entry point sees: `allocate` grows an empty memory to one
/// page for its arena (the arguments fit in it).
fn entry_pages(initial: u32) -> u32 {
    initial.max(1)
}

const SIZES: [u32; 3] = [0, 1, 4];

/// One load and one store of each width: the cases run on every path.
const BY_WIDTH: [MemoryOp; 8] = [
    MemoryOp::I32Load8U,
    MemoryOp::I32Store8,
    MemoryOp::I64Load16S,
    MemoryOp::I32Store16,
    MemoryOp::F32Load,
    MemoryOp::I64Store32,
    MemoryOp::I64Load,
    MemoryOp::F64Store,
];

/// Runs every edge of every op in `ops` for each size, the access placed by
/// `place` (which returns the program and its calls for one access, given
/// the size in bytes the access will see).
fn sweep(
    phase: &str,
    ops: &[MemoryOp],
    slow_paths: bool,
    size_at_access: impl Fn(u32) -> u32,
    place: impl Fn(u32, Step) -> (MemoryProgram, Vec<CaseCall>),
) -> usize {
    let mut neighbours = neighbours();
    let disk = tempfile::tempdir().unwrap();
    let mut cases = 0;
    for initial in SIZES {
        let size = u64::from(size_at_access(initial)) * u64::from(PAGE);
        for &op in ops {
            for effective in edges(size, u64::from(op.width())) {
                let step = access(op, effective, MARKER.rotate_left(7));
                let (program, calls) = place(initial, step);
                let runs = compile_runs(
                    &program.to_wasm(),
                    slow_paths,
                    slow_paths.then_some(disk.path()),
                );
                let label = format!("{phase}, {initial} pages, {op:?} at {effective:#x}");
                run_case(&label, &program, &calls, &runs);
                cases += 1;
            }
        }
        neighbours.check().unwrap();
    }
    cases
}

fn one_call(entry: EntryPoint, traps: bool) -> Vec<CaseCall> {
    vec![CaseCall {
        entry,
        env: env(),
        traps,
    }]
}

#[test]
fn in_allocate_before_an_empty_memory_grows() {
    let place = |initial: u32, step: Step| {
        let traps = spec_traps(&step, u64::from(initial * PAGE));
        let program = MemoryProgram {
            initial_pages: initial,
            in_allocate: vec![step],
            allocate_gate: None,
            in_execute: vec![],
            in_query: vec![],
        };
        (program, one_call(EntryPoint::Execute, traps))
    };
    let cases = sweep("allocate", &MemoryOp::ALL, false, |p| p, place);
    let cases = cases + sweep("allocate", &BY_WIDTH, true, |p| p, place);
    eprintln!("memory edges, allocate phase: {cases} cases");
}

#[test]
fn in_an_entry_point() {
    let place = |initial: u32, step: Step| {
        let traps = spec_traps(&step, u64::from(entry_pages(initial) * PAGE));
        let program = MemoryProgram {
            initial_pages: initial,
            in_allocate: vec![],
            allocate_gate: None,
            in_execute: vec![],
            in_query: vec![step],
        };
        (program, one_call(EntryPoint::Query, traps))
    };
    let cases = sweep("query", &MemoryOp::ALL, false, entry_pages, place);
    let cases = cases + sweep("query", &BY_WIDTH, true, entry_pages, place);
    eprintln!("memory edges, entry-point phase: {cases} cases");
}

#[test]
fn after_memory_grow() {
    let grown = |initial: u32| entry_pages(initial) + 2;
    let place = |initial: u32, step: Step| {
        let traps = spec_traps(&step, u64::from(grown(initial) * PAGE));
        let program = MemoryProgram {
            initial_pages: initial,
            in_allocate: vec![],
            allocate_gate: None,
            in_execute: vec![Step::Grow(2), step],
            in_query: vec![],
        };
        (program, one_call(EntryPoint::Execute, traps))
    };
    let cases = sweep("after grow", &BY_WIDTH, true, grown, place);
    eprintln!("memory edges, after memory.grow: {cases} cases");
}

/// The first call grows by two pages and writes a marker at the end of each
/// grown page; the second, on the reset instance (a new one on the
/// reference), accesses the edges of the grown size, which a reset must
/// have taken away: in an entry point, and in `allocate` before anything
/// grew again (an empty memory is empty again).
#[test]
fn on_a_reset_instance_after_a_call_that_grew() {
    let grown = |initial: u32| entry_pages(initial) + 2;
    let growth = |initial: u32| {
        let mut steps = vec![Step::Grow(2)];
        for page in entry_pages(initial)..grown(initial) {
            steps.push(access(
                MemoryOp::I64Store,
                u64::from((page + 1) * PAGE - 8),
                MARKER,
            ));
        }
        steps
    };
    let in_entry = |initial: u32, step: Step| {
        let traps = spec_traps(&step, u64::from(entry_pages(initial) * PAGE));
        let program = MemoryProgram {
            initial_pages: initial,
            in_allocate: vec![],
            allocate_gate: None,
            in_execute: growth(initial),
            in_query: vec![step],
        };
        let calls = vec![
            CaseCall {
                entry: EntryPoint::Execute,
                env: env(),
                traps: false,
            },
            CaseCall {
                entry: EntryPoint::Query,
                env: env(),
                traps,
            },
        ];
        (program, calls)
    };
    let cases = sweep("reset, entry point", &BY_WIDTH, true, grown, in_entry);

    // The second call's env is longer (trailing spaces, as JSON allows):
    // `allocate` runs the access only when asked for exactly that many
    // bytes, which is its first allocation of that call.
    let second_env = {
        let mut env = env();
        env.extend_from_slice(&[b' '; 61]);
        env
    };
    let gate = u32::try_from(second_env.len()).unwrap();
    let in_allocate = |initial: u32, step: Step| {
        let traps = spec_traps(&step, u64::from(initial * PAGE));
        let program = MemoryProgram {
            initial_pages: initial,
            in_allocate: vec![step],
            allocate_gate: Some(gate),
            in_execute: growth(initial),
            in_query: vec![],
        };
        let calls = vec![
            CaseCall {
                entry: EntryPoint::Execute,
                env: env(),
                traps: false,
            },
            CaseCall {
                entry: EntryPoint::Execute,
                env: second_env.clone(),
                traps,
            },
        ];
        (program, calls)
    };
    let cases = cases + sweep("reset, allocate", &BY_WIDTH, true, grown, in_allocate);
    eprintln!("memory edges, reset instance: {cases} cases");
}

/// The attack as reported: a 0-page contract loads and stores, from its
/// first `allocate`, at addresses where, with memories reserved at their
/// limit, the next instances' memories began. Every access traps, no
/// loaded byte is a neighbour's, and every neighbour's canary is intact.
#[test]
fn neighbours_of_an_empty_memory_are_out_of_reach() {
    let mut neighbours = neighbours();
    let limits = [16u64 << 20, 32 << 20];
    for limit in limits {
        for k in 1..=4u64 {
            for (op, extra) in [
                (MemoryOp::I64Load, 20),
                (MemoryOp::I64Store, 20),
                (MemoryOp::I64Load, u64::from(PAGE) + 8),
            ] {
                let step = access(op, k * limit + extra, !cw_oracle::canary::CANARY);
                let program = MemoryProgram {
                    initial_pages: 0,
                    in_allocate: vec![step],
                    allocate_gate: None,
                    in_execute: vec![],
                    in_query: vec![],
                };
                let runs = compile_runs(&program.to_wasm(), false, None);
                let label = format!("0 pages, {op:?} at {k} x {limit} + {extra}");
                run_case(
                    &label,
                    &program,
                    &one_call(EntryPoint::Execute, true),
                    &runs,
                );
            }
        }
    }
    neighbours.check().unwrap();
}

/// A declared maximum is refused by validation, ours and the reference's,
/// so every memory the runtime creates has the limit as its maximum.
#[test]
fn a_declared_memory_maximum_is_refused_by_both() {
    let wasm = wat::parse_str(
        r#"(module (memory (export "memory") 1 2)
             (func (export "interface_version_8"))
             (func (export "allocate") (param i32) (result i32) (i32.const 0))
             (func (export "deallocate") (param i32)))"#,
    )
    .unwrap();
    let ours = cw_runtime::validate(&wasm, &cw_runtime::ValidationConfig::default());
    assert!(ours.is_err(), "{ours:?}");
    let theirs = cosmwasm_vm::internals::check_wasm(
        &wasm,
        &cosmwasm_vm::capabilities_from_csv("iterator,staking"),
        &cosmwasm_vm::WasmLimits::default(),
        cosmwasm_vm::internals::Logger::Off,
    );
    assert!(theirs.is_err());
}

/// Programs drawn as the `diff_memory` fuzz target draws them, from a fixed
/// seed: every call agrees with the reference on new and reset instances,
/// beside live neighbours (the fuzz target's oracle, run in every test
/// run; the fuzz target explores further).
#[test]
fn drawn_programs_agree_with_the_reference() {
    let mut diff = cw_oracle::MemoryDiff::new(8);
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    let mut ran = 0;
    for _ in 0..300 {
        let bytes: Vec<u8> = (0..160)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                state as u8
            })
            .collect();
        if let Some(outcomes) = diff.run_bytes(&bytes).unwrap_or_else(|e| panic!("{e}")) {
            ran += outcomes.len();
        }
    }
    assert!(ran >= 600, "only {ran} calls compared");
    eprintln!("memory differential: {ran} calls agreed with the reference");
}
