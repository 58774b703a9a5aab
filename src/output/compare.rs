//! The result folder of `ovation compare`: strategies side by side under common random
//! numbers, their paired differences against a baseline, a ranking, a headline sentence and
//! plots.
//!
//! # Layout
//!
//! ```text
//! <dir>/
//!   run.json                       fingerprint of the whole comparison (for --resume)
//!   strategies/<name>/             one run folder per strategy (replicates/, summary.csv,
//!                                  steps.csv, stats.json, manifest.json, report.html)
//!   compare.csv                    strategy,replicate,<measure>...: one row per run
//!   strategies.csv                 strategy,measure,n,mean,sd,ci_low,ci_high
//!   differences.csv                strategy,baseline,measure,n,mean_difference,ci_low,ci_high,
//!                                  sd_difference,unpaired_ci_low,unpaired_ci_high
//!   stats.json                     all of the above, the ranking and the headline
//!   outcome_over_time.png/svg      mean share over steps (over time with `[time]`) per
//!                                  strategy, 95% bands
//!   forest.png/svg                 paired differences of the headline measure, 95% CIs
//!   cost_effect.png/svg            cost against effect, both with 95% CIs (when costs exist)
//!   manifest.json                  what was run (`"kind": "compare"`), written last
//!   report.html                    the self-contained report (see `super::report`)
//! ```
//!
//! # Statistics
//!
//! Replicate `r` of every strategy uses the same replicate key (common random numbers), so the
//! difference `x_{s,r} - x_{b,r}` between strategy `s` and the baseline `b` is a paired sample:
//! its mean has a Student t interval with `n - 1` degrees of freedom ([`crate::stats::difference`]).
//! Welch's unpaired interval of the same difference is written beside it, to show what the
//! pairing saved. Shares (the `final_*`, `peak_booing`, ... measures) are fractions in `[0, 1]`
//! in the files; the headline and the plots show them in percentage points.
//!
//! # Headline
//!
//! The ranking orders the strategies by the mean paired difference of the headline measure
//! (`[compare] headline`, default the first measure) in its better direction (`goal`). The
//! sentence names the best strategy other than the baseline, the direction, the size with its
//! interval, whether the interval excludes zero, and the mean of each cost; every number in it is
//! in `stats.json`'s `headline` object, from which it is generated. A headline measure that
//! counts steps (the step of the booing peak, of the first response) is worded in minutes, hours
//! or days when the scenario has a `[time]` table (`step_seconds` in the object).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use plotters::coord::Shift;
use plotters::prelude::*;
use serde::Serialize;

use super::aggregate::StepStats;
use super::folder::write_atomic;
use super::measures::{is_share, label, value as measure_value};
use super::plots::{Drawn, FONT_FAMILY, msg, render};
use super::time_axis::{TimeAxis, durations_text, step_time};
use super::{LEVEL, Manifest, OutputError};
use crate::engine::measures::ReplicateResult;
use crate::scenario::strategies::{CompareSpec, DEFAULT_MEASURES, Goal};
use crate::scenario::time::{Duration, TimeSpec};
use crate::stats::{Difference, Summary, difference, mean_ci};

/// Version of the compare `stats.json` layout.
pub const COMPARE_SCHEMA_VERSION: u32 = 1;

/// A strategy's name in words (`public_fast` -> `public fast`).
pub fn strategy_words(name: &str) -> String {
    name.replace('_', " ")
}

/// One strategy's runs, for [`write_compare`].
#[derive(Debug, Clone)]
pub struct StrategyRuns {
    /// The strategy's name.
    pub name: String,
    /// Its overrides in `--set` syntax.
    pub overrides: Vec<String>,
    /// Its replicates, sorted by replicate index (the same indices for every strategy); their
    /// trajectories are not read.
    pub results: Vec<ReplicateResult>,
    /// Its per-step means (`stats.json`'s `by_step`), for the plot over time.
    pub by_step: Vec<StepStats>,
}

/// Per-strategy summary of every measure.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StrategyStats {
    /// The strategy.
    pub name: String,
    /// Its overrides.
    pub overrides: Vec<String>,
    /// Mean and 95% interval of each measure, by measure name.
    pub measures: BTreeMap<String, Summary>,
}

/// One strategy's difference from the baseline on one measure.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DifferenceRow {
    /// The strategy.
    pub strategy: String,
    /// The measure.
    pub measure: String,
    /// Paired (common random numbers) and unpaired (Welch) intervals of strategy - baseline.
    #[serde(flatten)]
    pub difference: Difference,
}

/// One place in the ranking.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RankEntry {
    /// 1 = best.
    pub rank: usize,
    /// The strategy.
    pub strategy: String,
    /// Mean of the headline measure.
    pub mean: f64,
    /// Mean paired difference from the baseline (0 for the baseline itself).
    pub difference: f64,
    /// Its interval.
    pub ci_low: f64,
    /// Its interval.
    pub ci_high: f64,
}

/// The mean cost of the headline strategy.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CostEntry {
    /// The cost measure.
    pub measure: String,
    /// Its mean per replicate under the headline strategy.
    pub mean: f64,
    /// Its mean per replicate under the baseline.
    pub baseline_mean: f64,
}

/// The headline answer and the numbers it is made of.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Headline {
    /// The sentence.
    pub sentence: String,
    /// The measure it is about.
    pub measure: String,
    /// Whether lower or higher is better for it.
    pub goal: Goal,
    /// The best strategy other than the baseline.
    pub strategy: String,
    /// The baseline.
    pub baseline: String,
    /// Paired difference strategy - baseline, in the measure's own units.
    pub difference: Summary,
    /// Whether the interval excludes zero.
    pub ci_excludes_zero: bool,
    /// Whether the strategy does better than the baseline (in the goal's direction).
    pub improves: bool,
    /// The scale the sentence shows numbers on: 100 for shares (points), else 1.
    pub scale: f64,
    /// The mean cost of each cost measure.
    pub costs: Vec<CostEntry>,
    /// Other strategies (not the baseline) whose paired difference from the headline strategy
    /// on the headline measure has an interval that includes zero, in ranking order: the data
    /// cannot tell them apart from the best.
    pub indistinguishable: Vec<Tie>,
    /// The real time of one step in seconds, when the headline measure counts steps and the
    /// scenario has a `[time]` table: the sentence then words its numbers in time units.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub step_seconds: Option<f64>,
}

/// A strategy the headline strategy cannot be told apart from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Tie {
    /// The strategy.
    pub strategy: String,
    /// Paired difference strategy - headline strategy on the headline measure.
    pub difference: Summary,
}

/// Paired and unpaired differences `x - y` over the replicates where both have a value
/// (`x[r]` and `y[r]` come from replicate `r`).
fn paired_difference(x: &[Option<f64>], y: &[Option<f64>]) -> Difference {
    let (xs, ys): (Vec<f64>, Vec<f64>) = x
        .iter()
        .zip(y)
        .filter_map(|(a, b)| Some(((*a)?, (*b)?)))
        .unzip();
    let mut d = difference(&xs, &ys, LEVEL);
    // Welch's interval uses every value each side has.
    let (xa, ya): (Vec<f64>, Vec<f64>) = (
        x.iter().flatten().copied().collect(),
        y.iter().flatten().copied().collect(),
    );
    d.unpaired = crate::stats::welch(&xa, &ya, LEVEL);
    d
}

