//! Generated structured programs with a known execution trace.
//!
//! Every program is a tree whose branch conditions and loop counts are
//! decided at generation time, so walking the tree yields exactly the
//! operators a Wasm engine executes (in the "control passes through" sense:
//! a taken branch skips the target block's `end`, a loop's back edge skips
//! the `loop` itself). The trace is the oracle; the WAT text is the input.

use cw_gas::{CostTable, OperatorClass};
use proptest::prelude::*;

/// A stack-neutral straight-line snippet and its operator count.
#[derive(Clone, Debug)]
pub(crate) enum Plain {
    Nop,
    ConstDrop(i32),
    I64Arith(i64, i64),
    LocalCopy,
    F64Mul(f64),
}

impl Plain {
    fn wat(&self) -> String {
        match self {
            Plain::Nop => "nop".into(),
            Plain::ConstDrop(v) => format!("i32.const {v} drop"),
            Plain::I64Arith(a, b) => format!("i64.const {a} i64.const {b} i64.mul drop"),
            Plain::LocalCopy => "local.get $scratch local.set $scratch".into(),
            Plain::F64Mul(a) => format!("f64.const {a:?} f64.const 2.5 f64.mul drop"),
        }
    }

    fn ops(&self) -> usize {
        match self {
            Plain::Nop => 1,
            Plain::ConstDrop(_) | Plain::LocalCopy => 2,
            Plain::I64Arith(..) | Plain::F64Mul(_) => 4,
        }
    }
}

#[derive(Clone, Debug)]
pub(crate) enum Stmt {
    Plain(Vec<Plain>),
    If {
        cond: bool,
        then: Vec<Stmt>,
        els: Option<Vec<Stmt>>,
    },
    Block {
        body: Vec<Stmt>,
        /// `br_if 0` after `body`: taken?, and what follows when not taken.
        exit: Option<(bool, Vec<Stmt>)>,
    },
    Loop {
        iterations: u8,
        body: Vec<Stmt>,
        back_edge: BackEdge,
    },
    Call(usize),
}

/// How a loop branches back to its start: the shapes the metering must
/// check before (a back-edge from a nested frame or through `br_table` must
/// still pay before it repeats the body).
#[derive(Clone, Copy, Debug)]
pub(crate) enum BackEdge {
    /// `br_if 0` at the end of the body.
    Direct,
    /// `br 2` from an `if` inside a `block` inside the loop.
    FromIfInBlock,
    /// `br_table` whose first target is the loop (a `block` around the
    /// loop is the exit).
    BrTable,
}

/// A module: helper functions (straight-line) and `main`.
#[derive(Clone, Debug)]
pub(crate) struct Program {
    pub helpers: Vec<(u32, Vec<Plain>)>,
    pub main_locals: u32,
    pub main: Vec<Stmt>,
    pub main_returns_early: bool,
}

/// Trace entries: the class of each executed operator, plus function
/// entries (which pay the locals surcharge).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Event {
    Op(OperatorClass),
    Enter { declared_locals: u32 },
}

pub(crate) const MAX_LOOP_DEPTH: usize = 3;
/// `$scratch` plus one counter per loop depth.
const FIXED_LOCALS: u32 = 1 + MAX_LOOP_DEPTH as u32;

fn plain() -> impl Strategy<Value = Plain> {
    prop_oneof![
        Just(Plain::Nop),
        any::<i32>().prop_map(Plain::ConstDrop),
        (any::<i64>(), any::<i64>()).prop_map(|(a, b)| Plain::I64Arith(a, b)),
        Just(Plain::LocalCopy),
        (-1e6f64..1e6).prop_map(Plain::F64Mul),
    ]
}

fn plains() -> impl Strategy<Value = Vec<Plain>> {
    proptest::collection::vec(plain(), 0..6)
}

