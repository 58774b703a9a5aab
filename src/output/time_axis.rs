//! Steps in real time for the plots and the reports: a scenario with a `[time]` table
//! (`step = "10min"`) has its over-time axes drawn in minutes, hours or days since the start,
//! chosen from the span shown, with ticks at round values of that unit; and the measures that
//! count steps (unit `step` or `steps` in [`super::measures`]: the step of the booing peak, of
//! the first response, ...) are also written in time units in reports and headlines. Without
//! `[time]` steps have no unit and the axes say "step".
//!
//! The step's length is read from the scenario as the manifest records it (`time.step`), so a
//! report rebuilt from a folder (`ovation report DIR`) draws and words time like the run did.

use std::ops::Range;

use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, Ranged};
use plotters::coord::types::RangedCoordf64;
use serde_json::Value;

use crate::scenario::time::{Duration, TimeSpec};

/// The real time of one step recorded in a manifest's `scenario` (its `[time]` table), or
/// `None` when the scenario has none (or it does not read as a duration: then steps are shown).
pub fn step_time(scenario: &Value) -> Option<TimeSpec> {
    let step = scenario.get("time")?.get("step")?.as_str()?;
    Duration::parse(step).ok().and_then(TimeSpec::new)
}

/// A unit of real time an axis or a duration is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeUnit {
    /// Minutes.
    Minutes,
    /// Hours.
    Hours,
    /// Days.
    Days,
}

impl TimeUnit {
    /// Seconds in one unit.
    pub fn seconds(self) -> f64 {
        match self {
            TimeUnit::Minutes => 60.0,
            TimeUnit::Hours => 3_600.0,
            TimeUnit::Days => 86_400.0,
        }
    }

    /// Its name in an axis title ("hours").
    pub fn plural(self) -> &'static str {
        match self {
            TimeUnit::Minutes => "minutes",
            TimeUnit::Hours => "hours",
            TimeUnit::Days => "days",
        }
    }

    /// Its short form after a number ("h").
    pub fn short(self) -> &'static str {
        match self {
            TimeUnit::Minutes => "min",
            TimeUnit::Hours => "h",
            TimeUnit::Days => "days",
        }
    }

    /// The unit an axis spanning `seconds` is drawn in: minutes up to 3 hours, hours up to 4
    /// days, days beyond (so the tick labels stay short numbers: at most 180 minutes, 96 hours).
    pub fn for_span(seconds: f64) -> TimeUnit {
        if seconds <= 3.0 * 3_600.0 {
            TimeUnit::Minutes
        } else if seconds <= 4.0 * 86_400.0 {
            TimeUnit::Hours
        } else {
            TimeUnit::Days
        }
    }

    /// The unit a duration of `seconds` (in size) is written in: minutes below 90 minutes,
    /// hours below 2 days, days from there.
    pub fn for_duration(seconds: f64) -> TimeUnit {
        let s = seconds.abs();
        if s < 90.0 * 60.0 {
            TimeUnit::Minutes
        } else if s < 2.0 * 86_400.0 {
            TimeUnit::Hours
        } else {
            TimeUnit::Days
        }
    }

    /// The tick spacings an axis in this unit may use, smallest first; beyond the last, the
    /// spacing grows by 1-2-5 steps of powers of ten.
    fn spacings(self) -> &'static [f64] {
        match self {
            TimeUnit::Minutes => &[1.0, 2.0, 5.0, 10.0, 15.0, 20.0, 30.0, 60.0],
            TimeUnit::Hours => &[1.0, 2.0, 3.0, 4.0, 6.0, 12.0, 24.0],
            TimeUnit::Days => &[1.0, 2.0, 7.0, 14.0, 28.0],
        }
    }
}

/// The most ticks an over-time axis gets (plus the one at 0).
const MAX_TICKS: f64 = 10.0;

/// The x axis of an over-time plot: steps, or real time since the start in one unit.
#[derive(Debug, Clone, PartialEq)]
pub struct TimeAxis {
    /// The unit, `None` for plain steps.
    unit: Option<TimeUnit>,
    /// Seconds per step and per axis unit (both 1 for plain steps): a step's place is
    /// `step * step_seconds / unit_seconds`, exact for whole results.
    step_seconds: f64,
    unit_seconds: f64,
    /// The axis's right end (the last step shown, at least 1).
    end: f64,
    /// Distance between ticks, in axis units.
    spacing: f64,
}

