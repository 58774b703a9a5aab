//! Bounded confidence: Deffuant, Neau, Amblard and Weisbuch (2000) and Hegselmann and Krause
//! (2002), on a continuous opinion (sentiment) with a voice threshold.
//!
//! (Parameters only; the dynamics live in `crate::engine::rules::opinion`.)
//!
//! Every agent holds a private opinion `x_i` on a scale, `[0, 1]` as in both papers
//! (`scale = "unit"`) or `[-1, 1]` (`scale = "symmetric"`). What it says aloud is its action:
//! `stand` (voices approval) when `x_i > voice_upper`, `boo` (voices disapproval) when
//! `x_i < voice_lower`, `sit` (silent) otherwise, so what is felt and what is expressed can
//! differ. An agent is influenced by its **sources** (the accounts it follows). See
//! `docs/models/opinion.md` for the parameter tables.

use serde::{Deserialize, Serialize};

use crate::model::{Dist, Problem};

/// The opinion scale.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scale {
    /// `[0, 1]`, the papers' scale.
    #[default]
    Unit,
    /// `[-1, 1]`.
    Symmetric,
}

impl Scale {
    /// The lowest and highest opinion.
    pub fn bounds(self) -> (f64, f64) {
        match self {
            Scale::Unit => (0.0, 1.0),
            Scale::Symmetric => (-1.0, 1.0),
        }
    }

    /// Width of the scale (1 or 2).
    pub fn width(self) -> f64 {
        let (lo, hi) = self.bounds();
        hi - lo
    }

    /// The neutral midpoint (0.5 or 0).
    pub fn midpoint(self) -> f64 {
        let (lo, hi) = self.bounds();
        (lo + hi) / 2.0
    }

    /// Default voice thresholds: the middle third of the scale is silent (`[1/3, 2/3]` on the
    /// unit scale, `[-1/3, 1/3]` on the symmetric one).
    pub fn default_voice(self) -> (f64, f64) {
        let (lo, hi) = self.bounds();
        let w = hi - lo;
        (lo + w / 3.0, lo + 2.0 * w / 3.0)
    }
}

/// A spacing rule for deterministic initial opinions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Spacing {
    /// `x_i = low + (high - low) i / (n - 1)` over the scale (the midpoint when `n = 1`).
    EvenlySpaced,
}

/// How initial opinions are set: `initial = "evenly_spaced"` or a distribution
/// (`initial = { dist = "uniform", low = 0, high = 1 }`, drawn per agent with
/// [`crate::rng::Purpose::Opinion`] and clamped to the scale).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum InitialOpinions {
    /// Deterministic spacing.
    Spaced(Spacing),
    /// Drawn from a distribution.
    Drawn(Dist),
}

/// The settings both bounded-confidence rules share, resolved (defaults filled in).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OpinionSettings {
    /// The scale.
    pub scale: Scale,
    /// Voices approval (`stand`) strictly above this.
    pub voice_upper: f64,
    /// Voices disapproval (`boo`) strictly below this.
    pub voice_lower: f64,
    /// Sorted final opinions are split into clusters where the gap between neighbours exceeds
    /// this.
    pub cluster_gap: f64,
    /// A cluster is major when it holds at least this share of the agents.
    pub major_share: f64,
    /// Convergence tolerance (rule-specific meaning, see each rule).
    pub tolerance: f64,
}

fn default_mu() -> f64 {
    0.5
}
fn default_true() -> bool {
    true
}
fn default_major_share() -> f64 {
    0.1
}
fn default_deffuant_tolerance() -> f64 {
    1e-4
}
fn default_hk_tolerance() -> f64 {
    1e-9
}

