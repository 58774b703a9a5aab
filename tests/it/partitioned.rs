//! Partitioned runs on timely-dataflow (issue 16, feature `distributed`): the threshold cascade
//! and the Standing Ovation rule on 1, 2 and 3 local processes (and 3 workers in one) give files
//! byte-identical to the single-process engine's; other rules, timing schemes and seeding
//! methods are refused by name; killing one process ends the others with a clear error within
//! seconds.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU16, Ordering};
use std::time::{Duration, Instant};

use crate::support::ovation;

/// A Watts cascade on an Erdos-Renyi graph that reaches most agents in about 20 steps.
const CASCADE: &str = r#"
name = "watts"
seed = 5
steps = 200
[graph]
generator = "erdos_renyi"
n = 20000
m = 40000
[[population]]
initial = "sit"
[seeding]
method = "random"
k = 20
[model]
rule = "threshold"
phi = 0.18
"#;

/// Ports for the hostfiles: distinct per test and per run of the test binary.
fn ports(count: u16) -> Vec<u16> {
    static NEXT: AtomicU16 = AtomicU16::new(0);
    let base = 21000 + (std::process::id() % 400) as u16 * 40;
    let at = NEXT.fetch_add(count, Ordering::Relaxed);
    (0..count).map(|i| base + at + i).collect()
}

/// Writes a hostfile of `n` local processes and returns its path.
fn hostfile(dir: &Path, n: u16) -> String {
    let path = dir.join(format!("hosts-{n}"));
    let text: String = ports(n)
        .iter()
        .map(|p| format!("127.0.0.1:{p}\n"))
        .collect();
    std::fs::write(&path, text).expect("write hostfile");
    path.display().to_string()
}

/// Starts process `p` of `n` of a partitioned run of replicate 0 of `scenario` into `out`.
fn start(scenario: &Path, out: &Path, n: u16, p: u16, hosts: &str) -> Child {
    start_with(scenario, out, n, p, hosts, &["--replicate", "0"])
}

