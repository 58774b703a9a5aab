//! The result folder of `ovation fit`:
//!
//! | File | Contents |
//! |---|---|
//! | `posterior.csv` | the last generation's particles: parameter values, weight, distance |
//! | `generations.csv` | per generation: tolerance, simulations, attempts, acceptance, ESS |
//! | `summary.csv` | per parameter: prior, posterior mean, sd, median, 90% and 95% intervals |
//! | `predictive.csv` | each observed curve against its posterior-predictive quantiles |
//! | `heldout.csv` | the held-out score against the baseline (when something is held out) |
//! | `pairs.png/svg` | marginal histograms and pairwise scatter of the posterior |
//! | `predictive.png/svg` | observed curves over their 50% and 90% predictive bands |
//! | `manifest.json` | what was fitted, how, with what (last, so it marks completion) |
//!
//! Every file is written atomically; CSV files are byte-identical for the same fit.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use plotters::coord::Shift;
use plotters::prelude::*;
use serde::Serialize;

use super::OutputError;
use super::folder::{RunFolder, write_atomic};
use super::plots::{Drawn, FONT_FAMILY, msg, render};
use crate::fit::FitJob;
use crate::fit::abc::AbcRun;
use crate::fit::predict::{ParamSummary, Predictive};
use crate::fit::prior::Prior;

/// What `manifest.json` of a fit records.
#[derive(Debug, Clone, Serialize)]
pub struct FitManifest {
    /// Program name and version.
    pub program: String,
    /// The scenario file as given.
    pub scenario_file: String,
    /// The `--set` overrides.
    pub overrides: Vec<String>,
    /// The fit's seed.
    pub seed: u64,
    /// The command that regenerates the folder.
    pub command: String,
    /// Particles per generation.
    pub particles: u32,
    /// Generations done (generation 0 included).
    pub generations: usize,
    /// Simulations over all generations (predictive ones not included).
    pub simulations: u64,
    /// Why the sampler stopped.
    pub stopped: String,
    /// Fitted and held-out instances.
    pub fitted: Vec<String>,
    /// Held-out instances.
    pub held_out: Vec<String>,
    /// The summary statistics.
    pub statistics: Vec<String>,
    /// Posterior summaries.
    pub posterior: Vec<ParamJson>,
    /// The held-out check, if any.
    pub held_out_score: Option<HeldOutJson>,
    /// Start and end, RFC 3339 UTC.
    pub started: String,
    /// End.
    pub finished: String,
    /// Seconds taken.
    pub seconds: f64,
    /// Simulations per second in the sampler.
    pub simulations_per_second: f64,
    /// Files written.
    pub files: Vec<String>,
}

/// One parameter in the manifest.
#[derive(Debug, Clone, Serialize)]
pub struct ParamJson {
    /// Key.
    pub key: String,
    /// Prior name and bounds.
    pub prior: String,
    /// Mean.
    pub mean: f64,
    /// Median.
    pub median: f64,
    /// 90% interval.
    pub ci90: [f64; 2],
    /// 95% interval.
    pub ci95: [f64; 2],
}

/// The held-out check in the manifest.
#[derive(Debug, Clone, Serialize)]
pub struct HeldOutJson {
    /// Held-out instances.
    pub instances: usize,
    /// Model CRPS.
    pub model_crps: f64,
    /// Baseline CRPS.
    pub baseline_crps: f64,
    /// In-sample CRPS.
    pub in_sample_crps: f64,
    /// The baseline.
    pub baseline: String,
}

fn prior_text(p: &Prior) -> String {
    let (lo, hi) = p.bounds();
    format!("{}({lo}, {hi})", p.name())
}

/// Manifest entries for the posterior summaries.
pub fn params_json(job: &FitJob, summaries: &[ParamSummary]) -> Vec<ParamJson> {
    job.spec
        .parameters
        .iter()
        .zip(summaries)
        .map(|(p, s)| ParamJson {
            key: s.key.clone(),
            prior: prior_text(&p.prior),
            mean: s.mean,
            median: s.median,
            ci90: [s.ci90.0, s.ci90.1],
            ci95: [s.ci95.0, s.ci95.1],
        })
        .collect()
}

