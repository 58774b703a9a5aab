//! Agents and decision rules: per-agent parameters (struct of arrays), actions, attribute
//! distributions, and one file per rule.
//!
//! A rule is selected once per run ([`RuleSpec`]); the engine dispatches on it once per step,
//! never per agent.

pub mod action;
pub mod bass;
pub mod brand;
pub mod cascade;
pub mod delay;
pub mod dist;
pub mod epidemic;
pub mod opinion;
pub mod population;
pub mod sentiment;
pub mod sop;
pub mod threshold;
pub mod voter;
pub mod webcare;

use serde::{Deserialize, Serialize};

pub use action::Action;
pub use dist::{Dist, NamedDist};
pub use population::{Agents, ClassKind, ClassSpec};
pub use sop::TieRule;

/// The decision rule and its parameters, as written in a scenario's `[model]` table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "rule", rename_all = "snake_case", deny_unknown_fields)]
pub enum RuleSpec {
    /// Miller and Page's Standing Ovation rule (see [`sop`]).
    Sop {
        /// Quality `q` of the performance: signals are `s_i = q + e_i`.
        quality: f64,
        /// How exact ties are settled.
        #[serde(default)]
        tie: TieRule,
        /// Probability in `[0, 1]` that an agent flips its action after revising.
        #[serde(default)]
        noise: f64,
    },
    /// Granovetter (1978) / Watts (2002) threshold cascade (see [`threshold`]).
    Threshold(threshold::ThresholdParams),
    /// Kempe, Kleinberg and Tardos (2003) independent cascade (see [`cascade`]).
    IndependentCascade(cascade::IndependentCascadeParams),
    /// Kempe, Kleinberg and Tardos (2003) linear threshold (see [`cascade`]).
    LinearThreshold(cascade::LinearThresholdParams),
    /// The voter model: copy a random source (see [`voter`]).
    Voter(voter::VoterParams),
    /// Majority rule over one's sources (see [`voter`]).
    Majority(voter::MajorityParams),
    /// The q-voter model of Castellano et al. (2009) (see [`voter`]).
    QVoter(voter::QVoterParams),
    /// Discrete-time SIR contagion (see [`epidemic`]).
    Sir(epidemic::SirParams),
    /// Discrete-time SIS contagion (see [`epidemic`]).
    Sis(epidemic::SisParams),
    /// The Maki-Thompson rumour model (see [`epidemic`]).
    MakiThompson(epidemic::MakiThompsonParams),
    /// Deffuant et al. (2000) bounded confidence (see [`opinion`]).
    Deffuant(opinion::DeffuantParams),
    /// Hegselmann and Krause (2002) bounded confidence (see [`opinion`]).
    HegselmannKrause(opinion::HegselmannKrauseParams),
    /// Bass (1969) diffusion (see [`bass`]).
    Bass(bass::BassParams),
    /// Felt sentiment anchored to experience, Friedkin and Johnsen (1990) (see [`sentiment`]).
    Sentiment(sentiment::SentimentParams),
}

/// One problem with a rule's parameters: the key under `[model]` (dotted for nested keys) and
/// what was expected, e.g. `("probability", "expected a probability in [0, 1], found 1.5")`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The key under `[model]`, e.g. `probability` or `edge_probability.value`.
    pub key: String,
    /// What was expected and what was found.
    pub message: String,
}

impl Problem {
    /// A problem with `key`.
    pub fn new(key: impl Into<String>, message: impl Into<String>) -> Problem {
        Problem {
            key: key.into(),
            message: message.into(),
        }
    }
}

impl RuleSpec {
    /// The rule's name as written in scenarios.
    pub fn name(&self) -> &'static str {
        match self {
            RuleSpec::Sop { .. } => "sop",
            RuleSpec::Threshold(_) => "threshold",
            RuleSpec::IndependentCascade(_) => "independent_cascade",
            RuleSpec::LinearThreshold(_) => "linear_threshold",
            RuleSpec::Voter(_) => "voter",
            RuleSpec::Majority(_) => "majority",
            RuleSpec::QVoter(_) => "q_voter",
            RuleSpec::Sir(_) => "sir",
            RuleSpec::Sis(_) => "sis",
            RuleSpec::MakiThompson(_) => "maki_thompson",
            RuleSpec::Deffuant(_) => "deffuant",
            RuleSpec::HegselmannKrause(_) => "hegselmann_krause",
            RuleSpec::Bass(_) => "bass",
            RuleSpec::Sentiment(_) => "sentiment",
        }
    }

    /// Every rule name, as written in scenarios.
    pub const NAMES: [&'static str; 14] = [
        "sop",
        "threshold",
        "independent_cascade",
        "linear_threshold",
        "voter",
        "majority",
        "q_voter",
        "sir",
        "sis",
        "maki_thompson",
        "deffuant",
        "hegselmann_krause",
        "bass",
        "sentiment",
    ];

    /// The signal quality `q` the population is sampled with (0 for rules without signals).
    pub fn quality(&self) -> f64 {
        match self {
            RuleSpec::Sop { quality, .. } => *quality,
            RuleSpec::Sentiment(p) => p.quality,
            _ => 0.0,
        }
    }

    /// Whether agents start from their private signals (`stand` iff `s_i > T_i`). Only the
    /// Standing Ovation rule does; under every other rule an agent starts inactive (`sit`)
    /// unless its class sets `initial` or `fixed`, or `[seeding]` picks it.
    pub fn uses_signals(&self) -> bool {
        matches!(self, RuleSpec::Sop { .. })
    }

    /// What is wrong with the rule's parameters (empty when they are valid).
    pub fn problems(&self) -> Vec<Problem> {
        match self {
            RuleSpec::Sop { quality, noise, .. } => {
                let mut out = Vec::new();
                if !quality.is_finite() {
                    out.push(Problem::new(
                        "quality",
                        format!("expected a finite number, found {quality}"),
                    ));
                }
                if !(0.0..=1.0).contains(noise) {
                    out.push(Problem::new(
                        "noise",
                        format!("expected a probability in [0, 1], found {noise}"),
                    ));
                }
                out
            }
            RuleSpec::Threshold(p) => p.problems(),
            RuleSpec::IndependentCascade(p) => p.problems(),
            RuleSpec::LinearThreshold(p) => p.problems(),
            RuleSpec::Voter(p) => p.problems(),
            RuleSpec::Majority(p) => p.problems(),
            RuleSpec::QVoter(p) => p.problems(),
            RuleSpec::Sir(p) => p.problems(),
            RuleSpec::Sis(p) => p.problems(),
            RuleSpec::MakiThompson(p) => p.problems(),
            RuleSpec::Deffuant(p) => p.problems(),
            RuleSpec::HegselmannKrause(p) => p.problems(),
            RuleSpec::Bass(p) => p.problems(),
            RuleSpec::Sentiment(p) => p.problems(),
        }
    }
}