fn stmts(helpers: usize, branching: bool) -> impl Strategy<Value = Vec<Stmt>> {
    let leaf = prop_oneof![
        3 => plains().prop_map(Stmt::Plain),
        1 => (0..helpers.max(1)).prop_map(move |i| if helpers == 0 { Stmt::Plain(vec![Plain::Nop]) } else { Stmt::Call(i) }),
    ];
    let stmt = if branching {
        leaf.prop_recursive(MAX_LOOP_DEPTH as u32, 40, 4, |inner| {
            let body = proptest::collection::vec(inner, 0..4);
            prop_oneof![
                (
                    any::<bool>(),
                    body.clone(),
                    proptest::option::of(body.clone())
                )
                    .prop_map(|(cond, then, els)| Stmt::If { cond, then, els }),
                (
                    body.clone(),
                    proptest::option::of((any::<bool>(), body.clone()))
                )
                    .prop_map(|(body, exit)| Stmt::Block { body, exit }),
                (
                    1u8..4,
                    body,
                    prop_oneof![
                        Just(BackEdge::Direct),
                        Just(BackEdge::FromIfInBlock),
                        Just(BackEdge::BrTable)
                    ]
                )
                    .prop_map(|(iterations, body, back_edge)| Stmt::Loop {
                        iterations,
                        body,
                        back_edge
                    }),
            ]
        })
        .boxed()
    } else {
        // Straight-line: blocks without exits are still allowed.
        leaf.prop_recursive(2, 20, 4, |inner| {
            proptest::collection::vec(inner, 0..4).prop_map(|body| Stmt::Block { body, exit: None })
        })
        .boxed()
    };
    proptest::collection::vec(stmt, 0..6)
}

/// Programs; `branching = false` gives straight-line code only.
pub(crate) fn program(branching: bool) -> impl Strategy<Value = Program> {
    (
        proptest::collection::vec((0u32..70, plains()), 0..3),
        0u32..70,
        any::<bool>(),
    )
        .prop_flat_map(move |(helpers, main_locals, early)| {
            let n = helpers.len();
            stmts(n, branching).prop_map(move |main| Program {
                helpers: helpers.clone(),
                main_locals,
                main,
                main_returns_early: early && branching,
            })
        })
}

impl Program {
    pub(crate) fn wat(&self) -> String {
        let mut out = String::from("(module\n");
        for (i, (locals, body)) in self.helpers.iter().enumerate() {
            out.push_str(&format!("(func $h{i} (local $scratch i32)"));
            push_locals(&mut out, *locals);
            for p in body {
                out.push(' ');
                out.push_str(&p.wat());
            }
            out.push_str(")\n");
        }
        out.push_str("(func $main (export \"main\") (local $scratch i32)");
        for d in 0..MAX_LOOP_DEPTH {
            out.push_str(&format!(" (local $c{d} i32)"));
        }
        push_locals(&mut out, self.main_locals);
        for s in &self.main {
            stmt_wat(s, 0, &mut out);
        }
        if self.main_returns_early {
            out.push_str(" return");
        }
        out.push_str(")\n)\n");
        out
    }

    /// Declared locals of `main`, as the metering sees them.
    pub(crate) fn main_declared_locals(&self) -> u32 {
        FIXED_LOCALS + self.main_locals
    }

    pub(crate) fn trace(&self) -> Vec<Event> {
        let mut t = vec![Event::Enter {
            declared_locals: self.main_declared_locals(),
        }];
        for s in &self.main {
            self.stmt_trace(s, &mut t);
        }
        if self.main_returns_early {
            t.push(Event::Op(OperatorClass::Control));
        } else {
            t.push(Event::Op(OperatorClass::Pseudo));
        }
        t
    }

