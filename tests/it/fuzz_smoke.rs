//! Stable-toolchain random testing of the two fuzz targets' properties (the cargo-fuzz targets
//! in `fuzz/` need nightly and libFuzzer): the `.ovg` cache reader on damaged caches, and tiny
//! scenarios end to end (graph + rule + timing + seeding + brand) with a step budget.
//!
//! Inputs come from a seeded generator, so a failure names the iteration that reproduces it.
//! By default the tests run 60 caches (each written with an fsync) and 300 scenarios; set
//! `OVATION_FUZZ_SECONDS=600` to run for ten minutes instead, printing the executions done.
//! This is random generation, not coverage-guided fuzzing.

use std::path::Path;
use std::time::{Duration, Instant};

use ovation::graph::io::{read_cache_stamped, write_cache, write_cache_stamped};
use ovation::graph::{BuildOptions, FollowerGraph};

/// A seeded byte source (SplitMix64).
struct Bytes(u64);

impl Bytes {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
        from[self.below(from.len() as u64) as usize]
    }

    fn num(&mut self) -> String {
        match self.below(12) {
            0 => "0".into(),
            1 => "1".into(),
            2 => "-1".into(),
            3 => "nan".into(),
            4 => "inf".into(),
            5 => "1e300".into(),
            6 => "4294967296".into(),
            7 => "0.5".into(),
            8 => (2 + self.below(8)).to_string(),
            _ => format!("{:?}", self.below(1001) as f64 / 1000.0),
        }
    }
}

/// How long, or how many inputs: `OVATION_FUZZ_SECONDS`, else `default_runs` inputs.
fn budget(default_runs: u64) -> (Option<Duration>, u64) {
    match std::env::var("OVATION_FUZZ_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
    {
        Some(s) => (Some(Duration::from_secs(s)), u64::MAX),
        None => (None, default_runs),
    }
}

fn run_for(name: &str, default_runs: u64, mut one: impl FnMut(u64)) {
    let (time, runs) = budget(default_runs);
    let start = Instant::now();
    let mut done = 0u64;
    while done < runs && time.is_none_or(|t| start.elapsed() < t) {
        one(done);
        done += 1;
    }
    if time.is_some() {
        eprintln!(
            "{name}: {done} executions in {:.0} s",
            start.elapsed().as_secs_f64()
        );
    }
}

/// A cache of a small random graph, then random byte writes, the checksum recomputed half the
/// time: the reader must refuse with one line naming the file, or return a graph whose two
/// directions hold the same edges and which writes back to the same bytes.
#[test]
fn damaged_caches_never_panic_and_never_load_inconsistent() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("f.ovg");
    let again = dir.path().join("g.ovg");
    run_for("cache_reader", 60, |i| {
        let mut b = Bytes(i);
        let n = 1 + b.below(12) as u32;
        let edges: Vec<(u32, u32)> = (0..b.below(24))
            .map(|_| (b.below(u64::from(n)) as u32, b.below(u64::from(n)) as u32))
            .collect();
        let weights = (b.below(2) == 1).then(|| (0..edges.len()).map(|k| k as f32).collect());
        let g = FollowerGraph::from_edges(n, edges, weights, BuildOptions::default());
        write_cache(&g, &path).expect("write");
        let mut bytes = std::fs::read(&path).expect("read");
        for _ in 0..1 + b.below(4) {
            let at = b.below(bytes.len() as u64) as usize;
            bytes[at] = b.next() as u8;
        }
        if b.below(4) == 0 {
            bytes.truncate(b.below(bytes.len() as u64) as usize);
        }
        if b.below(2) == 0 && bytes.len() >= 4 {
            let body = bytes.len() - 4;
            let crc = crc32fast::hash(&bytes[..body]);
            bytes[body..].copy_from_slice(&crc.to_le_bytes());
        }
        std::fs::write(&path, &bytes).expect("write");
        match read_cache_stamped(&path) {
            Err(e) => {
                let msg = e.to_string();
                assert!(
                    msg.starts_with(&path.display().to_string()),
                    "input {i}: {msg}"
                );
                assert!(!msg.contains('\n'), "input {i}: {msg:?}");
            }
            Ok((g, stamp)) => {
                let mut forward = Vec::new();
                let mut backward = Vec::new();
                for u in 0..g.node_count() {
                    forward.extend(g.followers(u).iter().map(|&v| (u, v)));
                    backward.extend(g.sources(u).iter().map(|&s| (s, u)));
                }
                forward.sort_unstable();
                backward.sort_unstable();
                assert_eq!(forward, backward, "input {i}: the directions differ");
                write_cache_stamped(&g, &again, stamp.as_ref()).expect("rewrite");
                assert_eq!(std::fs::read(&again).expect("read"), bytes, "input {i}");
            }
        }
    });
}

