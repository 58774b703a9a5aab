//! The one failure and resume policy of every job: run (group, replicate) units in parallel,
//! write each result to its group's folder as soon as it finishes, let a failure stop nothing
//! but itself, stop between units when the observer asks, and report what failed.

use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use rayon::prelude::*;

use super::shard::Assignment;
use super::{JobError, Progress};
use crate::engine::ReplicateResult;
use crate::engine::batch::LANES;
use crate::engine::measures::StepRecord;
use crate::output::steps::OrderedSteps;
use crate::output::{Missing, RunFolder};

/// Bytes of finished trajectories a job may hold at once while it hands them over in replicate
/// order ([`window`]).
const WINDOW_BYTES: u64 = 64 << 20;

/// How often, at most, the per-step checkpoints of runs without `steps.csv` are saved.
const CHECKPOINT_EVERY: Duration = Duration::from_secs(2);

/// How many units run between two hand-overs, for trajectories of at most `max_steps` steps:
/// as many as fit in [`WINDOW_BYTES`], at least four per thread (so the threads stay busy
/// across a window's slowest replicate) and at most 4096; with `blocks` (some groups run 64
/// replicates at a time, [`blocks_fit`]) a multiple of 64, at least two blocks per thread.
pub(crate) fn window(max_steps: u32, blocks: bool) -> usize {
    let fit = (WINDOW_BYTES / trajectory_bytes(max_steps)).min(4096) as usize;
    if blocks {
        return (fit / LANES).max(2 * rayon::current_num_threads()) * LANES;
    }
    fit.max(4 * rayon::current_num_threads())
}

/// The most bytes one trajectory of at most `max_steps` steps holds.
fn trajectory_bytes(max_steps: u32) -> u64 {
    ((u64::from(max_steps) + 1) * std::mem::size_of::<StepRecord>() as u64).max(1)
}

/// Whether replicates that stop by `stop` may run in blocks, two blocks of 64 per thread
/// between hand-overs: when they stop at a fixed point (a cascade's trajectory ends with it,
/// and is as long as its longest chain of activations: a few dozen steps on social graphs, so
/// the held trajectories stay far below [`WINDOW_BYTES`] whatever `steps` allows), or when 64
/// trajectories of `max_steps` steps fit in [`WINDOW_BYTES`] (up to 21,844 steps).
pub(crate) fn blocks_fit(stop: crate::engine::StopRule) -> bool {
    stop.at_fixed_point || LANES as u64 * trajectory_bytes(stop.max_steps) <= WINDOW_BYTES
}

/// Runs some groups' replicates a block at a time ([`crate::runner::BlockPlan`]).
pub(crate) trait BlockRun: Sync {
    /// Whether group `group`'s replicates run in blocks.
    fn batched(&self, group: usize) -> bool;

    /// The results of `replicates` of group `group`, in order; None when the group cannot
    /// run in blocks after all (each replicate then runs alone).
    fn run(&self, group: usize, replicates: &[u32])
    -> Option<Vec<anyhow::Result<ReplicateResult>>>;
}

/// The stretches of `batch` that run as one task: a unit alone, or up to 64 consecutive units
/// of a group that runs in blocks with replicates in one stretch `64 b .. 64 b + 63`.
fn tasks(batch: &[(usize, u32)], blocks: Option<&dyn BlockRun>) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < batch.len() {
        let (g, r) = batch[i];
        let mut j = i + 1;
        if blocks.is_some_and(|b| b.batched(g)) {
            while j < batch.len()
                && j - i < LANES
                && batch[j].0 == g
                && batch[j].1 / LANES as u32 == r / LANES as u32
            {
                j += 1;
            }
        }
        out.push(i..j);
        i = j;
    }
    out
}

