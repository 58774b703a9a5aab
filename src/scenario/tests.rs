//! Unit tests of the scenario loader: the shipped scenarios load, overrides apply, and errors
//! carry the right key, position and words.

use std::path::{Path, PathBuf};

use super::*;
use crate::engine::config::LatencySpec;
use crate::model::{Action, Dist, NamedDist, TieRule};

const MINIMAL: &str = "seed = 1\n\
[graph]\n\
generator = \"theater\"\n\
rows = 3\n\
seats = 4\n\
\n\
[[population]]\n\
\n\
[model]\n\
rule = \"sop\"\n\
quality = 0.5\n";

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn load_text(text: &str, overrides: &[&str]) -> Result<Scenario, ScenarioErrors> {
    let o: Vec<String> = overrides.iter().map(|s| s.to_string()).collect();
    load_str("x.toml", text, &repo().join("scenarios"), &o)
}

/// Loads `text` expecting errors; returns them as displayed.
fn errors(text: &str, overrides: &[&str]) -> Vec<String> {
    match load_text(text, overrides) {
        Ok(s) => panic!("expected errors, the scenario loaded: {s:?}"),
        Err(e) => e.0.iter().map(|e| e.to_string()).collect(),
    }
}

#[test]
fn every_shipped_scenario_loads() {
    let mut names = Vec::new();
    for entry in std::fs::read_dir(repo().join("scenarios")).expect("scenarios/ exists") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "toml") {
            let s = load(&path, &[]).unwrap_or_else(|e| panic!("{}:\n{e}", path.display()));
            assert!(
                !s.description.is_empty(),
                "{}: no description",
                path.display()
            );
            names.push(s.name);
        }
    }
    names.sort();
    for expected in [
        "async-theater",
        "conformity-theater",
        "delayed-theater",
        "front-row-plants",
        "karate-sop",
        "standing-ovation",
    ] {
        assert!(
            names.iter().any(|n| n == expected),
            "{expected} missing: {names:?}"
        );
    }
}

#[test]
fn the_reference_scenario_is_what_its_comments_say() {
    let s = load(&repo().join("scenarios/standing-ovation.toml"), &[]).expect("valid");
    assert_eq!(s.replicates, 100);
    assert_eq!(
        s.stop,
        StopRule {
            max_steps: 100,
            at_fixed_point: true
        }
    );
    assert_eq!(
        s.theater_layout(),
        Some(TheaterLayout {
            rows: 20,
            seats: 20
        })
    );
    let c = &s.population[0];
    assert_eq!(
        c.noise,
        Dist::Named(NamedDist::Uniform {
            low: -0.5,
            high: 0.5
        })
    );
    assert_eq!(
        (c.threshold.clone(), c.conformity.clone()),
        (Dist::Value(0.5), Dist::Value(0.5))
    );
    assert_eq!(
        s.model,
        RuleSpec::Sop(crate::model::SopParams {
            quality: 0.5,
            tie: TieRule::Coin,
            noise: 0.0
        })
    );
    assert_eq!(s.timing, TimingSpec::Synchronous);
}

#[test]
fn the_karate_file_resolves_next_to_the_scenario() {
    let s = load(&repo().join("scenarios/karate-sop.toml"), &[]).expect("valid");
    let GraphSource::File {
        path,
        import,
        cache,
    } = &s.graph
    else {
        panic!("a file graph: {:?}", s.graph);
    };
    assert!(path.ends_with("data/karate.txt.gz"), "{}", path.display());
    assert!(path.is_file());
    assert_eq!(import.direction, crate::graph::io::Direction::Mutual);
    assert!(!cache);
    assert_eq!(s.theater_layout(), None);
}

#[test]
fn defaults_fill_what_is_absent() {
    let s = load_text(MINIMAL, &[]).expect("valid");
    assert_eq!(s.name, "x");
    assert_eq!(s.description, "");
    assert_eq!((s.seed, s.replicates), (1, 1));
    assert_eq!(s.stop.max_steps, 100);
    assert!(s.stop.at_fixed_point);
    assert_eq!(s.timing, TimingSpec::Synchronous);
    assert_eq!(s.output, OutputSpec::default());
    assert!(matches!(
        s.graph,
        GraphSource::Generator {
            per_replicate: false,
            ..
        }
    ));
    assert_eq!(s.population.len(), 1);
    assert_eq!(s.population[0].conformity, Dist::Value(0.5));
}

