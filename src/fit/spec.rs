//! The `[fit]` table of a scenario: free parameters and their priors, the observed data, the
//! summary statistics, the ABC-SMC budget and the held-out split, typed and range-checked
//! once. Every error names the scenario file, the key and what was expected (`docs/fit.md`
//! documents every key).

use std::path::{Path, PathBuf};

use toml::{Table, Value};

use crate::fit::prior::Prior;

/// A problem with a `[fit]` table or with the observed data it names.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{file}: {key}: {message}")]
pub struct FitError {
    /// The file (scenario or data file).
    pub file: String,
    /// The key (`fit.particles`), or the line (`line 12`) of a data file.
    pub key: String,
    /// What was expected and what was found.
    pub message: String,
}

impl FitError {
    /// An error about `key` in `file`.
    pub fn new(
        file: impl Into<String>,
        key: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        FitError {
            file: file.into(),
            key: key.into(),
            message: message.into(),
        }
    }
}

/// One free parameter: a scenario key (set as `--set key=value` would) and its prior.
#[derive(Debug, Clone, PartialEq)]
pub struct Parameter {
    /// The scenario key, e.g. `model.p`.
    pub key: String,
    /// Its prior.
    pub prior: Prior,
}

/// A summary statistic of adoption data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Statistic {
    /// Cumulative share adopted at each step, per fitted community.
    Curve,
    /// Cumulative share adopted at each step, all fitted communities pooled.
    PooledCurve,
    /// Exposure excess: the mean share of adopted sources of those who adopt at a step, minus
    /// that of everyone still at risk at that step (0 in expectation without contagion).
    Exposure,
    /// Cascade data: quantiles of the log cascade size.
    Sizes,
    /// Cascade data: median share of the final size reached by each growth time.
    Growth,
}

impl Statistic {
    /// The name used in scenario files.
    pub fn name(self) -> &'static str {
        match self {
            Statistic::Curve => "curve",
            Statistic::PooledCurve => "pooled_curve",
            Statistic::Exposure => "exposure",
            Statistic::Sizes => "sizes",
            Statistic::Growth => "growth",
        }
    }

    const ALL: [Statistic; 5] = [
        Statistic::Curve,
        Statistic::PooledCurve,
        Statistic::Exposure,
        Statistic::Sizes,
        Statistic::Growth,
    ];
}

/// Where the follower graph of adoption data comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Network {
    /// Nodes and edges files (`fit.observed.edges`).
    Edges,
    /// The scenario's own `[graph]`; ids in the data files are its node ids.
    Scenario,
    /// No edges: everyone feels only external influence.
    None,
    /// Everyone in a community follows everyone else in it (mean-field Bass).
    Complete,
}

/// How to read an edge line `a b`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EdgeMeaning {
    /// `a` follows (names, listens to) `b`: influence flows `b -> a`.
    AFollowsB,
    /// `b` follows `a`: influence flows `a -> b`.
    BFollowsA,
}

/// Observed adoption (or complaint) times, one per adopter.
#[derive(Debug, Clone, PartialEq)]
pub struct AdoptionSpec {
    /// `node time` lines (whitespace- or comma-separated; `#` comments; gzip if `.gz`).
    pub events: PathBuf,
    /// `node [community]` lines: the population at risk (non-adopters included).
    pub nodes: Option<PathBuf>,
    /// `a b` lines: the follower graph.
    pub edges: Option<PathBuf>,
    /// How to read the edge lines.
    pub edge_meaning: EdgeMeaning,
    /// Where the graph comes from.
    pub network: Network,
    /// Observed time at step 0.
    pub start: f64,
    /// Observed time units per step.
    pub time_per_step: f64,
    /// The end of the observation window, in observed time units; later events are censored.
    pub horizon: Option<f64>,
}

