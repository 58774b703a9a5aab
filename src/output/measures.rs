//! The one table of measures: every per-replicate measure, outcome and per-step measure a
//! result folder holds is declared here once, with its name, how it is read from a
//! [`ReplicateResult`] (or a [`StepRecord`]), whether it is a share of all agents (then
//! reports show it as a percentage, differences of it in percentage points, and its intervals
//! are clipped to `[0, 1]`), its label in words, its unit and its one-line definition.
//!
//! `summary.csv` (its column order), `steps.csv`, `stats.json`, `cells.csv`, the compare
//! tables and headline, the plots' ranges and the reports' glossary all read it, so a measure
//! is added or renamed here and nowhere else. `docs/measures.md` defines the same measures in
//! full; a test checks that the two agree (every name declared here is there, with the same
//! unit, and every measure of its unit tables is declared here).
//!
//! A rule's own measures (`ReplicateResult::extra`) that are not declared here are still read
//! by name ([`value`]); they count as non-shares and are labelled by their name with spaces
//! ([`label`]), and their definition is on the rule's page in `docs/models/`.

use std::fmt::Write as _;

use crate::engine::measures::{Outcome, ReplicateResult, StepRecord};
use crate::scenario::strategies::Goal;

/// How a measure's value is read from one replicate.
#[derive(Debug, Clone, Copy)]
pub enum Read {
    /// A whole-number field (a count, a step), written as an integer.
    Count(fn(&ReplicateResult) -> u64),
    /// A real-valued field (a share, a mean).
    Real(fn(&ReplicateResult) -> f64),
    /// A rule's own measure, from [`ReplicateResult::extra`] under the measure's name; missing
    /// where the replicate does not report it.
    Extra,
    /// How often replicates ended so: summarised across replicates (a Wilson interval), never
    /// a value of one replicate.
    Outcome(Outcome),
}

/// One measure's declaration.
#[derive(Debug, Clone, Copy)]
pub struct Measure {
    /// Its name in files (a column of `summary.csv`, a key of `stats.json`).
    pub name: &'static str,
    /// How it is read from a replicate.
    pub read: Read,
    /// Whether it is a share of all agents (or of replicates) in `[0, 1]`.
    pub share: bool,
    /// Its name in words, for sentences, axes and table headers.
    pub label: &'static str,
    /// Its unit, as in the unit column of `docs/measures.md`.
    pub unit: &'static str,
    /// Its one-line definition (the reports' glossary).
    pub doc: &'static str,
    /// Which direction is better: what `compare` ranks by when the scenario gives no `goal`.
    pub better: Better,
}

/// Which direction of a measure is better, declared with each measure (never guessed from its
/// name): `compare` ranks strategies by it unless the scenario's `[compare] goal` says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Better {
    /// Larger is better (praise, reach, resolved complaints).
    Higher,
    /// Smaller is better (complaints, costs, waiting).
    Lower,
    /// Neither in general (a count of work, a step, how replicates ended, a side effect such
    /// as replies sent): a comparison headlining it must say its `goal`.
    Neither,
}

impl Better {
    /// The compare goal this direction means; `None` for [`Better::Neither`].
    pub fn goal(self) -> Option<Goal> {
        match self {
            Better::Higher => Some(Goal::Higher),
            Better::Lower => Some(Goal::Lower),
            Better::Neither => None,
        }
    }
}

impl Measure {
    /// Its value in `r` (a count as `f64`); `None` where `r` lacks it (a rule measure the
    /// replicate does not report) and for an outcome, which has no per-replicate value.
    pub fn value(&self, r: &ReplicateResult) -> Option<f64> {
        match self.read {
            Read::Count(f) => Some(f(r) as f64),
            Read::Real(f) => Some(f(r)),
            Read::Extra => r.extra.get(self.name).copied(),
            Read::Outcome(_) => None,
        }
    }

    /// Appends its value in `r` to `buf` as `summary.csv` writes it: counts as integers, reals
    /// in their shortest round-trip form; nothing where `r` lacks it.
    pub fn write(&self, r: &ReplicateResult, buf: &mut String) {
        // Writing into a String cannot fail.
        let _ = match self.read {
            Read::Count(f) => write!(buf, "{}", f(r)),
            Read::Real(f) => write!(buf, "{}", f(r)),
            Read::Extra | Read::Outcome(_) => match self.value(r) {
                Some(v) => write!(buf, "{v}"),
                None => Ok(()),
            },
        };
    }
}

