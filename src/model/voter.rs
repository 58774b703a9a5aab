//! Parameters of the opinion-copying rules: the voter model, the majority rule and the
//! nonlinear q-voter model of Castellano, Munoz and Pastor-Satorras (2009).
//!
//! Opinion 0 is `sit`, opinion 1 is `stand`. Influence flows from sources to followers: an
//! agent looks at its **sources** (the accounts it follows) and changes its own opinion; it
//! never changes anyone else's (the "direct" or node-update convention). The voter model also
//! runs as the **invasion process** (`process = "invasion"`, the reverse voter model): a chosen
//! agent imposes its opinion on one of its followers. The dynamics live in
//! `crate::engine::rules::voter`; `docs/models/voter.md` documents every parameter.

use serde::{Deserialize, Serialize};

use crate::model::Problem;

/// When agents update (the `update` key of the opinion-copying rules and of `maki_thompson`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Update {
    /// Random sequential updating (Liggett's continuous-time process, discretised): each
    /// micro-step one agent drawn uniformly at random (with replacement) updates from the
    /// latest opinions; `n` micro-steps make one step.
    #[default]
    Asynchronous,
    /// Every agent updates at once from the previous step's opinions.
    Synchronous,
}

/// How the majority rule settles an exact tie among its sources' opinions.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MajorityTie {
    /// Keep the current opinion.
    #[default]
    Keep,
    /// Take one of the tied opinions, chosen by a fair coin (a fresh draw at every update).
    Coin,
}

/// What the q-voter does when it must draw `q` distinct sources (`repetition = false`) but
/// follows fewer than `q` accounts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SmallInDegree {
    /// The agent does not update at all.
    Skip,
    /// The panel is all of its sources (fewer than `q`).
    UseAll,
    /// The agent draws its `q` panel members with repetition.
    WithRepetition,
}

/// Who acts in a voter-model update (the `process` key of `rule = "voter"`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VoterProcess {
    /// The node-update (direct) voter model: the chosen agent copies one of its sources,
    /// chosen uniformly (Clifford and Sudbury 1973; Holley and Liggett 1975).
    #[default]
    NodeUpdate,
    /// The invasion (reverse voter) process: the chosen agent imposes its opinion on one of its
    /// followers, chosen uniformly (Castellano, Fortunato and Loreto 2009, section III.B; Sood,
    /// Antal and Redner 2008). An agent without followers changes nobody.
    Invasion,
}

/// `rule = "voter"`: the agent copies the opinion of one source chosen uniformly at random
/// (Clifford and Sudbury 1973; Holley and Liggett 1975), or, with `process = "invasion"`,
/// imposes its own on one follower chosen uniformly.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VoterParams {
    /// Asynchronous (default) or synchronous updating.
    #[serde(default)]
    pub update: Update,
    /// Node update (default) or the invasion process.
    #[serde(default, skip_serializing_if = "is_node_update")]
    pub process: VoterProcess,
}

fn is_node_update(p: &VoterProcess) -> bool {
    *p == VoterProcess::NodeUpdate
}

impl VoterParams {
    /// What is wrong with these parameters (empty when they are valid): the invasion process
    /// is defined for asynchronous updating only (two agents imposing their opinions on the
    /// same follower at once would conflict).
    pub fn problems(&self) -> Vec<Problem> {
        if self.process == VoterProcess::Invasion && self.update == Update::Synchronous {
            return vec![Problem::new(
                "process",
                "expected update = \"asynchronous\" with process = \"invasion\" (one agent \
                 at a time imposes its opinion; synchronous invaders would conflict), found \
                 update = \"synchronous\"",
            )];
        }
        Vec::new()
    }
}

/// `rule = "majority"`: the agent takes the opinion held by most of its sources.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MajorityParams {
    /// Asynchronous (default) or synchronous updating.
    #[serde(default)]
    pub update: Update,
    /// How an exact tie is settled (default `keep`).
    #[serde(default)]
    pub tie: MajorityTie,
}

impl MajorityParams {
    /// What is wrong with these parameters (empty when they are valid): nothing can be.
    pub fn problems(&self) -> Vec<Problem> {
        Vec::new()
    }
}

/// `rule = "q_voter"`: the nonlinear q-voter model (Castellano, Munoz and Pastor-Satorras,
/// Phys. Rev. E 80, 041129, 2009): the agent draws a panel of `q` of its sources; if they all
/// hold the same opinion it takes that opinion, otherwise it flips with probability `epsilon`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QVoterParams {
    /// Panel size, at least 1 (required). Read as a signed integer so that `q = -1` gets a
    /// precise message rather than a type error.
    pub q: i64,
    /// Probability in `[0, 1]` of flipping when the panel is not unanimous (default 0).
    #[serde(default)]
    pub epsilon: f64,
    /// Draw the panel with repetition (default true, as the paper).
    #[serde(default = "yes")]
    pub repetition: bool,
    /// What to do when `repetition = false` and an agent follows fewer than `q` accounts.
    /// Required when `repetition = false` and `q >= 2`; refused when `repetition = true`.
    #[serde(default)]
    pub small_in_degree: Option<SmallInDegree>,
    /// Asynchronous (default, as the paper) or synchronous updating.
    #[serde(default)]
    pub update: Update,
}

fn yes() -> bool {
    true
}

impl QVoterParams {
    /// The panel size as a count (valid parameters only).
    pub fn panel(&self) -> usize {
        self.q.max(1) as usize
    }

    /// What is wrong with these parameters (empty when they are valid).
    pub fn problems(&self) -> Vec<Problem> {
        let mut out = Vec::new();
        if self.q < 1 {
            out.push(Problem::new(
                "q",
                format!(
                    "expected an integer >= 1 (the panel size), found {}",
                    self.q
                ),
            ));
        } else if self.q > i64::from(u32::MAX) {
            out.push(Problem::new(
                "q",
                format!("expected an integer <= {}, found {}", u32::MAX, self.q),
            ));
        }
        if !(0.0..=1.0).contains(&self.epsilon) {
            out.push(Problem::new(
                "epsilon",
                format!("expected a probability in [0, 1], found {}", self.epsilon),
            ));
        }
        match (self.repetition, self.small_in_degree) {
            (false, None) if self.q >= 2 => out.push(Problem::new(
                "small_in_degree",
                format!(
                    "expected \"skip\", \"use_all\" or \"with_repetition\": with repetition = \
                     false an agent following fewer than q = {} accounts cannot draw q distinct \
                     sources, so say what it does; found nothing",
                    self.q
                ),
            )),
            (true, Some(_)) => out.push(Problem::new(
                "small_in_degree",
                "expected no value with repetition = true (a panel drawn with repetition \
                 never runs short of sources), found one",
            )),
            _ => {}
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn q_voter_problems_name_the_key() {
        let p: QVoterParams = toml::from_str("q = 0\nepsilon = 1.5").expect("typed");
        let keys: Vec<String> = p.problems().into_iter().map(|p| p.key).collect();
        assert_eq!(keys, ["q", "epsilon"]);
        let p: QVoterParams = toml::from_str("q = 3\nrepetition = false").expect("typed");
        assert_eq!(p.problems()[0].key, "small_in_degree");
        let p: QVoterParams =
            toml::from_str("q = 3\nrepetition = false\nsmall_in_degree = \"skip\"").expect("t");
        assert!(p.problems().is_empty());
        let p: QVoterParams = toml::from_str("q = 2").expect("typed");
        assert!(p.problems().is_empty());
        assert!(p.repetition);
        assert_eq!(p.update, Update::Asynchronous);
    }
}
