//! Real time in scenarios: the `[time]` table (`step = "5min"`), duration strings (`"30s"`,
//! `"20min"`, `"2h"`, `"3d"`, `"1w"`, `"1month"`, `"1year"`) and empirical delay tables.
//!
//! A scenario with `[time]` may write every delay, duration and half-life in time units; each
//! is converted once, at validation, to whole steps (rounded to the nearest step, so `"7min"`
//! with `step = "5min"` is 1 step). Without `[time]`, steps have no unit and durations must be
//! integers (steps). `1month` is 30.4375 days (a Gregorian year / 12) and `1year` 365.25 days.
//!
//! The public API other modules use: [`Duration::parse`], [`TimeSpec::steps`] and
//! [`load_delay_histogram`].

use std::fmt;
use std::io::Read;
use std::path::Path;

use toml::Value;

use crate::model::delay::EmpiricalDelay;
use crate::scenario::de::{RawError, describe};
use crate::scenario::span::{Seg, child};

/// Seconds in each unit a duration may be written in, longest names first.
pub const UNITS: [(&str, f64); 13] = [
    ("months", 30.4375 * 86_400.0),
    ("month", 30.4375 * 86_400.0),
    ("years", 365.25 * 86_400.0),
    ("year", 365.25 * 86_400.0),
    ("min", 60.0),
    ("sec", 1.0),
    ("s", 1.0),
    ("h", 3_600.0),
    ("d", 86_400.0),
    ("w", 7.0 * 86_400.0),
    ("mo", 30.4375 * 86_400.0),
    ("y", 365.25 * 86_400.0),
    ("hr", 3_600.0),
];

/// What a duration string looks like, for error messages.
pub const EXPECTED: &str = "a duration such as \"30s\", \"20min\", \"2h\", \"3d\", \"1w\", \
                            \"1month\" or \"1year\"";

/// A span of real time (non-negative, finite), kept in seconds.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd)]
pub struct Duration {
    seconds: f64,
}

impl Duration {
    /// A duration of `seconds` (must be finite and `>= 0`).
    pub fn from_seconds(seconds: f64) -> Option<Duration> {
        (seconds.is_finite() && seconds >= 0.0).then_some(Duration { seconds })
    }

    /// A duration of `minutes`.
    pub fn from_minutes(minutes: f64) -> Option<Duration> {
        Duration::from_seconds(minutes * 60.0)
    }

    /// Parses `"<number><unit>"` (optional spaces between them): units `s`/`sec`, `min`/`m`,
    /// `h`/`hr`, `d`, `w`, `month`/`mo`, `year`/`y`. The error says what was expected.
    pub fn parse(text: &str) -> Result<Duration, String> {
        let t = text.trim();
        let split = t
            .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '_'))
            .unwrap_or(t.len());
        let (num, unit) = (t[..split].replace('_', ""), t[split..].trim());
        let bad = || format!("expected {EXPECTED}, found \"{text}\"");
        if num.is_empty() || unit.is_empty() {
            return Err(bad());
        }
        let value: f64 = num.parse().map_err(|_| bad())?;
        let Some(&(_, secs)) = UNITS.iter().find(|(name, _)| *name == unit) else {
            return Err(format!(
                "expected {EXPECTED}, found \"{text}\" (unknown unit `{unit}`; units: s, min, h, \
                 d, w, month, year)"
            ));
        };
        Duration::from_seconds(value * secs).ok_or_else(bad)
    }

    /// The duration in seconds.
    pub fn seconds(self) -> f64 {
        self.seconds
    }

    /// The duration in minutes.
    pub fn minutes(self) -> f64 {
        self.seconds / 60.0
    }
}

impl fmt::Display for Duration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.seconds;
        let (v, u) = if s >= 86_400.0 && s % 86_400.0 == 0.0 {
            (s / 86_400.0, "d")
        } else if s >= 3_600.0 && s % 3_600.0 == 0.0 {
            (s / 3_600.0, "h")
        } else if s >= 60.0 && s % 60.0 == 0.0 {
            (s / 60.0, "min")
        } else {
            (s, "s")
        };
        write!(f, "{v}{u}")
    }
}

