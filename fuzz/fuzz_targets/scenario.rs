//! Fuzz target: the scenario loader (`ovation::scenario::load_str`) on arbitrary input.
//!
//! The first byte picks the mode: even, the rest is the scenario text as is (lossy UTF-8);
//! odd, the rest drives a generator of structured scenarios: TOML documents built from the
//! scenario's own vocabulary (keys, generator and distribution names, edge numbers: 0, -1,
//! NaN, inf, huge) with `--set` overrides, which reach far deeper than random bytes.
//!
//! Checked: no panic, no hang; every error displays on one line and names the file; and a
//! scenario that loads is really valid: its population samples and, for small graphs, its
//! generator runs without panicking (nothing after `scenario` re-checks user input).
#![no_main]

use std::fmt::Write;
use std::path::Path;

use libfuzzer_sys::arbitrary::{Result, Unstructured};
use libfuzzer_sys::fuzz_target;
use ovation::model::Agents;
use ovation::scenario::{GraphSource, load_str};

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    if mode % 2 == 0 {
        check(&String::from_utf8_lossy(rest), &[]);
    } else if let Ok((text, overrides)) = structured(&mut Unstructured::new(rest)) {
        check(&text, &overrides);
    }
});

fn check(text: &str, overrides: &[String]) {
    // The shipped scenarios' folder, so that `../data/karate.txt.gz` resolves.
    let base = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios");
    match load_str("fuzz.toml", text, &base, overrides) {
        Err(errors) => {
            assert!(!errors.0.is_empty(), "an Err without errors");
            for e in &errors.0 {
                let line = e.to_string();
                assert!(!line.contains('\n') && !line.contains('\r'), "{line:?}");
                assert!(line.starts_with("fuzz.toml"), "{line:?}");
            }
        }
        Ok(s) => {
            if let GraphSource::Generator { spec, .. } = &s.graph {
                let n = spec.node_count();
                if n <= 300 {
                    let quality = s.model.quality();
                    let agents = Agents::sample(n as u32, &s.population, quality, s.seed);
                    assert_eq!(agents.len() as u64, n);
                    if n <= 60 {
                        let g = ovation::graph::generators::generate(spec, s.seed)
                            .expect("a validated spec generates");
                        assert_eq!(u64::from(g.node_count()), n);
                    }
                }
            }
        }
    }
}

const KEYS: &[&str] = &[
    "name", "description", "seed", "replicates", "steps", "stop_at_fixed_point", "graph",
    "population", "model", "timing", "output", "generator", "rows", "seats", "cone", "n", "p",
    "m", "k", "beta", "sizes", "p_in", "p_out", "probabilities", "in_exponent", "out_exponent",
    "min_degree", "max_degree", "in_degrees", "out_degrees", "per_replicate", "file", "follows",
    "ids", "header", "weighted", "keep_self_loops", "keep_duplicates", "cache", "kind", "share",
    "nodes", "noise", "threshold", "conformity", "visibility", "initial", "fixed", "dist", "low",
    "high", "mean", "sd", "alpha", "value", "rule", "quality", "tie", "scheme", "latency",
    "per_row", "plots", "steps_csv", "0", "1", "qualty", "a b", "",
];

const WORDS: &[&str] = &[
    "theater", "erdos_renyi", "barabasi_albert", "watts_strogatz", "stochastic_block",
    "powerlaw_configuration", "degree_sequence", "complete", "sop", "coin", "keep", "stand",
    "sit", "boo", "synchronous", "async_random", "async_incentive", "delayed", "constant",
    "viewer_row", "row_distance", "edge_weights", "agent", "uniform", "normal",
    "truncated_normal", "beta", "mutual", "second-follows-first", "first-follows-second",
    "auto", "integer", "string", "regular", "influencer", "paid_influencer", "brand",
    "../data/karate.txt.gz", "../scenarios", "", "x\ny",
];

