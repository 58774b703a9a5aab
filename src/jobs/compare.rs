//! The `compare` job: every `[strategies.<name>]` of a scenario under common random numbers,
//! written to the comparison folder (see [`crate::output::compare`]).
//!
//! Replicate `r` of every strategy uses the same replicate key, so it sees the same graph,
//! signals and thresholds. The (strategy, replicate) pairs run in parallel; each replicate is
//! written to its strategy's folder as it finishes, so a resumed comparison redoes only the
//! missing ones.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use super::blocks::Blocks;
use super::pool::{self, Units};
use super::shard::{Done, Phase, Shard, ShardOutcome, expected_cost, write_shard_file};
use super::{JobError, JobOptions, check_memory, manifest};
use crate::engine::ReplicateResult;
use crate::graph::FollowerGraph;
use crate::output::compare::{CompareStats, StrategyRuns, write_compare};
use crate::output::steps::OrderedSteps;
use crate::output::{self, FolderMode, RunFolder, StepSource};
use crate::runner;
use crate::scenario::strategies::Comparison;

/// What a finished comparison returns.
#[derive(Debug)]
pub struct CompareOutcome {
    /// Each strategy's runs, in declaration order.
    pub runs: Vec<StrategyRuns>,
    /// What `stats.json` holds: per-strategy summaries, paired differences, the headline.
    pub stats: CompareStats,
    /// The comparison folder.
    pub folder: PathBuf,
}

/// Runs every strategy of `cmp` and writes the comparison folder: each strategy a complete run
/// folder under `strategies/<name>/`, then the comparison's tables, plots and report.
pub fn compare(cmp: &Comparison, options: &JobOptions<'_>) -> Result<CompareOutcome, JobError> {
    compare_in(cmp, options, Phase::Whole)?.job()
}

/// Runs shard `shard` of the comparison `cmp` into the folder `options` name (see
/// [`super::shard`]): its strategies' replicates and `shard.json`, no tables.
pub fn compare_shard(
    cmp: &Comparison,
    shard: Shard,
    options: &JobOptions<'_>,
) -> Result<ShardOutcome, JobError> {
    compare_in(cmp, options, Phase::Shard(shard))?.shard()
}

/// What identifies the comparison `cmp` across shards: its seed and its folder's fingerprint.
pub(crate) fn identity(cmp: &Comparison) -> String {
    format!("seed: {}\n{}", cmp.base.seed, fingerprint(cmp))
}

/// The fingerprint of a comparison folder: every strategy's scenario, graph file and the
/// program build.
fn fingerprint(cmp: &Comparison) -> String {
    let mut fp = String::new();
    for (s, sc) in &cmp.strategies {
        for line in runner::fingerprint(sc).lines() {
            fp.push_str(&format!("strategy {} {line}\n", s.name));
        }
    }
    fp
}

/// Checks, before anything runs, that the comparison knows which direction of its headline
/// measure is better (the scenario's `goal` or the measure's declared direction).
pub fn check_goal(cmp: &Comparison) -> Result<(), JobError> {
    crate::output::compare::headline_goal(&cmp.compare)
        .map(|_| ())
        .map_err(|measure| JobError::NoGoal {
            file: cmp.base.path.clone(),
            measure,
        })
}

