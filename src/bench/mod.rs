//! Benchmark workloads for `ovation bench` (issue 7): named workloads run through the same
//! scenario path as `ovation run` (a [`Scenario`] built from a `[model]` text, replicates by
//! [`run_one`]) on a shared graph, for a list of thread counts and repetitions; their
//! records (wall time, edge visits, throughput, peak memory, bytes per edge), the files
//! `bench.csv` and `bench.json`, and the scaling plot. [`peer`], [`peer_mc`], [`peer_seeds`] and
//! [`peer_sop`] are ovation's side of the peer harness `benches/peers/`.

pub mod peer;
pub mod peer_mc;
pub mod peer_seeds;
pub mod peer_sop;

use std::path::Path;
use std::time::Instant;

use plotters::prelude::*;
use serde::Serialize;

use crate::graph::FollowerGraph;
use crate::output::plots::{FONT_FAMILY, msg, render};
use crate::runner::run_one;
use crate::scenario::{self, Scenario};

/// The named workloads.
pub const WORKLOADS: [&str; 9] = [
    "sop",
    "threshold",
    "independent_cascade",
    "bounded_confidence_step",
    "imm",
    "ic_mc_scalar",
    "ic_mc_bitpar",
    "lt_mc_scalar",
    "lt_mc_bitpar",
];

/// Replicates of the `ic_mc_*` and `lt_mc_*` workloads: Monte Carlo estimates of an
/// independent cascade's spread (p = [`MC_P`], every 1000th agent from agent 0 a seed) or a
/// linear threshold's (uniform weights, every 1000th agent from agent 500 a seed: the oldest
/// agents of a Barabasi-Albert graph are sources of every later one, so seeding agent 0
/// activates every agent in every replicate), one replicate at a time on the engine's draws
/// (`*_scalar`, `strategy::spread`) or 64 at a time (`*_bitpar`, `strategy::bitpar`).
pub const MC_SAMPLES: u32 = 6400;
/// See [`MC_SAMPLES`].
pub const MC_P: f64 = 0.01;

/// The `imm` workload's parameters: IMM seed selection (Tang, Shi and Xiao 2015) of
/// [`IMM_K`] seeds with `epsilon =` [`IMM_EPSILON`], `l = 1`, under the weighted cascade
/// (independent cascade with `p_uv = 1 / d_in(v)`, the papers' usual setting).
pub const IMM_K: u32 = 50;
/// See [`IMM_K`].
pub const IMM_EPSILON: f64 = 0.5;

/// The scenario text of a workload (everything but the graph, which the bench supplies):
/// `n` sizes the seed set (0.1% of the agents, at least 1).
pub fn workload_text(name: &str, n: u32) -> Option<String> {
    let k = (n / 1000).max(1);
    let (steps, population, model, seeding) = match name {
        // Miller and Page's rule with noisy signals, majority conformity, synchronous.
        "sop" => (
            100,
            "noise = { dist = \"uniform\", low = -0.5, high = 0.5 }\nthreshold = 0.5\nconformity = 0.5",
            "rule = \"sop\"\nquality = 0.5",
            false,
        ),
        // Watts' fractional threshold cascade, phi = 0.18, the 0.1% agents with most
        // followers as seeds (the peer harness's first threshold scenario).
        "threshold" => (100_000, "", "rule = \"threshold\"\nphi = 0.18", true),
        // Kempe et al.'s independent cascade, p = 0.1 per edge, 0.1% random seeds.
        "independent_cascade" => (
            100_000,
            "",
            "rule = \"independent_cascade\"\nprobability = 0.1",
            true,
        ),
        // One synchronous Hegselmann-Krause step (every agent averages its sources' opinions
        // within eps of its own).
        "bounded_confidence_step" => (1, "", "rule = \"hegselmann_krause\"\neps = 0.2", false),
        _ => return None,
    };
    let method = if name == "threshold" {
        "top_followers"
    } else {
        "random"
    };
    let seeding = if seeding {
        format!("[seeding]\nmethod = \"{method}\"\nk = {k}\n")
    } else {
        String::new()
    };
    Some(format!(
        "name = \"bench-{name}\"\nseed = 7\nreplicates = 1\nsteps = {steps}\n\
         stop_at_fixed_point = true\n[graph]\ngenerator = \"complete\"\nn = 2\n\
         [[population]]\nname = \"all\"\n{population}\n[model]\n{model}\n{seeding}\
         [timing]\nscheme = \"synchronous\"\n"
    ))
}

