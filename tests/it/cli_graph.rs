//! `ovation graph` end to end: gen, import (each `--follows`), stats, export, refusal to
//! overwrite, and bad input that must fail with one line naming the file, never a panic.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

/// What one run of the binary did.
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

/// Runs `ovation` with `args` in `dir`.
fn ovation(dir: &Path, args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_ovation"))
        .current_dir(dir)
        .args(args)
        .output()
        .expect("the binary runs");
    Run {
        code: out.status.code().expect("exited, not killed by a signal"),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Runs `ovation` and asserts it succeeded.
fn ok(dir: &Path, args: &[&str]) -> Run {
    let r = ovation(dir, args);
    assert_eq!(r.code, 0, "ovation {args:?} failed: {}", r.stderr);
    r
}

/// Runs `ovation` and asserts it failed cleanly: status 1 (not clap's 2, not a panic's 101),
/// one line on standard error starting `ovation:`, containing every string of `expect`.
fn fails(dir: &Path, args: &[&str], expect: &[&str]) -> String {
    let r = ovation(dir, args);
    assert_eq!(
        r.code, 1,
        "ovation {args:?}: status {}: {}",
        r.code, r.stderr
    );
    let err = r.stderr.trim_end();
    assert!(!err.contains("panicked"), "{err}");
    let last = err.lines().last().unwrap_or_default();
    assert!(last.starts_with("ovation: "), "{err}");
    // Notices (lines starting `ovation: note:`) may come before the one error line.
    let errors: Vec<&str> = err
        .lines()
        .filter(|l| !l.starts_with("ovation: note:"))
        .collect();
    assert_eq!(errors.len(), 1, "expected one error line, found {err:?}");
    for e in expect {
        assert!(last.contains(e), "{last:?} should contain {e:?}");
    }
    last.to_string()
}

/// `graph stats FILE --json` with extra arguments, parsed.
fn stats_json(dir: &Path, file: &str, extra: &[&str]) -> Value {
    let mut args = vec!["graph", "stats", file, "--json"];
    args.extend_from_slice(extra);
    let r = ok(dir, &args);
    serde_json::from_str(&r.stdout).expect("stats --json prints JSON")
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).expect("write a test file");
    p
}

/// The edges of a graph file as pairs of original labels.
fn labelled_edges(path: &Path) -> (u32, BTreeSet<(String, String)>) {
    let g = ovation::graph::io::read_cache(path).expect("a cache");
    let edges = g.edges().map(|(u, v)| (g.label(u), g.label(v))).collect();
    (g.node_count(), edges)
}

/// Edge count of a Miller-Page theater by brute force: an agent at (row, seat) sees the seats
/// beside it and, c rows ahead (c = 1..=cone), the 2c + 1 seats centred on its own.
fn theater_edges(rows: i64, seats: i64, cone: i64) -> (u64, Vec<u64>) {
    let mut edges = 0;
    let mut followers = vec![0u64; (rows * seats) as usize];
    for r in 0..rows {
        for s in 0..seats {
            let mut seen = vec![(r, s - 1), (r, s + 1)];
            for c in 1..=cone {
                for d in -c..=c {
                    seen.push((r - c, s + d));
                }
            }
            for (rr, ss) in seen {
                if (0..rows).contains(&rr) && (0..seats).contains(&ss) {
                    edges += 1;
                    followers[(rr * seats + ss) as usize] += 1;
                }
            }
        }
    }
    (edges, followers)
}

#[test]
fn gen_theater_then_stats_counts_match_a_brute_force_count() {
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    for (rows, seats, cone) in [(3, 4, 1), (5, 7, 2), (1, 5, 1)] {
        let file = format!("t{rows}x{seats}c{cone}.ovg");
        let (r, s, c) = (rows.to_string(), seats.to_string(), cone.to_string());
        let run = ok(
            d,
            &[
                "graph", "gen", "theater", "--rows", &r, "--seats", &s, "--cone", &c, "-o", &file,
            ],
        );
        assert!(run.stdout.contains(&file), "{}", run.stdout);
        let (edges, followers) = theater_edges(rows, seats, cone);
        let st = stats_json(d, &file, &[]);
        assert_eq!(st["nodes"], rows * seats);
        assert_eq!(st["edges"], edges);
        assert_eq!(st["self_loops_dropped"], 0);
        // The top account is in the front row: most followers, ties by smaller id.
        let most = *followers.iter().max().expect("nodes");
        let first = followers.iter().position(|&f| f == most).expect("max");
        let top = &st["top_by_followers"][0];
        assert_eq!(top["followers"], most);
        assert_eq!(top["id"], first);
        assert!((first as i64) < seats, "front row");
        // Side neighbours see each other, nobody sees backwards: one strong component per row.
        assert_eq!(st["scc"]["count"], rows);
        assert_eq!(st["scc"]["largest"], seats);
        assert_eq!(st["wcc"]["count"], 1);
        assert_eq!(st["memory"]["bytes_per_edge"], 8.0);
    }
}

#[test]
fn the_table_names_directions_in_words() {
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    ok(
        d,
        &[
            "graph", "gen", "theater", "--rows", "4", "--seats", "5", "-o", "t.ovg",
        ],
    );
    let table = ok(d, &["graph", "stats", "t.ovg"]).stdout;
    for words in [
        "followers (out-degree)",
        "following (in-degree)",
        "top accounts by followers",
        "strongly connected components",
        "bytes per edge",
    ] {
        assert!(table.contains(words), "{words:?} missing from\n{table}");
    }
}

/// One small edge list, read with each `--follows`: `(option, edges, top account, its
/// followers, reciprocity)`.
#[test]
fn import_names_the_top_account_by_followers_for_each_direction() {
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    // Lines `a b`. ann appears first in column 1 three times; cat is in column 2 twice.
    write(
        d,
        "follows.txt",
        "# who and whom\nann bob\nann cat\nann dan\nbob cat\n",
    );
    let cases = [
        // b follows a: ann is followed by bob, cat and dan.
        ("second-follows-first", 4, "ann", 3, 0, 0.0),
        // a follows b: cat is followed by ann and bob, and follows nobody.
        ("first-follows-second", 4, "cat", 2, 0, 0.0),
        // both: ann has three mutual ties.
        ("mutual", 8, "ann", 3, 3, 1.0),
    ];
    for (follows, edges, top, followers, following, reciprocity) in cases {
        let out = format!("{follows}.ovg");
        let run = ok(
            d,
            &[
                "graph",
                "import",
                "follows.txt",
                "--follows",
                follows,
                "-o",
                &out,
            ],
        );
        assert!(!run.stderr.contains("assuming"), "{}", run.stderr);
        assert!(
            run.stdout.contains(&format!("{edges} edges")),
            "{}",
            run.stdout
        );
        let st = stats_json(d, &out, &[]);
        assert_eq!(st["nodes"], 4, "{follows}");
        assert_eq!(st["edges"], edges, "{follows}");
        assert_eq!(st["reciprocity"], reciprocity, "{follows}");
        let t = &st["top_by_followers"][0];
        assert_eq!(t["label"], top, "{follows}");
        assert_eq!(t["followers"], followers, "{follows}");
        assert_eq!(t["following"], following, "{follows}");
        // The same answer straight from the edge list (recognised as not a cache).
        let direct = stats_json(d, "follows.txt", &["--follows", follows]);
        assert_eq!(direct["top_by_followers"][0]["label"], top, "{follows}");
        assert_eq!(direct["edges"], edges, "{follows}");
    }
}

#[test]
fn import_without_follows_says_which_direction_it_assumed() {
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    write(d, "e.txt", "10 20\n10 30\n30 30\n10 20\n");
    let run = ok(d, &["graph", "import", "e.txt", "-o", "e.ovg"]);
    let notice: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(notice.len(), 1, "{}", run.stderr);
    assert!(notice[0].contains("second-follows-first"), "{}", notice[0]);
    assert!(notice[0].contains("--follows"), "{}", notice[0]);
    // Dropped edges are counted in the report and in stats.
    assert!(run.stdout.contains("1 self-loops"), "{}", run.stdout);
    assert!(run.stdout.contains("1 duplicate"), "{}", run.stdout);
    let st = stats_json(d, "e.ovg", &[]);
    assert_eq!(st["edges"], 2);
    assert_eq!(st["self_loops_dropped"], 1);
    assert_eq!(st["duplicates_dropped"], 1);
    assert_eq!(st["top_by_followers"][0]["label"], "10");
}

#[test]
fn import_writes_the_id_map_on_request() {
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    write(d, "e.txt", "x y\ny z\n");
    ok(
        d,
        &[
            "graph",
            "import",
            "e.txt",
            "--follows",
            "second-follows-first",
            "--ids",
            "string",
            "--id-map",
            "ids.tsv",
            "-o",
            "e.ovg",
        ],
    );
    let map = std::fs::read_to_string(d.join("ids.tsv")).expect("id map written");
    for label in ["x", "y", "z"] {
        assert!(map.contains(label), "{map}");
    }
}

#[test]
fn only_graph_caches_are_replaced_without_force() {
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    // A cache is a derived file: writing a cache over a cache replaces it.
    ok(
        d,
        &[
            "graph", "gen", "theater", "--rows", "2", "--seats", "3", "-o", "t.ovg",
        ],
    );
    ok(
        d,
        &[
            "graph", "gen", "theater", "--rows", "3", "--seats", "3", "-o", "t.ovg",
        ],
    );
    assert_eq!(stats_json(d, "t.ovg", &[])["nodes"], 9);
    // Anything else (the user's own edge list, an export) is never replaced without --force.
    write(d, "e.txt", "1 2\n");
    let before = std::fs::read(d.join("e.txt")).expect("written");
    fails(
        d,
        &["graph", "import", "t.ovg", "-o", "e.txt"],
        &[
            "e.txt",
            "already exists",
            "not an ovation graph cache",
            "--force",
        ],
    );
    assert_eq!(std::fs::read(d.join("e.txt")).expect("still there"), before);
    write(d, "out.dot", "keep me");
    fails(
        d,
        &[
            "graph", "export", "t.ovg", "--format", "dot", "-o", "out.dot",
        ],
        &["out.dot", "already exists"],
    );
    assert_eq!(
        std::fs::read_to_string(d.join("out.dot")).expect("still there"),
        "keep me"
    );
    // --force replaces only a graph file ovation wrote, never the user's own (issue 10).
    fails(
        d,
        &[
            "graph", "export", "t.ovg", "--format", "dot", "-o", "out.dot", "--force",
        ],
        &["out.dot", "not a graph file ovation wrote"],
    );
    assert_eq!(
        std::fs::read_to_string(d.join("out.dot")).expect("still there"),
        "keep me"
    );
    ok(
        d,
        &[
            "graph", "export", "t.ovg", "--format", "dot", "-o", "new.dot",
        ],
    );
    ok(
        d,
        &[
            "graph", "export", "t.ovg", "--format", "graphml", "-o", "new.dot", "--force",
        ],
    );
    assert!(
        std::fs::read_to_string(d.join("new.dot"))
            .expect("replaced")
            .contains("graphml")
    );
}

#[test]
fn bad_input_fails_with_one_line_naming_the_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    write(d, "broken.txt", "# c\n1 2\n3 x7\n4 5\n");
    let msg = fails(
        d,
        &["graph", "import", "broken.txt", "-o", "b.ovg"],
        &["broken.txt", "line 3", "x7"],
    );
    assert!(!d.join("b.ovg").exists(), "{msg}");
    fails(
        d,
        &[
            "graph",
            "import",
            "missing.txt",
            "--follows",
            "mutual",
            "-o",
            "m.ovg",
        ],
        &["missing.txt"],
    );
    write(d, "empty.txt", "");
    fails(
        d,
        &[
            "graph",
            "import",
            "empty.txt",
            "--follows",
            "mutual",
            "-o",
            "m.ovg",
        ],
        &["empty.txt"],
    );
    write(d, "one-column.txt", "1\n");
    fails(
        d,
        &["graph", "stats", "one-column.txt", "--follows", "mutual"],
        &["one-column.txt", "line 1"],
    );
    std::fs::write(
        d.join("garbage.bin"),
        [0u8, 159, 146, 150, 255, 1, 2, 10, 7, 7],
    )
    .expect("write");
    fails(
        d,
        &["graph", "stats", "garbage.bin", "--follows", "mutual"],
        &["garbage.bin"],
    );
    // A truncated cache.
    ok(
        d,
        &[
            "graph", "gen", "theater", "--rows", "3", "--seats", "3", "-o", "t.ovg",
        ],
    );
    let bytes = std::fs::read(d.join("t.ovg")).expect("written");
    std::fs::write(d.join("cut.ovg"), &bytes[..bytes.len() / 2]).expect("write");
    fails(d, &["graph", "stats", "cut.ovg"], &["cut.ovg"]);
    fails(
        d,
        &["graph", "export", "cut.ovg", "--format", "graphml"],
        &["cut.ovg"],
    );
    // Generator parameters out of range.
    fails(
        d,
        &[
            "graph",
            "gen",
            "barabasi_albert",
            "--n",
            "5",
            "--m",
            "10",
            "-o",
            "ba.ovg",
        ],
        &["barabasi_albert", "m"],
    );
    assert!(!d.join("ba.ovg").exists());
    // A usage error is clap's status 2.
    assert_eq!(
        ovation(d, &["graph", "gen", "theater", "--rows", "2"]).code,
        2
    );
}

