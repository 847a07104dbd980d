//! Reading criterion's results: `target/criterion/**/new/benchmark.json`
//! (the ids and the throughput) beside `new/estimates.json` (the median).
//! Criterion's stdout is never parsed.

use std::path::Path;
use std::time::SystemTime;

use anyhow::{Context, Result};
use serde_json::Value;

/// What one benchmark's iteration processes, as criterion records it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Throughput {
    /// Bytes per iteration.
    Bytes(u64),
    /// Elements (transfers, calls) per iteration.
    Elements(u64),
}

/// One benchmark's result.
#[derive(Debug, Clone)]
pub(super) struct Entry {
    /// `region/read`, `chain`, ...
    pub group: String,
    /// `ours`, `cosmwasm_vm`, `cw20_transfer`, ...
    pub function: String,
    /// The parameter of a curve (`1024`), if any.
    pub value: Option<String>,
    pub throughput: Option<Throughput>,
    /// Median time of one iteration in nanoseconds.
    pub median_ns: f64,
    /// When criterion wrote the estimate.
    pub measured: SystemTime,
}

impl Entry {
    /// The layer: the group's first segment (`region` of `region/read`).
    pub(super) fn layer(&self) -> &str {
        self.group.split('/').next().unwrap_or(&self.group)
    }

    /// The parameter's leading number (`1024` of `1024` or `1024_cw20_base`).
    pub(super) fn x(&self) -> Option<f64> {
        let value = self.value.as_deref()?;
        let digits: String = value.chars().take_while(char::is_ascii_digit).collect();
        digits.parse().ok()
    }

    /// The iteration's throughput per second, if criterion recorded one.
    pub(super) fn per_second(&self) -> Option<f64> {
        let amount = match self.throughput? {
            Throughput::Bytes(n) | Throughput::Elements(n) => n as f64,
        };
        Some(amount / (self.median_ns * 1e-9))
    }
}

/// Every result under `criterion_dir`, in a stable order (by group, then by
/// the parameter's number, then by name).
pub(super) fn read_all(criterion_dir: &Path) -> Result<Vec<Entry>> {
    let mut entries = Vec::new();
    if criterion_dir.is_dir() {
        walk(criterion_dir, &mut entries)?;
    }
    entries.sort_by(|a, b| {
        let x = |e: &Entry| e.x().unwrap_or(-1.0);
        (a.group.as_str(), a.function.as_str())
            .cmp(&(b.group.as_str(), b.function.as_str()))
            .then(x(a).total_cmp(&x(b)))
            .then(a.value.cmp(&b.value))
    });
    Ok(entries)
}

fn walk(dir: &Path, entries: &mut Vec<Entry>) -> Result<()> {
    let new = dir.join("new");
    if new.join("benchmark.json").is_file() && new.join("estimates.json").is_file() {
        entries.push(read_entry(&new)?);
        return Ok(());
    }
    let listing = std::fs::read_dir(dir).with_context(|| format!("listing {}", dir.display()))?;
    for item in listing {
        let item = item?;
        // `report` holds criterion's HTML; `base`/`change` older runs.
        if item.file_type()?.is_dir() && item.file_name() != "report" {
            walk(&item.path(), entries)?;
        }
    }
    Ok(())
}

fn read_json(path: &Path) -> Result<Value> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| format!("parsing {}", path.display()))
}

fn read_entry(new: &Path) -> Result<Entry> {
    let benchmark = read_json(&new.join("benchmark.json"))?;
    let estimates_path = new.join("estimates.json");
    let estimates = read_json(&estimates_path)?;
    let text = |key: &str| benchmark[key].as_str().map(str::to_string);
    let context = || format!("{}", new.display());
    let throughput = match &benchmark["throughput"] {
        Value::Object(map) => map.iter().find_map(|(kind, n)| {
            let n = n.as_u64()?;
            match kind.as_str() {
                "Bytes" | "BytesDecimal" => Some(Throughput::Bytes(n)),
                "Elements" => Some(Throughput::Elements(n)),
                _ => None,
            }
        }),
        _ => None,
    };
    Ok(Entry {
        group: text("group_id").with_context(|| format!("no group_id in {}", context()))?,
        function: text("function_id").unwrap_or_default(),
        value: text("value_str"),
        throughput,
        median_ns: estimates["median"]["point_estimate"]
            .as_f64()
            .with_context(|| format!("no median in {}", estimates_path.display()))?,
        measured: std::fs::metadata(&estimates_path)?.modified()?,
    })
}

/// The results of one report, with lookups by id.
pub(super) struct Results {
    pub entries: Vec<Entry>,
}

impl Results {
    /// The entry `group/function[/value]`.
    pub(super) fn get(&self, group: &str, function: &str, value: Option<&str>) -> Option<&Entry> {
        self.entries
            .iter()
            .find(|e| e.group == group && e.function == function && e.value.as_deref() == value)
    }

    /// The median of `group/function[/value]` in nanoseconds.
    pub(super) fn median(&self, group: &str, function: &str, value: Option<&str>) -> Option<f64> {
        self.get(group, function, value).map(|e| e.median_ns)
    }

    /// Every entry of `group`.
    pub(super) fn group<'a>(&'a self, group: &'a str) -> impl Iterator<Item = &'a Entry> + 'a {
        self.entries.iter().filter(move |e| e.group == group)
    }

    /// The groups of `layer`, in order.
    pub(super) fn groups_of(&self, layer: &str) -> Vec<&str> {
        let mut groups: Vec<&str> = Vec::new();
        for e in self.entries.iter().filter(|e| e.layer() == layer) {
            if !groups.contains(&e.group.as_str()) {
                groups.push(&e.group);
            }
        }
        groups
    }
}