/// Starts process `p` of `n` of a partitioned run of `scenario` into `out` with `flags`.
fn start_with(scenario: &Path, out: &Path, n: u16, p: u16, hosts: &str, flags: &[&str]) -> Child {
    let mut c: Command = ovation();
    c.arg("partitioned")
        .arg(scenario)
        .arg("--out")
        .arg(out)
        .args(flags)
        .args([
            "--",
            "-w",
            "1",
            "-n",
            &n.to_string(),
            "-p",
            &p.to_string(),
            "-h",
            hosts,
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    c.spawn().expect("ovation starts")
}

/// Waits for `child` at most `limit`, killing it after; returns whether it succeeded and its
/// standard error.
fn wait(mut child: Child, limit: Duration) -> (bool, String) {
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            let mut err = String::new();
            if let Some(mut e) = child.stderr.take() {
                use std::io::Read;
                let _ = e.read_to_string(&mut err);
            }
            return (status.success(), err);
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            return (false, format!("killed after {limit:?}"));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn the_threshold_cascade_on_one_two_and_three_processes_equals_the_engine() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path();
    let scenario = dir.join("watts.toml");
    std::fs::write(&scenario, CASCADE).expect("write scenario");
    let reference = dir.join("engine");
    let o = ovation()
        .arg("partitioned")
        .arg(&scenario)
        .arg("--out")
        .arg(&reference)
        .arg("--engine")
        .output()
        .expect("runs");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    // The reference is a real cascade: from the 20 seeds to most of the 20000 agents.
    let text = String::from_utf8(read(&reference.join("cascade.csv"))).expect("utf-8");
    let last: u64 = text
        .lines()
        .last()
        .and_then(|l| l.split(',').nth(1))
        .and_then(|x| x.parse().ok())
        .expect("a count");
    assert!(
        text.starts_with("step,active\n0,20\n") && last > 10_000,
        "{text}"
    );

    // Three workers in one process.
    let out = dir.join("w3");
    let o = ovation()
        .arg("partitioned")
        .arg(&scenario)
        .arg("--out")
        .arg(&out)
        .args(["--replicate", "0", "--", "-w", "3"])
        .output()
        .expect("runs");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    for f in ["cascade.csv", "active.txt"] {
        assert!(
            read(&reference.join(f)) == read(&out.join(f)),
            "w3: {f} differs"
        );
    }

    for n in 1..=3u16 {
        let hosts = hostfile(dir, n);
        let out = dir.join(format!("n{n}"));
        let children: Vec<Child> = (0..n)
            .map(|p| start(&scenario, &out, n, p, &hosts))
            .collect();
        for (p, c) in children.into_iter().enumerate() {
            let (ok, err) = wait(c, Duration::from_secs(60));
            assert!(ok, "process {p} of {n}: {err}");
        }
        for f in ["cascade.csv", "active.txt"] {
            assert!(
                read(&reference.join(f)) == read(&out.join(f)),
                "{n} processes: {f} differs from the single-process engine's"
            );
        }
        // Agents are split across processes, so with more than one some activations travel.
        let exchange = String::from_utf8(read(&out.join("exchange.csv"))).expect("utf-8");
        let bytes: u64 = exchange
            .lines()
            .skip(1)
            .filter_map(|l| l.split(',').nth(1)?.parse::<u64>().ok())
            .sum();
        assert_eq!(bytes > 0, n > 1, "{n} processes: {exchange}");
    }
}

/// The Standing Ovation rule on an Erdos-Renyi graph with coin-flipped ties: open ties keep it
/// moving, so it runs to the step limit, drawing coins keyed by agent and step all along.
const SOP: &str = r#"
name = "sop-er"
seed = 7
steps = 40
[graph]
generator = "erdos_renyi"
n = 5000
m = 20000
[[population]]
name = "audience"
noise = { dist = "uniform", low = -0.5, high = 0.5 }
threshold = 0.5
conformity = { dist = "beta", alpha = 2.0, beta = 5.0 }
[[population]]
name = "plants"
nodes = [3, 2600, 4999]
fixed = "stand"
[model]
rule = "sop"
quality = 0.5
tie = "coin"
"#;

/// Conformists on a rewired ring with ties kept: synchronous updating falls into a 2-cycle,
/// which every partition must detect at the same step from the XOR of its workers' hashes.
const SOP_CYCLE: &str = r#"
name = "sop-cycle"
seed = 1
steps = 100
[graph]
generator = "watts_strogatz"
n = 1000
k = 2
beta = 0.3
[[population]]
name = "a"
noise = { dist = "uniform", low = -0.5, high = 0.5 }
threshold = 0.5
conformity = 0.2
[model]
rule = "sop"
quality = 0.5
tie = "keep"
"#;

/// Runs `scenario` on the engine and partitioned on 1, 2 and 3 processes (one worker each) and
/// compares `files`; returns the engine's folder.
fn compare_with_engine(dir: &Path, name: &str, text: &str, files: &[&str]) -> std::path::PathBuf {
    let scenario = dir.join(format!("{name}.toml"));
    std::fs::write(&scenario, text).expect("write scenario");
    let reference = dir.join(format!("{name}-engine"));
    let o = ovation()
        .arg("partitioned")
        .arg(&scenario)
        .arg("--out")
        .arg(&reference)
        .arg("--engine")
        .output()
        .expect("runs");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    for n in 1..=3u16 {
        let hosts = hostfile(dir, n);
        let out = dir.join(format!("{name}-n{n}"));
        let children: Vec<Child> = (0..n)
            .map(|p| start(&scenario, &out, n, p, &hosts))
            .collect();
        for (p, c) in children.into_iter().enumerate() {
            let (ok, err) = wait(c, Duration::from_secs(60));
            assert!(ok, "{name}: process {p} of {n}: {err}");
        }
        for f in files {
            assert!(
                read(&reference.join(f)) == read(&out.join(f)),
                "{name}, {n} processes: {f} differs from the single-process engine's"
            );
        }
    }
    reference
}

#[test]
fn the_standing_ovation_rule_on_one_two_and_three_processes_equals_the_engine() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path();
    let files = ["steps.csv", "outcome.csv", "actions.csv"];
    let reference = compare_with_engine(dir, "sop", SOP, &files);
    // The reference is a real run: it moves every step (ties stay open) up to the limit, and
    // the plants stand at the end.
    let outcome = String::from_utf8(read(&reference.join("outcome.csv"))).expect("utf-8");
    assert_eq!(outcome, "outcome,steps,period\nstep_limit,40,0\n");
    let steps = String::from_utf8(read(&reference.join("steps.csv"))).expect("utf-8");
    assert_eq!(steps.lines().count(), 1 + 41, "{steps}");
    assert!(
        steps
            .lines()
            .skip(2)
            .all(|l| l.split(',').nth(4).is_some_and(|c| c != "0")),
        "{steps}"
    );
    let actions = String::from_utf8(read(&reference.join("actions.csv"))).expect("utf-8");
    for plant in ["3,stand", "2600,stand", "4999,stand"] {
        assert!(actions.lines().any(|l| l == plant), "{plant} missing");
    }

    let reference = compare_with_engine(dir, "cycle", SOP_CYCLE, &files);
    let outcome = String::from_utf8(read(&reference.join("outcome.csv"))).expect("utf-8");
    assert!(
        outcome.ends_with(",2\n") && outcome.contains("cycle,"),
        "{outcome}"
    );
}

#[test]
fn from_a_graph_cache_each_process_reads_only_its_rows() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path();
    let graph = dir.join("g.ovg");
    let o = ovation()
        .args([
            "graph",
            "gen",
            "erdos_renyi",
            "--n",
            "5000",
            "--m",
            "20000",
            "--seed",
            "3",
        ])
        .arg("-o")
        .arg(&graph)
        .output()
        .expect("runs");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = SOP.replace(
        "generator = \"erdos_renyi\"\nn = 5000\nm = 20000",
        "file = \"g.ovg\"\nfollows = \"second-follows-first\"",
    );
    assert!(text.contains("file = \"g.ovg\""));
    compare_with_engine(
        dir,
        "cached",
        &text,
        &["steps.csv", "outcome.csv", "actions.csv"],
    );

    // Three processes: each reads its third of the rows, about a third of the file.
    let scenario = dir.join("cached.toml");
    let hosts = hostfile(dir, 3);
    let out = dir.join("rows");
    let children: Vec<Child> = (0..3)
        .map(|p| start(&scenario, &out, 3, p, &hosts))
        .collect();
    let file_bytes = std::fs::metadata(&graph).expect("cache").len() as f64;
    let mut ranges = Vec::new();
    for (p, c) in children.into_iter().enumerate() {
        let (ok, err) = wait(c, Duration::from_secs(60));
        assert!(ok, "process {p}: {err}");
        // "this process held agents LO..HI of 5000: X MB of graph rows (Y MB read from the
        // .ovg cache)"
        let line = err.lines().find(|l| l.contains("held agents")).expect(&err);
        let range = line
            .split("agents ")
            .nth(1)
            .and_then(|r| r.split(' ').next());
        let (lo, hi) = range
            .and_then(|r| r.split_once(".."))
            .map(|(a, b)| (a.parse::<u32>().expect("lo"), b.parse::<u32>().expect("hi")))
            .expect(line);
        ranges.push((lo, hi));
        let read_mb: f64 = line
            .split('(')
            .nth(1)
            .and_then(|x| x.split(" MB read from the .ovg cache").next())
            .and_then(|x| x.parse().ok())
            .expect(line);
        // A third of both directions' offsets and targets, give or take the random degrees
        // (the file is 0.24 MB; the message rounds to kilobytes).
        let share = read_mb * 1e6 / file_bytes;
        assert!(
            (0.25..0.42).contains(&share),
            "process {p} read {share} of the file: {line}"
        );
    }
    assert_eq!(ranges, vec![(0, 1666), (1666, 3333), (3333, 5000)]);
}