/// Parameters of `rule = "deffuant"` (Deffuant et al. 2000, Adv. Complex Syst. 3, 87-98).
///
/// Each step makes `n` random encounters. In each, an agent `i` is drawn uniformly and then one
/// of its sources `j` uniformly (on a complete graph: the paper's random pairs). When
/// `|x_i - x_j| < d` (strictly), `x_i += mu (x_j - x_i)` and, if `symmetric`, also
/// `x_j += mu (x_i - x_j)` (the paper's eq. 1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeffuantParams {
    /// Confidence bound `d` in `(0, width of the scale]`: pairs interact only when their
    /// opinions differ by strictly less than `d`.
    pub d: f64,
    /// Convergence parameter `mu` in `(0, 0.5]` (default 0.5).
    #[serde(default = "default_mu")]
    pub mu: f64,
    /// Whether the source `j` also moves toward the follower `i` (default true, the paper's
    /// rule on a complete graph); false: only the follower moves.
    #[serde(default = "default_true")]
    pub symmetric: bool,
    /// Initial opinions (default: uniform over the scale).
    #[serde(default)]
    pub initial: Option<InitialOpinions>,
    /// The scale (default `unit`, `[0, 1]`).
    #[serde(default)]
    pub scale: Scale,
    /// Voices approval strictly above this (default: two thirds up the scale).
    #[serde(default)]
    pub voice_upper: Option<f64>,
    /// Voices disapproval strictly below this (default: one third up the scale).
    #[serde(default)]
    pub voice_lower: Option<f64>,
    /// Cluster split gap (default `d / 2`).
    #[serde(default)]
    pub cluster_gap: Option<f64>,
    /// Share of agents a major cluster holds at least (default 0.1).
    #[serde(default = "default_major_share")]
    pub major_share: f64,
    /// Stop once the opinions, split where neighbours differ by at least `d`, form groups each
    /// no wider than this (default 1e-4): no later encounter can then move anyone by more
    /// than `mu x tolerance`.
    #[serde(default = "default_deffuant_tolerance")]
    pub tolerance: f64,
}

/// Parameters of `rule = "hegselmann_krause"` (Hegselmann and Krause 2002, JASSS 5(3)2).
///
/// Synchronously, every agent moves to the mean opinion of itself and of those of its sources
/// `j` with `|x_j - x_i| <= eps` (eq. 2 of the paper; on a complete graph every agent sees
/// everyone).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HegselmannKrauseParams {
    /// Confidence bound `eps >= 0` (inclusive: `|x_j - x_i| <= eps`).
    pub eps: f64,
    /// Initial opinions (default: uniform over the scale).
    #[serde(default)]
    pub initial: Option<InitialOpinions>,
    /// The scale (default `unit`, `[0, 1]`).
    #[serde(default)]
    pub scale: Scale,
    /// Voices approval strictly above this (default: two thirds up the scale).
    #[serde(default)]
    pub voice_upper: Option<f64>,
    /// Voices disapproval strictly below this (default: one third up the scale).
    #[serde(default)]
    pub voice_lower: Option<f64>,
    /// Cluster split gap (default `eps / 2`).
    #[serde(default)]
    pub cluster_gap: Option<f64>,
    /// Share of agents a major cluster holds at least (default 0.1).
    #[serde(default = "default_major_share")]
    pub major_share: f64,
    /// Stop once no opinion moved by more than this in a step (default 1e-9).
    #[serde(default = "default_hk_tolerance")]
    pub tolerance: f64,
}