/// Everything the compare `stats.json` holds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CompareStats {
    /// [`COMPARE_SCHEMA_VERSION`].
    pub schema_version: u32,
    /// `"compare"`.
    pub kind: &'static str,
    /// Replicates per strategy.
    pub replicates: u64,
    /// Confidence level.
    pub level: f64,
    /// The question (`[compare] question`), empty when none.
    pub question: String,
    /// The baseline strategy.
    pub baseline: String,
    /// The measures compared.
    pub measures: Vec<String>,
    /// The measures that are costs.
    pub costs: Vec<String>,
    /// How the numbers were computed.
    pub notes: Vec<&'static str>,
    /// The headline answer.
    pub headline: Headline,
    /// Strategies from best to worst on the headline measure.
    pub ranking: Vec<RankEntry>,
    /// Per strategy, in declaration order.
    pub strategies: Vec<StrategyStats>,
    /// Per strategy (other than the baseline) and measure.
    pub differences: Vec<DifferenceRow>,
}

const NOTES: [&str; 4] = [
    "common random numbers: replicate r of every strategy uses the same replicate key, hence the \
     same graph, signals, thresholds and draws wherever the strategies do not differ",
    "strategies[].measures: mean over replicates with a Student t interval (n - 1 degrees of \
     freedom)",
    "differences[].paired: mean of (strategy - baseline) over paired replicates with a Student t \
     interval on the differences; differences[].unpaired: Welch's interval for the same \
     difference of means, ignoring the pairing, for reference",
    "shares are fractions of all agents in the files; the headline shows them in percentage \
     points (x 100)",
];

/// The measures compared: those the spec names, or the defaults plus every `extra` measure
/// present, the headline and every cost.
pub fn measures_for(spec: &CompareSpec, runs: &[StrategyRuns]) -> Vec<String> {
    if let Some(m) = &spec.measures {
        let mut m = m.clone();
        for c in &spec.costs {
            if !m.contains(c) {
                m.push(c.clone());
            }
        }
        return m;
    }
    let mut m: Vec<String> = DEFAULT_MEASURES.iter().map(|s| s.to_string()).collect();
    let mut extras: Vec<&String> = runs
        .iter()
        .flat_map(|s| s.results.iter().flat_map(|r| r.extra.keys()))
        .collect();
    extras.sort();
    extras.dedup();
    for e in extras {
        if !m.contains(e) {
            m.push(e.clone());
        }
    }
    // A headline that is neither a default nor a rule's measure (`cascade_size`, say).
    if let Some(h) = &spec.headline
        && !m.contains(h)
    {
        m.push(h.clone());
    }
    for c in &spec.costs {
        if !m.contains(c) {
            m.push(c.clone());
        }
    }
    m
}

/// The headline measure of a comparison, known before it runs: `[compare] headline`, else
/// the first of `measures`, else the first default measure.
pub fn headline_measure(spec: &CompareSpec) -> &str {
    spec.headline
        .as_deref()
        .or_else(|| {
            spec.measures
                .as_ref()
                .and_then(|m| m.first())
                .map(String::as_str)
        })
        .unwrap_or(DEFAULT_MEASURES[0])
}

/// Which direction is better for the headline measure: the scenario's `goal`, else lower for a
/// measure the scenario declares a cost, else the direction declared with the measure
/// ([`super::measures::Better`]). `Err(measure)` when none of them says: a comparison then
/// asks for `goal` rather than guess.
pub fn headline_goal(spec: &CompareSpec) -> Result<Goal, String> {
    let h = headline_measure(spec);
    if let Some(goal) = spec.goal {
        return Ok(goal);
    }
    if spec.costs.iter().any(|c| c == h) {
        return Ok(Goal::Lower);
    }
    super::measures::goal(h).ok_or_else(|| h.to_string())
}

/// The error text for a headline measure without a direction, after the scenario file.
pub fn no_goal_text(measure: &str) -> String {
    format!(
        "compare.goal: the headline measure `{measure}` has no declared direction (whether \
         lower or higher is better for it is not known); add `goal = \"higher\"` or \
         `goal = \"lower\"` to the [compare] table"
    )
}