/// Runs `ovation partitioned` on `text` and returns its standard error, asserting it failed.
fn refused(dir: &Path, text: &str) -> String {
    let scenario = dir.join("refused.toml");
    std::fs::write(&scenario, text).expect("write");
    let o = ovation()
        .arg("partitioned")
        .arg(&scenario)
        .arg("--out")
        .arg(dir.join("out"))
        .output()
        .expect("runs");
    assert!(!o.status.success());
    assert!(!dir.join("out").exists(), "a refused run wrote results");
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn other_rules_timings_and_seedings_are_refused_by_name() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path();
    let err = refused(
        dir,
        &CASCADE.replace("rule = \"threshold\"\nphi = 0.18", "rule = \"voter\""),
    );
    assert!(
        err.contains("refused.toml")
            && err.contains("`threshold` and `sop` rules only")
            && err.contains("`voter`"),
        "{err}"
    );
    let err = refused(
        dir,
        &format!("{SOP}\n[timing]\nscheme = \"async_random\"\n"),
    );
    assert!(
        err.contains("synchronous timing only") && err.contains("`async_random`"),
        "{err}"
    );
    let err = refused(
        dir,
        &CASCADE.replace("method = \"random\"", "method = \"top_followers\""),
    );
    assert!(
        err.contains("seeding.method = \"top_followers\"") && err.contains("`random` and `nodes`"),
        "{err}"
    );
}

