//! The `[sweep]` table: which scenario keys `ovation sweep` varies, over which values, and how
//! many replicates each combination (a **cell**) gets. `docs/sweep.md` documents it.
//!
//! ```toml
//! [sweep]
//! replicates = 50                         # per cell; default: the scenario's `replicates`
//! measures = ["final_standing"]           # what the plots show; default final_standing
//! cell_files = "summary"                  # per cell: "summary" (default) or "full"
//! [sweep.grid]                            # full factorial: every combination
//! "model.quality" = [0.4, 0.5, 0.6]
//! "population.0.conformity" = { start = 0.1, stop = 0.9, step = 0.2 }
//! [sweep.zip]                             # matched lists, varied together (one axis)
//! "graph.rows" = [10, 20, 40]
//! "graph.seats" = [10, 20, 40]
//! ```
//!
//! Keys are dotted paths exactly as `--set` takes them (a number indexes an array:
//! `population.0.conformity`), and a cell is the scenario with `--set key=value` applied for
//! each of its keys, so every cell is validated by the same code and messages as a plain run.
//!
//! **Axes.** Each `[sweep.grid]` key is one axis; a `[sweep.zip]` table (or each table of a
//! `[[sweep.zip]]` array) is one axis whose keys move together. Axes are ordered as they are
//! written in the file, and cells are numbered in row-major order: the last axis varies
//! fastest.
//!
//! **Values.** An array of TOML values, or a range table: `{ start, stop, step }` (inclusive of
//! `stop` within a relative tolerance of 1e-9 of a step; integers when `start`, `stop` and
//! `step` are all integers), `{ start, stop, num }` (`num` evenly spaced values, both ends
//! included) or `{ start, stop, num, log = true }` (log-spaced, both ends positive). Computed
//! floats are rounded to 12 significant digits, so `0.1` + 2 steps of `0.1` is `0.3`.
//!
//! **Checks.** When the scenario loads, besides the shape of the table, every value of every
//! key is applied alone to the scenario and checked like an override; a problem is reported
//! at the sweep key (or at the offending element of its list) in the scenario file:
//! `x.toml:14:1: sweep.grid."model.qualty": unknown key `qualty` in [model] ...`. Problems that
//! only a combination of values causes are found when `ovation sweep` loads the cells, before
//! anything runs.

use std::path::Path;

use serde::Serialize;
use toml::{Table, Value};

use crate::scenario::de::{RawError, describe, did_you_mean};
use crate::scenario::span::{At, KeyPath, Seg, Spans, child, display_path, index, keys};
use crate::scenario::{Scenario, ScenarioError, ScenarioErrors, check, overrides, parse};

/// The keys a `[sweep]` table may have.
pub(crate) const SWEEP_KEYS: [&str; 5] = ["grid", "zip", "replicates", "measures", "cell_files"];

/// The keys of a range table.
const RANGE_KEYS: [&str; 5] = ["start", "stop", "step", "num", "log"];

/// The most values one key may take.
pub const MAX_VALUES: usize = 10_000;

/// The most cells a sweep may have.
pub const MAX_CELLS: usize = 100_000;

/// At most this many problems are reported per swept key when its values are checked.
const MAX_VALUE_ERRORS: usize = 8;

/// Relative tolerance (in steps) within which `stop` counts as reached by a `step` range.
const RANGE_TOLERANCE: f64 = 1e-9;

/// A validated `[sweep]` table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SweepSpec {
    /// The axes in file order; cells vary the last one fastest.
    pub axes: Vec<Axis>,
    /// Replicates per cell (`replicates`); `None`: the scenario's own `replicates`.
    pub replicates: Option<u32>,
    /// The measures to plot against the swept keys (`measures`, default `["final_standing"]`).
    pub measures: Vec<String>,
    /// What each cell's folder holds (`cell_files`, default `"summary"`).
    pub cell_files: CellFiles,
}

/// What each cell's folder under `cells/` holds besides what `--resume` needs (`run.json` and
/// the finished replicates).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CellFiles {
    /// `summary.csv` and a `stats.json` without its per-step means (the sweep's
    /// `sweep_steps.csv` has them): a cell's files stay small whatever its step count.
    Summary,
    /// A complete run folder: also `manifest.json`, `classes.csv`, `rows.csv`, `seeds.csv` as a
    /// run writes them, and the per-step means in `stats.json`.
    Full,
}

