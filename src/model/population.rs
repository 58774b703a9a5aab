//! Agent classes and the sampled population: per-agent attributes as a struct of arrays.
//!
//! A scenario declares one or more classes (`[[population]]`). A class takes either an explicit
//! list of agents (`nodes`) or a `share` of the agents no list claimed. Each attribute is drawn
//! from a [`Dist`] with a stream keyed by `(replicate key, purpose, agent)`, so agent 17 gets
//! the same signal whatever the number of threads, and strategies compared under common random
//! numbers see the same draws.

use serde::{Deserialize, Serialize};

use crate::model::action::Action;
use crate::model::dist::Dist;
use crate::rng::{Purpose, Stream};

/// The role of a class (SPEC 2.2); regular agents unless said otherwise.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClassKind {
    /// An ordinary member of the audience.
    #[default]
    Regular,
    /// An influencer (many followers, possibly a seed).
    Influencer,
    /// A paid influencer.
    PaidInfluencer,
    /// An employee who advocates for the brand.
    EmployeeAdvocate,
    /// The brand itself.
    Brand,
}

/// One agent class as written in a scenario's `[[population]]` table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClassSpec {
    /// The class name used in outputs.
    #[serde(default = "default_class_name")]
    pub name: String,
    /// The class's role.
    #[serde(default)]
    pub kind: ClassKind,
    /// Share of the agents not claimed by any `nodes` list, in `[0, 1]`. Shares of all classes
    /// without `nodes` must sum to 1. Assignment is exact: the unclaimed agents are put in a
    /// random order (keyed by agent) and cut at the cumulative shares.
    #[serde(default)]
    pub share: Option<f64>,
    /// Explicit agent ids (dense ids, `0..n`) for this class.
    #[serde(default)]
    pub nodes: Option<Vec<u32>>,
    /// Noise `e_i` of the private signal `s_i = q + e_i`.
    #[serde(default)]
    pub noise: Dist,
    /// Intrinsic threshold `T_i`: alone, the agent stands iff `s_i > T_i` (strictly).
    #[serde(default = "default_threshold")]
    pub threshold: Dist,
    /// Conformity threshold `X_i` in `[0, 1]`.
    #[serde(default = "default_conformity")]
    pub conformity: Dist,
    /// Visibility weight (how much others weigh this agent), `> 0`.
    #[serde(default = "default_visibility")]
    pub visibility: Dist,
    /// Complaint threshold `C_i` (sentiment scenarios): alone, the agent boos (complains in
    /// public) iff `s_i < C_i` and it does not stand (`s_i <= T_i`). Absent: nobody in the
    /// class ever complains on its own (`C_i = -inf`), which is Miller and Page's model.
    #[serde(default)]
    pub complaint: Option<Dist>,
    /// Authenticity in `[0, 1]`: the factor by which others discount this class's visibility
    /// (a paid influencer's endorsement counts less than a friend's). Absent: 1.
    #[serde(default)]
    pub authenticity: Option<f64>,
    /// Forces the initial action instead of `s_i > T_i` (the agent then revises as usual).
    #[serde(default)]
    pub initial: Option<Action>,
    /// Fixes the action for the whole run (a committed agent, a plant): it never revises.
    #[serde(default)]
    pub fixed: Option<Action>,
}

fn default_class_name() -> String {
    "regular".to_string()
}
fn default_threshold() -> Dist {
    Dist::Value(0.5)
}
fn default_conformity() -> Dist {
    Dist::Value(0.5)
}
fn default_visibility() -> Dist {
    Dist::Value(1.0)
}

/// Marks "no fixed action" in [`Agents::fixed`].
pub const NOT_FIXED: u8 = u8::MAX;

/// The sampled population of one replicate, one entry per agent in every column.
#[derive(Debug, Clone, PartialEq)]
pub struct Agents {
    /// Private signal `s_i = q + e_i`.
    pub signal: Vec<f32>,
    /// Intrinsic threshold `T_i`.
    pub threshold: Vec<f32>,
    /// Conformity threshold `X_i`.
    pub conformity: Vec<f32>,
    /// Visibility weight (times the class's authenticity).
    pub visibility: Vec<f32>,
    /// Complaint threshold `C_i` (`-inf` for classes without one).
    pub complaint: Vec<f32>,
    /// Class index into the scenario's class list.
    pub class: Vec<u8>,
    /// What the agent's own signal says: `stand` iff `s_i > T_i`, else `boo` iff `s_i < C_i`,
    /// else `sit` (an `Action` byte); see [`own_action`].
    pub own: Vec<u8>,
    /// The action at step 0: `own`, unless the class forces `initial` or `fixed`.
    pub initial: Vec<u8>,
    /// A fixed action byte, or [`NOT_FIXED`].
    pub fixed: Vec<u8>,
    /// The agents `[seeding]` picked, ascending (empty without seeding): the engine reports
    /// each one's reach.
    pub seeds: Vec<u32>,
}