/// Observed cascades (retweet trees).
#[derive(Debug, Clone, PartialEq)]
pub struct CascadeSpec {
    /// `cascade user parent time` lines (Twitter15's format).
    pub events: PathBuf,
    /// Cascades smaller than this were not collected (selection): simulated ones are kept only
    /// from this size up.
    pub min_size: u32,
    /// Simulated cascades are cut at this size (larger ones count as this size).
    pub max_size: u32,
    /// Cascades kept per simulation.
    pub per_simulation: u32,
    /// The growth curve's times (observed time units after the root).
    pub growth_times: Vec<f64>,
    /// Size quantiles used as statistics.
    pub size_quantiles: Vec<f64>,
}

/// What was observed.
#[derive(Debug, Clone, PartialEq)]
pub enum ObservedSpec {
    /// Adoption times on a population, optionally with a network and communities.
    Adoption(AdoptionSpec),
    /// Cascade trees, fitted with the branching process of `fit::branching`.
    Cascades(CascadeSpec),
}

/// Which part of the data is held out from the fit and scored afterwards.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Holdout {
    /// Nothing held out.
    #[default]
    None,
    /// These communities (by name) or cascades are held out.
    Named(Vec<String>),
    /// A random share of the communities or cascades (drawn from the fit's seed).
    Fraction(f64),
}

/// The typed `[fit]` table.
#[derive(Debug, Clone, PartialEq)]
pub struct FitSpec {
    /// The free parameters, in file order.
    pub parameters: Vec<Parameter>,
    /// The observed data.
    pub observed: ObservedSpec,
    /// The summary statistics the distance compares.
    pub statistics: Vec<Statistic>,
    /// Particles per generation.
    pub particles: u32,
    /// At most this many generations (the first one samples the prior).
    pub generations: u32,
    /// The next tolerance is this weighted quantile of the last generation's distances.
    pub quantile: f64,
    /// Stop when a generation accepts fewer than this share of its simulations.
    pub min_acceptance: f64,
    /// Stop before a generation once this many simulations have been run.
    pub max_simulations: u64,
    /// A particle that needs more attempts than this ends the fit at the last full generation.
    pub max_attempts: u32,
    /// Posterior-predictive simulations.
    pub predictive: u32,
    /// The held-out split.
    pub holdout: Holdout,
    /// The root of the fit's random streams (the scenario's `seed` unless given).
    pub seed: u64,
}

const FIT_KEYS: [&str; 12] = [
    "parameters",
    "observed",
    "statistics",
    "particles",
    "generations",
    "quantile",
    "min_acceptance",
    "max_simulations",
    "max_attempts",
    "predictive",
    "holdout",
    "seed",
];

struct Reader<'a> {
    file: &'a str,
    errors: Vec<FitError>,
}

impl Reader<'_> {
    fn err(&mut self, key: &str, message: String) {
        self.errors.push(FitError::new(self.file, key, message));
    }

    fn unknown(&mut self, table: &Table, prefix: &str, allowed: &[&str]) {
        for k in table.keys() {
            if !allowed.contains(&k.as_str()) {
                self.err(
                    &format!("{prefix}.{k}"),
                    format!("unknown key; expected one of {}", allowed.join(", ")),
                );
            }
        }
    }

    fn float(&mut self, t: &Table, prefix: &str, key: &str) -> Option<f64> {
        let v = t.get(key)?;
        match v {
            Value::Float(f) if f.is_finite() => Some(*f),
            Value::Integer(i) => Some(*i as f64),
            other => {
                self.err(
                    &format!("{prefix}.{key}"),
                    format!("expected a finite number, found {}", describe(other)),
                );
                None
            }
        }
    }

    fn float_in(
        &mut self,
        t: &Table,
        prefix: &str,
        key: &str,
        default: f64,
        ok: impl Fn(f64) -> bool,
        what: &str,
    ) -> f64 {
        match self.float(t, prefix, key) {
            Some(x) if ok(x) => x,
            Some(x) => {
                self.err(
                    &format!("{prefix}.{key}"),
                    format!("expected {what}, found {x}"),
                );
                default
            }
            None => default,
        }
    }

    fn int_in(
        &mut self,
        t: &Table,
        prefix: &str,
        key: &str,
        default: i64,
        lo: i64,
        hi: i64,
    ) -> i64 {
        match t.get(key) {
            None => default,
            Some(Value::Integer(i)) if (lo..=hi).contains(i) => *i,
            Some(other) => {
                self.err(
                    &format!("{prefix}.{key}"),
                    format!(
                        "expected an integer in {lo}..={hi}, found {}",
                        describe(other)
                    ),
                );
                default
            }
        }
    }

    fn path(&mut self, t: &Table, prefix: &str, key: &str, base: &Path) -> Option<PathBuf> {
        match t.get(key)? {
            Value::String(s) => {
                let p = base.join(s);
                if p.is_file() {
                    Some(p)
                } else {
                    self.err(
                        &format!("{prefix}.{key}"),
                        format!("expected a readable file, found no file at {}", p.display()),
                    );
                    None
                }
            }
            other => {
                self.err(
                    &format!("{prefix}.{key}"),
                    format!("expected a file path (a string), found {}", describe(other)),
                );
                None
            }
        }
    }

    fn string(&mut self, t: &Table, prefix: &str, key: &str) -> Option<String> {
        match t.get(key)? {
            Value::String(s) => Some(s.clone()),
            other => {
                self.err(
                    &format!("{prefix}.{key}"),
                    format!("expected a string, found {}", describe(other)),
                );
                None
            }
        }
    }
}

