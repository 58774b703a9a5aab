//! The brand's turn under the `sentiment` rule (parameters: [`crate::model::webcare`];
//! equations and sources: `docs/models/sentiment.md`).
//!
//! At the start of step `t`, on the actions of step `t - 1`:
//! 1. **Listening** (from `listen_from`): each complaining agent not already waiting and not yet
//!    answered in its current complaint is found with probability `listening` (first uniform of
//!    `(Webcare, t, agent)`; the next two draw its reply delay).
//! 2. **Replies**: each account, from its `from` step, answers at most `capacity` found
//!    complaints that are due (`found + delay <= t`), in triage order (oldest, or most
//!    followers). A complaint whose author stopped complaining is dropped (no cost). The `k`-th
//!    answer to an agent resolves it iff `(WebcareResolve, k, agent) < p_resolve`: its anchor
//!    floor becomes `clamp(quality + recovery)` (a typical customer's experience by default)
//!    and its felt sentiment rises to at least that floor. Either way
//!    its complaint threshold for the next episode rises by `squeaky (cap - shift)`. A public
//!    answer is seen by the complainer's and the account's followers: each view counts in the
//!    complaint exposure; each onlooker's next-episode threshold rises by `squeaky_onlooker
//!    (cap - shift)`, and, only if the complaint was resolved, its care share by `care (1 -
//!    share)`.
//! 3. **Statements** at their step: the account's followers' care share rises by the
//!    statement's `care`.
//! 4. **Outreach** at its step: a private answer to the `top` complainers (most followers,
//!    then lowest id) among those found and still complaining.
//!
//! Every effect on sentiment is an up-shift, so the rule's monotone coupling holds.

use crate::engine::rules::sentiment::Felt;
use crate::engine::run::Ctx;
use crate::graph::FollowerGraph;
use crate::model::webcare::{AccountNode, ReplyChannel, Triage, WebcareSpec, parse_rank};
use crate::model::{Action, Agents};
use crate::rng::{Purpose, Stream, uniform_at};

/// A found complaint waiting for an answer.
#[derive(Debug, Clone, Copy)]
struct Found {
    agent: u32,
    step: u32,
    u_bin: f64,
    u_within: f64,
}

/// The brand's running state in one replicate.
#[derive(Debug, Clone)]
pub struct Webcare {
    spec: std::sync::Arc<WebcareSpec>,
    /// Anchor floor of a resolved complainer, `clamp(quality + recovery, -1, 1)`.
    resolved_floor: f64,
    nodes: Vec<Option<u32>>,
    waiting: Vec<bool>,
    answered_now: Vec<bool>,
    answers: Vec<u32>,
    ever_answered: Vec<bool>,
    ever_found: Vec<bool>,
    ever_complained: Vec<bool>,
    onset: Vec<u32>,
    complaining_now: Vec<bool>,
    response_steps: u64,
    /// Steps from the start of each agent's complaint to its first answer (`u32::MAX`: never answered).
    first_wait: Vec<u32>,
    /// Advocates activated by the playbook (`[[webcare.advocates]]`).
    advocates: u64,
    shift: Vec<f64>,
    queue: Vec<Found>,
    found: u64,
    replies: u64,
    resolved: u64,
    public_views: u64,
    statements: u64,
    contacts: u64,
    steps_listened: u64,
    first_response: Option<u32>,
    cost: f64,
}

/// The agents of the brand's accounts, in account order (`None`: an id outside the graph).
pub fn account_nodes(spec: &WebcareSpec, graph: &FollowerGraph) -> Vec<Option<u32>> {
    let n = graph.node_count();
    let mut ranked: Vec<u32> = (0..n).collect();
    ranked.sort_by_key(|&v| (std::cmp::Reverse(graph.follower_count(v)), v));
    spec.accounts
        .iter()
        .map(|a| match &a.node {
            AccountNode::Id(id) => u32::try_from(*id).ok().filter(|&v| v < n),
            // A handle (checked by `runner` before any replicate runs).
            AccountNode::Named(name) if name.starts_with('@') => {
                crate::graph::handles::resolve(graph, name).ok()
            }
            AccountNode::Named(name) => parse_rank(name).and_then(|k| ranked.get(k - 1).copied()),
        })
        .collect()
}

