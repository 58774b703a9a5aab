//! `ovation fit`: calibration of a scenario's parameters to observed diffusion data by
//! simulation-based inference (ABC-SMC), with posterior summaries, posterior-predictive
//! checks and a held-out score. `docs/fit.md` is the user's guide.
//!
//! - [`spec`]: the `[fit]` table (free parameters and priors, observed data, statistics,
//!   budget, held-out split) and its errors;
//! - [`prior`]: priors and the internal coordinates the sampler works in;
//! - [`observed`]: reading adoption times (with nodes, communities and edges) and cascades;
//! - [`summary`]: summary statistics and the distance;
//! - [`abc`]: the ABC-SMC sampler (Beaumont et al. 2009; Del Moral et al. 2012);
//! - [`branching`]: the branching process fitted to cascades without a follower graph;
//! - [`predict`]: posterior summaries, posterior-predictive bands and held-out scores.
//!
//! Adoption data are simulated by the engine itself, through [`crate::runner`]: each
//! simulation is the scenario with the particle's values applied as `--set` overrides, run
//! on the data's graph, with an observer that records each agent's adoption step. A fit is a
//! pure function of the scenario and its seed, whatever the number of threads.

pub mod abc;
pub mod branching;
pub mod observed;
pub mod predict;
pub mod prior;
pub mod spec;
pub mod summary;

use std::path::{Path, PathBuf};

use anyhow::{Context, anyhow};

use crate::engine::{Observer, StepRecord};
use crate::fit::observed::{AdoptionData, Cascade, NEVER};
use crate::fit::spec::{FitSpec, Holdout, ObservedSpec};
use crate::graph::FollowerGraph;
use crate::model::Action;
use crate::rng::{Purpose, Stream, mix64};
use crate::scenario::{self, Scenario};

/// A loaded fit: the scenario, its `[fit]` table and the observed data.
#[derive(Debug)]
pub struct FitJob {
    /// The scenario as validated (with the user's `--set` overrides).
    pub scenario: Scenario,
    /// The `[fit]` table.
    pub spec: FitSpec,
    /// The observed data.
    pub data: Data,
    /// Which communities (adoption data) or cascades are fitted.
    pub fitted: Vec<bool>,
    /// The scenario text, its folder and the user's overrides (each simulation re-applies the
    /// particle's values on top of them).
    text: String,
    base_dir: PathBuf,
}

/// The observed data of a fit.
#[derive(Debug)]
pub enum Data {
    /// Adoption times with the graph they are simulated on.
    Adoption {
        /// The data.
        data: Box<AdoptionData>,
        /// The graph (from the files or the scenario).
        graph: FollowerGraph,
    },
    /// Cascades.
    Cascades(Vec<Cascade>),
}