/// One axis of the sweep: one `[sweep.grid]` key, or a `[sweep.zip]` group of keys varied
/// together.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Axis {
    /// `"grid"` or `"zip"`.
    pub kind: &'static str,
    /// The keys (dotted paths, as `--set` takes them); one for a grid axis.
    pub keys: Vec<String>,
    /// `values[i][k]`: the value of `keys[k]` at position `i` along the axis (at least one
    /// position).
    #[serde(serialize_with = "values_as_json")]
    pub values: Vec<Vec<Value>>,
}

/// One cell: a combination of values, one per swept key.
#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    /// Its index, from 0, in row-major order of the axes.
    pub index: usize,
    /// `(key, value)` for every swept key, in [`SweepSpec::keys`] order.
    pub settings: Vec<(String, Value)>,
}

impl SweepSpec {
    /// Every swept key, axis by axis, in file order.
    pub fn keys(&self) -> Vec<&str> {
        self.axes
            .iter()
            .flat_map(|a| a.keys.iter().map(String::as_str))
            .collect()
    }

    /// The number of cells: the product of the axes' lengths.
    pub fn cell_count(&self) -> usize {
        self.axes.iter().map(|a| a.values.len()).product()
    }

    /// Every cell, in index order (the last axis varies fastest).
    /// Computes in **O(cells × keys)**.
    pub fn cells(&self) -> Vec<Cell> {
        let n = self.cell_count();
        let mut out = Vec::with_capacity(n);
        for index in 0..n {
            let mut rest = index;
            let mut pos = vec![0usize; self.axes.len()];
            for (a, axis) in self.axes.iter().enumerate().rev() {
                pos[a] = rest % axis.values.len();
                rest /= axis.values.len();
            }
            let settings = self
                .axes
                .iter()
                .zip(&pos)
                .flat_map(|(axis, &i)| {
                    axis.keys
                        .iter()
                        .zip(&axis.values[i])
                        .map(|(k, v)| (k.clone(), v.clone()))
                })
                .collect();
            out.push(Cell { index, settings });
        }
        out
    }
}

impl Cell {
    /// The `--set` overrides that turn the scenario into this cell (`key=value`, the value as
    /// inline TOML).
    pub fn overrides(&self) -> Vec<String> {
        self.settings
            .iter()
            .map(|(k, v)| format!("{k}={}", value_text(v)))
            .collect()
    }
}

/// A value as inline TOML (`0.5`, `"async_random"`, `{ dist = "uniform", ... }`).
pub fn value_text(v: &Value) -> String {
    match v {
        Value::Float(f) if f.is_finite() && f.fract() == 0.0 && f.abs() < 1e15 => {
            format!("{f:.1}")
        }
        Value::Float(f) => f.to_string(),
        other => other.to_string().trim().to_string(),
    }
}

/// A value as a table cell or axis label: strings without quotes, numbers in their shortest
/// form, anything else as inline TOML.
pub fn value_label(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Integer(i) => i.to_string(),
        Value::Float(f) => f.to_string(),
        Value::Boolean(b) => b.to_string(),
        other => value_text(other),
    }
}

/// A value as a number, when it is one (integers and floats).
pub fn value_number(v: &Value) -> Option<f64> {
    match v {
        Value::Integer(i) => Some(*i as f64),
        Value::Float(f) => Some(*f),
        _ => None,
    }
}

fn values_as_json<S: serde::Serializer>(values: &[Vec<Value>], s: S) -> Result<S::Ok, S::Error> {
    let json: Vec<Vec<serde_json::Value>> = values
        .iter()
        .map(|row| {
            row.iter()
                .map(|v| serde_json::to_value(v).unwrap_or(serde_json::Value::Null))
                .collect()
        })
        .collect();
    json.serialize(s)
}

/// Reads the root's `[sweep]` table, when there is one. `check_values`: also check every value
/// of every key against the scenario (`table`, which must otherwise be free of errors).
/// Returns `Some(None)` when there is no `[sweep]`, `None` when it has errors (in `sink`).
pub(crate) fn parse_root(
    table: &Table,
    spans: &Spans,
    base_dir: &Path,
    check_values: bool,
    sink: &mut Vec<RawError>,
) -> Option<Option<SweepSpec>> {
    let v = match table.get("sweep") {
        None => return Some(None),
        Some(v) => v,
    };
    let clean = sink.is_empty();
    let (spec, sources) = parse_sweep(v, spans, sink)?;
    if check_values && clean {
        let before = sink.len();
        check_all_values(&spec, &sources, table, base_dir, sink);
        if sink.len() > before {
            return None;
        }
    }
    Some(Some(spec))
}

