//! `cargo xtask bench-report [--quick] [--only LAYERS] [--no-perf] [--no-run]`: runs
//! the criterion benches of every layer, profiles the per-call path with
//! `perf`, and writes `docs/PERFORMANCE.md` with its plots in `docs/perf/`.
//! When the runtime layer runs, its paired mode runs after it ("Paired
//! runs": ours and cosmwasm-vm timed back to back in every round).
//!
//! Every number in the report comes from criterion's
//! `target/criterion/**/new/estimates.json` (the median) and
//! `benchmark.json` (the ids and throughput), never from its stdout. Each
//! bench target is one layer (`region`, `gas`, `host`, `runtime`, `chain`,
//! `fallback`, `scale`); a comparison (ours against cosmwasm-vm, native
//! against Wasm, chain against engine) is only ever drawn between results of
//! the same bench run. With `--only`, the layers not run keep their earlier
//! results and are marked with the time they were measured.

mod estimates;
mod gaps;
mod paired;
mod perf;
mod plots;
mod svg;
mod tables;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant, SystemTime};

use anyhow::{Context, Result, bail};

use crate::fixtures::workspace_root;
use estimates::Results;

/// Criterion's flags for `--quick`.
const QUICK_FLAGS: [&str; 4] = ["--warm-up-time", "1", "--measurement-time", "3"];

/// The report's layers in the order they appear, each a bench target.
pub const LAYERS: [&str; 7] = [
    "region", "gas", "host", "runtime", "chain", "fallback", "scale",
];

/// What `cargo xtask bench-report` was asked to do.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Shorter warm-up and measurement (criterion's `--warm-up-time 1
    /// --measurement-time 3`).
    pub quick: bool,
    /// Run only these bench targets; the report keeps the others' earlier
    /// results. All when empty.
    pub only: Vec<String>,
    /// Skip the `perf` profiles.
    pub no_perf: bool,
    /// Run no bench: write the report from the results criterion already
    /// has (each layer marked with when it was measured).
    pub no_run: bool,
}

impl Options {
    /// The command line that asks for these options.
    fn command(&self) -> String {
        let mut command = String::from("cargo xtask bench-report");
        if self.quick {
            command.push_str(" --quick");
        }
        if !self.only.is_empty() {
            let _ = write!(command, " --only {}", self.only.join(","));
        }
        if self.no_perf {
            command.push_str(" --no-perf");
        }
        if self.no_run {
            command.push_str(" --no-run");
        }
        command
    }
}

/// One bench target that ran, and how long it took.
struct Run {
    target: String,
    elapsed: Duration,
    /// The 1-minute load average when it started.
    load: String,
}

