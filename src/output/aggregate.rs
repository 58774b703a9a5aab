//! Aggregates across replicates: the contents of `stats.json` and the numbers behind the
//! plots.
//!
//! Every interval is computed by [`crate::stats`] over replicates taken in replicate order, so
//! the same results always give the same bits.

use std::collections::BTreeMap;

use serde::Serialize;

use super::measures::{self, Measure};
use crate::engine::measures::{Outcome, ReplicateResult};
use crate::stats::{Summary, mean_ci, share_ci, wilson};

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
        by_step: by_step(results, level),
    }
}

/// Per-step mean shares, carrying each replicate's last record forward.
fn by_step(results: &[&ReplicateResult], level: f64) -> Vec<StepStats> {
    let with_data: Vec<&ReplicateResult> = results
        .iter()
        .copied()
        .filter(|r| !r.trajectory.is_empty())
        .collect();
    let Some(last) = with_data
        .iter()
        .filter_map(|r| r.trajectory.last().map(|s| s.step))
        .max()
    else {
        return Vec::new();
    };
    // cursor[i]: index in replicate i's trajectory of the record in force at the current step.
    let mut cursor = vec![0usize; with_data.len()];
    let (mut sitting, mut standing, mut booing) = (Vec::new(), Vec::new(), Vec::new());
    let mut out = Vec::with_capacity(last as usize + 1);
    for step in 0..=last {
        sitting.clear();
        standing.clear();
        booing.clear();
        for (r, c) in with_data.iter().zip(cursor.iter_mut()) {
            while *c + 1 < r.trajectory.len() && r.trajectory[*c + 1].step <= step {
                *c += 1;
            }
            let rec = &r.trajectory[*c];
            sitting.push(rec.sitting);
            standing.push(rec.standing);
            booing.push(rec.booing);
        }
        out.push(StepStats {
            step,
            sitting: share_ci(&sitting, level),
            standing: share_ci(&standing, level),
            booing: share_ci(&booing, level),
        });
    }
    out
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
