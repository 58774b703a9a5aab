//! Run configuration the engine takes: the timing scheme and when a run stops.

use serde::{Deserialize, Serialize};

use crate::model::Dist;

/// The order in which agents revise (SPEC 2.3), as written in a scenario's `[timing]` table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "scheme", rename_all = "snake_case", deny_unknown_fields)]
pub enum TimingSpec {
    /// Everyone revises from the previous step's actions (a double buffer).
    Synchronous,
    /// One at a time in a fresh random order each step, each seeing the latest actions.
    AsyncRandom,
    /// One at a time, the agent under the most social pressure first (the largest share of its
    /// sources doing something else than it does), pressures recomputed after every move.
    AsyncIncentive,
    /// Synchronous, but an agent sees a source's action only after a latency (in steps, at
    /// least 1; a latency of 1 everywhere is the synchronous scheme).
    Delayed {
        /// How latencies are set.
        latency: LatencySpec,
    },
}

/// Latencies of the delayed scheme.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum LatencySpec {
    /// The same latency on every edge.
    Constant {
        /// Steps, `>= 1`.
        steps: u32,
    },
    /// Theater only: a viewer in row `r` sees everything `1 + floor(per_row * r)` steps late,
    /// so the front rows react first.
    ViewerRow {
        /// Extra steps per row back from the stage, `>= 0`.
        per_row: f64,
    },
    /// Theater only: a source `d` rows ahead is seen `max(1, d)` steps late (same row: 1).
    RowDistance,
    /// Per edge, from the graph's weights rounded to the nearest integer `>= 1`.
    EdgeWeights,
    /// Per viewer, drawn from a distribution and rounded to the nearest integer `>= 1`.
    Agent {
        /// The distribution of latencies.
        dist: Dist,
    },
}

impl TimingSpec {
    /// The scheme's name as written in scenarios.
    pub fn name(&self) -> &'static str {
        match self {
            TimingSpec::Synchronous => "synchronous",
            TimingSpec::AsyncRandom => "async_random",
            TimingSpec::AsyncIncentive => "async_incentive",
            TimingSpec::Delayed { .. } => "delayed",
        }
    }
}

/// When a replicate stops.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct StopRule {
    /// At most this many revision steps after step 0.
    pub max_steps: u32,
    /// Stop early at a fixed point (no agent can change) or a detected cycle.
    pub at_fixed_point: bool,
}
