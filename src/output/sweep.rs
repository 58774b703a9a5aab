//! The result folder of `ovation sweep`: one run folder per cell, the tidy `sweep.csv`, the
//! per-cell `cells.csv`, the plots and `manifest.json`.
//!
//! # Layout
//!
//! ```text
//! <dir>/
//!   run.json                     {"fingerprint": "..."} of the whole sweep; what --resume checks
//!   cells/000000/                a run folder per cell (see `folder`): run.json (the cell's own
//!     replicates/000000.json     fingerprint), one file per finished replicate, then
//!     summary.csv, stats.json,   summary.csv, rows.csv (theaters), stats.json and
//!     manifest.json              manifest.json once the sweep finishes (no plots, no steps.csv)
//!   cells/000001/ ...
//!   sweep.csv, cells.csv,        written once every cell is done
//!   sweep_steps.csv
//!   sweep_<measure>.png/svg      one swept axis: the measure's mean against it, 95% CI band
//!   heatmap_<measure>.png/svg    two swept axes: the measure's mean in each cell
//!   manifest.json                last, so it marks completion
//! ```
//!
//! # Format
//!
//! `sweep.csv` is tidy: one row per cell and replicate. Columns: `cell`, one per swept key
//! (named by the key, e.g. `model.quality`; a key that would clash with another column gets the
//! prefix `set.`), then `replicate` and the other columns of `summary.csv` (`outcome`,
//! `cycle_period`, ..., `edge_visits`), then the rule-specific measures of any cell, sorted by
//! name (empty where a replicate lacks one).
//!
//! ```text
//! cell,model.quality,population.0.conformity,replicate,outcome,cycle_period,steps,...
//! 0,0.4,0.2,0,fixed_point,0,3,...
//! ```
//!
//! `cells.csv` has one row per cell: `cell`, the swept keys, `replicates`, then for every
//! numeric measure `m` of `sweep.csv` the three columns `m_mean`, `m_ci_low`, `m_ci_high`
//! (Student t 95% interval over the cell's replicates; with one replicate the interval is the
//! mean), then `fixed_point`, `cycle` and `step_limit`, each the share of the cell's replicates
//! that ended so, with a Wilson score 95% interval. An undefined value (a rule-specific measure
//! no replicate of the cell has) is an empty field. Floats are written in shortest round-trip
//! form, so `pandas.read_csv` and R's `read.csv` read back the exact values.
//!
//! `sweep_steps.csv` is tidy: one row per cell, step and action, the mean share over the
//! cell's replicates (a replicate that stopped early carried at its final state) with its 95%
//! interval and the number of replicates:
//!
//! ```text
//! cell,model.quality,step,measure,mean,ci_low,ci_high,n
//! 0,0.4,0,sitting,0.62,0.6,0.64,100
//! ```
//!
//! Replicate `r` of every cell uses the same random stream key (common random numbers), so
//! differences between cells are not blurred by different draws, and every file except the
//! manifest's times is byte-identical for any number of threads.

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use serde::Serialize;

use super::aggregate::StepStats;
use super::folder::{AtomicFile, FolderMode, RUN_FILE, RunFolder, write_atomic};
use super::measures::is_share;
use super::plots::{Drawn, FONT_FAMILY, msg, render, viridis};
use super::tables::{SUMMARY_HEADER, SUMMARY_MEASURES, extra_names, put_extras, put_summary};
use super::{LEVEL, OutputError};
use crate::engine::measures::{Outcome, ReplicateResult};
use crate::stats::{Summary, mean_ci, wilson};

/// The subfolder holding one run folder per cell.
pub const CELLS_DIR: &str = "cells";

/// Version of the sweep `manifest.json` layout.
pub const SWEEP_MANIFEST_SCHEMA_VERSION: u32 = 1;

/// Line colour of the sweep plots.
const LINE: RGBColor = RGBColor(0, 114, 178);

/// The folder of cell `index`: `<dir>/cells/000042`.
pub fn cell_dir(dir: &Path, index: usize) -> PathBuf {
    dir.join(CELLS_DIR).join(format!("{index:06}"))
}

/// Opens `dir` as a sweep folder whose whole definition hashes to `fingerprint`, with the same
/// rules as a run folder ([`RunFolder::open`]: never over someone else's files; `Force`
/// replaces an earlier sweep; `Resume` needs the same fingerprint).
pub fn open_sweep(dir: &Path, mode: FolderMode, fingerprint: &str) -> Result<(), OutputError> {
    // A sweep keeps its replicates in the cells' folders.
    RunFolder::open_flat(dir, mode, fingerprint)?;
    Ok(())
}

/// Opens the folder of cell `index` (fingerprint `fingerprint`): resumes it when it was
/// started (its `run.json` exists), else starts it afresh (removing what an interrupted start
/// left, and refusing a folder that holds anything else). Only call it inside a folder opened by [`open_sweep`].
pub fn open_cell(dir: &Path, index: usize, fingerprint: &str) -> Result<RunFolder, OutputError> {
    let cell = cell_dir(dir, index);
    if cell.join(RUN_FILE).is_file() {
        return RunFolder::open(&cell, FolderMode::Resume, fingerprint);
    }
    if cell.exists() {
        // Only what an interrupted start (or a cleared cell) left; anything else is refused.
        super::clear::clear(&cell)?;
    }
    RunFolder::open(&cell, FolderMode::New, fingerprint)
}

