//! The run and compare folders shipped under `results/` are what the current build writes: each
//! is rerun from its scenario and its `summary.csv` (every replicate's every column) and, where
//! shipped, `steps.csv` (a compare folder: `compare.csv`, `differences.csv` and every strategy's
//! `summary.csv`) must match byte for byte. A kernel change that alters any figure, even a
//! bookkeeping one such as `edge_visits`, fails here until the folder is regenerated with the
//! command its README gives.

use crate::support::{ovation, root};

/// (scenario, shipped folder): every single-run folder under `results/` that takes seconds.
const SHIPPED_RUNS: &[(&str, &str)] = &[
    (
        "scenarios/standing-ovation.toml",
        "results/standing-ovation",
    ),
    (
        "scenarios/validation/granovetter-riot.toml",
        "results/validation/granovetter/granovetter-riot",
    ),
    (
        "scenarios/validation/granovetter-riot-perturbed.toml",
        "results/validation/granovetter/granovetter-riot-perturbed",
    ),
    (
        "scenarios/validation/sir-final-size.toml",
        "results/validation/epidemic/sir-final-size",
    ),
    (
        "scenarios/validation/sis-endemic.toml",
        "results/validation/epidemic/sis-endemic",
    ),
    (
        "scenarios/validation/maki-thompson-rumour.toml",
        "results/validation/epidemic/maki-thompson-rumour",
    ),
    (
        "scenarios/validation/voter-fixation.toml",
        "results/validation/voter/voter-fixation",
    ),
    (
        "scenarios/validation/voter-majority.toml",
        "results/validation/voter/voter-majority",
    ),
    (
        "scenarios/validation/voter-q-voter.toml",
        "results/validation/voter/voter-q-voter",
    ),
];

/// Reruns each `(scenario, shipped folder)` of `cases` with `ovation COMMAND` into a temporary
/// folder and compares, byte for byte, the files `files(shipped folder)` names; panics with
/// every file that differs.
fn assert_reruns_match(command: &str, cases: &[(&str, &str)], files: impl Fn(&str) -> Vec<String>) {
    let root = root();
    let tmp = tempfile::tempdir().expect("temp dir");
    let mut stale = Vec::new();
    for (i, (scenario, shipped)) in cases.iter().enumerate() {
        let out = tmp.path().join(i.to_string());
        let status = ovation()
            .current_dir(&root)
            .args([command, scenario, "--quiet", "--out"])
            .arg(&out)
            .status()
            .expect("ovation runs");
        assert!(status.success(), "ovation {command} {scenario} failed");
        for file in files(shipped) {
            let want = std::fs::read(root.join(shipped).join(&file))
                .unwrap_or_else(|e| panic!("{shipped}/{file}: {e}"));
            let got =
                std::fs::read(out.join(&file)).unwrap_or_else(|e| panic!("rerun {file}: {e}"));
            if got != want {
                stale.push(format!("{shipped}/{file}"));
            }
        }
    }
    assert!(
        stale.is_empty(),
        "shipped results differ from this build's (regenerate them): {stale:?}"
    );
}

#[test]
fn shipped_run_folders_are_what_this_build_writes() {
    assert_reruns_match("run", SHIPPED_RUNS, |shipped| {
        let mut files = vec!["summary.csv".to_string()];
        if root().join(shipped).join("steps.csv").exists() {
            files.push("steps.csv".to_string());
        }
        files
    });
}

/// (scenario, shipped folder): the compare folders that take seconds (the webcare ones take
/// 20-60 s each and are left to their READMEs' regeneration commands).
const SHIPPED_COMPARES: &[(&str, &str)] = &[
    ("scenarios/brand-response.toml", "results/brand-response"),
    (
        "scenarios/influencer-seeding.toml",
        "results/influencer-seeding",
    ),
];

#[test]
fn shipped_compare_folders_are_what_this_build_writes() {
    assert_reruns_match("compare", SHIPPED_COMPARES, |shipped| {
        let mut files = vec!["compare.csv".to_string(), "differences.csv".to_string()];
        let strategies = std::fs::read_dir(root().join(shipped).join("strategies"))
            .unwrap_or_else(|e| panic!("{shipped}/strategies: {e}"));
        for entry in strategies {
            let name = entry.expect("a folder entry").file_name();
            files.push(format!("strategies/{}/summary.csv", name.to_string_lossy()));
        }
        assert!(files.len() > 3, "{shipped} ships no strategy");
        files
    });
}
