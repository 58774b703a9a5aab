//! The Standing Ovation rule's step kernel, shared by its timing schemes: one agent's revision
//! given its own counts and action, with every random draw keyed by the global agent id and
//! the step, so any partition of the agents across threads (or processes) gives the same
//! result.

use crate::engine::state::Seen;
use crate::model::population::NOT_FIXED;
use crate::model::sop::{Verdict, sop_verdict3};
use crate::model::{Action, Agents, SopParams, TieRule};
use crate::rng::{Purpose, Stream};

/// The Standing Ovation rule's parameters, resolved once per run.
#[derive(Debug, Clone, Copy)]
pub struct Kernel {
    tie: TieRule,
    noise: f64,
    key: u64,
}

/// One agent's revision: its new action and whether a tie is still open (a later revision may
/// change it even if nothing it sees changes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Revision {
    /// The action after revising.
    pub action: Action,
    /// Whether the verdict was a tie between two different actions settled by a coin.
    pub open_tie: bool,
}

impl Kernel {
    /// The kernel of the rule `params` under the replicate key `key`.
    pub fn new(params: &SopParams, key: u64) -> Kernel {
        Kernel {
            tie: params.tie,
            noise: params.noise,
            key,
        }
    }

    /// Whether revisions draw action noise (then every agent revises every step).
    pub fn has_noise(&self) -> bool {
        self.noise > 0.0
    }

    /// Revises agent `i` at `step`, seeing `seen` (weighted units standing, booing and in
    /// all), with the three-action verdict [`sop_verdict3`] (Miller and Page's rule when nobody
    /// boos). An agent whose complaint the brand resolved (`seen.quiet`) never joins a
    /// complaint (the booing clause is skipped).
    /// Computes in **O(1)** time; draws only from streams keyed by `(step, i)`.
    #[inline]
    pub fn revise(
        &self,
        agents: &Agents,
        i: u32,
        step: u32,
        current: Action,
        seen: Seen,
    ) -> Revision {
        let idx = i as usize;
        self.revise_agent(
            agents.fixed[idx],
            agents.conformity[idx],
            i,
            step,
            current,
            seen,
        )
    }

    /// [`Kernel::revise`] given the agent's fixed action byte and conformity threshold
    /// rather than the whole population: `i` is its global id (the key of its draws), so a
    /// process of a partitioned run revises its own agents exactly as the engine does.
    #[inline]
    pub fn revise_agent(
        &self,
        fixed: u8,
        conformity: f32,
        i: u32,
        step: u32,
        current: Action,
        seen: Seen,
    ) -> Revision {
        if fixed != NOT_FIXED {
            return Revision {
                action: current,
                open_tie: false,
            };
        }
        if let Some(action) = self.plain_verdict(conformity, current, seen) {
            return Revision {
                action,
                open_tie: false,
            };
        }
        self.general_revision(conformity, i, step, current, seen)
    }

    /// [`Kernel::revise_agent`] for an agent that is not fixed, by the general rule
    /// ([`sop_verdict3`], the tie rule, then action noise).
    fn general_revision(
        &self,
        conformity: f32,
        i: u32,
        step: u32,
        current: Action,
        seen: Seen,
    ) -> Revision {
        let verdict = sop_verdict3(
            seen.standing,
            seen.booing,
            seen.total,
            conformity,
            !seen.quiet,
        );
        let (mut action, open_tie) = match verdict {
            Verdict::Take(a) => (a, false),
            Verdict::Keep => (current, false),
            Verdict::Tie(a, b) if a == b => (a, false),
            Verdict::Tie(a, b) => match self.tie {
                TieRule::Keep => (current, false),
                TieRule::Coin => {
                    let heads = Stream::new(self.key, Purpose::TieCoin, step, i).next_word() & 1;
                    (if heads == 1 { a } else { b }, true)
                }
            },
        };
        if self.noise > 0.0
            && Stream::new(self.key, Purpose::ActionNoise, step, i).bernoulli(self.noise)
        {
            action = match action {
                Action::Stand => Action::Sit,
                Action::Sit | Action::Boo => Action::Stand,
            };
        }
        Revision { action, open_tie }
    }