/// An axis as parsed: where its first key is written, the axis, and its keys' sources.
type ParsedAxis = (Option<(usize, usize)>, Axis, Vec<Source>);

/// Where each axis key's values were written: the path of the key in the document and whether
/// its values are a literal list (so an element can be pointed at).
struct Source {
    path: KeyPath,
    list: bool,
}

fn parse_sweep(
    v: &Value,
    spans: &Spans,
    sink: &mut Vec<RawError>,
) -> Option<(SweepSpec, Vec<Vec<Source>>)> {
    let root = keys(&["sweep"]);
    let Some(t) = v.as_table() else {
        sink.push(RawError::value(
            root,
            format!("expected a table ([sweep]), found {}", describe(v)),
        ));
        return None;
    };
    let before = sink.len();
    for key in t.keys() {
        if !SWEEP_KEYS.contains(&key.as_str()) {
            sink.push(RawError::key(
                child(&root, key),
                format!(
                    "unknown key `{key}` in [sweep]{}; expected one of {}",
                    did_you_mean(key, &SWEEP_KEYS),
                    parse::list(&SWEEP_KEYS)
                ),
            ));
        }
    }
    let replicates = match t.get("replicates") {
        None => None,
        Some(Value::Integer(i)) if (1..=i64::from(u32::MAX)).contains(i) => Some(*i as u32),
        Some(other) => {
            sink.push(RawError::value(
                child(&root, "replicates"),
                format!(
                    "expected an integer >= 1 (replicates per cell), found {}",
                    describe(other)
                ),
            ));
            None
        }
    };
    let measures = match t.get("measures") {
        None => vec!["final_standing".to_string()],
        Some(Value::Array(a)) if !a.is_empty() => {
            let mut out = Vec::new();
            for (i, m) in a.iter().enumerate() {
                match m {
                    Value::String(s) if !s.is_empty() => out.push(s.clone()),
                    other => sink.push(RawError::value(
                        index(&child(&root, "measures"), i),
                        format!(
                            "expected a measure name (e.g. \"final_standing\"), found {}",
                            describe(other)
                        ),
                    )),
                }
            }
            out
        }
        Some(other) => {
            sink.push(RawError::value(
                child(&root, "measures"),
                format!(
                    "expected a non-empty array of measure names (e.g. [\"final_standing\"]), \
                     found {}",
                    describe(other)
                ),
            ));
            Vec::new()
        }
    };

    let cell_files = match t.get("cell_files") {
        None => CellFiles::Summary,
        Some(Value::String(v)) if v == "summary" => CellFiles::Summary,
        Some(Value::String(v)) if v == "full" => CellFiles::Full,
        Some(other) => {
            sink.push(RawError::value(
                child(&root, "cell_files"),
                format!(
                    "expected \"summary\" (summary.csv and stats.json per cell) or \"full\" \
                     (each cell a complete run folder), found {}",
                    describe(other)
                ),
            ));
            CellFiles::Summary
        }
    };

    // (position of the first key, axis, its sources)
    let mut axes: Vec<ParsedAxis> = Vec::new();
    if let Some(g) = t.get("grid") {
        let gp = child(&root, "grid");
        match g.as_table() {
            Some(gt) => {
                for (key, value) in gt {
                    let path = child(&gp, key);
                    if let Some(values) = axis_values(key, value, &path, sink) {
                        let list = value.is_array();
                        axes.push((
                            spans.position(&path, At::Key),
                            Axis {
                                kind: "grid",
                                keys: vec![key.clone()],
                                values: values.into_iter().map(|v| vec![v]).collect(),
                            },
                            vec![Source { path, list }],
                        ));
                    }
                }
            }
            None => sink.push(RawError::value(
                gp,
                format!(
                    "expected a table ([sweep.grid]) of keys and their values, found {}",
                    describe(g)
                ),
            )),
        }
    }
    if let Some(z) = t.get("zip") {
        let zp = child(&root, "zip");
        match z {
            Value::Table(zt) => {
                if let Some(axis) = zip_axis(zt, &zp, spans, sink) {
                    axes.push(axis);
                }
            }
            Value::Array(groups) => {
                for (i, g) in groups.iter().enumerate() {
                    let p = index(&zp, i);
                    match g.as_table() {
                        Some(gt) => {
                            if let Some(axis) = zip_axis(gt, &p, spans, sink) {
                                axes.push(axis);
                            }
                        }
                        None => sink.push(RawError::value(
                            p,
                            format!(
                                "expected a table of keys and equal-length lists, found {}",
                                describe(g)
                            ),
                        )),
                    }
                }
            }
            other => sink.push(RawError::value(
                zp,
                format!(
                    "expected a table ([sweep.zip]) of keys and equal-length lists, found {}",
                    describe(other)
                ),
            )),
        }
    }
    if sink.len() > before {
        return None;
    }
    if axes.is_empty() {
        sink.push(RawError::value(
            root,
            "expected at least one key to vary, in [sweep.grid] (e.g. \"model.quality\" = \
             [0.4, 0.5, 0.6]) or [sweep.zip], found none",
        ));
        return None;
    }
    // File order; keys only an override wrote come last, by name (the sort is stable).
    axes.sort_by_key(|(pos, _, _)| (pos.is_none(), *pos));
    let mut seen: Vec<&str> = Vec::new();
    for (_, axis, sources) in &axes {
        for (k, src) in axis.keys.iter().zip(sources) {
            if seen.contains(&k.as_str()) {
                sink.push(RawError::key(
                    src.path.clone(),
                    format!("`{k}` is swept twice; give each key one list of values"),
                ));
            }
            seen.push(k);
        }
    }
    let cells = axes
        .iter()
        .try_fold(1usize, |n, (_, a, _)| n.checked_mul(a.values.len()));
    match cells {
        Some(n) if n <= MAX_CELLS => {}
        _ => sink.push(RawError::value(
            root,
            format!(
                "expected at most {MAX_CELLS} cells, found {} (the product of the number of \
                 values of each axis)",
                cells.map_or_else(|| "more than 2^64".to_string(), |n| n.to_string())
            ),
        )),
    }
    if sink.len() > before {
        return None;
    }
    let (axes, sources): (Vec<Axis>, Vec<Vec<Source>>) =
        axes.into_iter().map(|(_, a, s)| (a, s)).unzip();
    Some((
        SweepSpec {
            axes,
            replicates,
            measures,
            cell_files,
        },
        sources,
    ))
}

