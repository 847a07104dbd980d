//! Line charts as hand-written SVG: axes, ticks, one polyline per series,
//! a legend. No plotting crate: the five curves of the report need little,
//! and plain text diffs well.

use std::fmt::Write as _;

/// How an axis maps values to positions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Scale {
    /// Linear from zero (or the smallest value, if negative) to a round maximum.
    Linear,
    /// Logarithmic, ticks at powers of two (sizes in bytes).
    Log2,
    /// Logarithmic, ticks at powers of ten (and 2 and 5 times them when the
    /// range spans few decades).
    Log10,
}

/// One axis: its scale, title and how its tick labels read.
pub(super) struct Axis {
    pub scale: Scale,
    pub title: String,
    pub format: fn(f64) -> String,
}

/// One line: a name for the legend and its points (x ascending).
pub(super) struct Series {
    pub name: String,
    pub points: Vec<(f64, f64)>,
}

/// A chart, rendered by [`Chart::to_svg`].
pub(super) struct Chart {
    pub title: String,
    pub x: Axis,
    pub y: Axis,
    pub series: Vec<Series>,
}

const WIDTH: f64 = 720.0;
const HEIGHT: f64 = 420.0;
const LEFT: f64 = 80.0;
const RIGHT: f64 = 200.0;
const TOP: f64 = 40.0;
const BOTTOM: f64 = 60.0;
/// Colour-blind-safe palette (Okabe-Ito).
const COLOURS: [&str; 7] = [
    "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000",
];

/// The visible range of an axis and its ticks.
struct Mapping {
    scale: Scale,
    low: f64,
    high: f64,
    ticks: Vec<f64>,
}

impl Mapping {
    fn new(scale: Scale, values: impl Iterator<Item = f64> + Clone) -> Self {
        let min = values.clone().fold(f64::INFINITY, f64::min);
        let max = values.fold(f64::NEG_INFINITY, f64::max);
        let (min, max) = if min.is_finite() {
            (min, max)
        } else {
            (1.0, 10.0)
        };
        match scale {
            Scale::Linear => {
                let low = min.min(0.0);
                let step = nice_step((max - low).max(f64::MIN_POSITIVE) / 5.0);
                let high = (max / step).ceil() * step;
                let count = ((high - low) / step).round() as usize;
                let ticks = (0..=count).map(|i| low + step * i as f64).collect();
                Self {
                    scale,
                    low,
                    high: high.max(low + step),
                    ticks,
                }
            }
            Scale::Log2 | Scale::Log10 => {
                let base: f64 = if scale == Scale::Log2 { 2.0 } else { 10.0 };
                // The epsilon keeps an exact power (log10(1000) = 2.9999...) on itself.
                let low = base.powf((min.max(f64::MIN_POSITIVE).log(base) + 1e-9).floor());
                let mut high = base.powf((max.max(f64::MIN_POSITIVE).log(base) - 1e-9).ceil());
                if high <= low {
                    high = low * base;
                }
                let mut ticks = Vec::new();
                let mut tick = low;
                while tick <= high * 1.0001 {
                    ticks.push(tick);
                    if scale == Scale::Log10 && (high / low) <= 100.0 {
                        ticks.extend([2.0 * tick, 5.0 * tick].into_iter().filter(|t| *t < high));
                    }
                    tick *= base;
                }
                // At most about ten labels: keep every n-th power.
                let keep = ticks.len().div_ceil(10).max(1);
                let ticks = ticks.into_iter().step_by(keep).collect();
                Self {
                    scale,
                    low,
                    high,
                    ticks,
                }
            }
        }
    }

    /// `value`'s position between 0 and 1.
    fn fraction(&self, value: f64) -> f64 {
        match self.scale {
            Scale::Linear => (value - self.low) / (self.high - self.low),
            Scale::Log2 | Scale::Log10 => {
                (value.ln() - self.low.ln()) / (self.high.ln() - self.low.ln())
            }
        }
    }
}

