//! `ovation run` end to end: the result folder's files, byte-identical results for 1, 2 and 4
//! threads, refusal to overwrite, and a run killed part-way then resumed giving the same files
//! as an uninterrupted run.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::support::{finished, ovation, root};

/// Runs `ovation run` with `args` and asserts success.
fn run_ok(args: &[&str]) {
    let out = ovation()
        .arg("run")
        .args(args)
        .output()
        .expect("ovation runs");
    assert!(
        out.status.success(),
        "ovation run {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn read(dir: &Path, file: &str) -> Vec<u8> {
    std::fs::read(dir.join(file)).unwrap_or_else(|e| panic!("{}: {e}", dir.join(file).display()))
}

const RESULT_FILES: [&str; 4] = ["summary.csv", "steps.csv", "rows.csv", "stats.json"];

#[test]
fn the_main_scenario_writes_every_file() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let out = tmp.path().join("so");
    let scenario = root().join("scenarios/standing-ovation.toml");
    let result = ovation()
        .args(["run", scenario.to_str().expect("utf-8 path"), "--out"])
        .arg(&out)
        .output()
        .expect("ovation runs");
    assert!(result.status.success());
    let stdout = String::from_utf8_lossy(&result.stdout);
    assert!(stdout.contains("results in"), "{stdout}");
    for f in [
        "manifest.json",
        "summary.csv",
        "steps.csv",
        "stats.json",
        "shares.png",
        "shares.svg",
        "final_standing.png",
        "final_standing.svg",
        "seat_map.png",
        "seat_map.svg",
    ] {
        let meta = std::fs::metadata(out.join(f)).unwrap_or_else(|e| panic!("{f}: {e}"));
        assert!(meta.len() > 0, "{f} is empty");
    }
    let summary = String::from_utf8(read(&out, "summary.csv")).expect("utf-8");
    // A header and one row per replicate.
    assert_eq!(summary.lines().count(), 101);
    let manifest: serde_json::Value =
        serde_json::from_slice(&read(&out, "manifest.json")).expect("manifest is JSON");
    assert_eq!(manifest["replicates"], 100);
    assert_eq!(manifest["graph"]["nodes"], 400);
}

#[test]
fn one_two_and_four_threads_give_identical_files() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let scenario = root().join("scenarios/async-theater.toml");
    let s = scenario.to_str().expect("utf-8 path");
    let dirs: Vec<PathBuf> = [1, 2, 4]
        .iter()
        .map(|t| {
            let dir = tmp.path().join(format!("t{t}"));
            let d = dir.to_str().expect("utf-8 path").to_string();
            run_ok(&[s, "--out", &d, "--threads", &t.to_string(), "--quiet"]);
            dir
        })
        .collect();
    for f in RESULT_FILES {
        let one = read(&dirs[0], f);
        for d in &dirs[1..] {
            assert!(
                one == read(d, f),
                "{f} differs between 1 thread and {}",
                d.display()
            );
        }
    }
}

#[test]
fn an_existing_folder_is_never_overwritten_silently() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let out = tmp.path().join("taken");
    std::fs::create_dir(&out).expect("mkdir");
    std::fs::write(out.join("precious.txt"), "keep me").expect("write");
    let scenario = root().join("scenarios/standing-ovation.toml");
    let result = ovation()
        .arg("run")
        .arg(&scenario)
        .arg("--out")
        .arg(&out)
        .output()
        .expect("ovation runs");
    assert_eq!(result.status.code(), Some(1));
    let err = String::from_utf8_lossy(&result.stderr);
    assert!(err.contains("taken") && err.contains("--force"), "{err}");
    let left: Vec<_> = std::fs::read_dir(&out).expect("readable").collect();
    assert_eq!(left.len(), 1, "the folder was touched");
    assert_eq!(
        std::fs::read_to_string(out.join("precious.txt")).expect("still there"),
        "keep me"
    );
}

/// A scenario slow enough (a few seconds on one thread) to be killed part-way.
const SLOW: &str = r#"
name = "slow"
seed = 77
replicates = 240
steps = 60
[graph]
generator = "theater"
rows = 120
seats = 120
cone = 2
[[population]]
noise = { dist = "uniform", low = -0.5, high = 0.5 }
conformity = { dist = "uniform", low = 0.3, high = 0.7 }
[model]
rule = "sop"
quality = 0.5
[timing]
scheme = "synchronous"
"#;

#[test]
fn a_killed_run_resumes_to_the_same_files() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let scenario = tmp.path().join("slow.toml");
    std::fs::write(&scenario, SLOW).expect("write scenario");
    let whole = tmp.path().join("whole");
    let cut = tmp.path().join("cut");
    let s = scenario.to_str().expect("utf-8");
    run_ok(&[
        s,
        "--out",
        whole.to_str().expect("utf-8"),
        "--quiet",
        "--threads",
        "2",
    ]);

    let mut child = ovation()
        .args([
            "run",
            s,
            "--out",
            cut.to_str().expect("utf-8"),
            "--quiet",
            "--threads",
            "1",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("ovation starts");
    let replicates = cut.join("replicates");
    let start = Instant::now();
    while finished(&replicates).len() < 5 {
        assert!(
            start.elapsed() < Duration::from_secs(120),
            "no replicate finished"
        );
        assert!(
            child.try_wait().expect("wait").is_none(),
            "the run ended before the kill"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().expect("SIGKILL");
    child.wait().expect("reaped");
    let kept = finished(&replicates).len();
    assert!(
        (5..240).contains(&kept),
        "{kept} replicates on disk after the kill"
    );
    assert!(!cut.join("summary.csv").exists());

    // Without --resume or --force the folder is refused and left as it is.
    let refused = ovation()
        .args(["run", s, "--out", cut.to_str().expect("utf-8"), "--quiet"])
        .output()
        .expect("ovation runs");
    assert!(!refused.status.success());
    assert_eq!(finished(&replicates).len(), kept);

    run_ok(&[
        s,
        "--out",
        cut.to_str().expect("utf-8"),
        "--resume",
        "--quiet",
    ]);
    for f in RESULT_FILES {
        assert!(
            read(&whole, f) == read(&cut, f),
            "{f} differs after resuming"
        );
    }
    let manifest: serde_json::Value =
        serde_json::from_slice(&read(&cut, "manifest.json")).expect("JSON");
    assert_eq!(manifest["resumed_replicates"], kept as u64);
}