/// One zip group: every key's values, all of the same length.
fn zip_axis(
    t: &Table,
    path: &[Seg],
    spans: &Spans,
    sink: &mut Vec<RawError>,
) -> Option<ParsedAxis> {
    if t.is_empty() {
        sink.push(RawError::value(
            path.to_vec(),
            "expected keys with equal-length lists of values, found an empty table",
        ));
        return None;
    }
    let mut keys_ = Vec::new();
    let mut lists: Vec<Vec<Value>> = Vec::new();
    let mut sources = Vec::new();
    let mut ok = true;
    for (key, value) in t {
        let p = child(path, key);
        match axis_values(key, value, &p, sink) {
            Some(values) => {
                keys_.push(key.clone());
                lists.push(values);
                sources.push(Source {
                    path: p,
                    list: value.is_array(),
                });
            }
            None => ok = false,
        }
    }
    if !ok {
        return None;
    }
    // Order the keys as written.
    let mut order: Vec<usize> = (0..keys_.len()).collect();
    order.sort_by_key(|&i| {
        let pos = spans.position(&sources[i].path, At::Key);
        (pos.is_none(), pos)
    });
    let keys_: Vec<String> = order.iter().map(|&i| keys_[i].clone()).collect();
    let lists: Vec<Vec<Value>> = order.iter().map(|&i| lists[i].clone()).collect();
    let sources: Vec<Source> = order
        .iter()
        .map(|&i| Source {
            path: sources[i].path.clone(),
            list: sources[i].list,
        })
        .collect();
    let len = lists[0].len();
    for (k, (l, src)) in keys_.iter().zip(lists.iter().zip(&sources)).skip(1) {
        if l.len() != len {
            sink.push(RawError::value(
                src.path.clone(),
                format!(
                    "expected {len} values, as many as `{}` (zipped keys move together), found {} \
                     for `{k}`",
                    keys_[0],
                    l.len()
                ),
            ));
            ok = false;
        }
    }
    if !ok {
        return None;
    }
    let values = (0..len)
        .map(|i| lists.iter().map(|l| l[i].clone()).collect())
        .collect();
    let first = spans.position(&sources[0].path, At::Key);
    Some((
        first,
        Axis {
            kind: "zip",
            keys: keys_,
            values,
        },
        sources,
    ))
}