#[test]
fn a_killed_process_fails_the_run_within_seconds() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path();
    // A ring where the cascade moves one agent a step each way: 50000 steps, far longer than
    // the test waits before killing.
    let scenario = dir.join("ring.toml");
    std::fs::write(
        &scenario,
        r#"
name = "ring"
seed = 1
steps = 1000000
[graph]
generator = "watts_strogatz"
n = 100000
k = 2
beta = 0.0
[[population]]
initial = "sit"
[seeding]
method = "nodes"
nodes = [0]
[model]
rule = "threshold"
phi = 0.5
"#,
    )
    .expect("write");
    let hosts = hostfile(dir, 2);
    let out = dir.join("out");
    let first = start(&scenario, &out, 2, 0, &hosts);
    let mut second = start(&scenario, &out, 2, 1, &hosts);
    std::thread::sleep(Duration::from_secs(3));
    second.kill().expect("kill");
    let _ = second.wait();
    let killed = Instant::now();
    let (ok, err) = wait(first, Duration::from_secs(30));
    let took = killed.elapsed();
    assert!(!ok, "the run went on without its second process");
    assert!(
        took < Duration::from_secs(10),
        "the surviving process took {took:?} to fail"
    );
    assert!(
        err.contains("the partitioned run failed: a process of the run was lost"),
        "{err}"
    );
    assert!(
        !out.join("cascade.csv").exists(),
        "a failed run wrote results"
    );
}

/// A process whose peer never starts would wait for ever (timely retries a connection without
/// end); with `OVATION_CONNECT_TIMEOUT=2` it fails within seconds, naming the flags to check.
/// Two processes started with different `-w` fail within seconds too.
#[test]
fn a_missing_peer_or_mismatched_flags_fail_with_a_clear_error() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path();
    let scenario = dir.join("watts.toml");
    std::fs::write(&scenario, CASCADE).expect("write");
    let spawn = |p: u16, w: &str, hosts: &str| {
        let mut c: Command = ovation();
        c.env("OVATION_CONNECT_TIMEOUT", "2")
            .arg("partitioned")
            .arg(&scenario)
            .arg("--out")
            .arg(dir.join(format!("out-{p}-{w}")))
            .args(["--replicate", "0", "--", "-w", w, "-n", "2", "-p"])
            .arg(p.to_string())
            .args(["-h", hosts])
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        c.spawn().expect("ovation starts")
    };
    let expect_failure = |child: Child, what: &str| {
        let started = Instant::now();
        let (ok, err) = wait(child, Duration::from_secs(30));
        assert!(!ok, "{what}: the process succeeded");
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "{what}: took {:?}",
            started.elapsed()
        );
        assert!(
            err.contains("did not all connect and answer within 2 s")
                && err.contains("the same -n and -w"),
            "{what}: {err}"
        );
    };
    // Process 1 of 2 alone: its peer never comes.
    let hosts = hostfile(dir, 2);
    expect_failure(spawn(1, "1", &hosts), "a missing peer");
    // Process 0 with one worker, process 1 with two: timely's handshake breaks (or, if it did
    // not, no epoch would end and the watchdog would fire); either way both fail within seconds.
    let hosts = hostfile(dir, 2);
    let first = spawn(0, "1", &hosts);
    let second = spawn(1, "2", &hosts);
    let started = Instant::now();
    let (ok_a, err_a) = wait(first, Duration::from_secs(30));
    let (ok_b, err_b) = wait(second, Duration::from_secs(30));
    assert!(!ok_a && !ok_b, "a run with mismatched -w succeeded");
    assert!(
        started.elapsed() < Duration::from_secs(25),
        "took {:?}",
        started.elapsed()
    );
    for err in [&err_a, &err_b] {
        assert!(
            err.contains("did not all connect and answer within 2 s")
                || err.contains("the partitioned run failed: a process of the run was lost"),
            "{err}"
        );
    }
}

