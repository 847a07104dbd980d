//! The report's tables, one section per layer, from the criterion results.
//! Layers whose groups are all "the same call, two ways" get one
//! generic table (rows: group and parameter; columns: the ways; then the
//! ratios); gas, chain and scale have tables of their own shape.

use std::fmt::Write as _;
use std::time::SystemTime;

use super::estimates::{Entry, Results, Throughput};
use super::{LAYERS, plot_link, utc};

/// Ratios drawn when a row has both functions: `(numerator, denominator)`.
const RATIOS: [(&str, &str); 7] = [
    ("cosmwasm_vm", "ours"),
    ("cosmwasm_vm", "ours_pooled"),
    ("cosmwasm_vm", "ours_pooled_tiered"),
    ("guest_memory", "memcpy"),
    ("guest_memory", "to_vec"),
    ("wasm_cached", "native"),
    ("wasm_reused", "native"),
];

/// Column order of the generic table; other functions follow by name.
const FUNCTION_ORDER: [&str; 12] = [
    "ours",
    "ours_pooled",
    "ours_pooled_tiered",
    "ours_module_held",
    "ours_no_stack_limit",
    "cosmwasm_vm",
    "native",
    "wasm_cached",
    "wasm_reused",
    "memcpy",
    "to_vec",
    "guest_memory",
];

/// What each layer measures, in one sentence.
fn describe(layer: &str) -> &'static str {
    match layer {
        "region" => {
            "Moving region data through `&dyn GuestMemory` (cw-region over its `VecMemory`) against a plain copy of the same size: load and check the region struct, check the limit, copy."
        }
        "gas" => {
            "A CPU-bound Wasm loop (100,000 calls of a small function) on Singlepass with cw-gas's middlewares off and on; the ratio to `off` is the metering overhead."
        }
        "host" => {
            "One `execute` making 0 or 1,000 host calls on an instance kept across iterations, ours and cosmwasm-vm 3.0.11 running the same module; the per-call table is `(t(1000) - t(0)) / 1000`."
        }
        "runtime" => {
            "cw20-base through our runtime (`ours`) and cosmwasm-vm 3.0.11 (`cosmwasm_vm`) in the same run, on the same storage, priced free on both; setup asserts identical result bytes and gas. `ours_pooled` runs on a reset instance from the pool, `ours_pooled_tiered` the same once the module has tiered up to Cranelift (`ModuleCache::with_tier_up`); the compile row is Singlepass, what every module gets first."
        }
        "chain" => {
            "The chain layer: a cw20 transfer as a transaction, the same call on the engine alone, a `send` into a receiver contract (two calls, one submessage), and 1,000 transfers in a row."
        }
        "fallback" => {
            "The native emulator (cw-fallback) against the same contract's Wasm, from the memory cache (`wasm_cached`, a new instance per call) and on a kept instance (`wasm_reused`)."
        }
        "scale" => {
            "How a call's cost grows with its message, with the number of threads sharing the cache, with the accounts in storage, and how compile time grows with module size."
        }
        _ => "",
    }
}

/// `ns` with three significant digits and a unit.
pub(super) fn time(ns: f64) -> String {
    let (value, unit) = match ns.abs() {
        n if n >= 1e9 => (ns / 1e9, "s"),
        n if n >= 1e6 => (ns / 1e6, "ms"),
        n if n >= 1e3 => (ns / 1e3, "µs"),
        _ => (ns, "ns"),
    };
    format!("{} {unit}", significant(value))
}

/// An axis tick: whole numbers without decimals.
pub(super) fn tick(value: f64) -> String {
    if value.fract() == 0.0 {
        format!("{value:.0}")
    } else {
        significant(value)
    }
}

fn significant(value: f64) -> String {
    match value.abs() {
        v if v >= 100.0 => format!("{value:.0}"),
        v if v >= 10.0 => format!("{value:.1}"),
        _ => format!("{value:.2}"),
    }
}

