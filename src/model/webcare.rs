//! The `[webcare]` table: a brand's answers to public complaints under the `sentiment` rule,
//! with mechanisms from the webcare literature (parameters only; the mechanics are in
//! `crate::engine::webcare`, the equations and sources in `docs/models/sentiment.md`).
//!
//! A brand has one or more **accounts** (a care team, employees as with Dell, a CEO as with
//! Zappos), each an agent of the graph with its own followers, capacity, reply delay, channel
//! and start time. It **listens** (finds complaints) and answers them in the order its
//! **triage** gives (oldest first, or loudest first: most followers). A reply **resolves** the
//! complainer with probability `p_resolve` (its anchor rises to the product's mean experience plus
//! `recovery`: the failure is fixed, no better); a public reply
//! shows the complaint to the complainer's and the account's followers (complaint exposure,
//! Golmohammadi et al. 2021), and onlookers of a *visible resolution* learn that the brand
//! cares (`care`); a reply that resolves nothing teaches onlookers nothing. Answered
//! complainers, and onlookers of public answers, learn to complain (the squeaky wheel, Ma, Sun
//! and Kekre 2015): their complaint threshold for the next episode rises, saturating. A
//! **playbook** adds actions at given times: statements from an account, outreach to the top
//! complainers.

use serde::{Deserialize, Serialize};

use crate::model::Problem;
use crate::model::delay::Delay;

/// How an account answers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReplyChannel {
    /// In public: seen by the complainer's and the account's followers.
    #[default]
    Public,
    /// In private (a direct message): seen by no one else.
    Private,
}

/// The order in which found complaints are answered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Triage {
    /// Oldest complaint first (then by agent id).
    #[default]
    Oldest,
    /// Loudest first: the complainer with most followers (then oldest, then id).
    Followers,
}

/// One brand account (`[[webcare.accounts]]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Account {
    /// A name for reports (default `account<k>`).
    #[serde(default)]
    pub name: Option<String>,
    /// The agent id of the account, or its handle (`"@name"`, resolved through the graph's
    /// labels), or `"top_followers"` (the most followed agent not already an account; the
    /// default), or `"rank:<k>"` (the k-th most followed, from 1).
    #[serde(default = "top")]
    pub node: AccountNode,
    /// Replies per step, `>= 0` (absent: no limit).
    #[serde(default)]
    pub capacity: Option<i64>,
    /// Steps from finding a complaint to answering it (a duration, or an empirical
    /// distribution, with `[time]`).
    #[serde(default)]
    pub delay: Delay,
    /// Public or private replies.
    #[serde(default)]
    pub channel: ReplyChannel,
    /// First step at which the account replies, `>= 0` (a duration with `[time]`).
    #[serde(default)]
    pub from: i64,
    /// Cost of one reply, `>= 0`.
    #[serde(default = "one")]
    pub cost_per_reply: f64,
}

/// Which agent an account is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum AccountNode {
    /// An agent id.
    Id(i64),
    /// `"top_followers"` or `"rank:<k>"`.
    Named(String),
}

fn top() -> AccountNode {
    AccountNode::Named("top_followers".into())
}

/// A statement at a given step (`[[webcare.statements]]`): the account's followers see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Statement {
    /// Step of the statement, `>= 0` (a duration with `[time]`).
    pub at: i64,
    /// Index of the account that posts it (default 0, the first).
    #[serde(default)]
    pub account: usize,
    /// Share of the gap to `care_cap` that each follower's care credit closes on seeing it, in
    /// `[0, 1]` (default: `[webcare] care`).
    #[serde(default)]
    pub care: Option<f64>,
    /// Cost of the statement, `>= 0`.
    #[serde(default = "one")]
    pub cost: f64,
}

/// Outreach at a given step (`[[webcare.outreach]]`): a private answer to the `top`
/// complainers found so far with most followers (the bloggers who lead an uproar).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Outreach {
    /// Step of the outreach, `>= 0` (a duration with `[time]`).
    pub at: i64,
    /// How many complainers, `>= 1`.
    pub top: i64,
    /// Cost per complainer reached, `>= 0`.
    #[serde(default = "one")]
    pub cost_per_contact: f64,
}

/// Listening-informed activation at a given step (`[[webcare.advocates]]`): the `top` most
/// followed agents praising at that step become advocates (they praise for the rest of the
/// run; a brand ambassador programme recruited from what listening finds).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Advocates {
    /// Step of the activation, `>= 0` (a duration with `[time]`).
    pub at: i64,
    /// How many praising agents, `>= 1`.
    pub top: i64,
    /// Cost per advocate, `>= 0`.
    #[serde(default = "one")]
    pub cost_per_advocate: f64,
}

