//! Wall times for people. A leaf module, so the runner and the output
//! (which shows the runner's reports) do not import each other for it.

use std::time::Duration;

/// A wall time for people: `840 µs`, `12.3 ms`, `1.24 s`.
#[must_use]
pub(crate) fn duration(d: Duration) -> String {
    let micros = d.as_micros();
    if micros < 1_000 {
        format!("{micros} µs")
    } else if micros < 1_000_000 {
        format!("{:.1} ms", d.as_secs_f64() * 1e3)
    } else {
        format!("{:.2} s", d.as_secs_f64())
    }
}