/// The values of one swept key: a non-empty list, or a range table.
fn axis_values(key: &str, v: &Value, path: &[Seg], sink: &mut Vec<RawError>) -> Option<Vec<Value>> {
    let trimmed = key.trim();
    let first = trimmed.split('.').next().unwrap_or_default();
    if trimmed == "replicates" || first == "sweep" {
        sink.push(RawError::key(
            path.to_vec(),
            format!(
                "`{key}` cannot be swept; {}",
                if trimmed == "replicates" {
                    "set replicates per cell with `replicates` in [sweep]"
                } else {
                    "a sweep does not vary itself"
                }
            ),
        ));
        return None;
    }
    if trimmed.is_empty() || trimmed.split('.').any(|p| p.trim().is_empty()) {
        sink.push(RawError::key(
            path.to_vec(),
            format!(
                "expected a dotted key path like \"model.quality\" or \
                 \"population.0.conformity\", found {key:?}"
            ),
        ));
        return None;
    }
    match v {
        Value::Array(a) if a.is_empty() => {
            sink.push(RawError::value(
                path.to_vec(),
                "expected at least one value, found an empty list",
            ));
            None
        }
        Value::Array(a) if a.len() > MAX_VALUES => {
            sink.push(RawError::value(
                path.to_vec(),
                format!("expected at most {MAX_VALUES} values, found {}", a.len()),
            ));
            None
        }
        Value::Array(a) => Some(a.clone()),
        Value::Table(t) => range(t, path, sink),
        other => {
            sink.push(RawError::value(
                path.to_vec(),
                format!(
                    "expected a list of values (e.g. [0.4, 0.5, 0.6]) or a range \
                     ({{ start = 0.1, stop = 0.9, step = 0.1 }}), found {}",
                    describe(other)
                ),
            ));
            None
        }
    }
}

/// The values of a range table.
fn range(t: &Table, path: &[Seg], sink: &mut Vec<RawError>) -> Option<Vec<Value>> {
    let before = sink.len();
    for key in t.keys() {
        if !RANGE_KEYS.contains(&key.as_str()) {
            sink.push(RawError::key(
                child(path, key),
                format!(
                    "unknown key `{key}` in a range{}; expected one of {}",
                    did_you_mean(key, &RANGE_KEYS),
                    parse::list(&RANGE_KEYS)
                ),
            ));
        }
    }
    let number = |k: &str, sink: &mut Vec<RawError>| -> Option<Value> {
        match t.get(k) {
            Some(v @ Value::Integer(_)) => Some(v.clone()),
            Some(Value::Float(f)) if f.is_finite() => Some(Value::Float(*f)),
            Some(other) => {
                sink.push(RawError::value(
                    child(path, k),
                    format!("expected a finite number, found {}", describe(other)),
                ));
                None
            }
            None => {
                sink.push(RawError::value(
                    path.to_vec(),
                    format!(
                        "missing key `{k}`; a range is {{ start, stop, step }} or {{ start, stop, \
                         num }} (add log = true for log spacing)"
                    ),
                ));
                None
            }
        }
    };
    let start = number("start", sink);
    let stop = number("stop", sink);
    let log = match t.get("log") {
        None => false,
        Some(Value::Boolean(b)) => *b,
        Some(other) => {
            sink.push(RawError::value(
                child(path, "log"),
                format!("expected a boolean, found {}", describe(other)),
            ));
            false
        }
    };
    let (step, num) = (t.get("step"), t.get("num"));
    if step.is_some() == num.is_some() {
        sink.push(RawError::value(
            path.to_vec(),
            format!(
                "expected exactly one of `step` and `num`, found {}",
                if step.is_some() { "both" } else { "neither" }
            ),
        ));
    }
    if sink.len() > before {
        return None;
    }
    let (start, stop) = (start?, stop?);
    let (a, b) = (value_number(&start)?, value_number(&stop)?);
    let err = |k: &str, m: String, sink: &mut Vec<RawError>| {
        sink.push(RawError::value(child(path, k), m));
        None
    };
    if let Some(step) = step {
        if log {
            return err(
                "log",
                "expected log spacing with `num`, not `step` (a log range is { start, stop, \
                 num, log = true })"
                    .into(),
                sink,
            );
        }
        let s = match step {
            Value::Integer(i) => *i as f64,
            Value::Float(f) if f.is_finite() => *f,
            other => {
                return err(
                    "step",
                    format!("expected a finite number, found {}", describe(other)),
                    sink,
                );
            }
        };
        if s == 0.0 || (b - a) * s < 0.0 {
            return err(
                "step",
                format!(
                    "expected a step that goes from start {a} towards stop {b}, found {}",
                    describe(step)
                ),
                sink,
            );
        }
        let count = ((b - a) / s + RANGE_TOLERANCE).floor() + 1.0;
        if count.is_nan() || count > MAX_VALUES as f64 {
            return err(
                "step",
                format!("expected at most {MAX_VALUES} values, found {count} with this step"),
                sink,
            );
        }
        let n = count as usize;
        if let (Value::Integer(a), Value::Integer(s)) = (&start, step)
            && matches!(stop, Value::Integer(_))
        {
            return Some((0..n as i64).map(|i| Value::Integer(a + i * s)).collect());
        }
        return Some(
            (0..n)
                .map(|i| Value::Float(round12(a + i as f64 * s)))
                .collect(),
        );
    }
    let num = match num {
        Some(Value::Integer(n)) if (1..=MAX_VALUES as i64).contains(n) => *n as usize,
        Some(other) => {
            return err(
                "num",
                format!(
                    "expected an integer in [1, {MAX_VALUES}] (how many values), found {}",
                    describe(other)
                ),
                sink,
            );
        }
        None => return None,
    };
    if num == 1 && a != b {
        return err(
            "num",
            format!("expected num >= 2 for a range from {a} to {b}, found 1"),
            sink,
        );
    }
    if log && (a <= 0.0 || b <= 0.0) {
        let (k, x) = if a <= 0.0 { ("start", a) } else { ("stop", b) };
        return err(
            k,
            format!("expected a positive number for a log range, found {x}"),
            sink,
        );
    }
    let at = |i: usize| -> f64 {
        if i == 0 {
            return a;
        }
        if i + 1 == num {
            return b;
        }
        let f = i as f64 / (num - 1) as f64;
        if log {
            round12(10f64.powf(a.log10() + f * (b.log10() - a.log10())))
        } else {
            round12(a + f * (b - a))
        }
    };
    Some((0..num).map(|i| Value::Float(at(i))).collect())
}