/// A tiny random scenario: refused with one line naming the file, or run (every replicate,
/// at most 40 steps) without a panic.
fn tiny_scenario(b: &mut Bytes) -> String {
    let mut t = format!(
        "seed = {}\nreplicates = {}\nsteps = {}\n[graph]\n",
        b.below(10),
        1 + b.below(2),
        1 + b.below(40)
    );
    t.push_str(&match b.below(5) {
        0 => format!(
            "generator = \"theater\"\nrows = {}\nseats = {}\ncone = {}\n",
            1 + b.below(6),
            1 + b.below(6),
            b.below(4)
        ),
        1 => format!(
            "generator = \"erdos_renyi\"\nn = {}\np = {}\n",
            1 + b.below(40),
            b.num()
        ),
        2 => format!(
            "generator = \"barabasi_albert\"\nn = {}\nm = {}\n",
            1 + b.below(40),
            b.below(6)
        ),
        3 => format!(
            "generator = \"watts_strogatz\"\nn = {}\nk = {}\nbeta = {}\n",
            1 + b.below(40),
            b.below(7),
            b.num()
        ),
        _ => format!(
            "generator = \"complete\"\nn = {}\nper_replicate = {}\n",
            1 + b.below(12),
            b.below(2) == 1
        ),
    });
    t.push_str(&format!(
        "[[population]]\nnoise = {{ dist = \"uniform\", low = {}, high = {} }}\nconformity = {}\n",
        b.num(),
        b.num(),
        b.num()
    ));
    let rule = b.pick(&[
        "sop",
        "threshold",
        "independent_cascade",
        "linear_threshold",
        "voter",
        "majority",
        "sir",
        "bass",
        "deffuant",
    ]);
    t.push_str(&format!("[model]\nrule = \"{rule}\"\n"));
    for key in [
        "quality",
        "probability",
        "threshold",
        "beta",
        "gamma",
        "p",
        "q",
        "epsilon",
        "mu",
    ] {
        if b.below(3) == 0 {
            t.push_str(&format!("{key} = {}\n", b.num()));
        }
    }
    if b.below(2) == 0 {
        let scheme = b.pick(&["synchronous", "async_random", "async_incentive", "delayed"]);
        t.push_str(&format!("[timing]\nscheme = \"{scheme}\"\n"));
        if scheme == "delayed" {
            let latency = match b.below(4) {
                0 => format!("{{ kind = \"constant\", steps = {} }}", b.below(50)),
                1 => format!("{{ kind = \"viewer_row\", per_row = {} }}", b.num()),
                2 => "{ kind = \"row_distance\" }".to_string(),
                _ => format!(
                    "{{ kind = \"agent\", dist = {{ dist = \"uniform\", low = {}, high = {} }} }}",
                    b.num(),
                    b.num()
                ),
            };
            t.push_str(&format!("latency = {latency}\n"));
        }
    }
    if b.below(3) == 0 {
        let method = b.pick(&[
            "top_followers",
            "random",
            "pagerank",
            "degree_discount",
            "celf",
        ]);
        t.push_str(&format!(
            "[seeding]\nmethod = \"{method}\"\nk = {}\n",
            b.below(50)
        ));
    }
    if b.below(4) == 0 {
        t.push_str(&format!(
            "[brand]\nlistening = {}\ncapacity = {}\n",
            b.num(),
            b.below(6)
        ));
    }
    t
}

#[test]
fn tiny_scenarios_run_end_to_end_or_are_refused_on_one_line() {
    let base = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    run_for("tiny_scenarios", 300, |i| {
        let text = tiny_scenario(&mut Bytes(i ^ 0x5eed));
        match ovation::scenario::load_str("tiny.toml", &text, &base, &[]) {
            Err(errors) => {
                for e in &errors.0 {
                    let line = e.to_string();
                    assert!(line.starts_with("tiny.toml"), "input {i}: {line:?}\n{text}");
                    assert!(!line.contains('\n'), "input {i}: {line:?}\n{text}");
                }
            }
            Ok(s) => {
                let graph = if ovation::runner::graph_per_replicate(&s) {
                    None
                } else {
                    match ovation::runner::load_graph(&s, None) {
                        Ok(g) => Some(g),
                        Err(_) => return,
                    }
                };
                for r in 0..s.replicates {
                    // An error is a refusal (e.g. a rule's graph check); a panic fails.
                    let _ = ovation::runner::run_one(&s, graph.as_ref(), r);
                }
            }
        }
    });
}

/// The inputs on which the cargo-fuzz targets in `fuzz/` once failed, kept under
/// `tests/data/fuzz/<target>/` and replayed with the target's own property. For
/// `parse_edge_list`: the first byte picks the import options as the target does, and the
/// result (graph or error message) must not depend on how the input is cut into blocks.
#[test]
fn inputs_the_fuzzers_found_stay_fixed() {
    use ovation::graph::io::{
        Direction, IdKind, ImportOptions, parse_edge_list_bytes, parse_edge_list_bytes_with_sizes,
    };
    let dir = crate::support::root().join("tests/data/fuzz/parse_edge_list");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("tests/data/fuzz/parse_edge_list")
        .map(|e| e.expect("readable").path())
        .collect();
    files.sort();
    assert!(!files.is_empty());
    for file in files {
        let data = std::fs::read(&file).expect("readable");
        let Some((&selector, text)) = data.split_first() else {
            continue;
        };
        let opts = ImportOptions {
            direction: match selector % 3 {
                0 => Direction::SecondFollowsFirst,
                1 => Direction::FirstFollowsSecond,
                _ => Direction::Mutual,
            },
            ids: match (selector / 3) % 3 {
                0 => IdKind::Auto,
                1 => IdKind::Integer,
                _ => IdKind::String,
            },
            header: selector & 0x20 != 0,
            weighted: selector & 0x40 != 0,
            keep_self_loops: selector & 0x80 != 0,
            keep_duplicates: selector & 0x80 != 0,
        };
        let show = |r: Result<_, ovation::graph::io::GraphIoError>| match r {
            Ok(g) => format!("{g:?}"),
            Err(e) => e.to_string(),
        };
        let whole = show(parse_edge_list_bytes("fuzz.txt", text, &opts));
        for block in 1..=text.len() + 1 {
            let cut =
                parse_edge_list_bytes_with_sizes("fuzz.txt", text, &opts, block, 1 + block / 3);
            assert_eq!(
                whole,
                show(cut),
                "{}: block of {block} bytes",
                file.display()
            );
        }
    }
}
