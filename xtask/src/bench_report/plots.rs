//! The report's plots: one SVG per curve, named after the layer it belongs
//! to (`scale_threads.svg` goes in the `scale` section).

use super::estimates::{Entry, Results, Throughput};
use super::svg::{Axis, Chart, Scale, Series};
use super::tables::{bytes, count, tick};

/// The points `(x, y)` of `group/function` for `y` of each entry.
fn curve(
    results: &Results,
    group: &str,
    function: &str,
    x: impl Fn(&Entry) -> Option<f64>,
    y: impl Fn(&Entry) -> Option<f64>,
) -> Vec<(f64, f64)> {
    let mut points: Vec<(f64, f64)> = results
        .group(group)
        .filter(|e| e.function == function)
        .filter_map(|e| Some((x(e)?, y(e)?)))
        .collect();
    points.sort_by(|a, b| a.0.total_cmp(&b.0));
    points
}

fn series(name: &str, points: Vec<(f64, f64)>) -> Option<Series> {
    (!points.is_empty()).then(|| Series {
        name: name.to_string(),
        points,
    })
}

fn throughput_bytes(e: &Entry) -> Option<f64> {
    match e.throughput? {
        Throughput::Bytes(n) => Some(n as f64),
        Throughput::Elements(_) => None,
    }
}

/// The report's plots as `(file name, SVG)`; the file name starts with the
/// layer it belongs to. Only plots with data.
pub(super) fn plots(results: &Results) -> Vec<(String, String)> {
    let micros = |e: &Entry| Some(e.median_ns / 1e3);
    let mut charts = Vec::new();

    let region = [
        ("region/read", "guest_memory", "read"),
        ("region/read", "memcpy", "read: memcpy"),
        ("region/read_vec", "guest_memory", "read_vec"),
        ("region/read_vec", "to_vec", "read_vec: to_vec"),
        ("region/write", "guest_memory", "write"),
        ("region/write", "memcpy", "write: memcpy"),
    ]
    .into_iter()
    .filter_map(|(g, f, name)| {
        series(
            name,
            curve(results, g, f, Entry::x, |e| e.per_second().map(|b| b / 1e9)),
        )
    })
    .collect();
    charts.push((
        "region_throughput.svg",
        Chart {
            title: "Region copy throughput by size (cw-region, VecMemory)".into(),
            x: Axis {
                scale: Scale::Log2,
                title: "region size".into(),
                format: bytes,
            },
            y: Axis {
                scale: Scale::Linear,
                title: "GB/s".into(),
                format: tick,
            },
            series: region,
        },
    ));

    let message = ["ours", "cosmwasm_vm"]
        .into_iter()
        .filter_map(|f| {
            series(
                f,
                curve(results, "scale/message_size", f, throughput_bytes, micros),
            )
        })
        .collect();
    charts.push((
        "scale_message_size.svg",
        Chart {
            title: "Probe write on a kept instance, by message size".into(),
            x: Axis {
                scale: Scale::Log2,
                title: "message size (JSON, value base64)".into(),
                format: bytes,
            },
            y: Axis {
                scale: Scale::Log10,
                title: "median per call (µs)".into(),
                format: tick,
            },
            series: message,
        },
    ));

    let threads = [
        ("fresh_instance", "new instance per transfer"),
        ("reused_instance", "kept instance"),
    ]
    .into_iter()
    .filter_map(|(f, name)| {
        series(
            name,
            curve(results, "scale/threads", f, Entry::x, Entry::per_second),
        )
    })
    .collect();
    charts.push((
        "scale_threads.svg",
        Chart {
            title: "cw20 transfers per second by threads (shared cache)".into(),
            x: Axis {
                scale: Scale::Linear,
                title: "threads".into(),
                format: |v| {
                    if v.fract() == 0.0 {
                        format!("{v:.0}")
                    } else {
                        String::new()
                    }
                },
            },
            y: Axis {
                scale: Scale::Linear,
                title: "transfers per second".into(),
                format: count,
            },
            series: threads,
        },
    ));

    let compile = ["ours", "cosmwasm_vm"]
        .into_iter()
        .filter_map(|f| {
            series(
                f,
                curve(
                    results,
                    "scale/compile",
                    f,
                    |e| e.x().map(|bytes| bytes / 1024.0),
                    |e| Some(e.median_ns / 1e6),
                ),
            )
        })
        .collect();
    charts.push((
        "scale_compile.svg",
        Chart {
            title: "Compile time by module size (the fixtures)".into(),
            x: Axis {
                scale: Scale::Linear,
                title: "Wasm size (KiB)".into(),
                format: tick,
            },
            y: Axis {
                scale: Scale::Linear,
                title: "median compile (ms)".into(),
                format: tick,
            },
            series: compile,
        },
    ));

    let storage = ["ours"]
        .into_iter()
        .filter_map(|f| series(f, curve(results, "scale/storage_size", f, Entry::x, micros)))
        .collect();
    charts.push((
        "scale_storage_size.svg",
        Chart {
            title: "cw20 transfer by accounts in storage".into(),
            x: Axis {
                scale: Scale::Log10,
                title: "accounts".into(),
                format: count,
            },
            y: Axis {
                scale: Scale::Linear,
                title: "median per call (µs)".into(),
                format: tick,
            },
            series: storage,
        },
    ));

    charts
        .into_iter()
        .filter(|(_, chart)| !chart.series.is_empty())
        .map(|(file, chart)| (file.to_string(), chart.to_svg()))
        .collect()
}
