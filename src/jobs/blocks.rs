//! Which of a job's groups (a run, a comparison's strategies, a sweep's cells) run their
//! replicates 64 at a time through [`runner::BlockPlan`], each group's plan prepared when its
//! first block starts and kept while the job works on it (the few most recent groups only, so a
//! sweep of many cells never holds every cell's population at once).

use std::sync::{Arc, Mutex, OnceLock};

use super::pool::{BlockRun, blocks_fit};
use crate::engine::ReplicateResult;
use crate::graph::FollowerGraph;
use crate::runner::{self, BlockPlan};
use crate::scenario::Scenario;

/// A group's plan, prepared once by whichever thread needs it first (None: it cannot run in
/// blocks after all).
type Slot<'s> = Arc<OnceLock<Option<BlockPlan<'s>>>>;

/// The groups of a job that run in blocks, with their plans.
pub(crate) struct Blocks<'s> {
    /// Per group: its scenario and shared graph when it runs in blocks.
    groups: Vec<Option<(&'s Scenario, &'s FollowerGraph)>>,
    /// The most recent groups' plans, oldest first.
    plans: Mutex<Vec<(usize, Slot<'s>)>>,
}

impl<'s> Blocks<'s> {
    /// The groups (scenario and shared graph, None for per-replicate graphs) in group order;
    /// None when none of them runs in blocks ([`runner::batchable`] and
    /// [`blocks_fit`]).
    pub(crate) fn new(
        groups: impl IntoIterator<Item = (&'s Scenario, Option<&'s FollowerGraph>)>,
    ) -> Option<Blocks<'s>> {
        let groups: Vec<_> = groups
            .into_iter()
            .map(|(s, g)| {
                g.filter(|_| runner::batchable(s) && blocks_fit(s.stop))
                    .map(|g| (s, g))
            })
            .collect();
        groups.iter().any(Option::is_some).then(|| Blocks {
            groups,
            plans: Mutex::new(Vec::new()),
        })
    }

    /// Group `group`'s plan slot, made when missing; the oldest slots beyond two per thread
    /// are dropped (a thread still running one keeps its own handle).
    fn slot(&self, group: usize) -> Slot<'s> {
        let mut plans = self.plans.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((_, s)) = plans.iter().find(|(g, _)| *g == group) {
            return Arc::clone(s);
        }
        let keep = 2 * rayon::current_num_threads() + 2;
        if plans.len() >= keep {
            let extra = plans.len() + 1 - keep;
            plans.drain(..extra);
        }
        let s: Slot<'s> = Arc::new(OnceLock::new());
        plans.push((group, Arc::clone(&s)));
        s
    }
}

impl BlockRun for Blocks<'_> {
    fn batched(&self, group: usize) -> bool {
        self.groups.get(group).is_some_and(Option::is_some)
    }

    fn run(
        &self,
        group: usize,
        replicates: &[u32],
    ) -> Option<Vec<anyhow::Result<ReplicateResult>>> {
        let (scenario, graph) = (*self.groups.get(group)?)?;
        let slot = self.slot(group);
        let plan = slot.get_or_init(|| BlockPlan::new(scenario, graph));
        plan.as_ref().map(|p| p.run(replicates))
    }
}
