//! The brand agent's turn in each step of a Standing Ovation run (parameters:
//! [`crate::model::brand`]; the model is written out in `docs/models/brand.md`).
//!
//! At the start of step `t >= 1`, before anyone revises, the brand sees the actions of step
//! `t - 1`:
//! 1. **Listening**: every agent booing that is not already waiting for an answer is noticed
//!    with probability `listening` (one draw from the stream `(Brand, t, agent)`).
//! 2. **Answering** (`public_reply`, `private_reply`): complaints noticed at step `t0` are due
//!    at `t0 + delay`; at most `capacity` due complaints are answered per step, oldest first
//!    (then by agent id). A complaint whose author no longer boos is dropped unanswered. An
//!    answer resolves the complainer with probability `p_resolve` (the second draw of the
//!    stream of the step it was noticed, so the same complaint gets the same draw whatever the
//!    delay or the channel): its signal rises by `lift`, it stops booing (it stands if its new
//!    signal exceeds its threshold, else sits) and never boos again. A public answer is seen by
//!    the complainer's followers: each one's signal rises by `nudge` and its complaint
//!    threshold by `incentive`; with `replies_visible_to_brand_followers` the brand's followers
//!    see it too, with the complaint (signal `+ nudge - publicity`, threshold `+ incentive`).
//! 3. **Broadcast**: `delay` steps after the first complaint noticed, one post raises the signal
//!    of each of the brand's followers by `nudge`.
//!
//! Under Miller and Page's rule an agent consults its own signal only at step 0. A brand event
//! is a new private experience, so an agent reconsiders its own verdict
//! ([`own_action`]) when an event moves its margin `s_i - C_i`, and only in the direction of
//! that move: up, a booing agent whose signal is no longer below `C_i` stops booing (standing
//! if `s_i > T_i`), a sitting agent with `s_i > T_i` stands; down, an agent with `s_i < C_i`
//! (and `s_i <= T_i`) starts booing. Changes are applied at once and pushed to followers'
//! counts, in a fixed order, so the run stays identical for any number of threads.

use std::collections::VecDeque;

use crate::engine::run::Ctx;
use crate::graph::FollowerGraph;
use crate::model::brand::{BrandNode, BrandSpec, Channel};
use crate::model::population::{NOT_FIXED, own_action};
use crate::model::{Action, Agents, ClassKind, ClassSpec};
use crate::rng::{Purpose, Stream};

/// The brand of one replicate as the engine needs it: the parameters, the resolved account
/// and the paid roles to cost.
#[derive(Debug, Clone, Copy)]
pub struct BrandSetup<'a> {
    /// The `[brand]` table.
    pub spec: &'a BrandSpec,
    /// The brand's account, if it has one in the graph.
    pub node: Option<u32>,
    /// Paid influencers (agents of a class of kind `paid_influencer`).
    pub paid_influencers: u64,
    /// Employee advocates (agents of a class of kind `employee_advocate`).
    pub advocates: u64,
}

impl<'a> BrandSetup<'a> {
    /// The brand of a replicate whose agents were prepared by [`prepare_agents`].
    pub fn new(
        spec: &'a BrandSpec,
        classes: &[ClassSpec],
        graph: &FollowerGraph,
        agents: &Agents,
    ) -> BrandSetup<'a> {
        let node = brand_node(spec, classes, graph);
        let count = |kind: ClassKind| {
            agents
                .class
                .iter()
                .enumerate()
                .filter(|&(i, &c)| Some(i as u32) != node && classes[c as usize].kind == kind)
                .count() as u64
        };
        BrandSetup {
            spec,
            node,
            paid_influencers: count(ClassKind::PaidInfluencer),
            advocates: count(ClassKind::EmployeeAdvocate),
        }
    }
}

