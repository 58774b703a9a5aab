//! Invariants of the `sentiment` rule with a `[webcare]` brand, as property tests over random
//! scenarios under common random numbers (docs/models/sentiment.md, "Invariants"), and one test
//! per direction the literature gives.
//!
//! Each property draws 200 scenarios: a random small follower graph (Erdos-Renyi or
//! Barabasi-Albert, 15 to 60 agents), random sentiment and brand parameters and a random seed,
//! all from a fixed generator seed, so a failure names a reproducible scenario. Two arms of a
//! pair share the seed, hence every agent's uniforms (common random numbers).
//!
//! Two kinds of claim:
//! - **Pathwise** (exact, replicate by replicate): a brand that cannot answer is the no-brand
//!   baseline; identical strategies differ by 0; nothing differs before the first response;
//!   replies that resolve everyone never end below replies that resolve nobody.
//! - **In expectation** (the mean over [`REPS`] replicates of each scenario): answering faster
//!   never raises the complaint peak or exposure; a higher `p_resolve` never lowers mean
//!   sentiment. These cannot be pathwise in any brand model that reacts to complaints: a
//!   better brand leaves fewer complaints for itself to answer later, so an agent it would
//!   have answered (and lifted) in a worse run can stay unanswered. The tolerance is the
//!   sampling error of the paired mean difference: a claim fails when the mean difference goes
//!   the wrong way by more than [`Z`] standard errors (one-sided, so about 3e-5 per scenario
//!   when the true difference is 0, under 1% over 200 scenarios; the seeds are fixed, so the
//!   outcome is deterministic).

use std::path::Path;

use ovation::engine::ReplicateResult;
use ovation::rng::{Purpose, Stream};
use ovation::runner::{load_graph, run_one};
use ovation::scenario::{Scenario, load_str};

const CASES: u32 = 200;
/// Replicates per arm for the claims in expectation.
const REPS: u32 = 60;
/// Standard errors a mean difference may go the wrong way before a claim in expectation fails.
const Z: f64 = 4.0;

/// A random scenario (case `c` of property `prop`): its text with a `[webcare]` brand whose one
/// account is agent `account`, and the no-brand baseline (the same scenario without
/// `[webcare]`, the account's agent kept silent by a fixed class, as a brand account is).
struct Case {
    text: String,
    baseline: String,
}

fn random_case(prop: u32, c: u32) -> Case {
    let mut r = Stream::new(0xC0FFEE + u64::from(prop), Purpose::Bootstrap, c, 0);
    let mut pick = |lo: f64, hi: f64| lo + (hi - lo) * r.uniform();
    let n = pick(15.0, 60.0) as u32;
    let graph = if pick(0.0, 1.0) < 0.5 {
        format!(
            "generator = \"erdos_renyi\"\nn = {n}\np = {:.3}",
            pick(0.04, 0.2)
        )
    } else {
        format!(
            "generator = \"barabasi_albert\"\nn = {n}\nm = {}",
            pick(1.0, 4.0) as u32
        )
    };
    let seed = pick(0.0, 1e9) as u64;
    let steps = pick(10.0, 30.0) as u32;
    let quality = pick(-0.5, 0.2);
    let sd = pick(0.1, 0.6);
    let lo = pick(0.0, 0.5);
    let hi = lo + pick(0.0, 0.5);
    let threshold = pick(0.0, 0.6);
    let complaint = pick(-0.5, -0.05);
    let half_life = pick(0.0, 4.0) as i64;
    let attention = pick(0.3, 1.0);
    let arrival = pick(0.0, 6.0) as i64;
    let listening = pick(0.2, 1.0);
    let p_resolve = pick(0.0, 1.0);
    let care = pick(0.0, 0.3);
    let capacity = pick(1.0, 6.0) as i64;
    let delay = pick(0.0, 5.0) as i64;
    let channel = if pick(0.0, 1.0) < 0.7 {
        "public"
    } else {
        "private"
    };
    let triage = if pick(0.0, 1.0) < 0.5 {
        "oldest"
    } else {
        "followers"
    };
    let account = pick(0.0, f64::from(n)) as u32;
    // No service-recovery paradox (recovery <= 0, the documented default is 0).
    let recovery = pick(-0.2, 0.0);
    let common = format!(
        "seed = {seed}\nsteps = {steps}\n[graph]\n{graph}\n\
         [[population]]\nnoise = {{ dist = \"normal\", mean = 0.0, sd = {sd:.3} }}\n\
         threshold = {threshold:.3}\ncomplaint = {complaint:.3}\n\
         conformity = {{ dist = \"uniform\", low = {lo:.3}, high = {hi:.3} }}\n"
    );
    let model = format!(
        "[model]\nrule = \"sentiment\"\nquality = {quality:.3}\nhalf_life = {half_life}\n\
         attention = {attention:.3}\narrival = {arrival}\n"
    );
    let text = format!(
        "{common}{model}\
         [webcare]\nlistening = {listening:.3}\np_resolve = {p_resolve:.3}\ncare = {care:.3}\n\
         triage = \"{triage}\"\nrecovery = {recovery:.3}\n\
         [[webcare.accounts]]\nnode = {account}\ncapacity = {capacity}\ndelay = {delay}\n\
         channel = \"{channel}\"\n"
    );
    let baseline = format!(
        "{common}[[population]]\nname = \"silent account\"\nnodes = [{account}]\n\
         fixed = \"sit\"\n{model}"
    );
    Case { text, baseline }
}

