//! Greedy influence maximisation (Kempe, Kleinberg and Tardos 2003, section 2) with the lazy
//! evaluation of CELF (Leskovec et al. 2007, "Cost-effective outbreak detection in networks",
//! KDD, section 4.1).
//!
//! The spread `sigma(S)` of a seed set is estimated as the total final active count over
//! `samples` random worlds of the scenario's own rule, run by the fast simulator
//! [`super::spread::Simulator`], or by the bit-parallel [`super::bitpar::BlockSimulator`] 64
//! worlds per traversal (independent cascade and linear threshold: the same counts world by
//! world, so the same picks; a test checks it for both). World `i` has the replicate-like key
//! `Stream::new(key, Purpose::SpreadEstimate, 0, i).next_u64_raw()`, the same for every
//! candidate seed set (common random numbers: differences between candidates are not blurred
//! by independent noise), so the selection is a pure function of (graph, rule, key, k,
//! samples). Sums are integers, so ties are exact and go to the lower id.
//!
//! Greedy adds, `k` times, the agent of largest marginal gain `sigma(S + v) - sigma(S)`. CELF
//! keeps every agent's last computed gain in a max-heap; since gains can only shrink as `S`
//! grows (submodularity), an agent whose gain was computed for the current `S` and is still
//! on top is the greedy choice, without recomputing the others. For the independent cascade
//! the estimate over fixed worlds is itself submodular, so CELF picks exactly what plain
//! greedy would on the same worlds; for the linear threshold with fixed thresholds per world
//! it is submodular only in expectation (Kempe et al., Theorem 2.5), so lazy evaluation is the
//! usual approximation there.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use super::bitpar::BlockSimulator;
use super::spread::Simulator;
use crate::rng::{LaneKeys, Purpose, Stream};

/// The key of spread-estimation world `i` under `key`.
pub fn world_key(key: u64, i: u32) -> u64 {
    Stream::new(key, Purpose::SpreadEstimate, 0, i).next_u64_raw()
}

/// One greedy pick: the agent and its estimated marginal gain (mean over worlds).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pick {
    /// The agent.
    pub agent: u32,
    /// Its estimated marginal gain `sigma(S + v) - sigma(S)` when picked.
    pub gain: f64,
}

/// The spread estimators of a selection, one per worker thread (at least one).
pub enum Workers<'g> {
    /// One world per simulation (any rule the spread simulator runs).
    Worlds(Vec<Simulator<'g>>),
    /// 64 worlds per simulation (independent cascade and linear threshold): the same totals
    /// as `Worlds`.
    Blocks(Vec<BlockSimulator<'g>>),
}

/// Runs `run` on each worker with its fixed contiguous part of `units` (on scoped threads
/// when there are several) and sums the results in worker order.
fn split_sum<W: Send, U: Sync>(
    workers: &mut [W],
    units: &[U],
    run: impl Fn(&mut W, &[U]) -> u64 + Sync,
) -> u64 {
    if workers.len() <= 1 {
        return workers.first_mut().map_or(0, |w| run(w, units));
    }
    let chunk = units.len().div_ceil(workers.len()).max(1);
    let run = &run;
    std::thread::scope(|scope| {
        let handles: Vec<_> = workers
            .iter_mut()
            .zip(units.chunks(chunk))
            .map(|(w, part)| scope.spawn(move || run(w, part)))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("a spread worker panicked"))
            .sum()
    })
}

