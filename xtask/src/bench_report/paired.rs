//! "Paired runs": the runtime bench's `CW_PAIRED_ROUNDS` mode, which times
//! ours and cosmwasm-vm back to back in every round so both see the same
//! load. On a shared machine this is steadier than two criterion medians
//! taken seconds apart, so the report shows it beside the goals table.

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result, bail};

/// Rounds of the paired transfer (the compile gets a hundredth of them,
/// static validation a tenth).
pub(super) const ROUNDS: usize = 3000;

/// One paired measurement as the bench writes it.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct PairedRow {
    /// What was timed, e.g. `cw20-base compile`.
    pub what: String,
    /// Rounds timed (after warm-up).
    pub rounds: u64,
    /// `µs` or `ms`.
    pub unit: String,
    /// Our median.
    pub ours: f64,
    /// cosmwasm-vm's median.
    pub theirs: f64,
    /// The median over rounds of cosmwasm-vm's time / ours.
    pub round_ratio: f64,
}

/// Runs the paired mode of the runtime bench and reads what it wrote.
pub(super) fn run(cargo: &str, root: &Path) -> Result<Vec<PairedRow>> {
    let out = root.join("target").join("paired-runs.json");
    // A stale file must not pass for this run's.
    let _ = std::fs::remove_file(&out);
    eprintln!("bench-report: CW_PAIRED_ROUNDS={ROUNDS} cargo bench -p benches --bench runtime");
    let status = Command::new(cargo)
        .args(["bench", "-p", "benches", "--bench", "runtime"])
        .env("CW_PAIRED_ROUNDS", ROUNDS.to_string())
        .env("CW_PAIRED_JSON", &out)
        .current_dir(root)
        .status()
        .context("running the paired runtime bench")?;
    if !status.success() {
        bail!("the paired runtime bench failed ({status})");
    }
    let text =
        std::fs::read_to_string(&out).with_context(|| format!("reading {}", out.display()))?;
    parse(&text)
}

/// The rows of the bench's JSON.
pub(super) fn parse(text: &str) -> Result<Vec<PairedRow>> {
    let value: serde_json::Value = serde_json::from_str(text).context("paired runs JSON")?;
    let rows = value.as_array().context("paired runs: expected an array")?;
    rows.iter()
        .map(|row| {
            let text = |key: &str| {
                row.get(key)
                    .and_then(|v| v.as_str())
                    .map(str::to_owned)
                    .with_context(|| format!("paired runs: `{key}` missing"))
            };
            let number = |key: &str| {
                row.get(key)
                    .and_then(serde_json::Value::as_f64)
                    .with_context(|| format!("paired runs: `{key}` missing"))
            };
            Ok(PairedRow {
                what: text("what")?,
                rounds: row
                    .get("rounds")
                    .and_then(serde_json::Value::as_u64)
                    .context("paired runs: `rounds` missing")?,
                unit: text("unit")?,
                ours: number("ours")?,
                theirs: number("theirs")?,
                round_ratio: number("round_ratio")?,
            })
        })
        .collect()
}

/// Issue 10's goal for a paired row, if it has one: no slower to compile,
/// at least 2x faster per call.
fn goal(what: &str) -> Option<f64> {
    if what.contains("compile") {
        Some(1.0)
    } else if what.contains("transfer") {
        Some(2.0)
    } else {
        None
    }
}

/// The "Paired runs" section.
pub(super) fn render(md: &mut String, rows: &Result<Vec<PairedRow>>) {
    let _ = writeln!(md, "## Paired runs\n");
    let rows = match rows {
        Ok(rows) => rows,
        Err(e) => {
            let _ = writeln!(md, "Not measured in this run: {e:#}.\n");
            return;
        }
    };
    let _ = writeln!(
        md,
        "`CW_PAIRED_ROUNDS={ROUNDS} cargo bench -p benches --bench runtime`, run after the \
criterion benches: every round times ours and cosmwasm-vm back to back (the compile and \
validation rounds in alternating order), so both see the same load, and each timed transfer \
follows an untimed one of the same kind, so it starts from what a stream of such calls leaves \
(caches, TLB), not from the other side's teardown. The last column but \
two is the ratio of the two medians; the one before the goal is the median of the \
per-round ratios, the steadier figure, which judges the goal here. Where this table and \
the criterion table above disagree on a goal, the machine's noise moved one of them; \
trust this one.\n"
    );
    let _ = writeln!(
        md,
        "| paired | rounds | ours | cosmwasm_vm | cosmwasm_vm / ours | median of round ratios | goal | met |"
    );
    let _ = writeln!(md, "|---|---:|---:|---:|---:|---:|---:|---:|");
    for row in rows {
        let (goal, met) = match goal(&row.what) {
            Some(goal) => (
                format!("≥ {goal}×"),
                if row.round_ratio >= goal { "yes" } else { "no" }.to_string(),
            ),
            None => ("–".to_string(), "–".to_string()),
        };
        let _ = writeln!(
            md,
            "| {} | {} | {:.2} {unit} | {:.2} {unit} | {:.2}× | {:.2}× | {goal} | {met} |",
            row.what,
            row.rounds,
            row.ours,
            row.theirs,
            row.theirs / row.ours,
            row.round_ratio,
            unit = row.unit,
        );
    }
    md.push('\n');
}

#[cfg(test)]
mod tests {
    use super::*;

    const JSON: &str = r#"[
      {"what": "cw20 transfer, pooled instance (Singlepass)", "rounds": 3000, "unit": "µs",
       "ours": 100.0, "theirs": 190.0, "round_ratio": 1.95},
      {"what": "cw20-base compile", "rounds": 30, "unit": "ms",
       "ours": 80.0, "theirs": 81.0, "round_ratio": 1.01},
      {"what": "cw20-base static validation", "rounds": 300, "unit": "ms",
       "ours": 2.0, "theirs": 3.0, "round_ratio": 1.4}
    ]"#;

    #[test]
    fn rows_are_judged_by_the_median_of_round_ratios() {
        let rows = parse(JSON).unwrap();
        assert_eq!(rows.len(), 3);
        let mut md = String::new();
        render(&mut md, &Ok(rows));
        assert!(md.contains(
            "| cw20 transfer, pooled instance (Singlepass) | 3000 | 100.00 µs | 190.00 µs | \
1.90× | 1.95× | ≥ 2× | no |"
        ));
        assert!(md.contains(
            "| cw20-base compile | 30 | 80.00 ms | 81.00 ms | 1.01× | 1.01× | ≥ 1× | yes |"
        ));
        assert!(md.contains(
            "| cw20-base static validation | 300 | 2.00 ms | 3.00 ms | 1.50× | 1.40× | – | – |"
        ));
    }

    #[test]
    fn a_missing_field_or_measurement_is_reported() {
        assert!(parse(r#"[{"what": "x"}]"#).is_err());
        assert!(parse("{}").is_err());
        let mut md = String::new();
        render(
            &mut md,
            &Err(anyhow::anyhow!("the runtime layer was not run")),
        );
        assert!(md.contains("Not measured in this run: the runtime layer was not run."));
    }
}