fn load(text: &str, sets: &[String]) -> Scenario {
    load_str("prop.toml", text, Path::new("."), sets)
        .unwrap_or_else(|e| panic!("{e}\n--- scenario:\n{text}\n--- sets: {sets:?}"))
}

fn run(text: &str, sets: &[String]) -> ReplicateResult {
    let s = load(text, sets);
    let g = load_graph(&s, None).expect("graph");
    run_one(&s, Some(&g), 0).expect("runs")
}

/// `REPS` replicates of `text` with `sets`.
fn runs(text: &str, sets: &[String]) -> Vec<ReplicateResult> {
    let s = load(text, sets);
    let g = load_graph(&s, None).expect("graph");
    (0..REPS)
        .map(|r| run_one(&s, Some(&g), r).expect("runs"))
        .collect()
}

fn extra(r: &ReplicateResult, name: &str) -> f64 {
    *r.extra
        .get(name)
        .unwrap_or_else(|| panic!("no measure {name}"))
}

fn set(pairs: &[(&str, String)]) -> Vec<String> {
    pairs.iter().map(|(k, v)| format!("{k}={v}")).collect()
}

/// Asserts that `better` is, in expectation, at least `worse` (paired over replicates): the
/// mean of `better - worse` is above `-Z` standard errors.
fn at_least(better: &[f64], worse: &[f64], what: &str, text: &str) {
    let d: Vec<f64> = better.iter().zip(worse).map(|(b, w)| b - w).collect();
    let n = d.len() as f64;
    let mean = d.iter().sum::<f64>() / n;
    let var = d.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (n - 1.0);
    let se = (var / n).sqrt();
    assert!(
        mean >= -Z * se - 1e-12,
        "{what}: mean difference {mean} < -{Z} x {se}\n{text}"
    );
}

/// Tolerance for sums of floating-point sentiments: a coupling that keeps every agent at least
/// as high can differ by rounding in the last bits of the mean.
const EPS: f64 = 1e-9;

#[test]
fn answering_faster_never_raises_the_peak_or_the_exposure_in_expectation() {
    for c in 0..CASES {
        let case = random_case(1, c);
        let slow = runs(
            &case.text,
            &set(&[("webcare.accounts.0.delay", "6".into())]),
        );
        let fast_delay = (c % 6).to_string();
        let fast = runs(
            &case.text,
            &set(&[("webcare.accounts.0.delay", fast_delay)]),
        );
        let peak = |v: &[ReplicateResult]| v.iter().map(|r| r.peak_booing).collect::<Vec<_>>();
        at_least(
            &peak(&slow),
            &peak(&fast),
            &format!("case {c}: peak"),
            &case.text,
        );
        let exposure = |v: &[ReplicateResult]| {
            v.iter()
                .map(|r| extra(r, "complaint_exposure"))
                .collect::<Vec<_>>()
        };
        at_least(
            &exposure(&slow),
            &exposure(&fast),
            &format!("case {c}: exposure"),
            &case.text,
        );
    }
}

#[test]
fn a_higher_p_resolve_never_lowers_mean_sentiment_in_expectation() {
    for c in 0..CASES {
        let case = random_case(2, c);
        let net = |v: Vec<ReplicateResult>| {
            v.iter()
                .map(|r| extra(r, "net_sentiment"))
                .collect::<Vec<_>>()
        };
        let lo = net(runs(
            &case.text,
            &set(&[("webcare.p_resolve", "0.3".into())]),
        ));
        let hi = net(runs(
            &case.text,
            &set(&[("webcare.p_resolve", "0.8".into())]),
        ));
        at_least(&hi, &lo, &format!("case {c}: net sentiment"), &case.text);
    }
}

