//! Operator metering of one function body, from a [`CostTable`]'s prices.
//!
//! The module rewriter ([`super::instrument`]) feeds each body's operators
//! through [`FunctionMetering`] and gets back the operators the Wasmer
//! middleware (`cw_gas::middleware::Metering`, the same rule in its own
//! code) emits for that body, charges included, so a module compiled with
//! the middleware and the rewritten module run the same operators
//! (`tests/it/instrumented.rs` compares them).
//!
//! Two rules:
//!
//! * [`MeteringRule::ChargeAtAccounting`] (cosmwasm-vm
//!   `src/wasm_backend/metering.rs`): costs accumulate; before every
//!   accounting operator the accumulated sum (that operator included) is
//!   checked and subtracted. The locals surcharge is added at the first
//!   operator: folded into the sum if that operator is an accounting one,
//!   otherwise charged on its own right away.
//! * [`MeteringRule::PrechargeMeteredBlock`] (NEAR specification
//!   `specs/RuntimeSpec/Preparation.md`, "Gas instrumentation"): the body is
//!   segmented into metered blocks and each block's whole cost is checked at
//!   its start, before any of its instructions run.
//!
//! `remaining` is a signed 64-bit count that starts at most at `i64::MAX`
//! (see [`crate::GasMeter::wasm_points`]); a negative value means exhausted.
//! A *checked* charge is: if `remaining < cost` (signed), set the exhausted
//! flag and trap; otherwise `remaining -= cost`. An *unchecked* charge only
//! subtracts, and may leave `remaining` negative.
//!
//! Under cosmwasm-vm's rule a charge is checked only where execution can
//! repeat or leave for other code: before a branch that targets a `loop`
//! (every iteration passes one), before `call` and `call_indirect`
//! (recursion, and every host import), and nowhere else. Between two checks
//! a function runs a bounded, straight piece of code, so a deficit is found
//! soon after it arises; since `remaining` only decreases during a call, a
//! call that ends with `remaining >= 0` never went below zero, and charged
//! exactly what checking every charge would have. A call that went below
//! zero is out of gas wherever it is noticed: at the next check, at a host
//! import's entry (before it does anything), at any trap (classified out
//! of gas first), or after the call returns. The outcome and the gas are
//! those of cosmwasm-vm, which traps at the first charge it cannot pay;
//! only the point inside the call where the trap is raised differs, which
//! nothing outside the call can see. NEAR's rule checks every charge.

use alloc::vec;
use alloc::vec::Vec;

use wasmparser::{BlockType, Operator};

use super::Refusal;
use super::classify::classify;
use super::emit::Emit;
use crate::schedule::{CostTable, MeteringRule, OperatorClass};
use crate::units::GasQuantity;

/// The global indices of the metering state in one module.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct MeteringGlobals {
    /// The remaining points (`i64`).
    pub(crate) remaining: u32,
    /// The exhausted flag (`i32`).
    pub(crate) exhausted: u32,
}

/// Operator prices resolved once per table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Prices {
    plain: u64,
    control: u64,
    pseudo: u64,
}

impl Prices {
    /// The operator prices of `table`, in its raw unit.
    pub(crate) fn of<T: CostTable>(table: &T) -> Self {
        Self {
            plain: table.operator(OperatorClass::Plain).to_u64(),
            control: table.operator(OperatorClass::Control).to_u64(),
            pseudo: table.operator(OperatorClass::Pseudo).to_u64(),
        }
    }

    fn of_class(&self, class: OperatorClass) -> u64 {
        match class {
            OperatorClass::Plain => self.plain,
            OperatorClass::Control => self.control,
            OperatorClass::Pseudo => self.pseudo,
        }
    }
}

/// The number of locals a body declares (parameters excluded), as the
/// surcharge counts them: one per local, however the declaration groups
/// them.
pub(crate) fn declared_locals(count: usize) -> u32 {
    u32::try_from(count).unwrap_or(u32::MAX)
}

/// One function's metering stage, whichever rule the schedule uses.
#[derive(Debug)]
pub(crate) enum FunctionMetering<'a> {
    /// cosmwasm-vm's rule.
    Accounting(AccountingMetering),
    /// NEAR's rule.
    Precharge(PrechargeMetering<'a>),
}

impl<'a> FunctionMetering<'a> {
    /// A stage for one body. `check_every_charge` is for the module's start
    /// function: it runs at instantiation, before any gas is set, so every
    /// charge in it is checked and it traps at its first.
    pub(crate) fn new(
        rule: MeteringRule,
        prices: Prices,
        globals: MeteringGlobals,
        check_every_charge: bool,
    ) -> Self {
        match rule {
            MeteringRule::PrechargeMeteredBlock => {
                Self::Precharge(PrechargeMetering::new(prices, globals))
            }
            // `MeteringRule` is non-exhaustive for users only; within the
            // crate every rule is matched.
            MeteringRule::ChargeAtAccounting => Self::Accounting(AccountingMetering {
                prices,
                globals,
                locals_cost: 0,
                first: true,
                accumulated: 0,
                loops: vec![false],
                check_every_charge,
            }),
        }
    }