/// The workload's scenario, or why it is unavailable (an unknown name, or a rule that does
/// not accept the parameters yet).
pub fn workload(name: &str, n: u32) -> Result<Scenario, String> {
    let text = workload_text(name, n)
        .ok_or_else(|| format!("unknown workload {name:?} (expected one of {WORKLOADS:?})"))?;
    scenario::load_str(&format!("bench-{name}.toml"), &text, Path::new("."), &[])
        .map_err(|e| e.to_string().replace('\n', "; "))
}

/// One row of `bench.csv`: a workload at a thread count over its repetitions.
#[derive(Debug, Clone, Serialize)]
pub struct BenchRecord {
    /// Workload name.
    pub workload: String,
    /// Agents.
    pub n: u32,
    /// Edges.
    pub m: u64,
    /// Worker threads.
    pub threads: usize,
    /// Repetitions (replicates 0..reps).
    pub reps: usize,
    /// Fastest wall time of one replicate, seconds.
    pub wall_min_s: f64,
    /// Median wall time, seconds.
    pub wall_median_s: f64,
    /// Slowest wall time, seconds.
    pub wall_max_s: f64,
    /// Edge visits of one replicate (median over repetitions).
    pub edge_visits: u64,
    /// Edge visits per second at the median time.
    pub edge_visits_per_s: f64,
    /// Agents updated of one replicate: the sum over steps of agents that changed (median).
    pub agents_updated: u64,
    /// Agents updated per second at the median time.
    pub agents_updated_per_s: f64,
    /// Steps of one replicate (median).
    pub steps: u32,
    /// Peak resident memory while this workload ran, bytes: `VmHWM` read after it, the
    /// peak having been reset to the current resident size just before it (see
    /// [`PeakScope`]); the graph, loaded before, is included.
    pub peak_rss_bytes: u64,
    /// Resident memory just before the workload (graph included), bytes (`VmRSS`).
    pub rss_before_bytes: u64,
    /// Whether `peak_rss_bytes` covers this workload alone or the whole process so far.
    pub peak_scope: PeakScope,
    /// Graph heap bytes per edge.
    pub graph_bytes_per_edge: f64,
    /// Speed-up against the 1-thread row of the same workload: the median over repetitions
    /// `r` of (time of repetition `r` at 1 thread) / (time of repetition `r` here), paired
    /// because repetition `r` is the same replicate at every thread count (1 when there is no
    /// 1-thread row).
    pub speedup: f64,
    /// Smallest of those paired ratios.
    pub speedup_min: f64,
    /// Largest of those paired ratios.
    pub speedup_max: f64,
    /// Wall times of the repetitions, seconds, in replicate order.
    pub times_s: Vec<f64>,
    /// Empty, or why the workload could not run.
    pub unavailable: String,
}

/// What a record's peak memory covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PeakScope {
    /// The peak was reset before the workload (`/proc/self/clear_refs`), so it is this
    /// workload's own peak (graph included).
    Workload,
    /// The reset was refused (no `/proc`, or a kernel without it): the peak is the process's
    /// running maximum, an upper bound.
    Process,
}

/// A field of `/proc/self/status` in bytes (`VmHWM`, `VmRSS`; 0 where there is none).
fn status_bytes(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with(field)).and_then(|l| {
                l.split_whitespace()
                    .nth(1)
                    .and_then(|x| x.parse::<u64>().ok())
            })
        })
        .map_or(0, |kb| kb * 1024)
}