impl Webcare {
    /// The state at step 0.
    pub fn new(
        spec: &WebcareSpec,
        quality: f64,
        graph: &FollowerGraph,
        agents: &Agents,
    ) -> Webcare {
        let n = agents.len();
        Webcare {
            spec: std::sync::Arc::new(spec.clone()),
            resolved_floor: (quality + spec.recovery).clamp(-1.0, 1.0),
            nodes: account_nodes(spec, graph),
            waiting: vec![false; n],
            answered_now: vec![false; n],
            answers: vec![0; n],
            ever_answered: vec![false; n],
            ever_found: vec![false; n],
            ever_complained: vec![false; n],
            onset: vec![0; n],
            complaining_now: vec![false; n],
            response_steps: 0,
            first_wait: vec![u32::MAX; n],
            advocates: 0,
            shift: vec![0.0; n],
            queue: Vec::new(),
            found: 0,
            replies: 0,
            resolved: 0,
            public_views: 0,
            statements: 0,
            contacts: 0,
            steps_listened: 0,
            first_response: None,
            cost: 0.0,
        }
    }

    fn in_complaint(&self, i: usize) -> bool {
        self.complaining_now[i]
    }

    /// The accounts' agents (those in the graph).
    pub fn nodes(&self) -> Vec<u32> {
        self.nodes.iter().flatten().copied().collect()
    }

    /// The brand's turn at the start of `step` (see the module doc).
    pub fn turn(&mut self, ctx: &mut Ctx<'_, '_>, felt: &mut Felt, step: u32) {
        let key = ctx.setup.key;
        let graph = ctx.setup.graph;
        let n = ctx.n();
        // A shared handle, not a copy of the table (its delays may hold whole histograms).
        let spec = std::sync::Arc::clone(&self.spec);
        for i in 0..n as usize {
            if ctx.state.action[i] == Action::Boo as u8 {
                if !self.ever_complained[i] || !self.in_complaint(i) {
                    self.onset[i] = step - 1;
                }
                self.ever_complained[i] = true;
                self.complaining_now[i] = true;
            } else {
                self.complaining_now[i] = false;
                // A new complaint later is a new complaint: it may be found and answered.
                self.answered_now[i] = false;
            }
        }
        // 1. Listening.
        if spec.listening > 0.0 && step as i64 >= spec.listen_from {
            self.steps_listened += 1;
            self.cost += spec.listening * spec.cost_listening;
            for i in 0..n {
                let idx = i as usize;
                if ctx.state.action[idx] != Action::Boo as u8
                    || self.waiting[idx]
                    || self.answered_now[idx]
                    || felt.frozen[idx]
                {
                    continue;
                }
                let mut draws = Stream::new(key, Purpose::Webcare, step, i);
                if !draws.bernoulli(spec.listening) {
                    continue;
                }
                self.found += 1;
                self.ever_found[idx] = true;
                self.waiting[idx] = true;
                self.queue.push(Found {
                    agent: i,
                    step,
                    u_bin: draws.uniform(),
                    u_within: draws.uniform(),
                });
            }
        }
        // Complaints whose authors stopped complaining are dropped.
        let action = &ctx.state.action;
        let waiting = &mut self.waiting;
        self.queue.retain(|f| {
            let keep = action[f.agent as usize] == Action::Boo as u8;
            if !keep {
                waiting[f.agent as usize] = false;
            }
            keep
        });
        // 2. Replies, account by account.
        for (k, account) in spec.accounts.iter().enumerate() {
            if (step as i64) < account.from {
                continue;
            }
            let mut budget = account.capacity.map_or(u64::MAX, |c| c.max(0) as u64);
            if budget == 0 {
                continue;
            }
            let mut due: Vec<usize> = (0..self.queue.len())
                .filter(|&q| {
                    let f = &self.queue[q];
                    f.step + account.delay.sample(f.u_bin, f.u_within) <= step
                })
                .collect();
            match spec.triage {
                Triage::Oldest => due.sort_by_key(|&q| (self.queue[q].step, self.queue[q].agent)),
                Triage::Followers => due.sort_by_key(|&q| {
                    let f = &self.queue[q];
                    (
                        std::cmp::Reverse(graph.follower_count(f.agent)),
                        f.step,
                        f.agent,
                    )
                }),
            }
            let mut done: Vec<usize> = Vec::new();
            for q in due {
                if budget == 0 {
                    break;
                }
                budget -= 1;
                done.push(q);
                let agent = self.queue[q].agent;
                self.replies += 1;
                self.cost += account.cost_per_reply;
                let node = self.nodes[k];
                self.answer(ctx, felt, agent, account.channel, node, step);
            }
            done.sort_unstable();
            for q in done.into_iter().rev() {
                let f = self.queue.remove(q);
                self.waiting[f.agent as usize] = false;
            }
        }
        // 3. Statements.
        for s in &spec.statements {
            if s.at != i64::from(step) {
                continue;
            }
            let Some(node) = self.nodes.get(s.account).copied().flatten() else {
                continue;
            };
            self.statements += 1;
            self.cost += s.cost;
            self.first_response.get_or_insert(step);
            let rate = s.care.unwrap_or(spec.care);
            for &f in graph.followers(node) {
                learn_care(&mut felt.care[f as usize], rate, spec.care_cap);
            }
        }
        // 4. Outreach to the loudest complainers found.
        for o in &spec.outreach {
            if o.at != i64::from(step) {
                continue;
            }
            let mut cands: Vec<u32> = (0..n)
                .filter(|&i| {
                    self.ever_found[i as usize]
                        && ctx.state.action[i as usize] == Action::Boo as u8
                        && !felt.frozen[i as usize]
                })
                .collect();
            cands.sort_by_key(|&i| (std::cmp::Reverse(graph.follower_count(i)), i));
            for &i in cands.iter().take(o.top.max(0) as usize) {
                self.contacts += 1;
                self.cost += o.cost_per_contact;
                self.answer(ctx, felt, i, ReplyChannel::Private, None, step);
                if self.waiting[i as usize] {
                    self.waiting[i as usize] = false;
                    self.queue.retain(|f| f.agent != i);
                }
            }
        }
        // 5. Advocates: listening-informed activation of the most followed agents praising.
        for adv in &spec.advocates {
            if adv.at != i64::from(step) {
                continue;
            }
            let mut fans: Vec<u32> = (0..n)
                .filter(|&i| {
                    ctx.state.action[i as usize] == Action::Stand as u8
                        && !felt.frozen[i as usize]
                        && !felt.pinned[i as usize]
                })
                .collect();
            fans.sort_by_key(|&i| (std::cmp::Reverse(graph.follower_count(i)), i));
            for &i in fans.iter().take(adv.top.max(0) as usize) {
                felt.pinned[i as usize] = true;
                self.advocates += 1;
                self.cost += adv.cost_per_advocate;
                self.first_response.get_or_insert(step);
            }
        }
    }