    /// Records the function-entry surcharge for its declared locals
    /// ([`CostTable::locals_surcharge`]), before the first operator.
    pub(crate) fn locals_surcharge(&mut self, cost: u64) {
        match self {
            Self::Accounting(m) => m.locals_cost = cost,
            Self::Precharge(m) => m.add_to_entry_block(cost),
        }
    }

    /// Meters one operator, whose encoding is `encoded` (see
    /// [`Emit::pass`]), writing it and any charge to `out`.
    pub(crate) fn feed_to(
        &mut self,
        operator: Operator<'a>,
        encoded: &'a [u8],
        out: &mut impl Emit<'a>,
    ) -> Result<(), Refusal> {
        match self {
            Self::Accounting(m) => {
                m.feed_to(operator, encoded, out);
                Ok(())
            }
            Self::Precharge(m) => m.feed_to(operator, encoded, out),
        }
    }
}

/// Appends the check-and-subtract sequence for `cost`.
fn emit_charge<'a>(state: &mut impl Emit<'a>, globals: MeteringGlobals, cost: u64) {
    let trap = [
        Operator::I32Const { value: 1 },
        Operator::GlobalSet {
            global_index: globals.exhausted,
        },
        Operator::Unreachable,
    ];
    // `remaining` never exceeds `i64::MAX`, so a larger cost can never be
    // paid.
    let Ok(value) = i64::try_from(cost) else {
        state.emit_all(trap);
        return;
    };
    state.emit_all([
        Operator::GlobalGet {
            global_index: globals.remaining,
        },
        Operator::I64Const { value },
        Operator::I64LtS,
        Operator::If {
            blockty: BlockType::Empty,
        },
    ]);
    state.emit_all(trap);
    state.emit(Operator::End);
    emit_subtraction(state, globals, value);
}

/// Appends the subtraction alone (an unchecked charge) of `cost`.
fn emit_unchecked_charge<'a>(state: &mut impl Emit<'a>, globals: MeteringGlobals, cost: u64) {
    match i64::try_from(cost) {
        Ok(value) => emit_subtraction(state, globals, value),
        // Never payable (see `emit_charge`): no deferring it.
        Err(_) => emit_charge(state, globals, cost),
    }
}

fn emit_subtraction<'a>(state: &mut impl Emit<'a>, globals: MeteringGlobals, value: i64) {
    state.emit_all([
        Operator::GlobalGet {
            global_index: globals.remaining,
        },
        Operator::I64Const { value },
        Operator::I64Sub,
        Operator::GlobalSet {
            global_index: globals.remaining,
        },
    ]);
}

/// cosmwasm-vm's rule: charge the accumulated run before each accounting
/// operator.
#[derive(Debug)]
pub(crate) struct AccountingMetering {
    prices: Prices,
    globals: MeteringGlobals,
    locals_cost: u64,
    first: bool,
    accumulated: u64,
    /// Whether each open control frame is a `loop`, innermost last (the
    /// function body is the first).
    loops: Vec<bool>,
    /// The start function: no unchecked charges (see
    /// [`FunctionMetering::new`]).
    check_every_charge: bool,
}