    fn stmt_trace(&self, s: &Stmt, t: &mut Vec<Event>) {
        use OperatorClass::*;
        let op = |t: &mut Vec<Event>, c: OperatorClass, n: usize| {
            t.extend(std::iter::repeat_n(Event::Op(c), n));
        };
        match s {
            Stmt::Plain(ps) => op(t, Plain, ps.iter().map(|p| p.ops()).sum()),
            Stmt::Call(i) => {
                op(t, Control, 1);
                let (locals, body) = &self.helpers[*i];
                t.push(Event::Enter {
                    declared_locals: 1 + locals,
                });
                op(t, Plain, body.iter().map(|p| p.ops()).sum());
                op(t, Pseudo, 1);
            }
            Stmt::If { cond, then, els } => {
                op(t, Plain, 1); // i32.const
                op(t, Control, 1); // if
                match (cond, els) {
                    (true, Some(_)) => {
                        then.iter().for_each(|s| self.stmt_trace(s, t));
                        op(t, Pseudo, 1); // else, then jump past end
                    }
                    (true, None) => {
                        then.iter().for_each(|s| self.stmt_trace(s, t));
                        op(t, Pseudo, 1); // end
                    }
                    (false, Some(e)) => {
                        e.iter().for_each(|s| self.stmt_trace(s, t));
                        op(t, Pseudo, 1); // end
                    }
                    (false, None) => {} // jump past end
                }
            }
            Stmt::Block { body, exit } => {
                op(t, Plain, 1); // block
                body.iter().for_each(|s| self.stmt_trace(s, t));
                match exit {
                    Some((taken, after)) => {
                        op(t, Plain, 1);
                        op(t, Control, 1);
                        if !taken {
                            after.iter().for_each(|s| self.stmt_trace(s, t));
                            op(t, Pseudo, 1);
                        }
                    }
                    None => op(t, Pseudo, 1),
                }
            }
            Stmt::Loop {
                iterations,
                body,
                back_edge,
            } => {
                op(t, Plain, 2); // i32.const n, local.set
                if matches!(back_edge, BackEdge::BrTable) {
                    op(t, Plain, 1); // the exit block
                }
                op(t, Control, 1); // loop
                for iteration in 1..=*iterations {
                    body.iter().for_each(|s| self.stmt_trace(s, t));
                    let last = iteration == *iterations;
                    match back_edge {
                        BackEdge::Direct => {
                            op(t, Plain, 4); // get, const, sub, tee
                            op(t, Control, 1); // br_if
                        }
                        BackEdge::FromIfInBlock => {
                            op(t, Plain, 5); // block, get, const, sub, tee
                            op(t, Control, 1); // if
                            if last {
                                op(t, Pseudo, 1); // the block's end
                            } else {
                                op(t, Control, 1); // br 2
                            }
                        }
                        BackEdge::BrTable => {
                            op(t, Plain, 5); // get, const, sub, tee, eqz
                            op(t, Control, 1); // br_table
                        }
                    }
                }
                if !matches!(back_edge, BackEdge::BrTable) {
                    op(t, Pseudo, 1); // end, after the last iteration falls through
                }
            }
        }
    }
}

fn push_locals(out: &mut String, n: u32) {
    if n > 0 {
        out.push_str(" (local");
        for _ in 0..n {
            out.push_str(" i64");
        }
        out.push(')');
    }
}

fn stmt_wat(s: &Stmt, depth: usize, out: &mut String) {
    match s {
        Stmt::Plain(ps) => {
            for p in ps {
                out.push(' ');
                out.push_str(&p.wat());
            }
        }
        Stmt::Call(i) => out.push_str(&format!(" call $h{i}")),
        Stmt::If { cond, then, els } => {
            out.push_str(&format!(" i32.const {} if", i32::from(*cond)));
            then.iter().for_each(|s| stmt_wat(s, depth, out));
            if let Some(e) = els {
                out.push_str(" else");
                e.iter().for_each(|s| stmt_wat(s, depth, out));
            }
            out.push_str(" end");
        }
        Stmt::Block { body, exit } => {
            out.push_str(" block");
            body.iter().for_each(|s| stmt_wat(s, depth, out));
            if let Some((taken, after)) = exit {
                out.push_str(&format!(" i32.const {} br_if 0", i32::from(*taken)));
                after.iter().for_each(|s| stmt_wat(s, depth, out));
            }
            out.push_str(" end");
        }
        Stmt::Loop {
            iterations,
            body,
            back_edge,
        } => {
            out.push_str(&format!(" i32.const {iterations} local.set $c{depth}"));
            if matches!(back_edge, BackEdge::BrTable) {
                out.push_str(" block");
            }
            out.push_str(" loop");
            body.iter().for_each(|s| stmt_wat(s, depth + 1, out));
            let count_down =
                format!(" local.get $c{depth} i32.const 1 i32.sub local.tee $c{depth}");
            match back_edge {
                BackEdge::Direct => out.push_str(&format!("{count_down} br_if 0 end")),
                BackEdge::FromIfInBlock => {
                    out.push_str(&format!(" block{count_down} if br 2 end end end"));
                }
                BackEdge::BrTable => {
                    out.push_str(&format!("{count_down} i32.eqz br_table 0 1 end end"));
                }
            }
        }
    }
}

/// Σ of the table's prices over a trace (in the table's raw unit).
pub(crate) fn expected_gas<T: CostTable>(table: &T, trace: &[Event]) -> u64 {
    use cw_gas::GasQuantity;
    trace
        .iter()
        .map(|e| match e {
            Event::Op(c) => table.operator(*c).to_u64(),
            Event::Enter { declared_locals } => table.locals_surcharge(*declared_locals).to_u64(),
        })
        .sum()
}