/// Peak resident memory of this process in bytes (`VmHWM` of `/proc/self/status`; 0 where
/// there is none): the running maximum since the start or since [`reset_peak_rss`].
pub fn peak_rss_bytes() -> u64 {
    status_bytes("VmHWM:")
}

/// Resident memory of this process now, bytes (`VmRSS`; 0 where there is none).
pub fn rss_bytes() -> u64 {
    status_bytes("VmRSS:")
}

/// Resets the peak resident memory (`VmHWM`) to the current resident size by writing `5` to
/// `/proc/self/clear_refs` (Linux 4.0 and later); false where that is refused.
pub fn reset_peak_rss() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

fn median<T: Copy + PartialOrd>(v: &[T]) -> T {
    let mut s = v.to_vec();
    s.sort_by(|a, b| a.partial_cmp(b).expect("no NaN"));
    s[s.len() / 2]
}

/// The median of non-empty, NaN-free values (the mean of the two middle ones for an even
/// count).
fn median_f64(v: &[f64]) -> f64 {
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    let h = s.len() / 2;
    if s.len().is_multiple_of(2) {
        (s[h - 1] + s[h]) / 2.0
    } else {
        s[h]
    }
}

/// Runs `name` on `graph` with `threads` workers, `reps` replicates, and returns its record
/// (with `speedup` 1: [`fill_speedups`] sets it).
pub fn run_workload(name: &str, graph: &FollowerGraph, threads: usize, reps: usize) -> BenchRecord {
    let mut rec = BenchRecord {
        workload: name.to_string(),
        n: graph.node_count(),
        m: graph.edge_count(),
        threads,
        reps,
        wall_min_s: f64::NAN,
        wall_median_s: f64::NAN,
        wall_max_s: f64::NAN,
        edge_visits: 0,
        edge_visits_per_s: f64::NAN,
        agents_updated: 0,
        agents_updated_per_s: f64::NAN,
        steps: 0,
        peak_rss_bytes: 0,
        rss_before_bytes: 0,
        peak_scope: PeakScope::Process,
        graph_bytes_per_edge: graph.heap_bytes() as f64 / graph.edge_count().max(1) as f64,
        speedup: 1.0,
        speedup_min: 1.0,
        speedup_max: 1.0,
        times_s: Vec::new(),
        unavailable: String::new(),
    };
    if name == "imm" {
        return run_imm(rec, graph, threads, reps);
    }
    if let Some((rule, engine)) = name.split_once("_mc_") {
        return run_mc(rec, graph, threads, reps, rule == "lt", engine == "bitpar");
    }
    let scenario = match workload(name, graph.node_count()) {
        Ok(s) => s,
        Err(e) => {
            rec.unavailable = e;
            return rec;
        }
    };
    let pool = match rayon::ThreadPoolBuilder::new().num_threads(threads).build() {
        Ok(p) => p,
        Err(e) => {
            rec.unavailable = format!("cannot start {threads} threads: {e}");
            return rec;
        }
    };
    let mut times = Vec::new();
    let (mut visits, mut updated, mut steps) = (Vec::new(), Vec::new(), Vec::new());
    rec.peak_scope = if reset_peak_rss() {
        PeakScope::Workload
    } else {
        PeakScope::Process
    };
    rec.rss_before_bytes = rss_bytes();
    for r in 0..reps.max(1) {
        let t = Instant::now();
        let res = pool.install(|| run_one(&scenario, Some(graph), r as u32));
        let dt = t.elapsed().as_secs_f64();
        match res {
            Ok(res) => {
                times.push(dt);
                visits.push(res.edge_visits);
                updated.push(res.trajectory.iter().map(|s| s.changes).sum::<u64>());
                steps.push(res.steps);
            }
            Err(e) => {
                rec.unavailable = format!("{e:#}");
                return rec;
            }
        }
    }
    rec.wall_min_s = times.iter().copied().fold(f64::INFINITY, f64::min);
    rec.wall_max_s = times.iter().copied().fold(0.0, f64::max);
    rec.wall_median_s = median_f64(&times);
    rec.edge_visits = median(&visits);
    rec.agents_updated = median(&updated);
    rec.steps = median(&steps);
    rec.edge_visits_per_s = rec.edge_visits as f64 / rec.wall_median_s;
    rec.agents_updated_per_s = rec.agents_updated as f64 / rec.wall_median_s;
    rec.peak_rss_bytes = peak_rss_bytes();
    rec.times_s = times;
    rec
}

