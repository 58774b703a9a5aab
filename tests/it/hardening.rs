//! Regression tests for issue 10's findings, each failing before its fix: delays that
//! overflowed and panicked (item 2), weights that are not finite non-negative numbers (item 2),
//! `--resume` over a changed graph file or program, replicate files beyond the count and quadratic
//! resume (item 5), and command-line limits (item 7).

use std::path::Path;

use crate::support::ovation;

/// Runs ovation with `args`; returns (exit code, stderr).
fn run(args: &[&str]) -> (i32, String) {
    let out = ovation().args(args).output().expect("ovation runs");
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!err.contains("panicked"), "{args:?} panicked: {err}");
    (out.status.code().expect("exited, not killed"), err)
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).expect("write test file");
    p.to_str().expect("utf-8").to_string()
}

const THEATER: &str = r#"
name = "t"
seed = 1
replicates = 3
steps = 30
[graph]
generator = "theater"
rows = 5
seats = 5
[[population]]
noise = { dist = "uniform", low = -0.5, high = 0.5 }
conformity = 0.5
[model]
rule = "sop"
quality = 0.5
[output]
plots = false
"#;

#[test]
fn a_huge_per_row_delay_runs_instead_of_panicking() {
    let tmp = tempfile::tempdir().expect("temp dir");
    for per_row in ["1e12", "4294967296", "1e300"] {
        let text = format!(
            "{THEATER}[timing]\nscheme = \"delayed\"\nlatency = {{ kind = \"viewer_row\", per_row = {per_row} }}\n"
        );
        let s = write(tmp.path(), "d.toml", &text);
        let out = tmp.path().join(format!("o{per_row}"));
        let (code, err) = run(&["run", &s, "--out", out.to_str().expect("utf-8"), "--quiet"]);
        assert_eq!(code, 0, "per_row = {per_row}: {err}");
    }
}

#[test]
fn weights_that_are_not_finite_non_negative_numbers_are_refused_at_their_line() {
    let tmp = tempfile::tempdir().expect("temp dir");
    for bad in ["NaN", "nan", "inf", "-inf", "-1", "-0.5", "1e40"] {
        let g = write(
            tmp.path(),
            "w.txt",
            &format!("# weighted\n1 2 1.5\n2 3 {bad}\n"),
        );
        let out = tmp.path().join("w.ovg");
        let (code, err) = run(&[
            "graph",
            "import",
            &g,
            "--weighted",
            "--output",
            out.to_str().expect("utf-8"),
        ]);
        assert_eq!(code, 1, "{bad}: {err}");
        assert!(err.contains("w.txt: line 3:"), "{bad}: {err}");
        assert!(err.contains("finite, non-negative"), "{bad}: {err}");
    }
    // The same file as a scenario's weighted graph with edge-weight delays: refused, no panic.
    let g = write(tmp.path(), "w.txt", "1 2 NaN\n2 3 1\n");
    let text = THEATER.replace(
        "[graph]\ngenerator = \"theater\"\nrows = 5\nseats = 5\n",
        "[graph]\nfile = \"w.txt\"\nfollows = \"second-follows-first\"\nweighted = true\n",
    ) + "[timing]\nscheme = \"delayed\"\nlatency = { kind = \"edge_weights\" }\n";
    let s = write(tmp.path(), "e.toml", &text);
    let out = tmp.path().join("e-out");
    let (code, err) = run(&["run", &s, "--out", out.to_str().expect("utf-8"), "--quiet"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains(&g) && err.contains("line 1"), "{err}");
}

/// A run started on one graph file is not resumed on another under the same name; the error
/// names the graph file.
#[test]
fn resume_refuses_a_replaced_graph_file_and_names_it() {
    let tmp = tempfile::tempdir().expect("temp dir");
    write(tmp.path(), "g.txt", "1 2\n2 3\n3 1\n1 3\n");
    let text = THEATER.replace(
        "[graph]\ngenerator = \"theater\"\nrows = 5\nseats = 5\n",
        "[graph]\nfile = \"g.txt\"\nfollows = \"second-follows-first\"\n",
    );
    let s = write(tmp.path(), "s.toml", &text);
    let out = tmp.path().join("o");
    let o = out.to_str().expect("utf-8");
    let (code, err) = run(&["run", &s, "--out", o, "--quiet"]);
    assert_eq!(code, 0, "{err}");
    // Same graph: resume is fine.
    let (code, err) = run(&["run", &s, "--out", o, "--resume", "--quiet"]);
    assert_eq!(code, 0, "{err}");
    write(tmp.path(), "g.txt", "1 2\n2 3\n3 1\n2 1\n");
    let (code, err) = run(&["run", &s, "--out", o, "--resume", "--quiet"]);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("graph file") && err.contains("g.txt") && err.contains("changed"),
        "{err}"
    );
    // An override changes the scenario.
    write(tmp.path(), "g.txt", "1 2\n2 3\n3 1\n1 3\n");
    let (code, err) = run(&[
        "run",
        &s,
        "--out",
        o,
        "--resume",
        "--quiet",
        "--set",
        "model.quality=0.6",
    ]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("scenario changed"), "{err}");
}