impl Agents {
    /// Number of agents.
    pub fn len(&self) -> usize {
        self.signal.len()
    }

    /// Whether there are no agents.
    pub fn is_empty(&self) -> bool {
        self.signal.is_empty()
    }

    /// Whether any agent's visibility differs from 1 (then counts are weighted).
    pub fn has_visibility_weights(&self) -> bool {
        self.visibility.iter().any(|&v| v != 1.0)
    }

    /// Samples the population of one replicate: `n` agents, `classes` as validated (node lists
    /// in range and disjoint, shares summing to 1), signal quality `quality`, under `key`.
    /// Computes in **O(n log n)** time (the share assignment sorts by random keys).
    pub fn sample(n: u32, classes: &[ClassSpec], quality: f64, key: u64) -> Agents {
        Agents::sample_range(n, classes, quality, key, 0, n)
    }

    /// The agents `lo..hi` of [`Agents::sample`]`(n, classes, quality, key)`, and only those
    /// (entry `k` is agent `lo + k`): every draw is keyed by the agent's global id, so a
    /// process of a partitioned run samples exactly its own agents. With one class drawn by
    /// share this costs **O(hi - lo)**; with several, the class assignment (a byte per agent)
    /// is computed for all `n` agents, since the shares are dealt over everyone.
    pub fn sample_range(
        n: u32,
        classes: &[ClassSpec],
        quality: f64,
        key: u64,
        lo: u32,
        hi: u32,
    ) -> Agents {
        let class = assign_classes_range(n, classes, key, lo, hi);
        let len = (hi - lo) as usize;
        let mut agents = Agents {
            signal: Vec::with_capacity(len),
            threshold: Vec::with_capacity(len),
            conformity: Vec::with_capacity(len),
            visibility: Vec::with_capacity(len),
            complaint: Vec::with_capacity(len),
            class,
            own: Vec::with_capacity(len),
            initial: Vec::with_capacity(len),
            fixed: Vec::with_capacity(len),
            seeds: Vec::new(),
        };
        for i in lo..hi {
            let spec = &classes[agents.class[(i - lo) as usize] as usize];
            let draw = |d: &Dist, p: Purpose| d.sample(&mut Stream::new(key, p, 0, i));
            let s = quality + draw(&spec.noise, Purpose::Signal);
            let t = draw(&spec.threshold, Purpose::Threshold);
            let x = draw(&spec.conformity, Purpose::Conformity);
            let w = draw(&spec.visibility, Purpose::Visibility) * spec.authenticity.unwrap_or(1.0);
            // Drawn only for classes that have one, from a stream of its own, so adding a
            // complaint threshold never shifts the other draws.
            let c = spec.complaint.as_ref().map_or(f64::NEG_INFINITY, |d| {
                d.sample(&mut Stream::new(key, Purpose::Attribute, COMPLAINT_STEP, i))
            });
            let own = own_action(s, t, c);
            let (s, t, c) = (s as f32, t as f32, c as f32);
            // An employee advocate stands for the brand whatever it sees (Dell's staff on
            // Twitter), unless its class says otherwise.
            let advocate = (spec.kind == ClassKind::EmployeeAdvocate).then_some(Action::Stand);
            let fixed = spec.fixed.or(if spec.initial.is_none() {
                advocate
            } else {
                None
            });
            let initial = fixed.or(spec.initial).unwrap_or(own);
            agents.signal.push(s);
            agents.threshold.push(t);
            agents.conformity.push(x as f32);
            agents.visibility.push(w as f32);
            agents.complaint.push(c);
            agents.own.push(own as u8);
            agents.initial.push(initial as u8);
            agents.fixed.push(fixed.map_or(NOT_FIXED, |a| a as u8));
        }
        agents
    }
}

/// The `step` of the [`Purpose::Attribute`] stream a complaint threshold is drawn from.
const COMPLAINT_STEP: u32 = 0x434F_4D50;

