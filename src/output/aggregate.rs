//! Aggregates across replicates: the contents of `stats.json` and the numbers behind the
//! plots.
//!
//! Every interval is computed by [`crate::stats`] over replicates taken in replicate order, so
//! the same results always give the same bits.

use std::collections::BTreeMap;

use serde::Serialize;

use super::measures::{self, Measure};
use crate::engine::measures::{Outcome, ReplicateResult, StepRecord};
use crate::stats::{Summary, Welford, mean_ci, share_ci, welford_share_ci, wilson};

/// Version of the `stats.json` layout; bumped when a field changes meaning or disappears.
pub const STATS_SCHEMA_VERSION: u32 = 1;

/// Notes written into `stats.json` so that the file explains itself.
const NOTES: [&str; 5] = [
    "measures, standing_by_row and by_step: mean over replicates with a Student t interval, \
     mean +- t_{(1+level)/2, n-1} * sd / sqrt(n), sd with the n - 1 divisor; with one \
     replicate the interval is the mean itself (method says so); a share's interval is \
     clipped to [0, 1] when it reaches beyond (method: \"student_t, clipped to [0, 1]\")",
    "outcomes: share of replicates that ended so, with a Wilson score interval",
    "by_step: a replicate that stopped before the last step (fixed point, cycle) carries its \
     final recorded state forward, so every step averages over all replicates",
    "shares are fractions of all agents in [0, 1]; steps, cascade_size and edge_visits are counts",
    "measures after edge_visits, in name order, are the rule's own (e.g. opinion_clusters); \
     each is summarised over the replicates that report it, n says how many",
];

/// Everything `stats.json` holds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunStats {
    /// [`STATS_SCHEMA_VERSION`].
    pub schema_version: u32,
    /// Number of replicates summarised.
    pub replicates: u64,
    /// Confidence level of every interval.
    pub level: f64,
    /// How the numbers were computed, in words.
    pub notes: Vec<&'static str>,
    /// The per-replicate scalar measures.
    pub measures: MeasureStats,
    /// How often each outcome occurred.
    pub outcomes: OutcomeStats,
    /// For theater graphs, the final standing share by row, front row first; else empty (and
    /// absent from the file).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub standing_by_row: Vec<Summary>,
    /// Mean shares per step, step 0 first, up to the last step any replicate reached.
    pub by_step: Vec<StepStats>,
}

/// Summaries of each scalar measure of [`ReplicateResult`] across replicates.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MeasureStats {
    /// Final share standing.
    pub final_standing: Summary,
    /// Final share sitting.
    pub final_sitting: Summary,
    /// Final share booing.
    pub final_booing: Summary,
    /// Share standing at step 0.
    pub initial_standing: Summary,
    /// Revision steps taken.
    pub steps: Summary,
    /// Agents whose final action differs from their step-0 action.
    pub cascade_size: Summary,
    /// Share standing at the end against their own signal.
    pub conformers: Summary,
    /// Share sitting at the end despite a signal above threshold.
    pub suppressed: Summary,
    /// Share whose final action matches their own signal.
    pub information_efficiency: Summary,
    /// Highest share booing over the run.
    pub peak_booing: Summary,
    /// Edge visits the engine made.
    pub edge_visits: Summary,
    /// The rule-specific measures ([`ReplicateResult::extra`]) by name, written after the
    /// common ones in sorted order; each over the replicates that have it (its `n` says how
    /// many).
    #[serde(flatten)]
    pub extra: BTreeMap<String, Summary>,
}

/// Frequency of each [`Outcome`] with a Wilson interval.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OutcomeStats {
    /// Share of replicates that reached a fixed point.
    pub fixed_point: Summary,
    /// Share of replicates that ended in a cycle.
    pub cycle: Summary,
    /// Share of replicates that hit the step limit.
    pub step_limit: Summary,
}

