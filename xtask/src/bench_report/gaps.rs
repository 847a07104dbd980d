//! "Targets not met": for each goal of the against-cosmwasm-vm table that a
//! run missed, where the time goes (computed from the same run's medians)
//! and what would close the gap. A goal that was met gets no paragraph.

use std::fmt::Write as _;

use super::estimates::Results;
use super::paired::PairedRow;
use super::tables::time;

/// A goal's paragraph. Where `paired` has a row named `what`, that row's
/// median of round ratios decides against `goal` (it is the steadier
/// figure) and the paragraph quotes it; otherwise the criterion medians
/// decide. `gap(paired_missed)` writes the paragraph, and must write it
/// whatever the criterion medians say when `paired_missed` is true.
fn judged(
    paired: &[PairedRow],
    what: &str,
    goal: f64,
    gap: impl FnOnce(bool) -> Option<String>,
) -> Option<String> {
    match paired.iter().find(|row| row.what == what) {
        None => gap(false),
        Some(row) if row.round_ratio >= goal => None,
        Some(row) => gap(true).map(|text| {
            format!(
                "{text} Paired ({} rounds, ours and cosmwasm-vm back to back): {:.2}× by the \
median of round ratios.",
                row.rounds, row.round_ratio
            )
        }),
    }
}

/// Appends the section, or nothing when every goal with results was met.
/// Where `paired` measured a goal, its verdict decides.
pub(super) fn render_gaps(md: &mut String, results: &Results, paired: &[PairedRow]) {
    let mut paragraphs = Vec::new();
    if let Some(text) = judged(paired, "cw20-base compile", 1.0, |missed| {
        compile_gap(results, missed)
    }) {
        paragraphs.push(text);
    }
    let pooled = "cw20 transfer, pooled instance (Singlepass)";
    if let Some(text) = judged(paired, pooled, 2.0, |missed| per_call_gap(results, missed)) {
        paragraphs.push(text);
    }
    if let Some(text) = per_query_gap(results) {
        paragraphs.push(text);
    }
    if paragraphs.is_empty() {
        return;
    }
    let _ = writeln!(md, "## Targets not met\n");
    for text in paragraphs {
        let _ = writeln!(md, "{text}\n");
    }
}

/// Compile no slower than cosmwasm-vm. With `paired_missed`, the paragraph
/// is written whatever the criterion medians say.
fn compile_gap(results: &Results, paired_missed: bool) -> Option<String> {
    let group = "runtime/compile_cw20";
    let ours = results.median(group, "ours", None)?;
    let theirs = results.median(group, "cosmwasm_vm", None)?;
    if ours <= theirs && !paired_missed {
        return None;
    }
    let mut text = format!(
        "**Compile** ({} against cosmwasm-vm's {}).",
        time(ours),
        time(theirs)
    );
    match results.median(group, "ours_no_stack_limit", None) {
        Some(unlimited) if unlimited >= ours => {
            let _ = write!(
                text,
                " In this run the same compile without the deterministic stack limiter took {} \
(no faster than with it), which only the machine's load between benches can do, so this run \
cannot say what the limiter costs.",
                time(unlimited),
            );
        }
        Some(unlimited) => {
            let _ = write!(
                text,
                " Without the deterministic stack limiter, which cosmwasm-vm does not have, the \
same compile takes {} ({:.2}× cosmwasm-vm's time): the limiter costs {} ({:.0} % of our \
compile). Its analysis already rides on the validation pass, it shares metering's \
middleware stage and passes most operators straight through; what remains is Singlepass \
generating the prologue and epilogues it adds to every function that calls another. What \
would close it: less limiter code, e.g. one epilogue per function with each `return` turned \
into a branch to it, and no wrapper block where no branch targets the function label.",
                time(unlimited),
                unlimited / theirs,
                time(ours - unlimited),
                100.0 * (ours - unlimited) / ours,
            );
        }
        None => {}
    }
    text.push_str(
        " Our code also checks every memory access against the memory's size (so that a reset \
changes no page protection), code cosmwasm-vm's build does not have.",
    );
    Some(text)
}

