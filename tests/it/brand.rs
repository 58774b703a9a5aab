//! The brand agent's mechanics (docs/models/brand.md), each on fixed seeds: listening,
//! capacity, delay, public against private replies, costs, thread-count independence, and the
//! `validate` errors of a bad `[brand]` table.

use std::path::Path;

use ovation::engine::ReplicateResult;
use ovation::runner::{load_graph, run_one};
use ovation::scenario::{Scenario, load_str};

/// A bad product on a 400-agent Barabasi-Albert follower graph: about a third complain at
/// step 0, and the three oldest accounts (the hubs) complain for the whole run whatever
/// happens, so there is always something to answer.
const BASE: &str = r#"
seed = 7
replicates = 4
steps = 40

[graph]
generator = "barabasi_albert"
n = 400
m = 4

[[population]]
name = "customers"
noise = { dist = "normal", mean = 0.0, sd = 0.5 }
threshold = 0.6
complaint = -0.3
conformity = { dist = "uniform", low = 0.2, high = 0.7 }

[[population]]
name = "vocal"
nodes = [0, 1, 2]
fixed = "boo"

[model]
rule = "sop"
quality = -0.1

[timing]
scheme = "async_random"

[brand]
channel = "public_reply"
delay = 1
capacity = 3
"#;

fn scenario(sets: &[&str]) -> Scenario {
    let sets: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
    load_str("brand.toml", BASE, Path::new("."), &sets).expect("valid scenario")
}

fn run(sets: &[&str]) -> Vec<ReplicateResult> {
    let s = scenario(sets);
    let g = load_graph(&s, None).expect("graph");
    (0..s.replicates)
        .map(|r| run_one(&s, Some(&g), r).expect("runs"))
        .collect()
}

fn extra(r: &ReplicateResult, name: &str) -> f64 {
    *r.extra
        .get(name)
        .unwrap_or_else(|| panic!("no measure {name}"))
}

#[test]
fn without_listening_or_a_channel_nothing_is_resolved() {
    for r in run(&["brand.listening=0"]) {
        assert_eq!(extra(&r, "complaints_noticed"), 0.0);
        assert_eq!(extra(&r, "responses_sent"), 0.0);
        assert_eq!(extra(&r, "complaints_resolved"), 0.0);
    }
    for r in run(&["brand.channel=\"none\""]) {
        assert!(
            extra(&r, "complaints_noticed") > 0.0,
            "the brand still listens"
        );
        assert_eq!(extra(&r, "responses_sent"), 0.0);
        assert_eq!(extra(&r, "complaints_resolved"), 0.0);
    }
    // With an answer, some complaints are resolved (p_resolve = 0.5 by default).
    assert!(
        run(&[])
            .iter()
            .all(|r| extra(r, "complaints_resolved") > 0.0)
    );
}

#[test]
fn capacity_caps_responses_per_step() {
    for cap in [1u32, 3] {
        for r in run(&[&format!("brand.capacity={cap}")]) {
            // The cap binds: more complaints are noticed at once than it lets through.
            assert_eq!(extra(&r, "most_responses_in_a_step"), f64::from(cap));
            assert!(extra(&r, "responses_sent") <= f64::from(cap) * f64::from(r.steps));
        }
    }
    let unlimited = run(&["brand.capacity=1000000"]);
    assert!(
        unlimited
            .iter()
            .all(|r| extra(r, "most_responses_in_a_step") > 3.0)
    );
}

#[test]
fn delay_shifts_the_first_response_by_exactly_that_many_steps() {
    let at = |d: u32| -> Vec<f64> {
        run(&[&format!("brand.delay={d}")])
            .iter()
            .map(|r| extra(r, "first_response_step"))
            .collect()
    };
    let base = at(0);
    assert!(base.iter().all(|&s| s >= 1.0), "{base:?}");
    for d in [1u32, 4] {
        let shifted: Vec<f64> = base.iter().map(|s| s + f64::from(d)).collect();
        assert_eq!(at(d), shifted, "delay {d}");
    }
    // The same holds for a broadcast (one post, `delay` steps after the first complaint).
    let b0 = run(&["brand.channel=\"broadcast\"", "brand.delay=0"]);
    let b5 = run(&["brand.channel=\"broadcast\"", "brand.delay=5"]);
    for (a, b) in b0.iter().zip(&b5) {
        assert_eq!(
            extra(b, "first_response_step"),
            extra(a, "first_response_step") + 5.0
        );
        assert_eq!(extra(b, "broadcasts_sent"), 1.0);
    }
}

#[test]
fn a_brand_that_never_answers_has_no_first_response_step() {
    // Missing, not a sentinel: a -1 would be averaged into the mean first-response step.
    let none = run(&["brand.channel=\"none\""]);
    assert!(!none.is_empty());
    for r in &none {
        assert_eq!(r.extra.get("first_response_step"), None, "{:?}", r.extra);
        assert_eq!(extra(r, "responses_sent"), 0.0);
    }
}