/// Shorthand for the declarations below.
const fn m(
    name: &'static str,
    read: Read,
    share: bool,
    label: &'static str,
    unit: &'static str,
    doc: &'static str,
    better: Better,
) -> Measure {
    Measure {
        name,
        read,
        share,
        label,
        unit,
        doc,
        better,
    }
}

/// Revision steps taken.
pub const STEPS: Measure = m(
    "steps",
    Read::Count(|r| u64::from(r.steps)),
    false,
    "steps",
    "steps",
    "revision steps a replicate took after step 0 before it stopped",
    Better::Neither,
);
/// The period of a cycle.
pub const CYCLE_PERIOD: Measure = m(
    "cycle_period",
    Read::Count(|r| u64::from(r.cycle_period)),
    false,
    "cycle period",
    "steps",
    "the period of a cycle the actions fell into, else 0",
    Better::Neither,
);
/// Share standing at step 0.
pub const INITIAL_STANDING: Measure = m(
    "initial_standing",
    Read::Real(|r| r.initial_standing),
    true,
    "initial standing share",
    "share",
    "share of agents standing at step 0, on their own signal",
    Better::Neither,
);
/// Share sitting at the end.
pub const FINAL_SITTING: Measure = m(
    "final_sitting",
    Read::Real(|r| r.final_sitting),
    true,
    "final sitting share",
    "share",
    "share of agents sitting at the last step",
    Better::Neither,
);
/// Share standing at the end.
pub const FINAL_STANDING: Measure = m(
    "final_standing",
    Read::Real(|r| r.final_standing),
    true,
    "final standing share",
    "share",
    "share of agents standing (praising) at the last step",
    Better::Higher,
);
/// Share booing at the end (booing is public disapproval; with a brand, a public complaint).
pub const FINAL_BOOING: Measure = m(
    "final_booing",
    Read::Real(|r| r.final_booing),
    true,
    "final booing (complaint) share",
    "share",
    "share of agents booing (complaining in public) at the last step",
    Better::Lower,
);
/// The highest share booing at any step.
pub const PEAK_BOOING: Measure = m(
    "peak_booing",
    Read::Real(|r| r.peak_booing),
    true,
    "peak booing (complaint) share",
    "share",
    "the highest share booing at any step of a replicate, averaged over replicates",
    Better::Lower,
);
/// The first step of the booing peak.
pub const PEAK_BOOING_STEP: Measure = m(
    "peak_booing_step",
    Read::Count(|r| u64::from(r.peak_booing_step)),
    false,
    "step of the booing (complaint) peak",
    "step",
    "the first step at which a replicate reached its peak booing",
    Better::Neither,
);
/// Agents whose final action differs from their step-0 action.
pub const CASCADE_SIZE: Measure = m(
    "cascade_size",
    Read::Count(|r| r.cascade_size),
    false,
    "cascade size",
    "agents",
    "agents whose final action differs from their step-0 action",
    Better::Neither,
);
/// Share standing against their own signal.
pub const CONFORMERS: Measure = m(
    "conformers",
    Read::Real(|r| r.conformers),
    true,
    "conformers",
    "share",
    "share of agents standing at the end although their own signal says sit",
    Better::Neither,
);
/// Share not standing despite their own signal.
pub const SUPPRESSED: Measure = m(
    "suppressed",
    Read::Real(|r| r.suppressed),
    true,
    "suppressed",
    "share",
    "share of agents not standing at the end although their own signal says stand",
    Better::Neither,
);
/// Share whose final action agrees with their own signal.
pub const INFORMATION_EFFICIENCY: Measure = m(
    "information_efficiency",
    Read::Real(|r| r.information_efficiency),
    true,
    "information efficiency",
    "share",
    "share of agents whose final action agrees with their own signal",
    Better::Higher,
);
/// Follower edges the engine looked at.
pub const EDGE_VISITS: Measure = m(
    "edge_visits",
    Read::Count(|r| r.edge_visits),
    false,
    "edge visits",
    "count",
    "follower edges the engine looked at (work done)",
    Better::Neither,
);

/// The measures every replicate has, in the column order of `summary.csv` (after
/// `replicate` and `outcome`).
pub const COMMON: [&Measure; 13] = [
    &CYCLE_PERIOD,
    &STEPS,
    &INITIAL_STANDING,
    &FINAL_SITTING,
    &FINAL_STANDING,
    &FINAL_BOOING,
    &PEAK_BOOING,
    &PEAK_BOOING_STEP,
    &CASCADE_SIZE,
    &CONFORMERS,
    &SUPPRESSED,
    &INFORMATION_EFFICIENCY,
    &EDGE_VISITS,
];

