//! The single-process engine's run of the same replicate, written as a partitioned run writes
//! it: the reference a partitioned run must equal byte for byte.

use anyhow::Context;

use super::{PartitionedRun, check, sop::sop_run, threshold::cascade_run};
use crate::engine::measures::StepRecord;
use crate::engine::{Observer, RuleSpec};
use crate::model::Action;
use crate::runner;
use crate::scenario::Scenario;

/// Each step's record and tallies, and the last actions.
#[derive(Default)]
struct Steps {
    records: Vec<[u64; 6]>,
    last: Vec<u8>,
}

impl Observer for Steps {
    fn on_step(&mut self, r: &StepRecord) {
        self.records
            .push([u64::from(r.step), 0, 0, 0, r.changes, r.exposures]);
    }

    fn wants_actions(&self) -> bool {
        true
    }

    fn on_actions(&mut self, _step: u32, actions: &[u8]) {
        let row = self.records.last_mut().expect("on_step comes first");
        for &a in actions {
            row[1 + a as usize] += 1;
        }
        self.last.clear();
        self.last.extend_from_slice(actions);
    }
}

/// Runs replicate `replicate` of `scenario` on the single-process engine (through the runner,
/// as `ovation run` does) and returns its files in a partitioned run's form.
pub fn engine_run(scenario: &Scenario, replicate: u32) -> anyhow::Result<PartitionedRun> {
    check(scenario)?;
    let mut obs = Steps::default();
    // As `ovation run`: one graph for all replicates unless `per_replicate`.
    let shared = if runner::graph_per_replicate(scenario) {
        None
    } else {
        Some(runner::load_graph(scenario, None)?)
    };
    let result = runner::run_one_with(scenario, shared.as_ref(), replicate, Some(&mut obs))
        .context("the single-process run")?;
    let stand = Action::Stand as u8;
    Ok(match &scenario.model {
        RuleSpec::Threshold(_) => {
            let active: Vec<u32> = (0..obs.last.len() as u32)
                .filter(|&v| obs.last[v as usize] == stand)
                .collect();
            cascade_run(&obs.records, &active, Vec::new(), Vec::new())
        }
        _ => {
            let acting: Vec<(u32, u8)> = (0..obs.last.len() as u32)
                .filter(|&v| obs.last[v as usize] != Action::Sit as u8)
                .map(|v| (v, obs.last[v as usize]))
                .collect();
            sop_run(
                &obs.records,
                (result.outcome, result.steps, result.cycle_period),
                &acting,
                Vec::new(),
                Vec::new(),
            )
        }
    })
}