#[test]
fn overrides_apply_in_order_and_are_recorded() {
    let s = load_text(
        MINIMAL,
        &[
            "model.quality=0.7",
            "replicates=5",
            "timing.scheme=async_random",
            "population.0.conformity={ dist = 'uniform', low = 0.2, high = 0.4 }",
            "population.0.fixed=stand",
            "replicates=6",
        ],
    )
    .expect("valid");
    assert_eq!(s.model.quality(), 0.7);
    let two = load_text(
        MINIMAL,
        &["population.1={ name = 'fans', nodes = [0], fixed = 'stand' }"],
    )
    .expect("a second class appended");
    assert_eq!(two.population.len(), 2);
    assert_eq!(two.population[1].name, "fans");
    assert_eq!(s.replicates, 6);
    assert_eq!(s.timing, TimingSpec::AsyncRandom);
    assert_eq!(s.population[0].fixed, Some(Action::Stand));
    assert_eq!(s.overrides.len(), 6);
    assert_eq!(s.resolved["replicates"].as_integer(), Some(6));
    assert_eq!(s.resolved["model"]["quality"].as_float(), Some(0.7));
}

#[test]
fn errors_point_at_line_and_column() {
    let text = MINIMAL.replace("[[population]]\n", "[[population]]\nconformity = 1.5\n");
    assert_eq!(
        errors(&text, &[]),
        ["x.toml:8:14: population[0].conformity: expected a number in [0, 1], found 1.5"]
    );
    let text = MINIMAL.replace("quality = 0.5", "qualty = 0.5");
    assert_eq!(
        errors(&text, &[]),
        [
            "x.toml:11:1: model.qualty: unknown key `qualty` in [model] (did you mean `quality`?); expected one of \
             `quality`, `tie`, `noise`"
        ]
    );
}

#[test]
fn every_error_in_a_file_is_reported() {
    let text = "seed = -1\nreplicates = 0\nsteps = 'many'\ncolour = 3\n\
        [graph]\ngenerator = 'theater'\nrows = 0\nseats = 4\n\
        [[population]]\nshare = 0.7\nconformity = { dist = 'normal', mean = 0.5, sd = 0.1 }\n\
        [[population]]\nname = 'b'\nshare = 0.5\nvisibility = 0\n\
        [model]\nrule = 'sop'\nquality = 0.5\nnoise = 2\n";
    assert_eq!(
        errors(text, &[]),
        [
            "x.toml:1:8: seed: expected a non-negative integer, found -1 (negative)",
            "x.toml:2:14: replicates: expected an integer >= 1, found 0",
            "x.toml:3:9: steps: expected a whole number of steps for the run length, found \"many\"; \
             a duration needs a [time] table saying what a step is (e.g. `[time]` with \
             `step = \"5min\"`)",
            "x.toml:4:1: colour: unknown key `colour` at the top level; expected one of `name`, \
             `description`, `seed`, `replicates`, `steps`, `stop_at_fixed_point`, `time`, `graph`, \
             `population`, `model`, `timing`, `seeding`, `brand`, `webcare`, `strategies`, `compare`, `sweep`, `output`, `fit`",
            "x.toml:7:8: graph.rows: expected at least 1, found 0 (theater generator)",
            "x.toml:10:9: population[0].share: expected the shares of the classes without \
             `nodes` to sum to 1, found 0.7 + 0.5 = 1.2",
            "x.toml:11:14: population[0].conformity: expected values in [0, 1], found \
             normal(mean = 0.5, sd = 0.1), which is unbounded; use truncated_normal (with low \
             and high) or beta",
            "x.toml:15:14: population[1].visibility: expected a number greater than 0, found 0",
            "x.toml:19:9: model.noise: expected a probability in [0, 1], found 2",
        ]
    );
}

