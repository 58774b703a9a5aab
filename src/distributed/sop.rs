//! The Standing Ovation rule (Miller and Page), synchronous timing, partitioned: each worker
//! revises its own agents from their counts of standing and booing sources, with the engine's
//! kernel ([`Kernel::revise_agent`]: ties and action noise drawn from streams keyed by the
//! global agent id and the step), and sends each change to the workers owning followers of
//! the agent, which update their counts of it.
//!
//! A step is one epoch, as the engine's synchronous step: the candidates (every revisable
//! agent in step 1 and under action noise; afterwards those whose counts changed or whose tie
//! is open) revise from the previous step's counts; all changes are applied, then sent. With
//! them every worker sends every worker its counts (changes, open ties, exposures, tallies, its
//! part of the state hash), so all decide alike: a fixed point when nothing changed and no tie
//! is open (without noise), a cycle when a deterministic state repeats, else the step limit.

use std::collections::BTreeMap;
use std::time::Instant;

use anyhow::bail;
use timely::worker::Worker;

use super::part::{Incoming, Part};
use super::{Finished, Measures, Net, PartitionedRun, Place, agents, gather, replicate_result};
use crate::engine::config::TimingSpec;
use crate::engine::measures::Outcome;
use crate::engine::rules::sop::Kernel;
use crate::engine::state::{Seen, agent_hash};
use crate::model::population::NOT_FIXED;
use crate::model::{Action, Agents, SopParams};
use crate::rng::replicate_key;
use crate::scenario::Scenario;

/// A change of an agent: value = agent | old action << 32 | new action << 40.
const CHANGE: u8 = 0;
/// The sending worker's counts of the step, one message each (value the count).
const STATS: [u8; 7] = [1, 2, 3, 4, 5, 6, 7];

/// Positions in a step's counts.
const CHANGES: usize = 0;
const TIES: usize = 1;
const EXPOSURES: usize = 2;
const SIT: usize = 3;
const STAND: usize = 4;
const BOO: usize = 5;
const HASH: usize = 6;

/// The rule as every replicate runs it.
pub struct Rule {
    scenario: Scenario,
    params: SopParams,
}

/// A worker's agents in one replicate (entry `k` is agent `lo + k`).
pub struct Local {
    agents: Agents,
    kernel: Kernel,
    replicate: u32,
}

impl Rule {
    /// Checks what the partitioned rule supports, naming what it does not.
    pub fn new(scenario: &Scenario, params: &SopParams, part: &Part) -> anyhow::Result<Rule> {
        check(scenario)?;
        let file = scenario.path.display();
        if part.weighted {
            bail!(
                "{file}: partitioned runs of `sop` do not support weighted graphs (weighted \
                 counts need the largest weighted in-degree of the whole graph); run it with \
                 `ovation run`"
            );
        }
        Ok(Rule {
            scenario: scenario.clone(),
            params: params.clone(),
        })
    }

