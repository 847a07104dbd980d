//! Shared helpers for the criterion benches.

use std::hint::black_box;
use std::time::{Duration, Instant};

/// Runs `iters` iterations for criterion's `iter_custom` and returns the time
/// spent in `run` alone.
///
/// Each iteration first calls `prepare` (untimed: resetting state, building
/// a backend) and then `run` on its result (timed, including dropping what
/// `run` returns). `state` is lent to both, so a bench can keep an instance
/// across iterations and still reset it between them.
pub fn time_each<S, I, O>(
    iters: u64,
    state: &mut S,
    mut prepare: impl FnMut(&mut S) -> I,
    mut run: impl FnMut(&mut S, I) -> O,
) -> Duration {
    let mut total = Duration::ZERO;
    for _ in 0..iters {
        let input = prepare(state);
        let started = Instant::now();
        black_box(run(state, black_box(input)));
        total += started.elapsed();
    }
    total
}
