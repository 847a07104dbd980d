//! Queries in flight on this thread, so a contract queried through the
//! App runs at the right query depth, within the caller's gas, and charges
//! its gas to the caller (as wasmd charges a smart query's gas to the
//! contract that made it).
//!
//! cw-multi-test's querier passes only bytes; the depth and the gas travel
//! beside it, in a stack per thread: the querier adapter pushes a frame
//! before it asks the App, a contract call started while a frame is on top
//! runs inside it and adds its gas to it, and the adapter pops it.

use std::cell::RefCell;

use cw_gas::CwGas;

/// A query the adapter is waiting on.
#[derive(Debug, Clone, Copy)]
struct Frame {
    depth: u32,
    gas_limit: CwGas,
    gas_used: CwGas,
    out_of_gas: bool,
}

thread_local! {
    static FRAMES: RefCell<Vec<Frame>> = const { RefCell::new(Vec::new()) };
}

/// What the calls made inside a query used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Nested {
    /// Their gas, summed.
    pub(crate) gas_used: CwGas,
    /// Whether one of them ran out of gas.
    pub(crate) out_of_gas: bool,
}

/// Where a call runs: at the top (depth 0, no limit but its own) or inside
/// a query.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Enclosing {
    /// The query depth the call runs at.
    pub(crate) depth: u32,
    /// The gas the enclosing query may still use, if the call is nested.
    pub(crate) gas_limit: Option<CwGas>,
}

/// Pops the frame on return and on unwinding.
struct FrameGuard;

impl Drop for FrameGuard {
    fn drop(&mut self) {
        // `try_with`: during thread teardown there is nothing to pop.
        let _ = FRAMES.try_with(|frames| frames.borrow_mut().pop());
    }
}

/// Runs `query` (the App's querier) as a query at `depth` that may use
/// `gas_limit`; returns its result and what the calls inside it used.
pub(crate) fn in_query<R>(depth: u32, gas_limit: CwGas, query: impl FnOnce() -> R) -> (R, Nested) {
    FRAMES.with_borrow_mut(|frames| {
        frames.push(Frame {
            depth,
            gas_limit,
            gas_used: CwGas::ZERO,
            out_of_gas: false,
        });
    });
    let guard = FrameGuard;
    let result = query();
    let frame = FRAMES.with_borrow(|frames| frames.last().copied());
    drop(guard);
    let nested = frame.map_or(
        Nested {
            gas_used: CwGas::ZERO,
            out_of_gas: false,
        },
        |frame| Nested {
            gas_used: frame.gas_used,
            out_of_gas: frame.out_of_gas,
        },
    );
    (result, nested)
}

/// Where a call starting now runs.
pub(crate) fn enclosing() -> Enclosing {
    FRAMES.with_borrow(|frames| match frames.last() {
        Some(frame) => Enclosing {
            depth: frame.depth,
            gas_limit: Some(frame.gas_limit.saturating_sub(frame.gas_used)),
        },
        None => Enclosing {
            depth: 0,
            gas_limit: None,
        },
    })
}

/// Charges a finished call's gas to the query it ran in, if any.
pub(crate) fn report(gas_used: CwGas, out_of_gas: bool) {
    FRAMES.with_borrow_mut(|frames| {
        if let Some(frame) = frames.last_mut() {
            frame.gas_used = frame.gas_used.saturating_add(gas_used);
            frame.out_of_gas |= out_of_gas;
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calls_inside_a_query_see_its_depth_and_charge_it() {
        assert_eq!(enclosing().depth, 0);
        let ((), nested) = in_query(1, CwGas::new(100), || {
            assert_eq!(
                enclosing(),
                Enclosing {
                    depth: 1,
                    gas_limit: Some(CwGas::new(100))
                }
            );
            report(CwGas::new(30), false);
            assert_eq!(enclosing().gas_limit, Some(CwGas::new(70)));
            let ((), inner) = in_query(2, CwGas::new(50), || report(CwGas::new(5), true));
            assert!(inner.out_of_gas);
            report(inner.gas_used, false);
        });
        assert_eq!(
            nested,
            Nested {
                gas_used: CwGas::new(35),
                out_of_gas: false
            }
        );
        assert_eq!(enclosing().gas_limit, None);
    }
}
