//! The threshold cascade (Granovetter, Watts), partitioned: each worker counts down its own
//! agents' needs as the adopters of the previous step reach it.
//!
//! A step: every worker sends each agent that adopted in the previous step, once, to each
//! worker owning at least one of its followers; the receiver counts it down at its own
//! followers of it, and those whose need reaches 0 adopt. With the adopters, every worker
//! sends every worker how many of its agents adopted: the cascade has reached its fixed point
//! when the step's total is 0.

use std::collections::BTreeMap;
use std::time::Instant;

use anyhow::bail;
use timely::worker::Worker;

use super::part::{Incoming, Part};
use super::{Finished, Measures, Net, PartitionedRun, Place, agents, gather, replicate_result};
use crate::engine::measures::Outcome;
use crate::engine::rules::threshold::{NEVER, need_of};
use crate::model::population::NOT_FIXED;
use crate::model::threshold::ThresholdParams;
use crate::model::{Action, Agents};
use crate::rng::replicate_key;
use crate::scenario::Scenario;

/// An agent (value) that adopted, for the destination's followers of it.
const ACTIVATED: u8 = 0;
/// The sending worker's counts of the step (kind `COUNTS + k`, value the count): adopters,
/// their follower edges, and agents sitting, standing and booing after the step.
const COUNTS: u8 = 1;

/// The rule as every replicate runs it.
pub struct Rule {
    scenario: Scenario,
    params: ThresholdParams,
}

/// A worker's agents in one replicate (entry `k` is agent `lo + k`).
pub struct Local {
    agents: Agents,
    need: Vec<i32>,
    replicate: u32,
}

impl Rule {
    /// Checks what the partitioned rule supports, naming what it does not.
    pub fn new(scenario: &Scenario, params: &ThresholdParams, part: &Part) -> anyhow::Result<Rule> {
        if params.weighted || part.weighted {
            bail!(
                "{}: partitioned runs do not support weighted thresholds or weighted graphs \
                 yet; run it with `ovation run`",
                scenario.path.display()
            );
        }
        Ok(Rule {
            scenario: scenario.clone(),
            params: params.clone(),
        })
    }

    /// Samples agents `lo..hi` of replicate `replicate` and computes their needs.
    pub fn prepare(&self, part: &Part, lo: u32, hi: u32, replicate: u32) -> anyhow::Result<Local> {
        let scenario = &self.scenario;
        let n = part.node_count;
        let seeds = agents::seeds(scenario, n, replicate)?;
        let agents = agents::owned(scenario, n, lo, hi, replicate, &seeds)?;
        let key = replicate_key(scenario.seed, u64::from(replicate));
        let thresholds = self
            .params
            .thresholds_range(n, key, lo, hi)
            .map_err(|e| anyhow::anyhow!("{}: {e}", scenario.path.display()))?;
        let (kind, _) = self.params.kind();
        let need = (lo..hi)
            .map(|v| {
                let k = (v - lo) as usize;
                if agents.fixed[k] != NOT_FIXED {
                    NEVER
                } else {
                    let d = part.sources(v).len() as u64;
                    need_of(&self.params, kind, d, thresholds[k], 1.0)
                }
            })
            .collect();
        Ok(Local {
            agents,
            need,
            replicate,
        })
    }

    /// Runs one replicate on this worker; worker 0 returns it.
    pub fn run(
        &self,
        local: Local,
        part: &Part,
        worker: &mut Worker,
        net: &mut Net,
        place: Place,
    ) -> Option<Finished> {
        work(&self.scenario, &local, part, worker, net, place)
    }
}

/// Sums every worker's counts of a step: adopters, exposures, sitting, standing, booing.
fn totals(msgs: &[(u32, u8, u64)]) -> [u64; 5] {
    let mut t = [0u64; 5];
    for &(_, kind, value) in msgs {
        if (COUNTS..COUNTS + 5).contains(&kind) {
            t[(kind - COUNTS) as usize] += value;
        }
    }
    t
}