/// Reads a CSV into its header and rows of fields.
fn csv(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let text = String::from_utf8(read(path)).expect("utf-8");
    let mut lines = text
        .lines()
        .map(|l| l.split(',').map(String::from).collect::<Vec<_>>());
    let header = lines.next().expect("a header");
    (header, lines.collect())
}

#[test]
fn a_result_folder_survives_a_killed_process_and_resumes_to_what_ovation_run_writes() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path();
    // A ring where the cascade moves one agent a step each way: 500 steps a replicate, so a
    // replicate lasts long enough to kill a process in the middle of the second.
    let scenario = dir.join("ring.toml");
    std::fs::write(
        &scenario,
        r#"
name = "ring"
seed = 1
replicates = 3
steps = 100000
[graph]
generator = "watts_strogatz"
n = 1000
k = 2
beta = 0.0
[[population]]
initial = "sit"
[seeding]
method = "nodes"
nodes = [0]
[model]
rule = "threshold"
phi = 0.5
"#,
    )
    .expect("write");
    let out = dir.join("folder");
    let hosts = hostfile(dir, 2);
    let first = start_with(&scenario, &out, 2, 0, &hosts, &[]);
    let mut second = start_with(&scenario, &out, 2, 1, &hosts, &[]);
    // Kill the second process as soon as the first replicate is written.
    let replicate0 = out.join("replicates/000000.json");
    let began = Instant::now();
    while !replicate0.exists() {
        assert!(
            began.elapsed() < Duration::from_secs(60),
            "no replicate after 60 s"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    second.kill().expect("kill");
    let _ = second.wait();
    let killed = Instant::now();
    let (ok, err) = wait(first, Duration::from_secs(30));
    let took = killed.elapsed();
    assert!(!ok, "the run went on without its second process");
    assert!(
        took < Duration::from_secs(10),
        "process 0 took {took:?} to fail"
    );
    assert!(
        err.contains("the partitioned run failed: a process of the run was lost"),
        "{err}"
    );
    let kept = read(&replicate0);
    assert!(out.join("run.json").exists());
    assert!(
        !out.join("summary.csv").exists(),
        "a failed run wrote its summary"
    );
    assert!(
        !out.join("replicates/000002.json").exists(),
        "the run went on after the kill"
    );

    // --resume on both processes runs only the missing replicates.
    let children: Vec<Child> = (0..2)
        .map(|p| start_with(&scenario, &out, 2, p, &hosts, &["--resume"]))
        .collect();
    for (p, c) in children.into_iter().enumerate() {
        let (ok, err) = wait(c, Duration::from_secs(60));
        assert!(ok, "resumed process {p}: {err}");
    }
    assert!(
        read(&replicate0) == kept,
        "resuming rewrote a finished replicate"
    );
    let manifest = String::from_utf8(read(&out.join("manifest.json"))).expect("utf-8");
    assert!(manifest.contains("\"resumed_replicates\": 1"), "{manifest}");

    // The folder holds what `ovation run` writes for the same replicates: the same steps.csv,
    // and the same summary columns (edge visits, a count of the engine's own work, and seed
    // reach, which needs the whole graph, are left out of a partitioned run's).
    let plain = dir.join("plain");
    let o = ovation()
        .arg("run")
        .arg(&scenario)
        .arg("--out")
        .arg(&plain)
        .arg("--quiet")
        .output()
        .expect("runs");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(
        read(&plain.join("steps.csv")) == read(&out.join("steps.csv")),
        "steps.csv differs from ovation run's"
    );
    let (ph, prows) = csv(&plain.join("summary.csv"));
    let (h, rows) = csv(&out.join("summary.csv"));
    assert_eq!(rows.len(), 3);
    for (k, name) in h.iter().enumerate() {
        if name == "edge_visits" {
            continue;
        }
        let j = ph.iter().position(|x| x == name).expect(name);
        for (row, prow) in rows.iter().zip(&prows) {
            assert_eq!(row[k], prow[j], "summary.csv column {name}");
        }
    }
    // A real cascade: every agent stands at the end, 500 steps in.
    let steps = h.iter().position(|x| x == "steps").expect("steps");
    let standing = h
        .iter()
        .position(|x| x == "final_standing")
        .expect("column");
    assert!(
        rows.iter().all(|r| r[steps] == "500" && r[standing] == "1"),
        "{rows:?}"
    );
}