/// Computes the comparison's statistics. `runs[baseline]` is the baseline; `time` is the
/// scenario's step in real time (`[time]`), used to word a headline measure that counts steps.
/// Every strategy must have the same replicate indices, and every measure a value in every
/// replicate; otherwise the error says which (a measure no rule produced, most likely).
pub fn compare_stats(
    runs: &[StrategyRuns],
    baseline: usize,
    spec: &CompareSpec,
    time: Option<&TimeSpec>,
) -> Result<CompareStats, String> {
    let measures = measures_for(spec, runs);
    let base = runs
        .get(baseline)
        .ok_or_else(|| "no baseline strategy".to_string())?;
    let indices: Vec<u32> = base.results.iter().map(|r| r.replicate).collect();
    for s in runs {
        let mine: Vec<u32> = s.results.iter().map(|r| r.replicate).collect();
        if mine != indices {
            return Err(format!(
                "strategy `{}` has replicates {mine:?}, the baseline {indices:?}: paired \
                 differences need the same replicates",
                s.name
            ));
        }
    }
    // values[s][m][r]: `None` where a replicate has no value (a measure that can be missing,
    // such as `first_response_step` when the brand never answered). Missing is missing: it is
    // left out of means, and a difference uses the replicates where both sides have a value.
    let mut values: Vec<Vec<Vec<Option<f64>>>> = Vec::with_capacity(runs.len());
    for s in runs {
        let per: Vec<Vec<Option<f64>>> = measures
            .iter()
            .map(|m| s.results.iter().map(|r| measure_value(r, m)).collect())
            .collect();
        values.push(per);
    }
    for (j, m) in measures.iter().enumerate() {
        if values.iter().all(|per| per[j].iter().all(Option::is_none)) {
            let s = &runs[baseline];
            let mut have: Vec<String> = super::measures::COMMON
                .iter()
                .map(|m| m.name.to_string())
                .collect();
            if let Some(r) = s.results.first() {
                have.extend(r.extra.keys().cloned());
            }
            return Err(format!(
                "measure `{m}` is produced by no strategy's runs; the measures they have are {}",
                have.join(", ")
            ));
        }
    }
    let present = |v: &[Option<f64>]| -> Vec<f64> { v.iter().flatten().copied().collect() };
    let strategies: Vec<StrategyStats> = runs
        .iter()
        .zip(&values)
        .map(|(s, v)| StrategyStats {
            name: s.name.clone(),
            overrides: s.overrides.clone(),
            measures: measures
                .iter()
                .zip(v)
                .map(|(m, x)| {
                    let v = present(x);
                    let summary = if is_share(m) {
                        crate::stats::share_ci(&v, LEVEL)
                    } else {
                        mean_ci(&v, LEVEL)
                    };
                    (m.clone(), summary)
                })
                .collect(),
        })
        .collect();
    let mut differences = Vec::new();
    for (i, s) in runs.iter().enumerate() {
        if i == baseline {
            continue;
        }
        for (j, m) in measures.iter().enumerate() {
            differences.push(DifferenceRow {
                strategy: s.name.clone(),
                measure: m.clone(),
                difference: paired_difference(&values[i][j], &values[baseline][j]),
            });
        }
    }
    let h = headline_measure(spec).to_string();
    let hj = measures.iter().position(|m| *m == h).ok_or_else(|| {
        format!(
            "the headline measure `{h}` is not among the compared measures ({})",
            measures.join(", ")
        )
    })?;
    let goal = headline_goal(spec).map_err(|m| no_goal_text(&m))?;
    let sign = match goal {
        Goal::Lower => -1.0,
        Goal::Higher => 1.0,
    };
    let diff_of = |i: usize| -> Summary {
        if i == baseline {
            mean_ci(&vec![0.0; indices.len()], LEVEL)
        } else {
            paired_difference(&values[i][hj], &values[baseline][hj]).paired
        }
    };
    let mut order: Vec<usize> = (0..runs.len()).collect();
    order.sort_by(|&a, &b| {
        let (da, db) = (sign * diff_of(a).mean, sign * diff_of(b).mean);
        db.total_cmp(&da).then(a.cmp(&b))
    });
    let ranking: Vec<RankEntry> = order
        .iter()
        .enumerate()
        .map(|(k, &i)| {
            let d = diff_of(i);
            RankEntry {
                rank: k + 1,
                strategy: runs[i].name.clone(),
                mean: strategies[i].measures[&h].mean,
                difference: d.mean,
                ci_low: d.ci_low,
                ci_high: d.ci_high,
            }
        })
        .collect();
    let best = order
        .iter()
        .copied()
        .find(|&i| i != baseline)
        .unwrap_or(baseline);
    let d = diff_of(best);
    // The strategies the best cannot be told apart from: the paired interval of their
    // difference on the headline measure includes zero.
    let indistinguishable: Vec<Tie> = order
        .iter()
        .copied()
        .filter(|&i| i != best && i != baseline)
        .filter_map(|i| {
            let diff = paired_difference(&values[i][hj], &values[best][hj]).paired;
            let tied = !(diff.ci_low > 0.0 || diff.ci_high < 0.0) && diff.n > 0;
            tied.then(|| Tie {
                strategy: runs[i].name.clone(),
                difference: diff,
            })
        })
        .collect();
    let costs = spec
        .costs
        .iter()
        .map(|c| CostEntry {
            measure: c.clone(),
            mean: strategies[best].measures[c].mean,
            baseline_mean: strategies[baseline].measures[c].mean,
        })
        .collect();
    let mut headline = Headline {
        sentence: String::new(),
        measure: h.clone(),
        goal,
        strategy: runs[best].name.clone(),
        baseline: runs[baseline].name.clone(),
        difference: d,
        ci_excludes_zero: d.ci_low > 0.0 || d.ci_high < 0.0,
        improves: sign * d.mean > 0.0,
        scale: if is_share(&h) { 100.0 } else { 1.0 },
        costs,
        indistinguishable,
        step_seconds: time
            .filter(|_| super::measures::counts_steps(&h))
            .map(|t| t.step.seconds()),
    };
    headline.sentence = sentence(&headline, LEVEL);
    Ok(CompareStats {
        schema_version: COMPARE_SCHEMA_VERSION,
        kind: "compare",
        replicates: indices.len() as u64,
        level: LEVEL,
        question: spec.question.clone(),
        baseline: runs[baseline].name.clone(),
        measures,
        costs: spec.costs.clone(),
        notes: NOTES.to_vec(),
        headline,
        ranking,
        strategies,
        differences,
    })
}

/// A number as the headline shows it: 1 decimal, 2 below 1 in size, none from 100 up.
pub fn number(x: f64) -> String {
    let a = x.abs();
    let s = if a >= 100.0 {
        format!("{x:.0}")
    } else if a >= 1.0 || a == 0.0 {
        format!("{x:.1}")
    } else {
        format!("{x:.2}")
    };
    if s.starts_with('-') && s.trim_start_matches(['-', '0', '.']).is_empty() {
        s[1..].to_string()
    } else {
        s
    }
}

/// The headline sentence from its numbers.
pub fn sentence(h: &Headline, level: f64) -> String {
    let d = &h.difference;
    let time = h
        .step_seconds
        .and_then(Duration::from_seconds)
        .and_then(TimeSpec::new);
    let unit = if h.scale == 100.0 { " points" } else { "" };
    let (verb, lo, hi, size) = if d.mean < 0.0 {
        ("lowers", -d.ci_high, -d.ci_low, -d.mean)
    } else if d.mean > 0.0 {
        ("raises", d.ci_low, d.ci_high, d.mean)
    } else {
        ("changes", d.ci_low, d.ci_high, 0.0)
    };
    // A measure that counts steps, worded in time units when a step has a real length.
    let (size_text, lo_text, hi_text, unit) = match &time {
        Some(t) => {
            let (n, u) = durations_text(&[size, lo, hi], t);
            let u = format!(" {}", u.short());
            (n[0].clone(), n[1].clone(), format!("{}{u}", n[2]), u)
        }
        None => (
            number(size * h.scale),
            number(lo * h.scale),
            number(hi * h.scale),
            unit.to_string(),
        ),
    };
    let pct = (level * 100.0).round();
    let mut s = String::new();
    if !h.improves {
        s.push_str(&format!(
            "No strategy does better than {} on the {}. The closest, ",
            strategy_words(&h.baseline),
            label(&h.measure)
        ));
    }
    s.push_str(&format!(
        "{} {verb} the {} by {size_text}{unit} ({pct}% CI {lo_text} to {hi_text}) compared with {}",
        strategy_words(&h.strategy),
        label(&h.measure),
        strategy_words(&h.baseline),
    ));
    if !h.costs.is_empty() {
        let parts: Vec<String> = h
            .costs
            .iter()
            .map(|c| {
                if c.baseline_mean == 0.0 {
                    format!("{} {}", number(c.mean), label(&c.measure))
                } else {
                    format!(
                        "{} {} ({} under {})",
                        number(c.mean),
                        label(&c.measure),
                        number(c.baseline_mean),
                        strategy_words(&h.baseline)
                    )
                }
            })
            .collect();
        s.push_str(&format!(", at a cost of {} per run", parts.join(" and ")));
    }
    s.push('.');
    if !h.indistinguishable.is_empty() {
        let names: Vec<String> = h
            .indistinguishable
            .iter()
            .map(|t| {
                let x = &t.difference;
                let (mean, lo, hi, unit) = match &time {
                    Some(time) => {
                        let (n, u) = durations_text(&[x.mean, x.ci_low, x.ci_high], time);
                        let u = format!(" {}", u.short());
                        (n[0].clone(), n[1].clone(), format!("{}{u}", n[2]), u)
                    }
                    None => (
                        number(x.mean * h.scale),
                        number(x.ci_low * h.scale),
                        number(x.ci_high * h.scale),
                        unit.clone(),
                    ),
                };
                format!(
                    "{} (its difference from {}: {mean}{unit}, {pct}% CI {lo} to {hi})",
                    strategy_words(&t.strategy),
                    strategy_words(&h.strategy),
                )
            })
            .collect();
        s.push_str(&format!(
            " It is statistically indistinguishable from {}: the data cannot rank {}.",
            names.join(" and "),
            if names.len() == 1 { "the two" } else { "these" }
        ));
    }
    if !h.ci_excludes_zero {
        s.push_str(&format!(
            " The {pct}% interval includes zero: this difference is not clear from {} \
             replicates.",
            d.n
        ));
    }
    s
}