/// One cell as recorded in the manifest.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CellEntry {
    /// The cell's index.
    pub index: usize,
    /// Its folder, relative to the sweep folder.
    pub folder: String,
    /// The swept keys and their values in this cell.
    pub settings: BTreeMap<String, serde_json::Value>,
    /// Replicates run in the cell.
    pub replicates: u32,
}

/// What was swept, written to `manifest.json`. Field order is the file's key order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SweepManifest {
    /// Always `"sweep"` (what `report` reads to tell the folder kinds apart).
    pub kind: &'static str,
    /// The resolved scenario (after the user's `--set`, before any cell's settings).
    pub scenario: serde_json::Value,
    /// The scenario file as given.
    pub scenario_file: String,
    /// The user's `--set` overrides, in order.
    pub overrides: Vec<String>,
    /// The `[sweep]` table as understood: axes, keys, every value, replicates, measures.
    pub sweep: serde_json::Value,
    /// The master seed; replicate `r` of every cell uses the same stream key.
    pub seed: u64,
    /// Program name and version.
    pub program: String,
    /// Start, RFC 3339 UTC.
    pub started: String,
    /// End, RFC 3339 UTC.
    pub finished: String,
    /// Worker threads used.
    pub threads: usize,
    /// Replicates found on disk and not redone (`--resume`); 0 for a fresh sweep.
    pub resumed_replicates: u64,
    /// Every cell.
    pub cells: Vec<CellEntry>,
    /// What could not be drawn or found (e.g. an unknown measure), in words.
    pub notes: Vec<String>,
    /// Version, git commit, input checksums and the base scenario's values with defaults filled
    /// in.
    pub provenance: super::provenance::Provenance,
    /// The shards a merged folder was joined from (`ovation merge`); absent otherwise.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub shards: Vec<super::shard::ShardEntry>,
}

/// One finished cell, as the tables and plots need it.
#[derive(Debug, Clone)]
pub struct CellResults<'a> {
    /// The cell's index.
    pub index: usize,
    /// Its value of each swept key, as written in the tables.
    pub labels: Vec<String>,
    /// Its replicates, in replicate order (their trajectories are not read).
    pub results: Vec<&'a ReplicateResult>,
    /// Its per-step means (`stats.json`'s `by_step`), for `sweep_steps.csv`.
    pub by_step: Vec<StepStats>,
}

/// The axes of the sweep, as the plots need them.
#[derive(Debug, Clone)]
pub struct PlotAxis {
    /// The axis' keys (several for a zipped axis); the first names it.
    pub keys: Vec<String>,
    /// The label of each position along the axis (the first key's value).
    pub labels: Vec<String>,
    /// The first key's values as numbers, when all are numbers.
    pub numbers: Option<Vec<f64>>,
}

/// The column names of the swept keys: the keys, with `set.` in front of one that would clash
/// with another column.
pub fn key_columns(keys: &[String], extras: &[String]) -> Vec<String> {
    let taken = |k: &str| {
        k == "cell"
            || k == "replicates"
            || SUMMARY_HEADER.contains(&k)
            || extras.iter().any(|e| e == k)
            || ["fixed_point", "cycle", "step_limit"].contains(&k)
    };
    keys.iter()
        .map(|k| {
            if taken(k) {
                format!("set.{k}")
            } else {
                k.clone()
            }
        })
        .collect()
}

/// Writes `sweep.csv`, `cells.csv`, the plots (when `plots`) and `manifest.json` into `dir`
/// and returns the files written. `cells` must be in index order, `axes` in the order of the
/// swept keys. Notes about plots that could not be drawn are added to the manifest.
/// Computes in **O(cells × replicates × measures)**.
pub fn finish_sweep(
    dir: &Path,
    manifest: &mut SweepManifest,
    keys: &[String],
    axes: &[PlotAxis],
    cells: &[CellResults<'_>],
    measures: &[String],
    plots: bool,
) -> Result<Vec<PathBuf>, OutputError> {
    let all: Vec<&ReplicateResult> = cells.iter().flat_map(|c| c.results.clone()).collect();
    let extras = extra_names(&all);
    let columns = key_columns(keys, &extras);
    let mut written = Vec::new();

    let path = dir.join("sweep.csv");
    write_csv(&path, |w| write_sweep_csv(w, &columns, cells, &extras))?;
    written.push(path);

    let summaries = summarise(cells, &extras);
    let path = dir.join("cells.csv");
    write_csv(&path, |w| write_cells_csv(w, &columns, cells, &summaries))?;
    written.push(path);

    let path = dir.join(STEPS_FILE);
    write_csv(&path, |w| write_steps_csv(w, &columns[..keys.len()], cells))?;
    written.push(path);

    if plots {
        let (files, notes) = write_sweep_plots(dir, manifest, axes, &summaries, measures)?;
        written.extend(files);
        manifest.notes.extend(notes);
    }

    let path = dir.join("manifest.json");
    let bytes = serde_json::to_vec_pretty(&ManifestFile {
        schema_version: SWEEP_MANIFEST_SCHEMA_VERSION,
        manifest,
    })
    .map(|mut b| {
        b.push(b'\n');
        b
    })
    .map_err(|source| OutputError::Json {
        path: path.clone(),
        source,
    })?;
    write_atomic(&path, &bytes)?;
    written.push(path);
    Ok(written)
}

#[derive(Serialize)]
struct ManifestFile<'a> {
    schema_version: u32,
    #[serde(flatten)]
    manifest: &'a SweepManifest,
}