/// The first `k` greedy seeds in pick order, each with its gain; the estimated spread of the
/// first `j` picks is the sum of their gains. Each estimate splits its worlds (or blocks of 64
/// worlds) into fixed contiguous chunks, one per worker, run on scoped threads; the sums are
/// integers, so the result is the same for any number of workers and either kind. Makes
/// **n + (lazy re-evaluations)** spread estimates of `samples` simulations each.
pub fn celf(workers: &mut Workers<'_>, n: u32, k: u32, samples: u32, key: u64) -> Vec<Pick> {
    let keys: Vec<u64> = (0..samples).map(|i| world_key(key, i)).collect();
    let blocks: Vec<LaneKeys> = keys.chunks(64).map(LaneKeys::new).collect();
    let total = |workers: &mut Workers<'_>, seeds: &[u32]| -> u64 {
        match workers {
            Workers::Worlds(sims) => split_sum(sims, &keys, |sim, part| {
                part.iter().map(|&w| u64::from(sim.spread(seeds, w))).sum()
            }),
            Workers::Blocks(sims) => split_sum(sims, &blocks, |sim, part| {
                part.iter()
                    .map(|b| {
                        sim.block(seeds, b)
                            .iter()
                            .map(|&x| u64::from(x))
                            .sum::<u64>()
                    })
                    .sum()
            }),
        }
    };
    // Heap entries: (gain sum, lower id first, |S| when computed).
    let mut heap: BinaryHeap<(u64, Reverse<u32>, u32)> = (0..n)
        .map(|v| (total(workers, &[v]), Reverse(v), 0))
        .collect();
    let mut seeds: Vec<u32> = Vec::with_capacity(k as usize);
    let mut picks = Vec::with_capacity(k as usize);
    let mut current = 0u64;
    while (seeds.len() as u32) < k {
        let Some((gain, Reverse(v), round)) = heap.pop() else {
            break;
        };
        if round == seeds.len() as u32 {
            seeds.push(v);
            current += gain;
            picks.push(Pick {
                agent: v,
                gain: gain as f64 / f64::from(samples.max(1)),
            });
            continue;
        }
        seeds.push(v);
        let with = total(workers, &seeds);
        seeds.pop();
        heap.push((with.saturating_sub(current), Reverse(v), seeds.len() as u32));
    }
    picks
}