const SECTIONS: &[&str] = &[
    "graph", "model", "timing", "output", "timing.latency", "graph.x", "population",
];

fn pick<'a>(u: &mut Unstructured<'_>, from: &[&'a str]) -> Result<&'a str> {
    Ok(from[u.choose_index(from.len())?])
}

fn key(u: &mut Unstructured<'_>) -> Result<String> {
    if u.ratio(1, 12)? {
        let s: String = u.arbitrary()?;
        return Ok(format!("{s:?}"));
    }
    let k = pick(u, KEYS)?;
    Ok(if k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') && !k.is_empty() {
        k.to_string()
    } else {
        format!("{k:?}")
    })
}

fn float(u: &mut Unstructured<'_>) -> Result<String> {
    let x: f64 = match u.int_in_range(0u8..=9)? {
        0 => f64::NAN,
        1 => f64::INFINITY,
        2 => f64::NEG_INFINITY,
        3 => 0.5,
        4 => 1.0 + 1e-12,
        5 => -0.0,
        _ => u.arbitrary()?,
    };
    Ok(if x.is_nan() {
        "nan".into()
    } else if x.is_infinite() {
        if x > 0.0 { "inf".into() } else { "-inf".into() }
    } else {
        format!("{x:?}")
    })
}

fn value(u: &mut Unstructured<'_>, depth: u32) -> Result<String> {
    let choice = u.int_in_range(0u8..=if depth > 2 { 5 } else { 7 })?;
    Ok(match choice {
        0 => {
            let i: i64 = match u.int_in_range(0u8..=5)? {
                0 => -1,
                1 => 0,
                2 => 1,
                3 => i64::from(u32::MAX) + 1,
                _ => u.arbitrary()?,
            };
            i.to_string()
        }
        1 => u.int_in_range(0i64..=40)?.to_string(),
        2 => float(u)?,
        3 => if u.arbitrary()? { "true".into() } else { "false".into() },
        4 => format!("{:?}", pick(u, WORDS)?),
        5 => {
            let s: String = u.arbitrary()?;
            format!("{s:?}")
        }
        6 => {
            let n = u.int_in_range(0usize..=6)?;
            let items = (0..n)
                .map(|_| value(u, depth + 1))
                .collect::<Result<Vec<_>>>()?;
            format!("[{}]", items.join(", "))
        }
        _ => {
            let n = u.int_in_range(0usize..=5)?;
            let items = (0..n)
                .map(|_| Ok(format!("{} = {}", key(u)?, value(u, depth + 1)?)))
                .collect::<Result<Vec<_>>>()?;
            format!("{{ {} }}", items.join(", "))
        }
    })
}

fn structured(u: &mut Unstructured<'_>) -> Result<(String, Vec<String>)> {
    let mut text = String::new();
    let root = u.int_in_range(0usize..=6)?;
    for _ in 0..root {
        let _ = writeln!(text, "{} = {}", key(u)?, value(u, 0)?);
    }
    let sections = u.int_in_range(0usize..=6)?;
    for _ in 0..sections {
        let s = pick(u, SECTIONS)?;
        if s == "population" {
            text.push_str("[[population]]\n");
        } else {
            let _ = writeln!(text, "[{s}]");
        }
        let kvs = u.int_in_range(0usize..=6)?;
        for _ in 0..kvs {
            let _ = writeln!(text, "{} = {}", key(u)?, value(u, 0)?);
        }
    }
    let n = u.int_in_range(0usize..=3)?;
    let mut overrides = Vec::with_capacity(n);
    for _ in 0..n {
        let path: Vec<String> = (0..u.int_in_range(1usize..=3)?)
            .map(|_| Ok(pick(u, KEYS)?.to_string()))
            .collect::<Result<_>>()?;
        overrides.push(format!("{}={}", path.join("."), value(u, 1)?));
    }
    Ok((text, overrides))
}