/// What an agent does on its own signal `s` with intrinsic threshold `t` and complaint
/// threshold `c`: `stand` iff `s > t` (Miller and Page's strict inequality), else `boo` iff
/// `s < c`, else `sit`. With `c = -inf` this is Miller and Page's initial reaction.
#[inline]
pub fn own_action(s: f64, t: f64, c: f64) -> Action {
    if s > t {
        Action::Stand
    } else if s < c {
        Action::Boo
    } else {
        Action::Sit
    }
}

/// Class index of agents `lo..hi` (see [`assign_classes`]): with a single class drawn by share
/// no draw is needed, so only the range is computed.
fn assign_classes_range(n: u32, classes: &[ClassSpec], key: u64, lo: u32, hi: u32) -> Vec<u8> {
    let mut shares = classes
        .iter()
        .enumerate()
        .filter(|(_, s)| s.nodes.is_none());
    if let (Some((only, _)), None) = (shares.next(), shares.next()) {
        let mut class = vec![only as u8; (hi - lo) as usize];
        for (c, spec) in classes.iter().enumerate() {
            for &v in spec.nodes.iter().flatten() {
                if (lo..hi).contains(&v) {
                    class[(v - lo) as usize] = c as u8;
                }
            }
        }
        return class;
    }
    let mut all = assign_classes(n, classes, key);
    all.truncate(hi as usize);
    all.drain(..lo as usize);
    all
}

/// Class index of every agent: explicit node lists first, then the shares over the rest.
fn assign_classes(n: u32, classes: &[ClassSpec], key: u64) -> Vec<u8> {
    const UNASSIGNED: u8 = u8::MAX;
    let mut class = vec![UNASSIGNED; n as usize];
    for (c, spec) in classes.iter().enumerate() {
        if let Some(nodes) = &spec.nodes {
            for &v in nodes {
                class[v as usize] = c as u8;
            }
        }
    }
    let share_classes: Vec<(usize, f64)> = classes
        .iter()
        .enumerate()
        .filter(|(_, s)| s.nodes.is_none())
        .map(|(c, s)| (c, s.share.unwrap_or(1.0)))
        .collect();
    let mut rest: Vec<(u64, u32)> = (0..n)
        .filter(|&v| class[v as usize] == UNASSIGNED)
        .map(|v| (Stream::new(key, Purpose::Class, 0, v).next_u64_raw(), v))
        .collect();
    if share_classes.len() == 1 {
        let c = share_classes[0].0 as u8;
        for &(_, v) in &rest {
            class[v as usize] = c;
        }
        return class;
    }
    rest.sort_unstable();
    let total = rest.len() as f64;
    let mut start = 0usize;
    let mut cumulative = 0.0;
    for (k, &(c, share)) in share_classes.iter().enumerate() {
        cumulative += share;
        let end = if k + 1 == share_classes.len() {
            rest.len()
        } else {
            ((cumulative * total).round() as usize).min(rest.len())
        };
        for &(_, v) in &rest[start..end.max(start)] {
            class[v as usize] = c as u8;
        }
        start = end.max(start);
    }
    class
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::replicate_key;

    fn class(name: &str) -> ClassSpec {
        toml::from_str(&format!("name = \"{name}\"")).expect("defaults parse")
    }

    #[test]
    fn strict_inequality_decides_the_initial_action() {
        let mut c = class("all");
        c.threshold = Dist::Value(0.5);
        // Signal exactly at the threshold: s > T is false, so the agent sits.
        let a = Agents::sample(3, &[c.clone()], 0.5, replicate_key(1, 0));
        assert!(a.own.iter().all(|&x| x == Action::Sit as u8));
        let a = Agents::sample(3, &[c], 0.5 + 1e-9, replicate_key(1, 0));
        assert!(a.own.iter().all(|&x| x == Action::Stand as u8));
    }

    #[test]
    fn shares_are_exact_and_node_lists_win() {
        let mut plants = class("plants");
        plants.nodes = Some(vec![0, 1]);
        plants.fixed = Some(Action::Stand);
        let mut a = class("a");
        a.share = Some(0.25);
        let mut b = class("b");
        b.share = Some(0.75);
        let agents = Agents::sample(102, &[plants, a, b], 0.0, replicate_key(3, 1));
        assert_eq!(&agents.class[..2], &[0, 0]);
        assert_eq!(agents.fixed[0], Action::Stand as u8);
        assert_eq!(agents.initial[1], Action::Stand as u8);
        let count = |c| agents.class.iter().filter(|&&x| x == c).count();
        assert_eq!((count(1), count(2)), (25, 75));
    }
}