/// Mean shares at one step across replicates.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StepStats {
    /// The step.
    pub step: u32,
    /// Share sitting.
    pub sitting: Summary,
    /// Share standing.
    pub standing: Summary,
    /// Share booing.
    pub booing: Summary,
}

/// Summarises `results` (in replicate order) at confidence `level`.
///
/// Computes in **O(replicates × last step)** time. Replicates with an empty trajectory count in
/// `measures` but not in `by_step`. **Panics** if `level` is not in `(0, 1)`.
pub fn run_stats(results: &[&ReplicateResult], level: f64) -> RunStats {
    let mut steps = StepAccumulator::default();
    for r in results {
        steps.push(&r.trajectory);
    }
    run_stats_with(results, steps.by_step(level), level)
}

/// [`run_stats`] with the per-step means already computed (by a [`StepAccumulator`] fed as
/// the replicates finished, so the trajectories need not be held): `results` give every
/// other field and their trajectories are not read. Computes in **O(replicates)** time.
pub fn run_stats_with(
    results: &[&ReplicateResult],
    by_step: Vec<StepStats>,
    level: f64,
) -> RunStats {
    // Each declared measure over all replicates; a share's interval is clipped to [0, 1]
    // (its `method` says when it was).
    let summary = |m: &Measure| -> Summary {
        let values: Vec<f64> = results.iter().filter_map(|r| m.value(r)).collect();
        if m.share {
            share_ci(&values, level)
        } else {
            mean_ci(&values, level)
        }
    };
    let measures = MeasureStats {
        final_standing: summary(&measures::FINAL_STANDING),
        final_sitting: summary(&measures::FINAL_SITTING),
        final_booing: summary(&measures::FINAL_BOOING),
        initial_standing: summary(&measures::INITIAL_STANDING),
        steps: summary(&measures::STEPS),
        cascade_size: summary(&measures::CASCADE_SIZE),
        conformers: summary(&measures::CONFORMERS),
        suppressed: summary(&measures::SUPPRESSED),
        information_efficiency: summary(&measures::INFORMATION_EFFICIENCY),
        peak_booing: summary(&measures::PEAK_BOOING),
        edge_visits: summary(&measures::EDGE_VISITS),
        extra: super::tables::extra_names(results)
            .into_iter()
            .map(|name| {
                let values: Vec<f64> = results
                    .iter()
                    .filter_map(|r| r.extra.get(&name).copied())
                    .collect();
                let summary = if measures::is_share(&name) {
                    share_ci(&values, level)
                } else {
                    mean_ci(&values, level)
                };
                (name, summary)
            })
            .collect(),
    };
    let n = results.len() as u64;
    let count = |o: Outcome| results.iter().filter(|r| r.outcome == o).count() as u64;
    let outcomes = OutcomeStats {
        fixed_point: wilson(count(Outcome::FixedPoint), n, level),
        cycle: wilson(count(Outcome::Cycle), n, level),
        step_limit: wilson(count(Outcome::StepLimit), n, level),
    };
    let rows = results
        .iter()
        .map(|r| r.standing_by_row.len())
        .max()
        .unwrap_or(0);
    let standing_by_row = (0..rows)
        .map(|row| {
            let values: Vec<f64> = results
                .iter()
                .filter_map(|r| r.standing_by_row.get(row).copied())
                .collect();
            share_ci(&values, level)
        })
        .collect();
    RunStats {
        schema_version: STATS_SCHEMA_VERSION,
        replicates: n,
        level,
        notes: NOTES.to_vec(),
        measures,
        outcomes,
        standing_by_row,
        by_step,
    }
}

/// The per-step means of `stats.json`'s `by_step`, accumulated one replicate at a time: memory
/// in proportion to the longest trajectory, not to the replicate count.
///
/// Feed each replicate's trajectory with [`push`](StepAccumulator::push) **in replicate
/// order**; the result is then bit for bit what a pass over all trajectories held at once gives
/// (each step's values are pushed into a [`Welford`] in replicate order). A replicate that
/// stopped before the last step carries its final record forward. When a later replicate
/// reaches past every earlier one, the new steps start from a copy of the last step's
/// accumulator: every earlier replicate had stopped by then, so its value there is its final
/// record, the same value it gave the last step, in the same order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StepAccumulator {
    /// Per step: sitting, standing and booing.
    steps: Vec<[Welford; 3]>,
}

