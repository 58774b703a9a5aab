//! Memory independent of the replicate count (issue 14, item 3): the per-step means are
//! accumulated as the replicates finish. With `steps.csv` the trajectories stay in the replicate
//! files and are read back one at a time; without it they are dropped from memory and from the
//! files, and a checkpoint of the per-step means lets the run resume. Either way the result
//! files are the ones the run gave when it held every trajectory.

use std::sync::atomic::{AtomicU32, Ordering};

use ovation::jobs::{self, Destination, JobError, JobOptions, Progress};
use ovation::output::FolderMode;
use ovation::output::steps::CHECKPOINT_FILE;

const SCENARIO: &str = r#"
name = "streaming"
seed = 9
replicates = 16
steps = 30
[graph]
generator = "erdos_renyi"
n = 300
m = 1500
[[population]]
noise = { dist = "uniform", low = -0.4, high = 0.4 }
conformity = { dist = "uniform", low = 0.3, high = 0.7 }
[model]
rule = "sop"
quality = 0.5
[timing]
scheme = "async_random"
"#;

fn load(dir: &std::path::Path, steps_csv: bool) -> ovation::scenario::Scenario {
    let path = dir.join("streaming.toml");
    std::fs::write(&path, SCENARIO).expect("write scenario");
    let set = [format!("output.steps_csv={steps_csv}")];
    ovation::scenario::load(&path, &set).expect("valid scenario")
}

fn read(dir: &std::path::Path, name: &str) -> Vec<u8> {
    std::fs::read(dir.join(name)).unwrap_or_else(|e| panic!("{}: {e}", dir.join(name).display()))
}

/// The trajectory lengths stored in a folder's replicate files.
fn stored_steps(dir: &std::path::Path) -> Vec<usize> {
    crate::support::finished(&dir.join("replicates"))
        .iter()
        .map(|p| {
            let v: serde_json::Value =
                serde_json::from_slice(&std::fs::read(p).expect("read")).expect("JSON");
            v["trajectory"]
                .as_array()
                .expect("a trajectory array")
                .len()
        })
        .collect()
}

#[test]
fn without_steps_csv_the_trajectories_are_dropped_and_the_tables_are_the_same() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let with = tmp.path().join("with");
    let without = tmp.path().join("without");
    let outcome = jobs::run(
        &load(tmp.path(), true),
        &JobOptions::folder(&with, FolderMode::New),
    )
    .expect("run");
    // A folder run holds no trajectory in memory; the replicate files keep them for steps.csv.
    assert!(outcome.results.iter().all(|r| r.trajectory.is_empty()));
    assert_eq!(
        outcome.steps_csv().expect("steps").as_bytes(),
        read(&with, "steps.csv")
    );
    let lengths = stored_steps(&with);
    assert_eq!(lengths.len(), 16);
    assert!(lengths.iter().all(|&n| n > 1), "{lengths:?}");
    // The per-step means are the ones of the run kept in memory (every trajectory held).
    let memory = jobs::run(&load(tmp.path(), true), &JobOptions::in_memory()).expect("run");
    assert_eq!(
        memory.stats_json().expect("stats").as_bytes(),
        read(&with, "stats.json")
    );

    jobs::run(
        &load(tmp.path(), false),
        &JobOptions::folder(&without, FolderMode::New),
    )
    .expect("run");
    assert_eq!(read(&with, "stats.json"), read(&without, "stats.json"));
    assert_eq!(read(&with, "summary.csv"), read(&without, "summary.csv"));
    assert!(!without.join("steps.csv").exists());
    assert_eq!(stored_steps(&without), vec![0; 16]);
    assert!(!without.join("replicates").join(CHECKPOINT_FILE).exists());
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
fn a_run_without_steps_csv_resumes_from_its_checkpoint_to_the_same_files() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let scenario = load(tmp.path(), false);
    let whole = tmp.path().join("whole");
    jobs::run(&scenario, &JobOptions::folder(&whole, FolderMode::New)).expect("run");

    let part = tmp.path().join("part");
    let cancel = CancelAfter {
        after: 5,
        finished: AtomicU32::new(0),
    };
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
        matches!(err, JobError::Interrupted { finished: 5, .. }),
        "{err}"
    );
    // The checkpoint holds the five replicates, which are not run again.
    assert!(part.join("replicates").join(CHECKPOINT_FILE).is_file());
    let resumed =
        jobs::run(&scenario, &JobOptions::folder(&part, FolderMode::Resume)).expect("resume");
    assert_eq!(resumed.manifest.resumed_replicates, 5);
    for name in ["summary.csv", "stats.json"] {
        assert_eq!(read(&whole, name), read(&part, name), "{name}");
    }
    assert!(!part.join("replicates").join(CHECKPOINT_FILE).exists());
}