/// The `[webcare]` table (durations already converted to steps by the scenario).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebcareSpec {
    /// Probability that a complaint is found, per complaint and step, in `[0, 1]`.
    #[serde(default = "one")]
    pub listening: f64,
    /// First step of listening, `>= 0` (a duration with `[time]`).
    #[serde(default)]
    pub listen_from: i64,
    /// Answer order.
    #[serde(default)]
    pub triage: Triage,
    /// Probability that a reply resolves the complaint, in `[0, 1]`.
    #[serde(default = "half")]
    pub p_resolve: f64,
    /// Where a resolved complainer's anchor rises to (if below), relative to the product's mean
    /// experience `quality`: `clamp(quality + recovery, -1, 1)`, `recovery` in `[-1, 1]`.
    /// Default 0: a resolved customer ends like a typical customer without the failure, no
    /// better (no service-recovery paradox); above 0 asks for a paradox.
    #[serde(default)]
    pub recovery: f64,
    /// Share of the gap to `care_cap` that an onlooker's care credit closes each time it sees
    /// a resolution (or a statement), in `[0, 1]`.
    #[serde(default = "care")]
    pub care: f64,
    /// Largest care credit, in sentiment units, in `[0, 1]`: the most that learning the brand
    /// cares can add to an onlooker's anchor, however many resolutions it sees.
    #[serde(default = "care_cap")]
    pub care_cap: f64,
    /// Squeaky wheel: share of the gap to `squeaky_cap` by which an answered complainer's
    /// complaint threshold rises, in `[0, 1]`.
    #[serde(default = "squeaky")]
    pub squeaky: f64,
    /// Squeaky wheel for onlookers of a public answer, in `[0, 1]`.
    #[serde(default = "squeaky_onlooker")]
    pub squeaky_onlooker: f64,
    /// Largest rise of a complaint threshold, `>= 0`.
    #[serde(default = "squeaky_cap")]
    pub squeaky_cap: f64,
    /// Cost per step of listening (times `listening`), `>= 0`.
    #[serde(default)]
    pub cost_listening: f64,
    /// The accounts (at least one).
    #[serde(default = "default_accounts")]
    pub accounts: Vec<Account>,
    /// Statements of the playbook.
    #[serde(default)]
    pub statements: Vec<Statement>,
    /// Outreach of the playbook.
    #[serde(default)]
    pub outreach: Vec<Outreach>,
    /// Listening-informed advocate activations of the playbook.
    #[serde(default)]
    pub advocates: Vec<Advocates>,
    /// Minutes per step when the scenario has `[time]` (set by the scenario, not by users;
    /// time to first response is then also reported in minutes).
    #[serde(default, skip_deserializing)]
    pub step_minutes: Option<f64>,
}

fn one() -> f64 {
    1.0
}
fn half() -> f64 {
    0.5
}
fn care() -> f64 {
    0.2
}
fn care_cap() -> f64 {
    0.1
}
fn squeaky() -> f64 {
    0.5
}
fn squeaky_onlooker() -> f64 {
    0.1
}
fn squeaky_cap() -> f64 {
    0.2
}
fn default_accounts() -> Vec<Account> {
    vec![toml::from_str("").expect("every account key has a default")]
}

impl Default for WebcareSpec {
    fn default() -> Self {
        toml::from_str("").expect("every [webcare] key has a default")
    }
}