#[test]
fn replies_resolving_nobody_never_beat_replies_resolving_everyone() {
    for c in 0..CASES {
        let case = random_case(3, c);
        let text = &case.text;
        let none = run(text, &set(&[("webcare.p_resolve", "0.0".into())]));
        let all = run(text, &set(&[("webcare.p_resolve", "1.0".into())]));
        let (a, b) = (extra(&none, "net_sentiment"), extra(&all, "net_sentiment"));
        assert!(b >= a - EPS, "case {c}: sentiment {b} < {a}\n{text}");
        assert!(
            all.peak_booing <= none.peak_booing,
            "case {c}: peak\n{text}"
        );
        assert!(
            all.final_booing <= none.final_booing,
            "case {c}: final\n{text}"
        );
    }
}

/// The outcome columns a brand could change.
fn outcome(r: &ReplicateResult) -> (Vec<(f64, f64, f64)>, f64, f64) {
    (
        r.trajectory
            .iter()
            .map(|s| (s.sitting, s.standing, s.booing))
            .collect(),
        extra(r, "net_sentiment"),
        extra(r, "complaint_exposure"),
    )
}

#[test]
fn zero_capacity_or_zero_listening_is_exactly_the_no_brand_baseline() {
    for c in 0..CASES {
        let case = random_case(4, c);
        let text = &case.text;
        let base = run(&case.baseline, &[]);
        let deaf = run(text, &set(&[("webcare.listening", "0.0".into())]));
        let mute = run(text, &set(&[("webcare.accounts.0.capacity", "0".into())]));
        assert_eq!(
            outcome(&deaf),
            outcome(&base),
            "case {c}: listening 0\n{text}"
        );
        assert_eq!(
            outcome(&mute),
            outcome(&base),
            "case {c}: capacity 0\n{text}"
        );
        assert_eq!(extra(&mute, "replies_sent"), 0.0);
        assert_eq!(extra(&deaf, "complaints_found"), 0.0);
    }
}

#[test]
fn two_identical_strategies_differ_by_exactly_zero() {
    for c in 0..CASES {
        let text = random_case(5, c).text;
        let a = run(&text, &[]);
        let a2 = run(&text, &[]);
        assert_eq!(a.extra, a2.extra, "case {c}\n{text}");
        assert_eq!(outcome(&a), outcome(&a2), "case {c}\n{text}");
        let b = run(&text, &set(&[("webcare.care", "1.0".into())]));
        let b2 = run(&text, &set(&[("webcare.care", "1.0".into())]));
        assert_eq!(b.extra, b2.extra, "case {c}\n{text}");
        assert_eq!(outcome(&b), outcome(&b2), "case {c}\n{text}");
    }
}

#[test]
fn nothing_differs_before_the_first_response() {
    let mut answered = 0;
    for c in 0..CASES {
        let case = random_case(6, c);
        let base = run(&case.baseline, &[]);
        let brand = run(&case.text, &[]);
        match brand.extra.get("first_response_step") {
            // The record of step t follows the brand's turn at the start of t: records 0 to
            // first - 1 are before any answer.
            Some(&first) => {
                answered += 1;
                let upto = first as usize;
                let before = |r: &ReplicateResult| -> Vec<(f64, f64, f64)> {
                    outcome(r).0.into_iter().take(upto).collect()
                };
                assert_eq!(
                    before(&base),
                    before(&brand),
                    "case {c}: first response {first}"
                );
            }
            None => assert_eq!(
                outcome(&base),
                outcome(&brand),
                "case {c}: no answer differs"
            ),
        }
    }
    // The property is about answers: most random cases must have one.
    assert!(answered > CASES / 2, "only {answered} cases answered");
}

/// A fixed case for the literature directions: a bad product on a 300-agent BA graph, public
/// replies from the most followed account.
const CASE: &str = r#"
seed = 11
replicates = 20
steps = 60

[graph]
generator = "barabasi_albert"
n = 300
m = 3

[[population]]
noise = { dist = "normal", mean = 0.0, sd = 0.4 }
threshold = 0.3
complaint = -0.3
conformity = { dist = "uniform", low = 0.2, high = 0.5 }

[model]
rule = "sentiment"
quality = -0.15
half_life = 2
attention = 0.5
arrival = 5

[webcare]
listening = 0.5
p_resolve = 0.6

[[webcare.accounts]]
capacity = 3
delay = 2
"#;

