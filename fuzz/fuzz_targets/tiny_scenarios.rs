//! Fuzz target: tiny scenarios end to end (graph + rule + timing + brand), with a step budget.
//!
//! The input picks, from the scenario vocabulary, a small graph (at most 40 agents), a rule
//! with its parameters, a timing scheme with latencies, optional seeding and an optional
//! `[brand]` table, and numbers that include the edge cases (0, 1, huge, NaN, negative). A
//! scenario that `load_str` accepts must then run every replicate through `runner::run_one`
//! without a panic, within 40 steps; one it refuses must say why on one line naming the file.
#![no_main]

use std::path::Path;

use libfuzzer_sys::arbitrary::{Result, Unstructured};
use libfuzzer_sys::fuzz_target;
use ovation::runner;
use ovation::scenario::load_str;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = scenario(&mut Unstructured::new(data)) else {
        return;
    };
    let base = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios");
    match load_str("tiny.toml", &text, &base, &[]) {
        Err(errors) => {
            for e in &errors.0 {
                let line = e.to_string();
                assert!(!line.contains('\n'), "{line:?}");
                assert!(line.starts_with("tiny.toml"), "{line:?}");
            }
        }
        Ok(s) => {
            let graph = if runner::graph_per_replicate(&s) {
                None
            } else {
                match runner::load_graph(&s, None) {
                    Ok(g) => Some(g),
                    Err(_) => return,
                }
            };
            for r in 0..s.replicates {
                // An error is a clear refusal (e.g. a rule's graph check); a panic fails.
                let _ = runner::run_one(&s, graph.as_ref(), r);
            }
        }
    }
});

fn pick<'a>(u: &mut Unstructured<'_>, from: &[&'a str]) -> Result<&'a str> {
    Ok(from[u.choose_index(from.len())?])
}

fn num(u: &mut Unstructured<'_>) -> Result<String> {
    Ok(match u.int_in_range(0u8..=11)? {
        0 => "0".into(),
        1 => "1".into(),
        2 => "-1".into(),
        3 => "nan".into(),
        4 => "inf".into(),
        5 => "1e300".into(),
        6 => "4294967296".into(),
        7 => "0.5".into(),
        8 => u.int_in_range(2u32..=9)?.to_string(),
        _ => format!("{:?}", f64::from(u.int_in_range(0u16..=1000)?) / 1000.0),
    })
}

fn scenario(u: &mut Unstructured<'_>) -> Result<String> {
    let mut t = format!(
        "seed = {}\nreplicates = {}\nsteps = {}\n",
        u.int_in_range(0u32..=9)?,
        u.int_in_range(1u32..=2)?,
        u.int_in_range(1u32..=40)?
    );
    t.push_str("[graph]\n");
    match u.int_in_range(0u8..=5)? {
        0 => t.push_str(&format!(
            "generator = \"theater\"\nrows = {}\nseats = {}\ncone = {}\n",
            u.int_in_range(1u32..=6)?,
            u.int_in_range(1u32..=6)?,
            u.int_in_range(0u32..=3)?
        )),
        1 => t.push_str(&format!(
            "generator = \"erdos_renyi\"\nn = {}\np = {}\n",
            u.int_in_range(1u32..=40)?,
            num(u)?
        )),
        2 => t.push_str(&format!(
            "generator = \"barabasi_albert\"\nn = {}\nm = {}\n",
            u.int_in_range(1u32..=40)?,
            u.int_in_range(0u32..=5)?
        )),
        3 => t.push_str(&format!(
            "generator = \"watts_strogatz\"\nn = {}\nk = {}\nbeta = {}\n",
            u.int_in_range(1u32..=40)?,
            u.int_in_range(0u32..=6)?,
            num(u)?
        )),
        4 => t.push_str(&format!(
            "generator = \"complete\"\nn = {}\nper_replicate = {}\n",
            u.int_in_range(1u32..=12)?,
            u.arbitrary::<bool>()?
        )),
        _ => t.push_str("file = \"../data/karate.txt.gz\"\nfollows = \"mutual\"\n"),
    }
    t.push_str(&format!(
        "[[population]]\nnoise = {{ dist = \"uniform\", low = {}, high = {} }}\nconformity = {}\nthreshold = {}\n",
        num(u)?,
        num(u)?,
        num(u)?,
        num(u)?
    ));
    let rule = pick(
        u,
        &[
            "sop",
            "threshold",
            "independent_cascade",
            "linear_threshold",
            "voter",
            "majority",
            "sir",
            "bass",
            "deffuant",
        ],
    )?;
    t.push_str(&format!("[model]\nrule = \"{rule}\"\n"));
    for key in ["quality", "probability", "threshold", "beta", "gamma", "p", "q", "epsilon", "mu"] {
        if u.ratio(1, 3)? {
            t.push_str(&format!("{key} = {}\n", num(u)?));
        }
    }
    if u.arbitrary()? {
        let scheme = pick(u, &["synchronous", "async_random", "async_incentive", "delayed"])?;
        t.push_str(&format!("[timing]\nscheme = \"{scheme}\"\n"));
        if scheme == "delayed" {
            let latency = match u.int_in_range(0u8..=3)? {
                0 => format!("{{ kind = \"constant\", steps = {} }}", u.int_in_range(0u32..=50)?),
                1 => format!("{{ kind = \"viewer_row\", per_row = {} }}", num(u)?),
                2 => "{ kind = \"row_distance\" }".to_string(),
                _ => format!(
                    "{{ kind = \"agent\", dist = {{ dist = \"uniform\", low = {}, high = {} }} }}",
                    num(u)?,
                    num(u)?
                ),
            };
            t.push_str(&format!("latency = {latency}\n"));
        }
    }
    if u.ratio(1, 3)? {
        let method = pick(u, &["top_followers", "random", "pagerank", "degree_discount", "celf"])?;
        t.push_str(&format!(
            "[seeding]\nmethod = \"{method}\"\nk = {}\n",
            u.int_in_range(0u32..=50)?
        ));
    }
    if u.ratio(1, 4)? {
        t.push_str(&format!(
            "[brand]\nlistening = {}\ncapacity = {}\n",
            num(u)?,
            u.int_in_range(0u32..=5)?
        ));
    }
    Ok(t)
}