/// The edge count a finished run's manifest records.
fn manifest_edges(out: &Path) -> u64 {
    let text = std::fs::read_to_string(out.join("manifest.json")).expect("manifest");
    let json: serde_json::Value = serde_json::from_str(&text).expect("json");
    json["graph"]["edges"].as_u64().expect("edges")
}

/// A `cache = true` cache is never read after its edge list changed (size, modification time)
/// or is read with other options: it is rebuilt, and the note says what changed. A file at the
/// cache's path that is not a cache is refused and left as it was.
#[test]
fn a_stale_graph_cache_is_rebuilt_and_the_change_named() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let g = tmp.path().join("g.txt");
    write(tmp.path(), "g.txt", "1 2\n2 3\n3 1\n");
    let text = THEATER.replace(
        "[graph]\ngenerator = \"theater\"\nrows = 5\nseats = 5\n",
        "[graph]\nfile = \"g.txt\"\nfollows = \"second-follows-first\"\ncache = true\n",
    );
    let s = write(tmp.path(), "s.toml", &text);
    let runs = std::cell::Cell::new(0);
    let run_once = || {
        runs.set(runs.get() + 1);
        let out = tmp.path().join(format!("o{}", runs.get()));
        let (code, err) = run(&["run", &s, "--out", out.to_str().expect("utf-8"), "--quiet"]);
        assert_eq!(code, 0, "{err}");
        (manifest_edges(&out), err)
    };
    let (edges, err) = run_once();
    assert_eq!(edges, 3);
    assert!(!err.contains("note"), "{err}");
    let cache = tmp.path().join("g.txt.ovg");
    assert!(cache.is_file());
    // Unchanged: the cache is used, silently.
    let (edges, err) = run_once();
    assert_eq!((edges, err.as_str()), (3, ""));
    // A longer file.
    write(tmp.path(), "g.txt", "1 2\n2 3\n3 1\n1 3\n");
    let (edges, err) = run_once();
    assert_eq!(edges, 4, "the stale cache was read");
    assert!(
        err.contains("rebuilding the graph cache")
            && err.contains("g.txt.ovg")
            && err.contains("size changed from 12 to 16 bytes"),
        "{err}"
    );
    // Same size, other edges, another modification time.
    write(tmp.path(), "g.txt", "1 2\n2 3\n3 1\n3 2\n");
    let file = std::fs::File::options().write(true).open(&g).expect("open");
    file.set_modified(std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_000_000_000))
        .expect("set mtime");
    drop(file);
    let (edges, err) = run_once();
    assert_eq!(edges, 4);
    assert!(
        err.contains("modification time changed") && !err.contains("size changed"),
        "{err}"
    );
    // Other import options: the same file read as mutual has 3 x 2 edges (1-3 and 3-1 kept once).
    let mutual = text.replace("second-follows-first", "mutual");
    let s2 = write(tmp.path(), "s2.toml", &mutual);
    let out = tmp.path().join("m");
    let (code, err) = run(&["run", &s2, "--out", out.to_str().expect("utf-8"), "--quiet"]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("import options"), "{err}");
    assert_eq!(manifest_edges(&out), 6);
    // A file of the user's own where the cache would go is refused, not overwritten.
    std::fs::write(&cache, "my notes\n").expect("write");
    let out = tmp.path().join("n");
    let (code, err) = run(&["run", &s, "--out", out.to_str().expect("utf-8"), "--quiet"]);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("not an ovation graph cache") && err.contains("g.txt.ovg"),
        "{err}"
    );
    assert_eq!(std::fs::read_to_string(&cache).expect("kept"), "my notes\n");
}