impl StepAccumulator {
    /// Adds one replicate's trajectory (step 0 first). An empty trajectory counts nowhere.
    /// Computes in **O(steps so far)**.
    pub fn push(&mut self, trajectory: &[StepRecord]) {
        let Some(last) = trajectory.last() else {
            return;
        };
        let len = last.step as usize + 1;
        if len > self.steps.len() {
            let fill = self.steps.last().copied().unwrap_or_default();
            self.steps.resize(len, fill);
        }
        let mut c = 0;
        for (step, w) in self.steps.iter_mut().enumerate() {
            while c + 1 < trajectory.len() && trajectory[c + 1].step as usize <= step {
                c += 1;
            }
            let rec = &trajectory[c];
            w[0].push(rec.sitting);
            w[1].push(rec.standing);
            w[2].push(rec.booing);
        }
    }

    /// The summaries per step, step 0 first (empty when no trajectory was pushed).
    pub fn by_step(&self, level: f64) -> Vec<StepStats> {
        self.steps
            .iter()
            .enumerate()
            .map(|(step, w)| StepStats {
                step: step as u32,
                sitting: welford_share_ci(&w[0], level),
                standing: welford_share_ci(&w[1], level),
                booing: welford_share_ci(&w[2], level),
            })
            .collect()
    }

    /// The accumulators, per step (sitting, standing, booing), to save them.
    pub fn parts(&self) -> &[[Welford; 3]] {
        &self.steps
    }

