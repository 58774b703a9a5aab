//! The one failure and resume policy of every job: run (group, replicate) units in parallel,
//! write each result to its group's folder as soon as it finishes, let a failure stop nothing
//! but itself, stop between units when the observer asks, and report what failed.

use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use rayon::prelude::*;

use super::shard::Assignment;
use super::{JobError, Progress};
use crate::engine::ReplicateResult;
use crate::output::{Missing, RunFolder};

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
    /// Only the units this shard (numbered from 1) runs under this assignment (None: all).
    pub(crate) shard: Option<(&'a Assignment, u32)>,
}

impl Units<'_> {
    /// Runs them (see the type's doc).
    pub(crate) fn run(
        &self,
        label: &(dyn Fn(usize, u32) -> String + Sync),
        run: &(dyn Fn(usize, u32) -> anyhow::Result<ReplicateResult> + Sync),
        tick: &(dyn Fn(usize) + Sync),
    ) -> Result<Vec<(usize, ReplicateResult)>, JobError> {
        let Units {
            units,
            unit,
            folders,
            dir,
            progress,
            shard,
        } = self;
        let (unit, folders, dir, progress, shard) = (*unit, *folders, *dir, *progress, *shard);
        let mine = |g: usize, r: u32| shard.is_none_or(|(a, s)| a.owner(g, r) == s);
        let failures = Mutex::new(Vec::new());
        let skipped = AtomicUsize::new(0);
        let total: usize = match shard {
            None => units.iter().map(|(_, m)| m.len()).sum(),
            Some(_) => units
                .iter()
                .map(|(g, m)| m.iter().filter(|&r| mine(*g, r)).count())
                .sum(),
        };
        let fresh: Vec<(usize, ReplicateResult)> = units
            .par_iter()
            .flat_map(|(g, m)| m.par_iter().map(move |r| (*g, r)))
            .filter(|&(g, r)| mine(g, r))
            .filter_map(|(g, r)| {
                if progress.cancelled() {
                    skipped.fetch_add(1, Ordering::Relaxed);
                    return None;
                }
                let result = run(g, r).and_then(|res| match folders {
                    Some(f) => f[g].write_replicate(&res).map(|()| res).map_err(Into::into),
                    None => Ok(res),
                });
                tick(g);
                match result {
                    Ok(res) => Some((g, res)),
                    Err(e) => {
                        failures
                            .lock()
                            .expect("no thread panics while holding the lock")
                            .push(format!("{}: {e:#}", label(g, r)));
                        None
                    }
                }
            })
            .collect();
        progress.finish();
        let failures = failures.into_inner().expect("lock not poisoned");
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
        let skipped = skipped.into_inner();
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
