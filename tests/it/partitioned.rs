//! Partitioned runs on timely-dataflow (issue 16, feature `distributed`): the threshold cascade
//! on 1, 2 and 3 local processes (and 3 workers in one) gives files byte-identical to the
//! single-process engine's; other rules are refused; killing one process ends the others with
//! a clear error within seconds.

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

/// Starts process `p` of `n` of a partitioned run of `scenario` into `out`.
fn start(scenario: &Path, out: &Path, n: u16, p: u16, hosts: &str) -> Child {
    let mut c: Command = ovation();
    c.arg("partitioned")
        .arg(scenario)
        .arg("--out")
        .arg(out)
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
        .args(["--", "-w", "3"])
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

#[test]
fn other_rules_are_refused() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let scenario = tmp.path().join("sop.toml");
    std::fs::write(
        &scenario,
        CASCADE.replace(
            "rule = \"threshold\"\nphi = 0.18",
            "rule = \"sop\"\nquality = 0.5",
        ),
    )
    .expect("write");
    let o = ovation()
        .arg("partitioned")
        .arg(&scenario)
        .arg("--out")
        .arg(tmp.path().join("out"))
        .output()
        .expect("runs");
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("sop.toml") && err.contains("`threshold` rule only") && err.contains("`sop`"),
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