    /// Samples agents `lo..hi` of replicate `replicate`.
    pub fn prepare(&self, part: &Part, lo: u32, hi: u32, replicate: u32) -> anyhow::Result<Local> {
        let n = part.node_count;
        let seeds = agents::seeds(&self.scenario, n, replicate)?;
        let agents = agents::owned(&self.scenario, n, lo, hi, replicate, &seeds)?;
        let key = replicate_key(self.scenario.seed, u64::from(replicate));
        Ok(Local {
            agents,
            kernel: Kernel::new(&self.params, key),
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

/// Checks the scenario against what the partitioned rule supports (all but the graph's
/// weights), naming what it does not: synchronous timing, visibility 1.
pub fn check(scenario: &Scenario) -> anyhow::Result<()> {
    let file = scenario.path.display();
    if scenario.timing != TimingSpec::Synchronous {
        bail!(
            "{file}: partitioned runs of `sop` support synchronous timing only (this \
                 scenario's timing is `{}`: its agents see changes within a step or after \
                 per-edge delays); run it with `ovation run`",
            scenario.timing.name()
        );
    }
    if let Some(c) = scenario
        .population
        .iter()
        .find(|c| !(c.visibility.is_constant() && c.visibility.support().0 == 1.0))
        .or_else(|| {
            scenario
                .population
                .iter()
                .find(|c| c.authenticity.is_some_and(|a| a != 1.0))
        })
    {
        bail!(
            "{file}: partitioned runs of `sop` do not support visibility weights (class \
                 `{}` has a visibility or authenticity other than 1); run it with `ovation run`",
            c.name
        );
    }
    Ok(())
}

/// Sends each change to the workers owning followers of the agent; returns the exposures
/// (follower edges of the changed agents).
fn send_changes(
    net: &mut Net,
    place: &Place,
    part: &Part,
    changed: &[(u32, Action, Action)],
) -> u64 {
    let mut exposures = 0u64;
    for &(u, old, new) in changed {
        let followers = part.followers(u);
        exposures += followers.len() as u64;
        let value = u64::from(u) | (old as u64) << 32 | (new as u64) << 40;
        let mut last = u32::MAX;
        for &v in followers {
            let k = place.owner(v);
            if k != last {
                net.send(place, k, CHANGE, value);
                last = k;
            }
        }
    }
    exposures
}

/// One worker's run; worker 0 returns the gathered result.
fn work(
    scenario: &Scenario,
    local: &Local,
    part: &Part,
    worker: &mut Worker,
    net: &mut Net,
    place: Place,
) -> Option<Finished> {
    let agents = &local.agents;
    let (lo, hi) = (place.lo, place.hi);
    let len = (hi - lo) as usize;
    let at = |v: u32| (v - lo) as usize;
    let incoming = Incoming::new(part, lo, hi);
    let kernel = &local.kernel;
    let noise = kernel.has_noise();
    let stop = scenario.stop;

    let mut action: Vec<u8> = (lo..hi).map(|v| agents.initial[at(v)]).collect();
    let mut seen_stand = vec![0u32; len];
    let mut seen_boo = vec![0u32; len];
    let seen_total: Vec<u32> = (lo..hi).map(|v| part.sources(v).len() as u32).collect();
    let mut counts = [0u64; 7];
    for (k, &a) in action.iter().enumerate() {
        counts[SIT + a as usize] += 1;
        counts[HASH] ^= agent_hash(lo + k as u32, a);
    }
    let revisable: Vec<u32> = (lo..hi)
        .filter(|&v| agents.fixed[at(v)] == NOT_FIXED)
        .collect();

    // Applies received changes to the counts; returns the local agents they touched.
    let apply = |msgs: &[(u32, u8, u64)], stand: &mut [u32], boo: &mut [u32]| -> Vec<u32> {
        let mut touched = Vec::new();
        for &(_, kind, value) in msgs {
            if kind != CHANGE {
                continue;
            }
            let u = value as u32;
            let old = ((value >> 32) & 0xff) as u8;
            let new = ((value >> 40) & 0xff) as u8;
            for &v in incoming.followers_of(u) {
                let i = (v - lo) as usize;
                match Action::from_u8(old) {
                    Action::Stand => stand[i] -= 1,
                    Action::Boo => boo[i] -= 1,
                    Action::Sit => {}
                }
                match Action::from_u8(new) {
                    Action::Stand => stand[i] += 1,
                    Action::Boo => boo[i] += 1,
                    Action::Sit => {}
                }
                touched.push(v);
            }
        }
        touched
    };
    // Sums every worker's counts of the step (the hash by XOR).
    let totals = |msgs: &[(u32, u8, u64)]| -> [u64; 7] {
        let mut t = [0u64; 7];
        for &(_, kind, value) in msgs {
            if let Some(p) = STATS.iter().position(|&s| s == kind) {
                if p == HASH {
                    t[p] ^= value;
                } else {
                    t[p] += value;
                }
            }
        }
        t
    };

    // Step 0: every agent not sitting counts at its followers, as a change from sitting.
    let initial: Vec<(u32, Action, Action)> = (lo..hi)
        .filter(|&v| action[(v - lo) as usize] != Action::Sit as u8)
        .map(|v| (v, Action::Sit, Action::from_u8(action[(v - lo) as usize])))
        .collect();
    send_changes(net, &place, part, &initial);
    for (p, &s) in STATS.iter().enumerate() {
        net.broadcast(&place, s, counts[p]);
    }
    let msgs = net.finish(worker);
    apply(&msgs, &mut seen_stand, &mut seen_boo);
    let t = totals(&msgs);
    let mut records: Vec<[u64; 6]> = vec![[0, t[SIT], t[STAND], t[BOO], 0, 0]];
    let mut seen_states: BTreeMap<u64, u32> = BTreeMap::new();
    seen_states.insert(t[HASH], 0);
    let mut remote_bytes = Vec::new();
    let mut seconds = Vec::new();

    let mut candidates = revisable.clone();
    let mut ending = (Outcome::StepLimit, stop.max_steps, 0u32);
    for step in 1..=stop.max_steps {
        let clock = Instant::now();
        if noise {
            candidates.clone_from(&revisable);
        }
        let mut changed: Vec<(u32, Action, Action)> = Vec::new();
        let mut ties: Vec<u32> = Vec::new();
        for &v in &candidates {
            let i = (v - lo) as usize;
            let current = Action::from_u8(action[i]);
            let seen = Seen {
                standing: u64::from(seen_stand[i]),
                booing: u64::from(seen_boo[i]),
                total: u64::from(seen_total[i]),
                quiet: false,
            };
            let r = kernel.revise_agent(
                agents.fixed[at(v)],
                agents.conformity[at(v)],
                v,
                step,
                current,
                seen,
            );
            if r.action != current {
                changed.push((v, current, r.action));
            }
            if r.open_tie {
                ties.push(v);
            }
        }
        for &(v, old, new) in &changed {
            let i = (v - lo) as usize;
            action[i] = new as u8;
            counts[SIT + old as usize] -= 1;
            counts[SIT + new as usize] += 1;
            counts[HASH] ^= agent_hash(v, old as u8) ^ agent_hash(v, new as u8);
        }
        counts[CHANGES] = changed.len() as u64;
        counts[TIES] = ties.len() as u64;
        counts[EXPOSURES] = send_changes(net, &place, part, &changed);
        let sent = net.remote_bytes;
        for (p, &s) in STATS.iter().enumerate() {
            net.broadcast(&place, s, counts[p]);
        }
        let msgs = net.finish(worker);
        candidates = apply(&msgs, &mut seen_stand, &mut seen_boo);
        candidates.retain(|&v| agents.fixed[at(v)] == NOT_FIXED);
        candidates.extend(ties.iter().copied());
        candidates.sort_unstable();
        candidates.dedup();
        let t = totals(&msgs);
        remote_bytes.push(sent);
        seconds.push(clock.elapsed().as_secs_f64());
        if t[CHANGES] == 0 && t[TIES] == 0 && !noise && stop.at_fixed_point {
            ending = (Outcome::FixedPoint, step - 1, 0);
            break;
        }
        records.push([
            u64::from(step),
            t[SIT],
            t[STAND],
            t[BOO],
            t[CHANGES],
            t[EXPOSURES],
        ]);
        if stop.at_fixed_point && t[TIES] == 0 && !noise {
            if let Some(&earlier) = seen_states.get(&t[HASH]) {
                ending = (Outcome::Cycle, step, step - earlier);
                break;
            }
            seen_states.insert(t[HASH], step);
        }
    }
    let measures = Measures::of(&agents.initial, &agents.own, &action);
    let (measures, acting) = gather(net, worker, &place, measures, &action)?;
    let files = sop_run(&records, ending, &acting, remote_bytes, seconds);
    let result = replicate_result(
        local.replicate,
        part.node_count,
        part.edge_count,
        &records,
        ending,
        measures,
        &acting,
        scenario.theater_layout(),
        BTreeMap::new(),
    );
    Some((files, result))
}

/// The files of a `sop` run: `steps.csv` (`step,sitting,standing,booing,changes,exposures`,
/// agents and edges counted, step 0 the initial actions), `outcome.csv` (`outcome,steps,period`)
/// and `actions.csv` (`agent,action` of every agent not sitting at the end).
pub fn sop_run(
    records: &[[u64; 6]],
    (outcome, steps, period): (Outcome, u32, u32),
    acting: &[(u32, u8)],
    remote_bytes: Vec<u64>,
    seconds: Vec<f64>,
) -> PartitionedRun {
    let mut table = String::from("step,sitting,standing,booing,changes,exposures\n");
    for r in records {
        table.push_str(&format!(
            "{},{},{},{},{},{}\n",
            r[0], r[1], r[2], r[3], r[4], r[5]
        ));
    }
    let finals: String = acting
        .iter()
        .map(|&(v, a)| format!("{v},{}\n", Action::from_u8(a).name()))
        .collect();
    let last = records.last().copied().unwrap_or_default();
    PartitionedRun {
        files: vec![
            ("steps.csv".to_string(), table),
            (
                "outcome.csv".to_string(),
                format!(
                    "outcome,steps,period\n{},{steps},{period}\n",
                    outcome.name()
                ),
            ),
            ("actions.csv".to_string(), format!("agent,action\n{finals}")),
        ],
        remote_bytes,
        seconds,
        summary: format!(
            "{} after {steps} steps: {} standing, {} booing, {} sitting",
            outcome.name(),
            last[2],
            last[3],
            last[1]
        ),
    }
}