/// `(group, replicate)` units to run in parallel with [`Units::run`]: each group's missing
/// replicates, never listed one by one (memory in proportion to the finished replicates, not to
/// the replicate count).
///
/// Each result is written to `folders[group]` (when there are folders; `dir` is the job's
/// folder, named in the errors) before it counts as
/// finished; `tick(group)` is called after each unit, finished or failed, for progress. When
/// some units fail, the others still run and the error names how many failed, of how many
/// (`unit` names them), and the first failure labelled by `label(group, replicate)`. When
/// `progress` reports cancellation, units not yet started are skipped and the job stops with
/// [`JobError::Interrupted`]. The results come back in the order of `units`. With a `shard`,
/// only the units it owns run.
pub(crate) struct Units<'a> {
    /// Each group with the replicates it still needs.
    pub(crate) units: Vec<(usize, Missing)>,
    /// What a unit is called in messages (`replicates`, `runs`).
    pub(crate) unit: &'static str,
    /// Each group's folder (None: results only in memory).
    pub(crate) folders: Option<&'a [RunFolder]>,
    /// The job's folder, named in the errors.
    pub(crate) dir: Option<&'a Path>,
    /// Hears progress and may stop the job.
    pub(crate) progress: &'a dyn Progress,
    /// Units run between two hand-overs ([`window`]): at most this many finished trajectories
    /// are held at once.
    pub(crate) window: usize,
    /// Only the units this shard (numbered from 1) runs under this assignment (None: all).
    pub(crate) shard: Option<(&'a Assignment, u32)>,
    /// The groups that run their replicates 64 at a time (None: every unit alone).
    pub(crate) blocks: Option<&'a dyn BlockRun>,
}

impl Units<'_> {
    /// Runs them (see the type's doc).
    ///
    /// The units run `window` at a time, in order. After each window the finished results are
    /// handed over in unit order: a group with per-step means (`steps[group]` is `Some`: a run
    /// without `steps.csv`) gets each trajectory pushed into them in replicate order, and the
    /// trajectory is dropped from the file and the result; with folders (and no per-step
    /// means) the trajectory stays in the replicate's file and is dropped from the result; with
    /// no folders the results keep it. The per-step means are saved to their folder's
    /// checkpoint every few seconds and when the job stops early, so `--resume` continues
    /// them.
    pub(crate) fn run(
        &self,
        label: &(dyn Fn(usize, u32) -> String + Sync),
        run: &(dyn Fn(usize, u32) -> anyhow::Result<ReplicateResult> + Sync),
        tick: &(dyn Fn(usize) + Sync),
        steps: &mut [Option<OrderedSteps>],
    ) -> Result<Vec<(usize, ReplicateResult)>, JobError> {
        let Units {
            units,
            unit,
            folders,
            dir,
            progress,
            window,
            shard,
            blocks,
        } = self;
        let blocks = *blocks;
        let (unit, folders, dir, progress, shard) = (*unit, *folders, *dir, *progress, *shard);
        let mine = |g: usize, r: u32| shard.is_none_or(|(a, s)| a.owner(g, r) == s);
        let accumulates = |g: usize| steps.get(g).is_some_and(Option::is_some);
        let dropped: Vec<bool> = (0..steps.len()).map(accumulates).collect();
        let failures = Mutex::new(Vec::new());
        let skipped = AtomicUsize::new(0);
        let total: usize = match shard {
            None => units.iter().map(|(_, m)| m.len()).sum(),
            Some(_) => units
                .iter()
                .map(|(g, m)| m.iter().filter(|&r| mine(*g, r)).count())
                .sum(),
        };
        let mut order = units
            .iter()
            .flat_map(|(g, m)| m.iter().map(move |r| (*g, r)))
            .filter(|&(g, r)| mine(g, r));
        let mut fresh: Vec<(usize, ReplicateResult)> = Vec::new();
        let mut saved = Instant::now();
        loop {
            let batch: Vec<(usize, u32)> = order.by_ref().take((*window).max(1)).collect();
            if batch.is_empty() {
                break;
            }
            let finish = |g: usize, r: u32, result: anyhow::Result<ReplicateResult>| {
                let result = result.and_then(|mut res| match folders {
                    Some(f) if dropped.get(g).copied().unwrap_or(false) => {
                        // The file gets no trajectory; the hand-over still needs it.
                        let trajectory = std::mem::take(&mut res.trajectory);
                        let written = f[g].write_replicate(&res);
                        res.trajectory = trajectory;
                        written.map(|()| res).map_err(Into::into)
                    }
                    Some(f) => f[g].write_replicate(&res).map(|()| res).map_err(Into::into),
                    None => Ok(res),
                });
                tick(g);
                match result {
                    Ok(res) => Some(res),
                    Err(e) => {
                        failures
                            .lock()
                            .expect("no thread panics while holding the lock")
                            .push(format!("{}: {e:#}", label(g, r)));
                        None
                    }
                }
            };
            let finished: Vec<Option<ReplicateResult>> = tasks(&batch, blocks)
                .par_iter()
                .map(|range| {
                    let units = &batch[range.clone()];
                    if progress.cancelled() {
                        skipped.fetch_add(units.len(), Ordering::Relaxed);
                        return units.iter().map(|_| None).collect::<Vec<_>>();
                    }
                    let g = units[0].0;
                    let results = match blocks.filter(|b| b.batched(g)) {
                        Some(b) => {
                            let rs: Vec<u32> = units.iter().map(|u| u.1).collect();
                            b.run(g, &rs)
                                .unwrap_or_else(|| rs.iter().map(|&r| run(g, r)).collect())
                        }
                        None => units.iter().map(|&(g, r)| run(g, r)).collect(),
                    };
                    units
                        .iter()
                        .zip(results)
                        .map(|(&(g, r), res)| finish(g, r, res))
                        .collect()
                })
                .collect::<Vec<Vec<_>>>()
                .into_iter()
                .flatten()
                .collect();
            for (&(g, r), res) in batch.iter().zip(finished) {
                let ordered = steps.get_mut(g).and_then(Option::as_mut);
                match res {
                    Some(mut res) => {
                        if let Some(s) = ordered {
                            s.offer(r, &res.trajectory);
                        }
                        if folders.is_some() {
                            res.trajectory = Vec::new();
                        }
                        fresh.push((g, res));
                    }
                    None => {
                        if let Some(s) = ordered {
                            s.skip();
                        }
                    }
                }
            }
            if saved.elapsed() >= CHECKPOINT_EVERY {
                save_checkpoints(folders, steps)?;
                saved = Instant::now();
            }
        }
        progress.finish();
        let failures = failures.into_inner().expect("lock not poisoned");
        let skipped = skipped.into_inner();
        if !failures.is_empty() || skipped > 0 {
            save_checkpoints(folders, steps)?;
        }
        let dir = dir.map(Path::to_path_buf);
        if let Some(first) = failures.first() {
            return Err(JobError::Failed {
                failed: failures.len(),
                total,
                unit,
                dir,
                first: first.clone(),
            });
        }
        if skipped > 0 {
            return Err(JobError::Interrupted {
                finished: total - skipped,
                total,
                unit,
                dir,
            });
        }
        Ok(fresh)
    }
}