/// Runs the benches and writes the report.
pub fn run(options: &Options) -> Result<()> {
    let root = workspace_root();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    let targets = bench_targets(&root)?;
    for name in &options.only {
        if !targets.contains(name) {
            bail!(
                "unknown bench target `{name}`; the targets are: {}",
                targets.join(", ")
            );
        }
    }
    let selected: Vec<String> = targets
        .iter()
        .filter(|_| !options.no_run)
        .filter(|t| options.only.is_empty() || options.only.contains(t))
        .cloned()
        .collect();

    let started_at = SystemTime::now();
    let started = Instant::now();
    let load_before = load_average();
    let mut runs = Vec::new();
    for target in &selected {
        eprintln!("bench-report: cargo bench -p benches --bench {target} -- --noplot");
        let load = load_average().split(' ').next().unwrap_or("?").to_string();
        let began = Instant::now();
        let mut command = Command::new(&cargo);
        // `--noplot`: the report reads the estimates, not criterion's HTML,
        // whose plots take a second per bench to draw.
        command
            .args([
                "bench", "-p", "benches", "--bench", target, "--", "--noplot",
            ])
            .current_dir(&root);
        if options.quick {
            command.args(QUICK_FLAGS);
        }
        let status = command.status().context("running cargo bench")?;
        if !status.success() {
            bail!("`cargo bench -p benches --bench {target}` failed ({status})");
        }
        runs.push(Run {
            target: target.clone(),
            elapsed: began.elapsed(),
            load,
        });
    }
    let load_after_benches = load_average();
    let paired_runs = if selected.iter().any(|t| t == "runtime") {
        paired::run(&cargo, &root)
    } else {
        Err(anyhow::anyhow!("the runtime layer was not run"))
    };

    let profiles = if options.no_perf {
        Err(anyhow::anyhow!("skipped (`--no-perf`)"))
    } else {
        profile_per_call_path(&cargo, &root)
    };
    let total = started.elapsed();

    let criterion_dir = root.join("target").join("criterion");
    let mut entries = estimates::read_all(&criterion_dir)?;
    // A target run now reports only what this run measured (an id it no
    // longer has is dropped); the others keep their earlier results.
    entries.retain(|e| !runs.iter().any(|r| r.target == e.layer()) || e.measured >= started_at);
    let results = Results { entries };

    let docs = root.join("docs");
    let plots = plots::plots(&results);
    std::fs::create_dir_all(docs.join("perf"))?;
    for (file, svg) in &plots {
        std::fs::write(docs.join("perf").join(file), svg)
            .with_context(|| format!("writing docs/perf/{file}"))?;
    }
    let quick = if options.quick {
        format!(" {}", QUICK_FLAGS.join(" "))
    } else {
        String::new()
    };
    let header = Header {
        command: options.command(),
        bench_command: format!("cargo bench -p benches --bench LAYER -- --noplot{quick}"),
        started_at,
        total,
        runs: &runs,
        load_before,
        load_after_benches,
        selected: &selected,
    };
    let report = render(
        &header,
        &results,
        &plots,
        &profiles,
        &paired_runs,
        started_at,
    )?;
    let path = docs.join("PERFORMANCE.md");
    std::fs::write(&path, report).with_context(|| format!("writing {}", path.display()))?;
    eprintln!(
        "bench-report: wrote {} and {} plots in {:.0?}",
        path.display(),
        plots.len(),
        total
    );
    Ok(())
}

/// The `[[bench]]` names of `benches/Cargo.toml`, in the report's layer
/// order (unknown ones last).
fn bench_targets(root: &Path) -> Result<Vec<String>> {
    let path = root.join("benches").join("Cargo.toml");
    let text =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let manifest: toml_edit::DocumentMut = text.parse().context("parsing benches/Cargo.toml")?;
    let mut names: Vec<String> = manifest
        .get("bench")
        .and_then(|b| b.as_array_of_tables())
        .map(|benches| {
            benches
                .iter()
                .filter_map(|b| b.get("name").and_then(|n| n.as_str()).map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    let rank = |n: &String| LAYERS.iter().position(|l| l == n).unwrap_or(LAYERS.len());
    names.sort_by_key(rank);
    Ok(names)
}

/// The profiles of "The limit": a transfer on the engine and as a transaction.
fn profile_per_call_path(cargo: &str, root: &Path) -> Result<Vec<perf::Profile>> {
    let perf = perf::available()?;
    [
        ("runtime", "runtime/cw20_transfer/ours_pooled"),
        ("chain", "chain/cw20_transfer"),
    ]
    .into_iter()
    .map(|(bench, id)| {
        eprintln!(
            "bench-report: profiling {id} for {} s",
            perf::PROFILE_SECONDS
        );
        perf::profile(&perf, cargo, root, bench, id)
    })
    .collect()
}

/// `/proc/loadavg`'s three averages.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".to_string())
}

/// One line of output of `program args`, or `unknown`.
fn output_line(program: &str, args: &[&str]) -> String {
    Command::new(program)
        .args(args)
        .output()
        .ok()
        .filter(|o| o.status.success())
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .map(|s| s.trim().to_string())
        .unwrap_or_else(|| "unknown".to_string())
}

/// `time` in UTC, to the minute.
pub fn utc(time: SystemTime) -> String {
    let seconds = time
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs();
    output_line(
        "date",
        &["-u", "-d", &format!("@{seconds}"), "+%Y-%m-%d %H:%M UTC"],
    )
}

fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, model)| model.trim().to_string())
        })
        .unwrap_or_else(|| "unknown".to_string())
}

struct Header<'a> {
    command: String,
    /// What the command runs per layer.
    bench_command: String,
    started_at: SystemTime,
    total: Duration,
    runs: &'a [Run],
    load_before: String,
    load_after_benches: String,
    selected: &'a [String],
}

