//! The Standing Ovation rule for the peer harness (`ovation bench peer-sop`,
//! `benches/peers/`), beside the same rule written as a Mesa model. Deterministic on purpose,
//! so the two can be checked for exact agreement: the step-0 actions come from a file (one `0`
//! sit or `1` stand per agent, as every peer reads them), every agent has the same conformity
//! threshold `X`, ties keep the current action and there is no action noise. The engine then
//! runs its synchronous scheme as `ovation run` does (a fixed point or a repeated state ends
//! the replicate, as a cycle), and the record gives the final standing count, the steps and
//! how the run ended.
//!
//! Agent updates are counted as a Mesa model does its work, `n` per step: the time ratio is
//! then the ratio of agent updates per second.
//!
//! Before the timed repetitions, untimed ones run for a warm-up time (as criterion's warm-up):
//! a replicate of 10^4 agents takes under a millisecond, and five of them straight after the
//! graph is read measured 0.9 or 1.6 ms from one process to the next on an idle machine (the
//! processor's clock and caches still settling), where Mesa's repetitions take 0.3 s or more.

use std::path::Path;
use std::time::Instant;

use crate::bench::peer::{read_graph, scenario};
use crate::engine::run::{Setup, run_replicate};
use crate::model::Action;
use crate::model::population::Agents;
use crate::rng::replicate_key;

/// One repetition, printed as one JSON line.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SopRecord {
    /// Always "ovation".
    #[serde(rename = "impl")]
    pub implementation: &'static str,
    /// Agents.
    pub n: u32,
    /// Edges.
    pub m: u64,
    /// Repetition index.
    pub rep: u32,
    /// Seconds reading the graph.
    pub parse_s: f64,
    /// Seconds of the replicate (the engine's counts, then the steps).
    pub run_s: f64,
    /// Agents standing at step 0.
    pub initial_standing: u64,
    /// Agents standing at the end.
    pub standing: u64,
    /// Revision steps taken (for a cycle, up to the step that repeated a state).
    pub steps: u32,
    /// `fixed_point`, `cycle` or `step_limit`.
    pub outcome: String,
    /// `n * steps`: agent updates as a model that revises every agent each step counts them.
    pub agent_updates: u64,
    /// Worker threads.
    pub threads: usize,
    /// Untimed replicates run before the timed ones (the warm-up).
    pub warmup_reps: u32,
}

/// Reads one action per agent: `0` (sit) or `1` (stand), whitespace-separated.
pub fn read_actions(path: &Path, n: u32) -> anyhow::Result<Vec<u8>> {
    let text =
        std::fs::read_to_string(path).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    let mut out = Vec::with_capacity(n as usize);
    for (line_no, line) in text.lines().enumerate() {
        for s in line.split_ascii_whitespace() {
            out.push(match s {
                "0" => Action::Sit as u8,
                "1" => Action::Stand as u8,
                _ => anyhow::bail!(
                    "{}:{}: expected 0 (sit) or 1 (stand), found {s:?}",
                    path.display(),
                    line_no + 1
                ),
            });
        }
    }
    if out.len() != n as usize {
        anyhow::bail!(
            "{}: expected {n} actions (one per agent), found {}",
            path.display(),
            out.len()
        );
    }
    Ok(out)
}

/// Runs the rule `reps` times on the SNAP edge list at `graph_path` from the step-0 actions
/// at `actions_path`, with conformity `x` for everyone and at most `max_steps` steps, after
/// running it untimed for `warmup_s` seconds.
pub fn run(
    graph_path: &Path,
    actions_path: &Path,
    x: f64,
    max_steps: u32,
    reps: u32,
    warmup_s: f64,
) -> anyhow::Result<Vec<SopRecord>> {
    let mut sc = scenario(
        "sop",
        &format!("threshold = 0.5\nconformity = {x:?}"),
        "rule = \"sop\"\nquality = 0.5\ntie = \"keep\"",
        "[timing]\nscheme = \"synchronous\"\n",
    )?;
    sc.stop.max_steps = max_steps;
    sc.stop.at_fixed_point = true;
    let t = Instant::now();
    let graph = read_graph(graph_path)?;
    let parse_s = t.elapsed().as_secs_f64();
    let n = graph.node_count();
    let actions = read_actions(actions_path, n)?;
    let mut agents = Agents::sample(n, &sc.population, sc.model.quality(), 0);
    for (i, &a) in actions.iter().enumerate() {
        // The signal only decides the step-0 action (stand iff signal > threshold 0.5).
        agents.signal[i] = if a == Action::Stand as u8 { 1.0 } else { 0.0 };
        agents.own[i] = a;
        agents.initial[i] = a;
    }
    let initial_standing = actions
        .iter()
        .filter(|&&a| a == Action::Stand as u8)
        .count() as u64;
    let setup = |rep: u32| Setup {
        graph: &graph,
        agents: &agents,
        rule: &sc.model,
        timing: &sc.timing,
        stop: sc.stop,
        key: replicate_key(sc.seed, u64::from(rep)),
        replicate: rep,
        theater: None,
        brand: None,
    };
    let warmup = Instant::now();
    let mut warmup_reps = 0;
    while warmup.elapsed().as_secs_f64() < warmup_s {
        run_replicate(setup(warmup_reps)).map_err(|e| anyhow::anyhow!("{e}"))?;
        warmup_reps += 1;
    }
    let mut out = Vec::new();
    for rep in 0..reps {
        let t = Instant::now();
        let res = run_replicate(setup(rep)).map_err(|e| anyhow::anyhow!("{e}"))?;
        let run_s = t.elapsed().as_secs_f64();
        out.push(SopRecord {
            implementation: "ovation",
            n,
            m: graph.edge_count(),
            rep,
            parse_s,
            run_s,
            initial_standing,
            standing: (res.final_standing * f64::from(n)).round() as u64,
            steps: res.steps,
            outcome: res.outcome.name().to_string(),
            agent_updates: u64::from(n) * u64::from(res.steps),
            threads: rayon::current_num_threads(),
            warmup_reps,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_majority_of_standing_sources_stands_the_follower_up() {
        let dir = std::env::temp_dir().join(format!("ovation-peer-sop-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        // Agent 3 sees 0, 1 and 2 (two of them stand): it stands at step 1, then nothing
        // changes (0, 1, 2 see nobody and keep). Agent 4 sees only 3: it stands at step 2.
        let g = dir.join("g.txt");
        std::fs::write(&g, "0 3\n1 3\n2 3\n3 4\n").unwrap();
        let a = dir.join("a.txt");
        std::fs::write(&a, "1\n1\n0\n0\n0\n").unwrap();
        let recs = run(&g, &a, 0.5, 100, 2, 0.001).unwrap();
        assert_eq!(recs.len(), 2);
        for r in &recs {
            assert_eq!((r.initial_standing, r.standing, r.steps), (2, 4, 2));
            assert_eq!(r.outcome, "fixed_point");
            assert_eq!(r.agent_updates, 10);
            assert!(r.warmup_reps >= 1, "{}", r.warmup_reps);
        }
        std::fs::write(&a, "1\n1\n2\n0\n0\n").unwrap();
        let err = run(&g, &a, 0.5, 100, 1, 0.0).unwrap_err().to_string();
        assert!(
            err.contains("a.txt:3") && err.contains("expected 0"),
            "{err}"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
