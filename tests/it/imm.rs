//! IMM seed selection (Tang, Shi and Xiao 2015) against CELF, the small-graph reference: on
//! Zachary's karate club and email-Eu-core, under the independent cascade and the linear
//! threshold model, the spread of IMM's seeds (measured by the engine over many replicates)
//! is within Monte-Carlo error of the spread of CELF's; and the selection is the same for any
//! number of threads.
//!
//! Tolerance: the two spreads are means over independent replicates, so their difference has
//! standard error sqrt(se1^2 + se2^2); we allow 4 of them (a correct pair fails with
//! probability below 1e-4 when both methods find equally good sets).

use std::path::PathBuf;

use ovation::graph::FollowerGraph;
use ovation::runner::{load_graph, run_one};
use ovation::scenario::{self, Scenario};
use ovation::strategy::imm::{RrModel, imm};
use ovation::strategy::{SeedContext, select_seeds};
use rayon::prelude::*;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn scenario(graph: &str, model: &str, seeding: &str, replicates: u32) -> Scenario {
    let text = format!(
        "seed = 2015\nreplicates = {replicates}\nsteps = 1000\n[graph]\n{graph}\n\
         [[population]]\nname = \"all\"\n[model]\n{model}\n[seeding]\n{seeding}\n"
    );
    scenario::load_str("imm.toml", &text, &repo(), &[]).unwrap_or_else(|e| panic!("{e}"))
}

/// Mean and standard error of the final active count over the scenario's replicates.
fn spread(s: &Scenario, g: &FollowerGraph) -> (f64, f64) {
    let n = f64::from(g.node_count());
    let xs: Vec<f64> = (0..s.replicates)
        .into_par_iter()
        .map(|r| run_one(s, Some(g), r).expect("runs").final_standing * n)
        .collect();
    let m = xs.iter().sum::<f64>() / xs.len() as f64;
    let var = xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (xs.len() as f64 - 1.0);
    (m, (var / xs.len() as f64).sqrt())
}

fn compare(graph: &str, model: &str, k: u32, samples: u32, replicates: u32) {
    let celf = scenario(
        graph,
        model,
        &format!("method = \"celf\"\nk = {k}\nsamples = {samples}"),
        replicates,
    );
    let imm_s = scenario(
        graph,
        model,
        &format!("method = \"imm\"\nk = {k}\nepsilon = 0.1"),
        replicates,
    );
    let g = load_graph(&celf, None).expect("graph");
    let (c_m, c_se) = spread(&celf, &g);
    let (i_m, i_se) = spread(&imm_s, &g);
    let tol = 4.0 * (c_se * c_se + i_se * i_se).sqrt();
    eprintln!("{graph} {model} k = {k}: CELF {c_m:.2} +- {c_se:.2}, IMM {i_m:.2} +- {i_se:.2}");
    assert!(
        (i_m - c_m).abs() <= tol,
        "{model}: IMM spread {i_m:.2}, CELF {c_m:.2}, tolerance {tol:.2}"
    );
    assert!(i_m > f64::from(k), "the seeds spread");
}

const KARATE: &str = "file = \"data/karate.txt.gz\"\nfollows = \"mutual\"\nids = \"integer\"";
const EMAIL: &str = "file = \"data/email-Eu-core.txt.gz\"\nfollows = \"second-follows-first\"";

#[test]
fn imm_matches_celf_on_karate() {
    compare(
        KARATE,
        "rule = \"independent_cascade\"\nprobability = 0.1",
        3,
        2000,
        4000,
    );
    compare(KARATE, "rule = \"linear_threshold\"", 3, 1000, 4000);
}

#[test]
fn imm_matches_celf_on_email_eu_core() {
    compare(
        EMAIL,
        "rule = \"independent_cascade\"\nprobability = 0.02",
        5,
        200,
        2000,
    );
}

#[test]
fn imm_selection_is_the_same_for_any_thread_count() {
    let s = scenario(
        EMAIL,
        "rule = \"linear_threshold\"",
        "method = \"imm\"\nk = 10",
        1,
    );
    let g = load_graph(&s, None).expect("graph");
    let model = RrModel::Lt(ovation::model::cascade::LtWeights::Uniform);
    let one = imm(&g, model, 10, 0.5, 1.0, 7, 1).expect("runs");
    for threads in [2, 3, 8] {
        assert_eq!(one, imm(&g, model, 10, 0.5, 1.0, 7, threads).expect("runs"));
    }
    // Through the scenario, inside rayon pools of 1 and 2 threads.
    let pick = |threads: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("pool")
            .install(|| {
                let ctx = SeedContext {
                    graph: &g,
                    rule: &s.model,
                    seed: s.seed,
                    key: 0,
                };
                select_seeds(s.seeding.as_ref().expect("seeding"), &ctx).expect("seeds")
            })
    };
    assert_eq!(pick(1), pick(2));
    assert_eq!(pick(1).len(), 10);
}

#[test]
fn imm_parameters_are_validated() {
    let bad = |seeding: &str| {
        let text = format!(
            "seed = 1\n[graph]\ngenerator = \"complete\"\nn = 5\n[[population]]\n\
             [model]\nrule = \"independent_cascade\"\n[seeding]\n{seeding}\n"
        );
        scenario::load_str("s.toml", &text, &repo(), &[])
            .expect_err("refused")
            .to_string()
    };
    let e = bad("method = \"imm\"\nk = 2\nepsilon = 0");
    assert!(e.contains("seeding.epsilon") && e.contains("(0, 1)"), "{e}");
    let e = bad("method = \"imm\"\nk = 2\nl = -1");
    assert!(e.contains("seeding.l"), "{e}");
    let e = bad("method = \"imm\"\nk = 2\nmodel = \"lt\"\nprobability = 0.1");
    assert!(e.contains("seeding.probability"), "{e}");
    // Under a rule IMM cannot read, the model must be named.
    let text = "seed = 1\n[graph]\ngenerator = \"complete\"\nn = 5\n[[population]]\n\
                [model]\nrule = \"voter\"\n[seeding]\nmethod = \"imm\"\nk = 2\n";
    let s = scenario::load_str("s.toml", text, &repo(), &[]).expect("valid");
    let e = format!("{:#}", run_one(&s, None, 0).expect_err("no model"));
    assert!(e.contains("seeding.model") && e.contains("voter"), "{e}");
}