/// The `imm` workload: repetition `r` selects seeds afresh with key `r` (no cache), timing the
/// whole selection. Edge visits are the members of the final RR sets, agents updated the
/// seeds, steps the RR sets in thousands.
fn run_imm(
    mut rec: BenchRecord,
    graph: &FollowerGraph,
    threads: usize,
    reps: usize,
) -> BenchRecord {
    use crate::model::cascade::EdgeProbability;
    use crate::strategy::imm::{RrModel, imm};
    let model = RrModel::Ic(EdgeProbability::InverseInDegree);
    let mut times = Vec::new();
    let (mut visits, mut sets) = (Vec::new(), Vec::new());
    rec.peak_scope = if reset_peak_rss() {
        PeakScope::Workload
    } else {
        PeakScope::Process
    };
    rec.rss_before_bytes = rss_bytes();
    for r in 0..reps.max(1) {
        let t = Instant::now();
        match imm(graph, model, IMM_K, IMM_EPSILON, 1.0, r as u64, threads) {
            Ok(res) => {
                times.push(t.elapsed().as_secs_f64());
                visits.push(res.rr_members);
                sets.push(res.rr_sets);
            }
            Err(e) => {
                rec.unavailable = e;
                return rec;
            }
        }
    }
    rec.wall_min_s = times.iter().copied().fold(f64::INFINITY, f64::min);
    rec.wall_max_s = times.iter().copied().fold(0.0, f64::max);
    rec.wall_median_s = median_f64(&times);
    rec.edge_visits = median(&visits);
    rec.agents_updated = u64::from(IMM_K.min(graph.node_count()));
    rec.steps = (median(&sets) / 1000).min(u64::from(u32::MAX)) as u32;
    rec.edge_visits_per_s = rec.edge_visits as f64 / rec.wall_median_s;
    rec.agents_updated_per_s = rec.agents_updated as f64 / rec.wall_median_s;
    rec.peak_rss_bytes = peak_rss_bytes();
    rec.times_s = times;
    rec
}

/// The `ic_mc_*` and `lt_mc_*` workloads: repetition `r` runs [`MC_SAMPLES`] replicates keyed
/// by seed `r`. Edge visits are not counted (0); agents updated are the activations summed
/// over the replicates; steps the replicates.
fn run_mc(
    mut rec: BenchRecord,
    graph: &FollowerGraph,
    threads: usize,
    reps: usize,
    linear: bool,
    bitpar: bool,
) -> BenchRecord {
    use crate::engine::RuleSpec;
    use crate::model::cascade::{EdgeProbability, IndependentCascadeParams};
    let (rule, first) = if linear {
        (RuleSpec::LinearThreshold(Default::default()), 500)
    } else {
        let p = EdgeProbability::Constant(MC_P);
        (
            RuleSpec::IndependentCascade(IndependentCascadeParams { probability: p }),
            0,
        )
    };
    let seeds: Vec<u32> = (first..graph.node_count()).step_by(1000).collect();
    let pool = match rayon::ThreadPoolBuilder::new().num_threads(threads).build() {
        Ok(p) => p,
        Err(e) => {
            rec.unavailable = format!("cannot start {threads} threads: {e}");
            return rec;
        }
    };
    let mut times = Vec::new();
    let mut active = Vec::new();
    rec.peak_scope = if reset_peak_rss() {
        PeakScope::Workload
    } else {
        PeakScope::Process
    };
    rec.rss_before_bytes = rss_bytes();
    for r in 0..reps.max(1) {
        let t = Instant::now();
        let res = pool.install(|| {
            if bitpar {
                crate::strategy::bitpar::totals(graph, &rule, &seeds, r as u64, MC_SAMPLES)
            } else {
                peer_mc::totals(graph, &rule, &seeds, r as u64, MC_SAMPLES)
            }
        });
        match res {
            Ok((sum, _)) => {
                times.push(t.elapsed().as_secs_f64());
                active.push(sum);
            }
            Err(e) => {
                rec.unavailable = e;
                return rec;
            }
        }
    }
    rec.wall_min_s = times.iter().copied().fold(f64::INFINITY, f64::min);
    rec.wall_max_s = times.iter().copied().fold(0.0, f64::max);
    rec.wall_median_s = median_f64(&times);
    rec.agents_updated = median(&active);
    rec.steps = MC_SAMPLES;
    rec.agents_updated_per_s = rec.agents_updated as f64 / rec.wall_median_s;
    rec.peak_rss_bytes = peak_rss_bytes();
    rec.times_s = times;
    rec
}

