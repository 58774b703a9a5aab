//! The progress bar every job draws on standard error (when it is a terminal and `--quiet`
//! was not given), and the warnings a job reports while it runs.

use indicatif::{ProgressBar, ProgressStyle};

use crate::jobs::Progress;

/// A [`Progress`] drawing one bar: `<units> done/total [=====>    ] rate eta`.
#[derive(Debug)]
pub struct Bar {
    bar: ProgressBar,
}

impl Bar {
    /// A bar, hidden when `quiet` or when standard error is not a terminal.
    pub fn new(quiet: bool) -> Bar {
        let bar = if super::progress_allowed(quiet) {
            ProgressBar::new(0)
        } else {
            ProgressBar::hidden()
        };
        bar.set_style(
            ProgressStyle::with_template(
                "{spinner} {msg} {pos}/{len} [{bar:30}] {per_sec} eta {eta}",
            )
            .expect("valid template")
            .progress_chars("=> "),
        );
        Bar { bar }
    }
}

impl Progress for Bar {
    fn start(&self, unit: &str, total: u64, done: u64) {
        self.bar.set_message(unit.to_string());
        self.bar.set_length(total);
        self.bar.set_position(done);
        self.bar.reset_eta();
    }

    fn advance(&self) {
        self.bar.inc(1);
    }

    fn finish(&self) {
        self.bar.finish_and_clear();
    }

    fn warn(&self, text: &str) {
        self.bar.suspend(|| eprintln!("ovation: warning: {text}"));
    }
}
