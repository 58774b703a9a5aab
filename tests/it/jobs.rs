//! The job layer as a library (issue 12, item 1): a run kept in memory gives the tables the
//! command line writes, and a progress observer that cancels stops a job between replicates,
//! keeping the finished ones for a resume that then gives the uninterrupted files.

use std::sync::atomic::{AtomicU32, Ordering};

use ovation::jobs::{self, Destination, JobError, JobOptions, Progress};
use ovation::output::FolderMode;

use crate::support::ovation;

const SCENARIO: &str = r#"
name = "jobs"
seed = 5
replicates = 12
steps = 15
[graph]
generator = "erdos_renyi"
n = 400
m = 2400
[[population]]
noise = { dist = "uniform", low = -0.4, high = 0.4 }
conformity = { dist = "uniform", low = 0.3, high = 0.7 }
[model]
rule = "sop"
quality = 0.5
"#;

fn scenario_file(dir: &std::path::Path) -> std::path::PathBuf {
    let path = dir.join("jobs.toml");
    std::fs::write(&path, SCENARIO).expect("write scenario");
    path
}

#[test]
fn a_run_in_memory_gives_the_clis_tables() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let path = scenario_file(tmp.path());
    let out = tmp.path().join("cli");
    let status = ovation()
        .args(["run", "--quiet", "--out"])
        .arg(&out)
        .arg(&path)
        .status()
        .expect("ovation runs");
    assert!(status.success());
    let scenario = ovation::scenario::load(&path, &[]).expect("valid scenario");
    let outcome = jobs::run(&scenario, &JobOptions::in_memory()).expect("run");
    assert!(outcome.folder.is_none());
    assert_eq!(outcome.results.len(), 12);
    let read = |name: &str| std::fs::read_to_string(out.join(name)).expect(name);
    assert_eq!(outcome.summary_csv().expect("summary"), read("summary.csv"));
    assert_eq!(outcome.steps_csv().expect("steps"), read("steps.csv"));
    assert_eq!(outcome.stats_json().expect("stats"), read("stats.json"));
    // Nothing was written beside the scenario and the CLI's folder.
    let mut entries: Vec<_> = std::fs::read_dir(tmp.path())
        .expect("readable")
        .map(|e| e.expect("entry").file_name())
        .collect();
    entries.sort();
    assert_eq!(entries, ["cli", "jobs.toml"]);
}

/// Cancels once `after` replicates have finished.
struct CancelAfter {
    after: u32,
    finished: AtomicU32,
}

impl Progress for CancelAfter {
    fn advance(&self) {
        self.finished.fetch_add(1, Ordering::SeqCst);
    }

    fn cancelled(&self) -> bool {
        self.finished.load(Ordering::SeqCst) >= self.after
    }
}

#[test]
fn a_cancelled_run_keeps_its_replicates_and_resumes_to_the_same_files() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let path = scenario_file(tmp.path());
    let scenario = ovation::scenario::load(&path, &[]).expect("valid scenario");
    let whole = tmp.path().join("whole");
    jobs::run(&scenario, &JobOptions::folder(&whole, FolderMode::New)).expect("run");

    let part = tmp.path().join("part");
    let cancel = CancelAfter {
        after: 3,
        finished: AtomicU32::new(0),
    };
    // One thread, so exactly the replicates started before the third finished run.
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .expect("pool");
    let options = JobOptions {
        destination: Destination::Folder {
            dir: part.clone(),
            mode: FolderMode::New,
        },
        memory_limit: u64::MAX,
        progress: &cancel,
    };
    let err = pool
        .install(|| jobs::run(&scenario, &options))
        .expect_err("cancelled");
    assert!(
        matches!(
            err,
            JobError::Interrupted {
                finished: 3,
                total: 12,
                ..
            }
        ),
        "{err}"
    );
    assert!(err.to_string().contains("rerun with --resume"), "{err}");
    assert_eq!(crate::support::finished(&part.join("replicates")).len(), 3);

    jobs::run(&scenario, &JobOptions::folder(&part, FolderMode::Resume)).expect("resume");
    for name in ["summary.csv", "steps.csv", "stats.json"] {
        assert_eq!(
            std::fs::read(whole.join(name)).expect(name),
            std::fs::read(part.join(name)).expect(name),
            "{name}"
        );
    }
}

#[test]
fn sweep_and_compare_refuse_to_run_in_memory() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let text = format!("{SCENARIO}\n[sweep.grid]\n\"model.quality\" = [0.4, 0.6]\n");
    let path = tmp.path().join("s.toml");
    std::fs::write(&path, text).expect("write");
    let scenario = ovation::scenario::load(&path, &[]).expect("valid");
    let err = jobs::sweep(&scenario, &[], &JobOptions::in_memory()).expect_err("needs a folder");
    assert_eq!(err.to_string(), "sweep writes a result folder: give it one");
}