#[test]
fn override_errors_name_the_override() {
    assert_eq!(
        errors(
            MINIMAL,
            &["model.qualty=3", "population.0.conformity=1.5", "seed.x=1"]
        ),
        [
            "x.toml: --set seed.x=1: `seed` is an integer, not a table; cannot set a key inside it",
            "x.toml: --set model.qualty=3: unknown key `qualty` in [model] (did you mean `quality`?); expected one of \
             `quality`, `tie`, `noise`",
            "x.toml: --set population.0.conformity=1.5: expected a number in [0, 1], found 1.5",
        ]
    );
    // A key of the file that only an override made wrong says which override: the rule switch
    // makes `quality` unknown, not `--set replicates=5`.
    let e = errors(MINIMAL, &["model.rule=threshold", "replicates=5"]);
    assert!(!e.is_empty());
    assert!(
        e.iter()
            .any(|l| l.ends_with("(because of `model.rule=threshold`)")),
        "{e:?}"
    );
    for line in &e {
        let blamed = line.contains("--set model.rule=threshold: ")
            || line.ends_with("(because of `model.rule=threshold`)");
        assert!(blamed && !line.contains("replicates"), "{e:?}");
    }
    // An override that creates a root key names itself too.
    assert_eq!(
        errors(MINIMAL, &["sead=3"]),
        [
            "x.toml: --set sead=3: unknown key `sead` at the top level (did you mean `seed`?); \
             expected one of `name`, \
             `description`, `seed`, `replicates`, `steps`, `stop_at_fixed_point`, `time`, `graph`, \
             `population`, `model`, `timing`, `seeding`, `brand`, `webcare`, `strategies`, `compare`, `sweep`, `output`, `fit`"
        ]
    );
}

#[test]
fn graph_sources_are_checked() {
    let both = MINIMAL.replace("rows = 3", "rows = 3\nfile = 'x.txt'");
    assert_eq!(
        errors(&both, &[]),
        [
            "x.toml:2:1: graph: expected either `generator` or `file`, found both; a graph is \
          generated or loaded, not both"
        ]
    );
    let missing = MINIMAL.replace(
        "generator = \"theater\"\nrows = 3\nseats = 4",
        "file = 'nowhere.txt'\nfollows = 'mutual'",
    );
    let e = errors(&missing, &[]);
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(
        e[0].starts_with("x.toml:3:8: graph.file: graph file "),
        "{e:?}"
    );
    assert!(
        e[0].contains("scenarios/nowhere.txt does not exist"),
        "{e:?}"
    );
    let unknown = MINIMAL.replace("\"theater\"", "\"lattice\"");
    assert_eq!(
        errors(&unknown, &[]),
        [
            "x.toml:3:13: graph.generator: unknown generator `lattice`; expected one of `theater`, \
          `erdos_renyi`, `barabasi_albert`, `watts_strogatz`, `stochastic_block`, \
          `powerlaw_configuration`, `degree_sequence`, `complete`"
        ]
    );
    let no_follows = MINIMAL.replace(
        "generator = \"theater\"\nrows = 3\nseats = 4",
        "file = '../data/karate.txt.gz'\nfollow = 'mutual'",
    );
    assert_eq!(
        errors(&no_follows, &[]),
        [
            "x.toml:2:1: graph: missing key `follows`; say which column follows which: \
             \"second-follows-first\" (SNAP's FromNodeId ToNodeId), \"first-follows-second\" \
             (follower followee) or \"mutual\" (undirected)",
            "x.toml:4:1: graph.follow: unknown key `follow` in [graph] (an edge list file); \
             expected one of `file`, `follows`, `ids`, `header`, `weighted`, `keep_self_loops`, \
             `keep_duplicates`, `cache`",
        ]
    );
}

#[test]
fn node_lists_and_latencies_are_checked() {
    let text = MINIMAL.replace(
        "[[population]]\n",
        "[[population]]\nname = 'plants'\nnodes = [1, 2, 2, 40]\n\
         [[population]]\nname = 'more'\nnodes = [1]\n[[population]]\n",
    ) + "[timing]\nscheme = 'delayed'\nlatency = { kind = 'edge_weights' }\n";
    assert_eq!(
        errors(&text, &[]),
        [
            "x.toml:9:16: population[0].nodes[2]: agent 2 is listed twice",
            "x.toml:9:19: population[0].nodes[3]: expected an agent id below 12 (the graph has 12 \
             agents, ids 0 to 11), found 40",
            "x.toml:12:10: population[1].nodes[0]: agent 1 is also listed in population[0].nodes",
            "x.toml:20:20: timing.latency.kind: latency `edge_weights` needs a weighted edge list \
             (`file = ...` with `weighted = true` in [graph]), found generator `theater`",
        ]
    );
    let s = load_text(
        MINIMAL,
        &[
            "timing.scheme=delayed",
            "timing.latency={ kind = 'viewer_row', per_row = 0.5 }",
        ],
    )
    .expect("valid");
    assert!(matches!(
        s.timing,
        TimingSpec::Delayed {
            latency: LatencySpec::ViewerRow { .. }
        }
    ));
}