    /// The revision of [`Kernel::revise_agent`] in the common case, with few branches: no
    /// action noise, counts below `2^32`, nobody seen booing more than the threshold and,
    /// with ties settled by a coin, no tie. Returns `None` outside that case (the caller then
    /// takes the general path); inside it, exactly the action of [`sop_verdict3`] and the tie
    /// rule (`counts_fast_verdict_equals_the_general_rule` checks it).
    #[inline(always)]
    pub fn plain_verdict(&self, conformity: f32, current: Action, seen: Seen) -> Option<Action> {
        let Seen {
            standing,
            booing,
            total,
            quiet,
        } = seen;
        if self.noise > 0.0 || (standing | booing | total) > u64::from(u32::MAX) {
            return None;
        }
        if !quiet && booing as f64 > f64::from(conformity) * total as f64 {
            return None;
        }
        let (action, tie) = two_action(conformity, standing as u32, total as u32, current as u8);
        if tie && self.tie == TieRule::Coin {
            return None;
        }
        Some(Action::from_u8(action))
    }

    /// Whether revisions settle ties by a coin (then a tie takes the general path).
    #[inline]
    pub fn coin_ties(&self) -> bool {
        self.tie == TieRule::Coin
    }
}

/// Miller and Page's two-action verdict ([`crate::model::sop::sop_verdict`]) applied, with
/// few branches: the action byte after revising when nobody is seen booing, an exact tie kept,
/// and whether the verdict was that tie (under a coin, the caller throws it). `standing` and
/// `total` are the agent's counts, `current` its action byte. The shares are compared in `f64`
/// exactly as there (`u32` converts exactly).
#[inline(always)]
pub fn two_action(conformity: f32, standing: u32, total: u32, current: u8) -> (u8, bool) {
    let bar = f64::from(conformity) * f64::from(total);
    let sitting = total - standing;
    let stand_more = f64::from(standing) > bar;
    let sit_more = f64::from(sitting) > bar;
    settle(conformity, standing, sitting, stand_more, sit_more, current)
}

/// The least count `s` with `f64(s) > f64(conformity) * f64(total)`, the comparison of
/// [`two_action`], or `total + 1` when no count up to `total` passes it: an agent with these
/// `total` units and this threshold sees more than its share standing exactly when
/// `standing >= share_threshold(..)` (and sitting likewise). Exact: integers up to `2^32` are
/// exact in `f64`, and for `bar` in `[0, total)` the integers above `bar` are those from
/// `floor(bar) + 1` on.
pub fn share_threshold(conformity: f32, total: u32) -> u64 {
    let bar = f64::from(conformity) * f64::from(total);
    let none = u64::from(total) + 1;
    if bar.is_nan() || bar >= f64::from(total) {
        none
    } else if bar < 0.0 {
        0
    } else {
        // `bar` is in `[0, 2^32)`: the cast truncates, which is the floor here.
        bar as u64 + 1
    }
}

/// [`two_action`] given the agent's [`share_threshold`] for its `total` (computed once per
/// replicate): the same action and tie flag with integer comparisons only.
#[inline(always)]
pub fn two_action_at(
    threshold: u64,
    conformity: f32,
    standing: u32,
    total: u32,
    current: u8,
) -> (u8, bool) {
    let sitting = total - standing;
    let stand_more = u64::from(standing) >= threshold;
    let sit_more = u64::from(sitting) >= threshold;
    settle(conformity, standing, sitting, stand_more, sit_more, current)
}