/// Workers for [`celf`]: one per available core (at most 8), bit-parallel for the independent
/// cascade and the linear threshold.
pub fn simulators<'g>(
    graph: &'g crate::graph::FollowerGraph,
    rule: &crate::engine::RuleSpec,
) -> Result<Workers<'g>, String> {
    use crate::engine::RuleSpec;
    let threads = std::thread::available_parallelism().map_or(1, |t| t.get().min(8));
    if let RuleSpec::IndependentCascade(_) | RuleSpec::LinearThreshold(_) = rule {
        let sims: Result<Vec<_>, String> = (0..threads)
            .map(|_| BlockSimulator::new(graph, rule))
            .collect();
        return Ok(Workers::Blocks(sims?));
    }
    let sims: Result<Vec<_>, String> = (0..threads).map(|_| Simulator::new(graph, rule)).collect();
    Ok(Workers::Worlds(sims?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::RuleSpec;
    use crate::graph::{BuildOptions, FollowerGraph};
    use crate::model::cascade::{EdgeProbability, IndependentCascadeParams};

    fn ic(p: f64) -> RuleSpec {
        RuleSpec::IndependentCascade(IndependentCascadeParams {
            probability: EdgeProbability::Constant(p),
        })
    }

    #[test]
    fn picks_the_best_cover_not_the_two_biggest_hubs() {
        // With p = 1 the spread is reachability. 0 reaches {0, 3, 4, 5, 6} (5), 1 reaches
        // {1, 3, 4, 5} (4, all but itself already reached by 0), 2 reaches {2, 7, 8} (3).
        // Top followers picks 0 and 1 (spread 6); greedy picks 0, then 2 (gain 3 > 1).
        let mut edges: Vec<(u32, u32)> = (3..7).map(|f| (0, f)).collect();
        edges.extend((3..6).map(|f| (1, f)));
        edges.extend([(2, 7), (2, 8)]);
        let g = FollowerGraph::from_edges(9, edges, None, BuildOptions::default());
        let mut sims = Workers::Worlds(vec![Simulator::new(&g, &ic(1.0)).unwrap()]);
        let picks = celf(&mut sims, 9, 2, 3, 42);
        assert_eq!(
            picks.iter().map(|p| p.agent).collect::<Vec<_>>(),
            vec![0, 2]
        );
        assert_eq!(
            picks.iter().map(|p| p.gain).collect::<Vec<_>>(),
            vec![5.0, 3.0]
        );
    }

    #[test]
    fn follows_chains_through_followers() {
        // A chain 0 -> 1 -> 2 -> 3 (each follows the previous) and a star 4 -> 5, 6: with
        // p = 1, 0 reaches four agents, 4 three, so greedy takes 0 then 4.
        let edges = vec![(0, 1), (1, 2), (2, 3), (4, 5), (4, 6)];
        let g = FollowerGraph::from_edges(7, edges, None, BuildOptions::default());
        let mut sims = Workers::Blocks(vec![BlockSimulator::new(&g, &ic(1.0)).unwrap()]);
        let picks: Vec<u32> = celf(&mut sims, 7, 2, 1, 1)
            .iter()
            .map(|p| p.agent)
            .collect();
        assert_eq!(picks, vec![0, 4]);
    }

    #[test]
    fn the_picks_do_not_depend_on_the_number_or_kind_of_workers() {
        // A random-ish graph under p = 0.3, 150 worlds (two full blocks and a partial one):
        // one world-at-a-time worker, three of them, and one or three bit-parallel workers all
        // give the same picks and gains.
        let edges: Vec<(u32, u32)> = (0..200u32)
            .map(|i| ((i * 7) % 40, (i * 13 + 5) % 40))
            .filter(|(a, b)| a != b)
            .collect();
        let g = FollowerGraph::from_edges(40, edges, None, BuildOptions::default());
        let rule = ic(0.3);
        let worlds = |k: usize| {
            Workers::Worlds((0..k).map(|_| Simulator::new(&g, &rule).unwrap()).collect())
        };
        let blocks = |k: usize| {
            Workers::Blocks(
                (0..k)
                    .map(|_| BlockSimulator::new(&g, &rule).unwrap())
                    .collect(),
            )
        };
        let reference = celf(&mut worlds(1), 40, 5, 150, 7);
        assert_eq!(reference.len(), 5);
        assert!(reference.iter().all(|p| p.gain >= 1.0), "{reference:?}");
        assert_eq!(celf(&mut worlds(3), 40, 5, 150, 7), reference);
        assert_eq!(celf(&mut blocks(1), 40, 5, 150, 7), reference);
        assert_eq!(celf(&mut blocks(3), 40, 5, 150, 7), reference);
    }

    #[test]
    fn linear_threshold_picks_are_the_same_with_bit_parallel_workers() {
        // A 300-agent BA graph under the linear threshold (uniform weights), 100 worlds (a
        // full block and a partial one): scalar and bit-parallel workers, one or two of each,
        // give the same picks and gains, and the greedy seeds spread beyond themselves.
        let g = crate::graph::generators::generate(
            &crate::graph::generators::GeneratorSpec::BarabasiAlbert { n: 300, m: 3 },
            4,
        )
        .unwrap();
        let rule = RuleSpec::LinearThreshold(Default::default());
        let mut worlds =
            Workers::Worlds((0..2).map(|_| Simulator::new(&g, &rule).unwrap()).collect());
        let reference = celf(&mut worlds, 300, 4, 100, 11);
        assert_eq!(reference.len(), 4);
        assert!(reference[0].gain > 1.5, "{reference:?}");
        for k in [1, 2] {
            let mut blocks = Workers::Blocks(
                (0..k)
                    .map(|_| BlockSimulator::new(&g, &rule).unwrap())
                    .collect(),
            );
            assert_eq!(celf(&mut blocks, 300, 4, 100, 11), reference);
        }
        assert!(matches!(simulators(&g, &rule).unwrap(), Workers::Blocks(_)));
    }
}
