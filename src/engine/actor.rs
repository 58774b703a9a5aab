//! Actors: agents outside the audience's rule that act on it each step, such as the `[brand]`
//! agent of a Standing Ovation run ([`crate::engine::brand`]). A rule whose step loop supports
//! them ([`crate::engine::rule::Rule::supports_actors`]) calls [`Ctx::actors_turn`] once at the
//! start of every step and consults [`Ctx::actors_busy`] before stopping at a fixed point; the
//! engine builds the actors before step 0 and lets them write their measures at the end. An
//! actor never appears inside a timing scheme's code.

use crate::engine::run::Ctx;

/// What an actor's turn changed.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct TurnResult {
    /// Agents whose action the actor's events changed.
    pub changes: u64,
    /// Follower edges those changes were pushed over.
    pub exposures: u64,
}

impl std::ops::AddAssign for TurnResult {
    fn add_assign(&mut self, other: TurnResult) {
        self.changes += other.changes;
        self.exposures += other.exposures;
    }
}

/// An agent acting on the audience from outside its rule.
pub trait Actor: Send {
    /// Acts at the start of `step`, on the actions of step `step - 1`. Changes actions through
    /// `ctx.state` (pushing them to followers' counts) and appends to `touched` every agent
    /// whose action changed and every follower whose counts changed (unsorted, with repeats).
    fn turn(&mut self, ctx: &mut Ctx<'_, '_>, step: u32, touched: &mut Vec<u32>) -> TurnResult;

    /// Whether the actor can still change anything (then the run is not at a fixed point).
    fn busy(&self, ctx: &Ctx<'_, '_>) -> bool;

    /// Writes the actor's measures (with [`Ctx::set_extra`]) once the run has ended.
    fn finish(&mut self, ctx: &mut Ctx<'_, '_>);
}
