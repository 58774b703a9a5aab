//! The brand agent's parameters (a scenario's `[brand]` table; see `docs/models/brand.md`).
//!
//! A brand is an account in the follower graph: it **listens** (each public complaint, an
//! agent booing at a step, is noticed with probability `listening`), answers at most `capacity`
//! complaints per step, `delay` steps after noticing them, over a **channel**: `public_reply`,
//! `private_reply`, `broadcast` or `none`. Its mechanics run in [`crate::engine::brand`]; what
//! they cost is counted with the per-unit costs below.
//!
//! The cases the channels follow: Comcast's @ComcastCares answering complaints on Twitter in
//! public within minutes (2008); a private answer ("social does not demand a public
//! conversation"); Johnson & Johnson's Motrin ad (November 2008), answered by a statement and
//! an apology on the brand's own site a day or two after a weekend uproar (a late broadcast).

use serde::{Deserialize, Serialize};

use crate::model::Problem;

/// How the brand answers the complaints it noticed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// Nothing is answered (the brand may still listen: noticed complaints are counted).
    #[default]
    None,
    /// An answer to the complainer, in public: resolves it with probability `p_resolve`, and the
    /// complainer's followers (and, with `replies_visible_to_brand_followers`, the brand's)
    /// see the answer.
    PublicReply,
    /// An answer to the complainer seen by no one else: resolves it with `p_resolve`.
    PrivateReply,
    /// One post to the brand's followers (a press release), `delay` steps after the first
    /// complaint noticed.
    Broadcast,
}

impl Channel {
    /// The channel's name as written in scenarios.
    pub fn name(self) -> &'static str {
        match self {
            Channel::None => "none",
            Channel::PublicReply => "public_reply",
            Channel::PrivateReply => "private_reply",
            Channel::Broadcast => "broadcast",
        }
    }
}

/// Which agent is the brand's account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum BrandNode {
    /// An explicit agent id (dense, `0..n`).
    Id(i64),
    /// `"top_followers"`: the agent with most followers (ties to the lower id); `"none"`: no
    /// account in the graph (then there is nobody to broadcast to); `"class"`: the first node
    /// of the class of kind `brand`; `"@name"`: the account with that handle (resolved through
    /// the graph's labels, see [`crate::graph::handles`]).
    Named(String),
}

impl Default for BrandNode {
    fn default() -> Self {
        BrandNode::Named("top_followers".to_string())
    }
}

/// The `[brand]` table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BrandSpec {
    /// The brand's account (default `"top_followers"`).
    #[serde(default)]
    pub node: BrandNode,
    /// Probability in `[0, 1]` that a public complaint is noticed, per complaint and step.
    #[serde(default = "one")]
    pub listening: f64,
    /// Most responses per step, `>= 0` (absent: no limit).
    #[serde(default)]
    pub capacity: Option<i64>,
    /// Steps from noticing a complaint to answering it: a fixed number `>= 0`, or an empirical
    /// distribution (written as a duration or `{ empirical = ..., brand = ... }` with `[time]`,
    /// converted to steps by the scenario).
    #[serde(default)]
    pub delay: crate::model::delay::Delay,
    /// How the brand answers.
    #[serde(default)]
    pub channel: Channel,
    /// Probability in `[0, 1]` that a reply resolves the complainer.
    #[serde(default = "half")]
    pub p_resolve: f64,
    /// How much a resolved complainer's signal rises, `>= 0`.
    #[serde(default = "one")]
    pub lift: f64,
    /// How much a reply seen in public, or a broadcast, raises the signal of those who see it,
    /// `>= 0`.
    #[serde(default = "nudge")]
    pub nudge: f64,
    /// A public reply is also seen by the brand's own followers (it publicises the complaint:
    /// their signal moves by `nudge - publicity`).
    #[serde(default)]
    pub replies_visible_to_brand_followers: bool,
    /// How much seeing a complaint publicised by the brand's reply lowers a brand follower's
    /// signal, `>= 0`.
    #[serde(default = "publicity")]
    pub publicity: f64,
    /// The shouting feedback: each public reply an agent sees raises its complaint threshold
    /// by this much, `>= 0` (0: off).
    #[serde(default)]
    pub incentive: f64,
    /// Cost of one reply, `>= 0`.
    #[serde(default = "one")]
    pub cost_per_response: f64,
    /// Cost of one broadcast, `>= 0`.
    #[serde(default = "one")]
    pub cost_per_broadcast: f64,
    /// Cost of one paid influencer (class kind `paid_influencer`, or a seed when `seed_class`
    /// names such a class), `>= 0`.
    #[serde(default)]
    pub cost_per_influencer: f64,
    /// Cost of one employee advocate, `>= 0`.
    #[serde(default)]
    pub cost_per_advocate: f64,
    /// Cost per step of listening with probability 1 (scaled by `listening`), `>= 0`.
    #[serde(default)]
    pub cost_listening: f64,
    /// The `[seeding]` seeds take the role of this population class (its kind and
    /// authenticity): e.g. the name of a `paid_influencer` class, so that seeds are paid and
    /// discounted. Absent: seeds are plain influencers (no cost, no discount).
    #[serde(default)]
    pub seed_class: Option<String>,
}