/// Writes one CSV atomically.
fn write_csv(
    path: &Path,
    write: impl FnOnce(&mut dyn io::Write) -> csv::Result<()>,
) -> Result<(), OutputError> {
    let mut file = AtomicFile::create(path)?;
    {
        let mut out = file.writer();
        write(&mut out).map_err(|source| OutputError::Csv {
            path: path.into(),
            source,
        })?;
        io::Write::flush(&mut out).map_err(|source| OutputError::Write {
            path: path.into(),
            source,
        })?;
    }
    file.commit()
}

fn writer(out: &mut dyn io::Write) -> csv::Writer<&mut dyn io::Write> {
    csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(out)
}

/// Writes a sweep cell's small files (`cell_files = "summary"`): `summary.csv`, and
/// `stats.json` without its per-step means, which it returns for `sweep_steps.csv` (taken from
/// `steps`, one trajectory at a time).
pub fn finish_cell(
    folder: &RunFolder,
    results: &[ReplicateResult],
    steps: super::StepSource<'_>,
) -> Result<Vec<StepStats>, OutputError> {
    let mut sorted: Vec<&ReplicateResult> = results.iter().collect();
    sorted.sort_by_key(|r| r.replicate);
    let dir = folder.path();
    let path = dir.join("summary.csv");
    write_csv(&path, |w| super::tables::write_summary(w, &sorted))?;
    let by_step = super::step_pass(folder, &sorted, steps, None)?;
    let stats = super::aggregate::run_stats_with(&sorted, Vec::new(), LEVEL);
    let path = dir.join("stats.json");
    let bytes = super::json::stats_json(&stats).map_err(|source| OutputError::Json {
        path: path.clone(),
        source,
    })?;
    write_atomic(&path, &bytes)?;
    Ok(by_step)
}

/// The sweep's tidy per-step table.
pub const STEPS_FILE: &str = "sweep_steps.csv";