/// `x` rounded to 12 significant digits (so that `0.1 + 2 * 0.1` is `0.3`).
fn round12(x: f64) -> f64 {
    if x == 0.0 || !x.is_finite() {
        return x;
    }
    format!("{x:.11e}").parse().unwrap_or(x)
}

/// Checks every value of every swept key, each applied alone to `table` (the scenario, free
/// of errors), and reports problems at the sweep key or at the offending list element.
fn check_all_values(
    spec: &SweepSpec,
    sources: &[Vec<Source>],
    table: &Table,
    base_dir: &Path,
    sink: &mut Vec<RawError>,
) {
    let mut base = table.clone();
    base.remove("sweep");
    for (axis, srcs) in spec.axes.iter().zip(sources) {
        for (k, (key, src)) in axis.keys.iter().zip(srcs).enumerate() {
            let mut reported: Vec<(KeyPath, String)> = Vec::new();
            for (i, row) in axis.values.iter().enumerate() {
                if reported.len() >= MAX_VALUE_ERRORS {
                    break;
                }
                let value = &row[k];
                let at_element = if src.list {
                    index(&src.path, i)
                } else {
                    src.path.clone()
                };
                let mut t = base.clone();
                let setting = format!("{key}={}", value_text(value));
                let (applied, failed) = overrides::apply(&mut t, std::slice::from_ref(&setting));
                let mut found: Vec<RawError> = Vec::new();
                for (_, why) in failed {
                    found.push(RawError::key(
                        src.path.clone(),
                        format!("cannot set it: {why}"),
                    ));
                }
                if found.is_empty() {
                    let mut local = Vec::new();
                    let parsed = parse::parse(&t, base_dir, &mut local);
                    check::check(&parsed, &mut local);
                    let swept: KeyPath =
                        applied.first().map(|o| o.path.clone()).unwrap_or_default();
                    for e in local {
                        let on_value = e.path == swept && e.at == At::Value;
                        let message = if e.path == swept {
                            e.message
                        } else {
                            format!("{}: {}", display_path(&e.path), e.message)
                        };
                        if on_value {
                            found.push(RawError::value(
                                at_element.clone(),
                                format!("with {key} = {}: {message}", value_text(value)),
                            ));
                        } else {
                            found.push(RawError::key(src.path.clone(), message));
                        }
                    }
                }
                for e in found {
                    let id = (e.path.clone(), e.message.clone());
                    if !reported.contains(&id) && reported.len() < MAX_VALUE_ERRORS {
                        reported.push(id);
                        sink.push(e);
                    }
                }
            }
        }
    }
}