fn one() -> f64 {
    1.0
}
fn half() -> f64 {
    0.5
}
fn nudge() -> f64 {
    0.2
}
fn publicity() -> f64 {
    0.1
}

impl Default for BrandSpec {
    fn default() -> Self {
        toml::from_str("").expect("every [brand] key has a default")
    }
}

/// The names accepted for `node`.
pub const NODE_NAMES: [&str; 3] = ["top_followers", "none", "class"];

impl BrandSpec {
    /// What is wrong with the table (keys relative to `[brand]`; empty when valid).
    pub fn problems(&self) -> Vec<Problem> {
        let mut out = Vec::new();
        let probability = |key: &str, v: f64, out: &mut Vec<Problem>| {
            if !(0.0..=1.0).contains(&v) {
                out.push(Problem::new(
                    key,
                    format!("expected a probability in [0, 1], found {v}"),
                ));
            }
        };
        probability("listening", self.listening, &mut out);
        probability("p_resolve", self.p_resolve, &mut out);
        if let Some(c) = self.capacity
            && c < 0
        {
            out.push(Problem::new(
                "capacity",
                format!(
                    "expected a non-negative integer (responses per step; 0 answers nothing), \
                     found {c}"
                ),
            ));
        }
        if let crate::model::delay::Delay::Steps(d) = self.delay
            && d < 0
        {
            out.push(Problem::new(
                "delay",
                format!(
                    "expected a non-negative integer (steps from noticing to answering), found {d}"
                ),
            ));
        }
        for (key, v) in [
            ("lift", self.lift),
            ("nudge", self.nudge),
            ("publicity", self.publicity),
            ("incentive", self.incentive),
            ("cost_per_response", self.cost_per_response),
            ("cost_per_broadcast", self.cost_per_broadcast),
            ("cost_per_influencer", self.cost_per_influencer),
            ("cost_per_advocate", self.cost_per_advocate),
            ("cost_listening", self.cost_listening),
        ] {
            if !(v.is_finite() && v >= 0.0) {
                out.push(Problem::new(
                    key,
                    format!("expected a finite number >= 0, found {v}"),
                ));
            }
        }
        match &self.node {
            BrandNode::Id(id) if *id < 0 || *id > i64::from(u32::MAX) => out.push(Problem::new(
                "node",
                format!("expected an agent id (a non-negative integer), found {id}"),
            )),
            BrandNode::Named(name)
                if !(NODE_NAMES.contains(&name.as_str())
                    || name.len() > 1 && name.starts_with('@')) =>
            {
                out.push(Problem::new(
                    "node",
                    format!(
                        "expected an agent id, a handle like \"@name\" or one of \
                         \"top_followers\", \"none\", \"class\", found \"{name}\""
                    ),
                ))
            }
            BrandNode::Named(name)
                if name == "none"
                    && (self.channel == Channel::Broadcast
                        || self.replies_visible_to_brand_followers) =>
            {
                out.push(Problem::new(
                    "node",
                    "expected a brand account (an id or \"top_followers\"): a broadcast, or a \
                     reply seen by the brand's followers, needs followers; found \"none\"",
                ))
            }
            _ => {}
        }
        out
    }

    /// Whether the brand never answers anything (channel `none`, or nothing is ever noticed or
    /// sent).
    pub fn is_silent(&self) -> bool {
        self.channel == Channel::None || self.listening == 0.0 || self.capacity == Some(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(text: &str) -> BrandSpec {
        toml::from_str(text).expect("valid [brand]")
    }

    #[test]
    fn defaults_are_valid_and_bad_values_are_named() {
        assert!(BrandSpec::default().problems().is_empty());
        let keys = |s: &BrandSpec| -> Vec<String> {
            s.problems().into_iter().map(|p| p.key).collect::<Vec<_>>()
        };
        assert_eq!(keys(&spec("capacity = -1")), ["capacity"]);
        assert_eq!(keys(&spec("p_resolve = 1.5")), ["p_resolve"]);
        assert_eq!(keys(&spec("listening = -0.1")), ["listening"]);
        assert_eq!(keys(&spec("delay = -2")), ["delay"]);
        assert_eq!(keys(&spec("node = \"loudest\"")), ["node"]);
        assert_eq!(
            keys(&spec("node = \"none\"\nchannel = \"broadcast\"")),
            ["node"]
        );
        assert!(toml::from_str::<BrandSpec>("channel = \"shout\"").is_err());
        assert_eq!(spec("node = 7").node, BrandNode::Id(7));
    }
}