/// How a TOML value is described in errors.
fn describe(v: &Value) -> String {
    match v {
        Value::String(s) => format!("the string \"{s}\""),
        Value::Integer(i) => format!("the integer {i}"),
        Value::Float(f) => format!("the number {f}"),
        Value::Boolean(b) => format!("the boolean {b}"),
        Value::Datetime(d) => format!("the date {d}"),
        Value::Array(_) => "an array".into(),
        Value::Table(_) => "a table".into(),
    }
}

/// Types the `[fit]` table of `root` (a scenario's resolved table). `file` names the scenario
/// in errors, `base` resolves data paths, `seed` is the scenario's seed. Returns every problem
/// found, not just the first.
pub fn parse(root: &Table, file: &str, base: &Path, seed: u64) -> Result<FitSpec, Vec<FitError>> {
    let mut r = Reader {
        file,
        errors: Vec::new(),
    };
    let Some(fit) = root.get("fit") else {
        return Err(vec![FitError::new(
            file,
            "fit",
            "expected a [fit] table (free parameters, observed data); see docs/fit.md",
        )]);
    };
    let Value::Table(fit) = fit else {
        return Err(vec![FitError::new(
            file,
            "fit",
            format!("expected a table, found {}", describe(fit)),
        )]);
    };
    r.unknown(fit, "fit", &FIT_KEYS);

    let parameters = parse_parameters(&mut r, fit);
    let observed = parse_observed(&mut r, fit, base);
    let is_cascades = matches!(observed, Some(ObservedSpec::Cascades(_)));
    let statistics = parse_statistics(&mut r, fit, is_cascades);
    let particles = r.int_in(fit, "fit", "particles", 500, 10, 1_000_000) as u32;
    let generations = r.int_in(fit, "fit", "generations", 12, 1, 1000) as u32;
    let quantile = r.float_in(
        fit,
        "fit",
        "quantile",
        0.5,
        |x| x > 0.0 && x < 1.0,
        "a quantile in (0, 1)",
    );
    let min_acceptance = r.float_in(
        fit,
        "fit",
        "min_acceptance",
        0.02,
        |x| (0.0..1.0).contains(&x),
        "an acceptance rate in [0, 1)",
    );
    let max_simulations = r.int_in(fit, "fit", "max_simulations", 1_000_000, 1, i64::MAX) as u64;
    let max_attempts = r.int_in(fit, "fit", "max_attempts", 10_000, 1, 100_000_000) as u32;
    let predictive = r.int_in(fit, "fit", "predictive", 200, 10, 1_000_000) as u32;
    let seed = r.int_in(fit, "fit", "seed", seed as i64, 0, i64::MAX) as u64;
    let holdout = match fit.get("holdout") {
        None => Holdout::None,
        Some(Value::Table(h)) => parse_holdout(&mut r, h),
        Some(other) => {
            r.err(
                "fit.holdout",
                format!(
                    "expected a table ({{ communities = [\"4\"] }} or {{ fraction = 0.2 }}), found {}",
                    describe(other)
                ),
            );
            Holdout::None
        }
    };
    if !r.errors.is_empty() {
        return Err(r.errors);
    }
    match observed {
        Some(observed) => Ok(FitSpec {
            parameters,
            observed,
            statistics,
            particles,
            generations,
            quantile,
            min_acceptance,
            max_simulations,
            max_attempts,
            predictive,
            holdout,
            seed,
        }),
        None => Err(vec![FitError::new(
            file,
            "fit.observed",
            "expected a table naming the observed data (events = \"...\")",
        )]),
    }
}