impl FitJob {
    /// Reads the scenario at `path` with `overrides`, its `[fit]` table and the observed data.
    pub fn load(path: &Path, overrides: &[String]) -> anyhow::Result<FitJob> {
        let scenario = scenario::load(path, overrides).map_err(|e| anyhow!("{e}"))?;
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("{}: cannot read", path.display()))?;
        let base_dir = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let file = path.display().to_string();
        let spec = spec::parse(&scenario.resolved, &file, &base_dir, scenario.seed)
            .map_err(|errs| anyhow!("{}", join_errors(&errs)))?;
        let data = match &spec.observed {
            ObservedSpec::Adoption(a) => {
                let scenario_graph = if a.network == spec::Network::Scenario {
                    Some(crate::runner::load_graph(&scenario, None)?)
                } else {
                    None
                };
                let mut data = observed::load_adoption(a, scenario_graph.as_ref())?;
                let graph = match (data.graph.take(), scenario_graph) {
                    (Some(g), _) | (None, Some(g)) => g,
                    (None, None) => return Err(anyhow!("{file}: fit.observed: no graph")),
                };
                for p in &spec.parameters {
                    if p.key.starts_with("branching.") {
                        return Err(anyhow!(
                            "{file}: fit.parameters.\"{}\": branching parameters apply to cascade data (kind = \"cascades\") only",
                            p.key
                        ));
                    }
                }
                Data::Adoption {
                    data: Box::new(data),
                    graph,
                }
            }
            ObservedSpec::Cascades(c) => {
                for p in &spec.parameters {
                    if !branching::KEYS.contains(&p.key.as_str()) {
                        return Err(anyhow!(
                            "{file}: fit.parameters.\"{}\": cascade data are fitted with the branching process; expected one of {}",
                            p.key,
                            branching::KEYS.join(", ")
                        ));
                    }
                }
                Data::Cascades(observed::load_cascades(c)?)
            }
        };
        let instances = match &data {
            Data::Adoption { data, .. } => data.communities.clone(),
            Data::Cascades(c) => c.iter().map(|c| c.name.clone()).collect(),
        };
        let fitted = holdout_split(&spec, &instances, &file)?;
        Ok(FitJob {
            scenario,
            spec,
            data,
            fitted,
            text,
            base_dir,
        })
    }

    /// A job from parts already in memory (synthetic experiments and tests): `text` is the
    /// scenario (with its `[fit]` table; its `observed` table is not read), `data` the data.
    pub fn from_parts(
        text: &str,
        base_dir: &Path,
        spec: FitSpec,
        data: Data,
    ) -> anyhow::Result<FitJob> {
        let scenario = scenario::load_str("synthetic.toml", text, base_dir, &[])
            .map_err(|e| anyhow!("{e}"))?;
        let count = match &data {
            Data::Adoption { data, .. } => data.communities.len(),
            Data::Cascades(c) => c.len(),
        };
        let names: Vec<String> = (0..count).map(|i| i.to_string()).collect();
        let fitted = holdout_split(&spec, &names, "synthetic.toml")?;
        Ok(FitJob {
            scenario,
            spec,
            data,
            fitted,
            text: text.to_string(),
            base_dir: base_dir.to_path_buf(),
        })
    }

    /// Names of the instances (communities or cascades), in data order.
    pub fn instance_names(&self) -> Vec<String> {
        match &self.data {
            Data::Adoption { data, .. } => data.communities.clone(),
            Data::Cascades(c) => c.iter().map(|c| c.name.clone()).collect(),
        }
    }

    /// The observed statistics over the instances in `used`, and their group lengths.
    pub fn observed_stats(&self, used: &[bool]) -> (Vec<f64>, Vec<usize>) {
        match &self.data {
            Data::Adoption { data, graph } => {
                let sizes = data.sizes();
                let frame = summary::Frame {
                    community: &data.community,
                    sizes: &sizes,
                    used,
                    steps: data.steps,
                };
                summary::adoption_stats(&self.spec.statistics, &frame, graph, &data.adoption)
            }
            Data::Cascades(c) => {
                let picked: Vec<Cascade> = c
                    .iter()
                    .zip(used)
                    .filter(|x| *x.1)
                    .map(|x| x.0.clone())
                    .collect();
                let ObservedSpec::Cascades(cs) = &self.spec.observed else {
                    return (Vec::new(), Vec::new());
                };
                summary::cascade_stats(
                    &self.spec.statistics,
                    &picked,
                    &cs.size_quantiles,
                    &cs.growth_times,
                )
            }
        }
    }

    /// The scenario with the parameter `values` (in `[fit.parameters]` order) applied as
    /// overrides, after the user's.
    pub fn scenario_at(&self, values: &[f64]) -> anyhow::Result<Scenario> {
        let mut overrides = self.scenario.overrides.clone();
        for (p, v) in self.spec.parameters.iter().zip(values) {
            overrides.push(format!("{}={v:?}", p.key));
        }
        scenario::load_str(
            &self.scenario.path.display().to_string(),
            &self.text,
            &self.base_dir,
            &overrides,
        )
        .map_err(|e| anyhow!("at parameters {values:?}: {e}"))
    }

    /// One simulation of adoption data at `values` under `seed`: each agent's adoption step
    /// (0 for agents adopting at the start, [`NEVER`] for those that never do).
    pub fn simulate_adoption(&self, values: &[f64], seed: u64) -> anyhow::Result<Vec<u32>> {
        let Data::Adoption { data, graph } = &self.data else {
            return Err(anyhow!("not adoption data"));
        };
        let mut sc = self.scenario_at(values)?;
        sc.seed = seed;
        sc.stop.max_steps = data.steps;
        let mut obs = AdoptionObserver {
            steps: vec![NEVER; graph.node_count() as usize],
        };
        crate::runner::run_one_with(&sc, Some(graph), 0, Some(&mut obs))?;
        Ok(obs.steps)
    }

    /// One simulation of cascades at `values` under `seed`: `per_simulation` cascades of at
    /// least `min_size` events (fewer when too few reach that size in 200 tries each).
    pub fn simulate_cascades(&self, values: &[f64], seed: u64) -> Vec<Cascade> {
        let ObservedSpec::Cascades(cs) = &self.spec.observed else {
            return Vec::new();
        };
        let b = self.branching_at(values);
        let mut out = Vec::new();
        let tries = cs.per_simulation.saturating_mul(200);
        for a in 0..tries {
            let times = b.cascade(seed, a, cs.max_size);
            if times.len() as u32 >= cs.min_size {
                out.push(Cascade {
                    name: a.to_string(),
                    times,
                });
                if out.len() as u32 >= cs.per_simulation {
                    break;
                }
            }
        }
        out
    }

    /// The branching process at `values` (keys not fitted take their defaults: dispersion 1,
    /// delay median 60 min, delay sigma 1.5, r 0.9).
    pub fn branching_at(&self, values: &[f64]) -> branching::Branching {
        let mut b = branching::Branching {
            r: 0.9,
            dispersion: 1.0,
            delay_median: 60.0,
            delay_sigma: 1.5,
        };
        for (p, &v) in self.spec.parameters.iter().zip(values) {
            match p.key.as_str() {
                "branching.r" => b.r = v,
                "branching.dispersion" => b.dispersion = v,
                "branching.delay_median" => b.delay_median = v,
                "branching.delay_sigma" => b.delay_sigma = v,
                _ => {}
            }
        }
        b
    }

    /// The statistics of one simulation at `values` under `seed`, over the fitted instances.
    pub fn simulate_stats(&self, values: &[f64], seed: u64) -> anyhow::Result<Vec<f64>> {
        match &self.data {
            Data::Adoption { data, graph } => {
                let adoption = self.simulate_adoption(values, seed)?;
                let sizes = data.sizes();
                let frame = summary::Frame {
                    community: &data.community,
                    sizes: &sizes,
                    used: &self.fitted,
                    steps: data.steps,
                };
                Ok(summary::adoption_stats(&self.spec.statistics, &frame, graph, &adoption).0)
            }
            Data::Cascades(_) => {
                let ObservedSpec::Cascades(cs) = &self.spec.observed else {
                    return Ok(Vec::new());
                };
                let sims = self.simulate_cascades(values, seed);
                let (mut s, _) = summary::cascade_stats(
                    &self.spec.statistics,
                    &sims,
                    &cs.size_quantiles,
                    &cs.growth_times,
                );
                if (sims.len() as u32) < cs.per_simulation / 2 {
                    s.iter_mut().for_each(|x| *x = f64::NAN);
                }
                Ok(s)
            }
        }
    }

    /// The sampler's settings from `[fit]`.
    pub fn settings(&self) -> abc::Settings {
        abc::Settings {
            particles: self.spec.particles,
            generations: self.spec.generations,
            quantile: self.spec.quantile,
            min_acceptance: self.spec.min_acceptance,
            max_simulations: self.spec.max_simulations,
            max_attempts: self.spec.max_attempts,
            seed: self.spec.seed,
        }
    }

    /// Runs ABC-SMC on the fitted instances.
    pub fn run_abc(&self) -> anyhow::Result<abc::AbcRun> {
        let (observed, groups) = self.observed_stats(&self.fitted);
        let priors: Vec<prior::Prior> = self.spec.parameters.iter().map(|p| p.prior).collect();
        abc::run(&priors, &observed, &groups, &self.settings(), |v, seed| {
            self.simulate_stats(v, seed)
        })
    }
}