#[test]
fn exports_round_trip_through_the_edge_list() {
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    ok(
        d,
        &[
            "graph",
            "gen",
            "erdos_renyi",
            "--n",
            "40",
            "--m",
            "300",
            "--seed",
            "3",
            "-o",
            "er.ovg",
        ],
    );
    let dot = ok(d, &["graph", "export", "er.ovg", "--format", "dot"]).stdout;
    assert!(dot.contains("digraph"), "{dot}");
    let graphml = ok(d, &["graph", "export", "er.ovg", "--format", "graphml"]).stdout;
    assert!(graphml.contains("<graphml"), "{graphml}");
    assert!(graphml.contains("edgedefault=\"directed\""), "{graphml}");
    ok(
        d,
        &[
            "graph", "export", "er.ovg", "--format", "edgelist", "-o", "er.txt",
        ],
    );
    ok(
        d,
        &[
            "graph",
            "import",
            "er.txt",
            "--follows",
            "second-follows-first",
            "-o",
            "back.ovg",
        ],
    );
    let (n0, e0) = labelled_edges(&d.join("er.ovg"));
    let (n1, e1) = labelled_edges(&d.join("back.ovg"));
    assert_eq!(e0.len(), 300);
    assert_eq!(e1, e0);
    // Isolated nodes cannot appear in an edge list; G(40, 300) has none with this seed.
    assert_eq!(n1, n0);
}

