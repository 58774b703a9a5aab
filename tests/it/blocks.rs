//! Independent cascade and linear threshold replicates run 64 at a time (`runner::BlockPlan`)
//! write the same result folders as the scalar engine (`OVATION_ENGINE=scalar`), byte for
//! byte: runs (with `agents.csv` and seed reach), a comparison and sweeps of 130 replicates
//! (two full blocks and a partial one), each on 1 and 3 threads. The manifests are compared without their times,
//! the reports with their time stamps masked; between thread counts (which both record) the
//! other files.

use std::path::{Path, PathBuf};

use crate::support::{folder_contents, mask_times, ovation};

const BASE: &str = r#"
name = "blocks"
seed = 21
replicates = 130
[graph]
generator = "barabasi_albert"
n = 1200
m = 3
[model]
rule = "independent_cascade"
probability = 0.12
[seeding]
method = "random"
k = 5
[[population]]
name = "crowd"
[[population]]
name = "stubborn"
nodes = [3, 4, 5]
fixed = "sit"
[[population]]
name = "critics"
nodes = [7, 8]
initial = "boo"
"#;

/// Runs `ovation <args> --out <out>` in `dir` on `threads` threads, the scalar engine forced
/// when `scalar`, and asserts success.
fn ok(dir: &Path, args: &[&str], out: &Path, threads: u32, scalar: bool) {
    let mut cmd = ovation();
    cmd.current_dir(dir).args(args).arg("--out").arg(out);
    cmd.args(["--quiet", "--threads", &threads.to_string()]);
    if scalar {
        cmd.env("OVATION_ENGINE", "scalar");
    } else {
        cmd.env_remove("OVATION_ENGINE");
    }
    let o = cmd.output().expect("ovation runs");
    assert!(
        o.status.success(),
        "ovation {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}

fn contents(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    folder_contents(dir, &["started", "finished"], |r| {
        mask_times(r).into_bytes()
    })
}

/// Asserts `a` and `b` hold the same files with the same bytes (those named `skip` set
/// aside), and that `a` holds `expect`.
fn assert_same(a: &Path, b: &Path, expect: &[&str], skip: &[&str]) {
    let keep = |v: Vec<(PathBuf, Vec<u8>)>| -> Vec<(PathBuf, Vec<u8>)> {
        v.into_iter()
            .filter(|(p, _)| !skip.iter().any(|s| p.file_name().is_some_and(|n| n == *s)))
            .collect()
    };
    let (x, y) = (keep(contents(a)), keep(contents(b)));
    let names = |v: &[(PathBuf, Vec<u8>)]| v.iter().map(|(p, _)| p.clone()).collect::<Vec<_>>();
    assert_eq!(names(&x), names(&y), "{} and {}", a.display(), b.display());
    for f in expect {
        assert!(
            names(&x).contains(&PathBuf::from(f)),
            "{f} missing in {}",
            a.display()
        );
    }
    for ((p, u), (_, v)) in x.iter().zip(&y) {
        assert!(
            u == v,
            "{} differs: {} vs {}",
            p.display(),
            a.display(),
            b.display()
        );
    }
}

/// On 1 and 3 threads, the scalar folder and the batched one; compared at each thread count,
/// and the batched ones across thread counts.
fn check(text: &str, command: &str, expect: &[&str]) {
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path();
    std::fs::write(dir.join("s.toml"), text).expect("write scenario");
    for threads in [1, 3] {
        let scalar = dir.join(format!("scalar{threads}"));
        let batched = dir.join(format!("batched{threads}"));
        ok(dir, &[command, "s.toml"], &scalar, threads, true);
        ok(dir, &[command, "s.toml"], &batched, threads, false);
        assert_same(&scalar, &batched, expect, &[]);
    }
    assert_same(
        &dir.join("batched1"),
        &dir.join("batched3"),
        expect,
        &["manifest.json", "report.html"],
    );
}

/// The files a batched run must write byte for byte as the scalar run does (with
/// `agents = true`): 130 replicates, so the last one is the third block's second lane.
const RUN_FILES: &[&str] = &[
    "summary.csv",
    "steps.csv",
    "classes.csv",
    "agents.csv",
    "seeds.csv",
    "stats.json",
    "replicates/000129.json",
];

#[test]
fn a_batched_run_writes_the_scalar_runs_folder() {
    let text = format!("{BASE}\n[output]\nagents = true\nplots = false\n");
    check(&text, "run", RUN_FILES);
}

#[test]
fn a_batched_comparison_writes_the_scalar_comparisons_folder() {
    let text = format!(
        "{BASE}\n[output]\nplots = false\nsteps_csv = false\n[strategies.base]\n\
         [strategies.more]\n\"seeding.k\" = 20\n[strategies.stronger]\n\"model.probability\" = 0.2\n\
         [compare]\nbaseline = \"base\"\nheadline = \"final_standing\"\n"
    );
    check(&text, "compare", &["compare.csv", "differences.csv"]);
}

#[test]
fn a_batched_sweep_writes_the_scalar_sweeps_folder() {
    let text = format!(
        "{BASE}\n[output]\nplots = false\n[sweep.grid]\n\"model.probability\" = [0.05, 0.15]\n"
    );
    check(&text, "sweep", &["sweep.csv"]);
}

/// [`BASE`] under the linear threshold rule.
fn linear_threshold() -> String {
    BASE.replace(
        "rule = \"independent_cascade\"\nprobability = 0.12",
        "rule = \"linear_threshold\"",
    )
}

#[test]
fn a_batched_linear_threshold_run_writes_the_scalar_runs_folder() {
    let text = format!(
        "{}\n[output]\nagents = true\nplots = false\n",
        linear_threshold()
    );
    assert!(text.contains("linear_threshold") && !text.contains("probability"));
    check(&text, "run", RUN_FILES);
}

#[test]
fn a_batched_linear_threshold_sweep_writes_the_scalar_sweeps_folder() {
    let text = format!(
        "{}\n[output]\nplots = false\n[sweep.grid]\n\"seeding.k\" = [2, 12]\n",
        linear_threshold()
    );
    check(&text, "sweep", &["sweep.csv"]);
}

/// [`BASE`] under the threshold rule with `model` (its parameters).
fn threshold(model: &str) -> String {
    BASE.replace(
        "rule = \"independent_cascade\"\nprobability = 0.12",
        &format!("rule = \"threshold\"\n{model}"),
    )
}

#[test]
fn a_batched_threshold_run_writes_the_scalar_runs_folder() {
    // Thresholds drawn per agent and replicate (a normal: some below 0, instigators), and the
    // critics, `boo` at step 0, may adopt.
    let text = format!(
        "{}\n[output]\nagents = true\nplots = false\n",
        threshold("phi = { dist = \"normal\", mean = 0.25, sd = 0.15 }")
    );
    assert!(text.contains("\"threshold\"") && !text.contains("probability"));
    check(&text, "run", RUN_FILES);
}

#[test]
fn a_batched_threshold_sweep_writes_the_scalar_sweeps_folder() {
    let text = format!(
        "{}\n[output]\nplots = false\n[sweep.grid]\n\"model.k\" = [1, 2]\n",
        threshold("k = 1")
    );
    check(&text, "sweep", &["sweep.csv"]);
}