/// Per instance and per call at least 2x faster than cosmwasm-vm, on the
/// path the chain takes (a pooled instance) where it was measured. With
/// `paired_missed`, the paragraph is written whatever the criterion
/// medians say.
fn per_call_gap(results: &Results, paired_missed: bool) -> Option<String> {
    let call = "runtime/cw20_transfer";
    let (ours, path) = match results.median(call, "ours_pooled", None) {
        Some(pooled) => (pooled, "a pooled instance"),
        None => (results.median(call, "ours", None)?, "a new instance"),
    };
    let theirs = results.median(call, "cosmwasm_vm", None)?;
    let warm = results.median("runtime/cw20_transfer_reused", "ours", None)?;
    let warm_theirs = results.median("runtime/cw20_transfer_reused", "cosmwasm_vm", None)?;
    if 2.0 * ours <= theirs && !paired_missed {
        return None;
    }
    let mut text = format!(
        "**Per call** ({} per cw20 transfer on {path} against cosmwasm-vm's {} on a new \
instance: {:.2}×). The Wasm itself runs at cosmwasm-vm's speed: on a kept instance the \
transfer takes {} against {} ({:.2}×), the same compiler and the same metering. ",
        time(ours),
        time(theirs),
        theirs / ours,
        time(warm),
        time(warm_theirs),
        warm_theirs / warm,
    );
    let reset = results.median("runtime/instance_from_memory_cache", "ours_pooled", None);
    if let (Some(reset), "a pooled instance") = (reset, path) {
        let first_call = ours - reset - warm;
        if first_call >= 0.0 {
            let _ = write!(
                text,
                "Getting the instance takes {} (the lookup and the reset). The rest, {} more \
than on a kept instance, is the call starting from the instantiated state: the contract's \
allocator setting itself up and growing memory again, which a new cosmwasm-vm instance pays \
too. ",
                time(reset),
                time(first_call),
            );
        } else {
            let _ = write!(
                text,
                "Getting the instance takes {} (the lookup and the reset). In this run the kept \
instance's call came out slower than the whole pooled path, which only the machine's load \
between benches can do; the paired runs time both back to back. ",
                time(reset),
            );
        }
    }
    let budget = theirs / 2.0 - warm;
    if budget > 0.0 {
        let _ = write!(
            text,
            "Twice cosmwasm-vm's speed leaves {} beyond the kept instance's call for all of \
that. ",
            time(budget)
        );
    } else {
        let _ = write!(
            text,
            "Twice cosmwasm-vm's speed is below the kept instance's own time, so no instance \
work alone can reach it. "
        );
    }
    text.push_str(
        "What would close it: less work per call from the instantiated state, for example a \
memory image in which the contract's allocator is already set up (that would change what a \
call computes from a chain's fresh instance, so it is not allowed), or faster generated code \
than Singlepass (a longer compile).",
    );
    push_tiered(&mut text, results, call, theirs, "transfer");
    Some(text)
}

/// Adds what the tiered-up (Cranelift) module measured in `group`, when it
/// was measured: the faster code that closes the gap, at its price.
fn push_tiered(text: &mut String, results: &Results, group: &str, theirs: f64, what: &str) {
    if let Some(tiered) = results.median(group, "ours_pooled_tiered", None) {
        let _ = write!(
            text,
            " That faster code exists, opt-in: once the module has tiered up to Cranelift \
(`ModuleCache::with_tier_up`, a background compile several times Singlepass's), the pooled \
{what} takes {} ({:.2}× faster than cosmwasm-vm), with the same result bytes and gas.",
            time(tiered),
            theirs / tiered,
        );
    }
}

