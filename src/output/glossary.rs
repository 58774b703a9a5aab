//! One-line definitions of the measures and words a report shows, for the glossary at the end
//! of every `report.html`. The measures' definitions are declared in [`super::measures`]; the
//! full ones are in `docs/measures.md`, and a test checks that the two agree.

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

/// The definition of a measure, or `None` for a name the measure table does not declare (a
/// rule's own measure is then described in its docs/models page): the declared one-line
/// definition ([`super::measures::definition`]).
pub fn definition(measure: &str) -> Option<&'static str> {
    super::measures::definition(measure)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_term_is_in_the_docs() {
        // (The measures' definitions are checked against the docs by the measure table's test.)
        let docs = include_str!("../../docs/measures.md");
        for (term, _) in TERMS {
            assert!(
                docs.to_lowercase().contains(&term.to_lowercase()),
                "docs/measures.md lacks {term}"
            );
        }
    }
}