/// Problems of the settings both rules share.
#[allow(clippy::too_many_arguments)]
fn shared_problems(
    out: &mut Vec<Problem>,
    initial: &Option<InitialOpinions>,
    scale: Scale,
    voice_upper: Option<f64>,
    voice_lower: Option<f64>,
    cluster_gap: Option<f64>,
    major_share: f64,
    tolerance: f64,
) {
    let (lo, hi) = scale.bounds();
    if let Some(InitialOpinions::Drawn(dist)) = initial {
        match dist.check() {
            Err(e) => out.push(Problem::new("initial", e)),
            Ok(()) => {
                let (a, b) = dist.support();
                if a.is_finite() && b.is_finite() && (a < lo || b > hi) {
                    out.push(Problem::new(
                        "initial",
                        format!(
                            "expected a distribution within the scale [{lo}, {hi}], found \
                             values in [{a}, {b}]"
                        ),
                    ));
                }
            }
        }
    }
    for (key, v) in [("voice_upper", voice_upper), ("voice_lower", voice_lower)] {
        if let Some(v) = v
            && !v.is_finite()
        {
            out.push(Problem::new(
                key,
                format!("expected a finite number, found {v}"),
            ));
        }
    }
    let (dl, du) = scale.default_voice();
    let (l, u) = (voice_lower.unwrap_or(dl), voice_upper.unwrap_or(du));
    if l.is_finite() && u.is_finite() && l > u {
        out.push(Problem::new(
            "voice_lower",
            format!(
                "expected voice_lower <= voice_upper, found voice_lower = {l}, voice_upper = {u}"
            ),
        ));
    }
    if let Some(g) = cluster_gap
        && !(g.is_finite() && g >= 0.0)
    {
        out.push(Problem::new(
            "cluster_gap",
            format!("expected a finite gap >= 0, found {g}"),
        ));
    }
    if !(0.0..=1.0).contains(&major_share) {
        out.push(Problem::new(
            "major_share",
            format!("expected a share in [0, 1], found {major_share}"),
        ));
    }
    if !(tolerance.is_finite() && tolerance >= 0.0) {
        out.push(Problem::new(
            "tolerance",
            format!("expected a finite tolerance >= 0, found {tolerance}"),
        ));
    }
}

fn resolve(
    scale: Scale,
    voice_upper: Option<f64>,
    voice_lower: Option<f64>,
    cluster_gap: Option<f64>,
    bound: f64,
    major_share: f64,
    tolerance: f64,
) -> OpinionSettings {
    let (dl, du) = scale.default_voice();
    OpinionSettings {
        scale,
        voice_upper: voice_upper.unwrap_or(du),
        voice_lower: voice_lower.unwrap_or(dl),
        cluster_gap: cluster_gap.unwrap_or(bound / 2.0),
        major_share,
        tolerance,
    }
}

impl DeffuantParams {
    /// What is wrong with these parameters (empty when they are valid).
    pub fn problems(&self) -> Vec<Problem> {
        let mut out = Vec::new();
        let w = self.scale.width();
        if !(self.d > 0.0 && self.d <= w) {
            out.push(Problem::new(
                "d",
                format!(
                    "expected a confidence bound in (0, {w}] (the width of the {} scale), found {}",
                    scale_name(self.scale),
                    self.d
                ),
            ));
        }
        if !(self.mu > 0.0 && self.mu <= 0.5) {
            out.push(Problem::new(
                "mu",
                format!(
                    "expected a convergence parameter in (0, 0.5], found {}",
                    self.mu
                ),
            ));
        }
        shared_problems(
            &mut out,
            &self.initial,
            self.scale,
            self.voice_upper,
            self.voice_lower,
            self.cluster_gap,
            self.major_share,
            self.tolerance,
        );
        out
    }

    /// The shared settings with defaults filled in.
    pub fn settings(&self) -> OpinionSettings {
        resolve(
            self.scale,
            self.voice_upper,
            self.voice_lower,
            self.cluster_gap,
            self.d,
            self.major_share,
            self.tolerance,
        )
    }
}

impl HegselmannKrauseParams {
    /// What is wrong with these parameters (empty when they are valid).
    pub fn problems(&self) -> Vec<Problem> {
        let mut out = Vec::new();
        if !(self.eps.is_finite() && self.eps >= 0.0) {
            out.push(Problem::new(
                "eps",
                format!("expected a confidence bound >= 0, found {}", self.eps),
            ));
        }
        shared_problems(
            &mut out,
            &self.initial,
            self.scale,
            self.voice_upper,
            self.voice_lower,
            self.cluster_gap,
            self.major_share,
            self.tolerance,
        );
        out
    }

