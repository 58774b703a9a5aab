//! The reference rules of the cascade literature, each a step loop over the same follower graph
//! and [`State`](crate::engine::state::State) as the Standing Ovation rule.
//!
//! A rule module exposes `run(ctx, params) -> Ending`. It reads its agents' initial actions from
//! `ctx.state`, changes actions only through [`State::set_action`] (so tallies and the state
//! hash stay right), reports every step with [`Ctx::record`], counts the edges it reads in
//! `ctx.state.edge_visits`, may add rule-specific measures with [`Ctx::set_extra`], and draws
//! every random number from a [`crate::rng::Stream`] keyed by `(ctx.setup.key, purpose, step,
//! agent)`, so results never depend on the number of threads.
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
//! [`State::set_action`]: crate::engine::state::State::set_action
//! [`Ctx::record`]: crate::engine::run::Ctx::record
//! [`Ctx::set_extra`]: crate::engine::run::Ctx::set_extra

pub mod bass;
pub mod cascade;
pub mod epidemic;
pub mod opinion;
pub mod sentiment;
pub mod threshold;
pub mod voter;

use crate::engine::run::{Ctx, Ending};
use crate::model::RuleSpec;

/// Runs the replicate in `ctx` under a reference rule (every rule but `sop`).
///
/// # Panics
/// On `RuleSpec::Sop`, which the engine's timing schemes run.
pub fn run(ctx: &mut Ctx<'_, '_>) -> Ending {
    match ctx.setup.rule {
        RuleSpec::Sop { .. } => unreachable!("the Standing Ovation rule runs in engine::timing"),
        RuleSpec::Threshold(p) => threshold::run(ctx, p),
        RuleSpec::IndependentCascade(p) => cascade::run_independent(ctx, p),
        RuleSpec::LinearThreshold(p) => cascade::run_linear(ctx, p),
        RuleSpec::Voter(p) => voter::run_voter(ctx, p),
        RuleSpec::Majority(p) => voter::run_majority(ctx, p),
        RuleSpec::QVoter(p) => voter::run_q_voter(ctx, p),
        RuleSpec::Sir(p) => epidemic::run_sir(ctx, p),
        RuleSpec::Sis(p) => epidemic::run_sis(ctx, p),
        RuleSpec::MakiThompson(p) => epidemic::run_maki_thompson(ctx, p),
        RuleSpec::Deffuant(p) => opinion::run_deffuant(ctx, p),
        RuleSpec::HegselmannKrause(p) => opinion::run_hegselmann_krause(ctx, p),
        RuleSpec::Bass(p) => bass::run(ctx, p),
        RuleSpec::Sentiment(p) => sentiment::run(ctx, p),
    }
}