/// Writes `sweep_steps.csv`: per cell, step and action (`sitting`, `standing`, `booing`), the
/// mean share over the cell's replicates with its 95% interval and `n`. A replicate that stopped
/// early is carried at its final state (as in `stats.json`'s `by_step`), so every step averages
/// over all replicates of the cell.
fn write_steps_csv(
    out: &mut dyn io::Write,
    key_columns: &[String],
    cells: &[CellResults<'_>],
) -> csv::Result<()> {
    let mut w = writer(out);
    let mut header: Vec<&str> = vec!["cell"];
    header.extend(key_columns.iter().map(String::as_str));
    header.extend(["step", "measure", "mean", "ci_low", "ci_high", "n"]);
    w.write_record(&header)?;
    let text = |x: f64| {
        if x.is_finite() {
            x.to_string()
        } else {
            String::new()
        }
    };
    for c in cells {
        for st in &c.by_step {
            for (name, sm) in [
                ("sitting", &st.sitting),
                ("standing", &st.standing),
                ("booing", &st.booing),
            ] {
                let mut row = vec![c.index.to_string()];
                row.extend(c.labels.iter().cloned());
                row.extend([
                    st.step.to_string(),
                    name.to_string(),
                    text(sm.mean),
                    text(sm.ci_low),
                    text(sm.ci_high),
                    sm.n.to_string(),
                ]);
                w.write_record(&row)?;
            }
        }
    }
    w.flush()?;
    Ok(())
}

/// Writes `sweep.csv`.
fn write_sweep_csv(
    out: &mut dyn io::Write,
    columns: &[String],
    cells: &[CellResults<'_>],
    extras: &[String],
) -> csv::Result<()> {
    let mut w = writer(out);
    let mut header: Vec<&str> = vec!["cell"];
    header.extend(columns.iter().map(String::as_str));
    header.extend(SUMMARY_HEADER);
    header.extend(extras.iter().map(String::as_str));
    w.write_record(&header)?;
    let k = columns.len();
    let n = SUMMARY_HEADER.len();
    let mut row = vec![String::new(); header.len()];
    for c in cells {
        for r in &c.results {
            for b in &mut row {
                b.clear();
            }
            row[0] = c.index.to_string();
            row[1..=k].clone_from_slice(&c.labels);
            put_summary(&mut row[1 + k..1 + k + n], r);
            put_extras(&mut row[1 + k + n..], r, extras);
            w.write_record(&row)?;
        }
    }
    w.flush()?;
    Ok(())
}

/// Per cell: each measure's summary (common measures, then extras, then outcomes).
struct CellSummary {
    measures: Vec<(String, Summary)>,
}

fn summarise(cells: &[CellResults<'_>], extras: &[String]) -> Vec<CellSummary> {
    cells
        .iter()
        .map(|c| {
            let mut measures = Vec::new();
            for m in SUMMARY_MEASURES
                .iter()
                .map(|s| s.to_string())
                .chain(extras.iter().cloned())
            {
                let values: Vec<f64> = c
                    .results
                    .iter()
                    .filter_map(|r| super::measures::value(r, &m))
                    .collect();
                let summary = if is_share(&m) {
                    crate::stats::share_ci(&values, LEVEL)
                } else {
                    mean_ci(&values, LEVEL)
                };
                measures.push((m, summary));
            }
            let n = c.results.len() as u64;
            for o in [Outcome::FixedPoint, Outcome::Cycle, Outcome::StepLimit] {
                let k = c.results.iter().filter(|r| r.outcome == o).count() as u64;
                measures.push((o.name().to_string(), wilson(k, n, LEVEL)));
            }
            CellSummary { measures }
        })
        .collect()
}

/// A float for a table: shortest round trip, empty when undefined.
fn num(x: f64) -> String {
    if x.is_finite() {
        x.to_string()
    } else {
        String::new()
    }
}

/// Writes `cells.csv`.
fn write_cells_csv(
    out: &mut dyn io::Write,
    columns: &[String],
    cells: &[CellResults<'_>],
    summaries: &[CellSummary],
) -> csv::Result<()> {
    let mut w = writer(out);
    let mut header: Vec<String> = vec!["cell".into()];
    header.extend(columns.iter().cloned());
    header.push("replicates".into());
    if let Some(first) = summaries.first() {
        for (m, _) in &first.measures {
            for part in ["mean", "ci_low", "ci_high"] {
                header.push(format!("{m}_{part}"));
            }
        }
    }
    w.write_record(&header)?;
    for (c, s) in cells.iter().zip(summaries) {
        let mut row: Vec<String> = vec![c.index.to_string()];
        row.extend(c.labels.iter().cloned());
        row.push(c.results.len().to_string());
        for (_, sm) in &s.measures {
            row.push(num(sm.mean));
            row.push(num(sm.ci_low));
            row.push(num(sm.ci_high));
        }
        w.write_record(&row)?;
    }
    w.flush()?;
    Ok(())
}

/// Draws the plots for `measures` and returns the files and notes on what was not drawn.
fn write_sweep_plots(
    dir: &Path,
    manifest: &SweepManifest,
    axes: &[PlotAxis],
    summaries: &[CellSummary],
    measures: &[String],
) -> Result<(Vec<PathBuf>, Vec<String>), OutputError> {
    let mut files = Vec::new();
    let mut notes = Vec::new();
    let name = manifest
        .scenario
        .get("name")
        .and_then(|v| v.as_str())
        .map_or_else(
            || {
                Path::new(&manifest.scenario_file)
                    .file_stem()
                    .map_or_else(|| "sweep".into(), |s| s.to_string_lossy().into_owned())
            },
            str::to_string,
        );
    if axes.len() > 2 || axes.is_empty() {
        notes.push(format!(
            "no plots: a sweep over {} axes has no single picture; read cells.csv",
            axes.len()
        ));
        return Ok((files, notes));
    }
    let available: Vec<&str> = summaries
        .first()
        .map(|s| s.measures.iter().map(|(m, _)| m.as_str()).collect())
        .unwrap_or_default();
    let reps: Vec<usize> = manifest
        .cells
        .iter()
        .map(|c| c.replicates as usize)
        .collect();
    let reps_text = match (reps.iter().min(), reps.iter().max()) {
        (Some(a), Some(b)) if a == b => format!(" ({a} replicates per cell)"),
        (Some(a), Some(b)) => format!(" ({a} to {b} replicates per cell)"),
        _ => String::new(),
    };
    for m in measures {
        let Some(at) = available.iter().position(|a| a == m) else {
            notes.push(format!(
                "no plot of `{m}`: not a measure of this sweep; expected one of {}",
                available.join(", ")
            ));
            continue;
        };
        let values: Vec<Summary> = summaries.iter().map(|s| s.measures[at].1).collect();
        let stem_m: String = m
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '_' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        if axes.len() == 1 {
            let axis = &axes[0];
            let title = format!("{name}: {m} against {}{reps_text}", axis_title(axis));
            let stem = format!("sweep_{stem_m}");
            files.extend(render(
                dir,
                &stem,
                (1000, 620),
                |root| draw_line(&root, &title, axis, m, &values),
                |root| draw_line(&root, &title, axis, m, &values),
            )?);
        } else {
            let title = format!("{name}: mean {m}{reps_text}");
            let layout = HeatLayout::new(&axes[0], &axes[1]);
            let stem = format!("heatmap_{stem_m}");
            files.extend(render(
                dir,
                &stem,
                layout.size,
                |root| draw_heatmap(&root, &title, &layout, &axes[0], &axes[1], m, &values),
                |root| draw_heatmap(&root, &title, &layout, &axes[0], &axes[1], m, &values),
            )?);
        }
    }
    Ok((files, notes))
}

/// "model.quality" or "graph.rows (with graph.seats)".
fn axis_title(axis: &PlotAxis) -> String {
    match axis.keys.split_first() {
        Some((first, [])) => first.clone(),
        Some((first, rest)) => format!("{first} (with {})", rest.join(", ")),
        None => String::new(),
    }
}

/// The y range of a plot of `values`: fitted to the means and intervals, so that cells that
/// differ look different (shares stay inside `[0, 1]` and span at least 2 points).
fn y_range(measure: &str, values: &[Summary]) -> (f64, f64) {
    let lo = values
        .iter()
        .flat_map(|s| [s.ci_low, s.mean])
        .filter(|x| x.is_finite())
        .fold(f64::INFINITY, f64::min);
    let hi = values
        .iter()
        .flat_map(|s| [s.ci_high, s.mean])
        .filter(|x| x.is_finite())
        .fold(f64::NEG_INFINITY, f64::max);
    if !lo.is_finite() || !hi.is_finite() {
        return (0.0, 1.0);
    }
    if is_share(measure) {
        let pad = ((hi - lo) * 0.08).max((0.02 - (hi - lo)) / 2.0).max(0.0);
        let (lo, hi) = ((lo - pad).max(0.0), (hi + pad).min(1.0));
        // Near a bound the 2-point minimum span is kept on the other side.
        return (lo.min((hi - 0.02).max(0.0)), hi.max((lo + 0.02).min(1.0)));
    }
    let pad = ((hi - lo) * 0.08).max(hi.abs().max(1.0) * 1e-3);
    let lo = if lo >= 0.0 {
        (lo - pad).max(0.0)
    } else {
        lo - pad
    };
    (lo, hi + pad)
}

/// The mean of `measure` against the one swept axis, with its 95% CI band.
fn draw_line<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    axis: &PlotAxis,
    measure: &str,
    values: &[Summary],
) -> Drawn {
    root.fill(&WHITE).map_err(msg)?;
    let xs: Vec<f64> = match &axis.numbers {
        Some(n) => n.clone(),
        None => (0..axis.labels.len()).map(|i| i as f64).collect(),
    };
    let (x_lo, x_hi) = xs
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| {
            (a.min(x), b.max(x))
        });
    let span = (x_hi - x_lo).max(1e-12);
    let pad = if axis.numbers.is_some() {
        span * 0.03
    } else {
        0.5
    };
    let (x_lo, x_hi) = if xs.len() == 1 {
        (x_lo - 1.0, x_hi + 1.0)
    } else {
        (x_lo - pad, x_hi + pad)
    };
    let (y_lo, y_hi) = y_range(measure, values);
    let mut chart = ChartBuilder::on(root)
        .caption(title, (FONT_FAMILY, 22))
        .margin(16)
        .x_label_area_size(55)
        .y_label_area_size(80)
        .build_cartesian_2d(x_lo..x_hi, y_lo..y_hi)
        .map_err(msg)?;
    let labels = axis.labels.clone();
    let categorical = axis.numbers.is_none();
    let formatter = move |x: &f64| -> String {
        if categorical {
            let i = x.round();
            if (x - i).abs() < 1e-6 && i >= 0.0 && (i as usize) < labels.len() {
                return labels[i as usize].clone();
            }
            return String::new();
        }
        let s = format!("{x:.6}");
        let s = s.trim_end_matches('0').trim_end_matches('.');
        if s == "-0" { "0".into() } else { s.to_string() }
    };
    let mut mesh = chart.configure_mesh();
    mesh.x_desc(axis_title(axis))
        .y_desc(format!("{measure} (mean over replicates)"))
        .axis_desc_style((FONT_FAMILY, 18))
        .label_style((FONT_FAMILY, 15))
        .x_label_formatter(&formatter)
        .max_light_lines(1)
        .light_line_style(RGBColor(240, 240, 240))
        .bold_line_style(RGBColor(215, 215, 215));
    if categorical {
        mesh.x_labels(axis.labels.len() * 2 + 3);
    }
    mesh.draw().map_err(msg)?;
    let points: Vec<(f64, &Summary)> = xs
        .iter()
        .copied()
        .zip(values)
        .filter(|(_, s)| s.mean.is_finite())
        .collect();
    let band: Vec<(f64, f64)> = points
        .iter()
        .map(|(x, s)| (*x, s.ci_high))
        .chain(points.iter().rev().map(|(x, s)| (*x, s.ci_low)))
        .collect();
    if points.len() > 1 {
        chart
            .draw_series(std::iter::once(Polygon::new(band, LINE.mix(0.2).filled())))
            .map_err(msg)?
            .label("95% confidence interval of the mean")
            .legend(|(x, y)| Rectangle::new([(x, y - 7), (x + 24, y + 7)], LINE.mix(0.2).filled()));
    }
    chart
        .draw_series(LineSeries::new(
            points.iter().map(|(x, s)| (*x, s.mean)),
            LINE.stroke_width(3),
        ))
        .map_err(msg)?
        .label("mean over replicates")
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 24, y)], LINE.stroke_width(3)));
    chart
        .draw_series(
            points
                .iter()
                .map(|(x, s)| Circle::new((*x, s.mean), 4, LINE.filled())),
        )
        .map_err(msg)?;
    // Error bars, visible also where the band is thin.
    chart
        .draw_series(points.iter().map(|(x, s)| {
            PathElement::new(vec![(*x, s.ci_low), (*x, s.ci_high)], LINE.stroke_width(1))
        }))
        .map_err(msg)?;
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .label_font((FONT_FAMILY, 15))
        .background_style(WHITE.mix(0.85))
        .border_style(RGBColor(160, 160, 160))
        .margin(12)
        .draw()
        .map_err(msg)?;
    root.present().map_err(msg)
}

