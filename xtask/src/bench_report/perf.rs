//! Profiles of the per-call path with Linux `perf`: `perf record -g` of a
//! bench binary run with criterion's `--profile-time` (no analysis, no
//! estimates written), then the flat profile (`perf report --no-children
//! --sort dso,symbol`), summed per object and per category. Wasmer's
//! generated code has no symbols; perf shows it as the object `[JIT]`.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};
use serde_json::Value;

/// Seconds each bench is profiled for.
pub(super) const PROFILE_SECONDS: u32 = 10;
/// Symbols listed per profile.
const TOP_SYMBOLS: usize = 15;

/// One profiled bench and what perf found.
pub(super) struct Profile {
    /// The criterion id profiled (`runtime/cw20_transfer/ours`).
    pub bench_id: String,
    /// The commands that produced it, to paste into a shell.
    pub commands: Vec<String>,
    /// `(percent, symbol)`, the flat profile's top entries.
    pub symbols: Vec<(f64, String)>,
    /// `(percent, object)`: where the samples fell by binary.
    pub objects: Vec<(f64, String)>,
    /// `(percent, category)`: the samples by what the code does.
    pub categories: Vec<(f64, String)>,
}

/// `perf`, if it runs here: `Err` says why not.
pub(super) fn available() -> Result<PathBuf> {
    let perf = ["/usr/bin/perf", "perf"]
        .into_iter()
        .map(PathBuf::from)
        .find(|p| {
            Command::new(p)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
        })
        .context("no working `perf` on this machine (looked for /usr/bin/perf and on PATH)")?;
    // Recording a short command proves the kernel lets us sample.
    let probe = Command::new(&perf)
        .args(["record", "-q", "-o", "/dev/null", "--", "true"])
        .output()
        .context("running perf record")?;
    if !probe.status.success() {
        bail!(
            "`perf record` is not permitted here: {}",
            String::from_utf8_lossy(&probe.stderr).trim()
        );
    }
    Ok(perf)
}

