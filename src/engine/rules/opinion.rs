//! The bounded-confidence rules' step loops: Deffuant et al. (2000) and Hegselmann and Krause
//! (2002) (parameters and papers in [`crate::model::opinion`]).
//!
//! Each agent holds a private opinion `x_i` (an `f64` kept here, beside the engine's state);
//! its action is what it voices: `stand` when `x_i > voice_upper`, `boo` when
//! `x_i < voice_lower`, `sit` (silent) otherwise. The actions are set from the initial opinions
//! before step 0 is recorded (`voice_initial`) and re-derived after every step. Agents whose
//! class is `fixed` keep their opinion and their action (stubborn agents: they still
//! influence others). Edge weights are ignored: every source counts alike. These rules do not
//! keep the engine's per-agent counts of standing sources up to date (they never read them).
//!
//! **Deffuant**: each step makes `n` encounters drawn from one stream
//! `Stream(key, PairOrder, step, 0)`: an agent `i` uniformly, then one of its sources `j`
//! uniformly (an agent without sources wastes its encounter). When `|x_i - x_j| < d`
//! (strictly), `x_i += mu (x_j - x_i)` and, if `symmetric`, `x_j -= mu (x_j - x_i)`, both from
//! the opinions before the encounter. Encounters are sequential (each sees the last), as in the
//! paper. The run stops at a fixed point (if the scenario stops at fixed points) when the sorted
//! opinions, split where neighbours differ by at least `d`, form groups each no wider than
//! `tolerance`: no two agents of different groups can ever interact (they differ by `>= d`,
//! and every move stays inside its group's range), and no later move exceeds `mu tolerance`.
//! On a graph that is not complete the check also passes when every edge joins opinions at
//! least `d` or at most `tolerance` apart (an `O(m)` check, counted as edge visits).
//!
//! **Hegselmann-Krause**: synchronous; `x_i(t+1)` is the mean of `x_i(t)` and of every
//! `x_j(t)`, `j` a source of `i`, with `|x_j(t) - x_i(t)| <= eps` (inclusive), summed in the
//! order: itself, then its sources in ascending id. Computed in parallel over fixed chunks of
//! agents, each agent independently, so the result is bitwise the same for any thread count.
//! Stops (at a fixed point) when no opinion moved by more than `tolerance` in a step.
//!
//! Extra measures of both (`ctx.set_extra`), from the opinions at the end:
//! - `opinion_clusters`: the number of clusters (sorted opinions split where neighbours differ
//!   by more than `cluster_gap`, default half the confidence bound);
//! - `major_clusters`: clusters holding at least `major_share` of the agents (default 10%);
//! - `largest_cluster`: the share of agents in the largest cluster;
//! - `mean_opinion`, `opinion_sd` (population standard deviation);
//! - `felt_negative`: share of agents with an opinion below the scale's midpoint;
//! - `silent_negative` ("silent discontent"): share below the midpoint but silent
//!   (`voice_lower <= x_i`), and `silent_positive` likewise above the midpoint;
//! - `interactions` (Deffuant only): encounters that moved opinions (within `d`).

use rayon::prelude::*;

use crate::engine::measures::Outcome;
use crate::engine::rule::Rule;
use crate::engine::run::{Ctx, Ending};
use crate::graph::Adjacency;
use crate::model::Action;
use crate::model::Problem;
use crate::model::opinion::{self, InitialOpinions, OpinionSettings, Scale, Spacing, clusters};
use crate::model::population::NOT_FIXED;
use crate::rng::{Purpose, Stream};

/// Agents per parallel task of Hegselmann-Krause (fixed, independent of the thread count).
const CHUNK: usize = 256;