/// Sets each record's speed-up (median, min and max of the paired per-repetition ratios)
/// against the 1-thread record of its workload.
pub fn fill_speedups(records: &mut [BenchRecord]) {
    let base: Vec<(String, Vec<f64>)> = records
        .iter()
        .filter(|r| r.threads == 1 && r.unavailable.is_empty())
        .map(|r| (r.workload.clone(), r.times_s.clone()))
        .collect();
    for r in records.iter_mut() {
        if !r.unavailable.is_empty() {
            continue;
        }
        if let Some((_, b)) = base.iter().find(|(w, _)| *w == r.workload)
            && let Some((lo, mid, hi)) = ratio_spread(b, &r.times_s)
        {
            (r.speedup_min, r.speedup, r.speedup_max) = (lo, mid, hi);
        }
    }
}

/// Min, median and max of the paired ratios `base[i] / times[i]` (None when there is no pair).
pub fn ratio_spread(base: &[f64], times: &[f64]) -> Option<(f64, f64, f64)> {
    let ratios: Vec<f64> = base.iter().zip(times).map(|(b, t)| b / t).collect();
    if ratios.is_empty() || ratios.iter().any(|x| x.is_nan()) {
        return None;
    }
    let lo = ratios.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = ratios.iter().copied().fold(0.0, f64::max);
    Some((lo, median_f64(&ratios), hi))
}

/// Writes `bench.csv`, `bench.json` and `scaling.png`/`scaling.svg` into `dir` (a folder opened
/// with [`crate::output::RunFolder::open_flat`]), each through `output`'s atomic writer.
pub fn write_outputs(
    dir: &Path,
    records: &[BenchRecord],
    graph_text: &str,
) -> anyhow::Result<Vec<std::path::PathBuf>> {
    let mut csv = String::from(
        "workload,n,m,threads,reps,wall_min_s,wall_median_s,wall_max_s,edge_visits,\
         edge_visits_per_s,agents_updated,agents_updated_per_s,steps,peak_rss_bytes,\
         rss_before_bytes,peak_scope,graph_bytes_per_edge,speedup_min,speedup,speedup_max,\
         unavailable\n",
    );
    for r in records {
        csv.push_str(&format!(
            "{},{},{},{},{},{:.6},{:.6},{:.6},{},{:.4e},{},{:.4e},{},{},{},{},{:.3},{:.3},{:.3},{:.3},\"{}\"\n",
            r.workload,
            r.n,
            r.m,
            r.threads,
            r.reps,
            r.wall_min_s,
            r.wall_median_s,
            r.wall_max_s,
            r.edge_visits,
            r.edge_visits_per_s,
            r.agents_updated,
            r.agents_updated_per_s,
            r.steps,
            r.peak_rss_bytes,
            r.rss_before_bytes,
            match r.peak_scope {
                PeakScope::Workload => "workload",
                PeakScope::Process => "process",
            },
            r.graph_bytes_per_edge,
            r.speedup_min,
            r.speedup,
            r.speedup_max,
            r.unavailable.replace('"', "'"),
        ));
    }
    let csv_path = dir.join("bench.csv");
    crate::output::write_atomic(&csv_path, csv.as_bytes())?;
    let json = serde_json::json!({
        "graph": graph_text,
        "machine_threads": std::thread::available_parallelism().map_or(0, |n| n.get()),
        "records": records,
    });
    let json_path = dir.join("bench.json");
    crate::output::write_atomic(
        &json_path,
        (serde_json::to_string_pretty(&json)? + "\n").as_bytes(),
    )?;
    let mut out = vec![csv_path, json_path];
    let title = format!("ovation bench: speed-up against threads ({graph_text})");
    out.extend(render(
        dir,
        "scaling",
        (900, 600),
        |root| draw_scaling(&root, &title, records),
        |root| draw_scaling(&root, &title, records),
    )?);
    Ok(out)
}