/// How replicates ended, as shares of replicates (`stats.json` `outcomes`, `cells.csv`).
pub const OUTCOMES: [Measure; 3] = [
    m(
        "fixed_point",
        Read::Outcome(Outcome::FixedPoint),
        true,
        "fixed point",
        "share of replicates",
        "share of replicates that ended with no agent able to change",
        Better::Neither,
    ),
    m(
        "cycle",
        Read::Outcome(Outcome::Cycle),
        true,
        "cycle",
        "share of replicates",
        "share of replicates whose actions repeat in a cycle",
        Better::Neither,
    ),
    m(
        "step_limit",
        Read::Outcome(Outcome::StepLimit),
        true,
        "step limit",
        "share of replicates",
        "share of replicates stopped by the scenario's step limit",
        Better::Neither,
    ),
];

/// The rules' own measures ([`ReplicateResult::extra`]) the reports define: seeding, the
/// brand agent and the cascade rules. (The others are defined on their rule's page.)
pub const RULE_MEASURES: [Measure; 17] = [
    m(
        "seed_reach_mean",
        Read::Extra,
        false,
        "seed reach mean",
        "agents",
        "mean over the seeds of the active agents downstream of each seed",
        Better::Higher,
    ),
    m(
        "seed_reach_max",
        Read::Extra,
        false,
        "seed reach max",
        "agents",
        "the largest number of active agents downstream of one seed",
        Better::Higher,
    ),
    m(
        "seed_reach_union_share",
        Read::Extra,
        false,
        "seed reach union share",
        "fraction",
        "share of the active non-seed agents downstream of at least one seed",
        Better::Higher,
    ),
    m(
        "complaints_noticed",
        Read::Extra,
        false,
        "complaints noticed",
        "complaints",
        "complaints the brand noticed while listening",
        Better::Neither,
    ),
    m(
        "responses_sent",
        Read::Extra,
        false,
        "responses sent",
        "messages",
        "the brand's replies plus broadcasts",
        Better::Neither,
    ),
    m(
        "replies_sent",
        Read::Extra,
        false,
        "replies sent",
        "messages",
        "answers to single complainers",
        Better::Neither,
    ),
    m(
        "broadcasts_sent",
        Read::Extra,
        false,
        "broadcasts sent",
        "messages",
        "posts to all of the brand's followers",
        Better::Neither,
    ),
    m(
        "complaints_resolved",
        Read::Extra,
        false,
        "complaints resolved",
        "agents",
        "complainers an answer resolved (they stop booing for good)",
        Better::Higher,
    ),
    m(
        "replies_seen",
        Read::Extra,
        false,
        "replies seen",
        "views",
        "follower views of the brand's public answers",
        Better::Neither,
    ),
    m(
        "influencers_paid",
        Read::Extra,
        false,
        "influencers paid",
        "agents",
        "paid influencers in the audience",
        Better::Neither,
    ),
    m(
        "advocates",
        Read::Extra,
        false,
        "advocates",
        "agents",
        "employee advocates in the audience",
        Better::Neither,
    ),
    m(
        "cost_total",
        Read::Extra,
        false,
        "cost total",
        "cost units",
        "the brand's total cost: each reply, broadcast, paid influencer, advocate and step of \
         listening at its price",
        Better::Lower,
    ),
    m(
        "first_response_step",
        Read::Extra,
        false,
        "first response step",
        "step",
        "step of the brand's first answer; replicates without one are left out",
        Better::Lower,
    ),
    m(
        "most_responses_in_a_step",
        Read::Extra,
        false,
        "most responses in a step",
        "messages",
        "the most answers the brand sent in one step",
        Better::Neither,
    ),
    m(
        "mean_signal",
        Read::Extra,
        false,
        "mean signal",
        "signal",
        "mean final signal (experience of the product) of the audience: the sentiment reached",
        Better::Higher,
    ),
    m(
        "active",
        Read::Extra,
        false,
        "active",
        "agents",
        "agents active at the end, seeds included",
        Better::Higher,
    ),
    m(
        "seeds",
        Read::Extra,
        false,
        "seeds",
        "agents",
        "number of seeds",
        Better::Neither,
    ),
];

/// One per-step measure (`steps.csv`), read from a [`StepRecord`].
#[derive(Debug, Clone, Copy)]
pub struct StepMeasure {
    /// Its name in `steps.csv`.
    pub name: &'static str,
    /// Its value at one step.
    pub read: StepRead,
    /// Its unit, as in `docs/measures.md`.
    pub unit: &'static str,
    /// Its one-line definition.
    pub doc: &'static str,
}