/// A CSV writer with the run tables' settings.
fn csv_writer(path: &Path) -> Result<csv::Writer<Vec<u8>>, OutputError> {
    let _ = path;
    Ok(csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new()))
}

fn finish_csv(path: &Path, w: csv::Writer<Vec<u8>>) -> Result<PathBuf, OutputError> {
    let bytes = w.into_inner().map_err(|e| OutputError::Inconsistent {
        path: path.into(),
        message: e.to_string(),
    })?;
    write_atomic(path, &bytes)?;
    Ok(path.to_path_buf())
}

fn csv_err(path: &Path) -> impl Fn(csv::Error) -> OutputError + '_ {
    move |source| OutputError::Csv {
        path: path.into(),
        source,
    }
}

/// Writes `compare.csv`, `strategies.csv`, `differences.csv`, `stats.json`, the plots (when
/// `plots`) and `manifest.json` (with `manifest`'s fields, `"kind": "compare"`, the strategies
/// and the baseline) into `dir`, then `report.html`. Returns the files written and the
/// statistics.
pub fn write_compare(
    dir: &Path,
    runs: &[StrategyRuns],
    baseline: usize,
    spec: &CompareSpec,
    manifest: &Manifest,
    plots: bool,
) -> Result<(Vec<PathBuf>, CompareStats), OutputError> {
    let time = step_time(&manifest.scenario);
    let stats = compare_stats(runs, baseline, spec, time.as_ref()).map_err(|message| {
        OutputError::Inconsistent {
            path: dir.join("stats.json"),
            message,
        }
    })?;
    let mut written = Vec::new();

    let path = dir.join("compare.csv");
    let mut w = csv_writer(&path)?;
    let mut header = vec!["strategy".to_string(), "replicate".to_string()];
    header.extend(stats.measures.iter().cloned());
    w.write_record(&header).map_err(csv_err(&path))?;
    for s in runs {
        for r in &s.results {
            let mut row = vec![s.name.clone(), r.replicate.to_string()];
            for m in &stats.measures {
                row.push(measure_value(r, m).map_or(String::new(), |v| v.to_string()));
            }
            w.write_record(&row).map_err(csv_err(&path))?;
        }
    }
    written.push(finish_csv(&path, w)?);

    let path = dir.join("strategies.csv");
    let mut w = csv_writer(&path)?;
    w.write_record([
        "strategy", "measure", "n", "mean", "sd", "ci_low", "ci_high",
    ])
    .map_err(csv_err(&path))?;
    for s in &stats.strategies {
        for m in &stats.measures {
            let x = &s.measures[m];
            w.write_record([
                s.name.clone(),
                m.clone(),
                x.n.to_string(),
                x.mean.to_string(),
                x.sd.to_string(),
                x.ci_low.to_string(),
                x.ci_high.to_string(),
            ])
            .map_err(csv_err(&path))?;
        }
    }
    written.push(finish_csv(&path, w)?);

    let path = dir.join("differences.csv");
    let mut w = csv_writer(&path)?;
    w.write_record([
        "strategy",
        "baseline",
        "measure",
        "n",
        "mean_difference",
        "ci_low",
        "ci_high",
        "sd_difference",
        "unpaired_ci_low",
        "unpaired_ci_high",
    ])
    .map_err(csv_err(&path))?;
    for d in &stats.differences {
        let (p, u) = (&d.difference.paired, &d.difference.unpaired);
        w.write_record([
            d.strategy.clone(),
            stats.baseline.clone(),
            d.measure.clone(),
            p.n.to_string(),
            p.mean.to_string(),
            p.ci_low.to_string(),
            p.ci_high.to_string(),
            p.sd.to_string(),
            u.ci_low.to_string(),
            u.ci_high.to_string(),
        ])
        .map_err(csv_err(&path))?;
    }
    written.push(finish_csv(&path, w)?);

    let path = dir.join("stats.json");
    let mut bytes = serde_json::to_vec_pretty(&stats).map_err(|source| OutputError::Json {
        path: path.clone(),
        source,
    })?;
    bytes.push(b'\n');
    write_atomic(&path, &bytes)?;
    written.push(path);

    if plots {
        written.extend(write_plots(dir, runs, &stats, time.as_ref())?);
    }
    written.extend(super::seeded::write_seeded(dir, runs)?);

    let path = dir.join("manifest.json");
    let file = CompareManifestFile {
        schema_version: super::json::MANIFEST_SCHEMA_VERSION,
        kind: "compare",
        manifest,
        baseline: &stats.baseline,
        strategies: runs
            .iter()
            .map(|s| StrategyEntry {
                name: &s.name,
                overrides: &s.overrides,
            })
            .collect(),
    };
    let mut bytes = serde_json::to_vec_pretty(&file).map_err(|source| OutputError::Json {
        path: path.clone(),
        source,
    })?;
    bytes.push(b'\n');
    write_atomic(&path, &bytes)?;
    written.push(path);

    written.push(super::report::write_report(dir)?);
    Ok((written, stats))
}

/// `manifest.json` of a comparison.
#[derive(Serialize)]
struct CompareManifestFile<'a> {
    schema_version: u32,
    kind: &'static str,
    #[serde(flatten)]
    manifest: &'a Manifest,
    baseline: &'a str,
    strategies: Vec<StrategyEntry<'a>>,
}

#[derive(Serialize)]
struct StrategyEntry<'a> {
    name: &'a str,
    overrides: &'a [String],
}

/// Colours of the strategies, in order (Okabe-Ito, then greys).
const PALETTE: [RGBColor; 8] = [
    RGBColor(0, 0, 0),
    RGBColor(230, 159, 0),
    RGBColor(86, 180, 233),
    RGBColor(0, 158, 115),
    RGBColor(213, 94, 0),
    RGBColor(0, 114, 178),
    RGBColor(204, 121, 167),
    RGBColor(240, 228, 66),
];

/// The colour of strategy `i`.
fn colour(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}

/// Which share the outcome-over-time plot shows.
fn over_time_share(stats: &CompareStats) -> (&'static str, fn(&StepStats) -> &Summary) {
    let booing = |m: &String| m.contains("booing") || m.contains("complain");
    if !stats.headline.measure.contains("standing") && stats.measures.iter().any(booing) {
        ("booing", |s| &s.booing)
    } else {
        ("standing", |s| &s.standing)
    }
}