    /// Answers agent `i`'s complaint (see the module doc).
    fn answer(
        &mut self,
        ctx: &mut Ctx<'_, '_>,
        felt: &mut Felt,
        i: u32,
        channel: ReplyChannel,
        account: Option<u32>,
        step: u32,
    ) {
        let spec = &self.spec;
        let idx = i as usize;
        let key = ctx.setup.key;
        self.first_response.get_or_insert(step);
        self.response_steps += u64::from(step.saturating_sub(self.onset[idx]));
        if self.first_wait[idx] == u32::MAX {
            self.first_wait[idx] = step.saturating_sub(self.onset[idx]);
        }
        self.answered_now[idx] = true;
        self.ever_answered[idx] = true;
        let k = self.answers[idx];
        self.answers[idx] += 1;
        let resolved = uniform_at(key, Purpose::WebcareResolve, k, i) < spec.p_resolve;
        let cap = spec.squeaky_cap;
        self.shift[idx] += spec.squeaky * (cap - self.shift[idx]).max(0.0);
        if resolved {
            self.resolved += 1;
            felt.floor[idx] = felt.floor[idx].max(self.resolved_floor);
            felt.x[idx] = felt.x[idx].max(self.resolved_floor);
        }
        if channel == ReplyChannel::Public {
            let graph = ctx.setup.graph;
            let mut onlookers: Vec<u32> = graph.followers(i).to_vec();
            if let Some(a) = account {
                onlookers.extend_from_slice(graph.followers(a));
            }
            self.public_views += onlookers.len() as u64;
            for f in onlookers {
                let fi = f as usize;
                if felt.frozen[fi] {
                    continue;
                }
                self.shift[fi] += spec.squeaky_onlooker * (cap - self.shift[fi]).max(0.0);
                if resolved {
                    learn_care(&mut felt.care[fi], spec.care, spec.care_cap);
                }
            }
        }
    }
}

/// An onlooker learns that the brand cares: its care credit closes the share `rate` of its gap
/// to `cap` (saturating: however many resolutions it sees, the credit stays below `cap`).
#[inline]
fn learn_care(credit: &mut f64, rate: f64, cap: f64) {
    *credit += rate * (cap - *credit).max(0.0);
}