/// Writes every table and plot of a fit into `folder`, then `manifest.json` (its `files` are
/// filled in here); returns the files written.
pub fn write_fit(
    folder: &RunFolder,
    job: &FitJob,
    run: &AbcRun,
    summaries: &[ParamSummary],
    predictive: &Predictive,
    manifest: &mut FitManifest,
    plots: bool,
) -> Result<Vec<PathBuf>, OutputError> {
    let dir = folder.path();
    let mut written = Vec::new();
    let keys: Vec<&str> = job.spec.parameters.iter().map(|p| p.key.as_str()).collect();

    let post = run.posterior();
    let mut s = String::from("particle");
    for k in &keys {
        let _ = write!(s, ",{k}");
    }
    s.push_str(",weight,distance\n");
    for (i, (t, (w, d))) in post
        .theta
        .iter()
        .zip(post.weights.iter().zip(&post.distances))
        .enumerate()
    {
        let _ = write!(s, "{i}");
        for (p, &u) in job.spec.parameters.iter().zip(t) {
            let _ = write!(s, ",{}", p.prior.value(u));
        }
        let _ = writeln!(s, ",{w},{d}");
    }
    written.push(put(dir, "posterior.csv", &s)?);

    let mut s = String::from("generation,epsilon,simulations,attempts,acceptance,ess\n");
    for (g, gen_) in run.generations.iter().enumerate() {
        let _ = writeln!(
            s,
            "{g},{},{},{},{},{}",
            gen_.epsilon,
            gen_.simulations,
            gen_.attempts,
            gen_.acceptance(),
            gen_.ess()
        );
    }
    written.push(put(dir, "generations.csv", &s)?);

    let mut s = String::from(
        "parameter,prior,low,high,mean,sd,median,ci90_low,ci90_high,ci95_low,ci95_high\n",
    );
    for (p, m) in job.spec.parameters.iter().zip(summaries) {
        let (lo, hi) = p.prior.bounds();
        let _ = writeln!(
            s,
            "{},{},{lo},{hi},{},{},{},{},{},{},{}",
            p.key,
            p.prior.name(),
            m.mean,
            m.sd,
            m.median,
            m.ci90.0,
            m.ci90.1,
            m.ci95.0,
            m.ci95.1
        );
    }
    written.push(put(dir, "summary.csv", &s)?);

    let mut s = String::from("curve,fitted,x,observed,q05,q25,q50,q75,q95\n");
    for c in &predictive.curves {
        for k in 0..c.x.len() {
            let _ = writeln!(
                s,
                "\"{}\",{},{},{},{},{},{},{},{}",
                c.name,
                c.fitted,
                c.x[k],
                c.observed[k],
                c.band.q05[k],
                c.band.q25[k],
                c.band.q50[k],
                c.band.q75[k],
                c.band.q95[k]
            );
        }
    }
    written.push(put(dir, "predictive.csv", &s)?);

    if let Some(h) = &predictive.held_out {
        let mut s = String::from("instances,model_crps,baseline_crps,in_sample_crps,baseline\n");
        let _ = writeln!(
            s,
            "{},{},{},{},\"{}\"",
            h.instances, h.model_crps, h.baseline_crps, h.in_sample_crps, h.baseline
        );
        let mut per = String::from("curve,fitted,model_crps,baseline_crps\n");
        for c in &predictive.curves {
            if c.crps.is_finite() {
                let _ = writeln!(
                    per,
                    "\"{}\",{},{},{}",
                    c.name, c.fitted, c.crps, c.baseline_crps
                );
            }
        }
        s.push('\n');
        s.push_str(&per);
        written.push(put(dir, "heldout.csv", &s)?);
    }

    if plots {
        let name = job.scenario.name.clone();
        let d = keys.len();
        let size = ((300 * d as u32).max(600), (300 * d as u32).max(600) + 40);
        let title = format!("{name}: posterior ({} particles)", post.theta.len());
        written.extend(render(
            dir,
            "pairs",
            size,
            |root| draw_pairs(&root, &title, job, run),
            |root| draw_pairs(&root, &title, job, run),
        )?);
        let panels = predictive.curves.len().min(16);
        let cols = panels.clamp(1, 4);
        let rows = panels.div_ceil(cols);
        let size = (360 * cols as u32 + 40, 300 * rows as u32 + 60);
        let title = format!(
            "{name}: observed (black) vs posterior predictive (median, 50% and 90% bands; {} draws)",
            predictive.draws
        );
        written.extend(render(
            dir,
            "predictive",
            size,
            |root| draw_predictive(&root, &title, predictive, cols),
            |root| draw_predictive(&root, &title, predictive, cols),
        )?);
    }

    manifest.files = written
        .iter()
        .filter_map(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .collect();
    manifest.files.push("manifest.json".into());
    let bytes = serde_json::to_vec_pretty(manifest).map_err(|source| OutputError::Json {
        path: dir.join("manifest.json"),
        source,
    })?;
    let path = dir.join("manifest.json");
    write_atomic(&path, &bytes)?;
    written.push(path);
    Ok(written)
}

fn put(dir: &Path, name: &str, text: &str) -> Result<PathBuf, OutputError> {
    let path = dir.join(name);
    write_atomic(&path, text.as_bytes())?;
    Ok(path)
}

const BAND_OUTER: RGBColor = RGBColor(198, 219, 239);
const BAND_INNER: RGBColor = RGBColor(107, 174, 214);
const MEDIAN: RGBColor = RGBColor(8, 81, 156);
const HELD: RGBColor = RGBColor(213, 94, 0);

/// The axis of a parameter: log10 of the value for log-uniform priors.
fn axis(p: &Prior, u: f64) -> f64 {
    match p {
        Prior::LogUniform { .. } => u / std::f64::consts::LN_10,
        Prior::Uniform { .. } => u,
    }
}

fn axis_label(key: &str, p: &Prior) -> String {
    match p {
        Prior::LogUniform { .. } => format!("log10 {key}"),
        Prior::Uniform { .. } => key.to_string(),
    }
}

fn draw_pairs<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    job: &FitJob,
    run: &AbcRun,
) -> Drawn {
    root.fill(&WHITE).map_err(msg)?;
    let (top, body) = root.split_vertically(40);
    top.draw_text(
        title,
        &(FONT_FAMILY, 20).into_font().color(&BLACK),
        (10, 10),
    )
    .map_err(msg)?;
    let params = &job.spec.parameters;
    let d = params.len();
    let post = run.posterior();
    let cells = body.split_evenly((d, d));
    for a in 0..d {
        for b in 0..d {
            let area = &cells[a * d + b];
            if b > a {
                continue;
            }
            let (pa, pb) = (&params[a].prior, &params[b].prior);
            let (xa0, xa1) = pa.internal_bounds();
            let (xb0, xb1) = pb.internal_bounds();
            let xr = axis(pb, xb0)..axis(pb, xb1);
            if a == b {
                let bins = 30usize;
                let mut h = vec![0.0; bins];
                for (t, w) in post.theta.iter().zip(&post.weights) {
                    let k = (((t[a] - xa0) / (xa1 - xa0)) * bins as f64).floor() as isize;
                    h[k.clamp(0, bins as isize - 1) as usize] += w;
                }
                let top = h.iter().cloned().fold(0.0, f64::max).max(1e-12) * 1.1;
                let mut chart = ChartBuilder::on(area)
                    .margin(8)
                    .x_label_area_size(36)
                    .y_label_area_size(40)
                    .build_cartesian_2d(xr.clone(), 0.0..top)
                    .map_err(msg)?;
                chart
                    .configure_mesh()
                    .x_desc(axis_label(&params[b].key, pb))
                    .y_desc("weight")
                    .x_labels(5)
                    .y_labels(4)
                    .label_style((FONT_FAMILY, 12))
                    .axis_desc_style((FONT_FAMILY, 13))
                    .draw()
                    .map_err(msg)?;
                let width = (xa1 - xa0) / bins as f64;
                chart
                    .draw_series(h.iter().enumerate().map(|(k, &v)| {
                        let x0 = axis(pa, xa0 + width * k as f64);
                        let x1 = axis(pa, xa0 + width * (k + 1) as f64);
                        Rectangle::new([(x0, 0.0), (x1, v)], BAND_INNER.filled())
                    }))
                    .map_err(msg)?;
            } else {
                let yr = axis(pa, xa0)..axis(pa, xa1);
                let mut chart = ChartBuilder::on(area)
                    .margin(8)
                    .x_label_area_size(36)
                    .y_label_area_size(48)
                    .build_cartesian_2d(xr, yr)
                    .map_err(msg)?;
                chart
                    .configure_mesh()
                    .x_desc(axis_label(&params[b].key, pb))
                    .y_desc(axis_label(&params[a].key, pa))
                    .x_labels(5)
                    .y_labels(5)
                    .label_style((FONT_FAMILY, 12))
                    .axis_desc_style((FONT_FAMILY, 13))
                    .draw()
                    .map_err(msg)?;
                let wmax = post.weights.iter().cloned().fold(0.0, f64::max).max(1e-300);
                chart
                    .draw_series(post.theta.iter().zip(&post.weights).map(|(t, w)| {
                        let alpha = 0.15 + 0.85 * (w / wmax);
                        Circle::new(
                            (axis(pb, t[b]), axis(pa, t[a])),
                            2,
                            MEDIAN.mix(alpha).filled(),
                        )
                    }))
                    .map_err(msg)?;
            }
        }
    }
    root.present().map_err(msg)
}