/// The brand's account: an id, a handle, the most-followed agent (ties to the lower id), the
/// first node of the class of kind `brand`, or none. Ids out of range give none (the scenario check
/// rejects them for generated graphs).
pub fn brand_node(spec: &BrandSpec, classes: &[ClassSpec], graph: &FollowerGraph) -> Option<u32> {
    let n = graph.node_count();
    match &spec.node {
        BrandNode::Id(id) => u32::try_from(*id).ok().filter(|&v| v < n),
        BrandNode::Named(name) => match name.as_str() {
            "top_followers" => (0..n).max_by_key(|&v| (graph.follower_count(v), u32::MAX - v)),
            "class" => classes
                .iter()
                .find(|c| c.kind == ClassKind::Brand)
                .and_then(|c| c.nodes.as_ref())
                .and_then(|nodes| nodes.first().copied())
                .filter(|&v| v < n),
            // A handle (checked by `runner` before any replicate runs).
            handle if handle.starts_with('@') => crate::graph::handles::resolve(graph, handle).ok(),
            _ => None,
        },
    }
}

/// Gives the `[seeding]` seeds the role of `seed_class` (class index, kind and authenticity:
/// an employee advocate then stands for good) and fixes the brand's account to `sit` (it is
/// not part of the audience: it neither praises nor complains).
pub fn prepare_agents(
    spec: &BrandSpec,
    classes: &[ClassSpec],
    graph: &FollowerGraph,
    agents: &mut Agents,
    seeds: &[u32],
) {
    if let Some(name) = &spec.seed_class
        && let Some(c) = classes.iter().position(|c| &c.name == name)
    {
        let class = &classes[c];
        for &s in seeds {
            let i = s as usize;
            agents.class[i] = c as u8;
            agents.visibility[i] *= class.authenticity.unwrap_or(1.0) as f32;
            if class.kind == ClassKind::EmployeeAdvocate && agents.fixed[i] == NOT_FIXED {
                agents.fixed[i] = Action::Stand as u8;
                agents.initial[i] = Action::Stand as u8;
            }
        }
    }
    if let Some(b) = brand_node(spec, classes, graph) {
        agents.fixed[b as usize] = Action::Sit as u8;
        agents.initial[b as usize] = Action::Sit as u8;
    }
}

/// A complaint waiting for its answer.
#[derive(Debug, Clone, Copy)]
struct Pending {
    due: u32,
    noticed: u32,
    agent: u32,
}

/// The brand's running state in one replicate.
#[derive(Debug, Clone)]
pub struct BrandState {
    spec: BrandSpec,
    node: Option<u32>,
    paid_influencers: u64,
    advocates: u64,
    signal_shift: Vec<f32>,
    complaint_shift: Vec<f32>,
    waiting: Vec<bool>,
    /// Whether each agent got a reply (public or private) at least once.
    answered: Vec<bool>,
    queue: VecDeque<Pending>,
    broadcast_due: Option<u32>,
    broadcast_done: bool,
    noticed: u64,
    replies: u64,
    broadcasts: u64,
    resolved: u64,
    steps_listened: u64,
    first_response: Option<u32>,
    most_in_a_step: u64,
    replies_seen: u64,
}

impl BrandState {
    /// The state at step 0 of a replicate with `n` agents.
    pub fn new(setup: &BrandSetup<'_>, n: u32) -> BrandState {
        BrandState {
            spec: setup.spec.clone(),
            node: setup.node,
            paid_influencers: setup.paid_influencers,
            advocates: setup.advocates,
            signal_shift: vec![0.0; n as usize],
            complaint_shift: vec![0.0; n as usize],
            waiting: vec![false; n as usize],
            answered: vec![false; n as usize],
            queue: VecDeque::new(),
            broadcast_due: None,
            broadcast_done: false,
            noticed: 0,
            replies: 0,
            broadcasts: 0,
            resolved: 0,
            steps_listened: 0,
            first_response: None,
            most_in_a_step: 0,
            replies_seen: 0,
        }
    }

    /// Whether the brand can still change anything (then the run is not at a fixed point).
    pub fn busy(&self, booing: u64) -> bool {
        let s = &self.spec;
        if !self.queue.is_empty() || (self.broadcast_due.is_some() && !self.broadcast_done) {
            return true;
        }
        let answers = match s.channel {
            Channel::None => false,
            Channel::PublicReply | Channel::PrivateReply => true,
            Channel::Broadcast => !self.broadcast_done,
        };
        answers && !s.is_silent() && booing > 0
    }
}

/// What the brand's turn changed.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct TurnResult {
    /// Agents whose action the brand's events changed.
    pub changes: u64,
    /// Follower edges those changes were pushed over.
    pub exposures: u64,
}

