//! `ovation sweep` end to end: the files of a 2-key grid, byte-identical for 1 and 2 threads,
//! the line plot of a 1-key sweep, refusal to overwrite, validation messages, and a sweep
//! killed part-way then resumed giving the same files without redoing finished replicates.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::support::{finished, ovation, root};

/// Runs `ovation sweep` with `args` and asserts success.
fn sweep_ok(args: &[&str]) {
    let out = ovation()
        .arg("sweep")
        .args(args)
        .output()
        .expect("ovation runs");
    assert!(
        out.status.success(),
        "ovation sweep {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn read(dir: &Path, file: &str) -> Vec<u8> {
    std::fs::read(dir.join(file)).unwrap_or_else(|e| panic!("{}: {e}", dir.join(file).display()))
}

#[test]
fn a_two_key_grid_is_identical_for_one_and_two_threads() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let scenario = root().join("scenarios/sweep-conformity.toml");
    let s = scenario.to_str().expect("utf-8");
    let mut dirs = Vec::new();
    for threads in ["1", "2"] {
        let out = tmp.path().join(format!("t{threads}"));
        sweep_ok(&[
            s,
            "--out",
            out.to_str().expect("utf-8"),
            "--quiet",
            "--threads",
            threads,
            "--set",
            "replicates=6",
        ]);
        dirs.push(out);
    }
    let (a, b) = (&dirs[0], &dirs[1]);
    for f in [
        "sweep.csv",
        "cells.csv",
        "cells/000000/summary.csv",
        "cells/000044/summary.csv",
        "cells/000044/stats.json",
    ] {
        assert!(
            read(a, f) == read(b, f),
            "{f} differs between 1 and 2 threads"
        );
    }
    for f in [
        "heatmap_final_standing.png",
        "heatmap_final_standing.svg",
        "heatmap_cascade_size.png",
        "manifest.json",
        "run.json",
    ] {
        assert!(a.join(f).is_file(), "{f} missing");
    }
    // 9 qualities x 5 conformities, 6 replicates each.
    let sweep = String::from_utf8(read(a, "sweep.csv")).expect("utf-8");
    assert_eq!(sweep.lines().count(), 1 + 45 * 6);
    assert!(sweep.starts_with("cell,model.quality,population.0.conformity,replicate,outcome,"));
    let cells = String::from_utf8(read(a, "cells.csv")).expect("utf-8");
    assert_eq!(cells.lines().count(), 1 + 45);
    let last = cells.lines().last().expect("a row");
    assert!(last.starts_with("44,0.7,0.9,6,"), "{last}");
    let manifest: serde_json::Value =
        serde_json::from_slice(&read(a, "manifest.json")).expect("JSON");
    assert_eq!(manifest["kind"], "sweep");
    assert_eq!(manifest["cells"].as_array().expect("cells").len(), 45);
    assert_eq!(manifest["cells"][7]["settings"]["model.quality"], 0.35);
    assert_eq!(
        manifest["cells"][7]["settings"]["population.0.conformity"],
        0.7
    );

    // Common random numbers: quality 0.5 and conformity 0.5 is the reference theater, whose
    // replicate 0 is the same as `ovation run`'s.
    let run = tmp.path().join("run");
    let status = ovation()
        .args([
            "run",
            root()
                .join("scenarios/standing-ovation.toml")
                .to_str()
                .expect("utf-8"),
            "--out",
            run.to_str().expect("utf-8"),
            "--quiet",
            "--set",
            "replicates=6",
            "--set",
            "seed=20040503",
        ])
        .status()
        .expect("runs");
    assert!(status.success());
    let cell = 4 * 5; // quality 0.5 (5th value), conformity 0.5 (1st)
    assert!(
        read(a, &format!("cells/{cell:06}/summary.csv")) == read(&run, "summary.csv"),
        "cell {cell} differs from the same scenario run alone"
    );

    // Never over an existing sweep without --force or --resume.
    let refused = ovation()
        .args(["sweep", s, "--out", a.to_str().expect("utf-8"), "--quiet"])
        .output()
        .expect("runs");
    assert!(!refused.status.success());
    let err = String::from_utf8_lossy(&refused.stderr);
    assert!(err.contains("--force") || err.contains("--resume"), "{err}");
}

const ONE_KEY: &str = r#"
name = "one-key"
seed = 5
replicates = 12
[graph]
generator = "theater"
rows = 10
seats = 10
[[population]]
noise = { dist = "uniform", low = -0.5, high = 0.5 }
conformity = 0.5
[model]
rule = "sop"
quality = 0.5
[sweep]
measures = ["final_standing", "steps", "no_such_measure"]
[sweep.grid]
"model.quality" = { start = 0.2, stop = 0.8, num = 7 }
"#;

