//! Shards and merge (issue 16): a sweep split into 3 shards run by 3 processes at once, and a
//! run split into 2, merged into folders byte-identical to plain runs (every file; the
//! manifests once their times and the list of shards are set aside, the report once its time
//! stamps are masked); a shard missing a replicate is refused, then resumed; and a missing,
//! repeated, foreign (other seed, input file, build, job kind, shard count) or unfinished
//! shard makes `merge` fail naming it, creating nothing.

use std::path::{Path, PathBuf};
use std::process::Output;

use crate::support::{folder_contents, mask_times, ovation};

const SCENARIO: &str = r#"
name = "shards"
seed = 17
replicates = 7
steps = 30
[graph]
generator = "theater"
rows = 20
seats = 20
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

/// Runs `ovation` with `args` in `dir` (the shards record their working folder).
fn run_in(dir: &Path, args: &[&str]) -> Output {
    ovation()
        .current_dir(dir)
        .args(args)
        .output()
        .expect("ovation runs")
}

/// Like [`run_in`], asserting success.
fn ok(dir: &Path, args: &[&str]) {
    let o = run_in(dir, args);
    assert!(
        o.status.success(),
        "ovation {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}

/// Like [`run_in`], asserting failure; returns standard error.
fn fails(dir: &Path, args: &[&str]) -> String {
    let o = run_in(dir, args);
    assert!(!o.status.success(), "ovation {args:?} succeeded");
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Asserts the two folders hold the same files with the same bytes (see [`contents`]).
fn assert_same(plain: &Path, merged: &Path) {
    let (a, b) = (contents(plain), contents(merged));
    let names = |x: &[(PathBuf, Vec<u8>)]| x.iter().map(|(p, _)| p.clone()).collect::<Vec<_>>();
    assert_eq!(names(&a), names(&b), "the folders hold other files");
    for ((p, x), (_, y)) in a.iter().zip(&b) {
        assert!(
            x == y,
            "{} differs between the plain and the merged folder",
            p.display()
        );
    }
}

/// The `shard` entries of a merged manifest.
fn listed_shards(dir: &Path) -> Vec<String> {
    let text = std::fs::read(dir.join("manifest.json")).expect("manifest");
    let v: serde_json::Value = serde_json::from_slice(&text).expect("JSON");
    v["shards"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|s| s["shard"].as_str().expect("a string").to_string())
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn a_sweep_in_three_shard_processes_merges_into_the_plain_sweep() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path();
    std::fs::write(dir.join("s.toml"), SCENARIO).expect("write scenario");
    ok(dir, &["sweep", "s.toml", "--out", "plain", "--quiet"]);

    // Three processes at once, as three array tasks would run.
    let children: Vec<_> = (1..=3)
        .map(|i| {
            ovation()
                .current_dir(dir)
                .args(["sweep", "s.toml", "--quiet", "--threads", "1", "--shard"])
                .arg(format!("{i}/3"))
                .arg("--out")
                .arg(format!("shard{i}"))
                .spawn()
                .expect("ovation starts")
        })
        .collect();
    for mut c in children {
        assert!(c.wait().expect("waits").success(), "a shard failed");
    }
    // 3 cells x 7 replicates of equal cost: 7 replicates per shard, no tables in a shard.
    for i in 1..=3 {
        let shard = dir.join(format!("shard{i}"));
        let f: serde_json::Value =
            serde_json::from_slice(&std::fs::read(shard.join("shard.json")).expect("shard.json"))
                .expect("JSON");
        assert_eq!(f["units"], 7, "shard {i}");
        assert_eq!(f["complete"], true, "shard {i}");
        assert!(!shard.join("sweep.csv").exists());
    }

    // A shard that lost a replicate is refused, naming it; resumed, it redoes only that one.
    let lost = dir.join("shard2/cells/000001/replicates/000003.json");
    let kept = dir.join("shard2/cells/000001/replicates/000004.json");
    let kept_before = std::fs::metadata(&kept)
        .expect("kept")
        .modified()
        .expect("mtime");
    std::fs::remove_file(&lost).expect("remove a replicate");
    let err = fails(
        dir,
        &["merge", "shard1", "shard2", "shard3", "--out", "merged"],
    );
    assert!(
        err.contains("shard2") && err.contains("replicate 3"),
        "{err}"
    );
    assert!(!dir.join("merged/manifest.json").exists());
    let o = run_in(
        dir,
        &[
            "sweep", "s.toml", "--shard", "2/3", "--out", "shard2", "--resume",
        ],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stdout).contains("6 found on disk"));
    assert!(lost.is_file());
    let kept_after = std::fs::metadata(&kept)
        .expect("kept")
        .modified()
        .expect("mtime");
    assert_eq!(kept_before, kept_after, "a finished replicate was redone");

    // Shards in any order; --force replaces the folder of the refused merge.
    ok(
        dir,
        &[
            "merge", "shard3", "shard1", "shard2", "--out", "merged", "--force", "--quiet",
        ],
    );
    assert_same(&dir.join("plain"), &dir.join("merged"));
    assert_eq!(listed_shards(&dir.join("merged")), ["1/3", "2/3", "3/3"]);
    assert!(listed_shards(&dir.join("plain")).is_empty());
    // The shard folders are only read.
    assert!(!dir.join("shard1/sweep.csv").exists());
}

#[test]
fn a_run_in_two_shards_merges_into_the_plain_run() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path();
    std::fs::write(dir.join("s.toml"), SCENARIO).expect("write scenario");
    ok(dir, &["run", "s.toml", "--out", "plain", "--quiet"]);
    for i in 1..=2 {
        let s = format!("{i}/2");
        ok(
            dir,
            &[
                "run",
                "s.toml",
                "--shard",
                &s,
                "--out",
                &format!("r{i}"),
                "-q",
            ],
        );
    }
    ok(dir, &["merge", "r1", "r2", "--out", "merged", "--quiet"]);
    assert_same(&dir.join("plain"), &dir.join("merged"));
    // The plots are among the files compared.
    assert!(dir.join("merged/final_standing.png").is_file());
    assert_eq!(listed_shards(&dir.join("merged")), ["1/2", "2/2"]);
}

#[test]
fn missing_repeated_foreign_and_unfinished_shards_are_named() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path();
    let graph = "graph.txt";
    std::fs::write(dir.join(graph), "1 2\n2 3\n3 1\n1 4\n4 5\n5 1\n2 5\n").expect("write graph");
    let scenario = r#"
name = "file-shards"
seed = 3
replicates = 6
steps = 10
[graph]
file = "graph.txt"
follows = "first-follows-second"
[[population]]
noise = { dist = "uniform", low = -0.5, high = 0.5 }
[model]
rule = "sop"
quality = 0.5
[sweep.grid]
"model.quality" = [0.4, 0.6]
"#;
    std::fs::write(dir.join("s.toml"), scenario).expect("write scenario");
    let shard = |i: u32, n: u32, out: &str, extra: &[&str]| {
        let s = format!("{i}/{n}");
        let mut args = vec!["sweep", "s.toml", "--shard", s.as_str(), "--out", out, "-q"];
        args.extend_from_slice(extra);
        ok(dir, &args);
    };
    shard(1, 3, "a1", &[]);
    shard(2, 3, "a2", &[]);
    shard(3, 3, "a3", &[]);
    let merge = |dirs: &[&str]| {
        let mut args = vec!["merge"];
        args.extend_from_slice(dirs);
        args.extend_from_slice(&["--out", "m"]);
        let err = fails(dir, &args);
        assert!(!dir.join("m").exists(), "a failed merge created its folder");
        err
    };

    let err = merge(&["a1", "a3"]);
    assert!(err.contains("shard 2/3 missing"), "{err}");
    let err = merge(&["a1", "a2", "a3", "a2"]);
    assert!(err.contains("shard 2/3 given twice: a2 and a2"), "{err}");

    // Another seed.
    shard(2, 3, "seed", &["--set", "seed=4"]);
    let err = merge(&["a1", "seed", "a3"]);
    assert!(
        err.contains("seed: shard 2/3 of another job") && err.contains("seed: 4 in seed, 3 in a1"),
        "{err}"
    );
    // Another job kind, another shard count.
    ok(
        dir,
        &["run", "s.toml", "--shard", "2/3", "--out", "run", "-q"],
    );
    let err = merge(&["a1", "run", "a3"]);
    assert!(
        err.contains("run: shard 2/3") && err.contains("it is a run, not a sweep"),
        "{err}"
    );
    shard(2, 4, "four", &[]);
    let err = merge(&["a1", "four", "a3"]);
    assert!(
        err.contains("four") && err.contains("one of 4 shards, not of 3"),
        "{err}"
    );
    // Another build: the program line of the job identity differs (a shard written by another
    // ovation executable records its own build there).
    copy_tree(&dir.join("a2"), &dir.join("build"));
    let path = dir.join("build/shard.json");
    let text = std::fs::read_to_string(&path).expect("shard.json");
    std::fs::write(
        &path,
        text.replace("program: ovation", "program: ovation-other"),
    )
    .expect("write");
    let err = merge(&["a1", "build", "a3"]);
    assert!(
        err.contains("build: shard 2/3") && err.contains("program: ovation-other"),
        "{err}"
    );
    // Not finished (what a killed shard leaves).
    copy_tree(&dir.join("a2"), &dir.join("cut"));
    let path = dir.join("cut/shard.json");
    let text = std::fs::read_to_string(&path).expect("shard.json");
    std::fs::write(
        &path,
        text.replace("\"complete\": true", "\"complete\": false"),
    )
    .expect("write");
    let err = merge(&["a1", "cut", "a3"]);
    assert!(
        err.contains("cut: shard 2/3 did not finish") && err.contains("--resume"),
        "{err}"
    );
    // Not a shard folder at all.
    ok(dir, &["sweep", "s.toml", "--out", "whole", "-q"]);
    let err = merge(&["a1", "whole", "a3"]);
    assert!(err.contains("whole: not a shard folder"), "{err}");

    // Another input: the graph file changed between shards, then after all of them.
    std::fs::write(dir.join(graph), "1 2\n2 3\n3 1\n1 4\n4 5\n5 1\n").expect("write graph");
    shard(2, 3, "input", &[]);
    let err = merge(&["a1", "input", "a3"]);
    assert!(
        err.contains("input: shard 2/3") && err.contains("graph file ./graph.txt: "),
        "{err}"
    );
    let err = merge(&["a1", "a2", "a3"]);
    assert!(
        err.contains("s.toml: changed since the shards ran")
            && err.contains("graph file ./graph.txt: ")
            && err.contains("in the scenario now"),
        "{err}"
    );
}

/// Copies the folder `from` to `to`, recursively.
fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("readable") {
        let p = entry.expect("entry").path();
        let target = to.join(p.file_name().expect("a name"));
        if p.is_dir() {
            copy_tree(&p, &target);
        } else {
            std::fs::copy(&p, &target).expect("copy");
        }
    }
}

/// Every file under `dir`: manifests without the fields that record when the job ran and from
/// which shards, the report with its time stamps masked.
fn contents(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    folder_contents(dir, &["started", "finished", "shards"], |report| {
        mask_times(report).into_bytes()
    })
}
