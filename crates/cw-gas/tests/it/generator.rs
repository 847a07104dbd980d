//! A seeded generator of small, terminating, structured programs for the
//! differential tests: nested blocks, `if`/`else`, `br_if`, `br_table` (to
//! blocks, to loops, out of loops), counted loops, direct and indirect
//! calls, recursion bounded by a counter, early `return`s, branches to the
//! function label, leaves with big frames, 0–70 extra locals, and a rare
//! `unreachable`. The oracle is the other implementation, not a trace, so
//! the programs can be anything that validates and ends.

use std::fmt::Write as _;

/// SplitMix64: a tiny, fixed, portable generator (no dependency, the same
/// programs on every machine).
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Self {
        Self(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0xD1B5_4A32_D192_ED03)
    }

    pub(crate) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`).
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

/// How big the programs get.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Shape {
    /// Functions of type `(i32) -> i32` (recursive ones included), 1 or more.
    pub(crate) max_functions: u64,
    /// Leaves of the same type (no calls).
    pub(crate) max_leaves: u64,
    /// Statements per sequence.
    pub(crate) max_statements: u64,
    /// Nesting of structured statements.
    pub(crate) max_nesting: usize,
    /// The counter `main` passes down (bounds recursion).
    pub(crate) max_depth: u64,
}

impl Default for Shape {
    fn default() -> Self {
        Self {
            max_functions: 4,
            max_leaves: 2,
            max_statements: 5,
            max_nesting: 3,
            max_depth: 40,
        }
    }
}

/// Loop counters per function: one per loop nesting level.
const COUNTERS: usize = 4;

struct Body<'r> {
    rng: &'r mut Rng,
    shape: Shape,
    functions: u64,
    leaves: u64,
    out: String,
}

impl Body<'_> {
    fn statements(&mut self, labels: usize, loops: usize, nesting: usize) {
        let count = self.rng.below(self.shape.max_statements + 1);
        for _ in 0..count {
            self.statement(labels, loops, nesting);
        }
    }

    fn plain(&mut self) {
        let k = self.rng.below(1_000);
        let text = match self.rng.below(7) {
            0 => format!(" global.get $g i32.const {k} i32.add global.set $g"),
            1 => format!(" global.get $x i64.const {k} i64.mul i64.const 1 i64.add global.set $x"),
            2 => " nop".to_string(),
            3 => format!(" i32.const {k} drop"),
            4 => format!(" f64.const 1.5 f64.const {k} f64.mul drop"),
            5 if self.leaves > 0 => format!(
                " global.get $g call $leaf{} global.set $g",
                self.rng.below(self.leaves)
            ),
            _ => format!(" local.get 0 i32.const {k} i32.xor global.set $g"),
        };
        self.out.push_str(&text);
    }

    fn condition(&mut self) {
        let mask = 1 + self.rng.below(7);
        let _ = write!(self.out, " global.get $g i32.const {mask} i32.and");
    }

    fn statement(&mut self, labels: usize, loops: usize, nesting: usize) {
        let structured = nesting < self.shape.max_nesting;
        match self.rng.below(13) {
            0..=3 => self.plain(),
            4 if structured => {
                self.condition();
                self.out.push_str(" if");
                self.statements(labels + 1, loops, nesting + 1);
                if self.rng.chance(50) {
                    self.out.push_str(" else");
                    self.statements(labels + 1, loops, nesting + 1);
                }
                self.out.push_str(" end");
            }
            5 if structured => {
                self.out.push_str(" block");
                self.statements(labels + 1, loops, nesting + 1);
                self.condition();
                self.out.push_str(" br_if 0");
                self.statements(labels + 1, loops, nesting + 1);
                self.out.push_str(" end");
            }
            6 if structured => {
                // br_table over 2 or 3 nested blocks.
                let n = 2 + self.rng.below(2) as usize;
                for _ in 0..n {
                    self.out.push_str(" block");
                }
                let _ = write!(self.out, " global.get $g i32.const {n} i32.rem_u br_table");
                for target in 0..n {
                    let _ = write!(self.out, " {}", (target + self.rng.below(2) as usize) % n);
                }
                for level in 0..n {
                    self.out.push_str(" end");
                    self.statements(labels + n - 1 - level, loops, nesting + 1);
                }
            }
            7 if structured && loops < COUNTERS => {
                let iterations = 1 + self.rng.below(5);
                let _ = write!(self.out, " i32.const {iterations} local.set $c{loops} loop");
                self.statements(labels + 1, loops + 1, nesting + 1);
                let _ = write!(
                    self.out,
                    " local.get $c{loops} i32.const 1 i32.sub local.tee $c{loops} br_if 0 end"
                );
            }
            8 if structured && loops < COUNTERS => {
                // A loop continued and left through br_table.
                let iterations = 1 + self.rng.below(5);
                let _ = write!(
                    self.out,
                    " i32.const {iterations} local.set $c{loops} block loop"
                );
                self.statements(labels + 2, loops + 1, nesting + 1);
                let _ = write!(
                    self.out,
                    " local.get $c{loops} i32.const 1 i32.sub local.tee $c{loops} i32.eqz br_table 0 1 end end"
                );
            }
            9 => {
                let target = self.rng.below(self.functions);
                let _ = write!(
                    self.out,
                    " local.get 0 if local.get 0 i32.const 1 i32.sub call $f{target} drop end"
                );
            }
            10 => {
                let slot = self.rng.below(self.functions + self.leaves);
                let _ = write!(
                    self.out,
                    " local.get 0 if local.get 0 i32.const 1 i32.sub i32.const {slot} call_indirect (type $t) drop end"
                );
            }
            11 => {
                self.condition();
                if self.rng.chance(50) {
                    self.out.push_str(" if global.get $g return end");
                } else {
                    // To the function label, from inside the `if`.
                    let _ = write!(self.out, " if global.get $g br {} end", labels + 1);
                }
            }
            12 if self.rng.chance(20) => {
                self.out.push_str(
                    " global.get $g i32.const 1023 i32.and i32.const 999 i32.eq if unreachable end",
                );
            }
            _ => self.plain(),
        }
    }
}

fn locals(rng: &mut Rng, out: &mut String) {
    let extra = rng.below(71);
    if extra > 0 {
        out.push_str(" (local");
        for _ in 0..extra {
            out.push_str(" i64");
        }
        out.push(')');
    }
}

/// The program for `seed`: exports `main` (the entry, `() -> i32`) and the
/// globals `g` and `x` (its state).
pub(crate) fn program(seed: u64, shape: Shape) -> String {
    let mut rng = Rng::new(seed);
    let functions = 1 + rng.below(shape.max_functions);
    let leaves = rng.below(shape.max_leaves + 1);
    let depth = rng.below(shape.max_depth + 1);
    let mut out = String::from("(module\n  (type $t (func (param i32) (result i32)))\n");
    let slots = functions + leaves;
    let _ = writeln!(out, "  (table {slots} {slots} funcref)");
    out.push_str("  (elem (i32.const 0)");
    for f in 0..functions {
        let _ = write!(out, " $f{f}");
    }
    for l in 0..leaves {
        let _ = write!(out, " $leaf{l}");
    }
    out.push_str(")\n");
    out.push_str("  (global $g (export \"g\") (mut i32) (i32.const 0))\n");
    out.push_str("  (global $x (export \"x\") (mut i64) (i64.const 0))\n");
    for f in 0..functions {
        let _ = write!(out, "  (func $f{f} (type $t) (param i32) (result i32)");
        for c in 0..COUNTERS {
            let _ = write!(out, " (local $c{c} i32)");
        }
        locals(&mut rng, &mut out);
        let mut body = Body {
            rng: &mut rng,
            shape,
            functions,
            leaves,
            out: String::new(),
        };
        body.statements(0, 0, 0);
        out.push_str(&body.out);
        out.push_str(" global.get $g)\n");
    }
    for l in 0..leaves {
        let _ = write!(out, "  (func $leaf{l} (type $t) (param i32) (result i32)");
        locals(&mut rng, &mut out);
        let k = rng.below(100);
        let _ = writeln!(out, " local.get 0 i32.const {k} i32.add)");
    }
    let _ = writeln!(
        out,
        "  (func (export \"main\") (result i32) i32.const {depth} call $f0))"
    );
    out
}