/// The initial opinions of the `n` agents: evenly spaced over the scale, or drawn per agent
/// from `Stream(key, Opinion, 0, i)` and clamped to the scale (default: uniform over it).
pub fn initial_opinions(
    n: u32,
    key: u64,
    initial: &Option<InitialOpinions>,
    scale: Scale,
) -> Vec<f64> {
    let (lo, hi) = scale.bounds();
    match initial {
        Some(InitialOpinions::Spaced(Spacing::EvenlySpaced)) => (0..n)
            .map(|i| {
                if n == 1 {
                    scale.midpoint()
                } else {
                    lo + (hi - lo) * f64::from(i) / f64::from(n - 1)
                }
            })
            .collect(),
        Some(InitialOpinions::Drawn(dist)) => (0..n)
            .map(|i| {
                dist.sample(&mut Stream::new(key, Purpose::Opinion, 0, i))
                    .clamp(lo, hi)
            })
            .collect(),
        None => (0..n)
            .map(|i| lo + (hi - lo) * Stream::new(key, Purpose::Opinion, 0, i).uniform())
            .collect(),
    }
}

/// The action an opinion voices.
#[inline]
pub fn voice(x: f64, s: &OpinionSettings) -> Action {
    if x > s.voice_upper {
        Action::Stand
    } else if x < s.voice_lower {
        Action::Boo
    } else {
        Action::Sit
    }
}

/// Sets every non-fixed agent's action from its initial opinion (the rules' preparation,
/// before step 0 is recorded).
fn voice_initial(
    ctx: &mut Ctx<'_, '_>,
    initial: &Option<InitialOpinions>,
    settings: &OpinionSettings,
) {
    let x = initial_opinions(ctx.n(), ctx.setup.key, initial, settings.scale);
    revoice(ctx, &x, settings);
}

/// Sets the actions of the non-fixed agents from `x`; returns (changes, exposures).
fn revoice(ctx: &mut Ctx<'_, '_>, x: &[f64], s: &OpinionSettings) -> (u64, u64) {
    let fixed = &ctx.setup.agents.fixed;
    let followers = ctx.setup.graph.follower_adjacency();
    let (mut changes, mut exposures) = (0u64, 0u64);
    for (i, &xi) in x.iter().enumerate() {
        if fixed[i] != NOT_FIXED {
            continue;
        }
        let a = voice(xi, s);
        if ctx.state.action[i] != a as u8 {
            ctx.state.set_action(i as u32, a);
            changes += 1;
            let (lo, hi) = followers.range(i as u32);
            exposures += (hi - lo) as u64;
        }
    }
    (changes, exposures)
}

/// Writes the extra measures of the final opinions.
fn finish(ctx: &mut Ctx<'_, '_>, x: &[f64], s: &OpinionSettings) {
    let n = x.len().max(1) as f64;
    let cl = clusters(x, s.cluster_gap);
    let major = cl
        .iter()
        .filter(|(size, _)| *size as f64 >= s.major_share * n)
        .count();
    let largest = cl.iter().map(|c| c.0).max().unwrap_or(0);
    let mean = x.iter().sum::<f64>() / n;
    let var = x.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / n;
    let mid = s.scale.midpoint();
    let felt_neg = x.iter().filter(|&&v| v < mid).count();
    let silent_neg = x.iter().filter(|&&v| v < mid && v >= s.voice_lower).count();
    let silent_pos = x.iter().filter(|&&v| v > mid && v <= s.voice_upper).count();
    ctx.set_extra("opinion_clusters", cl.len() as f64);
    ctx.set_extra("major_clusters", major as f64);
    ctx.set_extra("largest_cluster", largest as f64 / n);
    ctx.set_extra("mean_opinion", mean);
    ctx.set_extra("opinion_sd", var.sqrt());
    ctx.set_extra("felt_negative", felt_neg as f64 / n);
    ctx.set_extra("silent_negative", silent_neg as f64 / n);
    ctx.set_extra("silent_positive", silent_pos as f64 / n);
}

