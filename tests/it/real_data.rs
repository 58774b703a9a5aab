//! Real social graphs import with the direction their README gives, and their node and edge
//! counts agree with the README's tables once self-loops (counted there) are removed.
//!
//! The small graphs shipped in `data/` are always checked; the whole set in `../shared/data`
//! is checked whenever that folder exists (always in CI), with a notice when it does not.

use std::path::Path;

use ovation::graph::io::{Direction, ImportOptions, import_edge_list, read_cache, write_cache};

/// One file of the data README: its direction and the counts it states.
struct Expected {
    file: &'static str,
    direction: Direction,
    nodes: u32,
    /// Lines in the file (the README's edge count).
    lines: u64,
    /// Self-loops among them (the README's structure table).
    self_loops: u64,
}

/// The README's tables. Mutual graphs hold two edges per line.
const GRAPHS: &[Expected] = &[
    Expected {
        file: "karate.txt.gz",
        direction: Direction::Mutual,
        nodes: 34,
        lines: 78,
        self_loops: 0,
    },
    Expected {
        file: "twitter-senators.txt.gz",
        direction: Direction::FirstFollowsSecond,
        nodes: 91,
        lines: 3_859,
        self_loops: 0,
    },
    Expected {
        file: "ego-twitter-12831.txt.gz",
        direction: Direction::FirstFollowsSecond,
        nodes: 236,
        lines: 2_478,
        self_loops: 1,
    },
    Expected {
        file: "email-Eu-core.txt.gz",
        direction: Direction::SecondFollowsFirst,
        nodes: 1_005,
        lines: 25_571,
        self_loops: 642,
    },
    Expected {
        file: "wiki-Vote.txt.gz",
        direction: Direction::FirstFollowsSecond,
        nodes: 7_115,
        lines: 103_689,
        self_loops: 0,
    },
    Expected {
        file: "soc-Slashdot0902.txt.gz",
        direction: Direction::FirstFollowsSecond,
        nodes: 82_168,
        lines: 948_464,
        self_loops: 78_303,
    },
];

/// Imports `dir/file` and checks its counts; returns whether the file was there.
fn check(dir: &Path, want: &Expected) -> bool {
    let path = dir.join(want.file);
    if !path.exists() {
        return false;
    }
    let opts = ImportOptions {
        direction: want.direction,
        ..ImportOptions::default()
    };
    let g = import_edge_list(&path, &opts, &|_| {}).unwrap_or_else(|e| panic!("{e}"));
    let per_line = if want.direction == Direction::Mutual {
        2
    } else {
        1
    };
    let report = g.report();
    assert_eq!(g.node_count(), want.nodes, "{}: nodes", want.file);
    assert_eq!(
        report.edges_in,
        per_line * want.lines,
        "{}: edges read",
        want.file
    );
    assert_eq!(
        report.self_loops_dropped,
        per_line * want.self_loops,
        "{}: self-loops",
        want.file
    );
    assert_eq!(report.duplicates_dropped, 0, "{}: duplicates", want.file);
    assert_eq!(
        g.edge_count(),
        per_line * (want.lines - want.self_loops),
        "{}: edges",
        want.file
    );
    // Both directions hold every edge.
    let sources: u64 = (0..g.node_count())
        .map(|v| u64::from(g.source_count(v)))
        .sum();
    assert_eq!(sources, g.edge_count(), "{}: sources", want.file);
    // The cache gives back the same graph.
    let tmp = tempfile::tempdir().expect("temp dir");
    let cache = tmp.path().join("g.ovg");
    write_cache(&g, &cache).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(read_cache(&cache).unwrap_or_else(|e| panic!("{e}")), g);
    true
}

#[test]
fn shipped_graphs_import_with_their_readme_counts() {
    let dir = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/data"));
    let shipped = GRAPHS.iter().filter(|want| check(dir, want)).count();
    assert_eq!(
        shipped, 4,
        "data/ ships karate, twitter-senators, ego-twitter and email-Eu-core"
    );
}

#[test]
fn shared_graphs_import_with_their_readme_counts() {
    let dir = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data"));
    if !dir.is_dir() {
        eprintln!(
            "notice: {} is absent; the shared real-data imports were not checked",
            dir.display()
        );
        return;
    }
    for want in GRAPHS {
        assert!(
            check(dir, want),
            "{} is missing from {}",
            want.file,
            dir.display()
        );
    }
}

#[test]
fn senators_follow_in_the_direction_the_readme_gives() {
    // "SenAlexander RoyBlunt": SenAlexander follows RoyBlunt, so RoyBlunt is a source of
    // SenAlexander and SenAlexander a follower of RoyBlunt.
    let path = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/data/twitter-senators.txt.gz"
    ));
    let opts = ImportOptions {
        direction: Direction::FirstFollowsSecond,
        ..ImportOptions::default()
    };
    let g = import_edge_list(path, &opts, &|_| {}).unwrap_or_else(|e| panic!("{e}"));
    let id = |name: &str| {
        (0..g.node_count())
            .find(|&i| g.label(i) == name)
            .unwrap_or_else(|| panic!("{name} is a node"))
    };
    let (alexander, blunt) = (id("SenAlexander"), id("RoyBlunt"));
    assert!(g.sources(alexander).contains(&blunt));
    assert!(g.followers(blunt).contains(&alexander));
    assert!(g.has_edge(blunt, alexander));
}