/// A byte count in B, KiB or MiB (`1 KiB`, `2.71 KiB`).
pub(super) fn bytes(n: f64) -> String {
    let (value, unit) = match n {
        n if n >= 1024.0 * 1024.0 => (n / (1024.0 * 1024.0), "MiB"),
        n if n >= 1024.0 => (n / 1024.0, "KiB"),
        n => return format!("{n:.0} B"),
    };
    if value.fract() == 0.0 {
        format!("{value:.0} {unit}")
    } else {
        format!("{} {unit}", significant(value))
    }
}

/// A count with thousands separators (`1,000,000`).
pub(super) fn count(n: f64) -> String {
    let digits = format!("{n:.0}");
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn ratio(a: f64, b: f64) -> String {
    format!("{:.2}×", a / b)
}

fn cell(value: Option<String>) -> String {
    value.unwrap_or_else(|| "–".to_string())
}

fn table(md: &mut String, headers: &[String], rows: &[Vec<String>]) {
    let _ = writeln!(md, "| {} |", headers.join(" | "));
    let align: Vec<&str> = (0..headers.len())
        .map(|i| if i == 0 { "---" } else { "---:" })
        .collect();
    let _ = writeln!(md, "|{}|", align.join("|"));
    for row in rows {
        let _ = writeln!(md, "| {} |", row.join(" | "));
    }
    md.push('\n');
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

/// The goals of issue 10 against cosmwasm-vm 3.0.11, each a ratio within
/// one bench run: at least 2× faster per call and per instance, no slower
/// to compile.
pub(super) fn render_goals(md: &mut String, results: &Results) {
    let goals = [
        ("runtime/compile_cw20", "ours", "compile cw20-base", 1.0),
        (
            "runtime/instance_from_memory_cache",
            "ours",
            "new instance from the memory cache",
            2.0,
        ),
        (
            "runtime/instance_from_memory_cache",
            "ours_pooled",
            "instance from the pool, reset (what the chain pays)",
            2.0,
        ),
        (
            "runtime/cw20_transfer",
            "ours",
            "cw20 transfer (new instance + call)",
            2.0,
        ),
        (
            "runtime/cw20_transfer",
            "ours_pooled",
            "cw20 transfer (pooled instance + call, as the chain runs it)",
            2.0,
        ),
        (
            "runtime/cw20_transfer",
            "ours_pooled_tiered",
            "cw20 transfer (pooled instance of the tiered-up Cranelift module + call)",
            2.0,
        ),
        (
            "runtime/cw20_balance",
            "ours",
            "cw20 balance query (new instance + query)",
            2.0,
        ),
        (
            "runtime/cw20_balance",
            "ours_pooled",
            "cw20 balance query (pooled instance + query)",
            2.0,
        ),
        (
            "runtime/cw20_balance",
            "ours_pooled_tiered",
            "cw20 balance query (pooled instance of the tiered-up Cranelift module + query)",
            2.0,
        ),
        // A reference, not a goal: the same compiler on both sides.
        (
            "runtime/cw20_transfer_reused",
            "ours",
            "cw20 transfer on a kept instance (reference: the Wasm alone)",
            0.0,
        ),
    ];
    let mut rows = Vec::new();
    for (group, function, what, goal) in goals {
        let ours = results.median(group, function, None);
        let theirs = results.median(group, "cosmwasm_vm", None);
        if let (Some(ours), Some(theirs)) = (ours, theirs) {
            let (goal, met) = match goal {
                0.0 => ("–".to_string(), "–"),
                goal if theirs / ours >= goal => (format!("≥ {goal:.0}×"), "yes"),
                goal => (format!("≥ {goal:.0}×"), "no"),
            };
            rows.push(vec![
                format!("{what} (`{group}/{function}`)"),
                time(ours),
                time(theirs),
                ratio(theirs, ours),
                goal,
                met.to_string(),
            ]);
        }
    }
    if rows.is_empty() {
        return;
    }
    let _ = writeln!(md, "## Against cosmwasm-vm 3.0.11\n");
    let headers = [
        "",
        "ours",
        "cosmwasm_vm",
        "cosmwasm_vm / ours",
        "goal",
        "met",
    ];
    table(md, &strings(&headers), &rows);
}

/// Every layer's section, in order, then any layer the report does not know.
pub(super) fn render_layers(
    md: &mut String,
    results: &Results,
    plots: &[(String, String)],
    now: SystemTime,
) {
    let mut layers: Vec<&str> = LAYERS.to_vec();
    for e in &results.entries {
        if !layers.contains(&e.layer()) {
            layers.push(e.layer());
        }
    }
    for layer in layers {
        let groups = results.groups_of(layer);
        if groups.is_empty() {
            continue;
        }
        let _ = writeln!(md, "## {layer}\n\n{}\n", describe(layer));
        let oldest = results
            .entries
            .iter()
            .filter(|e| e.layer() == layer)
            .map(|e| e.measured)
            .min();
        if let Some(measured) = oldest.filter(|m| *m < now) {
            let _ = writeln!(
                md,
                "*Not run by this report: results of {}.*\n",
                utc(measured)
            );
        }
        let handled = match layer {
            "gas" => gas(md, results),
            "host" => host(md, results),
            "chain" => chain(md, results),
            "scale" => scale(md, results),
            _ => Vec::new(),
        };
        let rest: Vec<&str> = groups
            .into_iter()
            .filter(|g| !handled.contains(g))
            .collect();
        if !rest.is_empty() {
            generic(md, results, layer, &rest);
        }
        for (file, _) in plots
            .iter()
            .filter(|(f, _)| f.starts_with(&format!("{layer}_")))
        {
            let _ = writeln!(md, "![{file}]({})\n", plot_link(file).display());
        }
    }
}

/// Rows: group (less the layer) and parameter; columns: functions; then the
/// ratios of [`RATIOS`] that some row has.
fn generic(md: &mut String, results: &Results, layer: &str, groups: &[&str]) {
    let entries: Vec<&Entry> = results
        .entries
        .iter()
        .filter(|e| groups.contains(&e.group.as_str()))
        .collect();
    let mut functions: Vec<&str> = Vec::new();
    for e in &entries {
        if !functions.contains(&e.function.as_str()) {
            functions.push(&e.function);
        }
    }
    let rank = |f: &&str| {
        FUNCTION_ORDER
            .iter()
            .position(|o| o == f)
            .unwrap_or(FUNCTION_ORDER.len())
    };
    functions.sort_by(|a, b| rank(a).cmp(&rank(b)).then(a.cmp(b)));
    let mut rows: Vec<(&str, Option<&str>)> = Vec::new();
    for group in groups {
        for e in entries.iter().filter(|e| e.group == *group) {
            let row = (*group, e.value.as_deref());
            if !rows.contains(&row) {
                rows.push(row);
            }
        }
    }
    let ratios: Vec<(&str, &str)> = RATIOS
        .into_iter()
        .filter(|(a, b)| {
            rows.iter()
                .any(|(g, v)| results.get(g, a, *v).is_some() && results.get(g, b, *v).is_some())
        })
        .collect();
    let mut headers = vec!["bench".to_string()];
    headers.extend(functions.iter().map(|f| format!("`{f}`")));
    headers.extend(ratios.iter().map(|(a, b)| format!("{a} / {b}")));
    let body: Vec<Vec<String>> = rows
        .iter()
        .map(|(group, value)| {
            let name = group
                .strip_prefix(layer)
                .and_then(|g| g.strip_prefix('/'))
                .unwrap_or(group);
            let label = match (value, layer) {
                (Some(v), "region") => format!("{name} {}", bytes(v.parse().unwrap_or(0.0))),
                (Some(v), _) => format!("{name}/{v}"),
                (None, _) => name.to_string(),
            };
            let mut row = vec![format!("`{label}`")];
            row.extend(
                functions
                    .iter()
                    .map(|f| cell(results.median(group, f, *value).map(time))),
            );
            row.extend(ratios.iter().map(|(a, b)| {
                let both = results
                    .median(group, a, *value)
                    .zip(results.median(group, b, *value));
                cell(both.map(|(a, b)| ratio(a, b)))
            }));
            row
        })
        .collect();
    table(md, &headers, &body);
}

fn gas(md: &mut String, results: &Results) -> Vec<&'static str> {
    let off = results.median("gas/metering", "off", None);
    let rows: Vec<Vec<String>> = results
        .entries
        .iter()
        .filter(|e| e.layer() == "gas")
        .map(|e| {
            vec![
                format!("`{}/{}`", e.group, e.function),
                time(e.median_ns),
                cell(off.map(|off| ratio(e.median_ns, off))),
            ]
        })
        .collect();
    table(
        md,
        &strings(&["bench", "median", "/ `gas/metering/off`"]),
        &rows,
    );
    vec![
        "gas/metering",
        "gas/stack_limit",
        "gas/metering+stack_limit",
    ]
}

fn host(md: &mut String, results: &Results) -> Vec<&'static str> {
    // The generic table shows the raw medians; this one the cost per call.
    let groups = results.groups_of("host");
    let mut rows = Vec::new();
    for group in &groups {
        let per_call = |side: &str| {
            let t0 = results.median(group, side, Some("0"))?;
            let t1000 = results.median(group, side, Some("1000"))?;
            Some((t1000 - t0) / 1000.0)
        };
        let (ours, theirs) = (per_call("ours"), per_call("cosmwasm_vm"));
        rows.push(vec![
            format!("`{group}`"),
            cell(ours.map(time)),
            cell(theirs.map(time)),
            cell(theirs.zip(ours).map(|(t, o)| ratio(t, o))),
        ]);
    }
    let _ = writeln!(md, "One host call from Wasm, `(t(1000) - t(0)) / 1000`:\n");
    table(
        md,
        &strings(&["import", "ours", "cosmwasm_vm", "cosmwasm_vm / ours"]),
        &rows,
    );
    let _ = writeln!(md, "The medians they come from:\n");
    Vec::new()
}