fn draw_predictive<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    predictive: &Predictive,
    cols: usize,
) -> Drawn {
    root.fill(&WHITE).map_err(msg)?;
    let (top, body) = root.split_vertically(44);
    top.draw_text(
        title,
        &(FONT_FAMILY, 17).into_font().color(&BLACK),
        (10, 12),
    )
    .map_err(msg)?;
    let curves: Vec<_> = predictive.curves.iter().take(16).collect();
    let rows = curves.len().div_ceil(cols);
    let cells = body.split_evenly((rows, cols));
    for (c, area) in curves.iter().zip(&cells) {
        let log_x = c.x.first().is_some_and(|&x| x > 0.0)
            && c.x
                .last()
                .zip(c.x.first())
                .is_some_and(|(l, f)| l / f > 50.0);
        let xs: Vec<f64> =
            c.x.iter()
                .map(|&x| if log_x { x.log10() } else { x })
                .collect();
        let x0 = xs.first().copied().unwrap_or(0.0);
        let x1 = xs.last().copied().unwrap_or(1.0).max(x0 + 1e-9);
        let ymax = c
            .observed
            .iter()
            .chain(&c.band.q95)
            .cloned()
            .filter(|v| v.is_finite())
            .fold(0.0, f64::max)
            .max(1e-9)
            * 1.05;
        let mut label = c.name.clone();
        if !c.fitted {
            label.push_str(" [held out]");
        }
        if c.crps.is_finite() {
            let _ = write!(label, ", CRPS {:.3}", c.crps);
            if c.baseline_crps.is_finite() {
                let _ = write!(label, " (baseline {:.3})", c.baseline_crps);
            }
        }
        let mut chart = ChartBuilder::on(area)
            .margin(10)
            .caption(label, (FONT_FAMILY, 13))
            .x_label_area_size(34)
            .y_label_area_size(44)
            .build_cartesian_2d(x0..x1, 0.0..ymax)
            .map_err(msg)?;
        let x_desc = if log_x { "log10 x" } else { "time" };
        chart
            .configure_mesh()
            .x_desc(x_desc)
            .x_labels(6)
            .y_labels(5)
            .label_style((FONT_FAMILY, 11))
            .axis_desc_style((FONT_FAMILY, 12))
            .draw()
            .map_err(msg)?;
        let band = |lo: &[f64], hi: &[f64]| -> Vec<(f64, f64)> {
            let mut pts: Vec<(f64, f64)> = xs.iter().cloned().zip(lo.iter().cloned()).collect();
            pts.extend(xs.iter().cloned().zip(hi.iter().cloned()).rev());
            pts.retain(|p| p.1.is_finite());
            pts
        };
        chart
            .draw_series(std::iter::once(Polygon::new(
                band(&c.band.q05, &c.band.q95),
                BAND_OUTER.filled(),
            )))
            .map_err(msg)?;
        chart
            .draw_series(std::iter::once(Polygon::new(
                band(&c.band.q25, &c.band.q75),
                BAND_INNER.mix(0.7).filled(),
            )))
            .map_err(msg)?;
        chart
            .draw_series(LineSeries::new(
                xs.iter().cloned().zip(c.band.q50.iter().cloned()),
                MEDIAN.stroke_width(2),
            ))
            .map_err(msg)?;
        let colour = if c.fitted { BLACK } else { HELD };
        chart
            .draw_series(LineSeries::new(
                xs.iter().cloned().zip(c.observed.iter().cloned()),
                colour.stroke_width(2),
            ))
            .map_err(msg)?;
        chart
            .draw_series(
                xs.iter()
                    .cloned()
                    .zip(c.observed.iter().cloned())
                    .map(|p| Circle::new(p, 3, colour.filled())),
            )
            .map_err(msg)?;
    }
    root.present().map_err(msg)
}