/// Draws the three compare plots; `time` puts the over-time axis in real time.
fn write_plots(
    dir: &Path,
    runs: &[StrategyRuns],
    stats: &CompareStats,
    time: Option<&TimeSpec>,
) -> Result<Vec<PathBuf>, OutputError> {
    let mut written = Vec::new();
    let (which, pick) = over_time_share(stats);
    let last = runs
        .iter()
        .filter_map(|s| s.by_step.last().map(|st| st.step))
        .max()
        .unwrap_or(0);
    let axis = TimeAxis::new(time, last);
    let series: Vec<(String, Vec<(f64, Summary)>)> = runs
        .iter()
        .map(|s| {
            (
                s.name.clone(),
                s.by_step
                    .iter()
                    .map(|st| (axis.at(st.step), *pick(st)))
                    .collect(),
            )
        })
        .collect();
    let title = format!(
        "Mean share {which} {} by strategy ({} replicates each, {}% bands)",
        axis.over(),
        stats.replicates,
        (stats.level * 100.0).round()
    );
    written.extend(render(
        dir,
        "outcome_over_time",
        (1000, 620),
        |root| draw_over_time(&root, &title, which, &axis, &series),
        |root| draw_over_time(&root, &title, which, &axis, &series),
    )?);

    let h = &stats.headline;
    let rows: Vec<(String, Summary, Summary)> = stats
        .differences
        .iter()
        .filter(|d| d.measure == h.measure)
        .map(|d| {
            (
                d.strategy.clone(),
                d.difference.paired,
                d.difference.unpaired,
            )
        })
        .collect();
    let unit = if h.scale == 100.0 { " (points)" } else { "" };
    let axis = format!(
        "difference in {} vs {}{unit}",
        label(&h.measure),
        strategy_words(&stats.baseline)
    );
    let title = format!(
        "Paired differences from {} ({}% CI)",
        strategy_words(&stats.baseline),
        (stats.level * 100.0).round()
    );
    let height = 230 + 60 * rows.len().max(1) as u32;
    written.extend(render(
        dir,
        "forest",
        (1000, height),
        |root| draw_forest(&root, &title, &axis, h.scale, &rows),
        |root| draw_forest(&root, &title, &axis, h.scale, &rows),
    )?);

    let panels = cost_panels(&stats.costs);
    if !panels.is_empty() {
        let effect_of = |name: &str| {
            if name == stats.baseline {
                mean_ci(&vec![0.0; stats.replicates as usize], LEVEL)
            } else {
                stats
                    .differences
                    .iter()
                    .find(|d| d.strategy == name && d.measure == h.measure)
                    .map(|d| d.difference.paired)
                    .unwrap_or_else(|| mean_ci(&[], LEVEL))
            }
        };
        let panel_data: Vec<CostPanel> = panels
            .iter()
            .map(|cost| {
                let points = stats
                    .strategies
                    .iter()
                    .map(|s| (s.name.clone(), s.measures[*cost], effect_of(&s.name)))
                    .collect();
                (format!("{} per run", label(cost)), points)
            })
            .collect();
        let title = format!(
            "Cost against effect ({}% CIs)",
            (stats.level * 100.0).round()
        );
        let height = 620 * panel_data.len() as u32;
        written.extend(render(
            dir,
            "cost_effect",
            (1000, height),
            |root| draw_cost_panels(&root, &title, &axis, h.scale, &panel_data),
            |root| draw_cost_panels(&root, &title, &axis, h.scale, &panel_data),
        )?);
    }
    Ok(written)
}

/// Width of the legend column, in pixels.
const LEGEND: u32 = 230;

/// The over-time plot: each strategy's mean share (x on `axis`) with its band.
fn draw_over_time<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    which: &str,
    axis: &TimeAxis,
    series: &[(String, Vec<(f64, Summary)>)],
) -> Drawn {
    root.fill(&WHITE).map_err(msg)?;
    let (width, _) = root.dim_in_pixel();
    let (plot, legend) = root.split_horizontally(width.saturating_sub(LEGEND));
    let top = series
        .iter()
        .flat_map(|(_, s)| s.iter().map(|x| x.1.ci_high))
        .filter(|x| x.is_finite())
        .fold(0.0f64, f64::max);
    let y_max = if top <= 0.0 {
        1.0
    } else {
        (top * 1.1).clamp(0.01, 1.0)
    };
    let mut chart = ChartBuilder::on(&plot)
        .caption(title, (FONT_FAMILY, 20))
        .margin(16)
        .x_label_area_size(50)
        .y_label_area_size(70)
        .build_cartesian_2d(axis.coord(), 0f64..y_max)
        .map_err(msg)?;
    chart
        .configure_mesh()
        .x_desc(axis.title())
        .x_label_formatter(&|x| axis.label(*x))
        .y_desc(format!("share of agents {which}"))
        .axis_desc_style((FONT_FAMILY, 18))
        .label_style((FONT_FAMILY, 15))
        .max_light_lines(1)
        .light_line_style(RGBColor(240, 240, 240))
        .bold_line_style(RGBColor(215, 215, 215))
        .draw()
        .map_err(msg)?;
    for (i, (_, s)) in series.iter().enumerate() {
        let c = colour(i);
        let band: Vec<(f64, f64)> = s
            .iter()
            .map(|(t, x)| (*t, x.ci_high.clamp(0.0, y_max)))
            .chain(
                s.iter()
                    .rev()
                    .map(|(t, x)| (*t, x.ci_low.clamp(0.0, y_max))),
            )
            .collect();
        chart
            .draw_series(std::iter::once(Polygon::new(band, c.mix(0.15).filled())))
            .map_err(msg)?;
        chart
            .draw_series(LineSeries::new(
                s.iter().map(|(t, x)| (*t, x.mean)),
                c.stroke_width(3),
            ))
            .map_err(msg)?;
    }
    let (_, ys) = chart.plotting_area().get_pixel_range();
    let (_, ly) = legend.get_pixel_range();
    let text =
        TextStyle::from((FONT_FAMILY, 16).into_font()).pos(plotters::style::text_anchor::Pos::new(
            plotters::style::text_anchor::HPos::Left,
            plotters::style::text_anchor::VPos::Center,
        ));
    let mut y = ys.start - ly.start + 10;
    for (i, (name, _)) in series.iter().enumerate() {
        let c = colour(i);
        legend
            .draw(&Rectangle::new(
                [(8, y - 9), (38, y + 9)],
                c.mix(0.15).filled(),
            ))
            .map_err(msg)?;
        legend
            .draw(&PathElement::new(vec![(8, y), (38, y)], c.stroke_width(3)))
            .map_err(msg)?;
        legend
            .draw(&Text::new(strategy_words(name), (48, y), text.clone()))
            .map_err(msg)?;
        y += 28;
    }
    root.present().map_err(msg)
}

/// The costs the cost-effect plot shows, one panel each: `cost_total` alone when it is one of
/// the costs (it adds up the others), else every cost. A single cost column would put a
/// broadcast costing 20 at x = 1 "responses sent".
fn cost_panels(costs: &[String]) -> Vec<&String> {
    match costs.iter().find(|c| *c == "cost_total") {
        Some(total) => vec![total],
        None => costs.iter().collect(),
    }
}

/// Lower and upper ends of a set of intervals, padded, always including 0. An empty or flat
/// range (all zero costs) is widened to a readable one instead of a sliver whose ticks all read
/// "0.0".
fn span_of(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (mut lo, mut hi) = (0.0f64, 0.0f64);
    for v in values.filter(|v| v.is_finite()) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    let range = hi - lo;
    let pad = if range > 0.0 { range * 0.08 } else { 1.0 };
    (lo - pad, hi + pad)
}