#[test]
fn unit_schemes_take_no_other_keys() {
    let text = MINIMAL.to_string() + "[timing]\nscheme = 'synchronous'\nlatency = 3\n";
    assert_eq!(
        errors(&text, &[]),
        [
            "x.toml:14:1: timing.latency: unknown key `latency` in [timing]; `scheme = \
          \"synchronous\"` takes no other keys"
        ]
    );
}

#[test]
fn syntax_errors_have_positions() {
    assert_eq!(
        errors("seed = 1\nname = \"open\n", &[]),
        ["x.toml:2:13: TOML syntax: invalid basic string, expected `\"`"]
    );
    assert_eq!(
        errors("seed = 1\nseed = 2\n", &[]),
        [
            "x.toml:2:1: TOML syntax: duplicate key `seed`: a key may appear only once in a \
             table (remove one of the two)"
        ]
    );
}

#[test]
fn duplicate_keys_and_tables_are_named() {
    let dup = |text: &str| errors(text, &[]).join("\n");
    let e = dup("[graph]\nn = 1\n\"n\" = 2\n");
    assert!(
        e.starts_with("x.toml:3:1: TOML syntax: duplicate key `\"n\"`"),
        "{e}"
    );
    let e = dup("a.b = 1\na.b = 2\n");
    assert!(
        e.starts_with("x.toml:2:3: TOML syntax: duplicate key `b`"),
        "{e}"
    );
    let e = dup("x = { a = 1, a = 2 }\n");
    assert!(
        e.starts_with("x.toml:1:14: TOML syntax: duplicate key `a`"),
        "{e}"
    );
    let e = dup("[graph]\nn = 1\n[graph] # again\nm = 2\n");
    assert!(
        e.starts_with("x.toml:3:2: TOML syntax: duplicate table `[graph]`: `graph` was already"),
        "{e}"
    );
    let e = dup("[a]\nb.c = 1\n[a.b]\nd = 1\n");
    assert!(
        e.starts_with("x.toml:3:4: TOML syntax: duplicate table `[a.b]`: `b`"),
        "{e}"
    );
}

#[test]
fn node_ids_of_file_graphs_are_checked_after_loading() {
    let text = MINIMAL.replace(
        "[[population]]\n",
        "[[population]]\nnodes = [3, 50]\n[[population]]\nname = 'rest'\n",
    );
    let s = load_text(&text, &["graph.rows=30"]).expect("valid: 120 seats");
    assert!(s.check_node_ids(60).is_ok());
    let e = s.check_node_ids(20).expect_err("50 is out of range");
    assert_eq!(
        e.to_string(),
        "x.toml: population[0].nodes[1]: expected an agent id below 20 (the graph has 20 agents, \
         ids 0 to 19), found 50"
    );
}

#[test]
fn bad_file_bytes_are_errors_not_panics() {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path().join("bad.toml");
    std::fs::write(&p, b"seed = 1\n\xff\xfe").expect("write");
    let e = load(&p, &[]).expect_err("not UTF-8");
    assert!(e.to_string().contains("expected UTF-8 text"), "{e}");
    let e = load(Path::new("/nonexistent/x.toml"), &[]).expect_err("missing");
    assert!(
        e.to_string()
            .starts_with("/nonexistent/x.toml: cannot read the scenario file"),
        "{e}"
    );
}

