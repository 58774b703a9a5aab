//! The run and compare folders shipped under `results/` are what the current build writes: each
//! is rerun from its scenario and its `summary.csv` (every replicate's every column) and, where
//! shipped, `steps.csv` (a compare folder: `compare.csv`, `differences.csv` and every strategy's
//! `summary.csv`) must match byte for byte. A kernel change that alters any figure, even a
//! bookkeeping one such as `edge_visits`, fails here until the folder is regenerated with the
//! command its README gives.
//!
//! The webcare and brand comparisons (and the comcast sweep) take seconds to a minute each in
//! full; they are rerun with their first [`PREFIX_REPLICATES`] replicates only. Replicate `r`
//! uses the replicate key `(seed, r)` whatever the replicate count, so those rows of every
//! per-replicate table must equal the shipped rows exactly; only the tables across replicates
//! (`differences.csv`, `cells.csv`) depend on the count and are not compared.

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

/// (scenario, shipped folder): the compare folders that take seconds in full.
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

/// Replicates the prefix checks rerun: enough to cover every strategy's early and late
/// behaviour in several replicates, few enough that the seven folders take seconds.
const PREFIX_REPLICATES: u32 = 6;

/// (scenario, shipped folder): the comparisons rerun with their first replicates only.
const SHIPPED_PREFIX_COMPARES: &[(&str, &str)] = &[
    (
        "scenarios/brand-response-ba.toml",
        "results/brand-response-ba",
    ),
    ("scenarios/listen-first.toml", "results/listen-first"),
    (
        "scenarios/complaint-incentive.toml",
        "results/complaint-incentive",
    ),
    ("scenarios/webcare-comcast.toml", "results/webcare-comcast"),
    ("scenarios/webcare-motrin.toml", "results/webcare-motrin"),
    (
        "scenarios/webcare-responders.toml",
        "results/webcare-responders",
    ),
];

/// The rows of the CSV table `path` (header first) whose column `replicate` is below
/// [`PREFIX_REPLICATES`].
fn first_replicates(path: &std::path::Path) -> Vec<csv::StringRecord> {
    let mut reader =
        csv::Reader::from_path(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let header = reader.headers().expect("a header").clone();
    let at = header
        .iter()
        .position(|h| h == "replicate")
        .unwrap_or_else(|| panic!("{}: no replicate column", path.display()));
    let mut rows = vec![header];
    for r in reader.records() {
        let r = r.unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let replicate: u32 = r[at].parse().expect("a replicate index");
        if replicate < PREFIX_REPLICATES {
            rows.push(r);
        }
    }
    rows
}

/// Reruns each `(scenario, shipped folder)` of `cases` with `ovation COMMAND --set
/// replicates=PREFIX_REPLICATES` and compares the rows of the first replicates of the tables
/// `files(shipped folder)` names with the shipped ones; panics with every table that differs.
fn assert_prefix_reruns_match(
    command: &str,
    cases: &[(&str, &str)],
    files: impl Fn(&str) -> Vec<String>,
) {
    let root = root();
    let tmp = tempfile::tempdir().expect("temp dir");
    let mut stale = Vec::new();
    let set = format!("replicates={PREFIX_REPLICATES}");
    for (i, (scenario, shipped)) in cases.iter().enumerate() {
        let out = tmp.path().join(i.to_string());
        let status = ovation()
            .current_dir(&root)
            .args([command, scenario, "--quiet", "--set", &set, "--out"])
            .arg(&out)
            .status()
            .expect("ovation runs");
        assert!(status.success(), "ovation {command} {scenario} failed");
        for file in files(shipped) {
            let want = first_replicates(&root.join(shipped).join(&file));
            let got = first_replicates(&out.join(&file));
            // The shipped folder has every replicate below the prefix, each strategy's at least.
            assert!(want.len() > PREFIX_REPLICATES as usize, "{shipped}/{file}");
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

/// `compare.csv` and every strategy's `summary.csv` of the shipped comparison `shipped`.
fn compare_tables(shipped: &str) -> Vec<String> {
    let mut files = vec!["compare.csv".to_string()];
    let strategies = std::fs::read_dir(root().join(shipped).join("strategies"))
        .unwrap_or_else(|e| panic!("{shipped}/strategies: {e}"));
    for entry in strategies {
        let name = entry.expect("a folder entry").file_name();
        files.push(format!("strategies/{}/summary.csv", name.to_string_lossy()));
    }
    assert!(files.len() > 2, "{shipped} ships no strategy");
    files
}

#[test]
fn shipped_webcare_compare_folders_start_with_what_this_build_writes() {
    assert_prefix_reruns_match("compare", SHIPPED_PREFIX_COMPARES, compare_tables);
}

#[test]
fn the_shipped_comcast_sweep_starts_with_what_this_build_writes() {
    assert_prefix_reruns_match(
        "sweep",
        &[(
            "scenarios/webcare-comcast.toml",
            "results/webcare-comcast-sweep",
        )],
        |shipped| {
            let cells = std::fs::read_dir(root().join(shipped).join("cells"))
                .unwrap_or_else(|e| panic!("{shipped}/cells: {e}"));
            let files: Vec<String> = cells
                .map(|c| {
                    let name = c.expect("a folder entry").file_name();
                    format!("cells/{}/summary.csv", name.to_string_lossy())
                })
                .collect();
            assert!(files.len() > 1, "{shipped} ships no cell");
            files
        },
    );
}