fn parse_parameters(r: &mut Reader<'_>, fit: &Table) -> Vec<Parameter> {
    let mut out = Vec::new();
    let table = match fit.get("parameters") {
        Some(Value::Table(t)) if !t.is_empty() => t,
        Some(Value::Table(_)) | None => {
            r.err(
                "fit.parameters",
                "expected at least one free parameter, e.g. \"model.p\" = { prior = \"loguniform\", low = 1e-4, high = 0.2 }".into(),
            );
            return out;
        }
        Some(other) => {
            r.err(
                "fit.parameters",
                format!("expected a table of parameters, found {}", describe(other)),
            );
            return out;
        }
    };
    for (key, v) in table {
        let at = format!("fit.parameters.\"{key}\"");
        if key.starts_with("fit.") || key == "seed" || key.starts_with("graph.") {
            r.err(
                &at,
                "expected a model, population, brand or timing key (the graph, the seed and \
                 [fit] itself cannot be fitted)"
                    .into(),
            );
            continue;
        }
        let Value::Table(t) = v else {
            r.err(
                &at,
                format!(
                    "expected {{ prior = \"uniform\" or \"loguniform\", low = ..., high = ... }}, found {}",
                    describe(v)
                ),
            );
            continue;
        };
        r.unknown(t, &at, &["prior", "low", "high"]);
        let low = r.float(t, &at, "low");
        let high = r.float(t, &at, "high");
        let (Some(low), Some(high)) = (low, high) else {
            if !t.contains_key("low") || !t.contains_key("high") {
                r.err(&at, "expected both `low` and `high`".into());
            }
            continue;
        };
        if low >= high {
            r.err(
                &at,
                format!("expected low < high, found low = {low}, high = {high}"),
            );
            continue;
        }
        let prior = match r.string(t, &at, "prior").as_deref() {
            Some("uniform") | None => Prior::Uniform { low, high },
            Some("loguniform") => {
                if low <= 0.0 {
                    r.err(
                        &format!("{at}.low"),
                        format!("expected low > 0 for a loguniform prior, found {low}"),
                    );
                    continue;
                }
                Prior::LogUniform { low, high }
            }
            Some(other) => {
                r.err(
                    &format!("{at}.prior"),
                    format!("expected \"uniform\" or \"loguniform\", found \"{other}\""),
                );
                continue;
            }
        };
        out.push(Parameter {
            key: key.clone(),
            prior,
        });
    }
    out
}

fn parse_statistics(r: &mut Reader<'_>, fit: &Table, cascades: bool) -> Vec<Statistic> {
    let default = if cascades {
        vec![Statistic::Sizes, Statistic::Growth]
    } else {
        vec![Statistic::Curve, Statistic::Exposure]
    };
    let Some(v) = fit.get("statistics") else {
        return default;
    };
    let names: Vec<&str> = Statistic::ALL.iter().map(|s| s.name()).collect();
    let Value::Array(items) = v else {
        r.err(
            "fit.statistics",
            format!(
                "expected an array of names ({}), found {}",
                names.join(", "),
                describe(v)
            ),
        );
        return default;
    };
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let found = match item {
            Value::String(s) => Statistic::ALL.iter().find(|x| x.name() == s).copied(),
            _ => None,
        };
        match found {
            Some(s) if cascades != matches!(s, Statistic::Sizes | Statistic::Growth) => r.err(
                &format!("fit.statistics[{i}]"),
                format!(
                    "`{}` does not apply to {} data; expected {}",
                    s.name(),
                    if cascades { "cascade" } else { "adoption" },
                    if cascades {
                        "sizes, growth"
                    } else {
                        "curve, pooled_curve, exposure"
                    }
                ),
            ),
            Some(s) if !out.contains(&s) => out.push(s),
            Some(_) => {}
            None => r.err(
                &format!("fit.statistics[{i}]"),
                format!(
                    "expected one of {}, found {}",
                    names.join(", "),
                    describe(item)
                ),
            ),
        }
    }
    if out.is_empty() { default } else { out }
}