/// One worker's cascade; worker 0 returns the gathered result.
fn work(
    scenario: &Scenario,
    local: &Local,
    part: &Part,
    worker: &mut Worker,
    net: &mut Net,
    place: Place,
) -> Option<Finished> {
    let (lo, hi) = (place.lo, place.hi);
    let need = &local.need;
    let incoming = Incoming::new(part, lo, hi);
    let stand = Action::Stand as u8;
    let mut action: Vec<u8> = local.agents.initial.clone();
    let mut rem: Vec<i64> = need.iter().map(|&x| i64::from(x)).collect();
    let mut frontier: Vec<u32> = (lo..hi)
        .filter(|&v| action[(v - lo) as usize] == stand)
        .collect();
    let mut tally = [0u64; 3];
    for &a in &action {
        tally[a as usize] += 1;
    }
    let mut records: Vec<[u64; 6]> = Vec::new();
    let mut remote_bytes = Vec::new();
    let mut seconds = Vec::new();
    let max_steps = scenario.stop.max_steps;

    // Step 0: the initial actions, counted everywhere.
    let counts = |net: &mut Net, adopted: u64, exposures: u64, tally: &[u64; 3]| {
        for (k, x) in [adopted, exposures, tally[0], tally[1], tally[2]]
            .into_iter()
            .enumerate()
        {
            net.broadcast(&place, COUNTS + k as u8, x);
        }
    };
    counts(net, 0, 0, &tally);
    let t = totals(&net.finish(worker));
    records.push([0, t[2], t[3], t[4], 0, 0]);

    let mut step = 0u32;
    while step < max_steps {
        let clock = Instant::now();
        step += 1;
        // 1. Each adopter of the last step, once to each worker owning a follower of it.
        for &u in &frontier {
            let mut last = u32::MAX;
            for &v in part.followers(u) {
                let k = place.owner(v);
                if k != last {
                    net.send(&place, k, ACTIVATED, u64::from(u));
                    last = k;
                }
            }
        }
        let mut adopted: Vec<u32> = Vec::new();
        if step == 1 {
            // Agents that need no active source adopt in the first step.
            for v in lo..hi {
                let i = (v - lo) as usize;
                if need[i] == 0 && action[i] != stand {
                    tally[action[i] as usize] -= 1;
                    tally[stand as usize] += 1;
                    action[i] = stand;
                    adopted.push(v);
                }
            }
        }
        let sent = net.remote_bytes;
        for (_, _, u) in net.finish(worker) {
            for &v in incoming.followers_of(u as u32) {
                let i = (v - lo) as usize;
                rem[i] -= 1;
                if rem[i] == 0 && action[i] != stand {
                    tally[action[i] as usize] -= 1;
                    tally[stand as usize] += 1;
                    action[i] = stand;
                    adopted.push(v);
                }
            }
        }
        adopted.sort_unstable();
        let exposures: u64 = adopted
            .iter()
            .map(|&v| part.followers(v).len() as u64)
            .sum();
        // 2. The step's counts, summed everywhere.
        counts(net, adopted.len() as u64, exposures, &tally);
        let t = totals(&net.finish(worker));
        remote_bytes.push(sent);
        seconds.push(clock.elapsed().as_secs_f64());
        if t[0] == 0 {
            step -= 1;
            break;
        }
        records.push([u64::from(step), t[2], t[3], t[4], t[0], t[1]]);
        frontier = adopted;
    }
    // As the engine: without `at_fixed_point` the steps after the fixed point are recorded.
    let ending = if step >= max_steps {
        (Outcome::StepLimit, step, 0)
    } else if !scenario.stop.at_fixed_point {
        let last = *records.last().expect("step 0");
        for s in step + 1..=max_steps {
            records.push([u64::from(s), last[1], last[2], last[3], 0, 0]);
        }
        (Outcome::StepLimit, max_steps, 0)
    } else {
        (Outcome::FixedPoint, step, 0)
    };
    let measures = Measures::of(&local.agents.initial, &local.agents.own, &action);
    let (measures, acting) = gather(net, worker, &place, measures, &action)?;
    let active: Vec<u32> = acting
        .iter()
        .filter(|&&(_, a)| a == stand)
        .map(|&(v, _)| v)
        .collect();
    let mut extra = BTreeMap::new();
    extra.insert("active".to_string(), active.len() as f64);
    let result = replicate_result(
        local.replicate,
        part.node_count,
        part.edge_count,
        &records,
        ending,
        measures,
        &acting,
        scenario.theater_layout(),
        extra,
    );
    Some((
        cascade_run(&records, &active, remote_bytes, seconds),
        result,
    ))
}

/// The files of a cascade: `cascade.csv` (`step,active`: agents standing after step 0, then
/// after each step in which some adopted) and `active.txt` (the agents standing at the end, one
/// id a line). `records` are the steps (step, sitting, standing, booing, changes, exposures).
pub fn cascade_run(
    records: &[[u64; 6]],
    active: &[u32],
    remote_bytes: Vec<u64>,
    seconds: Vec<f64>,
) -> PartitionedRun {
    let mut after: Vec<u64> = Vec::new();
    for r in records {
        if after.last() != Some(&r[2]) || after.is_empty() {
            after.push(r[2]);
        }
    }
    let mut cascade = String::from("step,active\n");
    for (t, a) in after.iter().enumerate() {
        cascade.push_str(&format!("{t},{a}\n"));
    }
    let listed: String = active.iter().map(|v| format!("{v}\n")).collect();
    PartitionedRun {
        files: vec![
            ("cascade.csv".to_string(), cascade),
            ("active.txt".to_string(), listed),
        ],
        remote_bytes,
        seconds,
        summary: format!(
            "{} steps, {} active at the end",
            after.len().saturating_sub(1),
            active.len()
        ),
    }
}