impl WebcareSpec {
    /// What is wrong with the table (keys relative to `[webcare]`; empty when valid).
    pub fn problems(&self) -> Vec<Problem> {
        let mut out = Vec::new();
        let mut unit = |key: String, v: f64, what: &str| {
            if !(0.0..=1.0).contains(&v) {
                out.push(Problem::new(
                    key,
                    format!("expected {what} in [0, 1], found {v}"),
                ));
            }
        };
        unit("listening".into(), self.listening, "a probability");
        unit("p_resolve".into(), self.p_resolve, "a probability");
        unit("care".into(), self.care, "a share");
        unit("care_cap".into(), self.care_cap, "a sentiment shift");
        unit("squeaky".into(), self.squeaky, "a share");
        unit("squeaky_onlooker".into(), self.squeaky_onlooker, "a share");
        for (k, s) in self.statements.iter().enumerate() {
            if let Some(c) = s.care {
                unit(format!("statements.{k}.care"), c, "a share");
            }
        }
        if !(-1.0..=1.0).contains(&self.recovery) {
            out.push(Problem::new(
                "recovery",
                format!(
                    "expected a sentiment offset in [-1, 1] (0: a resolved customer ends like a \
                     typical one), found {}",
                    self.recovery
                ),
            ));
        }
        let mut nonneg = |key: String, v: f64| {
            if !(v.is_finite() && v >= 0.0) {
                out.push(Problem::new(
                    key,
                    format!("expected a finite number >= 0, found {v}"),
                ));
            }
        };
        nonneg("squeaky_cap".into(), self.squeaky_cap);
        nonneg("cost_listening".into(), self.cost_listening);
        for (k, a) in self.accounts.iter().enumerate() {
            nonneg(format!("accounts.{k}.cost_per_reply"), a.cost_per_reply);
        }
        for (k, s) in self.statements.iter().enumerate() {
            nonneg(format!("statements.{k}.cost"), s.cost);
        }
        for (k, o) in self.outreach.iter().enumerate() {
            nonneg(format!("outreach.{k}.cost_per_contact"), o.cost_per_contact);
        }
        for (k, a) in self.advocates.iter().enumerate() {
            nonneg(
                format!("advocates.{k}.cost_per_advocate"),
                a.cost_per_advocate,
            );
        }
        let mut steps = |key: String, v: i64| {
            if v < 0 {
                out.push(Problem::new(
                    key,
                    format!("expected a time >= 0 (steps, or a duration with [time]), found {v}"),
                ));
            }
        };
        steps("listen_from".into(), self.listen_from);
        for (k, a) in self.accounts.iter().enumerate() {
            steps(format!("accounts.{k}.from"), a.from);
            if let Delay::Steps(d) = a.delay {
                steps(format!("accounts.{k}.delay"), d);
            }
        }
        for (k, s) in self.statements.iter().enumerate() {
            steps(format!("statements.{k}.at"), s.at);
        }
        for (k, o) in self.outreach.iter().enumerate() {
            steps(format!("outreach.{k}.at"), o.at);
        }
        for (k, a) in self.advocates.iter().enumerate() {
            steps(format!("advocates.{k}.at"), a.at);
        }
        if self.accounts.is_empty() {
            out.push(Problem::new(
                "accounts",
                "expected at least one account ([[webcare.accounts]])",
            ));
        }
        for (k, a) in self.accounts.iter().enumerate() {
            if let Some(c) = a.capacity
                && c < 0
            {
                out.push(Problem::new(
                    format!("accounts.{k}.capacity"),
                    format!("expected replies per step >= 0 (0 answers nothing), found {c}"),
                ));
            }
            match &a.node {
                AccountNode::Id(id) if *id < 0 || *id > i64::from(u32::MAX) => {
                    out.push(Problem::new(
                        format!("accounts.{k}.node"),
                        format!("expected an agent id (a non-negative integer), found {id}"),
                    ))
                }
                AccountNode::Named(n)
                    if parse_rank(n).is_none() && !(n.len() > 1 && n.starts_with('@')) =>
                {
                    out.push(Problem::new(
                        format!("accounts.{k}.node"),
                        format!(
                            "expected an agent id, a handle like \"@name\", \"top_followers\" \
                             or \"rank:<k>\" (k >= 1), found \"{n}\""
                        ),
                    ))
                }
                _ => {}
            }
        }
        for (k, s) in self.statements.iter().enumerate() {
            if s.account >= self.accounts.len() {
                out.push(Problem::new(
                    format!("statements.{k}.account"),
                    format!(
                        "expected the index of an account (0 to {}), found {}",
                        self.accounts.len().saturating_sub(1),
                        s.account
                    ),
                ));
            }
        }
        for (k, o) in self.outreach.iter().enumerate() {
            if o.top < 1 {
                out.push(Problem::new(
                    format!("outreach.{k}.top"),
                    format!("expected at least 1 complainer, found {}", o.top),
                ));
            }
        }
        for (k, a) in self.advocates.iter().enumerate() {
            if a.top < 1 {
                out.push(Problem::new(
                    format!("advocates.{k}.top"),
                    format!("expected at least 1 advocate, found {}", a.top),
                ));
            }
        }
        out
    }
}

/// The follower rank an account name means: `"top_followers"` is rank 1, `"rank:<k>"` rank k.
pub fn parse_rank(name: &str) -> Option<usize> {
    if name == "top_followers" {
        return Some(1);
    }
    name.strip_prefix("rank:")
        .and_then(|k| k.trim().parse::<usize>().ok())
        .filter(|&k| k >= 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(text: &str) -> WebcareSpec {
        toml::from_str(text).expect("valid [webcare]")
    }

    #[test]
    fn defaults_are_valid_and_bad_values_are_named() {
        assert!(WebcareSpec::default().problems().is_empty());
        let keys =
            |s: &WebcareSpec| -> Vec<String> { s.problems().into_iter().map(|p| p.key).collect() };
        assert_eq!(keys(&spec("p_resolve = 1.5")), ["p_resolve"]);
        assert_eq!(keys(&spec("recovery = -2")), ["recovery"]);
        assert_eq!(
            keys(&spec("[[accounts]]\ncapacity = -1\nnode = \"rank:0\"")),
            ["accounts.0.capacity", "accounts.0.node"]
        );
        assert_eq!(
            keys(&spec("[[statements]]\nat = 3\naccount = 2")),
            ["statements.0.account"]
        );
        assert_eq!(keys(&spec("accounts = []")), ["accounts"]);
        assert_eq!(parse_rank("rank:3"), Some(3));
        assert_eq!(parse_rank("top_followers"), Some(1));
    }
}
