//! The Standing Ovation rule of Miller and Page (2004), as reimplemented by Izquierdo,
//! Izquierdo, Galan and Santos, "Techniques to Understand Computer Simulations: Markov Chain
//! Analysis", JASSS 12(1)6 (2009), appendix B (and their NetLogo "StandingOvation" model).
//!
//! **Initial action** (step 0): agent i stands iff its private signal exceeds its intrinsic
//! threshold, `s_i > T_i` — Miller and Page's *strict* inequality (see
//! [`crate::model::population::Agents::sample`]).
//!
//! **Revision** (every later step): i sees `n` (weighted) agents, `s` of them standing. With
//! `f_stand = s / n`, `f_sit = (n - s) / n` and conformity threshold `X_i`:
//! - if exactly as much is seen standing as sitting (`s = n - s`) and `X_i <= 0.5`, it is a
//!   **tie** between stand and sit (with `X_i = 0.5` this is Izquierdo et al.'s majority rule
//!   with a coin at an even split; with `X_i < 0.5` both shares exceed `X_i`);
//! - else if both shares exceed `X_i` (possible only when `X_i < 0.5`), i takes the majority;
//! - else if `f_stand > X_i` i stands; else if `f_sit > X_i` i sits (strict inequalities, as
//!   in Miller and Page: a share exactly equal to `X_i` is not "more than" it);
//! - else i keeps its action (for `X_i > 0.5` there is a band where it keeps, and with
//!   `X_i = 1` nobody ever conforms).
//!
//! A tie is settled by the scenario's [`TieRule`]: `coin`, a fresh fair coin each time the agent
//! revises (the reference model's rule), or `keep`. An agent that sees nobody keeps its action.
//! With `noise > 0`, after revising the agent flips its action (stand <-> sit) with that
//! probability. Agents may sit down again. Comparisons are exact: counts are integers (fixed
//! point when weighted) and `X_i * n` is computed in `f64` without rounding for `n < 2^29`.
//!
//! **Three actions** (sentiment scenarios, [`sop_verdict3`]): an agent may also `boo` (complain
//! in public, `s_i < C_i` at step 0, see [`crate::model::population::own_action`]). With
//! `f_boo` the (weighted) share of its sources booing:
//! - if `f_boo > X_i` and more is seen booing than standing, it boos (it joins the complaint);
//!   if exactly as much is seen booing as standing, it is a tie between stand and boo;
//! - otherwise Miller and Page's rule above decides, with booing sources counted as not
//!   standing (so a complainer who sees mostly silence sits down, one who sees mostly praise
//!   stands).
//!
//! Complaints are a voice of their own: they spread when their share exceeds the conformity
//! threshold, however many sit in silence, as praise does in Miller and Page's rule when it
//! exceeds `X_i` and outweighs the rest. When nobody boos (`f_boo = 0`, never above `X_i >= 0`)
//! this is exactly the two-action rule. An agent the brand has satisfied (`can_boo = false`)
//! skips the first clause.

use serde::{Deserialize, Serialize};

use crate::model::action::Action;

/// How an exact tie is settled.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TieRule {
    /// A fresh fair coin each time the agent revises (Izquierdo et al.'s reference model).
    #[default]
    Coin,
    /// Keep the current action.
    Keep,
}

/// The Standing Ovation rule's parameters (`rule = "sop"` in `[model]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SopParams {
    /// Quality `q` of the performance: signals are `s_i = q + e_i`.
    pub quality: f64,
    /// How exact ties are settled.
    #[serde(default)]
    pub tie: TieRule,
    /// Probability in `[0, 1]` that an agent flips its action after revising.
    #[serde(default)]
    pub noise: f64,
}

impl SopParams {
    /// What is wrong with the parameters (empty when they are valid).
    pub fn problems(&self) -> Vec<crate::model::Problem> {
        use crate::model::Problem;
        let mut out = Vec::new();
        if !self.quality.is_finite() {
            out.push(Problem::new(
                "quality",
                format!("expected a finite number, found {}", self.quality),
            ));
        }
        if !(0.0..=1.0).contains(&self.noise) {
            out.push(Problem::new(
                "noise",
                format!("expected a probability in [0, 1], found {}", self.noise),
            ));
        }
        out
    }
}

/// The outcome of one revision before any coin is thrown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Take this action.
    Take(Action),
    /// Keep the current action.
    Keep,
    /// A tie between two actions, settled by the tie rule.
    Tie(Action, Action),
}