/// Pixel layout of the heatmap.
struct HeatLayout {
    /// Columns (second axis) and rows (first axis).
    cols: usize,
    rows: usize,
    /// Cell size in pixels.
    cw: u32,
    ch: u32,
    /// Left margin (row labels), bottom margin (column labels).
    left: u32,
    bottom: u32,
    size: (u32, u32),
}

const HEAT_TITLE: u32 = 60;
const HEAT_MARGIN: u32 = 20;
const HEAT_LEGEND: u32 = 170;

impl HeatLayout {
    fn new(first: &PlotAxis, second: &PlotAxis) -> HeatLayout {
        let rows = first.labels.len().max(1);
        let cols = second.labels.len().max(1);
        let cw = (760 / cols as u32).clamp(8, 110);
        let ch = (520 / rows as u32).clamp(8, 80);
        let longest = |a: &PlotAxis| {
            a.labels
                .iter()
                .map(|l| l.chars().count())
                .max()
                .unwrap_or(1)
        };
        let left = (longest(first) as u32 * 9 + 60).clamp(90, 260);
        let bottom = if longest(second) as u32 * 9 > cw {
            (longest(second) as u32 * 8 + 50).clamp(70, 220)
        } else {
            70
        };
        let width = HEAT_MARGIN + left + cols as u32 * cw + HEAT_LEGEND + HEAT_MARGIN;
        let height = HEAT_TITLE + rows as u32 * ch + bottom + HEAT_MARGIN;
        HeatLayout {
            cols,
            rows,
            cw,
            ch,
            left,
            bottom,
            size: (width.max(700), height.max(360)),
        }
    }
}