/// Replicate files beyond the scenario's count (left by a run with more replicates) are not
/// taken into the results.
#[test]
fn resume_ignores_replicates_beyond_the_count() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let s = write(tmp.path(), "s.toml", THEATER);
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    for d in [&a, &b] {
        let (code, err) = run(&["run", &s, "--out", d.to_str().expect("utf-8"), "--quiet"]);
        assert_eq!(code, 0, "{err}");
    }
    // A stray replicate 7 (copied from replicate 0) in b.
    std::fs::copy(
        a.join("replicates/000000.json"),
        b.join("replicates/000007.json"),
    )
    .expect("copy");
    let (code, err) = run(&[
        "run",
        &s,
        "--out",
        b.to_str().expect("utf-8"),
        "--resume",
        "--quiet",
    ]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        std::fs::read(a.join("summary.csv")).expect("a"),
        std::fs::read(b.join("summary.csv")).expect("b")
    );
}

#[test]
fn thread_counts_have_bounds() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let s = write(tmp.path(), "s.toml", THEATER);
    for t in ["0", "100000"] {
        let (code, err) = run(&["--threads", t, "validate", &s]);
        assert_eq!(code, 2, "{t}: {err}");
        assert!(err.contains("--threads") && err.contains("1 to"), "{err}");
    }
}

#[test]
fn bench_refuses_meaningless_arguments_before_running() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let out = tmp.path().join("b");
    let o = out.to_str().expect("utf-8");
    let base = ["bench", "--n", "100", "--m", "2", "--out", o];
    for (extra, expect) in [
        (&["--workload", "nope"][..], "--workload"),
        (&["--reps", "0"][..], "--reps"),
        (&["--threads-list", "0"][..], "--threads-list"),
        (&["--threads-list", "1,99999"][..], "--threads-list"),
    ] {
        let (code, err) = run(&[&base[..], extra].concat());
        assert_eq!(code, 1, "{extra:?}: {err}");
        assert!(err.contains(expect), "{extra:?}: {err}");
        assert!(!out.exists(), "{extra:?} created the output folder");
    }
    // An existing folder is not overwritten without --force.
    let args = [
        &base[..],
        &["--workload", "sop", "--reps", "1", "--threads-list", "1"],
    ]
    .concat();
    let (code, err) = run(&args);
    assert_eq!(code, 0, "{err}");
    let (code, err) = run(&args);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("--force"), "{err}");
}

#[cfg(unix)]
#[test]
fn graph_commands_refuse_a_fifo_instead_of_blocking() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let fifo = tmp.path().join("pipe");
    let status = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo runs");
    assert!(status.success());
    let f = fifo.to_str().expect("utf-8");
    let out = tmp.path().join("x.ovg");
    for args in [
        vec!["graph", "stats", f],
        vec![
            "graph",
            "import",
            f,
            "--output",
            out.to_str().expect("utf-8"),
        ],
    ] {
        // A hang is killed after 20 s and fails the test; the refusal is immediate.
        let mut child = ovation()
            .args(&args)
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("ovation starts");
        let start = std::time::Instant::now();
        let status = loop {
            if let Some(s) = child.try_wait().expect("wait") {
                break s;
            }
            if start.elapsed() > std::time::Duration::from_secs(20) {
                child.kill().expect("kill");
                panic!("{args:?} blocked on a FIFO");
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        };
        let mut err = String::new();
        std::io::Read::read_to_string(&mut child.stderr.take().expect("stderr"), &mut err)
            .expect("read stderr");
        assert_eq!(status.code(), Some(1), "{args:?}: {err}");
        assert!(err.contains("pipe") && err.contains("FIFO"), "{err}");
    }
}

#[test]
fn celf_with_a_rule_it_cannot_simulate_is_refused_by_validate() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let s = write(
        tmp.path(),
        "celf.toml",
        &format!("{THEATER}[seeding]\nmethod = \"celf\"\nk = 2\n"),
    );
    let out = ovation().args(["validate", &s]).output().expect("runs");
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert!(
        text.contains("celf.toml") && text.contains("seeding.method"),
        "{text}"
    );
    assert!(text.contains("independent_cascade"), "{text}");
}