/// The balance query on the chain's path (a pooled instance).
fn per_query_gap(results: &Results) -> Option<String> {
    let group = "runtime/cw20_balance";
    let ours = results.median(group, "ours_pooled", None)?;
    let theirs = results.median(group, "cosmwasm_vm", None)?;
    if 2.0 * ours <= theirs {
        return None;
    }
    let mut text = format!(
        "**Per query** ({} per cw20 balance query on a pooled instance against cosmwasm-vm's \
{} on a new instance: {:.2}×). ",
        time(ours),
        time(theirs),
        theirs / ours,
    );
    if let Some(reset) = results.median("runtime/instance_from_memory_cache", "ours_pooled", None) {
        let _ = write!(
            text,
            "Getting the instance takes {}; the other {} is the query itself from the \
instantiated state, Wasm at cosmwasm-vm's speed. A query does less Wasm work than a \
transfer, so the instance's share, where we are {:.1}× faster, is larger, yet the fixed \
cost of the contract's first-call setup weighs the same.",
            time(reset),
            time(ours - reset),
            results
                .median("runtime/instance_from_memory_cache", "cosmwasm_vm", None)
                .map_or(0.0, |theirs| theirs / reset),
        );
    }
    push_tiered(&mut text, results, group, theirs, "query");
    Some(text)
}

#[cfg(test)]
mod tests {
    use std::time::SystemTime;

    use super::*;
    use crate::bench_report::estimates::Entry;

    fn results(rows: &[(&str, &str, f64)]) -> Results {
        Results {
            entries: rows
                .iter()
                .map(|(group, function, median_ns)| Entry {
                    group: (*group).to_string(),
                    function: (*function).to_string(),
                    value: None,
                    throughput: None,
                    median_ns: *median_ns,
                    measured: SystemTime::UNIX_EPOCH,
                })
                .collect(),
        }
    }