fn chain(md: &mut String, results: &Results) -> Vec<&'static str> {
    let rows: Vec<Vec<String>> = results
        .group("chain")
        .map(|e| vec![format!("`chain/{}`", e.function), time(e.median_ns)])
        .collect();
    table(md, &strings(&["bench", "median"]), &rows);
    let full = results.median("chain", "cw20_transfer", None);
    let engine = results.median("chain", "engine_cw20_transfer", None);
    if let (Some(full), Some(engine)) = (full, engine) {
        let _ = writeln!(
            md,
            "Chain overhead on a cw20 transfer: {} over the engine alone ({} of the transaction; \
chain / engine {}).\n",
            time(full - engine),
            format_args!("{:.0} %", 100.0 * (full - engine) / full),
            ratio(full, engine)
        );
    }
    if let Some(thousand) = results.median("chain", "1000_transfers", None) {
        let _ = writeln!(
            md,
            "1,000 transfers in a row: {} per transfer, {} transfers per second on one thread.\n",
            time(thousand / 1000.0),
            count(1000.0 / (thousand * 1e-9))
        );
    }
    vec!["chain"]
}

fn scale(md: &mut String, results: &Results) -> Vec<&'static str> {
    let group = "scale/message_size";
    let rows: Vec<Vec<String>> = values(results, group)
        .into_iter()
        .map(|value| {
            let ours = results.get(group, "ours", Some(&value));
            let theirs = results.median(group, "cosmwasm_vm", Some(&value));
            let message = ours.and_then(|e| match e.throughput {
                Some(Throughput::Bytes(n)) => Some(bytes(n as f64)),
                _ => None,
            });
            vec![
                bytes(value.parse().unwrap_or(0.0)),
                cell(message),
                cell(ours.map(|e| time(e.median_ns))),
                cell(theirs.map(time)),
                cell(theirs.zip(ours).map(|(t, o)| ratio(t, o.median_ns))),
                cell(
                    ours.and_then(Entry::per_second)
                        .map(|b| format!("{} MB/s", significant(b / 1e6))),
                ),
            ]
        })
        .collect();
    if !rows.is_empty() {
        let _ = writeln!(
            md,
            "### Per-call latency by message size (probe `write` on a kept instance)\n\n\
The value is base64 in the JSON message; 128 KiB is the largest value `db_write` accepts.\n"
        );
        table(
            md,
            &strings(&[
                "value",
                "message",
                "ours",
                "cosmwasm_vm",
                "cosmwasm_vm / ours",
                "ours, message bytes/s",
            ]),
            &rows,
        );
    }

    let group = "scale/threads";
    let rows: Vec<Vec<String>> = values(results, group)
        .into_iter()
        .map(|threads| {
            let mut row = vec![threads.clone()];
            for mode in ["fresh_instance", "reused_instance"] {
                let e = results.get(group, mode, Some(&threads));
                row.push(cell(e.map(|e| time(e.median_ns))));
                row.push(cell(e.and_then(Entry::per_second).map(count)));
            }
            row
        })
        .collect();
    if !rows.is_empty() {
        let _ = writeln!(
            md,
            "### cw20 transfers per second by threads (one shared `ModuleCache`)\n"
        );
        table(
            md,
            &strings(&[
                "threads",
                "fresh instance: median",
                "transfers/s",
                "kept instance: median",
                "transfers/s",
            ]),
            &rows,
        );
        let per_second = |mode: &str, threads: &str| {
            results
                .get(group, mode, Some(threads))
                .and_then(Entry::per_second)
        };
        for (mode, what) in [
            ("fresh_instance", "a new instance per transfer"),
            ("reused_instance", "a kept instance per thread"),
        ] {
            if let (Some(one), Some(two)) = (per_second(mode, "1"), per_second(mode, "2")) {
                let _ = writeln!(
                    md,
                    "With {what}, 2 threads move {} the transfers per second of 1.",
                    ratio(two, one)
                );
            }
        }
        md.push('\n');
    }

    let group = "scale/storage_size";
    let accounts = values(results, group);
    let first = accounts
        .first()
        .and_then(|a| results.median(group, "ours", Some(a)));
    let rows: Vec<Vec<String>> = accounts
        .iter()
        .map(|a| {
            let median = results.median(group, "ours", Some(a));
            vec![
                count(a.parse().unwrap_or(0.0)),
                cell(median.map(time)),
                cell(median.zip(first).map(|(m, f)| ratio(m, f))),
            ]
        })
        .collect();
    if !rows.is_empty() {
        let _ = writeln!(
            md,
            "### Per-call cost of a cw20 transfer by accounts in storage\n"
        );
        table(md, &strings(&["accounts", "ours", "/ smallest"]), &rows);
    }

    let group = "scale/compile";
    let rows: Vec<Vec<String>> = values(results, group)
        .into_iter()
        .map(|value| {
            let (size, name) = value.split_once('_').unwrap_or((&value, "?"));
            let ours = results.median(group, "ours", Some(&value));
            let theirs = results.median(group, "cosmwasm_vm", Some(&value));
            vec![
                format!("`{name}`"),
                bytes(size.parse().unwrap_or(0.0)),
                cell(ours.map(time)),
                cell(theirs.map(time)),
                cell(theirs.zip(ours).map(|(t, o)| ratio(t, o))),
            ]
        })
        .collect();
    if !rows.is_empty() {
        let _ = writeln!(md, "### Compile time by module size\n");
        table(
            md,
            &strings(&[
                "fixture",
                "Wasm size",
                "ours",
                "cosmwasm_vm",
                "cosmwasm_vm / ours",
            ]),
            &rows,
        );
    }
    vec![
        "scale/message_size",
        "scale/threads",
        "scale/storage_size",
        "scale/compile",
    ]
}

/// The distinct parameters of `group`, by their number.
fn values(results: &Results, group: &str) -> Vec<String> {
    let mut entries: Vec<&Entry> = results.group(group).filter(|e| e.value.is_some()).collect();
    entries.sort_by(|a, b| a.x().unwrap_or(0.0).total_cmp(&b.x().unwrap_or(0.0)));
    let mut values: Vec<String> = Vec::new();
    for e in entries {
        let value = e.value.clone().unwrap_or_default();
        if !values.contains(&value) {
            values.push(value);
        }
    }
    values
}