/// The `[time]` table: what one step is in real time.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TimeSpec {
    /// The real time of one step (`> 0`).
    pub step: Duration,
}

impl TimeSpec {
    /// A step of `step` (must be `> 0`).
    pub fn new(step: Duration) -> Option<TimeSpec> {
        (step.seconds > 0.0).then_some(TimeSpec { step })
    }

    /// `duration` in steps, unrounded.
    pub fn steps_exact(&self, duration: Duration) -> f64 {
        duration.seconds / self.step.seconds
    }

    /// `duration` in whole steps, rounded to the nearest (halves up), saturating at `u32::MAX`.
    pub fn steps(&self, duration: Duration) -> u32 {
        self.steps_exact(duration)
            .round()
            .clamp(0.0, f64::from(u32::MAX)) as u32
    }

    /// `steps` steps as real time.
    pub fn duration(&self, steps: f64) -> Duration {
        Duration {
            seconds: self.step.seconds * steps.max(0.0),
        }
    }
}

/// Reads the `[time]` table (`Some(None)` when absent, `None` when wrong: reported).
pub(crate) fn parse_table(v: Option<&Value>, sink: &mut Vec<RawError>) -> Option<Option<TimeSpec>> {
    let Some(v) = v else {
        return Some(None);
    };
    let path = vec![Seg::Key("time".into())];
    let Some(t) = v.as_table() else {
        sink.push(RawError::value(
            path,
            format!(
                "expected a table ([time] with step = \"5min\"), found {}",
                describe(v)
            ),
        ));
        return None;
    };
    let mut ok = true;
    for key in t.keys() {
        if key != "step" {
            sink.push(RawError::key(
                child(&path, key),
                format!("unknown key `{key}` in [time]; expected `step`"),
            ));
            ok = false;
        }
    }
    let Some(step) = t.get("step") else {
        sink.push(RawError::value(
            path,
            "missing key `step`; expected the real time of one step, e.g. `step = \"5min\"`",
        ));
        return None;
    };
    let spath = child(&path, "step");
    let parsed = match step {
        Value::String(s) => Duration::parse(s),
        other => Err(format!("expected {EXPECTED}, found {}", describe(other))),
    };
    match parsed.map(TimeSpec::new) {
        Ok(Some(spec)) if ok => Some(Some(spec)),
        Ok(Some(_)) => None,
        Ok(None) => {
            sink.push(RawError::value(
                spath,
                "expected a duration longer than zero (the real time of one step), found 0",
            ));
            None
        }
        Err(e) => {
            sink.push(RawError::value(spath, e));
            None
        }
    }
}

/// A value that may be written in steps (an integer) or, with `[time]`, as a duration string:
/// the number of whole steps, or `None` (reported at `path`). `what` names the quantity in
/// errors ("reply delay").
pub(crate) fn steps_of(
    v: &Value,
    path: &[Seg],
    time: Option<&TimeSpec>,
    what: &str,
    sink: &mut Vec<RawError>,
) -> Option<i64> {
    match (v, time) {
        (Value::Integer(i), _) if *i >= 0 => Some(*i),
        (Value::Integer(i), _) => {
            sink.push(RawError::value(
                path.to_vec(),
                format!("expected a non-negative integer (steps) or a duration for the {what}, found {i}"),
            ));
            None
        }
        (Value::String(s), Some(t)) => match Duration::parse(s) {
            Ok(d) => Some(i64::from(t.steps(d))),
            Err(e) => {
                sink.push(RawError::value(path.to_vec(), format!("{what}: {e}")));
                None
            }
        },
        (Value::String(s), None) => {
            sink.push(RawError::value(
                path.to_vec(),
                format!(
                    "expected a whole number of steps for the {what}, found \"{s}\"; a duration \
                     needs a [time] table saying what a step is (e.g. `[time]` with \
                     `step = \"5min\"`)"
                ),
            ));
            None
        }
        (other, _) => {
            sink.push(RawError::value(
                path.to_vec(),
                format!(
                    "expected a {what}: a whole number of steps or {EXPECTED}, found {}",
                    describe(other)
                ),
            ));
            None
        }
    }
}