/// Whether Deffuant dynamics can no longer move anyone by more than `mu tolerance` (see the
/// module doc); `sorted` is scratch space.
fn deffuant_settled(
    ctx: &mut Ctx<'_, '_>,
    x: &[f64],
    d: f64,
    tol: f64,
    sorted: &mut Vec<f64>,
) -> bool {
    sorted.clear();
    sorted.extend_from_slice(x);
    sorted.sort_by(f64::total_cmp);
    let mut start = 0;
    let mut groups_ok = true;
    for k in 1..=sorted.len() {
        if k == sorted.len() || sorted[k] - sorted[k - 1] >= d {
            if sorted[k - 1] - sorted[start] > tol {
                groups_ok = false;
                break;
            }
            start = k;
        }
    }
    if groups_ok {
        return true;
    }
    let graph = ctx.setup.graph;
    let n = u64::from(graph.node_count());
    if graph.edge_count() == n * n.saturating_sub(1) {
        // Complete graph: every pair may meet, so the group check is exact.
        return false;
    }
    let adj = graph.source_adjacency();
    let mut visits = 0u64;
    let mut ok = true;
    'agents: for i in 0..graph.node_count() {
        let (a, b) = adj.range(i);
        for &j in &adj.targets[a..b] {
            visits += 1;
            let diff = (x[j as usize] - x[i as usize]).abs();
            if diff < d && diff > tol {
                ok = false;
                break 'agents;
            }
        }
    }
    ctx.state.edge_visits += visits;
    ok
}

/// One Deffuant step (`n = x.len()` encounters from `Stream(key, PairOrder, step, 0)`, see the
/// module doc) on the opinions `x`, in place. Returns (edges read, encounters within `d`).
pub fn deffuant_step(
    adj: &Adjacency,
    fixed: &[u8],
    params: &opinion::DeffuantParams,
    key: u64,
    step: u32,
    x: &mut [f64],
) -> (u64, u64) {
    let n = x.len() as u64;
    let (d, mu) = (params.d, params.mu);
    let mut rng = Stream::new(key, Purpose::PairOrder, step, 0);
    let (mut visits, mut interactions) = (0u64, 0u64);
    for _ in 0..n {
        let i = rng.below(n) as usize;
        let (a, b) = adj.range(i as u32);
        if a == b {
            continue;
        }
        let j = adj.targets[a + rng.below((b - a) as u64) as usize] as usize;
        visits += 1;
        let diff = x[j] - x[i];
        if diff.abs() < d {
            interactions += 1;
            if fixed[i] == NOT_FIXED {
                x[i] += mu * diff;
            }
            if params.symmetric && fixed[j] == NOT_FIXED {
                x[j] -= mu * diff;
            }
        }
    }
    (visits, interactions)
}

impl Rule for opinion::DeffuantParams {
    fn name(&self) -> &'static str {
        "deffuant"
    }

    fn problems(&self) -> Vec<Problem> {
        opinion::DeffuantParams::problems(self)
    }

    fn prepare(&self, ctx: &mut Ctx<'_, '_>) {
        voice_initial(ctx, &self.initial, &self.settings());
    }

    fn run(&self, ctx: &mut Ctx<'_, '_>) -> Ending {
        run_deffuant(ctx, self)
    }
}

impl Rule for opinion::HegselmannKrauseParams {
    fn name(&self) -> &'static str {
        "hegselmann_krause"
    }

    fn problems(&self) -> Vec<Problem> {
        opinion::HegselmannKrauseParams::problems(self)
    }

    fn prepare(&self, ctx: &mut Ctx<'_, '_>) {
        voice_initial(ctx, &self.initial, &self.settings());
    }

    fn run(&self, ctx: &mut Ctx<'_, '_>) -> Ending {
        run_hegselmann_krause(ctx, self)
    }
}