/// The end of [`two_action`] once the two share comparisons are known.
#[inline(always)]
fn settle(
    conformity: f32,
    standing: u32,
    sitting: u32,
    stand_more: bool,
    sit_more: bool,
    current: u8,
) -> (u8, bool) {
    let tie = standing + sitting > 0 && standing == sitting && conformity <= 0.5;
    let stand = stand_more & (!sit_more | (standing > sitting));
    let sit = sit_more & !stand;
    let action = if tie | !(stand | sit) {
        current
    } else if stand {
        Action::Stand as u8
    } else {
        Action::Sit as u8
    };
    (action, tie)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_fast_verdict_equals_the_general_rule() {
        // Every count up to 24 sources (standing, booing, the rest sitting), thresholds at,
        // between and beyond the shares k / n that matter, both tie rules, with and without
        // the brand's quiet flag, from every current action: where the fast verdict answers,
        // it must be the general rule's action with no open tie.
        let xs = [
            0.0f32,
            0.1,
            0.25,
            1.0 / 3.0,
            0.4,
            0.5 - f32::EPSILON,
            0.5,
            0.5 + f32::EPSILON,
            0.6,
            2.0 / 3.0,
            0.75,
            1.0,
            1.5,
            -0.25,
            f32::NAN,
        ];
        let mut answered = 0u32;
        for tie in [TieRule::Keep, TieRule::Coin] {
            let params = SopParams {
                quality: 0.5,
                tie,
                noise: 0.0,
            };
            let kernel = Kernel::new(&params, 7);
            for total in 0..=24u64 {
                for standing in 0..=total {
                    for booing in 0..=total - standing {
                        for &x in &xs {
                            for quiet in [false, true] {
                                for current in Action::ALL {
                                    let seen = Seen {
                                        standing,
                                        booing,
                                        total,
                                        quiet,
                                    };
                                    let general = kernel.general_revision(x, 3, 2, current, seen);
                                    if let Some(a) = kernel.plain_verdict(x, current, seen) {
                                        answered += 1;
                                        assert_eq!(
                                            (a, false),
                                            (general.action, general.open_tie),
                                            "{seen:?} x = {x} {tie:?} from {current:?}"
                                        );
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        // The fast path must cover the common case, not decline everything.
        assert!(answered > 100_000, "{answered}");
    }

    #[test]
    fn integer_thresholds_equal_the_f64_verdict() {
        // Every count up to 64 units, thresholds at, between and beyond the shares k / n
        // (and odd values: NaN, infinities, negatives, just off 1/2), from every current
        // action: the integer comparison must give exactly the f64 one's action and tie.
        let mut xs = vec![
            0.0f32,
            -0.0,
            -0.25,
            0.5 - f32::EPSILON,
            0.5 + f32::EPSILON,
            1.0,
            1.5,
            f32::NAN,
            f32::INFINITY,
            f32::NEG_INFINITY,
            f32::MIN_POSITIVE,
        ];
        for n in 1..=64u32 {
            for k in 0..=n {
                let share = k as f32 / n as f32;
                xs.extend([share, share.next_down(), share.next_up()]);
            }
        }
        let mut checked = 0u64;
        for total in 0..=64u32 {
            for &x in &xs {
                let t = share_threshold(x, total);
                for standing in 0..=total {
                    for current in [0u8, 1, 2] {
                        assert_eq!(
                            two_action_at(t, x, standing, total, current),
                            two_action(x, standing, total, current),
                            "x = {x} standing {standing} of {total} from {current}"
                        );
                        checked += 1;
                    }
                }
            }
        }
        assert!(checked > 1_000_000, "{checked}");
        // Large totals: the threshold is the f64 comparison's boundary there too.
        for total in [1_000_003u32, u32::MAX] {
            for x in [0.3f32, 0.5, 2.0 / 3.0, 0.999_999] {
                let t = share_threshold(x, total);
                let bar = f64::from(x) * f64::from(total);
                assert!(t as f64 > bar, "{x} {total}");
                assert!(t == 0 || (t - 1) as f64 <= bar, "{x} {total}");
            }
        }
    }

    #[test]
    fn noise_and_coin_ties_take_the_general_path() {
        let noisy = Kernel::new(
            &SopParams {
                quality: 0.5,
                tie: TieRule::Keep,
                noise: 0.1,
            },
            7,
        );
        let seen = |standing, total| Seen {
            standing,
            booing: 0,
            total,
            quiet: false,
        };
        assert_eq!(noisy.plain_verdict(0.5, Action::Sit, seen(9, 10)), None);
        let coin = Kernel::new(
            &SopParams {
                quality: 0.5,
                tie: TieRule::Coin,
                noise: 0.0,
            },
            7,
        );
        assert_eq!(coin.plain_verdict(0.5, Action::Sit, seen(5, 10)), None);
        assert_eq!(
            coin.plain_verdict(0.5, Action::Sit, seen(6, 10)),
            Some(Action::Stand)
        );
    }
}