/// Resolves a delay value in place: an integer stays; a duration string becomes whole steps; a
/// table `{ empirical = "file", brand = "ALL" }` is read (relative to `base_dir`) into
/// `{ source, bins }` in steps. Errors are reported at `path`; returns false after one.
pub(crate) fn resolve_delay(
    v: &mut Value,
    path: &[Seg],
    time: Option<&TimeSpec>,
    base_dir: &Path,
    sink: &mut Vec<RawError>,
) -> bool {
    if let Value::Table(t) = &*v {
        if t.contains_key("empirical") {
            let Some(time) = time else {
                sink.push(RawError::value(
                    path.to_vec(),
                    "expected a [time] table with an empirical delay (its histogram is in \
                     minutes; [time] says how long a step is)",
                ));
                return false;
            };
            for key in t.keys() {
                if key != "empirical" && key != "brand" {
                    sink.push(RawError::key(
                        child(path, key),
                        format!(
                            "unknown key `{key}` in an empirical delay; expected `empirical` \
                             and `brand`"
                        ),
                    ));
                    return false;
                }
            }
            let Some(Value::String(file)) = t.get("empirical") else {
                sink.push(RawError::value(
                    child(path, "empirical"),
                    "expected the path of a delay histogram file (a string)",
                ));
                return false;
            };
            let brand = match t.get("brand") {
                None => "ALL".to_string(),
                Some(Value::String(b)) => b.clone(),
                Some(other) => {
                    sink.push(RawError::value(
                        child(path, "brand"),
                        format!("expected a row label (a string), found {}", describe(other)),
                    ));
                    return false;
                }
            };
            let full = base_dir.join(file);
            return match load_delay_histogram(&full, &brand, time) {
                Ok(h) => {
                    *v = Value::try_from(h).unwrap_or(Value::Integer(0));
                    true
                }
                Err(e) => {
                    sink.push(RawError::value(child(path, "empirical"), e));
                    false
                }
            };
        }
        sink.push(RawError::value(
            path.to_vec(),
            format!(
                "expected a delay: whole steps, {EXPECTED}, or {{ empirical = \"file\", brand = \
                 \"ALL\" }}, found a table without `empirical`"
            ),
        ));
        return false;
    }
    match steps_of(v, path, time, "delay", sink) {
        Some(s) => {
            *v = Value::Integer(s);
            true
        }
        None => false,
    }
}