impl AccountingMetering {
    fn feed_to<'a>(
        &mut self,
        operator: Operator<'a>,
        encoded: &'a [u8],
        state: &mut impl Emit<'a>,
    ) {
        let class = classify(&operator);
        if self.first && self.locals_cost > 0 {
            if class.is_accounting() {
                self.accumulated = self.accumulated.saturating_add(self.locals_cost);
            } else if self.check_every_charge {
                emit_charge(state, self.globals, self.locals_cost);
            } else {
                emit_unchecked_charge(state, self.globals, self.locals_cost);
            }
        }
        self.first = false;
        // Added before the check so a `call` pays before it leaves.
        self.accumulated = self.accumulated.saturating_add(self.prices.of_class(class));
        if class.is_accounting() && self.accumulated > 0 {
            if self.check_every_charge || self.repeats_or_leaves(&operator) {
                emit_charge(state, self.globals, self.accumulated);
            } else {
                emit_unchecked_charge(state, self.globals, self.accumulated);
            }
            self.accumulated = 0;
        }
        match &operator {
            // Exception frames too, so depths stay right for a caller that
            // compiles without the chain's validation (which refuses them).
            Operator::Block { .. }
            | Operator::If { .. }
            | Operator::Try { .. }
            | Operator::TryTable { .. } => self.loops.push(false),
            Operator::Loop { .. } => self.loops.push(true),
            Operator::End | Operator::Delegate { .. } => {
                self.loops.pop();
            }
            _ => {}
        }
        state.pass(operator, encoded);
    }

    /// Whether the charge before `operator` must be checked: it calls out,
    /// or it may branch back to a `loop`.
    fn repeats_or_leaves(&self, operator: &Operator<'_>) -> bool {
        match operator {
            Operator::Br { relative_depth } | Operator::BrIf { relative_depth } => {
                self.targets_loop(*relative_depth)
            }
            Operator::BrTable { targets } => {
                self.targets_loop(targets.default())
                    || targets
                        .targets()
                        .any(|depth| depth.map_or(true, |depth| self.targets_loop(depth)))
            }
            Operator::Call { .. }
            | Operator::CallIndirect { .. }
            | Operator::CallRef { .. }
            | Operator::ReturnCall { .. }
            | Operator::ReturnCallIndirect { .. }
            | Operator::ReturnCallRef { .. } => true,
            // Anything else that is accounting (`end`, `if`, `else`,
            // `loop`, `return`, exception operators validation refuses)
            // moves forward or out of the function.
            _ => false,
        }
    }

    /// Whether the frame `relative_depth` levels out is a `loop` (an
    /// unknown depth, which validation rules out, counts as one).
    fn targets_loop(&self, relative_depth: u32) -> bool {
        usize::try_from(relative_depth)
            .ok()
            .and_then(|depth| self.loops.len().checked_sub(depth + 1))
            .and_then(|index| self.loops.get(index))
            .copied()
            .unwrap_or(true)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum FrameKind {
    Function,
    Block,
    Loop,
    If,
}

/// An open control frame. Everything here is O(1) to save and restore, so
/// metering stays linear in the body's size however deep the nesting
/// (issue 20: copying the whole metered-block stack at every frame and
/// walking every frame at every branch took 6.3 GB and 17 s for 40,000
/// nested loops).
#[derive(Clone, Copy, Debug)]
struct Frame {
    kind: FrameKind,
    /// The lowest frame index any branch inside this frame (nested frames
    /// included, folded in when they end) targeted; the frame was escaped
    /// (a branch inside it left it) exactly when that is below its own
    /// index.
    lowest_target: usize,
    /// The metered-block stack when the frame was entered, as its length
    /// and its top. Every path that reaches this frame's `end` passed its
    /// start, so without an escaping branch the code after `end` continues
    /// the metered block that was active there (the NEAR specification's
    /// `nop block br 0 nop end nop` example charges the last `nop` at
    /// function entry). Inside the frame only the entry's top and what is
    /// pushed above it change (nested frames restore what they push, a
    /// restart replaces the top), so length and top restore the stack.
    saved_len: usize,
    saved_top: Option<usize>,
}

#[derive(Debug)]
enum Item<'a> {
    /// An operator of the body and its encoding.
    Op(Operator<'a>, &'a [u8]),
    Charge(usize),
}

/// NEAR's rule: buffer the function, segment it into metered blocks, then
/// emit each block's total check at the block's start.
#[derive(Debug)]
pub(crate) struct PrechargeMetering<'a> {
    prices: Prices,
    globals: MeteringGlobals,
    items: Vec<Item<'a>>,
    block_costs: Vec<u64>,
    active: Vec<usize>,
    frames: Vec<Frame>,
}

impl<'a> PrechargeMetering<'a> {
    fn new(prices: Prices, globals: MeteringGlobals) -> Self {
        let mut this = Self {
            prices,
            globals,
            items: Vec::new(),
            block_costs: Vec::new(),
            active: Vec::new(),
            frames: vec![Frame {
                kind: FrameKind::Function,
                lowest_target: 0,
                saved_len: 0,
                saved_top: None,
            }],
        };
        let first = this.open_block();
        this.active.push(first);
        this
    }

    /// Adds the locals surcharge to the block that starts at entry.
    fn add_to_entry_block(&mut self, surcharge: u64) {
        if let Some(first) = self.block_costs.first_mut() {
            *first = first.saturating_add(surcharge);
        }
    }

    /// Starts a metered block here: its charge goes at this position.
    fn open_block(&mut self) -> usize {
        let id = self.block_costs.len();
        self.block_costs.push(0);
        self.items.push(Item::Charge(id));
        id
    }

    /// Pops the active metered block and pushes a fresh one.
    fn restart_block(&mut self) {
        self.active.pop();
        let id = self.open_block();
        self.active.push(id);
    }