fn parse_holdout(r: &mut Reader<'_>, h: &Table) -> Holdout {
    r.unknown(h, "fit.holdout", &["communities", "fraction"]);
    match (h.get("communities"), h.get("fraction")) {
        (Some(_), Some(_)) => {
            r.err(
                "fit.holdout",
                "expected either `communities` or `fraction`, found both".into(),
            );
            Holdout::None
        }
        (Some(Value::Array(items)), None) => {
            let mut names = Vec::new();
            for (i, item) in items.iter().enumerate() {
                match item {
                    Value::String(s) => names.push(s.clone()),
                    Value::Integer(n) => names.push(n.to_string()),
                    other => r.err(
                        &format!("fit.holdout.communities[{i}]"),
                        format!("expected a community name, found {}", describe(other)),
                    ),
                }
            }
            Holdout::Named(names)
        }
        (Some(other), None) => {
            r.err(
                "fit.holdout.communities",
                format!(
                    "expected an array of community names, found {}",
                    describe(other)
                ),
            );
            Holdout::None
        }
        (None, Some(_)) => Holdout::Fraction(r.float_in(
            h,
            "fit.holdout",
            "fraction",
            0.0,
            |x| x > 0.0 && x < 1.0,
            "a share in (0, 1)",
        )),
        (None, None) => Holdout::None,
    }
}