/// Which instances are fitted (true) and which held out.
fn holdout_split(spec: &FitSpec, names: &[String], file: &str) -> anyhow::Result<Vec<bool>> {
    let n = names.len();
    match &spec.holdout {
        Holdout::None => Ok(vec![true; n]),
        Holdout::Named(list) => {
            let mut fitted = vec![true; n];
            for name in list {
                match names.iter().position(|x| x == name) {
                    Some(i) => fitted[i] = false,
                    None => {
                        return Err(anyhow!(
                            "{file}: fit.holdout.communities: expected names found in the data ({}), found \"{name}\"",
                            preview(names)
                        ));
                    }
                }
            }
            if fitted.iter().all(|f| !f) {
                return Err(anyhow!(
                    "{file}: fit.holdout.communities: expected at least one community left to fit, found all held out"
                ));
            }
            Ok(fitted)
        }
        Holdout::Fraction(share) => {
            let k = ((n as f64) * share).round() as usize;
            if n < 2 || k == 0 || k >= n {
                return Err(anyhow!(
                    "{file}: fit.holdout.fraction: expected a share that holds out at least one of {n} instance(s) and keeps one, found {share}"
                ));
            }
            // A partial Fisher-Yates shuffle from the fit's seed.
            let mut order: Vec<usize> = (0..n).collect();
            let mut s = Stream::new(mix64(spec.seed), Purpose::FitHoldout, 0, 0);
            for i in 0..k {
                let j = i + s.below((n - i) as u64) as usize;
                order.swap(i, j);
            }
            let mut fitted = vec![true; n];
            for &i in &order[..k] {
                fitted[i] = false;
            }
            Ok(fitted)
        }
    }
}

fn preview(names: &[String]) -> String {
    let mut s = names.iter().take(8).cloned().collect::<Vec<_>>().join(", ");
    if names.len() > 8 {
        s.push_str(", ...");
    }
    s
}

/// All errors of a `[fit]` table, one per line.
pub fn join_errors(errs: &[spec::FitError]) -> String {
    errs.iter()
        .map(|e| e.to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Records each agent's first step standing (adopted).
struct AdoptionObserver {
    steps: Vec<u32>,
}

impl Observer for AdoptionObserver {
    fn on_step(&mut self, _record: &StepRecord) {}

    fn wants_actions(&self) -> bool {
        true
    }

    fn on_actions(&mut self, step: u32, actions: &[u8]) {
        for (t, &a) in self.steps.iter_mut().zip(actions) {
            if *t == NEVER && a == Action::Stand as u8 {
                *t = step;
            }
        }
    }
}