const COLOURS: [RGBColor; 4] = [
    RGBColor(0, 114, 178),
    RGBColor(213, 94, 0),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
];

fn draw_scaling<DB: DrawingBackend>(
    root: &DrawingArea<DB, plotters::coord::Shift>,
    title: &str,
    records: &[BenchRecord],
) -> Result<(), String> {
    root.fill(&WHITE).map_err(msg)?;
    let ok: Vec<&BenchRecord> = records
        .iter()
        .filter(|r| r.unavailable.is_empty())
        .collect();
    let tmax = ok.iter().map(|r| r.threads).max().unwrap_or(1).max(2) as f64;
    let ymax = ok.iter().map(|r| r.speedup).fold(tmax, f64::max).max(1.0) * 1.1;
    let mut chart = ChartBuilder::on(root)
        .caption(title, (FONT_FAMILY, 20))
        .margin(16)
        .x_label_area_size(50)
        .y_label_area_size(60)
        .build_cartesian_2d(0.8f64..tmax + 0.2, 0f64..ymax)
        .map_err(msg)?;
    chart
        .configure_mesh()
        .x_desc("threads")
        .y_desc("speed-up (median wall time at 1 thread / at t threads)")
        .axis_desc_style((FONT_FAMILY, 16))
        .label_style((FONT_FAMILY, 14))
        .max_light_lines(1)
        .draw()
        .map_err(msg)?;
    chart
        .draw_series(LineSeries::new(
            [(1.0, 1.0), (tmax, tmax)],
            BLACK.mix(0.5).stroke_width(2),
        ))
        .map_err(msg)?
        .label("ideal")
        .legend(|(x, y)| PathElement::new([(x, y), (x + 20, y)], BLACK.mix(0.5)));
    let mut names: Vec<&str> = ok.iter().map(|r| r.workload.as_str()).collect();
    names.dedup();
    for (i, name) in names.iter().enumerate() {
        let c = COLOURS[i % COLOURS.len()];
        let pts: Vec<(f64, f64)> = ok
            .iter()
            .filter(|r| r.workload == *name)
            .map(|r| (r.threads as f64, r.speedup))
            .collect();
        chart
            .draw_series(LineSeries::new(pts.clone(), c.stroke_width(3)))
            .map_err(msg)?
            .label(*name)
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 20, y)], c.stroke_width(3)));
        chart
            .draw_series(pts.iter().map(|&p| Circle::new(p, 5, c.filled())))
            .map_err(msg)?;
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .label_font((FONT_FAMILY, 15))
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK.mix(0.3))
        .draw()
        .map_err(msg)?;
    root.present().map_err(msg)?;
    Ok(())
}