impl TimeAxis {
    /// The axis for steps `0..=last_step` (at least one step wide) with a step of `time`
    /// (plain steps when `None`).
    pub fn new(time: Option<&TimeSpec>, last_step: u32) -> TimeAxis {
        let steps = f64::from(last_step.max(1));
        let (unit, step_seconds, unit_seconds) = match time {
            Some(t) => {
                let unit = TimeUnit::for_span(steps * t.step.seconds());
                (Some(unit), t.step.seconds(), unit.seconds())
            }
            None => (None, 1.0, 1.0),
        };
        let end = steps * step_seconds / unit_seconds;
        let table = unit.map_or(&[][..], TimeUnit::spacings);
        let spacing = table
            .iter()
            .copied()
            .chain(nice_spacings(table.last().copied().unwrap_or(0.0)))
            .find(|s| end / s <= MAX_TICKS)
            .unwrap_or(end);
        TimeAxis {
            unit,
            step_seconds,
            unit_seconds,
            end,
            spacing,
        }
    }

    /// Where step `step` sits on the axis.
    pub fn at(&self, step: u32) -> f64 {
        f64::from(step) * self.step_seconds / self.unit_seconds
    }

    /// The axis's range, from 0 to the last step.
    pub fn range(&self) -> Range<f64> {
        0.0..self.end
    }

    /// The ticks: every multiple of the spacing from 0 to the end.
    pub fn ticks(&self) -> Vec<f64> {
        let n = (self.end / self.spacing + 1e-9).floor() as u64;
        (0..=n).map(|k| k as f64 * self.spacing).collect()
    }

    /// The axis as a plotters coordinate, `0..end` with ticks at [`TimeAxis::ticks`]; its
    /// labels are [`TimeAxis::label`]'s when the mesh is given that formatter.
    pub fn coord(&self) -> TickedAxis {
        TickedAxis {
            inner: self.range().into(),
            ticks: self.ticks(),
        }
    }

    /// The axis title: "step", or "hours since the start".
    pub fn title(&self) -> String {
        match self.unit {
            Some(u) => format!("{} since the start", u.plural()),
            None => "step".to_string(),
        }
    }