fn mean_over(sets: &[String], name: &str) -> f64 {
    let s = load(CASE, sets);
    let g = load_graph(&s, None).expect("graph");
    let v: Vec<f64> = (0..s.replicates)
        .map(|r| {
            let res = run_one(&s, Some(&g), r).expect("runs");
            if name == "peak_booing" {
                res.peak_booing
            } else {
                extra(&res, name)
            }
        })
        .collect();
    v.iter().sum::<f64>() / v.len() as f64
}

#[test]
fn squeaky_wheel_answered_complainers_and_onlookers_learn_to_complain() {
    // Ma, Sun and Kekre (2015): answered complainers complain more next time; onlookers of
    // public answers learn it too. With no answers the propensity is exactly 0.
    let none = mean_over(
        &set(&[("webcare.accounts.0.capacity", "0".into())]),
        "complaint_propensity",
    );
    let private = mean_over(
        &set(&[("webcare.accounts.0.channel", "\"private\"".into())]),
        "complaint_propensity",
    );
    let public = mean_over(&[], "complaint_propensity");
    assert_eq!(none, 0.0);
    assert!(private > 0.0, "answered complainers: {private}");
    assert!(
        public > private,
        "onlookers: public {public} <= private {private}"
    );
    let rep_none = mean_over(
        &set(&[("webcare.accounts.0.capacity", "0".into())]),
        "repeat_complainers",
    );
    let rep_public = mean_over(&[], "repeat_complainers");
    assert!(rep_public > rep_none, "{rep_public} <= {rep_none}");
    // Saturation: however many answers, the shift stays below the cap (0.2 by default).
    let heavy = mean_over(
        &set(&[("webcare.squeaky_onlooker", "1.0".into())]),
        "complaint_propensity",
    );
    assert!(heavy <= 0.2 + EPS, "{heavy}");
}

#[test]
fn publicising_a_complaint_exposes_it_and_only_a_visible_resolution_teaches_care() {
    // Golmohammadi et al. (2021): a public answer shows the complaint to more people. With the
    // care effect off, public and private replies resolve the same complaints (same draws) and
    // move nobody else, so the feeds are identical and the public replies' views come on top.
    let private_ch = ("webcare.accounts.0.channel", "\"private\"".to_string());
    let off = ("webcare.care", "0.0".to_string());
    let s_private = load(CASE, &set(&[off.clone(), private_ch.clone()]));
    let s_public = load(CASE, &set(&[off]));
    let g = load_graph(&s_public, None).expect("graph");
    let mut public_views = 0.0;
    for r in 0..s_public.replicates {
        let a = run_one(&s_private, Some(&g), r).expect("runs");
        let b = run_one(&s_public, Some(&g), r).expect("runs");
        assert_eq!(
            extra(&a, "complaint_exposure"),
            extra(&b, "complaint_exposure"),
            "replicate {r}: feeds differ"
        );
        assert_eq!(extra(&a, "public_reply_views"), 0.0);
        public_views += extra(&b, "public_reply_views");
    }
    assert!(public_views > 0.0, "public replies were seen by nobody");
    // A visible non-answer (p_resolve = 0) teaches onlookers nothing: public and private end
    // the same. A visible resolution does (van Noort and Willemsen 2012; Schaefers and
    // Schamari 2016): with every answer resolving, public replies end higher.
    let none = ("webcare.p_resolve", "0.0".to_string());
    assert_eq!(
        mean_over(&set(&[none.clone(), private_ch.clone()]), "net_sentiment"),
        mean_over(&set(&[none]), "net_sentiment")
    );
    let all = ("webcare.p_resolve", "1.0".to_string());
    let private = mean_over(&set(&[all.clone(), private_ch]), "net_sentiment");
    let public = mean_over(&set(&[all]), "net_sentiment");
    assert!(public > private, "public {public} <= private {private}");
}