/// Inputs that once looked dangerous (deep nesting, control characters in keys, NaN and
/// infinities, huge numbers, odd overrides): errors, one line each, and no panic.
#[test]
fn odd_input_gives_one_line_errors() {
    let deep = format!("seed = {}{}", "[".repeat(5000), "]".repeat(5000));
    let dotted = format!("{} = 1", vec!["a"; 5000].join("."));
    let cases: Vec<(String, Vec<String>)> = vec![
        (deep, vec![]),
        (dotted, vec![]),
        ("\"a\\nb\" = 1\nseed = 1".into(), vec![]),
        (
            MINIMAL.replace("quality = 0.5", "quality = nan\nnoise = inf"),
            vec![],
        ),
        (MINIMAL.replace("rows = 3", "rows = 99999999999"), vec![]),
        (
            MINIMAL.to_string(),
            vec![
                "population.0.nodes=[4294967295]".into(),
                "population.0.share=-inf".into(),
                "graph=3".into(),
                "x\ny=1".into(),
                format!("{}=1", ["b"; 16].join(".")),
            ],
        ),
        ("\u{feff}seed = 1".into(), vec![]),
        (String::new(), vec![]),
    ];
    for (text, overrides) in &cases {
        let o: Vec<&str> = overrides.iter().map(String::as_str).collect();
        let e = load_text(text, &o).expect_err("invalid");
        assert!(!e.0.is_empty());
        for line in e.0.iter().map(|e| e.to_string()) {
            assert!(!line.contains('\n'), "{line:?}");
            assert!(line.starts_with("x.toml"), "{line:?}");
        }
    }
}

#[test]
fn time_table_converts_durations_once() {
    let text =
        format!("{MINIMAL}steps = \"2h\"\n[time]\nstep = \"5min\"\n[brand]\ndelay = \"20min\"\n");
    // `steps` must come before the tables; rebuild the text with it at the top.
    let text = format!("steps = \"2h\"\n{}", text.replace("steps = \"2h\"\n", ""));
    let s = load_text(&text, &[]).expect("loads");
    assert_eq!(s.stop.max_steps, 24);
    assert_eq!(s.time.map(|t| t.step.minutes()), Some(5.0));
    let brand = s.brand.expect("a brand");
    assert_eq!(brand.delay, crate::model::delay::Delay::Steps(4));
    // Overrides take durations too.
    let s = load_text(&text, &["brand.delay=\"1h\""]).expect("loads");
    assert_eq!(
        s.brand.expect("brand").delay,
        crate::model::delay::Delay::Steps(12)
    );
}

#[test]
fn time_errors_name_file_line_and_key() {
    let text = format!("{MINIMAL}[time]\nstep = \"5 parsecs\"\n");
    assert_eq!(
        errors(&text, &[]),
        [
            "x.toml:13:8: time.step: expected a duration such as \"30s\", \"20min\", \"2h\", \
          \"3d\", \"1w\", \"1month\" or \"1year\", found \"5 parsecs\" (unknown unit \
          `parsecs`; units: s, min, h, d, w, month, year)"
        ]
    );
    let text = format!("{MINIMAL}[brand]\ndelay = \"20min\"\n");
    let e = errors(&text, &[]);
    assert_eq!(e.len(), 1);
    assert!(
        e[0].starts_with(
            "x.toml:13:9: brand.delay: expected a whole number of steps for the \
                          delay, found \"20min\"; a duration needs a [time] table"
        ),
        "{}",
        e[0]
    );
    let text = format!("{MINIMAL}[time]\nstep = \"5min\"\n[brand]\ndelay = \"soon\"\n");
    let e = errors(&text, &[]);
    assert!(
        e[0].starts_with("x.toml:15:9: brand.delay: delay: expected a duration"),
        "{e:?}"
    );
}

#[test]
fn empirical_delays_load_the_twcs_table() {
    let text = format!(
        "{MINIMAL}[time]\nstep = \"1min\"\n[brand]\ndelay = {{ empirical = \
         \"../../shared/data/diffusion/twcs_reply_delay_hist.txt.gz\", brand = \"comcastcares\" }}\n"
    );
    let s = load_text(&text, &[]).expect("loads");
    let crate::model::delay::Delay::Empirical(h) = s.brand.expect("brand").delay else {
        panic!("expected an empirical delay");
    };
    // comcastcares: 1,048 first replies (data README), 78.6 min median from raw delays; the
    // binned median lies in the (60, 120] minute bin.
    assert_eq!(h.bins.iter().map(|b| b[2]).sum::<f64>(), 1048.0);
    assert!((60.0..=120.0).contains(&h.median()), "{}", h.median());
    let bad = text.replace("comcastcares", "nobody");
    let e = errors(&bad, &[]);
    assert!(
        e[0].starts_with("x.toml:15:23: brand.delay.empirical: no rows labelled `nobody`"),
        "{e:?}"
    );
}