/// Where to write each point's label (pixel offsets from the point), so that no label
/// overlaps another label or a point, nor runs past `right`, when the space allows: the first
/// of a few candidate places that collides with nothing placed before. `points` are pixel
/// positions with the label's width in pixels.
fn label_offsets(points: &[(i32, i32, i32)], right: i32) -> Vec<(i32, i32)> {
    const H: i32 = 18;
    // Every point's marker (radius 7) is taken before any label is placed.
    let mut placed: Vec<(i32, i32, i32, i32)> = points
        .iter()
        .map(|&(x, y, _)| (x - 9, y - 9, x + 9, y + 9))
        .collect();
    let mut out = Vec::with_capacity(points.len());
    for &(x, y, w) in points {
        let candidates = [
            (10, -22),
            (10, 6),
            (-10 - w, -22),
            (-10 - w, 6),
            (10, -42),
            (10, 26),
            (-10 - w, -42),
            (-10 - w, 26),
        ];
        let free = |&(dx, dy): &(i32, i32)| {
            let (x0, y0) = (x + dx, y + dy);
            x0 + w <= right
                && placed
                    .iter()
                    .all(|&(a, b, c, d)| x0 + w <= a || x0 >= c || y0 + H <= b || y0 >= d)
        };
        let (dx, dy) = candidates
            .iter()
            .copied()
            .find(|c| free(c))
            .or_else(|| {
                candidates
                    .iter()
                    .copied()
                    .find(|&(dx, _)| x + dx + w <= right)
            })
            .unwrap_or(candidates[0]);
        placed.push((x + dx, y + dy, x + dx + w, y + dy + H));
        out.push((dx, dy));
    }
    out
}

fn draw_forest<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    axis: &str,
    scale: f64,
    rows: &[(String, Summary, Summary)],
) -> Drawn {
    root.fill(&WHITE).map_err(msg)?;
    let (lo, hi) = span_of(
        rows.iter()
            .flat_map(|(_, p, u)| [p.ci_low, p.ci_high, u.ci_low, u.ci_high])
            .map(|v| v * scale),
    );
    let n = rows.len().max(1) as f64;
    let names: Vec<String> = rows.iter().map(|r| strategy_words(&r.0)).collect();
    let mut chart = ChartBuilder::on(root)
        .caption(title, (FONT_FAMILY, 20))
        .margin(20)
        .margin_bottom(44)
        .x_label_area_size(55)
        .y_label_area_size(200)
        .build_cartesian_2d(lo..hi, -0.5f64..(n - 0.5))
        .map_err(msg)?;
    chart
        .configure_mesh()
        .x_desc(axis)
        .axis_desc_style((FONT_FAMILY, 17))
        .label_style((FONT_FAMILY, 15))
        .y_labels(rows.len().max(1))
        .max_light_lines(1)
        .y_label_formatter(&|y| {
            let k = y.round();
            if (y - k).abs() < 1e-6 && k >= 0.0 {
                let i = rows.len().saturating_sub(1 + k as usize);
                names.get(i).cloned().unwrap_or_default()
            } else {
                String::new()
            }
        })
        .disable_y_mesh()
        .light_line_style(RGBColor(240, 240, 240))
        .bold_line_style(RGBColor(215, 215, 215))
        .draw()
        .map_err(msg)?;
    chart
        .draw_series(std::iter::once(PathElement::new(
            vec![(0.0, -0.5), (0.0, n - 0.5)],
            BLACK.stroke_width(1),
        )))
        .map_err(msg)?;
    for (k, (_, p, u)) in rows.iter().enumerate() {
        let y = n - 1.0 - k as f64;
        let grey = RGBColor(170, 170, 170);
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(u.ci_low * scale, y - 0.18), (u.ci_high * scale, y - 0.18)],
                grey.stroke_width(2),
            )))
            .map_err(msg)?;
        let c = RGBColor(0, 114, 178);
        chart
            .draw_series([
                PathElement::new(
                    vec![(p.ci_low * scale, y), (p.ci_high * scale, y)],
                    c.stroke_width(4),
                )
                .into_dyn(),
                Circle::new((p.mean * scale, y), 7, c.filled()).into_dyn(),
            ])
            .map_err(msg)?;
    }
    let note = TextStyle::from((FONT_FAMILY, 14).into_font()).color(&RGBColor(90, 90, 90));
    let (w, h) = root.dim_in_pixel();
    root.draw(&Text::new(
        "blue: paired (common random numbers); grey: unpaired Welch interval, for reference",
        (w as i32 / 2 - 290, h as i32 - 22),
        note,
    ))
    .map_err(msg)?;
    root.present().map_err(msg)
}

/// One cost-effect panel: its x axis title and, per strategy, its cost and its effect.
type CostPanel = (String, Vec<(String, Summary, Summary)>);

/// The cost-effect plot: one panel per cost, stacked.
fn draw_cost_panels<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    y_axis: &str,
    scale: f64,
    panels: &[CostPanel],
) -> Drawn {
    root.fill(&WHITE).map_err(msg)?;
    let areas = root.split_evenly((panels.len().max(1), 1));
    for (area, (x_axis, points)) in areas.iter().zip(panels) {
        draw_cost_effect(area, title, x_axis, y_axis, scale, points)?;
    }
    root.present().map_err(msg)
}