/// Runs one replicate of the Deffuant rule.
pub fn run_deffuant(ctx: &mut Ctx<'_, '_>, params: &opinion::DeffuantParams) -> Ending {
    let s = params.settings();
    let n = ctx.n();
    let mut x = initial_opinions(n, ctx.setup.key, &params.initial, s.scale);
    let stop = ctx.setup.stop;
    let graph = ctx.setup.graph;
    let adj = graph.source_adjacency();
    let d = params.d;
    let mut sorted = Vec::with_capacity(n as usize);
    let mut interactions = 0u64;
    let mut ending = Ending {
        outcome: Outcome::StepLimit,
        period: 0,
        steps: stop.max_steps,
    };
    if n > 0 && stop.at_fixed_point && deffuant_settled(ctx, &x, d, s.tolerance, &mut sorted) {
        ending = Ending {
            outcome: Outcome::FixedPoint,
            period: 0,
            steps: 0,
        };
    } else if n > 0 {
        for step in 1..=stop.max_steps {
            let (visits, moved) = deffuant_step(
                adj,
                &ctx.setup.agents.fixed,
                params,
                ctx.setup.key,
                step,
                &mut x,
            );
            interactions += moved;
            ctx.state.edge_visits += visits;
            let (changes, exposures) = revoice(ctx, &x, &s);
            ctx.record(step, changes, exposures);
            if stop.at_fixed_point && deffuant_settled(ctx, &x, d, s.tolerance, &mut sorted) {
                ending = Ending {
                    outcome: Outcome::FixedPoint,
                    period: 0,
                    steps: step,
                };
                break;
            }
        }
    }
    finish(ctx, &x, &s);
    ctx.set_extra("interactions", interactions as f64);
    ending
}

/// One synchronous Hegselmann-Krause step from `x` into `next`; returns the largest move.
/// Fixed agents (`fixed[i]`) keep their opinion.
pub fn hk_step(adj: &Adjacency, fixed: &[u8], eps: f64, x: &[f64], next: &mut [f64]) -> f64 {
    next.par_chunks_mut(CHUNK)
        .enumerate()
        .map(|(c, out)| {
            let mut largest = 0.0f64;
            for (k, slot) in out.iter_mut().enumerate() {
                let i = c * CHUNK + k;
                let xi = x[i];
                if fixed[i] != NOT_FIXED {
                    *slot = xi;
                    continue;
                }
                let (a, b) = adj.range(i as u32);
                let (mut sum, mut count) = (xi, 1u32);
                for &j in &adj.targets[a..b] {
                    let xj = x[j as usize];
                    if (xj - xi).abs() <= eps {
                        sum += xj;
                        count += 1;
                    }
                }
                let v = sum / f64::from(count);
                largest = largest.max((v - xi).abs());
                *slot = v;
            }
            largest
        })
        .reduce(|| 0.0, f64::max)
}

/// Runs one replicate of the Hegselmann-Krause rule.
pub fn run_hegselmann_krause(
    ctx: &mut Ctx<'_, '_>,
    params: &opinion::HegselmannKrauseParams,
) -> Ending {
    let s = params.settings();
    let n = ctx.n();
    let mut x = initial_opinions(n, ctx.setup.key, &params.initial, s.scale);
    let mut next = vec![0.0; n as usize];
    let stop = ctx.setup.stop;
    let graph = ctx.setup.graph;
    let adj = graph.source_adjacency();
    let m = graph.edge_count();
    let mut ending = Ending {
        outcome: Outcome::StepLimit,
        period: 0,
        steps: stop.max_steps,
    };
    for step in 1..=stop.max_steps {
        let moved = hk_step(adj, &ctx.setup.agents.fixed, params.eps, &x, &mut next);
        std::mem::swap(&mut x, &mut next);
        ctx.state.edge_visits += m;
        let (changes, exposures) = revoice(ctx, &x, &s);
        ctx.record(step, changes, exposures);
        if stop.at_fixed_point && moved <= s.tolerance {
            ending = Ending {
                outcome: Outcome::FixedPoint,
                period: 0,
                steps: step,
            };
            break;
        }
    }
    finish(ctx, &x, &s);
    ending
}