#[test]
fn a_public_reply_changes_what_followers_see_and_a_private_one_does_not() {
    // p_resolve = 0: replies resolve nobody, so only what others see can differ.
    let none = run(&["brand.channel=\"none\"", "brand.p_resolve=0"]);
    let private = run(&["brand.channel=\"private_reply\"", "brand.p_resolve=0"]);
    let public = run(&["brand.channel=\"public_reply\"", "brand.p_resolve=0"]);
    for ((n, pr), pu) in none.iter().zip(&private).zip(&public) {
        assert!(extra(pr, "responses_sent") > 0.0);
        assert_eq!(extra(pr, "replies_seen"), 0.0);
        // A private reply that resolves nobody changes nothing anyone sees or does (the run
        // may last longer: the brand keeps answering, but nothing moves).
        let k = pr.trajectory.len().min(n.trajectory.len());
        assert_eq!(pr.trajectory[..k], n.trajectory[..k]);
        assert_eq!(
            (pr.final_standing, pr.final_booing),
            (n.final_standing, n.final_booing)
        );
        assert_eq!(extra(pr, "mean_signal"), extra(n, "mean_signal"));
        // A public one is seen by the complainers' followers and nudges them up.
        assert!(extra(pu, "replies_seen") > 0.0);
        assert!(extra(pu, "mean_signal") > extra(n, "mean_signal"));
    }
}

#[test]
fn costs_add_up_to_the_responses_sent() {
    for r in run(&["brand.cost_per_response=2.5"]) {
        assert_eq!(
            extra(&r, "cost_total"),
            2.5 * extra(&r, "responses_sent"),
            "replicate {}",
            r.replicate
        );
        assert_eq!(extra(&r, "responses_sent"), extra(&r, "replies_sent"));
    }
    // Paid influencers: 10 agents of a paid class at 100 each, plus replies at 1 each.
    let rs = run(&[
        "population.2.name=\"paid\"",
        "population.2.kind=\"paid_influencer\"",
        "population.2.nodes=[11,12,13,4,5,6,7,8,9,10]",
        "population.2.fixed=\"stand\"",
        "population.2.authenticity=0.5",
        "brand.cost_per_influencer=100",
    ]);
    for r in rs {
        assert_eq!(extra(&r, "influencers_paid"), 10.0);
        assert_eq!(
            extra(&r, "cost_total"),
            1000.0 + extra(&r, "responses_sent")
        );
    }
}

#[test]
fn results_are_identical_for_one_and_two_threads() {
    let s = scenario(&[
        "brand.replies_visible_to_brand_followers=true",
        "brand.incentive=0.3",
    ]);
    let g = load_graph(&s, None).expect("graph");
    let with = |threads: usize| -> Vec<ReplicateResult> {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("pool")
            .install(|| {
                (0..4)
                    .map(|r| run_one(&s, Some(&g), r).expect("runs"))
                    .collect()
            })
    };
    assert_eq!(with(1), with(2));
}

#[test]
fn bad_brand_values_are_precise_validate_errors() {
    let errors = |sets: &[&str]| -> Vec<String> {
        let sets: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
        match load_str("brand.toml", BASE, Path::new("."), &sets) {
            Ok(_) => Vec::new(),
            Err(e) => e.0.iter().map(|e| e.to_string()).collect(),
        }
    };
    let text = BASE.replace("capacity = 3", "capacity = -1\np_resolve = 1.5");
    let e: Vec<String> = match load_str("brand.toml", &text, Path::new("."), &[]) {
        Ok(_) => Vec::new(),
        Err(e) => e.0.iter().map(|e| e.to_string()).collect(),
    };
    assert_eq!(e.len(), 2, "{e:?}");
    assert!(
        e[0].starts_with("brand.toml:33:12: brand.capacity: expected a non-negative integer"),
        "{e:?}"
    );
    assert!(
        e[1].starts_with(
            "brand.toml:34:13: brand.p_resolve: expected a probability in [0, 1], found 1.5"
        ),
        "{e:?}"
    );
    let e = errors(&["brand.channel=\"shout\""]);
    assert!(
        e.len() == 1 && e[0].contains("brand.channel") && e[0].contains("public_reply"),
        "{e:?}"
    );
    let e = errors(&["brand.delay=-1"]);
    assert!(
        e.len() == 1 && e[0].contains("--set brand.delay=-1: expected a non-negative integer"),
        "{e:?}"
    );
    let e = errors(&["brand.listening=2"]);
    assert!(
        e.len() == 1 && e[0].contains("--set brand.listening=2: expected a probability"),
        "{e:?}"
    );
    let e = errors(&["brand.node=400"]);
    assert!(
        e.len() == 1 && e[0].contains("--set brand.node=400: agent 400 is out of range"),
        "{e:?}"
    );
}

#[test]
fn agents_record_who_complained_and_who_got_a_reply() {
    // Without `[output] agents` nothing per agent is kept.
    assert!(run(&[]).iter().all(|r| r.agents.is_none()));
    let mut answered_total = 0usize;
    for r in run(&["output.agents=true"]) {
        let a = r.agents.as_ref().expect("agents kept");
        let answered = a.answered.as_ref().expect("a brand: answered is known");
        assert_eq!(answered.len(), 400);
        assert!(a.sentiment.is_none(), "no sentiment under sop");
        // The three fixed hubs boo the whole run, but for the brand's own account (the most
        // followed agent, which sits) if it is one of them.
        assert!(a.complained[..3].iter().filter(|&&c| c).count() >= 2);
        // Whoever boos at the end complained.
        for (&act, &c) in a.action.iter().zip(&a.complained) {
            assert!(act != ovation::model::Action::Boo as u8 || c);
        }
        // Only complainers get replies, each reply goes to one of them, and a complainer may
        // get more than one.
        let n = answered.iter().filter(|&&x| x).count();
        assert!(answered.iter().zip(&a.complained).all(|(&x, &c)| !x || c));
        assert!(n as f64 <= extra(&r, "replies_sent"), "{n}");
        answered_total += n;
    }
    assert!(answered_total > 0, "the brand answered someone");
}
