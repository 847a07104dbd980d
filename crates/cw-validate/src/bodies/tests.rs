use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};

use super::*;
use crate::parse::ParsedModule;

/// Records every operator (as its debug text), every height and the
/// function's type, to compare runs.
#[derive(Default)]
struct Recording {
    operators: DefaultHasher,
    count: usize,
    heights: Vec<u32>,
}

impl BodyObserver for Recording {
    type Summary = (u64, usize, Vec<u32>, u32, u32);
    fn operator(&mut self, operator: &Operator<'_>) {
        format!("{operator:?}").hash(&mut self.operators);
        self.count += 1;
    }
    fn operand_height(&mut self, height: u32) {
        self.heights.push(height);
    }
    fn finish(self, validator: &FuncValidator<ValidatorResources>, ty_index: u32) -> Self::Summary {
        (
            self.operators.finish(),
            self.count,
            self.heights,
            ty_index,
            validator.len_locals(),
        )
    }
}

#[derive(Default)]
struct Recorder(Vec<<Recording as BodyObserver>::Summary>);

impl ModuleObserver for Recorder {
    type Body = Recording;
    fn section(&mut self, _: &wasmparser::Payload<'_>) -> Result<(), ValidationError> {
        Ok(())
    }
    fn function(&mut self, summary: <Recording as BodyObserver>::Summary) {
        self.0.push(summary);
    }
}

fn run(wasm: &[u8], threads: usize) -> (Result<(), ValidationError>, Recorder) {
    let mut module = ParsedModule::parse(wasm, &mut ()).expect("sections are valid");
    let mut recorder = Recorder::default();
    let result = validate_on(module.take_bodies(), threads, &mut recorder);
    (result, recorder)
}

#[test]
fn fixtures_give_the_same_operators_in_the_same_order_on_any_number_of_threads() {
    for name in ["cw20_base", "cw1_whitelist", "probe"] {
        let wasm = ::tests::fixture_bytes(name);
        let (result, serial) = run(&wasm, 1);
        result.unwrap();
        assert!(serial.0.len() > 50, "{name}: {} bodies", serial.0.len());
        for threads in 2..=5 {
            let (result, parallel) = run(&wasm, threads);
            result.unwrap();
            assert!(
                parallel.0 == serial.0,
                "{name} on {threads} threads differs"
            );
        }
    }
}

/// A module of `count` functions of equal size; `body(i)` is the extra
/// code of function `i`.
fn functions(count: usize, body: impl Fn(usize) -> &'static str) -> Vec<u8> {
    let filler = "i32.const 1 drop ".repeat(200);
    let funcs: String = (0..count)
        .map(|i| format!("(func {filler} {})\n", body(i)))
        .collect();
    wat::parse_str(format!("(module {funcs})")).unwrap()
}

/// wasmparser's own verdict on `wasm`, as our error.
fn wasmparsers_error(wasm: &[u8]) -> ValidationError {
    let error = wasmparser::Validator::new_with_features(chain_features())
        .validate_all(wasm)
        .err()
        .expect("the module is invalid");
    ValidationError::InvalidWasm {
        offset: error.offset(),
        message: error.message().to_string(),
    }
}

#[test]
fn the_first_invalid_body_in_module_order_is_reported_on_any_number_of_threads() {
    let ref_op = "ref.null func drop";
    for invalid in [[3, 33], [25, 33], [25, 26]] {
        let wasm = functions(40, |i| match i {
            7 | 30 => ref_op,
            i if i == invalid[0] => "i32.add drop",
            i if i == invalid[1] => "i64.const 1 i32.const 1 i64.add drop",
            _ => "",
        });
        let expected = wasmparsers_error(&wasm);
        for threads in 1..=5 {
            let (result, recorder) = run(&wasm, threads);
            assert_eq!(
                result.unwrap_err(),
                expected,
                "{invalid:?} on {threads} threads"
            );
            assert!(recorder.0.is_empty(), "observers saw an invalid module");
        }
    }
}

#[test]
fn the_first_reference_types_operator_is_reported_on_any_number_of_threads() {
    let wasm = functions(40, |i| match i {
        7 => "ref.null func drop",
        30 => "ref.null func ref.is_null drop",
        _ => "",
    });
    for threads in 1..=5 {
        assert_eq!(
            run(&wasm, threads).0.unwrap_err(),
            ValidationError::ReferenceTypesOperator {
                function: 7,
                operator: "ref.null"
            },
            "on {threads} threads"
        );
    }
    let late = functions(40, |i| if i == 30 { "ref.null func drop" } else { "" });
    for threads in 1..=5 {
        assert_eq!(
            run(&late, threads).0.unwrap_err(),
            ValidationError::ReferenceTypesOperator {
                function: 30,
                operator: "ref.null"
            },
            "on {threads} threads"
        );
    }
}

#[test]
fn chunks_cover_every_body_once_in_order() {
    let wasm = functions(10, |_| "");
    for parts in 1..=12 {
        let mut module = ParsedModule::parse(&wasm, &mut ()).unwrap();
        let chunks = split_by_size(module.take_bodies(), parts);
        assert!(
            chunks.len() <= parts.min(10),
            "{parts}: {} chunks",
            chunks.len()
        );
        let mut next = 0;
        for chunk in &chunks {
            assert_eq!(chunk.first_index, next);
            assert!(!chunk.bodies.is_empty());
            next += chunk.bodies.len();
        }
        assert_eq!(next, 10);
    }
}

#[test]
fn small_modules_stay_on_one_thread() {
    let wasm = functions(10, |_| "");
    let mut module = ParsedModule::parse(&wasm, &mut ()).unwrap();
    assert_eq!(thread_count(&module.take_bodies()), 1);
}