/// Reads the rows labelled `label` of a delay histogram file (plain or gzip): lines
/// `label lo_min hi_min count` (bins `lo < delay <= hi` in minutes, `hi` may be `inf`), `#`
/// comments. The open last bin `(lo, inf]` is read as `(lo, 2 lo]` (an assumption: a bin must
/// be finite to sample in it; in the shipped twcs table it holds 0.1% of the replies). Bins
/// are converted to steps with `time`.
pub fn load_delay_histogram(
    file: &Path,
    label: &str,
    time: &TimeSpec,
) -> Result<EmpiricalDelay, String> {
    let shown = file.display();
    let raw = std::fs::read(file).map_err(|e| format!("cannot read {shown}: {e}"))?;
    let text = if raw.starts_with(&[0x1f, 0x8b]) {
        let mut s = String::new();
        flate2::read::GzDecoder::new(&raw[..])
            .read_to_string(&mut s)
            .map_err(|e| format!("cannot decompress {shown}: {e}"))?;
        s
    } else {
        String::from_utf8(raw).map_err(|_| format!("expected UTF-8 text in {shown}"))?
    };
    let mut bins = Vec::new();
    let mut labels: Vec<String> = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let f: Vec<&str> = line.split_whitespace().collect();
        if f.len() != 4 {
            return Err(format!(
                "{shown}:{}: expected `label lo_min hi_min count`, found {} fields",
                n + 1,
                f.len()
            ));
        }
        if labels.last().map(String::as_str) != Some(f[0]) {
            labels.push(f[0].to_string());
        }
        if f[0] != label {
            continue;
        }
        let num = |s: &str| -> Result<f64, String> {
            if s == "inf" {
                return Ok(f64::INFINITY);
            }
            s.parse::<f64>()
                .ok()
                .filter(|v| v.is_finite() && *v >= 0.0)
                .ok_or_else(|| {
                    format!(
                        "{shown}:{}: expected a non-negative number, found `{s}`",
                        n + 1
                    )
                })
        };
        let (lo, mut hi, count) = (num(f[1])?, num(f[2])?, num(f[3])?);
        if !lo.is_finite() || !count.is_finite() {
            return Err(format!(
                "{shown}:{}: expected a finite lower bound and count",
                n + 1
            ));
        }
        if hi.is_infinite() {
            hi = (2.0 * lo).max(lo + 1.0);
        }
        if hi <= lo {
            return Err(format!(
                "{shown}:{}: expected lo < hi, found {lo} >= {hi}",
                n + 1
            ));
        }
        let to_steps = |m: f64| time.steps_exact(Duration { seconds: m * 60.0 });
        bins.push([to_steps(lo), to_steps(hi), count]);
    }
    if bins.is_empty() {
        let mut some: Vec<String> = labels.iter().take(12).cloned().collect();
        if labels.len() > 12 {
            some.push("...".into());
        }
        return Err(format!(
            "no rows labelled `{label}` in {shown}; labels there: {}",
            some.join(", ")
        ));
    }
    if bins.iter().map(|b| b[2]).sum::<f64>() <= 0.0 {
        return Err(format!(
            "the rows labelled `{label}` in {shown} have no counts"
        ));
    }
    bins.sort_by(|a, b| a[0].total_cmp(&b[0]));
    Ok(EmpiricalDelay {
        source: format!("{} ({label})", file.display()),
        bins,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse_in_every_unit() {
        let min = |s: &str| Duration::parse(s).map(Duration::minutes);
        assert_eq!(min("30s"), Ok(0.5));
        assert_eq!(min("20min"), Ok(20.0));
        assert_eq!(min("2h"), Ok(120.0));
        assert_eq!(min("1.5 h"), Ok(90.0));
        assert_eq!(min("3d"), Ok(3.0 * 1440.0));
        assert_eq!(min("1w"), Ok(7.0 * 1440.0));
        assert_eq!(min("1month"), Ok(30.4375 * 1440.0));
        assert_eq!(min("1year"), Ok(365.25 * 1440.0));
        for bad in ["", "5", "min", "5 parsecs", "-3h", "1e3h", "h5"] {
            assert!(Duration::parse(bad).is_err(), "{bad:?} parsed");
        }
        let e = Duration::parse("5 parsecs").unwrap_err();
        assert!(e.contains("unknown unit `parsecs`"), "{e}");
    }

    #[test]
    fn steps_round_to_the_nearest() {
        let t = TimeSpec::new(Duration::parse("5min").unwrap()).unwrap();
        let steps = |s: &str| t.steps(Duration::parse(s).unwrap());
        assert_eq!(steps("20min"), 4);
        assert_eq!(steps("7min"), 1);
        assert_eq!(steps("7.5min"), 2);
        assert_eq!(steps("2h"), 24);
        assert_eq!(steps("1d"), 288);
        assert!(TimeSpec::new(Duration::parse("0s").unwrap()).is_none());
        assert_eq!(Duration::parse("90min").unwrap().to_string(), "90min");
        assert_eq!(Duration::parse("2h").unwrap().to_string(), "2h");
    }

    #[test]
    fn the_shipped_twcs_histogram_loads_in_steps() {
        let t = TimeSpec::new(Duration::parse("1min").unwrap()).unwrap();
        let path = Path::new("../shared/data/diffusion/twcs_reply_delay_hist.txt.gz");
        let h = load_delay_histogram(path, "ALL", &t).expect("the shipped table loads");
        // The README's counts: 42,172 first replies in the ALL rows, first bin (0, 1] min.
        assert_eq!(h.bins.iter().map(|b| b[2]).sum::<f64>(), 42_172.0);
        assert_eq!(h.bins[0], [0.0, 1.0, 481.0]);
        // The README's median, 18.1 min, from raw delays; the binned median interpolates
        // inside the (15, 30] bin, so it is within that bin.
        let m = h.median();
        assert!((15.0..30.0).contains(&m), "median {m}");
        let e = load_delay_histogram(path, "NoSuchBrand", &t).unwrap_err();
        assert!(e.contains("labels there: ALL"), "{e}");
    }
}