    #[test]
    fn missed_goals_get_their_figures_and_met_goals_nothing() {
        let missed = results(&[
            ("runtime/compile_cw20", "ours", 116e6),
            ("runtime/compile_cw20", "ours_no_stack_limit", 96e6),
            ("runtime/compile_cw20", "cosmwasm_vm", 101e6),
            ("runtime/instance_from_memory_cache", "ours_pooled", 11e3),
            ("runtime/cw20_transfer", "ours", 141e3),
            ("runtime/cw20_transfer", "ours_pooled", 85e3),
            ("runtime/cw20_transfer", "cosmwasm_vm", 139e3),
            ("runtime/cw20_transfer_reused", "ours", 57e3),
            ("runtime/cw20_transfer_reused", "cosmwasm_vm", 58e3),
        ]);
        let mut md = String::new();
        render_gaps(&mut md, &missed, &[]);
        assert!(md.starts_with("## Targets not met"), "{md}");
        // The limiter's cost: 116 - 96 ms; the pooled call: 85 µs, of which
        // 11 µs getting the instance and 85 - 11 - 57 µs the fresh start;
        // the budget at 2x: 139 / 2 - 57 µs.
        assert!(md.contains("the limiter costs 20.0 ms"), "{md}");
        assert!(
            md.contains("85.0 µs per cw20 transfer on a pooled instance"),
            "{md}"
        );
        assert!(
            md.contains("takes 11.0 µs (the lookup and the reset)"),
            "{md}"
        );
        assert!(md.contains("The rest, 17.0 µs more"), "{md}");
        assert!(md.contains("leaves 12.5 µs beyond"), "{md}");
        assert!(!md.contains("Per query"), "no balance results: {md}");
        assert!(!md.contains("tiered up"), "no tiered results: {md}");

        // A kept instance measured slower than the whole pooled path is
        // the machine's load, not a negative first call.
        let noisy_compile = results(&[
            ("runtime/compile_cw20", "ours", 88e6),
            ("runtime/compile_cw20", "ours_no_stack_limit", 91e6),
            ("runtime/compile_cw20", "cosmwasm_vm", 85e6),
        ]);
        let mut md = String::new();
        render_gaps(&mut md, &noisy_compile, &[]);
        assert!(md.contains("cannot say what the limiter costs"), "{md}");
        assert!(!md.contains("the limiter costs -"), "{md}");

        let inconsistent = results(&[
            ("runtime/instance_from_memory_cache", "ours_pooled", 4e3),
            ("runtime/cw20_transfer", "ours_pooled", 68e3),
            ("runtime/cw20_transfer", "cosmwasm_vm", 130e3),
            ("runtime/cw20_transfer_reused", "ours", 103e3),
            ("runtime/cw20_transfer_reused", "cosmwasm_vm", 65e3),
        ]);
        let mut md = String::new();
        render_gaps(&mut md, &inconsistent, &[]);
        assert!(
            md.contains("came out slower than the whole pooled path"),
            "{md}"
        );
        assert!(!md.contains("The rest,"), "{md}");

        let query = results(&[
            ("runtime/instance_from_memory_cache", "ours_pooled", 10e3),
            ("runtime/instance_from_memory_cache", "cosmwasm_vm", 50e3),
            ("runtime/cw20_balance", "ours_pooled", 75e3),
            ("runtime/cw20_balance", "cosmwasm_vm", 126e3),
            ("runtime/cw20_balance", "ours_pooled_tiered", 42e3),
        ]);
        let mut md = String::new();
        render_gaps(&mut md, &query, &[]);
        assert!(md.contains("75.0 µs per cw20 balance query"), "{md}");
        assert!(
            md.contains("the pooled query takes 42.0 µs (3.00× faster"),
            "{md}"
        );
        assert!(md.contains("the other 65.0 µs is the query"), "{md}");
        assert!(md.contains("we are 5.0× faster"), "{md}");

        // Without a pooled measurement the new-instance path is judged.
        let unpooled = results(&[
            ("runtime/cw20_transfer", "ours", 141e3),
            ("runtime/cw20_transfer", "cosmwasm_vm", 139e3),
            ("runtime/cw20_transfer_reused", "ours", 57e3),
            ("runtime/cw20_transfer_reused", "cosmwasm_vm", 58e3),
        ]);
        let mut md = String::new();
        render_gaps(&mut md, &unpooled, &[]);
        assert!(
            md.contains("141 µs per cw20 transfer on a new instance"),
            "{md}"
        );

        let met = results(&[
            ("runtime/compile_cw20", "ours", 90e6),
            ("runtime/compile_cw20", "cosmwasm_vm", 101e6),
            ("runtime/cw20_transfer", "ours", 141e3),
            ("runtime/cw20_transfer", "ours_pooled", 60e3),
            ("runtime/cw20_transfer", "cosmwasm_vm", 139e3),
            ("runtime/cw20_transfer_reused", "ours", 50e3),
            ("runtime/cw20_transfer_reused", "cosmwasm_vm", 58e3),
        ]);
        let mut md = String::new();
        render_gaps(&mut md, &met, &[]);
        assert_eq!(md, "");

        // A paired measurement overrides the criterion medians both ways.
        let row = |what: &str, round_ratio: f64| PairedRow {
            what: what.to_string(),
            rounds: 30,
            unit: "ms".to_string(),
            ours: 1.0,
            theirs: round_ratio,
            round_ratio,
        };
        let paired = [
            row("cw20-base compile", 1.03),
            row("cw20 transfer, pooled instance (Singlepass)", 1.92),
        ];
        let mut md = String::new();
        render_gaps(&mut md, &met, &paired);
        assert!(!md.contains("**Compile**"), "paired met it: {md}");
        assert!(
            md.contains("**Per call** (60.0 µs per cw20 transfer on a pooled instance"),
            "paired missed it: {md}"
        );
        assert!(md.contains("Paired (30 rounds, ours and cosmwasm-vm back to back): 1.92×"));
        let mut md = String::new();
        render_gaps(&mut md, &missed, &paired);
        assert!(!md.contains("**Compile**"), "paired met it: {md}");
    }
}
