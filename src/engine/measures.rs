//! What a replicate measures (SPEC 2.5): per-step shares and counts, and a per-replicate
//! summary. Shares are fractions of all agents in `[0, 1]`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// How a replicate ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// No agent can change any more (no change, no pending information, no open tie).
    FixedPoint,
    /// The actions repeat with a period (deterministic dynamics only; see `cycle_period`).
    Cycle,
    /// The step limit was reached first.
    StepLimit,
}

impl Outcome {
    /// The name used in files.
    pub fn name(self) -> &'static str {
        match self {
            Outcome::FixedPoint => "fixed_point",
            Outcome::Cycle => "cycle",
            Outcome::StepLimit => "step_limit",
        }
    }
}

/// The state after one step (step 0 is the initial reaction to the private signals).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct StepRecord {
    /// Step number, 0 = initial actions.
    pub step: u32,
    /// Share of agents sitting.
    pub sitting: f64,
    /// Share of agents standing.
    pub standing: f64,
    /// Share of agents booing.
    pub booing: f64,
    /// Agents whose action changed in this step.
    pub changes: u64,
    /// Exposures: edges over which a changed action became visible in this step (the number
    /// of followers of the agents that changed).
    pub exposures: u64,
}

/// One seed's reach in one replicate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeedReach {
    /// The seed's dense node id.
    pub seed: u32,
    /// Its original id or handle (the graph's label; the dense id when the graph has none).
    pub label: String,
    /// Agents active at the end downstream of it (reachable over follower edges through active
    /// agents), the seed itself not counted.
    pub reach: u64,
}

/// One replicate's result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReplicateResult {
    /// Replicate index, 0-based.
    pub replicate: u32,
    /// How it ended.
    pub outcome: Outcome,
    /// The period when `outcome` is `cycle`, else 0.
    pub cycle_period: u32,
    /// Revision steps taken (0 when nothing was ever revised).
    pub steps: u32,
    /// Share standing at step 0.
    pub initial_standing: f64,
    /// Final shares.
    pub final_sitting: f64,
    /// Final share standing.
    pub final_standing: f64,
    /// Final share booing.
    pub final_booing: f64,
    /// Highest share booing over the run, and the first step it was reached.
    pub peak_booing: f64,
    /// Step of `peak_booing`.
    pub peak_booing_step: u32,
    /// Cascade size: agents whose final action differs from their step-0 action (they
    /// changed because of others).
    pub cascade_size: u64,
    /// Share of agents standing at the end against their own signal (`s_i <= T_i`).
    pub conformers: f64,
    /// Share of agents sitting at the end despite a signal above threshold (`s_i > T_i`).
    pub suppressed: f64,
    /// Information efficiency: share of agents whose final action matches their own signal
    /// (stand iff `s_i > T_i`).
    pub information_efficiency: f64,
    /// Edge visits the engine made (work done), counted in integers.
    pub edge_visits: u64,
    /// For theater graphs: share standing by row at the end, front row first; empty otherwise.
    pub standing_by_row: Vec<f64>,
    /// For theater graphs: share standing by seat at the end (row-major, `rows * seats`
    /// entries, 0 or 1 per replicate); empty otherwise. Averaged over replicates it is the
    /// seat map.
    pub final_standing_by_seat: Vec<u8>,
    /// Each seed's reach, in seed order (empty without `[seeding]`, or with more than
    /// [`MAX_REACH_SEEDS`](crate::engine::run::MAX_REACH_SEEDS) seeds); written to `seeds.csv`.
    #[serde(default)]
    pub seed_reach: Vec<SeedReach>,
    /// Rule-specific measures by name (e.g. `opinion_clusters` for bounded confidence,
    /// `ever_infected` for SIR), written after the common columns in sorted order.
    #[serde(default)]
    pub extra: BTreeMap<String, f64>,
    /// The per-step records, step 0 first.
    pub trajectory: Vec<StepRecord>,
    /// The measures of each population class, in class order (filled by `runner`; empty
    /// when a caller ran the replicate with its own observer); written to `classes.csv`.
    #[serde(default)]
    pub classes: Vec<ClassResult>,
    /// Each agent's end state (filled by `runner` when the scenario asks for `agents.csv`,
    /// `[output] agents = true`; absent otherwise, and then absent from the replicate's file).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agents: Option<AgentResults>,
}

/// Each agent's state at the end of one replicate, for `agents.csv`: a struct of arrays
/// indexed by the agent's dense id (every vector has one entry per agent).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AgentResults {
    /// Each agent's original id or handle (the graph's label; the dense id when it has none).
    pub label: Vec<String>,
    /// The population classes' names, in class order.
    pub class_names: Vec<String>,
    /// Each agent's class, an index into `class_names`.
    pub class: Vec<u8>,
    /// Each agent's followers (the agents that see it).
    pub followers: Vec<u32>,
    /// Each agent's final action (an [`Action`](crate::model::Action) byte).
    pub action: Vec<u8>,
    /// Each agent's final felt sentiment under the `sentiment` rule (`None` for an agent that
    /// feels nothing: a fixed class, a brand account); `None` under the other rules.
    pub sentiment: Option<Vec<Option<f64>>>,
    /// Whether the agent booed (complained in public) at the end of any step, step 0 included.
    pub complained: Vec<bool>,
    /// Whether the brand (or a webcare account) answered the agent at least once; `None`
    /// without a brand.
    pub answered: Option<Vec<bool>>,
    /// Whether `[seeding]` chose the agent as a seed.
    pub seeded: Vec<bool>,
}

/// One population class's share of each action at the start and the end of a replicate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClassResult {
    /// The class's name (`[[population]] name`).
    pub class: String,
    /// Agents in the class.
    pub agents: u64,
    /// Share of the class standing at step 0.
    pub initial_standing: f64,
    /// Share of the class sitting at the end.
    pub final_sitting: f64,
    /// Share of the class standing at the end.
    pub final_standing: f64,
    /// Share of the class booing at the end.
    pub final_booing: f64,
    /// Share of the class whose final action differs from its action at step 0.
    pub changed: f64,
}

impl ClassResult {
    /// The measures of `classes.csv`, in column order, with their values.
    pub fn measures(&self) -> [(&'static str, f64); 6] {
        [
            ("agents", self.agents as f64),
            ("initial_standing", self.initial_standing),
            ("final_sitting", self.final_sitting),
            ("final_standing", self.final_standing),
            ("final_booing", self.final_booing),
            ("changed", self.changed),
        ]
    }
}