/// How a per-step measure is read.
#[derive(Debug, Clone, Copy)]
pub enum StepRead {
    /// A share of all agents.
    Share(fn(&StepRecord) -> f64),
    /// A count.
    Count(fn(&StepRecord) -> u64),
}

impl StepMeasure {
    /// Appends its value at `rec` to `buf` as `steps.csv` writes it.
    pub fn write(&self, rec: &StepRecord, buf: &mut String) {
        let _ = match self.read {
            StepRead::Share(f) => write!(buf, "{}", f(rec)),
            StepRead::Count(f) => write!(buf, "{}", f(rec)),
        };
    }
}

/// The per-step measures, in the order `steps.csv` writes them at each step.
pub const STEP_MEASURES: [StepMeasure; 5] = [
    StepMeasure {
        name: "sitting",
        read: StepRead::Share(|s| s.sitting),
        unit: "share",
        doc: "share of agents sitting after the step",
    },
    StepMeasure {
        name: "standing",
        read: StepRead::Share(|s| s.standing),
        unit: "share",
        doc: "share of agents standing after the step",
    },
    StepMeasure {
        name: "booing",
        read: StepRead::Share(|s| s.booing),
        unit: "share",
        doc: "share of agents booing after the step",
    },
    StepMeasure {
        name: "changes",
        read: StepRead::Count(|s| s.changes),
        unit: "agents",
        doc: "agents whose action changed in this step",
    },
    StepMeasure {
        name: "exposures",
        read: StepRead::Count(|s| s.exposures),
        unit: "edges",
        doc: "edges over which a changed action became visible in this step",
    },
];

/// Every declared per-replicate measure and outcome: the common ones, the outcomes, then the
/// rules' declared ones.
pub fn all() -> impl Iterator<Item = &'static Measure> {
    COMMON
        .into_iter()
        .chain(OUTCOMES.iter())
        .chain(RULE_MEASURES.iter())
}

/// The declaration of `name`, if it has one.
pub fn find(name: &str) -> Option<&'static Measure> {
    all().find(|m| m.name == name)
}

/// The value of measure `name` in `r`: a declared measure as [`Measure::value`], else a rule's
/// own measure by name; `None` when `r` lacks it.
pub fn value(r: &ReplicateResult, name: &str) -> Option<f64> {
    match find(name) {
        Some(m) => m.value(r),
        None => r.extra.get(name).copied(),
    }
}

/// Whether measure `name` is a share in `[0, 1]` (undeclared measures are not).
pub fn is_share(name: &str) -> bool {
    find(name).is_some_and(|m| m.share)
}

/// The declared better direction of measure `name`, as a compare goal: `None` for a measure
/// declared [`Better::Neither`] and for one not declared here (a rule's own measure).
pub fn goal(name: &str) -> Option<Goal> {
    find(name).and_then(|m| m.better.goal())
}

/// Whether measure `name` counts steps (declared with the unit `step` or `steps`): with a
/// `[time]` table the reports also give it in time units (undeclared measures do not).
pub fn counts_steps(name: &str) -> bool {
    find(name).is_some_and(|m| m.unit == "step" || m.unit == "steps")
}

/// Measure `name` in words: its declared label, else the name with spaces for underscores.
pub fn label(name: &str) -> String {
    match find(name) {
        Some(m) => m.label.to_string(),
        None => name.replace('_', " "),
    }
}

/// The one-line definition of measure `name`, or `None` for a measure not declared here (a
/// rule's own measure is then described in its docs/models page).
pub fn definition(name: &str) -> Option<&'static str> {
    find(name).map(|m| m.doc)
}