/// The colour scale of a heatmap: the smallest to the largest finite mean; a flat one is
/// widened around its value (kept inside [0, 1] for shares).
fn heat_range(means: &[f64], share: bool) -> (f64, f64) {
    let finite = || means.iter().copied().filter(|x| x.is_finite());
    let lo = finite().fold(f64::INFINITY, f64::min);
    let hi = finite().fold(f64::NEG_INFINITY, f64::max);
    if !lo.is_finite() {
        return (0.0, 1.0);
    }
    if hi > lo {
        return (lo, hi);
    }
    let pad = if share {
        0.05
    } else {
        0.5f64.max(lo.abs() * 0.1)
    };
    if share {
        ((lo - pad).max(0.0), (hi + pad).min(1.0))
    } else {
        (lo - pad, hi + pad)
    }
}

/// The mean of `measure` in every cell: the first axis down the side (first value at the
/// bottom), the second along the bottom, a colour bar on the right, and the mean written in
/// each cell when the cells are large enough.
fn draw_heatmap<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    layout: &HeatLayout,
    first: &PlotAxis,
    second: &PlotAxis,
    measure: &str,
    values: &[Summary],
) -> Drawn {
    root.fill(&WHITE).map_err(msg)?;
    let title_style =
        TextStyle::from((FONT_FAMILY, 22).into_font()).pos(Pos::new(HPos::Center, VPos::Center));
    let (w, _) = root.dim_in_pixel();
    root.draw(&Text::new(
        title.to_string(),
        (w as i32 / 2, HEAT_TITLE as i32 / 2),
        title_style,
    ))
    .map_err(msg)?;
    let means: Vec<f64> = values.iter().map(|s| s.mean).collect();
    // The colour scale spans the cells' own range (shares included), so cells that differ
    // look different; the colour bar gives the numbers.
    let (lo, hi) = heat_range(&means, is_share(measure));
    let t = |x: f64| ((x - lo) / (hi - lo)).clamp(0.0, 1.0);
    let x0 = (HEAT_MARGIN + layout.left) as i32;
    let y0 = HEAT_TITLE as i32;
    let (cw, ch) = (layout.cw as i32, layout.ch as i32);
    let (cols, rows) = (layout.cols, layout.rows);
    let grid_bottom = y0 + rows as i32 * ch;
    let number =
        TextStyle::from((FONT_FAMILY, 13).into_font()).pos(Pos::new(HPos::Center, VPos::Center));
    for i in 0..rows {
        for j in 0..cols {
            let Some(&m) = means.get(i * cols + j) else {
                continue;
            };
            // Row i = first axis position i, drawn from the bottom up.
            let top = grid_bottom - (i as i32 + 1) * ch;
            let left = x0 + j as i32 * cw;
            let colour = if m.is_finite() {
                viridis(t(m))
            } else {
                RGBColor(200, 200, 200)
            };
            root.draw(&Rectangle::new(
                [(left, top), (left + cw, top + ch)],
                colour.filled(),
            ))
            .map_err(msg)?;
            if cw >= 44 && ch >= 18 && m.is_finite() {
                let text = short(m);
                let ink = if t(m) > 0.6 { BLACK } else { WHITE };
                root.draw(&Text::new(
                    text,
                    (left + cw / 2, top + ch / 2),
                    number.clone().color(&ink),
                ))
                .map_err(msg)?;
            }
        }
    }
    root.draw(&Rectangle::new(
        [(x0, y0), (x0 + cols as i32 * cw, grid_bottom)],
        BLACK.stroke_width(1),
    ))
    .map_err(msg)?;
    // Tick labels: every label when they fit, else about 12 of them.
    let label = TextStyle::from((FONT_FAMILY, 14).into_font());
    let every = |n: usize, px: i32| -> usize { if px >= 18 { 1 } else { n.div_ceil(12).max(1) } };
    let step_r = every(rows, ch);
    for i in (0..rows).step_by(step_r) {
        let y = grid_bottom - i as i32 * ch - ch / 2;
        root.draw(&Text::new(
            first.labels.get(i).cloned().unwrap_or_default(),
            (x0 - 8, y),
            label.clone().pos(Pos::new(HPos::Right, VPos::Center)),
        ))
        .map_err(msg)?;
    }
    let long = second
        .labels
        .iter()
        .map(|l| l.chars().count())
        .max()
        .unwrap_or(1) as i32
        * 9
        > cw;
    let step_c = every(cols, if long { 18 } else { cw });
    for j in (0..cols).step_by(step_c) {
        let x = x0 + j as i32 * cw + cw / 2;
        let text = second.labels.get(j).cloned().unwrap_or_default();
        let style = if long {
            label
                .clone()
                .transform(FontTransform::Rotate270)
                .pos(Pos::new(HPos::Right, VPos::Center))
        } else {
            label.clone().pos(Pos::new(HPos::Center, VPos::Top))
        };
        root.draw(&Text::new(text, (x, grid_bottom + 8), style))
            .map_err(msg)?;
    }
    // Axis titles.
    let desc = TextStyle::from((FONT_FAMILY, 17).into_font());
    root.draw(&Text::new(
        axis_title(second),
        (
            x0 + cols as i32 * cw / 2,
            grid_bottom + layout.bottom as i32 - 22,
        ),
        desc.clone().pos(Pos::new(HPos::Center, VPos::Center)),
    ))
    .map_err(msg)?;
    root.draw(&Text::new(
        axis_title(first),
        (HEAT_MARGIN as i32 + 10, (y0 + grid_bottom) / 2),
        desc.clone()
            .transform(FontTransform::Rotate270)
            .pos(Pos::new(HPos::Center, VPos::Center)),
    ))
    .map_err(msg)?;
    // Colour bar.
    let bx0 = x0 + cols as i32 * cw + 30;
    let bx1 = bx0 + 22;
    let (top, bottom) = (y0, grid_bottom.max(y0 + 100));
    let steps = 100;
    for k in 0..steps {
        let t0 = f64::from(k) / f64::from(steps);
        let t1 = f64::from(k + 1) / f64::from(steps);
        let y_hi = bottom - ((t1 * f64::from(bottom - top)).round() as i32);
        let y_lo = bottom - ((t0 * f64::from(bottom - top)).round() as i32);
        root.draw(&Rectangle::new(
            [(bx0, y_hi), (bx1, y_lo)],
            viridis((t0 + t1) / 2.0).filled(),
        ))
        .map_err(msg)?;
    }
    root.draw(&Rectangle::new(
        [(bx0, top), (bx1, bottom)],
        BLACK.stroke_width(1),
    ))
    .map_err(msg)?;
    let tick =
        TextStyle::from((FONT_FAMILY, 13).into_font()).pos(Pos::new(HPos::Left, VPos::Center));
    for k in 0..=4 {
        let f = f64::from(k) / 4.0;
        let y = bottom - ((f * f64::from(bottom - top)).round() as i32);
        root.draw(&PathElement::new(
            vec![(bx1, y), (bx1 + 5, y)],
            BLACK.stroke_width(1),
        ))
        .map_err(msg)?;
        root.draw(&Text::new(
            short(lo + f * (hi - lo)),
            (bx1 + 8, y),
            tick.clone(),
        ))
        .map_err(msg)?;
    }
    root.draw(&Text::new(
        format!("mean {measure}"),
        (bx1 + 75, (top + bottom) / 2),
        TextStyle::from((FONT_FAMILY, 15).into_font())
            .transform(FontTransform::Rotate270)
            .pos(Pos::new(HPos::Center, VPos::Center)),
    ))
    .map_err(msg)?;
    root.present().map_err(msg)
}