/// Scenarios that passed `validate` and then aborted on allocation are refused by `validate`
/// (exit 2) and `run` (exit 1) with the estimate and the limit (item 3).
#[test]
fn scenarios_too_large_for_memory_are_refused_with_the_estimate_and_the_limit() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let theater = "[graph]\ngenerator = \"theater\"\nrows = 5\nseats = 5\n";
    for (what, graph, replicates) in [
        (
            "complete 10^6",
            "[graph]\ngenerator = \"complete\"\nn = 1000000\n",
            "3",
        ),
        (
            "dense ER",
            "[graph]\ngenerator = \"erdos_renyi\"\nn = 1000000\np = 0.5\n",
            "3",
        ),
        (
            "10^9 seats",
            "[graph]\ngenerator = \"theater\"\nrows = 31623\nseats = 31623\n",
            "3",
        ),
        (
            "huge BA",
            "[graph]\ngenerator = \"barabasi_albert\"\nn = 4000000000\nm = 3\n",
            "3",
        ),
        (
            "huge SBM",
            "[graph]\ngenerator = \"stochastic_block\"\nsizes = [2000000000, 2000000000]\np_in = 0.5\np_out = 0.1\n",
            "3",
        ),
        ("2^32-1 replicates", theater, "4294967295"),
    ] {
        let text = THEATER
            .replace(theater, graph)
            .replace("replicates = 3", &format!("replicates = {replicates}"));
        let s = write(tmp.path(), "big.toml", &text);
        let out = ovation()
            .args(["--memory-limit", "16G", "validate", &s])
            .output()
            .expect("runs");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{what}: {err}");
        assert!(
            err.contains("big.toml")
                && err.contains("needs about")
                && err.contains("limit of 16.0 GiB"),
            "{what}: {err}"
        );
        let o = tmp.path().join("o");
        let (code, err) = run(&[
            "--memory-limit",
            "16G",
            "run",
            &s,
            "--out",
            o.to_str().expect("utf-8"),
        ]);
        assert_eq!(code, 1, "{what}: {err}");
        assert!(err.contains("needs about"), "{what}: {err}");
        assert!(!o.exists(), "{what}: the folder was created");
    }
    // The limit is the flag's: a tiny one refuses the small theater, `none` lets it run.
    let s = write(tmp.path(), "small.toml", THEATER);
    let o = tmp.path().join("small");
    let (code, err) = run(&[
        "--memory-limit",
        "1K",
        "run",
        &s,
        "--out",
        o.to_str().expect("utf-8"),
    ]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("limit of 1.0 KiB"), "{err}");
    let (code, err) = run(&[
        "--memory-limit",
        "none",
        "run",
        &s,
        "--out",
        o.to_str().expect("utf-8"),
        "--quiet",
    ]);
    assert_eq!(code, 0, "{err}");
}

/// `report` embeds only the plots ovation wrote into the folder and never follows a link
/// out of it (item 6).
#[cfg(unix)]
#[test]
fn the_report_embeds_no_linked_or_foreign_file() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let s = write(tmp.path(), "s.toml", THEATER);
    let out = tmp.path().join("o");
    let o = out.to_str().expect("utf-8");
    let (code, err) = run(&["run", &s, "--out", o, "--quiet"]);
    assert_eq!(code, 0, "{err}");
    let secret = tmp.path().join("secret.txt");
    std::fs::write(&secret, "SECRET-PASSWORD-LINE\n").expect("write");
    std::os::unix::fs::symlink(&secret, out.join("x.png")).expect("symlink");
    std::os::unix::fs::symlink("/etc/passwd", out.join("passwd.png")).expect("symlink");
    std::fs::write(out.join("mine.png"), "NOT-OVATIONS-PNG").expect("write");
    let (code, err) = run(&["report", o]);
    assert_eq!(code, 0, "{err}");
    let html = std::fs::read_to_string(out.join("report.html")).expect("report");
    for name in ["x.png", "passwd.png", "mine.png"] {
        assert!(!html.contains(name), "{name} is in the report");
    }
    // Their bytes, base64-encoded at any alignment, are not either.
    for b64 in ["U0VDUkVU", "TU9ULU9WQVRJT05T", "cm9vdDp4"] {
        assert!(!html.contains(b64), "{b64} is in the report");
    }
}

/// The engine checks its setup itself instead of panicking when a caller skipped the runner's
/// checks (item 11): agents that do not match the graph are an error.
#[test]
fn the_engine_refuses_a_setup_it_cannot_run() {
    use ovation::engine::{Setup, run_replicate};
    let base = Path::new(".");
    let big = ovation::scenario::load_str("a.toml", THEATER, base, &[]).expect("valid");
    let small_text = THEATER.replace("rows = 5", "rows = 2");
    let small = ovation::scenario::load_str("b.toml", &small_text, base, &[]).expect("valid");
    let graph = ovation::runner::load_graph(&big, None).expect("graph");
    let small_graph = ovation::runner::load_graph(&small, None).expect("graph");
    let agents = ovation::runner::agents_for(&small, &small_graph, 0).expect("agents");
    let err = run_replicate(Setup {
        graph: &graph,
        agents: &agents,
        rule: &big.model,
        timing: &big.timing,
        stop: big.stop,
        key: 1,
        replicate: 0,
        theater: big.theater_layout(),
        brand: None,
    })
    .expect_err("10 agents on 25 nodes");
    assert!(
        err.contains("10 agents") && err.contains("25 nodes"),
        "{err}"
    );
}
