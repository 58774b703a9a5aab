//! One worker's agents: the population of a replicate sampled for the agents it owns only,
//! then seeded, exactly as [`runner::agents_for`](crate::runner::agents_for) does for all of
//! them (every draw is keyed by the agent's global id, so the values are the same).

use anyhow::{anyhow, bail};

use crate::graph::handles::NodeRef;
use crate::model::population::NOT_FIXED;
use crate::model::{Action, Agents};
use crate::rng::replicate_key;
use crate::scenario::Scenario;
use crate::strategy::seeding::{SeedMethod, random_seeds};

/// The seeds of replicate `replicate` among `n` agents, ascending, for the seeding methods that
/// need no graph (`nodes` by id, `random`); the others are refused, naming the method.
pub fn seeds(scenario: &Scenario, n: u32, replicate: u32) -> anyhow::Result<Vec<u32>> {
    let Some(spec) = &scenario.seeding else {
        return Ok(Vec::new());
    };
    let key = replicate_key(scenario.seed, u64::from(replicate));
    let mut seeds = match &spec.method {
        SeedMethod::Random { k } => random_seeds(n, *k, key),
        SeedMethod::Nodes { nodes } => nodes
            .iter()
            .enumerate()
            .map(|(i, v)| match v {
                NodeRef::Id(id) if *id < n => Ok(*id),
                NodeRef::Id(id) => Err(anyhow!(
                    "{}: seeding.nodes[{i}]: agent {id} is out of range: the graph has {n} \
                     agents (ids 0..{n})",
                    scenario.path.display()
                )),
                NodeRef::Handle(h) => Err(anyhow!(
                    "{}: seeding.nodes[{i}]: partitioned runs take seeds by id, not by handle \
                     (`{h}`): no process holds the graph's labels",
                    scenario.path.display()
                )),
            })
            .collect::<anyhow::Result<Vec<u32>>>()?,
        _ => {
            check_seeding(scenario)?;
            Vec::new()
        }
    };
    seeds.sort_unstable();
    seeds.dedup();
    Ok(seeds)
}

/// Checks that the scenario's seeding needs no graph: `random`, or `nodes` by id; the others
/// are refused, naming the method.
pub fn check_seeding(scenario: &Scenario) -> anyhow::Result<()> {
    let Some(spec) = &scenario.seeding else {
        return Ok(());
    };
    match &spec.method {
        SeedMethod::Random { .. } => Ok(()),
        SeedMethod::Nodes { nodes } => {
            match nodes.iter().position(|v| matches!(v, NodeRef::Handle(_))) {
                Some(i) => bail!(
                    "{}: seeding.nodes[{i}]: partitioned runs take seeds by id, not by handle \
                 (`{}`): no process holds the graph's labels",
                    scenario.path.display(),
                    nodes[i]
                ),
                None => Ok(()),
            }
        }
        other => bail!(
            "{}: seeding.method = \"{}\" ranks agents over the whole graph, which no process of \
             a partitioned run holds; partitioned runs support `random` and `nodes` seeding",
            scenario.path.display(),
            method_name(other)
        ),
    }
}

/// The `method` key of a seeding method.
fn method_name(method: &SeedMethod) -> String {
    serde_json::to_value(method)
        .ok()
        .and_then(|v| v.get("method").and_then(|m| m.as_str().map(String::from)))
        .unwrap_or_else(|| "?".to_string())
}

/// Agents `lo..hi` of replicate `replicate` among `n` (entry `k` is agent `lo + k`), with
/// `seeds` (ascending, from [`seeds`]) standing at step 0 unless fixed.
pub fn owned(
    scenario: &Scenario,
    n: u32,
    lo: u32,
    hi: u32,
    replicate: u32,
    seeds: &[u32],
) -> anyhow::Result<Agents> {
    scenario.check_node_ids(n).map_err(|e| anyhow!("{e}"))?;
    let key = replicate_key(scenario.seed, u64::from(replicate));
    let mut agents = Agents::sample_range(
        n,
        &scenario.population,
        scenario.model.quality(),
        key,
        lo,
        hi,
    );
    if !scenario.model.uses_signals() {
        for (k, class) in agents.class.iter().enumerate() {
            let spec = &scenario.population[*class as usize];
            if spec.initial.is_none() && spec.fixed.is_none() {
                agents.own[k] = Action::Sit as u8;
                agents.initial[k] = Action::Sit as u8;
            }
        }
    }
    let from = seeds.partition_point(|&s| s < lo);
    let to = seeds.partition_point(|&s| s < hi);
    for &s in &seeds[from..to] {
        let k = (s - lo) as usize;
        if agents.fixed[k] == NOT_FIXED {
            agents.initial[k] = Action::Stand as u8;
        }
    }
    agents.seeds = seeds[from..to].to_vec();
    Ok(agents)
}