fn render(
    header: &Header<'_>,
    results: &Results,
    plots: &[(String, String)],
    profiles: &Result<Vec<perf::Profile>>,
    paired_runs: &Result<Vec<paired::PairedRow>>,
    started_at: SystemTime,
) -> Result<String> {
    let mut md = String::new();
    let _ = writeln!(md, "# Performance\n");
    let _ = writeln!(
        md,
        "> **Generated by `cargo xtask bench-report`; do not edit by hand.** Change the \
benches (`benches/benches/`) or the generator (`xtask/src/bench_report.rs`) and \
regenerate.\n"
    );
    let runs: Vec<String> = header
        .runs
        .iter()
        .map(|r| format!("{} {:.0?} (load {})", r.target, r.elapsed, r.load))
        .collect();
    let _ = writeln!(md, "| | |\n|---|---|");
    let _ = writeln!(md, "| date | {} |", utc(header.started_at));
    let _ = writeln!(
        md,
        "| command | `{}`, which runs `{}` per layer |",
        header.command, header.bench_command
    );
    let _ = writeln!(
        md,
        "| machine | {} logical CPUs, {} |",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        cpu_model()
    );
    let _ = writeln!(md, "| rustc | {} |", output_line("rustc", &["--version"]));
    let _ = writeln!(
        md,
        "| load average (1, 5, 15 min) | {} before, {} after the benches |",
        header.load_before, header.load_after_benches
    );
    let _ = writeln!(
        md,
        "| runtime | {:.0?} in all (with building and profiling); {} |",
        header.total,
        runs.join(", ")
    );
    let run = if header.selected.is_empty() {
        "none (`--no-run`: the results criterion had)".to_string()
    } else {
        header.selected.join(", ")
    };
    let _ = writeln!(md, "| layers run | {run} |\n");
    let _ = writeln!(
        md,
        "Every number is criterion's median of one iteration. A ratio compares two \
results of the same bench run; `a / b` above 1 means `b` is faster. The machine is \
shared (see the load average), so expect a few per cent of noise; ratios are steadier \
than absolute times. What each bench measures is in its module doc in \
`benches/benches/`.\n"
    );

    tables::render_goals(&mut md, results);
    paired::render(&mut md, paired_runs);
    let paired_rows = paired_runs.as_deref().unwrap_or_default();
    gaps::render_gaps(&mut md, results, paired_rows);
    tables::render_layers(&mut md, results, plots, started_at);
    render_limit(&mut md, results, profiles);
    Ok(md)
}

