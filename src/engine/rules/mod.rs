//! The registry of rules: [`RuleSpec`], the `[model]` table of a scenario, with one line per
//! built-in rule (its scenario name and its parameter type). Each rule lives in one file of this
//! folder, implementing the contract [`Rule`] for its parameters: the Standing Ovation rule
//! (`sop`, with its timing schemes) and the reference rules of the cascade literature, all step
//! loops over the same follower graph and [`State`](crate::engine::state::State).
//!
//! **Adding a rule**: write `src/engine/rules/<name>.rs` with a parameter type (serde, with
//! `deny_unknown_fields`) and `impl Rule for` it, add `pub mod <name>;` and one line to the
//! `registry!` call below. The scenario reader, the engine, every job and every output file
//! then know it; its page goes in `docs/models/`.
//!
//! How each rule's states map to the three actions written in every table:
//!
//! | rule | `sit` | `stand` | `boo` |
//! |---|---|---|---|
//! | threshold, independent_cascade, linear_threshold, bass | inactive | active (adopted) | - |
//! | voter, majority, q_voter | opinion 0 | opinion 1 | - |
//! | sir | susceptible | infected | recovered |
//! | sis | susceptible | infected | - |
//! | maki_thompson | ignorant | spreader | stifler |
//! | deffuant, hegselmann_krause | silent (between the voice thresholds) | voices approval | voices disapproval |
//! | sentiment | silent | praises | complains |
//!

pub mod bass;
pub mod cascade;
pub mod epidemic;
pub mod opinion;
pub mod sentiment;
pub mod sop;
pub mod threshold;
pub mod voter;

use serde::{Deserialize, Serialize};

pub use crate::engine::rule::{CustomRule, Rule};
use crate::model::{self, Problem};

/// Declares [`RuleSpec`] with one variant per registered rule, and its dispatch to the
/// rule contract.
macro_rules! registry {
    ($($(#[$doc:meta])* $variant:ident($params:ty) = $name:literal,)*) => {
        /// The decision rule and its parameters, as written in a scenario's `[model]` table
        /// (`rule = "<name>"` and the rule's keys).
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        #[serde(tag = "rule", deny_unknown_fields)]
        pub enum RuleSpec {
            $($(#[$doc])* #[serde(rename = $name)] $variant($params),)*
            /// A rule defined in code ([`CustomRule`]); scenario files cannot name it.
            #[serde(rename = "custom", skip_deserializing)]
            Custom(CustomRule),
        }

        impl RuleSpec {
            /// Every registered rule name, as written in scenarios.
            pub const NAMES: &'static [&'static str] = &[$($name),*];

            /// The rule, through its contract.
            pub fn contract(&self) -> &dyn Rule {
                match self {
                    $(RuleSpec::$variant(p) => p,)*
                    RuleSpec::Custom(c) => &*c.0,
                }
            }
        }
    };
}

registry! {
    /// Miller and Page's Standing Ovation rule (see [`model::sop`], [`sop`]).
    Sop(model::SopParams) = "sop",
    /// Granovetter (1978) / Watts (2002) threshold cascade (see [`model::threshold`]).
    Threshold(model::threshold::ThresholdParams) = "threshold",
    /// Kempe, Kleinberg and Tardos (2003) independent cascade (see [`model::cascade`]).
    IndependentCascade(model::cascade::IndependentCascadeParams) = "independent_cascade",
    /// Kempe, Kleinberg and Tardos (2003) linear threshold (see [`model::cascade`]).
    LinearThreshold(model::cascade::LinearThresholdParams) = "linear_threshold",
    /// The voter model: copy a random source (see [`model::voter`]).
    Voter(model::voter::VoterParams) = "voter",
    /// Majority rule over one's sources (see [`model::voter`]).
    Majority(model::voter::MajorityParams) = "majority",
    /// The q-voter model of Castellano et al. (2009) (see [`model::voter`]).
    QVoter(model::voter::QVoterParams) = "q_voter",
    /// Discrete-time SIR contagion (see [`model::epidemic`]).
    Sir(model::epidemic::SirParams) = "sir",
    /// Discrete-time SIS contagion (see [`model::epidemic`]).
    Sis(model::epidemic::SisParams) = "sis",
    /// The Maki-Thompson rumour model (see [`model::epidemic`]).
    MakiThompson(model::epidemic::MakiThompsonParams) = "maki_thompson",
    /// Deffuant et al. (2000) bounded confidence (see [`model::opinion`]).
    Deffuant(model::opinion::DeffuantParams) = "deffuant",
    /// Hegselmann and Krause (2002) bounded confidence (see [`model::opinion`]).
    HegselmannKrause(model::opinion::HegselmannKrauseParams) = "hegselmann_krause",
    /// Bass (1969) diffusion (see [`model::bass`]).
    Bass(model::bass::BassParams) = "bass",
    /// Felt sentiment anchored to experience, Friedkin and Johnsen (1990) (see
    /// [`model::sentiment`]).
    Sentiment(model::sentiment::SentimentParams) = "sentiment",
}

impl RuleSpec {
    /// The rule's name as written in scenarios.
    pub fn name(&self) -> &'static str {
        self.contract().name()
    }

    /// The signal quality `q` the population is sampled with (0 for rules without signals).
    pub fn quality(&self) -> f64 {
        self.contract().quality()
    }

    /// Whether agents start from their private signals ([`Rule::uses_signals`]).
    pub fn uses_signals(&self) -> bool {
        self.contract().uses_signals()
    }

    /// What is wrong with the rule's parameters (empty when they are valid).
    pub fn problems(&self) -> Vec<Problem> {
        self.contract().problems()
    }
}