/// The executable of bench target `bench`, built with the bench profile.
pub(super) fn bench_executable(cargo: &str, root: &Path, bench: &str) -> Result<PathBuf> {
    let output = Command::new(cargo)
        .args([
            "bench",
            "-p",
            "benches",
            "--bench",
            bench,
            "--no-run",
            "--message-format=json",
        ])
        .current_dir(root)
        .output()
        .context("running cargo bench --no-run")?;
    if !output.status.success() {
        bail!(
            "building bench `{bench}` failed:\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter(|m| m["reason"] == "compiler-artifact" && m["target"]["name"] == bench)
        .find_map(|m| m["executable"].as_str().map(PathBuf::from))
        .with_context(|| format!("cargo reported no executable for bench `{bench}`"))
}

/// Profiles criterion bench `bench_id` (an exact id) of target `bench`.
pub(super) fn profile(
    perf: &Path,
    cargo: &str,
    root: &Path,
    bench: &str,
    bench_id: &str,
) -> Result<Profile> {
    let exe = bench_executable(cargo, root, bench)?;
    let out_dir = root.join("target").join("perf");
    std::fs::create_dir_all(&out_dir)?;
    let data = out_dir.join(format!("{}.data", bench_id.replace('/', "_")));
    let filter = format!("^{bench_id}$");
    let shown = |p: &Path| p.strip_prefix(root).unwrap_or(p).display().to_string();
    let record = [
        "record".to_string(),
        "-g".into(),
        "-o".into(),
        shown(&data),
        "--".into(),
        shown(&exe),
        "--bench".into(),
        "--profile-time".into(),
        PROFILE_SECONDS.to_string(),
        filter.clone(),
    ];
    // Paths relative to the workspace root, the directory perf runs in, so
    // the commands printed in the report are the commands run.
    let status = Command::new(perf)
        .args(&record)
        .current_dir(root)
        .stdout(std::process::Stdio::null())
        .status()
        .context("running perf record")?;
    if !status.success() {
        bail!("perf record of {bench_id} failed ({status})");
    }
    let output = Command::new(perf)
        .args(["report", "-i", &shown(&data)])
        .args([
            "--no-children",
            "--sort",
            "dso,symbol",
            "--stdio",
            "-g",
            "none",
        ])
        .current_dir(root)
        .output()
        .context("running perf report")?;
    if !output.status.success() {
        bail!(
            "perf report failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let exe_name = exe
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let samples = parse_report(&String::from_utf8_lossy(&output.stdout), &exe_name);
    let data_shown = shown(&data);
    Ok(Profile {
        bench_id: bench_id.to_string(),
        commands: vec![
            format!("cargo bench -p benches --bench {bench} --no-run"),
            format!("perf {}", shell_words(&record)),
            format!(
                "perf report -i {data_shown} --no-children --sort dso,symbol --stdio -g none | head -40"
            ),
        ],
        symbols: samples
            .iter()
            .take(TOP_SYMBOLS)
            .map(|s| (s.percent, s.shown()))
            .collect(),
        objects: totals(&samples, |s| s.object.clone()),
        categories: totals(&samples, |s| s.category().to_string()),
    })
}

/// One line of the flat profile.
struct Sample {
    percent: f64,
    /// The binary (`libc.so.6`, `[kernel.kallsyms]`, `[JIT]` for Wasmer's
    /// generated code).
    object: String,
    kernel: bool,
    symbol: String,
    /// Whether the object belongs to the bench process (its binary or a
    /// shared library), not to a child such as `cargo`.
    in_bench_process: bool,
}

impl Sample {
    fn shown(&self) -> String {
        let symbol = shorten(&self.symbol);
        match self.object.as_str() {
            "[JIT]" => format!("{symbol} (Wasm code)"),
            _ if self.kernel => format!("{symbol} (kernel)"),
            o => format!("{symbol} ({o})"),
        }
    }

    /// Where the sample's time went, by a rule on the object and the name.
    fn category(&self) -> &'static str {
        let s = self.symbol.as_str();
        let any = |needles: &[&str]| needles.iter().any(|n| s.contains(n));
        if self.object == "[JIT]" {
            "Wasm code (Singlepass output, with metering)"
        } else if self.kernel {
            "kernel (page faults, mmap/munmap, TLB shootdowns, scheduling)"
        } else if !self.in_bench_process {
            "other processes (cargo: the fixture helper's up-to-date check)"
        } else if any(&[
            "malloc",
            "free",
            "_int_",
            "realloc",
            "calloc",
            "unlink_chunk",
            "__rust_alloc",
            "__rust_dealloc",
            "__rust_realloc",
            "__rdl_",
            "__rust_no_alloc",
        ]) {
            "allocator (malloc, free)"
        } else if s.starts_with("__mem") {
            "memcpy, memmove, memcmp"
        } else if any(&["wasmer_compiler", "wasmparser", "dynasm"]) {
            "compiling (the bench's setup)"
        } else if s.contains("wasmer") {
            "Wasmer runtime (instances, imports, traps)"
        } else if s.contains("serde") {
            "JSON (serde, serde_json)"
        } else if any(&["cw_host", "cw_gas", "cw_region"]) {
            "cw-host, cw-gas, cw-region"
        } else if s.contains("cw_runtime") {
            "cw-runtime"
        } else if s.contains("cosmwasm") {
            "cosmwasm-std, cosmwasm-vm"
        } else if any(&["hash", "Hash", "sip::"]) {
            "hashing, hash maps"
        } else if any(&["bech32", "sha2", "Sha256"]) {
            "addresses (bech32, sha256)"
        } else {
            "other"
        }
    }
}

/// The sum of the percentages by `key`, largest first.
fn totals(samples: &[Sample], key: impl Fn(&Sample) -> String) -> Vec<(f64, String)> {
    let mut totals: Vec<(f64, String)> = Vec::new();
    for sample in samples {
        let key = key(sample);
        match totals.iter_mut().find(|(_, k)| *k == key) {
            Some((sum, _)) => *sum += sample.percent,
            None => totals.push((sample.percent, key)),
        }
    }
    totals.sort_by(|a, b| b.0.total_cmp(&a.0));
    totals
}

/// Every `percent  object  [.] symbol` line of `perf report --stdio --sort
/// dso,symbol`, largest first (as perf prints them).
fn parse_report(text: &str, exe_name: &str) -> Vec<Sample> {
    text.lines()
        .filter(|line| !line.trim_start().starts_with('#'))
        .filter_map(|line| {
            let (percent, rest) = line.trim().split_once('%')?;
            let percent: f64 = percent.trim().parse().ok()?;
            let (at, kernel) = match (rest.find("[.] "), rest.find("[k] ")) {
                (Some(u), Some(k)) => (u.min(k), k < u),
                (Some(u), None) => (u, false),
                (None, Some(k)) => (k, true),
                (None, None) => return None,
            };
            let object = rest[..at].trim();
            // Wasmer's generated code is `[JIT] tid <thread>`: one object.
            let object = if object.starts_with("[JIT]") {
                "[JIT]"
            } else {
                object
            };
            // perf pads the symbol column and may append IPC columns (`-  -`).
            let mut symbol = rest[at + 4..].trim_end();
            while let Some(stripped) = symbol.strip_suffix('-') {
                symbol = stripped.trim_end();
            }
            let in_bench_process = kernel
                || object == exe_name
                || object.starts_with('[')
                || object.starts_with("lib")
                || object.starts_with("ld-");
            Some(Sample {
                percent,
                object: object.to_string(),
                kernel,
                symbol: symbol.to_string(),
                in_bench_process,
            })
        })
        .collect()
}

fn shell_words(words: &[String]) -> String {
    words
        .iter()
        .map(|w| {
            if w.chars().any(|c| "^$*?'\" ".contains(c)) {
                format!("'{w}'")
            } else {
                w.clone()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// A symbol cut to a readable length (Rust generics make some very long).
fn shorten(name: &str) -> String {
    const MAX: usize = 110;
    if name.chars().count() <= MAX {
        return name.to_string();
    }
    let cut: String = name.chars().take(MAX).collect();
    format!("{cut}…")
}