/// Runs the brand's turn at the start of `step` (see the module doc). Every agent whose action
/// changed, and every follower whose counts changed, is appended to `touched` (unsorted, with
/// repeats). Does nothing when the scenario has no brand.
pub fn turn(ctx: &mut Ctx<'_, '_>, step: u32, touched: &mut Vec<u32>) -> TurnResult {
    let Some(mut b) = ctx.brand.take() else {
        return TurnResult::default();
    };
    let mut out = TurnResult::default();
    let key = ctx.setup.key;
    let spec = b.spec.clone();

    // 1. Listening.
    if spec.listening > 0.0 {
        b.steps_listened += 1;
        for i in 0..ctx.n() {
            if ctx.state.action[i as usize] != Action::Boo as u8
                || b.waiting[i as usize]
                || Some(i) == b.node
            {
                continue;
            }
            let mut draws = Stream::new(key, Purpose::Brand, step, i);
            if !draws.bernoulli(spec.listening) {
                continue;
            }
            // Draws 1 and 2 are the noticing and the resolution; 3 and 4 the delay.
            let _resolution = draws.uniform();
            let (u_bin, u_within) = (draws.uniform(), draws.uniform());
            let delay = spec.delay.sample(u_bin, u_within);
            b.noticed += 1;
            match spec.channel {
                Channel::PublicReply | Channel::PrivateReply => {
                    b.waiting[i as usize] = true;
                    b.queue.push_back(Pending {
                        due: step.saturating_add(delay),
                        noticed: step,
                        agent: i,
                    });
                }
                Channel::Broadcast if b.broadcast_due.is_none() => {
                    b.broadcast_due = Some(step.saturating_add(delay));
                }
                _ => {}
            }
        }
    }

    // 2. Answers, due first (delays may differ between complaints), then oldest, then by id.
    b.queue
        .make_contiguous()
        .sort_by_key(|p| (p.due, p.noticed, p.agent));
    let mut budget = spec.capacity.map_or(u64::MAX, |c| c.max(0) as u64);
    let mut sent = 0u64;
    while budget > 0 && b.queue.front().is_some_and(|p| p.due <= step) {
        let Some(p) = b.queue.pop_front() else { break };
        let i = p.agent;
        b.waiting[i as usize] = false;
        if ctx.state.action[i as usize] != Action::Boo as u8 {
            continue;
        }
        budget -= 1;
        sent += 1;
        b.replies += 1;
        b.answered[i as usize] = true;
        b.first_response.get_or_insert(step);
        let mut draws = Stream::new(key, Purpose::Brand, p.noticed, i);
        let _noticing = draws.uniform();
        if draws.uniform() < spec.p_resolve {
            b.resolved += 1;
            ctx.state.quiet[i as usize] = true;
            b.signal_shift[i as usize] += spec.lift as f32;
            reconsider(ctx, &b, i, true, touched, &mut out);
        }
        if spec.channel == Channel::PublicReply {
            let graph = ctx.setup.graph;
            let followers = graph.followers(i).to_vec();
            for f in followers {
                see(ctx, &mut b, f, spec.nudge, touched, &mut out);
            }
            if spec.replies_visible_to_brand_followers
                && let Some(node) = b.node
            {
                let followers = graph.followers(node).to_vec();
                for f in followers {
                    see(
                        ctx,
                        &mut b,
                        f,
                        spec.nudge - spec.publicity,
                        touched,
                        &mut out,
                    );
                }
            }
        }
    }

    // 3. Broadcast.
    if spec.channel == Channel::Broadcast
        && !b.broadcast_done
        && budget > 0
        && b.broadcast_due.is_some_and(|d| d <= step)
        && let Some(node) = b.node
    {
        b.broadcast_done = true;
        b.broadcasts += 1;
        sent += 1;
        b.first_response.get_or_insert(step);
        let followers = ctx.setup.graph.followers(node).to_vec();
        for f in followers {
            if ctx.setup.agents.fixed[f as usize] != NOT_FIXED {
                continue;
            }
            b.signal_shift[f as usize] += spec.nudge as f32;
            reconsider(ctx, &b, f, spec.nudge > 0.0, touched, &mut out);
        }
    }
    b.most_in_a_step = b.most_in_a_step.max(sent);
    ctx.brand = Some(b);
    out
}