#[test]
fn gen_writes_edge_lists_by_extension_gzipped_or_not() {
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    for file in ["c.txt", "c.edges.gz"] {
        ok(d, &["graph", "gen", "complete", "--n", "5", "-o", file]);
        let bytes = std::fs::read(d.join(file)).expect("written");
        assert_eq!(
            bytes.starts_with(&[0x1f, 0x8b]),
            file.ends_with(".gz"),
            "{file}"
        );
        let st = stats_json(d, file, &["--follows", "second-follows-first"]);
        assert_eq!(st["nodes"], 5, "{file}");
        assert_eq!(st["edges"], 20, "{file}");
        assert_eq!(st["reciprocity"], 1.0, "{file}");
    }
}

/// `graph stats` on SNAP's soc-Slashdot0902 against published figures: SNAP's page gives the
/// largest strongly connected component as 71,307 nodes and the largest weak one as all
/// 82,168; the data README counts 731,862 edges whose reverse is present (self-loops aside).
/// Runs whenever `../shared/data` exists (always in CI).
#[test]
fn slashdot_components_match_snap() {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data");
    let file = data.join("soc-Slashdot0902.txt.gz");
    if !file.exists() {
        eprintln!(
            "notice: {} not found, skipping the Slashdot check",
            file.display()
        );
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let path = file.to_str().expect("UTF-8 path");
    let st = stats_json(dir.path(), path, &["--follows", "first-follows-second"]);
    assert_eq!(st["nodes"], 82_168);
    assert_eq!(st["self_loops_dropped"], 78_303);
    assert_eq!(st["edges"], 948_464 - 78_303);
    assert_eq!(st["scc"]["largest"], 71_307);
    assert_eq!(st["wcc"]["count"], 1);
    assert_eq!(st["wcc"]["largest"], 82_168);
    let reciprocated = st["reciprocity"].as_f64().expect("number") * (948_464.0 - 78_303.0);
    assert!((reciprocated - 731_862.0).abs() < 0.5, "{reciprocated}");
}