/// The names of `measures`, in order, at compile time.
pub(crate) const fn names<const N: usize>(measures: [&Measure; N]) -> [&'static str; N] {
    let mut out = [""; N];
    let mut i = 0;
    while i < N {
        out[i] = measures[i].name;
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::fixtures::{replicate, trajectory};

    /// The backquoted names in the first column of the tables of `docs/measures.md` whose
    /// second column is `unit`, with that unit.
    fn documented_units(docs: &str) -> Vec<(String, String)> {
        let mut out = Vec::new();
        let mut in_unit_table = false;
        for line in docs.lines() {
            let cells: Vec<&str> = line.trim().trim_matches('|').split('|').collect();
            if !line.starts_with('|') {
                in_unit_table = false;
                continue;
            }
            if cells.len() >= 2 && cells[0].trim() == "measure" {
                in_unit_table = cells[1].trim() == "unit";
                continue;
            }
            if !in_unit_table || cells.len() < 3 || cells[0].starts_with("---") {
                continue;
            }
            for name in cells[0].split(',') {
                let name = name.trim();
                if let Some(n) = name.strip_prefix('`').and_then(|n| n.strip_suffix('`')) {
                    out.push((n.to_string(), cells[1].trim().to_string()));
                }
            }
        }
        out
    }

    #[test]
    fn every_declared_measure_is_in_the_docs_with_its_unit_and_the_reverse() {
        let docs = include_str!("../../docs/measures.md");
        let documented = documented_units(docs);
        // The parse found the tables (a change of their layout must not make this pass
        // vacuously).
        assert!(documented.len() >= 30, "{documented:?}");
        for m in all() {
            assert!(
                docs.contains(&format!("`{}`", m.name)),
                "docs/measures.md lacks `{}`",
                m.name
            );
            if let Some((_, unit)) = documented.iter().find(|(n, _)| n == m.name) {
                assert_eq!(unit, m.unit, "unit of `{}` in docs/measures.md", m.name);
            }
        }
        for s in STEP_MEASURES {
            let (_, unit) = documented
                .iter()
                .find(|(n, _)| n == s.name)
                .unwrap_or_else(|| panic!("docs/measures.md lacks step measure `{}`", s.name));
            assert_eq!(unit, s.unit, "unit of `{}` in docs/measures.md", s.name);
        }
        // The reverse: every measure of the docs' unit tables is declared here (the columns
        // `replicate` and `outcome` of summary.csv are keys, not measures, and
        // `<rule measure>` stands for the rules' own).
        for (name, _) in &documented {
            let declared = find(name).is_some()
                || STEP_MEASURES.iter().any(|s| s.name == name)
                || ["replicate", "outcome"].contains(&name.as_str())
                || name.starts_with('<');
            assert!(declared, "`{name}` is in docs/measures.md but not declared");
        }
    }

    #[test]
    fn the_scenarios_default_measures_are_declared() {
        // `scenario` sits left of `output` and names its defaults as strings.
        let defaults = crate::scenario::strategies::DEFAULT_MEASURES;
        for name in defaults.iter().chain(&["final_standing"]) {
            assert!(find(name).is_some(), "`{name}` is not declared");
        }
    }

    #[test]
    fn names_are_unique_and_labels_are_words() {
        let mut names: Vec<&str> = all().map(|m| m.name).collect();
        names.extend(STEP_MEASURES.iter().map(|s| s.name));
        let mut sorted = names.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), names.len(), "a measure is declared twice");
        for m in all() {
            assert!(
                !m.label.contains('_'),
                "label of {} has an underscore",
                m.name
            );
            assert!(!m.doc.is_empty() && !m.unit.is_empty(), "{}", m.name);
            assert_eq!(m.share, m.unit.starts_with("share"), "{}", m.name);
        }
    }

    #[test]
    fn values_are_read_from_the_fields_and_the_extra_map() {
        let mut r = replicate(3);
        r.final_booing = 0.125;
        r.edge_visits = 12_345_678_901;
        r.peak_booing_step = 4;
        r.extra.insert("cost_total".into(), 7.5);
        r.extra.insert("opinion_clusters".into(), 2.0);
        assert_eq!(value(&r, "final_booing"), Some(0.125));
        assert_eq!(value(&r, "edge_visits"), Some(12_345_678_901.0));
        assert_eq!(value(&r, "peak_booing_step"), Some(4.0));
        assert_eq!(value(&r, "cost_total"), Some(7.5));
        assert_eq!(value(&r, "opinion_clusters"), Some(2.0));
        assert_eq!(value(&r, "first_response_step"), None);
        assert_eq!(value(&r, "fixed_point"), None);
        let mut buf = String::new();
        EDGE_VISITS.write(&r, &mut buf);
        assert_eq!(buf, "12345678901");
        assert_eq!(label("opinion_clusters"), "opinion clusters");
        assert_eq!(label("final_booing"), "final booing (complaint) share");
        assert!(is_share("fixed_point") && is_share("conformers"));
        assert!(!is_share("cascade_size") && !is_share("opinion_clusters"));
        let t = trajectory(&[0.25]);
        let mut buf = String::new();
        STEP_MEASURES[1].write(&t[0], &mut buf);
        assert_eq!(buf, "0.25");
    }
}