    /// The shared settings with defaults filled in.
    pub fn settings(&self) -> OpinionSettings {
        resolve(
            self.scale,
            self.voice_upper,
            self.voice_lower,
            self.cluster_gap,
            self.eps,
            self.major_share,
            self.tolerance,
        )
    }
}

fn scale_name(s: Scale) -> &'static str {
    match s {
        Scale::Unit => "unit",
        Scale::Symmetric => "symmetric",
    }
}

/// The clusters of `opinions`: sorted ascending and split where two neighbours differ by more
/// than `gap`. Returns each cluster's `(size, mean)`, lowest first.
pub fn clusters(opinions: &[f64], gap: f64) -> Vec<(usize, f64)> {
    let mut v: Vec<f64> = opinions.to_vec();
    v.sort_by(f64::total_cmp);
    let mut out = Vec::new();
    let mut start = 0;
    for k in 1..=v.len() {
        if k == v.len() || v[k] - v[k - 1] > gap {
            let part = &v[start..k];
            out.push((part.len(), part.iter().sum::<f64>() / part.len() as f64));
            start = k;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn deffuant(text: &str) -> DeffuantParams {
        toml::from_str(text).expect("parses")
    }

    #[test]
    fn defaults_and_voice() {
        let p = deffuant("d = 0.2");
        assert_eq!(p.mu, 0.5);
        assert!(p.symmetric);
        assert!(p.problems().is_empty());
        let s = p.settings();
        assert_eq!(s.cluster_gap, 0.1);
        assert!((s.voice_lower - 1.0 / 3.0).abs() < 1e-15);
        assert!((s.voice_upper - 2.0 / 3.0).abs() < 1e-15);
        let q = deffuant("d = 0.2\nscale = \"symmetric\"");
        let s = q.settings();
        assert!((s.voice_lower + 1.0 / 3.0).abs() < 1e-15);
        assert!((s.voice_upper - 1.0 / 3.0).abs() < 1e-15);
    }

    #[test]
    fn initial_forms() {
        let p = deffuant("d = 0.2\ninitial = \"evenly_spaced\"");
        assert_eq!(
            p.initial,
            Some(InitialOpinions::Spaced(Spacing::EvenlySpaced))
        );
        let p = deffuant("d = 0.2\ninitial = { dist = \"uniform\", low = 0.2, high = 0.8 }");
        assert!(matches!(p.initial, Some(InitialOpinions::Drawn(_))));
        assert!(p.problems().is_empty());
        let p = deffuant("d = 0.2\ninitial = { dist = \"uniform\", low = -1, high = 1 }");
        assert_eq!(p.problems()[0].key, "initial");
    }

    #[test]
    fn bad_parameters_are_named() {
        let p = deffuant("d = 1.5\nmu = 0.6\nvoice_lower = 0.9\nvoice_upper = 0.1");
        let keys: Vec<String> = p.problems().into_iter().map(|p| p.key).collect();
        assert_eq!(keys, ["d", "mu", "voice_lower"]);
        assert_eq!(
            p.problems()[0].message,
            "expected a confidence bound in (0, 1] (the width of the unit scale), found 1.5"
        );
        assert!(deffuant("d = 0").problems()[0].message.contains("found 0"));
        let h: HegselmannKrauseParams = toml::from_str("eps = -0.1").expect("parses");
        assert_eq!(
            h.problems()[0].message,
            "expected a confidence bound >= 0, found -0.1"
        );
        let h: HegselmannKrauseParams = toml::from_str("eps = 0").expect("parses");
        assert!(h.problems().is_empty());
    }

    #[test]
    fn clusters_split_on_gaps() {
        let c = clusters(&[0.1, 0.5, 0.11, 0.52, 0.9], 0.05);
        assert_eq!(c.len(), 3);
        assert_eq!(c[0].0, 2);
        assert_eq!(c[1].0, 2);
        assert_eq!(c[2], (1, 0.9));
        assert!(clusters(&[], 0.1).is_empty());
    }
}