/// The short terminal table: times, throughput, the speed-up over 1 thread as
/// `median [min, max]` of the paired per-repetition ratios (hyperfine prints its ratios with
/// their spread too), and each workload's own peak memory.
pub fn table(records: &[BenchRecord]) -> String {
    let mut s = format!(
        "{:<24} {:>7} {:>10} {:>10} {:>10} {:>12} {:>12} {:>20} {:>9}\n",
        "workload",
        "threads",
        "median s",
        "min s",
        "max s",
        "visits/s",
        "updated/s",
        "speed-up [min, max]",
        "peak MiB"
    );
    for r in records {
        if !r.unavailable.is_empty() {
            s.push_str(&format!(
                "{:<24} {:>7} unavailable: {}\n",
                r.workload, r.threads, r.unavailable
            ));
            continue;
        }
        let speedup = format!(
            "{:.2} [{:.2}, {:.2}]",
            r.speedup, r.speedup_min, r.speedup_max
        );
        let peak = format!(
            "{:.0}{}",
            r.peak_rss_bytes as f64 / (1 << 20) as f64,
            if r.peak_scope == PeakScope::Process {
                "*"
            } else {
                ""
            }
        );
        s.push_str(&format!(
            "{:<24} {:>7} {:>10.4} {:>10.4} {:>10.4} {:>12.3e} {:>12.3e} {:>20} {:>9}\n",
            r.workload,
            r.threads,
            r.wall_median_s,
            r.wall_min_s,
            r.wall_max_s,
            r.edge_visits_per_s,
            r.agents_updated_per_s,
            speedup,
            peak
        ));
    }
    if records.iter().any(|r| r.peak_scope == PeakScope::Process) {
        s.push_str("* peak of the whole process so far (this system refused to reset it)\n");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratio_spread_pairs_repetitions() {
        // Ratios 2, 1 and 4: min 1, median 2, max 4.
        assert_eq!(
            ratio_spread(&[2.0, 3.0, 8.0], &[1.0, 3.0, 2.0]),
            Some((1.0, 2.0, 4.0))
        );
        // Even count: the median is the mean of the middle two (1.5 and 2.5).
        assert_eq!(
            ratio_spread(&[1.0, 3.0, 5.0, 6.0], &[1.0, 2.0, 2.0, 1.0]),
            Some((1.0, 2.0, 6.0))
        );
        assert_eq!(ratio_spread(&[], &[]), None);
    }

    #[test]
    fn monte_carlo_workloads_give_the_same_activations_with_either_engine() {
        // A 3,000-agent BA graph (seeds 0, 1000, 2000 under IC; 500, 1500, 2500 under LT):
        // both engines run the same replicates, so the activations summed over the 6,400
        // replicates are equal, and each spreads beyond the seeds in some replicates.
        let g = crate::graph::generators::generate(
            &crate::graph::generators::GeneratorSpec::BarabasiAlbert { n: 3000, m: 5 },
            2,
        )
        .expect("graph");
        for rule in ["ic", "lt"] {
            let scalar = run_workload(&format!("{rule}_mc_scalar"), &g, 1, 1);
            let bitpar = run_workload(&format!("{rule}_mc_bitpar"), &g, 2, 1);
            assert_eq!(scalar.unavailable, "");
            assert_eq!(scalar.steps, MC_SAMPLES);
            assert_eq!(scalar.agents_updated, bitpar.agents_updated, "{rule}");
            assert!(
                scalar.agents_updated > 3 * u64::from(MC_SAMPLES),
                "{rule}: {}",
                scalar.agents_updated
            );
        }
    }

    #[test]
    #[cfg(target_os = "linux")]
    fn peak_memory_is_reset_between_workloads() {
        // Touch 256 MiB (one mmap'd block, returned to the system when dropped), drop it,
        // reset: the peak falls back to the resident size. The margin (192 MiB) leaves room
        // for the other tests of this process allocating at the same time.
        let big = vec![1u8; 256 << 20];
        assert_eq!(big.iter().map(|&x| u64::from(x)).sum::<u64>(), 256 << 20);
        let high = peak_rss_bytes();
        drop(big);
        assert!(reset_peak_rss(), "/proc/self/clear_refs refused the reset");
        let after = peak_rss_bytes();
        assert!(
            high >= after + (192 << 20),
            "peak {high} before the reset, {after} after"
        );
    }
}
