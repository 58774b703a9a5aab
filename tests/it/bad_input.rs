//! A catalogue of bad inputs (issue 10, "then go further"): scenarios, edge lists, graph caches
//! and command lines, each refused with the expected exit status (2 for `validate` and usage
//! errors, 1 otherwise), never a panic, and a message naming the file (and its line or key) and
//! what was expected. Each case is one short run of the binary on a tiny input.

use std::path::Path;

use crate::support::ovation;

/// A valid scenario the scenario cases edit (one replacement each).
const BASE: &str = "seed = 7
replicates = 3
steps = 20

[graph]
generator = \"theater\"
rows = 4
seats = 5

[[population]]
noise = { dist = \"uniform\", low = -0.5, high = 0.5 }
conformity = 0.5

[model]
rule = \"sop\"
quality = 0.5
";

/// (what is replaced, by what, a string the message must contain besides the file name).
const SCENARIOS: &[(&str, &str, &str)] = &[
    ("seed = 7", "seed = -1", "seed"),
    ("seed = 7", "seed = \"seven\"", "seed"),
    ("seed = 7", "seed = 1.5", "seed"),
    ("seed = 7\n", "", "seed"),
    ("replicates = 3", "replicates = 0", "replicates"),
    ("replicates = 3", "replicates = -3", "replicates"),
    ("replicates = 3", "replicates = 99999999999", "replicates"),
    ("replicates = 3", "replicates = \"3\"", "replicates"),
    ("steps = 20", "steps = 0", "steps"),
    ("steps = 20", "steps = -5", "steps"),
    ("steps = 20", "steps = 1e3", "steps"),
    (
        "generator = \"theater\"",
        "generator = \"theatre\"",
        "graph",
    ),
    ("generator = \"theater\"", "generator = 3", "graph"),
    ("rows = 4", "rows = 0", "rows"),
    ("rows = 4", "rows = -4", "rows"),
    ("rows = 4", "rows = 4.5", "rows"),
    ("seats = 5", "seats = 0", "seats"),
    ("seats = 5", "seats = 5\ncone = -1", "cone"),
    ("seats = 5", "seats = 5\nbogus = 1", "bogus"),
    (
        "[graph]\ngenerator = \"theater\"\nrows = 4\nseats = 5",
        "[graph]\ngenerator = \"erdos_renyi\"\nn = 10\np = 1.5",
        "p",
    ),
    (
        "[graph]\ngenerator = \"theater\"\nrows = 4\nseats = 5",
        "[graph]\ngenerator = \"erdos_renyi\"\nn = 10\np = nan",
        "p",
    ),
    (
        "[graph]\ngenerator = \"theater\"\nrows = 4\nseats = 5",
        "[graph]\ngenerator = \"erdos_renyi\"\nn = 0\np = 0.1",
        "n",
    ),
    (
        "[graph]\ngenerator = \"theater\"\nrows = 4\nseats = 5",
        "[graph]\ngenerator = \"barabasi_albert\"\nn = 10",
        "m",
    ),
    (
        "[graph]\ngenerator = \"theater\"\nrows = 4\nseats = 5",
        "[graph]\ngenerator = \"watts_strogatz\"\nn = 10\nk = 2\nbeta = 2.0",
        "beta",
    ),
    (
        "[graph]\ngenerator = \"theater\"\nrows = 4\nseats = 5",
        "[graph]\ngenerator = \"stochastic_block\"\nsizes = [5, 5]\np_in = -0.1\np_out = 0.1",
        "p_in",
    ),
    (
        "[graph]\ngenerator = \"theater\"\nrows = 4\nseats = 5",
        "[graph]\ngenerator = \"complete\"\nn = 5000000000",
        "n",
    ),
    (
        "[graph]\ngenerator = \"theater\"\nrows = 4\nseats = 5",
        "[graph]\nfile = \"no-such-file.txt\"",
        "no-such-file.txt",
    ),
    (
        "[graph]\ngenerator = \"theater\"\nrows = 4\nseats = 5",
        "[graph]\nfile = \"\"",
        "file",
    ),
    (
        "[graph]\ngenerator = \"theater\"\nrows = 4\nseats = 5",
        "[graph]\ngenerator = \"theater\"\nfile = \"x.txt\"\nrows = 4\nseats = 5",
        "graph",
    ),
    (
        "[graph]\ngenerator = \"theater\"\nrows = 4\nseats = 5",
        "[graph]",
        "graph",
    ),
    (
        "[graph]\ngenerator = \"theater\"\nrows = 4\nseats = 5",
        "[graph]\nfile = \"../data/karate.txt.gz\"\nfollows = \"sideways\"",
        "follows",
    ),
    (
        "noise = { dist = \"uniform\", low = -0.5, high = 0.5 }",
        "noise = { dist = \"uniform\", low = 0.5, high = -0.5 }",
        "noise",
    ),
    (
        "noise = { dist = \"uniform\", low = -0.5, high = 0.5 }",
        "noise = { dist = \"gaussian\", mean = 0 }",
        "noise",
    ),
    (
        "noise = { dist = \"uniform\", low = -0.5, high = 0.5 }",
        "noise = { dist = \"normal\", mean = 0, sd = -1 }",
        "sd",
    ),
    (
        "noise = { dist = \"uniform\", low = -0.5, high = 0.5 }",
        "noise = { dist = \"uniform\", low = nan, high = 0.5 }",
        "low",
    ),
    ("conformity = 0.5", "conformity = 1.5", "conformity"),
    ("conformity = 0.5", "conformity = -0.1", "conformity"),
    ("conformity = 0.5", "conformity = \"high\"", "conformity"),
    ("conformity = 0.5", "conformity = 0.5\nshare = 2", "share"),
    (
        "conformity = 0.5",
        "conformity = 0.5\nnodes = [0, 0]",
        "nodes",
    ),
    (
        "conformity = 0.5",
        "conformity = 0.5\nnodes = [999]",
        "nodes",
    ),
    ("rule = \"sop\"", "rule = \"standing\"", "rule"),
    ("rule = \"sop\"", "rule = 1", "rule"),
    ("quality = 0.5", "quality = inf", "quality"),
    ("quality = 0.5", "quality = 0.5\ntie = \"flip\"", "tie"),
    ("quality = 0.5", "quality = 0.5\nqualty = 0.6", "qualty"),
    (
        "quality = 0.5",
        "quality = 0.5\n[timing]\nscheme = \"sometimes\"",
        "scheme",
    ),
    (
        "quality = 0.5",
        "quality = 0.5\n[timing]\nscheme = \"delayed\"\nlatency = { kind = \"constant\", steps = 0 }",
        "latency",
    ),
    (
        "quality = 0.5",
        "quality = 0.5\n[timing]\nscheme = \"delayed\"\nlatency = { kind = \"viewer_row\", per_row = -1 }",
        "per_row",
    ),
    (
        "quality = 0.5",
        "quality = 0.5\n[timing]\nscheme = \"delayed\"\nlatency = { kind = \"viewer_row\", per_row = nan }",
        "per_row",
    ),
    (
        "quality = 0.5",
        "quality = 0.5\n[seeding]\nmethod = \"celf\"\nk = 2",
        "seeding.method",
    ),
    (
        "quality = 0.5",
        "quality = 0.5\n[seeding]\nmethod = \"oracle\"\nk = 2",
        "seeding",
    ),
    (
        "quality = 0.5",
        "quality = 0.5\n[seeding]\nmethod = \"nodes\"\nnodes = []",
        "nodes",
    ),
    (
        "quality = 0.5",
        "quality = 0.5\n[seeding]\nmethod = \"pagerank\"\nk = 2\ndamping = 1.5",
        "damping",
    ),
    (
        "quality = 0.5",
        "quality = 0.5\n[output]\nplots = \"yes\"",
        "plots",
    ),
    (
        "quality = 0.5",
        "quality = 0.5\n[output]\ncolour = true",
        "colour",
    ),
    (
        "quality = 0.5",
        "quality = 0.5\n[sweep.grid]\n\"model.qualty\" = [0.1]",
        "qualty",
    ),
    (
        "quality = 0.5",
        "quality = 0.5\n[sweep.grid]\n\"model.quality\" = []",
        "model.quality",
    ),
    (
        "rule = \"sop\"\nquality = 0.5",
        "rule = \"threshold\"\nthreshold = -1",
        "threshold",
    ),
    (
        "rule = \"sop\"\nquality = 0.5",
        "rule = \"independent_cascade\"\nprobability = 1.5",
        "probability",
    ),
    ("seed = 7", "seed = 7\nname = \"a/b\"", "name"),
    ("seed = 7", "seed = [7", "bad.toml"),
    ("seed = 7", "seed = 7\n\u{0}", "bad.toml"),
];

/// Edge lists for `graph import` (plain, `--weighted` where the third field is given):
/// (contents, weighted, the line the message must name, a string it must contain).
const EDGE_LISTS: &[(&str, bool, u32, &str)] = &[
    ("1 2\n2 x\n", false, 2, "expected"),
    ("1 2\n2\n", false, 2, "columns"),
    ("1 2\n2 3 4\n", false, 2, "columns"),
    ("1 2\n-3 4\n", false, 2, "expected"),
    ("1 2\n3 99999999999999999999999\n", false, 2, "range"),
    ("1 2 0.5\n2 3 abc\n", true, 2, "weight"),
    ("1 2 0.5\n2 3 NaN\n", true, 2, "finite, non-negative"),
    ("1 2 0.5\n2 3 inf\n", true, 2, "finite, non-negative"),
    ("1 2 0.5\n2 3 -inf\n", true, 2, "finite, non-negative"),
    ("1 2 0.5\n2 3 -0.5\n", true, 2, "finite, non-negative"),
    ("1 2 0.5\n2 3 1e39\n", true, 2, "finite, non-negative"),
    ("1 2 0.5\n2 3\n", true, 2, "columns"),
    ("# c\n\n1 2 0.5\n4 5 nan\n", true, 4, "finite, non-negative"),
];

/// Runs the binary in `dir`; returns (exit code, stdout + stderr). A panic fails here.
fn run_in(dir: &Path, args: &[&str]) -> (i32, String) {
    let out = ovation()
        .current_dir(dir)
        .args(args)
        .output()
        .expect("ovation runs");
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(!text.contains("panicked"), "{args:?} panicked: {text}");
    (
        out.status.code().expect("exited, not killed by a signal"),
        text,
    )
}

#[test]
fn bad_scenarios_are_refused_at_their_key() {
    let tmp = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir_all(tmp.path().join("data")).expect("mkdir");
    let mut distinct = std::collections::BTreeSet::new();
    let mut wrong = Vec::new();
    for (i, (from, to, key)) in SCENARIOS.iter().enumerate() {
        assert!(
            BASE.contains(from),
            "case {i}: {from:?} is not in the base scenario"
        );
        let text = BASE.replacen(from, to, 1);
        assert!(distinct.insert(text.clone()), "case {i} repeats another");
        std::fs::write(tmp.path().join("bad.toml"), &text).expect("write");
        let (code, msg) = run_in(tmp.path(), &["validate", "bad.toml"]);
        let named = msg.lines().any(|l| l.starts_with("bad.toml"));
        // What was expected, in one of the forms the messages use ("estimates spread under
        // rule ..., found ..." for a method that needs another rule).
        let says = [
            "expected", "unknown", "missing", "no such", "is not", "found",
        ]
        .iter()
        .any(|w| msg.contains(w));
        if code != 2 || !named || !msg.contains(key) || !says {
            wrong.push(format!(
                "case {i} ({to:?}): status {code}, should name {key:?}: {msg}"
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn bad_edge_lists_are_refused_at_their_line() {
    let tmp = tempfile::tempdir().expect("temp dir");
    for (i, (text, weighted, line, what)) in EDGE_LISTS.iter().enumerate() {
        std::fs::write(tmp.path().join("e.txt"), text).expect("write");
        let mut args = vec!["graph", "import", "e.txt", "--output", "e.ovg"];
        if *weighted {
            args.push("--weighted");
        }
        let (code, msg) = run_in(tmp.path(), &args);
        assert_eq!(code, 1, "case {i} ({text:?}): {msg}");
        assert!(
            msg.contains(&format!("e.txt: line {line}:")),
            "case {i} ({text:?}): {msg}"
        );
        assert!(
            msg.contains(what),
            "case {i} ({text:?}) should say {what:?}: {msg}"
        );
        assert!(!tmp.path().join("e.ovg").exists(), "case {i} wrote a cache");
    }
}

#[test]
fn bad_caches_are_refused_naming_the_file() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let d = tmp.path();
    let (code, msg) = run_in(
        d,
        &[
            "graph", "gen", "theater", "--rows", "3", "--seats", "3", "-o", "g.ovg",
        ],
    );
    assert_eq!(code, 0, "{msg}");
    let good = std::fs::read(d.join("g.ovg")).expect("cache");
    let mut huge = good.clone();
    huge[16..24].copy_from_slice(&u64::from(u32::MAX).to_le_bytes());
    let mut zero_nodes = good.clone();
    zero_nodes[16..24].copy_from_slice(&0u64.to_le_bytes());
    let mut flags = good.clone();
    flags[12] = 0xf0;
    let mut version = good.clone();
    version[8] = 9;
    let mut flipped = good.clone();
    let mid = good.len() / 2;
    flipped[mid] ^= 0x40;
    let mut trailing = good.clone();
    trailing.extend_from_slice(b"junk");
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("huge node count", huge, "truncated"),
        ("zero nodes", zero_nodes, "0 nodes"),
        ("unknown flags", flags, "flags"),
        ("another version", version, "version"),
        ("a flipped byte", flipped, "checksum"),
        ("trailing data", trailing, "trailing"),
        ("truncated", good[..good.len() - 9].to_vec(), "truncated"),
        ("header only", good[..40].to_vec(), "truncated"),
        ("magic only", b"OVGRAPH\0".to_vec(), "truncated"),
    ];
    for (what, bytes, expect) in cases {
        std::fs::write(d.join("bad.ovg"), &bytes).expect("write");
        let (code, msg) = run_in(d, &["graph", "stats", "bad.ovg"]);
        assert_eq!(code, 1, "{what}: {msg}");
        assert!(msg.contains("bad.ovg"), "{what}: {msg}");
        assert!(msg.contains(expect), "{what} should say {expect:?}: {msg}");
    }
}

#[test]
fn bad_command_lines_are_refused_before_any_work() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let d = tmp.path();
    std::fs::write(d.join("s.toml"), BASE).expect("write");
    std::fs::create_dir(d.join("folder.toml")).expect("mkdir");
    let cases: &[(&[&str], i32, &[&str])] = &[
        (
            &["--threads", "0", "validate", "s.toml"],
            2,
            &["--threads", "expected"],
        ),
        (
            &["--threads", "5000", "run", "s.toml"],
            2,
            &["--threads", "expected"],
        ),
        (&["--threads", "many", "run", "s.toml"], 2, &["--threads"]),
        (
            &["--memory-limit", "lots", "validate", "s.toml"],
            2,
            &["--memory-limit", "expected"],
        ),
        (&["run", "missing.toml"], 1, &["missing.toml"]),
        (
            &["run", "folder.toml"],
            1,
            &["folder.toml", "expected a regular file"],
        ),
        (
            &["run", "s.toml", "--force", "--resume"],
            2,
            &["--force", "--resume"],
        ),
        (
            &["run", "s.toml", "--set", "model.qualty=0.6", "--out", "o1"],
            1,
            &["qualty"],
        ),
        (
            &["run", "s.toml", "--set", "noequals", "--out", "o2"],
            1,
            &["noequals"],
        ),
        (
            &["run", "s.toml", "--resume", "--out", "never-started"],
            1,
            &["never-started", "resume"],
        ),
        (
            &["sweep", "s.toml", "--out", "o3"],
            1,
            &["s.toml", "[sweep]"],
        ),
        (
            &["compare", "s.toml", "--out", "o4"],
            1,
            &["s.toml", "strategies"],
        ),
        (&["report", "nowhere"], 1, &["nowhere"]),
        (&["graph", "stats", "nothing.txt"], 1, &["nothing.txt"]),
        (
            &["graph", "export", "nothing.txt", "--format", "dot"],
            1,
            &["nothing.txt"],
        ),
        (
            &[
                "graph", "gen", "theater", "--rows", "0", "--seats", "3", "-o", "z.ovg",
            ],
            1,
            &["rows"],
        ),
        (
            &["bench", "--workload", "teleport", "--out", "b1"],
            1,
            &["--workload", "teleport", "expected"],
        ),
        (
            &["bench", "--reps", "0", "--out", "b2"],
            1,
            &["--reps", "expected"],
        ),
        (
            &["bench", "--threads-list", "0", "--out", "b3"],
            1,
            &["--threads-list", "expected"],
        ),
        (
            &["bench", "--threads-list", "2000", "--out", "b4"],
            1,
            &["--threads-list", "expected"],
        ),
        (&["frobnicate"], 2, &["frobnicate"]),
    ];
    let mut wrong = Vec::new();
    for (args, code, expect) in cases {
        let (got, msg) = run_in(d, args);
        if got != *code || expect.iter().any(|e| !msg.contains(e)) {
            wrong.push(format!(
                "{args:?}: status {got}, should say {expect:?}: {msg}"
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    // Nothing was created by the refused commands.
    for name in [
        "o1",
        "o2",
        "o3",
        "o4",
        "b1",
        "b2",
        "b3",
        "b4",
        "z.ovg",
        "never-started",
    ] {
        assert!(!d.join(name).exists(), "{name} was created");
    }
}