#[test]
fn no_service_recovery_paradox_by_default() {
    // de Matos, Henrique and Rossi (2007): a recovered customer ends, on average, no more
    // satisfied than one who had no failure. By default (recovery = 0) a resolved complainer's
    // anchor rises to the product's mean experience (quality 0.2 here), no higher. Agent 1's
    // experience is 0.2 - 1.0 = -0.8 (a failure); it follows only the brand account (agent 0),
    // which is silent, so only the resolution moves it; p_resolve = 1, 30 steps of half-life 1
    // close all but 2^-30 of the gap.
    let text = |recovery: &str| {
        format!(
            "seed = 1\nsteps = 30\n[graph]\ngenerator = \"complete\"\nn = 2\n\
             [[population]]\nname = \"customer\"\nnoise = -1.0\nthreshold = 0.3\n\
             complaint = -0.3\nconformity = 0.0\ninitial = \"boo\"\n\
             [[population]]\nname = \"brand\"\nnodes = [0]\n\
             [model]\nrule = \"sentiment\"\nquality = 0.2\nhalf_life = 1\n\
             [webcare]\np_resolve = 1.0\nrecovery = {recovery}\n\
             [[webcare.accounts]]\nnode = 0\n"
        )
    };
    let default = run(&text("0.0"), &[]);
    assert_eq!(extra(&default, "complaints_resolved"), 1.0);
    let x = extra(&default, "net_sentiment");
    assert!(
        (x - 0.2).abs() < 1e-6,
        "resolved complainer at {x}, typical customer at 0.2"
    );
    // A paradox can be asked for: recovery = 0.3 puts it above a typical customer.
    let paradox = extra(&run(&text("0.3"), &[]), "net_sentiment");
    assert!((paradox - 0.5).abs() < 1e-6, "{paradox}");
}

#[test]
fn a_late_statement_cannot_lower_an_earlier_peak() {
    let quiet = set(&[("webcare.accounts.0.capacity", "0".into())]);
    let mut late = quiet.clone();
    late.push("webcare.statements=[{ at = 30, care = 0.5 }]".into());
    let s0 = load(CASE, &quiet);
    let s1 = load(CASE, &late);
    let g = load_graph(&s0, None).expect("graph");
    for r in 0..s0.replicates {
        let a = run_one(&s0, Some(&g), r).expect("runs");
        let b = run_one(&s1, Some(&g), r).expect("runs");
        let before = |x: &ReplicateResult| -> Vec<f64> {
            x.trajectory.iter().take(30).map(|s| s.booing).collect()
        };
        assert_eq!(before(&a), before(&b), "replicate {r}");
        let peak = |v: Vec<f64>| v.into_iter().fold(0.0, f64::max);
        assert_eq!(peak(before(&a)), peak(before(&b)));
        // And it helps afterwards: final sentiment is at least as high (pathwise).
        assert!(extra(&b, "net_sentiment") >= extra(&a, "net_sentiment") - EPS);
    }
}

#[test]
fn listening_informed_advocates_act_from_their_step_on() {
    // `[[webcare.advocates]]`: at step 30 the five most followed agents praising become
    // advocates. With no replies (capacity 0) the brand acts only then: nothing differs before
    // step 30, and afterwards every agent is at least as high (an up-shift under common random
    // numbers), so mean sentiment cannot fall.
    let quiet = set(&[("webcare.accounts.0.capacity", "0".into())]);
    let mut fans = quiet.clone();
    fans.push("webcare.advocates=[{ at = 30, top = 5 }]".into());
    let s0 = load(CASE, &quiet);
    let s1 = load(CASE, &fans);
    let g = load_graph(&s0, None).expect("graph");
    let mut activated = 0.0;
    for r in 0..s0.replicates {
        let a = run_one(&s0, Some(&g), r).expect("runs");
        let b = run_one(&s1, Some(&g), r).expect("runs");
        let before = |x: &ReplicateResult| -> Vec<(f64, f64)> {
            x.trajectory
                .iter()
                .take(30)
                .map(|s| (s.standing, s.booing))
                .collect()
        };
        assert_eq!(before(&a), before(&b), "replicate {r}");
        assert!(b.final_standing >= a.final_standing, "replicate {r}");
        activated += extra(&b, "advocates_activated");
        assert!(extra(&b, "advocates_activated") <= 5.0);
    }
    assert!(
        activated > 0.0,
        "nobody was praising at step 30 in any replicate"
    );
}

#[test]
fn per_class_measures_add_up_to_the_whole() {
    let text = CASE.replace(
        "[[population]]\n",
        "[[population]]\nname = \"a\"\nshare = 0.5\n",
    ) + "\n[[population]]\nname = \"b\"\nshare = 0.5\nnoise = { dist = \"normal\", mean = 0.0, sd = 0.4 }\n\
         threshold = 0.3\ncomplaint = -0.2\nconformity = 0.3\n";
    let r = run(&text, &[]);
    let total = extra(&r, "complaint_exposure");
    let parts = extra(&r, "complaint_exposure_class0") + extra(&r, "complaint_exposure_class1");
    assert_eq!(parts, total);
    for c in 0..2 {
        let share = extra(&r, &format!("share_answered_class{c}"));
        assert!((0.0..=1.0).contains(&share), "class {c}: {share}");
    }
    assert!(r.extra.contains_key("net_sentiment_class1"));
}