/// Agent `f` sees a public reply: its signal moves by `delta`, its complaint threshold rises by
/// `incentive`, and it reconsiders in the direction its margin moved.
fn see(
    ctx: &mut Ctx<'_, '_>,
    b: &mut BrandState,
    f: u32,
    delta: f64,
    touched: &mut Vec<u32>,
    out: &mut TurnResult,
) {
    if ctx.setup.agents.fixed[f as usize] != NOT_FIXED {
        return;
    }
    b.replies_seen += 1;
    b.signal_shift[f as usize] += delta as f32;
    b.complaint_shift[f as usize] += b.spec.incentive as f32;
    let margin = delta - b.spec.incentive;
    if margin != 0.0 {
        reconsider(ctx, b, f, margin > 0.0, touched, out);
    }
}

/// Agent `i` reconsiders its own verdict after an event that moved its margin up or down.
fn reconsider(
    ctx: &mut Ctx<'_, '_>,
    b: &BrandState,
    i: u32,
    up: bool,
    touched: &mut Vec<u32>,
    out: &mut TurnResult,
) {
    let idx = i as usize;
    let agents = ctx.setup.agents;
    if agents.fixed[idx] != NOT_FIXED {
        return;
    }
    let s = f64::from(agents.signal[idx] + b.signal_shift[idx]);
    let c = f64::from(agents.complaint[idx] + b.complaint_shift[idx]);
    let quiet = ctx.state.quiet[idx];
    let mut own = own_action(s, f64::from(agents.threshold[idx]), c);
    if quiet && own == Action::Boo {
        own = Action::Sit;
    }
    let current = ctx.state.current(i);
    let new = match (up, current, own) {
        (true, Action::Boo, own) if own != Action::Boo => own,
        (true, Action::Sit, Action::Stand) => Action::Stand,
        (false, cur, Action::Boo) if cur != Action::Boo => Action::Boo,
        _ => return,
    };
    let old = ctx.state.set_action(i, new);
    out.changes += 1;
    out.exposures += ctx
        .state
        .push_change(ctx.setup.graph, i, old, new, |f| touched.push(f));
    touched.push(i);
}

/// Writes the brand's measures as extras of the replicate (names in `docs/models/brand.md`).
pub fn finish(ctx: &mut Ctx<'_, '_>) {
    let Some(mut b) = ctx.brand.take() else {
        return;
    };
    if ctx.wants_agents() {
        ctx.keep_answered(std::mem::take(&mut b.answered));
    }
    let s = &b.spec;
    let agents = ctx.setup.agents;
    let (mut sum, mut count) = (0.0f64, 0u64);
    for i in 0..agents.len() {
        if Some(i as u32) != b.node {
            sum += f64::from(agents.signal[i] + b.signal_shift[i]);
            count += 1;
        }
    }
    let responses = b.replies + b.broadcasts;
    let cost = b.replies as f64 * s.cost_per_response
        + b.broadcasts as f64 * s.cost_per_broadcast
        + b.paid_influencers as f64 * s.cost_per_influencer
        + b.advocates as f64 * s.cost_per_advocate
        + b.steps_listened as f64 * s.listening * s.cost_listening;
    // Missing is missing: a replicate in which the brand never answered has no first response
    // step (an empty cell, left out of means), not a sentinel that would be averaged.
    if let Some(first) = b.first_response {
        ctx.set_extra("first_response_step", f64::from(first));
    }
    for (name, value) in [
        ("complaints_noticed", b.noticed as f64),
        ("responses_sent", responses as f64),
        ("replies_sent", b.replies as f64),
        ("broadcasts_sent", b.broadcasts as f64),
        ("complaints_resolved", b.resolved as f64),
        ("replies_seen", b.replies_seen as f64),
        ("influencers_paid", b.paid_influencers as f64),
        ("advocates", b.advocates as f64),
        ("cost_total", cost),
        ("most_responses_in_a_step", b.most_in_a_step as f64),
        ("mean_signal", sum / count.max(1) as f64),
    ] {
        ctx.set_extra(name, value);
    }
}
