//! Progress on stderr for slow work (compiling the codes of a scenario): a
//! bar when stderr is a terminal, one plain line per event otherwise, so
//! logs, pipes and tests read the same words a person sees.

use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

/// Progress over a known number of items.
pub(crate) struct Progress {
    bar: ProgressBar,
    /// Plain lines instead of the bar (stderr is not a terminal).
    lines: bool,
    /// Nothing at all (`--quiet`-like callers).
    quiet: bool,
}

impl Progress {
    /// Progress over `len` items; `quiet` shows nothing.
    pub(crate) fn new(len: usize, quiet: bool) -> Self {
        if quiet {
            return Self {
                bar: ProgressBar::hidden(),
                lines: false,
                quiet,
            };
        }
        let bar = ProgressBar::new(u64::try_from(len).unwrap_or(u64::MAX));
        let style = ProgressStyle::with_template("cwr: [{bar:24}] {pos}/{len} {msg} {elapsed}")
            .map(|style| style.progress_chars("=> "));
        if let Ok(style) = style {
            bar.set_style(style);
        }
        let lines = bar.is_hidden();
        if !lines {
            bar.enable_steady_tick(Duration::from_millis(200));
        }
        Self { bar, lines, quiet }
    }

    /// An item starts: `text` says what is being done.
    pub(crate) fn start(&self, text: &str) {
        if self.lines {
            eprintln!("cwr: {text} ...");
        } else if !self.quiet {
            self.bar.set_message(text.to_owned());
        }
    }

    /// The item finished: `text` says how it went.
    pub(crate) fn done(&self, text: &str) {
        if self.lines {
            eprintln!("cwr: {text}");
        } else if !self.quiet {
            self.bar.println(format!("cwr: {text}"));
            self.bar.inc(1);
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.bar.finish_and_clear();
    }
}
