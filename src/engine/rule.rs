//! The rule contract: everything a decision rule declares to the engine, in one place.
//!
//! A rule is a value implementing [`Rule`]: its name, its parameter checks, what it needs of the
//! graph, whether it reads the engine's per-agent counts, its preparation before step 0 and its
//! step loop. The engine calls nothing else, so a rule lives in one file. The built-in rules are
//! registered in [`crate::engine::rules`] (one line each: the scenario name and the parameter
//! type); a rule defined in code elsewhere (a library user's, or a test's) runs through
//! [`CustomRule`], with every job of [`crate::jobs`] and every output file available to it.
//!
//! What a step loop may do with its [`Ctx`] (the engine checks what it can):
//! - change actions only through [`State::set_action`](crate::engine::state::State::set_action)
//!   (so tallies and the cycle hash stay right), and, if it declared
//!   [`Rule::needs_counts`], push each change to the followers' counts with
//!   [`State::push_change`](crate::engine::state::State::push_change);
//! - report every step with [`Ctx::record`] (step 0 is recorded by the engine after
//!   [`Rule::prepare`]);
//! - add to `ctx.state.edge_visits` the edges it actually read;
//! - add rule-specific measures with [`Ctx::set_extra`];
//! - draw every random number from a [`crate::rng::Stream`] keyed by `(ctx.setup.key, purpose,
//!   step, agent)`, never by thread, so results never depend on the number of threads;
//! - let the scenario's actors (the brand) take their turn with [`Ctx::actors_turn`] at the
//!   start of each step, if the rule supports them ([`Rule::supports_actors`]).

use std::fmt;
use std::sync::Arc;

use crate::engine::config::TimingSpec;
use crate::engine::run::{Ctx, Ending, Setup};
use crate::graph::FollowerGraph;
use crate::model::Problem;

/// A decision rule, as the engine sees it.
pub trait Rule: fmt::Debug + Send + Sync {
    /// The rule's name as written in scenarios (`rule = "..."` in `[model]`).
    fn name(&self) -> &'static str;

    /// What is wrong with the parameters, one [`Problem`] per key under `[model]` (empty when
    /// they are valid). Checked when the scenario is read, before anything runs.
    fn problems(&self) -> Vec<Problem> {
        Vec::new()
    }

    /// What the rule needs of the graph beyond a valid scenario (edge weights it reads,
    /// thresholds that fit the degrees), checked once the graph is loaded and before any
    /// replicate runs; `Err` is one line naming the `[model]` key and what was expected.
    fn check_graph(&self, _graph: &FollowerGraph) -> Result<(), String> {
        Ok(())
    }

    /// Whether the step loop reads the engine's per-agent counts of sources in each action
    /// (`state.seen_stand`, `seen_boo`, `seen_total`) and pushes changes to them. Rules that
    /// do not are spared the **O(n + m)** count at step 0, and its edge visits.
    fn needs_counts(&self) -> bool {
        false
    }

    /// Whether the step loop computes the step-0 counts itself, in its first step's pull
    /// (when [`Rule::needs_counts`]): the engine then leaves them uncounted
    /// ([`State::counted`](crate::engine::state::State::counted) is false) and spares a
    /// second pass over the graph. The default, false, has the engine count them before
    /// step 0 is recorded. Actors see the state before the first step, so a rule says true
    /// only for setups without them.
    fn counts_in_first_step(&self, _setup: &Setup<'_>) -> bool {
        false
    }

    /// Whether agents start from their private signals (`stand` iff `s_i > T_i`), as in Miller
    /// and Page; otherwise every agent starts inactive (`sit`) unless its class or `[seeding]`
    /// says otherwise.
    fn uses_signals(&self) -> bool {
        false
    }

    /// The signal quality `q` the population is sampled with (`s_i = q + e_i`; 0 for rules
    /// without signals).
    fn quality(&self) -> f64 {
        0.0
    }

    /// Whether the rule runs under `timing` (`[timing] scheme`). Most rules define their own
    /// updating and accept only the default, synchronous.
    fn supports_timing(&self, timing: &TimingSpec) -> bool {
        *timing == TimingSpec::Synchronous
    }

    /// Whether the step loop gives the scenario's actors (the `[brand]` agent) their turn each
    /// step ([`Ctx::actors_turn`]); a scenario with a brand is refused for rules that do not.
    fn supports_actors(&self) -> bool {
        false
    }

    /// Prepares the replicate before step 0 is recorded (e.g. voicing initial opinions); the
    /// default does nothing.
    fn prepare(&self, _ctx: &mut Ctx<'_, '_>) {}

    /// The step loop: steps `1, 2, ...` until the scenario's stop rule
    /// (`ctx.setup.stop`), each reported with [`Ctx::record`]; returns how it ended.
    fn run(&self, ctx: &mut Ctx<'_, '_>) -> Ending;
}

/// A rule defined in code rather than registered in [`crate::engine::rules`]: set a scenario's
/// `model` to `RuleSpec::Custom(CustomRule::new(my_rule))` and run it with any job. Scenario
/// files cannot name it (`rule = "..."` accepts the registered rules only); manifests write its
/// name.
#[derive(Clone)]
pub struct CustomRule(pub Arc<dyn Rule>);

impl CustomRule {
    /// Wraps `rule`.
    pub fn new(rule: impl Rule + 'static) -> CustomRule {
        CustomRule(Arc::new(rule))
    }
}

impl fmt::Debug for CustomRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// Two custom rules are equal when they are the same rule value (the same `Arc`).
impl PartialEq for CustomRule {
    fn eq(&self, other: &CustomRule) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

/// Written as `{ name = "<the rule's name>" }` (with the enum's `rule = "custom"` tag).
impl serde::Serialize for CustomRule {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut s = serializer.serialize_struct("CustomRule", 1)?;
        s.serialize_field("name", self.0.name())?;
        s.end()
    }
}