fn parse_observed(r: &mut Reader<'_>, fit: &Table, base: &Path) -> Option<ObservedSpec> {
    let o = match fit.get("observed") {
        Some(Value::Table(t)) => t,
        Some(other) => {
            r.err(
                "fit.observed",
                format!("expected a table, found {}", describe(other)),
            );
            return None;
        }
        None => {
            r.err(
                "fit.observed",
                "expected a table naming the observed data (events = \"...\")".into(),
            );
            return None;
        }
    };
    let p = "fit.observed";
    let kind = r.string(o, p, "kind").unwrap_or_else(|| "adoption".into());
    match kind.as_str() {
        "adoption" => {
            r.unknown(
                o,
                p,
                &[
                    "kind",
                    "events",
                    "nodes",
                    "edges",
                    "edges_mean",
                    "network",
                    "start",
                    "time_per_step",
                    "horizon",
                ],
            );
            let events = r.path(o, p, "events", base);
            if !o.contains_key("events") {
                r.err(
                    &format!("{p}.events"),
                    "expected a file of `node time` lines (the adopters)".into(),
                );
            }
            let nodes = r.path(o, p, "nodes", base);
            let edges = r.path(o, p, "edges", base);
            let edge_meaning = match r.string(o, p, "edges_mean").as_deref() {
                None | Some("a_follows_b") => EdgeMeaning::AFollowsB,
                Some("b_follows_a") => EdgeMeaning::BFollowsA,
                Some(other) => {
                    r.err(
                        &format!("{p}.edges_mean"),
                        format!("expected \"a_follows_b\" or \"b_follows_a\", found \"{other}\""),
                    );
                    EdgeMeaning::AFollowsB
                }
            };
            let default_network = if o.contains_key("edges") {
                Network::Edges
            } else {
                Network::Scenario
            };
            let network = match r.string(o, p, "network").as_deref() {
                None => default_network,
                Some("edges") => Network::Edges,
                Some("scenario") => Network::Scenario,
                Some("none") => Network::None,
                Some("complete") => Network::Complete,
                Some(other) => {
                    r.err(
                        &format!("{p}.network"),
                        format!(
                            "expected \"edges\", \"scenario\", \"none\" or \"complete\", found \"{other}\""
                        ),
                    );
                    default_network
                }
            };
            if network == Network::Edges && !o.contains_key("edges") {
                r.err(
                    &format!("{p}.network"),
                    "network = \"edges\" needs an `edges` file".into(),
                );
            }
            if matches!(network, Network::None | Network::Complete) && !o.contains_key("nodes") {
                r.err(
                    &format!("{p}.network"),
                    "network = \"none\" or \"complete\" needs a `nodes` file (the population at risk)"
                        .into(),
                );
            }
            let start = r.float(o, p, "start").unwrap_or(0.0);
            let time_per_step = r.float_in(
                o,
                p,
                "time_per_step",
                1.0,
                |x| x > 0.0,
                "a positive number of observed time units per step",
            );
            let horizon = r.float(o, p, "horizon");
            if let Some(h) = horizon
                && h <= start
            {
                r.err(
                    &format!("{p}.horizon"),
                    format!("expected a time after start = {start}, found {h}"),
                );
            }
            Some(ObservedSpec::Adoption(AdoptionSpec {
                events: events?,
                nodes,
                edges,
                edge_meaning,
                network,
                start,
                time_per_step,
                horizon,
            }))
        }
        "cascades" => {
            r.unknown(
                o,
                p,
                &[
                    "kind",
                    "events",
                    "min_size",
                    "max_size",
                    "per_simulation",
                    "growth_times",
                    "size_quantiles",
                ],
            );
            let events = r.path(o, p, "events", base);
            if !o.contains_key("events") {
                r.err(
                    &format!("{p}.events"),
                    "expected a file of `cascade user parent time` lines".into(),
                );
            }
            let min_size = r.int_in(o, p, "min_size", 1, 1, 1_000_000) as u32;
            let max_size = r.int_in(o, p, "max_size", 10_000, 2, 10_000_000) as u32;
            if max_size <= min_size {
                r.err(
                    &format!("{p}.max_size"),
                    format!("expected more than min_size = {min_size}, found {max_size}"),
                );
            }
            let per_simulation = r.int_in(o, p, "per_simulation", 200, 10, 1_000_000) as u32;
            let growth_times = floats(r, o, p, "growth_times", &[5.0, 15.0, 60.0, 240.0, 1440.0]);
            let size_quantiles = floats(r, o, p, "size_quantiles", &[0.1, 0.25, 0.5, 0.75, 0.9]);
            if size_quantiles.iter().any(|q| !(0.0..=1.0).contains(q)) {
                r.err(
                    &format!("{p}.size_quantiles"),
                    "expected quantiles in [0, 1]".into(),
                );
            }
            if growth_times.iter().any(|t| *t <= 0.0) {
                r.err(
                    &format!("{p}.growth_times"),
                    "expected positive times".into(),
                );
            }
            Some(ObservedSpec::Cascades(CascadeSpec {
                events: events?,
                min_size,
                max_size,
                per_simulation,
                growth_times,
                size_quantiles,
            }))
        }
        other => {
            r.err(
                &format!("{p}.kind"),
                format!("expected \"adoption\" or \"cascades\", found \"{other}\""),
            );
            None
        }
    }
}

fn floats(r: &mut Reader<'_>, t: &Table, p: &str, key: &str, default: &[f64]) -> Vec<f64> {
    match t.get(key) {
        None => default.to_vec(),
        Some(Value::Array(items)) if !items.is_empty() => {
            let mut out = Vec::new();
            for (i, v) in items.iter().enumerate() {
                match v {
                    Value::Float(f) if f.is_finite() => out.push(*f),
                    Value::Integer(n) => out.push(*n as f64),
                    other => r.err(
                        &format!("{p}.{key}[{i}]"),
                        format!("expected a number, found {}", describe(other)),
                    ),
                }
            }
            out
        }
        Some(other) => {
            r.err(
                &format!("{p}.{key}"),
                format!(
                    "expected a non-empty array of numbers, found {}",
                    describe(other)
                ),
            );
            default.to_vec()
        }
    }
}