    /// "over steps" or "over time", for plot titles.
    pub fn over(&self) -> &'static str {
        if self.unit.is_some() {
            "over time"
        } else {
            "over steps"
        }
    }

    /// A tick's label: a whole number, or up to two decimals when the spacing is fractional.
    pub fn label(&self, x: f64) -> String {
        let s = format!("{x:.2}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// A linear `f64` axis whose ticks are given (plotters' own `with_key_points` on an `f64`
/// range loses its label formatting).
pub struct TickedAxis {
    /// The linear mapping.
    inner: RangedCoordf64,
    /// The ticks (bold key points); there are no light mesh lines between them.
    ticks: Vec<f64>,
}

impl Ranged for TickedAxis {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        self.inner.map(value, limit)
    }

    fn key_points<H: KeyPointHint>(&self, hint: H) -> Vec<f64> {
        if hint.weight().allow_light_points() {
            Vec::new()
        } else {
            self.ticks.clone()
        }
    }

    fn range(&self) -> Range<f64> {
        self.inner.range()
    }
}

/// Spacings after `after`: 1, 2, 5 times powers of ten, each larger than `after`.
fn nice_spacings(after: f64) -> impl Iterator<Item = f64> {
    (0..20)
        .flat_map(|e| [1.0, 2.0, 5.0].map(|m| m * 10f64.powi(e)))
        .filter(move |s| *s > after)
}

/// `steps` steps as real time in words ("41.1 h"), in the unit [`TimeUnit::for_duration`]
/// picks for it.
pub fn duration_text(steps: f64, time: &TimeSpec) -> String {
    let seconds = steps * time.step.seconds();
    in_unit(seconds, TimeUnit::for_duration(seconds))
}

/// Several step counts as real time, all in the one unit the largest of them picks (so an
/// interval reads "0.4 to 1.3 h", not "24 min to 1.3 h"); the unit is returned apart.
pub fn durations_text(steps: &[f64], time: &TimeSpec) -> (Vec<String>, TimeUnit) {
    let largest = steps
        .iter()
        .filter(|s| s.is_finite())
        .fold(0.0f64, |a, s| a.max(s.abs()));
    let unit = TimeUnit::for_duration(largest * time.step.seconds());
    let numbers = steps
        .iter()
        .map(|s| number(s * time.step.seconds() / unit.seconds()))
        .collect();
    (numbers, unit)
}

/// `seconds` in `unit`, with the unit.
fn in_unit(seconds: f64, unit: TimeUnit) -> String {
    format!("{} {}", number(seconds / unit.seconds()), unit.short())
}

/// A number of time units: no decimals from 100 up, else one (`-0.0` as `0`).
fn number(x: f64) -> String {
    let s = if x.abs() >= 100.0 {
        format!("{x:.0}")
    } else {
        format!("{x:.1}")
    };
    if s.starts_with('-') && s.trim_start_matches(['-', '0', '.']).is_empty() {
        s[1..].to_string()
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(text: &str) -> TimeSpec {
        TimeSpec::new(Duration::parse(text).expect("a duration")).expect("a step")
    }

    #[test]
    fn an_axis_without_time_counts_steps_at_round_ticks() {
        let a = TimeAxis::new(None, 40);
        assert_eq!(a.title(), "step");
        assert_eq!(a.over(), "over steps");
        assert_eq!(a.range(), 0.0..40.0);
        assert_eq!(
            a.ticks(),
            [0.0, 5.0, 10.0, 15.0, 20.0, 25.0, 30.0, 35.0, 40.0]
        );
        assert_eq!(a.at(7), 7.0);
        assert_eq!(TimeAxis::new(None, 288).ticks().last(), Some(&250.0));
        assert_eq!(TimeAxis::new(None, 0).ticks(), [0.0, 1.0]);
    }

    #[test]
    fn two_days_of_ten_minute_steps_are_drawn_in_hours_every_six() {
        let a = TimeAxis::new(Some(&step("10min")), 288);
        assert_eq!(a.title(), "hours since the start");
        assert_eq!(a.over(), "over time");
        assert_eq!(a.range(), 0.0..48.0);
        assert_eq!(
            a.ticks(),
            [0.0, 6.0, 12.0, 18.0, 24.0, 30.0, 36.0, 42.0, 48.0]
        );
        assert_eq!(a.at(3), 0.5);
        assert_eq!(a.label(6.0), "6");
        assert_eq!(a.label(0.5), "0.5");
    }

    #[test]
    fn the_unit_follows_the_span() {
        // 90 minutes of one-minute steps: minutes, every 10.
        let a = TimeAxis::new(Some(&step("1min")), 90);
        assert_eq!(a.title(), "minutes since the start");
        assert_eq!(a.ticks()[..3], [0.0, 10.0, 20.0]);
        // A week of hour steps: days, every day.
        let a = TimeAxis::new(Some(&step("1h")), 168);
        assert_eq!(a.title(), "days since the start");
        assert_eq!(a.ticks(), [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0]);
        // Four days of ten-minute steps: hours, every 12.
        let a = TimeAxis::new(Some(&step("10min")), 576);
        assert_eq!(a.title(), "hours since the start");
        assert_eq!(
            a.ticks(),
            [0.0, 12.0, 24.0, 36.0, 48.0, 60.0, 72.0, 84.0, 96.0]
        );
        // A year of day steps: days, every 50.
        let a = TimeAxis::new(Some(&step("1d")), 365);
        assert_eq!(a.ticks()[..3], [0.0, 50.0, 100.0]);
    }

    #[test]
    fn durations_are_worded_in_a_readable_unit() {
        let t = step("10min");
        assert_eq!(duration_text(246.5, &t), "41.1 h");
        assert_eq!(duration_text(4.0, &t), "40.0 min");
        assert_eq!(duration_text(600.0, &t), "4.2 days");
        let (n, u) = durations_text(&[-2.0, 9.0, 14.0], &t);
        assert_eq!(
            (n, u),
            (
                vec!["-0.3".into(), "1.5".into(), "2.3".into()],
                TimeUnit::Hours
            )
        );
    }

    #[test]
    fn the_step_is_read_from_the_scenario_as_recorded() {
        let s: Value = serde_json::json!({"time": {"step": "10min"}, "steps": "2d"});
        assert_eq!(step_time(&s), Some(step("10min")));
        assert_eq!(step_time(&serde_json::json!({"steps": 40})), None);
    }
}