/// One cost-effect panel (the caller fills and presents the whole drawing area).
fn draw_cost_effect<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    x_axis: &str,
    y_axis: &str,
    scale: f64,
    points: &[(String, Summary, Summary)],
) -> Result<(), String> {
    let (x_lo, x_hi) = span_of(points.iter().flat_map(|(_, c, _)| [c.ci_low, c.ci_high]));
    let (y_lo, y_hi) = span_of(
        points
            .iter()
            .flat_map(|(_, _, e)| [e.ci_low, e.ci_high])
            .map(|v| v * scale),
    );
    let mut chart = ChartBuilder::on(root)
        .caption(title, (FONT_FAMILY, 20))
        .margin(20)
        .x_label_area_size(55)
        .y_label_area_size(80)
        .build_cartesian_2d(x_lo..x_hi, y_lo..y_hi)
        .map_err(msg)?;
    chart
        .configure_mesh()
        .x_desc(x_axis)
        .y_desc(y_axis)
        .x_label_formatter(&|v| number(*v))
        .y_label_formatter(&|v| number(*v))
        .axis_desc_style((FONT_FAMILY, 16))
        .label_style((FONT_FAMILY, 15))
        .light_line_style(RGBColor(240, 240, 240))
        .bold_line_style(RGBColor(215, 215, 215))
        .draw()
        .map_err(msg)?;
    chart
        .draw_series(std::iter::once(PathElement::new(
            vec![(x_lo, 0.0), (x_hi, 0.0)],
            RGBColor(120, 120, 120).stroke_width(1),
        )))
        .map_err(msg)?;
    let text = TextStyle::from((FONT_FAMILY, 15).into_font());
    let mut at = Vec::with_capacity(points.len());
    for (i, (name, c, e)) in points.iter().enumerate() {
        let col = colour(i);
        let (x, y) = (c.mean, e.mean * scale);
        chart
            .draw_series([
                PathElement::new(vec![(c.ci_low, y), (c.ci_high, y)], col.stroke_width(2))
                    .into_dyn(),
                PathElement::new(
                    vec![(x, e.ci_low * scale), (x, e.ci_high * scale)],
                    col.stroke_width(2),
                )
                .into_dyn(),
                Circle::new((x, y), 7, col.filled()).into_dyn(),
            ])
            .map_err(msg)?;
        let (px, py) = chart.backend_coord(&(x, y));
        // About 8 pixels per character at 15 px.
        at.push((px, py, 8 * strategy_words(name).chars().count() as i32));
    }
    // The root is the drawing area the panel was given, offset from the chart's pixels.
    let (ox, oy) = (
        root.get_pixel_range().0.start,
        root.get_pixel_range().1.start,
    );
    let right = root.get_pixel_range().0.end - 4;
    for ((name, _, _), ((px, py, _), (dx, dy))) in
        points.iter().zip(at.iter().zip(label_offsets(&at, right)))
    {
        root.draw(&Text::new(
            strategy_words(name),
            (px - ox + dx, py - oy + dy),
            text.clone(),
        ))
        .map_err(msg)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::aggregate::run_stats;
    use crate::output::fixtures::replicate;

    fn spec(costs: &[&str]) -> CompareSpec {
        CompareSpec {
            baseline: "a".into(),
            question: String::new(),
            measures: None,
            costs: costs.iter().map(|s| s.to_string()).collect(),
            headline: Some("peak_booing".into()),
            goal: None,
        }
    }

    fn runs(peaks: &[&[f64]]) -> Vec<StrategyRuns> {
        peaks
            .iter()
            .enumerate()
            .map(|(i, p)| StrategyRuns {
                name: ["a", "b", "c"][i].into(),
                overrides: vec![],
                results: p
                    .iter()
                    .enumerate()
                    .map(|(r, &x)| {
                        let mut res = replicate(r as u32);
                        res.peak_booing = x;
                        res.extra.insert("responses_sent".into(), 10.0 * i as f64);
                        res
                    })
                    .collect(),
                by_step: Vec::new(),
            })
            .map(|mut s| {
                let refs: Vec<&ReplicateResult> = s.results.iter().collect();
                s.by_step = run_stats(&refs, LEVEL).by_step;
                s
            })
            .collect()
    }

    #[test]
    fn identical_strategies_differ_by_exactly_zero() {
        let r = runs(&[&[0.1, 0.3, 0.2], &[0.1, 0.3, 0.2]]);
        let s = compare_stats(&r, 0, &spec(&[]), None).expect("stats");
        // responses_sent differs by construction (10 per strategy index); all else is equal.
        for d in s
            .differences
            .iter()
            .filter(|d| d.measure != "responses_sent")
        {
            let p = d.difference.paired;
            assert_eq!(
                (p.mean, p.ci_low, p.ci_high),
                (0.0, 0.0, 0.0),
                "{}",
                d.measure
            );
        }
        assert!(!s.headline.ci_excludes_zero);
        assert!(
            s.headline.sentence.contains("includes zero"),
            "{}",
            s.headline.sentence
        );
    }

    #[test]
    fn headline_names_the_best_and_its_cost() {
        let r = runs(&[&[0.3, 0.5, 0.4], &[0.2, 0.4, 0.31], &[0.31, 0.5, 0.41]]);
        let s = compare_stats(&r, 0, &spec(&["responses_sent"]), None).expect("stats");
        assert_eq!(s.headline.strategy, "b");
        assert_eq!(s.ranking[0].strategy, "b");
        assert_eq!(s.ranking[2].strategy, "c");
        assert!(s.measures.contains(&"responses_sent".to_string()));
        let text = &s.headline.sentence;
        assert!(
            text.starts_with("b lowers the peak booing (complaint) share by 9.7 points (95% CI "),
            "{text}"
        );
        assert!(
            text.contains("at a cost of 10.0 responses sent per run"),
            "{text}"
        );
        // c is clearly worse than b (by 0.10 to 0.11 in every replicate): no tie is claimed.
        assert!(s.headline.indistinguishable.is_empty());
        assert!(!text.contains("indistinguishable"), "{text}");
    }

    #[test]
    fn a_headline_says_when_the_top_strategies_cannot_be_told_apart() {
        // c - b per replicate: 0.01, -0.02, 0.01, -0.02: mean -0.005, sd 0.017, so the paired
        // 95% interval (± 3.18 x 0.017 / 2 = ± 0.028) includes zero; both beat a by ~0.1.
        let r = runs(&[
            &[0.3, 0.5, 0.4, 0.6],
            &[0.2, 0.4, 0.31, 0.5],
            &[0.21, 0.38, 0.32, 0.48],
        ]);
        let s = compare_stats(&r, 0, &spec(&[]), None).expect("stats");
        assert_eq!(s.headline.strategy, "c");
        let ties: Vec<&str> = s
            .headline
            .indistinguishable
            .iter()
            .map(|t| t.strategy.as_str())
            .collect();
        assert_eq!(ties, ["b"]);
        let d = s.headline.indistinguishable[0].difference;
        assert!((d.mean - 0.005).abs() < 1e-12, "{d:?}");
        assert!(d.ci_low < 0.0 && d.ci_high > 0.0, "{d:?}");
        let text = &s.headline.sentence;
        assert!(
            text.contains(" It is statistically indistinguishable from b (its difference from c: 0.50 points, 95% CI "),
            "{text}"
        );
    }

    #[test]
    fn a_missing_value_is_left_out_not_averaged() {
        let mut r = runs(&[&[0.3, 0.5, 0.4], &[0.2, 0.4, 0.3]]);
        // The baseline never answers; b answers in replicates 0 and 2 only.
        for (k, res) in r[1].results.iter_mut().enumerate() {
            if k != 1 {
                res.extra
                    .insert("first_response_step".into(), 2.0 + k as f64);
            }
        }
        let s = compare_stats(&r, 0, &spec(&[]), None).expect("stats");
        let b = &s.strategies[1].measures["first_response_step"];
        assert_eq!((b.n, b.mean), (2, 3.0));
        let a = &s.strategies[0].measures["first_response_step"];
        assert_eq!(a.n, 0);
        assert!(a.mean.is_nan());
        // No replicate has both: the difference is empty, not made up.
        let d = s
            .differences
            .iter()
            .find(|d| d.measure == "first_response_step")
            .expect("row");
        assert_eq!(d.difference.paired.n, 0);
    }

    #[test]
    fn unknown_measure_is_an_error() {
        let r = runs(&[&[0.1], &[0.2]]);
        let mut sp = spec(&[]);
        sp.measures = Some(vec!["influencers_paid".into()]);
        sp.headline = None;
        let e = compare_stats(&r, 0, &sp, None).expect_err("no such measure");
        assert!(e.contains("`influencers_paid`"), "{e}");
    }

    #[test]
    fn cost_effect_uses_the_total_cost_and_labels_do_not_overlap() {
        let costs = |c: &[&str]| c.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let both = costs(&["responses_sent", "cost_total"]);
        assert_eq!(cost_panels(&both), [&"cost_total".to_string()]);
        let two = costs(&["responses_sent", "influencers_paid"]);
        assert_eq!(cost_panels(&two).len(), 2);
        // An all-zero axis gets a readable span, not ±1e-6.
        assert_eq!(span_of([0.0, 0.0].into_iter()), (-1.0, 1.0));
        // Three points at the same place: three labels, pairwise apart, clear of the points.
        let at = [(100, 100, 80), (100, 100, 80), (102, 101, 80)];
        let off = label_offsets(&at, 1000);
        for i in 0..3 {
            let (ax, ay) = (at[i].0 + off[i].0, at[i].1 + off[i].1);
            for p in &at {
                let clear =
                    ax + 80 <= p.0 - 9 || ax >= p.0 + 9 || ay + 18 <= p.1 - 9 || ay >= p.1 + 9;
                assert!(clear, "{off:?}");
            }
            for j in 0..i {
                let (bx, by) = (at[j].0 + off[j].0, at[j].1 + off[j].1);
                let apart = ax + 80 <= bx || bx + 80 <= ax || ay + 18 <= by || by + 18 <= ay;
                assert!(apart, "{off:?}");
            }
        }
        // A point at the right edge gets its label on its left.
        let off = label_offsets(&[(990, 100, 80)], 1000);
        assert!(990 + off[0].0 + 80 <= 1000, "{off:?}");
    }

    /// Runs whose booing peaks at `steps[i][r]` in replicate r of strategy i.
    fn peak_steps(steps: &[&[u32]]) -> Vec<StrategyRuns> {
        let mut r = runs(&[&[0.1, 0.1, 0.1, 0.1], &[0.1, 0.1, 0.1, 0.1]]);
        for (s, st) in r.iter_mut().zip(steps) {
            for (res, &k) in s.results.iter_mut().zip(*st) {
                res.peak_booing_step = k;
            }
        }
        r
    }

    #[test]
    fn a_headline_that_counts_steps_is_worded_in_time_with_a_time_table() {
        let r = peak_steps(&[&[100, 110, 120, 130], &[124, 136, 142, 158]]);
        let mut sp = spec(&[]);
        sp.headline = Some("peak_booing_step".into());
        sp.goal = Some(Goal::Higher);
        let ten_minutes = TimeSpec::new(Duration::parse("10min").expect("10min"));
        let s = compare_stats(&r, 0, &sp, ten_minutes.as_ref()).expect("stats");
        // Differences 24, 26, 22, 28 steps: mean 25 steps = 250 min = 4.2 h.
        let h = &s.headline;
        assert_eq!(h.difference.mean, 25.0);
        assert_eq!(h.step_seconds, Some(600.0));
        assert!(
            h.sentence
                .contains("raises the step of the booing (complaint) peak by 4.2 h (95% CI"),
            "{}",
            h.sentence
        );
        assert!(
            h.sentence.ends_with(" h) compared with a."),
            "{}",
            h.sentence
        );
        // Without [time], steps as before; a measure that does not count steps has no time.
        let s = compare_stats(&r, 0, &sp, None).expect("stats");
        assert!(
            s.headline.sentence.contains("peak by 25.0 (95% CI"),
            "{}",
            s.headline.sentence
        );
        assert_eq!(s.headline.step_seconds, None);
        sp.headline = Some("peak_booing".into());
        sp.goal = Some(Goal::Lower);
        let s = compare_stats(&r, 0, &sp, ten_minutes.as_ref()).expect("stats");
        assert_eq!(s.headline.step_seconds, None);
    }

    #[test]
    fn the_over_time_plot_is_in_hours_with_a_time_table_and_in_steps_without() {
        // 2 days of 10-minute steps: the axis reads hours since the start, ticks every 6 h.
        let mut r = runs(&[&[0.1, 0.2], &[0.3, 0.1]]);
        for s in &mut r {
            let last = s.by_step.last().cloned().expect("a step");
            s.by_step = (0..=288)
                .map(|k| StepStats {
                    step: k,
                    ..last.clone()
                })
                .collect();
        }
        let stats = compare_stats(&r, 0, &spec(&[]), None).expect("stats");
        let dir = tempfile::tempdir().expect("temp dir");
        let ten_minutes = TimeSpec::new(Duration::parse("10min").expect("10min"));
        write_plots(dir.path(), &r, &stats, ten_minutes.as_ref()).expect("plots");
        let svg = std::fs::read_to_string(dir.path().join("outcome_over_time.svg")).expect("svg");
        assert!(svg.contains("hours since the start"), "no time axis title");
        assert!(svg.contains("over time by strategy"), "title");
        assert!(!svg.contains(">\nstep\n<"), "a step axis");
        for tick in ["0", "6", "12", "18", "24", "30", "36", "42", "48"] {
            assert!(
                svg.contains(&format!(">\n{tick}\n</text>")),
                "no tick {tick}"
            );
        }
        write_plots(dir.path(), &r, &stats, None).expect("plots");
        let svg = std::fs::read_to_string(dir.path().join("outcome_over_time.svg")).expect("svg");
        assert!(svg.contains(">\nstep\n</text>") && !svg.contains("since the start"));
        assert!(svg.contains(">\n250\n</text>") && svg.contains("over steps by strategy"));
    }

    #[test]
    fn the_goal_is_declared_never_guessed_from_the_name() {
        let mut sp = spec(&["replies_sent"]);
        let goal = |sp: &CompareSpec, h: &str| {
            let mut sp = sp.clone();
            sp.headline = Some(h.into());
            headline_goal(&sp)
        };
        // Declared with the measure.
        assert_eq!(goal(&sp, "peak_booing"), Ok(Goal::Lower));
        assert_eq!(goal(&sp, "final_standing"), Ok(Goal::Higher));
        assert_eq!(goal(&sp, "first_response_step"), Ok(Goal::Lower));
        assert_eq!(goal(&sp, "complaints_resolved"), Ok(Goal::Higher));
        // A cost of this comparison is lower-is-better.
        assert_eq!(goal(&sp, "replies_sent"), Ok(Goal::Lower));
        // Neither direction declared, or not declared at all (a rule's own measure whose name
        // the old guess read as "higher"): an error naming the measure, not a guess.
        assert_eq!(goal(&sp, "cascade_size"), Err("cascade_size".into()));
        assert_eq!(goal(&sp, "net_sentiment"), Err("net_sentiment".into()));
        assert_eq!(
            goal(&sp, "complaint_exposure"),
            Err("complaint_exposure".into())
        );
        // The scenario's goal wins.
        sp.goal = Some(Goal::Higher);
        assert_eq!(goal(&sp, "peak_booing"), Ok(Goal::Higher));
        assert_eq!(goal(&sp, "net_sentiment"), Ok(Goal::Higher));
        // No headline: the first measure, else the first default.
        sp.goal = None;
        sp.headline = None;
        assert_eq!(headline_measure(&sp), "final_standing");
        sp.measures = Some(vec!["cascade_size".into()]);
        assert_eq!(headline_goal(&sp), Err("cascade_size".into()));
        // compare_stats says which key to add.
        let r = runs(&[&[0.1], &[0.2]]);
        let mut sp = spec(&[]);
        sp.headline = Some("cascade_size".into());
        let e = compare_stats(&r, 0, &sp, None).expect_err("no direction");
        assert!(
            e.contains("`cascade_size`") && e.contains("goal = \"lower\""),
            "{e}"
        );
    }

    #[test]
    fn numbers_read_well() {
        assert_eq!(number(-0.001), "0.00");
        assert_eq!(number(9.71), "9.7");
        assert_eq!(number(0.456), "0.46");
        assert_eq!(number(1234.4), "1234");
    }
}
