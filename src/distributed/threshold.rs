//! The threshold cascade (Granovetter, Watts), partitioned: each worker counts down its own
//! agents' needs as the adopters of the previous step reach it.
//!
//! A step: every worker sends each agent that adopted in the previous step, once, to each
//! worker owning at least one of its followers; the receiver counts it down at its own
//! followers of it, and those whose need reaches 0 adopt. With the adopters, every worker
//! sends every worker how many of its agents adopted: the cascade has reached its fixed point
//! when the step's total is 0.

use std::sync::Arc;
use std::time::Instant;

use anyhow::bail;
use timely::worker::Worker;

use super::part::{Incoming, Part};
use super::{Net, PartitionedRun, Place};
use crate::engine::rules::threshold::{NEVER, need_of};
use crate::model::population::NOT_FIXED;
use crate::model::threshold::ThresholdParams;
use crate::model::{Action, Agents};
use crate::rng::replicate_key;
use crate::scenario::Scenario;

/// An agent (value) that adopted, for the destination's followers of it.
const ACTIVATED: u8 = 0;
/// How many agents (value) adopted in the step at the sending worker.
const COUNT: u8 = 1;
/// An agent (value) active at the end, for worker 0.
const FINAL: u8 = 2;

/// What a process's workers share: its part of the graph, its agents' needs and initial
/// actives (indexed from the process's first agent).
struct Shared {
    part: Part,
    need: Vec<i32>,
    initial: Vec<bool>,
    max_steps: u32,
}

/// Checks the rule's parameters and computes the process's agents' needs; returns the worker
/// body.
pub fn prepare(
    scenario: &Scenario,
    params: &ThresholdParams,
    part: Part,
    agents: Agents,
    replicate: u32,
) -> anyhow::Result<impl Fn(&mut Worker, Place) -> Option<PartitionedRun> + Send + Sync + 'static> {
    let file = scenario.path.display();
    if params.weighted || part.weighted {
        bail!(
            "{file}: partitioned runs do not support weighted thresholds or weighted graphs \
             yet; run it with `ovation run`"
        );
    }
    let key = replicate_key(scenario.seed, u64::from(replicate));
    let (lo, hi) = (part.first, part.first + part.len());
    let thresholds = params
        .thresholds_range(part.node_count, key, lo, hi)
        .map_err(|e| anyhow::anyhow!("{file}: {e}"))?;
    let (kind, _) = params.kind();
    let need: Vec<i32> = (lo..hi)
        .map(|v| {
            let k = (v - lo) as usize;
            if agents.fixed[k] != NOT_FIXED {
                NEVER
            } else {
                let d = part.sources(v).len() as u64;
                need_of(params, kind, d, thresholds[k], 1.0)
            }
        })
        .collect();
    let initial = agents
        .initial
        .iter()
        .map(|&a| a == Action::Stand as u8)
        .collect();
    let shared = Arc::new(Shared {
        part,
        need,
        initial,
        max_steps: scenario.stop.max_steps,
    });
    Ok(move |worker: &mut Worker, place: Place| work(&shared, worker, place))
}

/// One worker's cascade; worker 0 returns the gathered result.
fn work(shared: &Shared, worker: &mut Worker, place: Place) -> Option<PartitionedRun> {
    let part = &shared.part;
    let (lo, hi) = (place.lo, place.hi);
    let base = part.first;
    let at = |v: u32| (v - base) as usize;
    let incoming = Incoming::new(part, lo, hi);
    let mut net = Net::new(worker);
    let mut active: Vec<bool> = (lo..hi).map(|v| shared.initial[at(v)]).collect();
    let mut rem: Vec<i64> = (lo..hi).map(|v| i64::from(shared.need[at(v)])).collect();
    let mut frontier: Vec<u32> = (lo..hi).filter(|&v| shared.initial[at(v)]).collect();
    let mut active_after = Vec::new();
    let mut remote_bytes = Vec::new();
    let mut seconds = Vec::new();

    // Step 0: the initial actives, counted everywhere.
    net.broadcast(&place, COUNT, frontier.len() as u64);
    let total: u64 = net.finish(worker).iter().map(|m| m.2).sum();
    active_after.push(total);

    let mut step = 0u32;
    while step < shared.max_steps {
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
                if shared.need[at(v)] == 0 && !active[i] {
                    active[i] = true;
                    adopted.push(v);
                }
            }
        }
        let sent = net.remote_bytes;
        for (_, _, u) in net.finish(worker) {
            for &v in incoming.followers_of(u as u32) {
                let i = (v - lo) as usize;
                rem[i] -= 1;
                if rem[i] == 0 && !active[i] {
                    active[i] = true;
                    adopted.push(v);
                }
            }
        }
        adopted.sort_unstable();
        // 2. The step's adopters, counted everywhere.
        net.broadcast(&place, COUNT, adopted.len() as u64);
        let total: u64 = net.finish(worker).iter().map(|m| m.2).sum();
        remote_bytes.push(sent);
        seconds.push(clock.elapsed().as_secs_f64());
        if total == 0 {
            break;
        }
        let before = *active_after.last().unwrap_or(&0);
        active_after.push(before + total);
        frontier = adopted;
    }
    // Gather the final actives at worker 0.
    for v in lo..hi {
        if active[(v - lo) as usize] {
            net.send(&place, 0, FINAL, u64::from(v));
        }
    }
    let finals = net.finish(worker);
    if place.me != 0 {
        return None;
    }
    let mut all: Vec<u32> = finals.iter().map(|m| m.2 as u32).collect();
    all.sort_unstable();
    Some(cascade_run(&active_after, &all, remote_bytes, seconds))
}

/// The files of a cascade: `cascade.csv` (`step,active`: active agents after step 0, then
/// after each step with adoptions) and `active.txt` (the active agents at the end, one id a
/// line).
pub fn cascade_run(
    active_after: &[u64],
    active: &[u32],
    remote_bytes: Vec<u64>,
    seconds: Vec<f64>,
) -> PartitionedRun {
    let mut cascade = String::from("step,active\n");
    for (t, a) in active_after.iter().enumerate() {
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
            active_after.len().saturating_sub(1),
            active.len()
        ),
    }
}