/// Writes the replicate's measures (names in `docs/models/sentiment.md`). The audience is every
/// agent that feels: not in a fixed class, not a brand account (seeds and advocates feel,
/// whatever they post, so every strategy's audience is the same agents). A measure that has no value
/// in this replicate (no answer was sent: no response time) is left out, not written as a
/// sentinel: missing is missing.
pub fn finish(ctx: &mut Ctx<'_, '_>, brand: Option<&Webcare>, felt: &Felt, exposure: &[u64]) {
    if ctx.wants_agents() {
        let felt_now = felt
            .x
            .iter()
            .zip(&felt.frozen)
            .map(|(&x, &frozen)| (!frozen).then_some(x))
            .collect();
        ctx.keep_sentiment(felt_now);
        if let Some(b) = brand {
            ctx.keep_answered(b.ever_answered.clone());
        }
    }
    let agents = ctx.setup.agents;
    let audience: Vec<usize> = (0..agents.len()).filter(|&i| !felt.frozen[i]).collect();
    let mean = |idx: &[usize]| -> f64 {
        if idx.is_empty() {
            0.0
        } else {
            idx.iter().map(|&i| felt.x[i]).sum::<f64>() / idx.len() as f64
        }
    };
    ctx.set_extra("net_sentiment", mean(&audience));
    ctx.set_extra("complaint_exposure", exposure.iter().sum::<u64>() as f64);
    let classes = agents.class.iter().copied().max().map_or(0, |c| c + 1);
    if classes > 1 {
        for c in 0..classes {
            ctx.set_extra(
                &format!("complaint_exposure_class{c}"),
                exposure.get(usize::from(c)).copied().unwrap_or(0) as f64,
            );
            let idx: Vec<usize> = audience
                .iter()
                .copied()
                .filter(|&i| agents.class[i] == c)
                .collect();
            if !idx.is_empty() {
                ctx.set_extra(&format!("net_sentiment_class{c}"), mean(&idx));
                let boo = idx
                    .iter()
                    .filter(|&&i| ctx.state.action[i] == Action::Boo as u8)
                    .count();
                ctx.set_extra(
                    &format!("final_complaints_class{c}"),
                    boo as f64 / idx.len() as f64,
                );
            }
        }
    }
    let Some(b) = brand else {
        return;
    };
    let complainers = b.ever_complained.iter().filter(|&&c| c).count();
    let answered = b.ever_answered.iter().filter(|&&c| c).count();
    let repeat = audience
        .iter()
        .filter(|&&i| felt.experience[i] < f64::from(agents.complaint[i]) + b.shift[i])
        .count();
    let share = |a: usize, of: usize| if of == 0 { 0.0 } else { a as f64 / of as f64 };
    let mut out = vec![
        ("complaints_found", b.found as f64),
        ("replies_sent", b.replies as f64),
        ("complaints_resolved", b.resolved as f64),
        ("complainers", complainers as f64),
        ("share_answered", share(answered, complainers)),
        ("public_reply_views", b.public_views as f64),
        ("statements_sent", b.statements as f64),
        ("outreach_contacts", b.contacts as f64),
        (
            "complaint_propensity",
            audience.iter().map(|&i| b.shift[i]).sum::<f64>() / audience.len().max(1) as f64,
        ),
        ("repeat_complainers", share(repeat, audience.len())),
        ("cost_total", b.cost),
        ("steps_listened", b.steps_listened as f64),
    ];
    if let Some(first) = b.first_response {
        out.push(("first_response_step", f64::from(first)));
        if let Some(m) = b.spec.step_minutes {
            out.push(("first_response_minutes", f64::from(first) * m));
        }
    }
    let answers = b.replies + b.contacts;
    if answers > 0 {
        let steps = b.response_steps as f64 / answers as f64;
        out.push(("response_time_steps", steps));
        if let Some(m) = b.spec.step_minutes {
            out.push(("response_time_minutes", steps * m));
        }
    }
    out.push(("advocates_activated", b.advocates as f64));
    for (name, v) in out {
        ctx.set_extra(name, v);
    }
    // Per class: share of its complainers answered, and mean steps from the start of a
    // complaint to its first answer (left out when nobody in the class was answered).
    let classes = agents.class.iter().copied().max().map_or(0, |c| c + 1);
    if classes > 1 {
        for c in 0..classes {
            let members = (0..agents.len()).filter(|&i| agents.class[i] == c);
            let (mut complained, mut answered, mut wait) = (0usize, 0usize, 0u64);
            for i in members {
                if b.ever_complained[i] {
                    complained += 1;
                }
                if b.first_wait[i] != u32::MAX {
                    answered += 1;
                    wait += u64::from(b.first_wait[i]);
                }
            }
            ctx.set_extra(
                &format!("share_answered_class{c}"),
                share(answered, complained),
            );
            if answered > 0 {
                let steps = wait as f64 / answered as f64;
                ctx.set_extra(&format!("first_response_time_steps_class{c}"), steps);
                if let Some(m) = b.spec.step_minutes {
                    ctx.set_extra(&format!("first_response_time_minutes_class{c}"), steps * m);
                }
            }
        }
    }
}