    /// The accumulator holding `steps`, as [`parts`](StepAccumulator::parts) gave them.
    pub fn from_parts(steps: Vec<[Welford; 3]>) -> StepAccumulator {
        StepAccumulator { steps }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::fixtures::{replicate, trajectory};

    #[test]
    fn carries_final_state_forward() {
        let mut a = replicate(0);
        a.trajectory = trajectory(&[0.2, 0.4]);
        let mut b = replicate(1);
        b.trajectory = trajectory(&[0.4, 0.6, 0.8, 1.0]);
        let stats = run_stats(&[&a, &b], 0.95);
        let means: Vec<f64> = stats.by_step.iter().map(|s| s.standing.mean).collect();
        // a stays at 0.4 after step 1.
        let expected = [0.3, 0.5, 0.6, 0.7];
        assert_eq!(means.len(), expected.len());
        for (m, e) in means.iter().zip(expected) {
            assert!((m - e).abs() < 1e-12, "{means:?}");
        }
        assert_eq!(stats.by_step[3].step, 3);
        assert_eq!(stats.by_step[3].standing.n, 2);
    }

    /// The per-step means as they were computed before they were streamed: every trajectory
    /// held, each step's values gathered across replicates (carrying a stopped replicate's
    /// last record forward) and summarised as a slice.
    fn by_step_held(results: &[&ReplicateResult], level: f64) -> Vec<StepStats> {
        let with_data: Vec<&ReplicateResult> = results
            .iter()
            .copied()
            .filter(|r| !r.trajectory.is_empty())
            .collect();
        let last = with_data
            .iter()
            .filter_map(|r| r.trajectory.last().map(|s| s.step))
            .max();
        let Some(last) = last else {
            return Vec::new();
        };
        (0..=last)
            .map(|step| {
                let at = |r: &ReplicateResult| {
                    *r.trajectory
                        .iter()
                        .rev()
                        .find(|t| t.step <= step)
                        .unwrap_or(&r.trajectory[0])
                };
                let col = |f: fn(&StepRecord) -> f64| -> Vec<f64> {
                    with_data.iter().map(|r| f(&at(r))).collect()
                };
                StepStats {
                    step,
                    sitting: share_ci(&col(|t| t.sitting), level),
                    standing: share_ci(&col(|t| t.standing), level),
                    booing: share_ci(&col(|t| t.booing), level),
                }
            })
            .collect()
    }

    #[test]
    fn streamed_step_means_are_bit_identical_to_the_held_ones() {
        // Lengths that grow, shrink and grow again (the accumulator extends its steps from a
        // copy of the last one), an empty trajectory, and shares with long mantissas.
        let lengths = [3usize, 1, 7, 0, 2, 12, 5, 12, 1, 30, 4];
        let mut x = 0.123_456_789_f64;
        let results: Vec<ReplicateResult> = lengths
            .iter()
            .enumerate()
            .map(|(i, &len)| {
                let shares: Vec<f64> = (0..len)
                    .map(|_| {
                        x = (x * 997.0 + 0.271_828_183).fract();
                        x
                    })
                    .collect();
                let mut r = replicate(i as u32);
                r.trajectory = trajectory(&shares);
                r
            })
            .collect();
        let refs: Vec<&ReplicateResult> = results.iter().collect();
        let held = by_step_held(&refs, 0.95);
        let mut acc = StepAccumulator::default();
        for r in &results {
            acc.push(&r.trajectory);
        }
        let streamed = acc.by_step(0.95);
        assert_eq!(streamed.len(), 30);
        for (a, b) in streamed.iter().zip(&held) {
            for (x, y) in [
                (a.sitting, b.sitting),
                (a.standing, b.standing),
                (a.booing, b.booing),
            ] {
                assert_eq!(x.mean.to_bits(), y.mean.to_bits(), "step {}", a.step);
                assert_eq!(x.sd.to_bits(), y.sd.to_bits(), "step {}", a.step);
                assert_eq!(x.ci_low.to_bits(), y.ci_low.to_bits(), "step {}", a.step);
                assert_eq!((x.n, x.method), (y.n, y.method));
            }
        }
        assert_eq!(streamed, held);
    }

    #[test]
    fn extra_measures_are_summarised_over_the_replicates_that_have_them() {
        let mut rs: Vec<ReplicateResult> = (0..3).map(replicate).collect();
        rs[0].extra.insert("opinion_clusters".into(), 2.0);
        rs[1].extra.insert("opinion_clusters".into(), 4.0);
        rs[2].extra.insert("ever_infected".into(), 0.5);
        let refs: Vec<&ReplicateResult> = rs.iter().collect();
        let stats = run_stats(&refs, 0.95);
        let names: Vec<&str> = stats.measures.extra.keys().map(String::as_str).collect();
        assert_eq!(names, ["ever_infected", "opinion_clusters"]);
        let oc = stats.measures.extra["opinion_clusters"];
        assert_eq!((oc.n, oc.mean), (2, 3.0));
        assert_eq!(stats.measures.extra["ever_infected"].n, 1);
        let json = serde_json::to_value(&stats).expect("json");
        assert_eq!(json["measures"]["opinion_clusters"]["mean"], 3.0);
        let text = serde_json::to_string(&stats.measures).expect("json");
        let at = |k: &str| text.find(&format!("\"{k}\"")).expect(k);
        assert!(at("edge_visits") < at("ever_infected"));
        assert!(at("ever_infected") < at("opinion_clusters"));
    }

    #[test]
    fn outcome_frequencies() {
        let mut rs: Vec<ReplicateResult> = (0..4).map(replicate).collect();
        rs[3].outcome = Outcome::Cycle;
        let refs: Vec<&ReplicateResult> = rs.iter().collect();
        let stats = run_stats(&refs, 0.95);
        assert_eq!(stats.outcomes.fixed_point.mean, 0.75);
        assert_eq!(stats.outcomes.cycle.mean, 0.25);
        assert_eq!(stats.outcomes.step_limit.mean, 0.0);
        assert_eq!(stats.measures.edge_visits.mean, 17.0);
        assert!(stats.standing_by_row.is_empty());
    }
}