/// Loads every cell of `scenario`'s sweep: the scenario file with `overrides` (the user's
/// `--set`), then the cell's settings, then `replicates` from `[sweep]` when it is given.
/// Each cell is validated as a whole; errors name the cell and its settings. Reads the file
/// once. Computes in **O(cells × size of the scenario)**.
pub fn load_cells(
    scenario: &Scenario,
    overrides: &[String],
) -> Result<Vec<(Cell, Scenario)>, ScenarioErrors> {
    let file = scenario.path.display().to_string();
    let Some(spec) = &scenario.sweep else {
        return Err(ScenarioErrors(vec![ScenarioError::new(
            &file,
            None,
            String::new(),
            "expected a [sweep] table naming the keys to vary (see docs/sweep.md), found none"
                .into(),
        )]));
    };
    let text = std::fs::read_to_string(&scenario.path).map_err(|e| {
        ScenarioErrors(vec![ScenarioError::new(
            &file,
            None,
            String::new(),
            format!("cannot read the scenario file: {e}"),
        )])
    })?;
    let base = match scenario.path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for cell in spec.cells() {
        let mut all: Vec<String> = overrides.to_vec();
        all.extend(cell.overrides());
        if let Some(r) = spec.replicates {
            all.push(format!("replicates={r}"));
        }
        match super::load_impl(
            &file,
            &text,
            base,
            &super::Layers::plain(&all),
            super::Checks::NESTED,
        ) {
            Ok(mut s) => {
                s.path = scenario.path.clone();
                out.push((cell, s));
            }
            Err(e) => {
                let settings = cell
                    .settings
                    .iter()
                    .map(|(k, v)| format!("{k} = {}", value_text(v)))
                    .collect::<Vec<_>>()
                    .join(", ");
                for mut one in e.0 {
                    one.message = format!(
                        "sweep cell {} ({settings}): {}{}",
                        cell.index,
                        if one.key.is_empty() {
                            String::new()
                        } else {
                            format!("{}: ", one.key)
                        },
                        one.message
                    );
                    one.key = String::new();
                    errors.push(one);
                }
                if errors.len() >= 32 {
                    break;
                }
            }
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(ScenarioErrors(errors))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = r#"
seed = 1
replicates = 3
[graph]
generator = "theater"
rows = 4
seats = 4
[[population]]
conformity = 0.5
[model]
rule = "sop"
quality = 0.5
"#;

    fn load(extra: &str) -> Result<Scenario, ScenarioErrors> {
        crate::scenario::load_str("s.toml", &format!("{BASE}{extra}"), Path::new("."), &[])
    }

    fn errors(extra: &str) -> Vec<String> {
        match load(extra) {
            Ok(_) => Vec::new(),
            Err(e) => e.0.iter().map(ToString::to_string).collect(),
        }
    }

    fn labels(axis: &Axis) -> Vec<String> {
        axis.values.iter().map(|r| value_label(&r[0])).collect()
    }

    #[test]
    fn grid_zip_and_ranges() {
        let s = load(
            r#"
[sweep]
replicates = 2
[sweep.grid]
"population.0.conformity" = { start = 0.1, stop = 0.5, step = 0.1 }
"model.quality" = [0.4, 0.6]
[sweep.zip]
"graph.rows" = { start = 2, stop = 6, step = 2 }
"graph.seats" = [3, 5, 7]
"#,
        )
        .expect("valid");
        let spec = s.sweep.expect("a sweep");
        assert_eq!(
            spec.keys(),
            [
                "population.0.conformity",
                "model.quality",
                "graph.rows",
                "graph.seats"
            ]
        );
        assert_eq!(labels(&spec.axes[0]), ["0.1", "0.2", "0.3", "0.4", "0.5"]);
        assert_eq!(labels(&spec.axes[2]), ["2", "4", "6"]);
        assert_eq!(spec.axes[2].values[1][1], Value::Integer(5));
        assert_eq!(spec.cell_count(), 5 * 2 * 3);
        assert_eq!(spec.replicates, Some(2));
        assert_eq!(spec.measures, ["final_standing"]);
        let cells = spec.cells();
        // The last axis varies fastest.
        assert_eq!(
            cells[1].overrides(),
            [
                "population.0.conformity=0.1",
                "model.quality=0.4",
                "graph.rows=4",
                "graph.seats=5"
            ]
        );
        assert_eq!(cells[3].settings[1].1, Value::Float(0.6));
        assert_eq!(cells[6].settings[0].1, Value::Float(0.2));
    }

    #[test]
    fn log_and_num_ranges_include_both_ends() {
        let s = load(
            "[sweep.grid]\n\"model.quality\" = { start = 0.01, stop = 1, num = 5, log = true }\n\
             \"population.0.conformity\" = { start = 0, stop = 1, num = 3 }\n",
        )
        .expect("valid");
        let spec = s.sweep.expect("a sweep");
        let q: Vec<f64> = spec.axes[0]
            .values
            .iter()
            .map(|r| value_number(&r[0]).expect("number"))
            .collect();
        let expected = [0.01, 0.0316227766017, 0.1, 0.316227766017, 1.0];
        assert_eq!(q, expected);
        assert_eq!(labels(&spec.axes[1]), ["0", "0.5", "1"]);
        // A float with no fraction is still written as a float, so float keys accept it.
        assert_eq!(value_text(&Value::Float(1.0)), "1.0");
        assert_eq!(spec.replicates, None);
    }

    #[test]
    fn stop_within_tolerance_is_included() {
        let s = load("[sweep.grid]\n\"model.quality\" = { start = 0.1, stop = 0.7, step = 0.2 }\n")
            .expect("valid");
        let spec = s.sweep.expect("a sweep");
        // (0.7 - 0.1) / 0.2 = 2.9999999999999996 in floating point: stop is reached.
        assert_eq!(labels(&spec.axes[0]), ["0.1", "0.3", "0.5", "0.7"]);
    }

    #[test]
    fn bad_keys_and_values_point_at_the_sweep_table() {
        let errs = errors(
            "[sweep.grid]\n\"model.qualty\" = [0.4, 0.5]\n\"population.0.conformity\" = [0.5, 1.5]\n",
        );
        assert_eq!(
            errs,
            [
                "s.toml:14:1: sweep.grid.\"model.qualty\": unknown key `qualty` in [model] (did \
                 you mean `quality`?); expected one of `quality`, `tie`, `noise`"
                    .to_string(),
                "s.toml:15:35: sweep.grid.\"population.0.conformity\"[1]: with \
                 population.0.conformity = 1.5: expected a number in [0, 1], found 1.5"
                    .to_string(),
            ],
            "{errs:#?}"
        );
    }

    #[test]
    fn shape_errors() {
        let cases: [(&str, &str); 9] = [
            (
                "[sweep]\nreplicates = 0\n[sweep.grid]\n\"model.quality\" = [0.5]\n",
                "sweep.replicates: expected an integer >= 1 (replicates per cell), found 0",
            ),
            (
                "[sweep]\ngrd = 1\n",
                "unknown key `grd` in [sweep] (did you mean `grid`?)",
            ),
            ("[sweep]\n", "expected at least one key to vary"),
            (
                "[sweep.grid]\n\"model.quality\" = []\n",
                "expected at least one value, found an empty list",
            ),
            (
                "[sweep.grid]\n\"model.quality\" = { start = 0, stop = 1 }\n",
                "expected exactly one of `step` and `num`, found neither",
            ),
            (
                "[sweep.grid]\n\"model.quality\" = { start = 1, stop = 0, step = 0.1 }\n",
                "expected a step that goes from start 1 towards stop 0",
            ),
            (
                "[sweep.grid]\n\"model.quality\" = { start = 0, stop = 1, num = 3, log = true }\n",
                "expected a positive number for a log range, found 0",
            ),
            (
                "[sweep.zip]\n\"model.quality\" = [0.4, 0.5]\n\"population.0.conformity\" = [0.5]\n",
                "expected 2 values, as many as `model.quality`",
            ),
            (
                "[sweep.grid]\n\"replicates\" = [1, 2]\n",
                "`replicates` cannot be swept",
            ),
        ];
        for (extra, want) in cases {
            let errs = errors(extra);
            assert!(
                errs.iter().any(|e| e.contains(want)),
                "{extra}: expected {want:?} in {errs:#?}"
            );
        }
    }

    #[test]
    fn a_sweep_key_twice_is_refused() {
        let errs = errors(
            "[sweep.grid]\n\"model.quality\" = [0.4]\n[sweep.zip]\n\"model.quality\" = [0.5]\n",
        );
        assert!(
            errs.iter().any(|e| e.contains("is swept twice")),
            "{errs:#?}"
        );
    }
}