    /// Records a branch to the frame `relative_depth` levels out: every
    /// frame nested inside the target is escaped (found at their `end`s
    /// through [`Frame::lowest_target`]).
    fn escape(&mut self, relative_depth: u32) {
        let depth = usize::try_from(relative_depth).unwrap_or(usize::MAX);
        let target = self.frames.len().saturating_sub(1).saturating_sub(depth);
        if let Some(top) = self.frames.last_mut() {
            top.lowest_target = top.lowest_target.min(target);
        }
    }

    /// A frame of `kind` entered now.
    fn enter(&mut self, kind: FrameKind) {
        let index = self.frames.len();
        self.frames.push(Frame {
            kind,
            lowest_target: index,
            saved_len: self.active.len(),
            saved_top: self.active.last().copied(),
        });
    }

    fn flush(&mut self, state: &mut impl Emit<'a>) {
        for item in self.items.drain(..) {
            match item {
                Item::Op(op, encoded) => state.pass(op, encoded),
                Item::Charge(id) => {
                    let cost = self.block_costs.get(id).copied().unwrap_or(0);
                    if cost > 0 {
                        emit_charge(state, self.globals, cost);
                    }
                }
            }
        }
    }

    fn feed_to(
        &mut self,
        operator: Operator<'a>,
        encoded: &'a [u8],
        state: &mut impl Emit<'a>,
    ) -> Result<(), Refusal> {
        let cost = self.prices.of_class(classify(&operator));
        let Some(&active) = self.active.last() else {
            return Err(Refusal::OperatorAfterEnd);
        };
        if let Some(slot) = self.block_costs.get_mut(active) {
            *slot = slot.saturating_add(cost);
        }
        match &operator {
            Operator::Block { .. } => self.enter(FrameKind::Block),
            Operator::Loop { .. } | Operator::If { .. } => {
                let kind = if matches!(operator, Operator::Loop { .. }) {
                    FrameKind::Loop
                } else {
                    FrameKind::If
                };
                self.enter(kind);
                self.items.push(Item::Op(operator, encoded));
                let id = self.open_block();
                self.active.push(id);
                return Ok(());
            }
            Operator::Else => {
                self.items.push(Item::Op(operator, encoded));
                self.restart_block();
                return Ok(());
            }
            Operator::Br { relative_depth } | Operator::BrIf { relative_depth } => {
                self.escape(*relative_depth);
                self.items.push(Item::Op(operator, encoded));
                self.restart_block();
                return Ok(());
            }
            Operator::BrTable { targets } => {
                let mut deepest = targets.default();
                for target in targets.targets() {
                    let target = target.map_err(|_| Refusal::InvalidBranchTable)?;
                    deepest = deepest.max(target);
                }
                self.escape(deepest);
                self.items.push(Item::Op(operator, encoded));
                self.restart_block();
                return Ok(());
            }
            Operator::Return => {
                self.escape(u32::try_from(self.frames.len().saturating_sub(1)).unwrap_or(u32::MAX));
                self.items.push(Item::Op(operator, encoded));
                self.restart_block();
                return Ok(());
            }
            Operator::End => {
                let Some(frame) = self.frames.pop() else {
                    return Err(Refusal::UnbalancedEnd);
                };
                let index = self.frames.len();
                if let Some(parent) = self.frames.last_mut() {
                    parent.lowest_target = parent.lowest_target.min(frame.lowest_target);
                }
                self.items.push(Item::Op(operator, encoded));
                match frame.kind {
                    FrameKind::Function => {
                        self.active.clear();
                        self.flush(state);
                    }
                    FrameKind::If | FrameKind::Loop | FrameKind::Block => {
                        // `if` / `loop` pushed a metered block: this pops it.
                        self.active.truncate(frame.saved_len);
                        if let (Some(top), Some(slot)) = (frame.saved_top, self.active.last_mut()) {
                            *slot = top;
                        }
                        if frame.lowest_target < index {
                            self.restart_block();
                        }
                    }
                }
                return Ok(());
            }
            Operator::Try { .. }
            | Operator::TryTable { .. }
            | Operator::Delegate { .. }
            | Operator::Catch { .. }
            | Operator::CatchAll
            | Operator::Throw { .. }
            | Operator::ThrowRef
            | Operator::Rethrow { .. }
            | Operator::ReturnCall { .. }
            | Operator::ReturnCallIndirect { .. }
            | Operator::ReturnCallRef { .. }
            | Operator::BrOnCast { .. }
            | Operator::BrOnCastFail { .. }
            | Operator::BrOnNull { .. }
            | Operator::BrOnNonNull { .. } => {
                return Err(Refusal::PrechargeControlFlow);
            }
            _ => {}
        }
        self.items.push(Item::Op(operator, encoded));
        Ok(())
    }
}
