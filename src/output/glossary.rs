//! One-line definitions of the measures and words a report shows, for the glossary at the end
//! of every `report.html`. The full definitions are in `docs/measures.md`; a test checks that
//! every measure defined here is defined there too.

/// Words every report uses, with their definitions.
pub const TERMS: [(&str, &str); 5] = [
    (
        "step",
        "one round of revisions: step 0 is every agent's first reaction to its own signal; in \
         each later step every agent revises once (all at once, or one at a time, as the \
         scenario's timing says). What a step is in time is the scenario's to say.",
    ),
    (
        "share",
        "a fraction of all agents, shown as a percentage; a difference of two shares is in \
         percentage points.",
    ),
    (
        "replicate",
        "one independent run of the scenario with its own random draws (key: seed and replicate \
         number). Means and intervals are over replicates.",
    ),
    (
        "95% CI",
        "95% confidence interval of a mean over replicates (Student t); for a share it is \
         clipped to 0-100%.",
    ),
    (
        "peak",
        "the highest value during one replicate, then averaged over replicates (the mean of \
         the peaks). The highest point of a mean curve over steps (the peak of the mean) is \
         lower when replicates peak at different steps.",
    ),
];

/// The definition of a measure, or `None` for a name this table does not know (a rule's own
/// measure is then described in its docs/models page).
pub fn definition(measure: &str) -> Option<&'static str> {
    Some(match measure {
        "initial_standing" => "share of agents standing at step 0, on their own signal",
        "final_sitting" => "share of agents sitting at the last step",
        "final_standing" => "share of agents standing (praising) at the last step",
        "final_booing" => "share of agents booing (complaining in public) at the last step",
        "peak_booing" => {
            "the highest share booing at any step of a replicate, averaged over replicates"
        }
        "peak_booing_step" => "the first step at which a replicate reached its peak booing",
        "steps" => "revision steps a replicate took after step 0 before it stopped",
        "cascade_size" => "agents whose final action differs from their step-0 action",
        "conformers" => "share of agents standing at the end although their own signal says sit",
        "suppressed" => {
            "share of agents not standing at the end although their own signal says stand"
        }
        "information_efficiency" => {
            "share of agents whose final action agrees with their own signal"
        }
        "edge_visits" => "follower edges the engine looked at (work done)",
        "cycle_period" => "the period of a cycle the actions fell into, else 0",
        "fixed_point" => "share of replicates that ended with no agent able to change",
        "cycle" => "share of replicates whose actions repeat in a cycle",
        "step_limit" => "share of replicates stopped by the scenario's step limit",
        "seed_reach_mean" => "mean over the seeds of the active agents downstream of each seed",
        "seed_reach_max" => "the largest number of active agents downstream of one seed",
        "seed_reach_union_share" => {
            "share of the active non-seed agents downstream of at least one seed"
        }
        "complaints_noticed" => "complaints the brand noticed while listening",
        "responses_sent" => "the brand's replies plus broadcasts",
        "replies_sent" => "answers to single complainers",
        "broadcasts_sent" => "posts to all of the brand's followers",
        "complaints_resolved" => "complainers an answer resolved (they stop booing for good)",
        "replies_seen" => "follower views of the brand's public answers",
        "influencers_paid" => "paid influencers in the audience",
        "advocates" => "employee advocates in the audience",
        "cost_total" => {
            "the brand's total cost: each reply, broadcast, paid influencer, advocate and step \
             of listening at its price"
        }
        "first_response_step" => {
            "step of the brand's first answer; replicates without one are left out"
        }
        "most_responses_in_a_step" => "the most answers the brand sent in one step",
        "mean_signal" => {
            "mean final signal (experience of the product) of the audience: the sentiment reached"
        }
        "active" => "agents active at the end, seeds included",
        "seeds" => "number of seeds",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_measure_defined_here_is_defined_in_the_docs() {
        let docs = include_str!("../../docs/measures.md");
        let mut names: Vec<&str> = crate::output::compare::BASE_MEASURES.to_vec();
        names.extend(["fixed_point", "cycle", "step_limit", "seed_reach_mean"]);
        names.extend(["complaints_noticed", "cost_total", "first_response_step"]);
        names.extend(["mean_signal", "replies_seen", "most_responses_in_a_step"]);
        for n in names {
            assert!(definition(n).is_some(), "no glossary entry for `{n}`");
            assert!(
                docs.contains(&format!("`{n}`")),
                "docs/measures.md lacks `{n}`"
            );
        }
        for (term, _) in TERMS {
            assert!(
                docs.to_lowercase().contains(&term.to_lowercase()),
                "docs/measures.md lacks {term}"
            );
        }
    }
}