/// The comparison, whole, as a shard or as a merge (see [`Phase`]).
pub(crate) fn compare_in(
    cmp: &Comparison,
    options: &JobOptions<'_>,
    phase: Phase<'_>,
) -> Result<Done<CompareOutcome>, JobError> {
    let started = SystemTime::now();
    check_goal(cmp)?;
    check_memory(
        &cmp.strategies.iter().map(|(_, s)| s).collect::<Vec<_>>(),
        options.memory_limit,
    )?;
    let (dir, mode) = options.require_folder("compare")?;
    let resume = options.destination.resume();
    let fp = identity(cmp);
    let top = RunFolder::open_flat(&dir, mode, &phase.fingerprint(&fingerprint(cmp), &fp))?;
    let replicates = cmp.base.replicates;
    let assignment = phase.assignment(
        &cmp.strategies
            .iter()
            .map(|(_, sc)| (expected_cost(sc), replicates))
            .collect::<Vec<_>>(),
    );
    let shard = phase.shard();
    let shard_units = match (shard, &assignment) {
        (Some(sh), Some(a)) => a.units(sh.index),
        _ => 0,
    };
    if let Some(sh) = shard {
        write_shard_file(&dir, "compare", sh, &cmp.base, &fp, shard_units, false)?;
    }
    let mut folders = Vec::new();
    for (s, sc) in &cmp.strategies {
        let sub = dir.join("strategies").join(&s.name);
        let m = if resume && sub.join(output::folder::RUN_FILE).is_file() {
            FolderMode::Resume
        } else {
            FolderMode::Force
        };
        folders.push(RunFolder::open(&sub, m, &runner::fingerprint(sc))?);
    }
    // One graph per distinct graph source; per-replicate graphs are built in run_one, from
    // (seed, replicate), hence the same for every strategy.
    let mut graphs: Vec<Option<FollowerGraph>> = Vec::new();
    let mut graph_of = Vec::new();
    for (i, (_, sc)) in cmp.strategies.iter().enumerate() {
        let same = cmp.strategies[..i]
            .iter()
            .position(|(_, other)| other.graph == sc.graph);
        match same {
            Some(j) => graph_of.push(graph_of[j]),
            None => {
                graph_of.push(graphs.len());
                let needed = (0..cmp.strategies.len())
                    .filter(|&j| cmp.strategies[j].1.graph == sc.graph)
                    .any(|j| phase.has_group(assignment.as_ref(), j));
                graphs.push(if runner::graph_per_replicate(sc) || !needed {
                    None
                } else {
                    let warn = |t: String| options.progress.warn(&t);
                    Some(runner::load_graph_noting(sc, None, &warn).map_err(JobError::Setup)?)
                });
            }
        }
    }
    let graph = |s: usize| graphs[graph_of[s]].as_ref();
    let mut done: Vec<Vec<ReplicateResult>> = Vec::new();
    // Per strategy: its per-step means, accumulated as its replicates finish when it keeps no
    // steps.csv; else (and in shards and their merge) the trajectories stay in the replicate
    // files (see `jobs::run`).
    let mut steps = Vec::new();
    for (g, (f, (s, sc))) in folders.iter().zip(&cmp.strategies).enumerate() {
        if !sc.output.steps_csv && matches!(phase, Phase::Whole) {
            let (d, ordered) = pool::resume_state(f, replicates, resume, true)?;
            done.push(d);
            steps.push(ordered);
            continue;
        }
        let rel = Path::new("strategies").join(&s.name);
        done.push(phase.start(assignment.as_ref(), g, &rel, replicates, f, resume)?);
        steps.push(None);
    }
    let units: Vec<(usize, output::Missing)> = (0..cmp.strategies.len())
        .map(|s| (s, output::missing_replicates(&done[s], replicates)))
        .collect();
    let resumed: u32 = match phase {
        Phase::Merge(_) => 0,
        _ => done.iter().map(|d| d.len() as u32).sum(),
    };
    options.progress.start(
        "runs",
        match shard {
            Some(_) => shard_units,
            None => (cmp.strategies.len() as u64) * u64::from(replicates),
        },
        u64::from(resumed),
    );
    let blocks = Blocks::new(
        cmp.strategies
            .iter()
            .enumerate()
            .map(|(s, (_, sc))| (sc, graph(s))),
    );
    let fresh = Units {
        units,
        unit: "runs",
        folders: Some(&folders),
        dir: Some(&dir),
        progress: options.progress,
        window: pool::window(
            cmp.strategies
                .iter()
                .map(|(_, s)| s.stop.max_steps)
                .max()
                .unwrap_or(0),
            blocks.is_some(),
        ),
        shard: shard.and_then(|s| assignment.as_ref().map(|a| (a, s.index))),
        blocks: blocks.as_ref().map(|b| b as &dyn pool::BlockRun),
    }
    .run(
        &|s, r| format!("strategy {} replicate {r}", cmp.strategies[s].0.name),
        &|s, r| runner::run_one(&cmp.strategies[s].1, graph(s), r),
        &|_| options.progress.advance(),
        &mut steps,
    )?;
    for (s, res) in fresh {
        done[s].push(res);
    }
    if let Some(sh) = shard {
        write_shard_file(&dir, "compare", sh, &cmp.base, &fp, shard_units, true)?;
        return Ok(Done::Shard(ShardOutcome {
            shard: sh,
            kind: "compare",
            units: shard_units,
            resumed: u64::from(resumed),
            folder: dir,
        }));
    }
    let finished = SystemTime::now();
    let mut runs = Vec::new();
    for (i, ((spec, sc), mut results)) in cmp.strategies.iter().zip(done).enumerate() {
        results.sort_by_key(|r| r.replicate);
        let m = manifest::manifest(sc, graph(i), started, finished, 0)?;
        let theater = sc.theater_layout().map(|t| (t.rows, t.seats));
        let source = match &steps[i] {
            Some(o) => StepSource::Accumulated(o.accumulator()),
            None => StepSource::Files,
        };
        let (_, stats) = output::finish_streamed(
            &folders[i],
            &m,
            &results,
            source,
            theater,
            false,
            sc.output.steps_csv,
        )?;
        OrderedSteps::remove(&folders[i])?;
        output::report::write_report(folders[i].path())?;
        runs.push(StrategyRuns {
            name: spec.name.clone(),
            // A replaced table is listed first, as what the strategy does before its own keys.
            overrides: spec
                .replace
                .iter()
                .map(|t| format!("replace [{t}]"))
                .chain(spec.overrides.iter().cloned())
                .collect(),
            results,
            by_step: stats.by_step,
        });
    }
    let mut m = manifest::manifest(
        &cmp.base,
        graph(cmp.baseline_index()),
        started,
        SystemTime::now(),
        resumed,
    )?;
    if let Phase::Merge(src) = phase {
        m.shards = src.entries.clone();
    }
    let (_, stats) = write_compare(
        top.path(),
        &runs,
        cmp.baseline_index(),
        &cmp.compare,
        &m,
        cmp.base.output.plots,
    )?;
    Ok(Done::Job(CompareOutcome {
        runs,
        stats,
        folder: dir,
    }))
}