/// Miller and Page's conformity rule for an agent seeing `total` (weighted) agents, `standing`
/// of them standing, with conformity threshold `x`. The verdict does not depend on the agent's
/// current action: `Keep` says to keep whatever it is.
/// Computes in **O(1)** time.
#[inline]
pub fn sop_verdict(standing: u64, total: u64, x: f32) -> Verdict {
    if total == 0 {
        return Verdict::Keep;
    }
    let sitting = total - standing;
    if standing == sitting && x <= 0.5 {
        return Verdict::Tie(Action::Stand, Action::Sit);
    }
    let bar = f64::from(x) * total as f64;
    let stand_more = standing as f64 > bar;
    let sit_more = sitting as f64 > bar;
    match (stand_more, sit_more) {
        (true, true) if standing > sitting => Verdict::Take(Action::Stand),
        (true, true) => Verdict::Take(Action::Sit),
        (true, false) => Verdict::Take(Action::Stand),
        (false, true) => Verdict::Take(Action::Sit),
        (false, false) => Verdict::Keep,
    }
}

/// The three-action rule (see the module doc) for an agent seeing `total` (weighted) agents,
/// `standing` of them standing and `booing` booing, with conformity threshold `x`; `can_boo`
/// false skips the booing clause. With `booing = 0` it is [`sop_verdict`].
/// Computes in **O(1)** time.
#[inline]
pub fn sop_verdict3(standing: u64, booing: u64, total: u64, x: f32, can_boo: bool) -> Verdict {
    if can_boo && booing as f64 > f64::from(x) * total as f64 {
        if booing > standing {
            return Verdict::Take(Action::Boo);
        }
        if booing == standing {
            return Verdict::Tie(Action::Stand, Action::Boo);
        }
    }
    sop_verdict(standing, total, x)
}

#[cfg(test)]
mod tests {
    use super::*;
    use Action::{Boo, Sit, Stand};

    #[test]
    fn the_three_action_rule_reduces_to_miller_and_page_without_booing() {
        for total in 0..=12u64 {
            for standing in 0..=total {
                for k in 0..=20 {
                    let x = k as f32 / 20.0;
                    assert_eq!(
                        sop_verdict3(standing, 0, total, x, true),
                        sop_verdict(standing, total, x),
                        "s = {standing}, n = {total}, X = {x}"
                    );
                }
            }
        }
    }

    #[test]
    fn the_three_action_table() {
        // 2 of 10 booing, above X = 0.15 and more than the 1 standing: join the complaint,
        // however many sit.
        assert_eq!(sop_verdict3(1, 2, 10, 0.15, true), Verdict::Take(Boo));
        // The same with X = 0.2: 2 of 10 is not more than X; mostly sitting: sit.
        assert_eq!(sop_verdict3(1, 2, 10, 0.2, true), Verdict::Take(Sit));
        // As much booing as standing, above X: a tie between stand and boo.
        assert_eq!(sop_verdict3(2, 2, 4, 0.3, true), Verdict::Tie(Stand, Boo));
        // More standing than booing: Miller and Page's rule (standing 3 of 5 > X).
        assert_eq!(sop_verdict3(3, 2, 5, 0.3, true), Verdict::Take(Stand));
        // A satisfied customer never boos: the same view makes it sit.
        assert_eq!(sop_verdict3(1, 3, 5, 0.5, false), Verdict::Take(Sit));
        // Booing below X, sitting and standing not above X: keep.
        assert_eq!(sop_verdict3(2, 1, 5, 0.7, true), Verdict::Keep);
    }

    fn check(standing: u64, total: u64, x: f32, current: Action, expected: Verdict) {
        assert_eq!(
            sop_verdict(standing, total, x),
            expected,
            "s = {standing}, n = {total}, X = {x}, current = {current:?}"
        );
    }

    #[test]
    fn the_rule_table() {
        check(3, 5, 0.5, Sit, Verdict::Take(Stand));
        check(2, 5, 0.5, Stand, Verdict::Take(Sit));
        check(2, 4, 0.5, Sit, Verdict::Tie(Stand, Sit));
        // X > 0.5: the band where an agent keeps.
        check(2, 4, 0.7, Sit, Verdict::Keep);
        check(2, 4, 0.7, Stand, Verdict::Keep);
        check(3, 4, 0.7, Sit, Verdict::Take(Stand));
        // A share exactly equal to X is not more than X: keep.
        check(3, 4, 0.75, Sit, Verdict::Keep);
        // An even split with X > 0.5 is inside the keep band, not a tie.
        check(2, 4, 0.7, Stand, Verdict::Keep);
        // X < 0.5: both sides exceed X, the majority wins, an even split ties.
        check(3, 5, 0.2, Sit, Verdict::Take(Stand));
        check(2, 5, 0.2, Stand, Verdict::Take(Sit));
        check(2, 4, 0.2, Sit, Verdict::Tie(Stand, Sit));
        // X = 0: anyone standing is enough only when fewer sit.
        check(0, 4, 0.0, Stand, Verdict::Take(Sit));
        // X = 1: nothing is ever more than everyone, so nobody conforms.
        check(4, 4, 1.0, Sit, Verdict::Keep);
        check(0, 4, 1.0, Stand, Verdict::Keep);
        // Nobody seen: keep.
        check(0, 0, 0.5, Stand, Verdict::Keep);
    }
}