/// "The limit": the transfer on a warm instance against the full per-call
/// path, and the profiles. Each step is a ratio within one bench run (the
/// runtime bench for the instance, the chain bench for the chain layer);
/// the share of the whole is their product, so no two runs are compared.
fn render_limit(md: &mut String, results: &Results, profiles: &Result<Vec<perf::Profile>>) {
    let _ = writeln!(md, "## The limit\n");
    let rows = [
        (
            "runtime/cw20_transfer_reused",
            "ours",
            "a warm instance kept across calls: the Wasm and the storage work it asks for",
        ),
        (
            "runtime/cw20_transfer",
            "ours",
            "a new instance from the memory cache per call (lookup, instantiation, teardown), same run",
        ),
        (
            "runtime/cw20_transfer",
            "ours_pooled",
            "an instance from the pool, reset to its instantiated state (lookup, reset, the call from a fresh state), same run",
        ),
        (
            "chain",
            "engine_cw20_transfer",
            "one `WasmContract` resetting its instance per call, cosmwasm-vm's prices with storage",
        ),
        (
            "chain",
            "cw20_transfer",
            "the same as a transaction: registry, env and info JSON, checkpoint, bank, response parsing, events, commit; same run",
        ),
        (
            "fallback/cw20_transfer",
            "native",
            "for scale: the native emulator, no Wasm at all",
        ),
    ];
    let _ = writeln!(md, "| cw20 `transfer` | median |\n|---|---:|");
    for (group, function, what) in rows {
        if let Some(median) = results.median(group, function, None) {
            let _ = writeln!(
                md,
                "| `{group}/{function}`: {what} | {} |",
                tables::time(median)
            );
        }
    }
    md.push('\n');
    let warm = results.median("runtime/cw20_transfer_reused", "ours", None);
    // The per-call path is the pooled one where measured (the chain's).
    let fresh = results
        .median("runtime/cw20_transfer", "ours_pooled", None)
        .or_else(|| results.median("runtime/cw20_transfer", "ours", None));
    let engine = results.median("chain", "engine_cw20_transfer", None);
    let full = results.median("chain", "cw20_transfer", None);
    if let (Some(warm), Some(fresh), Some(engine), Some(full)) = (warm, fresh, engine, full) {
        if warm > fresh || engine > full {
            // A part above its whole: the medians came from moments of
            // different load, and shares computed from them would mislead.
            let _ = writeln!(
                md,
                "No shares from this run: its medians put a part above its whole (the warm call {} against the per-call path {}; the engine {} against the transaction {}), which only the machine's load between benches can do. The paired runs above time both sides back to back.
",
                tables::time(warm),
                tables::time(fresh),
                tables::time(engine),
                tables::time(full),
            );
        } else {
            write_shares(md, warm, fresh, engine, full);
        }
    }
    match profiles {
        Err(why) => {
            let _ = writeln!(md, "No profile in this report: {why:#}.\n");
        }
        Ok(profiles) => {
            let _ = writeln!(
                md,
                "Profiles: `perf record -g` of the bench binary (bench profile, `debug = 1`) \
running one bench for {} s with criterion's `--profile-time` (its setup, such as compiling \
the fixtures, is in the profile too). Wasmer's generated code has no symbols: perf names its \
object `[JIT]`.\n",
                perf::PROFILE_SECONDS
            );
            for profile in profiles {
                let _ = writeln!(md, "### Profile of `{}`\n\n```sh", profile.bench_id);
                for command in &profile.commands {
                    let _ = writeln!(md, "{command}");
                }
                let _ = writeln!(
                    md,
                    "```\n\nBy what the code does (every sample, by a rule on its object and symbol in `xtask/src/bench_report/perf.rs`):\n\n| self | category |\n|---:|---|"
                );
                for (percent, category) in profile.categories.iter().filter(|(p, _)| *p >= 0.05) {
                    let _ = writeln!(md, "| {percent:.1} % | {category} |");
                }
                let _ = writeln!(
                    md,
                    "\nThe top symbols:\n\n| self | symbol (object) |\n|---:|---|"
                );
                for (percent, symbol) in &profile.symbols {
                    let _ = writeln!(md, "| {percent:.2} % | `{}` |", symbol.replace('|', "\\|"));
                }
                let objects: Vec<String> = profile
                    .objects
                    .iter()
                    .take(6)
                    .map(|(percent, object)| format!("`{object}` {percent:.1} %"))
                    .collect();
                let _ = writeln!(md, "\nBy object: {}.\n", objects.join(", "));
            }
        }
    }
}

/// The path of a plot, as the report links it.
pub fn plot_link(file: &str) -> PathBuf {
    Path::new("perf").join(file)
}

/// The shares of the per-call path and of the transaction that the warm
/// Wasm call and the runtime take, from one run's medians.
fn write_shares(md: &mut String, warm: f64, fresh: f64, engine: f64, full: f64) {
    let wasm_share = (warm / fresh) * (engine / full);
    let _ = writeln!(
        md,
        "On the engine, the warm call is {:.0} % of the per-call path: an instance in its \
instantiated state per call costs the other {:.0} %. On the chain, the engine is {:.0} % of the transaction: the \
chain layer costs the other {:.0} %. Together, the warm Wasm call is about {:.0} % of a cw20 \
transfer as a transaction ({:.0} % × {:.0} %, each ratio from one bench run), and **runtime \
overhead about {:.0} %**.\n",
        100.0 * warm / fresh,
        100.0 * (fresh - warm) / fresh,
        100.0 * engine / full,
        100.0 * (full - engine) / full,
        100.0 * wasm_share,
        100.0 * warm / fresh,
        100.0 * engine / full,
        100.0 * (1.0 - wasm_share),
    );
}