/// A number in at most about 5 characters for labels.
fn short(x: f64) -> String {
    if x != 0.0 && (x.abs() >= 1e5 || x.abs() < 1e-3) {
        return format!("{x:.2e}");
    }
    let digits = if x.abs() >= 100.0 {
        0
    } else if x.abs() >= 10.0 {
        1
    } else {
        3
    };
    let s = format!("{x:.digits$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_plot_of_shares_is_fitted_to_the_data() {
        let s = |mean: f64, half: f64| crate::stats::Summary {
            n: 10,
            mean,
            sd: 0.0,
            ci_low: mean - half,
            ci_high: mean + half,
            level: 0.95,
            method: "student_t",
        };
        // Peaks of 34% to 42% (intervals 33% to 46%): the axis spans them with 8% of their
        // range as padding, not 0 to 1.
        let (lo, hi) = y_range("peak_booing", &[s(0.34, 0.01), s(0.42, 0.04)]);
        assert!(
            (lo - 0.3196).abs() < 1e-9 && (hi - 0.4704).abs() < 1e-9,
            "{lo} {hi}"
        );
        // Nearly all zero: at least 2 points tall, never below 0.
        let (lo, hi) = y_range("final_booing", &[s(0.0, 0.0), s(0.001, 0.001)]);
        assert_eq!(lo, 0.0);
        assert!((hi - 0.02).abs() < 1e-9, "{hi}");
    }

    #[test]
    fn the_heatmap_colour_scale_spans_the_data() {
        // Shares between 0.40 and 0.46 get the whole colour range, not a sliver of [0, 1].
        assert_eq!(heat_range(&[0.4, 0.46, f64::NAN, 0.43], true), (0.4, 0.46));
        let (lo, hi) = heat_range(&[0.98, 0.98], true);
        assert!((lo - 0.93).abs() < 1e-12 && hi == 1.0, "{lo} {hi}");
        assert_eq!(heat_range(&[3.0, 3.0], false), (2.5, 3.5));
        assert_eq!(heat_range(&[f64::NAN], false), (0.0, 1.0));
    }
    use crate::output::fixtures::replicate;

    fn axis(keys: &[&str], labels: &[&str]) -> PlotAxis {
        PlotAxis {
            keys: keys.iter().map(|s| s.to_string()).collect(),
            labels: labels.iter().map(|s| s.to_string()).collect(),
            numbers: labels.iter().map(|l| l.parse().ok()).collect(),
        }
    }

    fn manifest() -> SweepManifest {
        SweepManifest {
            kind: "sweep",
            scenario: serde_json::json!({"name": "t"}),
            scenario_file: "t.toml".into(),
            overrides: vec![],
            sweep: serde_json::Value::Null,
            seed: 1,
            program: "ovation".into(),
            started: "t0".into(),
            finished: "t1".into(),
            threads: 1,
            resumed_replicates: 0,
            cells: vec![],
            notes: vec![],
            provenance: Default::default(),
            shards: Vec::new(),
        }
    }

    #[test]
    fn tables_and_plots_for_two_axes() {
        let dir = tempfile::tempdir().expect("temp dir");
        let results: Vec<Vec<ReplicateResult>> = (0..6)
            .map(|c| {
                (0..3)
                    .map(|r| {
                        let mut x = replicate(r);
                        x.final_standing = 0.1 * c as f64 + 0.01 * f64::from(r);
                        if c == 2 {
                            x.extra.insert("clusters".into(), 2.0);
                        }
                        x
                    })
                    .collect()
            })
            .collect();
        let a = axis(&["model.quality"], &["0.4", "0.6"]);
        let b = axis(&["steps"], &["1", "2", "3"]);
        let cells: Vec<CellResults<'_>> = results
            .iter()
            .enumerate()
            .map(|(i, rs)| CellResults {
                index: i,
                labels: vec![a.labels[i / 3].clone(), b.labels[i % 3].clone()],
                results: rs.iter().collect(),
                by_step: crate::output::aggregate::run_stats(&rs.iter().collect::<Vec<_>>(), LEVEL)
                    .by_step,
            })
            .collect();
        let keys = vec!["model.quality".to_string(), "steps".to_string()];
        let mut m = manifest();
        let written = finish_sweep(
            dir.path(),
            &mut m,
            &keys,
            &[a, b],
            &cells,
            &["final_standing".into(), "nope".into()],
            true,
        )
        .expect("written");
        let names: Vec<String> = written
            .iter()
            .map(|p| p.file_name().expect("name").to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            names,
            [
                "sweep.csv",
                "cells.csv",
                "sweep_steps.csv",
                "heatmap_final_standing.png",
                "heatmap_final_standing.svg",
                "manifest.json"
            ]
        );
        assert!(
            m.notes.iter().any(|n| n.contains("`nope`")),
            "{:?}",
            m.notes
        );
        let sweep = std::fs::read_to_string(dir.path().join("sweep.csv")).expect("read");
        let mut lines = sweep.lines();
        let header = lines.next().expect("header");
        // `steps` would clash with the measure of that name.
        assert!(
            header.starts_with("cell,model.quality,set.steps,replicate,outcome,"),
            "{header}"
        );
        assert!(header.ends_with(",edge_visits,clusters"), "{header}");
        assert_eq!(sweep.lines().count(), 1 + 18);
        let row = lines.nth(3).expect("cell 1 replicate 0");
        assert!(row.starts_with("1,0.4,2,0,fixed_point,"), "{row}");
        assert!(row.ends_with(','), "no clusters in cell 1: {row}");
        let cells_csv = std::fs::read_to_string(dir.path().join("cells.csv")).expect("read");
        let mut reader = csv::Reader::from_reader(cells_csv.as_bytes());
        let h = reader.headers().expect("header").clone();
        let at = |name: &str| h.iter().position(|c| c == name).expect(name);
        let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("row")).collect();
        assert_eq!(rows.len(), 6);
        assert_eq!(&rows[5][at("replicates")], "3");
        let mean: f64 = rows[5][at("final_standing_mean")].parse().expect("mean");
        assert!((mean - 0.51).abs() < 1e-12, "{mean}");
        let lo: f64 = rows[5][at("final_standing_ci_low")].parse().expect("lo");
        assert!(lo < mean);
        assert_eq!(&rows[2][at("clusters_mean")], "2");
        assert_eq!(&rows[0][at("clusters_mean")], "");
        assert_eq!(&rows[0][at("fixed_point_mean")], "1");
        let json: serde_json::Value =
            serde_json::from_slice(&std::fs::read(dir.path().join("manifest.json")).expect("read"))
                .expect("json");
        assert_eq!(json["kind"], "sweep");
        if let Some(keep) = std::env::var_os("OVATION_KEEP_PLOTS") {
            for f in &written {
                let to = Path::new(&keep).join(f.file_name().expect("a file"));
                std::fs::copy(f, to).expect("copy");
            }
        }
    }

    #[test]
    fn short_numbers() {
        assert_eq!(short(0.5), "0.5");
        assert_eq!(short(0.12345), "0.123");
        assert_eq!(short(12.34), "12.3");
        assert_eq!(short(1234.0), "1234");
        assert_eq!(short(0.0), "0");
    }
}