/// 1, 2 or 5 times a power of ten, at least `raw`.
fn nice_step(raw: f64) -> f64 {
    let power = 10f64.powf(raw.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * power)
        .find(|step| *step >= raw)
        .unwrap_or(10.0 * power)
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

impl Chart {
    /// The chart as a standalone SVG document.
    pub(super) fn to_svg(&self) -> String {
        let points = || self.series.iter().flat_map(|s| s.points.iter());
        let xs = Mapping::new(self.x.scale, points().map(|p| p.0));
        let ys = Mapping::new(self.y.scale, points().map(|p| p.1));
        let plot_w = WIDTH - LEFT - RIGHT;
        let plot_h = HEIGHT - TOP - BOTTOM;
        let px = |x: f64| LEFT + xs.fraction(x) * plot_w;
        let py = |y: f64| TOP + (1.0 - ys.fraction(y)) * plot_h;

        let mut svg = String::new();
        let _ = writeln!(
            svg,
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" font-family="sans-serif" font-size="12">"#
        );
        let _ = writeln!(svg, r#"<rect width="100%" height="100%" fill="white"/>"#);
        let _ = writeln!(
            svg,
            r#"<text x="{}" y="22" text-anchor="middle" font-size="15">{}</text>"#,
            LEFT + plot_w / 2.0,
            escape(&self.title)
        );
        // Grid and ticks.
        for &tick in &xs.ticks {
            let x = px(tick);
            let _ = writeln!(
                svg,
                r##"<line x1="{x:.1}" y1="{TOP}" x2="{x:.1}" y2="{:.1}" stroke="#e4e4e4"/><text x="{x:.1}" y="{:.1}" text-anchor="middle">{}</text>"##,
                TOP + plot_h,
                TOP + plot_h + 16.0,
                escape(&(self.x.format)(tick))
            );
        }
        for &tick in &ys.ticks {
            let y = py(tick);
            let _ = writeln!(
                svg,
                r##"<line x1="{LEFT}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" stroke="#e4e4e4"/><text x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"##,
                LEFT + plot_w,
                LEFT - 6.0,
                y + 4.0,
                escape(&(self.y.format)(tick))
            );
        }
        // Axes and their titles.
        let _ = writeln!(
            svg,
            r#"<rect x="{LEFT}" y="{TOP}" width="{plot_w}" height="{plot_h}" fill="none" stroke="black"/>"#
        );
        let _ = writeln!(
            svg,
            r#"<text x="{:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
            LEFT + plot_w / 2.0,
            HEIGHT - 18.0,
            escape(&self.x.title)
        );
        let _ = writeln!(
            svg,
            r#"<text transform="translate(18 {:.1}) rotate(-90)" text-anchor="middle">{}</text>"#,
            TOP + plot_h / 2.0,
            escape(&self.y.title)
        );
        // One polyline with point markers per series, and the legend.
        for (i, series) in self.series.iter().enumerate() {
            let colour = COLOURS[i % COLOURS.len()];
            let line: Vec<String> = series
                .points
                .iter()
                .map(|&(x, y)| format!("{:.1},{:.1}", px(x), py(y)))
                .collect();
            let _ = writeln!(
                svg,
                r#"<polyline points="{}" fill="none" stroke="{colour}" stroke-width="2"/>"#,
                line.join(" ")
            );
            for &(x, y) in &series.points {
                let _ = writeln!(
                    svg,
                    r#"<circle cx="{:.1}" cy="{:.1}" r="3" fill="{colour}"/>"#,
                    px(x),
                    py(y)
                );
            }
            let ly = TOP + 10.0 + 20.0 * i as f64;
            let lx = LEFT + plot_w + 14.0;
            let _ = writeln!(
                svg,
                r#"<line x1="{lx}" y1="{ly}" x2="{}" y2="{ly}" stroke="{colour}" stroke-width="2"/><text x="{}" y="{}">{}</text>"#,
                lx + 20.0,
                lx + 26.0,
                ly + 4.0,
                escape(&series.name)
            );
        }
        svg.push_str("</svg>\n");
        svg
    }
}