/// Saves the per-step means of every group that has them and pushed replicates since its last
/// save to its folder's checkpoint.
fn save_checkpoints(
    folders: Option<&[RunFolder]>,
    steps: &mut [Option<OrderedSteps>],
) -> Result<(), JobError> {
    if let Some(folders) = folders {
        for (f, s) in folders.iter().zip(steps) {
            if let Some(s) = s
                && s.unsaved()
            {
                s.save(f)?;
            }
        }
    }
    Ok(())
}

/// What a group's folder holds to resume from: its finished replicates (without their
/// trajectories) and, for a run that accumulates its per-step means (`accumulate`: no
/// `steps.csv`), those means. Such a run keeps only the replicates its checkpoint holds (the
/// others' files have no trajectory to push, so they run again); without a usable checkpoint
/// it starts afresh. A new folder (`resume = false`) starts with nothing.
pub(crate) fn resume_state(
    folder: &RunFolder,
    replicates: u32,
    resume: bool,
    accumulate: bool,
) -> Result<(Vec<ReplicateResult>, Option<OrderedSteps>), JobError> {
    let done = if resume {
        folder.done_summaries(replicates)?
    } else {
        Vec::new()
    };
    if !accumulate {
        return Ok((done, None));
    }
    let saved = if resume {
        OrderedSteps::load(folder)?
    } else {
        None
    };
    match saved {
        Some(steps) if steps.next() <= replicates => {
            let kept: Vec<ReplicateResult> = done
                .into_iter()
                .filter(|r| r.replicate < steps.next())
                .collect();
            if kept.len() == steps.next() as usize {
                Ok((kept, Some(steps)))
            } else {
                Ok((Vec::new(), Some(OrderedSteps::new())))
            }
        }
        _ => Ok((Vec::new(), Some(OrderedSteps::new()))),
    }
}