#[test]
fn a_one_key_sweep_draws_a_line_per_measure() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let scenario = tmp.path().join("one.toml");
    std::fs::write(&scenario, ONE_KEY).expect("write");
    let out = tmp.path().join("out");
    let result = ovation()
        .args([
            "sweep",
            scenario.to_str().expect("utf-8"),
            "--out",
            out.to_str().expect("utf-8"),
        ])
        .output()
        .expect("runs");
    assert!(result.status.success());
    let err = String::from_utf8_lossy(&result.stderr);
    assert!(err.contains("no_such_measure"), "{err}");
    for f in [
        "sweep_final_standing.png",
        "sweep_final_standing.svg",
        "sweep_steps.png",
    ] {
        assert!(out.join(f).is_file(), "{f} missing");
    }
    let svg = String::from_utf8(read(&out, "sweep_final_standing.svg")).expect("utf-8");
    assert!(svg.contains("model.quality"));
    // The mean final standing share grows with the quality (a strong effect: from about 0.1
    // to 0.9 across the range, with 12 replicates the means' sampling error is ~0.03).
    let cells = String::from_utf8(read(&out, "cells.csv")).expect("utf-8");
    let mut reader = csv::Reader::from_reader(cells.as_bytes());
    let h = reader.headers().expect("header").clone();
    let at = h
        .iter()
        .position(|c| c == "final_standing_mean")
        .expect("column");
    let means: Vec<f64> = reader
        .records()
        .map(|r| r.expect("row")[at].parse().expect("a number"))
        .collect();
    assert_eq!(means.len(), 7);
    assert!(means[6] - means[0] > 0.5, "{means:?}");
    if let Some(keep) = std::env::var_os("OVATION_KEEP_PLOTS") {
        std::fs::copy(
            out.join("sweep_final_standing.png"),
            Path::new(&keep).join("sweep_final_standing.png"),
        )
        .expect("copy");
    }
}

#[test]
fn a_bad_sweep_key_is_reported_at_its_line() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let scenario = tmp.path().join("bad.toml");
    std::fs::write(
        &scenario,
        ONE_KEY.replace("\"model.quality\" = {", "\"model.qualty\" = {"),
    )
    .expect("write");
    let out = ovation()
        .args(["validate", scenario.to_str().expect("utf-8")])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let text =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert!(
        text.contains("bad.toml:18:1: sweep.grid.\"model.qualty\": unknown key `qualty` in [model] (did you mean `quality`?)"),
        "{text}"
    );
}

/// A sweep slow enough (seconds on one thread) to be killed part-way: 3 cells of 40
/// replicates on a 120 x 120 theater.
const SLOW: &str = r#"
name = "slow-sweep"
seed = 78
replicates = 40
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
[sweep.grid]
"model.quality" = [0.45, 0.5, 0.55]
"#;

#[test]
fn a_killed_sweep_resumes_to_the_same_files() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let scenario = tmp.path().join("slow.toml");
    std::fs::write(&scenario, SLOW).expect("write scenario");
    let whole = tmp.path().join("whole");
    let cut = tmp.path().join("cut");
    let s = scenario.to_str().expect("utf-8");
    sweep_ok(&[
        s,
        "--out",
        whole.to_str().expect("utf-8"),
        "--quiet",
        "--threads",
        "2",
    ]);

    let mut child = ovation()
        .args([
            "sweep",
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
    let first = cut.join("cells/000000/replicates");
    let second = cut.join("cells/000001/replicates");
    let start = Instant::now();
    // On one thread the pairs run in order: wait until cell 0 is finished and cell 1 begun.
    while finished(&first).len() < 40 || finished(&second).is_empty() {
        assert!(
            start.elapsed() < Duration::from_secs(300),
            "no cell finished"
        );
        assert!(
            child.try_wait().expect("wait").is_none(),
            "the sweep ended before the kill"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().expect("SIGKILL");
    child.wait().expect("reaped");
    let kept: Vec<PathBuf> = [0, 1, 2]
        .iter()
        .flat_map(|c| finished(&cut.join(format!("cells/{c:06}/replicates"))))
        .collect();
    assert!(
        (41..120).contains(&kept.len()),
        "{} replicates on disk after the kill",
        kept.len()
    );
    assert!(!cut.join("sweep.csv").exists());
    let stamps: Vec<std::time::SystemTime> = kept
        .iter()
        .map(|p| p.metadata().expect("meta").modified().expect("mtime"))
        .collect();

    // Without --resume or --force the folder is refused and left as it is.
    let refused = ovation()
        .args(["sweep", s, "--out", cut.to_str().expect("utf-8"), "--quiet"])
        .output()
        .expect("ovation runs");
    assert!(!refused.status.success());

    sweep_ok(&[
        s,
        "--out",
        cut.to_str().expect("utf-8"),
        "--resume",
        "--quiet",
        "--threads",
        "2",
    ]);
    for f in [
        "sweep.csv",
        "cells.csv",
        "cells/000000/summary.csv",
        "cells/000002/stats.json",
    ] {
        assert!(
            read(&whole, f) == read(&cut, f),
            "{f} differs after resuming"
        );
    }
    // The replicates kept were not redone: same files, untouched.
    for (p, t) in kept.iter().zip(&stamps) {
        assert_eq!(
            p.metadata().expect("meta").modified().expect("mtime"),
            *t,
            "{} rewritten",
            p.display()
        );
    }
    let manifest: serde_json::Value =
        serde_json::from_slice(&read(&cut, "manifest.json")).expect("JSON");
    assert_eq!(manifest["resumed_replicates"], kept.len() as u64);
}
